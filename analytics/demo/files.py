"""The demo's CSV files, with reproducible bytes: `generate` is a pure function of (seed, scale)."""

from __future__ import annotations

import gzip
import pathlib
import random

from analytics.demo.brand import SOURCES_REGISTRY
from analytics.demo.campaigns import schedule
from analytics.demo.people import Retention, add_opt_outs, make_contacts, make_orders
from analytics.demo.sending import Mailer, campaign_stats
from analytics.tables import TABLES

# The files, in the order `generate` returns them, each with the columns of its canonical table.
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    name: TABLES[name].column_names
    for name in ("contacts", "orders", "campaigns", "events", "sources", "campaign_stats")
}


def _field(value: str) -> str:
    if any(ch in value for ch in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


class _GzCsv:
    """A gzip CSV writer with reproducible bytes (no file name, mtime 0, `\\n` line ends)."""

    def __init__(self, path: pathlib.Path, columns: tuple[str, ...]) -> None:
        self._raw = path.open("wb")
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=9)
        self.write([",".join(columns)])

    def write(self, lines: list[str]) -> None:
        if lines:
            self._gz.write(("\n".join(lines) + "\n").encode("utf-8"))

    def rows(self, rows) -> None:
        self.write([",".join(_field(value) for value in row) for row in rows])

    def __enter__(self) -> _GzCsv:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._gz.close()
        self._raw.close()


def generate(out_dir: pathlib.Path, seed: int = 20261122, scale: float = 1.0) -> list[pathlib.Path]:
    """Write contacts.csv.gz, orders.csv.gz, campaigns.csv.gz, events.csv.gz, sources.csv.gz,
    campaign_stats.csv.gz into out_dir; return their paths in that (load) order.

    The output is a pure function of (seed, scale); scale multiplies contacts and events (scale 1: about
    15 k contacts, 380 k events and 2 MB of gzip; scale 4: 1.5 M events).
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {table: out_dir / f"{table}.csv.gz" for table in CSV_COLUMNS}
    rng = random.Random(seed)
    contacts = make_contacts(rng, scale)
    add_opt_outs(rng, contacts, Retention())
    orders = make_orders(rng, contacts)
    campaigns = schedule()
    with _GzCsv(paths["events"], CSV_COLUMNS["events"]) as events:
        mailer = Mailer(rng, contacts, scale, events.write)
        mailer.run(campaigns)
    days = mailer.stamp.days
    with _GzCsv(paths["contacts"], CSV_COLUMNS["contacts"]) as out:
        out.rows(
            (
                c.cid,
                c.source,
                c.consent,
                days[c.collected],
                c.informed,
                "" if c.opted_out is None else days[c.opted_out],
                c.loyalty,
            )
            for c in contacts
        )
    with _GzCsv(paths["orders"], CSV_COLUMNS["orders"]) as out:
        out.rows((cid, days[day], amount, category) for day, cid, amount, category in orders)
    with _GzCsv(paths["campaigns"], CSV_COLUMNS["campaigns"]) as out:
        out.rows((c.campaign_id, mailer.stamp(c.sent), c.name, c.email_type) for c in campaigns if c.listed)
    with _GzCsv(paths["sources"], CSV_COLUMNS["sources"]) as out:
        out.rows(SOURCES_REGISTRY)
    with _GzCsv(paths["campaign_stats"], CSV_COLUMNS["campaign_stats"]) as out:
        out.rows(campaign_stats(rng, scale, mailer.stamp))
    return list(paths.values())
