//! Batch runs: stream inputs in bounded batches, analyse each batch in parallel, and write
//! records in input order. Failures become error records and the run goes on.

use crate::input::{InputOptions, Inputs, Item};
use crate::pipeline::Pipeline;
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Counts of a finished run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records written.
    pub articles: usize,
    /// Error records among them.
    pub failed: usize,
    /// Entities found.
    pub entities: usize,
    /// Quotes found.
    pub quotes: usize,
    /// Bytes of text analysed.
    pub bytes: usize,
}

/// How a run reads and batches.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Input limits.
    pub input: InputOptions,
    /// Most articles in flight at once.
    pub batch_articles: usize,
    /// Most bytes of text in flight at once.
    pub batch_bytes: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            input: InputOptions::default(),
            batch_articles: 256,
            batch_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Runs the pipeline over `paths`, writing JSON Lines to `out`. `progress` is called after
/// each batch with the running summary; `on_error` with each failed item's location and message.
pub fn run(
    pipeline: &Pipeline,
    paths: &[PathBuf],
    opts: RunOptions,
    out: &mut dyn Write,
    mut progress: impl FnMut(&Summary),
    mut on_error: impl FnMut(&str, &str),
) -> Result<Summary> {
    let mut inputs = Inputs::open(paths, opts.input);
    let mut summary = Summary::default();
    loop {
        let mut batch: Vec<Item> = Vec::new();
        let mut bytes = 0;
        while batch.len() < opts.batch_articles && bytes < opts.batch_bytes {
            match inputs.next() {
                Some(item) => {
                    bytes += item.as_ref().map_or(0, |a| a.text.len());
                    batch.push(item);
                }
                None => break,
            }
        }
        if batch.is_empty() {
            break;
        }
        let lines: Vec<(String, usize, usize, bool)> = batch
            .par_iter()
            .map(|item| {
                let rec = pipeline.record_item(item);
                let line = serde_json::to_string(&rec).unwrap_or_else(|e| {
                    format!("{{\"id\":{},\"error\":\"cannot serialize: {e}\",\"entities\":[],\"actors\":[],\"quotes\":[]}}", serde_json::Value::String(rec.id.clone()))
                });
                (line, rec.entities.len(), rec.quotes.len(), rec.error.is_some())
            })
            .collect();
        for (item, (line, ne, nq, failed)) in batch.iter().zip(lines) {
            out.write_all(line.as_bytes()).context("writing output")?;
            out.write_all(b"\n").context("writing output")?;
            summary.articles += 1;
            summary.entities += ne;
            summary.quotes += nq;
            match item {
                Ok(a) => {
                    summary.bytes += a.text.len();
                    if failed {
                        summary.failed += 1;
                        on_error(&a.id, "analysis failed");
                    }
                }
                Err(e) => {
                    summary.failed += 1;
                    on_error(&e.location, &e.message);
                }
            }
        }
        progress(&summary);
    }
    out.flush().context("writing output")?;
    Ok(summary)
}

/// Writes to `path` through a temporary file in the same folder, renamed into place only
/// when complete, so an interrupted run never leaves a truncated file that looks finished.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl AtomicFile {
    /// Creates the temporary file next to `dest`.
    pub fn create(dest: &Path) -> Result<Self> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = dest.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let f =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        Ok(AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            file: Some(std::io::BufWriter::with_capacity(1 << 16, f)),
        })
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        let f = self.file.take().expect("open until commit");
        let f = f
            .into_inner()
            .map_err(|e| e.into_error())
            .context("flushing output")?;
        f.sync_all().context("syncing output")?;
        std::fs::rename(&self.tmp, &self.dest).with_context(|| {
            format!("renaming {} to {}", self.tmp.display(), self.dest.display())
        })?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.as_mut().expect("open").write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().expect("open").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            // Not committed: leave no partial output behind.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
