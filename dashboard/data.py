"""The only place the dashboard opens the database and caches results.

One DuckDB connection per server process (st.cache_resource); every query runs on its own cursor, which is
how DuckDB's Python API is shared across threads. Cached results are keyed by the database file, its data
version (the last load id) and every argument, so a new upload or a changed setting never serves stale
figures, and one session's choices never reach another's view.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import streamlit as st

from analytics import ingest, report, store
from analytics.settings import Settings

DEMO_DIR = store.PROJECT_ROOT / "data" / "demo"


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    con = store.connect(path)
    if con.execute("select count(*) from load_log").fetchone()[0] == 0:
        demo_files = sorted(DEMO_DIR.glob("*.csv.gz"))
        if demo_files:
            ingest.ingest_files(con, demo_files)
    return con


def database_path() -> str:
    return str(Path(store.default_db_path()).resolve())


def cursor() -> duckdb.DuckDBPyConnection:
    return _connection(database_path()).cursor()


def data_version() -> int:
    """Changes whenever a file is loaded: part of every cache key."""
    return cursor().execute("select coalesce(max(load_id), 0) from load_log").fetchone()[0]


@st.cache_data(show_spinner=False, max_entries=64)
def _report(path: str, version: int, as_of: dt.date, settings: Settings) -> dict:
    return report.build_report(_connection(path).cursor(), as_of, settings)


def cohort_report(as_of: dt.date, settings: Settings) -> dict:
    return _report(database_path(), data_version(), as_of, settings)


@st.cache_data(show_spinner=False, max_entries=16)
def _latest_send_date(path: str, version: int) -> dt.date | None:
    return report.latest_send_date(_connection(path).cursor())


def latest_send_date() -> dt.date | None:
    return _latest_send_date(database_path(), data_version())
