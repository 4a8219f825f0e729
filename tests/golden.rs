//! Golden outputs: the seed article's full record, and a digest of every corpus article.
//! Regenerate after a reviewed change with `UPDATE_GOLDEN=1 cargo test --release --test golden`.

use std::path::{Path, PathBuf};
use whosaid::input::{InputOptions, Inputs};
use whosaid::{Pipeline, Record};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn check_golden(name: &str, actual: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(10)
            .map(|(i, (a, b))| format!("line {}:\n  expected {a}\n  actual   {b}", i + 1))
            .collect();
        panic!(
            "{} differs from the pipeline's output ({} vs {} lines):\n{}",
            path.display(),
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

fn seed_record() -> Record {
    let p = Pipeline::new_default().unwrap();
    let items: Vec<_> = Inputs::open(
        &[root().join("corpus/seed-article.txt")],
        InputOptions::default(),
    )
    .collect();
    assert_eq!(items.len(), 1);
    p.record_item(&items[0])
}

#[test]
fn seed_article_matches_its_golden_record() {
    let rec = seed_record();
    check_golden(
        "seed-article.json",
        &(serde_json::to_string_pretty(&rec).unwrap() + "\n"),
    );
}

/// The attributions the showcase must get right, stated independently of the golden file.
#[test]
fn seed_article_attributions() {
    let rec = seed_record();
    // A cue is named by its verb: the learned model's cue spans follow PolNeAR's, which take
    // in adverbs and objects ("bluntly told", "said in a statement").
    let find = |cue: &str, content_start: &str| {
        rec.quotes
            .iter()
            .find(|q| {
                q.cue
                    .as_ref()
                    .is_some_and(|c| c.text.split_whitespace().any(|w| w == cue))
                    && q.content[0].text.starts_with(content_start)
            })
            .unwrap_or_else(|| panic!("no quote with cue {cue:?} and content {content_start:?}"))
    };
    // Rubio's direct quotation, split by its attribution, resolved from "he".
    let q = find("said", "The author of the peace proposal");
    assert_eq!(q.kind, "direct");
    assert_eq!(q.content.len(), 2);
    assert!(q.content[1].text.starts_with("It is based on proposals"));
    assert_eq!(q.speaker.as_ref().unwrap().text, "he");
    assert_eq!(q.speaker_name.as_deref(), Some("Marco Rubio"));
    let rubio = q.speaker_actor.unwrap();
    assert_eq!(rec.actors[rubio].name, "Marco Rubio");
    let who =
        |cue: &str, content: &str| find(cue, content).speaker_name.clone().unwrap_or_default();
    assert_eq!(
        who("insisted", "that Ukraine could never join NATO"),
        "Kirill Dmitriev"
    );
    assert_eq!(
        who("suggested", "that the U.S. and Russia"),
        "Kirill Dmitriev"
    );
    assert_eq!(who("told", "that it was more favorable"), "Rustem Umerov");
    assert_eq!(who("recommended", "contacting Zelensky"), "Rustem Umerov");
    assert_eq!(
        who("said", "the plan needed to be worked on"),
        "Vladimir Zelensky"
    );
    assert_eq!(who("said", "Rubio was aware"), "Officials");
    assert_eq!(who("said", "Rubio had to take calls"), "Officials");
    assert_eq!(who("say", "in doing so"), "Sources");
    assert_eq!(who("wrote", "November 16"), "The Wall Street Journal");
    assert_eq!(who("told", "that Rubio told them"), "Lawmakers");
    assert_eq!(who("told", "that the initial draft"), "Marco Rubio");
    assert_eq!(who("said", "the plan included elements"), "Marco Rubio");
    // A participle takes the speaker of the clause it continues.
    assert_eq!(who("adding", "It is based on proposals"), "Marco Rubio");
    assert_eq!(who("According", "the first draft"), "the Journal's sources");
    // No scare quote ("peace plan") is a statement.
    assert!(rec.quotes.iter().all(|q| !q
        .content
        .iter()
        .any(|c| c.text.to_lowercase() == "peace plan")));
    // The eight people are people wherever they are named in full.
    for name in [
        "Donald Trump",
        "Steve Witkoff",
        "Jared Kushner",
        "Vladimir Zelensky",
        "Kirill Dmitriev",
        "Rustem Umerov",
        "Marco Rubio",
        "Mohammed bin Salman",
    ] {
        let a = rec
            .actors
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no actor {name}"));
        assert_eq!(a.label, "PER", "{name}");
    }
}

#[test]
fn corpus_digest_matches_its_golden() {
    let p = Pipeline::new_default().unwrap();
    let mut out = String::new();
    let paths = [root().join("corpus")];
    for item in Inputs::open(&paths, InputOptions::default()) {
        let r = p.record_item(&item);
        let mut labels = [0usize; 4];
        for e in &r.entities {
            labels[["PER", "ORG", "LOC", "MISC"]
                .iter()
                .position(|l| *l == e.label)
                .unwrap()] += 1;
        }
        let quotes: Vec<String> = r
            .quotes
            .iter()
            .map(|q| {
                format!(
                    "{}:{}:{}",
                    q.kind,
                    q.content[0].start,
                    q.speaker_name.as_deref().unwrap_or("-")
                )
            })
            .collect();
        out.push_str(&format!(
            "{}\tPER {} ORG {} LOC {} MISC {}\tactors {}\t{}\n",
            r.id,
            labels[0],
            labels[1],
            labels[2],
            labels[3],
            r.actors.len(),
            quotes.join(" | ")
        ));
    }
    assert_eq!(out.lines().count(), 296);
    check_golden("corpus-digest.tsv", &out);
}

#[test]
fn golden_files_exist() {
    assert!(Path::new(&root().join("tests/golden/seed-article.json")).exists());
}

/// The README's output excerpt is taken from the golden record, word for word.
#[test]
fn readme_excerpt_matches_the_golden_record() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("```json\n{\n  \"id\": \"seed-article\"")
        .expect("the README shows the seed record")
        + 8;
    let end = start + readme[start..].find("```").unwrap();
    let excerpt: serde_json::Value =
        serde_json::from_str(&readme[start..end]).expect("the excerpt is JSON");
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/golden/seed-article.json")).unwrap(),
    )
    .unwrap();
    for key in ["entities", "quotes"] {
        for item in excerpt[key].as_array().unwrap() {
            assert!(
                golden[key].as_array().unwrap().contains(item),
                "README {key} item not in the golden record: {item}"
            );
        }
    }
    for actor in excerpt["actors"].as_array().unwrap() {
        let g = golden["actors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == actor["name"])
            .expect("actor");
        for m in actor["mentions"].as_array().unwrap() {
            assert!(
                g["mentions"].as_array().unwrap().contains(m),
                "README mention not in the golden record: {m}"
            );
        }
    }
}
