"""The weekly report as one self-contained HTML file: the review, the §9 cohort table, three charts, compliance,
retention, the decision log and the settings, for the people who were not in the meeting.

The file has no script, no external URL and no web font, so it opens offline, passes mail filters and prints.
Charts are inline SVG whose geometry is computed by small pure functions (charts.py); the Jinja template only
places what they return, and autoescaping turns every text from the data into visible text. The same data and
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

from analytics import formats, i18n
from analytics.demo import database as demo_database
from analytics.i18n import _
from analytics.report import cohorts, frozen
from analytics.report.charts import (
    axis_top,
    badge,
    band_legend,
    bar_chart,
    history_heatmap,
    iso_week,
    number,
    sparkline,
)
from analytics.report.palette import ACTION_COLOURS, BASELINE_COLOUR, text_on
from analytics.report.review import (
    EXPIRING_DAYS,
    HISTORY_WEEKS,
    REVIEW_RATES,
    RateChange,
    Review,
)
from analytics.settings import BY_NAME, Settings
from analytics.store import decisions
from analytics.store.decisions import Decision
from analytics.text import visible
from analytics.vocabulary import no_data, percent, rate_label, weeks

PRODUCT = "optout-cohorts"
TEMPLATES = Path(__file__).parent / "templates"
HIGHER_IS_BETTER = ("open_rate", "click_rate")


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
    closure: str | None = None  # when and by whom the week was closed, with which settings (None: open)


def _plain(value: Any) -> Any:
    """A DataFrame cell as a plain Python value: NaN → None, Timestamp → date."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def gather(con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings) -> ReportContent:
    """Read every figure the report shows, each from the function the dashboard uses."""
    cohort_report = cohorts.build_report(con, as_of, settings)
    window_start = dt.date.fromisoformat(cohort_report["window"]["start"])
    frame = cohorts.weekly_rates(con, as_of, HISTORY_WEEKS, settings)
    weekly = tuple({k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records"))
    log = [d for d in decisions.entries(con) if window_start <= d.week_end <= as_of]
    return ReportContent(
        as_of=as_of,
        settings=settings,
        report=cohort_report,
        review=frozen.meeting_review(con, as_of, settings),  # frozen when the meeting closed the week
        weeks=tuple(cohorts.week_ends(as_of, HISTORY_WEEKS)),
        weekly=weekly,
        decisions=tuple(log),
        in_force=frozenset(d.decision_id for d in decisions.current(log)),
        data_quality=tuple(cohorts.data_quality(con, as_of)),
        demo=demo_database.notice(con),
        closure=frozen.week_closure_notice(con, as_of, settings),
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


def generated_text(moment: dt.datetime) -> str:
    """The generation time as the reader reads it: 2026-11-23 08:30:00 UTC in English (as it always read),
    23 nov. 2026 09:30 (Paris time) in French."""
    return format_timestamp(moment) if i18n.current() == i18n.SOURCE_LANGUAGE else formats.moment_text(moment)


def _day(day: dt.date | str) -> str:
    """A date of the report, with digits: 2026-11-22 / 22/11/2026."""
    return formats.date_numeric(dt.date.fromisoformat(day) if isinstance(day, str) else day)


def _digits(rate: str) -> int:
    """Complaint rates live around 0.1%: they need two decimals to be told apart."""
    return 2 if rate == "complaint_rate" else 1


def rate_text(rate: str, value: float | None) -> str:
    return percent(value, _digits(rate), missing=no_data())


def delta(rate: str, change: RateChange) -> dict[str, str]:
    """The week-on-week move of one rate: arrow, signed points and whether it is good news for the cohort."""
    points = change.delta_points
    if points is None:
        return {"arrow": "", "text": _("no comparison"), "tone": "flat"}
    digits = _digits(rate)
    shown = round(points, digits)
    if shown == 0:
        return {
            "arrow": "=",
            "text": _("{points} pt").format(points=formats.number(0, digits)),
            "tone": "flat",
        }
    up = shown > 0
    better = up == (rate in HIGHER_IS_BETTER)
    signed = f"{shown:+.{digits}f}"[0] + formats.number(abs(shown), digits)  # +1.2 / +1,2
    return {
        "arrow": "▲" if up else "▼",
        "text": _("{points} pt").format(points=signed),
        "tone": "better" if better else "worse",
    }


def setting_value(value: Any) -> str:
    """A setting's value as it is typed in the Settings page (true/false, 0.4, 500)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# -------------------------------------------------------------------------------------------------- the view


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
                # 6.1% (W47) / 6,1 % (S47)
                "latest": (
                    f"{percent(values[-1], missing=no_data())} ({labels[-1].split('-')[-1]})"
                    if values
                    else no_data()
                ),
                "chart": sparkline(values, baseline, top, content.settings),
            }
        )
    return panels


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
            "delivered": formats.number(s.delivered),
            "rates": cells(s.rates),
            # the rate the action was decided on (the window's), quoted beside it with its span
            "window_rate": None
            if s.window_dissatisfaction is None
            else rate_text("dissatisfaction_rate", s.window_dissatisfaction),
        }
        for s in review.sources
    ]
    baseline = {"delivered": None, "rates": cells(review.baseline), "window_rate": None}
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
                "contacts": formats.number(cohort["eligibility"]["soft_opt_in"]),
                "delivered": formats.number(metrics["delivered"]),
                "rates": [rate_text(rate, metrics[rate]) for rate in REVIEW_RATES],
                "open_ratio": percent(metrics["open_ratio"], 0, missing=no_data()),
                "click_ratio": percent(metrics["click_ratio"], 0, missing=no_data()),
                "reasons": recommendation["reasons"],
                "warnings": recommendation["warnings"],
            }
        )
    return rows


def _decided(moment: dt.datetime) -> dict[str, str]:
    """When a decision was recorded, in the brand's time zone (the column header names it)."""
    return {
        "decided_day": formats.date_numeric(formats.local_moment(moment).date()),
        "decided_time": formats.time_of_day(moment),
    }


def _decisions(content: ReportContent) -> list[dict[str, Any]]:
    corrected_by = {d.corrects: d.decision_id for d in content.decisions if d.corrects is not None}
    return [
        {
            "id": d.decision_id,
            **_decided(d.decided_at),
            "week": _day(d.week_end),
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


def _attention_decisions(content: ReportContent) -> list[dict[str, Any]]:
    """For each source that needed attention in the reviewed week: its action (with the window's rate it was
    decided on), what the meeting decided (the entry in force: its summary, who, the note) or that it is still
    pending. Pending sources first."""
    review = content.review
    attention = [s for s in review.sources if s.needs_attention]
    status = decisions.status_by_source(
        content.decisions, review.week.end, [s.collection_source for s in attention]
    )
    rows = [
        {
            "source": s.collection_source,
            "action": badge(s.action),
            "window_rate": percent(s.window_dissatisfaction, missing=no_data()),
            "pending": status[s.collection_source].pending,
            "status": status[s.collection_source].text,
            "decided_by": status[s.collection_source].entry.decided_by
            if status[s.collection_source].entry
            else "",
            "note": status[s.collection_source].entry.note if status[s.collection_source].entry else "",
        }
        for s in attention
    ]
    return sorted(rows, key=lambda row: (not row["pending"], row["source"]))


def view(content: ReportContent, generated_at: dt.datetime) -> dict[str, Any]:
    """The template's context: every figure already formatted, every chart already laid out."""
    cohort_report, review, settings = content.report, content.review, content.settings
    sources = [c["collection_source"] for c in cohort_report["cohorts"]]
    history_sources = sorted(set(sources) | {r["collection_source"] for r in review.history})
    by_basis = cohort_report["violations"]
    week_violations = [
        {**row, "sent_date": _day(row["sent_date"]), "sends_text": formats.number(row["sends"])}
        for row in review.violations
    ]
    baseline = cohort_report["baseline"]
    return {
        "product": PRODUCT,
        "language": i18n.current(),
        "as_of": _day(content.as_of),
        "window": {key: _day(day) for key, day in cohort_report["window"].items()},
        "window_span": weeks(settings.window_weeks),  # "4 weeks", "1 semaine": the template's texts quote it
        "week": {
            "start": _day(review.week.start),
            "end": _day(review.week.end),
            "iso": iso_week(review.week.end),
        },
        "generated": generated_text(generated_at),
        "no_data": no_data(),
        "demo": content.demo,
        "settings_notices": [n for n in (frozen.defaults_notice(settings), content.closure) if n],
        "summary": review.summary,
        "rate_labels": [rate_label(rate) for rate in REVIEW_RATES],
        "changes": _changes(content),
        "baseline_label": (
            _("Baseline: opt-in sends")
            if settings.baseline == "opt_in"
            else _("Baseline: all lawful marketing sends")
        ),
        "cohorts": _cohorts(content),
        "baseline": {
            "delivered": formats.number(baseline["delivered"]),
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
        "week_violation_total": formats.number(sum(r["sends"] for r in review.violations)),
        "window_violations": [{"basis": basis, "sends": formats.number(n)} for basis, n in by_basis.items()],
        "window_violation_total": formats.number(sum(by_basis.values())),
        "evidence": review.evidence,
        "retention": [
            {
                "collection_source": r["collection_source"],
                "newly_expired": formats.number(r["newly_expired"]),
                "expiring_soon": formats.number(r["expiring_soon"]),
            }
            for r in review.retention
        ],
        "retention_totals": {
            "newly_expired": formats.number(sum(r["newly_expired"] for r in review.retention)),
            "expiring_soon": formats.number(sum(r["expiring_soon"] for r in review.retention)),
        },
        "retention_years": settings.retention_years,
        "expiring_days": EXPIRING_DAYS,
        "decisions": _decisions(content),
        "attention_decisions": _attention_decisions(content),
        "time_zone": formats.time_zone_name(),
        "settings": [
            {
                "name": name,
                "value": setting_value(value),
                "help": _(BY_NAME[name].help) if name in BY_NAME and BY_NAME[name].help else "",
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
        extensions=["jinja2.ext.i18n"],
    )
    # The template's _() (newstyle: `_("… %(name)s …", name=…)`; a text spread over lines keeps its line breaks
    # in its msgid, so the English file stays the same bytes; the catalog's keywords do not extract {% trans %})
    # reads the language of the context the report is built in (analytics.i18n), so one cached environment
    # serves every language.
    environment.install_gettext_callables(i18n._, i18n.ngettext, newstyle=True)
    environment.filters["n"] = number
    return environment


def render(content: ReportContent, generated_at: dt.datetime) -> str:
    """The HTML file for this content; pure: no database, no clock."""
    return _environment().get_template("report.html.j2").render(view(content, generated_at))
