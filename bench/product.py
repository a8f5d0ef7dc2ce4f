"""The product's report, warm: what a long-running process (the dashboard, a scheduler) pays per report once
the database is open and DuckDB's caches are filled, apart from the process start and the first open that
the cold CLI runs include.

Opens the database as `optout-cohorts report` does (store.connect, the saved settings), builds the full §9
report once to warm up, then times `cohorts.build_report` `--runs` times. Prints JSON: times (seconds),
peak_rss_mib (this process) and the report.

    .venv/bin/python -m bench.product --db bench.duckdb --as-of 2026-11-22 --runs 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import time
from pathlib import Path

from analytics import store
from analytics.report import cohorts
from analytics.settings import from_mapping
from analytics.store import settings_store


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    con = store.connect(args.db)
    try:
        settings = from_mapping(settings_store.load(con).as_dict())  # the CLI's, without --setting overrides
        result = None
        for _ in range(args.warmup):
            result = cohorts.build_report(con, args.as_of, settings)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = cohorts.build_report(con, args.as_of, settings)
            times.append(time.perf_counter() - start)
    finally:
        con.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"times": times, "peak_rss_mib": peak, "report": result}, default=str))


if __name__ == "__main__":
    main()
