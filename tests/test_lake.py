"""The lake of issue 17: `export-lake` writes a database's canonical tables as Parquet, `report --lake` reads them
back with the DuckDB engine, and the report is the database's own, byte for byte."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import shutil

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analytics import ingest, lake, store
from analytics.cli import main
from analytics.errors import UserError
from analytics.store import privacy
from analytics.tables import TABLES

CANONICAL = tuple(TABLES)


def _report(capsys, *source: str, as_of: str) -> str:
    assert main(["report", *source, "--as-of", as_of, "--format", "json"]) == 0
    return capsys.readouterr().out


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    columns = ", ".join(TABLES[table].column_names)
    return con.execute(f"select {columns} from {table} order by all").fetchall()


@pytest.fixture(scope="module")
def demo_lake(demo_file, tmp_path_factory):
    """The demo brand's database exported once as a lake (read-only use)."""
    out = tmp_path_factory.mktemp("demo_lake") / "lake"
    assert main(["export-lake", "--db", str(demo_file), "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("as_of", ["2026-06-30", "2026-11-22"])
def test_the_demo_lake_gives_the_databases_json_report_byte_for_byte(demo_file, demo_lake, capsys, as_of):
    from_db = _report(capsys, "--db", str(demo_file), as_of=as_of)
    from_lake = _report(capsys, "--lake", str(demo_lake), as_of=as_of)
    assert from_lake == from_db
    # Not an empty report equal to another empty one: the demo has sends in both windows.
    report = json.loads(from_lake)
    assert len(report["cohorts"]) == 10 and report["baseline"]["delivered"] > 0
    assert sum(c["metrics"]["delivered"] for c in report["cohorts"]) > 0


def test_export_lake_says_what_it_wrote(demo_file, tmp_path, capsys):
    assert main(["export-lake", "--db", str(demo_file), "--out", str(tmp_path / "lake")]) == 0
    printed = capsys.readouterr().out
    # The demo brand: 15,256 contacts, 382,529 events over February–November 2026 (10 months), 80 stats rows.
    assert "contacts: 15,256 rows" in printed and "events: 382,529 rows" in printed
    assert "campaign_stats: 80 rows" in printed and "oppositions: 0 rows" in printed
    assert "events in 10 monthly partitions" in printed


def _edge_cases(data):
    """29 February, 23:59:59, empty optional columns, campaign_stats rows and an opposition."""
    data.source("web", channel="web_form", notice_shown="true", evidence="form v2", reviewed_at="2024-02-29")
    data.source("shop")  # channel, notice, evidence and review date empty
    data.contact("leap", source="web", collected_at="2024-02-29", informed=True, loyalty_consent=False)
    data.contact("quiet", source="shop", collected_at="2023-12-31")  # informed, opted_out_at, loyalty empty
    data.contact(
        "gone", source="shop", consent="opt_in", collected_at="2024-01-15", opted_out_at="2024-03-02"
    )
    data.order("leap", "2024-02-29", amount=49.9, category="shoes").order("quiet", "2024-01-02")
    data.campaign("k1", "2024-02-29T23:59:59", name="Leap day").campaign("k2", "2024-03-01T00:00:00", None)
    data.send("k1", "leap", "2024-02-29T23:59:59", opens=1, machine_opens=1)
    data.send("k2", "quiet", "2024-03-01T00:00:00", unsubscribe=True)
    data.stats("s1", "2024-02-29T08:00:00", "shop", "soft_opt_in", 40, 10, 3, 1, 0, sent=42, bounces=2)
    data.stats("s2", "2024-03-04T08:00:00", "web", "opt_in", 7)  # sent, bounces, email_type empty
    data.rows["oppositions"].append({"contact_id": "gone", "opposed_at": "2024-02-29", "reason": "manual"})
    return data.load()


def test_the_edge_cases_survive_the_round_trip_row_for_row(data, tmp_path):
    con = _edge_cases(data)
    counts = lake.export(con, tmp_path / "lake")
    # 2 sources, 3 contacts, 2 orders, 2 campaigns, 2 stats rows, 1 opposition; events: k1 sent, delivered, a
    # human and a machine open (4) + k2 sent, delivered, unsubscribe (3) = 7.
    assert counts == {
        "sources": 2,
        "contacts": 3,
        "orders": 2,
        "campaigns": 2,
        "campaign_stats": 2,
        "events": 7,
        "oppositions": 1,
    }
    with lake.opened(tmp_path / "lake") as back:
        for table in CANONICAL:
            assert _rows(back, table) == _rows(con, table), table
        leap = back.execute(
            "select collected_at, informed, opted_out_at from contacts where contact_id = 'leap'"
        )
        assert leap.fetchone() == (dt.date(2024, 2, 29), True, None)
        last_second = back.execute("select max(occurred_at) from events where campaign_id = 'k1'").fetchone()[
            0
        ]
        assert last_second == dt.datetime(2024, 2, 29, 23, 59, 59)
        assert back.execute(
            "select sent, bounces, email_type from campaign_stats where campaign_id = 's2'"
        ).fetchone() == (
            None,
            None,
            None,
        )
        assert back.execute("select * from oppositions").fetchall() == [
            ("gone", dt.date(2024, 2, 29), "manual")
        ]
    con.close()


def test_events_land_in_one_partition_per_month_of_occurrence(data, tmp_path):
    con = _edge_cases(data)
    lake.export(con, tmp_path / "lake")
    con.close()
    # k1's 4 events on 2024-02-29 23:59:59 (February); k2's 3 events at 2024-03-01 00:00:00 (March).
    assert lake.partitions(tmp_path / "lake") == ["occurred_month=2024-02", "occurred_month=2024-03"]
    for month, rows in (("2024-02", 4), ("2024-03", 3)):
        [file] = (tmp_path / "lake" / "events" / f"occurred_month={month}").glob("*.parquet")
        table = pq.read_table(file)
        assert table.num_rows == rows
        assert {value.strftime("%Y-%m") for value in table.column("occurred_at").to_pylist()} == {month}
        # The partition is the folder's name only, never a column of the files.
        assert "occurred_month" not in table.column_names
    # The other tables are one file each.
    for table in ("contacts", "orders", "campaigns", "campaign_stats", "sources", "oppositions"):
        assert [p.name for p in (tmp_path / "lake" / table).iterdir()] == ["data_0.parquet"]


def test_the_parquet_types_are_those_of_the_layout(data, tmp_path):
    con = _edge_cases(data)
    lake.export(con, tmp_path / "lake")
    con.close()
    arrow = {
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us"),
        "BOOLEAN": pa.bool_(),
        "BIGINT": pa.int64(),
        "DOUBLE": pa.float64(),
        "VARCHAR": pa.string(),
    }
    for name, lake_table in lake.LAYOUT.items():
        file = next((tmp_path / "lake" / name).rglob("*.parquet"))
        schema = pq.read_schema(file)
        assert schema.names == list(TABLES[name].column_names), name
        assert {f.name: f.type for f in schema} == {
            c: arrow[t] for c, t in lake_table.parquet_types().items()
        }
    # Stated by hand for the columns Spark reads by meaning: a date, a wall-clock timestamp, a flag, a count.
    contacts = pq.read_schema(tmp_path / "lake" / "contacts" / "data_0.parquet")
    assert (
        contacts.field("collected_at").type == pa.date32() and contacts.field("informed").type == pa.bool_()
    )
    stats = pq.read_schema(tmp_path / "lake" / "campaign_stats" / "data_0.parquet")
    assert stats.field("delivered").type == pa.int64() and stats.field("sent_at").type == pa.timestamp("us")
    events = next((tmp_path / "lake" / "events").rglob("*.parquet"))
    assert pq.read_schema(events).field("occurred_at").type == pa.timestamp("us")  # no zone: wall-clock time
    assert pq.read_schema(events).field("is_machine_open").type == pa.bool_()


def test_a_table_may_be_one_parquet_file_and_the_optional_ones_may_be_missing(data, tmp_path):
    con = _edge_cases(data)
    lake.export(con, tmp_path / "lake")
    shutil.move(tmp_path / "lake" / "contacts" / "data_0.parquet", tmp_path / "lake" / "contacts.parquet")
    (tmp_path / "lake" / "contacts").rmdir()
    for optional in ("sources", "campaign_stats", "oppositions"):
        shutil.rmtree(tmp_path / "lake" / optional)
    with lake.opened(tmp_path / "lake") as back:
        assert _rows(back, "contacts") == _rows(con, "contacts")
        assert _rows(back, "events") == _rows(con, "events")
        assert back.execute("select count(*) from campaign_stats").fetchone()[0] == 0
    con.close()


def test_a_lake_written_by_another_tool_is_read_by_meaning(tmp_path):
    """pyarrow's usual types: nanosecond and zoned timestamps, 32-bit counts, a column left empty everywhere
    (null type), an absent optional column; read as the canonical types."""
    folder = tmp_path / "lake"
    folder.mkdir()
    tables = {
        "contacts": {
            "contact_id": pa.array(["a"]),
            "collection_source": pa.array(["web"]),
            "consent": pa.array(["none"]),
            "collected_at": pa.array([dt.date(2024, 2, 29)]),
            "informed": pa.array([None], pa.null()),
        },
        "orders": {"contact_id": pa.array(["a"]), "order_date": pa.array([dt.date(2024, 3, 1)])},
        "campaigns": {
            "campaign_id": pa.array(["k"]),
            # A zoned timestamp (Spark's TIMESTAMP, isAdjustedToUTC=true): 09:00 UTC is 10:00 in Paris; read as
            # its UTC wall-clock time, 09:00.
            "sent_at": pa.array(
                [dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC)], pa.timestamp("us", tz="Europe/Paris")
            ),
        },
        "events": {
            "campaign_id": pa.array(["k"]),
            "contact_id": pa.array(["a"]),
            "event_type": pa.array(["sent"]),
            "occurred_at": pa.array([dt.datetime(2024, 3, 1, 23, 59, 59)], pa.timestamp("ns")),
        },
        "campaign_stats": {
            "campaign_id": pa.array(["s"]),
            "sent_at": pa.array([dt.datetime(2024, 3, 1, 9)], pa.timestamp("ms")),
            "collection_source": pa.array(["web"]),
            "basis": pa.array(["opt_in"]),
            **{
                count: pa.array([3], pa.int32())
                for count in ("delivered", "openers", "clickers", "unsubscribers", "complainers")
            },
        },
    }
    for name, columns in tables.items():
        pq.write_table(pa.table(columns), folder / f"{name}.parquet")
    with lake.opened(folder) as back:
        assert back.execute("select informed, opted_out_at from contacts").fetchall() == [(None, None)]
        assert back.execute("select occurred_at, is_machine_open from events").fetchall() == [
            (dt.datetime(2024, 3, 1, 23, 59, 59), None)
        ]
        assert back.execute("select delivered, sent from campaign_stats").fetchall() == [(3, None)]
        assert back.execute("select sent_at from campaigns").fetchall() == [(dt.datetime(2024, 3, 1, 9),)]


def test_a_lake_without_events_is_refused_with_the_fix(demo_lake, tmp_path, capsys):
    broken = tmp_path / "lake"
    shutil.copytree(demo_lake, broken)
    shutil.rmtree(broken / "events")
    assert main(["report", "--lake", str(broken), "--as-of", "2026-06-30"]) == 2
    error = capsys.readouterr().err
    assert "has no table events" in error
    assert "a folder events/ of Parquet files or a file events.parquet" in error
    assert "campaign_id, contact_id, event_type, occurred_at" in error and "Fix:" in error


def _rewrite_events(folder, select: str) -> None:
    """Replace the events of a lake with one file events.parquet of the same rows, changed by select."""
    files = [str(p) for p in sorted((folder / "events").rglob("*.parquet"))]
    plain = duckdb.connect()
    plain.execute(
        f"create table events as select {select} from read_parquet($files, hive_partitioning = false)",
        {"files": files},
    )
    shutil.rmtree(folder / "events")
    plain.execute(f"copy events to '{folder / 'events.parquet'}'")
    plain.close()


def test_occurred_at_as_text_is_refused_naming_table_column_and_type(data, tmp_path, capsys):
    con = _edge_cases(data)
    lake.export(con, tmp_path / "lake")
    con.close()
    _rewrite_events(tmp_path / "lake", "* replace (cast(occurred_at as varchar) as occurred_at)")
    assert main(["report", "--lake", str(tmp_path / "lake"), "--as-of", "2024-03-10"]) == 2
    error = capsys.readouterr().err
    assert "table events, column occurred_at has type VARCHAR; expected TIMESTAMP." in error
    assert "Fix: write the column occurred_at as TIMESTAMP in every file of events" in error


def test_a_missing_required_column_an_empty_value_or_an_unknown_code_is_refused(data, tmp_path):
    con = _edge_cases(data)
    lake.export(con, tmp_path / "lake")
    con.close()
    cases = {
        "* exclude (event_type)": "column event_type is missing; expected a string",
        "* replace (case when event_type = 'open' then null else contact_id end as contact_id)": (
            "column contact_id is empty on some rows"
        ),
        "* replace (case when event_type = 'open' then 'opened' else event_type end as event_type)": (
            "column event_type holds values outside sent, delivered, open, click, unsubscribe, complaint, bounce "
            "(2 rows)"  # the human and the machine open of k1
        ),
    }
    for select, message in cases.items():
        case = tmp_path / f"case{len(message)}"
        shutil.copytree(tmp_path / "lake", case)
        _rewrite_events(case, select)
        with pytest.raises(UserError, match="table events") as refused, lake.opened(case):
            pass
        assert message in str(refused.value)


def test_export_refuses_a_folder_that_is_not_empty(data, tmp_path):
    con = _edge_cases(data)
    target = tmp_path / "lake"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="already exists and is not an empty folder"):
        lake.export(con, target)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    # An empty folder is fine.
    (target / "notes.txt").unlink()
    assert lake.export(con, target)["contacts"] == 3
    con.close()


def test_a_failed_export_leaves_no_folder_behind(data, tmp_path, monkeypatch):
    con = _edge_cases(data)
    written = []
    original = lake._write_table

    def fail_at_the_third_table(con, lake_table, folder):
        if len(written) == 2:
            raise OSError("simulated failure mid-way")
        written.append(lake_table.name)
        return original(con, lake_table, folder)

    monkeypatch.setattr(lake, "_write_table", fail_at_the_third_table)
    with pytest.raises(OSError, match="simulated"):
        lake.export(con, tmp_path / "lake")
    assert written == ["sources", "contacts"]  # two tables were written before the failure…
    leftovers = sorted(p.name for p in tmp_path.iterdir() if "lake" in p.name)
    assert leftovers == []  # …and neither the lake nor its hidden partial folder is left
    con.close()


def test_report_takes_a_database_or_a_lake_not_both(demo_file, demo_lake, capsys):
    with pytest.raises(SystemExit) as ended:
        main(["report", "--db", str(demo_file), "--lake", str(demo_lake)])
    assert ended.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_pseudonymised_database_exports_its_pseudonyms_as_stored(data, tmp_path, monkeypatch):
    key = "correct horse battery staple 42"
    monkeypatch.setenv(privacy.ENV_KEY, key)
    con = store.connect(tmp_path / "private.duckdb")
    privacy.enable(con, key.encode())
    data.contact("Anne.Martin@Brand.fr").campaign("k1", "2025-03-03T09:00:00")
    data.send("k1", "Anne.Martin@Brand.fr", "2025-03-03T09:00:00")
    ingest.ingest_files(con, data.write())
    lake.export(con, tmp_path / "lake")
    con.close()
    # HMAC-SHA-256 of the lower-cased address, computed with Python's hmac.
    expected = "hmac:" + hmac.new(key.encode(), b"anne.martin@brand.fr", hashlib.sha256).hexdigest()
    ids = set()
    for table in ("contacts", "events"):
        for file in (tmp_path / "lake" / table).rglob("*.parquet"):
            ids |= set(pq.read_table(file).column("contact_id").to_pylist())
    assert ids == {expected}
    raw = b"".join(p.read_bytes() for p in (tmp_path / "lake").rglob("*.parquet"))
    assert b"anne.martin" not in raw.lower()
    # Read back as it is, without the key: the pseudonyms are the ids.
    monkeypatch.delenv(privacy.ENV_KEY)
    with lake.opened(tmp_path / "lake") as back:
        assert back.execute("select contact_id from contacts").fetchall() == [(expected,)]
