"""Teams: each team's before → after comparison (small teams only inside "other teams"), and the effect over time."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.i18n import ci, day, flag, lang, num, t

st.title(t("Teams"))
if data.is_empty():
    st.info(t("No data yet: load the demo from the Overview page, or upload files."))
    st.stop()

report = data.report(data.filters())
team_scopes = [s for s in report["scopes"] if s["scope"] == "team"]
rows = []
for s in team_scopes:
    m = s.get("metrics") or {}
    ppw, inc, eng = m.get("posts_per_week") or {}, m.get("incidents") or {}, m.get("engagements_per_post") or {}
    rows.append({
        t("Team"): t(s["team"]) + (f" ({s['teams_count']})" if s.get("teams_count") else ""),
        t("Charter date"): day(s.get("charter_date")),
        t("Posts/week before"): ppw.get("before"),
        t("Posts/week after"): ppw.get("after"),
        t("Change %"): ppw.get("change_pct"),
        t("95 % CI"): ci(ppw.get("ci95_pct")),
        t("Incidents before → after"): f"{num(inc.get('before'), 0)} → {num(inc.get('after'), 0)}",
        t("Engagements per post change %"): eng.get("change_pct"),
        t("low confidence"): "; ".join(flag(f) for f in s.get("low_confidence") or []),
    })  # fmt: skip
table = pd.DataFrame(rows)
st.caption(t('Teams smaller than the privacy threshold are shown together as "other teams". Click a header to sort.'))
st.dataframe(
    table,
    hide_index=True,
    column_config={
        t("Posts/week before"): st.column_config.NumberColumn(format="%.1f"),
        t("Posts/week after"): st.column_config.NumberColumn(format="%.1f"),
        t("Change %"): st.column_config.NumberColumn(format="%+.0f"),
        t("Engagements per post change %"): st.column_config.NumberColumn(format="%+.0f"),
    },
)

figure = charts.team_changes(team_scopes, t)
if figure is not None:
    st.plotly_chart(charts.localise(figure, lang()), width="stretch")
    st.caption(t("Each bar is a team's before → after change; the whiskers are its 95 % confidence interval."))

org = report["scopes"][0] if report["scopes"] else {}
study = (org.get("event_study") or {}).get("posts") or []
if org.get("charter_date") is None and study:
    figure = charts.event_study(study, t)
    st.plotly_chart(charts.localise(figure, lang()), width="stretch")
    st.caption(
        t("Teams adopted the charter on different days: each point compares teams the same number of months from "
          "their own adoption with teams that had not adopted yet, with its 95 % interval.")
    )  # fmt: skip
elif (org.get("event_study") or {}).get("note"):
    st.text(t(org["event_study"]["note"]))
