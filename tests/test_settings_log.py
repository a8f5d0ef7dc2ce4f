"""Who changed which setting and when: the settings log of settings_store.save; and on the dashboard, the
Settings page (its change log, its confirmation before restoring the defaults, its note that a change applies
from now on), the banner of every page while settings differ from the defaults, and closing and reopening a
week on the Review page."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import i18n, store
from analytics.settings import DEFAULTS
from analytics.store import settings_store, week_closures
from tests.apptest import PAGES, shown_text

WEEK_END = dt.date(2026, 3, 15)
NBSP = "\u00a0"
LOOSE = DEFAULTS.replace(min_delivered=1, min_reactions=1)


def _rows(changes):
    return [(c.name, c.old_value, c.new_value, c.changed_by) for c in changes]


def test_each_changed_setting_is_logged_with_its_old_and_new_value_and_who(con):
    first = settings_store.save(con, DEFAULTS.replace(stop_above=0.7, window_weeks=6), by="Alice")
    # Two settings differ from what was saved (the defaults): each is one row, in the settings' order.
    assert _rows(first) == [("window_weeks", "4", "6", "Alice"), ("stop_above", "0.4", "0.7", "Alice")]
    second = settings_store.save(
        con, DEFAULTS.replace(stop_above=0.7, dissatisfaction_includes_complaints=True)
    )
    # window_weeks back to 4, the flag on; stop_above unchanged → not logged; nobody named → "unknown".
    assert _rows(second) == [
        ("window_weeks", "6", "4", "unknown"),
        ("dissatisfaction_includes_complaints", "false", "true", "unknown"),
    ]
    assert (
        settings_store.save(con, DEFAULTS.replace(stop_above=0.7, dissatisfaction_includes_complaints=True))
        == []
    )
    # The history is newest first, every row with its UTC time.
    history = settings_store.history(con)
    assert _rows(history) == _rows(list(reversed(first + second)))
    assert [c.entry_id for c in history] == [4, 3, 2, 1]
    assert _rows(settings_store.history(con, limit=1)) == [
        ("dissatisfaction_includes_complaints", "false", "true", "unknown")
    ]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert all(abs((now - c.changed_at).total_seconds()) < 60 for c in history)


# --- the dashboard ------------------------------------------------------------------------------------------


@pytest.fixture
def brand(data):
    """One web campaign in the week ending 2026-03-15: w1, w2 click, w3, w4 unsubscribe (dissatisfaction
    2 / (2 + 2) = 50%: "stop" at 40%); a send on 2026-03-16 makes that week the last complete one of the data
    (2026-03-16 is a Monday, so the last Sunday before it is 2026-03-15). Thresholds loose enough to
    recommend on 4 sends."""
    ids = [f"w{i}" for i in range(1, 6)]
    for contact in ids:
        data.contact(contact, source="web", collected_at="2024-01-01").order(contact, "2024-06-01")
    data.campaign("B", "2026-03-10T09:00:00").campaign("D", "2026-03-16T09:00:00")
    for contact in ids[:2]:
        data.send("B", contact, "2026-03-10T09:00:00", opens=1, clicks=1)
    for contact in ids[2:4]:
        data.send("B", contact, "2026-03-10T09:00:00", unsubscribe=True)
    data.send("D", ids[4], "2026-03-16T09:00:00", opens=1)
    con = data.load()
    settings_store.save(con, LOOSE, by="setup")
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    return path


def test_every_page_shows_the_banner_while_settings_differ_from_the_defaults(brand, open_app):
    app = open_app(brand)
    # LOOSE: min delivered 1 (default 500), min reactions 1 (default 30).
    banner = "Settings differ from the guidance defaults: min delivered 1 (default 500), min reactions 1 (default 30)."
    assert banner in shown_text(app)
    for page in ("review", "settings", "guide"):
        app.switch_page(PAGES[page]).run()
        assert banner in shown_text(app), page


def test_saving_names_who_says_it_applies_from_now_on_and_lists_the_change(brand, open_app):
    app = open_app(brand, "settings")
    app.text_input(key="reviewer_name").input("Alice")
    app.number_input(key="setting_stop_above").set_value(0.7)
    app.button(key="save_settings").click().run()
    assert not app.exception
    said = " ".join(m.value for m in [*app.success, *app.info])
    assert "from now on" in said and "the weeks already closed keep what their meeting saw" in said
    con = store.connect(brand)
    try:
        assert _rows(settings_store.history(con, limit=1)) == [("stop_above", "0.4", "0.7", "Alice")]
    finally:
        con.close()
    log = app.dataframe[-1].value  # the recent changes: the only table of the page
    assert log["By"].iloc[0] == "Alice"
    assert log["Change"].iloc[0] == "Stop above: 40% → 70%"


def test_restoring_the_defaults_needs_the_confirmation(brand, open_app):
    app = open_app(brand, "settings")
    app.button(key="reset_settings").click().run()
    assert "Tick the confirmation first" in " ".join(w.value for w in app.warning)
    con = store.connect(brand)
    try:
        assert settings_store.load(con) == LOOSE  # nothing restored
    finally:
        con.close()
    app.checkbox(key="reset_confirm").check().run()
    app.button(key="reset_settings").click().run()
    assert not app.exception
    assert "The defaults are restored." in shown_text(app)
    assert "Settings differ from the guidance defaults" not in shown_text(app)  # no banner any more
    con = store.connect(brand)
    try:
        assert settings_store.load(con) == DEFAULTS
    finally:
        con.close()


def test_closing_a_week_on_the_review_page_and_reopening_it_on_purpose(brand, open_app):
    app = open_app(brand, "review")
    assert app.selectbox(key="review_week").value == WEEK_END
    app.session_state["reviewer_name"] = "Alice"
    app.button(key="close_week").click().run()
    assert not app.exception
    notice = " ".join(i.value for i in app.info).replace("\\", "")
    assert "Closed on " in notice
    assert "by Alice: what the meeting saw is shown." in notice

    # A settings change after the meeting: the notice names the settings the meeting used.
    con = store.connect(brand)
    try:
        settings_store.save(con, LOOSE.replace(stop_above=0.7), by="Bob")
    finally:
        con.close()
    app.run()
    notice = " ".join(i.value for i in app.info).replace("\\", "")
    assert "by Alice, with the settings of then: stop above 40% (now 70%)." in notice

    # Reopening without the confirmation does nothing but say so.
    app.text_input(key="reopen_reason").input("figures corrected")
    app.button(key="reopen_week").click().run()
    assert "Tick the confirmation to reopen the week." in " ".join(e.value for e in app.error)
    con = store.connect(brand)
    try:
        assert week_closures.state(con, WEEK_END) is not None
    finally:
        con.close()
    app.checkbox(key="reopen_confirm").check()
    app.text_input(key="reopen_reason").input("figures corrected")
    app.button(key="reopen_week").click().run()
    assert not app.exception
    assert app.button(key="close_week")  # open again: the Close button is back
    con = store.connect(brand)
    try:
        assert week_closures.state(con, WEEK_END) is None
        assert [(e.event, e.logged_by, e.reason) for e in week_closures.log(con, WEEK_END)] == [
            ("close", "Alice", ""),
            ("reopen", "Alice", "figures corrected"),
        ]
    finally:
        con.close()
    log = app.dataframe[-1].value  # the closure log: the last table of the page, under the controls
    assert list(log["Event"]) == ["reopened", "closed"]


def test_the_banner_speaks_french(brand, monkeypatch, open_app):
    monkeypatch.setenv(i18n.ENV_LANGUAGE, "fr")
    app = open_app(brand, "settings")
    # LOOSE in French: the settings' French labels, the counts written the French way.
    assert (
        "Les paramètres diffèrent des valeurs par défaut recommandées"
        + NBSP
        + ": délivrés minimum 1 (par défaut "
        "500), réactions minimum 1 (par défaut 30)." in shown_text(app)
    )
