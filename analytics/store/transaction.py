"""One DuckDB transaction: `with transaction(con):` begins, commits when the block ends, rolls back when it raises.

Every change the product writes in one step (a load, a purge, a settings save, a migration...) goes through
here, so that one place knows DuckDB's rules instead of a hand-written begin/commit/rollback at each site:

- A commit that fails (a write-write conflict, a full disk at the write-ahead log or at the checkpoint it
  triggers) has already rolled the transaction back: the rollback that follows finds "no transaction is
  active". After a fatal error (a checkpoint that met a full disk invalidates the database) DuckDB refuses
  every statement, the rollback included. Either way the rollback is only cleanup: its own failure is
  ignored, and the error raised is always the one that ended the transaction (the commit's, or the block's),
  so the callers' translations (a full disk, no memory) see the real cause.
- Anything raised inside the block rolls back and is re-raised: any BaseException, so KeyboardInterrupt and
  SystemExit too (a Ctrl-C never leaves a transaction open on a connection that lives on).
- A block that decides not to keep its work (a dry run; a key file that could not be written) calls
  `.rollback()` on what the `with` yields: the work is undone there and then, and nothing is committed at the
  end of the block (statements run after it are outside any transaction).
- Transactions do not nest: DuckDB refuses a begin inside one ("cannot start a transaction within a
  transaction", which also aborts the open one), so an inner `transaction(con)` raises on entry, and the outer
  one rolls back.
- Let a DuckDB error leave the block: one caught inside it still leaves the transaction aborted, and DuckDB's
  commit of an aborted transaction keeps nothing without raising.
"""

from __future__ import annotations

import contextlib
from types import TracebackType

import duckdb


class Transaction:
    """What `transaction(con)` yields; see the module's docstring."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._open = False

    def __enter__(self) -> Transaction:
        self._con.execute("begin transaction")
        self._open = True
        return self

    def rollback(self) -> None:
        """Undo the block's work now; the end of the block then commits nothing."""
        self._con.execute("rollback")
        self._open = False

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if not self._open:
            return False
        self._open = False
        if exc_type is not None:
            self._undo()
            return False
        try:
            self._con.execute("commit")
        except BaseException:
            self._undo()
            raise
        return False

    def _undo(self) -> None:
        """Roll back whatever is still open; a failed commit has already rolled back (see the module)."""
        with contextlib.suppress(duckdb.Error):
            self._con.execute("rollback")


def transaction(con: duckdb.DuckDBPyConnection) -> Transaction:
    """A transaction on con, for a `with` block: committed at its end, rolled back if it raises."""
    return Transaction(con)
