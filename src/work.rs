//! Work meters and budgets. Every stage is near-linear in its article by construction; each
//! also counts its steps on a [`Meter`], so that tests can check how work grows with input
//! size (by count, never by time), and so that a per-article budget stops quote detection,
//! whose work depends on what the text holds, should it run past it: the article still gets
//! its record, with what was found and a warning.

/// Steps a stage took on one article, and the most it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meter {
    steps: u64,
    limit: u64,
    exhausted: bool,
}

impl Meter {
    /// A meter that stops its stage after `limit` steps.
    pub fn with_limit(limit: u64) -> Self {
        Meter {
            steps: 0,
            limit,
            exhausted: false,
        }
    }

    /// A meter without a limit.
    pub fn unlimited() -> Self {
        Self::with_limit(u64::MAX)
    }

    /// Counts `n` steps.
    pub fn add(&mut self, n: u64) {
        self.steps = self.steps.saturating_add(n);
    }

    /// Steps counted.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The most steps allowed.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Whether the limit is reached (a stage checks between units of its work).
    pub fn spent(&self) -> bool {
        self.steps > self.limit
    }

    /// Marks that the stage stopped early because of the limit.
    pub fn mark_exhausted(&mut self) {
        self.exhausted = true;
    }

    /// Whether the stage stopped early because of the limit.
    pub fn exhausted(&self) -> bool {
        self.exhausted
    }
}

impl Default for Meter {
    fn default() -> Self {
        Self::unlimited()
    }
}

/// The work of the stages on one article, in each stage's own steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Tokens the segmenter made.
    pub tokens: u64,
    /// NER: weight rows looked up (features scored, per token and hypothesis).
    pub ner: u64,
    /// Quote detection: token reads by the rules and the learned cue model.
    pub quotes: u64,
    /// Attribution: candidate mentions and actors compared.
    pub resolve: u64,
}

impl Work {
    /// All steps together.
    pub fn total(&self) -> u64 {
        self.tokens + self.ner + self.quotes + self.resolve
    }
}

/// The per-article work budget: quote detection may take `base + per_token * tokens` steps.
/// The defaults are far above what ordinary news needs (the learned quote model takes about 83
/// steps per token on PolNeAR, at most 158 in one article), so only hostile input (a flood
/// of cues, each with many content candidates) or a defect that escaped the linear-time
/// design reaches them; at the limit a 3 MB article still ends within seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Steps allowed whatever the size.
    pub base: u64,
    /// Steps allowed per token.
    pub per_token: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            base: 1_000_000,
            per_token: 2_000,
        }
    }
}

impl Budget {
    /// A meter for a stage on an article of `tokens` tokens.
    pub fn meter(&self, tokens: usize) -> Meter {
        Meter::with_limit(
            self.base
                .saturating_add(self.per_token.saturating_mul(tokens as u64)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meter_is_spent_past_its_limit() {
        let mut m = Budget {
            base: 10,
            per_token: 1,
        }
        .meter(5);
        assert_eq!(m.limit(), 15);
        m.add(15);
        assert!(!m.spent());
        m.add(1);
        assert!(m.spent());
        assert!(!m.exhausted());
        m.mark_exhausted();
        assert!(m.exhausted());
        assert_eq!(m.steps(), 16);
    }
}
