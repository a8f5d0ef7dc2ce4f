"""The recommendation policy of SPEC §8: one action per cohort and window, with the reasons behind it.

Each rule produces the sentences the marketer reads, with the figures and the thresholds it compared; pages
and reports show these sentences and never rebuild them. The figures and thresholds in them are written by
analytics/vocabulary.py, as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.settings import Settings

# How a figure and a threshold read is the vocabulary's; percent and threshold stay importable from here.
from analytics.vocabulary import percent as percent
from analytics.vocabulary import threshold as threshold
from analytics.vocabulary import versus


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    meaning: str


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("stop", "Stop", "Stop sending marketing emails to this cohort."),
        Action(
            "editorial_only",
            "Editorial only",
            "Stop promotional emails; send only 100% editorial newsletters until the rates recover.",
        ),
        Action("reduce", "Reduce", "Reduce the commercial pressure: engagement is below the brand's."),
        Action("hold", "Hold", "Keep the current pressure and look at content and segmentation."),
        Action("ramp_up", "Ramp up", "The brand may increase the sending rhythm, monitoring as it goes."),
        Action(
            "reintroduce_promos",
            "Reintroduce promos",
            "The rates recovered: reintroduce promotions, with some editorial content.",
        ),
        Action(
            "welcome_first",
            "Welcome first",
            "Never mailed: start with a welcome series (2–3 emails with a visible unsubscribe link), "
            "then editorial newsletters, then promotions.",
        ),
        Action("no_recent_sends", "No recent sends", "Mailed before, but not in this window."),
        Action("insufficient_data", "Insufficient data", "Too little data in the window to recommend."),
        Action("no_cohort", "No cohort", "This source has no soft-opt-in clients."),
    )
}


@dataclass(frozen=True)
class CohortFigures:
    """What the policy reads for one cohort and window (counts and fractions; None = no data)."""

    collection_source: str
    ever_sent: bool
    send_rows: int
    soft_opt_in_contacts: int
    delivered: int
    clickers: int
    unsubscribers: int
    complaint_rate: float | None
    dissatisfaction_rate: float | None
    open_ratio: float | None
    click_ratio: float | None


@dataclass(frozen=True)
class Recommendation:
    action: str
    rule: str
    reasons: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return ACTIONS[self.action].label


def ratio_in_line(ratio: float | None, tolerance: float) -> bool:
    """One engagement ratio (cohort rate ÷ brand rate) is in line at or above the tolerance; a null ratio
    (baseline rate 0 or null) counts as in line (SPEC §8)."""
    return ratio is None or ratio >= tolerance


def engagement_in_line(f: CohortFigures, s: Settings) -> bool:
    """Engagement is in line with the brand (SPEC §8) when both the open and the click ratio are: what tells
    hold from editorial_only (rule 5) and ramp_up or reintroduce_promos from reduce (rule 6)."""
    return ratio_in_line(f.open_ratio, s.engagement_tolerance) and ratio_in_line(
        f.click_ratio, s.engagement_tolerance
    )


def _engagement_sentences(f: CohortFigures, s: Settings) -> tuple[list[str], list[str]]:
    """(shortfalls, in-line statements) for the open and click ratios against the tolerance: the words of
    `ratio_in_line`, which decides."""
    short, fine = [], []
    for label, ratio in (("open", f.open_ratio), ("click", f.click_ratio)):
        if ratio is None:
            fine.append(
                f"the {label} ratio cannot be computed (the brand's {label} rate is 0 or unknown), "
                "which counts as in line"
            )
        elif not ratio_in_line(ratio, s.engagement_tolerance):
            shown, limit = versus(ratio, s.engagement_tolerance, 0)
            short.append(f"its {label} rate is {shown} of the brand's (below the {limit} tolerance)")
        else:
            shown, limit = versus(ratio, s.engagement_tolerance, 0)
            fine.append(f"its {label} rate is {shown} of the brand's (at least {limit})")
    return short, fine


def _complaint_warnings(f: CohortFigures, s: Settings) -> tuple[str, ...]:
    if f.complaint_rate is not None and f.complaint_rate >= s.complaint_warn:
        shown, limit = versus(f.complaint_rate, s.complaint_warn, 2)
        return (
            f"Complaint rate {shown} reaches the {limit} that mailbox providers ask bulk senders to stay below.",
        )
    return ()


def recommend(f: CohortFigures, s: Settings, previous_action: str | None = None) -> Recommendation:
    """The first matching rule of SPEC §8. previous_action is the previous window's action (None: no look-back)."""
    dissat = f.dissatisfaction_rate
    warnings = _complaint_warnings(f, s)

    if not f.ever_sent:
        if f.soft_opt_in_contacts > 0:
            return Recommendation(
                "welcome_first",
                "1",
                (
                    f"No soft-opt-in marketing email has ever been sent to {f.soft_opt_in_contacts} soft-opt-in "
                    "client(s) of this source: start with a welcome series (2–3 emails with a visible unsubscribe "
                    "link), then editorial newsletters, then promotions.",
                ),
                warnings,
            )
        return Recommendation(
            "no_cohort",
            "1",
            ("This source has no soft-opt-in clients and none was ever mailed under soft opt-in.",),
            warnings,
        )

    if f.send_rows == 0:
        return Recommendation(
            "no_recent_sends",
            "2",
            ("Soft-opt-in clients of this source were mailed before, but not in this window.",),
            warnings,
        )

    reactions = f.clickers + f.unsubscribers
    if f.delivered < s.min_delivered or reactions < s.min_reactions or dissat is None:
        reasons = []
        if f.delivered < s.min_delivered:
            reasons.append(
                f"Only {f.delivered} email(s) delivered in the window; at least {s.min_delivered} "
                "are needed to judge a cohort."
            )
        if reactions < s.min_reactions:
            reasons.append(
                f"Only {reactions} reaction(s) (clickers + unsubscribers) in the window; at least "
                f"{s.min_reactions} are needed."
            )
        if dissat is None:
            reasons.append("The dissatisfaction rate cannot be computed: nobody clicked or unsubscribed.")
        return Recommendation("insufficient_data", "3", tuple(reasons), warnings)

    stop_reasons = []
    if dissat > s.stop_above:
        shown, limit = versus(dissat, s.stop_above)
        stop_reasons.append(
            f"Dissatisfaction rate {shown} is above the stop threshold of {limit}: deliverability problems are likely."
        )
    if f.complaint_rate is not None and f.complaint_rate >= s.complaint_stop:
        shown, limit = versus(f.complaint_rate, s.complaint_stop, 2)
        stop_reasons.append(f"Complaint rate {shown} reaches the {limit} limit of mailbox providers.")
    if stop_reasons:
        return Recommendation("stop", "4", tuple(stop_reasons), warnings)

    short, fine = _engagement_sentences(f, s)
    in_line = engagement_in_line(f, s)
    if dissat >= s.ramp_up_below:
        shown, low = versus(dissat, s.ramp_up_below)
        shown_high, high = versus(dissat, s.stop_above)
        shown = max(shown, shown_high, key=len)
        band = (
            f"Dissatisfaction rate {shown} is at least {low} and at most {high}: dissatisfaction is starting "
            "(look at content and segmentation)."
        )
        if not in_line:
            return Recommendation(
                "editorial_only",
                "5",
                (
                    band,
                    f"Engagement is low: {'; '.join(short)}. Send only editorial newsletters until the "
                    "rates recover.",
                ),
                warnings,
            )
        return Recommendation(
            "hold",
            "5",
            (
                band,
                f"Engagement is in line with the brand: {'; '.join(fine)}. Keep the pressure and look at "
                "content and segmentation.",
            ),
            warnings,
        )

    shown, limit = versus(dissat, s.ramp_up_below)
    satisfied = f"Dissatisfaction rate {shown} is below {limit}: the audience is satisfied."
    complaint_ok = f.complaint_rate is None or f.complaint_rate < s.complaint_warn
    if in_line and complaint_ok:
        engagement = f"Engagement is in line with the brand: {'; '.join(fine)}."
        if f.complaint_rate is None:
            complaints = "No complaint rate could be computed."
        else:
            shown, limit = versus(f.complaint_rate, s.complaint_warn, 2)
            complaints = f"Complaint rate {shown} is below {limit}."
        if previous_action in ("editorial_only", "stop"):
            return Recommendation(
                "reintroduce_promos",
                "6",
                (
                    satisfied,
                    engagement,
                    complaints,
                    f"The previous window's action was {ACTIONS[previous_action].label.lower()}: reintroduce "
                    "promotions with some editorial content.",
                ),
                warnings,
            )
        return Recommendation("ramp_up", "6", (satisfied, engagement, complaints), warnings)
    reasons = [satisfied]
    if not in_line:
        reasons.append(f"But engagement is low: {'; '.join(short)}.")
    if not complaint_ok:
        shown, limit = versus(f.complaint_rate, s.complaint_warn, 2)
        reasons.append(f"But the complaint rate {shown} reaches {limit}: do not increase the pressure.")
    return Recommendation("reduce", "6", tuple(reasons), warnings)
