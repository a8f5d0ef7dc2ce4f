"""Entry point of the optout-cohorts dashboard: page config, the shared sidebar, navigation."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the project; make both packages importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import sidebar

st.set_page_config(page_title="optout-cohorts", page_icon="✉️", layout="wide")

VIEWS = Path(__file__).resolve().parent / "views"
page = st.navigation(
    [
        st.Page(VIEWS / "cohort_health.py", title="Cohort health", default=True),
    ]
)
sidebar.render()
page.run()
