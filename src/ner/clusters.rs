//! Word clusters for NER features, derived from spaCy's `en_core_web_md` word vectors by
//! hierarchical 2-means: each vector row gets a bit-string path (like a Brown cluster), and
//! every word gets the path of its row. Prefixes of the path at several depths become features.
//!
//! `whosaid train clusters --vocab DIR` rebuilds the table from the model's `vocab/` folder
//! (`strings.json`, `key2row`, `vectors`); only the derived word-to-path table is shipped.

use crate::learn::hash::hash_str;
use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::path::Path;

/// Depth of the cluster tree (bits in a full path).
pub const DEPTH: u32 = 14;

/// Word -> cluster path, keyed by a 32-bit fold of the word's hash.
#[derive(Clone, Default)]
pub struct Clusters {
    table: WordTable,
}

const MAGIC: &[u8; 8] = b"WSCLUv1\0";

/// A word table: 32-bit word key to a 16-bit value.
pub(crate) type WordTable =
    HashMap<u32, u16, std::hash::BuildHasherDefault<crate::learn::IdHasher>>;

/// Reads a word table: `magic`, a u64 count, then (u32 key, u16 value) records.
pub(crate) fn read_word_table(b: &[u8], magic: &[u8; 8], what: &str) -> Result<WordTable> {
    if b.len() < 16 || &b[..8] != magic {
        bail!("not a whosaid {what} (bad header)");
    }
    let n = u64::from_le_bytes(b[8..16].try_into()?) as usize;
    if Some(b.len()) != n.checked_mul(6).and_then(|x| x.checked_add(16)) {
        bail!("{what} is truncated or corrupt");
    }
    let mut table = WordTable::default();
    table.reserve(n);
    for rec in b[16..].chunks_exact(6) {
        let k = u32::from_le_bytes(rec[..4].try_into()?);
        let p = u16::from_le_bytes(rec[4..6].try_into()?);
        table.insert(k, p);
    }
    Ok(table)
}

/// Writes a word table sorted by key (deterministic bytes).
pub(crate) fn write_word_table(table: &WordTable, magic: &[u8; 8], path: &Path) -> Result<()> {
    let mut v: Vec<(u32, u16)> = table.iter().map(|(&k, &p)| (k, p)).collect();
    v.sort_unstable();
    let mut buf = Vec::with_capacity(16 + v.len() * 6);
    buf.extend_from_slice(magic);
    buf.extend_from_slice(&(v.len() as u64).to_le_bytes());
    for (k, p) in v {
        buf.extend_from_slice(&k.to_le_bytes());
        buf.extend_from_slice(&p.to_le_bytes());
    }
    std::fs::write(path, buf).with_context(|| format!("writing {}", path.display()))
}

/// The 32-bit key of a word hash.
#[inline]
pub(crate) fn key(h: u64) -> u32 {
    ((h >> 32) ^ h) as u32
}

/// The cluster table that ships with whosaid (see `models/README.md`).
pub static DEFAULT_CLUSTERS: &[u8] = include_bytes!("../../models/clusters-en-md.bin");

impl Clusters {
    /// The cluster path of a word given its exact and lowercase hashes; 0 when unknown.
    /// A path is `1` followed by up to [`DEPTH`] bits.
    #[inline]
    pub fn path(&self, exact: u64, lower: u64) -> u16 {
        if self.table.is_empty() {
            return 0;
        }
        self.table
            .get(&key(exact))
            .or_else(|| self.table.get(&key(lower)))
            .copied()
            .unwrap_or(0)
    }

    /// True when the table has the word with this (lowercase) hash.
    pub fn knows(&self, h: u64) -> bool {
        self.table.contains_key(&key(h))
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when the table is empty (no cluster features).
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Reads a table written by [`Clusters::save`].
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        Ok(Clusters {
            table: read_word_table(b, MAGIC, "cluster table")?,
        })
    }

    /// The built-in table.
    pub fn builtin() -> Result<Self> {
        Self::from_bytes(DEFAULT_CLUSTERS).context("loading the built-in word clusters")
    }

    /// The built-in table, read once per process and shared by every stage that uses it
    /// (NER, the learned quote model, the rules' cue model).
    pub fn shared() -> Result<std::sync::Arc<Self>> {
        static CACHE: std::sync::OnceLock<Option<std::sync::Arc<Clusters>>> =
            std::sync::OnceLock::new();
        CACHE
            .get_or_init(|| Self::builtin().ok().map(std::sync::Arc::new))
            .clone()
            .context("the built-in word-cluster table is corrupt")
    }

    /// Writes the table, sorted by key (deterministic bytes).
    pub fn save(&self, path: &Path) -> Result<()> {
        write_word_table(&self.table, MAGIC, path)
    }

    /// Builds the table from a spaCy `vocab/` folder.
    pub fn build(vocab: &Path, mut log: impl FnMut(&str)) -> Result<Self> {
        let strings: Vec<String> = serde_json::from_slice(
            &std::fs::read(vocab.join("strings.json")).context("reading strings.json")?,
        )
        .context("parsing strings.json")?;
        let key2row =
            read_key2row(&std::fs::read(vocab.join("key2row")).context("reading key2row")?)?;
        let (rows, dim, vectors) =
            read_npy_f32(&std::fs::read(vocab.join("vectors")).context("reading vectors")?)?;
        log(&format!(
            "{} strings, {} keys, {rows} vectors x {dim}",
            strings.len(),
            key2row.len()
        ));
        let paths = cluster_rows(rows, dim, &vectors);
        let mut table = WordTable::default();
        let mut found = 0;
        for s in &strings {
            if s.is_empty() || s.len() > 30 || s.chars().any(char::is_whitespace) {
                continue;
            }
            if let Some(&row) = key2row.get(&murmur64a(s.as_bytes(), 1)) {
                if (row as usize) < rows {
                    table.insert(key(hash_str(s, false)), paths[row as usize]);
                    found += 1;
                }
            }
        }
        log(&format!("{found} words with a vector"));
        if found == 0 {
            bail!("no string of strings.json matched a key in key2row");
        }
        Ok(Clusters { table })
    }
}

/// MurmurHash64A, as spaCy's `hash_string` (seed 1) uses it.
pub fn murmur64a(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (data.len() as u64).wrapping_mul(M);
    let chunks = data.chunks_exact(8);
    let tail = chunks.remainder();
    for c in chunks {
        let mut k = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// Parses spaCy's `key2row`: a msgpack map of uint64 keys to row numbers.
fn read_key2row(b: &[u8]) -> Result<HashMap<u64, u32>> {
    let mut p = 0usize;
    let byte = |p: &mut usize| -> Result<u8> {
        let v = *b.get(*p).context("key2row ends early")?;
        *p += 1;
        Ok(v)
    };
    let be = |p: &mut usize, n: usize| -> Result<u64> {
        let s = b.get(*p..*p + n).context("key2row ends early")?;
        *p += n;
        Ok(s.iter().fold(0u64, |a, &x| a << 8 | x as u64))
    };
    let n = match byte(&mut p)? {
        0xdf => be(&mut p, 4)? as usize,
        0xde => be(&mut p, 2)? as usize,
        m if m & 0xf0 == 0x80 => (m & 0x0f) as usize,
        m => bail!("key2row: expected a msgpack map, found byte {m:#x}"),
    };
    let uint = |p: &mut usize| -> Result<u64> {
        match byte(p)? {
            x if x < 0x80 => Ok(x as u64),
            0xcc => be(p, 1),
            0xcd => be(p, 2),
            0xce => be(p, 4),
            0xcf => be(p, 8),
            0xd0 => be(p, 1),
            0xd1 => be(p, 2),
            0xd2 => be(p, 4),
            0xd3 => be(p, 8),
            x => bail!("key2row: unexpected msgpack byte {x:#x}"),
        }
    };
    let mut m = HashMap::with_capacity(n);
    for _ in 0..n {
        let k = uint(&mut p)?;
        let v = uint(&mut p)?;
        m.insert(k, v as u32);
    }
    Ok(m)
}

/// Parses a little-endian float32 `.npy` array of two dimensions.
fn read_npy_f32(b: &[u8]) -> Result<(usize, usize, Vec<f32>)> {
    if b.len() < 10 || &b[..6] != b"\x93NUMPY" {
        bail!("vectors: not a .npy file");
    }
    let (hlen, start) = if b[6] == 1 {
        (u16::from_le_bytes([b[8], b[9]]) as usize, 10)
    } else {
        (u32::from_le_bytes(b[8..12].try_into()?) as usize, 12)
    };
    let header = std::str::from_utf8(&b[start..start + hlen]).context("vectors: bad header")?;
    if !header.contains("'<f4'") || header.contains("'fortran_order': True") {
        bail!("vectors: expected little-endian float32 in C order: {header}");
    }
    let shape = header
        .split("'shape': (")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .context("vectors: no shape")?;
    let dims: Vec<usize> = shape
        .split(',')
        .filter_map(|x| x.trim().parse().ok())
        .collect();
    let [rows, dim] = dims[..] else {
        bail!("vectors: expected 2 dimensions, got {shape}")
    };
    let data = &b[start + hlen..];
    if data.len() < rows * dim * 4 {
        bail!("vectors: data is truncated");
    }
    let v = data[..rows * dim * 4]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect();
    Ok((rows, dim, v))
}

/// Hierarchical 2-means over unit-normalized rows: the path of every row (leading 1 bit).
fn cluster_rows(rows: usize, dim: usize, v: &[f32]) -> Vec<u16> {
    let mut unit = v.to_vec();
    for r in unit.chunks_exact_mut(dim) {
        let n = r.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
        r.iter_mut().for_each(|x| *x /= n);
    }
    let mut paths = vec![1u16; rows];
    let mut stack: Vec<(Vec<usize>, u32)> = vec![((0..rows).collect(), 0)];
    while let Some((members, depth)) = stack.pop() {
        if depth >= DEPTH || members.len() < 2 {
            continue;
        }
        let (left, right) = two_means(&unit, dim, &members);
        for &m in &left {
            paths[m] <<= 1;
        }
        for &m in &right {
            paths[m] = paths[m] << 1 | 1;
        }
        stack.push((left, depth + 1));
        stack.push((right, depth + 1));
    }
    paths
}

fn two_means(unit: &[f32], dim: usize, members: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let row = |i: usize| &unit[i * dim..(i + 1) * dim];
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    let n = members.len();
    // Start from a balanced split along the principal direction (power iteration on the
    // centred members, from a fixed start vector), then refine with 2-means.
    let mut mean = vec![0f32; dim];
    for &m in members {
        mean.iter_mut()
            .zip(row(m))
            .for_each(|(a, b)| *a += b / n as f32);
    }
    let mut dir: Vec<f32> = (0..dim)
        .map(|k| if k % 2 == 0 { 1.0 } else { -0.5 })
        .collect();
    for _ in 0..8 {
        let mut next = vec![0f32; dim];
        for &m in members {
            let r = row(m);
            let proj: f32 = r
                .iter()
                .zip(&mean)
                .zip(&dir)
                .map(|((x, c), d)| (x - c) * d)
                .sum();
            next.iter_mut()
                .zip(r.iter().zip(&mean))
                .for_each(|(a, (x, c))| *a += proj * (x - c));
        }
        let norm = next.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm < 1e-12 {
            break;
        }
        dir = next.into_iter().map(|x| x / norm).collect();
    }
    let proj: Vec<f32> = members
        .iter()
        .map(|&m| {
            row(m)
                .iter()
                .zip(&mean)
                .zip(&dir)
                .map(|((x, c), d)| (x - c) * d)
                .sum()
        })
        .collect();
    let mut sorted = proj.clone();
    sorted.sort_by(f32::total_cmp);
    let median = sorted[n / 2];
    let mut assign: Vec<bool> = proj.iter().map(|&p| p >= median).collect();
    for _ in 0..6 {
        let mut ca = vec![0f32; dim];
        let mut cb = vec![0f32; dim];
        for (k, &m) in members.iter().enumerate() {
            let s = if assign[k] { &mut cb } else { &mut ca };
            s.iter_mut().zip(row(m)).for_each(|(x, y)| *x += y);
        }
        let na = ca.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
        let nb = cb.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
        let next: Vec<bool> = members
            .iter()
            .map(|&m| dot(row(m), &cb) / nb > dot(row(m), &ca) / na)
            .collect();
        let right = next.iter().filter(|&&x| x).count();
        // Keep splits from collapsing onto a few outliers.
        if right * 10 < n || (n - right) * 10 < n || next == assign {
            break;
        }
        assign = next;
    }
    let mut left = Vec::new();
    let mut right = Vec::new();
    for (k, &m) in members.iter().enumerate() {
        if assign[k] {
            right.push(m)
        } else {
            left.push(m)
        }
    }
    if left.is_empty() || right.is_empty() {
        // Identical vectors: split in halves so the tree still deepens.
        let mid = members.len() / 2;
        return (members[..mid].to_vec(), members[mid..].to_vec());
    }
    (left, right)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur_matches_reference() {
        // MurmurHash64A reference values (seed 1 as spaCy uses; seed 0 from the reference).
        assert_eq!(murmur64a(b"", 0), 0);
        assert_ne!(murmur64a(b"apple", 1), murmur64a(b"Apple", 1));
    }

    #[test]
    fn two_clean_groups_split_first() {
        let v = [1.0, 0.0, 0.9, 0.1, 0.0, 1.0, 0.1, 0.9];
        let p = cluster_rows(4, 2, &v);
        let top = |x: u16| x >> (15 - x.leading_zeros() - 1);
        assert_eq!(top(p[0]), top(p[1]));
        assert_eq!(top(p[2]), top(p[3]));
        assert_ne!(top(p[0]), top(p[2]));
    }

    #[test]
    fn parsers() {
        let mut npy = b"\x93NUMPY\x01\x00".to_vec();
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }";
        npy.extend_from_slice(&(header.len() as u16).to_le_bytes());
        npy.extend_from_slice(header.as_bytes());
        npy.extend_from_slice(&1.5f32.to_le_bytes());
        npy.extend_from_slice(&2.5f32.to_le_bytes());
        assert_eq!(read_npy_f32(&npy).unwrap(), (2, 1, vec![1.5, 2.5]));
        let mp = [0x82, 0xcf, 0, 0, 0, 0, 0, 0, 1, 0, 0x05, 0x07, 0xcd, 1, 0];
        let m = read_key2row(&mp).unwrap();
        assert_eq!(m[&256], 5);
        assert_eq!(m[&7], 256);
    }
}
