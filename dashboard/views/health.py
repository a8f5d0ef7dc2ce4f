"""Cohort health: how each source's non-opt-in clients react this window, and what to change."""

import pandas as pd
import streamlit as st

from analytics import formats, vocabulary
from analytics.i18n import N_, _, ngettext
from analytics.policy import ACTIONS
from analytics.report import sections
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
# Streamlit's badge colour of each action that needs attention; a complaint warning alone reads grey.
ATTENTION_BADGES = {"stop": "red", "editorial_only": "orange", "reduce": "violet"}


def attention_line(item: sections.Attention) -> str:
    """One source that needs attention as a Markdown list item: its action, its name, its window's rate with
    the window's span, its first reason and, if any, its complaint warning."""
    colour = ATTENTION_BADGES.get(item.action, "gray")
    line = _("**{source}**: dissatisfaction {rate} over the window ({weeks}). {reason}").format(
        source=md(item.collection_source),
        rate=percent(item.dissatisfaction_rate),
        weeks=vocabulary.weeks(settings.window_weeks),
        reason=md(item.reason or ""),
    )
    if item.warning and item.warning != item.reason:
        line += " :material/warning: " + md(item.warning)
    return f"- :{colour}-badge[{md(_(ACTIONS[item.action].label))}] {line.strip()}"


attention = sections.attention(state)
if attention:
    st.markdown(
        "**"
        + ngettext(
            "{count} source needs attention on {date}",
            "{count} sources need attention on {date}",
            len(attention),
        ).format(count=vocabulary.whole(len(attention)), date=formats.date_text(as_of))
        + "**\n\n"
        + "\n".join(attention_line(item) for item in attention)
    )
elif state.rows:
    st.success(
        _(
            "No source needs attention on {date}: none is to stop, go editorial or reduce, and no complaint "
            "warning."
        ).format(date=formats.date_text(as_of)),
        icon=":material/check_circle:",
    )

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

# The table is built with these (English) names and shown with their translations (`_(name)`), headed by the
# short labels below so that it fits a laptop's screen without scrolling; the eligibility counts are on the
# Eligibility & retention page, the reasons and warnings in the source detail.
COLUMNS = (
    N_("Source"),
    N_("Action"),
    N_("Delivered"),
    N_("Dissatisfaction"),
    N_("Open rate"),
    N_("Click rate"),
    N_("Unsubscribe rate"),
    N_("Complaint rate"),
    N_("Open vs brand"),
    N_("Click vs brand"),
)
SHORT_HEADERS = {
    "Dissatisfaction": N_("Dissat. %"),
    "Open rate": N_("Open %"),
    "Click rate": N_("Click %"),
    "Unsubscribe rate": N_("Unsub. %"),
    "Complaint rate": N_("Spam %"),
    "Open vs brand": N_("Open/brand"),
    "Click vs brand": N_("Click/brand"),
}
HEADER_HELP = {
    "Dissatisfaction": N_("Dissatisfaction rate: unsubscribers ÷ (clickers + unsubscribers)"),
    "Open rate": N_("Open rate"),
    "Click rate": N_("Click rate"),
    "Unsubscribe rate": N_("Unsubscribe rate"),
    "Complaint rate": N_("Complaint rate (spam complaints ÷ delivered)"),
    "Open vs brand": N_("Cohort open rate ÷ baseline open rate"),
    "Click vs brand": N_("Cohort click rate ÷ baseline click rate"),
}
rows = []
for row in state.rows:
    source = row["collection_source"]
    recommendation = state.recommendations[source]
    rows.append(
        {
            "Source": source,
            "Action": _(recommendation.label),
            "Delivered": row["delivered"],
            "Dissatisfaction": row["dissatisfaction_rate"],
            "Open rate": row["open_rate"],
            "Click rate": row["click_rate"],
            "Unsubscribe rate": row["unsubscribe_rate"],
            "Complaint rate": row["complaint_rate"],
            "Open vs brand": row["open_ratio"],
            "Click vs brand": row["click_ratio"],
        }
    )
baseline = state.baseline
rows.append(
    {
        "Source": _("Baseline (whole brand)"),
        "Action": "",
        "Delivered": baseline["delivered"],
        "Dissatisfaction": baseline["dissatisfaction_rate"],
        "Open rate": baseline["open_rate"],
        "Click rate": baseline["click_rate"],
        "Unsubscribe rate": baseline["unsubscribe_rate"],
        "Complaint rate": baseline["complaint_rate"],
    }
)
# The columns named, so that a database with no source yet (no contacts, no campaign report) shows the baseline row
# alone instead of failing on the columns it lacks.
table = pd.DataFrame(rows, columns=COLUMNS)
table["Delivered"] = table["Delivered"].astype("Int64")
percent_columns = list(COLUMNS[3:])
table[percent_columns] = table[percent_columns].astype("float64")  # a null rate is NaN, shown as "—"
table.columns = [_(name) for name in COLUMNS]  # the same names in English


def rate_cell(value: object, digits: int = 1) -> str:
    """A rate as the page writes it, "—" when it has no data (Streamlit would show "None")."""
    return percent(None if pd.isna(value) else float(value), digits)


def complaint_cell(value: object) -> str:
    """A complaint rate with two decimals: its limits (0.1%, 0.3%) would not show with one."""
    return rate_cell(value, 2)


# Widths in pixels, so that the ten columns fit the main column of a 1280×720 laptop with the sidebar open
# (about 820 px): the action column as wide as its longest label in the reader's language.
TABLE_ROW, TABLE_ROWS_SHOWN, TABLE_WIDTH, SOURCE_WIDTH, RATE_WIDTH = 35, 21, 800, 128, 62


def action_width(labels: pd.Series) -> int:
    """The action column's width: its longest label in bold, between 110 and 184 px."""
    longest = max((len(str(label)) for label in labels), default=0)
    return min(184, max(110, 7 * longest + 10))


ACTION_WIDTH = action_width(table[_("Action")])
# the two "vs brand" columns share what is left (their headers are the longest), never narrower than a rate's
RATIO_WIDTH = max(
    RATE_WIDTH, (TABLE_WIDTH - SOURCE_WIDTH - ACTION_WIDTH - (RATE_WIDTH + 2) - 5 * RATE_WIDTH) // 2
)


# Each Styler.format call without `subset` resets the columns it does not name: tables.readable (French) names
# the counts and the one-decimal rates, the complaint rate's two decimals are set after it, on its column alone.
rate_names = [_(name) for name in percent_columns if name != "Complaint rate"]
shown_table = tables.readable(
    tables.with_action_badges(table, [_("Action")]).format(rate_cell, subset=rate_names),
    counts=[_("Delivered")],
    percents=rate_names,
    digits=1,
).format(complaint_cell, subset=[_("Complaint rate")])
st.subheader(_("Sources"))
st.caption(
    _(
        "Rates over the window. The contacts of each source by status are on the Eligibility & retention page; "
        "the reasons for each action are in the source detail below."
    )
)
# In French the counts are written by analytics.formats (tables.readable): Streamlit's own formats follow the
# browser's locale and would win over them. The rates are written by analytics.formats in both languages.
st.dataframe(
    shown_table,
    hide_index=True,
    key="cohort_table",
    placeholder=formats.NO_DATA_MARK,  # a rate without data reads "—", not "None"
    height=TABLE_ROW * (min(len(table), TABLE_ROWS_SHOWN) + 1) + 3,  # the baseline in view up to 20 sources
    column_config={
        _("Source"): st.column_config.TextColumn(width=SOURCE_WIDTH),
        _("Action"): st.column_config.TextColumn(width=ACTION_WIDTH),
        _("Delivered"): st.column_config.NumberColumn(width=RATE_WIDTH + 2),
        **{
            _(name): st.column_config.NumberColumn(
                label=_(SHORT_HEADERS.get(name, name)),
                help=_(HEADER_HELP[name]),
                width=RATIO_WIDTH if name.endswith("vs brand") else RATE_WIDTH,
            )
            for name in percent_columns
        },
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
    st.plotly_chart(
        charts.figure_dissatisfaction_by_source(chart_rows, settings),
        key="chart_dissatisfaction",
        config=charts.plotly_config(),
    )
    st.plotly_chart(
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

notes = data.data_quality(as_of)
if notes:
    with st.expander(
        ngettext("Data-quality note ({count})", "Data-quality notes ({count})", len(notes)).format(
            count=vocabulary.whole(len(notes))
        ),
        expanded=False,
        icon=":material/warning:",
    ):
        for note in notes:
            st.warning(md_lines(note), icon=":material/warning:")
