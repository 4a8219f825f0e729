//! Throughput measurement: articles/s, words/s, words per CPU-second and peak memory.

use crate::input::{Article, InputOptions, Inputs};
use crate::pipeline::Pipeline;
use rayon::prelude::*;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// What a bench run measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Articles analysed per pass.
    pub articles: usize,
    /// Words (white-space separated) per pass.
    pub words: usize,
    /// Passes made.
    pub passes: usize,
    /// Threads in the pool.
    pub threads: usize,
    /// Wall-clock seconds over all passes.
    pub wall_s: f64,
    /// CPU seconds (user + system) over all passes.
    pub cpu_s: f64,
    /// Articles per second.
    pub articles_per_s: f64,
    /// Words per second.
    pub words_per_s: f64,
    /// Words per CPU-second.
    pub words_per_cpu_s: f64,
    /// Peak resident memory of the process, in MiB.
    pub peak_rss_mib: f64,
    /// Entities found per pass (a check that the work was done).
    pub entities: usize,
    /// Quotes found per pass.
    pub quotes: usize,
}

/// CPU seconds used by this process so far (user + system).
pub fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the struct we pass.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut ru) != 0 {
            return 0.0;
        }
        let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        tv(ru.ru_utime) + tv(ru.ru_stime)
    }
}

/// Peak resident set size of this process in MiB.
pub fn peak_rss_mib() -> f64 {
    // SAFETY: as above.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut ru) != 0 {
            return 0.0;
        }
        ru.ru_maxrss as f64 / 1024.0
    }
}

/// Loads the readable articles of `paths` (unreadable ones are skipped and counted).
pub fn load(paths: &[PathBuf], opts: InputOptions) -> (Vec<Article>, usize) {
    let mut ok = Vec::new();
    let mut bad = 0;
    for item in Inputs::open(paths, opts) {
        match item {
            Ok(a) => ok.push(a),
            Err(_) => bad += 1,
        }
    }
    (ok, bad)
}

/// Runs the whole pipeline (records serialized to JSON, as `run` does) over `articles`
/// `passes` times.
pub fn bench(pipeline: &Pipeline, articles: &[Article], passes: usize) -> BenchReport {
    let words: usize = articles
        .iter()
        .map(|a| a.text.split_whitespace().count())
        .sum();
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let mut entities = 0;
    let mut quotes = 0;
    for _ in 0..passes.max(1) {
        let counts: Vec<(usize, usize, usize)> = articles
            .par_iter()
            .map(|a| {
                let mut line = Vec::new();
                let w = pipeline
                    .write_article(a, &mut line)
                    .expect("serializing to memory cannot fail");
                (w.entities, w.quotes, line.len())
            })
            .collect();
        entities = counts.iter().map(|c| c.0).sum();
        quotes = counts.iter().map(|c| c.1).sum();
    }
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let passes = passes.max(1);
    let total_words = (words * passes) as f64;
    BenchReport {
        articles: articles.len(),
        words,
        passes,
        threads: rayon::current_num_threads(),
        wall_s: wall,
        cpu_s: cpu,
        articles_per_s: (articles.len() * passes) as f64 / wall,
        words_per_s: total_words / wall,
        words_per_cpu_s: total_words / cpu.max(1e-9),
        peak_rss_mib: peak_rss_mib(),
        entities,
        quotes,
    }
}
