"""The weekly review: what changed in a week, source by source, and a summary the meeting can read aloud.

A review week is the 7 days ending on its last day (an ISO week when that day is a Sunday). Each figure is
computed from the data as it stood at the end of the week it describes (SPEC §7): a week's rates are the
window report of that week alone, the previous week's are those the previous review showed, and the trailing
average is the `window_weeks` weeks before the reviewed one, as the report at the end of the previous week
showed them. So a review, and the 12-week history of actions, never change when data of later weeks arrives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from analytics.formats import number
from analytics.i18n import N_, _, ngettext
from analytics.policy import ACTIONS, percent
from analytics.report import cohorts
from analytics.report.cohorts import Window
from analytics.settings import Settings
from analytics.store import decisions, registry, sql
from analytics.tables import UNLAWFUL_BASES
from analytics.vocabulary import basis_label, evidence_reason, weeks

REVIEW_RATES = ("dissatisfaction_rate", "open_rate", "click_rate", "unsubscribe_rate", "complaint_rate")
HISTORY_WEEKS = 12
EXPIRING_DAYS = 30
# Actions that ask the team to lower the pressure: a source with one of them "needs attention".
ATTENTION = ("stop", "editorial_only", "reduce")
# A count of sources in words at the start of the summary, noun included (French: "Une source", "Deux sources").
_SOURCES_IN_WORDS = (
    N_("No sources"),
    N_("One source"),
    N_("Two sources"),
    N_("Three sources"),
    N_("Four sources"),
    N_("Five sources"),
    N_("Six sources"),
    N_("Seven sources"),
    N_("Eight sources"),
    N_("Nine sources"),
    N_("Ten sources"),
)


@dataclass(frozen=True)
class RateChange:
    """One rate in the reviewed week, the week before, and over the trailing window (fractions or None)."""

    current: float | None
    previous: float | None
    trailing: float | None

    @staticmethod
    def _points(now: float | None, then: float | None) -> float | None:
        return None if now is None or then is None else (now - then) * 100

    @property
    def delta_points(self) -> float | None:
        """Change since the previous week, in percentage points (None when either week has no data)."""
        return self._points(self.current, self.previous)

    @property
    def trailing_delta_points(self) -> float | None:
        """Gap to the trailing average, in percentage points."""
        return self._points(self.current, self.trailing)


@dataclass(frozen=True)
class SourceReview:
    collection_source: str
    action: str
    previous_action: str | None  # None: the source did not exist at the end of the previous week
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    delivered: int  # soft-opt-in deliveries in the reviewed week
    rates: dict[str, RateChange]
    # The dissatisfaction rate over the settings' window ending on the week's last day: the figure the action
    # was decided on (the week's own rate is rates["dissatisfaction_rate"].current).
    window_dissatisfaction: float | None = None

    @property
    def changed(self) -> bool:
        return self.previous_action is not None and self.previous_action != self.action

    @property
    def needs_attention(self) -> bool:
        return self.action in ATTENTION or bool(self.warnings)


@dataclass(frozen=True)
class Review:
    week: Window
    settings: Settings
    sources: tuple[SourceReview, ...]  # changed actions first, then by name
    baseline: dict[str, RateChange]
    violations: tuple[dict[str, Any], ...]  # the week's unlawful sends per campaign × source × basis
    previous_violations: int  # unlawful sends of the week before
    retention: tuple[dict[str, Any], ...]  # per source: newly_expired, expiring_soon (next 30 days)
    evidence: tuple[dict[str, Any], ...]  # sources missing evidence: collection_source, reasons, new
    history: tuple[dict[str, Any], ...]  # week_end, collection_source, action over HISTORY_WEEKS weeks
    summary: str

    @property
    def changed(self) -> tuple[SourceReview, ...]:
        return tuple(s for s in self.sources if s.changed)

    def violations_by_basis(self) -> dict[str, int]:
        counts = dict.fromkeys(UNLAWFUL_BASES, 0)
        for row in self.violations:
            counts[row["basis"]] += row["sends"]
        return counts


def week_of(day: dt.date) -> Window:
    """The review week ending on `day`."""
    return Window.ending(day, 1)


def last_complete_week_end(latest_send: dt.date | None, today: dt.date) -> dt.date:
    """The Sunday ending the last ISO week that is over both in the calendar and in the data: the week a
    Monday-morning review looks at."""
    limit = min(latest_send, today - dt.timedelta(days=1)) if latest_send else today - dt.timedelta(days=1)
    return limit - dt.timedelta(days=(limit.weekday() + 1) % 7)


def _rows_by_source(
    con: duckdb.DuckDBPyConnection, dates: list[dt.date], window_days: int, settings: Settings
) -> dict[dt.date, dict[str | None, dict[str, Any]]]:
    """cohort_metrics rows keyed by date, then source (None: the baseline)."""
    result: dict[dt.date, dict[str | None, dict[str, Any]]] = {d: {} for d in dates}
    for row in cohorts.metric_rows(con, dates, window_days, settings):
        result[row["as_of"]][row["collection_source"]] = row
    return result


def _changes(now: dict | None, before: dict | None, trailing: dict | None) -> dict[str, RateChange]:
    def rate(row: dict | None, name: str) -> float | None:
        return None if row is None else row[name]

    return {
        name: RateChange(rate(now, name), rate(before, name), rate(trailing, name)) for name in REVIEW_RATES
    }


def build_review(con: duckdb.DuckDBPyConnection, week_end: dt.date, settings: Settings) -> Review:
    """The review of the week ending on `week_end`, with the recommendation history of the 12 weeks to it."""
    week = week_of(week_end)
    previous_end = week.start - dt.timedelta(days=1)
    weekly = _rows_by_source(con, [previous_end, week_end], 7, settings)
    # One pass for the history's week ends and the previous week's end (the same day when week_end is a
    # Sunday): this week's and last week's actions, and last week's window as the trailing figure.
    history_days = cohorts.week_ends(week_end, HISTORY_WEEKS)
    states = cohorts.cohort_states(
        con, sorted(set(history_days) | {previous_end}), settings, with_eligibility=False
    )
    now, before = states[week_end], states[previous_end]
    trailing = {row["collection_source"]: row for row in before.rows} | {None: before.baseline}

    sources = []
    for row in now.rows:
        source = row["collection_source"]
        recommendation = now.recommendations[source]
        previous = before.recommendations.get(source)
        week_row = weekly[week_end].get(source)
        sources.append(
            SourceReview(
                collection_source=source,
                action=recommendation.action,
                previous_action=previous.action if previous else None,
                reasons=recommendation.reasons,
                warnings=recommendation.warnings,
                delivered=week_row["delivered"] if week_row else 0,
                rates=_changes(week_row, weekly[previous_end].get(source), trailing.get(source)),
                window_dissatisfaction=row["dissatisfaction_rate"],
            )
        )
    sources.sort(key=lambda s: (not s.changed, s.collection_source))

    violations = tuple(cohorts.violations(con, week, settings))
    previous_violations = sum(r["sends"] for r in cohorts.violations(con, week_of(previous_end), settings))
    retention = tuple(
        r
        for r in sql.records(
            con,
            "metrics/retention_changes",
            as_of=week_end,
            previous=previous_end,
            **settings.query_parameters("retention_years", expiring_days=EXPIRING_DAYS),
        )
        if r["newly_expired"] or r["expiring_soon"]
    )
    evidence = tuple(
        {
            "collection_source": r["collection_source"],
            "reasons": tuple(evidence_reason(reason) for reason in r["missing_reasons"]),
            "new": r["first_seen"] is not None and r["first_seen"] >= week.start,
        }
        for r in registry.rows(con)
        if r["evidence_missing"] and r["first_seen"] is not None and r["first_seen"] <= week_end
    )
    history = tuple(
        {"week_end": day, "collection_source": source, "action": rec.action}
        for day in history_days
        for source, rec in sorted(states[day].recommendations.items())
    )
    review = Review(
        week=week,
        settings=settings,
        sources=tuple(sources),
        baseline=_changes(weekly[week_end].get(None), weekly[previous_end].get(None), trailing.get(None)),
        violations=violations,
        previous_violations=previous_violations,
        retention=retention,
        evidence=evidence,
        history=history,
        summary="",
    )
    return Review(**{**review.__dict__, "summary": summarise(review)})


def _sources_in_words(n: int) -> str:
    """A count of sources in words up to ten (Two sources), in figures beyond (1,234 sources)."""
    if n < len(_SOURCES_IN_WORDS):
        return _(_SOURCES_IN_WORDS[n])
    return ngettext("{count} source", "{count} sources", n).format(count=number(n))


def _listing(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def _action_change(source: SourceReview) -> str:
    return f"{ACTIONS[source.previous_action].label} → {ACTIONS[source.action].label}"


def _severity(source: SourceReview) -> int:
    return ATTENTION.index(source.action) if source.action in ATTENTION else len(ATTENTION)


def quoted_figures(source: SourceReview, window_weeks: int) -> list[str]:
    """The dissatisfaction figures quoted beside an action, each with its span: the window's rate (the one the
    action was decided on) first, then the week's, labelled as the week's."""
    figures = []
    if source.window_dissatisfaction is not None:
        figures.append(
            _("dissatisfaction {rate} over the last {weeks}").format(
                rate=percent(source.window_dissatisfaction), weeks=weeks(window_weeks)
            )
        )
    week_rate = source.rates["dissatisfaction_rate"].current
    if week_rate is not None:
        if figures:
            figures.append(_("{rate} this week").format(rate=percent(week_rate)))
        else:
            figures.append(_("dissatisfaction {rate} this week").format(rate=percent(week_rate)))
    return figures


def agenda(
    sources: Sequence[SourceReview], log: Sequence[decisions.Decision], week_end: dt.date
) -> list[tuple[SourceReview, decisions.SourceStatus]]:
    """The meeting's decision table: the sources that need attention and are still pending first (the most
    severe action first), then the other pending sources, then those decided; by name within each group."""
    status = decisions.status_by_source(log, week_end, [s.collection_source for s in sources])

    def order(source: SourceReview) -> tuple:
        pending = status[source.collection_source].pending
        group = 0 if pending and source.needs_attention else 1 if pending else 2
        return (group, _severity(source) if group == 0 else 0, source.collection_source)

    return [(s, status[s.collection_source]) for s in sorted(sources, key=order)]


def summarise(review: Review) -> str:
    """One paragraph in plain words, built only from the review's figures, in the language of the context."""
    sentences = []
    attention = [s for s in review.sources if s.needs_attention]
    if attention:
        details = []
        for source in sorted(attention, key=_severity):
            action = _action_change(source) if source.changed else ACTIONS[source.action].label
            parts = quoted_figures(source, review.settings.window_weeks)
            if source.warnings:
                parts.append(_("complaint warning"))
            quoted = (
                _("{action}: {figures}").format(action=action, figures=", ".join(parts)) if parts else action
            )
            details.append(f"{source.collection_source} ({quoted})")
        sentences.append(
            ngettext(
                "{sources} needs attention: {details}.",
                "{sources} need attention: {details}.",
                len(attention),
            ).format(sources=_sources_in_words(len(attention)), details=_listing(details))
        )
    else:
        sentences.append(
            _("No source needs attention: no cohort is recommended to stop, go editorial or reduce.")
        )
    other_changes = [s for s in review.changed if not s.needs_attention]
    if other_changes:
        sentences.append(
            _("Also changed since last week: {changes}.").format(
                changes=_listing([f"{s.collection_source} ({_action_change(s)})" for s in other_changes])
            )
        )
    elif not review.changed:
        sentences.append(_("No recommendation changed since last week."))
    unlawful = sum(r["sends"] for r in review.violations)
    if unlawful:
        # Each basis by its label, as the Compliance page names it ("not informed 10", "non informé 10").
        by_basis = [
            f"{basis_label(basis).lower()} {number(n)}"
            for basis, n in review.violations_by_basis().items()
            if n
        ]
        sentences.append(
            ngettext(
                "{sends} marketing send(s) this week had no lawful basis ({by_basis}), against {previous} the "
                "week before: see Compliance.",
                "{sends} marketing send(s) this week had no lawful basis ({by_basis}), against {previous} the "
                "week before: see Compliance.",
                unlawful,
            ).format(
                sends=number(unlawful),
                by_basis=", ".join(by_basis),
                previous=number(review.previous_violations),
            )
        )
    else:
        sentences.append(_("Every marketing send this week had a lawful basis."))
    expired = sum(r["newly_expired"] for r in review.retention)
    expiring = sum(r["expiring_soon"] for r in review.retention)
    if expired or expiring:
        sentences.append(
            _(
                "{expired} contact(s) passed the {years}-year limit this week and must be purged; {expiring} more "
                "reach it within {days} days unless they buy or click."
            ).format(
                expired=number(expired),
                years=review.settings.retention_years,
                expiring=number(expiring),
                days=EXPIRING_DAYS,
            )
        )
    new_missing = [e["collection_source"] for e in review.evidence if e["new"]]
    if new_missing:
        sentences.append(
            ngettext(
                "New source(s) without evidence that contacts were informed: {sources}; complete the registry.",
                "New source(s) without evidence that contacts were informed: {sources}; complete the registry.",
                len(new_missing),
            ).format(sources=_listing(new_missing))
        )
    return " ".join(sentences)
