"""Loading CSV exports into the canonical tables (SPEC §4): read, map, validate, then write all or nothing.

Each file is read by DuckDB's CSV reader into a staging table (all text), through its mapping (canonical
table, built-in or saved preset, constants — analytics/mapping.py); the checks are SQL over that table; the
conversion to canonical types is SQL too. A batch of files is validated whole before anything is written,
then written in one transaction: every file of the batch lands, or none does and the database is as before.
Re-loading a file changes nothing: keyed tables (contacts, campaigns, sources) update the row of a known id,
the others skip rows already present with the same values in every column.

By default a file with invalid rows is refused whole; with on_invalid="skip" its valid rows load and the
invalid ones are set aside (counted in the load log, and written to a CSV the user can download).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import tempfile
from collections.abc import Mapping as MappingType
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from analytics import csv_files, facts, mapping, oppositions, privacy, store
from analytics.csv_files import CsvFile, FileProblem, clip, disk_full, is_disk_full
from analytics.errors import AmbiguousPreset, InvalidFile, Problem, UserError
from analytics.export import visible
from analytics.mapping import ALSO, DATE_ORDERS, DEFAULT, SKIP, Mapping
from analytics.tables import AMOUNT, BOOL, COUNT, DATE, ID, LOAD_ORDER, TEXT, TIMESTAMP, VOCAB, Column

SAMPLE_ROWS = 5
ON_INVALID = ("fail", "skip")
# Dates outside these years are typing or export errors (0202-05-01, 'infinity'), never a real send or purchase.
FIRST_YEAR, LAST_YEAR = 1900, 2199

# How each kind of column is converted from text (the macros live in analytics/sql/macros/00_parse.sql).
PARSERS = {
    DATE: "oc_parse_date({x}, {order})",
    TIMESTAMP: "oc_parse_timestamp({x}, {order})",
    BOOL: "oc_parse_bool({x})",
    COUNT: "oc_parse_count({x})",
    AMOUNT: "oc_parse_amount({x})",
    VOCAB: "oc_parse_vocab({x})",
}


@dataclass
class LoadResult:
    file_name: str
    table: str
    rows_in_file: int
    rows_added: int
    rows_updated: int
    ignored_columns: list[str] = field(default_factory=list)
    rows_rejected: int = 0
    preset: str | None = None
    rejects_csv: Path | None = None  # the rows set aside, with the reason (on_invalid="skip")
    orders_added: int = 0

    def describe(self) -> str:
        via = f" (preset {self.preset})" if self.preset else ""
        text = f"{self.file_name} → {self.table}{via}: {self.rows_in_file} row(s), {self.rows_added} new"
        if self.rows_updated:
            text += f", {self.rows_updated} updated"
        if self.rows_in_file and not self.rows_added and not self.rows_updated and not self.rows_rejected:
            text += " (already loaded: nothing changed)"
        if self.orders_added:
            text += f", {self.orders_added} purchase(s) from its purchase-date column"
        if self.rows_rejected:
            text += f"; {self.rows_rejected} invalid row(s) skipped"
        if self.ignored_columns:
            shown = (visible(clip(" ".join(c.splitlines()))) for c in self.ignored_columns)
            text += f"; columns not kept: {', '.join(shown)}"
        return text


@dataclass
class Options:
    """How a file is to be read: all optional; without them the table or preset is recognised."""

    table: str | None = None
    preset: str | None = None
    constants: MappingType[str, str] = field(default_factory=dict)
    date_order: str | None = None  # 'dmy' or 'mdy'; detected from the data when it proves it
    on_invalid: str = "fail"
    custom: mapping.Preset | None = None  # a mapping made on the Data page for this file


@dataclass
class _Prepared:
    file: CsvFile
    mapping: Mapping
    stage: str
    rows: int
    date_order: str
    problems: list[Problem]


def _order_literal(order: str) -> str:
    """The SQL literal of a day/month order, only ever one of DATE_ORDERS: the order may come from a saved
    mapping, i.e. from the database, and is written into SQL (a macro argument)."""
    if order not in DATE_ORDERS:
        raise UserError(f"Date order {clip(repr(order))} is not one of {', '.join(DATE_ORDERS)}.")
    return f"'{order}'"


def _parse(column: Column, x: str, order: str) -> str:
    return PARSERS[column.kind].format(x=x, order=_order_literal(order))


def _source_expression(mapping: Mapping, canonical: str, params: dict[str, Any]) -> str:
    """The staged text of a canonical field: its constant, its conditional column, or its source column
    through its value map."""
    if canonical in mapping.constants:
        params[f"const_{canonical}"] = str(mapping.constants[canonical])
        return f"$const_{canonical}"
    if canonical in mapping.conditional:
        flag, truthy, value = mapping.conditional[canonical]
        params[f"when_{canonical}"] = list(truthy)
        return f"case when list_contains($when_{canonical}, lower(trim(c{flag}))) then c{value} end"
    x = f"c{mapping.positions[canonical]}"
    if canonical in mapping.fallbacks:  # the first non-empty of the columns, on each row
        indexes = (mapping.positions[canonical], *mapping.fallbacks[canonical])
        x = f"coalesce({', '.join(f'oc_blank(c{i})' for i in indexes)})"
    values = mapping.values.get(canonical)
    if not values:
        return x
    listed = {k: v for k, v in values.items() if k != DEFAULT}
    params[f"keys_{canonical}"] = list(listed)
    params[f"vals_{canonical}"] = [str(v) for v in listed.values()]
    if DEFAULT in values:
        params[f"default_{canonical}"] = values[DEFAULT]
        return f"oc_map_value_or({x}, $keys_{canonical}, $vals_{canonical}, $default_{canonical})"
    return f"oc_map_value({x}, $keys_{canonical}, $vals_{canonical})"


READ_CSV = (
    "read_csv($path, auto_detect = false, header = false, skip = 1, columns = $columns, delim = $delim, "
    "quote = '\"', escape = '\"', compression = $compression, strict_mode = true)"
)


def _selected(mapping: Mapping, canonical: str, params: dict[str, Any]) -> str:
    """The select item of a staged field: its source expression; a value that stands for several events (a
    message refused before sending is a send and a bounce: 'sent+bounce') becomes one row per event."""
    x = _source_expression(mapping, canonical, params)
    several = sorted({v for v in mapping.values.get(canonical, {}).values() if ALSO in v})
    if not several:
        return f"{x} as {canonical}"
    params[f"several_{canonical}"] = several
    return (
        f"unnest(case when ({x}) in (select unnest($several_{canonical})) then string_split({x}, '{ALSO}') "
        f"else [{x}] end) as {canonical}"
    )


def _extras(m: Mapping) -> list[str]:
    """Columns staged beside the fields, as written: the columns that record oppositions (checked on every row)
    and the platforms' own ids of people (kept as aliases)."""
    extras = [f"c{signal.index} as _signal_{k}" for k, signal in enumerate(m.signals)]
    extras += [f"c{index} as _alias_{k}" for k, index in enumerate(m.aliases.values())]
    return extras


def _extra_names(m: Mapping) -> list[str]:
    return [f"_signal_{k}" for k in range(len(m.signals))] + [f"_alias_{k}" for k in range(len(m.aliases))]


def _read_params(file: CsvFile) -> dict[str, Any]:
    """The parameters of READ_CSV: every column as text, named c0, c1, …"""
    return {
        "path": str(file.path),
        "delim": file.delimiter,
        "compression": file.compression,
        "columns": {f"c{i}": "VARCHAR" for i in range(len(file.columns))},
    }


def _filled(file: CsvFile) -> str:
    """A row with nothing in any field (Excel's trailing ';;;;' rows) holds nothing to load."""
    return f"coalesce({', '.join(f'oc_blank(c{i})' for i in range(len(file.columns)))}, null) is not null"


def _kept(m: Mapping, fields: Sequence[str]) -> str:
    """Rows whose value maps to SKIP are not loaded."""
    skipped = [c for c in fields if SKIP in m.values.get(c, {}).values()]
    return " and ".join(f"coalesce({c}, '') <> '{SKIP}'" for c in skipped) or "true"


def _rows_of_export(m: Mapping, params: dict[str, Any]) -> str:
    """The rows of the file that are the export's rows for the product (a preset's rows_where), over raw text."""
    if m.rows_where is None:
        return "true"
    index, allowed = m.rows_where
    params["rows_where"] = list(allowed)
    return f"list_contains($rows_where, lower(trim(c{index})))"


def _day_month(x: str) -> str:
    """True for a value written day/month or month/day (a separator as its 2nd or 3rd character)."""
    return f"(substr(trim({x}), 2, 1) in ('/', '.', '-') or substr(trim({x}), 3, 1) in ('/', '.', '-'))"


def _stage(con: duckdb.DuckDBPyConnection, file: CsvFile, m: Mapping, stage: str) -> int:
    """Copy the file's mapped fields, as text, into a temp table with spreadsheet row numbers (the header is
    row 1). Rows whose value maps to SKIP are left out; a row may become several events (event branches)."""
    params = _read_params(file)
    plain = [c for c in m.fields if not (m.event_branches and c in ("event_type", "occurred_at"))]
    selected = [_selected(m, c, params) for c in plain] + _extras(m)
    if m.orders_from is not None:
        selected.append(f"c{m.orders_from} as _order_date")
    if m.event_branches:
        branches = []
        for number, (event_type, stamp, flag) in enumerate(m.event_branches):
            params[f"branch_{number}"] = event_type
            condition = f"oc_blank(c{stamp}) is not null"
            if flag is not None:
                condition += f" and oc_parse_bool(c{flag})"
            branches.append(
                f"select _row, {', '.join([*selected, f'$branch_{number} as event_type', f'c{stamp} as occurred_at'])} "
                f"from base where {condition}"
            )
        body = " union all ".join(branches)
    else:
        body = f"select _row, {', '.join(selected)} from base"
    # Blank rows are left out, and still counted in the row numbers.
    try:
        con.execute(
            f"create or replace temp table {stage} as "
            f"with numbered as (select row_number() over () + 1 as _row, * from {READ_CSV}), "
            f"base as (select * from numbered where {_filled(file)} and {_rows_of_export(m, params)}) "
            f"select * from ({body}) where {_kept(m, plain)}",
            params,
        )
    except duckdb.Error as error:
        raise _read_error(file, m, error) from None
    return con.execute(f"select count(*) from {stage}").fetchone()[0]


def _read_error(file: CsvFile, m: Mapping, error: duckdb.Error) -> UserError:
    """What DuckDB's CSV reader could not read, in the user's words: the row (as a spreadsheet numbers it), what
    is wrong and how to fix it — never the row's text (DuckDB's message quotes the whole line)."""
    if is_disk_full(error):
        return disk_full(file.display_name, error)
    if isinstance(error, duckdb.OutOfMemoryException):
        return _out_of_memory(file.display_name)
    text = str(error)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    rows = [int(line.group(1))] if line else []
    where = f"row {rows[0]}" if rows else "a row"
    separator = "a tab" if file.delimiter == "\t" else f"'{file.delimiter}'"
    fields = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if fields:
        expected, found = int(fields.group(1)), int(fields.group(2))
        problem = FileProblem(
            None,
            f"{where} has {found} field(s) where the header has {expected} (the separator is {separator})",
            "give every row as many fields as the header: put quotes around a value that holds the separator "
            "or a line break, and export the file again if its last row was cut short",
            rows,
        )
    elif "unterminated quote" in text:
        problem = FileProblem(
            None,
            f"a quoted value on {where} is never closed, or a quote inside a quoted value is not doubled",
            'close the quote; write a quote inside a quoted value twice ("" ); export the file again if it '
            "was cut short",
            rows,
        )
    elif "Invalid unicode" in text:
        problem = FileProblem(
            None,
            f"{where} is not UTF-8 text although the start of the file is: the file mixes two encodings",
            "open the file in a spreadsheet or text editor and save it again as CSV UTF-8",
            rows,
        )
    elif "Maximum line size" in text:
        problem = FileProblem(
            None,
            f"{where} is longer than 2 MB: most often a quote that is never closed, so the rest of the file "
            "reads as one value",
            "close the quote (a quote inside a quoted value is written twice), or split the very long value",
            rows,
        )
    elif "state machine reached an invalid state" in text:
        problem = FileProblem(
            None,
            "its line breaks or quotes do not follow the CSV standard: most often a line that ends in a carriage "
            "return alone (CR) in a file whose lines end in CR LF — files joined from two sources",
            "open the file in a spreadsheet or text editor and save it again as CSV",
            rows,
        )
    else:
        first = re.sub(r"^[A-Za-z ]*Error: ", "", text.split("\n")[0])
        detail = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", first)  # no quoted value of the file in the message
        problem = FileProblem(
            None,
            f"{where} cannot be read as CSV ({clip(detail, 160)})",
            "check that every row has as many fields as the header and that quotes are closed",
            rows,
        )
    return InvalidFile(file.display_name, [problem], m.table.name)


def _renumber(con: duckdb.DuckDBPyConnection, file: CsvFile, stages: Sequence[str]) -> bool:
    """Give the staged rows their spreadsheet numbers when the file has empty lines before its last row
    (DuckDB skips them without counting); called only when row numbers are about to be shown. Returns True
    when numbers changed."""
    blanks = csv_files.blank_rows(file)
    if not blanks:
        return False
    # The j-th empty line (row b_j) comes after b_j - j rows of data and the header: a row numbered r by
    # DuckDB moves down by the number of empty lines whose b_j - j < r.
    thresholds = [b - j for j, b in enumerate(blanks, start=1)]
    for stage in stages:
        con.execute(
            f"update {stage} set _row = _row + (select count(*) from unnest($t) as u(t) where u.t < _row)",
            {"t": thresholds},
        )
    return True


def _decide_date_order(
    con: duckdb.DuckDBPyConnection, file: CsvFile, m: Mapping, stage: str
) -> tuple[str, list[Problem]]:
    """The file's day/month order: the one chosen, else the one its dates prove, else — when some dates could
    be read both ways — day-first for a ';' file (French Excel) and a question for any other."""
    date_fields = [c for c in m.table.columns if c.kind in (DATE, TIMESTAMP) and c.name in m.fields]
    if m.orders_from is not None:
        date_fields.append(Column("_order_date", DATE, False))
    if m.date_order or not date_fields:
        return m.date_order or "dmy", []
    # Only a day/month date (a separator as 2nd or 3rd character) can be evidence: the regular expressions
    # run on those values alone, not on every ISO date of a large file.
    union = " union all ".join(
        f"select * from (select _row, {c.name} as value from {stage}) where {_day_month('value')}"
        for c in date_fields
    )
    evidence = con.execute(
        f"select count(*) filter (where oc_date_order_evidence(value) = 'dmy'), "
        f"count(*) filter (where oc_date_order_evidence(value) = 'mdy'), "
        f"count(*) filter (where oc_date_order_ambiguous(value)), "
        f"min(_row) filter (where oc_date_order_evidence(value) = 'dmy'), "
        f"min(_row) filter (where oc_date_order_evidence(value) = 'mdy'), "
        f"min(_row) filter (where oc_date_order_ambiguous(value)) from ({union})"
    ).fetchone()
    day_first, month_first, ambiguous, day_row, month_row, ambiguous_row = evidence
    if day_first and month_first:
        return "dmy", [
            FileProblem(
                None,
                f"its dates mix day-first (e.g. row {day_row}) and month-first (e.g. row {month_row}) forms",
                "export the dates in one format, preferably YYYY-MM-DD",
            )
        ]
    if day_first:
        return "dmy", []
    if month_first:
        return "mdy", []
    if ambiguous and file.delimiter != ";":
        return "dmy", [
            FileProblem(
                None,
                f"{ambiguous} date(s) such as the one on row {ambiguous_row} read differently day-first and "
                "month-first (03/04/2026: 3 April or 4 March), and nothing in the file settles it",
                "say which order the file uses: --date-order dmy (day first) or mdy (month first), or choose it on "
                "the Data page",
            )
        ]
    return "dmy", []


# A text value holding a control character: the problem, and how to fix it (the characters found follow).
CONTROL_MESSAGE = "contains a control character"
CONTROL_FIX = (
    "remove it: retype the value, or clean the column (a spreadsheet's =CLEAN() removes control characters) and "
    "export the file again. Control characters (NUL, ESC, a tab or a line break inside an id or a source name) and "
    "bidirectional-text overrides (U+202A–U+202E, U+2066–U+2069) would be printed raw or reorder what is shown"
)
CONTROL_NAMES = {
    0x00: "NUL",
    0x09: "tab",
    0x0A: "line feed",
    0x0D: "carriage return",
    0x1B: "ESC",
    0x7F: "DEL",
    0x202A: "left-to-right embedding",
    0x202B: "right-to-left embedding",
    0x202C: "pop directional formatting",
    0x202D: "left-to-right override",
    0x202E: "right-to-left override",
    0x2066: "left-to-right isolate",
    0x2067: "right-to-left isolate",
    0x2068: "first strong isolate",
    0x2069: "pop directional isolate",
}


def _control_names(codes: Sequence[str | None]) -> str:
    """'U+001B ESC, U+202E right-to-left override' for the code points found (U+XXXX, from SQL)."""
    named = []
    for code in dict.fromkeys(c for c in codes if c):
        name = CONTROL_NAMES.get(int(code[2:], 16))
        named.append(f"{code} {name}" if name else code)
    return ", ".join(named)


def _checks(column: Column) -> list[tuple[str, str, str, str | None]]:
    """(condition that marks a bad row, message, fix, detail) for one field, over the converted table
    (raw_<field> is the text as written, <field> its converted value); names are canonical, never user text.
    detail: SQL giving what exactly is wrong on a bad row (the control character found), or None."""
    name, raw = column.name, f"raw_{column.name}"
    found: list[tuple[str, str, str, str | None]] = []
    text = column.kind in (ID, TEXT)
    if column.required:
        # A text field is blank when nothing is left of it once normalised (oc_text): spaces, invisible characters
        empty = f"{name} is null" if text else f"oc_blank({raw}) is null"
        found.append((empty, "is empty", f"fill in {name} on every row", None))
    if text:
        # An id or a source name is one line: a tab or a line break inside is refused too; free text may hold them.
        test, finder = ("oc_has_control", "oc_control_character")
        if column.kind == TEXT:
            test, finder = ("oc_has_control_in_text", "oc_control_character_in_text")
        bad = f"{test}({name})"
        if name == "contact_id":
            # by now it may be a pseudonym: the text as normalised, and only where the raw text has one (fast)
            bad = f"case when {test}({raw}) then {test}(oc_text({raw})) else false end"
        value = f"oc_text({raw})" if name == "contact_id" else name
        found.append((bad, CONTROL_MESSAGE, CONTROL_FIX, f"{finder}({value})"))
    if column.kind in PARSERS:
        if column.kind == VOCAB:
            allowed = ", ".join(f"'{v}'" for v in column.vocabulary)  # our own vocabulary, not user input
            bad = f"oc_blank({raw}) is not null and {name} not in ({allowed})"
        elif column.kind in (DATE, TIMESTAMP):
            # DuckDB also reads 'infinity', 'epoch' and the year 99999: a date must start with a digit and fall
            # in a plausible century.
            bad = (
                f"oc_blank({raw}) is not null and ({name} is null or not isfinite({name}) "
                f"or year({name}) not between {FIRST_YEAR} and {LAST_YEAR} "
                f"or not regexp_matches(oc_blank({raw}), '^[0-9]'))"
            )
        elif column.kind == AMOUNT:
            bad = f"oc_blank({raw}) is not null and ({name} is null or not isfinite({name}))"  # no nan, inf
        else:
            bad = f"oc_blank({raw}) is not null and {name} is null"
        expected = column.expected
        if column.kind in (DATE, TIMESTAMP):
            expected += f" (also 15/03/2026, 15/03/2026 09:30, Unix seconds; years {FIRST_YEAR}–{LAST_YEAR})"
        found.append((bad, f"has values that are not {expected}", f"write {column.expected}", None))
    return found


def _present(m: Mapping) -> list[Column]:
    present = [c for c in m.table.columns if c.name in m.fields]
    if m.orders_from is not None:
        present.append(Column("_order_date", DATE, False))
    return present


def _converted(m: Mapping, order: str) -> list[str]:
    """The select list that converts the staged text of every field (named as its field) once, keeping it
    beside (raw_<field>) for the checks and the rejects file; fields the file lacks are null."""
    parts = []
    for column in m.table.columns:
        name = column.name
        if name not in m.fields:
            parts.append(f"null::{column.sql_type} as {name}")
            continue
        parts.append(f"{name} as raw_{name}")
        if column.kind in PARSERS:
            value = _parse(column, name, order)
            if column.kind == VOCAB:
                value = f"nullif({value}, '')"
            parts.append(f"{value}::{column.sql_type} as {name}")
        elif column.kind == ID and name == "contact_id":
            parts.append(f"oc_contact_id(oc_text({name})) as {name}")
        else:  # an id, a source name, free text: normalised (NFC, invisible characters and outer spaces gone)
            parts.append(f"oc_text({name}) as {name}")
    return parts


def _convert(con: duckdb.DuckDBPyConnection, m: Mapping, stage: str, order: str) -> None:
    """Convert the staged text once into <stage>_typed (see _converted)."""
    parts = _converted(m, order) + _extra_names(m)
    if m.orders_from is not None:
        parts.append("_order_date as raw__order_date")
        parts.append(f"oc_parse_date(_order_date, {_order_literal(order)}) as _order_date")
    con.execute(f"create or replace temp table {stage}_typed as select _row, {', '.join(parts)} from {stage}")


def _fast_path_fits(m: Mapping) -> bool:
    """Tables without a key, one event per row: what a large export is (events, orders, campaign stats)."""
    return (
        m.table.key is None
        and not m.event_branches
        and m.orders_from is None
        and not m.aliases
        and not m.contact_alias
    )


def _stage_clean(con: duckdb.DuckDBPyConnection, file: CsvFile, m: Mapping, stage: str) -> int | None:
    """The fast path of a large file: read, map and convert it in one pass, straight into <stage>_typed,
    without row numbers. It holds only when every row passes every check and no date is written day/month
    with an order still to decide; then it returns the row count. Otherwise it returns None, having kept
    nothing, and the file goes the detailed way (row numbers, problems, date order)."""
    params = _read_params(file)
    typed = f"{stage}_typed"
    try:
        con.execute(
            f"create or replace temp table {typed} as select "
            f"{', '.join(_converted(m, m.date_order or 'dmy') + _extra_names(m))} "
            f"from (select {', '.join([_selected(m, c, params) for c in m.fields] + _extras(m))} "
            f"from {READ_CSV} where {_filled(file)} and {_rows_of_export(m, params)}) where {_kept(m, m.fields)}",
            params,
        )
    except duckdb.Error as error:
        if is_disk_full(error) or isinstance(error, duckdb.OutOfMemoryException):
            raise
        con.execute(f"drop table if exists {typed}")
        return None  # the detailed way says what is wrong, with the row
    # Separate counts, not one OR of the checks: DuckDB evaluates them much faster so.
    doubts = [cond for column in _present(m) for cond, _, _, _ in _checks(column)]
    if (lost := _opposition_check(m)) is not None:
        doubts.append(lost[2])
    if not m.date_order:
        doubts += [_day_month(f"raw_{c.name}") for c in _present(m) if c.kind in (DATE, TIMESTAMP)]
    counts = con.execute(
        f"select count(*), {', '.join(f'count(*) filter (where {d})' for d in doubts) or '0'} from {typed}"
    ).fetchone()
    if any(counts[1:]):
        con.execute(f"drop table {typed}")
        return None
    return counts[0]


def _value_checks(m: Mapping) -> list[tuple[str, str, str, str, str, str | None]]:
    """(label, raw column, condition of a bad row, message, fix, detail) of every value check of the file's
    fields (detail: see _checks)."""
    return [
        ("purchase date" if column.name == "_order_date" else column.name, f"raw_{column.name}", *check)
        for column in _present(m)
        for check in _checks(column)
    ]


def _opposition_check(m: Mapping) -> tuple[str, str, str, str, str] | None:
    """(columns, value shown, condition, message, fix) of the rows where a column says the person objected but
    the row as mapped is no opposition: such a row is never loaded as mailable, nor set aside — the file is
    refused. One check for all such columns of the file; the value shown is the first column's that says so."""
    if not m.signals:
        return None
    kept = oppositions.kept_as_opposition(m.table.name)
    says = [signal.says_opposition(f"_signal_{k}") for k, signal in enumerate(m.signals)]
    shown = "coalesce(" + ", ".join(f"case when {c} then _signal_{k} end" for k, c in enumerate(says)) + ")"
    what = {
        "contacts": "as mapped they would have no opposition date and a consent other than objected",
        "events": "as mapped their event type is neither unsubscribe nor complaint",
    }.get(m.table.name, "as mapped they would be lost")
    first, *others = oppositions.most_telling(m.signals)
    also = f" (so do {', '.join(repr(o.header) for o in others)})" if others else ""
    return (
        first.header,
        shown,
        f"(({' or '.join(says)}) and not {kept})",
        f"says these people objected — unsubscribed, blocklisted or opposed{also} — but {what}",
        oppositions.fix(first, m.table.name, m.preset),
    )


def _opposition_row(m: Mapping) -> str:
    """The SQL condition of a converted row that records an opposition (or may: an event type not known)."""
    fields = set(m.fields)
    parts = [signal.says_opposition(f"_signal_{k}") for k, signal in enumerate(m.signals)]
    if m.table.name == "oppositions":
        return "true"
    if m.table.name == "contacts":
        if "opted_out_at" in fields:
            parts.append("oc_blank(raw_opted_out_at) is not null")
        if "consent" in fields:
            parts.append("oc_parse_vocab(raw_consent) = 'objected'")
    if m.table.name == "events" and "event_type" in fields:
        known = ", ".join(f"'{v}'" for v in m.table.column("event_type").vocabulary)  # our own words
        parts.append(f"(event_type in ('unsubscribe', 'complaint') or event_type not in ({known}))")
    return " or ".join(f"({part})" for part in parts) or "false"


def _problems(con: duckdb.DuckDBPyConnection, m: Mapping, stage: str) -> tuple[list[Problem], str]:
    """Every problem of the converted rows, grouped by column and kind; and the SQL condition of a bad row (an
    invalid value: such rows may be set aside). Rows that drop an opposition are problems that block the file."""
    typed = f"{stage}_typed"
    checks = [(*check, False) for check in _value_checks(m)]
    if (lost := _opposition_check(m)) is not None:
        checks.append((*lost, None, True))
    if not checks:
        return [], "false"
    counts = con.execute(
        "select " + ", ".join(f"count(*) filter (where {check[2]})" for check in checks) + f" from {typed}"
    ).fetchone()
    problems = []
    for (label, raw, cond, message, fix, detail, blocking), count in zip(checks, counts, strict=True):
        if not count:
            continue
        sample = con.execute(
            f"select _row, {raw}, {detail or 'null'} from {typed} where {cond} order by _row limit {SAMPLE_ROWS}"
        ).fetchall()
        values = [None if v is None else clip(v) for _, v, _ in sample]  # one value, never a long text whole
        if detail is not None:  # what exactly is wrong, from the rows shown: the control characters found
            message = f"{message} ({_control_names([d for _, _, d in sample])})"
        problems.append(Problem(label, message, fix, [r for r, _, _ in sample], values, count, blocking))
    bad = " or ".join(f"({check[2]})" for check in checks if not check[-1])
    return problems, bad or "false"


def _oppositions_set_aside(
    con: duckdb.DuckDBPyConnection, m: Mapping, stage: str, bad: str
) -> Problem | None:
    """Invalid rows that record an opposition cannot be set aside: the problem that says so, if any."""
    typed = f"{stage}_typed"
    condition = f"({bad}) and ({_opposition_row(m)})"
    count = con.execute(f"select count(*) from {typed} where {condition}").fetchone()[0]
    if not count:
        return None
    rows = [
        r
        for (r,) in con.execute(
            f"select _row from {typed} where {condition} order by _row limit 5"
        ).fetchall()
    ]
    return Problem(
        None,
        f"{count} of the invalid rows record an opposition (an unsubscribe, a complaint, an opposition date or an "
        "event type the product does not know), and an opposition is never set aside",
        "correct these rows (the problems above say what is wrong with each) and load the file again",
        rows,
        [None] * len(rows),
        count,
        True,
    )


def _quoted(text: str) -> str:
    """A SQL string literal of our own text (column names and messages, never a file's values)."""
    return "'" + text.replace("'", "''") + "'"


def _rejected_value(column: Column) -> str:
    """A set-aside row's value of a field as written; the contact id as the database would hold it when that
    is a pseudonym (an email address in a pseudonymising database), so the address is not written in clear."""
    raw = f"raw_{column.name}"
    if column.name != "contact_id":
        return raw
    return (
        f"case when getvariable('oc_pseudonym_ipad') is not null and contains({raw}, '@') "
        f"then oc_contact_id(oc_text({raw})) else {raw} end"
    )


def _set_aside(con: duckdb.DuckDBPyConnection, p: _Prepared, bad: str, folder: Path) -> tuple[int, Path]:
    """Move the invalid rows out of the converted table into a spreadsheet-safe CSV of the values as
    written, with their row numbers and what is wrong with each; returns (count, file)."""
    typed = f"{p.stage}_typed"
    target = folder / f"{Path(p.file.display_name).name}.rejected.csv"
    con.execute(f"create or replace temp table {p.stage}_rejects as select * from {typed} where {bad}")
    # The values as written, but never a raw control character (oc_safe_cell) nor, when the database
    # pseudonymises, an email address in clear: the contact id as its pseudonym, addresses elsewhere hidden.
    safe = ", ".join(
        f'oc_safe_cell(oc_hide_addresses({_rejected_value(c)})) as "{c.name}"' for c in _present(p.mapping)
    )
    # our own words (column names and messages) and the code points found, never the file's text
    reasons = ", ".join(
        f"case when {cond} then "
        + (
            f"concat({_quoted(f'{label} {message} (')}, {detail}, ')')"
            if detail
            else _quoted(f"{label} {message}")
        )
        + " end"
        for label, _, cond, message, _, detail in _value_checks(p.mapping)
    )
    relation = con.sql(
        f'select _row as "row", concat_ws(\'; \', {reasons}) as "problem", {safe} '
        f"from {p.stage}_rejects order by _row"
    )
    relation.write_csv(str(target), header=True)
    count = con.execute(f"select count(*) from {p.stage}_rejects").fetchone()[0]
    con.execute(f"delete from {typed} where {bad}")
    return count, target


def _merged(table: str, column: str, in_file: bool) -> str:
    """A keyed row's column after a later file: the file's value where it has the field, but an opposition
    already stored is never undone (SPEC §5: opposition time is the earliest one)."""
    if not in_file:
        return f"old.{column}"
    if (table, column) == ("contacts", "opted_out_at"):
        return "least(new.opted_out_at, old.opted_out_at)"
    if (table, column) == ("contacts", "consent"):
        return "case when old.consent = 'objected' then 'objected' else new.consent end"
    return f"new.{column}"


def _resolve_aliases(con: duckdb.DuckDBPyConnection, p: _Prepared) -> None:
    """A file that names people by a platform's own id (Mautic's lead id): their contact ids, from the aliases
    loaded before or earlier in this batch. An id nobody loaded refuses the batch: its opposition would be lost."""
    typed, resolved = f"{p.stage}_typed", f"{p.stage}_resolved"
    platform = p.mapping.contact_alias
    con.execute(
        f"create or replace temp table {resolved} as select typed.* replace (aliases.contact_id as contact_id), "
        f"typed.contact_id as _platform_id from {typed} as typed left join contact_aliases as aliases "
        "on aliases.platform = $platform and aliases.external_id = typed.contact_id",
        {"platform": platform},
    )
    unknown = con.execute(
        f"select count(*), list(_row order by _row)[1:{SAMPLE_ROWS}], "
        f"list(_platform_id order by _row)[1:{SAMPLE_ROWS}] from {resolved} where contact_id is null"
    ).fetchone()
    if unknown[0]:
        raise InvalidFile(
            p.file.display_name,
            [
                Problem(
                    "contact_id",
                    f"names people by their {platform} id, and these ids belong to no contact loaded so far or in "
                    "this batch, so their oppositions could not be kept",
                    f"load the {platform} contact export (it holds each person's id and email address) in the same "
                    "batch, or before this file",
                    unknown[1],
                    [clip(v) for v in unknown[2]],
                    unknown[0],
                    True,
                )
            ],
            p.mapping.table.name,
            p.mapping.preset,
        )
    con.execute(f"drop table {typed}")
    con.execute(f"alter table {resolved} rename to {typed}")


def _record_aliases(con: duckdb.DuckDBPyConnection, p: _Prepared) -> None:
    """Keep the platforms' own ids of the people of this file (the latest row of an id wins)."""
    for k, platform in enumerate(p.mapping.aliases):
        con.execute(
            "insert or replace into contact_aliases "
            f"select $platform, oc_text(_alias_{k}), arg_max(contact_id, _row) from {p.stage}_typed "
            f"where oc_text(_alias_{k}) is not null and contact_id is not null group by oc_text(_alias_{k})",
            {"platform": platform},
        )


def _write(con: duckdb.DuckDBPyConnection, p: _Prepared) -> tuple[int, int, int]:
    """Merge the staged rows into the table; returns (rows added, rows updated, purchases added)."""
    m, stage = p.mapping, p.stage
    table = m.table
    typed = f"{stage}_typed"
    if m.contact_alias:
        _resolve_aliases(con, p)
    if m.aliases:
        _record_aliases(con, p)
    orders_added = 0
    if m.orders_from is not None:
        before = con.execute("select count(*) from orders").fetchone()[0]
        con.execute(
            f"insert into orders select distinct contact_id, _order_date, null::double, null::varchar "
            f"from {typed} where _order_date is not null "
            "except select contact_id, order_date, amount, category from orders"
        )
        orders_added = con.execute("select count(*) from orders").fetchone()[0] - before
    columns = ", ".join(table.column_names)
    if table.key is None:
        before = con.execute(f"select count(*) from {table.name}").fetchone()[0]
        # A row already stored is not added again. Only stored rows of the same dates can be equal: the range
        # lets DuckDB skip the rest of a large table, and an empty table needs no comparison at all.
        new, params = f"select distinct {columns} from {typed}", {}
        if before:
            stored = f"select {columns} from {table.name}"
            if table.dedup_range is not None:
                bounds = f"select min({table.dedup_range}), max({table.dedup_range}) from {typed}"
                params = dict(zip(("low", "high"), con.execute(bounds).fetchone(), strict=True))
                stored += f" where {table.dedup_range} between $low and $high"
            new += f" except {stored}"
        con.execute(f"insert into {table.name} {new}", params)
        return con.execute(f"select count(*) from {table.name}").fetchone()[0] - before, 0, orders_added
    key = ", ".join(table.key)
    # Within a file the last row of an id wins; a field the file lacks keeps the value already stored. An
    # opposition is never undone: the earliest opted_out_at stays, and consent objected stays objected.
    latest = f"{stage}_latest"
    sticky = ""
    if table.name == "contacts":
        sticky = (
            " replace (min(opted_out_at) over same_id as opted_out_at, case when bool_or(consent = 'objected') "
            "over same_id then 'objected' else consent end as consent)"
        )
    con.execute(
        f"create or replace temp table {latest} as select {columns} from (select *{sticky} from {typed} "
        f"window same_id as (partition by {key}) "
        f"qualify row_number() over (partition by {key} order by _row desc) = 1)"
    )
    old = f"{stage}_old"
    con.execute(
        f"create or replace temp table {old} as select * from {table.name} where ({key}) in "
        f"(select ({key}) from {latest})"
    )
    updated = con.execute(f"select count(*) from {old}").fetchone()[0]
    merged = ", ".join(_merged(table.name, c, c in m.fields) for c in table.column_names)
    con.execute(f"delete from {table.name} where ({key}) in (select ({key}) from {latest})")
    con.execute(
        f"insert into {table.name} select {merged} from {latest} as new left join {old} as old using ({key})"
    )
    total = con.execute(f"select count(*) from {latest}").fetchone()[0]
    return total - updated, updated, orders_added


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prepare(
    con: duckdb.DuckDBPyConnection,
    file: CsvFile,
    options: Options,
    stage: str,
    presets: list[mapping.Preset] | None = None,
    *,
    detailed: bool = False,
) -> _Prepared:
    """Map, stage and check one file without writing to the canonical tables; problems are collected.
    detailed: always keep the staged text with its row numbers (<stage>), as a preview shows it."""
    if options.table is not None and options.table not in {t for t in LOAD_ORDER}:
        raise UserError(f"Unknown table {options.table!r}; the tables are {', '.join(LOAD_ORDER)}.")
    if options.on_invalid not in ON_INVALID:
        raise UserError(f"on_invalid must be one of {', '.join(ON_INVALID)}.")
    available = presets if presets is not None else mapping.all_presets(con)
    preset_name = options.preset
    if options.custom is not None:
        available, preset_name = [*available, options.custom], options.custom.name
    m = mapping.resolve(
        file,
        available,
        table_name=options.table,
        preset_name=preset_name,
        constants=options.constants,
        date_order=options.date_order,
    )
    if not detailed and _fast_path_fits(m):
        rows = _stage_clean(con, file, m, stage)
        if rows is not None:
            return _Prepared(file, m, stage, rows, m.date_order or "dmy", [])
    rows = _stage(con, file, m, stage)
    order, order_problems = _decide_date_order(con, file, m, stage)
    if order_problems:
        if _renumber(con, file, [stage]):
            order, order_problems = _decide_date_order(con, file, m, stage)
        raise InvalidFile(file.display_name, order_problems, m.table.name)
    _convert(con, m, stage, order)
    problems, bad = _problems(con, m, stage)
    if problems and _renumber(con, file, [stage, f"{stage}_typed"]):
        problems, bad = _problems(con, m, stage)
    if options.on_invalid == "skip" and any(not p.blocking for p in problems):
        lost = _oppositions_set_aside(con, m, stage, bad)
        if lost is not None:
            problems.append(lost)
    return _Prepared(file, m, stage, rows, order, problems)


def _drop_stages(con: duckdb.DuckDBPyConnection, stages: Sequence[str]) -> None:
    for stage in stages:
        for suffix in ("", "_typed", "_latest", "_old", "_rejects", "_resolved"):
            con.execute(f"drop table if exists {stage}{suffix}")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Undo the open transaction; a failed commit has already undone it (DuckDB then has none to roll back)."""
    with contextlib.suppress(duckdb.Error):
        con.execute("rollback")


@dataclass
class Inspection:
    """What a file would load as, shown before loading: its table, rows, mapping, or its problems."""

    file_name: str
    table: str | None
    rows: int
    ignored_columns: list[str]
    problems: list[Problem]
    sample: list[dict]  # the first rows, as text, of the fields that would be kept
    message: str | None = None  # the whole error, when the file cannot be loaded as it is
    preset: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # canonical field -> where it comes from, in words
    header: list[str] = field(default_factory=list)
    date_order: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> header column feeding it
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # value translations of the mapping
    needs: dict[str, str] = field(default_factory=dict)  # fields the user must supply -> why
    candidates: list[str] = field(default_factory=list)  # presets the header matches equally (a tie)
    sampled: bool = False  # only the start of a large file was read (csv_files.preview); Load reads it whole

    @property
    def ok(self) -> bool:
        return self.message is None


def inspect(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    display_name: str | None = None,
    options: Options | None = None,
) -> Inspection:
    """Read, map and check one file without writing anything; never raises for a bad file. A large file is
    previewed from its start (`sampled`): rows and problems are those of its first rows."""
    options = options or Options()
    name = display_name or Path(path).name
    stage = "inspect_0"
    file = None
    with tempfile.TemporaryDirectory(prefix="optout-inspect-", dir=store.work_dir()) as folder:
        try:
            source, sampled = csv_files.preview(Path(path), name, Path(folder))
            file = csv_files.read(source, name, Path(folder))
            item = prepare(con, file, options, stage, detailed=True)
            m = item.mapping
            cursor = con.execute(
                f"select columns(lambda c: not starts_with(c, '_')) from {stage} order by _row limit {SAMPLE_ROWS}"
            )
            names = [d[0] for d in cursor.description]
            sample = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            message = None
            if _refused(item, options):
                message = str(InvalidFile(name, item.problems, m.table.name, m.preset))
            return Inspection(
                name,
                m.table.name,
                item.rows,
                list(m.ignored),
                item.problems,
                sample,
                message,
                m.preset,
                mapping.describe(m, file),
                file.header,
                item.date_order,
                file.encoding,
                file.delimiter,
                columns=mapping.source_columns(m, file),
                constants=dict(m.constants),
                values={k: dict(v) for k, v in m.values.items()},
                sampled=sampled,
            )
        except InvalidFile as error:
            return Inspection(
                name,
                error.table,
                0,
                [],
                error.problems,
                [],
                str(error),
                preset=error.preset,
                header=file.header if file else [],
                encoding=file.encoding if file else None,
                delimiter=file.delimiter if file else None,
                columns=dict(getattr(error, "found", {})),
                needs=dict(getattr(error, "needs", {})),
            )
        except AmbiguousPreset as error:
            header = file.header if file else []
            return Inspection(
                name, None, 0, [], [], [], str(error), header=header, candidates=error.candidates
            )
        except UserError as error:
            return Inspection(name, None, 0, [], [], [], str(error), header=file.header if file else [])
        except (duckdb.Error, OSError) as error:
            if is_disk_full(error):
                message = str(disk_full(name, error, restart=not _usable(con)))
            elif isinstance(error, duckdb.OutOfMemoryException):
                message = str(_out_of_memory(name))
            else:
                raise
            return Inspection(name, None, 0, [], [], [], message, header=file.header if file else [])
        finally:
            with contextlib.suppress(duckdb.Error):  # after a fatal error DuckDB refuses any statement
                _drop_stages(con, [stage])


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path | str],
    table_name: str | None = None,
    display_names: Sequence[str] | None = None,
    *,
    options: Options | Sequence[Options] | None = None,
    replace_all: bool = False,
    rejects_dir: Path | None = None,
) -> list[LoadResult]:
    """Read, map and check every file, then load them all in one transaction (tables in dependency order).

    options: one Options for every file, or one per file (a .zip counts as one file). replace_all: empty every
    data table and the load log first, in the same transaction (reset to the demo). rejects_dir: where the
    rows skipped with on_invalid="skip" are written. Raises InvalidFile (nothing written) when a file is
    invalid and its rows are not to be skipped.
    """
    privacy.prepare_load(con)  # pseudonymised databases: check the key before reading anything
    names = list(display_names) if display_names else [Path(p).name for p in paths]
    if options is None or isinstance(options, Options):
        per_file = [options or Options(table=table_name)] * len(names)
    else:
        per_file = list(options)
    stages: list[str] = []
    batch = (
        ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:3])} and {len(names) - 3} more file(s)"
    )
    try:
        with tempfile.TemporaryDirectory(prefix="optout-ingest-", dir=store.work_dir()) as folder:
            work = Path(folder)
            try:
                results = _ingest(con, paths, names, per_file, stages, work, replace_all, rejects_dir)
            except BaseException:
                with contextlib.suppress(duckdb.Error):  # the database may refuse any statement now
                    _drop_stages(con, stages)
                raise
            _drop_stages(con, stages)
    except (duckdb.Error, OSError) as error:
        # No room to stage, write or commit (the disk, a quota or the file-size limit), or no memory: the
        # transaction is undone (a failed commit or checkpoint undoes it too), so the batch is not loaded and
        # what was loaded before stays as it was.
        if is_disk_full(error):
            raise disk_full(batch, error, restart=not _usable(con)) from None
        if isinstance(error, duckdb.OutOfMemoryException):
            raise _out_of_memory(batch) from None
        raise
    return results


def _refused(p: _Prepared, options: Options) -> bool:
    """A file with problems is refused, unless its invalid rows are to be set aside and none blocks it."""
    return any(problem.blocking for problem in p.problems) or bool(
        p.problems and options.on_invalid == "fail"
    )


def _usable(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        con.execute("select 1").fetchone()
        return True
    except duckdb.Error:
        return False


def _out_of_memory(what: str) -> UserError:
    return UserError(
        f"{what} could not be loaded: there is not enough memory to read it (the limit is "
        f"{store.memory_limit()}, and the disk may lack room to spill to). Nothing of "
        f"this batch was loaded; the data loaded before is unchanged. Set ${store.ENV_MEMORY_LIMIT} higher "
        "(e.g. 8GB), free some disk space, or load the file in smaller parts."
    )


def _ingest(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path | str],
    names: list[str],
    per_file: list[Options],
    stages: list[str],
    work: Path,
    replace_all: bool,
    rejects_dir: Path | None,
) -> list[LoadResult]:
    """The body of ingest_files: prepare every file, then write them all in one transaction."""
    presets = mapping.all_presets(con)
    prepared: list[tuple[_Prepared, Options]] = []
    for path, name, opts in zip(paths, names, per_file, strict=True):
        for member, member_name in csv_files.expand([Path(path)], [name], work):
            stage = f"stage_{len(stages)}"
            stages.append(stage)
            file = csv_files.read(member, member_name, work)
            prepared.append((prepare(con, file, opts, stage, presets), opts))
    refused = [(p, o) for p, o in prepared if _refused(p, o)]
    if refused:
        first, _ = refused[0]
        raise InvalidFile(
            first.file.display_name, first.problems, first.mapping.table.name, first.mapping.preset
        )
    prepared.sort(key=lambda item: LOAD_ORDER.index(item[0].mapping.table.name))
    results = []
    con.execute("begin transaction")
    try:
        if replace_all:
            for table in (*LOAD_ORDER, "contact_aliases", "load_log"):
                con.execute(f"delete from {table}")
        for item, _ in prepared:
            rejected, rejects = 0, None
            if item.problems:
                _, bad = _problems(con, item.mapping, item.stage)
                rejected, rejects = _set_aside(con, item, bad, rejects_dir or work)
            added, updated, orders = _write(con, item)
            con.execute(
                "insert into load_log (file_name, sha256, table_name, rows_in_file, rows_added, "
                "rows_updated, loaded_at, rows_rejected, preset) values ($file_name, $sha256, "
                "$table_name, $rows, $added, $updated, $loaded_at, $rejected, $preset)",
                {
                    "file_name": item.file.display_name,
                    "sha256": _sha256(item.file.original),
                    "table_name": item.mapping.table.name,
                    "rows": item.rows,
                    "added": added,
                    "updated": updated,
                    "loaded_at": dt.datetime.now().replace(microsecond=0),
                    "rejected": rejected,
                    "preset": item.mapping.preset,
                },
            )
            results.append(
                LoadResult(
                    item.file.display_name,
                    item.mapping.table.name,
                    item.rows,
                    added,
                    updated,
                    list(item.mapping.ignored),
                    rejected,
                    item.mapping.preset,
                    rejects if rejects_dir else None,
                    orders,
                )
            )
        detail = "; ".join(r.describe() for r in results) or "every loaded file's data removed"
        store.record_change(con, "reset" if replace_all else "ingest", detail)
        facts.rebuild(con)
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise
    return results


def empty_database(con: duckdb.DuckDBPyConnection) -> None:
    """Remove every loaded file's data, the source registry and the load log, in one transaction; settings,
    saved mappings and the decision log stay."""
    ingest_files(con, [], replace_all=True)


def distinct_values(
    con: duckdb.DuckDBPyConnection, path: Path, header_name: str, limit: int = 20
) -> list[tuple[str, int]]:
    """The most frequent values of one column of a file, with their counts (for mapping values by hand)."""
    with tempfile.TemporaryDirectory(prefix="optout-values-", dir=store.work_dir()) as folder:
        file = csv_files.read(Path(path), Path(path).name, Path(folder))
        index = file.header.index(header_name)
        return con.execute(
            f"select trim(c{index}) as value, count(*) as n "
            "from read_csv($path, auto_detect = false, header = false, skip = 1, columns = $columns, "
            "delim = $delim, quote = '\"', escape = '\"', compression = $compression, strict_mode = false) "
            "where oc_blank(value) is not null group by value order by n desc, value limit $limit",
            {
                "path": str(file.path),
                "delim": file.delimiter,
                "compression": file.compression,
                "columns": {f"c{i}": "VARCHAR" for i in range(len(file.columns))},
                "limit": limit,
            },
        ).fetchall()
