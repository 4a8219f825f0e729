//! The default NER model: a left-to-right linear tagger over BILOU tags with hashed lexical,
//! shape, context, previous-tag and document-level features. It is trained greedily with
//! passive-aggressive updates and weight averaging, and tags with a beam of two.
//!
//! Document history (non-local features): once a capitalized word has been tagged inside an
//! entity, later occurrences of the same word in the document see that label as a feature, so
//! "Witkoff" inherits PER from "Steve Witkoff".

use super::clusters::{Clusters, DEFAULT_CLUSTERS};
use super::conll::{chunks, f1, prf, ConllDoc, ConllFile};
use super::features::{history_features, static_features, tag_features, SentCase, TokHash};
use super::gazetteer::{Gazetteer, DEFAULT_GAZETTEER};
use super::{Entity, Label, Recognizer};
use crate::learn::shuffle;
use crate::learn::{Averaged, IdMap};
use crate::tokenize::{Doc, TokenKind};
use crate::work::Meter;
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::sync::Arc;

/// Number of tags: O, then B, I, L, U for each of the four labels.
pub const N_TAGS: usize = 17;

/// Tag id of O.
pub const O: usize = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    B,
    I,
    L,
    U,
}

fn tag_id(label: Label, part: Part) -> usize {
    1 + label.index() * 4 + part as usize
}

fn tag_parts(t: usize) -> Option<(Label, Part)> {
    if t == O {
        return None;
    }
    let label = Label::ALL[(t - 1) / 4];
    let part = [Part::B, Part::I, Part::L, Part::U][(t - 1) % 4];
    Some((label, part))
}

/// Tag names in id order.
const BILOU_NAMES: [&str; N_TAGS] = [
    "O", "B-PER", "I-PER", "L-PER", "U-PER", "B-ORG", "I-ORG", "L-ORG", "U-ORG", "B-LOC", "I-LOC",
    "L-LOC", "U-LOC", "B-MISC", "I-MISC", "L-MISC", "U-MISC",
];

/// The tag's name in BILOU form ("B-PER", "O").
pub fn tag_name(t: usize) -> &'static str {
    BILOU_NAMES[t]
}

/// May tag `next` follow tag `prev`? `last` marks the sentence's last token.
fn allowed(prev: usize, next: usize, last: bool) -> bool {
    let inside = matches!(tag_parts(prev), Some((_, Part::B | Part::I)));
    match (tag_parts(prev), tag_parts(next)) {
        (Some((pl, Part::B | Part::I)), Some((nl, np))) => {
            pl == nl && matches!(np, Part::I | Part::L) && !(last && np == Part::I)
        }
        (_, None) => !inside,
        (_, Some((_, np))) => !inside && (matches!(np, Part::U) || (np == Part::B && !last)),
    }
}

/// Per-document memory: labels given to capitalized words so far, the words the document also
/// writes in lower case, and the neighbours of every capitalized word's occurrences.
#[derive(Default, Clone)]
struct History {
    counts: IdMap<[u16; 4]>,
    lower_seen: IdMap<()>,
    /// Capitalized word -> its range in `neighbours`.
    around: IdMap<(u32, u32)>,
    /// (word, neighbour) pairs sorted by word: the word before each occurrence, and the word
    /// after it (marked), at most [`MAX_NEIGHBOURS`] distinct ones per word.
    neighbours: Vec<(u64, u64)>,
}

/// Most neighbours a word's context aggregation keeps.
const MAX_NEIGHBOURS: usize = 16;

impl History {
    /// A fresh history for a document, given all its tokens' hashes.
    fn new(hs: &[TokHash], sentences: &[(usize, usize)]) -> Self {
        let mut h = History::default();
        for t in hs.iter().filter(|t| !t.cap) {
            h.lower_seen.insert(t.lower, ());
        }
        // Context aggregation (Ratinov & Roth 2009): every occurrence of a capitalized word
        // sees the words around its other occurrences ("Witkoff" in a headline sees the
        // "Steve" and "said" of the story).
        let nb = &mut h.neighbours;
        for &(s, e) in sentences {
            for i in (s..e).filter(|&i| hs[i].cap) {
                let l = if i > s { hs[i - 1] } else { TokHash::start() };
                let r = if i + 1 < e { hs[i + 1] } else { TokHash::end() };
                nb.push((hs[i].lower, l.lower));
                nb.push((hs[i].lower, r.lower ^ NEXT_MARK));
            }
        }
        nb.sort_unstable();
        nb.dedup();
        let mut kept = 0;
        let mut i = 0;
        while i < nb.len() {
            let w = nb[i].0;
            let start = kept;
            while i < nb.len() && nb[i].0 == w {
                if kept - start < MAX_NEIGHBOURS {
                    nb[kept] = nb[i];
                    kept += 1;
                }
                i += 1;
            }
            h.around.insert(w, (start as u32, kept as u32));
        }
        nb.truncate(kept);
        h
    }

    /// Context-aggregation features of a capitalized word: the neighbours of all its
    /// occurrences in the document.
    fn around_features(&self, h: &TokHash, out: &mut Vec<u64>) {
        if !h.cap {
            return;
        }
        if let Some(&(a, b)) = self.around.get(&h.lower) {
            for &(_, x) in &self.neighbours[a as usize..b as usize] {
                out.push(super::features::f(super::features::tpl::AROUND, x));
            }
        }
    }

    /// All features of position `i` of a sentence given the previous two tags.
    fn features(
        &self,
        hs: &[TokHash],
        i: usize,
        case: SentCase,
        t1: usize,
        t2: usize,
        out: &mut Vec<u64>,
    ) {
        out.clear();
        self.static_part(hs, i, case, out);
        self.dynamic_features(hs, i, t1, t2, out);
    }

    /// The features of position `i` that depend neither on the tags nor on the labels given
    /// so far: the word's own and the document-level ones, appended.
    fn static_part(&self, hs: &[TokHash], i: usize, case: SentCase, out: &mut Vec<u64>) {
        static_features(hs, i, case, self.lower_elsewhere(&hs[i]), out);
        self.around_features(&hs[i], out);
    }

    /// Whether a capitalized word is also written in lower case in the document.
    fn lower_elsewhere(&self, h: &TokHash) -> bool {
        h.cap && self.lower_seen.contains_key(&h.lower)
    }

    /// The features of position `i` that change with the tags and the history, appended.
    fn dynamic_features(&self, hs: &[TokHash], i: usize, t1: usize, t2: usize, out: &mut Vec<u64>) {
        self.history_part(hs, i, out);
        tag_features(hs, i, t1, t2, out);
    }

    /// The history features of position `i`, appended.
    fn history_part(&self, hs: &[TokHash], i: usize, out: &mut Vec<u64>) {
        let hn = hs.get(i + 1).and_then(|h| self.get(h));
        history_features(&hs[i], self.get(&hs[i]), hn, out);
    }

    fn get(&self, h: &TokHash) -> Option<u64> {
        if !h.cap {
            return None;
        }
        let c = self.counts.get(&h.lower)?;
        let (best, n) = c.iter().enumerate().max_by_key(|&(_, n)| *n)?;
        (*n > 0).then_some(best as u64 + 1)
    }

    fn add(&mut self, hs: &[TokHash], tags: &[usize]) {
        for (h, &t) in hs.iter().zip(tags) {
            if let Some((label, _)) = tag_parts(t) {
                if h.cap {
                    let e = self.counts.entry(h.lower).or_default();
                    e[label.index()] = e[label.index()].saturating_add(1);
                }
            }
        }
    }
}

/// One greedy left-to-right pass over a document, as training runs it. `step` gets a token's
/// features and its position in the document, and returns the tag chosen. Where `unknown`
/// says so (word dropout), the token's features are computed as if the word itself were
/// unknown. Tagging computes the same features in [`Model::tag`] and [`Model::pass`].
fn greedy_document(
    words: &[&str],
    sentences: &[(usize, usize)],
    tables: &WordTables,
    mut unknown: impl FnMut() -> bool,
    mut step: impl FnMut(&[u64], usize) -> usize,
) {
    let mut hs: Vec<TokHash> = words
        .iter()
        .map(|w| TokHash::new(w, &tables.clusters, &tables.gazetteer))
        .collect();
    let mut hist = History::new(&hs, sentences);
    let mut tags = vec![O; words.len()];
    let mut feats = Vec::with_capacity(80);
    for &(s, e) in sentences {
        let sh = &mut hs[s..e];
        let case = SentCase::of(&words[s..e]);
        let (mut t1, mut t2) = (O, O);
        for i in 0..sh.len() {
            if unknown() {
                // Training hides the word: the features must tag it from the rest.
                let known = sh[i];
                sh[i].lower = UNKNOWN_WORD;
                sh[i].exact = UNKNOWN_WORD;
                hist.features(sh, i, case, t1, t2, &mut feats);
                sh[i] = known;
            } else {
                hist.features(sh, i, case, t1, t2, &mut feats);
            }
            let t = step(&feats, s + i);
            tags[s + i] = t;
            t2 = t1;
            t1 = t;
        }
        hist.add(sh, &tags[s..e]);
    }
}

/// Marks a right neighbour in context aggregation (left ones are unmarked).
const NEXT_MARK: u64 = 0x5555_0000;

/// The word hash a token gets when training hides its identity.
const UNKNOWN_WORD: u64 = 0x0dd_ba11;

/// The word tables the features look words up in: clusters and gazetteer.
#[derive(Clone, Default)]
pub struct WordTables {
    /// Word clusters.
    pub clusters: Clusters,
    /// Gazetteer bits.
    pub gazetteer: Gazetteer,
}

/// A trained model: feature hash to a row of `N_TAGS` weights, and the word tables its
/// features use. Weights stay 16-bit in memory, as in the file (`weight = q * scale`): half
/// the cache footprint of `f32`, and the same scores as dequantizing them at load.
#[derive(Clone, Default)]
pub struct Model {
    index: IdMap<u32>,
    weights: Vec<i16>,
    scale: f32,
    tables: Arc<WordTables>,
    /// Softmax temperature that calibrates scores into confidences (fit on dev).
    temperature: f32,
}

const MAGIC: &[u8; 8] = b"WSNERv3\0";

/// A fingerprint of the built-in word tables (clusters and gazetteer), stored in models trained
/// with them.
fn tables_fingerprint() -> u64 {
    let fold = |b: &[u8]| {
        b.iter()
            .fold(0u64, |h, &x| crate::learn::hash::mix(h, x as u64))
    };
    crate::learn::hash::hash_str(
        &format!(
            "{}:{:x}:{}:{:x}",
            DEFAULT_CLUSTERS.len(),
            fold(DEFAULT_CLUSTERS),
            DEFAULT_GAZETTEER.len(),
            fold(DEFAULT_GAZETTEER)
        ),
        false,
    )
}

fn builtin_tables() -> Result<Arc<WordTables>> {
    static CACHE: std::sync::OnceLock<Option<Arc<WordTables>>> = std::sync::OnceLock::new();
    CACHE
        .get_or_init(|| {
            Some(Arc::new(WordTables {
                clusters: Clusters::builtin().ok()?,
                gazetteer: Gazetteer::builtin().ok()?,
            }))
        })
        .clone()
        .context("the built-in word-cluster table or gazetteer is corrupt")
}

/// One hypothesis of the beam: its total score, its last tag, the hypothesis of the previous
/// position it extends, and the softmax probability of its last tag.
#[derive(Clone, Copy)]
struct Hyp {
    score: f32,
    tag: u8,
    back: u32,
    prob: f32,
}

impl Hyp {
    /// An empty slot of the beam.
    const NONE: Hyp = Hyp {
        score: f32::NEG_INFINITY,
        tag: 0,
        back: 0,
        prob: 0.0,
    };
}

/// Beam width of the tagger. Two keeps the runner-up of every step, which lets a tag be
/// chosen for what it allows next (a `B-` that needs its `L-`); on eng.testa it gained about a
/// point of F1 over greedy tagging, and wider beams scored lower than two.
const BEAM_WIDTH: usize = 2;

impl Model {
    /// A model from `f32` weights, quantized to 16 bits with one scale (the largest weight
    /// maps to 32767).
    fn quantized(index: IdMap<u32>, weights: &[f32], tables: Arc<WordTables>) -> Model {
        let max = weights.iter().fold(0f32, |m, w| m.max(w.abs())).max(1e-9);
        let scale = max / 32767.0;
        Model {
            index,
            weights: weights
                .iter()
                .map(|w| (w / scale).round().clamp(-32767.0, 32767.0) as i16)
                .collect(),
            scale,
            tables,
            temperature: 1.0,
        }
    }

    /// Number of features with weights.
    pub fn n_features(&self) -> usize {
        self.index.len()
    }

    fn score(&self, feats: &[u64], out: &mut [f32; N_TAGS]) {
        out.fill(0.0);
        for f in feats {
            if let Some(&row) = self.index.get(f) {
                let w = &self.weights[row as usize * N_TAGS..(row as usize + 1) * N_TAGS];
                for (o, &q) in out.iter_mut().zip(w) {
                    *o += q as f32 * self.scale;
                }
            }
        }
    }

    /// Tags a document (words and sentence ranges). Returns the tag of every token and the
    /// probability the model gave it.
    pub fn tag(&self, words: &[&str], sentences: &[(usize, usize)]) -> (Vec<usize>, Vec<f32>) {
        self.tag_counted(words, sentences, &mut 0)
    }

    /// [`Model::tag`], adding to `work` the weight rows it looks up (its unit of work).
    pub fn tag_counted(
        &self,
        words: &[&str],
        sentences: &[(usize, usize)],
        work: &mut u64,
    ) -> (Vec<usize>, Vec<f32>) {
        let cased = truecase(words, sentences, &self.tables.clusters);
        let words: &[&str] = &cased
            .iter()
            .zip(words)
            .map(|(c, w)| c.as_deref().unwrap_or(w))
            .collect::<Vec<&str>>();
        // Two passes: the second one's document history starts with the first one's labels of
        // every mention, later ones included, so a name's first mention can learn from its
        // later, clearer ones ("Witkoff" in a headline, "Steve Witkoff" below). The static
        // features' scores are computed once and serve both passes.
        let hs: Vec<TokHash> = words
            .iter()
            .map(|w| TokHash::new(w, &self.tables.clusters, &self.tables.gazetteer))
            .collect();
        let mut feats = Vec::with_capacity(80);
        let mut fixed = vec![[0f32; N_TAGS]; words.len()];
        let fresh = History::new(&hs, sentences);
        for &(s, e) in sentences {
            let case = SentCase::of(&words[s..e]);
            for i in 0..e - s {
                feats.clear();
                fresh.static_part(&hs[s..e], i, case, &mut feats);
                self.score(&feats, &mut fixed[s + i]);
                *work += feats.len() as u64;
            }
        }
        let (first, _) = self.pass(&hs, sentences, &fixed, fresh.clone(), None, false, work);
        let (mut tags, probs) = self.pass(&hs, sentences, &fixed, fresh, Some(&first), true, work);
        repair_document(words, &mut tags, sentences);
        (tags, probs)
    }

    /// One beam-search pass over a document whose static scores are `fixed`, starting from the
    /// document's fresh history `hist`; `prior`, an earlier pass's tags, seeds it with every
    /// mention's label. Returns the tags and their probabilities.
    #[allow(clippy::too_many_arguments)]
    fn pass(
        &self,
        hs: &[TokHash],
        sentences: &[(usize, usize)],
        fixed: &[[f32; N_TAGS]],
        mut hist: History,
        prior: Option<&[usize]>,
        want_probs: bool,
        work: &mut u64,
    ) -> (Vec<usize>, Vec<f32>) {
        if let Some(prior) = prior {
            for &(s, e) in sentences {
                hist.add(&hs[s..e], &prior[s..e]);
            }
        }
        let mut tags = vec![O; hs.len()];
        let mut probs = vec![1.0f32; hs.len()];
        let mut feats = Vec::with_capacity(16);
        let mut token = [0f32; N_TAGS];
        // The beam: per position, up to `BEAM_WIDTH` hypotheses, each pointing back to the one
        // it extends. Buffers are reused across sentences.
        let mut lattice: Vec<Hyp> = Vec::new();
        // Per hypothesis of the previous position: the scores it gives this token's tags.
        let mut state_scores = [[0f32; N_TAGS]; BEAM_WIDTH];
        for &(s, e) in sentences {
            let sh = &hs[s..e];
            lattice.clear();
            let mut prev: std::ops::Range<usize> = 0..0;
            for i in 0..sh.len() {
                let last = i + 1 == sh.len();
                // The scores that do not depend on the previous tags: static and history.
                feats.clear();
                hist.history_part(sh, i, &mut feats);
                self.score(&feats, &mut token);
                *work += feats.len() as u64;
                for (o, x) in token.iter_mut().zip(&fixed[s + i]) {
                    *o += x;
                }
                let starts = if i == 0 { 0..1 } else { prev.clone() };
                let mut kept = [Hyp::NONE; BEAM_WIDTH];
                for (j, k) in starts.enumerate() {
                    let (base, t1, t2) = if i == 0 {
                        (0.0, O, O)
                    } else {
                        let h = &lattice[k];
                        let t2 = if i >= 2 {
                            lattice[h.back as usize].tag as usize
                        } else {
                            O
                        };
                        (h.score, h.tag as usize, t2)
                    };
                    feats.clear();
                    tag_features(sh, i, t1, t2, &mut feats);
                    let scores = &mut state_scores[j];
                    self.score(&feats, scores);
                    *work += feats.len() as u64;
                    for (o, x) in scores.iter_mut().zip(&token) {
                        *o += x;
                    }
                    for (t, &sc) in scores.iter().enumerate() {
                        if !allowed(t1, t, last) {
                            continue;
                        }
                        // Keep the best `BEAM_WIDTH`; ties go to the earlier candidate, so a
                        // width of one is the greedy tagger.
                        let cand = Hyp {
                            score: base + sc,
                            tag: t as u8,
                            back: k as u32,
                            prob: 0.0,
                        };
                        if let Some(at) = kept.iter().position(|h| cand.score > h.score) {
                            kept.copy_within(at..BEAM_WIDTH - 1, at + 1);
                            kept[at] = cand;
                        }
                    }
                }
                let start = lattice.len();
                for mut h in kept.into_iter().take_while(|h| h.score > f32::NEG_INFINITY) {
                    if want_probs {
                        // Softmax over the tags its state allows gives the token's confidence.
                        let (j, t1) = if i == 0 {
                            (0, O)
                        } else {
                            let k = h.back as usize;
                            (k - prev.start, lattice[k].tag as usize)
                        };
                        let scores = &state_scores[j];
                        let own = scores[h.tag as usize];
                        let mut z = 0f32;
                        for (t, &sc) in scores.iter().enumerate() {
                            if allowed(t1, t, last) {
                                z += ((sc - own) / self.temperature).exp();
                            }
                        }
                        h.prob = 1.0 / z;
                    }
                    lattice.push(h);
                }
                prev = start..lattice.len();
            }
            // Follow the best final hypothesis back.
            let mut k = prev.start;
            for i in (0..sh.len()).rev() {
                let h = lattice[k];
                tags[s + i] = h.tag as usize;
                probs[s + i] = h.prob;
                k = h.back as usize;
            }
            hist.add(sh, &tags[s..e]);
        }
        (tags, probs)
    }

    /// Writes the model: feature keys and i16-quantized weights.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut keys: Vec<(u64, u32)> = self.index.iter().map(|(&k, &v)| (k, v)).collect();
        keys.sort_unstable();
        let scale = self.scale;
        let mut buf = Vec::with_capacity(16 + keys.len() * (8 + 2 * N_TAGS));
        buf.extend_from_slice(MAGIC);
        buf.extend_from_slice(&(N_TAGS as u32).to_le_bytes());
        buf.extend_from_slice(&scale.to_le_bytes());
        buf.extend_from_slice(&self.temperature.to_le_bytes());
        buf.extend_from_slice(&tables_fingerprint().to_le_bytes());
        buf.extend_from_slice(&(keys.len() as u64).to_le_bytes());
        for (k, _) in &keys {
            buf.extend_from_slice(&k.to_le_bytes());
        }
        for (_, row) in &keys {
            let r = *row as usize;
            for q in &self.weights[r * N_TAGS..(r + 1) * N_TAGS] {
                buf.extend_from_slice(&q.to_le_bytes());
            }
        }
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, &buf).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
        Ok(())
    }

    /// Reads a model written by [`Model::save`].
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        if b.len() < 36 || &b[..8] != MAGIC {
            bail!("not a whosaid NER model of this version (bad header)");
        }
        let n_tags = u32::from_le_bytes(b[8..12].try_into()?) as usize;
        if n_tags != N_TAGS {
            bail!("model has {n_tags} tags, this build expects {N_TAGS}");
        }
        let scale = f32::from_le_bytes(b[12..16].try_into()?);
        let temperature = f32::from_le_bytes(b[16..20].try_into()?);
        if !(temperature.is_finite() && temperature > 0.0) {
            bail!("model has an invalid temperature");
        }
        let fp = u64::from_le_bytes(b[20..28].try_into()?);
        if fp != tables_fingerprint() {
            bail!("model was trained with other word clusters or gazetteer; retrain it with `whosaid train ner`");
        }
        let b = &b[12..];
        let n = u64::from_le_bytes(b[16..24].try_into()?) as usize;
        let need = n
            .checked_mul(8 + 2 * N_TAGS)
            .and_then(|x| x.checked_add(24))
            .context("model size overflows")?;
        if b.len() != need {
            bail!(
                "model file is truncated or corrupt ({} bytes, expected {need})",
                b.len()
            );
        }
        let mut index = IdMap::default();
        index.reserve(n);
        let keys = &b[24..24 + 8 * n];
        for (row, k) in keys.chunks_exact(8).enumerate() {
            index.insert(u64::from_le_bytes(k.try_into()?), row as u32);
        }
        if !(scale.is_finite() && scale > 0.0) {
            bail!("model has an invalid weight scale");
        }
        let weights = b[24 + 8 * n..]
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        Ok(Model {
            index,
            weights,
            scale,
            tables: builtin_tables()?,
            temperature,
        })
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<Self> {
        let b = std::fs::read(path).with_context(|| format!("reading model {}", path.display()))?;
        Self::from_bytes(&b).with_context(|| format!("loading model {}", path.display()))
    }
}

/// Lower-case words inside names ("Mohammed bin Salman", "Ursula von der Leyen").
const NAME_PARTICLES: &[&str] = &["bin", "al", "de", "van", "von", "der", "ibn"];

fn capitalized(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// Words that title a person and are not part of the name ("Crown Prince Mohammed bin
/// Salman" is PER "Mohammed bin Salman" by CoNLL's conventions).
const TITLES: &[&str] = &[
    "President",
    "Prince",
    "Princess",
    "King",
    "Queen",
    "Minister",
    "Secretary",
    "Advisor",
    "Adviser",
    "Chancellor",
    "Senator",
    "Sen.",
    "Governor",
    "Gov.",
    "General",
    "Gen.",
    "Envoy",
    "Director",
    "Chairman",
    "Chairwoman",
    "Ambassador",
    "Premier",
    "Mayor",
    "Judge",
    "Justice",
    "Representative",
    "Rep.",
    "Speaker",
    "Pope",
    "Sheikh",
    "Emir",
    "Commissioner",
    "Spokesman",
    "Spokeswoman",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Prof.",
    "Lt.",
    "Col.",
    "Capt.",
    "Sgt.",
];

/// Document-level repairs of the tagger's output, by chunk:
/// - a possessive ("'s") never ends a name;
/// - a name after a title is a person ("... Security Advisor Rustem Umerov" -> "Rustem Umerov");
/// - a word that is the surname of a person named in full elsewhere in the document is that
///   person ("Umerov", "Witkoff"), whatever the tagger said.
fn repair_document(words: &[&str], tags: &mut [usize], sentences: &[(usize, usize)]) {
    let mut chunks = predicted_chunks(tags, sentences);
    for c in &mut chunks {
        while c.1 > c.0 + 1 && matches!(words[c.1 - 1], "'s" | "\u{2019}s" | "'" | "\u{2019}") {
            c.1 -= 1;
        }
        // A month or weekday does not open a name ("[August National Association of
        // Purchasing Management]" -> "August [National ...]"), unless it may be a first name.
        if c.1 > c.0 + 1 && c.2 != Label::Per && CALENDAR.contains(&words[c.0]) {
            c.0 += 1;
        }
        if let Some(t) = (c.0..c.1).rev().find(|&k| TITLES.contains(&words[k])) {
            let rest = t + 1..c.1;
            if !rest.is_empty()
                && rest.len() <= 4
                && words[rest.clone()]
                    .iter()
                    .all(|w| capitalized(w) || NAME_PARTICLES.contains(w))
            {
                *c = (t + 1, c.1, Label::Per);
            }
        }
    }
    // The end of the sentence holding token `i` (sentences are sorted and disjoint).
    let sentence_end = |i: usize| {
        let k = sentences.partition_point(|s| s.1 <= i);
        sentences.get(k).map_or(words.len(), |s| s.1)
    };
    // A chunk that ends in a title, then a name that the tagger split: "[Saudi Crown
    // Prince]LOC Mohammed bin [Salman]PER" -> "[Mohammed bin Salman]PER".
    let mut k = 0;
    while k < chunks.len() {
        let c = chunks[k];
        if c.2 != Label::Per && TITLES.contains(&words[c.1 - 1]) {
            let end = sentence_end(c.0);
            let mut j = c.1;
            while j < end
                && j - c.1 < 4
                && (capitalized(words[j]) || NAME_PARTICLES.contains(&words[j]))
            {
                j += 1;
            }
            while j > c.1 && !capitalized(words[j - 1]) {
                j -= 1;
            }
            let after: Vec<usize> = (k + 1..chunks.len())
                .take_while(|&m| chunks[m].0 < j)
                .collect();
            if !after.is_empty()
                && after
                    .iter()
                    .all(|&m| chunks[m].2 == Label::Per && chunks[m].1 <= j)
            {
                chunks.drain(k + 1..k + 1 + after.len());
                chunks[k] = (c.1, j, Label::Per);
            }
        }
        k += 1;
    }
    // Two parts of one name around a particle: "[Mohammed]PER bin [Salman]PER".
    let mut k = 0;
    while k + 1 < chunks.len() {
        let (a, b) = (chunks[k], chunks[k + 1]);
        if a.2 == Label::Per
            && b.2 == Label::Per
            && b.0 > a.1
            && b.0 - a.1 <= 2
            && words[a.1..b.0].iter().all(|w| NAME_PARTICLES.contains(w))
            && b.1 <= sentence_end(a.0)
        {
            chunks[k] = (a.0, b.1, Label::Per);
            chunks.remove(k + 1);
        } else {
            k += 1;
        }
    }
    let surnames: std::collections::HashSet<&str> = chunks
        .iter()
        .filter(|c| c.2 == Label::Per && c.1 - c.0 >= 2)
        .map(|c| words[c.1 - 1])
        .filter(|w| w.chars().count() > 2)
        .collect();
    if !surnames.is_empty() {
        let mut covered = vec![false; words.len()];
        for c in &mut chunks {
            if c.1 - c.0 == 1 && surnames.contains(words[c.0]) {
                c.2 = Label::Per;
            }
            covered[c.0..c.1].iter_mut().for_each(|x| *x = true);
        }
        for &(s, e) in sentences {
            for i in s + 1..e {
                if !covered[i] && surnames.contains(words[i]) {
                    chunks.push((i, i + 1, Label::Per));
                }
            }
        }
    }
    tags.iter_mut().for_each(|t| *t = O);
    for (a, b, l) in chunks {
        if b - a == 1 {
            tags[a] = tag_id(l, Part::U);
        } else {
            tags[a] = tag_id(l, Part::B);
            tags[a + 1..b - 1]
                .iter_mut()
                .for_each(|t| *t = tag_id(l, Part::I));
            tags[b - 1] = tag_id(l, Part::L);
        }
    }
}

/// Lower-cases the ordinary words of a title-case headline ("It Has Become Known How Trump
/// Had ..."), so that capitals there mean what they mean in prose. A word is lowered when the
/// document writes it in lower case elsewhere, or when it is a known lower-case word that the
/// document never capitalizes inside a sentence. Returns the replacement of each word, if any.
fn truecase(
    words: &[&str],
    sentences: &[(usize, usize)],
    clusters: &Clusters,
) -> Vec<Option<String>> {
    let mut out = vec![None; words.len()];
    let cases: Vec<SentCase> = sentences
        .iter()
        .map(|&(s, e)| SentCase::of(&words[s..e]))
        .collect();
    // Only a headline: the document's first sentence, in title case, of four words or more.
    if cases.first() != Some(&SentCase::Title) || sentences[0].1 - sentences[0].0 < 4 {
        return out;
    }
    let mut lower_seen: IdMap<()> = IdMap::default();
    let mut cap_inside: IdMap<()> = IdMap::default();
    for (&(s, e), case) in sentences.iter().zip(&cases) {
        for (k, w) in words[s..e].iter().enumerate() {
            let first = w.chars().next().unwrap_or(' ');
            if first.is_lowercase() {
                lower_seen.insert(crate::learn::hash::hash_str(w, true), ());
            } else if first.is_uppercase() && k > 0 && *case == SentCase::Normal {
                cap_inside.insert(crate::learn::hash::hash_str(w, true), ());
            }
        }
    }
    {
        let (s, e) = sentences[0];
        for i in s..e {
            let w = words[i];
            if !w.chars().next().is_some_and(char::is_uppercase)
                || w.chars().skip(1).any(char::is_uppercase)
            {
                continue;
            }
            let h = crate::learn::hash::hash_str(w, true);
            if lower_seen.contains_key(&h) || (!cap_inside.contains_key(&h) && clusters.knows(h)) {
                out[i] = Some(w.to_lowercase());
            }
        }
    }
    out
}

/// Month and weekday names, which open no multi-word name in CoNLL-2003's training data but
/// one ("Sunday Bada", a person).
const CALENDAR: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Entities from a tag sequence over a document's tokens.
fn entities_from_tags(doc: &Doc, tags: &[usize], probs: &[f32]) -> Vec<Entity> {
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
pub static DEFAULT_MODEL: &[u8] = include_bytes!("../../models/ner-conll2003.bin");

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
        // Quote marks never belong to a name.
        for (t, tok) in tags.iter_mut().zip(&doc.tokens) {
            if tok.kind == TokenKind::Quote && *t != O {
                *t = O;
            }
        }
        let mut ents = entities_from_tags(doc, &repair(&tags), &probs);
        ents.retain(|e| {
            doc.tokens[e.tok_start..e.tok_end]
                .iter()
                .any(|t| t.kind == TokenKind::Word)
        });
        Ok(ents)
    }
}

/// Most tokens the tagger sees as one document (about 300 KB of news text, far longer than
/// any article); longer documents are tagged window by window.
pub const MAX_WINDOW_TOKENS: usize = 50_000;

/// Consecutive runs of whole sentences, as `[first, end)` sentence index ranges, each of at
/// most `max` tokens unless one sentence alone is longer.
fn windows(sentences: &[(usize, usize)], max: usize) -> Vec<(usize, usize)> {
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
fn repair(tags: &[usize]) -> Vec<usize> {
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

/// BILOU tags of a CoNLL document's gold chunks.
fn gold_bilou(doc: &ConllDoc) -> Vec<usize> {
    let mut tags = vec![O; doc.words.len()];
    for &(ss, se) in &doc.sentences {
        for (s, e, l) in chunks(&doc.gold[ss..se]) {
            let (s, e) = (ss + s, ss + e);
            if e - s == 1 {
                tags[s] = tag_id(l, Part::U);
            } else {
                tags[s] = tag_id(l, Part::B);
                for t in &mut tags[s + 1..e - 1] {
                    *t = tag_id(l, Part::I);
                }
                tags[e - 1] = tag_id(l, Part::L);
            }
        }
    }
    tags
}

/// Chunks of predicted BILOU tags, per sentence, as document-level ranges.
pub fn predicted_chunks(
    tags: &[usize],
    sentences: &[(usize, usize)],
) -> Vec<(usize, usize, Label)> {
    let mut out = Vec::new();
    for &(s, e) in sentences {
        let names: Vec<&str> = tags[s..e].iter().map(|&t| BILOU_NAMES[t]).collect();
        out.extend(
            chunks(&names)
                .into_iter()
                .map(|(a, b, l)| (s + a, s + b, l)),
        );
    }
    out
}

/// IOB2 tag names for predicted BILOU tags (for `whosaid tag --conll`).
pub fn iob2_names(tags: &[usize]) -> Vec<&'static str> {
    const NAMES: [&str; 9] = [
        "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
    ];
    tags.iter()
        .map(|&t| match tag_parts(t) {
            None => NAMES[0],
            Some((l, Part::B | Part::U)) => NAMES[1 + 2 * l.index()],
            Some((l, _)) => NAMES[2 + 2 * l.index()],
        })
        .collect()
}

/// Training options.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Passes over the training data.
    pub epochs: usize,
    /// Seed for the shuffling of documents.
    pub seed: u64,
    /// Train again on train and dev together for the epoch count chosen on dev.
    pub refit: bool,
    /// Share of training tokens (drawn at random each time) whose word identity is hidden
    /// from their features, so that the model learns to tag from context, shape, clusters and
    /// gazetteer as it must for words it never saw.
    pub word_dropout: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 20,
            seed: 7,
            refit: false,
            word_dropout: 0.1,
        }
    }
}

struct Trainer {
    tables: Arc<WordTables>,
    weights: Averaged,
    golds: Vec<Vec<usize>>,
    order: Vec<usize>,
    rng: u64,
    drop_rng: u64,
    /// Share of tokens whose identity is hidden from the features (see [`TrainOptions`]).
    word_dropout: f64,
}

impl Trainer {
    fn new(docs: &[ConllDoc], opts: &TrainOptions) -> Result<Self> {
        let seed = opts.seed;
        Ok(Trainer {
            tables: builtin_tables()?,
            weights: Averaged::new(N_TAGS),
            golds: docs.iter().map(gold_bilou).collect(),
            order: (0..docs.len()).collect(),
            rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            drop_rng: seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1,
            word_dropout: opts.word_dropout,
        })
    }

    /// One pass over `docs` (the documents the trainer was made with) in a new random order.
    fn epoch(&mut self, docs: &[ConllDoc]) {
        shuffle(&mut self.order, &mut self.rng);
        for k in 0..self.order.len() {
            let d = self.order[k];
            let gold = std::mem::take(&mut self.golds[d]);
            self.train_doc(&docs[d], &gold);
            self.golds[d] = gold;
        }
    }

    fn averaged(&self) -> Model {
        let weights = self.weights.averaged_rows();
        // Drop features whose averaged weights are all small next to the largest weight.
        let max = weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let floor = max * PRUNE_FLOOR;
        let mut index = IdMap::default();
        let mut kept = Vec::new();
        for (&k, &r) in self.weights.current().0 {
            let row = &weights[r as usize * N_TAGS..(r as usize + 1) * N_TAGS];
            if row.iter().any(|w| w.abs() > floor) {
                index.insert(k, (kept.len() / N_TAGS) as u32);
                kept.extend_from_slice(row);
            }
        }
        Model::quantized(index, &kept, self.tables.clone())
    }

    fn model_view(&self) -> Model {
        let (index, w) = self.weights.current();
        Model::quantized(index.clone(), w, self.tables.clone())
    }

    /// One greedy pass over a document with the current weights, updating wherever the gold
    /// tag does not win by a margin.
    fn train_doc(&mut self, doc: &ConllDoc, gold: &[usize]) {
        let words: Vec<&str> = doc.words.iter().map(|s| s.as_str()).collect();
        let cased = truecase(&words, &doc.sentences, &self.tables.clusters);
        let words: Vec<&str> = cased
            .iter()
            .zip(&words)
            .map(|(c, w)| c.as_deref().unwrap_or(w))
            .collect();
        let tables = self.tables.clone();
        let mut scores = [0f32; N_TAGS];
        let drop = self.word_dropout;
        let mut rng = self.drop_rng;
        let unknown = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            ((rng >> 11) as f64 / (1u64 << 53) as f64) < drop
        };
        greedy_document(&words, &doc.sentences, &tables, unknown, |feats, pos| {
            scores.fill(0.0);
            self.weights.score(feats, &mut scores);
            self.weights.tick();
            // Passive-aggressive update (Crammer et al. 2006): against the highest-scoring
            // wrong tag, whenever gold does not beat it by a margin of one, with the
            // smallest step that would make it do so.
            let g = gold[pos];
            let mut rival = O;
            let mut rival_s = f32::NEG_INFINITY;
            for (t, &sc) in scores.iter().enumerate() {
                if t != g && sc > rival_s {
                    rival = t;
                    rival_s = sc;
                }
            }
            // The tag predicted (the first of the highest), which the history records.
            let best = if scores[g] > rival_s || (scores[g] == rival_s && g < rival) {
                g
            } else {
                rival
            };
            let loss = rival_s - scores[g] + 1.0;
            if loss > 0.0 {
                self.weights
                    .update(feats, g, rival, loss / (2.0 * feats.len() as f32));
            }
            best
        });
        self.drop_rng = rng;
    }
}

/// Features whose weights all stay below this share of the model's largest weight are
/// dropped from the saved model: at 1% the model keeps about 110,000 features of 170,000 with
/// the same eng.testa F1 (at 5%, 0.3 less).
const PRUNE_FLOOR: f32 = 0.01;

/// Scores a model on CoNLL documents: (true positives, predicted, gold) chunk counts.
pub fn evaluate(model: &Model, docs: &[ConllDoc]) -> (usize, usize, usize) {
    use rayon::prelude::*;
    docs.par_iter()
        .map(|d| {
            let words: Vec<&str> = d.words.iter().map(|s| s.as_str()).collect();
            let (tags, _) = model.tag(&words, &d.sentences);
            let pred = predicted_chunks(&repair(&tags), &d.sentences);
            let mut gold = Vec::new();
            for &(s, e) in &d.sentences {
                gold.extend(
                    chunks(&d.gold[s..e])
                        .into_iter()
                        .map(|(a, b, l)| (s + a, s + b, l)),
                );
            }
            prf(&gold, &pred)
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2))
}

/// Trains on `train`, keeps the epoch with the best F1 on `dev`, and reports progress through
/// `log`. Deterministic for a given seed.
pub fn train(
    train: &ConllFile,
    dev: &ConllFile,
    opts: &TrainOptions,
    mut log: impl FnMut(&str),
) -> Result<(Model, f64)> {
    if train.docs.is_empty() {
        bail!("the training file has no documents");
    }
    let mut best: Option<(Model, f64, usize)> = None;
    let mut t = Trainer::new(&train.docs, opts)?;
    for epoch in 1..=opts.epochs {
        t.epoch(&train.docs);
        let avg = t.averaged();
        let dev_f1 = f1(evaluate(&avg, &dev.docs));
        let raw_f1 = f1(evaluate(
            &t.model_view(),
            &dev.docs[..dev.docs.len().min(20)],
        ));
        log(&format!(
            "epoch {epoch}: {} features, dev F1 {dev_f1:.2} (averaged), {raw_f1:.2} (raw, first 20 docs)",
            avg.n_features()
        ));
        if best.as_ref().is_none_or(|(_, f, _)| dev_f1 > *f) {
            best = Some((avg, dev_f1, epoch));
        }
    }
    let (mut model, f1, best_epoch) = best.expect("at least one epoch");
    // Calibrate: the temperature whose entity confidences best predict correctness on dev.
    let mut best_t = (f64::INFINITY, 1.0f32);
    // Scores' scale depends on the training: search 1/128 to 128 in steps of 2^(1/2).
    for k in -14..=14 {
        let t = 2f32.powf(k as f32 / 2.0);
        model.temperature = t;
        let pairs = entity_confidences(&model, &dev.docs);
        let brier = pairs
            .iter()
            .map(|&(p, ok)| (p as f64 - ok as u8 as f64).powi(2))
            .sum::<f64>()
            / pairs.len().max(1) as f64;
        if brier < best_t.0 {
            best_t = (brier, t);
        }
    }
    model.temperature = best_t.1;
    let pairs = entity_confidences(&model, &dev.docs);
    log(&format!(
        "temperature {} (Brier {:.4}); calibration on dev:",
        best_t.1, best_t.0
    ));
    log(&calibration_table(&pairs));
    if opts.refit {
        let all: Vec<ConllDoc> = train.docs.iter().chain(&dev.docs).cloned().collect();
        let mut t = Trainer::new(&all, opts)?;
        for _ in 0..best_epoch {
            t.epoch(&all);
        }
        let temperature = model.temperature;
        model = t.averaged();
        model.temperature = temperature;
        log(&format!(
            "refit on train + dev ({} documents) for {best_epoch} epochs: {} features",
            all.len(),
            model.n_features()
        ));
    }
    Ok((model, f1))
}

/// Each predicted entity's confidence and whether it is right (span and type), over `docs`.
pub fn entity_confidences(model: &Model, docs: &[ConllDoc]) -> Vec<(f32, bool)> {
    use rayon::prelude::*;
    docs.par_iter()
        .flat_map_iter(|d| {
            let words: Vec<&str> = d.words.iter().map(|s| s.as_str()).collect();
            let (tags, probs) = model.tag(&words, &d.sentences);
            let mut gold = std::collections::HashSet::new();
            for &(s, e) in &d.sentences {
                gold.extend(
                    chunks(&d.gold[s..e])
                        .into_iter()
                        .map(|(a, b, l)| (s + a, s + b, l)),
                );
            }
            predicted_chunks(&tags, &d.sentences)
                .into_iter()
                .map(|c| {
                    let p = probs[c.0..c.1].iter().sum::<f32>() / (c.1 - c.0) as f32;
                    (p, gold.contains(&c))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A table of accuracy by confidence bucket.
pub fn calibration_table(pairs: &[(f32, bool)]) -> String {
    let edges = [0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.01];
    let mut out = String::from("confidence     entities  accuracy\n");
    for w in edges.windows(2) {
        let sel: Vec<&(f32, bool)> = pairs
            .iter()
            .filter(|(p, _)| *p >= w[0] && *p < w[1])
            .collect();
        if sel.is_empty() {
            continue;
        }
        let acc = sel.iter().filter(|(_, ok)| *ok).count() as f64 / sel.len() as f64;
        out.push_str(&format!(
            "[{:.2}, {:.2})  {:>8}  {:>7.1}%\n",
            w[0],
            w[1].min(1.0),
            sel.len(),
            100.0 * acc
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_documents_are_cut_into_windows_of_whole_sentences() {
        let sents = [(0, 4), (4, 9), (9, 10), (10, 30), (30, 31)];
        assert_eq!(windows(&sents, 10), vec![(0, 3), (3, 4), (4, 5)]);
        assert_eq!(windows(&sents, 100), vec![(0, 5)]);
        assert!(windows(&[], 10).is_empty());
    }

    #[test]
    fn tag_names_follow_ids() {
        for t in 1..N_TAGS {
            let (l, p) = tag_parts(t).unwrap();
            assert_eq!(tag_name(t), format!("{:?}-{}", p, l.as_str()));
        }
        assert_eq!(tag_name(O), "O");
    }

    #[test]
    fn transitions() {
        let bper = tag_id(Label::Per, Part::B);
        let iper = tag_id(Label::Per, Part::I);
        let lper = tag_id(Label::Per, Part::L);
        let uorg = tag_id(Label::Org, Part::U);
        assert!(allowed(O, bper, false));
        assert!(!allowed(O, bper, true));
        assert!(!allowed(O, iper, false));
        assert!(allowed(bper, iper, false));
        assert!(!allowed(bper, iper, true));
        assert!(allowed(bper, lper, true));
        assert!(!allowed(bper, O, false));
        assert!(allowed(lper, uorg, false));
    }

    #[test]
    fn repair_mends_broken_chunks() {
        let bper = tag_id(Label::Per, Part::B);
        let lper = tag_id(Label::Per, Part::L);
        let uper = tag_id(Label::Per, Part::U);
        assert_eq!(repair(&[O, lper, O]), vec![O, uper, O]);
        assert_eq!(repair(&[bper, O]), vec![uper, O]);
        assert_eq!(
            iob2_names(&[bper, lper, uper]),
            vec!["B-PER", "I-PER", "B-PER"]
        );
    }

    #[test]
    fn document_repair_joins_a_name_split_after_a_title() {
        let words = [
            "during", "Saudi", "Crown", "Prince", "Mohammed", "bin", "Salman", "'s", "visit",
        ];
        let mut tags = vec![O; words.len()];
        tags[1] = tag_id(Label::Loc, Part::B);
        tags[2] = tag_id(Label::Loc, Part::I);
        tags[3] = tag_id(Label::Loc, Part::L);
        tags[6] = tag_id(Label::Per, Part::U);
        repair_document(&words, &mut tags, &[(0, words.len())]);
        let chunks = predicted_chunks(&tags, &[(0, words.len())]);
        assert_eq!(chunks, vec![(4, 7, Label::Per)]);
        // Or cut it at the particle.
        let mut tags = vec![O; words.len()];
        tags[4] = tag_id(Label::Per, Part::U);
        tags[6] = tag_id(Label::Per, Part::U);
        repair_document(&words, &mut tags, &[(0, words.len())]);
        let chunks = predicted_chunks(&tags, &[(0, words.len())]);
        assert_eq!(chunks, vec![(4, 7, Label::Per)]);
        // A place before a person is left alone when no title ends it.
        let words = ["in", "Riyadh", "Mohammed", "Salman", "said"];
        let mut tags = vec![O; words.len()];
        tags[1] = tag_id(Label::Loc, Part::U);
        tags[2] = tag_id(Label::Per, Part::B);
        tags[3] = tag_id(Label::Per, Part::L);
        repair_document(&words, &mut tags, &[(0, words.len())]);
        let chunks = predicted_chunks(&tags, &[(0, words.len())]);
        assert_eq!(chunks, vec![(1, 2, Label::Loc), (2, 4, Label::Per)]);
    }

    #[test]
    fn document_repair_drops_a_leading_month_but_keeps_the() {
        let words = [
            "The",
            "University",
            "of",
            "Michigan",
            "and",
            "the",
            "August",
            "Chicago",
            "NAPM",
            "at",
            "The",
            "Oval",
            "with",
            "April",
            "Ryan",
        ];
        let mut tags = vec![O; words.len()];
        let mut put = |a: usize, b: usize, l: Label| {
            tags[a] = tag_id(l, if b == a + 1 { Part::U } else { Part::B });
            for t in &mut tags[a + 1..b] {
                *t = tag_id(l, Part::I);
            }
            if b > a + 1 {
                tags[b - 1] = tag_id(l, Part::L);
            }
        };
        put(0, 4, Label::Org);
        put(6, 9, Label::Org);
        put(10, 12, Label::Loc);
        put(13, 15, Label::Per);
        let all = [(0, words.len())];
        repair_document(&words, &mut tags, &all);
        assert_eq!(
            predicted_chunks(&tags, &all),
            vec![
                (0, 4, Label::Org),
                (7, 9, Label::Org),
                (10, 12, Label::Loc),
                (13, 15, Label::Per)
            ]
        );
    }

    #[test]
    fn learns_a_toy_corpus() {
        let mut text = String::new();
        for name in ["Smith", "Jones", "Brown", "Clark"] {
            text.push_str(&format!(
                "-DOCSTART- -X- O O\n\nMr. NNP I-NP O\n{name} NNP I-NP I-PER\nvisited VBD I-VP O\nParis NNP I-NP I-LOC\n. . O O\n\n"
            ));
        }
        let f = ConllFile::parse(&text);
        let (model, dev_f1) = train(
            &f,
            &f,
            &TrainOptions {
                epochs: 5,
                seed: 1,
                refit: false,
                word_dropout: 0.0,
            },
            |_| {},
        )
        .unwrap();
        assert!(dev_f1 > 99.0, "toy F1 {dev_f1}");
        let dir = std::env::temp_dir().join(format!("whosaid-model-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("m.bin");
        model.save(&p).unwrap();
        let back = Model::load(&p).unwrap();
        assert_eq!(back.n_features(), model.n_features());
        let (tags, _) = back.tag(&["Mr.", "Jones", "visited", "Paris", "."], &[(0, 5)]);
        assert_eq!(tag_name(tags[1]), "U-PER");
        assert_eq!(tag_name(tags[3]), "U-LOC");
        assert!(Model::from_bytes(b"garbage").is_err());
        // Refit: trained again on train + dev, keeping the temperature chosen on dev.
        let opts = TrainOptions {
            epochs: 5,
            seed: 1,
            refit: true,
            word_dropout: 0.2,
        };
        let (refit, _) = train(&f, &f, &opts, |_| {}).unwrap();
        assert_eq!(refit.temperature, model.temperature);
        let (tags, _) = refit.tag(&["Mr.", "Clark", "visited", "Paris", "."], &[(0, 5)]);
        assert_eq!(tag_name(tags[1]), "U-PER");
        std::fs::remove_dir_all(&dir).ok();
    }
}
