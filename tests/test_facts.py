"""The fact tables (analytics/store/facts.py) and the one-pass load of clean files: both are speed-ups, so every
test here checks that a figure stays what the rules of SPEC §5 and §7 say, whichever way it is computed."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import ingest, store
from analytics.errors import InvalidFile
from analytics.ingest import files as csv_files
from analytics.ingest import mapping, preparation
from analytics.store import facts
from tests.builders import DataBuilder, build_report, send_bases

LATE = "2028-12-31"


def _retention_fixture(data: DataBuilder):
    # c1 collected on 2020-02-29 and never bought nor clicked: last contact 2020-02-29.
    #   k1 on 2023-02-28: 2020-02-29 + 3 years = 2023-02-28 (no 29 February in 2023), not after it → lawful with
    #     3 years, expired with 2 (2022-02-28 < 2023-02-28). Smallest retention that keeps it lawful: 3.
    #   k2 on 2023-03-01: after 2023-02-28 → expired with 3 years, lawful with 4 (2024-02-29). Smallest: 4.
    # c2 collected 2020-06-10, clicked k0 on 2022-06-10 (last contact at k3's date: 2022-06-10):
    #   k3 on 2023-06-11: 2022-06-10 + 1 year = 2023-06-10 < 2023-06-11 → expired with 1 year, lawful with 2.
    # Consent opt_in, so a lawful send is opt_in and an unlawful one expired.
    return (
        data.contact("c1", consent="opt_in", collected_at="2020-02-29")
        .contact("c2", consent="opt_in", collected_at="2020-06-10")
        .campaign("k0", "2022-06-10T09:00:00")
        .campaign("k1", "2023-02-28T09:00:00")
        .campaign("k2", "2023-03-01T09:00:00")
        .campaign("k3", "2023-06-11T09:00:00")
        .send("k0", "c2", "2022-06-10T09:00:00", clicks=1)
        .send("k1", "c1", "2023-02-28T09:00:00")
        .send("k2", "c1", "2023-03-01T09:00:00")
        .send("k3", "c2", "2023-06-11T09:00:00")
        .load()
    )


def test_the_stored_retention_threshold_gives_the_calendar_rule_for_every_retention(data):
    con = _retention_fixture(data)
    stored = dict(
        ((k, c), y)
        for k, c, y in con.execute(
            "select campaign_id, contact_id, expired_below_years from send_facts"
        ).fetchall()
    )
    assert stored == {("k0", "c2"): 0, ("k1", "c1"): 3, ("k2", "c1"): 4, ("k3", "c2"): 2}
    expected = {
        1: {"k1": "expired", "k2": "expired", "k3": "expired"},
        2: {"k1": "expired", "k2": "expired", "k3": "opt_in"},
        3: {"k1": "opt_in", "k2": "expired", "k3": "opt_in"},
        4: {"k1": "opt_in", "k2": "opt_in", "k3": "opt_in"},
    }
    for years, bases in expected.items():
        found = {k: b for (k, _), b in send_bases(con, LATE, retention_years=years).items() if k != "k0"}
        assert found == bases, years


def test_a_registry_edit_changes_the_basis_without_a_rebuild(data):
    # c1 bought before k1 with "informed" empty: the registry's notice decides soft_opt_in (shown, or unknown)
    # or not_informed (not shown). The facts store "buyer"; the registry is read at query time.
    con = (
        data.contact("c1", source="kiosk", collected_at="2025-01-10")
        .order("c1", "2025-01-10")
        .source("kiosk", notice_shown="true")
        .campaign("k1", "2025-03-01T09:00:00")
        .send("k1", "c1", "2025-03-01T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {("k1", "c1"): "soft_opt_in"}
    built = con.execute("select built_after_change from facts_state").fetchone()
    con.execute("update sources set notice_shown = 'false'")
    assert send_bases(con, LATE) == {("k1", "c1"): "not_informed"}
    assert con.execute("select built_after_change from facts_state").fetchone() == built


def test_every_load_rebuilds_the_facts_in_its_own_transaction(data):
    con = (
        data.contact("c1", collected_at="2025-01-10")
        .order("c1", "2025-01-10")
        .campaign("k1", "2025-03-01T09:00:00")
        .send("k1", "c1", "2025-03-01T09:00:00", clicks=1)
        .load()
    )
    last_change = con.execute("select max(change_id) from change_log").fetchone()[0]
    assert con.execute("select built_after_change from facts_state").fetchone()[0] == last_change
    assert con.execute("select count(*) from send_facts").fetchone()[0] == 1
    # A second campaign loaded later is in the facts at once, and the report counts it: 2 delivered sends.
    more = DataBuilder(data.folder / "more")
    more.folder.mkdir()
    more.campaign("k2", "2025-03-08T09:00:00").send("k2", "c1", "2025-03-08T09:00:00")
    ingest.ingest_files(con, more.write())
    assert con.execute("select count(*) from send_facts").fetchone()[0] == 2
    cohort = build_report(con, "2025-03-08")["cohorts"][0]
    assert cohort["metrics"]["delivered"] == 2 and cohort["metrics"]["clickers"] == 1


def test_facts_left_stale_by_another_writer_are_rebuilt_on_open(data):
    # A file whose data changed after its facts were built (an older version of the product, an edit by hand):
    # here the facts are emptied and a load is logged after them. ensure() — run by every connect — rebuilds.
    con = (
        data.contact("c1", collected_at="2025-01-10")
        .order("c1", "2025-01-10")
        .campaign("k1", "2025-03-01T09:00:00")
        .send("k1", "c1", "2025-03-01T09:00:00")
        .load()
    )
    before = build_report(con, "2025-03-31")
    con.execute("delete from send_facts")
    con.execute("insert into change_log (kind, detail, changed_at) values ('ingest', 'by hand', now())")
    assert facts.stale(con)
    facts.ensure(con)
    assert not facts.stale(con)
    assert build_report(con, "2025-03-31") == before


def test_a_file_from_before_the_fact_tables_gets_them_on_open(tmp_path):
    # Migration 006 creates the tables empty, with no facts_state row: a file that holds data gets them built.
    con = store.connect(tmp_path / "old.duckdb")
    con.execute("insert into contacts values ('c1', 'web', 'none', date '2025-01-10', null, null, null)")
    con.execute("delete from facts_state")
    assert facts.stale(con)
    facts.ensure(con)
    assert con.execute("select count(*) from contact_facts").fetchone()[0] == 1


def test_a_purge_rebuilds_the_facts(data):
    # c1 collected 2020-01-10, nothing since: expired after 2023-01-10; purged as of 2024-06-01 with its sends.
    con = (
        data.contact("c1", collected_at="2020-01-10")
        .contact("c2", collected_at="2024-01-10")
        .campaign("k1", "2024-02-01T09:00:00")
        .send("k1", "c1", "2024-02-01T09:00:00")
        .send("k1", "c2", "2024-02-01T09:00:00")
        .load()
    )
    from analytics.store import maintenance

    maintenance.purge_expired(con, dt.date(2024, 6, 1), 3)
    assert con.execute("select contact_id from send_facts").fetchall() == [("c2",)]
    assert con.execute("select contact_id from contact_facts").fetchall() == [("c2",)]


CLEAN_EVENTS = (
    "campaign_id,contact_id,event_type,occurred_at,is_machine_open\n"
    "k1,c1,sent,2025-03-01T09:00:00,\n"
    "k1,c1,open,2025-03-01 10:00:00+02:00,yes\n"  # zone dropped (wall clock kept); 'yes' is true
    "k1,c1,Click,1740823200,\n"  # Unix seconds; event types compared without case
    "\n"
    ",,,,\n"  # a blank row: left out
    "k1,c1,sent,2025-03-01T09:00:00,\n"  # a duplicate: loaded once
)


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        (CLEAN_EVENTS, True),
        (CLEAN_EVENTS + "k1,c1,bounce,not a date,\n", False),  # a bad row: the detailed way names it
        (CLEAN_EVENTS + "k1,c1,bounce,03/04/2025,\n", False),  # day/month order to decide
    ],
)
def test_a_clean_file_loads_in_one_pass_exactly_as_the_detailed_way(tmp_path, text, fast):
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    con = store.connect(tmp_path / "t.duckdb", readable=[tmp_path])
    file = csv_files.read(path, "events.csv", tmp_path)
    m = mapping.resolve(file, mapping.all_presets(con))
    assert preparation._fast_path_fits(m)
    rows = preparation._stage_clean(con, file, m, "fast")
    assert (rows is not None) == fast
    if not fast:
        assert (
            con.execute("select count(*) from duckdb_tables() where table_name = 'fast_typed'").fetchone()[0]
            == 0
        )
        return
    detailed = ingest.prepare(con, file, ingest.Options(), "slow", detailed=True)
    assert detailed.problems == [] and rows == detailed.rows == 4
    columns = "campaign_id, contact_id, event_type, occurred_at, is_machine_open"
    one_pass = con.execute(f"select {columns} from fast_typed order by all").fetchall()
    assert one_pass == con.execute(f"select {columns} from slow_typed order by all").fetchall()
    assert one_pass[0] == ("k1", "c1", "click", dt.datetime(2025, 3, 1, 10, 0), None)
    assert one_pass[1] == ("k1", "c1", "open", dt.datetime(2025, 3, 1, 10, 0), True)


def test_a_file_with_a_bad_row_still_names_its_row_and_column(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(CLEAN_EVENTS + "k1,c1,bounce,not a date,\n", encoding="utf-8")
    con = store.connect(tmp_path / "t.duckdb", readable=[tmp_path])
    with pytest.raises(InvalidFile) as raised:
        ingest.ingest_files(con, [path])
    # Row 8: the header is row 1, then 6 lines before it (the empty line and the blank row count too).
    assert "occurred_at" in str(raised.value) and "row 8 ('not a date')" in str(raised.value)
    assert con.execute("select count(*) from events").fetchone()[0] == 0
