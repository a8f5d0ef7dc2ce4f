"""The recommendation policy of SPEC §8: one action per cohort and window, with the reasons behind it.

Each rule produces the sentences the marketer reads, with the figures and the thresholds it compared; pages
and reports show these sentences and never rebuild them. The figures and thresholds in them are written by
analytics/vocabulary.py, as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.i18n import N_, _, ngettext
from analytics.settings import Settings

# How a figure and a threshold read is the vocabulary's; percent and threshold stay importable from here.
from analytics.vocabulary import percent as percent
from analytics.vocabulary import threshold as threshold
from analytics.vocabulary import versus, whole


@dataclass(frozen=True)
class Action:
    """An action: its code, and its label and meaning as English texts marked for the catalog (`label_text`,
    `meaning_text`), read in the reader's language through `label` and `meaning`."""

    name: str
    label_text: str
    meaning_text: str

    @property
    def label(self) -> str:
        return _(self.label_text)

    @property
    def meaning(self) -> str:
        return _(self.meaning_text)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("stop", N_("Stop"), N_("Stop sending marketing emails to this cohort.")),
        Action(
            "editorial_only",
            N_("Editorial only"),
            N_("Stop promotional emails; send only 100% editorial newsletters until the rates recover."),
        ),
        Action(
            "reduce", N_("Reduce"), N_("Reduce the commercial pressure: engagement is below the brand's.")
        ),
        Action("hold", N_("Hold"), N_("Keep the current pressure and look at content and segmentation.")),
        Action(
            "ramp_up", N_("Ramp up"), N_("The brand may increase the sending rhythm, monitoring as it goes.")
        ),
        Action(
            "reintroduce_promos",
            N_("Reintroduce promos"),
            N_("The rates recovered: reintroduce promotions, with some editorial content."),
        ),
        Action(
            "welcome_first",
            N_("Welcome first"),
            N_(
                "Never mailed: start with a welcome series (2–3 emails with a visible unsubscribe link), "
                "then editorial newsletters, then promotions."
            ),
        ),
        Action("no_recent_sends", N_("No recent sends"), N_("Mailed before, but not in this window.")),
        Action(
            "insufficient_data", N_("Insufficient data"), N_("Too little data in the window to recommend.")
        ),
        Action("no_cohort", N_("No cohort"), N_("This source has no soft-opt-in clients.")),
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


def _joined(phrases: list[str]) -> str:
    # Translators: what separates two phrases in a sentence (French: a no-break space before the semicolon).
    return _("; ").join(phrases)


def _engagement_phrases(label: str, ratio: float | None, s: Settings) -> tuple[bool, str]:
    """(in line, the phrase saying so) for the open or the click ratio: whole phrases per rate, so that each
    reads in the reader's language."""
    if ratio is None:
        if label == "open":
            return True, _(
                "the open ratio cannot be computed (the brand's open rate is 0 or unknown), which counts as in line"
            )
        return True, _(
            "the click ratio cannot be computed (the brand's click rate is 0 or unknown), which counts as in line"
        )
    shown, limit = versus(ratio, s.engagement_tolerance, 0)
    if not ratio_in_line(ratio, s.engagement_tolerance):
        if label == "open":
            text = _("its open rate is {shown} of the brand's (below the {limit} tolerance)")
        else:
            text = _("its click rate is {shown} of the brand's (below the {limit} tolerance)")
        return False, text.format(shown=shown, limit=limit)
    if label == "open":
        text = _("its open rate is {shown} of the brand's (at least {limit})")
    else:
        text = _("its click rate is {shown} of the brand's (at least {limit})")
    return True, text.format(shown=shown, limit=limit)


def _engagement_sentences(f: CohortFigures, s: Settings) -> tuple[list[str], list[str]]:
    """(shortfalls, in-line statements) for the open and click ratios against the tolerance: the words of
    `ratio_in_line`, which decides."""
    short, fine = [], []
    for label, ratio in (("open", f.open_ratio), ("click", f.click_ratio)):
        in_line, phrase = _engagement_phrases(label, ratio, s)
        (fine if in_line else short).append(phrase)
    return short, fine


def _complaint_warnings(f: CohortFigures, s: Settings) -> tuple[str, ...]:
    if f.complaint_rate is not None and f.complaint_rate >= s.complaint_warn:
        shown, limit = versus(f.complaint_rate, s.complaint_warn, 2)
        return (
            _(
                "Complaint rate {shown} reaches the {limit} that mailbox providers ask bulk senders to stay below."
            ).format(shown=shown, limit=limit),
        )
    return ()


def recommend(f: CohortFigures, s: Settings, previous_action: str | None = None) -> Recommendation:
    """The first matching rule of SPEC §8. previous_action is the previous window's action (None: no look-back).
    The reasons and warnings are written in the language of the context (analytics.i18n)."""
    dissat = f.dissatisfaction_rate
    warnings = _complaint_warnings(f, s)

    if not f.ever_sent:
        if f.soft_opt_in_contacts > 0:
            return Recommendation(
                "welcome_first",
                "1",
                (
                    ngettext(
                        "No soft-opt-in marketing email has ever been sent to {count} soft-opt-in client(s) of "
                        "this source: start with a welcome series (2–3 emails with a visible unsubscribe link), "
                        "then editorial newsletters, then promotions.",
                        "No soft-opt-in marketing email has ever been sent to {count} soft-opt-in client(s) of "
                        "this source: start with a welcome series (2–3 emails with a visible unsubscribe link), "
                        "then editorial newsletters, then promotions.",
                        f.soft_opt_in_contacts,
                    ).format(count=whole(f.soft_opt_in_contacts)),
                ),
                warnings,
            )
        return Recommendation(
            "no_cohort",
            "1",
            (_("This source has no soft-opt-in clients and none was ever mailed under soft opt-in."),),
            warnings,
        )

    if f.send_rows == 0:
        return Recommendation(
            "no_recent_sends",
            "2",
            (_("Soft-opt-in clients of this source were mailed before, but not in this window."),),
            warnings,
        )

    reactions = f.clickers + f.unsubscribers
    if f.delivered < s.min_delivered or reactions < s.min_reactions or dissat is None:
        reasons = []
        if f.delivered < s.min_delivered:
            reasons.append(
                ngettext(
                    "Only {delivered} email(s) delivered in the window; at least {needed} are needed to judge "
                    "a cohort.",
                    "Only {delivered} email(s) delivered in the window; at least {needed} are needed to judge "
                    "a cohort.",
                    f.delivered,
                ).format(delivered=whole(f.delivered), needed=whole(s.min_delivered))
            )
        if reactions < s.min_reactions:
            reasons.append(
                ngettext(
                    "Only {reactions} reaction(s) (clickers + unsubscribers) in the window; at least {needed} "
                    "are needed.",
                    "Only {reactions} reaction(s) (clickers + unsubscribers) in the window; at least {needed} "
                    "are needed.",
                    reactions,
                ).format(reactions=whole(reactions), needed=whole(s.min_reactions))
            )
        if dissat is None:
            reasons.append(_("The dissatisfaction rate cannot be computed: nobody clicked or unsubscribed."))
        return Recommendation("insufficient_data", "3", tuple(reasons), warnings)

    stop_reasons = []
    if dissat > s.stop_above:
        shown, limit = versus(dissat, s.stop_above)
        stop_reasons.append(
            _(
                "Dissatisfaction rate {shown} is above the stop threshold of {limit}: deliverability problems "
                "are likely."
            ).format(shown=shown, limit=limit)
        )
    if f.complaint_rate is not None and f.complaint_rate >= s.complaint_stop:
        shown, limit = versus(f.complaint_rate, s.complaint_stop, 2)
        stop_reasons.append(
            _("Complaint rate {shown} reaches the {limit} limit of mailbox providers.").format(
                shown=shown, limit=limit
            )
        )
    if stop_reasons:
        return Recommendation("stop", "4", tuple(stop_reasons), warnings)

    short, fine = _engagement_sentences(f, s)
    in_line = engagement_in_line(f, s)
    if dissat >= s.ramp_up_below:
        shown, low = versus(dissat, s.ramp_up_below)
        shown_high, high = versus(dissat, s.stop_above)
        shown = max(shown, shown_high, key=len)
        band = _(
            "Dissatisfaction rate {shown} is at least {low} and at most {high}: dissatisfaction is starting "
            "(look at content and segmentation)."
        ).format(shown=shown, low=low, high=high)
        if not in_line:
            return Recommendation(
                "editorial_only",
                "5",
                (
                    band,
                    _(
                        "Engagement is low: {shortfalls}. Send only editorial newsletters until the rates recover."
                    ).format(shortfalls=_joined(short)),
                ),
                warnings,
            )
        return Recommendation(
            "hold",
            "5",
            (
                band,
                _(
                    "Engagement is in line with the brand: {statements}. Keep the pressure and look at content "
                    "and segmentation."
                ).format(statements=_joined(fine)),
            ),
            warnings,
        )

    shown, limit = versus(dissat, s.ramp_up_below)
    satisfied = _("Dissatisfaction rate {shown} is below {limit}: the audience is satisfied.").format(
        shown=shown, limit=limit
    )
    complaint_ok = f.complaint_rate is None or f.complaint_rate < s.complaint_warn
    if in_line and complaint_ok:
        engagement = _("Engagement is in line with the brand: {statements}.").format(statements=_joined(fine))
        if f.complaint_rate is None:
            complaints = _("No complaint rate could be computed.")
        else:
            shown, limit = versus(f.complaint_rate, s.complaint_warn, 2)
            complaints = _("Complaint rate {shown} is below {limit}.").format(shown=shown, limit=limit)
        if previous_action in ("editorial_only", "stop"):
            return Recommendation(
                "reintroduce_promos",
                "6",
                (
                    satisfied,
                    engagement,
                    complaints,
                    _(
                        "The previous window's action was {action}: reintroduce promotions with some editorial "
                        "content."
                    ).format(action=ACTIONS[previous_action].label.lower()),
                ),
                warnings,
            )
        return Recommendation("ramp_up", "6", (satisfied, engagement, complaints), warnings)
    reasons = [satisfied]
    if not in_line:
        reasons.append(_("But engagement is low: {shortfalls}.").format(shortfalls=_joined(short)))
    if not complaint_ok:
        shown, limit = versus(f.complaint_rate, s.complaint_warn, 2)
        reasons.append(
            _("But the complaint rate {shown} reaches {limit}: do not increase the pressure.").format(
                shown=shown, limit=limit
            )
        )
    return Recommendation("reduce", "6", tuple(reasons), warnings)
