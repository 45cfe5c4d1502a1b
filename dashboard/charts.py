"""Every chart of the dashboard: plain functions from the report's data to a Plotly figure, tested without Streamlit.

Each takes `t`, the translation of a label (the pages pass `dashboard.i18n.t`; the default leaves English). They
share one look: whole numbers on count axes, the legend above the plot (below it, a horizontal legend runs into the
x axis' title), exact values on hover, and a colour for better and one for worse read from the metric's direction.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pipelines.analytics.scopes import ImpactRequest

Translate = Callable[[str], str]

BETTER, WORSE, NEUTRAL = "#1a7f37", "#c62828", "#8a8a8a"  # green, red, grey: readable on white and in print
# a change in percent with its 95 % interval (customdata: low, high)
CHANGE_HOVER = "%{x}: %{y:+.1f} % (95 % CI %{customdata[0]:+.1f} … %{customdata[1]:+.1f} %)<extra></extra>"


def _change_hover(t: Translate) -> str:
    return CHANGE_HOVER.replace("95 % CI", t("95 % CI"))


LEGEND_ABOVE = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0}


def _english(text: str) -> str:
    return text


def count_axis(values: Any, **axis: Any) -> dict[str, Any]:
    """A y axis for counts: whole-number ticks from zero, never 0.308 or 2.5 (small ranges get a tick per unit)."""
    top = max((float(v) for v in values if v is not None and math.isfinite(float(v))), default=0.0)
    found: dict[str, Any] = {"tickformat": ",d", "rangemode": "tozero", **axis}
    if top < 10:  # Plotly would put ticks at halves or tenths here
        found.update(tick0=0, dtick=1 if top <= 6 else 2, range=[0, max(top, 1) * 1.1])
    return found


def direction_colour(change: float | None, higher_is_better: bool | None, clear: bool = True) -> str:
    """Green for a change the metric wants, red for one it does not, grey where it is unclear or neither."""
    if change is None or higher_is_better is None or not clear or change == 0:
        return NEUTRAL
    return BETTER if (change > 0) == higher_is_better else WORSE


def scope_title(title: str, scope: str, t: Translate = _english) -> str:
    """A chart's title naming what it shows: "Posts per week — whole organisation" or "… — Sales, Legal"."""
    return f"{t(title)} — {scope or t('whole organisation')}"


def scope_label(request: ImpactRequest, t: Translate = _english, day: Callable[[date], str] = date.isoformat) -> str:
    """What the filters select, in words, for a chart's title: "whole organisation" or "Sales, Legal · linkedin"."""
    parts = [", ".join(request.team_filter) if request.team_filter else t("whole organisation")]
    parts += [", ".join(chosen) for chosen in (request.networks, request.formats) if chosen]
    if request.period:
        start, end = request.period
        first = day(start) if start != date.min else "…"
        last = day(end - timedelta(days=1)) if end != date.max else "…"
        parts.append(f"{first} → {last}")
    return " · ".join(parts)


def charter_days(scopes: Sequence[dict[str, Any]]) -> dict[date, list[str]]:
    """The charter dates of an impact report's teams, each with the teams (as the report names them) adopting then."""
    found: dict[date, list[str]] = {}
    for scope in scopes:
        if scope["scope"] == "team" and scope.get("charter_date"):
            found.setdefault(scope["charter_date"], []).append(scope["team"])
    return dict(sorted(found.items()))


def _charter_marks(figure: go.Figure, charters: Mapping[date, Sequence[str]], t: Translate) -> None:
    """A dashed line per charter date, labelled with the teams that adopted it then and the day (on a white ground,
    so that it reads over the data). Added in one update: plotly checks every shape and annotation again at each
    `add_vline` or `add_annotation`, which took 1.2 s of the Overview's 2 s with 30 teams' dates."""
    lines, labels = [], []
    for day, teams in sorted(charters.items()):
        names = ", ".join(html.escape(team) for team in teams) if len(teams) <= 2 else f"{len(teams)} {t('teams')}"
        # What add_vline draws: from the bottom to the top of the plot, at the day.
        lines.append({"type": "line", "x0": day.isoformat(), "x1": day.isoformat(), "xref": "x", "y0": 0, "y1": 1,
                      "yref": "y domain", "line": {"dash": "dash", "color": NEUTRAL}})  # fmt: skip
        labels.append({
            "x": day.isoformat(), "y": 1, "xref": "x", "yref": "paper",
            "text": f"{t('Charter')}: {names or '–'} · {day.isoformat()}",
            "hovertext": ", ".join(html.escape(team) for team in teams), "showarrow": False, "textangle": -90,
            "xanchor": "right", "yanchor": "top", "font": {"size": 10, "color": "#333"},
            "bgcolor": "rgba(255,255,255,0.85)",
        })  # fmt: skip
    figure.update_layout(shapes=[*figure.layout.shapes, *lines], annotations=[*figure.layout.annotations, *labels])


def weekly_timeline(weekly: pd.DataFrame, charters: Mapping[date, Sequence[str]], scope: str = "",
                    t: Translate = _english) -> go.Figure:  # fmt: skip
    """Posts (line) and incidents (bars) per week, the posts the model expects without the charter (dotted), and
    the charter dates (dashed, labelled with their teams); `scope` names what is shown (the filters)."""
    posts = t("Posts")
    figure = go.Figure(
        go.Scatter(
            x=weekly["week"], y=weekly["posts"], mode="lines", name=posts,
            hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:,d}} {posts.lower()}<extra></extra>",
        )
    )  # fmt: skip
    expected = t("Posts expected without the charter (model)")
    figure.add_trace(
        go.Scatter(
            x=weekly["week"], y=weekly["posts_without_charter"], mode="lines", name=expected,
            line={"dash": "dot", "color": "grey"},
            hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:,.1f}}<extra>{expected}</extra>",
        )
    )  # fmt: skip
    incidents = t("Incidents")
    figure.add_trace(
        go.Bar(
            x=weekly["week"], y=weekly["incidents"], name=incidents, yaxis="y2", marker_color=WORSE, opacity=0.6,
            hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:,d}} {incidents.lower()}<extra></extra>",
        )
    )  # fmt: skip
    _charter_marks(figure, charters, t)
    figure.update_layout(
        title=scope_title("Posts and incidents per week", scope, t),
        xaxis_title=t("Week (starting Monday)"),
        yaxis=count_axis(weekly["posts"], title=t("Posts per week (count)")),
        yaxis2=count_axis(
            weekly["incidents"], title=t("Incidents per week (count)"), overlaying="y", side="right", showgrid=False
        ),
        legend=LEGEND_ABOVE,
        margin={"t": 110},
    )
    return figure


def team_changes(team_scopes: Sequence[dict[str, Any]], t: Translate = _english) -> go.Figure | None:
    """Each team's before → after change in posts per week, with its 95 % interval, green where the interval is
    above no change, red where below, grey where it holds it; None when no team has one."""
    bars = [
        (s["team"], (s.get("metrics") or {}).get("posts_per_week") or {})
        for s in team_scopes
        if (s.get("metrics") or {}).get("posts_per_week", {}).get("change_pct") is not None
    ]
    if not bars:
        return None
    changes = [m["change_pct"] for _, m in bars]
    lows = [m["ci95_pct"][0] if m.get("ci95_pct") else None for _, m in bars]
    highs = [m["ci95_pct"][1] if m.get("ci95_pct") else None for _, m in bars]
    clear = [lo is not None and hi is not None and (lo > 0 or hi < 0) for lo, hi in zip(lows, highs, strict=True)]
    figure = go.Figure(
        go.Bar(
            x=[html.escape(t(name)) for name, _ in bars],  # "other teams" translated; tags in names stay text
            y=changes,
            marker_color=[direction_colour(c, True, k) for c, k in zip(changes, clear, strict=True)],
            customdata=[[lo, hi] for lo, hi in zip(lows, highs, strict=True)],
            hovertemplate=_change_hover(t),
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [h - c if h is not None else 0 for c, h in zip(changes, highs, strict=True)],
                "arrayminus": [c - lo if lo is not None else 0 for c, lo in zip(changes, lows, strict=True)],
            },
        )
    )
    figure.add_hline(y=0, line_color="lightgrey")
    figure.update_layout(
        title=t("Change in posts per week after the charter, by team"),
        xaxis_title=t("Team"),
        yaxis_title=t("Change in posts per week (%)"),
    )
    return figure


def event_study(study: Sequence[dict[str, Any]], t: Translate = _english) -> go.Figure:
    """Posts against expected by four-week periods since adoption, with 95 % intervals."""
    frame = pd.DataFrame(study)
    figure = go.Figure(
        go.Scatter(
            x=frame["bin"],
            y=(frame["ratio"] - 1) * 100,
            mode="markers+lines",
            customdata=frame[["low", "high"]].sub(1).mul(100).to_numpy(),
            hovertemplate=_change_hover(t),
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
        xaxis={"title": t("Four-week periods since adoption (about months)"), "dtick": 1 if len(frame) <= 24 else 4},
        yaxis_title=t("Posts above (+) or below (−) expected (%)"),
    )
    return figure


# --- trends month by month (the Trends page) -------------------------------------------------------------------
# Each takes one scope's rows of `pipelines.analytics.trends.monthly` (or of `by_dimension`) and `scope`, the words
# that say what is shown (the organisation or the chosen teams, the period), which the title carries.

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Months the data covers only in part: hatched bars, open markers (and said on hover), not a drop to explain.
PARTIAL_PATTERN = "/"
TREND_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf")  # fmt: skip


def month_label(month: Any, t: Translate = _english) -> str:
    """Mar 2025 (mars 2025 in French)."""
    stamp = pd.Timestamp(month)
    return f"{t(MONTH_NAMES[stamp.month - 1])} {stamp.year}"


def _month_hover(rows: pd.DataFrame, t: Translate) -> list[str]:
    """Each month's name, and for a month cut short, how many of its days the data covers."""
    out = []
    for month, partial, days, length in zip(rows["month"], rows["partial"], rows["days"], rows["days_in_month"],
                                            strict=True):  # fmt: skip
        text = month_label(month, t)
        if partial:
            text += f" ({t('partial month')}: {int(days)}/{int(length)} {t('days')})"
        out.append(text)
    return out


def _count_axis(values: Any, title: str) -> dict[str, Any]:
    """A count axis: whole numbers only (a step of 1 where the counts are small, so no 0.5 ticks), from zero."""
    top = pd.to_numeric(pd.Series(values), errors="coerce").max()
    axis: dict[str, Any] = {"title": title, "tickformat": ",d", "rangemode": "tozero"}
    if pd.isna(top) or top <= 5:
        axis.update(dtick=1, tick0=0, range=[0, max(1, 0 if pd.isna(top) else int(top)) * 1.1])
    return axis


def _month_axis(months: Any, t: Translate, step: int = 3) -> dict[str, Any]:
    """The months as ticks, named in the page's language: every month up to a year, else every `step`-th."""
    stamps = sorted({pd.Timestamp(m) for m in months})
    shown = stamps if len(stamps) <= 12 else [m for m in stamps if (m.month - 1) % step == 0]
    text = [month_label(m, t).replace(" ", "<br>", 1) for m in shown]  # two lines: no slanted labels
    return {"title": t("Month"), "tickvals": shown, "ticktext": text, "tickangle": 0, "ticklabeloverflow": "allow"}


LEGEND_WIDTH_PX = 420  # a chart in half the page at 1280 px, less its margins


def _legend_rows(figure: go.Figure) -> int:
    """How many lines the horizontal legend takes (an estimate: about 7 px a character, 40 px for the symbol)."""
    names = [str(trace.name) for trace in figure.data if trace.name and trace.showlegend is not False]
    if len(names) < 2 or figure.layout.showlegend is False:
        return 0
    # Plotly lines a wrapped legend up in columns as wide as its widest entry.
    per_row = max(1, LEGEND_WIDTH_PX // max(40 + 7 * len(name) for name in names))
    return -(-len(names) // per_row)


def _trend_layout(figure: go.Figure, title: str, scope: str, **layout: Any) -> go.Figure:
    """The title (what, then for whom and when) at the top, the legend between it and the plot, with room for both."""
    figure.update_layout(**{"barmode": "overlay", **layout})
    _solid_legend(figure)
    top = 80 + 22 * _legend_rows(figure)
    figure.update_layout(
        title={"text": title, "subtitle": {"text": html.escape(scope)}, "x": 0, "xanchor": "left",
               "xref": "container", "y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 14, "l": 12}},
        # above the plot, under the title: below it, a horizontal legend runs into the month axis' title
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0, "title_text": ""},
        margin={"t": top, **(layout.get("margin") or {})},
        height=layout.get("height", 420 + 22 * _legend_rows(figure)),
    )  # fmt: skip
    return figure


def _solid_legend(figure: go.Figure) -> None:
    """A legend that shows each series in its own style, not in its first month's (a partial month is hatched or
    open): the series leaves the legend to a twin without data, and both toggle together."""
    for trace in list(figure.data):
        if trace.showlegend is False or not trace.name:
            continue
        if trace.type == "bar" and any(trace.marker.pattern.shape or ()):
            twin: Any = go.Bar(x=[None], y=[None], marker_color=trace.marker.color)
        elif (
            trace.type == "scatter"
            and not isinstance(trace.marker.symbol, str | None)
            and any(symbol != "circle" for symbol in trace.marker.symbol)
        ):
            twin = go.Scatter(x=[None], y=[None], mode=trace.mode, line=trace.line,
                              marker={"color": trace.line.color, "symbol": "circle", "size": 8})  # fmt: skip
        else:
            continue
        trace.update(showlegend=False, legendgroup=trace.name)
        figure.add_trace(twin.update(name=trace.name, legendgroup=trace.name, yaxis=trace.yaxis, hoverinfo="skip"))


def _partial_bars(rows: pd.DataFrame) -> dict[str, Any]:
    return {"pattern": {"shape": [PARTIAL_PATTERN if p else "" for p in rows["partial"]]}}


def _partial_markers(rows: pd.DataFrame) -> dict[str, Any]:
    return {"symbol": ["circle-open" if p else "circle" for p in rows["partial"]], "size": 8}


def _values(column: pd.Series) -> list[Any]:
    """A column as plain numbers, None where missing (plotly draws a gap)."""
    return [None if pd.isna(v) else float(v) for v in column]


def _bars_and_line(rows: pd.DataFrame, bars: tuple[str, str, str], line: tuple[str, str, str, str], title: str,
                   scope: str, t: Translate) -> go.Figure:  # fmt: skip
    """A count per month as bars (left axis) and a second count as a line (right axis), partial months marked.
    `bars`: (column, label, axis title); `line`: (column, label, axis title, colour)."""
    hover = _month_hover(rows, t)
    (bar_key, bar_label, bar_axis), (line_key, line_label, line_axis, colour) = bars, line
    figure = go.Figure(
        go.Bar(x=rows["month"], y=_values(rows[bar_key]), name=t(bar_label), customdata=hover,
               marker=_partial_bars(rows), marker_color=TREND_COLOURS[0],
               hovertemplate="%{customdata}<br>" + t(bar_label) + ": %{y:,d}<extra></extra>")
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=rows["month"], y=_values(rows[line_key]), name=t(line_label), mode="lines+markers",
                   yaxis="y2", customdata=hover, marker=_partial_markers(rows), line={"color": colour},
                   hovertemplate="%{customdata}<br>" + t(line_label) + ": %{y:,d}<extra></extra>")
    )  # fmt: skip
    right = _count_axis(rows[line_key], t(line_axis))
    return _trend_layout(
        figure, t(title), scope, xaxis=_month_axis(rows["month"], t), yaxis=_count_axis(rows[bar_key], t(bar_axis)),
        yaxis2={**right, "overlaying": "y", "side": "right", "showgrid": False, "tickmode": "auto"},
    )  # fmt: skip


def monthly_activity(rows: pd.DataFrame, scope: str, t: Translate = _english) -> go.Figure:
    """Posts (bars, left axis) and active ambassadors (line, right axis) per month."""
    line = ("active_ambassadors", "Active ambassadors", "Active ambassadors (people)", TREND_COLOURS[1])
    return _bars_and_line(rows, ("posts", "Posts", "Posts (count)"), line, "Posts and active ambassadors per month",
                          scope, t)  # fmt: skip


FUNNEL_STEPS = (
    ("members", "Programme members"),
    ("ever_posted", "Ever posted"),
    ("active_ambassadors", "Posted this month"),
    ("regular", "Regular (each of the last 3 months)"),
)


def adoption_funnel(rows: pd.DataFrame, scope: str, t: Translate = _english) -> go.Figure | None:
    """The adoption funnel of the latest month the data covers in full (else the latest): members → ever posted →
    posted this month → regular, each with its share of the members. None without months."""
    if rows.empty:
        return None
    full = rows[~rows["partial"].astype(bool)]
    row = (full if not full.empty else rows).sort_values("month").iloc[-1]
    steps = [(t(label), row[key]) for key, label in FUNNEL_STEPS if not pd.isna(row[key])]
    members = row["members"] or 0
    shares = [f"{100 * value / members:.0f} %" if members else "–" for _, value in steps]
    figure = go.Figure(
        go.Funnel(y=[label for label, _ in steps], x=[int(value) for _, value in steps], customdata=shares,
                  texttemplate="%{x:,d} (%{customdata})", marker={"color": TREND_COLOURS[: len(steps)]},
                  hovertemplate="%{y}: %{x:,d} (%{customdata} " + t("of the members") + ")<extra></extra>")
    )  # fmt: skip
    title = t("Adoption funnel") + f", {month_label(row['month'], t)}"
    return _trend_layout(figure, title, scope, showlegend=False, margin={"l": 10})


SHARES = (("ever_posted_rate", "Ever posted"), ("participation_rate", "Posted this month"),
          ("regular_rate", "Regular (3 months running)"))  # fmt: skip


def adoption_shares(rows: pd.DataFrame, scope: str, t: Translate = _english) -> go.Figure:
    """The funnel's shares of the members over the months: ever posted, posted this month, regular."""
    hover = _month_hover(rows, t)
    figure = go.Figure()
    for index, (key, label) in enumerate(SHARES):
        figure.add_trace(
            go.Scatter(x=rows["month"], y=_values(rows[key]), name=t(label), mode="lines+markers", customdata=hover,
                       marker=_partial_markers(rows), line={"color": TREND_COLOURS[index + 1]},
                       hovertemplate="%{customdata}<br>" + t(label) + ": %{y:.1%}<extra></extra>")
        )  # fmt: skip
    return _trend_layout(
        figure, t("Share of the programme's members, per month"), scope, xaxis=_month_axis(rows["month"], t),
        yaxis={"title": t("Share of members (%)"), "tickformat": ".0%", "rangemode": "tozero"},
    )  # fmt: skip


def participation_by_team(frame: pd.DataFrame, scope: str, t: Translate = _english) -> go.Figure:
    """Each team's participation (active ambassadors over members) per month: a team per row, a month per column,
    darker where more members posted; the exact share, members and active ambassadors on hover."""
    teams = list(dict.fromkeys(frame["team"]))
    months = sorted({pd.Timestamp(m) for m in frame["month"]})
    cells = frame.assign(month=pd.to_datetime(frame["month"])).set_index(["team", "month"])

    def grid(column: str) -> list[list[Any]]:
        """The column as a team x month grid, None where a team has no figure that month."""
        values = cells[column].unstack("month").reindex(index=teams, columns=months).astype(object)
        return values.where(values.notna(), None).to_numpy().tolist()

    z = grid("participation_rate")
    labels = [month_label(m, t) for m in months]
    custom = [[list(c) for c in zip(labels, active, members, strict=True)]
              for active, members in zip(grid("active_ambassadors"), grid("members"), strict=True)]  # fmt: skip
    figure = go.Figure(
        go.Heatmap(x=months, y=[html.escape(str(team)) for team in teams], z=z, customdata=custom, zmin=0, zmax=1,
                   colorscale="Blues", xgap=1, ygap=1,
                   colorbar={"tickformat": ".0%", "thickness": 12},
                   hovertemplate="%{y}, %{customdata[0]}: %{z:.1%}<br>%{customdata[1]:,d} / %{customdata[2]:,d} "
                   + t("members posted") + "<extra></extra>")
    )  # fmt: skip
    return _trend_layout(
        figure, t("Share of members who posted, by team"), scope, xaxis=_month_axis(months, t, 6),
        yaxis={"autorange": "reversed"}, showlegend=False,
    )  # fmt: skip


def reach(rows: pd.DataFrame, scope: str, t: Translate = _english) -> go.Figure:
    """Impressions (bars, left axis) and clicks (line, right axis) per month, over the posts with figures."""
    return _bars_and_line(rows, ("impressions", "Impressions", "Impressions (count)"),
                          ("clicks", "Clicks", "Clicks (count)", TREND_COLOURS[2]),
                          "Impressions and clicks per month", scope, t)  # fmt: skip


def engagement_rate(rows: pd.DataFrame, scope: str, t: Translate = _english) -> go.Figure:
    """The engagement rate per month (engagements over impressions), with the engagements on hover."""
    custom = list(zip(_month_hover(rows, t), [None if pd.isna(v) else int(v) for v in rows["engagements"]],
                      strict=True))  # fmt: skip
    figure = go.Figure(
        go.Scatter(x=rows["month"], y=_values(rows["engagement_rate"]), name=t("Engagement rate"),
                   mode="lines+markers", customdata=custom, marker=_partial_markers(rows),
                   line={"color": TREND_COLOURS[3]},
                   hovertemplate="%{customdata[0]}<br>" + t("Engagement rate") + ": %{y:.2%}<br>"
                   + t("Engagements") + ": %{customdata[1]:,d}<extra></extra>")
    )  # fmt: skip
    return _trend_layout(
        figure, t("Engagement rate per month"), scope, xaxis=_month_axis(rows["month"], t), showlegend=False,
        yaxis={"title": t("Engagements / impressions (%)"), "tickformat": ".1%", "rangemode": "tozero"},
    )  # fmt: skip


def earned_media_value(rows: pd.DataFrame, scope: str, t: Translate = _english) -> go.Figure:
    """Earned media value per month (what the impressions and clicks would have cost as paid posts)."""
    figure = go.Figure(
        go.Bar(x=rows["month"], y=_values(rows["earned_media_value"]), name=t("Earned media value"),
               customdata=_month_hover(rows, t), marker=_partial_bars(rows), marker_color=TREND_COLOURS[2],
               hovertemplate="%{customdata}<br>" + t("Earned media value") + ": %{y:,.2f}<extra></extra>")
    )  # fmt: skip
    return _trend_layout(
        figure, t("Earned media value per month"), scope, xaxis=_month_axis(rows["month"], t), showlegend=False,
        yaxis={"title": t("Earned media value (CPM/CPC currency)"), "tickformat": ",.0f", "rangemode": "tozero"},
    )  # fmt: skip


def breakdown(frame: pd.DataFrame, dimension: str, scope: str, t: Translate = _english) -> go.Figure:
    """Posts per month stacked by network (or format), the engagements of each on hover."""
    title = {"network": "Posts per month by network", "format": "Posts per month by format"}[dimension]
    figure = go.Figure()
    totals = frame.groupby("month")["posts"].sum() if not frame.empty else pd.Series(dtype="int64")
    for index, (value, rows) in enumerate(frame.groupby(dimension, sort=True)):
        name = html.escape(t(str(value)))
        custom = list(zip(_month_hover(rows, t), [None if pd.isna(v) else int(v) for v in rows["engagements"]],
                          strict=True))  # fmt: skip
        figure.add_trace(
            go.Bar(x=rows["month"], y=_values(rows["posts"]), name=name, customdata=custom,
                   marker=_partial_bars(rows), marker_color=TREND_COLOURS[index % len(TREND_COLOURS)],
                   hovertemplate="%{customdata[0]}<br>" + name + ": %{y:,d} " + t("posts") + ", "
                   + "%{customdata[1]:,d} " + t("engagements") + "<extra></extra>")
        )  # fmt: skip
    return _trend_layout(
        figure, t(title), scope, barmode="stack",
        xaxis=_month_axis(frame["month"], t), yaxis=_count_axis(totals, t("Posts (count)")),
    )  # fmt: skip


# --- one language for every chart: the pages' and the PDF report's -----------------------------------------------
# Streamlit's plotly.js bundle registers only its English locale (config={"locale": "fr"} changes nothing), and the
# PDF's images are drawn without a config at all: the French is written into the figure itself.

_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def localise(figure: go.Figure, lang: str) -> go.Figure:
    """`figure` in `lang`: in French, decimal commas and spaces between thousands, month names in French on a date
    axis without its own ticks, days as 31/12/2026 on hover and in annotations. Every chart goes through it."""
    if lang != "fr":
        figure.update_layout(separators=".,")
        return figure
    figure.update_layout(separators=", ")
    _french_months(figure)
    for trace in figure.data:
        if isinstance(getattr(trace, "hovertemplate", None), str):
            trace.hovertemplate = trace.hovertemplate.replace("|%Y-%m-%d}", "|%d/%m/%Y}")
    for note in figure.layout.annotations:
        if isinstance(note.text, str):
            note.text = _ISO_DAY.sub(r"\3/\2/\1", note.text)
    return figure


def _french_months(figure: go.Figure) -> None:
    """Month ticks written in French on an x axis that holds dates and has no ticks of its own (plotly would write
    "Apr 2026")."""
    from dashboard.i18n import translate  # charts stay free of the page's session: the language is given

    if figure.layout.xaxis.ticktext is not None:
        return
    values: list[Any] = []
    for trace in figure.data:
        x = getattr(trace, "x", None)
        if x is not None and len(x) and trace.type != "funnel":
            values.extend(v for v in x if v is not None)
    if not values or not all(isinstance(v, date | np.datetime64) for v in values):  # Timestamp is a date too
        return
    stamps = pd.to_datetime(pd.Series(values))
    first, last = stamps.min(), stamps.max()
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = max(1, math.ceil(months / 8))
    ticks = pd.date_range(first.to_period("M").to_timestamp(), last, freq=f"{step}MS")
    figure.update_xaxes(tickvals=list(ticks), ticktext=[month_label(d, lambda s: translate(s, "fr")) for d in ticks])
