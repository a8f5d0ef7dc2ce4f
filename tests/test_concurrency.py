"""One writer, many readers: the dashboard's threads share one SharedDatabase, the CLI loads files while
another process reads, and a writer that cannot get the file waits a bounded time, then fails plainly with
nothing written. Sizes grow with OPTOUT_STRESS_SCALE (1 by default)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from analytics import ingest, store
from analytics.report import cohorts as report
from analytics.settings import DEFAULTS
from analytics.store.access import SharedDatabase

SCALE = int(os.environ.get("OPTOUT_STRESS_SCALE") or 1)
ROOT = store.PROJECT_ROOT
CONTACTS_PER_FILE = 50


def contacts_file(folder: Path, batch: int, n: int = CONTACTS_PER_FILE) -> Path:
    """n soft-opt-in contacts of source web, ids unique to this batch."""
    path = folder / f"contacts_{batch:03d}.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["contact_id", "collection_source", "consent", "collected_at"])
        writer.writerows([f"b{batch:03d}-{i}", "web", "none", "2026-01-05"] for i in range(n))
    return path


def counts(con) -> tuple[int, int]:
    """(contacts, load_log entries), read in one statement so both come from one snapshot."""
    return con.execute("select (select count(*) from contacts), (select count(*) from load_log)").fetchone()


def test_sixteen_readers_beside_a_writer(tmp_path):
    batches = 12 * SCALE
    database = SharedDatabase(tmp_path / "shared.duckdb", linger_seconds=0.2)
    files = [contacts_file(tmp_path, b) for b in range(batches)]
    errors: list[BaseException] = []
    seen: list[tuple[int, int]] = []
    done = threading.Event()

    def writer() -> None:
        try:
            for path in files:
                with database.writing() as con:
                    ingest.ingest_files(con, [path])
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            done.set()

    def reader(number: int) -> None:
        try:
            while not done.is_set():
                with database.reading() as con:
                    seen.append(counts(con))
                    if number % 4 == 0:  # a quarter of the readers compute the whole cohort state
                        report.cohort_state(con, dt.date(2026, 3, 1), DEFAULTS)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(16)]
    threads.append(threading.Thread(target=writer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    # every read saw whole files only: 50 contacts per load-log entry, never a part of a file
    assert seen and all(contacts == CONTACTS_PER_FILE * loads for contacts, loads in seen)
    with database.reading() as con:
        assert counts(con) == (CONTACTS_PER_FILE * batches, batches)
        names = [r[0] for r in con.execute("select file_name from load_log order by load_id").fetchall()]
    assert names == [p.name for p in files]  # each file landed exactly once, in order
    database.close()
    assert not database.is_open


def test_two_sessions_upload_different_files_at_the_same_moment(tmp_path):
    database = SharedDatabase(tmp_path / "shared.duckdb")
    files = [contacts_file(tmp_path, 1), contacts_file(tmp_path, 2)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def upload(path: Path) -> None:
        try:
            start.wait()
            with database.writing() as con:
                ingest.ingest_files(con, [path])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=upload, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with database.reading() as con:
        assert counts(con) == (2 * CONTACTS_PER_FILE, 2)
    database.close()


def test_the_file_is_let_go_when_idle(tmp_path):
    database = SharedDatabase(tmp_path / "shared.duckdb", linger_seconds=0.2)
    with database.reading() as con:
        counts(con)
    assert database.is_open  # kept a moment for the next read…
    time.sleep(0.6)
    assert not database.is_open  # …then released, so another process can open the file
    with database.reading() as con:
        counts(con)
    assert database.opens == 2
    database.close()


READER = textwrap.dedent(
    """
    import sys, time
    from analytics.store.access import SharedDatabase
    database = SharedDatabase(sys.argv[1], linger_seconds=0.5)
    reads, errors, stop = 0, 0, time.monotonic() + float(sys.argv[2])
    while time.monotonic() < stop:
        try:
            with database.reading() as con:
                con.execute("select count(*) from events").fetchone()
            reads += 1
        except Exception as error:
            errors += 1
            print(type(error).__name__, error, file=sys.stderr)
        time.sleep(0.01)
    database.close()
    print(reads, errors)
    """
)


def test_the_cli_loads_files_while_another_process_reads(tmp_path):
    from analytics import demo

    db = tmp_path / "shared.duckdb"
    store.connect(db).close()
    files = demo.generate(tmp_path / "csv", scale=0.3 * SCALE)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), str(8 * SCALE)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)  # the reader is reading
    cli = subprocess.run(
        [sys.executable, "-m", "analytics.cli", "ingest", "--db", str(db), *map(str, files)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out, err = reader.communicate(timeout=300)
    assert cli.returncode == 0, cli.stderr
    reads, errors = map(int, out.split())
    assert (errors, err) == (0, "")
    assert reads > 10
    con = store.connect(db)
    expected = {p.name.removesuffix(".csv.gz"): sum(1 for _ in gzip_lines(p)) - 1 for p in files}
    for table in ("contacts", "events", "campaigns"):
        assert con.execute(f"select count(*) from {table}").fetchone()[0] == expected[table], table
    con.close()


def gzip_lines(path: Path):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle)


HOLDER = textwrap.dedent(
    """
    import sys, time
    from analytics import store
    con = store.connect(sys.argv[1])
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    """
)


def test_a_writer_that_cannot_get_the_file_waits_then_fails_plainly(tmp_path):
    db = tmp_path / "held.duckdb"
    store.connect(db).close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), store.ENV_WAIT_SECONDS: "1"}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), "6"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    cli = subprocess.run(
        [sys.executable, "-m", "analytics.cli", "ingest", "--db", str(db), str(contacts_file(tmp_path, 1))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    waited = time.monotonic() - started
    holder.wait(timeout=30)
    holder.stdout.close()
    assert cli.returncode == 2
    assert "is in use by another program" in cli.stderr and "Nothing was changed" in cli.stderr
    assert "Traceback" not in cli.stderr and "IOException" not in cli.stderr
    assert 1 <= waited < 5  # waited its bound (1 s plus start-up), not the holder's 6 s
    con = store.connect(db)
    assert counts(con) == (0, 0)
    assert not store.waiting_marker(db).exists()
    con.close()


@pytest.mark.stress
def test_many_rounds_of_readers_and_a_writer(tmp_path):
    """The reader/writer run, repeated with fresh databases (OPTOUT_STRESS_SCALE rounds × 3)."""
    for round_number in range(3 * SCALE):
        folder = tmp_path / f"round{round_number}"
        folder.mkdir()
        test_sixteen_readers_beside_a_writer(folder)
