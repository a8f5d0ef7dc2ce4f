"""The source registry (SPEC §6) and saved settings: validated, saved whole, noted in the change log."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import store
from analytics.errors import UserError
from analytics.settings import DEFAULTS
from analytics.store import registry, settings_store
from tests.builders import build_report, cohort


def _flags(con):
    return {r["collection_source"]: r["missing_reasons"] for r in registry.rows(con)}


def test_evidence_missing_flags(data):
    # web: web form, notice shown, evidence → fine. phone: oral channel without evidence → flagged.
    # store: notice unknown → flagged. partner: only in contacts, not in the registry → flagged.
    data.source("web", channel="web_form", notice_shown="true", evidence="form.png")
    data.source("phone", channel="phone", notice_shown="true")
    data.source("store", channel="in_store", notice_shown="unknown", evidence="poster.jpg")
    data.contact("c1", source="partner")
    con = data.load()
    assert _flags(con) == {
        "partner": ["not in the registry"],
        "phone": ["oral channel without evidence"],
        "store": ["notice shown unknown"],
        "web": [],
    }


def test_saving_the_registry_changes_who_counts_as_informed(data):
    # c1 bought and was mailed; its source's notice is unknown → informed → soft_opt_in. Saving the registry
    # with notice_shown false turns the same send into not_informed.
    data.contact("c1", source="shop").order("c1", "2025-01-10").campaign("k1", "2025-03-01T09:00:00")
    data.send("k1", "c1", "2025-03-01T09:00:00")
    con = data.load()
    assert build_report(con, "2025-03-10")["violations"]["not_informed"] == 0
    version = store.data_version(con)
    saved = registry.save(
        con,
        [
            {
                "collection_source": "shop",
                "channel": "in_store",
                "notice_shown": "false",
                "evidence": " ",
                "reviewed_at": "2025-02-01",
            }
        ],
    )
    assert saved == 1
    assert store.data_version(con) > version
    assert con.execute("select * from sources").fetchall() == [
        ("shop", "in_store", "false", None, dt.date(2025, 2, 1))
    ]
    assert build_report(con, "2025-03-10")["violations"]["not_informed"] == 1
    assert cohort(build_report(con, "2025-03-10"), "shop")["eligibility"]["not_informed"] == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"collection_source": " "}, "collection source is empty"),
        ({"collection_source": "web", "channel": "email"}, "channel 'email' is not one of"),
        ({"collection_source": "web", "notice_shown": "maybe"}, "true, false or unknown"),
        ({"collection_source": "web", "reviewed_at": "last spring"}, "not a date"),
    ],
)
def test_an_invalid_registry_row_is_refused_and_nothing_changes(tmp_path, row, message):
    con = store.connect(tmp_path / "r.duckdb")
    registry.save(con, [{"collection_source": "web", "channel": "web_form"}])
    with pytest.raises(UserError, match=message):
        registry.save(con, [{"collection_source": "other"}, row])
    assert con.execute("select collection_source from sources").fetchall() == [("web",)]


def test_duplicate_sources_are_refused(tmp_path):
    con = store.connect(tmp_path / "r.duckdb")
    with pytest.raises(UserError, match="more than once"):
        registry.save(con, [{"collection_source": "web"}, {"collection_source": "web"}])


def test_saved_settings_round_trip_and_reach_the_cli_report(tmp_path, data, capsys):
    con = data.load()
    assert settings_store.load(con) == DEFAULTS
    settings_store.save(con, DEFAULTS.replace(stop_above=0.45, dissatisfaction_includes_complaints=True))
    assert settings_store.load(con) == DEFAULTS.replace(
        stop_above=0.45, dissatisfaction_includes_complaints=True
    )
    assert con.execute("select name, value from settings order by name").fetchall() == [
        ("dissatisfaction_includes_complaints", "true"),
        ("stop_above", "0.45"),
    ]
    settings_store.save(con, DEFAULTS)
    assert con.execute("select count(*) from settings").fetchone()[0] == 0
    assert [k for (k,) in con.execute("select kind from change_log order by change_id").fetchall()][-2:] == [
        "settings",
        "settings",
    ]


def test_the_cli_report_uses_saved_settings_unless_overridden(data, capsys):
    import json

    from analytics.cli import main

    data.contact("c1").order("c1", "2025-01-10").campaign("k1", "2025-03-01T09:00:00")
    data.send("k1", "c1", "2025-03-01T09:00:00")
    con = data.load()
    settings_store.save(con, DEFAULTS.replace(min_delivered=7))
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    main(["report", "--db", path, "--as-of", "2025-03-10"])
    assert json.loads(capsys.readouterr().out)["settings"]["min_delivered"] == 7
    main(["report", "--db", path, "--as-of", "2025-03-10", "--setting", "min_delivered=9"])
    assert json.loads(capsys.readouterr().out)["settings"]["min_delivered"] == 9


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("stop_above", "nan")], "stop_above takes a number"),
        ([("ramp_up_below", "0.5")], "ramp_up_below .0.5. must be below stop_above"),
        ([("stop_below", "0.1")], "unknown setting"),
    ],
)
def test_an_invalid_saved_setting_is_an_error_never_silently_dropped(con, rows, message):
    # Written by hand or by an older version: the report must not run on thresholds nobody chose.
    for name, value in rows:
        con.execute(
            "insert into settings values ($name, $value, now()::timestamp)", {"name": name, "value": value}
        )
    with pytest.raises(UserError, match=f"saved settings are not valid .*{message}"):
        settings_store.load(con)
