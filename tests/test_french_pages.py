"""Weekly review, Eligibility & retention, Compliance and Settings in French on the demo brand (AppTest).

Each page is run in English first and the French figures are written here by hand from its English ones: French
groups thousands with a narrow no-break space (U+202F), writes a percentage with a decimal comma and a no-break
space (U+00A0) before "%", and dates as "22 nov. 2026" (text) or DD/MM/YYYY (table columns).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from analytics import i18n, store
from analytics.settings import from_mapping
from tests.apptest import PAGES, shown_text, table

NNBSP, NBSP = "\u202f", "\u00a0"


def in_language(monkeypatch, open_app, path, page, language):
    monkeypatch.setenv(i18n.ENV_LANGUAGE, language)
    app = open_app(path, page)
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    return app


def metrics(app) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def column_formats(app, index) -> dict[str, str]:
    """The format of each column of a table whose column_config sets one, as the browser receives it."""
    columns = json.loads(app.dataframe[index].proto.columns)
    return {
        name: c["type_config"]["format"]
        for name, c in columns.items()
        if "format" in c.get("type_config", {})
    }


def shown_values(app, index):
    """The table as the browser shows it: its cells' display values (dashboard/tables.readable writes French
    counts and rates there, so the browser's own locale never decides them)."""
    import pyarrow as pa

    styler = app.dataframe[index].proto.arrow_data.styler
    return pa.ipc.open_stream(styler.display_values).read_all().to_pandas()


def french_count(english: str) -> str:
    """3,933 → 3 933 (narrow no-break space), by hand."""
    return english.replace(",", NNBSP)


def test_weekly_review_in_french(demo_file, monkeypatch, open_app):
    english = in_language(monkeypatch, open_app, demo_file, "review", "en")
    english_rows = table(english, 0).set_index("Source")
    assert (
        english_rows.loc["contest", "Delivered this week"] == 1530
    )  # the demo's week ending Sun 22 Nov 2026
    assert english_rows.loc["contest", "Dissatisfaction this week"] == "8.6%"
    assert english.selectbox(key="review_week").options[0] == "2026-W47 (16 Nov – 22 Nov 2026)"

    app = in_language(monkeypatch, open_app, demo_file, "review", "fr")
    assert app.title[0].value == "Revue hebdomadaire"
    assert [s.value for s in app.subheader][:2] == [
        "Recommandations et taux, actions modifiées en premier",
        "Décisions",
    ]
    week = app.selectbox(key="review_week")
    assert week.label == "Semaine revue"
    assert week.options[0] == "S47 (16 nov. – 22 nov. 2026)"  # ISO week 47, French dates
    rows = table(app, 0).set_index("Source")
    assert list(rows.columns[:5]) == [
        "Action",
        "Insatisfaction sur 4 semaines",  # the window's rate, beside the action it decided
        "Semaine précédente",
        "Changé",
        "Délivrés cette semaine",
    ]
    assert rows.loc["contest", "Action"] == "Réduire"
    assert rows.loc["call_center", "Action"] == "Éditorial uniquement"
    assert rows.loc["contest", "Délivrés cette semaine"] == 1530  # the same count, a number (it sorts)...
    shown = shown_values(app, 0).set_index("Source")
    assert shown.loc["contest", "Délivrés cette semaine"] == "1" + NNBSP + "530"  # ...written the French way
    assert "Délivrés cette semaine" not in column_formats(app, 0)  # no browser format over it
    assert rows.loc["contest", "Insatisfaction cette semaine"] == "8,6" + NBSP + "%"
    assert rows.loc["contest", "Insatisfaction vs semaine précédente"] == "▼ -5,1 pts"
    caption = " ".join(c.value for c in app.caption)
    assert (
        "Référence de la marque cette semaine" + NBSP + ": taux d'insatisfaction 16,1" + NBSP + "%" in caption
    )
    assert "se terminant le 22 nov. 2026" in shown_text(app)
    labels = [b.proto.label for b in app.get("download_button")]
    assert labels == ["Télécharger le rapport HTML", "Télécharger le tableau des cohortes (CSV)"]


def test_a_decision_recorded_in_french_is_shown_with_french_dates(own_demo, monkeypatch, open_app):
    app = in_language(monkeypatch, open_app, own_demo, "review", "fr")
    app.selectbox(key="decide:2026-11-22:kind:partner_coreg").set_value("follow")
    app.text_input(key="reviewer_name").set_value("Anne M.")
    app.button(key="save_decisions").click().run()
    assert not app.exception and app.success
    saved = [s.value.replace("\\", "") for s in app.success]
    assert any(s.startswith("1 décision enregistrée" + NBSP + ": #1 partner_coreg") for s in saved), saved
    log = table(app, -1)
    # recorded times in the brand's time zone (default Europe/Paris), the header naming it
    assert list(log.columns[:3]) == ["#", "Enregistrée (Europe/Paris)", "Fin de semaine"]
    assert log.loc[0, "Fin de semaine"] == dt.date(2026, 11, 22)
    assert column_formats(app, -1) == {
        "Enregistrée (Europe/Paris)": "DD/MM/YYYY HH:mm:ss",
        "Fin de semaine": "DD/MM/YYYY",
    }


def test_eligibility_in_french(demo_file, monkeypatch, open_app):
    english = in_language(monkeypatch, open_app, demo_file, "eligibility", "en")
    shown = metrics(english)
    assert shown["May receive marketing"] == "3,933" and shown["Must be purged"] == "1,683"
    english_labels = [b.proto.label for b in english.get("download_button")]
    assert english_labels[0] == "Purge list (1,683 expired contacts)"

    app = in_language(monkeypatch, open_app, demo_file, "eligibility", "fr")
    assert app.title[0].value == "Éligibilité et conservation"
    french = metrics(app)
    assert list(french) == [
        "Joignables en marketing",
        "Joignables en fidélité",
        "À purger",
        "Expirent sous 90 jours",
    ]
    assert (
        french["Joignables en marketing"]
        == french_count(shown["May receive marketing"])
        == "3" + NNBSP + "933"
    )
    assert french["À purger"] == "1" + NNBSP + "683"
    assert french["Expirent sous 90 jours"] == shown["Expiring within 90 days"]  # below 1,000: no separator
    assert app.caption[0].value.startswith("Statut de chaque contact au 22 nov. 2026.")
    status = table(app, 0)
    assert list(status.columns) == [
        "Source",
        "Contacts",
        "Opt-in",
        "Soft opt-in",
        "Non informé",
        "Prospects",
        "Opposé",
        "Expiré",
    ]
    assert column_formats(app, 0) == {}  # no browser format: the counts are written by the product
    assert french_count("1,251") in set(shown_values(app, 0)["Opposé"])  # call_center's 1,251 objected
    labels = [b.proto.label for b in app.get("download_button")]
    assert labels[0] == "Liste de purge (1" + NNBSP + "683 contacts expirés)"
    assert labels[1].startswith("Liste d'opposition (5" + NNBSP + "036 ")
    assert app.button(key="purge_expired").label == "Purger les contacts expirés"


def test_compliance_in_french(demo_file, monkeypatch, open_app):
    english = in_language(monkeypatch, open_app, demo_file, "compliance", "en")
    counts = metrics(english)
    assert english.caption[0].value.startswith("Marketing sends of the window 26 Oct 2026 – 22 Nov 2026")

    app = in_language(monkeypatch, open_app, demo_file, "compliance", "fr")
    assert app.title[0].value == "Conformité"
    # The unlawful bases, named as the CNIL's vocabulary does, with the English page's counts.
    assert metrics(app) == {
        "Opposé": counts["Objected"],
        "Expiré": counts["Expired"],
        "Sans consentement fidélité": counts["No loyalty consent"],
        "Non informé": counts["Not informed"],
        "Prospect": counts["Prospect"],
    }
    assert app.caption[0].value.startswith("Envois marketing de la fenêtre 26 oct. 2026 – 22 nov. 2026")
    per_campaign = table(app, 1)
    assert list(per_campaign.columns) == ["Date d'envoi", "Campagne", "Type", "Base légale", "Envois"]
    assert "Sans consentement fidélité" in set(per_campaign["Base légale"])
    assert "Fidélité" in set(per_campaign["Type"])  # the email type's label, not its code
    assert column_formats(app, 1) == {"Date d'envoi": "DD/MM/YYYY"}  # counts written by the product
    assert "Sans consentement fidélité" in table(app, 0).columns
    warnings = " ".join(w.value for w in app.warning)
    assert "**trade\\_show**" + NBSP + ": preuve manquante" in warnings
    assert app.header[0].value == "Registre des sources"
    assert app.button(key="save_registry").label == "Enregistrer le registre des sources"


def test_settings_in_french_show_and_take_percentages_and_save_fractions(own_demo, monkeypatch, open_app):
    english = in_language(monkeypatch, open_app, own_demo, "settings", "en")
    assert english.number_input(key="setting_stop_above").label == "Stop above"
    assert english.number_input(key="setting_stop_above").value == 0.4

    app = in_language(monkeypatch, open_app, own_demo, "settings", "fr")
    assert app.title[0].value == "Paramètres"
    stop = app.number_input(key="setting_stop_above_percent")
    assert (stop.label, stop.value) == ("Arrêter au-dessus de (%)", 40.0)  # 0.40, as a percentage
    assert app.number_input(key="setting_complaint_stop_percent").value == 0.3
    assert app.number_input(key="setting_min_delivered").label == "Délivrés minimum"
    assert app.selectbox(key="setting_baseline").options == [
        "envois licites (opt-in + soft opt-in)",
        "opt-in seul",
    ]
    captions = [c.value for c in app.caption]
    assert any(
        c.endswith(
            "Par défaut 40" + NBSP + "% — Recommandations de la CNIL sur la pression marketing (SPEC §3)."
        )
        for c in captions
    )
    # 70 % typed in French is saved as the fraction 0.7, as the English page and the CLI take it.
    stop.set_value(70.0)
    app.button(key="save_settings").click().run()
    assert not app.exception
    assert (
        app.success[0].value
        == "Paramètres enregistrés" + NBSP + ": toutes les pages les utilisent désormais."
    )
    con = store.connect(own_demo)
    assert con.execute("select value from settings where name = 'stop_above'").fetchall() == [("0.7",)]
    con.close()
    app.switch_page(PAGES["health"]).run()
    assert table(app).set_index("Source").loc["partner_coreg", "Action"] == "Éditorial uniquement"
    assert (
        in_language(monkeypatch, open_app, own_demo, "settings", "en")
        .number_input(key="setting_stop_above")
        .value
        == 0.7
    )


def test_settings_refused_in_french_keep_the_percentages_typed(own_demo, monkeypatch, open_app):
    app = in_language(monkeypatch, open_app, own_demo, "settings", "fr")
    app.number_input(key="setting_ramp_up_below_percent").set_value(50.0)
    app.button(key="save_settings").click().run()
    assert not app.exception and not app.success
    # The rule's names and values are the settings' codes and fractions, as the CLI's --setting takes them.
    assert (
        app.error[0]
        .value.replace("\\", "")
        .startswith(
            "Paramètres non enregistrés"
            + NBSP
            + ": ramp_up_below (0.5) doit être inférieur à stop_above (0.4)"
            + NBSP
            + ": sinon toute cohorte non arrêtée compterait comme satisfaite"
        )
    )
    assert app.number_input(key="setting_ramp_up_below_percent").value == 50.0
    con = store.connect(own_demo)
    assert con.execute("select count(*) from settings").fetchone()[0] == 0
    con.close()


def test_a_refused_setting_is_explained_in_french_and_in_english_as_before():
    with i18n.within("fr"), pytest.raises(ValueError) as refused:
        from_mapping({"window_weeks": 0, "baseline": "everyone"})
    assert str(refused.value) == (
        "window_weeks doit valoir au moins 1, pas 0; baseline prend l'une des valeurs lawful, opt_in, pas 'everyone'"
    )
    with i18n.within("en"), pytest.raises(ValueError) as refused:
        from_mapping({"window_weeks": 0, "baseline": "everyone"})
    assert (
        str(refused.value)
        == "window_weeks must be at least 1, not 0; baseline takes one of lawful, opt_in, not 'everyone'"
    )
