"""The Data page in French (issue 15): its titles and form labels, a refused file said in French with its file,
row and column, the usual French headers suggested for their fields, and the date advice written in the file's
own day/month order — in English too, since giving "2026-03-15" as the example for a dd/mm/yyyy file was wrong.

The expected texts are written here by hand, from the French the page must show.
"""

from __future__ import annotations

from analytics import i18n
from analytics.ingest import mapping
from analytics.tables import TABLES
from tests.apptest import shown_text
from tests.test_data_page import ask, upload

NBSP = "\u00a0"

# A French CRM export: French headers, ';' as French Excel writes it, dates day first.
FRENCH_CRM = (
    "Adresse e-mail;Origine;Consentement;Date de création\n"
    "zoe@example.fr;boutique;opt_in;15/03/2024\n"
    "noel@example.fr;boutique;none;16/03/2024\n"
).encode()
# Canonical columns, dates day first, row 3 (the header is row 1) holds 31 February.
BAD_DATE = (
    b"contact_id;collection_source;consent;collected_at\n"
    b"zoe@example.fr;boutique;opt_in;15/03/2024\n"
    b"noel@example.fr;boutique;none;31/02/2024\n"
)


def in_french(monkeypatch, open_app, tmp_path):
    monkeypatch.setenv(i18n.ENV_LANGUAGE, "fr")
    app = open_app(tmp_path / "brand.duckdb", "data")
    assert not app.exception, app.exception
    return app


def test_the_data_page_speaks_french(tmp_path, open_app, monkeypatch):
    app = in_french(monkeypatch, open_app, tmp_path)
    assert [t.value for t in app.title] == ["Données"]
    assert [h.value for h in app.header] == [
        "Historique des imports",
        "Vider la base",
        "Sauvegarde et restauration",
    ]
    assert [b.label for b in app.button] == [
        "Vider la base",
        "Sauvegarder maintenant",
        "Restaurer cette sauvegarde",
    ]
    text = shown_text(app)
    assert "Importez des exports CSV" in text
    assert "Rien n'a encore été importé." in text
    assert "Votre base (" in text and f") est vide{NBSP}: les autres pages" in text
    labels = [c.label for c in app.checkbox]
    assert "Je comprends que les données importées jusqu'ici seront supprimées" in labels


def test_a_refused_file_is_said_in_french_with_its_file_row_and_column(tmp_path, open_app, monkeypatch):
    app = upload(in_french(monkeypatch, open_app, tmp_path), ("contacts.csv", BAD_DATE, "text/csv"))
    [error] = errors(app)
    assert error.startswith(
        f"contacts.csv n'a pas été importé comme contacts{NBSP}; rien n'en a été écrit{NBSP}:"
    )
    assert f"colonne 'collected_at'{NBSP}: contient des valeurs qui ne sont pas une date telle que" in error
    assert f"— 1 ligne{NBSP}: ligne 3 ('31/02/2024')" in error
    # the fix gives the example in the file's own order: its dates are written day first
    assert error.endswith(f"Correction{NBSP}: écrivez une date telle que 15/03/2026")
    assert "load_files" not in [b.key for b in app.button]
    assert any(
        w.startswith("Certains fichiers ne peuvent pas être importés tels quels") for w in warnings(app)
    )


def test_the_date_advice_follows_the_files_day_month_order_in_english_too(tmp_path, open_app):
    app = upload(open_app(tmp_path / "brand.duckdb", "data"), ("contacts.csv", BAD_DATE, "text/csv"))
    [error] = errors(app)
    assert "row 3 ('31/02/2024')" in error
    assert error.endswith("Fix: write a date such as 15/03/2026")
    # a file of ISO dates keeps the ISO example
    iso = (
        BAD_DATE.replace(b";", b",")
        .replace(b"15/03/2024", b"2024-03-15")
        .replace(b"31/02/2024", b"2024-02-31")
    )
    app = upload(open_app(tmp_path / "iso.duckdb", "data"), ("contacts.csv", iso, "text/csv"))
    [error] = errors(app)
    assert error.endswith("Fix: write a date such as 2026-03-15")


def test_french_headers_are_suggested_for_their_fields_under_french_labels(tmp_path, open_app, monkeypatch):
    app = upload(in_french(monkeypatch, open_app, tmp_path), ("crm.csv", FRENCH_CRM, "text/csv"))
    # no export matches: the page says so in French and opens the mapping form, the usual headers suggested
    assert "ne correspondent à aucune table ni à aucun préréglage d'export connus" in shown_text(app)
    assert next(c for c in app.checkbox if c.label == "Faire correspondre les colonnes moi-même").value
    assert ask(app, "Table").value == "contacts"
    suggested = {
        "Adresse e-mail / identifiant (obligatoire)": "Adresse e-mail",
        "Source de collecte (obligatoire)": "Origine",
        "Consentement (obligatoire)": "Consentement",
        "Date de collecte (obligatoire)": "Date de création",
        "Date de désinscription": "—",
    }
    for label, column in suggested.items():
        assert ask(app, label).value == column, label
    assert (
        ask(app, "Adresse e-mail / identifiant").help
        == f"Attendu{NBSP}: un identifiant non vide. Champ contact_id."
    )
    # applied, the file loads as contacts, and the date help gives the file's own order
    next(b for b in app.button if b.label == "Appliquer").click().run()
    assert not app.exception, app.exception
    assert "→ **contacts**" in " ".join(m.value for m in app.markdown)
    assert ask(app, "Date de collecte").help == (
        f"Attendu{NBSP}: une date telle que 15/03/2026. Champ collected_at."
    )
    assert "load_files" in [b.key for b in app.button]
    assert next(b for b in app.button if b.key == "load_files").label == "Importer 1 fichier"
    app.button(key="load_files").click().run()
    assert not app.exception, app.exception
    assert app.success[0].value == "1 fichier importé. Chaque page montre désormais les nouvelles données."
    # the load summary: the mapping made on the page is used as a preset of its own
    assert (
        f"crm.csv → contacts (préréglage correspondance pour upload.csv){NBSP}: 2 lignes, 2 nouvelle(s)"
        in (shown_text(app))
    )


def test_usual_headers_are_suggested_for_every_table():
    header = ["Date de commande", "Montant", "E-mail", "Catégorie"]
    assert mapping.suggested_table(header) == "orders"
    assert mapping.suggested_columns(header, TABLES["orders"]) == {
        "contact_id": "E-mail",
        "order_date": "Date de commande",
        "amount": "Montant",
        "category": "Catégorie",
    }
    events = ["Identifiant campagne", "Email", "Type d'événement", "Date d'envoi"]
    assert mapping.suggested_columns(events, TABLES["events"]) == {
        "campaign_id": "Identifiant campagne",
        "contact_id": "Email",
        "event_type": "Type d'événement",
    }
    assert mapping.suggested_columns(["Date d'envoi", "ID campagne"], TABLES["campaigns"]) == {
        "campaign_id": "ID campagne",
        "sent_at": "Date d'envoi",
    }
    # accents and case do not count, as French spreadsheets write them or not
    assert mapping.suggested_columns(["DATE DE DESINSCRIPTION", "Opt-in"], TABLES["contacts"]) == {
        "consent": "Opt-in",
        "opted_out_at": "DATE DE DESINSCRIPTION",
    }


def test_field_labels_are_french_and_the_code_names_stay_in_english():
    with i18n.within("fr"):
        assert mapping.field_label("contact_id") == "Adresse e-mail / identifiant"
        assert mapping.field_label("opted_out_at") == "Date de désinscription"
        assert (
            mapping.expected(TABLES["contacts"].column("collected_at"), "dmy")
            == "une date telle que 15/03/2026"
        )
        assert mapping.expected(TABLES["orders"].column("amount")) == "un nombre tel que 49,90"
    with i18n.within("en"):
        assert mapping.field_label("contact_id") == "contact_id"
        assert mapping.expected(TABLES["events"].column("occurred_at"), "mdy") == (
            "a date or date-time such as 03/15/2026 or 03/15/2026 09:30"
        )
    # every canonical field has a label
    assert {c.name for t in TABLES.values() for c in t.columns} <= set(mapping.FIELD_LABELS)


def warnings(app) -> list[str]:
    return [w.value for w in app.warning]


def errors(app) -> list[str]:
    """The page's error messages without their Markdown escapes."""
    return [e.value.replace("\\", "") for e in app.error]
