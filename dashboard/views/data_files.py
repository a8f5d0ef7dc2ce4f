"""Data: upload exports, see what each will load as (or what is wrong), give what the page asks, load.

Each file gets one form: the export to read it as when several match equally, the values the export lacks
(a collection source, a legal basis), how its dates are written, whether to set invalid rows aside, and — only
when asked — a mapping of its columns made by hand. Nothing reruns until the form is applied; nothing is written
until Load, and then every file lands or none does.
"""

import hashlib

import pandas as pd
import streamlit as st

from analytics.ingest import Inspection, Options
from analytics.ingest.mapping import user_preset
from analytics.tables import TABLES, VOCAB
from dashboard import data
from dashboard.text import md

NONE = "—"
AS_IT_IS = "(as it is)"
DATE_ORDERS = {"as the file shows": None, "day first (dmy)": "dmy", "month first (mdy)": "mdy"}
# What the page asks for a field an export lacks, in the user's words.
ASKED = {
    "collection_source": (
        "Collection source of every contact in this file",
        "Where these addresses were collected, as your source registry names it, e.g. newsletter_form, "
        "web_checkout, in_store.",
    ),
    "basis": (
        "Legal basis of the recipients of this report",
        "Under which basis its recipients were mailed: soft_opt_in for the non-opt-in clients of a source, "
        "opt_in for subscribers who ticked the box.",
    ),
    "consent": ("Consent of every contact in this file", "opt_in, none (no explicit answer) or objected."),
    "collected_at": (
        "Collection date of every contact in this file",
        "A date such as 2026-03-15, when the file has none of its own.",
    ),
}

st.title("Data")
st.caption(
    "Upload CSV exports: the canonical files (see the Guide) or your platform's own exports (Mailchimp, "
    "Klaviyo, Brevo, SendGrid, Mailjet, Salesforce Marketing Cloud, Mautic…), also as .csv.gz or .zip. Each "
    "file's table or export is recognised from its columns; columns the product does not need (names, "
    "phones, addresses, IPs) are never stored, and a column that records an opposition is never dropped. "
    "Nothing is written until you press Load, and then every file lands or none does: the data already "
    "loaded stays intact."
)
if data.showing_demo():
    st.info(
        f"Your database ({md(data.user_database_path())}) is empty, so the other pages show the demo brand, "
        "labelled as such. The files you load here go into your database — never into the demo — and from then "
        "on every page shows your data only.",
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
                for k, (value, _) in enumerate(data.distinct_values(path, picked)):
                    target = state(f"{key}_val_{column.name}_{k}", AS_IT_IS)
                    if target != AS_IT_IS:
                        translated[value] = target
                if translated:
                    values[column.name] = translated
    name = (state(f"{key}_save_as") or "").strip() or f"mapping for {path.name}"
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
    default_table = inspection.table if inspection.table in TABLES else "contacts"
    table_name = st.selectbox(
        "Table",
        tables,
        index=tables.index(default_table),
        key=f"{key}_table",
        help="Which table the rows are.",
    )
    table = TABLES[table_name]
    st.caption("For each field: the column that holds it, or one value for the whole file.")
    choices = [NONE, *inspection.header]
    for column in table.columns:
        left, right = st.columns(2)
        detected = inspection.columns.get(column.name)
        picked = left.selectbox(
            f"{column.name}{' (required)' if column.required else ''}",
            choices,
            index=choices.index(detected) if detected in choices else 0,
            key=f"{key}_map_{column.name}",
            help=f"Expected: {column.expected}.",
        )
        right.text_input(
            f"or one value for {column.name}",
            value=inspection.constants.get(column.name, ""),
            key=f"{key}_const_{column.name}",
        )
        if column.kind == VOCAB and picked != NONE:
            known = inspection.values.get(column.name, {})
            with st.expander(f"Translate the values of {md(picked)} into {column.name}"):
                for k, (value, count) in enumerate(data.distinct_values(path, picked)):
                    options = [AS_IT_IS, *column.vocabulary]
                    current = known.get(value.strip().lower())
                    st.selectbox(
                        f"{md(value)} ({count:,} rows)",
                        options,
                        index=options.index(current) if current in options else 0,
                        key=f"{key}_val_{column.name}_{k}",
                    )
    st.text_input("Save this mapping as (offered next time the same columns come in)", key=f"{key}_save_as")


def file_form(key: str, path, name: str, base: Inspection, inspection: Inspection) -> None:
    """The one form of a file: what the page must ask, then the options; applied at once."""
    with st.form(key=f"{key}_form", border=False):
        if base.candidates:
            st.radio(
                "This file's columns match several exports equally. Which one is it?",
                base.candidates,
                index=None,
                key=f"{key}_preset",
                help="The platform tells these files apart by their name only; the product never guesses.",
            )
        asked = dict(base.needs) | dict(inspection.needs)
        for field in [f for f in ASKED if f in asked or state(f"{key}_need_{f}") not in (None, "", NONE)]:
            label, why = ASKED[field]
            help_text = why + (f" This export has none: {asked[field]}." if asked.get(field) else "")
            column = next((c for t in TABLES.values() for c in t.columns if c.name == field), None)
            if column is not None and column.kind == VOCAB:
                st.selectbox(label, [NONE, *column.vocabulary], key=f"{key}_need_{field}", help=help_text)
            else:
                st.text_input(label, key=f"{key}_need_{field}", help=help_text)
        left, right = st.columns(2)
        left.selectbox("Dates such as 03/04/2026 are", list(DATE_ORDERS), key=f"{key}_date_order")
        right.checkbox(
            "Load the valid rows and set the invalid ones aside (they can be downloaded)", key=f"{key}_skip"
        )
        unmatched = not inspection.ok and not base.candidates and not base.needs and not inspection.preset
        adjust = st.checkbox(
            "Map the columns myself",
            value=unmatched and bool(inspection.header),
            key=f"{key}_adjust",
            disabled=not inspection.header,
        )
        if adjust:
            mapping_fields(key, path, inspection)
        applied = st.form_submit_button("Apply", type="primary" if not inspection.ok else "secondary")
    if applied and state(f"{key}_adjust") and (state(f"{key}_save_as") or "").strip():
        custom = adjusted_mapping(key, path, inspection, DATE_ORDERS.get(state(f"{key}_date_order")))
        data.save_preset(custom)
        st.success(f"Mapping {md(custom.name)} saved.")


def show_inspection(inspection: Inspection) -> None:
    if inspection.ok:
        table = TABLES[inspection.table]
        via = f" with preset **{md(inspection.preset)}**" if inspection.preset else ""
        st.markdown(
            f"**{md(inspection.file_name)}** → **{table.name}** ({md(table.description)}){via}, "
            + (
                f"its first {inspection.rows:,} row(s) checked (a large file: Load checks every row)"
                if inspection.sampled
                else f"{inspection.rows:,} row(s)"
            )
            + f"; read as {md(inspection.encoding)}, delimiter "
            f"{md(repr(inspection.delimiter))}, dates {md(inspection.date_order)}."
        )
        st.caption("Fields: " + md("; ".join(f"{k} ← {v}" for k, v in inspection.fields.items())))
        if inspection.ignored_columns:
            st.caption("Not kept (not needed by the product): " + md(", ".join(inspection.ignored_columns)))
        for problem in inspection.problems:
            st.warning(md(problem.describe()) + " — these rows will be set aside.")
        if inspection.sample:
            st.dataframe(pd.DataFrame(inspection.sample), hide_index=True)
    else:
        st.error(md(inspection.message), icon=":material/block:")


uploads = st.file_uploader(
    "CSV files (.csv, .csv.gz, .zip)",
    type=["csv", "gz", "zip"],
    accept_multiple_files=True,
    key="upload_files",
)
# Copies of the files on disk live from upload to load: removed from the uploader, or loaded, they are deleted.
files, refused, loaded = data.receive_uploads(uploads or [])
if loaded:
    st.info(
        f"Loaded already: {md(', '.join(loaded))} (the copies on the server are deleted). Remove them from the "
        "list above to upload them again.",
        icon=":material/check_circle:",
    )
if files or refused:
    chosen, all_ok = [], not refused
    for error in refused:  # a damaged archive, a compression bomb: said here, the other files go on
        st.error(md(error), icon=":material/block:")
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
            "Some files cannot be loaded as they are: answer what their form asks (or fix them and upload "
            "again), then Apply. Nothing was written."
        )
    elif st.button(f"Load {len(files)} file(s)", key="load_files", type="primary"):
        results = data.load(files, chosen)
        st.success(f"Loaded {len(results)} file(s). Every page now shows the new data.")
        for result in results:
            st.write(md(result.describe()))
            if result.rejects_csv is not None:
                st.download_button(
                    f"Download the {result.rows_rejected} row(s) of {result.file_name} set aside, with why",
                    data=result.rejects_csv.read_bytes(),
                    file_name=result.rejects_csv.name,
                    mime="text/csv",
                    key=f"rejects_{result.file_name}",
                )
        data.uploads_loaded(uploads)

st.header("Load history")
history = data.load_history()
if history.empty:
    st.info("Nothing loaded yet.")
else:
    st.dataframe(
        history.rename(
            columns={
                "loaded_at": "Loaded at",
                "file_name": "File",
                "table_name": "Table",
                "preset": "Preset",
                "rows_in_file": "Rows in file",
                "rows_added": "Added",
                "rows_updated": "Updated",
                "rows_rejected": "Skipped",
                "sha256": "Content hash (SHA-256)",
            }
        ),
        hide_index=True,
        key="load_history",
    )

st.header("Empty the database")
st.caption(
    "Removes every loaded file's data and the source registry from your database, for instance to load your "
    "exports again from the start. Saved settings, saved mappings and the decision log are kept; the change "
    "log records it. Until you load files again, the other pages show the demo brand."
)
confirm = st.checkbox("I understand that the data loaded so far will be removed", key="confirm_empty")
if st.button("Empty the database", key="empty_database", disabled=not confirm):
    data.empty_database()
    st.success("The database is empty.")

st.header("Backup and restore")
st.caption(
    "A backup is a copy of the whole database at one moment: the data, the source registry, the settings, "
    "the saved mappings and the decision log. Restoring one replaces all of it."
)
if st.button("Back up now", key="backup_now"):
    backup = data.backup_now()
    st.success(md(backup["message"]))
    st.download_button(
        "Download the backup",
        data=backup["path"].read_bytes(),
        file_name=backup["path"].name,
        mime="application/octet-stream",
        key="download_backup",
    )
uploaded_backup = st.file_uploader(
    "Restore a backup (a file written by Back up now or `optout-cohorts backup`)", key="restore_upload"
)
confirm_restore = st.checkbox(
    "I understand that everything in the database, the decision log included, will be replaced by the backup",
    key="confirm_restore",
    help="The message after the restore says how many entries the decision log held, and how many the backup's "
    "holds.",
)
if st.button(
    "Restore this backup", key="restore_backup", disabled=uploaded_backup is None or not confirm_restore
):
    restored = data.restore_upload(uploaded_backup)
    st.success(md(restored["message"]))
