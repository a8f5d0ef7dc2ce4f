"""The SQL of the domain, run on a connection: the schema, the macros, the named queries and the change log.

Schema changes are numbered migrations under analytics/migrations, so a newer version of the product opens an
older file. The SQL of the domain lives in analytics/sql: table macros (staging, intermediate layers) are
(re)installed on every writable open so they always match the code (they are stored in the file: TEMP macros
would be invisible to the cursors other threads use); metrics queries are run by name with bound parameters.
Every change of data, registry or settings is noted in the change log, whose last id versions every cache.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import duckdb

from analytics.store.transaction import transaction

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # analytics/, home of sql/ and migrations/
MACRO_LAYERS = ("macros", "staging", "intermediate")


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
        with transaction(con):
            con.execute(sql_text(relative))
            con.execute(
                "insert into schema_migrations values ($version, $name, $applied_at)",
                {"version": version, "name": relative, "applied_at": dt.datetime.now()},
            )
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
    """Run a named query with bound parameters; rows as dicts (nulls stay None). On another engine (the Spark
    engine, analytics/spark_engine.py, stands where a connection stands) the engine runs the same file."""
    if not isinstance(con, duckdb.DuckDBPyConnection):
        return con.records(name, **params)
    cursor = con.execute(query_text(name), params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def frame(con: duckdb.DuckDBPyConnection, name: str, **params: Any):
    """Run a named query with bound parameters; a pandas DataFrame (for small results only)."""
    if not isinstance(con, duckdb.DuckDBPyConnection):
        return con.frame(name, **params)
    return con.execute(query_text(name), params).df()
