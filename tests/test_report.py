"""The JSON report of SPEC §9: its keys and nesting exactly, fractions unrounded, nulls where undefined.

Report date T = 2025-03-28, so the default window is 2025-03-01 … 2025-03-28.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from analytics.settings import DEFAULTS, REGISTRY
from tests.builders import DataBuilder, build_report, cohort

T = "2025-03-28"
IN_WINDOW = "2025-03-10T09:00:00"

TOP_LEVEL = {"as_of", "window", "settings", "baseline", "violations", "cohorts"}
COUNTS = {"delivered", "openers", "clickers", "unsubscribers", "complainers"}
RATES = {"open_rate", "click_rate", "unsubscribe_rate", "complaint_rate", "dissatisfaction_rate"}
RATIOS = {"open_ratio", "click_ratio"}
VIOLATIONS = {"objected", "expired", "no_loyalty_consent", "not_informed", "prospect"}
ELIGIBILITY = {"opt_in", "soft_opt_in", "not_informed", "prospect", "objected", "expired", "expiring_soon"}
COHORT = {"collection_source", "eligibility", "metrics", "recommendation"}
RECOMMENDATION = {"action", "reasons", "warnings"}


def small_report(data: DataBuilder, **settings) -> dict:
    # web: c1, c2, c3 clients (consent none, bought 2025-01-10) mailed k1 in the window:
    #   c1 opens and clicks, c2 and c3 do nothing → 3 delivered, 1 opener, 1 clicker.
    # call_center: a prospect p1, never mailed.
    for c in ("c1", "c2", "c3"):
        data.contact(c, source="web").order(c, "2025-01-10")
    data.contact("p1", source="call_center")
    con = (
        data.campaign("k1", IN_WINDOW)
        .send("k1", "c1", IN_WINDOW, opens=1, clicks=1)
        .send("k1", "c2", IN_WINDOW)
        .send("k1", "c3", IN_WINDOW)
        .load()
    )
    return build_report(con, T, **settings)


def test_top_level_keys(data):
    report = small_report(data)
    assert set(report) == TOP_LEVEL
    assert report["as_of"] == "2025-03-28"
    assert report["window"] == {"start": "2025-03-01", "end": "2025-03-28"}


def test_settings_are_all_the_settings_with_their_values(data):
    report = small_report(data, stop_above=0.5, window_weeks=2)
    assert set(report["settings"]) == {s.name for s in REGISTRY}
    assert report["settings"] == {**DEFAULTS.as_dict(), "stop_above": 0.5, "window_weeks": 2}
    # window_weeks=2 → 2025-03-15 … 2025-03-28
    assert report["window"] == {"start": "2025-03-15", "end": "2025-03-28"}


def test_baseline_has_counts_and_rates_but_no_ratios(data):
    # baseline = c1, c2, c3: delivered 3, openers 1, clickers 1 → open 1/3, click 1/3, unsubscribe 0,
    # complaint 0, dissatisfaction 0 / (1 + 0) = 0.
    baseline = small_report(data)["baseline"]
    assert set(baseline) == COUNTS | RATES
    assert baseline == {
        "delivered": 3,
        "openers": 1,
        "clickers": 1,
        "unsubscribers": 0,
        "complainers": 0,
        "open_rate": pytest.approx(1 / 3),
        "click_rate": pytest.approx(1 / 3),
        "unsubscribe_rate": 0.0,
        "complaint_rate": 0.0,
        "dissatisfaction_rate": 0.0,
    }


def test_violations_have_the_five_unlawful_bases(data):
    assert small_report(data)["violations"] == dict.fromkeys(sorted(VIOLATIONS), 0)


def test_cohort_objects(data):
    report = small_report(data)
    assert [c["collection_source"] for c in report["cohorts"]] == ["call_center", "web"]
    for c in report["cohorts"]:
        assert set(c) == COHORT
        assert set(c["eligibility"]) == ELIGIBILITY
        assert set(c["metrics"]) == COUNTS | RATES | RATIOS
        assert set(c["recommendation"]) == RECOMMENDATION
        assert isinstance(c["recommendation"]["action"], str)
        assert isinstance(c["recommendation"]["reasons"], list)
        assert all(isinstance(r, str) for r in c["recommendation"]["reasons"])
        assert isinstance(c["recommendation"]["warnings"], list)
        assert all(isinstance(w, str) for w in c["recommendation"]["warnings"])


def test_cohort_figures_in_the_report(data):
    # web: 3 delivered, 1 opener, 1 clicker → open 1/3, click 1/3; the cohort is the whole baseline → ratios 1.
    # 3 delivered < 500 → insufficient_data.
    # eligibility on T: c1, c2, c3 soft_opt_in (c1's click is not an objection).
    # call_center: p1 is a prospect, never mailed → no_cohort, null rates.
    report = small_report(data)
    web = cohort(report, "web")
    assert web["eligibility"] == {**dict.fromkeys(ELIGIBILITY, 0), "soft_opt_in": 3}
    assert web["metrics"] == {
        "delivered": 3,
        "openers": 1,
        "clickers": 1,
        "unsubscribers": 0,
        "complainers": 0,
        "open_rate": pytest.approx(1 / 3),
        "click_rate": pytest.approx(1 / 3),
        "unsubscribe_rate": 0.0,
        "complaint_rate": 0.0,
        "dissatisfaction_rate": 0.0,
        "open_ratio": 1.0,
        "click_ratio": 1.0,
    }
    assert web["recommendation"]["action"] == "insufficient_data"
    call_center = cohort(report, "call_center")
    assert call_center["eligibility"] == {**dict.fromkeys(ELIGIBILITY, 0), "prospect": 1}
    assert call_center["recommendation"]["action"] == "no_cohort"
    assert all(call_center["metrics"][name] is None for name in RATES | RATIOS)


def test_rates_are_unrounded_fractions(data):
    # 3 delivered, 1 opener → 1/3 exactly as a double, not 0.33 nor 33.3.
    open_rate = cohort(small_report(data), "web")["metrics"]["open_rate"]
    assert isinstance(open_rate, float)
    assert open_rate == 1 / 3
    assert Fraction(open_rate).limit_denominator(1000) == Fraction(1, 3)


def test_rates_are_fractions_not_percentages(data):
    # 8 delivered, 1 opener → 0.125, not 12.5.
    for i in range(8):
        data.contact(f"c{i}").order(f"c{i}", "2025-01-10")
        data.send("k1", f"c{i}", IN_WINDOW, opens=1 if i == 0 else 0)
    report = build_report(data.campaign("k1", IN_WINDOW).load(), T)
    assert cohort(report, "web")["metrics"]["open_rate"] == 0.125
    assert report["baseline"]["open_rate"] == 0.125


def test_counts_are_integers(data):
    report = small_report(data)
    for name in COUNTS:
        assert type(report["baseline"][name]) is int, name
        for c in report["cohorts"]:
            assert type(c["metrics"][name]) is int, name
    for c in report["cohorts"]:
        assert all(type(v) is int for v in c["eligibility"].values())
    assert all(type(v) is int for v in report["violations"].values())


def test_eligibility_counts_every_status(data):
    # On T = 2025-03-28, source web:
    #   o1 opt_in, bought 2025-01-10                                      → opt_in
    #   o2 opt_in, collected and bought 2022-04-15: retention ends 2025-04-15 (T + 18) → opt_in, expiring_soon
    #   s1 consent none, bought                                           → soft_opt_in
    #   n1 consent none, bought, informed false                           → not_informed
    #   p1 no purchase                                                    → prospect
    #   x1 consent objected; x2 opted out on 2025-02-01                   → objected (2)
    #   e1 last contact 2021-06-01 + 3 years < T                          → expired
    data.contact("o1", consent="opt_in").order("o1", "2025-01-10")
    data.contact("o2", consent="opt_in", collected_at="2022-04-15").order("o2", "2022-04-15")
    data.contact("s1").order("s1", "2025-01-10")
    data.contact("n1", informed=False).order("n1", "2025-01-10")
    data.contact("p1")
    data.contact("x1", consent="objected").order("x1", "2025-01-10")
    data.contact("x2", opted_out_at="2025-02-01").order("x2", "2025-01-10")
    data.contact("e1", collected_at="2021-01-01").order("e1", "2021-06-01")
    report = build_report(data.load(), T)
    assert cohort(report, "web")["eligibility"] == {
        "opt_in": 2,
        "soft_opt_in": 1,
        "not_informed": 1,
        "prospect": 1,
        "objected": 2,
        "expired": 1,
        "expiring_soon": 1,
    }


def test_a_source_only_in_campaign_stats_has_zero_eligibility(data):
    report = build_report(
        data.stats("k1", IN_WINDOW, "partner", "soft_opt_in", delivered=4, openers=1).load(), T
    )
    partner = cohort(report, "partner")
    assert partner["eligibility"] == dict.fromkeys(ELIGIBILITY, 0)
    assert partner["metrics"]["open_rate"] == 0.25


def test_report_serialises_to_json_with_nulls(data):
    report = small_report(data)
    text = json.dumps(report)
    assert json.loads(text) == report
    # call_center has no send: its rates are JSON null, never 0
    call_center = next(c for c in json.loads(text)["cohorts"] if c["collection_source"] == "call_center")
    assert call_center["metrics"]["open_rate"] is None
    assert '"open_rate": null' in text
    assert "NaN" not in text and "Infinity" not in text


def test_empty_database_gives_an_empty_report(data):
    report = build_report(data.load(), T)
    assert set(report) == TOP_LEVEL
    assert report["cohorts"] == []
    assert report["violations"] == dict.fromkeys(sorted(VIOLATIONS), 0)
    assert report["baseline"]["delivered"] == 0
    assert all(report["baseline"][name] is None for name in RATES)
    json.dumps(report)
