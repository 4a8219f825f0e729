//! The drivers of the command line's batch commands (`run`, `report`, `tag`): options in, files
//! and a summary out, and the messages the table builders share. `main.rs` parses the
//! arguments and calls them.

pub mod bert;
pub mod report;
pub mod run;
pub mod tag;

use anyhow::{Context, Result};
use std::path::Path;
use std::process::ExitCode;

/// Reads the list file a table is built from.
pub fn read_list(list: &Path) -> Result<String> {
    std::fs::read_to_string(list).with_context(|| format!("reading {}", list.display()))
}

/// Says that a built table was written, and what must follow.
pub fn wrote_table(n: usize, what: &str, output: &Path, ner: bool) -> Result<ExitCode> {
    let then = if ner {
        "rebuild whosaid, then retrain the NER model"
    } else {
        "rebuild whosaid"
    };
    eprintln!("{n} {what}; wrote {} ({then})", output.display());
    Ok(ExitCode::SUCCESS)
}
