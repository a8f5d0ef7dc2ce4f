"""The downloads open right in a spreadsheet: read back the way Excel's French locale reads a CSV file.

Excel opens a double-clicked .csv with the locale's list separator (`;` in French) and takes it for UTF-8 only
when it starts with the byte-order mark (EF BB BF); a number is a number when its decimal separator is the
locale's (`,`). The spreadsheet dialect writes a rate cell as `12,5` under a heading that says `(%)`, not as
`12,5 %`: the number alone is read as a number whatever space a `%` would follow, so it sorts and sums.

The machine dialect (`optout-cohorts report --format csv`, and every function's default) stays byte for byte
what it was: the functions as they stood before the spreadsheet dialect are restated below and compared.

Fixture, by hand: source "Boutique Noël", one soft-opt-in client (an order on 2025-01-10) and one campaign-stats
row on 2025-03-03: 8 delivered, 4 openers, 2 clickers, 1 unsubscriber, no complaint. On 2025-03-10 with the
default 4-week window: open rate 4/8 = 50 %, click rate 2/8 = 25 %, unsubscribe rate 1/8 = 12,5 %, complaint
rate 0 %, dissatisfaction 1/(2+1) = 33,33 %; the brand's rates are the same (its only sends), so both ratios are
1; 8 delivered is under the 500 needed: insufficient data. Source "=1+1" (a formula) has a client never mailed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from analytics import i18n
from analytics.report import export, sections
from analytics.report.cohorts import CSV_COLUMNS, ELIGIBILITY_FIELDS, report_csv
from analytics.settings import DEFAULTS
from analytics.store import sql
from tests.builders import build_report

BOM = b"\xef\xbb\xbf"


def _excel_fr(data: bytes) -> list[list[str]]:
    """The cells as French Excel reads them: UTF-8 after the mark, `;` between cells."""
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def report(data):
    data.contact("c1", source="Boutique Noël").order("c1", "2025-01-10")
    data.contact("c2", source="=1+1").order("c2", "2025-01-10")
    data.stats("k1", "2025-03-03", "Boutique Noël", "soft_opt_in", 8, openers=4, clickers=2, unsubscribers=1)
    return build_report(data.load(), "2025-03-10")


def test_the_french_cohort_table_reads_back_as_french_excel_reads_it(report):
    with i18n.within("fr"):
        data = report_csv(report, export.dialect(export.SPREADSHEET)).encode("utf-8")
    header, formula, noel = _excel_fr(data)
    assert header[:3] == ["Source de collecte", "Contacts\u00a0: opt-in", "Contacts\u00a0: soft opt-in"]
    cells = dict(zip(header, noel, strict=True))
    assert cells["Source de collecte"] == "Boutique Noël"  # the accent intact
    assert [cells["Délivrés"], cells["Ouvreurs"], cells["Cliqueurs"], cells["Désinscrits"]] == [
        "8",
        "4",
        "2",
        "1",
    ]
    assert cells["Taux de désinscription (%)"] == "12,5"
    assert [cells["Taux d'ouverture (%)"], cells["Taux de clic (%)"], cells["Taux de plaintes (%)"]] == [
        "50",
        "25",
        "0",
    ]
    assert cells["Taux d'insatisfaction (%)"] == "33,33"
    assert cells["Taux d'ouverture / référence"] == "1"
    assert cells["Action recommandée"] == "Données insuffisantes"  # the label, not insufficient_data
    assert formula[0] == "'=1+1"  # neutralised: shown as text, never run
    assert dict(zip(header, formula, strict=True))["Action recommandée"] == "Série de bienvenue d'abord"


def test_the_english_spreadsheet_form_keeps_commas_and_dots_with_the_mark(report):
    with i18n.within("en"):
        data = report_csv(report, export.dialect(export.SPREADSHEET)).encode("utf-8")
    assert data.startswith(BOM)
    header, _formula, noel = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    cells = dict(zip(header, noel, strict=True))
    assert cells["Unsubscribe rate (%)"] == "12.5" and cells["Dissatisfaction rate (%)"] == "33.33"
    assert cells["Recommended action"] == "Insufficient data"


def _machine_before(report: dict) -> str:
    """report_csv as it stood before the dialects (the CLI's `--format csv`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for cohort in report["cohorts"]:
        rec = cohort["recommendation"]
        row = (
            [cohort["collection_source"]]
            + [cohort["eligibility"][name] for name in ELIGIBILITY_FIELDS]
            + [cohort["metrics"][name] for name in CSV_COLUMNS[8:20]]
            + [rec["action"], " | ".join(rec["reasons"]), " | ".join(rec["warnings"])]
        )
        writer.writerow([export.safe_cell(v) for v in row])
    return buffer.getvalue()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_machine_form_is_unchanged_in_every_language(report, language):
    with i18n.within(language):
        machine = report_csv(report)
        assert report_csv(report, export.dialect(export.MACHINE)) == machine
    assert machine == _machine_before(report)
    assert not machine.startswith(export.BOM)
    noel = machine.splitlines()[2]
    assert noel.startswith(
        "Boutique Noël,0,1,0,0,0,0,0,8,4,2,1,0,0.5,0.25,0.125,0.0,0.3333333333333333,1.0,1.0,"
    )
    assert ",insufficient_data," in noel


# --- the lists DuckDB writes ------------------------------------------------------------------------------


def _purge_list(data):
    # Expired on 2025-03-01 with 3 years' retention: collected 2020-01-01, nothing since (ends 2023-01-01).
    data.contact("=cmd|' /C calc'!A0", source="Boutique Noël", collected_at="2020-01-01")
    data.contact("zoé", source="Boutique Noël", consent="opt_in", collected_at="2020-01-01")
    return data.load()


PURGE = {
    "as_of": dt.date(2025, 3, 1),
    "retention_years": 3,
    "expiring_days": 90,
    "status": "expired",
    "sources": [],
}


def test_the_french_purge_list_reads_back_as_french_excel_reads_it(data, tmp_path):
    con = _purge_list(data)
    target = tmp_path / "purge.csv"
    with i18n.within("fr"), export.writing(export.SPREADSHEET):  # as the dashboard's download does
        sections.contact_list_csv(con, target, "expired", dt.date(2025, 3, 1), DEFAULTS, ())
    header, first, second = _excel_fr(target.read_bytes())
    assert header == [
        "Identifiant du contact",
        "Source de collecte",
        "Consentement",
        "Date de collecte",
        "Dernier achat ou clic",
        "Fin de la durée de conservation",
        "Date d'opposition",
    ]
    assert first == [
        "'=cmd|' /C calc'!A0",
        "Boutique Noël",
        "Sans consentement explicite",
        "01/01/2020",
        "01/01/2020",  # the collection is the last contact: nothing since
        "01/01/2023",
        "",
    ]
    assert second[:3] == ["zoé", "Boutique Noël", "Opt-in"]


def _query_to_csv_before(con, name, path, **params):
    """query_to_csv as it stood before the dialects."""
    relation = con.sql(sql.query_text(name), params=params)
    columns = [
        f'oc_safe_cell("{column}") as "{column}"' if str(kind) == "VARCHAR" else f'"{column}"'
        for column, kind in zip(relation.columns, relation.types, strict=True)
    ]
    relation.project(", ".join(columns)).write_csv(str(path), header=True)


def test_the_machine_lists_are_unchanged(data, tmp_path):
    con = _purge_list(data)
    before, now = tmp_path / "before.csv", tmp_path / "now.csv"
    _query_to_csv_before(con, "metrics/contact_lists", before, **PURGE)
    with i18n.within("fr"):
        export.query_to_csv(con, "metrics/contact_lists", now, **PURGE)
    assert now.read_bytes() == before.read_bytes()
    assert now.read_bytes().startswith(b"contact_id,collection_source,consent,")


def test_duckdb_writes_rates_and_decimals_with_a_comma_in_french(report, data, tmp_path):
    con = data.load()  # the report fixture's data, loaded again
    target = tmp_path / "metrics.csv"
    params = {"report_dates": [dt.date(2025, 3, 10)], "window_days": 28}
    params |= DEFAULTS.query_parameters("retention_years", "baseline_opt_in_only", "include_complaints")
    with i18n.within("fr"):
        export.query_to_csv(
            con, "metrics/cohort_metrics", target, csv_dialect=export.dialect("spreadsheet"), **params
        )
    rows = _excel_fr(target.read_bytes())
    noel = next(dict(zip(rows[0], row, strict=True)) for row in rows[1:] if "Boutique Noël" in row)
    assert noel["Taux de désinscription (%)"] == "12,5"  # a rate: a percentage, as in the cohort table
    assert noel["Taux d'insatisfaction (%)"] == "33,33"
    assert (
        noel["Taux d'ouverture / référence"] == "1,0"
    )  # another decimal: DuckDB's digits, a comma for the dot
    assert noel["Délivrés"] == "8"


# --- the dashboard's download buttons ---------------------------------------------------------------------


@pytest.fixture
def dashboard_data(data, monkeypatch):
    """dashboard.data reading a database of the purge-list fixture; its caches cleared after the test."""
    import streamlit as st

    from analytics import store
    from dashboard import data as dashboard_data

    _purge_list(data).close()
    monkeypatch.setenv(store.ENV_DB_PATH, str(data.folder / "test.duckdb"))
    yield dashboard_data
    st.cache_data.clear()
    st.cache_resource.clear()


def test_a_download_built_on_click_keeps_the_language_of_the_session_that_drew_it(dashboard_data):
    with i18n.within("fr"):  # the script run draws the button
        build = dashboard_data.contact_list_csv("expired", dt.date(2025, 3, 1), DEFAULTS, ())
        machine = dashboard_data.contact_list_csv(
            "expired", dt.date(2025, 3, 1), DEFAULTS, (), export.MACHINE
        )
    with i18n.within("en"):  # the click is served outside that run
        header, first, _second = _excel_fr(build())
        assert header[0] == "Identifiant du contact" and first[2] == "Sans consentement explicite"
        assert machine().startswith(b"contact_id,collection_source,consent,collected_at,")


def test_the_cohort_table_download_is_for_a_spreadsheet_and_the_machine_form_stays_offered(dashboard_data):
    with i18n.within("fr"):
        spreadsheet = dashboard_data.cohort_csv(dt.date(2025, 3, 1), DEFAULTS)
        machine = dashboard_data.cohort_machine_csv(dt.date(2025, 3, 1), DEFAULTS)
    assert _excel_fr(spreadsheet)[0][0] == "Source de collecte"
    report = dashboard_data.cohort_report(dt.date(2025, 3, 1), DEFAULTS)
    assert machine == report_csv(report).encode("utf-8")  # `optout-cohorts report --format csv`'s bytes


# --- the CLI ----------------------------------------------------------------------------------------------


def _cli_database(data, tmp_path) -> str:
    from analytics.cli import main

    data.contact("c1", source="Boutique Noël").order("c1", "2025-01-10")
    data.stats("k1", "2025-03-03", "Boutique Noël", "soft_opt_in", 8, openers=4, clickers=2, unsubscribers=1)
    db = str(tmp_path / "cli.duckdb")
    assert main(["ingest", "--db", db, *map(str, data.write())]) == 0
    return db


def test_the_cli_writes_the_spreadsheet_form_in_the_environments_language(
    data, tmp_path, monkeypatch, capsys
):
    from analytics.cli import main

    db = _cli_database(data, tmp_path)
    report_args = ["report", "--db", db, "--as-of", "2025-03-10"]
    assert main([*report_args, "--format", "csv", "--out", str(tmp_path / "en.csv")]) == 0
    monkeypatch.setenv(i18n.ENV_LANGUAGE, "fr")
    assert main([*report_args, "--format", "csv", "--out", str(tmp_path / "fr.csv")]) == 0
    assert main([*report_args, "--format", "spreadsheet", "--out", str(tmp_path / "sheet.csv")]) == 0
    # --format csv is the machine form whatever the language: byte for byte
    assert (tmp_path / "fr.csv").read_bytes() == (tmp_path / "en.csv").read_bytes()
    assert (tmp_path / "fr.csv").read_bytes().startswith(b"collection_source,contacts_opt_in,")
    header, noel = _excel_fr((tmp_path / "sheet.csv").read_bytes())
    assert dict(zip(header, noel, strict=True))["Taux de désinscription (%)"] == "12,5"
    capsys.readouterr()
    assert main(["report", "--db", str(tmp_path / "empty.duckdb")]) == 2
    assert "La base ne contient encore aucun envoi\u00a0: importez" in capsys.readouterr().err


def test_a_french_purge_says_so_in_french_and_logs_in_english(data, tmp_path, monkeypatch, capsys):
    from analytics.cli import main

    data.contact("old", collected_at="2020-01-01")  # expired on 2025-03-01 (3 years after 2020-01-01)
    db = str(tmp_path / "purge.duckdb")
    assert main(["ingest", "--db", db, *map(str, data.write())]) == 0
    monkeypatch.setenv(i18n.ENV_LANGUAGE, "fr")
    capsys.readouterr()
    assert main(["purge", "--db", db, "--as-of", "2025-03-01"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "1 contact(s) expiré(s) purgé(s) au 01/03/2025 (durée de conservation\u00a0: 3\u00a0ans)"
    )
    from analytics import store

    con = store.connect(db)
    try:
        logged = con.execute("select detail from change_log where kind = 'purge'").fetchall()
    finally:
        con.close()
    assert logged and logged[-1][0].startswith(
        "Purged 1 expired contact(s) as of 2025-03-01 (retention 3 years)"
    )
