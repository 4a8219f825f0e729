//! Gazetteers: which name lists a word appears in (first names, surnames by frequency,
//! countries, regions, cities, languages), as bits per word. The tagger uses the bits as
//! features, so a surname or a town it never saw in training still looks like one.
//!
//! `scripts/build-gazetteer` assembles the lists from PyPI packages (see `models/README.md`)
//! and runs `whosaid train gazetteer --list FILE`, which writes the shipped table.

use super::clusters::{key, read_word_table, write_word_table, WordTable};
use crate::learn::hash::hash_str;
use anyhow::{bail, Context, Result};
use std::path::Path;

/// A first name (US census, and the international list of gender-guesser).
pub const FIRST_NAME: u16 = 1;
/// A surname among the 1,000 most common in the US census.
pub const SURNAME_1K: u16 = 2;
/// A surname ranked 1,001 to 10,000.
pub const SURNAME_10K: u16 = 4;
/// A rarer surname (to rank 88,799).
pub const SURNAME_RARE: u16 = 8;
/// A word of a country's name.
pub const COUNTRY_WORD: u16 = 16;
/// A one-word country, region or city (of 100,000 people or more) name.
pub const PLACE: u16 = 32;
/// A word of a region's name (ISO 3166-2 subdivisions).
pub const REGION_WORD: u16 = 64;
/// A word of a major language's name (ISO 639-1).
pub const LANGUAGE_WORD: u16 = 128;
/// A word of a city's name (15,000 people or more).
pub const CITY_WORD: u16 = 256;
/// A one-word city name (100,000 people or more).
pub const CITY: u16 = 512;
/// Number of bits in use.
pub const BITS: u32 = 10;

const MAGIC: &[u8; 8] = b"WSGAZv1\0";

/// The gazetteer that ships with whosaid (see `models/README.md`).
pub static DEFAULT_GAZETTEER: &[u8] = include_bytes!("../../models/gazetteer-en.bin");

/// Word (case-folded) -> gazetteer bits.
#[derive(Clone, Default)]
pub struct Gazetteer {
    table: WordTable,
}

impl Gazetteer {
    /// The bits of a word given its lowercase hash; 0 when in no list.
    #[inline]
    pub fn get(&self, lower: u64) -> u16 {
        if self.table.is_empty() {
            return 0;
        }
        self.table.get(&key(lower)).copied().unwrap_or(0)
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when the gazetteer is empty.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Reads a table written by [`Gazetteer::save`].
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        Ok(Gazetteer {
            table: read_word_table(b, MAGIC, "gazetteer")?,
        })
    }

    /// The built-in gazetteer.
    pub fn builtin() -> Result<Self> {
        Self::from_bytes(DEFAULT_GAZETTEER).context("loading the built-in gazetteer")
    }

    /// Writes the table, sorted by key (deterministic bytes).
    pub fn save(&self, path: &Path) -> Result<()> {
        write_word_table(&self.table, MAGIC, path)
    }

    /// Builds the table from a list of `word<TAB>bits` lines (bits as a decimal number).
    pub fn from_list(text: &str) -> Result<Self> {
        let mut table = WordTable::default();
        for (n, line) in text.lines().enumerate() {
            let Some((w, b)) = line.split_once('\t') else {
                bail!("line {}: expected word<TAB>bits", n + 1);
            };
            let bits: u16 = b
                .trim()
                .parse()
                .with_context(|| format!("line {}: bad bits {b:?}", n + 1))?;
            if bits >> BITS != 0 {
                bail!("line {}: bits {bits} outside the {BITS} known", n + 1);
            }
            *table.entry(key(hash_str(w, true))).or_default() |= bits;
        }
        if table.is_empty() {
            bail!("the list is empty");
        }
        Ok(Gazetteer { table })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_knows_names_and_places() {
        let g = Gazetteer::builtin().unwrap();
        assert!(g.len() > 100_000);
        assert_ne!(g.get(hash_str("Vladimir", true)) & FIRST_NAME, 0);
        assert_ne!(g.get(hash_str("JOHNSON", true)) & SURNAME_1K, 0);
        assert_ne!(g.get(hash_str("Ukraine", true)) & COUNTRY_WORD, 0);
        assert_ne!(g.get(hash_str("Leicester", true)) & CITY_WORD, 0);
        assert_eq!(g.get(hash_str("quickly", true)), 0);
    }

    #[test]
    fn list_round_trip_and_errors() {
        let err = Gazetteer::from_list("Kyiv\t1024\n").err().unwrap();
        assert!(err.to_string().contains("outside"));
        let g = Gazetteer::from_list("Kyiv\t512\nkyiv\t32\n").unwrap();
        assert_eq!(g.get(hash_str("KYIV", true)), 544);
        let dir = std::env::temp_dir().join(format!("whosaid-gaz-{}", std::process::id()));
        g.save(&dir).unwrap();
        let back = Gazetteer::from_bytes(&std::fs::read(&dir).unwrap()).unwrap();
        std::fs::remove_file(&dir).ok();
        assert_eq!(back.get(hash_str("kyiv", true)), 544);
        assert!(Gazetteer::from_list("no tab").is_err());
        assert!(Gazetteer::from_bytes(b"WSGAZv1\0\x05\0\0\0\0\0\0\0").is_err());
    }
}
