"""Opening the DuckDB database file: one file holds the canonical tables (SPEC §4), the load log and the settings.

An open migrates the file and installs the current macros (analytics/store/sql.py), rebuilds stale facts
(analytics/store/facts.py), and locks the connection down (analytics/store/bounds.py).

Every open is also the next opportunity to finish what an interrupted maintenance left: temporary copies of a
killed process are removed, and the rewrite a purge still owes is done (maintenance.finish_rewrite). An open that
finds the disk full (it writes the macros) is a one-line error, never a traceback.
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import duckdb

from analytics.errors import DatabaseBusy, DiskFull, UserError, disk_full_reason, is_disk_full
from analytics.store import facts, maintenance
from analytics.store.bounds import default_wait_seconds, lock_down, memory_limit, waiting_marker
from analytics.store.paths import DEMO_DIR, default_db_path
from analytics.store.sql import install_macros, migrate


def _disk_full(target: Path, error: BaseException) -> DiskFull:
    return DiskFull(
        f"The database file {target} cannot be opened: the disk is full ({disk_full_reason(error)}), and opening "
        "it writes to it. Nothing was changed. Free some disk space, then try again."
    )


def _open_file(target: Path, wait: float) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting (bounded) while another process holds the file."""
    deadline = time.monotonic() + wait
    marker: Path | None = None
    try:
        while True:
            try:
                return duckdb.connect(str(target))
            except duckdb.IOException as error:
                if is_disk_full(error):
                    raise _disk_full(target, error) from None
                if "lock" not in str(error).lower():
                    raise UserError(f"The database file {target} cannot be opened: {error}") from None
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(
                        f"The database file {target} is in use by another program (the dashboard or another "
                        f"optout-cohorts command) and stayed busy for {wait:.0f} s. Nothing was changed. Wait "
                        "for it to finish (or close it), then try again."
                    ) from None
                if marker is None:
                    marker = waiting_marker(target)
                    marker.write_text(str(os.getpid()))
                time.sleep(0.1)
    finally:
        if marker is not None:
            marker.unlink(missing_ok=True)


def connect(
    path: Path | str | None = None,
    *,
    wait_seconds: float | None = None,
    readable: list[Path | str] = (),
) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database file, migrated, with the current macros, and locked down.

    readable: the files or folders this connection may read or write besides the work folder (which holds
    the uploads), the demo data and the database's own folder: e.g. the files a CLI command was given. A
    second open of the same file in one process shares the first one's DuckDB instance and its settings.
    DuckDB lets one process at a time hold a file; another process trying meanwhile waits up to
    wait_seconds (default $OPTOUT_COHORTS_WAIT_SECONDS, else 60) and then gets a plain error.
    A rewrite a purge still owes is done first; when it cannot be yet, a maintenance.RewriteOwed warning says so
    and the open goes on. A full disk: DiskFull, one line.
    """
    target = Path(path) if path is not None else default_db_path()
    wait = default_wait_seconds() if wait_seconds is None else wait_seconds
    in_memory = str(target) == ":memory:"
    if in_memory:
        con = duckdb.connect(":memory:")
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        con = _open_file(target, wait)
    if con.execute("select current_setting('lock_configuration')").fetchone()[0]:
        # DuckDB shares one instance per file within a process: an earlier open set it up and locked it.
        return con
    try:
        _prepare(con)
        if not in_memory and _finish_maintenance(con, target):
            con = _open_file(target, wait)
            _prepare(con)
        install_macros(con)
        facts.ensure(con)
    except duckdb.Error as error:
        con.close()
        if is_disk_full(error):
            raise _disk_full(target, error) from None
        raise
    folder = [] if in_memory else [target.resolve().parent]
    lock_down(con, [*folder, DEMO_DIR, *readable])
    return con


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    # Bound the memory one process may use (large files spill to disk instead); $OPTOUT_COHORTS_MEMORY overrides.
    con.execute("set memory_limit = $limit", {"limit": memory_limit()})
    migrate(con)


def _finish_maintenance(con: duckdb.DuckDBPyConnection, target: Path) -> bool:
    """Remove what killed maintenance left beside the file, and do the rewrite purges owe. True when it closed
    the connection for that (a rewrite swaps the file): the caller opens the file again."""
    maintenance.sweep_partials(target.resolve().parent)
    owed = maintenance.owed_contacts(con)
    if not owed:
        return False
    con.close()
    done = maintenance.finish_rewrite(target, owed, wait_seconds=0)  # it held the file a moment ago
    if not done["rewritten"]:
        warnings.warn(done["message"], maintenance.RewriteOwed, stacklevel=3)
    return True
