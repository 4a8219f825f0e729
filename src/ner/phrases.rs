//! Name lists of whole phrases (Wikipedia's locations and organisations, with their redirects,
//! known corporations and surnames, as the Illinois NER ships them): every phrase of up to
//! [`MAX_LEN`] tokens that a sentence holds is found by extending matches token by token, and
//! each token learns, per list, whether it begins, continues, ends or is a whole matching name
//! (Ratinov & Roth 2009). The tagger reads these positions as features, so "Ted Baker" can look
//! like a company and "Honshu" like a place although training never showed them.
//!
//! The table maps the hash of a phrase's case-folded tokens to the lists it is in, and marks
//! every phrase that begins a longer one, so a match stops as soon as no listed name can
//! continue it. `whosaid train phrases --dir DIR` builds it from the lists' folder
//! (`models/README.md` has the sources and the filtering).

use super::clusters::{key, WordTable};
use super::features::TokHash;
use crate::learn::hash::{hash_str, mix};
use anyhow::{bail, Context, Result};
use std::borrow::Cow;
use std::path::Path;

/// Longest phrase matched, in tokens.
pub const MAX_LEN: usize = 8;

/// The lists, in the order of their bits (a phrase's value holds bit `k` for list `k`).
pub const LISTS: [(&str, &str); KINDS] = [
    ("WikiLocations.lst", "location"),
    ("WikiLocationsRedirects.lst", "location redirect"),
    ("WikiOrganizations.lst", "organisation"),
    ("WikiOrganizationsRedirects.lst", "organisation redirect"),
    ("known_corporations.lst", "corporation"),
    ("people.person.lastnames", "surname"),
];

/// Number of lists.
pub const KINDS: usize = 6;

/// Value bit: the phrase begins a longer listed phrase.
const PREFIX: u16 = 1 << 15;

/// Position codes of a token in a match (3 bits per list in [`TokHash::phrase`]).
pub const BEGIN: u32 = 1;
/// Inside a match of three tokens or more.
pub const INSIDE: u32 = 2;
/// The last token of a match.
pub const LAST: u32 = 3;
/// A one-token match.
pub const UNIT: u32 = 4;

const MAGIC: &[u8; 8] = b"WSPHRv1\0";
const SEED: u64 = 0x7068_7261_7365_7321;

/// The phrase table that ships with whosaid (see `models/README.md`).
pub static DEFAULT_PHRASES: &[u8] = include_bytes!("../../models/phrases-wiki-en.bin");

/// Phrase (case-folded tokens) -> the lists it is in: (u32 key, u16 value) records sorted by
/// key, read in place from the file's bytes (the built-in table costs no parsing and no
/// copy), with where each 16-bit key prefix starts.
#[derive(Clone, Default)]
pub struct Phrases {
    records: Cow<'static, [u8]>,
    starts: Vec<u32>,
}

/// Bytes per record: a u32 key and a u16 value.
const RECORD: usize = 6;

/// The running hash of a phrase after one more token (its case-folded hash).
#[inline]
fn extend(h: u64, lower: u64) -> u64 {
    mix(h, lower)
}

impl Phrases {
    /// Number of keys (phrases and the prefixes of longer ones).
    pub fn len(&self) -> usize {
        self.records.len() / RECORD
    }

    /// True when the table is empty (no phrase features).
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Reads a table written by [`Phrases::save`], copying it.
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        Self::check(b)?;
        Ok(Self::index(Cow::Owned(b[16..].to_vec())))
    }

    /// Reads a table written by [`Phrases::save`] in place.
    pub fn from_static(b: &'static [u8]) -> Result<Self> {
        Self::check(b)?;
        Ok(Self::index(Cow::Borrowed(&b[16..])))
    }

    /// The built-in table.
    pub fn builtin() -> Result<Self> {
        Self::from_static(DEFAULT_PHRASES).context("loading the built-in phrase table")
    }

    /// Checks a table's header, size and key order.
    fn check(b: &[u8]) -> Result<()> {
        if b.len() < 16 || &b[..8] != MAGIC {
            bail!("not a whosaid phrase table (bad header)");
        }
        let n = u64::from_le_bytes(b[8..16].try_into()?) as usize;
        if Some(b.len()) != n.checked_mul(RECORD).and_then(|x| x.checked_add(16)) {
            bail!("phrase table is truncated or corrupt");
        }
        let keys = b[16..].chunks_exact(RECORD).map(record_key);
        if keys.clone().zip(keys.skip(1)).any(|(a, b)| a >= b) {
            bail!("phrase table is corrupt (keys out of order)");
        }
        Ok(())
    }

    /// A table over sorted records, with the start of each 16-bit key prefix.
    fn index(records: Cow<'static, [u8]>) -> Self {
        if records.is_empty() {
            return Phrases::default();
        }
        let mut starts = vec![0u32; (1 << 16) + 1];
        for rec in records.chunks_exact(RECORD) {
            starts[(record_key(rec) >> 16) as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        Phrases { records, starts }
    }

    /// The value of a key, if the table has it.
    #[inline]
    fn get(&self, k: u32) -> Option<u16> {
        let top = (k >> 16) as usize;
        let mut lo = *self.starts.get(top)? as usize;
        let mut hi = self.starts[top + 1] as usize;
        while lo < hi {
            let mid = (lo + hi) / 2;
            let rec = &self.records[mid * RECORD..(mid + 1) * RECORD];
            match record_key(rec).cmp(&k) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(u16::from_le_bytes([rec[4], rec[5]])),
            }
        }
        None
    }

    /// Writes the table (records sorted by key: deterministic bytes).
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut buf = Vec::with_capacity(16 + self.records.len());
        buf.extend_from_slice(MAGIC);
        buf.extend_from_slice(&(self.len() as u64).to_le_bytes());
        buf.extend_from_slice(&self.records);
        std::fs::write(path, buf).with_context(|| format!("writing {}", path.display()))
    }

    /// The lists a phrase of words is in (bit `k` for [`LISTS`]`[k]`), 0 when in none.
    pub fn lookup(&self, words: &[&str]) -> u16 {
        let mut h = SEED;
        for w in words {
            h = extend(h, hash_str(w, true));
        }
        self.get(key(h)).map_or(0, |v| v & !PREFIX)
    }

    /// Marks the matches of one sentence's tokens: for each list, each token gets the position
    /// code of the longest match of that list that covers it (the earliest on a tie), in
    /// `phrase` (3 bits per list). A match begins at a capitalized word or a number.
    pub fn mark(&self, hs: &mut [TokHash]) {
        for h in hs.iter_mut() {
            h.phrase = 0;
        }
        if self.is_empty() {
            return;
        }
        let n = hs.len();
        // The length of the longest match of each list covering each token so far.
        let mut best = [[0u8; KINDS]; 64];
        let mut covered: Vec<[u8; KINDS]>;
        let cover: &mut [[u8; KINDS]] = if n <= best.len() {
            &mut best[..n]
        } else {
            covered = vec![[0u8; KINDS]; n];
            &mut covered
        };
        for i in 0..n {
            if !hs[i].name_start {
                continue;
            }
            let mut h = SEED;
            for j in i..n.min(i + MAX_LEN) {
                h = extend(h, hs[j].lower);
                let Some(v) = self.get(key(h)) else {
                    break;
                };
                let len = (j + 1 - i) as u8;
                let kinds = (0..KINDS).filter(|k| v >> k & 1 == 1);
                for k in kinds {
                    for (t, c) in cover.iter_mut().enumerate().take(j + 1).skip(i) {
                        if c[k] >= len {
                            continue;
                        }
                        c[k] = len;
                        let code = if len == 1 {
                            UNIT
                        } else if t == i {
                            BEGIN
                        } else if t == j {
                            LAST
                        } else {
                            INSIDE
                        };
                        let shift = 3 * k as u32;
                        hs[t].phrase = hs[t].phrase & !(7 << shift) | code << shift;
                    }
                }
                if v & PREFIX == 0 {
                    break;
                }
            }
        }
    }

    /// Builds the table from the lists' folder (the files of [`LISTS`]; a missing one is an
    /// error). Lines are filtered: wiki pages that are no names ("Category:...", "List of
    /// ...", "Economy of ..."), disambiguators ("Mercury (planet)" -> "Mercury") and, for
    /// places, the part before a comma ("Bay Springs, Mississippi" -> also "Bay Springs").
    pub fn build(dir: &Path, mut log: impl FnMut(&str)) -> Result<Self> {
        let mut p = Builder::default();
        for (k, (file, what)) in LISTS.iter().enumerate() {
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let (mut kept, mut dropped) = (0usize, 0usize);
            for line in text.lines() {
                let names = clean(line, k <= 1);
                if names.is_empty() {
                    dropped += 1;
                }
                for name in names {
                    let toks: Vec<&str> = crate::tokenize::tokenize(name)
                        .iter()
                        .map(|t| t.text(name))
                        .collect();
                    if toks.is_empty() || toks.len() > MAX_LEN {
                        continue;
                    }
                    p.insert(&toks, k);
                    kept += 1;
                }
            }
            log(&format!(
                "{file}: {kept} {what} names kept, {dropped} lines dropped"
            ));
        }
        if p.0.is_empty() {
            bail!("no names in {}", dir.display());
        }
        Ok(p.finish())
    }
}

/// The key of a record.
#[inline]
fn record_key(rec: &[u8]) -> u32 {
    u32::from_le_bytes([rec[0], rec[1], rec[2], rec[3]])
}

/// A phrase table being built: phrase and prefix keys to their values.
#[derive(Default)]
struct Builder(WordTable);

impl Builder {
    /// Adds one phrase (its tokens) as a member of list `kind`.
    fn insert(&mut self, words: &[&str], kind: usize) {
        let mut h = SEED;
        for (i, w) in words.iter().enumerate() {
            h = extend(h, hash_str(w, true));
            let v = self.0.entry(key(h)).or_default();
            if i + 1 < words.len() {
                *v |= PREFIX;
            } else {
                *v |= 1 << kind;
            }
        }
    }

    /// The table, its records sorted by key.
    fn finish(self) -> Phrases {
        let mut v: Vec<(u32, u16)> = self.0.into_iter().collect();
        v.sort_unstable();
        let mut records = Vec::with_capacity(v.len() * RECORD);
        for (k, x) in v {
            records.extend_from_slice(&k.to_le_bytes());
            records.extend_from_slice(&x.to_le_bytes());
        }
        Phrases::index(Cow::Owned(records))
    }
}

/// Page-title words that open a title about a place rather than its name ("Economy of
/// Algeria").
const NOT_NAMES: &[&str] = &[
    "List",
    "Lists",
    "Economy",
    "History",
    "Politics",
    "Geography",
    "Demographics",
    "Culture",
    "Flag",
    "Coat",
    "Transport",
    "Transportation",
    "Telecommunications",
    "Military",
    "Foreign",
    "Outline",
    "Index",
    "Timeline",
    "Music",
    "Sport",
    "Sports",
    "Education",
    "Religion",
    "Tourism",
    "Climate",
    "Government",
    "Languages",
    "Districts",
    "Municipalities",
    "Communes",
];

/// The names one list line gives: none for a line that names no entity, the line without its
/// disambiguator, and for a place also its part before the first comma.
fn clean(line: &str, place: bool) -> Vec<&str> {
    let line = line.trim_start_matches('\u{feff}').trim();
    if line.is_empty() || line.contains([':', '/', '|', '#', '[', '{', '\t']) {
        return Vec::new();
    }
    let mut name = line;
    if let Some(open) = name.rfind(" (") {
        if name.ends_with(')') {
            name = name[..open].trim_end();
        }
    }
    if name.contains(['(', ')']) || name.chars().next().is_none_or(|c| c.is_lowercase()) {
        return Vec::new();
    }
    let mut words = name.split(' ');
    let first = words.next().unwrap_or("");
    if NOT_NAMES.contains(&first) && (words.next() == Some("of") || name == first) {
        return Vec::new();
    }
    let mut out = vec![name];
    if place {
        if let Some((head, _)) = name.split_once(", ") {
            if !head.is_empty() {
                out.push(head);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::clusters::Clusters;
    use crate::ner::gazetteer::Gazetteer;

    fn hashes(words: &[&str]) -> Vec<TokHash> {
        let (c, g) = (Clusters::default(), Gazetteer::default());
        words.iter().map(|w| TokHash::new(w, &c, &g)).collect()
    }

    fn code(h: &TokHash, kind: usize) -> u32 {
        h.phrase >> (3 * kind) & 7
    }

    #[test]
    fn cleaning_keeps_names_only() {
        assert!(clean("Category:Registered Historic Places", true).is_empty());
        assert!(clean("Economy of Algeria", true).is_empty());
        assert!(clean("User:Dmadeo/nrhp", true).is_empty());
        assert_eq!(clean("Mercury (planet)", false), vec!["Mercury"]);
        assert_eq!(
            clean("Bay Springs, Mississippi", true),
            vec!["Bay Springs, Mississippi", "Bay Springs"]
        );
        assert_eq!(clean("Sony, Inc.", false), vec!["Sony, Inc."]);
        assert!(clean("iPod", false).is_empty());
    }

    #[test]
    fn longest_match_positions() {
        let mut b = Builder::default();
        b.insert(&["Bank", "of", "America"], 2);
        b.insert(&["America"], 0);
        b.insert(&["Bank"], 5);
        let p = b.finish();
        let mut hs = hashes(&["the", "Bank", "of", "America", "said"]);
        p.mark(&mut hs);
        assert_eq!(code(&hs[0], 2), 0);
        assert_eq!(code(&hs[1], 2), BEGIN);
        assert_eq!(code(&hs[2], 2), INSIDE);
        assert_eq!(code(&hs[3], 2), LAST);
        assert_eq!(code(&hs[3], 0), UNIT);
        assert_eq!(code(&hs[1], 5), UNIT);
        assert_eq!(hs[4].phrase, 0);
        assert_eq!(p.lookup(&["BANK", "OF", "AMERICA"]), 1 << 2);
        assert_eq!(p.lookup(&["Bank", "of"]), 0);
        // A match begins at a capitalized word only.
        let mut hs = hashes(&["america"]);
        p.mark(&mut hs);
        assert_eq!(hs[0].phrase, 0);
        // Long sentences take the same path.
        let mut words = vec!["x"; 100];
        words.extend(["Bank", "of", "America"]);
        let mut hs = hashes(&words);
        p.mark(&mut hs);
        assert_eq!(code(&hs[102], 2), LAST);
    }

    #[test]
    fn builtin_knows_wikipedia_names() {
        let p = Phrases::builtin().unwrap();
        assert!(p.len() > 500_000);
        // The bytes round-trip, and damaged ones are refused.
        let dir = std::env::temp_dir().join(format!("whosaid-phrases-{}", std::process::id()));
        p.save(&dir).unwrap();
        let bytes = std::fs::read(&dir).unwrap();
        std::fs::remove_file(&dir).ok();
        assert_eq!(bytes, DEFAULT_PHRASES);
        assert_eq!(Phrases::from_bytes(&bytes).unwrap().len(), p.len());
        assert!(Phrases::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let mut swapped = bytes.clone();
        swapped[16..28].rotate_left(6);
        assert!(Phrases::from_bytes(&swapped).is_err());
        assert_ne!(p.lookup(&["Ted", "Baker"]) & (1 << 2), 0);
        assert_ne!(p.lookup(&["Bay", "Springs"]) & 1, 0);
        assert_eq!(p.lookup(&["Pfizer"]) & (1 << 2 | 1 << 5), 1 << 2 | 1 << 5);
        assert_eq!(p.lookup(&["Economy", "of", "Algeria"]), 0);
        assert_eq!(p.lookup(&["quickly", "said"]), 0);
    }
}
