"""The sidebar shared by every page: report date, window and source filter. These choices live in this
browser session only; saved settings (Settings page) apply to everyone."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from analytics import i18n
from analytics.errors import UserError
from analytics.i18n import _
from analytics.settings import BY_NAME, DEFAULTS, Settings
from dashboard import data


def language() -> str:
    """This session's language: the one chosen in the sidebar, else OPTOUT_COHORTS_LANGUAGE's, else the default
    (analytics.i18n.DEFAULT_LANGUAGE)."""
    return st.session_state.get("language") or i18n.from_environment()


def render() -> None:
    st.sidebar.selectbox(
        "Langue · Language",  # in both languages: whoever reads neither finds the menu
        options=list(i18n.LANGUAGES),
        index=list(i18n.LANGUAGES).index(language()),
        format_func=i18n.LANGUAGES.__getitem__,
        key="language",
    )
    latest = data.latest_send_date() or dt.date.today()
    try:
        saved = data.saved_settings()
    except UserError:  # invalid saved settings: the page says so; the sidebar must still let Settings open
        saved = DEFAULTS
    st.sidebar.date_input(
        _("Report date"),
        value=latest,
        key="as_of",
        help=_(
            "Figures show what was known on this date; data dated later is ignored. "
            "Default: the latest send in the data."
        ),
        **({"format": "DD/MM/YYYY"} if i18n.current() == "fr" else {}),  # English: Streamlit's default
    )
    window = BY_NAME["window_weeks"]
    st.sidebar.number_input(
        _("Window (weeks)"),
        min_value=int(window.minimum),
        max_value=int(window.maximum),
        value=saved.window_weeks,
        step=1,
        key="window_weeks",
        help=_(window.help),
    )
    st.sidebar.multiselect(
        _("Collection sources"),
        options=data.sources(),
        key="sources",
        placeholder=_("All sources"),
        help=_("Show only these sources. The baseline stays the whole brand."),
    )


def report_date() -> dt.date:
    return st.session_state["as_of"]


def settings() -> Settings:
    """The saved settings, with this session's window length."""
    return data.saved_settings().replace(window_weeks=int(st.session_state["window_weeks"]))


def chosen_sources() -> tuple[str, ...]:
    """The sources picked in the filter; empty means all."""
    return tuple(st.session_state.get("sources") or ())
