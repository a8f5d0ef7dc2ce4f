"""Benchmark: ingest one large ';'-delimited Windows-1252 export (as Excel in France writes it) through the CLI.

Writes an events file of about --size-mb MB (with an accented column the product drops), then times
`optout-cohorts ingest` on a fresh database as a whole process: wall time, MB/s, rows/s, peak RSS.

    .venv/bin/python bench/ingest_large.py --size-mb 1024
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
ROW_BYTES = 70  # about, for the rows written below


def write_export(target: Path, size_mb: int) -> int:
    """A ;-delimited events export in Windows-1252, written by DuckDB then re-encoded in blocks."""
    rows = size_mb * 1_000_000 // ROW_BYTES
    utf8 = target.with_suffix(".utf8.csv")
    con = duckdb.connect()
    con.execute(
        f"""copy (
            select 'K' || (i % 400) as campaign_id,
                   'C' || lpad((i * 7919 % 2000000)::varchar, 8, '0') as contact_id,
                   ['sent', 'delivered', 'open', 'click', 'unsubscribe'][1 + i % 5] as event_type,
                   strftime(timestamp '2026-01-01' + to_seconds(i % 30000000), '%d/%m/%Y %H:%M:%S') as occurred_at,
                   'Noël – Étiquette' as "Libellé"
            from range({rows}) t(i)
        ) to '{utf8}' (delimiter ';', header true)"""
    )
    with open(utf8, encoding="utf-8") as source, open(target, "w", encoding="cp1252", newline="") as sink:
        shutil.copyfileobj(source, sink, 4 << 20)
    utf8.unlink()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="optout-large-"))
    try:
        export = work / "events-fr.csv"
        rows = write_export(export, args.size_mb)
        size_mb = export.stat().st_size / 1e6
        db = work / "large.duckdb"
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "analytics.cli", "ingest", "--db", str(db), str(export)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        print(process.stdout.read().strip())
        if status != 0:
            raise SystemExit("ingest failed")
        print(
            f"file: {size_mb:,.0f} MB, {rows:,} rows, ';'-delimited Windows-1252, dates dd/mm/yyyy HH:MM:SS"
        )
        print(
            f"ingest (fresh database, whole process): {elapsed:.1f} s; {size_mb / elapsed:.0f} MB/s, "
            f"{rows / elapsed:,.0f} rows/s; peak RSS {usage.ru_maxrss / 1024:,.0f} MiB"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
