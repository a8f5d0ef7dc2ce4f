"""`optout-cohorts ingest` killed with SIGKILL at any moment: the database always opens, holds the batch
whole or not at all, and re-submitting the files ends exactly as a clean load; the dashboard runs on it.

The batch is the demo brand at scale 1.5 (≈ 590 k events, ≈ 1.3–2 s to load here). Each kill lands after a
seeded random delay, in turn: anywhere from before the process has opened the file to after it has exited
(then the kill finds nothing to kill); in the last quarter of the run, where the batch is written and
committed; anywhere; and within 0.2 s after the CLI printed that the files were loaded (the commit is done,
the file is being closed and checkpointed): those must keep the batch. A database whose batch did not land
is handed, as the kill left it (WAL included), to the next attempt, so kills also land during recovery; one
whose batch landed is re-submitted, compared with the clean load, and replaced by a fresh one.
Kills: 8 × OPTOUT_STRESS_SCALE (default 1: about 25 s); seed: OPTOUT_STRESS_SEED.

Maintenance killed: a purge killed after its commit still gets its rewrite (at the next open), and a compaction
killed while writing its copy leaves nothing behind once the database is opened again.
"""

from __future__ import annotations

import collections
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import demo, ingest, store
from analytics.tables import LOAD_ORDER, TABLES
from tests.builders import DataBuilder

pytestmark = pytest.mark.stress

SCALE = int(os.environ.get("OPTOUT_STRESS_SCALE") or 1)
KILLS = 8 * SCALE
SEED = int(os.environ.get("OPTOUT_STRESS_SEED") or 20261129)
ROOT = store.PROJECT_ROOT
DEMO_SCALE = 1.5
# Where each kill lands, in turn: anywhere in the run; in its last quarter; anywhere; right after the commit.
MODES = ("anywhere", "last_quarter", "anywhere", "after_commit")
LOAD_LOG_FIELDS = (
    "file_name, sha256, table_name, rows_in_file, rows_added, rows_updated, rows_rejected, preset"
)


def _ingest(db: Path, files: list[Path]) -> list[str]:
    return [sys.executable, "-m", "analytics.cli", "ingest", "--db", str(db), *map(str, files)]


def _snapshot(db: Path) -> dict:
    """What a database holds: per data table its row count, distinct-row count and an order-free content
    hash; the load log's first entry per file; the change log's kinds."""
    con = store.connect(db, wait_seconds=30)
    try:
        tables = {}
        for name in LOAD_ORDER:
            rows, content = con.execute(
                f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {name} as t"
            ).fetchone()
            distinct = con.execute(f"select count(*) from (select distinct * from {name})").fetchone()[0]
            tables[name] = {"rows": rows, "distinct": distinct, "hash": content}
        first_loads = con.execute(
            f"select {LOAD_LOG_FIELDS} from load_log qualify row_number() over (partition by file_name "
            "order by load_id) = 1 order by file_name"
        ).fetchall()
        reloads = con.execute(
            "select count(*), coalesce(sum(rows_added), 0) from (select rows_added, row_number() over "
            "(partition by file_name order by load_id) as nth from load_log) where nth > 1"
        ).fetchone()
        kinds = [r[0] for r in con.execute("select kind from change_log order by change_id").fetchall()]
        return {"tables": tables, "first_loads": first_loads, "reloads": reloads, "kinds": kinds}
    finally:
        con.close()


def _assert_whole_or_nothing(state: dict, reference: dict, files: list[Path]) -> bool:
    """Each file's rows and its load-log entry are all there or none is; True when the batch is there."""
    logged = {row[0] for row in state["first_loads"]}
    per_file = {}
    for path in files:
        table = path.name.split(".")[0]
        assert table in TABLES
        present = path.name in logged
        if present:
            assert state["tables"][table] == reference["tables"][table], (path.name, "logged but not whole")
        else:
            assert state["tables"][table]["rows"] == 0, (path.name, "rows without a load-log entry")
        per_file[path.name] = present
    assert len(set(per_file.values())) == 1, ("one transaction, yet files differ", per_file)
    for name, table in state["tables"].items():
        assert table["rows"] == table["distinct"], (name, "duplicate rows")
    return next(iter(per_file.values()))


def _assert_as_clean_load(state: dict, reference: dict) -> None:
    assert state["tables"] == reference["tables"]
    assert state["first_loads"] == reference["first_loads"]
    reloads, rows_added = state["reloads"]
    assert rows_added == 0, f"a re-submitted file added rows ({reloads} re-load entries)"
    assert set(state["kinds"]) == {"ingest"}


def test_sigkill_at_any_moment_of_an_ingest_leaves_the_batch_whole_or_absent(tmp_path, monkeypatch):
    started = time.monotonic()
    files = demo.generate(tmp_path / "files", scale=DEMO_SCALE)
    env = {**os.environ, store.ENV_WORK_DIR: str(tmp_path / "work"), "PYTHONUNBUFFERED": "1"}
    reference_db = tmp_path / "reference" / "clean.duckdb"
    clean_started = time.monotonic()
    subprocess.run(_ingest(reference_db, files), cwd=ROOT, env=env, check=True, capture_output=True)
    clean_seconds = time.monotonic() - clean_started
    reference = _snapshot(reference_db)
    assert reference["tables"]["events"]["rows"] > 500_000

    durations = [clean_seconds]
    rng = random.Random(SEED)
    log: list[str] = []
    outcomes: collections.Counter[str] = collections.Counter()
    generation = 0
    db = tmp_path / "run0" / "brand.duckdb"
    try:
        for kill in range(KILLS):
            # The length of a run: the median of the whole loads seen so far (the machine's load varies).
            run_seconds = statistics.median(durations)
            mode = MODES[kill % len(MODES)]
            existed = db.exists()
            launched = time.monotonic()
            process = subprocess.Popen(
                _ingest(db, files), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            if mode == "after_commit":
                # The CLI prints its first line once the batch is committed, then closes (checkpoints) the
                # file: kill it in that moment. What it said was loaded must stay loaded.
                said_loaded = bool(process.stdout.readline())
                delay = time.monotonic() - launched + rng.uniform(0, 0.2)
            else:
                low, high = (0.0, 1.2) if mode == "anywhere" else (0.75, 1.1)
                delay = rng.uniform(low * run_seconds, high * run_seconds)
            try:
                process.wait(timeout=max(0.0, delay - (time.monotonic() - launched)))
                finished, elapsed = True, time.monotonic() - launched
            except subprocess.TimeoutExpired:
                finished = False
                process.send_signal(signal.SIGKILL)
                process.wait()
            process.stdout.close()
            stderr = process.stderr.read().decode()
            process.stderr.close()
            if finished:
                assert process.returncode == 0, stderr
                # Every attempt is a first load (a database that has the batch is retired): a whole run.
                durations.append(elapsed)
            wal = Path(f"{db}.wal")
            wal_bytes = wal.stat().st_size if wal.exists() else 0
            created = db.exists()
            size = db.stat().st_size if created else 0
            state = _snapshot(db)  # it must open
            landed = _assert_whole_or_nothing(state, reference, files)
            if mode == "after_commit":
                assert said_loaded and landed, "the CLI said the files were loaded, and they were lost"
            if finished:
                outcome = "exited before the kill (committed)"
            elif landed:
                outcome = "killed after commit, before exit"
            elif not created and not existed:
                outcome = "killed before the database file was created"
            else:
                outcome = "killed before commit"
            outcomes[outcome] += 1
            log.append(
                f"kill {kill} ({mode}): delay {delay:.3f} s on run{generation} -> {outcome} "
                f"(file {size / 1e6:.1f} MB, WAL {wal_bytes / 1e6:.1f} MB)"
            )
            if landed:
                subprocess.run(_ingest(db, files), cwd=ROOT, env=env, check=True, capture_output=True)
                _assert_as_clean_load(_snapshot(db), reference)
                generation += 1
                db = tmp_path / f"run{generation}" / "brand.duckdb"
        # The last database, as the last kill left it (or a fresh one): the files once more.
        subprocess.run(_ingest(db, files), cwd=ROOT, env=env, check=True, capture_output=True)
        _assert_as_clean_load(_snapshot(db), reference)

        monkeypatch.setenv(store.ENV_DB_PATH, str(db))
        try:
            app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
            app.run()
            assert not app.exception, app.exception
            assert not app.error, [e.value for e in app.error]
        finally:
            st.cache_data.clear()
            st.cache_resource.clear()
            # The dashboard closes its file on a timer after the last read: let it, rather than have the
            # interpreter exit while a daemon thread is inside DuckDB.
            for thread in threading.enumerate():
                if isinstance(thread, threading.Timer):
                    thread.join(timeout=10)
    except BaseException:
        print(f"seed {SEED}, clean load {clean_seconds:.2f} s; delays and outcomes:", *log, sep="\n  ")
        raise
    print(
        f"\n{KILLS} kills (seed {SEED}); clean load {clean_seconds:.2f} s; whole test "
        f"{time.monotonic() - started:.1f} s",
        *(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())),
        *log,
        sep="\n  ",
    )


# --- maintenance killed ----------------------------------------------------------------------------------

PURGED = "killed.purge.6120@example.org"
PURGE_AND_DIE = """
import datetime as dt, os, signal, sys
from analytics.store import maintenance
from analytics import store
con = store.connect(sys.argv[1])
print(maintenance.purge_expired(con, dt.date(2026, 1, 15), 3)["contacts"], flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # after the purge's commit, before any rewrite or checkpoint
"""


COMPACT = "import sys; from analytics.store import maintenance; maintenance.compact(sys.argv[1])"


def _database_with_an_expired_contact(folder: Path, demo_files: bool = False) -> Path:
    """A closed database where PURGED is expired on 2026-01-15 and readable in the file (and the demo brand,
    for a file whose copy takes long enough to be killed midway)."""
    data = DataBuilder(folder)
    data.contact(PURGED, source="web", collected_at="2020-03-02").order(PURGED, "2020-03-02", amount=49.9)
    data.contact("kept.2291@example.org", source="web", collected_at="2025-05-01")
    db = folder / "brand.duckdb"
    con = store.connect(db)
    ingest.ingest_files(
        con, [*data.write(), *(sorted(store.DEMO_DIR.glob("*.csv.gz")) if demo_files else [])]
    )
    con.close()
    assert PURGED.encode() in db.read_bytes()
    return db


def test_a_purge_killed_after_its_delete_is_rewritten_at_the_next_open(tmp_path):
    """Finding 3: SIGKILL right after the purge's commit leaves the deleted address readable in the file; the
    owed rewrite, committed with the delete, is done by the next open, which finds the contact gone."""
    db = _database_with_an_expired_contact(tmp_path)
    env = {**os.environ, store.ENV_WORK_DIR: str(tmp_path / "work")}
    killed = subprocess.run(
        [sys.executable, "-c", PURGE_AND_DIE, str(db)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert killed.returncode == -signal.SIGKILL and killed.stdout.strip() == "1", killed.stderr
    assert PURGED.encode() in db.read_bytes()  # the delete is only in the WAL

    store.connect(db).close()

    assert PURGED.encode() not in db.read_bytes()
    con = store.connect(db)
    try:
        assert con.execute("select contact_id from contacts").fetchall() == [("kept.2291@example.org",)]
        assert con.execute("select count(*) from compaction_owed").fetchone()[0] == 0
    finally:
        con.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "brand.duckdb",
        "contacts.csv",
        "orders.csv",
        "work",
    ]


def test_a_compaction_killed_midway_leaves_a_copy_that_the_next_open_removes(tmp_path):
    """Finding 4: SIGKILL while the compaction writes its new copy (which holds every contact) leaves that
    copy beside the database; the next open removes it."""
    db = _database_with_an_expired_contact(tmp_path, demo_files=True)
    env = {**os.environ, store.ENV_WORK_DIR: str(tmp_path / "work")}
    for _ in range(20):  # until a kill lands while the copy is being written (it takes a few hundred ms)
        process = subprocess.Popen(
            [sys.executable, "-c", COMPACT, str(db)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while process.poll() is None and not list(tmp_path.glob(".brand.duckdb.*.partial")):
            time.sleep(0.001)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if list(tmp_path.glob(".brand.duckdb.*.partial")):
            break
    left = list(tmp_path.glob(".brand.duckdb.*"))
    assert left, "no kill landed while the copy was written"

    store.connect(db).close()

    assert list(tmp_path.glob(".brand.duckdb.*")) == []
