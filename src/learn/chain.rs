//! Linear-chain decoding: the best tag sequence under emission and transition scores, with
//! the transitions a tag set forbids left out (Viterbi).

/// Scores of hashed features, one per class: implemented by the trainable and the frozen
/// weights, so that training decodes exactly as use does.
pub trait Linear {
    /// Adds the weights of `feats` to `scores`.
    fn add_scores(&self, feats: &[u64], scores: &mut [f32]);
}

impl Linear for super::Averaged {
    fn add_scores(&self, feats: &[u64], scores: &mut [f32]) {
        self.score(feats, scores)
    }
}

impl Linear for super::Weights {
    fn add_scores(&self, feats: &[u64], scores: &mut [f32]) {
        self.score(feats, scores)
    }
}

/// The best tags for `n` positions with `k` tags: `emit[i * k + t]` scores tag `t` at `i`,
/// `trans[p * k + t]` scores `t` after `p` (row `k` is the start), and `allowed(p, t)` (with
/// `p == k` at the start) says which transitions may occur at all. Tag 0 must be allowed
/// everywhere.
pub fn viterbi(
    n: usize,
    k: usize,
    emit: &[f32],
    trans: &[f32],
    allowed: impl Fn(usize, usize) -> bool,
) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let mut score = vec![f32::NEG_INFINITY; n * k];
    let mut back = vec![0u8; n * k];
    for t in 0..k {
        if allowed(k, t) {
            score[t] = emit[t] + trans[k * k + t];
        }
    }
    for i in 1..n {
        for t in 0..k {
            let mut best = (f32::NEG_INFINITY, 0usize);
            for p in 0..k {
                let s = score[(i - 1) * k + p];
                if s > f32::NEG_INFINITY && allowed(p, t) {
                    let v = s + trans[p * k + t];
                    if v > best.0 {
                        best = (v, p);
                    }
                }
            }
            score[i * k + t] = best.0 + emit[i * k + t];
            back[i * k + t] = best.1 as u8;
        }
    }
    let mut t = (0..k)
        .max_by(|&a, &b| score[(n - 1) * k + a].total_cmp(&score[(n - 1) * k + b]))
        .unwrap_or(0);
    let mut out = vec![0; n];
    for i in (0..n).rev() {
        out[i] = t;
        t = back[i * k + t] as usize;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_best_allowed_path() {
        // Tags O, B, I; I may follow only B or I.
        let allowed = |p: usize, t: usize| t != 2 || p == 1 || p == 2;
        // Position 1 prefers I, but position 0 prefers O: the best allowed path is B I or O O.
        let emit = [1.0, 0.8, 0.0, 0.0, 0.0, 2.0];
        let trans = vec![0.0; 12];
        assert_eq!(viterbi(2, 3, &emit, &trans, allowed), vec![1, 2]);
        let emit = [3.0, 0.0, 0.0, 0.5, 0.0, 2.0];
        assert_eq!(viterbi(2, 3, &emit, &trans, allowed), vec![0, 0]);
        assert!(viterbi(0, 3, &[], &trans, allowed).is_empty());
    }
}
