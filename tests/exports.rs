//! The export formats of `whosaid run --format`: the CSV parsed back (by an RFC 4180 reader
//! written here, not the writer's code) equals the JSON records; every Label Studio region
//! carries its text and every relation joins regions of its task; the brat export, scored by
//! `polnear_score.py` against the JSON records it came from, gives 100.

mod common;

use common::{bin, tmpdir};
use serde_json::Value;
use std::path::{Path, PathBuf};

const TRICKY: &str = r#"{"id": "tricky/1", "title": "Commas, \"quotes\"\nand lines", "text": "😀 Maria Lopez, the mayor, said: \"We will rebuild, fast.\"\n\nShe added that the city had \"no choice\"."}
not json at all
{"id": "empty", "text": ""}
"#;

fn inputs(dir: &Path) -> Vec<PathBuf> {
    common::seed_and_jsonl(dir, "tricky", TRICKY)
}

fn run(paths: &[PathBuf], extra: &[&str]) -> Vec<u8> {
    let out = bin().arg("run").args(extra).args(paths).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "one input line is bad");
    out.stdout
}

fn records(paths: &[PathBuf]) -> Vec<Value> {
    String::from_utf8(run(paths, &[]))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// RFC 4180: records end in CRLF; a field in double quotes may hold commas, CRLF, LF and
/// doubled quote marks.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = s.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                assert!(field.is_empty(), "a quote mark inside an unquoted field");
                quoted = true;
            }
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            '\n' => panic!("a bare LF ends a record"),
            _ => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && row.is_empty(),
        "the last record ends in CRLF"
    );
    rows
}

fn s(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn csv_parses_back_to_the_records() {
    let dir = tmpdir("export-csv");
    let paths = inputs(&dir);
    let recs = records(&paths);
    let csv = String::from_utf8(run(&paths, &["--format", "csv"])).unwrap();
    let rows = parse_csv(&csv);
    assert_eq!(rows[0].join(","), whosaid::export::csv::COLUMNS.join(","));
    let mut want = Vec::new();
    for r in &recs {
        if let Some(e) = r.get("error") {
            want.push(vec![
                s(&r["id"]),
                s(&r["title"]),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                s(e),
            ]);
            continue;
        }
        for q in r["quotes"].as_array().unwrap() {
            let parts = q["content"].as_array().unwrap();
            let content: Vec<String> = parts.iter().map(|p| s(&p["text"])).collect();
            want.push(vec![
                s(&r["id"]),
                s(&r["title"]),
                s(&q["kind"]),
                q["speaker"].get("text").map(s).unwrap_or_default(),
                s(&q["speaker_name"]),
                s(&q["speaker_actor"]),
                q["cue"].get("text").map(s).unwrap_or_default(),
                content.join(" "),
                s(&parts[0]["start"]),
                s(&parts[parts.len() - 1]["end"]),
                s(&q["confidence"]),
                String::new(),
            ]);
        }
    }
    assert_eq!(rows[1..], want[..]);
    assert!(
        want.iter().any(|r| r[1].contains("\"quotes\"\nand")),
        "the tricky title is a row"
    );
    assert!(
        want.iter().any(|r| !r[11].is_empty()),
        "the bad line is an error row"
    );
    assert!(want.len() > 28);
}

#[test]
fn label_studio_regions_carry_their_text_and_relations_join_them() {
    let dir = tmpdir("export-ls");
    let paths = inputs(&dir);
    let recs = records(&paths);
    let tasks: Value = serde_json::from_slice(&run(&paths, &["--format", "label-studio"])).unwrap();
    let tasks = tasks.as_array().unwrap();
    assert_eq!(tasks.len(), recs.len(), "one task per record");
    let mut quotes = 0;
    for (t, r) in tasks.iter().zip(&recs) {
        assert_eq!(t["data"]["id"], r["id"]);
        let text: Vec<char> = t["data"]["text"].as_str().unwrap().chars().collect();
        let result = t["predictions"][0]["result"].as_array().unwrap();
        let mut ids = std::collections::HashSet::new();
        for x in result.iter().filter(|x| x["type"] == "labels") {
            let v = &x["value"];
            let (a, b) = (
                v["start"].as_u64().unwrap() as usize,
                v["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(
                text[a..b].iter().collect::<String>(),
                v["text"].as_str().unwrap()
            );
            let label = v["labels"][0].as_str().unwrap();
            assert!(
                whosaid::export::label_studio::LABELS.contains(&label),
                "{label}"
            );
            assert!(
                ids.insert(x["id"].as_str().unwrap().to_string()),
                "region ids are unique"
            );
        }
        for x in result.iter().filter(|x| x["type"] == "relation") {
            assert!(ids.contains(x["from_id"].as_str().unwrap()));
            assert!(ids.contains(x["to_id"].as_str().unwrap()));
        }
        let n = r["quotes"].as_array().unwrap().len();
        quotes += n;
        let sources = result
            .iter()
            .filter(|x| x["value"]["labels"][0] == "Source")
            .count();
        let with_speaker = r["quotes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| !q["speaker"].is_null())
            .count();
        assert_eq!(sources, with_speaker);
    }
    assert!(quotes > 28);
}

#[test]
fn brat_needs_a_folder() {
    let out = bin()
        .args(["run", "--format", "brat"])
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/seed-article.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o DIR"));
}

#[test]
fn brat_export_scores_100_against_its_records() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scorer = root.join("../shared/eval/polnear_score.py");
    let dev = root.join("../shared/data/polnear/dev/text");
    if !scorer.exists() || !dev.exists() {
        eprintln!(
            "skipping: ../shared (polnear_score.py and PolNeAR dev) not found next to the checkout"
        );
        return;
    }
    let dir = tmpdir("export-brat");
    let paths = [dev, root.join("corpus/seed-article.txt")];
    let out = bin().arg("run").args(&paths).output().unwrap();
    assert!(out.status.success());
    std::fs::write(dir.join("pred.jsonl"), &out.stdout).unwrap();
    let brat = dir.join("brat");
    let st = bin()
        .args(["run", "--format", "brat", "-o"])
        .arg(&brat)
        .args(&paths)
        .status()
        .unwrap();
    assert!(st.success());
    assert!(brat.join("annotation.conf").exists() && brat.join("visual.conf").exists());
    // The scorer reads a PolNeAR split: text/ID.txt and attributions/ID_ANNOTATOR.ann.
    let split = dir.join("split");
    std::fs::create_dir_all(split.join("text")).unwrap();
    std::fs::create_dir_all(split.join("attributions")).unwrap();
    let mut n = 0;
    for e in std::fs::read_dir(&brat).unwrap() {
        let p = e.unwrap().path();
        let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
        match p.extension().and_then(|x| x.to_str()) {
            Some("txt") => {
                std::fs::copy(&p, split.join("text").join(format!("{stem}.txt"))).unwrap();
            }
            Some("ann") => {
                n += 1;
                std::fs::copy(
                    &p,
                    split
                        .join("attributions")
                        .join(format!("{stem}_whosaid.ann")),
                )
                .unwrap();
            }
            _ => {}
        }
    }
    assert_eq!(n, 85);
    let out = std::process::Command::new("python3")
        .arg(&scorer)
        .arg(&split)
        .arg(dir.join("pred.jsonl"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let score: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    eprintln!("{}", stdout.lines().last().unwrap());
    assert!(score["gold"].as_u64().unwrap() > 1700);
    assert_eq!(score["gold"], score["pred"]);
    assert_eq!(score["offset_errors"], 0);
    for k in ["content@0.5", "content@0.9", "attribution"] {
        assert_eq!(score[k], serde_json::json!([100.0, 100.0, 100.0]), "{k}");
    }
    assert_eq!(score["speaker_acc"], 100.0);
    assert_eq!(score["cue_acc"], 100.0);
    // Direct recall is whole; precision is not, as the scorer takes only double quotation
    // marks as direct and the pipeline also single ones and '' (see the README).
    assert_eq!(score["direct"][1], 100.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn only_json_lines_resume_and_files_are_written_whole() {
    let dir = tmpdir("export-resume");
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/seed-article.txt");
    let out = bin()
        .args(["run", "--format", "csv", "--resume", "-o"])
        .arg(dir.join("q.csv"))
        .arg(&seed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--resume continues JSON Lines output only")
    );
    let st = bin()
        .args(["run", "--format", "label-studio", "-o"])
        .arg(dir.join("tasks.json"))
        .arg(&seed)
        .status()
        .unwrap();
    assert!(st.success());
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["tasks.json"], "no partial file is left");
    let tasks: Value =
        serde_json::from_slice(&std::fs::read(dir.join("tasks.json")).unwrap()).unwrap();
    assert_eq!(tasks.as_array().unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
