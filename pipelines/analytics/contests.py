"""Contest rankings (metrics.md, "Contest rankings"); their downloads are `pipelines.analytics.downloads`.

A ranking is a table of rows {rank, employee_id, name, team, value, posts, anonymous}; the screen, the command line
and both downloads show its `columns` (through `downloads.ranking_table`). Employees who opted out of named rankings
appear as "Anonymous participant N" (N, in `anonymous`, stable: their order by employee_id among everyone who opted
out), with no id, and still count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from pipelines.analytics import catalogue
from pipelines.analytics.privacy import SHOWN_TEAM_SQL, sql_params
from pipelines.store.db import Sql, q

CRITERIA = {key: metric.label("en") for key, metric in catalogue.CRITERIA.items()}  # key -> English label


@dataclass(frozen=True)
class Contest:
    contest_id: str
    name: str
    starts_on: date
    ends_on: date
    teams: list[str]  # empty: every team
    min_posts: int


@dataclass
class Ranking:
    contest: Contest
    criterion: str
    by: str  # "employee" or "team"
    rows: list[dict[str, Any]]
    note: str | None = None

    @property
    def columns(self) -> list[str]:
        """The columns shown: a person's posts only once when the criterion is the posts themselves."""
        if self.by == "team":
            return ["rank", "team", "members", "value", "posts"]
        shown = ["rank", "employee_id", "name", "team", "value", "posts"]
        return shown[:-1] if self.criterion == "posts" else shown

    def as_json(self) -> dict[str, Any]:
        return {
            "contest_id": self.contest.contest_id,
            "criterion": self.criterion,
            "by": self.by,
            "note": self.note,
            "rows": self.rows,
        }


def contests(con: duckdb.DuckDBPyConnection) -> list[Contest]:
    rows = con.execute(
        "SELECT contest_id, name, starts_on, ends_on, teams, min_posts FROM contests ORDER BY starts_on, contest_id"
    ).fetchall()
    return [
        Contest(cid, name or cid, start, end, list(teams or []), int(m)) for cid, name, start, end, teams, m in rows
    ]


def contest(con: duckdb.DuckDBPyConnection, contest_id: str) -> Contest | None:
    return next((c for c in contests(con) if c.contest_id == contest_id), None)


# The roster's members per team, for the privacy threshold.
_SIZES = Sql("SELECT team, count(*) AS members FROM employees GROUP BY team")

# One row per employee with a post in the contest: their counts, engagement and best jury score.
_ENTRANTS = Sql("""
WITH c AS (SELECT * FROM contests WHERE contest_id = $contest_id),
anonymous AS (
    SELECT employee_id, row_number() OVER (ORDER BY employee_id) AS n FROM employees WHERE NOT contest_opt_in),
entries AS (
    SELECT p.post_id, p.employee_id, e.team, p.format, g.engagements
    FROM posts p JOIN employees e USING (employee_id) CROSS JOIN c
    LEFT JOIN post_engagement g USING (post_id)
    WHERE p.published_at::DATE BETWEEN c.starts_on AND c.ends_on
      AND (c.teams IS NULL OR len(c.teams) = 0 OR list_contains(c.teams, e.team))),
jury AS (
    SELECT s.post_id, avg(s.score) AS score FROM jury_scores s WHERE s.contest_id = $contest_id GROUP BY ALL)
SELECT x.employee_id, x.team, count(*) AS posts, count(*) FILTER (WHERE x.format = 'article') AS articles,
    avg(x.engagements) AS engagement_per_post, max(j.score) AS best_written, any_value(c.min_posts) AS min_posts,
    CASE WHEN a.n IS NULL THEN any_value(e.full_name) END AS name, a.n AS anonymous_n
FROM entries x CROSS JOIN c JOIN employees e USING (employee_id)
LEFT JOIN jury j USING (post_id) LEFT JOIN anonymous a USING (employee_id)
GROUP BY x.employee_id, x.team, a.n
""")


def ranking(con: duckdb.DuckDBPyConnection, contest_id: str, criterion: str, by: str = "employee") -> Ranking:
    """Rank a contest's entrants (or teams, per member) on one criterion; ties share a rank (1, 2, 2, 4).
    A team under the privacy threshold is named "other teams", also beside a person (an opted-out participant of
    a team of two would otherwise be known)."""
    if criterion not in CRITERIA:
        raise ValueError(f"unknown criterion {criterion!r}: expected one of {', '.join(CRITERIA)}")
    found = contest(con, contest_id)
    if found is None:
        raise LookupError(f"no contest {contest_id!r}")
    eligible = {
        "posts": Sql("posts >= 1"),
        "engagement_per_post": Sql("posts >= min_posts AND engagement_per_post IS NOT NULL"),
        "best_written": Sql("best_written IS NOT NULL"),
        "articles": Sql("articles >= 1"),
    }[criterion]
    params = {"contest_id": contest_id}
    if by == "team":
        rows = _team_rows(con, criterion, eligible, params)
    else:
        entrants = con.execute(
            f"""SELECT rank() OVER (ORDER BY {q(criterion)} DESC) AS rank,
                CASE WHEN anonymous_n IS NULL THEN employee_id END AS employee_id,
                coalesce(name, 'Anonymous participant ' || anonymous_n) AS name,
                {SHOWN_TEAM_SQL} AS team,
                {q(criterion)}::DOUBLE AS value, posts, anonymous_n AS anonymous
            FROM ({_ENTRANTS}) JOIN ({_SIZES}) USING (team) WHERE {eligible} ORDER BY rank, name""",
            {**params, **sql_params()},
        )
        columns = [d[0] for d in entrants.description or []]
        rows = [dict(zip(columns, row, strict=True)) for row in entrants.fetchall()]
    note = None
    if not rows and criterion == "best_written":
        has_scores = con.execute("SELECT count(*) FROM jury_scores WHERE contest_id = ?", [contest_id]).fetchall()
        if not has_scores[0][0]:
            note = "this contest has no jury scores: no best-written ranking"
    if not rows and note is None:
        note = "nobody qualifies on this criterion yet"
    return Ranking(found, criterion, by, rows, note)


def _team_rows(con: duckdb.DuckDBPyConnection, criterion: str, eligible: Sql, params: dict[str, Any]) -> list[dict]:
    """Teams ranked per roster member, so that small teams can win; small teams only inside "other teams"."""
    value = {
        "posts": Sql("sum(g.posts) / any_value(m.members)"),
        "articles": Sql("sum(g.articles) / any_value(m.members)"),
        "engagement_per_post": Sql("sum(g.engagement_per_post * g.posts) / sum(g.posts)"),
        "best_written": Sql("max(g.best_written)"),
    }[criterion]
    result = con.execute(
        f"""WITH sizes AS ({_SIZES}),
        grouped AS (
            SELECT {SHOWN_TEAM_SQL} AS team, x.* EXCLUDE (team), s.members
            FROM ({_ENTRANTS}) x JOIN sizes s USING (team) WHERE {eligible}),
        member_counts AS (
            SELECT {SHOWN_TEAM_SQL} AS team, sum(members) AS members FROM sizes GROUP BY 1)
        SELECT rank() OVER (ORDER BY value DESC) AS rank, team, members, value, posts FROM (
            SELECT g.team, any_value(m.members) AS members, {value}::DOUBLE AS value,
                   sum(g.posts) AS posts
            FROM grouped g JOIN member_counts m USING (team) GROUP BY g.team)
        ORDER BY rank, team""",
        {**params, **sql_params()},
    )
    columns = [d[0] for d in result.description or []]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
