"""Exports as they come: delimiters, encodings, quoting, decimal commas, date and boolean spellings, archives,
constants for missing fields, and loading the valid rows while setting the invalid ones aside."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import zipfile

import pytest

from analytics import ingest, store
from analytics.cli import main
from analytics.errors import InvalidFile
from analytics.ingest import Options
from tests.builders import write_file

write = write_file


def rows(con, sql):
    return con.execute(sql).fetchall()


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_every_common_delimiter(tmp_path, con, delimiter):
    header = delimiter.join(["contact_id", "order_date", "amount"])
    path = write(tmp_path, "orders.csv", f"{header}\nc1{delimiter}2025-01-10{delimiter}12.5\n")
    ingest.ingest_files(con, [path])
    assert rows(con, "select contact_id, order_date::varchar, amount from orders") == [
        ("c1", "2025-01-10", 12.5)
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_accented_french_text_comes_out_intact_in_each_encoding(tmp_path, con, encoding):
    # Excel in France saves Windows-1252 with ';'; the names must read Noël and Étiquette whatever the encoding.
    text = "campaign_id;sent_at;name;email_type\nk1;2025-12-01;Noël : -20 % sur l'Étiquette;promo\n"
    ingest.ingest_files(con, [write(tmp_path, "campaigns.csv", text, encoding)])
    assert rows(con, "select name from campaigns") == [("Noël : -20 % sur l'Étiquette",)]


def test_windows_1252_euro_sign_and_gzip_together(tmp_path, con):
    path = tmp_path / "campaigns.csv.gz"
    path.write_bytes(
        gzip.compress("campaign_id;sent_at;name\nk1;2025-12-01;Soldes à 10 €\n".encode("cp1252"))
    )
    ingest.ingest_files(con, [path])
    assert rows(con, "select name from campaigns") == [("Soldes à 10 €",)]


def test_quoted_fields_with_delimiters_quotes_and_newlines(tmp_path, con):
    text = 'campaign_id,sent_at,name\nk1,2025-12-01,"Promo, ""VIP""\nsecond line"\n'
    ingest.ingest_files(con, [write(tmp_path, "campaigns.csv", text)])
    assert rows(con, "select name from campaigns") == [('Promo, "VIP"\nsecond line',)]


def test_decimal_commas(tmp_path, con):
    ingest.ingest_files(
        con, [write(tmp_path, "orders.csv", 'contact_id;order_date;amount\nc1;2025-01-10;"49,90"\n')]
    )
    assert rows(con, "select amount from orders") == [(49.9,)]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-03-15T09:30:00", "2026-03-15 09:30:00"),
        ("2026-03-15 09:30:00", "2026-03-15 09:30:00"),
        ("2026-03-15T09:30:00+02:00", "2026-03-15 09:30:00"),  # wall-clock time kept
        ("2026-03-15T09:30:00Z", "2026-03-15 09:30:00"),
        ("2026-03-15", "2026-03-15 00:00:00"),
        ("15/03/2026", "2026-03-15 00:00:00"),
        ("15/03/2026 09:30", "2026-03-15 09:30:00"),
        ("15.03.2026 09:30:05", "2026-03-15 09:30:05"),
        ("1773567000", "2026-03-15 09:30:00"),  # Unix seconds, UTC
    ],
)
def test_date_spellings(tmp_path, con, written, expected):
    text = f"campaign_id,contact_id,event_type,occurred_at\nk1,c1,open,{written}\n"
    ingest.ingest_files(con, [write(tmp_path, "events.csv", text)])
    assert rows(con, "select occurred_at::varchar from events") == [(expected,)]


def test_month_first_is_used_when_the_dates_prove_it(tmp_path, con):
    # 03/15/2026 can only be month-first, so 04/03/2026 on the next row is 3 April, not 4 March.
    text = "contact_id,order_date\nc1,03/15/2026\nc2,04/03/2026\n"
    ingest.ingest_files(con, [write(tmp_path, "orders.csv", text)])
    assert rows(con, "select contact_id, order_date::varchar from orders order by 1") == [
        ("c1", "2026-03-15"),
        ("c2", "2026-04-03"),
    ]


def test_ambiguous_dates_are_never_guessed_silently(tmp_path, con):
    path = write(tmp_path, "orders.csv", "contact_id,order_date\nc1,03/04/2026\n")
    with pytest.raises(InvalidFile, match=r"row 2 read differently day-first and month-first") as raised:
        ingest.ingest_files(con, [path])
    assert "--date-order dmy" in str(raised.value)
    # The user's choice settles it: month-first → 4 March.
    ingest.ingest_files(con, [path], options=Options(date_order="mdy"))
    assert rows(con, "select order_date::varchar from orders") == [("2026-03-04",)]


def test_semicolon_files_default_to_day_first(tmp_path, con):
    ingest.ingest_files(con, [write(tmp_path, "orders.csv", "contact_id;order_date\nc1;03/04/2026\n")])
    assert rows(con, "select order_date::varchar from orders") == [("2026-04-03",)]


def test_dates_mixing_both_orders_are_refused(tmp_path, con):
    path = write(tmp_path, "orders.csv", "contact_id;order_date\nc1;25/03/2026\nc2;03/25/2026\n")
    with pytest.raises(InvalidFile, match=r"mix day-first \(e.g. row 2\) and month-first \(e.g. row 3\)"):
        ingest.ingest_files(con, [path])


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("true", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
        ("yes", True),
        ("No", False),
        ("oui", True),
        ("non", False),
        ("Y", True),
        ("n", False),
        ("", None),
    ],
)
def test_boolean_spellings(tmp_path, con, written, expected):
    text = f"contact_id,collection_source,consent,collected_at,loyalty_consent\nc1,web,none,2025-01-01,{written}\n"
    ingest.ingest_files(con, [write(tmp_path, "contacts.csv", text)])
    assert rows(con, "select loyalty_consent from contacts") == [(expected,)]


def test_csv_files_inside_a_zip(tmp_path, con):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr(
            "subscribed.csv", "contact_id,collection_source,consent,collected_at\nc1,web,none,2025-01-01\n"
        )
        handle.writestr("orders.csv", "contact_id,order_date\nc1,2025-01-10\n")
        handle.writestr("__MACOSX/._orders.csv", "junk")
    results = ingest.ingest_files(con, [archive])
    assert sorted((r.file_name, r.table) for r in results) == [
        ("export.zip/orders.csv", "orders"),
        ("export.zip/subscribed.csv", "contacts"),
    ]


def test_a_constant_supplies_a_field_the_export_lacks(tmp_path, con):
    # A CRM export with no collection source: the whole file was collected in store.
    path = write(tmp_path, "crm.csv", "contact_id,consent,collected_at,email\nc1,none,2025-01-01,a@b.fr\n")
    with pytest.raises(InvalidFile, match="closest is contacts, which also needs collection_source"):
        ingest.ingest_files(con, [path])
    [result] = ingest.ingest_files(con, [path], options=Options(constants={"collection_source": "in_store"}))
    assert result.ignored_columns == ["email"]
    assert rows(con, "select contact_id, collection_source from contacts") == [("c1", "in_store")]


def test_email_ids_match_whatever_their_case(tmp_path, con):
    ingest.ingest_files(
        con,
        [
            write(
                tmp_path,
                "contacts.csv",
                "contact_id,collection_source,consent,collected_at\n Zoe@Example.FR ,web,none,2025-01-01\n",
            ),
            write(tmp_path, "orders.csv", "contact_id,order_date\nzoe@example.fr,2025-01-10\n"),
        ],
    )
    assert rows(con, "select count(*) from contacts join orders using (contact_id)") == [(1,)]


def test_skipping_invalid_rows_loads_the_rest_and_keeps_the_rejects(tmp_path, con):
    # Rows 3 and 5 are invalid (an unknown consent, an unreadable date); rows 2 and 4 load.
    text = (
        "contact_id,collection_source,consent,collected_at\n"
        "c1,web,none,2025-01-01\nc2,web,maybe,2025-01-01\nc3,web,opt_in,2025-01-02\nc4,web,none,someday\n"
    )
    path = write(tmp_path, "contacts.csv", text)
    rejects = tmp_path / "rejects"
    rejects.mkdir()
    [result] = ingest.ingest_files(con, [path], options=Options(on_invalid="skip"), rejects_dir=rejects)
    assert (result.rows_in_file, result.rows_added, result.rows_rejected) == (4, 2, 2)
    assert rows(con, "select contact_id from contacts order by 1") == [("c1",), ("c3",)]
    assert rows(con, "select rows_rejected from load_log") == [(2,)]
    rejected = list(csv.DictReader(io.StringIO(result.rejects_csv.read_text())))
    assert [(r["row"], r["contact_id"], r["consent"], r["collected_at"]) for r in rejected] == [
        ("3", "c2", "maybe", "2025-01-01"),
        ("5", "c4", "none", "someday"),
    ]


def test_cli_takes_constants_date_order_and_skip_invalid(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    contacts = write(
        tmp_path, "crm.csv", "contact_id;consent;collected_at\nc1;none;03/04/2025\nc2;nope;03/04/2025\n"
    )
    code = main(
        [
            "ingest",
            "--db",
            db,
            "--set",
            "collection_source=in_store",
            "--date-order",
            "mdy",
            "--skip-invalid",
            "--rejects",
            str(tmp_path / "out"),
            str(contacts),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "1 invalid row(s) skipped" in out and "crm.csv.rejected.csv" in out
    con = store.connect(db)
    assert rows(con, "select contact_id, collection_source, collected_at from contacts") == [
        ("c1", "in_store", dt.date(2025, 3, 4))
    ]
