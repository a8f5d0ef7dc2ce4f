"""Weekly review: the meeting's agenda (what changed this week, source by source) and its memory (the
decision log), with the report to send round afterwards."""

import datetime as dt

import pandas as pd
import streamlit as st

from analytics.errors import UserError
from analytics.policy import ACTIONS
from analytics.report import review, sections
from analytics.report.palette import RATE_LABELS
from analytics.store import decisions
from dashboard import auth, charts, data, sidebar, tables
from dashboard.text import md, percent

settings = sidebar.settings()
chosen = sidebar.chosen_sources()
latest = data.latest_send_date()
last_week = review.last_complete_week_end(latest, dt.date.today())
weeks = [last_week - dt.timedelta(days=7 * k) for k in range(26)]

st.title("Weekly review")
week_end = st.selectbox(
    "Week reviewed",
    weeks,
    key="review_week",
    format_func=lambda d: f"{d:%G-W%V} ({d - dt.timedelta(days=6):%d %b} – {d:%d %b %Y})",
    help="Default: the last complete ISO week of the data. Each figure is computed from the data as it stood "
    "at the end of the week it describes, so a past review never changes when later data arrives.",
)
result = data.week_review(week_end, settings, chosen)  # the chosen sources' rows; the summary is the brand's
st.caption(
    f"This week against the week before and the {settings.window_weeks} weeks before it (trailing). Actions use "
    f"the {settings.window_weeks}-week window ending on each week's last day. The sidebar's report date does "
    "not apply here; its source filter does."
)
st.info(md(result.summary), icon=":material/summarize:")

# --- recommendations and rates ------------------------------------------------------------------------


def _change(delta: float | None) -> str:
    if delta is None:
        return "—"
    arrow = "▲" if delta > 0.05 else "▼" if delta < -0.05 else "="
    return f"{arrow} {delta:+.1f} pts"


rows = []
for source in result.sources:
    previous = ACTIONS[source.previous_action].label if source.previous_action else "new source"
    row = {
        "Source": source.collection_source,
        "Action": ACTIONS[source.action].label,
        "Last week": previous,
        "Changed": source.changed,
        "Delivered this week": source.delivered,
    }
    for name in review.REVIEW_RATES:
        rate = source.rates[name]
        label = RATE_LABELS[name].replace(" rate", "")
        row[label] = percent(rate.current)
        row[f"{label} vs last week"] = _change(rate.delta_points)
        row[f"{label} vs trailing"] = _change(rate.trailing_delta_points)
    rows.append(row)

st.subheader("Recommendations and rates, changed actions first")
if rows:
    table = pd.DataFrame(rows)
    st.dataframe(
        tables.with_action_badges(table, ["Action", "Last week"]),
        hide_index=True,
        key="review_table",
        column_config={
            "Changed": st.column_config.CheckboxColumn(help="The action differs from last week's")
        },
    )
else:
    st.info("No collection source matches the filter.")

baseline = result.baseline
st.caption(
    "Brand baseline this week: "
    + ", ".join(
        f"{RATE_LABELS[name].lower()} {percent(baseline[name].current)} ({_change(baseline[name].delta_points)})"
        for name in review.REVIEW_RATES
    )
    + "."
)

history = pd.DataFrame(result.history, columns=["week_end", "collection_source", "action"])
if not history.empty:
    st.plotly_chart(charts.figure_action_history(history), key="review_history")

# --- compliance, retention, evidence ------------------------------------------------------------------

violations = pd.DataFrame(
    list(result.violations),
    columns=["campaign_id", "campaign_name", "collection_source", "basis", "sends"],
)
st.markdown("**Unlawful sends this week**")
if violations.empty:
    st.success("None: every marketing send had a lawful basis.")
else:
    st.dataframe(
        violations.rename(
            columns={
                "campaign_id": "Campaign",
                "campaign_name": "Name",
                "collection_source": "Source",
                "basis": "Basis",
                "sends": "Sends",
            }
        ),
        hide_index=True,
        key="review_violations",
    )
    st.caption(f"{result.previous_violations:,} the week before. Details on the Compliance page.")

retention = pd.DataFrame(
    list(result.retention),
    columns=["collection_source", "newly_expired", "expiring_soon"],
)
middle, right = st.columns(2)
middle.markdown("**Retention**")
if retention.empty:
    middle.success("No contact expired this week or expires within 30 days.")
else:
    middle.dataframe(
        retention.rename(
            columns={
                "collection_source": "Source",
                "newly_expired": "Expired this week (purge)",
                "expiring_soon": f"Expiring within {review.EXPIRING_DAYS} days",
            }
        ),
        hide_index=True,
        key="review_retention",
    )

evidence = pd.DataFrame(
    [
        {"Source": e["collection_source"], "New this week": e["new"], "Missing": ", ".join(e["reasons"])}
        for e in result.evidence
    ],
    columns=["Source", "New this week", "Missing"],
)
right.markdown("**Sources missing evidence**")
if evidence.empty:
    right.success("Every source seen so far has its evidence in the registry.")
else:
    right.dataframe(evidence, hide_index=True, key="review_evidence")
    right.caption("Complete the registry on the Compliance page.")

# --- decisions ----------------------------------------------------------------------------------------

st.subheader("Decisions")
log = data.decision_log()
for problem in data.decision_log_problems():
    st.error(md(problem), icon=":material/gpp_bad:")
week_log = [d for d in log if d.week_end == week_end]
recommended = {s.collection_source: s.action for s in result.sources}
choices = sorted(recommended)

with st.form("decision_form", clear_on_submit=True):
    st.markdown(
        f"Record what the team decided for the week ending {week_end:%d %b %Y}. The log only grows: to correct "
        "an entry, add a new one that names it."
    )
    first, second = st.columns(2)
    source = first.selectbox(
        "Source",
        choices,
        key="decision_source",
        format_func=lambda s: f"{s} — recommended: {ACTIONS[recommended[s]].label}",
    )
    decision = second.radio(
        "Decision", list(decisions.DECISIONS), key="decision_kind", format_func=decisions.DECISIONS.get
    )
    override = first.selectbox(
        "Action instead (for an override)",
        list(ACTIONS),
        key="decision_action",
        format_func=lambda a: ACTIONS[a].label,
    )
    corrects = second.selectbox(
        "Corrects entry",
        [None] + [d.decision_id for d in week_log],
        key="decision_corrects",
        format_func=lambda i: "— (a new decision)" if i is None else f"#{i}",
    )
    note = st.text_area("Note", key="decision_note", max_chars=decisions.MAX_NOTE)
    # With login on, the log names who is signed in, never a name typed in; without login, whoever is at the
    # keyboard says who decided.
    decided_by = auth.signed_in_email()
    if decided_by is None:
        decided_by = st.text_input("Decided by", key="decision_by", placeholder="Name or initials")
    else:
        st.markdown(f"Decided by: **{md(decided_by)}** (signed in)")
    submitted = st.form_submit_button(
        "Add to the log", type="primary", disabled=not choices, key="add_decision"
    )
if submitted:
    try:
        entry = data.record_decision(
            week_end=week_end,
            collection_source=source,
            recommended_action=recommended[source],
            decision=decision,
            action=override if decision == "override" else None,
            note=note,
            decided_by=decided_by,
            corrects=corrects,
        )
    except UserError as error:  # shown by the form, so the log and the page stay in view
        st.error(md(error))
    else:
        st.success(md(f"Entry #{entry.decision_id} added: {entry.collection_source}, {entry.summary}."))
        log = data.decision_log()
        week_log = [d for d in log if d.week_end == week_end]

in_force = {d.decision_id for d in decisions.current(log)}
show_all = st.toggle("Show every week's decisions", key="decision_all_weeks")
shown = sections.decisions_of_sources(log if show_all else week_log, chosen)
if shown:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "#": d.decision_id,
                    "Recorded (UTC)": d.decided_at,
                    "Week ending": d.week_end,
                    "Source": d.collection_source,
                    "Decision": d.summary,
                    "Note": d.note,
                    "Decided by": d.decided_by,
                    "Corrects": f"#{d.corrects}" if d.corrects else "",
                    "In force": d.decision_id in in_force,
                }
                for d in reversed(shown)
            ]
        ),
        hide_index=True,
        key="decision_table",
    )
else:
    st.caption("No decision recorded for this week yet.")

# --- the report to share ------------------------------------------------------------------------------

st.subheader("Share")
first, second = st.columns(2)
first.download_button(
    "Download the HTML report",
    data=data.html_report_file(week_end, settings),
    file_name=f"optout-cohorts-{week_end:%G-W%V}.html",
    mime="text/html",
    icon=":material/download:",
    key="download_html_report",
    help="One self-contained file (charts included, no external request) with the summary, the cohort "
    "table, the trends, the decisions and the settings used — the same as `optout-cohorts report --format html`.",
)
second.download_button(
    "Download the cohort table (CSV)",
    data=data.cohort_csv(week_end, settings),
    file_name=f"optout-cohorts-{week_end:%Y-%m-%d}.csv",
    mime="text/csv",
    icon=":material/table:",
    key="download_cohort_csv",
)
