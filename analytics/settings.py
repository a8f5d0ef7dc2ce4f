"""Every setting of SPEC §5, §7 and §8, declared once: name, default, help and where the guidance comes from.

Settings flow one way: the CLI and the dashboard build a frozen `Settings` value and pass it to analytics.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from analytics.i18n import N_, _


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    source: str
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None


REGISTRY: tuple[Setting, ...] = (
    Setting(
        "window_weeks",
        4,
        N_("Length of the report window in weeks, ending on the report date."),
        N_("SPEC §7"),
        minimum=1,
        maximum=52,
    ),
    Setting(
        "retention_years",
        3,
        N_(
            "Years after a person's last contact (purchase or click) during which their data may be kept and used."
        ),
        N_("CNIL retention rule for clients and prospects (SPEC §2, §5)"),
        minimum=1,
        maximum=10,
    ),
    Setting(
        "expiring_soon_days",
        90,
        N_(
            "A lawful contact whose retention limit falls within this many days after the report date is "
            "'expiring soon'."
        ),
        N_("SPEC §5"),
        minimum=1,
        maximum=365,
    ),
    Setting(
        "dissatisfaction_includes_complaints",
        False,
        N_("Count spam complaints as dissatisfied reactions (added to both numerator and denominator)."),
        N_("SPEC §7"),
    ),
    Setting(
        "baseline",
        "lawful",
        N_(
            "What the cohorts are compared with: all lawful marketing sends (opt_in + soft_opt_in) or opt_in only."
        ),
        N_("SPEC §7: the brand's overall performance"),
        choices=("lawful", "opt_in"),
    ),
    Setting(
        "stop_above",
        0.40,
        N_("Stop mailing a cohort whose dissatisfaction rate is above this (the guidance band is 40-50%)."),
        N_("CNIL sending-pressure guidance (SPEC §3)"),
        minimum=0.0,
        maximum=1.0,
    ),
    Setting(
        "ramp_up_below",
        0.20,
        N_(
            "A cohort below this dissatisfaction rate is satisfied and may be ramped up if its engagement "
            "is in line with the brand."
        ),
        N_("CNIL sending-pressure guidance (SPEC §3)"),
        minimum=0.0,
        maximum=1.0,
    ),
    Setting(
        "engagement_tolerance",
        0.80,
        N_(
            "A cohort's open and click rates are 'in line' with the brand when at least this fraction of the "
            "baseline rates."
        ),
        N_("SPEC §8"),
        minimum=0.0,
        maximum=2.0,
    ),
    Setting(
        "complaint_stop",
        0.003,
        N_("Stop a cohort whose spam-complaint rate reaches this (mailbox providers' hard limit, 0.3%)."),
        N_("Gmail/Yahoo bulk-sender rules (SPEC §2)"),
        minimum=0.0,
        maximum=1.0,
    ),
    Setting(
        "complaint_warn",
        0.001,
        N_(
            "Warn when a cohort's spam-complaint rate reaches this (mailbox providers' target, 0.1%); "
            "a cohort above it is never ramped up."
        ),
        N_("Gmail/Yahoo bulk-sender rules (SPEC §2)"),
        minimum=0.0,
        maximum=1.0,
    ),
    Setting(
        "min_delivered",
        500,
        N_("Fewer delivered emails than this in the window: too little data to recommend."),
        N_("SPEC §8"),
        minimum=0,
        maximum=10_000_000,
    ),
    Setting(
        "min_reactions",
        30,
        N_(
            "Fewer reactions (clickers + unsubscribers) than this in the window: too little data to recommend."
        ),
        N_("SPEC §8"),
        minimum=0,
        maximum=10_000_000,
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in REGISTRY}

# How the Settings page names each setting (its name, spaced and capitalised), marked for the catalog and
# translated where it is shown; the README's table names the settings by their code.
LABELS: dict[str, str] = {
    "window_weeks": N_("Window weeks"),
    "retention_years": N_("Retention years"),
    "expiring_soon_days": N_("Expiring soon days"),
    "dissatisfaction_includes_complaints": N_("Dissatisfaction includes complaints"),
    "baseline": N_("Baseline"),
    "stop_above": N_("Stop above"),
    "ramp_up_below": N_("Ramp up below"),
    "engagement_tolerance": N_("Engagement tolerance"),
    "complaint_stop": N_("Complaint stop"),
    "complaint_warn": N_("Complaint warn"),
    "min_delivered": N_("Min delivered"),
    "min_reactions": N_("Min reactions"),
}
assert {s.name: s.name.replace("_", " ").capitalize() for s in REGISTRY} == LABELS, (
    "a setting without its label"
)
# The choices of a setting with choices, as a translated page shows them (English shows the codes).
CHOICE_LABELS: dict[str, str] = {"lawful": N_("lawful"), "opt_in": N_("opt_in")}


@dataclass(frozen=True)
class Settings:
    window_weeks: int = 4
    retention_years: int = 3
    expiring_soon_days: int = 90
    dissatisfaction_includes_complaints: bool = False
    baseline: str = "lawful"
    stop_above: float = 0.40
    ramp_up_below: float = 0.20
    engagement_tolerance: float = 0.80
    complaint_stop: float = 0.003
    complaint_warn: float = 0.001
    min_delivered: int = 500
    min_reactions: int = 30

    def replace(self, **changes: Any) -> Settings:
        return from_mapping({**self.as_dict(), **changes})

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def query_parameters(self, *names: str, **overrides: Any) -> dict[str, Any]:
        """The parameters these settings bind in the named queries (analytics/sql/metrics), by the queries'
        names for them: retention_years, expiring_days (expiring_soon_days), baseline_opt_in_only (baseline
        is opt_in) and include_complaints (dissatisfaction_includes_complaints). Only the `names` asked for:
        DuckDB refuses a parameter its query does not take. An override replaces one value for one query
        (the weekly review's fixed expiring horizon)."""
        values = {
            "retention_years": self.retention_years,
            "expiring_days": self.expiring_soon_days,
            "baseline_opt_in_only": self.baseline == "opt_in",
            "include_complaints": self.dissatisfaction_includes_complaints,
        }
        unknown = sorted((set(names) | set(overrides)) - values.keys())
        if unknown:
            raise ValueError(f"no query parameter comes from the settings as {', '.join(unknown)}")
        return {name: values[name] for name in names} | overrides


def _coerce(setting: Setting, value: Any) -> Any:
    """Turn a raw value (widget, CLI string, stored text) into the setting's type, or raise ValueError."""
    kind = type(setting.default)
    if kind is bool:
        if isinstance(value, bool):
            result: Any = value
        elif str(value).strip().lower() in {"true", "1", "yes", "on"}:
            result = True
        elif str(value).strip().lower() in {"false", "0", "no", "off"}:
            result = False
        else:
            raise ValueError(
                _("{name} takes true or false, not {value}").format(name=setting.name, value=repr(value))
            )
    elif kind is int:
        try:
            as_float = float(value)
        except (TypeError, ValueError):
            raise ValueError(
                _("{name} takes a whole number, not {value}").format(name=setting.name, value=repr(value))
            ) from None
        if not as_float.is_integer():
            raise ValueError(
                _("{name} takes a whole number, not {value}").format(name=setting.name, value=repr(value))
            )
        result = int(as_float)
    elif kind is float:
        try:
            result = float(value)
        except (TypeError, ValueError):
            raise ValueError(
                _("{name} takes a number such as 0.4, not {value}").format(
                    name=setting.name, value=repr(value)
                )
            ) from None
        if not math.isfinite(result):  # nan passes every comparison with a limit, so it must be refused here
            raise ValueError(
                _("{name} takes a number such as 0.4, not {value}").format(
                    name=setting.name, value=repr(value)
                )
            )
    else:
        result = str(value).strip()
    if setting.choices is not None and result not in setting.choices:
        raise ValueError(
            _("{name} takes one of {choices}, not {value}").format(
                name=setting.name, choices=", ".join(map(str, setting.choices)), value=repr(value)
            )
        )
    if setting.minimum is not None and result < setting.minimum:
        raise ValueError(
            _("{name} must be at least {minimum}, not {value}").format(
                name=setting.name, minimum=setting.minimum, value=repr(value)
            )
        )
    if setting.maximum is not None and result > setting.maximum:
        raise ValueError(
            _("{name} must be at most {maximum}, not {value}").format(
                name=setting.name, maximum=setting.maximum, value=repr(value)
            )
        )
    return result


# (lower, higher, equal allowed, why): settings that must keep this order, or the rules of SPEC §8 contradict
# each other.
RELATIONS = (
    (
        "ramp_up_below",
        "stop_above",
        False,
        N_(
            "every cohort not stopped would count as satisfied, and none would ever be held or go editorial-only"
        ),
    ),
    ("complaint_warn", "complaint_stop", True, N_("the complaint warning would come only after the stop")),
)


def from_mapping(values: dict[str, Any]) -> Settings:
    """Validated settings from a mapping of names to raw values: the one check every way in goes through (the
    Settings page, the CLI's --setting, the saved settings, a restored backup). Refused, in one ValueError that
    names every problem: unknown names, values of the wrong type, NaN or infinite, out of range, and settings
    that contradict each other (RELATIONS); names not given take their default."""
    unknown = sorted(set(values) - set(BY_NAME))
    if unknown:
        raise ValueError(
            _("unknown setting(s): {unknown}; known: {known}").format(
                unknown=", ".join(unknown), known=", ".join(BY_NAME)
            )
        )
    coerced, problems = {}, []
    for name, value in values.items():
        try:
            coerced[name] = _coerce(BY_NAME[name], value)
        except ValueError as error:
            problems.append(str(error))
    if not problems:
        result = Settings(**coerced)
        for lower, higher, equal_allowed, why in RELATIONS:
            low, high = getattr(result, lower), getattr(result, higher)
            if low > high or (low == high and not equal_allowed):
                message = (
                    _("{lower} ({low}) must be at most {higher} ({high}): otherwise {why}")
                    if equal_allowed
                    else _("{lower} ({low}) must be below {higher} ({high}): otherwise {why}")
                )
                problems.append(message.format(lower=lower, low=low, higher=higher, high=high, why=_(why)))
    if problems:
        raise ValueError("; ".join(problems))
    return result


DEFAULTS = Settings()
assert DEFAULTS.as_dict() == {s.name: s.default for s in REGISTRY}, "Settings and REGISTRY disagree"
