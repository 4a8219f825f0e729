//! Hostile inputs of growing size: the work every stage counts (steps, not seconds) and the
//! output's size grow no faster than n log n, and an article that reaches the work budget
//! still gets its record, with a warning.

use std::sync::OnceLock;
use whosaid::input::{Article, Item};
use whosaid::work::Budget;
use whosaid::Pipeline;

mod common;
use common::Lcg;

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::new_default().unwrap())
}

fn repeat(unit: &str) -> impl Fn(usize) -> String + '_ {
    move |k| format!("Title\n\n{}", unit.repeat(k))
}

/// A hostile input as a function of its number of repeated units.
type Generator = Box<dyn Fn(usize) -> String>;

/// Each hostile input, by name.
fn generators() -> Vec<(&'static str, Generator)> {
    vec![
        (
            "cue chain",
            Box::new(repeat("Smith said that Jones said that ")),
        ),
        ("according to", Box::new(repeat("According to officials, "))),
        (
            "told chain",
            Box::new(repeat(
                "Lawmakers told reporters that Rubio told them that ",
            )),
        ),
        ("colon introductions", Box::new(repeat("He said: "))),
        ("straight quote marks", Box::new(repeat("\" \"a\" said\" "))),
        (
            "curly quote marks",
            Box::new(repeat("\u{201C} \u{201D}\u{201C}he said\u{2019} ")),
        ),
        (
            "one endless sentence",
            Box::new(repeat("the officials and ")),
        ),
        (
            "split quotes in one paragraph",
            Box::new(repeat("\"We will go,\" he said, \"and we will win.\" ")),
        ),
        (
            "quotation paragraphs",
            Box::new(repeat(
                "\"This is a paragraph that is one long quotation here.\n\n",
            )),
        ),
        (
            "transcript turns",
            Box::new(repeat("SMITH: we will go on and on.\n")),
        ),
        (
            "pronoun speakers",
            Box::new(repeat("He said she said it was so, he added. ")),
        ),
        (
            "a page of signed letters",
            Box::new(repeat(
                "I think that the fee will hurt the shops.\n\nMargaret Olsen.\n\n",
            )),
        ),
        (
            "many people of one surname",
            Box::new(|k| {
                let mut s = String::from("Title\n\n");
                for i in 0..k {
                    let first: String = format!("{i:x}")
                        .chars()
                        .map(|c| (b'a' + c.to_digit(16).unwrap() as u8) as char)
                        .collect();
                    s.push_str(&format!("Jo{first} Smith said Smith was right. "));
                }
                s
            }),
        ),
        (
            "punctuation soup",
            Box::new(|k| {
                let alphabet: Vec<char> =
                    ".,;:\"'\u{201C}\u{201D}\u{2018}\u{2019}()-\u{2014}!? aA\n"
                        .chars()
                        .collect();
                let mut r = Lcg(k as u64);
                (0..k * 8)
                    .map(|_| alphabet[r.next(alphabet.len() as u64) as usize])
                    .collect()
            }),
        ),
    ]
}

/// (total work, output bytes, tokens) of one article.
fn measure(text: &str) -> (u64, usize, u64) {
    let a = pipeline().analyze(text).unwrap();
    let item: Item = Ok(Article {
        id: "x".into(),
        title: None,
        text: text.into(),
    });
    let mut out = Vec::new();
    pipeline().write_record(&item, &mut out).unwrap();
    (a.work.total(), out.len(), a.work.tokens)
}

#[test]
fn work_and_output_grow_no_faster_than_n_log_n() {
    for (name, make) in generators() {
        // About 25 KB of text at the smallest size, 200 KB at the largest.
        let unit = make(2).len() - make(1).len();
        let k0 = (25_000 / unit.max(1)).max(1);
        let sizes = [k0, 2 * k0, 4 * k0, 8 * k0];
        let m: Vec<(u64, usize, u64)> = sizes.iter().map(|&k| measure(&make(k))).collect();
        let (w0, o0, n0) = m[0];
        let (w3, o3, n3) = m[3];
        assert!(n3 >= 7 * n0, "{name}: tokens {n0} -> {n3}");
        let grow = n3 as f64 / n0 as f64;
        let nlogn = grow * (n3 as f64).log2() / (n0 as f64).log2();
        let work = w3 as f64 / w0 as f64;
        assert!(
            work <= nlogn * 1.15,
            "{name}: work grew {work:.1}x for {grow:.1}x the tokens (n log n: {nlogn:.1}x): {m:?}"
        );
        let out = o3 as f64 / o0 as f64;
        assert!(
            out <= grow * 1.15,
            "{name}: output grew {out:.1}x for {grow:.1}x the tokens: {m:?}"
        );
        // Each doubling, too (no stage is quadratic between the end points either).
        for w in m.windows(2) {
            let g = w[1].2 as f64 / w[0].2 as f64;
            let r = w[1].0 as f64 / w[0].0 as f64;
            assert!(r <= g * 1.3, "{name}: work grew {r:.2}x for {g:.2}x: {m:?}");
        }
    }
}

#[test]
fn an_article_over_the_work_budget_keeps_what_was_found_and_says_so() {
    let text = "Title\n\n".to_string()
        + &"Rubio said the talks went well. Officials said they would resume on Monday. "
            .repeat(200);
    let full = pipeline().analyze(&text).unwrap();
    assert!(full.warnings.is_empty());
    let tight = Pipeline::new_default().unwrap().with_budget(Budget {
        base: 0,
        per_token: 20,
    });
    let a = tight.analyze(&text).unwrap();
    assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
    assert!(a.warnings[0].contains("work budget"));
    assert!(
        !a.quotes.is_empty(),
        "what was found before the budget is kept"
    );
    assert!(a.quotes.len() < full.quotes.len());
    // The record carries the warning, and still satisfies the contract (spans slice back).
    let item: Item = Ok(Article {
        id: "a".into(),
        title: None,
        text: text.clone(),
    });
    let mut out = Vec::new();
    let w = tight.write_record(&item, &mut out).unwrap();
    assert_eq!(w.warnings, 1);
    assert!(!w.failed);
    let rec: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(rec["warnings"][0].as_str().unwrap().contains("work budget"));
    let chars: Vec<char> = text.chars().collect();
    for q in rec["quotes"].as_array().unwrap() {
        for c in q["content"].as_array().unwrap() {
            let (s, e) = (c["start"].as_u64().unwrap(), c["end"].as_u64().unwrap());
            let slice: String = chars[s as usize..e as usize].iter().collect();
            assert_eq!(slice, c["text"].as_str().unwrap());
        }
    }
}
