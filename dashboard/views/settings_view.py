"""Settings: every threshold of the rules, with its default and where it comes from. Saved for everyone."""

import streamlit as st

from analytics.errors import UserError
from analytics.settings import DEFAULTS, REGISTRY, from_mapping
from dashboard import data
from dashboard.text import md

st.title("Settings")
st.caption(
    "Once saved, these settings apply to every page and to the command-line report, for everyone using "
    "this database. The sidebar's window only changes your own view."
)

try:
    saved = data.saved_settings()
except UserError as error:  # the one page that can mend invalid saved settings: open on the defaults
    st.error(md(str(error)))
    saved = DEFAULTS
values = {}
with st.form("settings_form", border=False):
    columns = st.columns(2)
    for index, setting in enumerate(REGISTRY):
        column = columns[index % 2]
        current = getattr(saved, setting.name)
        label = setting.name.replace("_", " ").capitalize()
        help_text = f"{setting.help} Default: {setting.default}. From: {setting.source}."
        key = f"setting_{setting.name}"
        if isinstance(setting.default, bool):
            values[setting.name] = column.checkbox(label, value=current, key=key, help=help_text)
        elif setting.choices:
            values[setting.name] = column.selectbox(
                label, setting.choices, index=setting.choices.index(current), key=key, help=help_text
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
        column.caption(f"{setting.help} Default {setting.default} — {setting.source}.")
    submitted = st.form_submit_button("Save settings", type="primary", key="save_settings")

if submitted:
    try:
        checked = from_mapping(values)  # the same check as the CLI's --setting and a restored backup's
    except ValueError as error:  # shown under the form, which keeps the values to correct; nothing is saved
        st.error(md(f"Settings not saved: {error}."))
    else:
        data.save_settings(checked)
        st.success("Settings saved: every page now uses them.")

if st.button("Restore the defaults", key="reset_settings"):
    data.save_settings(DEFAULTS)
    for setting in REGISTRY:
        st.session_state.pop(f"setting_{setting.name}", None)
    st.rerun()
