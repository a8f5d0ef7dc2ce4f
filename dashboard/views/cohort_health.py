"""Cohort health: one row per collection source, its window figures and the recommended action."""

import pandas as pd
import streamlit as st

from analytics.policy import ACTIONS
from dashboard import data, sidebar

as_of = sidebar.report_date()
settings = sidebar.settings()
result = data.cohort_report(as_of, settings)

st.title("Cohort health")
st.caption(
    f"Non-opt-in (soft opt-in) clients per collection source, window {result['window']['start']} – "
    f"{result['window']['end']}, against the brand's lawful marketing sends."
)

rows = []
for cohort in result["cohorts"]:
    metrics, recommendation = cohort["metrics"], cohort["recommendation"]
    rows.append(
        {
            "Source": cohort["collection_source"],
            "Soft opt-in contacts": cohort["eligibility"]["soft_opt_in"],
            "Delivered": metrics["delivered"],
            "Open rate": metrics["open_rate"],
            "Click rate": metrics["click_rate"],
            "Unsubscribe rate": metrics["unsubscribe_rate"],
            "Complaint rate": metrics["complaint_rate"],
            "Dissatisfaction": metrics["dissatisfaction_rate"],
            "Action": ACTIONS[recommendation["action"]].label,
            "Why": " ".join(recommendation["reasons"]),
        }
    )
percent = st.column_config.NumberColumn(format="percent")
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    key="cohort_table",
    column_config={
        name: percent
        for name in ("Open rate", "Click rate", "Unsubscribe rate", "Complaint rate", "Dissatisfaction")
    },
)
