//! `whosaid report`: one self-contained HTML file over a corpus's records: a summary (quotes,
//! speaker kinds, genders, top speakers as an SVG chart), a sortable speakers table, and each
//! article's text with its entities and quotes highlighted, built in the page on demand.
//! This module reads records (fresh from the pipeline or from an earlier run's JSON Lines)
//! and aggregates them; [`page`] writes the HTML.

pub mod page;

use crate::lexicon;
use crate::output::OutEntity;
use crate::text::{CodePoints, OutSpan};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// An actor as the report reads it: the contract's, with `gender` where a record has one.
#[derive(Debug, Clone, Deserialize)]
pub struct Actor {
    /// The fullest name.
    pub name: String,
    /// PER or ORG.
    pub label: String,
    /// `female`, `male` or another value, where the record says.
    #[serde(default)]
    pub gender: Option<String>,
}

/// A quote as the report reads it: the contract's, with `speaker_actors` (a group's actors)
/// where a record has them.
#[derive(Debug, Clone, Deserialize)]
pub struct Quote {
    /// direct or indirect.
    pub kind: String,
    /// What was said.
    pub content: Vec<OutSpan>,
    /// The cue.
    #[serde(default)]
    pub cue: Option<OutSpan>,
    /// The speaker mention.
    #[serde(default)]
    pub speaker: Option<OutSpan>,
    /// Index into `actors`.
    #[serde(default)]
    pub speaker_actor: Option<usize>,
    /// The actors of a group speaker.
    #[serde(default)]
    pub speaker_actors: Option<Vec<usize>>,
    /// The resolved name, or the mention.
    #[serde(default)]
    pub speaker_name: Option<String>,
    /// Confidence in [0, 1].
    #[serde(default)]
    pub confidence: f32,
}

/// A record as the report reads it (fields it does not show are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct Record {
    /// The article's id.
    pub id: String,
    /// Its title.
    #[serde(default)]
    pub title: Option<String>,
    /// Why it could not be analysed.
    #[serde(default)]
    pub error: Option<String>,
    /// Entities.
    #[serde(default)]
    pub entities: Vec<OutEntity>,
    /// Actors.
    #[serde(default)]
    pub actors: Vec<Actor>,
    /// Quotes.
    #[serde(default)]
    pub quotes: Vec<Quote>,
}

/// One article of the report: its record over its text.
#[derive(Debug, Clone)]
pub struct Article {
    /// The record.
    pub rec: Record,
    /// The text its offsets point into.
    pub text: String,
    /// What is wrong with pairing the two (no text found, spans that do not fit it).
    pub note: Option<String>,
}

impl Article {
    /// Pairs a record with its text, dropping (and counting in `note`) every span whose
    /// offsets do not slice its text back, as happens when results came from another text.
    pub fn new(mut rec: Record, text: String) -> Self {
        let chars = CodePoints::new(&text);
        let fits = |s: &OutSpan| chars.slice(s.start, s.end) == Some(s.text.as_str());
        let mut bad = 0;
        rec.entities.retain(|e| {
            let ok = chars.slice(e.start, e.end) == Some(e.text.as_str());
            bad += usize::from(!ok);
            ok
        });
        for q in &mut rec.quotes {
            let n = q.content.len();
            q.content.retain(fits);
            bad += n - q.content.len();
            for s in [&mut q.cue, &mut q.speaker] {
                if s.as_ref().is_some_and(|s| !fits(s)) {
                    *s = None;
                    bad += 1;
                }
            }
        }
        rec.quotes.retain(|q| !q.content.is_empty());
        let n = rec.actors.len();
        for q in &mut rec.quotes {
            q.speaker_actor = q.speaker_actor.filter(|&a| a < n);
            if let Some(v) = &mut q.speaker_actors {
                v.retain(|&a| a < n);
            }
        }
        for e in &mut rec.entities {
            e.actor = e.actor.filter(|&a| a < n);
        }
        let note = (bad > 0)
            .then(|| format!("{bad} spans of the record do not match this text and are not shown"));
        Article { rec, text, note }
    }
}

/// Who a quote's speaker is, as the summary counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerKind {
    /// Resolved to a person.
    Person,
    /// Resolved to an organisation.
    Organisation,
    /// Several named actors ("Rubio and Witkoff").
    Group,
    /// A description without a name ("officials", "a spokesman").
    Unnamed,
    /// A pronoun the resolver left unresolved.
    Pronoun,
    /// No speaker found.
    None,
}

impl SpeakerKind {
    /// Every kind, in the order the summary lists them.
    pub const ALL: [SpeakerKind; 6] = [
        SpeakerKind::Person,
        SpeakerKind::Organisation,
        SpeakerKind::Group,
        SpeakerKind::Unnamed,
        SpeakerKind::Pronoun,
        SpeakerKind::None,
    ];

    /// The kind's name in the report.
    pub fn name(self) -> &'static str {
        match self {
            SpeakerKind::Person => "named person",
            SpeakerKind::Organisation => "organisation",
            SpeakerKind::Group => "group",
            SpeakerKind::Unnamed => "unnamed source",
            SpeakerKind::Pronoun => "unresolved pronoun",
            SpeakerKind::None => "no speaker",
        }
    }

    /// Whether the speaker is named (a person, organisation or group of named actors).
    pub fn named(self) -> bool {
        matches!(
            self,
            SpeakerKind::Person | SpeakerKind::Organisation | SpeakerKind::Group
        )
    }
}

/// Pronouns a speaker mention may be beyond the subject ones [`lexicon::pronoun`] knows.
const OTHER_PRONOUNS: [&str; 9] = [
    "who", "which", "that", "him", "her", "them", "us", "this", "one",
];

/// The kind of a quote's speaker in `rec`.
pub fn speaker_kind(rec: &Record, q: &Quote) -> SpeakerKind {
    let Some(sp) = &q.speaker else {
        return SpeakerKind::None;
    };
    if q.speaker_actors.as_ref().is_some_and(|v| v.len() > 1) {
        return SpeakerKind::Group;
    }
    if let Some(a) = q.speaker_actor.and_then(|a| rec.actors.get(a)) {
        return if a.label == "ORG" {
            SpeakerKind::Organisation
        } else {
            SpeakerKind::Person
        };
    }
    let word = sp.text.trim();
    if lexicon::pronoun(word).is_some() || OTHER_PRONOUNS.contains(&word.to_lowercase().as_str()) {
        return SpeakerKind::Pronoun;
    }
    // Two or more named entities in one mention, joined: a group of named actors.
    let named = rec
        .entities
        .iter()
        .filter(|e| matches!(e.label.as_str(), "PER" | "ORG"))
        .filter(|e| e.start >= sp.start && e.end <= sp.end)
        .count();
    if named >= 2 && (sp.text.contains(" and ") || sp.text.contains(',')) {
        return SpeakerKind::Group;
    }
    SpeakerKind::Unnamed
}

/// One speaker of the corpus: an actor's name (or an unnamed source's words), with counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Speaker {
    /// The name.
    pub name: String,
    /// Its kind.
    pub kind: SpeakerKind,
    /// Its gender, where the records give one.
    pub gender: Option<String>,
    /// Quotes attributed to it.
    pub quotes: usize,
    /// Articles it is quoted in.
    pub articles: usize,
}

/// The corpus summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Articles.
    pub articles: usize,
    /// Articles that could not be analysed.
    pub failed: usize,
    /// Quotes.
    pub quotes: usize,
    /// Direct quotes among them.
    pub direct: usize,
    /// Quotes per speaker kind, in [`SpeakerKind::ALL`] order.
    pub kinds: Vec<(SpeakerKind, usize)>,
    /// Quoted people (distinct names) by gender, the unknown ones under `None`, most first.
    pub genders: Vec<(Option<String>, usize)>,
    /// Speakers, most quoted first (named ones and unnamed sources; not pronouns).
    pub speakers: Vec<Speaker>,
}

impl Summary {
    /// The share of quotes with a named speaker, in [0, 1].
    pub fn named_share(&self) -> f64 {
        let named: usize = self
            .kinds
            .iter()
            .filter(|(k, _)| k.named())
            .map(|(_, n)| n)
            .sum();
        if self.quotes == 0 {
            0.0
        } else {
            named as f64 / self.quotes as f64
        }
    }
}

/// Aggregates the articles.
pub fn summarize(articles: &[Article]) -> Summary {
    let mut s = Summary {
        articles: articles.len(),
        ..Summary::default()
    };
    let mut kinds: HashMap<SpeakerKind, usize> = HashMap::new();
    // (kind, key) -> speaker, and the last article counted for it.
    let mut speakers: HashMap<(SpeakerKind, String), (Speaker, usize)> = HashMap::new();
    for (i, a) in articles.iter().enumerate() {
        let rec = &a.rec;
        s.failed += usize::from(rec.error.is_some());
        for q in &rec.quotes {
            s.quotes += 1;
            s.direct += usize::from(q.kind == "direct");
            let kind = speaker_kind(rec, q);
            *kinds.entry(kind).or_default() += 1;
            let (name, gender) = match kind {
                SpeakerKind::Pronoun | SpeakerKind::None => continue,
                SpeakerKind::Person | SpeakerKind::Organisation => {
                    let actor = &rec.actors[q.speaker_actor.expect("a resolved speaker")];
                    (actor.name.clone(), actor.gender.clone())
                }
                SpeakerKind::Group | SpeakerKind::Unnamed => {
                    let text = q
                        .speaker_name
                        .clone()
                        .or_else(|| q.speaker.as_ref().map(|s| s.text.clone()))
                        .unwrap_or_default();
                    (text, None)
                }
            };
            let key = match kind {
                SpeakerKind::Unnamed => name.to_lowercase(),
                _ => name.clone(),
            };
            let e = speakers.entry((kind, key)).or_insert_with(|| {
                (
                    Speaker {
                        name,
                        kind,
                        gender: None,
                        quotes: 0,
                        articles: 0,
                    },
                    usize::MAX,
                )
            });
            e.0.quotes += 1;
            if e.0.gender.is_none() {
                e.0.gender = gender;
            }
            if e.1 != i {
                e.1 = i;
                e.0.articles += 1;
            }
        }
    }
    s.kinds = SpeakerKind::ALL
        .iter()
        .map(|&k| (k, kinds.get(&k).copied().unwrap_or(0)))
        .collect();
    let mut list: Vec<Speaker> = speakers.into_values().map(|(sp, _)| sp).collect();
    list.sort_by(|a, b| {
        b.quotes
            .cmp(&a.quotes)
            .then(b.articles.cmp(&a.articles))
            .then(a.name.cmp(&b.name))
            .then(a.kind.cmp(&b.kind))
    });
    let mut genders: HashMap<Option<String>, usize> = HashMap::new();
    for sp in list.iter().filter(|sp| sp.kind == SpeakerKind::Person) {
        *genders.entry(sp.gender.clone()).or_default() += 1;
    }
    let mut genders: Vec<_> = genders.into_iter().collect();
    genders.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    s.genders = genders;
    s.speakers = list;
    s
}

#[cfg(test)]
mod tests;
