"""One process's way into the database file when several threads (the dashboard's browser sessions) share it
and other processes (the CLI, a scheduler) need it too.

DuckDB lets one process at a time open a file. So a long-running process must not keep it: this object opens
the file when a thread needs it, hands each thread its own cursor (how DuckDB's Python API is shared across
threads), and closes the file once nobody has used it for `linger_seconds` — at once when another process is
waiting for it. Writes inside the process are serialised by one lock; between processes DuckDB's own file lock
serialises them, and every open waits a bounded time, then fails with a plain message (`DatabaseBusy`).
"""

from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from analytics.errors import DatabaseBusy
from analytics.store import bounds
from analytics.store.connection import connect

_INSTANCES: weakref.WeakSet[SharedDatabase] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """Close idle files before the interpreter goes: a linger timer must not close DuckDB during shutdown."""
    for database in list(_INSTANCES):
        database.close()


def _invalidates(error: BaseException) -> bool:
    """Did DuckDB give up on the open database (it must be reopened)?"""
    while error is not None:
        if isinstance(error, duckdb.FatalException) or "invalidated" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


class SharedDatabase:
    def __init__(
        self,
        path: Path | str,
        *,
        readable: list[Path | str] = (),
        linger_seconds: float = 1.0,
        wait_seconds: float | None = None,
        on_open: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    ):
        self.path = Path(path)
        self.readable = list(readable)
        self.linger_seconds = linger_seconds
        self.wait_seconds = bounds.default_wait_seconds() if wait_seconds is None else wait_seconds
        self.on_open = on_open  # runs once per open, e.g. seed the demo into a new database
        self.write_lock = threading.Lock()
        self._state = threading.Condition()
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._timer: threading.Timer | None = None
        self.opens = 0  # how many times the file was opened (tests and benchmarks read it)
        self._broken = False
        _INSTANCES.add(self)

    # --- the lease -----------------------------------------------------------------------------------

    def _acquire(self) -> duckdb.DuckDBPyConnection:
        with self._state:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._connection is None:
                self._yield_to_waiting_process()
                self._connection = connect(self.path, wait_seconds=self.wait_seconds, readable=self.readable)
                self.opens += 1
                if self.on_open is not None:
                    try:
                        self.on_open(self._connection)
                    except BaseException:
                        self._connection.close()
                        self._connection = None
                        raise
            self._users += 1
            return self._connection

    def _yield_to_waiting_process(self) -> None:
        """Before opening, let a process that is waiting for the file (the CLI) have it first."""
        waited = 0.0
        while bounds.another_process_waiting(self.path):
            if waited >= self.wait_seconds:
                raise DatabaseBusy(
                    f"The database file {self.path} is being updated by another program (an optout-cohorts "
                    f"command) and stayed busy for {self.wait_seconds:.0f} s. Try again in a moment."
                )
            self._state.wait(0.1)
            waited += 0.1

    def _release(self) -> None:
        with self._state:
            self._users -= 1
            self._state.notify_all()
            if self._users:
                return
            if self._broken or bounds.another_process_waiting(self.path) or self.linger_seconds <= 0:
                self._broken = False
                self._close()
            else:
                self._timer = threading.Timer(self.linger_seconds, self._close_if_idle)
                self._timer.daemon = True
                self._timer.start()

    def _close_if_idle(self) -> None:
        with self._state:
            if self._users == 0:
                self._close()

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        """Close the file now if no thread uses it (at the end of tests and benchmarks)."""
        with self._state:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._users == 0:
                self._close()

    @contextmanager
    def closed(self) -> Iterator[None]:
        """Keep the file closed in this process while the block replaces it (restore, compaction): waits for
        the threads using it to finish, and no thread opens it again until the block ends."""
        with self.write_lock, self._state:
            while self._users:
                self._state.wait(0.05)
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._close()
            yield

    @property
    def is_open(self) -> bool:
        return self._connection is not None

    # --- what callers use ----------------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for this thread, valid inside the block."""
        connection = self._acquire()
        try:
            cursor = connection.cursor()
            try:
                yield cursor
            finally:
                cursor.close()
        except BaseException as error:
            if _invalidates(error):
                self._broken = True  # e.g. a checkpoint failed on a full disk: reopen on the next use
            raise
        finally:
            self._release()

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Like reading, holding this process's write lock: one writer at a time, readers go on meanwhile
        (each transaction sees the data as it was when it started)."""
        with self.write_lock, self.reading() as cursor:
            yield cursor
