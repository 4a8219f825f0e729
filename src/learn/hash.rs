//! Hashing for hashed features: string and shape hashes computed straight from a token's
//! bytes (no allocation), the mixing step that combines them into feature ids, and a hasher
//! for maps whose keys are such ids already.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0x517c_c1b7_2722_0a95;

/// Mixes one value into a running hash (FxHash's step).
#[inline]
pub fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(K)
}

/// Final avalanche so that nearby keys spread across a table.
#[inline]
pub fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// Folds curly apostrophes and quotes to their ASCII forms, so that news text and CoNLL's
/// ASCII tokens share features.
#[inline]
pub fn fold(c: char) -> char {
    match c {
        '\u{2019}' | '\u{2018}' | '`' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}' | '\u{201E}' => '"',
        '\u{2013}' | '\u{2014}' => '-',
        _ => c,
    }
}

/// Hash of a string, lowercased and folded when `lower` is set.
pub fn hash_str(s: &str, lower: bool) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    if s.is_ascii() {
        // Fast path, same values: ASCII folds only '`', and lowercases byte by byte.
        for &b in s.as_bytes() {
            let c = if b == b'`' {
                b'\''
            } else if lower {
                b.to_ascii_lowercase()
            } else {
                b
            };
            h = mix(h, c as u64);
        }
        return h;
    }
    for c in s.chars() {
        let c = fold(c);
        if lower && c.is_uppercase() {
            for l in c.to_lowercase() {
                h = mix(h, l as u64);
            }
        } else {
            h = mix(h, c as u64);
        }
    }
    h
}

/// Hash of the word shape: X for upper, x for lower, d for digit, other chars kept; runs of
/// the same class longer than two collapse ("Xxxx" for "Witkoff", "dd.dd.dddd" shortened).
pub fn hash_shape(s: &str) -> u64 {
    let mut h = 0x84222325u64;
    let mut last = '\0';
    let mut run = 0;
    for c in s.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            fold(c)
        };
        if k == last {
            run += 1;
            if run >= 2 {
                continue;
            }
        } else {
            run = 0;
            last = k;
        }
        h = mix(h, k as u64);
    }
    h
}

/// The first `k` bits of a cluster path (with its leading 1), or the whole path if shorter.
#[inline]
pub fn prefix_bits(path: u16, k: u32) -> u64 {
    if path == 0 {
        return 0;
    }
    let bits = 15 - path.leading_zeros();
    let p = if bits > k { path >> (bits - k) } else { path };
    p as u64 | (k as u64) << 20
}

/// An identity hasher for keys that are hashes already.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by feature ids (hashes), hashed by identity.
pub type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;
