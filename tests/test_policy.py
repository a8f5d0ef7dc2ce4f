"""Given/expect tests for every branch of the recommendation policy of SPEC §8.

Most tests call `recommend` on figures chosen by hand at and around each threshold. The defaults below land
in the ramp-up branch (1000 delivered, 100 reactions, dissatisfaction 10%, no complaint, engagement equal to
the brand's); each test changes only what it is about. A few end-to-end tests run the same rules through the
report, where campaign_stats rows give the large counts the thresholds need.
"""

from __future__ import annotations

import dataclasses

import pytest

from analytics.policy import CohortFigures, recommend
from analytics.settings import DEFAULTS, Settings
from tests.builders import build_report, cohort


def figures(**changes) -> CohortFigures:
    base = CohortFigures(
        collection_source="web",
        ever_sent=True,
        send_rows=10,
        soft_opt_in_contacts=1000,
        delivered=1000,
        clickers=90,
        unsubscribers=10,
        complaint_rate=0.0,
        dissatisfaction_rate=0.10,
        open_ratio=1.0,
        click_ratio=1.0,
    )
    return dataclasses.replace(base, **changes)


def action(settings: Settings = DEFAULTS, previous: str | None = None, **changes) -> str:
    return recommend(figures(**changes), settings, previous).action


# The sentences the marketer reads, written out by hand from SPEC §8 and the default thresholds (stop above
# 40%, ramp up below 20%, engagement tolerance 80%, complaint warning 0.1%, stop 0.3%, 500 delivered, 30
# reactions). A figure is shown with one decimal (ratios none, complaint rates two), a threshold exactly.
WELCOME = (
    "No soft-opt-in marketing email has ever been sent to {n} soft-opt-in client(s) of this source: start with a "
    "welcome series (2–3 emails with a visible unsubscribe link), then editorial newsletters, then promotions."
)
NO_COHORT = "This source has no soft-opt-in clients and none was ever mailed under soft opt-in."
NO_RECENT = "Soft-opt-in clients of this source were mailed before, but not in this window."
FEW_DELIVERED = "Only {n} email(s) delivered in the window; at least 500 are needed to judge a cohort."
FEW_REACTIONS = "Only {n} reaction(s) (clickers + unsubscribers) in the window; at least 30 are needed."
NO_DISSATISFACTION = "The dissatisfaction rate cannot be computed: nobody clicked or unsubscribed."
STOP_DISSATISFIED = (
    "Dissatisfaction rate {rate} is above the stop threshold of 40%: deliverability problems are likely."
)
BAND = (
    "Dissatisfaction rate {rate} is at least 20% and at most 40%: dissatisfaction is starting (look at content "
    "and segmentation)."
)
SATISFIED = "Dissatisfaction rate {rate} is below 20%: the audience is satisfied."
IN_LINE_100 = (
    "its open rate is 100% of the brand's (at least 80%); "
    "its click rate is 100% of the brand's (at least 80%)"
)
NO_COMPLAINT = "Complaint rate 0.00% is below 0.1%."
COMPLAINT_WARNING = (
    "Complaint rate {rate} reaches the 0.1% that mailbox providers ask bulk senders to stay below."
)


def test_the_default_figures_ramp_up():
    r = recommend(figures(), DEFAULTS)
    assert (r.action, r.rule, r.warnings) == ("ramp_up", "6", ())


# --- rule 1: never mailed ----------------------------------------------------------------------------------


def test_never_mailed_source_with_soft_opt_in_clients_starts_with_a_welcome_series():
    r = recommend(figures(ever_sent=False, send_rows=0, delivered=0, soft_opt_in_contacts=3), DEFAULTS)
    assert (r.action, r.rule) == ("welcome_first", "1")
    assert r.reasons == (WELCOME.format(n=3),)


def test_never_mailed_source_without_soft_opt_in_clients_is_no_cohort():
    r = recommend(figures(ever_sent=False, send_rows=0, delivered=0, soft_opt_in_contacts=0), DEFAULTS)
    assert (r.action, r.rule) == ("no_cohort", "1")
    assert r.reasons == (NO_COHORT,)


def test_rule_one_comes_first_whatever_the_figures():
    # never sent under soft opt-in wins even over stop-level figures
    assert action(ever_sent=False, soft_opt_in_contacts=5, dissatisfaction_rate=0.9) == "welcome_first"


# --- rule 2: no recent sends -------------------------------------------------------------------------------


def test_sent_before_but_not_in_the_window_is_no_recent_sends():
    r = recommend(
        figures(
            send_rows=0,
            delivered=0,
            clickers=0,
            unsubscribers=0,
            complaint_rate=None,
            dissatisfaction_rate=None,
            open_ratio=None,
            click_ratio=None,
        ),
        DEFAULTS,
    )
    assert (r.action, r.rule) == ("no_recent_sends", "2")
    assert r.reasons == (NO_RECENT,)


# --- rule 3: insufficient data -----------------------------------------------------------------------------


def test_min_delivered_boundary():
    # 499 < 500 → insufficient_data; 500 is enough.
    r = recommend(figures(delivered=499), DEFAULTS)
    assert (r.action, r.rule) == ("insufficient_data", "3")
    assert r.reasons == (FEW_DELIVERED.format(n=499),)
    assert action(delivered=500) == "ramp_up"


def test_min_reactions_boundary():
    # clickers + unsubscribers: 20 + 9 = 29 < 30 → insufficient_data; 21 + 9 = 30 is enough.
    r = recommend(figures(clickers=20, unsubscribers=9), DEFAULTS)
    assert (r.action, r.rule) == ("insufficient_data", "3")
    assert r.reasons == (FEW_REACTIONS.format(n=29),)
    assert action(clickers=21, unsubscribers=9) == "ramp_up"


def test_null_dissatisfaction_is_insufficient_data():
    # e.g. min_reactions set to 0 and nobody clicked or unsubscribed: dissatisfaction 0 / 0 → null
    r = recommend(
        figures(clickers=0, unsubscribers=0, dissatisfaction_rate=None), DEFAULTS.replace(min_reactions=0)
    )
    assert (r.action, r.rule) == ("insufficient_data", "3")
    assert r.reasons == (NO_DISSATISFACTION,)
    # with the default 30 reactions, 0 reactions is said too, before the null rate
    r = recommend(figures(clickers=0, unsubscribers=0, dissatisfaction_rate=None), DEFAULTS)
    assert r.reasons == (FEW_REACTIONS.format(n=0), NO_DISSATISFACTION)


def test_insufficient_data_comes_before_stop():
    # dissatisfaction 90% and complaints 1%, but only 100 delivered: too little data to judge.
    assert action(delivered=100, dissatisfaction_rate=0.9, complaint_rate=0.01) == "insufficient_data"


# --- rule 4: stop ------------------------------------------------------------------------------------------


def test_stop_above_is_strictly_greater():
    # dissatisfaction exactly 40% is not above 40% → rule 5 (engagement in line → hold); 40.01% → stop.
    assert action(dissatisfaction_rate=0.40) == "hold"
    assert action(dissatisfaction_rate=0.4001) == "stop"


def test_stop_reason_states_the_rate_and_the_threshold():
    r = recommend(figures(dissatisfaction_rate=0.45), DEFAULTS)
    assert (r.action, r.rule) == ("stop", "4")
    assert r.reasons == (STOP_DISSATISFIED.format(rate="45.0%"),)
    # 0.4001 is shown with the decimals that tell it from 40%: 40.01%, not 40.0%
    assert recommend(figures(dissatisfaction_rate=0.4001), DEFAULTS).reasons == (
        STOP_DISSATISFIED.format(rate="40.01%"),
    )


def test_complaint_stop_is_reached_at_equality():
    # complaint rate 0.3% ≥ 0.3% → stop (with the complaint warning); 0.29% → not stop (reduce: ≥ 0.1% warn).
    r = recommend(figures(complaint_rate=0.003), DEFAULTS)
    assert (r.action, r.rule) == ("stop", "4")
    assert r.reasons == ("Complaint rate 0.30% reaches the 0.3% limit of mailbox providers.",)
    assert r.warnings == (COMPLAINT_WARNING.format(rate="0.30%"),)
    assert action(complaint_rate=0.0029) == "reduce"


def test_stop_above_setting_changes_the_action():
    # 45% is above the default 40% but not above 50%.
    assert action(dissatisfaction_rate=0.45) == "stop"
    assert action(DEFAULTS.replace(stop_above=0.5), dissatisfaction_rate=0.45) == "hold"


# --- rule 5: dissatisfaction starting ----------------------------------------------------------------------


def test_ramp_up_below_boundary():
    # 20% is not below 20% → rule 5 (hold); 19.99% → rule 6 (ramp_up).
    assert action(dissatisfaction_rate=0.20) == "hold"
    assert action(dissatisfaction_rate=0.1999) == "ramp_up"
    assert action(dissatisfaction_rate=0.20, click_ratio=0.5) == "editorial_only"


def test_hold_reason_states_the_band():
    r = recommend(figures(dissatisfaction_rate=0.30), DEFAULTS)
    assert (r.action, r.rule) == ("hold", "5")
    assert r.reasons == (
        BAND.format(rate="30.0%"),
        f"Engagement is in line with the brand: {IN_LINE_100}. Keep the pressure and look at content and "
        "segmentation.",
    )


@pytest.mark.parametrize("low", ["open_ratio", "click_ratio"])
def test_low_engagement_in_the_band_goes_editorial_only(low):
    # dissatisfaction 30%, one ratio 70% < 80% tolerance → editorial_only, naming 70% and 80%.
    r = recommend(figures(dissatisfaction_rate=0.30, **{low: 0.70}), DEFAULTS)
    assert (r.action, r.rule) == ("editorial_only", "5")
    label = low.removesuffix("_ratio")
    assert r.reasons == (
        BAND.format(rate="30.0%"),
        f"Engagement is low: its {label} rate is 70% of the brand's (below the 80% tolerance). Send only "
        "editorial newsletters until the rates recover.",
    )


def test_engagement_tolerance_boundary_in_the_band():
    # ratio exactly 0.80 is in line → hold; 0.7999 → editorial_only.
    assert action(dissatisfaction_rate=0.30, open_ratio=0.80, click_ratio=0.80) == "hold"
    assert action(dissatisfaction_rate=0.30, open_ratio=0.7999) == "editorial_only"


def test_null_ratios_count_as_in_line_in_the_band():
    assert action(dissatisfaction_rate=0.30, open_ratio=None, click_ratio=None) == "hold"
    assert action(dissatisfaction_rate=0.30, open_ratio=None, click_ratio=0.5) == "editorial_only"


# --- rule 6: satisfied -------------------------------------------------------------------------------------


def test_ramp_up_reason_states_the_figures():
    r = recommend(figures(dissatisfaction_rate=0.10, open_ratio=0.95, click_ratio=1.20), DEFAULTS)
    assert (r.action, r.rule) == ("ramp_up", "6")
    assert r.reasons == (
        SATISFIED.format(rate="10.0%"),
        "Engagement is in line with the brand: its open rate is 95% of the brand's (at least 80%); its click "
        "rate is 120% of the brand's (at least 80%).",
        NO_COMPLAINT,
    )
    # a null complaint rate is said as such, not as 0%
    assert (
        recommend(figures(complaint_rate=None), DEFAULTS).reasons[-1]
        == "No complaint rate could be computed."
    )


def test_engagement_tolerance_boundary_when_satisfied():
    # both ratios exactly 0.80 → in line → ramp_up; 0.7999 → reduce.
    assert action(open_ratio=0.80, click_ratio=0.80) == "ramp_up"
    assert action(open_ratio=0.7999) == "reduce"
    assert action(click_ratio=0.7999) == "reduce"


def test_null_ratios_count_as_in_line_when_satisfied():
    r = recommend(figures(open_ratio=None, click_ratio=None), DEFAULTS)
    assert r.action == "ramp_up"
    assert r.reasons[1] == (
        "Engagement is in line with the brand: the open ratio cannot be computed (the brand's open rate is 0 or "
        "unknown), which counts as in line; the click ratio cannot be computed (the brand's click rate is 0 or "
        "unknown), which counts as in line."
    )
    assert action(open_ratio=None, click_ratio=0.5) == "reduce"


def test_low_engagement_reduces_with_its_reason():
    r = recommend(figures(click_ratio=0.70), DEFAULTS)
    assert (r.action, r.rule) == ("reduce", "6")
    assert r.reasons == (
        SATISFIED.format(rate="10.0%"),
        "But engagement is low: its click rate is 70% of the brand's (below the 80% tolerance).",
    )


def test_complaints_at_the_warning_level_reduce():
    # complaint rate 0.15% ≥ 0.1% warn (but < 0.3% stop), engagement in line → reduce, naming both rates;
    # exactly 0.1% → reduce as well; 0.0999% → ramp_up.
    r = recommend(figures(complaint_rate=0.0015), DEFAULTS)
    assert (r.action, r.rule) == ("reduce", "6")
    assert r.reasons == (
        SATISFIED.format(rate="10.0%"),
        "But the complaint rate 0.15% reaches 0.1%: do not increase the pressure.",
    )
    assert r.warnings == (COMPLAINT_WARNING.format(rate="0.15%"),)
    assert action(complaint_rate=0.001) == "reduce"
    assert action(complaint_rate=0.000999) == "ramp_up"


@pytest.mark.parametrize("previous", ["editorial_only", "stop"])
def test_recovered_after_editorial_only_or_stop_reintroduces_promos(previous):
    r = recommend(figures(), DEFAULTS, previous)
    assert (r.action, r.rule) == ("reintroduce_promos", "6")
    label = {"editorial_only": "editorial only", "stop": "stop"}[previous]
    assert r.reasons == (
        SATISFIED.format(rate="10.0%"),
        f"Engagement is in line with the brand: {IN_LINE_100}.",
        NO_COMPLAINT,
        f"The previous window's action was {label}: reintroduce promotions with some editorial content.",
    )


@pytest.mark.parametrize(
    "previous",
    [
        None,
        "ramp_up",
        "hold",
        "reduce",
        "reintroduce_promos",
        "insufficient_data",
        "no_recent_sends",
        "welcome_first",
    ],
)
def test_recovered_after_any_other_action_ramps_up(previous):
    assert action(previous=previous) == "ramp_up"


def test_previous_action_does_not_turn_a_reduce_into_reintroduce_promos():
    assert action(previous="stop", click_ratio=0.5) == "reduce"
    assert action(previous="editorial_only", dissatisfaction_rate=0.30) == "hold"


# --- complaint warning on any action -----------------------------------------------------------------------

ACTION_CASES = {
    "welcome_first": dict(ever_sent=False, soft_opt_in_contacts=3),
    "no_cohort": dict(ever_sent=False, soft_opt_in_contacts=0),
    "no_recent_sends": dict(send_rows=0),
    "insufficient_data": dict(delivered=499),
    "stop": dict(dissatisfaction_rate=0.45),
    "editorial_only": dict(dissatisfaction_rate=0.30, open_ratio=0.5),
    "hold": dict(dissatisfaction_rate=0.30),
    "reduce": dict(click_ratio=0.5),
}


@pytest.mark.parametrize("expected", list(ACTION_CASES))
def test_complaint_rate_at_the_warning_level_warns_on_any_action(expected):
    # complaint rate 0.2%: ≥ 0.1% warn, < 0.3% stop → the action is unchanged and carries the warning.
    r = recommend(figures(complaint_rate=0.002, **ACTION_CASES[expected]), DEFAULTS)
    assert r.action == expected
    assert r.warnings == (COMPLAINT_WARNING.format(rate="0.20%"),)


def test_complaint_stop_carries_the_warning_too():
    r = recommend(figures(complaint_rate=0.004), DEFAULTS)
    assert r.action == "stop"
    assert r.warnings == (COMPLAINT_WARNING.format(rate="0.40%"),)


@pytest.mark.parametrize("expected", [*ACTION_CASES, "ramp_up"])
def test_no_warning_below_the_warning_level(expected):
    r = recommend(figures(complaint_rate=0.0009, **ACTION_CASES.get(expected, {})), DEFAULTS)
    assert r.action == expected
    assert r.warnings == ()


def test_warning_level_is_reached_at_equality():
    assert len(recommend(figures(complaint_rate=0.001, dissatisfaction_rate=0.30), DEFAULTS).warnings) == 1


# --- end to end, through the report ------------------------------------------------------------------------

T = "2025-03-28"  # window 2025-03-01 … 2025-03-28; previous window 2025-02-01 … 2025-02-28


def test_report_welcome_first_for_soft_opt_in_clients_never_mailed(data):
    # store: c1 bought (consent none) but was only ever sent a service email, and k2 is dated after T
    # → no soft_opt_in marketing send dated ≤ T → welcome_first.
    con = (
        data.contact("c1", source="store")
        .order("c1", "2025-01-10")
        .campaign("k1", "2025-03-10T09:00:00", email_type="service")
        .campaign("k2", "2025-03-29T09:00:00")
        .send("k1", "c1", "2025-03-10T09:00:00")
        .send("k2", "c1", "2025-03-29T09:00:00")
        .load()
    )
    r = cohort(build_report(con, T), "store")["recommendation"]
    assert r["action"] == "welcome_first"
    assert r["reasons"] == [WELCOME.format(n=1)]


def test_report_no_cohort_when_the_source_has_no_soft_opt_in_client(data):
    # shop: an opt_in client mailed in the window and a prospect: no soft_opt_in client, none ever mailed
    # under soft opt-in → no_cohort.
    con = (
        data.contact("o1", source="shop", consent="opt_in")
        .order("o1", "2025-01-10")
        .contact("p1", source="shop")
        .campaign("k1", "2025-03-10T09:00:00")
        .send("k1", "o1", "2025-03-10T09:00:00")
        .load()
    )
    r = cohort(build_report(con, T), "shop")["recommendation"]
    assert (r["action"], r["reasons"]) == ("no_cohort", [NO_COHORT])


def test_report_no_recent_sends(data):
    # c1 mailed under soft opt-in on 2025-02-20 (before the window), not in the window → no_recent_sends.
    con = (
        data.contact("c1")
        .order("c1", "2025-01-10")
        .campaign("k1", "2025-02-20T09:00:00")
        .send("k1", "c1", "2025-02-20T09:00:00", clicks=1)
        .load()
    )
    r = cohort(build_report(con, T), "web")["recommendation"]
    assert (r["action"], r["reasons"]) == ("no_recent_sends", [NO_RECENT])


def test_report_insufficient_data(data):
    # 1 delivered send with a click: 1 < 500 delivered, 1 < 30 reactions → insufficient_data.
    con = (
        data.contact("c1")
        .order("c1", "2025-01-10")
        .campaign("k1", "2025-03-10T09:00:00")
        .send("k1", "c1", "2025-03-10T09:00:00", clicks=1)
        .load()
    )
    r = cohort(build_report(con, T), "web")["recommendation"]
    assert r["action"] == "insufficient_data"
    assert r["reasons"] == [FEW_DELIVERED.format(n=1), FEW_REACTIONS.format(n=1)]
    # with the thresholds lowered to what the cohort has, the rules go on: dissatisfaction 0 / 1 = 0 → ramp_up
    assert (
        cohort(build_report(con, T, min_delivered=1, min_reactions=1), "web")["recommendation"]["action"]
        == "ramp_up"
    )


# --- rules 1 and 2 with campaign_stats rows: each row is a send of its source and basis (SPEC §7) ----------
# partner has one soft-opt-in client c1 (bought 2025-01-10) and no send from events. T = 2025-03-28, window
# 2025-03-01 … 2025-03-28.


def partner(data, *rows: tuple[str, str, dict]):
    """c1, a soft-opt-in client of partner, and one campaign_stats row of partner per (date, basis, extra)."""
    data.contact("c1", source="partner").order("c1", "2025-01-10")
    for i, (day, basis, extra) in enumerate(rows):
        data.stats(f"k{i}", day, "partner", basis, **{"delivered": 3, **extra})
    return cohort(build_report(data.load(), T), "partner")["recommendation"]


def test_a_stats_row_before_the_window_is_sent_before(data):
    # One soft_opt_in marketing row on 2025-02-10: sent before (rule 1 does not fire), nothing in the window
    # → rule 2, no_recent_sends (without it, c1 would make it welcome_first: next test).
    r = partner(data, ("2025-02-10", "soft_opt_in", {}))
    assert (r["action"], r["reasons"]) == ("no_recent_sends", [NO_RECENT])


def test_without_any_send_the_soft_opt_in_client_gets_a_welcome_series(data):
    r = partner(data)
    assert (r["action"], r["reasons"]) == ("welcome_first", [WELCOME.format(n=1)])


def test_a_stats_row_in_the_window_is_a_recent_send_even_with_nothing_delivered(data):
    # One soft_opt_in row on 2025-03-10 with delivered 0: a send of the window (rule 2 does not fire), so the
    # cohort reaches rule 3 with 0 delivered, 0 reactions and no dissatisfaction rate.
    r = partner(data, ("2025-02-10", "soft_opt_in", {}), ("2025-03-10", "soft_opt_in", {"delivered": 0}))
    assert r["action"] == "insufficient_data"
    assert r["reasons"] == [FEW_DELIVERED.format(n=0), FEW_REACTIONS.format(n=0), NO_DISSATISFACTION]


@pytest.mark.parametrize(
    "row",
    [
        # a service email (the row's own type): needs no consent, is no marketing send
        ("2025-03-10", "soft_opt_in", {"email_type": "service"}),
        # a marketing row of another basis: not a soft-opt-in send
        ("2025-03-10", "opt_in", {}),
    ],
)
def test_a_service_row_or_another_basis_is_no_soft_opt_in_send(data, row):
    # The only row is not a soft_opt_in marketing send → never sent → rule 1: c1 makes it welcome_first.
    r = partner(data, row)
    assert (r["action"], r["reasons"]) == ("welcome_first", [WELCOME.format(n=1)])


def test_a_service_row_takes_its_type_from_the_campaigns_file(data):
    # The row has no email_type; its campaign k0 is declared a service email in campaigns → not a marketing send.
    data.campaign("k0", "2025-03-10T09:00:00", email_type="service")
    r = partner(data, ("2025-03-10", "soft_opt_in", {}))
    assert r["action"] == "welcome_first"


def test_a_service_row_in_the_window_is_no_recent_send(data):
    # Sent before (a soft_opt_in promo row on 2025-02-10), and in the window only a service row → rule 2.
    r = partner(
        data, ("2025-02-10", "soft_opt_in", {}), ("2025-03-10", "soft_opt_in", {"email_type": "service"})
    )
    assert (r["action"], r["reasons"]) == ("no_recent_sends", [NO_RECENT])


def test_a_source_only_in_campaign_stats_with_only_service_rows_is_no_cohort(data):
    # shop has no contact (so no soft-opt-in client) and only a service row → never sent → no_cohort.
    con = data.stats("s1", "2025-03-10", "shop", "soft_opt_in", delivered=40, email_type="service").load()
    r = cohort(build_report(con, T), "shop")["recommendation"]
    assert (r["action"], r["reasons"]) == ("no_cohort", [NO_COHORT])


# One window's campaign_stats figures for the web soft-opt-in cohort (the cohort is the whole baseline, so
# both ratios are 1):
# STOP: 1000 delivered, 200 openers, 40 clickers, 60 unsubscribers → dissatisfaction 60 / 100 = 0.6 > 0.4 → stop.
# GOOD: 1000 delivered, 200 openers, 95 clickers, 5 unsubscribers, 0 complainers → dissatisfaction 5 / 100 =
#   0.05 < 0.2, ratios 1 ≥ 0.8, complaint rate 0 → satisfied and in line (ramp_up or reintroduce_promos).
STOP = dict(delivered=1000, openers=200, clickers=40, unsubscribers=60)
GOOD = dict(delivered=1000, openers=200, clickers=95, unsubscribers=5)


def web_rows(data, *rows: tuple[str, dict]):
    """A web client, and one soft_opt_in campaign_stats row per (date, figures)."""
    data.contact("c1").order("c1", "2024-01-10")
    for i, (day, figures_) in enumerate(rows):
        data.stats(f"k{i}", day, "web", "soft_opt_in", **figures_)
    return data.load()


def action_on(con, as_of: str, **settings) -> str:
    return cohort(build_report(con, as_of, **settings), "web")["recommendation"]["action"]


def test_report_previous_window_action_is_stop(data):
    # as of 2025-02-28 (the previous window's last day) the February row alone → stop.
    con = web_rows(data, ("2025-02-10", STOP), ("2025-03-10", GOOD))
    assert action_on(con, "2025-02-28") == "stop"


def test_report_reintroduces_promos_after_a_stop_in_the_previous_window(data):
    con = web_rows(data, ("2025-02-10", STOP), ("2025-03-10", GOOD))
    report = build_report(con, T)
    m = cohort(report, "web")["metrics"]
    assert m["dissatisfaction_rate"] == 0.05
    assert (m["open_ratio"], m["click_ratio"]) == (1.0, 1.0)
    assert cohort(report, "web")["recommendation"]["action"] == "reintroduce_promos"


def test_report_ramps_up_without_a_stop_in_the_previous_window(data):
    con = web_rows(data, ("2025-02-10", GOOD), ("2025-03-10", GOOD))
    assert action_on(con, T) == "ramp_up"


@pytest.mark.parametrize("previous_day", ["2025-02-01", "2025-02-28"])
def test_report_previous_window_boundaries(data, previous_day):
    # the previous window is 2025-02-01 (T − 55) … 2025-02-28 (T − 28): a stop on either end day counts.
    con = web_rows(data, (previous_day, STOP), ("2025-03-10", GOOD))
    assert action_on(con, T) == "reintroduce_promos"


def test_report_ramps_up_when_the_stop_was_before_the_previous_window(data):
    # the stop-level row is dated 2025-01-31, the day before the previous window → the previous window had no
    # send (no_recent_sends) → ramp_up.
    con = web_rows(data, ("2025-01-31", STOP), ("2025-03-10", GOOD))
    assert action_on(con, T) == "ramp_up"


def test_report_previous_window_follows_window_weeks(data):
    # window_weeks=1: window 2025-03-22 … 2025-03-28, previous window 2025-03-15 … 2025-03-21.
    # STOP on 2025-03-15, GOOD on 2025-03-22 → reintroduce_promos. As of 2025-03-29 (GOOD that day too) the
    # previous window 2025-03-16 … 2025-03-22 holds only GOOD → ramp_up.
    con = web_rows(data, ("2025-03-15", STOP), ("2025-03-22", GOOD), ("2025-03-29", GOOD))
    assert action_on(con, T, window_weeks=1) == "reintroduce_promos"
    assert action_on(con, "2025-03-29", window_weeks=1) == "ramp_up"


def test_report_previous_action_is_computed_without_look_back(data):
    # 2025-01-10 STOP, 2025-02-10 GOOD, 2025-03-10 GOOD. With its own look-back, February would reintroduce
    # promos (January was a stop); without it, February's action is ramp_up, so March ramps up too.
    con = web_rows(data, ("2025-01-10", STOP), ("2025-02-10", GOOD), ("2025-03-10", GOOD))
    assert action_on(con, "2025-02-28") == "reintroduce_promos"
    assert action_on(con, T) == "ramp_up"


def test_report_stop_above_setting_changes_the_action(data):
    # window: 1000 delivered, 55 clickers, 45 unsubscribers → dissatisfaction 0.45; ratios 1.
    # default stop_above 0.40 → stop; stop_above 0.5 → 0.45 is in the 20–50% band, engagement in line → hold.
    con = web_rows(data, ("2025-03-10", dict(delivered=1000, openers=200, clickers=55, unsubscribers=45)))
    stop = cohort(build_report(con, T), "web")["recommendation"]
    assert stop["action"] == "stop"
    assert stop["reasons"] == [STOP_DISSATISFIED.format(rate="45.0%")]
    assert action_on(con, T, stop_above=0.5) == "hold"


def test_report_complaint_warning(data):
    # GOOD plus 2 complainers: complaint rate 2 / 1000 = 0.2% ≥ 0.1% warn, < 0.3% stop; dissatisfaction 5% and
    # ratios 1 → reduce (never ramp up above the warning level), with the warning.
    con = web_rows(data, ("2025-03-10", dict(GOOD, complainers=2)))
    r = cohort(build_report(con, T), "web")["recommendation"]
    assert r["action"] == "reduce"
    assert r["reasons"] == [
        SATISFIED.format(rate="5.0%"),
        "But the complaint rate 0.20% reaches 0.1%: do not increase the pressure.",
    ]
    assert r["warnings"] == [COMPLAINT_WARNING.format(rate="0.20%")]


@pytest.mark.parametrize(
    ("value", "limit", "digits", "expected"),
    [
        # Rounded to one decimal 0.4001 would read "40.0%" — the same as the 40% it is above.
        (0.4001, 0.40, 1, ("40.01%", "40%")),
        (0.7999, 0.80, 0, ("79.99%", "80%")),
        (0.00095, 0.001, 2, ("0.095%", "0.1%")),
        # Away from the threshold the usual precision is kept; equal values stay equal.
        (0.45, 0.40, 1, ("45.0%", "40%")),
        (0.40, 0.40, 1, ("40.0%", "40%")),
        # A threshold is shown exactly: 0.425 is 42.5%, not 42%.
        (0.30, 0.425, 1, ("30.0%", "42.5%")),
    ],
)
def test_figures_never_read_equal_to_a_threshold_they_differ_from(value, limit, digits, expected):
    from analytics.policy import versus

    assert versus(value, limit, digits) == expected
