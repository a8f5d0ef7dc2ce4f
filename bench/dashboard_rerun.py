"""Benchmark: how long the Cohort health page takes to rerun after a widget change, with Streamlit's AppTest.

Builds a database from the demo brand at the given scale (1.0 = the committed demo; 3.0 ≈ 1.15 M events),
opens the page, then times reruns after: a new report date (nothing cached: every figure recomputed), the
source detail (figures cached; the page only re-renders), the trends page on a new date, and the weekly
review on another week (the week's rates, last week's, the trailing window and 12 weekly states).

    .venv/bin/python bench/dashboard_rerun.py --scale 3 --runs 5

With --db PATH it times the reruns on an existing database of the demo brand (e.g. the one bench.harness
loaded) instead of generating and loading one; the file is opened, not copied, and kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from analytics import demo, ingest, store  # noqa: E402


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="an existing database of the demo brand (--scale is then ignored)",
    )
    args = parser.parse_args()
    work = None if args.db else Path(tempfile.mkdtemp(prefix="optout-rerun-"))
    try:
        files = [] if work is None else demo.generate(work / "csv", scale=args.scale)
        db = args.db.resolve() if work is None else work / "bench.duckdb"
        if work is None and not db.is_file():
            raise SystemExit(f"no database file at {db}")
        con = store.connect(db)
        if files:
            ingest.ingest_files(con, files)
        events = con.execute("select count(*) from events").fetchone()[0]
        con.close()
        os.environ[store.ENV_DB_PATH] = str(db)
        app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=600)
        first = timed(app.run)
        new_date, cached, trends, reviews = [], [], [], []
        sources = app.selectbox(key="detail_source").options
        for run in range(args.runs):
            day = demo.DEMO_AS_OF - dt.timedelta(days=run + 1)
            new_date.append(timed(lambda day=day: app.date_input(key="as_of").set_value(day).run()))
            source = sources[run % len(sources)]
            cached.append(
                timed(lambda source=source: app.selectbox(key="detail_source").set_value(source).run())
            )
        app.switch_page("views/trends.py").run()
        for run in range(args.runs):
            day = demo.DEMO_AS_OF - dt.timedelta(days=run + 10)
            trends.append(timed(lambda day=day: app.date_input(key="as_of").set_value(day).run()))
        app.switch_page("views/review.py").run()
        weeks = app.selectbox(key="review_week").options
        for run in range(args.runs):
            week = weeks[run + 1]
            reviews.append(timed(lambda week=week: app.selectbox(key="review_week").set_value(week).run()))

        def line(values: list[float]) -> str:
            ms = [v * 1000 for v in values]
            return f"median {statistics.median(ms):.0f} ms (min {min(ms):.0f}, max {max(ms):.0f})"

        print(f"database: {db if work is None else f'scale {args.scale}'}, {events:,} events")
        print(f"first open (cold caches): {first * 1000:.0f} ms")
        print(f"cohort health, new report date (all figures recomputed): {line(new_date)}")
        print(f"cohort health, source detail changed (figures cached): {line(cached)}")
        print(f"trends, new report date (12 weekly states and series recomputed): {line(trends)}")
        print(f"weekly review, another week (review and 12 weekly states recomputed): {line(reviews)}")
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
