"""The Spark example (examples/spark/whosaid_spark.py) in local mode: its records equal
`whosaid run`'s on the same input, with either engine; a bad line gets an error record.
Skips where pyspark is not installed, unless WHOSAID_REQUIRE_SPARK is set (as CI sets it)."""
import glob
import json
import os
import subprocess
import sys

import pytest

from test_whosaid import ROOT, WIKINEWS, cli

EXAMPLE = ROOT / "examples" / "spark" / "whosaid_spark.py"


def have_spark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if os.environ.get("WHOSAID_REQUIRE_SPARK"):
            raise
        pytest.skip("pyspark is not installed (pip install pyspark)")


def parts(out_dir):
    assert os.path.exists(os.path.join(out_dir, "_SUCCESS"))
    return [line for f in sorted(glob.glob(os.path.join(out_dir, "part-*")))
            for line in open(f, encoding="utf-8").read().splitlines()]


@pytest.mark.parametrize("engine", ["binding", "cli"])
def test_spark_records_equal_the_cli(tmp_path, engine):
    have_spark()
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines()[:40]
    sample = tmp_path / "sample.jsonl"
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    want = subprocess.run([cli(), "run", str(sample)], capture_output=True, text=True,
                          check=True).stdout.splitlines()
    out = tmp_path / "out"
    args = [sys.executable, str(EXAMPLE), str(sample), str(out), "--master", "local[2]",
            "--partitions", "3", "--engine", engine, "--whosaid", cli()]
    run = subprocess.run(args, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    got = parts(out)
    assert len(got) == len(want) == 40
    # The same lines, byte for byte; order across parts does not matter.
    assert sorted(got) == sorted(want)
    assert f"40 records in {out} ({engine})" in run.stderr
    again = subprocess.run(args, capture_output=True, text=True)
    assert again.returncode != 0 and "exists" in again.stderr


def test_spark_bad_lines_get_error_records(tmp_path):
    have_spark()
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines()[:3]
    sample = tmp_path / "bad.jsonl"
    sample.write_text("\n".join([lines[0], "not json", "[1]", lines[1], '{"id": "e", "text": ""}'])
                      + "\n", encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, str(EXAMPLE), str(sample), str(out), "--master",
                          "local[1]"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    recs = {r["id"]: r for r in map(json.loads, parts(out))}
    assert len(recs) == 5
    assert recs["line:2"]["error"].startswith("not JSON")
    assert recs["line:3"]["error"] == "not a JSON object"
    assert recs["e"]["error"] == "empty article"
    assert recs[json.loads(lines[1])["id"]].get("error") is None
