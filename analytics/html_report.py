"""The weekly report as one self-contained HTML file: the review, the §9 cohort table, three charts, compliance,
retention, the decision log and the settings, for the people who were not in the meeting.

The file has no script, no external URL and no web font, so it opens offline, passes mail filters and prints.
Charts are inline SVG whose geometry is computed here by small pure functions; the Jinja template only places
what they return, and autoescaping turns every text from the data into visible text. The same data and
settings give the same bytes, apart from the generation timestamp: the file can be diffed week to week.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import markupsafe
import pandas as pd

from analytics import decisions, demo_database, report
from analytics.decisions import Decision
from analytics.export import visible
from analytics.palette import (
    ACTION_COLOURS,
    BAND_BEYOND,
    BAND_SATISFIED,
    BAND_STARTING,
    BAND_STOP,
    BASELINE_COLOUR,
    RATE_LABELS,
    text_on,
)
from analytics.policy import ACTIONS, percent, threshold
from analytics.review import EXPIRING_DAYS, HISTORY_WEEKS, REVIEW_RATES, RateChange, Review, build_review
from analytics.settings import BY_NAME, Settings

PRODUCT = "optout-cohorts"
TEMPLATES = Path(__file__).parent / "templates"
STOP_BAND_TOP = 0.50  # the guidance's stop band is 40–50%
HIGHER_IS_BETTER = ("open_rate", "click_rate")
EMPTY_COLOUR = "#FFFFFF"  # a heatmap cell of a week the source did not exist yet


@dataclass(frozen=True)
class ReportContent:
    """Everything the report shows, gathered from the database once, so `render` is a pure function."""

    as_of: dt.date
    settings: Settings
    report: dict[str, Any]  # the §9 report
    review: Review  # the week ending on as_of
    weeks: tuple[dt.date, ...]  # the last day of each of the 12 ISO weeks, oldest first
    weekly: tuple[dict[str, Any], ...]  # weekly_rates rows, plain values (collection_source None = baseline)
    decisions: tuple[Decision, ...]  # log entries answering a week of the window, oldest first
    in_force: frozenset[int]  # ids of the entries no later entry corrects
    data_quality: tuple[str, ...]
    demo: str | None = None  # what of the demo brand's data the figures hold (None: none)


def _plain(value: Any) -> Any:
    """A DataFrame cell as a plain Python value: NaN → None, Timestamp → date."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def gather(con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings) -> ReportContent:
    """Read every figure the report shows, each from the function the dashboard uses."""
    cohort_report = report.build_report(con, as_of, settings)
    window_start = dt.date.fromisoformat(cohort_report["window"]["start"])
    frame = report.weekly_rates(con, as_of, HISTORY_WEEKS, settings)
    weekly = tuple({k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records"))
    log = [d for d in decisions.entries(con) if window_start <= d.week_end <= as_of]
    return ReportContent(
        as_of=as_of,
        settings=settings,
        report=cohort_report,
        review=build_review(con, as_of, settings),
        weeks=tuple(report.week_ends(as_of, HISTORY_WEEKS)),
        weekly=weekly,
        decisions=tuple(log),
        in_force=frozenset(d.decision_id for d in decisions.current(log)),
        data_quality=tuple(report.data_quality(con, as_of)),
        demo=demo_database.notice(con),
    )


def build_html(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    settings: Settings,
    generated_at: dt.datetime | None = None,
) -> str:
    """The report of the week ending on as_of (window of settings.window_weeks weeks ending then)."""
    return render(gather(con, as_of, settings), generated_at or dt.datetime.now(dt.UTC))


# ----------------------------------------------------------------------------------------------- text helpers


def format_timestamp(moment: dt.datetime) -> str:
    """The generation time in UTC (a naive time is taken as UTC): the only part of the file that varies."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def iso_week(day: dt.date) -> str:
    """The ISO week a day belongs to, as 2026-W47."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _digits(rate: str) -> int:
    """Complaint rates live around 0.1%: they need two decimals to be told apart."""
    return 2 if rate == "complaint_rate" else 1


def rate_text(rate: str, value: float | None) -> str:
    return percent(value, _digits(rate))


def delta(rate: str, change: RateChange) -> dict[str, str]:
    """The week-on-week move of one rate: arrow, signed points and whether it is good news for the cohort."""
    points = change.delta_points
    if points is None:
        return {"arrow": "", "text": "no comparison", "tone": "flat"}
    digits = _digits(rate)
    shown = round(points, digits)
    if shown == 0:
        return {"arrow": "=", "text": f"{0:.{digits}f} pt", "tone": "flat"}
    up = shown > 0
    better = up == (rate in HIGHER_IS_BETTER)
    return {
        "arrow": "▲" if up else "▼",
        "text": f"{shown:+.{digits}f} pt",
        "tone": "better" if better else "worse",
    }


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


def setting_value(value: Any) -> str:
    """A setting's value as it is typed in the Settings page (true/false, 0.4, 500)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# ------------------------------------------------------------------------------------------- chart geometry


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


def bands(settings: Settings, top: float) -> list[dict[str, Any]]:
    """The guidance bands of SPEC §3 on [0, top]: satisfied, starting, stop band, beyond."""
    stop_top = max(STOP_BAND_TOP, settings.stop_above)
    raw = (
        (0.0, settings.ramp_up_below, BAND_SATISFIED, "satisfied"),
        (settings.ramp_up_below, settings.stop_above, BAND_STARTING, "starting"),
        (settings.stop_above, stop_top, BAND_STOP, "stop band"),
        (stop_top, top, BAND_BEYOND, "beyond"),
    )
    return [
        {"low": low, "high": min(high, top), "colour": colour, "label": label}
        for low, high, colour, label in raw
        if min(high, top) > low
    ]


def band_legend(settings: Settings) -> list[dict[str, str]]:
    """The bands in words, with their limits as the settings state them (below 20%, 20% to 40%…)."""

    def limits(band: dict[str, Any]) -> str:
        if band["low"] == 0:
            return f"below {threshold(band['high'])}"
        if band["label"] == "beyond":
            return f"above {threshold(band['low'])}"
        return f"{threshold(band['low'])} to {threshold(band['high'])}"

    return [{**band, "limits": limits(band)} for band in bands(settings, 1.0)]


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
                "value": percent(value),
                "end": round(BAR_LABELS + (length or 0) + 6, 2),
                "colour": ACTION_COLOURS[action],
                "action": ACTIONS[action].label,
            }
        )
    ticks = [
        {"x": scale(k / 10, top, BAR_AXIS, BAR_LABELS), "label": f"{k * 10}%"}
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
                    "title": f"{source}, {iso_week(week)}: {ACTIONS[action].label if action else 'no data'}",
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
    ticks = [
        {"y": y(t), "label": f"{round(t * 100):d}%"}
        for t in (0.0, settings.ramp_up_below, settings.stop_above)
    ]
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


def trends(content: ReportContent, sources: list[str]) -> list[dict[str, Any]]:
    """One sparkline per source over the report's 12 ISO weeks, on a shared axis."""
    week_of_row = {(iso_week(r["week_start"]), r["collection_source"]): r for r in content.weekly}
    labels = [iso_week(week) for week in content.weeks]

    def series(source: str | None) -> list[float | None]:
        return [week_of_row.get((label, source), {}).get("dissatisfaction_rate") for label in labels]

    baseline = series(None)
    per_source = {source: series(source) for source in sources}
    top = axis_top([v for values in per_source.values() for v in values] + baseline, content.settings)
    panels = []
    for source in sources:
        values = per_source[source]
        panels.append(
            {
                "source": source,
                "latest": f"{percent(values[-1])} ({labels[-1][5:]})" if values else "no data",  # 6.1% (W47)
                "chart": sparkline(values, baseline, top, content.settings),
            }
        )
    return panels


# -------------------------------------------------------------------------------------------------- the view


def _changes(content: ReportContent) -> list[dict[str, Any]]:
    review = content.review

    def cells(rates: dict[str, RateChange]) -> list[dict[str, Any]]:
        return [
            {
                "now": rate_text(rate, rates[rate].current),
                "trailing": None if rates[rate].trailing is None else rate_text(rate, rates[rate].trailing),
                **delta(rate, rates[rate]),
            }
            for rate in REVIEW_RATES
        ]

    rows = [
        {
            "source": s.collection_source,
            "action": badge(s.action),
            "previous": badge(s.previous_action),
            "changed": s.changed,
            "new": s.previous_action is None,
            "delivered": f"{s.delivered:,}",
            "rates": cells(s.rates),
        }
        for s in review.sources
    ]
    baseline = {"delivered": None, "rates": cells(review.baseline)}
    return [*rows, baseline]


def _cohorts(content: ReportContent) -> list[dict[str, Any]]:
    rows = []
    for cohort in content.report["cohorts"]:
        metrics = cohort["metrics"]
        recommendation = cohort["recommendation"]
        rows.append(
            {
                "source": cohort["collection_source"],
                "action": badge(recommendation["action"]),
                "contacts": f"{cohort['eligibility']['soft_opt_in']:,}",
                "delivered": f"{metrics['delivered']:,}",
                "rates": [rate_text(rate, metrics[rate]) for rate in REVIEW_RATES],
                "open_ratio": percent(metrics["open_ratio"], 0),
                "click_ratio": percent(metrics["click_ratio"], 0),
                "reasons": recommendation["reasons"],
                "warnings": recommendation["warnings"],
            }
        )
    return rows


def _decisions(content: ReportContent) -> list[dict[str, Any]]:
    corrected_by = {d.corrects: d.decision_id for d in content.decisions if d.corrects is not None}
    return [
        {
            "id": d.decision_id,
            "decided_day": d.decided_at.strftime("%Y-%m-%d"),
            "decided_time": d.decided_at.strftime("%H:%M"),
            "week": d.week_end.isoformat(),
            "week_iso": iso_week(d.week_end),
            "source": d.collection_source,
            "recommended": badge(d.recommended_action),
            "summary": d.summary,
            "note": d.note,
            "decided_by": d.decided_by,
            "corrects": d.corrects,
            "corrected_by": None if d.decision_id in content.in_force else corrected_by.get(d.decision_id),
            "in_force": d.decision_id in content.in_force,
        }
        for d in content.decisions
    ]


def view(content: ReportContent, generated_at: dt.datetime) -> dict[str, Any]:
    """The template's context: every figure already formatted, every chart already laid out."""
    cohort_report, review, settings = content.report, content.review, content.settings
    sources = [c["collection_source"] for c in cohort_report["cohorts"]]
    history_sources = sorted(set(sources) | {r["collection_source"] for r in review.history})
    by_basis = cohort_report["violations"]
    week_violations = [
        {**row, "sent_date": row["sent_date"].isoformat(), "sends_text": f"{row['sends']:,}"}
        for row in review.violations
    ]
    baseline = cohort_report["baseline"]
    return {
        "product": PRODUCT,
        "as_of": content.as_of.isoformat(),
        "window": cohort_report["window"],
        "window_weeks": settings.window_weeks,
        "week": {
            "start": review.week.start.isoformat(),
            "end": review.week.end.isoformat(),
            "iso": iso_week(review.week.end),
        },
        "generated": format_timestamp(generated_at),
        "demo": content.demo,
        "summary": review.summary,
        "rate_labels": [RATE_LABELS[rate] for rate in REVIEW_RATES],
        "changes": _changes(content),
        "baseline_label": (
            "Baseline: opt-in sends"
            if settings.baseline == "opt_in"
            else "Baseline: all lawful marketing sends"
        ),
        "cohorts": _cohorts(content),
        "baseline": {
            "delivered": f"{baseline['delivered']:,}",
            "rates": [rate_text(rate, baseline[rate]) for rate in REVIEW_RATES],
        },
        "bar_chart": bar_chart(
            [
                (c["collection_source"], c["metrics"]["dissatisfaction_rate"], c["recommendation"]["action"])
                for c in cohort_report["cohorts"]
            ],
            settings,
        ),
        "heatmap": history_heatmap(review.history, content.weeks, history_sources),
        "first_week": iso_week(content.weeks[0]),
        "last_week": iso_week(content.weeks[-1]),
        "trends": trends(content, sources),
        "baseline_colour": BASELINE_COLOUR,
        "band_legend": band_legend(settings),
        "action_styles": [
            {"name": name, "colour": c, "text": text_on(c)} for name, c in ACTION_COLOURS.items()
        ],
        "week_violations": week_violations,
        "week_violation_total": f"{sum(r['sends'] for r in review.violations):,}",
        "window_violations": [{"basis": basis, "sends": f"{n:,}"} for basis, n in by_basis.items()],
        "window_violation_total": f"{sum(by_basis.values()):,}",
        "evidence": review.evidence,
        "retention": [
            {
                "collection_source": r["collection_source"],
                "newly_expired": f"{r['newly_expired']:,}",
                "expiring_soon": f"{r['expiring_soon']:,}",
            }
            for r in review.retention
        ],
        "retention_totals": {
            "newly_expired": f"{sum(r['newly_expired'] for r in review.retention):,}",
            "expiring_soon": f"{sum(r['expiring_soon'] for r in review.retention):,}",
        },
        "retention_years": settings.retention_years,
        "expiring_days": EXPIRING_DAYS,
        "decisions": _decisions(content),
        "settings": [
            {
                "name": name,
                "value": setting_value(value),
                "help": BY_NAME[name].help if name in BY_NAME else "",
            }
            for name, value in cohort_report["settings"].items()
        ],
        "data_quality": content.data_quality,
    }


def _no_controls(value: Any) -> Any:
    """Every text the template prints, before it is escaped: control characters and bidirectional overrides
    as visible escapes (\\x1b, \\u202e), never raw — a database loaded before ingest refused them may hold some."""
    if isinstance(value, markupsafe.Markup):  # already escaped (a filter's output): stays so
        return markupsafe.Markup(visible(str(value), keep="\n\t"))
    return visible(value, keep="\n\t") if isinstance(value, str) else value


@cache
def _environment() -> jinja2.Environment:
    """Autoescaping on for every template, whatever its extension; an undefined name is an error, not blank."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        finalize=_no_controls,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["n"] = number
    return environment


def render(content: ReportContent, generated_at: dt.datetime) -> str:
    """The HTML file for this content; pure: no database, no clock."""
    return _environment().get_template("report.html.j2").render(view(content, generated_at))
