"""The settings registry: one declaration per setting, validated values, and the README kept in sync."""

from __future__ import annotations

import re

import pytest

from analytics import store
from analytics.settings import DEFAULTS, REGISTRY, from_mapping


def _readme_rows() -> list[tuple[str, str, str]]:
    text = (store.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- settings-table:start -->")[1].split("<!-- settings-table:end -->")[0]
    return re.findall(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \|$", table, flags=re.MULTILINE)


def test_readme_settings_table_matches_the_registry():
    expected = [
        (s.name, str(s.default).lower() if isinstance(s.default, bool) else str(s.default), s.help)
        for s in REGISTRY
    ]
    assert [(n, d.strip(), h.strip()) for n, d, h in _readme_rows()] == expected


def test_values_are_coerced_and_checked():
    settings = from_mapping(
        {"stop_above": "0.45", "min_delivered": "200", "dissatisfaction_includes_complaints": "yes"}
    )
    assert (settings.stop_above, settings.min_delivered, settings.dissatisfaction_includes_complaints) == (
        0.45,
        200,
        True,
    )
    assert DEFAULTS.replace(baseline="opt_in").baseline == "opt_in"
    with pytest.raises(ValueError, match="baseline takes one of lawful, opt_in"):
        from_mapping({"baseline": "everyone"})
    with pytest.raises(ValueError, match="window_weeks must be at least 1"):
        from_mapping({"window_weeks": 0})
    with pytest.raises(ValueError, match="whole number"):
        from_mapping({"min_delivered": "2.5"})
    with pytest.raises(ValueError, match="unknown setting"):
        from_mapping({"stop_below": 0.1})


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", float("nan"), float("inf")])
def test_nan_and_infinities_are_refused(value):
    # nan compares false with every limit, so it passed the range check and turned every `stop` off
    with pytest.raises(ValueError, match="stop_above takes a number"):
        from_mapping({"stop_above": value})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"ramp_up_below": 0.5}, r"ramp_up_below \(0.5\) must be below stop_above \(0.4\)"),
        ({"ramp_up_below": 0.4}, r"ramp_up_below \(0.4\) must be below stop_above \(0.4\)"),
        ({"stop_above": 0.15}, r"ramp_up_below \(0.2\) must be below stop_above \(0.15\)"),
        ({"complaint_warn": 0.004}, r"complaint_warn \(0.004\) must be at most complaint_stop \(0.003\)"),
    ],
)
def test_settings_that_contradict_each_other_are_refused(values, message):
    with pytest.raises(ValueError, match=message):
        from_mapping(values)
    with pytest.raises(ValueError, match=message):
        DEFAULTS.replace(**values)


def test_every_problem_is_named_at_once_and_a_warning_at_the_stop_is_allowed():
    assert from_mapping({"complaint_warn": 0.003}).complaint_warn == 0.003
    with pytest.raises(ValueError) as refused:
        from_mapping({"stop_above": "nan", "min_delivered": "lots"})
    assert "stop_above" in str(refused.value) and "min_delivered" in str(refused.value)
