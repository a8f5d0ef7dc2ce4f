"""The only place the dashboard opens the database and caches results.

One `SharedDatabase` per server process and file (st.cache_resource): it opens the file when a session needs it,
gives each call its own cursor, serialises this process's writes, and lets the file go when idle, so the CLI or a
scheduler can load data while the dashboard is open. Cached results are keyed by the database file, its data
version (the change log's last id: every load, registry edit, settings save or reset bumps it) and every
argument, so new data or changed settings never serve stale figures, and one session's unsaved choices (its
widgets) never reach another's view.

Two files: the brand's database (`user_database_path`), which starts empty and receives every upload, backup and
restore; and, while it is empty (or with `OPTOUT_COHORTS_DEMO=1`), the demo brand's database beside it, which the
pages read instead — labelled as the demo on every page (analytics/demo/database.py). They never mix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from analytics import i18n, ingest, presets, store
from analytics.demo import database as demo_database
from analytics.errors import InvalidFile, UserError, is_disk_full
from analytics.i18n import _
from analytics.ingest import mapping
from analytics.ingest.files import disk_full, expand, shown_name, stored_name
from analytics.report import cohorts, export, frozen, html, review, sections
from analytics.settings import Settings
from analytics.store import decisions, load_log, maintenance, privacy, registry, settings_store, week_closures
from analytics.store.access import SharedDatabase

T = TypeVar("T")

ENV_DEMO = "OPTOUT_COHORTS_DEMO"  # "1": show the demo brand whatever the database holds (a presentation)


def _on_open(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse a pseudonymised database without its key (a new database stays empty)."""
    privacy.check_key(con, privacy.current_key())


def _key_from_secrets() -> None:
    """The pseudonym key may sit in the dashboard's secrets ([optout_cohorts] pseudonym_key) instead of the
    environment; the analytics layer reads the environment."""
    try:
        key = st.secrets.get("optout_cohorts", {}).get("pseudonym_key")
    except StreamlitSecretNotFoundError:  # no secrets file: local use
        key = None
    if key and not os.environ.get(privacy.ENV_KEY):
        os.environ[privacy.ENV_KEY] = str(key)


@st.cache_resource(show_spinner=False)  # opening takes a moment only the first time
def _database(path: str) -> SharedDatabase:
    if path == demo_database_path():
        return SharedDatabase(path, on_open=demo_database.ensure)
    _key_from_secrets()
    return SharedDatabase(path, on_open=_on_open)


def user_database_path() -> str:
    """The brand's database: where uploads, backups and restores go."""
    return str(Path(store.default_db_path()).resolve())


def demo_database_path() -> str:
    return str(demo_database.path_beside(Path(user_database_path())))


def showing_demo() -> bool:
    """The pages show the demo brand: the brand's database is empty (or the demo was asked for)."""
    if os.environ.get(ENV_DEMO, "").strip().lower() in ("1", "true", "yes"):
        return True
    return _read(user_database_path(), demo_database.is_empty)


def database_path() -> str:
    """The database the pages read: the brand's, or the demo's while the brand's is empty."""
    return demo_database_path() if showing_demo() else user_database_path()


def _db() -> SharedDatabase:
    return _database(database_path())


def _user_db() -> SharedDatabase:
    return _database(user_database_path())


@st.cache_data(show_spinner=False, max_entries=8)
def _demo_notice(path: str, version: int, language: str) -> str | None:
    return _read(path, demo_database.notice)


def demo_notice() -> str | None:
    """The sentence that labels the demo brand's figures, when the pages show some (else None)."""
    return _demo_notice(database_path(), version(), i18n.current())


def _read(path: str, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run query(con, *args, **kwargs) on a cursor of the database, which stays open only as long as needed."""
    with _database(path).reading() as con:
        return query(con, *args, **kwargs)


def _read_now(query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return _read(database_path(), query, *args, **kwargs)


def version() -> int:
    """Grows with every change of data, registry or settings: part of every cache key."""
    return _read_now(store.data_version)


# --- reads (cached) -------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=32)
def _saved_settings(path: str, version: int) -> Settings:
    return _read(path, settings_store.load)


def saved_settings() -> Settings:
    return _saved_settings(database_path(), version())


@st.cache_data(show_spinner=False, max_entries=32)
def _latest_send_date(path: str, version: int) -> dt.date | None:
    return _read(path, cohorts.latest_send_date)


def latest_send_date() -> dt.date | None:
    return _latest_send_date(database_path(), version())


@st.cache_data(show_spinner=False, max_entries=32)
def _sources(path: str, version: int) -> list[str]:
    return [r["collection_source"] for r in _read(path, registry.rows)]


def sources() -> list[str]:
    """Every collection source of the registry or the data, for the sidebar filter."""
    return _sources(database_path(), version())


@st.cache_data(show_spinner=False, max_entries=64)
def _cohort_state(
    path: str, version: int, language: str, as_of: dt.date, settings: Settings
) -> cohorts.CohortState:
    return _read(path, cohorts.cohort_state, as_of, settings)


def cohort_state(as_of: dt.date, settings: Settings, sources: tuple[str, ...]) -> cohorts.CohortState:
    """The cohorts of the chosen sources (computed once for every choice)."""
    with st.spinner(_("Computing the cohorts…")):
        state = _cohort_state(database_path(), version(), i18n.current(), as_of, settings)
    return sections.cohort_state_of_sources(state, sources)


@st.cache_data(show_spinner=False, max_entries=64)
def _report(path: str, version: int, language: str, as_of: dt.date, settings: Settings) -> dict[str, Any]:
    return _read(path, cohorts.build_report, as_of, settings)


def cohort_report(as_of: dt.date, settings: Settings) -> dict[str, Any]:
    """The §9 report — the same figures as `optout-cohorts report` for these settings."""
    return _report(database_path(), version(), i18n.current(), as_of, settings)


def cohort_csv(as_of: dt.date, settings: Settings, csv_dialect: str = export.SPREADSHEET) -> bytes:
    """The cohort table as spreadsheet-safe CSV, in the session's language: for a spreadsheet by default
    (analytics.report.export); `export.MACHINE`: codes and fractions, the same as `optout-cohorts report
    --format csv`."""
    # The machine form reads the same in every language (as the CLI's): its sentences in the source language.
    language = i18n.SOURCE_LANGUAGE if csv_dialect == export.MACHINE else i18n.current()
    report = _report(database_path(), version(), language, as_of, settings)
    with i18n.within(language):
        return cohorts.report_csv(report, export.dialect(csv_dialect)).encode("utf-8")


def cohort_machine_csv(as_of: dt.date, settings: Settings) -> bytes:
    """The cohort table for other programs (codes, fractions, `,`, no byte-order mark): `optout-cohorts report
    --format csv`'s bytes."""
    return cohort_csv(as_of, settings, export.MACHINE)


@st.cache_data(show_spinner=False, max_entries=64)
def _window_sends(
    path: str, version: int, language: str, as_of: dt.date, settings: Settings, sources: tuple[str, ...]
):
    return _read(path, sections.window_sends, as_of, settings, sources)


def window_sends(as_of: dt.date, settings: Settings, sources: tuple[str, ...]) -> dict[str, dict[str, int]]:
    return _window_sends(database_path(), version(), i18n.current(), as_of, settings, sources)


@st.cache_data(show_spinner=False, max_entries=32)
def _data_quality(path: str, version: int, language: str, as_of: dt.date) -> list[str]:
    return _read(path, cohorts.data_quality, as_of)


def data_quality(as_of: dt.date) -> list[str]:
    return _data_quality(database_path(), version(), i18n.current(), as_of)


@st.cache_data(show_spinner=False, max_entries=32)
def _weekly_rates(
    path: str, version: int, language: str, as_of: dt.date, weeks: int, settings: Settings
) -> pd.DataFrame:
    return _read(path, cohorts.weekly_rates, as_of, weeks, settings)


def weekly_rates(as_of: dt.date, weeks: int, settings: Settings, sources: tuple[str, ...]) -> pd.DataFrame:
    """The weekly series of the chosen sources and the baseline (computed once for every choice)."""
    with st.spinner(_("Computing the weekly series…")):
        weekly = _weekly_rates(database_path(), version(), i18n.current(), as_of, weeks, settings)
    return sections.trend_rates(weekly, sources)


@st.cache_data(show_spinner=False, max_entries=32)
def _action_history(
    path: str, version: int, language: str, as_of: dt.date, weeks: int, settings: Settings
) -> list[dict[str, Any]]:
    return _read(path, cohorts.action_history, as_of, weeks, settings)


def action_history(
    as_of: dt.date, weeks: int, settings: Settings, sources: tuple[str, ...]
) -> sections.TrendActions:
    """Each week's recommended action of the chosen sources (computed once for every choice)."""
    with st.spinner(_("Computing each week's recommendation…")):
        history = _action_history(database_path(), version(), i18n.current(), as_of, weeks, settings)
    return sections.trend_actions(history, sources)


@st.cache_data(show_spinner=False, max_entries=32)
def _review(path: str, version: int, language: str, week_end: dt.date, settings: Settings) -> review.Review:
    return _read(path, frozen.meeting_review, week_end, settings)


def week_review(week_end: dt.date, settings: Settings, sources: tuple[str, ...]) -> review.Review:
    """The week's review as the meeting sees it — frozen when the week is closed (with the settings of then),
    computed with these settings when open — its rows narrowed to the chosen sources (computed once for every
    choice; closing or reopening a week changes the data version)."""
    with st.spinner(_("Computing the week's review…")):
        week = _review(database_path(), version(), i18n.current(), week_end, settings)
    return sections.review_of_sources(week, sources)


def week_closure(week_end: dt.date) -> week_closures.Closure | None:
    """The closure of the week (None while open): a small table, read fresh so a close shows at once."""
    return _read_now(week_closures.state, week_end)


def week_closure_log(week_end: dt.date | None = None) -> list[week_closures.LogEntry]:
    """Every close and reopen (of one week when given), oldest first, read fresh."""
    return _read_now(week_closures.log, week_end)


@st.cache_data(show_spinner=False, max_entries=16)
def _defaults_notice(path: str, version: int, language: str) -> str | None:
    try:
        saved = _read(path, settings_store.load)
    except (
        UserError
    ):  # invalid saved settings: the Settings page says so, and mends them; no banner meanwhile
        return None
    return frozen.defaults_notice(saved)


def defaults_notice() -> str | None:
    """The banner of every page while the saved settings differ from the guidance defaults (else None)."""
    return _defaults_notice(database_path(), version(), i18n.current())


def settings_history(limit: int = 20) -> list[settings_store.SettingChange]:
    """The latest settings changes, newest first (read fresh, so a save shows at once)."""
    return _read_now(settings_store.history, limit)


def decision_log() -> list[decisions.Decision]:
    """Every entry of the decision log (a small table, read fresh on each run so a new entry shows at once)."""
    return _read_now(decisions.entries)


def decision_log_problems() -> list[str]:
    return _read_now(decisions.verify)


def html_report_file(as_of: dt.date, settings: Settings) -> Callable[[], bytes]:
    """A download button's data: the self-contained HTML report, built only when the user clicks (outside
    the script run, so it captures the database and the session's language now)."""
    database = _db()
    language = i18n.current()

    def build() -> bytes:
        with i18n.within(language), database.reading() as con:
            return html.build_html(con, as_of, settings).encode("utf-8")

    return build


@st.cache_data(show_spinner=False, max_entries=32)
def _eligibility_status(
    path: str, version: int, language: str, as_of: dt.date, settings: Settings, sources: tuple[str, ...]
) -> sections.EligibilityStatus:
    return _read(path, sections.eligibility_status, as_of, settings, sources)


def eligibility_status(
    as_of: dt.date, settings: Settings, sources: tuple[str, ...]
) -> sections.EligibilityStatus:
    return _eligibility_status(database_path(), version(), i18n.current(), as_of, settings, sources)


@st.cache_data(show_spinner=False, max_entries=32)
def _expiring_contacts(
    path: str, version: int, language: str, as_of: dt.date, settings: Settings, sources: tuple[str, ...]
) -> pd.DataFrame:
    return _read(path, sections.expiring_contacts, as_of, settings, sources)


def expiring_contacts(as_of: dt.date, settings: Settings, sources: tuple[str, ...]) -> pd.DataFrame:
    return _expiring_contacts(database_path(), version(), i18n.current(), as_of, settings, sources)


@st.cache_data(show_spinner=False, max_entries=32)
def _violations(
    path: str, version: int, language: str, as_of: dt.date, settings: Settings, sources: tuple[str, ...]
) -> sections.Violations:
    return _read(path, sections.violations, as_of, settings, sources)


def violations(as_of: dt.date, settings: Settings, sources: tuple[str, ...]) -> sections.Violations:
    return _violations(database_path(), version(), i18n.current(), as_of, settings, sources)


@st.cache_data(show_spinner=False, max_entries=32)
def _affected_sends(
    path: str, version: int, language: str, as_of: dt.date, settings: Settings, sources: tuple[str, ...]
) -> sections.AffectedSends:
    return _read(path, sections.affected_sends, as_of, settings, sources)


def affected_sends(as_of: dt.date, settings: Settings, sources: tuple[str, ...]) -> sections.AffectedSends:
    return _affected_sends(database_path(), version(), i18n.current(), as_of, settings, sources)


def _csv_file(
    write: Callable[..., None], *args: Any, csv_dialect: str = export.SPREADSHEET
) -> Callable[[], bytes]:
    """A download button's data: a callable that runs write(con, path, *args) — a query written as
    spreadsheet-safe CSV, in DuckDB, in the dialect asked (analytics.report.export) — only when the user
    clicks, in a private temporary folder (it runs outside the script, so it captures the database and the
    session's language now)."""
    database = _db()
    language = i18n.current()
    export.dialect(csv_dialect)  # an unknown dialect fails when the button is drawn, not on click

    def build() -> bytes:
        with tempfile.TemporaryDirectory(prefix="optout-export-", dir=store.work_dir()) as folder:
            target = Path(folder) / "export.csv"
            with i18n.within(language), export.writing(csv_dialect), database.reading() as con:
                write(con, target, *args)
            return target.read_bytes()

    return build


def contact_list_csv(
    status: str,
    as_of: dt.date,
    settings: Settings,
    sources: tuple[str, ...],
    csv_dialect: str = export.SPREADSHEET,
) -> Callable[[], bytes]:
    """The purge list (status expired) or the suppression list (objected), built on click; for a spreadsheet
    in the session's language by default, `export.MACHINE` for other programs."""
    return _csv_file(sections.contact_list_csv, status, as_of, settings, sources, csv_dialect=csv_dialect)


def violation_sends_csv(
    as_of: dt.date, settings: Settings, sources: tuple[str, ...], csv_dialect: str = export.SPREADSHEET
) -> Callable[[], bytes]:
    """Every unlawful send of the window, built on click; for a spreadsheet in the session's language by
    default, `export.MACHINE` for other programs."""
    return _csv_file(sections.violation_sends_csv, as_of, settings, sources, csv_dialect=csv_dialect)


@st.cache_data(show_spinner=False, max_entries=32)
def _registry_rows(path: str, version: int, language: str) -> pd.DataFrame:
    return _read(path, registry.table)


def registry_rows() -> pd.DataFrame:
    return _registry_rows(database_path(), version(), i18n.current())


def load_history() -> pd.DataFrame:
    """The brand's database's load log (empty while the pages show the demo)."""
    return _read(user_database_path(), load_log.history)


# --- writes (serialised) --------------------------------------------------------------------------------


def _write(write, /, *args, **kwargs):
    with _db().writing() as con:
        return write(con, *args, **kwargs)


def save_settings(settings: Settings, by: str = "unknown") -> list[settings_store.SettingChange]:
    """Save the settings for everyone, logging each change under `by`; the changes logged."""
    return _write(settings_store.save, settings, by=by)


def close_week(week_end: dt.date, settings: Settings, by: str) -> week_closures.Closure:
    """Freeze the week as the meeting sees it with these settings (frozen.close_week)."""
    return _write(frozen.close_week, week_end, settings, by=by)


def reopen_week(week_end: dt.date, by: str, reason: str) -> week_closures.LogEntry:
    """Reopen a closed week, logged with who and why: it is computed again until closed again."""
    return _write(week_closures.reopen, week_end, by=by, reason=reason)


def save_registry(rows: list[dict[str, Any]]) -> int:
    return _write(registry.save, rows)


def record_decision(**entry: Any) -> decisions.Decision:
    """Append one entry to the decision log (it never changes the figures, so no cache is cleared)."""
    return _write(decisions.record, **entry)


def record_decisions(rows: list[decisions.Row], **meeting: Any) -> list[decisions.Decision]:
    """Append the meeting's decisions in one transaction (all or none): decisions.record_many."""
    return _write(decisions.record_many, rows, **meeting)


def _write_user(write, /, *args, **kwargs):
    with _user_db().writing() as con:
        return write(con, *args, **kwargs)


def empty_database() -> None:
    """Remove every loaded file's data from the brand's database (the pages then show the demo)."""
    _write_user(ingest.empty_database)


# A session's upload folder is deleted this long after its last use: Streamlit says nothing when a session ends.
# Longer than any load takes; a session still open gets its files back from the uploader (Streamlit keeps them
# in memory) at its next run.
UPLOADS_KEPT_SECONDS = 6 * 3600


def upload_folder() -> Path:
    """This browser session's own private folder for uploaded files (never shared between sessions). A new
    session first deletes the folders of sessions unused for UPLOADS_KEPT_SECONDS, and the temporary folders a
    killed process left in the work folder: copies of personal data nobody will come back for."""
    work = store.work_dir()
    uploads = store.private_folder(work / "uploads")
    if "upload_folder" not in st.session_state:
        store.sweep(uploads, UPLOADS_KEPT_SECONDS)
        store.sweep(work, UPLOADS_KEPT_SECONDS, prefix="optout-")
        st.session_state["upload_folder"] = str(uploads / uuid.uuid4().hex)
    folder = store.private_folder(Path(st.session_state["upload_folder"]))
    os.utime(folder)  # in use: the sweep spares it
    return folder


def _upload_id(uploaded) -> str:
    """The name of an upload's own folder: two files of the same name (every Klaviyo export is export.csv)
    never overwrite each other."""
    return hashlib.sha256(str(uploaded.file_id).encode()).hexdigest()[:16]


def _copy_upload(uploaded, target: Path) -> Path:
    """Write an upload (Streamlit holds it in memory) to a private file, whole or not at all."""
    partial = target.with_name(target.name + ".partial")
    uploaded.seek(0)
    try:
        with store.open_private(partial) as sink:
            shutil.copyfileobj(uploaded, sink, length=1 << 20)
    except OSError as error:
        partial.unlink(missing_ok=True)
        if is_disk_full(error):
            raise disk_full(shown_name(uploaded.name), error) from None
        raise
    os.replace(partial, target)
    return target


def _received(folder: Path, uploaded, name: str) -> list[tuple[Path, str]]:
    """One upload copied to its folder, under a short name of the product's own, and expanded — each once per
    session. A refused upload's copy is deleted at once; its refusal is remembered."""
    memo = st.session_state.setdefault("uploads_read", {})
    known = memo.get(folder.name)
    if isinstance(known, InvalidFile):
        raise known
    if known is not None and all(path.exists() for path, _ in known):
        return known
    store.private_folder(folder)
    path = folder / stored_name(uploaded.name)
    if not path.exists():
        _copy_upload(uploaded, path)
    try:
        found = list(expand([path], [name], store.private_folder(folder / "extracted")))
    except InvalidFile as error:
        shutil.rmtree(folder, ignore_errors=True)
        memo[folder.name] = error
        raise
    memo[folder.name] = found
    return found


def receive_uploads(uploads: list) -> tuple[list[tuple[Path, str]], list[InvalidFile], list[str]]:
    """What the uploader holds, ready to inspect: the files as (path, name) — a .zip's CSV files extracted, named
    'archive.zip/member.csv' — the uploads refused whole (a damaged archive, a compression bomb) and the names of
    those loaded already. Copies of files no longer in the uploader (removed or replaced) are deleted at once,
    and those of loaded files right after the load (see uploads_loaded)."""
    session = upload_folder()
    held = {_upload_id(uploaded): uploaded for uploaded in uploads}
    loaded = st.session_state.setdefault("uploads_loaded", set())
    memo = st.session_state.setdefault("uploads_read", {})
    loaded.intersection_update(held)
    for key in set(memo) - held.keys():
        del memo[key]
    for entry in session.iterdir():
        if entry.name not in held or entry.name in loaded:
            shutil.rmtree(entry, ignore_errors=True)
    files, refused, done = [], [], []
    for key, uploaded in held.items():
        name = shown_name(uploaded.name)
        if key in loaded:
            done.append(name)
            continue
        try:
            files += _received(session / key, uploaded, name)
        except InvalidFile as error:  # said on the page; the other files go on
            refused.append(error)
    return files, refused, done


def uploads_loaded(uploads: list) -> None:
    """Delete the copies of the files just loaded, and the rows set aside once offered: the database holds what
    the product keeps of them. The uploader lists them as loaded until they are removed from it."""
    session = upload_folder()
    loaded = st.session_state.setdefault("uploads_loaded", set())
    for uploaded in uploads:
        loaded.add(_upload_id(uploaded))
        shutil.rmtree(session / _upload_id(uploaded), ignore_errors=True)
    shutil.rmtree(session / "rejects", ignore_errors=True)


@st.cache_data(show_spinner=False, max_entries=64)
def _inspect(
    database: str,
    version: int,
    language: str,
    path: str,
    size: int,
    modified: int,
    name: str,
    choices: str,
    _options,
) -> ingest.Inspection:
    return _read(database, ingest.inspect, Path(path), name, _options)


def inspect(path: Path, name: str, options: ingest.Options | None = None) -> ingest.Inspection:
    """What a file would load as into the brand's database (its saved mappings included); cached per file
    content, choices and data version, so reruns of the page do not read a large file again."""
    options = options or ingest.Options()
    database = user_database_path()
    version = _read(database, store.data_version)
    stat = path.stat()
    with st.spinner(_("Reading the file…")):
        return _inspect(
            database,
            version,
            i18n.current(),
            str(path),
            stat.st_size,
            stat.st_mtime_ns,
            name,
            repr(options),
            options,
        )


def load(files: list[tuple[Path, str]], options: list[ingest.Options]) -> list[ingest.LoadResult]:
    """Load the files into the brand's database, all or none."""
    return _write_user(
        ingest.ingest_files,
        [path for path, _ in files],
        display_names=[name for _, name in files],
        options=options,
        rejects_dir=store.private_folder(upload_folder() / "rejects"),
    )


def distinct_values(path: Path, header_name: str) -> list[tuple[str, int]]:
    return _read(user_database_path(), ingest.distinct_values, path, header_name)


def save_preset(preset: presets.Preset) -> None:
    _write_user(mapping.save_preset, preset)


# --- maintenance: backup, restore, purge ---------------------------------------------------------------


def backup_now() -> dict[str, Any]:
    """A backup of the brand's whole database in backups/ beside it, named by the time (a folder the dashboard's
    connection may write)."""
    database = Path(user_database_path())
    folder = database.parent / "backups"
    folder.mkdir(exist_ok=True)
    target = folder / f"{database.stem}-{dt.datetime.now():%Y%m%d-%H%M%S}.duckdb"
    return _write_user(maintenance.backup, target)


def restore_upload(uploaded) -> dict[str, Any]:
    """Replace the brand's database with an uploaded backup. Its copy on disk — a whole database — is deleted
    right after, restored or not."""
    with tempfile.TemporaryDirectory(prefix="optout-restore-", dir=store.work_dir()) as folder:
        return restore_backup(_copy_upload(uploaded, Path(folder) / "backup.duckdb"))


def restore_backup(path: Path) -> dict[str, Any]:
    """Replace the brand's database with a backup file (DatabaseBusy while another program holds it)."""
    try:
        with _user_db().closed():
            return maintenance.restore(path, Path(user_database_path()))
    finally:
        st.cache_data.clear()  # the restored file may reuse data versions (change ids) for other data


def purge_expired(as_of: dt.date, retention_years: int) -> dict[str, Any]:
    """Delete the contacts expired on as_of (with their orders and events), then rewrite the file so that
    their bytes leave it."""
    path = database_path()  # decided before the file is closed: deciding opens the brand's database
    result = _write(maintenance.purge_expired, as_of, retention_years)
    result["compaction"] = {"message": ""}
    if result["owed"]:  # a busy file or a full disk is said plainly; the rewrite stays owed to the next open
        with _database(path).closed():
            result["compaction"] = maintenance.finish_rewrite(Path(path), result["owed"])
    return result
