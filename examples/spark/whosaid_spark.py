#!/usr/bin/env python3
"""Analyse JSON Lines articles on Spark with whosaid.

usage: whosaid_spark.py IN OUT_DIR [--master URL] [--partitions N] [--engine binding|cli]
                        [--threads N] [--whosaid PATH] [--overwrite]

IN is a JSON Lines file (or a folder or glob of them; one article per line, with "text" and
optional "id" and "title"). OUT_DIR receives JSON Lines parts (part-00000 ...), one record per
input line, each the very line `whosaid run` writes for it; records keep their ids, so the
order of parts does not matter.

--engine binding (the default) runs the Python module `whosaid` (pip install ./python) inside
each Python worker with mapPartitions: the models load once per worker process and each
partition streams through whosaid.pipe. --engine cli pipes each partition through the
`whosaid run -` binary (--whosaid PATH, present on every executor) with RDD.pipe.
--master defaults to local[*]. A line that is not a JSON object gets an error record, as the
CLI gives one, with the id "line:N" (N counting from 1 over IN).
"""
import argparse
import json
import os
import shlex
import shutil
import sys


def error_record(id_, message):
    """The CLI's error record, as its JSON line."""
    return json.dumps({"id": id_, "title": None, "error": message, "entities": [],
                       "actors": [], "quotes": []}, ensure_ascii=False, separators=(",", ":"))


def records_binding(indexed_lines, threads=1, chunk=256):
    """mapPartitions over the binding: (line, index) pairs in, JSON lines out, in order."""
    import whosaid

    buf = []

    def flush():
        good = [x for x in buf if isinstance(x, dict)]
        out = whosaid.pipe(good, threads=threads, batch_size=chunk, as_json=True)
        for x in buf:
            yield next(out) if isinstance(x, dict) else x
        buf.clear()

    for line, n in indexed_lines:
        if not line.strip():
            continue
        at = f"line:{n + 1}"
        try:
            obj = json.loads(line)
        except ValueError as e:
            buf.append(error_record(at, f"not JSON: {e}"))
        else:
            if not isinstance(obj, dict):
                buf.append(error_record(at, "not a JSON object"))
            else:
                ok_id = isinstance(obj.get("id"), (str, int)) and not isinstance(obj.get("id"), bool)
                buf.append(obj if ok_id else dict(obj, id=at))
        if len(buf) >= chunk:
            yield from flush()
    yield from flush()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("out_dir")
    ap.add_argument("--master", default="local[*]")
    ap.add_argument("--partitions", type=int, default=None,
                    help="partitions to analyse (default: Spark's split of the input)")
    ap.add_argument("--engine", choices=["binding", "cli"], default="binding")
    ap.add_argument("--whosaid", default="whosaid", help="the CLI binary, for --engine cli")
    ap.add_argument("--threads", type=int, default=1,
                    help="whosaid threads per Spark task (default 1: Spark runs a task per core)")
    ap.add_argument("--overwrite", action="store_true", help="replace OUT_DIR if it exists")
    a = ap.parse_args(argv)
    if os.path.exists(a.out_dir):
        if not a.overwrite:
            sys.exit(f"whosaid_spark: {a.out_dir} exists (use --overwrite to replace it)")
        shutil.rmtree(a.out_dir)

    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master(a.master).appName("whosaid")
             .config("spark.ui.enabled", "false").getOrCreate())
    sc = spark.sparkContext
    sc.setLogLevel("WARN")
    lines = sc.textFile(a.input)
    if a.engine == "binding":
        indexed = lines.zipWithIndex()
        if a.partitions:
            indexed = indexed.repartition(a.partitions)
        threads = a.threads
        out = indexed.mapPartitions(lambda it: records_binding(it, threads=threads))
    else:
        # `whosaid run -` exits 2 when an article failed (its error record is written); only
        # other codes are failures of the task.
        script = f"{shlex.quote(a.whosaid)} run - ; rc=$?; [ $rc -eq 2 ] && exit 0; exit $rc"
        cmd = "sh -c " + shlex.quote(script)
        if a.partitions:
            lines = lines.repartition(a.partitions)
        out = lines.filter(lambda l: l.strip()).pipe(cmd, env={"LC_ALL": "C.UTF-8"}, checkCode=True)
    out.saveAsTextFile(a.out_dir)
    n = spark.read.text(a.out_dir).count()
    print(f"whosaid_spark: {n} records in {a.out_dir} ({a.engine})", file=sys.stderr)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
