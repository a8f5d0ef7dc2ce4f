"""The benchmark's peers (bench/peers.py) compute the SPEC §7 window metrics independently of the product; the
benchmark is only meaningful if they return exactly the product's numbers. Checked on the demo brand and on
a tiny hand-made brand whose every figure is derived below from the spec's rules, so that a disagreement
says which side is wrong.

polars is a test dependency: without it this module fails to import (an error, never a skip).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars  # noqa: F401  (a missing polars must fail the run, not skip it)
import pytest

from analytics import demo, ingest, store
from analytics.report import cohorts as report
from analytics.store import settings_store
from bench import datasets, peers

# ----------------------------------------------------------------------------------------------------------
# A hand-made brand. Registry: web notice shown, store notice NOT shown, phone absent (unknown → informed),
# partner only in campaign_stats. Every contact bought on its collection day unless said otherwise.
#
#   c01 web   none   loyalty_consent true
#   c02 store none   informed empty + registry false → not_informed
#   c03 store none   informed true (its own value beats the registry) → soft_opt_in
#   c04 phone none   informed empty, source not in the registry → treated as informed → soft_opt_in
#   c05 web   none   collected 2026-01-05, first order 2026-03-15: prospect for k1 (03-08), soft for k2 (03-22)
#   c06 web   opt_in loyalty_consent empty
#   c07 web   none   unsubscribes from k1 on 03-09 → objected for k2 (03-22)
#   c08 web   none   last order 2022-12-01, no click: expired since 2025-12-02
#   c09 web   none   complains about k1 on 03-09 → objected for k2
#   c10 web   none   order 2022-11-01 but a click on 2024-01-02 (k0) keeps it (2027-01-02); loyalty empty
#   c11 web   objected at collection
#   c12 phone none   opted_out_at 2026-03-05 → objected for k1 (03-08)
#   zz        not in contacts: its events count nowhere
#
# Campaigns: k0 promo 2024-01-02; k1 promo 03-08; k4 service 03-10; k3 loyalty 03-11; k6 no type (→ promo)
# 03-13; k2 newsletter 03-22; k5 promo 04-02 (after both report dates); `ghost` is only in events: its
# earliest event of a known contact is c03's on 2026-03-12 23:59:59 → sent 2026-03-12 (zz's event of 03-01
# would move it out of the 03-04 … 03-31 window). No `delivered` event anywhere: delivered = not bounced.

CONTACTS = """contact_id,collection_source,consent,collected_at,informed,opted_out_at,loyalty_consent
c01,web,none,2025-01-10,,,true
c02,store,none,2025-05-01,,,
c03,store,none,2025-05-01,true,,
c04,phone,none,2025-02-01,,,
c05,web,none,2026-01-05,,,
c06,web,opt_in,2025-03-01,,,
c07,web,none,2025-01-01,,,
c08,web,none,2022-11-01,,,
c09,web,none,2025-01-01,,,
c10,web,none,2022-11-01,,,
c11,web,objected,2025-01-01,,,
c12,phone,none,2025-01-01,,2026-03-05,
"""
ORDERS = """contact_id,order_date,amount,category
c01,2025-01-10,20.0,candles
c02,2025-05-01,20.0,candles
c03,2025-05-01,20.0,candles
c04,2025-02-01,20.0,candles
c05,2026-03-15,20.0,candles
c06,2025-03-01,20.0,candles
c07,2025-01-01,20.0,candles
c08,2022-12-01,20.0,candles
c09,2025-01-01,20.0,candles
c10,2022-11-01,20.0,candles
c11,2025-01-01,20.0,candles
c12,2025-01-01,20.0,candles
"""
CAMPAIGNS = """campaign_id,sent_at,name,email_type
k0,2024-01-02T10:00:00,Old promo,promo
k1,2026-03-08T10:00:00,March promo,promo
k4,2026-03-10T00:00:00,Order confirmations,service
k3,2026-03-11T09:00:00,Club news,loyalty
k6,2026-03-13T09:00:00,Untyped,
k2,2026-03-22T08:00:00,Journal,newsletter
k5,2026-04-02T10:00:00,April promo,promo
"""
EVENTS = """campaign_id,contact_id,event_type,occurred_at,is_machine_open
k0,c10,sent,2024-01-02T10:00:00,
k0,c10,click,2024-01-02T12:00:00,
k1,c01,sent,2026-03-08T10:00:00,
k1,c01,open,2026-03-08T10:05:00,true
k1,c02,sent,2026-03-08T10:00:00,
k1,c02,open,2026-03-08T11:00:00,false
k1,c03,sent,2026-03-08T10:00:00,
k1,c03,open,2026-03-08T11:00:00,false
k1,c03,click,2026-03-08T11:01:00,
k1,c03,click,2026-03-09T09:00:00,
k1,c04,sent,2026-03-08T10:00:00,
k1,c04,bounce,2026-03-08T10:00:05,
k1,c04,click,2026-03-08T12:00:00,
k1,c05,sent,2026-03-08T10:00:00,
k1,c05,open,2026-03-08T12:00:00,false
k1,c05,click,2026-03-08T12:01:00,
k1,c06,sent,2026-03-08T10:00:00,
k1,c06,open,2026-03-08T12:00:00,false
k1,c06,click,2026-03-08T12:01:00,
k1,c07,sent,2026-03-08T10:00:00,
k1,c07,open,2026-03-08T13:00:00,false
k1,c07,unsubscribe,2026-03-09T08:00:00,
k1,c08,sent,2026-03-08T10:00:00,
k1,c08,open,2026-03-08T13:00:00,false
k1,c09,sent,2026-03-08T10:00:00,
k1,c09,complaint,2026-03-09T07:00:00,
k1,c10,sent,2026-03-08T10:00:00,
k1,c11,sent,2026-03-08T10:00:00,
k1,c12,sent,2026-03-08T10:00:00,
k4,c01,sent,2026-03-10T09:00:00,
k4,c01,open,2026-03-10T10:00:00,false
k4,c01,click,2026-03-10T10:01:00,
k3,c01,sent,2026-03-11T09:00:00,
k3,c01,open,2026-03-11T10:00:00,false
k3,c01,click,2026-03-12T08:00:00,
k3,c10,sent,2026-03-11T09:00:00,
k3,c10,open,2026-03-11T10:00:00,false
k3,c06,sent,2026-03-11T09:00:00,
ghost,zz,sent,2026-03-01T08:00:00,
ghost,zz,click,2026-03-01T09:00:00,
ghost,c03,sent,2026-03-12T23:59:59,
ghost,c03,open,2026-03-13T08:00:00,false
ghost,c04,sent,2026-03-13T00:00:01,
ghost,c04,bounce,2026-03-13T00:00:05,
k6,c04,sent,2026-03-13T09:00:00,
k6,c04,open,2026-03-13T10:00:00,false
k6,c06,open,2026-03-13T10:00:00,false
k2,c01,sent,2026-03-22T08:00:00,
k2,c01,open,2026-03-22T09:00:00,false
k2,c01,unsubscribe,2026-03-22T20:00:00,
k2,c03,sent,2026-03-22T08:00:00,
k2,c03,click,2026-03-22T09:00:00,
k2,c05,sent,2026-03-22T08:00:00,
k2,c05,open,2026-03-22T09:00:00,false
k2,c05,unsubscribe,2026-03-23T09:00:00,
k2,c07,sent,2026-03-22T08:00:00,
k2,c07,open,2026-03-22T09:00:00,false
k2,c09,sent,2026-03-22T08:00:00,
k2,c06,sent,2026-03-22T08:00:00,
k2,c06,open,2026-03-22T09:00:00,false
k2,c06,click,2026-04-01T09:00:00,
k2,c02,sent,2026-03-22T08:00:00,
k2,c02,open,2026-03-22T09:00:00,false
k5,c01,sent,2026-04-02T10:00:00,
"""
SOURCES = """collection_source,channel,notice_shown,evidence,reviewed_at
web,web_form,true,checkout screenshot,2025-01-01
store,in_store,false,,2025-01-01
partner,partner,true,contract annex,2025-01-01
"""
# m1 (03-15): in T2's window only; m2: service; m3 (03-01, untyped, no campaign → promo): in T1's window
# only; m4: prospect, never lawful; the k4 row has no type and takes its campaign's (service).
CAMPAIGN_STATS = (
    ",".join(datasets.SCHEMA["campaign_stats"])
    + """
m1,2026-03-15T11:00:00,partner,soft_opt_in,100,20,5,2,1,102,2,newsletter
m1,2026-03-15T11:00:00,partner,opt_in,50,15,4,0,0,,,newsletter
m2,2026-03-10T11:00:00,partner,soft_opt_in,40,10,2,3,0,,,service
m3,2026-03-01T11:00:00,web,soft_opt_in,10,3,1,1,0,,,
m4,2026-03-09T11:00:00,partner,prospect,30,5,1,1,0,,,promo
k4,2026-03-10T00:00:00,partner,soft_opt_in,7,3,1,0,0,,,
"""
)
FIXTURE = {
    "contacts": CONTACTS,
    "orders": ORDERS,
    "campaigns": CAMPAIGNS,
    "events": EVENTS,
    "sources": SOURCES,
    "campaign_stats": CAMPAIGN_STATS,
}
T1, T2 = dt.date(2026, 3, 14), dt.date(2026, 3, 31)  # windows 02-15 … 03-14 and 03-04 … 03-31

# (delivered, openers, clickers, unsubscribers, complainers), sends by (campaign contact):
#
# As of T2. web: k1 c01 (its only open is a machine open), k1 c07 (open, unsubscribe), k1 c09 (complaint),
#   k1 c10 (not expired thanks to its click), k3 c01 (open, click), k2 c01 (open; unsubscribed the same day,
#   so not yet objected), k2 c05 (open, unsubscribe) = 7, 4, 1, 3, 1; not sends of the cohort: k1 c05
#   (prospect), k1 c08 (expired), k1 c11, c12, k2 c07, c09 (objected), k3 c10 (no_loyalty_consent), m3
#   (before the window). store: k1 c03 (open, two clicks = one clicker), ghost c03 (open), k2 c03 (click)
#   = 3, 2, 2, 0, 0; c02 is not_informed. phone: k1 c04 and ghost c04 bounced (k1's click on a bounced send
#   does not count), k6 c04 (open) = 1, 1, 0, 0, 0. partner: m1 = 100, 20, 5, 2, 1. Baseline adds opt_in:
#   k1 c06 (open, click), k2 c06 (open; its click of 04-01 is after T2), m1's opt_in row (50, 15, 4, 0, 0);
#   k3 c06 is no_loyalty_consent and k6 c06 has no `sent` event: 163, 44, 13, 5, 2.
# As of T1. web: k1 c01, c07, c09, c10 and k3 c01 (5, 2, 1, 1, 1) + m3 (10, 3, 1, 1, 0) = 15, 5, 2, 2, 1.
#   store: k1 c03, ghost c03 = 2, 2, 1, 0, 0. phone: as at T2 = 1, 1, 0, 0, 0. partner: no lawful row in
#   the window (the product lists it with zeros). Baseline adds k1 c06 (1, 1, 1, 0, 0): 19, 9, 4, 2, 1.
EXPECTED = {
    T2: {
        "baseline": (163, 44, 13, 5, 2),
        "cohorts": {
            "partner": (100, 20, 5, 2, 1),
            "phone": (1, 1, 0, 0, 0),
            "store": (3, 2, 2, 0, 0),
            "web": (7, 4, 1, 3, 1),
        },
    },
    T1: {
        "baseline": (19, 9, 4, 2, 1),
        "cohorts": {"phone": (1, 1, 0, 0, 0), "store": (2, 2, 1, 0, 0), "web": (15, 5, 2, 2, 1)},
    },
}
# The same brand exported without `sent` events: every pair with any event is a send. Pairs that had only
# a `sent` event disappear — k1 c10 (web: one delivered less), k1 c11, c12, k2 c09, k3 c06 (not lawful) —
# and k6 c06 (opt_in, open) becomes one: the baseline gains an opener and keeps its delivered count.
EXPECTED_WITHOUT_SENT = {
    T2: {
        "baseline": (163, 45, 13, 5, 2),
        "cohorts": {**EXPECTED[T2]["cohorts"], "web": (6, 4, 1, 3, 1)},
    },
    T1: {
        "baseline": (19, 10, 4, 2, 1),
        "cohorts": {**EXPECTED[T1]["cohorts"], "web": (14, 5, 2, 2, 1)},
    },
}

# The same brand with one `delivered` event, dated 2026-03-20 (k2 c03): as of T1 nobody knows of it, so the
# figures are those of EXPECTED[T1]; as of T2 the data has delivered events, so only that send is delivered
# (store: 1 delivered, with its click) and the other sources keep their sends with nothing delivered.
# Baseline: that send + m1's two rows = 151, 35, 10, 2, 1.
DELIVERED_EVENT = "k2,c03,delivered,2026-03-20T08:00:00,\n"
EXPECTED_DELIVERED_LATER = {
    T2: {
        "baseline": (151, 35, 10, 2, 1),
        "cohorts": {
            "partner": (100, 20, 5, 2, 1),
            "phone": (0, 0, 0, 0, 0),
            "store": (1, 0, 1, 0, 0),
            "web": (0, 0, 0, 0, 0),
        },
    },
    T1: EXPECTED[T1],
}


def _expected(figures: dict) -> dict:
    return {
        "baseline": peers.metrics(*figures["baseline"]),
        "cohorts": {source: peers.metrics(*counts) for source, counts in figures["cohorts"].items()},
    }


def _dataset(folder: Path, tables: dict[str, str]) -> Path:
    (folder / "csv").mkdir(parents=True)
    for table, text in tables.items():
        (folder / "csv" / f"{table}.csv").write_text(text, encoding="utf-8")
    datasets.write_parquet(folder / "csv", folder / "parquet")
    return folder


def _product_reports(folder: Path, dates: list[dt.date]) -> dict[dt.date, dict]:
    """The product's §9 report on each date, after loading the CSV files through its own ingest."""
    con = store.connect(folder / "product.duckdb", readable=[folder / "csv"])
    try:
        ingest.ingest_files(con, datasets.csv_files({"folder": str(folder)}))
        settings = settings_store.load(con)
        return {day: report.build_report(con, day, settings) for day in dates}
    finally:
        con.close()


CASES = {
    "fixture": ([T1, T2], EXPECTED),
    "fixture_without_sent": ([T1, T2], EXPECTED_WITHOUT_SENT),
    "fixture_delivered_later": ([T1, T2], EXPECTED_DELIVERED_LATER),
    "demo": ([demo.DEMO_AS_OF, demo.DEMO_AS_OF - dt.timedelta(days=31)], None),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """name → (dataset folder, {as_of: product report}), each case built once for the module."""
    cache: dict[str, tuple[Path, dict]] = {}

    def get(name: str) -> tuple[Path, dict]:
        if name not in cache:
            folder = tmp_path_factory.mktemp(name)
            if name == "demo":
                datasets.build(folder, scale=0.3, log=lambda _: None)
            elif name == "fixture":
                _dataset(folder, FIXTURE)
            elif name == "fixture_delivered_later":
                _dataset(folder, {**FIXTURE, "events": EVENTS + DELIVERED_EVENT})
            else:
                events = "".join(line for line in EVENTS.splitlines(keepends=True) if ",sent," not in line)
                _dataset(folder, {**FIXTURE, "events": events})
            cache[name] = folder, _product_reports(folder, CASES[name][0])
        return cache[name]

    return get


@pytest.mark.parametrize("name", [name for name, (_, expected) in CASES.items() if expected])
def test_product_matches_the_hand_derived_figures(built, name):
    _, reports = built(name)
    for day, figures in CASES[name][1].items():
        assert peers.differences(reports[day], _expected(figures)) == [], day


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("engine", peers.CHECKED)
def test_peer_returns_exactly_the_products_figures(built, name, engine):
    folder, reports = built(name)
    expected = CASES[name][1]
    for day, product in reports.items():
        result = peers.compute(engine, folder, day)
        assert peers.differences(product, result) == [], day
        if expected is not None:
            assert result == _expected(expected[day]), day
        assert result["cohorts"], "a case without any cohort would prove little"


def test_differences_reports_a_disagreement():
    product = {
        "baseline": peers.metrics(10, 5, 2, 1, 0),
        "cohorts": [
            {"collection_source": "a", "metrics": peers.metrics(4, 2, 1, 1, 0)},
            {"collection_source": "b", "metrics": peers.metrics(0, 0, 0, 0, 0)},
            {"collection_source": "c", "metrics": peers.metrics(3, 0, 0, 0, 0)},
        ],
    }
    peer = {"baseline": peers.metrics(10, 5, 2, 1, 0), "cohorts": {"a": peers.metrics(4, 3, 1, 1, 0)}}
    found = peers.differences(product, peer)
    assert any(line.startswith("cohort a openers") for line in found)
    assert any(line.startswith("cohort a open_rate") for line in found)
    assert any(line.startswith("cohort c:") for line in found)
    assert not any(line.startswith("cohort b") for line in found)
