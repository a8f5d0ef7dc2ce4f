"""Copies of personal data are private and short-lived (issue 13, finding 4): the work folder is this user's
alone (0o700, files 0o600) and refused when someone else made it or planted a link; an upload's copy is deleted
once loaded, removed from the uploader or refused, a restored backup's right after the restore, and what ended
sessions or killed processes left is swept."""

from __future__ import annotations

import io
import os
import stat
import time
import zipfile
from pathlib import Path

import pytest

from analytics import store
from analytics.errors import UserError
from analytics.ingest import files as csv_files
from analytics.store import maintenance
from tests.apptest import shown_text
from tests.test_data_page import load, upload

CONTACTS = b"contact_id,collection_source,consent,collected_at\nc1,boutique,none,2026-01-05\n"


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    """This test's own work folder (not yet created)."""
    folder = tmp_path / "work"
    monkeypatch.setenv(store.ENV_WORK_DIR, str(folder))
    return folder


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# --- the work folder ---------------------------------------------------------------------------------------


def test_the_work_folder_and_the_files_in_it_are_the_users_alone(work):
    assert store.work_dir() == work.resolve()
    assert mode(work) == 0o700
    with store.open_private(work / "copy.csv") as sink:
        sink.write(b"a,b\n")
    assert mode(work / "copy.csv") == 0o600


def test_a_shared_work_folder_of_ours_is_made_private(work):
    work.mkdir(mode=0o777)
    os.chmod(work, 0o777)  # the umask trimmed it
    store.work_dir()
    assert mode(work) == 0o700


def test_a_work_folder_another_user_made_is_refused(work):
    # Another user of the server creates /tmp/optout-cohorts-work first, to read what it would hold.
    work.mkdir()
    os.chown(work, 4242, 4242)
    with pytest.raises(UserError) as refused:
        store.work_dir()
    message = str(refused.value)
    assert f"{work} belongs to another user (uid 4242)" in message
    assert store.ENV_WORK_DIR in message  # how to fix it
    assert os.lstat(work).st_uid == 4242 and list(work.iterdir()) == []  # left as it was, nothing written


def test_a_work_folder_that_is_a_symlink_is_refused(work, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    work.symlink_to(elsewhere)
    with pytest.raises(UserError, match="is a symbolic link"):
        store.work_dir()
    with pytest.raises(UserError, match="is a symbolic link"):  # nothing opened on it either
        store.connect(tmp_path / "brand.duckdb")
    assert list(elsewhere.iterdir()) == []


def test_transcoded_and_extracted_copies_are_private(tmp_path):
    source = tmp_path / "clients.csv"
    source.write_bytes("Email;Prénom\nzoe@example.fr;Zoé\n".encode("cp1252"))
    copy = csv_files.read(source, "clients.csv", tmp_path).path
    assert copy != source and mode(copy) == 0o600
    with zipfile.ZipFile(tmp_path / "audience.zip", "w") as archive:
        archive.writestr("members.csv", CONTACTS)
    (tmp_path / "extracted").mkdir()
    [(member, _)] = csv_files.expand([tmp_path / "audience.zip"], ["audience.zip"], tmp_path / "extracted")
    assert member.read_bytes() == CONTACTS and mode(member) == 0o600


# --- the Data page's uploads --------------------------------------------------------------------------------


def upload_copies(work: Path) -> list[Path]:
    return files_under(work / "uploads")


def test_an_upload_is_private_and_deleted_once_loaded(tmp_path, work, open_app):
    database = tmp_path / "brand.duckdb"
    app = upload(open_app(database, "data"), ("contacts.csv", CONTACTS, "text/csv"))
    [copy] = upload_copies(work)
    assert copy.read_bytes() == CONTACTS and mode(copy) == 0o600
    assert {mode(folder) for folder in copy.parents if work in folder.parents} == {0o700}
    load(app)
    assert "Loaded 1 file(s)" in app.success[0].value
    assert upload_copies(work) == []
    app.run()  # the uploader still holds the file: it is not copied again
    assert upload_copies(work) == []
    assert "Loaded already: contacts.csv" in shown_text(app)
    assert "load_files" not in [b.key for b in app.button]


def test_the_rows_set_aside_are_offered_then_deleted(tmp_path, work, open_app):
    app = upload(
        open_app(tmp_path / "brand.duckdb", "data"),
        ("contacts.csv", CONTACTS + b"c2,boutique,none,not a date\n", "text/csv"),
    )
    next(c for c in app.checkbox if c.label.startswith("Load the valid rows")).check()
    next(w for w in app.button if w.label == "Apply").click().run()
    load(app)
    [button] = [b for b in app.download_button if "set aside" in b.label]
    assert "1 row(s) of contacts.csv set aside" in button.label
    assert upload_copies(work) == []


def test_an_upload_removed_from_the_uploader_is_deleted(tmp_path, work, open_app):
    app = upload(
        open_app(tmp_path / "brand.duckdb", "data"),
        ("clients.csv", b"zoe@example.com;Zoe\n", "text/csv"),  # refused: no header
        ("contacts.csv", CONTACTS, "text/csv"),
    )
    assert len(upload_copies(work)) == 2
    upload(app, ("contacts.csv", CONTACTS, "text/csv"))  # the refused file replaced by another one
    [copy] = upload_copies(work)
    assert copy.read_bytes() == CONTACTS
    app.file_uploader(key="upload_files").clear().run()
    assert upload_copies(work) == []


def test_an_archive_refused_whole_is_deleted_at_once(tmp_path, work, open_app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "no export here")
    app = upload(
        open_app(tmp_path / "brand.duckdb", "data"), ("audience.zip", buffer.getvalue(), "application/zip")
    )
    assert "audience.zip was not loaded" in shown_text(app) and "holds no .csv file" in shown_text(app)
    assert upload_copies(work) == []
    app.run()  # the refusal is remembered: said again, nothing copied again
    assert "audience.zip was not loaded" in shown_text(app) and upload_copies(work) == []


def test_what_ended_sessions_and_killed_processes_left_is_swept(tmp_path, work, open_app):
    uploads = work / "uploads"
    uploads.mkdir(parents=True)
    gone = [uploads / "a-session-that-ended", work / "optout-ingest-killed"]
    recent = [uploads / "a-session-still-open", work / "optout-ingest-running"]
    for folder in gone + recent:
        folder.mkdir()
        (folder / "upload.csv").write_bytes(CONTACTS)
    hours_ago = time.time() - 7 * 3600
    for folder in gone:
        os.utime(folder, (hours_ago, hours_ago))
    open_app(tmp_path / "brand.duckdb", "data")
    assert [folder.exists() for folder in gone] == [False, False]
    assert [folder.exists() for folder in recent] == [True, True]


# --- restoring an uploaded backup ----------------------------------------------------------------------------


def restore(app, name: str, content: bytes):
    app.file_uploader(key="restore_upload").set_value((name, content, "application/octet-stream")).run()
    app.checkbox(key="confirm_restore").check().run()
    app.button(key="restore_backup").click().run()
    assert not app.exception, app.exception
    return app


def test_an_uploaded_backup_is_deleted_right_after_the_restore(tmp_path, work, open_app):
    source = tmp_path / "source.duckdb"
    con = store.connect(source, readable=[tmp_path])
    from analytics import ingest

    (tmp_path / "contacts.csv").write_bytes(CONTACTS)
    ingest.ingest_files(con, [tmp_path / "contacts.csv"])
    backup = maintenance.backup(con, tmp_path / "backup.duckdb")["path"]
    con.close()
    database = tmp_path / "brand.duckdb"
    app = restore(open_app(database, "data"), "backup.duckdb", backup.read_bytes())
    assert "restored from" in shown_text(app)
    assert files_under(work) == []
    check = store.connect(database)
    assert check.execute("select contact_id from contacts").fetchall() == [("c1",)]
    check.close()


def test_a_refused_backup_upload_is_deleted_too(tmp_path, work, open_app):
    app = restore(open_app(tmp_path / "brand.duckdb", "data"), "backup.duckdb", b"not a database at all")
    assert "is not a DuckDB database file" in shown_text(app)
    assert files_under(work) == []
