"""Cohort health: how each source's non-opt-in clients react this window, and what to change."""

import pandas as pd
import streamlit as st

from analytics.policy import ACTIONS
from analytics.report.cohorts import headline
from dashboard import charts, data, sidebar, tables
from dashboard.text import md, percent

as_of = sidebar.report_date()
settings = sidebar.settings()
chosen = sidebar.chosen_sources()
state = data.cohort_state(as_of, settings, chosen)  # the chosen sources only; the baseline is the brand's
figures = headline(state, data.window_sends(as_of, settings, chosen))

st.title("Cohort health")
st.caption(
    f"Soft-opt-in clients per collection source, window {state.window.start:%d %b %Y} – {state.window.end:%d %b %Y} "
    f"({settings.window_weeks} weeks), against the brand's {'opt-in' if settings.baseline == 'opt_in' else 'lawful'} "
    "marketing sends."
)
for warning in data.data_quality(as_of):
    st.warning(md(warning), icon=":material/warning:")

columns = st.columns(5)
columns[0].metric(
    "Lawful reach",
    f"{figures['lawful_reach']:,}",
    help="Contacts that may receive marketing on the report date: opt-in plus soft-opt-in clients.",
)
columns[1].metric(
    "Soft-opt-in share",
    percent(figures["soft_opt_in_share"]),
    help="Share of the lawful reach mailed under the soft opt-in exception.",
)
columns[2].metric(
    "Sends in the window",
    f"{figures['sends']:,}",
    help="Marketing emails sent in the window, all legal bases.",
)
columns[3].metric(
    "Compliance violations",
    f"{figures['violations']:,}",
    help="Marketing sends of the window under an unlawful basis (see Compliance).",
)
columns[4].metric(
    "Contacts to purge",
    f"{figures['to_purge']:,}",
    help="Contacts past the retention limit: delete or anonymise them (see Eligibility & retention).",
)

COLUMNS = (
    "Source",
    "Action",
    "Soft opt-in",
    "Opt-in",
    "Not informed",
    "Prospects",
    "Objected",
    "Expired",
    "Delivered",
    "Open rate",
    "Click rate",
    "Unsubscribe rate",
    "Complaint rate",
    "Dissatisfaction",
    "Open vs brand",
    "Click vs brand",
    "Why",
    "Warnings",
)
rows = []
for row in state.rows:
    source = row["collection_source"]
    counts = state.eligibility.get(source, {})
    recommendation = state.recommendations[source]
    rows.append(
        {
            "Source": source,
            "Action": recommendation.label,
            "Soft opt-in": counts.get("soft_opt_in", 0),
            "Opt-in": counts.get("opt_in", 0),
            "Not informed": counts.get("not_informed", 0),
            "Prospects": counts.get("prospect", 0),
            "Objected": counts.get("objected", 0),
            "Expired": counts.get("expired", 0),
            "Delivered": row["delivered"],
            "Open rate": row["open_rate"],
            "Click rate": row["click_rate"],
            "Unsubscribe rate": row["unsubscribe_rate"],
            "Complaint rate": row["complaint_rate"],
            "Dissatisfaction": row["dissatisfaction_rate"],
            "Open vs brand": row["open_ratio"],
            "Click vs brand": row["click_ratio"],
            "Why": " ".join(recommendation.reasons),
            "Warnings": " ".join(recommendation.warnings),
        }
    )
baseline = state.baseline
rows.append(
    {
        "Source": "Baseline (whole brand)",
        "Action": "",
        "Delivered": baseline["delivered"],
        "Open rate": baseline["open_rate"],
        "Click rate": baseline["click_rate"],
        "Unsubscribe rate": baseline["unsubscribe_rate"],
        "Complaint rate": baseline["complaint_rate"],
        "Dissatisfaction": baseline["dissatisfaction_rate"],
    }
)
# The columns named, so that a database with no source yet (no contacts, no campaign report) shows the baseline row
# alone instead of failing on the columns it lacks.
table = pd.DataFrame(rows, columns=COLUMNS)
count_columns = ["Soft opt-in", "Opt-in", "Not informed", "Prospects", "Objected", "Expired", "Delivered"]
table[count_columns] = table[count_columns].astype("Int64")  # whole numbers; the baseline row has no counts

percent_columns = [
    "Open rate",
    "Click rate",
    "Unsubscribe rate",
    "Complaint rate",
    "Dissatisfaction",
    "Open vs brand",
    "Click vs brand",
]
st.subheader("Sources")
st.dataframe(
    tables.with_action_badges(table, ["Action"]),
    hide_index=True,
    key="cohort_table",
    column_config={
        **{name: st.column_config.NumberColumn(format="percent") for name in percent_columns},
        "Open vs brand": st.column_config.NumberColumn(
            format="percent", help="Cohort open rate ÷ baseline open rate"
        ),
        "Click vs brand": st.column_config.NumberColumn(
            format="percent", help="Cohort click rate ÷ baseline click rate"
        ),
        "Why": st.column_config.TextColumn(width="large"),
    },
)

chart_rows = pd.DataFrame(
    [{**r, "action": state.recommendations[r["collection_source"]].action} for r in state.rows]
)
if chart_rows.empty or chart_rows["dissatisfaction_rate"].isna().all():
    st.info(
        "No source has a dissatisfaction rate in this window yet: nobody clicked or unsubscribed. "
        "Pick a later report date or a longer window, or load events on the Data page."
    )
else:
    left, right = st.columns(2)
    left.plotly_chart(
        charts.figure_dissatisfaction_by_source(chart_rows, settings), key="chart_dissatisfaction"
    )
    right.plotly_chart(charts.figure_dissatisfaction_vs_engagement(chart_rows, settings), key="chart_scatter")

st.subheader("Source detail")
options = [r["collection_source"] for r in state.rows]
if options:
    source = st.selectbox("Source", options, key="detail_source")
    row = next(r for r in state.rows if r["collection_source"] == source)
    recommendation = state.recommendations[source]
    st.markdown(
        f"**{md(source)}** — recommended action: **{md(recommendation.label)}** "
        f"(rule {recommendation.rule} of the policy). {md(ACTIONS[recommendation.action].meaning)}"
    )
    for reason in recommendation.reasons:
        st.markdown(f"- {md(reason)}")
    for warning in recommendation.warnings:
        st.warning(md(warning), icon=":material/warning:")
    detail = pd.DataFrame(
        {
            "Figure": [
                "Delivered",
                "Openers",
                "Clickers",
                "Unsubscribers",
                "Complainers",
                "Open rate",
                "Click rate",
                "Unsubscribe rate",
                "Complaint rate",
                "Dissatisfaction rate",
            ],
            "This source": [
                f"{row[k]:,}" for k in ("delivered", "openers", "clickers", "unsubscribers", "complainers")
            ]
            + [
                percent(row[k], 2)
                for k in (
                    "open_rate",
                    "click_rate",
                    "unsubscribe_rate",
                    "complaint_rate",
                    "dissatisfaction_rate",
                )
            ],
            "Brand baseline": [
                f"{baseline[k]:,}"
                for k in ("delivered", "openers", "clickers", "unsubscribers", "complainers")
            ]
            + [
                percent(baseline[k], 2)
                for k in (
                    "open_rate",
                    "click_rate",
                    "unsubscribe_rate",
                    "complaint_rate",
                    "dissatisfaction_rate",
                )
            ],
        }
    )
    st.dataframe(detail, hide_index=True, key="detail_table")
else:
    st.info("No collection source yet: load contacts or campaign stats on the Data page.")
