"""The decision log of the weekly review: what the team decided for each source, against which recommendation.

Append-only by construction: this module only inserts entries (and, once, seals the hashes of the entries
written before the log had a key: see below); a correction is a new entry that names the one it corrects.

Every entry carries HMAC-SHA-256(key, the previous entry's hash and its own fields). The key is a secret kept
outside the database: the file `<database file>.decisions.key` beside it (mode 0600), created with the first
entry recorded (an in-memory database uses a key that lives as long as the process). So `verify`, shown on the
Review page, detects what someone who can write the database file but not read the key file does: an entry
edited (even with every hash recomputed), an entry removed from before the last one, entries reordered,
inserted, or rewritten into plain hashes. It cannot detect the removal of the latest entries (nothing later is
chained to them), nor anything done by someone who can read the key file (they can recompute every hash). A
backup holds the database, never the key file: move the key file with the database.

Entries written before the log had a key carry a plain SHA-256 chain. When the key file is created, that chain
is checked and, when intact, sealed with the key (the hashes are recomputed, no entry's content changes); from
then on every entry is checked with the key. A broken plain chain is not sealed: its entries stay reported. A
log never keyed (no key file yet) is checked by its plain chain, which detects an edit made without recomputing
the hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from analytics.errors import UserError
from analytics.i18n import N_, _
from analytics.policy import ACTIONS
from analytics.store.transaction import transaction

DECISIONS = {  # code → label, an English text marked for the catalog, read with _() where it is shown
    "follow": N_("Follow the recommendation"),
    "override": N_("Override with another action"),
    "postpone": N_("Postpone the decision"),
}
MAX_NOTE = 2000
_GENESIS = "0" * 64
KEY_SUFFIX = ".decisions.key"
_KEY_BYTES = 32
_MEMORY_KEY = secrets.token_bytes(_KEY_BYTES)  # an in-memory database lives no longer than this process
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
        """The decision in words, in the reader's language, e.g. "override: Hold instead of Stop"."""
        recommended = _(ACTIONS[self.recommended_action].label)
        if self.decision == "follow":
            return _("follow: {recommended}").format(recommended=recommended)
        if self.decision == "override":
            return _("override: {action} instead of {recommended}").format(
                action=_(ACTIONS[self.action].label), recommended=recommended
            )
        return _("postponed ({recommended} recommended)").format(recommended=recommended)


def _hash(previous: str, fields: dict, key: bytes | None) -> str:
    """The entry's link in the chain: HMAC-SHA-256 with the log's key, or plain SHA-256 for a log never keyed."""
    payload = json.dumps(
        {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in fields.items()},
        sort_keys=True,
        ensure_ascii=False,
    )
    message = f"{previous}\n{payload}".encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _content(decision: Decision) -> dict:
    fields = asdict(decision)
    del fields["entry_hash"]
    return fields


def entries(
    con: duckdb.DuckDBPyConnection, week_end: dt.date | None = None, *, catalog: str | None = None
) -> list[Decision]:
    """Every entry, oldest first; only those answering the week ending on `week_end` when given. catalog: an
    attached database's log (a backup being checked) instead of the connection's own."""
    table = "decision_log" if catalog is None else '"' + catalog.replace('"', '""') + '".main.decision_log'
    rows = con.execute(
        f"select {', '.join(_COLUMNS)} from {table} "
        "where $week_end is null or week_end = $week_end order by decision_id",
        {"week_end": week_end},
    ).fetchall()
    return [Decision(*row) for row in rows]


# --- the key ----------------------------------------------------------------------------------------------


def key_path(database: Path | str) -> Path:
    """Where the key of a database file's log is kept: beside it, never inside it."""
    database = Path(database)
    return database.with_name(database.name + KEY_SUFFIX)


def read_key(path: Path) -> bytes | None:
    """The key a key file holds; None when there is no key file; UserError when it is not one this program wrote."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"The decision log's key file {path} cannot be read: {error}.") from None
    if not re.fullmatch(f"[0-9a-f]{{{2 * _KEY_BYTES}}}", text):
        raise UserError(
            f"The decision log's key file {path} is damaged: without its key the log cannot be checked. Put back "
            "the key file that was there (from where the database came from, or a copy of it)."
        )
    return bytes.fromhex(text)


def _write_key(path: Path, key: bytes) -> bool:
    """Create the key file, readable by its owner only, in one step (a link, which fails when it exists): False
    when another writer created it first."""
    partial = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(key.hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(partial, path)
    except FileExistsError:
        return False
    finally:
        partial.unlink(missing_ok=True)
    return True


def _database_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    return Path(path).resolve() if path else None


def _key(con: duckdb.DuckDBPyConnection) -> bytes | None:
    """The log's key (None: the log was never keyed)."""
    database = _database_file(con)
    return _MEMORY_KEY if database is None else read_key(key_path(database))


def _create_key(con: duckdb.DuckDBPyConnection) -> bytes:
    """The log's key, created when there is none yet: the entries written before are sealed with it (when their
    plain chain is intact) in the same step, so the log is either all plain with no key file, or all keyed."""
    key = _key(con)
    if key is not None:
        return key
    path = key_path(_database_file(con))
    key = secrets.token_bytes(_KEY_BYTES)
    created = False
    try:
        with transaction(con) as sealing:
            log = entries(con)
            if not check_chain(log, None):
                previous = _GENESIS
                for entry in log:
                    previous = _hash(previous, _content(entry), key)
                    con.execute(
                        "update decision_log set entry_hash = $hash where decision_id = $id",
                        {"hash": previous, "id": entry.decision_id},
                    )
            created = _write_key(path, key)
            if not created:
                sealing.rollback()
    except BaseException:
        if created:
            path.unlink(missing_ok=True)
        raise
    return key if created else read_key(path)


def version(con: duckdb.DuckDBPyConnection) -> int:
    """The last entry's id: part of the cache key of anything that shows the log."""
    return con.execute("select coalesce(max(decision_id), 0) from decision_log").fetchone()[0]


def current(log: list[Decision]) -> list[Decision]:
    """The entries still in force: those no later entry corrects."""
    corrected = {d.corrects for d in log if d.corrects is not None}
    return [d for d in log if d.decision_id not in corrected]


def in_force_by_source(log: Sequence[Decision], week_end: dt.date) -> dict[str, Decision]:
    """Per source, the entry in force for the week ending on `week_end` (the latest, should several be)."""
    return {d.collection_source: d for d in current([d for d in log if d.week_end == week_end])}


@dataclass(frozen=True)
class SourceStatus:
    """Where a source stands for a week: no entry in force, or a postponement, leaves it pending."""

    collection_source: str
    entry: Decision | None  # the entry in force for the week (None: nothing recorded)

    @property
    def pending(self) -> bool:
        return self.entry is None or self.entry.decision == "postpone"

    @property
    def text(self) -> str:
        """pending / pending: postponed (Stop recommended) / decided: follow: Stop, in the reader's language."""
        if self.entry is None:
            return _("pending")
        if self.pending:
            return _("pending: {summary}").format(summary=self.entry.summary)
        return _("decided: {summary}").format(summary=self.entry.summary)


def status_by_source(
    log: Sequence[Decision], week_end: dt.date, sources: Iterable[str]
) -> dict[str, SourceStatus]:
    """Pending or decided, per source, for the week ending on `week_end`: the one place the Review page, the
    digest and the HTML report read it."""
    in_force = in_force_by_source(log, week_end)
    return {source: SourceStatus(source, in_force.get(source)) for source in sources}


def _checked(recommended_action: str, decision: str, action: str | None, note: str) -> tuple[str | None, str]:
    """The action recorded and the note, after checking an entry's fields (UserError: what is wrong)."""
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
    if len(note) > MAX_NOTE:
        raise UserError(f"The note has {len(note):,} characters; keep it under {MAX_NOTE:,}.")
    return action, note


def _decider(decided_by: str | None) -> str:
    decided_by = (decided_by or "").strip()
    if not decided_by:
        raise UserError("Say who decided (a name or initials): the log must show who took each decision.")
    return decided_by


def _now(now: dt.datetime | None) -> dt.datetime:
    """The moment stored with an entry: naive UTC, to the second (an aware `now` is converted to UTC first)."""
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is not None:
        now = now.astimezone(dt.UTC)
    return now.replace(tzinfo=None, microsecond=0)


def _append(con: duckdb.DuckDBPyConnection, key: bytes, fields: dict) -> Decision:
    """Insert one entry, chained to the last one; inside the caller's transaction."""
    corrects = fields["corrects"]
    if corrects is not None:
        target = con.execute(
            "select week_end, collection_source from decision_log where decision_id = $id", {"id": corrects}
        ).fetchone()
        if target is None or (target[0], target[1]) != (fields["week_end"], fields["collection_source"]):
            raise UserError(
                f"Entry #{corrects} is not a decision on {fields['collection_source']} for the week ending "
                f"{fields['week_end']}: a correction must answer the same source and week."
            )
    previous = con.execute("select entry_hash from decision_log order by decision_id desc limit 1").fetchone()
    fields = {"decision_id": con.execute("select nextval('decision_log_id')").fetchone()[0], **fields}
    entry = Decision(**fields, entry_hash=_hash(previous[0] if previous else _GENESIS, fields, key))
    con.execute(
        f"insert into decision_log ({', '.join(_COLUMNS)}) values ({', '.join('$' + c for c in _COLUMNS)})",
        asdict(entry),
    )
    return entry


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
    action, note = _checked(recommended_action, decision, action, note)
    decided_by = _decider(decided_by)
    fields = {
        "decided_at": _now(now),
        "week_end": week_end,
        "collection_source": collection_source,
        "recommended_action": recommended_action,
        "decision": decision,
        "action": action,
        "note": note,
        "decided_by": decided_by,
        "corrects": corrects,
    }
    key = _create_key(con)
    with transaction(con):
        return _append(con, key, fields)


@dataclass(frozen=True)
class Row:
    """One source's line of the meeting's decision table."""

    collection_source: str
    recommended_action: str
    decision: str
    action: str | None = None
    note: str = ""


def record_many(
    con: duckdb.DuckDBPyConnection,
    rows: Sequence[Row],
    *,
    week_end: dt.date,
    decided_by: str,
    now: dt.datetime | None = None,
) -> list[Decision]:
    """Append the meeting's decisions on the week ending on `week_end` in one transaction: all of them, or none
    (a UserError naming the source and the problem). A row for a source that already has a decision in force
    for the week corrects that entry (the new entry names it), so the log keeps one decision in force per source
    and week. Every check of `record` applies to each row."""
    decided_by = _decider(decided_by)
    moment = _now(now)
    checked = []
    seen = set()
    for row in rows:
        if row.collection_source in seen:
            raise UserError(f"{row.collection_source}: the source appears twice; give it one decision.")
        seen.add(row.collection_source)
        try:
            action, note = _checked(row.recommended_action, row.decision, row.action, row.note)
        except UserError as error:
            raise UserError(f"{row.collection_source}: {error}") from None
        checked.append((row, action, note))
    if not checked:
        return []
    key = _create_key(con)
    recorded = []
    with transaction(con):
        in_force = in_force_by_source(entries(con, week_end), week_end)
        for row, action, note in checked:
            previous = in_force.get(row.collection_source)
            fields = {
                "decided_at": moment,
                "week_end": week_end,
                "collection_source": row.collection_source,
                "recommended_action": row.recommended_action,
                "decision": row.decision,
                "action": action,
                "note": note,
                "decided_by": decided_by,
                "corrects": previous.decision_id if previous else None,
            }
            try:
                recorded.append(_append(con, key, fields))
            except UserError as error:
                raise UserError(f"{row.collection_source}: {error}") from None
    return recorded


def check_chain(log: list[Decision], key: bytes | None) -> list[str]:
    """Problems with a log's chain, with this key (None: the plain chain of a log never keyed)."""
    problems = []
    previous = _GENESIS
    for entry in log:
        if not hmac.compare_digest(_hash(previous, _content(entry), key).encode(), entry.entry_hash.encode()):
            problems.append(
                f"Entry #{entry.decision_id} ({entry.collection_source}, week ending {entry.week_end}) does not "
                "match its hash: it, or an entry before it, was changed or removed outside the product."
            )
        previous = entry.entry_hash
    return problems


def verify(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Problems with the log's chain: empty when no entry was edited, removed or reordered outside the product
    (the module's docstring says exactly what this detects, and what it cannot)."""
    key = _key(con)
    problems = check_chain(entries(con), key)
    if problems and key is None:
        problems.append(
            f"This database has no decision-log key file beside it ({key_path(_database_file(con))}): entries "
            "written since the log was keyed can only be checked with it. If the database was moved or restored "
            "here, put its key file beside it."
        )
    return problems
