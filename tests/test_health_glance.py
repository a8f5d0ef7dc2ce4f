"""Cohort health at a glance: the sources that need attention first (analytics.report.sections.attention), the
data-quality notes folded below, and a table of ten short columns.

The report date T is 2025-03-28 (default 4-week window 2025-03-01 … 2025-03-28). The brand is written as
campaign reports (campaign_stats) of one promo campaign inside the window, with min_delivered lowered to 50 and
min_reactions to 5 so that small cohorts are judged; every expected value is worked out by hand below.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from analytics.report import cohorts, sections
from analytics.settings import DEFAULTS
from dashboard.text import md
from tests.apptest import table

T = dt.date(2025, 3, 28)
SENT = "2025-03-10T09:00:00"
SMALL = DEFAULTS.replace(min_delivered=50, min_reactions=5)


def brand_rows(data):
    """Soft-opt-in campaign reports of six sources and one opt-in row (the baseline's bulk):

    optin_list  opt_in: delivered 1000, openers 300, clickers 100
    Baseline (lawful = opt-in + soft opt-in): delivered 1000+100+100+100+1000+100+100 = 2500,
      openers 300+30+10+10+300+30+30 = 710 (open 0.284), clickers 100+10+10+20+100+10+5 = 255 (click 0.102).

    a_stop      delivered 100, openers 30, clickers 10, unsubscribers 10: dissatisfaction 10/20 = 50% > 40% → stop
    z_stop      delivered 100, openers 30, clickers 5, unsubscribers 15: 15/20 = 75% > 40% → stop
    b_editorial delivered 100, openers 10, clickers 10, unsubscribers 5: 5/15 = 33.3% in 20–40%, open ratio
                0.10/0.284 = 0.35 < 0.8 → editorial only
    c_reduce    delivered 100, openers 10, clickers 20, unsubscribers 2: 2/22 = 9.1% < 20%, open ratio 0.35 < 0.8
                → reduce
    d_warned    delivered 1000, openers 300, clickers 100, unsubscribers 30, complainers 2: 30/130 = 23.1% in
                20–40%, ratios 0.3/0.284 = 1.06 and 0.1/0.102 = 0.98 ≥ 0.8 → hold; complaint rate 2/1000 = 0.2%
                ≥ the 0.1% warning (< the 0.3% stop) → a complaint warning: needs attention for it alone
    e_fine      delivered 100, openers 30, clickers 10, unsubscribers 0: 0% < 20%, ratios 1.06 and 0.98, no
                complaint → ramp up: does not need attention
    optin_list  no soft-opt-in send, no soft-opt-in client → no cohort: does not need attention
    """
    for source, delivered, openers, clickers, unsubscribers, complainers in (
        ("a_stop", 100, 30, 10, 10, 0),
        ("z_stop", 100, 30, 5, 15, 0),
        ("b_editorial", 100, 10, 10, 5, 0),
        ("c_reduce", 100, 10, 20, 2, 0),
        ("d_warned", 1000, 300, 100, 30, 2),
        ("e_fine", 100, 30, 10, 0, 0),
    ):
        data.stats(
            "k1",
            SENT,
            source,
            "soft_opt_in",
            delivered=delivered,
            openers=openers,
            clickers=clickers,
            unsubscribers=unsubscribers,
            complainers=complainers,
        )
    return data.stats("k1", SENT, "optin_list", "opt_in", delivered=1000, openers=300, clickers=100)


def test_the_sources_that_need_attention_most_severe_first(data):
    state = cohorts.cohort_state(brand_rows(data).load(), T, SMALL)
    actions = {source: r.action for source, r in state.recommendations.items()}
    assert actions == {
        "a_stop": "stop",
        "z_stop": "stop",
        "b_editorial": "editorial_only",
        "c_reduce": "reduce",
        "d_warned": "hold",
        "e_fine": "ramp_up",
        "optin_list": "no_cohort",
    }
    found = sections.attention(state)
    # stop (by name: a_stop, z_stop), editorial only, reduce, then the complaint warning alone
    assert [(a.collection_source, a.action) for a in found] == [
        ("a_stop", "stop"),
        ("z_stop", "stop"),
        ("b_editorial", "editorial_only"),
        ("c_reduce", "reduce"),
        ("d_warned", "hold"),
    ]
    rates = [a.dissatisfaction_rate for a in found]
    assert rates == pytest.approx([0.5, 0.75, 5 / 15, 2 / 22, 30 / 130])
    assert found[0].reason.startswith("Dissatisfaction rate 50.0% is above the stop threshold of 40%")
    assert found[0].warning is None
    assert found[4].warning.startswith("Complaint rate 0.20% reaches the 0.1%")
    assert found[4].reason.startswith("Dissatisfaction rate 23.1% is at least 20%")


def test_a_source_chosen_in_the_sidebar_keeps_only_its_attention(data):
    state = cohorts.cohort_state(brand_rows(data).load(), T, SMALL)
    chosen = sections.cohort_state_of_sources(state, ("c_reduce", "e_fine"))
    assert [a.collection_source for a in sections.attention(chosen)] == ["c_reduce"]


def test_no_source_needs_attention_when_all_are_fine(data):
    # e_fine alone: its own rates are the baseline's (open 0.3, click 0.1, ratios 1) → ramp up
    con = data.stats("k1", SENT, "e_fine", "soft_opt_in", delivered=100, openers=30, clickers=10).load()
    state = cohorts.cohort_state(con, T, SMALL)
    assert state.recommendations["e_fine"].action == "ramp_up"
    assert sections.attention(state) == []


# --- the page -----------------------------------------------------------------------------------------------


def walk(node):
    """Every element and block of the page in the order it is drawn."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def kinds(app) -> list[str]:
    return [getattr(node, "type", "") for node in walk(app.main)]


def test_the_attention_block_comes_before_the_figures_and_the_table(demo_file, open_app):
    app = open_app(demo_file)
    order = kinds(app)
    blocks = [n for n in walk(app.main) if getattr(n, "type", "") == "markdown"]
    [attention] = [n for n in blocks if "need attention on" in n.value]
    position = next(i for i, n in enumerate(walk(app.main)) if n is attention)
    assert position < order.index("metric") < order.index("dataframe")
    # The demo on 22 Nov 2026 (its default report date), 4-week window: partner_coreg stops (62.9%),
    # call_center is editorial only (28.9%), contest reduces (8.7%); no other source has a complaint warning.
    text = attention.value
    assert text.startswith("**3 sources need attention on 22 Nov 2026**")
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert [line.split("]")[0] for line in lines] == [
        "- :red-badge[Stop",
        "- :orange-badge[Editorial only",
        "- :violet-badge[Reduce",
    ]
    assert (
        "**partner\\_coreg**: dissatisfaction 62.9% over the window (4 weeks). Dissatisfaction rate 62\\.9%"
        in lines[0]
    )
    assert "**call\\_center**: dissatisfaction 28.9% over the window (4 weeks)." in lines[1]
    assert "**contest**: dissatisfaction 8.7% over the window (4 weeks)." in lines[2]
    # The data-quality notes are no longer warnings at the top: one collapsed expander, below the detail.
    [notes] = app.expander
    assert notes.label == "Data-quality notes (3)"
    assert len(notes.warning) == 3 and len(app.warning) == 3  # every warning of the page is in it
    assert order.index("warning") > order.index("expander") > order.index("dataframe")


def test_the_table_has_ten_short_columns_and_a_dash_for_no_data(demo_file, open_app):
    app = open_app(demo_file)
    shown = table(app)
    assert list(shown.columns) == [
        "Source",
        "Action",
        "Delivered",
        "Dissatisfaction",
        "Open rate",
        "Click rate",
        "Unsubscribe rate",
        "Complaint rate",
        "Open vs brand",
        "Click vs brand",
    ]
    spec = app.dataframe[0].proto
    assert spec.placeholder == "—"  # a rate without data (mobile_app, never mailed) reads "—", not "None"
    assert (
        shown.set_index("Source").loc["mobile_app", "Dissatisfaction"]
        != shown.set_index("Source").loc["mobile_app", "Dissatisfaction"]
    )  # NaN: no data
    config = json.loads(spec.columns)
    assert [config[name].get("label") for name in list(shown.columns)[3:]] == [
        "Dissat. %",
        "Open %",
        "Click %",
        "Unsub. %",
        "Spam %",
        "Open/brand",
        "Click/brand",
    ]
    # the widths that fit the table in the ≈ 820 px main column of a 1280×720 screen (checked in a browser)
    assert sum(config[name]["width"] for name in shown.columns) <= 818
    caption = " ".join(c.value for c in app.caption)
    assert "Eligibility & retention page" in caption


def test_no_attention_reads_as_one_success_line(tmp_path, data, open_app):
    # One source whose rates are the brand's (e_fine above): ramp up at the default thresholds needs 500
    # deliveries and 30 reactions, so it has 600 delivered, 180 openers, 60 clickers (dissatisfaction 0%).
    con = data.stats("k1", SENT, "e_fine", "soft_opt_in", delivered=600, openers=180, clickers=60).load()
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    copy = tmp_path / "fine.duckdb"
    shutil.copy(path, copy)
    app = open_app(copy)
    app.date_input(key="as_of").set_value(T).run()
    assert not app.exception
    assert next(s.value for s in app.success).startswith("No source needs attention on 28 Mar 2025")
    assert not [m for m in app.markdown if "need attention on" in m.value]


def test_a_hostile_source_name_in_the_attention_block_is_text(data, open_app):
    # delivered 600, clickers 20, unsubscribers 20: 600 ≥ 500 delivered, 40 ≥ 30 reactions, dissatisfaction
    # 20 / 40 = 50% > 40% → stop, so the name is listed first thing on the page
    name = "<b>x</b> *y* [z](https://evil.example)"
    con = data.stats(
        "k1", SENT, name, "soft_opt_in", delivered=600, openers=180, clickers=20, unsubscribers=20
    ).load()
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    app = open_app(path)
    app.date_input(key="as_of").set_value(T).run()
    [block] = [m.value for m in app.markdown if "needs attention on" in m.value]
    assert f"**{md(name)}**: dissatisfaction 50.0% over the window (4 weeks)" in block  # dashboard.text.md
    assert "<b>" not in block and "](https" not in block
