"""Data: upload exports, see what each will load as (or what is wrong), give what the page asks, load.

Each file gets one form: the export to read it as when several match equally, the values the export lacks
(a collection source, a legal basis), how its dates are written, whether to set invalid rows aside, and — only
when asked — a mapping of its columns made by hand. Nothing reruns until the form is applied; nothing is written
until Load, and then every file lands or none does.
"""

import hashlib

import pandas as pd
import streamlit as st

from analytics import formats, i18n
from analytics.i18n import N_, _, ngettext
from analytics.ingest import Inspection, Options
from analytics.ingest.mapping import expected, field_label, suggested_columns, suggested_table, user_preset
from analytics.tables import TABLES, VOCAB
from analytics.vocabulary import code_label
from dashboard import data
from dashboard.tables import readable
from dashboard.text import md, md_lines

NONE = "—"
AS_IT_IS = N_("(as it is)")  # a choice's value (never stored): shown translated
# label -> order; the labels are the choices' values, shown translated
DATE_ORDERS = {N_("as the file shows"): None, N_("day first (dmy)"): "dmy", N_("month first (mdy)"): "mdy"}
# What the page asks for a field an export lacks, in the user's words.
ASKED = {
    "collection_source": (
        N_("Collection source of every contact in this file"),
        N_(
            "Where these addresses were collected, as your source registry names it, e.g. newsletter_form, "
            "web_checkout, in_store."
        ),
    ),
    "basis": (
        N_("Legal basis of the recipients of this report"),
        N_(
            "Under which basis its recipients were mailed: soft opt-in for the clients of a source who never "
            "ticked the box, opt-in for subscribers who did."
        ),
    ),
    "consent": (
        N_("Consent of every contact in this file"),
        N_("Opt-in (the box was ticked), no explicit consent, or objected."),
    ),
    "collected_at": (
        N_("Collection date of every contact in this file"),
        N_("A date such as 2026-03-15, when the file has none of its own."),
    ),
}
# A file's day/month order as the preview names it (the code in English; in words in a translation).
ORDER_NAMES = {"dmy": N_("dmy"), "mdy": N_("mdy")}
# Each table as the preview describes it (the English of analytics.tables' descriptions).
TABLE_DESCRIPTIONS = {
    "contacts": N_("one row per person"),
    "orders": N_("one row per purchase"),
    "campaigns": N_("one row per campaign"),
    "events": N_("one row per engagement event"),
    "sources": N_("the collection-source registry"),
    "oppositions": N_("one row per opposition recorded apart from the contact (a do-not-contact list)"),
    "campaign_stats": N_("aggregated per-campaign rows, per source and legal basis"),
}


def translated(value: str) -> str:
    """A choice shown in the reader's language (the page's own labels; file values as they are)."""
    return _(value) if value == AS_IT_IS or value in DATE_ORDERS else value


def code_choice(column: str):
    """The format_func of a choice among a canonical column's codes: each code by its label, never raw."""
    return lambda value: translated(value) if value in (NONE, AS_IT_IS) else code_label(column, value)


st.title(_("Data"))
st.caption(
    _(
        "Upload CSV exports: the canonical files (see the Guide) or your platform's own exports (Mailchimp, "
        "Klaviyo, Brevo, SendGrid, Mailjet, Salesforce Marketing Cloud, Mautic…), also as .csv.gz or .zip. Each "
        "file's table or export is recognised from its columns; columns the product does not need (names, "
        "phones, addresses, IPs) are never stored, and a column that records an opposition is never dropped. "
        "Nothing is written until you press Load, and then every file lands or none does: the data already "
        "loaded stays intact."
    )
)
if data.showing_demo():
    st.info(
        _(
            "Your database ({path}) is empty, so the other pages show the demo brand, labelled as such. The files "
            "you load here go into your database — never into the demo — and from then on every page shows your "
            "data only."
        ).format(path=md(data.user_database_path())),
        icon=":material/info:",
    )


def file_key(path, name: str) -> str:
    """A widget key prefix that stays with the file when other files are added or removed."""
    return "f" + hashlib.sha256(f"{path}:{name}:{path.stat().st_size}".encode()).hexdigest()[:12]


def state(key: str, default=None):
    """A widget's value from its last applied form (its default before)."""
    return st.session_state.get(key, default)


def adjusted_mapping(key: str, path, inspection: Inspection, order: str | None):
    """The mapping made by hand in the form (the values applied last), or None when not asked for."""
    if not state(f"{key}_adjust"):
        return None
    table = TABLES[state(f"{key}_table", inspection.table or "contacts")]
    columns, constants, values = {}, {}, {}
    for column in table.columns:
        constant = (state(f"{key}_const_{column.name}") or "").strip()
        picked = state(f"{key}_map_{column.name}", inspection.columns.get(column.name, NONE))
        if constant:
            constants[column.name] = constant
        elif picked and picked != NONE:
            columns[column.name] = picked
            if column.kind == VOCAB:
                translated = {}
                for k, (value, _count) in enumerate(data.distinct_values(path, picked)):
                    target = state(f"{key}_val_{column.name}_{k}", AS_IT_IS)
                    if target != AS_IT_IS:
                        translated[value] = target
                if translated:
                    values[column.name] = translated
    name = (state(f"{key}_save_as") or "").strip() or _("mapping for {file}").format(file=path.name)
    return user_preset(name, inspection.header, table.name, columns, constants, values, order)


def chosen_options(key: str, path, base: Inspection) -> Options:
    """The choices applied in this file's form, as ingest Options."""
    constants = {}
    for field in ASKED:
        value = state(f"{key}_need_{field}")
        if isinstance(value, str) and value.strip() and value != NONE:
            constants[field] = value.strip()
    order = DATE_ORDERS.get(state(f"{key}_date_order", "as the file shows"))
    return Options(
        preset=state(f"{key}_preset"),
        constants=constants,
        date_order=order,
        on_invalid="skip" if state(f"{key}_skip") else "fail",
        custom=adjusted_mapping(key, path, base, order),
    )


def mapping_fields(key: str, path, inspection: Inspection) -> None:
    """Columns onto fields, constants, value translations: the mapping made by hand (inside the form)."""
    tables = list(TABLES)
    if inspection.table in TABLES:
        default_table = inspection.table
    else:  # a file no export matches: the table its usual column names point to
        default_table = suggested_table(inspection.header) if not inspection.columns else "contacts"
    table_name = st.selectbox(
        _("Table"),
        tables,
        index=tables.index(default_table),
        key=f"{key}_table",
        help=_("Which table the rows are."),
        # the canonical file's name (the Guide's), then what its rows are in the reader's language
        format_func=lambda name: f"{name} — {_(TABLE_DESCRIPTIONS[name])}",
    )
    table = TABLES[table_name]
    st.caption(_("For each field: the column that holds it, or one value for the whole file."))
    choices = [NONE, *inspection.header]
    # the columns ingest found, else those whose names usually hold the field (French headers included)
    suggested = {**suggested_columns(inspection.header, table), **inspection.columns}
    # a date's example in the file's own day/month order (chosen in the form, else as its dates are written)
    order = DATE_ORDERS.get(state(f"{key}_date_order", "as the file shows")) or inspection.date_form
    for column in table.columns:
        left, right = st.columns(2)
        detected = suggested.get(column.name)
        label = field_label(column.name)
        picked = left.selectbox(
            _("{field} (required)").format(field=label) if column.required else label,
            choices,
            index=choices.index(detected) if detected in choices else 0,
            key=f"{key}_map_{column.name}",
            help=_("Expected: {expected}.").format(expected=expected(column, order))
            + ("" if label == column.name else " " + _("Field {code}.").format(code=column.name)),
        )
        constant_label = _("or one value for {field}").format(field=label)
        given = inspection.constants.get(column.name, "")
        if column.kind == VOCAB:  # one of the column's codes, each shown by its label ("" is none)
            codes = ["", *column.vocabulary]
            right.selectbox(
                constant_label,
                codes,
                index=codes.index(given) if given in codes else 0,
                key=f"{key}_const_{column.name}",
                format_func=lambda code, name=column.name: code_label(name, code) if code else NONE,
            )
        else:
            right.text_input(constant_label, value=given, key=f"{key}_const_{column.name}")
        if column.kind == VOCAB and picked != NONE:
            known = inspection.values.get(column.name, {})
            with st.expander(
                _("Translate the values of {column} into {field}").format(column=md(picked), field=label)
            ):
                for k, (value, count) in enumerate(data.distinct_values(path, picked)):
                    options = [AS_IT_IS, *column.vocabulary]
                    current = known.get(value.strip().lower())
                    st.selectbox(
                        ngettext("{value} ({count} rows)", "{value} ({count} rows)", count).format(
                            value=md(value), count=formats.number(count)
                        ),
                        options,
                        index=options.index(current) if current in options else 0,
                        key=f"{key}_val_{column.name}_{k}",
                        format_func=code_choice(column.name),
                    )
    st.text_input(
        _("Save this mapping as (offered next time the same columns come in)"), key=f"{key}_save_as"
    )


def file_form(key: str, path, name: str, base: Inspection, inspection: Inspection) -> None:
    """The one form of a file: what the page must ask, then the options; applied at once."""
    with st.form(key=f"{key}_form", border=False):
        if base.candidates:
            st.radio(
                _("This file's columns match several exports equally. Which one is it?"),
                base.candidates,
                index=None,
                key=f"{key}_preset",
                help=_("The platform tells these files apart by their name only; the product never guesses."),
            )
        asked = dict(base.needs) | dict(inspection.needs)
        for field in [f for f in ASKED if f in asked or state(f"{key}_need_{f}") not in (None, "", NONE)]:
            label, why = (_(text) for text in ASKED[field])
            help_text = why + (
                " " + _("This export has none: {why}.").format(why=_(asked[field]))
                if asked.get(field)
                else ""
            )
            column = next((c for t in TABLES.values() for c in t.columns if c.name == field), None)
            if column is not None and column.kind == VOCAB:
                st.selectbox(
                    label,
                    [NONE, *column.vocabulary],
                    key=f"{key}_need_{field}",
                    help=help_text,
                    format_func=code_choice(field),
                )
            else:
                st.text_input(label, key=f"{key}_need_{field}", help=help_text)
        left, right = st.columns(2)
        left.selectbox(
            _("Dates such as 03/04/2026 are"),
            list(DATE_ORDERS),
            key=f"{key}_date_order",
            format_func=translated,
        )
        right.checkbox(
            _("Load the valid rows and set the invalid ones aside (they can be downloaded)"),
            key=f"{key}_skip",
        )
        unmatched = not inspection.ok and not base.candidates and not base.needs and not inspection.preset
        adjust = st.checkbox(
            _("Map the columns myself"),
            value=unmatched and bool(inspection.header),
            key=f"{key}_adjust",
            disabled=not inspection.header,
        )
        if adjust:
            mapping_fields(key, path, inspection)
        applied = st.form_submit_button(_("Apply"), type="primary" if not inspection.ok else "secondary")
    if applied and state(f"{key}_adjust") and (state(f"{key}_save_as") or "").strip():
        custom = adjusted_mapping(key, path, inspection, DATE_ORDERS.get(state(f"{key}_date_order")))
        data.save_preset(custom)
        st.success(_("Mapping {name} saved.").format(name=md(custom.name)))


def show_inspection(inspection: Inspection) -> None:
    if inspection.ok:
        table = TABLES[inspection.table]
        via = _(" with preset **{preset}**").format(preset=md(inspection.preset)) if inspection.preset else ""
        description = _(TABLE_DESCRIPTIONS.get(table.name, table.description))
        rows = formats.number(inspection.rows)
        st.markdown(
            f"**{md(inspection.file_name)}** → **{table.name}** ({md(description)}){via}, "
            + (
                ngettext(
                    "its first {rows} row(s) checked (a large file: Load checks every row)",
                    "its first {rows} row(s) checked (a large file: Load checks every row)",
                    inspection.rows,
                ).format(rows=rows)
                if inspection.sampled
                else ngettext("{rows} row(s)", "{rows} row(s)", inspection.rows).format(rows=rows)
            )
            + _("; read as {encoding}, delimiter {delimiter}, dates {order}.").format(
                encoding=md(inspection.encoding),
                delimiter=md(repr(inspection.delimiter)),
                order=md(
                    _(ORDER_NAMES[inspection.date_order])
                    if inspection.date_order in ORDER_NAMES
                    else inspection.date_order
                ),
            )
        )
        st.caption(
            _("Fields: ") + md("; ".join(f"{field_label(k)} ← {v}" for k, v in inspection.fields.items()))
        )
        if inspection.ignored_columns:
            st.caption(
                _("Not kept (not needed by the product): ") + md(", ".join(inspection.ignored_columns))
            )
        for problem in inspection.problems:
            st.warning(md_lines(problem.describe()) + _(" — these rows will be set aside."))
        if inspection.sample:
            st.dataframe(pd.DataFrame(inspection.sample), hide_index=True)
    else:
        st.error(md_lines(inspection.message), icon=":material/block:")


uploads = st.file_uploader(
    _("CSV files (.csv, .csv.gz, .zip)"),
    type=["csv", "gz", "zip"],
    accept_multiple_files=True,
    key="upload_files",
)
# Copies of the files on disk live from upload to load: removed from the uploader, or loaded, they are deleted.
files, refused, loaded = data.receive_uploads(uploads or [])
if loaded:
    st.info(
        _(
            "Loaded already: {files} (the copies on the server are deleted). Remove them from the list above to "
            "upload them again."
        ).format(files=md(", ".join(loaded))),
        icon=":material/check_circle:",
    )
if files or refused:
    chosen, all_ok = [], not refused
    for error in refused:  # a damaged archive, a compression bomb: said here, the other files go on
        st.error(md_lines(error), icon=":material/block:")
    for path, name in files:
        key = file_key(path, name)
        with st.container(border=True):
            base = data.inspect(path, name)
            options = chosen_options(key, path, base)
            inspection = data.inspect(path, name, options) if options != Options() else base
            show_inspection(inspection)
            file_form(key, path, name, base, inspection)
        chosen.append(options)
        all_ok = all_ok and inspection.ok
    if not all_ok:
        st.warning(
            _(
                "Some files cannot be loaded as they are: answer what their form asks (or fix them and upload "
                "again), then Apply. Nothing was written."
            )
        )
    elif st.button(
        ngettext("Load {count} file(s)", "Load {count} file(s)", len(files)).format(
            count=formats.number(len(files))
        ),
        key="load_files",
        type="primary",
    ):
        results = data.load(files, chosen)
        st.success(
            ngettext(
                "Loaded {count} file(s). Every page now shows the new data.",
                "Loaded {count} file(s). Every page now shows the new data.",
                len(results),
            ).format(count=formats.number(len(results)))
        )
        for result in results:
            st.write(md(result.describe()))
            if result.rejects_csv is not None:
                st.download_button(
                    ngettext(
                        "Download the {count} row(s) of {file} set aside, with why",
                        "Download the {count} row(s) of {file} set aside, with why",
                        result.rows_rejected,
                    ).format(count=result.rows_rejected, file=result.file_name),
                    data=result.rejects_csv.read_bytes(),
                    file_name=result.rejects_csv.name,
                    mime="text/csv",
                    key=f"rejects_{result.file_name}",
                )
        data.uploads_loaded(uploads)

st.header(_("Load history"))
history = data.load_history()
if history.empty:
    st.info(_("Nothing loaded yet."))
else:
    french = i18n.current() == "fr"
    counts = ("rows_in_file", "rows_added", "rows_updated", "rows_rejected")
    headings = {
        "loaded_at": _("Loaded at"),
        "file_name": _("File"),
        "table_name": _("Table"),
        "preset": _("Preset"),
        "rows_in_file": _("Rows in file"),
        "rows_added": _("Added"),
        "rows_updated": _("Updated"),
        "rows_rejected": _("Skipped"),
        "sha256": _("Content hash (SHA-256)"),
    }
    column_config = {}
    if french:  # French dates and thousands (English keeps Streamlit's defaults)
        column_config[headings["loaded_at"]] = st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm")
        for name in counts:
            column_config[headings[name]] = st.column_config.NumberColumn()  # written by readable()
    st.dataframe(
        readable(history.rename(columns=headings), counts=[headings[name] for name in counts]),
        hide_index=True,
        key="load_history",
        column_config=column_config or None,
    )

st.header(_("Empty the database"))
st.caption(
    _(
        "Removes every loaded file's data and the source registry from your database, for instance to load your "
        "exports again from the start. Saved settings, saved mappings and the decision log are kept; the change "
        "log records it. Until you load files again, the other pages show the demo brand."
    )
)
confirm = st.checkbox(_("I understand that the data loaded so far will be removed"), key="confirm_empty")
if st.button(_("Empty the database"), key="empty_database", disabled=not confirm):
    data.empty_database()
    st.success(_("The database is empty."))

st.header(_("Backup and restore"))
st.caption(
    _(
        "A backup is a copy of the whole database at one moment: the data, the source registry, the settings, "
        "the saved mappings and the decision log. Restoring one replaces all of it."
    )
)
if st.button(_("Back up now"), key="backup_now"):
    backup = data.backup_now()
    st.success(md_lines(backup["message"]))
    st.download_button(
        _("Download the backup"),
        data=backup["path"].read_bytes(),
        file_name=backup["path"].name,
        mime="application/octet-stream",
        key="download_backup",
    )
uploaded_backup = st.file_uploader(
    _("Restore a backup (a file written by Back up now or `optout-cohorts backup`)"), key="restore_upload"
)
confirm_restore = st.checkbox(
    _(
        "I understand that everything in the database, the decision log included, will be replaced by the backup"
    ),
    key="confirm_restore",
    help=_(
        "The message after the restore says how many entries the decision log held, and how many the backup's "
        "holds."
    ),
)
if st.button(
    _("Restore this backup"), key="restore_backup", disabled=uploaded_backup is None or not confirm_restore
):
    restored = data.restore_upload(uploaded_backup)
    st.success(md_lines(restored["message"]))
