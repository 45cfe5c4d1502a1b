"""Reports kept once computed, for every process and server that reads the same data.

A report's figures change only when the data does (an upload, an undo, a reprocess, a decision), and computing
them takes seconds on a large programme, where reading them back takes milliseconds. So the first reader after a
change computes a report and keeps it in a folder beside the database (`<file>.kept/`; a lake's beside its data
folder, `<data path>.kept/`, when that is a local folder); every later reader, in any process, reads it back.

A kept report is found by what it depends on, all of it in its file's name (digests):
- the data: `writes`, which every committed write transaction moves on and marks with a new random id
  (pipelines/store/db.py, `transaction`), so a database copied over another never passes for it;
- what was asked: the request, and the settings that change a figure (the privacy threshold, the media rates);
- the code that computes it: a digest of the package's source.

A report is written to a temporary file and renamed, so a reader finds a whole report or none; keeping one removes
those of any other state of the data. A file is JSON, never code to run. A folder that cannot be written, or a
file that cannot be read, only means computing the report.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines.config import PROJECT_ROOT, settings
from pipelines.store.ledger import data_version

SUFFIX = ".kept"
WRITING = ".writing-"  # a report being written, renamed into place once whole
_KEEP_AT_MOST = 64  # reports of one state of the data (each set of filters is one)


def kept(con: duckdb.DuckDBPyConnection, name: str, request: object, compute: Callable[[], Any]) -> Any:
    """`compute()`, or the report that an earlier call with the same `name` and `request` (its repr) kept for
    the same data, code and settings."""
    folder = folder_of(con)
    if folder is None:
        return compute()
    state = _digest([_CODE, repr(data_version(con)), *_figure_settings()])
    path = folder / f"{state}-{_digest([name, repr(request)])}.json"
    with suppress(OSError, ValueError):
        return _decode(path.read_text(encoding="utf-8"))
    with _computing(path):  # a thread of this process computing it already: wait for it, then read it back
        with suppress(OSError, ValueError):
            return _decode(path.read_text(encoding="utf-8"))
        value = compute()
        with suppress(OSError):
            _keep(folder, path, _encode(value), state)
    return value


_COMPUTING: dict[Path, threading.Lock] = {}  # the reports being computed in this process
_COMPUTING_CHANGED = threading.Lock()


@contextmanager
def _computing(path: Path) -> Iterator[None]:
    """One thread of this process computes a report at a time (the dashboard's preparation and a visitor's page
    would otherwise compute the same one side by side); the others wait for it."""
    with _COMPUTING_CHANGED:
        lock = _COMPUTING.setdefault(path, threading.Lock())
    with lock:
        try:
            yield
        finally:
            with _COMPUTING_CHANGED:
                _COMPUTING.pop(path, None)  # those waiting hold the lock already; a later reader finds the report


def folder_of(con: duckdb.DuckDBPyConnection) -> Path | None:
    """Where the connection's database keeps its reports: beside its file, or beside a lake's data folder (the
    one its catalog names) when that is local; None for a database in memory or a lake on object storage."""
    found = con.execute(
        "SELECT path, type FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    if not found:
        return None
    path, kind = found[0]
    if kind == "ducklake":  # the data folder the lake's catalog remembers
        data = con.execute("SELECT data_path FROM ducklake_settings(current_database())").fetchall()[0][0]
        return Path(data.rstrip("/\\") + SUFFIX) if data and "://" not in data else None
    return Path(path + SUFFIX) if path and path != ":memory:" else None


def _keep(folder: Path, path: Path, text: str, state: str) -> None:
    folder.mkdir(exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=WRITING, suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    _prune(folder, state, path)


def _prune(folder: Path, state: str, written: Path) -> None:
    """Remove the reports of other states of the data, the oldest past _KEEP_AT_MOST of this one (never the one
    just `written`), and what a process that stopped half-way left (another process may be removing them too)."""
    found = []
    for path in folder.glob("*.json"):
        with suppress(OSError):
            found.append((path.stat().st_mtime, path))
    now = time.time()
    current = [path for _, path in sorted(found, reverse=True) if path.name.startswith(state) and path != written]
    unwanted = [path for modified, path in found if path.name.startswith(WRITING) and now - modified > 3600]
    unwanted += [path for _, path in found if not path.name.startswith((state, WRITING))]
    for path in unwanted + current[_KEEP_AT_MOST - 1 :]:
        with suppress(OSError):
            path.unlink()


def _figure_settings() -> list[str]:
    """The settings a figure depends on (add one here when a setting starts changing a figure)."""
    now = settings()
    return [repr(now.privacy_min_team_size), repr(now.cpm), repr(now.cpc)]


def _code_digest() -> str:
    """The package's source (Python and SQL), read when this module is imported, as the rest of the code is: a
    report kept by other code is not this code's."""
    parts = sorted(p for p in (PROJECT_ROOT / "pipelines").rglob("*") if p.suffix in (".py", ".sql"))
    digest = hashlib.sha256(duckdb.__version__.encode())
    for path in parts:
        digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


_CODE = _code_digest()


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:24]


# --- JSON that gives back what went in: dates and data frames tagged -------------------------------------------


def _encode(value: Any) -> str:
    return json.dumps(value, default=_tagged, separators=(",", ":"))


def _tagged(value: Any) -> dict[str, Any]:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, pd.DataFrame) and all(isinstance(c, str) for c in value.columns):
        dtypes = {c: str(t) for c, t in value.dtypes.items()}
        return {"$frame": value.to_dict(orient="list"), "$index": value.index.tolist(), "$dtypes": dtypes}
    if hasattr(value, "item"):  # a NumPy number
        return value.item()  # type: ignore[no-any-return]
    raise TypeError(f"a report cannot hold a {type(value).__name__}")


def _decode(text: str) -> Any:
    return json.loads(text, object_hook=_untagged)


def _untagged(value: dict[str, Any]) -> Any:
    if "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$frame" in value:
        return pd.DataFrame(value["$frame"], index=value["$index"]).astype(value["$dtypes"])
    return value
