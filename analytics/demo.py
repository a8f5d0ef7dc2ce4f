"""Deterministic demo data: *Maison Lumen*, a fictitious French beauty and home-fragrance brand.

Maison Lumen sells on its web shop, in its boutiques, by phone, in a mobile app, at trade shows and on a
marketplace; it also collects addresses through contests, partner co-registrations, the boutiques' guest
Wi-Fi and a newsletter form. Its emailing: a promotion every Sunday, an editorial newsletter every other
Wednesday, five loyalty-programme emails, a monthly welcome series and cart reminder, monthly order
confirmations (service) and, in November, an 11.11 flash sale and a "Black Friday early access" teaser
whose type was left empty in the export. The data covers 40 weeks of campaigns ending on `DEMO_AS_OF`
(Sunday 2026-11-22: the last weekly promotion goes out that morning; the export is taken that evening, so
nothing is dated later) and contacts collected over the 4.5 years before it. Opt-outs older than the
event history are in `contacts.opted_out_at`, as a CRM export would have them.

Each collection source is built so that the SPEC §8 recommendation for its soft-opt-in cohort, as of
`DEMO_AS_OF` with the default 4-week window and default settings, is a different action, with wide
margins (every campaign gets exact shares of openers, clickers and unsubscribers, so noise cannot flip
them):

==================  ====================  ==========================================================
source              designed action       how
==================  ====================  ==========================================================
web_checkout        ramp_up               dissatisfaction ~7 %, open/click ~1.2x the brand's
in_store            hold                  dissatisfaction ~30 %, open/click ~1.2x the brand's
call_center         editorial_only        dissatisfaction ~30 %, open rate ~0.55x the brand's;
                                          in the registry without evidence (oral channel)
partner_coreg       stop                  dissatisfaction ~60 %, complaints ~0.17 % (often a warning)
contest             reduce                dissatisfaction ~8 %, open/click ~0.5x the brand's
mobile_app          welcome_first         soft-opt-in clients exist, never mailed any marketing
trade_show          insufficient_data     60 soft-opt-in clients (whatever the scale): ~300
                                          delivered in the window; absent from the registry
                                          (its contacts carry informed=true)
wifi_hotspot        no_recent_sends       mailed until 10 weeks before DEMO_AS_OF, then stopped
marketplace         reintroduce_promos    only in campaign_stats: dissatisfaction ~55 % in the
                                          previous window (stop), ~8 % with brand-level rates now
newsletter_signup   no_cohort             prospects only (no orders)
==================  ====================  ==========================================================

Opt-in contacts of every source make about 40 % of the marketing sends. A third of the contacts are
dormant (they hardly ever click), so they expire three years after their last purchase: the eligibility
view has expired and expiring-soon contacts. Deliberate faults for the compliance and data-quality views:
newsletter prospects mailed by mistake (a June promotion and the teaser), a few objected, expired and
not-informed contacts in the teaser, two loyalty emails reaching contacts without loyalty consent, a
re-send campaign missing from campaigns.csv and events of contact ids that are not in contacts.csv.
The recommendations hold for ``scale >= 0.5``.

`generate` is a pure function of (seed, scale): one `random.Random(seed)`, fixed row order, gzip with
mtime 0 and no file name, so the files are byte-identical from run to run.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gzip
import math
import pathlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field

DEMO_AS_OF = dt.date(2026, 11, 22)

HISTORY_WEEKS = 40
RETENTION_YEARS = 3
SEND_RATE = 25  # sends per second of the ESP: the n-th send of a campaign goes out n // 25 s after sent_at
BOUNCE_RATE = 0.015
MACHINE_OPEN_SHARE = 0.06  # contacts behind Apple Mail Privacy Protection: every delivered mail is opened
DORMANT_SHARE = 0.35  # contacts who (almost) never click, so they expire 3 years after their last purchase
DORMANT_OPENERS = 0.1  # share of a campaign's openers who are dormant contacts
DORMANT_OPPOSERS = 0.3  # share of its unsubscribers and complainers
SENDS_PER_WEEK = 1.75  # marketing pressure before the event history (for the older opt-outs)
PURGE_MARGIN_DAYS = 7  # the brand stops mailing a contact a week before its retention limit
PENDING_OPPOSITION_S = 3 * 86400  # a contact whose opt-out is this close after a send is left out of it

_EPOCH = dt.date(2022, 1, 1)
_DAY = 86400


def _day(d: dt.date) -> int:
    return (d - _EPOCH).days


def _date(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=day)


AS_OF_DAY = _day(DEMO_AS_OF)
FIRST_SEND_DAY = AS_OF_DAY - 7 * (HISTORY_WEEKS - 1)  # Sunday 2026-02-22, the first weekly promotion
COLLECT_START_DAY = _day(dt.date(2022, 5, 15))
WIFI_STOP_DAY = AS_OF_DAY - 70  # the last send to wifi_hotspot soft-opt-in clients is before this day
WINDOW_START_DAY = AS_OF_DAY - 27
TEASER_DAY = AS_OF_DAY - 2  # Friday: "Black Friday early access", exported without email_type
CUTOFF_S = (AS_OF_DAY + 1) * _DAY - 1  # the export is taken at the end of DEMO_AS_OF

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "contacts": (
        "contact_id",
        "collection_source",
        "consent",
        "collected_at",
        "informed",
        "opted_out_at",
        "loyalty_consent",
    ),
    "orders": ("contact_id", "order_date", "amount", "category"),
    "campaigns": ("campaign_id", "sent_at", "name", "email_type"),
    "events": ("campaign_id", "contact_id", "event_type", "occurred_at", "is_machine_open"),
    "sources": ("collection_source", "channel", "notice_shown", "evidence", "reviewed_at"),
    "campaign_stats": (
        "campaign_id",
        "sent_at",
        "collection_source",
        "basis",
        "delivered",
        "openers",
        "clickers",
        "unsubscribers",
        "complainers",
        "sent",
        "bounces",
        "email_type",
    ),
}


# --------------------------------------------------------------------------------------------------------
# Behaviour and source plans


@dataclass(frozen=True)
class Profile:
    """Per delivered send: share of human openers, clickers, unsubscribers and complainers."""

    open: float
    click: float
    unsub: float
    complaint: float

    @property
    def opposition(self) -> float:
        return self.unsub + self.complaint


def _with_dissatisfaction(open_rate: float, click: float, dissat: float, complaint: float) -> Profile:
    """A profile whose unsubscribers ÷ (clickers + unsubscribers) is `dissat`."""
    return Profile(open_rate, click, dissat * click / (1 - dissat), complaint)


PROFILES: dict[str, Profile] = {
    "opt_in": Profile(0.30, 0.050, 0.003, 0.0002),
    "web_checkout": _with_dissatisfaction(0.30, 0.050, 0.07, 0.0001),
    "in_store": _with_dissatisfaction(0.30, 0.050, 0.30, 0.0001),
    "call_center": _with_dissatisfaction(0.14, 0.042, 0.30, 0.0001),
    "partner_coreg": _with_dissatisfaction(0.17, 0.020, 0.60, 0.0017),
    "contest": _with_dissatisfaction(0.13, 0.024, 0.08, 0.0002),
    "trade_show": _with_dissatisfaction(0.28, 0.045, 0.10, 0.0),
    "wifi_hotspot": _with_dissatisfaction(0.22, 0.035, 0.25, 0.0005),
    "violation": Profile(0.10, 0.004, 0.040, 0.010),  # people who never expected these emails
    "ghost": Profile(0.25, 0.0, 0.0, 0.0),  # contact ids missing from contacts.csv
}
SERVICE_PROFILE = Profile(0.55, 0.12, 0.0, 0.0)
MARKETPLACE_PROFILES = {
    "opt_in": PROFILES["opt_in"],
    "previous": _with_dissatisfaction(0.20, 0.024, 0.55, 0.0008),
    "current": _with_dissatisfaction(0.30, 0.052, 0.08, 0.0),
}


@dataclass(frozen=True)
class SourcePlan:
    """How one collection source's contacts are collected, buy and are mailed."""

    name: str
    contacts: int  # at scale 1
    consent: tuple[float, float, float]  # shares of opt_in, none, objected
    since: int = COLLECT_START_DAY
    growth: float = 1.0  # collection rate at the end ÷ at the start, minus one
    order_at_collection: float = 0.0  # share collected at a purchase
    order_later: float = 0.0  # share of the others who buy later
    not_informed: float = 0.0  # share with informed=false
    informed: str = ""  # explicit value of the others
    soft_mailed_from: int | None = COLLECT_START_DAY  # first day its soft-opt-in clients are mailed


SOURCE_PLANS: tuple[SourcePlan, ...] = (
    SourcePlan("web_checkout", 900, (0.28, 0.65, 0.07), growth=1.0, order_at_collection=1.0),
    SourcePlan("in_store", 1700, (0.12, 0.81, 0.07), growth=2.0, order_at_collection=1.0, not_informed=0.04),
    SourcePlan(
        "call_center", 1600, (0.08, 0.84, 0.08), growth=1.5, order_at_collection=1.0, not_informed=0.03
    ),
    SourcePlan(
        "partner_coreg",
        2000,
        (0.10, 0.85, 0.05),
        since=_day(dt.date(2025, 6, 1)),
        growth=0.6,
        order_later=0.55,
    ),
    SourcePlan(
        "contest",
        2400,
        (0.17, 0.78, 0.05),
        growth=0.6,
        order_later=0.42,
        soft_mailed_from=_day(dt.date(2026, 6, 1)),
    ),
    SourcePlan(
        "mobile_app",
        2400,
        (0.12, 0.83, 0.05),
        since=_day(dt.date(2023, 3, 1)),
        growth=1.5,
        order_at_collection=0.5,
        order_later=0.3,
        soft_mailed_from=None,
    ),
    SourcePlan("wifi_hotspot", 1100, (0.08, 0.87, 0.05), order_later=0.35),
    SourcePlan("newsletter_signup", 3000, (0.18, 0.82, 0.0), growth=0.5),
)
TRADE_SHOWS = (dt.date(2025, 10, 11), dt.date(2026, 3, 21))
TRADE_SHOW_MIX = (("none", True, 60), ("opt_in", True, 12), ("opt_in", False, 14), ("none", False, 70))

SOURCES_REGISTRY: tuple[tuple[str, str, str, str, str], ...] = (
    ("call_center", "phone", "true", "", "2024-06-03"),
    (
        "contest",
        "web_form",
        "true",
        "Contest rules + entry form screenshots, legal/notices/contest/",
        "2026-03-02",
    ),
    (
        "in_store",
        "in_store",
        "true",
        "Till poster and receipt mention, photos legal/notices/stores-2025.pdf",
        "2025-11-04",
    ),
    ("marketplace", "partner", "true", "Marketplace seller terms, annex 4 (consent clause)", "2025-01-20"),
    (
        "mobile_app",
        "other",
        "true",
        "App sign-up screens iOS/Android v5, legal/notices/app-v5.pdf",
        "2026-04-14",
    ),
    (
        "newsletter_signup",
        "web_form",
        "true",
        "Footer form screenshot, legal/notices/newsletter.png",
        "2025-09-08",
    ),
    (
        "partner_coreg",
        "partner",
        "true",
        "Partner contract annex 2 + co-registration form capture",
        "2025-06-01",
    ),
    (
        "web_checkout",
        "web_form",
        "true",
        "Checkout page screenshot v3, legal/notices/checkout-v3.png",
        "2026-01-15",
    ),
    (
        "wifi_hotspot",
        "other",
        "true",
        "Captive portal screenshot, legal/notices/wifi-portal.png",
        "2023-05-22",
    ),
)
CATEGORIES = ("skincare", "fragrance", "candles", "bodycare", "gift_sets")
PROMO_THEMES = (
    "Face care -20%",
    "Candles: 3 for 2",
    "Free shipping weekend",
    "New fragrance: Ambre Nuit",
    "Body care essentials",
    "Gift sets preview",
    "Last chance: summer prices",
    "Travel sizes are back",
)


# --------------------------------------------------------------------------------------------------------
# Contacts and orders


@dataclass(eq=False)
class Contact:
    """One person of contacts.csv, with what the simulation needs to know about them (days since _EPOCH)."""

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
            day = _day(TRADE_SHOWS[k % 2]) + (k // 2) % 2
            contact = Contact("", "trade_show", consent, day, informed="true")
            contact.orders = _reorders(rng, day) if bought else []
            contacts.append(contact)
    return contacts


def _loyalty(rng: random.Random, contact: Contact) -> str:
    u = rng.random()
    if contact.orders or contact.consent == "opt_in":
        return "true" if u < 0.25 else "false" if u < 0.5 else ""
    return "false" if u < 0.2 else ""


def _make_contacts(rng: random.Random, scale: float) -> list[Contact]:
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


def _add_opt_outs(rng: random.Random, contacts: list[Contact], retention: Retention) -> None:
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
            contact.opposed = contact.opted_out * _DAY


def _opposition_weight(contact: Contact) -> float:
    """How much more (engaged) or less (dormant) than average a contact unsubscribes."""
    if contact.dormant:
        return DORMANT_OPPOSERS / DORMANT_SHARE
    return (1 - DORMANT_OPPOSERS) / (1 - DORMANT_SHARE)


def _make_orders(rng: random.Random, contacts: list[Contact]) -> list[tuple[int, str, str, str]]:
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
    d = _date(day)
    try:
        return _day(d.replace(year=d.year + years))
    except ValueError:  # 29 February
        return _day(d.replace(year=d.year + years, day=28))


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


# --------------------------------------------------------------------------------------------------------
# Campaigns


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    sent: int  # seconds since _EPOCH
    name: str
    email_type: str  # as exported ('' for the teaser)
    kind: str  # promo, newsletter, loyalty, welcome, cart, teaser, resend, service
    listed: bool = True  # present in campaigns.csv


def _at(day: int, hour: int, minute: int = 0) -> int:
    return day * _DAY + hour * 3600 + minute * 60


def _iso_tag(day: int) -> str:
    year, week, _ = _date(day).isocalendar()
    return f"{year}-{week:02d}"


def _schedule() -> list[Campaign]:
    """Every campaign of the 40 weeks, by send time: marketing ones at least two days apart."""
    campaigns = []
    for week in range(HISTORY_WEEKS):
        sunday = FIRST_SEND_DAY + 7 * week
        theme = PROMO_THEMES[week % len(PROMO_THEMES)]
        campaigns.append(
            Campaign(f"promo-{_iso_tag(sunday)}", _at(sunday, 10), f"Promo: {theme}", "promo", "promo")
        )
        wednesday = sunday + 3
        if week % 2 == 0 and wednesday <= AS_OF_DAY:
            issue = week // 2 + 1
            name = f"Le Journal Lumen #{issue}"
            campaigns.append(
                Campaign(f"news-{_iso_tag(wednesday)}", _at(wednesday, 8), name, "newsletter", "newsletter")
            )
        elif week in (5, 13, 21, 29, 35):
            name = "Lumen Club: your points and members' offers"
            campaigns.append(
                Campaign(f"loyalty-{_iso_tag(wednesday)}", _at(wednesday, 9), name, "loyalty", "loyalty")
            )
    month = _date(FIRST_SEND_DAY).replace(day=1)
    while month <= DEMO_AS_OF:
        campaigns.extend(_monthly_campaigns(month))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    flash_day = _day(dt.date(2026, 11, 11))
    campaigns.append(
        Campaign("flash-2026-11-11", _at(flash_day, 12), "Flash sale 11.11: 24 hours", "promo", "promo")
    )
    campaigns.append(Campaign("bf-early-2026", _at(TEASER_DAY, 9), "Black Friday early access", "", "teaser"))
    resend_day = _day(dt.date(2026, 6, 9))
    campaigns.append(
        Campaign(
            f"promo-{_iso_tag(resend_day - 2)}-resend",
            _at(resend_day, 9),
            "",
            "promo",
            "resend",
            listed=False,
        )
    )
    campaigns.sort(key=lambda c: (c.sent, c.campaign_id))
    return campaigns


def _monthly_campaigns(month: dt.date) -> list[Campaign]:
    """Order confirmations (from the 1st), welcome series (1st Friday) and cart reminders (2nd Friday)."""
    tag = f"{month:%Y-%m}"
    first_friday = _day(month) + (4 - month.weekday()) % 7
    found = []
    if _day(month) >= FIRST_SEND_DAY - 31:
        start = max(_day(month), FIRST_SEND_DAY)
        found.append(
            Campaign(f"svc-orders-{tag}", _at(start, 0), f"Order confirmations {tag}", "service", "service")
        )
    for day, kind, email_type, name in (
        (first_friday, "welcome", "welcome", f"Welcome series {tag}"),
        (first_friday + 7, "cart", "cart_abandonment", f"Cart reminders {tag}"),
    ):
        if FIRST_SEND_DAY <= day <= AS_OF_DAY and day != TEASER_DAY:
            found.append(Campaign(f"{kind}-{tag}", _at(day, 11), name, email_type, kind))
    return found


# --------------------------------------------------------------------------------------------------------
# Sending: audiences, outcomes and events

BOUNCE, OPEN, CLICK, UNSUB, COMPLAINT = 1, 2, 4, 8, 16
PROSPECT_MISTAKES = {_day(dt.date(2026, 6, 14)): 25, TEASER_DAY: 30}  # campaign day -> prospects mailed
LOYALTY_MISTAKES = {_day(dt.date(2026, 7, 22)): 10, _day(dt.date(2026, 10, 28)): 12}
TEASER_MISTAKES = {"objected": 6, "expired": 15, "not_informed": 10}
GHOSTS_DAY = AS_OF_DAY - 7  # a promotion with events of contact ids missing from contacts.csv
GHOSTS = 6
RESEND_SIZE = 15
NEVER_IN_MISTAKES = ("mobile_app", "wifi_hotspot")


def _pick(rng: random.Random, pool: list[int], expected: float) -> list[int]:
    """`expected` members of `pool` at random, rounded stochastically: shares stay exact per campaign."""
    return rng.sample(pool, min(len(pool), int(expected + rng.random())))


def _split_pick(
    rng: random.Random, engaged: list[int], dormant: list[int], expected: float, dormant_share: float
) -> tuple[list[int], list[int]]:
    """`expected` members in all, about a `dormant_share` of them from the dormant pool; when one pool runs
    short, the other makes up the difference, so the total stays exact."""
    count = int(expected + rng.random())
    from_dormant = min(len(dormant), max(int(count * dormant_share + rng.random()), count - len(engaged)))
    from_engaged = min(len(engaged), count - from_dormant)
    return rng.sample(engaged, from_engaged), rng.sample(dormant, from_dormant)


def _joined(pair: tuple[list[int], list[int]]) -> list[int]:
    return pair[0] + pair[1]


def _delay(rng: random.Random, quick: bool = False) -> int:
    """Seconds from delivery to a reaction: most within 6 h, some the next day, a tail up to 3 days.

    Unsubscribes and complaints (`quick`) come within 30 h, so they always precede the next marketing
    campaign (two days later at the earliest).
    """
    u = rng.random() * (0.88 if quick else 1.0)
    if u < 0.6:
        return int(21600 * rng.random() ** 2)
    if u < 0.88:
        return 21600 + int(86400 * rng.random())
    return 108000 + int(144000 * rng.random())


class _Stamps:
    """Fast `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM:SS` formatting of day numbers and seconds."""

    def __init__(self) -> None:
        self.days = [_date(day).isoformat() for day in range(AS_OF_DAY + 8)]
        self.hms = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]

    def __call__(self, second: int) -> str:
        day, rest = divmod(second, _DAY)
        return f"{self.days[day]}T{self.hms[rest]}"


class _Mailer:
    """Replays the 40 weeks campaign by campaign, writing events and recording opt-outs and clicks."""

    def __init__(
        self, rng: random.Random, contacts: list[Contact], scale: float, write: Callable[[list[str]], None]
    ) -> None:
        self.rng = rng
        self.contacts = contacts
        self.scale = scale
        self.write = write
        self.stamp = _Stamps()
        self.retention = Retention()
        self.waiting = sorted((c for c in contacts if c.group), key=lambda c: (c.eligible, c.cid))
        self.next_waiting = 0
        self.active: list[Contact] = []

    def run(self, campaigns: list[Campaign]) -> None:
        for campaign in campaigns:
            if campaign.kind == "service":
                self._service(campaign)
            else:
                self._mail(campaign, self._sends(campaign))

    # audiences

    def _lawful_audience(self, campaign: Campaign) -> list[Contact]:
        """Contacts the brand may mail: lawful basis, no opposition, within retention."""
        day = campaign.sent // _DAY
        while self.next_waiting < len(self.waiting) and self.waiting[self.next_waiting].eligible <= day:
            self.active.append(self.waiting[self.next_waiting])
            self.next_waiting += 1
        still_active, audience = [], []
        for contact in self.active:
            if contact.opposed is not None and contact.opposed <= campaign.sent:
                continue
            still_active.append(contact)
            if contact.opposed is not None and contact.opposed <= campaign.sent + PENDING_OPPOSITION_S:
                continue
            if contact.group == "wifi_hotspot" and day >= WIFI_STOP_DAY:
                continue
            if not self.retention.expired(contact, day):
                audience.append(contact)
        self.active = still_active
        audience.sort(key=lambda c: c.cid)
        return audience

    def _sends(self, campaign: Campaign) -> list[tuple[Contact, str]]:
        day = campaign.sent // _DAY
        audience = self._lawful_audience(campaign)
        if campaign.kind == "welcome":
            audience = [c for c in audience if c.group == "opt_in" and c.collected > day - 35]
        elif campaign.kind == "cart":
            audience = [c for c in audience if c.group == "opt_in" and self.rng.random() < 0.04]
        elif campaign.kind == "resend":
            opt_ins = [c for c in audience if c.group == "opt_in"]
            audience = sorted(self.rng.sample(opt_ins, min(RESEND_SIZE, len(opt_ins))), key=lambda c: c.cid)
        sends: list[tuple[Contact, str]] = []
        if campaign.kind == "loyalty":
            without = [c for c in audience if c.loyalty != "true"]
            mistaken = self.rng.sample(without, min(self._scaled(LOYALTY_MISTAKES.get(day, 0)), len(without)))
            chosen = set(map(id, mistaken))
            sends = [
                (c, "violation" if id(c) in chosen else c.group)
                for c in audience
                if c.loyalty == "true" or id(c) in chosen
            ]
        else:
            sends = [(c, c.group) for c in audience]
        sends.extend((c, "violation") for c in self._mistakes(campaign, day))
        if day == GHOSTS_DAY and campaign.kind == "promo":
            sends.extend(
                (Contact(f"C999{k:04d}", "unknown", "none", day), "ghost") for k in range(1, GHOSTS + 1)
            )
        return sends

    def _scaled(self, count: int) -> int:
        return round(count * self.scale)

    def _mistakes(self, campaign: Campaign, day: int) -> list[Contact]:
        """Unlawful sends on purpose: prospects, objected, expired and not-informed contacts."""
        picked: list[Contact] = []
        if campaign.kind != "teaser" and not (campaign.kind == "promo" and day in PROSPECT_MISTAKES):
            return picked
        candidates = [
            c
            for c in self.contacts
            if c.collected <= day
            and c.source not in NEVER_IN_MISTAKES
            and (c.opposed is None or c.opposed > campaign.sent + PENDING_OPPOSITION_S)
        ]
        pools: list[tuple[list[Contact], int]] = []
        prospects = [
            c
            for c in candidates
            if c.source == "newsletter_signup"
            and c.consent == "none"
            and day <= self.retention.limit(c, day) - PURGE_MARGIN_DAYS
        ]
        pools.append((prospects, PROSPECT_MISTAKES.get(day, 0)))
        if campaign.kind == "teaser":
            retention = self.retention
            pools.append(([c for c in candidates if c.consent == "objected"], TEASER_MISTAKES["objected"]))
            expired = [c for c in candidates if c.group is not None and day > retention.limit(c, day) + 30]
            pools.append((expired, TEASER_MISTAKES["expired"]))
            not_informed = [
                c
                for c in candidates
                if c.consent == "none"
                and c.informed == "false"
                and c.orders
                and c.orders[0] <= day
                and day <= retention.limit(c, day) - PURGE_MARGIN_DAYS
            ]
            pools.append((not_informed, TEASER_MISTAKES["not_informed"]))
        for pool, count in pools:
            picked.extend(self.rng.sample(pool, min(self._scaled(count), len(pool))))
        return sorted(picked, key=lambda c: c.cid)

    # outcomes and events

    def _outcomes(self, sends: list[tuple[Contact, str]]) -> bytearray:
        """Exact per-campaign shares of bounces, openers, clickers, unsubscribers, complainers per group."""
        rng = self.rng
        flags = bytearray(len(sends))
        groups: dict[str, list[int]] = {}
        for index, (_, group) in enumerate(sends):
            groups.setdefault(group, []).append(index)
        for group in sorted(groups):
            profile, indices = PROFILES[group], groups[group]
            bounced = set(_pick(rng, indices, len(indices) * BOUNCE_RATE))
            delivered = [i for i in indices if i not in bounced]
            n = len(delivered)
            engaged = [i for i in delivered if not sends[i][0].dormant]
            dormant = [i for i in delivered if sends[i][0].dormant]
            engaged_openers, dormant_openers = _split_pick(
                rng, engaged, dormant, n * profile.open, DORMANT_OPENERS
            )
            openers = engaged_openers + dormant_openers
            clickers = set(
                _joined(_split_pick(rng, engaged_openers, dormant_openers, n * profile.click, 0.0))
            )
            engaged = [i for i in engaged if i not in clickers]
            dormant = [i for i in dormant if i not in clickers]
            unsubscribers = set(
                _joined(_split_pick(rng, engaged, dormant, n * profile.unsub, DORMANT_OPPOSERS))
            )
            engaged = [i for i in engaged if i not in unsubscribers]
            dormant = [i for i in dormant if i not in unsubscribers]
            complainers = _joined(_split_pick(rng, engaged, dormant, n * profile.complaint, DORMANT_OPPOSERS))
            for i in bounced:
                flags[i] = BOUNCE
            for bit, members in (
                (OPEN, openers),
                (CLICK, clickers),
                (UNSUB, unsubscribers),
                (COMPLAINT, complainers),
            ):
                for i in members:
                    flags[i] |= bit
        return flags

    def _mail(self, campaign: Campaign, sends: list[tuple[Contact, str]]) -> None:
        """Events of one marketing campaign, send by send; ESP throughput spreads the `sent` times."""
        rng, stamp = self.rng, self.stamp
        flags = self._outcomes(sends)
        lines: list[str] = []
        for index, (contact, _) in enumerate(sends):
            prefix = f"{campaign.campaign_id},{contact.cid},"
            sent = campaign.sent + index // SEND_RATE
            lines.append(f"{prefix}sent,{stamp(sent)},")
            arrived = sent + 1 + int(rng.random() * 20)
            outcome = flags[index]
            if outcome & BOUNCE:
                lines.append(f"{prefix}bounce,{stamp(arrived)},")
                continue
            lines.append(f"{prefix}delivered,{stamp(arrived)},")
            if contact.mpp:
                lines.append(f"{prefix}open,{stamp(arrived + 20 + int(rng.random() * 900))},true")
            if outcome:
                self._reactions(lines, prefix, contact, outcome, arrived, campaign.sent)
        self.write(lines)

    def _reactions(
        self, lines: list[str], prefix: str, contact: Contact, outcome: int, arrived: int, sent: int
    ) -> None:
        """Open(s), click(s), unsubscribe and complaint of one delivered send; nothing after the export."""
        rng, stamp = self.rng, self.stamp
        at = arrived + _delay(rng, quick=bool(outcome & (UNSUB | COMPLAINT)))
        if at > CUTOFF_S:
            return
        if outcome & OPEN:
            lines.append(f"{prefix}open,{stamp(at)},false")
            again = at + 600 + int(rng.random() * 86400)
            if rng.random() < 0.2 and again <= min(CUTOFF_S, sent + 3 * _DAY):
                lines.append(f"{prefix}open,{stamp(again)},false")
        if outcome & CLICK:
            click = at + 3 + int(rng.random() * 300)
            while click <= CUTOFF_S:
                lines.append(f"{prefix}click,{stamp(click)},")
                contact.clicks.append(click // _DAY)
                if rng.random() >= 0.3:
                    break
                click += 10 + int(rng.random() * 1200)
        for bit, event in ((UNSUB, "unsubscribe"), (COMPLAINT, "complaint")):
            when = at + 5 + int(rng.random() * 120)
            if outcome & bit and when <= CUTOFF_S:
                lines.append(f"{prefix}{event},{stamp(when)},")
                contact.opposed = when if contact.opposed is None else min(contact.opposed, when)
                if bit == UNSUB and rng.random() < 0.5:  # the CRM got the opt-out too
                    day = when // _DAY
                    contact.opted_out = day if contact.opted_out is None else min(contact.opted_out, day)

    def _service(self, campaign: Campaign) -> None:
        """Order confirmations: one send per client and month, on the day of the month's first order."""
        rng, stamp = self.rng, self.stamp
        start = campaign.sent // _DAY
        end = min(AS_OF_DAY, _day((_date(start).replace(day=1) + dt.timedelta(days=32)).replace(day=1)) - 1)
        sends = []
        for contact in self.contacts:
            position = bisect.bisect_left(contact.orders, start)
            if position < len(contact.orders) and contact.orders[position] <= end:
                sends.append((contact.orders[position], contact.cid, contact))
        sends.sort(key=lambda send: (send[0], send[1]))
        lines: list[str] = []
        for day, cid, contact in sends:
            prefix = f"{campaign.campaign_id},{cid},"
            sent = _at(day, 8) + int(rng.random() * 14 * 3600)
            lines.append(f"{prefix}sent,{stamp(sent)},")
            arrived = sent + 1 + int(rng.random() * 20)
            if rng.random() < BOUNCE_RATE:
                lines.append(f"{prefix}bounce,{stamp(arrived)},")
                continue
            lines.append(f"{prefix}delivered,{stamp(arrived)},")
            if contact.mpp:
                lines.append(f"{prefix}open,{stamp(arrived + 20 + int(rng.random() * 900))},true")
            opened = arrived + _delay(rng)
            if rng.random() < SERVICE_PROFILE.open and opened <= CUTOFF_S:
                lines.append(f"{prefix}open,{stamp(opened)},false")
                clicked = opened + 3 + int(rng.random() * 300)
                if rng.random() < SERVICE_PROFILE.click / SERVICE_PROFILE.open and clicked <= CUTOFF_S:
                    lines.append(f"{prefix}click,{stamp(clicked)},")
                    contact.clicks.append(clicked // _DAY)
        self.write(lines)


# --------------------------------------------------------------------------------------------------------
# Aggregated marketplace reports


def _count(rng: random.Random, expected: float) -> int:
    return int(expected + rng.random())


def _campaign_stats(rng: random.Random, scale: float, stamp: _Stamps) -> list[list[str]]:
    """Weekly marketplace reports per basis: promotions with ~55 % dissatisfaction, then, in the last four
    weeks, editorial newsletters with brand-level engagement and ~8 %."""
    rows = []
    for week in range(HISTORY_WEEKS):
        sunday = FIRST_SEND_DAY + 7 * week
        current = sunday >= WINDOW_START_DAY
        email_type = "newsletter" if current else "promo"
        soft = MARKETPLACE_PROFILES["current" if current else "previous"]
        for basis, profile, size in (
            ("opt_in", MARKETPLACE_PROFILES["opt_in"], 380),
            ("soft_opt_in", soft, 620),
        ):
            delivered = max(300, round(size * scale * (0.9 + 0.2 * rng.random())))
            sent = round(delivered / (1 - BOUNCE_RATE))
            counts = [_count(rng, delivered * rate) for rate in (profile.open, profile.click)]
            counts += [_count(rng, delivered * rate) for rate in (profile.unsub, profile.complaint)]
            rows.append(
                [f"mkp-{_iso_tag(sunday)}", stamp(_at(sunday, 11)), "marketplace", basis, str(delivered)]
                + [str(value) for value in counts]
                + [str(sent), str(sent - delivered), email_type]
            )
    return rows


# --------------------------------------------------------------------------------------------------------
# Files


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
    contacts = _make_contacts(rng, scale)
    _add_opt_outs(rng, contacts, Retention())
    orders = _make_orders(rng, contacts)
    campaigns = _schedule()
    with _GzCsv(paths["events"], CSV_COLUMNS["events"]) as events:
        mailer = _Mailer(rng, contacts, scale, events.write)
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
        out.rows(_campaign_stats(rng, scale, mailer.stamp))
    return list(paths.values())
