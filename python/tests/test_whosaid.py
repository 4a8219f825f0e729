"""Tests of the Python binding: records equal the CLI's, pipe keeps order and releases the
GIL, bad input gets the CLI's error records, misuse raises."""
import json
import os
import pathlib
import shutil
import subprocess
import threading
import time

import pytest
import whosaid

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEED = ROOT / "corpus" / "seed-article.txt"
WIKINEWS = ROOT / "corpus" / "wikinews-2019-2020.jsonl"


def cli():
    """The CLI binary: $WHOSAID_BIN, target/release/whosaid, or whosaid on PATH."""
    for c in (os.environ.get("WHOSAID_BIN"), ROOT / "target" / "release" / "whosaid",
              shutil.which("whosaid")):
        if c and pathlib.Path(c).exists():
            return str(c)
    pytest.skip("the whosaid CLI is not built (cargo build --release)")


def cli_records(*args, stdin=None):
    out = subprocess.run([cli(), "run", *map(str, args)], input=stdin, capture_output=True,
                         text=True)
    assert out.returncode in (0, 2), out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_version():
    assert whosaid.__version__ == "0.1.0"


def test_analyze_the_seed_equals_the_golden_record():
    text = SEED.read_text(encoding="utf-8")
    golden = json.loads((ROOT / "tests" / "golden" / "seed-article.json").read_text())
    rec = whosaid.analyze(text, id="seed-article", title=golden["title"])
    assert rec == golden
    assert len(rec["quotes"]) == 28


def test_analyze_the_seed_equals_the_cli_record():
    text = SEED.read_text(encoding="utf-8")
    (from_txt,) = cli_records(SEED)
    assert whosaid.analyze(text, id="seed-article", title=from_txt["title"]) == from_txt
    line = json.dumps({"id": "seed-article", "text": text})
    (from_jsonl,) = cli_records("-", stdin=line + "\n")
    assert whosaid.analyze(text, id="seed-article") == from_jsonl


def test_pipe_equals_the_cli_in_input_order():
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines()[:60]
    items = [json.loads(line) for line in lines]
    want = cli_records("-", stdin="\n".join(lines) + "\n")
    got = list(whosaid.pipe(items, batch_size=7))
    assert [r["id"] for r in got] == [i["id"] for i in items]
    assert got == want
    raw = list(whosaid.pipe(items[:5], threads=1, as_json=True))
    assert all(isinstance(r, str) for r in raw)
    out = subprocess.run([cli(), "run", "-"], input="\n".join(lines[:5]) + "\n",
                         capture_output=True, text=True)
    assert raw == out.stdout.splitlines(), "as_json gives the CLI's very lines"


def test_pipe_takes_strings_dicts_and_generators():
    recs = list(whosaid.pipe(s for s in ["Ann Lee said it was fine.", "Bob said no."]))
    assert [r["id"] for r in recs] == ["item:1", "item:2"]
    assert recs[0] == whosaid.analyze("Ann Lee said it was fine.", id="item:1")
    recs = list(whosaid.pipe([{"id": 7, "text": "Bob said no.", "title": "T"}]))
    assert recs[0]["id"] == "7" and recs[0]["title"] == "T"
    assert list(whosaid.pipe([])) == []


def test_bad_input_gets_the_cli_error_records():
    bad = [{"id": "e", "text": ""}, {"id": "n", "text": 3}, {"id": "m"}, "   "]
    got = list(whosaid.pipe(bad))
    lines = "\n".join(json.dumps(b) for b in bad[:3]) + "\n"
    want = cli_records("-", stdin=lines)
    assert got[:3] == [dict(w) for w in want]
    assert [r["error"] for r in got] == ["empty article", 'field "text" is not a string',
                                         'no "text" field', "empty article"]
    assert all(r["entities"] == [] and r["quotes"] == [] for r in got)
    assert whosaid.analyze("")["error"] == "empty article"


def test_misuse_raises_clear_errors():
    with pytest.raises(TypeError, match="text must be str, not int"):
        whosaid.analyze(5)
    with pytest.raises(TypeError, match="id must be str or None"):
        whosaid.analyze("x", id=3)
    with pytest.raises(TypeError, match="items must be iterable, not int"):
        whosaid.pipe(5)
    with pytest.raises(TypeError, match="item 2 is bytes"):
        list(whosaid.pipe(["ok", b"no"]))
    with pytest.raises(ValueError, match="threads must be at least 1"):
        whosaid.pipe([], threads=0)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        whosaid.pipe([], batch_size=0)


def test_an_exception_from_the_items_reaches_the_caller():
    def items():
        yield "Ann said so."
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        list(whosaid.pipe(items(), batch_size=10))


def test_pipe_releases_the_gil_while_it_works():
    text = SEED.read_text(encoding="utf-8")
    items = [{"id": str(i), "text": text} for i in range(150)]
    done = threading.Event()
    took = {}

    def work():
        t = time.perf_counter()
        for _ in whosaid.pipe(items, threads=1, batch_size=len(items)):
            pass
        took["s"] = time.perf_counter() - t
        done.set()

    th = threading.Thread(target=work)
    gaps, last = [], time.perf_counter()
    th.start()
    while not done.is_set():
        time.sleep(0.002)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    th.join()
    # One batch runs in Rust for the whole time; had it held the GIL, this thread would
    # have stalled for about that long.
    assert took["s"] > 0.2, took
    assert max(gaps) < took["s"] / 3, (max(gaps), took)
