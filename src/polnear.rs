//! Reading PolNeAR splits (brat `.ann` attribution annotations over `text/*.txt`), the same way
//! `polnear_score.py` does: where an article has several annotators' files, the first in sorted
//! order is gold. Offsets are converted from code points to bytes.

use crate::text::Span;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// One gold attribution, in byte spans.
#[derive(Debug, Clone, Default)]
pub struct GoldAttribution {
    /// Content (and Content2) spans.
    pub content: Vec<Span>,
    /// Source spans (none for `Attribution-no-source`).
    pub source: Vec<Span>,
    /// Cue spans.
    pub cue: Vec<Span>,
}

/// Every annotated span segment of each role, as `role_score.py` reads them: all `T` lines
/// of kind Source, Cue, Content or Content2, linked to an attribution or not.
#[derive(Debug, Clone, Default)]
pub struct RoleSpans {
    /// Source segments.
    pub source: Vec<Span>,
    /// Cue segments.
    pub cue: Vec<Span>,
    /// Content and Content2 segments.
    pub content: Vec<Span>,
}

/// One annotated article.
#[derive(Debug, Clone)]
pub struct GoldArticle {
    /// The text file's name without `.txt`.
    pub id: String,
    /// The text as read.
    pub text: String,
    /// Its attributions.
    pub attributions: Vec<GoldAttribution>,
    /// Its role spans.
    pub roles: RoleSpans,
}

/// Byte offset of every code point index (and of the end).
fn char_to_byte(text: &str) -> Vec<usize> {
    let mut v: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    v.push(text.len());
    v
}

/// Reads a split folder holding `text/` and `attributions/`.
pub fn read_split(dir: &Path) -> Result<Vec<GoldArticle>> {
    let ann_dir = dir.join("attributions");
    let mut chosen: BTreeMap<String, String> = BTreeMap::new();
    let mut names: Vec<String> = std::fs::read_dir(&ann_dir)
        .with_context(|| format!("reading {}", ann_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".ann"))
        .collect();
    names.sort();
    for n in names {
        let stem = n
            .rsplit_once('_')
            .map_or(n.as_str(), |(s, _)| s)
            .to_string();
        chosen.entry(stem).or_insert(n);
    }
    let mut out = Vec::new();
    for (stem, file) in chosen {
        let text = std::fs::read_to_string(dir.join("text").join(format!("{stem}.txt")))
            .with_context(|| format!("reading text of {stem}"))?;
        let ann = std::fs::read_to_string(ann_dir.join(&file))
            .with_context(|| format!("reading {file}"))?;
        out.push(parse_article(stem, text, &ann));
    }
    Ok(out)
}

/// One article from its text and its brat annotation (`T` spans in code points, `E`
/// attribution events); unknown or malformed lines are skipped, offsets are clamped to the
/// text, and every span lies on character boundaries.
pub fn parse_article(id: String, text: String, ann: &str) -> GoldArticle {
    let c2b = char_to_byte(&text);
    let byte = |c: usize| c2b[c.min(c2b.len() - 1)];
    let mut spans: BTreeMap<String, Vec<Span>> = BTreeMap::new();
    let mut events: Vec<Vec<(String, String)>> = Vec::new();
    let mut roles = RoleSpans::default();
    for line in ann.lines() {
        let parts: Vec<&str> = line.split('\t').collect();
        if line.starts_with('T') && parts.len() >= 2 {
            let Some((kind, rest)) = parts[1].split_once(' ') else {
                continue;
            };
            let mut v = Vec::new();
            for seg in rest.split(';') {
                let mut it = seg
                    .split_whitespace()
                    .filter_map(|x| x.parse::<usize>().ok());
                if let (Some(a), Some(b)) = (it.next(), it.next()) {
                    v.push(Span::new(byte(a), byte(b).max(byte(a))));
                }
            }
            match kind {
                "Source" => roles.source.extend(&v),
                "Cue" => roles.cue.extend(&v),
                "Content" | "Content2" => roles.content.extend(&v),
                _ => {}
            }
            spans.insert(parts[0].to_string(), v);
        } else if line.starts_with('E') && parts.len() >= 2 {
            events.push(
                parts[1]
                    .split_whitespace()
                    .filter_map(|r| {
                        r.split_once(':')
                            .map(|(a, b)| (a.to_string(), b.to_string()))
                    })
                    .collect(),
            );
        }
    }
    let mut attributions = Vec::new();
    for ev in events {
        let mut a = GoldAttribution::default();
        for (role, t) in ev {
            let s = spans.get(&t).cloned().unwrap_or_default();
            match role.as_str() {
                "Content" | "Content2" => a.content.extend(s),
                "Source" => a.source.extend(s),
                "Cue" => a.cue.extend(s),
                _ => {}
            }
        }
        if !a.content.is_empty() {
            attributions.push(a);
        }
    }
    GoldArticle {
        id,
        text,
        attributions,
        roles,
    }
}
