//! The learned attribution model: the rules propose, a trained model decides.
//!
//! 1. The rules run first ([`RuleQuotes::propose`]); their quotes and quotation marks become
//!    features, not the output.
//! 2. A linear-chain tagger (averaged structured perceptron, Viterbi over O/B/I) marks the
//!    cue spans of the document.
//! 3. For each cue, a ranker chooses its content among candidate spans (right of the cue,
//!    left of it, split around it, the rules' own), and a second ranker its source among
//!    word spans next to it (or none).
//! 4. Each cue with a content is one quote; its confidence is the tagger's margin for the
//!    cue, calibrated on held-out folds of the training data.
//!
//! Trained by [`train::train`] (`whosaid train quotes`); the model that ships is
//! `models/quotes-polnear.bin` (see `models/README.md`).

#[cfg(feature = "bert")]
pub mod bert;
mod candidates;
pub mod command;
mod context;
mod features;
pub mod hints;
#[cfg(test)]
mod tests;
pub mod train;

use super::{Quote, QuoteDetector, QuoteKind, Rule, RuleQuotes};
use crate::learn::chain::{viterbi, Linear};
use crate::learn::Weights;
use crate::ner::clusters::Clusters;
use crate::text::Span;
use crate::tokenize::Doc;
use crate::work::Meter;
use anyhow::{bail, Context as _, Result};
use candidates::Content;
use context::{flag, Ctx, Range};
use hints::RoleHints;
use std::path::Path;
use std::sync::Arc;

/// Cue tags.
const O: usize = 0;
const B: usize = 1;
const I: usize = 2;
const TAGS: usize = 3;

const MAGIC: &[u8; 8] = b"WSQUOv1\0";

/// The model that ships with whosaid (see `models/README.md`).
pub static DEFAULT_QUOTES: &[u8] = include_bytes!("../../../models/quotes-polnear.bin");

/// Rules whose quotes are kept where the tagger found no cue: the three most precise on
/// PolNeAR train (rules alone, `whosaid eval polnear --quotes rules-only`: direct-named
/// 90.0%, direct-pronoun 91.1%, reported-that 75.7% right end to end). On 5-fold CV of train
/// they cost 0.2 attribution F1 and on dev they add 0.6; they are kept because they find
/// nested reports the tagger misses ("Lawmakers told reporters that Rubio told them that
/// ...", in the seed article).
const BACKSTOP: &[Rule] = &[Rule::DirectNamed, Rule::DirectPronoun, Rule::ReportedThat];

/// May cue tag `t` follow `p` (`p == TAGS`: sentence start)?
fn allowed(p: usize, t: usize) -> bool {
    t != I || p == B || p == I
}

/// The trained weights of the three decisions, and the confidence calibration.
#[derive(Clone)]
pub struct QuoteModel {
    cue: Weights,
    content: Weights,
    source: Weights,
    /// Platt scaling of the cue margin: confidence = sigmoid(a * margin + b).
    calibration: [f32; 2],
    clusters: Arc<Clusters>,
    rules: RuleQuotes,
}

/// A decided quote before it is written out, in token ranges.
struct Decided {
    cue: Range,
    content: Content,
    source: Option<Range>,
    /// The cue's confidence in [0, 1].
    confidence: f32,
}

/// Cue spans of each sentence of a document (in `doc.sentences` order), each with its
/// confidence in [0, 1].
type SentenceCues = Vec<Vec<(Range, f32)>>;

/// A second tagger: the first one's cues of a document in; the cues to decide out, and
/// maybe its hints on the sources and contents.
type Recue<'f> = dyn Fn(&Ctx, SentenceCues) -> (SentenceCues, Option<RoleHints>) + 'f;

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl QuoteModel {
    fn new(cue: Weights, content: Weights, source: Weights, calibration: [f32; 2]) -> Result<Self> {
        Ok(QuoteModel {
            cue,
            content,
            source,
            calibration,
            clusters: Clusters::shared()?,
            rules: RuleQuotes::rules_only(),
        })
    }

    /// The built-in model.
    pub fn builtin() -> Result<Self> {
        Self::from_bytes(DEFAULT_QUOTES).context("loading the built-in quote model")
    }

    /// Reads a model written by [`QuoteModel::save`].
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        if b.len() < 16 || &b[..8] != MAGIC {
            bail!("not a whosaid quote model (bad header)");
        }
        let a = f32::from_le_bytes(b[8..12].try_into()?);
        let c = f32::from_le_bytes(b[12..16].try_into()?);
        let rest = &b[16..];
        let (cue, rest) = Weights::read(rest).context("quote model: cue weights truncated")?;
        let (content, rest) =
            Weights::read(rest).context("quote model: content weights truncated")?;
        let (source, rest) =
            Weights::read(rest).context("quote model: source weights truncated")?;
        if !rest.is_empty() {
            bail!("quote model has trailing bytes");
        }
        Self::new(cue, content, source, [a, c])
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<Self> {
        let b = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Self::from_bytes(&b).with_context(|| format!("loading {}", path.display()))
    }

    /// The model's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&self.calibration[0].to_le_bytes());
        out.extend_from_slice(&self.calibration[1].to_le_bytes());
        self.cue.write(&mut out);
        self.content.write(&mut out);
        self.source.write(&mut out);
        out
    }

    /// Writes the model.
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_bytes()).with_context(|| format!("writing {}", path.display()))
    }

    /// Features kept per decision (cue tagger, content ranker, source ranker).
    pub fn sizes(&self) -> [usize; 3] {
        [self.cue.len(), self.content.len(), self.source.len()]
    }

    /// The model with another calibration.
    pub fn with_calibration(mut self, calibration: [f32; 2]) -> Self {
        self.calibration = calibration;
        self
    }
}

/// The cue tagger's transition scores: row `p` (`TAGS`: the sentence start) scores each tag
/// after `p`.
fn transitions(w: &impl Linear) -> Vec<f32> {
    let mut trans = vec![0f32; (TAGS + 1) * TAGS];
    for p in 0..=TAGS {
        w.add_scores(
            &[features::transition(p)],
            &mut trans[p * TAGS..(p + 1) * TAGS],
        );
    }
    trans
}

/// Cue spans of the sentence `[ss, se)` by the tagger `w` (with transitions `trans`), each
/// with its margin (the B score at its first token over the best other tag), appended to
/// `out`.
fn tag_sentence(
    ctx: &Ctx,
    w: &impl Linear,
    trans: &[f32],
    (ss, se): Range,
    meter: &mut Meter,
    out: &mut Vec<(Range, f32)>,
) {
    let mut feats = Vec::new();
    let mut emit = vec![0f32; (se - ss) * TAGS];
    for i in ss..se {
        features::cue(ctx, i, &mut feats);
        w.add_scores(&feats, &mut emit[(i - ss) * TAGS..(i - ss + 1) * TAGS]);
        meter.add(feats.len() as u64);
    }
    let tags = viterbi(se - ss, TAGS, &emit, trans, allowed);
    let mut k = 0;
    while k < tags.len() {
        if tags[k] == B {
            let mut e = k + 1;
            while e < tags.len() && tags[e] == I {
                e += 1;
            }
            let s = &emit[k * TAGS..(k + 1) * TAGS];
            out.push(((ss + k, ss + e), s[B] - s[O].max(s[I])));
            k = e;
        } else {
            k += 1;
        }
    }
}

/// The best-scoring candidate of `cands` (feature vectors made by `feat`) under `w`, each
/// score plus the candidate's `bonus`, with its score.
fn best<T: Copy>(
    cands: &[T],
    w: &impl Linear,
    feats: &mut Vec<u64>,
    meter: &mut Meter,
    mut feat: impl FnMut(T, &mut Vec<u64>),
    bonus: impl Fn(T) -> f32,
) -> Option<(usize, f32)> {
    let mut top: Option<(usize, f32)> = None;
    for (k, &c) in cands.iter().enumerate() {
        feat(c, feats);
        let mut s = [bonus(c)];
        w.add_scores(feats, &mut s);
        meter.add(feats.len() as u64);
        if top.is_none_or(|(_, t)| s[0] > t) {
            top = Some((k, s[0]));
        }
    }
    top
}

/// The rules' speaker for the cue `[cs, ce)`, if a rule found this cue.
fn rule_speaker(ctx: &Ctx, cue: Range) -> Option<Range> {
    ctx.rules_at(cue)
        .next()
        .and_then(|k| ctx.rule_ranges[k].speaker)
}

/// Whether a cue starting at `k` is joined by "and" or "but" to a verb phrase before it (an
/// adverb between: "promised to call and said the plan ...", "and also told"), or is a
/// participle after a comma ("..., adding that"): a second attribution of the same subject,
/// whose words no content of the first one takes in. (Of the 629 cues of PolNeAR train joined
/// by "and" or "but" and the 952 participles after a comma, none lies inside another
/// attribution's content.)
fn coordinated_cue(ctx: &Ctx, k: usize) -> bool {
    if k > 0 && ctx.doc.tok(k - 1) == "," && ctx.doc.tok(k).ends_with("ing") {
        return true;
    }
    let mut j = k;
    if j > 0 && ctx.is(j - 1, flag::MODIFIER) {
        j -= 1;
    }
    j > 0 && matches!(ctx.doc.tok(j - 1), "and" | "but")
}

/// Content and source of one cue under the content and source weights (and a second
/// tagger's `hints`). `others` are the other cues of its sentence: no content takes in one
/// joined to it by "and" or "but".
#[allow(clippy::too_many_arguments)]
fn decide(
    ctx: &Ctx,
    cue: Range,
    others: &[Range],
    prior: Option<Range>,
    content_w: &impl Linear,
    source_w: &impl Linear,
    hints: Option<&RoleHints>,
    bufs: &mut Bufs,
    meter: &mut Meter,
) -> Option<(Content, Option<Range>)> {
    candidates::contents(ctx, cue, &mut bufs.contents);
    for &(k, _) in others {
        // Only while a candidate is left.
        if k > cue.0 && coordinated_cue(ctx, k) && bufs.contents.iter().any(|c| !c.holds(k)) {
            bufs.contents.retain(|c| !c.holds(k));
        }
    }
    let (k, _) = best(
        &bufs.contents,
        content_w,
        &mut bufs.feats,
        meter,
        |c, out| features::content(ctx, cue, &c, out),
        |c| hints.map_or(0.0, |h| h.content(&c)),
    )?;
    let content = bufs.contents[k];
    let source = choose_source(ctx, cue, &content, prior, source_w, hints, bufs, meter);
    Some((content, source))
}

/// The source of a cue with a given content (or none).
#[allow(clippy::too_many_arguments)]
fn choose_source(
    ctx: &Ctx,
    cue: Range,
    content: &Content,
    prior: Option<Range>,
    source_w: &impl Linear,
    hints: Option<&RoleHints>,
    bufs: &mut Bufs,
    meter: &mut Meter,
) -> Option<Range> {
    candidates::sources(ctx, cue, content, prior, &mut bufs.sources);
    let rs = rule_speaker(ctx, cue);
    let mut cands: Vec<Option<Range>> = vec![None];
    cands.extend(bufs.sources.iter().copied().map(Some));
    let (k, _) = best(
        &cands,
        source_w,
        &mut bufs.feats,
        meter,
        |c, out| features::source(ctx, cue, content, c, rs, prior, out),
        |c| hints.map_or(0.0, |h| h.source(c)),
    )?;
    cands[k]
}

/// The source of the last quote before `cue` in its sentence, among `decided` (in text order).
fn prior_source(ctx: &Ctx, decided: &[Decided], cue: Range) -> Option<Range> {
    let sent = ctx.sent[cue.0];
    decided
        .iter()
        .rev()
        .take_while(|d| ctx.sent[d.cue.0] == sent)
        .find_map(|d| d.source)
}

/// Byte spans sorted by start, with the running maximum of their ends: "does any overlap
/// this span?" in a binary search.
struct Spans {
    starts: Vec<usize>,
    max_end: Vec<usize>,
}

impl Spans {
    fn new(spans: impl Iterator<Item = Span>) -> Self {
        let mut v: Vec<(usize, usize)> = spans.map(|s| (s.start, s.end)).collect();
        v.sort_unstable();
        let mut m = 0;
        let max_end = v
            .iter()
            .map(|&(_, e)| {
                m = m.max(e);
                m
            })
            .collect();
        Spans {
            starts: v.iter().map(|x| x.0).collect(),
            max_end,
        }
    }

    fn overlaps(&self, s: Span) -> bool {
        let k = self.starts.partition_point(|&a| a < s.end);
        k > 0 && self.max_end[k - 1] > s.start
    }
}

/// Scratch buffers reused across cues.
#[derive(Default)]
struct Bufs {
    feats: Vec<u64>,
    contents: Vec<Content>,
    sources: Vec<Range>,
}

impl QuoteModel {
    /// The tagger's cues, each with its calibrated confidence, of the sentence `sentence`.
    fn tag_cues(
        &self,
        ctx: &Ctx,
        trans: &[f32],
        sentence: Range,
        meter: &mut Meter,
    ) -> Vec<(Range, f32)> {
        let mut cues = Vec::new();
        tag_sentence(ctx, &self.cue, trans, sentence, meter, &mut cues);
        for c in &mut cues {
            c.1 = sigmoid(self.calibration[0] * c.1 + self.calibration[1]);
        }
        cues
    }

    /// The tagger's cues of every sentence (see [`SentenceCues`]); the sentences after the
    /// budget ran out get none.
    fn all_cues(&self, ctx: &Ctx, meter: &mut Meter) -> SentenceCues {
        let trans = transitions(&self.cue);
        let mut out = Vec::with_capacity(ctx.doc.sentences.len());
        for &sentence in &ctx.doc.sentences {
            if meter.spent() {
                meter.mark_exhausted();
                out.push(Vec::new());
                continue;
            }
            out.push(self.tag_cues(ctx, &trans, sentence, meter));
        }
        out
    }

    /// Sentence by sentence: cues tagged (or taken from `given`), then each one's content and
    /// source decided (with a second tagger's `hints`, if any). When the budget is spent the
    /// sentences after are left, and what was decided is kept.
    fn decided(
        &self,
        ctx: &Ctx,
        given: Option<&SentenceCues>,
        hints: Option<&RoleHints>,
        meter: &mut Meter,
    ) -> Vec<Decided> {
        let mut bufs = Bufs::default();
        let mut out = Vec::new();
        let trans = transitions(&self.cue);
        for (si, &sentence) in ctx.doc.sentences.iter().enumerate() {
            if meter.spent() {
                meter.mark_exhausted();
                break;
            }
            let cues = match given {
                Some(g) => g.get(si).cloned().unwrap_or_default(),
                None => self.tag_cues(ctx, &trans, sentence, meter),
            };
            let cue_ranges: Vec<Range> = cues.iter().map(|c| c.0).collect();
            for &(cue, confidence) in &cues {
                let prior = prior_source(ctx, &out, cue);
                if let Some((content, source)) = decide(
                    ctx,
                    cue,
                    &cue_ranges,
                    prior,
                    &self.content,
                    &self.source,
                    hints,
                    &mut bufs,
                    meter,
                ) {
                    out.push(Decided {
                        cue,
                        content,
                        source,
                        confidence,
                    });
                }
            }
        }
        out
    }

    fn quote(&self, ctx: &Ctx, d: &Decided) -> Quote {
        let doc = ctx.doc;
        let parts = d.content.parts();
        // Direct when a part holds a quote mark or is the inside of a quotation (its marks,
        // like the rules' quotations, stay out of the span).
        let direct = parts.iter().any(|&(a, b)| {
            (a..b).any(|i| ctx.is_quoting_mark(i))
                || ctx.single_quoted(a, b)
                || (a > 0 && ctx.is(a - 1, flag::OPEN))
                || ctx.is(b, flag::CLOSE)
                || (ctx.is(b, flag::PUNCT) && ctx.is(b + 1, flag::CLOSE))
        });
        Quote {
            kind: if direct {
                QuoteKind::Direct
            } else {
                QuoteKind::Indirect
            },
            content: parts.iter().map(|&(a, b)| doc.span_of(a, b)).collect(),
            cue: Some(doc.span_of(d.cue.0, d.cue.1)),
            speaker: d.source,
            // Three decimals: the calibration is not finer than that.
            confidence: (d.confidence * 1000.0).round() / 1000.0,
            rule: Rule::Model,
        }
    }
}

impl QuoteModel {
    /// The quotes of `doc`. With `recue`, the tagger's cues of every sentence are handed to
    /// it first, and the cues it gives back are the ones decided (a second cue tagger that
    /// sees the first one's tags).
    fn detect_with(&self, doc: &Doc, meter: &mut Meter, recue: Option<&Recue>) -> Vec<Quote> {
        let props = self.rules.propose(doc, meter);
        if meter.exhausted() {
            return props.quotes;
        }
        let ctx = Ctx::new(doc, &self.clusters, props);
        let (given, hints) = match recue {
            Some(f) => {
                let (cues, hints) = f(&ctx, self.all_cues(&ctx, meter));
                (Some(cues), hints)
            }
            None => (None, None),
        };
        let decided = self.decided(&ctx, given.as_ref(), hints.as_ref(), meter);
        let mut out: Vec<Quote> = decided.iter().map(|d| self.quote(&ctx, d)).collect();
        // Quotations the rules attribute without a cue (a paragraph continuing the previous
        // speaker) are kept where no decided content overlaps them; so are the quotes of the
        // most precise rules whose cue the tagger passed over. Both checks are binary
        // searches over the decided spans (an article may hold very many quotes).
        let cues = Spans::new(out.iter().filter_map(|q| q.cue));
        let contents = Spans::new(out.iter().flat_map(|q| q.content.iter().copied()));
        for q in &ctx.proposals {
            let keep = match q.cue {
                Some(c) => BACKSTOP.contains(&q.rule) && !cues.overlaps(c),
                None => !q.content.iter().any(|&c| contents.overlaps(c)),
            };
            if keep {
                out.push(q.clone());
            }
        }
        out.sort_by_key(|q| (q.content[0].start, q.content[0].end));
        out
    }
}

impl QuoteDetector for QuoteModel {
    fn detect(&self, doc: &Doc, meter: &mut Meter) -> Vec<Quote> {
        self.detect_with(doc, meter, None)
    }
}
