//! Other output formats than JSON Lines: a CSV table of quotes, brat standoff files (as
//! PolNeAR writes them, for correction in brat or INCEpTION) and Label Studio pre-annotation
//! tasks. Each reads the same [`Record`] that JSON Lines writes, so the formats never
//! disagree with the contract.

pub mod brat;
pub mod csv;
pub mod label_studio;

pub use brat::Brat;
pub use csv::Csv;
pub use label_studio::LabelStudio;

use crate::input::Item;
use crate::output::Record;
use crate::runner::Sink;
use anyhow::{Context, Result};

/// The output formats of `whosaid run --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per article (the contract; the default).
    Jsonl,
    /// One row per quote, RFC 4180.
    Csv,
    /// `ID.txt` and `ID.ann` per article in a folder.
    Brat,
    /// One JSON array of Label Studio tasks.
    LabelStudio,
}

impl Format {
    /// The names `--format` takes.
    pub const NAMES: [&'static str; 4] = ["jsonl", "csv", "brat", "label-studio"];

    /// The format of a `--format` name.
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "jsonl" => Format::Jsonl,
            "csv" => Format::Csv,
            "brat" => Format::Brat,
            "label-studio" => Format::LabelStudio,
            _ => return None,
        })
    }
}

/// One export format: takes each article's record with its text, in input order.
pub trait Export {
    /// Writes one article. `text` is the text the record's offsets point into (empty for an
    /// input that could not be read).
    fn article(&mut self, rec: &Record, text: &str) -> Result<()>;
    /// Pushes what is buffered to its destination.
    fn flush(&mut self) -> Result<()>;
    /// Ends the output (a closing bracket, say). Called once, after the last article.
    fn finish(&mut self) -> Result<()> {
        self.flush()
    }
}

/// A [`Sink`] that hands each record to an [`Export`].
pub struct ExportSink<'e>(pub &'e mut dyn Export);

impl Sink for ExportSink<'_> {
    fn record(&mut self, item: &Item, json: &[u8]) -> Result<()> {
        let rec: Record =
            serde_json::from_slice(json).context("reading back a record to export it")?;
        let text = item.as_ref().map_or("", |a| a.text.as_str());
        self.0.article(&rec, text)
    }
    fn flush(&mut self) -> Result<()> {
        self.0.flush()
    }
}
