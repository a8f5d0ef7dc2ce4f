"""The Plotly chart builders of the dashboard (dashboard/charts.py), each built from a tiny frame written by hand:
its traces, the guidance bands and threshold lines at the settings' values, the labels, and the colours of the
shared palette (an action looks the same on every chart and in the HTML report).

Expected values are worked out by hand from the frame and the default settings: ramp up below 20%, stop above
40%, the guidance's stop band up to 50%, engagement tolerance 80%, complaint warning 0.1% and stop 0.3%.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics.report.palette import ACTION_COLOURS, BASELINE_COLOUR
from analytics.settings import DEFAULTS
from analytics.vocabulary import BAND_LOOKS
from dashboard import charts

BAND_SATISFIED, BAND_STARTING, BAND_STOP, BAND_BEYOND = (
    BAND_LOOKS[name].colour for name in ("satisfied", "starting", "stop_band", "beyond")
)

GREEN, RED, ORANGE, GREY = "#1E8449", "#B03A2E", "#D35400", "#5D6D7E"  # ramp_up, stop, editorial_only, hold


def bands(figure) -> list[tuple[float, float, str]]:
    """(low, high, fill colour) of the bands drawn behind the data: horizontal bands (y0, y1) across the plot,
    or, on the bars whose rate runs along x, columns (x0, x1) from bottom to top."""
    found = []
    for shape in figure.layout.shapes:
        if shape.type == "rect" and shape.xref == "x domain":
            found.append((shape.y0, shape.y1, shape.fillcolor))
        elif shape.type == "rect" and shape.yref == "y domain":
            found.append((shape.x0, shape.x1, shape.fillcolor))
    return found


def lines(figure) -> list[tuple[str, float, str, str]]:
    """(orientation, position, colour, dash) of the threshold lines."""
    found = []
    for shape in figure.layout.shapes:
        if shape.type == "line":
            vertical = shape.yref == "y domain"
            found.append(
                (
                    "v" if vertical else "h",
                    shape.x0 if vertical else shape.y0,
                    shape.line.color,
                    shape.line.dash,
                )
            )
    return found


def annotations(figure) -> list[str]:
    return [a.text for a in figure.layout.annotations]


def test_the_palette_is_the_one_the_charts_use():
    # Written out here so that a changed colour is a deliberate change: the legend of the HTML report and the
    # badges of the tables use the same values.
    assert (ACTION_COLOURS["ramp_up"], ACTION_COLOURS["stop"]) == (GREEN, RED)
    assert (ACTION_COLOURS["editorial_only"], ACTION_COLOURS["hold"]) == (ORANGE, GREY)
    assert BAND_SATISFIED == "rgba(30, 132, 73, 0.12)"
    assert BAND_STARTING == "rgba(211, 84, 0, 0.12)"
    assert BAND_STOP == "rgba(176, 58, 46, 0.16)"
    assert BAND_BEYOND == "rgba(176, 58, 46, 0.26)"
    assert BASELINE_COLOUR == "#1F2A33"


# --- bars: dissatisfaction per source ----------------------------------------------------------------------

COHORTS = pd.DataFrame(
    [
        # web: dissatisfaction 10%, ramp up; shop 45%, stop; fair has no rate (nobody clicked or unsubscribed)
        {"collection_source": "web", "dissatisfaction_rate": 0.10, "action": "ramp_up"},
        {"collection_source": "shop", "dissatisfaction_rate": 0.45, "action": "stop"},
        {"collection_source": "fair", "dissatisfaction_rate": None, "action": "insufficient_data"},
    ]
)


def test_dissatisfaction_bars_per_source_coloured_by_action():
    figure = charts.figure_dissatisfaction_by_source(COHORTS, DEFAULTS)
    # One horizontal bar trace per action met, in the policy's order (stop before ramp up): the legend.
    stop, ramp_up = figure.data
    assert (stop.type, stop.orientation) == ("bar", "h")
    # fair has no rate: no bar (not a bar at 0); names on the y axis, rates along x
    assert (list(stop.y), list(stop.x)) == (["shop"], [0.45])
    assert (list(ramp_up.y), list(ramp_up.x)) == (["web"], [0.10])
    assert (stop.marker.color, ramp_up.marker.color) == (RED, GREEN)
    assert (stop.name, ramp_up.name) == ("Stop", "Ramp up")
    assert [list(c) for c in stop.customdata] == [["Stop"]]
    # The axis reaches max(0.5 + 0.1, 0.40 + 0.1, 0.45 + 0.02) = 0.6 (analytics.report.charts.axis_top); the
    # bands: satisfied 0–20%, starting 20–40%, stop band 40–50%, beyond 50–60%.
    assert list(figure.layout.xaxis.range) == pytest.approx([0, 0.6])
    assert figure.layout.xaxis.tickformat == ".0%"
    assert bands(figure) == [
        (0.0, 0.2, BAND_SATISFIED),
        (0.2, 0.4, BAND_STARTING),
        (0.4, 0.5, BAND_STOP),
        (0.5, pytest.approx(0.6), BAND_BEYOND),
    ]
    # the labels of the HTML report's bands (analytics/vocabulary.py), the beyond band included, then the
    # thresholds' lines with their values
    assert annotations(figure) == [
        "satisfied",
        "starting",
        "stop band",
        "beyond",
        "ramp up below 20%",
        "stop above 40%",
    ]
    assert lines(figure) == [("v", 0.2, GREEN, "dash"), ("v", 0.4, RED, "dash")]
    assert figure.layout.title.text == (
        "Dissatisfaction rate per source (unsubscribes ÷ (clicks + unsubscribes))"
    )


def test_dissatisfaction_bars_follow_the_settings_and_the_highest_rate():
    # stop_above 0.45, ramp_up_below 0.25; a rate of 0.90 lifts the axis to 0.92, rounded up to the tenth: 1.0.
    frame = pd.DataFrame([{"collection_source": "web", "dissatisfaction_rate": 0.90, "action": "stop"}])
    settings = DEFAULTS.replace(stop_above=0.45, ramp_up_below=0.25)
    figure = charts.figure_dissatisfaction_by_source(frame, settings)
    assert list(figure.layout.xaxis.range) == pytest.approx([0, 1.0])
    assert bands(figure) == [
        (0.0, 0.25, BAND_SATISFIED),
        (0.25, 0.45, BAND_STARTING),
        (0.45, 0.5, BAND_STOP),
        (0.5, pytest.approx(1.0), BAND_BEYOND),
    ]
    # A stop threshold at 50% or above leaves no stop band (empty bands are not drawn).
    figure = charts.figure_dissatisfaction_by_source(frame, DEFAULTS.replace(stop_above=0.5))
    assert [(low, high) for low, high, _ in bands(figure)] == [
        (0.0, 0.2),
        (0.2, 0.5),
        (0.5, pytest.approx(1.0)),
    ]


# --- scatter: dissatisfaction against engagement ------------------------------------------------------------


def test_dissatisfaction_against_engagement():
    frame = pd.DataFrame(
        [
            # engagement = the lower of the two ratios: web min(1.2, 0.9) = 0.9; shop min(0.5, —) = 0.5
            {
                "collection_source": "web",
                "dissatisfaction_rate": 0.10,
                "open_ratio": 1.2,
                "click_ratio": 0.9,
                "delivered": 400,
                "action": "ramp_up",
            },
            {
                "collection_source": "shop",
                "dissatisfaction_rate": 0.45,
                "open_ratio": 0.5,
                "click_ratio": None,
                "delivered": 100,
                "action": "stop",
            },
            # no ratio at all: no point; no dissatisfaction: no point
            {
                "collection_source": "new",
                "dissatisfaction_rate": 0.30,
                "open_ratio": None,
                "click_ratio": None,
                "delivered": 900,
                "action": "hold",
            },
            {
                "collection_source": "fair",
                "dissatisfaction_rate": None,
                "open_ratio": 1.0,
                "click_ratio": 1.0,
                "delivered": 50,
                "action": "insufficient_data",
            },
        ]
    )
    figure = charts.figure_dissatisfaction_vs_engagement(frame, DEFAULTS)
    # One trace per action, in the order met: Ramp up, then Stop.
    assert [t.name for t in figure.data] == ["Ramp up", "Stop"]
    web, shop = figure.data
    assert (list(web.x), list(web.y), list(web.text)) == ([0.9], [0.10], ["web"])
    assert (list(shop.x), list(shop.y), list(shop.text)) == ([0.5], [0.45], ["shop"])
    assert (web.marker.color, shop.marker.color) == (GREEN, RED)
    # Size 12 + 38 × √(delivered ÷ largest delivered shown, 400): web 12 + 38 = 50; shop 12 + 38 × 0.5 = 31.
    assert list(web.marker.size) == pytest.approx([50])
    assert list(shop.marker.size) == pytest.approx([31])
    assert [list(c) for c in shop.customdata] == [[100]]
    # The ramp-up and stop thresholds as dashed lines at 0.2 and 0.4, the engagement tolerance as a dotted
    # vertical line at 0.8, each labelled with its value; the bands behind, up to
    # max(0.5 + 0.1, 0.4 + 0.1, 0.45 + 0.02) = 0.6; the x axis to max(1.5, 0.9 + 0.2, 0.5 + 0.2) = 1.5.
    assert lines(figure) == [("h", 0.2, GREEN, "dash"), ("h", 0.4, RED, "dash"), ("v", 0.8, GREY, "dot")]
    assert {"ramp up below 20%", "stop above 40%", "engagement tolerance 80%"} <= set(annotations(figure))
    # The names are in the tooltips only (%{text}), never drawn: close points would make them overlap.
    assert (web.mode, shop.mode) == ("markers", "markers")
    assert "%{text}" in web.hovertemplate
    assert bands(figure)[:3] == [(0.0, 0.2, BAND_SATISFIED), (0.2, 0.4, BAND_STARTING), (0.4, 0.5, BAND_STOP)]
    assert list(figure.layout.yaxis.range) == pytest.approx([0, 0.6])
    assert list(figure.layout.xaxis.range) == pytest.approx([0, 1.5])
    assert figure.layout.xaxis.title.text == "engagement vs brand (lower of open, click)"


# --- lines: one rate per ISO week ---------------------------------------------------------------------------

# Three ISO weeks across the new year: 2026-W52 (Monday 2026-12-21), 2026-W53 (Monday 2026-12-28, up to Sunday
# 2027-01-03) and 2027-W01 (Monday 2027-01-04) — date.isocalendar() gives (2026, 52, 1), (2026, 53, 1) and
# (2027, 1, 1). The baseline (source None) and one source, web; web has no dissatisfaction in 2026-W52.
WEEKS = pd.to_datetime(["2026-12-21", "2026-12-28", "2027-01-04"])
WEEKLY = pd.DataFrame(
    {
        "week_start": list(WEEKS) * 2,
        "collection_source": [None] * 3 + ["web <b>"] * 3,
        "dissatisfaction_rate": [0.2, 0.3, 0.25, None, 0.5, 0.0],
        "open_rate": [0.30, 0.25, 0.20, 0.40, 0.35, 0.10],
        "complaint_rate": [0.0, 0.001, 0.0, 0.0, 0.002, 0.0],
    }
)


def test_weekly_lines_baseline_dashed_first_then_each_source():
    figure = charts.figure_weekly_rate(WEEKLY, "open_rate", DEFAULTS)
    baseline, web = figure.data
    assert (baseline.name, baseline.line.dash, baseline.line.color) == (
        "Baseline (brand)",
        "dash",
        BASELINE_COLOUR,
    )
    assert web.name == "web &lt;b&gt;"  # a source name is text, never markup
    assert web.line.dash is None
    assert [pd.Timestamp(x) for x in web.x] == list(WEEKS)
    assert list(baseline.y) == [0.30, 0.25, 0.20]
    assert list(web.y) == [0.40, 0.35, 0.10]
    # No band and no line for the open rate; the axis to 0.40 × 1.15 = 0.46, shown with one decimal (> 2%).
    assert figure.layout.shapes == ()
    assert list(figure.layout.yaxis.range) == pytest.approx([0, 0.46])
    assert figure.layout.yaxis.tickformat == ".1%"
    assert figure.layout.yaxis.title.text == "Open rate"
    # ISO week labels: %G-W%V (ISO year), so 2027-01-03 would read 2026-W53, never 2027-W53.
    assert figure.layout.xaxis.tickformat == "%G-W%V"
    assert "%{x|%G-W%V}" in web.hovertemplate
    assert figure.layout.title.text == "Open rate per week"


def test_weekly_dissatisfaction_has_the_guidance_bands_and_gaps():
    figure = charts.figure_weekly_rate(WEEKLY, "dissatisfaction_rate", DEFAULTS)
    web = figure.data[1]
    assert pd.isna(web.y[0]) and list(web.y[1:]) == [0.5, 0.0]  # a week without a rate is a gap, not 0
    assert web.connectgaps is False
    # axis: max(0.5 × 1.15 = 0.575, 0.6) = 0.6
    assert list(figure.layout.yaxis.range) == pytest.approx([0, 0.6])
    assert bands(figure) == [
        (0.0, 0.2, BAND_SATISFIED),
        (0.2, 0.4, BAND_STARTING),
        (0.4, 0.5, BAND_STOP),
        (0.5, pytest.approx(0.6), BAND_BEYOND),
    ]
    assert lines(figure) == []


def test_weekly_complaints_have_the_warning_and_stop_lines():
    figure = charts.figure_weekly_rate(WEEKLY, "complaint_rate", DEFAULTS)
    # Two dotted lines at the complaint warning (0.1%, orange) and stop (0.3%, red) levels.
    assert lines(figure) == [("h", 0.001, ORANGE, "dot"), ("h", 0.003, RED, "dot")]
    # the panel's title (the source's name, as text) and the two lines' labels
    assert annotations(figure) == ["web &lt;b&gt;", "warning 0.10%", "stop 0.30%"]
    assert bands(figure) == []
    # axis: max(0.002 × 1.15 = 0.0023, 0.003 × 1.3 = 0.0039) = 0.0039, two decimals (≤ 2%)
    assert list(figure.layout.yaxis.range) == pytest.approx([0, 0.0039])
    assert figure.layout.yaxis.tickformat == ".2%"
    # other thresholds move the lines
    figure = charts.figure_weekly_rate(
        WEEKLY, "complaint_rate", DEFAULTS.replace(complaint_warn=0.002, complaint_stop=0.005)
    )
    assert [y for _, y, _, _ in lines(figure)] == [0.002, 0.005]
    assert annotations(figure)[1:] == ["warning 0.20%", "stop 0.50%"]
    assert list(figure.layout.yaxis.range) == pytest.approx([0, 0.0065])


# --- heatmap: the action of each source at the end of each week ---------------------------------------------


def test_action_history_heatmap():
    # Week ends: Sunday 2026-12-27 (2026-W52), Sunday 2027-01-03 (2026-W53: ISO year 2026, calendar 2027) and
    # Sunday 2027-01-10 (2027-W01). shop has no action in the first week.
    history = pd.DataFrame(
        [
            ("2026-12-27", "web", "hold"),
            ("2027-01-03", "web", "editorial_only"),
            ("2027-01-10", "web", "ramp_up"),
            ("2027-01-03", "shop", "stop"),
            ("2027-01-10", "shop", "stop"),
        ],
        columns=["week_end", "collection_source", "action"],
    )
    history["week_end"] = [dt.date.fromisoformat(d) for d in history["week_end"]]
    figure = charts.figure_action_history(history)
    heatmap, *legend = figure.data
    assert list(heatmap.x) == ["2026-W52", "2026-W53", "2027-W01"]
    assert list(heatmap.y) == ["shop", "web"]  # sorted by name, drawn top to bottom
    assert figure.layout.yaxis.autorange == "reversed"
    assert [list(row) for row in heatmap.text] == [
        ["", "Stop", "Stop"],
        ["Hold", "Editorial only", "Ramp up"],
    ]
    # z: the action's place in the palette (stop 0, editorial_only 1, reduce 2, hold 3, ramp_up 4, … 10 actions),
    # and the colour scale gives each place the band [z/10, (z+1)/10] of its action's colour.
    assert [list(row) for row in heatmap.z] == [[None, 0, 0], [3, 1, 4]]
    assert (heatmap.zmin, heatmap.zmax) == (0, 10)
    scale = [(float(position), colour) for position, colour in heatmap.colorscale]
    for z, colour in ((0, RED), (1, ORANGE), (3, GREY), (4, GREEN)):
        assert scale[2 * z] == (pytest.approx(z / 10), colour)
        assert scale[2 * z + 1] == (pytest.approx((z + 1) / 10), colour)
    # No label drawn in the cells (too narrow in French); the tooltip names each, the legend each action met,
    # in the policy's order, in its colour.
    assert heatmap.texttemplate is None
    assert [(trace.name, trace.marker.color) for trace in legend] == [
        ("Stop", RED),
        ("Editorial only", ORANGE),
        ("Hold", GREY),
        ("Ramp up", GREEN),
    ]
    assert figure.layout.height == 170 + 36 * 2
    assert figure.layout.title.text == "Recommended action at the end of each week"
