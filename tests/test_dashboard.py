"""The dashboard pages, driven with Streamlit's AppTest on a database built in the test."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from analytics import store

APP = str(store.PROJECT_ROOT / "dashboard" / "app.py")


@pytest.fixture
def app_on(monkeypatch):
    """Start the app on the database a test built (each test gets a fresh cache)."""

    def start(con) -> AppTest:
        path = con.execute(
            "select path from duckdb_databases() where database_name = current_database()"
        ).fetchone()[0]
        con.close()
        monkeypatch.setenv(store.ENV_DB_PATH, path)
        app = AppTest.from_file(APP, default_timeout=60)
        app.run()
        return app

    yield start
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _small_brand(data):
    # web: c1 soft-opt-in client (bought 2025-01-10) mailed once on 2025-03-01, clicks → one clicker.
    return (
        data.contact("c1", source="web")
        .order("c1", "2025-01-10")
        .contact("c2", source="store", consent="opt_in")
        .campaign("k1", "2025-03-01T09:00:00")
        .send("k1", "c1", "2025-03-01T09:00:00", clicks=1)
        .send("k1", "c2", "2025-03-01T09:00:00", opens=1)
        .load()
    )


def test_cohort_health_shows_one_row_per_source_with_its_action(data, app_on):
    app = app_on(_small_brand(data))
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table["Source"]) == ["store", "web"]
    # web: 1 delivered send, far below min_delivered 500 → insufficient data; store: no soft-opt-in client.
    assert list(table["Action"]) == ["No cohort", "Insufficient data"]
    assert table.loc[table["Source"] == "web", "Click rate"].item() == 1.0


def test_report_date_defaults_to_latest_send_and_moving_it_changes_the_figures(data, app_on):
    app = app_on(_small_brand(data))
    assert app.date_input(key="as_of").value == dt.date(2025, 3, 1)
    # The day before the only campaign: nothing was delivered yet, so the rate has no data.
    app.date_input(key="as_of").set_value(dt.date(2025, 2, 28)).run()
    table = app.dataframe[0].value
    assert table.loc[table["Source"] == "web", "Delivered"].item() == 0


def test_a_new_database_opens_on_the_demo_brand(tmp_path, monkeypatch):
    # No database yet: the dashboard creates it and loads data/demo, then reports as of the last demo send.
    monkeypatch.setenv(store.ENV_DB_PATH, str(tmp_path / "fresh.duckdb"))
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    try:
        assert not app.exception
        assert app.date_input(key="as_of").value == dt.date(2026, 11, 22)
        table = app.dataframe[0].value
        actions = dict(zip(table["Source"], table["Action"], strict=True))
        assert actions["web_checkout"] == "Ramp up" and actions["partner_coreg"] == "Stop"
        assert len(actions) == 10
    finally:
        import streamlit as st

        st.cache_data.clear()
        st.cache_resource.clear()
