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

SOURCES = {
    "posts": t("Posts"), "engagement snapshots": t("Engagement snapshots"), "incidents": t("Incidents"),
    "contests": t("Contests"), "file": t("A file (no tool named)"), "linkedin page": t("LinkedIn page export"),
    "linkedin creator": t("LinkedIn creator analytics"), "firstup": "Firstup", "everyonesocial": "EveryoneSocial",
}  # fmt: skip
COLUMNS = {
    "source": t("Source"), "first_day": t("First day"), "last_day": t("Last day"), "rows": t("Rows"),
    "posts": t("Posts"), "snapshots": t("Snapshots"), "author": t("Author"), "incidents": t("Incidents"),
    "candidates": t("Candidates"), "since": t("Waiting since"), "upload_id": t("Upload"), "file_name": t("File"),
    "file": t("File"), "kind": t("Kind"), "rows_read": t("Rows read"), "loaded": t("Loaded"),
    "updated": t("Updated"), "unchanged": t("Unchanged"), "quarantined": t("Quarantined"),
    "export_date": t("Export date"), "loaded_at": t("Loaded at"), "loaded_by": t("By"),
    "undone_at": t("Undone at"), "undone_by": t("Undone by"), "duplicate_of": t("Same file as"),
    "line": t("Line"), "reason": t("Reason"),
}  # fmt: skip


def table(rows: list[dict], columns: list[str]) -> None:
    """Rows under translated headers, a source or a kind by its name."""
    frame = pd.DataFrame(rows, columns=columns)
    if "source" in frame:
        frame["source"] = frame["source"].map(lambda s: SOURCES.get(s, s))
    if "candidates" in frame:
        frame["candidates"] = frame["candidates"].map(lambda c: ", ".join(c) if c is not None and len(c) else "–")
    st.dataframe(frame.rename(columns=COLUMNS), hide_index=True)


st.subheader(t("Coverage"))
cov = data.coverage()
table(cov["sources"], ["source", "first_day", "last_day", "rows"])
cols = st.columns(2)
cols[0].metric(t("Posts without engagement figures"), num(cov["posts_without_engagement"], 0))
cols[1].metric(t("Teams without a charter date"), num(len(cov["teams_without_charter_date"]), 0))
if cov["teams_without_charter_date"]:
    st.text(", ".join(cov["teams_without_charter_date"]))

st.caption(t("Where the posts' figures come from: a figure LinkedIn measured wins over a platform's."))
table(cov["figures_by_source"], ["source", "posts", "snapshots", "first_day", "last_day"])

if decided := st.session_state.pop("decided", None):
    st.success(t("Decided") + f": {decided.loaded} " + t("waiting row(s) loaded"))
st.subheader(t("Authors who match nobody"))
st.caption(t("Posts and incidents whose author is nobody in the roster, or several people. Say who they are: "
             "the rows waiting load, and the decision can be undone like an upload."))  # fmt: skip
found = data.authors()
waiting = pd.DataFrame(found["waiting"], columns=["author", "posts", "incidents", "candidates", "since"])
table(found["waiting"], ["author", "posts", "incidents", "candidates", "since"])
if len(waiting):
    people = data.roster()
    left, right = st.columns(2)
    author = left.selectbox(t("Author"), waiting["author"].tolist(), key="author_pick")
    NOT_STAFF = ""
    who = right.selectbox(
        t("Is"),
        [NOT_STAFF, *people],
        format_func=lambda i: t("not staff (an agency, the page's admin)") if i == NOT_STAFF else people[i],
        key="author_is",
    )
    if st.button(t("Decide"), key="author_decide"):
        try:
            st.session_state["decided"] = data.decide_author(author, who or None)
        except data.DecisionRefused as error:
            st.error(str(error))
        else:
            st.rerun()
if found["not_staff_posts"]:
    kept = sum(p["posts"] for p in found["not_staff_posts"])
    st.caption(f"{num(kept, 0)} " + t("post(s) by authors who are not staff: kept, counted in no figure."))

st.subheader(t("Uploads"))
ledger = data.ledger()
st.dataframe(ledger.rename(columns=COLUMNS), hide_index=True)
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
st.dataframe(data.quarantine().rename(columns=COLUMNS), hide_index=True)
if st.button(t("Reprocess quarantined rows"), key="reprocess"):
    st.session_state["reprocessed"] = data.reprocess()
    st.rerun()
