"""Eligibility & retention: who may be mailed, under which basis, and who must be purged."""

import streamlit as st

from analytics import formats, i18n
from analytics.i18n import _, ngettext
from dashboard import data, sidebar, tables
from dashboard.text import md_lines

as_of = sidebar.report_date()
settings = sidebar.settings()
chosen = sidebar.chosen_sources()
french = i18n.current() == "fr"


def _count_table(frame, key: str) -> None:
    """A table of a source column then counts. French counts are written by analytics.formats
    (dashboard/tables.readable); English as Streamlit shows them. The count columns keep no format of their
    own, which would win over the written values."""
    counts = frame.columns[1:]
    st.dataframe(
        tables.readable(frame, counts=counts),
        hide_index=True,
        key=key,
        column_config={column: st.column_config.NumberColumn() for column in counts} if french else None,
    )


st.title(_("Eligibility & retention"))
st.caption(
    ngettext(
        "Status of every contact on {day}. A contact may be kept and mailed at most "
        "{years} years after their last purchase or click (an open does not count).",
        "Status of every contact on {day}. A contact may be kept and mailed at most "
        "{years} years after their last purchase or click (an open does not count).",
        settings.retention_years,
    ).format(day=formats.date_text(as_of), years=settings.retention_years)
)

eligibility = data.eligibility_status(as_of, settings, chosen)
if eligibility.empty:
    st.info(_("No contact is known on this date: load a contacts file on the Data page."))
    st.stop()

total = eligibility.totals
columns = st.columns(4)
columns[0].metric(
    _("May receive marketing"),
    formats.number(total["eligible_marketing"]),
    help=_("Opt-in plus soft-opt-in clients: promotions, newsletters, cart reminders, welcome series."),
)
columns[1].metric(
    _("May receive loyalty emails"),
    formats.number(total["eligible_loyalty"]),
    help=_("Of them, those who gave the loyalty programme's own consent."),
)
columns[2].metric(_("Must be purged"), formats.number(total["expired"]), help=_("Past the retention limit."))
columns[3].metric(
    _("Expiring within {days} days").format(days=settings.expiring_soon_days),
    formats.number(total["expiring_soon"]),
)

st.subheader(_("Status per source"))
status = eligibility.per_source.rename(
    columns={
        "collection_source": _("Source"),
        "contacts": _("Contacts"),
        "opt_in": _("Opt-in"),
        "soft_opt_in": _("Soft opt-in"),
        "not_informed": _("Not informed"),
        "prospect": _("Prospects"),
        "objected": _("Objected"),
        "expired": _("Expired"),
    }
)
_count_table(status, "status_table")

st.subheader(_("Who may receive each type of email"))
by_type = eligibility.per_email_type.rename(
    columns={
        "collection_source": _("Source"),
        "promo": _("Promotions"),
        "newsletter": _("Newsletters"),
        "cart_abandonment": _("Cart abandonment"),
        "welcome": _("Welcome series"),
        "loyalty": _("Loyalty programme"),
    }
)
_count_table(by_type, "email_type_table")
st.caption(
    _("Service emails (order confirmation, shipping, after-sale) need no consent and are not counted here.")
)

st.subheader(_("Retention limit coming up"))
expiring = data.expiring_contacts(as_of, settings, chosen).rename(
    columns={
        "collection_source": _("Source"),
        "within_30": _("Within 30 days"),
        "within_60": _("Within 60 days"),
        "within_90": _("Within 90 days"),
    }
)
_count_table(expiring, "expiring_table")
st.caption(
    ngettext(
        "Lawful contacts whose last purchase or click will be more than "
        "{years} years old: a click or an order before then keeps them.",
        "Lawful contacts whose last purchase or click will be more than "
        "{years} years old: a click or an order before then keeps them.",
        settings.retention_years,
    ).format(years=settings.retention_years)
)

st.subheader(_("Lists to download"))
left, right = st.columns(2)
left.download_button(
    ngettext(
        "Purge list ({count} expired contacts)", "Purge list ({count} expired contacts)", total["expired"]
    ).format(count=formats.number(total["expired"])),
    data=data.contact_list_csv("expired", as_of, settings, chosen),
    file_name=f"purge-list-{as_of}.csv",
    mime="text/csv",
    key="download_purge",
    help=_("Delete or anonymise these contacts: they may no longer be kept nor mailed."),
)
right.download_button(
    ngettext(
        "Suppression list ({count} objected contacts)",
        "Suppression list ({count} objected contacts)",
        total["objected"],
    ).format(count=formats.number(total["objected"])),
    data=data.contact_list_csv("objected", as_of, settings, chosen),
    file_name=f"suppression-list-{as_of}.csv",
    mime="text/csv",
    key="download_suppression",
    help=_("Never mail these contacts marketing; keep the list to honour their objection."),
)

st.subheader(_("Purge the expired contacts"))
st.caption(
    _(
        "Deletes every contact past the retention limit on {day}, of every source (the source "
        "filter does not apply), with their orders and events, then rewrites the database file so that their "
        "data leaves it. Objected contacts are kept for the suppression list, and so are contacts whose later "
        "purchase, click or objection changes their status. Download the purge list first if you need it."
    ).format(day=formats.date_text(as_of))
)
if "purge_message" in st.session_state:
    rewritten, message = st.session_state.pop("purge_message")
    (st.success if rewritten else st.warning)(md_lines(message))  # a rewrite still owed is not a success
confirm_purge = st.checkbox(
    _("I understand that the expired contacts will be deleted for good"), key="confirm_purge"
)
if st.button(_("Purge the expired contacts"), key="purge_expired", disabled=not confirm_purge):
    purged = data.purge_expired(as_of, settings.retention_years)
    st.session_state["purge_message"] = (
        purged["compaction"].get("rewritten", True),
        f"{purged['message']} {purged['compaction']['message']}",
    )
    st.rerun()  # every figure of the page above now without the purged contacts
