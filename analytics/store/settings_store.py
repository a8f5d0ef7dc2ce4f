"""Settings saved in the database, so that every page, every user of a shared dashboard and the CLI report
work from the same thresholds. Only values that differ from the defaults are stored."""

from __future__ import annotations

import datetime as dt

import duckdb

from analytics.errors import UserError
from analytics.settings import DEFAULTS, Settings, from_mapping
from analytics.store import sql
from analytics.store.transaction import transaction


def parse(rows: list[tuple[str, str]]) -> Settings:
    """The settings that stored (name, value) rows make over the defaults; ValueError naming every problem (an
    unknown name, a value out of range or NaN, settings that contradict each other): a report is never made with
    thresholds nobody chose. restore_check judges a backup's rows with it too."""
    return from_mapping({**DEFAULTS.as_dict(), **dict(rows)})


def load(con: duckdb.DuckDBPyConnection) -> Settings:
    """The saved settings over the defaults; UserError when the saved ones are not valid."""
    try:
        return parse(con.execute("select name, value from settings order by name").fetchall())
    except ValueError as error:
        raise UserError(
            f"The saved settings are not valid ({error}), so nothing is computed with them. Save valid settings "
            "on the Settings page (or Restore the defaults there)."
        ) from None


def save(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Replace the saved settings with these, in one transaction, and note the change."""
    changed = {k: v for k, v in settings.as_dict().items() if v != DEFAULTS.as_dict()[k]}
    now = dt.datetime.now().replace(microsecond=0)
    with transaction(con):
        con.execute("delete from settings")
        for name, value in changed.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            con.execute(
                "insert into settings values ($name, $value, $at)", {"name": name, "value": text, "at": now}
            )
        detail = ", ".join(f"{k}={v}" for k, v in changed.items()) or "all defaults"
        sql.record_change(con, "settings", detail)
