"""What each section of the dashboard's pages shows, one function per section, grouped by page.

A page reads the sidebar (report date, settings, chosen sources), calls one of these per section and renders
what it gets back — small tables and counts — so no page holds SQL, a query name, a parameter binding, a pivot
or the source filter, and what a page shows can be tested without Streamlit. `sources` is the sidebar's choice of
collection sources, a tuple (empty: all); every section filters with `cohorts.in_sources`, the one rule.

Sections read by a single query take the connection and the report date (the dashboard caches each per source
choice). Sections drawn from a costly computation the dashboard caches once for every source choice — the
cohort state, the weekly review, the weekly series and the action history — take that result and the sources.
The downloads (contact lists, unlawful sends) run their query into a spreadsheet-safe CSV file in DuckDB, with
the same parameters as the section they belong to.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics.policy import ACTIONS
from analytics.report import cohorts, export
from analytics.report.cohorts import CohortState, Window, in_sources
from analytics.report.review import ATTENTION, Review
from analytics.settings import Settings
from analytics.store import decisions, sql
from analytics.tables import UNLAWFUL_BASES


def _of_sources(frame: pd.DataFrame, sources: Sequence[str]) -> pd.DataFrame:
    """The rows of the chosen sources (their index kept; no row: still every column)."""
    return frame[frame["collection_source"].map(lambda source: in_sources(source, sources)).astype(bool)]


# --- Eligibility & retention -----------------------------------------------------------------------------

# The eligibility statuses (cohorts.ELIGIBILITY_FIELDS) without expiring_soon, which the page shows apart.
STATUS_COLUMNS = (
    "collection_source",
    "contacts",
    *(field for field in cohorts.ELIGIBILITY_FIELDS if field != "expiring_soon"),
)
# Who may receive each marketing email type (SPEC §5): every type needs a lawful basis (opt-in or soft opt-in),
# and loyalty emails the loyalty programme's own consent too. Service emails need no consent.
EMAIL_TYPE_ELIGIBILITY = {
    "promo": "eligible_marketing",
    "newsletter": "eligible_marketing",
    "cart_abandonment": "eligible_marketing",
    "welcome": "eligible_marketing",
    "loyalty": "eligible_loyalty",
}
ELIGIBILITY_TOTALS = ("eligible_marketing", "eligible_loyalty", "expired", "expiring_soon", "objected")


@dataclass(frozen=True)
class EligibilityStatus:
    """The chosen sources' contacts on the report date, from `cohorts.eligibility`."""

    per_source: pd.DataFrame  # STATUS_COLUMNS: one row per source, by name
    per_email_type: pd.DataFrame  # collection_source, then how many may receive each EMAIL_TYPE_ELIGIBILITY
    totals: dict[str, int]  # ELIGIBILITY_TOTALS summed over the sources

    @property
    def empty(self) -> bool:
        """No contact of the chosen sources is known on the report date."""
        return self.per_source.empty


def eligibility_status(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings, sources: Sequence[str]
) -> EligibilityStatus:
    """The headline counts, the status per source and who may receive each type of email."""
    columns = STATUS_COLUMNS + ("expiring_soon", "eligible_marketing", "eligible_loyalty")
    counts = _of_sources(pd.DataFrame(cohorts.eligibility(con, as_of, settings), columns=columns), sources)
    by_type = {"collection_source": counts["collection_source"]}
    by_type |= {kind: counts[column] for kind, column in EMAIL_TYPE_ELIGIBILITY.items()}
    return EligibilityStatus(
        per_source=counts[list(STATUS_COLUMNS)],
        per_email_type=pd.DataFrame(by_type),
        totals={name: int(counts[name].sum()) for name in ELIGIBILITY_TOTALS},
    )


def expiring_contacts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings, sources: Sequence[str]
) -> pd.DataFrame:
    """Per source, the lawful contacts whose retention limit falls within 30, 60 and 90 days: collection_source,
    within_30, within_60, within_90."""
    frame = sql.frame(con, "metrics/expiring", as_of=as_of, **settings.query_parameters("retention_years"))
    return _of_sources(frame, sources)


def contact_list_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    status: str,
    as_of: dt.date,
    settings: Settings,
    sources: Sequence[str],
) -> None:
    """Write the chosen sources' contacts of one status on the report date (expired: the purge list;
    objected: the suppression list) to a spreadsheet-safe CSV file."""
    export.query_to_csv(
        con,
        "metrics/contact_lists",
        path,
        as_of=as_of,
        status=status,
        sources=list(sources),
        **settings.query_parameters("retention_years", "expiring_days"),
    )


# --- Compliance ------------------------------------------------------------------------------------------

SENDS_SHOWN = 1000  # the affected sends listed on the page; the download holds them all


@dataclass(frozen=True)
class Violations:
    """The window's unlawful marketing sends of the chosen sources."""

    window: Window
    by_basis: dict[str, int]  # every unlawful basis (0 when none)
    per_source: pd.DataFrame  # collection_source, then one column per basis found (sorted): sends
    per_campaign: pd.DataFrame  # sent_date, campaign_id, email_type, basis, sends; in that order

    @property
    def empty(self) -> bool:
        """No unlawful marketing send in the window."""
        return self.per_campaign.empty


def violations(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings, sources: Sequence[str]
) -> Violations:
    """The window ending on the report date, its unlawful sends per basis, per source and per campaign."""
    window = Window.ending(as_of, settings.window_weeks)
    found = _of_sources(
        sql.frame(
            con,
            "metrics/violations",
            as_of=window.end,
            window_start=window.start,
            **settings.query_parameters("retention_years"),
        ),
        sources,
    )
    if found.empty:
        return Violations(window, dict.fromkeys(UNLAWFUL_BASES, 0), pd.DataFrame(), pd.DataFrame())
    by_basis = found.groupby("basis")["sends"].sum()
    per_source = found.pivot_table(
        index="collection_source", columns="basis", values="sends", aggfunc="sum", fill_value=0
    ).reset_index()
    per_campaign = found.groupby(["sent_date", "campaign_id", "email_type", "basis"], as_index=False)[
        "sends"
    ].sum()
    return Violations(
        window=window,
        by_basis={basis: int(by_basis.get(basis, 0)) for basis in UNLAWFUL_BASES},
        per_source=per_source,
        per_campaign=per_campaign,
    )


def _violation_sends_parameters(as_of: dt.date, settings: Settings, sources: Sequence[str]) -> dict[str, Any]:
    window = Window.ending(as_of, settings.window_weeks)
    return {
        "as_of": window.end,
        "window_start": window.start,
        "sources": list(sources),
        **settings.query_parameters("retention_years"),
    }


@dataclass(frozen=True)
class AffectedSends:
    # The first SENDS_SHOWN, by date, campaign and contact: sent_date, campaign_id, campaign_name, email_type,
    # contact_id, collection_source, basis.
    rows: pd.DataFrame
    total: int  # how many there are


def affected_sends(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings, sources: Sequence[str]
) -> AffectedSends:
    """The window's unlawful marketing sends from events, contact by contact (campaign-stats rows name none)."""
    sends = sql.frame(con, "metrics/violation_sends", **_violation_sends_parameters(as_of, settings, sources))
    return AffectedSends(rows=sends.head(SENDS_SHOWN), total=len(sends))


def violation_sends_csv(
    con: duckdb.DuckDBPyConnection, path: Path, as_of: dt.date, settings: Settings, sources: Sequence[str]
) -> None:
    """Write every affected send (see affected_sends) to a spreadsheet-safe CSV file."""
    export.query_to_csv(
        con, "metrics/violation_sends", path, **_violation_sends_parameters(as_of, settings, sources)
    )


# --- Cohort health ---------------------------------------------------------------------------------------


def cohort_state_of_sources(state: CohortState, sources: Sequence[str]) -> CohortState:
    """The cohort state with the chosen sources' rows, eligibility and recommendations only; the window and
    the baseline stay the whole brand's."""
    return dataclasses.replace(
        state,
        rows=[row for row in state.rows if in_sources(row["collection_source"], sources)],
        eligibility={s: c for s, c in state.eligibility.items() if in_sources(s, sources)},
        recommendations={s: r for s, r in state.recommendations.items() if in_sources(s, sources)},
    )


def window_sends(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings, sources: Sequence[str]
) -> dict[str, dict[str, int]]:
    """The chosen sources' marketing sends and deliveries per legal basis in the window ending on the report
    date (the page's headline figures: cohorts.headline)."""
    return cohorts.window_sends(con, Window.ending(as_of, settings.window_weeks), settings, list(sources))


@dataclass(frozen=True)
class Attention:
    """A source that needs attention at the report date, as the top of Cohort health lists it."""

    collection_source: str
    action: str
    dissatisfaction_rate: float | None  # over the window (state.window), a fraction
    reason: str | None  # the recommendation's first reason
    warning: str | None  # its first complaint warning, None without one


def attention(state: CohortState) -> list[Attention]:
    """The sources that need attention in this cohort state, as the weekly review defines it
    (review.ATTENTION, SourceReview.needs_attention): an action that lowers the pressure, or a complaint warning.
    The most severe first: stop, editorial only, reduce, then a warning alone; by name within each."""
    rates = {row["collection_source"]: row["dissatisfaction_rate"] for row in state.rows}
    found = []
    for source, recommendation in state.recommendations.items():
        if recommendation.action not in ATTENTION and not recommendation.warnings:
            continue
        found.append(
            Attention(
                collection_source=source,
                action=recommendation.action,
                dissatisfaction_rate=rates.get(source),
                reason=recommendation.reasons[0] if recommendation.reasons else None,
                warning=recommendation.warnings[0] if recommendation.warnings else None,
            )
        )

    def severity(item: Attention) -> tuple[int, str]:
        rank = ATTENTION.index(item.action) if item.action in ATTENTION else len(ATTENTION)
        return rank, item.collection_source

    return sorted(found, key=severity)


# --- Trends ----------------------------------------------------------------------------------------------

HISTORY_COLUMNS = ["week_end", "collection_source", "action", "reasons"]


def trend_rates(weekly: pd.DataFrame, sources: Sequence[str]) -> pd.DataFrame:
    """The weekly series (cohorts.weekly_rates) of the chosen sources, and the brand's baseline (its
    collection_source is null) whatever the choice."""
    source = weekly["collection_source"]
    return weekly[(source.isna() | source.map(lambda s: in_sources(s, sources))).astype(bool)]


@dataclass(frozen=True)
class TrendActions:
    history: pd.DataFrame  # HISTORY_COLUMNS: one row per week end × chosen source
    table: pd.DataFrame  # the actions' labels, a row per source by a column per ISO week (2026-W47), sorted


def trend_actions(history: list[dict[str, Any]], sources: Sequence[str]) -> TrendActions:
    """The chosen sources' recommended action at the end of each week (cohorts.action_history), and the same
    as a source × week table of action labels."""
    frame = _of_sources(pd.DataFrame(history, columns=HISTORY_COLUMNS), sources)
    if frame.empty:
        return TrendActions(frame, pd.DataFrame())
    table = frame.assign(
        week=pd.to_datetime(frame["week_end"]).dt.strftime("%G-W%V"),
        action=frame["action"].map(lambda a: ACTIONS[a].label),
    ).pivot(index="collection_source", columns="week", values="action")
    return TrendActions(frame, table)


# --- Weekly review ---------------------------------------------------------------------------------------


def review_of_sources(review: Review, sources: Sequence[str]) -> Review:
    """The review with the chosen sources' rows only: recommendations and rates, action history, unlawful
    sends, retention and missing evidence. The summary, the baseline and the previous week's unlawful sends
    stay the whole brand's."""

    def chosen(rows: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
        return tuple(row for row in rows if in_sources(row["collection_source"], sources))

    return dataclasses.replace(
        review,
        sources=tuple(s for s in review.sources if in_sources(s.collection_source, sources)),
        history=chosen(review.history),
        violations=chosen(review.violations),
        retention=chosen(review.retention),
        evidence=chosen(review.evidence),
    )


def decisions_of_sources(
    entries: Sequence[decisions.Decision], sources: Sequence[str]
) -> list[decisions.Decision]:
    """The decision log's entries about the chosen sources, in the log's order."""
    return [entry for entry in entries if in_sources(entry.collection_source, sources)]
