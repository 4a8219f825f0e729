//! Candidate spans for a cue: the contents it may have (to its right, to its left, split
//! around it, and the rules' own), and the sources (noun-phrase-like spans next to it).
//! The rankers choose among them; every bound here keeps the work per cue constant.

use super::context::{flag, Ctx, Range};

/// Most sentences a content may run over after its cue (a quotation may run further).
const MAX_START_GAP: usize = 6;
/// Most ends tried per content start.
const MAX_ENDS: usize = 20;
/// Most tokens in a source (99% of PolNeAR train's sources, appositives included).
const MAX_SOURCE: usize = 24;
/// Most tokens in the phrase before a passive or nominal cue that may be its content.
const MAX_PHRASE: usize = 16;

/// A content candidate: one or two token ranges, and the rule that proposed it, if one did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Content {
    parts: [Range; 2],
    n: u8,
    /// The proposing rule (`Rule as u8 + 1`), or `None`.
    pub rule: Option<u8>,
}

impl Content {
    pub(super) fn one(a: usize, b: usize) -> Self {
        Content {
            parts: [(a, b), (0, 0)],
            n: 1,
            rule: None,
        }
    }

    pub(super) fn two(p: Range, q: Range) -> Self {
        Content {
            parts: [p, q],
            n: 2,
            rule: None,
        }
    }

    /// The token ranges, in text order.
    pub fn parts(&self) -> &[Range] {
        &self.parts[..self.n as usize]
    }

    /// Does it hold token `k`?
    pub fn holds(&self, k: usize) -> bool {
        self.parts().iter().any(|&(a, b)| a <= k && k < b)
    }
}

/// The quotation holding token `i` (its marks `(open, close)`), if any.
fn quotation_at(ctx: &Ctx, i: usize) -> Option<(usize, usize)> {
    let k = ctx.quotations.partition_point(|&(o, _)| o < i);
    k.checked_sub(1)
        .map(|k| ctx.quotations[k])
        .filter(|&(o, c)| o < i && i <= c)
}

/// Boundaries `e` in `(a, limit]` where a content may end: before punctuation or a quote
/// mark that follows a word, and at `limit`. The nearest and the farthest are kept.
fn ends(ctx: &Ctx, a: usize, limit: usize, out: &mut Vec<usize>) {
    out.clear();
    for e in a + 1..limit {
        if (ctx.is(e, flag::PUNCT | flag::QUOTE) || ctx.is(e, flag::JOINER))
            && ctx.is(e - 1, flag::WORD)
        {
            out.push(e);
        }
    }
    out.push(limit);
    if out.len() > MAX_ENDS {
        let far = out.split_off(out.len() - MAX_ENDS / 2);
        out.truncate(MAX_ENDS - far.len());
        out.extend(far);
    }
}

/// Content candidates of the cue `[cs, ce)`.
pub(super) fn contents(ctx: &Ctx, cue: Range, out: &mut Vec<Content>) {
    out.clear();
    let (cs, ce) = cue;
    let (ss, se) = ctx.sentence(cs);
    let mut buf = Vec::new();
    // To the right.
    let mut starts = Vec::new();
    for k in ce..se {
        if ctx.is(k, flag::PUNCT | flag::QUOTE) {
            continue;
        }
        let after_mark = k > 0
            && (ctx.is(k - 1, flag::OPEN | flag::COMMA)
                || matches!(ctx.doc.tok(k - 1), "that" | ":" | "whether" | "if")
                || matches!(ctx.doc.tok(k), "to" | "that"));
        if k < ce + 3 || (after_mark && starts.len() < MAX_START_GAP + 4) {
            starts.push(k);
        }
    }
    for &a in &starts {
        let limit = match quotation_at(ctx, a) {
            Some((_, c)) if c >= se => c,
            _ => se,
        };
        ends(ctx, a, limit, &mut buf);
        // A quotation running past its sentence may also end at a sentence end inside it.
        if limit > se {
            buf.push(se);
        }
        for &e in &buf {
            if e > a {
                out.push(Content::one(a, e));
            }
        }
    }
    // To the left: ends at punctuation before the cue, starts at the sentence start, after a
    // comma or colon, or at the opening mark of a quotation closing there.
    let mut lefts = Vec::new();
    for e in (ss + 1..=cs).rev() {
        if ctx.is(e, flag::PUNCT | flag::QUOTE) && ctx.is(e - 1, flag::WORD | flag::QUOTE) {
            lefts.push(e);
            if lefts.len() == 4 {
                break;
            }
        }
    }
    for &e in &lefts {
        let mut st = vec![ss];
        let mut commas = 0;
        for k in (ss..e.saturating_sub(1)).rev() {
            if ctx.is(k, flag::COMMA) || matches!(ctx.doc.tok(k), ":" | ";") {
                st.push(k + 1);
                commas += 1;
                if commas == 3 {
                    break;
                }
            }
        }
        for &(o, c) in quotation_window(ctx, e) {
            if c + 1 >= e && c <= e + 1 && o + 1 < e {
                st.push(o + 1);
            }
        }
        for a in st {
            let a = skip_marks(ctx, a, e);
            if a < e {
                out.push(Content::one(a, e));
            }
        }
    }
    // The phrase right before the cue, for passive and nominal cues ("the bill was passed",
    // "Clinton is supported by ...").
    for b in (cs.saturating_sub(2).max(ss + 1)..=cs).rev() {
        if !ctx.is(b - 1, flag::WORD) || (b..cs).any(|k| !ctx.is(k, flag::WORD)) {
            continue;
        }
        let mut a = b - 1;
        while a > ss && b - a < MAX_PHRASE && ctx.is(a - 1, flag::WORD) {
            if ctx.is(a, flag::CAP) || ctx.is(a - 1, flag::STOP) || b - a <= 4 {
                out.push(Content::one(a, b));
            }
            a -= 1;
        }
        out.push(Content::one(a, b));
    }
    // Split around the cue: “A,” he said, “B.”
    let before = ctx.quotations.partition_point(|&(_, c)| c < cs);
    if let Some(&(o1, c1)) = before.checked_sub(1).map(|k| &ctx.quotations[k]) {
        if cs - c1 <= MAX_START_GAP + 4 && o1 + 1 < c1 {
            if let Some(&(o2, c2)) = ctx.quotations.get(before) {
                if o2 >= ce && o2 - ce <= 8 && o2 + 1 < c2 {
                    out.push(Content::two((o1 + 1, c1), (o2 + 1, c2)));
                }
            }
        }
    }
    // A, he said, B.
    if ctx.is(ce, flag::COMMA) {
        if let Some(&e) = lefts.first() {
            if ce + 1 < se && e > ss {
                out.push(Content::two((ss, e), (ce + 1, se)));
            }
        }
    }
    // The rules' contents for this cue.
    for k in ctx.rules_at(cue) {
        let (q, r) = (&ctx.proposals[k], &ctx.rule_ranges[k]);
        if !r.content.is_empty() {
            let mut c = if r.content.len() == 1 {
                Content::one(r.content[0].0, r.content[0].1)
            } else {
                Content::two(r.content[0], r.content[r.content.len() - 1])
            };
            c.rule = Some(q.rule as u8 + 1);
            if c.parts().iter().all(|&(x, y)| x < y) {
                out.push(c);
            }
        }
    }
    // One candidate per span, the rule's where a rule proposed it.
    out.sort_by_key(|c| (c.parts, std::cmp::Reverse(c.rule)));
    out.dedup_by(|a, b| a.parts == b.parts);
}

/// Quotations that close near `e` (a window in the sorted list).
fn quotation_window<'c>(ctx: &'c Ctx, e: usize) -> &'c [(usize, usize)] {
    let lo = ctx.quotations.partition_point(|&(_, c)| c + 1 < e);
    let hi = ctx.quotations.partition_point(|&(_, c)| c <= e + 1);
    &ctx.quotations[lo..hi.max(lo)]
}

/// The first token at or after `a` (before `e`) that is not a quote mark.
fn skip_marks(ctx: &Ctx, mut a: usize, e: usize) -> usize {
    while a < e && ctx.is(a, flag::QUOTE | flag::PUNCT) {
        a += 1;
    }
    a
}

/// Source candidates of the cue `[cs, ce)` whose content is `content`: spans of words to the
/// cue's left (ending up to three words before it) and right, the sentence's subject, the
/// source of the quote before it in the sentence (`prior`), all outside the content.
pub(super) fn sources(
    ctx: &Ctx,
    cue: Range,
    content: &Content,
    prior: Option<Range>,
    out: &mut Vec<Range>,
) {
    out.clear();
    let (cs, ce) = cue;
    let (ss, se) = ctx.sentence(cs);
    let ok = |k: usize| ctx.is(k, flag::WORD) && !content.holds(k);
    // Punctuation a source may hold inside: commas, parentheses, dashes.
    let inner = |k: usize| {
        ctx.is(k, flag::PUNCT)
            && !content.holds(k)
            && matches!(ctx.doc.tok(k), "," | "(" | ")" | "-" | "&" | "/")
    };
    // Spans ending right before the cue, or before the comma that closes an appositive
    // ("Chad Bown, an expert on trade at the Peterson Institute, said").
    for b in (cs.saturating_sub(3).max(ss + 1)..=cs).rev() {
        if !ok(b - 1) || (b..cs).any(|k| !(ok(k) || k + 1 == cs && ctx.is(k, flag::COMMA))) {
            continue;
        }
        let mut a = b - 1;
        loop {
            out.push((a, b));
            if a == ss || b - a >= MAX_SOURCE {
                break;
            }
            let k = a - 1;
            if ok(k) {
                a = k;
            } else if inner(k) && k > ss && (ok(k - 1) || inner(k - 1)) {
                // An appositive or a party tag: "Smith, a Republican, said", "Price (D-Va.)".
                a = k;
                while a > ss && inner(a - 1) && b - a < MAX_SOURCE {
                    a -= 1;
                }
                if !ok(a) {
                    // A span starts with a word.
                    if a > ss && ok(a - 1) {
                        a -= 1;
                    } else {
                        break;
                    }
                }
            } else {
                break;
            }
        }
    }
    for a in [ce, ce + 1] {
        if a >= se || !ok(a) || (ce..a).any(|k| !ok(k)) {
            continue;
        }
        // Spans starting right after the cue, through an appositive ("said David
        // Wasserman, House editor for the Cook Political Report").
        let mut b = a + 1;
        loop {
            out.push((a, b));
            if b >= se || b - a >= MAX_SOURCE {
                break;
            }
            if ok(b) {
                b += 1;
            } else if inner(b) && b + 1 < se && ok(b + 1) && b + 2 - a <= MAX_SOURCE {
                b += 2;
            } else {
                break;
            }
        }
    }
    // The subject of the sentence ("Trump ..., promising to ..."): at its start, after an
    // opening conjunction ("But ..."), or after a fronted adverbial ("On Thursday, Trump").
    let mut starts = vec![ss, ss + 1];
    starts.extend(
        (ss..cs)
            .filter(|&k| ctx.is(k, flag::COMMA))
            .take(2)
            .map(|k| k + 1),
    );
    for a in starts {
        for b in a + 1..(a + MAX_SOURCE).min(cs) {
            if !ok(b - 1) {
                break;
            }
            out.push((a, b));
        }
    }
    // The source of the quote before in the sentence ("he said ..., adding ...").
    if let Some(p) = prior.filter(|p| (p.0..p.1).all(|k| !content.holds(k))) {
        out.push(p);
    }
    // The rules' speaker for this cue.
    for k in ctx.rules_at(cue) {
        if let Some(s) = ctx.rule_ranges[k].speaker {
            if s.0 < s.1 && (s.0..s.1).all(|k| !content.holds(k)) {
                out.push(s);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
}
