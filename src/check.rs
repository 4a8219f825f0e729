//! Invariants checked on arbitrary input, by the fuzz targets (`fuzz/`) and by the tests that
//! replay what they found (`tests/fuzz_regressions.rs`). Each function panics when an
//! invariant fails; none panics on any input otherwise.

use crate::input::{Article, InputOptions, Inputs};
use crate::output::Record;
use crate::pipeline::Pipeline;
use crate::polnear::parse_article;
use crate::text::OutSpan;

/// The whole pipeline on `data` (as lossy UTF-8), as `run` writes it: no error record (a
/// caught panic would be one), JSON that reads as a record, and no [`record_violations`].
pub fn pipeline_on_bytes(pipeline: &Pipeline, data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let article = Article {
        id: "fuzz".into(),
        title: None,
        text,
    };
    let mut out = Vec::new();
    let w = pipeline
        .write_article(&article, &mut out)
        .expect("writing to memory");
    assert!(!w.failed, "{}", String::from_utf8_lossy(&out));
    let rec: Record = serde_json::from_slice(&out).expect("the JSON of a record");
    let bad = record_violations(&rec, &article.text);
    assert!(bad.is_empty(), "{:?}", &bad[..bad.len().min(5)]);
}

/// Checks one record against its text and the contract: every span inside the text and
/// slicing back to its `text`, labels, kinds, scores and actor indices in range. Returns the
/// problems found.
pub fn record_violations(rec: &Record, text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut bad = Vec::new();
    let mut span = |what: &str, s: &OutSpan| {
        if s.start > s.end || s.end > chars.len() {
            bad.push(format!("{what} {}..{} out of range", s.start, s.end));
        } else {
            let sliced: String = chars[s.start..s.end].iter().collect();
            if sliced != s.text {
                bad.push(format!(
                    "{what} {}..{}: {:?} != {:?}",
                    s.start, s.end, sliced, s.text
                ));
            }
        }
    };
    for e in &rec.entities {
        span(
            "entity",
            &OutSpan {
                start: e.start,
                end: e.end,
                text: e.text.clone(),
            },
        );
    }
    for a in &rec.actors {
        for m in &a.mentions {
            span("mention", m);
        }
    }
    for q in &rec.quotes {
        for c in &q.content {
            span("content", c);
        }
        if let Some(c) = &q.cue {
            span("cue", c);
        }
        if let Some(s) = &q.speaker {
            span("speaker", s);
        }
    }
    for e in &rec.entities {
        if !["PER", "ORG", "LOC", "MISC"].contains(&e.label.as_str()) {
            bad.push(format!("bad label {}", e.label));
        }
        if !(0.0..=1.0).contains(&e.score) {
            bad.push(format!("score {}", e.score));
        }
        if e.actor.is_some_and(|a| a >= rec.actors.len()) {
            bad.push("entity actor out of range".into());
        }
    }
    for q in &rec.quotes {
        if !["direct", "indirect", "mixed"].contains(&q.kind.as_str()) {
            bad.push(format!("bad kind {}", q.kind));
        }
        if q.content.is_empty() {
            bad.push("quote without content".into());
        }
        if q.speaker_actor.is_some_and(|a| a >= rec.actors.len()) {
            bad.push("speaker actor out of range".into());
        }
        if !(0.0..=1.0).contains(&q.confidence) {
            bad.push(format!("confidence {}", q.confidence));
        }
    }
    bad
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
