"""The DuckDB database file: where it lives, how it is opened and migrated, and how named queries run.

One file holds the canonical tables (SPEC §4), the load log and the settings. Schema changes are numbered
migrations under analytics/migrations, so a newer version of the product opens an older file. The SQL of the
domain lives in analytics/sql: table macros (staging, intermediate layers) are (re)installed on every
writable open so they always match the code (they are stored in the file: TEMP macros would be invisible to
the cursors other threads use); metrics queries are run by name with bound parameters.

Every connection is locked down before it is returned (see `lock_down`): it reads no file but the database,
the product's work folder and the paths it was opened for, installs and loads no extension, and its
configuration cannot be changed by a later statement.

Every open is also the next opportunity to finish what an interrupted maintenance left: temporary copies of a
killed process are removed, and the rewrite a purge still owes is done (maintenance.finish_rewrite). An open that
finds the disk full (it writes the macros) is a one-line error, never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import stat
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import duckdb

from analytics.csv_files import DISK_FULL_WORDS, DiskFull, is_disk_full
from analytics.errors import DatabaseBusy, UserError

ENV_DB_PATH = "OPTOUT_COHORTS_DB"
ENV_MEMORY_LIMIT = "OPTOUT_COHORTS_MEMORY"
# DuckDB's share: the whole process stays under 4 GiB at 50 M events (Python and DuckDB's allocations outside its
# buffer pool add about 0.45 GiB); larger work spills to disk.
DEFAULT_MEMORY_LIMIT = "3.5GB"
ENV_WORK_DIR = "OPTOUT_COHORTS_WORK"
ENV_WAIT_SECONDS = "OPTOUT_COHORTS_WAIT_SECONDS"
DEFAULT_WAIT_SECONDS = 60.0
PROJECT_ROOT = Path(__file__).resolve().parents[1]
MACRO_LAYERS = ("macros", "staging", "intermediate")


def default_db_path() -> Path:
    """The database file: $OPTOUT_COHORTS_DB, else data/optout-cohorts.duckdb in the project folder."""
    return Path(os.environ.get(ENV_DB_PATH) or PROJECT_ROOT / "data" / "optout-cohorts.duckdb")


PACKAGE_DIR = Path(__file__).resolve().parent


DEMO_DIR = PROJECT_ROOT / "data" / "demo"


def work_dir() -> Path:
    """The folder for the product's temporary files (uploads, re-encoded copies, exports, backups being
    written): the only folder, besides the paths a connection is opened for, that DuckDB may read or write.
    It holds copies of personal data, so it is private to this user (see `private_folder`)."""
    folder = Path(os.environ.get(ENV_WORK_DIR) or Path(tempfile.gettempdir()) / "optout-cohorts-work")
    folder.parent.mkdir(parents=True, exist_ok=True)
    return private_folder(folder.parent.resolve() / folder.name)


PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_folder(folder: Path) -> Path:
    """Create `folder` (its parent must exist) readable by this user only, or check an existing one: in a shared
    temp directory another user may have made it first (to read the uploads) or planted a symbolic link (to
    redirect them). One of ours with group or world permissions is made private."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder, PRIVATE_FOLDER_MODE)
    info = os.lstat(folder)
    fix = f"Remove it (or ask its owner to), or set {ENV_WORK_DIR} to a folder of your own."
    if stat.S_ISLNK(info.st_mode):
        raise UserError(
            f"The work folder {folder} is a symbolic link, not a folder: someone may be redirecting the uploads "
            f"it would hold. Nothing was written there. {fix}"
        )
    if not stat.S_ISDIR(info.st_mode):
        raise UserError(f"The work folder {folder} is a file, not a folder. Nothing was written there. {fix}")
    if info.st_uid != os.geteuid():
        raise UserError(
            f"The work folder {folder} belongs to another user (uid {info.st_uid}), who could read the uploads "
            f"it would hold. Nothing was written there. {fix}"
        )
    if stat.S_IMODE(info.st_mode) != PRIVATE_FOLDER_MODE:
        os.chmod(folder, PRIVATE_FOLDER_MODE)
    return folder


def open_private(path: Path):
    """A new file (replacing any) that only this user may read, opened for writing bytes."""
    return os.fdopen(
        os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE_MODE), "wb"
    )


def sweep(folder: Path, older_than: float, prefix: str = "") -> None:
    """Delete the entries of `folder` (named with `prefix`) untouched for `older_than` seconds: copies of personal
    data that an ended session or a killed process left behind. Symbolic links are left alone."""
    cutoff = time.time() - older_than
    for entry in os.scandir(folder):
        try:
            info = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue  # removed meanwhile
        if not entry.name.startswith(prefix) or info.st_mtime > cutoff or stat.S_ISLNK(info.st_mode):
            continue
        if stat.S_ISDIR(info.st_mode):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            Path(entry.path).unlink(missing_ok=True)


def sql_text(relative: str) -> str:
    return (PACKAGE_DIR / relative).read_text(encoding="utf-8")


def sql_files(folder: str) -> list[str]:
    return sorted(f"{folder}/{path.name}" for path in (PACKAGE_DIR / folder).glob("*.sql"))


def migrations() -> list[tuple[int, str]]:
    """(version, file) of every schema migration, in order."""
    found = []
    for relative in sql_files("migrations"):
        match = re.match(r"migrations/(\d+)_", relative)
        if match:
            found.append((int(match.group(1)), relative))
    return sorted(found)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply the migrations the file has not seen yet, each in its own transaction; return the version."""
    con.execute(
        "create table if not exists schema_migrations "
        "(version integer primary key, name varchar not null, applied_at timestamp not null)"
    )
    applied = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
    for version, relative in migrations():
        if version in applied:
            continue
        con.execute("begin transaction")
        try:
            con.execute(sql_text(relative))
            con.execute(
                "insert into schema_migrations values ($version, $name, $applied_at)",
                {"version": version, "name": relative, "applied_at": dt.datetime.now()},
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return max((v for v, _ in migrations()), default=0)


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the macros of analytics/sql, layer by layer.

    DuckDB binds a macro when it is created, so within a layer a macro that uses another one of the same
    layer is retried after the others; a file that never binds raises its own error.
    """
    for layer in MACRO_LAYERS:
        pending = sql_files(f"sql/{layer}")
        while pending:
            failed: list[tuple[str, duckdb.Error]] = []
            for relative in pending:
                try:
                    con.execute(sql_text(relative))
                except (duckdb.CatalogException, duckdb.BinderException) as error:
                    failed.append((relative, error))
            if len(failed) == len(pending):
                raise failed[0][1]
            pending = [relative for relative, _ in failed]


def lock_down(con: duckdb.DuckDBPyConnection, readable: list[Path | str] = ()) -> None:
    """Confine the connection: no file outside the database, the work folder and `readable` (files or
    folders), no extension install or load, and no further configuration change (so a statement built from
    user input could not undo any of this)."""
    folders = [work_dir(), *(Path(p).resolve() for p in readable if Path(p).is_dir())]
    files = [Path(p).resolve() for p in readable if not Path(p).is_dir()]
    con.execute("set allowed_directories = $folders", {"folders": [f"{f}/" for f in folders]})
    con.execute("set allowed_paths = $files", {"files": [str(f) for f in files]})
    con.execute("set enable_external_access = false")
    con.execute("set autoinstall_known_extensions = false")
    con.execute("set autoload_known_extensions = false")
    con.execute("set lock_configuration = true")


def memory_limit() -> str:
    """The memory DuckDB may use in one process: $OPTOUT_COHORTS_MEMORY, else DEFAULT_MEMORY_LIMIT."""
    return os.environ.get(ENV_MEMORY_LIMIT) or DEFAULT_MEMORY_LIMIT


def default_wait_seconds() -> float:
    """How long a process waits for another one to release the database file ($OPTOUT_COHORTS_WAIT_SECONDS)."""
    return float(os.environ.get(ENV_WAIT_SECONDS) or DEFAULT_WAIT_SECONDS)


def waiting_marker(target: Path) -> Path:
    """A file that says a process is waiting for the database: the dashboard, which holds the file only
    while it reads, lets such a process (the CLI, a scheduler) go first."""
    return target.with_name(target.name + ".waiting")


def another_process_waiting(target: Path) -> bool:
    marker = waiting_marker(target)
    try:
        pid = int(marker.read_text() or 0)
        fresh = time.time() - marker.stat().st_mtime < default_wait_seconds() + 5
    except (OSError, ValueError):
        return False
    if pid == os.getpid() or not fresh:
        return False
    return process_alive(pid)  # else the waiting process died: a stale marker


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs (one of another user counts): tells a file a live process is writing
    from one a dead process left."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def disk_full_reason(error: BaseException) -> str:
    """The system's words for a full disk in an error (see csv_files.is_disk_full), for a one-line message."""
    return next((words for words in DISK_FULL_WORDS if words in str(error)), "no room left")


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
        from analytics import facts  # facts reads its SQL through this module

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
    from analytics import maintenance  # maintenance opens files through this module

    maintenance.sweep_partials(target.resolve().parent)
    owed = maintenance.owed_contacts(con)
    if not owed:
        return False
    con.close()
    done = maintenance.finish_rewrite(target, owed, wait_seconds=0)  # it held the file a moment ago
    if not done["rewritten"]:
        warnings.warn(done["message"], maintenance.RewriteOwed, stacklevel=3)
    return True


def record_change(con: duckdb.DuckDBPyConnection, kind: str, detail: str) -> None:
    """Note a change in the change log (call inside the transaction that makes the change)."""
    con.execute(
        "insert into change_log (kind, detail, changed_at) values ($kind, $detail, $at)",
        {"kind": kind, "detail": detail, "at": dt.datetime.now().replace(microsecond=0)},
    )


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """A number that grows with every change of data, registry or settings: part of every cache key."""
    return con.execute("select coalesce(max(change_id), 0) from change_log").fetchone()[0]


def query_text(name: str) -> str:
    """The SQL of a named query, e.g. 'metrics/cohort_metrics'."""
    if not re.fullmatch(r"[a-z_]+/[a-z_]+", name):
        raise ValueError(f"not a query name: {name!r}")
    return sql_text(f"sql/{name}.sql")


def records(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run a named query with bound parameters; rows as dicts (nulls stay None)."""
    cursor = con.execute(query_text(name), params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def frame(con: duckdb.DuckDBPyConnection, name: str, **params: Any):
    """Run a named query with bound parameters; a pandas DataFrame (for small results only)."""
    return con.execute(query_text(name), params).df()
