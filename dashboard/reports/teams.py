"""Teams: each team's before → after comparison (small teams only inside "other teams"), and the effect over time."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data
from dashboard.i18n import ci, day, num, t

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
        t("Team"): s["team"] + (f" ({s['teams_count']})" if s.get("teams_count") else ""),
        t("Charter date"): day(s.get("charter_date")),
        t("Posts/week before"): ppw.get("before"),
        t("Posts/week after"): ppw.get("after"),
        t("Change %"): ppw.get("change_pct"),
        t("95 % CI"): ci(ppw.get("ci95_pct")),
        t("Incidents before → after"): f"{num(inc.get('before'), 0)} → {num(inc.get('after'), 0)}",
        t("Engagements per post change %"): eng.get("change_pct"),
        t("low confidence"): "; ".join(s.get("low_confidence") or []),
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

bars = [
    (s["team"], (s.get("metrics") or {}).get("posts_per_week") or {})
    for s in team_scopes
    if (s.get("metrics") or {}).get("posts_per_week", {}).get("change_pct") is not None
]
if bars:
    changes = [m["change_pct"] for _, m in bars]
    lows = [m["ci95_pct"][0] if m.get("ci95_pct") else None for _, m in bars]
    highs = [m["ci95_pct"][1] if m.get("ci95_pct") else None for _, m in bars]
    figure = go.Figure(
        go.Bar(
            x=[html.escape(name) for name, _ in bars],  # plotly reads tags in labels: names stay text
            y=changes,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [h - c if h is not None else 0 for c, h in zip(changes, highs, strict=True)],
                "arrayminus": [c - lo if lo is not None else 0 for c, lo in zip(changes, lows, strict=True)],
            },
        )
    )
    figure.update_layout(
        title=t("Change in posts per week after the charter, by team"),
        xaxis_title=t("Team"),
        yaxis_title=t("Change in posts per week (%)"),
    )
    st.plotly_chart(figure, width="stretch")
    st.caption(t("Each bar is a team's before → after change; the whiskers are its 95 % confidence interval."))

org = report["scopes"][0] if report["scopes"] else {}
study = (org.get("event_study") or {}).get("posts") or []
if org.get("charter_date") is None and study:
    frame = pd.DataFrame(study)
    figure = go.Figure(
        go.Scatter(
            x=frame["bin"],
            y=(frame["ratio"] - 1) * 100,
            mode="markers+lines",
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (frame["high"] - frame["ratio"]) * 100,
                "arrayminus": (frame["ratio"] - frame["low"]) * 100,
            },
        )
    )
    figure.add_vline(x=-0.5, line_dash="dash", line_color="grey")  # adoption: bin 0 is its first four weeks
    figure.add_hline(y=0, line_color="lightgrey")
    figure.update_layout(
        title=t("Posts compared with expected, by months since the team adopted the charter"),
        xaxis_title=t("Four-week periods since adoption (about months)"),
        yaxis_title=t("Posts above (+) or below (−) expected (%)"),
    )
    st.plotly_chart(figure, width="stretch")
    st.caption(
        t("Teams adopted the charter on different days: each point compares teams the same number of months from "
          "their own adoption with teams that had not adopted yet, with its 95 % interval.")
    )  # fmt: skip
elif (org.get("event_study") or {}).get("note"):
    st.text(org["event_study"]["note"])
