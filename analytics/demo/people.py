"""The people of contacts.csv and their orders: collected source by source, opted out before the event history
or by other channels, and expiring three years after their last purchase or click (`Retention`)."""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field

from analytics.demo.brand import (
    AS_OF_DAY,
    CATEGORIES,
    COLLECT_START_DAY,
    DAY,
    DORMANT_OPPOSERS,
    DORMANT_SHARE,
    FIRST_SEND_DAY,
    MACHINE_OPEN_SHARE,
    PROFILES,
    PURGE_MARGIN_DAYS,
    RETENTION_YEARS,
    SENDS_PER_WEEK,
    SOURCE_PLANS,
    TRADE_SHOW_MIX,
    TRADE_SHOWS,
    SourcePlan,
    date_of,
    day_of,
)


@dataclass(eq=False)
class Contact:
    """One person of contacts.csv, with what the simulation needs to know about them (days since EPOCH)."""

    cid: str
    source: str
    consent: str
    collected: int
    informed: str = ""
    loyalty: str = ""
    orders: list[int] = field(default_factory=list)
    opted_out: int | None = None  # CRM opted_out_at (day)
    opposed: int | None = None  # earliest opposition known to the simulation (second)
    mpp: bool = False
    dormant: bool = False  # seldom opens, clicks only when engaged contacts cannot fill a campaign's share
    clicks: list[int] = field(default_factory=list)
    group: str | None = None  # behaviour group when lawfully mailed: "opt_in" or the source name
    eligible: int = 0  # first day the brand may mail it
    safe_until: int = -1  # cached: not expired up to this day


def _growth_day(rng: random.Random, start: int, end: int, growth: float) -> int:
    """A day in [start, end] drawn from a density rising linearly by the factor 1 + growth."""
    u = rng.random()
    x = u if growth == 0 else (-1 + math.sqrt(1 + 2 * growth * u * (1 + growth / 2))) / growth
    return start + min(end - start, int(x * (end - start + 1)))


def _reorders(rng: random.Random, first: int) -> list[int]:
    """Order days of a client from its first order: 40 % buy again, about 7 months later on average."""
    days = [first]
    while rng.random() < 0.4:
        nxt = days[-1] + 20 + int(rng.expovariate(1 / 200))
        if nxt > AS_OF_DAY:
            break
        days.append(nxt)
    return days


def _consent(rng: random.Random, shares: tuple[float, float, float]) -> str:
    u = rng.random()
    return "opt_in" if u < shares[0] else "none" if u < shares[0] + shares[1] else "objected"


def _planned_contact(rng: random.Random, plan: SourcePlan) -> Contact:
    collected = _growth_day(rng, plan.since, AS_OF_DAY, plan.growth)
    contact = Contact("", plan.name, _consent(rng, plan.consent), collected, informed=plan.informed)
    if plan.not_informed and rng.random() < plan.not_informed:
        contact.informed = "false"
    if rng.random() < plan.order_at_collection:
        contact.orders = _reorders(rng, collected)
    elif rng.random() < plan.order_later:
        first = collected + 1 + int(rng.expovariate(1 / 60))
        if first <= AS_OF_DAY:
            contact.orders = _reorders(rng, first)
    return contact


def _trade_show_contacts(rng: random.Random) -> list[Contact]:
    """A fixed, small population (whatever the scale): badge scans at two shows, some buying at the stand."""
    contacts = []
    for consent, bought, count in TRADE_SHOW_MIX:
        for k in range(count):
            day = day_of(TRADE_SHOWS[k % 2]) + (k // 2) % 2
            contact = Contact("", "trade_show", consent, day, informed="true")
            contact.orders = _reorders(rng, day) if bought else []
            contacts.append(contact)
    return contacts


def _loyalty(rng: random.Random, contact: Contact) -> str:
    u = rng.random()
    if contact.orders or contact.consent == "opt_in":
        return "true" if u < 0.25 else "false" if u < 0.5 else ""
    return "false" if u < 0.2 else ""


def make_contacts(rng: random.Random, scale: float) -> list[Contact]:
    """All contacts, sorted by collection day, with ids C0000001… in that order."""
    drafted: list[Contact] = []
    for plan in SOURCE_PLANS:
        drafted.extend(_planned_contact(rng, plan) for _ in range(round(plan.contacts * scale)))
    drafted.extend(_trade_show_contacts(rng))
    ranked = sorted(enumerate(drafted), key=lambda item: (item[1].collected, item[0]))
    contacts = [contact for _, contact in ranked]
    for number, contact in enumerate(contacts, start=1):
        contact.cid = f"C{number:07d}"
        contact.loyalty = _loyalty(rng, contact)
        contact.mpp = rng.random() < MACHINE_OPEN_SHARE
        contact.dormant = rng.random() < DORMANT_SHARE
        _assign_group(contact)
    return contacts


def _assign_group(contact: Contact) -> None:
    """The behaviour group under which the brand lawfully mails this contact (None: never mailed)."""
    plan = next((p for p in SOURCE_PLANS if p.name == contact.source), None)
    mailed_from = plan.soft_mailed_from if plan else COLLECT_START_DAY
    if contact.consent == "opt_in":
        contact.group, contact.eligible = "opt_in", contact.collected
    elif (
        contact.consent == "none"
        and contact.orders
        and contact.informed != "false"
        and mailed_from is not None
    ):
        contact.group, contact.eligible = contact.source, max(contact.orders[0], mailed_from)


def add_opt_outs(rng: random.Random, contacts: list[Contact], retention: Retention) -> None:
    """Opt-outs known to the CRM: before the event history (mail pressure) and by other channels."""
    for contact in contacts:
        end = FIRST_SEND_DAY
        if contact.group is not None:
            end = min(end, retention.limit(contact, FIRST_SEND_DAY) - PURGE_MARGIN_DAYS)
        if contact.group is not None and contact.eligible < end:
            weeks = (end - contact.eligible) / 7
            kept = (1 - PROFILES[contact.group].opposition * _opposition_weight(contact)) ** (
                SENDS_PER_WEEK * weeks
            )
            if rng.random() > kept:
                contact.opted_out = contact.eligible + int(rng.random() * (end - contact.eligible))
        if contact.opted_out is None and contact.consent != "objected" and rng.random() < 0.02:
            contact.opted_out = contact.collected + 1 + int(rng.random() * (AS_OF_DAY - contact.collected))
            if contact.opted_out > AS_OF_DAY:
                contact.opted_out = None
        if contact.opted_out is not None:
            contact.opposed = contact.opted_out * DAY


def _opposition_weight(contact: Contact) -> float:
    """How much more (engaged) or less (dormant) than average a contact unsubscribes."""
    if contact.dormant:
        return DORMANT_OPPOSERS / DORMANT_SHARE
    return (1 - DORMANT_OPPOSERS) / (1 - DORMANT_SHARE)


def make_orders(rng: random.Random, contacts: list[Contact]) -> list[tuple[int, str, str, str]]:
    """(day, contact_id, amount, category) of every order, by date then contact."""
    rows = []
    for contact in contacts:
        for day in contact.orders:
            amount = f"{math.exp(rng.gauss(3.8, 0.5)):.2f}"
            rows.append((day, contact.cid, amount, CATEGORIES[int(rng.random() * len(CATEGORIES))]))
    rows.sort(key=lambda row: (row[0], row[1]))
    return rows


# --------------------------------------------------------------------------------------------------------
# Retention


def _add_years(day: int, years: int) -> int:
    d = date_of(day)
    try:
        return day_of(d.replace(year=d.year + years))
    except ValueError:  # 29 February
        return day_of(d.replace(year=d.year + years, day=28))


class Retention:
    """Expiry as the product computes it (last purchase or click + 3 years), minus the brand's margin."""

    def __init__(self) -> None:
        self._limit = [_add_years(day, RETENTION_YEARS) for day in range(AS_OF_DAY + 1)]

    def last_contact(self, contact: Contact, day: int) -> int:
        last = contact.collected
        position = bisect.bisect_right(contact.orders, day)
        if position:
            last = max(last, contact.orders[position - 1])
        for click in contact.clicks:
            if last < click <= day:
                last = click
        return last

    def limit(self, contact: Contact, day: int) -> int:
        """The last day `contact` may be used, as known on `day`."""
        return self._limit[self.last_contact(contact, day)]

    def expired(self, contact: Contact, day: int) -> bool:
        """Whether the brand has purged `contact` by `day` (a week ahead of the legal limit)."""
        if day <= contact.safe_until:
            return False
        contact.safe_until = self.limit(contact, day) - PURGE_MARGIN_DAYS
        return day > contact.safe_until
