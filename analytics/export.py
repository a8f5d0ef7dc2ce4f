"""CSV files for people: safe to open in a spreadsheet.

A cell that starts with =, +, -, @, a tab, a carriage return or a line feed is read by spreadsheets as a
formula (CSV injection); such text cells get a leading apostrophe, which spreadsheets show as plain text.

No output of the product (CSV, HTML, terminal) carries a raw control character: `visible` writes each as an
escape one can read (ESC as \\x1b, a right-to-left override as \\u202e); a CSV cell keeps its tabs and line
breaks, quoted. Ingest refuses them, but a database loaded before that may still hold some.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from analytics import store

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
CELL_WHITESPACE = "\t\r\n"
# Control characters (C0, DEL, C1), the bidirectional controls (marks, embeddings, overrides, isolates) and the
# line and paragraph separators: what a terminal runs (ESC sequences) or what reorders or breaks the text shown.
# The same class as the SQL macro oc_visible (analytics/sql/macros/00_parse.sql).
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, keep: str = "") -> str:
    """The text with every control character written as a visible escape (\\x1b, \\u202e); keep: characters
    left as they are (a line feed between the lines of a whole output)."""
    if keep:
        return CONTROL.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)
    return CONTROL.sub(_escape, text)


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
    relation = con.sql(store.query_text(name), params=params)
    columns = [
        f'oc_safe_cell("{column}") as "{column}"' if str(kind) == "VARCHAR" else f'"{column}"'
        for column, kind in zip(relation.columns, relation.types, strict=True)
    ]  # column names come from our own query files, never from user input
    safe = relation.project(", ".join(columns))
    safe.write_csv(str(path), header=True)
