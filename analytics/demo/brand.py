"""Maison Lumen's plan, in numbers: the calendar of the 40 weeks, how each group of contacts behaves, each
collection source's plan, its registry of sources and its catalogue. Days count from EPOCH; times are seconds
since then."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# --------------------------------------------------------------------------------------------------------
# Calendar and rates

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

EPOCH = dt.date(2022, 1, 1)
DAY = 86400


def day_of(d: dt.date) -> int:
    return (d - EPOCH).days


def date_of(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=day)


AS_OF_DAY = day_of(DEMO_AS_OF)
FIRST_SEND_DAY = AS_OF_DAY - 7 * (HISTORY_WEEKS - 1)  # Sunday 2026-02-22, the first weekly promotion
COLLECT_START_DAY = day_of(dt.date(2022, 5, 15))
WIFI_STOP_DAY = AS_OF_DAY - 70  # the last send to wifi_hotspot soft-opt-in clients is before this day
WINDOW_START_DAY = AS_OF_DAY - 27
TEASER_DAY = AS_OF_DAY - 2  # Friday: "Black Friday early access", exported without email_type
CUTOFF_S = (AS_OF_DAY + 1) * DAY - 1  # the export is taken at the end of DEMO_AS_OF


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
        since=day_of(dt.date(2025, 6, 1)),
        growth=0.6,
        order_later=0.55,
    ),
    SourcePlan(
        "contest",
        2400,
        (0.17, 0.78, 0.05),
        growth=0.6,
        order_later=0.42,
        soft_mailed_from=day_of(dt.date(2026, 6, 1)),
    ),
    SourcePlan(
        "mobile_app",
        2400,
        (0.12, 0.83, 0.05),
        since=day_of(dt.date(2023, 3, 1)),
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
