//! Hostile and unlucky runs end to end: a 100 MB line, a reader that closes the pipe, and
//! runs killed at random moments and resumed.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

mod common;
use common::{bin, peak_rss, tmpdir, Lcg};
use std::time::Duration;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

#[test]
fn a_100_mb_line_without_a_newline_gets_an_error_record_in_bounded_memory() {
    let d = tmpdir("limits-line");
    let p = d.join("huge.jsonl");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
        writeln!(
            f,
            r#"{{"id": "before", "text": "Rubio said the talks went well."}}"#
        )
        .unwrap();
        f.write_all(br#"{"id": "huge", "text": ""#).unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&chunk).unwrap();
        }
    }
    let out = bin().args(["run", p.to_str().unwrap()]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an error record makes the exit status 2"
    );
    let recs: Vec<serde_json::Value> = String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 2);
    assert!(recs[0].get("error").is_none());
    assert_eq!(recs[1]["id"], format!("{}:2", p.display()));
    assert!(recs[1]["error"].as_str().unwrap().contains("line too long"));
    // Against the same build on the first line alone (a build with libtorch starts larger):
    // the huge line costs at most its bounded read buffer, not its 100 MB.
    let small = d.join("small.jsonl");
    std::fs::write(
        &small,
        r#"{"id": "before", "text": "Rubio said the talks went well."}"#,
    )
    .unwrap();
    let base = bin()
        .args(["run", small.to_str().unwrap()])
        .output()
        .unwrap();
    let (rss, base) = (peak_rss(&out.stderr), peak_rss(&base.stderr));
    assert!(
        rss < base + 100.0,
        "peak RSS {rss} MiB for a 100 MB line, {base} MiB for one small line"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_reader_that_closes_the_pipe_ends_the_run_quietly() {
    let mut child = bin()
        .args(["run", "-j", "1", "--batch-articles", "4"])
        .arg(corpus())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("{\"id\""));
    // The reader is gone (as `| head -1` leaves).
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("error"), "stderr: {err}");
}

/// The length of round `round`'s partial output file in `d` (0 when there is none).
fn partial_len(d: &Path, round: usize) -> u64 {
    std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!(".got{round}.jsonl."))
        })
        .and_then(|e| e.metadata().ok())
        .map_or(0, |m| m.len())
}

#[test]
fn runs_killed_at_random_moments_resume_to_the_same_bytes() {
    let d = tmpdir("limits-resume");
    let want_path = d.join("want.jsonl");
    let args = |out: &Path| -> Vec<String> {
        vec![
            "run".into(),
            "--batch-articles".into(),
            "3".into(),
            corpus().display().to_string(),
            "-o".into(),
            out.display().to_string(),
        ]
    };
    let st = bin().args(args(&want_path)).output().unwrap();
    assert!(st.status.success());
    let want = std::fs::read(&want_path).unwrap();
    let mut rng = Lcg(20261201);
    let mut resumed_from_middle = 0;
    for round in 0..6 {
        let out = d.join(format!("got{round}.jsonl"));
        let mut resume = false;
        // Kill the run up to three times at random moments, then let it finish.
        for attempt in 0..4 {
            let mut cmd = bin();
            cmd.args(args(&out))
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            if resume {
                cmd.arg("--resume");
            }
            let at_start = partial_len(&d, round);
            let mut child = cmd.spawn().unwrap();
            if attempt < 3 {
                if attempt == 0 {
                    // Anywhere from the start, model loading included.
                    std::thread::sleep(Duration::from_millis(rng.next(600)));
                } else {
                    // Once the run has written more records (whatever its start-up costs on
                    // this build and machine), then a little later.
                    let t0 = std::time::Instant::now();
                    while partial_len(&d, round) <= at_start
                        && child.try_wait().unwrap().is_none()
                        && t0.elapsed() < Duration::from_secs(60)
                    {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    std::thread::sleep(Duration::from_millis(rng.next(100)));
                }
                let _ = child.kill(); // SIGKILL
                let _ = child.wait();
                if !out.exists() {
                    // The run was killed before it finished: no complete-looking output.
                    let n = partial_len(&d, round);
                    if n > 0 && n < want.len() as u64 {
                        resumed_from_middle += 1;
                    }
                }
            } else {
                let o = child.wait_with_output().unwrap();
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            }
            resume = true;
        }
        let got = std::fs::read(&out).unwrap();
        assert!(got == want, "round {round}: resumed output differs");
        let leftovers = std::fs::read_dir(&d)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!(".got{round}"))
            })
            .count();
        assert_eq!(leftovers, 0, "the partial file is renamed into place");
    }
    assert!(
        resumed_from_middle > 0,
        "no kill landed in the middle of a run"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn resume_needs_an_output_file() {
    let out = bin()
        .args(["run", "--resume"])
        .arg(corpus())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--output"));
}
