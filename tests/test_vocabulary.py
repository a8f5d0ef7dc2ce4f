"""The rule vocabulary (analytics/vocabulary.py) is the one home of what a person reads about a rule: the
dissatisfaction bands, the rate, basis and status labels, how a figure and a threshold are written, and the
"in line" rule of the policy.

Expected values are worked out by hand in each test from the settings it uses; colours and labels are written
out so that a changed one is a deliberate change.
"""

from __future__ import annotations

import ast
import dataclasses
import math

import pandas as pd
import pytest

from analytics import store, vocabulary
from analytics.policy import CohortFigures, engagement_in_line, ratio_in_line, recommend
from analytics.report import charts as report_charts
from analytics.report.cohorts import ELIGIBILITY_FIELDS
from analytics.settings import DEFAULTS
from analytics.store import settings_store
from analytics.tables import BASES
from analytics.vocabulary import (
    BASIS_ORDER,
    STATUS_LABELS,
    BandLook,
    band_bounds,
    basis_help,
    basis_label,
    dissatisfaction_bands,
    percent,
    threshold,
)
from dashboard import charts as dashboard_charts
from dashboard import text as dashboard_text
from tests.apptest import shown_text

GREEN_BAND = "rgba(30, 132, 73, 0.12)"
ORANGE_BAND = "rgba(211, 84, 0, 0.12)"
STOP_BAND = "rgba(176, 58, 46, 0.16)"
BEYOND_BAND = "rgba(176, 58, 46, 0.26)"


# --- numbers as text -----------------------------------------------------------------------------------------


def test_a_threshold_is_written_exactly_a_figure_with_its_decimals():
    # 0.425 × 100 = 42.5 → "42.5%", never the "42%" of a 0-decimal format (Python rounds 42.5 half to even).
    assert threshold(0.425) == "42.5%"
    assert f"{0.425:.0%}" == "42%"  # the rounding the Guide used to show
    assert (threshold(0.4), threshold(0.0), threshold(0.003), threshold(0.0015)) == (
        "40%",
        "0%",
        "0.3%",
        "0.15%",
    )
    assert percent(0.1234) == "12.3%" and percent(0.1234, 2) == "12.34%"
    assert percent(None) == "no data"


def test_the_dashboard_percent_is_the_vocabularys_with_a_dash_for_no_data():
    # dashboard.text.percent is vocabulary.percent with the on-screen mark for a null, not a function of its own.
    assert dashboard_text.percent.func is vocabulary.percent
    assert dashboard_text.percent(None) == "—"
    assert dashboard_text.percent(0.4251) == "42.5%" and dashboard_text.percent(0.4251, 2) == "42.51%"


# --- the dissatisfaction bands -------------------------------------------------------------------------------


def test_band_bounds_follow_the_settings():
    # ramp up below 15%, stop above 45%: satisfied 0–15%, starting 15–45%, stop band 45% up to the guidance's
    # 50%, beyond from 50% without end.
    settings = DEFAULTS.replace(ramp_up_below=0.15, stop_above=0.45)
    assert band_bounds(settings) == {
        "satisfied": (0.0, 0.15),
        "starting": (0.15, 0.45),
        "stop_band": (0.45, 0.5),
        "beyond": (0.5, math.inf),
    }
    # On an axis ending at 70%: beyond is cut at 70%; the limits as the legend writes them.
    drawn = dissatisfaction_bands(settings, 0.7)
    assert [(b.low, b.high, b.label, b.colour) for b in drawn] == [
        (0.0, 0.15, "satisfied", GREEN_BAND),
        (0.15, 0.45, "starting", ORANGE_BAND),
        (0.45, 0.5, "stop band", STOP_BAND),
        (0.5, 0.7, "beyond", BEYOND_BAND),
    ]
    assert [b.limits for b in drawn] == ["below 15%", "15% to 45%", "45% to 50%", "above 50%"]
    # stop above 55%: the stop band runs 55–55%, empty, so it is not drawn; beyond starts at 55%.
    settings = DEFAULTS.replace(stop_above=0.55)
    assert band_bounds(settings)["stop_band"] == (0.55, 0.55)
    assert [(b.name, b.low, b.high) for b in dissatisfaction_bands(settings, 0.7)] == [
        ("satisfied", 0.0, 0.2),
        ("starting", 0.2, 0.55),
        ("beyond", 0.55, 0.7),
    ]
    # An axis ending at 30% with the defaults shows satisfied 0–20% and starting 20–30% only.
    assert [(b.name, b.high) for b in dissatisfaction_bands(DEFAULTS, 0.3)] == [
        ("satisfied", 0.2),
        ("starting", 0.3),
    ]


def _plotly_bands(figure) -> list[tuple[float, float, str]]:
    """(low, high, colour) of the bands behind a dashboard chart, in drawing order: rows across the plot
    (y0, y1), or columns (x0, x1) on the bars whose rate runs along x."""
    return [
        ((s.x0, s.x1) if s.yref == "y domain" else (s.y0, s.y1)) + (s.fillcolor,)
        for s in figure.layout.shapes
        if s.type == "rect"
    ]


def _plotly_texts(figure) -> set[str]:
    return {a.text for a in figure.layout.annotations}


def test_the_dashboard_and_the_report_draw_the_same_bands_from_one_definition(monkeypatch):
    # Ramp up below 15%, stop above 45%, one cohort at 65%. Both axes end where the report's does: max(50% + 10,
    # 45% + 10, 65% + 2 points) = 67%, up to the next tenth: 70%. The same top, so the same four bands and
    # colours on both; the dashboard names each band wide enough to hold its name (the 45–50% stop band, 5 of
    # 70 points, is too narrow on the bars: its colour and the report's legend say it).
    settings = DEFAULTS.replace(ramp_up_below=0.15, stop_above=0.45)
    frame = pd.DataFrame([{"collection_source": "web", "dissatisfaction_rate": 0.65, "action": "stop"}])
    expected = [
        (0.0, 0.15, GREEN_BAND, "satisfied"),
        (0.15, 0.45, ORANGE_BAND, "starting"),
        (0.45, 0.5, STOP_BAND, "stop band"),
        (0.5, pytest.approx(0.7), BEYOND_BAND, "beyond"),
    ]
    bars = dashboard_charts.figure_dissatisfaction_by_source(frame, settings)
    assert _plotly_bands(bars) == [(low, high, colour) for low, high, colour, _ in expected]
    assert {"satisfied", "starting", "beyond"} <= _plotly_texts(bars)
    svg = [
        (b["low"], b["high"], b["colour"], b["label"])
        for b in report_charts.bar_chart([("web", 0.65, "stop")], settings)["bands"]
    ]
    assert svg == expected
    legend = report_charts.band_legend(settings)
    assert [(b["colour"], b["label"]) for b in legend] == [(c, label) for _, _, c, label in expected]

    # Changing the stop band's look in the vocabulary, and only there, changes it on both charts, the report's
    # legend and its small multiples: neither reader keeps a copy of its own.
    monkeypatch.setitem(vocabulary.BAND_LOOKS, "stop_band", BandLook("STOP HERE", "rgba(1, 2, 3, 0.5)"))
    changed = (0.45, 0.5, "rgba(1, 2, 3, 0.5)")
    assert _plotly_bands(dashboard_charts.figure_dissatisfaction_by_source(frame, settings))[2] == changed
    weekly = pd.DataFrame(
        {
            "week_start": pd.to_datetime(["2026-11-02"]),
            "collection_source": ["web"],
            "dissatisfaction_rate": [0.3],
        }
    )
    trend = dashboard_charts.figure_weekly_rate(weekly, "dissatisfaction_rate", settings)
    assert _plotly_bands(trend)[2] == changed
    svg = report_charts.bar_chart([("web", 0.65, "stop")], settings)["bands"][2]
    assert (svg["low"], svg["high"], svg["colour"], svg["label"]) == (*changed, "STOP HERE")
    assert report_charts.sparkline([0.3], [0.3], 0.7, settings)["bands"][2]["colour"] == "rgba(1, 2, 3, 0.5)"
    assert report_charts.band_legend(settings)[2]["label"] == "STOP HERE"


def test_the_reports_small_multiples_write_their_thresholds_exactly():
    # Ticks at 0, ramp_up_below and stop_above: with a stop threshold of 0.425, "42.5%", not "42%".
    ticks = report_charts.sparkline([0.3], [0.3], 0.6, DEFAULTS.replace(stop_above=0.425))["ticks"]
    assert [t["label"] for t in ticks] == ["0%", "20%", "42.5%"]


def test_no_module_defines_the_vocabulary_again():
    # Outside analytics/vocabulary.py (and formats.py, how a figure is written), no module of the product
    # defines percent(), threshold() or versus(),
    # assigns the stop band's top, the rate labels or the band looks, or writes a band colour.
    root = store.PROJECT_ROOT
    homes = {root / "analytics" / "vocabulary.py", root / "analytics" / "formats.py"}
    colours = (GREEN_BAND, ORANGE_BAND, STOP_BAND, BEYOND_BAND)
    names = {"STOP_BAND_TOP", "RATE_LABELS", "BAND_LOOKS", "BAND_SATISFIED", "BAND_STARTING", "BAND_STOP"}
    found = []
    for path in sorted([*(root / "analytics").rglob("*.py"), *(root / "dashboard").rglob("*.py")]):
        if path in homes:
            continue
        source = path.read_text(encoding="utf-8")
        found += [f"{path.name}: colour {c}" for c in colours if c in source]
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and node.name in {"percent", "threshold", "versus"}:
                found.append(f"{path.name}: def {node.name}")
            if isinstance(node, ast.Assign):
                found += [
                    f"{path.name}: {t.id} ="
                    for t in node.targets
                    if isinstance(t, ast.Name) and t.id in names
                ]
    assert found == []


# --- bases and statuses --------------------------------------------------------------------------------------


def test_basis_help_uses_the_retention_setting():
    # retention_years 5 → "5 years"; 1 → "1 year" (not "1 years"); the default 3 → "3 years".
    assert basis_help("expired", 5) == "more than 5 years since the last purchase or click at the send date"
    assert basis_help("expired", 1) == "more than 1 year since the last purchase or click at the send date"
    assert "3 years" in basis_help("expired", DEFAULTS.retention_years)
    assert basis_help("prospect", 5) == "no purchase before the send"
    assert basis_label("no_loyalty_consent") == "No loyalty consent"
    assert [basis_label(b) for b in ("opt_in", "soft_opt_in")] == ["Opt-in", "Soft opt-in"]
    # Every basis of SPEC §5 has its words, in the order of the rules (first match wins).
    assert sorted(BASIS_ORDER) == sorted(BASES)
    assert BASIS_ORDER[:2] == ("objected", "expired") and BASIS_ORDER[-1] == "prospect"


def test_every_eligibility_status_has_a_label():
    assert set(STATUS_LABELS) == set(ELIGIBILITY_FIELDS)
    assert (STATUS_LABELS["prospect"], STATUS_LABELS["expiring_soon"]) == ("Prospect", "Expiring soon")


# --- the "in line" rule of the policy (SPEC §8) --------------------------------------------------------------


def _figures(open_ratio, click_ratio, dissatisfaction_rate) -> CohortFigures:
    # enough data (1000 delivered, 100 reactions), no complaint: only dissatisfaction and engagement decide.
    return CohortFigures(
        collection_source="web",
        ever_sent=True,
        send_rows=10,
        soft_opt_in_contacts=1000,
        delivered=1000,
        clickers=90,
        unsubscribers=10,
        complaint_rate=0.0,
        dissatisfaction_rate=dissatisfaction_rate,
        open_ratio=open_ratio,
        click_ratio=click_ratio,
    )


def test_a_ratio_is_in_line_at_the_tolerance_and_when_null():
    assert ratio_in_line(0.80, 0.80)  # exactly the tolerance: in line
    assert not ratio_in_line(0.7999, 0.80)
    assert ratio_in_line(1.5, 0.80)
    assert ratio_in_line(None, 0.80)  # baseline rate 0 or null: counts as in line
    assert ratio_in_line(0.0, 0.0)  # a tolerance of 0 accepts everything


@pytest.mark.parametrize(
    ("open_ratio", "click_ratio", "in_line"),
    [
        (0.80, 0.80, True),
        (None, None, True),
        (None, 0.80, True),
        (1.20, 0.7999, False),
        (0.7999, None, False),
        (0.0, 2.0, False),
    ],
)
def test_engagement_in_line_decides_hold_and_ramp_up(open_ratio, click_ratio, in_line):
    # Both ratios must be in line. Dissatisfaction 30% (20–40%): hold when in line, else editorial only;
    # 10% (below 20%), no complaint: ramp up when in line, else reduce.
    assert engagement_in_line(_figures(open_ratio, click_ratio, 0.30), DEFAULTS) is in_line
    assert recommend(_figures(open_ratio, click_ratio, 0.30), DEFAULTS).action == (
        "hold" if in_line else "editorial_only"
    )
    assert recommend(_figures(open_ratio, click_ratio, 0.10), DEFAULTS).action == (
        "ramp_up" if in_line else "reduce"
    )
    assert recommend(_figures(open_ratio, click_ratio, 0.10), DEFAULTS, "stop").action == (
        "reintroduce_promos" if in_line else "reduce"
    )


def test_a_tolerance_setting_moves_the_boundary():
    figures = _figures(0.75, 0.75, 0.10)
    assert not engagement_in_line(figures, DEFAULTS)  # 75% < 80%
    assert engagement_in_line(figures, DEFAULTS.replace(engagement_tolerance=0.75))  # 75% ≥ 75%
    lower = dataclasses.replace(figures, click_ratio=0.7499)
    assert not engagement_in_line(lower, DEFAULTS.replace(engagement_tolerance=0.75))  # 74.99% < 75%


# --- the Guide -----------------------------------------------------------------------------------------------


def test_the_guide_states_the_thresholds_as_the_policy_does(tmp_path, open_app, data):
    # A stop threshold of 0.425 and a retention of 5 years, saved as a user would. The policy writes 0.425 as
    # threshold(0.425) = "42.5%" (0.425 × 100, trailing zeros dropped) in its reasons; the Guide must say the
    # same, and nowhere "42%" (what 0.425 gave with the old "{:.0%}").
    con = data.contact("c1").order("c1", "2025-01-10").load()
    settings = DEFAULTS.replace(stop_above=0.425, retention_years=5)
    settings_store.save(con, settings)
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    reason = recommend(_figures(1.0, 1.0, 0.50), settings).reasons[0]
    assert reason == (
        "Dissatisfaction rate 50.0% is above the stop threshold of 42.5%: deliverability problems are likely."
    )
    app = open_app(path, "guide")
    assert not app.exception, app.exception
    text = shown_text(app)
    assert (
        "| Stop | dissatisfaction above 42.5% (the guidance band is 40–50%), or complaints at 0.3% or more |"
        in text
    )
    assert "| Hold | dissatisfaction from 20% to 42.5%, engagement in line:" in text
    assert "42%" not in text
    # The basis list of the Guide is the vocabulary's, with the saved retention.
    assert "2. **expired** — more than 5 years since the last purchase or click at the send date;" in text
    assert "at most **5 years after the person's last" in text


def test_compliance_explains_expired_with_the_saved_retention(tmp_path, open_app, data):
    # With retention_years = 5 saved, the Expired metric's help on Compliance reads the vocabulary's phrase
    # with "5 years" (basis_help), never the "3 years" the page used to hard-code.
    con = data.contact("c1").order("c1", "2025-01-10").load()
    settings_store.save(con, DEFAULTS.replace(retention_years=5))
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    app = open_app(path, "compliance")
    assert not app.exception, app.exception
    helps = {metric.label: metric.help for metric in app.metric}
    assert helps["Expired"] == "Expired: more than 5 years since the last purchase or click at the send date."
    assert (
        helps["No loyalty consent"]
        == "No loyalty consent: a loyalty email to someone without loyalty consent."
    )
    assert not any("3 years" in (text or "") for text in helps.values())
