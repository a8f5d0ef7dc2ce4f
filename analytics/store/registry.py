"""The collection-source registry (SPEC §6): where each source's proof of information is kept.

Editable from the dashboard; a save replaces the registry in one transaction after checking every row, and
is noted in the change log so every figure that reads `notice_shown` is recomputed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from analytics.errors import UserError
from analytics.store import sql
from analytics.store.transaction import transaction
from analytics.tables import CHANNELS, NOTICE_SHOWN

EDITABLE = ("collection_source", "channel", "notice_shown", "evidence", "reviewed_at")


def rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every source of the registry or the data, with its evidence status."""
    return sql.records(con, "metrics/source_registry")


def _clean(row: dict[str, Any], number: int) -> dict[str, Any]:
    def text(name: str) -> str | None:
        value = row.get(name)
        if value is None or (isinstance(value, float) and value != value):  # NaN from an edited table
            return None
        value = str(value).strip()
        return value or None

    source = text("collection_source")
    if source is None:
        raise UserError(
            f"Registry row {number}: the collection source is empty. Fill it in or delete the row."
        )
    channel = text("channel")
    if channel is not None and channel not in CHANNELS:
        raise UserError(
            f"Registry row {number} ({source}): channel {channel!r} is not one of {', '.join(CHANNELS)}."
        )
    notice = (text("notice_shown") or "unknown").lower()
    if notice not in NOTICE_SHOWN:
        raise UserError(f"Registry row {number} ({source}): notice shown must be true, false or unknown.")
    reviewed = row.get("reviewed_at")
    if reviewed is not None and not isinstance(reviewed, dt.date):
        text_value = text("reviewed_at")
        try:
            reviewed = dt.date.fromisoformat(text_value[:10]) if text_value else None
        except ValueError:
            raise UserError(
                f"Registry row {number} ({source}): reviewed on {text_value!r} is not a date such as 2026-03-15."
            ) from None
    if isinstance(reviewed, dt.datetime):
        reviewed = reviewed.date()
    return {
        "collection_source": source,
        "channel": channel,
        "notice_shown": notice,
        "evidence": text("evidence"),
        "reviewed_at": reviewed,
    }


def save(con: duckdb.DuckDBPyConnection, edited: list[dict[str, Any]]) -> int:
    """Replace the registry with these rows (all checked first); returns how many rows were saved."""
    cleaned = [_clean(row, number) for number, row in enumerate(edited, start=1)]
    names = [r["collection_source"] for r in cleaned]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise UserError(
            f"The registry lists {', '.join(duplicated)} more than once: keep one row per source."
        )
    with transaction(con):
        con.execute("delete from sources")
        for row in cleaned:
            con.execute(
                "insert into sources values ($collection_source, $channel, $notice_shown, $evidence, $reviewed_at)",
                row,
            )
        sql.record_change(con, "registry", f"{len(cleaned)} source(s) saved")
    return len(cleaned)


def table(con: duckdb.DuckDBPyConnection):
    """The registry beside the sources of the data (as `rows`), as a small pandas DataFrame: the Compliance
    page's editor and evidence warnings."""
    return sql.frame(con, "metrics/source_registry")
