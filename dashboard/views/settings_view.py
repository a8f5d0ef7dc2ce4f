"""Settings: every threshold of the rules, with its default and where it comes from. Saved for everyone."""

import streamlit as st

from analytics import formats, i18n
from analytics.errors import UserError
from analytics.i18n import N_, _
from analytics.settings import CHOICE_LABELS, DEFAULTS, LABELS, REGISTRY, Setting, from_mapping
from analytics.vocabulary import setting_text
from dashboard import closure, data
from dashboard.text import md_lines

FROM_NOW_ON = N_(
    "This changes the recommendations from now on, on every page and in the reports; the weeks already closed "
    "keep what their meeting saw."
)

# French shows and takes the fractions (thresholds, tolerance) as percentages, in widgets of their own (a value
# typed in one unit never lands in the other's widget); what is saved stays the fraction. English is unchanged.
french = i18n.current() == "fr"


def _as_percent(setting: Setting) -> bool:
    return french and isinstance(setting.default, float)


def _key(setting: Setting) -> str:
    return f"setting_{setting.name}_percent" if _as_percent(setting) else f"setting_{setting.name}"


def _default(setting: Setting) -> str:
    """The default as the reader writes it: 0.4 → 40 % in French; English as it always read (0.4, False)."""
    return setting_text(setting.default) if french else str(setting.default)


st.title(_("Settings"))
st.caption(
    _(
        "Once saved, these settings apply to every page and to the command-line report, for everyone using "
        "this database. The sidebar's window only changes your own view."
    )
)

# Said after the rerun that follows a save, so that the page (and the defaults banner above it) already show
# the new settings.
if st.session_state.pop("settings_restored", False):
    st.success(_("The defaults are restored."))
    st.info(_(FROM_NOW_ON), icon=":material/history:")
elif st.session_state.pop("settings_saved", False):
    st.success(_("Settings saved: every page now uses them."))
    st.info(_(FROM_NOW_ON), icon=":material/history:")
closure.name_input()  # who changes the settings, when nobody is signed in (kept with the Review page's)

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
        data.save_settings(checked, closure.who())
        st.session_state["settings_saved"] = True
        st.rerun()

confirm_column, button_column = st.columns([3, 1], vertical_alignment="center")
confirmed = confirm_column.checkbox(
    _("Yes, put every setting back to its guidance default"), key="reset_confirm"
)
if button_column.button(_("Restore the defaults"), key="reset_settings"):
    if not confirmed:
        st.warning(_("Tick the confirmation first: restoring the defaults changes every page for everyone."))
    else:
        data.save_settings(DEFAULTS, closure.who())
        for setting in REGISTRY:
            st.session_state.pop(f"setting_{setting.name}", None)
            st.session_state.pop(f"setting_{setting.name}_percent", None)
        st.session_state.pop("reset_confirm", None)
        st.session_state["settings_restored"] = True
        st.rerun()


def _value_text(name: str, text: str) -> str:
    """A logged value as the reader writes it (70% / 70 %), or as stored when it is not a valid value."""
    try:
        return setting_text(getattr(from_mapping({name: text}), name))
    except ValueError:
        return text


st.subheader(_("Recent changes"))
changes = data.settings_history()
if not changes:
    st.caption(_("No setting has been changed yet."))
else:
    when, by, what = _("When"), _("By"), _("Change")
    st.dataframe(
        [
            {
                when: formats.moment_text(change.changed_at),
                by: change.changed_by,
                what: _("{setting}: {old} → {new}").format(
                    setting=_(LABELS[change.name]) if change.name in LABELS else change.name,
                    old=_value_text(change.name, change.old_value),
                    new=_value_text(change.name, change.new_value),
                ),
            }
            for change in changes
        ],
        hide_index=True,
        key="settings_log",
    )
