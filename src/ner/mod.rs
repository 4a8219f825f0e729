//! Named-entity recognition: the [`Recognizer`] trait, entity labels and the default
//! averaged-perceptron tagger.

#[cfg(feature = "bert")]
pub mod bert;
pub mod clusters;
pub mod conll;
pub mod features;
pub mod gazetteer;
pub mod perceptron;
pub mod phrases;

use crate::text::Span;
use crate::tokenize::Doc;
use crate::work::Meter;

/// The four CoNLL-2003 entity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    /// Person.
    Per,
    /// Organisation.
    Org,
    /// Location.
    Loc,
    /// Anything else named (nationalities, events, works).
    Misc,
}

impl Label {
    /// All labels in tag order.
    pub const ALL: [Label; 4] = [Label::Per, Label::Org, Label::Loc, Label::Misc];

    /// The label as written in output and CoNLL tags.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Per => "PER",
            Label::Org => "ORG",
            Label::Loc => "LOC",
            Label::Misc => "MISC",
        }
    }

    /// Parses "PER", "ORG", "LOC" or "MISC".
    pub fn parse(s: &str) -> Option<Label> {
        match s {
            "PER" => Some(Label::Per),
            "ORG" => Some(Label::Org),
            "LOC" => Some(Label::Loc),
            "MISC" => Some(Label::Misc),
            _ => None,
        }
    }

    /// Index in [`Label::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One recognized entity: a token range and its byte span.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entity {
    /// First token.
    pub tok_start: usize,
    /// One past the last token.
    pub tok_end: usize,
    /// Byte span in the text.
    pub span: Span,
    /// Entity type.
    pub label: Label,
    /// Confidence in [0, 1].
    pub score: f32,
}

/// A pipeline stage that finds named entities in a segmented document.
pub trait Recognizer: Send + Sync {
    /// Entities of `doc`, in text order, not overlapping; an error when the recognizer could
    /// not run (the article then gets an error record). Work is counted on `meter`.
    fn recognize(&self, doc: &Doc, meter: &mut Meter) -> anyhow::Result<Vec<Entity>>;
}
