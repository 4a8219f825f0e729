//! Speaker resolution through the whole pipeline, on short made-up articles.

use whosaid::input::Article;
use whosaid::Pipeline;

/// (speaker mention, resolved speaker name) of every quote.
fn speakers(text: &str) -> Vec<(String, String)> {
    let p = Pipeline::new_default().unwrap();
    let r = p.record(&Article {
        id: "t".into(),
        title: None,
        text: text.into(),
    });
    r.quotes
        .iter()
        .map(|q| {
            (
                q.speaker
                    .as_ref()
                    .map(|s| s.text.clone())
                    .unwrap_or_default(),
                q.speaker_name.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn a_relative_pronoun_speaks_for_the_name_before_it() {
    let v =
        speakers("The campaign hired Jane Smith, who argued that the tax plan would fail badly.");
    assert_eq!(v, [("who".to_string(), "Jane Smith".to_string())]);
}

#[test]
fn he_resolves_to_the_last_named_man() {
    let v = speakers(
        "Senator John Miller spoke on Tuesday. He said the bill would pass the Senate easily.",
    );
    assert_eq!(v, [("He".to_string(), "John Miller".to_string())]);
}
