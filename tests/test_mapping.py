"""Mapping a file the product does not recognise: columns onto fields, values onto the vocabulary, constants
for the whole file, saved as a named preset and offered again when the same header comes in."""

from __future__ import annotations

import pytest

from analytics import ingest, store
from analytics.cli import main
from analytics.errors import InvalidFile, UserError
from analytics.ingest import Options, mapping, staging

CRM = (
    "Email;Statut;Date inscription;Dernier achat;Prénom\n"
    "Zoe@Example.fr;abonné;15/03/2024;02/05/2024;Zoé\n"
    "noel@example.fr;désabonné;16/03/2024;;Noël\n"
)


def crm_mapping(name="crm boutique"):
    # Email → contact_id; Statut → consent through a value map; the whole file was collected in store.
    return mapping.user_preset(
        name,
        ["Email", "Statut", "Date inscription", "Dernier achat", "Prénom"],
        "contacts",
        columns={"contact_id": "Email", "consent": "Statut", "collected_at": "Date inscription"},
        constants={"collection_source": "in_store"},
        values={"consent": {"abonné": "opt_in", "désabonné": "objected"}},
        date_order=None,
        orders_from="Dernier achat",
    )


def test_an_unrecognised_file_is_refused_with_what_to_map(tmp_path, con):
    path = tmp_path / "crm.csv"
    path.write_text(CRM, encoding="cp1252")
    with pytest.raises(InvalidFile, match="match no known table or export preset"):
        ingest.ingest_files(con, [path])


def test_a_mapping_loads_the_file_and_its_purchase_dates_become_orders(tmp_path, con):
    path = tmp_path / "crm.csv"
    path.write_text(CRM, encoding="cp1252")
    [result] = ingest.ingest_files(con, [path], options=Options(custom=crm_mapping()))
    assert (result.rows_added, result.orders_added, result.ignored_columns) == (2, 1, ["Prénom"])
    assert con.execute(
        "select contact_id, collection_source, consent, collected_at::varchar from contacts order by 1"
    ).fetchall() == [
        ("noel@example.fr", "in_store", "objected", "2024-03-16"),
        ("zoe@example.fr", "in_store", "opt_in", "2024-03-15"),  # ';' file: day-first; email lower-cased
    ]
    assert con.execute("select contact_id, order_date::varchar from orders").fetchall() == [
        ("zoe@example.fr", "2024-05-02")
    ]


def test_a_saved_mapping_is_offered_when_the_same_header_comes_in(tmp_path, con):
    mapping.save_preset(con, crm_mapping("crm boutique"))
    path = tmp_path / "crm-next-week.csv"
    path.write_text(CRM.replace("Zoé", "Zoé2"), encoding="cp1252")
    inspection = ingest.inspect(con, path)
    assert inspection.ok and inspection.preset == "crm boutique"
    assert inspection.fields["collection_source"] == "constant 'in_store'"
    [result] = ingest.ingest_files(con, [path])
    assert (result.preset, result.rows_added) == ("crm boutique", 2)
    assert con.execute("select preset from load_log").fetchall() == [("crm boutique",)]


def test_the_cli_takes_a_saved_preset_by_name(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    con = store.connect(db)
    mapping.save_preset(con, crm_mapping("crm boutique"))
    con.close()
    path = tmp_path / "other-name.csv"
    path.write_text(CRM, encoding="cp1252")
    assert main(["ingest", "--db", str(db), "--preset", "crm boutique", str(path)]) == 0
    assert "(preset crm boutique)" in capsys.readouterr().out
    assert main(["presets", "--db", str(db)]) == 0
    listing = capsys.readouterr().out
    assert "crm boutique" in listing and "mailchimp_subscribed" in listing


def test_unknown_preset_and_unknown_constant_are_user_errors(tmp_path, con):
    path = tmp_path / "orders.csv"
    path.write_text("contact_id,order_date\nc1,2025-01-01\n")
    with pytest.raises(UserError, match="No preset named 'nope'"):
        ingest.ingest_files(con, [path], options=Options(preset="nope"))
    with pytest.raises(UserError, match="colour is not a column of orders"):
        ingest.ingest_files(con, [path], options=Options(constants={"colour": "blue"}))


def test_distinct_values_for_mapping_by_hand(tmp_path, con):
    path = tmp_path / "crm.csv"
    path.write_text(CRM + "x@example.fr;abonné;01/01/2024;;X\n", encoding="cp1252")
    assert ingest.distinct_values(con, path, "Statut") == [("abonné", 2), ("désabonné", 1)]


INJECTION = "dmy'); select * from read_csv('/etc/passwd') --"


def test_a_saved_mapping_altered_in_the_database_is_refused_before_any_sql_is_built(tmp_path, con):
    # A crafted database (a hand edit, a restored file) once had ingest run SQL written into date_order.
    mapping.save_preset(con, crm_mapping("crm boutique"))
    spec = crm_mapping("crm boutique").as_json().replace('"date_order": null', f'"date_order": "{INJECTION}"')
    con.execute("update presets set spec = $spec", {"spec": spec})
    path = tmp_path / "crm.csv"
    path.write_text(CRM, encoding="cp1252")
    with pytest.raises(
        UserError, match=r"saved mapping 'crm boutique' is not valid \(date_order .*not one of dmy"
    ):
        ingest.ingest_files(con, [path])
    assert con.execute("select count(*) from contacts").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date_order": INJECTION}, "date_order .* is not one of dmy, mdy"),
        ({"table": "load_log"}, "table 'load_log' is not one of"),
        (
            {"columns": {"consent); drop table contacts; --": ["Statut"]}},
            "columns names .* not a column of contacts",
        ),
        ({"constants": {"collection_source": {"$ne": 1}}}, "constant of collection_source is not a text"),
        ({"values": {"consent": {"abonné": "everyone"}}}, "values of consent translate to 'everyone'"),
        ({"signature": "Email"}, "signature is not a list of texts"),
        ({"events": {"exec": ["a", None]}}, "events is not an object whose keys are among"),
        ({"sql": "select 1"}, "unknown key"),
        ({"name": "someone else"}, "stored under the name 'crm boutique' but calls itself 'someone else'"),
    ],
)
def test_every_field_of_a_saved_mapping_is_checked(change, message):
    import json

    spec = {**json.loads(crm_mapping("crm boutique").as_json()), **change}
    with pytest.raises(ValueError, match=message):
        mapping.check_saved("crm boutique", json.dumps(spec))


def test_a_valid_saved_mapping_reads_back_as_it_was_saved():
    saved = crm_mapping("crm boutique")
    assert mapping.check_saved("crm boutique", saved.as_json()) == saved


def test_a_date_order_reaches_sql_only_as_one_of_the_two_orders(tmp_path):
    # Even a mapping made in code (the Data page's, a preset's) cannot carry another date order into SQL.
    with pytest.raises(UserError, match=r"Date order .* is not one of dmy, mdy"):
        mapping.Mapping(
            table=mapping.TABLES["orders"],
            positions={},
            constants={},
            values={},
            ignored=(),
            date_order=INJECTION,
        )
    column = mapping.TABLES["orders"].column("order_date")
    assert staging._parse(column, "c0", "mdy") == "oc_parse_date(c0, 'mdy')"
    with pytest.raises(UserError, match="Date order"):
        staging._parse(column, "c0", INJECTION)
