//! Averaged-perceptron weights over hashed features: `K` weights per feature (one per class),
//! updated online and averaged over every step (Collins 2002, with the lazy-sum trick), plus
//! the seeded shuffle that makes training runs repeat exactly.

use super::hash::IdMap;
use super::index::{huge_pages, prefetch, FeatureIndex};

/// Trainable weights: feature id -> a row of `k` weights, with running sums for averaging.
#[derive(Clone)]
pub struct Averaged {
    k: usize,
    index: IdMap<u32>,
    w: Vec<f32>,
    acc: Vec<f64>,
    c: f64,
}

impl Averaged {
    /// Empty weights with `k` classes per feature.
    pub fn new(k: usize) -> Self {
        Averaged {
            k,
            index: IdMap::default(),
            w: Vec::new(),
            acc: Vec::new(),
            c: 0.0,
        }
    }

    /// Classes per feature.
    pub fn classes(&self) -> usize {
        self.k
    }

    /// Features seen so far.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// No feature seen yet.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Counts one training step (the clock the averages are taken over).
    #[inline]
    pub fn tick(&mut self) {
        self.c += 1.0;
    }

    /// The current (not averaged) row of feature `f`, if it has one.
    #[inline]
    pub fn row(&self, f: u64) -> Option<&[f32]> {
        self.index.get(&f).map(|&r| {
            let r = r as usize * self.k;
            &self.w[r..r + self.k]
        })
    }

    /// Adds the current weights of `feats` to `scores` (one per class).
    #[inline]
    pub fn score(&self, feats: &[u64], scores: &mut [f32]) {
        for &f in feats {
            if let Some(row) = self.row(f) {
                for (o, x) in scores.iter_mut().zip(row) {
                    *o += x;
                }
            }
        }
    }

    /// Sum of the current weights of `feats` for class `class`.
    #[inline]
    pub fn score_class(&self, feats: &[u64], class: usize) -> f32 {
        feats
            .iter()
            .filter_map(|&f| self.row(f).map(|r| r[class]))
            .sum()
    }

    fn row_index(&mut self, f: u64) -> usize {
        let n = self.index.len() as u32;
        let r = *self.index.entry(f).or_insert(n) as usize;
        if r == n as usize {
            self.w.extend(std::iter::repeat_n(0.0, self.k));
            self.acc.extend(std::iter::repeat_n(0.0, self.k));
        }
        r
    }

    /// Adds `tau` to class `class` of every feature in `feats`.
    pub fn add(&mut self, feats: &[u64], class: usize, tau: f32) {
        let c = self.c;
        for &f in feats {
            let r = self.row_index(f) * self.k + class;
            self.w[r] += tau;
            self.acc[r] += c * tau as f64;
        }
    }

    /// Moves `tau` of weight from class `pred` to class `gold` on every feature in `feats`.
    pub fn update(&mut self, feats: &[u64], gold: usize, pred: usize, tau: f32) {
        let c = self.c;
        for &f in feats {
            let r = self.row_index(f) * self.k;
            self.w[r + gold] += tau;
            self.acc[r + gold] += c * tau as f64;
            self.w[r + pred] -= tau;
            self.acc[r + pred] -= c * tau as f64;
        }
    }

    /// The feature index and the current weights, row by row.
    pub fn current(&self) -> (&IdMap<u32>, &[f32]) {
        (&self.index, &self.w)
    }

    /// The averaged weights, row by row in the order of the index.
    pub fn averaged_rows(&self) -> Vec<f32> {
        let c = self.c.max(1.0);
        self.w
            .iter()
            .zip(&self.acc)
            .map(|(&w, &a)| (w as f64 - a / c) as f32)
            .collect()
    }

    /// The averaged weights as a map from feature to row, leaving out rows whose weights all
    /// stay at or below `floor` in absolute value.
    pub fn averaged(&self, floor: f32) -> IdMap<Vec<f32>> {
        let rows = self.averaged_rows();
        self.index
            .iter()
            .filter_map(|(&f, &r)| {
                let row = &rows[r as usize * self.k..(r as usize + 1) * self.k];
                row.iter()
                    .any(|w| w.abs() > floor)
                    .then(|| (f, row.to_vec()))
            })
            .collect()
    }
}

impl Averaged {
    /// The averaged weights, frozen for use, without the rows whose weights all stay at or
    /// below `floor` in absolute value.
    pub fn freeze(&self, floor: f32) -> Weights {
        let mut keys: Vec<(u64, Vec<f32>)> = self.averaged(floor).into_iter().collect();
        keys.sort_by_key(|x| x.0);
        Weights::from_rows(self.k, keys)
    }
}

/// Frozen weights: feature id -> a row of `k` weights.
#[derive(Clone, Debug, Default)]
pub struct Weights {
    k: usize,
    index: FeatureIndex,
    w: Vec<f32>,
}

impl Weights {
    fn from_rows(k: usize, rows: Vec<(u64, Vec<f32>)>) -> Self {
        let mut w = Vec::with_capacity(rows.len() * k);
        huge_pages(&w);
        let mut ids = Vec::with_capacity(rows.len());
        for (n, (f, row)) in rows.into_iter().enumerate() {
            ids.push((f, n as u32));
            w.extend(row);
        }
        Weights {
            k,
            index: FeatureIndex::new(ids),
            w,
        }
    }

    /// Features with weights.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// No feature.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Adds the weights of `feats` to `scores` (one per class).
    #[inline]
    pub fn score(&self, feats: &[u64], scores: &mut [f32]) {
        self.index.rows_fetched(
            feats,
            |r| prefetch(&self.w[r as usize * self.k]),
            |r| {
                let r = r as usize * self.k;
                for (o, x) in scores.iter_mut().zip(&self.w[r..r + self.k]) {
                    *o += x;
                }
            },
        );
    }

    /// Sum of the weights of `feats` for class `class`.
    #[inline]
    pub fn score_class(&self, feats: &[u64], class: usize) -> f32 {
        let mut sum = 0.0;
        self.index
            .rows(feats, |r| sum += self.w[r as usize * self.k + class]);
        sum
    }

    /// Appends the weights: `k` and the row count (u32 each), then each row as its feature id
    /// (u64) and `k` f32 weights, little-endian, sorted by feature id.
    pub fn write(&self, out: &mut Vec<u8>) {
        let mut rows: Vec<(u64, u32)> = self.index.iter().collect();
        rows.sort_unstable();
        out.extend_from_slice(&(self.k as u32).to_le_bytes());
        out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        for (f, r) in rows {
            out.extend_from_slice(&f.to_le_bytes());
            let r = r as usize * self.k;
            for x in &self.w[r..r + self.k] {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
    }

    /// Reads weights written by [`Weights::write`] from the front of `b`; returns them and
    /// the bytes after them, or `None` when `b` is too short.
    pub fn read(b: &[u8]) -> Option<(Self, &[u8])> {
        let u32_at = |i: usize| -> Option<u32> {
            Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
        };
        let k = u32_at(0)? as usize;
        let n = u32_at(4)? as usize;
        if k == 0 || k > 64 {
            return None;
        }
        let rec = 8 + 4 * k;
        let end = n.checked_mul(rec)?.checked_add(8)?;
        let body = b.get(8..end)?;
        let mut w = Vec::with_capacity(n * k);
        huge_pages(&w);
        let mut ids = Vec::with_capacity(n);
        for (row, r) in body.chunks_exact(rec).enumerate() {
            ids.push((u64::from_le_bytes(r[..8].try_into().ok()?), row as u32));
            w.extend(
                r[8..]
                    .chunks_exact(4)
                    .map(|x| f32::from_le_bytes([x[0], x[1], x[2], x[3]])),
            );
        }
        let index = FeatureIndex::new(ids);
        Some((Weights { k, index, w }, &b[end..]))
    }
}

/// Shuffles `order` in place (Fisher-Yates with an xorshift generator whose state is `rng`):
/// deterministic for a given seed, so that training runs repeat exactly.
pub fn shuffle(order: &mut [usize], rng: &mut u64) {
    for i in (1..order.len()).rev() {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        order.swap(i, (*rng % (i as u64 + 1)) as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averaging_weights_steps_by_when_they_happened() {
        let mut a = Averaged::new(2);
        // An update at step 0, then four steps: the weight held all along, the average is it.
        a.update(&[7], 0, 1, 1.0);
        for _ in 0..4 {
            a.tick();
        }
        let rows = a.averaged_rows();
        assert_eq!(rows, vec![1.0, -1.0]);
        a.update(&[7], 1, 0, 1.0);
        a.tick();
        // Now w = [0, 0], acc = [-4, 4], c = 5: average [0.8, -0.8].
        let rows = a.averaged_rows();
        assert!((rows[0] - 0.8).abs() < 1e-6 && (rows[1] + 0.8).abs() < 1e-6);
        let mut s = [0.0; 2];
        a.score(&[7, 9], &mut s);
        assert_eq!(s, [0.0, 0.0]);
        assert_eq!(a.averaged(0.9).len(), 0);
        assert_eq!(a.averaged(0.5).len(), 1);
    }

    #[test]
    fn frozen_weights_round_trip_through_bytes() {
        let mut a = Averaged::new(3);
        a.update(&[1, 2], 0, 2, 1.0);
        a.tick();
        a.update(&[2, 3], 1, 0, 0.5);
        a.tick();
        let w = a.freeze(0.0);
        let mut b = Vec::new();
        w.write(&mut b);
        b.push(9);
        let (r, rest) = Weights::read(&b).unwrap();
        assert_eq!(rest, &[9]);
        let (mut s1, mut s2) = ([0.0; 3], [0.0; 3]);
        w.score(&[1, 2, 3, 4], &mut s1);
        r.score(&[1, 2, 3, 4], &mut s2);
        assert_eq!(s1, s2);
        assert_eq!(r.score_class(&[2], 1), w.score_class(&[2], 1));
        assert!(Weights::read(&b[..b.len() - 5]).is_none());
    }

    #[test]
    fn shuffle_is_a_seeded_permutation() {
        let mut a: Vec<usize> = (0..50).collect();
        let mut b = a.clone();
        let (mut r1, mut r2) = (42u64, 42u64);
        shuffle(&mut a, &mut r1);
        shuffle(&mut b, &mut r2);
        assert_eq!(a, b);
        let mut s = a.clone();
        s.sort();
        assert_eq!(s, (0..50).collect::<Vec<_>>());
    }
}
