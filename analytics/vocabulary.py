"""The words and numbers a person reads about a rule, defined once.

Every text that names or explains a rule — the dissatisfaction bands (bounds, label, colour), the rate labels,
the legal bases and contact statuses, and how a figure or a threshold is written as a percentage — comes from
here, so the Guide, the dashboard's charts, the HTML report and the digest can never disagree. To change how a
rule reads or looks, change it here and only here.

What is not here, and where it lives (each also in exactly one place): the actions, their labels and meanings
(`analytics.policy.ACTIONS`, the policy's outcomes), their colours (`analytics.report.palette.ACTION_COLOURS`),
the sentences explaining a recommendation (`analytics.policy.recommend`), and the settings' own help
(`analytics.settings.REGISTRY`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analytics import formats, i18n
from analytics.formats import NO_DATA as NO_DATA
from analytics.formats import NO_DATA_MARK as NO_DATA_MARK
from analytics.formats import percent as percent
from analytics.formats import threshold as threshold
from analytics.i18n import N_, _, ngettext
from analytics.settings import CHOICE_LABELS, Settings

# ---------------------------------------------------------------------------------------- numbers as text


# How a figure reads (percent, threshold, the null marks) is analytics.formats's, in the reader's language;
# they are importable from here too, beside the words that use them.
def versus(value: float, limit: float, digits: int = 1) -> tuple[str, str]:
    """A figure and the threshold it was compared with, the figure shown with as many decimals as it takes
    not to look equal to a threshold it differs from (0.4001 against 0.40 reads 40.01%, not 40.0%)."""
    shown = percent(value, digits)
    while value != limit and digits < 6 and shown == percent(limit, digits):
        digits += 1
        shown = percent(value, digits)
    return shown, threshold(limit)


def whole(count: int) -> str:
    """A count inside a sentence: as it always read in English (1234), grouped by thousands in French (1 234)."""
    return str(count) if i18n.current() == i18n.SOURCE_LANGUAGE else formats.number(count)


def no_data() -> str:
    """formats.NO_DATA ('no data') in the reader's language: a null figure in the reports and the digest."""
    return _(N_("no data"))


def years(count: int) -> str:
    """A retention period in words: 1 year, 3 years (1 an, 3 ans)."""
    return ngettext("{count} year", "{count} years", count).format(count=count)


def setting_text(value: object) -> str:
    """A setting's value as the reader writes it: 0.7 → 70% (70 %), a count 1,000 (1 000), a flag yes/no, a
    choice by its label — the Settings page (French), the defaults banner and a closed week's notice."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return threshold(value)
    if isinstance(value, int):
        return formats.number(value)
    return _(CHOICE_LABELS.get(str(value), str(value)))


def weeks(count: int) -> str:
    """A window's length in words: 1 week, 4 weeks (1 semaine, 4 semaines)."""
    return ngettext("{count} week", "{count} weeks", count).format(count=count)


# ------------------------------------------------------------------------- the dissatisfaction bands (§3)

STOP_BAND_TOP = 0.50  # the guidance's stop band is 40–50%: its top, whatever stop_above says
GUIDANCE_STOP_BAND = (0.40, STOP_BAND_TOP)  # the band as the guidance states it (SPEC §3, §8)


@dataclass(frozen=True)
class BandLook:
    """How a band reads and looks on every chart and legend: `label_text` is the English text marked for the
    catalog, `label` reads it in the reader's language."""

    label_text: str
    colour: str

    @property
    def label(self) -> str:
        return _(self.label_text)


# The bands in order along the axis. One label and one colour per band: the Plotly charts of the dashboard and
# the SVG charts and legend of the HTML report all read them here.
BAND_LOOKS: dict[str, BandLook] = {
    "satisfied": BandLook(N_("satisfied"), "rgba(30, 132, 73, 0.12)"),
    "starting": BandLook(N_("starting"), "rgba(211, 84, 0, 0.12)"),
    "stop_band": BandLook(N_("stop band"), "rgba(176, 58, 46, 0.16)"),
    "beyond": BandLook(N_("beyond"), "rgba(176, 58, 46, 0.26)"),
}


@dataclass(frozen=True)
class Band:
    """One band of the dissatisfaction axis, [low, high), as the settings place it."""

    name: str
    low: float
    high: float

    @property
    def label(self) -> str:
        return BAND_LOOKS[self.name].label

    @property
    def colour(self) -> str:
        return BAND_LOOKS[self.name].colour

    @property
    def limits(self) -> str:
        """The band's limits as the settings state them: below 20%, 20% to 40%, above 50%."""
        if self.low == 0:
            return _("below {limit}").format(limit=threshold(self.high))
        if self.name == "beyond":
            return _("above {limit}").format(limit=threshold(self.low))
        return _("{low} to {high}").format(low=threshold(self.low), high=threshold(self.high))


def band_bounds(settings: Settings) -> dict[str, tuple[float, float]]:
    """(low, high) of each band (SPEC §3 with the §8 settings): satisfied below ramp_up_below, starting up to
    stop_above, the stop band from stop_above up to the guidance's 50% (empty when stop_above is 50% or more),
    beyond that without end."""
    stop_top = max(STOP_BAND_TOP, settings.stop_above)
    return {
        "satisfied": (0.0, settings.ramp_up_below),
        "starting": (settings.ramp_up_below, settings.stop_above),
        "stop_band": (settings.stop_above, stop_top),
        "beyond": (stop_top, math.inf),
    }


def dissatisfaction_bands(settings: Settings, top: float) -> list[Band]:
    """The bands a chart whose axis ends at `top` draws: each cut at `top`, the empty ones left out."""
    bands = []
    for name, (low, high) in band_bounds(settings).items():
        if min(high, top) > low:
            bands.append(Band(name, low, min(high, top)))
    return bands


def guidance_stop_band() -> str:
    """The guidance's stop band in words: 40–50% (40–50 %)."""
    low, high = GUIDANCE_STOP_BAND
    sign = threshold(0).removeprefix("0")  # '%', or a no-break space and '%' in French
    return f"{threshold(low).removesuffix(sign)}–{threshold(high)}"


# ----------------------------------------------------------------------------------------- rates (§7)

# The English texts, marked for the catalog: `rate_label` reads one in the reader's language (callers that read
# RATE_LABELS directly translate it where they show it: `_(RATE_LABELS[rate])`).
RATE_LABELS = {
    "open_rate": N_("Open rate"),
    "click_rate": N_("Click rate"),
    "unsubscribe_rate": N_("Unsubscribe rate"),
    "complaint_rate": N_("Complaint rate"),
    "dissatisfaction_rate": N_("Dissatisfaction rate"),
}


def rate_label(rate: str) -> str:
    """A rate's name in the reader's language: 'Open rate' / 'Taux d'ouverture'."""
    return _(RATE_LABELS[rate])


# ------------------------------------------------------------------------ legal bases and statuses (§5)


@dataclass(frozen=True)
class BasisText:
    """English texts marked for the catalog, read in the reader's language by basis_label and basis_help."""

    label: str
    help: str  # a phrase (Markdown) that follows the label; {years} is the retention period in words


# In the order of SPEC §5: the first rule that matches gives the basis of a send.
_BASES: dict[str, BasisText] = {
    "objected": BasisText(
        N_("Objected"),
        N_("the contact refused at collection, or unsubscribed/complained *before* the send date"),
    ),
    "expired": BasisText(
        N_("Expired"), N_("more than {years} since the last purchase or click at the send date")
    ),
    "no_loyalty_consent": BasisText(
        N_("No loyalty consent"), N_("a loyalty email to someone without loyalty consent")
    ),
    "opt_in": BasisText(N_("Opt-in"), N_("explicit consent")),
    "soft_opt_in": BasisText(
        N_("Soft opt-in"), N_("a client (purchase on or before the send) informed at collection")
    ),
    "not_informed": BasisText(N_("Not informed"), N_("a client who was not informed")),
    "prospect": BasisText(N_("Prospect"), N_("no purchase before the send")),
}
BASIS_ORDER = tuple(_BASES)  # the rules' order (SPEC §5), not analytics.tables.BASES's lawful-first order


def basis_label(basis: str) -> str:
    """The basis as a heading or a metric's name, in the reader's language: 'No loyalty consent'."""
    return _(_BASES[basis].label)


def basis_help(basis: str, retention_years: int) -> str:
    """What the basis means, as a phrase that follows its label ('Expired: more than 3 years since…');
    Markdown (Streamlit's help and markdown render it)."""
    return _(_BASES[basis].help).format(years=years(retention_years))


# The eligibility statuses of a contact on the report date (SPEC §5): the bases without rule 3, and
# expiring_soon among the lawful ones. English texts marked for the catalog: status_label reads them.
STATUS_LABELS = {
    **{
        status: _BASES[status].label
        for status in ("opt_in", "soft_opt_in", "not_informed", "prospect", "objected", "expired")
    },
    "expiring_soon": N_("Expiring soon"),
}


def status_label(status: str) -> str:
    """A contact's status in the reader's language: 'Expiring soon'."""
    return _(STATUS_LABELS[status])


# ------------------------------------------------------------------------------ the source registry (§6)

# Why a source's evidence is missing, as sql/metrics/source_registry.sql writes it (English, as stored codes are):
# marked here for the catalog, read in the reader's language with evidence_reason().
EVIDENCE_REASONS = (
    N_("not in the registry"),
    N_("notice shown unknown"),
    N_("oral channel without evidence"),
)


def evidence_reason(reason: str) -> str:
    """One reason a source's evidence is missing, in the reader's language."""
    return _(reason)


# ------------------------------------------------------------------------- the codes of the canonical files

# The codes a canonical column holds (analytics.tables' vocabularies), as a person reads them: in the
# spreadsheet downloads, the Compliance tables and the Data page's choices. English texts marked for the
# catalog, read in the reader's language by code_labels.
CONSENT_LABELS = {"opt_in": N_("Opt-in"), "none": N_("No explicit consent"), "objected": N_("Objected")}
EMAIL_TYPE_LABELS = {
    "service": N_("Service email (transactional)"),
    "promo": N_("Promotion"),
    "newsletter": N_("Newsletter"),
    "cart_abandonment": N_("Cart abandonment"),
    "loyalty": N_("Loyalty"),
    "welcome": N_("Welcome series"),
}
EVENT_TYPE_LABELS = {
    "sent": N_("Send"),
    "delivered": N_("Delivery"),
    "open": N_("Open"),
    "click": N_("Click"),
    "unsubscribe": N_("Unsubscribe"),
    "complaint": N_("Spam complaint"),
    "bounce": N_("Bounce"),
}
CHANNEL_LABELS = {
    "web_form": N_("Web form"),
    "phone": N_("Phone"),
    "in_store": N_("In store"),
    "partner": N_("Partner"),
    "other": N_("Other channel"),
}
NOTICE_SHOWN_LABELS = {"true": N_("Yes"), "false": N_("No"), "unknown": N_("Not known")}
_CODE_LABELS = {
    "consent": CONSENT_LABELS,
    "email_type": EMAIL_TYPE_LABELS,
    "event_type": EVENT_TYPE_LABELS,
    "channel": CHANNEL_LABELS,
    "notice_shown": NOTICE_SHOWN_LABELS,
    "basis": {code: text.label for code, text in _BASES.items()},
}


def code_labels(column: str) -> dict[str, str] | None:
    """The readable label of each code a column holds, in the current language (None: not a column of codes)."""
    if column == "action":
        from analytics.policy import ACTIONS  # here: the policy imports this module

        return {code: _(action.label) for code, action in ACTIONS.items()}
    labels = _CODE_LABELS.get(column)
    return None if labels is None else {code: _(label) for code, label in labels.items()}


def code_label(column: str, code: str) -> str:
    """One code as a person reads it; a code the column does not know stays as it is."""
    return (code_labels(column) or {}).get(code, code)
