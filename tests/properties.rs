//! Property tests: any input string is analysed without a panic, and every span slices back.

use proptest::prelude::*;
use whosaid::Pipeline;

fn pipeline() -> &'static Pipeline {
    static P: std::sync::OnceLock<Pipeline> = std::sync::OnceLock::new();
    P.get_or_init(|| Pipeline::new_default().unwrap())
}

fn check(text: &str) {
    whosaid::check::pipeline_on_bytes(pipeline(), text.as_bytes());
}

/// Words and marks that drive the rules, mixed with anything.
fn newsy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\"".to_string()),
        Just("“".to_string()),
        Just("”".to_string()),
        Just("’s".to_string()),
        Just("'".to_string()),
        Just(" said ".to_string()),
        Just(" told them that ".to_string()),
        Just("According to ".to_string()),
        Just(", ".to_string()),
        Just(": ".to_string()),
        Just(". ".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just(" he ".to_string()),
        Just("Marco Rubio".to_string()),
        Just("U.S.".to_string()),
        Just("Mr.".to_string()),
        Just("—".to_string()),
        Just("n't".to_string()),
        Just("Björn".to_string()),
        "[a-zA-Z]{1,8}",
        "\\PC{1,4}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_string_is_analysed(s in "\\PC*") {
        check(&s);
    }

    #[test]
    fn any_unicode_is_analysed(s in any::<String>()) {
        check(&s);
    }

    #[test]
    fn newsy_strings_are_analysed(s in newsy()) {
        check(&s);
    }
}

/// Every export and the report take any analysed text: brat fragments and Label Studio
/// regions slice back to their text, the report keeps every span.
fn check_exports(text: &str) {
    let article = whosaid::Article {
        id: "p".into(),
        title: Some("t, \"x\"".into()),
        text: text.to_string(),
    };
    let rec = pipeline().record(&article);
    let chars: Vec<char> = text.chars().collect();
    let slice = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    for line in whosaid::export::brat::ann(&rec, text).lines() {
        if !line.starts_with('T') {
            continue;
        }
        let mut cols = line.split('\t');
        let (_, mid, body) = (cols.next(), cols.next().unwrap(), cols.next().unwrap());
        let frags: Vec<String> = mid
            .split_once(' ')
            .unwrap()
            .1
            .split(';')
            .map(|r| {
                let (a, b) = r.split_once(' ').unwrap();
                slice(a.parse().unwrap(), b.parse().unwrap())
            })
            .collect();
        assert!(frags.iter().all(|f| !f.contains('\n')), "{line}");
        assert_eq!(frags.join(" "), body, "{line}");
    }
    let task = whosaid::export::label_studio::task(&rec, text);
    for r in task["predictions"][0]["result"].as_array().unwrap() {
        if r["type"] == "labels" {
            let v = &r["value"];
            let (a, b) = (v["start"].as_u64().unwrap(), v["end"].as_u64().unwrap());
            assert_eq!(slice(a as usize, b as usize), v["text"].as_str().unwrap());
        }
    }
    let json = serde_json::to_string(&rec).unwrap();
    let r: whosaid::report::Record = serde_json::from_str(&json).unwrap();
    let a = whosaid::report::Article::new(r, text.to_string());
    assert!(a.note.is_none(), "{:?}", a.note);
    assert_eq!(a.rec.quotes.len(), rec.quotes.len());
    let s = whosaid::report::summarize(std::slice::from_ref(&a));
    let html = whosaid::report::page::render(&[a], &s, "p");
    assert_eq!(html.matches("</script>").count(), 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn exports_and_report_take_any_article(s in newsy()) {
        check_exports(&s);
    }
}
