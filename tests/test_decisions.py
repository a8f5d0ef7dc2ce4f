"""The decision log: what each decision stores, the checks on input, and that the log only grows — a
correction is a new entry, and an edit made in place outside the product is detected."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import decisions, ingest, store
from analytics.errors import UserError

WEEK = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 23, 9, 30)


def _record(con, **changes):
    entry = {
        "week_end": WEEK,
        "collection_source": "contest",
        "recommended_action": "reduce",
        "decision": "follow",
        "decided_by": "Anne M.",
        "now": NOW,
    }
    return decisions.record(con, **{**entry, **changes})


def test_follow_override_and_postpone_store_the_action_applied(con):
    followed = _record(con)
    overridden = _record(
        con,
        collection_source="in_store",
        recommended_action="hold",
        decision="override",
        action="reduce",
        note="Black Friday pressure",
    )
    postponed = _record(
        con,
        collection_source="call_center",
        recommended_action="editorial_only",
        decision="postpone",
        action="stop",
    )
    assert (followed.action, overridden.action, postponed.action) == ("reduce", "reduce", None)
    assert followed.summary == "follow: Reduce"
    assert overridden.summary == "override: Reduce instead of Hold"
    assert postponed.summary == "postponed (Editorial only recommended)"
    stored = decisions.entries(con)
    assert stored == [followed, overridden, postponed]
    assert stored[1].decided_at == NOW and stored[1].note == "Black Friday pressure"
    assert decisions.entries(con, dt.date(2026, 11, 15)) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"decision": "maybe"}, "Unknown decision"),
        ({"decision": "override"}, "needs the action the team chose"),
        ({"decision": "override", "action": "reduce"}, "is the recommended one"),
        ({"decided_by": "  "}, "Say who decided"),
        ({"note": "x" * (decisions.MAX_NOTE + 1)}, "keep it under"),
        ({"corrects": 99}, "a correction must answer the same source and week"),
    ],
)
def test_invalid_entries_are_refused_and_nothing_is_written(con, changes, message):
    with pytest.raises(UserError, match=message):
        _record(con, **changes)
    assert decisions.entries(con) == []


def test_a_correction_is_a_new_entry_and_the_original_stays(con):
    first = _record(con, decision="override", action="hold", note="typo: meant follow")
    second = _record(con, corrects=first.decision_id)
    log = decisions.entries(con)
    assert log == [first, second]  # the original is untouched
    assert decisions.current(log) == [second]
    with pytest.raises(UserError, match="same source and week"):
        _record(con, collection_source="in_store", recommended_action="hold", corrects=first.decision_id)


def test_the_log_offers_no_way_to_edit_or_delete():
    public = {name for name in vars(decisions) if not name.startswith("_")}
    assert not {n for n in public if n.startswith(("update", "edit", "delete", "remove", "replace"))}


def test_an_edit_in_place_breaks_the_chain_of_hashes(con):
    for source in ("contest", "in_store", "web_checkout"):
        _record(con, collection_source=source)
    assert decisions.verify(con) == []
    con.execute("update decision_log set note = 'we always followed' where decision_id = 2")
    problems = decisions.verify(con)
    assert len(problems) == 1 and problems[0].startswith("Entry #2 (in_store")


def test_a_removed_entry_breaks_the_chain(con):
    for source in ("contest", "in_store", "web_checkout"):
        _record(con, collection_source=source)
    con.execute("delete from decision_log where decision_id = 2")
    # entry 3 was chained to entry 2's hash, which is gone
    assert [p.split(" (")[0] for p in decisions.verify(con)] == ["Entry #3"]


def test_the_log_survives_a_reset_to_the_demo(con):
    entry = _record(con)
    ingest.ingest_files(
        con, sorted((store.PROJECT_ROOT / "data" / "demo").glob("*.csv.gz")), replace_all=True
    )
    assert decisions.entries(con) == [entry]
    assert decisions.version(con) == entry.decision_id
