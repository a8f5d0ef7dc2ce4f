"""Cohort health: how each source's non-opt-in clients react this window, and what to change."""

import pandas as pd
import streamlit as st

from analytics import formats, i18n
from analytics.i18n import N_, _, ngettext
from analytics.policy import ACTIONS
from analytics.report.cohorts import headline
from dashboard import charts, data, sidebar, tables
from dashboard.text import md, md_lines, percent

as_of = sidebar.report_date()
settings = sidebar.settings()
chosen = sidebar.chosen_sources()
state = data.cohort_state(as_of, settings, chosen)  # the chosen sources only; the baseline is the brand's
figures = headline(state, data.window_sends(as_of, settings, chosen))

st.title(_("Cohort health"))
# Translators: both forms are the English text as it always read; French agrees "semaine" with the count.
caption = (
    ngettext(
        "Soft-opt-in clients per collection source, window {start} – {end} ({weeks} weeks), against the "
        "brand's opt-in marketing sends.",
        "Soft-opt-in clients per collection source, window {start} – {end} ({weeks} weeks), against the "
        "brand's opt-in marketing sends.",
        settings.window_weeks,
    )
    if settings.baseline == "opt_in"
    else ngettext(
        "Soft-opt-in clients per collection source, window {start} – {end} ({weeks} weeks), against the "
        "brand's lawful marketing sends.",
        "Soft-opt-in clients per collection source, window {start} – {end} ({weeks} weeks), against the "
        "brand's lawful marketing sends.",
        settings.window_weeks,
    )
)
st.caption(
    caption.format(
        start=formats.date_text(state.window.start),
        end=formats.date_text(state.window.end),
        weeks=settings.window_weeks,
    )
)
for warning in data.data_quality(as_of):
    st.warning(md_lines(warning), icon=":material/warning:")

columns = st.columns(5)
columns[0].metric(
    _("Lawful reach"),
    formats.number(figures["lawful_reach"]),
    help=_("Contacts that may receive marketing on the report date: opt-in plus soft-opt-in clients."),
)
columns[1].metric(
    _("Soft-opt-in share"),
    percent(figures["soft_opt_in_share"]),
    help=_("Share of the lawful reach mailed under the soft opt-in exception."),
)
columns[2].metric(
    _("Sends in the window"),
    formats.number(figures["sends"]),
    help=_("Marketing emails sent in the window, all legal bases."),
)
columns[3].metric(
    _("Compliance violations"),
    formats.number(figures["violations"]),
    help=_("Marketing sends of the window under an unlawful basis (see Compliance)."),
)
columns[4].metric(
    _("Contacts to purge"),
    formats.number(figures["to_purge"]),
    help=_("Contacts past the retention limit: delete or anonymise them (see Eligibility & retention)."),
)

# The table is built with these (English) names and shown with their translations (`_(name)`).
COLUMNS = (
    N_("Source"),
    N_("Action"),
    N_("Soft opt-in"),
    N_("Opt-in"),
    N_("Not informed"),
    N_("Prospects"),
    N_("Objected"),
    N_("Expired"),
    N_("Delivered"),
    N_("Open rate"),
    N_("Click rate"),
    N_("Unsubscribe rate"),
    N_("Complaint rate"),
    N_("Dissatisfaction"),
    N_("Open vs brand"),
    N_("Click vs brand"),
    N_("Why"),
    N_("Warnings"),
)
rows = []
for row in state.rows:
    source = row["collection_source"]
    counts = state.eligibility.get(source, {})
    recommendation = state.recommendations[source]
    rows.append(
        {
            "Source": source,
            "Action": _(recommendation.label),
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
        "Source": _("Baseline (whole brand)"),
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
table.columns = [_(name) for name in COLUMNS]  # the same names in English
# In French the counts and rates are written by analytics.formats (tables.readable): Streamlit's own formats
# follow the browser's locale and would win over them, so French columns have none. English unchanged.
percent_format = {} if i18n.current() == "fr" else {"format": "percent"}
st.subheader(_("Sources"))
st.dataframe(
    tables.readable(
        tables.with_action_badges(table, [_("Action")]),
        counts=[_(name) for name in count_columns],
        percents=[_(name) for name in percent_columns],
    ),
    hide_index=True,
    key="cohort_table",
    column_config={
        **{_(name): st.column_config.NumberColumn(**percent_format) for name in percent_columns},
        _("Open vs brand"): st.column_config.NumberColumn(
            **percent_format, help=_("Cohort open rate ÷ baseline open rate")
        ),
        _("Click vs brand"): st.column_config.NumberColumn(
            **percent_format, help=_("Cohort click rate ÷ baseline click rate")
        ),
        _("Why"): st.column_config.TextColumn(width="large"),
    },
)

chart_rows = pd.DataFrame(
    [{**r, "action": state.recommendations[r["collection_source"]].action} for r in state.rows]
)
if chart_rows.empty or chart_rows["dissatisfaction_rate"].isna().all():
    st.info(
        _(
            "No source has a dissatisfaction rate in this window yet: nobody clicked or unsubscribed. "
            "Pick a later report date or a longer window, or load events on the Data page."
        )
    )
else:
    left, right = st.columns(2)
    left.plotly_chart(
        charts.figure_dissatisfaction_by_source(chart_rows, settings),
        key="chart_dissatisfaction",
        config=charts.plotly_config(),
    )
    right.plotly_chart(
        charts.figure_dissatisfaction_vs_engagement(chart_rows, settings),
        key="chart_scatter",
        config=charts.plotly_config(),
    )

st.subheader(_("Source detail"))
options = [r["collection_source"] for r in state.rows]
if options:
    source = st.selectbox(_("Source"), options, key="detail_source")
    row = next(r for r in state.rows if r["collection_source"] == source)
    recommendation = state.recommendations[source]
    st.markdown(
        _("**{source}** — recommended action: **{action}** (rule {rule} of the policy). {meaning}").format(
            source=md(source),
            action=md(_(recommendation.label)),
            rule=recommendation.rule,
            meaning=md(_(ACTIONS[recommendation.action].meaning)),
        )
    )
    for reason in recommendation.reasons:
        st.markdown(f"- {md(reason)}")
    for warning in recommendation.warnings:
        st.warning(md_lines(warning), icon=":material/warning:")
    detail = pd.DataFrame(
        {
            _("Figure"): [
                _("Delivered"),
                _("Openers"),
                _("Clickers"),
                _("Unsubscribers"),
                _("Complainers"),
                _("Open rate"),
                _("Click rate"),
                _("Unsubscribe rate"),
                _("Complaint rate"),
                _("Dissatisfaction rate"),
            ],
            _("This source"): [
                formats.number(row[k])
                for k in ("delivered", "openers", "clickers", "unsubscribers", "complainers")
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
            _("Brand baseline"): [
                formats.number(baseline[k])
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
    st.info(_("No collection source yet: load contacts or campaign stats on the Data page."))
