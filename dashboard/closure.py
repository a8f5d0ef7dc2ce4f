"""Closing the reviewed week on the Review page: after the meeting, "Close this week" freezes what it saw; a
closed week says when, by whom and with which settings, and can be reopened only on purpose (a confirmation
and a reason), every close and reopen kept in a log shown under the controls."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analytics import formats
from analytics.errors import UserError
from analytics.i18n import N_, _
from analytics.report import frozen
from dashboard import auth, data, sidebar
from dashboard.text import md, md_lines

NAME_KEY = "reviewer_name"  # the "Your name" of the Review page (and of Settings), kept for the session
EVENTS = {"close": N_("closed"), "reopen": N_("reopened")}  # a log entry's event, shown translated


def who() -> str:
    """Who is acting: the signed-in user when login is on, else the name given this session, else 'unknown'."""
    signed_in = auth.signed_in_email()
    if signed_in:
        return signed_in
    return str(st.session_state.get(NAME_KEY) or "").strip() or "unknown"


def name_input() -> None:
    """Without login, a "Your name" field bound to the session's reviewer name (shared with the Review page)."""
    if auth.signed_in_email() is None:
        if NAME_KEY in st.session_state:  # keep what another page's field held when this one is drawn
            st.session_state[NAME_KEY] = st.session_state[NAME_KEY]
        st.text_input(_("Your name"), key=NAME_KEY, placeholder=_("Name or initials"))


def render(week_end: dt.date) -> None:
    """The week's state and its controls: the closure notice and "Reopen" when closed, "Close" when open."""
    st.subheader(_("What the meeting saw"))
    closure = data.week_closure(week_end)
    if closure is None:
        _open_week(week_end)
    else:
        st.info(md(frozen.closure_notice(closure, data.saved_settings())), icon=":material/lock:")
        _reopen_form(week_end)
    _log(week_end)


def _open_week(week_end: dt.date) -> None:
    st.caption(
        _(
            "This week is open: its figures are computed with today's settings. Close it after the meeting to "
            "keep what the meeting saw (figures, actions and settings) as it was."
        )
    )
    if st.button(_("Close this week"), key="close_week", icon=":material/lock:"):
        try:
            data.close_week(week_end, sidebar.settings(), who())
        except UserError as error:
            st.error(md_lines(error))
        else:
            st.rerun()


def _reopen_form(week_end: dt.date) -> None:
    with st.form("reopen_form", border=False):
        reason = st.text_input(_("Why reopen it"), key="reopen_reason")
        confirmed = st.checkbox(
            _("I understand that the week will be computed again with today's settings"), key="reopen_confirm"
        )
        submitted = st.form_submit_button(
            _("Reopen this week"), key="reopen_week", icon=":material/lock_open:"
        )
    if not submitted:
        return
    if not confirmed:
        st.error(_("Tick the confirmation to reopen the week."))
        return
    try:
        data.reopen_week(week_end, who(), reason)
    except UserError as error:
        st.error(md_lines(error))
    else:
        st.rerun()


def _log(week_end: dt.date) -> None:
    entries = data.week_closure_log(week_end)
    if not entries:
        return
    when, event, by, why = _("When"), _("Event"), _("By"), _("Reason")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    when: formats.moment_text(e.logged_at),
                    event: _(EVENTS[e.event]),
                    by: e.logged_by,
                    why: e.reason,
                }
                for e in reversed(entries)
            ],
            columns=[when, event, by, why],
        ),
        hide_index=True,
        key="closure_log",
    )
