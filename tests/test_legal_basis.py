"""Given/expect tests for the legal basis of a marketing send (SPEC §5) and the data known on the report
date (SPEC §7).

Each test states a tiny fixture; the expected basis is worked out by hand in a comment. The rules, first match
wins, at t = the campaign's sent date: 1 objected, 2 expired, 3 no_loyalty_consent, 4 opt_in, 5 soft_opt_in,
6 not_informed, 7 prospect. Every comparison is between calendar dates.
"""

import datetime as dt

from tests.builders import DataBuilder, build_report, cohort, send_bases, statuses

# A report date after every fixture's data, so nothing is cut off unless a test says so.
LATE = "2028-12-31"


# --- 1. objected -------------------------------------------------------------------------------------------


def test_consent_objected_at_collection_is_objected_even_for_a_client(data):
    # c1 ticked "I don't want offers" at collection (consent objected) and bought on 2025-01-10:
    # rule 1 matches before soft opt-in → objected.
    con = (
        data.contact("c1", consent="objected", collected_at="2025-01-10")
        .order("c1", "2025-01-10")
        .campaign("k1", "2025-03-01T09:00:00")
        .send("k1", "c1", "2025-03-01T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {("k1", "c1"): "objected"}


def test_opted_out_at_strictly_before_the_send_is_objected_and_on_the_send_day_is_not(data):
    # c1 is a soft-opt-in client (order 2025-01-10) who opted out on 2025-03-01.
    # k1 on 2025-02-28: before the opposition → soft_opt_in.
    # k2 on 2025-03-01: opposition 2025-03-01 is not < 2025-03-01 (strictly before) → soft_opt_in.
    # k3 on 2025-03-02: 2025-03-01 < 2025-03-02 → objected.
    con = (
        data.contact("c1", collected_at="2025-01-10", opted_out_at="2025-03-01")
        .order("c1", "2025-01-10")
        .campaign("k1", "2025-02-28T09:00:00")
        .campaign("k2", "2025-03-01T09:00:00")
        .campaign("k3", "2025-03-02T09:00:00")
        .send("k1", "c1", "2025-02-28T09:00:00")
        .send("k2", "c1", "2025-03-01T09:00:00")
        .send("k3", "c1", "2025-03-02T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {
        ("k1", "c1"): "soft_opt_in",
        ("k2", "c1"): "soft_opt_in",
        ("k3", "c1"): "objected",
    }


def test_an_unsubscribe_event_objects_to_the_later_sends_only(data):
    # c1 soft-opt-in client; unsubscribes from k1 on its send day 2025-03-01 (no opted_out_at in the CRM).
    # Opposition time = 2025-03-01.
    # k1 on 2025-03-01: not strictly after the opposition → soft_opt_in.
    # k2 on 2025-03-08: 2025-03-01 < 2025-03-08 → objected.
    con = (
        data.contact("c1", collected_at="2025-01-10")
        .order("c1", "2025-01-10")
        .campaign("k1", "2025-03-01T09:00:00")
        .campaign("k2", "2025-03-08T09:00:00")
        .send("k1", "c1", "2025-03-01T09:00:00", unsubscribe=True, react_at="2025-03-01T10:00:00")
        .send("k2", "c1", "2025-03-08T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {("k1", "c1"): "soft_opt_in", ("k2", "c1"): "objected"}


def test_a_complaint_event_objects_to_the_later_sends_only(data):
    # c1 opt_in; marks k1 as spam on 2025-03-02 (the day after its send). Opposition time = 2025-03-02.
    # k1 on 2025-03-01: the complaint came after it → opt_in.
    # k2 on 2025-03-02: same day, not strictly before → opt_in.
    # k3 on 2025-03-03: 2025-03-02 < 2025-03-03 → objected.
    con = (
        data.contact("c1", consent="opt_in", collected_at="2025-01-10")
        .campaign("k1", "2025-03-01T09:00:00")
        .campaign("k2", "2025-03-02T09:00:00")
        .campaign("k3", "2025-03-03T09:00:00")
        .send("k1", "c1", "2025-03-01T09:00:00", complaint=True, react_at="2025-03-02T08:00:00")
        .send("k2", "c1", "2025-03-02T09:00:00")
        .send("k3", "c1", "2025-03-03T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {
        ("k1", "c1"): "opt_in",
        ("k2", "c1"): "opt_in",
        ("k3", "c1"): "objected",
    }


def test_opposition_time_is_the_earliest_of_opted_out_at_and_the_first_unsubscribe(data):
    # c1: CRM says opted out on 2025-06-01, but the ESP recorded an unsubscribe on 2025-03-01.
    # Opposition time = min(2025-06-01, 2025-03-01) = 2025-03-01, so k2 on 2025-03-08 → objected.
    con = (
        data.contact("c1", collected_at="2025-01-10", opted_out_at="2025-06-01")
        .order("c1", "2025-01-10")
        .campaign("k1", "2025-03-01T09:00:00")
        .campaign("k2", "2025-03-08T09:00:00")
        .send("k1", "c1", "2025-03-01T09:00:00", unsubscribe=True)
        .send("k2", "c1", "2025-03-08T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {("k1", "c1"): "soft_opt_in", ("k2", "c1"): "objected"}


# --- 2. expired --------------------------------------------------------------------------------------------


def test_a_send_after_the_retention_limit_is_expired(data):
    # c1 collected and bought on 2022-01-10, nothing since: limit 2022-01-10 + 3 years = 2025-01-10.
    # k1 on 2025-01-10 is not after the limit → soft_opt_in; k2 on 2025-01-11 → expired.
    con = (
        data.contact("c1", collected_at="2022-01-10")
        .order("c1", "2022-01-10")
        .campaign("k1", "2025-01-10T09:00:00")
        .campaign("k2", "2025-01-11T09:00:00")
        .send("k1", "c1", "2025-01-10T09:00:00")
        .send("k2", "c1", "2025-01-11T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {("k1", "c1"): "soft_opt_in", ("k2", "c1"): "expired"}


# --- 3. no_loyalty_consent ---------------------------------------------------------------------------------


def test_a_loyalty_campaign_needs_loyalty_consent_true(data):
    # One loyalty campaign k1 (and one promo p1) on 2025-03-01; every contact collected 2025-01-10.
    # no_lc: opt_in, loyalty_consent false → loyalty: no_loyalty_consent; promo: opt_in (rule 3 is loyalty only).
    # empty_lc: opt_in, loyalty_consent empty ("not true") → no_loyalty_consent.
    # opt_lc: opt_in, loyalty_consent true → rule 3 passes, rule 4 → opt_in.
    # soft_lc: consent none, bought 2025-01-10, loyalty_consent true → rule 5 → soft_opt_in.
    # pros_lc: consent none, never bought, loyalty_consent true (joined the programme, no purchase) → prospect.
    con = (
        data.contact("no_lc", consent="opt_in", collected_at="2025-01-10", loyalty_consent=False)
        .contact("empty_lc", consent="opt_in", collected_at="2025-01-10")
        .contact("opt_lc", consent="opt_in", collected_at="2025-01-10", loyalty_consent=True)
        .contact("soft_lc", collected_at="2025-01-10", loyalty_consent=True)
        .contact("pros_lc", collected_at="2025-01-10", loyalty_consent=True)
        .order("soft_lc", "2025-01-10")
        .campaign("k1", "2025-03-01T09:00:00", email_type="loyalty")
        .campaign("p1", "2025-03-01T10:00:00", email_type="promo")
        .send("k1", "no_lc", "2025-03-01T09:00:00")
        .send("k1", "empty_lc", "2025-03-01T09:00:00")
        .send("k1", "opt_lc", "2025-03-01T09:00:00")
        .send("k1", "soft_lc", "2025-03-01T09:00:00")
        .send("k1", "pros_lc", "2025-03-01T09:00:00")
        .send("p1", "no_lc", "2025-03-01T10:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {
        ("k1", "no_lc"): "no_loyalty_consent",
        ("k1", "empty_lc"): "no_loyalty_consent",
        ("k1", "opt_lc"): "opt_in",
        ("k1", "soft_lc"): "soft_opt_in",
        ("k1", "pros_lc"): "prospect",
        ("p1", "no_lc"): "opt_in",
    }


# --- 4. opt_in ---------------------------------------------------------------------------------------------


def test_opt_in_needs_no_purchase_and_no_notice(data):
    # c1: explicit opt_in, never bought, informed false: rule 4 matches before 6 and 7 → opt_in.
    con = (
        data.contact("c1", consent="opt_in", collected_at="2025-01-10", informed=False)
        .campaign("k1", "2025-03-01T09:00:00", email_type="newsletter")
        .send("k1", "c1", "2025-03-01T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {("k1", "c1"): "opt_in"}


# --- 5. soft_opt_in, 7. prospect ---------------------------------------------------------------------------


def test_an_order_dated_on_the_send_day_counts_and_an_order_after_the_send_does_not(data):
    # c1 (consent none) buys on 2025-03-01.
    # k0 on 2025-02-28: no order dated <= 2025-02-28 → prospect (the later order does not help).
    # k1 on 2025-03-01T18:00: order_date 2025-03-01 <= 2025-03-01 → soft_opt_in.
    con = (
        data.contact("c1", collected_at="2025-01-10")
        .order("c1", "2025-03-01")
        .campaign("k0", "2025-02-28T09:00:00", email_type="cart_abandonment")
        .campaign("k1", "2025-03-01T18:00:00")
        .send("k0", "c1", "2025-02-28T09:00:00")
        .send("k1", "c1", "2025-03-01T18:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {("k0", "c1"): "prospect", ("k1", "c1"): "soft_opt_in"}


def test_a_contact_without_any_purchase_is_a_prospect_even_when_uninformed(data):
    # pros: account only, never bought → prospect.
    # pros_uninformed: never bought, informed false: rule 6 needs an order → prospect.
    con = (
        data.contact("pros", collected_at="2025-01-10")
        .contact("pros_uninformed", collected_at="2025-01-10", informed=False)
        .campaign("k1", "2025-03-01T09:00:00", email_type="welcome")
        .send("k1", "pros", "2025-03-01T09:00:00")
        .send("k1", "pros_uninformed", "2025-03-01T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {("k1", "pros"): "prospect", ("k1", "pros_uninformed"): "prospect"}


# --- 6. not_informed and the source registry ---------------------------------------------------------------


def test_informed_comes_from_the_contact_else_the_registry_else_is_assumed(data):
    # Every contact: consent none, bought on 2025-01-10, mailed k1 on 2025-03-01.
    # own_false: informed false on the contact → not_informed.
    # own_true_reg_false: the contact's own true wins over its source's notice_shown false → soft_opt_in.
    # reg_false: informed empty, registry "phone" says notice_shown false → not_informed.
    # reg_true: informed empty, registry "web" says true → soft_opt_in.
    # reg_unknown: informed empty, registry "shop" says unknown → treated as informed → soft_opt_in.
    # no_reg: informed empty, source "partner" absent from the registry → treated as informed → soft_opt_in.
    contacts = {
        "own_false": ("web", False),
        "own_true_reg_false": ("phone", True),
        "reg_false": ("phone", None),
        "reg_true": ("web", None),
        "reg_unknown": ("shop", None),
        "no_reg": ("partner", None),
    }
    data.source("phone", channel="phone", notice_shown="false")
    data.source("web", channel="web_form", notice_shown="true")
    data.source("shop", channel="in_store", notice_shown="unknown")
    data.campaign("k1", "2025-03-01T09:00:00")
    for contact_id, (source, informed) in contacts.items():
        data.contact(contact_id, source=source, collected_at="2025-01-10", informed=informed)
        data.order(contact_id, "2025-01-10")
        data.send("k1", contact_id, "2025-03-01T09:00:00")
    con = data.load()
    assert send_bases(con, LATE) == {
        ("k1", "own_false"): "not_informed",
        ("k1", "own_true_reg_false"): "soft_opt_in",
        ("k1", "reg_false"): "not_informed",
        ("k1", "reg_true"): "soft_opt_in",
        ("k1", "reg_unknown"): "soft_opt_in",
        ("k1", "no_reg"): "soft_opt_in",
    }


# --- precedence (first match wins) -------------------------------------------------------------------------


def test_precedence_of_the_rules(data):
    # All collected and (where said) bought on 2021-01-10: retention limit 2024-01-10, so every send below on
    # 2025-03-01 is past it. The promo p1 and the loyalty campaign y1 both go out on 2025-03-01.
    # obj_consent_expired: consent objected and expired → rule 1 first → objected.
    # obj_optout_expired: opted out 2021-06-01 (< t) and expired → objected.
    # obj_loyalty: opted out 2021-06-01, loyalty campaign, no loyalty consent → objected.
    # exp_opt_in: opt_in but expired → rule 2 before 4 → expired.
    # exp_loyalty: opt_in, no loyalty consent, loyalty campaign, expired → rule 2 before 3 → expired.
    # exp_not_informed: client, informed false, expired → expired.
    # exp_prospect: never bought, expired → expired.
    data.campaign("p1", "2025-03-01T09:00:00").campaign("y1", "2025-03-01T10:00:00", email_type="loyalty")
    data.contact("obj_consent_expired", consent="objected", collected_at="2021-01-10").order(
        "obj_consent_expired", "2021-01-10"
    )
    data.contact("obj_optout_expired", collected_at="2021-01-10", opted_out_at="2021-06-01").order(
        "obj_optout_expired", "2021-01-10"
    )
    data.contact("obj_loyalty", consent="opt_in", collected_at="2021-01-10", opted_out_at="2021-06-01")
    data.contact("exp_opt_in", consent="opt_in", collected_at="2021-01-10")
    data.contact("exp_loyalty", consent="opt_in", collected_at="2021-01-10", loyalty_consent=False)
    data.contact("exp_not_informed", collected_at="2021-01-10", informed=False).order(
        "exp_not_informed", "2021-01-10"
    )
    data.contact("exp_prospect", collected_at="2021-01-10")
    for contact_id in (
        "obj_consent_expired",
        "obj_optout_expired",
        "exp_opt_in",
        "exp_not_informed",
        "exp_prospect",
    ):
        data.send("p1", contact_id, "2025-03-01T09:00:00")
    for contact_id in ("obj_loyalty", "exp_loyalty"):
        data.send("y1", contact_id, "2025-03-01T10:00:00")
    con = data.load()
    assert send_bases(con, LATE) == {
        ("p1", "obj_consent_expired"): "objected",
        ("p1", "obj_optout_expired"): "objected",
        ("y1", "obj_loyalty"): "objected",
        ("p1", "exp_opt_in"): "expired",
        ("y1", "exp_loyalty"): "expired",
        ("p1", "exp_not_informed"): "expired",
        ("p1", "exp_prospect"): "expired",
    }


# --- retention and the last contact ------------------------------------------------------------------------


def test_a_click_renews_the_last_contact_and_the_limit_day_itself_is_lawful(data):
    # c1 collected and bought on 2021-01-10 (limit 2024-01-10), clicks k0 (sent 2023-03-15) on 2023-03-15.
    # Last contact = click on 2023-03-15; + 3 years = 2026-03-15.
    # k0 on 2023-03-15: within the first limit → soft_opt_in.
    # k1 on 2026-03-15 is not after the limit → soft_opt_in; k2 on 2026-03-16 → expired.
    con = (
        data.contact("c1", collected_at="2021-01-10")
        .order("c1", "2021-01-10")
        .campaign("k0", "2023-03-15T09:00:00")
        .campaign("k1", "2026-03-15T09:00:00")
        .campaign("k2", "2026-03-16T09:00:00")
        .send("k0", "c1", "2023-03-15T09:00:00", clicks=1)
        .send("k1", "c1", "2026-03-15T09:00:00")
        .send("k2", "c1", "2026-03-16T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {
        ("k0", "c1"): "soft_opt_in",
        ("k1", "c1"): "soft_opt_in",
        ("k2", "c1"): "expired",
    }


def test_retention_from_29_february_ends_on_28_february(data):
    # c1 collected and bought on 2024-02-29: 2024-02-29 + 3 years = 2027-02-28 (no 29 February in 2027).
    # k1 on 2027-02-28 → soft_opt_in; k2 on 2027-03-01 → expired.
    con = (
        data.contact("c1", collected_at="2024-02-29")
        .order("c1", "2024-02-29")
        .campaign("k1", "2027-02-28T09:00:00")
        .campaign("k2", "2027-03-01T09:00:00")
        .send("k1", "c1", "2027-02-28T09:00:00")
        .send("k2", "c1", "2027-03-01T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {("k1", "c1"): "soft_opt_in", ("k2", "c1"): "expired"}


def test_an_open_does_not_renew_the_last_contact_even_a_human_one(data):
    # c1 collected and bought on 2022-01-10 → limit 2025-01-10. It opens k0 (2023-06-01) twice: once a human
    # open, once a machine open. Opens never count, so the last contact stays 2022-01-10.
    # k0 → soft_opt_in; k1 on 2025-01-11 > 2025-01-10 → expired.
    con = (
        data.contact("c1", collected_at="2022-01-10")
        .order("c1", "2022-01-10")
        .campaign("k0", "2023-06-01T09:00:00")
        .campaign("k1", "2025-01-11T09:00:00")
        .send("k0", "c1", "2023-06-01T09:00:00", opens=1, machine_opens=1)
        .send("k1", "c1", "2025-01-11T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {("k0", "c1"): "soft_opt_in", ("k1", "c1"): "expired"}


def test_a_later_order_renews_the_last_contact(data):
    # c1 collected and bought on 2022-01-10, bought again on 2023-06-01: last contact 2023-06-01,
    # limit 2026-06-01. k1 on 2025-01-11 (past the first purchase's limit) → soft_opt_in;
    # k2 on 2026-06-01 → soft_opt_in; k3 on 2026-06-02 → expired.
    con = (
        data.contact("c1", collected_at="2022-01-10")
        .order("c1", "2022-01-10")
        .order("c1", "2023-06-01")
        .campaign("k1", "2025-01-11T09:00:00")
        .campaign("k2", "2026-06-01T09:00:00")
        .campaign("k3", "2026-06-02T09:00:00")
        .send("k1", "c1", "2025-01-11T09:00:00")
        .send("k2", "c1", "2026-06-01T09:00:00")
        .send("k3", "c1", "2026-06-02T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {
        ("k1", "c1"): "soft_opt_in",
        ("k2", "c1"): "soft_opt_in",
        ("k3", "c1"): "expired",
    }


def test_an_order_on_the_send_day_renews_the_last_contact_for_that_send(data):
    # c1 collected and bought on 2022-01-10 → limit 2025-01-10. It buys again on 2025-01-11, the day k1 goes
    # out: order dated <= t, so the last contact at t is 2025-01-11 → soft_opt_in (not expired).
    # c2, same history without the second purchase → expired.
    con = (
        data.contact("c1", collected_at="2022-01-10")
        .contact("c2", collected_at="2022-01-10")
        .order("c1", "2022-01-10")
        .order("c2", "2022-01-10")
        .order("c1", "2025-01-11")
        .campaign("k1", "2025-01-11T09:00:00")
        .send("k1", "c1", "2025-01-11T09:00:00")
        .send("k1", "c2", "2025-01-11T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {("k1", "c1"): "soft_opt_in", ("k1", "c2"): "expired"}


def test_a_click_after_the_send_does_not_count_for_that_send(data):
    # c1 collected and bought on 2022-01-10 → limit 2025-01-10.
    # k1 on 2025-01-11: last contact at t is still 2022-01-10 → expired, even though c1 clicks k1 on
    # 2025-01-12 (after t). k2 on 2025-01-15: last contact = that click, 2025-01-12 → soft_opt_in.
    con = (
        data.contact("c1", collected_at="2022-01-10")
        .order("c1", "2022-01-10")
        .campaign("k1", "2025-01-11T09:00:00")
        .campaign("k2", "2025-01-15T09:00:00")
        .send("k1", "c1", "2025-01-11T09:00:00", clicks=1, react_at="2025-01-12T10:00:00")
        .send("k2", "c1", "2025-01-15T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {("k1", "c1"): "expired", ("k2", "c1"): "soft_opt_in"}


def test_the_retention_years_setting_moves_the_limit(data):
    # c1 collected and bought on 2023-03-15.
    # With 2 years: limit 2025-03-15 → k1 on 2025-03-15 soft_opt_in, k2 on 2025-03-16 expired.
    # With the default 3 years: limit 2026-03-15 → both soft_opt_in.
    con = (
        data.contact("c1", collected_at="2023-03-15")
        .order("c1", "2023-03-15")
        .campaign("k1", "2025-03-15T09:00:00")
        .campaign("k2", "2025-03-16T09:00:00")
        .send("k1", "c1", "2025-03-15T09:00:00")
        .send("k2", "c1", "2025-03-16T09:00:00")
        .load()
    )
    assert send_bases(con, LATE, retention_years=2) == {("k1", "c1"): "soft_opt_in", ("k2", "c1"): "expired"}
    assert send_bases(con, LATE) == {("k1", "c1"): "soft_opt_in", ("k2", "c1"): "soft_opt_in"}


def test_the_retention_years_setting_reaches_the_report_violations(data):
    # Same contact as above, one send k2 on 2025-03-16. Report on 2025-03-31 (window 2025-03-04 … 2025-03-31).
    # 2 years: limit 2025-03-15 < 2025-03-16 → one expired send. 3 years: lawful → no violation.
    con = (
        data.contact("c1", collected_at="2023-03-15")
        .order("c1", "2023-03-15")
        .campaign("k2", "2025-03-16T09:00:00")
        .send("k2", "c1", "2025-03-16T09:00:00")
        .load()
    )
    none = {"objected": 0, "expired": 0, "no_loyalty_consent": 0, "not_informed": 0, "prospect": 0}
    assert build_report(con, "2025-03-31", retention_years=2)["violations"] == {**none, "expired": 1}
    assert build_report(con, "2025-03-31")["violations"] == none


# --- timestamps count by their date ------------------------------------------------------------------------


def test_retention_compares_dates_not_times(data):
    # c1 collected and bought on 2021-01-10; clicks k0 at 2023-03-15T00:01 → last contact 2023-03-15,
    # limit 2026-03-15. k1 goes out at 2026-03-15T23:59: a day's later time of day, but the same date as the
    # limit, which it is not after → soft_opt_in. k2 at 2026-03-16T00:00 → expired.
    con = (
        data.contact("c1", collected_at="2021-01-10")
        .order("c1", "2021-01-10")
        .campaign("k0", "2023-03-14T20:00:00")
        .campaign("k1", "2026-03-15T23:59:00")
        .campaign("k2", "2026-03-16T00:00:00")
        .send("k0", "c1", "2023-03-14T20:00:00")
        .event("k0", "c1", "click", "2023-03-15T00:01:00")
        .send("k1", "c1", "2026-03-15T23:59:00")
        .send("k2", "c1", "2026-03-16T00:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {
        ("k0", "c1"): "soft_opt_in",
        ("k1", "c1"): "soft_opt_in",
        ("k2", "c1"): "expired",
    }


def test_a_click_later_on_the_send_day_counts_for_that_send(data):
    # c1 collected and bought on 2023-03-14 → limit 2026-03-14. k1 goes out at 2026-03-15T00:01; c1 clicks
    # it at 2026-03-15T23:59. The click's date 2026-03-15 <= t's date 2026-03-15, so it is a contact "at or
    # before t": last contact 2026-03-15 → soft_opt_in (without the click it would be expired, as k2 shows:
    # a contact in the same state that does not click).
    con = (
        data.contact("c1", collected_at="2023-03-14")
        .contact("c2", collected_at="2023-03-14")
        .order("c1", "2023-03-14")
        .order("c2", "2023-03-14")
        .campaign("k1", "2026-03-15T00:01:00")
        .send("k1", "c1", "2026-03-15T00:01:00")
        .event("k1", "c1", "click", "2026-03-15T23:59:00")
        .send("k1", "c2", "2026-03-15T00:01:00")
        .load()
    )
    assert send_bases(con, LATE) == {("k1", "c1"): "soft_opt_in", ("k1", "c2"): "expired"}


def test_opposition_compares_dates_not_times(data):
    # c1 soft-opt-in client unsubscribes from k0 at 2026-03-15T00:01 → opposition date 2026-03-15.
    # k1 at 2026-03-15T23:59: later in the day, but the same date → not strictly before → soft_opt_in.
    # k2 at 2026-03-16T00:00 → objected.
    con = (
        data.contact("c1", collected_at="2026-01-10")
        .order("c1", "2026-01-10")
        .campaign("k0", "2026-03-14T20:00:00")
        .campaign("k1", "2026-03-15T23:59:00")
        .campaign("k2", "2026-03-16T00:00:00")
        .send("k0", "c1", "2026-03-14T20:00:00")
        .event("k0", "c1", "unsubscribe", "2026-03-15T00:01:00")
        .send("k1", "c1", "2026-03-15T23:59:00")
        .send("k2", "c1", "2026-03-16T00:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {
        ("k0", "c1"): "soft_opt_in",
        ("k1", "c1"): "soft_opt_in",
        ("k2", "c1"): "objected",
    }


def test_dates_given_as_timestamps_count_by_their_date(data):
    # The CRM exports dates with a time of day. c1 bought at "2025-03-01T23:00:00" and opted out at
    # "2025-03-02T23:30:00": they count as 2025-03-01 and 2025-03-02.
    # k1 at 2025-03-01T09:00: order date 2025-03-01 <= 2025-03-01 (although later that day) → soft_opt_in.
    # k2 at 2025-03-02T09:00: opposition 2025-03-02 is not before 2025-03-02 → soft_opt_in.
    # k3 at 2025-03-03T00:00: 2025-03-02 < 2025-03-03 → objected.
    con = (
        data.contact("c1", collected_at="2025-01-10T10:00:00", opted_out_at="2025-03-02T23:30:00")
        .order("c1", "2025-03-01T23:00:00")
        .campaign("k1", "2025-03-01T09:00:00")
        .campaign("k2", "2025-03-02T09:00:00")
        .campaign("k3", "2025-03-03T00:00:00")
        .send("k1", "c1", "2025-03-01T09:00:00")
        .send("k2", "c1", "2025-03-02T09:00:00")
        .send("k3", "c1", "2025-03-03T00:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {
        ("k1", "c1"): "soft_opt_in",
        ("k2", "c1"): "soft_opt_in",
        ("k3", "c1"): "objected",
    }


# --- service emails ----------------------------------------------------------------------------------------


def test_service_sends_have_no_basis(data):
    # An order confirmation s1 needs no consent: no basis for anyone, even an objected contact or a prospect.
    con = (
        data.contact("objector", consent="objected", collected_at="2025-01-10")
        .contact("pros", collected_at="2025-01-10")
        .campaign("s1", "2025-03-01T09:00:00", email_type="service")
        .send("s1", "objector", "2025-03-01T09:00:00")
        .send("s1", "pros", "2025-03-01T09:00:00")
        .load()
    )
    assert send_bases(con, LATE) == {("s1", "objector"): None, ("s1", "pros"): None}


def test_service_sends_are_excluded_from_marketing_metrics(data):
    # Report on 2025-03-10 (window 2025-02-11 … 2025-03-10).
    # Marketing: c1 (opt_in) gets promo k1, delivered, one human open → baseline delivered 1, openers 1.
    # Service: s1 to c1 (opened, clicked, even a complaint) and to the prospect c2 — neither changes the baseline,
    # and the service send to a prospect is no violation.
    # Baseline: delivered 1, openers 1, the rest 0; open_rate 1/1, other rates 0/1;
    # dissatisfaction 0 / (0 + 0) → null. The same data without s1 gives the same baseline.
    def marketing(builder: DataBuilder) -> DataBuilder:
        return (
            builder.contact("c1", consent="opt_in", collected_at="2025-01-10")
            .contact("c2", collected_at="2025-01-10")
            .campaign("k1", "2025-03-01T09:00:00", email_type="promo")
            .send("k1", "c1", "2025-03-01T09:00:00", opens=1)
        )

    without_service_folder = data.folder / "without_service"
    without_service_folder.mkdir()
    without_service = build_report(marketing(DataBuilder(without_service_folder)).load(), "2025-03-10")
    con = (
        marketing(data)
        .campaign("s1", "2025-03-02T09:00:00", email_type="service")
        .send("s1", "c1", "2025-03-02T09:00:00", opens=1, clicks=1, complaint=True)
        .send("s1", "c2", "2025-03-02T09:00:00", opens=1)
        .load()
    )
    result = build_report(con, "2025-03-10")
    assert result["baseline"] == {
        "delivered": 1,
        "openers": 1,
        "clickers": 0,
        "unsubscribers": 0,
        "complainers": 0,
        "open_rate": 1.0,
        "click_rate": 0.0,
        "unsubscribe_rate": 0.0,
        "complaint_rate": 0.0,
        "dissatisfaction_rate": None,
    }
    assert result["baseline"] == without_service["baseline"]
    assert result["violations"] == {
        "objected": 0,
        "expired": 0,
        "no_loyalty_consent": 0,
        "not_informed": 0,
        "prospect": 0,
    }


def test_an_unsubscribe_or_a_complaint_on_a_service_email_is_an_opposition(data):
    # SPEC §5: opposition time = the earliest of opted_out_at and the contact's first unsubscribe or complaint
    # event — any email's, a service email's too (§2: the person objected "later by unsubscribing or
    # complaining"). u1, m1, n1: web clients (bought 2025-01-10, consent none). Service email s1 on 2025-03-01:
    # u1 unsubscribes, m1 complains, n1 only opens. Promo k0 on 2025-03-01 (the opposition day: not strictly
    # before) to u1; promo k1 on 2025-03-05 to all three.
    #   s1: no basis; k0 → u1 soft_opt_in; k1 → u1 objected, m1 objected, n1 soft_opt_in.
    for contact in ("u1", "m1", "n1"):
        data.contact(contact).order(contact, "2025-01-10")
    s1, k0, k1 = "2025-03-01T09:00:00", "2025-03-01T18:00:00", "2025-03-05T09:00:00"
    con = (
        data.campaign("s1", s1, email_type="service")
        .campaign("k0", k0)
        .campaign("k1", k1)
        .send("s1", "u1", s1, unsubscribe=True)
        .send("s1", "m1", s1, complaint=True)
        .send("s1", "n1", s1, opens=1)
        .send("k0", "u1", k0)
        .send("k1", "u1", k1)
        .send("k1", "m1", k1)
        .send("k1", "n1", k1)
        .load()
    )
    assert send_bases(con, LATE) == {
        ("s1", "u1"): None,
        ("s1", "m1"): None,
        ("s1", "n1"): None,
        ("k0", "u1"): "soft_opt_in",
        ("k1", "u1"): "objected",
        ("k1", "m1"): "objected",
        ("k1", "n1"): "soft_opt_in",
    }
    # Status on 2025-03-10: u1 and m1 objected since 2025-03-01; n1 still a soft-opt-in client.
    status = statuses(con, "2025-03-10")
    assert {c: (row["status"], row["opposition_date"]) for c, row in status.items()} == {
        "u1": ("objected", dt.date(2025, 3, 1)),
        "m1": ("objected", dt.date(2025, 3, 1)),
        "n1": ("soft_opt_in", None),
    }
    # The report as of 2025-03-10 (window 2025-02-11 … 2025-03-10): k1 to u1 and m1 are 2 objected sends; the
    # web cohort holds k0 → u1 and k1 → n1 (2 delivered) and no unsubscriber (a service email's unsubscribe is
    # no marketing reaction); eligibility: 1 soft opt-in, 2 objected.
    result = build_report(con, "2025-03-10")
    assert result["violations"]["objected"] == 2
    web = cohort(result, "web")
    assert (web["metrics"]["delivered"], web["metrics"]["unsubscribers"], web["metrics"]["complainers"]) == (
        2,
        0,
        0,
    )
    assert (web["eligibility"]["soft_opt_in"], web["eligibility"]["objected"]) == (1, 2)


def test_a_click_in_a_service_email_renews_the_last_contact(data):
    # SPEC §5: last contact = the latest of collected_at, orders and click events — a click in any email (§2: "a
    # click in an email"), a service email's too. r1 and o1: collected 2021-01-01, bought 2021-06-01, so their
    # retention would end on 2024-06-01. Service email s1 on 2024-05-01: r1 clicks it on 2024-05-20 (last
    # contact 2024-05-20, retention to 2027-05-20); o1 only opens it on 2024-05-20 (an open never counts:
    # retention still ends 2024-06-01). Promo k1 on 2025-03-05: r1 soft_opt_in; o1 expired.
    for contact in ("r1", "o1"):
        data.contact(contact, collected_at="2021-01-01").order(contact, "2021-06-01")
    s1, k1 = "2024-05-01T09:00:00", "2025-03-05T09:00:00"
    con = (
        data.campaign("s1", s1, email_type="service")
        .campaign("k1", k1)
        .send("s1", "r1", s1, clicks=1, react_at="2024-05-20T10:00:00")
        .send("s1", "o1", s1, opens=1, react_at="2024-05-20T10:00:00")
        .send("k1", "r1", k1)
        .send("k1", "o1", k1)
        .load()
    )
    assert send_bases(con, LATE) == {
        ("s1", "r1"): None,
        ("s1", "o1"): None,
        ("k1", "r1"): "soft_opt_in",
        ("k1", "o1"): "expired",
    }
    status = statuses(con, "2025-03-10")
    assert {
        c: (row["status"], row["last_contact_date"], row["retention_ends"]) for c, row in status.items()
    } == {
        "r1": ("soft_opt_in", dt.date(2024, 5, 20), dt.date(2027, 5, 20)),
        "o1": ("expired", dt.date(2021, 6, 1), dt.date(2024, 6, 1)),
    }
    # On 2027-03-01, r1's limit (2027-05-20) falls within T+1 … T+90 (2027-03-02 … 2027-05-30): expiring soon.
    assert statuses(con, "2027-03-01")["r1"]["expiring_soon"] is True


def test_every_type_but_service_is_marketing_and_an_untyped_campaign_is_a_promo(data):
    # The prospect c1 (never bought) receives one campaign of each marketing type plus one without
    # email_type (taken as promo): each is a marketing send → prospect; loyalty → no_loyalty_consent first.
    types = {
        "n1": "newsletter",
        "a1": "cart_abandonment",
        "w1": "welcome",
        "p1": "promo",
        "y1": "loyalty",
        "u1": None,
    }
    data.contact("c1", collected_at="2025-01-10")
    for campaign_id, email_type in types.items():
        data.campaign(campaign_id, "2025-03-01T09:00:00", email_type=email_type)
        data.send(campaign_id, "c1", "2025-03-01T09:00:00")
    con = data.load()
    assert send_bases(con, LATE) == {
        ("n1", "c1"): "prospect",
        ("a1", "c1"): "prospect",
        ("w1", "c1"): "prospect",
        ("p1", "c1"): "prospect",
        ("y1", "c1"): "no_loyalty_consent",
        ("u1", "c1"): "prospect",
    }


# --- violations reported -----------------------------------------------------------------------------------


def test_each_unlawful_basis_is_counted_as_a_violation_of_the_window(data):
    # Report on 2025-03-31 (window 2025-03-04 … 2025-03-31); every send below on 2025-03-10 is in it.
    # obj (consent objected) → objected; exp (collected/bought 2021-01-10, limit 2024-01-10) → expired;
    # noloy (opt_in, loyalty campaign y1, no loyalty consent) → no_loyalty_consent; uninf (bought,
    # informed false) → not_informed; pros1 and pros2 (never bought) → prospect ×2; lawful (opt_in) → none.
    # A prospect send on 2025-03-03 is before the window and not counted.
    data.campaign("p1", "2025-03-10T09:00:00").campaign("y1", "2025-03-10T10:00:00", email_type="loyalty")
    data.campaign("p0", "2025-03-03T09:00:00")
    data.contact("obj", consent="objected", collected_at="2025-01-10")
    data.contact("exp", collected_at="2021-01-10").order("exp", "2021-01-10")
    data.contact("noloy", consent="opt_in", collected_at="2025-01-10")
    data.contact("uninf", collected_at="2025-01-10", informed=False).order("uninf", "2025-01-10")
    data.contact("pros1", collected_at="2025-01-10").contact("pros2", collected_at="2025-01-10")
    data.contact("lawful", consent="opt_in", collected_at="2025-01-10")
    for contact_id in ("obj", "exp", "uninf", "pros1", "pros2", "lawful"):
        data.send("p1", contact_id, "2025-03-10T09:00:00")
    data.send("y1", "noloy", "2025-03-10T10:00:00")
    data.send("p0", "pros1", "2025-03-03T09:00:00")
    result = build_report(data.load(), "2025-03-31")
    assert result["violations"] == {
        "objected": 1,
        "expired": 1,
        "no_loyalty_consent": 1,
        "not_informed": 1,
        "prospect": 2,
    }


# --- data dated after the report date ----------------------------------------------------------------------


def test_a_contact_collected_after_the_report_date_has_no_sends(data):
    # late is collected on 2025-03-05 (after T = 2025-03-03) though the ESP already mailed it on 2025-03-01:
    # on 2025-03-03 it is unknown, so its send is left out. Once T reaches 2025-03-05 it is known (a prospect).
    con = (
        data.contact("early", consent="opt_in", collected_at="2025-01-10")
        .contact("late", collected_at="2025-03-05")
        .campaign("k1", "2025-03-01T09:00:00")
        .send("k1", "early", "2025-03-01T09:00:00")
        .send("k1", "late", "2025-03-01T09:00:00")
        .load()
    )
    assert send_bases(con, "2025-03-03") == {("k1", "early"): "opt_in"}
    assert send_bases(con, "2025-03-05") == {("k1", "early"): "opt_in", ("k1", "late"): "prospect"}


def test_a_campaign_sent_after_the_report_date_has_no_sends(data):
    # T = 2025-03-03. k1 (2025-03-01) and k3 (2025-03-03T23:59, dated T itself) are known on T;
    # k2 goes out on 2025-03-04, after T → no sends on T. On 2025-03-04 it is there.
    con = (
        data.contact("c1", consent="opt_in", collected_at="2025-01-10")
        .campaign("k1", "2025-03-01T09:00:00")
        .campaign("k3", "2025-03-03T23:59:00")
        .campaign("k2", "2025-03-04T09:00:00")
        .send("k1", "c1", "2025-03-01T09:00:00")
        .send("k3", "c1", "2025-03-03T23:59:00")
        .send("k2", "c1", "2025-03-04T09:00:00")
        .load()
    )
    assert send_bases(con, "2025-03-03") == {("k1", "c1"): "opt_in", ("k3", "c1"): "opt_in"}
    assert send_bases(con, "2025-03-04") == {
        ("k1", "c1"): "opt_in",
        ("k3", "c1"): "opt_in",
        ("k2", "c1"): "opt_in",
    }


def test_data_after_the_report_date_is_left_out_of_the_report(data):
    # Report on 2025-03-03 (window 2025-02-04 … 2025-03-03). The prospect p gets promo k1 on 2025-03-01
    # → one prospect violation. Dated after T and ignored: k2 on 2025-03-05 to p (another prospect send),
    # and the contact "late" of source "shop" collected on 2025-03-04 — so "shop" is not a cohort yet.
    con = (
        data.contact("p", source="web", collected_at="2025-01-10")
        .contact("late", source="shop", collected_at="2025-03-04")
        .campaign("k1", "2025-03-01T09:00:00")
        .campaign("k2", "2025-03-05T09:00:00")
        .send("k1", "p", "2025-03-01T09:00:00")
        .send("k2", "p", "2025-03-05T09:00:00")
        .load()
    )
    result = build_report(con, "2025-03-03")
    assert result["violations"] == {
        "objected": 0,
        "expired": 0,
        "no_loyalty_consent": 0,
        "not_informed": 0,
        "prospect": 1,
    }
    assert [c["collection_source"] for c in result["cohorts"]] == ["web"]
