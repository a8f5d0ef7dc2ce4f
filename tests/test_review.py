"""The weekly review: week-over-week deltas on a hand-computed fixture, changed actions first, the summary
built from the figures, and a past review (with its 12-week history) unchanged by data of later weeks."""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import pytest

from analytics import ingest, store
from analytics.report import review
from analytics.settings import DEFAULTS

WEEK_END = dt.date(2026, 3, 15)  # a Sunday: the review week is 2026-03-09 … 2026-03-15
LOOSE = DEFAULTS.replace(min_delivered=1, min_reactions=1)


def _clients(data, prefix: str, source: str = "web", n: int = 4) -> list[str]:
    """n soft-opt-in clients of a source: no opt-in, informed, bought on 2024-06-01."""
    ids = [f"{prefix}{i}" for i in range(1, n + 1)]
    for contact in ids:
        data.contact(contact, source=source, collected_at="2024-01-01").order(contact, "2024-06-01")
    return ids


@pytest.fixture
def weeks(data):
    """Three campaigns to separate sets of web clients (so no unsubscriber is mailed again):

    C, 2026-02-17 (trailing window only): k1 opens and clicks; k2-k4 nothing.
        delivered 4, openers 1, clickers 1, unsubscribers 0
    A, 2026-03-03 (the previous week): a1 opens + clicks, a2 opens + unsubscribes, a3 opens, a4 nothing.
        delivered 4, openers 3, clickers 1, unsubscribers 1
    B, 2026-03-10 (the reviewed week): b1-b3 open + click, b4 unsubscribes; and the new fair source's
        f1, f2 (never mailed before) open + click.
        web: delivered 4, openers 3, clickers 3, unsubscribers 1
    """
    k = _clients(data, "k")
    a = _clients(data, "a")
    b = _clients(data, "b")
    f = _clients(data, "f", source="fair", n=2)
    data.campaign("C", "2026-02-17T09:00:00").campaign("A", "2026-03-03T09:00:00")
    data.campaign("B", "2026-03-10T09:00:00")
    data.send("C", k[0], "2026-02-17T09:00:00", opens=1, clicks=1)
    for contact in k[1:]:
        data.send("C", contact, "2026-02-17T09:00:00")
    data.send("A", a[0], "2026-03-03T09:00:00", opens=1, clicks=1)
    data.send("A", a[1], "2026-03-03T09:00:00", opens=1, unsubscribe=True)
    data.send("A", a[2], "2026-03-03T09:00:00", opens=1)
    data.send("A", a[3], "2026-03-03T09:00:00")
    for contact in b[:3] + f:
        data.send("B", contact, "2026-03-10T09:00:00", opens=1, clicks=1)
    data.send("B", b[3], "2026-03-10T09:00:00", unsubscribe=True)
    return data.load()


def test_week_over_week_deltas_in_points(weeks):
    result = review.build_review(weeks, WEEK_END, LOOSE)
    web = next(s for s in result.sources if s.collection_source == "web")
    assert web.delivered == 4
    rates = web.rates
    # dissatisfaction: this week 1 / (3 + 1) = 0.25; last week 1 / (1 + 1) = 0.5 → −25.0 points;
    # trailing (2026-02-09 … 03-08: C and A) 1 / (2 + 1) = 1/3 → 0.25 − 0.3333 = −8.33 points
    assert rates["dissatisfaction_rate"].current == pytest.approx(0.25)
    assert rates["dissatisfaction_rate"].previous == pytest.approx(0.5)
    assert rates["dissatisfaction_rate"].trailing == pytest.approx(1 / 3)
    assert rates["dissatisfaction_rate"].delta_points == pytest.approx(-25.0)
    assert rates["dissatisfaction_rate"].trailing_delta_points == pytest.approx(-25 / 3)
    # open: 3/4 both weeks → 0 points; trailing 4/8 = 0.5 → +25 points
    assert rates["open_rate"].delta_points == pytest.approx(0.0)
    assert rates["open_rate"].trailing_delta_points == pytest.approx(25.0)
    # click: 3/4 this week, 1/4 last week → +50 points; trailing 2/8 → +50 points
    assert rates["click_rate"].delta_points == pytest.approx(50.0)
    assert rates["click_rate"].trailing_delta_points == pytest.approx(50.0)
    # unsubscribe: 1/4 both weeks; trailing 1/8 → +12.5 points
    assert rates["unsubscribe_rate"].delta_points == pytest.approx(0.0)
    assert rates["unsubscribe_rate"].trailing_delta_points == pytest.approx(12.5)
    # no complaint anywhere: 0 this week and last week
    assert rates["complaint_rate"].delta_points == pytest.approx(0.0)


def test_a_week_without_data_has_no_delta(weeks):
    result = review.build_review(weeks, WEEK_END, LOOSE)
    fair = next(s for s in result.sources if s.collection_source == "fair")
    # fair was first mailed this week: its previous week has no delivered send, so no rate and no delta
    assert fair.rates["click_rate"].current == pytest.approx(1.0)
    assert fair.rates["click_rate"].previous is None
    assert fair.rates["click_rate"].delta_points is None


def test_changed_actions_come_first_and_the_summary_names_them(weeks):
    result = review.build_review(weeks, WEEK_END, LOOSE)
    # fair: never mailed by 2026-03-08 → welcome_first; this week dissatisfaction 0 / (2 + 0) = 0 with open
    # and click rates of 100% against a baseline of 5/6 opens, 5/6 clicks (web + fair) → ramp_up.
    # web: 4-week window 02-16 … 03-15 holds C, A and B: 2 unsubscribers / (5 clickers + 2) = 28.6% → hold,
    # as last week (C and A: 1 / 3 = 33.3% → hold).
    assert [(s.collection_source, s.previous_action, s.action) for s in result.sources] == [
        ("fair", "welcome_first", "ramp_up"),
        ("web", "hold", "hold"),
    ]
    assert [s.collection_source for s in result.changed] == ["fair"]
    assert "fair (Welcome first → Ramp up)" in result.summary
    assert result.summary.startswith("No source needs attention")


def test_summary_names_sources_needing_attention_with_their_figures(weeks):
    # With stop_above at 20%, web (28.6% over the window) must stop; last week (33.3%) it stopped already.
    result = review.build_review(weeks, WEEK_END, LOOSE.replace(stop_above=0.2, ramp_up_below=0.1))
    web = next(s for s in result.sources if s.collection_source == "web")
    assert (web.previous_action, web.action) == ("stop", "stop")
    # the window's rate (the one the action was decided on: 2 unsubscribers / (5 clickers + 2) = 28.6%) comes
    # first with its span, then the week's (1 / (3 + 1) = 25.0%), labelled as the week's
    assert web.window_dissatisfaction == pytest.approx(2 / 7)
    assert result.summary.startswith(
        "One source needs attention: web (Stop: dissatisfaction 28.6% over the last 4 weeks, 25.0% this week)."
    )


def test_violations_retention_and_evidence_of_the_week(data):
    # p1: a prospect (no order) mailed on 2026-03-10 → one unlawful send this week, none the week before.
    # old1: last contact 2023-03-12 (collected, no order) → retention ends 2026-03-12: expired during the week.
    # soon1: soft opt-in, last order 2023-04-01 → limit 2026-04-01, within 30 days of 2026-03-15.
    # kiosk: a source first seen on 2026-03-11, not in the registry → newly missing evidence.
    data.contact("p1", source="web", collected_at="2025-01-01")
    data.contact("old1", source="web", collected_at="2023-03-12")
    data.contact("soon1", source="web", collected_at="2023-01-01").order("soon1", "2023-04-01")
    data.contact("n1", source="kiosk", collected_at="2026-03-11")
    data.source("web", channel="web_form", notice_shown="true", evidence="form.png")
    data.campaign("B", "2026-03-10T09:00:00", name="Spring sale").send("B", "p1", "2026-03-10T09:00:00")
    con = data.load()
    result = review.build_review(con, WEEK_END, DEFAULTS)
    assert [
        (v["campaign_name"], v["collection_source"], v["basis"], v["sends"]) for v in result.violations
    ] == [("Spring sale", "web", "prospect", 1)]
    assert result.previous_violations == 0
    assert {r["collection_source"]: (r["newly_expired"], r["expiring_soon"]) for r in result.retention} == {
        "web": (1, 1)
    }
    assert result.evidence == (
        {"collection_source": "kiosk", "reasons": ("not in the registry",), "new": True},
    )
    assert "1 marketing send(s) this week had no lawful basis (prospect 1), against 0 the week before" in (
        result.summary
    )
    assert "1 contact(s) passed the 3-year limit this week" in result.summary
    assert "New source(s) without evidence that contacts were informed: kiosk" in result.summary


def test_last_complete_week_end():
    # Latest send on Sunday 2026-11-22, reviewed the next Sunday: that week (16-22 Nov) is complete.
    assert review.last_complete_week_end(dt.date(2026, 11, 22), dt.date(2026, 11, 29)) == dt.date(
        2026, 11, 22
    )
    # A send on Monday 23 Nov, reviewed on Wednesday 25: the week of the 23rd is not over.
    assert review.last_complete_week_end(dt.date(2026, 11, 23), dt.date(2026, 11, 25)) == dt.date(
        2026, 11, 22
    )
    # Data up to today, a Sunday: today's week is not over until tomorrow.
    assert review.last_complete_week_end(dt.date(2026, 11, 29), dt.date(2026, 11, 29)) == dt.date(
        2026, 11, 22
    )
    assert review.last_complete_week_end(None, dt.date(2026, 11, 30)) == dt.date(2026, 11, 29)


def _demo_as_it_stood(con: duckdb.DuckDBPyConnection, day: dt.date, folder) -> None:
    """Load the demo brand as its exports would have looked on `day`: rows dated later left out, and
    opt-outs recorded after that day not yet known."""
    demo_dir = store.PROJECT_ROOT / "data" / "demo"
    cuts = {
        "contacts": "select * replace (case when opted_out_at::date <= $day then opted_out_at end as opted_out_at) "
        "from read_csv('{path}', all_varchar=true) where collected_at::date <= $day",
        "orders": "select * from read_csv('{path}', all_varchar=true) where order_date::date <= $day",
        "campaigns": "select * from read_csv('{path}', all_varchar=true) where sent_at::timestamp::date <= $day",
        "events": "select * from read_csv('{path}', all_varchar=true) where occurred_at::timestamp::date <= $day",
        "campaign_stats": "select * from read_csv('{path}', all_varchar=true) "
        "where sent_at::timestamp::date <= $day",
    }
    paths = []
    scratch = duckdb.connect()
    for path in sorted(demo_dir.glob("*.csv.gz")):
        table = path.name.removesuffix(".csv.gz")
        query = cuts.get(table, "select * from read_csv('{path}', all_varchar=true)").format(path=path)
        target = folder / f"{table}.csv"
        scratch.execute(f"copy ({query}) to '{target}' (header)", {"day": day} if "$day" in query else {})
        paths.append(target)
    ingest.ingest_files(con, paths)


def test_a_past_review_and_its_history_do_not_change_when_later_weeks_arrive(tmp_path):
    # The demo as it stood on Sunday 2026-10-25, reviewed; then the full demo (four more weeks of campaigns,
    # events, orders, contacts and opt-outs) is loaded on top: the review of that week is identical.
    week_end = dt.date(2026, 10, 25)
    con = store.connect(tmp_path / "review.duckdb")
    (tmp_path / "cut").mkdir()
    _demo_as_it_stood(con, week_end, tmp_path / "cut")
    before = review.build_review(con, week_end, DEFAULTS)
    ingest.ingest_files(con, sorted((store.PROJECT_ROOT / "data" / "demo").glob("*.csv.gz")))
    assert con.execute("select max(occurred_at)::date from events").fetchone()[0] > week_end
    after = review.build_review(con, week_end, DEFAULTS)
    assert len(before.history) == 12 * len(before.sources)
    assert dataclasses.asdict(after) == dataclasses.asdict(before)
    # ... while a review of a later week does see the new data.
    assert review.build_review(con, dt.date(2026, 11, 22), DEFAULTS).history != before.history


def test_a_review_ending_mid_week_compares_with_the_seven_days_before(weeks):
    # Wednesday 2026-03-11: the "week" is 03-05 … 03-11 (B on 03-10), the one before 02-26 … 03-04 (A on 03-03).
    result = review.build_review(weeks, dt.date(2026, 3, 11), LOOSE)
    web = next(s for s in result.sources if s.collection_source == "web")
    assert (result.week.start, result.week.end) == (dt.date(2026, 3, 5), dt.date(2026, 3, 11))
    assert web.rates["dissatisfaction_rate"].current == pytest.approx(0.25)
    assert web.rates["dissatisfaction_rate"].previous == pytest.approx(0.5)
    # the history still runs by ISO week, cut at the review date
    assert sorted({h["week_end"] for h in result.history})[-2:] == [dt.date(2026, 3, 8), dt.date(2026, 3, 11)]
