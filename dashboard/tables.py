"""How tables show a recommended action: its label on the action's colour, the same on every page."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from analytics.policy import ACTIONS
from analytics.report.palette import badge_css


def with_action_badges(table: pd.DataFrame, columns: list[str]) -> Styler:
    """The table with each action label in `columns` shown as a coloured badge. The labels are read in the
    session's language, so the lookup is built at each call."""
    action_of_label = {action.label: name for name, action in ACTIONS.items()}
    return table.style.map(lambda label: badge_css(action_of_label.get(label)), subset=columns)
