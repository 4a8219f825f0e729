//! The output contract (`article.schema.json`) holds for every corpus article: offsets are code
//! points, every span slices back to its text, indices point into the record's arrays.

use std::path::PathBuf;
use whosaid::input::{InputOptions, Inputs};
use whosaid::output::Record;
use whosaid::text::OutSpan;
use whosaid::Pipeline;

/// Checks one record against its text; returns the problems found.
pub fn violations(rec: &Record, text: &str) -> Vec<String> {
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

#[test]
fn corpus_records_keep_the_contract() {
    let p = Pipeline::new_default().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for item in Inputs::open(&[root.join("corpus")], InputOptions::default()) {
        let a = item.expect("corpus articles are readable");
        let rec = p.record(&a);
        assert!(rec.error.is_none());
        let bad = violations(&rec, &a.text);
        assert!(bad.is_empty(), "{}: {:?}", a.id, &bad[..bad.len().min(5)]);
        // The JSON keeps the required fields.
        let v = serde_json::to_value(&rec).unwrap();
        for k in ["id", "entities", "actors", "quotes"] {
            assert!(v.get(k).is_some(), "{k}");
        }
        n += 1;
    }
    assert_eq!(n, 296);
}

#[test]
fn non_ascii_spans_slice_back() {
    let p = Pipeline::new_default().unwrap();
    let text = "Zelensky’s envoy Björn Ødegård met Marco Rubio in Genève. «Nous avançons», a-t-il dit. \"We are making progress,\" Ødegård said. Officials said Björn Ødegård would return to Kyiv on Monday.";
    let rec = p.record(&whosaid::Article {
        id: "x".into(),
        title: None,
        text: text.into(),
    });
    assert!(
        violations(&rec, text).is_empty(),
        "{:?}",
        violations(&rec, text)
    );
    assert!(rec.entities.iter().any(|e| e.text == "Zelensky"));
    assert!(rec
        .quotes
        .iter()
        .any(|q| q.speaker.as_ref().is_some_and(|s| s.text == "Ødegård")));
}

/// What `run` writes (serialized straight from the analysis) is byte for byte the JSON of
/// the record that `show`, `eval` and the library build, for every corpus article and for
/// a record that carries a warning.
#[test]
fn streamed_records_are_the_records_json() {
    let p = Pipeline::new_default().unwrap();
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let tight = Pipeline::new_default()
        .unwrap()
        .with_budget(whosaid::work::Budget {
            base: 0,
            per_token: 5,
        });
    let mut warned = 0;
    for item in Inputs::open(&[corpus], InputOptions::default()) {
        for pipe in [&p, &tight] {
            let mut streamed = Vec::new();
            pipe.write_record(&item, &mut streamed).unwrap();
            let rec = pipe.record_item(&item);
            warned += usize::from(!rec.warnings.is_empty());
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                serde_json::to_string(&rec).unwrap()
            );
        }
    }
    assert!(warned > 0, "some records carry a warning");
}
