//! Gender of person actors, from what the article says and, failing that, from the first name:
//! pronouns resolved to the actor, then honorifics (Mr., Mrs., Ms., Sir, Lady), then a
//! first-name estimate from census and international name lists; none where the evidence is
//! missing or conflicting.
//!
//! `scripts/build-first-names` assembles the name list from PyPI packages (see
//! `models/README.md`) and runs `whosaid train first-names --list FILE`, which writes the
//! shipped table.

use crate::learn::hash::hash_str;
use crate::ner::clusters::{key, read_word_table, write_word_table, WordTable};
use anyhow::{bail, Context, Result};
use std::path::Path;

/// A person's gender as the output reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    /// "female".
    Female,
    /// "male".
    Male,
}

impl Gender {
    /// The name in the output contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
        }
    }

    /// The gender of a pronoun's code in [`crate::lexicon::pronoun`] ('m', 'f'; else none).
    pub fn of_code(c: char) -> Option<Gender> {
        match c {
            'm' => Some(Gender::Male),
            'f' => Some(Gender::Female),
            _ => None,
        }
    }

    fn index(self) -> usize {
        match self {
            Gender::Male => 0,
            Gender::Female => 1,
        }
    }
}

/// The evidence behind a gender, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenderSource {
    /// "he" or "she" resolved to the actor.
    Pronoun,
    /// Mr., Mrs., Ms., Sir, Lady and the like before a mention.
    Honorific,
    /// The first name, by the name lists.
    FirstName,
}

impl GenderSource {
    /// The name in the output contract.
    pub fn as_str(self) -> &'static str {
        match self {
            GenderSource::Pronoun => "pronoun",
            GenderSource::Honorific => "honorific",
            GenderSource::FirstName => "first_name",
        }
    }
}

/// The gender an honorific or a gendered title before a name gives.
pub fn honorific(word: &str) -> Option<Gender> {
    match word.strip_suffix('.').unwrap_or(word) {
        "Mr" | "MR" | "Mister" | "Sir" | "Lord" | "King" | "Prince" | "Monsieur" | "Herr"
        | "Señor" | "Signor" => Some(Gender::Male),
        "Mrs" | "MRS" | "Ms" | "MS" | "Miss" | "Madam" | "Madame" | "Mme" | "Lady" | "Dame"
        | "Queen" | "Princess" | "Frau" | "Señora" | "Signora" => Some(Gender::Female),
        _ => None,
    }
}

/// The gender of a third-person singular pronoun (he, him, his, himself; she, her, hers,
/// herself).
pub fn pronoun(word: &str) -> Option<Gender> {
    if word.len() > 7 {
        return None;
    }
    match word.to_ascii_lowercase().as_str() {
        "he" | "him" | "his" | "himself" => Some(Gender::Male),
        "she" | "her" | "hers" | "herself" => Some(Gender::Female),
        _ => None,
    }
}

/// Men's and women's counts for each kind of evidence about one actor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    votes: [[u32; 2]; 3],
    /// Pronouns of the other gender than the names give that seem to mean this person.
    doubts: u32,
}

/// A pronoun source's votes must outnumber the other gender's this many times over to count
/// as agreeing (one stray resolution does not erase a dozen), else the evidence conflicts.
const MAJORITY: u32 = 4;

impl Evidence {
    /// Adds one piece of evidence.
    pub fn add(&mut self, source: GenderSource, g: Gender) {
        self.votes[source as usize][g.index()] += 1;
    }

    /// The gender of the strongest evidence there is, with its source; none when that
    /// evidence conflicts (men's and women's votes within [`MAJORITY`] times of each other).
    pub fn decide(&self) -> Option<(Gender, GenderSource)> {
        let sources = [
            GenderSource::Pronoun,
            GenderSource::Honorific,
            GenderSource::FirstName,
        ];
        for (v, source) in self.votes.iter().zip(sources) {
            let [m, f] = *v;
            if m == 0 && f == 0 {
                continue;
            }
            if source == GenderSource::FirstName && self.doubts > 0 {
                return None;
            }
            return if m >= MAJORITY * f.max(1) || f == 0 {
                Some((Gender::Male, source))
            } else if f >= MAJORITY * m.max(1) || m == 0 {
                Some((Gender::Female, source))
            } else {
                None
            };
        }
        None
    }

    /// Is there any evidence from `source`?
    pub fn has(&self, source: GenderSource) -> bool {
        self.votes[source as usize] != [0, 0]
    }

    /// Records a pronoun that seems to mean this person but has the other gender than the
    /// names give: a first-name estimate no longer stands.
    pub fn contradict(&mut self) {
        self.doubts += 1;
    }

    /// Adds all of `other`'s evidence.
    pub fn merge(&mut self, other: &Evidence) {
        for (v, o) in self.votes.iter_mut().zip(&other.votes) {
            v[0] += o[0];
            v[1] += o[1];
        }
        self.doubts += other.doubts;
    }

    /// Can a pronoun of gender `g` refer to this person? Yes unless the names say otherwise
    /// (honorifics, then first names) or, where they are silent, the pronouns resolved so far.
    pub fn admits(&self, g: Gender) -> bool {
        match self.prior() {
            Some(h) => h == g,
            None => self.decide().is_none_or(|(h, _)| h == g),
        }
    }

    /// The gender from names alone (honorifics, then first names), before any pronoun, doubts
    /// or not.
    pub fn prior(&self) -> Option<Gender> {
        let mut names = self.clone();
        names.votes[GenderSource::Pronoun as usize] = [0, 0];
        // Doubts void a first-name estimate in the output, but do not let the other
        // gender's pronouns in.
        names.doubts = 0;
        names.decide().map(|(g, _)| g)
    }
}

const MAGIC: &[u8; 8] = b"WSFNMv1\0";
const MALE: u16 = 1;
const FEMALE: u16 = 2;
const UNISEX: u16 = 3;
/// Borne by more people as a surname than as a first name.
const SURNAME: u16 = 4;

/// The first-name table that ships with whosaid (see `models/README.md`).
pub static DEFAULT_FIRST_NAMES: &[u8] = include_bytes!("../../models/first-names-en.bin");

/// What the name lists say about a first name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameGender {
    /// Given to one gender (by the census share, or the international list).
    Of(Gender),
    /// A known first name given to both.
    Unisex,
}

/// First name (case-folded) -> the gender the lists give it.
#[derive(Clone, Default)]
pub struct FirstNames {
    table: WordTable,
}

impl FirstNames {
    /// What the lists say about `word`; none when it is no known first name.
    pub fn get(&self, word: &str) -> Option<NameGender> {
        match self.table.get(&key(hash_str(word, true)))? & 3 {
            MALE => Some(NameGender::Of(Gender::Male)),
            FEMALE => Some(NameGender::Of(Gender::Female)),
            _ => Some(NameGender::Unisex),
        }
    }

    /// Is `word` borne by more people as a surname than as a first name (US census)?
    pub fn mostly_surname(&self, word: &str) -> bool {
        self.table
            .get(&key(hash_str(word, true)))
            .is_some_and(|v| v & SURNAME != 0)
    }

    /// The gender of the first name `word`, where the lists give it to one gender only.
    pub fn gender(&self, word: &str) -> Option<Gender> {
        match self.get(word)? {
            NameGender::Of(g) => Some(g),
            NameGender::Unisex => None,
        }
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when the table is empty.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Reads a table written by [`FirstNames::save`].
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        Ok(FirstNames {
            table: read_word_table(b, MAGIC, "first-name table")?,
        })
    }

    /// The built-in table.
    pub fn builtin() -> Result<Self> {
        Self::from_bytes(DEFAULT_FIRST_NAMES).context("loading the built-in first-name table")
    }

    /// Writes the table, sorted by key (deterministic bytes).
    pub fn save(&self, path: &Path) -> Result<()> {
        write_word_table(&self.table, MAGIC, path)
    }

    /// Builds the table from `name<TAB>f|m|u` lines, each gender followed by `s` where the
    /// name is mostly a surname; a name listed twice with different genders is unisex.
    pub fn from_list(text: &str) -> Result<Self> {
        let mut table = WordTable::default();
        for (n, line) in text.lines().enumerate() {
            let Some((w, g)) = line.split_once('\t') else {
                bail!("line {}: expected name<TAB>f|m|u", n + 1);
            };
            let g = g.trim();
            let (g, s) = match g.strip_suffix('s') {
                Some(g) => (g, SURNAME),
                None => (g, 0),
            };
            let v = match g {
                "m" => MALE,
                "f" => FEMALE,
                "u" => UNISEX,
                other => bail!("line {}: gender {other:?} is not f, m or u", n + 1),
            };
            let e = table.entry(key(hash_str(w.trim(), true))).or_insert(v | s);
            if *e & 3 != v {
                *e = UNISEX | (*e & SURNAME) | s;
            }
        }
        if table.is_empty() {
            bail!("the list is empty");
        }
        Ok(FirstNames { table })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_knows_common_names() {
        let t = FirstNames::builtin().unwrap();
        assert!(t.len() > 30_000);
        assert_eq!(t.gender("Hillary"), Some(Gender::Female));
        assert_eq!(t.gender("MELANIA"), Some(Gender::Female));
        assert_eq!(t.gender("Donald"), Some(Gender::Male));
        assert_eq!(t.gender("Kofi"), Some(Gender::Male));
        assert_eq!(t.get("Kim"), Some(NameGender::Unisex));
        assert!(t.mostly_surname("Williams") && !t.mostly_surname("Vanessa"));
        assert_eq!(t.get("quickly"), None);
    }

    #[test]
    fn list_round_trip_and_errors() {
        assert!(FirstNames::from_list("Ann\tx\n").is_err());
        assert!(FirstNames::from_list("no tab").is_err());
        assert!(FirstNames::from_list("").is_err());
        let t = FirstNames::from_list("Ann\tf\nBo\tm\nbo\tf\nSam\tu\nLee\tms\n").unwrap();
        assert_eq!(t.gender("ANN"), Some(Gender::Female));
        assert_eq!(t.gender("Lee"), Some(Gender::Male));
        assert!(t.mostly_surname("lee") && !t.mostly_surname("Ann"));
        assert_eq!(t.get("Bo"), Some(NameGender::Unisex));
        let path = std::env::temp_dir().join(format!("whosaid-fn-{}", std::process::id()));
        t.save(&path).unwrap();
        let back = FirstNames::from_bytes(&std::fs::read(&path).unwrap()).unwrap();
        std::fs::remove_file(&path).ok();
        assert_eq!(back.gender("ann"), Some(Gender::Female));
        assert!(FirstNames::from_bytes(b"WSFNMv1\0\x05\0\0\0\0\0\0\0").is_err());
    }

    #[test]
    fn evidence_strongest_first_and_conflicts_void() {
        let mut e = Evidence::default();
        assert_eq!(e.decide(), None);
        e.add(GenderSource::FirstName, Gender::Female);
        assert_eq!(e.decide(), Some((Gender::Female, GenderSource::FirstName)));
        e.add(GenderSource::Honorific, Gender::Male);
        assert_eq!(e.decide(), Some((Gender::Male, GenderSource::Honorific)));
        e.add(GenderSource::Pronoun, Gender::Female);
        assert_eq!(e.decide(), Some((Gender::Female, GenderSource::Pronoun)));
        assert_eq!(e.prior(), Some(Gender::Male));
        e.add(GenderSource::Pronoun, Gender::Male);
        assert_eq!(e.decide(), None, "one she, one he: conflicting");
        for _ in 0..7 {
            e.add(GenderSource::Pronoun, Gender::Male);
        }
        assert_eq!(e.decide(), Some((Gender::Male, GenderSource::Pronoun)));
        let mut e = Evidence::default();
        e.add(GenderSource::FirstName, Gender::Male);
        e.contradict();
        assert_eq!(e.decide(), None, "a first name in doubt");
        e.add(GenderSource::Honorific, Gender::Male);
        assert_eq!(e.decide(), Some((Gender::Male, GenderSource::Honorific)));
        assert_eq!(honorific("Mrs."), Some(Gender::Female));
        assert_eq!(honorific("Mr"), Some(Gender::Male));
        assert_eq!(honorific("Dr."), None);
    }
}
