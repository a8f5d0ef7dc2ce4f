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

from analytics.formats import NO_DATA as NO_DATA
from analytics.formats import NO_DATA_MARK as NO_DATA_MARK
from analytics.formats import percent as percent
from analytics.formats import threshold as threshold
from analytics.settings import Settings

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


def years(count: int) -> str:
    """A retention period in words: 1 year, 3 years."""
    return f"{count} year" if count == 1 else f"{count} years"


# ------------------------------------------------------------------------- the dissatisfaction bands (§3)

STOP_BAND_TOP = 0.50  # the guidance's stop band is 40–50%: its top, whatever stop_above says
GUIDANCE_STOP_BAND = (0.40, STOP_BAND_TOP)  # the band as the guidance states it (SPEC §3, §8)


@dataclass(frozen=True)
class BandLook:
    """How a band reads and looks on every chart and legend."""

    label: str
    colour: str


# The bands in order along the axis. One label and one colour per band: the Plotly charts of the dashboard and
# the SVG charts and legend of the HTML report all read them here.
BAND_LOOKS: dict[str, BandLook] = {
    "satisfied": BandLook("satisfied", "rgba(30, 132, 73, 0.12)"),
    "starting": BandLook("starting", "rgba(211, 84, 0, 0.12)"),
    "stop_band": BandLook("stop band", "rgba(176, 58, 46, 0.16)"),
    "beyond": BandLook("beyond", "rgba(176, 58, 46, 0.26)"),
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
            return f"below {threshold(self.high)}"
        if self.name == "beyond":
            return f"above {threshold(self.low)}"
        return f"{threshold(self.low)} to {threshold(self.high)}"


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
    """The guidance's stop band in words: 40–50%."""
    low, high = GUIDANCE_STOP_BAND
    return f"{threshold(low).removesuffix('%')}–{threshold(high)}"


# ----------------------------------------------------------------------------------------- rates (§7)

RATE_LABELS = {
    "open_rate": "Open rate",
    "click_rate": "Click rate",
    "unsubscribe_rate": "Unsubscribe rate",
    "complaint_rate": "Complaint rate",
    "dissatisfaction_rate": "Dissatisfaction rate",
}


# ------------------------------------------------------------------------ legal bases and statuses (§5)


@dataclass(frozen=True)
class BasisText:
    label: str
    help: str  # a phrase (Markdown) that follows the label; {years} is the retention period in words


# In the order of SPEC §5: the first rule that matches gives the basis of a send.
_BASES: dict[str, BasisText] = {
    "objected": BasisText(
        "Objected", "the contact refused at collection, or unsubscribed/complained *before* the send date"
    ),
    "expired": BasisText("Expired", "more than {years} since the last purchase or click at the send date"),
    "no_loyalty_consent": BasisText(
        "No loyalty consent", "a loyalty email to someone without loyalty consent"
    ),
    "opt_in": BasisText("Opt-in", "explicit consent"),
    "soft_opt_in": BasisText(
        "Soft opt-in", "a client (purchase on or before the send) informed at collection"
    ),
    "not_informed": BasisText("Not informed", "a client who was not informed"),
    "prospect": BasisText("Prospect", "no purchase before the send"),
}
BASIS_ORDER = tuple(_BASES)  # the rules' order (SPEC §5), not analytics.tables.BASES's lawful-first order


def basis_label(basis: str) -> str:
    """The basis as a heading or a metric's name: 'No loyalty consent'."""
    return _BASES[basis].label


def basis_help(basis: str, retention_years: int) -> str:
    """What the basis means, as a phrase that follows its label ('Expired: more than 3 years since…');
    Markdown (Streamlit's help and markdown render it)."""
    return _BASES[basis].help.format(years=years(retention_years))


# The eligibility statuses of a contact on the report date (SPEC §5): the bases without rule 3, and
# expiring_soon among the lawful ones.
STATUS_LABELS = {
    **{
        status: basis_label(status)
        for status in ("opt_in", "soft_opt_in", "not_informed", "prospect", "objected", "expired")
    },
    "expiring_soon": "Expiring soon",
}


def status_label(status: str) -> str:
    return STATUS_LABELS[status]
