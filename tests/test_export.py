"""CSV files people open in a spreadsheet: no cell may run as a formula (CSV injection)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from analytics.report import export
from analytics.report.cohorts import report_csv
from tests.builders import build_report

DANGEROUS = ['=HYPERLINK("http://x")', "+33 6 00", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "\nLF"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_text_that_a_spreadsheet_would_run_is_neutralised(value):
    assert export.safe_cell(value) == "'" + value


def test_ordinary_values_pass_unchanged():
    assert [export.safe_cell(v) for v in ["web_checkout", "Noël", 12, -3.5, None]] == [
        "web_checkout",
        "Noël",
        12,
        -3.5,
        "",
    ]


def test_lists_written_by_duckdb_are_neutralised_too(data, tmp_path):
    # Two expired contacts (collected 2020, nothing since): one id is a formula.
    data.contact("=cmd|' /C calc'!A0", collected_at="2020-01-01").contact("plain", collected_at="2020-01-01")
    con = data.load()
    target = tmp_path / "purge.csv"
    export.query_to_csv(
        con,
        "metrics/contact_lists",
        target,
        as_of=dt.date(2025, 3, 1),
        retention_years=3,
        expiring_days=90,
        status="expired",
        sources=[],
    )
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert [r["contact_id"] for r in rows] == ["'=cmd|' /C calc'!A0", "plain"]
    assert rows[1]["retention_ends"] == "2023-01-01"


def test_the_cohort_csv_report_is_neutralised(data):
    data.contact("c1", source="=1+1").order("c1", "2025-01-10")
    rows = list(csv.reader(io.StringIO(report_csv(build_report(data.load(), "2025-03-10")))))
    assert rows[1][0] == "'=1+1"
