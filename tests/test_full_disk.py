"""A full disk while loading: one plain paragraph on standard error, exit code 2, nothing of the batch loaded,
the data loaded before intact, and the same file loads whole once there is room. A full disk during a backup,
restore, compaction or a purge's rewrite, or when a command opens the database: one plain line, never a
traceback, and a purge's rewrite stays owed until there is room.

The disk is simulated for a subprocess running the real command line: its file-size limit (RLIMIT_FSIZE) makes
every write past the limit fail with EFBIG — the database file, its write-ahead log (<db>.wal), DuckDB's temp
directory (<db>.tmp) and the product's work folder alike — and SIGXFSZ is ignored so that the write returns the
error (as ENOSPC would) instead of killing the process.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from analytics import ingest, store
from analytics.report import cohorts as report
from analytics.settings import DEFAULTS
from tests.builders import DataBuilder

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX file-size limits")

CONTACTS = [f"c{i}@example.fr" for i in range(40)]
START = dt.datetime(2025, 1, 6, 8, 0, 0)
DATA_TABLES = (
    "contacts",
    "orders",
    "campaigns",
    "events",
    "sources",
    "campaign_stats",
    "load_log",
    "change_log",
)


def write_events(path: Path, rows: int, encoding: str = "utf-8", prefix: str = "big") -> Path:
    """Events of known contacts, each row distinct (one second apart), in blocks (never the whole in memory)."""
    with open(path, "w", encoding=encoding, newline="") as handle:
        handle.write("campaign_id,contact_id,event_type,occurred_at\n")
        for first in range(0, rows, 100_000):
            handle.write(
                "".join(
                    f"{prefix}-k{i % 97},{CONTACTS[i % len(CONTACTS)]},{('open', 'click', 'delivered')[i % 3]},"
                    f"{(START + dt.timedelta(seconds=i)).isoformat()}\n"
                    for i in range(first, min(rows, first + 100_000))
                )
            )
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A database holding a small batch (contacts, a campaign and its sends), and the files to load on it."""
    folder = tmp_path_factory.mktemp("full_disk")
    data = DataBuilder(folder)
    for index, contact in enumerate(CONTACTS):
        data.contact(contact, source="web" if index % 2 else "in_store", collected_at="2024-03-01")
        data.order(contact, "2024-06-01", amount=25)
    data.campaign("k1", "2025-01-06T09:00:00")
    for contact in CONTACTS:
        data.send("k1", contact, "2025-01-06T09:00:00", opens=1, clicks=1)
    con = data.load()
    con.close()
    return {
        "db": folder / "test.duckdb",
        "big": write_events(folder / "events_big.csv", 1_600_000),  # ~80 MB
        "wal": write_events(folder / "events_wal.csv", 110_000, prefix="wal-batch-of-one-row-group"),
        "cp1252": write_events(folder / "événements.csv", 300_000, encoding="cp1252", prefix="été"),
    }


def run(db: Path, file: Path | list[Path], work: Path, limit: int | None = None, env: dict | None = None):
    """The real CLI loading the file(s) in a subprocess, under a file-size limit when given."""

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    environment = {k: v for k, v in os.environ.items() if k != store.ENV_DB_PATH}
    environment.update({store.ENV_WORK_DIR: str(work), **(env or {})})
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics.cli",
            "ingest",
            "--db",
            str(db),
            *map(str, [file] if isinstance(file, Path) else file),
        ],
        cwd=store.PROJECT_ROOT,
        preexec_fn=limited if limit is not None else None,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def state(db: Path) -> dict[str, tuple[int, str]]:
    """Reopen the database as the product does: row count and content hash of every table, and the report of
    the latest send date must build."""
    con = store.connect(db)
    try:
        fingerprint = {
            t: con.execute(
                f"select count(*), md5(coalesce(string_agg(t::varchar, '|' order by t::varchar), '')) from {t} t"
            ).fetchone()
            for t in DATA_TABLES
        }
        result = report.build_report(con, report.latest_send_date(con), DEFAULTS)
        assert result["cohorts"], "the report of the earlier data lists its sources"
        return fingerprint
    finally:
        con.close()


def events_of(db: Path, prefix: str) -> tuple[int, str]:
    con = store.connect(db)
    try:
        return con.execute(
            "select count(*), md5(string_agg(concat_ws('|', campaign_id, contact_id, event_type, "
            "strftime(occurred_at, '%Y-%m-%dT%H:%M:%S')), '\n' order by occurred_at, campaign_id)) "
            "from events where starts_with(campaign_id, $prefix)",
            {"prefix": prefix},
        ).fetchone()
    finally:
        con.close()


def events_in_file(path: Path, encoding: str = "utf-8") -> tuple[int, str]:
    """What the file holds, read here independently of the product."""
    con = duckdb.connect()
    try:
        return con.execute(
            "select count(*), md5(string_agg(concat_ws('|', campaign_id, contact_id, event_type, occurred_at), "
            "'\n' order by occurred_at, campaign_id)) from read_csv($path, header = true, all_varchar = true, "
            "encoding = $encoding)",
            {"path": str(path), "encoding": "latin-1" if encoding == "cp1252" else encoding},
        ).fetchone()
    finally:
        con.close()


def assert_clean_failure(result) -> None:
    """Exit code 2 and one plain paragraph: the disk is full, nothing of this batch was loaded."""
    assert result.returncode == 2, (result.returncode, result.stderr[-3000:])
    error = result.stderr.strip()
    assert "Traceback" not in error and "Error:" not in error, error
    assert error.startswith("optout-cohorts ingest: ") and "\n\n" not in error and error.count("\n") == 0, (
        error
    )
    assert "the disk is full" in error and "could not be written" in error, error
    assert "Nothing of this batch was loaded" in error and "the data loaded before is unchanged" in error, (
        error
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("file", "prefix", "env", "what"),
    [
        ("big", "big-", {}, "an 80 MB file whose rows DuckDB writes straight to the database file"),
        ("wal", "wal-", {}, "a batch smaller than a row group: it reaches the write-ahead log at commit"),
        ("big", "big-", {store.ENV_MEMORY_LIMIT: "100MB"}, "staging spills to DuckDB's temp directory"),
        ("cp1252", "été-", {}, "a Windows-1252 export re-encoded in the work folder"),
    ],
)
def test_a_full_disk_gives_a_clean_error_and_keeps_the_earlier_data(files, tmp_path, file, prefix, env, what):
    """Whatever write meets the full disk (the database file, the write-ahead log at commit, DuckDB's temp
    directory, the re-encoded copy), the command exits with code 2 and one paragraph saying the disk is full
    and nothing of the batch was loaded; reopened without the limit, every table holds what it held (same row
    counts and content hashes) and the report builds; then the same file loads whole."""
    db = tmp_path / "brand.duckdb"
    shutil.copy(files["db"], db)
    before = state(db)
    limit = db.stat().st_size + 256 * 1024  # a little room: the load cannot fit
    failed = run(db, files[file], tmp_path / "work", limit, env)
    assert_clean_failure(failed)
    assert state(db) == before, f"{what}: the failed load changed the database"
    assert events_of(db, prefix)[0] == 0

    if file == "cp1252" or env:  # the two others already show the re-submission; keep the suite quick
        return
    loaded = run(db, files[file], tmp_path / "work")
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert events_of(db, prefix) == events_in_file(files[file])
    after = state(db)
    assert {t: after[t] for t in ("contacts", "orders", "campaigns", "sources", "campaign_stats")} == {
        t: before[t] for t in ("contacts", "orders", "campaigns", "sources", "campaign_stats")
    }
    assert after["load_log"][0] == before["load_log"][0] + 1  # the one load that happened


def test_a_full_disk_at_the_first_write_leaves_no_trace(files, tmp_path):
    """With no room at all beyond the database's current size, the database file is left the size it was and
    a retry with room loads the file."""
    db = tmp_path / "brand.duckdb"
    shutil.copy(files["db"], db)
    size = db.stat().st_size
    before = state(db)
    assert_clean_failure(run(db, files["wal"], tmp_path / "work", db.stat().st_size))
    assert db.stat().st_size <= size + 256 * 1024
    assert state(db) == before
    assert run(db, files["wal"], tmp_path / "work").returncode == 0
    assert events_of(db, "wal-") == events_in_file(files["wal"])


def test_a_checkpoint_that_finds_the_disk_full_at_commit_loads_nothing(files, tmp_path):
    """A batch of three files each under a row group is written at commit; past DuckDB's 16 MB threshold the
    commit checkpoints into the database file, and a full disk there invalidates the database (DuckDB's
    FATAL error): still exit code 2 and the plain paragraph, the batch absent after reopening, the earlier data
    intact, and the batch loads whole once there is room."""
    orders = tmp_path / "orders.csv"
    with open(orders, "w", encoding="utf-8") as handle:
        handle.write("contact_id,order_date,amount,category\n")
        handle.write(
            "".join(
                f"c{i}@example.fr,2024-06-{1 + i % 28:02d},{i % 500}.5,shoes-{i % 37}\n"
                for i in range(120_000)
            )
        )
    stats = tmp_path / "stats.csv"
    with open(stats, "w", encoding="utf-8") as handle:
        handle.write(
            "campaign_id,sent_at,collection_source,basis,delivered,openers,clickers,unsubscribers,complainers,"
            "sent,bounces,email_type\n"
        )
        handle.write(
            "".join(
                f"stats-{i},2025-01-{1 + i % 28:02d}T09:00:00,source-{i % 9},soft_opt_in,{1000 + i},{i % 700},"
                f"{i % 90},{i % 13},{i % 3},{1100 + i},{i % 100},promo\n"
                for i in range(120_000)
            )
        )
    db = tmp_path / "brand.duckdb"
    shutil.copy(files["db"], db)
    before = state(db)
    batch = [orders, stats, files["wal"]]
    assert_clean_failure(run(db, batch, tmp_path / "work", db.stat().st_size + 256 * 1024))
    assert state(db) == before
    loaded = run(db, batch, tmp_path / "work")
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert events_of(db, "wal-") == events_in_file(files["wal"])
    after = state(db)
    assert after["orders"][0] == before["orders"][0] + 120_000
    assert after["campaign_stats"][0] == before["campaign_stats"][0] + 120_000


# --- a full disk during maintenance, and the commands after it ----------------------------------------------

PURGED = "full.disk.purge.8802@example.org"
# A limit on a boundary between DuckDB's blocks (3 headers of 4 kB, then blocks of 256 kB): a block is written
# whole or not at all, as on a disk that is full, never cut at the limit.
BLOCK_LIMIT = 12288 + 4 * 262144
REWRITE_ON_A_FULL_DISK = """
import resource, signal, sys
from analytics import cli
from analytics.store import maintenance

compact = maintenance.compact


def compact_on_a_full_disk(*args, **kwargs):
    # The disk fills up between the purge's commit and its rewrite.
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), resource.RLIM_INFINITY))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return compact(*args, **kwargs)


maintenance.compact = compact_on_a_full_disk
sys.exit(cli.main(sys.argv[2:]))
"""


def cli(args: list[str], work: Path, limit: int | None = None, script: str | None = None):
    """The real CLI in a subprocess, under a file-size limit when given (else through script, which sets its
    own limit at the moment it chooses)."""

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    environment = {k: v for k, v in os.environ.items() if k != store.ENV_DB_PATH}
    environment[store.ENV_WORK_DIR] = str(work)
    command = ["-c", script, str(BLOCK_LIMIT)] if script else ["-m", "analytics.cli"]
    return subprocess.run(
        [sys.executable, *command, *args],
        cwd=store.PROJECT_ROOT,
        preexec_fn=limited if limit is not None else None,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def one_line_errors(result, command: str) -> list[str]:
    """Exit code 2, and every line on standard error is one of the command's plain messages."""
    assert result.returncode == 2, (result.returncode, result.stderr[-3000:])
    lines = result.stderr.strip().split("\n")
    assert "Traceback" not in result.stderr and all(
        line.startswith(f"optout-cohorts {command}: ") for line in lines
    ), result.stderr
    return lines


@pytest.fixture
def purge_db(tmp_path) -> Path:
    """A database of the demo brand plus a contact expired on 2026-01-15, whose id is readable in the file."""
    files = tmp_path / "files"
    files.mkdir()
    data = DataBuilder(files)
    data.contact(PURGED, source="web", collected_at="2020-03-02").order(PURGED, "2020-03-02", amount=49.9)
    db = tmp_path / "db" / "brand.duckdb"
    con = store.connect(db, readable=[files])
    ingest.ingest_files(con, [*data.write(), *sorted(store.DEMO_DIR.glob("*.csv.gz"))])
    con.close()
    assert PURGED.encode() in db.read_bytes()
    return db


def test_a_purge_whose_rewrite_finds_the_disk_full_says_so_and_the_next_open_finishes_it(purge_db, tmp_path):
    """Finding 3 and 11: the disk fills up between the purge's commit and its rewrite. The purge says, in one
    line, that the rows are deleted and the file not rewritten (the address is still readable); with no room
    at all, a later command fails with one line, never a traceback; once there is room, the next command's
    open does the owed rewrite."""
    db, work = purge_db, tmp_path / "work"
    purge = ["purge", "--db", str(db), "--as-of", "2026-01-15"]
    purged = cli(purge, work, script=REWRITE_ON_A_FULL_DISK)

    [error] = one_line_errors(purged, "purge")
    assert purged.stdout.startswith("Purged ") and " expired contact(s) as of 2026-01-15" in purged.stdout
    assert "the disk is full (File too large)" in error and "free some space, then try again" in error
    assert error.startswith("optout-cohorts purge: Rows deleted: yes; file rewritten: no. ")
    assert "purged contact(s) are still in the database file" in error and "retried the next time" in error
    assert PURGED.encode() in db.read_bytes()
    assert sorted(p.name for p in db.parent.iterdir()) == ["brand.duckdb"]  # no copy left behind

    *warned, failed = one_line_errors(cli(["presets", "--db", str(db)], work, limit=0), "presets")
    assert [w for w in warned if "warning: Rows deleted: yes; file rewritten: no" in w] == warned != []
    assert "cannot be opened: the disk is full (File too large)" in failed and "Nothing was changed" in failed

    with_room = cli(["presets", "--db", str(db)], work)
    assert with_room.returncode == 0 and "Rows deleted" not in with_room.stderr, with_room.stderr
    assert PURGED.encode() not in db.read_bytes()
    con = store.connect(db)
    try:
        assert con.execute("select count(*) from compaction_owed").fetchone()[0] == 0
        assert (
            con.execute("select count(*) from contacts where contact_id = $id", {"id": PURGED}).fetchone()[0]
            == 0
        )
    finally:
        con.close()


@pytest.mark.parametrize("command", ["backup", "restore", "compact"])
def test_backup_restore_and_compaction_on_a_full_disk_give_one_line_and_leave_no_copy(
    purge_db, tmp_path, command
):
    """Finding 3 and 11: a backup, restore or compaction whose new copy finds the disk full ends with one
    plain line saying so (never a traceback, never "cannot be read whole"), leaves no temporary copy, and the
    database keeps its data."""
    db, work = purge_db, tmp_path / "work"
    backups = tmp_path / "backups"
    backups.mkdir()
    good = backups / "good.duckdb"
    assert cli(["backup", "--db", str(db), "--out", str(good)], work).returncode == 0
    before = state(db)
    args = {
        "backup": ["backup", "--db", str(db), "--out", str(backups / "new.duckdb")],
        "restore": ["restore", "--db", str(db), str(good)],
        "compact": ["compact", "--db", str(db)],
    }[command]

    [error] = one_line_errors(cli(args, work, limit=BLOCK_LIMIT), command)

    assert "the disk is full (File too large)" in error and "free some space, then try again" in error, error
    assert sorted(p.name for p in backups.iterdir()) == ["good.duckdb"]
    assert [p.name for p in db.parent.iterdir() if p.name != "brand.duckdb.wal"] == ["brand.duckdb"]
    assert state(db) == before
