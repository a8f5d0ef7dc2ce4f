"""Pseudonymised contact ids: email addresses become HMAC-SHA-256 pseudonyms on load (the same person, the
same id, every week), the key is never stored, and nothing loads or shows without the right key."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from streamlit.testing.v1 import AppTest

from analytics import ingest, store
from analytics.cli import main
from analytics.errors import UserError
from analytics.store import privacy
from tests.builders import build_report, cohort

KEY = "correct horse battery staple 42"


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv(privacy.ENV_KEY, KEY)


def _week(data, address: str = "Anne.Martin@Brand.fr"):
    # one soft-opt-in client (order 2025-01-10) mailed on 2025-03-03, who clicks
    data.contact(address, source="web").order(address, "2025-01-10")
    data.campaign("k1", "2025-03-03T09:00:00").send("k1", address, "2025-03-03T09:00:00", clicks=1)
    return data.write()


def test_addresses_are_stored_as_hmac_pseudonyms(data, con, keyed):
    privacy.enable(con, KEY.encode())
    ingest.ingest_files(con, _week(data))
    # computed independently with Python's hmac on the lower-cased address
    expected = "hmac:" + hmac.new(KEY.encode(), b"anne.martin@brand.fr", hashlib.sha256).hexdigest()
    assert privacy.pseudonym("Anne.Martin@Brand.fr", KEY.encode()) == expected
    for table in ("contacts", "orders", "events"):
        ids = {r[0] for r in con.execute(f"select distinct contact_id from {table}").fetchall()}
        assert ids == {expected}, table
    # the figures do not depend on the id: one delivered send, one clicker
    web = cohort(build_report(con, "2025-03-09"), "web")
    assert (web["metrics"]["delivered"], web["metrics"]["clickers"]) == (1, 1)
    # the key is nowhere in the database, only its fingerprint
    assert con.execute("select value from privacy").fetchall() == [(privacy.fingerprint(KEY.encode()),)]


def test_the_same_person_keeps_the_same_id_week_after_week(data, con, keyed):
    privacy.enable(con, KEY.encode())
    ingest.ingest_files(con, _week(data, "anne.martin@brand.fr"))
    data.rows = {name: [] for name in data.rows}
    data.contact("ANNE.MARTIN@BRAND.FR", source="web").order("ANNE.MARTIN@BRAND.FR", "2025-03-05")
    ingest.ingest_files(con, data.write())
    assert con.execute("select count(*) from contacts").fetchone()[0] == 1
    assert con.execute("select count(distinct contact_id) from orders").fetchone()[0] == 1


def test_no_key_or_another_key_loads_nothing(data, con, monkeypatch):
    monkeypatch.setenv(privacy.ENV_KEY, KEY)
    privacy.enable(con, KEY.encode())
    files = _week(data)
    monkeypatch.delenv(privacy.ENV_KEY)
    with pytest.raises(UserError, match="needs its secret key"):
        ingest.ingest_files(con, files)
    monkeypatch.setenv(privacy.ENV_KEY, "another key of enough length")
    with pytest.raises(UserError, match="not the key this database was pseudonymised with"):
        ingest.ingest_files(con, files)
    assert con.execute("select count(*) from contacts").fetchone()[0] == 0


def test_it_must_be_on_before_the_first_load_and_needs_a_real_key(data, con):
    with pytest.raises(UserError, match="at least 16 characters"):
        privacy.enable(con, b"short")
    ingest.ingest_files(con, _week(data))
    # 1 contact + 1 order + 3 events (sent, delivered, click)
    with pytest.raises(UserError, match="already holds 5 rows with contact ids in clear"):
        privacy.enable(con, KEY.encode())
    # without pseudonymisation the address is kept, lower-cased
    assert con.execute("select contact_id from contacts").fetchall() == [("anne.martin@brand.fr",)]


def test_the_address_never_reaches_the_file(data, tmp_path, keyed):
    address = "zq.pseudonym.check.7731@example.org"
    clear, hidden = tmp_path / "clear.duckdb", tmp_path / "hidden.duckdb"
    files = _week(data, address)
    for path, pseudonymise in ((clear, False), (hidden, True)):
        con = store.connect(path)
        if pseudonymise:
            privacy.enable(con, KEY.encode())
        ingest.ingest_files(con, files)
        con.execute("checkpoint")
        con.close()
    # the control: without pseudonymisation the address is in the file's bytes…
    assert address.encode() in clear.read_bytes()
    # …with it, neither the address nor the key is
    assert address.encode() not in hidden.read_bytes()
    assert KEY.encode() not in hidden.read_bytes()


def test_the_cli_turns_it_on_and_then_loads_pseudonyms(data, tmp_path, keyed, capsys):
    db = str(tmp_path / "cli.duckdb")
    assert main(["pseudonymise", "--db", db]) == 0
    assert main(["ingest", "--db", db, *map(str, _week(data))]) == 0
    con = store.connect(db)
    assert con.execute("select contact_id like 'hmac:%' from contacts").fetchone() == (True,)
    con.close()


def test_the_dashboard_refuses_to_start_without_the_key(tmp_path, monkeypatch):
    db = tmp_path / "dash.duckdb"
    monkeypatch.setenv(privacy.ENV_KEY, KEY)
    con = store.connect(db)
    privacy.enable(con, KEY.encode())
    con.close()
    monkeypatch.delenv(privacy.ENV_KEY)
    monkeypatch.setenv(store.ENV_DB_PATH, str(db))
    app = AppTest.from_file(str(store.PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    assert any("needs its secret key" in e.value for e in app.error)
    assert len(app.dataframe) == 0 and len(app.metric) == 0
