//! The default NER model: a left-to-right linear tagger over BILOU tags with hashed lexical,
//! shape, context, previous-tag and document-level features. It is trained greedily with
//! passive-aggressive updates and weight averaging, and tags with a beam of two.
//!
//! Document history (non-local features): once a capitalized word has been tagged inside an
//! entity, later occurrences of the same word in the document see that label as a feature, so
//! "Witkoff" inherits PER from "Steve Witkoff".

mod recognizer;
mod repair;
#[cfg(test)]
mod tests;
mod train;

pub use recognizer::*;
use repair::*;
pub use train::*;

use super::clusters::{Clusters, DEFAULT_CLUSTERS};
use super::conll::{chunks, f1, prf, ConllDoc, ConllFile};
use super::features::{history_features, static_features, tag_features, SentCase, TokHash};
use super::gazetteer::{Gazetteer, DEFAULT_GAZETTEER};
use super::phrases::{Phrases, DEFAULT_PHRASES};
use super::{Entity, Label, Recognizer};
use crate::learn::shuffle;
use crate::learn::{Averaged, IdMap, RowTable};
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
    let mut hs = tables.hashes(words, sentences);
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

/// The word tables the features look words up in: clusters, gazetteer and listed phrases.
#[derive(Clone, Default)]
pub struct WordTables {
    /// Word clusters (the process's shared table, for the built-in one).
    pub clusters: Arc<Clusters>,
    /// Gazetteer bits.
    pub gazetteer: Gazetteer,
    /// Listed multi-word names.
    pub phrases: Phrases,
}

impl WordTables {
    /// The hashes of a document's tokens, with each sentence's listed phrases marked.
    pub fn hashes(&self, words: &[&str], sentences: &[(usize, usize)]) -> Vec<TokHash> {
        let mut hs: Vec<TokHash> = words
            .iter()
            .map(|w| TokHash::new(w, &self.clusters, &self.gazetteer))
            .collect();
        for &(s, e) in sentences {
            self.phrases.mark(&mut hs[s..e]);
        }
        hs
    }
}

/// A trained model: feature hash to a row of `N_TAGS` weights, and the word tables its
/// features use. Weights stay 16-bit in memory, as in the file (`weight = q * scale`): half
/// the cache footprint of `f32`, and the same scores as dequantizing them at load. Each row
/// sits in its feature's slot of the table, so a lookup waits for memory once.
#[derive(Clone, Default)]
pub struct Model {
    table: RowTable<i16, N_TAGS>,
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
            "{}:{:x}:{}:{:x}:{}:{:x}",
            DEFAULT_CLUSTERS.len(),
            fold(DEFAULT_CLUSTERS),
            DEFAULT_GAZETTEER.len(),
            fold(DEFAULT_GAZETTEER),
            DEFAULT_PHRASES.len(),
            fold(DEFAULT_PHRASES)
        ),
        false,
    )
}

fn builtin_tables() -> Result<Arc<WordTables>> {
    static CACHE: std::sync::OnceLock<Option<Arc<WordTables>>> = std::sync::OnceLock::new();
    CACHE
        .get_or_init(|| {
            Some(Arc::new(WordTables {
                clusters: Clusters::shared().ok()?,
                gazetteer: Gazetteer::builtin().ok()?,
                phrases: Phrases::builtin().ok()?,
            }))
        })
        .clone()
        .context("the built-in word-cluster table, gazetteer or phrase table is corrupt")
}

/// `words` with the case [`truecase`] gave them, where it gave one.
fn with_case<'w>(cased: &'w [Option<String>], words: &[&'w str]) -> Vec<&'w str> {
    cased
        .iter()
        .zip(words)
        .map(|(c, w)| c.as_deref().unwrap_or(w))
        .collect()
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
    fn quantized(
        ids: impl IntoIterator<Item = (u64, u32)>,
        weights: &[f32],
        tables: Arc<WordTables>,
    ) -> Model {
        let max = weights.iter().fold(0f32, |m, w| m.max(w.abs())).max(1e-9);
        let scale = max / 32767.0;
        let table = RowTable::new(ids.into_iter().map(|(id, r)| {
            let r = r as usize * N_TAGS;
            let mut row = [0i16; N_TAGS];
            for (q, w) in row.iter_mut().zip(&weights[r..r + N_TAGS]) {
                *q = (w / scale).round().clamp(-32767.0, 32767.0) as i16;
            }
            (id, row)
        }));
        Model {
            table,
            scale,
            tables,
            temperature: 1.0,
        }
    }

    /// Number of features with weights.
    pub fn n_features(&self) -> usize {
        self.table.len()
    }

    fn score(&self, feats: &[u64], out: &mut [f32; N_TAGS]) {
        out.fill(0.0);
        self.table.rows(feats, |w| {
            for (o, &q) in out.iter_mut().zip(w) {
                *o += q as f32 * self.scale;
            }
        });
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
        self.tag_inner(words, sentences, work, None)
    }

    /// [`Model::tag`] with every tag's probability at every token (`dists`, softmax over the
    /// tags the chosen path allows there), for mixing with another tagger's.
    pub fn tag_dists(
        &self,
        words: &[&str],
        sentences: &[(usize, usize)],
    ) -> (Vec<usize>, Vec<[f32; N_TAGS]>) {
        let mut dists = Vec::new();
        let (tags, _) = self.tag_inner(words, sentences, &mut 0, Some(&mut dists));
        (tags, dists)
    }

    /// The document repairs of [`Model::tag`] (possessives, titles, surnames, nicknames),
    /// applied to tags from elsewhere.
    pub fn repair(&self, words: &[&str], tags: &mut [usize], sentences: &[(usize, usize)]) {
        let cased = truecase(words, sentences, &self.tables.clusters);
        repair_document(&with_case(&cased, words), tags, sentences);
    }

    fn tag_inner(
        &self,
        words: &[&str],
        sentences: &[(usize, usize)],
        work: &mut u64,
        dists: Option<&mut Vec<[f32; N_TAGS]>>,
    ) -> (Vec<usize>, Vec<f32>) {
        let cased = truecase(words, sentences, &self.tables.clusters);
        let words: &[&str] = &with_case(&cased, words);
        // Two passes: the second one's document history starts with the first one's labels of
        // every mention, later ones included, so a name's first mention can learn from its
        // later, clearer ones ("Witkoff" in a headline, "Steve Witkoff" below). The static
        // features' scores are computed once and serve both passes.
        let hs = self.tables.hashes(words, sentences);
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
        let (first, _) = self.pass(
            &hs,
            sentences,
            &fixed,
            fresh.clone(),
            None,
            false,
            None,
            work,
        );
        let (mut tags, probs) = self.pass(
            &hs,
            sentences,
            &fixed,
            fresh,
            Some(&first),
            true,
            dists,
            work,
        );
        repair_document(words, &mut tags, sentences);
        (tags, probs)
    }

    /// One beam-search pass over a document whose static scores are `fixed`, starting from the
    /// document's fresh history `hist`; `prior`, an earlier pass's tags, seeds it with every
    /// mention's label. Returns the tags and, with `want_probs`, their probabilities (else
    /// ones); `dists` (with `want_probs`) gets every tag's probability at every token.
    #[allow(clippy::too_many_arguments)]
    fn pass(
        &self,
        hs: &[TokHash],
        sentences: &[(usize, usize)],
        fixed: &[[f32; N_TAGS]],
        mut hist: History,
        prior: Option<&[usize]>,
        want_probs: bool,
        mut dist_out: Option<&mut Vec<[f32; N_TAGS]>>,
        work: &mut u64,
    ) -> (Vec<usize>, Vec<f32>) {
        if let Some(d) = dist_out.as_mut() {
            d.clear();
            d.resize(hs.len(), [0.0; N_TAGS]);
        }
        // Per lattice entry, its token's distribution (only while `dist_out` is wanted).
        let mut lattice_dist: Vec<[f32; N_TAGS]> = Vec::new();
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
            lattice_dist.clear();
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
                        let mut d = [0f32; N_TAGS];
                        for (t, &sc) in scores.iter().enumerate() {
                            if allowed(t1, t, last) {
                                d[t] = ((sc - own) / self.temperature).exp();
                                z += d[t];
                            }
                        }
                        h.prob = 1.0 / z;
                        if dist_out.is_some() {
                            lattice_dist.push(d.map(|x| x / z));
                        }
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
                if let Some(d) = dist_out.as_mut() {
                    d[s + i] = lattice_dist[k];
                }
                k = h.back as usize;
            }
            hist.add(sh, &tags[s..e]);
        }
        (tags, probs)
    }

    /// Writes the model: feature keys and i16-quantized weights.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut keys: Vec<(u64, &[i16; N_TAGS])> = self.table.iter().collect();
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
            for q in row.iter() {
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
        // The built-in model was trained with the built-in tables of this same binary (its
        // round-trip test checks the fingerprint); folding 13 MB of tables to check it again
        // would cost every process start-up about 15 ms.
        let builtin = std::ptr::eq(b, recognizer::DEFAULT_MODEL);
        if !builtin && fp != tables_fingerprint() {
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
        if !(scale.is_finite() && scale > 0.0) {
            bail!("model has an invalid weight scale");
        }
        let keys = b[24..24 + 8 * n].chunks_exact(8);
        let rows = b[24 + 8 * n..].chunks_exact(2 * N_TAGS);
        let table = RowTable::new(keys.zip(rows).map(|(k, r)| {
            let k: [u8; 8] = k.try_into().expect("chunks of eight bytes");
            let mut row = [0i16; N_TAGS];
            for (q, c) in row.iter_mut().zip(r.chunks_exact(2)) {
                *q = i16::from_le_bytes([c[0], c[1]]);
            }
            (u64::from_le_bytes(k), row)
        }));
        Ok(Model {
            table,
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
