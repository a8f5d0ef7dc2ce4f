"""The decision log: what each decision stores, the checks on input, and that the log only grows — a
correction is a new entry, and an edit made in place outside the product is detected."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import stat
from dataclasses import asdict
from pathlib import Path

import pytest

from analytics import ingest, store
from analytics.errors import UserError
from analytics.store import decisions

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


# --- the keyed chain ------------------------------------------------------------------------------------


def _plain_hash(previous: str, entry: decisions.Decision) -> str:
    """The hash the log used before it had a key (and that anyone can recompute): SHA-256, no secret."""
    fields = {k: v for k, v in asdict(entry).items() if k != "entry_hash"}
    payload = json.dumps(
        {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in fields.items()},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(f"{previous}\n{payload}".encode()).hexdigest()


def _recompute_plain_chain(con) -> None:
    """What an editor without the key can do after an edit: recompute every hash the way the product did."""
    previous = "0" * 64
    for entry in decisions.entries(con):
        previous = _plain_hash(previous, entry)
        con.execute(
            "update decision_log set entry_hash = $h where decision_id = $id",
            {"h": previous, "id": entry.decision_id},
        )


def _database(con) -> Path:
    return Path(
        con.execute(
            "select path from duckdb_databases() where database_name = current_database()"
        ).fetchone()[0]
    )


def test_an_edit_is_detected_even_with_every_hash_recomputed(con):
    for source in ("contest", "in_store", "web_checkout"):
        _record(con, collection_source=source)
    con.execute("update decision_log set note = 'we always followed' where decision_id = 2")
    _recompute_plain_chain(con)
    problems = decisions.verify(con)
    assert [p.split(" (")[0] for p in problems] == ["Entry #1", "Entry #2", "Entry #3"]


def test_reordered_entries_are_detected(con):
    for source in ("contest", "in_store"):
        _record(con, collection_source=source)
    con.execute("update decision_log set decision_id = 3 - decision_id")
    assert decisions.verify(con)


def test_the_removal_of_the_latest_entry_is_not_detected_as_documented(con):
    for source in ("contest", "in_store"):
        _record(con, collection_source=source)
    con.execute("delete from decision_log where decision_id = 2")
    assert decisions.verify(con) == []  # nothing later is chained to it: the module's docstring says so


def test_the_key_is_kept_beside_the_database_readable_by_its_owner_only(con):
    database = _database(con)
    key_file = decisions.key_path(database)
    assert not key_file.exists()  # created with the first entry
    _record(con)
    assert key_file.name == database.name + ".decisions.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    con.execute("checkpoint")
    assert key.encode() not in database.read_bytes() and bytes.fromhex(key) not in database.read_bytes()
    assert [p.name for p in database.parent.iterdir() if p.name.endswith(".partial")] == []


def test_without_its_key_file_the_log_does_not_verify_and_says_where_the_key_belongs(con):
    _record(con)
    key_file = decisions.key_path(_database(con))
    key_file.rename(key_file.with_name("elsewhere"))
    problems = decisions.verify(con)
    assert problems[0].startswith("Entry #1")
    assert str(key_file) in problems[-1] and "put its key file beside it" in problems[-1]


def _legacy_entries(con, sources) -> None:
    """Entries as the product wrote them before the log had a key: a plain SHA-256 chain, no key file."""
    previous = "0" * 64
    for number, source in enumerate(sources, start=1):
        entry = decisions.Decision(
            number, NOW, WEEK, source, "reduce", "follow", "reduce", "", "Anne M.", None, ""
        )
        previous = _plain_hash(previous, entry)
        con.execute(
            "insert into decision_log values ($id, $at, $week, $source, 'reduce', 'follow', 'reduce', '', "
            "'Anne M.', null, $hash)",
            {"id": number, "at": NOW, "week": WEEK, "source": source, "hash": previous},
        )
        con.execute("select nextval('decision_log_id')")


def test_entries_written_before_the_key_are_sealed_with_it_at_the_first_new_entry(con):
    _legacy_entries(con, ["contest", "in_store"])
    assert decisions.verify(con) == []  # checked by their plain chain while the log has no key
    _record(con, collection_source="web_checkout")
    assert decisions.key_path(_database(con)).exists()
    assert decisions.verify(con) == []
    assert [d.note for d in decisions.entries(con)] == ["", "", ""]  # sealing changes no content
    # From now on, rewriting an old entry with recomputed plain hashes is detected.
    con.execute("update decision_log set decided_by = 'Paul' where decision_id = 1")
    _recompute_plain_chain(con)
    assert decisions.verify(con)


def test_a_broken_plain_chain_is_not_sealed_and_stays_reported(con):
    _legacy_entries(con, ["contest", "in_store"])
    con.execute("update decision_log set note = 'edited' where decision_id = 1")
    _record(con, collection_source="web_checkout")
    assert [p.split(" (")[0] for p in decisions.verify(con)][:1] == ["Entry #1"]
