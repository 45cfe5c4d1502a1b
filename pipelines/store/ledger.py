"""What the database holds: the upload ledger, the quarantine, and what the loaded data covers.

The command line and the dashboard both list these from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb


@dataclass(frozen=True)
class Team:
    name: str
    members: int
    headcount: int | None
    charter_date: date | None
    own_date: bool


def teams(con: duckdb.DuckDBPyConnection) -> list[Team]:
    """Every team of the roster with its members, headcount and charter date (its own, else the organisation's)."""
    rows = con.execute(
        "SELECT team, members, headcount, charter_date, has_own_date FROM team_charters ORDER BY team"
    ).fetchall()
    return [
        Team(name, int(members), headcount, charter, bool(own)) for name, members, headcount, charter, own in rows
    ]


def data_version(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """Changes with every upload, undo, reprocess and decision: the count of write transactions committed, and the
    random id the last one marked the data with (a copy that went its own way has another)."""
    return tuple(con.execute("SELECT n, id FROM writes").fetchall()[0])


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether nothing loaded counts: no upload, or every upload undone."""
    return con.execute("SELECT count(*) FROM uploads WHERE undone_at IS NULL").fetchall()[0][0] == 0


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the filters offer: the teams with their roster sizes, the networks and formats of the posts."""
    networks = [r[0] for r in con.execute("SELECT DISTINCT network FROM posts ORDER BY 1").fetchall()]
    formats = [r[0] for r in con.execute("SELECT DISTINCT format FROM posts ORDER BY 1").fetchall()]
    sizes = {x.name: x.members for x in teams(con)}
    return {"teams": sizes, "networks": networks, "formats": formats}


def _records(result: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    columns = [d[0] for d in result.description or []]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def uploads(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every upload, oldest first: file, checksum, kind, counts, when and by whom, and whether it was undone."""
    return _records(
        con.execute(
            """SELECT upload_id, file_name, checksum, kind, rows_read, loaded, updated, unchanged, quarantined,
                   export_date, loaded_at, loaded_by, duplicate_of, undone_at, undone_by
            FROM uploads ORDER BY upload_id"""
        )
    )


def quarantined(con: duckdb.DuckDBPyConnection, upload_id: int | None = None,
                limit: int | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Rows kept out of the data, with their upload, file, line, text and reason; the first `limit` of them."""
    return _records(
        con.execute(
            """SELECT q.upload_id, u.file_name AS file, q.kind, q.line, q.raw, q.reason
            FROM quarantine q JOIN uploads u USING (upload_id)
            WHERE q.resolved_by IS NULL AND ($upload IS NULL OR q.upload_id = $upload)
            ORDER BY q.upload_id, q.line LIMIT $limit""",
            {"upload": upload_id, "limit": limit},
        )
    )


def quarantine_size(con: duckdb.DuckDBPyConnection) -> int:
    """How many rows wait in quarantine (`quarantined`'s rows, all of them)."""
    return int(con.execute("SELECT count(*) FROM quarantine WHERE resolved_by IS NULL").fetchall()[0][0])


def authors(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """Authors of posts and incidents that match nobody (or several), grouped by folded name with their rows and
    candidates; comms' decisions; the posts kept apart as not staff's. Needs the loader's macros (adv_name)."""
    waiting = _records(
        con.execute(
            """SELECT mode(q.cells ->> 'author') AS author, count(*) FILTER (WHERE q.kind = 'posts') AS posts,
                   count(*) FILTER (WHERE q.kind = 'incidents') AS incidents,
                   string_split(nullif(any_value(regexp_extract(q.reason, 'employees [(]([^)]*)[)]', 1)), ''), ', ')
                       AS candidates,
                   min(u.loaded_at)::DATE AS since
            FROM quarantine q JOIN uploads u USING (upload_id)
            WHERE q.resolved_by IS NULL AND u.undone_at IS NULL AND q.kind IN ('posts', 'incidents')
              AND q.reason LIKE 'author %' AND (q.cells ->> 'author') IS NOT NULL  -- (...): 1.5 binds ->> after AND
            GROUP BY adv_name(q.cells ->> 'author') ORDER BY posts + incidents DESC, author"""
        )
    )
    decided = _records(
        con.execute(
            """SELECT a.author, a.employee_id, e.full_name, coalesce(a.not_staff, false) AS not_staff, a.upload_id
            FROM authors a LEFT JOIN employees e USING (employee_id) ORDER BY a.author"""
        )
    )
    not_staff = _records(
        con.execute(
            """SELECT author, count(*) AS posts FROM posts WHERE employee_id IS NULL
            GROUP BY author ORDER BY posts DESC, author"""
        )
    )
    return {"waiting": waiting, "decided": decided, "not_staff_posts": not_staff}


def people_like(con: duckdb.DuckDBPyConnection, text: str, limit: int) -> list[tuple[str, str | None]]:
    """The roster's people (employee_id, full_name) with a word beginning with a word of `text` in their id, name,
    e-mail or LinkedIn profile, those with the most such words first, then by name; the first `limit` of them. As
    authors are matched: case, accents, emoji and punctuation do not count. Needs the loader's macros (adv_name).
    (The roster's side is folded without adv_name's regular expression: 0.3 s for 250,000 people, not 0.9 s.)"""
    return [
        (employee_id, name)
        for employee_id, name, _ in con.execute(
            """WITH wanted AS (SELECT DISTINCT unnest(string_split(adv_name($text), ' ')) AS word),
            people AS (SELECT employee_id, full_name,
                              ' ' || concat_ws(' ', lower(employee_id), translate(strip_accents(lower(full_name)),
                                  '-''’.,()', '       '), translate(lower(email), '@.-_', '    '),
                                  translate(linkedin, '-_', '  ')) AS words
                       FROM employees)
            SELECT p.employee_id, p.full_name, count(*) AS found
            FROM people p JOIN wanted w ON contains(p.words, ' ' || w.word)
            GROUP BY ALL ORDER BY found DESC, p.full_name, p.employee_id LIMIT $limit""",
            {"text": text, "limit": limit},
        ).fetchall()
    ]


def data_coverage(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The date range of each source, teams without a charter date, posts without engagement yet."""
    ranges = _records(
        con.execute(
            """SELECT 'posts' AS source, min(published_at)::DATE AS first_day, max(published_at)::DATE AS last_day,
                      count(*) AS rows FROM posts
            UNION ALL SELECT 'engagement snapshots', min(as_of), max(as_of), count(*) FROM engagement_snapshots
            UNION ALL SELECT 'incidents', min(occurred_on), max(occurred_on), count(*) FROM incidents
            UNION ALL SELECT 'contests', min(starts_on), max(ends_on), count(*) FROM contests
            UNION ALL SELECT 'workshops', min(attended_on), max(attended_on), count(*) FROM workshops"""
        )
    )
    without = con.execute(
        "SELECT count(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM post_engagement g WHERE g.post_id = p.post_id)"
    ).fetchall()[0][0]
    by_source = _records(
        con.execute(
            """SELECT coalesce(source, 'file') AS source, count(DISTINCT post_id) AS posts, count(*) AS snapshots,
                      min(as_of) AS first_day, max(as_of) AS last_day
            FROM engagement_snapshots GROUP BY ALL ORDER BY posts DESC"""
        )
    )
    return {
        "sources": ranges,
        "figures_by_source": by_source,
        "teams_without_charter_date": [t.name for t in teams(con) if t.charter_date is None],
        "posts_without_engagement": int(without),
    }


def freshness(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """How fresh the figures are: the last day with posts, the uploads in force, the posts without engagement."""
    up_to, posts, without = con.execute(
        """SELECT max(published_at)::DATE, count(*),
                  count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM post_engagement g WHERE g.post_id = p.post_id))
        FROM posts p"""
    ).fetchall()[0]
    uploads = con.execute("SELECT count(*) FROM uploads WHERE undone_at IS NULL AND duplicate_of IS NULL").fetchall()[
        0
    ][0]
    return {"data_up_to": up_to, "posts": int(posts), "posts_without_engagement": int(without),
            "uploads": int(uploads)}  # fmt: skip
