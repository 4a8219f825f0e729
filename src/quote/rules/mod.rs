//! The rule-based quote detector: quote marks paired, cue words found by the lexicon (and the
//! learned cue model), speakers and contents delimited by hand-written rules over the tokens.
//! One [`Detector`] per document; its methods live by job in the submodules: pairing marks
//! ([`marks`]), noun phrases and clause edges ([`phrases`]), quotations ([`direct`]) and
//! reported speech ([`reported`]).

mod direct;
mod marks;
mod phrases;
mod reported;
#[cfg(test)]
mod tests;

use super::{Quote, QuoteDetector, QuoteKind, Rule};
use crate::cues::CueModel;
use crate::lexicon::{self, CueClass};
use crate::ner::clusters::Clusters;
use crate::ner::features::SentCase;
use crate::text::Span;
use crate::tokenize::{Doc, TokenKind};
use crate::work::Meter;
use marks::Quotation;
use std::sync::Arc;

/// The rule-based detector, optionally helped by a learned cue model that finds cue words
/// the lexicon lacks.
#[derive(Clone, Default)]
pub struct RuleQuotes {
    learned: Option<Arc<(CueModel, Arc<Clusters>)>>,
}

impl RuleQuotes {
    /// Rules only.
    pub fn rules_only() -> Self {
        RuleQuotes { learned: None }
    }

    /// Rules with the built-in cue model.
    pub fn with_builtin_cues() -> anyhow::Result<Self> {
        Ok(RuleQuotes {
            learned: Some(Arc::new((CueModel::builtin()?, Clusters::shared()?))),
        })
    }
}

/// What the rules found in a document: their quotes, and every quotation (paired quote marks)
/// as token ranges `[open, close]` of its marks.
pub struct Proposals {
    /// The rules' quotes, in text order.
    pub quotes: Vec<Quote>,
    /// Paired quote marks: the opening and closing mark's token indices.
    pub quotations: Vec<(usize, usize)>,
}

impl QuoteDetector for RuleQuotes {
    fn detect(&self, doc: &Doc, meter: &mut Meter) -> Vec<Quote> {
        self.propose(doc, meter).quotes
    }
}

impl RuleQuotes {
    /// The rules' quotes and the quotations they paired.
    pub fn propose(&self, doc: &Doc, meter: &mut Meter) -> Proposals {
        let mut d = Detector::new(doc, *meter);
        if let Some(l) = &self.learned {
            let (model, clusters) = l.as_ref();
            let mut buf = Vec::new();
            for i in 0..doc.tokens.len() {
                // Lexicon cues and function words are decided without the model.
                let w = doc.tok(i);
                let skip = w.len() < 3
                    || lexicon::cue_class(w).is_some()
                    || lexicon::is_np_stop(w)
                    || lexicon::is_cue_modifier(w);
                d.steps(1);
                if !skip && crate::cues::candidate(doc, i) {
                    d.learned[i] = model.score(doc, clusters, i, &mut buf) > model.threshold;
                    d.steps(buf.len());
                }
            }
        }
        let (quotes, quotations, spent) = d.run();
        *meter = spent;
        Proposals {
            quotes,
            quotations: quotations.iter().map(|q| (q.open, q.close)).collect(),
        }
    }
}

struct Detector<'d, 'a> {
    doc: &'d Doc<'a>,
    /// Tokens used as cues or attribution already.
    used: Vec<bool>,
    /// Words the learned cue model takes for cues.
    learned: Vec<bool>,
    /// Sentences in title case (headlines), where a cue may be capitalized ("Graham Says").
    title_case: Vec<bool>,
    /// Each token's cue class, computed once (after `learned` is set) by [`Detector::run`].
    cues: Vec<Option<CueClass>>,
    /// Word tokens before each token index (`n + 1` entries): word counts in O(1).
    words_before: Vec<u32>,
    /// Quote-mark tokens before each token index (`n + 1` entries).
    marks_before: Vec<u32>,
    /// The first quote-mark token at or after each index (`n` where none; `n + 1` entries).
    next_mark: Vec<u32>,
    /// The work budget: token reads through [`Detector::w`], [`Detector::is_word`] and
    /// [`Detector::cue_at`] are its steps; once it is spent no further sentence or quotation
    /// is searched.
    meter: std::cell::Cell<Meter>,
}

/// Most cues of other quotes that one reported content may hold: contents nest ("Smith said
/// that Jones said that ..."), but on PolNeAR 99.98% of gold contents hold at most two other
/// cues. The cap bounds how many contents cover any one token, so that the output stays
/// linear in the article however its cues chain.
pub const MAX_NESTED_CUES: usize = 3;

impl<'d, 'a> Detector<'d, 'a> {
    fn new(doc: &'d Doc<'a>, meter: Meter) -> Self {
        let n = doc.tokens.len();
        let mut words_before = Vec::with_capacity(n + 1);
        let mut marks_before = Vec::with_capacity(n + 1);
        let (mut w, mut m) = (0u32, 0u32);
        for t in &doc.tokens {
            words_before.push(w);
            marks_before.push(m);
            w += u32::from(t.kind == TokenKind::Word);
            m += u32::from(t.kind == TokenKind::Quote);
        }
        words_before.push(w);
        marks_before.push(m);
        let mut next_mark = vec![n as u32; n + 1];
        for i in (0..n).rev() {
            next_mark[i] = if doc.tokens[i].kind == TokenKind::Quote {
                i as u32
            } else {
                next_mark[i + 1]
            };
        }
        Detector {
            doc,
            used: vec![false; n],
            learned: vec![false; n],
            title_case: doc
                .sentences
                .iter()
                .map(|&(a, b)| {
                    let words: Vec<&str> = (a..b).map(|k| doc.tok(k)).collect();
                    SentCase::of(&words) == SentCase::Title
                })
                .collect(),
            cues: Vec::new(),
            words_before,
            marks_before,
            next_mark,
            meter: std::cell::Cell::new(meter),
        }
    }

    /// Counts `n` steps.
    fn steps(&self, n: usize) {
        let mut m = self.meter.get();
        m.add(n as u64);
        self.meter.set(m);
    }

    /// Whether the work budget is spent (and notes it on the meter).
    fn over_budget(&self) -> bool {
        let mut m = self.meter.get();
        if m.spent() {
            m.mark_exhausted();
            self.meter.set(m);
        }
        m.exhausted()
    }

    /// Text of token `i`, or "" past the end.
    fn w(&self, i: usize) -> &'a str {
        self.steps(1);
        self.doc
            .tokens
            .get(i)
            .map_or("", |t| t.span.slice(self.doc.text))
    }

    fn is_word(&self, i: usize) -> bool {
        self.steps(1);
        self.doc
            .tokens
            .get(i)
            .is_some_and(|t| t.kind == TokenKind::Word)
    }

    /// Whether a quote mark stands in tokens `[a, b)`.
    fn mark_in(&self, a: usize, b: usize) -> bool {
        self.next_mark
            .get(a)
            .is_some_and(|&m| (m as usize) < b.min(self.doc.tokens.len()))
    }

    /// The first quote mark in tokens `[a, b)`.
    fn first_mark(&self, a: usize, b: usize) -> Option<usize> {
        let m = *self.next_mark.get(a)? as usize;
        (m < b.min(self.doc.tokens.len())).then_some(m)
    }

    /// The cue class of token `i` (see [`Detector::cue_class`]), looked up.
    fn cue_at(&self, i: usize) -> Option<CueClass> {
        self.steps(1);
        self.cues.get(i).copied().flatten()
    }

    /// The cue class of token `i`: a cue word written in lower case (or opening its sentence),
    /// not in the passive ("was written").
    fn cue_class(&self, i: usize) -> Option<CueClass> {
        if !self.is_word(i) {
            return None;
        }
        let w = self.w(i);
        let class = lexicon::cue_class(w).or_else(|| {
            // A cue the model found: its class from what follows.
            (self.learned[i] && !lexicon::is_cue_modifier(w) && !lexicon::is_np_stop(w)).then(
                || match self.w(i + 1).to_ascii_lowercase().as_str() {
                    "to" => CueClass::Propose,
                    _ => CueClass::Say,
                },
            )
        });
        // A characterizing verb with a quotation soon after it: `branded it an "outlaw nation"`.
        // (The word test comes first: this runs for every word that is no cue.)
        let class = class.or_else(|| {
            (lexicon::is_characterizing(w) && {
                let (_, se) = self.sentence_bounds(i);
                self.mark_in(i + 1, se.min(i + 8))
            })
            .then_some(CueClass::Call)
        })?;
        let lower = w.chars().next().is_some_and(|c| c.is_lowercase());
        let sent = self.doc.sentence_of(i);
        if !lower && i != self.doc.sentences[sent].0 && !self.title_case[sent] {
            return None;
        }
        // The passive, also past an adverb ("was also found"), and the idiom "Having said that".
        // ("is claiming", "are urging" are progressive, not passive; "he's said" is no passive.)
        let passive = self
            .be_before(i)
            .is_some_and(|b| !b.contains(['\'', '\u{2019}']));
        if passive && !lexicon::is_participle(w) {
            return None;
        }
        if i > 0 && self.w(i - 1).eq_ignore_ascii_case("having") && self.w(i + 1) == "that" {
            return None;
        }
        let prev = if i > 0 { self.w(i - 1) } else { "" };
        let lw = w.to_ascii_lowercase();
        // Words that are nouns as often as verbs ("the state", "initial reports") are cues only
        // with a verb's company: a complement after them, or a subject, adverb or auxiliary before.
        if lexicon::is_noun_verb(&lw) {
            let complement = matches!(self.w(i + 1), "that" | "," | ":")
                || self
                    .doc
                    .tokens
                    .get(i + 1)
                    .is_some_and(|t| t.kind == TokenKind::Quote);
            // A plural noun before it is a subject too ("Polls show", "documents show").
            let plural_subject = prev.len() > 3
                && prev.ends_with('s')
                && !prev.ends_with("ss")
                && prev.starts_with(|c: char| c.is_lowercase())
                && !lexicon::is_np_stop(prev)
                && !matches!(prev, "this" | "thus" | "does" | "was" | "has" | "is" | "as");
            let subject = lexicon::pronoun(prev).is_some()
                || plural_subject
                || lexicon::is_cue_modifier(prev)
                || (prev.starts_with(|c: char| c.is_uppercase()) && !lexicon::is_determiner(prev));
            if !(complement || subject) {
                return None;
            }
        }
        // Past participles alone ("the legislation written down") need an auxiliary.
        if matches!(lw.as_str(), "written" | "shown")
            && !matches!(prev.to_ascii_lowercase().as_str(), "has" | "have" | "had")
        {
            return None;
        }
        Some(class)
    }

    /// The span of reported content over tokens `[a, b)`, without trailing punctuation or a
    /// closing mark whose opening mark lies outside it.
    fn content_of(&self, a: usize, mut b: usize) -> Span {
        let marks = self.marks_before[b] - self.marks_before[a];
        let mut unbalanced = marks % 2 == 1;
        while b > a + 1 {
            match self.doc.tokens[b - 1].kind {
                TokenKind::Punct => b -= 1,
                TokenKind::Quote if unbalanced => {
                    b -= 1;
                    unbalanced = false;
                }
                _ => break,
            }
        }
        self.doc.span_of(a, b)
    }

    /// Word tokens in `[a, b)`.
    fn word_count(&self, a: usize, b: usize) -> usize {
        let n = self.doc.tokens.len();
        let (a, b) = (a.min(n), b.min(n));
        if b <= a {
            return 0;
        }
        (self.words_before[b] - self.words_before[a]) as usize
    }

    /// All quotes, and the meter with the steps taken.
    fn run(mut self) -> (Vec<Quote>, Vec<Quotation>, Meter) {
        self.cues = (0..self.doc.tokens.len())
            .map(|i| self.cue_class(i))
            .collect();
        let quotations = self.pair_marks();
        let mut out = self.direct_quotes(&quotations);
        let mut indirect = self.reported_speech(&quotations, &out);
        self.cap_nesting(&mut indirect);
        // A short quotation inside reported speech makes it direct rather than a quote of its own.
        // Direct quotes are in text order, so the ones inside a content span are found by
        // binary search (no quadratic work on huge articles).
        let mut drop = vec![false; out.len()];
        let mut rest = Vec::new();
        let open_starts: Vec<usize> = quotations
            .iter()
            .map(|qt| self.doc.tokens[qt.open].span.start)
            .collect();
        for mut q in indirect {
            let c = q.content[0];
            let first = out.partition_point(|d| d.content[0].start < c.start);
            for (k, d) in out.iter().enumerate().skip(first) {
                if d.content[0].start >= c.end {
                    break;
                }
                if d.cue.is_none() && d.content.iter().all(|s| c.contains(s)) {
                    drop[k] = true;
                    q.kind = QuoteKind::Direct;
                }
            }
            let o = open_starts.partition_point(|&s| s < c.start);
            if q.kind == QuoteKind::Indirect && open_starts.get(o).is_some_and(|&s| s < c.end) {
                q.kind = QuoteKind::Direct;
            }
            rest.push(q);
        }
        let mut k = 0;
        out.retain(|_| {
            k += 1;
            !drop[k - 1]
        });
        out.extend(rest);
        out.extend(self.headline_colons());
        out.sort_by_key(|q| (q.content[0].start, q.content[0].end));
        self.continue_speakers(&mut out);
        // A quotation nobody is said to have said is no attribution: long unattributed
        // quotations that did not continue a speaker are left out (none was right on dev).
        out.retain(|q| q.rule != Rule::DirectBare);
        (out, quotations, self.meter.get())
    }

    /// Cuts each reported content to hold at most [`MAX_NESTED_CUES`] cues of other quotes:
    /// a content after its cue loses its end, one before its cue its start.
    fn cap_nesting(&self, quotes: &mut [Quote]) {
        let mut cues: Vec<usize> = quotes
            .iter()
            .filter_map(|q| q.cue.map(|c| c.start))
            .collect();
        cues.sort_unstable();
        for q in quotes.iter_mut() {
            let own = q.cue.map_or(usize::MAX, |c| c.start);
            for span in &mut q.content {
                let lo = cues.partition_point(|&c| c < span.start);
                let hi = cues.partition_point(|&c| c < span.end);
                if hi - lo <= MAX_NESTED_CUES {
                    continue;
                }
                let others: Vec<usize> =
                    cues[lo..hi].iter().copied().filter(|&c| c != own).collect();
                if others.len() <= MAX_NESTED_CUES {
                    continue;
                }
                let a = self.token_at(span.start);
                let b = self.doc.tokens.partition_point(|t| t.span.start < span.end);
                *span = if own >= span.end {
                    // Keep the part nearest the cue: from after the cue that is one too many.
                    let cut = self.token_at(others[others.len() - MAX_NESTED_CUES - 1]) + 1;
                    self.content_of(cut.min(b - 1), b)
                } else {
                    let cut = self.token_at(others[MAX_NESTED_CUES]);
                    self.content_of(a, cut.max(a + 1))
                };
            }
        }
    }

    /// A quotation without attribution right after a sentence, in the same paragraph, that
    /// attributes something to a speaker continues that speaker ("X called him a master at
    /// deals. \"He showed again and again ...\"").
    fn continue_speakers(&self, quotes: &mut [Quote]) {
        let doc = self.doc;
        // Per sentence, the last quote so far with a speaker and a cue inside the sentence.
        let mut last: Vec<Option<usize>> = vec![None; doc.sentences.len()];
        for k in 0..quotes.len() {
            if let (Some(_), Some(c)) = (quotes[k].speaker, quotes[k].cue) {
                let s = doc.sentence_of(self.token_at(c.start));
                let (ss, se) = doc.sentences[s];
                if doc.span_of(ss, se).contains(&c) {
                    last[s] = Some(k);
                }
            }
            if k == 0 || quotes[k].rule != Rule::DirectBare {
                continue;
            }
            let open = self.token_at(quotes[k].content[0].start).saturating_sub(1);
            let (ps, _) = self.para_bounds(open);
            let sent = doc.sentence_of(open);
            if sent == 0 || doc.sentences[sent].0 < ps {
                continue;
            }
            let prev = doc.sentences[sent - 1];
            if prev.0 < ps {
                continue;
            }
            if let Some(sp) = last[sent - 1].and_then(|x| quotes[x].speaker) {
                quotes[k].speaker = Some(sp);
                quotes[k].rule = Rule::DirectFloating;
                quotes[k].confidence = Rule::DirectFloating.confidence();
            }
        }
    }

    fn mark_used(&mut self, a: usize, b: usize) {
        for u in &mut self.used[a..b.min(self.doc.tokens.len())] {
            *u = true;
        }
    }

    fn sentence_bounds(&self, i: usize) -> (usize, usize) {
        let s = self.doc.sentence_of(i.min(self.doc.tokens.len() - 1));
        self.doc.sentences[s]
    }

    fn para_bounds(&self, i: usize) -> (usize, usize) {
        let p = self.doc.paragraph_of(i.min(self.doc.tokens.len() - 1));
        self.doc.paragraphs[p]
    }

    /// The token that starts at byte `b`.
    fn token_at(&self, b: usize) -> usize {
        self.doc
            .tokens
            .partition_point(|t| t.span.start < b)
            .min(self.doc.tokens.len().saturating_sub(1))
    }
}
