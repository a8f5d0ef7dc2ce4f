"""Tiny canonical data sets stated inline: each test names only the rows and columns it cares about.

The builder writes real CSV files and loads them through the product's ingest, so every test also exercises
the path a marketer's upload takes.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from analytics import ingest, store
from analytics.report import cohorts as report
from analytics.settings import DEFAULTS, Settings
from analytics.tables import TABLES


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class DataBuilder:
    """Collects canonical rows, then writes one CSV per table and ingests them into a fresh database."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}

    def contact(
        self,
        contact_id: str,
        source: str = "web",
        consent: str = "none",
        collected_at: str = "2024-01-01",
        **optional: Any,
    ) -> DataBuilder:
        self.rows["contacts"].append(
            {
                "contact_id": contact_id,
                "collection_source": source,
                "consent": consent,
                "collected_at": collected_at,
                **optional,
            }
        )
        return self

    def order(self, contact_id: str, order_date: str, **optional: Any) -> DataBuilder:
        self.rows["orders"].append({"contact_id": contact_id, "order_date": order_date, **optional})
        return self

    def campaign(
        self, campaign_id: str, sent_at: str, email_type: str | None = "promo", **optional: Any
    ) -> DataBuilder:
        self.rows["campaigns"].append(
            {"campaign_id": campaign_id, "sent_at": sent_at, "email_type": email_type, **optional}
        )
        return self

    def event(
        self,
        campaign_id: str,
        contact_id: str,
        event_type: str,
        occurred_at: str,
        is_machine_open: bool | None = None,
    ) -> DataBuilder:
        self.rows["events"].append(
            {
                "campaign_id": campaign_id,
                "contact_id": contact_id,
                "event_type": event_type,
                "occurred_at": occurred_at,
                "is_machine_open": is_machine_open,
            }
        )
        return self

    def send(
        self,
        campaign_id: str,
        contact_id: str,
        at: str,
        *,
        delivered: bool = True,
        opens: int = 0,
        machine_opens: int = 0,
        clicks: int = 0,
        unsubscribe: bool = False,
        complaint: bool = False,
        react_at: str | None = None,
    ) -> DataBuilder:
        """A send with its events: `sent`, then `delivered` (or `bounce`), then the reactions."""
        later = react_at or at
        self.event(campaign_id, contact_id, "sent", at)
        self.event(campaign_id, contact_id, "delivered" if delivered else "bounce", at)
        for _ in range(opens):
            self.event(campaign_id, contact_id, "open", later, False)
        for _ in range(machine_opens):
            self.event(campaign_id, contact_id, "open", later, True)
        for i in range(clicks):
            # distinct timestamps, so five clicks stay five rows after de-duplication
            self.event(campaign_id, contact_id, "click", f"{later[:10]}T10:{i:02d}:00")
        if unsubscribe:
            self.event(campaign_id, contact_id, "unsubscribe", later)
        if complaint:
            self.event(campaign_id, contact_id, "complaint", later)
        return self

    def source(self, collection_source: str, **optional: Any) -> DataBuilder:
        self.rows["sources"].append({"collection_source": collection_source, **optional})
        return self

    def stats(
        self,
        campaign_id: str,
        sent_at: str,
        source: str,
        basis: str,
        delivered: int,
        openers: int = 0,
        clickers: int = 0,
        unsubscribers: int = 0,
        complainers: int = 0,
        **optional: Any,
    ) -> DataBuilder:
        self.rows["campaign_stats"].append(
            {
                "campaign_id": campaign_id,
                "sent_at": sent_at,
                "collection_source": source,
                "basis": basis,
                "delivered": delivered,
                "openers": openers,
                "clickers": clickers,
                "unsubscribers": unsubscribers,
                "complainers": complainers,
                **optional,
            }
        )
        return self

    def write(self) -> list[Path]:
        """One CSV per non-empty table, with every canonical column."""
        paths = []
        for name, rows in self.rows.items():
            if not rows:
                continue
            path = self.folder / f"{name}.csv"
            with open(path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                columns = TABLES[name].column_names
                writer.writerow(columns)
                for row in rows:
                    writer.writerow([_text(row.get(c)) for c in columns])
            paths.append(path)
        return paths

    def load(self) -> duckdb.DuckDBPyConnection:
        con = store.connect(self.folder / "test.duckdb")
        paths = self.write()
        if paths:
            ingest.ingest_files(con, paths)
        return con


def build_report(
    con: duckdb.DuckDBPyConnection, as_of: str, settings: Settings = DEFAULTS, **changes: Any
) -> dict[str, Any]:
    return report.build_report(
        con, dt.date.fromisoformat(as_of), settings.replace(**changes) if changes else settings
    )


def cohort(result: dict[str, Any], source: str) -> dict[str, Any]:
    return next(c for c in result["cohorts"] if c["collection_source"] == source)


def send_bases(
    con: duckdb.DuckDBPyConnection, as_of: str, retention_years: int = 3
) -> dict[tuple[str, str], str]:
    """(campaign_id, contact_id) -> legal basis of every send known on as_of (None for service sends)."""
    rows = con.execute(
        # every send known on as_of: a window reaching back before any data (100 years)
        "select campaign_id, contact_id, basis from int_sends($as_of, $years, 36525)",
        {"as_of": dt.date.fromisoformat(as_of), "years": retention_years},
    ).fetchall()
    return {(campaign, contact): basis for campaign, contact, basis in rows}


def statuses(
    con: duckdb.DuckDBPyConnection, as_of: str, retention_years: int = 3, expiring_days: int = 90
) -> dict[str, dict[str, Any]]:
    """contact_id -> its eligibility row on as_of (status, expiring_soon, retention_ends, ...)."""
    cursor = con.execute(
        "select * from int_contact_status($as_of, $years, $days)",
        {"as_of": dt.date.fromisoformat(as_of), "years": retention_years, "days": expiring_days},
    )
    columns = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}


def write_file(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """A file with exactly these characters in this encoding (for the CSV-reading tests)."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path
