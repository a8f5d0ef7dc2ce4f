"""Weekly review: the meeting's agenda (what changed this week, source by source) and its memory (the
decision log), with the report to send round afterwards."""

import datetime as dt

import pandas as pd
import streamlit as st
from babel.dates import format_date

from analytics import formats, i18n
from analytics.errors import UserError
from analytics.i18n import N_, _, ngettext
from analytics.policy import ACTIONS
from analytics.report import review, sections
from analytics.report.palette import RATE_LABELS
from analytics.store import decisions
from analytics.vocabulary import basis_label
from dashboard import auth, charts, data, sidebar, tables
from dashboard.text import md, md_lines, percent

settings = sidebar.settings()
chosen = sidebar.chosen_sources()
latest = data.latest_send_date()
last_week = review.last_complete_week_end(latest, dt.date.today())
weeks = [last_week - dt.timedelta(days=7 * k) for k in range(26)]
french = i18n.current() == "fr"


def _week_label(d: dt.date) -> str:
    """The week and its days: 2026-W47 (16 Nov – 22 Nov 2026) / S47 (16 nov. – 22 nov. 2026)."""
    start = d - dt.timedelta(days=6)
    start_text = format_date(start, "d MMM", locale=i18n.locale()) if french else f"{start:%d %b}"
    return _("{week} ({start} – {end})").format(
        week=formats.week(d),
        start=start_text,
        end=format_date(d, "d MMM y", locale=i18n.locale()) if french else f"{d:%d %b %Y}",
    )


st.title(_("Weekly review"))
week_end = st.selectbox(
    _("Week reviewed"),
    weeks,
    key="review_week",
    format_func=_week_label,
    help=_(
        "Default: the last complete ISO week of the data. Each figure is computed from the data as it stood "
        "at the end of the week it describes, so a past review never changes when later data arrives."
    ),
)
result = data.week_review(week_end, settings, chosen)  # the chosen sources' rows; the summary is the brand's
st.caption(
    ngettext(
        "This week against the week before and the {weeks} weeks before it (trailing). Actions use "
        "the {weeks}-week window ending on each week's last day. The sidebar's report date does "
        "not apply here; its source filter does.",
        "This week against the week before and the {weeks} weeks before it (trailing). Actions use "
        "the {weeks}-week window ending on each week's last day. The sidebar's report date does "
        "not apply here; its source filter does.",
        settings.window_weeks,
    ).format(weeks=settings.window_weeks)
)
st.info(md(result.summary), icon=":material/summarize:")

# --- recommendations and rates ------------------------------------------------------------------------


def _change(delta: float | None) -> str:
    if delta is None:
        return "—"
    arrow = "▲" if delta > 0.05 else "▼" if delta < -0.05 else "="
    signed = (
        f"{delta:+.1f}"  # the sign as Python writes it (-0.0 included), the digits in the reader's language
    )
    return _("{arrow} {delta} pts").format(arrow=arrow, delta=signed[0] + formats.number(abs(delta), 1))


# The rates' short names in the table (their label without " rate"), shown translated.
SHORT_RATE_LABELS = {
    "dissatisfaction_rate": N_("Dissatisfaction"),
    "open_rate": N_("Open"),
    "click_rate": N_("Click"),
    "unsubscribe_rate": N_("Unsubscribe"),
    "complaint_rate": N_("Complaint"),
}
assert all(SHORT_RATE_LABELS[n] == RATE_LABELS[n].replace(" rate", "") for n in review.REVIEW_RATES)

source_column, action_column, last_week_column = _("Source"), _("Action"), _("Last week")
changed_column, delivered_column = _("Changed"), _("Delivered this week")
rows = []
for source in result.sources:
    previous = _(ACTIONS[source.previous_action].label) if source.previous_action else _("new source")
    row = {
        source_column: source.collection_source,
        action_column: _(ACTIONS[source.action].label),
        last_week_column: previous,
        changed_column: source.changed,
        delivered_column: source.delivered,
    }
    for name in review.REVIEW_RATES:
        rate = source.rates[name]
        label = _(SHORT_RATE_LABELS[name])
        row[label] = percent(rate.current)
        row[_("{rate} vs last week").format(rate=label)] = _change(rate.delta_points)
        row[_("{rate} vs trailing").format(rate=label)] = _change(rate.trailing_delta_points)
    rows.append(row)

# French counts are written by analytics.formats (tables.readable); the column keeps no format of its own.
count_column = st.column_config.NumberColumn() if french else None
st.subheader(_("Recommendations and rates, changed actions first"))
if rows:
    table = pd.DataFrame(rows)
    st.dataframe(
        tables.readable(
            tables.with_action_badges(table, [action_column, last_week_column]), counts=[delivered_column]
        ),
        hide_index=True,
        key="review_table",
        column_config={
            changed_column: st.column_config.CheckboxColumn(help=_("The action differs from last week's")),
            **({delivered_column: count_column} if french else {}),
        },
    )
else:
    st.info(_("No collection source matches the filter."))

baseline = result.baseline
st.caption(
    _("Brand baseline this week: {rates}.").format(
        rates=", ".join(
            _("{rate} {value} ({change})").format(
                rate=_(RATE_LABELS[name]).lower(),
                value=percent(baseline[name].current),
                change=_change(baseline[name].delta_points),
            )
            for name in review.REVIEW_RATES
        )
    )
)

history = pd.DataFrame(result.history, columns=["week_end", "collection_source", "action"])
if not history.empty:
    st.plotly_chart(
        charts.figure_action_history(history), key="review_history", config=charts.plotly_config()
    )

# --- compliance, retention, evidence ------------------------------------------------------------------

violations = pd.DataFrame(
    list(result.violations),
    columns=["campaign_id", "campaign_name", "collection_source", "basis", "sends"],
)
st.markdown(_("**Unlawful sends this week**"))
if violations.empty:
    st.success(_("None: every marketing send had a lawful basis."))
else:
    violations["basis"] = violations["basis"].map(basis_label)  # by its label, never the code
    st.dataframe(
        violations.rename(
            columns={
                "campaign_id": _("Campaign"),
                "campaign_name": _("Name"),
                "collection_source": _("Source"),
                "basis": _("Basis"),
                "sends": _("Sends"),
            }
        ),
        hide_index=True,
        key="review_violations",
        column_config={_("Sends"): count_column} if french else None,
    )
    st.caption(
        _("{count} the week before. Details on the Compliance page.").format(
            count=formats.number(result.previous_violations)
        )
    )

retention = pd.DataFrame(
    list(result.retention),
    columns=["collection_source", "newly_expired", "expiring_soon"],
)
middle, right = st.columns(2)
middle.markdown(_("**Retention**"))
if retention.empty:
    middle.success(_("No contact expired this week or expires within 30 days."))
else:
    expired_column = _("Expired this week (purge)")
    expiring_column = _("Expiring within {days} days").format(days=review.EXPIRING_DAYS)
    middle.dataframe(
        retention.rename(
            columns={
                "collection_source": _("Source"),
                "newly_expired": expired_column,
                "expiring_soon": expiring_column,
            }
        ),
        hide_index=True,
        key="review_retention",
        column_config={expired_column: count_column, expiring_column: count_column} if french else None,
    )

new_column, missing_column = _("New this week"), _("Missing")
evidence = pd.DataFrame(
    [
        {source_column: e["collection_source"], new_column: e["new"], missing_column: ", ".join(e["reasons"])}
        for e in result.evidence
    ],
    columns=[source_column, new_column, missing_column],
)
right.markdown(_("**Sources missing evidence**"))
if evidence.empty:
    right.success(_("Every source seen so far has its evidence in the registry."))
else:
    right.dataframe(evidence, hide_index=True, key="review_evidence")
    right.caption(_("Complete the registry on the Compliance page."))

# --- decisions ----------------------------------------------------------------------------------------

st.subheader(_("Decisions"))
log = data.decision_log()
for problem in data.decision_log_problems():
    st.error(md_lines(problem), icon=":material/gpp_bad:")
week_log = [d for d in log if d.week_end == week_end]
recommended = {s.collection_source: s.action for s in result.sources}
choices = sorted(recommended)

with st.form("decision_form", clear_on_submit=True):
    st.markdown(
        _(
            "Record what the team decided for the week ending {day}. The log only grows: to correct "
            "an entry, add a new one that names it."
        ).format(day=formats.date_text(week_end))
    )
    first, second = st.columns(2)
    source = first.selectbox(
        _("Source"),
        choices,
        key="decision_source",
        format_func=lambda s: _("{source} — recommended: {action}").format(
            source=s, action=_(ACTIONS[recommended[s]].label)
        ),
    )
    decision = second.radio(
        _("Decision"),
        list(decisions.DECISIONS),
        key="decision_kind",
        format_func=lambda kind: _(decisions.DECISIONS[kind]),
    )
    override = first.selectbox(
        _("Action instead (for an override)"),
        list(ACTIONS),
        key="decision_action",
        format_func=lambda a: _(ACTIONS[a].label),
    )
    corrects = second.selectbox(
        _("Corrects entry"),
        [None] + [d.decision_id for d in week_log],
        key="decision_corrects",
        format_func=lambda i: _("— (a new decision)") if i is None else f"#{i}",
    )
    note = st.text_area(_("Note"), key="decision_note", max_chars=decisions.MAX_NOTE)
    # With login on, the log names who is signed in, never a name typed in; without login, whoever is at the
    # keyboard says who decided.
    decided_by = auth.signed_in_email()
    if decided_by is None:
        decided_by = st.text_input(_("Decided by"), key="decision_by", placeholder=_("Name or initials"))
    else:
        st.markdown(_("Decided by: **{name}** (signed in)").format(name=md(decided_by)))
    submitted = st.form_submit_button(
        _("Add to the log"), type="primary", disabled=not choices, key="add_decision"
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
        st.error(md_lines(error))
    else:
        st.success(
            md(
                _("Entry #{number} added: {source}, {summary}.").format(
                    number=entry.decision_id, source=entry.collection_source, summary=entry.summary
                )
            )
        )
        log = data.decision_log()
        week_log = [d for d in log if d.week_end == week_end]

in_force = {d.decision_id for d in decisions.current(log)}
show_all = st.toggle(_("Show every week's decisions"), key="decision_all_weeks")
shown = sections.decisions_of_sources(log if show_all else week_log, chosen)
if shown:
    recorded_column, week_column = _("Recorded (UTC)"), _("Week ending")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "#": d.decision_id,
                    recorded_column: d.decided_at,
                    week_column: d.week_end,
                    _("Source"): d.collection_source,
                    _("Decision"): d.summary,
                    _("Note"): d.note,
                    _("Decided by"): d.decided_by,
                    _("Corrects"): f"#{d.corrects}" if d.corrects else "",
                    _("In force"): d.decision_id in in_force,
                }
                for d in reversed(shown)
            ]
        ),
        hide_index=True,
        key="decision_table",
        column_config={
            recorded_column: st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm:ss"),
            week_column: st.column_config.DateColumn(format="DD/MM/YYYY"),
        }
        if french
        else None,
    )
else:
    st.caption(_("No decision recorded for this week yet."))

# --- the report to share ------------------------------------------------------------------------------

st.subheader(_("Share"))
first, second = st.columns(2)
first.download_button(
    _("Download the HTML report"),
    data=data.html_report_file(week_end, settings),
    file_name=f"optout-cohorts-{week_end:%G-W%V}.html",
    mime="text/html",
    icon=":material/download:",
    key="download_html_report",
    help=_(
        "One self-contained file (charts included, no external request) with the summary, the cohort "
        "table, the trends, the decisions and the settings used — the same as `optout-cohorts report --format html`."
    ),
)
second.download_button(
    _("Download the cohort table (CSV)"),
    data=data.cohort_csv(week_end, settings),
    file_name=f"optout-cohorts-{week_end:%Y-%m-%d}.csv",
    mime="text/csv",
    icon=":material/table:",
    key="download_cohort_csv",
)
