"""The Spark engine beside DuckDB on one machine (issue 17): whole CLI processes on the same data, the JSON compared.

    .venv/bin/python -m bench.spark --db PATH [--as-of DAY] [--runs N] [--out bench/results/spark-10M.md]

From a database (e.g. the benchmark's 10 M-event one: `optout-cohorts ingest` of bench/.data/…/csv/*), it writes the
lake once (timed), then times under /usr/bin/time -v, each as a fresh process: the DuckDB report on the database,
the DuckDB report on the lake (which reads the lake into a temporary database first), and the Spark report on the
lake (session start, facts, report). Peak memory is /usr/bin/time's for the process it waits for: Spark's JVM,
which pyspark starts and does not wait for, is not in it (its heap is capped by spark.driver.memory, 4 GB by
default). Every Spark JSON must equal the DuckDB one, or the run stops. Needs the spark extra and Java 17.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "analytics.cli"]


def timed(arguments: list[str], out: Path) -> tuple[float, int]:
    """(wall seconds, peak resident MiB) of one CLI process writing to out."""
    completed = subprocess.run(
        ["/usr/bin/time", "-v", *CLI, *arguments, "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "OPTOUT_COHORTS_LANGUAGE": "en"},
        cwd=ROOT,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(arguments)} failed:\n{completed.stderr[-3000:]}")
    wall = re.search(
        r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", completed.stderr
    )
    hours, minutes, seconds = (float(g or 0) for g in wall.groups())
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", completed.stderr).group(1))
    return hours * 3600 + minutes * 60 + seconds, peak // 1024


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--as-of", default="2026-11-22")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rows: list[tuple[str, list[tuple[float, int]]]] = []
    with tempfile.TemporaryDirectory(prefix="bench-spark-") as folder:
        work = Path(folder)
        lake = work / "lake"
        export = timed(["export-lake", "--db", str(args.db)], lake)
        reference = work / "duckdb.json"
        plans = [
            ("DuckDB report on the database (CLI, cold)", ["report", "--db", str(args.db)]),
            ("DuckDB report on the lake (CLI: lake read into a temporary database, then the report)",
             ["report", "--lake", str(lake)]),
            ("Spark report on the lake (CLI, local[*]: session, facts, report)",
             ["report", "--engine", "spark", "--lake", str(lake)]),
        ]  # fmt: skip
        for label, arguments in plans:
            runs = []
            for run in range(args.runs):
                out = reference if not rows and run == 0 else work / f"r{len(rows)}-{run}.json"
                runs.append(timed([*arguments, "--as-of", args.as_of, "--format", "json"], out))
                if out != reference and out.read_bytes() != reference.read_bytes():
                    raise SystemExit(f"{label}: the JSON differs from the DuckDB engine's")
                print(f"{label}: {runs[-1][0]:.1f} s, {runs[-1][1]} MiB", flush=True)
            rows.append((label, runs))
        lake_mb = sum(p.stat().st_size for p in lake.rglob("*") if p.is_file()) / 1e6
    lines = [
        f"# The Spark engine beside DuckDB ({dt.date.today().isoformat()}, {os.cpu_count()} CPUs, "
        f"{platform.python_version()}, `python -m bench.spark --db {args.db.name} --runs {args.runs}`)",
        "",
        f"Report date {args.as_of}; every Spark JSON equal to the DuckDB engine's, byte for byte.",
        f"export-lake: {export[0]:.1f} s, {export[1]} MiB; lake {lake_mb:.0f} MB.",
        "",
        "| measurement (whole process) | wall time, each run | peak memory (Python process) |",
        "|---|---:|---:|",
    ]
    for label, runs in rows:
        lines.append(
            f"| {label} | {', '.join(f'{w:.1f} s' for w, _ in runs)} | {max(m for _, m in runs):,} MiB |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
