//! The command line end to end: every input kind, every bad input, output files and exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

mod common;
use common::{bin, peak_rss};

fn records(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

const ARTICLE: &str = "Talks in Geneva\n\n\"We made real progress today,\" Secretary of State Marco Rubio said. Officials said the talks would resume on Monday.\n";

fn tmpdir(name: &str) -> PathBuf {
    common::tmpdir(&format!("cli-{name}"))
}

#[test]
fn txt_file_gives_one_record_with_title() {
    let d = tmpdir("txt");
    let p = d.join("geneva-talks.txt");
    std::fs::write(&p, ARTICLE).unwrap();
    let out = run(&["run", p.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = records(&out);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["id"], "geneva-talks");
    assert_eq!(recs[0]["title"], "Talks in Geneva");
    let quotes = recs[0]["quotes"].as_array().unwrap();
    assert!(quotes
        .iter()
        .any(|q| q["kind"] == "direct" && q["speaker_name"] == "Marco Rubio"));
    assert!(quotes
        .iter()
        .any(|q| q["kind"] == "indirect" && q["speaker_name"] == "Officials"));
}

#[test]
fn folder_reads_txt_and_jsonl_sorted() {
    let d = tmpdir("folder");
    std::fs::write(d.join("b.txt"), ARTICLE).unwrap();
    std::fs::write(
        d.join("a.jsonl"),
        "{\"id\": \"j1\", \"text\": \"Rubio said the plan was good for everyone.\", \"extra\": 1}\n{\"id\": 7, \"title\": \"T\", \"text\": \"Nothing here.\"}\n",
    )
    .unwrap();
    std::fs::write(d.join("c.md"), "ignored").unwrap();
    let out = run(&["run", d.to_str().unwrap()]);
    assert!(out.status.success());
    let ids: Vec<String> = records(&out)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, vec!["j1", "7", "b"]);
    assert_eq!(records(&out)[1]["title"], "T");
}

#[test]
fn stdin_json_lines() {
    let out = run_stdin(
        &["run", "-"],
        b"{\"id\":\"s1\",\"text\":\"Dmitriev insisted that Ukraine could never join NATO.\"}\n\n",
    );
    assert!(out.status.success());
    let recs = records(&out);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["quotes"][0]["speaker"]["text"], "Dmitriev");
}

#[test]
fn output_file_is_written_whole_and_no_temporary_is_left() {
    let d = tmpdir("out");
    let p = d.join("a.txt");
    std::fs::write(&p, ARTICLE).unwrap();
    let o = d.join("out.jsonl");
    let out = run(&["run", p.to_str().unwrap(), "-o", o.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(&o).unwrap();
    assert_eq!(text.lines().count(), 1);
    let leftovers: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty());
}

fn error_of(rec: &serde_json::Value) -> String {
    assert_eq!(rec["entities"], serde_json::json!([]));
    assert_eq!(rec["actors"], serde_json::json!([]));
    assert_eq!(rec["quotes"], serde_json::json!([]));
    rec["error"].as_str().expect("an error record").to_string()
}

#[test]
fn bad_files_get_error_records_and_the_run_goes_on() {
    let d = tmpdir("bad");
    std::fs::write(d.join("1-invalid.txt"), [b'a', b' ', 0xff, 0xfe, b'b']).unwrap();
    std::fs::write(d.join("2-empty.txt"), "").unwrap();
    std::fs::write(
        d.join("3-binary.txt"),
        [0u8, 1, 2, 3, 0x89, b'P', b'N', b'G'],
    )
    .unwrap();
    let big = "word ".repeat(4 * 1024 * 1024); // 20 MB
    std::fs::write(d.join("4-huge.txt"), &big).unwrap();
    std::fs::write(d.join("5-unbalanced.txt"), "He said \"this never ends. And “neither does this.\n\n” Officials said so on Monday night.").unwrap();
    std::fs::write(d.join("6-good.txt"), ARTICLE).unwrap();
    let out = run(&["run", d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let recs = records(&out);
    assert_eq!(recs.len(), 6);
    assert!(error_of(&recs[0]).contains("invalid UTF-8"));
    assert!(error_of(&recs[1]).contains("empty"));
    assert!(error_of(&recs[2]).contains("binary"));
    assert!(error_of(&recs[3]).contains("too large"));
    assert!(
        recs[4].get("error").is_none(),
        "unbalanced quotes are analysed, not rejected"
    );
    assert!(recs[5].get("error").is_none());
    assert_eq!(recs[3]["id"], "4-huge");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("6 articles (4 failed, 0 over a work budget)"),
        "{err}"
    );
}

#[test]
fn huge_article_is_accepted_when_the_limit_is_raised() {
    let d = tmpdir("huge");
    let p = d.join("huge.txt");
    let big = "Rubio said the plan was good. ".repeat(700_000); // 21 MB
    std::fs::write(&p, &big).unwrap();
    let out = run(&[
        "run",
        "--max-article-bytes",
        "30000000",
        p.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        records(&out)[0]["quotes"].as_array().unwrap().len(),
        700_000
    );
}

#[test]
fn bad_json_lines_get_error_records() {
    let input = b"{\"id\":\"ok1\",\"text\":\"Fine text here.\"}\nnot json at all\n{\"id\":\"nt\",\"title\":\"x\"}\n{\"id\":\"num\",\"text\":5}\n[1,2]\n{\"id\":\"ok2\",\"text\":\"Officials said the talks would resume on Monday.\"}\n";
    let out = run_stdin(&["run", "-"], input);
    assert_eq!(out.status.code(), Some(2));
    let recs = records(&out);
    assert_eq!(recs.len(), 6);
    assert!(recs[0].get("error").is_none());
    assert_eq!(recs[1]["id"], "<stdin>:2");
    assert!(error_of(&recs[1]).contains("not JSON"));
    assert_eq!(recs[2]["id"], "nt");
    assert!(error_of(&recs[2]).contains("no \"text\""));
    assert!(error_of(&recs[3]).contains("not a string"));
    assert!(error_of(&recs[4]).contains("not a JSON object"));
    assert_eq!(recs[5]["quotes"][0]["speaker_name"], "Officials");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("<stdin>:2: not JSON"), "{err}");
}

#[test]
fn missing_path_is_an_error_record() {
    let out = run(&["run", "/nonexistent/dir/article.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let recs = records(&out);
    assert_eq!(recs[0]["id"], "article");
    assert!(error_of(&recs[0]).contains("cannot open"));
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let one = run(&["run", "-j", "1", corpus.to_str().unwrap()]);
    let two = run(&["run", "-j", "3", corpus.to_str().unwrap()]);
    assert!(one.status.success() && two.status.success());
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn show_marks_entities_and_lists_quotes() {
    let d = tmpdir("show");
    let p = d.join("a.txt");
    std::fs::write(&p, ARTICLE).unwrap();
    let out = run(&["show", "--color", "never", p.to_str().unwrap()]);
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("[Marco Rubio]PER"), "{s}");
    assert!(s.contains("Quotes (2)"), "{s}");
    assert!(s.contains("“We made real progress today”"), "{s}");
}

#[test]
fn bench_reports_counts() {
    let d = tmpdir("bench");
    let p = d.join("a.txt");
    std::fs::write(&p, ARTICLE).unwrap();
    let out = run(&["bench", "--passes", "2", "--json", p.to_str().unwrap()]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["articles"], 1);
    assert_eq!(v["quotes"], 2);
    assert!(v["words_per_cpu_s"].as_f64().unwrap() > 0.0);
    assert!(v["peak_rss_mib"].as_f64().unwrap() > 0.0);
}

const CONLL: &str = "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\nGerman JJ I-NP I-MISC\ncall NN I-NP O\n. . O O\n\nPeter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\n\n";

#[test]
fn tag_appends_a_tag_to_every_token_line() {
    let d = tmpdir("tag");
    let p = d.join("x.conll");
    std::fs::write(&p, CONLL).unwrap();
    let out = run(&["tag", "--conll", p.to_str().unwrap()]);
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), CONLL.lines().count());
    assert_eq!(lines[0], "-DOCSTART- -X- O O");
    assert_eq!(lines[1], "");
    assert!(lines[2].starts_with("EU NNP I-NP I-ORG "));
    assert_eq!(lines[2].split_whitespace().count(), 5);
    assert!(
        lines[9].ends_with("I-PER") || lines[9].ends_with("B-PER"),
        "{}",
        lines[9]
    );
}

#[test]
fn train_ner_writes_a_model_that_run_can_use() {
    let d = tmpdir("train");
    let p = d.join("tiny.conll");
    std::fs::write(&p, CONLL.repeat(5)).unwrap();
    let m = d.join("m.bin");
    let out = run(&[
        "train",
        "ner",
        "--train",
        p.to_str().unwrap(),
        "--dev",
        p.to_str().unwrap(),
        "--epochs",
        "3",
        "-o",
        m.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = d.join("a.txt");
    std::fs::write(&a, ARTICLE).unwrap();
    let out = run(&[
        "run",
        "--ner-model",
        m.to_str().unwrap(),
        a.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    // A model file that is not one is a clear error, not a panic.
    let out = run(&[
        "run",
        "--ner-model",
        a.to_str().unwrap(),
        a.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a whosaid NER model"));
}

/// A tiny PolNeAR-style split (text/ and attributions/ in brat) in `dir`: the same two
/// sentence shapes with changing names and verbs.
fn write_tiny_split(dir: &Path) {
    std::fs::create_dir_all(dir.join("text")).unwrap();
    std::fs::create_dir_all(dir.join("attributions")).unwrap();
    let names = ["Smith", "Jones", "Brown", "Lee", "Garcia", "Miller"];
    let verbs = ["said", "argued", "warned", "claimed", "noted", "insisted"];
    for (k, (n, v)) in names.iter().zip(verbs).enumerate() {
        let a = format!("{n} {v} that taxes would rise.");
        let text = format!("{a} The weather was cold on Monday.");
        let c = a.find(v).unwrap();
        let ann = format!(
            "T1\tSource 0 {}\tx\nT2\tCue {c} {}\tx\nT3\tContent {} {}\tx\nE1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n",
            n.len(),
            c + v.len(),
            c + v.len() + 1,
            a.len() - 1
        );
        std::fs::write(dir.join(format!("text/toy{k}.txt")), text).unwrap();
        std::fs::write(dir.join(format!("attributions/toy{k}_1.ann")), ann).unwrap();
    }
}

#[test]
fn train_quotes_writes_a_model_that_run_can_use() {
    let d = tmpdir("train-quotes");
    write_tiny_split(&d.join("split"));
    let split = d.join("split");
    let m = d.join("q.bin");
    let out = run(&[
        "train",
        "quotes",
        "--train",
        split.to_str().unwrap(),
        "--dev",
        split.to_str().unwrap(),
        "--folds",
        "2",
        "--epochs",
        "3",
        "-o",
        m.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("2-fold CV mean"), "{err}");
    assert!(err.contains("calibration: sigmoid("), "{err}");
    let a = d.join("a.txt");
    std::fs::write(&a, "Taylor said that taxes would rise.").unwrap();
    let out = run(&[
        "run",
        "--quote-model",
        m.to_str().unwrap(),
        a.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let rec = &records(&out)[0];
    assert_eq!(rec["quotes"][0]["cue"]["text"], "said", "{rec}");
    assert_eq!(rec["quotes"][0]["speaker"]["text"], "Taylor", "{rec}");
    // A file that is not a quote model is a clear error, not a panic.
    let out = run(&[
        "run",
        "--quote-model",
        a.to_str().unwrap(),
        a.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a whosaid quote model"));
}

#[test]
fn memory_is_bounded_by_the_batch_not_the_corpus() {
    let d = tmpdir("stream");
    let corpus = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/wikinews-2019-2020.jsonl"),
    )
    .unwrap();
    let small = d.join("small.jsonl");
    let large = d.join("large.jsonl");
    std::fs::write(&small, corpus.repeat(6)).unwrap(); // about 8 MB
    std::fs::write(&large, corpus.repeat(45)).unwrap(); // about 64 MB
    let a = run(&[
        "run",
        "-j",
        "2",
        small.to_str().unwrap(),
        "-o",
        d.join("a.jsonl").to_str().unwrap(),
    ]);
    let b = run(&[
        "run",
        "-j",
        "2",
        large.to_str().unwrap(),
        "-o",
        d.join("b.jsonl").to_str().unwrap(),
    ]);
    assert!(a.status.success() && b.status.success());
    let (ra, rb) = (peak_rss(&a.stderr), peak_rss(&b.stderr));
    assert!(
        rb < ra * 1.5 + 32.0,
        "8 MB corpus peaked at {ra} MiB, 64 MB at {rb} MiB"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
#[cfg(not(feature = "bert"))]
fn bert_backend_without_the_feature_is_a_clear_error() {
    let out = run(&["run", "--ner", "bert", "corpus/seed-article.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("built without the bert backend"), "{err}");
    assert!(err.contains("scripts/setup-libtorch"), "{err}");
    let out = run(&["run", "--quotes", "bert", "corpus/seed-article.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("built without the bert backend"), "{err}");
}

#[test]
#[cfg(feature = "bert")]
fn bert_backend_without_a_model_is_a_clear_error() {
    let out = run(&[
        "run",
        "--ner",
        "bert",
        "--bert-model",
        "no/such/folder",
        "corpus/seed-article.txt",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no bert NER model"), "{err}");
    let out = run(&[
        "run",
        "--quotes",
        "bert",
        "--bert-quotes-model",
        "no/such/folder",
        "corpus/seed-article.txt",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no bert role model"), "{err}");
    assert!(err.contains("train bert-quotes"), "{err}");
    let out = run(&[
        "train",
        "bert-quotes",
        "--dev",
        "no/such/split",
        "--calibrate-only",
        "-o",
        "no/such/folder",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no bert role model"), "{err}");
}

#[test]
fn bert_quotes_training_needs_train_unless_it_only_calibrates() {
    let out = run(&["train", "bert-quotes", "--dev", "no/such/split"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--train"), "{err}");
}
