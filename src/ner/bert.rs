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
use crate::tokenize::{Doc, TokenKind};
use crate::work::Meter;
use anyhow::{bail, Context, Result};
use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use rust_bert::Config;
use rust_tokenizers::tokenizer::{BertTokenizer, Tokenizer};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};
use tch::nn::{self, Module, OptimizerConfig};
use tch::{Device, Kind, Reduction, Tensor};

/// Output tags (IOB2).
pub const TAGS: [&str; 9] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];
/// Most word pieces in one window, [CLS] and [SEP] included.
pub const MAX_PIECES: usize = 128;
const CASE_CLASSES: i64 = 8;
const CASE_DIM: i64 = 16;
const PRIOR_DIM: i64 = 16;

/// The files of a model folder: `config.json` and `vocab.txt` of the encoder, and the weights.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    /// BERT configuration (`config.json`).
    pub config: PathBuf,
    /// WordPiece vocabulary (`vocab.txt`).
    pub vocab: PathBuf,
    /// Weights (safetensors).
    pub weights: PathBuf,
}

impl ModelFiles {
    /// The files in `dir`, with the weights in `weights_name`.
    pub fn in_dir(dir: &Path, weights_name: &str) -> Self {
        ModelFiles {
            config: dir.join("config.json"),
            vocab: dir.join("vocab.txt"),
            weights: dir.join(weights_name),
        }
    }
}

/// The case shape of a word: what the uncased encoder does not see.
fn case_class(w: &str) -> i64 {
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    let upper = w.chars().filter(|c| c.is_uppercase()).count();
    let digits = w.chars().any(|c| c.is_ascii_digit());
    let first_upper = w.chars().next().is_some_and(|c| c.is_uppercase());
    match () {
        _ if letters == 0 && digits => 5,
        _ if letters == 0 => 6,
        _ if upper == 0 => 1,
        _ if upper == letters && letters > 1 => 3,
        _ if first_upper && upper == 1 => 2,
        _ if first_upper => 4,
        _ => 7,
    }
}

/// IOB2 index of a perceptron BILOU tag name's type and part, plus 1 (0 pads).
fn prior_id(iob2: &str) -> i64 {
    TAGS.iter()
        .position(|t| *t == iob2)
        .map_or(1, |i| i as i64 + 1)
}

/// The network: encoder, case and prior embeddings, and a linear classifier.
pub struct BertNer {
    vs: nn::VarStore,
    bert: BertModel<BertEmbeddings>,
    case: nn::Embedding,
    prior: nn::Embedding,
    out: nn::Linear,
    tokenizer: BertTokenizer,
    cls: i64,
    sep: i64,
    unk: i64,
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
            .map(|&(s, e)| Sentence {
                words: words[s..e].to_vec(),
                priors: priors[s..e].to_vec(),
                left: words[s.saturating_sub(CONTEXT_WORDS)..s].to_vec(),
                right: words[e..(e + CONTEXT_WORDS).min(words.len())].to_vec(),
            })
            .collect()
    }
}

/// Most words of context taken on either side of a sentence.
pub const CONTEXT_WORDS: usize = 64;

/// One sentence (or window) ready for the network.
#[derive(Debug, Clone, Default)]
struct Encoded {
    ids: Vec<i64>,
    /// Index in `ids` of each word's first piece.
    first: Vec<i64>,
    case: Vec<i64>,
    prior: Vec<i64>,
    /// Gold tag per word, for training (-100 where unknown).
    labels: Vec<i64>,
}

impl BertNer {
    /// Builds the network on the CPU; weights are random until [`BertNer::load`].
    pub fn new(files: &ModelFiles) -> Result<Self> {
        let config = BertConfig::from_file(&files.config);
        let vs = nn::VarStore::new(Device::Cpu);
        let root = vs.root();
        let bert = BertModel::<BertEmbeddings>::new_with_optional_pooler(&root, &config, false);
        let head = &root / "ner_head";
        let case = nn::embedding(&head / "case", CASE_CLASSES, CASE_DIM, Default::default());
        let prior = nn::embedding(
            &head / "prior",
            TAGS.len() as i64 + 1,
            PRIOR_DIM,
            Default::default(),
        );
        let out = nn::linear(
            &head / "out",
            config.hidden_size + CASE_DIM + PRIOR_DIM,
            TAGS.len() as i64,
            Default::default(),
        );
        let tokenizer = BertTokenizer::from_file(&files.vocab, true, true)
            .with_context(|| format!("reading the vocabulary {}", files.vocab.display()))?;
        let id = |t: &str| tokenizer.convert_tokens_to_ids(&[t])[0];
        let (cls, sep, unk) = (id("[CLS]"), id("[SEP]"), id("[UNK]"));
        Ok(BertNer {
            vs,
            bert,
            case,
            prior,
            out,
            tokenizer,
            cls,
            sep,
            unk,
        })
    }

    /// Loads weights; with `partial`, variables missing from the file (the head, when starting
    /// from the bare encoder) keep their initial values.
    pub fn load(&mut self, weights: &Path, partial: bool) -> Result<()> {
        if partial {
            let missing = self
                .vs
                .load_partial(weights)
                .with_context(|| format!("loading {}", weights.display()))?;
            if missing.iter().any(|m| !m.starts_with("ner_head")) {
                bail!("{} lacks encoder weights: {missing:?}", weights.display());
            }
        } else {
            self.vs
                .load(weights)
                .with_context(|| format!("loading {}", weights.display()))?;
        }
        // Weights may be stored in half precision; compute in single precision.
        self.vs.float();
        Ok(())
    }

    /// Saves every weight in half precision (safetensors).
    pub fn save_half(&mut self, path: &Path) -> Result<()> {
        self.vs.half();
        let r = self.vs.save(path);
        self.vs.float();
        r.with_context(|| format!("writing {}", path.display()))
    }

    /// Word pieces of one word ([UNK] when the vocabulary has none).
    fn pieces(&self, word: &str) -> Vec<i64> {
        let toks = self.tokenizer.tokenize(word);
        if toks.is_empty() {
            return vec![self.unk];
        }
        self.tokenizer.convert_tokens_to_ids(&toks)
    }

    /// Pieces of the words of `ctx` nearest to the target (its end when `from_end`), whole
    /// words only, at most `budget` of them, in text order.
    fn context_pieces(&self, ctx: &[&str], from_end: bool, budget: usize) -> Vec<i64> {
        let mut out: Vec<Vec<i64>> = Vec::new();
        let mut n = 0;
        let words: Box<dyn Iterator<Item = &&str>> = if from_end {
            Box::new(ctx.iter().rev())
        } else {
            Box::new(ctx.iter())
        };
        for w in words {
            let p = self.pieces(w);
            if n + p.len() > budget {
                break;
            }
            n += p.len();
            out.push(p);
        }
        if from_end {
            out.reverse();
        }
        out.concat()
    }

    /// Encodes a sentence with its prior tags (and gold tags, for training) in windows of at
    /// most [`MAX_PIECES`] pieces; each window covers a word range and is filled up with the
    /// words around it (`left` and `right`: the neighbouring sentences), which the encoder
    /// sees but which get no tags.
    fn encode(&self, s: &Sentence, gold: Option<&[usize]>) -> Vec<(usize, usize, Encoded)> {
        let words = &s.words;
        let pieces: Vec<Vec<i64>> = words
            .iter()
            .map(|w| {
                let mut p = self.pieces(w);
                p.truncate(MAX_PIECES - 2);
                p
            })
            .collect();
        // Word ranges of the windows.
        let mut ranges = Vec::new();
        let (mut start, mut len) = (0, 0);
        for (i, p) in pieces.iter().enumerate() {
            if len + p.len() > MAX_PIECES - 2 {
                ranges.push((start, i));
                start = i;
                len = 0;
            }
            len += p.len();
        }
        ranges.push((start, words.len()));
        let mut out = Vec::new();
        for (a, b) in ranges {
            let target: usize = pieces[a..b].iter().map(Vec::len).sum();
            let room = MAX_PIECES - 2 - target;
            let left_words: Vec<&str> = s.left.iter().chain(&words[..a]).copied().collect();
            let right_words: Vec<&str> = words[b..].iter().chain(&s.right).copied().collect();
            let right_want: usize = right_words
                .iter()
                .take(CONTEXT_WORDS)
                .map(|w| self.pieces(w).len())
                .sum();
            let left = self.context_pieces(&left_words, true, room - (room / 2).min(right_want));
            let right = self.context_pieces(&right_words, false, room - left.len());
            let mut e = Encoded::default();
            e.ids.push(self.cls);
            e.ids.extend(&left);
            for i in a..b {
                e.first.push(e.ids.len() as i64);
                e.ids.extend(&pieces[i]);
                e.case.push(case_class(words[i]));
                e.prior.push(prior_id(s.priors[i]));
                e.labels.push(gold.map_or(-100, |g| g[i] as i64));
            }
            e.ids.extend(&right);
            e.ids.push(self.sep);
            out.push((a, b, e));
        }
        out
    }

    /// Logits `[batch, words, tags]` for a batch of encoded windows.
    fn forward(&self, batch: &[&Encoded], train: bool) -> Result<(Tensor, Tensor)> {
        let b = batch.len() as i64;
        let t = batch.iter().map(|e| e.ids.len()).max().unwrap_or(1) as i64;
        let w = batch
            .iter()
            .map(|e| e.first.len())
            .max()
            .unwrap_or(1)
            .max(1) as i64;
        let mut ids = vec![0i64; (b * t) as usize];
        let mut mask = vec![0i64; (b * t) as usize];
        let mut first = vec![0i64; (b * w) as usize];
        let mut case = vec![0i64; (b * w) as usize];
        let mut prior = vec![0i64; (b * w) as usize];
        let mut labels = vec![-100i64; (b * w) as usize];
        for (k, e) in batch.iter().enumerate() {
            let (ot, ow) = (k * t as usize, k * w as usize);
            ids[ot..ot + e.ids.len()].copy_from_slice(&e.ids);
            mask[ot..ot + e.ids.len()].fill(1);
            let n = e.first.len();
            first[ow..ow + n].copy_from_slice(&e.first);
            case[ow..ow + n].copy_from_slice(&e.case);
            prior[ow..ow + n].copy_from_slice(&e.prior);
            labels[ow..ow + n].copy_from_slice(&e.labels);
        }
        let ids = Tensor::from_slice(&ids).view([b, t]);
        let mask = Tensor::from_slice(&mask).view([b, t]);
        let first = Tensor::from_slice(&first).view([b, w]);
        let case = Tensor::from_slice(&case).view([b, w]);
        let prior = Tensor::from_slice(&prior).view([b, w]);
        let labels = Tensor::from_slice(&labels).view([b, w]);
        let hidden = self
            .bert
            .forward_t(Some(&ids), Some(&mask), None, None, None, None, None, train)
            .map_err(|e| anyhow::anyhow!("encoder: {e}"))?
            .hidden_state;
        let h = hidden.size()[2];
        let words = hidden.gather(1, &first.unsqueeze(-1).expand([b, w, h], false), false);
        let feats = Tensor::cat(
            &[words, self.case.forward(&case), self.prior.forward(&prior)],
            -1,
        )
        .dropout(0.1, train);
        Ok((self.out.forward(&feats), labels))
    }

    /// Tags sentences: for each, its words' IOB2 tag indices and their probabilities.
    pub fn tag(&self, sents: &[Sentence]) -> Result<Vec<(Vec<usize>, Vec<f32>)>> {
        let mut windows = Vec::new();
        for (si, s) in sents.iter().enumerate() {
            for (a, b, e) in self.encode(s, None) {
                windows.push((si, a, b, e));
            }
        }
        let mut out: Vec<(Vec<usize>, Vec<f32>)> = sents
            .iter()
            .map(|s| (vec![0; s.words.len()], vec![1.0; s.words.len()]))
            .collect();
        // Batches of similar length waste less padding.
        let mut order: Vec<usize> = (0..windows.len()).collect();
        order.sort_by_key(|&k| windows[k].3.ids.len());
        let _guard = tch::no_grad_guard();
        for chunk in order.chunks(32) {
            let batch: Vec<&Encoded> = chunk.iter().map(|&k| &windows[k].3).collect();
            let (logits, _) = self.forward(&batch, false)?;
            let probs = logits.softmax(-1, Kind::Float);
            let (best_p, best) = probs.max_dim(-1, false);
            let best = Vec::<i64>::try_from(best.flatten(0, -1))?;
            let best_p = Vec::<f32>::try_from(best_p.flatten(0, -1))?;
            let w = logits.size()[1] as usize;
            for (k, &wi) in chunk.iter().enumerate() {
                let (si, a, b, _) = &windows[wi];
                for j in 0..b - a {
                    out[*si].0[a + j] = best[k * w + j] as usize;
                    out[*si].1[a + j] = best_p[k * w + j];
                }
            }
        }
        Ok(out)
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
fn evaluate(net: &BertNer, docs: &[ConllDoc], priors: &[Vec<&str>]) -> Result<f64> {
    let mut sents = Vec::new();
    for (d, p) in docs.iter().zip(priors) {
        let words: Vec<&str> = d.words.iter().map(String::as_str).collect();
        sents.extend(Sentence::of_doc(&words, p, &d.sentences));
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

    let mut examples: Vec<Encoded> = Vec::new();
    for (d, p) in docs.iter().zip(&train_priors) {
        let gold = gold_iob2(d);
        let words: Vec<&str> = d.words.iter().map(String::as_str).collect();
        let sents = Sentence::of_doc(&words, p, &d.sentences);
        for (sent, &(s, e)) in sents.iter().zip(&d.sentences) {
            for (_, _, enc) in net.encode(sent, Some(&gold[s..e])) {
                examples.push(enc);
            }
        }
    }
    log(&format!("{} training windows", examples.len()));
    let steps_per_epoch = examples.len().div_ceil(opts.batch);
    let total = (steps_per_epoch * opts.epochs).max(1);
    let warmup = (total / 10).max(1);
    let mut opt = nn::AdamW::default().build(&net.vs, opts.lr)?;
    opt.set_weight_decay(0.01);
    let mut rng = opts.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut best: Option<f64> = None;
    let mut step = 0usize;
    for epoch in 1..=opts.epochs {
        // Shuffle, then batch neighbours of similar length within blocks of 50 batches.
        let mut order: Vec<usize> = (0..examples.len()).collect();
        crate::learn::shuffle(&mut order, &mut rng);
        for block in order.chunks_mut(opts.batch * 50) {
            block.sort_by_key(|&k| examples[k].ids.len());
        }
        let mut batches: Vec<&[usize]> = order.chunks(opts.batch).collect();
        let mut border: Vec<usize> = (0..batches.len()).collect();
        crate::learn::shuffle(&mut border, &mut rng);
        batches = border.iter().map(|&k| batches[k]).collect();
        let t0 = std::time::Instant::now();
        let mut loss_sum = 0.0;
        for (bi, idx) in batches.iter().enumerate() {
            let lr = if step < warmup {
                opts.lr * (step + 1) as f64 / warmup as f64
            } else {
                opts.lr * (total - step) as f64 / (total - warmup).max(1) as f64
            };
            opt.set_lr(lr.max(0.0));
            let batch: Vec<&Encoded> = idx.iter().map(|&k| &examples[k]).collect();
            let (logits, labels) = net.forward(&batch, true)?;
            let loss = logits
                .view([-1, TAGS.len() as i64])
                .cross_entropy_loss::<Tensor>(&labels.view([-1]), None, Reduction::Mean, -100, 0.0);
            opt.backward_step_clip_norm(&loss, 1.0);
            loss_sum += loss.double_value(&[]);
            step += 1;
            if (bi + 1) % 50 == 0 {
                log(&format!(
                    "epoch {epoch} step {}/{}: loss {:.4}, {:.1} s",
                    bi + 1,
                    batches.len(),
                    loss_sum / 50.0,
                    t0.elapsed().as_secs_f64()
                ));
                loss_sum = 0.0;
            }
        }
        let dev_f1 = evaluate(&net, &dev.docs, &dev_priors)?;
        log(&format!(
            "epoch {epoch}: dev F1 {dev_f1:.2} ({:.0} s)",
            t0.elapsed().as_secs_f64()
        ));
        if best.is_none_or(|b| dev_f1 > b) {
            best = Some(dev_f1);
            net.save_half(out)?;
            log(&format!("saved {}", out.display()));
        }
    }
    best.context("no epoch")
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

/// Sentences as owned words: (words, priors, left context, right context).
type OwnedSentence = (Vec<String>, Vec<&'static str>, Vec<String>, Vec<String>);
type Reply = mpsc::Sender<Result<Vec<(Vec<usize>, Vec<f32>)>, String>>;
type Request = (Vec<OwnedSentence>, Reply);

/// A [`Recognizer`] backed by [`BertNer`] on its own thread: callers from any thread send
/// sentences through a channel; the model thread batches what is waiting and answers each.
pub struct BertRecognizer {
    tx: Mutex<mpsc::Sender<Request>>,
    prior: perceptron::PerceptronNer,
}

impl BertRecognizer {
    /// Loads the model in `files` on a new thread.
    pub fn start(files: ModelFiles) -> Result<Self> {
        let (tx, rx) = mpsc::channel::<Request>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
        std::thread::Builder::new()
            .name("whosaid-bert".into())
            .spawn(move || {
                let net = BertNer::new(&files).and_then(|mut n| {
                    n.load(&files.weights, false)?;
                    Ok(n)
                });
                let net = match net {
                    Ok(n) => {
                        let _ = ready_tx.send(Ok(()));
                        n
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(format!("{e:#}")));
                        return;
                    }
                };
                while let Ok(first) = rx.recv() {
                    // Batch the requests that are waiting, up to a few hundred sentences.
                    let mut reqs = vec![first];
                    while reqs.iter().map(|r| r.0.len()).sum::<usize>() < 256 {
                        match rx.try_recv() {
                            Ok(r) => reqs.push(r),
                            Err(_) => break,
                        }
                    }
                    fn strs(v: &[String]) -> Vec<&str> {
                        v.iter().map(String::as_str).collect()
                    }
                    let sents: Vec<Sentence> = reqs
                        .iter()
                        .flat_map(|r| {
                            r.0.iter().map(|(w, p, l, rt)| Sentence {
                                words: strs(w),
                                priors: p.clone(),
                                left: strs(l),
                                right: strs(rt),
                            })
                        })
                        .collect();
                    match net.tag(&sents) {
                        Ok(mut tagged) => {
                            for (sents, reply) in reqs {
                                let rest = tagged.split_off(sents.len());
                                let _ = reply.send(Ok(std::mem::replace(&mut tagged, rest)));
                            }
                        }
                        Err(e) => {
                            for (_, reply) in reqs {
                                let _ = reply.send(Err(format!("{e:#}")));
                            }
                        }
                    }
                }
            })?;
        ready_rx
            .recv()
            .context("the model thread stopped")?
            .map_err(|e| anyhow::anyhow!(e))?;
        Ok(BertRecognizer {
            tx: Mutex::new(tx),
            prior: perceptron::PerceptronNer::default_model()?,
        })
    }

    /// Tags a document's sentences; errors (a model thread gone) come back as messages.
    pub fn tag_doc(&self, doc: &Doc) -> Result<(Vec<usize>, Vec<f32>)> {
        let words: Vec<&str> = doc.tokens.iter().map(|t| t.text(doc.text)).collect();
        let priors = perceptron::iob2_names(&self.prior.model().tag(&words, &doc.sentences).0);
        let owned = |v: &[&str]| -> Vec<String> { v.iter().map(|w| w.to_string()).collect() };
        let sents: Vec<OwnedSentence> = doc
            .sentences
            .iter()
            .map(|&(s, e)| {
                (
                    owned(&words[s..e]),
                    priors[s..e].to_vec(),
                    owned(&words[s.saturating_sub(CONTEXT_WORDS)..s]),
                    owned(&words[e..(e + CONTEXT_WORDS).min(words.len())]),
                )
            })
            .collect();
        let (rtx, rrx) = mpsc::channel();
        self.tx
            .lock()
            .map_err(|_| anyhow::anyhow!("model channel poisoned"))?
            .send((sents, rtx))
            .map_err(|_| anyhow::anyhow!("the model thread stopped"))?;
        let tagged = rrx
            .recv()
            .context("the model thread stopped")?
            .map_err(|e| anyhow::anyhow!(e))?;
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
    fn case_classes() {
        assert_eq!(case_class("rubio"), 1);
        assert_eq!(case_class("Rubio"), 2);
        assert_eq!(case_class("NATO"), 3);
        assert_eq!(case_class("McCain"), 4);
        assert_eq!(case_class("2025"), 5);
        assert_eq!(case_class(","), 6);
        assert_eq!(prior_id("B-LOC"), 6);
    }
}
