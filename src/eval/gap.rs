//! `whosaid eval gender`: the genders the pipeline gives people, checked on GAP (Webster et al.
//! 2018, `../shared/data/gap/`). Each GAP example is a Wikipedia passage with a gendered
//! pronoun and two names, each marked coreferent with the pronoun or not; a coreferent name
//! carries the pronoun's gender. The pipeline runs on the passage; a coreferent name is
//! *labelled* when the person actor it belongs to has a gender, *right* when that gender is the
//! pronoun's. Accuracy is right / labelled, coverage labelled / coreferent names.

use crate::attribution::gender::{self, Gender};
use crate::input::Article;
use crate::output::Record;
use crate::pipeline::Pipeline;
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One name of a GAP example that the pronoun refers to.
#[derive(Debug, Clone, PartialEq)]
pub struct GapName {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The gender of the pronoun it is coreferent with.
    pub gender: Gender,
}

/// A GAP example: its passage and its coreferent names.
#[derive(Debug, Clone)]
pub struct GapExample {
    /// The example's id ("development-1").
    pub id: String,
    /// The passage.
    pub text: String,
    /// The names coreferent with the pronoun (none, one or, rarely, both).
    pub names: Vec<GapName>,
}

/// Reads a GAP file (`gap-development.tsv`: a header, then ID, Text, Pronoun, Pronoun-offset,
/// A, A-offset, A-coref, B, B-offset, B-coref, URL; offsets in characters).
pub fn read_gap(text: &str) -> Result<Vec<GapExample>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 10 {
            bail!("line {}: {} columns, expected 11", n + 1, f.len());
        }
        let Some(g) = gender::pronoun(f[2]) else {
            bail!("line {}: {:?} is no gendered pronoun", n + 1, f[2]);
        };
        let mut names = Vec::new();
        for (name, off, coref) in [(f[4], f[5], f[6]), (f[7], f[8], f[9])] {
            let start: usize = off
                .parse()
                .with_context(|| format!("line {}: bad offset {off:?}", n + 1))?;
            let end = start + name.chars().count();
            let slice: String = f[1].chars().skip(start).take(end - start).collect();
            if slice != name {
                bail!("line {}: {name:?} is not at {start}", n + 1);
            }
            if coref.eq_ignore_ascii_case("true") {
                names.push(GapName {
                    start,
                    end,
                    gender: g,
                });
            }
        }
        out.push(GapExample {
            id: f[0].to_string(),
            text: f[1].to_string(),
            names,
        });
    }
    Ok(out)
}

/// Counts of the gender check.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenderScore {
    /// Coreferent names.
    pub names: usize,
    /// Of those, names inside a person actor's mention.
    pub found: usize,
    /// Of those, the actor has a gender.
    pub labelled: usize,
    /// Of those, the pronoun's.
    pub right: usize,
    /// Labelled and right by the evidence behind the gender ("pronoun", "honorific",
    /// "first_name").
    pub by_source: BTreeMap<String, (usize, usize)>,
}

impl GenderScore {
    /// Right / labelled, in percent.
    pub fn accuracy(&self) -> f64 {
        pct(self.right, self.labelled)
    }

    /// Labelled / coreferent names, in percent.
    pub fn coverage(&self) -> f64 {
        pct(self.labelled, self.names)
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// Scores one record against its example's names.
fn score_one(ex: &GapExample, rec: &Record, s: &mut GenderScore) {
    for name in &ex.names {
        s.names += 1;
        let actor = rec.actors.iter().find(|a| {
            a.label == "PER"
                && a.mentions
                    .iter()
                    .any(|m| m.start < name.end && name.start < m.end)
        });
        let Some(actor) = actor else { continue };
        s.found += 1;
        let Some(g) = actor.gender() else {
            continue;
        };
        s.labelled += 1;
        let right = g == name.gender.as_str();
        s.right += usize::from(right);
        let e = s
            .by_source
            .entry(actor.gender_source().unwrap_or_default().to_string())
            .or_default();
        e.0 += 1;
        e.1 += usize::from(right);
    }
}

/// Runs the pipeline on every example and scores the genders.
pub fn evaluate_gender(pipeline: &Pipeline, examples: &[GapExample]) -> GenderScore {
    let records: Vec<Record> = examples
        .par_iter()
        .map(|ex| {
            pipeline.record(&Article {
                id: ex.id.clone(),
                title: None,
                text: ex.text.clone(),
            })
        })
        .collect();
    let mut s = GenderScore::default();
    for (ex, rec) in examples.iter().zip(&records) {
        score_one(ex, rec, &mut s);
    }
    s
}

/// The figures as text; the last line is a JSON object of them.
pub fn report(s: &GenderScore) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "coreferent names {}; in a person actor {} ({:.2}%); gender given {} (coverage {:.2}%); right {} (accuracy {:.2}%)",
        s.names,
        s.found,
        pct(s.found, s.names),
        s.labelled,
        s.coverage(),
        s.right,
        s.accuracy()
    );
    for (src, (n, r)) in &s.by_source {
        let _ = writeln!(
            o,
            "  by {src:<10} {n:5} labelled, {:.2}% right",
            pct(*r, *n)
        );
    }
    let json = serde_json::json!({
        "names": s.names,
        "found": s.found,
        "labelled": s.labelled,
        "right": s.right,
        "coverage": (s.coverage() * 100.0).round() / 100.0,
        "accuracy": (s.accuracy() * 100.0).round() / 100.0,
    });
    let _ = writeln!(o, "{json}");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str =
        "ID\tText\tPronoun\tPronoun-offset\tA\tA-offset\tA-coref\tB\tB-offset\tB-coref\tURL\n";

    #[test]
    fn reads_gap_rows_and_checks_offsets() {
        let row = "t-1\tMs. Ann Lee met Bo Park. She left.\tShe\t26\tAnn Lee\t4\tTRUE\tBo Park\t16\tFALSE\tu\n";
        let ex = read_gap(&format!("{HEAD}{row}")).unwrap();
        assert_eq!(ex.len(), 1);
        assert_eq!(
            ex[0].names,
            vec![GapName {
                start: 4,
                end: 11,
                gender: Gender::Female
            }]
        );
        let bad = row.replace("\t4\t", "\t5\t");
        assert!(read_gap(&format!("{HEAD}{bad}")).is_err());
        let bad = row.replace("\tShe\t", "\tIt\t");
        assert!(read_gap(&format!("{HEAD}{bad}")).is_err());
    }

    #[test]
    fn scores_names_by_their_actor() {
        let pipeline = Pipeline::new_default().unwrap();
        let row = "t-1\tMrs. Ann Lee met Bo Park in Paris. She said the talks went well.\tShe\t35\tAnn Lee\t5\tTRUE\tBo Park\t17\tFALSE\tu\n";
        let ex = read_gap(&format!("{HEAD}{row}")).unwrap();
        let s = evaluate_gender(&pipeline, &ex);
        assert_eq!(
            (s.names, s.found, s.labelled, s.right),
            (1, 1, 1, 1),
            "{s:?}"
        );
        assert!(report(&s).contains("accuracy 100.00%"));
    }
}
