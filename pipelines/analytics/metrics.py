"""Every number of `metrics.md`, defined once: the command line, the dashboard and the downloads read them here.

How an impact report is made:
1. teams, their roster size, headcount and charter date (their own, else the organisation's);
2. scopes and their before/after windows (`pipelines.analytics.scopes`);
3. DuckDB aggregates posts, incidents and engagement per scope and window in a few grouped queries, over a
   windows table passed in as data;
4. `pipelines.analytics.stats` turns the aggregates into intervals and the team x week panel into the
   charter's effect.
Figures are returned unrounded; rounding is for display.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from pipelines.analytics import programme_effects, stats
from pipelines.analytics.catalogue import Flag
from pipelines.analytics.media_value import earned_media_value, rates
from pipelines.analytics.privacy import OTHER_TEAMS, is_named
from pipelines.analytics.scopes import (
    ALL,
    ORGANISATION,
    OVERVIEW,
    POST_FILTER,
    PROGRAMME,
    TEAMS,
    ImpactRequest,
    Scope,
    add_months,
    covered_days,
    posts_in_windows,
    scopes,
    windows_frame,
)
from pipelines.analytics.verdict import ARTICLE_INCIDENT_RISK_CHANGE_PCT, ARTICLE_POSTS_CHANGE_PCT, DOUBTS
from pipelines.store.db import q
from pipelines.store.ledger import teams

MIN_POSTS = 30  # fewer posts in a window: low confidence
MIN_INCIDENTS = 5  # fewer incidents in a window: low confidence


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.floating | np.integer):
        return _finite(value.item())
    return value


def _change(before: float | None, after: float | None) -> float | None:
    if before is None or after is None or before == 0:
        return None
    return stats.as_change_pct(after / before)


# --- aggregation in DuckDB -------------------------------------------------------------------------------------


def _figured(found: list[Scope], request: ImpactRequest) -> set[int]:
    """The scopes (by index) whose figures the request's `detail` asks for."""
    return {
        index for index, scope in enumerate(found)
        if request.detail == ALL or request.detail == (OVERVIEW if scope.scope == ORGANISATION else TEAMS)
    }  # fmt: skip


def _windows_frame(all_scopes: list[Scope], figured: set[int] | None = None) -> pd.DataFrame:
    rows = []
    for index, scope in enumerate(all_scopes):
        for team, (b0, b1, a0, a1) in scope.windows.items():
            if scope.window_days > 0 and (figured is None or index in figured):
                rows.append((index, team, "before", b0, b1))
                rows.append((index, team, "after", a0, a1))
    return windows_frame(rows, ("scope_id", "team"))


def _window_aggregates(con: duckdb.DuckDBPyConnection, request: ImpactRequest) -> dict[str, pd.DataFrame]:
    """Per scope and window: post, incident and engagement aggregates, weekly counts and engagement histograms."""
    params = {"networks": list(request.networks), "formats": list(request.formats)}
    in_window = posts_in_windows(q("windows"))
    # The posts of every scope's windows, joined once and read by the three queries below.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE impact_posts AS
        SELECT w.scope_id, w.period, w.start_on, p.published_at, p.employee_id, g.impressions, g.clicks,
            g.engagements, g.paid_engagements FROM posts p {in_window}
        LEFT JOIN post_engagement g ON g.post_id = p.post_id WHERE {POST_FILTER}""",
        params,
    )
    try:
        return _aggregate_impact_posts(con)
    finally:
        con.execute("DROP TABLE IF EXISTS impact_posts")


def _aggregate_impact_posts(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """Per scope and window, from the temp table impact_posts: posts and their engagement, weekly counts, the
    engagement histogram and incidents."""
    return {
        "posts": con.execute(
            """SELECT scope_id, period, count(*) AS posts, count(DISTINCT employee_id) AS active,
                count(engagements) AS engaged_posts, sum(engagements) AS engagements,
                avg(engagements) AS engagements_mean, median(engagements) AS engagements_median,
                sum(engagements) FILTER (WHERE impressions > 0) AS rate_engagements,
                sum(impressions) FILTER (WHERE impressions > 0) AS rate_impressions,
                coalesce(sum(impressions), 0) AS impressions, coalesce(sum(clicks), 0) AS clicks,
                coalesce(sum(paid_engagements), 0) AS paid_engagements
            FROM impact_posts GROUP BY ALL"""
        ).df(),
        "weekly": con.execute(
            """SELECT scope_id, period, date_diff('day', start_on::DATE, published_at::DATE) // 7 AS week,
                count(*) AS posts FROM impact_posts GROUP BY ALL"""
        ).df(),
        "histogram": con.execute(
            """SELECT scope_id, period, engagements AS value, count(*) AS n
            FROM impact_posts WHERE engagements IS NOT NULL GROUP BY ALL"""
        ).df(),
        "incidents": con.execute(
            """SELECT w.scope_id, w.period, count(*) AS incidents FROM incidents i
            JOIN windows w ON w.team = i.team AND i.occurred_on >= w.start_on AND i.occurred_on < w.end_on
            GROUP BY ALL"""
        ).df(),
    }


def panel(con: duckdb.DuckDBPyConnection, request: ImpactRequest, covered: tuple[date, date]) -> pd.DataFrame:
    """One row per team per week: programme members (exposure), posts, incidents, engagement, charter date."""
    params = {
        "networks": list(request.networks),
        "formats": list(request.formats),
        "first": covered[0],
        "last": covered[1] - timedelta(days=1),
    }
    return con.execute(
        f"""WITH weeks AS (
            SELECT unnest(generate_series(date_trunc('week', $first::DATE), $last::DATE, INTERVAL 7 DAY))::DATE
                AS week),
        exposure AS (
            SELECT e.team, w.week, count(*)::DOUBLE AS exposure FROM employees e JOIN weeks w
              ON (e.joined_on IS NULL OR e.joined_on < w.week + 7) AND (e.left_on IS NULL OR e.left_on > w.week)
            GROUP BY ALL),
        post_weeks AS (
            SELECT e.team, date_trunc('week', p.published_at)::DATE AS week, count(*) AS posts,
                   coalesce(sum(g.engagements), 0) AS engagements, count(g.engagements) AS engaged_posts
            FROM posts p JOIN employees e USING (employee_id) LEFT JOIN post_engagement g USING (post_id)
            WHERE {POST_FILTER} GROUP BY ALL),
        incident_weeks AS (
            SELECT team, date_trunc('week', occurred_on)::DATE AS week, count(*) AS incidents FROM incidents
            GROUP BY ALL),
        charter AS (SELECT team, charter_date FROM team_charters)
        SELECT x.team, x.week::TIMESTAMP AS week, c.charter_date::TIMESTAMP AS charter_date, x.exposure,
               coalesce(p.posts, 0) AS posts, coalesce(i.incidents, 0) AS incidents,
               coalesce(p.engagements, 0) AS engagements, coalesce(p.engaged_posts, 0) AS engaged_posts
        FROM exposure x JOIN charter c USING (team)
        LEFT JOIN post_weeks p USING (team, week) LEFT JOIN incident_weeks i USING (team, week)
        ORDER BY x.team, x.week""",
        params,
    ).df()


def weekly_timeline(con: duckdb.DuckDBPyConnection, request: ImpactRequest | None = None,
                    frame: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """Posts and incidents per week (Mondays), organisation-wide, with the report's filters, and the posts the
    charter's model expects without the charter (`posts_without_charter`, empty where it has no estimate).
    `frame`: the request's `panel`, where it was read already."""
    request = request or ImpactRequest()
    weekly = _posts_and_incidents_per_week(con, request)
    covered = covered_days(con, request)
    weekly["posts_without_charter"] = np.nan
    if covered is None or weekly.empty:
        return weekly
    frame = panel(con, request, covered) if frame is None else frame
    if request.team_filter:
        frame = frame[frame["team"].isin(request.team_filter)]
    if frame.empty or frame["charter_date"].isna().all():  # teams without a date are controls, not a design
        return weekly
    try:
        with small_matrices():
            fit = stats.counterfactual_timeline(frame, "posts")
    except ValueError:
        return weekly
    expected = pd.Series(fit["without_charter"].to_numpy(), index=pd.DatetimeIndex(fit["week"]).as_unit("us"))
    weekly["posts_without_charter"] = expected.reindex(pd.DatetimeIndex(weekly["week"]).as_unit("us")).to_numpy()
    return weekly


def period_totals(con: duckdb.DuckDBPyConnection, request: ImpactRequest) -> dict[str, int]:
    """Posts and incidents in the request's period, organisation-wide, with its filters (the monthly report)."""
    weekly = _posts_and_incidents_per_week(con, request)
    return {"posts": int(weekly["posts"].sum()), "incidents": int(weekly["incidents"].sum())}


def _posts_and_incidents_per_week(con: duckdb.DuckDBPyConnection, request: ImpactRequest) -> pd.DataFrame:
    return con.execute(
        f"""WITH p AS (
            SELECT date_trunc('week', p.published_at)::DATE AS week, count(*) AS posts
            FROM posts p JOIN employees e USING (employee_id)
            WHERE {POST_FILTER} AND (len($teams) = 0 OR list_contains($teams, e.team))
              AND ($first IS NULL OR p.published_at >= $first) AND ($end IS NULL OR p.published_at < $end)
            GROUP BY ALL),
        i AS (
            SELECT date_trunc('week', occurred_on)::DATE AS week, count(*) AS incidents FROM incidents
            WHERE (len($teams) = 0 OR list_contains($teams, team))
              AND ($first IS NULL OR occurred_on >= $first) AND ($end IS NULL OR occurred_on < $end)
            GROUP BY ALL)
        SELECT week, coalesce(p.posts, 0) AS posts, coalesce(i.incidents, 0) AS incidents
        FROM p FULL JOIN i USING (week) ORDER BY week""",
        {
            "networks": list(request.networks),
            "formats": list(request.formats),
            "teams": list(request.team_filter),
            "first": request.period[0] if request.period else None,
            "end": request.period[1] if request.period else None,
        },
    ).df()


# --- turning aggregates into the report -----------------------------------------------------------------------


def _metric(before: float | None, after: float | None, ci: stats.RatioCI | None = None, **extra: Any) -> dict:
    out: dict[str, Any] = {
        "before": _finite(before),
        "after": _finite(after),
        "change_pct": _finite(_change(before, after)),
    }
    if ci is not None:
        out["ci95_pct"] = [_finite(v) for v in ci.ci_pct] if ci.ci_pct else None
        if ci.ratio is None or ci.ci_pct is None:
            out["change_pct"] = None
        if ci.note:
            out["note"] = ci.note
    if before == 0 and after is not None and "note" not in out:
        out["note"] = "zero before: no change can be computed"
    out.update(extra)
    return out


Sides = dict[str, dict[str, pd.DataFrame]]  # period ("before", "after") -> aggregate -> its rows


def _sides(agg: dict[str, pd.DataFrame]) -> Callable[[int], Sides]:
    """The aggregates' rows of one scope, per window: `agg` split once, then looked up per scope."""
    parts = {name: dict(iter(frame.groupby(["scope_id", "period"]))) for name, frame in agg.items()}
    empty = {name: frame.iloc[0:0] for name, frame in agg.items()}
    return lambda scope_id: {
        period: {name: parts[name].get((scope_id, period), empty[name]) for name in agg}
        for period in ("before", "after")
    }


def _value(frame: pd.DataFrame, column: str, default: float = 0) -> float:
    if frame.empty or pd.isna(frame[column].iloc[0]):
        return default
    return float(frame[column].iloc[0])


def _weekly_counts(weekly: pd.DataFrame, days: int) -> np.ndarray:
    """Posts per full 7-day block of the window, zero weeks included."""
    counts = np.zeros(days // 7)
    for week, n in zip(weekly["week"], weekly["posts"], strict=True):
        if 0 <= week < len(counts):
            counts[int(week)] = n
    return counts


def _scope_metrics(scope: Scope, side: Sides, headcount: int | None,
                   request: ImpactRequest) -> tuple[dict[str, Any], list[dict[str, Any]]]:  # fmt: skip
    days = scope.window_days
    weeks = days / 7
    posts = {p: _value(side[p]["posts"], "posts") for p in side}
    active = {p: _value(side[p]["posts"], "active") for p in side}
    incidents = {p: _value(side[p]["incidents"], "incidents") for p in side}
    low: list[dict[str, Any]] = []
    for p in ("before", "after"):
        if posts[p] < MIN_POSTS:
            low.append(Flag("posts", "few_posts", p, int(posts[p]), MIN_POSTS).as_json())
        if incidents[p] < MIN_INCIDENTS:
            low.append(Flag("incidents", "few_incidents", p, int(incidents[p]), MIN_INCIDENTS).as_json())

    weekly = {p: _weekly_counts(side[p]["weekly"], days) for p in side}
    posts_ci = stats.weekly_counts_change(weekly["before"], weekly["after"]) if days >= 14 else None
    incident_week_ci = stats.rate_ratio_exact(int(incidents["before"]), days, int(incidents["after"]), days)
    incident_post_ci = stats.rate_ratio_exact(
        int(incidents["before"]), posts["before"] or 1, int(incidents["after"]), posts["after"] or 1
    )
    hist = {p: side[p]["histogram"] for p in side}
    engagement_ci = None
    if all(len(h) for h in hist.values()):
        engagement_ci = stats.bootstrap_mean_ratio(
            hist["before"]["value"].to_numpy(), hist["before"]["n"].to_numpy(),
            hist["after"]["value"].to_numpy(), hist["after"]["n"].to_numpy(), seed=0,
        )  # fmt: skip

    def per(num: float, den: float) -> float | None:
        return num / den if den else None

    def rate(p: str) -> float | None:
        return per(_value(side[p]["posts"], "rate_engagements"), _value(side[p]["posts"], "rate_impressions"))

    def emv(p: str) -> float:
        frame = side[p]["posts"]
        cpm, cpc = request.cpm or 0.0, request.cpc or 0.0  # resolved from the settings by impact()
        return earned_media_value(_value(frame, "impressions"), _value(frame, "clicks"), cpm, cpc)

    def top_share(p: str) -> float | None:
        return stats.top_share(hist[p]["value"], hist[p]["n"]) if len(hist[p]) else None

    counts = {"before": int(incidents["before"]), "after": int(incidents["after"])}
    metrics = {
        "posts": _metric(posts["before"], posts["after"]),
        "posts_per_week": _metric(posts["before"] / weeks, posts["after"] / weeks, posts_ci),
        "active_ambassadors": _metric(active["before"], active["after"]),
        "posts_per_active_ambassador": _metric(
            per(posts["before"], active["before"]), per(posts["after"], active["after"])
        ),  # fmt: skip
        "participation_rate": _metric(
            per(active["before"], headcount or 0) if headcount else None,
            per(active["after"], headcount or 0) if headcount else None,
        ),
        "incidents": _metric(incidents["before"], incidents["after"]),
        "incidents_per_week": _metric(
            incidents["before"] / weeks, incidents["after"] / weeks, incident_week_ci, counts=counts
        ),  # fmt: skip
        "incidents_per_1000_posts": _metric(
            per(incidents["before"] * 1000, posts["before"]),
            per(incidents["after"] * 1000, posts["after"]),
            incident_post_ci if posts["before"] and posts["after"] else None,
            counts=counts,
        ),
        "engagements_per_post": _metric(
            _value(side["before"]["posts"], "engagements_mean", math.nan),
            _value(side["after"]["posts"], "engagements_mean", math.nan),
            engagement_ci,
            posts_with_engagement={p: int(_value(side[p]["posts"], "engaged_posts")) for p in side},
        ),
        "engagements_per_post_median": _metric(
            _value(side["before"]["posts"], "engagements_median", math.nan),
            _value(side["after"]["posts"], "engagements_median", math.nan),
        ),
        "engagement_rate": _metric(rate("before"), rate("after")),
        # Organic figures above; what boosting brought, beside them (contract: 'boosted posts').
        "paid_engagements": _metric(
            _value(side["before"]["posts"], "paid_engagements"), _value(side["after"]["posts"], "paid_engagements")
        ),
        "earned_media_value": _metric(emv("before"), emv("after"), cpm=request.cpm, cpc=request.cpc),
        "top_1pct_engagement_share": _metric(top_share("before"), top_share("after")),
    }
    if headcount is None:
        metrics["participation_rate"]["note"] = "headcount unknown for at least one team"
    return metrics, low


TeamEffects = dict[str, dict[str, stats.Effect] | str]  # metric -> team -> effect, or why there is none


def _team_effects(frame: pd.DataFrame) -> TeamEffects:
    """Every team's own effect on each metric, from one fit of the organisation's model per metric (teams without
    a charter date are its never-treated controls)."""
    found: TeamEffects = {}
    for metric in stats.METRICS:
        try:
            found[metric] = stats.team_effects(frame, metric)
        except ValueError as error:
            found[metric] = str(error)
    return found


def _effects(frame: pd.DataFrame, scope: Scope, team_effects: TeamEffects) -> dict[str, Any]:
    data = frame[frame["team"].isin(scope.teams)]  # teams without a charter date: never-treated controls
    if data.empty or data["charter_date"].isna().all():
        return {}
    if scope.scope == "team" and len(scope.teams) == 1:
        # One team's own effect, estimated with every team's weeks as controls.
        errors = [why for why in team_effects.values() if isinstance(why, str)]
        if errors:
            return {"note": f"no adjusted effect: {errors[0]}"}
        own = {m: by_team.get(scope.teams[0]) for m, by_team in team_effects.items() if isinstance(by_team, dict)}
        return {name: _effect_json(effect) for name, effect in own.items() if effect is not None}
    try:
        found = stats.charter_effects(data)
    except ValueError as error:
        return {"note": f"no adjusted effect: {error}"}
    return {name: _effect_json(effect) for name, effect in found.items()}


def _effect_json(effect: stats.Effect) -> dict[str, Any]:
    doubts = [key for text, key in DOUBTS.items() if any(text in note for note in effect.notes)]
    return {
        "doubt": doubts[0] if doubts else None,
        "ratio": _finite(effect.ratio),
        "ci95": [_finite(v) for v in effect.ci95] if effect.ci95 else None,
        "change_pct": _finite(effect.change_pct),
        "ci95_pct": [_finite(v) for v in effect.ci_pct] if effect.ci_pct else None,
        "method": effect.method,
        "weeks_used": effect.weeks_used,
        "observed": _finite(effect.observed),
        "expected": _finite(effect.expected),
        "notes": list(effect.notes),
    }


def _event_study(frame: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        study = stats.event_study(frame, "posts")
        out["posts"] = [{k: _finite(v) for k, v in row.items()} for row in study.to_dict("records")]
        phases = stats.settled_vs_launch(frame, "posts")
        out["launch_vs_settled"] = {name: _effect_json(effect) for name, effect in phases.items()}
    except ValueError as error:
        out["note"] = f"no event study: {error}"
    return out


def _year_earlier(con: duckdb.DuckDBPyConnection, found: list[Scope], covered: tuple[date, date],
                  request: ImpactRequest, figured: set[int] | None = None) -> dict[int, dict[str, Any]]:  # fmt: skip
    """Per scope (those in `figured`, default all), the after window against the same calendar days a year
    earlier, where the posts reach back that far; one query for every scope."""
    out: dict[int, dict[str, Any]] = {}
    rows = []
    for index, scope in enumerate(found):
        if figured is not None and index not in figured:
            continue
        if not scope.windows or scope.window_days <= 0:
            out[index] = {"note": "no after window"}
        elif min(add_months(a0, -12) for _, _, a0, _ in scope.windows.values()) < covered[0]:
            out[index] = {"note": "the posts do not reach back a year before the after window"}
        else:
            for team, (_, _, a0, a1) in scope.windows.items():
                rows += [(index, team, "after", a0, a1)]
                rows += [(index, team, "year_earlier", add_months(a0, -12), add_months(a1, -12))]
    if not rows:
        return out
    frame = windows_frame(rows, ("scope_id", "team"))
    con.register("year_windows", frame)
    try:
        counts = {(scope_id, period): n for scope_id, period, n in con.execute(
            f"""SELECT w.scope_id, w.period, count(*) FROM posts p {posts_in_windows(q("year_windows"))}
            WHERE {POST_FILTER} GROUP BY ALL""",
            {"networks": list(request.networks), "formats": list(request.formats)},
        ).fetchall()}  # fmt: skip
    finally:
        con.unregister("year_windows")
    for index in frame["scope_id"].unique():
        weeks = found[index].window_days / 7
        before, after = counts.get((index, "year_earlier"), 0), counts.get((index, "after"), 0)
        out[int(index)] = {"posts_per_week": _metric(before / weeks, after / weeks)}
    return out


def impact(con: duckdb.DuckDBPyConnection, request: ImpactRequest | None = None) -> dict[str, Any]:
    """The whole impact report: per scope, plain comparisons with intervals, adjusted effects, references."""
    return _impact(con, request or ImpactRequest())[0]


def impact_and_timeline(con: duckdb.DuckDBPyConnection,
                        request: ImpactRequest | None = None) -> tuple[dict[str, Any], pd.DataFrame]:  # fmt: skip
    """`impact` and `weekly_timeline` of one request, from one reading of its team x week panel (the Overview and
    the PDF report show both)."""
    request = request or ImpactRequest()
    report, frame = _impact(con, request)
    return report, weekly_timeline(con, request, frame)


def _impact(con: duckdb.DuckDBPyConnection, request: ImpactRequest) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """The impact report, and the panel it read (None where it read none)."""
    cpm, cpc = rates(request)
    request = replace(request, cpm=cpm, cpc=cpc)
    covered = covered_days(con, request)
    if covered is None:
        note = "no posts in the chosen period" if request.period else "no posts loaded yet"
        return {"coverage": None, "scopes": [], "note": note}, None
    all_teams = teams(con)
    found = scopes(all_teams, covered, request)
    headcounts = {t.name: t.headcount for t in all_teams}
    figured = _figured(found, request)
    con.register("windows", _windows_frame(found, figured))
    try:
        agg = _window_aggregates(con, request)
    finally:
        con.unregister("windows")
    with_panel = request.with_effects and request.detail != PROGRAMME
    frame = panel(con, request, covered) if with_panel else pd.DataFrame()
    with small_matrices():
        reports = _reports(con, request, covered, found, headcounts, agg, frame, figured)
    if not request.name_small_teams:  # the statistics' notes name teams: a small one only as "other teams"
        _unname(reports, [t.name for t in all_teams if not is_named(t.members)])
    # The article's other two claims (metrics.md, "Co-creation", "Contest effect"): None where nothing is loaded.
    programme = request.with_effects and request.detail in (ALL, OVERVIEW, PROGRAMME)
    cocreation = programme_effects.cocreation(con, request, covered) if programme else None
    contest_effect = programme_effects.contest_effect(con, request, covered) if programme else None
    report = {
        "coverage": {"start": covered[0], "end": covered[1]},
        "filters": {
            "networks": list(request.networks),
            "formats": list(request.formats),
            "teams": list(request.team_filter),
        },
        "reference": _reference(reports),
        "scopes": reports,
        "cocreation": cocreation,
        "contest_effect": contest_effect,
    }
    return report, frame if with_panel else None


def _unname(found: Any, small: list[str]) -> None:
    """Every note under `found` (dicts and lists, in place) that starts with a small team's name starts with "other
    teams" instead: the model fits every team, and its notes name them (privacy: metrics.md)."""
    if isinstance(found, dict):
        for key, value in found.items():
            if key == "notes" and isinstance(value, list):
                found[key] = [_unnamed(note, small) if isinstance(note, str) else note for note in value]
            else:
                _unname(value, small)
    elif isinstance(found, list):
        for value in found:
            _unname(value, small)


def _unnamed(note: str, small: list[str]) -> str:
    for team in small:
        if note.startswith(f"{team}:") or note.startswith(f"{team} "):
            return OTHER_TEAMS + note[len(team) :]
    return note


def small_matrices() -> threadpool_limits:
    """One BLAS thread: the statistics multiply small matrices, where threads only wait for each other (on two
    busy cores, a 100k-post report took 170 s with OpenBLAS's threads and 5 s without)."""
    return threadpool_limits(limits=1, user_api="blas")


def _reports(con: duckdb.DuckDBPyConnection, request: ImpactRequest, covered: tuple[date, date],
             found: list[Scope], headcounts: dict[str, int | None], agg: dict[str, pd.DataFrame],
             frame: pd.DataFrame, figured: set[int] | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Each scope's report; only the figures of the scopes in `figured` (default: all), the others with their
    charter date, windows and notes (and no metrics)."""
    reports = []
    team_effects: TeamEffects | None = None
    figured = set(range(len(found))) if figured is None else figured
    year_earlier = _year_earlier(con, found, covered, request, figured)
    sides = _sides(agg)
    for index, scope in enumerate(found):
        counts = [headcounts.get(t) for t in scope.teams]
        headcount = None if any(c is None for c in counts) else sum(c for c in counts if c is not None)
        report: dict[str, Any] = {"scope": scope.scope}
        if scope.scope == "team":
            report["team"] = scope.label
            if scope.label == OTHER_TEAMS:
                report["teams_count"] = len(scope.teams)
        report.update({
            "charter_date": scope.charter_date,
            "window_days": scope.window_days,
            "notes": scope.notes,
        })  # fmt: skip
        if scope.window_days > 0:
            b0, b1, a0, a1 = next(iter(scope.windows.values()))
            report["before"] = {"start": b0, "end": b1} if scope.charter_date else None
            report["after"] = {"start": a0, "end": a1} if scope.charter_date else None
            if index in figured:
                metrics, low = _scope_metrics(scope, sides(index), headcount, request)
                report["low_confidence"] = low
                report["metrics"] = metrics
                report["year_earlier"] = year_earlier[index]
            else:
                report.update({"low_confidence": [], "metrics": None})
        else:
            report.update({"before": None, "after": None, "low_confidence": [], "metrics": None})
        if request.with_effects and not frame.empty:
            if index in figured and request.detail != TEAMS:
                if team_effects is None and scope.scope == "team" and len(scope.teams) == 1:
                    team_effects = _team_effects(frame)
                report["effect"] = _effects(frame, scope, team_effects or {})
            if scope.scope == ORGANISATION and request.detail != OVERVIEW:  # the Overview does not draw it
                report["event_study"] = _event_study(frame[frame["team"].isin(scope.teams)])
        reports.append(report)
    return reports


def _reference(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The article's claims beside the organisation's own plain and adjusted figures."""
    org = next((r for r in reports if r["scope"] == ORGANISATION), None)
    plain = (org or {}).get("metrics") or {}
    effect = (org or {}).get("effect") or {}
    return {
        "article": {
            "posts_change_pct": ARTICLE_POSTS_CHANGE_PCT,
            "incident_risk_change_pct": ARTICLE_INCIDENT_RISK_CHANGE_PCT,
        },  # fmt: skip
        "plain": {
            "posts_change_pct": (plain.get("posts_per_week") or {}).get("change_pct"),
            "incident_risk_change_pct": (plain.get("incidents_per_1000_posts") or {}).get("change_pct"),
        },
        "adjusted": {
            "posts_change_pct": (effect.get("posts") or {}).get("change_pct"),
            "incidents_change_pct": (effect.get("incidents") or {}).get("change_pct"),
        },
    }
