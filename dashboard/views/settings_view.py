"""Settings: every threshold of the rules, with its default and where it comes from. Saved for everyone."""

from typing import Any

import streamlit as st

from analytics import formats, i18n
from analytics.errors import UserError
from analytics.i18n import _
from analytics.settings import CHOICE_LABELS, DEFAULTS, LABELS, REGISTRY, Setting, from_mapping
from dashboard import data
from dashboard.text import md_lines

# French shows and takes the fractions (thresholds, tolerance) as percentages, in widgets of their own (a value
# typed in one unit never lands in the other's widget); what is saved stays the fraction. English is unchanged.
french = i18n.current() == "fr"


def _as_percent(setting: Setting) -> bool:
    return french and isinstance(setting.default, float)


def _key(setting: Setting) -> str:
    return f"setting_{setting.name}_percent" if _as_percent(setting) else f"setting_{setting.name}"


def _default(setting: Setting) -> str:
    """The default as the reader writes it: 0.4 → 40 % in French; English as it always read (0.4, False)."""
    value: Any = setting.default
    if not french:
        return str(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return formats.threshold(value)
    if isinstance(value, int):
        return formats.number(value)
    return _(CHOICE_LABELS.get(value, value))


st.title(_("Settings"))
st.caption(
    _(
        "Once saved, these settings apply to every page and to the command-line report, for everyone using "
        "this database. The sidebar's window only changes your own view."
    )
)

try:
    saved = data.saved_settings()
except UserError as error:  # the one page that can mend invalid saved settings: open on the defaults
    st.error(md_lines(error))
    saved = DEFAULTS
values = {}
with st.form("settings_form", border=False):
    columns = st.columns(2)
    for index, setting in enumerate(REGISTRY):
        column = columns[index % 2]
        current = getattr(saved, setting.name)
        label = _(LABELS[setting.name])
        help_text = _("{help} Default: {default}. From: {source}.").format(
            help=_(setting.help), default=_default(setting), source=_(setting.source)
        )
        key = _key(setting)
        if isinstance(setting.default, bool):
            values[setting.name] = column.checkbox(label, value=current, key=key, help=help_text)
        elif setting.choices:
            values[setting.name] = column.selectbox(
                label,
                setting.choices,
                index=setting.choices.index(current),
                key=key,
                help=help_text,
                format_func=(lambda choice: _(CHOICE_LABELS.get(choice, choice))) if french else str,
            )
        elif isinstance(setting.default, int):
            values[setting.name] = column.number_input(
                label,
                value=int(current),
                min_value=int(setting.minimum),
                max_value=int(setting.maximum),
                step=1,
                key=key,
                help=help_text,
            )
        elif _as_percent(setting):
            entered = column.number_input(
                _("{label} (%)").format(label=label),
                value=round(float(current) * 100, 4),
                min_value=float(setting.minimum) * 100,
                max_value=float(setting.maximum) * 100,
                step=0.1,
                format="%.1f",
                key=key,
                help=help_text,
            )
            values[setting.name] = round(entered / 100, 10)  # the fraction, without float noise (70 → 0.7)
        else:
            values[setting.name] = column.number_input(
                label,
                value=float(current),
                min_value=float(setting.minimum),
                max_value=float(setting.maximum),
                step=0.001,
                format="%.3f",
                key=key,
                help=help_text,
            )
        column.caption(
            _("{help} Default {default} — {source}.").format(
                help=_(setting.help), default=_default(setting), source=_(setting.source)
            )
        )
    submitted = st.form_submit_button(_("Save settings"), type="primary", key="save_settings")

if submitted:
    try:
        checked = from_mapping(values)  # the same check as the CLI's --setting and a restored backup's
    except ValueError as error:  # shown under the form, which keeps the values to correct; nothing is saved
        st.error(md_lines(_("Settings not saved: {error}.").format(error=error)))
    else:
        data.save_settings(checked)
        st.success(_("Settings saved: every page now uses them."))

if st.button(_("Restore the defaults"), key="reset_settings"):
    data.save_settings(DEFAULTS)
    for setting in REGISTRY:
        st.session_state.pop(f"setting_{setting.name}", None)
        st.session_state.pop(f"setting_{setting.name}_percent", None)
    st.rerun()
