//! Word taggers on a fine-tuned MiniLM encoder (cargo feature `bert`), shared by the stages
//! that have a transformer tier (NER, attribution cues).
//!
//! A [`WordTagger`] is the all-MiniLM-L6-v2 encoder (BERT architecture, uncased) run by
//! rust-bert on libtorch, with a head that also sees what the encoder cannot: each word's case
//! shape, and a prior tag for it from the stage's default model. The head reads each word's
//! first word piece. Sentences are encoded with the words around them as context, in windows
//! of at most [`MAX_PIECES`] pieces; only the sentence's words are tagged.
//!
//! - [`fine_tune`] trains encoder and head with AdamW on windows built by
//!   [`WordTagger::encode`], keeping the epoch the caller's evaluation likes best.
//! - [`TaggerThread`] serves a tagger to any number of threads: libtorch modules are not
//!   `Sync`, so one thread owns the model and batches the sentences of all waiting callers.

use anyhow::{bail, Context, Result};
use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use rust_bert::Config;
use rust_tokenizers::tokenizer::{BertTokenizer, Tokenizer};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};
use tch::nn::{self, Module, OptimizerConfig};
use tch::{Device, Kind, Reduction, Tensor};

/// Most word pieces in one window, [CLS] and [SEP] included.
pub const MAX_PIECES: usize = 128;
/// Most words of context taken on either side of a sentence by the NER tagger.
pub const CONTEXT_WORDS: usize = 64;
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

/// The number format of an encoder's weights and arithmetic at inference (training always
/// uses 32-bit floats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// 32-bit floats.
    F32,
    /// bfloat16: weights and activations in 16 bits (8 of mantissa). About twice as fast on a
    /// CPU with bf16 instructions (AVX512-BF16), where libtorch runs it through oneDNN; far
    /// slower where it must be emulated.
    Bf16,
}

impl Precision {
    /// `auto` (bf16 where this CPU has bf16 instructions, else f32), `bf16` or `f32`.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "auto" => Self::auto(),
            "bf16" => Precision::Bf16,
            "f32" => Precision::F32,
            _ => bail!("unknown precision {s:?} (auto, bf16 or f32)"),
        })
    }

    /// bf16 where this CPU computes it natively, else f32.
    pub fn auto() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512bf16") {
            return Precision::Bf16;
        }
        Precision::F32
    }
}

/// What a tagger's head is: the name its weights are stored under, its output tags and its
/// prior tags (ids `1..=priors`; 0 pads). A head may tag each word in several groups at once
/// (cue, source and content tags of attribution), each group its own softmax over `tags`.
#[derive(Debug, Clone, Copy)]
pub struct Head {
    /// Prefix of the head's variables in the weights file.
    pub name: &'static str,
    /// Number of output tags of each group.
    pub tags: usize,
    /// Number of prior tags.
    pub priors: usize,
    /// Number of groups of tags (1 for a plain tagger).
    pub groups: usize,
}

impl Head {
    /// Outputs per word: `tags` of each group, group after group.
    pub fn width(&self) -> usize {
        self.tags * self.groups
    }
}

/// The case shape of a word: what the uncased encoder does not see.
pub fn case_class(w: &str) -> i64 {
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

/// A sentence to tag: its words, a prior tag id per word, and the words around it (context
/// the encoder sees).
#[derive(Debug, Clone, Default)]
pub struct Window<'a> {
    /// The words.
    pub words: Vec<&'a str>,
    /// Prior tag id of each word (`1..=Head::priors`).
    pub priors: Vec<i64>,
    /// Words before the sentence (its document's previous sentences), nearest last.
    pub left: Vec<&'a str>,
    /// Words after it, nearest first.
    pub right: Vec<&'a str>,
}

impl<'a> Window<'a> {
    /// The sentences `(s, e)` of a document, each with up to `context` words of context on
    /// either side.
    pub fn of_doc(
        words: &[&'a str],
        priors: &[i64],
        sentences: &[(usize, usize)],
        context: usize,
    ) -> Vec<Self> {
        sentences
            .iter()
            .map(|&(s, e)| {
                let (left, right) = around(words, (s, e), context);
                Window {
                    words: words[s..e].to_vec(),
                    priors: priors[s..e].to_vec(),
                    left: left.to_vec(),
                    right: right.to_vec(),
                }
            })
            .collect()
    }
}

/// Consecutive sentences joined into spans of at most `max_words` words (a longer sentence
/// stays alone): one window of the encoder then tags several short sentences, each the
/// others' context, instead of each filling a window mostly with context.
pub fn pack(sentences: &[(usize, usize)], max_words: usize) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &(s, e) in sentences {
        match out.last_mut() {
            Some(last) if last.1 == s && e - last.0 <= max_words => last.1 = e,
            _ => out.push((s, e)),
        }
    }
    out
}

/// The up to `n` words on either side of the sentence `[s, e)` of `words`.
pub fn around<T>(words: &[T], (s, e): (usize, usize), n: usize) -> (&[T], &[T]) {
    (
        &words[s.saturating_sub(n)..s],
        &words[e..(e + n).min(words.len())],
    )
}

/// One window ready for the network.
#[derive(Debug, Clone, Default)]
pub struct Encoded {
    ids: Vec<i64>,
    /// Index in `ids` of each word's first piece.
    first: Vec<i64>,
    case: Vec<i64>,
    prior: Vec<i64>,
    /// Gold tag per word and group, for training (-100 where unknown).
    labels: Vec<i64>,
}

/// What the tagger says of the words of one sentence.
#[derive(Debug, Clone, Default)]
pub struct Tagged {
    /// The most probable tag of each word (in the first group).
    pub tags: Vec<usize>,
    /// Its probability.
    pub probs: Vec<f32>,
    /// Every tag's probability, word by word and group by group
    /// (`dist[i * head.width() + g * head.tags + t]`).
    pub dist: Vec<f32>,
}

impl Tagged {
    /// `n` words, all of tag 0 at probability 1 in every group of `head`.
    pub fn outside(n: usize, head: &Head) -> Self {
        let mut dist = vec![0.0; n * head.width()];
        dist.iter_mut()
            .step_by(head.tags.max(1))
            .for_each(|p| *p = 1.0);
        Tagged {
            tags: vec![0; n],
            probs: vec![1.0; n],
            dist,
        }
    }
}

/// The network: encoder, case and prior embeddings, and a linear classifier.
pub struct WordTagger {
    vs: nn::VarStore,
    bert: BertModel<BertEmbeddings>,
    case: nn::Embedding,
    prior: nn::Embedding,
    out: nn::Linear,
    tokenizer: BertTokenizer,
    head: Head,
    cls: i64,
    sep: i64,
    unk: i64,
}

impl WordTagger {
    /// Builds the network on the CPU; weights are random until [`WordTagger::load`].
    pub fn new(files: &ModelFiles, head: Head) -> Result<Self> {
        let config = BertConfig::from_file(&files.config);
        let vs = nn::VarStore::new(Device::Cpu);
        let root = vs.root();
        let bert = BertModel::<BertEmbeddings>::new_with_optional_pooler(&root, &config, false);
        let h = &root / head.name;
        let case = nn::embedding(&h / "case", CASE_CLASSES, CASE_DIM, Default::default());
        let prior = nn::embedding(
            &h / "prior",
            head.priors as i64 + 1,
            PRIOR_DIM,
            Default::default(),
        );
        let out = nn::linear(
            &h / "out",
            config.hidden_size + CASE_DIM + PRIOR_DIM,
            head.width() as i64,
            Default::default(),
        );
        let tokenizer = BertTokenizer::from_file(&files.vocab, true, true)
            .with_context(|| format!("reading the vocabulary {}", files.vocab.display()))?;
        let id = |t: &str| tokenizer.convert_tokens_to_ids(&[t])[0];
        let (cls, sep, unk) = (id("[CLS]"), id("[SEP]"), id("[UNK]"));
        Ok(WordTagger {
            vs,
            bert,
            case,
            prior,
            out,
            tokenizer,
            head,
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
            if missing.iter().any(|m| !m.starts_with(self.head.name)) {
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

    /// Converts the weights for inference at `precision` (after [`WordTagger::load`]).
    pub fn set_precision(&mut self, precision: Precision) {
        match precision {
            Precision::F32 => self.vs.float(),
            Precision::Bf16 => self.vs.bfloat16(),
        }
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

    /// Encodes a sentence with its prior tags (and gold tags, for training: one per word and
    /// group, word by word) in windows of at most [`MAX_PIECES`] pieces; each window covers a
    /// word range `[a, b)` and is filled up with the words around it, which the encoder sees
    /// but which get no tags.
    pub fn encode(&self, s: &Window, gold: Option<&[usize]>) -> Vec<(usize, usize, Encoded)> {
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
                e.prior.push(s.priors[i].clamp(0, self.head.priors as i64));
                let g = self.head.groups;
                match gold {
                    Some(gold) => e
                        .labels
                        .extend(gold[i * g..(i + 1) * g].iter().map(|&t| t as i64)),
                    None => e.labels.extend(std::iter::repeat_n(-100, g)),
                }
            }
            e.ids.extend(&right);
            e.ids.push(self.sep);
            out.push((a, b, e));
        }
        out
    }

    /// Logits `[batch, words, groups * tags]` and gold labels `[batch, words, groups]` of a
    /// batch of windows.
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
        let g = self.head.groups;
        let mut labels = vec![-100i64; (b * w) as usize * g];
        for (k, e) in batch.iter().enumerate() {
            let (ot, ow) = (k * t as usize, k * w as usize);
            labels[ow * g..ow * g + e.labels.len()].copy_from_slice(&e.labels);
            ids[ot..ot + e.ids.len()].copy_from_slice(&e.ids);
            mask[ot..ot + e.ids.len()].fill(1);
            let n = e.first.len();
            first[ow..ow + n].copy_from_slice(&e.first);
            case[ow..ow + n].copy_from_slice(&e.case);
            prior[ow..ow + n].copy_from_slice(&e.prior);
        }
        let ids = Tensor::from_slice(&ids).view([b, t]);
        let mask = Tensor::from_slice(&mask).view([b, t]);
        let first = Tensor::from_slice(&first).view([b, w]);
        let case = Tensor::from_slice(&case).view([b, w]);
        let prior = Tensor::from_slice(&prior).view([b, w]);
        let labels = Tensor::from_slice(&labels).view([b, w, g as i64]);
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
        // Logits in f32 whatever the weights' precision (softmax, loss).
        Ok((self.out.forward(&feats).to_kind(Kind::Float), labels))
    }

    /// Tags sentences: for each, its words' tag indices and their probabilities.
    pub fn tag(&self, sents: &[Window]) -> Result<Vec<Tagged>> {
        let mut windows = Vec::new();
        for (si, s) in sents.iter().enumerate() {
            for (a, b, e) in self.encode(s, None) {
                windows.push((si, a, b, e));
            }
        }
        let (k, g) = (self.head.tags, self.head.groups);
        let width = k * g;
        let mut out: Vec<Tagged> = sents
            .iter()
            .map(|s| Tagged::outside(s.words.len(), &self.head))
            .collect();
        // Batches of similar length waste less padding.
        let mut order: Vec<usize> = (0..windows.len()).collect();
        order.sort_by_key(|&k| windows[k].3.ids.len());
        let _guard = tch::no_grad_guard();
        for chunk in order.chunks(32) {
            let batch: Vec<&Encoded> = chunk.iter().map(|&k| &windows[k].3).collect();
            let (logits, _) = self.forward(&batch, false)?;
            let (nb, nw) = (logits.size()[0], logits.size()[1]);
            let probs = logits
                .view([nb, nw, g as i64, k as i64])
                .softmax(-1, Kind::Float);
            let (best_p, best) = probs.select(2, 0).max_dim(-1, false);
            let best = Vec::<i64>::try_from(best.flatten(0, -1))?;
            let best_p = Vec::<f32>::try_from(best_p.flatten(0, -1))?;
            let all = Vec::<f32>::try_from(probs.flatten(0, -1))?;
            let w = logits.size()[1] as usize;
            for (n, &wi) in chunk.iter().enumerate() {
                let (si, a, b, _) = &windows[wi];
                let o = &mut out[*si];
                for j in 0..b - a {
                    o.tags[a + j] = best[n * w + j] as usize;
                    o.probs[a + j] = best_p[n * w + j];
                    let r = (n * w + j) * width;
                    o.dist[(a + j) * width..(a + j + 1) * width]
                        .copy_from_slice(&all[r..r + width]);
                }
            }
        }
        Ok(out)
    }
}

/// Settings of [`fine_tune`].
#[derive(Debug, Clone)]
pub struct FineTune {
    /// Passes over the training windows.
    pub epochs: usize,
    /// Peak learning rate (linear warm-up over the first tenth, then linear decay).
    pub lr: f64,
    /// Windows per step.
    pub batch: usize,
    /// Seed for shuffling (the caller seeds libtorch before building the network).
    pub seed: u64,
}

/// Fine-tunes `net` on `examples` (windows with gold labels); after each epoch `evaluate`
/// scores it, and the best epoch so far is written to `out` in half precision. Returns the
/// best score.
pub fn fine_tune(
    net: &mut WordTagger,
    examples: &[Encoded],
    opts: &FineTune,
    out: &Path,
    mut evaluate: impl FnMut(&WordTagger) -> Result<f64>,
    mut log: impl FnMut(&str),
) -> Result<f64> {
    let steps_per_epoch = examples.len().div_ceil(opts.batch);
    let total = (steps_per_epoch * opts.epochs).max(1);
    let warmup = (total / 10).max(1);
    let mut opt = nn::AdamW::default().build(&net.vs, opts.lr)?;
    opt.set_weight_decay(0.01);
    let mut rng = opts.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut best: Option<f64> = None;
    let mut step = 0usize;
    let tags = net.head.tags as i64;
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
            let loss = logits.view([-1, tags]).cross_entropy_loss::<Tensor>(
                &labels.view([-1]),
                None,
                Reduction::Mean,
                -100,
                0.0,
            );
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
        let score = evaluate(net)?;
        log(&format!(
            "epoch {epoch}: dev {score:.2} ({:.0} s)",
            t0.elapsed().as_secs_f64()
        ));
        if best.is_none_or(|b| score > b) {
            best = Some(score);
            net.save_half(out)?;
            log(&format!("saved {}", out.display()));
        }
    }
    best.context("no epoch")
}

/// A sentence as owned words: (words, prior ids, left context, right context).
pub type OwnedWindow = (Vec<String>, Vec<i64>, Vec<String>, Vec<String>);
type Reply = mpsc::Sender<Result<Vec<Tagged>, String>>;
type Request = (Vec<OwnedWindow>, Reply);

/// The sentences `(s, e)` of a document as owned windows (see [`Window::of_doc`]).
pub fn owned_windows(
    words: &[&str],
    priors: &[i64],
    sentences: &[(usize, usize)],
    context: usize,
) -> Vec<OwnedWindow> {
    let owned = |v: &[&str]| -> Vec<String> { v.iter().map(|w| w.to_string()).collect() };
    sentences
        .iter()
        .map(|&(s, e)| {
            let (left, right) = around(words, (s, e), context);
            (
                owned(&words[s..e]),
                priors[s..e].to_vec(),
                owned(left),
                owned(right),
            )
        })
        .collect()
}

/// A [`WordTagger`] on its own thread: callers from any thread send sentences through a
/// channel; the model thread batches what is waiting and answers each.
pub struct TaggerThread {
    tx: Mutex<mpsc::Sender<Request>>,
}

impl TaggerThread {
    /// Loads the tagger in `files` with `head` on a new thread, computing at `precision`.
    pub fn start(files: ModelFiles, head: Head, precision: Precision) -> Result<Self> {
        let (tx, rx) = mpsc::channel::<Request>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
        std::thread::Builder::new()
            .name(format!("whosaid-{}", head.name))
            .spawn(move || {
                let net = WordTagger::new(&files, head).and_then(|mut n| {
                    n.load(&files.weights, false)?;
                    n.set_precision(precision);
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
                    let sents: Vec<Window> = reqs
                        .iter()
                        .flat_map(|r| {
                            r.0.iter().map(|(w, p, l, rt)| Window {
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
        Ok(TaggerThread { tx: Mutex::new(tx) })
    }

    /// Tags sentences on the model thread; errors (a model thread gone) come back as
    /// messages.
    pub fn tag(&self, sents: Vec<OwnedWindow>) -> Result<Vec<Tagged>> {
        let (rtx, rrx) = mpsc::channel();
        self.tx
            .lock()
            .map_err(|_| anyhow::anyhow!("model channel poisoned"))?
            .send((sents, rtx))
            .map_err(|_| anyhow::anyhow!("the model thread stopped"))?;
        rrx.recv()
            .context("the model thread stopped")?
            .map_err(|e| anyhow::anyhow!(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_pack_into_spans() {
        let sents = [(0, 10), (10, 30), (30, 100), (100, 105), (105, 110)];
        assert_eq!(pack(&sents, 30), vec![(0, 30), (30, 100), (100, 110)]);
        assert_eq!(pack(&sents, 0), sents.to_vec());
        assert_eq!(
            pack(&[(0, 5), (7, 9)], 64),
            vec![(0, 5), (7, 9)],
            "not across a gap"
        );
        assert!(pack(&[], 64).is_empty());
    }

    #[test]
    fn precisions_by_name() {
        assert_eq!(Precision::parse("bf16").unwrap(), Precision::Bf16);
        assert_eq!(Precision::parse("f32").unwrap(), Precision::F32);
        assert_eq!(Precision::parse("auto").unwrap(), Precision::auto());
        let e = Precision::parse("fp8").unwrap_err().to_string();
        assert!(e.contains("auto, bf16 or f32"), "{e}");
    }

    #[test]
    fn case_classes() {
        assert_eq!(case_class("rubio"), 1);
        assert_eq!(case_class("Rubio"), 2);
        assert_eq!(case_class("NATO"), 3);
        assert_eq!(case_class("McCain"), 4);
        assert_eq!(case_class("2025"), 5);
        assert_eq!(case_class(","), 6);
    }
}
