"""Closed review weeks: the settings and the review a meeting saw, kept as they were (migration 009).

A week is closed once the meeting is over: its row in week_closures holds the settings and the review as
shown (plain JSON, written by analytics.report.frozen), who closed it and when (UTC). Reopening deletes that
row, so the week is computed again until it is closed again. Every close and reopen is appended to
week_closure_log (who, when, why); the product never edits nor deletes a log entry. Both are noted in the
change log, so every cached review refreshes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import duckdb

from analytics.errors import UserError
from analytics.store import sql
from analytics.store.transaction import transaction

EVENTS = ("close", "reopen")
MAX_REASON = 2000


@dataclass(frozen=True)
class Closure:
    """A closed week: what it was shown, by whom and when it was closed."""

    week_end: dt.date
    closed_at: dt.datetime  # UTC, naive
    closed_by: str
    settings: dict[str, Any]
    review: dict[str, Any]


@dataclass(frozen=True)
class LogEntry:
    entry_id: int
    logged_at: dt.datetime  # UTC, naive
    week_end: dt.date
    event: str  # close | reopen
    logged_by: str
    reason: str


def _now(now: dt.datetime | None) -> dt.datetime:
    """A moment as stored: UTC, naive, to the second (as the decision log)."""
    moment = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=None, microsecond=0)


def _who(by: str | None) -> str:
    who = (by or "").strip()
    if not who:
        raise UserError(
            "Say who you are (a name or initials): the log must show who closed or reopened a week."
        )
    return who


def _append(con: duckdb.DuckDBPyConnection, week_end: dt.date, event: str, by: str, reason: str, at) -> None:
    con.execute(
        "insert into week_closure_log (logged_at, week_end, event, logged_by, reason) "
        "values ($at, $week_end, $event, $by, $reason)",
        {"at": at, "week_end": week_end, "event": event, "by": by, "reason": reason},
    )


def state(con: duckdb.DuckDBPyConnection, week_end: dt.date) -> Closure | None:
    """The closure of the week ending on week_end; None while the week is open."""
    return closures(con, [week_end]).get(week_end)


def closures(
    con: duckdb.DuckDBPyConnection, week_ends: list[dt.date] | None = None
) -> dict[dt.date, Closure]:
    """The closed weeks among week_ends (every closed week when None), by their last day."""
    wanted = None if week_ends is None else set(week_ends)
    rows = con.execute(
        "select week_end, closed_at, closed_by, settings, review from week_closures order by week_end"
    ).fetchall()  # one row per closed week: a small table, filtered here
    return {
        row[0]: Closure(row[0], row[1], row[2], json.loads(row[3]), json.loads(row[4]))
        for row in rows
        if wanted is None or row[0] in wanted
    }


def close(
    con: duckdb.DuckDBPyConnection,
    week_end: dt.date,
    *,
    settings: dict[str, Any],
    review: dict[str, Any],
    by: str,
    now: dt.datetime | None = None,
) -> Closure:
    """Freeze a week with the settings and the review (plain data) the meeting saw; UserError when it is closed
    already (reopen it first: what a meeting saw is never overwritten silently)."""
    who, at = _who(by), _now(now)
    with transaction(con):
        if state(con, week_end) is not None:
            raise UserError(
                f"The week ending {week_end} is closed already: reopen it first to close it with today's figures."
            )
        con.execute(
            "insert into week_closures values ($week_end, $at, $by, $settings, $review)",
            {
                "week_end": week_end,
                "at": at,
                "by": who,
                "settings": json.dumps(settings, sort_keys=True),
                "review": json.dumps(review, sort_keys=True, ensure_ascii=False),
            },
        )
        _append(con, week_end, "close", who, "", at)
        sql.record_change(con, "week_closure", f"closed {week_end} by {who}")
    return Closure(week_end, at, who, settings, review)


def reopen(
    con: duckdb.DuckDBPyConnection, week_end: dt.date, *, by: str, reason: str, now: dt.datetime | None = None
) -> LogEntry:
    """Reopen a closed week (it is computed again until closed again), saying who and why; the log keeps it."""
    who, at = _who(by), _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise UserError("Say why the week is reopened: the log keeps the reason.")
    if len(reason) > MAX_REASON:
        raise UserError(f"The reason has {len(reason):,} characters; keep it under {MAX_REASON:,}.")
    with transaction(con):
        if state(con, week_end) is None:
            raise UserError(f"The week ending {week_end} is not closed: there is nothing to reopen.")
        con.execute("delete from week_closures where week_end = $week_end", {"week_end": week_end})
        _append(con, week_end, "reopen", who, reason, at)
        sql.record_change(con, "week_closure", f"reopened {week_end} by {who}")
    return log(con, week_end)[-1]


def log(con: duckdb.DuckDBPyConnection, week_end: dt.date | None = None) -> list[LogEntry]:
    """Every close and reopen, oldest first; only those of the week ending on week_end when given."""
    rows = con.execute(
        "select entry_id, logged_at, week_end, event, logged_by, reason from week_closure_log "
        "where $week_end is null or week_end = $week_end order by entry_id",
        {"week_end": week_end},
    ).fetchall()
    return [LogEntry(*row) for row in rows]
