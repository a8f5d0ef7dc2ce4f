"""Colours of the actions, shared by the dashboard and the HTML report so an action looks the same on screen
and in the file sent round after the meeting. The dissatisfaction bands' colours and labels, and the rate
labels, are in analytics/vocabulary.py."""

from __future__ import annotations

from analytics.vocabulary import RATE_LABELS as RATE_LABELS  # re-exported: pages import it from here

ACTION_COLOURS = {
    "stop": "#B03A2E",
    "editorial_only": "#D35400",
    "reduce": "#C9A227",
    "hold": "#5D6D7E",
    "ramp_up": "#1E8449",
    "reintroduce_promos": "#148F77",
    "welcome_first": "#2F6F8F",
    "no_recent_sends": "#909CA3",
    "insufficient_data": "#B3BCC2",
    "no_cohort": "#D0D6DA",
}

BASELINE_COLOUR = "#1F2A33"


def text_on(colour: str) -> str:
    """Black or white text, whichever reads better on this background colour."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#1F2A33" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "#FFFFFF"


def badge_css(action: str | None) -> str:
    """CSS of an action shown as a coloured badge (empty for no action)."""
    colour = ACTION_COLOURS.get(action or "")
    return f"background-color: {colour}; color: {text_on(colour)}; font-weight: 600" if colour else ""
