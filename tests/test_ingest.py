"""Loading canonical CSV files: recognition, validation errors a marketer can act on, all-or-nothing writes,
idempotent re-loads, and the load log."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from analytics import ingest
from analytics.errors import InvalidFile, UserError
from analytics.ingest import files as csv_files
from analytics.ingest import load, mapping
from tests.builders import write_file

CONTACTS = (
    "contact_id,collection_source,consent,collected_at\nc1,web,none,2024-01-05\nc2,web,opt_in,2024-01-06\n"
)


write = write_file


def count(con, table):
    return con.execute(f"select count(*) from {table}").fetchone()[0]


@pytest.mark.parametrize(
    ("header", "table"),
    [
        ("contact_id,collection_source,consent,collected_at", "contacts"),
        ("contact_id,order_date,amount", "orders"),
        ("campaign_id,sent_at,name", "campaigns"),
        ("campaign_id,contact_id,event_type,occurred_at", "events"),
        ("collection_source,channel,notice_shown", "sources"),
        (
            "campaign_id,sent_at,collection_source,basis,delivered,openers,clickers,unsubscribers,complainers",
            "campaign_stats",
        ),
        # header spelling is forgiving: case, spaces around names
        (" Contact_ID , Order_Date ", "orders"),
    ],
)
def test_the_table_is_recognised_from_the_columns(tmp_path, header, table):
    path = write(tmp_path, "file.csv", header + "\n")
    assert mapping.recognise(csv_files.read(path, "file.csv", tmp_path)).name == table


def test_an_unrecognised_header_names_the_closest_table_and_what_it_lacks(tmp_path, con):
    path = write(tmp_path, "mystery.csv", "contact_id,collection_source,collected_at\nc1,web,2024-01-01\n")
    with pytest.raises(InvalidFile) as raised:
        ingest.ingest_files(con, [path])
    message = str(raised.value)
    assert "mystery.csv" in message
    assert "closest is contacts" in message and "consent" in message


def test_table_named_explicitly_reports_its_missing_columns(tmp_path, con):
    path = write(tmp_path, "orders.csv", "contact_id,amount\nc1,10\n")
    with pytest.raises(InvalidFile, match=r"required column missing for orders: order_date"):
        ingest.ingest_files(con, [path], table_name="orders")


def test_semicolons_bom_and_quoted_fields_are_read(tmp_path, con):
    # Excel's "CSV UTF-8" in France: BOM, ';' delimiter, a quoted field holding the delimiter and a newline.
    text = '\ufeffcampaign_id;sent_at;name;email_type\nk1;2025-03-01T09:00:00;"Noël; -20%\nsur tout";promo\n'
    path = write(tmp_path, "campaigns.csv", text)
    ingest.ingest_files(con, [path])
    assert con.execute("select campaign_id, name from campaigns").fetchall() == [
        ("k1", "Noël; -20%\nsur tout")
    ]


def test_gzip_files_are_read(tmp_path, con):
    path = tmp_path / "contacts.csv.gz"
    path.write_bytes(gzip.compress(CONTACTS.encode()))
    ingest.ingest_files(con, [path])
    assert count(con, "contacts") == 2


def test_invalid_values_are_reported_with_file_rows_column_value_and_fix(tmp_path, con):
    # Rows as a spreadsheet numbers them (the header is row 1): rows 3 and 5 have a bad consent, row 4 an
    # unreadable date, row 6 an empty id.
    text = (
        "contact_id,collection_source,consent,collected_at\n"
        "c1,web,none,2024-01-05\n"
        "c2,web,maybe,2024-01-06\n"
        "c3,web,none,15/13/2024\n"
        "c4,web,OPTIN,2024-01-07\n"
        ",web,none,2024-01-08\n"
    )
    path = write(tmp_path, "crm.csv", text)
    with pytest.raises(InvalidFile) as raised:
        ingest.ingest_files(con, [path])
    error = raised.value
    by_column = {p.column: p for p in error.problems}
    assert by_column["consent"].rows == [3, 5]
    assert by_column["consent"].values == ["maybe", "OPTIN"]
    assert by_column["consent"].count == 2
    assert by_column["collected_at"].rows == [4]
    assert by_column["contact_id"].rows == [6]
    message = str(error)
    assert "crm.csv" in message
    assert "row 3 ('maybe')" in message
    assert "one of opt_in, none, objected" in message
    assert "a date such as 2026-03-15" in message
    assert count(con, "contacts") == 0


def test_only_the_first_rows_of_a_problem_are_listed_with_the_total(tmp_path, con):
    rows = "".join(f"c{i},web,nope,2024-01-01\n" for i in range(12))
    path = write(tmp_path, "many.csv", "contact_id,collection_source,consent,collected_at\n" + rows)
    with pytest.raises(InvalidFile) as raised:
        ingest.ingest_files(con, [path])
    problem = raised.value.problems[0]
    assert problem.count == 12 and problem.rows == [2, 3, 4, 5, 6]
    assert "and 7 more" in str(raised.value)


@pytest.mark.parametrize(
    ("header", "row", "column"),
    [
        ("campaign_id,contact_id,event_type,occurred_at", "k1,c1,opened,2025-03-01", "event_type"),
        ("campaign_id,sent_at,email_type", "k1,2025-03-01,promotion", "email_type"),
        ("campaign_id,sent_at", "k1,yesterday", "sent_at"),
        (
            "campaign_id,sent_at,collection_source,basis,delivered,openers,clickers,unsubscribers,complainers",
            "k1,2025-03-01,web,consented,10,1,1,0,0",
            "basis",
        ),
        (
            "campaign_id,sent_at,collection_source,basis,delivered,openers,clickers,unsubscribers,complainers",
            "k1,2025-03-01,web,opt_in,-3,1,1,0,0",
            "delivered",
        ),
        (
            "contact_id,collection_source,consent,collected_at,informed",
            "c1,web,none,2024-01-01,perhaps",
            "informed",
        ),
        ("contact_id,order_date,amount", "c1,2024-01-01,ten euros", "amount"),
    ],
)
def test_each_kind_of_bad_value_is_refused(tmp_path, con, header, row, column):
    path = write(tmp_path, "bad.csv", f"{header}\n{row}\n")
    with pytest.raises(InvalidFile) as raised:
        ingest.ingest_files(con, [path])
    assert [p.column for p in raised.value.problems] == [column]
    assert raised.value.problems[0].rows == [2]


def test_a_row_with_too_many_fields_is_refused_with_a_readable_message(tmp_path, con):
    path = write(tmp_path, "broken.csv", "contact_id,order_date\nc1,2024-01-01\nc2,2024-01-02,extra\n")
    with pytest.raises(InvalidFile, match=r"broken\.csv was not loaded") as raised:
        ingest.ingest_files(con, [path])
    assert "as many fields as the header" in str(raised.value)


def test_empty_and_header_only_files(tmp_path, con):
    with pytest.raises(InvalidFile, match="the file is empty"):
        ingest.ingest_files(con, [write(tmp_path, "empty.csv", "")])
    [result] = ingest.ingest_files(con, [write(tmp_path, "orders.csv", "contact_id,order_date\n")])
    assert (result.table, result.rows_in_file, result.rows_added) == ("orders", 0, 0)


def test_a_batch_with_one_bad_file_writes_nothing_and_keeps_earlier_data(tmp_path, con):
    ingest.ingest_files(con, [write(tmp_path, "contacts.csv", CONTACTS)])
    good = write(tmp_path, "orders.csv", "contact_id,order_date\nc1,2024-02-01\n")
    bad = write(
        tmp_path, "events.csv", "campaign_id,contact_id,event_type,occurred_at\nk1,c1,opened,2024-02-02\n"
    )
    with pytest.raises(InvalidFile, match=r"events\.csv"):
        ingest.ingest_files(con, [good, bad])
    assert (count(con, "contacts"), count(con, "orders"), count(con, "events")) == (2, 0, 0)
    assert count(con, "load_log") == 1


def test_a_failure_while_writing_rolls_the_whole_batch_back(tmp_path, con, monkeypatch):
    first = write(tmp_path, "contacts.csv", CONTACTS)
    second = write(tmp_path, "orders.csv", "contact_id,order_date\nc1,2024-02-01\n")
    calls = []
    real_write = load._write

    def write_then_fail(con, prepared):
        calls.append(prepared.mapping.table.name)
        if prepared.mapping.table.name == "orders":
            raise OSError("disk full")
        return real_write(con, prepared)

    monkeypatch.setattr(load, "_write", write_then_fail)
    with pytest.raises(OSError):
        ingest.ingest_files(con, [first, second])
    assert calls == ["contacts", "orders"]  # contacts were written inside the transaction, then undone
    assert (count(con, "contacts"), count(con, "orders"), count(con, "load_log")) == (0, 0, 0)


def test_loading_the_same_file_twice_changes_nothing(tmp_path, con):
    events = write(
        tmp_path,
        "events.csv",
        "campaign_id,contact_id,event_type,occurred_at\nk1,c1,sent,2025-03-01\nk1,c1,click,2025-03-01T10:00\n",
    )
    contacts = write(tmp_path, "contacts.csv", CONTACTS)
    first = ingest.ingest_files(con, [events, contacts])
    snapshot = {t: con.execute(f"select * from {t} order by all").fetchall() for t in ("contacts", "events")}
    second = ingest.ingest_files(con, [events, contacts])
    assert {t: con.execute(f"select * from {t} order by all").fetchall() for t in snapshot} == snapshot
    assert [(r.table, r.rows_added) for r in first] == [("contacts", 2), ("events", 2)]
    assert [(r.table, r.rows_added, r.rows_updated) for r in second] == [("contacts", 0, 2), ("events", 0, 0)]


def test_orders_events_and_stats_are_deduplicated_on_all_their_columns(tmp_path, con):
    # Two identical orders collapse into one; the same contact and date with another amount is another order.
    path = write(
        tmp_path,
        "orders.csv",
        "contact_id,order_date,amount\nc1,2024-02-01,10\nc1,2024-02-01,10\nc1,2024-02-01,25\n",
    )
    [result] = ingest.ingest_files(con, [path])
    assert result.rows_added == 2
    assert count(con, "orders") == 2


def test_a_newer_contacts_file_updates_the_row_and_keeps_columns_it_lacks(tmp_path, con):
    first = write(
        tmp_path,
        "contacts_v1.csv",
        "contact_id,collection_source,consent,collected_at,loyalty_consent\nc1,web,none,2024-01-05,true\n",
    )
    # The later export lacks loyalty_consent and repeats c1 twice: the last row of the file wins.
    second = write(
        tmp_path,
        "contacts_v2.csv",
        "contact_id,collection_source,consent,collected_at,opted_out_at\n"
        "c1,web,none,2024-01-05,\n"
        "c1,web,none,2024-01-05,2025-06-01\n",
    )
    ingest.ingest_files(con, [first])
    [result] = ingest.ingest_files(con, [second])
    assert (result.rows_added, result.rows_updated) == (0, 1)
    row = con.execute("select consent, opted_out_at::varchar, loyalty_consent from contacts").fetchall()
    assert row == [("none", "2025-06-01", True)]


def test_columns_the_product_does_not_need_are_not_kept(tmp_path, con):
    path = write(
        tmp_path,
        "crm.csv",
        "contact_id,first_name,phone,collection_source,consent,collected_at\nc1,Zoé,0601020304,web,none,2024-01-05\n",
    )
    [result] = ingest.ingest_files(con, [path])
    assert result.ignored_columns == ["first_name", "phone"]
    assert [d[0] for d in con.execute("select * from contacts").description] == [
        "contact_id",
        "collection_source",
        "consent",
        "collected_at",
        "informed",
        "opted_out_at",
        "loyalty_consent",
    ]


def test_values_are_normalised_on_the_way_in(tmp_path, con):
    # Vocabulary in any case with spaces; booleans in French; timestamps with a zone keep their wall-clock time.
    write(
        tmp_path,
        "c.csv",
        "contact_id,collection_source,consent,collected_at,informed\nc1,web, Opt_In ,2024-01-05,oui\n",
    )
    write(
        tmp_path,
        "e.csv",
        "campaign_id,contact_id,event_type,occurred_at,is_machine_open\n"
        "k1,c1,OPEN,2025-03-01T23:30:00+02:00,1\n",
    )
    ingest.ingest_files(con, [tmp_path / "c.csv", tmp_path / "e.csv"])
    assert con.execute("select consent, informed from contacts").fetchall() == [("opt_in", True)]
    assert con.execute("select event_type, occurred_at::varchar, is_machine_open from events").fetchall() == [
        ("open", "2025-03-01 23:30:00", True)
    ]


def test_the_load_log_records_file_hash_table_rows_and_time(tmp_path, con):
    path = write(tmp_path, "contacts.csv", CONTACTS)
    ingest.ingest_files(con, [path])
    [(name, sha, table, rows, added, loaded_at)] = con.execute(
        "select file_name, sha256, table_name, rows_in_file, rows_added, loaded_at from load_log"
    ).fetchall()
    assert (name, table, rows, added) == ("contacts.csv", "contacts", 2, 2)
    assert sha == hashlib.sha256(CONTACTS.encode()).hexdigest()
    assert loaded_at is not None


def test_an_unknown_table_name_is_a_user_error(tmp_path, con):
    with pytest.raises(UserError, match="Unknown table 'people'"):
        ingest.ingest_files(con, [write(tmp_path, "c.csv", CONTACTS)], table_name="people")
