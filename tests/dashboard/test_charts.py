"""The dashboard's charts, built without Streamlit from the report of the real demo database."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts
from pipelines.analytics.metrics import impact, weekly_timeline
from pipelines.analytics.scopes import ImpactRequest
from pipelines.store.db import connect

DASHBOARD = Path(charts.__file__).parent


@pytest.fixture(scope="module")
def demo_report(demo_db: Path):
    with connect(demo_db, read_only=True) as con:
        return impact(con, ImpactRequest()), weekly_timeline(con, ImpactRequest())


def test_the_weekly_timeline_draws_the_metrics_weeks_and_the_labelled_charter_dates(demo_report) -> None:
    report, weekly = demo_report
    charters: dict = {}
    for s in report["scopes"][1:]:
        if s.get("charter_date"):
            charters.setdefault(s["charter_date"], []).append(s["team"])
    figure = charts.weekly_timeline(weekly, charters, "Sales", lambda s: f"<{s}>")
    posts, expected, incidents = figure.data
    assert list(posts.y) == list(weekly["posts"]) and list(incidents.y) == list(weekly["incidents"])
    assert list(expected.y) == pytest.approx(list(weekly["posts_without_charter"]), nan_ok=True)
    assert incidents.yaxis == "y2" and posts.name == "<Posts>"
    assert len(figure.layout.shapes) == len(charters) > 1  # one dashed line per charter date
    drawn = go.Figure()  # each line is the one plotly's add_vline draws for its day
    for day in sorted(charters):
        drawn.add_vline(x=day.isoformat(), line_dash="dash", line_color=charts.NEUTRAL)
    assert figure.layout.shapes == drawn.layout.shapes
    labels = [a.text for a in figure.layout.annotations]
    for day, teams in charters.items():  # each line says the day and who adopted then (or how many teams)
        assert any(day.isoformat() in label and (teams[0] in label or f"{len(teams)} <teams>" in label)
                   for label in labels)  # fmt: skip
    assert figure.layout.title.text == "<Posts and incidents per week> — Sales"
    assert charts.weekly_timeline(weekly, {}).layout.title.text.endswith("— whole organisation")
    assert "%{y:,d}" in posts.hovertemplate  # the exact count on hover


def test_count_axes_tick_whole_numbers() -> None:
    small = charts.count_axis([0, 1, 0, 3])
    assert small["tickformat"] == ",d" and small["dtick"] == 1 and small["tick0"] == 0
    assert charts.count_axis([0, 8])["dtick"] == 2
    assert charts.count_axis([0, 0])["range"][1] >= 1  # an axis with no incidents still shows 0 and 1
    large = charts.count_axis([12, 150], title="Posts")
    assert large["tickformat"] == ",d" and "dtick" not in large and large["title"] == "Posts"


def test_a_change_is_coloured_by_the_metrics_direction() -> None:
    assert charts.direction_colour(+20, True) == charts.BETTER
    assert charts.direction_colour(-20, True) == charts.WORSE
    assert charts.direction_colour(-20, False) == charts.BETTER  # fewer incidents is better
    assert charts.direction_colour(+20, False) == charts.WORSE
    assert charts.direction_colour(+20, True, clear=False) == charts.NEUTRAL  # within chance
    assert charts.direction_colour(+20, None) == charts.NEUTRAL


def test_the_team_chart_holds_each_teams_change_and_interval(demo_report) -> None:
    report, _ = demo_report
    teams = [s for s in report["scopes"] if s["scope"] == "team"]
    figure = charts.team_changes(teams)
    assert figure is not None
    (bars,) = figure.data
    shown = [s for s in teams if s["metrics"]["posts_per_week"]["change_pct"] is not None]
    assert list(bars.x) == [s["team"] for s in shown]
    assert list(bars.y) == pytest.approx([s["metrics"]["posts_per_week"]["change_pct"] for s in shown])
    first = shown[0]["metrics"]["posts_per_week"]
    assert bars.error_y.array[0] == pytest.approx(first["ci95_pct"][1] - first["change_pct"])
    for colour, s in zip(bars.marker.color, shown, strict=True):  # green above no change, red below, grey across
        low, high = s["metrics"]["posts_per_week"]["ci95_pct"]
        assert colour == (charts.BETTER if low > 0 else charts.WORSE if high < 0 else charts.NEUTRAL)
    assert charts.team_changes([]) is None


def test_team_names_stay_text_in_a_chart() -> None:
    scope = {"team": "<b>Sales</b>", "metrics": {"posts_per_week": {"change_pct": 10.0, "ci95_pct": [1.0, 20.0]}}}
    figure = charts.team_changes([scope])
    assert figure is not None and list(figure.data[0].x) == ["&lt;b&gt;Sales&lt;/b&gt;"]


def test_the_event_study_chart_shows_changes_in_percent() -> None:
    study = [{"bin": -1, "ratio": 1.0, "low": 0.9, "high": 1.1}, {"bin": 0, "ratio": 1.5, "low": 1.2, "high": 1.9}]
    figure = charts.event_study(study)
    assert list(figure.data[0].y) == pytest.approx([0.0, 50.0])
    assert list(figure.data[0].error_y.arrayminus) == pytest.approx([10.0, 30.0])


def test_pages_ask_dashboard_data_and_never_pipelines() -> None:
    """The pages are thin views: what they show comes through dashboard/data.py (and the role through auth.py)."""
    offenders = []
    for page in sorted([*DASHBOARD.glob("reports/*.py"), *DASHBOARD.glob("comms/*.py")]):
        for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            offenders += [f"{page.name}: {n}" for n in names if n.split(".")[0] in ("pipelines", "plotly")]
    assert offenders == []


# --- trends month by month -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_trends(demo_db: Path):
    from pipelines.analytics import trends

    with connect(demo_db, read_only=True) as con:
        request = ImpactRequest()
        return trends.monthly(con, request), trends.by_dimension(con, request, "network")


def _org(frame):
    return frame[frame["team"] == "organisation"]


def _whole_number_axis(axis) -> None:
    assert axis.tickformat == ",d"
    assert axis.dtick in (None, 1)


def test_trend_count_axes_show_whole_numbers_and_the_title_names_the_scope(demo_trends) -> None:
    monthly, network = demo_trends
    rows = _org(monthly)
    scope = "Whole organisation · Jan 2025 – Oct 2026"
    for figure in (
        charts.monthly_activity(rows, scope),
        charts.reach(rows, scope),
        charts.breakdown(_org(network), "network", scope),
    ):
        _whole_number_axis(figure.layout.yaxis)
        assert figure.layout.title.subtitle.text == scope
        assert figure.layout.legend.orientation == "h" and figure.layout.legend.y > 1  # above the plot
        assert all("%{y:,d}" in trace.hovertemplate for trace in figure.data)  # exact counts on hover
    activity = charts.monthly_activity(rows, scope)
    _whole_number_axis(activity.layout.yaxis2)
    assert list(activity.data[0].y) == rows["posts"].astype(float).tolist()
    assert list(activity.data[1].y) == rows["active_ambassadors"].astype(float).tolist()


def test_small_counts_get_a_step_of_one_so_no_half_ticks() -> None:
    months = pd.date_range("2025-01-01", periods=3, freq="MS")
    rows = pd.DataFrame({"month": months, "partial": [True, False, False], "days": [10, 28, 31],
                         "days_in_month": [31, 28, 31], "posts": [1, 2, 0],
                         "active_ambassadors": [1, 1, 0]})  # fmt: skip
    figure = charts.monthly_activity(rows, "Sales · Jan 2025 – Mar 2025")
    assert figure.layout.yaxis.dtick == 1 and figure.layout.yaxis2.dtick == 1
    # The first month is partial: hatched, and its hover says how many days it has.
    assert list(figure.data[0].marker.pattern.shape) == ["/", "", ""]
    assert "10/31" in figure.data[0].customdata[0]
    # The legend shows the series' own style (a twin without data), not its first, partial, month's.
    legend = [trace for trace in figure.data if trace.showlegend is not False]
    assert [trace.name for trace in legend] == ["Posts", "Active ambassadors"]
    assert not any(legend[0].marker.pattern.shape or ()) and legend[1].marker.symbol == "circle"


def test_the_title_follows_the_scope_and_names_stay_text(demo_trends) -> None:
    monthly, _ = demo_trends
    sales = monthly[monthly["team"] == "Sales"]
    figure = charts.monthly_activity(sales, "<b>Sales</b> · 2026")
    assert figure.layout.title.subtitle.text == "&lt;b&gt;Sales&lt;/b&gt; · 2026"
    funnel = charts.adoption_funnel(sales, "Sales", lambda s: f"<{s}>")
    assert funnel is not None
    assert funnel.layout.title.text.startswith("<Adoption funnel>, <Oct> 2026")  # the latest full month
    latest = sales.iloc[-1]
    assert list(funnel.data[0].x) == [latest[k] for k in ("members", "ever_posted", "active_ambassadors", "regular")]


def test_participation_by_team_has_a_row_per_team_and_exact_values_on_hover(demo_trends) -> None:
    monthly, _ = demo_trends
    teams = monthly[monthly["scope"] == "team"]
    figure = charts.participation_by_team(teams, "Jan 2025 – Oct 2026")
    (heatmap,) = figure.data
    assert list(heatmap.y) == list(dict.fromkeys(teams["team"]))
    assert heatmap.z[0][0] == pytest.approx(teams["participation_rate"].iloc[0])
    assert "%{z:.1%}" in heatmap.hovertemplate
    # Every cell is its team's month, with its members and active ambassadors on hover; a month a team has no
    # row for (a team that started later) is an empty cell.
    later = teams.drop(teams.index[(teams["team"] == teams["team"].iloc[-1])][:3])
    (heatmap,) = charts.participation_by_team(later, "").data
    months = list(pd.to_datetime(heatmap.x))
    for row in later.itertuples():
        i, j = list(heatmap.y).index(row.team), months.index(pd.Timestamp(row.month))
        assert heatmap.z[i][j] == pytest.approx(row.participation_rate, nan_ok=True) or heatmap.z[i][j] is None
        assert list(heatmap.customdata[i][j][1:]) == [row.active_ambassadors, row.members]
    assert list(heatmap.z[-1][:3]) == [None, None, None]
