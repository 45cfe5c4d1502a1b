"""Trends: month by month, for the organisation or one team: posts and ambassadors, the adoption funnel,
participation by team, reach, engagement rate and earned media value, by network and format, and the best posts."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.i18n import arrow, lang, num, signed, t

ORGANISATION, OTHER_TEAMS = "organisation", "other teams"
NETWORK_NAMES, format_name = data.NETWORK_NAMES, data.format_name


st.title(t("Trends"))
if data.is_empty():
    st.info(t("No data yet: load the demo from the Overview page, or upload files."))
    st.stop()

request = data.filters()
found = data.trends(request)
monthly: pd.DataFrame = found["monthly"]
if monthly.empty:
    st.info(t("No posts in the chosen period."))
    st.stop()


def scope_name(label: str) -> str:
    if label == ORGANISATION:
        return t("Chosen teams") if request.team_filter else t("Whole organisation")
    return t(OTHER_TEAMS) if label == OTHER_TEAMS else label


labels = list(dict.fromkeys(monthly["team"]))  # the organisation first, then each team
# The options are the names shown (no format_func: AppTest formats a value again outside the page's language).
names = [scope_name(label) for label in labels]
chosen = labels[names.index(st.selectbox(t("Show"), names, key="trends_scope"))]
rows = monthly[monthly["team"] == chosen].sort_values("month")


def shown_as(label: str) -> str:
    """What the charts show, in words: whose posts, which months, which networks and formats."""
    who = scope_name(label)
    if label == ORGANISATION and request.team_filter:
        names = [t(team) if team == OTHER_TEAMS else team for team in data.shown_teams(list(request.team_filter))]
        who = t("Chosen teams: {teams}").format(teams=", ".join(names))
    parts = [who, period]
    if request.networks:
        parts.append(", ".join(NETWORK_NAMES.get(n, n) for n in request.networks))
    if request.formats:
        parts.append(", ".join(format_name(f) for f in request.formats))
    return " · ".join(parts)


period = f"{charts.month_label(rows['month'].min(), t)} – {charts.month_label(rows['month'].max(), t)}"
scope = shown_as(chosen)
st.caption(
    t("Calendar months. Hatched bars and open circles mark a month the data covers only in part (hover for its "
      "days): not a drop. Regular ambassadors posted in each of the last three months; they are counted from the "
      "data's third month.")
)  # fmt: skip


def show(figure: Any, column: Any = st) -> None:
    if figure is None:
        return
    column.plotly_chart(charts.localise(figure, lang()), width="stretch")


# The latest month the data covers in full, against the month before it.
full = rows[~rows["partial"]]
latest = full.iloc[-1] if not full.empty else rows.iloc[-1]
before = rows[rows["month"] < latest["month"]]
previous = before.iloc[-1] if not before.empty else None
st.subheader(t("Latest full month: {month}").format(month=charts.month_label(latest["month"], t)))
# Cards as wide as their labels need (in French too), wrapping to a second line; a sparkline of the months.
cards = st.container(horizontal=True, gap="small")
for key, percent in zip(
    ("posts", "active_ambassadors", "participation_rate", "engagement_rate", "earned_media_value"),
    (False, False, True, True, False),
    strict=True,
):
    value, earlier = latest[key], None if previous is None else previous[key]
    scale, decimals = (100, 1) if percent else (1, 0)
    shown = "–" if pd.isna(value) else num(float(value) * scale, decimals) + (" %" if percent else "")
    change = None
    if earlier is not None and not pd.isna(earlier) and not pd.isna(value):
        difference = (float(value) - float(earlier)) * scale
        change = signed(difference, decimals, " pts" if percent else "").replace("−", "-")
    trend = [None if pd.isna(v) else float(v) * scale for v in rows[key]]
    cards.metric(data.trend_label(key), shown, delta=change, delta_color="off", delta_arrow=arrow(change),
                 border=True, width=245, help=data.trend_about(key), chart_data=trend, chart_type="line")  # fmt: skip
st.caption(t("Under each figure: its change from the month before, and the line of every month shown."))

left, right = st.columns(2)
show(charts.monthly_activity(rows, scope, t), left)
show(charts.adoption_funnel(rows, scope, t), right)

left, right = st.columns(2)
show(charts.adoption_shares(rows, scope, t), left)
teams = monthly[monthly["scope"] == "team"].assign(team=lambda f: f["team"].map(lambda v: scope_name(v)))
if chosen == ORGANISATION and teams["team"].nunique() > 1:
    show(charts.participation_by_team(teams, period, t), right)

left, right = st.columns(2)
show(charts.reach(rows, scope, t), left)
show(charts.engagement_rate(rows, scope, t), right)

left, right = st.columns(2)
show(charts.earned_media_value(rows, scope, t), left)
network = found["network"]
network = network[network["team"] == chosen].assign(
    network=lambda f: f["network"].map(lambda n: NETWORK_NAMES.get(n, n))
)
show(charts.breakdown(network, "network", scope, t), right)
formats = found["format"]
left, right = st.columns(2)
formats = formats[formats["team"] == chosen].assign(format=lambda f: f["format"].map(format_name))
show(charts.breakdown(formats, "format", scope, t), left)
right.caption(
    t("Impressions, clicks and engagements come from each post's newest figures; posts without figures yet are left "
      "out of them. Earned media value: impressions × CPM / 1,000 + clicks × CPC, at the settings' rates.")
)  # fmt: skip

st.subheader(t("Best posts of the period"))
st.caption(t('All the chosen teams and months; a team under the privacy threshold is shown as "other teams".'))
HEADERS = {"title": "Title", "team": "Team", "network": "Network", "format": "Format", "published_on": "Published",
           "engagements": "Engagements", "impressions": "Impressions", "link": "Link"}  # fmt: skip
for tab, key in zip(st.tabs([t("By engagements"), t("By impressions")]), ("top_engagements", "top_impressions"),
                    strict=True):  # fmt: skip
    top = found[key].copy()
    if top.empty:
        tab.info(t("No post has engagement figures yet."))
        continue
    top["team"] = top["team"].map(lambda v: t(v) if v == OTHER_TEAMS else v)
    top["network"] = top["network"].map(lambda n: NETWORK_NAMES.get(n, n))
    top["format"] = top["format"].map(format_name)
    top = top.rename(columns={k: t(v) for k, v in HEADERS.items()})
    tab.dataframe(
        data.shown(data.Table(top, {t("Engagements"): 0, t("Impressions"): 0})),  # the page's language
        hide_index=True,
        column_config={
            t("Title"): st.column_config.TextColumn(width=240),
            t("Link"): st.column_config.LinkColumn(display_text=t("Open"), width="small"),
            t("Published"): st.column_config.DateColumn(format="DD/MM/YYYY" if lang() == "fr" else "YYYY-MM-DD"),
        },
    )
