//! The transformer NER backend (cargo feature `bert`): the all-MiniLM-L6-v2 encoder (BERT
//! architecture, uncased) run by rust-bert on libtorch, with a token-classification head that
//! also sees what the encoder cannot: each word's case shape and the default perceptron's tag.
//!
//! - Training (`whosaid train bert`) fine-tunes encoder and head on CoNLL-2003 with AdamW,
//!   keeping the epoch with the best F1 on the development file. The perceptron tags it learns
//!   from are jackknifed on the training file (each fifth tagged by a perceptron trained on the
//!   other four), so that they are as wrong there as they will be on new text.
//! - Inference runs on one dedicated thread that owns the model (libtorch modules are not
//!   `Sync`) and batches the sentences of all the articles waiting for it, consecutive short
//!   sentences packed into one window; long sentences go in windows of at most [`MAX_PIECES`]
//!   word pieces. The encoder's tag probabilities are mixed with the perceptron's
//!   ([`tag_mixed`]): the two are right on different names.

use super::conll::{chunks, f1, prf, ConllDoc, ConllFile};
use super::perceptron::{self, Model as Perceptron, TrainOptions};
use super::{Entity, Recognizer};
use crate::learn::bert::{
    self as net, FineTune, Head, Precision, TaggerThread, Window, WordTagger,
};
use crate::learn::chain::viterbi;
use crate::tokenize::Doc;
use crate::work::Meter;
use anyhow::{Context, Result};
use std::path::Path;

pub use crate::learn::bert::{ModelFiles, CONTEXT_WORDS, MAX_PIECES};

/// Output tags (IOB2).
pub const TAGS: [&str; 9] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];

/// The NER head: IOB2 tags out, the perceptron's IOB2 tags in.
const HEAD: Head = Head {
    name: "ner_head",
    tags: TAGS.len(),
    priors: TAGS.len(),
    groups: 1,
};

/// IOB2 index of a perceptron tag name, plus 1 (0 pads).
fn prior_id(iob2: &str) -> i64 {
    TAGS.iter()
        .position(|t| *t == iob2)
        .map_or(1, |i| i as i64 + 1)
}

/// A sentence to tag: its words, the perceptron's IOB2 tags for them, and the words around it
/// (context the encoder sees).
#[derive(Debug, Clone, Default)]
pub struct Sentence<'a> {
    /// The words.
    pub words: Vec<&'a str>,
    /// The default model's IOB2 tag of each word.
    pub priors: Vec<&'a str>,
    /// Words before the sentence (its document's previous sentences), nearest last.
    pub left: Vec<&'a str>,
    /// Words after it, nearest first.
    pub right: Vec<&'a str>,
}

impl<'a> Sentence<'a> {
    /// The sentences `(s, e)` of a document, each with up to [`CONTEXT_WORDS`] words of
    /// context on either side.
    pub fn of_doc(
        words: &[&'a str],
        priors: &[&'a str],
        sentences: &[(usize, usize)],
    ) -> Vec<Self> {
        sentences
            .iter()
            .map(|&(s, e)| {
                let (left, right) = net::around(words, (s, e), CONTEXT_WORDS);
                Sentence {
                    words: words[s..e].to_vec(),
                    priors: priors[s..e].to_vec(),
                    left: left.to_vec(),
                    right: right.to_vec(),
                }
            })
            .collect()
    }

    fn window(&self) -> Window<'a> {
        Window {
            words: self.words.clone(),
            priors: self.priors.iter().map(|p| prior_id(p)).collect(),
            left: self.left.clone(),
            right: self.right.clone(),
        }
    }
}

/// The NER network: a [`WordTagger`] with the NER head.
pub struct BertNer {
    net: WordTagger,
}

impl BertNer {
    /// Builds the network on the CPU; weights are random until [`BertNer::load`].
    pub fn new(files: &ModelFiles) -> Result<Self> {
        Ok(BertNer {
            net: WordTagger::new(files, HEAD)?,
        })
    }

    /// Loads weights; with `partial`, the head may be missing (starting from the encoder).
    pub fn load(&mut self, weights: &Path, partial: bool) -> Result<()> {
        self.net.load(weights, partial)
    }

    /// Converts the loaded weights for inference at `precision`.
    pub fn set_precision(&mut self, precision: Precision) {
        self.net.set_precision(precision)
    }

    /// Tags the sentences of a document whose perceptron tags are `priors` (prior ids).
    pub fn tag_doc(
        &self,
        words: &[&str],
        priors: &[i64],
        sentences: &[(usize, usize)],
    ) -> Result<Vec<net::Tagged>> {
        self.net
            .tag(&Window::of_doc(words, priors, sentences, CONTEXT_WORDS))
    }

    /// Tags sentences: for each, its words' IOB2 tag indices and their probabilities.
    pub fn tag(&self, sents: &[Sentence]) -> Result<Vec<net::Tagged>> {
        let windows: Vec<Window> = sents.iter().map(Sentence::window).collect();
        self.net.tag(&windows)
    }
}

/// Weight of the perceptron's tag probabilities where they are mixed with the encoder's.
/// Chosen on `conll2020.dev` (F1 84.08 at 1, 85.82 at 0.3, 86.60 at 0.4, 87.00 at 0.45,
/// 87.33 at 0.5, 86.16 at 0.55, 85.23 at 0.7, 84.33 at 0).
const PERCEPTRON_WEIGHT: f32 = 0.5;

/// Most words of one span of sentences tagged together (see [`net::pack`]). Chosen on
/// `conll2020.dev` (F1 and seconds of `tag --conll`): one sentence a window 87.33 in 30 s, 48
/// words 87.41 in 20 s, 64 words 87.30 in 14 s, 80 words 87.12 in 10 s, 96 words 86.88 in 8 s.
const PACK_WORDS: usize = 64;

/// The mixture `w * perceptron + (1 - w) * encoder` of two taggers' probabilities, token by
/// token in IOB2 order: the perceptron's BILOU tags fold into IOB2 (U into B, L into I).
fn mix(perceptron: &[[f32; perceptron::N_TAGS]], encoder: &[f32], w: f32) -> Vec<f32> {
    let k = TAGS.len();
    let mut out = vec![0f32; encoder.len()];
    for (i, p) in perceptron.iter().enumerate() {
        let (o, e) = (&mut out[i * k..(i + 1) * k], &encoder[i * k..(i + 1) * k]);
        o[0] = w * p[0] + (1.0 - w) * e[0];
        for x in 0..4 {
            o[1 + 2 * x] = w * (p[1 + 4 * x] + p[4 + 4 * x]) + (1.0 - w) * e[1 + 2 * x];
            o[2 + 2 * x] = w * (p[2 + 4 * x] + p[3 + 4 * x]) + (1.0 - w) * e[2 + 2 * x];
        }
    }
    out
}

/// May IOB2 tag `t` follow `p` (`p == TAGS.len()` at a sentence's start)? An I- only after
/// the B- or I- of its type.
fn iob2_allowed(p: usize, t: usize) -> bool {
    // IOB2 ids: B- odd, its I- the even id after it.
    t == 0 || t % 2 == 1 || p == t - 1 || p == t
}

/// Gold IOB2 tag indices of a CoNLL document (from any IOB scheme).
fn gold_iob2(d: &ConllDoc) -> Vec<usize> {
    let mut tags = vec![0; d.words.len()];
    for &(ss, se) in &d.sentences {
        for (s, e, l) in chunks(&d.gold[ss..se]) {
            tags[ss + s] = 1 + 2 * l.index();
            for t in &mut tags[ss + s + 1..ss + e] {
                *t = 2 + 2 * l.index();
            }
        }
    }
    tags
}

/// IOB2 names of the perceptron's tags for every document of `docs`.
fn perceptron_tags(model: &Perceptron, docs: &[ConllDoc]) -> Vec<Vec<&'static str>> {
    use rayon::prelude::*;
    docs.par_iter()
        .map(|d| {
            let words: Vec<&str> = d.words.iter().map(String::as_str).collect();
            perceptron::iob2_names(&model.tag(&words, &d.sentences).0)
        })
        .collect()
}

/// Training options for [`train`].
#[derive(Debug, Clone)]
pub struct BertTrainOptions {
    /// Passes over the training file.
    pub epochs: usize,
    /// Peak learning rate (linear warm-up over the first tenth, then linear decay).
    pub lr: f64,
    /// Sentences per step.
    pub batch: usize,
    /// Seed for shuffling and initialization.
    pub seed: u64,
    /// Use only the first N training documents (quick runs); 0 for all.
    pub limit_docs: usize,
    /// Folds for the jackknifed perceptron tags.
    pub folds: usize,
}

impl Default for BertTrainOptions {
    fn default() -> Self {
        BertTrainOptions {
            epochs: 3,
            lr: 1e-4,
            batch: 32,
            seed: 7,
            limit_docs: 0,
            folds: 5,
        }
    }
}

/// F1 of the network on CoNLL documents whose perceptron tags are `priors`.
fn evaluate(net: &WordTagger, docs: &[ConllDoc], priors: &[Vec<&str>]) -> Result<f64> {
    let mut sents = Vec::new();
    for (d, p) in docs.iter().zip(priors) {
        let words: Vec<&str> = d.words.iter().map(String::as_str).collect();
        sents.extend(
            Sentence::of_doc(&words, p, &d.sentences)
                .iter()
                .map(Sentence::window),
        );
    }
    let tagged = net.tag(&sents)?;
    let mut counts = (0, 0, 0);
    let mut k = 0;
    for d in docs {
        for &(s, e) in &d.sentences {
            let names: Vec<&str> = tagged[k].tags.iter().map(|&t| TAGS[t]).collect();
            let c = prf(&chunks(&d.gold[s..e]), &chunks(&names));
            counts = (counts.0 + c.0, counts.1 + c.1, counts.2 + c.2);
            k += 1;
        }
    }
    Ok(f1(counts))
}

/// Fine-tunes the encoder in `files` (its weights file is the bare encoder) with a fresh head
/// on `train`, keeps the epoch with the best F1 on `dev`, and writes it to `out` in half
/// precision. Returns that F1.
pub fn train(
    files: &ModelFiles,
    train: &ConllFile,
    dev: &ConllFile,
    out: &Path,
    opts: &BertTrainOptions,
    mut log: impl FnMut(&str),
) -> Result<f64> {
    tch::manual_seed(opts.seed as i64);
    let mut net = BertNer::new(files)?;
    net.load(&files.weights, true)?;
    let docs: Vec<ConllDoc> = if opts.limit_docs > 0 {
        train.docs.iter().take(opts.limit_docs).cloned().collect()
    } else {
        train.docs.clone()
    };
    // Jackknifed perceptron tags on the training documents; the full model's on dev.
    let popts = TrainOptions::default();
    let mut train_priors: Vec<Vec<&'static str>> = vec![Vec::new(); docs.len()];
    for fold in 0..opts.folds.max(2) {
        let k = opts.folds.max(2);
        let rest = ConllFile {
            docs: docs
                .iter()
                .enumerate()
                .filter(|(i, _)| i % k != fold)
                .map(|(_, d)| d.clone())
                .collect(),
            ..Default::default()
        };
        let held: Vec<usize> = (0..docs.len()).filter(|i| i % k == fold).collect();
        let held_docs: Vec<ConllDoc> = held.iter().map(|&i| docs[i].clone()).collect();
        let (m, _) = perceptron::train(&rest, dev, &popts, |_| {})?;
        for (i, tags) in held.iter().zip(perceptron_tags(&m, &held_docs)) {
            train_priors[*i] = tags;
        }
        log(&format!("perceptron fold {}/{k} tagged", fold + 1));
    }
    let full = perceptron::PerceptronNer::default_model()?;
    let dev_priors = perceptron_tags(full.model(), &dev.docs);

    let mut examples = Vec::new();
    for (d, p) in docs.iter().zip(&train_priors) {
        let gold = gold_iob2(d);
        let words: Vec<&str> = d.words.iter().map(String::as_str).collect();
        let sents = Sentence::of_doc(&words, p, &d.sentences);
        for (sent, &(s, e)) in sents.iter().zip(&d.sentences) {
            for (_, _, enc) in net.net.encode(&sent.window(), Some(&gold[s..e])) {
                examples.push(enc);
            }
        }
    }
    log(&format!("{} training windows", examples.len()));
    let ft = FineTune {
        epochs: opts.epochs,
        lr: opts.lr,
        batch: opts.batch,
        seed: opts.seed,
    };
    net::fine_tune(
        &mut net.net,
        &examples,
        &ft,
        out,
        |n| evaluate(n, &dev.docs, &dev_priors),
        &mut log,
    )
}

/// Tags a document: the perceptron `model` tags it, `encoder` tags its sentences given the
/// perceptron's IOB2 tags (as prior ids), their tag probabilities are mixed (see [`mix`]) and
/// decoded by Viterbi over IOB2, then the perceptron's document repairs apply. Returns the
/// perceptron's BILOU tags (see [`perceptron::tag_name`]) and their mixed probabilities.
pub fn tag_mixed(
    model: &Perceptron,
    words: &[&str],
    sentences: &[(usize, usize)],
    encoder: impl FnOnce(&[i64], &[(usize, usize)]) -> Result<Vec<net::Tagged>>,
) -> Result<(Vec<usize>, Vec<f32>)> {
    let k = TAGS.len();
    let (ptags, pdist) = model.tag_dists(words, sentences);
    let priors: Vec<i64> = perceptron::iob2_names(&ptags)
        .iter()
        .map(|p| prior_id(p))
        .collect();
    let mut bdist = vec![0f32; words.len() * k];
    bdist.iter_mut().step_by(k).for_each(|p| *p = 1.0);
    let spans = net::pack(sentences, PACK_WORDS);
    for (&(s, _), t) in spans.iter().zip(encoder(&priors, &spans)?) {
        bdist[s * k..s * k + t.dist.len()].copy_from_slice(&t.dist);
    }
    let mixed = mix(&pdist, &bdist, PERCEPTRON_WEIGHT);
    let mut names = vec![TAGS[0]; words.len()];
    let mut probs = vec![1.0; words.len()];
    let trans = vec![0f32; (k + 1) * k];
    for &(s, e) in sentences {
        let m = &mixed[s * k..e * k];
        let logp: Vec<f32> = m.iter().map(|p| p.max(1e-9).ln()).collect();
        let best = viterbi(e - s, k, &logp, &trans, iob2_allowed);
        for (i, &t) in best.iter().enumerate() {
            names[s + i] = TAGS[t];
            probs[s + i] = m[i * k + t];
        }
    }
    let mut bilou = perceptron::bilou_tags(&names, sentences);
    model.repair(words, &mut bilou, sentences);
    Ok((bilou, probs))
}

/// A [`Recognizer`] backed by [`BertNer`] on its own thread ([`TaggerThread`]), with the
/// default perceptron giving the prior tags.
pub struct BertRecognizer {
    thread: TaggerThread,
    prior: perceptron::PerceptronNer,
}

impl BertRecognizer {
    /// Loads the model in `files` on a new thread, computing at `precision`.
    pub fn start(files: ModelFiles, precision: Precision) -> Result<Self> {
        Ok(BertRecognizer {
            thread: TaggerThread::start(files, HEAD, precision)?,
            prior: perceptron::PerceptronNer::default_model()?,
        })
    }

    /// Tags a document's sentences (see [`tag_mixed`]); errors (a model thread gone) come
    /// back as messages.
    pub fn tag_doc(&self, doc: &Doc) -> Result<(Vec<usize>, Vec<f32>)> {
        let words: Vec<&str> = doc.tokens.iter().map(|t| t.text(doc.text)).collect();
        tag_mixed(
            self.prior.model(),
            &words,
            &doc.sentences,
            |priors, spans| {
                self.thread
                    .tag(net::owned_windows(&words, priors, spans, CONTEXT_WORDS))
            },
        )
    }
}

impl Recognizer for BertRecognizer {
    fn recognize(&self, doc: &Doc, meter: &mut Meter) -> Result<Vec<Entity>> {
        // Work: one step per token (the encoder's cost is linear in its windows).
        meter.add(doc.tokens.len() as u64);
        let (tags, probs) = self.tag_doc(doc).context("bert NER")?;
        Ok(perceptron::entities_of(doc, tags, &probs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixing_folds_bilou_into_iob2() {
        // One token: the perceptron sure of U-ORG, the encoder of I-LOC.
        let mut p = [0f32; perceptron::N_TAGS];
        p[8] = 1.0;
        let mut e = [0f32; 9];
        e[6] = 1.0;
        let m = mix(&[p], &e, 0.25);
        assert_eq!(m.len(), 9);
        assert!((m[3] - 0.25).abs() < 1e-6, "U-ORG counts as B-ORG: {m:?}");
        assert!((m[6] - 0.75).abs() < 1e-6, "{m:?}");
        assert!((m.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn iob2_transitions() {
        let start = TAGS.len();
        assert!(iob2_allowed(start, 0) && iob2_allowed(start, 1));
        assert!(!iob2_allowed(start, 2), "no I- at a sentence start");
        assert!(
            iob2_allowed(1, 2) && iob2_allowed(2, 2),
            "I-PER after B-PER or I-PER"
        );
        assert!(!iob2_allowed(0, 2) && !iob2_allowed(3, 2) && !iob2_allowed(4, 2));
        assert!(iob2_allowed(2, 3) && iob2_allowed(8, 0));
    }

    #[test]
    fn prior_ids() {
        assert_eq!(prior_id("O"), 1);
        assert_eq!(prior_id("B-LOC"), 6);
        assert_eq!(prior_id("I-MISC"), 9);
    }
}
