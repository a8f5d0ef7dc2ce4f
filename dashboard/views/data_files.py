"""Data: upload exports, see what each will load as (or what is wrong), map what is not recognised, load."""

import pandas as pd
import streamlit as st

from analytics.ingest import Options
from analytics.mapping import user_preset
from analytics.tables import TABLES, VOCAB
from dashboard import data
from dashboard.text import md

NONE = "—"

st.title("Data")
st.caption(
    "Upload CSV exports: the canonical files (see the Guide) or your platform's own exports (Mailchimp, "
    "Klaviyo, Brevo, SendGrid, Mailjet, Salesforce Marketing Cloud, Mautic…), also as .csv.gz or .zip. Each "
    "file's table or export is recognised from its columns; columns the product does not need (names, "
    "phones, addresses, IPs) are never stored. Nothing is written until you press Load, and then every file "
    "lands or none does: the data already loaded stays intact."
)


def mapping_widgets(index: int, path, inspection) -> Options:
    """The choices for one file, as Options: the recognised mapping, or the one the user builds here."""
    adjust = st.checkbox("Adjust how this file is read", value=not inspection.ok, key=f"adjust_{index}")
    date_order = st.selectbox(
        "Dates such as 03/04/2026 are",
        ["as the file shows", "day first (dmy)", "month first (mdy)"],
        key=f"date_order_{index}",
    )
    order = {"day first (dmy)": "dmy", "month first (mdy)": "mdy"}.get(date_order)
    skip = st.checkbox(
        "Load the valid rows and set the invalid ones aside (they can be downloaded)", key=f"skip_{index}"
    )
    options = Options(date_order=order, on_invalid="skip" if skip else "fail")
    if not adjust or not inspection.header:
        return options
    tables = list(TABLES)
    table_name = st.selectbox(
        "Table",
        tables,
        index=tables.index(inspection.table or "contacts"),
        key=f"map_table_{index}",
        help="Which canonical table the rows are.",
    )
    table = TABLES[table_name]
    detected = {f: w.split("'")[1] for f, w in inspection.fields.items() if w.startswith("column")}
    columns, constants, values = {}, {}, {}
    st.caption("For each field: the column that holds it, or one value for the whole file.")
    for column in table.columns:
        left, right = st.columns(2)
        choices = [NONE, *inspection.header]
        default = detected.get(column.name)
        picked = left.selectbox(
            f"{column.name}{' (required)' if column.required else ''}",
            choices,
            index=choices.index(default) if default in choices else 0,
            key=f"map_{index}_{column.name}",
            help=f"Expected: {column.expected}.",
        )
        constant = right.text_input(f"or one value for {column.name}", key=f"const_{index}_{column.name}")
        if constant.strip():
            constants[column.name] = constant.strip()
        elif picked != NONE:
            columns[column.name] = picked
            if column.kind == VOCAB:
                translated = {}
                with st.expander(f"Translate the values of {md(picked)} into {column.name}"):
                    for k, (value, count) in enumerate(data.distinct_values(path, picked)):
                        target = st.selectbox(
                            f"{md(value)} ({count:,} rows)",
                            ["(as it is)", *column.vocabulary],
                            key=f"val_{index}_{column.name}_{k}",
                        )
                        if target != "(as it is)":
                            translated[value] = target
                if translated:
                    values[column.name] = translated
    name = st.text_input(
        "Save this mapping as (offered next time the same columns come in)", key=f"preset_name_{index}"
    )
    custom = user_preset(
        name or f"mapping for {path.name}", inspection.header, table_name, columns, constants, values, order
    )
    if st.button("Save the mapping", key=f"save_preset_{index}", disabled=not name.strip()):
        data.save_preset(custom)
        st.success(f"Mapping {md(name)} saved.")
    return Options(date_order=order, on_invalid=options.on_invalid, custom=custom)


uploads = st.file_uploader(
    "CSV files (.csv, .csv.gz, .zip)",
    type=["csv", "gz", "zip"],
    accept_multiple_files=True,
    key="upload_files",
)
if uploads:
    with st.status(f"Checking {len(uploads)} file(s)…", expanded=False) as status:
        paths = []
        for uploaded in uploads:
            status.update(label=f"Copying {uploaded.name} to disk…")
            paths.append(data.store_upload(uploaded))
        status.update(label="Files received", state="complete")
    chosen_options = []
    all_ok = True
    for index, path in enumerate(paths):
        with st.container(border=True):
            first = data.inspect(path)
            options = mapping_widgets(index, path, first)
            inspection = data.inspect(path, options) if options != Options() else first
            if inspection.ok:
                table = TABLES[inspection.table]
                via = f" with preset **{md(inspection.preset)}**" if inspection.preset else ""
                st.markdown(
                    f"**{md(inspection.file_name)}** → **{table.name}** ({md(table.description)}){via}, "
                    f"{inspection.rows:,} row(s); read as {md(inspection.encoding)}, delimiter "
                    f"{md(repr(inspection.delimiter))}, dates {md(inspection.date_order)}."
                )
                st.caption("Fields: " + md("; ".join(f"{k} ← {v}" for k, v in inspection.fields.items())))
                if inspection.ignored_columns:
                    st.caption(
                        "Not kept (not needed by the product): " + md(", ".join(inspection.ignored_columns))
                    )
                for problem in inspection.problems:
                    st.warning(md(problem.describe()) + " — these rows will be set aside.")
                if inspection.sample:
                    st.dataframe(pd.DataFrame(inspection.sample), hide_index=True)
            else:
                all_ok = False
                st.error(md(inspection.message), icon=":material/block:")
            chosen_options.append(options)
    if not all_ok:
        st.warning(
            "Some files cannot be loaded as they are. Adjust how they are read, or fix them and upload "
            "again; nothing was written."
        )
    elif st.button(f"Load {len(paths)} file(s)", key="load_files", type="primary"):
        with st.status("Loading…", expanded=True) as status:
            results = data.load(paths, chosen_options)
            for result in results:
                st.write(md(result.describe()))
                if result.rejects_csv is not None:
                    st.download_button(
                        f"Download the {result.rows_rejected} skipped row(s) of {result.file_name}",
                        data=result.rejects_csv.read_bytes(),
                        file_name=result.rejects_csv.name,
                        mime="text/csv",
                        key=f"rejects_{result.file_name}",
                    )
            status.update(label="Loaded", state="complete")
        st.success("Loaded. Every page now shows the new data.")

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

st.header("Start again from the demo data")
st.caption(
    "Replaces every loaded file, and the source registry, with the demo brand's (Maison Lumen). Saved "
    "settings are kept; the change log records the reset."
)
confirm = st.checkbox("I understand that the data loaded so far will be removed", key="confirm_reset")
if st.button("Reset to the demo data", key="reset_demo", disabled=not confirm):
    results = data.reset_to_demo()
    st.success(f"Reset done: {len(results)} demo file(s) loaded.")

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
    "I understand that everything in the database will be replaced by the backup", key="confirm_restore"
)
if st.button(
    "Restore this backup", key="restore_backup", disabled=uploaded_backup is None or not confirm_restore
):
    restored = data.restore_backup(data.store_upload(uploaded_backup))
    st.success(md(restored["message"]))
