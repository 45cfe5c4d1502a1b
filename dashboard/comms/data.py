"""Data (comms): the uploads ledger, undo with a confirmation, quarantined rows, reprocess, and coverage."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.i18n import num, t

st.title(t("Data"))
auth.require_comms()

if undone := st.session_state.pop("undone", None):
    st.success(t("Undone") + f": {undone.upload_id}")
    st.text(undone.file)
if reprocessed := st.session_state.pop("reprocessed", None):
    st.success(t("Reprocessed") + f": {len(reprocessed)} " + t("upload(s)"))
    st.dataframe(pd.DataFrame([vars(r) for r in reprocessed]), hide_index=True)

st.subheader(t("Coverage"))
cov = data.coverage()
st.dataframe(pd.DataFrame(cov["sources"]), hide_index=True)
cols = st.columns(2)
cols[0].metric(t("Posts without engagement figures"), num(cov["posts_without_engagement"], 0))
cols[1].metric(t("Teams without a charter date"), num(len(cov["teams_without_charter_date"]), 0))
if cov["teams_without_charter_date"]:
    st.text(", ".join(cov["teams_without_charter_date"]))

st.subheader(t("Uploads"))
ledger = data.ledger()
st.dataframe(ledger, hide_index=True)
active = ledger[ledger["undone_at"].isna()] if len(ledger) else ledger
if len(active):
    upload_id = st.selectbox(
        t("Upload to undo"),
        active["upload_id"].tolist(),
        format_func=lambda i: f"{i}: {active.loc[active['upload_id'] == i, 'file_name'].iloc[0]}",
        key="undo_id",
    )
    sure = st.checkbox(t("I understand: this takes the upload's rows out of every figure."), key="undo_sure")
    if st.button(t("Undo this upload"), key="undo"):
        if not sure:
            st.warning(t('Tick "I understand" first.'))
        else:
            try:
                done = data.undo(int(upload_id))
            except data.UndoError as error:
                st.error(str(error))
            else:
                st.session_state["undone"] = done
                st.session_state.pop("undo_sure", None)
                st.rerun()

st.subheader(t("Quarantine"))
st.caption(
    t("Rows that could not be loaded, with the reason. Reprocess tries them again (say, after a roster upload).")
)
st.dataframe(data.quarantine(), hide_index=True)
if st.button(t("Reprocess quarantined rows"), key="reprocess"):
    st.session_state["reprocessed"] = data.reprocess()
    st.rerun()
