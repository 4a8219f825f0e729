//! `whosaid eval polnear`: the pipeline on a PolNeAR split, scored exactly as
//! `../shared/eval/polnear_score.py` scores (same gold choice, significant characters,
//! one-to-one matching, figures and rounding), the role-level figures of
//! `../shared/eval/role_score.py` ([`roles`]), and the precision of each quote rule.

pub mod gap;
pub mod roles;

use crate::output::Record;
use crate::pipeline::Pipeline;
use crate::polnear::GoldArticle;
use crate::quote::Rule;
use crate::text::{CharMap, Span};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Quote marks the scorer ignores.
pub(crate) const QUOTES: &[char] = &[
    '"', '\'', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', '\u{ab}', '\u{bb}', '\u{201e}',
    '\u{201a}', '\u{2039}', '\u{203a}', '`',
];

/// Per code point of a text: does the scorer ignore it (white space, quote mark, punctuation)?
fn insignificant(text: &str) -> Vec<bool> {
    let punct = regex::Regex::new(r"\p{P}").expect("valid regex");
    let mut is_p = vec![false; text.len() + 1];
    for m in punct.find_iter(text) {
        is_p[m.start()] = true;
    }
    text.char_indices()
        .map(|(b, c)| {
            c.is_whitespace()
                || ('\u{1c}'..='\u{1f}').contains(&c)
                || QUOTES.contains(&c)
                || is_p[b]
        })
        .collect()
}

/// Significant code-point positions inside `spans` (code points), sorted and unique.
fn significant(ins: &[bool], spans: &[(usize, usize)]) -> Vec<usize> {
    let mut out: Vec<usize> = spans
        .iter()
        .flat_map(|&(s, e)| s.min(ins.len())..e.min(ins.len()))
        .filter(|&i| !ins[i])
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Size of the intersection of two sorted, deduplicated lists.
pub(crate) fn inter(a: &[usize], b: &[usize]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Figures as the shared scorer prints them.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Scores {
    /// Gold articles.
    pub articles: usize,
    /// Gold articles without a record.
    pub missing_articles: usize,
    /// Always 0 here (records are made, not parsed).
    pub unparsable_lines: usize,
    /// Content spans whose text is not their slice.
    pub offset_errors: usize,
    /// Gold attributions.
    pub gold: usize,
    /// Predicted quotes.
    pub pred: usize,
    /// P, R, F1 of contents matched with Jaccard >= 0.5.
    #[serde(rename = "content@0.5")]
    pub content5: [f64; 3],
    /// P, R, F1 of contents matched with Jaccard >= 0.9.
    #[serde(rename = "content@0.9")]
    pub content9: [f64; 3],
    /// Speaker accuracy over content@0.5 matches with a gold source.
    pub speaker_acc: f64,
    /// Cue accuracy likewise.
    pub cue_acc: f64,
    /// End to end: content@0.5 and the right speaker.
    pub attribution: [f64; 3],
    /// The same restricted to quoted gold contents and direct predictions.
    pub direct: [f64; 3],
}

/// Python's round(x, 2): the exact binary value rounded half to even, which is what Rust's
/// `{:.2}` formatting does (75.625 gives 75.62, where `(x * 100).round()` would give 75.63).
fn round2(x: f64) -> f64 {
    format!("{x:.2}").parse().unwrap_or(x)
}

fn prf(tp: usize, npred: usize, ngold: usize) -> [f64; 3] {
    let p = if npred > 0 {
        tp as f64 / npred as f64
    } else {
        0.0
    };
    let r = if ngold > 0 {
        tp as f64 / ngold as f64
    } else {
        0.0
    };
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    [round2(100.0 * p), round2(100.0 * r), round2(100.0 * f)]
}

#[derive(Default, Clone, Copy)]
struct Counts {
    gold: usize,
    pred: usize,
    c5: usize,
    c9: usize,
    src_n: usize,
    src_ok: usize,
    cue_n: usize,
    cue_ok: usize,
    att: usize,
    gold_direct: usize,
    pred_direct: usize,
    att_direct: usize,
    offset_errors: usize,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.gold += o.gold;
        self.pred += o.pred;
        self.c5 += o.c5;
        self.c9 += o.c9;
        self.src_n += o.src_n;
        self.src_ok += o.src_ok;
        self.cue_n += o.cue_n;
        self.cue_ok += o.cue_ok;
        self.att += o.att;
        self.gold_direct += o.gold_direct;
        self.pred_direct += o.pred_direct;
        self.att_direct += o.att_direct;
        self.offset_errors += o.offset_errors;
    }
}

/// Scores one article's record; also returns, per predicted quote, whether it was right end
/// to end.
fn score_article(a: &GoldArticle, rec: &Record) -> (Counts, Vec<bool>) {
    let text = &a.text;
    let map = CharMap::new(text);
    let ins = insignificant(text);
    let cp = |s: &Span| (map.to_char(s.start), map.to_char(s.end));
    let chars: Vec<char> = text.chars().collect();
    let mut c = Counts::default();
    struct G {
        content: Vec<usize>,
        source: Vec<usize>,
        cue: Vec<usize>,
        has_source: bool,
        direct: bool,
    }
    let golds: Vec<G> = a
        .attributions
        .iter()
        .map(|g| {
            let content: Vec<(usize, usize)> = g.content.iter().map(cp).collect();
            let ctext: String = content
                .iter()
                .map(|&(s, e)| {
                    chars[s.min(chars.len())..e.min(chars.len())]
                        .iter()
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join(" ");
            G {
                content: significant(&ins, &content),
                source: significant(&ins, &g.source.iter().map(cp).collect::<Vec<_>>()),
                cue: significant(&ins, &g.cue.iter().map(cp).collect::<Vec<_>>()),
                has_source: !g.source.is_empty(),
                direct: ctext.contains(['"', '\u{201c}', '\u{201d}']),
            }
        })
        .collect();
    struct P {
        content: Vec<usize>,
        speaker: Vec<usize>,
        cue: Vec<usize>,
        direct: bool,
    }
    let preds: Vec<P> = rec
        .quotes
        .iter()
        .map(|q| {
            for part in &q.content {
                let sliced: String = chars[part.start.min(chars.len())..part.end.min(chars.len())]
                    .iter()
                    .collect();
                if sliced != part.text {
                    c.offset_errors += 1;
                }
            }
            let spans = |v: Vec<(usize, usize)>| significant(&ins, &v);
            P {
                content: spans(q.content.iter().map(|s| (s.start, s.end)).collect()),
                speaker: spans(q.speaker.iter().map(|s| (s.start, s.end)).collect()),
                cue: spans(q.cue.iter().map(|s| (s.start, s.end)).collect()),
                direct: q.kind == "direct",
            }
        })
        .collect();
    c.gold = golds.len();
    c.pred = preds.len();
    c.gold_direct = golds.iter().filter(|g| g.direct).count();
    c.pred_direct = preds.iter().filter(|p| p.direct).count();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, p) in preds.iter().enumerate() {
        for (j, g) in golds.iter().enumerate() {
            let n = inter(&p.content, &g.content);
            if n > 0 {
                let union = p.content.len() + g.content.len() - n;
                pairs.push((n as f64 / union as f64, i, j));
            }
        }
    }
    // Python: pairs.sort(reverse=True) on (jaccard, i, j) tuples.
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
    let mut used_p = vec![false; preds.len()];
    let mut used_g = vec![false; golds.len()];
    let mut right = vec![false; preds.len()];
    for (jac, i, j) in pairs {
        if used_p[i] || used_g[j] {
            continue;
        }
        used_p[i] = true;
        used_g[j] = true;
        let (p, g) = (&preds[i], &golds[j]);
        if jac >= 0.9 {
            c.c9 += 1;
        }
        if jac < 0.5 {
            continue;
        }
        c.c5 += 1;
        let overlap = inter(&p.speaker, &g.source) > 0;
        let speaker_ok = if g.has_source {
            overlap
        } else {
            p.speaker.is_empty()
        };
        if g.has_source {
            c.src_n += 1;
            c.src_ok += overlap as usize;
        }
        if !g.cue.is_empty() {
            c.cue_n += 1;
            c.cue_ok += (inter(&p.cue, &g.cue) > 0) as usize;
        }
        if speaker_ok {
            c.att += 1;
            right[i] = true;
            if g.direct && p.direct {
                c.att_direct += 1;
            }
        }
    }
    (c, right)
}

/// The result of an evaluation.
pub struct Evaluation {
    /// The scorer's figures.
    pub scores: Scores,
    /// Per rule: (quotes, right end to end, sum of their confidences).
    pub rules: BTreeMap<Rule, (usize, usize, f64)>,
    /// Role-level counts (source, cue, content).
    pub roles: [roles::RoleCounts; 3],
    /// Every predicted quote's confidence and whether it was right end to end.
    pub quotes: Vec<(f32, bool)>,
    /// The same for the quotes the learned model decided (rule `model`).
    pub model_quotes: Vec<(f32, bool)>,
}

/// Runs the pipeline on every gold article and scores it.
pub fn evaluate(pipeline: &Pipeline, gold: &[GoldArticle]) -> Evaluation {
    type Per = (Counts, Vec<(Rule, f32, bool)>, [roles::RoleCounts; 3]);
    let per: Vec<Per> = gold
        .par_iter()
        .map(|a| {
            // An article the pipeline could not analyse scores as one without predictions.
            match pipeline.analyze(&a.text) {
                Ok(analysis) => {
                    let rec = Record::from_analysis(a.id.clone(), None, &analysis);
                    let (c, right) = score_article(a, &rec);
                    let rules = analysis
                        .quotes
                        .iter()
                        .zip(right)
                        .map(|(q, ok)| (q.rule, q.confidence, ok))
                        .collect();
                    (c, rules, roles::score_article(a, &rec))
                }
                Err(_) => {
                    let rec = Record::error(a.id.clone(), None, String::new());
                    (
                        score_article(a, &rec).0,
                        Vec::new(),
                        roles::score_article(a, &rec),
                    )
                }
            }
        })
        .collect();
    let mut c = Counts::default();
    let mut rules: BTreeMap<Rule, (usize, usize, f64)> = BTreeMap::new();
    let mut quotes = Vec::new();
    let mut model_quotes = Vec::new();
    for (pc, pr, _) in &per {
        c.add(pc);
        for &(r, conf, ok) in pr {
            let e = rules.entry(r).or_default();
            e.0 += 1;
            e.1 += ok as usize;
            e.2 += conf as f64;
            quotes.push((conf, ok));
            if r == Rule::Model {
                model_quotes.push((conf, ok));
            }
        }
    }
    let pct = |a: usize, b: usize| {
        if b > 0 {
            round2(100.0 * a as f64 / b as f64)
        } else {
            0.0
        }
    };
    Evaluation {
        scores: Scores {
            articles: gold.len(),
            missing_articles: 0,
            unparsable_lines: 0,
            offset_errors: c.offset_errors,
            gold: c.gold,
            pred: c.pred,
            content5: prf(c.c5, c.pred, c.gold),
            content9: prf(c.c9, c.pred, c.gold),
            speaker_acc: pct(c.src_ok, c.src_n),
            cue_acc: pct(c.cue_ok, c.cue_n),
            attribution: prf(c.att, c.pred, c.gold),
            direct: prf(c.att_direct, c.pred_direct, c.gold_direct),
        },
        rules,
        roles: roles::total(per.iter().map(|p| &p.2)),
        quotes,
        model_quotes,
    }
}

/// The calibration of the quotes' confidences: ten bins of (quotes, mean confidence, share
/// right end to end), and the expected calibration error.
pub fn calibration_report(quotes: &[(f32, bool)]) -> String {
    let (bins, ece) = crate::learn::calibrate::reliability(quotes);
    let mean = quotes.iter().map(|q| q.0 as f64).sum::<f64>() / quotes.len().max(1) as f64;
    let right = quotes.iter().filter(|q| q.1).count() as f64 / quotes.len().max(1) as f64;
    let mut out = format!(
        "calibration: mean confidence {mean:.3}, share right {right:.3}, expected calibration error {ece:.3}\n  bins (quotes/confidence/right):"
    );
    for (k, (n, c, r)) in bins.iter().enumerate() {
        if *n > 0 {
            out.push_str(&format!(
                " [{:.1}-{:.1}) {n}/{c:.2}/{r:.2}",
                k as f64 / 10.0,
                (k + 1) as f64 / 10.0
            ));
        }
    }
    out.push('\n');
    out
}

/// The report in the shared scorer's format, then the per-rule table.
pub fn report(e: &Evaluation) -> String {
    let s = &e.scores;
    let mut out = format!(
        "articles {} (missing {}), gold {}, pred {}, offset errors {}\n",
        s.articles, s.missing_articles, s.gold, s.pred, s.offset_errors
    );
    for (k, v) in [
        ("content@0.5", s.content5),
        ("content@0.9", s.content9),
        ("attribution", s.attribution),
        ("direct", s.direct),
    ] {
        out.push_str(&format!(
            "{k:<12} P {:6.2}  R {:6.2}  F1 {:6.2}\n",
            v[0], v[1], v[2]
        ));
    }
    out.push_str(&format!(
        "speaker acc  {:6.2}   cue acc {:6.2}\n",
        s.speaker_acc, s.cue_acc
    ));
    out.push_str("rule               quotes  right  precision  mean confidence\n");
    for (r, (n, ok, conf)) in &e.rules {
        out.push_str(&format!(
            "{:<18} {:>6} {:>6}  {:>8.1}%  {:>15.2}\n",
            r.as_str(),
            n,
            ok,
            100.0 * *ok as f64 / (*n).max(1) as f64,
            conf / (*n).max(1) as f64
        ));
    }
    out.push_str(&calibration_report(&e.quotes));
    out.push_str("role-level, exact span match (as role_score.py):\n");
    out.push_str(&roles::report(&e.roles));
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_like_python() {
        // Python: round(75.625, 2) == 75.62, round(2.675, 2) == 2.67, round(0.375, 2) == 0.38.
        assert_eq!(round2(75.625), 75.62);
        assert_eq!(round2(2.675), 2.67);
        assert_eq!(round2(0.375), 0.38);
        assert_eq!(round2(59.999), 60.0);
    }
}
