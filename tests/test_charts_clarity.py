"""The dashboard's charts at least as clear as the HTML report's: a value on every bar, the thresholds as lines
labelled with their values, a legend of the actions met, the bands always in view whatever stop_above says, and
Trends as small multiples (one panel per source, the baseline dashed in each).

Expected values by hand from tiny frames; default settings unless a test says otherwise (ramp up below 20%,
stop above 40%, the guidance's stop band up to 50%).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import i18n
from analytics.settings import DEFAULTS
from dashboard import charts

NBSP = "\u00a0"

# Four sources: two stopped, one held, one ramping up; fair has no rate (no bar, no point).
COHORTS = pd.DataFrame(
    [
        {"collection_source": "shop", "dissatisfaction_rate": 0.45, "action": "stop"},
        {"collection_source": "partner", "dissatisfaction_rate": 0.629, "action": "stop"},
        {"collection_source": "store", "dissatisfaction_rate": 0.289, "action": "hold"},
        {"collection_source": "web", "dissatisfaction_rate": 0.065, "action": "ramp_up"},
        {"collection_source": "fair", "dissatisfaction_rate": None, "action": "insufficient_data"},
    ]
)


def test_every_bar_carries_its_value_and_the_legend_names_each_action_met_once():
    figure = charts.figure_dissatisfaction_by_source(COHORTS, DEFAULTS)
    # Bars sorted by rate (lowest first, so the highest is drawn on top), one trace per action in the policy's
    # order: Stop (shop 45.0%, partner 62.9%), Hold (store 28.9%), Ramp up (web 6.5%).
    assert [trace.name for trace in figure.data] == ["Stop", "Hold", "Ramp up"]
    assert all(trace.showlegend is not False for trace in figure.data)
    shown = {name: text for trace in figure.data for name, text in zip(trace.y, trace.text, strict=True)}
    assert shown == {"shop": "45.0%", "partner": "62.9%", "store": "28.9%", "web": "6.5%"}
    assert all(trace.textposition == "outside" for trace in figure.data)  # never hidden inside a short bar
    assert list(figure.layout.yaxis.categoryarray) == ["web", "store", "shop", "partner"]
    assert figure.layout.legend.title.text == "Action"


def test_the_bars_values_are_written_in_french(monkeypatch):
    with i18n.within("fr"):
        figure = charts.figure_dissatisfaction_by_source(COHORTS, DEFAULTS)
    texts = [text for trace in figure.data for text in trace.text]
    # French: decimal comma, a no-break space before %
    assert sorted(texts) == sorted(
        ["45,0" + NBSP + "%", "62,9" + NBSP + "%", "28,9" + NBSP + "%", "6,5" + NBSP + "%"]
    )
    assert [trace.name for trace in figure.data] == ["Arrêter", "Maintenir", "Augmenter la pression"]
    assert figure.layout.separators == ",\u202f"


def vertical_lines(figure) -> list[float]:
    return [shape.x0 for shape in figure.layout.shapes if shape.type == "line" and shape.yref == "y domain"]


def horizontal_lines(figure) -> list[float]:
    return [shape.y0 for shape in figure.layout.shapes if shape.type == "line" and shape.xref == "x domain"]


def texts(figure) -> list[str]:
    return [annotation.text for annotation in figure.layout.annotations]


SEVENTY = DEFAULTS.replace(stop_above=0.7, ramp_up_below=0.25)


def test_bars_thresholds_at_the_settings_values_and_the_stop_band_in_view():
    figure = charts.figure_dissatisfaction_by_source(COHORTS, SEVENTY)
    assert vertical_lines(figure) == [0.25, 0.7]
    assert "ramp up below 25%" in texts(figure) and "stop above 70%" in texts(figure)
    # axis_top: max(0.5 + 0.1, 0.7 + 0.1, 0.629 + 0.02) = 0.8: the stop threshold and the band beyond it (the
    # guidance's 40–50% stop band is empty when stop_above is 50% or more) stay in view.
    assert list(figure.layout.xaxis.range) == pytest.approx([0, 0.8])
    columns = [(s.x0, s.x1) for s in figure.layout.shapes if s.type == "rect"]
    assert columns == [(0.0, 0.25), (0.25, 0.7), (0.7, pytest.approx(0.8))]


def test_the_axis_keeps_the_stop_band_when_every_rate_is_low():
    low = pd.DataFrame([{"collection_source": "web", "dissatisfaction_rate": 0.02, "action": "ramp_up"}])
    figure = charts.figure_dissatisfaction_by_source(low, DEFAULTS)
    # max(0.5 + 0.1, 0.4 + 0.1, 0.02 + 0.02) = 0.6: the 40–50% stop band whole
    assert list(figure.layout.xaxis.range) == pytest.approx([0, 0.6])
    assert "stop band" in texts(figure)


SCATTER = pd.DataFrame(
    [
        # engagement = the lower ratio: a 0.9, b 0.92, c 0.5 — a and b nearly on top of each other
        {
            "collection_source": "a",
            "dissatisfaction_rate": 0.30,
            "open_ratio": 0.9,
            "click_ratio": 1.0,
            "delivered": 100,
            "action": "hold",
        },
        {
            "collection_source": "b",
            "dissatisfaction_rate": 0.31,
            "open_ratio": 0.92,
            "click_ratio": 1.0,
            "delivered": 100,
            "action": "hold",
        },
        {
            "collection_source": "c",
            "dissatisfaction_rate": 0.75,
            "open_ratio": 0.5,
            "click_ratio": 0.6,
            "delivered": 50,
            "action": "stop",
        },
    ]
)


def test_the_scatter_draws_no_name_and_labels_its_thresholds():
    figure = charts.figure_dissatisfaction_vs_engagement(SCATTER, SEVENTY)
    # No text drawn (a and b would overlap): the names are in the tooltips, the legend names the actions.
    assert {trace.mode for trace in figure.data} == {"markers"}
    assert [trace.name for trace in figure.data] == ["Hold", "Stop"]
    assert horizontal_lines(figure) == [0.25, 0.7]
    assert vertical_lines(figure) == [0.8]
    assert {"ramp up below 25%", "stop above 70%", "engagement tolerance 80%"} <= set(texts(figure))
    # axis_top: max(0.6, 0.8, 0.75 + 0.02 = 0.77) = 0.8
    assert list(figure.layout.yaxis.range) == pytest.approx([0, 0.8])


# --- Trends: small multiples ---------------------------------------------------------------------------------

WEEKS = pd.to_datetime(["2026-11-02", "2026-11-09"])
SOURCES = ["d_shop", "a_web", "c_fair", "b_app"]
WEEKLY = pd.DataFrame(
    {
        "week_start": list(WEEKS) * 5,
        "collection_source": [None, None] + [s for s in SOURCES for _ in WEEKS],
        "dissatisfaction_rate": [0.2, 0.25, 0.1, 0.2, 0.3, 0.35, 0.5, 0.6, 0.05, None],
    }
)


def test_trends_have_one_panel_per_source_with_the_baseline_in_each():
    figure = charts.figure_weekly_rate(WEEKLY, "dissatisfaction_rate", DEFAULTS)
    # Four sources in name order, three panels a row: two rows; each panel titled with its source.
    assert texts(figure)[:4] == ["a_web", "b_app", "c_fair", "d_shop"]
    sources = [trace for trace in figure.data if trace.line.dash != "dash"]
    baselines = [trace for trace in figure.data if trace.line.dash == "dash"]
    assert [trace.name for trace in sources] == ["a_web", "b_app", "c_fair", "d_shop"]
    assert len(baselines) == 4
    # each source on its own axes, with a baseline on the same axes
    panels = [(trace.xaxis, trace.yaxis) for trace in sources]
    assert len(set(panels)) == 4
    assert panels == [(trace.xaxis, trace.yaxis) for trace in baselines]
    assert list(sources[0].y) == [0.3, 0.35]  # a_web
    # The baseline named once in the legend, the sources by their panels' titles.
    assert [trace.showlegend for trace in baselines] == [True, False, False, False]
    assert not any(trace.showlegend for trace in sources)
    # Shared axes: every y axis [0, axis_top] = max(0.6, 0.5, 0.6 + 0.02) → 0.7 (whole tenths).
    layout = figure.layout.to_plotly_json()
    ranges = [axis["range"] for name, axis in layout.items() if name.startswith("yaxis")]
    assert len(ranges) == 6 and ranges == [pytest.approx([0, 0.7])] * 6  # 2 rows × 3 columns of axes
    # The bands in every panel (4 bands × 4 panels), named in the first only.
    assert len([s for s in figure.layout.shapes if s.type == "rect"]) == 16
    assert texts(figure)[4:] == ["satisfied", "starting", "stop band", "beyond"]


def test_trend_bands_keep_the_stop_threshold_in_view():
    figure = charts.figure_weekly_rate(WEEKLY, "dissatisfaction_rate", SEVENTY)
    # max(0.6, 0.8, 0.62) = 0.8
    assert list(figure.layout.yaxis.range) == pytest.approx([0, 0.8])


def test_trends_keep_the_french_week_and_number_formats():
    with i18n.within("fr"):
        figure = charts.figure_weekly_rate(WEEKLY, "dissatisfaction_rate", DEFAULTS)
        config = charts.plotly_config()
    assert figure.layout.xaxis.tickformat == "S%V"
    assert figure.layout.separators == ",\u202f"
    assert config["locale"] == "fr"
