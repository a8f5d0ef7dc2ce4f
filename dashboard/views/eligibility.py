"""Eligibility & retention: who may be mailed, under which basis, and who must be purged."""

import streamlit as st

from dashboard import data, sidebar
from dashboard.text import md

as_of = sidebar.report_date()
settings = sidebar.settings()
chosen = sidebar.chosen_sources()

st.title("Eligibility & retention")
st.caption(
    f"Status of every contact on {as_of:%d %b %Y}. A contact may be kept and mailed at most "
    f"{settings.retention_years} years after their last purchase or click (an open does not count)."
)

eligibility = data.eligibility_status(as_of, settings, chosen)
if eligibility.empty:
    st.info("No contact is known on this date: load a contacts file on the Data page.")
    st.stop()

total = eligibility.totals
columns = st.columns(4)
columns[0].metric(
    "May receive marketing",
    f"{total['eligible_marketing']:,}",
    help="Opt-in plus soft-opt-in clients: promotions, newsletters, cart reminders, welcome series.",
)
columns[1].metric(
    "May receive loyalty emails",
    f"{total['eligible_loyalty']:,}",
    help="Of them, those who gave the loyalty programme's own consent.",
)
columns[2].metric("Must be purged", f"{total['expired']:,}", help="Past the retention limit.")
columns[3].metric(f"Expiring within {settings.expiring_soon_days} days", f"{total['expiring_soon']:,}")

st.subheader("Status per source")
status = eligibility.per_source.rename(
    columns={
        "collection_source": "Source",
        "contacts": "Contacts",
        "opt_in": "Opt-in",
        "soft_opt_in": "Soft opt-in",
        "not_informed": "Not informed",
        "prospect": "Prospects",
        "objected": "Objected",
        "expired": "Expired",
    }
)
st.dataframe(status, hide_index=True, key="status_table")

st.subheader("Who may receive each type of email")
by_type = eligibility.per_email_type.rename(
    columns={
        "collection_source": "Source",
        "promo": "Promotions",
        "newsletter": "Newsletters",
        "cart_abandonment": "Cart abandonment",
        "welcome": "Welcome series",
        "loyalty": "Loyalty programme",
    }
)
st.dataframe(by_type, hide_index=True, key="email_type_table")
st.caption(
    "Service emails (order confirmation, shipping, after-sale) need no consent and are not counted here."
)

st.subheader("Retention limit coming up")
expiring = data.expiring_contacts(as_of, settings, chosen).rename(
    columns={
        "collection_source": "Source",
        "within_30": "Within 30 days",
        "within_60": "Within 60 days",
        "within_90": "Within 90 days",
    }
)
st.dataframe(expiring, hide_index=True, key="expiring_table")
st.caption(
    "Lawful contacts whose last purchase or click will be more than "
    f"{settings.retention_years} years old: a click or an order before then keeps them."
)

st.subheader("Lists to download")
left, right = st.columns(2)
left.download_button(
    f"Purge list ({total['expired']:,} expired contacts)",
    data=data.contact_list_csv("expired", as_of, settings, chosen),
    file_name=f"purge-list-{as_of}.csv",
    mime="text/csv",
    key="download_purge",
    help="Delete or anonymise these contacts: they may no longer be kept nor mailed.",
)
right.download_button(
    f"Suppression list ({total['objected']:,} objected contacts)",
    data=data.contact_list_csv("objected", as_of, settings, chosen),
    file_name=f"suppression-list-{as_of}.csv",
    mime="text/csv",
    key="download_suppression",
    help="Never mail these contacts marketing; keep the list to honour their objection.",
)

st.subheader("Purge the expired contacts")
st.caption(
    f"Deletes every contact past the retention limit on {as_of:%d %b %Y}, of every source (the source "
    "filter does not apply), with their orders and events, then rewrites the database file so that their "
    "data leaves it. Objected contacts are kept for the suppression list, and so are contacts whose later "
    "purchase, click or objection changes their status. Download the purge list first if you need it."
)
if "purge_message" in st.session_state:
    rewritten, message = st.session_state.pop("purge_message")
    (st.success if rewritten else st.warning)(md(message))  # a rewrite still owed is not a success
confirm_purge = st.checkbox(
    "I understand that the expired contacts will be deleted for good", key="confirm_purge"
)
if st.button("Purge the expired contacts", key="purge_expired", disabled=not confirm_purge):
    purged = data.purge_expired(as_of, settings.retention_years)
    st.session_state["purge_message"] = (
        purged["compaction"].get("rewritten", True),
        f"{purged['message']} {purged['compaction']['message']}",
    )
    st.rerun()  # every figure of the page above now without the purged contacts
