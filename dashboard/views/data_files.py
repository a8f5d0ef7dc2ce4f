"""Data: upload CSV exports, see what they will load as and what is wrong, then load them; the history."""

import pandas as pd
import streamlit as st

from analytics.tables import TABLES
from dashboard import data
from dashboard.text import md

st.title("Data")
st.caption(
    "Upload the canonical CSV files (contacts, orders, campaigns, events, sources, campaign_stats — see the "
    "Guide). Each file's table is recognised from its columns. Nothing is written until you press Load, and "
    "then every file lands or none does: the data already loaded stays intact."
)

uploads = st.file_uploader(
    "CSV files (.csv or .csv.gz)", type=["csv", "gz"], accept_multiple_files=True, key="upload_files"
)
if uploads:
    inspections = []
    with st.status(f"Checking {len(uploads)} file(s)…", expanded=False) as status:
        for uploaded in uploads:
            status.update(label=f"Checking {uploaded.name}…")
            inspections.append((data.store_upload(uploaded), None))
        inspections = [(path, data.inspect(path)) for path, _ in inspections]
        status.update(label="Files checked", state="complete")
    for _path, inspection in inspections:
        with st.container(border=True):
            if inspection.ok:
                table = TABLES[inspection.table]
                st.markdown(
                    f"**{md(inspection.file_name)}** → **{table.name}** ({md(table.description)}), "
                    f"{inspection.rows:,} row(s)"
                )
                if inspection.ignored_columns:
                    st.caption(
                        "Not kept (not needed by the product): " + md(", ".join(inspection.ignored_columns))
                    )
                if inspection.sample:
                    st.dataframe(pd.DataFrame(inspection.sample), hide_index=True)
            else:
                st.error(md(inspection.message), icon=":material/block:")
    problems = [i for _, i in inspections if not i.ok]
    if problems:
        st.warning(
            f"{len(problems)} file(s) cannot be loaded. Fix them and upload again; nothing was written."
        )
    elif st.button(f"Load {len(inspections)} file(s)", key="load_files", type="primary"):
        with st.status("Loading…", expanded=True) as status:
            results = data.load([path for path, _ in inspections])
            for result in results:
                st.write(md(result.describe()))
            status.update(label="Loaded", state="complete")
        data.discard_uploads()
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
                "rows_in_file": "Rows in file",
                "rows_added": "Added",
                "rows_updated": "Updated",
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
