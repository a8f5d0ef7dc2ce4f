"""Given/expect tests for the eligibility status of a contact on the report date T (SPEC §5, §7, §9).

Status, first match, at T: objected (consent objected, or opposition time <= T — the same day counts here,
unlike for a send), expired (T > last contact + R), opt_in, soft_opt_in, not_informed, prospect. expiring_soon:
lawful contacts whose last contact + R falls within T+1 … T+90 days. Each expected value is worked out by hand in
a comment.
"""

import datetime as dt

from analytics.report import cohorts as report
from analytics.settings import DEFAULTS
from tests.builders import build_report, cohort, statuses


def status_of(con, as_of: str, **kwargs) -> dict[str, str]:
    return {contact_id: row["status"] for contact_id, row in statuses(con, as_of, **kwargs).items()}


def expiring_of(con, as_of: str, **kwargs) -> dict[str, tuple[str, bool]]:
    return {
        contact_id: (row["status"], row["expiring_soon"])
        for contact_id, row in statuses(con, as_of, **kwargs).items()
    }


def eligibility_counts(**counts: int) -> dict[str, int]:
    """The report's eligibility object: every status 0 unless stated."""
    zeros = dict.fromkeys(
        ("opt_in", "soft_opt_in", "not_informed", "prospect", "objected", "expired", "expiring_soon"), 0
    )
    return {**zeros, **counts}


# --- each status -------------------------------------------------------------------------------------------


def test_each_status_on_the_report_date(data):
    # T = 2025-06-30. Everyone collected on 2025-01-10 unless said (limit 2028-01-10, far from T).
    # opt: explicit opt_in, never bought → opt_in.
    # soft: consent none, bought 2025-01-10, informed by default → soft_opt_in.
    # uninf: consent none, bought, informed false → not_informed.
    # pros: consent none, never bought → prospect.
    # obj: consent objected (and bought) → objected.
    # exp: collected and bought 2022-01-10, nothing since → limit 2025-01-10 < T → expired.
    con = (
        data.contact("opt", consent="opt_in", collected_at="2025-01-10")
        .contact("soft", collected_at="2025-01-10")
        .contact("uninf", collected_at="2025-01-10", informed=False)
        .contact("pros", collected_at="2025-01-10")
        .contact("obj", consent="objected", collected_at="2025-01-10")
        .contact("exp", collected_at="2022-01-10")
        .order("soft", "2025-01-10")
        .order("uninf", "2025-01-10")
        .order("obj", "2025-01-10")
        .order("exp", "2022-01-10")
        .load()
    )
    assert status_of(con, "2025-06-30") == {
        "opt": "opt_in",
        "soft": "soft_opt_in",
        "uninf": "not_informed",
        "pros": "prospect",
        "obj": "objected",
        "exp": "expired",
    }


def test_informed_comes_from_the_contact_else_the_registry_else_is_assumed(data):
    # Every contact: consent none, collected and bought 2025-01-10; T = 2025-06-30.
    # own_false: the contact says informed false → not_informed.
    # reg_false: informed empty, registry "phone" says notice_shown false → not_informed.
    # reg_unknown: informed empty, registry "shop" says unknown → treated as informed → soft_opt_in.
    # no_reg: informed empty, source "partner" absent from the registry → treated as informed → soft_opt_in.
    contacts = {
        "own_false": ("web", False),
        "reg_false": ("phone", None),
        "reg_unknown": ("shop", None),
        "no_reg": ("partner", None),
    }
    data.source("phone", channel="phone", notice_shown="false")
    data.source("shop", channel="in_store", notice_shown="unknown")
    for contact_id, (source, informed) in contacts.items():
        data.contact(contact_id, source=source, collected_at="2025-01-10", informed=informed)
        data.order(contact_id, "2025-01-10")
    con = data.load()
    assert status_of(con, "2025-06-30") == {
        "own_false": "not_informed",
        "reg_false": "not_informed",
        "reg_unknown": "soft_opt_in",
        "no_reg": "soft_opt_in",
    }


# --- objected: opposition on or before T -------------------------------------------------------------------


def test_opposition_on_the_report_date_itself_counts(data):
    # T = 2025-06-30. All soft-opt-in clients (collected and bought 2025-01-10) mailed k1 on 2025-06-30 08:00.
    # out_on_t: opted_out_at 2025-06-30 <= T → objected.
    # unsub_on_t: unsubscribes at 2025-06-30T23:59 (the date counts) → objected.
    # complaint_on_t: complains at 2025-06-30T09:00 → objected.
    # out_after_t: opted_out_at 2025-07-01 > T → soft_opt_in.
    # unsub_after_t: unsubscribes at 2025-07-01T00:00, after T: ignored → soft_opt_in.
    data.campaign("k1", "2025-06-30T08:00:00")
    data.contact("out_on_t", opted_out_at="2025-06-30")
    data.contact("unsub_on_t")
    data.contact("complaint_on_t")
    data.contact("out_after_t", opted_out_at="2025-07-01")
    data.contact("unsub_after_t")
    for contact_id in ("out_on_t", "unsub_on_t", "complaint_on_t", "out_after_t", "unsub_after_t"):
        data.order(contact_id, "2025-01-10").send("k1", contact_id, "2025-06-30T08:00:00")
    data.event("k1", "unsub_on_t", "unsubscribe", "2025-06-30T23:59:00")
    data.event("k1", "complaint_on_t", "complaint", "2025-06-30T09:00:00")
    data.event("k1", "unsub_after_t", "unsubscribe", "2025-07-01T00:00:00")
    con = data.load()
    assert status_of(con, "2025-06-30") == {
        "out_on_t": "objected",
        "unsub_on_t": "objected",
        "complaint_on_t": "objected",
        "out_after_t": "soft_opt_in",
        "unsub_after_t": "soft_opt_in",
    }


def test_precedence_objected_then_expired_then_consent(data):
    # T = 2025-06-30; everyone collected 2021-01-10 → limit 2024-01-10 < T, so every one is expired too.
    # obj_consent: consent objected → objected (rule 1 before expired).
    # obj_optout: consent none, bought, opted out 2021-06-01 → objected.
    # exp_opt_in: opt_in → expired (before opt_in).
    # exp_soft: bought 2021-01-10 → expired (before soft_opt_in).
    con = (
        data.contact("obj_consent", consent="objected", collected_at="2021-01-10")
        .contact("obj_optout", collected_at="2021-01-10", opted_out_at="2021-06-01")
        .contact("exp_opt_in", consent="opt_in", collected_at="2021-01-10")
        .contact("exp_soft", collected_at="2021-01-10")
        .order("obj_optout", "2021-01-10")
        .order("exp_soft", "2021-01-10")
        .load()
    )
    assert status_of(con, "2025-06-30") == {
        "obj_consent": "objected",
        "obj_optout": "objected",
        "exp_opt_in": "expired",
        "exp_soft": "expired",
    }


# --- expired: the retention limit ---------------------------------------------------------------------------


def test_expired_boundary_day(data):
    # c1 collected and bought 2023-03-15: retention ends 2023-03-15 + 3 years = 2026-03-15.
    # T = 2026-03-15: T is not after it → soft_opt_in. T = 2026-03-16 → expired.
    con = data.contact("c1", collected_at="2023-03-15").order("c1", "2023-03-15").load()
    on_limit = statuses(con, "2026-03-15")["c1"]
    assert (on_limit["last_contact_date"], on_limit["retention_ends"], on_limit["status"]) == (
        dt.date(2023, 3, 15),
        dt.date(2026, 3, 15),
        "soft_opt_in",
    )
    assert status_of(con, "2026-03-16") == {"c1": "expired"}


def test_retention_from_29_february_ends_on_28_february(data):
    # c1 collected and bought 2024-02-29: + 3 years = 2027-02-28 (2027 has no 29 February).
    # T = 2027-02-28 → soft_opt_in; T = 2027-03-01 → expired.
    con = data.contact("c1", collected_at="2024-02-29").order("c1", "2024-02-29").load()
    assert statuses(con, "2027-02-28")["c1"]["retention_ends"] == dt.date(2027, 2, 28)
    assert status_of(con, "2027-02-28") == {"c1": "soft_opt_in"}
    assert status_of(con, "2027-03-01") == {"c1": "expired"}


def test_last_contact_counts_purchases_and_clicks_but_not_opens_nor_anything_after_t(data):
    # T = 2025-06-30. Everyone collected and bought 2021-01-10 (limit 2024-01-10 unless renewed).
    # k0 sent 2023-06-01, k9 sent 2025-07-01 (after T).
    # opener: opens k0 on 2023-06-01 (a human open) → opens never count: last 2021-01-10 → expired.
    # clicker: clicks k0 on 2023-06-01 → last 2023-06-01, limit 2026-06-01 → soft_opt_in.
    # buyer: buys again 2023-06-01 → last 2023-06-01 → soft_opt_in.
    # late_clicker: clicks k9 on 2025-07-01, after T → ignored: last 2021-01-10 → expired.
    # late_buyer: buys again 2025-07-01, after T → ignored: last 2021-01-10 → expired.
    data.campaign("k0", "2023-06-01T09:00:00").campaign("k9", "2025-07-01T09:00:00")
    for contact_id in ("opener", "clicker", "buyer", "late_clicker", "late_buyer"):
        data.contact(contact_id, collected_at="2021-01-10").order(contact_id, "2021-01-10")
    data.send("k0", "opener", "2023-06-01T09:00:00", opens=1)
    data.send("k0", "clicker", "2023-06-01T09:00:00", clicks=1)
    data.order("buyer", "2023-06-01")
    data.send("k9", "late_clicker", "2025-07-01T09:00:00", clicks=1)
    data.order("late_buyer", "2025-07-01")
    con = data.load()
    rows = statuses(con, "2025-06-30")
    assert {c: (r["last_contact_date"], r["status"]) for c, r in rows.items()} == {
        "opener": (dt.date(2021, 1, 10), "expired"),
        "clicker": (dt.date(2023, 6, 1), "soft_opt_in"),
        "buyer": (dt.date(2023, 6, 1), "soft_opt_in"),
        "late_clicker": (dt.date(2021, 1, 10), "expired"),
        "late_buyer": (dt.date(2021, 1, 10), "expired"),
    }


def test_the_retention_years_setting(data):
    # c1 collected and bought 2023-03-15; T = 2025-03-16.
    # 2 years: ends 2025-03-15 < T → expired. Default 3 years: ends 2026-03-15 → soft_opt_in.
    # The report's eligibility follows the setting the same way.
    con = data.contact("c1", source="web", collected_at="2023-03-15").order("c1", "2023-03-15").load()
    assert statuses(con, "2025-03-16", retention_years=2)["c1"]["retention_ends"] == dt.date(2025, 3, 15)
    assert status_of(con, "2025-03-16", retention_years=2) == {"c1": "expired"}
    assert status_of(con, "2025-03-16") == {"c1": "soft_opt_in"}
    two_years = cohort(build_report(con, "2025-03-16", retention_years=2), "web")["eligibility"]
    assert two_years == eligibility_counts(expired=1)


# --- expiring soon -----------------------------------------------------------------------------------------


def test_expiring_soon_window_is_t_plus_1_to_t_plus_90(data):
    # T = 2026-01-01; T + 90 days = 2026-04-01 (Jan 31 → +30, Feb 28 → +58, Mar 31 → +89, Apr 1 → +90).
    # Soft-opt-in clients, collected and bought on the day given; retention ends 3 years later.
    # ends_t (2023-01-01 → ends 2026-01-01 = T): still lawful, but not within T+1 … → not expiring.
    # ends_t1 (2023-01-02 → 2026-01-02 = T+1) → expiring. ends_t90 (2023-04-01 → T+90) → expiring.
    # ends_t91 (2023-04-02 → 2026-04-02 = T+91) → not expiring.
    # gone (2022-12-31 → ended 2025-12-31 < T): expired, not expiring.
    days = {
        "ends_t": "2023-01-01",
        "ends_t1": "2023-01-02",
        "ends_t90": "2023-04-01",
        "ends_t91": "2023-04-02",
        "gone": "2022-12-31",
    }
    for contact_id, day in days.items():
        data.contact(contact_id, collected_at=day).order(contact_id, day)
    con = data.load()
    assert expiring_of(con, "2026-01-01") == {
        "ends_t": ("soft_opt_in", False),
        "ends_t1": ("soft_opt_in", True),
        "ends_t90": ("soft_opt_in", True),
        "ends_t91": ("soft_opt_in", False),
        "gone": ("expired", False),
    }


def test_expiring_soon_is_only_for_lawful_contacts(data):
    # T = 2026-01-01. Everyone's last contact is 2023-01-02 → retention ends 2026-01-02 = T+1.
    # opt (opt_in) and soft (bought) are lawful → expiring. pros (never bought), uninf (bought, informed
    # false), obj (consent objected) and unsub (opted out 2025-12-01) are not lawful → not expiring.
    data.contact("opt", consent="opt_in", collected_at="2023-01-02")
    data.contact("soft", collected_at="2023-01-02").order("soft", "2023-01-02")
    data.contact("pros", collected_at="2023-01-02")
    data.contact("uninf", collected_at="2023-01-02", informed=False).order("uninf", "2023-01-02")
    data.contact("obj", consent="objected", collected_at="2023-01-02")
    data.contact("unsub", collected_at="2023-01-02", opted_out_at="2025-12-01").order("unsub", "2023-01-02")
    con = data.load()
    assert expiring_of(con, "2026-01-01") == {
        "opt": ("opt_in", True),
        "soft": ("soft_opt_in", True),
        "pros": ("prospect", False),
        "uninf": ("not_informed", False),
        "obj": ("objected", False),
        "unsub": ("objected", False),
    }


def test_the_expiring_soon_days_setting(data):
    # T = 2026-01-01. a: last contact 2023-01-31 → ends 2026-01-31 = T+30. b: 2023-02-01 → ends T+31.
    # 30 days: a expiring, b not. Default 90: both expiring. The report counts follow the setting (1 vs 2).
    data.contact("a", source="web", collected_at="2023-01-31").order("a", "2023-01-31")
    data.contact("b", source="web", collected_at="2023-02-01").order("b", "2023-02-01")
    con = data.load()
    assert expiring_of(con, "2026-01-01", expiring_days=30) == {
        "a": ("soft_opt_in", True),
        "b": ("soft_opt_in", False),
    }
    assert expiring_of(con, "2026-01-01") == {"a": ("soft_opt_in", True), "b": ("soft_opt_in", True)}
    web_30 = cohort(build_report(con, "2026-01-01", expiring_soon_days=30), "web")["eligibility"]
    web_90 = cohort(build_report(con, "2026-01-01"), "web")["eligibility"]
    assert web_30 == eligibility_counts(soft_opt_in=2, expiring_soon=1)
    assert web_90 == eligibility_counts(soft_opt_in=2, expiring_soon=2)


# --- loyalty -----------------------------------------------------------------------------------------------


def test_loyalty_eligible_is_lawful_with_loyalty_consent_true(data):
    # T = 2025-06-30; everyone collected 2025-01-10 unless said.
    # opt_yes (opt_in, loyalty true) → eligible. soft_yes (bought, loyalty true) → eligible.
    # opt_no (opt_in, loyalty false) → not. opt_empty (opt_in, loyalty empty) → not.
    # pros_yes (loyalty true but never bought: joining is not a purchase) → prospect, not eligible.
    # exp_yes (opt_in, loyalty true, collected 2021-01-10 → expired) → not.
    con = (
        data.contact("opt_yes", consent="opt_in", collected_at="2025-01-10", loyalty_consent=True)
        .contact("soft_yes", collected_at="2025-01-10", loyalty_consent=True)
        .contact("opt_no", consent="opt_in", collected_at="2025-01-10", loyalty_consent=False)
        .contact("opt_empty", consent="opt_in", collected_at="2025-01-10")
        .contact("pros_yes", collected_at="2025-01-10", loyalty_consent=True)
        .contact("exp_yes", consent="opt_in", collected_at="2021-01-10", loyalty_consent=True)
        .order("soft_yes", "2025-01-10")
        .load()
    )
    rows = statuses(con, "2025-06-30")
    assert {c: (r["status"], r["loyalty_eligible"]) for c, r in rows.items()} == {
        "opt_yes": ("opt_in", True),
        "soft_yes": ("soft_opt_in", True),
        "opt_no": ("opt_in", False),
        "opt_empty": ("opt_in", False),
        "pros_yes": ("prospect", False),
        "exp_yes": ("expired", False),
    }


# --- report eligibility counts -----------------------------------------------------------------------------


def test_report_eligibility_counts_per_source(data):
    # T = 2026-01-01. Source "web": opt_in w1; soft w2, w3 (w3's retention ends 2026-01-02 = T+1 → expiring);
    # prospect w4; objected w5. Source "phone": not_informed f1 (registry says notice not shown), soft f2
    # (its own informed true), expired f3 (collected and bought 2021-01-10). Everyone else collected and
    # bought (where said) on 2025-01-10.
    # web: opt_in 1, soft_opt_in 2, prospect 1, objected 1, expiring_soon 1 → 5 statuses = 5 contacts.
    # phone: soft_opt_in 1, not_informed 1, expired 1 → 3 contacts.
    # Eligible per email type: web promo = opt_in + soft = 3, loyalty = w1 (loyalty true) = 1;
    # phone promo = 1, loyalty = 0 (f2 has no loyalty consent).
    data.source("phone", channel="phone", notice_shown="false")
    data.contact("w1", source="web", consent="opt_in", collected_at="2025-01-10", loyalty_consent=True)
    data.contact("w2", source="web", collected_at="2025-01-10").order("w2", "2025-01-10")
    data.contact("w3", source="web", collected_at="2023-01-02").order("w3", "2023-01-02")
    data.contact("w4", source="web", collected_at="2025-01-10")
    data.contact("w5", source="web", consent="objected", collected_at="2025-01-10")
    data.contact("f1", source="phone", collected_at="2025-01-10").order("f1", "2025-01-10")
    data.contact("f2", source="phone", collected_at="2025-01-10", informed=True).order("f2", "2025-01-10")
    data.contact("f3", source="phone", collected_at="2021-01-10").order("f3", "2021-01-10")
    con = data.load()
    result = build_report(con, "2026-01-01")
    assert [c["collection_source"] for c in result["cohorts"]] == ["phone", "web"]
    web = cohort(result, "web")["eligibility"]
    phone = cohort(result, "phone")["eligibility"]
    assert web == eligibility_counts(opt_in=1, soft_opt_in=2, prospect=1, objected=1, expiring_soon=1)
    assert phone == eligibility_counts(soft_opt_in=1, not_informed=1, expired=1)
    statuses_only = ("opt_in", "soft_opt_in", "not_informed", "prospect", "objected", "expired")
    assert (sum(web[s] for s in statuses_only), sum(phone[s] for s in statuses_only)) == (5, 3)
    per_type = {
        row["collection_source"]: (row["contacts"], row["eligible_marketing"], row["eligible_loyalty"])
        for row in report.eligibility(con, dt.date(2026, 1, 1), DEFAULTS)
    }
    assert per_type == {"phone": (3, 1, 0), "web": (5, 3, 1)}


# --- data dated after the report date ----------------------------------------------------------------------


def test_data_after_the_report_date_is_ignored_for_eligibility(data):
    # T = 2025-06-30.
    # pros: never bought by T; its order on 2025-07-01 is after T → still a prospect at T (soft_opt_in a day
    # later). on_t: order dated T itself → soft_opt_in.
    # late: collected 2025-07-01, after T → unknown at T (no status, and its source "shop" is no cohort yet).
    con = (
        data.contact("pros", source="web", collected_at="2025-01-10")
        .contact("on_t", source="web", collected_at="2025-01-10")
        .contact("late", source="shop", consent="opt_in", collected_at="2025-07-01")
        .order("pros", "2025-07-01")
        .order("on_t", "2025-06-30")
        .load()
    )
    assert status_of(con, "2025-06-30") == {"pros": "prospect", "on_t": "soft_opt_in"}
    assert status_of(con, "2025-07-01") == {"pros": "soft_opt_in", "on_t": "soft_opt_in", "late": "opt_in"}
    result = build_report(con, "2025-06-30")
    assert [c["collection_source"] for c in result["cohorts"]] == ["web"]
    assert cohort(result, "web")["eligibility"] == eligibility_counts(soft_opt_in=1, prospect=1)
