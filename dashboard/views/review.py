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
from analytics.report import frozen, review, sections
from analytics.report.palette import RATE_LABELS
from analytics.store import decisions
from analytics.vocabulary import basis_label
from analytics.vocabulary import weeks as weeks_text
from dashboard import auth, charts, closure, data, sidebar, tables
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
    _(
        "Two spans. The action, and the dissatisfaction quoted beside it, come from the last {span} to the "
        "week's last day (the window Cohort health shows on that day). The other figures are this week's alone, "
        "against the week before and the {span} before it (trailing). The sidebar's report date does not apply "
        "here; its source filter does."
    ).format(span=weeks_text(settings.window_weeks))
)
st.info(md(result.summary), icon=":material/summarize:")
if (closed := data.week_closure(week_end)) is not None:  # frozen: say so before any figure (details below)
    st.caption(md(frozen.closure_notice(closed, data.saved_settings())))

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
window_column = _("Dissatisfaction over {span}").format(span=weeks_text(settings.window_weeks))
changed_column, delivered_column = _("Changed"), _("Delivered this week")
rows = []
for source in result.sources:
    previous = _(ACTIONS[source.previous_action].label) if source.previous_action else _("new source")
    row = {
        source_column: source.collection_source,
        action_column: _(ACTIONS[source.action].label),
        window_column: percent(source.window_dissatisfaction),  # the rate the action was decided on
        last_week_column: previous,
        changed_column: source.changed,
        delivered_column: source.delivered,
    }
    for name in review.REVIEW_RATES:
        rate = source.rates[name]
        label = _(SHORT_RATE_LABELS[name])
        row[_("{rate} this week").format(rate=label)] = percent(rate.current)
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
# Who decided: typed once and kept for the session (the week closure reads the same key).
REVIEWER_KEY = "reviewer_name"
# A widget's value is forgotten on a run that does not draw it (another page): writing it back keeps it.
st.session_state[REVIEWER_KEY] = st.session_state.get(REVIEWER_KEY, "")
for problem in data.decision_log_problems():
    st.error(md_lines(problem), icon=":material/gpp_bad:")


def _row_key(week: dt.date, source: str, field: str) -> str:
    """The key of one widget of the decision table: the week is in it, so no choice carries to another week."""
    return f"decide:{week.isoformat()}:{field}:{source}"


def _save_decisions(week: dt.date, recommended: dict[str, str], signed_in: str | None) -> None:
    """The Save button's callback (it runs before the page is drawn again, so the statuses and the log below
    show what it recorded): every filled row in one transaction, then the filled rows emptied."""
    rows = [
        decisions.Row(
            collection_source=source,
            recommended_action=action,
            decision=st.session_state[_row_key(week, source, "kind")],
            action=st.session_state.get(_row_key(week, source, "action")),
            note=st.session_state.get(_row_key(week, source, "note")) or "",
        )
        for source, action in recommended.items()
        if st.session_state.get(_row_key(week, source, "kind"))
    ]
    if not rows:
        st.session_state["decision_outcome"] = (
            "error",
            _("Choose a decision on at least one row, then save."),
        )
        return
    decided_by = signed_in or st.session_state.get(REVIEWER_KEY, "")
    try:
        entries = data.record_decisions(rows, week_end=week, decided_by=decided_by)
    except UserError as error:  # nothing was written; the rows keep what was typed
        st.session_state["decision_outcome"] = ("error", str(error))
        return
    for row in rows:
        st.session_state[_row_key(week, row.collection_source, "kind")] = None
        st.session_state[_row_key(week, row.collection_source, "action")] = None
        st.session_state[_row_key(week, row.collection_source, "note")] = ""
    st.session_state["decision_outcome"] = ("saved", [entry.decision_id for entry in entries])


log = data.decision_log()
agenda = review.agenda(result.sources, log, week_end)
needing = [source.collection_source for source, status in agenda if source.needs_attention and status.pending]
if needing:
    st.warning(
        md(
            _("Still pending among the sources that need attention: {sources}.").format(
                sources=", ".join(needing)
            )
        ),
        icon=":material/pending_actions:",
    )
elif any(source.needs_attention for source, _status in agenda):
    st.success(_("Every source that needs attention has a decision for this week."))

# With login on, the log names who is signed in, never a name typed in; without login, whoever is at the
# keyboard says who decided, once for the session.
signed_in = auth.signed_in_email()
if signed_in is None:
    st.text_input(
        _("Who decided"),
        key=REVIEWER_KEY,
        placeholder=_("Name or initials"),
        help=_("Kept for the session: every decision saved from here names this person."),
    )
else:
    st.markdown(_("Decided by: **{name}** (signed in)").format(name=md(signed_in)))

NO_CHOICE = None
with st.form("decisions_in_one_pass", border=True):
    st.markdown(
        _(
            "Decide for the week ending {day}, then save once. Leave a row's decision empty to keep it as it "
            "is. A source already decided gets a correction of its entry (the log only grows)."
        ).format(day=formats.date_text(week_end))
    )
    # Four columns, so the table reads without scrolling at 1280 px: the source, its recommended action with the
    # window's rate it was decided on and its status, in one cell; then what the meeting decides.
    widths = [3.4, 2.2, 2.2, 2.6]
    for column, header in zip(
        st.columns(widths),
        [
            _("Source: recommended action, status"),
            _("Decision"),
            _("Action instead (for an override)"),
            _("Note"),
        ],
        strict=True,
    ):
        column.markdown(f"**{md(header)}**")
    for source, status in agenda:
        name = source.collection_source
        cells = st.columns(widths, vertical_alignment="center")
        figures = review.quoted_figures(source, settings.window_weeks)[:1]  # the window's rate: the action's
        recommended = ", ".join([_(ACTIONS[source.action].label), *figures])
        attention = _(" · needs attention") if source.needs_attention else ""
        colour = (
            "orange" if status.pending and source.needs_attention else "gray" if status.pending else "green"
        )
        cells[0].markdown(
            f"**{md(name)}**{md(attention)}  \n{md(recommended)}  \n:{colour}[{md(status.text)}]"
        )
        cells[1].selectbox(
            _("Decision for {source}").format(source=name),
            [NO_CHOICE, *decisions.DECISIONS],
            key=_row_key(week_end, name, "kind"),
            format_func=lambda kind, pending=status.pending: (
                (_("— leave pending") if pending else _("— keep as is"))
                if kind is None
                else _(decisions.DECISIONS[kind])
            ),
            label_visibility="collapsed",
        )
        cells[2].selectbox(
            _("Action instead for {source}").format(source=name),
            [NO_CHOICE, *(a for a in ACTIONS if a != source.action)],
            key=_row_key(week_end, name, "action"),
            format_func=lambda a: "—" if a is None else _(ACTIONS[a].label),
            label_visibility="collapsed",
        )
        cells[3].text_input(
            _("Note for {source}").format(source=name),
            key=_row_key(week_end, name, "note"),
            max_chars=decisions.MAX_NOTE,
            label_visibility="collapsed",
        )
    st.form_submit_button(
        _("Save the decisions"),
        type="primary",
        disabled=not agenda,
        key="save_decisions",
        on_click=_save_decisions,
        args=(week_end, {s.collection_source: s.action for s, _status in agenda}, signed_in),
    )

outcome = st.session_state.pop("decision_outcome", None)
if outcome and outcome[0] == "error":
    st.error(md_lines(outcome[1]))
elif outcome:
    saved = [d for d in log if d.decision_id in outcome[1]]
    st.success(
        md(
            ngettext(
                "{count} decision saved: {entries}.", "{count} decisions saved: {entries}.", len(saved)
            ).format(
                count=formats.number(len(saved)),
                entries="; ".join(
                    _("#{number} {source}, {summary}").format(
                        number=d.decision_id, source=d.collection_source, summary=d.summary
                    )
                    for d in saved
                ),
            )
        )
    )

week_log = [d for d in log if d.week_end == week_end]
in_force = {d.decision_id for d in decisions.current(log)}
show_all = st.toggle(_("Show every week's decisions"), key="decision_all_weeks")
shown = sections.decisions_of_sources(log if show_all else week_log, chosen)
if shown:
    recorded_column, week_column = (
        _("Recorded ({zone})").format(zone=formats.time_zone_name()),
        _("Week ending"),
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "#": d.decision_id,
                    # in the brand's time zone (the header names it); stored in UTC
                    recorded_column: formats.local_moment(d.decided_at).replace(tzinfo=None),
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

closure.render(week_end)

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
