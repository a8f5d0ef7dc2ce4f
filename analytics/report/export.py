"""CSV files for people: safe to open in a spreadsheet.

A cell that starts with =, +, -, @, a tab, a carriage return or a line feed is read by spreadsheets as a
formula (CSV injection); such text cells get a leading apostrophe, which spreadsheets show as plain text.

Nor does a cell carry a raw control character (analytics.text.visible); it keeps its tabs and line breaks, quoted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from analytics.store import sql
from analytics.text import visible

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
CELL_WHITESPACE = "\t\r\n"


def safe_cell(value: Any) -> Any:
    """Neutralise a text cell a spreadsheet would run as a formula, and its control characters (tabs and line
    breaks stay: a CSV cell holds them, quoted); numbers and None pass unchanged."""
    if isinstance(value, str):
        text = visible(value, keep=CELL_WHITESPACE)
        return "'" + text if value.startswith(FORMULA_STARTS) else text
    return "" if value is None else value


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A small table as spreadsheet-safe CSV text (for tables that fit in memory: cohort tables, lists)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


def query_to_csv(con: duckdb.DuckDBPyConnection, name: str, path: Path, **params: Any) -> None:
    """Write a named query's result to a spreadsheet-safe CSV file, in DuckDB (lists of any length)."""
    relation = con.sql(sql.query_text(name), params=params)
    columns = [
        f'oc_safe_cell("{column}") as "{column}"' if str(kind) == "VARCHAR" else f'"{column}"'
        for column, kind in zip(relation.columns, relation.types, strict=True)
    ]  # column names come from our own query files, never from user input
    safe = relation.project(", ".join(columns))
    safe.write_csv(str(path), header=True)
