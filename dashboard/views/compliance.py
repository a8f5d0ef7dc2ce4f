"""Compliance: marketing sends the rules do not allow, and the proof kept for each collection source."""

import datetime as dt

import pandas as pd
import streamlit as st

from analytics.tables import CHANNELS, UNLAWFUL_BASES
from analytics.vocabulary import basis_help, basis_label
from dashboard import data, sidebar
from dashboard.text import md

as_of = sidebar.report_date()
settings = sidebar.settings()
chosen = sidebar.chosen_sources()

st.title("Compliance")
violations = data.violations(as_of, settings, chosen)
window = violations.window
st.caption(
    f"Marketing sends of the window {window.start:%d %b %Y} – {window.end:%d %b %Y} under a basis the law "
    "does not allow. Service emails need no consent and are not counted."
)

columns = st.columns(len(UNLAWFUL_BASES))
for column, basis in zip(columns, UNLAWFUL_BASES, strict=True):
    column.metric(
        basis_label(basis),
        f"{violations.by_basis[basis]:,}",
        help=f"{basis_label(basis)}: {basis_help(basis, settings.retention_years)}.",
    )

if violations.empty:
    st.success("No unlawful marketing send in this window.")
else:
    left, right = st.columns(2)
    left.markdown("**Per source**")
    left.dataframe(
        violations.per_source.rename(columns={"collection_source": "Source"}),
        hide_index=True,
        key="violations_by_source",
    )
    per_campaign = violations.per_campaign.rename(
        columns={
            "sent_date": "Sent on",
            "campaign_id": "Campaign",
            "email_type": "Type",
            "basis": "Basis",
            "sends": "Sends",
        }
    )
    right.markdown("**Per campaign**")
    right.dataframe(
        per_campaign,
        hide_index=True,
        key="violations_by_campaign",
        column_config={"Sent on": st.column_config.DateColumn()},
    )

    sends = data.affected_sends(as_of, settings, chosen)
    st.markdown(f"**Affected sends** ({sends.total:,} from events; campaign-stats rows have no contact list)")
    st.dataframe(
        sends.rows.rename(
            columns={
                "sent_date": "Sent on",
                "campaign_id": "Campaign",
                "campaign_name": "Campaign name",
                "email_type": "Type",
                "contact_id": "Contact",
                "collection_source": "Source",
                "basis": "Basis",
            }
        ),
        hide_index=True,
        key="violation_sends",
        column_config={"Sent on": st.column_config.DateColumn()},
    )
    st.download_button(
        "Download the affected sends (CSV)",
        data=data.violation_sends_csv(as_of, settings, chosen),
        file_name=f"unlawful-sends-{window.start}-{window.end}.csv",
        mime="text/csv",
        key="download_violations",
    )

st.header("Collection-source registry")
st.caption(
    "For each source, how people were told their address would be used for marketing and could object, "
    "and where the proof is kept (form screenshot, phone script, in-store poster). Saved for everyone."
)
registry = data.registry_rows()
flagged = registry[registry["evidence_missing"]]
for row in flagged.itertuples():
    st.warning(
        f"**{md(row.collection_source)}**: evidence missing — {md(', '.join(row.missing_reasons))}.",
        icon=":material/attach_file:",
    )

editable = registry[["collection_source", "channel", "notice_shown", "evidence", "reviewed_at"]].copy()
editable["reviewed_at"] = pd.to_datetime(editable["reviewed_at"]).dt.date
edited = st.data_editor(
    editable,
    key="registry_editor",
    hide_index=True,
    num_rows="dynamic",
    column_config={
        "collection_source": st.column_config.TextColumn("Source", required=True),
        "channel": st.column_config.SelectboxColumn("Channel", options=list(CHANNELS)),
        "notice_shown": st.column_config.SelectboxColumn(
            "Notice shown",
            options=["true", "false", "unknown"],
            help="Was the marketing notice, with the right to object, shown at collection?",
        ),
        "evidence": st.column_config.TextColumn("Evidence (where the proof is kept)", width="large"),
        "reviewed_at": st.column_config.DateColumn("Reviewed on", max_value=dt.date.today()),
    },
)
if st.button("Save the registry", key="save_registry", type="primary"):
    saved = data.save_registry(edited.to_dict("records"))
    st.success(f"Registry saved: {saved} source(s). Every page now uses it.")
    st.rerun()
