"""The dashboard's entry point (a first page: the data loaded so far)."""

from __future__ import annotations

import streamlit as st

from pipelines import config
from pipelines.db import connect

st.set_page_config(page_title="Employee advocacy", layout="wide")
st.title("Employee advocacy programme")

with connect(config.db_path(), read_only=True) as con:
    totals = con.execute(
        """SELECT (SELECT count(*) FROM employees), (SELECT count(DISTINCT team) FROM employees),
                  (SELECT count(*) FROM posts), (SELECT count(*) FROM incidents)"""
    ).fetchall()[0]
    uploads = con.execute(
        """SELECT upload_id, file_name, kind, rows_read, loaded, updated, unchanged, quarantined, loaded_at
        FROM uploads WHERE undone_at IS NULL ORDER BY upload_id DESC"""
    ).df()

if not len(uploads):
    st.info("The database is empty: run `advocacy demo` or `advocacy load FILE...` to fill it.")
columns = st.columns(4)
for column, label, value in zip(columns, ("Employees", "Teams", "Posts", "Incidents"), totals, strict=True):
    column.metric(label, f"{value:,}")
st.subheader("Uploads")
st.dataframe(uploads, hide_index=True)
