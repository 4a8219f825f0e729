//! Role-level span scores, exactly as `../shared/eval/role_score.py` computes them: each of
//! Source, Cue and Content scored alone, every span reduced to its significant characters,
//! exact matches (identical character sets, one to one) and mean best Jaccard overlap.
//! These are the figures published taggers report on PolNeAR (CofeNet, COLING 2022).

use super::{insignificant, significant};
use crate::output::Record;
use crate::polnear::GoldArticle;
use crate::text::{CharMap, Span};
use serde::Serialize;

/// The three roles, in the scorer's order.
pub const ROLES: [&str; 3] = ["source", "cue", "content"];

/// One role's totals over a split.
#[derive(Debug, Clone, Copy, Default)]
pub struct RoleCounts {
    /// Predicted spans (distinct per article).
    pub pred: usize,
    /// Gold spans (distinct per article).
    pub gold: usize,
    /// Exact matches.
    pub exact: usize,
    /// Sum of the Jaccard overlaps of the one-to-one matches.
    pub jaccard: f64,
}

impl RoleCounts {
    fn add(&mut self, o: &RoleCounts) {
        self.pred += o.pred;
        self.gold += o.gold;
        self.exact += o.exact;
        self.jaccard += o.jaccard;
    }
}

/// One role's figures as the scorer prints them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoleScore {
    /// P, R, F1 of exact matches (one decimal).
    pub exact: [f64; 3],
    /// P, R, F1 of the Jaccard sums (one decimal).
    pub jaccard: [f64; 3],
    /// Predicted spans.
    pub pred: usize,
    /// Gold spans.
    pub gold: usize,
}

/// Python's round(x, 1).
fn round1(x: f64) -> f64 {
    format!("{x:.1}").parse().unwrap_or(x)
}

fn prf1(tp: f64, npred: usize, ngold: usize) -> [f64; 3] {
    let p = if npred > 0 { tp / npred as f64 } else { 0.0 };
    let r = if ngold > 0 { tp / ngold as f64 } else { 0.0 };
    let f = if p + r > 0.0 {
        100.0 * (2.0 * p * r / (p + r))
    } else {
        0.0
    };
    [round1(100.0 * p), round1(100.0 * r), round1(f)]
}

impl RoleCounts {
    /// The figures.
    pub fn score(&self) -> RoleScore {
        RoleScore {
            exact: prf1(self.exact as f64, self.pred, self.gold),
            jaccard: prf1(self.jaccard, self.pred, self.gold),
            pred: self.pred,
            gold: self.gold,
        }
    }
}

/// Distinct non-empty significant character sets of `spans` (code points), in first-seen
/// order.
fn sets(ins: &[bool], spans: impl Iterator<Item = (usize, usize)>) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (s, e) in spans {
        let v = significant(ins, &[(s, e)]);
        if !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn matched(pred: &[Vec<usize>], gold: &[Vec<usize>]) -> RoleCounts {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, p) in pred.iter().enumerate() {
        for (j, g) in gold.iter().enumerate() {
            let n = super::inter(p, g);
            if n > 0 {
                pairs.push((n as f64 / (p.len() + g.len() - n) as f64, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
    let (mut up, mut ug) = (vec![false; pred.len()], vec![false; gold.len()]);
    let mut c = RoleCounts {
        pred: pred.len(),
        gold: gold.len(),
        ..RoleCounts::default()
    };
    for (v, i, j) in pairs {
        if up[i] || ug[j] {
            continue;
        }
        up[i] = true;
        ug[j] = true;
        c.jaccard += v;
        c.exact += (v == 1.0) as usize;
    }
    c
}

/// Per role (in [`ROLES`] order): the counts of one article's record against its gold spans.
pub fn score_article(a: &GoldArticle, rec: &Record) -> [RoleCounts; 3] {
    let text = &a.text;
    let map = CharMap::new(text);
    let ins = insignificant(text);
    let cp = |s: &Span| (map.to_char(s.start), map.to_char(s.end));
    let gold = [
        sets(&ins, a.roles.source.iter().map(cp)),
        sets(&ins, a.roles.cue.iter().map(cp)),
        sets(&ins, a.roles.content.iter().map(cp)),
    ];
    let q = &rec.quotes;
    let pred = [
        sets(
            &ins,
            q.iter()
                .filter_map(|q| q.speaker.as_ref())
                .map(|s| (s.start, s.end)),
        ),
        sets(
            &ins,
            q.iter()
                .filter_map(|q| q.cue.as_ref())
                .map(|s| (s.start, s.end)),
        ),
        sets(
            &ins,
            q.iter().flat_map(|q| &q.content).map(|s| (s.start, s.end)),
        ),
    ];
    [
        matched(&pred[0], &gold[0]),
        matched(&pred[1], &gold[1]),
        matched(&pred[2], &gold[2]),
    ]
}

/// Sums per-article counts.
pub fn total<'a>(per: impl Iterator<Item = &'a [RoleCounts; 3]>) -> [RoleCounts; 3] {
    let mut t = [RoleCounts::default(); 3];
    for a in per {
        for (x, y) in t.iter_mut().zip(a) {
            x.add(y);
        }
    }
    t
}

/// The scorer's lines (one per role) and its JSON line.
pub fn report(t: &[RoleCounts; 3]) -> String {
    let mut out = String::new();
    let mut json = serde_json::Map::new();
    for (name, c) in ROLES.iter().zip(t) {
        let s = c.score();
        out.push_str(&format!(
            "{name:8} exact P {:5.1} R {:5.1} F1 {:5.1}   jaccard P {:5.1} R {:5.1} F1 {:5.1}   (pred {}, gold {})\n",
            s.exact[0], s.exact[1], s.exact[2], s.jaccard[0], s.jaccard[1], s.jaccard[2], s.pred, s.gold
        ));
        json.insert(
            name.to_string(),
            serde_json::to_value(&s).unwrap_or_default(),
        );
    }
    out.push_str(&serde_json::Value::Object(json).to_string());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_one_decimal_like_python() {
        // Python: round(0.25, 1) == 0.2, round(0.35, 1) == 0.3 (0.35 is below in binary).
        assert_eq!(round1(0.25), 0.2);
        assert_eq!(round1(0.35), 0.3);
        assert_eq!(round1(56.45), 56.5);
    }

    #[test]
    fn exact_and_jaccard_matches_are_one_to_one() {
        let g = vec![vec![1, 2, 3], vec![7, 8]];
        let p = vec![vec![1, 2, 3], vec![1, 2], vec![8]];
        let c = matched(&p, &g);
        assert_eq!((c.pred, c.gold, c.exact), (3, 2, 1));
        assert!((c.jaccard - 1.5).abs() < 1e-9);
    }
}
