"""The command line of SPEC §9: ingest and report, and plain messages (exit code 2) on bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from analytics import store
from analytics.cli import main
from analytics.settings import DEFAULTS
from analytics.store import settings_store


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
    # 1 / (2 + 1) = 33.3% → hold; the week before, 0 / (1 + 0) = 0% with ratios 1 → ramp_up. The week alone
    # (k2): 1 / (1 + 1) = 50.0%. The action is quoted with its window's rate, the week's labelled as the week's.
    assert main(["digest", "--db", db, "--as-of", "2025-03-16"]) == 0
    text = capsys.readouterr().out
    assert (
        "- web: Ramp up → Hold (dissatisfaction 33.3% over the last 4 weeks, 50.0% this week, "
        "+50.0 pts vs last week)"
    ) in text
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


# --- date arguments (issue 13, finding 11) -----------------------------------------------------------------


@pytest.mark.parametrize("command", [["report"], ["digest"], ["purge", "--dry-run"]])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"])
def test_a_date_out_of_range_is_a_one_line_error(tmp_path, capsys, command, day):
    """0001-01-01 used to crash the window arithmetic with a traceback (report, digest; 9999-12-31 the
    digest's next week). Dates are taken in ingest's years, 1900 to 2199."""
    with pytest.raises(SystemExit) as stop:
        main([*command, "--db", str(tmp_path / "x.duckdb"), "--as-of", day])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        f"optout-cohorts {command[0]}: argument --as-of: '{day}' is out of range: give a date from 1900-01-01 "
        f"to 2199-12-31 (see optout-cohorts {command[0]} --help)\n"
    )
    assert not (tmp_path / "x.duckdb").exists()  # refused before anything is opened


def test_the_first_and_last_dates_in_range_work(tmp_path, capsys):
    # an empty database: the report of a date holds no cohort; the digest's week ends on the Sunday given
    db = str(tmp_path / "x.duckdb")
    assert main(["report", "--db", db, "--as-of", "1900-01-01"]) == 0
    assert json.loads(capsys.readouterr().out)["as_of"] == "1900-01-01"
    assert main(["digest", "--db", db, "--as-of", "2199-12-29"]) == 0  # a Sunday
    assert "2199-W52" in capsys.readouterr().out


def test_report_as_of_year_one_from_the_shell_says_one_line(tmp_path):
    """The finding as reported: the installed command, no traceback, one line, exit code 2."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics.cli",
            "report",
            "--db",
            str(tmp_path / "x.duckdb"),
            "--as-of",
            "0001-01-01",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(store.PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert done.stderr.startswith("optout-cohorts report: argument --as-of: '0001-01-01' is out of range")


def test_a_malformed_date_is_one_line_too(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["report", "--db", str(tmp_path / "x.duckdb"), "--as-of", "15/03/2026"])
    assert stop.value.code == 2
    assert capsys.readouterr().err == (
        "optout-cohorts report: argument --as-of: '15/03/2026' is not a date such as 2026-03-15 "
        "(see optout-cohorts report --help)\n"
    )


# --- optout-cohorts dashboard (issue 13, findings 1 and 2) ---------------------------------------------------


@pytest.fixture
def launch(monkeypatch, tmp_path):
    """launch(*args) -> (exit code, the Streamlit command, its folder, its environment) or the exit code with
    None for the rest when it refused; nothing is served. No secrets of this machine reach it: HOME and the
    installation's secrets file point into tmp_path (absent unless a test writes them)."""
    from dashboard import auth

    for name in (auth.ENV_REQUIRE_LOGIN, auth.ENV_ALLOWED_USERS, auth.ENV_SECRETS, auth.ENV_ALLOW_NO_LOGIN):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(auth, "INSTALLED_SECRETS", tmp_path / "installed" / "secrets.toml")
    started = []
    monkeypatch.setattr(
        subprocess, "call", lambda command, cwd, env: started.append((command, cwd, env)) or 0
    )

    def run(*args):
        code = main(["dashboard", "--db", str(tmp_path / "x.duckdb"), *args])
        return (code, *started.pop()) if started else (code, None, None, None)

    return run


def _flags(command, name):
    return [command[i + 1] for i, word in enumerate(command) if word == name]


def test_the_dashboard_serves_this_machine_only_by_default_whatever_the_folder(launch, tmp_path, monkeypatch):
    from dashboard import auth

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(store.ENV_WORK_DIR, "work")
    code, command, cwd, env = launch()
    assert code == 0
    assert _flags(command, "--server.address") == ["127.0.0.1"]
    # Streamlit runs from the project folder, so the project's .streamlit/config.toml applies...
    assert cwd == store.PROJECT_ROOT
    # ... and reads the installation's secrets, not the working folder's
    assert _flags(command, "--secrets.files") == [
        str(tmp_path / "home" / ".streamlit" / "secrets.toml"),
        str(auth.INSTALLED_SECRETS),
    ]
    # paths given relative to where the command ran keep meaning the same files
    assert env[store.ENV_WORK_DIR] == str(tmp_path / "work")
    assert env[store.ENV_DB_PATH] == str(tmp_path / "x.duckdb")


def test_the_dashboard_refuses_the_network_without_login(launch, capsys):
    code, command, _, _ = launch("--address", "0.0.0.0")
    assert code == 2 and command is None  # nothing started
    err = capsys.readouterr().err
    assert err.startswith(
        "optout-cohorts dashboard: The dashboard would be served on every network interface"
    )
    assert "--no-login-on-network" in err and "secrets.toml" in err
    assert launch("--address", "192.0.2.2")[0] == 2


def test_the_dashboard_serves_the_network_with_login_or_when_told(launch, tmp_path, monkeypatch):
    from dashboard import auth

    code, command, _, env = launch("--address", "0.0.0.0", "--no-login-on-network")
    assert code == 0 and _flags(command, "--server.address") == ["0.0.0.0"]
    assert env[auth.ENV_ALLOW_NO_LOGIN] == "1"  # the app's own check agrees
    # login in a secrets file named by the variable: it is read here and handed to Streamlit, last
    secrets = tmp_path / "conf" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('[optout_cohorts]\nrequire_login = true\nallowed_users = ["@brand.fr"]\n')
    monkeypatch.setenv(auth.ENV_SECRETS, str(secrets))
    code, command, _, env = launch("--address", "0.0.0.0")
    assert code == 0 and _flags(command, "--secrets.files")[-1] == str(secrets)
    assert auth.ENV_ALLOW_NO_LOGIN not in env


def test_the_dashboard_refuses_unreadable_or_missing_secrets(launch, tmp_path, monkeypatch, capsys):
    from dashboard import auth

    monkeypatch.setenv(auth.ENV_SECRETS, str(tmp_path / "typo.toml"))
    assert launch()[:2] == (2, None)
    assert "OPTOUT_COHORTS_SECRETS names a file that does not exist." in capsys.readouterr().err
    monkeypatch.delenv(auth.ENV_SECRETS)
    auth.INSTALLED_SECRETS.parent.mkdir(parents=True)
    auth.INSTALLED_SECRETS.write_text("[auth\n")
    assert launch()[:2] == (2, None)
    assert "secrets.toml is not valid TOML" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("setting", "message"),
    [("stop_above=nan", "stop_above takes a number"), ("ramp_up_below=0.5", "must be below stop_above")],
)
def test_a_nan_or_contradictory_setting_is_refused(tmp_path, capsys, setting, message):
    db = str(tmp_path / "x.duckdb")
    assert main(["report", "--db", db, "--as-of", "2025-01-01", "--setting", setting]) == 2
    assert message in capsys.readouterr().err
