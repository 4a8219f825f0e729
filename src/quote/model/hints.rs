//! What a second tagger says of the roles of each token (the transformer tier's source and
//! content tags), as a bonus to the rankers' scores of candidate spans.
//!
//! Each token carries the log-odds that it stands in a source (a content) against not.
//! - A source candidate's bonus is the sum over its tokens: how much likelier the tagger
//!   finds its tokens inside a source than not (tokens taken as independent). Sources are
//!   short, and "none" scores 0.
//! - A content candidate's bonus is at its edges: its first and last tokens' log-odds, less
//!   those of the tokens just outside it. A sum over a content would grow with its length and
//!   reach over the next quote (on PolNeAR dev it cost 4 points of direct F1).
//!
//! The source log-odds are kept as prefix sums, so each candidate costs a few lookups. The weights
//! are chosen on dev (`tune_roles` in `bert/fit.rs`).

use super::candidates::Content;
use super::context::Range;

/// Per-token role log-odds of one document, and the weight of each role's bonus.
#[derive(Debug, Clone, Default)]
pub struct RoleHints {
    /// Prefix sums of the source log-odds (`len = tokens + 1`).
    source: Vec<f32>,
    /// The content log-odds of each token.
    content: Vec<f32>,
    /// Weights of the source and content bonuses.
    weights: [f32; 2],
}

fn prefix(odds: &[f32]) -> Vec<f32> {
    let mut out = Vec::with_capacity(odds.len() + 1);
    let mut s = 0f32;
    out.push(0.0);
    for &x in odds {
        s += x;
        out.push(s);
    }
    out
}

impl RoleHints {
    /// Hints from the source and content log-odds of every token of a document (0 where the
    /// tagger did not read it), weighted by `weights` (source, content).
    pub fn new(source_odds: &[f32], content_odds: &[f32], weights: [f32; 2]) -> Self {
        RoleHints {
            source: prefix(source_odds),
            content: content_odds.to_vec(),
            weights,
        }
    }

    fn sum(p: &[f32], (a, b): Range) -> f32 {
        let n = p.len().saturating_sub(1);
        let (a, b) = (a.min(n), b.min(n));
        if a >= b {
            return 0.0;
        }
        p[b] - p[a]
    }

    /// Content log-odds of the token `i` (0 outside the document).
    fn content_odds(&self, i: usize) -> f32 {
        self.content.get(i).copied().unwrap_or(0.0)
    }

    /// How well the edges of `[a, b)` sit on the tagger's content edges: its first and last
    /// tokens in, the tokens just outside it out. Unlike a sum over the span, it does not
    /// grow with the span's length.
    fn edges(&self, (a, b): Range) -> f32 {
        if a >= b {
            return 0.0;
        }
        let before = a.checked_sub(1).map_or(0.0, |i| self.content_odds(i));
        self.content_odds(a) + self.content_odds(b - 1) - before - self.content_odds(b)
    }

    /// The bonus of a content candidate.
    pub(super) fn content(&self, c: &Content) -> f32 {
        if self.weights[1] == 0.0 {
            return 0.0;
        }
        let s: f32 = c.parts().iter().map(|&r| self.edges(r)).sum();
        self.weights[1] * s
    }

    /// The bonus of a source candidate (none: 0).
    pub(super) fn source(&self, s: Option<Range>) -> f32 {
        match s {
            Some(r) if self.weights[0] != 0.0 => self.weights[0] * Self::sum(&self.source, r),
            _ => 0.0,
        }
    }
}

/// Log-odds of being inside a role from the probabilities of its O, B and I tags (each kept
/// within [1e-4, 1], so that one sure token cannot outweigh a span).
pub fn log_odds(o: f32, b: f32, i: f32) -> f32 {
    let inside = (b + i).clamp(1e-4, 1.0);
    (inside / o.clamp(1e-4, 1.0)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_score_their_tokens_and_contents_their_edges_under_the_weights() {
        let h = RoleHints::new(&[1.0, -2.0, 3.0, 0.5], &[0.0, 1.0, 1.0, -1.0], [2.0, 0.5]);
        assert_eq!(h.source(None), 0.0);
        assert_eq!(h.source(Some((1, 3))), 2.0 * (-2.0 + 3.0));
        // Out of range ends are clipped; an empty span scores 0.
        assert_eq!(h.source(Some((3, 9))), 2.0 * 0.5);
        assert_eq!(h.source(Some((2, 2))), 0.0);
        // Content: the edges alone. Odds 0, 1, 1, -1: [1, 3) sits on the run exactly.
        assert_eq!(
            h.content(&Content::one(1, 3)),
            0.5 * (1.0 + 1.0 - 0.0 - -1.0)
        );
        // [0, 3) starts a token early and [1, 2) ends one short: both lower.
        assert!(h.content(&Content::one(0, 3)) < h.content(&Content::one(1, 3)));
        assert!(h.content(&Content::one(1, 2)) < h.content(&Content::one(1, 3)));
        // Split contents add their parts' edges.
        assert_eq!(
            h.content(&Content::two((1, 2), (2, 3))),
            h.content(&Content::one(1, 2)) + h.content(&Content::one(2, 3))
        );
        assert!(log_odds(0.1, 0.6, 0.3) > 2.0);
        assert!(log_odds(1.0, 0.0, 0.0) < -9.0);
        assert_eq!(log_odds(0.5, 0.25, 0.25), 0.0);
    }
}
