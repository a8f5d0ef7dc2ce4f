"""How tables show a recommended action: its label on the action's colour, the same on every page."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from analytics.policy import ACTIONS
from analytics.report.palette import badge_css

_ACTION_OF_LABEL = {action.label: name for name, action in ACTIONS.items()}


def with_action_badges(table: pd.DataFrame, columns: list[str]) -> Styler:
    """The table with each action label in `columns` shown as a coloured badge."""
    return table.style.map(lambda label: badge_css(_ACTION_OF_LABEL.get(label)), subset=columns)
