//! The output contract (`article.schema.json`) holds for every corpus article: offsets are code
//! points, every span slices back to its text, indices point into the record's arrays.

use std::path::PathBuf;
use whosaid::check::record_violations as violations;
use whosaid::input::{InputOptions, Inputs};
use whosaid::Pipeline;

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
