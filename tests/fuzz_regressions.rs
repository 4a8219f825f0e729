//! Replays the fuzz targets' seeds and every input a fuzzer once crashed on
//! (`fuzz/regressions/TARGET/`) through the checks the targets run.

use std::path::Path;
use whosaid::check;
use whosaid::Pipeline;

fn inputs(target: &str) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = vec![root.join("corpus").join(target).join("seed")];
    if let Ok(rd) = std::fs::read_dir(root.join("regressions").join(target)) {
        files.extend(rd.filter_map(|e| e.ok()).map(|e| e.path()));
    }
    files.sort();
    let out: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert!(!out.is_empty());
    out
}

#[test]
fn pipeline_regressions() {
    let p = Pipeline::new_default().unwrap();
    for d in inputs("pipeline") {
        check::pipeline_on_bytes(&p, &d);
    }
}

#[test]
fn jsonl_regressions() {
    inputs("jsonl")
        .iter()
        .for_each(|d| check::jsonl_on_bytes(d));
}

#[test]
fn brat_regressions() {
    inputs("brat").iter().for_each(|d| check::brat_on_bytes(d));
}
