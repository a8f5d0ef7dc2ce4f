"""The recommendation's reasons, the action labels, the weekly summary, the digest and the HTML report in
French (analytics.i18n.within("fr")), with French formats: `45,0 %` (a no-break space before %), `1 133` (a
narrow no-break space between thousands), `22/11/2026`, weeks `S47`. Every expectation is written by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from analytics import i18n
from analytics.policy import ACTIONS, CohortFigures, recommend
from analytics.report import html as html_report
from analytics.report import review
from analytics.report.digest import digest
from analytics.settings import DEFAULTS
from analytics.store import decisions
from analytics.vocabulary import (
    basis_help,
    basis_label,
    dissatisfaction_bands,
    rate_label,
    status_label,
    years,
)
from tests.test_html_report import hostile_data
from tests.test_review import LOOSE, WEEK_END, weeks  # noqa: F401  (weeks: the fixture of the review's tests)

NBSP, NNBSP = "\u00a0", "\u202f"  # before % : ; and inside « »; between thousands


def figures(**changes) -> CohortFigures:
    """The figures of tests/test_policy.py: 1000 delivered, 100 reactions, dissatisfaction 10%, no complaint,
    engagement equal to the brand's (ramp up); each test changes only what it is about."""
    base = CohortFigures(
        collection_source="web",
        ever_sent=True,
        send_rows=10,
        soft_opt_in_contacts=1000,
        delivered=1000,
        clickers=90,
        unsubscribers=10,
        complaint_rate=0.0,
        dissatisfaction_rate=0.10,
        open_ratio=1.0,
        click_ratio=1.0,
    )
    return dataclasses.replace(base, **changes)


# ------------------------------------------------------------------------------------ the policy's words


def test_a_stop_recommendation_reads_in_french():
    # 45% against the 40% stop threshold; a complaint rate of 0.15% reaches the 0.1% warning.
    with i18n.within("fr"):
        r = recommend(figures(dissatisfaction_rate=0.45, complaint_rate=0.0015), DEFAULTS)
        label = r.label
    assert r.action == "stop"
    assert label == "Arrêter"
    assert r.reasons == (
        f"Le taux d'insatisfaction de 45,0{NBSP}% dépasse le seuil d'arrêt de 40{NBSP}%{NBSP}: des problèmes "
        "de délivrabilité sont probables.",
    )
    assert r.warnings == (
        f"Le taux de plaintes de 0,15{NBSP}% atteint le seuil de 0,1{NBSP}% sous lequel les fournisseurs de "
        "messagerie demandent aux expéditeurs en masse de rester.",
    )


def test_editorial_only_names_the_low_engagement_in_french():
    # 30% is in the starting band (20% to 40%); opens at 50% of the brand's, under the 80% tolerance.
    with i18n.within("fr"):
        r = recommend(figures(dissatisfaction_rate=0.30, open_ratio=0.5), DEFAULTS)
    assert r.action == "editorial_only"
    assert r.reasons == (
        f"Le taux d'insatisfaction de 30,0{NBSP}% est d'au moins 20{NBSP}% et d'au plus 40{NBSP}%{NBSP}: "
        "l'insatisfaction est naissante (revoir le contenu et la segmentation).",
        f"L'engagement est faible{NBSP}: son taux d'ouverture vaut 50{NBSP}% de celui de la marque (sous la "
        f"tolérance de 80{NBSP}%). N'envoyer que des newsletters éditoriales jusqu'à ce que les taux se "
        "rétablissent.",
    )


def test_counts_in_french_reasons_are_grouped_and_agree_in_number():
    with i18n.within("fr"):
        welcome = recommend(figures(ever_sent=False, soft_opt_in_contacts=1133), DEFAULTS)
        one = recommend(figures(ever_sent=False, soft_opt_in_contacts=1), DEFAULTS)
        few = recommend(figures(delivered=1, clickers=1, unsubscribers=0), DEFAULTS)
    assert welcome.reasons[0].startswith(
        f"Aucun e-mail marketing soft opt-in n'a jamais été envoyé aux 1{NNBSP}133 clients soft opt-in de cette "
        f"source{NBSP}: commencer par une série de bienvenue"
    )
    assert one.reasons[0].startswith("Aucun e-mail marketing soft opt-in n'a jamais été envoyé au 1 client ")
    assert few.reasons == (
        f"Seulement 1 e-mail délivré dans la fenêtre{NBSP}; il en faut au moins 500 pour juger une cohorte.",
        f"Seulement 1 réaction (cliqueurs + désinscrits) dans la fenêtre{NBSP}; il en faut au moins 30.",
    )


def test_reintroducing_promotions_names_the_previous_action_in_french():
    with i18n.within("fr"):
        r = recommend(figures(), DEFAULTS, previous_action="editorial_only")
    assert r.action == "reintroduce_promos"
    assert r.reasons[-1] == (
        f"L'action de la fenêtre précédente était «{NBSP}éditorial uniquement{NBSP}»{NBSP}: réintroduire les "
        "promotions avec du contenu éditorial."
    )


def test_the_same_recommendation_in_english_is_unchanged():
    with i18n.within("en"):
        r = recommend(figures(dissatisfaction_rate=0.45), DEFAULTS)
    assert r.label == "Stop"
    assert r.reasons == (
        "Dissatisfaction rate 45.0% is above the stop threshold of 40%: deliverability problems are likely.",
    )


def test_action_labels_and_meanings_follow_the_language():
    with i18n.within("fr"):
        labels = {name: action.label for name, action in ACTIONS.items()}
        meaning = ACTIONS["stop"].meaning
    assert labels == {
        "stop": "Arrêter",
        "editorial_only": "Éditorial uniquement",
        "reduce": "Réduire",
        "hold": "Maintenir",
        "ramp_up": "Augmenter la pression",
        "reintroduce_promos": "Réintroduire les promotions",
        "welcome_first": "Série de bienvenue d'abord",
        "no_recent_sends": "Aucun envoi récent",
        "insufficient_data": "Données insuffisantes",
        "no_cohort": "Aucune cohorte",
    }
    assert meaning == "Arrêter d'envoyer des e-mails marketing à cette cohorte."
    # the English msgid stays in the field, for callers that translate it themselves: _(label) is the same
    assert ACTIONS["stop"].label_text == "Stop"
    with i18n.within("fr"):
        assert i18n._(ACTIONS["stop"].label) == "Arrêter"
    assert ACTIONS["stop"].label == "Stop"


def test_vocabulary_in_french():
    with i18n.within("fr"):
        bands = [(band.label, band.limits) for band in dissatisfaction_bands(DEFAULTS, 1.0)]
        assert bands == [
            ("satisfaisant", f"sous 20{NBSP}%"),
            ("insatisfaction naissante", f"de 20{NBSP}% à 40{NBSP}%"),
            ("zone d'arrêt", f"de 40{NBSP}% à 50{NBSP}%"),
            ("au-delà", f"au-dessus de 50{NBSP}%"),
        ]
        assert (years(1), years(3)) == ("1 an", "3 ans")
        assert rate_label("open_rate") == "Taux d'ouverture"
        assert basis_label("no_loyalty_consent") == "Sans consentement fidélité"
        assert basis_help("expired", 3) == "plus de 3 ans depuis le dernier achat ou clic à la date d'envoi"
        assert status_label("expiring_soon") == "Expire bientôt"


# ------------------------------------------------------------------------------- the summary and the digest


def test_the_weekly_summary_in_french(weeks):  # noqa: F811
    # The fixture of tests/test_review.py: with stop_above at 20%, web stops (28.6% over the 4-week window,
    # 25.0% this week), as last week;
    # fair goes from welcome series first to ramp up.
    with i18n.within("fr"):
        result = review.build_review(weeks, WEEK_END, LOOSE.replace(stop_above=0.2, ramp_up_below=0.1))
    assert result.summary.startswith(
        f"Une source requiert l'attention{NBSP}: web (Arrêter{NBSP}: insatisfaction 28,6{NBSP}% sur 4 semaines, "
        f"25,0{NBSP}% cette semaine). "
        f"Ont aussi changé depuis la semaine dernière{NBSP}: fair (Série de bienvenue d'abord → Augmenter la "
        "pression). Chaque envoi marketing de cette semaine avait une base légale."
    )


def test_the_digest_in_french(weeks):  # noqa: F811
    with i18n.within("fr"):
        result = review.build_review(weeks, WEEK_END, LOOSE)
        text = digest(result)
    lines = text.splitlines()
    # 2026-03-15 is the Sunday ending ISO week 11.
    assert lines[0] == "optout-cohorts, revue hebdomadaire, semaine S11 (9 mars – 15 mars 2026)"
    assert lines[2].startswith(f"Aucune source ne requiert l'attention{NBSP}: aucune cohorte n'est à arrêter")
    assert f"Recommandations modifiées{NBSP}:" in lines
    changed = next(line for line in lines if line.startswith("- fair"))
    assert changed.startswith(
        f"- fair{NBSP}: Série de bienvenue d'abord → Augmenter la pression (insatisfaction 0,0{NBSP}% sur 4 "
        f"semaines, 0,0{NBSP}% cette semaine, pas de données la semaine précédente)"  # window: 0 / (2 + 0)
    )
    assert lines[-3:] == [
        f"Toutes les sources cette semaine{NBSP}:",
        f"- fair{NBSP}: Augmenter la pression",
        f"- web{NBSP}: Maintenir",
    ]


# --------------------------------------------------------------------------------------------- the report

DEMO_AS_OF = dt.date(2026, 11, 22)
GENERATED = dt.datetime(2026, 11, 23, 8, 30, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def french_html(demo_db):
    with i18n.within("fr"):
        return html_report.build_html(demo_db, DEMO_AS_OF, DEFAULTS, generated_at=GENERATED)


def test_the_html_report_of_the_demo_in_french(french_html):
    assert '<html lang="fr">' in french_html
    assert "<h1>Cohortes soft opt-in\u00a0: rapport hebdomadaire</h1>" in french_html
    for heading in (
        "Synthèse",
        "Ce qui a changé cette semaine",
        "Graphiques",
        "Conformité",
        "Durée de conservation",
        "Paramètres utilisés",
        "Alertes sur la qualité des données",
    ):
        assert f"<h2>{heading}</h2>" in french_html
    # the header's dates, the reviewed week and the generation time (09:30 in Paris, UTC+1 in November)
    assert "<dd>26/10/2026 – 22/11/2026</dd>" in french_html
    assert f"<dd>S47{NBSP}: 16/11/2026 – 22/11/2026</dd>" in french_html
    assert "<dt>Généré le</dt><dd>23 nov. 2026 09:30</dd>" in french_html
    # figures with a decimal comma and French grouping: partner_coreg's window dissatisfaction (62.9%) and
    # mobile_app's 1,133 soft-opt-in contacts
    assert f"62,9{NBSP}%" in french_html
    assert f"1{NNBSP}133" in french_html
    assert "Le taux d&#39;insatisfaction de 62,9" in french_html
    # the actions and the bands of the charts, the weeks of the heatmap
    assert ">Arrêter<" in french_html and ">Série de bienvenue d&#39;abord<" in french_html
    assert ">zone d&#39;arrêt<" in french_html
    assert ">S36</text>" in french_html and ">S47</text>" in french_html
    # nothing left in English among the headings
    assert "Weekly report" not in french_html and "What changed" not in french_html


def test_decisions_in_the_french_report_are_dated_in_paris_time(data):
    # A decision recorded at 23:30 UTC on 31 March 2025 was taken at 01:30 on 1 April in Paris (UTC+2).
    con = hostile_data(data)
    as_of = dt.date(2025, 3, 28)
    entry = decisions.record(
        con,
        week_end=as_of,
        decision="follow",
        note="",
        decided_by="Anne",
        collection_source="web",
        recommended_action="insufficient_data",
        now=dt.datetime(2025, 3, 31, 23, 30),
    )
    with i18n.within("fr"):
        html = html_report.build_html(con, as_of, DEFAULTS, generated_at=GENERATED)
    section = html[html.index('<section id="decisions">') : html.index('<section id="settings">')]
    assert "<th>Décidée (Europe/Paris)</th>" in section  # the brand's time zone, named
    assert '<td class="stack">01/04/2025<span>01:30</span></td>' in section
    assert '<td class="stack">28/03/2025<span>S13</span></td>' in section
    assert f"#{entry.decision_id}" in section and ">en vigueur<" in section
