"""Entry point of the optout-cohorts dashboard: page config, the shared sidebar, navigation."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the project; make both packages importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import i18n
from analytics.errors import UserError
from analytics.i18n import _
from dashboard import auth, data, sidebar
from dashboard.text import md

st.set_page_config(page_title="optout-cohorts", page_icon=":material/mail:", layout="wide")
# This session's language for everything this run draws, the login included (its menu: sidebar.py).
i18n.use(sidebar.language())
# On a shared deployment only an allowed, logged-in user gets past this line: before it, no navigation, no
# sidebar and no page is drawn (see dashboard/auth.py; local use, served on this machine only, needs no login).
auth.gate()

VIEWS = Path(__file__).resolve().parent / "views"
page = st.navigation(
    {
        _("Weekly review"): [
            st.Page(
                VIEWS / "health.py",
                title=_("Cohort health"),
                icon=":material/monitor_heart:",
                default=True,
                url_path="health",
            ),
            st.Page(
                VIEWS / "review.py",
                title=_("Review & decisions"),
                icon=":material/event_note:",
                url_path="review",
            ),
            st.Page(VIEWS / "trends.py", title=_("Trends"), icon=":material/trending_up:", url_path="trends"),
            st.Page(
                VIEWS / "eligibility.py",
                title=_("Eligibility & retention"),
                icon=":material/fact_check:",
                url_path="eligibility",
            ),
            st.Page(
                VIEWS / "compliance.py", title=_("Compliance"), icon=":material/gavel:", url_path="compliance"
            ),
        ],
        _("Set up"): [
            st.Page(VIEWS / "data_files.py", title=_("Data"), icon=":material/upload_file:", url_path="data"),
            st.Page(
                VIEWS / "settings_view.py", title=_("Settings"), icon=":material/tune:", url_path="settings"
            ),
            st.Page(VIEWS / "guide.py", title=_("Guide"), icon=":material/menu_book:", url_path="guide"),
        ],
    }
)
try:
    # Demo data never passes for a brand's: every page says so while it shows (analytics/demo/database.py).
    if (demo := data.demo_notice()) is not None:
        st.markdown(_(":orange-badge[:material/science: Demo data] {notice}").format(notice=md(demo)))
    # While the saved thresholds differ from the guidance defaults, every page says which (analytics.report.frozen).
    if (settings_notice := data.defaults_notice()) is not None:
        st.markdown(_(":blue-badge[:material/tune: Settings] {notice}").format(notice=md(settings_notice)))
    sidebar.render()
    page.run()
except UserError as error:  # the one boundary where errors meant for the user are shown
    st.error(md(error))
    st.stop()
