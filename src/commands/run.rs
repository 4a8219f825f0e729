//! `whosaid run`: a corpus through the pipeline into JSON Lines or an export format, with a
//! progress line, per-article errors on stderr and a summary at the end.

use crate::export::{Brat, Csv, Export, ExportSink, Format, LabelStudio};
use crate::pipeline::Pipeline;
use crate::runner::{self, AtomicFile, JsonLines, RunOptions, Sink, Summary};
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `whosaid run` was asked.
pub struct RunArgs {
    /// Inputs.
    pub paths: Vec<PathBuf>,
    /// `-o`: a file (a folder for brat); stdout where absent.
    pub output: Option<PathBuf>,
    /// Continue an interrupted run (JSON Lines only).
    pub resume: bool,
    /// The output format.
    pub format: Format,
    /// The key of the run's arguments, for `--resume`.
    pub key: u64,
    /// Batching and input limits.
    pub opts: RunOptions,
}

/// Runs `pipeline` as `args` say. Exit status 2 where an article failed.
pub fn run(pipeline: &Pipeline, args: RunArgs) -> Result<ExitCode> {
    let RunArgs {
        paths,
        output,
        resume,
        format,
        key,
        mut opts,
    } = args;
    if resume && format != Format::Jsonl {
        bail!("--resume continues JSON Lines output only (--format jsonl)");
    }
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = ProgressBar::new_spinner();
        b.set_style(
            ProgressStyle::with_template("{spinner} {pos} articles {per_sec} [{elapsed}] {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        b
    });
    let t0 = std::time::Instant::now();
    let progress = |s: &Summary| {
        if let Some(b) = &bar {
            b.set_position(s.articles as u64);
            b.set_message(format!("{} failed", s.failed));
        }
    };
    let on_error = |at: &str, msg: &str| {
        let line = format!("whosaid: {at}: {msg}");
        match &bar {
            Some(b) => b.println(line),
            None => eprintln!("{line}"),
        }
    };
    let summary = if format == Format::Brat {
        let Some(dir) = &output else {
            bail!("--format brat writes a folder: give it with -o DIR");
        };
        let mut brat = Brat::create(dir)?;
        let s = runner::run_into(
            pipeline,
            &paths,
            opts,
            &mut ExportSink(&mut brat),
            progress,
            on_error,
        )?;
        brat.finish()?;
        s
    } else {
        match &output {
            Some(path) => {
                let mut f = if resume {
                    let (f, done) = AtomicFile::resume(path, key)?;
                    opts.skip = done;
                    if done > 0 {
                        eprintln!(
                            "whosaid: resuming after {done} records in {}",
                            f.partial().display()
                        );
                    }
                    f
                } else {
                    AtomicFile::create(path, key)?
                };
                let partial = f.partial().to_path_buf();
                let s = run_stream(pipeline, &paths, opts, format, &mut f, progress, on_error)
                    .with_context(|| kept(&partial, format))?;
                f.commit()?;
                s
            }
            None => {
                let stdout = std::io::stdout();
                let mut lock = std::io::BufWriter::new(stdout.lock());
                run_stream(
                    pipeline, &paths, opts, format, &mut lock, progress, on_error,
                )?
            }
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "whosaid: {} articles ({} failed, {} over a work budget{}), {} entities, {} quotes, {:.1} MB in {:.2}s, peak RSS {:.0} MiB",
        summary.articles,
        summary.failed,
        summary.warned,
        if summary.skipped > 0 {
            format!(", {} kept from the interrupted run", summary.skipped)
        } else {
            String::new()
        },
        summary.entities,
        summary.quotes,
        summary.bytes as f64 / 1e6,
        secs,
        crate::bench::peak_rss_mib()
    );
    for note in pipeline.notes() {
        eprintln!("whosaid: {note}");
    }
    Ok(if summary.failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn kept(partial: &Path, format: Format) -> String {
    if format == Format::Jsonl {
        format!(
            "the records so far are kept in {}; the same command with --resume continues",
            partial.display()
        )
    } else {
        format!("the output so far is kept in {}", partial.display())
    }
}

/// A run into one stream: JSON Lines, CSV or Label Studio.
fn run_stream(
    pipeline: &Pipeline,
    paths: &[PathBuf],
    opts: RunOptions,
    format: Format,
    out: &mut dyn Write,
    progress: impl FnMut(&Summary),
    on_error: impl FnMut(&str, &str),
) -> Result<Summary> {
    let mut export: Box<dyn Export + '_> = match format {
        Format::Jsonl => {
            let sink: &mut dyn Sink = &mut JsonLines(out);
            return runner::run_into(pipeline, paths, opts, sink, progress, on_error);
        }
        Format::Csv => Box::new(Csv::new(out)),
        Format::LabelStudio => Box::new(LabelStudio::new(out)),
        Format::Brat => unreachable!("brat writes a folder"),
    };
    let s = runner::run_into(
        pipeline,
        paths,
        opts,
        &mut ExportSink(export.as_mut()),
        progress,
        on_error,
    )?;
    export.finish()?;
    Ok(s)
}
