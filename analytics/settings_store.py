"""Settings saved in the database, so that every page, every user of a shared dashboard and the CLI report
work from the same thresholds. Only values that differ from the defaults are stored."""

from __future__ import annotations

import datetime as dt

import duckdb

from analytics import store
from analytics.settings import DEFAULTS, Settings, from_mapping


def load(con: duckdb.DuckDBPyConnection) -> Settings:
    """The saved settings over the defaults (a stored value no longer valid is ignored)."""
    stored = dict(con.execute("select name, value from settings").fetchall())
    values = DEFAULTS.as_dict()
    for name, value in stored.items():
        if name in values:
            try:
                values[name] = getattr(from_mapping({name: value}), name)
            except ValueError:
                continue
    return Settings(**values)


def save(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Replace the saved settings with these, in one transaction, and note the change."""
    changed = {k: v for k, v in settings.as_dict().items() if v != DEFAULTS.as_dict()[k]}
    now = dt.datetime.now().replace(microsecond=0)
    con.execute("begin transaction")
    try:
        con.execute("delete from settings")
        for name, value in changed.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            con.execute(
                "insert into settings values ($name, $value, $at)", {"name": name, "value": text, "at": now}
            )
        detail = ", ".join(f"{k}={v}" for k, v in changed.items()) or "all defaults"
        store.record_change(con, "settings", detail)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
