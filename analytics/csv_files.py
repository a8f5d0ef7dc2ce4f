"""Reading CSV exports as they come: archives, compression, encodings, delimiters, the header line.

DuckDB reads the rows; this module only looks at the first bytes of a file to decide how it must be read,
and, when the file is not UTF-8 (Excel's Windows-1252 in France), re-encodes it to UTF-8 on disk in one
streamed pass of fixed-size blocks (never row by row, never the whole file in memory).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analytics.errors import InvalidFile, Problem

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 1 << 20
BLOCK_BYTES = 4 << 20


@dataclass
class CsvFile:
    """An input file as DuckDB must read it: where, what it is called, delimiter, header, compression."""

    path: Path  # the file DuckDB reads (a UTF-8 copy when the original was not UTF-8)
    display_name: str  # the name the user knows
    original: Path  # the file as uploaded (for its content hash)
    encoding: str  # of the original: utf-8, cp1252 or latin-1
    delimiter: str
    header: list[str]  # as written in the file
    columns: list[str]  # normalised: trimmed, lower case, spaces and punctuation to underscores

    @property
    def compression(self) -> str:
        return "gzip" if self.path.name.lower().endswith(".gz") else "none"


def normalise(name: str) -> str:
    """A header name as the product compares it: 'Email Address' → email_address, 'DOUBLE_OPT-IN' →
    double_opt_in."""
    cleaned = name.replace("\ufeff", "").strip().strip('"').lower()
    out, last = [], "_"
    for char in cleaned:
        if char.isalnum():
            out.append(char)
            last = char
        elif last != "_":
            out.append("_")
            last = "_"
    return "".join(out).strip("_")


def _open(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def expand(paths: list[Path], names: list[str], folder: Path) -> Iterator[tuple[Path, str]]:
    """Each file as (path, display name); the CSV files inside a .zip are extracted to `folder` first."""
    for path, name in zip(paths, names, strict=True):
        if not zipfile.is_zipfile(path) or path.name.lower().endswith((".csv", ".gz")):
            yield path, name
            continue
        with zipfile.ZipFile(path) as archive:
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
                    [
                        Problem(
                            None,
                            "the zip archive holds no .csv file",
                            "put the CSV exports in the archive, or upload them directly",
                        )
                    ],
                )
            for index, member in enumerate(members):
                target = folder / f"zip{index}_{Path(member.filename).name}"
                with archive.open(member) as source, open(target, "wb") as sink:
                    shutil.copyfileobj(source, sink, BLOCK_BYTES)
                yield target, f"{name}/{Path(member.filename).name}"


def _detect_encoding(sample: bytes) -> str:
    """utf-8 when the sample decodes as UTF-8 (a character cut at the end of the sample is fine), else
    Windows-1252 (Excel in France), else Latin-1 (which decodes any byte)."""
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


def _transcode(source: Path, encoding: str, target: Path) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    with _open(source) as raw, open(target, "w", encoding="utf-8", newline="") as sink:
        for block in iter(lambda: raw.read(BLOCK_BYTES), b""):
            sink.write(decoder.decode(block))
        sink.write(decoder.decode(b"", final=True))


def read(path: Path, display_name: str, folder: Path) -> CsvFile:
    """Read the first bytes of a file and decide how DuckDB must read it (re-encoding it when needed)."""
    try:
        with _open(path) as raw:
            sample = raw.read(SAMPLE_BYTES)
    except (OSError, EOFError) as error:
        raise InvalidFile(
            display_name, [Problem(None, f"the file cannot be read ({error})", "export it again")]
        ) from None
    if not sample.strip(b"\xef\xbb\xbf \r\n\t"):
        raise InvalidFile(
            display_name, [Problem(None, "the file is empty", "export it again with its header row")]
        )
    encoding = _detect_encoding(sample)
    text = sample.decode(encoding, errors="ignore").lstrip("\ufeff")
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = max(DELIMITERS, key=first_line.count)  # ties keep the first: the comma
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    readable = path
    if encoding != "utf-8":
        readable = folder / f"utf8_{abs(hash((str(path), display_name)))}.csv"
        _transcode(path, encoding, readable)
    return CsvFile(readable, display_name, path, encoding, delimiter, header, [normalise(h) for h in header])
