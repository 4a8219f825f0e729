//! Label Studio: one JSON array of pre-annotation tasks, one task per article. A task's
//! `data` holds `id`, `title` and `text`; its one prediction holds a labelled region per
//! entity (PER, ORG, LOC, MISC) and per quote part (Source, Cue, Content, each region
//! carrying its text and, for quotes, the quote's confidence as `score`), and relations from
//! each quote's first content region to its speaker (`source`), its cue (`cue`) and its later
//! parts (`continues`). `examples/label-studio.xml` is the labelling configuration these
//! tasks fit. Offsets are code points, as Label Studio's Python side counts them.

use super::Export;
use crate::output::Record;
use crate::text::OutSpan;
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::io::Write;

/// Every region label the export writes.
pub const LABELS: [&str; 7] = ["Source", "Cue", "Content", "PER", "ORG", "LOC", "MISC"];
/// Every relation label the export writes.
pub const RELATIONS: [&str; 3] = ["source", "cue", "continues"];

/// The Label Studio export.
pub struct LabelStudio<'w> {
    out: &'w mut dyn Write,
    tasks: usize,
}

impl<'w> LabelStudio<'w> {
    /// Tasks written to `out` as one JSON array.
    pub fn new(out: &'w mut dyn Write) -> Self {
        LabelStudio { out, tasks: 0 }
    }
}

fn region(id: String, s: &OutSpan, label: &str, score: Option<f32>) -> Value {
    let mut r = json!({
        "id": id,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": s.start, "end": s.end, "text": s.text, "labels": [label]},
    });
    if let Some(p) = score {
        r["score"] = json!(p);
    }
    r
}

fn relation(from: &str, to: &str, label: &str) -> Value {
    json!({"from_id": from, "to_id": to, "type": "relation", "direction": "right", "labels": [label]})
}

/// The task of one record.
pub fn task(rec: &Record, text: &str) -> Value {
    let mut result = Vec::new();
    for (i, e) in rec.entities.iter().enumerate() {
        let s = OutSpan {
            start: e.start,
            end: e.end,
            text: e.text.clone(),
        };
        result.push(region(format!("e{i}"), &s, &e.label, Some(e.score)));
    }
    for (i, q) in rec.quotes.iter().enumerate() {
        let p = Some(q.confidence);
        let first = format!("q{i}c0");
        for (k, c) in q.content.iter().enumerate() {
            result.push(region(format!("q{i}c{k}"), c, "Content", p));
            if k > 0 {
                result.push(relation(&first, &format!("q{i}c{k}"), "continues"));
            }
        }
        if q.content.is_empty() {
            continue;
        }
        if let Some(s) = &q.speaker {
            result.push(region(format!("q{i}s"), s, "Source", p));
            result.push(relation(&first, &format!("q{i}s"), "source"));
        }
        if let Some(c) = &q.cue {
            result.push(region(format!("q{i}q"), c, "Cue", p));
            result.push(relation(&first, &format!("q{i}q"), "cue"));
        }
    }
    let mean = if rec.quotes.is_empty() {
        0.0
    } else {
        rec.quotes.iter().map(|q| q.confidence).sum::<f32>() / rec.quotes.len() as f32
    };
    let mut data = json!({"id": rec.id, "title": rec.title, "text": text});
    if let Some(e) = &rec.error {
        data["error"] = json!(e);
    }
    json!({
        "data": data,
        "predictions": [{
            "model_version": concat!("whosaid ", env!("CARGO_PKG_VERSION")),
            "score": mean,
            "result": result,
        }],
    })
}

impl Export for LabelStudio<'_> {
    fn article(&mut self, rec: &Record, text: &str) -> Result<()> {
        let sep: &[u8] = if self.tasks == 0 { b"[\n" } else { b",\n" };
        self.tasks += 1;
        self.out.write_all(sep).context("writing output")?;
        serde_json::to_writer(&mut *self.out, &task(rec, text)).context("writing output")
    }

    fn flush(&mut self) -> Result<()> {
        self.out.flush().context("writing output")
    }

    fn finish(&mut self) -> Result<()> {
        let end: &[u8] = if self.tasks == 0 { b"[]\n" } else { b"\n]\n" };
        self.out.write_all(end).context("writing output")?;
        self.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_labelling_config_knows_every_label() {
        let config = include_str!("../../examples/label-studio.xml");
        for l in LABELS {
            assert!(config.contains(&format!("<Label value=\"{l}\"")), "{l}");
        }
        for l in RELATIONS {
            assert!(config.contains(&format!("<Relation value=\"{l}\"")), "{l}");
        }
    }
}
