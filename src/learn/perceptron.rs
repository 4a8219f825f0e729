//! Averaged-perceptron weights over hashed features: `K` weights per feature (one per class),
//! updated online and averaged over every step (Collins 2002, with the lazy-sum trick), plus
//! the seeded shuffle that makes training runs repeat exactly.

use super::hash::IdMap;
use super::index::{huge_pages, prefetch, FeatureIndex, RowTable};

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
        let w = keys.iter().flat_map(|r| r.1.iter().copied()).collect();
        Weights::from_flat(self.k, keys.into_iter().map(|r| r.0).collect(), w)
    }
}

/// Frozen weights: feature id -> a row of `k` weights. Rows of one and of three weights (the
/// quote model's rankers and cue tagger) sit in the slots of their ids ([`RowTable`]); other
/// widths behind a [`FeatureIndex`].
#[derive(Clone, Debug)]
pub struct Weights {
    k: usize,
    rows: Rows,
}

#[derive(Clone, Debug)]
enum Rows {
    One(RowTable<f32, 1>),
    Three(RowTable<f32, 3>),
    Any { index: FeatureIndex, w: Vec<f32> },
}

impl Default for Weights {
    fn default() -> Self {
        Weights::from_flat(1, Vec::new(), Vec::new())
    }
}

impl Weights {
    /// Weights of the features `ids`, whose rows lie one after another in `w`.
    fn from_flat(k: usize, ids: Vec<u64>, w: Vec<f32>) -> Self {
        fn table<const K: usize>(ids: &[u64], w: &[f32]) -> RowTable<f32, K> {
            RowTable::new(ids.iter().zip(w.chunks_exact(K)).map(|(&f, row)| {
                let mut r = [0f32; K];
                r.copy_from_slice(row);
                (f, r)
            }))
        }
        let rows = match k {
            1 => Rows::One(table(&ids, &w)),
            3 => Rows::Three(table(&ids, &w)),
            _ => {
                let mut flat = Vec::with_capacity(w.len());
                huge_pages(&flat);
                flat.extend(w);
                Rows::Any {
                    index: FeatureIndex::new(ids.into_iter().zip(0..)),
                    w: flat,
                }
            }
        };
        Weights { k, rows }
    }

    /// Features with weights.
    pub fn len(&self) -> usize {
        match &self.rows {
            Rows::One(t) => t.len(),
            Rows::Three(t) => t.len(),
            Rows::Any { index, .. } => index.len(),
        }
    }

    /// No feature.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds the weights of `feats` to `scores` (one per class).
    #[inline]
    pub fn score(&self, feats: &[u64], scores: &mut [f32]) {
        fn add<const K: usize>(t: &RowTable<f32, K>, feats: &[u64], scores: &mut [f32]) {
            let mut sum = [0f32; K];
            sum.copy_from_slice(&scores[..K]);
            t.rows(feats, |row| {
                for (o, x) in sum.iter_mut().zip(row) {
                    *o += x;
                }
            });
            scores[..K].copy_from_slice(&sum);
        }
        match &self.rows {
            Rows::One(t) => add(t, feats, scores),
            Rows::Three(t) => add(t, feats, scores),
            Rows::Any { index, w } => index.rows_fetched(
                feats,
                |r| prefetch(&w[r as usize * self.k]),
                |r| {
                    let r = r as usize * self.k;
                    for (o, x) in scores.iter_mut().zip(&w[r..r + self.k]) {
                        *o += x;
                    }
                },
            ),
        }
    }

    /// Sum of the weights of `feats` for class `class`.
    #[inline]
    pub fn score_class(&self, feats: &[u64], class: usize) -> f32 {
        let mut sum = 0.0;
        match &self.rows {
            Rows::One(t) => t.rows(feats, |r| sum += r[class]),
            Rows::Three(t) => t.rows(feats, |r| sum += r[class]),
            Rows::Any { index, w } => index.rows(feats, |r| sum += w[r as usize * self.k + class]),
        }
        sum
    }

    /// Every feature and its row, in no particular order.
    fn each_row(&self, mut f: impl FnMut(u64, &[f32])) {
        match &self.rows {
            Rows::One(t) => t.iter().for_each(|(id, r)| f(id, r)),
            Rows::Three(t) => t.iter().for_each(|(id, r)| f(id, r)),
            Rows::Any { index, w } => index.iter().for_each(|(id, r)| {
                let r = r as usize * self.k;
                f(id, &w[r..r + self.k])
            }),
        }
    }

    /// Appends the weights: `k` and the row count (u32 each), then each row as its feature id
    /// (u64) and `k` f32 weights, little-endian, sorted by feature id.
    pub fn write(&self, out: &mut Vec<u8>) {
        let mut rows: Vec<(u64, Vec<f32>)> = Vec::with_capacity(self.len());
        self.each_row(|id, r| rows.push((id, r.to_vec())));
        rows.sort_unstable_by_key(|r| r.0);
        out.extend_from_slice(&(self.k as u32).to_le_bytes());
        out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        for (f, row) in rows {
            out.extend_from_slice(&f.to_le_bytes());
            for x in row {
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
        let mut ids = Vec::with_capacity(n);
        let mut w = Vec::with_capacity(n * k);
        for r in body.chunks_exact(rec) {
            ids.push(u64::from_le_bytes(r[..8].try_into().ok()?));
            w.extend(
                r[8..]
                    .chunks_exact(4)
                    .map(|x| f32::from_le_bytes([x[0], x[1], x[2], x[3]])),
            );
        }
        Some((Weights::from_flat(k, ids, w), &b[end..]))
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
        // Rows of one weight and of other widths than one and three round-trip too.
        for k in [1, 2] {
            let mut a = Averaged::new(k);
            a.add(&[1, 2, 0], k - 1, 1.0);
            a.tick();
            a.add(&[2, 3], 0, 0.5);
            a.tick();
            let w = a.freeze(0.0);
            let mut b = Vec::new();
            w.write(&mut b);
            let (r, rest) = Weights::read(&b).unwrap();
            assert!(rest.is_empty() && r.len() == 4 && w.len() == 4);
            let (mut s1, mut s2) = (vec![0.0; k], vec![0.0; k]);
            w.score(&[0, 1, 2, 3, 4], &mut s1);
            r.score(&[0, 1, 2, 3, 4], &mut s2);
            assert_eq!(s1, s2);
            assert!(s1[k - 1] > 0.0);
            assert_eq!(r.score_class(&[2, 0], 0), w.score_class(&[2, 0], 0));
        }
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
