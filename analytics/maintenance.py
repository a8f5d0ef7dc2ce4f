"""Looking after the database file: backup, restore, the purge of expired contacts, and compaction.

- `backup` copies the whole database (tables, sequences at their current value, macros) through the caller's
  connection, in one transaction, into a fresh DuckDB file (DuckDB's COPY FROM DATABASE), written under a
  temporary name beside the target and renamed at the end: a crash never leaves half a backup under its name.
- `restore` checks that a backup is a readable optout-cohorts database, copies it beside the live file,
  and swaps it in with one rename, provided no program (another process, or this one) has the database open.
- `purge_expired` deletes, in one transaction, the contacts whose retention limit has passed (SPEC §5,
  status `expired`) with their orders and events; objected contacts stay (the suppression list needs them).
- `compact` rewrites the database into a fresh file and swaps it in: DuckDB leaves deleted rows' bytes in the
  file (freed blocks are reused, not wiped), so a purge is only complete once the file is compacted.

The file swaps are safe against a crash at any point: the new file is written and fsynced under a temporary
name in the same folder, then os.replace puts it in place (the old file or the new one, never a mix), and a
WAL left by the old file is moved aside first so it can never be replayed onto the new one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
import uuid
from pathlib import Path
from typing import Any

import duckdb

from analytics import facts, store
from analytics.errors import DatabaseBusy, UserError
from analytics.tables import TABLES

# The tables a database file must hold to be one of ours (besides schema_migrations).
PRODUCT_TABLES = (*TABLES, "load_log")
DUCKDB_MAGIC = (b"DUCK", 8)  # every DuckDB database file holds these bytes at this offset
PROBE_CONFIG = {"custom_user_agent": "optout-cohorts-maintenance"}


# --- small file helpers ---------------------------------------------------------------------------------


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _partial(target: Path) -> Path:
    """A temporary name beside target (same folder, so the final rename is atomic)."""
    return target.with_name(f".{target.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.partial")


def _remove(path: Path) -> None:
    for file in (path, _wal(path)):
        file.unlink(missing_ok=True)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _swap(partial: Path, target: Path) -> None:
    """Put the fsynced file `partial` in place of target in one rename; a WAL of the old target is moved aside
    first (and then deleted) so that it is never replayed onto the new file."""
    wal = _wal(target)
    stale = None
    if wal.exists():
        stale = wal.with_name(f"{wal.name}.{uuid.uuid4().hex[:8]}.stale")
        os.replace(wal, stale)
    os.replace(partial, target)
    _fsync_dir(target.parent)
    if stale is not None:
        stale.unlink(missing_ok=True)


def _literal(text: str | Path) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _first_line(error: Exception) -> str:
    return str(error).strip().split("\n")[0].rstrip(".!")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open (a failed commit has already ended it)."""
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("rollback")


def _table_counts(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    """Rows per table of one attached database, by table name."""
    names = [
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = $catalog and schema_name = 'main' "
            "and not temporary order by table_name",
            {"catalog": catalog},
        ).fetchall()
    ]
    return {
        name: con.execute(f"select count(*) from {_identifier(catalog)}.main.{_identifier(name)}").fetchone()[
            0
        ]
        for name in names
    }


def _count_text(counts: dict[str, int]) -> str:
    shown = [name for name in (*PRODUCT_TABLES, "change_log", "decision_log") if name in counts]
    return ", ".join(f"{counts[name]:,} {name}" for name in shown)


# --- backup ---------------------------------------------------------------------------------------------


def backup(con: duckdb.DuckDBPyConnection, target: Path | str, *, overwrite: bool = False) -> dict[str, Any]:
    """Write a consistent copy of the whole database to `target`, through this connection.

    The copy is taken in one transaction (a snapshot: a write of another cursor cannot slip in halfway),
    into a new DuckDB file under a temporary name in target's folder, checkpointed, fsynced and renamed to
    target. Sequences keep their current value, so load ids go on without collision after a restore.
    target's folder must be one the connection may write (store.connect(..., readable=[target.parent])).
    Returns {"path", "bytes", "tables": rows per table, "message"}.
    """
    target = Path(target).resolve()
    if not target.parent.is_dir():
        raise UserError(
            f"The folder {target.parent} does not exist: create it, or choose another backup file."
        )
    if target.exists() and not overwrite:
        raise UserError(
            f"{target} already exists: choose another file name, or allow overwriting it (--overwrite)."
        )
    database, path = con.execute(
        "select database_name, path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    if path and Path(path).resolve() == target:
        raise UserError("The backup file cannot be the database file itself: choose another file name.")
    partial = _partial(target)
    alias = f"backup_copy_{uuid.uuid4().hex[:8]}"
    try:
        con.execute(f"attach {_literal(partial)} as {alias}")
    except (duckdb.PermissionException, duckdb.IOException) as error:
        raise UserError(
            f"The backup cannot be written to {target.parent}: {_first_line(error)}. Choose a folder this "
            "program may write (the database's own folder, or one the command was given)."
        ) from None
    try:
        con.execute("begin transaction")
        try:
            con.execute(f"copy from database {_identifier(database)} to {alias}")
            counts = _table_counts(con, alias)
            con.execute("commit")
        except BaseException:
            _rollback(con)
            raise
        con.execute(f"checkpoint {alias}")
        con.execute(f"detach {alias}")
        _fsync_file(partial)
        _swap(partial, target)
    except BaseException:
        try:
            con.execute(f"detach database if exists {alias}")
        finally:
            _remove(partial)
        raise
    size = target.stat().st_size
    return {
        "path": target,
        "bytes": size,
        "tables": counts,
        "message": f"Backup written to {target} ({size / 1e6:.1f} MB): {_count_text(counts)}.",
    }


# --- restore and compaction -----------------------------------------------------------------------------

WAIT_SECONDS = 5.0


def _not_open_here(path: Path) -> None:
    """DatabaseBusy when this process has the file open (e.g. the dashboard's connection): DuckDB refuses a
    second open with a different configuration then. Another process's lock is not judged here."""
    if not path.exists():
        return
    try:
        probe = duckdb.connect(str(path), config=PROBE_CONFIG)
    except duckdb.ConnectionException as error:
        if "different configuration" not in str(error):
            raise
        raise DatabaseBusy(
            f"The database file {path} is open in this program: close its connection (or let the dashboard "
            "release it) before replacing the file."
        ) from None
    except duckdb.Error:
        return  # held by another process (judged while attaching it), or damaged
    probe.close()


def _helper(source: Path, dest: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory connection, locked down like every other, that may read source's folder and write
    dest's."""
    con = duckdb.connect(":memory:")
    con.execute("set memory_limit = $limit", {"limit": store.memory_limit()})
    con.execute("set temp_directory = $folder", {"folder": str(store.work_dir())})
    store.lock_down(con, [source.parent, dest.parent])
    return con


def _attach_read_only(
    con: duckdb.DuckDBPyConnection, path: Path, alias: str, wait_seconds: float, *, damaged_ok: bool = False
) -> bool:
    """Attach a database file read-only, which takes DuckDB's lock on it: no other process can open it for
    writing while it stays attached. Waits up to wait_seconds while another process holds the file (saying
    so with store's waiting marker, so the dashboard lets go at once); then DatabaseBusy. A file DuckDB cannot
    read at all (damaged, not a database): UserError, or False with damaged_ok."""
    deadline = time.monotonic() + wait_seconds
    marker: Path | None = None
    try:
        while True:
            try:
                con.execute(f"attach {_literal(path)} as {alias} (read_only)")
                return True
            except duckdb.Error as error:
                if "lock" not in str(error).lower():
                    if damaged_ok:
                        return False
                    raise UserError(
                        f"{path} is not a database file this program can read: {_first_line(error)}. "
                        "Nothing was changed."
                    ) from None
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(
                        f"The database file {path} is in use by another program (the dashboard or another "
                        "optout-cohorts command) and stayed busy. Nothing was changed: close it, then try again."
                    ) from None
                if marker is None:
                    marker = store.waiting_marker(path)
                    marker.write_text(str(os.getpid()))
                time.sleep(0.1)
    finally:
        if marker is not None:
            marker.unlink(missing_ok=True)


def _check_product(con: duckdb.DuckDBPyConnection, alias: str, source: Path) -> int:
    """The schema version of an attached optout-cohorts database; UserError when it is not one we can use."""
    present = {
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = $alias and schema_name = 'main'",
            {"alias": alias},
        ).fetchall()
    }
    missing = [name for name in ("schema_migrations", *PRODUCT_TABLES) if name not in present]
    if missing:
        raise UserError(
            f"{source} is not an optout-cohorts database (it lacks the table(s) {', '.join(missing)}); "
            "nothing was changed. Choose a file written by `optout-cohorts backup`."
        )
    version = con.execute(f"select coalesce(max(version), 0) from {alias}.main.schema_migrations").fetchone()[
        0
    ]
    known = max((v for v, _ in store.migrations()), default=0)
    if version > known:
        raise UserError(
            f"{source} was written by a newer version of optout-cohorts (schema {version}, this one knows "
            f"{known}); nothing was changed. Update the program, then restore."
        )
    return version


def _rewrite_and_swap(
    source: Path, db_path: Path, *, check: bool, wait_seconds: float
) -> tuple[dict[str, int], int | None]:
    """Copy every object of source into a fresh file beside db_path, then swap it in for db_path.

    Reading the whole source through DuckDB checks every block (a damaged file fails here, before the live
    file is touched), and takes in what its WAL holds. The live file stays attached read-only — locked —
    from before the copy until after the rename, so no other process can write to it meanwhile and lose
    that write with the old file.
    """
    _not_open_here(db_path)
    partial = _partial(db_path)
    con = _helper(source, db_path)
    try:
        if db_path != source and db_path.exists():
            # A live file DuckDB cannot read is damaged: replacing it is what a restore is for.
            _attach_read_only(con, db_path, "live", wait_seconds, damaged_ok=True)
        _attach_read_only(con, source, "src", wait_seconds)
        version = _check_product(con, "src", source) if check else None
        con.execute(f"attach {_literal(partial)} as dst")
        try:
            con.execute("copy from database src to dst")
        except duckdb.Error as error:
            raise UserError(
                f"{source} cannot be read whole: {_first_line(error)}. Nothing was changed."
            ) from None
        counts = _table_counts(con, "dst")
        con.execute("checkpoint dst")
        con.execute("detach dst")
        _fsync_file(partial)
        _swap(partial, db_path)
    except BaseException:
        _remove(partial)
        raise
    finally:
        con.close()
    return counts, version


def restore(
    backup_path: Path | str, db_path: Path | str, *, wait_seconds: float = WAIT_SECONDS
) -> dict[str, Any]:
    """Replace the database file with a backup, atomically.

    Refuses (UserError, the database left as it was) when the backup is not a readable optout-cohorts
    database, and (DatabaseBusy) when a program has the database open: this one, or another process that
    does not let go within wait_seconds. A database written by an older version is migrated on its next open.
    Returns {"path", "tables": rows per table, "schema_version", "message"}.
    """
    source = Path(backup_path).resolve()
    target = Path(db_path).resolve()
    if not source.is_file():
        raise UserError(f"The backup file {source} does not exist. Check the path and try again.")
    if source == target:
        raise UserError("The backup file is the database file itself: choose a backup file.")
    with open(source, "rb") as handle:
        if handle.read(DUCKDB_MAGIC[1] + 4)[DUCKDB_MAGIC[1] :] != DUCKDB_MAGIC[0]:
            raise UserError(
                f"{source} is not a DuckDB database file, so not an optout-cohorts backup; nothing was "
                "changed. Choose a file written by `optout-cohorts backup`."
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    counts, version = _rewrite_and_swap(source, target, check=True, wait_seconds=wait_seconds)
    return {
        "path": target,
        "tables": counts,
        "schema_version": version,
        "message": f"Database {target} restored from {source}: {_count_text(counts)}.",
    }


def compact(db_path: Path | str, *, wait_seconds: float = WAIT_SECONDS) -> dict[str, Any]:
    """Rewrite the database into a fresh file and swap it in, so that the bytes of deleted rows leave it.

    Everything committed (the WAL included) is copied object by object into a new, checkpointed file, which
    replaces the old one with one rename; the old WAL is removed with the old file. The database must not be
    open in this process, nor stay open in another beyond wait_seconds (DatabaseBusy).
    Returns {"path", "bytes_before", "bytes_after", "tables", "message"}.
    """
    path = Path(db_path).resolve()
    if not path.is_file():
        raise UserError(f"The database file {path} does not exist.")
    wal = _wal(path)
    before = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    counts, _ = _rewrite_and_swap(path, path, check=False, wait_seconds=wait_seconds)
    after = path.stat().st_size
    return {
        "path": path,
        "bytes_before": before,
        "bytes_after": after,
        "tables": counts,
        "message": f"Database file {path} rewritten without the deleted rows: {before / 1e6:.1f} MB → "
        f"{after / 1e6:.1f} MB.",
    }


# --- purge ----------------------------------------------------------------------------------------------


def purge_expired(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    retention_years: int,
    *,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Delete, in one transaction, every contact whose status on as_of is `expired` (SPEC §5) with all its
    orders and events, and record the change (counts only: no contact id goes to the change log).

    Kept: objected contacts, even past the limit (status `objected` comes first in the rules; the suppression
    list needs them), and contacts that data dated after as_of (an order, a click, an objection) no longer
    leaves expired. as_of cannot be in the future. The bytes of the deleted rows stay in the file until
    `compact` rewrites it. dry_run: count, change nothing.
    Returns {"as_of", "contacts", "orders", "events", "kept_objected", "kept_later", "message"}.
    """
    if as_of > dt.date.today():
        raise UserError(
            f"Cannot purge as of {as_of}, a future date: contacts are purged once their limit has passed."
        )
    latest = con.execute(
        "select greatest((select max(collected_at) from contacts), (select max(order_date) from orders), "
        "(select max(cast(occurred_at as date)) from events))"
    ).fetchone()[0]
    params = {"as_of": as_of, "until": max(as_of, latest or as_of), "retention_years": retention_years}
    table = "purge_candidates"
    con.execute("begin transaction")
    try:
        con.execute(
            f"create or replace temp table {table} as {store.query_text('metrics/purge_expired')}", params
        )
        decided = dict(con.execute(f"select decision, count(*) from {table} group by decision").fetchall())
        chosen = f"(select contact_id from {table} where decision = 'purge')"
        deleted = {
            name: con.execute(f"delete from {name} where contact_id in {chosen}").fetchone()[0]
            for name in ("events", "orders", "contacts")
        }
        con.execute(f"delete from contact_aliases where contact_id in {chosen}")  # their platform ids too
        kept_objected, kept_later = decided.get("kept_objected", 0), decided.get("kept_later", 0)
        message = (
            f"{'Would purge' if dry_run else 'Purged'} {deleted['contacts']:,} expired contact(s) as of {as_of} "
            f"(retention {retention_years} years), with {deleted['orders']:,} order(s) and "
            f"{deleted['events']:,} event(s). Kept: {kept_objected:,} objected contact(s) past the limit "
            f"(suppression list) and {kept_later:,} whose later order, click or objection changes their status."
        )
        if dry_run:
            con.execute("rollback")
        else:
            store.record_change(con, "purge", message)
            facts.rebuild(con)
            con.execute("commit")
    except BaseException:
        _rollback(con)
        raise
    finally:
        con.execute(f"drop table if exists {table}")
    return {
        "as_of": as_of,
        **deleted,
        "kept_objected": kept_objected,
        "kept_later": kept_later,
        "message": message,
    }
