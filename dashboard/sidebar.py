"""The sidebar shared by every page: the report date and the window. Choices live in this session only."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from analytics.settings import BY_NAME, DEFAULTS, Settings
from dashboard import data


def render() -> None:
    latest = data.latest_send_date() or dt.date.today()
    st.sidebar.date_input(
        "Report date",
        value=latest,
        key="as_of",
        help="Figures show what was known on this date; data dated later is ignored.",
    )
    window = BY_NAME["window_weeks"]
    st.sidebar.number_input(
        "Window (weeks)",
        min_value=int(window.minimum),
        max_value=int(window.maximum),
        value=DEFAULTS.window_weeks,
        step=1,
        key="window_weeks",
        help=window.help,
    )


def report_date() -> dt.date:
    return st.session_state["as_of"]


def settings() -> Settings:
    return DEFAULTS.replace(window_weeks=int(st.session_state["window_weeks"]))
