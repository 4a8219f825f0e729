//! Quote detection: direct quotations (split, multi-paragraph, colon-introduced, block quotes)
//! and reported speech ("X said (that) ...", "According to X, ...", "..., X wrote."), each with
//! its content spans, cue and speaker mention. Scare quotes are recognized and left out.

use crate::cues::CueModel;
use crate::lexicon::{self, CueClass};
use crate::ner::clusters::Clusters;
use crate::ner::features::SentCase;
use crate::text::Span;
use crate::tokenize::{Doc, TokenKind};
use crate::work::Meter;
use std::sync::Arc;

/// Direct or indirect. A statement whose content quotes the speaker's words, in whole or in
/// part ("He called the plan \"a disaster\""), is direct: the quoted words are verbatim, and
/// PolNeAR's scorer counts exactly the contents that hold a quotation mark as direct quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteKind {
    /// A quotation in quote marks, or reported speech that quotes some words.
    Direct,
    /// Reported speech without quote marks.
    Indirect,
}

impl QuoteKind {
    /// As written in the output.
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteKind::Direct => "direct",
            QuoteKind::Indirect => "indirect",
        }
    }
}

/// Which rule found a quote; each rule's confidence is its precision on PolNeAR dev.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// A quotation with a named speaker and cue next to it.
    DirectNamed,
    /// A quotation attributed to a pronoun ("he said").
    DirectPronoun,
    /// A block quote after a colon, without a cue.
    DirectBlock,
    /// A paragraph-long quotation continuing the previous paragraph's speaker.
    DirectFloating,
    /// A long quotation without attribution (found, then left out of the output).
    DirectBare,
    /// "X said that ..." and kin, with an explicit "that".
    ReportedThat,
    /// "X said ..." without "that".
    ReportedBare,
    /// A cue the learned model found ("X cited ...").
    ReportedLearned,
    /// ", saying (that) ..." with the sentence's subject.
    Participle,
    /// "According to X, ..." or "..., according to X".
    AccordingTo,
    /// "..., X said." or "..., said X."
    Postposed,
    /// "A, X said, B."
    Parenthetical,
    /// A headline "Name: what they say".
    Headline,
    /// A transcript turn: "TAPPER: Do you think ...".
    Transcript,
    /// "In a CNN poll, Clinton led by 5 points."
    InPoll,
}

impl Rule {
    /// The rule's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::DirectNamed => "direct-named",
            Rule::DirectPronoun => "direct-pronoun",
            Rule::DirectBlock => "direct-block",
            Rule::DirectFloating => "direct-floating",
            Rule::DirectBare => "direct-bare",
            Rule::ReportedThat => "reported-that",
            Rule::ReportedBare => "reported-bare",
            Rule::ReportedLearned => "reported-learned",
            Rule::Participle => "participle",
            Rule::AccordingTo => "according-to",
            Rule::Postposed => "postposed",
            Rule::Parenthetical => "parenthetical",
            Rule::Headline => "headline",
            Rule::Transcript => "transcript",
            Rule::InPoll => "in-poll",
        }
    }

    /// Confidence of the rule's quotes: the share of them that are right end to end (content@0.5
    /// and speaker, as `whosaid eval polnear` counts) on PolNeAR train, so that dev can check the
    /// calibration (README and models/README.md give the table).
    pub fn confidence(self) -> f32 {
        // Measured on PolNeAR train (2026-11-27, 13,892 quotes). The learned-cue rule is measured
        // on dev instead (train is the cue model's own training data: 57% there); rules with
        // few quotes pool train and dev (transcript 20/29, in-poll 11/15, block 0/8).
        match self {
            Rule::DirectNamed => 0.89,
            Rule::DirectPronoun => 0.9,
            Rule::DirectBlock => 0.1,
            Rule::DirectFloating => 0.45,
            Rule::DirectBare => 0.05,
            Rule::ReportedThat => 0.76,
            Rule::ReportedBare => 0.65,
            Rule::ReportedLearned => 0.48,
            Rule::Participle => 0.6,
            Rule::AccordingTo => 0.8,
            Rule::Postposed => 0.72,
            Rule::Parenthetical => 0.76,
            Rule::Headline => 0.62,
            Rule::Transcript => 0.69,
            Rule::InPoll => 0.73,
        }
    }
}

/// One attributed statement, in byte spans and token ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// Direct or indirect.
    pub kind: QuoteKind,
    /// What was said: one span, or several for a quotation split by its attribution.
    pub content: Vec<Span>,
    /// The cue words ("said", "told reporters", "according to").
    pub cue: Option<Span>,
    /// The speaker mention as a token range.
    pub speaker: Option<(usize, usize)>,
    /// Confidence in [0, 1].
    pub confidence: f32,
    /// The rule that found it.
    pub rule: Rule,
}

/// A pipeline stage that finds quotes in a segmented document.
pub trait QuoteDetector: Send + Sync {
    /// Quotes of `doc` in text order. Steps are counted on `meter`; when it is spent the
    /// detector stops searching and returns what it found (and marks the meter exhausted).
    fn detect(&self, doc: &Doc, meter: &mut Meter) -> Vec<Quote>;
}

/// The rule-based detector, optionally helped by a learned cue model that finds cue words
/// the lexicon lacks.
#[derive(Clone, Default)]
pub struct RuleQuotes {
    learned: Option<Arc<(CueModel, Clusters)>>,
}

impl RuleQuotes {
    /// Rules only.
    pub fn rules_only() -> Self {
        RuleQuotes { learned: None }
    }

    /// Rules with the built-in cue model.
    pub fn with_builtin_cues() -> anyhow::Result<Self> {
        Ok(RuleQuotes {
            learned: Some(Arc::new((CueModel::builtin()?, Clusters::builtin()?))),
        })
    }
}

impl QuoteDetector for RuleQuotes {
    fn detect(&self, doc: &Doc, meter: &mut Meter) -> Vec<Quote> {
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
        let (quotes, spent) = d.run();
        *meter = spent;
        quotes
    }
}

/// A quotation found by pairing marks: token indices of the marks (close may be the end of a
/// paragraph for a multi-paragraph quote).
#[derive(Debug, Clone, Copy)]
struct Quotation {
    open: usize,
    /// Index of the closing mark (content is `open+1 .. close`).
    close: usize,
}

fn opens(s: &str) -> Option<bool> {
    match s {
        "\u{201C}" | "\u{00AB}" | "\u{201E}" | "``" => Some(true),
        "\u{201D}" | "\u{00BB}" => Some(false),
        _ => None,
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
    fn run(mut self) -> (Vec<Quote>, Meter) {
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
        (out, self.meter.get())
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

    /// Headlines of the form "Pat Caddell: Democrat Voters Worried About ...", in the article's
    /// first two paragraphs, and transcript turns ("TAPPER: ...") anywhere after them: the name
    /// before the colon says what follows it.
    fn headline_colons(&self) -> Vec<Quote> {
        let doc = self.doc;
        let mut out = Vec::new();
        // Transcript turns anywhere: "TAPPER: Do you think ...".
        for &(ps, pe) in doc.paragraphs.iter().skip(2) {
            let ps = if doc.tokens[ps].kind == TokenKind::Quote {
                ps + 1
            } else {
                ps
            };
            let Some(colon) = (ps + 1..pe.min(ps + 4)).find(|&k| self.w(k) == ":") else {
                continue;
            };
            let caps = (ps..colon).all(|k| {
                let w = self.w(k);
                self.is_word(k)
                    && w.len() >= 2
                    && w.chars().all(|c| c.is_uppercase() || c == '.' || c == '\'')
            });
            if caps && self.word_count(colon + 1, pe) >= 3 && !self.used[colon] {
                out.push(self.colon_quote(ps, colon, pe, Rule::Transcript));
            }
        }
        for &(ps, pe) in doc.paragraphs.iter().take(2) {
            let Some(colon) = (ps + 1..pe.min(ps + 7)).find(|&k| self.w(k) == ":") else {
                continue;
            };
            let name_ok = (ps..colon)
                .all(|k| (self.is_word(k) && self.cue_at(k).is_none()) || self.w(k) == "-")
                && self.doc.tokens[colon + 1..pe]
                    .first()
                    .is_some_and(|t| matches!(t.kind, TokenKind::Word | TokenKind::Quote))
                && self.w(ps).starts_with(|c: char| c.is_uppercase())
                && !self.is_time_phrase(ps, colon);
            if !name_ok || self.word_count(colon + 1, pe) < 3 || self.used[colon] {
                continue;
            }
            out.push(self.colon_quote(ps, colon, pe, Rule::Headline));
        }
        out
    }

    /// "NAME: what they say" over tokens `[ps, pe)` with the colon at `colon`.
    fn colon_quote(&self, ps: usize, colon: usize, pe: usize, rule: Rule) -> Quote {
        Quote {
            kind: QuoteKind::Indirect,
            content: vec![self.content_of(colon + 1, pe)],
            cue: Some(self.doc.span_of(colon, colon + 1)),
            speaker: Some((ps, colon)),
            confidence: rule.confidence(),
            rule,
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

    /// Pairs quote marks within paragraphs, continuing a quotation across paragraphs when the
    /// next paragraph opens with a mark.
    fn pair_marks(&self) -> Vec<Quotation> {
        let doc = self.doc;
        let mut out = Vec::new();
        let mut open: Option<usize> = None;
        for (pi, &(ps, pe)) in doc.paragraphs.iter().enumerate() {
            for i in ps..pe {
                let t = &doc.tokens[i];
                if t.kind != TokenKind::Quote {
                    continue;
                }
                let s = self.w(i);
                // A closing curly mark that opens a paragraph and is glued to the word after it
                // is a typo for an opening one (`”Fear. I am afraid ...” ― Edwin`).
                let misprint = s == "\u{201D}"
                    && i == ps
                    && open.is_none()
                    && doc
                        .tokens
                        .get(i + 1)
                        .is_some_and(|n| !n.space_before && n.kind == TokenKind::Word);
                let dir = if misprint { Some(true) } else { opens(s) };
                let dir = dir.or_else(|| {
                    if s == "\"" || s == "''" {
                        // Straight marks: open unless a quotation is open and this one is glued
                        // to the word before it.
                        let glued_left = !t.space_before && i > ps;
                        let glued_right = doc
                            .tokens
                            .get(i + 1)
                            .is_some_and(|n| !n.space_before && !n.para_start);
                        Some(match open {
                            Some(_) => !glued_left && glued_right,
                            None => !glued_left || glued_right,
                        })
                    } else {
                        None
                    }
                });
                match (dir, open) {
                    (Some(true), None) => open = Some(i),
                    (Some(true), Some(o)) if doc.paragraph_of(o) != pi && i == ps => {
                        // A new paragraph that opens with a mark continues the quotation.
                    }
                    (Some(true), Some(_)) => open = Some(i),
                    (Some(false), Some(o)) => {
                        if i > o + 1 {
                            out.push(Quotation { open: o, close: i });
                        }
                        open = None;
                    }
                    _ => {}
                }
            }
            // A paragraph that leaves a quotation open continues only if the next opens with a
            // mark; otherwise the unbalanced mark is ignored.
            if let Some(o) = open {
                let next_opens = doc.paragraphs.get(pi + 1).is_some_and(|&(ns, _)| {
                    doc.tokens[ns].kind == TokenKind::Quote && opens(self.w(ns)) != Some(false)
                });
                if !next_opens {
                    if pe > o + 1 && doc.paragraph_of(o) != pi {
                        // Multi-paragraph quote whose last paragraph lacks the closing mark.
                        out.push(Quotation { open: o, close: pe });
                    }
                    open = None;
                }
            }
        }
        out
    }

    fn content_span(&self, q: &Quotation) -> Span {
        let a = q.open + 1;
        let mut b = q.close;
        // Leave out trailing punctuation-only tokens at a paragraph end.
        while b > a && self.doc.tokens[b - 1].kind == TokenKind::Quote {
            b -= 1;
        }
        if b <= a {
            return Span::new(
                self.doc.tokens[q.open].span.end,
                self.doc.tokens[q.open].span.end,
            );
        }
        self.doc.span_of(a, b)
    }

    fn sentence_bounds(&self, i: usize) -> (usize, usize) {
        let s = self.doc.sentence_of(i.min(self.doc.tokens.len() - 1));
        self.doc.sentences[s]
    }

    fn para_bounds(&self, i: usize) -> (usize, usize) {
        let p = self.doc.paragraph_of(i.min(self.doc.tokens.len() - 1));
        self.doc.paragraphs[p]
    }

    /// The speaker noun phrase that ends right before token `end` (exclusive), not reaching
    /// before `limit`. Returns a token range.
    fn np_left(&self, end: usize, limit: usize) -> Option<(usize, usize)> {
        if end == 0 || end <= limit {
            return None;
        }
        let last = end - 1;
        if self.is_word(last) && lexicon::pronoun(self.w(last)).is_some() {
            return Some((last, end));
        }
        let mut start = end;
        let mut i = end;
        while i > limit {
            let j = i - 1;
            let w = self.w(j);
            // A parenthesis inside a name: "Rep. Gwen Moore (D-Wis.) said".
            if w == ")" {
                if let Some(open) = (j.saturating_sub(8).max(limit)..j)
                    .rev()
                    .find(|&k| self.w(k) == "(")
                {
                    if open > limit && self.is_word(open - 1) {
                        start = open;
                        i = open;
                        continue;
                    }
                }
                break;
            }
            let t = &self.doc.tokens[j];
            let ok = match t.kind {
                TokenKind::Word => {
                    let possessive = w.ends_with("'s") || w.ends_with("\u{2019}s");
                    if possessive && w.len() <= 4 {
                        true
                    } else if w.eq_ignore_ascii_case("of") || w.eq_ignore_ascii_case("and") {
                        // Inside a name: "Secretary of State", "Witkoff and Kushner".
                        let left_cap = j > limit
                            && self.is_word(j - 1)
                            && self
                                .w(j - 1)
                                .chars()
                                .next()
                                .is_some_and(|c| c.is_uppercase());
                        let right_cap = self
                            .w(j + 1)
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_uppercase());
                        left_cap && right_cap && start == j + 1
                    } else if lexicon::pronoun(w).is_some() {
                        false
                    } else {
                        !lexicon::is_np_stop(w)
                    }
                }
                TokenKind::Punct => w == "-" && !t.space_before,
                TokenKind::Quote => {
                    (w == "\u{2019}" || w == "'")
                        && j + 1 < end
                        && self.w(j + 1).eq_ignore_ascii_case("s")
                }
            };
            if !ok {
                break;
            }
            start = j;
            i = j;
            if end - start > 10 {
                break;
            }
        }
        if start >= end {
            return None;
        }
        // Trim a leading lowercase modifier run that is really a verb phrase's tail: keep it
        // simple and only drop leading adverbs.
        while start < end && lexicon::is_cue_modifier(self.w(start)) {
            start += 1;
        }
        (start < end && (start..end).any(|k| self.is_word(k)) && !self.is_time_phrase(start, end))
            .then_some((start, end))
    }

    /// True when tokens `[a, b)` are only a time expression ("Tuesday", "late August", "2010").
    fn is_time_phrase(&self, a: usize, b: usize) -> bool {
        (a..b).all(|k| {
            let w = self.w(k);
            lexicon::is_time_word(w) || w.chars().all(|c| c.is_ascii_digit())
        })
    }

    /// The speaker noun phrase starting at `start`, going right up to a comma, period or
    /// preposition ("said Rubio.", "said Sen. John Smith, a Democrat").
    fn np_right(&self, start: usize, limit: usize) -> Option<(usize, usize)> {
        if start >= limit {
            return None;
        }
        if lexicon::pronoun(self.w(start)).is_some() {
            return Some((start, start + 1));
        }
        let mut end = start;
        while end < limit && end - start < 8 {
            let w = self.w(end);
            let ok = self.is_word(end)
                && (!lexicon::is_np_stop(w) || { (w == "of" || w == "and") && end > start })
                || (end > start
                    && self.doc.tokens[end].kind == TokenKind::Quote
                    && !self.doc.tokens[end].space_before
                    && self.w(end + 1).eq_ignore_ascii_case("s"));
            if !ok {
                break;
            }
            end += 1;
        }
        while end > start && matches!(self.w(end - 1), "of" | "and") {
            end -= 1;
        }
        (end > start && !self.is_time_phrase(start, end)).then_some((start, end))
    }

    /// The end of content running from `a` to `b`: the first "and" before a cue verb ("... and
    /// said ..."), or the first comma (after a few words, outside quotation marks) that opens
    /// another attribution — "according to", a participle cue (", saying"), a conjunction and a
    /// speaker with a cue (", though she noted"), or a speaker and a cue that end the sentence
    /// (", experts say") — else `b`.
    fn cut_at_next_attribution(&self, a: usize, b: usize) -> usize {
        let mut k = a + 3;
        let mut marks = 0;
        while k < b {
            if self.doc.tokens[k].kind == TokenKind::Quote {
                marks += 1;
            }
            // "... and said ...": a coordinated cue starts an attribution of its own.
            if marks % 2 == 0
                && self.w(k).eq_ignore_ascii_case("and")
                && self.cue_at(k + 1).is_some()
                && !lexicon::is_participle(self.w(k + 1))
            {
                return k;
            }
            // Quoted text is never cut.
            if self.w(k) == "," && marks % 2 == 0 {
                let next = self.w(k + 1);
                let conj = matches!(next, "but" | "though" | "although" | "while" | "and");
                let first = k + 1 + usize::from(conj);
                let cut = next.eq_ignore_ascii_case("according")
                    // ", saying ..."
                    || (self.cue_at(k + 1).is_some() && lexicon::is_participle(next))
                    // ", though she noted ..." / ", experts say."
                    || (first + 1..(first + 4).min(b)).any(|m| {
                        self.cue_at(m).is_some()
                            && !self.used[m]
                            && (conj || m + 3 >= b)
                            && (first..m).all(|x| self.is_word(x))
                    });
                // ", engaging in ...", ", citing ...": a participle clause after the content
                // is the writer's, not the speaker's.
                let tail_participle = next.len() > 4
                    && next.ends_with("ing")
                    && next.starts_with(|c: char| c.is_lowercase())
                    && !lexicon::is_preposition(next)
                    && !matches!(
                        next,
                        "including"
                            | "being"
                            | "having"
                            | "something"
                            | "nothing"
                            | "everything"
                            | "anything"
                    );
                // ", but ...", ", yet ...": a contrast the writer adds, unless quoted words
                // follow (`he said, but "when it comes to ..."`).
                let contrast = matches!(next, "but" | "yet") && !self.mark_in(k + 1, b);
                if cut || tail_participle || contrast {
                    return k;
                }
            }
            // "... - a charge that ...": an appositive after a spaced dash.
            if marks % 2 == 0
                && matches!(self.w(k), "\u{2014}" | "\u{2013}" | "--" | "-")
                && k > a
                && self.doc.tokens[k - 1].span.end < self.doc.tokens[k].span.start
                && lexicon::is_determiner(self.w(k + 1))
            {
                return k;
            }
            k += 1;
        }
        b
    }

    /// Whether the quotation opening at token `open` closes before `end` with at least two
    /// more words after it (`said "budget reforms" and the collection of taxes would pay`).
    fn quoted_words_then_more(&self, open: usize, end: usize) -> bool {
        self.first_mark(open + 1, end)
            .is_some_and(|close| self.word_count(close + 1, end) >= 2)
    }

    /// Whether a short quotation names a work: its words are in title case and it follows "on",
    /// "titled" and kin, or a comma after a word for a work ("his book, ...").
    fn is_title(&self, q: &Quotation) -> bool {
        let title_case = (q.open + 1..q.close).filter(|&k| self.is_word(k)).all(|k| {
            let w = self.w(k);
            w.starts_with(|c: char| c.is_uppercase())
                || matches!(
                    w,
                    "a" | "an" | "the" | "of" | "to" | "and" | "in" | "for" | "on"
                )
        });
        if !title_case || q.open == 0 {
            return false;
        }
        let before = self.w(q.open - 1).to_ascii_lowercase();
        let work_before_comma = before == ","
            && q.open >= 2
            && matches!(
                self.w(q.open - 2).to_ascii_lowercase().as_str(),
                "book"
                    | "show"
                    | "program"
                    | "programme"
                    | "film"
                    | "movie"
                    | "song"
                    | "album"
                    | "column"
                    | "ad"
                    | "video"
                    | "documentary"
                    | "series"
                    | "memoir"
                    | "novel"
            );
        let before2 = if q.open >= 2 {
            self.w(q.open - 2).to_ascii_lowercase()
        } else {
            String::new()
        };
        // `episode of "The Steve Harvey Morning Show,"`, `CBS's "Face the Nation,"`.
        let work_of = before == "of"
            && matches!(
                before2.as_str(),
                "episode" | "broadcast" | "edition" | "host" | "author" | "season" | "issue"
            );
        let possessive = matches!(before.as_str(), "'s" | "\u{2019}s");
        work_before_comma
            || work_of
            || possessive
            || matches!(
                before.as_str(),
                "on" | "titled"
                    | "entitled"
                    | "headlined"
                    | "dubbed"
                    | "named"
                    | "nickname"
                    | "slogan"
                    | "motto"
                    | "hashtag"
            )
    }

    /// The form of "be" (or its clitic 's, 're) right before token `i`, past up to three
    /// adverbs or auxiliaries ("was also found", "are now urging").
    fn be_before(&self, i: usize) -> Option<&'a str> {
        let mut b = i;
        while b > 0 && b + 4 > i {
            let w = self.w(b - 1);
            if matches!(
                w.to_ascii_lowercase().as_str(),
                "is" | "are"
                    | "was"
                    | "were"
                    | "been"
                    | "be"
                    | "being"
                    | "'s"
                    | "\u{2019}s"
                    | "'re"
                    | "\u{2019}re"
            ) {
                return Some(w);
            }
            if !lexicon::is_cue_modifier(w) {
                return None;
            }
            b -= 1;
        }
        None
    }

    /// Whether the -ing word at `i` is a progressive verb ("is claiming", "are now urging").
    fn progressive(&self, i: usize) -> bool {
        self.be_before(i).is_some()
    }

    /// Whether token `i` opens a clause or an object after a cue, rather than ending the
    /// sentence or adding an adjunct ("Tuesday", "in a statement", "reporters").
    fn opens_clause(&self, i: usize) -> bool {
        let w = self.w(i);
        self.is_word(i)
            && !lexicon::is_time_word(w)
            && !lexicon::is_preposition(w)
            && !lexicon::is_listener(w)
            && !lexicon::is_cue_modifier(w)
    }

    /// The token that starts at byte `b`.
    fn token_at(&self, b: usize) -> usize {
        self.doc
            .tokens
            .partition_point(|t| t.span.start < b)
            .min(self.doc.tokens.len().saturating_sub(1))
    }

    /// The noun phrase that opens a sentence (its subject, roughly), skipping one fronted
    /// phrase that ends with a comma ("In a speech on Friday, Clinton said ...").
    fn np_at_start(&self, ss: usize, limit: usize) -> Option<(usize, usize)> {
        // A sentence that opens with a quotation has its subject after it, not inside it.
        if self
            .doc
            .tokens
            .get(ss)
            .is_some_and(|t| t.kind == TokenKind::Quote)
        {
            return None;
        }
        let scan = |from: usize| -> Option<(usize, usize)> {
            if lexicon::pronoun(self.w(from)).is_some() {
                return Some((from, from + 1));
            }
            let mut e = from;
            while e < limit && e - from < 8 {
                let w = self.w(e);
                let ok = if self.is_word(e) {
                    let lower = w.starts_with(|c: char| c.is_lowercase());
                    !lexicon::is_np_stop(w)
                        && lexicon::pronoun(w).is_none()
                        && !(lower && (w.ends_with("ed") || lexicon::is_cue_modifier(w)))
                } else {
                    self.doc.tokens[e].kind == TokenKind::Quote
                        && self.w(e + 1).eq_ignore_ascii_case("s")
                        && !self.doc.tokens[e].space_before
                };
                if !ok {
                    break;
                }
                e += 1;
            }
            // "Chastened by the criticism, Trump ...": a participle opening the sentence is
            // no subject.
            let opener = e == from + 1 && {
                let w = self.w(from);
                w.len() > 5 && (w.ends_with("ed") || w.ends_with("ing"))
            };
            (e > from
                && !opener
                && (from..e).any(|k| {
                    self.w(k).starts_with(|c: char| c.is_uppercase())
                        || lexicon::is_group_noun(self.w(k))
                }))
            .then_some((from, e))
        };
        if let Some(np) = scan(ss) {
            return Some(np);
        }
        let comma = (ss..limit.min(ss + 12)).find(|&k| self.w(k) == ",")?;
        scan(comma + 1)
    }

    /// Skips cue modifiers rightwards from `i`; returns the first other token.
    fn skip_modifiers_right(&self, mut i: usize, limit: usize) -> usize {
        while i < limit && self.is_word(i) && lexicon::is_cue_modifier(self.w(i)) {
            i += 1;
        }
        i
    }

    /// Skips cue modifiers leftwards from `i` (exclusive); returns the new end.
    fn skip_modifiers_left(&self, mut i: usize, limit: usize) -> usize {
        while i > limit && self.is_word(i - 1) && lexicon::is_cue_modifier(self.w(i - 1)) {
            i -= 1;
        }
        i
    }

    /// The subject of a cue at `c`: the noun phrase before it, past modifiers, appositives
    /// ("Witkoff, talking to ..., concluded") and coordination ("He promised ... and said").
    fn subject_of(&self, c: usize, limit: usize) -> Option<(usize, usize)> {
        let e = self.skip_modifiers_left(c, limit);
        // A relative pronoun is the subject as written ("Stevie Wonder, who joked ...",
        // "Clinton, who's called for ..."); resolution finds whom it stands for.
        let rel = if e > limit && matches!(self.w(e - 1), "'s" | "\u{2019}s") {
            e - 1
        } else {
            e
        };
        if rel > limit && matches!(self.w(rel - 1), "who" | "which") {
            return Some((rel - 1, rel));
        }
        // "McConnell, who in 2010 said ...": a time adjunct after the relative pronoun.
        if let Some(r) = (e.saturating_sub(4).max(limit)..e.saturating_sub(1))
            .find(|&r| matches!(self.w(r), "who" | "which"))
        {
            let adjunct =
                lexicon::is_preposition(self.w(r + 1)) || lexicon::is_time_word(self.w(r + 1));
            if adjunct && (r + 1..e).all(|x| self.doc.tokens[x].kind != TokenKind::Punct) {
                return Some((r, r + 1));
            }
        }
        if let Some(np) = self.np_left(e, limit) {
            return Some(np);
        }
        if e > limit && self.w(e - 1) == "," {
            // Appositive or participial clause: the subject stands before the opening comma.
            let mut j = e - 1;
            while j > limit {
                j -= 1;
                if self.w(j) == "," {
                    return self.np_left(j, limit);
                }
                if matches!(self.w(j), "." | ";" | ":") {
                    break;
                }
            }
        }
        if e > limit && self.w(e - 1).eq_ignore_ascii_case("and") {
            // Coordinated verbs share the sentence's subject.
            let mut end = limit;
            while end < e - 1 && self.is_word(end) && !lexicon::is_np_stop(self.w(end)) {
                end += 1;
                if lexicon::pronoun(self.w(end - 1)).is_some() {
                    break;
                }
            }
            if end > limit {
                return Some((limit, end));
            }
        }
        None
    }

    fn mark_used(&mut self, a: usize, b: usize) {
        for u in &mut self.used[a..b.min(self.doc.tokens.len())] {
            *u = true;
        }
    }

    /// Direct quotations with their attribution.
    fn direct_quotes(&mut self, quotations: &[Quotation]) -> Vec<Quote> {
        let doc = self.doc;
        let n = doc.tokens.len();
        let mut out: Vec<Quote> = Vec::new();
        let mut merged_into: Vec<Option<usize>> = vec![None; quotations.len()];
        let mut opened_at: Vec<Option<usize>> = vec![None; n + 1];
        for (k, q) in quotations.iter().enumerate() {
            opened_at[q.open] = Some(k);
        }
        for (qi, q) in quotations.iter().enumerate() {
            if self.over_budget() {
                break;
            }
            if merged_into[qi].is_some() {
                continue;
            }
            let words = self.word_count(q.open + 1, q.close);
            let (ps, pe) = self.para_bounds(q.open);
            let para_initial = q.open == ps;
            let mut cue = None;
            let mut speaker = None;
            let mut after_attr = None;
            // 1. Attribution after the closing mark: `"...," he said` / `"...," said Rubio`.
            let pe_close = if q.close < n {
                self.para_bounds(q.close).1
            } else {
                pe
            };
            // A quotation that ends its sentence ("... neighborhood.\"") is followed by a new
            // sentence, whose cue attributes the quotation only if nothing follows the cue
            // ("\"...\" Trump said Tuesday."), not if it opens a clause ("Russia insisted that").
            let ends_sentence = q.close > q.open + 1 && self.w(q.close - 1) == ".";
            let mut j = q.close + 1;
            if j < pe_close && self.w(j) == "," {
                j += 1;
            }
            if j < pe_close {
                let (_, se) = self.sentence_bounds(j);
                let se = se.min(pe_close).max(j);
                if self.cue_at(j).is_some() {
                    if let Some(np) = self.np_right(j + 1, se) {
                        cue = Some((j, j + 1));
                        speaker = Some(np);
                        after_attr = Some(np.1);
                    }
                } else {
                    // Speaker then cue within a few tokens; the speaker may carry a
                    // parenthesis or an age ("Rep. Gwen Moore (D-Wis.) said", "Mr. King,
                    // 82, told me").
                    let mut k = j;
                    while k < se.min(j + 12) && k < n {
                        if self.cue_at(k).is_some()
                            && !lexicon::is_participle(self.w(k))
                            && !(ends_sentence && self.opens_clause(k + 1))
                        {
                            // The speaker phrase must start right after the quotation; a
                            // parenthesis or a determiner-led phrase ("a narrator in the
                            // Clinton ad asks") may hide its start from the subject search.
                            let np = self.subject_of(k, j).and_then(|np| {
                                if np.0 == j {
                                    Some(np)
                                } else if self.w(np.0 - 1) == ")"
                                    || lexicon::is_determiner(self.w(j))
                                {
                                    Some((j, np.1))
                                } else {
                                    None
                                }
                            });
                            if let Some(np) = np {
                                cue = Some((k, k + 1));
                                speaker = Some(np);
                                after_attr = Some(k + 1);
                            }
                            break;
                        }
                        let w = self.w(k);
                        if w == "(" {
                            match (k + 1..(k + 8).min(se)).find(|&m| self.w(m) == ")") {
                                Some(m) => {
                                    k = m + 1;
                                    continue;
                                }
                                None => break,
                            }
                        }
                        if w == ","
                            && self.w(k + 1).chars().all(|c| c.is_ascii_digit())
                            && self.w(k + 2) == ","
                        {
                            k += 3;
                            continue;
                        }
                        if w == "," && k > j {
                            // `"...," Michael McFaul, a senior fellow at ..., said`: a long
                            // appositive between the name and the cue.
                            let close = (k + 1..(k + 30).min(se)).find(|&m| self.w(m) == ",");
                            if let Some(m) = close {
                                let c = self.skip_modifiers_right(m + 1, se);
                                if self.cue_at(c).is_some() && !lexicon::is_participle(self.w(c)) {
                                    cue = Some((c, c + 1));
                                    speaker = Some((j, k));
                                    after_attr = Some(c + 1);
                                }
                            }
                            break;
                        }
                        if !self.is_word(k) && w != "-" && !w.ends_with('s') {
                            break;
                        }
                        k += 1;
                    }
                }
            }
            // 2. Attribution before the opening mark: `He said: "..."`, `Rubio told reporters, "..."`.
            if cue.is_none() && q.open > ps {
                let p = q.open - 1;
                // After "that" the quotation is part of reported content ("said that \"a
                // bomb\" had gone off"), which the reported-speech rules find whole.
                if matches!(self.w(p), ":" | ",")
                    && !self.w(p.saturating_sub(1)).eq_ignore_ascii_case("that")
                {
                    let (ss, _) = self.sentence_bounds(p);
                    let lo = ss.max(ps).max(p.saturating_sub(8));
                    let mut k = p;
                    while k > lo {
                        k -= 1;
                        if self.used[k] {
                            break;
                        }
                        if self.cue_at(k).is_some() {
                            let np = if lexicon::is_participle(self.w(k)) {
                                // `..., saying, "..."`: the sentence's subject speaks.
                                self.np_at_start(ss.max(ps), k)
                            } else {
                                // `Said Ellis: "..."`: the speaker may follow the cue.
                                self.subject_of(k, ss.max(ps))
                                    .or_else(|| self.np_right(k + 1, p))
                            };
                            if let Some(np) = np {
                                cue = Some((k, k + 1));
                                speaker = Some(np);
                            }
                            break;
                        }
                    }
                }
            }
            // 3. A block quote after a paragraph that ends with a colon.
            let mut block = false;
            if cue.is_none() && para_initial {
                let pi = doc.paragraph_of(q.open);
                if pi > 0 {
                    let (pps, ppe) = doc.paragraphs[pi - 1];
                    if self.w(ppe - 1) == ":" {
                        block = true;
                        let (ss, _) = self.sentence_bounds(ppe - 1);
                        let ss = ss.max(pps);
                        // The intro's last cue, if it has one, names the speaker.
                        for k in (ss..ppe - 1).rev() {
                            if self.cue_at(k).is_some() && !self.used[k] {
                                if let Some(np) = self.subject_of(k, ss) {
                                    cue = Some((k, k + 1));
                                    speaker = Some(np);
                                }
                                break;
                            }
                        }
                    }
                }
            }
            // 3b. A dash and a name after the quotation: `"..." ― Ariana Huichapa.`
            if cue.is_none()
                && q.close + 1 < pe_close
                && matches!(
                    self.w(q.close + 1),
                    "\u{2015}" | "\u{2014}" | "-" | "\u{2013}"
                )
            {
                if let Some(np) = self.np_right(q.close + 2, pe_close) {
                    if self.w(np.0).starts_with(|c: char| c.is_uppercase()) {
                        cue = Some((q.close + 1, q.close + 2));
                        speaker = Some(np);
                    }
                }
            }
            // 3c. A paragraph that is one quotation, right after a paragraph whose last quote
            // has a speaker, continues that speaker ("floating" quotes).
            let mut floating = false;
            if cue.is_none() && para_initial && !block && q.close + 1 >= pe_close.min(n) {
                let pi = doc.paragraph_of(q.open);
                if let Some(prev) = out.last() {
                    if let (Some(sp), Some(c)) = (prev.speaker, prev.cue) {
                        let prev_para = doc.paragraph_of(sp.0);
                        let close_para = doc.paragraph_of(self.token_at(c.start));
                        if pi > 0 && (prev_para == pi - 1 || close_para == pi - 1) {
                            speaker = Some(sp);
                            floating = true;
                        }
                    }
                }
            }
            // Titles of shows, books and ads are no statements: `on "Fox News Sunday,"`,
            // `titled "Arrogant,"`, `his book, "Make Your Kid a Millionaire,"`.
            if words <= 6 && self.is_title(q) {
                continue;
            }
            let attributed = cue.is_some();
            // Scare quotes and quoted names are no statements.
            let statement = attributed || block || (para_initial && words >= 5) || words >= 12;
            if !statement {
                continue;
            }
            let mut content = vec![self.content_span(q)];
            if content[0].is_empty() {
                continue;
            }
            if let Some((a, b)) = cue {
                self.mark_used(a, b);
            }
            // 4. A split quotation: `"A," he said, adding, "B."` continues with the same speaker.
            if let Some(mut k) = after_attr {
                let limit = self.sentence_bounds(k).1.max(k + 1).min(pe_close);
                while k < limit {
                    if let Some(nq) = opened_at[k] {
                        let prev = self.w(k - 1);
                        if matches!(prev, "," | ":") || prev.eq_ignore_ascii_case("adding") {
                            content.push(self.content_span(&quotations[nq]));
                            merged_into[nq] = Some(out.len());
                            self.mark_used(after_attr.unwrap_or(k), k);
                        }
                        break;
                    }
                    if matches!(self.w(k), "." | "!" | "?" | ";") {
                        // `"A," he said. "B."`: quotations that follow the attribution's
                        // sentence in the same paragraph, with no attribution of their own,
                        // continue the quote.
                        let mut next = k + 1;
                        while next < pe_close {
                            let Some(nq) = opened_at[next] else { break };
                            let close = quotations[nq].close;
                            let own_attribution = close + 1 < pe_close
                                && (self.is_word(close + 1)
                                    || (self.w(close + 1) == "," && self.is_word(close + 2)));
                            if own_attribution || merged_into[nq].is_some() {
                                break;
                            }
                            content.push(self.content_span(&quotations[nq]));
                            merged_into[nq] = Some(out.len());
                            next = close + 1;
                        }
                        break;
                    }
                    k += 1;
                }
            }
            let rule = if floating {
                Rule::DirectFloating
            } else if attributed {
                match speaker.map(|(a, _)| lexicon::pronoun(self.w(a)).is_some()) {
                    Some(true) => Rule::DirectPronoun,
                    _ => Rule::DirectNamed,
                }
            } else if block {
                Rule::DirectBlock
            } else {
                Rule::DirectBare
            };
            out.push(Quote {
                kind: QuoteKind::Direct,
                content,
                cue: cue.map(|(a, b)| doc.span_of(a, b)),
                speaker,
                confidence: rule.confidence(),
                rule,
            });
        }
        out
    }

    /// Reported speech, found from cue words.
    fn reported_speech(&mut self, quotations: &[Quotation], direct: &[Quote]) -> Vec<Quote> {
        let doc = self.doc;
        let n = doc.tokens.len();
        let mut out = Vec::new();
        let quote_start: Vec<bool> = {
            let mut v = vec![false; n + 1];
            for q in quotations {
                v[q.open] = true;
            }
            v
        };
        // Words inside an attributed quotation are its speaker's, not the writer's: their cues
        // ("you called them miracles") attribute nothing. (A quoted passage without a speaker,
        // such as an article quoted whole, keeps its attributions.)
        let mut quoted = vec![false; n + 1];
        for d in direct
            .iter()
            .filter(|d| d.cue.is_some() || d.speaker.is_some())
        {
            for c in &d.content {
                let (a, b) = (self.token_at(c.start), self.token_at(c.end));
                for x in &mut quoted[a..b.min(n)] {
                    *x = true;
                }
            }
        }
        for q in quotations {
            let (ps, pe) = self.para_bounds(q.open);
            let whole_paragraph = q.open == ps && q.close + 2 >= pe;
            if !whole_paragraph {
                for x in &mut quoted[q.open + 1..q.close.min(n)] {
                    *x = true;
                }
            }
        }
        for si in 0..doc.sentences.len() {
            if self.over_budget() {
                break;
            }
            let (ss, se) = doc.sentences[si];
            // Content ends before the sentence's final punctuation.
            // Content ends before the sentence's final punctuation, and before a closing mark
            // whose opening mark lies outside the sentence.
            let opens_inside = (ss..se).any(|k| quote_start[k]);
            self.steps(se - ss);
            let mut ce = se;
            while ce > ss {
                match doc.tokens[ce - 1].kind {
                    TokenKind::Punct => ce -= 1,
                    TokenKind::Quote if !opens_inside && !quote_start[ce - 1] => ce -= 1,
                    _ => break,
                }
            }
            let mut i = ss;
            while i < se {
                if self.used[i] || !self.is_word(i) || quoted[i] {
                    i += 1;
                    continue;
                }
                let w = self.w(i);
                // "According to X, ..." and "..., according to X."
                if w.eq_ignore_ascii_case("according")
                    && i + 1 < se
                    && self.w(i + 1).eq_ignore_ascii_case("to")
                {
                    if let Some(q) = self.according_to(i, ss, se, ce) {
                        self.mark_used(i, i + 2);
                        out.push(q);
                    }
                    i += 2;
                    continue;
                }
                if i == ss && w == "In" {
                    if let Some(q) = self.in_poll(i, se, ce) {
                        out.push(q);
                    }
                }
                let Some(class) = self.cue_at(i) else {
                    i += 1;
                    continue;
                };
                // A participle follows a comma, or a preposition with the sentence's subject as
                // its speaker ("responded by saying ...", "criticized for saying ...").
                if lexicon::is_participle(w)
                    && !self.progressive(i)
                    && !(i > ss
                        && matches!(
                            self.w(i - 1).to_ascii_lowercase().as_str(),
                            "," | "by" | "for" | "after"
                        ))
                {
                    i += 1;
                    continue;
                }
                if let Some(q) = self.reported_at(i, class, ss, se, ce) {
                    self.used[i] = true;
                    out.push(q);
                }
                i += 1;
            }
        }
        out
    }

    fn according_to(&self, i: usize, ss: usize, se: usize, ce: usize) -> Option<Quote> {
        let doc = self.doc;
        // Speaker: after "to" up to a comma or the sentence end.
        // A fronted source may be long ("According to early results of exit polls conducted
        // by Edison Research for the Associated Press, ...").
        let fronted = i == ss
            || (i > ss && self.w(i - 1) != ",") && i < ss + 2
            || (i > ss && self.w(i - 1) == ":");
        let max_len = if fronted { 24 } else { 12 };
        let mut e = i + 2;
        while e < se && !matches!(self.w(e), "," | "." | ";" | ":") && e - i < max_len {
            e += 1;
        }
        if e == i + 2 {
            return None;
        }
        let speaker = Some((i + 2, e));
        let content = if fronted {
            // Fronted: content is what follows the comma (or colon).
            if e < se && matches!(self.w(e), "," | ":") && ce > e + 1 {
                Some((e + 1, ce))
            } else {
                None
            }
        } else if i > ss && self.w(i - 1) == "," {
            // Trailing: content is what precedes it.
            (i - 1 > ss).then_some((ss, i - 1))
        } else {
            None
        }?;
        if self.word_count(content.0, content.1) < 3 {
            return None;
        }
        Some(Quote {
            kind: QuoteKind::Indirect,
            content: vec![self.content_of(content.0, content.1)],
            cue: Some(doc.span_of(i, i + 2)),
            speaker,
            confidence: Rule::AccordingTo.confidence(),
            rule: Rule::AccordingTo,
        })
    }

    /// "In an NBC News poll released Monday, 50 percent chose Clinton": a survey or study
    /// named in a fronted phrase is the source of the clause after the comma, when no cue in the
    /// sentence names another.
    fn in_poll(&self, i: usize, se: usize, ce: usize) -> Option<Quote> {
        let comma = (i + 2..se.min(i + 16)).find(|&k| self.w(k) == ",")?;
        let survey = (i + 1..comma).any(|k| {
            matches!(
                self.w(k).to_ascii_lowercase().as_str(),
                "poll" | "polls" | "survey" | "surveys" | "study" | "analysis" | "count"
            )
        });
        if !survey
            || (i + 1..comma).any(|k| !self.is_word(k) && self.w(k) != "/")
            || (i + 1..se).any(|k| self.cue_at(k).is_some())
            || self.word_count(comma + 1, ce) < 4
        {
            return None;
        }
        Some(Quote {
            kind: QuoteKind::Indirect,
            content: vec![self.content_of(comma + 1, ce)],
            cue: Some(self.doc.span_of(i, i + 1)),
            speaker: Some((i + 1, comma)),
            confidence: Rule::InPoll.confidence(),
            rule: Rule::InPoll,
        })
    }

    fn reported_at(
        &self,
        c: usize,
        class: CueClass,
        ss: usize,
        se: usize,
        ce: usize,
    ) -> Option<Quote> {
        let doc = self.doc;
        // ", saying (that) ...": a participle's speaker is the sentence's subject.
        let participle = lexicon::is_participle(self.w(c)) && !self.progressive(c);
        let mut speaker = if participle {
            // `"...," the mayor said, adding that ...`: without a subject at the sentence start,
            // the speaker of the cue before the participle.
            self.np_at_start(ss, c).or_else(|| {
                let k = (ss..c)
                    .rev()
                    .find(|&k| self.cue_at(k).is_some() && !lexicon::is_participle(self.w(k)))?;
                self.subject_of(k, ss).or_else(|| self.np_right(k + 1, c))
            })
        } else {
            self.subject_of(c, ss)
        };
        // A cue inside a quotation ("he said") is attribution of that quotation, not a new quote.
        let mut k = c + 1;
        let mut cue_end = c + 1;
        // Objects of tell-verbs and explicit complementizers.
        let mut that = false;
        let mut look = c + 1;
        while look < se.min(c + 8) {
            let w = self.w(look);
            if w.eq_ignore_ascii_case("that") {
                that = true;
                break;
            }
            // A listener may carry a quoted programme name: `told MSNBC's "Morning Joe" that`.
            let quoted_name = self.doc.tokens[look].kind == TokenKind::Quote;
            if (!self.is_word(look) && !quoted_name) || lexicon::cue_class(w).is_some() {
                break;
            }
            look += 1;
        }
        match class {
            CueClass::Tell => {
                if that {
                    cue_end = if look > c + 1 && lexicon::is_listener(self.w(c + 1)) {
                        (c + 2).min(look)
                    } else {
                        c + 1
                    };
                    k = look;
                } else if k < se && lexicon::is_listener(self.w(k)) {
                    while k < se && lexicon::is_listener(self.w(k)) {
                        k += 1;
                    }
                    cue_end = k;
                } else if (c + 2..se.min(c + 9)).any(|t| {
                    // "urged Republicans to join ...": an object and an infinitive, all said.
                    self.w(t) == "to"
                        && self.w(t + 1).starts_with(|ch: char| ch.is_lowercase())
                        && (c + 1..t).all(|x| self.is_word(x))
                }) {
                    k = c + 1;
                } else {
                    return None;
                }
            }
            CueClass::Think => {
                // "Polls show Clinton with a lead", "one study found Trump would raise taxes":
                // evidence verbs take a bare clause when their subject is no person.
                let evidence = matches!(
                    self.w(c).to_ascii_lowercase().as_str(),
                    "show" | "shows" | "showed" | "found" | "finds"
                ) && speaker.is_some_and(|(a, b)| {
                    lexicon::pronoun(self.w(b - 1)).is_none()
                        && !self.w(a).eq_ignore_ascii_case("who")
                        && !self.w(b - 1).starts_with(|ch: char| ch.is_uppercase())
                });
                if !(evidence || (that && look == c + 1)) {
                    return None;
                }
            }
            CueClass::Say => {
                if that && look <= c + 3 {
                    k = look;
                }
            }
            CueClass::Propose => {}
            CueClass::Call => match self.w(c + 1).to_ascii_lowercase().as_str() {
                "for" | "on" => {
                    cue_end = c + 2;
                    k = c + 2;
                }
                // Naming counts only with a quotation: `called them "deplorables"`.
                _ if self.mark_in(c + 1, se) => {}
                _ => return None,
            },
        }
        // Adjuncts right after the cue: "said in a statement, ..." belongs to the cue, unless a
        // clause follows ("Sources say in doing so, X relied ...").
        let starts_with_prep = k < se
            && lexicon::is_preposition(self.w(k))
            && !that
            && !(class == CueClass::Propose && self.w(k).eq_ignore_ascii_case("to"));
        if starts_with_prep && participle {
            return None;
        }
        let mut content_start = k;
        if starts_with_prep {
            let mut comma = None;
            for j in k..se.min(k + 8) {
                if self.w(j) == "," {
                    comma = Some(j);
                    break;
                }
            }
            match comma {
                Some(j)
                    if j + 1 < ce
                        && !lexicon::is_participle(self.w(j + 1))
                        && doc.tokens[j + 1].kind == TokenKind::Word
                        && self.word_count(j + 1, ce) >= 4
                        && !matches!(class, CueClass::Propose) =>
                {
                    content_start = k;
                }
                // "said after the convention he would ...": a short adjunct, then a clause.
                _ => {
                    content_start = (k + 1..se.min(k + 6))
                        .find(|&j| {
                            matches!(
                                self.w(j),
                                "he" | "she"
                                    | "they"
                                    | "we"
                                    | "I"
                                    | "it"
                                    | "He"
                                    | "She"
                                    | "They"
                                    | "We"
                                    | "It"
                            ) && (k..j).all(|x| self.is_word(x))
                        })
                        .unwrap_or(ce)
                }
            }
        }
        // Reported content ends before a clause that attributes something else: ", saying ...",
        // ", though she noted ...", ", experts say", ", according to ...".
        let ce = if content_start < ce {
            self.cut_at_next_attribution(content_start, ce)
        } else {
            ce
        };
        let forward_ok = content_start < ce
            && self.word_count(content_start, ce) >= 3 + usize::from(that)
            && doc.tokens[content_start].kind != TokenKind::Punct
            && (doc.tokens[content_start].kind != TokenKind::Quote
                || that
                || self.quoted_words_then_more(content_start, ce));
        if forward_ok && speaker.is_some() {
            if class == CueClass::Propose
                && !(self.w(content_start) == "to"
                    || self.w(content_start).ends_with("ing")
                    || that)
            {
                return None;
            }
            let rule = if participle {
                Rule::Participle
            } else if lexicon::cue_class(self.w(c)).is_none() {
                Rule::ReportedLearned
            } else if that {
                Rule::ReportedThat
            } else {
                Rule::ReportedBare
            };
            return Some(Quote {
                kind: QuoteKind::Indirect,
                content: vec![self.content_of(content_start, ce)],
                cue: Some(doc.span_of(c, cue_end)),
                speaker,
                confidence: rule.confidence(),
                rule,
            });
        }
        if participle {
            return None;
        }
        // Parenthetical: "The latest test, North Korea said, was its biggest yet."
        if let Some(sp) = speaker {
            if sp.0 > ss + 1 && self.w(sp.0 - 1) == "," {
                let mut j = c + 1;
                while j < ce && self.is_word(j) && j - c <= 5 {
                    j += 1;
                }
                if j < ce
                    && self.w(j) == ","
                    && self.word_count(j + 1, ce) >= 3
                    && self.word_count(ss, sp.0 - 1) >= 2
                    && doc.tokens[sp.0 - 2].kind == TokenKind::Word
                {
                    return Some(Quote {
                        kind: QuoteKind::Indirect,
                        content: vec![self.content_of(ss, sp.0 - 1), self.content_of(j + 1, ce)],
                        cue: Some(doc.span_of(c, c + 1)),
                        speaker,
                        confidence: Rule::Parenthetical.confidence(),
                        rule: Rule::Parenthetical,
                    });
                }
            }
        }
        // Post-posed: "CONTENT, SPEAKER CUE." with nothing but adjuncts after the cue.
        let after_comma = c > ss && self.w(c - 1) == ",";
        let tail_ok = {
            let mut j = c + 1;
            while j < ce && (self.is_word(j) && j - c <= 5) {
                j += 1;
            }
            // "..., said Brian Baker, a longtime adviser to the family.": an appositive after
            // the inverted speaker.
            j >= ce || (after_comma && j > c + 1 && self.w(j) == ",")
        } && matches!(class, CueClass::Say);
        if tail_ok {
            // "..., said Batchelder.": after a comma the speaker follows the cue, even where an
            // earlier comma made the words before it look like an appositive subject.
            let inverted = after_comma && self.np_right(c + 1, ce).is_some();
            if speaker.is_none() || inverted {
                // Inverted: "..., said the official."
                speaker = Some(self.np_right(c + 1, ce)?);
                if c == ss || self.w(c - 1) != "," {
                    return None;
                }
                let content = (ss, c - 1);
                if self.word_count(content.0, content.1) < 4
                    || doc.tokens[c - 2].kind == TokenKind::Quote
                {
                    return None;
                }
                return Some(Quote {
                    kind: QuoteKind::Indirect,
                    content: vec![self.content_of(content.0, content.1)],
                    cue: Some(doc.span_of(c, c + 1)),
                    speaker,
                    confidence: Rule::Postposed.confidence(),
                    rule: Rule::Postposed,
                });
            }
            let sp = speaker?;
            if sp.0 == ss || self.w(sp.0 - 1) != "," {
                return None;
            }
            let content_end = sp.0 - 1;
            if content_end <= ss || doc.tokens[content_end - 1].kind == TokenKind::Quote {
                return None;
            }
            if self.word_count(ss, content_end) < 4 {
                return None;
            }
            return Some(Quote {
                kind: QuoteKind::Indirect,
                content: vec![self.content_of(ss, content_end)],
                cue: Some(doc.span_of(c, c + 1)),
                speaker,
                confidence: Rule::Postposed.confidence(),
                rule: Rule::Postposed,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::{NewsSegmenter, Segmenter};

    /// (kind, contents, cue, speaker) of every quote, as text.
    fn q(text: &str) -> Vec<(String, Vec<String>, String, String)> {
        let doc = NewsSegmenter.segment(text);
        RuleQuotes::rules_only()
            .detect(&doc, &mut Meter::unlimited())
            .into_iter()
            .map(|q| {
                (
                    q.kind.as_str().to_string(),
                    q.content
                        .iter()
                        .map(|s| s.slice(text).to_string())
                        .collect(),
                    q.cue.map(|s| s.slice(text).to_string()).unwrap_or_default(),
                    q.speaker
                        .map(|(a, b)| doc.span_of(a, b).slice(text).to_string())
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    fn one(text: &str) -> (String, Vec<String>, String, String) {
        let v = q(text);
        assert_eq!(v.len(), 1, "{text:?} gave {v:?}");
        v.into_iter().next().unwrap()
    }

    #[test]
    fn direct_after_curly() {
        let r = one("“The plan is dead,” he said.");
        assert_eq!(r.0, "direct");
        assert_eq!(r.1, vec!["The plan is dead,"]);
        assert_eq!((r.2.as_str(), r.3.as_str()), ("said", "he"));
    }

    #[test]
    fn direct_straight_inverted() {
        let r = one("\"We will not give up our land,\" said Volodymyr Zelensky.");
        assert_eq!(r.3, "Volodymyr Zelensky");
        assert_eq!(r.1, vec!["We will not give up our land,"]);
    }

    #[test]
    fn direct_split_is_one_quote() {
        let r = one("\"The author is the United States,\" he said in a statement, adding, \"It is based on proposals. But also on others.\"");
        assert_eq!(r.1.len(), 2);
        assert_eq!(r.1[1], "It is based on proposals. But also on others.");
        assert_eq!(r.3, "he");
    }

    #[test]
    fn direct_split_mid_sentence() {
        let r = one("“This is,” Rubio said, “only the beginning of the talks.”");
        assert_eq!(r.1, vec!["This is,", "only the beginning of the talks."]);
        assert_eq!(r.3, "Rubio");
    }

    #[test]
    fn direct_colon_before() {
        let r =
            one("Secretary of State Marco Rubio said: \"We made progress on every point today.\"");
        assert_eq!(r.0, "direct");
        assert_eq!(r.3, "Secretary of State Marco Rubio");
        assert_eq!(r.2, "said");
    }

    #[test]
    fn block_quote_after_colon() {
        let r = one("The envoy made significant contributions to the plan:\n\"U.S. representatives brought the document to Miami the weekend before Halloween.\"");
        assert_eq!(r.0, "direct");
        assert_eq!(r.2, "");
        assert!(r.1[0].starts_with("U.S. representatives"));
    }

    #[test]
    fn multi_paragraph_quote() {
        let t = "“We have talked for weeks about the plan and its terms,” she said. “We went to Miami.\n\n“Then we flew home and wrote it down,” she added.";
        let v = q(t);
        assert!(
            v.iter().any(|r| r
                .1
                .iter()
                .any(|c| c.contains("We went to Miami.") && c.contains("Then we flew home"))),
            "{v:?}"
        );
    }

    #[test]
    fn scare_quotes_are_not_statements() {
        assert!(q("Trump had a \"peace plan\" for Ukraine written down.").is_empty());
        assert!(q("It Has Become Known How Trump Had A \"peace Plan\" For Ukraine").is_empty());
    }

    #[test]
    fn reported_that() {
        let r = one("For his part, Dmitriev insisted that Ukraine could never join NATO.");
        assert_eq!(r.0, "indirect");
        assert_eq!(r.1, vec!["that Ukraine could never join NATO"]);
        assert_eq!((r.2.as_str(), r.3.as_str()), ("insisted", "Dmitriev"));
        let r = one("Dmitriev also suggested that the U.S. and Russia sign economic agreements.");
        assert_eq!(r.3, "Dmitriev");
    }

    #[test]
    fn reported_without_that() {
        let r = one("Officials said Rubio was aware of the initiative.");
        assert_eq!(r.1, vec!["Rubio was aware of the initiative"]);
        assert_eq!(r.3, "Officials");
        let r = one(
            "Sources say in doing so, Witkoff and Kushner relied on information from an insider.",
        );
        assert_eq!(r.3, "Sources");
        assert!(r.1[0].starts_with("in doing so"));
    }

    #[test]
    fn reported_told_and_nested() {
        let v = q("Lawmakers told reporters at the conference that Rubio told them that the initial draft was influenced by a certain Russian.");
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(v[0].3, "Lawmakers");
        assert_eq!(v[1].3, "Rubio");
        assert_eq!(
            v[1].1,
            vec!["that the initial draft was influenced by a certain Russian"]
        );
        let r = one("He bluntly told them that it was more favorable to Russia.");
        assert_eq!((r.2.as_str(), r.3.as_str()), ("told them", "He"));
    }

    #[test]
    fn reported_postposed_and_according() {
        let r = one("November 16, Kushner and Witkoff briefed the Ukrainian president on the plan, the WSJ wrote.");
        assert_eq!(r.3, "the WSJ");
        assert_eq!(
            r.1,
            vec!["November 16, Kushner and Witkoff briefed the Ukrainian president on the plan"]
        );
        let r = one("According to the Journal's sources, the first draft was written on a flight.");
        assert_eq!(r.3, "the Journal's sources");
        assert_eq!(r.2, "According to");
        assert_eq!(r.1, vec!["the first draft was written on a flight"]);
        let r = one("The plan was drafted in October, according to two officials.");
        assert_eq!(r.3, "two officials");
    }

    #[test]
    fn reported_coordinated_and_propose() {
        let v = q("He promised to contact them with his thoughts and said the plan needed to be worked on.");
        assert!(v.iter().any(|r| r.2 == "said" && r.3 == "He"), "{v:?}");
        let r = one("He recommended contacting Zelensky by phone to brief him.");
        assert_eq!((r.2.as_str(), r.3.as_str()), ("recommended", "He"));
    }

    #[test]
    fn appositive_subject() {
        let v = q("The article noted that Witkoff, talking to officials and studying intelligence, concluded that Ukraine was weaker.");
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(v[0].3, "The article");
        assert_eq!(v[1].3, "Witkoff");
        let v = q("Witkoff, talking to officials and studying intelligence, concluded that Ukraine was in a weaker position.");
        assert_eq!(v[0].3, "Witkoff");
    }

    #[test]
    fn reported_warned_denied_noted_sources() {
        let r = one("The minister warned lawmakers that the deal would collapse within weeks.");
        assert_eq!(
            (r.2.as_str(), r.3.as_str()),
            ("warned lawmakers", "The minister")
        );
        assert_eq!(r.1, vec!["that the deal would collapse within weeks"]);
        let r = one("Peskov denied that Moscow had seen the final draft of the plan.");
        assert_eq!((r.2.as_str(), r.3.as_str()), ("denied", "Peskov"));
        let r = one("Analysts noted that prices rose for a third month in a row.");
        assert_eq!(r.3, "Analysts");
        let r = one("Sources say the talks will resume in Geneva next week.");
        assert_eq!((r.2.as_str(), r.3.as_str()), ("say", "Sources"));
        assert_eq!(r.1, vec!["the talks will resume in Geneva next week"]);
        let r = one("The talks will resume in Geneva next week, officials said.");
        assert_eq!((r.2.as_str(), r.3.as_str()), ("said", "officials"));
        assert_eq!(r.1, vec!["The talks will resume in Geneva next week"]);
    }

    #[test]
    fn continuation_participle_parenthetical() {
        let r = one("\"We are ready,\" Rubio said. \"The rest is up to Moscow.\"");
        assert_eq!(r.1, vec!["We are ready,", "The rest is up to Moscow."]);
        let v = q(
            "Clinton criticized the plan on Monday, saying that it would hurt working families.",
        );
        assert!(
            v.iter().any(|r| r.2 == "saying" && r.3 == "Clinton"),
            "{v:?}"
        );
        let r = one("The latest test, North Korea said, was its biggest yet by far.");
        assert_eq!(r.1, vec!["The latest test", "was its biggest yet by far"]);
        assert_eq!(r.3, "North Korea");
        let r = one("\"It was a mistake,\" said Rep. Gwen Moore (D-Wis.) in a statement.");
        assert!(r.3.starts_with("Rep. Gwen Moore"), "{r:?}");
    }

    #[test]
    fn content_stops_before_another_attribution() {
        let v = q("Trump said the tax plan would help workers, though she noted that critics disagree strongly.");
        assert!(
            v.iter()
                .any(|r| r.3 == "Trump" && r.1 == vec!["the tax plan would help workers"]),
            "{v:?}"
        );
        let r = one("The audit has no bearing on the returns, experts say.");
        assert_eq!(r.3, "experts");
        // A nested attribution stays inside the outer content.
        let v = q("Sources say that when they met him, he bluntly told them that it was unfair to Ukraine.");
        assert!(
            v.iter()
                .any(|r| r.3 == "Sources" && r.1[0].ends_with("unfair to Ukraine")),
            "{v:?}"
        );
    }

    #[test]
    fn speakers_with_long_appositives_and_no_time_speakers() {
        let r = one("''Their strategy is very clear,'' Michael McFaul, a senior fellow at the Hoover Institution and a former ambassador, said of RT.");
        assert_eq!((r.2.as_str(), r.3.as_str()), ("said", "Michael McFaul"));
        let v = q("\"We will appeal this ruling,\" said Tuesday a statement.");
        assert!(v.iter().all(|r| r.3 != "Tuesday"), "{v:?}");
    }

    #[test]
    fn unattributed_quotation_continues_the_previous_speaker() {
        let v = q("Lawrence Cummings said he was a master at bolting deals together. \"He showed again and again an ability to put together deals that nobody else could.\"");
        let d = v.iter().find(|r| r.0 == "direct").unwrap();
        assert_eq!(d.3, "Lawrence Cummings", "{v:?}");
    }

    #[test]
    fn headlines_calls_and_wants() {
        let v = q("Pat Caddell: Democrat Voters Worried About Clinton's Health\n\nThe pollster spoke on Thursday.");
        assert!(
            v.iter().any(|r| r.2 == ":" && r.3 == "Pat Caddell"),
            "{v:?}"
        );
        let r = one("Trump Could Address Clean Energy, Lindsey Graham Says.");
        assert_eq!((r.2.as_str(), r.3.as_str()), ("Says", "Lindsey Graham"));
        let r = one("Clinton called half of Trump's supporters \"deplorables\" at a fundraiser.");
        assert_eq!((r.0.as_str(), r.3.as_str()), ("direct", "Clinton"));
        let r = one("Trump called for female contestants to wear shorter dresses on the show.");
        assert_eq!(r.2, "called for");
        assert!(q("Rubio had to take calls from angry officials.").is_empty());
        let r = one("She wants to triple the size of the AmeriCorps program.");
        assert_eq!((r.2.as_str(), r.3.as_str()), ("wants", "She"));
    }

    #[test]
    fn nouns_are_not_cues() {
        assert!(q("The state had extended early voting after voters faced long lines.").is_empty());
        assert!(
            q("Following initial reports of the explosion, the mayor arrived at the scene.")
                .is_empty()
        );
        assert!(q("We don't have the exact legislation written down in any form.").is_empty());
        let r = one("The report states that the program failed most of its targets.");
        assert_eq!((r.2.as_str(), r.3.as_str()), ("states", "The report"));
    }

    #[test]
    fn reported_speech_quoting_words_is_direct() {
        let r = one("Trump said the plan was \"a very good deal\" for everyone involved.");
        assert_eq!(r.0, "direct");
        assert_eq!(
            r.1,
            ["the plan was \"a very good deal\" for everyone involved"]
        );
        let r = one("Trump said the plan was a very good deal for everyone involved.");
        assert_eq!(r.0, "indirect");
    }

    #[test]
    fn short_objects_are_not_content() {
        assert!(q("Rubio later denied that claim, however.").is_empty());
        assert!(q("WSJ reporters revealed the details.").is_empty());
    }

    #[test]
    fn chained_contents_hold_at_most_three_other_cues() {
        let t = "Smith said that Jones said that Brown said that Green said that White said that \
                 Black said that the plan works.";
        let r = q(t);
        assert_eq!(r.len(), 6);
        for (_, content, _, _) in &r {
            let cues =
                content[0].matches(" said ").count() + usize::from(content[0].starts_with("said "));
            assert!(cues <= MAX_NESTED_CUES, "{content:?}");
        }
        // The innermost ones are whole.
        assert_eq!(r[5].1, ["that the plan works"]);
        assert_eq!(
            r[2].1,
            ["that Green said that White said that Black said that the plan works"]
        );
    }

    #[test]
    fn unbalanced_marks_do_not_panic() {
        for t in [
            "\"",
            "“",
            "”",
            "\"a",
            "a\"",
            "“ said he",
            "said",
            ", said",
            "according to",
            "According to X,",
            "\"x\" \"",
            "told",
            "He told",
        ] {
            let _ = q(t);
        }
    }

    #[test]
    fn characterizing_verbs_with_a_quotation() {
        let r =
            one("Japan branded North Korea an \"outlaw nation in the neighborhood\" on Friday.");
        assert_eq!(
            (r.0.as_str(), r.2.as_str(), r.3.as_str()),
            ("direct", "branded", "Japan")
        );
        assert!(q("Japan branded its new cars for export.").is_empty());
    }

    #[test]
    fn a_quotation_ending_its_sentence_is_not_the_next_clause_s() {
        let v = q("Japan branded North Korea an \"outlaw nation.\" Russia insisted that Pyongyang \"stop its dangerous escapades.\"");
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(v[0].3, "Japan", "{v:?}");
        assert_eq!((v[1].2.as_str(), v[1].3.as_str()), ("insisted", "Russia"));
        let r = one("\"We will appeal this ruling.\" Husted said Tuesday.");
        assert_eq!(r.3, "Husted");
    }

    #[test]
    fn participle_after_a_quotation_takes_its_speaker() {
        let v = q("\"We do not see a link to terrorism,\" the mayor said, adding that it would take \"more hours\" before details emerge.");
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!((v[1].2.as_str(), v[1].3.as_str()), ("adding", "the mayor"));
        assert_eq!(
            v[1].1,
            ["that it would take \"more hours\" before details emerge"]
        );
        let r = one("Obama responded to a Gold Star mother by saying his refusal to use the words was a manufactured issue.");
        assert_eq!((r.2.as_str(), r.3.as_str()), ("saying", "Obama"));
    }

    #[test]
    fn inverted_cue_before_a_colon() {
        let r = one(
            "Said Ellis: \"I don't get the sense she's the least bit interested in tax reform.\"",
        );
        assert_eq!((r.2.as_str(), r.3.as_str()), ("Said", "Ellis"));
    }

    #[test]
    fn titles_in_quote_marks_are_not_statements() {
        let v =
            q("On \"Fox News Sunday,\" Pence said the tweet was only meant to mock the campaign.");
        assert!(v.iter().all(|r| r.1 != ["Fox News Sunday"]), "{v:?}");
        assert!(v.iter().any(|r| r.3 == "Pence"), "{v:?}");
        assert!(
            q("In his 2002 book, \"Make Your Kid a Millionaire,\" he set out a plan.").is_empty()
        );
    }

    #[test]
    fn cues_inside_an_attributed_quotation_attribute_nothing() {
        let v = q(
            "\"The scientific community is against the products you called miracles,\" she said.",
        );
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].3, "she");
        // A paragraph quoted whole, without a speaker, keeps its attributions.
        let v = q(
            "\"Sources said all three had similar views on what the proposal should look like.\"",
        );
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].3, "Sources");
    }

    #[test]
    fn a_closing_mark_misprinted_at_a_paragraph_start_opens() {
        let r = one("\u{201D}Fear. I am truly afraid that he will win and that we are in trouble.\u{201D} \u{2015} Edwin G. Monroy");
        assert_eq!((r.0.as_str(), r.3.as_str()), ("direct", "Edwin G. Monroy"));
    }

    #[test]
    fn writer_s_tails_are_cut_from_content() {
        let r = one("He said the moderators would not be fair to him, engaging in what analysts call pressure.");
        assert_eq!(r.1, ["the moderators would not be fair to him"]);
        let r =
            one("Tribe said the rules amounted to burning the Constitution - a charge that stung.");
        assert_eq!(r.1, ["the rules amounted to burning the Constitution"]);
    }

    #[test]
    fn evidence_verbs_take_a_bare_clause() {
        let r = one("Polling averages show Clinton with a lead in the low single digits.");
        assert_eq!((r.2.as_str(), r.3.as_str()), ("show", "Polling averages"));
        assert!(q("He found the keys under the car yesterday.").is_empty());
    }

    #[test]
    fn inverted_speaker_after_a_comma() {
        let r = one("Trump would expand the deduction, but for some, the losses would outstrip the gains, said Batchelder.");
        assert_eq!(r.3, "Batchelder");
        assert_eq!(r.1, ["Trump would expand the deduction, but for some, the losses would outstrip the gains"]);
        let r = one("Its first national television ad could start this week, said Brian Baker, a longtime political adviser to the family.");
        assert_eq!(r.3, "Brian Baker");
    }

    #[test]
    fn urging_someone_to_act_and_adjuncts_before_a_clause() {
        let r = one("In his speech, Graham urged Republicans to join the ranks of climate change believers.");
        assert_eq!((r.2.as_str(), r.3.as_str()), ("urged", "Graham"));
        assert_eq!(
            r.1,
            ["Republicans to join the ranks of climate change believers"]
        );
        let r = one("Trump said after the convention he would not accept the endorsement if it were offered.");
        assert_eq!(
            r.1,
            ["he would not accept the endorsement if it were offered"]
        );
    }

    #[test]
    fn transcript_turns_and_quoted_headlines() {
        let v = q("Debate night\n\nPartial transcript follows.\n\nTAPPER: Do you think Donald Trump has campaigned as a racial healer?\n\nPIERSON: Absolutely.");
        assert!(v.iter().any(|r| r.3 == "TAPPER" && r.2 == ":"), "{v:?}");
        assert!(
            v.iter().all(|r| r.3 != "PIERSON"),
            "one word is no statement: {v:?}"
        );
        let v = q("Kasich: \u{2018}We Are Going To Go All The Way To Cleveland.\u{2019}\n\nThe governor spoke in Ohio.");
        assert!(v.iter().any(|r| r.3 == "Kasich"), "{v:?}");
    }

    #[test]
    fn a_poll_named_up_front_is_the_source() {
        let r = one("In an NBC News/Wall Street Journal poll released Monday, 50 percent of respondents chose Clinton.");
        assert_eq!(
            (r.2.as_str(), r.3.as_str()),
            ("In", "an NBC News/Wall Street Journal poll released Monday")
        );
        assert!(q("In a statement, the campaign said the poll was wrong.")
            .iter()
            .all(|r| r.2 != "In"));
    }

    #[test]
    fn progressive_cues_have_subjects() {
        let r = one("Trump is claiming that voting fraud is rampant in some states.");
        assert_eq!((r.2.as_str(), r.3.as_str()), ("claiming", "Trump"));
        let r = one(
            "Fellow Republicans are now urging Trump to make the second debate a game-changer.",
        );
        assert_eq!(r.3, "Fellow Republicans");
    }

    #[test]
    fn a_listener_with_a_quoted_programme_name() {
        let v =
            q("Sanders told MSNBC's \"Morning Joe\" that nobody would question her intelligence.");
        assert!(
            v.iter().any(|r| r.3 == "Sanders"
                && r.1 == ["that nobody would question her intelligence"]),
            "{v:?}"
        );
    }
}
