"""The charts of the HTML report as inline SVG geometry: small pure functions that return what the template
places (bars, bands, ticks, heatmap cells, sparkline points), rounded so the markup is stable from run to run.
The dissatisfaction bands (bounds, labels, colours) and every percentage come from analytics/vocabulary.py, as
on the dashboard's charts.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from analytics import formats
from analytics.i18n import _
from analytics.policy import ACTIONS
from analytics.report.palette import ACTION_COLOURS
from analytics.settings import Settings
from analytics.vocabulary import STOP_BAND_TOP, Band, dissatisfaction_bands, no_data, percent, threshold

EMPTY_COLOUR = "#FFFFFF"  # a heatmap cell of a week the source did not exist yet


# ----------------------------------------------------------------------------------------------------- labels


def iso_week(day: dt.date) -> str:
    """The ISO week a day belongs to, as the reader writes it: 2026-W47 / S47."""
    return formats.week(day)


def badge(action: str | None) -> dict[str, str] | None:
    """An action as the label every page shows; its colours come from the stylesheet (class a-<name>)."""
    if action is None:
        return None
    return {"name": action, "label": ACTIONS[action].label}


def short(text: str, limit: int = 24) -> str:
    """A label that fits the left margin of a chart; the full text stays in the chart's tooltip and tables."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def number(value: float) -> str:
    """An SVG coordinate: at most two decimals, no trailing zeros, so the markup never depends on float repr."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# --------------------------------------------------------------------------------------------------- geometry


def axis_top(values: list[float | None], settings: Settings) -> float:
    """The right end of a dissatisfaction axis: the whole stop band and 10 points more, further when a value
    goes beyond, in whole tenths so the ticks stay round; never past 100%."""
    highest = max((v for v in values if v is not None), default=0.0)
    needed = max(STOP_BAND_TOP + 0.1, settings.stop_above + 0.1, highest + 0.02)
    return min(1.0, math.ceil(round(needed * 10, 6)) / 10)


def scale(value: float, top: float, length: float, start: float = 0.0) -> float:
    """Where a fraction falls on an axis [0, top] drawn `length` pixels long from `start`, rounded so the
    markup is stable; a value off the axis sticks to its end."""
    return round(start + min(max(value, 0.0), top) / top * length, 2)


def _band(band: Band) -> dict[str, Any]:
    return {"low": band.low, "high": band.high, "colour": band.colour, "label": band.label}


def bands(settings: Settings, top: float) -> list[dict[str, Any]]:
    """The guidance bands of SPEC §3 on [0, top] (satisfied, starting, stop band, beyond), as the vocabulary
    defines them."""
    return [_band(band) for band in dissatisfaction_bands(settings, top)]


def band_legend(settings: Settings) -> list[dict[str, str]]:
    """The bands in words, with their limits as the settings state them (below 20%, 20% to 40%…)."""
    return [{**_band(band), "limits": band.limits} for band in dissatisfaction_bands(settings, 1.0)]


BAR_WIDTH, BAR_LABELS, BAR_AXIS, BAR_ROW, BAR_HEAD, BAR_FOOT = 760, 170, 520, 26, 30, 30


def bar_chart(rows: list[tuple[str, float | None, str]], settings: Settings) -> dict[str, Any]:
    """Horizontal bars of (source, dissatisfaction, action) over the guidance bands; a null rate gives a
    "no data" row instead of a zero-length bar, which would read as a perfect score."""
    top = axis_top([value for _, value, _ in rows], settings)
    plot_bottom = BAR_HEAD + BAR_ROW * len(rows)
    drawn_bands = []
    for band in bands(settings, top):
        x = scale(band["low"], top, BAR_AXIS, BAR_LABELS)
        width = round(scale(band["high"], top, BAR_AXIS, BAR_LABELS) - x, 2)
        drawn_bands.append({**band, "x": x, "width": width, "middle": round(x + width / 2, 2)})
    bars = []
    for index, (source, value, action) in enumerate(rows):
        y = BAR_HEAD + BAR_ROW * index
        length = None if value is None else scale(value, top, BAR_AXIS)
        bars.append(
            {
                "source": source,
                "label": short(source),
                "y": y,
                "middle": y + BAR_ROW / 2,
                "length": length,
                "value": percent(value, missing=no_data()),
                "end": round(BAR_LABELS + (length or 0) + 6, 2),
                "colour": ACTION_COLOURS[action],
                "action": ACTIONS[action].label,
            }
        )
    ticks = [
        {"x": scale(k / 10, top, BAR_AXIS, BAR_LABELS), "label": threshold(k / 10)}
        for k in range(round(top * 10) + 1)
    ]
    thresholds = [scale(t, top, BAR_AXIS, BAR_LABELS) for t in (settings.ramp_up_below, settings.stop_above)]
    return {
        "width": BAR_WIDTH,
        "height": plot_bottom + BAR_FOOT,
        "left": BAR_LABELS,
        "axis": BAR_AXIS,
        "head": BAR_HEAD,
        "bottom": plot_bottom,
        "bands": drawn_bands,
        "bars": bars,
        "ticks": ticks,
        "thresholds": thresholds,
    }


MAP_LABELS, MAP_CELL_W, MAP_CELL_H, MAP_HEAD = 170, 58, 22, 30


def history_heatmap(
    history: tuple[dict[str, Any], ...], weeks: tuple[dt.date, ...], sources: list[str]
) -> dict[str, Any]:
    """One cell per source × week coloured by the action recommended from the data known that week; a week
    before the source existed stays white. The legend lists the actions met, in the policy's order."""
    actions = {(row["week_end"], row["collection_source"]): row["action"] for row in history}
    columns = [
        {"x": MAP_LABELS + MAP_CELL_W * j + MAP_CELL_W / 2, "label": iso_week(week)}
        for j, week in enumerate(weeks)
    ]
    rows = []
    for i, source in enumerate(sources):
        y = MAP_HEAD + MAP_CELL_H * i
        cells = []
        for j, week in enumerate(weeks):
            action = actions.get((week, source))
            cells.append(
                {
                    "x": MAP_LABELS + MAP_CELL_W * j,
                    "colour": ACTION_COLOURS[action] if action else EMPTY_COLOUR,
                    "title": _("{source}, {week}: {action}").format(
                        source=source,
                        week=iso_week(week),
                        action=ACTIONS[action].label if action else no_data(),
                    ),
                }
            )
        rows.append(
            {"source": source, "label": short(source), "y": y, "middle": y + MAP_CELL_H / 2, "cells": cells}
        )
    met = set(actions.values())
    return {
        "left": MAP_LABELS,
        "width": MAP_LABELS + MAP_CELL_W * len(weeks) + 4,
        "height": MAP_HEAD + MAP_CELL_H * len(sources) + 4,
        "cell_w": MAP_CELL_W - 2,
        "cell_h": MAP_CELL_H - 2,
        "columns": columns,
        "rows": rows,
        "legend": [badge(name) for name in ACTIONS if name in met],
    }


SPARK_W, SPARK_H, SPARK_LEFT, SPARK_RIGHT, SPARK_TOP, SPARK_BOTTOM = 240, 120, 34, 8, 8, 20


def _polylines(values: list[float | None], xs: list[float], y) -> list[str]:
    """SVG polyline points of each run of consecutive known values: a null week leaves a gap."""
    runs, current = [], []
    for x, value in zip(xs, values, strict=True):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(f"{x:.2f},{y(value):.2f}")
    if current:
        runs.append(current)
    return [" ".join(run) for run in runs]


def sparkline(
    values: list[float | None], baseline: list[float | None], top: float, settings: Settings
) -> dict[str, Any]:
    """A small line chart of one source's weekly dissatisfaction over the bands, the baseline dashed behind.

    All panels share `top`, so two sources compare at a glance."""
    plot_w = SPARK_W - SPARK_LEFT - SPARK_RIGHT
    plot_h = SPARK_H - SPARK_TOP - SPARK_BOTTOM
    step = plot_w / max(len(values) - 1, 1)
    xs = [round(SPARK_LEFT + step * j, 2) for j in range(len(values))]

    def y(value: float) -> float:
        return round(SPARK_TOP + plot_h - scale(value, top, plot_h), 2)

    drawn_bands = [
        {**band, "y": y(band["high"]), "height": round(y(band["low"]) - y(band["high"]), 2)}
        for band in bands(settings, top)
    ]
    ticks = [{"y": y(t), "label": threshold(t)} for t in (0.0, settings.ramp_up_below, settings.stop_above)]
    return {
        "width": SPARK_W,
        "height": SPARK_H,
        "left": SPARK_LEFT,
        "right": SPARK_W - SPARK_RIGHT,
        "bottom": SPARK_TOP + plot_h,
        "bands": drawn_bands,
        "ticks": ticks,
        "lines": _polylines(values, xs, y),
        "baseline": _polylines(baseline, xs, y),
        "dots": [{"x": x, "y": y(v)} for x, v in zip(xs, values, strict=True) if v is not None],
        "empty": all(v is None for v in values),
    }
