"""The same programme in a lake (DuckLake over a real PostgreSQL) as in a database file: the same reports and
rankings; two loads from two processes at once while a third reads; undo, reprocess, the upload's preview and
every page; a writer that keeps losing to another gives up as busy, having changed nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from pipelines.analytics.contests import CRITERIA
from pipelines.ingest.load import LoadOptions, load_paths
from pipelines.store.db import connect, migrations
from tests.conftest import FILES, PAGES, ROSTER, app
from tests.lake.conftest import create_lake

pytest.importorskip("duckdb_extension_ducklake", reason='the lake extra is not installed (pip install -e ".[lake]")')

ADVOCACY = Path(sys.executable).with_name("advocacy")
LATE = ("incidents.csv", "jury_scores.csv")  # the demo's files that two processes load at once


@dataclass(frozen=True)
class DemoLake:
    location: str
    data: Path
    files: dict[str, Path]


def run(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ADVOCACY, *map(str, args)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **env})  # fmt: skip


def start(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen([ADVOCACY, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def rows(db: str | Path, sql: str) -> list[tuple[Any, ...]]:
    with connect(db, read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="session")
def demo_lake(postgres: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoLake]:
    """The demo in a lake, but for its incidents and jury scores (the concurrent test loads them)."""
    from pipelines.synthetic.demo import write_demo_files

    folder = tmp_path_factory.mktemp("demo-lake")
    location = create_lake(postgres, "demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ADVOCACY_LAKE_DATA_PATH", f"{folder / 'data'}/")
        files = write_demo_files(folder / "files")
        for f in files:
            if f.path.name not in LATE:
                assert not load_paths(location, [f.path], f.options)[0].refused
    late = {f.path.name: f for f in files if f.path.name in LATE}
    # loaded by the command line as they are: their options say only who loads them
    assert all(replace(f.options, loaded_by=None) == LoadOptions() for f in late.values())
    yield DemoLake(location, folder / "data", {name: f.path for name, f in late.items()})


def test_two_loads_at_once_while_a_third_process_reads_then_the_reports_equal_a_files(
    demo_lake: DemoLake, demo_db: Path
) -> None:
    reader = start("impact", "--db", demo_lake.location, "--json")
    time.sleep(1)  # the reader is at work when the writers start
    loads = [start("load", "--db", demo_lake.location, path) for path in demo_lake.files.values()]
    reads_during_loads = 0
    while any(load.poll() is None for load in loads):
        if reader.poll() is not None:
            assert reader.returncode == 0, reader.stderr.read() if reader.stderr else ""
            json.loads(reader.stdout.read() if reader.stdout else "")
            reads_during_loads += 1
            reader = start("impact", "--db", demo_lake.location, "--json")
        time.sleep(0.05)
    for load in loads:
        out, err = load.communicate(timeout=60)
        assert load.returncode == 0, err
        assert "0 quarantined" in out
    reader.communicate(timeout=120)
    assert reader.returncode == 0
    # Nothing lost, nothing counted twice: each file is one upload, its rows all in.
    assert rows(demo_lake.location, "SELECT count(*), count(DISTINCT upload_id) FROM uploads") == [(29, 29)]
    for table in ("posts", "post_engagement", "incidents", "jury_scores", "employees", "contests"):
        sql = f"SELECT count(*) FROM {table}"
        assert rows(demo_lake.location, sql) == rows(demo_db, sql), table
    lake = run("impact", "--db", demo_lake.location, "--json")
    assert lake.returncode == 0, lake.stderr
    assert json.loads(lake.stdout) == json.loads(run("impact", "--db", demo_db, "--json").stdout)
    # Every process after the first reads the report kept beside the lake's data folder: the same to the byte.
    assert list(Path(f"{demo_lake.data}.kept").glob("*.json"))
    assert run("impact", "--db", demo_lake.location, "--json").stdout == lake.stdout
    contests = json.loads(run("contests", "--db", demo_db, "--json").stdout)
    assert contests
    for contest in contests:
        for criterion in CRITERIA:
            for by in ("employee", "team"):
                args = ("ranking", contest["contest_id"], "--criterion", criterion, "--by", by, "--json")
                in_lake = run(*args, "--db", demo_lake.location)
                assert in_lake.returncode == 0, in_lake.stderr
                assert json.loads(in_lake.stdout) == json.loads(run(*args, "--db", demo_db).stdout)
    print(f"\nreports read to the end while the two loads ran: {reads_during_loads}")


def test_every_page_draws_on_a_lake(demo_lake: DemoLake, monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> None:
    monkeypatch.setenv("ADVOCACY_DB", demo_lake.location)
    monkeypatch.delenv("ADVOCACY_COMMS_PASSWORD", raising=False)
    for page in PAGES:
        at = app(page)
        assert not at.exception
        assert not [e.value for e in at.error], page


def test_undo_and_reprocess_in_a_lake_do_what_they_do_in_a_file(
    new_lake: Callable[[str], str], tmp_path: Path
) -> None:
    lake, file = new_lake("undo"), tmp_path / "same.duckdb"
    tables = ("uploads", "employees", "posts", "post_engagement", "incidents", "quarantine")

    def same() -> None:
        for table in tables:
            columns = "* EXCLUDE (loaded_at, loaded_by, undone_at, undone_by)" if table == "uploads" else "*"
            sql = f"SELECT {columns} FROM {table} ORDER BY ALL"
            assert rows(lake, sql) == rows(file, sql), table

    for db in (lake, file):  # the posts before the roster: their authors wait in quarantine
        for name in ("teams_bom.csv", "posts_fr.csv", ROSTER, "engagement_fr_cp1252.csv", "incidents_note_row.csv"):
            done = run("load", "--db", db, FILES / name)
            assert done.returncode == 0, done.stderr
    same()
    assert rows(lake, "SELECT count(*) FROM posts") == [(0,)]
    for db in (lake, file):
        assert run("reprocess", "--db", db).returncode == 0
    same()
    assert rows(lake, "SELECT count(*) FROM posts WHERE employee_id IS NOT NULL")[0][0] > 0
    for db in (lake, file):
        assert run("undo", "--db", db, "3").returncode == 0  # the roster
    same()


def test_a_writer_that_keeps_losing_to_another_gives_up_as_busy_having_changed_nothing(
    new_lake: Callable[[str], str],
) -> None:
    lake = new_lake("busy")
    assert run("load", "--db", lake, FILES / ROSTER).returncode == 0
    before = rows(lake, "SELECT count(*) FROM uploads"), rows(lake, "SELECT * FROM employees ORDER BY ALL")
    # Another writer commits every few milliseconds: each attempt of the load conflicts with it.
    hammer = subprocess.Popen([sys.executable, "-c", HAMMER, lake], stdout=subprocess.PIPE, text=True)
    try:
        assert hammer.stdout is not None and hammer.stdout.readline().strip() == "writing"
        busy = run("load", "--db", lake, FILES / "posts_fr.csv", ADVOCACY_BUSY_TIMEOUT="3")
    finally:
        hammer.terminate()
        hammer.wait(timeout=30)
    assert busy.returncode == 3, busy.stdout + busy.stderr
    assert "busy" in busy.stderr and "changed nothing" in busy.stderr
    assert (rows(lake, "SELECT count(*) FROM uploads"), rows(lake, "SELECT * FROM employees ORDER BY ALL")) == before
    assert rows(lake, "SELECT count(*) FROM post_versions") == [(0,)]
    # Once the other writer has stopped, the same load goes through.
    assert run("load", "--db", lake, FILES / "posts_fr.csv").returncode == 0


HAMMER = """
import sys
from pipelines.store.db import connect, transaction, retry_conflicts
with connect(sys.argv[1]) as con:
    print("writing", flush=True)
    while True:
        def once():
            with transaction(con):
                pass
        retry_conflicts(once)
"""


def test_a_new_lake_opened_by_two_processes_at_once_is_made_once(new_lake: Callable[[str], str]) -> None:
    lake = new_lake("twice")
    both = [start("uploads", "--db", lake, "--json") for _ in range(2)]
    for process in both:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert json.loads(out) == []
    assert rows(lake, "SELECT count(*) FROM schema_version") == [(len(migrations()),)]


def test_the_upload_preview_on_a_lake_changes_nothing(
    new_lake: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard import data

    """Previewed in the lake itself, in a transaction rolled back: the Parquet files it wrote go with it."""
    lake = new_lake("preview")
    assert run("load", "--db", lake, FILES / ROSTER).returncode == 0
    monkeypatch.setenv("ADVOCACY_DB", lake)
    before = rows(lake, "SELECT n FROM writes")
    folder = Path(os.environ["ADVOCACY_LAKE_DATA_PATH"])
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    nobody = "post_id,author,published_at,title\nurn:li:activity:7100000000000000002,Zoé Inconnue 🦄,2025-03-04,b\n"
    uploads = [(name, (FILES / name).read_bytes()) for name in (ROSTER, "posts_fr.csv")]
    results, quarantined = data.preview([*uploads, ("nobody.csv", nobody.encode())], None)
    assert [r.kind for r in results] == ["employees", "posts", "posts"] and results[0].already_loaded
    assert results[1].loaded > 0 and results[2].quarantined == 1
    assert rows(lake, "SELECT n FROM writes") == before
    assert rows(lake, "SELECT count(*) FROM posts") == [(0,)]
    assert len(quarantined) == sum(r.quarantined for r in results)
    assert sorted(path for path in folder.rglob("*") if path.is_file()) == files  # (folders made for them stay)


def test_a_reader_sees_one_snapshot_while_a_load_commits(new_lake: Callable[[str], str]) -> None:
    """A page's queries agree with each other: a load that commits between two of them changes neither."""
    lake = new_lake("snapshot")
    assert run("load", "--db", lake, FILES / ROSTER).returncode == 0
    with connect(lake, read_only=True) as con:
        before = con.execute("SELECT count(*) FROM uploads").fetchall()
        assert run("load", "--db", lake, FILES / "teams_bom.csv").returncode == 0  # another process commits
        assert con.execute("SELECT count(*) FROM uploads").fetchall() == before
        assert con.execute("SELECT count(*) FROM teams").fetchall() == [(0,)]
    assert rows(lake, "SELECT count(*) FROM uploads") == [(before[0][0] + 1,)]
