"""Every setting of SPEC §5, §7 and §8, declared once: name, default, help and where the guidance comes from.

Settings flow one way: the CLI and the dashboard build a frozen `Settings` value and pass it to analytics.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any


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
        "Length of the report window in weeks, ending on the report date.",
        "SPEC §7",
        minimum=1,
        maximum=52,
    ),
    Setting(
        "retention_years",
        3,
        "Years after a person's last contact (purchase or click) during which their data may be kept and used.",
        "CNIL retention rule for clients and prospects (SPEC §2, §5)",
        minimum=1,
        maximum=10,
    ),
    Setting(
        "expiring_soon_days",
        90,
        "A lawful contact whose retention limit falls within this many days after the report date is "
        "'expiring soon'.",
        "SPEC §5",
        minimum=1,
        maximum=365,
    ),
    Setting(
        "dissatisfaction_includes_complaints",
        False,
        "Count spam complaints as dissatisfied reactions (added to both numerator and denominator).",
        "SPEC §7",
    ),
    Setting(
        "baseline",
        "lawful",
        "What the cohorts are compared with: all lawful marketing sends (opt_in + soft_opt_in) or opt_in only.",
        "SPEC §7: the brand's overall performance",
        choices=("lawful", "opt_in"),
    ),
    Setting(
        "stop_above",
        0.40,
        "Stop mailing a cohort whose dissatisfaction rate is above this (the guidance band is 40-50%).",
        "CNIL sending-pressure guidance (SPEC §3)",
        minimum=0.0,
        maximum=1.0,
    ),
    Setting(
        "ramp_up_below",
        0.20,
        "A cohort below this dissatisfaction rate is satisfied and may be ramped up if its engagement "
        "is in line with the brand.",
        "CNIL sending-pressure guidance (SPEC §3)",
        minimum=0.0,
        maximum=1.0,
    ),
    Setting(
        "engagement_tolerance",
        0.80,
        "A cohort's open and click rates are 'in line' with the brand when at least this fraction of the "
        "baseline rates.",
        "SPEC §8",
        minimum=0.0,
        maximum=2.0,
    ),
    Setting(
        "complaint_stop",
        0.003,
        "Stop a cohort whose spam-complaint rate reaches this (mailbox providers' hard limit, 0.3%).",
        "Gmail/Yahoo bulk-sender rules (SPEC §2)",
        minimum=0.0,
        maximum=1.0,
    ),
    Setting(
        "complaint_warn",
        0.001,
        "Warn when a cohort's spam-complaint rate reaches this (mailbox providers' target, 0.1%); "
        "a cohort above it is never ramped up.",
        "Gmail/Yahoo bulk-sender rules (SPEC §2)",
        minimum=0.0,
        maximum=1.0,
    ),
    Setting(
        "min_delivered",
        500,
        "Fewer delivered emails than this in the window: too little data to recommend.",
        "SPEC §8",
        minimum=0,
        maximum=10_000_000,
    ),
    Setting(
        "min_reactions",
        30,
        "Fewer reactions (clickers + unsubscribers) than this in the window: too little data to recommend.",
        "SPEC §8",
        minimum=0,
        maximum=10_000_000,
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in REGISTRY}


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
            raise ValueError(f"{setting.name} takes true or false, not {value!r}")
    elif kind is int:
        try:
            as_float = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{setting.name} takes a whole number, not {value!r}") from None
        if not as_float.is_integer():
            raise ValueError(f"{setting.name} takes a whole number, not {value!r}")
        result = int(as_float)
    elif kind is float:
        try:
            result = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{setting.name} takes a number such as 0.4, not {value!r}") from None
        if not math.isfinite(result):  # nan passes every comparison with a limit, so it must be refused here
            raise ValueError(f"{setting.name} takes a number such as 0.4, not {value!r}")
    else:
        result = str(value).strip()
    if setting.choices is not None and result not in setting.choices:
        raise ValueError(f"{setting.name} takes one of {', '.join(map(str, setting.choices))}, not {value!r}")
    if setting.minimum is not None and result < setting.minimum:
        raise ValueError(f"{setting.name} must be at least {setting.minimum}, not {value!r}")
    if setting.maximum is not None and result > setting.maximum:
        raise ValueError(f"{setting.name} must be at most {setting.maximum}, not {value!r}")
    return result


# (lower, higher, equal allowed, why): settings that must keep this order, or the rules of SPEC §8 contradict
# each other.
RELATIONS = (
    (
        "ramp_up_below",
        "stop_above",
        False,
        "every cohort not stopped would count as satisfied, and none would ever be held or go editorial-only",
    ),
    ("complaint_warn", "complaint_stop", True, "the complaint warning would come only after the stop"),
)


def from_mapping(values: dict[str, Any]) -> Settings:
    """Validated settings from a mapping of names to raw values: the one check every way in goes through (the
    Settings page, the CLI's --setting, the saved settings, a restored backup). Refused, in one ValueError that
    names every problem: unknown names, values of the wrong type, NaN or infinite, out of range, and settings
    that contradict each other (RELATIONS); names not given take their default."""
    unknown = sorted(set(values) - set(BY_NAME))
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(BY_NAME)}")
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
                limit = "at most" if equal_allowed else "below"
                problems.append(f"{lower} ({low}) must be {limit} {higher} ({high}): otherwise {why}")
    if problems:
        raise ValueError("; ".join(problems))
    return result


DEFAULTS = Settings()
assert DEFAULTS.as_dict() == {s.name: s.default for s in REGISTRY}, "Settings and REGISTRY disagree"
