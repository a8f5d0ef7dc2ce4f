"""A file's rows in DuckDB: staged as text through its mapping, then converted to the canonical types.

DuckDB's CSV reader reads the file (all text, columns c0, c1, …) into a temp table with spreadsheet row
numbers (the header is row 1), each canonical field taken from its column, constant, condition or value map
(the macros live in analytics/sql/macros/00_parse.sql); the conversion to canonical types is SQL too and keeps
the text as written beside each value (raw_<field>) for the checks and the rejects file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import duckdb

from analytics.errors import InvalidFile, UserError, is_disk_full
from analytics.i18n import _, ngettext
from analytics.ingest import files
from analytics.ingest.files import CsvFile, FileProblem, disk_full
from analytics.ingest.mapping import Mapping
from analytics.presets import ALSO, DATE_ORDERS, DEFAULT, SKIP
from analytics.store.bounds import ENV_MEMORY_LIMIT, memory_limit
from analytics.tables import AMOUNT, BOOL, COUNT, DATE, ID, TIMESTAMP, VOCAB, Column
from analytics.text import clip

# How each kind of column is converted from text (the macros live in analytics/sql/macros/00_parse.sql).
PARSERS = {
    DATE: "oc_parse_date({x}, {order})",
    TIMESTAMP: "oc_parse_timestamp({x}, {order})",
    BOOL: "oc_parse_bool({x})",
    COUNT: "oc_parse_count({x})",
    AMOUNT: "oc_parse_amount({x})",
    VOCAB: "oc_parse_vocab({x})",
}


def _order_literal(order: str) -> str:
    """The SQL literal of a day/month order, only ever one of DATE_ORDERS: the order may come from a saved
    mapping, i.e. from the database, and is written into SQL (a macro argument)."""
    if order not in DATE_ORDERS:
        raise UserError(
            _("Date order {order} is not one of {orders}.").format(
                order=clip(repr(order)), orders=", ".join(DATE_ORDERS)
            )
        )
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


def selected(mapping: Mapping, canonical: str, params: dict[str, Any]) -> str:
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


def extras(m: Mapping) -> list[str]:
    """Columns staged beside the fields, as written: the columns that record oppositions (checked on every row)
    and the platforms' own ids of people (kept as aliases)."""
    extras = [f"c{signal.index} as _signal_{k}" for k, signal in enumerate(m.signals)]
    extras += [f"c{index} as _alias_{k}" for k, index in enumerate(m.aliases.values())]
    return extras


def extra_names(m: Mapping) -> list[str]:
    return [f"_signal_{k}" for k in range(len(m.signals))] + [f"_alias_{k}" for k in range(len(m.aliases))]


def read_params(file: CsvFile) -> dict[str, Any]:
    """The parameters of READ_CSV: every column as text, named c0, c1, …"""
    return {
        "path": str(file.path),
        "delim": file.delimiter,
        "compression": file.compression,
        "columns": {f"c{i}": "VARCHAR" for i in range(len(file.columns))},
    }


def filled(file: CsvFile) -> str:
    """A row with nothing in any field (Excel's trailing ';;;;' rows) holds nothing to load."""
    return f"coalesce({', '.join(f'oc_blank(c{i})' for i in range(len(file.columns)))}, null) is not null"


def kept(m: Mapping, fields: Sequence[str]) -> str:
    """Rows whose value maps to SKIP are not loaded."""
    skipped = [c for c in fields if SKIP in m.values.get(c, {}).values()]
    return " and ".join(f"coalesce({c}, '') <> '{SKIP}'" for c in skipped) or "true"


def rows_of_export(m: Mapping, params: dict[str, Any]) -> str:
    """The rows of the file that are the export's rows for the product (a preset's rows_where), over raw text."""
    if m.rows_where is None:
        return "true"
    index, allowed = m.rows_where
    params["rows_where"] = list(allowed)
    return f"list_contains($rows_where, lower(trim(c{index})))"


def day_month(x: str) -> str:
    """True for a value written day/month or month/day (a separator as its 2nd or 3rd character)."""
    return f"(substr(trim({x}), 2, 1) in ('/', '.', '-') or substr(trim({x}), 3, 1) in ('/', '.', '-'))"


def stage(con: duckdb.DuckDBPyConnection, file: CsvFile, m: Mapping, stage: str) -> int:
    """Copy the file's mapped fields, as text, into a temp table with spreadsheet row numbers (the header is
    row 1). Rows whose value maps to SKIP are left out; a row may become several events (event branches)."""
    params = read_params(file)
    plain = [c for c in m.fields if not (m.event_branches and c in ("event_type", "occurred_at"))]
    items = [selected(m, c, params) for c in plain] + extras(m)
    if m.orders_from is not None:
        items.append(f"c{m.orders_from} as _order_date")
    if m.event_branches:
        branches = []
        for number, (event_type, stamp, flag) in enumerate(m.event_branches):
            params[f"branch_{number}"] = event_type
            condition = f"oc_blank(c{stamp}) is not null"
            if flag is not None:
                condition += f" and oc_parse_bool(c{flag})"
            branches.append(
                f"select _row, {', '.join([*items, f'$branch_{number} as event_type', f'c{stamp} as occurred_at'])} "
                f"from base where {condition}"
            )
        body = " union all ".join(branches)
    else:
        body = f"select _row, {', '.join(items)} from base"
    # Blank rows are left out, and still counted in the row numbers.
    try:
        con.execute(
            f"create or replace temp table {stage} as "
            f"with numbered as (select row_number() over () + 1 as _row, * from {READ_CSV}), "
            f"base as (select * from numbered where {filled(file)} and {rows_of_export(m, params)}) "
            f"select * from ({body}) where {kept(m, plain)}",
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
        return out_of_memory(file.display_name)
    text = str(error)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    rows = [int(line.group(1))] if line else []
    where = _("row {row}").format(row=rows[0]) if rows else _("a row")
    separator = _("a tab") if file.delimiter == "\t" else f"'{file.delimiter}'"
    fields = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if fields:
        expected, found = int(fields.group(1)), int(fields.group(2))
        problem = FileProblem(
            None,
            ngettext(
                "{where} has {found} field(s) where the header has {expected} (the separator is {separator})",
                "{where} has {found} field(s) where the header has {expected} (the separator is {separator})",
                found,
            ).format(where=where, found=found, expected=expected, separator=separator),
            _(
                "give every row as many fields as the header: put quotes around a value that holds the separator "
                "or a line break, and export the file again if its last row was cut short"
            ),
            rows,
        )
    elif "unterminated quote" in text:
        problem = FileProblem(
            None,
            _(
                "a quoted value on {where} is never closed, or a quote inside a quoted value is not doubled"
            ).format(where=where),
            _(
                'close the quote; write a quote inside a quoted value twice ("" ); export the file again if it '
                "was cut short"
            ),
            rows,
        )
    elif "Invalid unicode" in text:
        problem = FileProblem(
            None,
            _(
                "{where} is not UTF-8 text although the start of the file is: the file mixes two encodings"
            ).format(where=where),
            _("open the file in a spreadsheet or text editor and save it again as CSV UTF-8"),
            rows,
        )
    elif "Maximum line size" in text:
        problem = FileProblem(
            None,
            _(
                "{where} is longer than 2 MB: most often a quote that is never closed, so the rest of the file "
                "reads as one value"
            ).format(where=where),
            _(
                "close the quote (a quote inside a quoted value is written twice), or split the very long value"
            ),
            rows,
        )
    elif "state machine reached an invalid state" in text:
        problem = FileProblem(
            None,
            _(
                "its line breaks or quotes do not follow the CSV standard: most often a line that ends in a "
                "carriage return alone (CR) in a file whose lines end in CR LF — files joined from two sources"
            ),
            _("open the file in a spreadsheet or text editor and save it again as CSV"),
            rows,
        )
    else:
        first = re.sub(r"^[A-Za-z ]*Error: ", "", text.split("\n")[0])
        detail = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", first)  # no quoted value of the file in the message
        problem = FileProblem(
            None,
            _("{where} cannot be read as CSV ({detail})").format(where=where, detail=clip(detail, 160)),
            _("check that every row has as many fields as the header and that quotes are closed"),
            rows,
        )
    return InvalidFile(file.display_name, [problem], m.table.name)


def renumber(con: duckdb.DuckDBPyConnection, file: CsvFile, stages: Sequence[str]) -> bool:
    """Give the staged rows their spreadsheet numbers when the file has empty lines before its last row
    (DuckDB skips them without counting); called only when row numbers are about to be shown. Returns True
    when numbers changed."""
    blanks = files.blank_rows(file)
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


def present(m: Mapping) -> list[Column]:
    present = [c for c in m.table.columns if c.name in m.fields]
    if m.orders_from is not None:
        present.append(Column("_order_date", DATE, False))
    return present


def converted(m: Mapping, order: str) -> list[str]:
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


def convert(con: duckdb.DuckDBPyConnection, m: Mapping, stage: str, order: str) -> None:
    """Convert the staged text once into <stage>_typed (see converted)."""
    parts = converted(m, order) + extra_names(m)
    if m.orders_from is not None:
        parts.append("_order_date as raw__order_date")
        parts.append(f"oc_parse_date(_order_date, {_order_literal(order)}) as _order_date")
    con.execute(f"create or replace temp table {stage}_typed as select _row, {', '.join(parts)} from {stage}")


def drop_stages(con: duckdb.DuckDBPyConnection, stages: Sequence[str]) -> None:
    for stage in stages:
        for suffix in ("", "_typed", "_latest", "_old", "_rejects", "_resolved"):
            con.execute(f"drop table if exists {stage}{suffix}")


def usable(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        con.execute("select 1").fetchone()
        return True
    except duckdb.Error:
        return False


def out_of_memory(what: str) -> UserError:
    return UserError(
        _(
            "{what} could not be loaded: there is not enough memory to read it (the limit is {limit}, and the disk "
            "may lack room to spill to). Nothing of this batch was loaded; the data loaded before is unchanged. Set "
            "${variable} higher (e.g. 8GB), free some disk space, or load the file in smaller parts."
        ).format(what=what, limit=memory_limit(), variable=ENV_MEMORY_LIMIT)
    )
