"""The plain-text digest of a weekly review: the summary, the changed recommendations and what the meeting
decided for the sources that needed attention (and what is still pending), to paste in an email or a chat, or
to send from a scheduler on Monday morning (`optout-cohorts digest`). Written in the language of the context
(the CLI takes it from OPTOUT_COHORTS_LANGUAGE)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from babel.dates import format_date

from analytics import formats, i18n
from analytics.i18n import _
from analytics.policy import ACTIONS
from analytics.report.review import Review, quoted_figures
from analytics.store.decisions import Decision, SourceStatus, status_by_source
from analytics.text import visible
from analytics.vocabulary import no_data


def signed_points(value: float, digits: int = 1) -> str:
    """A change in percentage points with its sign: +1.2 / +1,2 (the sign and rounding of f"{value:+.1f}")."""
    return f"{value:+.{digits}f}"[0] + formats.number(abs(value), digits)


def _points(value: float | None) -> str:
    if value is None:
        return _("{no_data} the week before").format(no_data=no_data())
    return _("{points} pts vs last week").format(points=signed_points(value))


def _span(start: dt.date, end: dt.date) -> str:
    """16 Nov – 22 Nov 2026 / 16 nov. – 22 nov. 2026."""
    if i18n.current() == i18n.SOURCE_LANGUAGE:
        return f"{start:%d %b} – {end:%d %b %Y}"
    return f"{format_date(start, 'd MMM', locale=i18n.locale())} – {formats.date_text(end)}"


def _decided(status: SourceStatus) -> str:
    """decided: follow: Stop (Anne M.): the partner asked / pending: postponed (…) (Anne M.) / pending."""
    entry = status.entry
    if entry is None:
        return status.text
    text = _("{status} ({who})").format(status=status.text, who=entry.decided_by)
    return _("{decision}: {note}").format(decision=text, note=entry.note) if entry.note else text


def decision_lines(review: Review, log: Sequence[Decision]) -> list[str]:
    """What was decided for each source that needed attention in the reviewed week, and what is still pending."""
    attention = [s.collection_source for s in review.sources if s.needs_attention]
    if not attention:
        return [_("Decisions: no source needed attention this week.")]
    status = status_by_source(log, review.week.end, sorted(attention))
    lines = [_("Decisions on the sources that needed attention:")]
    lines += ["- " + _("{source}: {action}").format(source=s, action=_decided(status[s])) for s in status]
    pending = [s for s in status if status[s].pending]
    if pending:
        lines.append(_("Still pending: {sources}.").format(sources=", ".join(pending)))
    else:
        lines.append(_("Nothing pending: every source that needed attention has a decision."))
    return lines


def digest(
    review: Review, demo: str | None = None, log: Sequence[Decision] = (), notices: Sequence[str] = ()
) -> str:
    """Plain text, no markup: lines short enough for a chat message, one item per line. demo: the notice of
    figures made from the demo brand's data (analytics/demo/database.py), put first. log: the decision log (the
    entries of other weeks are ignored). notices: what the reader must know before the figures (the week was
    closed, settings differ from the guidance defaults), under the heading."""
    week = review.week
    said = [notice for notice in notices if notice]
    lines = [_("DEMO DATA. {notice}").format(notice=demo), ""] if demo else []
    lines += [
        _("optout-cohorts weekly review, week {week} ({span})").format(
            week=formats.week(week.end), span=_span(week.start, week.end)
        ),
        "",
        *said,
        *([""] if said else []),
        review.summary,
        "",
    ]  # the summary already says when no recommendation changed
    if review.changed:
        lines.append(_("Changed recommendations:"))
        for source in review.changed:
            dissatisfaction = source.rates["dissatisfaction_rate"]
            # the window's rate (the action's) and the week's, each with its span
            figures = quoted_figures(source, review.settings.window_weeks) or [
                _("dissatisfaction {rate} this week").format(rate=no_data())
            ]
            change = f"{ACTIONS[source.previous_action].label} → {ACTIONS[source.action].label}"
            lines.append(
                "- "
                + _("{source}: {action}").format(
                    source=source.collection_source,
                    action=f"{change} ({', '.join(figures)}, {_points(dissatisfaction.delta_points)})",
                )
            )
        lines.append("")
    lines += decision_lines(review, log)
    lines.append("")
    lines.append(_("Every source this week:"))
    for source in sorted(review.sources, key=lambda s: s.collection_source):
        lines.append(
            "- "
            + _("{source}: {action}").format(
                source=source.collection_source, action=ACTIONS[source.action].label
            )
        )
    # One item per line: a source name from an old database holding a line break, an ESC sequence or a
    # bidirectional override is written with visible escapes, never raw (it would fake lines or run in a terminal).
    return "\n".join(visible(line) for line in lines) + "\n"
