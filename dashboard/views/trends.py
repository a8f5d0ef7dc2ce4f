"""Trends: each cohort's rates week by week against the brand, and the action each week would have got."""

import pandas as pd
import streamlit as st

from analytics.policy import ACTIONS
from dashboard import charts, data, sidebar

as_of = sidebar.report_date()
settings = sidebar.settings()

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

weekly = data.weekly_rates(as_of, weeks, settings)
weekly = weekly[
    weekly["collection_source"].isna()
    | weekly["collection_source"].map(lambda s: s is not None and sidebar.keep(s))
]
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

history = data.action_history(as_of, weeks, settings)
history = history[history["collection_source"].map(sidebar.keep)]
if not history.empty:
    st.plotly_chart(charts.figure_action_history(history), key="trend_actions")
    table = history.assign(
        week=pd.to_datetime(history["week_end"]).dt.strftime("%G-W%V"),
        action=history["action"].map(lambda a: ACTIONS[a].label),
    ).pivot(index="collection_source", columns="week", values="action")
    st.dataframe(table, key="trend_action_table")
