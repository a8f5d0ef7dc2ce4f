"""Deciding in one pass (issue 16): the meeting's rows saved in one transaction (all or none), a row for a source
already decided correcting its entry, the pending/decided status per source, the decision table's order, and the
Review page's table driven end to end."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import store
from analytics.errors import UserError
from analytics.report import review
from analytics.settings import DEFAULTS
from analytics.store import decisions
from tests.apptest import table

WEEK = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 23, 9, 30)
Row = decisions.Row


def _many(con, rows, **changes):
    return decisions.record_many(
        con, rows, **{"week_end": WEEK, "decided_by": "Anne M.", "now": NOW, **changes}
    )


# --- record_many ------------------------------------------------------------------------------------------


def test_the_rows_are_saved_together_and_chained(con):
    saved = _many(
        con,
        [
            Row("contest", "reduce", "follow"),
            Row("in_store", "hold", "override", action="reduce", note="  Black Friday  "),
        ],
    )
    assert [(d.decision_id, d.collection_source, d.action, d.note, d.corrects) for d in saved] == [
        (1, "contest", "reduce", "", None),
        (2, "in_store", "reduce", "Black Friday", None),  # the note stripped, as record does
    ]
    assert decisions.entries(con) == saved
    assert decisions.verify(con) == []  # both entries in the hash chain


def test_one_bad_row_writes_nothing_and_the_error_names_its_source(con):
    with pytest.raises(UserError, match=r"^in_store: The chosen action is the recommended one"):
        _many(
            con,
            [
                Row("contest", "reduce", "follow"),  # fine on its own
                Row("in_store", "hold", "override", action="hold"),  # an override to the recommended action
            ],
        )
    assert decisions.entries(con) == []
    with pytest.raises(UserError, match=r"^call_center: An override needs the action"):
        _many(con, [Row("contest", "reduce", "follow"), Row("call_center", "stop", "override")])
    with pytest.raises(UserError, match="Say who decided"):
        _many(con, [Row("contest", "reduce", "follow")], decided_by="  ")
    with pytest.raises(UserError, match=r"^contest: the source appears twice"):
        _many(con, [Row("contest", "reduce", "follow"), Row("contest", "reduce", "postpone")])
    assert decisions.entries(con) == []


def test_a_failure_inside_the_transaction_rolls_back_the_rows_already_written(con, monkeypatch):
    real_append = decisions._append
    calls = []

    def append_then_fail(con_, key, fields):
        calls.append(fields["collection_source"])
        if len(calls) == 2:
            raise UserError("disk full")
        return real_append(con_, key, fields)

    monkeypatch.setattr(decisions, "_append", append_then_fail)
    with pytest.raises(UserError, match=r"^in_store: disk full"):
        _many(con, [Row("contest", "reduce", "follow"), Row("in_store", "hold", "follow")])
    assert calls == ["contest", "in_store"]
    assert decisions.entries(con) == []  # contest's entry, written first, was rolled back


def test_a_row_for_a_decided_source_corrects_the_entry_in_force(con):
    first = decisions.record(
        con,
        week_end=WEEK,
        collection_source="contest",
        recommended_action="reduce",
        decision="follow",
        decided_by="Bob",
        now=NOW,
    )
    other_week = _many(con, [Row("contest", "reduce", "postpone")], week_end=dt.date(2026, 11, 15))[0]
    (second,) = _many(con, [Row("contest", "reduce", "override", action="stop")])
    assert second.corrects == first.decision_id  # the same week's entry, not the other week's
    (third,) = _many(con, [Row("contest", "reduce", "postpone")])
    assert third.corrects == second.decision_id  # the entry in force by then
    in_force = decisions.current(decisions.entries(con))
    assert [d.decision_id for d in in_force] == [other_week.decision_id, third.decision_id]
    assert decisions.verify(con) == []


def test_the_moment_is_stored_as_naive_utc(con):
    paris = dt.timezone(dt.timedelta(hours=1))
    (entry,) = _many(
        con, [Row("contest", "reduce", "follow")], now=dt.datetime(2026, 11, 23, 9, 0, 7, 5, paris)
    )
    assert entry.decided_at == dt.datetime(2026, 11, 23, 8, 0, 7)  # 09:00:07 in Paris (UTC+1) is 08:00:07 UTC
    assert decisions.entries(con)[0].decided_at == dt.datetime(2026, 11, 23, 8, 0, 7)


# --- status_by_source -----------------------------------------------------------------------------------


def test_status_by_source_pending_postponed_and_decided(con):
    _many(con, [Row("contest", "reduce", "follow"), Row("call_center", "editorial_only", "postpone")])
    _many(con, [Row("in_store", "hold", "follow")], week_end=dt.date(2026, 11, 15))  # another week
    _many(con, [Row("contest", "reduce", "override", action="stop")])  # corrects contest's entry #1
    status = decisions.status_by_source(decisions.entries(con), WEEK, ["contest", "call_center", "in_store"])
    assert list(status) == ["contest", "call_center", "in_store"]
    assert [status[s].pending for s in status] == [False, True, True]  # a postponement is still pending
    assert status["contest"].entry.decision_id == 4  # the correction, in force
    assert status["in_store"].entry is None  # its decision answers another week
    assert [status[s].text for s in status] == [
        "decided: override: Stop instead of Reduce",
        "pending: postponed (Editorial only recommended)",
        "pending",
    ]


# --- the decision table's order -------------------------------------------------------------------------

REVIEW_WEEK = dt.date(2026, 3, 15)  # a Sunday: the week 2026-03-09 … 2026-03-15
LOOSE = DEFAULTS.replace(min_delivered=1, min_reactions=1)


@pytest.fixture
def three_sources(data):
    """One campaign on 2026-03-10 to four clients of each of three sources (orders 2024-06-01, informed):
    web:  w1, w2 click, w3, w4 unsubscribe → dissatisfaction 2 / (2 + 2) = 50% > 40% → stop (needs attention)
    shop: the same → 50% → stop (needs attention)
    fair: f1-f4 open and click → 0 / (4 + 0) = 0% (no action that needs attention, no complaint warning)
    """
    for source, prefix in (("web", "w"), ("shop", "s"), ("fair", "f")):
        for i in range(1, 5):
            data.contact(f"{prefix}{i}", source=source, collected_at="2024-01-01").order(
                f"{prefix}{i}", "2024-06-01"
            )
    data.campaign("B", "2026-03-10T09:00:00")
    for prefix in ("w", "s"):
        for i in (1, 2):
            data.send("B", f"{prefix}{i}", "2026-03-10T09:00:00", opens=1, clicks=1)
        for i in (3, 4):
            data.send("B", f"{prefix}{i}", "2026-03-10T09:00:00", opens=1, unsubscribe=True)
    for i in range(1, 5):
        data.send("B", f"f{i}", "2026-03-10T09:00:00", opens=1, clicks=1)
    return data.load()


def test_pending_sources_needing_attention_come_first_then_other_pending_then_decided(three_sources):
    result = review.build_review(three_sources, REVIEW_WEEK, LOOSE)
    by_name = {s.collection_source: s for s in result.sources}
    assert (by_name["web"].action, by_name["shop"].action) == ("stop", "stop")
    assert [s.needs_attention for s in (by_name["web"], by_name["shop"], by_name["fair"])] == [
        True,
        True,
        False,
    ]
    # nothing decided yet: the two sources that need attention (by name), then fair
    assert [s.collection_source for s, _ in review.agenda(result.sources, [], REVIEW_WEEK)] == [
        "shop",
        "web",
        "fair",
    ]
    # shop decided: web (attention, pending), fair (pending), shop (decided)
    decisions.record_many(
        three_sources, [Row("shop", "stop", "follow")], week_end=REVIEW_WEEK, decided_by="Anne M."
    )
    log = decisions.entries(three_sources)
    order = review.agenda(result.sources, log, REVIEW_WEEK)
    assert [(s.collection_source, status.pending) for s, status in order] == [
        ("web", True),
        ("fair", True),
        ("shop", False),
    ]


# --- the Review page ------------------------------------------------------------------------------------


def _key(field: str, source: str) -> str:
    return f"decide:{WEEK.isoformat()}:{field}:{source}"


def _pending_line(app) -> str:
    return " ".join(w.value for w in app.warning).replace("\\", "")


def test_two_rows_decided_and_saved_once(own_demo, open_app):
    app = open_app(own_demo, "review")
    assert app.selectbox(key="review_week").value == WEEK
    # The demo's week to 2026-11-22: partner_coreg stops, call_center goes editorial only, contest reduces
    # (the three actions that need attention), partner_coreg the most severe: the table's first rows.
    sources = [s.key.rsplit(":", 1)[1] for s in app.selectbox if s.key.startswith(f"decide:{WEEK}:kind:")]
    assert sources[:3] == ["partner_coreg", "call_center", "contest"]
    assert "Still pending among the sources that need attention: partner_coreg, call_center, contest." in (
        _pending_line(app)
    )
    app.text_input(key="reviewer_name").set_value("Anne M.")
    app.selectbox(key=_key("kind", "partner_coreg")).set_value("override")
    app.selectbox(key=_key("action", "partner_coreg")).set_value("editorial_only")
    app.text_input(key=_key("note", "partner_coreg")).set_value("partner asked for a last chance")
    app.selectbox(key=_key("kind", "contest")).set_value("follow")
    app.button(key="save_decisions").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    log = table(app, -1)  # newest first
    assert list(zip(log["#"], log["Source"], log["Decision"], log["Decided by"], strict=True)) == [
        (2, "contest", "follow: Reduce", "Anne M."),
        (1, "partner_coreg", "override: Editorial only instead of Stop", "Anne M."),
    ]
    # one save, one transaction: both entries carry the same moment
    assert log["Recorded (Europe/Paris)"].nunique() == 1
    # the name stays for the session; the saved rows are emptied; the pending line is updated
    assert app.text_input(key="reviewer_name").value == "Anne M."
    assert app.selectbox(key=_key("kind", "contest")).value is None
    assert "Still pending among the sources that need attention: call_center." in _pending_line(app)
    # the decided sources now come last, with their status
    sources = [s.key.rsplit(":", 1)[1] for s in app.selectbox if s.key.startswith(f"decide:{WEEK}:kind:")]
    assert sources[0] == "call_center" and sources[-2:] == ["contest", "partner_coreg"]
    shown = " ".join(m.value for m in app.markdown).replace("\\", "")
    assert "decided: follow: Reduce" in shown
    # a second pass on contest corrects its entry: no "Corrects entry" to choose any more
    app.selectbox(key=_key("kind", "contest")).set_value("postpone")
    app.button(key="save_decisions").click().run()
    log = table(app, -1)
    assert list(log.loc[0, ["#", "Source", "Corrects", "In force"]]) == [3, "contest", "#2", True]
    assert app.text_input(key="reviewer_name").value == "Anne M."
    # contest postponed: pending again
    assert "Still pending among the sources that need attention: call_center, contest." in _pending_line(app)


def test_a_refused_row_saves_nothing_and_keeps_what_was_typed(own_demo, open_app):
    app = open_app(own_demo, "review")
    app.text_input(key="reviewer_name").set_value("Anne M.")
    app.selectbox(key=_key("kind", "contest")).set_value("follow")
    app.selectbox(key=_key("kind", "partner_coreg")).set_value("override")  # no action chosen instead
    app.button(key="save_decisions").click().run()
    assert "partner_coreg: An override needs the action" in app.error[0].value.replace("\\", "")
    assert "No decision recorded for this week yet." in [c.value for c in app.caption]
    assert app.selectbox(key=_key("kind", "contest")).value == "follow"  # kept, to be mended
    con = store.connect(own_demo)
    assert decisions.entries(con) == []
    con.close()
