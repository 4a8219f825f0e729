//! A frozen map from feature ids to weight rows, built for the lookups of tagging: one flat
//! array of `(id, row)` slots, at most half full, probed linearly from a multiplicative hash
//! of the id. A model's weights outgrow the CPU caches, so a lookup is mostly a wait for
//! memory; [`FeatureIndex::rows`] looks up a batch of ids and asks for each id's slot before
//! it reads any, so that the waits overlap instead of adding up.

/// Feature id -> row, frozen after it is built.
#[derive(Clone, Debug, Default)]
pub struct FeatureIndex {
    slots: Vec<Slot>,
    /// 64 minus log2 of the slot count: the shift that turns a hash into a slot.
    shift: u32,
    len: usize,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    id: u64,
    /// `EMPTY` for a free slot.
    row: u32,
}

const EMPTY: u32 = u32::MAX;

/// Fibonacci hashing: ids are hashes already, but their low bits may be weak.
const MUL: u64 = 0x9E37_79B9_7F4A_7C15;

/// Ids looked up at once by [`FeatureIndex::rows`].
const BATCH: usize = 32;

impl FeatureIndex {
    /// An index of `(id, row)` pairs. Of a repeated id, the first pair counts.
    pub fn new(pairs: impl IntoIterator<Item = (u64, u32)>) -> Self {
        let pairs: Vec<(u64, u32)> = pairs.into_iter().collect();
        let n = (pairs.len() * 2).next_power_of_two().max(16);
        let mut slots = Vec::with_capacity(n);
        huge_pages(&slots);
        slots.resize(n, Slot { id: 0, row: EMPTY });
        let mut index = FeatureIndex {
            slots,
            shift: 64 - n.trailing_zeros(),
            len: 0,
        };
        for (id, row) in pairs {
            debug_assert!(row != EMPTY);
            let mask = index.slots.len() - 1;
            let mut s = index.home(id);
            loop {
                let slot = &mut index.slots[s];
                if slot.row == EMPTY {
                    *slot = Slot { id, row };
                    index.len += 1;
                    break;
                }
                if slot.id == id {
                    break;
                }
                s = (s + 1) & mask;
            }
        }
        index
    }

    /// The slot where the probe for `id` starts.
    #[inline]
    fn home(&self, id: u64) -> usize {
        (id.wrapping_mul(MUL) >> self.shift) as usize
    }

    /// Ids in the index.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No id in the index.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The row of `id`, if it has one.
    #[inline]
    pub fn get(&self, id: u64) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut s = self.home(id);
        loop {
            let slot = self.slots[s];
            if slot.row == EMPTY {
                return None;
            }
            if slot.id == id {
                return Some(slot.row);
            }
            s = (s + 1) & mask;
        }
    }

    /// Calls `f` with the row of each id of `ids` that has one, in the order of `ids`.
    #[inline]
    pub fn rows(&self, ids: &[u64], mut f: impl FnMut(u32)) {
        if self.len == 0 {
            return;
        }
        let mut homes = [0usize; BATCH];
        for chunk in ids.chunks(BATCH) {
            for (h, &id) in homes.iter_mut().zip(chunk) {
                *h = self.home(id);
                prefetch(&self.slots[*h]);
            }
            for (&h, &id) in homes.iter().zip(chunk) {
                let mask = self.slots.len() - 1;
                let mut s = h;
                loop {
                    let slot = self.slots[s];
                    if slot.row == EMPTY {
                        break;
                    }
                    if slot.id == id {
                        f(slot.row);
                        break;
                    }
                    s = (s + 1) & mask;
                }
            }
        }
    }

    /// Calls `f` with the row of each id of `ids` that has one, in the order of `ids`, after
    /// looking up a batch of them: `fetch` is called with each row as it is found (to ask for
    /// its weights, say), so that the loads of a batch overlap before `f` reads any.
    #[inline]
    pub fn rows_fetched(&self, ids: &[u64], fetch: impl Fn(u32), mut f: impl FnMut(u32)) {
        let mut rows = [0u32; 64];
        for chunk in ids.chunks(rows.len()) {
            let mut n = 0;
            self.rows(chunk, |r| {
                fetch(r);
                rows[n] = r;
                n += 1;
            });
            rows[..n].iter().for_each(|&r| f(r));
        }
    }

    /// Every `(id, row)` pair, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.slots
            .iter()
            .filter(|s| s.row != EMPTY)
            .map(|s| (s.id, s.row))
    }
}

/// Feature id -> a row of `K` weights kept in the id's own slot: one flat array of
/// `(id, row)` slots, at most half full, probed linearly like [`FeatureIndex`]. A lookup
/// that finds its id then reads its weights from the cache line it has already waited for,
/// where a [`FeatureIndex`] row costs a second wait. Id 0 marks a free slot; its own row,
/// if it has one, is kept aside.
#[derive(Clone, Debug)]
pub struct RowTable<T: Copy, const K: usize> {
    slots: Vec<RowSlot<T, K>>,
    /// 64 minus log2 of the slot count: the shift that turns a hash into a slot.
    shift: u32,
    len: usize,
    /// The row of id 0, which cannot live in a slot.
    zero: Option<[T; K]>,
}

#[derive(Clone, Copy, Debug)]
struct RowSlot<T: Copy, const K: usize> {
    /// 0 for a free slot.
    id: u64,
    row: [T; K],
}

impl<T: Copy + Default, const K: usize> Default for RowTable<T, K> {
    fn default() -> Self {
        RowTable::new([])
    }
}

impl<T: Copy + Default, const K: usize> RowTable<T, K> {
    /// A table of `(id, row)` pairs. Of a repeated id, the first pair counts.
    pub fn new(pairs: impl IntoIterator<Item = (u64, [T; K])>) -> Self {
        let pairs: Vec<(u64, [T; K])> = pairs.into_iter().collect();
        let n = (pairs.len() * 2).next_power_of_two().max(16);
        let free = RowSlot {
            id: 0,
            row: [T::default(); K],
        };
        let mut slots = Vec::with_capacity(n);
        huge_pages(&slots);
        slots.resize(n, free);
        let mut table = RowTable {
            slots,
            shift: 64 - n.trailing_zeros(),
            len: 0,
            zero: None,
        };
        for (id, row) in pairs {
            if id == 0 {
                if table.zero.is_none() {
                    table.zero = Some(row);
                    table.len += 1;
                }
                continue;
            }
            let mask = table.slots.len() - 1;
            let mut s = table.home(id);
            loop {
                let slot = &mut table.slots[s];
                if slot.id == 0 {
                    *slot = RowSlot { id, row };
                    table.len += 1;
                    break;
                }
                if slot.id == id {
                    break;
                }
                s = (s + 1) & mask;
            }
        }
        table
    }

    #[inline]
    fn home(&self, id: u64) -> usize {
        (id.wrapping_mul(MUL) >> self.shift) as usize
    }

    /// Ids in the table.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No id in the table.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The row of `id`, if it has one.
    #[inline]
    pub fn get(&self, id: u64) -> Option<&[T; K]> {
        if id == 0 {
            return self.zero.as_ref();
        }
        let mask = self.slots.len() - 1;
        let mut s = self.home(id);
        loop {
            let slot = &self.slots[s];
            if slot.id == id {
                return Some(&slot.row);
            }
            if slot.id == 0 {
                return None;
            }
            s = (s + 1) & mask;
        }
    }

    /// Calls `f` with the row of each id of `ids` that has one, in the order of `ids`, after
    /// asking for the home slot of every id of a batch, so that their waits overlap.
    #[inline]
    pub fn rows(&self, ids: &[u64], mut f: impl FnMut(&[T; K])) {
        if self.len == 0 {
            return;
        }
        let size = std::mem::size_of::<RowSlot<T, K>>();
        let mut homes = [0usize; BATCH];
        for chunk in ids.chunks(BATCH) {
            for (h, &id) in homes.iter_mut().zip(chunk) {
                *h = self.home(id);
                let slot = &self.slots[*h];
                prefetch(slot);
                if size > 16 {
                    // A slot may cross into the next cache line.
                    prefetch(&slot.row[K - 1]);
                }
            }
            for (&h, &id) in homes.iter().zip(chunk) {
                if id == 0 {
                    if let Some(row) = &self.zero {
                        f(row);
                    }
                    continue;
                }
                let mask = self.slots.len() - 1;
                let mut s = h;
                loop {
                    let slot = &self.slots[s];
                    if slot.id == id {
                        f(&slot.row);
                        break;
                    }
                    if slot.id == 0 {
                        break;
                    }
                    s = (s + 1) & mask;
                }
            }
        }
    }

    /// Every `(id, row)` pair, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &[T; K])> + '_ {
        self.zero.iter().map(|r| (0, r)).chain(
            self.slots
                .iter()
                .filter(|s| s.id != 0)
                .map(|s| (s.id, &s.row)),
        )
    }
}

/// Asks the kernel to back the buffer of `v` (its whole capacity, best before it is
/// written) with huge pages where it can: a table of many megabytes read at random points
/// otherwise misses the TLB on nearly every lookup. A hint; nothing happens elsewhere.
pub fn huge_pages<T>(v: &Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = v.capacity() * std::mem::size_of::<T>();
        if bytes < HUGE {
            return;
        }
        let start = v.as_ptr() as usize;
        let page = 4096;
        let (s, e) = (start.div_ceil(page) * page, (start + bytes) / page * page);
        if e > s {
            // SAFETY: the range lies inside the vector's own allocation; MADV_HUGEPAGE
            // changes how it is backed, never its contents.
            unsafe {
                libc::madvise(s as *mut libc::c_void, e - s, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

/// Asks the CPU to start loading `x`'s cache line; a no-op where there is no such hint.
#[inline(always)]
pub fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it never faults and reads nothing into the program.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            x as *const T as *const i8,
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_id_and_no_other() {
        let pairs: Vec<(u64, u32)> = (0..1000u64)
            .map(|i| (crate::learn::hash::finish(i * 7 + 1), i as u32))
            .collect();
        let index = FeatureIndex::new(pairs.iter().copied());
        assert_eq!(index.len(), 1000);
        for &(id, row) in &pairs {
            assert_eq!(index.get(id), Some(row));
        }
        // Id 0 is an id like any other, and absent ids are absent.
        assert_eq!(index.get(0), None);
        let zero = FeatureIndex::new([(0, 5), (1, 6)]);
        assert_eq!(
            (zero.get(0), zero.get(1), zero.get(2)),
            (Some(5), Some(6), None)
        );
        let mut all: Vec<(u64, u32)> = index.iter().collect();
        all.sort_unstable_by_key(|p| p.1);
        assert_eq!(all, pairs);
    }

    #[test]
    fn batch_lookup_agrees_with_single_lookups() {
        let index = FeatureIndex::new((0..500u64).map(|i| (i * 3, i as u32)));
        // More ids than one batch, present and absent mixed, order kept.
        let ids: Vec<u64> = (0..200u64).map(|i| i * 5).collect();
        let mut got = Vec::new();
        index.rows(&ids, |r| got.push(r));
        let want: Vec<u32> = ids.iter().filter_map(|&id| index.get(id)).collect();
        assert_eq!(got, want);
        assert!(!got.is_empty());
        let empty = FeatureIndex::new([]);
        empty.rows(&ids, |_| panic!("an empty index has no rows"));
        assert_eq!(empty.get(3), None);
    }

    #[test]
    fn first_of_a_repeated_id_counts() {
        let index = FeatureIndex::new([(9, 1), (9, 2)]);
        assert_eq!((index.len(), index.get(9)), (1, Some(1)));
    }

    #[test]
    fn row_table_finds_every_row_and_no_other() {
        let pairs: Vec<(u64, [f32; 3])> = (0..1000u64)
            .map(|i| {
                (
                    crate::learn::hash::finish(i * 7 + 1),
                    [i as f32, 1.0, -(i as f32)],
                )
            })
            .chain([(0, [9.0, 9.0, 9.0])])
            .collect();
        let table = RowTable::new(pairs.iter().copied());
        assert_eq!(table.len(), 1001);
        for (id, row) in &pairs {
            assert_eq!(table.get(*id), Some(row));
        }
        assert_eq!(table.get(12345), None);
        // Batches: present, absent and id 0 mixed, order kept, the same rows as one by one.
        let ids: Vec<u64> = pairs.iter().map(|p| p.0).chain(5..90).rev().collect();
        let mut got = Vec::new();
        table.rows(&ids, |r| got.push(*r));
        let want: Vec<[f32; 3]> = ids
            .iter()
            .filter_map(|&id| table.get(id).copied())
            .collect();
        assert_eq!(got, want);
        assert_eq!(got.len(), 1001);
        let mut all: Vec<(u64, [f32; 3])> = table.iter().map(|(i, r)| (i, *r)).collect();
        all.sort_unstable_by_key(|p| p.0);
        let mut sorted = pairs.clone();
        sorted.sort_unstable_by_key(|p| p.0);
        assert_eq!(all, sorted);
        let empty: RowTable<i16, 17> = RowTable::default();
        empty.rows(&ids, |_| panic!("an empty table has no rows"));
        assert!(empty.is_empty() && empty.get(0).is_none());
        let twice = RowTable::new([(4, [1i16]), (4, [2]), (0, [3]), (0, [5])]);
        assert_eq!(
            (twice.len(), twice.get(4), twice.get(0)),
            (2, Some(&[1]), Some(&[3]))
        );
    }
}
