"""The cohort report of SPEC §7–§9 as of a date: baseline, violations, and per source eligibility, metrics and
recommendation. The CLI serialises it; the dashboard renders the same figures."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from analytics.i18n import _
from analytics.policy import CohortFigures, Recommendation, recommend
from analytics.report import export
from analytics.settings import Settings
from analytics.store import sql
from analytics.tables import UNLAWFUL_BASES
from analytics.text import visible
from analytics.vocabulary import whole

COUNT_FIELDS = ("delivered", "openers", "clickers", "unsubscribers", "complainers")
RATE_FIELDS = ("open_rate", "click_rate", "unsubscribe_rate", "complaint_rate", "dissatisfaction_rate")
RATIO_FIELDS = ("open_ratio", "click_ratio")
# The settings the rate queries (cohort_metrics, weekly_rates) take: Settings.query_parameters.
RATE_PARAMETERS = ("retention_years", "baseline_opt_in_only", "include_complaints")
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


def metric_rows(
    con: duckdb.DuckDBPyConnection, report_dates: list[dt.date], window_days: int, settings: Settings
) -> list[dict[str, Any]]:
    """cohort_metrics rows (one per date × source, plus the baseline) for windows of `window_days` days."""
    return sql.records(
        con,
        "metrics/cohort_metrics",
        report_dates=report_dates,
        window_days=window_days,
        **settings.query_parameters(*RATE_PARAMETERS),
    )


def _eligibility_rows(
    con: duckdb.DuckDBPyConnection, report_dates: list[dt.date], settings: Settings
) -> list[dict[str, Any]]:
    return sql.records(
        con,
        "metrics/eligibility",
        report_dates=report_dates,
        **settings.query_parameters("retention_years", "expiring_days"),
    )


def eligibility(con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings) -> list[dict[str, Any]]:
    """Per source: status counts, expiring soon and eligible counts per email type on the report date."""
    return _eligibility_rows(con, [as_of], settings)


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
    rows: list[dict[str, Any]]  # one per source, sorted by name: cohort metrics
    eligibility: dict[str, dict[str, Any]]  # source -> eligibility counts
    recommendations: dict[str, Recommendation]


def _soft_opt_in_contacts(
    con: duckdb.DuckDBPyConnection, wanted: list[tuple[dt.date, str]], settings: Settings
) -> dict[dt.date, dict[str, dict[str, Any]]]:
    """{date: {source: {"soft_opt_in": n}}} for just these (date, source) pairs."""
    counts: dict[dt.date, dict[str, dict[str, Any]]] = {}
    if not wanted:
        return counts
    rows = sql.records(
        con,
        "metrics/soft_opt_in_contacts",
        report_dates=sorted({day for day, _ in wanted}),
        sources=sorted({source for _, source in wanted}),
        **settings.query_parameters("retention_years"),
    )
    for row in rows:
        counts.setdefault(row["as_of"], {})[row["collection_source"]] = {"soft_opt_in": row["soft_opt_in"]}
    return counts


def cohort_states(
    con: duckdb.DuckDBPyConnection,
    report_dates: list[dt.date],
    settings: Settings,
    *,
    with_eligibility: bool = True,
) -> dict[dt.date, CohortState]:
    """Metrics, eligibility and recommendations of every cohort for the windows ending on each date.

    One query answers every date and the last day of each one's previous window (for reintroduce_promos),
    so a 12-week history costs about as much as a single report. with_eligibility=False (histories): the
    states' eligibility is left empty and only the soft-opt-in contacts of the sources never sent to — all
    that a recommendation reads of it (SPEC §8 rule 1) — are counted.
    """
    back = dt.timedelta(days=7 * settings.window_weeks)
    all_dates = sorted(set(report_dates) | {d - back for d in report_dates})
    rows: dict[dt.date, list[dict[str, Any]]] = {d: [] for d in all_dates}
    for row in metric_rows(con, all_dates, 7 * settings.window_weeks, settings):
        rows[row["as_of"]].append(row)
    # Eligibility only for the report dates: a previous window's action matters only when it is editorial_only
    # or stop (SPEC §8 rule 6), which never depends on the soft-opt-in contact count (rule 1 alone reads it).
    counts: dict[dt.date, dict[str, dict[str, Any]]] = {d: {} for d in all_dates}
    if with_eligibility:
        for row in _eligibility_rows(con, sorted(set(report_dates)), settings):
            counts[row["as_of"]][row["collection_source"]] = row
    else:
        never_sent = [
            (day, r["collection_source"])
            for day in set(report_dates)
            for r in rows[day]
            if r["row_kind"] == "cohort" and not r["ever_sent"]
        ]
        for day, by_source in _soft_opt_in_contacts(con, never_sent, settings).items():
            counts[day].update(by_source)

    def figures(day: dt.date) -> dict[str, CohortFigures]:
        return {
            r["collection_source"]: _figures(
                r, counts[day].get(r["collection_source"], {}).get("soft_opt_in", 0)
            )
            for r in rows[day]
            if r["row_kind"] == "cohort"
        }

    states = {}
    for day in report_dates:
        previous = {source: recommend(f, settings).action for source, f in figures(day - back).items()}
        states[day] = CohortState(
            window=Window.ending(day, settings.window_weeks),
            baseline=next(r for r in rows[day] if r["row_kind"] == "baseline"),
            rows=[r for r in rows[day] if r["row_kind"] == "cohort"],
            eligibility=counts[day],
            recommendations={
                source: recommend(f, settings, previous.get(source)) for source, f in figures(day).items()
            },
        )
    return states


def cohort_state(con: duckdb.DuckDBPyConnection, as_of: dt.date, settings: Settings) -> CohortState:
    """Metrics, eligibility and recommendations of every cohort for the window ending on as_of."""
    return cohort_states(con, [as_of], settings)[as_of]


def violations(con: duckdb.DuckDBPyConnection, window: Window, settings: Settings) -> list[dict[str, Any]]:
    """The window's unlawful marketing sends, per campaign × source × basis."""
    return sql.records(
        con,
        "metrics/violations",
        as_of=window.end,
        window_start=window.start,
        **settings.query_parameters("retention_years"),
    )


# Letters of other scripts that look like Latin ones (Unicode's confusables, the common part): a source typed
# with a Cyrillic о is another source to the database, and the same one to the eye. Upper case is mapped apart
# where it looks like another letter than its lower case (Greek Η is H, η is n).
LOOK_ALIKES = str.maketrans(
    {
        # Cyrillic
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
        "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y", "Һ": "H", "Ӏ": "I",
        "а": "a", "в": "b", "е": "e", "к": "k", "о": "o", "п": "n", "р": "p", "с": "c", "у": "y", "х": "x",
        "ь": "b", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ү": "y",
        "ё": "ë", "ї": "ï",
        # Greek
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
        "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        "α": "a", "γ": "y", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "υ": "u", "χ": "x", "ω": "w",
        "η": "n", "ϲ": "c", "ϳ": "j",
        # Armenian and Latin look-alikes
        "օ": "o", "ս": "u", "հ": "h", "ց": "g", "ı": "i", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ʏ": "y",
    }
)  # fmt: skip
# Characters that show as nothing (ingest removes them since; an older database may hold them).
INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u2060-\u2064\ufeff\U000e0000-\U000e007f]")


def skeleton(name: str) -> str:
    """What a source name looks like: compatibility forms (ｗｅｂ is web), invisible characters and outer
    spaces gone, look-alike letters of other scripts as the Latin ones, case folded. Two names with the same
    skeleton are one source to the eye."""
    text = unicodedata.normalize("NFKC", INVISIBLE.sub("", name)).translate(LOOK_ALIKES)
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _unusual(name: str) -> list[str]:
    """The characters of a name that make it look like another: look-alikes, invisible and compatibility forms."""
    return [
        c
        for c in name
        if c.translate(LOOK_ALIKES) != c or INVISIBLE.match(c) or unicodedata.normalize("NFKC", c) != c
    ]


def _character(c: str) -> str:
    """An unusual character named for the reader: 'а is U+0430 cyrillic small letter a' (the Unicode name in
    English, as the standard writes it)."""
    code = f"U+{ord(c):04X} {unicodedata.name(c, '').lower()}"
    return (_("{character} is {code}").format(character=c, code=code) if c.isprintable() else code).strip()


def look_alike_sources(names: list[str]) -> list[str]:
    """A warning per group of source names that differ only by case or look-alike characters (small list:
    the distinct names of the database), naming them and their unusual characters."""
    groups: dict[str, list[str]] = defaultdict(list)
    for name in names:
        groups[skeleton(name)].append(name)
    warnings = []
    for _skeleton, group in sorted(groups.items()):
        if len(group) < 2:
            continue
        shown = [f"'{visible(n)}'" for n in sorted(group)]
        listed = _("{items} and {last}").format(items=", ".join(shown[:-1]), last=shown[-1])
        odd = dict.fromkeys(c for n in sorted(group) for c in _unusual(n))
        detail = "; ".join(_character(c) for c in odd)
        warnings.append(
            _(
                "The sources {sources} differ only by case or look-alike characters{characters}: they count as "
                "{count} separate cohorts, each with a part of the sends. Write the source the same way in every "
                "file, then load the contacts again: each contact's row is updated to the source written "
                "(campaign-stats rows already loaded keep theirs: empty the database on the Data page and load "
                "every file again)."
            ).format(sources=listed, characters=f" ({detail})" if detail else "", count=whole(len(group)))
        )
    return warnings


def data_quality(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[str]:
    """Warnings about the data itself, in words, for the report date."""
    row = sql.records(con, "metrics/data_quality", as_of=as_of)[0]
    warnings = []
    if row["unknown_contact_events"]:
        warnings.append(
            _(
                "{events} event(s) of {contacts} contact id(s) absent from the contacts known on the report date "
                "(not loaded, or collected later) are kept but excluded from every metric: load the contacts they "
                "belong to, or check their collection dates."
            ).format(events=whole(row["unknown_contact_events"]), contacts=whole(row["unknown_contact_ids"]))
        )
    if row["inferred_campaigns"]:
        warnings.append(
            _(
                "{count} campaign(s) appear in events but not in campaigns: their send date is taken as their "
                "earliest event's date and their type as promo. Load the campaigns file."
            ).format(count=whole(row["inferred_campaigns"]))
        )
    if row["untyped_campaigns"]:
        warnings.append(
            _("{count} campaign(s) have no email type and are counted as promotions (marketing).").format(
                count=whole(row["untyped_campaigns"])
            )
        )
    warnings += look_alike_sources(row["source_names"] or [])
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
    return sql.records(con, "metrics/latest_send_date")[0]["latest_send_date"]


CSV_COLUMNS = (
    ("collection_source",)
    + tuple(f"contacts_{name}" for name in ELIGIBILITY_FIELDS)
    + COUNT_FIELDS
    + RATE_FIELDS
    + RATIO_FIELDS
    + ("action", "reasons", "warnings")
)


def report_csv(report: dict[str, Any], csv_dialect: export.Dialect | None = None) -> str:
    """The cohort table of a report as spreadsheet-safe CSV: one row per collection source. Machine dialect by
    default (codes, fractions: `optout-cohorts report --format csv`); the spreadsheet dialect writes the
    headings, actions and rates for a person, in the current language (analytics.report.export)."""
    chosen = csv_dialect or export.dialect()
    rows = []
    for cohort in report["cohorts"]:
        recommendation = cohort["recommendation"]
        metrics = cohort["metrics"]
        rows.append(
            [cohort["collection_source"]]
            + [cohort["eligibility"][name] for name in ELIGIBILITY_FIELDS]
            + [metrics[name] for name in COUNT_FIELDS]
            + [export.percentage(metrics[name], chosen) for name in RATE_FIELDS]
            + [export.decimal(metrics[name], chosen, 2 if chosen.readable else None) for name in RATIO_FIELDS]
            + [
                export.label("action", recommendation["action"], chosen),
                " | ".join(recommendation["reasons"]),
                " | ".join(recommendation["warnings"]),
            ]
        )
    return export.to_csv([export.heading(column, chosen) for column in CSV_COLUMNS], rows, chosen)


def window_sends(
    con: duckdb.DuckDBPyConnection, window: Window, settings: Settings, sources: list[str] | None = None
) -> dict[str, dict[str, int]]:
    """The window's marketing sends and deliveries per legal basis: {basis: {sends, delivered}}."""
    rows = sql.records(
        con,
        "metrics/window_sends",
        as_of=window.end,
        window_start=window.start,
        sources=list(sources or []),
        **settings.query_parameters("retention_years"),
    )
    return {r["basis"]: {"sends": r["sends"], "delivered": r["delivered"]} for r in rows}


def in_sources(source: str | None, sources: Sequence[str]) -> bool:
    """The source filter of every page: a source is kept when it is one of those chosen, or when none is
    (empty means all)."""
    return not sources or source in sources


def headline(state: CohortState, sends: dict[str, dict[str, int]], sources: list[str] | None = None) -> dict:
    """The figures at the top of the cohort-health page, for the chosen sources (None: all).

    lawful_reach: contacts that may receive marketing on the report date (opt_in + soft_opt_in);
    soft_opt_in_share: the soft-opt-in part of it; sends: the window's marketing sends, all bases;
    violations: of them, those under an unlawful basis; to_purge: contacts past the retention limit.
    """
    chosen = [c for s, c in state.eligibility.items() if in_sources(s, sources or ())]
    lawful = sum(c["opt_in"] + c["soft_opt_in"] for c in chosen)
    soft = sum(c["soft_opt_in"] for c in chosen)
    return {
        "lawful_reach": lawful,
        "soft_opt_in_share": soft / lawful if lawful else None,
        "sends": sum(v["sends"] for v in sends.values()),
        "violations": sum(v["sends"] for basis, v in sends.items() if basis in UNLAWFUL_BASES),
        "to_purge": sum(c["expired"] for c in chosen),
        "expiring_soon": sum(c["expiring_soon"] for c in chosen),
    }


def week_ends(as_of: dt.date, weeks: int) -> list[dt.date]:
    """The last day of each of the `weeks` ISO weeks ending with the report date's week (that week ends on
    the report date itself), oldest first."""
    sunday = as_of + dt.timedelta(days=6 - as_of.weekday())
    return sorted(min(as_of, sunday - dt.timedelta(days=7 * k)) for k in range(weeks))


def weekly_rates(con: duckdb.DuckDBPyConnection, as_of: dt.date, weeks: int, settings: Settings):
    """Rates per ISO week for each soft-opt-in cohort and the baseline (a small DataFrame)."""
    return sql.frame(
        con,
        "metrics/weekly_rates",
        as_of=as_of,
        weeks=weeks,
        **settings.query_parameters(*RATE_PARAMETERS),
    )


def action_history(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, weeks: int, settings: Settings
) -> list[dict[str, Any]]:
    """The recommended action of every source at the end of each of the last `weeks` ISO weeks, each computed
    from the data as it stood on that day (SPEC §7), so later data never rewrites history."""
    states = cohort_states(con, week_ends(as_of, weeks), settings, with_eligibility=False)
    return [
        {"week_end": day, "collection_source": source, "action": rec.action, "reasons": list(rec.reasons)}
        for day, state in states.items()
        for source, rec in state.recommendations.items()
    ]
