"""The last codes and English a French team met (issue 15): every code of a canonical column has a label in
both languages and the Data page and the registry offer codes by those labels; a recorded decision, the review's
summary of unlawful sends and a refusal of several lines read in the reader's language and layout; the Guide and
the report say "1 semaine", never "1 semaines".

The French expected here is written by hand from the catalog's choices (README, "Language").
"""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import i18n, store
from analytics.report import review
from analytics.store.decisions import Decision
from analytics.tables import TABLES, VOCAB
from analytics.vocabulary import code_label, code_labels, weeks
from dashboard.text import md_lines
from tests.apptest import shown_text
from tests.test_data_page import ask, upload

NBSP = "\u00a0"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_code_of_every_canonical_column_has_a_label(language):
    # A code shown raw (web_form, no_loyalty_consent) is what the issue found: each vocabulary column of SPEC §4
    # has a label for each of its codes, none equal to the code itself.
    with i18n.within(language):
        for table in TABLES.values():
            for column in (c for c in table.columns if c.kind == VOCAB):
                labels = code_labels(column.name)
                assert labels is not None, (table.name, column.name)
                assert set(column.vocabulary) <= set(labels), (table.name, column.name)
                assert all(labels[code] != code for code in column.vocabulary if "_" in code)


def test_code_labels_in_french():
    with i18n.within("fr"):
        assert code_label("consent", "none") == "Sans consentement explicite"
        assert code_label("event_type", "complaint") == "Plainte pour spam"
        assert code_label("channel", "in_store") == "En magasin"
        assert code_label("notice_shown", "unknown") == "Inconnu"
        assert code_label("basis", "no_loyalty_consent") == "Sans consentement fidélité"
        assert code_label("channel", "carrier_pigeon") == "carrier_pigeon"  # unknown: as it is


def test_the_data_page_offers_the_consent_by_its_labels(tmp_path, open_app, monkeypatch):
    # A French CRM export with no consent column: the mapping form offers one consent for the whole file among
    # the three codes of SPEC §4, by their French labels, and each table by its name and what its rows are.
    monkeypatch.setenv(i18n.ENV_LANGUAGE, "fr")
    app = open_app(tmp_path / "brand.duckdb", "data")
    crm = "Adresse e-mail;Origine;Date de création\nzoe@example.fr;boutique;15/03/2024\n".encode()
    upload(app, ("crm.csv", crm, "text/csv"))
    [consent] = [w for w in app.selectbox if w.key.endswith("_const_consent")]
    assert consent.label == "ou une valeur pour Consentement"
    assert consent.options == ["—", "Opt-in", "Sans consentement explicite", "Opposé"]
    [table] = [w for w in app.selectbox if w.key.endswith("_table")]
    assert table.value == "contacts"
    assert table.options[0] == "contacts — une ligne par personne"
    # Chosen by its label, the code is what the load receives: the file lands with consent "none".
    consent.set_value("none")
    next(b for b in app.button if b.label == "Appliquer").click().run()
    assert not app.exception, app.exception
    app.button(key="load_files").click().run()
    assert not app.exception and app.success, [e.value for e in app.error]
    con = store.connect(tmp_path / "brand.duckdb")
    try:
        assert con.execute("select contact_id, consent from contacts").fetchall() == [
            ("zoe@example.fr", "none")
        ]
    finally:
        con.close()


def test_a_files_own_values_are_translated_into_labelled_codes(tmp_path, open_app, monkeypatch):
    # "oui"/"non" in a consent column are not codes: the page offers to translate each into a code, shown by
    # its label, "(telle quelle)" first.
    monkeypatch.setenv(i18n.ENV_LANGUAGE, "fr")
    app = open_app(tmp_path / "brand.duckdb", "data")
    crm = (
        "Adresse e-mail;Origine;Consentement;Date de création\n"
        "zoe@example.fr;boutique;oui;15/03/2024\n"
        "noel@example.fr;boutique;non;16/03/2024\n"
    ).encode()
    upload(app, ("crm.csv", crm, "text/csv"))
    oui = ask(app, "oui (1 ligne)")
    assert oui.options == ["(telle quelle)", "Opt-in", "Sans consentement explicite", "Opposé"]


def _decision(kind: str, action: str | None) -> Decision:
    return Decision(
        1, dt.datetime(2026, 11, 23, 9), dt.date(2026, 11, 22), "web", "stop", kind, action, "", "A", None, ""
    )


def test_a_decision_reads_in_the_readers_language():
    assert [_decision(*d).summary for d in (("follow", None), ("override", "hold"), ("postpone", None))] == [
        "follow: Stop",
        "override: Hold instead of Stop",
        "postponed (Stop recommended)",
    ]
    with i18n.within("fr"):
        assert [
            _decision(*d).summary for d in (("follow", None), ("override", "hold"), ("postpone", None))
        ] == [
            "suivie : Arrêter".replace(" :", NBSP + ":"),
            "remplacée : Maintenir au lieu de Arrêter".replace(" :", NBSP + ":"),
            "reportée (Arrêter recommandé)",
        ]


def test_the_review_names_the_bases_of_unlawful_sends_by_their_labels(own_demo_review):
    # The demo's week 2026-W47: 61 unlawful marketing sends (objected 6, expired 15, not informed 10,
    # prospect 30 — the Compliance page's figures for that week).
    english, french = own_demo_review
    assert "had no lawful basis (objected 6, expired 15, not informed 10, prospect 30)" in english
    assert "pas de base légale (opposé 6, expiré 15, non informé 10, prospect 30)" in french
    assert "not_informed" not in english + french


@pytest.fixture(scope="module")
def own_demo_review(demo_db):
    from analytics.settings import DEFAULTS

    built = review.build_review(demo_db, dt.date(2026, 11, 22), DEFAULTS)
    texts = []
    for language in ("en", "fr"):
        with i18n.within(language):
            texts.append(review.summarise(built))
    return texts


def test_a_refusal_of_several_lines_shows_them_one_under_the_other():
    # Markdown joins lines: each becomes a hard break ("  \n"); nothing reads \x0a, and each line is escaped
    # as md() escapes it.
    shown = md_lines("contacts.csv was not loaded:\n- column 'consent': *bad*\n")
    assert shown == "contacts\\.csv was not loaded\\:  \n\\- column 'consent'\\: \\*bad\\*  \n"
    assert "\\x0a" not in shown and "x0a" not in shown


def test_one_week_is_singular():
    assert weeks(1) == "1 week" and weeks(4) == "4 weeks"
    with i18n.within("fr"):
        assert weeks(1) == "1 semaine" and weeks(4) == "4 semaines"


def test_the_guide_with_a_one_week_window(tmp_path, open_app, data, monkeypatch):
    from analytics.settings import DEFAULTS
    from analytics.store import settings_store

    con = data.contact("c1").order("c1", "2025-01-10").load()
    settings_store.save(con, DEFAULTS.replace(window_weeks=1))
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    monkeypatch.setenv(i18n.ENV_LANGUAGE, "fr")
    app = open_app(path, "guide")
    assert not app.exception, app.exception
    text = shown_text(app)
    assert "La **fenêtre** couvre 1 semaine et se termine à la date du rapport" in text.replace("\n", " ")
    assert "1 semaines" not in text


def test_the_reviews_unlawful_sends_name_their_basis_in_english_too(tmp_path, open_app, data):
    # One prospect (no order) mailed a promotion on Sunday 22 Nov 2026, the last day of the reviewed week: the
    # table names the basis "Prospect" — in English too, where it used to show the code.
    con = (
        data.contact("p1", consent="none")
        .campaign("promo1", "2026-11-22")
        .send("promo1", "p1", "2026-11-22 10:00:00")
        .load()
    )
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    app = open_app(path, "review")
    assert not app.exception, app.exception
    violations = next(t.value for t in app.dataframe if "Basis" in t.value.columns)
    assert list(violations["Basis"]) == ["Prospect"]
