"""Workshops & contests: did the charter workshops pay, and do contests lift posting (metrics.md, "Co-creation" and
"Contest effect"), for all teams, per team where both groups are big enough, and per contest."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.i18n import lang, t

st.title(t("Workshops & contests"))
if data.is_empty():
    st.info(t("No data yet: load the demo from the Overview page, or upload files."))
    st.stop()

report = data.report(data.filters(), data.PROGRAMME)
cocreation, contests = report.get("cocreation"), report.get("contest_effect")

st.subheader(t("Charter workshops: did co-creating the charter pay?"))
if not cocreation:
    st.info(t("No workshop attendance loaded yet: upload a workshops file (who attended which charter workshop)."))
else:
    st.caption(t(
        "Participants attended a charter workshop on or before their team's charter date; others are the other "
        "members of the same teams. Each figure is (participants after ÷ before) ÷ (others after ÷ before): ×1.20 "
        "means participants' posting grew 20 % more than the others'. Intervals: bootstrap over employees. Teams "
        "are listed only where both groups have at least 5 members. Before: posts per member-week before the charter."
    ))  # fmt: skip
    st.dataframe(data.cocreation_table(cocreation), hide_index=True, column_config={
        t("Scope"): st.column_config.TextColumn(width=130),
        t("Participants"): st.column_config.NumberColumn(width=85),
        t("Others"): st.column_config.NumberColumn(width=60),
        t("Before: participants"): st.column_config.TextColumn(width=120),
        t("Before: others"): st.column_config.TextColumn(width=90),
        t("Posting (95 % CI)"): st.column_config.TextColumn(width=145),
        t("Engagement/post (95 % CI)"): st.column_config.TextColumn(width=170),
    })  # fmt: skip
    st.caption(t(
        "Volunteers may have been keener already: the before columns show their level. The ratio of ratios "
        "removes that level, not the reason they volunteered."
    ))  # fmt: skip
    notes = [n for n in cocreation["posting"]["notes"] if "volunteered" not in n]
    for note in dict.fromkeys(notes):
        st.caption(t(note))

st.subheader(t("Contests: do they lift posting, and does it last?"))
if not contests:
    st.info(t("No contest loaded yet: upload a contests file."))
else:
    st.caption(t(
        "Eligible members' posts during each contest (and in as many days after it) against as many days before "
        "it, divided by the same ratio for the teams it did not cover where there are any. After below ×1: "
        "posting was borrowed from the weeks after. New voices: those who posted during it with no post in the 8 "
        "weeks before. Best-written: the 3 best jury-rated posts' engagement per post against the others'."
    ))  # fmt: skip
    st.dataframe(data.contest_effect_table(contests), hide_index=True, column_config={
        t("Contest"): st.column_config.TextColumn(width=190),
        t("Compared with"): st.column_config.TextColumn(width=165),
        t("During (95 % CI)"): st.column_config.TextColumn(width=135, help=t(
            "Eligible members' posts during the contest against as many days before it (÷ the same ratio for the "
            "other teams where there are any), with its 95 % interval")),
        t("After (95 % CI)"): st.column_config.TextColumn(width=135, help=t(
            "The same for as many days after the contest: below ×1, posting was borrowed from the weeks after")),
        t("New voices"): st.column_config.TextColumn(width=95),
        t("Best-written"): st.column_config.TextColumn(width=90),
    })  # fmt: skip
    for found in contests["contests"]:
        for note in found.get("notes", []):
            st.caption(f"{found.get('name') or found['contest_id']} : {t(note)}" if lang() == "fr" else
                       f"{found.get('name') or found['contest_id']}: {note}")  # fmt: skip
