//! Invariants checked on arbitrary input, by the fuzz targets (`fuzz/`) and by the tests that
//! replay what they found (`tests/fuzz_regressions.rs`). Each function panics when an
//! invariant fails; none panics on any input otherwise.

use crate::input::{Article, InputOptions, Inputs, Item};
use crate::pipeline::Pipeline;
use crate::polnear::parse_article;

/// The whole pipeline on `data` (as lossy UTF-8): no error record (a caught panic would be
/// one), valid JSON, and every span inside the text, slicing back to its `text`.
pub fn pipeline_on_bytes(pipeline: &Pipeline, data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let item: Item = Ok(Article {
        id: "fuzz".into(),
        title: None,
        text: text.clone(),
    });
    let mut out = Vec::new();
    let w = pipeline
        .write_record(&item, &mut out)
        .expect("writing to memory");
    assert!(!w.failed, "{}", String::from_utf8_lossy(&out));
    let rec: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    let chars: Vec<char> = text.chars().collect();
    let check = |s: &serde_json::Value| {
        let a = s["start"].as_u64().expect("start") as usize;
        let b = s["end"].as_u64().expect("end") as usize;
        assert!(
            a <= b && b <= chars.len(),
            "span {a}..{b} of {}",
            chars.len()
        );
        let slice: String = chars[a..b].iter().collect();
        assert_eq!(slice, s["text"].as_str().expect("text"));
    };
    let list = |v: &serde_json::Value| v.as_array().expect("an array").clone();
    list(&rec["entities"]).iter().for_each(check);
    for a in list(&rec["actors"]) {
        list(&a["mentions"]).iter().for_each(check);
    }
    for q in list(&rec["quotes"]) {
        list(&q["content"]).iter().for_each(check);
        for k in ["cue", "speaker"] {
            if !q[k].is_null() {
                check(&q[k]);
            }
        }
    }
}

/// The JSON Lines reader on `data`: every item an article within the limit or an error with
/// its place, and no more items than lines.
pub fn jsonl_on_bytes(data: &[u8]) {
    let max = 256;
    let opts = InputOptions {
        max_article_bytes: max,
    };
    let reader = Box::new(std::io::Cursor::new(data.to_vec()));
    let lines = data.split(|&b| b == b'\n').count();
    let mut n = 0;
    for item in Inputs::from_jsonl_reader("fuzz", reader, opts) {
        n += 1;
        match item {
            Ok(a) => assert!(a.text.len() <= max && !a.text.trim().is_empty()),
            Err(e) => assert!(e.location.starts_with("fuzz:") && !e.message.is_empty()),
        }
    }
    assert!(n <= lines, "{n} items from {lines} lines");
}

/// The brat (PolNeAR) reader on `data`: the text, then after the first NUL byte the
/// annotation; every span it gives lies inside the text on character boundaries.
pub fn brat_on_bytes(data: &[u8]) {
    let (text, ann) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let text = String::from_utf8_lossy(text).into_owned();
    let ann = String::from_utf8_lossy(ann);
    let a = parse_article("fuzz".into(), text, &ann);
    for att in &a.attributions {
        for s in att.content.iter().chain(&att.source).chain(&att.cue) {
            assert!(s.start <= s.end);
            assert!(
                a.text.get(s.start..s.end).is_some(),
                "{s:?} in {:?}",
                a.text
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_hold_on_odd_bytes() {
        for d in [
            &b""[..],
            b"\n\n",
            b"{\"text\": 5}\n[1]\n\xff\xfe\n{\"id\": null, \"text\": \"  \"}",
            b"text\0T1\tCue 5 2\tx\nE1\tCue:T1 Content:T1\nT2\tContent 99999999999 7",
            b"\0\0T1\tSource\nE1",
        ] {
            jsonl_on_bytes(d);
            brat_on_bytes(d);
        }
    }
}
