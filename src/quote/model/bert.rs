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
//! as wrong there as on new text; the epoch is chosen by attribution F1 on dev.

use super::context::{tokens_of, Ctx, Range};
use super::train::{self as perceptron_train, TrainOptions};
use super::{QuoteModel, SentenceCues, B, I, O};
use crate::eval;
use crate::learn::bert::{
    self as net, FineTune, Head, ModelFiles, Tagged, TaggerThread, Window, WordTagger,
};
use crate::ner::clusters::Clusters;
use crate::ner::perceptron::PerceptronNer;
use crate::pipeline::Pipeline;
use crate::polnear::GoldArticle;
use crate::quote::{Quote, QuoteDetector, RuleQuotes};
use crate::tokenize::{Doc, NewsSegmenter, Segmenter};
use crate::work::Meter;
use anyhow::Result;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// The cue head: O/B/I out, the perceptron tagger's O/B/I in.
const HEAD: Head = Head {
    name: "cue_head",
    tags: 3,
    priors: 3,
};

/// Words of context on either side of a sentence: fewer than NER's, as a cue is mostly
/// decided within its sentence (and the encoder's cost grows with its windows).
const CONTEXT: usize = 16;

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
        .map(|(&(ss, _), (tags, probs))| {
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

/// `--quotes bert`: the learned model with the MiniLM cue tagger on its own thread.
pub struct BertQuotes {
    model: QuoteModel,
    thread: TaggerThread,
    warned: AtomicBool,
}

impl BertQuotes {
    /// Loads the cue tagger in `files` (on a new thread) and the built-in quote model.
    pub fn start(files: ModelFiles) -> Result<Self> {
        Ok(BertQuotes {
            model: QuoteModel::builtin()?,
            thread: TaggerThread::start(files, HEAD)?,
            warned: AtomicBool::new(false),
        })
    }

    fn recue(&self, doc: &Doc, cues: &SentenceCues) -> Result<SentenceCues> {
        let w = words(doc);
        let tagged = self.thread.tag(net::owned_windows(
            &w,
            &priors(doc, cues),
            &doc.sentences,
            CONTEXT,
        ))?;
        Ok(cues_of(doc, &tagged))
    }
}

impl QuoteDetector for BertQuotes {
    fn detect(&self, doc: &Doc, meter: &mut Meter) -> Vec<Quote> {
        // Work: one step per token (the encoder's cost is linear in its windows).
        meter.add(doc.tokens.len() as u64);
        let recue = |ctx: &Ctx, cues: SentenceCues| match self.recue(ctx.doc, &cues) {
            Ok(c) => c,
            Err(e) => {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    eprintln!("whosaid: the bert cue tagger failed ({e:#}); using the built-in model's cues");
                }
                cues
            }
        };
        self.model.detect_with(doc, meter, Some(&recue))
    }
}

/// A detector with the cues of known texts given (what the tagger in training says of dev).
struct GivenCues {
    model: QuoteModel,
    cues: HashMap<String, SentenceCues>,
}

impl QuoteDetector for GivenCues {
    fn detect(&self, doc: &Doc, meter: &mut Meter) -> Vec<Quote> {
        let recue =
            |ctx: &Ctx, cues: SentenceCues| self.cues.get(ctx.doc.text).cloned().unwrap_or(cues);
        self.model.detect_with(doc, meter, Some(&recue))
    }
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
                    .map(|&(s, e)| (p.gold[s..e].to_vec(), vec![1.0; e - s]))
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
    fn tags_become_cues_and_back() {
        let text = "Rubio said the talks would go on. Officials believe it will work.";
        let doc = NewsSegmenter.segment(text);
        let n0 = doc.sentences[0].1 - doc.sentences[0].0;
        let n1 = doc.sentences[1].1 - doc.sentences[1].0;
        let mut t0 = vec![O; n0];
        t0[1] = B;
        let mut t1 = vec![O; n1];
        t1[1] = I; // an I with no B starts a cue
        let tagged = vec![(t0, vec![0.9; n0]), (t1, vec![0.6; n1])];
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
