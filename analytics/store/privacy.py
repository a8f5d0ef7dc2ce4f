"""Pseudonymised contact ids: with this on, an email address never reaches the database file. Each one is
replaced on load by 'hmac:' + HMAC-SHA-256(secret key, address in lower case), so the same person keeps the
same id every week while the file alone cannot tell who they are.

The key comes from $OPTOUT_COHORTS_PSEUDONYM_KEY (the dashboard also reads it from its secrets) and is never
stored: the database keeps only a fingerprint, to refuse a load (or the dashboard's start) with a missing or
different key. The HMAC itself runs in DuckDB (macro oc_contact_id) with the key's pads held in the loading
connection's variables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os

import duckdb

from analytics.errors import UserError
from analytics.store import sql
from analytics.store.transaction import transaction

ENV_KEY = "OPTOUT_COHORTS_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16
_CHECK = b"optout-cohorts pseudonym key check"
_BLOCK = 64  # SHA-256's block size


def current_key() -> bytes | None:
    text = os.environ.get(ENV_KEY)
    return text.encode("utf-8") if text else None


def pseudonym(address: str, key: bytes) -> str:
    """The id an email address gets (the same HMAC the SQL macro computes): to find a person's rows."""
    return "hmac:" + hmac.new(key, address.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()


def fingerprint(key: bytes) -> str:
    return hmac.new(key, _CHECK, hashlib.sha256).hexdigest()


def _stored_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("select value from privacy where name = 'pseudonymise'").fetchone()
    return row[0] if row else None


def enabled(con: duckdb.DuckDBPyConnection) -> bool:
    return _stored_fingerprint(con) is not None


def enable(con: duckdb.DuckDBPyConnection, key: bytes | None) -> None:
    """Turn pseudonymisation on for this database, which must not hold contact data yet."""
    if not key or len(key) < MIN_KEY_LENGTH:
        raise UserError(
            f"Set {ENV_KEY} to a secret of at least {MIN_KEY_LENGTH} characters (e.g. the output of "
            "`openssl rand -hex 32`), keep it in your secrets manager, then try again."
        )
    if enabled(con):
        check_key(con, key)
        return
    held = con.execute(
        "select (select count(*) from contacts) + (select count(*) from orders) + (select count(*) from events)"
    ).fetchone()[0]
    if held:
        raise UserError(
            f"This database already holds {held:,} rows with contact ids in clear. Pseudonymisation must be "
            "on before the first load: create a new database (--db), turn it on there, and load the files again."
        )
    with transaction(con):
        con.execute(
            "insert into privacy values ('pseudonymise', $value, $at)",
            {"value": fingerprint(key), "at": dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)},
        )
        sql.record_change(con, "privacy", "email ids pseudonymised with HMAC-SHA-256 from now on")


def check_key(con: duckdb.DuckDBPyConnection, key: bytes | None) -> None:
    """Refuse a pseudonymised database without its key, or with another key."""
    stored = _stored_fingerprint(con)
    if stored is None:
        return
    if not key:
        raise UserError(
            f"This database pseudonymises email addresses and needs its secret key: set {ENV_KEY} (or "
            "`pseudonym_key` in the dashboard's secrets) to the key used so far. Nothing is shown or loaded "
            "without it."
        )
    if not hmac.compare_digest(fingerprint(key), stored):
        raise UserError(
            f"{ENV_KEY} is not the key this database was pseudonymised with: the same person would get a "
            "different id. Set the key used so far."
        )


def prepare_load(con: duckdb.DuckDBPyConnection) -> None:
    """Before a load on this connection: when the database pseudonymises, check the key and give the SQL
    macros its pads; otherwise make sure none are set."""
    key = current_key() if enabled(con) else None
    check_key(con, key)
    if key is None:
        con.execute("reset variable oc_pseudonym_ipad")
        con.execute("reset variable oc_pseudonym_opad")
        return
    padded = (hashlib.sha256(key).digest() if len(key) > _BLOCK else key).ljust(_BLOCK, b"\0")
    con.execute("set variable oc_pseudonym_ipad = $pad", {"pad": bytes(b ^ 0x36 for b in padded)})
    con.execute("set variable oc_pseudonym_opad = $pad", {"pad": bytes(b ^ 0x5C for b in padded)})
