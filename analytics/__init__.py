"""optout-cohorts analytics: the domain, usable without Streamlit (CLI, dashboard and tests share it)."""
