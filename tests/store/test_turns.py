"""One process's connections to one database file (the dashboard's sessions and its preparation thread): readers
read together, a writer waits for them, and a writer that waits goes before new readers."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from pipelines.store.db import connect


def _hold(db: Path, read_only: bool, opened: threading.Event, release: threading.Event, log: list[str],
          name: str) -> threading.Thread:  # fmt: skip
    def run() -> None:
        with connect(db, read_only=read_only) as con:
            con.execute("SELECT count(*) FROM uploads").fetchall()
            log.append(f"{name} in")
            opened.set()
            release.wait(30)
        log.append(f"{name} out")

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def test_readers_of_one_process_read_together(db: Path) -> None:
    with connect(db):  # created and migrated
        pass
    log: list[str] = []
    first_in, first_go = threading.Event(), threading.Event()
    first = _hold(db, True, first_in, first_go, log, "first")
    assert first_in.wait(30)
    started = time.monotonic()
    with connect(db, read_only=True) as con:  # while the first reader still holds its connection
        assert con.execute("SELECT count(*) FROM uploads").fetchall() == [(0,)]
    assert time.monotonic() - started < 5
    assert log == ["first in"]
    first_go.set()
    first.join(30)


def test_a_writer_waits_for_the_readers_and_goes_before_new_ones(db: Path) -> None:
    with connect(db):
        pass
    log: list[str] = []
    reader_in, reader_go = threading.Event(), threading.Event()
    reader = _hold(db, True, reader_in, reader_go, log, "reader")
    assert reader_in.wait(30)
    writer_in, writer_go = threading.Event(), threading.Event()
    writer = _hold(db, False, writer_in, writer_go, log, "writer")
    time.sleep(0.3)
    assert not writer_in.is_set()  # the reader still reads
    late_in, late_go = threading.Event(), threading.Event()
    late = _hold(db, True, late_in, late_go, log, "late reader")
    time.sleep(0.3)
    assert not late_in.is_set()  # a writer is waiting: it goes first
    reader_go.set()
    assert writer_in.wait(30)
    time.sleep(0.3)
    assert not late_in.is_set()  # not while it writes
    writer_go.set()
    assert late_in.wait(30)
    late_go.set()
    for thread in (reader, writer, late):
        thread.join(30)
    assert log == ["reader in", "reader out", "writer in", "writer out", "late reader in", "late reader out"]
