"""Loading canonical CSV files (SPEC §4) into the database: recognise, validate, then write all or nothing.

Parsing and checking happen in DuckDB (its CSV reader, then SQL over a staging table); Python only reads
the header line and orchestrates. A batch of files is validated whole before anything is written, then
written in one transaction: either every file of the batch lands, or none does and the database is as before.
Re-loading a file changes nothing: keyed tables (contacts, campaigns, sources) update the row of a known id,
the others skip rows already present with the same values in every column.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analytics import store
from analytics.errors import InvalidFile, Problem, UserError
from analytics.tables import (
    AMOUNT,
    BOOL,
    COUNT,
    DATE,
    LOAD_ORDER,
    TABLES,
    TIMESTAMP,
    VOCAB,
    Column,
    Table,
)

DELIMITERS = (",", ";")
IDENTIFYING_COLUMNS = {"contact_id", "campaign_id"}
SAMPLE_ROWS = 5

# How each kind of column is converted from text (the macros live in analytics/sql/macros/00_parse.sql).
PARSERS = {
    DATE: "oc_parse_date",
    TIMESTAMP: "oc_parse_timestamp",
    BOOL: "oc_parse_bool",
    COUNT: "oc_parse_count",
    AMOUNT: "oc_parse_amount",
    VOCAB: "oc_parse_vocab",
}


@dataclass
class CsvFile:
    """An input file as read from its first line: where it is, what it is called, its columns."""

    path: Path
    display_name: str
    delimiter: str
    header: list[str]  # as written in the file
    columns: list[str]  # normalised: trimmed, lower case, spaces to underscores

    @property
    def compression(self) -> str:
        return "gzip" if self.path.name.lower().endswith(".gz") else "none"


@dataclass
class LoadResult:
    file_name: str
    table: str
    rows_in_file: int
    rows_added: int
    rows_updated: int
    ignored_columns: list[str] = field(default_factory=list)

    def describe(self) -> str:
        text = f"{self.file_name} → {self.table}: {self.rows_in_file} row(s), {self.rows_added} new"
        if self.rows_updated:
            text += f", {self.rows_updated} updated"
        if self.rows_in_file and not self.rows_added and not self.rows_updated:
            text += " (already loaded: nothing changed)"
        if self.ignored_columns:
            text += f"; columns not kept: {', '.join(self.ignored_columns)}"
        return text


def _normalise(name: str) -> str:
    return "_".join(name.replace("\ufeff", "").strip().strip('"').lower().split())


def read_header(path: Path, display_name: str | None = None) -> CsvFile:
    """Read the header line of a CSV (optionally gzip) file and pick its delimiter."""
    display = display_name or path.name
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as raw:
            first = raw.readline(1 << 20)
    except (OSError, EOFError) as error:
        raise InvalidFile(
            display, [Problem(None, f"the file cannot be read ({error})", "export it again")]
        ) from None
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidFile(
            display,
            [Problem(None, "the header is not UTF-8 text", "save the file as CSV UTF-8 and upload it again")],
        ) from None
    if not text.strip():
        raise InvalidFile(
            display, [Problem(None, "the file is empty", "export it again with its header row")]
        )
    delimiter = max(DELIMITERS, key=text.count)
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    return CsvFile(path, display, delimiter, header, [_normalise(h) for h in header])


def recognise(file: CsvFile) -> Table:
    """The canonical table whose required columns the header holds (the most specific one wins).

    A file with a contact_id or campaign_id column is never taken for a table without one: a contacts
    export missing its consent column is reported as such, not loaded as a source registry.
    """
    present = set(file.columns)
    identifiers = present & IDENTIFYING_COLUMNS
    candidates = [
        t for t in TABLES.values() if set(t.required) <= present and identifiers <= set(t.column_names)
    ]
    if candidates:
        return max(candidates, key=lambda t: len(t.required))
    compatible = [t for t in TABLES.values() if identifiers <= set(t.column_names)] or list(TABLES.values())
    closest = max(compatible, key=lambda t: (len(set(t.required) & present), -len(t.required)))
    missing = [c for c in closest.required if c not in present]
    expectations = "; ".join(f"{t.name}: {', '.join(t.required)}" for t in TABLES.values())
    raise InvalidFile(
        file.display_name,
        [
            Problem(
                None,
                f"its columns ({', '.join(file.header)}) match no known table; closest is {closest.name}, "
                f"which also needs {', '.join(missing)}",
                f"rename the columns to the canonical names, or name the table with --table. Required "
                f"columns per table — {expectations}",
            )
        ],
    )


def _check_columns(file: CsvFile, table: Table) -> list[str]:
    """Problems with the header against the table; returns the columns that will not be kept."""
    missing = [c for c in table.required if c not in file.columns]
    duplicated = sorted({c for c in file.columns if file.columns.count(c) > 1 and c in table.column_names})
    problems = []
    if missing:
        problems.append(
            Problem(
                None,
                f"required column(s) missing for {table.name}: {', '.join(missing)}",
                f"add the column(s); {table.name} needs {', '.join(table.required)}",
            )
        )
    if duplicated:
        problems.append(
            Problem(None, f"column(s) appear twice: {', '.join(duplicated)}", "keep one column of each name")
        )
    if problems:
        raise InvalidFile(file.display_name, problems, table.name)
    return [h for h, c in zip(file.header, file.columns, strict=True) if c not in table.column_names]


def _stage(con: duckdb.DuckDBPyConnection, file: CsvFile, table: Table, stage: str) -> int:
    """Copy the file's needed columns, as text, into a temp table with spreadsheet row numbers."""
    positions = {c: i for i, c in enumerate(file.columns) if c in table.column_names}
    text_columns = {f"c{i}": "VARCHAR" for i in range(len(file.columns))}
    selected = ", ".join(f"c{i} as {c}" for c, i in positions.items())
    try:
        con.execute(
            f"create or replace temp table {stage} as "
            f"select row_number() over () + 1 as _row, {selected} "
            "from read_csv($path, auto_detect = false, header = false, skip = 1, columns = $columns, "
            "delim = $delim, quote = '\"', escape = '\"', compression = $compression, strict_mode = true)",
            {
                "path": str(file.path),
                "delim": file.delimiter,
                "columns": text_columns,
                "compression": file.compression,
            },
        )
    except duckdb.Error as error:
        detail = str(error).split("\n")[0]
        raise InvalidFile(
            file.display_name,
            [
                Problem(
                    None,
                    f"the CSV cannot be read: {detail}",
                    "check that every row has as many fields as the header, that quotes are closed, and "
                    "that the file is saved as CSV UTF-8",
                )
            ],
            table.name,
        ) from None
    return con.execute(f"select count(*) from {stage}").fetchone()[0]


def _checks(column: Column) -> list[tuple[str, str, str]]:
    """(condition that marks a bad value, message, fix) for one column; column names are canonical."""
    name = column.name
    found: list[tuple[str, str, str]] = []
    if column.required:
        found.append((f"oc_blank({name}) is null", "is empty", f"fill in {name} on every row"))
    if column.kind in PARSERS:
        parser = PARSERS[column.kind]
        if column.kind == VOCAB:
            allowed = ", ".join(f"'{v}'" for v in column.vocabulary)  # our own vocabulary, not user input
            bad = f"oc_blank({name}) is not null and {parser}({name}) not in ({allowed})"
        else:
            bad = f"oc_blank({name}) is not null and {parser}({name}) is null"
        found.append((bad, f"has values that are not {column.expected}", f"write {column.expected}"))
    return found


def _validate(con: duckdb.DuckDBPyConnection, file: CsvFile, table: Table, stage: str) -> None:
    present = [c for c in table.columns if c.name in file.columns]
    checks = [(column, *check) for column in present for check in _checks(column)]
    if not checks:
        return
    counts = con.execute(
        "select "
        + ", ".join(f"count(*) filter (where {cond})" for _, cond, _, _ in checks)
        + f" from {stage}"
    ).fetchone()
    problems = []
    for (column, cond, message, fix), count in zip(checks, counts, strict=True):
        if not count:
            continue
        sample = con.execute(
            f"select _row, {column.name} from {stage} where {cond} order by _row limit {SAMPLE_ROWS}"
        ).fetchall()
        problems.append(
            Problem(column.name, message, fix, [r for r, _ in sample], [v for _, v in sample], count)
        )
    if problems:
        raise InvalidFile(file.display_name, problems, table.name)


def _typed_select(table: Table, file: CsvFile, stage: str) -> str:
    """SELECT converting the staged text to the canonical types; absent optional columns are null."""
    parts = []
    for column in table.columns:
        if column.name not in file.columns:
            parts.append(f"null::{column.sql_type} as {column.name}")
        elif column.kind in PARSERS:
            value = f"{PARSERS[column.kind]}({column.name})"
            if column.kind == VOCAB:
                value = f"nullif({value}, '')"
            parts.append(f"{value}::{column.sql_type} as {column.name}")
        else:
            parts.append(f"oc_blank({column.name}) as {column.name}")
    return f"select _row, {', '.join(parts)} from {stage}"


def _write(con: duckdb.DuckDBPyConnection, file: CsvFile, table: Table, stage: str) -> tuple[int, int]:
    """Merge the staged rows into the table; returns (rows added, rows updated)."""
    typed = f"{stage}_typed"
    con.execute(f"create or replace temp table {typed} as {_typed_select(table, file, stage)}")
    columns = ", ".join(table.column_names)
    if table.key is None:
        before = con.execute(f"select count(*) from {table.name}").fetchone()[0]
        con.execute(
            f"insert into {table.name} select distinct {columns} from {typed} "
            f"except select {columns} from {table.name}"
        )
        return con.execute(f"select count(*) from {table.name}").fetchone()[0] - before, 0
    key = ", ".join(table.key)
    # Within a file the last row of an id wins; a column the file lacks keeps the value already stored.
    latest = f"{stage}_latest"
    con.execute(
        f"create or replace temp table {latest} as select * exclude (_row) from {typed} "
        f"qualify row_number() over (partition by {key} order by _row desc) = 1"
    )
    old = f"{stage}_old"
    con.execute(
        f"create or replace temp table {old} as select * from {table.name} where ({key}) in "
        f"(select ({key}) from {latest})"
    )
    updated = con.execute(f"select count(*) from {old}").fetchone()[0]
    merged = ", ".join(f"new.{c}" if c in file.columns else f"old.{c}" for c in table.column_names)
    con.execute(f"delete from {table.name} where ({key}) in (select ({key}) from {latest})")
    con.execute(
        f"insert into {table.name} select {merged} from {latest} as new left join {old} as old using ({key})"
    )
    total = con.execute(f"select count(*) from {latest}").fetchone()[0]
    return total - updated, updated


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class _Prepared:
    file: CsvFile
    table: Table
    stage: str
    rows: int
    ignored: list[str]


def prepare(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table_name: str | None = None,
    display_name: str | None = None,
    stage: str = "stage_0",
) -> _Prepared:
    """Read, recognise, stage and validate one file without writing to the canonical tables."""
    file = read_header(Path(path), display_name)
    if table_name is not None:
        if table_name not in TABLES:
            raise UserError(f"Unknown table {table_name!r}; the tables are {', '.join(TABLES)}.")
        table = TABLES[table_name]
    else:
        table = recognise(file)
    ignored = _check_columns(file, table)
    rows = _stage(con, file, table, stage)
    _validate(con, file, table, stage)
    return _Prepared(file, table, stage, rows, ignored)


DATA_TABLES = tuple(LOAD_ORDER)


def _drop_stages(con: duckdb.DuckDBPyConnection, stages: Sequence[str]) -> None:
    for stage in stages:
        for suffix in ("", "_typed", "_latest", "_old"):
            con.execute(f"drop table if exists {stage}{suffix}")


@dataclass
class Inspection:
    """What a file would load as, shown before loading: its table, rows, dropped columns, or its problems."""

    file_name: str
    table: str | None
    rows: int
    ignored_columns: list[str]
    problems: list[Problem]
    sample: list[dict]  # the first rows, as text, of the columns that would be kept
    message: str | None = None  # the whole error, when the file cannot be loaded

    @property
    def ok(self) -> bool:
        return self.message is None


def inspect(
    con: duckdb.DuckDBPyConnection, path: Path, display_name: str | None = None, table_name: str | None = None
) -> Inspection:
    """Recognise and validate one file without writing anything; never raises for a bad file."""
    name = display_name or Path(path).name
    stage = "inspect_0"
    try:
        item = prepare(con, Path(path), table_name, name, stage=stage)
        cursor = con.execute(f"select * exclude (_row) from {stage} order by _row limit 5")
        columns = [d[0] for d in cursor.description]
        sample = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return Inspection(name, item.table.name, item.rows, item.ignored, [], sample)
    except InvalidFile as error:
        return Inspection(name, error.table, 0, [], error.problems, [], str(error))
    except UserError as error:
        return Inspection(name, None, 0, [], [], [], str(error))
    finally:
        _drop_stages(con, [stage])


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path | str],
    table_name: str | None = None,
    display_names: Sequence[str] | None = None,
    *,
    replace_all: bool = False,
) -> list[LoadResult]:
    """Validate every file, then load them all in one transaction (tables in dependency order).

    replace_all: empty every data table and the load log first, in the same transaction (reset to the demo).
    Raises InvalidFile (nothing written) when any file is invalid.
    """
    names = list(display_names) if display_names else [Path(p).name for p in paths]
    stages = [f"stage_{i}" for i in range(len(names))]
    try:
        prepared = [
            prepare(con, Path(path), table_name, name, stage=stage)
            for path, name, stage in zip(paths, names, stages, strict=True)
        ]
        prepared.sort(key=lambda p: LOAD_ORDER.index(p.table.name))
        results = []
        con.execute("begin transaction")
        try:
            if replace_all:
                for table in (*DATA_TABLES, "load_log"):
                    con.execute(f"delete from {table}")
            for item in prepared:
                added, updated = _write(con, item.file, item.table, item.stage)
                con.execute(
                    "insert into load_log (file_name, sha256, table_name, rows_in_file, rows_added, "
                    "rows_updated, loaded_at) values ($file_name, $sha256, $table_name, $rows, $added, "
                    "$updated, $loaded_at)",
                    {
                        "file_name": item.file.display_name,
                        "sha256": _sha256(item.file.path),
                        "table_name": item.table.name,
                        "rows": item.rows,
                        "added": added,
                        "updated": updated,
                        "loaded_at": dt.datetime.now().replace(microsecond=0),
                    },
                )
                results.append(
                    LoadResult(
                        item.file.display_name, item.table.name, item.rows, added, updated, item.ignored
                    )
                )
            detail = "; ".join(r.describe() for r in results)
            store.record_change(con, "reset" if replace_all else "ingest", detail)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        _drop_stages(con, stages)
    return results
