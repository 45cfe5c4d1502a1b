"""Reports kept once computed (pipelines/store/kept.py): a kept report is the one the code would compute now, for
the data as it is now, whatever happened to the data, the folder or the settings in between."""

from __future__ import annotations

import math
import os
import shutil
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dashboard import queries
from pipelines.analytics.metrics import impact, impact_and_timeline
from pipelines.analytics.scopes import OVERVIEW, PROGRAMME, TEAMS, ImpactRequest
from pipelines.ingest.undo import undo
from pipelines.store.db import connect
from pipelines.store.kept import SUFFIX, folder_of
from tests.conftest import written

REQUESTS = [
    ImpactRequest(),
    ImpactRequest(detail=TEAMS),
    ImpactRequest(detail=PROGRAMME),
    ImpactRequest(team_filter=("Sales",), networks=("linkedin",)),
    ImpactRequest(period=(date(2025, 3, 1), date(2026, 3, 1))),
]


def same(a: Any, b: Any) -> bool:
    """Equal values of the same types all the way down (a NaN equal to a NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def computed(db: Path, request: ImpactRequest) -> dict[str, Any]:
    with connect(db, read_only=True) as con:
        return impact(con, request)


def read(db: Path, request: ImpactRequest) -> dict[str, Any]:
    """The report as the dashboard and `advocacy impact` read it: kept, or computed and kept."""
    with connect(db, read_only=True) as con:
        return queries.report(con, request)


def reports_kept(db: Path) -> list[str]:
    return sorted(p.name for p in Path(f"{db}{SUFFIX}").glob("*.json"))


@pytest.mark.parametrize("request_", REQUESTS, ids=["default", "teams", "programme", "filtered", "period"])
def test_a_kept_report_is_the_computed_one_value_for_value_and_type_for_type(demo: Path, request_: Any) -> None:
    fresh = computed(demo, request_)
    assert same(read(demo, request_), fresh)  # computed, and kept
    assert len(reports_kept(demo)) == 1
    assert same(read(demo, request_), fresh)  # read back


def test_the_overviews_weekly_frame_comes_back_with_its_types(demo: Path) -> None:
    request = replace(ImpactRequest(team_filter=("Sales",)), detail=OVERVIEW)
    with connect(demo, read_only=True) as con:
        report, weekly = impact_and_timeline(con, request)
        queries.report_and_weekly(con, request)
        kept_report, kept_weekly = queries.report_and_weekly(con, request)
    assert reports_kept(demo) and same(kept_report, report)
    assert weekly["posts_without_charter"].isna().any()  # a NaN to carry
    pd.testing.assert_frame_equal(kept_weekly, weekly, check_exact=True)


def test_each_write_makes_the_next_reader_compute_the_new_figures(demo: Path) -> None:
    before = read(demo, ImpactRequest())
    undo(demo, 27)  # the incidents
    after = read(demo, ImpactRequest())
    assert same(after, computed(demo, ImpactRequest())) and not same(after, before)
    assert len(reports_kept(demo)) == 1  # the old state's report is gone


def test_a_copy_that_went_its_own_way_is_never_read_as_the_original(demo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other" / demo.name
    other.parent.mkdir()
    shutil.copyfile(demo, other)
    undo(demo, 27)  # the incidents: one write each, so both count the same writes
    undo(other, 26)  # the last engagement export
    read(demo, ImpactRequest())
    shutil.copyfile(other, demo)  # put back from elsewhere: the same path, the same count, other data
    assert same(read(demo, ImpactRequest()), computed(other, ImpactRequest()))


def test_a_setting_that_changes_a_figure_is_part_of_what_is_kept(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = read(demo, ImpactRequest())
    monkeypatch.setenv("ADVOCACY_CPM", "90")  # what 1,000 impressions are worth: the media value
    after = read(demo, ImpactRequest())
    assert same(after, computed(demo, ImpactRequest())) and not same(after, before)


def test_a_damaged_report_or_a_folder_that_cannot_be_made_only_means_computing(demo: Path, tmp_path: Path) -> None:
    fresh = computed(demo, ImpactRequest())
    read(demo, ImpactRequest())
    (name,) = reports_kept(demo)
    path = Path(f"{demo}{SUFFIX}") / name
    path.write_text(path.read_text()[:1000])  # cut short
    assert same(read(demo, ImpactRequest()), fresh)
    assert same(read(demo, ImpactRequest()), fresh)  # kept whole again

    blocked = tmp_path / "blocked" / demo.name
    blocked.parent.mkdir()
    shutil.copyfile(demo, blocked)
    Path(f"{blocked}{SUFFIX}").write_text("a file where the folder would go")
    assert same(read(blocked, ImpactRequest()), fresh)


def test_a_database_in_memory_keeps_nothing(tmp_path: Path) -> None:
    import duckdb

    with duckdb.connect() as con:
        assert folder_of(con) is None


def test_the_trends_frames_come_back_with_their_types(demo: Path) -> None:
    request = ImpactRequest(networks=("linkedin",))
    with connect(demo, read_only=True) as con:
        queries.trends(con, request)  # computed and kept
        kept_frames = queries.trends(con, request)
    shutil.rmtree(f"{demo}{SUFFIX}")
    with connect(demo, read_only=True) as con:
        frames = queries.trends(con, request)
    assert list(kept_frames) == list(frames) and all(len(f) for f in frames.values())
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(kept_frames[name], frame, check_exact=True, obj=name)


def test_the_folder_keeps_at_most_its_share_of_reports_and_no_half_written_leftovers(demo: Path) -> None:
    from pipelines.store.kept import _KEEP_AT_MOST, kept

    folder = Path(f"{demo}{SUFFIX}")
    folder.mkdir()
    stale, writing = folder / ".writing-stale.json", folder / ".writing-now.json"
    for path in (stale, writing):
        path.write_text("{")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))  # a process stopped half-way, two hours ago
    with connect(demo, read_only=True) as con:
        for n in range(_KEEP_AT_MOST + 6):
            assert kept(con, "figure", n, lambda n=n: {"n": n}) == {"n": n}
        assert kept(con, "figure", _KEEP_AT_MOST + 5, lambda: {"n": "computed again"}) == {"n": _KEEP_AT_MOST + 5}
    assert len(reports_kept(demo)) == _KEEP_AT_MOST + 1  # with the one being written now
    assert writing.exists() and not stale.exists()


def test_the_data_pages_coverage_is_kept_as_computed(demo: Path) -> None:
    from pipelines.store.ledger import data_coverage

    with connect(demo, read_only=True) as con:
        fresh = data_coverage(con)
        queries.coverage(con)
        assert reports_kept(demo) and same(queries.coverage(con), fresh)


def opened(db: Path, pages: tuple[str, ...] = queries.KEPT) -> None:
    """Every query each page runs when it opens, as the dashboard runs them."""
    for page in pages:
        with connect(db, read_only=True) as con:
            for query in queries.ON_OPEN[page].values():
                query(con)


def test_prepared_reports_are_the_very_ones_every_page_opens_on(demo: Path) -> None:
    assert not written(demo)
    took = queries.prepare(demo)
    assert list(took) == list(queries.KEPT) and took["overview"] > 0
    prepared = written(demo)
    time.sleep(0.01)  # a report written again would have a later time
    opened(demo)
    assert written(demo) == prepared  # every page read what was prepared: nothing computed, nothing new kept


def test_a_page_left_out_of_the_preparation_would_compute_its_report(demo: Path) -> None:
    """The check above can fail: a page whose reports were not prepared keeps new ones when it opens."""
    queries.prepare(demo)
    prepared = written(demo)
    undo(demo, 27)  # a new state of the data: nothing prepared for it
    opened(demo, ("teams",))
    assert set(written(demo)).isdisjoint(prepared) and written(demo)


def test_preparing_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "missing.duckdb"
    assert queries.prepare(missing) == {}
    assert list(tmp_path.iterdir()) == []


def test_two_threads_asking_for_one_report_compute_it_once(demo: Path) -> None:
    """The dashboard's preparation and a visitor's page ask for the same report at once: one computes it, the other
    waits and reads it back."""
    from pipelines.store.kept import kept

    computed: list[int] = []
    results: list[object] = []

    def compute() -> dict[str, int]:
        computed.append(1)
        time.sleep(0.5)  # long enough for the other thread to ask meanwhile
        return {"figure": 42}

    def ask() -> None:
        with connect(demo, read_only=True) as con:
            results.append(kept(con, "a_test_report", None, compute))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [{"figure": 42}, {"figure": 42}]
    assert len(computed) == 1
