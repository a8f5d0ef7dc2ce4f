"""Hostile text in names and ids (issue 13, findings 5, 8 and the rejected-rows part of 4).

5: text is normalised on the way in (NFC, invisible characters removed, every kind of whitespace trimmed), so
   one source is one cohort however it was typed; a control character or a bidirectional override in a value
   refuses its row, saying which file, row, column and character; sources that differ only by case or
   look-alike letters are warned about; and no output (terminal, CSV, HTML, dashboard) carries a raw control
   character, even from a database loaded before ingest refused them.
8: a name that looks like a link (a URL, www., an email address, a spreadsheet HYPERLINK formula, an HTML
   <a href>) is never turned into a link by the dashboard's Markdown or by Plotly, and Plotly shows quotes as
   quotes (not &quot;).
4: the rejected-rows file of a pseudonymising database holds no email address in clear.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pandas as pd
import pytest

from analytics import ingest
from analytics.cli import main
from analytics.errors import InvalidFile
from analytics.report import cohorts as report
from analytics.report import export
from analytics.settings import DEFAULTS
from analytics.store import facts, privacy
from dashboard import charts
from dashboard.text import md
from tests.apptest import table
from tests.builders import build_report, cohort

# Any raw control character an output must never hold (C0 but the line feed, DEL, C1, bidi controls).
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
ESC_NAME = "shop\x1b]0;owned\x07\x1b[2J"  # retitles, then clears a terminal
BIDI_NAME = "partner\u202eexe.txt"  # a right-to-left override


def _write(path, header: str, rows: list[str]) -> str:
    path.write_text(header + "\n" + "".join(row + "\n" for row in rows), encoding="utf-8")
    return str(path)


# --- 5: one source, however it was typed ------------------------------------------------------------------

SPELLINGS = [
    "café_popup",  # NFC: é is one character
    "cafe\u0301_popup",  # NFD: e + combining acute accent, as macOS writes it
    "\u200bcafé_popup\u2060",  # zero-width space, word joiner
    "\u00a0café_popup\t",  # a no-break space before, a tab after
]


def test_a_source_typed_four_ways_is_one_cohort_again(data):
    """The issue's example: a source at 62.9% dissatisfaction (stop) was split by invisible differences into
    four insufficient_data cohorts. By hand: 600 soft-opt-in clients (150 per spelling, each with an order
    before the send), one promo delivered to all on 2025-03-03; 13 click and 22 unsubscribe: dissatisfaction
    22 / (13 + 22) = 62.9% > 40%, delivered 600 >= 500, reactions 35 >= 30 → stop. Each spelling alone had
    150 delivered < 500 → insufficient_data."""
    data.campaign("k1", "2025-03-03T09:00:00")
    for i in range(600):
        contact = f"c{i:03d}"
        data.contact(contact, source=SPELLINGS[i % 4]).order(contact, "2025-01-10")
        data.send("k1", contact, "2025-03-03T09:00:00", clicks=1 if i < 13 else 0, unsubscribe=13 <= i < 35)
    con = data.load()
    result = build_report(con, "2025-03-09")
    assert [c["collection_source"] for c in result["cohorts"]] == ["café_popup"]
    popup = cohort(result, "café_popup")
    assert popup["metrics"]["delivered"] == 600
    assert (popup["metrics"]["clickers"], popup["metrics"]["unsubscribers"]) == (13, 22)
    assert popup["metrics"]["dissatisfaction_rate"] == pytest.approx(22 / 35)  # 62.9%
    assert popup["recommendation"]["action"] == "stop"
    # on the report date the 22 who unsubscribed have objected: 600 - 22 = 578 remain soft opt-in
    assert (popup["eligibility"]["soft_opt_in"], popup["eligibility"]["objected"]) == (578, 22)


def test_ids_and_text_are_normalised_on_the_way_in(tmp_path, con):
    """Contact ids and campaign ids go through the same normalisation: an id typed with a zero-width space, a
    no-break space or a trailing tab is the same id; an email address is compared in lower case; free text
    keeps a line break inside but loses the spaces around it."""
    paths = [
        _write(
            tmp_path / "contacts.csv",
            "contact_id,collection_source,consent,collected_at",
            ["Zoe@Example.fr\u200b,web,none,2025-01-01", "c2\t,web,none,2025-01-01"],
        ),
        _write(
            tmp_path / "campaigns.csv",
            "campaign_id,sent_at,name,email_type",
            ['\u00a0k1\u200d,2025-03-03,"  Spring\nsale\t ",promo'],
        ),
        _write(
            tmp_path / "events.csv",
            "campaign_id,contact_id,event_type,occurred_at",
            ["k1,\ufeffzoe@example.fr,sent,2025-03-03", "k1\u2060,c2,sent,2025-03-03"],
        ),
    ]
    ingest.ingest_files(con, paths)
    assert sorted(con.execute("select contact_id from contacts").fetchall()) == [("c2",), ("zoe@example.fr",)]
    assert con.execute("select campaign_id, name from campaigns").fetchall() == [("k1", "Spring\nsale")]
    assert sorted(con.execute("select campaign_id, contact_id from events").fetchall()) == [
        ("k1", "c2"),
        ("k1", "zoe@example.fr"),
    ]


# --- 5: control characters are refused, row by row ----------------------------------------------------------


def test_a_control_character_refuses_the_row_naming_file_row_column_and_character(tmp_path, con):
    path = _write(
        tmp_path / "contacts.csv",
        "contact_id,collection_source,consent,collected_at",
        [
            "c1,web,none,2025-01-01",
            f'c2,"{ESC_NAME}",none,2025-01-01',  # row 3
            f"c3,{BIDI_NAME},none,2025-01-01",  # row 4
            'c4,"in\tstore",none,2025-01-01',  # row 5: a tab inside a source name
            "c5\x00,web,none,2025-01-01",  # row 6: NUL in an id
        ],
    )
    with pytest.raises(InvalidFile) as refused:
        ingest.ingest_files(con, [path])
    message = str(refused.value)
    assert message.startswith("contacts.csv was not loaded as contacts; nothing from it was written:")
    [contact, source] = refused.value.problems  # in the order of the columns
    assert source.column == "collection_source" and source.rows == [3, 4, 5] and source.count == 3
    assert source.message == (
        "contains a control character (U+001B ESC, U+202E right-to-left override, U+0009 tab)"
    )
    assert source.fix.startswith("remove it: ")
    assert contact.column == "contact_id" and contact.rows == [6]
    assert contact.message == "contains a control character (U+0000 NUL)"
    # the values are shown with visible escapes, never raw
    assert "row 3 ('shop\\x1b]0;owned\\x07\\x1b[2J')" in message
    assert "row 4 ('partner\\u202eexe.txt')" in message
    assert not RAW_CONTROL.search(message.replace("\n", ""))
    assert con.execute("select count(*) from contacts").fetchone()[0] == 0


def test_free_text_may_hold_line_breaks_but_not_other_controls(tmp_path, con):
    ok = _write(
        tmp_path / "campaigns.csv", "campaign_id,sent_at,name", ['k1,2025-03-03,"Spring\r\nsale\tnow"']
    )
    ingest.ingest_files(con, [ok])
    assert con.execute("select name from campaigns").fetchone()[0] == "Spring\r\nsale\tnow"
    bad = _write(tmp_path / "campaigns2.csv", "campaign_id,sent_at,name", ["k2,2025-03-03,Sale\x1b[31m red"])
    with pytest.raises(InvalidFile) as refused:
        ingest.ingest_files(con, [bad])
    [problem] = refused.value.problems
    assert (problem.column, problem.rows, problem.message) == (
        "name",
        [2],
        "contains a control character (U+001B ESC)",
    )


def test_rows_set_aside_say_which_character_and_show_it_escaped(tmp_path, con):
    path = _write(
        tmp_path / "contacts.csv",
        "contact_id,collection_source,consent,collected_at",
        ["c1,web,none,2025-01-01", f'c2,"{ESC_NAME}",none,2025-01-01', f"c3,{BIDI_NAME},none,2025-01-01"],
    )
    [result] = ingest.ingest_files(
        con, [path], options=ingest.Options(on_invalid="skip"), rejects_dir=tmp_path
    )
    assert (result.rows_added, result.rows_rejected) == (1, 2)
    text = result.rejects_csv.read_text(encoding="utf-8")
    assert not RAW_CONTROL.search(text.replace("\r\n", "\n")), repr(text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["row"], r["problem"], r["collection_source"]) for r in rows] == [
        ("3", "collection_source contains a control character (U+001B)", "shop\\x1b]0;owned\\x07\\x1b[2J"),
        ("4", "collection_source contains a control character (U+202E)", "partner\\u202eexe.txt"),
    ]


# --- 5: case and look-alike variants are warned about --------------------------------------------------------


def test_sources_differing_only_by_case_or_look_alike_letters_are_warned(data, tmp_path, capsys):
    # web_checkout, Web_Checkout and web_checkоut (Cyrillic о, U+043E) are three cohorts to the database and
    # one to the eye; in_store and instore are two real sources and no warning
    data.campaign("k1", "2025-03-03T09:00:00")
    for i, source in enumerate(["web_checkout", "Web_Checkout", "web_check\u043eut", "in_store", "instore"]):
        data.contact(f"c{i}", source=source).order(f"c{i}", "2025-01-10")
        data.send("k1", f"c{i}", "2025-03-03T09:00:00", clicks=1)
    con = data.load()
    warnings = [w for w in report.data_quality(con, dt.date(2025, 3, 9)) if "look-alike" in w]
    assert warnings == [
        "The sources 'Web_Checkout', 'web_checkout' and 'web_checkоut' differ only by case or look-alike "
        "characters (о is U+043E cyrillic small letter o): they count as 3 separate cohorts, each with a part "
        "of the sends. Write the source the same way in every file, then load the contacts again: each "
        "contact's row is updated to the source written (campaign-stats rows already loaded keep theirs: empty "
        "the database on the Data page and load every file again)."
    ]
    # the CLI says so on stderr
    path = con.execute("select path from duckdb_databases() where database_name = current_database()")
    db = path.fetchone()[0]
    con.close()
    assert main(["report", "--db", db, "--as-of", "2025-03-09"]) == 0
    assert "warning: The sources 'Web_Checkout', 'web_checkout' and 'web_checkоut'" in capsys.readouterr().err


def test_the_look_alike_skeleton():
    # Greek and Cyrillic capitals and small letters, fullwidth forms, invisible characters, case
    assert (
        report.skeleton("PAYPAL") == report.skeleton("Ρаураl") == report.skeleton("ｐａｙｐａｌ") == "paypal"
    )
    assert report.skeleton("in\u200b_store") == "in_store"
    assert report.skeleton("in_store") != report.skeleton("instore")
    assert report.look_alike_sources(["a", "b"]) == []


# --- 5: no raw control character in any output, even from an old database ---------------------------------


@pytest.fixture
def old_database(data, tmp_path):
    """A database loaded before ingest refused control characters: source names holding an ESC sequence and a
    right-to-left override, written straight into the table. One soft-opt-in client each, mailed on
    2025-03-03 (a Monday), who clicks."""
    data.campaign("k1", "2025-03-03T09:00:00")
    for i, source in enumerate(["shop", "partner"]):
        data.contact(f"c{i}", source=source).order(f"c{i}", "2025-01-10")
        data.send("k1", f"c{i}", "2025-03-03T09:00:00", clicks=1)
    con = data.load()
    con.execute(
        "update contacts set collection_source = $name where collection_source = 'shop'", {"name": ESC_NAME}
    )
    con.execute(
        "update contacts set collection_source = $name where collection_source = 'partner'",
        {"name": BIDI_NAME},
    )
    facts.rebuild(con)  # as the load that wrote them did
    db = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    return db


@pytest.mark.parametrize("fmt", ["json", "csv", "html"])
def test_report_never_prints_a_raw_control_character(old_database, capsys, fmt):
    assert main(["report", "--db", old_database, "--as-of", "2025-03-09", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert not RAW_CONTROL.search(out), repr(RAW_CONTROL.search(out))
    if fmt == "json":  # still valid JSON, with the names exactly as stored
        sources = {c["collection_source"] for c in json.loads(out)["cohorts"]}
        assert sources == {ESC_NAME, BIDI_NAME}
    else:  # the names shown with visible escapes
        assert "shop\\x1b]0;owned\\x07\\x1b[2J" in out and "partner\\u202eexe.txt" in out


def test_digest_never_prints_a_raw_control_character(old_database, capsys):
    assert main(["digest", "--db", old_database, "--as-of", "2025-03-09"]) == 0
    out = capsys.readouterr().out
    assert not RAW_CONTROL.search(out), repr(out)
    assert "- shop\\x1b]0;owned\\x07\\x1b[2J: " in out and "- partner\\u202eexe.txt: " in out


def test_csv_cells_and_the_sql_export_escape_control_characters(con):
    assert export.safe_cell(ESC_NAME) == "shop\\x1b]0;owned\\x07\\x1b[2J"
    assert export.safe_cell("=1\u202e") == "'=1\\u202e"
    assert export.safe_cell("two\nlines\tkept") == "two\nlines\tkept"  # a CSV cell holds them, quoted
    assert (
        con.execute("select oc_safe_cell($x)", {"x": ESC_NAME}).fetchone()[0]
        == "shop\\x1b]0;owned\\x07\\x1b[2J"
    )
    assert con.execute("select oc_safe_cell($x)", {"x": "@\x00\u2066"}).fetchone()[0] == "'@\\x00\\u2066"


# --- 8: nothing from the data becomes a link ----------------------------------------------------------------

# The autolink literals of remark-gfm (mdast-util-gfm-autolink-literal), as Streamlit 1.67's Markdown bundle
# has them: they run on the text once Markdown escapes are read, which is why escaping alone did not help.
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"(?:(?<=^)|(?<=[\s\W]))([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
LINKY = [
    '=HYPERLINK("https://evil.example","x")',
    "https://evil.example",
    "HTTP://EVIL.EXAMPLE/path",
    "www.evil.example",
    "buy at www.evil.example now",
    "zoe@evil.example",
    "mailto:zoe@evil.example",
]


def _markdown_text(markdown: str) -> str:
    """The text node Markdown makes of md()'s output: backslash escapes read."""
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.mark.parametrize("name", LINKY)
def test_md_leaves_no_autolink_literal_and_shows_the_same_text(name):
    text = _markdown_text(md(name))
    assert not GFM_URL.search(text) and not GFM_EMAIL.search(text), text
    assert text.replace("\u2060", "") == name  # what is shown is the name, to the character


def test_source_detail_shows_a_link_like_source_as_text(data, open_app):
    name = '=HYPERLINK("https://evil.example","x")'
    con = (
        data.contact("c1", source=name)
        .order("c1", "2025-01-10")
        .campaign("k1", "2025-03-01T09:00:00")
        .send("k1", "c1", "2025-03-01T09:00:00", clicks=1)
        .load()
    )
    db = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    con.close()
    app = open_app(db)
    assert name in list(table(app)["Source"])
    [detail] = [m.value for m in app.markdown if "recommended action" in m.value]
    text = _markdown_text(detail)
    assert name in text.replace("\u2060", "")
    assert not GFM_URL.search(text) and not GFM_EMAIL.search(text), detail


def test_plotly_labels_are_neither_markup_nor_double_escaped():
    name = 'say "hi" <a href="https://evil.example">x</a> & <b>bold</b>'
    shown = charts.safe(name)
    assert "<" not in shown and ">" not in shown  # Plotly finds no tag: no link, no bold
    assert "&quot;" not in shown and '"hi"' in shown  # Plotly does not read &quot; back: quotes stay quotes
    assert shown == 'say "hi" &lt;a href="https://evil.example"&gt;x&lt;/a&gt; &amp; &lt;b&gt;bold&lt;/b&gt;'
    assert charts.safe(ESC_NAME) == "shop\\x1b]0;owned\\x07\\x1b[2J"
    frame = pd.DataFrame(
        [{"collection_source": name, "dissatisfaction_rate": 0.5, "action": "stop"}],
    )
    figure = charts.figure_dissatisfaction_by_source(frame, DEFAULTS)
    assert list(figure.data[0].y) == [shown]  # horizontal bars: the names on the y axis


# --- 4: the rejected rows of a pseudonymising database ------------------------------------------------------

KEY = "correct horse battery staple 42"


def test_rejected_rows_hold_pseudonyms_not_addresses(tmp_path, con, monkeypatch):
    monkeypatch.setenv(privacy.ENV_KEY, KEY)
    privacy.enable(con, KEY.encode())
    path = _write(
        tmp_path / "contacts.csv",
        "contact_id,collection_source,consent,collected_at",
        [
            "ok@brand.fr,web,none,2025-01-01",
            "Anne.Martin@Brand.fr,web,maybe,2025-01-01",  # row 3: consent not in the vocabulary
            "zoe@brand.fr,referral from bob@friend.org,none,someday",  # row 4: a bad date, an address in text
            "x42,leo@brand.fr,none,someday",  # row 5: an id that is no address; an address as the source
        ],
    )
    [result] = ingest.ingest_files(
        con, [path], options=ingest.Options(on_invalid="skip"), rejects_dir=tmp_path
    )
    assert result.rows_rejected == 3
    text = result.rejects_csv.read_text(encoding="utf-8")
    assert "@" not in text, text
    rows = list(csv.DictReader(io.StringIO(text)))
    key = KEY.encode()
    assert [(r["row"], r["contact_id"], r["collection_source"]) for r in rows] == [
        ("3", privacy.pseudonym("Anne.Martin@Brand.fr", key), "web"),
        ("4", privacy.pseudonym("zoe@brand.fr", key), "referral from [address hidden]"),
        ("5", "x42", privacy.pseudonym("leo@brand.fr", key)),
    ]
    # the same id the database gives the person: the rows can be found and corrected
    assert con.execute("select contact_id from contacts").fetchone()[0] == privacy.pseudonym(
        "ok@brand.fr", key
    )


def test_rejected_rows_keep_addresses_where_the_database_does(tmp_path, con):
    path = _write(
        tmp_path / "contacts.csv",
        "contact_id,collection_source,consent,collected_at",
        ["ok@brand.fr,web,none,2025-01-01", "Anne@Brand.fr,web,maybe,2025-01-01"],
    )
    [result] = ingest.ingest_files(
        con, [path], options=ingest.Options(on_invalid="skip"), rejects_dir=tmp_path
    )
    rows = list(csv.DictReader(io.StringIO(result.rejects_csv.read_text(encoding="utf-8"))))
    # the database is not pseudonymised: it holds ids in clear, so does the file (as written)
    assert [(r["row"], r["contact_id"]) for r in rows] == [("3", "Anne@Brand.fr")]


def test_ingest_messages_escape_control_characters(tmp_path, con, capsys):
    # a column the product does not keep, named with an ESC sequence: listed with a visible escape
    path = _write(
        tmp_path / "contacts.csv",
        'contact_id,collection_source,consent,collected_at,"note\x1b[2J"',
        ["c1,web,none,2025-01-01,x"],
    )
    [result] = ingest.ingest_files(con, [path])
    assert "columns not kept: note\\x1b[2J" in result.describe()
    # a user error of the CLI (here a file name) reaches the terminal escaped too
    assert (
        main(["ingest", "--db", str(tmp_path / "cli.duckdb"), str(tmp_path / "gone\x1b]0;owned\x07.csv")])
        == 2
    )
    err = capsys.readouterr().err
    assert "gone\\x1b]0;owned\\x07.csv" in err and not RAW_CONTROL.search(err.replace("\n", ""))
