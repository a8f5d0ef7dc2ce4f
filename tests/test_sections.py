"""Given/expect tests for what each dashboard page section shows (analytics/report/sections.py), its source
filter (a chosen source keeps only its rows; none chosen keeps all) and the settings' query parameters.

Unless a test says otherwise the report date T is 2025-03-28, so the default 4-week window is
2025-03-01 … 2025-03-28, and the retention limit is 3 years after the last purchase or click. Every expected
value is worked out by hand in a comment.
"""

from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest

from analytics.report import cohorts, review, sections
from analytics.report.cohorts import Window, in_sources
from analytics.settings import DEFAULTS
from analytics.store import decisions

T = dt.date(2025, 3, 28)
K1 = "2025-03-10T09:00:00"
K2 = "2025-03-17T09:00:00"
ALL = ()
UNLAWFUL_ZERO = dict.fromkeys(("objected", "expired", "no_loyalty_consent", "not_informed", "prospect"), 0)


@pytest.fixture
def brand(data):
    """Three sources on T (collected 2024-01-01 and bought 2025-01-10 unless said):

    partner  p_uninf  consent none, informed false                          → not_informed
    shop     s_soft   consent none, loyalty consent                         → soft_opt_in (loyalty-eligible)
             s_soon   bought 2022-04-15 only: limit 2025-04-15 = T+18 days  → soft_opt_in, expiring (30/60/90)
             s_pros   never bought                                          → prospect
    web      w_opt    consent opt_in, loyalty consent                       → opt_in (loyalty-eligible)
             w_soft   consent none                                          → soft_opt_in
             w_60     bought 2022-05-10 only: limit 2025-05-10 = T+43 days  → soft_opt_in, expiring (60/90)
             w_obj    consent objected                                      → objected
             w_exp    bought 2021-06-01 only: limit 2024-06-01 < T          → expired

    Marketing sends in the window: k1 (promo, 2025-03-10) to p_uninf (not_informed), s_pros (prospect),
    w_obj (objected) and w_soft (lawful); k2 (promo, 2025-03-17) to s_pros (prospect) and w_exp (expired);
    a campaign-stats row k3 (promo, 2025-03-20) of partner: 5 prospect sends, no contact list.
    """
    data.contact("p_uninf", source="partner", informed=False).order("p_uninf", "2025-01-10")
    data.contact("s_soft", source="shop", loyalty_consent=True).order("s_soft", "2025-01-10")
    data.contact("s_soon", source="shop", collected_at="2022-01-01").order("s_soon", "2022-04-15")
    data.contact("s_pros", source="shop")
    data.contact("w_opt", source="web", consent="opt_in", loyalty_consent=True).order("w_opt", "2025-01-10")
    data.contact("w_soft", source="web").order("w_soft", "2025-01-10")
    data.contact("w_60", source="web", collected_at="2022-01-01").order("w_60", "2022-05-10")
    data.contact("w_obj", source="web", consent="objected").order("w_obj", "2025-01-10")
    data.contact("w_exp", source="web", collected_at="2021-01-01").order("w_exp", "2021-06-01")
    data.campaign("k1", K1).campaign("k2", K2)
    for contact in ("p_uninf", "s_pros", "w_obj", "w_soft"):
        data.send("k1", contact, K1)
    data.send("k2", "s_pros", K2).send("k2", "w_exp", K2)
    data.stats("k3", "2025-03-20T09:00:00", "partner", "prospect", delivered=5, email_type="promo")
    return data.load()


# --- the source filter ----------------------------------------------------------------------------------


def test_no_source_chosen_keeps_every_source_and_a_chosen_one_only_itself():
    assert in_sources("web", ALL) and in_sources(None, ALL)
    assert in_sources("web", ("web", "shop"))
    assert not in_sources("partner", ("web", "shop"))
    assert not in_sources(None, ("web",))  # the baseline is no source: sections keep it themselves


# --- Eligibility & retention ----------------------------------------------------------------------------


def test_eligibility_status_per_source_and_email_type(brand):
    status = sections.eligibility_status(brand, T, DEFAULTS, ALL)
    assert not status.empty
    # (source, contacts, opt_in, soft_opt_in, not_informed, prospect, objected, expired), from the fixture:
    # partner 1 contact, not informed; shop 3 = 2 soft opt-in + 1 prospect; web 5 = 1 opt-in, 2 soft
    # opt-in, 1 objected, 1 expired.
    assert status.per_source.to_dict("split")["data"] == [
        ["partner", 1, 0, 0, 1, 0, 0, 0],
        ["shop", 3, 0, 2, 0, 1, 0, 0],
        ["web", 5, 1, 2, 0, 0, 1, 1],
    ]
    assert list(status.per_source.columns) == list(sections.STATUS_COLUMNS)
    # Marketing types: opt-in + soft opt-in (partner 0, shop 2, web 3); loyalty: those with loyalty consent
    # (shop s_soft, web w_opt).
    assert status.per_email_type.to_dict("split")["data"] == [
        ["partner", 0, 0, 0, 0, 0],
        ["shop", 2, 2, 2, 2, 1],
        ["web", 3, 3, 3, 3, 1],
    ]
    assert list(status.per_email_type.columns) == [
        "collection_source",
        "promo",
        "newsletter",
        "cart_abandonment",
        "welcome",
        "loyalty",
    ]
    # marketing 0+2+3 = 5, loyalty 1+1 = 2, expired w_exp, expiring within 90 days s_soon and w_60, objected w_obj
    assert status.totals == {
        "eligible_marketing": 5,
        "eligible_loyalty": 2,
        "expired": 1,
        "expiring_soon": 2,
        "objected": 1,
    }


def test_eligibility_status_of_a_chosen_source_keeps_only_its_rows(brand):
    status = sections.eligibility_status(brand, T, DEFAULTS, ("shop",))
    assert list(status.per_source["collection_source"]) == ["shop"]
    assert list(status.per_email_type["collection_source"]) == ["shop"]
    # shop alone: s_soft and s_soon may be mailed, s_soft also loyalty emails, s_soon expires within 90 days
    assert status.totals == {
        "eligible_marketing": 2,
        "eligible_loyalty": 1,
        "expired": 0,
        "expiring_soon": 1,
        "objected": 0,
    }
    two = sections.eligibility_status(brand, T, DEFAULTS, ("web", "partner"))
    assert list(two.per_source["collection_source"]) == ["partner", "web"]


def test_eligibility_totals_are_those_of_the_report(brand):
    # The section reads cohorts.eligibility (the report's eligibility): its totals are the same sums.
    for day in (T, dt.date(2024, 6, 15)):
        rows = cohorts.eligibility(brand, day, DEFAULTS)
        totals = sections.eligibility_status(brand, day, DEFAULTS, ALL).totals
        assert totals == {name: sum(r[name] for r in rows) for name in sections.ELIGIBILITY_TOTALS}


def test_eligibility_before_any_contact_is_empty(brand):
    status = sections.eligibility_status(brand, dt.date(2020, 1, 1), DEFAULTS, ALL)
    assert status.empty and status.totals == dict.fromkeys(sections.ELIGIBILITY_TOTALS, 0)


def test_expiring_contacts_within_30_60_and_90_days(brand):
    # s_soon ends T+18 (within 30, 60, 90); w_60 ends T+43 (within 60, 90); partner has none.
    expiring = sections.expiring_contacts(brand, T, DEFAULTS, ALL)
    assert expiring.to_dict("split")["data"] == [["partner", 0, 0, 0], ["shop", 1, 1, 1], ["web", 0, 1, 1]]
    assert list(expiring.columns) == ["collection_source", "within_30", "within_60", "within_90"]
    assert sections.expiring_contacts(brand, T, DEFAULTS, ("web",)).to_dict("split")["data"] == [
        ["web", 0, 1, 1]
    ]


def _csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_contact_lists_hold_the_chosen_sources_contacts_of_one_status(brand, tmp_path):
    path = tmp_path / "list.csv"
    sections.contact_list_csv(brand, path, "expired", T, DEFAULTS, ALL)
    header, *rows = _csv(path)
    assert header == [
        "contact_id",
        "collection_source",
        "consent",
        "collected_at",
        "last_contact_date",
        "retention_ends",
        "opposition_date",
    ]
    # w_exp: collected 2021-01-01, last purchase 2021-06-01, limit 2024-06-01
    assert rows == [["w_exp", "web", "none", "2021-01-01", "2021-06-01", "2024-06-01", ""]]
    sections.contact_list_csv(brand, path, "objected", T, DEFAULTS, ALL)
    assert [row[0] for row in _csv(path)[1:]] == ["w_obj"]
    sections.contact_list_csv(brand, path, "expired", T, DEFAULTS, ("shop",))
    assert _csv(path)[1:] == []  # shop has no expired contact


# --- Compliance -----------------------------------------------------------------------------------------


def test_violations_per_basis_source_and_campaign(brand):
    found = sections.violations(brand, T, DEFAULTS, ALL)
    assert found.window == Window(dt.date(2025, 3, 1), T)
    assert not found.empty
    # objected w_obj, expired w_exp, not_informed p_uninf, prospect s_pros twice + 5 from campaign stats
    assert found.by_basis == {**UNLAWFUL_ZERO, "objected": 1, "expired": 1, "not_informed": 1, "prospect": 7}
    # one row per source (sorted), one column per basis found (sorted), 0 where none
    assert list(found.per_source.columns) == [
        "collection_source",
        "expired",
        "not_informed",
        "objected",
        "prospect",
    ]
    assert found.per_source.to_dict("split")["data"] == [
        ["partner", 0, 1, 0, 5],
        ["shop", 0, 0, 0, 2],
        ["web", 1, 0, 1, 0],
    ]
    # summed over sources per date × campaign × type × basis, sorted by those
    assert list(found.per_campaign.columns) == ["sent_date", "campaign_id", "email_type", "basis", "sends"]
    assert [tuple(r[1:]) for r in found.per_campaign.itertuples(index=False)] == [
        ("k1", "promo", "not_informed", 1),
        ("k1", "promo", "objected", 1),
        ("k1", "promo", "prospect", 1),
        ("k2", "promo", "expired", 1),
        ("k2", "promo", "prospect", 1),
        ("k3", "promo", "prospect", 5),
    ]
    assert [d.date() for d in found.per_campaign["sent_date"]] == [dt.date(2025, 3, 10)] * 3 + [
        dt.date(2025, 3, 17)
    ] * 2 + [dt.date(2025, 3, 20)]


def test_violations_of_a_chosen_source(brand):
    found = sections.violations(brand, T, DEFAULTS, ("shop",))
    # shop: s_pros mailed by k1 and k2, both prospect
    assert found.by_basis == {**UNLAWFUL_ZERO, "prospect": 2}
    assert found.per_source.to_dict("split")["data"] == [["shop", 2]]
    assert [tuple(r[1:]) for r in found.per_campaign.itertuples(index=False)] == [
        ("k1", "promo", "prospect", 1),
        ("k2", "promo", "prospect", 1),
    ]


def test_no_violation_in_a_window_without_sends(brand):
    # The window 2025-01-04 … 2025-01-31 holds no send.
    found = sections.violations(brand, dt.date(2025, 1, 31), DEFAULTS, ALL)
    assert found.empty and found.by_basis == UNLAWFUL_ZERO


def test_affected_sends_list_the_first_rows_and_count_them_all(brand, monkeypatch, tmp_path):
    # From events only (k3's campaign-stats row names no contact), by date, campaign, contact:
    expected = [
        ("k1", "p_uninf", "partner", "not_informed"),
        ("k1", "s_pros", "shop", "prospect"),
        ("k1", "w_obj", "web", "objected"),
        ("k2", "s_pros", "shop", "prospect"),
        ("k2", "w_exp", "web", "expired"),
    ]
    sends = sections.affected_sends(brand, T, DEFAULTS, ALL)
    assert sends.total == 5
    assert list(sends.rows.columns) == [
        "sent_date",
        "campaign_id",
        "campaign_name",
        "email_type",
        "contact_id",
        "collection_source",
        "basis",
    ]
    shown = sends.rows[["campaign_id", "contact_id", "collection_source", "basis"]]
    assert list(shown.itertuples(index=False, name=None)) == expected
    monkeypatch.setattr(sections, "SENDS_SHOWN", 2)
    sends = sections.affected_sends(brand, T, DEFAULTS, ALL)
    assert (len(sends.rows), sends.total) == (2, 5)  # the first two shown, all five counted
    web = sections.affected_sends(brand, T, DEFAULTS, ("web",))
    assert list(web.rows["contact_id"]) == ["w_obj", "w_exp"] and web.total == 2
    # the download holds the same sends, all of them
    path = tmp_path / "sends.csv"
    sections.violation_sends_csv(brand, path, T, DEFAULTS, ALL)
    assert [(r[1], r[4]) for r in _csv(path)[1:]] == [(c, k) for c, k, _, _ in expected]
    sections.violation_sends_csv(brand, path, T, DEFAULTS, ("web",))
    assert [r[4] for r in _csv(path)[1:]] == ["w_obj", "w_exp"]


# --- Cohort health --------------------------------------------------------------------------------------


def test_cohort_state_of_chosen_sources_keeps_the_brands_window_and_baseline(brand):
    state = cohorts.cohort_state(brand, T, DEFAULTS)
    assert [r["collection_source"] for r in state.rows] == ["partner", "shop", "web"]
    shop = sections.cohort_state_of_sources(state, ("shop",))
    assert [r["collection_source"] for r in shop.rows] == ["shop"]
    assert list(shop.eligibility) == ["shop"] and list(shop.recommendations) == ["shop"]
    assert shop.window == state.window and shop.baseline == state.baseline
    assert sections.cohort_state_of_sources(state, ALL) == state


def test_window_sends_of_chosen_sources(brand):
    # shop: s_pros mailed by k1 and k2, both delivered, both prospect
    assert sections.window_sends(brand, T, DEFAULTS, ("shop",)) == {"prospect": {"sends": 2, "delivered": 2}}


# --- Trends ---------------------------------------------------------------------------------------------


def test_trend_rates_keep_the_baseline_and_the_chosen_sources():
    weekly = pd.DataFrame(
        {
            "week_start": [dt.date(2025, 3, 3)] * 3,
            "collection_source": [None, "shop", "web"],
            "open_rate": [0.5, 0.25, 0.75],
        }
    )
    assert list(sections.trend_rates(weekly, ("web",)).index) == [0, 2]  # the baseline and web
    assert list(sections.trend_rates(weekly, ALL).index) == [0, 1, 2]
    assert list(sections.trend_rates(weekly, ("fair",)).index) == [0]  # a source without sends: baseline only


def test_trend_actions_as_a_source_by_week_table():
    # Week ends 2025-03-16 (ISO week 2025-W11) and 2025-03-23 (2025-W12).
    history = [
        {"week_end": dt.date(2025, 3, 16), "collection_source": "web", "action": "stop", "reasons": []},
        {"week_end": dt.date(2025, 3, 16), "collection_source": "shop", "action": "hold", "reasons": []},
        {"week_end": dt.date(2025, 3, 23), "collection_source": "web", "action": "reduce", "reasons": []},
        {"week_end": dt.date(2025, 3, 23), "collection_source": "shop", "action": "ramp_up", "reasons": []},
    ]
    actions = sections.trend_actions(history, ALL)
    assert list(actions.history.columns) == ["week_end", "collection_source", "action", "reasons"]
    assert len(actions.history) == 4
    # rows and columns sorted; each cell the action's label
    assert list(actions.table.index) == ["shop", "web"]
    assert list(actions.table.columns) == ["2025-W11", "2025-W12"]
    assert actions.table.values.tolist() == [["Hold", "Ramp up"], ["Stop", "Reduce"]]
    web = sections.trend_actions(history, ("web",))
    assert list(web.history.index) == [0, 2]
    assert web.table.values.tolist() == [["Stop", "Reduce"]]
    assert sections.trend_actions(history, ("fair",)).history.empty


# --- Weekly review --------------------------------------------------------------------------------------


def test_a_review_of_chosen_sources_keeps_the_brands_summary(data):
    # Week 2026-03-09 … 2026-03-15. p1 (web, never bought) mailed on 2026-03-10: one web prospect send;
    # old1 (web, last contact 2023-03-12) expires during the week; n1 is kiosk's first contact (2026-03-11),
    # kiosk not in the registry: new missing evidence.
    data.contact("p1", source="web", collected_at="2025-01-01")
    data.contact("old1", source="web", collected_at="2023-03-12")
    data.contact("n1", source="kiosk", collected_at="2026-03-11")
    data.source("web", channel="web_form", notice_shown="true", evidence="form.png")
    data.campaign("B", "2026-03-10T09:00:00").send("B", "p1", "2026-03-10T09:00:00")
    con = data.load()
    whole = review.build_review(con, dt.date(2026, 3, 15), DEFAULTS)
    kiosk = sections.review_of_sources(whole, ("kiosk",))
    assert [s.collection_source for s in kiosk.sources] == ["kiosk"]
    assert {h["collection_source"] for h in kiosk.history} == {"kiosk"}
    assert kiosk.violations == () and kiosk.retention == ()  # both web's
    assert [e["collection_source"] for e in kiosk.evidence] == ["kiosk"]
    assert (kiosk.summary, kiosk.baseline, kiosk.previous_violations) == (
        whole.summary,
        whole.baseline,
        whole.previous_violations,
    )
    web = sections.review_of_sources(whole, ("web",))
    assert [(v["collection_source"], v["sends"]) for v in web.violations] == [("web", 1)]
    assert [r["collection_source"] for r in web.retention] == ["web"] and web.evidence == ()
    assert sections.review_of_sources(whole, ALL) == whole


def test_decisions_of_chosen_sources_keep_the_logs_order(con):
    for source in ("web", "shop", "web"):
        decisions.record(
            con,
            week_end=dt.date(2026, 3, 15),
            collection_source=source,
            recommended_action="stop",
            decision="follow",
            decided_by="A. B.",
        )
    log = decisions.entries(con)
    assert [d.decision_id for d in sections.decisions_of_sources(log, ("web",))] == [1, 3]
    assert sections.decisions_of_sources(log, ALL) == log


# --- settings → query parameters ------------------------------------------------------------------------


def test_query_parameters_name_the_settings_as_the_queries_do():
    settings = DEFAULTS.replace(
        retention_years=5, expiring_soon_days=60, baseline="opt_in", dissatisfaction_includes_complaints=True
    )
    assert settings.query_parameters(
        "retention_years", "expiring_days", "baseline_opt_in_only", "include_complaints"
    ) == {"retention_years": 5, "expiring_days": 60, "baseline_opt_in_only": True, "include_complaints": True}
    assert DEFAULTS.query_parameters("retention_years") == {"retention_years": 3}  # only those asked for
    assert DEFAULTS.query_parameters("baseline_opt_in_only") == {"baseline_opt_in_only": False}
    # the weekly review's fixed 30-day horizon replaces the setting
    assert settings.query_parameters("retention_years", expiring_days=30) == {
        "retention_years": 5,
        "expiring_days": 30,
    }
    with pytest.raises(ValueError, match="window_weeks"):
        DEFAULTS.query_parameters("window_weeks")
