"""store.transaction: the one begin/commit/rollback of the product, on real DuckDB connections.

Committed work is seen by another connection; a block that raises (KeyboardInterrupt too) leaves nothing and
its error goes on; a commit that fails (DuckDB has then already rolled back) raises its own error, not the
rollback's "no transaction is active", and leaves no transaction open; `.rollback()` keeps nothing without an
error; transactions do not nest.
"""

from __future__ import annotations

import duckdb
import pytest

from analytics.errors import is_disk_full
from analytics.store.transaction import transaction


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "t.duckdb"))
    connection.execute("create table t (id integer primary key)")
    yield connection
    connection.close()


def ids(con) -> list[int]:
    return [row[0] for row in con.execute("select id from t order by id").fetchall()]


def in_transaction(con) -> bool:
    """Whether a transaction is open on con. Only to be asked when none should be: the begin it tries, refused
    inside a transaction, aborts that transaction (DuckDB)."""
    try:
        con.execute("begin transaction")
    except duckdb.TransactionException:
        return True
    con.execute("rollback")
    return False


def test_a_block_that_ends_commits_and_another_connection_sees_it(con):
    reader = con.cursor()  # a connection of its own to the same database
    with transaction(con):
        con.execute("insert into t values (1), (2)")
        assert ids(reader) == []  # not committed yet
    assert ids(reader) == [1, 2]
    assert not in_transaction(con)


def test_a_block_that_raises_rolls_back_and_the_error_goes_on(con):
    con.execute("insert into t values (1)")
    error = ValueError("refused")
    with pytest.raises(ValueError) as raised, transaction(con):
        con.execute("insert into t values (2)")
        raise error
    assert raised.value is error
    assert ids(con) == [1]
    assert not in_transaction(con)


def test_a_database_error_inside_rolls_back_the_earlier_statements(con):
    with pytest.raises(duckdb.ConstraintException), transaction(con):
        con.execute("insert into t values (5)")
        con.execute("insert into t values (5)")  # aborts the transaction
    assert ids(con) == []
    assert not in_transaction(con)


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])
def test_an_interruption_inside_rolls_back_too(con, interruption):
    with pytest.raises(interruption), transaction(con):
        con.execute("insert into t values (3)")
        raise interruption()
    assert ids(con) == []
    assert not in_transaction(con)


def test_a_commit_that_fails_raises_its_own_error_and_leaves_no_transaction_open(con):
    """Two connections insert the same key: the second commit fails (DuckDB detects the conflict at commit and
    has rolled back by then); the error is the commit's, not the rollback's "no transaction is active"."""
    other = con.cursor()
    with pytest.raises(duckdb.TransactionException, match="Failed to commit") as raised, transaction(con):
        con.execute("insert into t values (7), (8)")
        with transaction(other):
            other.execute("insert into t values (7)")
    assert "no transaction is active" not in str(raised.value)
    assert ids(con) == [7]  # the other connection's row only
    assert not in_transaction(con)
    with transaction(con):  # the connection goes on
        con.execute("insert into t values (9)")
    assert ids(other) == [7, 9]


class FailingCommit:
    """A connection whose commit fails the way a full disk makes it fail: DuckDB has rolled back by then."""

    def __init__(self, con: duckdb.DuckDBPyConnection, error: BaseException) -> None:
        self.con, self.error, self.statements = con, error, []

    def execute(self, statement: str, *args):
        self.statements.append(statement)
        if statement == "commit":
            self.con.execute("rollback")
            raise self.error
        return self.con.execute(statement, *args)


def test_a_full_disk_at_commit_surfaces_as_the_disk_full_error(con):
    error = duckdb.IOException('Could not write file "t.duckdb.wal": No space left on device')
    failing = FailingCommit(con, error)
    with pytest.raises(duckdb.IOException) as raised, transaction(failing):
        failing.execute("insert into t values (1)")
    assert raised.value is error and is_disk_full(raised.value)
    assert failing.statements == ["begin transaction", "insert into t values (1)", "commit", "rollback"]
    assert ids(con) == []
    assert not in_transaction(con)


class RefusingAll:
    """A connection invalidated by a fatal error after the block began: every statement is refused."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.fatal = con, False

    def execute(self, statement: str, *args):
        if self.fatal:
            raise duckdb.FatalException("database has been invalidated because of a previous fatal error")
        return self.con.execute(statement, *args)


def test_a_rollback_the_database_refuses_does_not_hide_the_error_that_ended_the_block(con):
    refusing = RefusingAll(con)
    error = duckdb.IOException("No space left on device")
    with pytest.raises(duckdb.IOException) as raised, transaction(refusing):
        refusing.execute("insert into t values (1)")
        refusing.fatal = True
        raise error
    assert raised.value is error
    con.execute("rollback")  # the real transaction, which the fake fatal error left open


def test_rollback_inside_the_block_keeps_nothing_and_commits_nothing(con):
    con.execute("insert into t values (1)")
    with transaction(con) as work:
        con.execute("delete from t")
        con.execute("insert into t values (2)")
        assert ids(con) == [2]
        work.rollback()
        assert not in_transaction(con)
    assert ids(con) == [1]
    assert not in_transaction(con)


def test_an_error_after_rollback_inside_the_block_goes_on(con):
    with pytest.raises(RuntimeError, match="after"), transaction(con) as work:
        con.execute("insert into t values (1)")
        work.rollback()
        raise RuntimeError("after")
    assert ids(con) == []
    assert not in_transaction(con)


def test_transactions_do_not_nest_and_the_outer_one_rolls_back(con):
    with pytest.raises(duckdb.TransactionException, match="within a transaction"), transaction(con):
        con.execute("insert into t values (1)")
        with transaction(con):
            con.execute("insert into t values (2)")  # never runs
    assert ids(con) == []
    assert not in_transaction(con)


def test_a_begin_inside_a_callers_own_transaction_is_refused_and_left_to_the_caller(con):
    """DuckDB aborts the caller's transaction when it refuses the begin; ending it stays the caller's job."""
    con.execute("begin transaction")
    con.execute("insert into t values (1)")
    with pytest.raises(duckdb.TransactionException, match="within a transaction"), transaction(con):
        pass
    con.execute("rollback")  # still open (a rollback with none open would raise "no transaction is active")
    assert ids(con) == []
    assert not in_transaction(con)
