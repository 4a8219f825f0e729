//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The whosaid binary.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_whosaid"))
}

/// A fresh, empty folder for one test.
pub fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("whosaid-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The peak RSS in MiB from a run's summary line on stderr.
pub fn peak_rss(stderr: &[u8]) -> f64 {
    let s = String::from_utf8_lossy(stderr);
    let tail = s.rsplit("peak RSS ").next().unwrap();
    tail.split_whitespace().next().unwrap().parse().unwrap()
}

/// A small deterministic generator.
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number below `below`.
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// The showcase article and a JSON Lines file of `lines` written into `dir` as NAME.jsonl:
/// inputs for the tests of the formats and the report.
pub fn seed_and_jsonl(dir: &Path, name: &str, lines: &str) -> Vec<PathBuf> {
    let j = dir.join(format!("{name}.jsonl"));
    std::fs::write(&j, lines).unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    vec![root.join("corpus/seed-article.txt"), j]
}

/// `out`, after checking that its command succeeded (its stderr shown where not).
pub fn succeeded(out: Output) -> Output {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
