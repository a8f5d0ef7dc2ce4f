"""With login on, the decision log names who is signed in (issue 13, finding 9): "Decided by" is not a field
anyone can type into, so the log cannot be made to say someone else decided."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import streamlit as st
import streamlit.auth_util
from streamlit.runtime.secrets import Secrets
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from analytics import store
from analytics.store import decisions
from dashboard import auth
from tests.apptest import APP, PAGES, table
from tests.test_auth import configured, signed_in


@pytest.fixture
def review_as(monkeypatch, tmp_path, demo_file):
    """review_as(user) -> AppTest on the Review page of a copy of the demo, login required, as that user."""
    db = tmp_path / "brand.duckdb"
    shutil.copy(demo_file, db)
    monkeypatch.setenv(store.ENV_DB_PATH, str(db))
    monkeypatch.delenv(auth.ENV_REQUIRE_LOGIN, raising=False)
    monkeypatch.delenv(auth.ENV_ALLOWED_USERS, raising=False)
    monkeypatch.setattr(
        auth, "authlib_installed", lambda: True
    )  # no Authlib needed: AppTest stands for st.user
    fresh = Secrets()
    monkeypatch.setattr(st, "secrets", fresh)
    monkeypatch.setattr(streamlit.auth_util, "secrets_singleton", fresh)

    def start(user: dict) -> AppTest:
        app = AppTest.from_file(APP, default_timeout=120)
        app.secrets = configured()
        app.user = user
        app.run()
        app.switch_page(PAGES["review"]).run()
        return app

    with patch_config_options({"secrets.files": [str(tmp_path / "secrets.toml")]}):
        yield start, db
    st.cache_data.clear()
    st.cache_resource.clear()


def test_with_login_on_the_log_names_the_signed_in_user_and_nothing_else(review_as):
    start, db = review_as
    app = start(signed_in("anne@brand.fr"))
    assert not app.exception, app.exception
    assert not [w for w in app.text_input if w.key == "reviewer_name"]  # nothing to type a name into
    shown = " ".join(m.value for m in app.markdown)
    for markup in ("\\", "**", "\u2060"):  # Markdown escapes, bold, the word joiner that stops autolinks
        shown = shown.replace(markup, "")
    assert "Decided by: anne@brand.fr (signed in)" in shown
    app.selectbox(key="review_week").set_value(dt.date(2026, 11, 15)).run()
    app.selectbox(key="decide:2026-11-15:kind:partner_coreg").set_value("follow")  # a row of the table
    app.button(key="save_decisions").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert list(table(app, -1)["Decided by"]) == ["anne@brand.fr"]
    con = store.connect(db)
    assert [d.decided_by for d in decisions.entries(con)] == ["anne@brand.fr"]
    con.close()
