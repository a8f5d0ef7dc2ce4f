"""The 40 weeks replayed campaign by campaign: who is mailed (the lawful audience, and the deliberate mistakes),
what each send becomes (exact shares of bounces, opens, clicks, unsubscribes and complaints per group), and the
events written in send order; then the marketplace's aggregated weekly reports."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Callable

from analytics.demo.brand import (
    AS_OF_DAY,
    BOUNCE_RATE,
    CUTOFF_S,
    DAY,
    DORMANT_OPENERS,
    DORMANT_OPPOSERS,
    FIRST_SEND_DAY,
    HISTORY_WEEKS,
    MARKETPLACE_PROFILES,
    PENDING_OPPOSITION_S,
    PROFILES,
    PURGE_MARGIN_DAYS,
    SEND_RATE,
    SERVICE_PROFILE,
    TEASER_DAY,
    WIFI_STOP_DAY,
    WINDOW_START_DAY,
    date_of,
    day_of,
)
from analytics.demo.campaigns import Campaign, iso_tag, moment
from analytics.demo.people import Contact, Retention

BOUNCE, OPEN, CLICK, UNSUB, COMPLAINT = 1, 2, 4, 8, 16
PROSPECT_MISTAKES = {day_of(dt.date(2026, 6, 14)): 25, TEASER_DAY: 30}  # campaign day -> prospects mailed
LOYALTY_MISTAKES = {day_of(dt.date(2026, 7, 22)): 10, day_of(dt.date(2026, 10, 28)): 12}
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


class Stamps:
    """Fast `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM:SS` formatting of day numbers and seconds."""

    def __init__(self) -> None:
        self.days = [date_of(day).isoformat() for day in range(AS_OF_DAY + 8)]
        self.hms = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]

    def __call__(self, second: int) -> str:
        day, rest = divmod(second, DAY)
        return f"{self.days[day]}T{self.hms[rest]}"


class Mailer:
    """Replays the 40 weeks campaign by campaign, writing events and recording opt-outs and clicks."""

    def __init__(
        self, rng: random.Random, contacts: list[Contact], scale: float, write: Callable[[list[str]], None]
    ) -> None:
        self.rng = rng
        self.contacts = contacts
        self.scale = scale
        self.write = write
        self.stamp = Stamps()
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
        day = campaign.sent // DAY
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
        day = campaign.sent // DAY
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
            if rng.random() < 0.2 and again <= min(CUTOFF_S, sent + 3 * DAY):
                lines.append(f"{prefix}open,{stamp(again)},false")
        if outcome & CLICK:
            click = at + 3 + int(rng.random() * 300)
            while click <= CUTOFF_S:
                lines.append(f"{prefix}click,{stamp(click)},")
                contact.clicks.append(click // DAY)
                if rng.random() >= 0.3:
                    break
                click += 10 + int(rng.random() * 1200)
        for bit, event in ((UNSUB, "unsubscribe"), (COMPLAINT, "complaint")):
            when = at + 5 + int(rng.random() * 120)
            if outcome & bit and when <= CUTOFF_S:
                lines.append(f"{prefix}{event},{stamp(when)},")
                contact.opposed = when if contact.opposed is None else min(contact.opposed, when)
                if bit == UNSUB and rng.random() < 0.5:  # the CRM got the opt-out too
                    day = when // DAY
                    contact.opted_out = day if contact.opted_out is None else min(contact.opted_out, day)

    def _service(self, campaign: Campaign) -> None:
        """Order confirmations: one send per client and month, on the day of the month's first order."""
        rng, stamp = self.rng, self.stamp
        start = campaign.sent // DAY
        end = min(
            AS_OF_DAY, day_of((date_of(start).replace(day=1) + dt.timedelta(days=32)).replace(day=1)) - 1
        )
        sends = []
        for contact in self.contacts:
            position = bisect.bisect_left(contact.orders, start)
            if position < len(contact.orders) and contact.orders[position] <= end:
                sends.append((contact.orders[position], contact.cid, contact))
        sends.sort(key=lambda send: (send[0], send[1]))
        lines: list[str] = []
        for day, cid, contact in sends:
            prefix = f"{campaign.campaign_id},{cid},"
            sent = moment(day, 8) + int(rng.random() * 14 * 3600)
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
                    contact.clicks.append(clicked // DAY)
        self.write(lines)


# --------------------------------------------------------------------------------------------------------
# Aggregated marketplace reports


def _count(rng: random.Random, expected: float) -> int:
    return int(expected + rng.random())


def campaign_stats(rng: random.Random, scale: float, stamp: Stamps) -> list[list[str]]:
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
                [f"mkp-{iso_tag(sunday)}", stamp(moment(sunday, 11)), "marketplace", basis, str(delivered)]
                + [str(value) for value in counts]
                + [str(sent), str(sent - delivered), email_type]
            )
    return rows
