//! CSV: one row per quote (RFC 4180: comma-separated, CRLF line ends, fields with a comma,
//! quote mark or line break in double quotes, quote marks doubled). An article that could not
//! be analysed gets one row with its `error` and no quote; an article without quotes, none.

use super::Export;
use crate::output::Record;
use anyhow::{Context, Result};
use std::io::Write;

/// The header row, in order.
pub const COLUMNS: [&str; 12] = [
    "id",
    "title",
    "kind",
    "speaker",
    "speaker_name",
    "speaker_actor",
    "cue",
    "content",
    "content_start",
    "content_end",
    "confidence",
    "error",
];

/// The CSV export.
pub struct Csv<'w> {
    out: &'w mut dyn Write,
    header: bool,
    row: String,
}

impl<'w> Csv<'w> {
    /// A CSV table written to `out`, header first.
    pub fn new(out: &'w mut dyn Write) -> Self {
        Csv {
            out,
            header: false,
            row: String::new(),
        }
    }

    fn write_row(&mut self, fields: &[&str]) -> Result<()> {
        self.row.clear();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.row.push(',');
            }
            push_field(&mut self.row, f);
        }
        self.row.push_str("\r\n");
        self.out
            .write_all(self.row.as_bytes())
            .context("writing output")
    }

    fn ensure_header(&mut self) -> Result<()> {
        if !self.header {
            self.header = true;
            self.write_row(&COLUMNS)?;
        }
        Ok(())
    }
}

/// Appends one field, quoted where RFC 4180 needs it.
fn push_field(row: &mut String, f: &str) {
    if f.contains([',', '"', '\r', '\n']) {
        row.push('"');
        row.push_str(&f.replace('"', "\"\""));
        row.push('"');
    } else {
        row.push_str(f);
    }
}

impl Export for Csv<'_> {
    fn article(&mut self, rec: &Record, _text: &str) -> Result<()> {
        self.ensure_header()?;
        let title = rec.title.as_deref().unwrap_or("");
        if let Some(e) = &rec.error {
            let mut row = [""; COLUMNS.len()];
            row[0] = &rec.id;
            row[1] = title;
            row[11] = e;
            return self.write_row(&row);
        }
        for q in &rec.quotes {
            let content = q
                .content
                .iter()
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let actor = q.speaker_actor.map(|a| a.to_string()).unwrap_or_default();
            let start = q.content.first().map(|s| s.start.to_string());
            let end = q.content.last().map(|s| s.end.to_string());
            let conf = format!("{}", q.confidence);
            self.write_row(&[
                &rec.id,
                title,
                &q.kind,
                q.speaker.as_ref().map_or("", |s| s.text.as_str()),
                q.speaker_name.as_deref().unwrap_or(""),
                &actor,
                q.cue.as_ref().map_or("", |s| s.text.as_str()),
                &content,
                start.as_deref().unwrap_or(""),
                end.as_deref().unwrap_or(""),
                &conf,
                "",
            ])?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.out.flush().context("writing output")
    }

    fn finish(&mut self) -> Result<()> {
        // An empty run still writes the header, so the file reads as a table.
        self.ensure_header()?;
        self.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_where_needed() {
        let mut row = String::new();
        push_field(&mut row, "plain");
        row.push('|');
        push_field(&mut row, "a, b");
        row.push('|');
        push_field(&mut row, "he said \"no\"");
        row.push('|');
        push_field(&mut row, "two\nlines");
        assert_eq!(row, "plain|\"a, b\"|\"he said \"\"no\"\"\"|\"two\nlines\"");
    }
}
