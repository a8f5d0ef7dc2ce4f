"""Given/expect tests for every metric of SPEC §7 (and the violation counts of §9), through the report.

Unless a test says otherwise the report date T is 2025-03-28, so the default 4-week window is
2025-03-01 … 2025-03-28, and a "client" is a contact with consent `none` who bought on 2025-01-10: every
marketing send to them in the window has basis soft_opt_in and counts in the cohort of their source.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from analytics.report import cohorts as report
from tests.builders import DataBuilder, build_report, cohort

T = "2025-03-28"
IN_WINDOW = "2025-03-10T09:00:00"


def client(data: DataBuilder, contact_id: str, source: str = "web", consent: str = "none", **optional):
    """A contact with a purchase before every send: soft_opt_in (consent none) or opt_in when mailed."""
    return data.contact(contact_id, source=source, consent=consent, **optional).order(
        contact_id, "2025-01-10"
    )


def web(report: dict) -> dict:
    return cohort(report, "web")["metrics"]


# --- opens, clicks, unsubscribes: counted per delivered send ---------------------------------------------


def test_machine_opens_do_not_make_an_opener(data):
    # c1: only a machine open → not an opener; c2: machine + human open → one opener; c3: no open.
    # 3 delivered sends, 1 human opener → open_rate 1/3.
    for c in ("c1", "c2", "c3"):
        client(data, c)
    con = (
        data.campaign("k1", IN_WINDOW)
        .send("k1", "c1", IN_WINDOW, machine_opens=1)
        .send("k1", "c2", IN_WINDOW, opens=1, machine_opens=1)
        .send("k1", "c3", IN_WINDOW)
        .load()
    )
    m = web(build_report(con, T))
    assert (m["delivered"], m["openers"]) == (3, 1)
    assert m["open_rate"] == pytest.approx(1 / 3)


def test_five_clicks_in_one_campaign_make_one_clicker(data):
    # c1 clicks five times in k1, c2 does not click: 2 delivered, 1 clicker → click_rate 1/2.
    client(data, "c1")
    client(data, "c2")
    con = (
        data.campaign("k1", IN_WINDOW)
        .send("k1", "c1", IN_WINDOW, clicks=5)
        .send("k1", "c2", IN_WINDOW)
        .load()
    )
    m = web(build_report(con, T))
    assert (m["delivered"], m["clickers"]) == (2, 1)
    assert m["click_rate"] == 0.5
    # 1 clicker, 0 unsubscribers → dissatisfaction 0 / 1 = 0
    assert m["dissatisfaction_rate"] == 0.0


def test_an_unsubscribe_is_not_a_click(data):
    # c1 unsubscribes (the unsubscribe link is an `unsubscribe` event): 0 clickers, 1 unsubscriber
    # → click_rate 0/1 = 0, unsubscribe_rate 1/1, dissatisfaction 1 / (0 + 1) = 1.
    client(data, "c1")
    con = data.campaign("k1", IN_WINDOW).send("k1", "c1", IN_WINDOW, unsubscribe=True).load()
    m = web(build_report(con, T))
    assert (m["clickers"], m["unsubscribers"]) == (0, 1)
    assert (m["click_rate"], m["unsubscribe_rate"], m["dissatisfaction_rate"]) == (0.0, 1.0, 1.0)


def test_reactions_count_only_on_delivered_sends(data):
    # c1: bounced, yet the export shows an open and a click → not delivered, not an opener, not a clicker.
    # c2: delivered, no reaction. → delivered 1, openers 0, clickers 0.
    client(data, "c1")
    client(data, "c2")
    con = (
        data.campaign("k1", IN_WINDOW)
        .send("k1", "c1", IN_WINDOW, delivered=False, opens=1, clicks=1)
        .send("k1", "c2", IN_WINDOW)
        .load()
    )
    m = web(build_report(con, T))
    assert (m["delivered"], m["openers"], m["clickers"]) == (1, 0, 0)
    assert (m["open_rate"], m["click_rate"]) == (0.0, 0.0)


def test_without_delivered_events_delivered_means_not_bounced(data):
    # The data has `sent` events but no `delivered` event at all.
    # c1: sent + human open → delivered (no bounce), opener; c2: sent + bounce + click → not delivered, so
    # not a clicker; c3: sent only → delivered. → delivered 2, openers 1, clickers 0 → open_rate 1/2.
    for c in ("c1", "c2", "c3"):
        client(data, c)
    con = (
        data.campaign("k1", IN_WINDOW)
        .event("k1", "c1", "sent", IN_WINDOW)
        .event("k1", "c1", "open", IN_WINDOW)
        .event("k1", "c2", "sent", IN_WINDOW)
        .event("k1", "c2", "bounce", IN_WINDOW)
        .event("k1", "c2", "click", IN_WINDOW)
        .event("k1", "c3", "sent", IN_WINDOW)
        .load()
    )
    m = web(build_report(con, T))
    assert (m["delivered"], m["openers"], m["clickers"]) == (2, 1, 0)
    assert m["open_rate"] == 0.5


def test_without_sent_events_any_event_makes_a_send(data):
    # No `sent` and no `delivered` events at all: c1 has only an open, c2 only a click, c3 only a bounce.
    # Each pair is a send; delivered = sends without a bounce = c1, c2 → delivered 2, openers 1, clickers 1.
    for c in ("c1", "c2", "c3"):
        client(data, c)
    con = (
        data.campaign("k1", IN_WINDOW)
        .event("k1", "c1", "open", IN_WINDOW)
        .event("k1", "c2", "click", IN_WINDOW)
        .event("k1", "c3", "bounce", IN_WINDOW)
        .load()
    )
    m = web(build_report(con, T))
    assert (m["delivered"], m["openers"], m["clickers"]) == (2, 1, 1)
    assert (m["open_rate"], m["click_rate"]) == (0.5, 0.5)


def test_with_sent_events_a_pair_without_sent_is_not_a_send(data):
    # c1: sent + delivered + open → a send. c2: delivered + open + click but no `sent` event, while the data
    # has `sent` events → not a send. → delivered 1, openers 1, clickers 0.
    client(data, "c1")
    client(data, "c2")
    con = (
        data.campaign("k1", IN_WINDOW)
        .send("k1", "c1", IN_WINDOW, opens=1)
        .event("k1", "c2", "delivered", IN_WINDOW)
        .event("k1", "c2", "open", IN_WINDOW)
        .event("k1", "c2", "click", IN_WINDOW)
        .load()
    )
    report = build_report(con, T)
    m = web(report)
    assert (m["delivered"], m["openers"], m["clickers"]) == (1, 1, 0)
    assert report["baseline"]["delivered"] == 1


# --- null rates --------------------------------------------------------------------------------------------


RATES = ("open_rate", "click_rate", "unsubscribe_rate", "complaint_rate", "dissatisfaction_rate")


def test_zero_delivered_makes_every_rate_null(data):
    # Both sends bounced: delivered 0 → every ÷ delivered rate is null (not 0); 0 clickers + 0 unsubscribers
    # → dissatisfaction null; cohort rates null → ratios null. The baseline has the same sends: all null.
    client(data, "c1")
    client(data, "c2")
    con = (
        data.campaign("k1", IN_WINDOW)
        .send("k1", "c1", IN_WINDOW, delivered=False)
        .send("k1", "c2", IN_WINDOW, delivered=False)
        .load()
    )
    report = build_report(con, T)
    m = web(report)
    assert m["delivered"] == 0
    for name in (*RATES, "open_ratio", "click_ratio"):
        assert m[name] is None, name
    for name in RATES:
        assert report["baseline"][name] is None, name


def test_a_source_without_sends_has_null_rates(data):
    # "store" has a client but no send: delivered 0 → every rate and ratio null, counts 0.
    client(data, "c1", source="store")
    client(data, "c2")
    con = data.campaign("k1", IN_WINDOW).send("k1", "c2", IN_WINDOW, opens=1).load()
    m = cohort(build_report(con, T), "store")["metrics"]
    assert (m["delivered"], m["openers"], m["clickers"], m["unsubscribers"], m["complainers"]) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert all(m[name] is None for name in (*RATES, "open_ratio", "click_ratio"))


def test_dissatisfaction_is_null_without_clickers_or_unsubscribers(data):
    # 1 delivered send, opened only: clickers + unsubscribers = 0 → dissatisfaction null, while the
    # ÷ delivered rates are defined: open_rate 1/1, click_rate 0/1 = 0 (not null).
    client(data, "c1")
    con = data.campaign("k1", IN_WINDOW).send("k1", "c1", IN_WINDOW, opens=1).load()
    m = web(build_report(con, T))
    assert m["dissatisfaction_rate"] is None
    assert (m["open_rate"], m["click_rate"], m["unsubscribe_rate"], m["complaint_rate"]) == (
        1.0,
        0.0,
        0.0,
        0.0,
    )


# --- dissatisfaction and complaints ------------------------------------------------------------------------


def test_dissatisfaction_with_and_without_complaints(data):
    # c1 clicks, c2 unsubscribes, c3 complains, c4 nothing: 4 delivered.
    # default: unsubscribers / (clickers + unsubscribers) = 1 / (1 + 1) = 1/2
    # with complaints: (1 + 1) / (1 + 1 + 1) = 2/3; complaint_rate 1/4 either way.
    for c in ("c1", "c2", "c3", "c4"):
        client(data, c)
    con = (
        data.campaign("k1", IN_WINDOW)
        .send("k1", "c1", IN_WINDOW, clicks=1)
        .send("k1", "c2", IN_WINDOW, unsubscribe=True)
        .send("k1", "c3", IN_WINDOW, complaint=True)
        .send("k1", "c4", IN_WINDOW)
        .load()
    )
    default = web(build_report(con, T))
    assert default["complainers"] == 1
    assert default["complaint_rate"] == 0.25
    assert default["dissatisfaction_rate"] == 0.5
    with_complaints = web(build_report(con, T, dissatisfaction_includes_complaints=True))
    assert with_complaints["dissatisfaction_rate"] == pytest.approx(2 / 3)
    assert with_complaints["complaint_rate"] == 0.25


def test_complaints_alone_define_dissatisfaction_only_with_the_setting(data):
    # c1 complains, nobody clicks or unsubscribes: default 0 / 0 → null; with complaints (0 + 1) / (0 + 0 + 1) = 1.
    client(data, "c1")
    con = data.campaign("k1", IN_WINDOW).send("k1", "c1", IN_WINDOW, complaint=True).load()
    assert web(build_report(con, T))["dissatisfaction_rate"] is None
    assert web(build_report(con, T, dissatisfaction_includes_complaints=True))["dissatisfaction_rate"] == 1.0


# --- campaign_stats rows -----------------------------------------------------------------------------------


def test_campaign_stats_rows_add_to_event_sends(data):
    # web from events: c1 delivered, opened, clicked → delivered 1, openers 1, clickers 1.
    # web from campaign_stats (soft_opt_in): delivered 9, openers 3, clickers 1, unsubscribers 2.
    # cohort: delivered 10, openers 4, clickers 2, unsubscribers 2 → open 0.4, click 0.2, unsub 0.2,
    #   dissatisfaction 2 / (2 + 2) = 0.5.
    # baseline adds the lawful opt_in stats row (delivered 10, openers 6, clickers 2) but not the prospect row:
    #   delivered 20, openers 10, clickers 4 → open 0.5, click 0.2 → open_ratio 0.4 / 0.5 = 0.8, click_ratio 1.
    client(data, "c1")
    con = (
        data.campaign("k1", IN_WINDOW)
        .send("k1", "c1", IN_WINDOW, opens=1, clicks=1)
        .stats("k2", IN_WINDOW, "web", "soft_opt_in", delivered=9, openers=3, clickers=1, unsubscribers=2)
        .stats("k2", IN_WINDOW, "web", "opt_in", delivered=10, openers=6, clickers=2)
        .stats("k2", IN_WINDOW, "web", "prospect", delivered=100, openers=100, clickers=100)
        .load()
    )
    report = build_report(con, T)
    m = web(report)
    assert (m["delivered"], m["openers"], m["clickers"], m["unsubscribers"], m["complainers"]) == (
        10,
        4,
        2,
        2,
        0,
    )
    assert m["open_rate"] == pytest.approx(0.4)
    assert m["click_rate"] == pytest.approx(0.2)
    assert m["unsubscribe_rate"] == pytest.approx(0.2)
    assert m["dissatisfaction_rate"] == 0.5
    b = report["baseline"]
    assert (b["delivered"], b["openers"], b["clickers"]) == (20, 10, 4)
    assert (b["open_rate"], b["click_rate"]) == (0.5, 0.2)
    assert m["open_ratio"] == pytest.approx(0.8)
    assert m["click_ratio"] == pytest.approx(1.0)


def test_campaign_stats_rows_outside_the_window_or_of_service_emails_are_ignored(data):
    # Only the first row counts: the second is dated before the window (T − 28), the third is a service email.
    con = (
        data.stats("k1", IN_WINDOW, "partner", "soft_opt_in", delivered=4, openers=1)
        .stats("k0", "2025-02-28", "partner", "soft_opt_in", delivered=50, openers=50)
        .stats("k2", IN_WINDOW, "partner", "soft_opt_in", delivered=50, openers=50, email_type="service")
        .load()
    )
    m = cohort(build_report(con, T), "partner")["metrics"]
    assert (m["delivered"], m["openers"]) == (4, 1)
    assert m["open_rate"] == 0.25


# --- what the metrics leave out ----------------------------------------------------------------------------


def test_events_of_unknown_contacts_are_excluded_from_every_metric(data):
    # "ghost" is not in contacts: its delivered, opened, clicked send counts nowhere.
    # c1: 1 delivered send, no reaction → cohort and baseline: delivered 1, openers 0, clickers 0.
    client(data, "c1")
    con = (
        data.campaign("k1", IN_WINDOW)
        .send("k1", "c1", IN_WINDOW)
        .send("k1", "ghost", IN_WINDOW, opens=1, clicks=1, unsubscribe=True)
        .load()
    )
    report = build_report(con, T)
    for m in (web(report), report["baseline"]):
        assert (m["delivered"], m["openers"], m["clickers"], m["unsubscribers"]) == (1, 0, 0, 0)
    assert set(report["violations"].values()) == {0}
    assert [c["collection_source"] for c in report["cohorts"]] == ["web"]


def test_events_of_unknown_contacts_do_not_change_what_makes_a_send(data):
    # SPEC §4: events of unknown contacts are "excluded from every metric", so they must not decide the data's
    # shape either. Known events: c1 delivered + open, no `sent` event → with no `sent` events among the
    # events that count, any event makes a send: delivered 1, openers 1. The lone `sent` event of "ghost"
    # (unknown) must not turn c1's pair into a non-send.
    client(data, "c1")
    con = (
        data.campaign("k1", IN_WINDOW)
        .event("k1", "c1", "delivered", IN_WINDOW)
        .event("k1", "c1", "open", IN_WINDOW)
        .event("k1", "ghost", "sent", IN_WINDOW)
        .load()
    )
    m = web(build_report(con, T))
    assert (m["delivered"], m["openers"]) == (1, 1)


def test_the_unknown_contacts_warning_counts_every_event_of_a_contact_not_known_on_the_report_date(data):
    # README: "the data-quality warning counts them (those dated by T)" — ids absent from contacts, and contacts
    # collected after T (ignored on T, SPEC §7). By hand, on T = 2025-03-28:
    #   ghost (absent): 2 events on 03-10 (sent, delivered) + 1 open on 03-29 (after T, not counted) → 2;
    #   late (collected 2025-04-05, after T): sent + delivered on 03-10 → 2;
    #   c1 (collected 2024-01-01): known, not counted.
    # → 4 events of 2 contact ids. On 2025-04-10 late is known: only ghost's 3 events (all dated by then), 1 id.
    client(data, "c1")
    data.contact("late", collected_at="2025-04-05")
    con = (
        data.campaign("k1", IN_WINDOW)
        .send("k1", "c1", IN_WINDOW)
        .send("k1", "late", IN_WINDOW)
        .send("k1", "ghost", IN_WINDOW)
        .event("k1", "ghost", "open", "2025-03-29T08:00:00")
        .load()
    )
    [warning] = [w for w in report.data_quality(con, dt.date(2025, 3, 28)) if "contact id" in w]
    assert warning.startswith(
        "4 event(s) of 2 contact id(s) absent from the contacts known on the report date"
    )
    [warning] = [w for w in report.data_quality(con, dt.date(2025, 4, 10)) if "contact id" in w]
    assert warning.startswith("3 event(s) of 1 contact id(s)")


def test_a_campaign_only_seen_in_events_is_a_promo_sent_on_its_earliest_event(data):
    # k9 is not in campaigns; its earliest event is on 2025-03-10 (in the window) → a promo sent then:
    #   c1 delivered + click → counted. k8 is not in campaigns either; its earliest event is on 2025-02-20
    #   (before the window), so its click on 2025-03-05 is not counted. → delivered 1, clickers 1.
    client(data, "c1")
    client(data, "c2")
    con = (
        data.campaign("k1", "2025-01-05")  # a declared campaign elsewhere, so the campaigns table exists
        .send("k9", "c1", IN_WINDOW, clicks=1)
        .send("k8", "c2", "2025-02-20T09:00:00", clicks=1, react_at="2025-03-05T09:00:00")
        .load()
    )
    m = web(build_report(con, T))
    assert (m["delivered"], m["clickers"]) == (1, 1)


def test_a_campaign_without_email_type_counts_as_promo(data):
    # k1 has an empty email_type → promo (marketing): c1's delivered, opened send counts.
    client(data, "c1")
    con = data.campaign("k1", IN_WINDOW, email_type=None).send("k1", "c1", IN_WINDOW, opens=1).load()
    m = web(build_report(con, T))
    assert (m["delivered"], m["openers"]) == (1, 1)


@pytest.mark.parametrize("email_type", ["newsletter", "cart_abandonment", "welcome"])
def test_every_marketing_type_counts(data, email_type):
    client(data, "c1")
    con = data.campaign("k1", IN_WINDOW, email_type=email_type).send("k1", "c1", IN_WINDOW, opens=1).load()
    assert web(build_report(con, T))["openers"] == 1


def test_service_campaigns_are_excluded(data):
    # k1 is a service email: c1's opened, clicked send and p1's send (a prospect, yet no violation: service
    # emails need no consent) count nowhere. k2 (promo) to c1: delivered 1, no reaction.
    client(data, "c1")
    data.contact("p1")  # no purchase: a prospect
    con = (
        data.campaign("k1", IN_WINDOW, email_type="service")
        .campaign("k2", IN_WINDOW)
        .send("k1", "c1", IN_WINDOW, opens=1, clicks=1)
        .send("k1", "p1", IN_WINDOW, opens=1)
        .send("k2", "c1", IN_WINDOW)
        .load()
    )
    report = build_report(con, T)
    for m in (web(report), report["baseline"]):
        assert (m["delivered"], m["openers"], m["clickers"]) == (1, 0, 0)
    assert report["violations"]["prospect"] == 0


# --- the window --------------------------------------------------------------------------------------------


def test_window_boundaries_of_four_weeks(data):
    # T = 2025-03-28, window 2025-03-01 … 2025-03-28.
    # k_first (2025-03-01 = T − 27) and k_last (2025-03-28 = T) are in; k_before (2025-02-28 = T − 28) is out;
    # k_after (2025-03-29, after T) is ignored. Each send delivered and opened → delivered 2, openers 2.
    client(data, "c1")
    for k, at in (
        ("k_before", "2025-02-28T23:59:00"),
        ("k_first", "2025-03-01T00:00:00"),
        ("k_last", "2025-03-28T23:59:00"),
        ("k_after", "2025-03-29T00:00:00"),
    ):
        data.campaign(k, at).send(k, "c1", at, opens=1)
    report = build_report(data.load(), T)
    assert report["window"] == {"start": "2025-03-01", "end": "2025-03-28"}
    m = web(report)
    assert (m["delivered"], m["openers"]) == (2, 2)


def test_a_campaign_dated_after_the_report_date_is_ignored_even_with_earlier_events(data):
    # k1 is declared as sent on 2025-03-29 (after T); its events are dated within the window. The campaign is
    # not known on T → no send. k2 (in the window): delivered 1.
    client(data, "c1")
    con = (
        data.campaign("k1", "2025-03-29T09:00:00")
        .campaign("k2", IN_WINDOW)
        .send("k1", "c1", "2025-03-20T09:00:00", opens=1)
        .send("k2", "c1", IN_WINDOW)
        .load()
    )
    m = web(build_report(con, T))
    assert (m["delivered"], m["openers"]) == (1, 0)


def test_window_of_one_week(data):
    # window_weeks=1 → 2025-03-22 (T − 6) … 2025-03-28: k_in on T − 6 counts, k_out on T − 7 does not.
    client(data, "c1")
    con = (
        data.campaign("k_out", "2025-03-21T09:00:00")
        .campaign("k_in", "2025-03-22T09:00:00")
        .send("k_out", "c1", "2025-03-21T09:00:00", opens=1)
        .send("k_in", "c1", "2025-03-22T09:00:00")
        .load()
    )
    report = build_report(con, T, window_weeks=1)
    assert report["window"] == {"start": "2025-03-22", "end": "2025-03-28"}
    m = web(report)
    assert (m["delivered"], m["openers"]) == (1, 0)


def test_events_after_the_report_date_are_ignored(data):
    # c1 and c2 mailed on 2025-03-20 (in the window). c1 opens and clicks on T + 1 → not counted on T;
    # c2 opens and clicks on T itself (late in the day) → counted. → delivered 2, openers 1, clickers 1.
    client(data, "c1")
    client(data, "c2")
    con = (
        data.campaign("k1", "2025-03-20T09:00:00")
        .send("k1", "c1", "2025-03-20T09:00:00", opens=1, clicks=1, react_at="2025-03-29T08:00:00")
        .send("k1", "c2", "2025-03-20T09:00:00", opens=1, clicks=1, react_at="2025-03-28T23:00:00")
        .load()
    )
    m = web(build_report(con, T))
    assert (m["delivered"], m["openers"], m["clickers"]) == (2, 1, 1)
    # a week later the T + 1 reactions count: 2 openers, 2 clickers
    later = web(build_report(con, "2025-04-04"))
    assert (later["openers"], later["clickers"]) == (2, 2)


# --- the baseline and the ratios ---------------------------------------------------------------------------


def baseline_data(data: DataBuilder):
    # soft_opt_in (web cohort): s1 opens + clicks, s2 nothing → cohort open 1/2, click 1/2.
    # opt_in (same source, not in the cohort): o1 opens + clicks, o2 opens → opt_in open 2/2, click 1/2.
    # prospect p1 opens + clicks: unlawful, in no baseline.
    client(data, "s1")
    client(data, "s2")
    client(data, "o1", consent="opt_in")
    client(data, "o2", consent="opt_in")
    data.contact("p1")
    return (
        data.campaign("k1", IN_WINDOW)
        .send("k1", "s1", IN_WINDOW, opens=1, clicks=1)
        .send("k1", "s2", IN_WINDOW)
        .send("k1", "o1", IN_WINDOW, opens=1, clicks=1)
        .send("k1", "o2", IN_WINDOW, opens=1)
        .send("k1", "p1", IN_WINDOW, opens=1, clicks=1)
        .load()
    )


def test_baseline_is_every_lawful_send(data):
    # lawful baseline = s1, s2, o1, o2: delivered 4, openers 3, clickers 2 → open 3/4, click 1/2.
    # web cohort (s1, s2): open 1/2, click 1/2 → open_ratio (1/2) / (3/4) = 2/3, click_ratio 1.
    report = build_report(baseline_data(data), T)
    b = report["baseline"]
    assert (b["delivered"], b["openers"], b["clickers"]) == (4, 3, 2)
    assert (b["open_rate"], b["click_rate"]) == (0.75, 0.5)
    m = web(report)
    assert (m["delivered"], m["openers"], m["clickers"]) == (2, 1, 1)
    assert m["open_ratio"] == pytest.approx(2 / 3)
    assert m["click_ratio"] == 1.0


def test_baseline_of_opt_in_sends_only(data):
    # baseline="opt_in": o1, o2 → delivered 2, openers 2, clickers 1 → open 1, click 1/2.
    # open_ratio (1/2) / 1 = 1/2, click_ratio (1/2) / (1/2) = 1; the cohort itself is unchanged.
    report = build_report(baseline_data(data), T, baseline="opt_in")
    b = report["baseline"]
    assert (b["delivered"], b["openers"], b["clickers"]) == (2, 2, 1)
    assert (b["open_rate"], b["click_rate"]) == (1.0, 0.5)
    m = web(report)
    assert (m["delivered"], m["openers"], m["clickers"]) == (2, 1, 1)
    assert m["open_ratio"] == 0.5
    assert m["click_ratio"] == 1.0


def test_ratio_is_null_when_the_baseline_rate_is_zero(data):
    # c1 opens, c2 does not; nobody clicks. baseline (= the cohort): open 1/2, click 0/2 = 0.
    # open_ratio (1/2) / (1/2) = 1; click_ratio 0 / 0 → null (not 0).
    client(data, "c1")
    client(data, "c2")
    con = (
        data.campaign("k1", IN_WINDOW).send("k1", "c1", IN_WINDOW, opens=1).send("k1", "c2", IN_WINDOW).load()
    )
    report = build_report(con, T)
    assert report["baseline"]["click_rate"] == 0.0
    m = web(report)
    assert m["open_ratio"] == 1.0
    assert m["click_ratio"] is None


def test_ratio_is_null_when_the_opt_in_baseline_has_no_sends(data):
    # baseline="opt_in" and no opt_in send: baseline delivered 0 → its rates null → both ratios null.
    client(data, "c1")
    con = data.campaign("k1", IN_WINDOW).send("k1", "c1", IN_WINDOW, opens=1, clicks=1).load()
    report = build_report(con, T, baseline="opt_in")
    assert report["baseline"]["delivered"] == 0
    assert report["baseline"]["open_rate"] is None
    m = web(report)
    assert (m["open_ratio"], m["click_ratio"]) == (None, None)


# --- violations --------------------------------------------------------------------------------------------


def test_no_violation_gives_zero_for_every_unlawful_basis(data):
    client(data, "c1")
    con = data.campaign("k1", IN_WINDOW).send("k1", "c1", IN_WINDOW).load()
    assert build_report(con, T)["violations"] == {
        "objected": 0,
        "expired": 0,
        "no_loyalty_consent": 0,
        "not_informed": 0,
        "prospect": 0,
    }


def test_violations_count_the_window_sends_of_each_unlawful_basis(data):
    # In the window (k1 promo, k2 loyalty, 2025-03-10):
    #   x1 consent objected                                   → objected
    #   x2 last contact 2021-06-01, + 3 years < 2025-03-10     → expired
    #   x3 client mailed a loyalty email without consent      → no_loyalty_consent
    #   x4 client with informed=false                         → not_informed
    #   x5 and x6 no purchase                                 → prospect (2 sends)
    # Before the window (k0, 2025-02-20): x5 again → not counted. Service k3 to x5 → not counted.
    data.contact("x1", consent="objected").order("x1", "2025-01-10")
    data.contact("x2", collected_at="2021-01-01").order("x2", "2021-06-01")
    client(data, "x3")
    client(data, "x4", informed=False)
    data.contact("x5").contact("x6")
    con = (
        data.campaign("k0", "2025-02-20T09:00:00")
        .campaign("k1", IN_WINDOW)
        .campaign("k2", IN_WINDOW, email_type="loyalty")
        .campaign("k3", IN_WINDOW, email_type="service")
        .send("k0", "x5", "2025-02-20T09:00:00")
        .send("k1", "x1", IN_WINDOW)
        .send("k1", "x2", IN_WINDOW)
        .send("k2", "x3", IN_WINDOW)
        .send("k1", "x4", IN_WINDOW)
        .send("k1", "x5", IN_WINDOW)
        .send("k1", "x6", IN_WINDOW)
        .send("k3", "x5", IN_WINDOW)
        .load()
    )
    assert build_report(con, T)["violations"] == {
        "objected": 1,
        "expired": 1,
        "no_loyalty_consent": 1,
        "not_informed": 1,
        "prospect": 2,
    }


def test_a_campaign_stats_row_counts_its_sent_else_its_delivered(data):
    # prospect row with sent 120 (delivered 100) → 120; prospect row without sent, delivered 30 → 30;
    # objected row, delivered 7 → 7; an expired row dated before the window → not counted.
    con = (
        data.stats("k1", IN_WINDOW, "partner", "prospect", delivered=100, sent=120)
        .stats("k2", IN_WINDOW, "partner", "prospect", delivered=30)
        .stats("k1", IN_WINDOW, "partner", "objected", delivered=7)
        .stats("k0", "2025-02-28", "partner", "expired", delivered=9, sent=10)
        .load()
    )
    assert build_report(con, T)["violations"] == {
        "objected": 7,
        "expired": 0,
        "no_loyalty_consent": 0,
        "not_informed": 0,
        "prospect": 150,
    }


# --- the cohorts list --------------------------------------------------------------------------------------


def test_cohorts_are_every_source_of_contacts_or_campaign_stats_sorted_by_name(data):
    # contacts: web, call_center; campaign_stats: partner; the registry alone (in_store) adds no cohort.
    con = (
        data.contact("c1", source="web")
        .contact("c2", source="call_center")
        .contact("c3", source="web")
        .source("in_store", channel="in_store")
        .stats("k1", IN_WINDOW, "partner", "soft_opt_in", delivered=5)
        .load()
    )
    report = build_report(con, T)
    assert [c["collection_source"] for c in report["cohorts"]] == ["call_center", "partner", "web"]


def test_what_a_send_is_is_decided_in_one_place():
    # SPEC §7's send (a `sent` event, or any event when the data has none) and delivered send (a `delivered`
    # event, or no bounce when the data has none) are macros/10_send.sql's; a query that tested the data's shape
    # itself would be a second definition that a change of the first would miss.
    sql_dir = Path(__file__).parents[1] / "analytics" / "sql"
    deciding = sorted(
        str(path.relative_to(sql_dir))
        for path in sql_dir.rglob("*.sql")
        if re.search(
            r"(sent|delivered)_events_from\s*<=", re.sub(r"--.*", "", path.read_text(encoding="utf-8"))
        )
    )
    assert deciding == ["macros/10_send.sql"]
