//! The transformer NER backend (cargo feature `bert`): the all-MiniLM-L6-v2 encoder (BERT
//! architecture, uncased) run by rust-bert on libtorch, with a token-classification head that
//! also sees what the encoder cannot: each word's case shape and the default perceptron's tag.
//!
//! - Training (`whosaid train bert`) fine-tunes encoder and head on CoNLL-2003 with AdamW,
//!   keeping the epoch with the best F1 on the development file. The perceptron tags it learns
//!   from are jackknifed on the training file (each fifth tagged by a perceptron trained on the
//!   other four), so that they are as wrong there as they will be on new text.
//! - Inference runs on one dedicated thread that owns the model (libtorch modules are not
//!   `Sync`) and batches the sentences of all the articles waiting for it; long sentences go in
//!   windows of at most [`MAX_PIECES`] word pieces.

use super::conll::{chunks, f1, prf, ConllDoc, ConllFile};
use super::perceptron::{self, Model as Perceptron, TrainOptions};
use super::{Entity, Recognizer};
use crate::learn::bert::{self as net, FineTune, Head, TaggerThread, Window, WordTagger};
use crate::tokenize::{Doc, TokenKind};
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

    /// Tags sentences: for each, its words' IOB2 tag indices and their probabilities.
    pub fn tag(&self, sents: &[Sentence]) -> Result<Vec<(Vec<usize>, Vec<f32>)>> {
        let windows: Vec<Window> = sents.iter().map(Sentence::window).collect();
        self.net.tag(&windows)
    }
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
            let names: Vec<&str> = tagged[k].0.iter().map(|&t| TAGS[t]).collect();
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

/// Entities of a document from per-token IOB2 tags and probabilities (quote marks and
/// punctuation-only entities left out).
fn entities(doc: &Doc, tags: &[usize], probs: &[f32]) -> Vec<Entity> {
    let names: Vec<&str> = tags.iter().map(|&t| TAGS[t]).collect();
    let mut out = Vec::new();
    for &(ss, se) in &doc.sentences {
        for (s, e, label) in chunks(&names[ss..se]) {
            let (s, e) = (ss + s, ss + e);
            let toks = &doc.tokens[s..e];
            if !toks.iter().any(|t| t.kind == TokenKind::Word)
                || toks.iter().any(|t| t.kind == TokenKind::Quote)
            {
                continue;
            }
            let score = probs[s..e].iter().copied().fold(1.0f32, f32::min);
            out.push(Entity {
                tok_start: s,
                tok_end: e,
                span: doc.span_of(s, e),
                label,
                score,
            });
        }
    }
    out
}

/// A [`Recognizer`] backed by [`BertNer`] on its own thread ([`TaggerThread`]), with the
/// default perceptron giving the prior tags.
pub struct BertRecognizer {
    thread: TaggerThread,
    prior: perceptron::PerceptronNer,
}

impl BertRecognizer {
    /// Loads the model in `files` on a new thread.
    pub fn start(files: ModelFiles) -> Result<Self> {
        Ok(BertRecognizer {
            thread: TaggerThread::start(files, HEAD)?,
            prior: perceptron::PerceptronNer::default_model()?,
        })
    }

    /// Tags a document's sentences; errors (a model thread gone) come back as messages.
    pub fn tag_doc(&self, doc: &Doc) -> Result<(Vec<usize>, Vec<f32>)> {
        let words: Vec<&str> = doc.tokens.iter().map(|t| t.text(doc.text)).collect();
        let priors: Vec<i64> =
            perceptron::iob2_names(&self.prior.model().tag(&words, &doc.sentences).0)
                .iter()
                .map(|p| prior_id(p))
                .collect();
        let tagged = self.thread.tag(net::owned_windows(
            &words,
            &priors,
            &doc.sentences,
            CONTEXT_WORDS,
        ))?;
        let mut tags = vec![0; words.len()];
        let mut probs = vec![1.0; words.len()];
        for (&(s, _), (t, p)) in doc.sentences.iter().zip(tagged) {
            tags[s..s + t.len()].copy_from_slice(&t);
            probs[s..s + p.len()].copy_from_slice(&p);
        }
        Ok((tags, probs))
    }
}

impl Recognizer for BertRecognizer {
    fn recognize(&self, doc: &Doc, meter: &mut Meter) -> Result<Vec<Entity>> {
        // Work: one step per token (the encoder's cost is linear in its windows).
        meter.add(doc.tokens.len() as u64);
        let (tags, probs) = self.tag_doc(doc).context("bert NER")?;
        Ok(entities(doc, &tags, &probs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prior_ids() {
        assert_eq!(prior_id("O"), 1);
        assert_eq!(prior_id("B-LOC"), 6);
        assert_eq!(prior_id("I-MISC"), 9);
    }
}
