"""The DuckDB database file: where it lives, how it is opened and migrated, and how named queries run.

One file holds the canonical tables (SPEC §4), the load log and the settings. Schema changes are numbered
migrations under analytics/migrations, so a newer version of the product opens an older file. The SQL of the
domain lives in analytics/sql: table macros (staging, intermediate layers) are (re)installed on every
writable open so they always match the code (they are stored in the file: TEMP macros would be invisible to
the cursors other threads use); metrics queries are run by name with bound parameters.

Every connection is locked down before it is returned (see `lock_down`): it reads no file but the database,
the product's work folder and the paths it was opened for, installs and loads no extension, and its
configuration cannot be changed by a later statement.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

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
    """The folder for the product's temporary files (re-encoded uploads, exports, backups being written):
    the only folder, besides the paths a connection is opened for, that DuckDB may read or write."""
    folder = Path(os.environ.get(ENV_WORK_DIR) or Path(tempfile.gettempdir()) / "optout-cohorts-work")
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


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
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False  # the waiting process died: a stale marker
    except PermissionError:
        pass
    return True


def _open_file(target: Path, wait: float) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting (bounded) while another process holds the file."""
    deadline = time.monotonic() + wait
    marker: Path | None = None
    try:
        while True:
            try:
                return duckdb.connect(str(target))
            except duckdb.IOException as error:
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
    """
    target = Path(path) if path is not None else default_db_path()
    if str(target) == ":memory:":
        con = duckdb.connect(":memory:")
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        con = _open_file(target, default_wait_seconds() if wait_seconds is None else wait_seconds)
    if con.execute("select current_setting('lock_configuration')").fetchone()[0]:
        # DuckDB shares one instance per file within a process: an earlier open set it up and locked it.
        return con
    # Bound the memory one process may use (large files spill to disk instead); $OPTOUT_COHORTS_MEMORY overrides.
    con.execute("set memory_limit = $limit", {"limit": memory_limit()})
    migrate(con)
    install_macros(con)
    from analytics import facts  # facts reads its SQL through this module

    facts.ensure(con)
    folder = [] if str(target) == ":memory:" else [target.resolve().parent]
    lock_down(con, [*folder, DEMO_DIR, *readable])
    return con


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
