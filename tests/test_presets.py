"""The built-in export presets (analytics/ingest/platforms.py) on the fixtures of tests/fixtures/presets/.

For each preset: the export is recognised from its header alone (or, when it lacks a required field, refused
with a message naming the field and the preset until the user sets it); the canonical rows it gives are exactly
those computed by hand from the fixture (stated in the comments); and the personal data the product does not
need (names, phones, addresses, IPs, user agents) is not kept in any table of the database.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from analytics import ingest, store
from analytics.errors import AmbiguousPreset, InvalidFile
from analytics.ingest import mapping
from analytics.ingest.platforms import BUILT_IN

FIXTURES = Path(__file__).parent / "fixtures" / "presets"
CONTACT_COLUMNS = "contact_id, collection_source, consent, collected_at, opted_out_at"
EVENT_COLUMNS = "campaign_id, contact_id, event_type, occurred_at, is_machine_open"
COUNTS = "sent, delivered, openers, clickers, unsubscribers, complainers, bounces"


@pytest.fixture
def con(tmp_path):
    connection = store.connect(tmp_path / "x.duckdb", readable=[FIXTURES])
    yield connection
    connection.close()


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def fixture(folder: str, file: str | None = None) -> Path:
    """A fixture file: the folder's one export (its real file name where the platform names its files)."""
    if file is not None:
        return FIXTURES / folder / file
    [found] = [p for p in (FIXTURES / folder).glob("*.csv") if "cp1252" not in p.name and "_fr" not in p.name]
    return found


def load(con, path: Path, **constants: str) -> ingest.LoadResult:
    """Load one export the way a marketer does: no table or preset named, only the constants they set."""
    (result,) = ingest.ingest_files(con, [path], options=ingest.Options(constants=constants))
    return result


def statuses(con, as_of: str) -> dict[str, str]:
    """contact_id -> eligibility status on the day (SPEC §5), retention 3 years."""
    return dict(rows(con, f"select contact_id, status from int_contact_status(date '{as_of}', 3, 90)"))


def copy_as(tmp_path: Path, source: Path, name: str, drop: tuple[str, ...] = ()) -> Path:
    """The fixture under another file name, without some of its columns."""
    with open(source, newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    keep = [i for i, name_ in enumerate(table[0]) if name_ not in drop]
    target = tmp_path / name
    with open(target, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([[row[i] for i in keep] for row in table])
    return target


def recognised(con, path: Path, **constants: str) -> str | None:
    """The preset inspect() picks from the header (nothing is written)."""
    inspection = ingest.inspect(con, path, options=ingest.Options(constants=constants))
    assert inspection.ok, inspection.message
    return inspection.preset


def assert_refused_until_set(con, path: Path, preset: str, *fields: str) -> None:
    """Loading without constants fails, naming each missing field and the preset; nothing is written. The preview
    says which preset it is and which fields the user must supply (the Data page asks for them)."""
    inspection = ingest.inspect(con, path)
    assert not inspection.ok
    assert (inspection.preset, set(inspection.needs)) == (preset, set(fields))
    with pytest.raises(InvalidFile) as raised:
        load(con, path)
    message = str(raised.value)
    assert preset in message
    for name in fields:
        assert name in message
    assert {p.column for p in raised.value.problems} == set(fields)
    for table in ("contacts", "events", "campaign_stats"):
        assert rows(con, f"select count(*) from {table}") == [(0,)]


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def contacts(con) -> list[tuple]:
    """(contact_id, collection_source, consent, collected_at, opted_out_at) by contact_id. No export gives
    informed or loyalty_consent: they stay empty (informed is then taken from the source registry)."""
    filled = "select count(*) from contacts where informed is not null or loyalty_consent is not null"
    assert rows(con, filled) == [(0,)]
    return rows(con, f"select {CONTACT_COLUMNS} from contacts order by contact_id")


def events(con) -> list[tuple]:
    return rows(con, f"select {EVENT_COLUMNS} from events")


def by_campaign(con, columns: str, key: str = "campaign_id") -> dict:
    """campaign_stats as {key: (columns...)}; the key (one column or several) must be unique."""
    width = key.count(",") + 1
    found = rows(con, f"select {key}, {columns} from campaign_stats")
    table = {(row[0] if width == 1 else row[:width]): row[width:] for row in found}
    assert len(table) == len(found), f"{key} is not unique in campaign_stats"
    return table


def assert_same_rows(actual: list[tuple], expected: list[tuple]) -> None:
    """Equal as multisets: the order of rows in a table means nothing."""
    assert sorted(actual, key=repr) == sorted(expected, key=repr)


def stored_text(con) -> str:
    """Every row of every table of the database (canonical tables, load log, change log...) as text."""
    tables = [name for (name,) in rows(con, "select table_name from duckdb_tables() where not temporary")]
    assert {"contacts", "orders", "campaigns", "events", "sources", "campaign_stats"} <= set(tables)
    return "\n".join(
        rows(con, f"select coalesce(string_agg(cast(t as varchar), chr(10)), '') from \"{name}\" as t")[0][0]
        for name in tables
    )


def assert_ignored(result: ingest.LoadResult, *names: str) -> None:
    """The header names are among the columns not kept (as the load result reports them)."""
    assert set(names) <= set(result.ignored_columns), sorted(set(names) - set(result.ignored_columns))


def assert_not_stored(con, *values: str) -> None:
    text = stored_text(con)
    for value in values:
        assert value not in text, f"{value!r} is stored"


def with_extra_rows(tmp_path: Path, folder: str, extra: list[dict[str, str]]) -> Path:
    """A copy of a fixture with rows appended (columns not given are empty)."""
    source = fixture(folder)
    text = source.read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in extra:
        writer.writerow([row.get(name, "") for name in header])
    target = tmp_path / f"{folder}.csv"
    target.write_text(text.rstrip("\n") + "\n" + buffer.getvalue(), encoding="utf-8")
    return target


# --- Mailchimp audience exports (contacts) ------------------------------------------------------------------


def test_mailchimp_subscribed(con):
    path = fixture("mailchimp_subscribed")
    # Mailchimp does not record the collection source: refused until the user sets it.
    assert_refused_until_set(con, path, "mailchimp_subscribed", "collection_source")
    assert recognised(con, path, collection_source="web_form") == "mailchimp_subscribed"

    result = load(con, path, collection_source="web_form")

    # contact_id = Email Address; collected_at = the date of CONFIRM_TIME, else of OPTIN_TIME (on the rows with
    # both they fall on the same day); consent opt_in (a subscribed member); no opposition.
    assert (result.table, result.preset, result.rows_added) == ("contacts", "mailchimp_subscribed", 6)
    assert contacts(con) == [
        ("francois.garcon@example.com", "web_form", "opt_in", day("2021-09-30"), None),
        ("helene.lefevre@example.com", "web_form", "opt_in", day("2023-06-18"), None),
        ("jerome.chevalier@example.com", "web_form", "opt_in", day("2024-04-01"), None),
        ("lea.roux@example.com", "web_form", "opt_in", day("2024-03-12"), None),  # no OPTIN_TIME
        ("noel.dubois@example.com", "web_form", "opt_in", day("2023-01-05"), None),  # no OPTIN_TIME
        ("zoe.martin@example.com", "web_form", "opt_in", day("2022-11-03"), None),
    ]
    # Names, phone, IPs, geolocation, notes and tags are not kept.
    assert_ignored(result, "First Name", "Last Name", "Phone Number", "OPTIN_IP", "CONFIRM_IP", "TIMEZONE")
    assert_ignored(result, "NOTES", "TAGS", "LAST_CHANGED")
    assert_not_stored(con, "Zoé", "Martin", "Garçon", "+33 6 12 34 56 78", "+33 7 98 76 54 32")
    assert_not_stored(con, "92.184.105.12", "90.12.33.201")
    assert_not_stored(con, "europe/paris", "Boutique Rivoli", "Import caisse janvier")


def test_mailchimp_subscribed_consent_can_be_overridden(con):
    # An audience of imported shop clients is not opted in: the user's constant wins over the preset's.
    load(con, fixture("mailchimp_subscribed"), collection_source="in_store", consent="none")
    assert rows(con, "select consent, count(*) from contacts group by all") == [("none", 6)]


def test_mailchimp_nonsubscribed_contacts_never_opted_in(con):
    path = fixture("mailchimp_nonsubscribed")
    # Same header as the subscribed file: its name (nonsubscribed_…) says which it is.
    assert recognised(con, path, collection_source="web_checkout") == "mailchimp_nonsubscribed"

    result = load(con, path, collection_source="web_checkout")

    # consent none: customers the shop integration added, who never ticked a box.
    assert (result.preset, result.rows_added) == ("mailchimp_nonsubscribed", 3)
    assert contacts(con) == [
        ("ambre.colin@example.com", "web_checkout", "none", day("2024-02-10"), None),
        ("bastien.noel@example.com", "web_checkout", "none", day("2023-11-24"), None),
        ("celine.perrin@example.com", "web_checkout", "none", day("2024-04-02"), None),
    ]
    assert_not_stored(con, "Noël", "+33 6 98 76 54 31", "Commande n° 10412")


def test_a_subscribed_or_nonsubscribed_file_without_its_name_is_a_tie_never_a_guess(con, tmp_path):
    # The two files have the same header; renamed, nothing tells them apart: refused, both named, until the user
    # says which (--preset).
    renamed = copy_as(tmp_path, fixture("mailchimp_nonsubscribed"), "customers.csv")
    with pytest.raises(AmbiguousPreset) as raised:
        load(con, renamed, collection_source="web_checkout")
    assert raised.value.candidates == ["mailchimp_subscribed", "mailchimp_nonsubscribed"]
    assert "customers.csv" in str(raised.value) and "--preset" in str(raised.value)
    assert rows(con, "select count(*) from contacts") == [(0,)]
    inspection = ingest.inspect(con, renamed, options=ingest.Options(constants={"collection_source": "x"}))
    assert not inspection.ok and inspection.candidates == ["mailchimp_subscribed", "mailchimp_nonsubscribed"]

    options = ingest.Options(
        preset="mailchimp_nonsubscribed", constants={"collection_source": "web_checkout"}
    )
    [result] = ingest.ingest_files(con, [renamed], options=options)
    assert result.preset == "mailchimp_nonsubscribed"
    assert rows(con, "select distinct consent from contacts") == [("none",)]


UNSUBSCRIBED = [
    # opted_out_at = the date of UNSUB_TIME on every row, whatever UNSUB_REASON says (SPAM stays an unsubscribe:
    # no complaint event is made); consent opt_in (they had subscribed).
    ("camille.bernard@example.com", "web_form", "opt_in", day("2022-05-10"), day("2024-05-14")),
    ("gael.morel@example.com", "web_form", "opt_in", day("2023-09-09"), day("2024-06-02")),
    ("ines.fontaine@example.com", "web_form", "opt_in", day("2022-12-24"), day("2024-03-01")),
    ("maelle.petit@example.com", "web_form", "opt_in", day("2023-02-02"), day("2024-05-14")),
    ("theo.lambert@example.com", "web_form", "opt_in", day("2024-01-15"), day("2024-06-02")),
]


@pytest.mark.parametrize(
    ("name", "drop"),
    [
        ("unsubscribed_email_audience_export_5d4c3b2a19.csv", ()),
        # the file as issue 12 saw it, renamed: LAST_CHANGED (which the subscribed file has too) and no status in
        # the name — UNSUB_TIME alone tells it from the subscribed file
        ("export.csv", ()),
        # the file as the February 2026 export writes it: no LAST_CHANGED
        ("unsubscribed_email_audience_export_5d4c3b2a19.csv", ("LAST_CHANGED",)),
    ],
    ids=["as-named", "renamed", "without-last-changed"],
)
def test_mailchimp_unsubscribed(con, tmp_path, name, drop):
    path = copy_as(tmp_path, fixture("mailchimp_unsubscribed"), name, drop)
    assert_refused_until_set(con, path, "mailchimp_unsubscribed", "collection_source")
    assert recognised(con, path, collection_source="web_form") == "mailchimp_unsubscribed"

    result = load(con, path, collection_source="web_form")

    assert (result.table, result.preset, result.rows_added) == ("contacts", "mailchimp_unsubscribed", 5)
    assert contacts(con) == UNSUBSCRIBED
    assert rows(con, "select count(*) from events") == [(0,)]
    assert_ignored(result, "First Name", "Last Name", "CONFIRM_IP", "UNSUB_REASON", "UNSUB_REASON_OTHER")
    assert_not_stored(con, "Gaël", "Morel", "Inès", "86.246.7.140")
    assert_not_stored(con, "Trop de mails", "Demande au service client")  # free text about the person
    # Every one of them is objected on the report date, so none may be mailed.
    assert set(statuses(con, "2024-12-31").values()) == {"objected"}


def test_the_unsubscribed_file_read_as_subscribed_is_refused_never_loaded_as_mailable(con):
    # Forcing the subscribed preset on the unsubscribed file (the silent tie of issue 12): UNSUB_TIME and the
    # other UNSUB_* columns say five people objected, and that mapping would give them no opposition. Refused,
    # naming the column, its rows and the fix, even with invalid rows to be set aside; nothing is written.
    path = fixture("mailchimp_unsubscribed")
    for on_invalid in ("fail", "skip"):
        options = ingest.Options(
            preset="mailchimp_subscribed", constants={"collection_source": "web_form"}, on_invalid=on_invalid
        )
        with pytest.raises(InvalidFile) as raised:
            ingest.ingest_files(con, [path], options=options)
        message = str(raised.value)
        assert "column 'UNSUB_TIME'" in message and "objected" in message and "opted_out_at" in message
        assert "5 row(s): row 2" in message
        assert rows(con, "select count(*) from contacts") == [(0,)]


def test_a_saved_mapping_that_drops_an_opposition_column_is_refused(con):
    # A mapping saved on the Data page for the unsubscribed file that forgets UNSUB_TIME: refused likewise.
    path = fixture("mailchimp_unsubscribed")
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    careless = mapping.user_preset(
        "mailchimp sans date",
        header,
        "contacts",
        columns={"contact_id": "Email Address", "collected_at": "CONFIRM_TIME"},
        constants={"collection_source": "web_form", "consent": "opt_in"},
        values={},
        date_order=None,
    )
    with pytest.raises(InvalidFile, match="column 'UNSUB_TIME': says these people objected"):
        ingest.ingest_files(con, [path], options=ingest.Options(custom=careless))
    assert rows(con, "select count(*) from contacts") == [(0,)]


def test_a_file_two_presets_read_equally_is_refused_naming_both_and_settled_by_preset(con, tmp_path):
    # Both UNSUB_TIME and CLEAN_TIME: the unsubscribed and cleaned presets each claim a column the other does
    # not — a real tie. Refused (nothing written) until --preset names one.
    both = tmp_path / "members.csv"
    both.write_text(
        '"Email Address",MEMBER_RATING,CONFIRM_TIME,UNSUB_TIME,CLEAN_TIME,LEID,EUID\n'
        'a@example.com,2,"2023-01-01 10:00:00","2024-02-01 10:00:00",,1,aa\n',
        encoding="utf-8",
    )
    with pytest.raises(AmbiguousPreset) as raised:
        load(con, both, collection_source="web_form")
    assert raised.value.candidates == ["mailchimp_unsubscribed", "mailchimp_cleaned"]
    options = ingest.Options(preset="mailchimp_unsubscribed", constants={"collection_source": "web_form"})
    ingest.ingest_files(con, [both], options=options)
    assert contacts(con) == [("a@example.com", "web_form", "opt_in", day("2023-01-01"), day("2024-02-01"))]


def test_mailchimp_cleaned(con):
    path = fixture("mailchimp_cleaned")
    assert_refused_until_set(con, path, "mailchimp_cleaned", "collection_source")
    assert recognised(con, path, collection_source="web_form") == "mailchimp_cleaned"

    result = load(con, path, collection_source="web_form")

    # A cleaned (bounced) address is not an opposition: no opted_out_at, CLEAN_TIME is not mapped.
    assert (result.table, result.preset, result.rows_added) == ("contacts", "mailchimp_cleaned", 5)
    assert contacts(con) == [
        ("agnes.leroy@example.com", "web_form", "opt_in", day("2021-04-02"), None),  # no OPTIN_TIME
        ("benoit.andre@example.com", "web_form", "opt_in", day("2023-03-03"), None),  # no OPTIN_TIME
        ("chloe.mercier@example.com", "web_form", "opt_in", day("2023-11-11"), None),
        ("oceane.faure@example.com", "web_form", "opt_in", day("2022-07-07"), None),  # no OPTIN_TIME
        ("remi.girard@example.com", "web_form", "opt_in", day("2020-10-10"), None),
    ]
    assert_ignored(result, "First Name", "Last Name", "Phone Number", "CLEAN_TIME", "NOTES")
    assert_not_stored(con, "Agnès", "Leroy", "André", "Mercier", "Adresse invalide")


def test_the_mailchimp_audience_zip_loads_its_files_each_with_its_own_preset(con, tmp_path):
    # The export as Mailchimp delivers it: a zip of audience_export_<id>/<status>_email_audience_export_<id>.csv.
    archive = tmp_path / "audience_export_5d4c3b2a19.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for folder in ("mailchimp_subscribed", "mailchimp_unsubscribed", "mailchimp_cleaned"):
            zipped.write(fixture(folder), f"audience_export_5d4c3b2a19/{fixture(folder).name}")
    options = ingest.Options(constants={"collection_source": "newsletter_form"})
    results = ingest.ingest_files(con, [archive], options=options)
    assert sorted((r.preset, r.rows_added) for r in results) == [
        ("mailchimp_cleaned", 5),
        ("mailchimp_subscribed", 6),
        ("mailchimp_unsubscribed", 5),
    ]
    # 6 + 5 + 5 people at the end of 2024: the five unsubscribed are objected; François (collected 2021-09-30),
    # Agnès (2021-04-02) and Rémi (2020-10-10) made no contact since, so 3 years have passed: expired; the
    # other 8 are opt-in.
    assert sorted(collections.Counter(statuses(con, "2024-12-31").values()).items()) == [
        ("expired", 3),
        ("objected", 5),
        ("opt_in", 8),
    ]


# --- Klaviyo -----------------------------------------------------------------------------------------------


def test_klaviyo_profiles(con):
    path = fixture("klaviyo_profiles")
    assert recognised(con, path) == "klaviyo_profiles"

    result = load(con, path)

    # collection_source = Source; consent: SUBSCRIBED → opt_in, NEVER_SUBSCRIBED / UNSUBSCRIBED → none;
    # collected_at = Profile Created On; opted_out_at = Email Marketing Consent Timestamp only when UNSUBSCRIBED
    # (Zoé's 2023-04-18 subscription timestamp is not an opposition).
    assert (result.table, result.preset, result.rows_added) == ("contacts", "klaviyo_profiles", 7)
    assert contacts(con) == [
        ("agnes.leroy@example.com", "Imported", "none", day("2021-04-02"), None),
        ("camille.bernard@example.com", "Shopify", "none", day("2022-05-10"), day("2024-05-14")),
        ("helene.lefevre@example.com", "Klaviyo Form", "opt_in", day("2023-06-18"), None),
        ("jerome.chevalier@example.com", "Shopify", "none", day("2024-04-01"), None),
        ("maelle.petit@example.com", "Manually Initiated", "none", day("2023-02-02"), day("2024-05-14")),
        ("noel.dubois@example.com", "Imported", "none", day("2023-01-05"), None),
        ("zoe.martin@example.com", "Shopify", "opt_in", day("2022-11-03"), None),
    ]
    assert_ignored(result, "First Name", "Last Name", "Phone Number", "Address", "City", "Zip Code")
    assert_ignored(result, "IP Address", "Latitude", "Longitude")
    assert_not_stored(con, "Zoé", "Martin", "+33612345678", "12 rue de Rivoli", "75004", "92.184.105.12")


def test_klaviyo_campaigns(con):
    path = fixture("klaviyo_campaigns")
    # A campaign report does not say under which legal basis its recipients were mailed.
    assert_refused_until_set(con, path, "klaviyo_campaigns", "basis")
    assert recognised(con, path, basis="soft_opt_in") == "klaviyo_campaigns"

    result = load(con, path, basis="soft_opt_in")

    # One row per campaign × list; counts written '18420.0' become 18420. sent = Total Recipients,
    # delivered = Successful Deliveries, openers = Unique Opens (not Total Opens), clickers = Unique Clicks
    # (not Total Clicks), unsubscribers = Unsubscribes, complainers = Spam Complaints, bounces = Bounces.
    assert (result.table, result.preset, result.rows_added) == ("campaign_stats", "klaviyo_campaigns", 5)
    assert rows(con, "select distinct basis, email_type from campaign_stats") == [("soft_opt_in", None)]
    # Campaign ID → (Send Time, List); a campaign sent to two lists keeps both names in one row.
    two_lists = "Clients web (soft opt-in), Clients téléphone (soft opt-in)"
    assert by_campaign(con, "sent_at, collection_source") == {
        "01J0ZQ8N3F6V1K2R7T9W4Y5B3C": (at("2024-06-24 09:00:00"), "Clients boutique (soft opt-in)"),
        "01J0ZQ8N3F6V1K2R7T9W4Y5B3D": (at("2024-06-24 09:00:00"), "Abonnés newsletter (opt-in)"),
        "01J1AC2M7Q8E5R4T3Y2U1I0O9P": (at("2024-06-28 07:30:00"), "Clients boutique (soft opt-in)"),
        "01JDS0H8K2N4P6R8T0V2X4Z6B8": (at("2024-11-29 10:15:00"), two_lists),
        "01J1KX5Y6Z7A8B9C0D1E2F3G4H": (at("2024-07-01 08:00:00"), "Nouveaux clients"),
    }
    # Campaign ID → (sent, delivered, openers, clickers, unsubscribers, complainers, bounces)
    assert by_campaign(con, COUNTS) == {
        "01J0ZQ8N3F6V1K2R7T9W4Y5B3C": (18420, 18226, 5903, 322, 96, 9, 194),
        "01J0ZQ8N3F6V1K2R7T9W4Y5B3D": (9610, 9538, 4580, 602, 21, 1, 72),
        "01J1AC2M7Q8E5R4T3Y2U1I0O9P": (18395, 18221, 5410, 198, 54, 3, 174),
        "01JDS0H8K2N4P6R8T0V2X4Z6B8": (12050, 11869, 3620, 240, 118, 14, 181),
        "01J1KX5Y6Z7A8B9C0D1E2F3G4H": (640, 636, 402, 77, 3, 0, 4),
    }
    assert_ignored(result, "Campaign Name", "Subject", "Total Opens", "Total Clicks", "Open Rate", "Revenue")
    assert_not_stored(con, "Zoé, bienvenue")  # a subject line with a first name in it


# --- Brevo -------------------------------------------------------------------------------------------------

BREVO_CONTACTS = [
    # EMAIL, SOURCE_COLLECTE, DOUBLE_OPT-IN Yes → opt_in / No → none, ADDED_TIME day-first (03-11-2022 is
    # 3 November), and MODIFIED_TIME as opted_out_at only when EMAIL_BLACKLISTED is Yes.
    ("camille.bernard@example.com", "in_store", "none", day("2022-05-10"), day("2024-05-14")),
    ("chloe.oeuvray@example.com", "call_center", "none", day("2023-11-11"), None),
    ("francois.garcon@example.com", "call_center", "none", day("2021-09-30"), None),
    ("helene.lefevre@example.com", "formulaire_newsletter", "opt_in", day("2023-06-18"), None),
    ("jerome.chevalier@example.com", "web_checkout", "none", day("2024-04-01"), None),
    ("maelle.petit@example.com", "web_checkout", "none", day("2023-02-02"), day("2024-05-14")),
    ("noel.dubois@example.com", "in_store", "none", day("2023-01-05"), None),
    ("zoe.martin@example.com", "web_checkout", "opt_in", day("2022-11-03"), None),
]


@pytest.mark.parametrize(
    ("file", "encoding"), [("export.csv", "utf-8"), ("export-cp1252.csv", "cp1252")], ids=["utf8", "cp1252"]
)
def test_brevo_contacts(con, file, encoding):
    path = fixture("brevo_contacts", file)
    inspection = ingest.inspect(con, path)
    # Recognised as the Brevo preset, not as a plain contacts file keyed on Brevo's 'CONTACT ID'.
    assert (inspection.preset, inspection.table) == ("brevo_contacts", "contacts")
    assert (inspection.encoding, inspection.delimiter) == (encoding, ";")

    result = load(con, path)

    assert (result.table, result.preset, result.rows_added) == ("contacts", "brevo_contacts", 8)
    assert contacts(con) == BREVO_CONTACTS
    assert set(result.ignored_columns) == {"CONTACT ID", "NOM", "PRENOM", "SMS", "SMS_BLACKLISTED"}
    assert_not_stored(con, "Martin", "Zoé", "Œuvray", "Chloé", "Garçon", "33612345678", "33798765432")


def test_brevo_contacts_cp1252_gives_the_same_rows_as_utf8(tmp_path):
    loaded = {}
    for file in ("export.csv", "export-cp1252.csv"):
        connection = store.connect(tmp_path / f"{file}.duckdb", readable=[FIXTURES])
        load(connection, fixture("brevo_contacts", file))
        loaded[file] = rows(connection, "select * from contacts order by contact_id")
        connection.close()
    assert loaded["export-cp1252.csv"] == loaded["export.csv"]
    assert len(loaded["export.csv"]) == 8


def test_brevo_events(con):
    path = fixture("brevo_events")
    assert recognised(con, path) == "brevo_events"

    result = load(con, path)

    # campaign_id = camp_id; occurred_at = ts_event (Unix seconds, UTC: 1719212441 = 2024-06-24 07:00:41),
    # not date_event (09:00:41, Paris time); proxy_open → open with is_machine_open true, opened → open;
    # spam → complaint; hard_bounce / soft_bounce → bounce.
    assert (result.table, result.preset, result.rows_added) == ("events", "brevo_events", 11)
    assert_same_rows(
        events(con),
        [
            ("27", "zoe.martin@example.com", "delivered", at("2024-06-24 07:00:41"), False),
            ("27", "zoe.martin@example.com", "open", at("2024-06-24 07:02:10"), True),  # proxy_open
            ("27", "zoe.martin@example.com", "open", at("2024-06-24 10:31:05"), False),  # opened
            ("27", "zoe.martin@example.com", "click", at("2024-06-24 10:31:49"), False),
            ("27", "noel.dubois@example.com", "delivered", at("2024-06-24 07:00:44"), False),
            ("27", "noel.dubois@example.com", "unsubscribe", at("2024-06-24 16:05:12"), False),
            ("27", "maelle.petit@example.com", "delivered", at("2024-06-24 07:00:46"), False),
            ("27", "maelle.petit@example.com", "complaint", at("2024-06-24 18:47:03"), False),  # spam
            ("27", "agnes.leroy@example.com", "bounce", at("2024-06-24 07:00:49"), False),  # hard_bounce
            ("27", "remi.girard@example.com", "bounce", at("2024-06-24 07:01:30"), False),  # soft_bounce
            ("27", "jerome.chevalier@example.com", "delivered", at("2024-06-24 07:00:52"), False),
        ],
    )
    # date_event (local time) is read only on a row whose ts_event is empty
    assert_ignored(result, "id", "campaign name", "ts", "reason")
    assert_not_stored(con, "Recipient address rejected", "Mailbox full")  # bounce reasons, with the address


def test_brevo_events_that_are_not_counted_are_left_out(con, tmp_path):
    common = {"camp_id": "27", "campaign name": "Soldes d'été — J-3", "email": "zoe.martin@example.com"}
    path = with_extra_rows(
        tmp_path,
        "brevo_events",
        [
            {**common, "event": "list_addition", "ts_event": "1719300000"},  # 2024-06-25 07:20:00
            {**common, "event": "contact_updated", "ts_event": "1719300001"},
            {**common, "event": "deferred", "ts_event": "1719300002"},
        ],
    )
    result = load(con, path)
    # The 11 events of the fixture, none of the three extra rows.
    assert result.rows_added == 11
    assert rows(con, "select count(*) from events where occurred_at >= '2024-06-25'") == [(0,)]


# --- SendGrid, Mailjet --------------------------------------------------------------------------------------

SINGLE_SEND = "b1f3c2e4-7a9d-11ef-9c3a-5e1d2f0a7b61"


def test_sendgrid_events(con):
    path = fixture("sendgrid_events")
    assert recognised(con, path) == "sendgrid_events"

    result = load(con, path)

    # campaign_id = singlesend_id; timestamp in Unix seconds → UTC (1719558000 = 2024-06-28 07:00:00);
    # processed → sent, group_unsubscribe → unsubscribe, spamreport → complaint, bounce → bounce, dropped
    # (never sent, and no processed event) → sent and bounce: a send not delivered; is_machine_open =
    # sg_machine_open (set on opens only, empty elsewhere). 11 rows → 12 events.
    assert (result.table, result.preset, result.rows_added) == ("events", "sendgrid_events", 12)
    assert_same_rows(
        events(con),
        [
            (SINGLE_SEND, "zoe.martin@example.com", "sent", at("2024-06-28 07:00:00"), None),  # processed
            (SINGLE_SEND, "zoe.martin@example.com", "delivered", at("2024-06-28 07:00:03"), None),
            (SINGLE_SEND, "zoe.martin@example.com", "open", at("2024-06-28 07:01:01"), True),  # Apple MPP
            (SINGLE_SEND, "zoe.martin@example.com", "open", at("2024-06-28 09:18:00"), False),
            (SINGLE_SEND, "zoe.martin@example.com", "click", at("2024-06-28 09:18:21"), None),
            (SINGLE_SEND, "noel.dubois@example.com", "delivered", at("2024-06-28 07:00:04"), None),
            (SINGLE_SEND, "noel.dubois@example.com", "unsubscribe", at("2024-06-28 16:00:00"), None),
            (SINGLE_SEND, "maelle.petit@example.com", "delivered", at("2024-06-28 07:00:05"), None),
            (SINGLE_SEND, "maelle.petit@example.com", "complaint", at("2024-06-28 19:00:00"), None),
            (SINGLE_SEND, "agnes.leroy@example.com", "bounce", at("2024-06-28 07:00:06"), None),
            (SINGLE_SEND, "lea.roux@example.com", "sent", at("2024-06-28 07:00:07"), None),  # dropped
            (SINGLE_SEND, "lea.roux@example.com", "bounce", at("2024-06-28 07:00:07"), None),  # dropped
        ],
    )
    # category is read only on a row without singlesend_id and marketing_campaign_id (API mail)
    assert_ignored(result, "ip", "useragent", "url", "singlesend_name")
    assert_not_stored(con, "92.184.105.12", "90.12.33.201", "17.58.101.12", "iPhone", "Unsubscribed Address")


def test_sendgrid_deferred_and_resubscribe_events_are_left_out(con, tmp_path):
    common = {"singlesend_id": SINGLE_SEND, "sg_message_id": "x", "sg_event_id": "y"}
    zoe, noel = "zoe.martin@example.com", "noel.dubois@example.com"
    path = with_extra_rows(
        tmp_path,
        "sendgrid_events",
        [
            # 2024-06-28 06:59:50 and 18:40:00 UTC
            {**common, "email": zoe, "timestamp": "1719557990", "event": "deferred"},
            {**common, "email": noel, "timestamp": "1719600000", "event": "group_resubscribe"},
        ],
    )
    result = load(con, path)
    # Still the 12 events of the fixture, none at the times of the two extra rows.
    assert result.rows_added == 12
    extra_times = "('2024-06-28 06:59:50', '2024-06-28 18:40:00')"
    assert rows(con, f"select count(*) from events where occurred_at in {extra_times}") == [(0,)]
    assert rows(con, "select count(*) from events where event_type = 'unsubscribe'") == [(1,)]


def test_mailjet_events(con):
    path = fixture("mailjet_events")
    assert recognised(con, path) == "mailjet_events"

    result = load(con, path)

    # campaign_id = mj_campaign_id; time in Unix seconds → UTC (1732871700 = 2024-11-29 09:15:00);
    # sent (accepted by the receiving server) → delivered; unsub → unsubscribe, spam → complaint,
    # bounce / blocked (never left Mailjet) → bounce; Mailjet flags no machine opens.
    assert (result.table, result.preset, result.rows_added) == ("events", "mailjet_events", 9)
    assert_same_rows(
        events(con),
        [
            ("7702417", "zoe.martin@example.com", "delivered", at("2024-11-29 09:15:00"), None),
            ("7702417", "zoe.martin@example.com", "open", at("2024-11-29 11:35:02"), None),
            ("7702417", "zoe.martin@example.com", "click", at("2024-11-29 11:35:50"), None),
            ("7702417", "noel.dubois@example.com", "delivered", at("2024-11-29 09:15:01"), None),
            ("7702417", "noel.dubois@example.com", "unsubscribe", at("2024-11-30 07:00:11"), None),
            ("7702417", "maelle.petit@example.com", "delivered", at("2024-11-29 09:15:02"), None),
            ("7702417", "maelle.petit@example.com", "complaint", at("2024-11-30 09:46:40"), None),
            ("7702417", "agnes.leroy@example.com", "bounce", at("2024-11-29 09:15:05"), None),
            ("7702417", "remi.girard@example.com", "bounce", at("2024-11-29 09:15:06"), None),  # blocked
        ],
    )
    assert_ignored(result, "ip", "geo", "agent", "url", "mj_contact_id")
    assert_not_stored(con, "92.184.105.12", "90.12.33.201", "Mozilla", "user unknown")


# --- Salesforce Marketing Cloud tracking extract (five files, one preset) -------------------------------------

# campaign_id = SendID, contact_id = SubscriberKey (the CRM id, kept as written), EventDate month-first with
# AM/PM as written (SFMC's Central Standard Time is not converted): 6/24/2024 2:00:12 AM → 2024-06-24 02:00:12,
# 12:30:05 AM → 00:30:05, 1:45:00 PM → 13:45:00, 7/1/2024 → 1 July. No machine-open flag.
SFMC = {
    "sfmc_sent": [
        ("4471203", "CRM-000101", "sent", at("2024-06-24 02:00:12"), None),
        ("4471203", "CRM-000102", "sent", at("2024-06-24 02:00:12"), None),
        ("4471203", "CRM-000103", "sent", at("2024-06-24 02:00:12"), None),
        ("4471203", "CRM-000104", "sent", at("2024-06-24 02:00:12"), None),
        ("4471203", "CRM-000105", "sent", at("2024-06-24 02:00:12"), None),
        ("4471203", "CRM-000106", "sent", at("2024-06-24 02:00:12"), None),
        ("4471388", "CRM-000101", "sent", at("2024-06-28 00:30:05"), None),  # 12:30:05 AM
        ("4471388", "CRM-000102", "sent", at("2024-06-28 00:30:05"), None),
        ("4471388", "CRM-000103", "sent", at("2024-06-28 00:30:05"), None),
    ],
    "sfmc_opens": [
        ("4471203", "CRM-000101", "open", at("2024-06-24 05:31:05"), None),
        ("4471203", "CRM-000101", "open", at("2024-06-24 09:12:44"), None),
        ("4471203", "CRM-000103", "open", at("2024-06-24 11:02:19"), None),
        ("4471203", "CRM-000104", "open", at("2024-06-24 13:45:00"), None),  # 1:45:00 PM
        ("4471388", "CRM-000102", "open", at("2024-06-28 03:20:31"), None),
    ],
    "sfmc_clicks": [
        ("4471203", "CRM-000101", "click", at("2024-06-24 09:13:02"), None),
        ("4471203", "CRM-000101", "click", at("2024-06-24 09:15:40"), None),
        ("4471203", "CRM-000103", "click", at("2024-06-24 11:03:00"), None),
        ("4471203", "CRM-000104", "click", at("2024-06-24 13:46:12"), None),  # 1:46:12 PM
        ("4471388", "CRM-000102", "click", at("2024-06-28 03:21:10"), None),
    ],
    "sfmc_unsubs": [
        ("4471203", "CRM-000102", "unsubscribe", at("2024-06-24 12:05:12"), None),  # 12:05:12 PM
        ("4471203", "CRM-000105", "unsubscribe", at("2024-06-24 14:47:03"), None),
        ("4471388", "CRM-000103", "unsubscribe", at("2024-06-29 08:00:00"), None),
        ("4471388", "CRM-000101", "unsubscribe", at("2024-07-01 10:10:10"), None),  # 7/1/2024
        ("4471203", "CRM-000104", "unsubscribe", at("2024-06-25 19:30:45"), None),
    ],
    "sfmc_bounces": [
        ("4471203", "CRM-000106", "bounce", at("2024-06-24 02:00:31"), None),
        ("4471203", "CRM-000105", "bounce", at("2024-06-24 02:01:02"), None),
        ("4471203", "CRM-000104", "bounce", at("2024-06-24 02:00:40"), None),
        ("4471388", "CRM-000106", "bounce", at("2024-06-28 00:30:20"), None),
        ("4471388", "CRM-000102", "bounce", at("2024-06-28 00:30:25"), None),
    ],
}


@pytest.mark.parametrize("folder", list(SFMC))
def test_sfmc_tracking(con, folder):
    path = fixture(folder)
    assert recognised(con, path) == "sfmc_tracking"

    result = load(con, path)

    assert (result.table, result.preset, result.rows_added) == ("events", "sfmc_tracking", len(SFMC[folder]))
    assert_same_rows(events(con), SFMC[folder])
    # The e-mail address is not the id here, so it is not kept either; nor IPs, places, devices, bounce texts.
    assert_ignored(result, "ClientID", "EmailAddress", "SubscriberID", "ListID")
    assert_not_stored(con, "@example.com", "92.184.105.12", "Paris", "Apple Mail")
    assert_not_stored(con, "Recipient address rejected")


def test_sfmc_tracking_all_five_files_in_one_batch(con):
    results = ingest.ingest_files(con, [fixture(folder) for folder in SFMC])
    assert [r.preset for r in results] == ["sfmc_tracking"] * 5
    # 9 sent + 5 opens + 5 clicks + 5 unsubscribes + 5 bounces = 29 events, exactly those of the five files.
    assert_same_rows(events(con), [row for expected in SFMC.values() for row in expected])
    assert rows(con, "select event_type, count(*) from events group by all order by all") == [
        ("bounce", 5),
        ("click", 5),
        ("open", 5),
        ("sent", 9),
        ("unsubscribe", 5),
    ]


# --- Mautic -------------------------------------------------------------------------------------------------


def test_mautic_contacts(con):
    path = fixture("mautic_contacts")
    # The export has nothing but the id and the address: source, consent and collection date must be set.
    assert_refused_until_set(con, path, "mautic_contacts", "collection_source", "consent", "collected_at")
    constants = {"collection_source": "in_store", "consent": "none", "collected_at": "2024-06-01"}
    assert recognised(con, path, **constants) == "mautic_contacts"

    result = load(con, path, **constants)

    # contact_id = email; everything else from the constants.
    assert (result.table, result.preset, result.rows_added) == ("contacts", "mautic_contacts", 6)
    assert contacts(con) == [
        (f"{person}@example.com", "in_store", "none", day("2024-06-01"), None)
        for person in (
            "francois.garcon",
            "helene.lefevre",
            "lea.roux",
            "maelle.petit",
            "noel.dubois",
            "zoe.martin",
        )
    ]
    assert_ignored(result, "title", "firstname", "lastname", "mobile", "phone", "city", "zipcode")
    # id, the Mautic lead id, is kept beside the address only (for the do-not-contact list), never in contacts
    assert rows(con, "select platform, external_id, contact_id from contact_aliases order by 2")[0] == (
        "mautic",
        "1201",
        "zoe.martin@example.com",
    )
    assert_not_stored(con, "Zoé", "Martin", "Mrs", "+33612345678", "+33798765432", "75004", "Lille")


def test_mautic_email_stats(con):
    path = fixture("mautic_email_stats")
    assert recognised(con, path) == "mautic_email_stats"

    result = load(con, path)

    # 6 rows → 10 events: a sent at date_sent for every row, an open at date_read where is_read = 1
    # (rows of Zoé, Hélène, Maëlle), a bounce at date_sent where is_failed = 1 (François).
    assert (result.table, result.preset, result.rows_added) == ("events", "mautic_email_stats", 10)
    assert_same_rows(
        events(con),
        [
            ("14", "zoe.martin@example.com", "sent", at("2024-06-24 07:00:05"), None),
            ("14", "zoe.martin@example.com", "open", at("2024-06-24 10:31:05"), None),
            ("14", "noel.dubois@example.com", "sent", at("2024-06-24 07:00:05"), None),
            ("14", "helene.lefevre@example.com", "sent", at("2024-06-24 07:00:06"), None),
            ("14", "helene.lefevre@example.com", "open", at("2024-06-24 09:02:19"), None),
            ("14", "francois.garcon@example.com", "sent", at("2024-06-24 07:00:06"), None),
            ("14", "francois.garcon@example.com", "bounce", at("2024-06-24 07:00:06"), None),
            ("15", "maelle.petit@example.com", "sent", at("2024-06-28 05:30:00"), None),
            ("15", "maelle.petit@example.com", "open", at("2024-06-28 06:00:31"), None),
            ("15", "lea.roux@example.com", "sent", at("2024-06-28 05:30:01"), None),
        ],
    )
    assert_ignored(result, "tracking_hash", "open_details", "last_opened")
    assert_not_stored(con, "Mozilla", "iPhone", "667930a1b2c3d4")  # user agents of the opens, tracking hash


# --- Generic per-campaign report ------------------------------------------------------------------------------


def test_generic_campaign_report(con):
    path = fixture("generic_campaign_report")
    assert_refused_until_set(con, path, "generic_campaign_report", "basis")
    assert recognised(con, path, basis="soft_opt_in") == "generic_campaign_report"

    result = load(con, path, basis="soft_opt_in")

    # campaign_id = campaign, sent_at = date (midnight), collection_source = segment, sent, delivered,
    # openers = unique_opens, clickers = unique_clicks, unsubscribers, complainers; no bounces column.
    assert result.preset == "generic_campaign_report"
    assert (result.table, result.rows_added) == ("campaign_stats", 6)
    soldes, etiquette, noel = "Soldes d'été — J-3", "Étiquette : nos nouveautés", "Noël en avance"
    assert rows(con, "select distinct basis, email_type from campaign_stats") == [("soft_opt_in", None)]
    assert rows(con, "select distinct campaign_id, sent_at from campaign_stats order by sent_at") == [
        (soldes, at("2024-06-24 00:00:00")),
        (etiquette, at("2024-06-28 00:00:00")),
        (noel, at("2024-11-29 00:00:00")),
    ]
    # (campaign, segment) → (sent, delivered, openers, clickers, unsubscribers, complainers, bounces)
    assert by_campaign(con, COUNTS, key="campaign_id, collection_source") == {
        (soldes, "in_store"): (18420, 18226, 5903, 322, 96, 9, None),
        (soldes, "web_checkout"): (9610, 9538, 4580, 602, 21, 1, None),
        (soldes, "call_center"): (2310, 2281, 611, 18, 44, 3, None),
        (etiquette, "in_store"): (18395, 18221, 5410, 198, 54, 3, None),
        (etiquette, "web_checkout"): (9604, 9530, 4012, 455, 15, 0, None),
        (noel, "call_center"): (2298, 2264, 540, 12, 61, 5, None),
    }
    assert result.ignored_columns == []


def test_brevo_empty_double_opt_in_means_no_explicit_consent(tmp_path):
    # Brevo leaves DOUBLE_OPT-IN empty for contacts who did not confirm: consent none, not an empty field.
    from analytics import ingest, store

    path = tmp_path / "brevo.csv"
    path.write_text(
        "EMAIL;DOUBLE_OPT-IN;SOURCE_COLLECTE;EMAIL_BLACKLISTED;ADDED_TIME;MODIFIED_TIME\n"
        "a@example.com;;in_store;No;03-11-2022 08:14;03-11-2022 08:14\n",
        encoding="utf-8",
    )
    con = store.connect(tmp_path / "b.duckdb", readable=[FIXTURES])
    [result] = ingest.ingest_files(con, [path])
    assert result.preset == "brevo_contacts"
    assert con.execute("select consent, opted_out_at from contacts").fetchall() == [("none", None)]


# --- SendGrid Email Activity export, SFMC NotSent and Complaints, Mautic do-not-contact, French reports ---------


def test_sendgrid_email_activity_export(con):
    path = fixture("sendgrid_activity")
    assert recognised(con, path) == "sendgrid_activity"

    result = load(con, path)

    # campaign_id = marketing_campaign_id; occurred_at = processed, the time of each row's event (UTC, with
    # milliseconds); processed → sent, group_unsubscribe → unsubscribe, spamreport → complaint, drop (no processed
    # before it) → sent and bounce, deferred → nothing. 16 rows: 15 events + the drop's second one - the deferral.
    k = "8841203"
    assert (result.table, result.preset, result.rows_added) == ("events", "sendgrid_activity", 16)
    assert_same_rows(
        events(con),
        [
            (k, "zoe.martin@example.com", "sent", at("2024-06-28 07:00:00"), None),
            (k, "zoe.martin@example.com", "delivered", at("2024-06-28 07:00:03"), None),
            (k, "zoe.martin@example.com", "open", at("2024-06-28 09:18:00"), None),
            (k, "zoe.martin@example.com", "click", at("2024-06-28 09:18:21"), None),
            (k, "noel.dubois@example.com", "sent", at("2024-06-28 07:00:01"), None),
            (k, "noel.dubois@example.com", "delivered", at("2024-06-28 07:00:04"), None),
            (k, "noel.dubois@example.com", "unsubscribe", at("2024-06-28 16:00:00"), None),
            (k, "maelle.petit@example.com", "sent", at("2024-06-28 07:00:01"), None),
            (k, "maelle.petit@example.com", "delivered", at("2024-06-28 07:00:05"), None),
            (k, "maelle.petit@example.com", "complaint", at("2024-06-28 19:00:00"), None),
            (k, "agnes.leroy@example.com", "sent", at("2024-06-28 07:00:02"), None),
            (k, "agnes.leroy@example.com", "bounce", at("2024-06-28 07:00:06"), None),
            (k, "lea.roux@example.com", "sent", at("2024-06-28 07:00:07"), None),  # drop
            (k, "lea.roux@example.com", "bounce", at("2024-06-28 07:00:07"), None),  # drop
            (k, "remi.girard@example.com", "sent", at("2024-06-28 07:00:02"), None),
            (k, "remi.girard@example.com", "delivered", at("2024-06-28 07:35:00"), None),  # after a deferral
        ],
    )
    assert_ignored(result, "subject", "from", "user_agent", "url", "originating_ip", "reason", "mx")
    assert_not_stored(con, "Étiquette", "newsletter@boutique.example.com", "iPhone", "10.12.0.4", "550 5.1.1")


def test_sendgrid_activity_api_mail_takes_its_category_as_campaign(con, tmp_path):
    # A transactional message sent through the API has no marketing campaign: its categories name it.
    path = with_extra_rows(
        tmp_path,
        "sendgrid_activity",
        [
            {
                "processed": "2024-06-29 10:00:00.000",
                "message_id": "m1",
                "event": "processed",
                "email": "zoe.martin@example.com",
                "categories": "order_confirmation",
                "template_id": "d-1a2b3c",
            }
        ],
    )
    load(con, path)
    assert rows(con, "select campaign_id, event_type from events where occurred_at >= '2024-06-29'") == [
        ("order_confirmation", "sent")
    ]


SFMC_MORE = {
    # Not Sent → a sent and a bounce at its EventDate (held back before sending: a send not delivered).
    "sfmc_notsent": [
        ("4471203", "CRM-000107", "sent", at("2024-06-24 02:00:12"), None),
        ("4471203", "CRM-000107", "bounce", at("2024-06-24 02:00:12"), None),
        ("4471203", "CRM-000108", "sent", at("2024-06-24 02:00:12"), None),
        ("4471203", "CRM-000108", "bounce", at("2024-06-24 02:00:12"), None),
    ],
    "sfmc_complaints": [("4471203", "CRM-000105", "complaint", at("2024-06-24 14:47:03"), None)],
}


@pytest.mark.parametrize("folder", list(SFMC_MORE))
def test_sfmc_not_sent_and_complaints(con, folder):
    result = load(con, fixture(folder))
    assert result.preset == "sfmc_tracking"
    assert_same_rows(events(con), SFMC_MORE[folder])
    assert_not_stored(con, "@example.com", "Unsubscribed Master")


MAUTIC_CONTACTS = {"collection_source": "in_store", "consent": "none", "collected_at": "2024-06-01"}


def test_mautic_do_not_contact_with_the_contact_export(con):
    # The do-not-contact table names people by lead id only; the contact export in the same batch gives each
    # lead id's address.
    options = [ingest.Options(constants=MAUTIC_CONTACTS), ingest.Options()]
    results = ingest.ingest_files(
        con, [fixture("mautic_contacts"), fixture("mautic_donotcontact")], options=options
    )
    assert [(r.preset, r.table, r.rows_added) for r in results] == [
        ("mautic_contacts", "contacts", 6),
        ("mautic_donotcontact", "oppositions", 3),
    ]
    # reason 1 on email → unsubscribed (Noël 1202, Maëlle 1205 — her "Marked as spam" is a reason 1 too); 3 →
    # manual (Léa 1206); reason 2 (François's bounce) and Hélène's SMS STOP are not email oppositions.
    assert rows(con, "select contact_id, opposed_at, reason from oppositions order by 1") == [
        ("lea.roux@example.com", day("2024-07-02"), "manual"),
        ("maelle.petit@example.com", day("2024-06-28"), "unsubscribed"),
        ("noel.dubois@example.com", day("2024-06-24"), "unsubscribed"),
    ]
    assert_not_stored(con, "User unsubscribed.", "Marked as spam", "STOP")
    # On 2024-07-01 Noël and Maëlle have objected, Léa not yet (her entry is dated 2 July); the others are
    # prospects (consent none, no purchase). On 2024-07-02 Léa has objected too.
    assert statuses(con, "2024-07-01") == {
        "zoe.martin@example.com": "prospect",
        "noel.dubois@example.com": "objected",
        "helene.lefevre@example.com": "prospect",
        "francois.garcon@example.com": "prospect",
        "maelle.petit@example.com": "objected",
        "lea.roux@example.com": "prospect",
    }
    assert statuses(con, "2024-07-02")["lea.roux@example.com"] == "objected"


def test_mautic_do_not_contact_alone_resolves_through_the_ids_loaded_before(con):
    # Refused while no Mautic file has told which address each lead id is — the oppositions would be lost;
    # loads once the contact export is in, in a later batch.
    with pytest.raises(InvalidFile) as raised:
        load(con, fixture("mautic_donotcontact"))
    message = str(raised.value)
    assert "mautic id" in message and "row 2" in message and "load the mautic contact export" in message
    assert rows(con, "select count(*) from oppositions") == [(0,)]
    load(con, fixture("mautic_contacts"), **MAUTIC_CONTACTS)
    assert load(con, fixture("mautic_donotcontact")).rows_added == 3


def test_a_french_agency_report(con):
    path = fixture("generic_campaign_report", "rapport_agence_fr.csv")
    inspection = ingest.inspect(con, path, options=ingest.Options(constants={"basis": "soft_opt_in"}))
    assert (inspection.preset, inspection.encoding, inspection.delimiter) == (
        "generic_campaign_report",
        "cp1252",
        ";",
    )

    result = load(con, path, basis="soft_opt_in")

    # Campagne, Date d'envoi (24/06/2024: day first), Segment, Envoyés, Délivrés, Ouvreurs uniques, Cliqueurs
    # uniques, Désabonnements, Plaintes; "18 420" (a no-break space between thousands) is 18420; the rates
    # (32,39 %) are not kept.
    assert (result.rows_added, result.table) == (3, "campaign_stats")
    soldes, noel = "Soldes d'été — J-3", "Noël en avance"
    assert by_campaign(con, "sent_at, " + COUNTS, key="campaign_id, collection_source") == {
        (soldes, "in_store"): (at("2024-06-24 00:00:00"), 18420, 18226, 5903, 322, 96, 9, None),
        (soldes, "web_checkout"): (at("2024-06-24 00:00:00"), 9610, 9538, 4580, 602, 21, 1, None),
        (noel, "call_center"): (at("2024-11-29 00:00:00"), 2298, 2264, 540, 12, 61, 5, None),
    }
    assert_ignored(result, "Taux d'ouverture", "Taux de clic")


# --- every export that can carry an opposition: the person is objected on the report date ----------------------


def people(con, tmp_path, ids: list[str]) -> None:
    """Canonical contacts for the people of an events export: consent none, a purchase, collected in 2024."""
    path = tmp_path / "people.csv"
    path.write_text(
        "contact_id,collection_source,consent,collected_at\n"
        + "".join(f"{i},web_checkout,none,2024-01-02\n" for i in ids),
        encoding="utf-8",
    )
    orders = tmp_path / "orders.csv"
    orders.write_text("contact_id,order_date\n" + "".join(f"{i},2024-01-02\n" for i in ids), encoding="utf-8")
    ingest.ingest_files(con, [path, orders])


OPPOSITIONS = [
    # (fixture, constants, the people who objected by the report date 2024-12-31, by hand from the fixture)
    ("mailchimp_unsubscribed", {"collection_source": "x"}, {p[0] for p in UNSUBSCRIBED}),
    ("klaviyo_profiles", {}, {"camille.bernard@example.com", "maelle.petit@example.com"}),  # UNSUBSCRIBED
    (
        "brevo_contacts",
        {},
        {"camille.bernard@example.com", "maelle.petit@example.com"},
    ),  # EMAIL_BLACKLISTED Yes
    ("brevo_events", {}, {"noel.dubois@example.com", "maelle.petit@example.com"}),  # unsubscribe, spam
    (
        "sendgrid_events",
        {},
        {"noel.dubois@example.com", "maelle.petit@example.com"},
    ),  # group_unsub, spamreport
    ("sendgrid_activity", {}, {"noel.dubois@example.com", "maelle.petit@example.com"}),  # same
    ("mailjet_events", {}, {"noel.dubois@example.com", "maelle.petit@example.com"}),  # unsub, spam
    ("sfmc_unsubs", {}, {"CRM-000101", "CRM-000102", "CRM-000103", "CRM-000104", "CRM-000105"}),
    ("sfmc_complaints", {}, {"CRM-000105"}),
]


@pytest.mark.parametrize(("folder", "constants", "objected"), OPPOSITIONS, ids=[o[0] for o in OPPOSITIONS])
def test_every_opposition_an_export_carries_ends_objected(con, tmp_path, folder, constants, objected):
    path = fixture(folder)
    header = next(
        csv.reader(
            io.StringIO(path.read_text(encoding="utf-8")), delimiter=";" if "brevo_c" in folder else ","
        )
    )
    if ingest.inspect(con, path, options=ingest.Options(constants=constants)).table == "events":
        ids_column = "SubscriberKey" if "SubscriberKey" in header else "email"
        with open(path, newline="", encoding="utf-8") as handle:
            ids = sorted(
                {
                    row[ids_column].lower() if "@" in row[ids_column] else row[ids_column]
                    for row in csv.DictReader(handle)
                }
            )
        people(con, tmp_path, ids)
    load(con, path, **constants)
    found = statuses(con, "2024-12-31")
    assert {person for person, status in found.items() if status == "objected"} == objected


# --- adding a preset: one Preset(...) in analytics/ingest/platforms.py, and its fixture -------------------------

ROOT = Path(__file__).parents[1]


def _fixture_folders(preset) -> list[Path]:
    """The fixture folders a preset names as its source (SFMC's seven data-extract files: one glob)."""
    return sorted(source.parent for source in ROOT.glob(preset.source))


@pytest.mark.parametrize("preset", BUILT_IN, ids=lambda preset: preset.name)
def test_every_built_in_preset_has_a_real_format_export_it_recognises(con, preset):
    # A new preset is one Preset(...) entry; this test then asks for its evidence: a folder under
    # tests/fixtures/presets/ with SOURCE.md (where the header comes from) and an export in the platform's own
    # format, which inspect() recognises as this preset from its header and file name alone.
    folders = _fixture_folders(preset)
    assert folders, f"{preset.name}: no fixture folder matches its source {preset.source}"
    for folder in folders:
        assert (folder / "SOURCE.md").is_file()
        exports = sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".gz", ".zip"))
        assert exports, f"{folder.name}: no export"
        assert ingest.inspect(con, exports[0]).preset == preset.name, exports[0]


def test_every_fixture_folder_is_the_evidence_of_a_built_in_preset():
    claimed = {folder for preset in BUILT_IN for folder in _fixture_folders(preset)}
    folders = {p for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders - claimed == set()
