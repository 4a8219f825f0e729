//! The perceptron model as a pipeline [`Recognizer`]: documents cut into windows of whole
//! sentences, tags into entities.

use super::*;

/// Entities from a tag sequence over a document's tokens.
pub(super) fn entities_from_tags(doc: &Doc, tags: &[usize], probs: &[f32]) -> Vec<Entity> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tags.len() {
        match tag_parts(tags[i]) {
            Some((label, Part::U)) => {
                out.push(Entity {
                    tok_start: i,
                    tok_end: i + 1,
                    span: doc.span_of(i, i + 1),
                    label,
                    score: probs[i],
                });
                i += 1;
            }
            Some((label, Part::B)) => {
                let mut j = i + 1;
                while j < tags.len() && tags[j] == tag_id(label, Part::I) {
                    j += 1;
                }
                if j < tags.len() && tags[j] == tag_id(label, Part::L) {
                    j += 1;
                }
                let score = probs[i..j].iter().sum::<f32>() / (j - i) as f32;
                out.push(Entity {
                    tok_start: i,
                    tok_end: j,
                    span: doc.span_of(i, j),
                    label,
                    score,
                });
                i = j;
            }
            _ => i += 1,
        }
    }
    out
}

/// The default recognizer: a [`Model`] applied to a segmented document.
pub struct PerceptronNer {
    model: Model,
}

/// The model trained on CoNLL-2003 that ships with whosaid (see `models/README.md`).
pub static DEFAULT_MODEL: &[u8] = include_bytes!("../../../models/ner-conll2003.bin");

impl PerceptronNer {
    /// Wraps a model.
    pub fn new(model: Model) -> Self {
        PerceptronNer { model }
    }

    /// The built-in default model.
    pub fn default_model() -> Result<Self> {
        Ok(Self::new(
            Model::from_bytes(DEFAULT_MODEL).context("loading the built-in NER model")?,
        ))
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }
}

impl Recognizer for PerceptronNer {
    fn recognize(&self, doc: &Doc, meter: &mut Meter) -> Result<Vec<Entity>> {
        let words: Vec<&str> = doc.tokens.iter().map(|t| t.text(doc.text)).collect();
        let mut work = 0;
        let mut tags = Vec::with_capacity(words.len());
        let mut probs = Vec::with_capacity(words.len());
        // The tagger's working memory is a few hundred bytes per token: a very long document
        // is tagged in windows of whole sentences, each with its own document history.
        for (a, b) in windows(&doc.sentences, MAX_WINDOW_TOKENS) {
            let (s0, s1) = (doc.sentences[a].0, doc.sentences[b - 1].1);
            let sents: Vec<(usize, usize)> = doc.sentences[a..b]
                .iter()
                .map(|&(s, e)| (s - s0, e - s0))
                .collect();
            let (t, p) = self.model.tag_counted(&words[s0..s1], &sents, &mut work);
            tags.extend(t);
            probs.extend(p);
        }
        meter.add(work);
        Ok(entities_of(doc, tags, &probs))
    }
}

/// The entities of a document's BILOU `tags` (the tagger's, repaired) and their
/// probabilities: quote marks out of names but for nicknames and plural possessives, chunks
/// mended, names of quote marks alone left out.
pub fn entities_of(doc: &Doc, mut tags: Vec<usize>, probs: &[f32]) -> Vec<Entity> {
    let words: Vec<&str> = doc.tokens.iter().map(|t| t.text(doc.text)).collect();
    // Quote marks never begin or end a name. Inside one they may stand: double marks
    // around a nickname, which the tagger's repairs leave there alone (Robert C. "Bobby"
    // Scott), and the apostrophe of an organisation's or place's plural possessive
    // (Kurdistan Workers' Party).
    let inside = |i: usize, tags: &[usize]| {
        let l = match tag_parts(tags[i]) {
            Some((l, Part::I)) => l,
            _ => return false,
        };
        if !dquote(words[i]) && !matches!(l, Label::Org | Label::Loc) {
            return false;
        }
        let before =
            i > 0 && matches!(tag_parts(tags[i - 1]), Some((p, Part::B | Part::I)) if p == l);
        let after = matches!(tags.get(i + 1).and_then(|&t| tag_parts(t)), Some((n, Part::I | Part::L)) if n == l);
        before && after
    };
    for i in 0..tags.len() {
        if doc.tokens[i].kind == TokenKind::Quote && tags[i] != O && !inside(i, &tags) {
            tags[i] = O;
        }
    }
    let mut ents = entities_from_tags(doc, &repair(&tags), probs);
    ents.retain(|e| {
        doc.tokens[e.tok_start..e.tok_end]
            .iter()
            .any(|t| t.kind == TokenKind::Word)
    });
    ents
}

/// Most tokens the tagger sees as one document (about 300 KB of news text, far longer than
/// any article); longer documents are tagged window by window.
pub const MAX_WINDOW_TOKENS: usize = 50_000;

/// Consecutive runs of whole sentences, as `[first, end)` sentence index ranges, each of at
/// most `max` tokens unless one sentence alone is longer.
pub(super) fn windows(sentences: &[(usize, usize)], max: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut first = 0;
    for (k, &(_, e)) in sentences.iter().enumerate() {
        if k > first && e - sentences[first].0 > max {
            out.push((first, k));
            first = k;
        }
    }
    if first < sentences.len() {
        out.push((first, sentences.len()));
    }
    out
}

/// Mends sequences broken by post-editing (an I or L without its B becomes B or U).
pub(super) fn repair(tags: &[usize]) -> Vec<usize> {
    let mut out = tags.to_vec();
    for i in 0..out.len() {
        let prev = if i > 0 { out[i - 1] } else { O };
        if let Some((l, p)) = tag_parts(out[i]) {
            let open = matches!(tag_parts(prev), Some((pl, Part::B | Part::I)) if pl == l);
            if !open && matches!(p, Part::I | Part::L) {
                out[i] = tag_id(l, if p == Part::I { Part::B } else { Part::U });
            }
            let next_cont = out
                .get(i + 1)
                .is_some_and(|&n| matches!(tag_parts(n), Some((nl, Part::I | Part::L)) if nl == l));
            if matches!(tag_parts(out[i]), Some((_, Part::B | Part::I))) && !next_cont {
                out[i] = tag_id(
                    l,
                    if out[i] == tag_id(l, Part::B) {
                        Part::U
                    } else {
                        Part::L
                    },
                );
            }
        }
    }
    out
}
