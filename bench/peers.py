"""Peers: the SPEC §7 core computation for one window, written independently of the product, the way a strong
analyst would write it with DuckDB, pandas or polars straight over the files — what the product is measured
against (is it fast, and does it agree?).

The computation, as of a report date T (everything dated after T ignored): the marketing sends whose
campaign's send date falls in the 4 weeks ending on T (T − 27 … T), each with its SPEC §5 legal basis at its
send date t, counted per collection source for the soft_opt_in cohorts and together for the baseline
(opt_in + soft_opt_in), plus the campaign_stats rows of those bases and dates. The rules, all by calendar
date:

- contacts collected after T do not exist yet; events of contact ids absent from contacts count nowhere (not
  even for "the data has sent events" or a campaign's inferred send date);
- a campaign only seen in events is a promo sent on its earliest event's date; a campaign without
  email_type is a promo; `service` is not marketing;
- a send is a (campaign, contact) pair with a `sent` event, or any event when no `sent` event exists;
  delivered = a `delivered` event, or no `bounce` when no `delivered` event exists; openers (opens with
  is_machine_open true excluded), clickers, unsubscribers and complainers count only delivered sends;
- basis at t: objected (consent objected, or opposition — the earliest of opted_out_at and the first
  unsubscribe or complaint event — before t), expired (t after last contact + 3 years, last contact = latest
  of collected_at, orders ≤ t, clicks ≤ t), no_loyalty_consent (loyalty campaign, loyalty_consent not
  true), opt_in, soft_opt_in (an order ≤ t, informed not false: empty takes the registry's notice_shown,
  unknown counts as informed), not_informed, prospect;
- a campaign_stats row counts at its sent_at date, with its own email_type, else its campaign's, else promo.

Every engine returns the lawful sends' counts per (source, basis); `summarise` turns them into
{"baseline": metrics, "cohorts": {source: metrics}} with the sources that have at least one soft_opt_in send
in the window. The product's report differs in shape only: it lists every source seen in contacts or
campaign_stats, with zero counts and null rates when there is no send (`differences` checks that too).

    .venv/bin/python -m bench.peers polars --data bench/.data/scale-1-seed-20261122 --as-of 2026-11-22 --runs 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench.datasets import SCHEMA, TABLES, csv_reader, quoted

COUNTS = ("delivered", "openers", "clickers", "unsubscribers", "complainers")
RATES = ("open_rate", "click_rate", "unsubscribe_rate", "complaint_rate", "dissatisfaction_rate")
LAWFUL = ("opt_in", "soft_opt_in")
WINDOW_WEEKS = 4
RETENTION_YEARS = 3


def window_start(as_of: dt.date, weeks: int = WINDOW_WEEKS) -> dt.date:
    return as_of - dt.timedelta(days=7 * weeks - 1)


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def metrics(delivered: int, openers: int, clickers: int, unsubscribers: int, complainers: int) -> dict:
    """The counts and rates of SPEC §7 (dissatisfaction without complaints, the default)."""
    return {
        "delivered": delivered,
        "openers": openers,
        "clickers": clickers,
        "unsubscribers": unsubscribers,
        "complainers": complainers,
        "open_rate": _rate(openers, delivered),
        "click_rate": _rate(clickers, delivered),
        "unsubscribe_rate": _rate(unsubscribers, delivered),
        "complaint_rate": _rate(complainers, delivered),
        "dissatisfaction_rate": _rate(unsubscribers, clickers + unsubscribers),
    }


def summarise(groups: Iterable[tuple[str, str, int, int, int, int, int]]) -> dict[str, Any]:
    """(source, basis, delivered, openers, clickers, unsubscribers, complainers) rows of lawful sends →
    {"baseline": …, "cohorts": {source: …}}, sources sorted by name."""
    baseline = [0] * len(COUNTS)
    cohorts: dict[str, list[int]] = {}
    for source, basis, *counts in groups:
        counts = [int(c or 0) for c in counts]
        baseline = [a + b for a, b in zip(baseline, counts, strict=True)]
        if basis == "soft_opt_in":
            cohorts[source] = [
                a + b for a, b in zip(cohorts.get(source, [0] * len(COUNTS)), counts, strict=True)
            ]
    return {
        "baseline": metrics(*baseline),
        "cohorts": {source: metrics(*cohorts[source]) for source in sorted(cohorts)},
    }


# ----------------------------------------------------------------------------------------------------------
# Agreement with the product


def _close(a: float | None, b: float | None, rel: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


def _compare(where: str, product: dict, peer: dict, rel: float) -> list[str]:
    found = [
        f"{where} {name}: product {product[name]!r}, peer {peer[name]!r}"
        for name in COUNTS
        if product[name] != peer[name]
    ]
    found += [
        f"{where} {name}: product {product[name]!r}, peer {peer[name]!r}"
        for name in RATES
        if not _close(product[name], peer[name], rel)
    ]
    return found


def differences(report: dict, result: dict, rel: float = 1e-9) -> list[str]:
    """Where a peer's result and the product's §9 report disagree (empty: they agree): counts exactly,
    rates within `rel` relative; a source the peer has no send for must be all zeros and nulls in the
    product."""
    found = _compare("baseline", report["baseline"], result["baseline"], rel)
    product = {c["collection_source"]: c["metrics"] for c in report["cohorts"]}
    for source, peer in result["cohorts"].items():
        if source not in product:
            found.append(f"cohort {source}: the peer has soft_opt_in sends, the product has no such cohort")
        else:
            found += _compare(f"cohort {source}", product[source], peer, rel)
    for source in sorted(set(product) - set(result["cohorts"])):
        empty = metrics(0, 0, 0, 0, 0)
        if any(product[source][name] != empty[name] for name in COUNTS + RATES):
            shown = {name: product[source][name] for name in COUNTS}
            found.append(
                f"cohort {source}: no soft_opt_in send in the window for the peer, product has {shown}"
            )
    return found


# ----------------------------------------------------------------------------------------------------------
# DuckDB: one query, over CSV or Parquet

DUCKDB_SQL = """
with
registry as (
    select
        collection_source,
        case lower(trim(notice_shown)) when 'true' then true when 'false' then false end as notice_shown
    from {sources}
),
contacts as (
    select
        c.contact_id,
        c.collection_source,
        c.consent,
        c.collected_at,
        c.opted_out_at,
        coalesce(c.informed, r.notice_shown) as informed,  -- null: unknown, treated as informed
        coalesce(c.loyalty_consent, false) as loyalty_consent
    from {contacts} as c
    left join registry as r using (collection_source)
    where c.collected_at <= $as_of
),
events as (
    select
        e.campaign_id,
        e.contact_id,
        e.event_type,
        cast(e.occurred_at as date) as day,
        coalesce(e.is_machine_open, false) as machine_open
    from {events} as e
    semi join contacts using (contact_id)
    where cast(e.occurred_at as date) <= $as_of
),
shape as (
    select
        coalesce(bool_or(event_type = 'sent'), false) as has_sent,
        coalesce(bool_or(event_type = 'delivered'), false) as has_delivered
    from events
),
declared as (
    select campaign_id, cast(sent_at as date) as sent_day, coalesce(email_type, 'promo') as email_type
    from {campaigns}
),
campaigns as (
    select * from declared where sent_day <= $as_of
    union all
    select campaign_id, min(day) as sent_day, 'promo' as email_type
    from events anti join declared using (campaign_id)
    group by campaign_id
),
window_campaigns as (
    select * from campaigns where sent_day between $start and $as_of and email_type <> 'service'
),
pairs as (
    select
        campaign_id,
        contact_id,
        bool_or(event_type = 'sent') as sent,
        bool_or(event_type = 'delivered') as delivered_event,
        bool_or(event_type = 'bounce') as bounced,
        bool_or(event_type = 'open' and not machine_open) as opened,
        bool_or(event_type = 'click') as clicked,
        bool_or(event_type = 'unsubscribe') as unsubscribed,
        bool_or(event_type = 'complaint') as complained
    from events
    semi join window_campaigns using (campaign_id)
    group by campaign_id, contact_id
),
sends as (
    select
        p.*,
        w.sent_day,
        w.email_type,
        case when shape.has_delivered then p.delivered_event else not p.bounced end as delivered
    from pairs as p
    join window_campaigns as w using (campaign_id)
    cross join shape
    where p.sent or not shape.has_sent
),
objections as (
    select contact_id, min(day) as first_objection
    from events
    where event_type in ('unsubscribe', 'complaint')
    group by contact_id
),
first_orders as (
    select contact_id, min(order_date) as first_order
    from {orders}
    where order_date <= $as_of
    group by contact_id
),
-- Last contact before a send: purchases and clicks (opens never count). A join and a max rather than an
-- ASOF join: DuckDB plans an ASOF join whose left side it underestimates (< asof_loop_join_threshold rows)
-- as a nested loop, which took seconds at 1 M events.
moments as (
    select contact_id, order_date as day from {orders} where order_date <= $as_of
    union
    select contact_id, day from events where event_type = 'click'
),
history as (
    select d.contact_id, d.sent_day, max(m.day) as last_moment
    from (select distinct contact_id, sent_day from sends) as d
    join moments as m on m.contact_id = d.contact_id and m.day <= d.sent_day
    group by d.contact_id, d.sent_day
),
based as (
    select
        s.*,
        c.collection_source,
        case
            when c.consent = 'objected' or least(c.opted_out_at, o.first_objection) < s.sent_day
                then 'objected'
            when s.sent_day > cast(
                greatest(c.collected_at, h.last_moment) + to_years($retention_years) as date
            ) then 'expired'
            when s.email_type = 'loyalty' and not c.loyalty_consent then 'no_loyalty_consent'
            when c.consent = 'opt_in' then 'opt_in'
            when f.first_order <= s.sent_day and c.informed is distinct from false then 'soft_opt_in'
            when f.first_order <= s.sent_day then 'not_informed'
            else 'prospect'
        end as basis
    from sends as s
    join contacts as c using (contact_id)
    left join history as h using (contact_id, sent_day)
    left join first_orders as f using (contact_id)
    left join objections as o using (contact_id)
),
stats as (
    select
        s.collection_source,
        s.basis,
        s.delivered,
        s.openers,
        s.clickers,
        s.unsubscribers,
        s.complainers
    from {campaign_stats} as s
    left join (select campaign_id, email_type from {campaigns}) as k using (campaign_id)
    where cast(s.sent_at as date) between $start and $as_of
        and coalesce(s.email_type, k.email_type, 'promo') <> 'service'
),
lawful as (
    select
        collection_source,
        basis,
        count(*) filter (where delivered) as delivered,
        count(*) filter (where delivered and opened) as openers,
        count(*) filter (where delivered and clicked) as clickers,
        count(*) filter (where delivered and unsubscribed) as unsubscribers,
        count(*) filter (where delivered and complained) as complainers
    from based
    where basis in ('opt_in', 'soft_opt_in')
    group by all
    union all
    select * from stats where basis in ('opt_in', 'soft_opt_in')
)
select
    collection_source,
    basis,
    sum(delivered)::bigint,
    sum(openers)::bigint,
    sum(clickers)::bigint,
    sum(unsubscribers)::bigint,
    sum(complainers)::bigint
from lawful
group by all
"""


def _parquet(folder: Path, table: str) -> str:
    return f"read_parquet({quoted(folder / f'{table}.parquet')})"


def duckdb_groups(readers: dict[str, str], as_of: dt.date) -> list[tuple]:
    """The query over `readers` (table → a DuckDB table expression), on a fresh in-memory connection."""
    import duckdb

    con = duckdb.connect()
    try:
        return con.execute(
            DUCKDB_SQL.format(**readers),
            {"as_of": as_of, "start": window_start(as_of), "retention_years": RETENTION_YEARS},
        ).fetchall()
    finally:
        con.close()


def duckdb_csv(data: Path, as_of: dt.date) -> dict:
    return summarise(duckdb_groups({t: csv_reader(data / "csv" / f"{t}.csv", t) for t in TABLES}, as_of))


def duckdb_parquet(data: Path, as_of: dt.date) -> dict:
    return summarise(duckdb_groups({t: _parquet(data / "parquet", t) for t in TABLES}, as_of))


# ----------------------------------------------------------------------------------------------------------
# pandas: merge / groupby / merge_asof over DataFrames read from Parquet

PANDAS_COLUMNS = {
    "contacts": [
        "contact_id",
        "collection_source",
        "consent",
        "collected_at",
        "informed",
        "opted_out_at",
        "loyalty_consent",
    ],
    "orders": ["contact_id", "order_date"],
    "campaigns": ["campaign_id", "sent_at", "email_type"],
    "events": ["campaign_id", "contact_id", "event_type", "occurred_at", "is_machine_open"],
    "sources": ["collection_source", "notice_shown"],
    "campaign_stats": ["campaign_id", "sent_at", "collection_source", "basis", "email_type", *COUNTS],
}
EVENT_TYPES = ("sent", "delivered", "bounce", "open", "click", "unsubscribe", "complaint")


def pandas_load(folder: Path) -> dict:
    """The columns the computation reads. The events' campaign_id and event_type, a few hundred values over
    millions of rows, come as categoricals (a third less memory, which matters at 50 M events); DATE
    columns (read as Python dates) become datetime64[us] like the timestamps, so that they compare and
    merge_asof as one dtype."""
    import pandas as pd

    frames = {
        t: pd.read_parquet(
            folder / f"{t}.parquet",
            columns=columns,
            read_dictionary=["campaign_id", "event_type"] if t == "events" else None,
        )
        for t, columns in PANDAS_COLUMNS.items()
    }
    for table, columns in SCHEMA.items():
        for name, kind in columns.items():
            if kind == "DATE" and name in frames[table]:
                frames[table][name] = pd.to_datetime(frames[table][name]).astype("datetime64[us]")
    return frames


def pandas_groups(frames: dict, as_of: dt.date) -> list[tuple]:
    """The lawful sends' counts per (source, basis), step by step as in the module docstring."""
    import numpy as np
    import pandas as pd

    day_t = pd.Timestamp(as_of)
    start, day_after = pd.Timestamp(window_start(as_of)), day_t + pd.Timedelta(days=1)

    notice = frames["sources"].set_index("collection_source")["notice_shown"].str.strip().str.lower()
    contacts = frames["contacts"]
    contacts = contacts[contacts["collected_at"] <= day_t]
    registry_false = contacts["collection_source"].map(notice).eq("false")
    contacts = contacts.assign(
        not_informed=contacts["informed"].eq(False) | (contacts["informed"].isna() & registry_false),
        loyalty=contacts["loyalty_consent"].eq(True),
    )

    events = frames["events"]
    events = events[(events["occurred_at"] < day_after) & events["contact_id"].isin(contacts["contact_id"])]
    kinds = set(events["event_type"].unique())
    has_sent, has_delivered = "sent" in kinds, "delivered" in kinds

    campaigns = frames["campaigns"]
    declared = pd.DataFrame(
        {
            "campaign_id": campaigns["campaign_id"],
            "sent_day": campaigns["sent_at"].dt.normalize(),
            "email_type": campaigns["email_type"].fillna("promo"),
        }
    )
    inferred = (
        events[~events["campaign_id"].isin(declared["campaign_id"])]
        .groupby("campaign_id", as_index=False, observed=True)["occurred_at"]
        .min()
    )
    inferred = pd.DataFrame(
        {"campaign_id": inferred["campaign_id"], "sent_day": inferred["occurred_at"].dt.normalize()}
    ).assign(email_type="promo")
    known = pd.concat([declared[declared["sent_day"] <= day_t], inferred], ignore_index=True)
    in_window = known[known["sent_day"].between(start, day_t) & known["email_type"].ne("service")]

    mailed = events[events["campaign_id"].isin(in_window["campaign_id"])]
    flags = pd.get_dummies(mailed["event_type"]).reindex(columns=list(EVENT_TYPES), fill_value=False)
    flags["open"] &= ~mailed["is_machine_open"].eq(
        True
    )  # a machine open is an event of the pair, not an open
    flags = flags.groupby([mailed["campaign_id"], mailed["contact_id"]], observed=True).any().reset_index()
    if has_sent:
        flags = flags[flags["sent"]]
    delivered = flags["delivered"] if has_delivered else ~flags["bounce"]
    sends = pd.DataFrame(
        {
            "campaign_id": flags["campaign_id"],
            "contact_id": flags["contact_id"],
            "delivered": delivered,
            "openers": delivered & flags["open"],
            "clickers": delivered & flags["click"],
            "unsubscribers": delivered & flags["unsubscribe"],
            "complainers": delivered & flags["complaint"],
        }
    )
    sends = sends.merge(in_window, on="campaign_id").merge(contacts, on="contact_id")

    objections = (
        events[events["event_type"].isin(["unsubscribe", "complaint"])]
        .groupby("contact_id")["occurred_at"]
        .min()
        .dt.normalize()
    )
    first_objection = sends["contact_id"].map(objections)
    sends["opposition"] = pd.concat([sends["opted_out_at"], first_objection], axis=1).min(axis=1)

    orders = frames["orders"]
    orders = orders[orders["order_date"] <= day_t].drop_duplicates().sort_values("order_date")
    clicks = events.loc[events["event_type"].eq("click"), ["contact_id", "occurred_at"]]
    clicks = (
        pd.DataFrame({"contact_id": clicks["contact_id"], "click_day": clicks["occurred_at"].dt.normalize()})
        .drop_duplicates()
        .sort_values("click_day")
    )
    history = sends[["contact_id", "sent_day"]].drop_duplicates().sort_values("sent_day")
    history = pd.merge_asof(history, orders, left_on="sent_day", right_on="order_date", by="contact_id")
    history = pd.merge_asof(history, clicks, left_on="sent_day", right_on="click_day", by="contact_id")
    sends = sends.merge(history, on=["contact_id", "sent_day"])

    last_contact = sends[["collected_at", "order_date", "click_day"]].max(axis=1)
    bought = sends["order_date"].notna()
    basis = np.select(
        [
            sends["consent"].eq("objected") | sends["opposition"].lt(sends["sent_day"]),
            sends["sent_day"] > last_contact + pd.DateOffset(years=RETENTION_YEARS),
            sends["email_type"].eq("loyalty") & ~sends["loyalty"],
            sends["consent"].eq("opt_in"),
            bought & ~sends["not_informed"],
            bought,
        ],
        ["objected", "expired", "no_loyalty_consent", "opt_in", "soft_opt_in", "not_informed"],
        default="prospect",
    )
    sends = sends.assign(basis=basis)
    from_events = sends[sends["basis"].isin(LAWFUL)]

    stats = frames["campaign_stats"].merge(
        campaigns[["campaign_id", "email_type"]].rename(columns={"email_type": "campaign_type"}),
        on="campaign_id",
        how="left",
    )
    stats_type = stats["email_type"].fillna(stats["campaign_type"]).fillna("promo")
    stats = stats[
        stats["sent_at"].dt.normalize().between(start, day_t)
        & stats_type.ne("service")
        & stats["basis"].isin(LAWFUL)
    ]

    keys = ["collection_source", "basis"]
    groups = pd.concat([from_events[keys + list(COUNTS)], stats[keys + list(COUNTS)]], ignore_index=True)
    totals = groups.groupby(keys)[list(COUNTS)].sum().reset_index()
    return list(totals.itertuples(index=False, name=None))


# ----------------------------------------------------------------------------------------------------------
# polars: one lazy plan (join / join_asof / group_by), collected once


def _polars_schema(table: str) -> dict:
    import polars as pl

    kinds = {
        "VARCHAR": pl.String,
        "DATE": pl.Date,
        "TIMESTAMP": pl.Datetime("us"),
        "BOOLEAN": pl.Boolean,
        "BIGINT": pl.Int64,
        "DOUBLE": pl.Float64,
    }
    return {name: kinds[kind] for name, kind in SCHEMA[table].items()}


def polars_scan_parquet(folder: Path) -> dict:
    import polars as pl

    return {t: pl.scan_parquet(folder / f"{t}.parquet") for t in TABLES}


def polars_read_parquet(folder: Path) -> dict:
    """Eagerly loaded DataFrames, as lazy frames over memory (the "in memory" variant)."""
    import polars as pl

    return {t: pl.read_parquet(folder / f"{t}.parquet").lazy() for t in TABLES}


def polars_scan_csv(folder: Path) -> dict:
    import polars as pl

    return {t: pl.scan_csv(folder / f"{t}.csv", schema_overrides=_polars_schema(t)) for t in TABLES}


def polars_groups(frames: dict, as_of: dt.date) -> list[tuple]:
    """The lawful sends' counts per (source, basis) from lazy frames (scans or memory), one collect."""
    import polars as pl

    start = window_start(as_of)
    kind = pl.col("event_type")
    notice = frames["sources"].select(
        "collection_source",
        pl.col("notice_shown")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean)
        .alias("notice"),
    )
    contacts = (
        frames["contacts"]
        .filter(pl.col("collected_at") <= as_of)
        .join(notice, on="collection_source", how="left")
        .select(
            "contact_id",
            "collection_source",
            "consent",
            "collected_at",
            "opted_out_at",
            pl.coalesce("informed", "notice").alias("informed"),  # null: unknown, treated as informed
            pl.col("loyalty_consent").fill_null(False).alias("loyalty"),
        )
    )
    events = (  # read by six branches: cached, so that a CSV is parsed once (the optimiser may not see it)
        frames["events"]
        .with_columns(day=pl.col("occurred_at").dt.date())
        .filter(pl.col("day") <= as_of)
        .join(contacts.select("contact_id"), on="contact_id", how="semi")
        .cache()
    )
    shape = events.select(
        has_sent=(kind == "sent").any(),
        has_delivered=(kind == "delivered").any(),
    )
    declared = frames["campaigns"].select(
        "campaign_id",
        sent_day=pl.col("sent_at").dt.date(),
        email_type=pl.col("email_type").fill_null("promo"),
    )
    inferred = (
        events.join(declared, on="campaign_id", how="anti")
        .group_by("campaign_id")
        .agg(sent_day=pl.col("day").min())
        .with_columns(email_type=pl.lit("promo"))
    )
    in_window = pl.concat([declared.filter(pl.col("sent_day") <= as_of), inferred]).filter(
        pl.col("sent_day").is_between(start, as_of), pl.col("email_type") != "service"
    )
    pairs = (
        events.join(in_window.select("campaign_id"), on="campaign_id", how="semi")
        .group_by("campaign_id", "contact_id")
        .agg(
            sent=(kind == "sent").any(),
            delivered_event=(kind == "delivered").any(),
            bounced=(kind == "bounce").any(),
            opened=((kind == "open") & ~pl.col("is_machine_open").fill_null(False)).any(),
            clicked=(kind == "click").any(),
            unsubscribed=(kind == "unsubscribe").any(),
            complained=(kind == "complaint").any(),
        )
    )
    delivered = pl.col("delivered")
    sends = (
        pairs.join(shape, how="cross")
        .filter(pl.col("sent") | ~pl.col("has_sent"))
        .with_columns(
            delivered=pl.when(pl.col("has_delivered"))
            .then(pl.col("delivered_event"))
            .otherwise(~pl.col("bounced"))
        )
        .join(in_window, on="campaign_id")
        .join(contacts, on="contact_id")
    )
    objections = (
        events.filter(kind.is_in(["unsubscribe", "complaint"]))
        .group_by("contact_id")
        .agg(first_objection=pl.col("day").min())
    )
    orders = (
        frames["orders"]
        .filter(pl.col("order_date") <= as_of)
        .select("contact_id", "order_date")
        .unique()
        .sort("order_date")
    )
    clicks = events.filter(kind == "click").select("contact_id", click_day="day").unique().sort("click_day")
    history = (
        sends.select("contact_id", "sent_day")
        .unique()
        .sort("sent_day")
        .join_asof(orders, left_on="sent_day", right_on="order_date", by="contact_id", check_sortedness=False)
        .join_asof(clicks, left_on="sent_day", right_on="click_day", by="contact_id", check_sortedness=False)
    )
    last_contact = pl.max_horizontal("collected_at", "order_date", "click_day")
    bought = pl.col("order_date").is_not_null()
    basis = (
        pl.when(
            (pl.col("consent") == "objected")
            | (pl.min_horizontal("opted_out_at", "first_objection") < pl.col("sent_day")).fill_null(False)
        )
        .then(pl.lit("objected"))
        .when(pl.col("sent_day") > last_contact.dt.offset_by(f"{RETENTION_YEARS}y"))
        .then(pl.lit("expired"))
        .when((pl.col("email_type") == "loyalty") & ~pl.col("loyalty"))
        .then(pl.lit("no_loyalty_consent"))
        .when(pl.col("consent") == "opt_in")
        .then(pl.lit("opt_in"))
        .when(bought & pl.col("informed").ne_missing(False))
        .then(pl.lit("soft_opt_in"))
        .when(bought)
        .then(pl.lit("not_informed"))
        .otherwise(pl.lit("prospect"))
    )
    keys = ["collection_source", "basis"]
    from_events = (
        sends.join(objections, on="contact_id", how="left")
        .join(history, on=["contact_id", "sent_day"])
        .with_columns(basis=basis)
        .filter(pl.col("basis").is_in(LAWFUL))
        .group_by(keys)
        .agg(
            delivered.sum(),
            openers=(delivered & pl.col("opened")).sum(),
            clickers=(delivered & pl.col("clicked")).sum(),
            unsubscribers=(delivered & pl.col("unsubscribed")).sum(),
            complainers=(delivered & pl.col("complained")).sum(),
        )
        .with_columns(pl.col(COUNTS).cast(pl.Int64))
    )
    stats = (
        frames["campaign_stats"]
        .join(
            frames["campaigns"].select("campaign_id", campaign_type="email_type"),
            on="campaign_id",
            how="left",
        )
        .filter(
            pl.col("sent_at").dt.date().is_between(start, as_of),
            pl.coalesce("email_type", "campaign_type", pl.lit("promo")) != "service",
            pl.col("basis").is_in(LAWFUL),
        )
        .select(*keys, *COUNTS)
    )
    totals = pl.concat([from_events, stats]).group_by(keys).agg(pl.col(COUNTS).sum())
    return totals.collect().rows()


# ----------------------------------------------------------------------------------------------------------
# Raw floors: no computation, just the bytes


def read_csv_bytes(data: Path) -> int:
    """Read every CSV file in 16 MiB chunks: what any engine reading the CSV has to pay at least."""
    total = 0
    for table in TABLES:
        with open(data / "csv" / f"{table}.csv", "rb", buffering=0) as handle:
            while chunk := handle.read(16 << 20):
                total += len(chunk)
    return total


def scan_parquet(data: Path) -> int:
    """Read and decode every column of every Parquet file with DuckDB: a max per column (a count would be
    answered from the file's statistics without reading anything). Returns the rows scanned."""
    import duckdb

    con = duckdb.connect()
    try:
        rows = 0
        for table, columns in SCHEMA.items():
            reads = ", ".join(f'max("{name}")' for name in columns)
            rows += con.execute(
                f"select count(*), {reads} from {_parquet(data / 'parquet', table)}"
            ).fetchone()[0]
        return rows
    finally:
        con.close()


# ----------------------------------------------------------------------------------------------------------
# Engines and the command line


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def _repeat(action: Callable[[], Any], runs: int, warmup: int) -> tuple[list[float], Any]:
    for _ in range(warmup):
        action()
    times, value = [], None
    for _ in range(runs):
        seconds, value = _timed(action)
        times.append(seconds)
    return times, value


def _single(label: str, compute: Callable[[Path, dt.date], Any]):
    def run(data: Path, as_of: dt.date, runs: int, warmup: int) -> dict:
        times, value = _repeat(lambda: compute(data, as_of), runs, warmup)
        return {"measurements": {label: times}, "result": value}

    return run


def _load_then_compute(name: str, load: Callable[[Path], dict], groups: Callable[[dict, dt.date], list]):
    """Each run reads the Parquet files then computes, timed apart: "from Parquet" is both, "in memory" the
    compute alone (data already in DataFrames), so one process gives both without reading twice."""

    def run(data: Path, as_of: dt.date, runs: int, warmup: int) -> dict:
        totals, computes, result = [], [], None
        for index in range(warmup + runs):
            load_seconds, frames = _timed(lambda: load(data / "parquet"))
            compute_seconds, rows = _timed(lambda frames=frames: groups(frames, as_of))
            del frames
            if index >= warmup:
                totals.append(load_seconds + compute_seconds)
                computes.append(compute_seconds)
            result = summarise(rows)
        return {
            "measurements": {
                f"{name}, read_parquet + compute": totals,
                f"{name}, in memory (compute only)": computes,
            },
            "result": result,
        }

    return run


ENGINES: dict[str, Callable[[Path, dt.date, int, int], dict]] = {
    "duckdb_csv": _single("DuckDB SQL over CSV", duckdb_csv),
    "duckdb_parquet": _single("DuckDB SQL over Parquet", duckdb_parquet),
    "pandas": _load_then_compute("pandas", pandas_load, pandas_groups),
    "polars": _single(
        "polars lazy, scan_parquet",
        lambda data, as_of: summarise(polars_groups(polars_scan_parquet(data / "parquet"), as_of)),
    ),
    "polars_memory": _load_then_compute("polars eager", polars_read_parquet, polars_groups),
    "polars_csv": _single(
        "polars lazy, scan_csv",
        lambda data, as_of: summarise(polars_groups(polars_scan_csv(data / "csv"), as_of)),
    ),
    "floor_csv": _single("floor: read the CSV bytes", lambda data, _: read_csv_bytes(data)),
    "floor_parquet": _single("floor: DuckDB scans every Parquet column", lambda data, _: scan_parquet(data)),
}
# The engines that compute the metrics (the floors only read): their results must equal the product's.
CHECKED = ("duckdb_csv", "duckdb_parquet", "pandas", "polars", "polars_memory", "polars_csv")


def compute(engine: str, data: Path, as_of: dt.date) -> dict:
    """One engine's result (no timing): what the test and the agreement check call."""
    return ENGINES[engine](data, as_of, 1, 0)["result"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("--data", type=Path, required=True, help="a dataset folder (csv/ and parquet/)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    args = parser.parse_args()
    outcome = ENGINES[args.engine](args.data, args.as_of, args.runs, args.warmup)
    outcome["engine"] = args.engine
    outcome["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
