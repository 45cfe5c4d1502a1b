"""Every chart of the dashboard: plain functions from the report's data to a Plotly figure, tested without Streamlit.

Each takes `t`, the translation of a label (the pages pass `dashboard.i18n.t`; the default leaves English).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

Translate = Callable[[str], str]


def _english(text: str) -> str:
    return text


def weekly_timeline(weekly: pd.DataFrame, charters: Sequence[date], t: Translate = _english) -> go.Figure:
    """Posts (line) and incidents (bars) per week, the posts the model expects without the charter (dotted), and
    the charter dates (dashed)."""
    figure = go.Figure(go.Scatter(x=weekly["week"], y=weekly["posts"], mode="lines", name=t("Posts")))
    figure.add_trace(
        go.Scatter(
            x=weekly["week"],
            y=weekly["posts_without_charter"],
            mode="lines",
            name=t("Posts expected without the charter (model)"),
            line={"dash": "dot", "color": "grey"},
        )
    )
    figure.add_trace(
        go.Bar(x=weekly["week"], y=weekly["incidents"], name=t("Incidents"), yaxis="y2", marker_color="firebrick")
    )
    for charter in charters:
        figure.add_vline(x=charter.isoformat(), line_dash="dash", line_color="grey")
    figure.update_layout(
        title=t("Posts and incidents per week, whole organisation"),
        xaxis_title=t("Week (starting Monday)"),
        yaxis_title=t("Posts per week (count)"),
        yaxis2={
            "title": t("Incidents per week (count)"),
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            # whole incidents, a step of at least one; no second grid across the first
            "tick0": 0,
            "dtick": max(1, math.ceil(float(weekly["incidents"].max() or 0) / 5)),
            "showgrid": False,
        },
        # above the plot: below it, a horizontal legend runs into the week axis' title
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
    )
    return figure


def team_changes(team_scopes: Sequence[dict[str, Any]], t: Translate = _english) -> go.Figure | None:
    """Each team's before → after change in posts per week, with its 95 % interval; None when no team has one."""
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
    return figure


def event_study(study: Sequence[dict[str, Any]], t: Translate = _english) -> go.Figure:
    """Posts against expected by four-week periods since adoption, with 95 % intervals."""
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
    return figure
