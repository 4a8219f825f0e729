//! Word lists: attribution cues with their inflections, pronouns, group nouns and the
//! function words that bound a speaker's noun phrase.

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

/// Verbs that characterize something in the speaker's words (`branded North Korea an "outlaw
/// nation"`): cues only with a quotation right after them, so they are kept out of the cue table
/// (where they would hide from the learned cue model).
pub fn is_characterizing(word: &str) -> bool {
    matches!(
        Lower::of(word).as_ref().map_or("", Lower::as_str),
        "branded"
            | "brands"
            | "branding"
            | "described"
            | "describes"
            | "describing"
            | "labeled"
            | "labels"
            | "labeling"
            | "dubbed"
            | "dubs"
            | "dubbing"
            | "criticized"
            | "criticizes"
            | "criticizing"
            | "blasted"
            | "blasts"
            | "blasting"
            | "dismissed"
            | "dismisses"
            | "dismissing"
            | "likened"
            | "likens"
            | "likening"
            | "praised"
            | "praises"
            | "praising"
            | "lauded"
            | "lauds"
            | "lauding"
            | "slammed"
            | "slams"
            | "slamming"
            | "mocked"
            | "mocks"
            | "mocking"
            | "denounced"
            | "denounces"
            | "denouncing"
            | "decried"
            | "decries"
            | "decrying"
            | "characterized"
            | "characterizes"
            | "characterizing"
            | "accused"
            | "accuses"
            | "accusing"
            | "exhorted"
            | "exhorts"
            | "exhorting"
    )
}

/// True for a cue in the -ing form ("adding", "saying"), which never takes a subject of its own.
pub fn is_participle(word: &str) -> bool {
    word.ends_with("ing")
}

/// Personal pronouns that can be speakers, with gender: 'm', 'f' or 'n' (none/plural).
pub fn pronoun(word: &str) -> Option<char> {
    match Lower::of(word)?.as_str() {
        "he" => Some('m'),
        "she" => Some('f'),
        "they" | "it" | "we" | "i" | "you" => Some('n'),
        _ => None,
    }
}

/// Words that may stand between a speaker and the cue verb: adverbs and auxiliaries.
pub fn is_cue_modifier(word: &str) -> bool {
    let Some(w) = Lower::of(word) else {
        return false;
    };
    let w = w.as_str();
    matches!(
        w,
        "also"
            | "later"
            | "then"
            | "now"
            | "previously"
            | "still"
            | "further"
            | "repeatedly"
            | "has"
            | "have"
            | "had"
            | "was"
            | "is"
            | "were"
            | "are"
            | "would"
            | "will"
            | "could"
            | "did"
            | "does"
            | "do"
            | "not"
            | "never"
            | "once"
            | "again"
            | "recently"
            | "publicly"
            | "privately"
            | "reportedly"
            | "first"
            | "earlier"
            | "already"
            | "even"
            | "often"
            | "since"
            | "n't"
            | "may"
            | "might"
            | "must"
            | "should"
            | "can"
            | "been"
            | "long"
    ) || (w.ends_with("ly") && w.len() > 4 && w.chars().all(|c| c.is_ascii_lowercase()))
}

/// Function words that end a speaker noun phrase when read leftwards from the cue.
pub fn is_np_stop(word: &str) -> bool {
    let Some(w) = Lower::of(word) else {
        return false;
    };
    matches!(
        w.as_str(),
        "that"
            | "which"
            | "who"
            | "whom"
            | "whose"
            | "when"
            | "where"
            | "while"
            | "if"
            | "because"
            | "as"
            | "but"
            | "or"
            | "so"
            | "than"
            | "to"
            | "in"
            | "on"
            | "at"
            | "for"
            | "with"
            | "by"
            | "from"
            | "into"
            | "about"
            | "after"
            | "before"
            | "during"
            | "under"
            | "over"
            | "is"
            | "was"
            | "were"
            | "are"
            | "be"
            | "been"
            | "has"
            | "have"
            | "had"
            | "not"
            | "also"
            | "there"
            | "what"
            | "how"
            | "why"
            | "although"
            | "though"
            | "since"
            | "until"
            | "unless"
            | "whether"
            | "and"
            | "nor"
            | "yet"
            | "then"
            | "would"
            | "will"
            | "could"
            | "can"
            | "may"
            | "might"
            | "should"
            | "must"
            | "do"
            | "does"
            | "did"
            | "him"
            | "them"
            | "her"
            | "me"
            | "us"
            | "without"
            | "against"
            | "between"
            | "through"
            | "among"
            | "per"
            | "via"
            | "like"
            | "unlike"
            | "upon"
            | "within"
            | "however"
            | "thus"
            | "therefore"
            | "meanwhile"
            | "moreover"
            | "instead"
    ) || (word.starts_with(|c: char| c.is_lowercase())
        && cue_class(word).is_some()
        && !is_noun_verb(w.as_str()))
}

/// Objects that "told" and its kind take before the content.
pub fn is_listener(word: &str) -> bool {
    matches!(
        Lower::of(word).as_ref().map_or("", Lower::as_str),
        "him"
            | "her"
            | "them"
            | "us"
            | "me"
            | "you"
            | "reporters"
            | "journalists"
            | "lawmakers"
            | "congress"
            | "parliament"
            | "supporters"
            | "voters"
            | "officials"
            | "colleagues"
            | "senators"
            | "investigators"
            | "listeners"
            | "viewers"
            | "readers"
            | "audiences"
            | "the"
            | "a"
            | "an"
            | "his"
            | "their"
            | "its"
            | "our"
    )
}

/// Prepositions that open an adjunct after a cue ("said in a statement").
pub fn is_preposition(word: &str) -> bool {
    matches!(
        Lower::of(word).as_ref().map_or("", Lower::as_str),
        "in" | "on"
            | "at"
            | "to"
            | "with"
            | "during"
            | "after"
            | "before"
            | "about"
            | "for"
            | "by"
            | "from"
            | "through"
            | "via"
            | "last"
            | "this"
            | "earlier"
            | "late"
            | "early"
            | "over"
            | "under"
            | "without"
            | "while"
            | "when"
            | "as"
    )
}

/// Determiners at the start of a noun phrase.
pub fn is_determiner(word: &str) -> bool {
    matches!(
        Lower::of(word).as_ref().map_or("", Lower::as_str),
        "the"
            | "a"
            | "an"
            | "this"
            | "these"
            | "those"
            | "his"
            | "her"
            | "their"
            | "its"
            | "our"
            | "some"
            | "many"
            | "several"
            | "other"
            | "another"
            | "two"
            | "three"
            | "both"
            | "most"
            | "all"
            | "one"
    )
}

/// Cue words that are nouns as often as verbs (given lower-cased).
pub fn is_noun_verb(lower: &str) -> bool {
    matches!(
        lower,
        "state"
            | "states"
            | "report"
            | "reports"
            | "tweet"
            | "tweets"
            | "call"
            | "calls"
            | "claim"
            | "claims"
            | "note"
            | "notes"
            | "estimate"
            | "estimates"
            | "stress"
            | "stresses"
            | "fear"
            | "fears"
            | "hope"
            | "hopes"
            | "worry"
            | "worries"
            | "find"
            | "finds"
            | "reply"
            | "replies"
            | "show"
            | "shows"
            | "want"
            | "wants"
            | "promise"
            | "promises"
            | "pledge"
            | "pledges"
            | "vow"
            | "vows"
            | "threaten"
            | "ask"
            | "asks"
    )
}

/// Words of time expressions, which are never speakers.
pub fn is_time_word(word: &str) -> bool {
    matches!(
        Lower::of(word).as_ref().map_or("", Lower::as_str),
        "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "january"
            | "february"
            | "march"
            | "april"
            | "may"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
            | "jan."
            | "feb."
            | "aug."
            | "sept."
            | "oct."
            | "nov."
            | "dec."
            | "late"
            | "early"
            | "last"
            | "next"
            | "this"
            | "night"
            | "morning"
            | "afternoon"
            | "evening"
            | "week"
            | "month"
            | "year"
            | "today"
            | "yesterday"
            | "tomorrow"
            | "once"
            | "later"
            | "earlier"
            | "mid"
            | "weekend"
            | "day"
            | "days"
            | "weeks"
            | "months"
            | "years"
            | "ago"
            | "recently"
    )
}

/// Female first names and titles, for pronoun agreement.
pub fn is_female_name(word: &str) -> bool {
    matches!(
        word,
        "Mrs."
            | "Ms."
            | "Mrs"
            | "Ms"
            | "Madam"
            | "Queen"
            | "Princess"
            | "Lady"
            | "Hillary"
            | "Nancy"
            | "Kamala"
            | "Elizabeth"
            | "Mary"
            | "Angela"
            | "Theresa"
            | "Ursula"
            | "Marine"
            | "Giorgia"
            | "Sarah"
            | "Susan"
            | "Karen"
            | "Linda"
            | "Barbara"
            | "Jennifer"
            | "Maria"
            | "Anna"
            | "Olena"
            | "Yulia"
            | "Julia"
            | "Michelle"
            | "Melania"
            | "Ivanka"
            | "Kristi"
            | "Nikki"
            | "Elise"
            | "Liz"
            | "Kirsten"
            | "Amy"
            | "Tulsi"
            | "Maxine"
            | "Alexandria"
            | "Ilhan"
            | "Rashida"
            | "Jacinda"
            | "Kaja"
            | "Annalena"
            | "Emmanuelle"
            | "Catherine"
            | "Anne"
            | "Jane"
            | "Emily"
            | "Emma"
            | "Laura"
            | "Lisa"
            | "Helen"
            | "Margaret"
            | "Patricia"
            | "Jessica"
            | "Rebecca"
            | "Rachel"
            | "Christine"
            | "Kristalina"
            | "Janet"
            | "Dianne"
            | "Debbie"
            | "Claire"
            | "Heather"
            | "Samantha"
            | "Huma"
            | "Chelsea"
            | "Donna"
            | "Kellyanne"
            | "Megyn"
            | "Carly"
            | "Condoleezza"
            | "Madeleine"
            | "Sheila"
            | "Katie"
            | "Sophie"
            | "Olga"
            | "Irina"
            | "Natalia"
            | "Tatiana"
            | "Svetlana"
            | "Ekaterina"
            | "Marie"
            | "Sylvie"
            | "Ana"
            | "Carmen"
    )
}

/// Nouns that name groups or documents: speakers that are not named actors.
pub fn is_group_noun(word: &str) -> bool {
    matches!(
        Lower::of(word).as_ref().map_or("", Lower::as_str),
        "sources"
            | "source"
            | "officials"
            | "official"
            | "lawmakers"
            | "analysts"
            | "experts"
            | "critics"
            | "aides"
            | "diplomats"
            | "spokesman"
            | "spokeswoman"
            | "spokesperson"
            | "people"
            | "residents"
            | "witnesses"
            | "police"
            | "authorities"
            | "investigators"
            | "prosecutors"
            | "reporters"
            | "article"
            | "report"
            | "statement"
            | "study"
            | "survey"
            | "poll"
            | "polls"
            | "documents"
            | "letter"
            | "observers"
            | "advisers"
            | "advisors"
            | "insiders"
            | "members"
            | "leaders"
            | "democrats"
            | "republicans"
            | "protesters"
            | "scientists"
            | "researchers"
            | "economists"
            | "doctors"
            | "media"
            | "ministry"
            | "government"
            | "campaign"
            | "administration"
            | "white"
    )
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
