"""Trends: each cohort's rates week by week against the brand, and the action each week would have got."""

import datetime as dt
import re

import streamlit as st

from analytics import formats
from analytics.i18n import _, ngettext
from dashboard import charts, data, sidebar

ISO_WEEK = re.compile(r"(\d{4})-W(\d{2})")


def shown_actions(table):
    """The source × week table of action labels in the reader's language: each label translated, each ISO week
    column (2026-W47) written as analytics.formats.week writes it (S47 in French); English unchanged."""

    def week(column: object) -> object:
        found = ISO_WEEK.fullmatch(str(column))
        if found is None:  # already written for the reader
            return column
        return formats.week(dt.date.fromisocalendar(int(found[1]), int(found[2]), 1))

    return table.rename(columns=week).map(lambda label: _(label) if isinstance(label, str) else label)


as_of = sidebar.report_date()
settings = sidebar.settings()
chosen = sidebar.chosen_sources()

st.title(_("Trends"))
weeks = st.select_slider(
    _("Weeks shown"),
    options=[4, 8, 12, 26, 52],
    value=12,
    key="trend_weeks",
    help=_("ISO weeks ending with the report date's week."),
)
# Translators: both forms are the English text as it always read; French agrees "semaine" with the count.
st.caption(
    ngettext(
        "Rates per ISO week of sending (Monday to Sunday), for soft-opt-in clients of each source; the dashed "
        "line is the brand's baseline. Each week's action is the recommendation made at the end of that week on "
        "a {weeks}-week window, from the data known that day.",
        "Rates per ISO week of sending (Monday to Sunday), for soft-opt-in clients of each source; the dashed "
        "line is the brand's baseline. Each week's action is the recommendation made at the end of that week on "
        "a {weeks}-week window, from the data known that day.",
        settings.window_weeks,
    ).format(weeks=settings.window_weeks)
)

weekly = data.weekly_rates(as_of, weeks, settings, chosen)
if weekly.empty:
    st.info(
        _(
            "No marketing email was sent in these weeks. Pick a later report date or load data on the Data page."
        )
    )
else:
    tabs = st.tabs([_("Dissatisfaction"), _("Open rate"), _("Click rate"), _("Complaint rate")])
    for tab, rate in zip(
        tabs, ("dissatisfaction_rate", "open_rate", "click_rate", "complaint_rate"), strict=True
    ):
        tab.plotly_chart(
            charts.figure_weekly_rate(weekly, rate, settings),
            key=f"trend_{rate}",
            config=charts.plotly_config(),
        )

actions = data.action_history(as_of, weeks, settings, chosen)
if not actions.history.empty:
    st.plotly_chart(
        charts.figure_action_history(actions.history), key="trend_actions", config=charts.plotly_config()
    )
    st.dataframe(shown_actions(actions.table), key="trend_action_table")
