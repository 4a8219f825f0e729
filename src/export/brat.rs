//! brat standoff: `ID.txt` (the text as analysed) and `ID.ann` per article in one folder,
//! with an `annotation.conf` and `visual.conf`, so that the folder opens in brat or INCEpTION
//! for correction. Each quote is written as PolNeAR writes an attribution: `Source`, `Cue`
//! and `Content` spans (further content parts as one `Content2` span), an `Attribution`
//! trigger on the cue, and an `E` line joining them; its kind is an attribute and its
//! resolved speaker and confidence an annotator's note. Entities are spans labelled PER, ORG,
//! LOC or MISC. Offsets are code points, as brat counts them.

use super::Export;
use crate::output::Record;
use crate::text::CodePoints;
use crate::text::OutSpan;
use anyhow::{Context, Result};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The brat configuration written beside the articles.
pub const ANNOTATION_CONF: &str = "\
[entities]
Source
Cue
Content
PER
ORG
LOC
MISC

[relations]

[events]
Attribution\tSource?:Source, Cue?:Cue, Content:Content, Content2?:Content

[attributes]
Kind\tArg:Attribution, Value:direct|indirect
";

/// Colours for brat's view.
pub const VISUAL_CONF: &str = "\
[labels]
Source | Source
Cue | Cue
Content | Content
Attribution | Attribution | Attr

[drawing]
Source\tbgColor:#f6c453
Cue\tbgColor:#9ed6a2
Content\tbgColor:#b6cff5
Attribution\tbgColor:#dddddd
PER\tbgColor:#7fe2e6
ORG\tbgColor:#f5b6d9
LOC\tbgColor:#c7e89a
MISC\tbgColor:#d9c7f2
";

/// The brat export into one folder.
pub struct Brat {
    dir: PathBuf,
    used: HashSet<String>,
}

impl Brat {
    /// Writes into `dir`, made if missing, with its configuration files.
    pub fn create(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("making {}", dir.display()))?;
        for (name, body) in [
            ("annotation.conf", ANNOTATION_CONF),
            ("visual.conf", VISUAL_CONF),
        ] {
            let p = dir.join(name);
            std::fs::write(&p, body).with_context(|| format!("writing {}", p.display()))?;
        }
        Ok(Brat {
            dir: dir.to_path_buf(),
            used: HashSet::new(),
        })
    }

    /// A file stem for `id`: its letters, digits, `.`, `_` and `-`, others as `_`, made
    /// unique in this folder with `-2`, `-3` ... (brat keys documents by file name).
    fn stem(&mut self, id: &str) -> String {
        let mut base: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .take(120)
            .collect();
        if base.is_empty() || base.starts_with('.') {
            base.insert_str(0, "article");
        }
        let mut stem = base.clone();
        let mut n = 1;
        while !self.used.insert(stem.to_ascii_lowercase()) {
            n += 1;
            stem = format!("{base}-{n}");
        }
        stem
    }
}

/// The standoff lines of one record over its text.
pub fn ann(rec: &Record, text: &str) -> String {
    let chars = CodePoints::new(text);
    let mut out = String::new();
    let mut t = 0;
    let mut span = |out: &mut String, label: &str, parts: &[&OutSpan]| -> Option<String> {
        let (ranges, texts) = fragments(&chars, parts)?;
        t += 1;
        let _ = writeln!(out, "T{t}\t{label} {ranges}\t{texts}");
        Some(format!("T{t}"))
    };
    for e in &rec.entities {
        let s = OutSpan {
            start: e.start,
            end: e.end,
            text: String::new(),
        };
        span(&mut out, &e.label, &[&s]);
    }
    for (i, q) in rec.quotes.iter().enumerate() {
        let mut roles = Vec::new();
        let source = q
            .speaker
            .as_ref()
            .and_then(|s| span(&mut out, "Source", &[s]));
        let cue = q.cue.as_ref().and_then(|s| span(&mut out, "Cue", &[s]));
        let parts: Vec<OutSpan> = if q.kind == "direct" {
            q.content.iter().map(|c| with_marks(&chars, c)).collect()
        } else {
            q.content.clone()
        };
        let Some(first) = parts.first() else {
            continue;
        };
        let Some(content) = span(&mut out, "Content", &[first]) else {
            continue;
        };
        let rest: Vec<&OutSpan> = parts[1..].iter().collect();
        let content2 = if rest.is_empty() {
            None
        } else {
            // Content2 is a role; the span's type is Content, as in PolNeAR.
            span(&mut out, "Content", &rest)
        };
        let trigger = match &q.cue {
            Some(c) => span(&mut out, "Attribution", &[c]),
            None => span(&mut out, "Attribution", &[first]),
        };
        let Some(trigger) = trigger else { continue };
        roles.push(format!("Attribution:{trigger}"));
        roles.push(format!("Content:{content}"));
        if let Some(c) = content2 {
            roles.push(format!("Content2:{c}"));
        }
        if let Some(c) = cue {
            roles.push(format!("Cue:{c}"));
        }
        if let Some(s) = source {
            roles.push(format!("Source:{s}"));
        }
        let e = i + 1;
        let _ = writeln!(out, "E{e}\t{}", roles.join(" "));
        let _ = writeln!(out, "A{e}\tKind E{e} {}", q.kind);
        let who = q.speaker_name.as_deref().unwrap_or("no speaker");
        let _ = writeln!(
            out,
            "#{e}\tAnnotatorNotes {trigger}\tspeaker: {}; confidence {}",
            who.replace(['\t', '\n', '\r'], " "),
            q.confidence
        );
    }
    out
}

/// A direct quote's part with the quotation marks right at its edges taken in, as PolNeAR's
/// annotators mark direct contents (and as its scorer tells direct from indirect).
fn with_marks(chars: &CodePoints, s: &OutSpan) -> OutSpan {
    let mark = |a: usize, b: usize| {
        chars
            .slice(a, b)
            .is_some_and(|c| c.chars().all(|ch| crate::eval::QUOTES.contains(&ch)))
    };
    let mut out = s.clone();
    if out.start > 0 && mark(out.start - 1, out.start) {
        out.start -= 1;
    }
    if mark(out.end, out.end + 1) {
        out.end += 1;
    }
    out
}

/// brat's offsets and text of spans: each span cut at line breaks (brat's spans hold no
/// line break), with the white space at the edges of each fragment dropped. `None` where a
/// span does not fit the text or holds only white space.
fn fragments(chars: &CodePoints, parts: &[&OutSpan]) -> Option<(String, String)> {
    let mut ranges = Vec::new();
    let mut texts = Vec::new();
    for p in parts {
        let slice = chars.slice(p.start, p.end)?;
        let mut at = p.start;
        for line in slice.split_inclusive(['\n', '\r']) {
            let n = line.chars().count();
            let body = line.trim_end_matches(['\n', '\r']);
            let lead = body.chars().take_while(|c| c.is_whitespace()).count();
            let trimmed = body.trim();
            if !trimmed.is_empty() {
                let s = at + lead;
                ranges.push(format!("{} {}", s, s + trimmed.chars().count()));
                texts.push(trimmed);
            }
            at += n;
        }
    }
    if ranges.is_empty() {
        return None;
    }
    Some((ranges.join(";"), texts.join(" ")))
}

impl Export for Brat {
    fn article(&mut self, rec: &Record, text: &str) -> Result<()> {
        let stem = self.stem(&rec.id);
        let txt = self.dir.join(format!("{stem}.txt"));
        std::fs::write(&txt, text).with_context(|| format!("writing {}", txt.display()))?;
        let a = self.dir.join(format!("{stem}.ann"));
        std::fs::write(&a, ann(rec, text)).with_context(|| format!("writing {}", a.display()))
    }

    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(start: usize, end: usize) -> OutSpan {
        OutSpan {
            start,
            end,
            text: String::new(),
        }
    }

    #[test]
    fn spans_are_cut_at_line_breaks_and_trimmed() {
        let text = "é said \"one\n\n two\" ok";
        let c = CodePoints::new(text);
        let (r, t) = fragments(&c, &[&sp(7, 18)]).unwrap();
        assert_eq!(r, "7 11;14 18");
        assert_eq!(t, "\"one two\"");
        assert!(fragments(&c, &[&sp(3, 99)]).is_none());
        assert!(fragments(&c, &[&sp(11, 13)]).is_none());
    }

    #[test]
    fn stems_are_safe_and_unique() {
        let dir = std::env::temp_dir().join(format!("whosaid-brat-{}", std::process::id()));
        let mut b = Brat::create(&dir).unwrap();
        assert_eq!(b.stem("a/b c"), "a_b_c");
        assert_eq!(b.stem("a b/c"), "a_b_c-2");
        assert_eq!(b.stem(".hidden"), "article.hidden");
        assert_eq!(b.stem(""), "article");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
