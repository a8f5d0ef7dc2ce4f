"""Why analytics/ingest/files.py decides the encoding, delimiter, quote and header row by hand instead of
asking DuckDB's sniff_csv or charset-normalizer.

Every file that the messy and hostile tests and the platform fixtures load was run through the product, through
`sniff_csv` and through `charset_normalizer.from_bytes(...).best()` (DuckDB 2.0.1, charset-normalizer 3.5.3).
Neither library got every file right, so nothing was replaced. Each case below is one where a library's answer
differs from the product's and the product's is right:

- `test_the_product_reads_*` asserts the product's answer. It must always pass.
- `test_*_still_*` asserts that the library still answers differently. If one fails, a new version of the library
  now gets that case right. Remove the case here and from the docstring in files.py that names it. Replace
  hand-written code only when the library gets *every* case right: run the comparison again over all the files
  the tests load, not only the cases here.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import duckdb
import pytest

from analytics import ingest
from analytics.errors import UserError
from analytics.ingest import files

PRESETS = Path(__file__).parent / "fixtures" / "presets"


@dataclass
class Case:
    data: bytes
    encoding: str
    delimiter: str
    header: list[str]
    loads: int | None = None  # rows loaded, or None: refused with `refusal`
    refusal: str | None = None


def _rows(template: bytes, count: int) -> bytes:
    return b"".join(template % i for i in range(count))


# --- DuckDB's sniff_csv (delimiter, quote, header row, column names) ----------------------------------------

SNIFF_CASES = {
    # An export cut off in its last row (an interrupted download). sniff_csv finds no delimiter that splits
    # every row the same way, so it says ',' and reads the whole ';' header as one column name,
    # 'contact_id;order_date;category'. It does this even after 50 good rows.
    "semicolon export cut in its last row": Case(
        b"contact_id;order_date;category\r\n" + _rows(b"c%d;2024-01-01;x\r\n", 50) + b"c99;2024",
        "utf-8",
        ";",
        ["contact_id", "order_date", "category"],
        refusal="row 52 has 2 field(s) where the header has 3",
    ),
    # The same, cut inside a quoted value. sniff_csv then finds no quote character, and keeps the quotes in
    # the column names ('"contact_id"').
    "quoted export cut inside a quoted value": Case(
        b'"contact_id";"order_date";"note"\r\n'
        + _rows(b'"c%d";"2024-01-01";"ok"\r\n', 20)
        + b'"c99";"2024-01-02";"xx',
        "utf-8",
        ";",
        ["contact_id", "order_date", "note"],
        refusal="row 22 is never closed",
    ),
    # A byte order mark, then a quoted name that ends with the delimiter. sniff_csv says ',' and takes the whole
    # line as one name, '"note;";"contact_id";"order_date"'.
    "BOM then a quoted name ending with ';'": Case(
        b'\xef\xbb\xbf"note;";"contact_id";"order_date"\n"x";"c1";"2024-01-01"\ny;c2;2024-01-02\n',
        "utf-8",
        ";",
        ["note;", "contact_id", "order_date"],
        loads=2,
    ),
    # One row with a field too many. sniff_csv decides that the file has no header (column0, column1, column2),
    # so the real header would load as data.
    "a row with a field too many": Case(
        b"contact_id,order_date\nc1,2024-01-01\nc2,2024-01-02,extra\n",
        "utf-8",
        ",",
        ["contact_id", "order_date"],
        refusal="row 3 has 3 field(s) where the header has 2",
    ),
    # A header-only export whose last name is empty (a trailing delimiter). sniff_csv says there is no header.
    "header only, ending with a delimiter": Case(
        b"occurred_at,campaign_id,event_type,contact_id,\n",
        "utf-8",
        ",",
        ["occurred_at", "campaign_id", "event_type", "contact_id", ""],
        loads=0,
    ),
    # sniff_csv trims names, names an empty one 'column2' and renames a repeated one to 'contact_id_1'. The
    # product keeps names as written, so it can refuse the repeated column and say which one it is.
    "padded, empty and repeated names": Case(
        b" contact_id ,order_date,,contact_id\nc1,2024-01-01,x,c1\n",
        "utf-8",
        ",",
        [" contact_id ", "order_date", "", "contact_id"],
        refusal="appear twice: contact_id",
    ),
    # Excel's Alt+Enter in a header cell (a LF inside a quoted name of a CRLF file), and a CR inside a name of
    # a LF file. sniff_csv raises 'Error when sniffing file'.
    "Alt+Enter in a header cell": Case(
        b'contact_id,"order\ndate note",order_date\r\nc1,x,2024-01-01\r\nc2,y,2024-01-02\r\n',
        "utf-8",
        ",",
        ["contact_id", "order\ndate note", "order_date"],
        loads=2,
    ),
    "CR in a header name": Case(
        b'contact_id,"a\rb",order_date\nc1,x,2024-01-01\nc2,y,2024-01-02\n',
        "utf-8",
        ",",
        ["contact_id", "a\rb", "order_date"],
        loads=2,
    ),
    # A row longer than DuckDB's 2 MB line limit. sniff_csv raises 'CSV Error on Line: 1'. The product reads the
    # header, then names the row.
    "a row over 2 MB": Case(
        b"contact_id,order_date,category\nc1,2024-01-01," + b"x" * 3_000_000 + b"\n",
        "utf-8",
        ",",
        ["contact_id", "order_date", "category"],
        refusal="row 2 is longer than 2 MB",
    ),
    # sniff_csv detects no encoding. It reads Excel's "Unicode text" (UTF-16) only when told encoding='utf-16'.
    # It cannot read Windows-1252 at all: there is no 'cp1252' without the encodings extension, and its
    # 'latin-1' refuses the bytes 0x80-0x9F, so refuses the € sign.
    "Excel Unicode text (UTF-16)": Case(
        "contact_id\tcollection_source\tconsent\tcollected_at\nzoé@example.fr\tmagasin\tnone\t2024-01-05\n".encode(
            "utf-16"
        ),
        "utf-16",
        "\t",
        ["contact_id", "collection_source", "consent", "collected_at"],
        loads=1,
    ),
    "Excel FR Windows-1252 with a euro sign": Case(
        "campaign_id;sent_at;name\nk1;2025-12-01;Soldes à 10 €\n".encode("cp1252"),
        "cp1252",
        ";",
        ["campaign_id", "sent_at", "name"],
        loads=1,
    ),
}


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", SNIFF_CASES.values(), ids=SNIFF_CASES.keys())
def test_the_product_reads_the_header_sniff_csv_misreads(tmp_path, con, case):
    path = _write(tmp_path, case.data)
    file = files.read(path, path.name, tmp_path)
    assert (file.encoding, file.delimiter, file.header) == (case.encoding, case.delimiter, case.header)
    if case.refusal is not None:
        with pytest.raises(UserError, match=re.escape(case.refusal)):
            ingest.ingest_files(con, [path])
    else:
        [result] = ingest.ingest_files(con, [path])
        assert result.rows_added == case.loads


def _sniff(path: Path) -> tuple:
    """sniff_csv's reading of the file's dialect and header, or its error."""
    try:
        delimiter, has_header, columns = (
            duckdb.connect()
            .execute("select Delimiter, HasHeader, Columns from sniff_csv(?)", [str(path)])
            .fetchone()
        )
    except duckdb.Error as error:
        return ("error", str(error).split("\n")[0])
    return (delimiter, has_header, [c["name"] for c in columns])


@pytest.mark.parametrize("case", SNIFF_CASES.values(), ids=SNIFF_CASES.keys())
def test_sniff_csv_still_reads_the_header_differently(tmp_path, case):
    path = _write(tmp_path, case.data)
    assert _sniff(path) != (case.delimiter, True, case.header), (
        "sniff_csv now reads this file as the product does: see analytics/ingest/files.py before replacing anything"
    )


# --- charset-normalizer (the encoding) ----------------------------------------------------------------------

ASCII_START = b"contact_id,order_date,category\n" + b"c1,2024-01-01,y\n" * 80_000  # over 1 MiB of ASCII

ENCODING_CASES = {
    # The platform fixture, an Excel FR export in Windows-1252. charset-normalizer says 'cp775' (Baltic).
    "Brevo export re-saved by Excel FR": (PRESETS / "brevo_contacts" / "export-cp1252.csv").read_bytes(),
    # charset-normalizer says 'cp1250' (Central European), which reads 'Hélène' as 'Hélčne'.
    "French names in Windows-1252": "contact_id;prénom;ville\nc1;Hélène;Orléans\nc2;Jérôme;Besançon\n".encode(
        "cp1252"
    ),
    # charset-normalizer says 'cp1125' (Ukrainian), which reads 'à 10 €' as 'р 10 А'.
    "a euro sign in Windows-1252": "campaign_id;sent_at;name\nk1;2025-12-01;Soldes à 10 €\n".encode("cp1252"),
    # The first MiB is ASCII, and 'café' in Windows-1252 comes after it. Read whole, charset-normalizer says
    # 'cp1006' (Urdu).
    "an accent after the first MiB": ASCII_START + b"c2,2024-01-01,caf\xe9\n",
}


@pytest.mark.parametrize("data", ENCODING_CASES.values(), ids=ENCODING_CASES.keys())
def test_the_product_reads_windows_1252_that_charset_normalizer_misnames(tmp_path, data):
    path = _write(tmp_path, data)
    assert files.read(path, path.name, tmp_path).encoding == "cp1252"


def _best(data: bytes) -> str | None:
    best = charset_normalizer.from_bytes(data).best()
    return None if best is None else best.encoding


def _text(data: bytes, encoding: str | None) -> str | None:
    try:
        return None if encoding is None else data.decode(encoding)
    except UnicodeDecodeError:
        return None


@pytest.mark.parametrize("data", ENCODING_CASES.values(), ids=ENCODING_CASES.keys())
def test_charset_normalizer_still_reads_windows_1252_as_other_text(data):
    assert _text(data, _best(data)) != data.decode("cp1252"), "charset-normalizer now reads this text right"


def test_charset_normalizer_on_the_first_mib_cannot_see_a_later_accent():
    """The product reads only the first MiB of a large file, unless it is all ASCII (then the whole file, one
    streamed pass). charset-normalizer given that first MiB can only say 'ascii'."""
    assert codecs.lookup(_best(ASCII_START[: files.SAMPLE_BYTES])).name == "ascii"


CUT_CASES = {
    # A UTF-8 file cut inside 'é'. charset-normalizer says 'cp1250' and would load the half character.
    "UTF-8 cut in a character": "contact_id,order_date,category\nc1,2024-01-01,café\n".encode()[:-2],
    # A UTF-16 file with an odd number of bytes. charset-normalizer gives no answer (None).
    "UTF-16 cut in a character": "contact_id,order_date,category\nc1,2024-01-01,café\n".encode("utf-16")[:-1],
}


@pytest.mark.parametrize("data", CUT_CASES.values(), ids=CUT_CASES.keys())
def test_the_product_says_a_file_cut_in_a_character_is_cut_short(tmp_path, data):
    path = _write(tmp_path, data)
    with pytest.raises(UserError, match="cut short"):
        files.read(path, path.name, tmp_path)


@pytest.mark.parametrize("data", CUT_CASES.values(), ids=CUT_CASES.keys())
def test_charset_normalizer_still_misses_the_cut(data):
    encoding = _best(data)
    assert encoding is None or codecs.lookup(encoding).name not in ("utf-8", "utf-16"), (
        "charset-normalizer now names the Unicode encoding of a file cut short"
    )
