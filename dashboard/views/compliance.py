"""Compliance: marketing sends the rules do not allow, and the proof kept for each collection source."""

import datetime as dt

import pandas as pd
import streamlit as st

from analytics import formats, i18n
from analytics.i18n import _, ngettext
from analytics.tables import CHANNELS, NOTICE_SHOWN, UNLAWFUL_BASES
from analytics.vocabulary import basis_help, basis_label, code_label, code_labels, evidence_reason
from dashboard import data, sidebar, tables
from dashboard.text import md

as_of = sidebar.report_date()
settings = sidebar.settings()
chosen = sidebar.chosen_sources()
french = i18n.current() == "fr"


def _readable(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The codes of these columns (legal basis, email type) by their labels, in every language."""
    if frame.empty:
        return frame
    return frame.assign(
        **{c: frame[c].map(lambda code, c=c: code_labels(c).get(code, code)) for c in columns}
    )


def _sent_on_and_counts(*counts: str) -> dict:
    """The date and count columns: French dates and thousands (the reader's browser writes them)."""
    if not french:
        return {_("Sent on"): st.column_config.DateColumn()}
    return {
        _("Sent on"): st.column_config.DateColumn(format="DD/MM/YYYY"),
        **{name: st.column_config.NumberColumn() for name in counts},  # written by tables.readable
    }


st.title(_("Compliance"))
violations = data.violations(as_of, settings, chosen)
window = violations.window
st.caption(
    _(
        "Marketing sends of the window {start} – {end} under a basis the law "
        "does not allow. Service emails need no consent and are not counted."
    ).format(start=formats.date_text(window.start), end=formats.date_text(window.end))
)

columns = st.columns(len(UNLAWFUL_BASES))
for column, basis in zip(columns, UNLAWFUL_BASES, strict=True):
    column.metric(
        _(basis_label(basis)),
        formats.number(violations.by_basis[basis]),
        help=_("{basis}: {meaning}.").format(
            basis=_(basis_label(basis)), meaning=basis_help(basis, settings.retention_years)
        ),
    )

if violations.empty:
    st.success(_("No unlawful marketing send in this window."))
else:
    left, right = st.columns(2)
    left.markdown(_("**Per source**"))
    per_source = violations.per_source.rename(columns={"collection_source": _("Source")})
    # one column per legal basis found, named by its label
    per_source = per_source.rename(columns=lambda code: basis_label(code) if code in UNLAWFUL_BASES else code)
    left.dataframe(
        tables.readable(per_source, counts=per_source.columns[1:]),
        hide_index=True,
        key="violations_by_source",
        column_config={name: st.column_config.NumberColumn() for name in per_source.columns[1:]}
        if french
        else None,
    )
    per_campaign = _readable(violations.per_campaign, "email_type", "basis").rename(
        columns={
            "sent_date": _("Sent on"),
            "campaign_id": _("Campaign"),
            "email_type": _("Type"),
            "basis": _("Basis"),
            "sends": _("Sends"),
        }
    )
    right.markdown(_("**Per campaign**"))
    right.dataframe(
        tables.readable(per_campaign, counts=[_("Sends")]),
        hide_index=True,
        key="violations_by_campaign",
        column_config=_sent_on_and_counts(_("Sends")),
    )

    sends = data.affected_sends(as_of, settings, chosen)
    st.markdown(
        _("**Affected sends** ({count} from events; campaign-stats rows have no contact list)").format(
            count=formats.number(sends.total)
        )
    )
    st.dataframe(
        _readable(sends.rows, "email_type", "basis").rename(
            columns={
                "sent_date": _("Sent on"),
                "campaign_id": _("Campaign"),
                "campaign_name": _("Campaign name"),
                "email_type": _("Type"),
                "contact_id": _("Contact"),
                "collection_source": _("Source"),
                "basis": _("Basis"),
            }
        ),
        hide_index=True,
        key="violation_sends",
        column_config=_sent_on_and_counts(),
    )
    st.download_button(
        _("Download the affected sends (CSV)"),
        data=data.violation_sends_csv(as_of, settings, chosen),
        file_name=f"unlawful-sends-{window.start}-{window.end}.csv",
        mime="text/csv",
        key="download_violations",
    )

st.header(_("Collection-source registry"))
st.caption(
    _(
        "For each source, how people were told their address would be used for marketing and could object, "
        "and where the proof is kept (form screenshot, phone script, in-store poster). Saved for everyone."
    )
)
registry = data.registry_rows()
flagged = registry[registry["evidence_missing"]]
for row in flagged.itertuples():
    st.warning(
        _("**{source}**: evidence missing — {reasons}.").format(
            source=md(row.collection_source),
            reasons=md(", ".join(evidence_reason(reason) for reason in row.missing_reasons)),
        ),
        icon=":material/attach_file:",
    )

editable = registry[["collection_source", "channel", "notice_shown", "evidence", "reviewed_at"]].copy()
editable["reviewed_at"] = pd.to_datetime(editable["reviewed_at"]).dt.date
# The channel and "notice shown" cells hold the codes the registry saves (web_form, true…), each shown by its
# label in the reader's language (the data editor returns the code).
date_format = {"format": "DD/MM/YYYY"} if french else {}
edited = st.data_editor(
    editable,
    key="registry_editor",
    hide_index=True,
    num_rows="dynamic",
    column_config={
        "collection_source": st.column_config.TextColumn(_("Source"), required=True),
        "channel": st.column_config.SelectboxColumn(
            _("Channel"), options=list(CHANNELS), format_func=lambda code: code_label("channel", code)
        ),
        "notice_shown": st.column_config.SelectboxColumn(
            _("Notice shown"),
            options=list(NOTICE_SHOWN),
            format_func=lambda code: code_label("notice_shown", code),
            help=_("Was the marketing notice, with the right to object, shown at collection?"),
        ),
        "evidence": st.column_config.TextColumn(_("Evidence (where the proof is kept)"), width="large"),
        "reviewed_at": st.column_config.DateColumn(
            _("Reviewed on"), max_value=dt.date.today(), **date_format
        ),
    },
)
if st.button(_("Save the registry"), key="save_registry", type="primary"):
    saved = data.save_registry(edited.to_dict("records"))
    st.success(
        ngettext(
            "Registry saved: {count} source(s). Every page now uses it.",
            "Registry saved: {count} source(s). Every page now uses it.",
            saved,
        ).format(count=saved)
    )
    st.rerun()
