"""Opening a DuckLake: its catalog in PostgreSQL, its data as Parquet files in a shared folder or on S3.

Several processes, on several servers, read and write one lake at once: each transaction sees one snapshot, and
a writer never blocks a reader. Writers that change the same tables conflict when the second commits; that one is
rolled back whole and tried again (`pipelines.store.db.retry_conflicts`).

The DuckLake and PostgreSQL extensions come from PyPI (`pip install -e ".[lake]"`: the packages
`duckdb-extension-ducklake` and `duckdb-extension-postgres-scanner`, built for the one DuckDB version the extra
pins) and are loaded from their files: nothing is downloaded when a lake is opened.

A process attaches the lake once and hands out a cursor per `connect()`: attaching asks PostgreSQL for the
catalog, which is worth doing once, and cursors of one DuckDB may read and write at the same time.
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import threading
import time
from pathlib import Path

import duckdb

from pipelines.config import Lake, hide_passwords, settings
from pipelines.store.db import Sql, connection_config, literal

ALIAS = Sql("lake")  # the lake's name in every connection
_LOCK = threading.Lock()
_OPEN: dict[tuple[str, str | None], duckdb.DuckDBPyConnection] = {}


class LakeUnavailable(RuntimeError):
    """The lake cannot be opened: its extensions are not installed, or its catalog cannot be reached."""


def extension_file(package: str, name: str) -> Path:
    """The extension `name` as the PyPI package `package` ships it for the installed DuckDB."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise LakeUnavailable(
            f"a lake needs the {package.replace('_', '-')} package: install the project with "
            '`pip install -e ".[lake]"` (it pins the DuckDB version those extensions are built for)'
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "extensions" / f"v{duckdb.__version__}"
    found = folder / f"{name}.duckdb_extension"
    if not found.exists():
        built = sorted(p.name for p in folder.parent.glob("v*"))
        raise LakeUnavailable(
            f"{package.replace('_', '-')} has no build for DuckDB {duckdb.__version__} (it has {', '.join(built)}): "
            'install the project with `pip install -e ".[lake]"`, which pins the matching DuckDB'
        )
    return found


def _object_storage(con: duckdb.DuckDBPyConnection, data_path: str) -> None:
    """For data on S3 (or HTTP): httpfs, with the credentials of the usual AWS variables where set."""
    con.load_extension(str(extension_file("duckdb_extension_httpfs", "httpfs")))
    for setting, variable in (
        (Sql("s3_region"), "AWS_REGION"),
        (Sql("s3_access_key_id"), "AWS_ACCESS_KEY_ID"),
        (Sql("s3_secret_access_key"), "AWS_SECRET_ACCESS_KEY"),
        (Sql("s3_session_token"), "AWS_SESSION_TOKEN"),
        (Sql("s3_endpoint"), "AWS_ENDPOINT_URL"),
    ):
        if value := os.environ.get(variable):
            con.execute(f"SET {setting} = ?", [value])


def _attach(lake: Lake, data_path: str | None) -> duckdb.DuckDBPyConnection:
    """Attach the lake; a new lake's catalog being made by another process at the same moment is waited for."""
    deadline = time.monotonic() + settings().busy_timeout_s
    while True:
        try:
            return _attach_once(lake, data_path)
        except LakeUnavailable as error:
            made_meanwhile = "Failed to initialize DuckLake" in str(error) and "already exists" in str(error)
            if not made_meanwhile or time.monotonic() > deadline:
                raise
            time.sleep(0.2 + random.random() * 0.3)


def _attach_once(lake: Lake, data_path: str | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config=connection_config())
    try:
        for package, name in (("duckdb_extension_ducklake", "ducklake"),
                              ("duckdb_extension_postgres_scanner", "postgres_scanner")):  # fmt: skip
            con.load_extension(str(extension_file(package, name)))
        if data_path and "://" in data_path:
            _object_storage(con, data_path)
        # ATTACH takes no parameters: the administrator's setting goes in as a quoted literal (quotes doubled).
        options = Sql(f" (DATA_PATH {literal(data_path)})") if data_path else Sql("")
        con.execute(f"ATTACH {literal(str(lake))} AS {ALIAS}{options}")
    except duckdb.Error as error:
        con.close()
        why = hide_passwords(_why(str(error), data_path))
        raise LakeUnavailable(f"cannot open the lake {lake.shown()}: {why}") from error
    return con


def _why(message: str, data_path: str | None) -> str:
    """DuckLake's or PostgreSQL's message, said for this project's settings, passwords hidden."""
    if "data_path is not set" in message:
        return "a new lake needs a place for its data: set ADVOCACY_LAKE_DATA_PATH (a folder every server sees)"
    if stored := re.search(r'does not match existing data path in the catalog "([^"]*)"', message):
        return (f"ADVOCACY_LAKE_DATA_PATH ({data_path}) is not where this lake keeps its data ({stored.group(1)}): "
                "leave it unset, or set it to that")  # fmt: skip
    if reason := re.search(r"Unable to connect to Postgres.*?: (.*)", message, flags=re.DOTALL):
        return "its catalog cannot be reached: " + " ".join(reason.group(1).split())
    return " ".join(message.split())


def cursor(lake: Lake) -> duckdb.DuckDBPyConnection:
    """A connection of its own to the lake, with the lake as its default database (the caller closes it)."""
    data_path = settings().lake_data_path
    key = (str(lake), data_path)
    with _LOCK:
        if key not in _OPEN:
            _OPEN[key] = _attach(lake, data_path)
        con = _OPEN[key].cursor()
    con.execute(f"USE {ALIAS}")
    return con


def close_all() -> None:
    """Let go of every lake this process attached (a test that stops its PostgreSQL server calls it first)."""
    with _LOCK:
        for con in _OPEN.values():
            con.close()
        _OPEN.clear()
