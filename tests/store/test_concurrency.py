"""Several real `advocacy` processes on one DuckDB file: writers take turns, readers wait, a long wait says busy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
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


# --- several loads and dashboard readers at once ----------------------------------------------------------------

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
DASHBOARD_READER = """
import json, sys, time
from pathlib import Path
from streamlit.testing.v1 import AppTest
from dashboard.pages import path as page_path

app, stop = sys.argv[1], Path(sys.argv[2])
pages = ["overview", "teams", "contests", "data"]


def visit(page, after):
    began = time.monotonic()
    at = AppTest.from_file(app, default_timeout=180).run()
    at.switch_page(page_path(page)).run()
    files = [f for df in at.dataframe if "Rows read" in df.value.columns for f in df.value["File"]]  # the ledger
    print(json.dumps({"page": page, "seconds": time.monotonic() - began, "after": after, "files": files,
                      "exceptions": [str(e.value) for e in at.exception], "errors": [e.value for e in at.error]}),
          flush=True)


visits = 0
while not stop.exists():
    visit(pages[visits % len(pages)], False)
    visits += 1
for page in pages:
    visit(page, True)
"""
HOG = """
import os, sys, time
from pipelines.store.db import connect

db, hold, stop = sys.argv[1], float(sys.argv[2]), sys.argv[3]
reads = 0
while not os.path.exists(stop):
    with connect(db, read_only=True) as con:
        con.execute("SELECT count(*) FROM uploads").fetchall()
        time.sleep(hold)
    reads += 1
    if reads == 1:
        print("reading", flush=True)
print(reads, flush=True)
"""


def read_like_the_pages(db: Path, ours: set[str]) -> tuple[float, int]:
    """What the overview, contests and data pages read, in one read-only connection; each of our uploads whole."""
    from pipelines.analytics.contests import contests, ranking
    from pipelines.analytics.metrics import impact
    from pipelines.store.db import connect
    from pipelines.store.ledger import data_coverage, uploads

    began = time.monotonic()
    with connect(db, read_only=True) as con:
        listed = [u for u in uploads(con) if u["file_name"] in ours]
        for upload in listed:
            stored = con.execute(
                "SELECT count(*) FROM engagement_snapshots WHERE upload_id = ?", [upload["upload_id"]]
            ).fetchall()
            assert stored == [(upload["loaded"],)], "a reader saw part of an upload"
        data_coverage(con)
        impact(con)
        for contest in contests(con)[:1]:
            ranking(con, contest.contest_id, "posts")
    return time.monotonic() - began, len(listed)


def test_three_loads_and_dashboard_readers_at_once_lose_nothing(tmp_path, capsys):
    from pipelines.synthetic.demo import build_demo

    db = tmp_path / "shared.duckdb"
    build_demo(db)
    demo_files = [file for (file,) in rows(db, "SELECT file_name FROM uploads ORDER BY upload_id")]
    files = [engagement_csv(tmp_path / f"month{n}.csv", 150_000, 6_900_000_000_000_000_000 + n * 10**15)
             for n in range(3)]  # fmt: skip
    stop = tmp_path / "stop"
    dashboard = subprocess.Popen(
        [sys.executable, "-c", DASHBOARD_READER, str(APP), str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "ADVOCACY_DB": str(db)},
    )  # fmt: skip
    assert dashboard.stdout is not None
    first_visit = dashboard.stdout.readline()  # the dashboard process has imported everything and drawn a page
    assert first_visit, dashboard.communicate()[1]
    began = time.monotonic()
    loads = {file.name: start("load", file, "--db", db, "--json") for file in files}
    ended: dict[str, float] = {}

    def note_end(name: str, process: subprocess.Popen[str]) -> None:
        results[name] = finish(process)
        ended[name] = time.monotonic() - began

    results: dict[str, tuple[int, str, str]] = {}
    waiters = [threading.Thread(target=note_end, args=item) for item in loads.items()]
    for waiter in waiters:
        waiter.start()
    own_reads: list[float] = []
    while any(waiter.is_alive() for waiter in waiters):
        waited, _ = read_like_the_pages(db, set(loads))  # raises DatabaseBusy if a reader waited too long
        own_reads.append(waited)
    for waiter in waiters:
        waiter.join()
    stop.touch()
    visits_out, dashboard_err = dashboard.communicate(timeout=600)
    visits = [json.loads(line) for line in [first_visit, *visits_out.splitlines()]]

    landed, busy = [], []
    for name, (code, out, err) in results.items():
        if code == 0:
            [result] = json.loads(out)
            assert (result["file"], result["rows_read"], result["loaded"]) == (name, 150_000, 150_000)
            landed.append(name)
        else:
            assert (code, out) == (3, ""), err
            assert len(err.strip().splitlines()) == 1 and "busy" in err and "Traceback" not in err
            busy.append(name)
    assert dashboard.returncode == 0, dashboard_err
    assert [v for v in visits if v["exceptions"] or v["errors"]] == []
    final = [v for v in visits if v["after"] and v["page"] == "data"][0]
    assert set(final["files"]) == set(demo_files) | set(landed)
    ledger = rows(db, "SELECT file_name, loaded FROM uploads WHERE file_name LIKE 'month%' ORDER BY 1")
    assert ledger == [(name, 150_000) for name in sorted(landed)]
    assert rows(db, "SELECT count(*) FROM engagement_snapshots s JOIN uploads u USING (upload_id) "
                    "WHERE u.file_name LIKE 'month%'") == [(150_000 * len(landed),)]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM post_engagement WHERE post_id LIKE 'urn:li:activity:69%'") == [
        (150_000 * len(landed),)
    ]
    during = [v for v in visits if not v["after"]]
    with capsys.disabled():
        print(
            f"\n3 `advocacy load` processes (150,000 rows each) started together, with a dashboard process (AppTest) "
            f"and the test process reading: {len(landed)} loaded, {len(busy)} said busy; loads ended after "
            + ", ".join(f"{seconds:.1f} s" for seconds in sorted(ended.values()))
            + f"; {len(during)} dashboard pages drawn meanwhile (longest {max(v['seconds'] for v in during):.1f} s,"
            f" no error), {len(own_reads)} reads by the test process (longest wait {max(own_reads):.1f} s)",
            flush=True,
        )
    # Readers read while the loads ran: a page besides the one drawn before, and the test's own (whose number
    # depends on the machine: the dashboard also prepares its reports after each load it sees).
    assert len(during) >= 2 and len(own_reads) >= 1


def test_readers_that_never_stop_do_not_keep_a_load_out(tmp_path):
    """Two processes reading back to back always hold the file between them; the load still gets its turn."""
    db = tmp_path / "shared.duckdb"
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert advocacy("uploads", "--db", db)[0] == 0
    stop = tmp_path / "stop"
    hogs = [
        subprocess.Popen([sys.executable, "-c", HOG, str(db), "0.3", str(stop)], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for hog in hogs:
        assert hog.stdout is not None and hog.stdout.readline().strip() == "reading"
    began = time.monotonic()
    code, _, err = advocacy("load", roster, "--db", db, ADVOCACY_BUSY_TIMEOUT="10")
    took = time.monotonic() - began
    time.sleep(1)  # the readers go on after the load
    stop.touch()
    reads = [int(hog.communicate(timeout=60)[0]) for hog in hogs]
    assert code == 0, err
    assert took < 10, f"the load waited {took:.1f} s for readers"
    assert all(hog.returncode == 0 for hog in hogs) and min(reads) >= 3
    assert rows(db, "SELECT employee_id FROM employees ORDER BY 1") == [("E1",), ("E2",)]
