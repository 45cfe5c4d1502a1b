"""The database queries behind the pages, without Streamlit: data.py caches them, and the bench times the ones
each page runs when it opens (ON_OPEN), so both read one list. The reports that take seconds to compute (the
impact report, the Trends page's frames, the Data page's coverage) are kept once computed for every process
(pipelines/store/kept.py); `prepare` computes those the pages open on, after a change, before anyone asks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines.analytics import trends as month_by_month
from pipelines.analytics.contests import CRITERIA, Ranking, contests, ranking
from pipelines.analytics.scopes import OVERVIEW, PROGRAMME, TEAMS, ImpactRequest
from pipelines.config import Database
from pipelines.store import ledger
from pipelines.store.db import connect
from pipelines.store.kept import folder_of, kept

Query = Callable[[duckdb.DuckDBPyConnection], Any]


def options(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The filters' choices: the teams with their roster sizes (the pages apply the privacy rule), the networks,
    the formats."""
    return ledger.filter_options(con)


def report(con: duckdb.DuckDBPyConnection, request: ImpactRequest | None = None) -> dict[str, Any]:
    """The impact report, organisation-wide and per team, with the request's filters (and its `detail`); kept
    once computed for this state of the data (pipelines/store/kept.py); `advocacy impact` reads it here too."""
    request = request or ImpactRequest()

    def computed() -> dict[str, Any]:
        from pipelines.analytics.metrics import impact  # the statistics load (a second) only when not kept

        return impact(con, request)

    return kept(con, "impact", request, computed)


def report_and_weekly(con: duckdb.DuckDBPyConnection,
                      request: ImpactRequest) -> tuple[dict[str, Any], pd.DataFrame]:  # fmt: skip
    """The impact report and its posts and incidents per week (the Overview, the PDF report), kept likewise."""

    def computed() -> dict[str, Any]:
        from pipelines.analytics.metrics import impact_and_timeline

        report, weekly = impact_and_timeline(con, request)
        return {"report": report, "weekly": weekly}

    found = kept(con, "impact_and_timeline", request, computed)
    return found["report"], found["weekly"]


def shown_on(detail: str) -> Query:
    """The impact report as a page asks for it when it opens: only what it shows (`ImpactRequest.detail`)."""
    return lambda con: report(con, ImpactRequest(detail=detail))


def coverage(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the Data page shows first: each source's days, the engagement figures by source, teams without a
    charter date, posts without engagement yet; kept once computed (a count of distinct posts per source)."""
    return kept(con, "data_coverage", None, lambda: ledger.data_coverage(con))


def freshness(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """How fresh the figures are (the Overview's last line): kept once computed (it counts the posts without
    engagement, 0.3 s at 1M posts)."""
    return kept(con, "freshness", None, lambda: ledger.freshness(con))


def overview(con: duckdb.DuckDBPyConnection,
             request: ImpactRequest | None = None) -> tuple[dict[str, Any], pd.DataFrame]:  # fmt: skip
    """The Overview's impact report (what it shows) and its posts and incidents per week, organisation-wide, with
    the request's filters."""
    return report_and_weekly(con, replace(request or ImpactRequest(), detail=OVERVIEW))


def trends(con: duckdb.DuckDBPyConnection, request: ImpactRequest | None = None) -> dict[str, pd.DataFrame]:
    """The Trends page's data: per scope and month the funnel and engagement, the breakdowns by network and by
    format, and the best posts by engagements and by impressions, with the request's filters."""
    request = request or ImpactRequest()
    return kept(con, "trends", request, lambda: {  # kept once computed, as the reports
        "monthly": month_by_month.monthly(con, request),
        "network": month_by_month.by_dimension(con, request, "network"),
        "format": month_by_month.by_dimension(con, request, "format"),
        "top_engagements": month_by_month.top_posts(con, request, by="engagements"),
        "top_impressions": month_by_month.top_posts(con, request, by="impressions"),
    })  # fmt: skip


# A table on screen shows its first ROWS_SHOWN rows, its download every row: the Data page took 35 s to send a
# million quarantined rows at each click, and a ranking of 39,000 people took 3 s to write in the page's number
# format (pandas' Styler, which also refuses a table of more than 262,144 cells).
ROWS_SHOWN = 1_000


def quarantine(con: duckdb.DuckDBPyConnection) -> tuple[list[dict[str, Any]], int]:
    """What the Data page shows of the quarantine: its first ROWS_SHOWN rows, and how many rows wait in all."""
    return ledger.quarantined(con, limit=ROWS_SHOWN), ledger.quarantine_size(con)


def opening_ranking(con: duckdb.DuckDBPyConnection) -> Ranking | None:
    """The ranking the Contests page opens on: the first contest, the first criterion, by person."""
    found = contests(con)
    return ranking(con, found[0].contest_id, next(iter(CRITERIA)), "employee") if found else None


# Per page (dashboard/pages.py's names), the queries it runs when it opens without filters, in their order; the
# pages not here (Method, Upload) read nothing from the database until asked to.
ON_OPEN: dict[str, dict[str, Query]] = {
    "overview": {"data_version": ledger.data_version, "filter_options": options, "overview": overview,
                 "freshness": freshness},
    "trends": {"data_version": ledger.data_version, "filter_options": options, "trends": trends},
    "teams": {"data_version": ledger.data_version, "filter_options": options, "impact": shown_on(TEAMS)},
    "contests": {"data_version": ledger.data_version, "contests": contests, "filter_options": options,
                 "ranking": opening_ranking},
    "programme": {"data_version": ledger.data_version, "filter_options": options, "impact": shown_on(PROGRAMME)},
    "data": {"data_coverage": coverage, "uploads": ledger.uploads, "quarantined": quarantine},
}  # fmt: skip
KEPT = ("overview", "teams", "programme", "trends", "data")  # the pages whose figures are kept once computed


def prepare(location: Database, go_on: Callable[[], bool] = lambda: True) -> dict[str, float]:
    """Compute and keep the reports each page of KEPT opens on, the Overview first, so that the first view after a
    change reads them back (`advocacy prepare`; the dashboard runs it after each of its own changes). Seconds per
    page; nothing where the database keeps no reports (a lake on object storage) or is gone. `go_on` is asked
    before each page: the dashboard stops there when its process is ending."""
    if isinstance(location, Path) and not location.exists():
        return {}
    took: dict[str, float] = {}
    for page in KEPT:
        if not go_on():
            return took
        # A connection per page: a writer of this process (an upload) waits for one page's reports at most.
        with connect(location, read_only=True) as con:
            if folder_of(con) is None:
                return took
            start = time.perf_counter()
            for query in ON_OPEN[page].values():
                query(con)
            took[page] = time.perf_counter() - start
    return took
