"""The command line of SPEC §9: ingest and report, and plain messages (exit code 2) on bad input."""

from __future__ import annotations

import csv
import io
import json

from analytics import settings_store, store
from analytics.cli import main
from analytics.settings import DEFAULTS


def _files(data):
    # web: c1 soft opt-in client (order 2025-01-10) mailed on 2025-03-01 with one click.
    data.contact("c1", source="web").order("c1", "2025-01-10").campaign("k1", "2025-03-01T09:00:00")
    data.send("k1", "c1", "2025-03-01T09:00:00", clicks=1)
    return [str(p) for p in data.write()]


def test_ingest_then_report_json(data, tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    assert main(["ingest", "--db", db, *_files(data)]) == 0
    printed = capsys.readouterr().out
    assert "contacts.csv → contacts: 1 row(s), 1 new" in printed
    out = tmp_path / "report.json"
    assert main(["report", "--db", db, "--as-of", "2025-03-10", "--format", "json", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["as_of"] == "2025-03-10"
    # 4-week window ending 2025-03-10: 2025-02-11 … 2025-03-10
    assert report["window"] == {"start": "2025-02-11", "end": "2025-03-10"}
    [web] = report["cohorts"]
    assert web["metrics"]["clickers"] == 1 and web["metrics"]["click_rate"] == 1.0


def test_report_window_weeks_and_setting_overrides(data, tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    main(["ingest", "--db", db, *_files(data)])
    capsys.readouterr()
    args = [
        "report",
        "--db",
        db,
        "--as-of",
        "2025-03-10",
        "--window-weeks",
        "1",
        "--setting",
        "min_delivered=1",
        "--setting",
        "min_reactions=1",
    ]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["window"] == {"start": "2025-03-04", "end": "2025-03-10"}  # 2025-03-01 is outside one week
    assert report["settings"]["window_weeks"] == 1 and report["settings"]["min_delivered"] == 1
    assert report["cohorts"][0]["recommendation"]["action"] == "no_recent_sends"


def test_report_as_of_defaults_to_latest_send(data, tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    main(["ingest", "--db", db, *_files(data)])
    capsys.readouterr()
    assert main(["report", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["as_of"] == "2025-03-01"


def test_report_csv_is_the_cohort_table(data, tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    main(["ingest", "--db", db, *_files(data)])
    capsys.readouterr()
    assert main(["report", "--db", db, "--as-of", "2025-03-10", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["collection_source"], r["delivered"], r["clickers"], r["action"]) for r in rows] == [
        ("web", "1", "1", "insufficient_data")
    ]


def test_bad_input_ends_with_a_plain_message_and_exit_code_2(tmp_path, capsys):
    bad = tmp_path / "contacts.csv"
    bad.write_text("contact_id,collection_source,consent,collected_at\nc1,web,maybe,2024-01-01\n")
    assert main(["ingest", "--db", str(tmp_path / "x.duckdb"), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "contacts.csv was not loaded" in err and "row 2 ('maybe')" in err
    assert "Traceback" not in err


def test_missing_file_and_bad_setting_are_user_errors(tmp_path, capsys):
    db = str(tmp_path / "x.duckdb")
    assert main(["ingest", "--db", db, str(tmp_path / "nope.csv")]) == 2
    assert "File(s) not found" in capsys.readouterr().err
    assert main(["report", "--db", db, "--as-of", "2025-01-01", "--setting", "stop_above=lots"]) == 2
    assert "stop_above takes a number" in capsys.readouterr().err


def test_report_on_an_empty_database_asks_for_data(tmp_path, capsys):
    assert main(["report", "--db", str(tmp_path / "empty.duckdb")]) == 2
    assert "holds no sends yet" in capsys.readouterr().err


def _two_weeks(data):
    # web: soft-opt-in clients c1-c3 (orders 2025-01-10). k1 on Monday 2025-03-03: c1 clicks.
    # k2 on Monday 2025-03-10: c2 unsubscribes, c3 clicks. Weeks end on Sundays 03-09 and 03-16.
    for contact in ("c1", "c2", "c3"):
        data.contact(contact, source="web").order(contact, "2025-01-10")
    data.campaign("k1", "2025-03-03T09:00:00").campaign("k2", "2025-03-10T09:00:00")
    data.send("k1", "c1", "2025-03-03T09:00:00", clicks=1)
    data.send("k2", "c2", "2025-03-10T09:00:00", unsubscribe=True)
    data.send("k2", "c3", "2025-03-10T09:00:00", clicks=1)
    return [str(p) for p in data.write()]


def test_digest_is_plain_text_with_the_summary_and_changed_actions(data, tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    main(["ingest", "--db", db, *_two_weeks(data)])
    capsys.readouterr()
    # the digest reads the settings saved on the dashboard's Settings page
    con = store.connect(db)
    settings_store.save(con, DEFAULTS.replace(min_delivered=1, min_reactions=1))
    con.close()
    # the latest send is Monday 2025-03-10, so the last complete week ends on Sunday 2025-03-09
    assert main(["digest", "--db", db]) == 0
    text = capsys.readouterr().out
    assert text.startswith("optout-cohorts weekly review, week 2025-W10 (03 Mar – 09 Mar 2025)\n")
    # week to 03-16: window 02-17 … 03-16 holds c1's click and c2's unsubscribe and c3's click:
    # 1 / (2 + 1) = 33.3% → hold; the week before, 0 / (1 + 0) = 0% with ratios 1 → ramp_up
    assert main(["digest", "--db", db, "--as-of", "2025-03-16"]) == 0
    text = capsys.readouterr().out
    assert "- web: Ramp up → Hold (dissatisfaction 50.0% this week, +50.0 pts vs last week)" in text
    assert "<" not in text and "**" not in text  # no markup


def test_report_html_is_one_offline_file(data, tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    main(["ingest", "--db", db, *_two_weeks(data)])
    out = tmp_path / "week.html"
    assert main(["report", "--db", db, "--as-of", "2025-03-16", "--format", "html", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and "http://" not in html and "https://" not in html
    # the review of the week ending on the report date: web was mailed on 2025-03-10
    assert "2025-W11: 2025-03-10 – 2025-03-16" in html
