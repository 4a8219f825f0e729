//! Word lists: attribution cues with their inflections, pronouns, group nouns and the
//! function words that bound a speaker's noun phrase. The cue table is here; the other lists
//! are in `words.rs`.

mod words;
pub use words::*;

/// A short ASCII word lower-cased on the stack (no allocation); `None` for words that are
/// long or not ASCII, which no list here holds.
pub struct Lower {
    buf: [u8; 24],
    len: usize,
}

impl Lower {
    /// Lower-cases `word` if it is short ASCII.
    #[inline]
    pub fn of(word: &str) -> Option<Lower> {
        let b = word.as_bytes();
        if b.len() > 24 || !word.is_ascii() {
            return None;
        }
        let mut buf = [0u8; 24];
        for (d, s) in buf.iter_mut().zip(b) {
            *d = s.to_ascii_lowercase();
        }
        Some(Lower { buf, len: b.len() })
    }

    /// The lower-cased word.
    #[inline]
    pub fn as_str(&self) -> &str {
        // ASCII in, ASCII out.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

/// How a cue verb takes what was said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueClass {
    /// Content follows directly or after "that": "said (that) ...".
    Say,
    /// An object comes first: "told reporters (that) ...", "warned them that ...".
    Tell,
    /// Belief and finding verbs: content only after an explicit "that".
    Think,
    /// Content is an infinitive or gerund: "promised to ...", "recommended contacting ...".
    Propose,
    /// "called for ...", "called on X to ...", or naming with a quotation: "called them
    /// \"deplorables\"".
    Call,
}

/// Cue verbs: lemma, class, and irregular forms (past, participle) where they differ.
const CUES: &[(&str, CueClass, &[&str])] = &[
    ("say", CueClass::Say, &["said", "says", "saying"]),
    ("add", CueClass::Say, &[]),
    ("insist", CueClass::Say, &[]),
    ("suggest", CueClass::Say, &[]),
    ("note", CueClass::Say, &[]),
    ("deny", CueClass::Say, &[]),
    ("claim", CueClass::Say, &[]),
    ("argue", CueClass::Say, &[]),
    ("explain", CueClass::Say, &[]),
    ("state", CueClass::Say, &[]),
    ("announce", CueClass::Say, &[]),
    ("report", CueClass::Say, &[]),
    ("reveal", CueClass::Say, &[]),
    (
        "write",
        CueClass::Say,
        &["wrote", "written", "writes", "writing"],
    ),
    ("tweet", CueClass::Say, &[]),
    ("acknowledge", CueClass::Say, &[]),
    ("admit", CueClass::Say, &["admitted", "admitting"]),
    ("assert", CueClass::Say, &[]),
    ("contend", CueClass::Say, &[]),
    ("confirm", CueClass::Say, &[]),
    ("declare", CueClass::Say, &[]),
    ("emphasize", CueClass::Say, &[]),
    (
        "stress",
        CueClass::Say,
        &["stressed", "stresses", "stressing"],
    ),
    ("maintain", CueClass::Say, &[]),
    ("predict", CueClass::Say, &[]),
    ("allege", CueClass::Say, &[]),
    ("complain", CueClass::Say, &[]),
    ("concede", CueClass::Say, &[]),
    ("reply", CueClass::Say, &[]),
    ("respond", CueClass::Say, &[]),
    ("testify", CueClass::Say, &[]),
    ("speculate", CueClass::Say, &[]),
    ("recall", CueClass::Say, &[]),
    ("conclude", CueClass::Say, &[]),
    ("indicate", CueClass::Say, &[]),
    ("warn", CueClass::Tell, &[]),
    ("tell", CueClass::Tell, &["told", "tells", "telling"]),
    ("inform", CueClass::Tell, &[]),
    ("assure", CueClass::Tell, &[]),
    ("remind", CueClass::Tell, &[]),
    ("urge", CueClass::Tell, &[]),
    ("ask", CueClass::Tell, &[]),
    ("believe", CueClass::Think, &[]),
    ("think", CueClass::Think, &["thought", "thinks", "thinking"]),
    ("fear", CueClass::Think, &[]),
    ("hope", CueClass::Think, &[]),
    ("worry", CueClass::Think, &[]),
    (
        "show",
        CueClass::Think,
        &["shown", "showed", "shows", "showing"],
    ),
    ("find", CueClass::Think, &["found", "finds", "finding"]),
    ("agree", CueClass::Propose, &[]),
    ("expect", CueClass::Think, &[]),
    (
        "learn",
        CueClass::Think,
        &["learned", "learnt", "learns", "learning"],
    ),
    ("recommend", CueClass::Propose, &[]),
    ("propose", CueClass::Propose, &[]),
    ("promise", CueClass::Propose, &[]),
    ("want", CueClass::Propose, &[]),
    ("call", CueClass::Call, &[]),
    ("pledge", CueClass::Propose, &[]),
    ("vow", CueClass::Propose, &[]),
    ("threaten", CueClass::Propose, &[]),
];

/// Regular inflections of a lemma: -s/-es/-ies, -ed/-d/-ied, -ing.
fn regular_forms(lemma: &str) -> [String; 4] {
    let (s, ed, ing) = if let Some(stem) = lemma.strip_suffix('y') {
        if stem.ends_with(['a', 'e', 'o', 'u']) {
            (
                format!("{lemma}s"),
                format!("{lemma}ed"),
                format!("{lemma}ing"),
            )
        } else {
            (
                format!("{stem}ies"),
                format!("{stem}ied"),
                format!("{lemma}ing"),
            )
        }
    } else if let Some(stem) = lemma.strip_suffix('e') {
        (
            format!("{lemma}s"),
            format!("{lemma}d"),
            format!("{stem}ing"),
        )
    } else if lemma.ends_with("ss") || lemma.ends_with("sh") || lemma.ends_with("ch") {
        (
            format!("{lemma}es"),
            format!("{lemma}ed"),
            format!("{lemma}ing"),
        )
    } else {
        (
            format!("{lemma}s"),
            format!("{lemma}ed"),
            format!("{lemma}ing"),
        )
    };
    [lemma.to_string(), s, ed, ing]
}

/// The class of `word` (any case) as an attribution cue, if it is one.
pub fn cue_class(word: &str) -> Option<CueClass> {
    if word.len() > 14 {
        return None;
    }
    let lower = Lower::of(word)?;
    cue_table().get(lower.as_str()).copied()
}

/// FNV-1a, a fast hasher for the short keys of the cue table.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type CueTable = std::collections::HashMap<String, CueClass, std::hash::BuildHasherDefault<Fnv>>;

fn cue_table() -> &'static CueTable {
    static TABLE: std::sync::OnceLock<CueTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = CueTable::default();
        for &(lemma, class, irregular) in CUES {
            if irregular.is_empty() {
                for f in regular_forms(lemma) {
                    m.insert(f, class);
                }
            } else {
                m.insert(lemma.to_string(), class);
                for f in irregular {
                    m.insert(f.to_string(), class);
                }
            }
        }
        m
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections() {
        assert_eq!(cue_class("said"), Some(CueClass::Say));
        assert_eq!(cue_class("Says"), Some(CueClass::Say));
        assert_eq!(cue_class("denied"), Some(CueClass::Say));
        assert_eq!(cue_class("denies"), Some(CueClass::Say));
        assert_eq!(cue_class("noted"), Some(CueClass::Say));
        assert_eq!(cue_class("noting"), Some(CueClass::Say));
        assert_eq!(cue_class("told"), Some(CueClass::Tell));
        assert_eq!(cue_class("wrote"), Some(CueClass::Say));
        assert_eq!(cue_class("insisted"), Some(CueClass::Say));
        assert_eq!(cue_class("stressed"), Some(CueClass::Say));
        assert_eq!(cue_class("recommended"), Some(CueClass::Propose));
        assert_eq!(cue_class("admitted"), Some(CueClass::Say));
        assert_eq!(cue_class("table"), None);
        assert_eq!(cue_class("Björn"), None);
    }
}
