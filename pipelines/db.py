"""The one way to open the database: short-lived connections, schema migrations, a clear "busy" error.

DuckDB lets one process hold a database file for writing, and a writer excludes readers in other
processes. So every command opens the file for as short a time as it can, and waits (up to
`Settings.busy_timeout_s`) for another process to let go before giving up with `DatabaseBusy`.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from pipelines.config import SETTINGS

# Within one process a file cannot be open read-write and read-only at once: connections take turns.
_PROCESS_LOCK = threading.RLock()


class DatabaseBusy(RuntimeError):
    """Another process holds the database file for writing."""


class DatabaseUnavailable(RuntimeError):
    """The database file cannot be opened or written (missing folder rights, disk full, ...)."""


def migrations() -> list[tuple[int, str]]:
    """The schema's migrations, in order: (version, SQL) from pipelines/sql/NNN_*.sql."""
    found = []
    for entry in resources.files("pipelines.sql").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), entry.read_text(encoding="utf-8")))
    return sorted(found)


SCHEMA_VERSION = migrations()[-1][0]


def _schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]
    return int(row or 0)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to date, one transaction per migration; returns the version reached."""
    current = _schema_version(con)
    for version, sql in migrations():
        if version <= current:
            continue
        con.execute("BEGIN")
        try:
            if version == 1:
                con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, current_timestamp)", [version])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        current = version
    return current


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + SETTINGS.busy_timeout_s
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            message = str(error)
            if "lock" not in message.lower():
                raise DatabaseUnavailable(f"cannot open {path}: {message}") from error
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    f"the database {path} is busy: another process is writing to it. Try again in a moment."
                ) from error
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 1.0)


@contextmanager
def connect(path: str | Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database file for the duration of a `with` block, creating and migrating it as needed."""
    path = Path(path)
    with _PROCESS_LOCK:
        if path != Path(":memory:"):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatabaseUnavailable(f"cannot create the folder {path.parent}: {error}") from error
            if read_only and not path.exists():
                with connect(path, read_only=False):
                    pass
        con = _open(path, read_only) if path != Path(":memory:") else duckdb.connect()
        if read_only and _schema_version(con) < SCHEMA_VERSION:
            # An older file: migrate it once, writing, then read as asked.
            con.close()
            with connect(path, read_only=False):
                pass
            con = _open(path, read_only)
        try:
            con.execute("SET TimeZone = 'UTC'")
            if not read_only:
                migrate(con)
            yield con
        finally:
            con.close()
