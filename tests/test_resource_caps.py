"""No upload exhausts the server before anyone presses Load (issue 13, finding 7): a compression bomb (.zip or
.gz) is refused from its declared sizes or as soon as it expands past the caps, a large file is previewed from
its start, a file of 100,000 columns is refused before anything parses it — each said plainly, and fast."""

from __future__ import annotations

import gzip
import time
import zipfile
from pathlib import Path

import pytest

from analytics import ingest, store
from analytics.errors import InvalidFile
from analytics.ingest import files as csv_files

ORDERS_HEADER = b"contact_id,order_date\n"
BOMB = "over 200 times: real exports compress 5 to 20 times, so it was refused as a compression bomb"


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv(store.ENV_WORK_DIR, str(tmp_path / "work"))
    con = store.connect(tmp_path / "brand.duckdb", readable=[tmp_path])
    yield con
    con.close()


def timed(action):
    started = time.monotonic()
    result = action()
    return result, time.monotonic() - started


def refusal(action) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(InvalidFile) as refused:
        action()
    return str(refused.value), time.monotonic() - started


def loaded_rows(con) -> int:
    return con.execute("select count(*) from load_log").fetchone()[0]


def orders(count: int, start: int = 0) -> bytes:
    """Rows of an orders export, each different (they compress as real exports do, 5 to 10 times)."""
    return b"".join(
        b"c%d@example.com,2024-%02d-%02d\n" % (i * 7919, 1 + i % 12, 1 + i % 28)
        for i in range(start, start + count)
    )


# --- zip ------------------------------------------------------------------------------------------------------


def zipped(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_a_zip_bomb_is_refused_from_its_declared_sizes_before_anything_is_extracted(tmp_path):
    # 64 MiB of zeros in a 64 kB archive (the same trick makes 1 GiB from 3 MB).
    path = zipped(tmp_path, {"contacts.csv": ORDERS_HEADER + bytes(64 << 20)})
    (tmp_path / "out").mkdir()
    message, seconds = refusal(lambda: list(csv_files.expand([path], ["export.zip"], tmp_path / "out")))
    assert "export.zip was not loaded" in message and "it declares that it expands from" in message
    assert BOMB in message and "upload it uncompressed" in message
    assert seconds < 1 and list((tmp_path / "out").iterdir()) == []


def test_a_zip_that_understates_its_size_is_not_expanded_past_it(tmp_path):
    # The archive says 1,000 bytes; its data holds 64 MiB: extraction stops at what it declared.
    path = zipped(tmp_path, {"contacts.csv": ORDERS_HEADER + bytes(64 << 20)})
    data = bytearray(path.read_bytes())
    true_size = (len(ORDERS_HEADER) + (64 << 20)).to_bytes(4, "little")
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, central directory
        at = data.index(signature) + offset
        assert data[at : at + 4] == true_size
        data[at : at + 4] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    (tmp_path / "out").mkdir()
    message, seconds = refusal(lambda: list(csv_files.expand([path], ["export.zip"], tmp_path / "out")))
    assert "export.zip was not loaded" in message and "cannot be read whole" in message
    assert seconds < 1 and list((tmp_path / "out").iterdir()) == []


def test_a_zip_over_the_size_cap_is_refused_and_the_cap_can_be_raised(tmp_path, monkeypatch):
    rows = ORDERS_HEADER + orders(300_000)  # 10 MB of real rows, 7 times smaller zipped
    path = zipped(tmp_path, {"orders.csv": rows})
    (tmp_path / "out").mkdir()
    monkeypatch.setenv(csv_files.ENV_MAX_EXPANDED, "0.005")
    message, _ = refusal(lambda: list(csv_files.expand([path], ["export.zip"], tmp_path / "out")))
    assert "declares that it expands to more than 5.0 MB" in message
    assert f"raise ${csv_files.ENV_MAX_EXPANDED} (now 0.005)" in message
    monkeypatch.setenv(csv_files.ENV_MAX_EXPANDED, "0.02")
    [(member, name)] = csv_files.expand([path], ["export.zip"], tmp_path / "out")
    assert member.read_bytes() == rows and name == "export.zip/orders.csv"


def test_a_zip_of_thousands_of_files_is_refused(tmp_path):
    path = zipped(tmp_path, {f"part{i}.csv": ORDERS_HEADER for i in range(csv_files.MAX_ZIP_FILES + 1)})
    message, _ = refusal(lambda: list(csv_files.expand([path], ["export.zip"], tmp_path)))
    assert "holds 101 CSV files; the product reads at most 100 from one archive" in message


# --- gz -------------------------------------------------------------------------------------------------------


def gz_bomb(path: Path, header: bytes, size: int = 256 << 20) -> Path:
    """`size` bytes of one repeated row, as gzip members written one after another (how a bomb is built fast)."""
    block = b"c1@example.com,2024-01-01\n" * (1 << 17)
    member = gzip.compress(block, 9)
    with open(path, "wb") as sink:
        sink.write(gzip.compress(header))
        for _ in range(size // len(block)):
            sink.write(member)
    return path


@pytest.mark.parametrize("header", [ORDERS_HEADER, "contact_id,order_date,catégorie\n".encode()])
def test_a_gz_bomb_is_refused_by_the_preview_and_by_load_in_a_moment(tmp_path, db, header):
    # An accented header is not ASCII: no encoding pass reads that file whole, so Load reads it once to check.
    path = gz_bomb(tmp_path / "orders.csv.gz", header)
    inspection, seconds = timed(lambda: ingest.inspect(db, path, "orders.csv.gz"))
    assert not inspection.ok and BOMB in inspection.message and "its first" in inspection.message
    assert seconds < 2
    message, seconds = refusal(lambda: ingest.ingest_files(db, [path]))
    assert "orders.csv.gz was not loaded" in message and BOMB in message
    assert seconds < 2 and loaded_rows(db) == 0


def test_a_large_gz_is_previewed_from_its_first_rows_and_loaded_whole(tmp_path, db):
    total = 1_500_000
    rows = orders(total)
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(ORDERS_HEADER + rows, 1))  # 45 MB of rows, 8 MB compressed
    inspection, seconds = timed(lambda: ingest.inspect(db, path, "orders.csv.gz"))
    assert inspection.ok and inspection.sampled and not inspection.problems
    whole = (ORDERS_HEADER + rows)[: csv_files.PREVIEW_BYTES].count(b"\n") - 1
    assert inspection.rows == whole < total  # the whole rows of the first 8 MiB, no more
    assert seconds < 5
    [result] = ingest.ingest_files(db, [path])
    assert result.rows_in_file == total


def test_a_small_file_is_previewed_whole(tmp_path, db):
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(ORDERS_HEADER + orders(1000)))
    inspection = ingest.inspect(db, path)
    assert inspection.ok and not inspection.sampled and inspection.rows == 1000


def test_the_preview_cuts_after_a_whole_row_never_inside_a_quoted_value(tmp_path, db):
    # Every row holds a quoted note with a line break and a doubled quote: the cut falls between rows.
    header = b"contact_id,order_date,note\n"
    rows = [b'c%d@example.com,2024-01-02,"line one\nsaid ""yes"", line two"\n' % i for i in range(150_000)]
    path = tmp_path / "orders.csv"
    path.write_bytes(header + b"".join(rows))
    size, whole = len(header), 0
    while size + len(rows[whole]) <= csv_files.PREVIEW_BYTES:
        size += len(rows[whole])
        whole += 1
    inspection = ingest.inspect(db, path)
    assert inspection.ok and inspection.sampled and not inspection.problems
    assert inspection.rows == whole < len(rows)


def test_a_large_utf16_file_is_previewed_from_its_start(tmp_path, db):
    # Excel's "Unicode text": UTF-16 with a byte order mark, tab-delimited.
    text = "contact_id\torder_date\tville\n" + "".join(
        f"c{i}@example.fr\t2024-01-02\tÉvry\n" for i in range(200_000)
    )
    path = tmp_path / "orders.csv"
    path.write_bytes(text.encode("utf-16"))
    inspection = ingest.inspect(db, path)
    assert inspection.ok and inspection.sampled and inspection.encoding == "utf-16"
    assert 100_000 < inspection.rows < 200_000 and not inspection.problems


def test_the_guarded_gz_reader_reads_what_gzip_reads(tmp_path, db):
    # Members written one after another (how `cat a.gz b.gz` and some exporters write).
    first, second = ORDERS_HEADER + orders(1000), orders(1000, start=1000)
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(first) + gzip.compress(second))
    with csv_files._open(path) as raw:
        assert raw.read() == gzip.decompress(path.read_bytes()) == first + second
    [result] = ingest.ingest_files(db, [path])
    assert result.rows_in_file == 2000
    # Cut short: the preview reads its start only; Load reads it whole and refuses it.
    path.write_bytes(gzip.compress(ORDERS_HEADER + orders(400_000))[:-50_000])
    assert ingest.inspect(db, path, "orders.csv.gz").sampled
    message, _ = refusal(lambda: ingest.ingest_files(db, [path], display_names=["orders.csv.gz"]))
    assert "orders.csv.gz was not loaded" in message and "cut short" in message
    assert loaded_rows(db) == 1


# --- columns --------------------------------------------------------------------------------------------------


def wide(columns: int, rows: int = 2) -> bytes:
    header = ["contact_id", "collection_source", "consent", "collected_at"] + [
        f"x{i}" for i in range(columns - 4)
    ]
    row = ["c1", "boutique", "none", "2026-01-05"] + ["v"] * (columns - 4)
    return (",".join(header) + "\n" + (",".join(row) + "\n") * rows).encode()


def test_a_file_of_100000_columns_is_refused_at_once_and_plainly(tmp_path, db):
    # 2 MB; it used to burn 4 minutes of CPU and end with "not enough memory".
    path = tmp_path / "contacts.csv"
    path.write_bytes(wide(100_000, rows=5))
    plain = "its header has 100,000 columns; the product reads at most 1,000 (an export has tens)"
    inspection, seconds = timed(lambda: ingest.inspect(db, path))
    assert not inspection.ok and plain in inspection.message and "is the right file" in inspection.message
    assert "memory" not in inspection.message and seconds < 3
    message, seconds = refusal(lambda: ingest.ingest_files(db, [path]))
    assert plain in message and seconds < 3 and loaded_rows(db) == 0


def test_a_file_of_1000_columns_loads(tmp_path, db):
    path = tmp_path / "contacts.csv"
    path.write_bytes(wide(1000))
    [result] = ingest.ingest_files(db, [path])
    assert result.table == "contacts" and result.rows_added == 1
