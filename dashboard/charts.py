"""Every chart of the dashboard: plain functions from the report's data to a Plotly figure, tested without Streamlit.

Each takes `t`, the translation of a label (the pages pass `dashboard.i18n.t`; the default leaves English). They
share one look: whole numbers on count axes, the legend above the plot (below it, a horizontal legend runs into the
x axis' title), exact values on hover, and a colour for better and one for worse read from the metric's direction.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from pipelines.analytics.scopes import ImpactRequest

Translate = Callable[[str], str]

BETTER, WORSE, NEUTRAL = "#1a7f37", "#c62828", "#8a8a8a"  # green, red, grey: readable on white and in print
# a change in percent with its 95 % interval (customdata: low, high)
CHANGE_HOVER = "%{x}: %{y:+.1f} % (95 % CI %{customdata[0]:+.1f} … %{customdata[1]:+.1f} %)<extra></extra>"
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
    so that it reads over the data)."""
    for day, teams in sorted(charters.items()):
        names = ", ".join(html.escape(team) for team in teams) if len(teams) <= 2 else f"{len(teams)} {t('teams')}"
        label = f"{t('Charter')}: {names or '–'} · {day.isoformat()}"
        figure.add_vline(x=day.isoformat(), line_dash="dash", line_color=NEUTRAL)
        figure.add_annotation(
            x=day.isoformat(), y=1, xref="x", yref="paper", text=label,
            hovertext=", ".join(html.escape(team) for team in teams), showarrow=False, textangle=-90, xanchor="right",
            yanchor="top", font={"size": 10, "color": "#333"}, bgcolor="rgba(255,255,255,0.85)",
        )  # fmt: skip


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
            x=[html.escape(name) for name, _ in bars],  # plotly reads tags in labels: names stay text
            y=changes,
            marker_color=[direction_colour(c, True, k) for c, k in zip(changes, clear, strict=True)],
            customdata=[[lo, hi] for lo, hi in zip(lows, highs, strict=True)],
            hovertemplate=CHANGE_HOVER,
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
            hovertemplate=CHANGE_HOVER,
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
