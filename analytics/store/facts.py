"""The fact tables (migration 006): per send and per contact, derived from the canonical tables.

A report reads them instead of every event: the window of a report is a range of send dates in a table sorted by
send date, and a contact's status needs one row per contact plus, for the few contacts active after the report
date, an as-of join on their activity days. They are rebuilt inside the transaction of every change of the
canonical tables (ingest, reset, purge), so a reader never sees figures from one state and facts from another;
`ensure` rebuilds them when a file was changed by an older version of the product or by hand.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from analytics.store import sql
from analytics.store.transaction import transaction

FACT_TABLES = (
    "send_facts",
    "send_counts",
    "contact_facts",
    "contact_activity",
    "orphan_events",
    "send_shape",
    "cohort_debuts",
)
BUILD_STEPS = sql.sql_files("sql/facts")
# Changes of the canonical tables (change_log.kind); registry, settings and presets changes leave facts as they are.
DATA_CHANGES = ("ingest", "reset", "purge")


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every fact table from the canonical tables; call inside the transaction of the change."""
    for table in FACT_TABLES:
        con.execute(f"delete from {table}")
    for step in BUILD_STEPS:
        con.execute(sql.sql_text(step))
    con.execute("drop table if exists event_pairs")
    con.execute("delete from facts_state")
    con.execute(
        "insert into facts_state select coalesce(max(change_id), 0), $at from change_log",
        {"at": dt.datetime.now().replace(microsecond=0)},
    )


def stale(con: duckdb.DuckDBPyConnection) -> bool:
    """True when a change of the canonical tables happened after the facts were built (or they never were)."""
    built = con.execute("select max(built_after_change) from facts_state").fetchone()[0]
    last = con.execute(
        "select max(change_id) from change_log where kind in $kinds", {"kinds": list(DATA_CHANGES)}
    ).fetchone()[0]
    if built is None:
        return con.execute("select count(*) from contacts").fetchone()[0] > 0 or last is not None
    return last is not None and last > built


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the facts, in a transaction of their own, when they are stale."""
    if not stale(con):
        return
    with transaction(con):
        rebuild(con)
