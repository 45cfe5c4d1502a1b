"""Crashes and a hostile machine: a load killed again and again, a full disk, a read-only data folder.

Each time the database must be as it was before the load or hold the whole upload, never a part of it, and the
next command must open it without any repair by hand. The figures (kill points, outcomes, durations) are printed
for the README's "Reliability and security" section.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from pipelines.store.db import connect
from tests.conftest import FILES, ROSTER, load
from tests.ingest.test_load import fingerprint
from tests.store.test_concurrency import ADVOCACY, advocacy, finish

SEED = 20251125
KILLS = 12
POSTS = 300_000  # about 30 MB: long enough to be killed while reading, storing, committing and checkpointing
AUTHORS = ["E001", "zoe.lefevre@acme.fr", "Ana García", "E003", "E005", "E999"]  # E999: quarantined, unknown
EXPORT_DATE = "2026-01-01"

State = dict[str, Any]


def state(db: Path) -> State:
    """`fingerprint` (row count and content hash of every table), the upload's time of loading left out."""
    found: State = fingerprint(db)
    with connect(db, read_only=True) as con:
        found["uploads"] = con.execute(
            "SELECT count(*), sum(hash(u::VARCHAR)) FROM (SELECT * EXCLUDE (loaded_at) FROM uploads) AS u"
        ).fetchall()[0]
    return found


def posts_csv(path: Path, rows: int) -> Path:
    """A posts export with engagement counts: every sixth author is unknown, so the upload has a quarantine too."""
    with path.open("w", encoding="utf-8") as f:
        f.write("post_id,author,published_at,title,impressions,reactions,comments,shares,clicks,as_of\n")
        f.writelines(
            f"urn:li:activity:{7_200_000_000_000_000_000 + i},{AUTHORS[i % 6]},2025-{1 + i % 12:02d}-"
            f"{1 + i % 28:02d} 09:{i % 60:02d},Post {i},{i % 5000},{i % 70},{i % 9},{i % 4},{i % 30},2025-12-31\n"
            for i in range(rows)
        )
    return path


def load_command(posts: Path, db: Path) -> list[str]:
    return [str(ADVOCACY), "load", str(posts), "--db", str(db), "--export-date", EXPORT_DATE, "--by", "crash-test"]


def restore(base: Path, db: Path) -> None:
    """Put the database back as it was before the load (and no write-ahead log)."""
    db.with_name(db.name + ".wal").unlink(missing_ok=True)
    shutil.copyfile(base, db)


def wal_size(db: Path) -> int:
    wal = db.with_name(db.name + ".wal")
    return wal.stat().st_size if wal.exists() else 0


def one_line(err: str) -> bool:
    return len(err.strip().splitlines()) == 1 and "Traceback" not in err


def report(capsys: pytest.CaptureFixture[str], *lines: str) -> None:
    with capsys.disabled():
        print("", *lines, sep="\n", flush=True)


class Reference:
    """The database before the load, and after the same load run without a crash (how long it took, its size)."""

    def __init__(self, folder: Path) -> None:
        self.base = folder / "before.duckdb"
        load(self.base, ROSTER, "teams_bom.csv")
        self.posts = posts_csv(folder / "posts.csv", POSTS)
        self.before = state(self.base)
        # Twice, on two copies: the shorter time sets the kill points, and the two results must be equal.
        self.seconds, wholes = float("inf"), []
        for run in (1, 2):
            uncrashed = folder / f"uncrashed{run}.duckdb"
            shutil.copyfile(self.base, uncrashed)
            began = time.monotonic()
            done = subprocess.run(load_command(self.posts, uncrashed), capture_output=True, text=True, timeout=600)
            self.seconds = min(self.seconds, time.monotonic() - began)
            assert done.returncode == 0, done.stderr
            wholes.append(state(uncrashed))
        self.whole = wholes[0]
        assert wholes[1] == self.whole != self.before
        self.growth = uncrashed.stat().st_size + wal_size(uncrashed) - self.base.stat().st_size

    def outcome(self, db: Path) -> str:
        found = state(db)
        assert found in (self.before, self.whole), "the database holds part of the upload"
        return "as before" if found == self.before else "whole"

    def uploads(self, db: Path) -> list[str]:
        """The files listed by a plain `advocacy uploads`, which must work with no repair by hand."""
        code, out, err = advocacy("uploads", "--db", db, "--json")
        assert code == 0, err
        return [u["file_name"] for u in json.loads(out)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    return Reference(tmp_path_factory.mktemp("crash"))


def test_a_load_killed_again_and_again_leaves_the_database_as_before_or_whole(
    reference: Reference, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "killed.duckdb"
    restore(reference.base, db)
    rng = random.Random(SEED)
    # A kill at a random point of each eighth of the uncrashed load's duration (start-up, reading, checking,
    # storing), then one in each sixteenth of its last quarter, where the commit and the checkpoint happen.
    seconds = reference.seconds
    delays = [seconds * (i + rng.random()) / 8 for i in range(8)]
    delays += [seconds * (0.75 + 0.25 * (i + rng.random()) / 4) for i in range(KILLS - 8)]
    lines, interrupted, whole = [], 0, 0
    began = time.monotonic()
    for number, delay in enumerate(delays, 1):
        process = subprocess.Popen(load_command(reference.posts, db), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            code = process.wait(timeout=delay)  # done before its kill: that load was not interrupted
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            code = process.wait()
        interrupted += code == -signal.SIGKILL
        wal = wal_size(db)
        files = reference.uploads(db)
        outcome = reference.outcome(db)
        assert sorted(files) == sorted([ROSTER, "teams_bom.csv"] + (["posts.csv"] if outcome == "whole" else []))
        assert code in (-signal.SIGKILL, 0) and (code != 0 or outcome == "whole")
        lines.append(
            f"  kill {number:2}: at {delay:5.2f} s ({delay / seconds:4.0%} of the load), "
            f"{'killed' if code else 'already done'}, write-ahead log {wal / 1e6:4.1f} MB, "
            f"database {db.stat().st_size / 1e6:4.1f} MB -> {outcome}"
        )
        if outcome == "whole":
            whole += 1
            restore(reference.base, db)
    code, out, err = finish(subprocess.Popen(load_command(reference.posts, db), stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE, text=True))  # fmt: skip
    assert code == 0, err
    assert f"{POSTS} rows read" in out
    assert reference.outcome(db) == "whole"
    report(
        capsys,
        f"kill -9 of `advocacy load` ({POSTS:,} posts, {reference.posts.stat().st_size / 1e6:.0f} MB; uncrashed "
        f"load {reference.seconds:.1f} s; seed {SEED}): {KILLS} kills, {interrupted} while loading, "
        f"{KILLS - whole} left it as before, {whole} whole, 0 partial; then the same load completed "
        f"({time.monotonic() - began:.0f} s in all)",
        *lines,
    )
    assert interrupted >= KILLS // 2


# --- a full disk ----------------------------------------------------------------------------------------------


def file_size_limit(limit: int) -> Callable[[], None]:
    """In the child: files may not grow past `limit` bytes, and a write past it fails (EFBIG) instead of killing."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_says_so_in_one_line_and_changes_nothing(
    reference: Reference, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "full.duckdb"
    lines, refused = [], 0
    # Room for a part of what the load writes: none of it, a quarter, ..., more than all of it.
    for share in (0.0, 0.25, 0.5, 0.75, 0.9, 1.5):
        restore(reference.base, db)
        room = int(reference.growth * share)
        done = subprocess.run(load_command(reference.posts, db), capture_output=True, text=True, timeout=600,
                              preexec_fn=file_size_limit(db.stat().st_size + room))  # fmt: skip
        files = reference.uploads(db)  # the next start opens it as it is
        outcome = reference.outcome(db)
        if done.returncode == 3:
            refused += 1
            assert one_line(done.stderr) and "disk full" in done.stderr and str(db.name) in done.stderr
            assert done.stdout == "" and outcome == "as before" and "posts.csv" not in files
        else:
            assert done.returncode == 0, done.stderr
            assert outcome == "whole" and "posts.csv" in files
        lines.append(f"  room for {share:4.0%} of the load's {reference.growth / 1e6:.0f} MB: exit "
                     f"{done.returncode} -> {outcome}  {done.stderr.strip()}")  # fmt: skip
    restore(reference.base, db)
    code, _, err = finish(subprocess.Popen(load_command(reference.posts, db), stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True))  # fmt: skip
    assert code == 0, err
    assert reference.outcome(db) == "whole"
    report(capsys, "a full disk (a file size limit on the load process, writes fail with EFBIG):", *lines)
    assert refused >= 3


# --- a real tmpfs, a real read-only mount: in a private mount namespace where the machine allows one -----------

UNSHARE = ["unshare", "--mount", "--propagation", "private"]
RUN_ALL = """
import json, subprocess, sys
results = []
for argv in json.loads(sys.argv[1]):
    done = subprocess.run(argv, capture_output=True, text=True)
    results.append([done.returncode, done.stdout, done.stderr])
print(json.dumps(results))
"""
DASHBOARD_UPLOAD = """
import json, sys
from pathlib import Path
from streamlit.testing.v1 import AppTest
from dashboard.pages import path as page_path

app, upload = sys.argv[1], Path(sys.argv[2])
seen = {}
at = AppTest.from_file(app, default_timeout=120).run()
for page in ("overview", "data", "upload"):
    at.switch_page(page_path(page)).run()
    seen[page] = [str(e.value) for e in at.exception] + [e.value for e in at.error]
at.get("file_uploader")[0].set_value([(upload.name, upload.read_bytes(), "text/csv")]).run()
at.button(key="confirm").click().run()
seen["confirm"] = [str(e.value) for e in at.exception] + [e.value for e in at.error]
seen["exceptions"] = len(at.exception)
print(json.dumps(seen))
"""
APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


@cache
def private_mounts() -> list[str] | None:
    """How to run a command with mounts of its own (root, or a user namespace), or None where that is refused."""
    if shutil.which("unshare") is None:
        return None
    for command in (UNSHARE, ["unshare", "--user", "--map-root-user", *UNSHARE[1:]]):
        if os.geteuid() == 0 and "--user" in command:
            continue
        with tempfile.TemporaryDirectory() as where:
            probe = subprocess.run([*command, "sh", "-c", f"mount -t tmpfs -o size=1m tmpfs {where}"],
                                   capture_output=True)  # fmt: skip
        if probe.returncode == 0:
            return command
    return None


def with_mounts(mounts: str, commands: list[list[str]]) -> list[tuple[int, str, str]]:
    """Mount (shell commands) in a private namespace, run each command there, return their results."""
    command = private_mounts()
    if command is None:
        pytest.skip("this machine does not allow a private mount namespace (unshare)")
    run_all = shlex.join([sys.executable, "-c", RUN_ALL, json.dumps(commands)])
    script = f"{mounts} && exec {run_all}"
    done = subprocess.run([*command, "sh", "-c", script], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return [tuple(result) for result in json.loads(done.stdout)]  # type: ignore[misc]


def test_a_really_full_disk_says_so_and_the_database_is_as_before(
    reference: Reference, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    small, kept = tmp_path / "small-disk", tmp_path / "kept"
    small.mkdir()
    kept.mkdir()
    size = reference.base.stat().st_size + reference.growth // 2
    db = small / "full.duckdb"
    load_run, copied = with_mounts(
        f"mount -t tmpfs -o size={size} tmpfs {shlex.quote(str(small))} && cp {shlex.quote(str(reference.base))} "
        f"{shlex.quote(str(db))}",
        [load_command(reference.posts, db), ["cp", "-a", f"{small}/.", str(kept)]],  # then a look from outside
    )
    code, out, err = load_run
    assert (code, out, copied[0]) == (3, "", 0) and one_line(err) and "disk full (No space left on device)" in err
    copy = kept / "full.duckdb"
    assert sorted(reference.uploads(copy)) == [ROSTER, "teams_bom.csv"]
    assert reference.outcome(copy) == "as before"
    report(capsys, f"a {size / 1e6:.0f} MB tmpfs, half of what the load needs: {load_run[2].strip()}")


@pytest.mark.parametrize("how", ["read-only mount", "folder without write permission"])
def test_a_read_only_data_folder_says_so_and_reading_still_works(
    reference: Reference, tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "advocacy.duckdb"
    restore(reference.base, db)
    commands = [
        [str(ADVOCACY), "load", str(FILES / "contests.csv"), "--db", str(db)],
        [str(ADVOCACY), "uploads", "--db", str(db), "--json"],
        [str(ADVOCACY), "uploads", "--db", str(folder / "new.duckdb")],
        [str(ADVOCACY), "load", str(FILES / "contests.csv"), "--db", str(folder / "new" / "advocacy.duckdb")],
        # The dashboard on that folder: the pages draw, an upload says why it cannot be written.
        ["env", "-u", "ADVOCACY_COMMS_PASSWORD", f"ADVOCACY_DB={db}", sys.executable, "-c", DASHBOARD_UPLOAD,
         str(APP), str(FILES / "contests.csv")],
    ]  # fmt: skip
    if how == "read-only mount":
        where = shlex.quote(str(folder))
        results = with_mounts(f"mount --bind {where} {where} && mount -o remount,bind,ro {where}", commands)
        reason = "Read-only file system"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes whatever the folder's permissions: the read-only mount stands for it")
        folder.chmod(0o555)
        try:
            results = [finish(subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
                       for c in commands]  # fmt: skip
        finally:
            folder.chmod(0o755)
        reason = "Permission denied"
    (load_code, load_out, load_err), (list_code, listed, list_err), no_db, no_folder, (_, drawn, _) = results
    assert (load_code, load_out) == (3, "") and one_line(load_err)
    assert f"the data folder {folder} is read-only ({reason})" in load_err and "can be read" in load_err
    assert list_code == 0, list_err
    assert sorted(u["file_name"] for u in json.loads(listed)) == [ROSTER, "teams_bom.csv"]
    assert no_db[0] == 3 and one_line(no_db[2]) and "cannot be created there" in no_db[2]
    assert (
        no_folder[0] == 3 and one_line(no_folder[2]) and f"cannot create the folder {folder / 'new'}" in no_folder[2]
    )
    seen = json.loads(drawn)
    assert (seen["overview"], seen["data"], seen["upload"], seen["exceptions"]) == ([], [], [], 0)
    assert len(seen["confirm"]) == 1 and f"the data folder {folder} is read-only ({reason})" in seen["confirm"][0]
    assert reference.outcome(db) == "as before"
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock")) == ["advocacy.duckdb"]
    report(
        capsys,
        f"a {how}:",
        *(f"  exit {code}: {err.strip()}" for code, _, err in (results[0], *results[2:4])),
        f"  dashboard: pages drawn without error; the upload says: {seen['confirm'][0]}",
    )
