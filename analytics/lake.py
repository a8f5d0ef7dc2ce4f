"""A lake: one Parquet dataset per canonical table of SPEC §4, the input of engines past one machine (issue 17).

The layout is a folder holding, per table, a folder (`events/`, any depth of Parquet files, Hive partitions
allowed) or a single file (`contacts.parquet`), named after the table. Columns are named as in SPEC §4 and typed
by meaning: dates DATE, timestamps TIMESTAMP (a wall-clock time without zone, as the database keeps it), flags
BOOLEAN, counts integers, amounts DOUBLE, the rest strings. `LAYOUT` derives all of it from analytics/tables.py;
nothing here names a column.

`export` writes a database's canonical tables in that layout (what `optout-cohorts export-lake` runs), so a
brand moves up to Spark without re-exporting from its platforms; `load` reads a lake into an empty database's
canonical tables, so every query of the product runs on it unchanged (what `report --lake` runs): the DuckDB
engine's figures on a lake are the reference the Spark engine's must equal.

A pseudonymised database (analytics/store/privacy.py) exports its pseudonyms as stored ('hmac:…'): the lake
holds no email address either, and the key is not needed to read it back, since a lake is loaded as it is.
The lake carries data only: no settings, load log, decisions or closed weeks (a report on it uses the defaults
and its --setting overrides).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from analytics import store
from analytics.errors import UserError, disk_full_reason, is_disk_full
from analytics.i18n import _, ngettext
from analytics.store import facts
from analytics.store.sql import record_change
from analytics.store.transaction import transaction
from analytics.tables import AMOUNT, BOOL, COUNT, DATE, LOAD_ORDER, TABLES, TIMESTAMP, Column, Table
from analytics.vocabulary import whole

# Every brand has people, purchases, campaigns and events; the registry, the aggregated per-campaign rows and the
# do-not-contact list are what only some brands have (SPEC §4, §6): a lake may leave them out.
REQUIRED_TABLES = ("contacts", "orders", "campaigns", "events")

# The Parquet types a column of each kind is written with, by their DuckDB names (Parquet: INT32 DATE, INT64
# TIMESTAMP(MICROS, isAdjustedToUTC=false), BOOLEAN, INT64, DOUBLE, BYTE_ARRAY STRING).
WRITTEN_TYPES = {DATE: "DATE", TIMESTAMP: "TIMESTAMP", BOOL: "BOOLEAN", COUNT: "BIGINT", AMOUNT: "DOUBLE"}
STRING = "VARCHAR"

# The types read back, by meaning: any integer width for a count, any timestamp precision; "NULL" is the type of
# a column a writer found empty everywhere (pyarrow's null). A zoned timestamp is read as its UTC wall-clock time.
INTEGERS = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
)
ZONED_TIMESTAMP = "TIMESTAMP WITH TIME ZONE"
READ_TYPES = {
    DATE: ("DATE",),
    TIMESTAMP: ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", ZONED_TIMESTAMP),
    BOOL: ("BOOLEAN",),
    COUNT: INTEGERS,
    AMOUNT: (*INTEGERS, "FLOAT", "DOUBLE", "DECIMAL"),
}
EMPTY_COLUMN = '"NULL"'

# Events are partitioned by month of occurrence: a weekly refresh appends or rewrites only the current month's
# (and, across a month end, the previous month's) partition, and a report of N weeks reads the two or three
# months its window and the previous window cover (engines skip the other folders) — files of a useful size
# (a month of a large brand's events is tens of millions of rows), where a day or a week would give thousands of
# small files a year. The partition column is the folder name only (occurred_month=2026-03), never a column of
# the files; readers take occurred_at.
PARTITIONS = {"events": ("occurred_month", "occurred_at")}


@dataclass(frozen=True)
class LakeTable:
    """One table of the lake: its canonical declaration, whether a lake must hold it, how it is partitioned."""

    table: Table
    required: bool
    partition: tuple[str, str] | None  # (folder key, the timestamp column whose month it is)

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.table.columns

    def parquet_types(self) -> dict[str, str]:
        """column -> the type it is written with."""
        return {c.name: WRITTEN_TYPES.get(c.kind, STRING) for c in self.columns}


LAYOUT: dict[str, LakeTable] = {
    name: LakeTable(TABLES[name], name in REQUIRED_TABLES, PARTITIONS.get(name)) for name in LOAD_ORDER
}


def _literal(path: Path) -> str:
    """A path as a SQL string literal (COPY … TO takes no parameter)."""
    return "'" + str(path).replace("'", "''") + "'"


# --- writing -------------------------------------------------------------------------------------------------


def _refuse_target(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError(
            _(
                "{path} already exists and is not an empty folder: a lake is written into a new or empty folder, "
                "never over another one. Choose another --out, or remove that folder first."
            ).format(path=out)
        )


def _write_table(con: duckdb.DuckDBPyConnection, lake_table: LakeTable, folder: Path) -> int:
    """Write one table under folder/<table>/ and return its row count."""
    columns = ", ".join(lake_table.table.column_names)
    rows = con.execute(f"select count(*) from {lake_table.name}").fetchone()[0]
    target = folder / lake_table.name
    if lake_table.partition is not None and rows:
        key, moment = lake_table.partition
        # Sorted by time within each month, so that a reader skips row groups outside a window by their min/max.
        con.execute(
            f"copy (select {columns}, strftime({moment}, '%Y-%m') as {key} from {lake_table.name} order by {moment}) "
            f"to {_literal(target)} (format parquet, partition_by ({key}))"
        )
    else:  # one file; an empty table too, so that its folder tells a reader the columns and their types
        target.mkdir()
        con.execute(
            f"copy (select {columns} from {lake_table.name}) to {_literal(target / 'data_0.parquet')}"
        )
    return rows


def export(con: duckdb.DuckDBPyConnection, out_dir: Path | str) -> dict[str, int]:
    """Write the database's canonical tables as a lake in out_dir (new, or an empty folder); rows per table.

    The files are written into a hidden folder beside out_dir, renamed to out_dir once every table is there:
    the lake lands whole or not at all. The connection must be allowed to write beside out_dir (open it with
    store.connect(..., readable=[out_dir's parent folder])). All tables are read in one transaction, so they
    come from one state of the database.
    """
    out = Path(out_dir).absolute()
    _refuse_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.parent / f".{out.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    partial.mkdir()
    try:
        with transaction(con):
            counts = {name: _write_table(con, lake_table, partial) for name, lake_table in LAYOUT.items()}
        _refuse_target(out)  # nothing appeared meanwhile
        if out.exists():
            out.rmdir()
        partial.rename(out)
    except BaseException as error:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(error, duckdb.Error | OSError) and is_disk_full(error):
            raise UserError(
                _(
                    "The lake could not be written to {path}: the disk is full ({reason}). Nothing was left there. "
                    "Free some disk space, or choose another --out, then try again."
                ).format(path=out, reason=disk_full_reason(error))
            ) from None
        raise
    return counts


def partitions(lake_dir: Path | str, table: str = "events") -> list[str]:
    """The partition folders of a table of a lake (e.g. ['occurred_month=2026-02', …]), sorted."""
    folder = Path(lake_dir) / table
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and "=" in p.name) if folder.is_dir() else []


# --- reading -------------------------------------------------------------------------------------------------


def table_files(lake: Path, name: str) -> list[str] | None:
    """The Parquet files of a table: folder <name>/ (every *.parquet under it, hidden and _-prefixed files such
    as Spark's _SUCCESS left out) or file <name>.parquet; None when the lake has neither. Every engine finds a
    table's files here, so that they all read the same files."""
    folder, single = lake / name, lake / f"{name}.parquet"
    if folder.is_dir() and single.is_file():
        raise UserError(
            _(
                "The lake {lake} holds table {table} twice: as folder {table}/ and as file {table}.parquet. "
                "Keep one of the two."
            ).format(lake=lake, table=name)
        )
    if single.is_file():
        return [str(single)]
    if not folder.is_dir():
        return None
    found = [
        str(p)
        for p in sorted(folder.rglob("*.parquet"))
        if p.is_file() and not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
    ]
    if not found:
        raise UserError(
            _(
                "The lake {lake}: folder {table}/ holds no Parquet file (*.parquet). Write table {table} there, "
                "e.g. with optout-cohorts export-lake."
            ).format(lake=lake, table=name)
        )
    return found


def _expected(column: Column) -> str:
    """The Parquet type a column must have, in the words of the error message."""
    return {
        DATE: "DATE",  # Parquet's names, the same in every language
        TIMESTAMP: "TIMESTAMP",
        BOOL: "BOOLEAN",
        COUNT: _("an integer (INT32 or INT64)"),
        AMOUNT: _("a number (DOUBLE, FLOAT, DECIMAL or an integer)"),
    }.get(column.kind, _("a string (UTF-8 BYTE_ARRAY)"))


def accepts(column: Column, found: str) -> bool:
    if found == EMPTY_COLUMN:
        return True
    base = found.split("(")[0]  # DECIMAL(18,2)
    return base in READ_TYPES.get(column.kind, (STRING,))


def column_error(lake: Path, table: str, column: Column, found: str | None) -> UserError:
    where = _("The lake {lake}, table {table}, column {column}").format(
        lake=lake, table=table, column=column.name
    )
    if found is None:
        problem = _("is missing; expected {expected} (a required column of SPEC §4).").format(
            expected=_expected(column)
        )
    else:
        problem = _("has type {found}; expected {expected}.").format(found=found, expected=_expected(column))
    fix = _("Fix: write the column {column} as {expected} in every file of {table}, then try again.").format(
        column=column.name, expected=_expected(column), table=table
    )
    return UserError(f"{where} {problem} {fix}")


def _select_list(lake: Path, lake_table: LakeTable, found: dict[str, str]) -> str:
    """The canonical columns from what the files hold: cast to the database's types, a missing optional column
    as null; a missing required column or one of another meaning is refused."""
    expressions = []
    for column in lake_table.columns:
        kind = found.get(column.name)
        if kind is None and column.required:
            raise column_error(lake, lake_table.name, column, None)
        if kind is not None and not accepts(column, kind):
            raise column_error(lake, lake_table.name, column, kind)
        if kind is None or kind == EMPTY_COLUMN:
            expressions.append(f"null::{column.sql_type} as {column.name}")
        elif kind == ZONED_TIMESTAMP:
            expressions.append(f"timezone('UTC', {column.name}) as {column.name}")
        else:
            expressions.append(f"cast({column.name} as {column.sql_type}) as {column.name}")
    return ", ".join(expressions)


READ = "read_parquet($files, hive_partitioning = true, union_by_name = true)"


def value_checks(lake_table: LakeTable, *, required: bool = False) -> list[tuple[Column, str, str]]:
    """(column, the problem in words, a SQL condition both engines read) for each check a lake's values pass, as
    ingest checks a CSV file's (a lake is typed, not checked): a code outside the column's vocabulary, a
    negative count and, with required, an empty required value (the database's NOT NULL refuses it itself)."""
    checks = []
    for column in lake_table.columns:
        if column.vocabulary:
            allowed = ", ".join(f"'{value}'" for value in column.vocabulary)  # the product's own codes
            checks.append(
                (
                    column,
                    _("holds values outside {values}").format(values=", ".join(column.vocabulary)),
                    f"{column.name} is not null and {column.name} not in ({allowed})",
                )
            )
        if column.kind == COUNT:
            checks.append((column, _("holds negative counts"), f"{column.name} < 0"))
        if required and column.required:
            checks.append((column, _("is empty on some rows (a required column)"), f"{column.name} is null"))
    return checks


def refuse_bad_counts(
    lake: Path | str, table: str, checks: list[tuple[Column, str, str]], counts: tuple | list
) -> None:
    """The first check some rows failed (counts: rows failing each of value_checks), as a UserError."""
    for (column, problem, _condition), count in zip(checks, counts, strict=True):
        if count:
            raise value_error(lake, table, column.name, problem, count)


def _bad_values(con: duckdb.DuckDBPyConnection, lake: Path, lake_table: LakeTable) -> None:
    """Refuse bad values (value_checks); run on the table just filled: one scan of the database, not of the files."""
    checks = value_checks(lake_table)
    if not checks:
        return
    conditions = ", ".join(f"count(*) filter (where {condition})" for *_rest, condition in checks)
    counts = con.execute(f"select {conditions} from {lake_table.name}").fetchone()
    refuse_bad_counts(lake, lake_table.name, checks, counts)


def value_error(lake: Path, table: str, column: str, problem: str, count: int | None = None) -> UserError:
    rows = (
        ""
        if count is None
        else " " + ngettext("({count} row)", "({count} rows)", count).format(count=whole(count))
    )
    return UserError(
        _(
            "The lake {lake}, table {table}, column {column} {problem}{rows}. Fix: correct those rows of {table}, "
            "then try again."
        ).format(lake=lake, table=table, column=column, problem=problem, rows=rows)
    )


def missing_table(lake: Path | str, lake_table: LakeTable) -> UserError:
    return UserError(
        _(
            "The lake {lake} has no table {table}: expected a folder {table}/ of Parquet files or a file "
            "{table}.parquet, with the columns {columns}. Fix: write that table (optout-cohorts "
            "export-lake writes every table), then try again."
        ).format(lake=lake, table=lake_table.name, columns=", ".join(lake_table.table.required))
    )


def not_a_folder(lake: Path) -> UserError:
    return UserError(
        _(
            "The lake {lake} is not a folder. Give the folder that holds one Parquet dataset per table "
            "(contacts/, orders/, campaigns/, events/…)."
        ).format(lake=lake)
    )


# DuckDB's words for an empty value in a NOT NULL column of the canonical tables.
NOT_NULL = re.compile(r"NOT NULL constraint failed: (\w+)\.(\w+)")


def _load_table(con: duckdb.DuckDBPyConnection, lake: Path, lake_table: LakeTable) -> int:
    files = table_files(lake, lake_table.name)
    if files is None:
        if lake_table.required:
            raise missing_table(lake, lake_table)
        return 0
    # Column names compare as SQL (and Spark) compare them: whatever their case.
    found = dict(
        con.execute(
            f"select lower(column_name), column_type from (describe select * from {READ})", {"files": files}
        ).fetchall()
    )
    select = _select_list(lake, lake_table, found)
    con.execute(f"insert into {lake_table.name} select {select} from {READ}", {"files": files})
    _bad_values(con, lake, lake_table)
    return con.execute(f"select count(*) from {lake_table.name}").fetchone()[0]


def load(con: duckdb.DuckDBPyConnection, lake_dir: Path | str) -> dict[str, int]:
    """Read a lake into the canonical tables of an empty database, then build the facts; rows per table.

    One transaction: the lake is read whole or not at all. The connection must be allowed to read lake_dir
    (store.connect(..., readable=[lake_dir])). A missing required table, a missing or mistyped column, an empty
    required value or a value outside a vocabulary is a UserError naming the table, the column, what was
    expected and the fix.
    """
    lake = Path(lake_dir).absolute()
    if not lake.is_dir():
        raise not_a_folder(lake)
    held = con.execute(
        "select " + " + ".join(f"(select count(*) from {name})" for name in LAYOUT)
    ).fetchone()[0]
    if held:
        raise UserError(_("A lake is read into an empty database only; this one holds data already."))
    try:
        with transaction(con):
            counts = {name: _load_table(con, lake, lake_table) for name, lake_table in LAYOUT.items()}
            record_change(con, "ingest", f"lake {lake} read")
            facts.rebuild(con)
    except duckdb.ConstraintException as error:  # the transaction is undone: nothing of the lake stays
        empty = NOT_NULL.search(str(error))
        if empty is None:
            raise
        raise value_error(lake, empty[1], empty[2], _("is empty on some rows (a required column)")) from None
    return counts


@contextlib.contextmanager
def opened(lake_dir: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a temporary database holding the lake (a file in the work folder, so a lake larger than
    memory spills to disk), removed when the block ends."""
    lake = Path(lake_dir).absolute()
    with tempfile.TemporaryDirectory(prefix="optout-lake-", dir=store.work_dir()) as folder:
        con = store.connect(Path(folder) / "lake.duckdb", readable=[lake] if lake.is_dir() else [])
        try:
            load(con, lake)
            yield con
        finally:
            con.close()
