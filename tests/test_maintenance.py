"""Backup and restore of the database file, the purge of expired contacts, and compaction.

A backup taken while the database is in use restores the exact report of that moment, and load ids go on
after it; a file that is not one of our databases, or a damaged one, is refused and the database left as it
was; a purged contact's bytes are gone from the file once it is compacted, a rewrite that cannot be done yet
stays owed and is said so, a purge names the backups that may still hold whom it deleted, and the temporary
copies of a killed process do not stay beside the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from analytics import ingest, store
from analytics.cli import main
from analytics.errors import DatabaseBusy, UserError
from analytics.report import cohorts as report
from analytics.settings import DEFAULTS
from analytics.store import maintenance
from tests.builders import DataBuilder, statuses

DEMO_FILES = sorted(store.DEMO_DIR.glob("*.csv.gz"))
ROOT = store.PROJECT_ROOT


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = [
        r[0] for r in con.execute("select table_name from duckdb_tables() where not temporary").fetchall()
    ]
    return {name: con.execute(f'select count(*) from "{name}"').fetchone()[0] for name in names}


def _report(con: duckdb.DuckDBPyConnection) -> dict:
    return report.build_report(con, report.latest_send_date(con), DEFAULTS)


def _new_contacts_file(folder: Path, prefix: str) -> Path:
    """A contacts file of a source the demo does not have, so the report shows whether it is loaded."""
    folder.mkdir(parents=True, exist_ok=True)
    builder = DataBuilder(folder)
    for number in range(3):
        builder.contact(
            f"{prefix}.{number}@example.org", source=f"{prefix}_source", collected_at="2026-05-01"
        )
    (path,) = builder.write()
    return path


@pytest.fixture(scope="module")
def demo_with_backup(tmp_path_factory):
    """(database file, backup file) of the demo brand, built once; tests work on copies."""
    folder = tmp_path_factory.mktemp("demo-backup")
    con = store.connect(folder / "demo.duckdb")
    ingest.ingest_files(con, DEMO_FILES)
    maintenance.backup(con, folder / "demo.backup")
    con.close()
    return folder / "demo.duckdb", folder / "demo.backup"


# --- backup and restore ---------------------------------------------------------------------------------


def test_a_restored_backup_gives_the_report_of_its_time_and_load_ids_go_on(tmp_path):
    db, backups = tmp_path / "live" / "brand.duckdb", tmp_path / "backups"
    backups.mkdir()
    con = store.connect(db, readable=[backups])
    ingest.ingest_files(con, DEMO_FILES)
    at_backup = _report(con)
    last_load = con.execute("select max(load_id) from load_log").fetchone()[0]
    last_change = con.execute("select max(change_id) from change_log").fetchone()[0]

    result = maintenance.backup(con, backups / "monday.duckdb")

    assert result["tables"] == _counts(con)
    assert result["tables"]["events"] > 300_000
    assert [p.name for p in backups.iterdir()] == ["monday.duckdb"]  # no temporary file left behind
    # The database is used after the backup: a new source, and saved settings.
    ingest.ingest_files(con, [_new_contacts_file(db.parent / "later", "late")])
    assert _report(con) != at_backup

    with pytest.raises(DatabaseBusy, match="open in this program"):  # the connection above is still open
        maintenance.restore(backups / "monday.duckdb", db)
    con.close()
    restored = maintenance.restore(backups / "monday.duckdb", db)

    assert restored["tables"] == result["tables"]
    assert sorted(p.name for p in db.parent.iterdir()) == [
        "brand.duckdb",
        "later",
    ]  # no WAL, no temporary file
    con = store.connect(db)
    assert _report(con) == at_backup
    assert con.execute("select max(load_id) from load_log").fetchone()[0] == last_load
    # The sequences came back at their value: the next load and change take the next ids.
    ingest.ingest_files(con, [_new_contacts_file(db.parent / "after", "after")])
    assert con.execute("select max(load_id) from load_log").fetchone()[0] == last_load + 1
    assert con.execute("select max(change_id) from change_log").fetchone()[0] == last_change + 1
    assert (
        con.execute("select count(*) from contacts where collection_source = 'late_source'").fetchone()[0]
        == 0
    )
    con.close()


def test_a_backup_never_overwrites_a_file_unless_asked_and_needs_a_writable_folder(
    tmp_path, demo_with_backup
):
    db = tmp_path / "brand.duckdb"
    shutil.copy(demo_with_backup[0], db)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    con = store.connect(db)
    try:
        existing = tmp_path / "existing.backup"
        existing.write_text("an older file")
        with pytest.raises(UserError, match="already exists"):
            maintenance.backup(con, existing)
        assert existing.read_text() == "an older file"
        maintenance.backup(con, existing, overwrite=True)
        assert (
            duckdb.connect(str(existing), read_only=True)
            .execute("select count(*) from contacts")
            .fetchone()[0]
            == _counts(con)["contacts"]
        )

        with pytest.raises(UserError, match="cannot be written"):  # not a folder this connection may write
            maintenance.backup(con, elsewhere / "x.backup")
        assert list(elsewhere.iterdir()) == []
        with pytest.raises(UserError, match="database file itself"):
            maintenance.backup(con, db, overwrite=True)
    finally:
        con.close()
        shutil.rmtree(elsewhere)


def _other_duckdb(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("create table contacts (contact_id varchar)")
    con.execute("insert into contacts values ('someone@example.org')")
    con.close()


@pytest.mark.parametrize("kind", ["garbage", "empty", "other_duckdb", "truncated", "missing"])
def test_a_backup_that_is_not_ours_or_damaged_is_refused_and_the_database_kept(
    kind, tmp_path, demo_with_backup
):
    demo_db, demo_backup = demo_with_backup
    db = tmp_path / "brand.duckdb"
    shutil.copy(demo_db, db)
    candidate = tmp_path / "candidate.backup"
    if kind == "garbage":
        candidate.write_bytes(b"contact_id,consent\n" * 5000)
    elif kind == "empty":
        candidate.write_bytes(b"")
    elif kind == "other_duckdb":
        _other_duckdb(candidate)
    elif kind == "truncated":  # a copy interrupted halfway
        data = demo_backup.read_bytes()
        candidate.write_bytes(data[: len(data) // 2])
    before = _sha256(db)

    with pytest.raises(UserError) as refused:
        maintenance.restore(candidate, db)

    assert not isinstance(refused.value, DatabaseBusy)
    assert _sha256(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["brand.duckdb", *(["candidate.backup"] if kind != "missing" else [])]
    )
    con = store.connect(db)
    assert con.execute("select count(*) from events").fetchone()[0] > 300_000
    con.close()


HOLDER = textwrap.dedent(
    """
    import sys, time
    import duckdb
    con = duckdb.connect(sys.argv[1])
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    """
)


def test_restore_and_compaction_refuse_while_another_program_holds_the_database(tmp_path, demo_with_backup):
    demo_db, demo_backup = demo_with_backup
    db = tmp_path / "brand.duckdb"
    shutil.copy(demo_db, db)
    before = _sha256(db)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), "30"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(DatabaseBusy, match="another program"):
            maintenance.restore(demo_backup, db, wait_seconds=0.5)
        with pytest.raises(DatabaseBusy, match=r"another program.*The file was not rewritten"):
            maintenance.compact(db, wait_seconds=0.5)
    finally:
        holder.kill()
        holder.communicate()
    assert _sha256(db) == before
    assert maintenance.restore(demo_backup, db)["tables"]["events"] > 300_000


READER = textwrap.dedent(
    """
    import sys, time
    from analytics.store.access import SharedDatabase
    database = SharedDatabase(sys.argv[1], wait_seconds=30)
    print("reading", flush=True)
    seen, end = [], time.monotonic() + float(sys.argv[2])
    while time.monotonic() < end:
        with database.reading() as con:
            count = con.execute("select count(*) from contacts").fetchone()[0]
        if not seen or seen[-1] != count:
            seen.append(count)
        time.sleep(0.05)
    database.close()
    print(seen, flush=True)
    """
)


def test_a_dashboard_reading_in_another_process_lets_the_restore_through_and_reads_the_restored_file(
    tmp_path, demo_with_backup
):
    demo_db, demo_backup = demo_with_backup
    db = tmp_path / "brand.duckdb"
    shutil.copy(demo_db, db)
    con = store.connect(db)
    ingest.ingest_files(con, [_new_contacts_file(tmp_path / "later", "late")])
    before, after = _counts(con)["contacts"], _counts(con)["contacts"] - 3
    con.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), "3"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert reader.stdout.readline().strip() == "reading"
        time.sleep(0.5)
        maintenance.restore(demo_backup, db, wait_seconds=10)
        output, _ = reader.communicate(timeout=60)
    finally:
        reader.kill()
        reader.communicate()
    assert reader.returncode == 0
    assert output.strip() == str([before, after])  # it read the file before, then the restored one


# --- purge and compaction -------------------------------------------------------------------------------

PURGED = "purge.me.7731@example.org"
PURGE_DATE = dt.date(2026, 1, 15)


def _purge_fixture(folder: Path) -> list[Path]:
    """Contacts around the 3-year limit on PURGE_DATE (2026-01-15: the limit is 2023-01-15)."""
    builder = DataBuilder(folder)
    # Collected and bought in 2020, opened (never clicked) in 2021: last contact 2020-03-02, expired.
    builder.contact(PURGED, source="web", collected_at="2020-03-02").order(PURGED, "2020-03-02", amount=49.9)
    builder.campaign("spring21", "2021-04-01")
    builder.send("spring21", PURGED, "2021-04-01", opens=2)
    # Collected in 2020 too, but bought in 2025: lawful (soft opt-in).
    builder.contact("keep.me.4412@example.org", source="web", collected_at="2020-03-02")
    builder.order("keep.me.4412@example.org", "2025-05-01")
    # Past the limit but objected: kept for the suppression list.
    builder.contact(
        "objected.9920@example.org", source="web", collected_at="2020-03-02", opted_out_at="2020-06-01"
    )
    # Expired on the purge date, but a purchase dated after it brings the contact back: kept.
    builder.contact("later.5555@example.org", source="web", collected_at="2020-03-02")
    builder.order("later.5555@example.org", "2026-02-01")
    return builder.write()


def test_purge_deletes_expired_contacts_and_compaction_removes_their_bytes_from_the_file(tmp_path):
    db = tmp_path / "brand.duckdb"
    con = store.connect(db)
    ingest.ingest_files(con, DEMO_FILES)
    fixture = tmp_path / "fixture"
    fixture.mkdir()
    ingest.ingest_files(con, _purge_fixture(fixture))
    con.execute("checkpoint")
    needle = PURGED.encode()
    # DuckDB stores these short ids with dictionary compression (DICT_FSST): the dictionary keeps them whole,
    # once per table (contacts, orders, events), so the file must show them before the purge.
    assert db.read_bytes().count(needle) >= 3, "the id is not findable: choose a longer distinctive value"
    status = statuses(con, PURGE_DATE.isoformat())
    assert status[PURGED]["status"] == "expired"
    assert status["objected.9920@example.org"]["status"] == "objected"  # objected comes first in §5
    assert status["objected.9920@example.org"]["retention_ends"] < PURGE_DATE
    assert status["later.5555@example.org"]["status"] == "expired"
    expired_demo = sum(1 for s in status.values() if s["status"] == "expired")

    result = maintenance.purge_expired(con, PURGE_DATE, 3)

    assert 1 <= result["contacts"] <= expired_demo
    assert result["orders"] >= 1 and result["events"] >= 4
    assert result["kept_later"] >= 1 and result["kept_objected"] >= 1
    for table in ("contacts", "orders", "events"):
        assert (
            con.execute(f"select count(*) from {table} where contact_id = $id", {"id": PURGED}).fetchone()[0]
            == 0
        )
    kept = {
        r[0]
        for r in con.execute(
            "select contact_id from contacts where contact_id like '%@example.org'"
        ).fetchall()
    }
    assert {"keep.me.4412@example.org", "objected.9920@example.org", "later.5555@example.org"} <= kept
    still_expired = {c for c, s in statuses(con, PURGE_DATE.isoformat()).items() if s["status"] == "expired"}
    assert "later.5555@example.org" in still_expired and len(still_expired) == result["kept_later"]
    kind, detail = con.execute(
        "select kind, detail from change_log order by change_id desc limit 1"
    ).fetchone()
    assert kind == "purge" and "7731" not in detail
    _report(con)
    con.close()

    compacted = maintenance.compact(db)

    assert compacted["bytes_after"] <= compacted["bytes_before"]
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(db.name)]
    assert leftovers == [db]  # no WAL beside the file
    assert needle not in db.read_bytes()
    con = store.connect(db)
    assert (
        con.execute("select count(*) from contacts where contact_id = $id", {"id": PURGED}).fetchone()[0] == 0
    )
    assert (
        con.execute(
            "select count(*) from contacts where contact_id in ('keep.me.4412@example.org', "
            "'objected.9920@example.org', 'later.5555@example.org')"
        ).fetchone()[0]
        == 3
    )
    result = _report(con)
    assert result["cohorts"] and all(c["eligibility"]["expired"] >= 0 for c in result["cohorts"])
    con.close()


def test_a_dry_run_purge_changes_nothing_and_a_future_date_is_refused(data):
    data.contact(PURGED, collected_at="2020-03-02").contact("keep@example.org", collected_at="2025-01-01")
    con = data.load()
    version = store.data_version(con)

    dry = maintenance.purge_expired(con, PURGE_DATE, 3, dry_run=True)

    assert dry["contacts"] == 1 and dry["message"].startswith("Would purge 1 expired contact")
    assert con.execute("select count(*) from contacts").fetchone()[0] == 2
    assert store.data_version(con) == version
    with pytest.raises(UserError, match="future"):
        maintenance.purge_expired(con, dt.date.today() + dt.timedelta(days=1), 3)
    assert maintenance.purge_expired(con, PURGE_DATE, 3)["contacts"] == 1
    assert con.execute("select contact_id from contacts").fetchall() == [("keep@example.org",)]
    assert store.data_version(con) == version + 1


def test_compaction_refuses_a_database_open_in_this_program(con, tmp_path):
    with pytest.raises(DatabaseBusy, match="open in this program"):
        maintenance.compact(tmp_path / "test.duckdb")


# --- what a purge leaves to do, and says -----------------------------------------------------------------


def _purge_database(folder: Path) -> Path:
    """A database holding the purge fixture, closed, with the purged contact's id readable in the file."""
    db = folder / "brand.duckdb"
    (folder / "fixture").mkdir()
    con = store.connect(db)
    ingest.ingest_files(con, _purge_fixture(folder / "fixture"))
    con.close()
    assert PURGED.encode() in db.read_bytes()
    return db


def _owed(db: Path) -> int:
    con = store.connect(db)
    try:
        return maintenance.owed_contacts(con)
    finally:
        con.close()


def test_a_purge_whose_rewrite_meets_a_busy_database_says_the_rows_are_deleted_but_not_yet_from_the_file(
    tmp_path, capsys
):
    """Finding 3: the rewrite after a purge found the database open (here a connection of this process, as the
    dashboard's would be). The command must not say "Nothing was changed": the rows are deleted, the file is
    not rewritten, the debt is recorded, and `compact` pays it later."""
    db = _purge_database(tmp_path)
    holder = duckdb.connect(str(db))  # shares DuckDB's instance with the command's own connection
    try:
        code = main(["purge", "--db", str(db), "--as-of", PURGE_DATE.isoformat()])
    finally:
        holder.close()
    printed = capsys.readouterr()
    assert code == 2
    assert printed.out.startswith("Purged 1 expired contact(s) as of 2026-01-15")
    error = printed.err.strip()
    assert error.count("\n") == 0 and "Traceback" not in error, error
    assert "Nothing was changed" not in error
    assert error.startswith("optout-cohorts purge: Rows deleted: yes; file rewritten: no. ")
    assert "The bytes of 1 purged contact(s) are still in the database file: the rewrite is recorded" in error
    assert "will be retried the next time the database is opened" in error
    assert f"optout-cohorts compact --db {db}" in error
    assert PURGED.encode() in db.read_bytes()  # what the message says: still readable in the file

    assert main(["compact", "--db", str(db)]) == 0
    assert "rewritten without the deleted rows" in capsys.readouterr().out
    assert PURGED.encode() not in db.read_bytes()
    assert _owed(db) == 0
    assert main(["purge", "--db", str(db), "--as-of", PURGE_DATE.isoformat(), "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("Would purge 0 expired contact(s)")


def test_a_compaction_clears_the_owed_rewrite_only_with_the_swap(tmp_path):
    """The owed rewrite is recorded in the purge's own transaction and stays while compaction fails; the swap
    of the rewritten file ends it."""
    db = _purge_database(tmp_path)
    con = store.connect(db)
    result = maintenance.purge_expired(con, PURGE_DATE, 3)
    assert result["contacts"] == 1 and result["owed"] == maintenance.owed_contacts(con) == 1
    assert maintenance.purge_expired(con, PURGE_DATE, 3, dry_run=True)["owed"] == 1
    with pytest.raises(DatabaseBusy) as busy:
        maintenance.compact(db)
    assert "not rewritten: rows a purge deleted since its last rewrite are still readable" in str(busy.value)
    assert maintenance.owed_contacts(con) == 1
    con.close()
    assert PURGED.encode() in db.read_bytes()

    done = maintenance.finish_rewrite(db, 1)

    assert done["rewritten"] and "The 1 purged contact(s) are gone from it." in done["message"]
    assert PURGED.encode() not in db.read_bytes()
    assert _owed(db) == 0


def test_an_open_that_cannot_do_the_owed_rewrite_yet_warns_and_goes_on(tmp_path):
    """Finding 3: every open tries the rewrite a purge owes; when the file is busy (here held by another
    connection of this process) the open still works, warns that the rows are deleted but the file not
    rewritten, and the debt stays for the next open, which pays it."""
    db = _purge_database(tmp_path)
    main(["purge", "--db", str(db), "--as-of", PURGE_DATE.isoformat(), "--no-compact"])
    holder = duckdb.connect(str(db))
    try:
        with pytest.warns(maintenance.RewriteOwed, match="Rows deleted: yes; file rewritten: no. "):
            con = store.connect(db)
        assert maintenance.owed_contacts(con) == 1
        assert (
            con.execute("select count(*) from contacts where contact_id = $id", {"id": PURGED}).fetchone()[0]
            == 0
        )
        con.close()
    finally:
        holder.close()
    assert PURGED.encode() in db.read_bytes()

    assert _owed(db) == 0  # this open did it
    assert PURGED.encode() not in db.read_bytes()


def test_a_purge_names_the_backups_that_may_still_hold_the_purged_contacts_even_after_a_restore(tmp_path):
    """Finding 4: every backup written is recorded; the purge lists those that still exist (a deleted one is
    not listed), and a restore keeps the record of backups written after the one restored."""
    db = _purge_database(tmp_path)
    backups = tmp_path / "backups"
    backups.mkdir()
    con = store.connect(db)
    written = [maintenance.backup(con, backups / f"{name}.duckdb")["path"] for name in ("a", "b", "c")]
    con.close()
    written[1].unlink()  # the user deleted b
    maintenance.restore(written[0], db)  # back to a: c was written after it, and still holds everyone
    con = store.connect(db)
    try:
        result = maintenance.purge_expired(con, PURGE_DATE, 3)
    finally:
        con.close()

    assert result["contacts"] == 1
    assert result["backups"] == [written[0], written[2]]
    assert (
        f"These backups, written before this purge, may still hold the purged contacts: {written[0]}, "
        f"{written[2]}. Delete them, or write new ones in their place." in result["message"]
    )
    assert str(written[1]) not in result["message"]


@pytest.mark.parametrize("target", ["wal", "waiting", "partial"])
def test_a_backup_onto_a_file_the_database_uses_beside_itself_is_refused(tmp_path, capsys, target):
    """Finding 11: a backup written to the database's WAL (or its waiting marker, or a temporary name this
    program sweeps) would be replayed or deleted after reporting success: refused, and nothing written."""
    db = _purge_database(tmp_path)
    out = {
        "wal": db.with_name(db.name + ".wal"),
        "waiting": store.waiting_marker(db),
        "partial": db.with_name(f".{db.name}.4242-0badcafe.partial"),
    }[target]

    code = main(["backup", "--db", str(db), "--out", str(out), "--overwrite"])

    error = capsys.readouterr().err
    assert code == 2 and error.startswith("optout-cohorts backup: ") and "choose another" in error, error
    assert not out.exists()
    con = store.connect(db)
    assert (
        con.execute("select count(*) from contacts where contact_id = $id", {"id": PURGED}).fetchone()[0] == 1
    )
    con.close()


def _dead_pid() -> int:
    """The id of a process that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("operation", ["open", "backup", "restore", "compact"])
def test_temporary_copies_left_by_a_killed_process_are_swept_at_the_next_operation(tmp_path, operation):
    """Finding 4: the temporary copies (and moved-aside WALs) of a backup, restore or compaction that was
    killed are removed by the next backup, restore, compaction or open; those of a process still writing stay."""
    db = _purge_database(tmp_path)
    backups = tmp_path / "backups"
    backups.mkdir()
    con = store.connect(db)
    backup = maintenance.backup(con, backups / "monday.duckdb")["path"]
    con.close()
    dead = _dead_pid()
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        left = [
            tmp_path / f".{db.name}.{dead}-0badcafe.partial",
            tmp_path / f".{db.name}.{dead}-0badcafe.partial.wal",
            tmp_path / f".{db.name}.wal.{dead}-12345678.partial",  # a WAL moved aside by a killed swap
            backups / f".tuesday.duckdb.{dead}-abcdef01.partial",
        ]
        alive = [
            tmp_path / f".{db.name}.{writer.pid}-feedf00d.partial",
            backups / f".x.{writer.pid}-feedf00d.partial",
        ]
        for file in (*left, *alive):
            file.write_bytes(PURGED.encode())

        if operation == "open":
            store.connect(db).close()
        elif operation == "backup":
            con = store.connect(db, readable=[backups])
            maintenance.backup(con, backups / "wednesday.duckdb")
            con.close()
        elif operation == "restore":
            maintenance.restore(backup, db)
        else:
            maintenance.compact(db)

        swept = [file for file in left if file.parent == tmp_path or operation == "backup"]
        assert [file for file in swept if file.exists()] == []
        assert all(file.exists() for file in alive)
    finally:
        writer.kill()
        writer.wait()
