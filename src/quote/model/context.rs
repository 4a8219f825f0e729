//! What the model's features read about a document, computed once per document: per-token
//! hashes and flags, sentence indices, and the rules' proposals laid over the tokens.

use crate::learn::hash::{hash_shape, hash_str};
use crate::lexicon;
use crate::ner::clusters::Clusters;
use crate::quote::{Proposals, Quote};
use crate::text::Span;
use crate::tokenize::{Doc, TokenKind};

/// Token flags.
pub(super) mod flag {
    pub const CAP: u16 = 1;
    pub const PUNCT: u16 = 2;
    pub const QUOTE: u16 = 4;
    pub const PRON: u16 = 8;
    pub const STOP: u16 = 16;
    pub const MODIFIER: u16 = 32;
    pub const SENT_START: u16 = 64;
    pub const PARA_START: u16 = 128;
    pub const COMMA: u16 = 256;
    pub const IN_QUOTE: u16 = 512;
    pub const WORD: u16 = 1024;
    pub const OPEN: u16 = 2048;
    pub const CLOSE: u16 = 4096;
    /// A conjunction or preposition a content may end before ("and", "but", "in", "after").
    pub const JOINER: u16 = 8192;
}

/// Words a content may end before (lower case).
const JOINERS: &[&str] = &[
    "and", "but", "or", "while", "so", "because", "as", "after", "before", "when", "since",
    "though", "although", "which", "who", "where", "until", "amid", "despite", "in", "on", "at",
    "for", "with", "by", "during", "from", "if", "than", "whether", "over", "under",
];

/// Rule roles over tokens.
pub(super) mod role {
    pub const CUE_B: u8 = 1;
    pub const CUE_I: u8 = 2;
    pub const SOURCE: u8 = 4;
    pub const CONTENT: u8 = 8;
    pub const CONTENT_START: u8 = 16;
    pub const CONTENT_END: u8 = 32;
}

/// Hashes of [`JOINERS`], made once.
fn joiners() -> &'static Vec<u64> {
    static J: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    J.get_or_init(|| {
        let mut v: Vec<u64> = JOINERS.iter().map(|w| hash_str(w, true)).collect();
        v.sort_unstable();
        v
    })
}

/// The hashes and flags of one token.
#[derive(Clone, Copy, Default)]
pub(super) struct Tok {
    pub lower: u64,
    /// The lower-case word without its inflection ([`stem`]).
    pub stem: u64,
    pub suffix: u64,
    pub shape: u64,
    pub cluster: u16,
    /// Lexicon cue class + 1, or 0.
    pub class: u8,
    pub flags: u16,
}

/// A token range `[a, b)`.
pub(super) type Range = (usize, usize);

/// One document, read for the model.
pub(super) struct Ctx<'d, 'a> {
    pub doc: &'d Doc<'a>,
    pub toks: Vec<Tok>,
    /// Sentence of each token.
    pub sent: Vec<u32>,
    /// Rule roles of each token (bits of [`role`]).
    pub rule: Vec<u8>,
    /// The rule (`Rule as u8 + 1`) whose cue holds each token, or 0.
    pub cue_rule: Vec<u8>,
    /// The rules' quotes.
    pub proposals: Vec<Quote>,
    /// The rules' quotes as token ranges: (cue, content parts, speaker).
    pub rule_ranges: Vec<RuleRange>,
    /// Paired quote marks `(open, close)` (token indices of the marks).
    pub quotations: Vec<(usize, usize)>,
    /// Quote-mark tokens before each token index (`n + 1` entries).
    pub marks_before: Vec<u32>,
    /// Rule cue tokens before each token index (`n + 1` entries).
    pub rule_cues_before: Vec<u32>,
    /// Words, commas and joining words ([`flag::JOINER`]) before each token index (`n + 1`
    /// entries).
    counts_before: Vec<[u32; 3]>,
    /// The rules' cues as (start, end, index into `rule_ranges`), sorted.
    rule_cue_index: Vec<(usize, usize, usize)>,
    /// The longest rule cue, in tokens.
    max_rule_cue: usize,
}

/// One rule quote in token ranges.
pub(super) struct RuleRange {
    pub cue: Option<Range>,
    pub content: Vec<Range>,
    pub speaker: Option<Range>,
}

/// The tokens a byte span covers (at least one token when the span touches any).
pub(super) fn tokens_of(doc: &Doc, s: Span) -> Range {
    let a = doc.tokens.partition_point(|t| t.span.end <= s.start);
    let b = doc.tokens.partition_point(|t| t.span.start < s.end);
    (a, b.max(a))
}

/// Hash of a word's crude stem, lower case: "demanding", "demanded", "demands" and
/// "demand" share one, "denies" and "denied" share "deny". Only ASCII words are stemmed.
pub(super) fn stem(w: &str) -> u64 {
    let b = w.as_bytes();
    let n = b.len();
    if !w.is_ascii() || n < 4 || !b.iter().all(u8::is_ascii_alphabetic) {
        return hash_str(w, true) ^ 0x73;
    }
    let ends = |s: &str| n > s.len() + 2 && b[n - s.len()..].eq_ignore_ascii_case(s.as_bytes());
    let (cut, y) = if ends("ies") || ends("ied") {
        (n - 3, true)
    } else if ends("ing") {
        (n - 3, false)
    } else if ends("ed") || (ends("es") && matches!(b[n - 3] | 0x20, b's' | b'x' | b'z' | b'h')) {
        (n - 2, false)
    } else if ends("s") && b[n - 2] | 0x20 != b's' {
        (n - 1, false)
    } else {
        (n, false)
    };
    // A final silent "e" goes too: "announce" and "announced" meet at "announc".
    let cut = if !y && cut == n && b[n - 1] | 0x20 == b'e' {
        n - 1
    } else {
        cut
    };
    let h = hash_str(&w[..cut], true);
    (if y {
        crate::learn::hash::mix(h, b'y' as u64)
    } else {
        h
    }) ^ 0x73
}

fn sentinel(x: u64) -> Tok {
    Tok {
        lower: x,
        stem: x,
        suffix: x,
        shape: x,
        ..Tok::default()
    }
}

impl<'d, 'a> Ctx<'d, 'a> {
    /// Reads `doc` with the rules' proposals.
    pub fn new(doc: &'d Doc<'a>, clusters: &Clusters, props: Proposals) -> Self {
        let n = doc.tokens.len();
        let mut toks = Vec::with_capacity(n);
        let mut sent = vec![0u32; n];
        for (si, &(a, b)) in doc.sentences.iter().enumerate() {
            for s in &mut sent[a..b.min(n)] {
                *s = si as u32;
            }
        }
        for (i, t) in doc.tokens.iter().enumerate() {
            let w = doc.tok(i);
            let lower = hash_str(w, true);
            let cap = w.starts_with(|c: char| c.is_uppercase());
            let exact = if cap { hash_str(w, false) } else { lower };
            let nch = w.chars().count();
            let start = w
                .char_indices()
                .nth(nch.saturating_sub(3))
                .map_or(0, |(b, _)| b);
            let mut flags = 0u16;
            let set = |f: &mut u16, b: bool, v: u16| {
                if b {
                    *f |= v
                }
            };
            set(&mut flags, cap, flag::CAP);
            set(&mut flags, t.kind == TokenKind::Punct, flag::PUNCT);
            set(&mut flags, t.kind == TokenKind::Quote, flag::QUOTE);
            set(&mut flags, t.kind == TokenKind::Word, flag::WORD);
            set(&mut flags, lexicon::pronoun(w).is_some(), flag::PRON);
            set(&mut flags, lexicon::is_np_stop(w), flag::STOP);
            set(&mut flags, lexicon::is_cue_modifier(w), flag::MODIFIER);
            set(
                &mut flags,
                doc.sentences[sent[i] as usize].0 == i,
                flag::SENT_START,
            );
            set(&mut flags, t.para_start, flag::PARA_START);
            set(&mut flags, w == ",", flag::COMMA);
            set(
                &mut flags,
                w.len() <= 8 && joiners().binary_search(&lower).is_ok(),
                flag::JOINER,
            );
            toks.push(Tok {
                lower,
                stem: stem(w),
                suffix: hash_str(&w[start..], true) ^ 0x5f,
                shape: hash_shape(w),
                cluster: clusters.path(exact, lower),
                class: lexicon::cue_class(w).map_or(0, |c| c as u8 + 1),
                flags,
            });
        }
        for &(o, c) in &props.quotations {
            if o < n {
                toks[o].flags |= flag::OPEN;
            }
            if c < n {
                toks[c].flags |= flag::CLOSE;
            }
            for t in &mut toks[(o + 1).min(n)..c.min(n)] {
                t.flags |= flag::IN_QUOTE;
            }
        }
        let mut rule = vec![0u8; n];
        let mut cue_rule = vec![0u8; n];
        let mut rule_ranges = Vec::with_capacity(props.quotes.len());
        for q in &props.quotes {
            let cue = q.cue.map(|c| tokens_of(doc, c));
            if let Some((a, b)) = cue {
                for (k, r) in rule[a..b].iter_mut().enumerate() {
                    *r |= if k == 0 { role::CUE_B } else { role::CUE_I };
                }
                for c in &mut cue_rule[a..b] {
                    *c = q.rule as u8 + 1;
                }
            }
            let content: Vec<Range> = q.content.iter().map(|&s| tokens_of(doc, s)).collect();
            for &(a, b) in &content {
                for r in &mut rule[a..b] {
                    *r |= role::CONTENT;
                }
                if a < b {
                    rule[a] |= role::CONTENT_START;
                    rule[b - 1] |= role::CONTENT_END;
                }
            }
            if let Some((a, b)) = q.speaker {
                for r in &mut rule[a.min(n)..b.min(n)] {
                    *r |= role::SOURCE;
                }
            }
            rule_ranges.push(RuleRange {
                cue,
                content,
                speaker: q.speaker,
            });
        }
        let mut marks_before = Vec::with_capacity(n + 1);
        let mut rule_cues_before = Vec::with_capacity(n + 1);
        let mut counts_before = Vec::with_capacity(n + 1);
        let (mut m, mut c, mut wcj) = (0u32, 0u32, [0u32; 3]);
        for i in 0..n {
            marks_before.push(m);
            rule_cues_before.push(c);
            counts_before.push(wcj);
            m += u32::from(toks[i].flags & flag::QUOTE != 0);
            c += u32::from(rule[i] & role::CUE_B != 0);
            for (x, f) in wcj.iter_mut().zip([flag::WORD, flag::COMMA, flag::JOINER]) {
                *x += u32::from(toks[i].flags & f != 0);
            }
        }
        marks_before.push(m);
        rule_cues_before.push(c);
        counts_before.push(wcj);
        let mut rule_cue_index: Vec<(usize, usize, usize)> = rule_ranges
            .iter()
            .enumerate()
            .filter_map(|(k, r)| r.cue.map(|(a, b)| (a, b, k)))
            .collect();
        rule_cue_index.sort_unstable();
        let max_rule_cue = rule_cue_index.iter().map(|c| c.1 - c.0).max().unwrap_or(0);
        Ctx {
            doc,
            toks,
            sent,
            rule,
            cue_rule,
            proposals: props.quotes,
            rule_ranges,
            quotations: props.quotations,
            marks_before,
            rule_cues_before,
            counts_before,
            rule_cue_index,
            max_rule_cue,
        }
    }

    /// The rule quotes whose cue overlaps the token range `cue` (indices into `proposals` and
    /// `rule_ranges`), found by binary search.
    pub fn rules_at(&self, (cs, ce): Range) -> impl Iterator<Item = usize> + '_ {
        let lo = self
            .rule_cue_index
            .partition_point(|c| c.0 + self.max_rule_cue < cs);
        self.rule_cue_index[lo..]
            .iter()
            .take_while(move |c| c.0 < ce)
            .filter(move |c| c.1 > cs)
            .map(|c| c.2)
    }

    /// Token `i`, or a sentinel outside the document.
    #[inline]
    pub fn tok(&self, i: isize) -> Tok {
        if i < 0 {
            sentinel(0x51)
        } else {
            self.toks.get(i as usize).copied().unwrap_or(sentinel(0x52))
        }
    }

    /// Has token `i` flag `f`?
    #[inline]
    pub fn is(&self, i: usize, f: u16) -> bool {
        self.toks.get(i).is_some_and(|t| t.flags & f != 0)
    }

    /// The sentence `[start, end)` holding token `i`.
    pub fn sentence(&self, i: usize) -> Range {
        self.doc.sentences[self.sent[i] as usize]
    }

    /// Whether token `i` is a quote mark that quotes: a double mark (`"`, `''`, `“`), or a
    /// single one that opens or closes a paired quotation. A lone single mark is left to
    /// [`Ctx::single_quoted`]: most are apostrophes ("officials' confidence").
    pub fn is_quoting_mark(&self, i: usize) -> bool {
        self.is(i, flag::QUOTE) && (self.is(i, flag::OPEN | flag::CLOSE) || !self.is_single(i))
    }

    fn is_single(&self, i: usize) -> bool {
        matches!(self.doc.tok(i), "'" | "\u{2018}" | "\u{2019}" | "`")
    }

    /// Whether `[a, b)` quotes words between single marks of its own sentence: a single mark
    /// that opens (white space or a quote mark before it, a word glued after it) at `a - 1` or
    /// inside, and one that closes (glued to what it follows) after it, inside or up to two
    /// tokens past `b` ("Will Tell of 'Suffering and Delight.'"). A headline's
    /// `Trump Was ‘Mocking’ Clinton Camp` quotes in part; `officials' confidence` does not.
    pub fn single_quoted(&self, a: usize, b: usize) -> bool {
        let n = self.toks.len();
        if a >= b || b > n {
            return false;
        }
        let (s0, s1) = self.sentence(a);
        let toks = &self.doc.tokens;
        let opens = |i: usize| {
            self.is_single(i)
                && (i == s0 || toks[i].space_before || self.is(i - 1, flag::QUOTE))
                && toks
                    .get(i + 1)
                    .is_some_and(|t| !t.space_before && t.kind == TokenKind::Word)
        };
        let closes = |i: usize| {
            self.is_single(i) && !toks[i].space_before && i > s0 && !self.is(i - 1, flag::QUOTE)
        };
        let from = a.saturating_sub(1).max(s0);
        let to = (b + 2).min(s1).min(n);
        (from..b.min(s1))
            .find(|&i| opens(i))
            .is_some_and(|j| (j + 2..to).any(closes))
    }

    /// Quote marks in `[a, b)`.
    pub fn marks(&self, a: usize, b: usize) -> u32 {
        self.marks_before[b] - self.marks_before[a.min(b)]
    }

    /// Rule cue starts in `[a, b)`.
    pub fn rule_cues(&self, a: usize, b: usize) -> u32 {
        self.rule_cues_before[b] - self.rule_cues_before[a.min(b)]
    }

    /// Words, commas and joining words in `[a, b)`.
    pub fn counts(&self, a: usize, b: usize) -> [u32; 3] {
        let (x, y) = (self.counts_before[b], self.counts_before[a.min(b)]);
        [x[0] - y[0], x[1] - y[1], x[2] - y[2]]
    }
}
