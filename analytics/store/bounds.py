"""How far one connection and one process may go with the database file.

Every connection is locked down before it is returned (see `lock_down`): it reads no file but the database,
the product's work folder and the paths it was opened for, installs and loads no extension, and its
configuration cannot be changed by a later statement; its memory is bounded (`memory_limit`).

DuckDB lets one process at a time hold the file. A process that waits for it says so (`waiting_marker`), and
the others see whether it still runs (`process_alive`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from analytics.store.paths import work_dir

ENV_MEMORY_LIMIT = "OPTOUT_COHORTS_MEMORY"
# DuckDB's share: the whole process stays under 4 GiB at 50 M events (Python and DuckDB's allocations outside its
# buffer pool add about 0.45 GiB); larger work spills to disk.
DEFAULT_MEMORY_LIMIT = "3.5GB"
ENV_WAIT_SECONDS = "OPTOUT_COHORTS_WAIT_SECONDS"
DEFAULT_WAIT_SECONDS = 60.0


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
