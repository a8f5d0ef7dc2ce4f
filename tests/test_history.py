"""Several report dates in one pass: each date's figures equal those computed alone, history never changes
when later data arrives, and the weekly series and headline figures equal values computed by hand on tiny
fixtures, an ISO week across the new year included."""

from __future__ import annotations

import dataclasses
import datetime as dt

from analytics import demo
from analytics.report import cohorts as report
from analytics.report import digest, review
from analytics.report import html as html_report
from analytics.settings import DEFAULTS
from tests.builders import DataBuilder


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
    # By hand: week_ends(2025-03-09, 2) = 03-02 and 03-09.
    #   03-02: k1 (03-03) not yet sent → never mailed; c1 bought on 01-10, so 1 soft-opt-in client → welcome_first.
    #   03-09: 1 delivered (≥ 1), 0 reactions (≥ 0) but nobody clicked or unsubscribed → dissatisfaction null
    #   → insufficient_data with that one reason.
    assert before == [
        {
            "week_end": dt.date(2025, 3, 2),
            "collection_source": "web",
            "action": "welcome_first",
            "reasons": [
                "No soft-opt-in marketing email has ever been sent to 1 soft-opt-in client(s) of this source: "
                "start with a welcome series (2–3 emails with a visible unsubscribe link), then editorial "
                "newsletters, then promotions."
            ],
        },
        {
            "week_end": dt.date(2025, 3, 9),
            "collection_source": "web",
            "action": "insufficient_data",
            "reasons": ["The dissatisfaction rate cannot be computed: nobody clicked or unsubscribed."],
        },
    ]
    data.rows = {name: [] for name in data.rows}
    data.campaign("k2", "2025-03-12T09:00:00").send("k2", "c1", "2025-03-12T09:00:00", unsubscribe=True)
    data.event("k1", "c1", "click", "2025-03-11T10:00:00")
    from analytics import ingest

    ingest.ingest_files(con, data.write())
    after = report.action_history(con, dt.date(2025, 3, 9), 2, settings)
    assert after == before
    # ... while the week that holds the new data does change: as of 2025-03-16 (window 02-17 … 03-16) k1 and k2
    # are 2 delivered soft-opt-in sends (c1's opposition on 03-12 is not before k2's send that day), with 1
    # clicker (k1) and 1 unsubscriber (k2) → dissatisfaction 1 / (1 + 1) = 0.5 > 0.40 → stop.
    later = report.cohort_state(con, dt.date(2025, 3, 16), settings)
    row = later.rows[0]
    assert (row["delivered"], row["clickers"], row["unsubscribers"]) == (2, 1, 1)
    assert row["dissatisfaction_rate"] == 0.5
    assert later.recommendations["web"].action == "stop"


# --- a tiny brand for the weekly series and the headline ---------------------------------------------------
# Report date T = 2025-03-16, a Sunday: ISO weeks 2025-W10 (03-03 … 03-09) and 2025-W11 (03-10 … 03-16); the
# default 4-week window is 2025-02-17 … 2025-03-16. Contacts (collected 2024-01-01 unless said):
#   web:   s1, s2 soft opt-in clients (bought 2025-01-10); o1 opt_in; p1 no purchase (prospect)
#   store: x1 soft opt-in client; e1 collected 2021-01-01, bought 2021-06-01 → retention ended 2024-06-01
#          (expired); z1 collected and bought 2022-04-01 → retention ends 2025-04-01, within T+1 … T+90
#          (expiring soon), never mailed
# Sends (promo):
#   k1 2025-03-04 (W10): s1 opens + clicks; s2 unsubscribes; o1 opens; p1 opens (prospect); e1 opens (expired)
#   k2 2025-03-11 (W11): s1 opens; x1 clicks; o1 bounces
HEADLINE_T = dt.date(2025, 3, 16)


def tiny_brand(data: DataBuilder):
    for contact, source in (("s1", "web"), ("s2", "web"), ("x1", "store")):
        data.contact(contact, source=source).order(contact, "2025-01-10")
    data.contact("o1", source="web", consent="opt_in").contact("p1", source="web")
    data.contact("e1", source="store", collected_at="2021-01-01").order("e1", "2021-06-01")
    data.contact("z1", source="store", collected_at="2022-04-01").order("z1", "2022-04-01")
    k1, k2 = "2025-03-04T09:00:00", "2025-03-11T09:00:00"
    data.campaign("k1", k1).campaign("k2", k2)
    data.send("k1", "s1", k1, opens=1, clicks=1).send("k1", "s2", k1, unsubscribe=True)
    data.send("k1", "o1", k1, opens=1).send("k1", "p1", k1, opens=1).send("k1", "e1", k1, opens=1)
    data.send("k2", "s1", k2, opens=1).send("k2", "x1", k2, clicks=1).send("k2", "o1", k2, delivered=False)
    return data.load()


def test_weekly_rates_by_hand(data):
    con = tiny_brand(data)
    weekly = report.weekly_rates(con, HEADLINE_T, 2, DEFAULTS)
    got = [
        (
            r.week_start.date(),
            r.week_end.date(),
            None if r.collection_source is None else r.collection_source,
            r.delivered,
            r.openers,
            r.clickers,
            r.unsubscribers,
            r.complainers,
        )
        for r in weekly.astype(object).where(weekly.notna(), None).itertuples()
    ]
    # Only lawful sends (soft_opt_in per source; opt_in + soft_opt_in for the baseline, source None): p1's and
    # e1's sends are in no series. A bounced send (o1 in k2) is not delivered.
    w10, w11 = dt.date(2025, 3, 3), dt.date(2025, 3, 10)
    assert got == [
        # W10 baseline: s1, s2, o1 delivered; openers s1, o1; clicker s1; unsubscriber s2
        (w10, dt.date(2025, 3, 9), None, 3, 2, 1, 1, 0),
        # W10 web: s1, s2 delivered; opener s1; clicker s1; unsubscriber s2 (store has no W10 send: no row)
        (w10, dt.date(2025, 3, 9), "web", 2, 1, 1, 1, 0),
        # W11 baseline: s1, x1 delivered (o1 bounced); opener s1; clicker x1
        (w11, dt.date(2025, 3, 16), None, 2, 1, 1, 0, 0),
        # W11 store: x1 delivered and clicked; W11 web: s1 delivered and opened
        (w11, dt.date(2025, 3, 16), "store", 1, 0, 1, 0, 0),
        (w11, dt.date(2025, 3, 16), "web", 1, 1, 0, 0, 0),
    ]
    rates = weekly[["open_rate", "click_rate", "unsubscribe_rate", "complaint_rate", "dissatisfaction_rate"]]
    rows = [[None if v != v else v for v in row] for row in rates.itertuples(index=False)]
    assert rows[0] == [2 / 3, 1 / 3, 1 / 3, 0.0, 0.5]  # dissatisfaction 1 / (1 + 1)
    assert rows[1] == [0.5, 0.5, 0.5, 0.0, 0.5]
    assert rows[2] == [0.5, 0.5, 0.0, 0.0, 0.0]  # 0 / (1 + 0)
    assert rows[3] == [0.0, 1.0, 0.0, 0.0, 0.0]
    assert rows[4] == [1.0, 0.0, 0.0, 0.0, None]  # nobody clicked or unsubscribed: 0 / 0 → null
    # The two weeks are the 2-week window: web delivered 2 + 1 = 3, openers 1 + 1 = 2, clickers 1, unsub 1.
    state = report.cohort_state(con, HEADLINE_T, DEFAULTS.replace(window_weeks=2))
    web = next(r for r in state.rows if r["collection_source"] == "web")
    assert (web["delivered"], web["openers"], web["clickers"], web["unsubscribers"]) == (3, 2, 1, 1)
    assert state.baseline["delivered"] == 5


def test_headline_figures_by_hand(data):
    con = tiny_brand(data)
    state = report.cohort_state(con, HEADLINE_T, DEFAULTS)
    # Status on T: web s1 soft_opt_in, s2 objected (unsubscribed 03-04), o1 opt_in, p1 prospect;
    # store x1 soft_opt_in, z1 soft_opt_in (expiring soon), e1 expired.
    # lawful reach = opt_in + soft_opt_in = (1 + 1) + (0 + 2) = 4; soft-opt-in share 3 / 4.
    # sends: k1 5 + k2 3 = 8 (a bounced send is a send); violations: p1 (prospect) + e1 (expired) = 2.
    figures = report.headline(state, report.window_sends(con, state.window, DEFAULTS))
    assert figures == {
        "lawful_reach": 4,
        "soft_opt_in_share": 0.75,
        "sends": 8,
        "violations": 2,
        "to_purge": 1,
        "expiring_soon": 1,
    }
    # Only web: lawful 1 + 1 = 2, share 1 / 2; sends k1 s1, s2, o1, p1 + k2 s1, o1 = 6; 1 violation (p1).
    only_web = report.headline(state, report.window_sends(con, state.window, DEFAULTS, ["web"]), ["web"])
    assert only_web == {
        "lawful_reach": 2,
        "soft_opt_in_share": 0.5,
        "sends": 6,
        "violations": 1,
        "to_purge": 0,
        "expiring_soon": 0,
    }


# --- an ISO week across the new year -----------------------------------------------------------------------
# By hand, and with Python's date.isocalendar(): 2026-12-27 is Sunday (2026, 52, 7); 2026-12-28 Monday
# (2026, 53, 1); 2026-12-31 Thursday (2026, 53, 4); 2027-01-03 Sunday (2026, 53, 7); 2027-01-04 Monday
# (2027, 1, 1); 2027-01-10 Sunday (2027, 1, 7). So 2026-W53 runs 2026-12-28 … 2027-01-03, across the new year,
# and 2027-W01 starts on 2027-01-04. (A %Y-W%V label would wrongly read 2027-W53 for 2027-01-03.)
# Web soft-opt-in clients c1, c2, c3 (bought 2026-06-01), opt_in o1; promo sends:
#   k1 2026-12-24 (W52): c1 opens
#   k2 2026-12-31 (W53): c1 clicks; c2 opens
#   k3 2027-01-03 (W53): c3 unsubscribes
#   k4 2027-01-04 (W01): c1 opens + clicks; o1 opens
NEW_YEAR = {
    "k1": "2026-12-24T09:00:00",
    "k2": "2026-12-31T09:00:00",
    "k3": "2027-01-03T18:00:00",
    "k4": "2027-01-04T08:00:00",
}


def new_year(data: DataBuilder):
    for contact in ("c1", "c2", "c3"):
        data.contact(contact, collected_at="2026-01-01").order(contact, "2026-06-01")
    data.contact("o1", consent="opt_in", collected_at="2026-01-01")
    for campaign, at in NEW_YEAR.items():
        data.campaign(campaign, at)
    data.send("k1", "c1", NEW_YEAR["k1"], opens=1)
    data.send("k2", "c1", NEW_YEAR["k2"], clicks=1).send("k2", "c2", NEW_YEAR["k2"], opens=1)
    data.send("k3", "c3", NEW_YEAR["k3"], unsubscribe=True)
    data.send("k4", "c1", NEW_YEAR["k4"], opens=1, clicks=1).send("k4", "o1", NEW_YEAR["k4"], opens=1)
    return data.load()


def test_an_iso_week_across_the_new_year_is_one_week_of_the_weekly_rates(data):
    con = new_year(data)
    weekly = report.weekly_rates(con, dt.date(2027, 1, 10), 3, DEFAULTS)
    web = weekly[weekly["collection_source"] == "web"]
    assert [d.date() for d in web["week_start"]] == [
        dt.date(2026, 12, 21),
        dt.date(2026, 12, 28),
        dt.date(2027, 1, 4),
    ]
    assert [d.date() for d in web["week_end"]] == [
        dt.date(2026, 12, 27),
        dt.date(2027, 1, 3),
        dt.date(2027, 1, 10),
    ]
    # W52: k1 → 1 delivered, 1 opener. W53: k2 and k3 together → 3 delivered (c1, c2, c3), 1 opener (c2),
    # 1 clicker (c1), 1 unsubscriber (c3) → dissatisfaction 1 / (1 + 1) = 0.5. W01: k4 → 1 delivered, opened
    # and clicked → dissatisfaction 0 / 1 = 0.
    assert list(web["delivered"]) == [1, 3, 1]
    assert list(web["openers"]) == [1, 1, 1]
    assert list(web["clickers"]) == [0, 1, 1]
    assert list(web["unsubscribers"]) == [0, 1, 0]
    assert list(web["dissatisfaction_rate"].iloc[1:]) == [0.5, 0.0]
    # The baseline's W01 adds o1 (opt_in): 2 delivered, 2 openers, 1 clicker.
    baseline = weekly[weekly["collection_source"].isna()]
    assert list(baseline["delivered"]) == [1, 3, 2]
    assert list(baseline["openers"]) == [1, 1, 2]
    # The week ends of the history: the Sundays 2026-12-27, 2027-01-03 and the report date.
    assert report.week_ends(dt.date(2027, 1, 10), 3) == [
        dt.date(2026, 12, 27),
        dt.date(2027, 1, 3),
        dt.date(2027, 1, 10),
    ]
    # A report date inside 2026-W53 (Friday 2027-01-01): the week is cut at it, the one before ends 2026-12-27.
    assert report.week_ends(dt.date(2027, 1, 1), 2) == [dt.date(2026, 12, 27), dt.date(2027, 1, 1)]


def test_the_review_week_across_the_new_year(data):
    con = new_year(data)
    # Latest send 2027-01-04 (Monday), today 2027-01-06: the last complete ISO week is 2026-W53, ending on
    # Sunday 2027-01-03 — a week of two calendar years.
    assert review.last_complete_week_end(dt.date(2027, 1, 4), dt.date(2027, 1, 6)) == dt.date(2027, 1, 3)
    assert review.week_of(dt.date(2027, 1, 3)) == report.Window(dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    result = review.build_review(con, dt.date(2027, 1, 3), DEFAULTS.replace(min_delivered=1, min_reactions=1))
    [web] = result.sources
    # This week (W53): k2 and k3 → 3 delivered, open 1/3, dissatisfaction 0.5. Last week (W52): k1 → open 1/1,
    # dissatisfaction null (nobody clicked or unsubscribed).
    assert web.delivered == 3
    assert web.rates["open_rate"].current == 1 / 3
    assert web.rates["open_rate"].previous == 1.0
    assert web.rates["dissatisfaction_rate"].current == 0.5
    assert web.rates["dissatisfaction_rate"].previous is None
    assert web.rates["dissatisfaction_rate"].delta_points is None
    # The history's last two week ends are the two Sundays around the new year.
    assert sorted({h["week_end"] for h in result.history})[-2:] == [
        dt.date(2026, 12, 27),
        dt.date(2027, 1, 3),
    ]
    # The week is named by its ISO year: 2026-W53, though it ends in 2027 (never 2027-W53).
    assert digest.digest(result).splitlines()[0] == (
        "optout-cohorts weekly review, week 2026-W53 (28 Dec – 03 Jan 2027)"
    )
    assert html_report.iso_week(dt.date(2027, 1, 3)) == "2026-W53"
    assert html_report.iso_week(dt.date(2027, 1, 4)) == "2027-W01"
