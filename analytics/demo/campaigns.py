"""The campaign calendar of the 40 weeks: a promotion every Sunday, a newsletter every other Wednesday, five loyalty
emails, the monthly welcome series, cart reminders and order confirmations, the 11.11 flash sale, the Black Friday
teaser and a re-send missing from campaigns.csv."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from analytics.demo.brand import (
    AS_OF_DAY,
    DAY,
    DEMO_AS_OF,
    FIRST_SEND_DAY,
    HISTORY_WEEKS,
    PROMO_THEMES,
    TEASER_DAY,
    date_of,
    day_of,
)


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    sent: int  # seconds since EPOCH
    name: str
    email_type: str  # as exported ('' for the teaser)
    kind: str  # promo, newsletter, loyalty, welcome, cart, teaser, resend, service
    listed: bool = True  # present in campaigns.csv


def moment(day: int, hour: int, minute: int = 0) -> int:
    return day * DAY + hour * 3600 + minute * 60


def iso_tag(day: int) -> str:
    year, week, _ = date_of(day).isocalendar()
    return f"{year}-{week:02d}"


def schedule() -> list[Campaign]:
    """Every campaign of the 40 weeks, by send time: marketing ones at least two days apart."""
    campaigns = []
    for week in range(HISTORY_WEEKS):
        sunday = FIRST_SEND_DAY + 7 * week
        theme = PROMO_THEMES[week % len(PROMO_THEMES)]
        campaigns.append(
            Campaign(f"promo-{iso_tag(sunday)}", moment(sunday, 10), f"Promo: {theme}", "promo", "promo")
        )
        wednesday = sunday + 3
        if week % 2 == 0 and wednesday <= AS_OF_DAY:
            issue = week // 2 + 1
            name = f"Le Journal Lumen #{issue}"
            campaigns.append(
                Campaign(f"news-{iso_tag(wednesday)}", moment(wednesday, 8), name, "newsletter", "newsletter")
            )
        elif week in (5, 13, 21, 29, 35):
            name = "Lumen Club: your points and members' offers"
            campaigns.append(
                Campaign(f"loyalty-{iso_tag(wednesday)}", moment(wednesday, 9), name, "loyalty", "loyalty")
            )
    month = date_of(FIRST_SEND_DAY).replace(day=1)
    while month <= DEMO_AS_OF:
        campaigns.extend(_monthly_campaigns(month))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    flash_day = day_of(dt.date(2026, 11, 11))
    campaigns.append(
        Campaign("flash-2026-11-11", moment(flash_day, 12), "Flash sale 11.11: 24 hours", "promo", "promo")
    )
    campaigns.append(
        Campaign("bf-early-2026", moment(TEASER_DAY, 9), "Black Friday early access", "", "teaser")
    )
    resend_day = day_of(dt.date(2026, 6, 9))
    campaigns.append(
        Campaign(
            f"promo-{iso_tag(resend_day - 2)}-resend",
            moment(resend_day, 9),
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
    first_friday = day_of(month) + (4 - month.weekday()) % 7
    found = []
    if day_of(month) >= FIRST_SEND_DAY - 31:
        start = max(day_of(month), FIRST_SEND_DAY)
        found.append(
            Campaign(
                f"svc-orders-{tag}", moment(start, 0), f"Order confirmations {tag}", "service", "service"
            )
        )
    for day, kind, email_type, name in (
        (first_friday, "welcome", "welcome", f"Welcome series {tag}"),
        (first_friday + 7, "cart", "cart_abandonment", f"Cart reminders {tag}"),
    ):
        if FIRST_SEND_DAY <= day <= AS_OF_DAY and day != TEASER_DAY:
            found.append(Campaign(f"{kind}-{tag}", moment(day, 11), name, email_type, kind))
    return found
