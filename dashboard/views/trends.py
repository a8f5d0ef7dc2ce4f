"""Trends: each cohort's rates week by week against the brand, and the action each week would have got."""

import streamlit as st

from dashboard import charts, data, sidebar

as_of = sidebar.report_date()
settings = sidebar.settings()
chosen = sidebar.chosen_sources()

st.title("Trends")
weeks = st.select_slider(
    "Weeks shown",
    options=[4, 8, 12, 26, 52],
    value=12,
    key="trend_weeks",
    help="ISO weeks ending with the report date's week.",
)
st.caption(
    "Rates per ISO week of sending (Monday to Sunday), for soft-opt-in clients of each source; the dashed line "
    "is the brand's baseline. Each week's action is the recommendation made at the end of that week on a "
    f"{settings.window_weeks}-week window, from the data known that day."
)

weekly = data.weekly_rates(as_of, weeks, settings, chosen)
if weekly.empty:
    st.info(
        "No marketing email was sent in these weeks. Pick a later report date or load data on the Data page."
    )
else:
    tabs = st.tabs(["Dissatisfaction", "Open rate", "Click rate", "Complaint rate"])
    for tab, rate in zip(
        tabs, ("dissatisfaction_rate", "open_rate", "click_rate", "complaint_rate"), strict=True
    ):
        tab.plotly_chart(charts.figure_weekly_rate(weekly, rate, settings), key=f"trend_{rate}")

actions = data.action_history(as_of, weeks, settings, chosen)
if not actions.history.empty:
    st.plotly_chart(charts.figure_action_history(actions.history), key="trend_actions")
    st.dataframe(actions.table, key="trend_action_table")
