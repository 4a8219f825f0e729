//! The output contract (`article.schema.json`): one JSON object per article, offsets in
//! Unicode code points. This is the only place where byte offsets become code points.

use crate::pipeline::Analysis;
use crate::text::{CharMap, OutSpan, Span};
use serde::{Deserialize, Serialize};

/// An entity in the output.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OutEntity {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The entity's text.
    pub text: String,
    /// PER, ORG, LOC or MISC.
    pub label: String,
    /// Confidence in [0, 1].
    pub score: f32,
    /// Index into `actors`.
    pub actor: Option<usize>,
}

/// An actor in the output.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OutActor {
    /// The fullest name.
    pub name: String,
    /// PER or ORG.
    pub label: String,
    /// Every mention.
    pub mentions: Vec<OutSpan>,
    /// People only (absent for organisations): "female", "male", or null where evidence is
    /// missing or conflicting.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub gender: Option<Option<String>>,
    /// The evidence behind `gender`: "pronoun", "honorific" or "first_name" (null with it).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub gender_source: Option<Option<String>>,
}

impl OutActor {
    /// The gender, where one is given.
    pub fn gender(&self) -> Option<&str> {
        self.gender.as_ref()?.as_deref()
    }

    /// The evidence behind the gender, where one is given.
    pub fn gender_source(&self) -> Option<&str> {
        self.gender_source.as_ref()?.as_deref()
    }
}

/// A field that may be absent (`None`, by `default`) or null (`Some(None)`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A quote in the output.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OutQuote {
    /// direct (quotes the speaker's words, in whole or in part) or indirect.
    pub kind: String,
    /// What was said.
    pub content: Vec<OutSpan>,
    /// The cue words.
    pub cue: Option<OutSpan>,
    /// The speaker mention as written.
    pub speaker: Option<OutSpan>,
    /// Index into `actors`.
    pub speaker_actor: Option<usize>,
    /// The resolved speaker's name, or the mention's text.
    pub speaker_name: Option<String>,
    /// Confidence in [0, 1].
    pub confidence: f32,
    /// Where the speaker is a group of named actors, their indices into `actors`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker_actors: Option<Vec<usize>>,
}

/// One output record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    /// The article's id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Set when the article could not be analysed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// Named entities.
    pub entities: Vec<OutEntity>,
    /// Mention chains.
    pub actors: Vec<OutActor>,
    /// Attributed statements.
    pub quotes: Vec<OutQuote>,
    /// What limited the analysis (a work budget reached); absent when nothing did.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub warnings: Vec<String>,
}

impl Record {
    /// The record of an article that failed.
    pub fn error(id: String, title: Option<String>, error: String) -> Self {
        Record {
            id,
            title,
            error: Some(error),
            entities: Vec::new(),
            actors: Vec::new(),
            quotes: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Builds the record of an analysed article: what [`RecordView`] writes, read back, so
    /// that the mapping from an analysis to the contract is written once.
    pub fn from_analysis(id: String, title: Option<String>, a: &Analysis) -> Self {
        let json = serde_json::to_vec(&RecordView::new(&id, title.as_deref(), a))
            .expect("a record view serializes to memory");
        serde_json::from_slice(&json).expect("a record view is the JSON of a record")
    }
}

/// The record of an analysed article, serialized straight from the analysis, so that a huge
/// article's output costs no second copy of its texts in memory. [`Record::from_analysis`]
/// reads it back; a test checks that the record's JSON is these bytes.
pub struct RecordView<'r, 'a> {
    id: &'r str,
    title: Option<&'r str>,
    a: &'r Analysis<'a>,
    map: CharMap,
}

impl<'r, 'a> RecordView<'r, 'a> {
    /// The view of `a` under `id` and `title`.
    pub fn new(id: &'r str, title: Option<&'r str>, a: &'r Analysis<'a>) -> Self {
        RecordView {
            id,
            title,
            a,
            map: CharMap::new(a.doc.text),
        }
    }

    fn span(&self, s: Span) -> SpanRef<'a> {
        SpanRef {
            start: self.map.to_char(s.start),
            end: self.map.to_char(s.end),
            text: s.slice(self.a.doc.text),
        }
    }
}

/// A sequence serialized from an iterator made on demand.
struct Lazy<F>(F);

impl<F, I> Serialize for Lazy<F>
where
    F: Fn() -> I,
    I: IntoIterator,
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

#[derive(Serialize)]
struct SpanRef<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct EntityRef<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    label: &'static str,
    score: f32,
    actor: Option<usize>,
}

impl Serialize for RecordView<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let a = self.a;
        let warn = !a.warnings.is_empty();
        let mut st = s.serialize_struct("Record", 5 + usize::from(warn))?;
        st.serialize_field("id", self.id)?;
        st.serialize_field("title", &self.title)?;
        st.serialize_field(
            "entities",
            &Lazy(|| {
                a.entities
                    .iter()
                    .zip(&a.attribution.entity_actor)
                    .map(|(e, actor)| {
                        let o = self.span(e.span);
                        EntityRef {
                            start: o.start,
                            end: o.end,
                            text: o.text,
                            label: e.label.as_str(),
                            score: (e.score * 1000.0).round() / 1000.0,
                            actor: *actor,
                        }
                    })
            }),
        )?;
        st.serialize_field(
            "actors",
            &Lazy(|| {
                a.attribution.actors.iter().map(|ac| {
                    // People always carry the two fields (null when unknown).
                    let person = ac.label == crate::ner::Label::Per;
                    ActorRef {
                        name: &ac.name,
                        label: ac.label.as_str(),
                        mentions: Lazy(move || ac.mentions.iter().map(|&m| self.span(m))),
                        gender: person.then(|| ac.gender.map(|(g, _)| g.as_str())),
                        gender_source: person.then(|| ac.gender.map(|(_, s)| s.as_str())),
                    }
                })
            }),
        )?;
        st.serialize_field(
            "quotes",
            &Lazy(|| {
                a.quotes
                    .iter()
                    .zip(&a.attribution.speakers)
                    .map(|(q, sp)| QuoteRef {
                        kind: q.kind.as_str(),
                        content: Lazy(move || q.content.iter().map(|&c| self.span(c))),
                        cue: q.cue.map(|c| self.span(c)),
                        speaker: q.speaker.map(|(x, y)| self.span(a.doc.span_of(x, y))),
                        speaker_actor: sp.actor,
                        speaker_name: sp.name.as_deref(),
                        confidence: q.confidence,
                        speaker_actors: (!sp.group.is_empty()).then_some(&sp.group[..]),
                    })
            }),
        )?;
        if warn {
            st.serialize_field("warnings", &a.warnings)?;
        }
        st.end()
    }
}

#[derive(Serialize)]
#[serde(bound = "Lazy<F>: Serialize")]
struct ActorRef<'r, F> {
    name: &'r str,
    label: &'static str,
    mentions: Lazy<F>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gender: Option<Option<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gender_source: Option<Option<&'static str>>,
}

#[derive(Serialize)]
#[serde(bound = "Lazy<F>: Serialize")]
struct QuoteRef<'r, 'a, F> {
    kind: &'static str,
    content: Lazy<F>,
    cue: Option<SpanRef<'a>>,
    speaker: Option<SpanRef<'a>>,
    speaker_actor: Option<usize>,
    speaker_name: Option<&'r str>,
    confidence: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    speaker_actors: Option<&'r [usize]>,
}
