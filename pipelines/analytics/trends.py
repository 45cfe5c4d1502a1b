"""Trends month by month, for the organisation and each team (the catalogue's TRENDS figures): posts, the adoption
funnel, participation, reach and engagement, earned media value; the same by network or format; the best posts.

Definitions (metrics.md gives the engagement and privacy rules these follow):
- Months are calendar months, cut to the days looked at (`scopes.covered_days`: the days the posts cover, within
  the request's period). A month cut short is `partial`, with the `days` it covers of its `days_in_month`, so that
  a chart does not read a short month as a drop.
- **Members** of a month: roster members of the scope's teams whose `joined_on` / `left_on` span touches the
  month's days (`joined_on` before its end, `left_on` after its start, `left_on` being the first day away, as the
  effect's panel counts it; an unknown date is no limit).
- **Active ambassadors**: the members with a post in the month's days. **Ever posted**: the members with a post
  published before the month's end (since the data began: history before the period counts). **Regular**: the
  members active this month who also posted in each of the two calendar months before it; none (not zero) for
  the first two months of the data, where those months are not there to look at.
  So the funnel narrows: members ≥ ever posted ≥ active ≥ regular.
- Participation, ever-posted and regular shares are those counts over the month's members.
- Posts count every post of the scope's teams in the month's days (as the impact report does). Engagement comes
  from each post's newest snapshot (`post_engagement`); posts without one are left out of the engagement figures
  (none when no post of the month has one). Engagement rate = engagements / impressions over posts with
  impressions above zero. Earned media value: `media_value.earned_media_value` at the request's rates, else the
  settings'.
- Privacy: the scopes are `scopes.scopes`' (teams under the threshold only inside "other teams"), and a best post
  names its team the same way; no author and no employee id leave this module.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from pipelines.analytics.media_value import earned_media_value, rates
from pipelines.analytics.privacy import SHOWN_TEAM_SQL, sql_params
from pipelines.analytics.scopes import ImpactRequest, Scope, add_months, coverage, covered_days, scopes
from pipelines.store.db import Sql
from pipelines.store.ledger import teams

# The columns of `monthly`, in order (the command line prints them so).
MONTHLY_COLUMNS = [
    "scope", "team", "month", "days", "days_in_month", "partial", "members", "ever_posted", "active_ambassadors",
    "regular", "participation_rate", "ever_posted_rate", "regular_rate", "posts", "engaged_posts", "impressions",
    "clicks", "engagements", "engagement_rate", "earned_media_value",
]  # fmt: skip
COUNTS = ["members", "ever_posted", "active_ambassadors", "regular", "posts", "engaged_posts", "impressions",
          "clicks", "engagements"]  # fmt: skip
DIMENSIONS = {"network": Sql("p.network"), "format": Sql("p.format")}
RANKED_BY = {"engagements": Sql("g.engagements"), "impressions": Sql("g.impressions")}
TOP_COLUMNS = ["title", "team", "network", "format", "published_on", "engagements", "impressions", "link"]

_POST_FILTER = Sql("""p.employee_id IS NOT NULL
    AND (len($networks) = 0 OR list_contains($networks, p.network))
    AND (len($formats) = 0 OR list_contains($formats, p.format))""")
_ACTIVITY = re.compile(r"urn:li:activity:[0-9]+")


def months(covered: tuple[date, date]) -> pd.DataFrame:
    """The calendar months of the days [start, end): month, start_on, end_on (end exclusive), days, days_in_month,
    partial."""
    rows = []
    month = covered[0].replace(day=1)
    while month < covered[1]:
        following = add_months(month, 1)
        start, end = max(month, covered[0]), min(following, covered[1])
        length = calendar.monthrange(month.year, month.month)[1]
        rows.append((month, start, end, (end - start).days, length, (end - start).days < length))
        month = following
    frame = pd.DataFrame(rows, columns=["month", "start_on", "end_on", "days", "days_in_month", "partial"])
    return frame.astype({"month": "datetime64[us]", "start_on": "datetime64[us]", "end_on": "datetime64[us]",
                         "days": "int64", "days_in_month": "int64", "partial": "bool"})  # fmt: skip


def _scopes(con: duckdb.DuckDBPyConnection, request: ImpactRequest) -> tuple[list[Scope], tuple[date, date] | None]:
    covered = covered_days(con, request)
    return ([] if covered is None else scopes(teams(con), covered, request)), covered


def _scope_teams(found: list[Scope]) -> pd.DataFrame:
    rows = [(index, team) for index, scope in enumerate(found) for team in scope.teams]
    return pd.DataFrame(rows, columns=["scope_id", "team"]).astype({"scope_id": "int64", "team": "string"})


def _params(request: ImpactRequest) -> dict[str, Any]:
    return {"networks": list(request.networks), "formats": list(request.formats)}


def _labelled(frame: pd.DataFrame, found: list[Scope]) -> pd.DataFrame:
    """scope_id replaced by the scope ("organisation" or "team") and its label, in the scopes' order."""
    frame.insert(0, "scope", [found[i].scope for i in frame["scope_id"]])
    frame.insert(1, "team", [found[i].label for i in frame["scope_id"]])
    return frame.sort_values(["scope_id", "month"], kind="stable").drop(columns="scope_id").reset_index(drop=True)


def _with_tables(con: duckdb.DuckDBPyConnection, found: list[Scope], covered: tuple[date, date], sql: Sql,
                 params: dict[str, Any]) -> pd.DataFrame:  # fmt: skip
    """Run `sql` with the scopes' teams (`trend_scopes`) and the months (`trend_months`) registered as tables."""
    con.register("trend_scopes", _scope_teams(found))
    con.register("trend_months", months(covered))
    try:
        return con.execute(sql, params).df()
    finally:
        con.unregister("trend_scopes")
        con.unregister("trend_months")


_MONTHLY = Sql(f"""WITH m AS (SELECT month::DATE AS month, start_on, end_on, days, days_in_month, partial
        FROM trend_months),
    p AS (SELECT p.post_id, p.employee_id, p.published_at FROM posts p WHERE {_POST_FILTER}),
    poster_months AS (SELECT DISTINCT employee_id, date_trunc('month', published_at)::DATE AS month FROM p),
    first_post AS (SELECT employee_id, min(published_at) AS first_at FROM p GROUP BY ALL),
    active_months AS (
        SELECT DISTINCT p.employee_id, m.month FROM p JOIN m ON p.published_at >= m.start_on
            AND p.published_at < m.end_on),
    member_months AS (
        SELECT s.scope_id, e.employee_id, m.month, m.end_on FROM employees e JOIN trend_scopes s ON s.team = e.team
        JOIN m ON (e.joined_on IS NULL OR e.joined_on < m.end_on) AND (e.left_on IS NULL OR e.left_on > m.start_on)),
    people AS (
        SELECT mm.scope_id, mm.month, count(*) AS members,
            count(*) FILTER (WHERE f.first_at < mm.end_on) AS ever_posted,
            count(a.employee_id) AS active_ambassadors,
            count(*) FILTER (WHERE a.employee_id IS NOT NULL AND b.employee_id IS NOT NULL
                AND c.employee_id IS NOT NULL) AS regular
        FROM member_months mm
        LEFT JOIN first_post f ON f.employee_id = mm.employee_id
        LEFT JOIN active_months a ON a.employee_id = mm.employee_id AND a.month = mm.month
        LEFT JOIN poster_months b ON b.employee_id = mm.employee_id
            AND b.month = (mm.month - INTERVAL 1 MONTH)::DATE
        LEFT JOIN poster_months c ON c.employee_id = mm.employee_id
            AND c.month = (mm.month - INTERVAL 2 MONTH)::DATE
        GROUP BY ALL),
    post_stats AS (
        SELECT s.scope_id, m.month, count(*) AS posts, count(g.engagements) AS engaged_posts,
            sum(g.impressions) AS impressions, sum(g.clicks) AS clicks, sum(g.engagements) AS engagements,
            sum(g.engagements) FILTER (WHERE g.impressions > 0) AS rate_engagements,
            sum(g.impressions) FILTER (WHERE g.impressions > 0) AS rate_impressions
        FROM p JOIN employees e ON e.employee_id = p.employee_id JOIN trend_scopes s ON s.team = e.team
        JOIN m ON p.published_at >= m.start_on AND p.published_at < m.end_on
        LEFT JOIN post_engagement g ON g.post_id = p.post_id
        GROUP BY ALL)
    SELECT s.scope_id, m.month::TIMESTAMP AS month, m.days, m.days_in_month, m.partial,
        coalesce(pp.members, 0) AS members, coalesce(pp.ever_posted, 0) AS ever_posted,
        coalesce(pp.active_ambassadors, 0) AS active_ambassadors, coalesce(pp.regular, 0) AS regular,
        coalesce(ps.posts, 0) AS posts, coalesce(ps.engaged_posts, 0) AS engaged_posts, ps.impressions, ps.clicks,
        ps.engagements, ps.rate_engagements, ps.rate_impressions
    FROM (SELECT DISTINCT scope_id FROM trend_scopes) s CROSS JOIN m
    LEFT JOIN people pp ON pp.scope_id = s.scope_id AND pp.month = m.month
    LEFT JOIN post_stats ps ON ps.scope_id = s.scope_id AND ps.month = m.month""")


def _share(part: Any, whole: Any) -> float | None:
    return None if pd.isna(part) or pd.isna(whole) or not whole else float(part) / float(whole)


def monthly(con: duckdb.DuckDBPyConnection, request: ImpactRequest | None = None) -> pd.DataFrame:
    """One row per scope (the organisation, then each team shown, then "other teams") per calendar month, with
    the columns of MONTHLY_COLUMNS; empty when no posts fall in the days looked at."""
    request = request or ImpactRequest()
    found, covered = _scopes(con, request)
    if covered is None or not found:
        return pd.DataFrame(columns=MONTHLY_COLUMNS)
    frame = _with_tables(con, found, covered, _MONTHLY, _params(request))
    first = coverage(con)
    # "Regular" looks two months back: not there to look at in the data's first two months.
    if first is not None:
        frame.loc[frame["month"] < pd.Timestamp(add_months(first[0].replace(day=1), 2)), "regular"] = pd.NA
    cpm, cpc = rates(request)
    for name, part, whole in (
        ("participation_rate", "active_ambassadors", "members"),
        ("ever_posted_rate", "ever_posted", "members"),
        ("regular_rate", "regular", "members"),
        ("engagement_rate", "rate_engagements", "rate_impressions"),
    ):
        frame[name] = [_share(a, b) for a, b in zip(frame[part], frame[whole], strict=True)]
    frame["earned_media_value"] = [
        None if n == 0 else earned_media_value(0 if pd.isna(i) else i, 0 if pd.isna(c) else c, cpm, cpc)
        for n, i, c in zip(frame["engaged_posts"], frame["impressions"], frame["clicks"], strict=True)
    ]  # fmt: skip
    frame = frame.astype({column: "Int64" for column in COUNTS} | {"partial": "bool"})
    frame = frame.astype({c: "Float64" for c in ("participation_rate", "ever_posted_rate", "regular_rate",
                                                  "engagement_rate", "earned_media_value")})  # fmt: skip
    return _labelled(frame, found)[MONTHLY_COLUMNS]


def _by_dimension_sql(dimension: Sql) -> Sql:
    return Sql(f"""SELECT s.scope_id, m.month::TIMESTAMP AS month, m.days, m.days_in_month, m.partial,
        {dimension} AS value,
        count(*) AS posts, count(g.engagements) AS engaged_posts, sum(g.engagements) AS engagements,
        sum(g.impressions) AS impressions
    FROM posts p JOIN employees e ON e.employee_id = p.employee_id JOIN trend_scopes s ON s.team = e.team
    JOIN trend_months m ON p.published_at >= m.start_on AND p.published_at < m.end_on
    LEFT JOIN post_engagement g ON g.post_id = p.post_id
    WHERE {_POST_FILTER} GROUP BY ALL ORDER BY s.scope_id, month, value""")


def by_dimension(con: duckdb.DuckDBPyConnection, request: ImpactRequest | None, dimension: str) -> pd.DataFrame:
    """Per scope, month (its days, whether partial) and network (or format): posts, posts with engagement figures,
    engagements, impressions. Only the combinations with posts are listed."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"no breakdown by {dimension!r}: choose one of {', '.join(DIMENSIONS)}")
    request = request or ImpactRequest()
    columns = ["scope", "team", "month", "days", "days_in_month", "partial", dimension, "posts", "engaged_posts",
               "engagements", "impressions"]  # fmt: skip
    found, covered = _scopes(con, request)
    if covered is None or not found:
        return pd.DataFrame(columns=columns)
    sql = _by_dimension_sql(DIMENSIONS[dimension])
    frame = _with_tables(con, found, covered, sql, _params(request)).rename(columns={"value": dimension})
    frame = frame.astype({"posts": "Int64", "engaged_posts": "Int64", "engagements": "Int64", "impressions": "Int64",
                          "partial": "bool"})  # fmt: skip
    return _labelled(frame, found)[columns]


def post_link(post_id: str | None) -> str | None:
    """Where a post can be opened: a LinkedIn activity urn's feed address, a post id that is already a web address;
    else none."""
    if not post_id:
        return None
    if _ACTIVITY.fullmatch(post_id):
        return f"https://www.linkedin.com/feed/update/{post_id}/"
    if post_id.lower().startswith(("https://", "http://")):
        return post_id
    return None


def _top_sql(ranked: Sql) -> Sql:
    return Sql(f"""WITH chosen AS (
        SELECT p.post_id, p.title, p.network, p.format, p.published_at, c.team, c.members
        FROM posts p JOIN employees e ON e.employee_id = p.employee_id JOIN team_charters c ON c.team = e.team
        WHERE {_POST_FILTER} AND list_contains($teams, c.team)
          AND p.published_at >= $start AND p.published_at < $end)
    SELECT chosen.title, {SHOWN_TEAM_SQL} AS team, chosen.network, chosen.format,
        chosen.published_at::DATE AS published_on, g.engagements, g.impressions, chosen.post_id
    FROM chosen JOIN post_engagement g ON g.post_id = chosen.post_id
    WHERE {ranked} IS NOT NULL
    ORDER BY {ranked} DESC, chosen.published_at, chosen.post_id LIMIT $limit""")


def top_posts(con: duckdb.DuckDBPyConnection, request: ImpactRequest | None = None, by: str = "engagements",
              limit: int = 10) -> pd.DataFrame:  # fmt: skip
    """The best posts of the days looked at by engagements (or impressions), with the request's filters: title, team
    (a small team only as "other teams"), network, format, day, engagements, impressions and link. No author."""
    if by not in RANKED_BY:
        raise ValueError(f"no ranking by {by!r}: choose one of {', '.join(RANKED_BY)}")
    request = request or ImpactRequest()
    found, covered = _scopes(con, request)
    if covered is None or not found:
        return pd.DataFrame(columns=TOP_COLUMNS)
    looked_at = sorted({team for scope in found for team in scope.teams})
    params = {**_params(request), **sql_params(), "teams": looked_at, "limit": limit,
              "start": covered[0], "end": covered[1]}  # fmt: skip
    if request.name_small_teams:
        params["min_team"] = 0
    frame = con.execute(_top_sql(RANKED_BY[by]), params).df()
    frame["link"] = [post_link(p) for p in frame["post_id"]]
    frame["published_on"] = pd.to_datetime(frame["published_on"]).dt.date
    return frame.astype({"engagements": "Int64", "impressions": "Int64"})[TOP_COLUMNS]


def latest_full_month(frame: pd.DataFrame) -> pd.Timestamp | None:
    """The last month of a `monthly` frame that is not partial (the funnel's month), else its last month."""
    if frame.empty:
        return None
    full = frame.loc[~frame["partial"].astype(bool), "month"]
    return pd.Timestamp(full.max() if not full.empty else frame["month"].max())


def as_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-ready rows: whole numbers as int, missing values as None, months as 2025-03, days as ISO."""
    rows = []
    for row in frame.to_dict("records"):
        out: dict[str, Any] = {}
        for key, value in row.items():
            if value is None or (not isinstance(value, str | list) and pd.isna(value)):
                out[key] = None
            elif key == "month":
                out[key] = pd.Timestamp(value).strftime("%Y-%m")
            elif isinstance(value, pd.Timestamp | date):
                out[key] = value.isoformat()[:10]
            elif key in COUNTS or key in ("days", "days_in_month", "posts"):
                out[key] = int(value)
            elif hasattr(value, "item"):
                out[key] = value.item()
            else:
                out[key] = value
        rows.append(out)
    return rows
