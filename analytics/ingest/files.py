"""Reading CSV exports as they come: archives, compression, encodings, delimiters, the header line.

DuckDB reads the rows; this module only looks at the first bytes of a file to decide how it must be read,
and, when the file is not UTF-8 (Excel's Windows-1252 in France, or UTF-16 "Unicode text"), re-encodes it to
UTF-8 on disk in one streamed pass of fixed-size blocks (never row by row, never the whole file in memory).
A file whose first megabyte is plain ASCII is checked whole, so an accented name far down the file decides
its encoding too.

It also bounds what an upload may cost: a .zip or .gz that expands past the caps (a compression bomb) is refused
from its declared sizes or while it is read, a header of more than MAX_COLUMNS columns before anything parses
it, and the Data page previews only the start of a large file (`preview`). Copies it writes are private (0o600).

The encoding, delimiter, quote and header row are decided here by hand on purpose. DuckDB's `sniff_csv` and
charset-normalizer were compared with this code on every file that the messy and hostile tests and the platform
fixtures load: 365 files (DuckDB 2.0.1, charset-normalizer 3.5.3). Neither library got every file right, so
neither replaces anything here. The docstrings of `_detect_encoding`, `_whole_file_encoding`, `_delimiter`,
`_header`, `_transcode` and `_cut_in_a_character` say which cases each library gets wrong, and
tests/test_detection_libraries.py tests one case of each.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import shutil
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analytics import formats
from analytics.errors import DISK_FULL_WORDS, DiskFull, InvalidFile, Problem, is_disk_full
from analytics.i18n import N_, _
from analytics.store.paths import open_private
from analytics.text import clip, normalise

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 1 << 20
BLOCK_BYTES = 4 << 20
# Byte order marks of the Unicode encodings Excel and Windows tools write ("Unicode text" is UTF-16 LE).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Caps on what one upload may cost before anyone presses Load (issue 13, finding 7). A real export never comes
# near them; a file built to exhaust the server does, and is refused with the reason.
# Columns: ESP exports have tens (Mailchimp audiences ~40, Klaviyo profiles with custom properties a few
# hundred); a 1,000-column file still reads in about a second, while 100,000 columns took DuckDB 4 minutes.
MAX_COLUMNS = 1000
# Expansion of a .zip or .gz: CSV exports compress 5 to 20 times; 200 times is a file of one repeated row or of
# zeros (a "zip bomb"). The ratio counts only past RATIO_FLOOR, so a small file of empty rows is never refused.
MAX_RATIO = 200
RATIO_FLOOR = 4 << 20
# The most one archive may expand to: ten times the largest upload the dashboard accepts (2 GB), beyond the
# 50-million-event exports the product is measured on. $OPTOUT_COHORTS_MAX_EXPANDED_GB changes it.
ENV_MAX_EXPANDED = "OPTOUT_COHORTS_MAX_EXPANDED_GB"
DEFAULT_MAX_EXPANDED_GB = 20.0
# The most CSV files one .zip may hold: a Mailchimp audience export has four; each file is a preview on the page.
MAX_ZIP_FILES = 100
# The Data page previews the start of a large file, cut after a whole row (about 80,000 rows of a typical
# export, a second to read); Load reads every row.
PREVIEW_BYTES = 8 << 20
# The longest file name a message shows (the file is stored under a short name of the product's own).
SHOWN_NAME_CHARS = 100
GZIP_WBITS = zlib.MAX_WBITS | 16

# DuckDB reads rows of up to 2 MB; Python's csv module, which reads the header, stops at 128 kB by default.
csv.field_size_limit(max(csv.field_size_limit(), 16 << 20))


@dataclass
class FileProblem(Problem):
    """A problem of the file as a whole or of its rows, not of one column (a row cut short, an encoding)."""

    def describe(self) -> str:
        # the message names the row, if any
        return _("the file: {message}. Fix: {fix}").format(message=self.message, fix=self.fix)


def shown_name(name: str) -> str:
    """An uploaded file's name as messages and the load log show it: its last part, control characters
    replaced, clipped (to fit a file name made from it: at most 200 bytes)."""
    base = re.split(r"[\\/]", name)[-1].encode("utf-8", "replace").decode("utf-8")
    cleaned = "".join("?" if unicodedata.category(c) == "Cc" else c for c in base).strip() or "file"
    limit = SHOWN_NAME_CHARS
    while len(clip(cleaned, limit).encode("utf-8")) > 200:
        limit -= 10
    return clip(cleaned, limit)


def stored_name(name: str) -> str:
    """A safe, short name to store an upload under, whatever its name (300 characters, '../', control
    characters): only the ending that decides how it is read is kept (.gz: compressed; a zip is told by its
    content)."""
    lower = name.lower()
    return (
        "upload.csv.gz" if lower.endswith(".gz") else "upload.zip" if lower.endswith(".zip") else "upload.csv"
    )


def private_sink(path: Path):
    """A new file only this user may read (the copies of uploads hold personal data)."""
    return open_private(path)


def max_expanded_bytes() -> int:
    """The most one compressed upload may expand to ($OPTOUT_COHORTS_MAX_EXPANDED_GB, else 20 GB)."""
    return int(float(os.environ.get(ENV_MAX_EXPANDED) or DEFAULT_MAX_EXPANDED_GB) * 1e9)


def _size(size: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{formats.number(size / scale, 1)} {unit}"
    return _("{size} bytes").format(size=formats.number(size))


def check_expansion(name: str, compressed: int, expanded: int, *, declared: bool = False) -> None:
    """Refuse a compressed file that expands past the caps (MAX_RATIO, max_expanded_bytes): from its declared
    sizes before reading it, or from the bytes read so far while it is read."""
    limit = max_expanded_bytes()
    if expanded > limit:
        says = (
            _("it declares that it expands to more than {size}, the most one compressed file may hold here")
            if declared
            else _("it expands to more than {size}, the most one compressed file may hold here")
        )
        problem = FileProblem(
            None,
            says.format(size=_size(limit)),
            _("split the export into smaller files, or raise ${variable} (now {limit})").format(
                variable=ENV_MAX_EXPANDED, limit=f"{limit / 1e9:g}"
            ),
        )
    elif expanded > RATIO_FLOOR and expanded > MAX_RATIO * max(compressed, 1):
        growth = (
            _("it declares that it expands from {compressed} to {expanded}")
            if declared
            else _("its first {compressed} expand to {expanded}")
        ).format(compressed=_size(compressed), expanded=_size(expanded))
        problem = FileProblem(
            None,
            _(
                "{growth}, over {ratio} times: real exports compress 5 to 20 times, so it was refused as a "
                "compression bomb (or a file of one repeated row) before it could fill the disk"
            ).format(growth=growth, ratio=MAX_RATIO),
            _("check that this is the export you meant; if it is, upload it uncompressed"),
        )
    else:
        return
    raise InvalidFile(name, [problem])


class _Gunzip(io.RawIOBase):
    """A .gz file's content, read in blocks, that stops with a refusal once it expands past the caps (counted
    against the compressed bytes actually consumed). Members written one after another are read as gzip does."""

    def __init__(self, path: Path, name: str):
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._name = name
        self._inflate = zlib.decompressobj(GZIP_WBITS)
        self._input = b""
        self._consumed = 0  # compressed bytes fed to the decompressor
        self._expanded = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._file.close()
        super().close()

    def readinto(self, buffer) -> int:
        while True:
            if self._inflate.eof:
                rest = self._inflate.unused_data or self._file.read(1 << 16)
                while rest and not rest.strip(b"\0"):  # padding after the last member
                    rest = self._file.read(1 << 16)
                if not rest:
                    return 0
                self._inflate = zlib.decompressobj(GZIP_WBITS)  # another member follows
                self._input = rest
            if not self._input:
                self._input = self._file.read(1 << 16)
                if not self._input:
                    raise EOFError(_("the compressed file ends before its end-of-stream marker"))
            fed = len(self._input)
            data = self._inflate.decompress(self._input, len(buffer))
            self._input = self._inflate.unconsumed_tail
            self._consumed += fed - len(self._input) - len(self._inflate.unused_data)
            if data:
                self._expanded += len(data)
                check_expansion(self._name, self._consumed, self._expanded)
                buffer[: len(data)] = data
                return len(data)


def disk_full(what: str, error: BaseException, restart: bool = False) -> DiskFull:
    """The message of a batch that found no room on the disk. restart: the database refuses any statement
    since (DuckDB invalidates it when a checkpoint fails), so the program must open it again."""
    reason = error.strerror if isinstance(error, OSError) and error.strerror else _first_words(error)
    again = (
        _(
            " The data on disk is intact, but a program that keeps the database open (the dashboard) must be "
            "restarted before it can use it again."
        )
        if restart
        else ""
    )
    return DiskFull(
        _(
            "{what} could not be loaded: the disk is full — a file could not be written ({reason}). Nothing of "
            "this batch was loaded; the data loaded before is unchanged. Free some disk space (or raise the "
            "file-size limit), then load the same files again.{again}"
        ).format(what=what, reason=reason, again=again)
    )


def _first_words(error: BaseException) -> str:
    text = str(error).split("\n")[0]
    for words in DISK_FULL_WORDS:
        if words in text:
            return words
    return clip(text, 160)


@dataclass
class CsvFile:
    """An input file as DuckDB must read it: where, what it is called, delimiter, header, compression."""

    path: Path  # the file DuckDB reads (a UTF-8 copy when the original was not UTF-8)
    display_name: str  # the name the user knows
    original: Path  # the file as uploaded (for its content hash)
    encoding: str  # of the original: utf-8, cp1252, latin-1 or utf-16
    delimiter: str
    header: list[str]  # as written in the file
    columns: list[str]  # normalised: trimmed, lower case, spaces and punctuation to underscores

    @property
    def compression(self) -> str:
        return "gzip" if self.path.name.lower().endswith(".gz") else "none"


def _open(path: Path, name: str | None = None):
    """The file's bytes (a .gz's expanded, within the caps: `name` is the file the refusal names)."""
    if path.name.lower().endswith(".gz"):
        return io.BufferedReader(_Gunzip(path, name or path.name), BLOCK_BYTES)
    return open(path, "rb")


def _unreadable(name: str, error: BaseException) -> InvalidFile:
    return InvalidFile(
        name,
        [
            FileProblem(
                None,
                _(
                    "the file cannot be read whole ({reason}): it may be cut short or not be what its name says"
                ).format(reason=clip(_first_words(error), 120)),
                _("export it again (a .gz must be gzip-compressed, a .zip a zip archive)"),
            )
        ],
    )


def _zip_problem(message: str, fix: str) -> list[FileProblem]:
    return [FileProblem(None, message, fix)]


def _csv_members(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    """The archive's CSV files, refused when there are none or too many, or when their declared sizes already
    break the expansion caps (nothing is extracted then)."""
    members = [
        m
        for m in archive.infolist()
        if not m.is_dir()
        and m.filename.lower().endswith(".csv")
        and not Path(m.filename).name.startswith((".", "__MACOSX"))
    ]
    if not members:
        raise InvalidFile(
            name,
            _zip_problem(
                _("the zip archive holds no .csv file"),
                _("put the CSV exports in the archive, or upload them directly"),
            ),
        )
    if len(members) > MAX_ZIP_FILES:
        raise InvalidFile(
            name,
            _zip_problem(
                _(
                    "the zip archive holds {count} CSV files; the product reads at most {most} from one archive"
                ).format(count=formats.number(len(members)), most=MAX_ZIP_FILES),
                _("upload the exports in several archives, or only the files you need"),
            ),
        )
    check_expansion(
        name, sum(m.compress_size for m in members), sum(m.file_size for m in members), declared=True
    )
    for member in members:
        check_expansion(name, member.compress_size, member.file_size, declared=True)
    return members


def expand(paths: list[Path], names: list[str], folder: Path) -> Iterator[tuple[Path, str]]:
    """Each file as (path, display name); the CSV files inside a .zip are extracted to `folder` first, each under
    a short name of its own (memberN.csv), within the expansion caps: its declared sizes are checked before, and
    the bytes actually written while extracting. A refused archive leaves nothing extracted."""
    for path, name in zip(paths, names, strict=True):
        if path.name.lower().endswith(".gz") or not zipfile.is_zipfile(path) or is_workbook(path):
            yield path, name  # a workbook is refused by read(), which says what it is
            continue
        extracted = []
        try:
            with zipfile.ZipFile(path) as archive:
                members = _csv_members(archive, name)
                compressed = expanded = 0
                for index, member in enumerate(members):
                    target = folder / f"member{index}.csv"
                    extracted.append((target, f"{name}/{shown_name(member.filename)}"))
                    compressed += member.compress_size
                    with archive.open(member) as source, private_sink(target) as sink:
                        for block in iter(lambda s=source: s.read(BLOCK_BYTES), b""):
                            expanded += len(block)
                            check_expansion(name, compressed, expanded)
                            sink.write(block)
        except BaseException as error:
            for target, _shown in extracted:
                target.unlink(missing_ok=True)
            if isinstance(error, OSError):
                if is_disk_full(error):
                    raise disk_full(name, error) from None
                raise _unreadable(name, error) from None
            if isinstance(
                error, (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError)
            ):
                # RuntimeError: an encrypted member; NotImplementedError: a compression method zipfile lacks
                raise _unreadable(name, error) from None
            raise
        yield from extracted


def _detect_encoding(sample: bytes) -> str:
    """utf-16/32 when the file starts with their byte order mark; utf-8 when the sample decodes as UTF-8 (a
    character cut at the end of the sample is fine), else Windows-1252 (Excel in France), else Latin-1 (which
    decodes any byte).

    Not charset-normalizer. `from_bytes(...).best()` named a different encoding than this code for 83 of the
    365 test files, and read 78 of them as different text. It named none of the 60 Windows-1252 files
    'cp1252', and read 56 of them as different text:
    - It calls the Excel FR fixture (brevo_contacts/export-cp1252.csv) 'cp775'.
    - It calls 'Hélène;Orléans' 'cp1250', which reads 'Hélčne'.
    - It calls 'Soldes à 10 €' 'cp1125', which reads 'Soldes р 10 А'.
    - It calls the hostile tests' files 'mac_latin2', 'cp850', 'iso8859_16' and more, or None.
    It also called 7 valid UTF-8 files 'cp1250', 'cp949', 'gb18030' or 'iso8859_11'. It gave no answer (None)
    for the 4 Latin-1 files. On a 120 MB Excel FR file it still said 'cp775', and took 0.07 s on the
    first MiB and 17 s on the whole file. This code takes under 0.01 s."""
    for bom, encoding in BOMS:
        if sample.startswith(bom):
            return encoding
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _whole_file_encoding(path: Path, name: str) -> str:
    """The encoding of a file whose first megabyte is ASCII: its later bytes decide (one streamed pass, two
    when they are not UTF-8).

    Not charset-normalizer. Given the first MiB, it can only say 'ascii'. Given the whole file (1 MiB of ASCII,
    then 'café' in Windows-1252), it says 'cp1006', and it holds the whole file in memory. This pass reads
    blocks and took 0.02 s on a 120 MB ASCII file."""
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with _open(path, name) as raw:
                for block in iter(lambda: raw.read(BLOCK_BYTES), b""):
                    if encoding == "utf-8" and block.isascii():
                        continue
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _transcode(source: Path, encoding: str, target: Path, name: str) -> None:
    """Write the file as UTF-8, in blocks. DuckDB cannot read Excel FR's Windows-1252 itself. Its read_csv has
    no 'cp1252' without the encodings extension, which must be downloaded. Its 'latin-1' refuses the bytes
    0x80-0x9F, so it refuses the € sign ('File is not latin-1 encoded'). It reads UTF-16 only when told
    encoding='utf-16', and sniff_csv does not detect UTF-16."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with _open(source, name) as raw, private_sink(target) as sink:
        for block in iter(lambda: raw.read(BLOCK_BYTES), b""):
            sink.write(decoder.decode(block).encode("utf-8"))
        sink.write(decoder.decode(b"", final=True).encode("utf-8"))


def _drain(path: Path, name: str) -> None:
    """Read a .gz whole, so that one expanding past the caps is refused before DuckDB reads it."""
    with _open(path, name) as raw:
        while raw.read(BLOCK_BYTES):
            pass


def _first_record_delimiters(text: str) -> tuple[dict[str, int], int]:
    """How often each delimiter occurs in the first record outside quoted fields (a quoted header name may hold
    a ';' or a line break), and where the record ends. A quote opens a quoted field only at the start of a
    field — after any of the delimiters — as a reader sees it; elsewhere (0") it is a character like the
    others."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted, at_start, i = False, True, 0
    while i < len(text):
        char = text[i]
        if quoted:
            if char == '"':
                if text[i + 1 : i + 2] == '"':
                    i += 1
                else:
                    quoted = False
        elif char == '"' and at_start:
            quoted = True
        elif char in "\r\n":
            break
        elif char in counts:
            counts[char] += 1
        at_start = not quoted and char in counts
        i += 1
    return counts, i


def _consistent_rows(rows: str, delimiter: str, width: int, most: int = 20) -> int:
    """How many of the first rows (the text after the header) have `width` fields split on this delimiter."""
    reader = csv.reader(io.StringIO(rows, newline=""), delimiter=delimiter)
    matching = 0
    try:
        for number, record in enumerate(reader):
            if number >= most:
                break
            matching += len(record) == width
    except csv.Error:
        pass
    return matching


def _known_names(text: str, delimiter: str) -> int:
    """How many names of the header split on this delimiter are columns of a canonical table."""
    from analytics.tables import TABLES

    known = {c for table in TABLES.values() for c in table.column_names}
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return 0
    return sum(normalise(name) in known for name in header)


def _delimiter(text: str) -> str:
    """The delimiter: one the header holds (outside quotes), then the one that splits the next rows into as
    many fields as the header, then the one that splits the header into the most canonical column names, then
    the most frequent in the header; ties keep the first (the comma). So a header name holding a ';' ('a;b',
    quoted or not) does not turn a comma file into a ';' file.

    Not DuckDB's sniff_csv. In the comparison, a single row that does not split like the others made it drop the
    header's delimiter. On the UTF-8 text of the 360 test files that are not empty, it chose a different
    delimiter for 22 and raised for 24:
    - It says ',' (or '|') and takes the whole ';' header of a French export as one column name
      ('contact_id;order_date;category'). This happens when the last row is cut short (an interrupted
      download), when one row lacks a field, or when the file starts with a BOM and a quoted name ending with
      the delimiter ('"note;";...').
    - When the file is cut inside a quoted value, it finds no quote character, and keeps the quotes in the
      names ('"contact_id"'). The product always reads with quote and escape '"'.
    - It raises 'Error when sniffing file' when a header name holds a line break (Excel's Alt+Enter in a CRLF
      file, a CR in a LF file) or when a CRLF file holds a lone CR. It raises 'CSV Error on Line: 1' when a
      row is longer than 2 MB.
    - Given the original bytes, it raises on Windows-1252 and on UTF-16 (see `_transcode`).
    The product's delimiter is right in all these cases. DuckDB reports the row that does not fit, with the
    row's number."""
    counts, end = _first_record_delimiters(text)
    rows = text[end:].lstrip("\r\n")
    return max(
        DELIMITERS,
        key=lambda d: (
            counts[d] > 0,
            _consistent_rows(rows, d, counts[d] + 1) if counts[d] else 0,
            _known_names(text, d) if counts[d] else 0,
            counts[d],
        ),
    )


def _cut_in_a_character(path: Path, sample: bytes) -> bool:
    """True when a UTF-8 file ends in the middle of a multi-byte character (a download cut short).

    Neither library sees this. charset-normalizer calls such a file 'cp1250' or 'cp932', and a UTF-16 file
    with an odd number of bytes None. sniff_csv raises 'CSV Error on Line: N' without saying why."""
    if len(sample) < SAMPLE_BYTES:
        tail = sample[-4:]
    elif path.name.lower().endswith(".gz"):
        return False  # DuckDB reports it as a row that is not UTF-8
    else:
        with open(path, "rb") as raw:
            raw.seek(max(0, path.stat().st_size - 4))
            tail = raw.read()
    for back in range(1, len(tail) + 1):
        byte = tail[-back]
        if byte < 0x80:
            return False
        if byte >= 0xC0:  # the lead byte of the last character: does the file hold all its bytes?
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return back < needed
    return False


def _cut_short(name: str) -> InvalidFile:
    return InvalidFile(
        name,
        [
            FileProblem(
                None,
                _(
                    "the file ends in the middle of a character, so it was cut short (an interrupted download or "
                    "copy)"
                ),
                _("export or download it again"),
            )
        ],
    )


def looks_like_data(name: str) -> bool:
    """A header field that is a value, not a column name: an email address, a number, a date, a phone number.
    A file whose first row holds one has lost its header (or never had one)."""
    return "@" in name or re.fullmatch(r"\s*\+?[0-9][0-9\s.,:/+()-]*", name) is not None


def _header_as_data(name: str) -> InvalidFile:
    return InvalidFile(
        name,
        [
            FileProblem(
                None,
                _(
                    "its first row looks like data (an email address, a number or a date), not column names: the "
                    "header row is missing"
                ),
                _(
                    "add a first row with the column names (contact_id, collected_at… or the names your platform "
                    "writes) and load the file again"
                ),
            )
        ],
    )


# The first bytes of files that are not text: what they are, in the user's words.
NOT_TEXT = (
    (b"%PDF", N_("a PDF document")),
    (b"\xd0\xcf\x11\xe0", N_("an Excel 97–2003 workbook (.xls)")),
    (b"\x89PNG", N_("a PNG image")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
    (b"GIF8", N_("a GIF image")),
    (b"{\\rtf", N_("an RTF document")),
)


def _too_many_columns(name: str, count: int, whole: bool) -> InvalidFile:
    return InvalidFile(
        name,
        [
            FileProblem(
                None,
                (
                    _("its header has {count} columns; the product reads at most {most} (an export has tens)")
                    if whole
                    else _(
                        "its header has {count} columns or more; the product reads at most {most} (an export has "
                        "tens)"
                    )
                ).format(count=formats.number(count), most=formats.number(MAX_COLUMNS)),
                _(
                    "check that this is the right file; if it is, remove the columns you do not need and upload "
                    "it again"
                ),
            )
        ],
    )


def _not_csv(name: str, what: str) -> InvalidFile:
    return InvalidFile(
        name,
        [
            FileProblem(
                None,
                _("it is {what}, not a CSV file").format(what=_(what)),
                _(
                    "export the data as CSV from your platform or spreadsheet (File › Save as › CSV) and upload that "
                    "file"
                ),
            )
        ],
    )


def is_workbook(path: Path) -> bool:
    """An .xlsx/.ods file is a zip archive: tell it from a zip of CSV exports."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    return "[Content_Types].xml" in names or "mimetype" in names or any(n.startswith("xl/") for n in names)


def _header(text: str, delimiter: str, name: str) -> list[str]:
    """The first record, as written: the product always reads the first row as the header, and refuses a file
    whose first row looks like data (`looks_like_data`).

    Not sniff_csv's HasHeader and Columns. It decides there is no header (column0, column1...) when one row
    has a field too many, or when a header-only file ends with a delimiter. It trims names, calls an empty one
    'column2' and renames a repeated one to 'contact_id_1'. The product must keep a repeated name, so that it
    can refuse the file and name that column."""
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error as error:  # e.g. a header field longer than the csv module's limit
        raise InvalidFile(
            name,
            [
                FileProblem(
                    None,
                    _("its first row, the header, cannot be read ({reason})").format(
                        reason=clip(str(error), 80)
                    ),
                    _("check that the first row holds the column names, separated by , ; tab or |"),
                )
            ],
        ) from None


def read(path: Path, display_name: str, folder: Path) -> CsvFile:
    """Read the first bytes of a file and decide how DuckDB must read it (re-encoding it when needed)."""
    try:
        with _open(path, display_name) as raw:
            sample = raw.read(SAMPLE_BYTES)
    except (OSError, EOFError, zlib.error) as error:
        raise _unreadable(display_name, error) from None
    if not sample.strip(b"\xef\xbb\xbf \r\n\t"):
        raise InvalidFile(
            display_name,
            [FileProblem(None, _("the file is empty"), _("export it again with its header row"))],
        )
    for magic, what in NOT_TEXT:
        if sample.startswith(magic):
            raise _not_csv(display_name, what)
    if sample.startswith(b"PK\x03\x04"):
        raise _not_csv(
            display_name,
            N_("an Excel or OpenDocument workbook") if is_workbook(path) else N_("a zip archive"),
        )
    encoding = _detect_encoding(sample)
    try:
        # One whole pass of a large .gz checks its expansion (re-encoding it is one, too).
        if encoding == "utf-8" and sample.isascii() and len(sample) == SAMPLE_BYTES:
            encoding = _whole_file_encoding(path, display_name)
        elif encoding == "utf-8" and len(sample) == SAMPLE_BYTES and path.name.lower().endswith(".gz"):
            _drain(path, display_name)
    except (OSError, EOFError, zlib.error) as error:
        raise _unreadable(display_name, error) from None
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample).lstrip("\ufeff")
    if not text.strip(" \r\n\t\x00"):
        raise InvalidFile(
            display_name,
            [FileProblem(None, _("the file is empty"), _("export it again with its header row"))],
        )
    counts, end = _first_record_delimiters(text)
    if max(counts.values()) >= MAX_COLUMNS:  # before anything parses the header
        raise _too_many_columns(display_name, max(counts.values()) + 1, end < len(text))
    if encoding == "utf-8" and _cut_in_a_character(path, sample):
        raise _cut_short(display_name)
    delimiter = _delimiter(text)
    header = _header(text, delimiter, display_name)
    if any(looks_like_data(field) for field in header):
        raise _header_as_data(display_name)
    readable = path
    if encoding != "utf-8":
        readable = folder / f"utf8_{abs(hash((str(path), display_name)))}.csv"
        try:
            _transcode(path, encoding, readable, display_name)
        except OSError as error:
            if is_disk_full(error):
                raise disk_full(display_name, error) from None
            raise _unreadable(display_name, error) from None
        except (EOFError, zlib.error) as error:
            raise _unreadable(display_name, error) from None
        except UnicodeDecodeError:  # only the end can be undecodable: a UTF-16 file with an odd byte count
            raise _cut_short(display_name) from None
    broken_line = any("\r" in name or "\n" in name for name in header)
    quoted_after_bom = sample.startswith(codecs.BOM_UTF8 + b'"')
    if broken_line or quoted_after_bom:
        # DuckDB reads no row at all, silently, when (1) a column name holds a line break other than the file's
        # (Excel's Alt+Enter: a LF in a CRLF file) — it settles the line ending from the first one it meets,
        # quoted or not — or (2) the file starts with a byte order mark and a quoted name ending with the
        # delimiter ("a;";...). Such a file is read from a copy whose header line has neither. sniff_csv is no
        # help here: it raises on (1), and on (2) it takes the whole line for one name (see `_delimiter`).
        target = folder / f"header_{abs(hash((str(path), display_name)))}.csv"
        try:
            _rewrite_header(readable, delimiter, header, target, display_name)
        except OSError as error:
            if is_disk_full(error):
                raise disk_full(display_name, error) from None
            raise _unreadable(display_name, error) from None
        except (EOFError, zlib.error) as error:
            raise _unreadable(display_name, error) from None
        readable = target
    return CsvFile(readable, display_name, path, encoding, delimiter, header, [normalise(h) for h in header])


def preview(path: Path, display_name: str, folder: Path) -> tuple[Path, bool]:
    """The file the Data page's preview reads, and whether it is only the start: a file longer than
    PREVIEW_BYTES (expanded) is cut after its last whole row within them and copied to `folder`, so a large
    export — or a small .gz of a billion rows — is previewed in a second; Load reads it whole. The expansion
    caps apply while the start is read."""
    if not path.name.lower().endswith(".gz") and path.stat().st_size <= PREVIEW_BYTES:
        return path, False
    try:
        with _open(path, display_name) as raw:
            start = raw.read(PREVIEW_BYTES + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise _unreadable(display_name, error) from None
    cut = _last_record_end(start[:PREVIEW_BYTES]) if len(start) > PREVIEW_BYTES else 0
    if not cut:  # small enough, or no whole row within the limit: read whole, as Load does
        return path, False
    target = folder / "preview.csv"
    try:
        with private_sink(target) as sink:
            sink.write(start[:cut])
    except OSError as error:
        if is_disk_full(error):
            raise disk_full(display_name, error) from None
        raise
    return target, True


# The byte order marks of the preview's Unicode files, with the codec that reads what follows them.
PLAIN_CODECS = {
    codecs.BOM_UTF32_LE: "utf-32-le",
    codecs.BOM_UTF32_BE: "utf-32-be",
    codecs.BOM_UTF16_LE: "utf-16-le",
    codecs.BOM_UTF16_BE: "utf-16-be",
}


def _last_record_end(start: bytes) -> int:
    """Where the last whole record of the start of a file ends (the offset after its line break), 0 when none
    does. UTF-16/32 text is cut as text; other encodings as bytes (a line break or a quote is one byte)."""
    for bom, codec in PLAIN_CODECS.items():  # UTF-32 LE first: its mark starts with UTF-16 LE's
        if start.startswith(bom):
            try:
                text = codecs.getincrementaldecoder(codec)().decode(start[len(bom) :])
            except UnicodeDecodeError:
                return 0
            end = _after_last_row(text, "\n", '"')
            return len(bom) + len(text[:end].encode(codec)) if end else 0
    return _after_last_row(start, b"\n", b'"')


def _after_last_row(data, newline, quote) -> int:
    """The offset after the last line break of `data` (str or bytes) outside a quoted field — with an even
    number of quotes before it — or 0."""
    end = position = quotes = 0
    while (found := data.find(newline, position)) >= 0:
        quotes += data.count(quote, position, found)
        position = found + len(newline)
        if quotes % 2 == 0:
            end = position
    return end


def _header_end(start: bytes, delimiter: str) -> tuple[int, bytes] | None:
    """Where the header record of UTF-8 bytes ends (the offset after its line break) and that line break, read
    as a CSV reader does: a quote opens a quoted field only at the start of a field, "" is a quote."""
    separator, quoted, at_start = delimiter.encode(), False, True
    i = len(codecs.BOM_UTF8) if start.startswith(codecs.BOM_UTF8) else 0
    while i < len(start):
        byte = start[i : i + 1]
        if quoted:
            if byte == b'"':
                if start[i + 1 : i + 2] == b'"':
                    i += 1
                else:
                    quoted = False
        elif byte == b'"' and at_start:
            quoted = True
        elif byte in (b"\r", b"\n"):
            end = b"\r\n" if start[i : i + 2] == b"\r\n" else byte
            return i + len(end), end
        at_start = byte == separator
        i += 1
    return None


def _rewrite_header(source: Path, delimiter: str, header: list[str], target: Path, name: str) -> None:
    """Copy the file with a plain header line (c0,c1,…: no BOM, no quote, no line break), in one streamed
    pass; the product has read the real names already."""
    with _open(source, name) as raw:
        start = raw.read(SAMPLE_BYTES)
        found = _header_end(start, delimiter)
        end, newline = found if found is not None else (len(start), b"\n")
        line = delimiter.join(f"c{i}" for i in range(len(header)))  # DuckDB skips it; only its fields count
        with private_sink(target) as sink:
            sink.write(line.encode("utf-8") + newline)
            sink.write(start[end:])
            shutil.copyfileobj(raw, sink, BLOCK_BYTES)


def blank_rows(file: CsvFile) -> list[int]:
    """The spreadsheet row numbers (the header is row 1) of the empty lines between rows, which DuckDB's
    reader skips without counting. A quick byte scan settles the usual case (none, or only at the end); only
    a file with an empty line before its last row is parsed to find them."""
    if len(file.columns) < 2:  # a one-column file reads an empty line as a row with an empty value
        return []
    first_gap, last_content, offset, carry = None, -1, 0, b""
    with _open(file.path, file.display_name) as raw:
        for block in iter(lambda: raw.read(BLOCK_BYTES), b""):
            window = carry + block
            start = offset - len(carry)
            if first_gap is None:
                found = [
                    i for i in (window.find(b"\n\n"), window.find(b"\n\r\n"), window.find(b"\r\r")) if i >= 0
                ]
                if found:
                    first_gap = start + min(found)
            stripped = block.rstrip(b"\r\n")
            if stripped:
                last_content = offset + len(stripped) - 1
            carry = window[-2:]
            offset += len(block)
    if first_gap is None or last_content <= first_gap + 1:
        return []
    blanks = []
    with _open(file.path, file.display_name) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
        reader = csv.reader(text, delimiter=file.delimiter)
        try:
            for number, record in enumerate(reader, start=1):
                if not record and number > 1:
                    blanks.append(number)
        except csv.Error:
            pass  # DuckDB reports the row it cannot read; the numbers before it are right
    return blanks
