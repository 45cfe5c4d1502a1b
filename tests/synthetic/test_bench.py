"""`advocacy bench`: end to end on a small programme through the command line, and the generator's files."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dashboard.queries import KEPT
from pipelines.cli import main
from pipelines.synthetic import bench

POSTS = 3000


def run(*args: str | Path) -> int:
    """Run the CLI in this process; the exit code, whether returned or raised by argparse."""
    try:
        return main([str(a) for a in args])
    except SystemExit as exit_:
        return int(exit_.code or 0)


def count(db: Path, table: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One bench run of 3000 posts, 1 run per query step, files and database kept."""
    tmp = tmp_path_factory.mktemp("bench")
    out, keep = tmp / "results.json", tmp / "work"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = run("bench", "--posts", POSTS, "--runs", 1, "--out", out, "--keep", keep)
    results = json.loads(out.read_text(encoding="utf-8"))
    return {"code": code, "json": results, "keep": keep, "printed": printed.getvalue()}


def test_the_bench_runs_and_exits_0(ran):
    assert ran["code"] == 0
    assert ran["json"]["ok"] is True
    assert ran["json"]["problems"] == []


def test_every_step_is_there_without_error_and_with_its_peak_memory(ran):
    steps = ran["json"]["steps"]
    assert list(steps) == list(bench.STEPS)
    for name, step in steps.items():
        assert "error" not in step, name
        assert step["peak_rss_mb"] > 0, name
        assert step["wall_s"] > 0, name


def test_the_small_check_before_timing_loaded_every_row(ran):
    verify = ran["json"]["steps"]["verify"]
    assert verify["ok"] is True and verify["problems"] == []
    assert verify["posts"] == bench.VERIFY_POSTS
    assert {f["role"] for f in verify["files"]} == {*bench.SMALL, *bench.MAIN, *bench.MONTH}
    for f in verify["files"]:
        assert f["quarantined"] == 0 and f["refused"] is None, f
        assert f["rows_read"] == f["loaded"] + f["updated"] + f["unchanged"] == f["rows"], f


def test_nothing_is_quarantined_and_every_row_read_is_stored(ran):
    results = ran["json"]
    assert results["quarantined"] == 0
    for step in ("load_small", "load", "incremental"):
        for f in results["steps"][step]["files"]:
            assert f["quarantined"] == 0 and f["refused"] is None, f
            assert f["rows_read"] == f["loaded"] + f["updated"] + f["unchanged"] == f["rows"] > 0, f
            assert f["kind"] == results["files"][f["role"]]["kind"]


def test_each_post_keeps_its_newest_snapshot(ran):
    db = ran["keep"] / "bench.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        by_day = dict(con.execute("SELECT as_of, count(*) FROM post_engagement GROUP BY ALL").fetchall())
    month = ran["json"]["files"]["month_posts"]["rows"]
    assert by_day == {bench.NEW_EXPORT: POSTS, bench.MONTH_EXPORT: month}


def test_the_database_holds_what_was_generated(ran):
    results, db = ran["json"], ran["keep"] / "bench.duckdb"
    files = results["files"]
    month = files["month_posts"]["rows"]
    assert results["steps"]["load"]["database"]["posts"] == POSTS
    assert results["steps"]["load"]["database"] == results["steps"]["generate"]["expected"]["after_load"]
    assert count(db, "posts") == POSTS + month
    assert count(db, "post_engagement") == POSTS + month
    assert count(db, "engagement_snapshots") == sum(
        files[r]["rows"] for r in ("engagement_old", "engagement_new", "month_engagement")
    )
    assert count(db, "employees") == files["employees"]["rows"] == POSTS // 40
    assert count(db, "incidents") == files["incidents"]["rows"] > 0
    assert count(db, "jury_scores") == files["jury_scores"]["rows"] > 0
    assert count(db, "quarantine") == 0


def test_the_ratios_are_computed(ran):
    ratios = ran["json"]["ratios"]
    assert set(ratios) == {"load_vs_floor", "load_vs_pandas", "incremental_vs_floor"}
    assert all(isinstance(v, float) and v > 0 for v in ratios.values()), ratios


def test_query_steps_have_a_median_and_a_worst_run(ran):
    steps = ran["json"]["steps"]
    for name in ("impact", "rankings", *(f"page_{p}" for p in bench.PAGES)):
        assert len(steps[name]["runs_s"]) == 1
        assert 0 < steps[name]["median_s"] <= steps[name]["worst_s"], name
    assert steps["impact"]["scopes_with_metrics"] >= 1
    assert set(steps["page_overview"]["calls"]) == {
        "connect",
        "overview",
        "filter_options",
        "data_version",
        "freshness",
    }
    # The steps whose reports are kept once computed are also timed reading them back, and they were kept.
    assert {name for name, step in steps.items() if "kept" in step} == {"impact", *(f"page_{p}" for p in KEPT)}
    assert all(0 < steps[name]["kept"]["median_s"] for name in ("impact", *(f"page_{p}" for p in KEPT)))
    assert list((ran["keep"] / "bench.duckdb.kept").glob("*.json"))
    # Each page's whole script (charts, tables and downloads made), first and then with Streamlit's caches full.
    for page in bench.PAGES:
        script = steps[f"page_{page}"]["script"]
        assert script["first_s"] > 0 and len(script["runs_s"]) == 1 and script["median_s"] > 0, page
    # Preparing every page's opening reports after a load: timed once per run, each from nothing kept.
    assert len(steps["prepare"]["runs_s"]) == 1 and steps["prepare"]["median_s"] > 0
    assert set(steps["rankings"]["criteria"]) == {"posts", "engagement_per_post", "best_written", "articles"}
    # Every contest ranks somebody on every criterion (best_written only where the jury scored).
    ranked = steps["rankings"]["ranked_rows"]
    assert all(n > 0 for key, n in ranked.items() if not key.endswith("best_written") or key[:2] in ("C1", "C2"))


def test_every_target_is_judged_and_the_machine_is_recorded(ran):
    results = ran["json"]
    names = {t["name"] for t in results["targets"]}
    assert {"load / bare read_csv", "load / pandas", "impact (median)", "incremental month"} <= names
    assert {f"{p} page (median)" for p in bench.PAGES} <= names
    assert {"impact, report kept (median)", *(f"{p} page, reports kept (median)" for p in KEPT)} <= names
    assert all(t["met"] in (True, False) for t in results["targets"])
    assert {"cpu_count", "python", "duckdb"} <= set(results["machine"])


def test_the_table_shows_the_figures_beside_the_targets(ran):
    printed = ran["printed"]
    assert "median s" in printed and "target" in printed and "peak MB" in printed
    for label in (
        "load posts + 2 engagement exports",
        "impact",
        "page Overview",
        "page Data",
        "incremental month",
        "read back from the reports kept",
        "advocacy prepare: every page's opening reports",
        "the whole page (its script), its reports cached",
    ):
        assert label in printed
    assert "rows quarantined: 0" in printed


def test_the_same_seed_writes_the_same_files(tmp_path):
    first = bench.generate(tmp_path / "a", bench.Scale(1000, seed=3))
    second = bench.generate(tmp_path / "b", bench.Scale(1000, seed=3))
    assert first == second
    for f in first["files"].values():
        assert (tmp_path / "a" / f["file"]).read_bytes() == (tmp_path / "b" / f["file"]).read_bytes()


def test_a_quarantined_row_is_reported_as_a_problem(tmp_path):
    manifest = bench.generate(tmp_path, bench.Scale(1000))
    with (tmp_path / "posts.csv").open("a", encoding="utf-8") as f:
        f.write("urn:li:activity:42424242,NOBODY,2024-05-01 10:00:00,LinkedIn,Post,Who wrote this\n")
    result = bench._load(tmp_path / "check.duckdb", tmp_path, manifest, (*bench.SMALL, "posts"))
    assert result["quarantined"] == 1
    assert any("posts.csv" in p and "1 quarantined" in p for p in result["problems"])


def test_the_bench_never_overwrites_an_existing_database(tmp_path, capsys):
    existing = tmp_path / "mine.duckdb"
    existing.write_bytes(b"precious")
    assert run("bench", "--posts", 1000, "--db", existing) == 2
    assert existing.read_bytes() == b"precious"
    assert "exists" in capsys.readouterr().err


def test_the_bench_refuses_too_few_posts(capsys):
    assert run("bench", "--posts", 10) == 2
    assert "--posts" in capsys.readouterr().err
