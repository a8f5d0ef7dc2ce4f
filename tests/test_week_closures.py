"""What the meeting saw stays as it was: a closed week keeps its actions through a settings change, reopening
computes it again and is logged, an open week's history shows a closed past week's frozen actions, a Review
survives its round trip through plain data, the notices read as the spec's words, and backup, restore and
reset keep the closures and their log."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from analytics import formats, i18n, ingest, store
from analytics.errors import UserError
from analytics.report import frozen, html, review
from analytics.settings import DEFAULTS
from analytics.store import maintenance, settings_store, week_closures

WEEK_END = dt.date(2026, 3, 15)  # a Sunday: the review week is 2026-03-09 … 2026-03-15
NEXT_WEEK_END = dt.date(2026, 3, 22)
LOOSE = DEFAULTS.replace(min_delivered=1, min_reactions=1)
LENIENT = LOOSE.replace(stop_above=0.7)
CLOSED_AT = dt.datetime(2026, 3, 16, 9, 30)  # UTC


@pytest.fixture
def unhappy(data):
    """One web campaign in the reviewed week, to 4 soft-opt-in clients: w1, w2 open and click, w3, w4
    unsubscribe. Dissatisfaction = unsubscribers / (clickers + unsubscribers) = 2 / (2 + 2) = 50%, over the
    week and over the 4-week window: above stop_above 40% → "stop"; below 70% → not "stop"."""
    ids = [f"w{i}" for i in range(1, 5)]
    for contact in ids:
        data.contact(contact, source="web", collected_at="2024-01-01").order(contact, "2024-06-01")
    data.campaign("B", "2026-03-10T09:00:00")
    for contact in ids[:2]:
        data.send("B", contact, "2026-03-10T09:00:00", opens=1, clicks=1)
    for contact in ids[2:]:
        data.send("B", contact, "2026-03-10T09:00:00", unsubscribe=True)
    return data.load()


def _actions(result: review.Review) -> dict[str, str]:
    return {s.collection_source: s.action for s in result.sources}


def _history_action(result: review.Review, day: dt.date, source: str = "web") -> str:
    return next(
        h["action"] for h in result.history if h["week_end"] == day and h["collection_source"] == source
    )


def test_a_settings_change_after_closing_does_not_change_the_closed_week(unhappy):
    con = unhappy
    assert _actions(frozen.meeting_review(con, WEEK_END, LOOSE)) == {"web": "stop"}  # 50% > 40%
    frozen.close_week(con, WEEK_END, LOOSE, by="Alice", now=CLOSED_AT)
    settings_store.save(con, LENIENT, by="Bob")

    # Computed with 70%, the week is no longer "stop" (50% ≤ 70%) …
    assert _actions(review.build_review(con, WEEK_END, LENIENT))["web"] != "stop"
    # … but the meeting's review of the closed week still shows what the meeting saw, with its settings.
    shown = frozen.meeting_review(con, WEEK_END, LENIENT)
    assert _actions(shown) == {"web": "stop"}
    assert shown.settings.stop_above == 0.4
    assert "stop" in shown.summary.lower()  # written again from the frozen figures
    notice = frozen.week_closure_notice(con, WEEK_END, LENIENT)
    # The moment as analytics.formats writes it (in the brand's time zone): 16 Mar 2026 and the time of day.
    moment = formats.moment_text(CLOSED_AT)
    assert moment.startswith("16 Mar 2026")
    assert notice == f"Closed on {moment} by Alice, with the settings of then: stop above 40% (now 70%)."

    # Reopened: computed again with today's settings, and the log says who and why.
    frozen_state = week_closures.state(con, WEEK_END)
    assert frozen_state is not None and frozen_state.closed_by == "Alice"
    week_closures.reopen(
        con, WEEK_END, by="Carol", reason="thresholds revised", now=dt.datetime(2026, 3, 17, 8)
    )
    assert week_closures.state(con, WEEK_END) is None
    assert _actions(frozen.meeting_review(con, WEEK_END, LENIENT))["web"] != "stop"
    assert frozen.week_closure_notice(con, WEEK_END, LENIENT) is None
    assert [(e.event, e.logged_by, e.reason, e.logged_at) for e in week_closures.log(con, WEEK_END)] == [
        ("close", "Alice", "", CLOSED_AT),
        ("reopen", "Carol", "thresholds revised", dt.datetime(2026, 3, 17, 8)),
    ]


def test_closing_and_reopening_change_the_data_version_and_refuse_nonsense(unhappy):
    con = unhappy
    before = store.data_version(con)
    frozen.close_week(con, WEEK_END, LOOSE, by="Alice")
    assert store.data_version(con) == before + 1  # cached reviews refresh
    with pytest.raises(UserError, match="closed already"):
        frozen.close_week(con, WEEK_END, LOOSE, by="Alice")
    with pytest.raises(UserError, match="why"):
        week_closures.reopen(con, WEEK_END, by="Alice", reason="  ")
    with pytest.raises(UserError, match="who"):
        week_closures.reopen(con, WEEK_END, by="", reason="a reason")
    week_closures.reopen(con, WEEK_END, by="Alice", reason="a reason")
    assert store.data_version(con) == before + 2
    with pytest.raises(UserError, match="not closed"):
        week_closures.reopen(con, WEEK_END, by="Alice", reason="again")


def test_an_open_week_history_shows_a_closed_past_week_frozen_action(unhappy):
    con = unhappy
    frozen.close_week(con, WEEK_END, LOOSE, by="Alice")
    # Next week's review with 70%: the 2026-03-15 point of its history is what the meeting saw ("stop"), while
    # computing it with 70% would not say "stop" (50% ≤ 70%).
    computed = review.build_review(con, NEXT_WEEK_END, LENIENT)
    assert _history_action(computed, WEEK_END) != "stop"
    shown = frozen.meeting_review(con, NEXT_WEEK_END, LENIENT)
    assert _history_action(shown, WEEK_END) == "stop"
    # Every other week of the history is as computed.
    others = [h for h in shown.history if h["week_end"] != WEEK_END]
    assert others == [h for h in computed.history if h["week_end"] != WEEK_END]


def test_a_review_survives_its_round_trip_through_plain_data(unhappy):
    built = frozen.computed_review(unhappy, WEEK_END, LOOSE)
    plain = json.loads(json.dumps(frozen.to_plain(built)))  # what the database keeps
    assert frozen.from_plain(plain) == built


def test_the_frozen_review_reads_in_the_readers_language(unhappy):
    frozen.close_week(unhappy, WEEK_END, LOOSE, by="Alice")
    with i18n.within("fr"):
        shown_fr = frozen.meeting_review(unhappy, WEEK_END, LENIENT)
        expected_fr = review.build_review(unhappy, WEEK_END, LOOSE)
    assert shown_fr.summary == expected_fr.summary  # the reasons and the summary as French computes them
    assert shown_fr.sources[0].reasons == expected_fr.sources[0].reasons


def test_the_defaults_banner_in_english_and_french():
    assert frozen.defaults_notice(DEFAULTS) is None
    changed = DEFAULTS.replace(stop_above=0.7)
    assert (
        frozen.defaults_notice(changed)
        == "Settings differ from the guidance defaults: stop above 70% (default 40%)."
    )
    with i18n.within("fr"):
        text = frozen.defaults_notice(changed)
    # French: the setting's French label "Arrêter au-dessus de", 70 % with a no-break space before the sign.
    assert text.startswith("Les paramètres diffèrent des valeurs par défaut recommandées")
    assert "arrêter au-dessus de 70\u00a0% (par défaut 40\u00a0%)" in text


def test_the_html_report_of_a_closed_week_shows_the_frozen_review_and_the_banners(unhappy):
    frozen.close_week(unhappy, WEEK_END, LOOSE, by="Alice", now=CLOSED_AT)
    page = html.build_html(unhappy, WEEK_END, LENIENT, generated_at=dt.datetime(2026, 3, 20))
    assert "Settings differ from the guidance defaults: stop above 70% (default 40%)" in page
    # The summary is the frozen review's: web stopped at 40% (computed at 70% it would not be).
    assert "needs attention: web (" in page and "→ Stop" in page
    moment = formats.moment_text(CLOSED_AT)
    assert f"Closed on {moment} by Alice, with the settings of then: stop above 40% (now 70%)." in page


def test_backup_restore_and_reset_keep_the_closures_and_the_logs(unhappy, tmp_path):
    con = unhappy
    frozen.close_week(con, WEEK_END, LOOSE, by="Alice")
    settings_store.save(con, LENIENT, by="Bob")
    kept = (week_closures.closures(con), week_closures.log(con), settings_store.history(con))
    # A reset (every loaded file's data removed) keeps them, as it keeps the decision log.
    ingest.empty_database(con)
    assert (week_closures.closures(con), week_closures.log(con), settings_store.history(con)) == kept
    # A backup holds them; restoring it brings them back after they changed.
    backups = tmp_path / "backups"
    backups.mkdir()
    db = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    con = store.connect(db, readable=[backups])
    maintenance.backup(con, backups / "monday.duckdb")
    week_closures.reopen(con, WEEK_END, by="Carol", reason="after the backup")
    con.close()
    maintenance.restore(backups / "monday.duckdb", db)
    con = store.connect(db)
    try:
        assert (week_closures.closures(con), week_closures.log(con), settings_store.history(con)) == kept
    finally:
        con.close()


def _backup_of(con, tmp_path):
    """(a backup of this connection's database, that database's path): the connection is closed."""
    backups = tmp_path / "backups"
    backups.mkdir()
    db = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    con = store.connect(db, readable=[backups])
    maintenance.backup(con, backups / "crafted.duckdb")
    con.close()
    return backups / "crafted.duckdb", db


def test_a_restore_refuses_a_backup_whose_closure_log_holds_an_unknown_event(unhappy, tmp_path):
    con = unhappy
    frozen.close_week(con, WEEK_END, LOOSE, by="Alice")
    con.execute("update week_closure_log set event = 'erase'")
    crafted, db = _backup_of(con, tmp_path)
    with pytest.raises(UserError, match="erase"):
        maintenance.restore(crafted, db)


def test_a_closure_keeps_every_language(unhappy):
    closure = frozen.close_week(unhappy, WEEK_END, LOOSE, by="Alice")
    assert set(closure.review) == set(i18n.LANGUAGES)
    assert dataclasses.asdict(week_closures.state(unhappy, WEEK_END))["settings"]["stop_above"] == 0.4


def test_the_cli_html_report_of_a_closed_week_shows_what_the_meeting_saw(unhappy, tmp_path):
    from analytics import cli

    con = unhappy
    frozen.close_week(con, WEEK_END, LOOSE, by="Alice", now=CLOSED_AT)
    settings_store.save(con, LENIENT, by="Bob")
    db = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    out = tmp_path / "report.html"
    assert (
        cli.main(["report", "--db", db, "--as-of", "2026-03-15", "--format", "html", "--out", str(out)]) == 0
    )
    page = out.read_text(encoding="utf-8")
    moment = formats.moment_text(CLOSED_AT)
    assert f"Closed on {moment} by Alice, with the settings of then: stop above 40% (now 70%)." in page
    assert "Settings differ from the guidance defaults: stop above 70% (default 40%)" in page
    # The summary is the frozen review's: web stopped at 40% (computed at 70% it would not be).
    assert "needs attention: web (" in page and "→ Stop" in page


def test_a_restore_refuses_a_backup_whose_frozen_review_cannot_be_read_back(unhappy, tmp_path):
    con = unhappy
    frozen.close_week(con, WEEK_END, LOOSE, by="Alice")
    con.execute("""update week_closures set review = '{"en": {"sources": []}}'""")  # no week, no settings…
    crafted, db = _backup_of(con, tmp_path)
    with pytest.raises(UserError, match="closed week ending 2026-03-15 cannot be read back"):
        maintenance.restore(crafted, db)


def test_the_digest_of_a_closed_week_is_what_the_meeting_saw(unhappy, tmp_path, capsys):
    # `optout-cohorts digest` of the closed week after stop_above went from 40% to 70%: the frozen review
    # ("stop", 50% > 40%) with the closure notice and the defaults banner under the heading.
    from analytics import cli

    con = unhappy
    frozen.close_week(con, WEEK_END, LOOSE, by="Alice", now=CLOSED_AT)
    settings_store.save(con, LENIENT, by="Bob")
    db = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    assert cli.main(["digest", "--db", db, "--as-of", "2026-03-15"]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    moment = formats.moment_text(CLOSED_AT)
    assert lines[0].startswith("optout-cohorts weekly review, week 2026-W11")
    assert lines[2] == f"Closed on {moment} by Alice, with the settings of then: stop above 40% (now 70%)."
    # the banner speaks of today's settings, as on every page and in the HTML report
    assert lines[3].startswith("Settings differ from the guidance defaults: stop above 70% (default 40%)")
    assert "web: Stop" in text
