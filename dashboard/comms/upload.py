"""Upload (comms): preview what the files would do on a copy of the database, then load them for real."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.data import LoadResult
from dashboard.i18n import t

st.title(t("Upload"))
auth.require_comms()

files = st.file_uploader(
    t("Export files (CSV, TXT, XLSX)"),
    accept_multiple_files=True,
    type=["csv", "txt", "xlsx"],
    max_upload_size=data.max_upload_mb(),
    key="files",
)
KIND_NAMES = {
    "employees": t("Roster (employees)"), "teams": t("Teams"), "posts": t("Posts"), "engagement": t("Engagement"),
    "incidents": t("Incidents"), "contests": t("Contests"), "jury_scores": t("Jury scores"),
}  # fmt: skip
left, middle, right = st.columns(3)
export_date = left.date_input(
    t("Date of the export"),
    value=None,
    format="DD/MM/YYYY",
    help=t("Leave empty: taken from a LinkedIn file's name, else today."),
    key="export_date",
)
kind = middle.selectbox(
    t("Kind"),
    [None, *data.kinds()],
    format_func=lambda k: t("Detect from the headers") if k is None else KIND_NAMES.get(k, k),
    help=t("Only when the headers fit several kinds, or none for sure: the refusal says so."),
    key="kind",
)
author = (
    right.text_input(
        t("Employee (files without authors)"),
        help=t(
            "For one person's own export: LinkedIn's Shares.csv, a creator analytics export. Employee id, e-mail "
            "or name."
        ),  # fmt: skip
        key="author",
    ).strip()
    or None
)


def show(results: list[LoadResult]) -> None:
    st.dataframe(
        pd.DataFrame([
            {"file": r.file, "kind": r.kind, "rows_read": r.rows_read, "loaded": r.loaded, "updated": r.updated,
             "unchanged": r.unchanged, "quarantined": r.quarantined, "refused": r.refused or ""}
            for r in results
        ]),
        hide_index=True,
    )  # fmt: skip
    for number, r in enumerate(results, start=1):
        with st.expander(t("Details") + f" {number}"):  # a label is markdown: the file's name goes in st.text
            st.text(r.file)
            st.text(", ".join(f"{k}: {v}" for k, v in r.dialect.items()) or "–")
            for note in r.notes:
                st.text(note)
            if r.reasons:
                st.dataframe(pd.DataFrame(list(r.reasons.items()), columns=["reason", "rows"]), hide_index=True)


if files:
    contents = [(f.name, f.getvalue()) for f in files]
    key = (tuple((name, len(content)) for name, content in contents), export_date, kind, author)
    if st.session_state.get("preview_key") != key:
        st.session_state["preview"] = data.preview(contents, export_date, kind, author)
        st.session_state["preview_key"] = key
    st.subheader(t("Preview (nothing written yet)"))
    show(st.session_state["preview"])
    if st.button(t("Confirm and load"), type="primary", key="confirm"):
        st.session_state["loaded"] = data.load(contents, export_date, kind, author)
        st.session_state.pop("preview_key", None)

if st.session_state.get("loaded"):
    st.subheader(t("Loaded"))
    show(st.session_state["loaded"])
    refused = [r for r in st.session_state["loaded"] if r.refused]
    if refused:
        st.error(t("Some files were refused; nothing of them was written."))
    else:
        st.success(t("Loaded. Every page now shows the new data."))
