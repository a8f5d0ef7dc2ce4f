"""What the meeting saw, kept as it was: a closed week's review is shown frozen, an open week's computed.

`to_plain` turns a Review into plain JSON-able data and `from_plain` turns it back (the summary is re-written
from the frozen figures in the reader's language by review.summarise). `close_week` stores the review the
meeting sees, in every language of the product (the reasons and warnings of a recommendation are sentences
written when computed), with the settings used; `meeting_review` is the review every reader gets: frozen when
the week is closed, computed when open, its 12-week history showing, for each past week that is closed, the
actions that week's meeting saw. `defaults_notice` is the one sentence saying which settings differ from the
guidance defaults (the banner of every page and of the HTML report); `closure_notice` says when a week was
closed, by whom, and with which settings when they differ from today's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import duckdb

from analytics import formats, i18n
from analytics.i18n import _
from analytics.report import cohorts
from analytics.report.cohorts import Window
from analytics.report.review import HISTORY_WEEKS, RateChange, Review, SourceReview, build_review, summarise
from analytics.settings import DEFAULTS, LABELS, REGISTRY, Settings, from_mapping
from analytics.store import week_closures
from analytics.store.week_closures import Closure
from analytics.vocabulary import setting_text

_DATE, _MOMENT = "__date__", "__datetime__"  # how a date inside a row is written in JSON


# --- a Review as plain data, and back --------------------------------------------------------------------


def _encode(value: Any) -> Any:
    """A row's value as JSON: dates tagged, tuples as lists, numbers and texts as they are."""
    if isinstance(value, dt.datetime):
        return {_MOMENT: value.isoformat()}
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    return value


def _decode(value: Any) -> Any:
    """The reverse of _encode (lists come back as tuples, as a Review's rows hold them)."""
    if isinstance(value, dict):
        if set(value) == {_DATE}:
            return dt.date.fromisoformat(value[_DATE])
        if set(value) == {_MOMENT}:
            return dt.datetime.fromisoformat(value[_MOMENT])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def _rates_plain(rates: dict[str, RateChange]) -> dict[str, dict[str, float | None]]:
    return {
        name: {"current": r.current, "previous": r.previous, "trailing": r.trailing}
        for name, r in rates.items()
    }


def _rates(plain: dict[str, dict[str, float | None]]) -> dict[str, RateChange]:
    return {name: RateChange(r["current"], r["previous"], r["trailing"]) for name, r in plain.items()}


def _source_plain(source: SourceReview) -> dict[str, Any]:
    """One source's row as plain data: every field of SourceReview (a field added later is kept too)."""
    plain = {}
    for field in dataclasses.fields(SourceReview):
        value = getattr(source, field.name)
        plain[field.name] = _rates_plain(value) if field.name == "rates" else _encode(value)
    return plain


def _source(plain: dict[str, Any]) -> SourceReview:
    """A source's row back; a field the frozen data does not hold (added since the week was closed) takes its
    default."""
    values = {}
    for field in dataclasses.fields(SourceReview):
        if field.name in plain:
            values[field.name] = (
                _rates(plain["rates"]) if field.name == "rates" else _decode(plain[field.name])
            )
    return SourceReview(**values)


def to_plain(review: Review) -> dict[str, Any]:
    """The review as shown, as JSON-able data (its summary is not kept: it is re-written where it is read)."""
    return {
        "week": {"start": review.week.start.isoformat(), "end": review.week.end.isoformat()},
        "settings": review.settings.as_dict(),
        "sources": [_source_plain(s) for s in review.sources],
        "baseline": _rates_plain(review.baseline),
        "violations": _encode(review.violations),
        "previous_violations": int(review.previous_violations),
        "retention": _encode(review.retention),
        "evidence": _encode(review.evidence),
        "history": [
            {
                "week_end": h["week_end"].isoformat(),
                "collection_source": h["collection_source"],
                "action": h["action"],
            }
            for h in review.history
        ],
    }


def from_plain(plain: dict[str, Any]) -> Review:
    """The Review that to_plain's data describes, its summary written now in the reader's language."""
    review = Review(
        week=Window(
            dt.date.fromisoformat(plain["week"]["start"]), dt.date.fromisoformat(plain["week"]["end"])
        ),
        settings=from_mapping(plain["settings"]),
        sources=tuple(_source(s) for s in plain["sources"]),
        baseline=_rates(plain["baseline"]),
        violations=_decode(plain["violations"]),
        previous_violations=plain["previous_violations"],
        retention=_decode(plain["retention"]),
        evidence=_decode(plain["evidence"]),
        history=tuple(
            {
                "week_end": dt.date.fromisoformat(h["week_end"]),
                "collection_source": h["collection_source"],
                "action": h["action"],
            }
            for h in plain["history"]
        ),
        summary="",
    )
    return Review(**{**review.__dict__, "summary": summarise(review)})


def check_plain(settings_json: str, review_json: str) -> None:
    """Read back a closure's stored settings and review (each language's), as the pages will: ValueError (or
    the error of what is missing) when they cannot be, for restore_check to refuse a crafted backup."""
    from_mapping(json.loads(settings_json))
    by_language = json.loads(review_json)
    if not isinstance(by_language, dict) or not by_language:
        raise ValueError("no review kept")
    for plain in by_language.values():
        from_plain(plain)


# --- the review the meeting sees -------------------------------------------------------------------------


def frozen_review(closure: Closure) -> Review:
    """A closed week's review in the reader's language (the source language when it was not kept in it)."""
    return from_plain(_plain_of(closure))


def _plain_of(closure: Closure) -> dict[str, Any]:
    """The frozen review in the reader's language, else the source language, else any kept."""
    by_language = closure.review
    return (
        by_language.get(i18n.current())
        or by_language.get(i18n.SOURCE_LANGUAGE)
        or next(iter(by_language.values()))
    )


def _with_frozen_history(review: Review, closed: dict[dt.date, Closure]) -> Review:
    """An open week's review whose history shows, for each past week that is closed, the actions it froze."""
    frozen_weeks = {day: closure for day, closure in closed.items() if day != review.week.end}
    if not frozen_weeks:
        return review
    history = []
    for day in sorted({h["week_end"] for h in review.history}):
        closure = frozen_weeks.get(day)
        if closure is None:
            history += [h for h in review.history if h["week_end"] == day]
            continue
        sources = _plain_of(closure)["sources"]
        history += [
            {"week_end": day, "collection_source": s["collection_source"], "action": s["action"]}
            for s in sorted(sources, key=lambda s: s["collection_source"])
        ]
    return Review(**{**review.__dict__, "history": tuple(history)})


def computed_review(con: duckdb.DuckDBPyConnection, week_end: dt.date, settings: Settings) -> Review:
    """The review of an open week, computed now, its history's closed weeks showing their frozen actions."""
    days = cohorts.week_ends(week_end, HISTORY_WEEKS)
    return _with_frozen_history(build_review(con, week_end, settings), week_closures.closures(con, days))


def meeting_review(con: duckdb.DuckDBPyConnection, week_end: dt.date, settings: Settings) -> Review:
    """The review every reader gets for this week: frozen when the week is closed (with the settings of then),
    computed with these settings when it is open."""
    closure = week_closures.state(con, week_end)
    return frozen_review(closure) if closure is not None else computed_review(con, week_end, settings)


def close_week(
    con: duckdb.DuckDBPyConnection,
    week_end: dt.date,
    settings: Settings,
    *,
    by: str,
    now: dt.datetime | None = None,
) -> Closure:
    """Freeze the week as the meeting sees it now, with these settings, in every language of the product."""
    plain = {}
    for language in i18n.LANGUAGES:
        with i18n.within(language):
            plain[language] = to_plain(computed_review(con, week_end, settings))
    return week_closures.close(con, week_end, settings=settings.as_dict(), review=plain, by=by, now=now)


# --- the notices -----------------------------------------------------------------------------------------


def _label(name: str) -> str:
    label = _(LABELS[name])
    return label[:1].lower() + label[1:]


def differences(settings: Settings, reference: Settings, template: str) -> list[str]:
    """Each setting that differs from the reference, as '<label> <value> (<template with the reference's>)'."""
    return [
        _("{setting} {value} ({other})").format(
            setting=_label(s.name),
            value=setting_text(getattr(settings, s.name)),
            other=template.format(value=setting_text(getattr(reference, s.name))),
        )
        for s in REGISTRY
        if getattr(settings, s.name) != getattr(reference, s.name)
    ]


def defaults_notice(settings: Settings) -> str | None:
    """The banner while settings differ from the guidance defaults (None when they do not): shown on every
    page of the dashboard and at the top of the HTML report."""
    changed = differences(settings, DEFAULTS, _("default {value}"))
    if not changed:
        return None
    return _("Settings differ from the guidance defaults: {settings}.").format(settings=", ".join(changed))


def closure_notice(closure: Closure, current: Settings) -> str:
    """When and by whom the week was closed, and the settings it was shown when they differ from today's."""
    said = _("Closed on {moment} by {name}").format(
        moment=formats.moment_text(closure.closed_at), name=closure.closed_by
    )
    then = from_mapping(closure.settings)
    changed = differences(then, current, _("now {value}"))
    if not changed:
        return _("{closed}: what the meeting saw is shown.").format(closed=said)
    return _("{closed}, with the settings of then: {settings}.").format(
        closed=said, settings=", ".join(changed)
    )


def week_closure_notice(con: duckdb.DuckDBPyConnection, week_end: dt.date, current: Settings) -> str | None:
    """The closure notice of the week (None while it is open): the HTML report's and the CLI's."""
    closure = week_closures.state(con, week_end)
    return None if closure is None else closure_notice(closure, current)
