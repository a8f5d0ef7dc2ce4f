"""Generated hostile CSV files (Hypothesis): every file either loads exactly what it holds — and loading it
again changes nothing — or is refused with a UserError that names the file and says what to fix, the database
unchanged to the byte. Never another exception.

The generator writes the columns of a canonical table (any order, any spelling of the header, extra columns
with hostile names) with hostile values — SQL injection in every column, quotes, delimiters, line breaks, NUL
bytes, ESC sequences, bidirectional overrides, zero-width characters, 100 kB fields, spaces, every accepted
spelling of dates, booleans and numbers — in any delimiter, encoding, quoting style and line ending, with empty
lines; and it computes what the database must then hold.

$OPTOUT_HYPOTHESIS_EXAMPLES sets the examples per property (default 40); $OPTOUT_HYPOTHESIS_SEED runs them
at random from that seed instead of the default derandomized run.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import os
import re
import sys
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, note, seed, settings
from hypothesis import strategies as st

from analytics import ingest, store
from analytics.errors import UserError
from analytics.ingest import files as csv_files
from analytics.ingest.platforms import BUILT_IN
from analytics.tables import (
    AMOUNT,
    BOOL,
    COUNT,
    DATE,
    ID,
    LOAD_ORDER,
    TABLES,
    TEXT,
    TIMESTAMP,
    VOCAB,
    Column,
    Table,
)
from analytics.text import SHOWN_CHARS

EXAMPLES = int(os.environ.get("OPTOUT_HYPOTHESIS_EXAMPLES", "40"))
SEED = os.environ.get("OPTOUT_HYPOTHESIS_SEED")


def hostile(test):
    """The settings of every property here: examples from the environment, no deadline (a 100 kB field is
    slow to shrink), derandomized unless a seed is given, no example database (the run is reproducible).
    Health checks: `too_slow` and `data_too_large` are suppressed because the large-field and many-row
    examples are the point of the test, not an accident of the strategy."""
    test = settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=SEED is None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(test)
    return seed(int(SEED))(test) if SEED is not None else test


# --- what the product does to a value (SPEC §4, analytics/sql/macros/00_parse.sql) ------------------------

INVALID = "<invalid>"  # an expected value: the product must refuse the row
ZS = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Zs")


def blank(raw: str | None) -> str | None:
    """oc_blank: DuckDB's trim strips the Unicode space separators (Zs), not tabs or line breaks."""
    if raw is None:
        return None
    text = raw.strip(ZS)
    return text or None


# oc_text, the one way every id and text field comes in: invisible characters removed, NFC, every space
# separator a plain space, every whitespace (tabs, line breaks, NEL, line and paragraph separators) trimmed.
INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u2060-\u2064\ufeff\U000e0000-\U000e007f]")
TRIMMED = "\t\n\x0b\x0c\r\x85\u2028\u2029" + ZS
# Refused inside an id or a source name (control characters, bidirectional overrides and isolates), and inside
# free text but for tabs and line breaks.
CONTROL_IN_ID = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def text_value(raw: str | None) -> str | None:
    """What oc_text makes of a value (None: blank)."""
    if raw is None:
        return None
    text = unicodedata.normalize("NFC", INVISIBLE.sub("", raw))
    text = "".join(" " if c in ZS else c for c in text).strip(TRIMMED)
    return text or None


INJECTIONS = [
    "'); drop table contacts; --",
    "'; DROP TABLE load_log; --",
    '"); delete from events; --',
    "1' or '1'='1",
    "Robert'); DROP TABLE contacts;--@Example.ORG",
    "$path",
    "select * from contacts",
    "${jndi:ldap://x}",
    "=cmd|' /C calc'!A0",
    "c0",
    "_row",
    "null",
    "NULL",
    "nul\x00inside",
    "\x00",
    "\x1b]0;owned\x07\x1b[2J",  # ESC sequences: retitle and clear a terminal
    "evil\u202etxt.exe",  # a right-to-left override
    "\u200bweb\u200d_checkout\ufeff",  # zero-width characters: removed
    "\u00a0\u3000web checkout\t\r\n",  # every kind of whitespace at the ends: trimmed
    "cafe\u0301",  # NFC: café
    "tab\tinside",
]
HOSTILE_NAMES = [
    "select",
    "drop table contacts;",
    "--",
    "a;b;c;d",
    '"quoted"',
    'x"y',
    "it's",
    "'); drop table contacts; --",
    "DROP TABLE load_log",
    "",
    "1=1",
    "c0",
    "_row",
    "raw_contact_id",
    "stage_0",
    "Prénom",
    "Noël\nsur deux lignes",
    "tab\there",
    "pipe|name",
    "nul\x00byte",
]
BOOLS = {
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "yes": True,
    "no": False,
    "oui": True,
    "non": False,
    "y": True,
    "n": False,
    "t": True,
    "f": False,
    "vrai": True,
    "faux": False,
}
KNOWN_NAMES = {c for t in TABLES.values() for c in t.column_names} | {
    csv_files.normalise(s) for p in BUILT_IN for s in p.signature
}
BIG = 100_000  # a 100 kB field
NUMERIC = (DATE, TIMESTAMP, COUNT, AMOUNT)


@dataclass
class Cell:
    raw: str | None  # None: written as an empty unquoted field
    value: Any  # what the database must hold; INVALID when the row must be refused


def _text_alphabet(encoding: str) -> st.SearchStrategy[str]:
    if encoding == "latin-1":  # C1 controls (0x80-0x9F) read as Windows-1252, like every tool does
        return st.characters(codec="latin-1").filter(lambda c: not 0x80 <= ord(c) <= 0x9F)
    if encoding == "cp1252":
        return st.characters(codec="cp1252")
    return st.characters(blacklist_categories=("Cs",))


def _case(draw, word: str) -> str:
    return draw(st.sampled_from([word, word.upper(), word.title(), f" {word} ", f"\u00a0{word}"]))


@st.composite
def free_text(draw, encoding: str, min_size: int = 0) -> str:
    """Text as people and exports write it: any character of the encoding, an injection, a huge field."""
    kind = draw(st.integers(0, 19))
    if kind < 3:
        return draw(st.sampled_from(injections(encoding)))
    if kind == 3:
        return draw(st.sampled_from(["x", "é", "€"]).filter(lambda c: _encodable(c, encoding))) * BIG
    if kind < 8:
        return draw(st.text(_text_alphabet(encoding), min_size=min_size, max_size=12))
    return draw(st.from_regex(r"[A-Za-z0-9_.\-]{1,10}", fullmatch=True).filter(lambda s: len(s) >= min_size))


def injections(encoding: str) -> list[str]:
    """The hostile strings the file's encoding can write."""
    return [text for text in INJECTIONS if _encodable(text, encoding)]


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode("cp1252" if encoding == "latin-1" else encoding)
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@st.composite
def date_cell(draw, column: Column) -> Cell:
    day = draw(st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)))
    stamp = dt.datetime.combine(
        day, dt.time(draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59)))
    )
    timestamp = column.kind == TIMESTAMP
    forms = [
        (day.isoformat(), dt.datetime.combine(day, dt.time()) if timestamp else day),
        (stamp.isoformat(), stamp if timestamp else day),
        (stamp.isoformat(sep=" "), stamp if timestamp else day),
        (stamp.isoformat() + "Z", stamp if timestamp else day),
        (stamp.isoformat() + "+02:00", stamp if timestamp else day),
    ]
    if day.day > 12:  # day-first only where it cannot be read month-first
        forms += [
            (day.strftime("%d/%m/%Y"), dt.datetime.combine(day, dt.time()) if timestamp else day),
            (day.strftime("%d.%m.%Y"), dt.datetime.combine(day, dt.time()) if timestamp else day),
            (stamp.strftime("%d/%m/%Y %H:%M"), stamp.replace(second=0) if timestamp else day),
            (stamp.strftime("%d/%m/%Y %H:%M:%S"), stamp if timestamp else day),
        ]
    if timestamp and dt.datetime(2002, 1, 1) <= stamp < dt.datetime(2286, 1, 1):
        epoch = int((stamp - dt.datetime(1970, 1, 1)).total_seconds())
        forms.append((str(epoch), stamp))
    raw, value = draw(st.sampled_from(forms))
    return Cell(draw(st.sampled_from([raw, f" {raw} "])), value)


@st.composite
def cell(draw, column: Column, encoding: str, hostile_rate: int) -> Cell:
    """One value of a canonical column and what the database must hold for it (INVALID: refused)."""
    if draw(st.integers(0, 99)) < hostile_rate:
        # a hostile value: valid where the column holds text, refused where it holds a date, a number...
        raw = draw(st.one_of(st.sampled_from(injections(encoding)), free_text(encoding, min_size=1)))
        if column.kind in NUMERIC and any(c.isdigit() or c.isnumeric() for c in raw):
            raw = "x" + raw  # so the model need not parse numbers and dates the way DuckDB does
        if column.name == "contact_id" and not raw.isascii():
            raw = raw.replace("@", "_")  # Python's and DuckDB's lower() differ beyond ASCII (final sigma)
    elif not column.required and draw(st.integers(0, 5)) == 0:
        return Cell(draw(st.sampled_from([None, "", "  "])), None)
    elif column.kind in (DATE, TIMESTAMP):
        return draw(date_cell(column))
    elif column.kind == VOCAB:
        word = draw(st.sampled_from(column.vocabulary))
        return Cell(_case(draw, word), word)
    elif column.kind == BOOL:
        word = draw(st.sampled_from(sorted(BOOLS)))
        return Cell(_case(draw, word), BOOLS[word])
    elif column.kind == COUNT:
        number = draw(st.integers(0, 999_999))
        raw = draw(st.sampled_from([str(number), f"{number:,}".replace(",", " "), f"{number}.0"]))
        return Cell(raw, number)
    elif column.kind == AMOUNT:
        cents = draw(st.integers(-10_000_00, 10_000_00))
        raw = f"{cents / 100:.2f}"
        return Cell(draw(st.sampled_from([raw, raw.replace(".", ",")])), float(raw))
    elif column.name == "contact_id" and draw(st.booleans()):
        name = draw(st.from_regex(r"[A-Za-z0-9._%+\-]{1,12}", fullmatch=True))
        raw = f"{name}@{draw(st.sampled_from(['Example.ORG', 'example.fr', 'MAIL.com']))}"
    else:
        # a valid value: any text, but a control character (hostile values have them, and are refused)
        raw = CONTROL_IN_ID.sub("?", draw(free_text(encoding, min_size=1)))
        if text_value(raw) is None:  # only spaces or invisible characters: blank, refused where required
            raw = "v" + raw
        if column.name == "contact_id":  # lower-case comparison is for email addresses, written in ASCII
            raw = raw.replace("@", "_")
    return Cell(raw, expected_value(column, raw))


def expected_value(column: Column, raw: str | None) -> Any:
    """What the product stores for this text in this column (None: null), or INVALID."""
    if column.kind in (ID, TEXT):
        text = text_value(raw)
        if text is None:
            return INVALID if column.required else None
        if (CONTROL_IN_ID if column.kind == ID else CONTROL_IN_TEXT).search(text):
            return INVALID
        return text.lower() if column.name == "contact_id" and "@" in text else text
    text = blank(raw)
    if text is None:
        return INVALID if column.required else None
    if column.kind == VOCAB:
        return text.lower() if text.lower() in column.vocabulary else INVALID
    if column.kind == BOOL:
        return BOOLS.get(text.lower(), INVALID)
    # a date or a number: the generator writes valid ones with their value, hostile ones without a digit
    # (DuckDB reads 'inf', 'nan', 'infinity', 'epoch' without one: the product refuses them all)
    assert text.startswith("x") or not any(c.isdigit() or c.isnumeric() for c in text), text
    return INVALID


# --- writing the file -------------------------------------------------------------------------------------


@dataclass
class Written:
    data: bytes
    rows: list[int]  # the spreadsheet row number of each data row (the header is row 1)
    text_rows: list[str]  # each data row as written (for "a message never prints a row")


def _quote(value: str | None, delimiter: str, style: str) -> str:
    if value is None:
        return ""
    needs = any(c in value for c in (delimiter, "\r", "\n")) or value.startswith('"')
    if style == "all" or needs or (style == "minimal" and '"' in value):
        return '"' + value.replace('"', '""') + '"'
    return value  # style "bare": a quote inside an unquoted value stays as it is (ab"c)


def write_csv(
    header: list[str],
    rows: list[list[str | None]],
    delimiter: str,
    style: str,
    newline: str,
    blanks: list[int],
) -> tuple[str, list[int], list[str]]:
    """The text of the file; blanks[i] empty lines are written before data row i (and after the last one)."""
    lines = [delimiter.join(_quote(h, delimiter, style) for h in header)]
    numbers, texts = [], []
    for index, row in enumerate(rows):
        lines += [""] * blanks[index]
        text = delimiter.join(_quote(v, delimiter, style) for v in row)
        if len(row) == 1 and text == "":
            text = '""'  # a one-column empty value, not an empty line
        lines.append(text)
        numbers.append(len(lines))
        texts.append(text)
    lines += [""] * blanks[len(rows)]
    return newline.join(lines) + newline, numbers, texts


def _spelling(draw, name: str) -> str:
    return draw(
        st.sampled_from(
            [
                name,
                name.upper(),
                f" {name} ",
                name.replace("_", " ").title(),
                name.replace("_", "-"),
                f'"{name}"',
            ]
        )
    )


@dataclass
class Case:
    table: Table
    fields: list[str]  # canonical columns present in the file
    header: list[str]
    columns: list[str | None]  # per file column: its canonical name, or None (not kept)
    cells: list[list[Cell]]  # per data row, per file column
    delimiter: str
    style: str
    newline: str
    encoding: str
    blanks: list[int]
    name: str = field(default_factory=lambda: f"upload_{uuid.uuid4().hex[:8]}.csv")

    def written(self) -> Written:
        header = list(self.header)
        text, numbers, texts = write_csv(
            header,
            [[c.raw for c in row] for row in self.cells],
            self.delimiter,
            self.style,
            self.newline,
            self.blanks,
        )
        return Written(text.encode(self.encoding), numbers, texts)

    def loadable_rows(self) -> list[int]:
        """Indexes of the data rows the product keeps: all but those with nothing in any field."""
        return [i for i, row in enumerate(self.cells) if any(blank(c.raw) is not None for c in row)]

    def invalid_rows(self) -> list[int]:
        """Indexes of the loadable rows holding a value the product must refuse."""
        return [
            i
            for i in self.loadable_rows()
            if any(
                n is not None and c.value == INVALID for n, c in zip(self.columns, self.cells[i], strict=True)
            )
        ]

    def sets_aside_an_opposition(self) -> bool:
        """An invalid row that records an opposition (or may: an event type the product does not know): such a
        row is never set aside, the file is refused instead."""
        for i in self.invalid_rows():
            cells = {n: c for n, c in zip(self.columns, self.cells[i], strict=True) if n is not None}
            if self.table.name == "oppositions":
                return True
            if self.table.name == "contacts" and (
                ("opted_out_at" in cells and blank(cells["opted_out_at"].raw) is not None)
                or ("consent" in cells and cells["consent"].value == "objected")
            ):
                return True
            if self.table.name == "events":
                kind = cells["event_type"]
                if kind.value in ("unsubscribe", "complaint") or (
                    kind.value == INVALID and blank(kind.raw) is not None
                ):
                    return True
        return False

    def invalid(self) -> dict[str, int]:
        """canonical column -> the first data row index holding a value the product must refuse."""
        found: dict[str, int] = {}
        for i in self.loadable_rows():
            for name, c in zip(self.columns, self.cells[i], strict=True):
                if name is not None and c.value == INVALID:
                    found.setdefault(name, i)
        for name in self.table.required:
            if name not in self.fields:
                raise AssertionError("the generator always writes the required columns")
        return found


@st.composite
def cases(
    draw, tables: tuple[str, ...] = LOAD_ORDER, hostile_rate: int = 4, junk: bool | None = None
) -> Case:
    table = TABLES[draw(st.sampled_from(tables))]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    optional = [c.name for c in table.columns if not c.required]
    fields = (
        [*table.required, *draw(st.lists(st.sampled_from(optional), unique=True))]
        if optional
        else [*table.required]
    )
    columns: list[str | None] = list(fields)
    extra = draw(st.integers(0, 2)) if junk is None else int(junk)
    junk_names = []
    for _ in range(extra):
        name = draw(st.one_of(st.sampled_from(HOSTILE_NAMES), st.text(_text_alphabet(encoding), max_size=8)))
        assume(_encodable(name, encoding) and csv_files.normalise(name) not in KNOWN_NAMES)
        junk_names.append(name)
        columns.append(None)
    order = draw(st.permutations(range(len(columns))))
    if junk:  # a column not kept comes last: a cut in the last row falls in it
        order = [i for i in order if columns[i] is not None] + [i for i in order if columns[i] is None]
    columns = [columns[i] for i in order]
    names = iter(junk_names)
    header = [_spelling(draw, c) if c is not None else next(names) for c in columns]
    count = draw(st.integers(0, 8))
    by_name = {c.name: c for c in table.columns}
    cells = []
    for _ in range(count):
        row = []
        for name in columns:
            if name is None:
                raw = draw(free_text(encoding))
                row.append(Cell(raw, None))
            else:
                row.append(draw(cell(by_name[name], encoding, hostile_rate)))
        cells.append(row)
    # Each keyed table: rows may reuse ids already in the database (an update) or an id of an earlier row.
    if table.key and cells:
        key = table.key[0]
        position = columns.index(key)
        for row in cells:
            if draw(st.integers(0, 4)) == 0:
                raw = draw(st.sampled_from(BASELINE_KEYS[table.name]))
                row[position] = Cell(raw, expected_value(by_name[key], raw))
    style = draw(st.sampled_from(["all", "minimal", "bare"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    blanks = draw(st.lists(st.sampled_from([0, 0, 0, 1, 2]), min_size=count + 1, max_size=count + 1))
    # A header name that looks like data (a number, an address) refuses the whole file as header-less — held by
    # tests/test_messy_csv.py; here the header is a header.
    assume(not any(csv_files.looks_like_data(name) for name in header))
    case = Case(table, fields, header, columns, cells, delimiter, style, newline, encoding, blanks)
    data = case.written().data
    if encoding in ("cp1252", "latin-1") and not data.isascii():
        try:  # bytes that also read as UTF-8 are UTF-8: no tool could tell
            data.decode("utf-8")
            assume(False)
        except UnicodeDecodeError:
            pass
    if newline == "\r":  # a lone CR inside a value of a CR-only file is a line break to every reader
        assume(not any("\n" in (c.raw or "") for row in cells for c in row))
    return case


# --- the database -----------------------------------------------------------------------------------------

BASELINE = {
    "sources": "collection_source,channel,notice_shown,evidence,reviewed_at\n"
    "zz-base-web,web_form,true,screenshot,2024-01-01\n",
    "contacts": "contact_id,collection_source,consent,collected_at,informed,opted_out_at,loyalty_consent\n"
    "zz-base-1,zz-base-web,none,2024-01-05,true,,false\n"
    "ZZ.Base@Example.org,zz-base-web,opt_in,2023-06-01,,2025-01-01,true\n",
    "orders": "contact_id,order_date,amount,category\nzz-base-1,2024-02-01,49.9,shoes\n",
    "campaigns": "campaign_id,sent_at,name,email_type\nzz-base-k1,2025-03-01T09:00:00,Spring,promo\n",
    "campaign_stats": "campaign_id,sent_at,collection_source,basis,delivered,openers,clickers,unsubscribers,"
    "complainers,sent,bounces,email_type\nzz-base-k2,2025-03-02,zz-base-web,soft_opt_in,100,20,5,1,0,105,5,promo\n",
    "events": "campaign_id,contact_id,event_type,occurred_at,is_machine_open\n"
    "zz-base-k1,zz-base-1,sent,2025-03-01T09:00:00,\nzz-base-k1,zz-base-1,open,2025-03-01T10:00:00,true\n",
    "oppositions": "contact_id,opposed_at,reason\nzz-base-1,2025-04-01,unsubscribed\n",
}
BASELINE_KEYS = {
    "contacts": ["zz-base-1", " zz-base-1 ", "ZZ.BASE@example.ORG"],
    "campaigns": ["zz-base-k1"],
    "sources": ["zz-base-web"],
}
DATA_TABLES = (*LOAD_ORDER, "load_log", "change_log")


@dataclass(repr=False)
class Db:
    con: Any
    folder: Path
    tables: list[str]
    baseline: dict[str, list[dict[str, Any]]]

    def reset(self) -> None:
        """Back to the baseline batch: the data tables and the logs as the fixture loaded them."""
        for name in DATA_TABLES:
            self.con.execute(f"delete from {name}")
            self.con.execute(f"insert into {name} select * from baseline_{name}")

    def snapshot(self, tables: list[str] | None = None) -> dict[str, tuple[int, str]]:
        """Row count and content hash of every table (or of these)."""
        return {
            t: self.con.execute(
                f"select count(*), md5(coalesce(string_agg(t::varchar, '|' order by t::varchar), '')) from {t} t"
            ).fetchone()
            for t in tables or self.tables
        }


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    con = store.connect(folder / "hostile.duckdb", readable=[folder])
    paths = []
    for name, text in BASELINE.items():
        path = folder / f"baseline_{name}.csv"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    ingest.ingest_files(con, paths)
    baseline = {}
    for name in DATA_TABLES:
        con.execute(f"create table baseline_{name} as select * from {name}")
        cursor = con.execute(f"select * from {name}")
        columns = [d[0] for d in cursor.description]
        baseline[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    tables = [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' and not temporary "
            "and not starts_with(table_name, 'baseline_') order by 1"
        ).fetchall()
    ]
    yield Db(con, folder, tables, baseline)
    con.close()


def expected_table(case: Case, baseline: list[dict[str, Any]], skip_invalid: bool = False) -> list[tuple]:
    """The rows the table must hold after loading the case onto the baseline (SPEC §4 and ingest's rules);
    skip_invalid: the rows holding an invalid value are set aside."""
    table = case.table
    names = table.column_names
    rows = []
    for i in case.loadable_rows():
        if skip_invalid and i in case.invalid_rows():
            continue
        values = {c: None for c in names}
        for name, c in zip(case.columns, case.cells[i], strict=True):
            if name is not None:
                values[name] = c.value
        rows.append(values)
    if table.key is None:
        result = [tuple(r[c] for c in names) for r in baseline]
        for row in dict.fromkeys(tuple(r[c] for c in names) for r in rows):
            if row not in result:
                result.append(row)
        return result
    key = table.key[0]
    merged = {r[key]: dict(r) for r in baseline}
    latest: dict[Any, dict[str, Any]] = {}
    for r in rows:
        latest[r[key]] = r  # the last row of an id wins
    for k, r in latest.items():
        old = merged.get(k, {})
        merged[k] = {c: (r[c] if c in case.fields else old.get(c)) for c in names}
        if table.name == "contacts":
            # An opposition is never undone: the earliest opted_out_at of the id (in the file and stored) stays,
            # and consent objected (in any row of the id, or stored) stays objected.
            same = [x for x in rows if x[key] == k]
            if "opted_out_at" in case.fields:
                dates = [x["opted_out_at"] for x in same if x["opted_out_at"] is not None]
                dates += [old["opted_out_at"]] if old.get("opted_out_at") is not None else []
                merged[k]["opted_out_at"] = min(dates, default=None)
            if "consent" in case.fields and (
                old.get("consent") == "objected" or any(x["consent"] == "objected" for x in same)
            ):
                merged[k]["consent"] = "objected"
    return [tuple(r[c] for c in names) for r in merged.values()]


def _sorted(rows) -> list[tuple]:
    return sorted(rows, key=repr)


def _assert_refusal_message(
    message: str, name: str, written: Written | None, case: Case | None = None
) -> None:
    """Names the file and the fix; no DuckDB or Python error text; never a whole row, never a long value."""
    assert name in message, message
    assert "Fix:" in message, message
    assert "Traceback" not in message and "Original Line" not in message and "Error:" not in message, message
    if written is not None:
        for text in written.text_rows:
            if len(text) > SHOWN_CHARS:
                assert text not in message, f"a whole row is printed: {message}"
    if case is not None:
        for row in case.cells:
            for c in row:
                value = blank(c.raw) or ""
                if len(value) > SHOWN_CHARS:
                    assert value not in message and repr(value) not in message, (
                        "a long value is printed whole"
                    )


def load(
    db: Db, case: Case, data: bytes, options: ingest.Options | None = None
) -> tuple[list | None, UserError | None]:
    """Load the file once; on a refusal, check the database did not change at all."""
    path = db.folder / case.name
    path.write_bytes(data)
    note(f"{case.name} = {data[:2000]!r}")
    before = db.snapshot()
    try:
        return ingest.ingest_files(db.con, [path], options=options, rejects_dir=db.folder), None
    except UserError as error:
        assert db.snapshot() == before, "a refused file changed the database"
        return None, error
    finally:
        path.unlink()


def inspect(db: Db, case: Case, data: bytes) -> ingest.Inspection:
    """The Data page's preview of the file: it never raises, and it writes nothing."""
    path = db.folder / case.name
    path.write_bytes(data)
    before = db.snapshot()
    try:
        return ingest.inspect(db.con, path, case.name)
    finally:
        path.unlink()
        assert db.snapshot() == before, "the preview changed the database"


def check_case(db: Db, case: Case, written: Written) -> UserError | None:
    """The property: refused cleanly where the model says it must be, else loaded exactly, idempotently."""
    db.reset()
    note(f"table={case.table.name} encoding={case.encoding} delimiter={case.delimiter!r} style={case.style}")
    note(f"file={written.data[:3000]!r}")
    invalid = case.invalid()
    inspection = inspect(db, case, written.data)
    results, error = load(db, case, written.data)
    if invalid:
        assert error is not None, f"loaded although {sorted(invalid)} hold invalid values"
        message = str(error)
        _assert_refusal_message(message, case.name, written, case)
        assert inspection.message is not None, "the preview says the file loads"
        _assert_refusal_message(inspection.message, case.name, written, case)
        for name, index in invalid.items():
            assert f"column '{name}'" in message, message
            assert re.search(rf"row {written.rows[index]}\b", message), message
        return error
    assert error is None, f"refused a valid file: {error}"
    assert inspection.ok and inspection.table == case.table.name
    assert inspection.rows == len(case.loadable_rows())
    [result] = results
    assert (result.table, result.rows_in_file) == (case.table.name, len(case.loadable_rows()))
    names = ", ".join(case.table.column_names)
    got = db.con.execute(f"select {names} from {case.table.name}").fetchall()
    assert _sorted(got) == _sorted(expected_table(case, db.baseline[case.table.name]))
    data_tables = list(LOAD_ORDER)
    loaded = db.snapshot(data_tables)
    path_results, again = load(db, case, written.data)
    assert again is None, f"the second load was refused: {again}"
    assert db.snapshot(data_tables) == loaded, "a second load of the same file changed the data"
    assert path_results[0].rows_added == 0
    return None


# --- the properties ---------------------------------------------------------------------------------------


@hostile
@given(case=cases())
def test_a_generated_file_loads_exactly_or_is_refused_cleanly(db, case):
    """Any canonical table, delimiter, encoding (UTF-8 with or without BOM, Windows-1252, Latin-1, UTF-16),
    quoting style, line ending and empty lines, hostile header spellings and extra columns, hostile values in
    every column: the file loads and the table then holds exactly the rows the model computes (injection
    strings verbatim in text columns — normalised, and refused when they hold a control character; a later row
    of an id wins; fields a file lacks keep their stored value),
    a second load changes nothing; or, exactly when a value is invalid, it is refused with a UserError naming
    the file, the column and the row, and the database is unchanged to the byte."""
    check_case(db, case, case.written())


@hostile
@given(case=cases(tables=("contacts", "events"), hostile_rate=25))
def test_injection_and_hostile_text_in_contacts_and_events(db, case):
    """The two tables every upload feeds, with a quarter of all values hostile (SQL injection, quotes, NUL
    bytes, ESC sequences, bidirectional overrides, zero-width characters, 100 kB fields, delimiters and line
    breaks): stored verbatim where the column is text or an id (normalised: NFC, invisible characters and outer
    whitespace removed) unless it holds a control character; refused with the row and column where the column
    is a date, a vocabulary or a boolean, or an id or text holding a control character."""
    check_case(db, case, case.written())


@hostile
@given(case=cases(hostile_rate=0, junk=True), data=st.data())
def test_a_file_cut_short_loads_whole_rows_or_names_the_last_row(db, case, data):
    """An export cut anywhere in its last row (an interrupted download): either every value that loads is the
    value written — the cut fell in the last column, which is not kept — or the file is refused, naming the
    last row (or saying the file is cut short), and the database is unchanged."""
    assume(case.cells and case.loadable_rows()[-1] == len(case.cells) - 1)
    db.reset()
    case.blanks[-1] = 0
    full = case.written()
    last = len(case.cells) - 1
    before_last = write_csv(
        case.header,
        [[c.raw for c in row] for row in case.cells[:last]],
        case.delimiter,
        case.style,
        case.newline,
        [*case.blanks[:last], case.blanks[last]],
    )[0]
    start = len(before_last.encode(case.encoding))  # where the last row starts
    cut = data.draw(st.integers(start + 1, len(full.data) - 1), label="cut at byte")
    _, error = load(db, case, full.data[:cut])
    if error is not None:
        message = str(error)
        _assert_refusal_message(message, case.name, full)
        assert re.search(rf"row {full.rows[last]}\b", message) or "cut short" in message, message
        return
    names = ", ".join(case.table.column_names)
    got = db.con.execute(f"select {names} from {case.table.name}").fetchall()
    assert _sorted(got) == _sorted(expected_table(case, db.baseline[case.table.name]))


@hostile
@given(case=cases(hostile_rate=12))
def test_skipping_invalid_rows_loads_exactly_the_valid_ones(db, case):
    """With --skip-invalid (on_invalid="skip"): exactly the rows without an invalid value load — the table then
    holds what the model computes from them — and the rejects file lists the others by their spreadsheet row
    numbers (empty lines counted); a second load changes nothing."""
    db.reset()
    written = case.written()
    results, error = load(db, case, written.data, ingest.Options(on_invalid="skip"))
    if case.sets_aside_an_opposition():
        assert error is not None and "an opposition is never set aside" in str(error), error
        _assert_refusal_message(str(error), case.name, written, case)
        return
    assert error is None, error
    [result] = results
    bad = case.invalid_rows()
    assert (result.rows_in_file, result.rows_rejected) == (len(case.loadable_rows()), len(bad))
    names = ", ".join(case.table.column_names)
    got = db.con.execute(f"select {names} from {case.table.name}").fetchall()
    assert _sorted(got) == _sorted(expected_table(case, db.baseline[case.table.name], skip_invalid=True))
    if bad:
        with open(result.rejects_csv, newline="", encoding="utf-8") as handle:
            rejected = [int(row["row"]) for row in csv.DictReader(handle)]
        result.rejects_csv.unlink()
        assert rejected == [written.rows[i] for i in bad]
    loaded = db.snapshot(list(LOAD_ORDER))
    _, again = load(db, case, written.data, ingest.Options(on_invalid="skip"))
    assert again is None and db.snapshot(list(LOAD_ORDER)) == loaded


@hostile
@given(
    junk=st.one_of(
        st.binary(max_size=400),
        st.sampled_from(
            [
                b"",
                b"\xef\xbb\xbf",
                b"\n\n\n",
                b"   ",
                b"\x00" * 20,
                b"\xff\xfe",
                b"\xff\xfe\x00",
                b'"',
                b'"""\n',
            ]
        ),
    ),
    case=cases(hostile_rate=0),
    where=st.integers(0, 10_000),
    splice=st.booleans(),
)
def test_junk_bytes_never_crash_the_load(db, junk, case, where, splice):
    """Random bytes, alone or spliced into a valid file anywhere (header included): the load never raises
    anything but a UserError naming the file and its fix, a refusal changes nothing, and a file that does
    load loads the same way twice."""
    db.reset()
    data = case.written().data
    if splice:
        position = where % (len(data) + 1)
        data = data[:position] + junk + data[position:]
    else:
        data = junk
    _, error = load(db, case, data)
    if error is not None:
        _assert_refusal_message(str(error), case.name, None)
        return
    loaded = db.snapshot(list(LOAD_ORDER))
    _, again = load(db, case, data)
    assert again is None
    assert db.snapshot(list(LOAD_ORDER)) == loaded


@hostile
@given(
    case=cases(hostile_rate=0),
    kind=st.sampled_from(["header only", "empty", "duplicate used", "duplicate kept"]),
)
def test_empty_header_only_and_duplicate_headers(db, case, kind):
    """An empty file is refused ('the file is empty'); a header-only file loads nothing and changes no data;
    a column the product uses written twice is refused naming it; a column it does not keep written twice
    does not matter."""
    db.reset()
    if kind == "empty":
        data = case.newline.encode() * 3 if case.encoding.startswith("utf-8") else b""
        _, error = load(db, case, data)
        assert error is not None and "the file is empty" in str(error)
        _assert_refusal_message(str(error), case.name, None)
        return
    if kind == "header only":
        case.cells, case.blanks = [], [0]
        before = db.snapshot(list(LOAD_ORDER))
        results, error = load(db, case, case.written().data)
        assert error is None, error
        assert results[0].rows_in_file == 0
        assert db.snapshot(list(LOAD_ORDER)) == before
        return
    index = next(i for i, c in enumerate(case.columns) if c is not None) if kind == "duplicate used" else None
    if index is None:
        case.header.append("not kept")
        case.columns.append(None)
        for row in case.cells:
            row.append(Cell("x", None))
        index = len(case.header) - 1
    case.header.append(case.header[index])
    case.columns.append(None)  # the second copy is never read
    for row in case.cells:
        row.append(Cell(row[index].raw, None))
    if kind == "duplicate kept":
        check_case(db, case, case.written())
        return
    _, error = load(db, case, case.written().data)
    assert error is not None
    message = str(error)
    _assert_refusal_message(message, case.name, None)
    assert "appear twice" in message and csv_files.normalise(case.header[index]) in message


# --- regressions: one plain example per bug the properties found ------------------------------------------


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _refusal(con, path: Path) -> str:
    with pytest.raises(UserError) as raised:
        ingest.ingest_files(con, [path])
    return str(raised.value)


def test_an_error_message_never_prints_the_row_only_the_bad_value(tmp_path, con):
    """DuckDB's CSV errors quote the whole line ('Original Line: …'); the product's message names the row and
    what is wrong, and a value only as the offending one, cut to 60 characters."""
    extra = _write(
        tmp_path,
        "orders.csv",
        b"contact_id,order_date,amount\nc1,2024-01-01,3\nsecret.person@example.org,2024-01-02,5,oops\n",
    )
    message = _refusal(con, extra)
    assert "row 3 has 4 field(s) where the header has 3" in message
    assert "secret.person@example.org" not in message and "Original Line" not in message
    bad_value = _write(
        tmp_path,
        "contacts.csv",
        b"contact_id,collection_source,consent,collected_at\n"
        b"secret.person@example.org,web,none," + b"9" * 200 + b"\n",
    )
    message = _refusal(con, bad_value)
    assert "column 'collected_at'" in message and "row 2 ('" + "9" * 59 + "…')" in message
    assert "secret.person@example.org" not in message
    headerless = _write(tmp_path, "export.csv", b"secret.person@example.org,2024-01-01,12\nc2,2024-01-02,3\n")
    message = _refusal(con, headerless)
    assert "the header row is missing" in message and "secret.person@example.org" not in message


def test_empty_lines_do_not_shift_the_row_numbers(tmp_path, con):
    """DuckDB skips empty lines without counting them: row numbers in messages are the spreadsheet's."""
    path = _write(
        tmp_path, "orders.csv", b"contact_id,order_date,amount\n\nc1,2024-01-01,x\n\n\nc2,2024-01-01,y\n"
    )
    message = _refusal(con, path)
    assert "row 3 ('x'), row 6 ('y')" in message


def test_a_file_with_only_carriage_returns_is_read(tmp_path, con):
    """Old Mac line endings (CR only) made the header reader raise a csv.Error."""
    ingest.ingest_files(
        con, [_write(tmp_path, "orders.csv", b"contact_id,order_date\rc1,2024-01-01\rc2,2024-01-02\r")]
    )
    assert con.execute("select count(*) from orders").fetchone() == (2,)


def test_a_header_name_over_128_kb_is_read(tmp_path, con):
    """Python's csv module stops at 128 kB a field: a huge header name raised csv.Error."""
    path = _write(tmp_path, "orders.csv", b"contact_id,order_date," + b"x" * 200_000 + b"\nc1,2024-01-01,y\n")
    [result] = ingest.ingest_files(con, [path])
    assert result.rows_added == 1
    assert len(result.describe()) < 300  # the ignored column's name is cut in the summary


def test_a_delimiter_inside_a_quoted_header_name_does_not_decide_the_delimiter(tmp_path, con):
    """The delimiter was the one most frequent in the first line, quotes or not: '"a;b;c;d"' made a comma
    file read as ';'."""
    path = _write(tmp_path, "orders.csv", b'contact_id,order_date,"a;b;c;d"\nc1,2024-01-01,y\n')
    [result] = ingest.ingest_files(con, [path])
    assert (result.table, result.rows_added, result.ignored_columns) == ("orders", 1, ["a;b;c;d"])
    bare = _write(tmp_path, "orders2.csv", b"contact_id,order_date,a;b;c;d\nc2,2024-01-01,y\n")
    [result] = ingest.ingest_files(con, [bare])
    assert (result.table, result.rows_added) == ("orders", 1)
    # found while fixing it: a quote inside a name (0") opens no quoted field, and a header-only file whose
    # quoted name holds a line break and whose last name holds a ';' is still a comma file
    stray = _write(tmp_path, "orders3.csv", b'0";contact_id;order_date\nx;c3;2024-01-01\n')
    assert ingest.ingest_files(con, [stray])[0].rows_added == 1
    header_only = _write(
        tmp_path, "orders4.csv", b'contact_id,order_date,"No\xc3\xabl\nsur deux lignes",drop table;\n'
    )
    assert ingest.ingest_files(con, [header_only])[0].table == "orders"


def test_an_accented_letter_after_the_first_megabyte_decides_the_encoding(tmp_path, con):
    """Only the first megabyte was looked at: an ASCII start then 'café' in Windows-1252 was refused."""
    rows = b"c1,2024-01-01,y\n" * 80_000
    path = _write(
        tmp_path, "orders.csv", b"contact_id,order_date,category\n" + rows + b"c2,2024-01-01,caf\xe9\n"
    )
    ingest.ingest_files(con, [path])
    assert con.execute("select category from orders where contact_id = 'c2'").fetchone() == ("café",)


def test_utf16_files_are_read(tmp_path, con):
    """Excel's "Unicode text" is UTF-16 with a byte order mark; it was read as Windows-1252 garbage."""
    text = "contact_id\tcollection_source\tconsent\tcollected_at\nzoé@example.fr\tmagasin\tnone\t2024-01-05\n"
    ingest.ingest_files(con, [_write(tmp_path, "contacts.txt.csv", text.encode("utf-16"))])
    assert con.execute("select contact_id, collection_source from contacts").fetchall() == [
        ("zoé@example.fr", "magasin")
    ]


def test_a_file_cut_in_the_middle_of_a_character_is_refused(tmp_path, con):
    """A UTF-16 file with an odd number of bytes raised UnicodeDecodeError; a UTF-8 one cut inside 'é' was
    called a file of mixed encodings."""
    text = "contact_id,order_date,category\nc1,2024-01-01,café\n"
    message = _refusal(con, _write(tmp_path, "a.csv", text.encode("utf-16")[:-1]))
    assert "a.csv" in message and "cut short" in message
    message = _refusal(con, _write(tmp_path, "b.csv", text.encode("utf-8")[:-2]))
    assert "b.csv" in message and "cut short" in message


def test_long_rows_and_unclosed_quotes_say_what_to_fix(tmp_path, con):
    """DuckDB's 'Maximum line size' and 'unterminated quote' errors came out as 'CSV Error on Line: 2'."""
    message = _refusal(
        con, _write(tmp_path, "a.csv", b'contact_id,order_date\nc1,"2024-01-01\nc2,2024-01-02\n')
    )
    assert "row 2" in message and "never closed" in message
    big = b"contact_id,order_date,category\nc1,2024-01-01," + b"x" * 3_000_000 + b"\n"
    message = _refusal(con, _write(tmp_path, "b.csv", big))
    assert "row 2 is longer than 2 MB" in message and "xxxxxxxxxx" not in message


def test_implausible_dates_and_numbers_are_refused(tmp_path, con):
    """DuckDB reads 'infinity' and 'epoch' as dates and 'nan' as a number; the year 99999 came back to Python
    as a string."""
    for value in ("infinity", "epoch", "99999-01-01", "0202-05-01"):
        path = _write(tmp_path, "orders.csv", f"contact_id,order_date\nc1,{value}\n".encode())
        assert "column 'order_date'" in _refusal(con, path)
    for value in ("nan", "inf", "-Infinity"):
        path = _write(
            tmp_path, "orders.csv", f"contact_id,order_date,amount\nc1,2024-01-01,{value}\n".encode()
        )
        assert "column 'amount'" in _refusal(con, path)


def test_a_broken_gzip_or_zip_is_refused(tmp_path, con):
    """A .gz cut short after its first megabyte raised EOFError while being re-encoded; a damaged zip member
    raised zlib.error."""
    text = "contact_id,order_date,category\n" + "".join(f"c{i},2024-01-01,café {i}\n" for i in range(200_000))
    packed = gzip.compress(text.encode("cp1252"))
    message = _refusal(con, _write(tmp_path, "orders.csv.gz", packed[: len(packed) * 2 // 3]))
    assert "orders.csv.gz" in message and "cut short" in message and "Fix:" in message
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("orders.csv", "contact_id,order_date\n" + "c1,2024-01-01\n" * 1000)
    damaged = bytearray(archive.read_bytes())
    damaged[60:90] = b"\x00" * 30
    message = _refusal(con, _write(tmp_path, "export.zip", bytes(damaged)))
    assert "export.zip" in message and "Fix:" in message


def test_a_header_duckdb_misreads_loses_no_row(tmp_path, con):
    """Excel's Alt+Enter in a header cell writes a LF inside a quoted name of a CRLF file: DuckDB took the LF for
    the file's line ending and read no row at all, silently (the file 'loaded' with 0 rows); a CR inside a name
    of a LF file did the same, a BOM before such a name made the load fail, and a BOM before a quoted first
    name ending with the delimiter ("a;";…) made DuckDB read no row either."""
    for name, data in [
        (
            "bom_quote.csv",
            b'\xef\xbb\xbf"note;";"contact_id";"order_date"\n"x";"c1";"2024-01-01"\ny;c2;2024-01-02\n',
        ),
        (
            "alt_enter.csv",
            b'contact_id,"order\ndate note",order_date\r\nc1,x,2024-01-01\r\nc2,y,2024-01-02\r\n',
        ),
        ("cr.csv", b'contact_id,"a\rb",order_date\nc1,x,2024-01-01\nc2,y,2024-01-02\n'),
        (
            "bom.csv",
            '\ufeff"Noël\nsur deux lignes",contact_id,order_date\r\nx,c1,2024-01-01\r\nz,c2,2024-01-02\r\n'.encode(),
        ),
    ]:
        con.execute("delete from orders")
        [result] = ingest.ingest_files(con, [_write(tmp_path, name, data)])
        assert (result.rows_in_file, result.rows_added) == (2, 2), name
        assert con.execute("select contact_id from orders order by 1").fetchall() == [("c1",), ("c2",)]


def test_a_lone_carriage_return_says_what_is_wrong(tmp_path, con):
    """DuckDB's 'state machine reached an invalid state' (a CR alone in a CRLF file) came out in DuckDB's
    words."""
    message = _refusal(con, _write(tmp_path, "orders.csv", b"contact_id,order_date\r\nc1,2024-01-01\r\x00\n"))
    assert "orders.csv" in message and "carriage return" in message and "Error" not in message


def test_running_out_of_memory_is_a_plain_error(tmp_path, monkeypatch):
    """DuckDB's out-of-memory error while reading came out as 'the CSV cannot be read: Out of Memory Error'."""
    monkeypatch.setenv(store.ENV_MEMORY_LIMIT, "4MB")
    con = store.connect(":memory:", readable=[tmp_path])
    try:
        rows = "".join(f"c{i},2024-01-{1 + i % 28:02d}\n" for i in range(1_000_000))
        message = _refusal(con, _write(tmp_path, "orders.csv", ("contact_id,order_date\n" + rows).encode()))
    finally:
        con.close()
    assert "orders.csv could not be loaded: there is not enough memory" in message
    assert "Nothing of this batch was loaded" in message and store.ENV_MEMORY_LIMIT in message


def test_rows_with_nothing_in_any_field_are_left_out(tmp_path, con):
    """Excel's trailing ';;;' rows, and empty lines in a one-column file, hold nothing to load."""
    path = _write(tmp_path, "orders.csv", b"contact_id;order_date;amount\nc1;2024-01-01;3\n;;\n ; ;\n")
    [result] = ingest.ingest_files(con, [path])
    assert (result.rows_in_file, result.rows_added) == (1, 1)
    [result] = ingest.ingest_files(con, [_write(tmp_path, "sources.csv", b"collection_source\n\nweb\n\n")])
    assert (result.rows_in_file, result.rows_added) == (1, 1)
