"""CSV files for people: safe to open in a spreadsheet, in one of two dialects.

Two dialects, defined here and nowhere else:

- `machine` (the CLI's `report --format csv`, and the default of every function here): `,` between cells, no
  byte-order mark, codes (`soft_opt_in`, `editorial_only`) and column names as stored, fractions unrounded, dot
  decimals, ISO dates: the form other programs read, byte for byte as it has always been.
- `spreadsheet` (the dashboard's downloads): the form a person opens with a double click, in the reader's
  language (analytics.i18n). A UTF-8 byte-order mark first, so that Excel reads the accents right; readable,
  translated column headings and values (the action's label instead of its code); rates as percentages. In
  French, `;` between cells, decimal commas and dates dd/mm/yyyy, which French Excel reads as numbers and dates;
  in English, `,`, dot decimals and ISO dates. A percentage cell holds the number alone (`12,5`; its column
  heading says `(%)`): a spreadsheet reads it as a number it can sort and sum, whereas `12,5 %` with French
  typography's no-break space stays text in some spreadsheets.

In both, a cell that starts with =, +, -, @, a tab, a carriage return or a line feed is read by spreadsheets as a
formula (CSV injection); such text cells get a leading apostrophe, which spreadsheets show as plain text. Nor
does a cell carry a raw control character (analytics.text.visible); it keeps its tabs and line breaks, quoted.

Small tables are written by Python (`to_csv`); the lists of any length by DuckDB (`query_to_csv`), whose CSV
writer takes the separator (`sep`) and the date format (`date_format`) but neither a byte-order mark (its only
encoding is UTF8) nor a decimal separator (`decimal_separator` is for reading only): the mark is written first
and DuckDB's output appended to it, and decimal columns are written as text with a comma in SQL.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from analytics import i18n
from analytics.i18n import N_, _
from analytics.store import sql
from analytics.text import visible
from analytics.vocabulary import code_labels

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
CELL_WHITESPACE = "\t\r\n"

MACHINE = "machine"
SPREADSHEET = "spreadsheet"
DIALECTS = (MACHINE, SPREADSHEET)
BOM = "\ufeff"  # UTF-8's byte-order mark, as text; encoded: EF BB BF


@dataclass(frozen=True)
class Dialect:
    """How a CSV file is written: see the module's docstring."""

    name: str
    delimiter: str
    bom: bool
    decimal: str  # the decimal separator of numbers written as text
    readable: bool  # translated headings and labels instead of codes, rates as percentages
    date_format: str | None  # strftime/DuckDB format of dates; None: ISO (DuckDB's and Python's own)


def dialect(name: str | None = None) -> Dialect:
    """A dialect by name (default: the one chosen by `writing`, else machine); the spreadsheet dialect in the
    current language."""
    name = name or _chosen.get()
    if name == MACHINE:
        return Dialect(MACHINE, ",", bom=False, decimal=".", readable=False, date_format=None)
    if name != SPREADSHEET:
        raise ValueError(f"Unknown CSV dialect {name!r}: use one of {', '.join(DIALECTS)}.")
    if i18n.current() == "fr":
        return Dialect(SPREADSHEET, ";", bom=True, decimal=",", readable=True, date_format="%d/%m/%Y")
    return Dialect(SPREADSHEET, ",", bom=True, decimal=".", readable=True, date_format=None)


_chosen: ContextVar[str] = ContextVar("optout_cohorts_csv_dialect", default=MACHINE)


@contextlib.contextmanager
def writing(name: str) -> Iterator[None]:
    """Write CSV files in this dialect inside the block (the callers in between need not pass it along)."""
    token = _chosen.set(dialect(name).name)
    try:
        yield
    finally:
        _chosen.reset(token)


# ------------------------------------------------------------------------------------ headings and labels

# The heading of each column a download may hold, in the spreadsheet dialect (the machine dialect keeps the
# code). Rates read as percentages in the spreadsheet dialect: their heading says so.
COLUMN_LABELS: dict[str, str] = {
    "collection_source": N_("Collection source"),
    "contacts_opt_in": N_("Contacts: opt-in"),
    "contacts_soft_opt_in": N_("Contacts: soft opt-in"),
    "contacts_not_informed": N_("Contacts: not informed"),
    "contacts_prospect": N_("Contacts: prospect"),
    "contacts_objected": N_("Contacts: objected"),
    "contacts_expired": N_("Contacts: expired"),
    "contacts_expiring_soon": N_("Contacts: expiring soon"),
    "delivered": N_("Delivered"),
    "openers": N_("Openers"),
    "clickers": N_("Clickers"),
    "unsubscribers": N_("Unsubscribers"),
    "complainers": N_("Spam complainers"),
    "open_rate": N_("Open rate (%)"),
    "click_rate": N_("Click rate (%)"),
    "unsubscribe_rate": N_("Unsubscribe rate (%)"),
    "complaint_rate": N_("Complaint rate (%)"),
    "dissatisfaction_rate": N_("Dissatisfaction rate (%)"),
    "open_ratio": N_("Open rate vs baseline"),
    "click_ratio": N_("Click rate vs baseline"),
    "action": N_("Recommended action"),
    "reasons": N_("Reasons"),
    "warnings": N_("Warnings"),
    # the contact lists (purge, suppression) and the unlawful sends
    "contact_id": N_("Contact ID"),
    "consent": N_("Consent"),
    "collected_at": N_("Collected on"),
    "last_contact_date": N_("Last purchase or click"),
    "retention_ends": N_("Retention ends on"),
    "opposition_date": N_("Objected on"),
    "sent_date": N_("Sent on"),
    "campaign_id": N_("Campaign ID"),
    "campaign_name": N_("Campaign"),
    "email_type": N_("Email type"),
    "basis": N_("Legal basis"),
}
PERCENT_COLUMNS = frozenset(
    ("open_rate", "click_rate", "unsubscribe_rate", "complaint_rate", "dissatisfaction_rate")
)


def heading(column: str, chosen: Dialect) -> str:
    """A column's heading: its code (machine), its translated label (spreadsheet)."""
    return _(COLUMN_LABELS[column]) if chosen.readable and column in COLUMN_LABELS else column


def label(column: str, code: Any, chosen: Dialect) -> Any:
    """A code as the dialect writes it: itself (machine), its translated label (spreadsheet)."""
    labels = code_labels(column) if chosen.readable else None
    return labels.get(code, code) if labels and isinstance(code, str) else code


# ----------------------------------------------------------------------------------------------- cells


def safe_cell(value: Any) -> Any:
    """Neutralise a text cell a spreadsheet would run as a formula, and its control characters (tabs and line
    breaks stay: a CSV cell holds them, quoted); numbers and None pass unchanged."""
    if isinstance(value, str):
        text = visible(value, keep=CELL_WHITESPACE)
        return "'" + text if value.startswith(FORMULA_STARTS) else text
    return "" if value is None else value


def percentage(fraction: float | None, chosen: Dialect, digits: int = 2) -> Any:
    """A rate as the dialect writes it: the fraction itself (machine); the percentage rounded to `digits`
    decimals without trailing zeros, with the dialect's decimal separator (spreadsheet: 0.125 → 12,5)."""
    if not chosen.readable or fraction is None:
        return fraction
    return decimal(round(fraction * 100, digits), chosen, digits)


def decimal(value: float | None, chosen: Dialect, digits: int | None = None) -> Any:
    """A number with the dialect's decimal separator: unchanged with a dot (machine), text with a comma;
    `digits`: rounded to as many decimals, trailing zeros dropped."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if digits is not None:
        value = round(value, digits)
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    elif chosen.decimal == ".":
        return value
    else:
        text = str(value)
    return text.replace(".", chosen.decimal)


def _cell(value: Any, chosen: Dialect) -> Any:
    if isinstance(value, float) and chosen.decimal != ".":
        return safe_cell(decimal(value, chosen)).removeprefix("'")  # a negative number is no formula
    if isinstance(value, dt.date) and chosen.date_format:
        return value.strftime(chosen.date_format)
    return safe_cell(value)


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]], chosen: Dialect | None = None) -> str:
    """A small table as spreadsheet-safe CSV text (for tables that fit in memory: cohort tables, lists), in the
    dialect given (default: machine, or the one chosen by `writing`). The columns are written as given: the
    caller chooses codes or headings (`heading`)."""
    chosen = chosen or dialect()
    buffer = io.StringIO()
    if chosen.bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=chosen.delimiter, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([_cell(v, chosen) for v in row])
    return buffer.getvalue()


# ------------------------------------------------------------------------------------- lists, in DuckDB


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_column(column: str, kind: str, chosen: Dialect) -> str:
    """One column of a list as the dialect writes it, in SQL (the column names come from our own query files,
    the labels from our catalogs: never from user input; both are quoted all the same)."""
    name = f'"{column}"'
    alias = '"' + heading(column, chosen).replace('"', '""') + '"'
    labels = code_labels(column) if chosen.readable else None
    if labels and kind == "VARCHAR":
        cases = " ".join(f"when {_sql_text(code)} then {_sql_text(text)}" for code, text in labels.items())
        return f"oc_safe_cell(case {name} {cases} else {name} end) as {alias}"
    if kind == "VARCHAR":
        return f"oc_safe_cell({name}) as {alias}"
    if chosen.readable and column in PERCENT_COLUMNS:  # as `percentage` writes it: 0.125 → 12,5
        text = f"regexp_replace(printf('%.2f', {name} * 100), '\\.?0+$', '')"
        return f"replace({text}, '.', {_sql_text(chosen.decimal)}) as {alias}"
    if chosen.decimal != "." and kind.startswith(("DOUBLE", "FLOAT", "REAL", "DECIMAL")):
        return f"replace(cast({name} as varchar), '.', {_sql_text(chosen.decimal)}) as {alias}"
    return f"{name} as {alias}" if alias != name else name


def query_to_csv(
    con: duckdb.DuckDBPyConnection,
    name: str,
    path: Path,
    *,
    csv_dialect: Dialect | None = None,
    **params: Any,
) -> None:
    """Write a named query's result to a spreadsheet-safe CSV file, in DuckDB (lists of any length), in the
    dialect given (default: machine, or the one chosen by `writing`)."""
    chosen = csv_dialect or dialect()
    relation = con.sql(sql.query_text(name), params=params)
    columns = [
        _sql_column(column, str(kind), chosen)
        for column, kind in zip(relation.columns, relation.types, strict=True)
    ]
    safe = relation.project(", ".join(columns))
    if chosen.name == MACHINE:
        safe.write_csv(str(path), header=True)
        return
    # DuckDB writes no byte-order mark: it writes beside the target, which gets the mark, then DuckDB's bytes.
    part = path.with_name(path.name + ".part")
    try:
        safe.write_csv(
            str(part),
            header=True,
            sep=chosen.delimiter,
            date_format=chosen.date_format,
            timestamp_format=f"{chosen.date_format} %H:%M:%S" if chosen.date_format else None,
        )
        with open(path, "wb") as sink, open(part, "rb") as source:
            sink.write(BOM.encode("utf-8"))
            shutil.copyfileobj(source, sink, length=1 << 20)
    finally:
        part.unlink(missing_ok=True)
