//! Hashed features for the sequence tagger. No allocation per token: every string feature is
//! hashed straight from the token's bytes (lowercased on the fly), and the per-token hashes are
//! computed once per sentence into a reused buffer.

use super::clusters::Clusters;
use super::gazetteer::{self, Gazetteer};
use super::phrases;
use crate::learn::hash::{finish, hash_shape, hash_str, mix, prefix_bits};

/// Precomputed hashes of one token.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokHash {
    /// Lowercased form.
    pub lower: u64,
    /// Exact form.
    pub exact: u64,
    /// Shape.
    pub shape: u64,
    /// Prefixes of length 1..=4 (lowercased).
    pub prefix: [u64; 4],
    /// Suffixes of length 1..=4 (lowercased).
    pub suffix: [u64; 4],
    /// Starts with an uppercase letter.
    pub cap: bool,
    /// Word-cluster path (0 when unknown).
    pub cluster: u16,
    /// Which forms the cluster vocabulary knows: bit 0 the exact form, bit 1 the lowercase
    /// form. A capitalized word whose lowercase form is unknown is likely a name.
    pub vocab: u8,
    /// Gazetteer bits of the word (0 when in no list).
    pub gaz: u16,
    /// Starts with an uppercase letter or a digit: a listed phrase may begin here.
    pub name_start: bool,
    /// The word's positions in listed phrases, 3 bits per list (`phrases::mark`; 0 in none).
    pub phrase: u32,
}

impl TokHash {
    /// Hashes one token, looking it up in the word clusters and the gazetteer.
    pub fn new(s: &str, clusters: &Clusters, gazetteer: &Gazetteer) -> Self {
        let mut prefix = [0u64; 4];
        let mut suffix = [0u64; 4];
        let n = s.chars().count();
        for (k, p) in prefix.iter_mut().enumerate() {
            let len = (k + 1).min(n);
            let end = s.char_indices().nth(len).map_or(s.len(), |(i, _)| i);
            *p = hash_str(&s[..end], true) ^ (k as u64 + 1);
        }
        for (k, p) in suffix.iter_mut().enumerate() {
            let len = (k + 1).min(n);
            let start = if len >= n {
                0
            } else {
                s.char_indices().nth(n - len).map_or(0, |(i, _)| i)
            };
            *p = hash_str(&s[start..], true) ^ ((k as u64 + 1) << 8);
        }
        let lower = hash_str(s, true);
        let exact = hash_str(s, false);
        TokHash {
            lower,
            exact,
            shape: hash_shape(s),
            prefix,
            suffix,
            cap: s.chars().next().is_some_and(|c| c.is_uppercase()),
            cluster: clusters.path(exact, lower),
            vocab: clusters.knows(exact) as u8 | (clusters.knows(lower) as u8) << 1,
            gaz: gazetteer.get(lower),
            name_start: s
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()),
            phrase: 0,
        }
    }

    /// Stand-in for positions before the sentence.
    pub fn start() -> Self {
        TokHash {
            lower: 0x1111,
            exact: 0x1111,
            shape: 0x1111,
            ..Default::default()
        }
    }

    /// Stand-in for positions after the sentence.
    pub fn end() -> Self {
        TokHash {
            lower: 0x2222,
            exact: 0x2222,
            shape: 0x2222,
            ..Default::default()
        }
    }
}

/// How the sentence is cased: headlines in capitals or title case change what a capital means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentCase {
    /// Ordinary prose.
    Normal,
    /// Every letter upper case.
    Upper,
    /// Nearly every word capitalized (a headline).
    Title,
    /// A line of a table: numbers beside capitalized words, no word in lower case
    /// ("Philadelphia 3 Atlanta 1").
    Table,
}

impl SentCase {
    /// Classifies a sentence from its words.
    pub fn of(words: &[&str]) -> Self {
        let mut letters_upper = true;
        let mut alpha_words = 0;
        let mut cap_words = 0;
        let mut numbers = 0;
        for w in words {
            let mut chars = w.chars();
            let Some(c) = chars.next() else { continue };
            if c.is_ascii_digit() {
                numbers += 1;
            }
            if !c.is_alphabetic() {
                continue;
            }
            alpha_words += 1;
            if c.is_uppercase() {
                cap_words += 1;
            }
            if w.chars().any(|c| c.is_lowercase()) {
                letters_upper = false;
            }
        }
        if alpha_words >= 2 && letters_upper {
            SentCase::Upper
        } else if numbers > 0 && alpha_words > 0 && cap_words == alpha_words && words.len() <= 16 {
            SentCase::Table
        } else if alpha_words >= 4 && cap_words * 10 >= alpha_words * 8 {
            SentCase::Title
        } else {
            SentCase::Normal
        }
    }
}

/// Feature template ids (mixed into every feature's hash).
pub mod tpl {
    pub const BIAS: u64 = 1;
    pub const W0: u64 = 2;
    pub const WM1: u64 = 3;
    pub const WP1: u64 = 4;
    pub const WM2: u64 = 5;
    pub const WP2: u64 = 6;
    pub const EXACT: u64 = 7;
    pub const PREFIX: u64 = 8;
    pub const SUFFIX: u64 = 9;
    pub const SHAPE0: u64 = 10;
    pub const SHAPEM1: u64 = 11;
    pub const SHAPEP1: u64 = 12;
    pub const SHAPE_M1_0: u64 = 13;
    pub const SHAPE_0_P1: u64 = 14;
    pub const BI_M1_0: u64 = 15;
    pub const BI_0_P1: u64 = 16;
    pub const T1: u64 = 17;
    pub const T12: u64 = 18;
    pub const T1_W0: u64 = 19;
    pub const T1_SHAPE0: u64 = 20;
    pub const CASE_SHAPE: u64 = 21;
    pub const FIRST_SHAPE: u64 = 22;
    pub const HIST: u64 = 23;
    pub const FIRST_W0: u64 = 24;
    pub const WM1_SHAPE0: u64 = 25;
    pub const WP1_SHAPE0: u64 = 26;
    pub const CASE_W0: u64 = 27;
    pub const HIST_NEXT: u64 = 28;
    pub const EXACT_M1: u64 = 29;
    pub const EXACT_P1: u64 = 30;
    pub const LOWER_ELSEWHERE: u64 = 31;
    pub const CLUSTER0: u64 = 32;
    pub const CLUSTERM1: u64 = 33;
    pub const CLUSTERP1: u64 = 34;
    pub const CLUSTER_M1_0: u64 = 35;
    pub const CLUSTER_SHAPE: u64 = 36;
    pub const CLUSTERM2: u64 = 37;
    pub const CLUSTERP2: u64 = 38;
    pub const T1_CLUSTER0: u64 = 39;
    pub const VOCAB0: u64 = 40;
    pub const VOCAB_M1_0: u64 = 41;
    pub const VOCAB_0_P1: u64 = 42;
    pub const GAZ0: u64 = 43;
    pub const GAZM1: u64 = 44;
    pub const GAZP1: u64 = 45;
    pub const AROUND: u64 = 46;
    pub const PHR0: u64 = 47;
    pub const PHRM1: u64 = 48;
    pub const PHRP1: u64 = 49;
    pub const PHR_ALL: u64 = 50;
}

#[inline]
pub(crate) fn f(t: u64, h: u64) -> u64 {
    finish(mix(t.wrapping_mul(0x9E37_79B9_7F4A_7C15), h))
}

/// The static features of position `i` (those that depend neither on the tags nor on the
/// document history), appended to `out`.
pub fn static_features(
    hs: &[TokHash],
    i: usize,
    case: SentCase,
    lower_elsewhere: bool,
    out: &mut Vec<u64>,
) {
    use tpl::*;
    let n = hs.len();
    let at = |j: isize| -> TokHash {
        if j < 0 {
            TokHash::start()
        } else if j as usize >= n {
            TokHash::end()
        } else {
            hs[j as usize]
        }
    };
    let ii = i as isize;
    let w0 = hs[i];
    let m1 = at(ii - 1);
    let p1 = at(ii + 1);
    let m2 = at(ii - 2);
    let p2 = at(ii + 2);
    out.push(f(BIAS, 0));
    out.push(f(W0, w0.lower));
    out.push(f(EXACT, w0.exact));
    out.push(f(WM1, m1.lower));
    out.push(f(WP1, p1.lower));
    out.push(f(WM2, m2.lower));
    out.push(f(WP2, p2.lower));
    out.push(f(EXACT_M1, m1.exact));
    out.push(f(EXACT_P1, p1.exact));
    for k in 0..4 {
        out.push(f(PREFIX, w0.prefix[k]));
        out.push(f(SUFFIX, w0.suffix[k]));
    }
    out.push(f(SHAPE0, w0.shape));
    out.push(f(SHAPEM1, m1.shape));
    out.push(f(SHAPEP1, p1.shape));
    out.push(f(SHAPE_M1_0, mix(m1.shape, w0.shape)));
    out.push(f(SHAPE_0_P1, mix(w0.shape, p1.shape)));
    out.push(f(BI_M1_0, mix(m1.lower, w0.lower)));
    out.push(f(BI_0_P1, mix(w0.lower, p1.lower)));
    out.push(f(CASE_SHAPE, mix(case as u64, w0.shape)));
    out.push(f(CASE_W0, mix(case as u64 + 7, w0.lower)));
    out.push(f(WM1_SHAPE0, mix(m1.lower, w0.shape)));
    out.push(f(WP1_SHAPE0, mix(p1.lower, w0.shape)));
    if w0.cluster != 0 {
        for k in [2, 4, 6, 8, 10, 12, 14] {
            out.push(f(CLUSTER0, prefix_bits(w0.cluster, k)));
        }
        out.push(f(CLUSTER_SHAPE, mix(prefix_bits(w0.cluster, 8), w0.shape)));
    }
    for k in [4, 8, 14] {
        out.push(f(CLUSTERM1, prefix_bits(m1.cluster, k)));
        out.push(f(CLUSTERP1, prefix_bits(p1.cluster, k)));
    }
    out.push(f(CLUSTERM2, prefix_bits(m2.cluster, 6)));
    out.push(f(CLUSTERP2, prefix_bits(p2.cluster, 6)));
    out.push(f(
        CLUSTER_M1_0,
        mix(prefix_bits(m1.cluster, 6), prefix_bits(w0.cluster, 6)),
    ));
    out.push(f(VOCAB0, mix(w0.vocab as u64, w0.shape)));
    if w0.gaz != 0 && w0.cap {
        for b in 0..gazetteer::BITS {
            if w0.gaz >> b & 1 == 1 {
                out.push(f(GAZ0, b as u64));
            }
        }
        out.push(f(GAZ0, mix(w0.gaz as u64, 0x100)));
    }
    phrase_features(&w0, &m1, &p1, out);
    if m1.cap {
        out.push(f(GAZM1, mix(m1.gaz as u64, w0.cap as u64)));
    }
    if p1.cap {
        out.push(f(GAZP1, mix(p1.gaz as u64, w0.cap as u64)));
    }
    out.push(f(
        VOCAB_M1_0,
        mix(
            m1.vocab as u64 | (m1.cap as u64) << 2,
            w0.vocab as u64 | (w0.cap as u64) << 2,
        ),
    ));
    out.push(f(
        VOCAB_0_P1,
        mix(
            w0.vocab as u64 | (w0.cap as u64) << 2,
            p1.vocab as u64 | (p1.cap as u64) << 2,
        ),
    ));
    if i == 0 {
        out.push(f(FIRST_SHAPE, w0.shape));
        out.push(f(FIRST_W0, w0.lower));
    }
    if lower_elsewhere {
        out.push(f(LOWER_ELSEWHERE, 1));
        out.push(f(LOWER_ELSEWHERE, mix(2, w0.lower)));
        if i == 0 {
            out.push(f(LOWER_ELSEWHERE, 3));
        }
    }
}

/// The listed-phrase features of a word: its position in each list's longest match, the
/// whole code with its case, and its neighbours' positions.
fn phrase_features(w0: &TokHash, m1: &TokHash, p1: &TokHash, out: &mut Vec<u64>) {
    use tpl::*;
    if w0.phrase != 0 {
        for k in 0..phrases::KINDS as u32 {
            let p = w0.phrase >> (3 * k) & 7;
            if p != 0 {
                out.push(f(PHR0, (k * 8 + p) as u64));
            }
        }
        out.push(f(PHR_ALL, mix(w0.phrase as u64, w0.cap as u64)));
    }
    if m1.phrase != 0 {
        out.push(f(PHRM1, m1.phrase as u64));
    }
    if p1.phrase != 0 {
        out.push(f(PHRP1, p1.phrase as u64));
    }
}

/// The document-history features of a word: the label the document gave it so far (`hist`),
/// and the one it gave the next word (`hist_next`).
pub fn history_features(
    w0: &TokHash,
    hist: Option<u64>,
    hist_next: Option<u64>,
    out: &mut Vec<u64>,
) {
    use tpl::*;
    if let Some(h) = hist {
        out.push(f(HIST, h));
        out.push(f(HIST, mix(h, w0.shape)));
    }
    if let Some(h) = hist_next {
        out.push(f(HIST_NEXT, h));
    }
}

/// The features that depend on the two previous tags.
pub fn tag_features(hs: &[TokHash], i: usize, t1: usize, t2: usize, out: &mut Vec<u64>) {
    use tpl::*;
    let w0 = hs[i];
    out.push(f(T1, t1 as u64));
    out.push(f(T12, (t1 as u64) << 8 | t2 as u64));
    out.push(f(T1_W0, mix(t1 as u64, w0.lower)));
    out.push(f(T1_SHAPE0, mix(t1 as u64, w0.shape)));
    out.push(f(T1_CLUSTER0, mix(t1 as u64, prefix_bits(w0.cluster, 8))));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_and_lowercase() {
        assert_eq!(hash_str("Zelensky’s", true), hash_str("zelensky's", true));
        assert_ne!(hash_str("Apple", false), hash_str("apple", false));
        assert_eq!(hash_shape("Witkoff"), hash_shape("Kushner"));
        assert_ne!(hash_shape("Witkoff"), hash_shape("WSJ"));
    }

    #[test]
    fn sentence_case() {
        assert_eq!(
            SentCase::of(&["EU", "REJECTS", "GERMAN", "CALL"]),
            SentCase::Upper
        );
        assert_eq!(
            SentCase::of(&["It", "Has", "Become", "Known", "How", "Trump", "Had", "A"]),
            SentCase::Title
        );
        assert_eq!(
            SentCase::of(&["He", "said", "so", "today", "."]),
            SentCase::Normal
        );
    }

    #[test]
    fn affixes_on_short_and_non_ascii_words() {
        let c = Clusters::default();
        let g = Gazetteer::default();
        let h = TokHash::new("é", &c, &g);
        assert_eq!(h.prefix[0] ^ 1, h.prefix[3] ^ 4);
        let _ = TokHash::new("Björn", &c, &g);
        assert_eq!(prefix_bits(0b1_0110, 2) & 0xff, 0b1_01);
        assert_eq!(prefix_bits(0b1_0110, 8) & 0xff, 0b1_0110);
    }
}
