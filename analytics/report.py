"""The cohort report of SPEC §7–§9 as of a date: baseline, violations, and per source eligibility, metrics and
recommendation. The CLI serialises it; the dashboard renders the same figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb

from analytics import store
from analytics.export import to_csv
from analytics.policy import CohortFigures, Recommendation, recommend
from analytics.settings import Settings
from analytics.tables import UNLAWFUL_BASES

COUNT_FIELDS = ("delivered", "openers", "clickers", "unsubscribers", "complainers")
RATE_FIELDS = ("open_rate", "click_rate", "unsubscribe_rate", "complaint_rate", "dissatisfaction_rate")
RATIO_FIELDS = ("open_ratio", "click_ratio")
ELIGIBILITY_FIELDS = (
    "opt_in",
    "soft_opt_in",
    "not_informed",
    "prospect",
    "objected",
    "expired",
    "expiring_soon",
)


@dataclass(frozen=True)
class Window:
    """The N weeks ending on the report date: T − (7N − 1) … T inclusive (SPEC §7)."""

    start: dt.date
    end: dt.date

    @classmethod
    def ending(cls, as_of: dt.date, weeks: int) -> Window:
        return cls(as_of - dt.timedelta(days=7 * weeks - 1), as_of)

    def previous(self) -> Window:
        length = (self.end - self.start).days + 1
        return Window(self.start - dt.timedelta(days=length), self.start - dt.timedelta(days=1))


def _metric_rows(con: duckdb.DuckDBPyConnection, window: Window, settings: Settings) -> list[dict[str, Any]]:
    return store.records(
        con,
        "metrics/cohort_metrics",
        as_of=window.end,
        window_start=window.start,
        retention_years=settings.retention_years,
        baseline_opt_in_only=settings.baseline == "opt_in",
        include_complaints=settings.dissatisfaction_includes_complaints,
    )


def eligibility(con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings) -> list[dict[str, Any]]:
    """Per source: status counts, expiring soon and eligible counts per email type on the report date."""
    return store.records(
        con,
        "metrics/eligibility",
        as_of=as_of,
        retention_years=settings.retention_years,
        expiring_days=settings.expiring_soon_days,
    )


def _figures(row: dict[str, Any], soft_opt_in_contacts: int) -> CohortFigures:
    return CohortFigures(
        collection_source=row["collection_source"],
        ever_sent=row["ever_sent"],
        send_rows=row["send_rows"],
        soft_opt_in_contacts=soft_opt_in_contacts,
        delivered=row["delivered"],
        clickers=row["clickers"],
        unsubscribers=row["unsubscribers"],
        complaint_rate=row["complaint_rate"],
        dissatisfaction_rate=row["dissatisfaction_rate"],
        open_ratio=row["open_ratio"],
        click_ratio=row["click_ratio"],
    )


@dataclass(frozen=True)
class CohortState:
    """Everything the report knows of the cohorts for one window."""

    window: Window
    baseline: dict[str, Any]
    rows: list[dict[str, Any]]  # one per source: cohort metrics
    eligibility: dict[str, dict[str, Any]]  # source -> eligibility counts
    recommendations: dict[str, Recommendation]


def _actions_without_lookback(con, window: Window, settings: Settings) -> dict[str, str]:
    rows = [r for r in _metric_rows(con, window, settings) if r["row_kind"] == "cohort"]
    soft = {e["collection_source"]: e["soft_opt_in"] for e in eligibility(con, window.end, settings)}
    return {
        r["collection_source"]: recommend(_figures(r, soft.get(r["collection_source"], 0)), settings).action
        for r in rows
    }


def cohort_state(con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings) -> CohortState:
    """Metrics, eligibility and recommendations of every cohort for the window ending on as_of."""
    window = Window.ending(as_of, settings.window_weeks)
    rows = _metric_rows(con, window, settings)
    baseline = next(r for r in rows if r["row_kind"] == "baseline")
    cohorts = [r for r in rows if r["row_kind"] == "cohort"]
    counts = {e["collection_source"]: e for e in eligibility(con, as_of, settings)}
    previous = _actions_without_lookback(con, window.previous(), settings)
    recommendations = {
        r["collection_source"]: recommend(
            _figures(r, counts.get(r["collection_source"], {}).get("soft_opt_in", 0)),
            settings,
            previous.get(r["collection_source"]),
        )
        for r in cohorts
    }
    return CohortState(window, baseline, cohorts, counts, recommendations)


def violations(con: duckdb.DuckDBPyConnection, window: Window, settings: Settings) -> list[dict[str, Any]]:
    """The window's unlawful marketing sends, per campaign × source × basis."""
    return store.records(
        con,
        "metrics/violations",
        as_of=window.end,
        window_start=window.start,
        retention_years=settings.retention_years,
    )


def data_quality(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[str]:
    """Warnings about the data itself, in words, for the report date."""
    row = store.records(con, "metrics/data_quality", as_of=as_of)[0]
    warnings = []
    if row["unknown_contact_events"]:
        warnings.append(
            f"{row['unknown_contact_events']} event(s) of {row['unknown_contact_ids']} contact id(s) absent from "
            "contacts are kept but excluded from every metric: load the contacts they belong to."
        )
    if row["inferred_campaigns"]:
        warnings.append(
            f"{row['inferred_campaigns']} campaign(s) appear in events but not in campaigns: their send date is "
            "taken as their earliest event's date and their type as promo. Load the campaigns file."
        )
    if row["untyped_campaigns"]:
        warnings.append(
            f"{row['untyped_campaigns']} campaign(s) have no email_type and are counted as promo (marketing)."
        )
    return warnings


def _metrics(row: dict[str, Any], with_ratios: bool) -> dict[str, Any]:
    fields = COUNT_FIELDS + RATE_FIELDS + (RATIO_FIELDS if with_ratios else ())
    return {name: row[name] for name in fields}


def build_report(con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings) -> dict[str, Any]:
    """The JSON report of SPEC §9, exactly: keys, nesting, fractions unrounded, nulls where undefined."""
    state = cohort_state(con, as_of, settings)
    by_basis = dict.fromkeys(UNLAWFUL_BASES, 0)
    for row in violations(con, state.window, settings):
        by_basis[row["basis"]] += row["sends"]
    empty_eligibility = dict.fromkeys(ELIGIBILITY_FIELDS, 0)
    cohorts = []
    for row in state.rows:
        source = row["collection_source"]
        counts = state.eligibility.get(source, empty_eligibility)
        recommendation = state.recommendations[source]
        cohorts.append(
            {
                "collection_source": source,
                "eligibility": {name: counts[name] for name in ELIGIBILITY_FIELDS},
                "metrics": _metrics(row, with_ratios=True),
                "recommendation": {
                    "action": recommendation.action,
                    "reasons": list(recommendation.reasons),
                    "warnings": list(recommendation.warnings),
                },
            }
        )
    return {
        "as_of": as_of.isoformat(),
        "window": {"start": state.window.start.isoformat(), "end": state.window.end.isoformat()},
        "settings": settings.as_dict(),
        "baseline": _metrics(state.baseline, with_ratios=False),
        "violations": by_basis,
        "cohorts": cohorts,
    }


def latest_send_date(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The most recent send date in the data: the default report date."""
    return store.records(con, "metrics/latest_send_date")[0]["latest_send_date"]


CSV_COLUMNS = (
    ("collection_source",)
    + tuple(f"contacts_{name}" for name in ELIGIBILITY_FIELDS)
    + COUNT_FIELDS
    + RATE_FIELDS
    + RATIO_FIELDS
    + ("action", "reasons", "warnings")
)


def report_csv(report: dict[str, Any]) -> str:
    """The cohort table of a report as spreadsheet-safe CSV: one row per collection source."""
    rows = []
    for cohort in report["cohorts"]:
        recommendation = cohort["recommendation"]
        rows.append(
            [cohort["collection_source"]]
            + [cohort["eligibility"][name] for name in ELIGIBILITY_FIELDS]
            + [cohort["metrics"][name] for name in COUNT_FIELDS + RATE_FIELDS + RATIO_FIELDS]
            + [
                recommendation["action"],
                " | ".join(recommendation["reasons"]),
                " | ".join(recommendation["warnings"]),
            ]
        )
    return to_csv(CSV_COLUMNS, rows)
