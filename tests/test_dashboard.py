"""The dashboard, page by page, driven with Streamlit's AppTest by widget key.

Most tests run on the demo brand (its figures are held by tests/test_demo.py); the expected values here are
read from the analytics layer for the same settings, so the pages are checked to show the CLI's numbers.
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from analytics import demo, ingest, store
from analytics.settings import DEFAULTS
from tests.apptest import APP, PAGES, table
from tests.builders import build_report


def actions(app) -> dict[str, str]:
    frame = table(app)
    return dict(zip(frame["Source"], frame["Action"], strict=True))


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs_on_the_demo_without_error(demo_file, open_app, page):
    app = open_app(demo_file, page)
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    assert app.title[0].value  # every page says what it is


def test_cohort_health_shows_the_reports_actions_and_a_baseline_row(demo_file, open_app):
    app = open_app(demo_file)
    assert app.date_input(key="as_of").value == demo.DEMO_AS_OF  # default: the latest send in the data
    expected = build_report(store.connect(demo_file), demo.DEMO_AS_OF.isoformat(), DEFAULTS)
    shown = table(app)
    assert list(shown["Source"])[:-1] == [c["collection_source"] for c in expected["cohorts"]]
    assert shown["Source"].iloc[-1] == "Baseline (whole brand)"
    assert shown["Delivered"].iloc[-1] == expected["baseline"]["delivered"]
    by_source = {c["collection_source"]: c for c in expected["cohorts"]}
    labels = actions(app)
    assert labels["web_checkout"] == "Ramp up" and labels["partner_coreg"] == "Stop"
    assert labels["marketplace"] == "Reintroduce promos"
    row = shown[shown["Source"] == "partner_coreg"].iloc[0]
    assert row["Dissatisfaction"] == pytest.approx(
        by_source["partner_coreg"]["metrics"]["dissatisfaction_rate"]
    )
    # (the eligibility counts moved to the Eligibility & retention page; the table keeps the delivered count)
    assert row["Delivered"] == by_source["partner_coreg"]["metrics"]["delivered"]


def test_headline_figures_add_up_the_eligibility_and_violations(demo_file, open_app):
    app = open_app(demo_file)
    expected = build_report(store.connect(demo_file), demo.DEMO_AS_OF.isoformat(), DEFAULTS)
    lawful = sum(c["eligibility"]["opt_in"] + c["eligibility"]["soft_opt_in"] for c in expected["cohorts"])
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Lawful reach"] == f"{lawful:,}"
    assert metrics["Compliance violations"] == f"{sum(expected['violations'].values()):,}"
    assert (
        metrics["Contacts to purge"] == f"{sum(c['eligibility']['expired'] for c in expected['cohorts']):,}"
    )


def test_moving_the_report_date_changes_the_figures(demo_file, open_app):
    app = open_app(demo_file)
    before = table(app).set_index("Source").loc["web_checkout", "Delivered"]
    app.date_input(key="as_of").set_value(demo.DEMO_AS_OF - dt.timedelta(days=7)).run()
    after = table(app).set_index("Source").loc["web_checkout", "Delivered"]
    expected = build_report(store.connect(demo_file), (demo.DEMO_AS_OF - dt.timedelta(days=7)).isoformat())
    assert (
        after
        == next(c for c in expected["cohorts"] if c["collection_source"] == "web_checkout")["metrics"][
            "delivered"
        ]
    )
    assert after != before


def test_a_longer_window_changes_the_window_and_the_actions(demo_file, open_app):
    app = open_app(demo_file)
    app.number_input(key="window_weeks").set_value(12).run()
    # Over 12 weeks marketplace's stop-level weeks weigh in: it is no longer "reintroduce promos".
    expected = build_report(store.connect(demo_file), demo.DEMO_AS_OF.isoformat(), DEFAULTS, window_weeks=12)
    want = {c["collection_source"]: c["recommendation"]["action"] for c in expected["cohorts"]}
    assert want["marketplace"] != "reintroduce_promos"
    assert actions(app)["marketplace"] != "Reintroduce promos"
    assert "12 weeks" in app.caption[0].value


def test_the_source_filter_keeps_only_the_chosen_sources(demo_file, open_app):
    app = open_app(demo_file)
    app.multiselect(key="sources").set_value(["web_checkout", "in_store"]).run()
    assert list(table(app)["Source"]) == ["in_store", "web_checkout", "Baseline (whole brand)"]
    assert app.selectbox(key="detail_source").options == ["in_store", "web_checkout"]


def test_selecting_a_source_shows_its_detail(demo_file, open_app):
    app = open_app(demo_file)
    app.selectbox(key="detail_source").set_value("partner_coreg").run()
    text = " ".join(m.value for m in app.markdown)
    assert "partner\\_coreg" in text and "Stop" in text
    assert "above the stop threshold of 40%" in text


def test_a_saved_threshold_changes_the_recommendation_on_every_page(own_demo, open_app):
    app = open_app(own_demo, "settings")
    # partner_coreg: dissatisfaction 62.9% → stop at 40%; with stop_above 0.70 it falls in the 20–70% band,
    # with engagement below the brand's → editorial only.
    app.number_input(key="setting_stop_above").set_value(0.70)
    app.button(key="save_settings").click().run()  # the form's submit button
    assert app.success, "the save is confirmed"
    app.switch_page(PAGES["health"]).run()
    assert actions(app)["partner_coreg"] == "Editorial only"
    con = store.connect(own_demo)
    assert con.execute("select value from settings where name = 'stop_above'").fetchall() == [("0.7",)]


def test_contradicting_thresholds_are_refused_on_the_page_and_nothing_is_saved(own_demo, open_app):
    # ramp-up at 50% above the stop at 40%: every cohort not stopped would count as satisfied
    app = open_app(own_demo, "settings")
    app.number_input(key="setting_ramp_up_below").set_value(0.5)
    app.button(key="save_settings").click().run()
    assert not app.exception and not app.success
    shown = app.error[0].value.replace("\\", "")  # Markdown escapes removed
    assert "Settings not saved: ramp_up_below (0.5) must be below stop_above (0.4)" in shown
    assert app.number_input(key="setting_ramp_up_below").value == 0.5  # kept in the form, to correct
    con = store.connect(own_demo)
    assert con.execute("select count(*) from settings").fetchone()[0] == 0
    con.close()


def test_invalid_saved_settings_stop_the_figures_but_the_settings_page_opens_to_mend_them(own_demo, open_app):
    # Settings saved by an older version that did not check them: ramp-up (0.5) above the stop (0.4).
    con = store.connect(own_demo)
    con.execute("insert into settings values ('ramp_up_below', '0.5', now())")
    con.close()
    health = open_app(own_demo, "health")
    assert not health.exception
    assert "The saved settings are not valid" in health.error[0].value.replace("\\", "")
    assert not health.dataframe  # no figure computed with thresholds nobody chose
    page = open_app(own_demo, "settings")
    assert not page.exception
    assert "The saved settings are not valid" in page.error[0].value.replace("\\", "")
    assert page.number_input(key="setting_ramp_up_below").value == 0.2  # the form opens on the defaults
    page.button(key="save_settings").click().run()
    con = store.connect(own_demo)
    assert con.execute("select count(*) from settings").fetchone()[0] == 0  # the defaults, saved, mend it
    con.close()
    assert not open_app(own_demo, "health").error


def test_one_sessions_unsaved_choices_do_not_reach_another(demo_file, open_app):
    first = open_app(demo_file)
    first.number_input(key="window_weeks").set_value(12).run()
    second = AppTest.from_file(APP, default_timeout=120)
    second.run()
    assert second.number_input(key="window_weeks").value == 4
    assert actions(second)["marketplace"] == "Reintroduce promos"


def test_trends_show_each_weeks_action(demo_file, open_app):
    app = open_app(demo_file, "trends")
    history = table(app).loc["marketplace"]
    # The marketplace cohort was stopped while its dissatisfaction was ~55%, then recovered (demo design).
    assert history.iloc[-1] == "Reintroduce promos"
    assert "Stop" in set(history)
    app.select_slider(key="trend_weeks").set_value(4).run()
    assert len(table(app).columns) == 4


def test_eligibility_counts_and_lists(demo_file, open_app):
    app = open_app(demo_file, "eligibility")
    expected = build_report(store.connect(demo_file), demo.DEMO_AS_OF.isoformat(), DEFAULTS)
    status = table(app, 0).set_index("Source")
    # Every source of the report has a row, but marketplace: the demo has it only in campaign_stats, so it has
    # no contact to count (its eligibility in the report is all zeros).
    cohorts = {c["collection_source"]: c["eligibility"] for c in expected["cohorts"]}
    assert not any(cohorts["marketplace"].values())
    assert sorted(status.index) == sorted(set(cohorts) - {"marketplace"})
    columns = {
        "Opt-in": "opt_in",
        "Soft opt-in": "soft_opt_in",
        "Not informed": "not_informed",
        "Prospects": "prospect",
        "Objected": "objected",
        "Expired": "expired",
    }
    for source in status.index:
        shown = {name: status.loc[source, column] for column, name in columns.items()}
        assert shown == {name: cohorts[source][name] for name in columns.values()}, source
    labels = [b.label for b in app.get("download_button")]
    total_expired = sum(c["eligibility"]["expired"] for c in expected["cohorts"])
    assert any(f"({total_expired:,} expired contacts)" in label for label in labels)


def test_compliance_shows_violations_and_flags_missing_evidence(demo_file, open_app):
    app = open_app(demo_file, "compliance")
    expected = build_report(store.connect(demo_file), demo.DEMO_AS_OF.isoformat(), DEFAULTS)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Prospect"] == str(expected["violations"]["prospect"])
    warnings = " ".join(w.value for w in app.warning)
    assert "trade\\_show" in warnings and "not in the registry" in warnings
    assert "call\\_center" in warnings and "oral channel without evidence" in warnings
    # Codes are never shown raw, in English either: bases and email types by their labels.
    per_source, per_campaign = table(app, 0), table(app, 1)
    assert {"Expired", "No loyalty consent", "Not informed", "Objected", "Prospect"} <= set(
        per_source.columns
    )
    assert set(per_campaign["Basis"]) <= {
        "Expired",
        "No loyalty consent",
        "Not informed",
        "Objected",
        "Prospect",
    }
    assert "Loyalty" in set(per_campaign["Type"]) and "loyalty" not in set(per_campaign["Type"])


def test_data_page_lists_the_load_history_and_empties_the_database(own_demo, open_app):
    app = open_app(own_demo, "data")
    history = table(app)
    assert sorted(history["Table"]) == sorted(
        ["sources", "contacts", "orders", "campaigns", "campaign_stats", "events"]
    )
    assert app.button(key="empty_database").disabled  # needs the confirmation first
    app.checkbox(key="confirm_empty").check().run()
    app.button(key="empty_database").click().run()
    assert "The database is empty." in app.success[0].value
    con = store.connect(own_demo)
    assert [
        con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("load_log", "contacts", "events")
    ] == [
        0,
        0,
        0,
    ]
    assert con.execute("select kind from change_log order by change_id desc limit 1").fetchone()[0] == "reset"
    con.close()


def test_a_database_without_sends_shows_help_not_a_traceback(tmp_path, open_app):
    con = store.connect(tmp_path / "contacts-only.duckdb")
    path = tmp_path / "contacts.csv"
    path.write_text("contact_id,collection_source,consent,collected_at\nc1,web,none,2025-01-01\n")
    ingest.ingest_files(con, [path])
    con.close()
    # The one contact c1 has no purchase: a prospect of the source web, never mailed. The report date defaults to
    # today (no send in the data). What each page says instead of figures:
    help_text = {
        "health": "No source has a dissatisfaction rate in this window yet: nobody clicked or unsubscribed. "
        "Pick a later report date or a longer window, or load events on the Data page.",
        "trends": "No marketing email was sent in these weeks. Pick a later report date or load data on the "
        "Data page.",
        "review": "No source needs attention: no cohort is recommended to stop, go editorial or reduce. "
        "No recommendation changed since last week. Every marketing send this week had a lawful basis.",
    }
    for page in PAGES:
        app = open_app(tmp_path / "contacts-only.duckdb", page)
        assert not app.exception, (page, app.exception)
        assert not app.error, (page, [e.value for e in app.error])
        if page in help_text:
            assert [i.value.replace("\\", "") for i in app.info] == [help_text[page]], page
        if page == "health":
            assert actions(app) == {"web": "No cohort", "Baseline (whole brand)": ""}
        if page == "eligibility":
            # (its status follows today's date: a prospect now, expired after 2028-01-01)
            assert table(app, 0)[["Source", "Contacts"]].values.tolist() == [["web", 1]]


def test_a_new_database_opens_on_the_demo_brand(tmp_path, open_app):
    app = open_app(tmp_path / "fresh.duckdb")
    assert not app.exception
    assert app.date_input(key="as_of").value == demo.DEMO_AS_OF
    assert len(table(app)) == 11  # ten sources and the baseline


def test_names_from_uploaded_files_are_shown_as_text(tmp_path, open_app, data):
    # A source named with HTML and Markdown must come out literally, never as markup.
    hostile = "<img src=x onerror=alert(1)>**bold**"
    con = (
        data.contact("c1", source=hostile)
        .order("c1", "2025-01-10")
        .campaign("k1", "2025-03-01T09:00:00")
        .send("k1", "c1", "2025-03-01T09:00:00", clicks=1)
        .load()
    )
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    app = open_app(path)
    assert hostile in list(table(app)["Source"])
    detail = " ".join(m.value for m in app.markdown)
    assert "\\<img src=x onerror=alert\\(1\\)\\>\\*\\*bold\\*\\*" in detail


def test_review_lists_changed_actions_first_and_records_a_decision(own_demo, open_app):
    app = open_app(own_demo, "review")
    # the demo's last send is Sunday 2026-11-22: its week is the last complete one
    assert app.selectbox(key="review_week").value == dt.date(2026, 11, 22)
    # In the week ending 2026-11-15 the marketplace moved from Hold to Reintroduce promos (see test_trends).
    app.selectbox(key="review_week").set_value(dt.date(2026, 11, 15)).run()
    rows = table(app, 0)
    assert list(rows.loc[0, ["Source", "Last week", "Action", "Changed"]]) == [
        "marketplace",
        "Hold",
        "Reintroduce promos",
        True,
    ]
    assert not rows["Changed"].iloc[1:].any()
    summary = app.info[0].value
    assert "marketplace \\(Hold → Reintroduce promos\\)" in summary
    # a decision, with a note holding markup, lands in the log as text (one row of the one-pass table)
    app.selectbox(key="decide:2026-11-15:kind:partner_coreg").set_value("override")
    app.selectbox(key="decide:2026-11-15:action:partner_coreg").set_value("editorial_only")
    app.text_input(key="decide:2026-11-15:note:partner_coreg").set_value(
        "<b>partner asked</b> for a last chance"
    )
    app.text_input(key="reviewer_name").set_value("Anne M.")
    app.button(key="save_decisions").click().run()
    assert not app.exception
    log = table(app, -1)
    assert list(log.loc[0, ["#", "Source", "Decision", "Note", "Decided by", "In force"]]) == [
        1,
        "partner_coreg",
        "override: Editorial only instead of Stop",
        "<b>partner asked</b> for a last chance",
        "Anne M.",
        True,
    ]
    # a decision without a name is refused with a plain message, and the log keeps one entry
    app.text_input(key="reviewer_name").set_value("")
    app.selectbox(key="decide:2026-11-15:kind:contest").set_value("follow")
    app.button(key="save_decisions").click().run()
    assert "Say who decided" in app.error[0].value
    assert len(table(app, -1)) == 1


def test_review_offers_the_html_report_and_the_cohort_csv(demo_file, open_app):
    app = open_app(demo_file, "review")
    keys = {button.proto.id for button in app.get("download_button")}
    assert len(keys) == 2
    labels = [button.proto.label for button in app.get("download_button")]
    assert labels == ["Download the HTML report", "Download the cohort table (CSV)"]


def test_purge_button_deletes_the_expired_contacts_and_backup_writes_a_copy(own_demo, open_app):
    app = open_app(own_demo, "eligibility")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Must be purged"] != "0"
    app.checkbox(key="confirm_purge").check().run()
    app.button(key="purge_expired").click().run()
    assert not app.exception
    assert f"Purged {metrics['Must be purged']} expired contact" in app.success[0].value.replace("\\", "")
    assert f"The {metrics['Must be purged']} purged contact(s) are gone from it" in app.success[
        0
    ].value.replace("\\", "")  # the file was rewritten, so their bytes left it
    assert {m.label: m.value for m in app.metric}["Must be purged"] == "0"
    app.switch_page(PAGES["data"]).run()
    app.button(key="backup_now").click().run()
    assert not app.exception
    backups = list((own_demo.parent / "backups").glob("*.duckdb"))
    assert len(backups) == 1 and backups[0].stat().st_size > 0
    assert "Backup written to" in app.success[-1].value.replace("\\", "")
