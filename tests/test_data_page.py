"""The Data page and the demo, driven with AppTest as a marketer uses them: platform exports dropped on the page,
the form filled, Load pressed — and the demo brand never mixed with a brand's data.

Each test starts from a new, empty database (the pages then show the demo, labelled) unless it says otherwise.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from analytics import demo, store
from analytics.demo import database as demo_database
from analytics.ingest import mapping
from tests.apptest import shown_text, table

FIXTURES = Path(__file__).parent / "fixtures" / "presets"


def fixture(folder: str, name: str | None = None) -> tuple[str, bytes, str]:
    """(file name, bytes, mime type) of a fixture, as the browser uploads it."""
    path = FIXTURES / folder / name if name else next(p for p in (FIXTURES / folder).glob("*.csv"))
    return (path.name, path.read_bytes(), "text/csv")


def upload(app, *files: tuple[str, bytes, str]):
    app.file_uploader(key="upload_files").set_value(list(files)).run()
    assert not app.exception, app.exception
    return app


def ask(app, label_start: str):
    """The widget whose label starts so (what the page asks)."""
    for kind in ("text_input", "selectbox", "radio"):
        for widget in getattr(app, kind):
            if widget.label.startswith(label_start):
                return widget
    raise AssertionError(f"the page does not ask {label_start!r}: {shown_text(app)[:2000]}")


def asked(app, label_start: str) -> list:
    return [
        w
        for kind in ("text_input", "selectbox", "radio")
        for w in getattr(app, kind)
        if w.label.startswith(label_start)
    ]


def apply(app, index: int = 0):
    [w for w in app.button if w.label == "Apply"][index].click().run()
    assert not app.exception, app.exception
    return app


def load(app):
    app.button(key="load_files").click().run()
    assert not app.exception, app.exception
    return app


def rows(path: Path, sql: str) -> list[tuple]:
    con = store.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# --- the demo never mixes with a brand's data ----------------------------------------------------------------


def test_a_new_database_shows_the_demo_labelled_and_stays_empty(tmp_path, open_app):
    database = tmp_path / "brand.duckdb"
    app = open_app(database)
    assert not app.exception
    # the demo brand: its report date and its ten sources and the baseline
    assert app.date_input(key="as_of").value == demo.DEMO_AS_OF
    assert len(table(app)) == 11
    assert "Demo data" in shown_text(app) and "fictional" in shown_text(app)
    # ... read from a database of its own: the brand's database holds nothing
    assert rows(database, "select count(*) from load_log") == [(0,)]
    assert rows(database, "select count(*) from contacts") == [(0,)]
    assert demo_database.path_beside(database).exists()


def test_the_first_upload_replaces_the_demo_with_the_brands_data_only(tmp_path, open_app):
    # A brand's first files: 2 clients of its one source "boutique" mailed once.
    database = tmp_path / "brand.duckdb"
    app = open_app(database, "data")
    assert "Your database" in shown_text(app) and "is empty" in shown_text(app)
    contacts = (
        b"contact_id,collection_source,consent,collected_at\n"
        b"c1,boutique,none,2026-01-05\nc2,boutique,none,2026-01-06\n"
    )
    orders = b"contact_id,order_date\nc1,2026-01-05\nc2,2026-01-06\n"
    campaigns = b"campaign_id,sent_at,email_type\nk1,2026-11-20T09:00:00,promo\n"
    events = (
        b"campaign_id,contact_id,event_type,occurred_at\nk1,c1,delivered,2026-11-20T09:00:00\n"
        b"k1,c2,delivered,2026-11-20T09:00:00\nk1,c1,click,2026-11-20T10:00:00\n"
    )
    upload(
        app,
        ("contacts.csv", contacts, "text/csv"),
        ("orders.csv", orders, "text/csv"),
        ("campaigns.csv", campaigns, "text/csv"),
        ("events.csv", events, "text/csv"),
    )
    load(app)
    assert "Loaded 4 file(s)" in app.success[0].value
    app.switch_page("views/health.py").run()
    # Only the brand's source and the baseline; no demo source, no demo label.
    assert list(table(app)["Source"]) == ["boutique", "Baseline (whole brand)"]
    assert "Demo data" not in shown_text(app)
    assert rows(database, "select count(*) from contacts") == [(2,)]


def test_a_database_an_earlier_version_seeded_with_the_demo_is_labelled(tmp_path, open_app):
    database = tmp_path / "old.duckdb"
    con = store.connect(database)
    from analytics import ingest

    ingest.ingest_files(con, demo_database.files())
    con.close()
    app = open_app(database)
    assert "also holds the demo brand's files" in shown_text(app)


# --- platform exports on the page ------------------------------------------------------------------------------


def test_an_export_that_needs_a_value_asks_for_it_then_loads(tmp_path, open_app):
    # Issue 12: a Mailchimp audience file crashed the page ("'contacts (preset mailchimp_subscribed)' is not in
    # list"). It now says which export it is and asks for the collection source; given, the 6 contacts load.
    database = tmp_path / "brand.duckdb"
    app = upload(open_app(database, "data"), fixture("mailchimp_subscribed"))
    assert "preset mailchimp_subscribed" in shown_text(app)
    assert "load_files" not in [b.key for b in app.button]  # nothing to load until it is given
    ask(app, "Collection source").set_value("newsletter_form")
    apply(app)
    assert "→ **contacts**" in " ".join(m.value for m in app.markdown)
    load(app)
    assert rows(database, "select collection_source, consent, count(*) from contacts group by all") == [
        ("newsletter_form", "opt_in", 6)
    ]


def test_a_campaign_report_asks_for_the_legal_basis(tmp_path, open_app):
    # Klaviyo's campaign export (the product's headline upload): 5 rows, by hand from the fixture.
    database = tmp_path / "brand.duckdb"
    app = upload(open_app(database, "data"), fixture("klaviyo_campaigns"))
    ask(app, "Legal basis").set_value("soft_opt_in")
    apply(app)
    load(app)
    assert rows(database, "select count(*), sum(delivered), min(basis) from campaign_stats") == [
        (5, 18226 + 9538 + 18221 + 11869 + 636, "soft_opt_in")
    ]


def test_a_tie_between_two_exports_is_asked_never_guessed(tmp_path, open_app):
    # Mailchimp's non-subscribed file renamed: its header is the subscribed file's, so the page asks which it is.
    database = tmp_path / "brand.duckdb"
    _, content, mime = fixture("mailchimp_nonsubscribed")
    app = upload(open_app(database, "data"), ("customers.csv", content, mime))
    choice = ask(app, "This file's columns match several exports equally")
    assert choice.options == ["mailchimp_subscribed", "mailchimp_nonsubscribed"]
    assert "load_files" not in [b.key for b in app.button]
    choice.set_value("mailchimp_nonsubscribed")
    apply(app)
    ask(app, "Collection source").set_value("web_checkout")
    apply(app)
    load(app)
    assert rows(database, "select consent, count(*) from contacts group by all") == [("none", 3)]


def test_the_mailchimp_zip_is_opened_on_the_page(tmp_path, open_app):
    # The audience export as Mailchimp delivers it: one zip, three files, each read with its own preset.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for folder in ("mailchimp_subscribed", "mailchimp_unsubscribed", "mailchimp_cleaned"):
            name, content, _ = fixture(folder)
            zipped.writestr(f"audience_export_5d4c3b2a19/{name}", content)
    database = tmp_path / "brand.duckdb"
    app = upload(
        open_app(database, "data"), ("audience_export_5d4c3b2a19.zip", buffer.getvalue(), "application/zip")
    )
    text = shown_text(app)
    for preset in ("mailchimp_subscribed", "mailchimp_unsubscribed", "mailchimp_cleaned"):
        assert f"preset {preset}" in text
    for index in range(3):  # each file's own form, applied in turn
        asked(app, "Collection source")[index].set_value("newsletter_form")
        apply(app, index)
    load(app)
    # 6 subscribed + 5 unsubscribed (each with an opposition date) + 5 cleaned
    assert rows(database, "select count(*), count(opted_out_at) from contacts") == [(16, 5)]


def test_a_pdf_named_csv_is_said_to_be_a_pdf(tmp_path, open_app):
    app = upload(
        open_app(tmp_path / "brand.duckdb", "data"),
        ("export.csv", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", "text/csv"),
    )
    assert "it is a PDF document, not a CSV file" in shown_text(app)
    assert not asked(app, "Table")  # no mapping form for a file that is not a CSV


def test_a_headerless_file_is_refused_and_its_first_row_stored_nowhere(tmp_path, open_app):
    database = tmp_path / "brand.duckdb"
    headerless = (
        b"zoe.martin@example.com;Zoe;0612345678;12 rue de Rivoli;2024-03-01\n"
        b"noel@example.com;Noel;0611;1 rue;2024-03-02\n"
    )
    app = upload(open_app(database, "data"), ("clients.csv", headerless, "text/csv"))
    text = shown_text(app)
    assert "the header row is missing" in text and "zoe.martin" not in text
    assert "load_files" not in [b.key for b in app.button]
    stored = rows(database, "select count(*) from load_log") + rows(database, "select count(*) from presets")
    assert stored == [(0,), (0,)]


def test_a_saved_mapping_keeps_its_value_translations_when_rows_are_set_aside(tmp_path, open_app):
    # Issue 12: with invalid rows, the page used to start "adjusting" with blank translations that replaced the
    # saved mapping's. The saved mapping says abonné → opt_in, désabonné → objected; one row has no date.
    database = tmp_path / "brand.duckdb"
    header = ["Email", "Statut", "Date inscription"]
    con = store.connect(database)
    mapping.save_preset(
        con,
        mapping.user_preset(
            "crm boutique",
            header,
            "contacts",
            columns={"contact_id": "Email", "consent": "Statut", "collected_at": "Date inscription"},
            constants={"collection_source": "in_store"},
            values={"consent": {"abonné": "opt_in", "désabonné": "objected"}},
            date_order=None,
        ),
    )
    con.close()
    crm = (
        "Email;Statut;Date inscription\n"
        "zoe@example.fr;abonné;15/03/2024\nnoel@example.fr;désabonné;16/03/2024\nx@example.fr;abonné;\n"
    )
    app = upload(open_app(database, "data"), ("crm.csv", crm.encode("cp1252"), "text/csv"))
    assert "preset crm boutique" in shown_text(app)
    next(c for c in app.checkbox if c.label.startswith("Load the valid rows")).check()
    apply(app)
    load(app)
    assert rows(database, "select contact_id, consent from contacts order by 1") == [
        ("noel@example.fr", "objected"),
        ("zoe@example.fr", "opt_in"),
    ]
    # the row set aside is offered at once, with why
    [button] = [b for b in app.download_button if "set aside" in b.label]
    assert "1 row(s) of crm.csv set aside" in button.label


def test_pages_run_on_a_database_without_contacts(tmp_path, open_app):
    # Issue 12: Cohort health raised a KeyError on a database with events but no contacts yet.
    from analytics import ingest

    database = tmp_path / "events-only.duckdb"
    path = tmp_path / "events.csv"
    path.write_text("campaign_id,contact_id,event_type,occurred_at\nk1,c1,delivered,2026-11-20T09:00:00\n")
    con = store.connect(database, readable=[path])
    ingest.ingest_files(con, [path])
    con.close()
    from tests.apptest import PAGES

    for page in PAGES:
        app = open_app(database, page)
        assert not app.exception, (page, app.exception)
    app = open_app(database)
    assert list(table(app)["Source"]) == ["Baseline (whole brand)"]


# --- file names (issue 13, finding 11) ------------------------------------------------------------------------


def test_a_300_character_file_name_loads_under_a_short_name(tmp_path, open_app, monkeypatch):
    # The copy on disk used to take the upload's name: 300 characters is past what a file system allows (255
    # bytes), so the page showed a traceback. The copy now has a short name of its own; messages and the load log
    # show the name clipped.
    monkeypatch.setenv(store.ENV_WORK_DIR, str(tmp_path / "work"))
    database = tmp_path / "brand.duckdb"
    long_name = "contacts_" + "x" * 287 + ".csv"
    contacts = b"contact_id,collection_source,consent,collected_at\nc1,boutique,none,2026-01-05\n"
    app = upload(open_app(database, "data"), (long_name, contacts, "text/csv"))
    shown = long_name[:99] + "…"
    assert f"{shown}** → **contacts**" in shown_text(app)
    load(app)
    assert rows(database, "select file_name, rows_added from load_log") == [(shown, 1)]


def test_odd_file_names_and_archive_members_are_stored_safely(tmp_path, open_app, monkeypatch):
    work = tmp_path / "work"
    monkeypatch.setenv(store.ENV_WORK_DIR, str(work))
    database = tmp_path / "brand.duckdb"
    orders = b"contact_id,order_date\nc1,2026-01-05\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr(
            "../../" + "é" * 200 + ".csv", b"campaign_id,sent_at,email_type\nk1,2026-11-20T09:00:00,promo\n"
        )
    app = upload(
        open_app(database, "data"),
        ("../../etc/orders\n\t.csv", orders, "text/csv"),
        ("export.zip", buffer.getvalue(), "application/zip"),
    )
    load(app)
    names = [name for (name,) in rows(database, "select file_name from load_log order by table_name")]
    assert names[0].startswith("export.zip/éééé") and names[0].endswith("…") and len(names[0].encode()) < 255
    assert names[1] == "orders??.csv"
    assert not list(tmp_path.parent.glob("etc")) and not (work.parent / "etc").exists()
