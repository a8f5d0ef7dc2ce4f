"""The plain-text digest of a weekly review: the summary and the changed recommendations, to paste in an
email or a chat, or to send from a scheduler on Monday morning (`optout-cohorts digest`)."""

from __future__ import annotations

from analytics.policy import ACTIONS
from analytics.report.review import Review
from analytics.text import visible
from analytics.vocabulary import NO_DATA, percent


def _points(value: float | None) -> str:
    return f"{NO_DATA} the week before" if value is None else f"{value:+.1f} pts vs last week"


def digest(review: Review, demo: str | None = None) -> str:
    """Plain text, no markup: lines short enough for a chat message, one item per line. demo: the notice of
    figures made from the demo brand's data (analytics/demo/database.py), put first."""
    week = review.week
    lines = [f"DEMO DATA. {demo}", ""] if demo else []
    lines += [
        f"optout-cohorts weekly review, week {week.end:%G-W%V} ({week.start:%d %b} – {week.end:%d %b %Y})",
        "",
        review.summary,
        "",
    ]  # the summary already says when no recommendation changed
    if review.changed:
        lines.append("Changed recommendations:")
        for source in review.changed:
            dissatisfaction = source.rates["dissatisfaction_rate"]
            lines.append(
                f"- {source.collection_source}: {ACTIONS[source.previous_action].label} → "
                f"{ACTIONS[source.action].label} (dissatisfaction {percent(dissatisfaction.current)} this week, "
                f"{_points(dissatisfaction.delta_points)})"
            )
        lines.append("")
    lines.append("Every source this week:")
    for source in sorted(review.sources, key=lambda s: s.collection_source):
        lines.append(f"- {source.collection_source}: {ACTIONS[source.action].label}")
    # One item per line: a source name from an old database holding a line break, an ESC sequence or a
    # bidirectional override is written with visible escapes, never raw (it would fake lines or run in a terminal).
    return "\n".join(visible(line) for line in lines) + "\n"
