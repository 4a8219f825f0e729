//! Hashed features of the three decisions: is a token part of a cue (per token, for the
//! tagger), which content a cue has, and which source (per candidate span, for the rankers).
//! Every feature is a template number mixed with the values it reads.

use super::candidates::Content;
use super::context::{flag, role, Ctx, Range};
use crate::learn::hash::{finish, mix, prefix_bits};

#[inline]
fn f(t: u64, x: u64) -> u64 {
    finish(mix(t.wrapping_mul(0x9E37_79B9_7F4A_7C15), x))
}

#[inline]
fn f2(t: u64, x: u64, y: u64) -> u64 {
    f(t, mix(x, y))
}

/// Feature id of the transition from tag `prev` (3: sentence start) in the cue tagger.
pub(super) fn transition(prev: usize) -> u64 {
    f(999, prev as u64)
}

/// Bucket of a count: 0, 1, 2, 3-4, 5-8, 9-16, 17+.
#[inline]
fn bucket(n: usize) -> u64 {
    match n {
        0..=2 => n as u64,
        3..=4 => 3,
        5..=8 => 4,
        9..=16 => 5,
        17..=32 => 6,
        _ => 7,
    }
}

/// Features of token `i` for the cue tagger.
pub(super) fn cue(ctx: &Ctx, i: usize, out: &mut Vec<u64>) {
    out.clear();
    let ii = i as isize;
    let (m2, m1, w, p1, p2) = (
        ctx.tok(ii - 2),
        ctx.tok(ii - 1),
        ctx.tok(ii),
        ctx.tok(ii + 1),
        ctx.tok(ii + 2),
    );
    let r = |k: isize| -> u64 {
        if k < 0 {
            0xff
        } else {
            ctx.rule.get(k as usize).copied().unwrap_or(0xfe) as u64
        }
    };
    let fl = (w.flags & !(flag::IN_QUOTE)) as u64;
    out.push(f(0, 0));
    out.push(f(1, w.lower));
    out.push(f(2, w.suffix));
    out.push(f(3, w.shape));
    out.push(f(4, prefix_bits(w.cluster, 6)));
    out.push(f(5, prefix_bits(w.cluster, 10)));
    out.push(f(6, m1.lower));
    out.push(f(7, p1.lower));
    out.push(f2(8, m1.lower, w.lower));
    out.push(f2(9, w.lower, p1.lower));
    out.push(f(10, m2.lower));
    out.push(f(11, p2.lower));
    out.push(f(12, w.class as u64));
    out.push(f2(13, w.class as u64, p1.lower));
    out.push(f(14, fl));
    out.push(f(15, (w.flags & flag::IN_QUOTE) as u64));
    out.push(f(16, r(ii)));
    out.push(f2(17, r(ii), w.lower));
    out.push(f2(18, r(ii - 1), r(ii)));
    out.push(f2(19, r(ii), r(ii + 1)));
    out.push(f2(
        20,
        (m1.flags & (flag::PRON | flag::CAP)) as u64,
        w.lower,
    ));
    out.push(f2(21, prefix_bits(m1.cluster, 8), w.lower));
    out.push(f2(22, w.lower, prefix_bits(p1.cluster, 8)));
    out.push(f2(23, w.suffix, p1.lower));
    out.push(f2(24, m1.lower, w.suffix));
    out.push(f2(25, prefix_bits(w.cluster, 8), (p1.flags & 0x7ff) as u64));
    out.push(f2(26, w.class as u64, m1.class as u64));
    let cr = |k: isize| -> u64 {
        if k < 0 {
            0xff
        } else {
            ctx.cue_rule.get(k as usize).copied().unwrap_or(0xfe) as u64
        }
    };
    out.push(f2(27, cr(ii), r(ii)));
    out.push(f2(28, cr(ii), cr(ii - 1)));
    out.push(f2(29, cr(ii), (w.flags & flag::PUNCT) as u64));
    // What follows within the sentence: "that", a quote mark, a colon, "to".
    let se = ctx.sentence(i).1;
    let ahead = |k: usize| i + 1..(i + 1 + k).min(se);
    let that = ahead(6)
        .position(|k| ctx.doc.tok(k) == "that")
        .map_or(7, |p| p as u64);
    let mark = ahead(4)
        .position(|k| ctx.is(k, flag::QUOTE))
        .map_or(5, |p| p as u64);
    let colon = ahead(3).any(|k| ctx.doc.tok(k) == ":") as u64;
    out.push(f2(30, w.suffix, that));
    out.push(f2(31, w.suffix, mark | colon << 4));
    out.push(f2(32, prefix_bits(w.cluster, 8), that | mark << 4));
    out.push(f2(
        33,
        prefix_bits(m1.cluster, 8),
        prefix_bits(p1.cluster, 8),
    ));
    // The stem, for the inflections training saw another form of.
    out.push(f(34, w.stem));
    out.push(f2(35, w.stem, p1.lower));
    out.push(f2(36, m1.lower, w.stem));
    out.push(f2(37, w.stem, that | mark << 4));
    out.push(f2(
        38,
        (m1.flags & (flag::PRON | flag::CAP | flag::COMMA)) as u64,
        w.stem,
    ));
}

/// Words of `[a, b)` hashed together (at most 4; longer gaps hash as their length).
fn words(ctx: &Ctx, a: usize, b: usize) -> u64 {
    if b <= a {
        return 0x1;
    }
    if b - a > 4 {
        return 0x2 ^ ((b - a) as u64) << 4;
    }
    (a..b).fold(0x3, |h, k| mix(h, ctx.toks[k].lower))
}

/// The cue's head: its first token that is not a modifier ("also said" -> "said").
pub(super) fn head(ctx: &Ctx, cue: Range) -> usize {
    (cue.0..cue.1)
        .find(|&k| !ctx.is(k, flag::MODIFIER))
        .unwrap_or(cue.0)
}

/// Features of a content candidate for `cue`. `rule` is the rule whose content it is, if any.
pub(super) fn content(ctx: &Ctx, cue: Range, c: &Content, out: &mut Vec<u64>) {
    out.clear();
    let (cs, ce) = cue;
    let h = ctx.toks[head(ctx, cue)];
    let hl = h.lower;
    let parts = c.parts();
    let (a, b) = (parts[0].0, parts[parts.len() - 1].1);
    let side: u64 = if parts.len() > 1 {
        2
    } else if a >= ce {
        0
    } else if b <= cs {
        1
    } else {
        3
    };
    let cue_len = bucket(ce - cs);
    out.push(f(100, side));
    out.push(f2(101, side, hl));
    out.push(f2(102, side, h.class as u64));
    out.push(f2(103, side, cue_len));
    let [words_in, commas, joins] = parts.iter().fold([0usize; 3], |acc, &(x, y)| {
        let n = ctx.counts(x, y);
        [0, 1, 2].map(|k| acc[k] + n[k] as usize)
    });
    out.push(f2(104, side, bucket(words_in)));
    out.push(f2(105, mix(side, hl), bucket(words_in)));
    let (ss, se) = ctx.sentence(cs);
    let sents = ctx.sent[b.saturating_sub(1).max(a)] as i64 - ctx.sent[a] as i64;
    out.push(f2(106, side, sents.clamp(0, 4) as u64));
    // Where it starts.
    let tb = ctx.tok(a as isize - 1);
    let ta = ctx.tok(a as isize);
    out.push(f2(107, side, ta.lower));
    out.push(f2(108, side, tb.lower));
    out.push(f2(109, mix(side, hl), tb.lower));
    out.push(f2(110, side, (ta.flags & 0x1fff) as u64));
    out.push(f2(
        111,
        side,
        (a == ss) as u64 | ((a == ss + 1) as u64) << 1,
    ));
    // Where it ends.
    let te = ctx.tok(b as isize);
    let tl = ctx.tok(b as isize - 1);
    out.push(f2(112, side, te.lower));
    out.push(f2(113, side, tl.lower));
    out.push(f2(
        114,
        side,
        (b == se) as u64 | ((b + 1 == se) as u64) << 1,
    ));
    out.push(f2(115, side, (te.flags & 0x1fff) as u64));
    out.push(f2(116, mix(side, hl), te.lower));
    // Between the cue and the content.
    if side == 0 {
        out.push(f2(117, bucket(a - ce), words(ctx, ce, a)));
        out.push(f2(118, hl, words(ctx, ce, a)));
        out.push(f2(119, h.class as u64, bucket(a - ce)));
        out.push(f2(120, prefix_bits(h.cluster, 8), bucket(a - ce)));
    } else if side == 1 {
        out.push(f2(121, bucket(cs - b), words(ctx, b, cs)));
        out.push(f2(122, hl, bucket(cs - b)));
        out.push(f2(
            123,
            (ctx.tok(b as isize).flags & 0x1fff) as u64,
            bucket(cs - b),
        ));
        out.push(f2(124, ctx.marks(b, cs) as u64, bucket(cs - b)));
    } else {
        for (k, &(x, y)) in parts.iter().enumerate() {
            out.push(f2(
                125 + k as u64,
                ctx.tok(x as isize).lower,
                ctx.tok(y as isize).lower,
            ));
            let t = ctx.tok(x as isize);
            out.push(f2(
                127 + k as u64,
                t.class as u64,
                ctx.marks(x, y).min(2) as u64,
            ));
        }
    }
    // How it starts and ends, together.
    out.push(f2(
        140,
        mix(side, prefix_bits(tb.cluster, 6)),
        prefix_bits(te.cluster, 6),
    ));
    out.push(f2(141, mix(side, ta.lower), bucket(words_in)));
    out.push(f2(142, mix(side, te.lower), bucket(words_in)));
    out.push(f2(143, mix(side, h.class as u64), te.lower));
    out.push(f2(
        144,
        mix(hl, prefix_bits(te.cluster, 8)),
        (b == se) as u64,
    ));
    out.push(f2(
        148,
        mix(side, prefix_bits(tl.cluster, 8)),
        (te.flags & 0x1fff) as u64,
    ));
    out.push(f2(
        149,
        mix(side, prefix_bits(ta.cluster, 8)),
        bucket(words_in),
    ));
    out.push(f2(145, mix(side, hl), ta.lower));
    out.push(f2(146, mix(side, hl), bucket(words_in)));
    out.push(f2(147, mix(side, prefix_bits(h.cluster, 10)), te.lower));
    // The two tokens after the end (", but", "and he") and before the start.
    out.push(f2(153, mix(side, te.lower), ctx.tok(b as isize + 1).lower));
    out.push(f2(154, mix(side, tb.lower), ctx.tok(a as isize - 2).lower));
    // The first two and the last two tokens inside.
    out.push(f2(155, mix(side, tl.lower), ctx.tok(b as isize - 2).lower));
    out.push(f2(156, mix(side, ta.lower), ctx.tok(a as isize + 1).lower));
    // Clauses inside: commas and joining words.
    out.push(f2(157, side, bucket(commas) | bucket(joins) << 4));
    out.push(f2(158, mix(side, hl), bucket(commas)));
    // Quote marks.
    let marks: u32 = parts.iter().map(|&(x, y)| ctx.marks(x, y)).sum();
    let opened = ctx.is(a, flag::OPEN) || (a > 0 && ctx.is(a - 1, flag::OPEN));
    let closed = ctx.is(b.saturating_sub(1), flag::CLOSE) || ctx.is(b, flag::CLOSE);
    out.push(f2(130, side, bucket(marks as usize)));
    out.push(f2(131, side, opened as u64 | (closed as u64) << 1));
    out.push(f2(132, mix(side, hl), opened as u64 | (closed as u64) << 1));
    out.push(f2(133, side, ((ta.flags & flag::IN_QUOTE) != 0) as u64));
    // Other cues inside (by the rules), and the rules' own contents.
    let inner: u32 = parts
        .iter()
        .map(|&(x, y)| ctx.rule_cues(x, y))
        .sum::<u32>()
        .saturating_sub(ctx.rule_cues(cs, ce));
    out.push(f2(134, side, inner.min(3) as u64));
    let rs = ctx.rule.get(a).copied().unwrap_or(0) & (role::CONTENT_START | role::CONTENT) != 0;
    let re = b > 0 && ctx.rule.get(b - 1).copied().unwrap_or(0) & role::CONTENT_END != 0;
    out.push(f2(135, side, rs as u64 | (re as u64) << 1));
    match c.rule {
        Some(r) => {
            out.push(f(136, r as u64));
            out.push(f2(137, r as u64, side));
            out.push(f2(138, r as u64, hl));
        }
        None => out.push(f(139, side)),
    }
}

/// Features of a source candidate (`None`: no source) for `cue` with content `content`.
pub(super) fn source(
    ctx: &Ctx,
    cue: Range,
    content: &Content,
    cand: Option<Range>,
    rule_speaker: Option<Range>,
    prior: Option<Range>,
    out: &mut Vec<u64>,
) {
    out.clear();
    let (cs, ce) = cue;
    let h = ctx.toks[head(ctx, cue)];
    let parts = content.parts();
    let cside: u64 = if parts[0].0 >= ce {
        0
    } else if parts[parts.len() - 1].1 <= cs {
        1
    } else {
        2
    };
    let Some((a, b)) = cand else {
        out.push(f(200, cside));
        out.push(f2(201, cside, h.lower));
        out.push(f2(202, h.class as u64, rule_speaker.is_some() as u64));
        out.push(f2(203, cside, ctx.tok(cs as isize - 1).lower));
        out.push(f2(204, prior.is_some() as u64, h.suffix));
        return;
    };
    let side: u64 = if b <= cs { 0 } else { 1 };
    let sd = mix(side, cside);
    let (ta, tl) = (ctx.toks[a], ctx.toks[b - 1]);
    let n = b - a;
    out.push(f(210, sd));
    out.push(f2(211, sd, bucket(n)));
    out.push(f2(212, side, h.lower));
    out.push(f2(213, side, ta.lower));
    out.push(f2(214, side, tl.lower));
    out.push(f2(215, side, prefix_bits(tl.cluster, 8)));
    out.push(f2(216, side, tl.shape));
    out.push(f2(217, side, ta.shape));
    out.push(f2(218, side, ctx.tok(a as isize - 1).lower));
    out.push(f2(
        219,
        side,
        (ctx.tok(a as isize - 1).flags & 0x1fff) as u64,
    ));
    let gap = if side == 0 { (b, cs) } else { (ce, a) };
    out.push(f2(220, side, words(ctx, gap.0, gap.1)));
    out.push(f2(221, mix(side, h.lower), bucket(gap.1 - gap.0)));
    out.push(f2(222, side, (n == 1 && ta.flags & flag::PRON != 0) as u64));
    let commas = (a..b).filter(|&k| ctx.is(k, flag::COMMA)).count();
    out.push(f2(223, side, commas.min(3) as u64));
    let caps = (a..b).filter(|&k| ctx.is(k, flag::CAP)).count();
    out.push(f2(224, side, bucket(caps) | (bucket(n - caps) << 4)));
    out.push(f2(225, side, ctx.tok(b as isize).lower));
    out.push(f2(226, side, mix(ta.lower, tl.lower)));
    out.push(f2(227, side, ((ta.flags & flag::SENT_START) != 0) as u64));
    out.push(f2(228, side, prefix_bits(ta.cluster, 8)));
    out.push(f2(229, mix(side, h.class as u64), bucket(n)));
    let r = match rule_speaker {
        Some(s) if s == (a, b) => 2,
        Some(s) if s.0 < b && a < s.1 => 1,
        Some(_) => 3,
        None => 0,
    };
    out.push(f2(230, side, r));
    out.push(f2(231, r, bucket(n)));
    let in_rule = (a..b).all(|k| ctx.rule[k] & role::SOURCE != 0);
    out.push(f2(232, side, in_rule as u64));
    out.push(f2(233, side, ((ta.flags & flag::IN_QUOTE) != 0) as u64));
    let is_prior = prior == Some((a, b));
    out.push(f2(234, side, is_prior as u64));
    out.push(f2(235, is_prior as u64, h.suffix));
    out.push(f2(236, is_prior as u64, ctx.tok(cs as isize - 1).lower));
    // An appositive: the word that opens it ("Smith, a professor", "Smith, who heads").
    if let Some(k) = (a..b).find(|&k| ctx.is(k, flag::COMMA)) {
        let next = ctx.tok(k as isize + 1);
        out.push(f2(237, side, next.lower));
        out.push(f2(
            238,
            side,
            mix(prefix_bits(next.cluster, 8), bucket(b - k)),
        ));
    }
}
