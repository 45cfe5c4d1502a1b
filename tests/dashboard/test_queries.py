"""The queries each page runs when it opens (what the bench times) run on the demo and give what the page shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.queries import ON_OPEN, opening_ranking, report
from pipelines.analytics.downloads import ranking_table
from pipelines.store.db import connect
from tests.conftest import app

pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.mark.parametrize("page", list(ON_OPEN))
def test_every_query_of_a_page_runs_on_the_demo(demo_db: Path, page: str) -> None:
    with connect(demo_db, read_only=True) as con:
        for name, query in ON_OPEN[page].items():
            assert query(con) is not None, name


def test_the_contests_page_opens_on_the_ranking_the_bench_times(demo: Path) -> None:
    with connect(demo, read_only=True) as con:
        ranked = opening_ranking(con)
    assert ranked is not None and ranked.rows
    shown = app("contests").dataframe[0].value
    assert list(shown.columns) == list(ranking_table(ranked).frame.columns)  # the shown table, human headers
    assert shown["Name"].tolist() == [row["name"] for row in ranked.rows]


def test_the_overview_page_shows_the_report_the_bench_times(demo: Path) -> None:
    with connect(demo, read_only=True) as con:
        posts = report(con)["scopes"][0]["metrics"]["posts_per_week"]
    assert app("overview").metric[0].value == f"{posts['before']:.1f} → {posts['after']:.1f}"


def test_the_freshness_read_back_is_the_one_computed(demo: Path) -> None:
    """The Overview's last line is kept once computed (a date among its figures): read back, it is the same."""
    from dashboard.queries import freshness
    from pipelines.store.ledger import freshness as computed
    from tests.conftest import written

    with connect(demo, read_only=True) as con:
        first, before = freshness(con), written(demo)
        again = freshness(con)
        assert written(demo) == before and len(before) == 1  # kept once, then read back
        assert first == again == computed(con) and first["data_up_to"] is not None
