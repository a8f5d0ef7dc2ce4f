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

A purge records the rewrite it owes (table compaction_owed) in its own transaction, and the fresh file of a
rewrite is written without that record: the debt survives a kill, a busy database or a full disk, and ends
exactly when the rewrite is swapped in. `finish_rewrite` pays it at the next opportunity (after the purge, and on
every open: store.connect) and, when it cannot yet, says so: rows deleted, file not rewritten. Every backup
written is recorded (backups_written) so that a purge can name the copies that may still hold who it deleted.

The file swaps are safe against a crash at any point: the new file is written and fsynced under a temporary
name in the same folder, then os.replace puts it in place (the old file or the new one, never a mix), and a
WAL left by the old file is moved aside first so it can never be replayed onto the new one. Those temporary
names carry the writer's process id: the ones a killed process left behind are removed (`sweep_partials`) by
the next backup, restore, compaction or open. A full disk is a one-line `DiskFull` error, never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import time
import uuid
from pathlib import Path
from typing import Any

import duckdb

from analytics import formats, i18n
from analytics.errors import DatabaseBusy, DiskFull, UserError, disk_full_reason, is_disk_full
from analytics.i18n import N_, _, ngettext
from analytics.store import bounds, facts, paths, restore_check, sql
from analytics.store.transaction import transaction
from analytics.tables import TABLES

# The tables a database file must hold to be one of ours (besides schema_migrations).
PRODUCT_TABLES = (*TABLES, "load_log")
DUCKDB_MAGIC = (b"DUCK", 8)  # every DuckDB database file holds these bytes at this offset
PROBE_CONFIG = {"custom_user_agent": "optout-cohorts-maintenance"}


# --- small file helpers ---------------------------------------------------------------------------------


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _partial(target: Path) -> Path:
    """A temporary name beside target (same folder, so the final rename is atomic), carrying this process's id
    so that `sweep_partials` can tell a file being written from one a killed process left behind."""
    return target.with_name(f".{target.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.partial")


# A file named by _partial, or the WAL DuckDB keeps beside it while it is attached.
PARTIAL_NAME = re.compile(r"\..+\.(?P<pid>\d+)-[0-9a-f]{8}\.partial(\.wal)?")


def sweep_partials(folder: Path) -> list[Path]:
    """Remove the temporary files (copies, moved-aside WALs) whose writing process is gone: a killed backup,
    restore or compaction would otherwise leave them — and the data they hold — beside the database forever.
    Those of a live process (this one included) are kept. Returns the files removed."""
    removed = []
    for file in folder.glob(".*.partial*"):
        match = PARTIAL_NAME.fullmatch(file.name)
        if match and not bounds.process_alive(int(match["pid"])):
            file.unlink(missing_ok=True)
            removed.append(file)
    return removed


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
        stale = _partial(wal)  # a kill before its removal leaves it to sweep_partials
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


def _has_table(con: duckdb.DuckDBPyConnection, catalog: str, name: str) -> bool:
    return (
        con.execute(
            "select count(*) from duckdb_tables() where database_name = $catalog and schema_name = 'main' "
            "and table_name = $name",
            {"catalog": catalog, "name": name},
        ).fetchone()[0]
        > 0
    )


def _settle_copy(con: duckdb.DuckDBPyConnection, alias: str, live: str | None = None) -> None:
    """What a fresh copy of the database must say about itself: it owes no rewrite (only live rows were copied,
    no deleted row's bytes), and it keeps the list of backups written, the live file's too when it replaces it
    (a restore must not forget a backup that may hold people purged since)."""
    if _has_table(con, alias, "compaction_owed"):
        con.execute(f"delete from {alias}.main.compaction_owed")
    if (
        live is not None
        and _has_table(con, live, "backups_written")
        and _has_table(con, alias, "backups_written")
    ):
        con.execute(
            f"insert into {alias}.main.backups_written select * from {live}.main.backups_written "
            f"where path not in (select path from {alias}.main.backups_written)"
        )


def _disk_full(path: Path, error: BaseException, size: int) -> DiskFull:
    """The plain error of a copy (backup, restore, compaction) that found no room: never a traceback."""
    return DiskFull(
        _(
            "A new copy of the database could not be written to {folder}: the disk is full ({reason}); about "
            "{size} MB are needed there. Its temporary file was removed: free some space, then try again."
        ).format(folder=path.parent, reason=disk_full_reason(error), size=_megabytes(size))
    )


def _megabytes(size: int) -> str:
    """A file size in MB with one decimal, the reader's decimal separator (no thousands separator, as before)."""
    text = f"{size / 1e6:.1f}"
    return text.replace(".", ",") if i18n.current() == "fr" else text


def _count_text(counts: dict[str, int]) -> str:
    shown = [name for name in (*PRODUCT_TABLES, "change_log", "decision_log") if name in counts]
    return ", ".join(f"{formats.number(counts[name])} {name}" for name in shown)  # table names: codes


# --- backup ---------------------------------------------------------------------------------------------


def backup(con: duckdb.DuckDBPyConnection, target: Path | str, *, overwrite: bool = False) -> dict[str, Any]:
    """Write a consistent copy of the whole database to `target`, through this connection.

    The copy is taken in one transaction (a snapshot: a write of another cursor cannot slip in halfway),
    into a new DuckDB file under a temporary name in target's folder, checkpointed, fsynced and renamed to
    target. Sequences keep their current value, so load ids go on without collision after a restore.
    target's folder must be one the connection may write (store.connect(..., readable=[target.parent])).
    The database records the backup (backups_written) before it takes its name, so a purge can name every
    copy that may hold the people it deletes. A file the database itself uses (its WAL, its temporary files)
    is refused: DuckDB would delete or replay it. Returns {"path", "bytes", "tables": rows per table, "message"}.
    """
    target = Path(target).resolve()
    if PARTIAL_NAME.fullmatch(target.name):
        raise UserError(
            _(
                "{name} is the name of one of this program's temporary files, which are deleted: choose "
                "another backup file name."
            ).format(name=target.name)
        )
    if not target.parent.is_dir():
        raise UserError(
            _("The folder {folder} does not exist: create it, or choose another backup file.").format(
                folder=target.parent
            )
        )
    if target.exists() and not overwrite:
        raise UserError(
            _(
                "{path} already exists: choose another file name, or allow overwriting it (--overwrite)."
            ).format(path=target)
        )
    database, path = con.execute(
        "select database_name, path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    if path and Path(path).resolve() == target:
        raise UserError(_("The backup file cannot be the database file itself: choose another file name."))
    if path and target in (_wal(Path(path).resolve()), bounds.waiting_marker(Path(path).resolve())):
        raise UserError(
            _(
                "{path} is a file the database uses beside itself (DuckDB deletes or replays it): choose another "
                "backup file name."
            ).format(path=target)
        )
    for folder in {target.parent, *([Path(path).resolve().parent] if path else [])}:
        sweep_partials(folder)
    partial = _partial(target)
    alias = f"backup_copy_{uuid.uuid4().hex[:8]}"
    try:
        con.execute(f"attach {_literal(partial)} as {alias}")
    except (duckdb.PermissionException, duckdb.IOException) as error:
        raise UserError(
            _(
                "The backup cannot be written to {folder}: {reason}. Choose a folder this program may write (the "
                "database's own folder, or one the command was given)."
            ).format(folder=target.parent, reason=_first_line(error))
        ) from None
    record = {"path": str(target), "at": dt.datetime.now().replace(microsecond=0)}
    try:
        with transaction(con):
            con.execute(f"copy from database {_identifier(database)} to {alias}")
            _settle_copy(con, alias)
            # The copy lists itself, as the live file will.
            con.execute(f"insert or replace into {alias}.main.backups_written values ($path, $at)", record)
            counts = _table_counts(con, alias)
        con.execute(f"checkpoint {alias}")
        con.execute(f"detach {alias}")
        _fsync_file(partial)
        # Recorded before the backup has its name: no backup goes unrecorded.
        con.execute("insert or replace into backups_written values ($path, $at)", record)
        _swap(partial, target)
    except BaseException as error:
        with contextlib.suppress(duckdb.Error):  # the error that matters is the one being handled
            con.execute(f"detach database if exists {alias}")
        _remove(partial)
        if isinstance(error, duckdb.Error | OSError) and is_disk_full(error):
            raise _disk_full(target, error, Path(path).stat().st_size if path else 0) from None
        raise
    size = target.stat().st_size
    return {
        "path": target,
        "bytes": size,
        "tables": counts,
        "message": _("Backup written to {path} ({size} MB): {counts}.").format(
            path=target, size=_megabytes(size), counts=_count_text(counts)
        ),
    }


# --- restore and compaction -----------------------------------------------------------------------------

WAIT_SECONDS = 5.0
# What a restore that could not be done says after its cause.
RESTORE_NOT_DONE = N_("Nothing was changed")  # translated where said


def _rewrite_not_done(path: Path) -> str:
    """What a compaction that could not be done says after its cause: true whether or not a purge is waiting
    for it, and never "nothing was changed" (a purge before it did change the data)."""
    return _(
        "The file was not rewritten: rows a purge deleted since its last rewrite are still readable in it. The "
        "rewrite is retried the next time the database is opened (or run `optout-cohorts compact --db {path}`)"
    ).format(path=path)


def _not_open_here(path: Path, not_done: str) -> None:
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
            _(
                "The database file {path} is open in this program: close its connection (or let the dashboard "
                "release it) before replacing the file. {not_done}."
            ).format(path=path, not_done=_(not_done))
        ) from None
    except duckdb.Error:
        return  # held by another process (judged while attaching it), or damaged
    probe.close()


def _helper(source: Path, dest: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory connection, locked down like every other, that may read source's folder and write
    dest's."""
    con = duckdb.connect(":memory:")
    con.execute("set memory_limit = $limit", {"limit": bounds.memory_limit()})
    con.execute("set temp_directory = $folder", {"folder": str(paths.work_dir())})
    bounds.lock_down(con, [source.parent, dest.parent])
    return con


def _attach_read_only(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    alias: str,
    wait_seconds: float,
    not_done: str,
    *,
    damaged_ok: bool = False,
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
                        _(
                            "{path} is not a database file this program can read: {reason}. Nothing was changed."
                        ).format(path=path, reason=_first_line(error))
                    ) from None
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(
                        _(
                            "The database file {path} is in use by another program (the dashboard or another "
                            "optout-cohorts command) and stayed busy: close it, then try again. {not_done}."
                        ).format(path=path, not_done=_(not_done))
                    ) from None
                if marker is None:
                    marker = bounds.waiting_marker(path)
                    marker.write_text(str(os.getpid()))
                time.sleep(0.1)
    finally:
        if marker is not None:
            marker.unlink(missing_ok=True)


def _check_product(
    con: duckdb.DuckDBPyConnection, alias: str, source: Path, target: Path, live: str | None
) -> tuple[int, str]:
    """The schema version of an attached optout-cohorts database, and what restoring it does to the decision
    log (a sentence); UserError, before anything is copied, when it is not one we can use: a crafted file is
    judged whole (restore_check), since the product builds SQL from what a database holds. target: the
    database file it replaces; live: that file's alias, attached, or None."""
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
            _(
                "{path} is not an optout-cohorts database (it lacks the table(s) {tables}); nothing was changed. "
                "Choose a file written by `optout-cohorts backup`."
            ).format(path=source, tables=", ".join(missing))
        )
    version = con.execute(f"select coalesce(max(version), 0) from {alias}.main.schema_migrations").fetchone()[
        0
    ]
    known = max((v for v, _ in sql.migrations()), default=0)
    if version > known:
        raise UserError(
            _(
                "{path} was written by a newer version of optout-cohorts (schema {version}, this one knows "
                "{known}); nothing was changed. Update the program, then restore."
            ).format(path=source, version=version, known=known)
        )
    try:
        problems = restore_check.problems(con, alias, version, target)
    except duckdb.Error as error:  # a damaged file fails here, at its first unreadable block
        if is_disk_full(error):
            raise
        raise UserError(
            _("{path} cannot be read whole: {reason}. {not_done}.").format(
                path=source, reason=_first_line(error), not_done=_(RESTORE_NOT_DONE)
            )
        ) from None
    if problems:
        shown = problems[: restore_check.MOST_PROBLEMS]
        more = (
            _("; and {count} more").format(count=formats.number(len(problems) - len(shown)))
            if len(problems) > len(shown)
            else ""
        )
        raise UserError(
            _(
                "{path} cannot be restored: {problems}{more}. {not_done}: choose a backup written by "
                "`optout-cohorts backup`."
            ).format(path=source, problems="; ".join(shown), more=more, not_done=_(RESTORE_NOT_DONE))
        )
    return version, restore_check.log_change(con, alias, live)


def _rewrite_and_swap(
    source: Path, db_path: Path, *, check: bool, wait_seconds: float, not_done: str
) -> tuple[dict[str, int], tuple[int, str] | None]:
    """Copy every object of source into a fresh file beside db_path, then swap it in for db_path.

    Reading the whole source through DuckDB checks every block (a damaged file fails here, before the live
    file is touched), and takes in what its WAL holds. The live file stays attached read-only — locked —
    from before the copy until after the rename, so no other process can write to it meanwhile and lose
    that write with the old file. not_done: what a busy file or a full disk leaves true, said after the cause.
    """
    sweep_partials(db_path.parent)
    _not_open_here(db_path, not_done)
    partial = _partial(db_path)
    con = _helper(source, db_path)
    try:
        # A live file DuckDB cannot read is damaged: replacing it is what a restore is for.
        replacing = db_path != source and db_path.exists()
        live = None
        if replacing and _attach_read_only(con, db_path, "live", wait_seconds, not_done, damaged_ok=True):
            live = "live"
        _attach_read_only(con, source, "src", wait_seconds, not_done)
        version = _check_product(con, "src", source, db_path, live) if check else None
        con.execute(f"attach {_literal(partial)} as dst")
        try:
            con.execute("copy from database src to dst")
        except duckdb.Error as error:
            if is_disk_full(error):
                raise
            raise UserError(
                _("{path} cannot be read whole: {reason}. {not_done}.").format(
                    path=source, reason=_first_line(error), not_done=_(RESTORE_NOT_DONE)
                )
            ) from None
        _settle_copy(con, "dst", live)
        counts = _table_counts(con, "dst")
        con.execute("checkpoint dst")
        con.execute("detach dst")
        _fsync_file(partial)
        _swap(partial, db_path)
    except BaseException as error:
        _remove(partial)
        if isinstance(error, duckdb.Error | OSError) and is_disk_full(error):
            raise DiskFull(f"{_disk_full(db_path, error, source.stat().st_size)} {_(not_done)}.") from None
        raise
    finally:
        con.close()
    return counts, version


def restore(
    backup_path: Path | str, db_path: Path | str, *, wait_seconds: float = WAIT_SECONDS
) -> dict[str, Any]:
    """Replace the database file with a backup, atomically.

    Refuses (UserError, the database left as it was) when the backup is not a readable optout-cohorts
    database whose whole content passes restore_check, and (DatabaseBusy) when a program has the database
    open: this one, or another process that does not let go within wait_seconds. A database written by an older
    version is migrated on its next open. The message says what becomes of the decision log.
    Returns {"path", "tables": rows per table, "schema_version", "message"}.
    """
    source = Path(backup_path).resolve()
    target = Path(db_path).resolve()
    if not source.is_file():
        raise UserError(
            _("The backup file {path} does not exist. Check the path and try again.").format(path=source)
        )
    if source == target:
        raise UserError(_("The backup file is the database file itself: choose a backup file."))
    with open(source, "rb") as handle:
        if handle.read(DUCKDB_MAGIC[1] + 4)[DUCKDB_MAGIC[1] :] != DUCKDB_MAGIC[0]:
            raise UserError(
                _(
                    "{path} is not a DuckDB database file, so not an optout-cohorts backup; nothing was changed. "
                    "Choose a file written by `optout-cohorts backup`."
                ).format(path=source)
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    counts, (version, log_change) = _rewrite_and_swap(
        source, target, check=True, wait_seconds=wait_seconds, not_done=RESTORE_NOT_DONE
    )
    return {
        "path": target,
        "tables": counts,
        "schema_version": version,
        "message": _("Database {path} restored from {source}: {counts}. {log_change}").format(
            path=target, source=source, counts=_count_text(counts), log_change=log_change
        ),
    }


def compact(
    db_path: Path | str, *, wait_seconds: float = WAIT_SECONDS, not_done: str | None = None
) -> dict[str, Any]:
    """Rewrite the database into a fresh file and swap it in, so that the bytes of deleted rows leave it.

    Everything committed (the WAL included) is copied object by object into a new, checkpointed file, which
    replaces the old one with one rename; the old WAL is removed with the old file, and the rewrite a purge
    owed ends with it (the new file is written without that record). The database must not be open in this
    process, nor stay open in another beyond wait_seconds (DatabaseBusy); a full disk: DiskFull. Either way the
    file is left as it was, and the message says that rows deleted before are still in it (not_done: that
    sentence, when the caller knows more, see finish_rewrite).
    Returns {"path", "bytes_before", "bytes_after", "tables", "message"}.
    """
    path = Path(db_path).resolve()
    if not path.is_file():
        raise UserError(_("The database file {path} does not exist.").format(path=path))
    wal = _wal(path)
    before = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    counts, _restored = _rewrite_and_swap(
        path, path, check=False, wait_seconds=wait_seconds, not_done=not_done or _rewrite_not_done(path)
    )
    after = path.stat().st_size
    return {
        "path": path,
        "bytes_before": before,
        "bytes_after": after,
        "tables": counts,
        "message": _(
            "Database file {path} rewritten without the deleted rows: {before} MB → {after} MB."
        ).format(path=path, before=_megabytes(before), after=_megabytes(after)),
    }


class RewriteOwed(UserWarning):
    """A purge's rewrite that could not be done yet (busy database, full disk): warned by store.connect, which
    carries on with the open; the CLI prints it as one line."""


def owed_contacts(con: duckdb.DuckDBPyConnection) -> int:
    """How many purged contacts' bytes are still in the file: the rewrites purges recorded and no compaction
    has done yet (0: nothing owed)."""
    return con.execute("select coalesce(sum(contacts), 0) from compaction_owed").fetchone()[0]


def finish_rewrite(db_path: Path | str, owed: int, *, wait_seconds: float = WAIT_SECONDS) -> dict[str, Any]:
    """Do the rewrite purges left owed (owed: how many purged contacts it concerns, from `owed_contacts`).

    A busy database or a full disk does not raise: the debt stays recorded in the file, to be paid on the next
    open, and the message states what truly happened — rows deleted, file not rewritten, why, and what to do.
    The file must not be open in this process. Returns {"rewritten": bool, "message"}.
    """
    not_done = ngettext(
        "The bytes of {count} purged contact(s) are still in the database file: the rewrite is recorded and "
        "will be retried the next time the database is opened; or run `optout-cohorts compact --db {path}` then",
        "The bytes of {count} purged contact(s) are still in the database file: the rewrite is recorded and "
        "will be retried the next time the database is opened; or run `optout-cohorts compact --db {path}` then",
        owed,
    ).format(count=formats.number(owed), path=Path(db_path).resolve())
    try:
        result = compact(db_path, wait_seconds=wait_seconds, not_done=not_done)
    except (DatabaseBusy, DiskFull) as error:
        return {
            "rewritten": False,
            "message": _("Rows deleted: yes; file rewritten: no. {error}").format(error=error),
        }
    return {
        "rewritten": True,
        "message": result["message"]
        + " "
        + ngettext(
            "The {count} purged contact(s) are gone from it.",
            "The {count} purged contact(s) are gone from it.",
            owed,
        ).format(count=formats.number(owed)),
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
    `compact` rewrites it: the same transaction records that rewrite as owed (see `finish_rewrite`), and the
    message names the backups, written before, that may still hold the purged contacts. dry_run: count,
    change nothing.
    Returns {"as_of", "contacts", "orders", "events", "kept_objected", "kept_later", "owed": purged contacts
    whose bytes the file still holds (this purge's and any earlier one's), "backups": those backup files,
    "message"}.
    """
    if as_of > dt.date.today():
        raise UserError(
            _(
                "Cannot purge as of {day}, a future date: contacts are purged once their limit has passed."
            ).format(day=formats.date_numeric(as_of))
        )
    latest = con.execute(
        "select greatest((select max(collected_at) from contacts), (select max(order_date) from orders), "
        "(select max(cast(occurred_at as date)) from events))"
    ).fetchone()[0]
    params = {"as_of": as_of, "until": max(as_of, latest or as_of), "retention_years": retention_years}
    table = "purge_candidates"
    try:
        with transaction(con) as purge:
            con.execute(
                f"create or replace temp table {table} as {sql.query_text('metrics/purge_expired')}", params
            )
            decided = dict(
                con.execute(f"select decision, count(*) from {table} group by decision").fetchall()
            )
            chosen = f"(select contact_id from {table} where decision = 'purge')"
            deleted = {
                name: con.execute(f"delete from {name} where contact_id in {chosen}").fetchone()[0]
                for name in ("events", "orders", "contacts")
            }
            con.execute(f"delete from contact_aliases where contact_id in {chosen}")  # their platform ids too
            kept_objected, kept_later = decided.get("kept_objected", 0), decided.get("kept_later", 0)
            message = _purge_message(dry_run, deleted, as_of, retention_years, kept_objected, kept_later)
            backups = []
            if dry_run:
                purge.rollback()
            else:
                with i18n.within(i18n.SOURCE_LANGUAGE):  # the change log keeps one language, whoever purged
                    recorded = _purge_message(
                        dry_run, deleted, as_of, retention_years, kept_objected, kept_later
                    )
                sql.record_change(con, "purge", recorded)
                if deleted["contacts"]:
                    con.execute(
                        "insert into compaction_owed values ($at, $contacts)",
                        {"at": dt.datetime.now().replace(microsecond=0), "contacts": deleted["contacts"]},
                    )
                    backups = _backups_still_there(con)
                facts.rebuild(con)
    finally:
        con.execute(f"drop table if exists {table}")
    if backups:
        message += " " + _(
            "These backups, written before this purge, may still hold the purged contacts: {backups}. Delete "
            "them, or write new ones in their place."
        ).format(backups=", ".join(map(str, backups)))
    return {
        "as_of": as_of,
        **deleted,
        "kept_objected": kept_objected,
        "kept_later": kept_later,
        "owed": owed_contacts(con),
        "backups": backups,
        "message": message,
    }


def _purge_message(
    dry_run: bool,
    deleted: dict[str, int],
    as_of: dt.date,
    retention_years: int,
    kept_objected: int,
    kept_later: int,
) -> str:
    """What a purge did (or would do), in the current language."""
    text = (
        _(
            "Would purge {contacts} expired contact(s) as of {day} (retention {years} years), with {orders} "
            "order(s) and {events} event(s). Kept: {objected} objected contact(s) past the limit (suppression "
            "list) and {later} whose later order, click or objection changes their status."
        )
        if dry_run
        else _(
            "Purged {contacts} expired contact(s) as of {day} (retention {years} years), with {orders} order(s) "
            "and {events} event(s). Kept: {objected} objected contact(s) past the limit (suppression list) and "
            "{later} whose later order, click or objection changes their status."
        )
    )
    return text.format(
        contacts=formats.number(deleted["contacts"]),
        day=formats.date_numeric(as_of),
        years=retention_years,
        orders=formats.number(deleted["orders"]),
        events=formats.number(deleted["events"]),
        objected=formats.number(kept_objected),
        later=formats.number(kept_later),
    )


def _backups_still_there(con: duckdb.DuckDBPyConnection) -> list[Path]:
    """The backup files written from this database that still exist, oldest first."""
    rows = con.execute("select path from backups_written order by written_at, path").fetchall()
    return [Path(path) for (path,) in rows if Path(path).is_file()]
