//! The transformer NER backend (`--features bert`), with the committed model.
#![cfg(feature = "bert")]

use std::path::PathBuf;
use whosaid::learn::bert::Precision;
use whosaid::ner::bert::{BertNer, BertRecognizer, ModelFiles, Sentence, TAGS};
use whosaid::ner::Recognizer;
use whosaid::quote::QuoteDetector;
use whosaid::tokenize::{NewsSegmenter, Segmenter};
use whosaid::work::Meter;

fn files() -> ModelFiles {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/bert-minilm-conll2003");
    ModelFiles::in_dir(&dir, "model.safetensors")
}

/// The committed model, or `None` (with a message) where it is absent.
fn net() -> Option<BertNer> {
    if !files().weights.exists() {
        eprintln!(
            "skipping: no bert model at {} (see models/README.md)",
            files().weights.display()
        );
        return None;
    }
    let mut n = BertNer::new(&files()).unwrap();
    n.load(&files().weights, false).unwrap();
    Some(n)
}

#[test]
fn tags_people_places_and_organisations() {
    let words = [
        "Marco",
        "Rubio",
        "met",
        "NATO",
        "officials",
        "in",
        "Geneva",
        ".",
    ];
    let priors = ["O"; 8];
    let Some(n) = net() else { return };
    let tagged = n
        .tag(&Sentence::of_doc(&words, &priors, &[(0, 8)]))
        .unwrap();
    let names: Vec<&str> = tagged[0].tags.iter().map(|&t| TAGS[t]).collect();
    assert_eq!(
        names,
        ["B-PER", "I-PER", "O", "B-ORG", "O", "O", "B-LOC", "O"]
    );
    assert!(tagged[0].probs.iter().all(|p| (0.0..=1.0).contains(p)));
    // Every tag's probability: they sum to one, and the tag given is the likeliest.
    let k = TAGS.len();
    assert_eq!(tagged[0].dist.len(), words.len() * k);
    for (i, d) in tagged[0].dist.chunks(k).enumerate() {
        assert!(
            (d.iter().sum::<f32>() - 1.0).abs() < 1e-3,
            "word {i}: {d:?}"
        );
        assert!((d[tagged[0].tags[i]] - tagged[0].probs[i]).abs() < 1e-6);
        assert!(d.iter().all(|&p| p <= tagged[0].probs[i]));
    }
}

#[test]
fn batches_of_more_than_64_sentences_match_one_by_one() {
    // rust-bert's own pipeline mixes up batches past 64 inputs; ours must not.
    let Some(n) = net() else { return };
    let sents: Vec<Sentence> = (0..100)
        .map(|i| {
            let words: Vec<&str> = if i % 2 == 0 {
                vec!["Angela", "Merkel", "visited", "Paris", "."]
            } else {
                vec!["The", "European", "Union", "said", "no", "."]
            };
            let priors = vec!["O"; words.len()];
            Sentence {
                words,
                priors,
                ..Default::default()
            }
        })
        .collect();
    let all = n.tag(&sents).unwrap();
    for (s, t) in sents.iter().zip(&all) {
        let one = n.tag(std::slice::from_ref(s)).unwrap();
        assert_eq!(one[0].tags, t.tags);
    }
}

#[test]
fn long_sentences_go_in_windows() {
    let words: Vec<&str> = std::iter::repeat_n(["Barack", "Obama", "spoke", "."], 60)
        .flatten()
        .collect();
    let priors = vec!["O"; words.len()];
    let Some(n) = net() else { return };
    let tagged = n
        .tag(&Sentence::of_doc(&words, &priors, &[(0, words.len())]))
        .unwrap();
    assert_eq!(tagged[0].tags.len(), words.len());
    assert_eq!(TAGS[tagged[0].tags[words.len() - 4]], "B-PER");
}

/// The bert recognizer computing at `precision`, or `None` where the model is absent.
fn recognizer_at(precision: Precision) -> Option<BertRecognizer> {
    net()?;
    Some(BertRecognizer::start(files(), precision).unwrap())
}

/// The bert recognizer as `run` starts it (`--bert-precision auto`).
fn recognizer() -> Option<BertRecognizer> {
    recognizer_at(Precision::auto())
}

/// The entities `r` finds in `text`, as words and labels; every score is a probability.
fn entities<'t>(r: &BertRecognizer, text: &'t str) -> Vec<(&'t str, &'static str)> {
    let doc = NewsSegmenter.segment(text);
    let ents = r.recognize(&doc, &mut Meter::unlimited()).unwrap();
    assert!(ents.iter().all(|e| e.score > 0.0 && e.score <= 1.0));
    ents.iter()
        .map(|e| (e.span.slice(text), e.label.as_str()))
        .collect()
}

#[test]
fn the_recognizer_serves_many_threads() {
    let Some(r) = recognizer() else { return };
    let text = "Steve Witkoff and Jared Kushner met Kirill Dmitriev in Miami.";
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let got = entities(&r, text);
                assert!(got.contains(&("Steve Witkoff", "PER")), "{got:?}");
                assert!(got.contains(&("Miami", "LOC")), "{got:?}");
            });
        }
    });
}

#[test]
fn the_recognizer_mixes_in_the_perceptron_and_its_repairs() {
    let Some(r) = recognizer() else { return };
    // The title stays out of the name (a repair of the perceptron's, now applied to the
    // mixture too).
    let got = entities(
        &r,
        "Crown Prince Mohammed bin Salman met Marco Rubio in Riyadh on Tuesday.",
    );
    assert!(got.contains(&("Mohammed bin Salman", "PER")), "{got:?}");
    assert!(got.contains(&("Marco Rubio", "PER")), "{got:?}");
    assert!(got.contains(&("Riyadh", "LOC")), "{got:?}");
    // A nickname in quote marks stays inside its name, as with the default tagger.
    let text = "In a tradition he has kept for 40 years, Rep. Robert C. \"Bobby\" Scott spoke.";
    assert_eq!(entities(&r, text), [("Robert C. \"Bobby\" Scott", "PER")]);
}

#[test]
fn bf16_finds_the_seed_articles_entities_as_f32_does() {
    let Some(f32) = recognizer_at(Precision::F32) else {
        return;
    };
    let Some(bf16) = recognizer_at(Precision::Bf16) else {
        return;
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/seed-article.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let want = entities(&f32, &text);
    assert!(want.len() > 50, "{want:?}");
    assert_eq!(entities(&bf16, &text), want);
}

/// The committed role tagger of `--quotes bert`, or `None` (with a message) where it is absent.
fn cue_model() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/bert-minilm-polnear");
    if !dir.join("model.safetensors").exists() {
        eprintln!(
            "skipping: no bert role model at {} (see models/README.md)",
            dir.display()
        );
        return None;
    }
    Some(dir)
}

#[test]
fn bert_quotes_find_reported_and_direct_speech_from_many_threads() {
    let Some(dir) = cue_model() else { return };
    let text = "Marco Rubio told reporters on Sunday that the talks would continue next week. \
                \"We are very close to a deal,\" the senator said. Officials believe the \
                agreement could be signed by Friday. The weather in Miami was warm.";
    let doc = NewsSegmenter.segment(text);
    for cascade in [false, true] {
        let q = whosaid::commands::bert::quotes(&dir, cascade, "auto").unwrap();
        find_from_threads(q.as_ref(), &doc, text);
        let notes = q.notes();
        if cascade {
            // Three threads read the text; its last sentence holds no cue candidate.
            let skipped = doc.sentences.last().map(|s| s.1 - s.0).unwrap();
            let n = 3 * doc.tokens.len();
            let words: Vec<&str> = notes[0].split_whitespace().collect();
            let k = words.iter().position(|&w| w == "read").unwrap();
            let (r, w): (usize, usize) =
                (words[k + 1].parse().unwrap(), words[k + 3].parse().unwrap());
            assert_eq!(w, n, "{notes:?}");
            assert!(r > 0 && r <= n - 3 * skipped, "{notes:?}");
        } else {
            assert!(notes.is_empty(), "{notes:?}");
        }
    }
}

fn find_from_threads(q: &dyn QuoteDetector, doc: &whosaid::tokenize::Doc, text: &str) {
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                let quotes = q.detect(doc, &mut Meter::unlimited());
                let contents: Vec<&str> = quotes.iter().map(|q| q.content[0].slice(text)).collect();
                assert!(
                    contents
                        .iter()
                        .any(|c| c.contains("the talks would continue")),
                    "{contents:?}"
                );
                assert!(
                    contents.iter().any(|c| c.contains("We are very close")),
                    "{contents:?}"
                );
                for q in &quotes {
                    assert!((0.0..=1.0).contains(&q.confidence));
                    let cue = q.cue.expect("model quotes have cues");
                    assert!(!cue.slice(text).trim().is_empty());
                }
            });
        }
    });
}
