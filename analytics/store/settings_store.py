"""Settings saved in the database, so that every page, every user of a shared dashboard and the CLI report
work from the same thresholds. Only values that differ from the defaults are stored; every setting a save
changes is appended to settings_log (name, old value, new value, who, when in UTC): the product only inserts
there, and a reset of the data keeps it, as it keeps the settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class SettingChange:
    """One setting changed by one save."""

    entry_id: int
    changed_at: dt.datetime  # UTC, naive
    name: str
    old_value: str
    new_value: str
    changed_by: str


def _text(value: Any) -> str:
    """A setting's value as stored: true/false for a flag, else as Python writes it (0.7, 4, lawful)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _stored_texts(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every setting's value as saved now (the defaults filled in), as text: readable even when invalid."""
    saved = dict(con.execute("select name, value from settings").fetchall())
    return {name: saved.get(name, _text(value)) for name, value in DEFAULTS.as_dict().items()}


def save(con: duckdb.DuckDBPyConnection, settings: Settings, by: str = "unknown") -> list[SettingChange]:
    """Replace the saved settings with these, in one transaction; log each setting that changes (who: `by`),
    note the change, and return the changes logged (in the settings' order)."""
    by = (by or "").strip() or "unknown"
    changed = {k: v for k, v in settings.as_dict().items() if v != DEFAULTS.as_dict()[k]}
    now = dt.datetime.now().replace(microsecond=0)
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with transaction(con):
        before = _stored_texts(con)
        last = con.execute("select coalesce(max(entry_id), 0) from settings_log").fetchone()[0]
        con.execute("delete from settings")
        for name, value in changed.items():
            con.execute(
                "insert into settings values ($name, $value, $at)",
                {"name": name, "value": _text(value), "at": now},
            )
        for name, value in settings.as_dict().items():
            if before[name] != _text(value):
                con.execute(
                    "insert into settings_log (changed_at, name, old_value, new_value, changed_by) "
                    "values ($at, $name, $old, $new, $by)",
                    {"at": at, "name": name, "old": before[name], "new": _text(value), "by": by},
                )
        detail = ", ".join(f"{k}={v}" for k, v in changed.items()) or "all defaults"
        sql.record_change(con, "settings", detail)
        return [
            change for change in reversed(history(con)) if change.entry_id > last
        ]  # in the settings' order


def history(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[SettingChange]:
    """The settings changes, newest first (the last `limit` when given)."""
    rows = con.execute(
        "select entry_id, changed_at, name, old_value, new_value, changed_by from settings_log "
        "order by entry_id desc limit $limit",
        {"limit": limit if limit is not None else 1 << 62},
    ).fetchall()
    return [SettingChange(*row) for row in rows]
