"""How tables show a recommended action (its label on the action's colour) and their figures, the same on
every page."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from pandas.io.formats.style import Styler

from analytics import formats, i18n
from analytics.policy import ACTIONS
from analytics.report.palette import badge_css


def with_action_badges(table: pd.DataFrame | Styler, columns: list[str]) -> Styler:
    """The table with each action label in `columns` shown as a coloured badge. The labels are read in the
    session's language, so the lookup is built at each call."""
    action_of_label = {action.label: name for name, action in ACTIONS.items()}
    styler = table if isinstance(table, Styler) else table.style
    return styler.map(lambda label: badge_css(action_of_label.get(label)), subset=columns)


def readable(
    table: pd.DataFrame | Styler, counts: Iterable[str] = (), percents: Iterable[str] = (), digits: int = 2
) -> pd.DataFrame | Styler:
    """In French, the counts and rates of these columns written by analytics.formats (1 251, 13,64 %) as the
    cells' display values: Streamlit's own number formats follow the browser's locale, so an English browser
    would show a French reader 1,251. The values stay numbers (the columns still sort as numbers); the columns
    must have no `format` in their column_config, which would win over the display values. In English the
    table is returned as it is."""
    if i18n.current() != "fr":
        return table
    styler = table if isinstance(table, Styler) else table.style
    present = set(styler.data.columns)

    def count(value) -> str:
        return formats.NO_DATA_MARK if pd.isna(value) else formats.number(value)

    def rate(value) -> str:
        return formats.NO_DATA_MARK if pd.isna(value) else formats.percent(value, digits)

    shown = {column: count for column in counts if column in present}
    shown |= {column: rate for column in percents if column in present}
    return styler.format(shown) if shown else styler
