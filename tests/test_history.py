"""Several report dates in one pass: each date's figures equal those computed alone, history never changes
when later data arrives, and the weekly series add up."""

from __future__ import annotations

import dataclasses
import datetime as dt

from analytics import demo, report
from analytics.settings import DEFAULTS


def _state_as_dict(state: report.CohortState) -> dict:
    return {
        "window": state.window,
        "baseline": state.baseline,
        "rows": state.rows,
        "eligibility": state.eligibility,
        "recommendations": {k: dataclasses.asdict(v) for k, v in state.recommendations.items()},
    }


def test_each_date_of_a_batch_equals_that_date_computed_alone(demo_db):
    # Includes a mid-week date and the report date, with their previous windows in the same query.
    dates = [demo.DEMO_AS_OF - dt.timedelta(days=d) for d in (0, 3, 7, 35, 60)]
    together = report.cohort_states(demo_db, dates, DEFAULTS)
    for day in dates:
        alone = report.cohort_states(demo_db, [day], DEFAULTS)[day]
        assert _state_as_dict(together[day]) == _state_as_dict(alone), day


def test_week_ends_are_sundays_and_the_report_date():
    # 2026-11-25 is a Wednesday: its week is cut at the report date; the others end on Sundays.
    assert report.week_ends(dt.date(2026, 11, 25), 3) == [
        dt.date(2026, 11, 15),
        dt.date(2026, 11, 22),
        dt.date(2026, 11, 25),
    ]
    assert report.week_ends(dt.date(2026, 11, 22), 2) == [dt.date(2026, 11, 15), dt.date(2026, 11, 22)]


def test_history_does_not_change_when_later_data_arrives(data):
    # Week ending 2025-03-09: c1 (soft opt-in) mailed on 2025-03-03. Later data — a new campaign on 2025-03-12
    # with an unsubscribe, a click dated 2025-03-11 on the first campaign — must not rewrite that week.
    data.contact("c1").order("c1", "2025-01-10").campaign("k1", "2025-03-03T09:00:00")
    data.send("k1", "c1", "2025-03-03T09:00:00", opens=1)
    con = data.load()
    settings = DEFAULTS.replace(min_delivered=1, min_reactions=0)
    before = report.action_history(con, dt.date(2025, 3, 9), 2, settings)
    data.rows = {name: [] for name in data.rows}
    data.campaign("k2", "2025-03-12T09:00:00").send("k2", "c1", "2025-03-12T09:00:00", unsubscribe=True)
    data.event("k1", "c1", "click", "2025-03-11T10:00:00")
    from analytics import ingest

    ingest.ingest_files(con, data.write())
    after = report.action_history(con, dt.date(2025, 3, 9), 2, settings)
    assert after == before
    # ... while the week that holds the new data does change: as of 2025-03-16 the click counts.
    later = report.cohort_state(con, dt.date(2025, 3, 16), settings)
    assert later.rows[0]["clickers"] == 1


def test_weekly_rates_add_up_to_the_window(demo_db):
    # The four ISO weeks ending Sunday 2026-11-22 are exactly the default window 2026-10-26 … 2026-11-22.
    weekly = report.weekly_rates(demo_db, demo.DEMO_AS_OF, 4, DEFAULTS)
    state = report.cohort_state(demo_db, demo.DEMO_AS_OF, DEFAULTS)
    assert sorted(d.date() for d in weekly["week_start"].unique()) == [
        dt.date(2026, 10, 26),
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 9),
        dt.date(2026, 11, 16),
    ]
    web = weekly[weekly["collection_source"] == "web_checkout"]
    row = next(r for r in state.rows if r["collection_source"] == "web_checkout")
    assert web["delivered"].sum() == row["delivered"] and web["clickers"].sum() == row["clickers"]
    baseline = weekly[weekly["collection_source"].isna()]
    assert baseline["delivered"].sum() == state.baseline["delivered"]


def test_headline_figures(demo_db):
    state = report.cohort_state(demo_db, demo.DEMO_AS_OF, DEFAULTS)
    sends = report.window_sends(demo_db, state.window, DEFAULTS)
    figures = report.headline(state, sends)
    lawful = sum(c["opt_in"] + c["soft_opt_in"] for c in state.eligibility.values())
    soft = sum(c["soft_opt_in"] for c in state.eligibility.values())
    assert figures["lawful_reach"] == lawful
    assert figures["soft_opt_in_share"] == soft / lawful
    full = report.build_report(demo_db, demo.DEMO_AS_OF, DEFAULTS)
    assert figures["violations"] == sum(full["violations"].values())
    assert figures["sends"] == sum(v["sends"] for v in sends.values()) > figures["violations"]
    only_web = report.headline(
        state, report.window_sends(demo_db, state.window, DEFAULTS, ["web_checkout"]), ["web_checkout"]
    )
    assert (
        only_web["lawful_reach"]
        == state.eligibility["web_checkout"]["opt_in"] + state.eligibility["web_checkout"]["soft_opt_in"]
    )
