//! `whosaid report`: analyse a corpus (or read an earlier run's records) and write the HTML
//! report.

use crate::input::{InputOptions, Inputs, Item};
use crate::pipeline::Pipeline;
use crate::report::{self, Article, Record};
use crate::runner::{self, AtomicFile, RunOptions, Sink};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// What `whosaid report` was asked.
pub struct ReportArgs {
    /// The articles' texts.
    pub paths: Vec<PathBuf>,
    /// The HTML file to write.
    pub output: PathBuf,
    /// An earlier run's JSON Lines, used instead of analysing again.
    pub results: Option<PathBuf>,
    /// The page's title.
    pub title: String,
    /// Input limits.
    pub input: InputOptions,
}

/// Collects records with their texts.
struct Collect(Vec<Article>);

impl Sink for Collect {
    fn record(&mut self, item: &Item, json: &[u8]) -> Result<()> {
        let rec: Record = serde_json::from_slice(json).context("reading back a record")?;
        let text = item.as_ref().map_or(String::new(), |a| a.text.clone());
        self.0.push(Article::new(rec, text));
        Ok(())
    }
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

/// The articles of a report from `results` (JSON Lines records) over the texts in `paths`,
/// in the results' order: a record whose text is not in `paths` is shown with a note, and an
/// article of `paths` without a record is listed at the end as such.
pub fn from_results(
    results: &Path,
    paths: &[PathBuf],
    input: InputOptions,
    mut on_error: impl FnMut(&str, &str),
) -> Result<Vec<Article>> {
    let mut texts: HashMap<String, String> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for item in Inputs::open(paths, input) {
        match item {
            Ok(a) => {
                if let std::collections::hash_map::Entry::Vacant(v) = texts.entry(a.id) {
                    order.push(v.key().clone());
                    v.insert(a.text);
                }
            }
            Err(e) => on_error(&e.location, &e.message),
        }
    }
    let f =
        std::fs::File::open(results).with_context(|| format!("opening {}", results.display()))?;
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", results.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{}:{}", results.display(), n + 1);
        let rec: Record = match serde_json::from_str(&line) {
            Ok(r) => r,
            Err(e) => {
                on_error(&at, &format!("not a whosaid record: {e}"));
                continue;
            }
        };
        if !seen.insert(rec.id.clone()) {
            on_error(
                &at,
                &format!("a second record of {}; the first is shown", rec.id),
            );
            continue;
        }
        match texts.get(&rec.id) {
            Some(t) => out.push(Article::new(rec, t.clone())),
            None => {
                on_error(&at, &format!("no text of {} among the inputs", rec.id));
                let mut a = Article::new(rec, String::new());
                a.note = Some("its text is not among the report's inputs".into());
                out.push(a);
            }
        }
    }
    for id in order.into_iter().filter(|id| !seen.contains(id)) {
        let text = texts.remove(&id).unwrap_or_default();
        on_error(&id, "no record in the results");
        let rec = Record {
            id,
            title: None,
            error: Some("no record in the results".into()),
            entities: Vec::new(),
            actors: Vec::new(),
            quotes: Vec::new(),
        };
        out.push(Article::new(rec, text));
    }
    Ok(out)
}

/// Writes the report. Returns how many articles it holds.
pub fn report(pipeline: Option<&Pipeline>, args: &ReportArgs) -> Result<usize> {
    let on_error = |at: &str, msg: &str| eprintln!("whosaid: {at}: {msg}");
    let articles = match (&args.results, pipeline) {
        (Some(r), _) => from_results(r, &args.paths, args.input, on_error)?,
        (None, Some(p)) => {
            let mut c = Collect(Vec::new());
            let opts = RunOptions {
                input: args.input,
                ..RunOptions::default()
            };
            runner::run_into(p, &args.paths, opts, &mut c, |_| {}, on_error)?;
            c.0
        }
        (None, None) => anyhow::bail!("a report needs a pipeline or --results"),
    };
    let summary = report::summarize(&articles);
    let html = report::page::render(&articles, &summary, &args.title);
    let mut f = AtomicFile::create(&args.output, runner::run_key(&["report"]))?;
    f.write_all(html.as_bytes())
        .with_context(|| format!("writing {}", args.output.display()))?;
    f.commit()?;
    eprintln!(
        "whosaid: report of {} articles ({} failed), {} quotes, {} speakers: {} ({:.1} MB)",
        summary.articles,
        summary.failed,
        summary.quotes,
        summary.speakers.len(),
        args.output.display(),
        html.len() as f64 / 1e6
    );
    Ok(articles.len())
}
