"""The decision log of the weekly review: what the team decided for each source, against which recommendation.

Append-only by construction: this module only inserts, and a correction is a new entry that names the one it
corrects. Every entry is chained to the previous one by a SHA-256 hash, so an edit made outside the product
(an UPDATE or DELETE on the file) is detected by `verify` and shown on the Review page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass

import duckdb

from analytics.errors import UserError
from analytics.policy import ACTIONS

DECISIONS = {
    "follow": "Follow the recommendation",
    "override": "Override with another action",
    "postpone": "Postpone the decision",
}
MAX_NOTE = 2000
_GENESIS = "0" * 64
_COLUMNS = (
    "decision_id",
    "decided_at",
    "week_end",
    "collection_source",
    "recommended_action",
    "decision",
    "action",
    "note",
    "decided_by",
    "corrects",
    "entry_hash",
)


@dataclass(frozen=True)
class Decision:
    decision_id: int
    decided_at: dt.datetime
    week_end: dt.date
    collection_source: str
    recommended_action: str
    decision: str
    action: str | None
    note: str
    decided_by: str
    corrects: int | None
    entry_hash: str

    @property
    def summary(self) -> str:
        """The decision in words, e.g. "override: Hold instead of Stop"."""
        recommended = ACTIONS[self.recommended_action].label
        if self.decision == "follow":
            return f"follow: {recommended}"
        if self.decision == "override":
            return f"override: {ACTIONS[self.action].label} instead of {recommended}"
        return f"postponed ({recommended} recommended)"


def _hash(previous: str, fields: dict) -> str:
    payload = json.dumps(
        {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in fields.items()},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(f"{previous}\n{payload}".encode()).hexdigest()


def _content(decision: Decision) -> dict:
    fields = asdict(decision)
    del fields["entry_hash"]
    return fields


def entries(con: duckdb.DuckDBPyConnection, week_end: dt.date | None = None) -> list[Decision]:
    """Every entry, oldest first; only those answering the week ending on `week_end` when given."""
    rows = con.execute(
        f"select {', '.join(_COLUMNS)} from decision_log "
        "where $week_end is null or week_end = $week_end order by decision_id",
        {"week_end": week_end},
    ).fetchall()
    return [Decision(*row) for row in rows]


def version(con: duckdb.DuckDBPyConnection) -> int:
    """The last entry's id: part of the cache key of anything that shows the log."""
    return con.execute("select coalesce(max(decision_id), 0) from decision_log").fetchone()[0]


def current(log: list[Decision]) -> list[Decision]:
    """The entries still in force: those no later entry corrects."""
    corrected = {d.corrects for d in log if d.corrects is not None}
    return [d for d in log if d.decision_id not in corrected]


def record(
    con: duckdb.DuckDBPyConnection,
    *,
    week_end: dt.date,
    collection_source: str,
    recommended_action: str,
    decision: str,
    action: str | None = None,
    note: str = "",
    decided_by: str,
    corrects: int | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """Append one decision, after checking it; return the stored entry."""
    decided_by = (decided_by or "").strip()
    note = (note or "").strip()
    if decision not in DECISIONS:
        raise UserError(f"Unknown decision {decision!r}: choose one of {', '.join(DECISIONS)}.")
    if recommended_action not in ACTIONS:
        raise UserError(f"Unknown recommended action {recommended_action!r}.")
    if decision == "override":
        if action not in ACTIONS:
            raise UserError("An override needs the action the team chose instead: pick one.")
        if action == recommended_action:
            raise UserError(
                "The chosen action is the recommended one: record it as 'follow', or pick another action."
            )
    else:
        action = recommended_action if decision == "follow" else None
    if not decided_by:
        raise UserError("Say who decided (a name or initials): the log must show who took each decision.")
    if len(note) > MAX_NOTE:
        raise UserError(f"The note has {len(note):,} characters; keep it under {MAX_NOTE:,}.")
    now = (now or dt.datetime.now(dt.UTC)).replace(tzinfo=None, microsecond=0)
    con.execute("begin transaction")
    try:
        if corrects is not None:
            target = con.execute(
                "select week_end, collection_source from decision_log where decision_id = $id",
                {"id": corrects},
            ).fetchone()
            if target is None or (target[0], target[1]) != (week_end, collection_source):
                raise UserError(
                    f"Entry #{corrects} is not a decision on {collection_source} for the week ending "
                    f"{week_end}: a correction must answer the same source and week."
                )
        previous = con.execute(
            "select entry_hash from decision_log order by decision_id desc limit 1"
        ).fetchone()
        decision_id = con.execute("select nextval('decision_log_id')").fetchone()[0]
        fields = {
            "decision_id": decision_id,
            "decided_at": now,
            "week_end": week_end,
            "collection_source": collection_source,
            "recommended_action": recommended_action,
            "decision": decision,
            "action": action,
            "note": note,
            "decided_by": decided_by,
            "corrects": corrects,
        }
        entry = Decision(**fields, entry_hash=_hash(previous[0] if previous else _GENESIS, fields))
        con.execute(
            f"insert into decision_log ({', '.join(_COLUMNS)}) values "
            f"({', '.join('$' + c for c in _COLUMNS)})",
            asdict(entry),
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return entry


def verify(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Problems with the log's chain of hashes: empty when no entry was edited, removed or reordered."""
    problems = []
    previous = _GENESIS
    for entry in entries(con):
        if _hash(previous, _content(entry)) != entry.entry_hash:
            problems.append(
                f"Entry #{entry.decision_id} ({entry.collection_source}, week ending {entry.week_end}) does not "
                "match its hash: it, or an entry before it, was changed or removed outside the product."
            )
        previous = entry.entry_hash
    return problems
