"""`advocacy bench`: how fast the loader, the report and the pages are on a programme of N posts, and how big.

A run writes a programme of N posts as the real export files (roster, teams with staggered charter dates, posts,
two overlapping engagement exports, incidents, contests, jury scores, then one more month of posts and
engagement), and measures, each step in its own child process so that one step's peak memory (max RSS, read with
`os.wait4`) does not hide another's:

- the project's load of the posts and engagement files, against DuckDB's bare `read_csv` of the same files (the
  floor) and against the pandas script a user would otherwise write;
- an incremental month loaded into the full database (and the bare `read_csv` of its files);
- the impact report, every contest ranking and the queries each dashboard page runs when it opens (from
  dashboard/queries.py): median and worst of K runs, each on a fresh read-only connection, nothing cached.

Before any timing, a small programme goes through the whole load: a benchmark whose rows are quarantined
measures nothing, so the run stops there if any row is. The files are written by DuckDB from `range()` with
hash-based pseudo-random values: the same seed writes the same files, and ten million posts take seconds.

`python -m pipelines.synthetic.bench --step STEP ...` runs one step (the parent starts these); `advocacy bench`
runs all.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from dashboard.pages import PAGES as DASHBOARD_PAGES
from pipelines.config import Database, Lake, database
from pipelines.store.db import Sql

# --- the programme ------------------------------------------------------------------------------------------

START = date(2024, 1, 1)  # posts from here ...
DAYS = 731  # ... to 2025-12-31
OLD_EXPORT = date(2025, 12, 1)  # as_of of the older engagement export (posts published before it)
NEW_EXPORT = date(2026, 1, 1)  # as_of of the newer one (every post): it wins
MONTH_START = date(2026, 1, 1)  # the incremental month
MONTH_DAYS = 31
MONTH_EXPORT = date(2026, 2, 1)
ORG_CHARTER = date(2024, 10, 1)  # the teams file's `*` row
CHARTER_FIRST = date(2024, 4, 1)  # team charter dates are spread from here ...
CHARTER_SPAN_DAYS = 540  # ... over these days, so every team has both sides of its date
ORG_DATE_EVERY = 6  # every sixth team has no date of its own: the organisation's applies
JUDGES = ("Claire Dumas", "Tom Baker", "Inès Haddad")
JURY_POSTS = 20  # per judged contest
CONTESTS = (  # id, name, first day, last day, how many of the first teams (0 = every team), min posts, judged
    ("C1", "Spring challenge", date(2024, 3, 1), date(2024, 4, 30), 2, 3, True),
    ("C2", "Autumn challenge", date(2024, 10, 1), date(2024, 11, 30), 0, 3, True),
    ("C3", "Summer stories", date(2025, 6, 1), date(2025, 7, 31), 0, 2, False),
)
TEAM_NAMES = (
    "Sales", "Marketing", "Engineering", "Customer Success", "Human Resources", "Finance", "Legal", "Product",
    "Data", "Operations", "Support", "Consulting", "Research", "Design", "Security", "IT", "Procurement",
    "Communications", "Partnerships", "Training", "Quality", "Logistics", "Strategy", "Audit", "Compliance",
    "Facilities", "Public Sector", "Retail", "Healthcare", "Energy",
)  # fmt: skip
FIRST_NAMES = (
    "Camille", "Julien", "Hélène", "François", "Zoé", "Loïc", "Anaïs", "Gaël", "Jérôme", "Cécile", "Noémie",
    "Thibault", "Léa", "Inès", "Chloé", "Maël", "James", "Olivia", "Oliver", "Emma", "Noah", "Grace",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Petit", "Durand", "Leroy", "Moreau", "Lefèvre", "Garcia", "Roux", "Fournier",
    "Girard", "André", "Mercier", "Dupont", "Lambert", "Guérin", "Muller", "Nguyen", "Noël", "Pérez", "Smith",
)  # fmt: skip
ROLES = ("Consultant", "Manager", "Engineer", "Account executive", "Analyst", "Director", "Assistant")
TITLES = (  # a few need quoting in a CSV file: a comma, a quote, a line break
    "Our new offer is live", "Proud of the team, again", 'The "Lab" opens its doors in Nantes',
    "Salon VivaTech : nos trois annonces", "Merci à toutes et à tous !\nRendez-vous l'an prochain",
    "Three lessons from our customer day", "We are hiring", "Behind the scenes of our hackathon",
)  # fmt: skip
CATEGORIES = ("confidentiality", "tone", "legal", "harassment", "politics", "misinformation")
DESCRIPTIONS = ("Internal document on a screenshot", "Curt reply to a customer", "Client logo without consent",
                "Figures published before the announcement", "Rumour shared as fact")  # fmt: skip
ID_BASE = 7_100_000_000_000_000_000  # post i is urn:li:activity:<ID_BASE + i>

# --- the targets (the issue's) ------------------------------------------------------------------------------

MILLION, TEN_MILLION = 1_000_000, 10_000_000
LOAD_VS_FLOOR = {MILLION: 2.5, TEN_MILLION: 3.0}  # the project's load at most this x DuckDB's bare read_csv ...
LOAD_VS_PANDAS = 1.0  # ... and no slower than the pandas script
HELP_S = 0.5  # `advocacy --help`, process start included
SMALL_LOAD_S = 1.0  # `advocacy load` of a small file (VERIFY_POSTS posts), process start included
IMPACT_S = {MILLION: 1.0, TEN_MILLION: 5.0}
PAGE_S = 0.3  # at 1M posts
INCREMENTAL_S = 3.0  # at 1M posts
PEAK_MEMORY_MB = 2048  # at 10M posts; shown at every size for the project's own steps

PAGES = tuple(p.name for p in DASHBOARD_PAGES if p.queries)  # the dashboard's pages that read the database
PROJECT_STEPS = ("load_small", "load", "incremental", "impact", "rankings", *(f"page_{p}" for p in PAGES),
                 "prepare")  # fmt: skip
STEPS = ("verify", "generate", "load_small", "load", "floor", "pandas", "incremental", "impact", "rankings",
         *(f"page_{p}" for p in PAGES), "prepare", "command_line", "baseline")  # fmt: skip
CRITICAL = ("verify", "generate", "load_small", "load")  # nothing after them means anything if they fail
VERIFY_POSTS = 2000


class BenchError(RuntimeError):
    """The benchmark could not run, or its data did not load cleanly (so its timings would mean nothing)."""


@dataclass(frozen=True)
class Scale:
    """How big each file is for N posts."""

    posts: int
    seed: int = 7

    @property
    def employees(self) -> int:
        return max(40, self.posts // 40)

    @property
    def teams(self) -> int:
        return max(2, min(len(TEAM_NAMES), self.employees // 25))

    @property
    def incidents(self) -> int:
        return max(100, min(5000, self.posts // 500))

    @property
    def month_posts(self) -> int:
        """Posts of the incremental month: with their engagement, about 50k rows at 1M posts."""
        return max(50, self.posts // 40)


# --- generating the files -----------------------------------------------------------------------------------

_MACROS = """
CREATE OR REPLACE TEMP MACRO bench_u(s, i, k) AS ((hash(s, i, k) >> 11)::DOUBLE + 0.5) / 9007199254740992.0;
CREATE OR REPLACE TEMP MACRO bench_normal(s, i, k) AS
    sqrt(-2 * ln(bench_u(s, i, k))) * cos(2 * pi() * bench_u(s, i, k + 1));
CREATE OR REPLACE TEMP MACRO bench_pick(s, i, k, options) AS
    options[1 + least(len(options) - 1, floor(bench_u(s, i, k) * len(options)))::INTEGER];
CREATE OR REPLACE TEMP MACRO bench_team(s, j, names) AS
    names[1 + least(len(names) - 1, floor(len(names) * pow(bench_u(s, j, 101), 1.5)))::INTEGER];
CREATE OR REPLACE TEMP MACRO bench_employee(j) AS 'E' || lpad(j::VARCHAR, 7, '0');
CREATE OR REPLACE TEMP MACRO bench_author(s, i, e) AS least(e - 1, floor(e * pow(bench_u(s, i, 1), 1.25)))::BIGINT;
CREATE OR REPLACE TEMP MACRO bench_urn(i) AS 'urn:li:activity:' || (7100000000000000000 + i)::VARCHAR;
CREATE OR REPLACE TEMP MACRO bench_published(s, i, first, n, start, days) AS
    start::TIMESTAMP + to_microseconds(((i - first + bench_u(s, i, 2)) / n * days * 86400000000)::BIGINT);
CREATE OR REPLACE TEMP MACRO bench_impressions(s, i) AS greatest(1, floor(450 * exp(0.9 * bench_normal(s, i, 10))
    * CASE WHEN bench_u(s, i, 12) < 0.015 THEN 2 + 30 * bench_u(s, i, 13) ELSE 1 END))::BIGINT;
CREATE OR REPLACE TEMP MACRO bench_share(s, i, k, rate) AS rate * exp(0.5 * bench_normal(s, i, k))
"""

# Posts [first, first + n) published over `days` days from `start`, in date order, as an export lists them.
_POSTS = Sql("""
SELECT bench_urn(i) AS post_id, bench_employee(bench_author($seed, i, $employees)) AS author,
    strftime(bench_published($seed, i, $first, $n, $start, $days), '%Y-%m-%d %H:%M:%S') AS published_at,
    CASE WHEN bench_u($seed, i, 3) < 0.04 THEN 'Twitter' ELSE 'LinkedIn' END AS network,
    CASE WHEN f < 0.62 THEN 'Post' WHEN f < 0.80 THEN 'Image' WHEN f < 0.88 THEN 'Article'
         WHEN f < 0.95 THEN 'Video' ELSE 'Document' END AS format,
    bench_pick($seed, i, 5, $titles) AS title
FROM (SELECT i, bench_u($seed, i, 4) AS f FROM range($first, $first + $n) r(i))
""")

# One engagement export: every post of [first, first + n) published before `as_of`; an older export shows a
# share (`growth`) of the final figures, so that figures never decrease from one export to the next.
_ENGAGEMENT = Sql("""
WITH final AS (
    SELECT i, bench_published($seed, i, $first, $n, $start, $days) AS published_at,
        bench_impressions($seed, i) AS impressions,
        CASE WHEN $older THEN 0.8 + 0.15 * bench_u($seed, i, 30) ELSE 1 END AS growth
    FROM range($first, $first + $n) r(i))
SELECT bench_urn(i) AS post_id, $as_of::DATE AS as_of, floor(impressions * growth)::BIGINT AS impressions,
    floor(floor(impressions * bench_share($seed, i, 14, 0.022)) * growth)::BIGINT AS reactions,
    floor(floor(impressions * bench_share($seed, i, 16, 0.004)) * growth)::BIGINT AS comments,
    floor(floor(impressions * bench_share($seed, i, 18, 0.0015)) * growth)::BIGINT AS shares,
    floor(floor(impressions * bench_share($seed, i, 20, 0.008)) * growth)::BIGINT AS clicks
FROM final WHERE published_at < $as_of::DATE
""")

_EMPLOYEES = Sql("""
SELECT bench_employee(j) AS employee_id,
    bench_pick($seed, j, 110, $firsts) || ' ' || bench_pick($seed, j, 111, $lasts) AS full_name,
    'e' || lpad(j::VARCHAR, 7, '0') || '@bench.example' AS email, bench_team($seed, j, $teams) AS team,
    bench_pick($seed, j, 112, $roles) AS role,
    CASE WHEN bench_u($seed, j, 113) < 0.05 THEN NULL
         WHEN bench_u($seed, j, 113) < 0.15 THEN $start::DATE + floor(bench_u($seed, j, 114) * 600)::INTEGER
         ELSE DATE '2023-01-01' + floor(bench_u($seed, j, 114) * 365)::INTEGER END AS joined_on,
    CASE WHEN bench_u($seed, j, 115) < 0.03
         THEN DATE '2025-01-01' + floor(bench_u($seed, j, 116) * 300)::INTEGER END AS left_on,
    CASE WHEN bench_u($seed, j, 117) < 0.05 THEN 'no' ELSE 'yes' END AS contest_opt_in
FROM range($employees) r(j)
""")

# A third of the incidents give no team: the loader takes it from the author.
_INCIDENTS = Sql("""
SELECT 'INC-' || lpad(k::VARCHAR, 6, '0') AS incident_id,
    $start::DATE + floor(bench_u($seed, k, 201) * $days)::INTEGER AS occurred_on,
    CASE WHEN bench_u($seed, k, 202) >= 0.33 THEN bench_team($seed, j, $teams) END AS team,
    bench_employee(j) AS author,
    CASE WHEN bench_u($seed, k, 203) < 0.6 THEN bench_urn(floor(bench_u($seed, k, 204) * $posts)::BIGINT) END
        AS post_id,
    CASE WHEN s < 0.45 THEN 'low' WHEN s < 0.80 THEN 'medium' WHEN s < 0.95 THEN 'high' ELSE 'critical' END
        AS severity,
    bench_pick($seed, k, 206, $categories) AS category, bench_pick($seed, k, 207, $descriptions) AS description
FROM (SELECT k, floor(bench_u($seed, k, 200) * $employees)::BIGINT AS j, bench_u($seed, k, 205) AS s
      FROM range($incidents) r(k))
""")

# The first posts of a contest's window (and teams) that the jury scored.
_JURY = """
WITH picked AS (
    SELECT i FROM range($posts) r(i)
    WHERE bench_published($seed, i, 0, $posts, $start, $days) >= $first_day::DATE
      AND bench_published($seed, i, 0, $posts, $start, $days) < $last_day::DATE + 1
      AND (len($scope) = 0
           OR list_contains($scope, bench_team($seed, bench_author($seed, i, $employees), $teams)))
    ORDER BY i LIMIT $jury_posts)
SELECT $contest_id AS contest_id, bench_urn(i) AS post_id, judge,
    round(4 + 6 * bench_u($seed, i * 10 + n, 300), 1) AS score
FROM picked CROSS JOIN (SELECT unnest($judges) AS judge, generate_subscripts($judges, 1) AS n)
ORDER BY post_id, judge
"""


def _execute(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    from pipelines.ingest.validate import execute  # binds only the parameters the statement uses

    return execute(con, sql, params)


def _copy(con: duckdb.DuckDBPyConnection, query: Sql, path: Path, params: dict[str, Any]) -> int:
    """Write a query's rows to a CSV file with a header; return how many."""
    sql = f"COPY ({query}) TO $path (HEADER, DELIMITER ',')"
    return int(_execute(con, sql, {**params, "path": str(path)}).fetchall()[0][0])


def _write_small_csv(path: Path, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> int:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def _team_rows(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The organisation's charter row, then each team: headcount 1.4 x its roster, its own staggered date."""
    members = dict(
        _execute(
            con, "SELECT bench_team($seed, j, $teams), count(*) FROM range($employees) r(j) GROUP BY 1", params
        ).fetchall()
    )
    teams: list[str] = params["teams"]
    rows: list[tuple[Any, ...]] = [("*", "", ORG_CHARTER.isoformat())]
    for k, team in enumerate(teams):
        own = date.fromordinal(CHARTER_FIRST.toordinal() + k * CHARTER_SPAN_DAYS // len(teams))
        charter = "" if k % ORG_DATE_EVERY == ORG_DATE_EVERY - 1 else own.isoformat()
        rows.append((team, (members.get(team, 0) * 7 + 4) // 5, charter))
    return rows


def _contest_rows(teams: list[str]) -> list[tuple[Any, ...]]:
    return [
        (cid, name, first.isoformat(), last.isoformat(), "|".join(teams[:scope]), min_posts)
        for cid, name, first, last, scope, min_posts, _ in CONTESTS
    ]


def _jury_rows(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for cid, _, first, last, scope, _, judged in CONTESTS:
        if judged:
            window = {"contest_id": cid, "first_day": first, "last_day": last, "scope": params["teams"][:scope]}
            rows += _execute(con, _JURY, {**params, **window}).fetchall()
    return rows


def generate(out: Path, scale: Scale) -> dict[str, Any]:
    """Write the programme's export files into `out`; return the manifest (files, rows, expected table counts)."""
    out.mkdir(parents=True, exist_ok=True)
    params: dict[str, Any] = {
        "seed": scale.seed, "posts": scale.posts, "employees": scale.employees,
        "teams": list(TEAM_NAMES[: scale.teams]), "incidents": scale.incidents, "start": START, "days": DAYS,
        "titles": list(TITLES), "firsts": list(FIRST_NAMES), "lasts": list(LAST_NAMES), "roles": list(ROLES),
        "categories": list(CATEGORIES), "descriptions": list(DESCRIPTIONS), "judges": list(JUDGES),
        "jury_posts": JURY_POSTS,
    }  # fmt: skip
    main = {"first": 0, "n": scale.posts, "start": START, "days": DAYS}
    month = {"first": scale.posts, "n": scale.month_posts, "start": MONTH_START, "days": MONTH_DAYS}
    engagement = {  # role -> file, as_of, whether an older export, which posts
        "engagement_old": (f"engagement_{OLD_EXPORT.isoformat()}.csv", OLD_EXPORT, True, main),
        "engagement_new": (f"engagement_{NEW_EXPORT.isoformat()}.csv", NEW_EXPORT, False, main),
        "month_engagement": (f"engagement_{MONTH_EXPORT.isoformat()}.csv", MONTH_EXPORT, False, month),
    }
    files: dict[str, dict[str, Any]] = {}

    def add(role: str, kind: str, name: str, rows: int) -> None:
        files[role] = {"file": name, "kind": kind, "rows": rows, "bytes": (out / name).stat().st_size}

    def small(role: str, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        add(role, role, f"{role}.csv", _write_small_csv(out / f"{role}.csv", header, rows))

    with duckdb.connect() as con:
        for statement in _MACROS.split(";\n"):
            con.execute(statement)
        add("employees", "employees", "employees.csv", _copy(con, _EMPLOYEES, out / "employees.csv", params))
        small("teams", ("team", "headcount", "charter_adopted_on"), _team_rows(con, params))
        add("posts", "posts", "posts.csv", _copy(con, _POSTS, out / "posts.csv", {**params, **main}))
        for role in ("engagement_old", "engagement_new"):
            name, as_of, older, posts = engagement[role]
            add(role, "engagement", name, _copy(con, _ENGAGEMENT, out / name, {**params, **posts, "as_of": as_of,
                                                                               "older": older}))  # fmt: skip
        add("incidents", "incidents", "incidents.csv", _copy(con, _INCIDENTS, out / "incidents.csv", params))
        small("contests", ("contest_id", "name", "starts_on", "ends_on", "teams", "min_posts"),
              _contest_rows(params["teams"]))  # fmt: skip
        small("jury_scores", ("contest_id", "post_id", "judge", "score"), _jury_rows(con, params))
        name = f"posts_{MONTH_START:%Y-%m}.csv"
        add("month_posts", "posts", name, _copy(con, _POSTS, out / name, {**params, **month}))
        name, as_of, older, posts = engagement["month_engagement"]
        add("month_engagement", "engagement", name,
            _copy(con, _ENGAGEMENT, out / name, {**params, **posts, "as_of": as_of, "older": older}))  # fmt: skip
    snapshots = files["engagement_old"]["rows"] + files["engagement_new"]["rows"]
    expected = {
        "employees": scale.employees, "teams": scale.teams + 1, "posts": scale.posts,
        "engagement_snapshots": snapshots, "post_engagement": scale.posts, "incidents": scale.incidents,
        "contests": len(CONTESTS), "jury_scores": files["jury_scores"]["rows"], "quarantine": 0,
    }  # fmt: skip
    after_month = {
        **expected,
        "posts": scale.posts + files["month_posts"]["rows"],
        "engagement_snapshots": snapshots + files["month_engagement"]["rows"],
        "post_engagement": scale.posts + files["month_posts"]["rows"],
    }
    return {
        "scale": {
            **asdict(scale),
            "employees": scale.employees,
            "teams": scale.teams,
            "incidents": scale.incidents,
            "month_posts": scale.month_posts,
        },  # fmt: skip
        "files": files,
        "expected": {"after_load": expected, "after_incremental": after_month},
    }


SMALL = ("employees", "teams", "incidents", "contests", "jury_scores")  # the roster first: incidents need it
MAIN = ("posts", "engagement_old", "engagement_new")  # the older export first: the newer one updates it
MONTH = ("month_posts", "month_engagement")


# --- measuring ----------------------------------------------------------------------------------------------


@contextmanager
def _timer() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    end: float | None = None

    def elapsed() -> float:
        return (end if end is not None else time.perf_counter()) - start

    try:
        yield elapsed
    finally:
        end = time.perf_counter()


def _summary(seconds: list[float]) -> dict[str, Any]:
    return {"runs_s": seconds, "median_s": statistics.median(seconds), "worst_s": max(seconds)}


def _load(db: Database, work: Path, manifest: dict[str, Any], roles: tuple[str, ...]) -> dict[str, Any]:
    """Load the files of `roles` one by one through the project's loader; time each; check nothing is lost."""
    from pipelines.ingest.load import LoadOptions, load_paths

    files, problems = [], []
    for role in roles:
        entry = manifest["files"][role]
        with _timer() as elapsed:
            (result,) = load_paths(db, [work / entry["file"]], LoadOptions(loaded_by="bench"))
        passed = result.loaded + result.updated + result.unchanged
        files.append({
            "role": role, "file": entry["file"], "kind": result.kind, "seconds": elapsed(), "rows": entry["rows"],
            "rows_read": result.rows_read, "loaded": result.loaded, "updated": result.updated,
            "unchanged": result.unchanged, "quarantined": result.quarantined, "refused": result.refused,
            "reasons": result.reasons,
        })  # fmt: skip
        if result.refused:
            problems.append(f"{entry['file']}: refused: {result.refused}")
        elif result.quarantined or result.rows_read != passed or result.rows_read != entry["rows"]:
            problems.append(
                f"{entry['file']}: {entry['rows']} rows written, {result.rows_read} read, {passed} loaded/updated/"
                f"unchanged, {result.quarantined} quarantined ({'; '.join(result.reasons) or 'no reason'})"
            )
        if result.kind != entry["kind"]:
            problems.append(f"{entry['file']}: read as {result.kind}, written as {entry['kind']}")
    return {
        "seconds": sum(f["seconds"] for f in files),
        "rows": sum(f["rows"] for f in files),
        "quarantined": sum(f["quarantined"] for f in files),
        "files": files,
        "problems": problems,
    }


def table_counts(db: Database, tables: list[str]) -> dict[str, int]:
    from pipelines.store.db import connect, q

    with connect(db, read_only=True) as con:
        return {t: int(con.execute(f"SELECT count(*) FROM {q(t)}").fetchall()[0][0]) for t in tables}


def _check_counts(db: Database, expected: dict[str, int], problems: list[str]) -> dict[str, int]:
    found = table_counts(db, list(expected))
    problems.extend(
        f"table {t}: {found[t]} rows, {n} expected" for t, n in expected.items() if found[t] != n
    )  # fmt: skip
    return found


def _read_manifest(work: Path) -> dict[str, Any]:
    return json.loads((work / "manifest.json").read_text(encoding="utf-8"))


def step_verify(work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
    """A small programme through the whole load: every row must load, none be quarantined or lost."""
    small = work / "verify"
    shutil.rmtree(small, ignore_errors=True)
    try:
        manifest = generate(small, Scale(VERIFY_POSTS, scale.seed))
        verify_db = small / "verify.duckdb"
        loaded = _load(verify_db, small, manifest, (*SMALL, *MAIN))
        problems = loaded["problems"]
        after_load = _check_counts(verify_db, manifest["expected"]["after_load"], problems)
        month = _load(verify_db, small, manifest, MONTH)
        problems += month["problems"]
        after_month = _check_counts(verify_db, manifest["expected"]["after_incremental"], problems)
    finally:
        shutil.rmtree(small, ignore_errors=True)
    return {
        "posts": VERIFY_POSTS,
        "ok": not problems,
        "problems": problems,
        "files": loaded["files"] + month["files"],
        "database": {"after_load": after_load, "after_incremental": after_month},
    }


def step_generate(work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
    """Write the files, unless `work` already holds this very programme (same posts, same seed, same sizes)."""
    try:
        earlier = _read_manifest(work)
        if (
            earlier["scale"]["posts"] == scale.posts
            and earlier["scale"]["seed"] == scale.seed
            and all((work / f["file"]).stat().st_size == f["bytes"] for f in earlier["files"].values())
        ):
            return {**earlier, "seconds": 0.0, "reused": True}
    except (OSError, KeyError, ValueError):
        pass
    with _timer() as elapsed:
        manifest = generate(work, scale)
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return {**manifest, "seconds": elapsed(), "reused": False}


def step_load_small(work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
    return _load(db, work, _read_manifest(work), SMALL)


def step_load(work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
    manifest = _read_manifest(work)
    result = _load(db, work, manifest, MAIN)
    result["database"] = _check_counts(db, manifest["expected"]["after_load"], result["problems"])
    return result


def step_incremental(work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
    manifest = _read_manifest(work)
    result = _load(db, work, manifest, MONTH)
    result["database"] = _check_counts(db, manifest["expected"]["after_incremental"], result["problems"])
    return result


def _bare_read_csv(path: Path, work: Path, roles: tuple[str, ...], manifest: dict[str, Any]) -> dict[str, Any]:
    """DuckDB on its own: `CREATE TABLE AS SELECT * FROM read_csv(file)` into a fresh database file."""
    path.unlink(missing_ok=True)
    files = {}
    with _timer() as elapsed:
        con = duckdb.connect(str(path))
        try:
            for n, role in enumerate(roles):
                with _timer() as one:
                    con.execute(
                        f"CREATE TABLE t{n} AS SELECT * FROM read_csv(?)",
                        [str(work / manifest["files"][role]["file"])],
                    )
                files[role] = one()
        finally:
            con.close()  # the checkpoint counts: the project's load writes its file too
    path.unlink(missing_ok=True)
    Path(f"{path}.wal").unlink(missing_ok=True)
    return {"seconds": elapsed(), "files": files}


def step_floor(work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
    manifest = _read_manifest(work)
    main = _bare_read_csv(work / "floor.duckdb", work, MAIN, manifest)
    month = _bare_read_csv(work / "floor.duckdb", work, MONTH, manifest)
    return {**main, "incremental": month}


def step_pandas(work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
    """What a user would write without the project: read every file, keep each post's newest snapshot, count."""
    import pandas as pd

    files = {role: work / f["file"] for role, f in _read_manifest(work)["files"].items()}
    with _timer() as elapsed:
        employees = pd.read_csv(files["employees"])
        pd.read_csv(files["teams"])
        posts = pd.read_csv(files["posts"], parse_dates=["published_at"])
        exports = [pd.read_csv(files[role], parse_dates=["as_of"]) for role in ("engagement_old", "engagement_new")]
        incidents = pd.read_csv(files["incidents"], parse_dates=["occurred_on"])
        pd.read_csv(files["contests"])
        pd.read_csv(files["jury_scores"])
        read_s = elapsed()
        snapshots = pd.concat(exports, ignore_index=True).sort_values("as_of")
        newest = snapshots.drop_duplicates("post_id", keep="last")
        frame = posts.merge(employees[["employee_id", "team"]], left_on="author", right_on="employee_id")
        frame = frame.merge(newest, on="post_id", how="left")
        frame["month"] = frame["published_at"].dt.to_period("M")
        by_month = frame.groupby(["team", "month"]).agg(
            posts=("post_id", "size"), impressions=("impressions", "sum"), reactions=("reactions", "sum")
        )
        incidents["month"] = incidents["occurred_on"].dt.to_period("M")
        incidents_by_month = incidents.groupby(["team", "month"]).size()
    return {
        "seconds": elapsed(),
        "read_s": read_s,
        "groups": len(by_month),
        "incident_groups": len(incidents_by_month),
        "posts": len(frame),
    }


def _fresh(db: Database, calls: dict[str, Callable[[duckdb.DuckDBPyConnection], Any]],
           forget: bool = False) -> dict[str, float]:  # fmt: skip
    """Run `calls` in order on one fresh read-only connection; the seconds of each (opening excluded). `forget`:
    remove the reports kept first."""
    from pipelines.store.db import connect
    from pipelines.store.kept import folder_of

    seconds = {}
    with _timer() as opening, connect(db, read_only=True) as con:
        seconds["connect"] = opening()
        folder = folder_of(con) if forget else None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        for name, call in calls.items():
            with _timer() as elapsed:
                call(con)
            seconds[name] = elapsed()
    return seconds


def _repeat(db: Database, runs: int, calls: dict[str, Callable[[duckdb.DuckDBPyConnection], Any]],
            kept: bool = False) -> dict[str, Any]:  # fmt: skip
    """K runs, each on a fresh connection: the median and worst of the calls' sum, and of each call. `kept`: the
    calls read reports kept once computed (pipelines/store/kept.py); each run computes them, none being kept, as
    the first reader after a load does, then `kept` has K more runs that read them back, as every later reader."""
    done = [_fresh(db, calls, forget=kept) for _ in range(runs)]
    out = _summary([sum(v for k, v in d.items() if k != "connect") for d in done])
    out["calls"] = {name: _summary([d[name] for d in done]) for name in ("connect", *calls)}
    if kept:
        out["kept"] = _summary([sum(v for k, v in _fresh(db, calls).items() if k != "connect") for _ in range(runs)])
    return out


def step_impact(work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
    from dashboard.queries import report as kept_report  # as `advocacy impact` and the pages read it

    reports: list[dict[str, Any]] = []
    result = _repeat(db, runs, {"impact": lambda con: reports.append(kept_report(con))}, kept=True)
    report = reports[-1]
    result["scopes"] = len(report["scopes"])
    result["scopes_with_metrics"] = sum(1 for s in report["scopes"] if s.get("metrics"))
    result["scopes_with_effect"] = sum(1 for s in report["scopes"] if s.get("effect"))
    return result


def step_rankings(work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
    from pipelines.analytics.contests import CRITERIA, contests, ranking
    from pipelines.store.db import connect

    with connect(db, read_only=True) as con:
        ids = [c.contest_id for c in contests(con)]
    rows: dict[str, int] = {}

    def rank(contest_id: str, criterion: str) -> Callable[[duckdb.DuckDBPyConnection], None]:
        def call(con: duckdb.DuckDBPyConnection) -> None:
            rows[f"{contest_id} {criterion}"] = len(ranking(con, contest_id, criterion, by="team").rows)

        return call

    calls: dict[str, Callable[[duckdb.DuckDBPyConnection], Any]] = {"contests": contests}
    calls.update({f"{cid} {criterion}": rank(cid, criterion) for criterion in CRITERIA for cid in ids})
    result = _repeat(db, runs, calls)
    result["contests"] = ids
    result["ranked_rows"] = rows
    # Per criterion: the slowest contest's median and worst.
    result["criteria"] = {
        criterion: {
            "median_s": max(result["calls"][f"{cid} {criterion}"]["median_s"] for cid in ids),
            "worst_s": max(result["calls"][f"{cid} {criterion}"]["worst_s"] for cid in ids),
        }
        for criterion in CRITERIA
    }
    return result


def _page_step(page: str) -> Callable[[Path, Database, Scale, int], dict[str, Any]]:
    def step(work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
        from dashboard.queries import KEPT, ON_OPEN  # the queries the page runs when it opens

        result = _repeat(db, runs, ON_OPEN[page], kept=page in KEPT)
        result["script"] = _page_script(db, page, runs)
        return result

    step.__doc__ = f"The {page} page's calls, summed; then its whole script."
    return step


def _page_script(db: Database, page: str, runs: int) -> dict[str, Any]:
    """The page as the server makes it for a visitor: its whole script (Streamlit's AppTest, no browser), first
    with Streamlit's caches empty (the reports kept are read back), then K more runs with them full, as for every
    visitor after the first. Charts, tables and downloads are made here, which the calls above leave out."""
    import logging

    from streamlit.testing.v1 import AppTest

    from dashboard.pages import path

    # Streamlit warns that a script run outside a server has no context: true of every AppTest, and no news.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    os.environ["ADVOCACY_DB"] = str(db)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py"), default_timeout=600)
    with _timer() as first:
        at.switch_page(path(page)).run()
    if at.exception:
        raise BenchError(f"the {page} page failed: {at.exception[0].value}")
    seconds = []
    for _ in range(runs):
        with _timer() as elapsed:
            at.run()
        seconds.append(elapsed())
    return {"first_s": first(), **_summary(seconds)}


def step_prepare(work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
    """What `advocacy prepare` (and the dashboard, after its own changes) takes to compute every page's opening
    reports after a load: K runs, the reports kept removed before each."""
    from dashboard.queries import prepare
    from pipelines.store.db import connect
    from pipelines.store.kept import folder_of

    seconds = []
    for _ in range(runs):
        with connect(db, read_only=True) as con:
            folder = folder_of(con)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        with _timer() as elapsed:
            prepare(db)
        seconds.append(elapsed())
    return _summary(seconds)


def _command_seconds(command: list[str], runs: int, env: dict[str, str] | None = None) -> dict[str, Any]:
    """K runs of a command in a new process each: wall seconds, process start included."""
    seconds = []
    for _ in range(runs):
        with _timer() as elapsed:
            done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
        seconds.append(elapsed())
        if done.returncode != 0:
            raise BenchError(f"{' '.join(command[2:])} exited with {done.returncode}: {done.stderr.strip()[-300:]}")
    return _summary(seconds)


def step_command_line(work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
    """What a user waits for at the terminal, process start included: `advocacy --help`, and `advocacy load` of a
    small posts file (VERIFY_POSTS posts) into a database that holds its roster."""
    from pipelines.ingest.load import LoadOptions, load_paths

    cli = [sys.executable, "-m", "pipelines.cli"]
    # As an installed user runs it: Python keeps each module's compiled bytecode from the first run on. Where the
    # environment says PYTHONDONTWRITEBYTECODE (this machine's does), every start compiles the project's modules
    # again (0.15 s of a small load): that is left out here, and the first run below, untimed, compiles them.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    small = work / "command_line"
    shutil.rmtree(small, ignore_errors=True)
    try:
        manifest = generate(small, Scale(VERIFY_POSTS, scale.seed))
        posts = small / manifest["files"]["posts"]["file"]
        loads = []
        for run in range(runs + 1):  # a fresh database each time: every run loads the file anew
            target = small / f"small_{run}.duckdb"
            load_paths(target, [small / manifest["files"]["employees"]["file"]], LoadOptions(loaded_by="bench"))
            loads.append(_command_seconds([*cli, "load", str(posts), "--db", str(target), "--by", "bench"], 1, env))
        load = _summary([s for one in loads[1:] for s in one["runs_s"]])
        return {
            "help": _command_seconds([*cli, "--help"], runs, env),
            "small_load": {**load, "rows": VERIFY_POSTS, "first_run_s": loads[0]["runs_s"][0]},
        }
    finally:
        shutil.rmtree(small, ignore_errors=True)


def step_baseline(work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
    """The interpreter with the project's modules imported and nothing done: the floor of every step's memory."""
    import pipelines.analytics.contests
    import pipelines.analytics.metrics  # noqa: F401

    return {}


STEP_FUNCTIONS: dict[str, Callable[[Path, Database, Scale, int], dict[str, Any]]] = {
    "verify": step_verify,
    "generate": step_generate,
    "load_small": step_load_small,
    "load": step_load,
    "floor": step_floor,
    "pandas": step_pandas,
    "incremental": step_incremental,
    "impact": step_impact,
    "rankings": step_rankings,
    **{f"page_{p}": _page_step(p) for p in PAGES},
    "prepare": step_prepare,
    "command_line": step_command_line,
    "baseline": step_baseline,
}


# --- the parent: one child process per step -----------------------------------------------------------------


# On Linux a process's max RSS starts at the RSS of the process that started it (the kernel keeps the high-water
# mark across exec), so a step started by this process, which holds DuckDB and pandas, would never report less
# than it. A bare interpreter (-S: no site, no imports) in between starts the step and reports its max RSS and
# the CPU seconds it used.
_LAUNCHER = (
    "import os, sys; pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ); "
    "_, status, usage = os.wait4(pid, 0); "
    "open(sys.argv[1], 'w').write(f'{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}'); "
    "sys.exit(os.waitstatus_to_exitcode(status))"
)
OTHER_WORK_NOTE = 0.2  # other processes using more than this share of the CPUs during a step: say so


def _machine_busy_s() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (Linux /proc/stat), to tell other work apart."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _child(step: str, work: Path, db: Database, scale: Scale, runs: int) -> dict[str, Any]:
    """Run one step in its own process; its result with the wall time and the child's peak memory (max RSS)."""
    result_file, usage_file = work / f"step_{step}.json", work / f"step_{step}.usage"
    for stale in (result_file, usage_file):
        stale.unlink(missing_ok=True)
    command = [
        sys.executable, "-m", "pipelines.synthetic.bench", "--step", step, "--work", str(work), "--db", str(db),
        "--posts", str(scale.posts), "--seed", str(scale.seed), "--runs", str(runs), "--result", str(result_file),
    ]  # fmt: skip
    busy_before = _machine_busy_s()
    with _timer() as elapsed:
        # The upload limit guards what users send; the bench's own files are as big as the programme.
        env = {**os.environ, "ADVOCACY_MAX_UPLOAD_MB": str(10**9)}
        code = subprocess.call([sys.executable, "-S", "-c", _LAUNCHER, str(usage_file), *command], env=env)
    busy_after = _machine_busy_s()
    out: dict[str, Any] = {"wall_s": elapsed(), "peak_rss_mb": None}
    if usage_file.exists():
        maxrss, cpu = usage_file.read_text().split()
        out["peak_rss_mb"] = int(maxrss) / 1024  # Linux: kilobytes
        out["cpu_s"] = float(cpu)
        if busy_before is not None and busy_after is not None:
            other = max(0.0, busy_after - busy_before - float(cpu))
            out["other_cpu_share"] = other / (out["wall_s"] * (os.cpu_count() or 1))
        usage_file.unlink()
    if code != 0 or not result_file.exists():
        out["error"] = f"the step's process exited with code {code}"
        return out
    out.update(json.loads(result_file.read_text(encoding="utf-8")))
    result_file.unlink()
    return out


def _own_peak_mb() -> float | None:
    """This process's own high-water RSS (VmHWM), a cross-check of what the launcher reads."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def machine() -> dict[str, Any]:
    cpus_usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory_gb = None
    if hasattr(os, "sysconf") and "SC_PHYS_PAGES" in os.sysconf_names:
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    with duckdb.connect() as con:
        threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    import pandas as pd

    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": cpus_usable,
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "duckdb_threads": threads,
        "pandas": pd.__version__,
        "platform": platform.platform(),
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _seconds(step: dict[str, Any], key: str = "seconds") -> float | None:
    value = step.get(key)
    return float(value) if isinstance(value, int | float) else None


def _kept(step: dict[str, Any]) -> float | None:
    """The median of a step's runs that read the reports kept."""
    return _seconds(step.get("kept") or {}, "median_s")


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue that applies at this size, with the figure and whether it is met."""
    posts = results["posts"]
    steps, ratios = results["steps"], results["ratios"]
    found: list[dict[str, Any]] = []

    def check(step: str, name: str, value: float | None, limit: float, unit: str, strict: bool = True) -> None:
        met = None if value is None else (value < limit if strict else value <= limit)
        sign = "<" if strict else "<="
        found.append({"step": step, "name": name, "value": value, "target": f"{sign} {limit:g}{unit}", "met": met})

    floor = LOAD_VS_FLOOR[MILLION if posts <= MILLION else TEN_MILLION]
    check("load", "load / bare read_csv", ratios["load_vs_floor"], floor, "x read_csv", strict=False)
    check("load", "load / pandas", ratios["load_vs_pandas"], LOAD_VS_PANDAS, "x pandas")
    if posts <= MILLION:
        check("impact", "impact (median)", _seconds(steps["impact"], "median_s"), IMPACT_S[MILLION], " s")
        check("impact", "impact, report kept (median)", _kept(steps["impact"]), IMPACT_S[MILLION], " s")
        for page in PAGES:
            step = f"page_{page}"
            check(step, f"{page} page (median)", _seconds(steps[step], "median_s"), PAGE_S, " s")
            if "kept" in steps[step]:
                check(step, f"{page} page, reports kept (median)", _kept(steps[step]), PAGE_S, " s")
        check("incremental", "incremental month", _seconds(steps["incremental"]), INCREMENTAL_S, " s")
    else:
        check("impact", "impact (median)", _seconds(steps["impact"], "median_s"), IMPACT_S[TEN_MILLION], " s")
        check("impact", "impact, report kept (median)", _kept(steps["impact"]), IMPACT_S[TEN_MILLION], " s")
    line = steps["command_line"]
    check("command_line", "advocacy --help (median)", _seconds(line.get("help", {}), "median_s"), HELP_S, " s")
    check("small_load", "small file's load (median)", _seconds(line.get("small_load", {}), "median_s"),
          SMALL_LOAD_S, " s")  # fmt: skip
    for step in PROJECT_STEPS:
        check(step, f"{step} peak memory", steps[step].get("peak_rss_mb"), PEAK_MEMORY_MB, " MB")
    return found


LAKE_STEPS = ("load_small", "load", "incremental", "impact", "rankings", *(f"page_{p}" for p in PAGES), "prepare")


def run(posts: int, *, runs: int = 5, seed: int = 7, keep: Path | None = None, db: Path | None = None,
        lake: Lake | None = None, log: Callable[[str], None] | None = None) -> dict[str, Any]:  # fmt: skip
    """Every step, each in its own process; the figures, the ratios, the targets. `keep`: keep files and database.
    `lake`: a new, empty lake that the same files are loaded into, and read from, after the file's steps."""
    say = log or (lambda text: print(f"[bench] {text}", file=sys.stderr, flush=True))
    scale = Scale(posts, seed)
    work = keep or Path(tempfile.mkdtemp(prefix="advocacy-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    database = db or work / "bench.duckdb"
    for stale in (database, Path(f"{database}.wal")):
        stale.unlink(missing_ok=True)
    results: dict[str, Any] = {
        "posts": posts, "runs": runs, "seed": seed, "machine": machine(), "work_dir": str(work),
        "database": str(database), "steps": {},
    }  # fmt: skip
    started = time.perf_counter()
    try:
        for step in STEPS:
            say(f"{step} ...")
            result = _child(step, work, database, scale, runs)
            results["steps"][step] = result
            busy = result.get("other_cpu_share") or 0
            say(
                f"{step}: {result['wall_s']:.1f} s, peak {result['peak_rss_mb'] or 0:.0f} MB"
                + (f", other processes used {busy:.0%} of the CPUs meanwhile" if busy > 0.05 else "")
            )
            if step == "verify" and not result.get("ok"):
                problems = result.get("problems") or [result.get("error")]
                raise BenchError(
                    f"the {VERIFY_POSTS}-post check did not load cleanly, so no timing would mean anything: "
                    + "; ".join(str(p) for p in problems)
                )
            if step in CRITICAL and "error" in result:
                raise BenchError(f"step {step} failed: {result['error']}")
        if lake is not None:
            results["lake"] = _lake_steps(lake, work, scale, runs, say)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    results["total_s"] = time.perf_counter() - started
    steps = results["steps"]
    results["files"] = steps["generate"].get("files")
    results["ratios"] = {
        "load_vs_floor": _ratio(_seconds(steps["load"]), _seconds(steps["floor"])),
        "load_vs_pandas": _ratio(_seconds(steps["load"]), _seconds(steps["pandas"])),
        "incremental_vs_floor": _ratio(
            _seconds(steps["incremental"]), _seconds(steps["floor"].get("incremental", {}))
        ),
    }
    results["quarantined"] = sum(int(steps[s].get("quarantined", 0)) for s in ("load_small", "load", "incremental"))
    results["problems"] = [p for s in STEPS for p in steps[s].get("problems", []) if s != "verify"]
    results["problems"] += [f"step {s}: {steps[s]['error']}" for s in STEPS if "error" in steps[s]]
    for name, step in results.get("lake", {}).items():
        results["problems"] += [f"lake, step {name}: {p}" for p in step.get("problems", [])]
        results["problems"] += [f"lake, step {name}: {step['error']}"] if "error" in step else []
    results["targets"] = targets(results)
    results["ok"] = not results["problems"]
    return results


def _lake_steps(lake: Lake, work: Path, scale: Scale, runs: int, say: Callable[[str], None]) -> dict[str, Any]:
    """The same files loaded into the lake, and the same reports and pages read from it, each step in its own
    process as on the file."""
    from pipelines.store import ledger
    from pipelines.store.db import connect

    with connect(lake) as con:
        if not ledger.is_empty(con) or con.execute("SELECT count(*) FROM uploads").fetchall()[0][0]:
            raise BenchError(f"the lake {lake.shown()} holds uploads already: the bench needs a new, empty one")
    found: dict[str, Any] = {}
    for step in LAKE_STEPS:
        say(f"lake: {step} ...")
        found[step] = _child(step, work, lake, scale, runs)
        say(f"lake: {step}: {found[step]['wall_s']:.1f} s, peak {found[step]['peak_rss_mb'] or 0:.0f} MB")
        if step in CRITICAL and "error" in found[step]:
            raise BenchError(f"lake, step {step} failed: {found[step]['error']}")
    return found


# --- the table ----------------------------------------------------------------------------------------------


def _s(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _x(value: float | None, of: str) -> str:
    return "" if value is None else f"{value:.2f}x {of}"


def _met(value: bool | None) -> str:
    return {True: "met", False: "NOT MET", None: "n/a"}[value]


def table_rows(results: dict[str, Any]) -> tuple[list[tuple[Any, ...]], tuple[str, ...]]:
    """The rows of the printed table: figures, ratios, and the targets beside them."""
    steps, ratios = results["steps"], results["ratios"]
    by_step: dict[str, list[dict[str, Any]]] = {}
    for t in results["targets"]:
        by_step.setdefault(t["step"], []).append(t)

    def memory(step: str) -> tuple[str, str]:
        mb = steps.get(step, {}).get("peak_rss_mb")
        mem = next((t for t in by_step.get(step, []) if t["name"].endswith("peak memory")), None)
        return (f"{mb:.0f}" if mb else "", _met(mem["met"]) if mem else "")

    def timing(step: str) -> list[dict[str, Any]]:
        return [t for t in by_step.get(step, []) if not t["name"].endswith("peak memory")]

    rows: list[tuple[Any, ...]] = []
    lake = results.get("lake")

    def in_lake(step: str) -> str:
        """The same step on the lake: its median (or its time, for a load)."""
        figures = (lake or {}).get(step, {})
        return _s(_seconds(figures, "median_s") if "median_s" in figures else _seconds(figures))

    def add(label: str, step: str, median: float | None, worst: float | None, ratio: str = "",
            checks: list[dict[str, Any]] | None = None) -> None:  # fmt: skip
        mb, mem_met = memory(step)
        checks = checks or []
        first = checks[0] if checks else None
        rows.append((label, _s(median), _s(worst), *([in_lake(step)] if lake else []), ratio,
                     first["target"] if first else "", _met(first["met"]) if first else "", mb, mem_met))  # fmt: skip
        for extra in checks[1:]:
            if "kept" in extra["name"]:  # the same calls reading the reports kept
                figures = steps[step].get("kept") or {}
                in_the_lake = _s(_kept((lake or {}).get(step, {})))
                rows.append(("  read back from the reports kept", _s(_seconds(figures, "median_s")),
                             _s(_seconds(figures, "worst_s")), *([in_the_lake] if lake else []), "",
                             extra["target"], _met(extra["met"]), "", ""))  # fmt: skip
                continue
            ratio_text = _x(extra["value"], "pandas") if extra["name"] == "load / pandas" else ""
            rows.append(("", "", "", *([""] if lake else []), ratio_text, extra["target"], _met(extra["met"]), "",
                         ""))  # fmt: skip

    gen = steps["generate"]
    add("generate files" + (" (reused)" if gen.get("reused") else ""), "generate", _seconds(gen), None)
    add("load roster, teams, incidents, contests, jury", "load_small", _seconds(steps["load_small"]), None)
    load_s = _seconds(steps["load"])
    add("load posts + 2 engagement exports", "load", load_s, None, _x(ratios["load_vs_floor"], "read_csv"),
        timing("load"))  # fmt: skip
    add("  floor: DuckDB bare read_csv", "floor", _seconds(steps["floor"]), None)
    add("  pandas script (read, dedupe, group)", "pandas", _seconds(steps["pandas"]), None)
    add("incremental month (posts + engagement)", "incremental", _seconds(steps["incremental"]), None,
        _x(ratios["incremental_vs_floor"], "read_csv"), timing("incremental"))  # fmt: skip
    imp = steps["impact"]
    add("impact (organisation + teams)", "impact", _seconds(imp, "median_s"), _seconds(imp, "worst_s"), "",
        timing("impact"))  # fmt: skip
    rank = steps["rankings"]
    criteria = rank.get("criteria") or {}
    add("contests()", "rankings", _seconds(rank.get("calls", {}).get("contests", {}), "median_s"),
        _seconds(rank.get("calls", {}).get("contests", {}), "worst_s"))  # fmt: skip
    for criterion, figures in criteria.items():
        lake_rank = (lake or {}).get("rankings", {}).get("criteria", {}).get(criterion, {})
        rows.append((f"  ranking {criterion} by team (slowest contest)", _s(figures["median_s"]),
                     _s(figures["worst_s"]), *([_s(lake_rank.get("median_s"))] if lake else []), "", "", "", "",
                     ""))  # fmt: skip
    for page in PAGES:
        step = f"page_{page}"
        add(f"page {page.capitalize()}", step, _seconds(steps[step], "median_s"), _seconds(steps[step], "worst_s"),
            "", timing(step))  # fmt: skip
        script = steps[step].get("script") or {}
        in_the_lake = _s(_seconds((lake or {}).get(step, {}).get("script") or {}, "median_s"))
        rows.append(("  the whole page (its script), its reports cached", _s(_seconds(script, "median_s")),
                     _s(_seconds(script, "worst_s")), *([in_the_lake] if lake else []),
                     "", "", "", "", ""))  # fmt: skip
    prepared = steps.get("prepare", {})
    add("advocacy prepare: every page's opening reports", "prepare", _seconds(prepared, "median_s"),
        _seconds(prepared, "worst_s"))  # fmt: skip
    line = steps["command_line"]
    add("advocacy --help (process start included)", "command_line",
        _seconds(line.get("help", {}), "median_s"), _seconds(line.get("help", {}), "worst_s"), "",
        timing("command_line"))  # fmt: skip
    small = line.get("small_load", {})
    add(f"advocacy load: {small.get('rows', VERIFY_POSTS):,} posts (process start included)", "small_load",
        _seconds(small, "median_s"), _seconds(small, "worst_s"), "", timing("small_load"))  # fmt: skip
    add("interpreter + project imports (memory floor)", "baseline", None, None)
    header = ("step", "median s", "worst s", *(["lake median s"] if lake else []), "ratio", "target", "met",
              "peak MB", "<= 2 GB")  # fmt: skip
    return rows, header


def headline(results: dict[str, Any]) -> str:
    m = results["machine"]
    files = results.get("files") or {}
    rows = {role: f["rows"] for role, f in files.items()}
    size_mb = sum(f["bytes"] for f in files.values()) / 2**20
    scale = "the 1M-post targets" if results["posts"] <= MILLION else "the 10M-post targets"
    lines = [
        f"advocacy bench: {results['posts']:,} posts, {rows.get('employees', 0):,} employees, "
        f"{rows.get('engagement_old', 0) + rows.get('engagement_new', 0):,} engagement rows in 2 exports, "
        f"{rows.get('incidents', 0):,} incidents; incremental month {rows.get('month_posts', 0):,} posts + "
        f"{rows.get('month_engagement', 0):,} snapshots; {size_mb:,.0f} MB of CSV",
        f"machine: {m['cpu_count']} CPUs ({m['cpus_usable']} usable), {m['memory_gb']} GB, Python {m['python']}, "
        f"DuckDB {m['duckdb']} ({m['duckdb_threads']} threads), pandas {m['pandas']}",
        f"{results['runs']} runs per query step (median and worst, fresh read-only connection each, nothing cached, "
        "then as many reading the reports kept); "
        f"targets judged on the median; {scale} apply; total {results['total_s']:.0f} s",
    ]
    busy = {name: s["other_cpu_share"] for name, s in results["steps"].items() if "other_cpu_share" in s}
    if busy and max(busy.values()) > OTHER_WORK_NOTE:
        worst = max(busy, key=busy.__getitem__)
        lines.append(
            f"NOTE: other processes used up to {busy[worst]:.0%} of the CPUs during a step ({worst}): "
            "its seconds are inflated, ratios less so"
        )
    return "\n".join(lines)


def footer(results: dict[str, Any]) -> str:
    lines = [f"rows quarantined: {results['quarantined']}"]
    lines += [f"PROBLEM: {p}" for p in results["problems"]]
    missed = [t["name"] for t in results["targets"] if t["met"] is False]
    lines.append("targets not met: " + (", ".join(missed) if missed else "none"))
    return "\n".join(lines)


# --- one step, in a child process ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.synthetic.bench", description="Run one step of the bench."
    )
    parser.add_argument("--step", choices=list(STEP_FUNCTIONS), required=True)
    parser.add_argument("--work", required=True, help="the folder of the generated files")
    parser.add_argument("--db", required=True, help="the benchmark's database file")
    parser.add_argument("--posts", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--result", required=True, help="write the step's figures here, as JSON")
    args = parser.parse_args(argv)
    result = STEP_FUNCTIONS[args.step](Path(args.work), database(args.db), Scale(args.posts, args.seed), args.runs)
    result["own_peak_rss_mb"] = _own_peak_mb()
    Path(args.result).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
