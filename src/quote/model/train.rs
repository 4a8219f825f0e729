//! Training the quote model on a PolNeAR split: the cue tagger as an averaged structured
//! perceptron over each sentence, the content and source rankers as averaged ranking
//! perceptrons over each gold cue's candidates (the candidate closest to gold is the target).
//! Seeded and deterministic.

use super::candidates::{self, Content};
use super::context::{flag, tokens_of, Ctx, Range};
use super::features;
use super::{Bufs, QuoteModel, B, I, O, TAGS};
use crate::learn::chain::viterbi;
use crate::learn::{shuffle, Averaged};
use crate::ner::clusters::Clusters;
use crate::polnear::GoldArticle;
use crate::quote::RuleQuotes;
use crate::tokenize::{Doc, NewsSegmenter, Segmenter};
use crate::work::Meter;
use anyhow::{Context as _, Result};

/// Training settings (`whosaid train quotes`).
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Passes over the training data.
    pub epochs: usize,
    /// Seed of the example order.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { epochs: 8, seed: 7 }
    }
}

/// Averaged weights below this are dropped from the saved model.
const PRUNE: f32 = 1e-3;

/// Largest passive-aggressive step.
const PA_C: f32 = 1.0;

/// Least overlap (token Jaccard) of the best candidate with gold for a content to be learnt.
const MIN_TARGET: f64 = 0.3;

/// One gold attribution in tokens.
struct GoldQuote {
    cue: Range,
    /// Word tokens of the content, sorted.
    content: Vec<usize>,
    source: Option<Range>,
}

/// Sorted word tokens of `[a, b)` ranges.
fn word_set(ctx: &Ctx, ranges: impl Iterator<Item = Range>) -> Vec<usize> {
    let mut v: Vec<usize> = ranges
        .flat_map(|(a, b)| a..b)
        .filter(|&k| ctx.is(k, flag::WORD))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn jaccard(a: &[usize], b: &[usize]) -> f64 {
    let n = crate::eval::inter(a, b);
    let u = a.len() + b.len() - n;
    if u == 0 {
        0.0
    } else {
        n as f64 / u as f64
    }
}

/// The gold source of the quote before `gq[k]` in its sentence: what decoding sees as the
/// decided one's.
fn gold_prior(ctx: &Ctx, gq: &[GoldQuote], k: usize) -> Option<Range> {
    let sent = ctx.sent[gq[k].cue.0];
    gq[..k]
        .iter()
        .rev()
        .take_while(|p| ctx.sent[p.cue.0] == sent)
        .find_map(|p| p.source)
}

/// The gold cue tags and attributions of one article.
fn golds(ctx: &Ctx, a: &GoldArticle) -> (Vec<usize>, Vec<GoldQuote>) {
    let doc = ctx.doc;
    let mut tags = vec![O; doc.tokens.len()];
    let mut out = Vec::new();
    for att in &a.attributions {
        let Some(c) = att.cue.first() else { continue };
        let (ca, mut cb) = tokens_of(doc, *c);
        if ca >= cb || ca >= doc.tokens.len() {
            continue;
        }
        cb = cb.min(ctx.sentence(ca).1);
        if tags[ca..cb].iter().all(|&t| t == O) {
            tags[ca] = B;
            for t in &mut tags[ca + 1..cb] {
                *t = I;
            }
        }
        let content = word_set(ctx, att.content.iter().map(|&s| tokens_of(doc, s)));
        let source = att
            .source
            .first()
            .map(|&s| tokens_of(doc, s))
            .filter(|r| r.0 < r.1);
        out.push(GoldQuote {
            cue: (ca, cb),
            content,
            source,
        });
    }
    out.sort_by_key(|g| g.cue);
    (tags, out)
}

/// The trainer's state: the three weight tables and scratch space.
struct Trainer {
    cue: Averaged,
    content: Averaged,
    source: Averaged,
    bufs: Bufs,
    feats: Vec<u64>,
    other: Vec<u64>,
    /// Gold contents this epoch, those with a candidate of Jaccard >= 0.5, and exact.
    coverage: [usize; 3],
}

impl Trainer {
    /// One structured-perceptron step per sentence of the cue tagger.
    fn cues(&mut self, ctx: &Ctx, gold: &[usize]) {
        let mut trans = super::transitions(&self.cue);
        let mut sent_feats: Vec<Vec<u64>> = Vec::new();
        let mut emit = Vec::new();
        for &(ss, se) in &ctx.doc.sentences {
            sent_feats.clear();
            emit.clear();
            emit.resize((se - ss) * TAGS, 0.0);
            for i in ss..se {
                let mut f = Vec::new();
                features::cue(ctx, i, &mut f);
                self.cue
                    .score(&f, &mut emit[(i - ss) * TAGS..(i - ss + 1) * TAGS]);
                sent_feats.push(f);
            }
            let pred = viterbi(se - ss, TAGS, &emit, &trans, super::allowed);
            let g = &gold[ss..se];
            if pred != g {
                for t in 0..pred.len() {
                    if pred[t] != g[t] {
                        self.cue.update(&sent_feats[t], g[t], pred[t], 1.0);
                    }
                    let gp = if t == 0 { TAGS } else { g[t - 1] };
                    let pp = if t == 0 { TAGS } else { pred[t - 1] };
                    if (gp, g[t]) != (pp, pred[t]) {
                        self.cue.add(&[features::transition(gp)], g[t], 1.0);
                        self.cue.add(&[features::transition(pp)], pred[t], -1.0);
                    }
                }
                // Transitions changed: read them again.
                trans = super::transitions(&self.cue);
            }
            self.cue.tick();
        }
    }

    /// One ranking step for a gold cue's content, then its source; returns the content the
    /// source was chosen for.
    fn quote(&mut self, ctx: &Ctx, g: &GoldQuote, prior: Option<Range>) {
        candidates::contents(ctx, g.cue, &mut self.bufs.contents);
        if self.bufs.contents.is_empty() {
            return;
        }
        let cands = std::mem::take(&mut self.bufs.contents);
        let mut scored = Vec::with_capacity(cands.len());
        let mut target = (0, -1.0f64);
        for (k, c) in cands.iter().enumerate() {
            features::content(ctx, g.cue, c, &mut self.feats);
            let s = self.content.score_class(&self.feats, 0);
            let j = jaccard(&word_set(ctx, c.parts().iter().copied()), &g.content);
            scored.push((s, j));
            if j > target.1 {
                target = (k, j);
            }
        }
        self.content.tick();
        self.coverage[0] += 1;
        self.coverage[1] += (target.1 >= 0.5) as usize;
        self.coverage[2] += (target.1 >= 1.0) as usize;
        if target.1 >= MIN_TARGET {
            // Cost-augmented passive-aggressive step (Crammer et al. 2006): against the
            // candidate that most violates "gold's best beats it by its loss in overlap".
            let (st, jt) = scored[target.0];
            let (p, loss) = scored
                .iter()
                .enumerate()
                .map(|(k, &(s, j))| (k, s - st + (jt - j) as f32))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((target.0, 0.0));
            if p != target.0 && loss > 0.0 {
                features::content(ctx, g.cue, &cands[target.0], &mut self.feats);
                features::content(ctx, g.cue, &cands[p], &mut self.other);
                let tau = (loss / (self.feats.len() + self.other.len()) as f32).min(PA_C);
                self.content.add(&self.feats, 0, tau);
                self.content.add(&self.other, 0, -tau);
            }
        }
        let content: Content = cands[target.0];
        self.bufs.contents = cands;
        self.source(ctx, g, &content, prior);
    }

    fn source(&mut self, ctx: &Ctx, g: &GoldQuote, content: &Content, prior: Option<Range>) {
        candidates::sources(ctx, g.cue, content, prior, &mut self.bufs.sources);
        let rs = super::rule_speaker(ctx, g.cue);
        let mut cands: Vec<Option<Range>> = vec![None];
        cands.extend(self.bufs.sources.iter().copied().map(Some));
        let gold_words = g.source.map(|s| word_set(ctx, std::iter::once(s)));
        let mut pred = (0, f32::NEG_INFINITY);
        let mut target = (usize::MAX, 0.0f64);
        for (k, &c) in cands.iter().enumerate() {
            features::source(ctx, g.cue, content, c, rs, prior, &mut self.feats);
            let s = self.source.score_class(&self.feats, 0);
            if s > pred.1 {
                pred = (k, s);
            }
            let j = match (c, &gold_words) {
                (None, None) => 1.0,
                (Some(r), Some(gw)) => jaccard(&word_set(ctx, std::iter::once(r)), gw),
                _ => 0.0,
            };
            if j > target.1 {
                target = (k, j);
            }
        }
        self.source.tick();
        if target.0 != usize::MAX && pred.0 != target.0 {
            features::source(
                ctx,
                g.cue,
                content,
                cands[target.0],
                rs,
                prior,
                &mut self.feats,
            );
            features::source(
                ctx,
                g.cue,
                content,
                cands[pred.0],
                rs,
                prior,
                &mut self.other,
            );
            self.source.add(&self.feats, 0, 1.0);
            self.source.add(&self.other, 0, -1.0);
        }
    }

    fn freeze(&self) -> Result<QuoteModel> {
        QuoteModel::new(
            self.cue.freeze(PRUNE),
            self.content.freeze(PRUNE),
            self.source.freeze(PRUNE),
            [1.0, 0.0],
        )
    }
}

/// Trains on `train`. After each epoch, `pick` (when given) scores the averaged model (on a
/// dev split, say) and the best epoch's model is returned with its epoch; without `pick`,
/// the last epoch's model. The model's calibration is the identity (confidence is the
/// sigmoid of the cue margin) until [`QuoteModel::with_calibration`] sets one.
pub fn train(
    train: &[GoldArticle],
    opts: TrainOptions,
    mut pick: Option<&mut dyn FnMut(&QuoteModel) -> f64>,
    mut log: impl FnMut(&str),
) -> Result<(QuoteModel, usize)> {
    let clusters = Clusters::builtin()?;
    let rules = RuleQuotes::rules_only();
    let docs: Vec<Doc> = train
        .iter()
        .map(|a| NewsSegmenter.segment(&a.text))
        .collect();
    let ctxs: Vec<Ctx> = docs
        .iter()
        .map(|d| Ctx::new(d, &clusters, rules.propose(d, &mut Meter::unlimited())))
        .collect();
    let examples: Vec<(Vec<usize>, Vec<GoldQuote>)> =
        ctxs.iter().zip(train).map(|(c, a)| golds(c, a)).collect();
    let mut t = Trainer {
        cue: Averaged::new(TAGS),
        content: Averaged::new(1),
        source: Averaged::new(1),
        bufs: Bufs::default(),
        feats: Vec::new(),
        other: Vec::new(),
        coverage: [0; 3],
    };
    let mut order: Vec<usize> = (0..ctxs.len()).collect();
    let mut rng = opts.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut best: Option<(f64, usize, QuoteModel)> = None;
    for epoch in 1..=opts.epochs {
        shuffle(&mut order, &mut rng);
        for &d in &order {
            let (tags, gq) = &examples[d];
            t.cues(&ctxs[d], tags);
            let ctx = &ctxs[d];
            for (k, g) in gq.iter().enumerate() {
                t.quote(ctx, g, gold_prior(ctx, gq, k));
            }
        }
        if epoch == 1 {
            let [n, half, exact] = t.coverage;
            log(&format!(
                "candidates cover {:.1}% of gold contents at Jaccard >= 0.5, {:.1}% exactly (of {n})",
                100.0 * half as f64 / n.max(1) as f64,
                100.0 * exact as f64 / n.max(1) as f64
            ));
        }
        let model = t.freeze()?;
        let [c, n, s] = model.sizes();
        match pick.as_mut() {
            Some(p) => {
                let score = p(&model);
                log(&format!(
                    "epoch {epoch}: {c} cue, {n} content, {s} source features; dev {score:.2}"
                ));
                if best.as_ref().is_none_or(|b| score > b.0) {
                    best = Some((score, epoch, model));
                }
            }
            None => {
                log(&format!(
                    "epoch {epoch}: {c} cue, {n} content, {s} source features"
                ));
                best = Some((0.0, epoch, model));
            }
        }
    }
    let (_, epoch, model) = best.context("no epoch to train")?;
    Ok((model, epoch))
}

/// How the rankers do given the gold cues of a split ([`ranker_accuracy`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct RankerCheck {
    /// Gold quotes with a cue.
    pub quotes: usize,
    /// Contents chosen at token Jaccard >= 0.5 with the gold content.
    pub content_half: usize,
    /// Contents chosen exactly.
    pub content_exact: usize,
    /// Of the quotes whose content was at >= 0.5: the source right (overlapping the gold
    /// one, or none where gold has none).
    pub source_right: usize,
    /// Of those with a gold source: the quotes ...
    pub with_source: usize,
    /// ... whose chosen source has exactly the gold source's words,
    pub source_exact: usize,
    /// ... and whose gold source is among the candidates at all.
    pub source_reachable: usize,
}

/// How the rankers do given the gold cues of `gold`.
pub fn ranker_accuracy(model: &QuoteModel, gold: &[GoldArticle]) -> RankerCheck {
    let mut out = RankerCheck::default();
    let mut bufs = Bufs::default();
    for a in gold {
        let doc = NewsSegmenter.segment(&a.text);
        let ctx = Ctx::new(
            &doc,
            &model.clusters,
            model.rules.propose(&doc, &mut Meter::unlimited()),
        );
        let (_, gq) = golds(&ctx, a);
        for (k, g) in gq.iter().enumerate() {
            out.quotes += 1;
            let prior = gold_prior(&ctx, &gq, k);
            let others: Vec<Range> = gq
                .iter()
                .filter(|o| ctx.sent[o.cue.0] == ctx.sent[g.cue.0])
                .map(|o| o.cue)
                .collect();
            let Some((content, source)) = super::decide(
                &ctx,
                g.cue,
                &others,
                prior,
                &model.content,
                &model.source,
                None,
                &mut bufs,
                &mut Meter::unlimited(),
            ) else {
                continue;
            };
            let j = jaccard(&word_set(&ctx, content.parts().iter().copied()), &g.content);
            out.content_exact += (j >= 1.0) as usize;
            if j < 0.5 {
                continue;
            }
            out.content_half += 1;
            out.source_right += match (source, g.source) {
                (None, None) => true,
                (Some(p), Some(s)) => p.0 < s.1 && s.0 < p.1,
                _ => false,
            } as usize;
            if let Some(s) = g.source {
                let gw = word_set(&ctx, std::iter::once(s));
                out.with_source += 1;
                out.source_exact +=
                    source.is_some_and(|p| word_set(&ctx, std::iter::once(p)) == gw) as usize;
                candidates::sources(&ctx, g.cue, &content, prior, &mut bufs.sources);
                out.source_reachable += bufs
                    .sources
                    .iter()
                    .any(|&r| word_set(&ctx, std::iter::once(r)) == gw)
                    as usize;
            }
        }
    }
    out
}
