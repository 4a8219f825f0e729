#!/usr/bin/env python3
"""pipe() throughput beside the CLI's, on the same articles, in one run.

usage: python bench.py [PATH] [--reps N]   (PATH: a folder as `whosaid run` reads it;
default corpus/; the CLI is $WHOSAID_BIN or target/release/whosaid)

Each repetition times `whosaid run PATH` (a process: start-up and model loading included,
output to /dev/null), whosaid.pipe over the same articles as dicts (records as dicts) and
with as_json=True (records as the CLI's JSON lines); the models' load in this process is
timed once, apart. Prints the medians as words per second of wall time.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import time

import whosaid

ROOT = pathlib.Path(__file__).resolve().parents[1]


def articles(path):
    """The articles of a folder, as `whosaid run` reads them (sorted .txt and .jsonl)."""
    out = []
    for f in sorted(pathlib.Path(path).iterdir()):
        if f.suffix == ".txt":
            text = f.read_text(encoding="utf-8")
            title = next((l.strip() for l in text.splitlines() if l.strip()), None)
            out.append({"id": f.stem, "title": title, "text": text})
        elif f.suffix == ".jsonl":
            out.extend(json.loads(l) for l in f.read_text(encoding="utf-8").splitlines() if l.strip())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("path", nargs="?", default=str(ROOT / "corpus"))
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    cli = os.environ.get("WHOSAID_BIN", str(ROOT / "target" / "release" / "whosaid"))
    items = articles(a.path)
    words = sum(len(i["text"].split()) for i in items)
    t = time.perf_counter()
    whosaid.analyze("Ann Lee said the models load once.")
    load = time.perf_counter() - t
    times = {"cli": [], "pipe": [], "pipe_json": []}
    for _ in range(a.reps):
        t = time.perf_counter()
        subprocess.run([cli, "run", a.path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times["cli"].append(time.perf_counter() - t)
        t = time.perf_counter()
        n = sum(1 for _ in whosaid.pipe(items))
        times["pipe"].append(time.perf_counter() - t)
        t = time.perf_counter()
        m = sum(1 for _ in whosaid.pipe(items, as_json=True))
        times["pipe_json"].append(time.perf_counter() - t)
        assert n == m == len(items)
    print(f"{len(items)} articles, {words} words (split on white space), {os.cpu_count()} CPUs, "
          f"{a.reps} repetitions, medians; models' load in Python: {load:.2f} s")
    cli_s = statistics.median(times["cli"])
    for k, label in [("cli", "whosaid run (process, load included)"),
                     ("pipe", "whosaid.pipe (dicts)"), ("pipe_json", "whosaid.pipe (as_json)")]:
        s = statistics.median(times[k])
        print(f"{label:40s} {s:7.3f} s  {words / s:10,.0f} words/s  {cli_s / s:5.2f}x the CLI")


if __name__ == "__main__":
    main()
