//! Unit tests of the learned model: its file format, its candidates, training on a toy split,
//! and the built-in model on plain sentences.

use super::candidates;
use super::context::Ctx;
use super::train::{self, TrainOptions};
use super::QuoteModel;
use crate::ner::clusters::Clusters;
use crate::polnear::parse_article;
use crate::quote::{QuoteDetector, QuoteKind, RuleQuotes};
use crate::tokenize::{NewsSegmenter, Segmenter};
use crate::work::Meter;

fn quotes(model: &QuoteModel, text: &str) -> Vec<(String, String, String, QuoteKind)> {
    let doc = NewsSegmenter.segment(text);
    model
        .detect(&doc, &mut Meter::unlimited())
        .into_iter()
        .map(|q| {
            (
                q.cue.map(|c| c.slice(text).to_string()).unwrap_or_default(),
                q.speaker
                    .map(|(a, b)| doc.span_of(a, b).slice(text).to_string())
                    .unwrap_or_default(),
                q.content
                    .iter()
                    .map(|s| s.slice(text))
                    .collect::<Vec<_>>()
                    .join(" | "),
                q.kind,
            )
        })
        .collect()
}

#[test]
fn the_model_file_round_trips_and_bad_bytes_are_errors() {
    let m = QuoteModel::builtin().unwrap();
    let b = m.to_bytes();
    assert_eq!(QuoteModel::from_bytes(&b).unwrap().to_bytes(), b);
    assert!(QuoteModel::from_bytes(b"not a model").is_err());
    assert!(QuoteModel::from_bytes(&b[..b.len() / 2]).is_err());
    let mut longer = b.clone();
    longer.push(0);
    assert!(QuoteModel::from_bytes(&longer).is_err());
}

#[test]
fn the_builtin_model_finds_plain_attributions() {
    let m = QuoteModel::builtin().unwrap();
    let q = quotes(&m, "Smith said that the plan would fail.");
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].0, "said");
    assert_eq!(q[0].1, "Smith");
    assert!(q[0].2.contains("the plan would fail"), "{q:?}");
    assert_eq!(q[0].3, QuoteKind::Indirect);
    let q = quotes(&m, "“The plan is dead,” the senator said on Tuesday.");
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].1, "the senator");
    assert_eq!(q[0].2, "The plan is dead");
    assert_eq!(q[0].3, QuoteKind::Direct);
    assert!(quotes(&m, "The bridge opened in 1932 and carries six lanes.").is_empty());
}

/// The model's view of `doc`, with the rules' proposals.
fn rule_ctx<'d, 'a>(doc: &'d crate::tokenize::Doc<'a>, clusters: &Clusters) -> Ctx<'d, 'a> {
    Ctx::new(
        doc,
        clusters,
        RuleQuotes::rules_only().propose(doc, &mut Meter::unlimited()),
    )
}

#[test]
fn candidates_hold_the_usual_shapes() {
    let text = "“The plan is dead,” he said, “and we know it.” Officials believe the talks failed.";
    let doc = NewsSegmenter.segment(text);
    let clusters = Clusters::builtin().unwrap();
    let ctx = rule_ctx(&doc, &clusters);
    let idx = |w: &str| (0..doc.tokens.len()).find(|&i| doc.tok(i) == w).unwrap();
    let said = idx("said");
    let mut cs = Vec::new();
    candidates::contents(&ctx, (said, said + 1), &mut cs);
    let texts: Vec<Vec<&str>> = cs
        .iter()
        .map(|c| {
            c.parts()
                .iter()
                .map(|&(a, b)| doc.span_of(a, b).slice(text))
                .collect()
        })
        .collect();
    assert!(texts.contains(&vec!["The plan is dead"]), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.len() == 2 && t[0].starts_with("The plan") && t[1].starts_with("and we")),
        "{texts:?}"
    );
    let mut ss = Vec::new();
    candidates::sources(&ctx, (said, said + 1), &cs[0], None, &mut ss);
    let he = idx("he");
    assert!(ss.contains(&(he, he + 1)), "{ss:?}");
    let believe = idx("believe");
    candidates::contents(&ctx, (believe, believe + 1), &mut cs);
    let failed = idx("failed");
    assert!(cs.iter().any(|c| c.parts() == [(believe + 1, failed + 1)]));
}

#[test]
fn stems_join_inflections() {
    use super::context::stem;
    let demand = stem("demand");
    for w in ["demanded", "demands", "demanding", "Demanded"] {
        assert_eq!(stem(w), demand, "{w}");
    }
    assert_eq!(stem("denies"), stem("deny"));
    assert_eq!(stem("denied"), stem("deny"));
    assert_eq!(stem("announced"), stem("announce"));
    assert_ne!(stem("says"), stem("sees"));
    // Short, non-letter and non-ASCII words are their own stem, without a panic.
    for w in ["is", "was", "U.S.", "naïve", "déclaré", "4x4s", "’s", ""] {
        let _ = stem(w);
    }
    assert_ne!(stem("is"), stem("i"));
}

#[test]
fn source_candidates_reach_appositives() {
    let text = "Chad Bown, an expert on trade at the Peterson Institute, said the tariffs would \
                hurt. The plan fails, said David Wasserman, House editor for the Cook Report.";
    let doc = NewsSegmenter.segment(text);
    let clusters = Clusters::builtin().unwrap();
    let ctx = rule_ctx(&doc, &clusters);
    let spans = |cue: &str| {
        let mut found = Vec::new();
        for k in (0..doc.tokens.len()).filter(|&i| doc.tok(i) == cue) {
            let mut cs = Vec::new();
            candidates::contents(&ctx, (k, k + 1), &mut cs);
            // The sources of every content candidate (a source never overlaps its content).
            for c in &cs {
                let mut ss = Vec::new();
                candidates::sources(&ctx, (k, k + 1), c, None, &mut ss);
                found.extend(
                    ss.iter()
                        .map(|&(a, b)| doc.span_of(a, b).slice(text).to_string()),
                );
            }
        }
        found
    };
    let ss = spans("said");
    assert!(
        ss.iter()
            .any(|s| s == "Chad Bown, an expert on trade at the Peterson Institute"),
        "{ss:?}"
    );
    assert!(
        ss.iter()
            .any(|s| s == "David Wasserman, House editor for the Cook Report"),
        "{ss:?}"
    );
    let m = QuoteModel::builtin().unwrap();
    let q = quotes(&m, text);
    assert!(
        q.iter()
            .any(|q| q.1 == "Chad Bown, an expert on trade at the Peterson Institute"),
        "{q:?}"
    );
}

/// A toy split: the same two attribution shapes with changing names and verbs.
fn toy_split() -> Vec<crate::polnear::GoldArticle> {
    let names = ["Smith", "Jones", "Brown", "Lee", "Garcia", "Miller"];
    let verbs = ["said", "argued", "warned", "claimed", "noted", "insisted"];
    let mut out = Vec::new();
    for (k, n) in names.iter().enumerate() {
        let v = verbs[k];
        let a = format!("{n} {v} that taxes would rise.");
        let b = "The weather was cold on Monday.";
        let text = format!("{a} {b}");
        let c = a.find(v).unwrap();
        let ann = format!(
            "T1\tSource 0 {}\nT2\tCue {c} {}\nT3\tContent {} {}\nE1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n",
            n.len(),
            c + v.len(),
            c + v.len() + 1,
            a.len() - 1
        );
        out.push(parse_article(format!("toy{k}"), text, &ann));
    }
    out
}

#[test]
fn training_learns_a_toy_split_and_repeats_exactly() {
    let split = toy_split();
    let opts = TrainOptions { epochs: 3, seed: 1 };
    let (m, epoch) = train::train(&split, opts, None, |_| {}).unwrap();
    assert_eq!(epoch, 3);
    let q = quotes(&m, "Taylor warned that prices would fall.");
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].1, "Taylor");
    assert_eq!(q[0].2, "that prices would fall");
    let (again, _) = train::train(&split, opts, None, |_| {}).unwrap();
    assert_eq!(m.to_bytes(), again.to_bytes());
}

#[test]
fn the_builtin_model_writes_back_byte_for_byte() {
    let m = QuoteModel::builtin().unwrap();
    assert!(m.to_bytes() == super::DEFAULT_QUOTES);
}

#[test]
fn single_marks_quote_in_pairs_and_apostrophes_do_not() {
    let clusters = Clusters::builtin().unwrap();
    let span = |doc: &crate::tokenize::Doc, from: &str, to: &str| {
        let i = (0..doc.tokens.len()).find(|&i| doc.tok(i) == from).unwrap();
        let j = (i..doc.tokens.len()).find(|&j| doc.tok(j) == to).unwrap();
        (i, j + 1)
    };
    let text = "Trump Was ‘Mocking’ Clinton Camp.";
    let doc = NewsSegmenter.segment(text);
    let ctx = rule_ctx(&doc, &clusters);
    let (a, b) = span(&doc, "Trump", "Camp");
    assert!(ctx.single_quoted(a, b));
    let text = "Obama Sees 'Personal Insult' if Blacks Don't Rally.";
    let doc = NewsSegmenter.segment(text);
    let ctx = rule_ctx(&doc, &clusters);
    // The opening mark stands just before the span.
    let (a, b) = span(&doc, "Personal", "Rally");
    assert!(ctx.single_quoted(a, b));
    for text in [
        "He said officials' confidence was high and workers' pay low.",
        "He said Sanders’ plan would fail.",
    ] {
        let doc = NewsSegmenter.segment(text);
        let ctx = rule_ctx(&doc, &clusters);
        let (a, b) = (1, doc.tokens.len() - 1);
        assert!(!ctx.single_quoted(a, b), "{text}");
        assert!(!(a..b).any(|i| ctx.is_quoting_mark(i)), "{text}");
    }
    let m = QuoteModel::builtin().unwrap();
    let q = quotes(&m, "Smith said that the workers' union would strike.");
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].3, QuoteKind::Indirect, "{q:?}");
}

#[test]
fn no_content_takes_in_a_second_cue_of_the_same_subject() {
    let m = QuoteModel::builtin().unwrap();
    // The seed article's sentence: two attributions of Zelensky, joined by "and".
    let q = quotes(
        &m,
        "Zelensky thanked them for their efforts. He promised to contact them with his \
         thoughts and said the plan needed to be worked on.",
    );
    let promised = q.iter().find(|q| q.0 == "promised").expect("{q:?}");
    assert_eq!(promised.2, "to contact them with his thoughts", "{q:?}");
    let said = q.iter().find(|q| q.0 == "said").expect("{q:?}");
    assert_eq!(said.2, "the plan needed to be worked on", "{q:?}");
}
