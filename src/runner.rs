//! Batch runs: stream inputs in bounded batches, analyse each batch in parallel, and write
//! records in input order. Failures become error records and the run goes on.

use crate::input::{InputOptions, Inputs, Item};
use crate::pipeline::{Pipeline, Written};
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
    /// Records with a warning (a work budget reached) among them.
    pub warned: usize,
    /// Records of an earlier, interrupted run kept (`--resume`): their items were read again
    /// but not analysed.
    pub skipped: usize,
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
    /// Articles of at least this many bytes are analysed one at a time, their record
    /// written straight to the output rather than held in memory with the batch's.
    pub stream_bytes: usize,
    /// Input items to pass over without writing their records (they are in the output
    /// already, from an interrupted run).
    pub skip: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            input: InputOptions::default(),
            batch_articles: 256,
            batch_bytes: 4 * 1024 * 1024,
            stream_bytes: 1024 * 1024,
            skip: 0,
        }
    }
}

/// Where a run's records go, in input order.
pub trait Sink {
    /// Takes the record of `item`, given as its JSON (one line, no newline).
    fn record(&mut self, item: &Item, json: &[u8]) -> Result<()>;
    /// A writer that takes a large article's record straight from the pipeline, followed by
    /// [`Sink::end_streamed`], so that its JSON is never held in memory; `None` (the default)
    /// has the runner hand it to [`Sink::record`] like any other.
    fn writer(&mut self) -> Option<&mut dyn Write> {
        None
    }
    /// Ends a record written through [`Sink::writer`].
    fn end_streamed(&mut self) -> Result<()> {
        Ok(())
    }
    /// Called after each batch, and at the end.
    fn flush(&mut self) -> Result<()>;
}

/// JSON Lines to a writer: the default output.
pub struct JsonLines<'w>(pub &'w mut dyn Write);

impl Sink for JsonLines<'_> {
    fn record(&mut self, _item: &Item, json: &[u8]) -> Result<()> {
        self.0.write_all(json).context("writing output")?;
        self.0.write_all(b"\n").context("writing output")
    }
    fn writer(&mut self) -> Option<&mut dyn Write> {
        Some(&mut *self.0)
    }
    fn end_streamed(&mut self) -> Result<()> {
        self.0.write_all(b"\n").context("writing output")
    }
    fn flush(&mut self) -> Result<()> {
        self.0.flush().context("writing output")
    }
}

/// Runs the pipeline over `paths`, writing JSON Lines to `out`. `progress` is called after
/// each batch with the running summary; `on_error` with each failed item's location and
/// message. The output is flushed after each batch, so an interrupted run leaves whole
/// records behind (and perhaps the start of one).
pub fn run(
    pipeline: &Pipeline,
    paths: &[PathBuf],
    opts: RunOptions,
    out: &mut dyn Write,
    progress: impl FnMut(&Summary),
    on_error: impl FnMut(&str, &str),
) -> Result<Summary> {
    run_into(
        pipeline,
        paths,
        opts,
        &mut JsonLines(out),
        progress,
        on_error,
    )
}

/// [`run`] into any [`Sink`] (the export formats, the report).
pub fn run_into(
    pipeline: &Pipeline,
    paths: &[PathBuf],
    opts: RunOptions,
    sink: &mut dyn Sink,
    mut progress: impl FnMut(&Summary),
    mut on_error: impl FnMut(&str, &str),
) -> Result<Summary> {
    let mut inputs = Inputs::open(paths, opts.input);
    let mut summary = Summary::default();
    while summary.skipped < opts.skip {
        if inputs.next().is_none() {
            anyhow::bail!(
                "the output to resume holds {} records, but the input has only {}",
                opts.skip,
                summary.skipped
            );
        }
        summary.skipped += 1;
    }
    let streams = sink.writer().is_some();
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
        // Small articles in parallel, each record serialized to memory; large ones later,
        // one at a time, straight to the output (where the sink takes them so).
        let lines: Vec<Option<(Vec<u8>, Written)>> = batch
            .par_iter()
            .map(|item| {
                if streams
                    && item
                        .as_ref()
                        .is_ok_and(|a| a.text.len() >= opts.stream_bytes)
                {
                    return None;
                }
                let mut buf = Vec::new();
                let w = pipeline
                    .write_record(item, &mut buf)
                    .expect("serializing to memory cannot fail");
                Some((buf, w))
            })
            .collect();
        for (item, line) in batch.iter().zip(lines) {
            let w = match line {
                Some((buf, w)) => {
                    sink.record(item, &buf)?;
                    w
                }
                None => {
                    let out = sink.writer().expect("a sink that streams has a writer");
                    let w = pipeline.write_record(item, out).context("writing output")?;
                    sink.end_streamed()?;
                    w
                }
            };
            summary.articles += 1;
            summary.entities += w.entities;
            summary.quotes += w.quotes;
            summary.warned += usize::from(w.warnings > 0);
            match item {
                Ok(a) => {
                    summary.bytes += a.text.len();
                    if w.failed {
                        summary.failed += 1;
                        on_error(&a.id, "analysis failed");
                    } else if w.warnings > 0 {
                        on_error(
                            &a.id,
                            "work budget reached; the record holds what was found",
                        );
                    }
                }
                Err(e) => {
                    summary.failed += 1;
                    on_error(&e.location, &e.message);
                }
            }
        }
        sink.flush()?;
        progress(&summary);
    }
    sink.flush()?;
    Ok(summary)
}

/// Writes to `path` through a partial file in the same folder, renamed into place only
/// when complete, so an interrupted run never leaves a truncated file that looks finished.
/// The partial file's name carries a key of the run's arguments
/// (`.NAME.KEY.partial`), so that a run restarted with the same arguments can resume it.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
    /// Written straight to `dest`, which is no regular file (`/dev/null`, a pipe): a rename
    /// would replace the device or pipe with a file.
    direct: bool,
}

/// Whether `dest` exists as something other than a regular file or folder (a device such as
/// `/dev/null`, a named pipe, a socket).
fn is_special(dest: &Path) -> bool {
    std::fs::metadata(dest).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

impl AtomicFile {
    /// The partial file of `dest` for a run whose arguments have the key `key`.
    pub fn partial_path(dest: &Path, key: u64) -> PathBuf {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        dest.with_file_name(format!(".{name}.{key:016x}.partial"))
    }

    /// Starts the partial file of `dest` afresh.
    pub fn create(dest: &Path, key: u64) -> Result<Self> {
        if is_special(dest) {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(dest)
                .with_context(|| format!("opening {}", dest.display()))?;
            let mut out = Self::wrap(dest.to_path_buf(), dest, f);
            out.direct = true;
            return Ok(out);
        }
        let tmp = Self::partial_path(dest, key);
        let f =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        Ok(Self::wrap(tmp, dest, f))
    }

    /// Reopens the partial file an interrupted run with the same key left, cut after its last
    /// whole record; returns it and how many records it holds. Without one, starts afresh.
    pub fn resume(dest: &Path, key: u64) -> Result<(Self, usize)> {
        use std::io::{Read, Seek, SeekFrom};
        if is_special(dest) {
            return Ok((Self::create(dest, key)?, 0));
        }
        let tmp = Self::partial_path(dest, key);
        let mut f = match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&tmp)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Self::create(dest, key)?, 0))
            }
            Err(e) => return Err(e).with_context(|| format!("opening {}", tmp.display())),
        };
        // Count whole lines in bounded memory; what follows the last newline is a record
        // cut short by the interruption.
        let (mut records, mut whole, mut pos) = (0usize, 0u64, 0u64);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = f
                .read(&mut buf)
                .with_context(|| format!("reading {}", tmp.display()))?;
            if n == 0 {
                break;
            }
            for (i, &b) in buf[..n].iter().enumerate() {
                if b == b'\n' {
                    records += 1;
                    whole = pos + i as u64 + 1;
                }
            }
            pos += n as u64;
        }
        f.set_len(whole)
            .with_context(|| format!("truncating {}", tmp.display()))?;
        f.seek(SeekFrom::Start(whole))
            .with_context(|| format!("seeking in {}", tmp.display()))?;
        Ok((Self::wrap(tmp, dest, f), records))
    }

    fn wrap(tmp: PathBuf, dest: &Path, f: std::fs::File) -> Self {
        AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            file: Some(std::io::BufWriter::with_capacity(1 << 16, f)),
            direct: false,
        }
    }

    /// The partial file being written.
    pub fn partial(&self) -> &Path {
        &self.tmp
    }

    /// Flushes, syncs and renames the file into place (flushes only, where it writes straight
    /// to a device or pipe).
    pub fn commit(mut self) -> Result<()> {
        let f = self.file.take().expect("open until commit");
        let f = f
            .into_inner()
            .map_err(|e| e.into_error())
            .context("flushing output")?;
        if self.direct {
            return Ok(());
        }
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

/// A stable 64-bit key (FNV-1a) of a run's arguments, for naming its partial output.
pub fn run_key(parts: &[impl AsRef<str>]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.as_ref().as_bytes().iter().chain(&[0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_keeps_whole_records_and_cuts_a_torn_one() {
        let dir = std::env::temp_dir().join(format!("whosaid-resume-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dest = dir.join("out.jsonl");
        let key = run_key(&["a", "b"]);
        assert_ne!(key, run_key(&["ab"]));
        let mut f = AtomicFile::create(&dest, key).unwrap();
        f.write_all(b"{\"id\":1}\n{\"id\":2}\n{\"id\"").unwrap();
        f.flush().unwrap();
        drop(f);
        assert!(
            !dest.exists(),
            "an unfinished run leaves no output that looks complete"
        );
        let (mut f, n) = AtomicFile::resume(&dest, key).unwrap();
        assert_eq!(n, 2);
        f.write_all(b"{\"id\":3}\n").unwrap();
        f.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(&dest).unwrap(),
            "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n"
        );
        // Nothing to resume: a fresh start.
        let (f, n) = AtomicFile::resume(&dest, key).unwrap();
        assert_eq!(n, 0);
        drop(f);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_pipe_or_device_is_written_to_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = std::env::temp_dir().join(format!("whosaid-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("out.pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads the NUL-terminated path only.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        for resume in [true, false] {
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
            };
            let mut f = match resume {
                true => AtomicFile::resume(&fifo, 7).unwrap().0,
                false => AtomicFile::create(&fifo, 7).unwrap(),
            };
            f.write_all(b"{\"id\":1}\n").unwrap();
            f.commit().unwrap();
            assert_eq!(reader.join().unwrap(), "{\"id\":1}\n");
        }
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "no partial file"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
