"""Contests: one contest's ranking on one criterion, by person or by team, and its CSV and Excel downloads."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.i18n import colon, day, metric, t

st.title(t("Contests"))
found = data.contest_list()
if not found:
    st.info(t("No contest loaded yet: upload a contests file."))
    st.stop()

by_id = {c.contest_id: c for c in found}
contest_id = st.selectbox(
    t("Contest"), list(by_id), format_func=lambda cid: f"{by_id[cid].name} ({cid})", key="contest"
)
criteria = {c: metric(c, "criterion") for c in data.CRITERIA}
criterion = st.selectbox(t("Criterion"), list(criteria), format_func=criteria.__getitem__, key="criterion")
by = st.radio(
    t("Rank"), ["employee", "team"], format_func={"employee": t("People"), "team": t("Teams")}.__getitem__,
    horizontal=True, key="by",
)  # fmt: skip
chosen = by_id[contest_id]
st.caption(f"{day(chosen.starts_on)} → {day(chosen.ends_on)}")
scope = data.shown_teams(chosen.teams)  # the privacy threshold
st.text(t("teams") + colon() + (", ".join(scope) or t("all")))  # uploaded names: plain text, never markdown

ranked = data.contest_ranking(contest_id, criterion, by)
if ranked.note:
    st.info(t(ranked.note))
st.dataframe(data.shown(data.first_rows(data.ranking_shown(ranked))), hide_index=True)  # what both downloads hold
if more := data.more_rows(len(ranked.rows), data.ALL_IN_DOWNLOADS):
    st.caption(more)
name = f"{contest_id}_{criterion}_{by}"
as_csv, as_xlsx = data.ranking_files(contest_id, criterion, by)
left, right = st.columns(2)
left.download_button("CSV", data=as_csv, file_name=f"{name}.csv", mime="text/csv", key="csv")
right.download_button(
    "Excel",
    data=as_xlsx,
    file_name=f"{name}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="xlsx",
)
