//! Fitting the transformer attribution tier: fine-tuning the role tagger on PolNeAR train
//! (`whosaid train bert-quotes`), choosing its role weights on dev and fitting its
//! confidence calibration.

use super::{
    combine, cues_of, hints, priors, words, BertQuotes, Calibration, Odds, CALIBRATION, CONTENT,
    CONTEXT, CUE, ROLE_HEAD, SOURCE,
};
use crate::eval;
use crate::learn::bert as net;
use crate::learn::bert::{FineTune, ModelFiles, Precision, Tagged, Window, WordTagger};
use crate::learn::calibrate::reliability;
use crate::ner::clusters::Clusters;
use crate::ner::perceptron::PerceptronNer;
use crate::pipeline::Pipeline;
use crate::polnear::GoldArticle;
use crate::quote::model::context::{tokens_of, Ctx, Range};
use crate::quote::model::train::{self as perceptron_train, TrainOptions};
use crate::quote::model::{QuoteModel, SentenceCues, B, I, O};
use crate::quote::{Quote, QuoteDetector, RuleQuotes};
use crate::tokenize::{Doc, NewsSegmenter, Segmenter};
use crate::work::Meter;
use anyhow::{Context, Result};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

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

/// The transformer tier with what the encoder said of each text kept (see [`DevRuns`]).
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

/// The tier on dev, the encoder's outputs kept for every text: decided again under any
/// weights at the cost of the rankers alone.
struct DevRuns<'a> {
    quotes: Arc<BertQuotes>,
    memo: Arc<Mutex<HashMap<String, (SentenceCues, Odds)>>>,
    pipeline: Pipeline,
    dev: &'a [GoldArticle],
}

impl<'a> DevRuns<'a> {
    /// The tagger in `files`, computing in f32 (the reference that bf16 approximates), with
    /// the identity calibration: its raw cue probabilities.
    fn new(files: &ModelFiles, dev: &'a [GoldArticle]) -> Result<Self> {
        let mut q = BertQuotes::start(files.clone(), false, Precision::F32)?;
        q.calibration = Calibration::IDENTITY;
        Ok(DevRuns {
            quotes: Arc::new(q),
            memo: Arc::new(Mutex::new(HashMap::new())),
            pipeline: Pipeline::with_parts(
                Box::new(PerceptronNer::default_model()?),
                Box::new(RuleQuotes::rules_only()),
            )?,
            dev,
        })
    }

    /// Dev scored with the hints under `weights`.
    fn evaluate(&mut self, weights: [f32; 2]) -> eval::Evaluation {
        self.pipeline.set_quotes(Box::new(Memo {
            quotes: self.quotes.clone(),
            memo: self.memo.clone(),
            weights,
        }));
        eval::evaluate(&self.pipeline, self.dev)
    }
}

/// Weights of the source and content hints of the role tagger, chosen on dev over a grid by
/// the mean of attribution F1 and the three roles' mean exact F1 (none for a cue tagger). The
/// log shows each setting's figures.
fn tune_roles(runs: &mut DevRuns, mut log: impl FnMut(&str)) -> [f32; 2] {
    if runs.quotes.head.groups <= CONTENT {
        return [0.0; 2];
    }
    let mut run = |weights: [f32; 2]| -> f64 {
        let e = runs.evaluate(weights);
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
    best.0
}

/// Chooses the role weights of the tagger in `files` on `dev` ([`tune_roles`]), fits its
/// confidence calibration on the model quotes it then gives on `dev`, writes both to its
/// folder and returns them. The encoder reads dev once for both. The log shows the
/// reliability before, and after a two-fold cross-fit (each half of the quotes mapped by the
/// curve fitted on the other half): what the curve does for quotes it was not fitted on.
pub fn calibrate(
    files: &ModelFiles,
    dev: &[GoldArticle],
    mut log: impl FnMut(&str),
) -> Result<Calibration> {
    let mut runs = DevRuns::new(files, dev)?;
    let roles = tune_roles(&mut runs, &mut log);
    let pairs = runs.evaluate(roles).model_quotes;
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
}
