"""Driving the dashboard with Streamlit's AppTest: the app, its pages, and reading what a page shows."""

from __future__ import annotations

from analytics import store

APP = str(store.PROJECT_ROOT / "dashboard" / "app.py")
PAGES = {
    "health": "views/health.py",
    "review": "views/review.py",
    "trends": "views/trends.py",
    "eligibility": "views/eligibility.py",
    "compliance": "views/compliance.py",
    "data": "views/data_files.py",
    "settings": "views/settings_view.py",
    "guide": "views/guide.py",
}


def table(app, index=0):
    return app.dataframe[index].value


def shown_text(app) -> str:
    """Every markdown, caption, info, warning, error and success of the page, as one text (Markdown escapes
    removed)."""
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error", "success")
        for e in getattr(app, kind)
    ]
    return " ".join(parts).replace("\\", "")
