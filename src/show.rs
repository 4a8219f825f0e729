//! A terminal view of one article's analysis: entities marked in the text, then each quote as
//! speaker, cue and content.

use crate::output::Record;
use std::fmt::Write;

/// Colours for a terminal, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

fn label_color(label: &str) -> &'static str {
    match label {
        "PER" => "1;36",
        "ORG" => "1;33",
        "LOC" => "1;32",
        _ => "1;35",
    }
}

/// Renders a record over its text.
pub fn render(rec: &Record, text: &str, style: Style) -> String {
    let mut out = String::new();
    let rule = "─".repeat(72);
    let _ = writeln!(out, "{}", style.paint("1", &format!("══ {} ", rec.id)));
    if let Some(t) = &rec.title {
        let _ = writeln!(out, "{}", style.paint("1", t));
    }
    if let Some(e) = &rec.error {
        let _ = writeln!(out, "{}", style.paint("1;31", &format!("error: {e}")));
        return out;
    }
    // Text with entities marked as [text]LABEL.
    let chars: Vec<char> = text.chars().collect();
    let mut pos = 0;
    let mut body = String::new();
    for e in &rec.entities {
        if e.start < pos || e.end > chars.len() {
            continue;
        }
        body.extend(&chars[pos..e.start]);
        let tag = format!("[{}]{}", e.text, e.label);
        body.push_str(&style.paint(label_color(&e.label), &tag));
        pos = e.end;
    }
    body.extend(&chars[pos.min(chars.len())..]);
    let _ = writeln!(out, "{rule}\n{}\n{rule}", body.trim_end());
    let _ = writeln!(
        out,
        "{}",
        style.paint("1", &format!("Actors ({})", rec.actors.len()))
    );
    for (i, a) in rec.actors.iter().enumerate() {
        let _ = writeln!(
            out,
            "  #{i} {} {} ×{}",
            style.paint(label_color(&a.label), &a.name),
            a.label,
            a.mentions.len()
        );
    }
    let _ = writeln!(
        out,
        "{}",
        style.paint("1", &format!("Quotes ({})", rec.quotes.len()))
    );
    for (i, q) in rec.quotes.iter().enumerate() {
        let speaker = match (&q.speaker, &q.speaker_name) {
            (Some(s), Some(n)) if s.text != *n => format!("{} → {}", s.text, n),
            (Some(s), _) => s.text.clone(),
            (None, _) => "(no speaker)".into(),
        };
        let cue = q.cue.as_ref().map_or("-".to_string(), |c| c.text.clone());
        let _ = writeln!(
            out,
            "  {:>2}. {:<8} {}  {} {}  {}",
            i + 1,
            q.kind,
            style.paint("1;36", &speaker),
            style.paint("2", "cue:"),
            style.paint("1", &cue),
            style.paint("2", &format!("({:.2})", q.confidence))
        );
        for c in &q.content {
            let _ = writeln!(out, "      “{}”", c.text);
        }
    }
    out
}
