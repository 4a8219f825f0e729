//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

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
