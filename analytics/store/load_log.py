"""The load log: one row per file loaded (written by analytics/ingest/load.py in the load's transaction)."""

from __future__ import annotations

import duckdb


def history(con: duckdb.DuckDBPyConnection):
    """Every file loaded, newest first, as a small pandas DataFrame (the Data page's load history)."""
    return con.execute(
        "select loaded_at, file_name, table_name, preset, rows_in_file, rows_added, rows_updated, "
        "rows_rejected, sha256 from load_log order by load_id desc"
    ).df()
