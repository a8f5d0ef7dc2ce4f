"""The Spark engine (issue 17) gives the DuckDB engine's report, to the byte, over the same lake.

The DuckDB engine's figures are held to SPEC.md by the rest of the suite (hand-computed fixtures); here the claim
is only that Spark, running the same SQL files transpiled, computes the same thing: on the demo brand through the
CLI, and on a brand built of the edge cases of SPEC §5/§7/§8 through the report code, at dates and settings chosen
to sit on each boundary. One Spark session serves the whole test run (the `spark` fixture of conftest.py).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from analytics import lake, spark_engine, store
from analytics.cli import main
from analytics.report import cohorts
from analytics.settings import DEFAULTS

pytestmark = pytest.mark.usefixtures("spark")


@pytest.fixture(scope="module")
def demo_lake(demo_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("spark_demo") / "lake"
    con = store.connect(demo_file, readable=[out.parent])
    lake.export(con, out)
    con.close()
    return out


def test_the_demo_report_is_the_same_json_on_spark_as_on_duckdb(demo_lake, tmp_path, capsys):
    duck, spark = tmp_path / "duckdb.json", tmp_path / "spark.json"
    common = ["report", "--lake", str(demo_lake), "--as-of", "2026-11-22", "--format", "json"]
    assert main([*common, "--out", str(duck)]) == 0
    assert main([*common, "--engine", "spark", "--out", str(spark)]) == 0
    assert spark.read_bytes() == duck.read_bytes()
    report = json.loads(spark.read_text(encoding="utf-8"))
    # Not a vacuous equality: the demo's window has cohorts with sends and a stop among them.
    assert len(report["cohorts"]) >= 5 and report["baseline"]["delivered"] > 0
    assert "stop" in {c["recommendation"]["action"] for c in report["cohorts"]}
    # The data-quality warnings the DuckDB engine prints come from Spark too (unknown contacts, inferred campaign).
    assert capsys.readouterr().err.count("warning:") == 6


def _edge_brand(data):
    """A brand made of the boundaries of SPEC §5, §7 and §8 (dates chosen so each sits on one):

    - retention: 'ret' last bought 2021-03-01, mailed 2024-03-01 (lawful, = last contact + 3 years) and
      2024-03-02 (expired, one day after: the open of the first renews nothing); 'leap' collected 2020-02-29,
      mailed 2023-02-28 (lawful: + 3 years is 2023-02-28) and 2023-03-01 (expired); 'clk' renewed by a click
      (not by its open) on 2021-06-01;
    - opposition: 'obj' unsubscribed on 2024-02-10, mailed again 2024-02-20; 'cons' consent objected; 'late'
      opted out on the day of a send (objected only after it);
    - bases: a prospect (never bought), a buyer not informed, loyalty without loyalty consent, service sends;
    - ISO weeks across a year end: sends from 2025-12-29 (Monday of ISO week 2026-W01) to 2026-01-04;
    - machine opens only, five clicks of one person, events of an unknown contact, a campaign only in events;
    - campaign_stats rows (sent, bounces, empty email_type), a source only in campaign_stats, a source with
      soft-opt-in contacts never mailed, and a cohort stopped in one window and calm in the next.
    """
    data.source("web", channel="web_form", notice_shown="true", evidence="form v2")
    data.source("partner", channel="partner", notice_shown="true", evidence="contract")
    data.source("phone", channel="phone")  # oral, no evidence; soft-opt-in contacts never mailed
    for i in range(12):
        data.contact(
            f"w{i}", source="web", collected_at="2023-06-01", informed=True, loyalty_consent=i % 2 == 0
        )
        data.order(f"w{i}", "2023-06-01")
        data.contact(f"p{i}", source="partner", collected_at="2023-06-01")
        data.order(f"p{i}", "2023-07-01")
        data.contact(f"o{i}", source="web", consent="opt_in", collected_at="2022-01-01")
    data.contact("phone1", source="phone", collected_at="2025-01-01").order("phone1", "2025-01-02")
    data.contact("ret", source="web", collected_at="2020-01-01").order("ret", "2021-03-01")
    data.contact("leap", source="web", collected_at="2020-02-29")
    data.order("leap", "2020-02-29")
    data.contact("clk", source="web", collected_at="2018-01-01").order("clk", "2018-01-02")
    data.contact("obj", source="web", collected_at="2023-01-01").order("obj", "2023-01-02")
    data.contact("cons", source="web", consent="objected", collected_at="2023-01-01")
    data.contact("late", source="partner", collected_at="2023-01-01", opted_out_at="2024-02-20")
    data.order("late", "2023-01-02")
    data.contact("pros", source="partner", collected_at="2023-01-01")  # never bought: prospect
    data.contact("uninf", source="web", collected_at="2023-01-01", informed=False).order(
        "uninf", "2023-01-02"
    )

    # Retention and leap-day boundaries.
    data.campaign("r1", "2024-03-01T08:00:00").campaign("r2", "2024-03-02T08:00:00")
    data.send("r1", "ret", "2024-03-01T08:00:00", opens=1).send("r2", "ret", "2024-03-02T08:00:00")
    data.campaign("l1", "2023-02-28T23:59:59").campaign("l2", "2023-03-01T00:00:00")
    data.send("l1", "leap", "2023-02-28T23:59:59").send("l2", "leap", "2023-03-01T00:00:00", opens=1)
    data.campaign("c0", "2021-06-01T09:00:00").send("c0", "clk", "2021-06-01T09:00:00", clicks=1)
    data.campaign("c1", "2024-05-31T09:00:00").send("c1", "clk", "2024-05-31T09:00:00", opens=2)
    data.campaign("c2", "2024-06-02T09:00:00").send("c2", "clk", "2024-06-02T09:00:00")

    # Oppositions and the other bases, in February 2024.
    data.campaign("f1", "2024-02-10T08:00:00").campaign("f2", "2024-02-20T08:00:00")
    data.campaign("fl", "2024-02-20T09:00:00", email_type="loyalty")
    data.campaign("fs", "2024-02-20T10:00:00", email_type="service")
    data.send("f1", "obj", "2024-02-10T08:00:00", unsubscribe=True).send("f2", "obj", "2024-02-20T08:00:00")
    for contact in ("cons", "late", "pros", "uninf"):
        data.send("f2", contact, "2024-02-20T08:00:00", clicks=1)
    for i in range(12):
        data.send("fl", f"w{i}", "2024-02-20T09:00:00", opens=1).send("fs", f"w{i}", "2024-02-20T10:00:00")

    # The weeks across 2025/2026: web calm, partner angry then calm; opt-in sends make the baseline.
    days = ["2025-12-29", "2025-12-31", "2026-01-02", "2026-01-04", "2026-01-20", "2026-01-27"]
    for d, day in enumerate(days):
        campaign = f"y{d}"
        data.campaign(campaign, f"{day}T09:00:00", email_type="newsletter" if d == 2 else "promo")
        for i in range(12):
            at = f"{day}T09:00:00"
            data.send(campaign, f"w{i}", at, opens=1, machine_opens=1, clicks=5 if i < 6 else 0)
            data.send(campaign, f"o{i}", at, opens=1 if i < 8 else 0, clicks=1 if i < 4 else 0)
            angry = d < 4 and i < 6
            data.send(
                campaign, f"p{i}", at, delivered=i != 11, machine_opens=1, clicks=1 if i >= 9 else 0,
                unsubscribe=angry and i < 5, complaint=angry and i == 5, react_at=f"{day}T12:00:00",
            )  # fmt: skip
    data.event("y1", "ghost", "click", "2025-12-31T10:00:00")  # a contact the contacts file does not know
    data.event("y9", "w0", "sent", "2026-01-03T09:00:00").event(
        "y9", "w0", "delivered", "2026-01-03T09:00:00"
    )
    data.stats("s1", "2025-12-30T08:00:00", "fair", "soft_opt_in", 40, 10, 3, 1, 0, sent=42, bounces=2)
    data.stats("s2", "2026-01-03T08:00:00", "web", "opt_in", 70, 30, 9, 0, 1)  # sent, bounces, type empty
    data.stats("s3", "2026-01-21T08:00:00", "partner", "soft_opt_in", 25, 5, 2, 4, 0, email_type="promo")
    data.rows["oppositions"].append({"contact_id": "w11", "opposed_at": "2026-01-10", "reason": "manual"})
    return data.load()


# (as_of, settings): each date sits on a boundary above; small thresholds so the rules of §8 fire on a small brand.
SMALL = {"min_delivered": 1, "min_reactions": 1}
CASES = [
    ("2024-03-01", {}),
    ("2024-03-02", {"window_weeks": 1, **SMALL}),
    ("2023-03-01", {"window_weeks": 1, **SMALL}),
    ("2024-06-02", {"retention_years": 2, **SMALL}),
    ("2024-02-20", {"window_weeks": 2, "dissatisfaction_includes_complaints": True, **SMALL}),
    ("2026-01-04", {"window_weeks": 1, **SMALL}),
    ("2026-01-04", {"baseline": "opt_in", "expiring_soon_days": 365, **SMALL}),
    ("2026-01-27", {"window_weeks": 3, "stop_above": 0.45, "complaint_warn": 0.0, **SMALL}),
]


@pytest.fixture(scope="module")
def edge_engines(tmp_path_factory):
    from tests.builders import DataBuilder

    folder = tmp_path_factory.mktemp("spark_edges")
    con = _edge_brand(DataBuilder(folder))
    lake.export(con, folder / "lake")
    con.close()
    with lake.opened(folder / "lake") as duck, spark_engine.opened(lake_dir=folder / "lake") as spark:
        yield duck, spark


@pytest.mark.parametrize(
    ("as_of", "changes"), CASES, ids=[f"{d}-{'-'.join(c) or 'defaults'}" for d, c in CASES]
)
def test_the_edge_cases_give_the_same_report_on_both_engines(edge_engines, as_of, changes):
    duck, spark = edge_engines
    day, settings = dt.date.fromisoformat(as_of), DEFAULTS.replace(**changes)
    expected = cohorts.build_report(duck, day, settings)
    assert cohorts.build_report(spark, day, settings) == expected
    assert cohorts.data_quality(spark, day) == cohorts.data_quality(duck, day)


def test_the_edge_brand_reaches_the_boundaries_it_is_built_for(edge_engines):
    """The comparisons above are worth something only if the brand hits its boundaries; checked on Spark's
    figures (equal to DuckDB's), by hand from _edge_brand."""
    _duck, spark = edge_engines
    small = DEFAULTS.replace(**SMALL)
    # 2024-03-01 is 'ret''s last lawful day (web soft_opt_in; its open renews nothing); on 2024-03-02 it is expired.
    on_the_day = cohorts.build_report(spark, dt.date(2024, 3, 1), small.replace(window_weeks=1))
    web = next(c for c in on_the_day["cohorts"] if c["collection_source"] == "web")
    assert (web["metrics"]["delivered"], web["metrics"]["openers"]) == (1, 1)
    assert _violation_bases(spark, "2024-03-02", small) == {"expired": 1}
    # Same day: 'late' opted out on the day of f2 (not before it: lawful); 'obj' unsubscribed from f1, 'cons'
    # objected, 'pros' never bought, 'uninf' not informed; the loyalty campaign reached 6 of 12 without consent.
    assert _violation_bases(spark, "2024-02-20", small) == {
        "objected": 2,
        "prospect": 1,
        "not_informed": 1,
        "no_loyalty_consent": 6,
    }
    # 2026-01-04, one week (2025-12-29 … 2026-01-04, ISO week 2026-W01). partner: on y0 (12-29) 11 delivered (p11
    # bounces), 5 unsubscribe and p5 complains; from y1 on p0…p5 are objected, so y1…y3 send to p6…p11 only: 5
    # delivered each. Delivered 11 + 3 × 5 = 26, unsubscribers 5, clickers (p9, p10) 2 × 4 = 8: dissatisfaction
    # 5 / 13 under stop_above, but complaints 1 / 26 ≥ complaint_stop: stop.
    week = cohorts.build_report(spark, dt.date(2026, 1, 4), small.replace(window_weeks=1))
    partner = next(c for c in week["cohorts"] if c["collection_source"] == "partner")
    assert [partner["metrics"][k] for k in ("delivered", "unsubscribers", "clickers", "complainers")] == [
        26,
        5,
        8,
        1,
    ]
    assert partner["metrics"]["dissatisfaction_rate"] == pytest.approx(5 / 13)
    assert partner["recommendation"]["action"] == "stop"
    # web: 12 sends × 4 campaigns and y9 (known only from events, to w0): 49 delivered; each of the 48 had a
    # human and a machine open: 48 openers, not 96. phone's contact was never mailed; 'fair' is in stats only.
    web = next(c for c in week["cohorts"] if c["collection_source"] == "web")
    assert (web["metrics"]["delivered"], web["metrics"]["openers"]) == (49, 48)
    assert next(c for c in week["cohorts"] if c["collection_source"] == "phone")["recommendation"][
        "action"
    ] == ("welcome_first")
    fair = next(c for c in week["cohorts"] if c["collection_source"] == "fair")
    assert (fair["metrics"]["delivered"], fair["metrics"]["unsubscribers"]) == (40, 1)
    assert (
        len(cohorts.data_quality(spark, dt.date(2026, 1, 4))) == 2
    )  # the unknown contact, the inferred campaign


def _violation_bases(engine, as_of: str, settings) -> dict[str, int]:
    day = dt.date.fromisoformat(as_of)
    totals: dict[str, int] = {}
    for row in cohorts.violations(engine, cohorts.Window.ending(day, 1), settings):
        totals[row["basis"]] = totals.get(row["basis"], 0) + row["sends"]
    return totals


def test_a_lake_missing_a_table_or_holding_a_bad_code_is_refused_on_spark_too(demo_lake, tmp_path, capsys):
    import shutil

    import duckdb

    broken = tmp_path / "lake"
    shutil.copytree(demo_lake, broken)
    shutil.rmtree(broken / "events")
    assert main(["report", "--engine", "spark", "--lake", str(broken), "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "has no table events" in err and "export-lake" in err
    # Every contact's consent rewritten to a code SPEC §4 does not have: refused, counted, with the fix.
    shutil.copytree(demo_lake / "events", broken / "events")
    files = lake.table_files(broken, "contacts")
    duckdb.sql(
        f"copy (select * replace ('maybe' as consent) from read_parquet({files})) to '{tmp_path / 'c.parquet'}'"
    )
    shutil.rmtree(broken / "contacts")
    shutil.move(tmp_path / "c.parquet", broken / "contacts.parquet")
    assert main(["report", "--engine", "spark", "--lake", str(broken), "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "table contacts, column consent holds values outside opt_in, none, objected (15256 rows)" in err
    assert "Fix: correct those rows of contacts" in err


def test_a_local_spark_listens_on_this_machine_only_spills_privately_and_runs_in_utc(spark):
    import stat

    conf = spark.sparkContext.getConf()
    assert conf.get("spark.driver.bindAddress") == conf.get("spark.driver.host") == "127.0.0.1"
    assert conf.get("spark.ui.enabled") == "false"  # no web UI port either
    # Spill and shuffle files (contact ids) in the product's private work folder, not in a shared /tmp.
    local_dir = Path(conf.get("spark.local.dir"))
    assert local_dir == store.work_dir()
    assert stat.S_IMODE(local_dir.stat().st_mode) == 0o700
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"


def test_the_spark_engine_reads_a_lake_or_a_catalog_not_a_database(demo_file, capsys):
    assert main(["report", "--engine", "spark", "--db", str(demo_file)]) == 2
    assert "reads a lake or a catalog, not a database file" in capsys.readouterr().err
    assert main(["report", "--db", str(demo_file), "--spark-master", "local[1]"]) == 2
    assert "go with --engine spark" in capsys.readouterr().err


def test_the_html_report_is_the_same_on_spark_as_on_duckdb(edge_engines):
    """The weekly HTML report reads every figure the dashboard shows (12 weekly states, the review, retention,
    compliance): the same bytes from both engines, on the weeks across the year end."""
    from analytics.report import html

    duck, spark = edge_engines
    settings, day = DEFAULTS.replace(**SMALL), dt.date(2026, 1, 4)
    generated = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    expected = html.build_html(duck, day, settings, generated_at=generated)
    # Not an empty page: the ISO week across the year end is named with its days, partner's stop shown.
    assert "W01: 2025-12-29" in expected and "W01: Stop" in expected
    assert html.build_html(spark, day, settings, generated_at=generated) == expected


def test_a_catalogs_tables_give_the_same_report_as_the_lake(edge_engines, spark, tmp_path):
    """--catalog NAME reads NAME.contacts, NAME.events… from the session's catalog (a metastore, Unity, Iceberg
    on a cluster): here tables of Spark's own catalog over the edge brand's lake files."""
    duck, engine = edge_engines
    name = "edge_brand_catalog"
    spark.sql(f"create database if not exists {name}")
    try:
        for table in lake.LAYOUT:
            files = lake.table_files(engine.lake_dir, table)
            if files is None:
                continue
            location = engine.lake_dir / table if (engine.lake_dir / table).is_dir() else Path(files[0])
            spark.sql(f"create table {name}.{table} using parquet location '{location}'")
            if table == "events":  # partitioned by month: the catalog learns its partitions from the folders
                spark.sql(f"alter table {name}.{table} recover partitions")
        day, settings = dt.date(2026, 1, 4), DEFAULTS.replace(window_weeks=1, **SMALL)
        expected = cohorts.build_report(duck, day, settings)
        with spark_engine.opened(catalog=name) as from_catalog:
            assert cohorts.build_report(from_catalog, day, settings) == expected
        # The two engines shared the session without touching each other's views: the lake's still answers
        # (its latest send: y5 on 2026-01-27).
        assert cohorts.latest_send_date(engine) == dt.date(2026, 1, 27)
    finally:
        spark.sql(f"drop database if exists {name} cascade")


def test_without_the_spark_extra_the_cli_says_what_to_install(demo_lake, monkeypatch, capsys):
    import sys

    import analytics

    # As if SQLGlot or pyspark were missing: importing the engine fails.
    monkeypatch.setitem(sys.modules, "analytics.spark_engine", None)
    monkeypatch.delattr(analytics, "spark_engine", raising=False)
    assert main(["report", "--engine", "spark", "--lake", str(demo_lake)]) == 2
    err = capsys.readouterr().err
    assert "pip install 'optout-cohorts[spark]'" in err and "openjdk-17-jre-headless" in err
    assert "Traceback" not in err
