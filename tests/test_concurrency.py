"""Several real `advocacy` processes on one DuckDB file: writers take turns, readers wait, a long wait says busy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

ADVOCACY = Path(sys.executable).with_name("advocacy")
ENGAGEMENT_HEADER = "post_id,as_of,impressions,reactions,comments,shares,clicks"
ROSTER = "employee_id,full_name,email,team\nE1,Ann Lee,ann@x.com,Sales\nE2,Bob Ray,bob@x.com,Ops\n"
HOLD_FOR_WRITING = (
    "import duckdb, sys\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('holding', flush=True)\n"
    "sys.stdin.readline()\n"  # until the test closes our stdin
)


def engagement_csv(path: Path, rows: int, first_post: int) -> Path:
    """An engagement export of `rows` distinct posts, numbered from `first_post`."""
    lines = [ENGAGEMENT_HEADER]
    lines += [
        f"urn:li:activity:{first_post + i},2025-03-01,{i % 5000},{i % 70},{i % 9},{i % 4},{i % 30}"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start(*args: str | Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [ADVOCACY, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def advocacy(*args: str | Path, **env: str) -> tuple[int, str, str]:
    return finish(start(*args, **env))


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_two_loads_started_together_both_land_whole(tmp_path):
    db = tmp_path / "shared.duckdb"
    march = engagement_csv(tmp_path / "march.csv", 200_000, 7_000_000_000_000_000_000)
    april = engagement_csv(tmp_path / "april.csv", 200_000, 7_100_000_000_000_000_000)
    loads = [start("load", march, "--db", db, "--json"), start("load", april, "--db", db, "--json")]
    results = [finish(p) for p in loads]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    for (_, out, _), name in zip(results, ["march.csv", "april.csv"], strict=True):
        [result] = json.loads(out)
        assert (result["file"], result["rows_read"], result["loaded"], result["refused"]) == (
            name,
            200_000,
            200_000,
            None,
        )
    assert rows(db, "SELECT file_name, loaded FROM uploads ORDER BY file_name") == [
        ("april.csv", 200_000),
        ("march.csv", 200_000),
    ]
    assert rows(db, "SELECT upload_id, count(*) FROM engagement_snapshots GROUP BY 1 ORDER BY 1") == [
        (1, 200_000),
        (2, 200_000),
    ]
    assert rows(db, "SELECT count(*), count(DISTINCT post_id) FROM post_engagement") == [(400_000, 400_000)]


def test_readers_during_a_load_wait_and_then_see_it(tmp_path):
    db = tmp_path / "shared.duckdb"
    assert advocacy("uploads", "--db", db)[0] == 0  # the database exists, empty
    # Large enough that the load spans several readers even on a fast machine.
    big = engagement_csv(tmp_path / "big.csv", 1_000_000, 7_000_000_000_000_000_000)
    load = start("load", big, "--db", db)
    readers = []
    while load.poll() is None:  # readers for as long as the load runs, three at a time (two cores to share)
        if sum(reader.poll() is None for reader in readers) < 3:
            # Readers wait for the writer however slow the machine is (the default wait is 30 s, then "busy").
            readers.append(start("uploads", "--db", db, "--json", ADVOCACY_BUSY_TIMEOUT="180"))
        time.sleep(0.1)
    load_code, _, load_err = finish(load)
    seen = [finish(reader) for reader in readers]
    after = advocacy("uploads", "--db", db, "--json")
    assert load_code == 0, load_err
    assert len(seen) >= 3, "too few readers ran during the load"
    assert all(code == 0 for code, _, _ in seen), [err for code, _, err in seen if code]
    for _, out, _ in seen:  # an upload is seen whole or not at all
        assert [(u["file_name"], u["loaded"]) for u in json.loads(out)] in ([], [("big.csv", 1_000_000)])
    assert after[0] == 0
    assert [(u["upload_id"], u["file_name"], u["loaded"]) for u in json.loads(after[1])] == [
        (1, "big.csv", 1_000_000)
    ]


def hold(db: Path) -> subprocess.Popen[str]:
    """A process that keeps the database open for writing until its stdin is closed."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_FOR_WRITING, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def let_go(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(timeout=10) == 0


def test_a_load_gives_up_with_exit_3_when_the_database_stays_busy(tmp_path):
    db = tmp_path / "shared.duckdb"
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert advocacy("load", engagement_csv(tmp_path / "first.csv", 3, 7_000_000_000_000_000_000), "--db", db)[0] == 0
    holder = hold(db)
    try:
        began = time.monotonic()
        code, out, err = advocacy("load", roster, "--db", db, ADVOCACY_BUSY_TIMEOUT="1")
        waited = time.monotonic() - began
    finally:
        let_go(holder)
    assert code == 3
    assert "busy" in err and "Traceback" not in err
    assert 1 <= waited < 10
    assert rows(db, "SELECT file_name FROM uploads") == [("first.csv",)]
    assert rows(db, "SELECT count(*) FROM employee_versions") == [(0,)]


def test_a_reader_gives_up_with_exit_3_when_the_database_stays_busy(tmp_path):
    db = tmp_path / "shared.duckdb"
    assert advocacy("uploads", "--db", db)[0] == 0
    holder = hold(db)
    try:
        code, out, err = advocacy("uploads", "--db", db, "--json", ADVOCACY_BUSY_TIMEOUT="1")
    finally:
        let_go(holder)
    assert (code, out) == (3, "")
    assert "busy" in err and "Traceback" not in err


def test_a_load_waits_for_a_short_hold_and_then_lands(tmp_path):
    db = tmp_path / "shared.duckdb"
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert advocacy("uploads", "--db", db)[0] == 0
    holder = hold(db)
    load = start("load", roster, "--db", db, ADVOCACY_BUSY_TIMEOUT="20")
    time.sleep(1.5)
    still_waiting = load.poll() is None
    let_go(holder)
    code, _, err = finish(load)
    assert still_waiting
    assert code == 0, err
    assert rows(db, "SELECT employee_id FROM employees ORDER BY 1") == [("E1",), ("E2",)]
