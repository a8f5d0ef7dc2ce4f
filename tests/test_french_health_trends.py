"""Cohort health, Trends and the Guide in French on the demo brand (AppTest), and the sidebar's language menu.

The French figures are written here by hand from the demo's numbers (3,933 lawful contacts on 22 Nov 2026, …):
French groups thousands with a narrow no-break space (U+202F) and puts a no-break space (U+00A0) before "%".
"""

from __future__ import annotations

import json

import pytest

from analytics import demo, i18n, store
from analytics.settings import DEFAULTS
from tests.apptest import table
from tests.builders import build_report

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.fixture
def french(monkeypatch):
    monkeypatch.setenv(i18n.ENV_LANGUAGE, "fr")


def charts(app) -> list[tuple[dict, dict]]:
    """(figure, config) of every Plotly chart of the page, as the browser receives them."""
    return [(json.loads(c.proto.spec), json.loads(c.proto.config)) for c in app.get("plotly_chart")]


def test_cohort_health_in_french(demo_file, french, open_app):
    app = open_app(demo_file)
    assert not app.exception and not app.error
    assert app.title[0].value == "Santé des cohortes"
    metrics = {m.label: m.value for m in app.metric}
    # The demo's lawful reach: opt-in + soft-opt-in contacts on the report date, 3,933 in English.
    expected = build_report(store.connect(demo_file), demo.DEMO_AS_OF.isoformat(), DEFAULTS)
    assert (
        sum(c["eligibility"]["opt_in"] + c["eligibility"]["soft_opt_in"] for c in expected["cohorts"]) == 3933
    )
    assert metrics["Audience licite"] == "3" + NNBSP + "933"
    assert metrics["Part en soft opt-in"] == "69,1" + NBSP + "%"
    # The window of the demo's report date (Sunday 22 Nov 2026, 4 weeks), dates as French writes them.
    assert app.caption[0].value.startswith(
        "Clients en soft opt-in par source de collecte, fenêtre 26 oct. 2026 – 22 nov. 2026 (4 semaines)"
    )
    shown = table(app)
    assert list(shown.columns[:3]) == ["Source", "Action", "Délivrés"]
    assert "Taux de désinscription" in shown.columns and "Insatisfaction" in shown.columns
    assert shown["Source"].iloc[-1] == "Référence (toute la marque)"
    # The first source's detail: 257 openers of 1,884 delivered = 13.64% with two decimals.
    detail = table(app, 1).set_index("Indicateur")
    assert detail.loc["Délivrés", "Cette source"] == "1" + NNBSP + "884"
    assert detail.loc["Ouvreurs", "Cette source"] == "257"
    assert detail.loc["Taux d'ouverture", "Cette source"] == "13,64" + NBSP + "%"

    (bars, config), (scatter, _scatter_config) = charts(app)
    assert bars["layout"]["title"]["text"].startswith("Taux d'insatisfaction par source")
    assert bars["layout"]["xaxis"]["title"]["text"] == "taux d'insatisfaction"  # horizontal bars
    assert scatter["layout"]["xaxis"]["title"]["text"].startswith("engagement par rapport à la marque")
    assert bars["layout"]["separators"] == "," + NNBSP  # decimal comma, narrow no-break space for thousands
    assert config["locale"] == "fr"
    fr = config["locales"]["fr"]["format"]
    assert (fr["decimal"], fr["thousands"]) == (",", NNBSP)
    assert fr["months"][10] == "novembre" and fr["shortMonths"][10] == "nov."
    assert fr["days"][0] == "dimanche"  # plotly.js lists the days from Sunday


def test_trends_in_french(demo_file, french, open_app):
    app = open_app(demo_file, "trends")
    assert not app.exception and not app.error
    assert app.title[0].value == "Tendances"
    assert [t.label for t in app.tabs] == [
        "Insatisfaction",
        "Taux d'ouverture",
        "Taux de clic",
        "Taux de plaintes",
    ]
    history = table(app)
    # The last three ISO weeks up to 22 Nov 2026 (week 47), written as French teams do, and the actions' labels.
    assert list(history.columns)[-3:] == ["S45", "S46", "S47"]
    assert history.loc["marketplace"].iloc[-1] == "Réintroduire les promotions"
    figures = charts(app)
    weekly = figures[0][0]
    # small multiples: the weeks' title under the lowest panel of each column
    x_titles = {
        axis["title"]["text"]
        for name, axis in weekly["layout"].items()
        if name.startswith("xaxis") and "title" in axis
    }
    assert x_titles == {"Semaine ISO (lundi)"}
    assert weekly["layout"]["xaxis"]["tickformat"] == "S%V"
    assert weekly["layout"]["separators"] == "," + NNBSP
    assert {c["locale"] for _figure, c in figures} == {"fr"}
    heatmap = figures[-1][0]
    assert heatmap["layout"]["title"]["text"] == "Action recommandée à la fin de chaque semaine"
    assert heatmap["data"][0]["x"][-1] == "S47"


def test_guide_in_french(demo_file, french, open_app):
    app = open_app(demo_file, "guide")
    assert not app.exception and not app.error
    text = app.markdown[-1].value
    assert "### Qui peut recevoir des e-mails marketing" in text
    assert "### La revue hebdomadaire" in text
    # Default thresholds: stop above 40%, ramp up below 20%, complaints stopped at 0.3%.
    assert "insatisfaction au-dessus de 40" + NBSP + "%" in text
    assert "plaintes pour spam à 0,3" + NBSP + "% ou plus" in text


def test_english_charts_keep_plotlys_defaults(demo_file, open_app):
    app = open_app(demo_file)  # in English: tests/conftest.py sets OPTOUT_COHORTS_LANGUAGE=en
    (bars, config), _scatter = charts(app)
    assert config == {} and "separators" not in bars["layout"]
    assert bars["layout"]["xaxis"]["title"]["text"] == "dissatisfaction rate"


def test_french_is_the_default_and_the_menu_switches_to_english(demo_file, monkeypatch, open_app):
    # No language asked for anywhere: a French team's server opens in French; the menu turns this session to
    # English, and back.
    monkeypatch.delenv(i18n.ENV_LANGUAGE, raising=False)
    app = open_app(demo_file)
    assert app.selectbox(key="language").value == "fr"
    assert app.title[0].value == "Santé des cohortes"
    assert {m.label: m.value for m in app.metric}["Audience licite"] == "3" + NNBSP + "933"
    assert charts(app)[0][1]["locale"] == "fr"
    app.selectbox(key="language").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "Cohort health"
    assert {m.label: m.value for m in app.metric}["Lawful reach"] == "3,933"
    assert charts(app)[0][1] == {}
    app.selectbox(key="language").set_value("fr").run()
    assert app.title[0].value == "Santé des cohortes"


def test_access_configuration_problems_in_french():
    # What the login gate shows a visitor when access control is not set up (the pure checks of auth.py).
    from dashboard import auth

    with i18n.within("fr"):
        exposed = auth.network_problem("0.0.0.0", auth.AccessConfig(require_login=False), {})
        _providers, problems = auth.auth_problems({"redirect_uri": "https://cohorts.brand.fr/oauth2callback"})
    assert exposed.startswith(
        "Le tableau de bord serait servi sur toutes les interfaces réseau sans connexion" + NBSP + ": "
    )
    assert "[auth] n'a pas de cookie_secret." in problems
    with i18n.within("en"):
        assert auth.network_problem("0.0.0.0", auth.AccessConfig(require_login=False), {}).startswith(
            "The dashboard would be served on every network interface with no login: "
        )
