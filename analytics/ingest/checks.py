"""What is wrong with a staged file, in the user's words: its day/month order, every invalid value grouped by
column and kind (with the first rows), and the rows that would drop an opposition. Invalid rows may be set
aside (written to a CSV the user can download); a row that records an opposition never is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from analytics.errors import Problem
from analytics.i18n import N_, _
from analytics.ingest import oppositions, staging
from analytics.ingest.files import CsvFile, FileProblem
from analytics.ingest.mapping import Mapping, expected
from analytics.tables import AMOUNT, DATE, ID, TEXT, TIMESTAMP, VOCAB, Column
from analytics.text import clip

SAMPLE_ROWS = 5
# Dates outside these years are typing or export errors (0202-05-01, 'infinity'), never a real send or purchase.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def decide_date_order(
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
        f"select * from (select _row, {c.name} as value from {stage}) where {staging.day_month('value')}"
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
                _(
                    "its dates mix day-first (e.g. row {day_row}) and month-first (e.g. row {month_row}) forms"
                ).format(day_row=day_row, month_row=month_row),
                _("export the dates in one format, preferably YYYY-MM-DD"),
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
                _(
                    "{count} date(s) such as the one on row {row} read differently day-first and "
                    "month-first (03/04/2026: 3 April or 4 March), and nothing in the file settles it"
                ).format(count=ambiguous, row=ambiguous_row),
                _(
                    "say which order the file uses: --date-order dmy (day first) or mdy (month first), or choose it "
                    "on the Data page"
                ),
            )
        ]
    return "dmy", []


# A text value holding a control character: the problem, and how to fix it (the characters found follow).
CONTROL_MESSAGE = N_("contains a control character")
CONTROL_FIX = N_(
    "remove it: retype the value, or clean the column (a spreadsheet's =CLEAN() removes control characters) and "
    "export the file again. Control characters (NUL, ESC, a tab or a line break inside an id or a source name) and "
    "bidirectional-text overrides (U+202A–U+202E, U+2066–U+2069) would be printed raw or reorder what is shown"
)


CONTROL_NAMES = {
    0x00: N_("NUL"),
    0x09: N_("tab"),
    0x0A: N_("line feed"),
    0x0D: N_("carriage return"),
    0x1B: N_("ESC"),
    0x7F: N_("DEL"),
    0x202A: N_("left-to-right embedding"),
    0x202B: N_("right-to-left embedding"),
    0x202C: N_("pop directional formatting"),
    0x202D: N_("left-to-right override"),
    0x202E: N_("right-to-left override"),
    0x2066: N_("left-to-right isolate"),
    0x2067: N_("right-to-left isolate"),
    0x2068: N_("first strong isolate"),
    0x2069: N_("pop directional isolate"),
}


def _control_names(codes: Sequence[str | None]) -> str:
    """'U+001B ESC, U+202E right-to-left override' for the code points found (U+XXXX, from SQL)."""
    named = []
    for code in dict.fromkeys(c for c in codes if c):
        name = CONTROL_NAMES.get(int(code[2:], 16))
        named.append(f"{code} {_(name)}" if name else code)
    return ", ".join(named)


def column_checks(column: Column, order: str | None = None) -> list[tuple[str, str, str, str | None]]:
    """(condition that marks a bad row, message, fix, detail) for one field, over the converted table
    (raw_<field> is the text as written, <field> its converted value); names are canonical, never user text.
    detail: SQL giving what exactly is wrong on a bad row (the control character found), or None. order: the
    day/month order the file writes its dates in ('dmy', 'mdy'; None for ISO dates), for the fix's example."""
    name, raw = column.name, f"raw_{column.name}"
    found: list[tuple[str, str, str, str | None]] = []
    text = column.kind in (ID, TEXT)
    if column.required:
        # A text field is blank when nothing is left of it once normalised (oc_text): spaces, invisible characters
        empty = f"{name} is null" if text else f"oc_blank({raw}) is null"
        found.append((empty, _("is empty"), _("fill in {field} on every row").format(field=name), None))
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
        found.append((bad, _(CONTROL_MESSAGE), _(CONTROL_FIX), f"{finder}({value})"))
    if column.kind in staging.PARSERS:
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
        valid = expected(column)
        if column.kind in (DATE, TIMESTAMP):
            valid += _(" (also 15/03/2026, 15/03/2026 09:30, Unix seconds; years {first}–{last})").format(
                first=FIRST_YEAR, last=LAST_YEAR
            )
        message = _("has values that are not {expected}").format(expected=valid)
        found.append((bad, message, _("write {expected}").format(expected=expected(column, order)), None))
    return found


def _value_checks(m: Mapping, order: str | None = None) -> list[tuple[str, str, str, str, str, str | None]]:
    """(label, raw column, condition of a bad row, message, fix, detail) of every value check of the file's
    fields (detail: see column_checks; order: the day/month order its dates are written in, None for ISO)."""
    return [
        (_("purchase date") if column.name == "_order_date" else column.name, f"raw_{column.name}", *check)
        for column in staging.present(m)
        for check in column_checks(column, order)
    ]


def written_order(con: duckdb.DuckDBPyConnection, m: Mapping, stage: str, order: str) -> str | None:
    """The day/month order the file's dates are written in ('dmy', 'mdy': `order`, the one decided), or None
    when none of them is written day/month (ISO dates): what a date's fix gives as its example."""
    raws = [f"raw_{c.name}" for c in staging.present(m) if c.kind in (DATE, TIMESTAMP)]
    if not raws:
        return None
    day_month = " or ".join(staging.day_month(raw) for raw in raws)
    found = con.execute(f"select exists (select 1 from {stage}_typed where {day_month})").fetchone()[0]
    return order if found else None


def opposition_check(m: Mapping) -> tuple[str, str, str, str, str] | None:
    """(columns, value shown, condition, message, fix) of the rows where a column says the person objected but
    the row as mapped is no opposition: such a row is never loaded as mailable, nor set aside — the file is
    refused. One check for all such columns of the file; the value shown is the first column's that says so."""
    if not m.signals:
        return None
    kept = oppositions.kept_as_opposition(m.table.name)
    says = [signal.says_opposition(f"_signal_{k}") for k, signal in enumerate(m.signals)]
    shown = "coalesce(" + ", ".join(f"case when {c} then _signal_{k} end" for k, c in enumerate(says)) + ")"
    what = {
        "contacts": _("as mapped they would have no opposition date and a consent other than objected"),
        "events": _("as mapped their event type is neither unsubscribe nor complaint"),
    }.get(m.table.name, _("as mapped they would be lost"))
    first, *others = oppositions.most_telling(m.signals)
    also = _(" (so do {columns})").format(columns=", ".join(repr(o.header) for o in others)) if others else ""
    return (
        first.header,
        shown,
        f"(({' or '.join(says)}) and not {kept})",
        _("says these people objected — unsubscribed, blocklisted or opposed{also} — but {what}").format(
            also=also, what=what
        ),
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


def problems(
    con: duckdb.DuckDBPyConnection, m: Mapping, stage: str, order: str | None = None
) -> tuple[list[Problem], str]:
    """Every problem of the converted rows, grouped by column and kind; and the SQL condition of a bad row (an
    invalid value: such rows may be set aside). Rows that drop an opposition are problems that block the file.
    order: the date order decided for the file; a date's fix then gives its example in the file's own form."""
    typed = f"{stage}_typed"
    written = written_order(con, m, stage, order) if order else None
    checks = [(*check, False) for check in _value_checks(m, written)]
    if (lost := opposition_check(m)) is not None:
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


def oppositions_set_aside(con: duckdb.DuckDBPyConnection, m: Mapping, stage: str, bad: str) -> Problem | None:
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
        _(
            "{count} of the invalid rows record an opposition (an unsubscribe, a complaint, an opposition date or "
            "an event type the product does not know), and an opposition is never set aside"
        ).format(count=count),
        _("correct these rows (the problems above say what is wrong with each) and load the file again"),
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


def set_aside(
    con: duckdb.DuckDBPyConnection, file: CsvFile, m: Mapping, stage: str, bad: str, folder: Path
) -> tuple[int, Path]:
    """Move the invalid rows out of the converted table into a spreadsheet-safe CSV of the values as
    written, with their row numbers and what is wrong with each; returns (count, file)."""
    typed = f"{stage}_typed"
    target = folder / f"{Path(file.display_name).name}.rejected.csv"
    con.execute(f"create or replace temp table {stage}_rejects as select * from {typed} where {bad}")
    # The values as written, but never a raw control character (oc_safe_cell) nor, when the database
    # pseudonymises, an email address in clear: the contact id as its pseudonym, addresses elsewhere hidden.
    safe = ", ".join(
        f'oc_safe_cell(oc_hide_addresses({_rejected_value(c)})) as "{c.name}"' for c in staging.present(m)
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
        for label, _, cond, message, _, detail in _value_checks(m)
    )
    relation = con.sql(
        f'select _row as "row", concat_ws(\'; \', {reasons}) as "problem", {safe} '
        f"from {stage}_rejects order by _row"
    )
    relation.write_csv(str(target), header=True)
    count = con.execute(f"select count(*) from {stage}_rejects").fetchone()[0]
    con.execute(f"delete from {typed} where {bad}")
    return count, target
