"""Benchmark: ingest the demo brand at a given size through the CLI, then produce the §9 report.

Each step runs as a whole process (as a marketer or a scheduler would run it), several times; the script prints
the median and min–max wall time, rows/s, MB/s and the peak resident memory of the process.

    .venv/bin/python bench/ingest_report.py --scale 4 --runs 3
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics import demo  # noqa: E402

CLI = [sys.executable, "-m", "analytics.cli"]


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"command failed ({status}): {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def count_rows(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle) - 1


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=4.0, help="demo size multiplier (1.0 is the demo)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="optout-bench-"))
    try:
        files = demo.generate(work / "csv", scale=args.scale)
        plain = []
        for path in files:  # benchmark plain CSV, as exports arrive
            target = path.with_suffix("")
            with gzip.open(path, "rb") as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)
            plain.append(target)
        size_mb = sum(p.stat().st_size for p in plain) / 1e6
        rows_per_file = {p.name: count_rows(p) for p in plain}
        events, rows = rows_per_file["events.csv"], sum(rows_per_file.values())
        print(f"data: scale {args.scale}, {events:,} events, {rows:,} rows in all, {size_mb:.0f} MB of CSV")

        ingest_times, ingest_rss = [], []
        db = work / "bench.duckdb"
        for _ in range(args.runs):
            db.unlink(missing_ok=True)
            seconds, rss = timed([*CLI, "ingest", "--db", str(db), *map(str, plain)])
            ingest_times.append(seconds)
            ingest_rss.append(rss)
        report_times, report_rss = [], []
        for _ in range(args.runs):
            seconds, rss = timed(
                [
                    *CLI,
                    "report",
                    "--db",
                    str(db),
                    "--as-of",
                    demo.DEMO_AS_OF.isoformat(),
                    "--format",
                    "json",
                    "--out",
                    str(work / "report.json"),
                ]
            )
            report_times.append(seconds)
            report_rss.append(rss)
        median_ingest = statistics.median(ingest_times)
        print(
            f"ingest (fresh database, whole process): {summary(ingest_times)} s; "
            f"{rows / median_ingest:,.0f} rows/s, {size_mb / median_ingest:.0f} MB/s; "
            f"peak RSS {max(ingest_rss):.0f} MiB"
        )
        print(f"report (cold process, JSON): {summary(report_times)} s; peak RSS {max(report_rss):.0f} MiB")
        print(f"ingest + report: {median_ingest + statistics.median(report_times):.2f} s (medians)")
        print(f"database size: {db.stat().st_size / 1e6:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
