//! The transformer tier of attribution (cargo feature `bert`, `--quotes bert`): a MiniLM cue
//! tagger in front of the learned model's rankers.
//!
//! The perceptron tagger tags every sentence first; a [`WordTagger`] then reads each sentence
//! with its neighbours and the perceptron's O/B/I tags as priors, and its cues replace the
//! perceptron's. Contents and sources are chosen by the learned model's rankers as in
//! `--quotes model`. Most quotes the default model misses have cues it has seen too rarely
//! (beliefs, plans, stances); a pretrained encoder knows such words from elsewhere.
//!
//! Trained by [`train`] (`whosaid train bert-quotes`): the perceptron priors on PolNeAR train
//! are jackknifed (each fifth tagged by a quote model trained on the other four), so they are
//! as wrong there as on new text; the epoch is chosen by attribution F1 on dev. A quote's
//! confidence is its cue's least tag probability, mapped by a logistic curve fitted on dev
//! ([`calibrate`], `calibration.json` in the model's folder).

use super::context::{flag, tokens_of, Ctx, Range};
use super::hints::{log_odds, RoleHints};
use super::train::{self as perceptron_train, TrainOptions};
use super::{QuoteModel, SentenceCues, B, I, O};
use crate::eval;
use crate::learn::bert::{
    self as net, FineTune, Head, ModelFiles, Precision, Tagged, TaggerThread, Window, WordTagger,
};
use crate::learn::calibrate::{platt, reliability};
use crate::ner::clusters::Clusters;
use crate::ner::perceptron::PerceptronNer;
use crate::pipeline::Pipeline;
use crate::polnear::GoldArticle;
use crate::quote::{Quote, QuoteDetector, RuleQuotes};
use crate::tokenize::{Doc, NewsSegmenter, Segmenter};
use crate::work::Meter;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The cue head: O/B/I out, the perceptron tagger's O/B/I in.
const CUE_HEAD: Head = Head {
    name: "cue_head",
    tags: 3,
    priors: 3,
    groups: 1,
};

/// The role head: O/B/I of cues, sources and contents (three groups, in that order), the
/// perceptron tagger's cue O/B/I in. Sources and contents are tagged as the union of the
/// article's spans of the role (nested contents inside one I run).
const ROLE_HEAD: Head = Head {
    name: "role_head",
    tags: 3,
    priors: 3,
    groups: 3,
};

/// Groups of the role head.
const CUE: usize = 0;
const SOURCE: usize = 1;
const CONTENT: usize = 2;

/// The head of the weights file `path`: the role head where it has one, else the cue head.
/// (A safetensors file opens with the length of its JSON header, which names every tensor.)
fn head_of(path: &Path) -> Result<Head> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut len = [0u8; 8];
    f.read_exact(&mut len)
        .with_context(|| format!("reading {}", path.display()))?;
    let n = u64::from_le_bytes(len).min(1 << 24) as usize;
    let mut header = vec![0u8; n];
    f.read_exact(&mut header)
        .with_context(|| format!("reading {}", path.display()))?;
    let key = format!("\"{}.out.weight\"", ROLE_HEAD.name);
    Ok(
        match header.windows(key.len()).any(|w| w == key.as_bytes()) {
            true => ROLE_HEAD,
            false => CUE_HEAD,
        },
    )
}

/// Words of context on either side of a sentence: fewer than NER's, as a cue is mostly
/// decided within its sentence (and the encoder's cost grows with its windows).
const CONTEXT: usize = 16;

/// A cue the perceptron did not tag is kept only when the encoder gives each of its words'
/// tags at least this probability. Chosen on dev, where the encoder's cues alone score
/// attribution F1 66.34; with this rule 67.69 at 0.55, 67.79 at 0.6, 67.91 at 0.7, 67.17 at 0.8
/// (dev quotes of the encoder alone at 0.5–0.6 are right 32% of the time). 0.55 is the low end
/// of that plateau, which keeps the most pronoun speakers found (77.35% against 71.97% at 0.7).
const SOLO: f32 = 0.55;

/// The cues to decide: the encoder's, each kept where the perceptron tagged an overlapping cue
/// or where the encoder is sure of it ([`SOLO`]). Cues the encoder does not tag are dropped.
fn combine(perceptron: &SentenceCues, encoder: SentenceCues) -> SentenceCues {
    encoder
        .into_iter()
        .enumerate()
        .map(|(si, cues)| {
            let theirs = perceptron.get(si).map(Vec::as_slice).unwrap_or_default();
            cues.into_iter()
                .filter(|&((a, b), conf)| {
                    conf >= SOLO || theirs.iter().any(|&((c, d), _)| a < d && c < b)
                })
                .collect()
        })
        .collect()
}

/// The file in a cue tagger's folder that holds its confidence calibration.
const CALIBRATION: &str = "calibration.json";

/// A logistic curve from a cue's least tag probability p to a quote's confidence:
/// sigmoid(a · logit(p) + b). Without a calibration file, the identity (a = 1, b = 0).
/// Also the weights of a role tagger's source and content hints in the rankers' scores
/// (chosen on dev; 0 for a cue tagger).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Slope on the logit.
    pub a: f32,
    /// Offset.
    pub b: f32,
    /// Weights of the source and content hints.
    #[serde(default)]
    pub roles: [f32; 2],
}

fn logit(p: f32) -> f32 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

impl Calibration {
    const IDENTITY: Calibration = Calibration {
        a: 1.0,
        b: 0.0,
        roles: [0.0; 2],
    };

    /// The calibration in the model folder `dir`; the identity where it has none.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(CALIBRATION);
        if !path.exists() {
            return Ok(Self::IDENTITY);
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// The curve that best predicts `pairs` (raw probability, right) by log loss.
    pub fn fit(pairs: &[(f32, bool)]) -> Self {
        let logits: Vec<(f32, bool)> = pairs.iter().map(|&(p, ok)| (logit(p), ok)).collect();
        let [a, b] = platt(&logits);
        Calibration {
            a,
            b,
            roles: [0.0; 2],
        }
    }

    /// The confidence of a raw probability.
    pub fn apply(&self, p: f32) -> f32 {
        1.0 / (1.0 + (-(self.a * logit(p) + self.b)).exp())
    }
}

/// Prior ids (1 = O, 2 = B, 3 = I) of every token from the perceptron's cues.
fn priors(doc: &Doc, cues: &SentenceCues) -> Vec<i64> {
    let mut p = vec![1 + O as i64; doc.tokens.len()];
    for &((a, b), _) in cues.iter().flatten() {
        if a < b && b <= p.len() {
            p[a] = 1 + B as i64;
            p[a + 1..b].fill(1 + I as i64);
        }
    }
    p
}

/// The tokens of a document as words.
fn words<'a>(doc: &Doc<'a>) -> Vec<&'a str> {
    doc.tokens.iter().map(|t| t.text(doc.text)).collect()
}

/// Cue spans of each sentence from the tagger's tags; an I with no B before it starts a cue.
/// A cue's confidence is the least probability among its words' tags.
fn cues_of(doc: &Doc, tagged: &[Tagged]) -> SentenceCues {
    doc.sentences
        .iter()
        .zip(tagged)
        .map(|(&(ss, _), Tagged { tags, probs, .. })| {
            let mut out = Vec::new();
            let mut k = 0;
            while k < tags.len() {
                if tags[k] == O {
                    k += 1;
                    continue;
                }
                let mut e = k + 1;
                while e < tags.len() && tags[e] == I {
                    e += 1;
                }
                let conf = probs[k..e].iter().copied().fold(1.0f32, f32::min);
                out.push(((ss + k, ss + e), conf));
                k = e;
            }
            out
        })
        .collect()
}

/// Source and content log-odds of every token of a document (`None` for a cue head); 0 in
/// the sentences the encoder did not read.
type Odds = Option<(Vec<f32>, Vec<f32>)>;

fn odds_of(doc: &Doc, tagged: &[Tagged], read: &[bool], head: &Head) -> Odds {
    if head.groups <= CONTENT {
        return None;
    }
    let n = doc.tokens.len();
    let (mut src, mut con) = (vec![0f32; n], vec![0f32; n]);
    let (w, k) = (head.width(), head.tags);
    for ((&(s, e), t), &r) in doc.sentences.iter().zip(tagged).zip(read) {
        if !r || t.dist.len() < (e - s) * w {
            continue;
        }
        for i in 0..e - s {
            let d = &t.dist[i * w..(i + 1) * w];
            for (g, out) in [(SOURCE, &mut src), (CONTENT, &mut con)] {
                let p = &d[g * k..(g + 1) * k];
                out[s + i] = log_odds(p[O], p[B], p[I]);
            }
        }
    }
    Some((src, con))
}

/// Whether the encoder reads each sentence (the cascade): only sentences that hold a cue of
/// the perceptron's, a word of the cue lexicon or a quotation mark. In the others the encoder
/// could only add a cue the perceptron missed; the lexicon knows most such words.
fn worth_reading(ctx: &Ctx, cues: &SentenceCues) -> Vec<bool> {
    ctx.doc
        .sentences
        .iter()
        .enumerate()
        .map(|(si, &(s, e))| {
            cues.get(si).is_some_and(|c| !c.is_empty())
                || ctx.toks[s..e]
                    .iter()
                    .any(|t| t.class != 0 || t.flags & flag::QUOTE != 0)
        })
        .collect()
}

/// `--quotes bert`: the learned model with the MiniLM cue tagger on its own thread.
pub struct BertQuotes {
    model: QuoteModel,
    thread: TaggerThread,
    warned: AtomicBool,
    /// Whether the encoder reads only the sentences [`worth_reading`].
    cascade: bool,
    calibration: Calibration,
    /// The tagger's head: cues alone, or cues, sources and contents.
    head: Head,
    /// Tokens of all sentences, and of those the encoder read.
    words: AtomicU64,
    read: AtomicU64,
}

impl BertQuotes {
    /// Loads the cue tagger in `files` (on a new thread) and the built-in quote model; with
    /// `cascade`, the encoder reads only the sentences that hold a cue candidate. The encoder
    /// computes at `precision`.
    pub fn start(files: ModelFiles, cascade: bool, precision: Precision) -> Result<Self> {
        let dir = files.weights.parent().unwrap_or(Path::new("."));
        let calibration = Calibration::load(dir)?;
        let head = head_of(&files.weights)?;
        Ok(BertQuotes {
            calibration,
            head,
            model: QuoteModel::builtin()?,
            thread: TaggerThread::start(files, head, precision)?,
            warned: AtomicBool::new(false),
            cascade,
            words: AtomicU64::new(0),
            read: AtomicU64::new(0),
        })
    }

    /// The encoder's cues of the sentences worth reading (none in the others), and its role
    /// log-odds.
    fn recue(&self, ctx: &Ctx, cues: &SentenceCues) -> Result<(SentenceCues, Odds)> {
        let doc = ctx.doc;
        let w = words(doc);
        let read: Vec<bool> = match self.cascade {
            true => worth_reading(ctx, cues),
            false => vec![true; doc.sentences.len()],
        };
        let chosen: Vec<(usize, usize)> = doc
            .sentences
            .iter()
            .zip(&read)
            .filter(|(_, &r)| r)
            .map(|(&s, _)| s)
            .collect();
        let n_read: usize = chosen.iter().map(|&(s, e)| e - s).sum();
        self.words
            .fetch_add(doc.tokens.len() as u64, Ordering::Relaxed);
        self.read.fetch_add(n_read as u64, Ordering::Relaxed);
        let mut tagged = self
            .thread
            .tag(net::owned_windows(&w, &priors(doc, cues), &chosen, CONTEXT))?
            .into_iter();
        let full: Vec<Tagged> = doc
            .sentences
            .iter()
            .zip(&read)
            .map(|(&(s, e), &r)| match r {
                true => tagged.next().unwrap_or_default(),
                false => Tagged::outside(e - s, &self.head),
            })
            .collect();
        Ok((cues_of(doc, &full), odds_of(doc, &full, &read, &self.head)))
    }

    /// The cues to decide (the two taggers' combined, calibrated) and the role log-odds; the
    /// perceptron's cues alone, with a warning once, where the encoder fails.
    fn recued(&self, ctx: &Ctx, cues: SentenceCues) -> (SentenceCues, Odds) {
        match self.recue(ctx, &cues) {
            Ok((c, odds)) => {
                let mut c = combine(&cues, c);
                for x in c.iter_mut().flatten() {
                    x.1 = self.calibration.apply(x.1);
                }
                (c, odds)
            }
            Err(e) => {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    eprintln!("whosaid: the bert cue tagger failed ({e:#}); using the built-in model's cues");
                }
                (cues, None)
            }
        }
    }
}

/// Role hints from log-odds under `weights` (none where both are 0).
fn hints(odds: Odds, weights: [f32; 2]) -> Option<RoleHints> {
    let (s, c) = odds?;
    (weights != [0.0; 2]).then(|| RoleHints::new(&s, &c, weights))
}

impl QuoteDetector for BertQuotes {
    fn detect(&self, doc: &Doc, meter: &mut Meter) -> Vec<Quote> {
        // Work: one step per token (the encoder's cost is linear in its windows).
        meter.add(doc.tokens.len() as u64);
        let recue = |ctx: &Ctx, cues: SentenceCues| {
            let (c, odds) = self.recued(ctx, cues);
            (c, hints(odds, self.calibration.roles))
        };
        self.model.detect_with(doc, meter, Some(&recue))
    }

    fn notes(&self) -> Vec<String> {
        if !self.cascade {
            return Vec::new();
        }
        let (w, r) = (
            self.words.load(Ordering::Relaxed),
            self.read.load(Ordering::Relaxed),
        );
        vec![format!(
            "--bert-cascade: the bert cue tagger read {r} of {w} tokens ({:.1}%), the \
             sentences with a cue candidate",
            100.0 * r as f64 / w.max(1) as f64
        )]
    }
}

/// A detector with the cues of known texts given (what the tagger in training says of dev).
struct GivenCues {
    model: QuoteModel,
    cues: HashMap<String, SentenceCues>,
}

impl QuoteDetector for GivenCues {
    fn detect(&self, doc: &Doc, meter: &mut Meter) -> Vec<Quote> {
        let recue = |ctx: &Ctx, cues: SentenceCues| match self.cues.get(ctx.doc.text) {
            Some(c) => (combine(&cues, c.clone()), None),
            None => (cues, None),
        };
        self.model.detect_with(doc, meter, Some(&recue))
    }
}

/// The transformer tier with what the encoder said of each text kept: for choosing the role
/// weights on dev, where the same texts are decided under many weights.
struct Memo {
    quotes: Arc<BertQuotes>,
    memo: Arc<Mutex<HashMap<String, (SentenceCues, Odds)>>>,
    weights: [f32; 2],
}

impl QuoteDetector for Memo {
    fn detect(&self, doc: &Doc, meter: &mut Meter) -> Vec<Quote> {
        let recue = |ctx: &Ctx, cues: SentenceCues| {
            let known = self.lock().get(ctx.doc.text).cloned();
            let (c, odds) = known.unwrap_or_else(|| {
                let r = self.quotes.recued(ctx, cues);
                self.lock().insert(ctx.doc.text.to_string(), r.clone());
                r
            });
            (c, hints(odds, self.weights))
        };
        self.quotes.model.detect_with(doc, meter, Some(&recue))
    }
}

impl Memo {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (SentenceCues, Odds)>> {
        self.memo.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Weights of the source and content hints of the role tagger in `files`, chosen on `dev`
/// over a grid by the mean of attribution F1 and the three roles' mean exact F1 (none for a
/// cue tagger). The log shows each setting's figures.
pub fn tune_roles(
    files: &ModelFiles,
    dev: &[GoldArticle],
    mut log: impl FnMut(&str),
) -> Result<[f32; 2]> {
    let mut q = BertQuotes::start(files.clone(), false, Precision::F32)?;
    if q.head.groups <= CONTENT {
        return Ok([0.0; 2]);
    }
    q.calibration = Calibration::IDENTITY;
    let quotes = Arc::new(q);
    let memo = Arc::new(Mutex::new(HashMap::new()));
    let mut pipeline = Pipeline::with_parts(
        Box::new(PerceptronNer::default_model()?),
        Box::new(RuleQuotes::rules_only()),
    )?;
    let mut run = |weights: [f32; 2]| -> f64 {
        pipeline.set_quotes(Box::new(Memo {
            quotes: quotes.clone(),
            memo: memo.clone(),
            weights,
        }));
        let e = eval::evaluate(&pipeline, dev);
        let s = &e.scores;
        let r: Vec<f64> = e.roles.iter().map(|c| c.score().exact[2]).collect();
        log(&format!(
            "role weights source {:.3} content {:.3}: attribution F1 {:.2} (R {:.2}), direct {:.2}, speaker {:.2}, content@0.9 {:.2}; roles source {:.1} cue {:.1} content {:.1}",
            weights[0], weights[1], s.attribution[2], s.attribution[1], s.direct[2], s.speaker_acc, s.content9[2], r[0], r[1], r[2]
        ));
        // Both of issue #14's kinds of figure: attribution, and each role alone.
        (s.attribution[2] + r.iter().sum::<f64>() / 3.0) / 2.0
    };
    const GRID: [f32; 11] = [0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0];
    let mut best = ([0.0f32; 2], run([0.0; 2]));
    // The content weight first, then the source's at the best content weight.
    for role in [1, 0] {
        let base = best.0;
        for &w in &GRID {
            let mut ws = base;
            ws[role] = w;
            if ws == base {
                continue;
            }
            let f = run(ws);
            if f > best.1 {
                best = (ws, f);
            }
        }
    }
    let ([s, c], f) = best;
    log(&format!(
        "chosen: source {s:.3} content {c:.3} (mean of attribution and role F1 {f:.2})"
    ));
    Ok(best.0)
}

/// Chooses the role weights of the tagger in `files` on `dev` ([`tune_roles`]), fits its
/// confidence calibration on the model quotes it then gives on `dev`, writes both to its
/// folder and returns them. The log shows the reliability before,
/// and after a two-fold cross-fit (each half of the quotes mapped by the curve fitted on the
/// other half): what the curve does for quotes it was not fitted on. The tagger computes in
/// f32 here, the reference that bf16 approximates.
pub fn calibrate(
    files: &ModelFiles,
    dev: &[GoldArticle],
    mut log: impl FnMut(&str),
) -> Result<Calibration> {
    let roles = tune_roles(files, dev, &mut log)?;
    let mut q = BertQuotes::start(files.clone(), false, Precision::F32)?;
    q.calibration = Calibration {
        roles,
        ..Calibration::IDENTITY
    };
    let pipeline = Pipeline::with_parts(Box::new(PerceptronNer::default_model()?), Box::new(q))?;
    let pairs = eval::evaluate(&pipeline, dev).model_quotes;
    let (x, y) = pairs.split_at(pairs.len() / 2);
    let (fx, fy) = (Calibration::fit(y), Calibration::fit(x));
    let cross: Vec<(f32, bool)> = x
        .iter()
        .map(|&(p, ok)| (fx.apply(p), ok))
        .chain(y.iter().map(|&(p, ok)| (fy.apply(p), ok)))
        .collect();
    log(&format!(
        "dev model quotes {}: expected calibration error {:.3} raw, {:.3} cross-fitted",
        pairs.len(),
        reliability(&pairs).1,
        reliability(&cross).1
    ));
    log(eval::calibration_report(&cross).trim_end());
    let cal = Calibration {
        roles,
        ..Calibration::fit(&pairs)
    };
    let dir = files.weights.parent().unwrap_or(Path::new("."));
    let path = dir.join(CALIBRATION);
    std::fs::write(&path, serde_json::to_string_pretty(&cal)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    log(&format!(
        "calibration sigmoid({:.4} * logit(p) + {:.4}) written to {}",
        cal.a,
        cal.b,
        path.display()
    ));
    Ok(cal)
}

/// Training settings (`whosaid train bert-quotes`).
#[derive(Debug, Clone)]
pub struct BertQuotesOptions {
    /// Fine-tuning settings.
    pub tune: FineTune,
    /// Folds of the jackknifed priors.
    pub folds: usize,
    /// Epochs of each fold's perceptron quote model (the built-in model's count).
    pub quote_epochs: usize,
    /// Train on the first N articles only (quick runs); 0 for all.
    pub limit_docs: usize,
}

/// Gold tags of every token of an article, [`ROLE_HEAD`]'s three groups token by token.
/// Cues: O/B/I of each attribution's first cue span, ending with its sentence. Sources and
/// contents: the union of the role's spans, B where a run of the role's tokens starts.
fn gold_tags(doc: &Doc, a: &GoldArticle) -> Vec<usize> {
    let n = doc.tokens.len();
    let g = ROLE_HEAD.groups;
    let mut tags = vec![O; n * g];
    let mut inside = [vec![false; n], vec![false; n]];
    for att in &a.attributions {
        for (k, spans) in [&att.source, &att.content].into_iter().enumerate() {
            for &sp in spans {
                let (x, y) = tokens_of(doc, sp);
                inside[k][x.min(n)..y.min(n)].fill(true);
            }
        }
        let Some(c) = att.cue.first() else { continue };
        let (ca, mut cb) = tokens_of(doc, *c);
        if ca >= cb || ca >= n {
            continue;
        }
        let k = doc.sentences.partition_point(|s| s.1 <= ca);
        if let Some(&(_, se)) = doc.sentences.get(k) {
            cb = cb.min(se);
        }
        if (ca..cb).all(|i| tags[i * g + CUE] == O) {
            tags[ca * g + CUE] = B;
            (ca + 1..cb).for_each(|i| tags[i * g + CUE] = I);
        }
    }
    for (group, inside) in [(SOURCE, &inside[0]), (CONTENT, &inside[1])] {
        for i in (0..n).filter(|&i| inside[i]) {
            tags[i * g + group] = if i > 0 && inside[i - 1] { I } else { B };
        }
    }
    tags
}

/// An article ready for the tagger: its document, gold tags and perceptron priors.
struct Prepared<'a> {
    doc: Doc<'a>,
    gold: Vec<usize>,
    priors: Vec<i64>,
}

/// The perceptron quote model's cues as priors, for each of `arts`.
fn prepare<'a>(
    model: &QuoteModel,
    arts: &[&'a GoldArticle],
    clusters: &Clusters,
) -> Vec<Prepared<'a>> {
    use rayon::prelude::*;
    let rules = RuleQuotes::rules_only();
    arts.par_iter()
        .map(|a| {
            let doc = NewsSegmenter.segment(&a.text);
            let ctx = Ctx::new(&doc, clusters, rules.propose(&doc, &mut Meter::unlimited()));
            let cues = model.all_cues(&ctx, &mut Meter::unlimited());
            let p = priors(&doc, &cues);
            drop(ctx);
            Prepared {
                gold: gold_tags(&doc, a),
                priors: p,
                doc,
            }
        })
        .collect()
}

/// Fine-tunes the encoder in `files` (its weights file is the bare encoder) as a cue tagger
/// on `train`, keeps the epoch with the best attribution F1 on `dev`, and writes it to `out`
/// in half precision. Returns that F1.
pub fn train(
    files: &ModelFiles,
    train: &[GoldArticle],
    dev: &[GoldArticle],
    out: &Path,
    opts: &BertQuotesOptions,
    mut log: impl FnMut(&str),
) -> Result<f64> {
    tch::manual_seed(opts.tune.seed as i64);
    let mut tagger = WordTagger::new(files, ROLE_HEAD)?;
    tagger.load(&files.weights, true)?;
    let train: Vec<&GoldArticle> = match opts.limit_docs {
        0 => train.iter().collect(),
        n => train.iter().take(n).collect(),
    };
    let clusters = Clusters::builtin()?;
    // Jackknifed priors on train; the built-in model's on dev.
    let k = opts.folds.max(2);
    let mut prepared: Vec<Option<Prepared>> = (0..train.len()).map(|_| None).collect();
    for fold in 0..k {
        let rest: Vec<GoldArticle> = (0..train.len())
            .filter(|i| i % k != fold)
            .map(|i| train[i].clone())
            .collect();
        let held: Vec<usize> = (0..train.len()).filter(|i| i % k == fold).collect();
        let topts = TrainOptions {
            epochs: opts.quote_epochs,
            seed: opts.tune.seed,
        };
        let (m, _) = perceptron_train::train(&rest, topts, None, |_| {})?;
        let arts: Vec<&GoldArticle> = held.iter().map(|&i| train[i]).collect();
        for (i, p) in held.iter().zip(prepare(&m, &arts, &clusters)) {
            prepared[*i] = Some(p);
        }
        log(&format!("quote model fold {}/{k}: priors tagged", fold + 1));
    }
    let builtin = QuoteModel::builtin()?;
    let dev_refs: Vec<&GoldArticle> = dev.iter().collect();
    let dev_prep = prepare(&builtin, &dev_refs, &clusters);

    let mut examples = Vec::new();
    for p in prepared.iter().flatten() {
        let w = words(&p.doc);
        for (win, &(s, e)) in Window::of_doc(&w, &p.priors, &p.doc.sentences, CONTEXT)
            .iter()
            .zip(&p.doc.sentences)
        {
            let g = ROLE_HEAD.groups;
            for (_, _, enc) in tagger.encode(win, Some(&p.gold[s * g..e * g])) {
                examples.push(enc);
            }
        }
    }
    log(&format!("{} training windows", examples.len()));
    let mut pipeline = Pipeline::with_parts(
        Box::new(PerceptronNer::default_model()?),
        Box::new(RuleQuotes::rules_only()),
    )?;
    // Both the evaluation and the fine-tuning loop write to the log.
    let log = RefCell::new(log);
    let mut evaluate = |n: &WordTagger| -> Result<f64> {
        let mut cues = HashMap::new();
        let (mut tp, mut np, mut ng) = (0usize, 0usize, 0usize);
        for (p, a) in dev_prep.iter().zip(dev) {
            let w = words(&p.doc);
            let tagged = n.tag(&Window::of_doc(&w, &p.priors, &p.doc.sentences, CONTEXT))?;
            let c = cues_of(&p.doc, &tagged);
            let gold = cues_of(
                &p.doc,
                &p.doc
                    .sentences
                    .iter()
                    .map(|&(s, e)| Tagged {
                        tags: (s..e).map(|i| p.gold[i * ROLE_HEAD.groups + CUE]).collect(),
                        probs: vec![1.0; e - s],
                        dist: Vec::new(),
                    })
                    .collect::<Vec<_>>(),
            );
            let pred: Vec<Range> = c.iter().flatten().map(|x| x.0).collect();
            let gold: Vec<Range> = gold.iter().flatten().map(|x| x.0).collect();
            tp += pred.iter().filter(|r| gold.contains(r)).count();
            np += pred.len();
            ng += gold.len();
            cues.insert(a.text.clone(), c);
        }
        pipeline.set_quotes(Box::new(GivenCues {
            model: QuoteModel::builtin()?,
            cues,
        }));
        let e = eval::evaluate(&pipeline, dev);
        let s = &e.scores;
        let r: Vec<f64> = e.roles.iter().map(|c| c.score().exact[2]).collect();
        (log.borrow_mut())(&format!(
            "dev: cues exact P {:.1} R {:.1}; attribution F1 {:.2} (R {:.2}), direct {:.2}, speaker {:.2}, content@0.9 {:.2}; roles source {:.1} cue {:.1} content {:.1}",
            100.0 * tp as f64 / np.max(1) as f64,
            100.0 * tp as f64 / ng.max(1) as f64,
            s.attribution[2], s.attribution[1], s.direct[2], s.speaker_acc, s.content9[2], r[0], r[1], r[2]
        ));
        Ok(s.attribution[2])
    };
    net::fine_tune(
        &mut tagger,
        &examples,
        &opts.tune,
        out,
        &mut evaluate,
        |s| (log.borrow_mut())(s),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_is_the_identity_until_fitted_and_then_follows_the_outcomes() {
        for p in [0.1f32, 0.5, 0.9] {
            assert!((Calibration::IDENTITY.apply(p) - p).abs() < 1e-5);
        }
        // Raw probabilities far above the share right: the fitted curve lowers them.
        // (Two raw values: with one, the slope and offset of the curve are not determined.)
        let pairs: Vec<(f32, bool)> = (0..200)
            .map(|i| (0.9, i % 10 < 6))
            .chain((0..200).map(|i| (0.6, i % 10 < 3)))
            .collect();
        let c = Calibration::fit(&pairs);
        assert!((c.apply(0.9) - 0.6).abs() < 0.03, "{c:?}");
        assert!((c.apply(0.6) - 0.3).abs() < 0.03, "{c:?}");
        let dir = std::env::temp_dir().join(format!("whosaid-cal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(Calibration::load(&dir).unwrap(), Calibration::IDENTITY);
        std::fs::write(dir.join(CALIBRATION), serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(Calibration::load(&dir).unwrap(), c);
        std::fs::write(dir.join(CALIBRATION), "{").unwrap();
        let err = format!("{:#}", Calibration::load(&dir).unwrap_err());
        assert!(err.contains(CALIBRATION), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn encoder_cues_stay_where_the_perceptron_agrees_or_the_encoder_is_sure() {
        let perceptron: SentenceCues = vec![vec![((1, 2), 0.9)], vec![((10, 11), 0.8)]];
        let encoder: SentenceCues = vec![
            // overlaps the perceptron's cue: kept with the encoder's bounds, however unsure
            vec![((1, 3), 0.4), ((5, 6), SOLO), ((7, 8), SOLO - 0.01)],
            // the perceptron's cue is dropped where the encoder has none over it
            vec![],
        ];
        assert_eq!(
            combine(&perceptron, encoder),
            vec![vec![((1, 3), 0.4), ((5, 6), SOLO)], vec![]]
        );
        // A sentence the perceptron has no entry for keeps only sure cues.
        assert_eq!(
            combine(&Vec::new(), vec![vec![((0, 1), 0.9), ((2, 3), 0.3)]]),
            vec![vec![((0, 1), 0.9)]]
        );
    }

    #[test]
    fn gold_roles_are_tagged_in_three_groups_with_nested_contents_in_one_run() {
        use crate::polnear::GoldAttribution;
        use crate::text::Span;
        let text = "Rubio said officials believe the talks will go on.";
        let at = |w: &str| {
            let s = text.find(w).unwrap();
            Span {
                start: s,
                end: s + w.len(),
            }
        };
        let a = GoldArticle {
            id: "x".into(),
            text: text.into(),
            attributions: vec![
                GoldAttribution {
                    source: vec![at("Rubio")],
                    cue: vec![at("said")],
                    content: vec![at("officials believe the talks will go on")],
                },
                GoldAttribution {
                    source: vec![at("officials")],
                    cue: vec![at("believe")],
                    content: vec![at("the talks will go on")],
                },
            ],
            roles: Default::default(),
        };
        let doc = NewsSegmenter.segment(text);
        let tags = gold_tags(&doc, &a);
        let g = ROLE_HEAD.groups;
        let group =
            |k: usize| -> Vec<usize> { (0..doc.tokens.len()).map(|i| tags[i * g + k]).collect() };
        // Rubio said officials believe the talks will go on .
        assert_eq!(group(CUE), [O, B, O, B, O, O, O, O, O, O]);
        assert_eq!(group(SOURCE), [B, O, B, O, O, O, O, O, O, O]);
        assert_eq!(group(CONTENT), [O, O, B, I, I, I, I, I, I, O]);
    }

    #[test]
    fn role_odds_come_from_the_source_and_content_groups_of_read_sentences() {
        let doc = NewsSegmenter.segment("He said so. It rained.");
        let (s0, s1) = (doc.sentences[0], doc.sentences[1]);
        let mut t = Tagged::outside(s0.1 - s0.0, &ROLE_HEAD);
        // "He": a source; "so": a content.
        t.dist[SOURCE * 3..SOURCE * 3 + 3].copy_from_slice(&[0.1, 0.8, 0.1]);
        let w = ROLE_HEAD.width();
        t.dist[2 * w + CONTENT * 3..2 * w + CONTENT * 3 + 3].copy_from_slice(&[0.2, 0.6, 0.2]);
        let rest = Tagged::outside(s1.1 - s1.0, &ROLE_HEAD);
        let (src, con) = odds_of(&doc, &[t, rest.clone()], &[true, false], &ROLE_HEAD).unwrap();
        assert!((src[0] - 9f32.ln()).abs() < 1e-5, "{src:?}");
        assert!((con[2] - 4f32.ln()).abs() < 1e-5, "{con:?}");
        assert!(src[1] < -9.0 && con[0] < -9.0);
        // The sentence not read says nothing.
        assert!(src[s1.0..].iter().chain(&con[s1.0..]).all(|&x| x == 0.0));
        // A cue tagger gives no odds.
        assert!(odds_of(&doc, &[rest.clone(), rest], &[true, true], &CUE_HEAD).is_none());
    }

    #[test]
    fn the_head_is_read_from_the_weights_file() {
        let dir = std::env::temp_dir().join(format!("whosaid-head-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |name: &str| {
            let header = format!("{{\"{name}.out.weight\":{{}}}}");
            let mut b = (header.len() as u64).to_le_bytes().to_vec();
            b.extend(header.as_bytes());
            let p = dir.join(name);
            std::fs::write(&p, b).unwrap();
            p
        };
        assert_eq!(head_of(&file("role_head")).unwrap().groups, 3);
        assert_eq!(head_of(&file("cue_head")).unwrap().groups, 1);
        assert!(head_of(&dir.join("missing")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tags_become_cues_and_back() {
        let text = "Rubio said the talks would go on. Officials believe it will work.";
        let doc = NewsSegmenter.segment(text);
        let n0 = doc.sentences[0].1 - doc.sentences[0].0;
        let n1 = doc.sentences[1].1 - doc.sentences[1].0;
        let mut t0 = vec![O; n0];
        t0[1] = B;
        let mut t1 = vec![O; n1];
        t1[1] = I; // an I with no B starts a cue
        let tagged = [(t0, 0.9), (t1, 0.6)].map(|(tags, p)| Tagged {
            probs: vec![p; tags.len()],
            tags,
            dist: Vec::new(),
        });
        let cues = cues_of(&doc, &tagged);
        let s1 = doc.sentences[1].0;
        assert_eq!(
            cues,
            vec![vec![((1, 2), 0.9)], vec![((s1 + 1, s1 + 2), 0.6)]]
        );
        let p = priors(&doc, &cues);
        assert_eq!(p[1], 2);
        assert_eq!(p[s1 + 1], 2);
        assert_eq!(p.iter().filter(|&&x| x != 1).count(), 2);
    }
}
