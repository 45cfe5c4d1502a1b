"""Teams: each team's before → after comparison (small teams only inside "other teams"), and the effect over time."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.i18n import ci, day, flag, lang, num, pct, t

st.title(t("Teams"))
if data.is_empty():
    st.info(t("No data yet: load the demo from the Overview page, or upload files."))
    st.stop()

report = data.report(data.filters(), data.TEAMS)
team_scopes = [s for s in report["scopes"] if s["scope"] == "team"]
# What a director reads at a glance, in a table that fits a 1280-pixel screen: posts per week before → after, the
# change and its interval, incidents before → after, the engagement change, and why a row is not to be trusted
# (in short; in full below the table).
SHORT_FLAG = {"few_posts": "posts", "few_incidents": "incidents"}
LOW_CONFIDENCE = "Low confidence: too few posts or incidents on one side of the charter date (in full below)."
rows, reasons = [], []
for s in team_scopes:
    m = s.get("metrics") or {}
    ppw, inc, eng = m.get("posts_per_week") or {}, m.get("incidents") or {}, m.get("engagements_per_post") or {}
    # a team's own name stays as written; only the group of small teams is named in the page's language
    name = (t(s["team"]) if s.get("teams_count") else s["team"]) + (
        f" ({s['teams_count']})" if s.get("teams_count") else ""
    )
    flags = s.get("low_confidence") or []
    rows.append({
        t("Team"): name,
        t("Charter"): day(s.get("charter_date")),
        t("Posts/week"): f"{num(ppw.get('before'), 1)} → {num(ppw.get('after'), 1)}",
        t("Change %"): ppw.get("change_pct"),
        t("95 % CI"): ci(ppw.get("ci95_pct")).replace(" % …", " …"),  # +63 … +133 %
        t("Incidents"): f"{num(inc.get('before'), 0)} → {num(inc.get('after'), 0)}",
        t("Engagement %"): eng.get("change_pct"),
        t("Too few"): ", ".join(dict.fromkeys(t(SHORT_FLAG[f["reason"]]) for f in flags)),
    })  # fmt: skip
    if flags:
        reasons.append(f"{name}: " + "; ".join(flag(f) for f in flags))
table = pd.DataFrame(rows)
st.caption(t('Teams smaller than the privacy threshold are shown together as "other teams". Click a header to sort.'))
changes = [t("Change %"), t("Engagement %")]
st.dataframe(
    table.style.format({column: pct for column in changes}),  # the page's language; sorted as numbers
    hide_index=True,
    column_config={
        t("Team"): st.column_config.TextColumn(width=125),
        t("Charter"): st.column_config.TextColumn(width=90, help=t("Charter date")),
        t("Posts/week"): st.column_config.TextColumn(width=105, help=t("Posts per week, before → after")),
        t("Change %"): st.column_config.NumberColumn(width=75, help=t("Change in posts per week (%)")),
        t("95 % CI"): st.column_config.TextColumn(width=100),
        t("Incidents"): st.column_config.TextColumn(width=70, help=t("Incidents before → after")),
        t("Engagement %"): st.column_config.NumberColumn(width=90, help=t("Engagements per post change %")),
        t("Too few"): st.column_config.TextColumn(width=150, help=t(LOW_CONFIDENCE)),
    },
)
if reasons:
    with st.expander(t("Low confidence: why")):
        st.text("\n".join(reasons))  # team names are uploaded text: plain, never markdown

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
