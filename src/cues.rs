//! A learned attribution-cue detector: an averaged perceptron that scores each word as the
//! first word of a cue ("said", "according", "believes", "called", ...), trained on PolNeAR
//! train. The quote detector uses it to find cues its lexicon lacks; content and speaker
//! still come from the rules.

use crate::learn::hash::{hash_shape, hash_str, mix, prefix_bits};
use crate::learn::{shuffle, IdMap};
use crate::lexicon;
use crate::ner::clusters::Clusters;
use crate::polnear::GoldArticle;
use crate::tokenize::{Doc, NewsSegmenter, Segmenter, TokenKind};
use anyhow::{bail, Context, Result};
use std::path::Path;

/// The trained cue model: one weight per hashed feature.
#[derive(Clone, Default)]
pub struct CueModel {
    weights: IdMap<f32>,
    /// Score above which a word starts a cue.
    pub threshold: f32,
}

const MAGIC: &[u8; 8] = b"WSCUEv1\0";

/// The cue model that ships with whosaid (see `models/README.md`).
pub static DEFAULT_CUES: &[u8] = include_bytes!("../models/cues-polnear.bin");

fn lower_of(doc: &Doc, i: usize) -> u64 {
    doc.tokens
        .get(i)
        .map_or(0x77, |t| hash_str(t.span.slice(doc.text), true))
}

/// The few hashes of a word that the cue features use.
struct CueHash {
    lower: u64,
    suffix: [u64; 3],
    shape: u64,
    cluster: u16,
}

impl CueHash {
    fn new(w: &str, clusters: &Clusters) -> Self {
        let lower = hash_str(w, true);
        let exact = if w.starts_with(|c: char| c.is_uppercase()) {
            hash_str(w, false)
        } else {
            lower
        };
        let n = w.chars().count();
        let mut suffix = [0u64; 3];
        for (k, sfx) in suffix.iter_mut().enumerate() {
            let start = w
                .char_indices()
                .nth(n.saturating_sub(k + 1))
                .map_or(0, |(b, _)| b);
            *sfx = hash_str(&w[start..], true) ^ ((k as u64 + 1) << 8);
        }
        CueHash {
            lower,
            suffix,
            shape: hash_shape(w),
            cluster: clusters.path(exact, lower),
        }
    }
}

/// Words that can start a cue: words in lower case, or opening their sentence.
pub fn candidate(doc: &Doc, i: usize) -> bool {
    let t = &doc.tokens[i];
    t.kind == TokenKind::Word
        && (doc.tok(i).starts_with(|c: char| c.is_lowercase())
            || doc.sentences[doc.sentence_of(i)].0 == i)
}

/// Hashed features of word `i` of `doc`.
fn features(doc: &Doc, clusters: &Clusters, i: usize, out: &mut Vec<u64>) {
    out.clear();
    let w = doc.tok(i);
    let h = CueHash::new(w, clusters);
    let prev = if i > 0 { lower_of(doc, i - 1) } else { 0x55 };
    let next = lower_of(doc, i + 1);
    let next2 = lower_of(doc, i + 2);
    let f = |t: u64, x: u64| mix(mix(0x9e37_79b9, t), x);
    out.push(f(0, 0));
    out.push(f(1, h.lower));
    out.push(f(2, h.suffix[2]));
    out.push(f(3, h.suffix[1]));
    out.push(f(4, prev));
    out.push(f(5, next));
    out.push(f(6, mix(prev, h.lower)));
    out.push(f(7, mix(h.lower, next)));
    out.push(f(8, mix(h.lower, next2)));
    out.push(f(9, h.shape));
    out.push(f(10, prefix_bits(h.cluster, 6)));
    out.push(f(11, prefix_bits(h.cluster, 10)));
    out.push(f(12, mix(prefix_bits(h.cluster, 8), next)));
    if let Some(c) = lexicon::cue_class(w) {
        out.push(f(13, c as u64));
        out.push(f(14, mix(c as u64, next)));
    }
    let s = doc.sentence_of(i);
    let (ss, se) = doc.sentences[s];
    out.push(f(15, (i == ss) as u64));
    out.push(f(
        16,
        ((i + 2 >= se) as u64) << 1 | (i > ss && doc.tok(i - 1) == ",") as u64,
    ));
    let quote_near = |a: usize, b: usize| {
        (a..b.min(doc.tokens.len())).any(|k| doc.tokens[k].kind == TokenKind::Quote)
    };
    out.push(f(
        17,
        (quote_near(i.saturating_sub(3), i) as u64) << 1 | quote_near(i + 1, i + 4) as u64,
    ));
    let pron = i > 0 && lexicon::pronoun(doc.tok(i - 1)).is_some();
    out.push(f(18, pron as u64));
    out.push(f(19, mix(pron as u64, h.lower)));
}

impl CueModel {
    /// The built-in model.
    pub fn builtin() -> Result<Self> {
        Self::from_bytes(DEFAULT_CUES).context("loading the built-in cue model")
    }

    /// Score of word `i` as a cue's first word.
    pub fn score(&self, doc: &Doc, clusters: &Clusters, i: usize, buf: &mut Vec<u64>) -> f32 {
        features(doc, clusters, i, buf);
        buf.iter().filter_map(|k| self.weights.get(k)).sum()
    }

    /// Reads a model written by [`CueModel::save`].
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        if b.len() < 20 || &b[..8] != MAGIC {
            bail!("not a whosaid cue model (bad header)");
        }
        let threshold = f32::from_le_bytes(b[8..12].try_into()?);
        let n = u64::from_le_bytes(b[12..20].try_into()?) as usize;
        if b.len() != 20 + n * 12 {
            bail!("cue model is truncated or corrupt");
        }
        let mut weights = IdMap::default();
        for rec in b[20..].chunks_exact(12) {
            weights.insert(
                u64::from_le_bytes(rec[..8].try_into()?),
                f32::from_le_bytes(rec[8..].try_into()?),
            );
        }
        Ok(CueModel { weights, threshold })
    }

    /// Writes the model, sorted by key.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut v: Vec<(u64, f32)> = self.weights.iter().map(|(&k, &w)| (k, w)).collect();
        v.sort_by_key(|x| x.0);
        let mut buf = Vec::with_capacity(20 + 12 * v.len());
        buf.extend_from_slice(MAGIC);
        buf.extend_from_slice(&self.threshold.to_le_bytes());
        buf.extend_from_slice(&(v.len() as u64).to_le_bytes());
        for (k, w) in v {
            buf.extend_from_slice(&k.to_le_bytes());
            buf.extend_from_slice(&w.to_le_bytes());
        }
        std::fs::write(path, buf).with_context(|| format!("writing {}", path.display()))
    }
}

/// Training examples of one article: its doc and, for each word, whether a gold cue starts there.
fn examples<'a>(a: &'a GoldArticle) -> (Doc<'a>, Vec<bool>) {
    let doc = NewsSegmenter.segment(&a.text);
    let mut gold = vec![false; doc.tokens.len()];
    for att in &a.attributions {
        if let Some(c) = att.cue.iter().min_by_key(|s| s.start) {
            // The first word inside the cue span that is not an adverb or auxiliary
            // ("also said" -> "said").
            let mut k = doc.tokens.partition_point(|t| t.span.end <= c.start);
            while k + 1 < doc.tokens.len()
                && doc.tokens[k + 1].span.start < c.end
                && lexicon::is_cue_modifier(doc.tok(k))
            {
                k += 1;
            }
            if let Some(t) = doc.tokens.get(k) {
                if t.span.start < c.end && t.kind == TokenKind::Word {
                    gold[k] = true;
                }
            }
        }
    }
    (doc, gold)
}

/// Trains on `train`, picks the epoch and threshold with the best cue F1 on `dev`.
pub fn train(
    train: &[GoldArticle],
    dev: &[GoldArticle],
    epochs: usize,
    mut log: impl FnMut(&str),
) -> Result<CueModel> {
    let clusters = Clusters::builtin()?;
    let tr: Vec<(Doc, Vec<bool>)> = train.iter().map(examples).collect();
    let dv: Vec<(Doc, Vec<bool>)> = dev.iter().map(examples).collect();
    let mut w: IdMap<f32> = IdMap::default();
    let mut acc: IdMap<f64> = IdMap::default();
    let mut c = 1.0f64;
    let mut buf = Vec::new();
    let mut best: Option<(f64, CueModel)> = None;
    let mut order: Vec<usize> = (0..tr.len()).collect();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for epoch in 1..=epochs {
        shuffle(&mut order, &mut rng);
        for &d in &order {
            let (doc, gold) = &tr[d];
            for (i, &is_cue) in gold.iter().enumerate() {
                if !candidate(doc, i) {
                    continue;
                }
                features(doc, &clusters, i, &mut buf);
                let s: f32 = buf.iter().filter_map(|k| w.get(k)).sum();
                let y = if is_cue { 1.0 } else { -1.0 };
                if y * s <= 0.0 {
                    for &k in &buf {
                        *w.entry(k).or_default() += y;
                        *acc.entry(k).or_default() += c * y as f64;
                    }
                }
                c += 1.0;
            }
        }
        let avg: IdMap<f32> = w
            .iter()
            .map(|(&k, &x)| {
                (
                    k,
                    (x as f64 - acc.get(&k).copied().unwrap_or(0.0) / c) as f32,
                )
            })
            .filter(|(_, x)| x.abs() > 1e-4)
            .collect();
        let mut model = CueModel {
            weights: avg,
            threshold: 0.0,
        };
        // Cue F1 on dev.
        let mut scored: Vec<(f32, bool)> = Vec::new();
        for (doc, gold) in &dv {
            for (i, &is_cue) in gold.iter().enumerate() {
                if candidate(doc, i) {
                    scored.push((model.score(doc, &clusters, i, &mut buf), is_cue));
                } else if is_cue {
                    scored.push((f32::NEG_INFINITY, true));
                }
            }
        }
        // The perceptron's own boundary (0): moving it on dev changed attribution F1 by less
        // than 0.6 either way.
        let n_gold = scored.iter().filter(|x| x.1).count().max(1);
        let n_pred = scored.iter().filter(|x| x.0 > 0.0).count().max(1);
        let tp = scored.iter().filter(|x| x.0 > 0.0 && x.1).count();
        let (p, r) = (tp as f64 / n_pred as f64, tp as f64 / n_gold as f64);
        let best_f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        let best_t = 0.0f32;
        model.threshold = best_t;
        log(&format!(
            "epoch {epoch}: {} features, dev cue F1 {:.2} at threshold {best_t:.3}",
            model.weights.len(),
            100.0 * best_f
        ));
        if best.as_ref().is_none_or(|(f, _)| best_f > *f) {
            best = Some((best_f, model));
        }
    }
    Ok(best.context("no epoch")?.1)
}
