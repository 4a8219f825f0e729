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

/// The cue head: O/B/I out, the perceptron tagger's O/B/I in.
const HEAD: Head = Head {
    name: "cue_head",
    tags: 3,
    priors: 3,
};

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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Slope on the logit.
    pub a: f32,
    /// Offset.
    pub b: f32,
}

fn logit(p: f32) -> f32 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

impl Calibration {
    const IDENTITY: Calibration = Calibration { a: 1.0, b: 0.0 };

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
        Calibration { a, b }
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
        Ok(BertQuotes {
            calibration,
            model: QuoteModel::builtin()?,
            thread: TaggerThread::start(files, HEAD, precision)?,
            warned: AtomicBool::new(false),
            cascade,
            words: AtomicU64::new(0),
            read: AtomicU64::new(0),
        })
    }

    /// The encoder's cues of the sentences worth reading; none in the others.
    fn recue(&self, ctx: &Ctx, cues: &SentenceCues) -> Result<SentenceCues> {
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
                false => Tagged::outside(e - s, HEAD.tags),
            })
            .collect();
        Ok(cues_of(doc, &full))
    }
}

impl QuoteDetector for BertQuotes {
    fn detect(&self, doc: &Doc, meter: &mut Meter) -> Vec<Quote> {
        // Work: one step per token (the encoder's cost is linear in its windows).
        meter.add(doc.tokens.len() as u64);
        let recue = |ctx: &Ctx, cues: SentenceCues| match self.recue(ctx, &cues) {
            Ok(c) => {
                let mut c = combine(&cues, c);
                for x in c.iter_mut().flatten() {
                    x.1 = self.calibration.apply(x.1);
                }
                c
            }
            Err(e) => {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    eprintln!("whosaid: the bert cue tagger failed ({e:#}); using the built-in model's cues");
                }
                cues
            }
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
            Some(c) => combine(&cues, c.clone()),
            None => cues,
        };
        self.model.detect_with(doc, meter, Some(&recue))
    }
}

/// Fits the confidence calibration of the cue tagger in `files` on the model quotes it gives
/// on `dev`, writes it to its folder and returns it. The log shows the reliability before,
/// and after a two-fold cross-fit (each half of the quotes mapped by the curve fitted on the
/// other half): what the curve does for quotes it was not fitted on. The tagger computes in
/// f32 here, the reference that bf16 approximates.
pub fn calibrate(
    files: &ModelFiles,
    dev: &[GoldArticle],
    mut log: impl FnMut(&str),
) -> Result<Calibration> {
    let mut q = BertQuotes::start(files.clone(), false, Precision::F32)?;
    q.calibration = Calibration::IDENTITY;
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
    let cal = Calibration::fit(&pairs);
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

/// Gold cue tags (O/B/I) of every token of an article; a cue ends with its sentence.
fn gold_tags(doc: &Doc, a: &GoldArticle) -> Vec<usize> {
    let mut tags = vec![O; doc.tokens.len()];
    for att in &a.attributions {
        let Some(c) = att.cue.first() else { continue };
        let (ca, mut cb) = tokens_of(doc, *c);
        if ca >= cb || ca >= doc.tokens.len() {
            continue;
        }
        let k = doc.sentences.partition_point(|s| s.1 <= ca);
        if let Some(&(_, se)) = doc.sentences.get(k) {
            cb = cb.min(se);
        }
        if tags[ca..cb].iter().all(|&t| t == O) {
            tags[ca] = B;
            tags[ca + 1..cb].fill(I);
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
    let mut tagger = WordTagger::new(files, HEAD)?;
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
            for (_, _, enc) in tagger.encode(win, Some(&p.gold[s..e])) {
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
                        tags: p.gold[s..e].to_vec(),
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
