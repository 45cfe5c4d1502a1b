"""A real PostgreSQL server for the lake's catalog, started for the session in a temporary folder, and a new
database in it (with a new data folder) per lake.

Debian's `postgresql` package (dev.sh installs it where it is missing) refuses to run as root: as root, the server
runs as the `postgres` user in a folder it owns. The lake's extensions come with `pip install -e ".[lake]"`:
without them these tests are skipped (`.ci/run` runs them in a second virtual environment that has them)."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port

BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


def _as_server_user(command: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *command] if user else command


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A PostgreSQL server on 127.0.0.1 for this session; yields its libpq connection string (no database)."""
    if BIN is None or not (BIN / "initdb").exists():
        pytest.fail("PostgreSQL is not installed (Debian package 'postgresql'; ./dev.sh test installs it)")
    user = "postgres" if os.geteuid() == 0 else None  # the server refuses to run as root
    folder = Path(tempfile.mkdtemp(prefix="advocacy-pg-"))
    if user:
        shutil.chown(folder, user)
    data, port = folder / "data", free_port()
    role = user or getpass.getuser()
    subprocess.run(_as_server_user([str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", role], user),
                   check=True, capture_output=True)  # fmt: skip
    options = f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c max_connections=200"
    subprocess.run(
        _as_server_user([str(BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w",
                         "start"], user),
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield f"host=127.0.0.1 port={port} user={role}"
    finally:
        from pipelines.store import lake

        lake.close_all()
        subprocess.run(_as_server_user([str(BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], user),
                       capture_output=True)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def create_lake(postgres: str, name: str) -> str:
    """A new database on the server; returns the location of the (not yet made) lake whose catalog it holds."""
    database = f"lake_{name}_{time.monotonic_ns()}"
    settings = dict(part.split("=", 1) for part in postgres.split())
    subprocess.run([str(BIN / "createdb"), "-h", settings["host"], "-p", settings["port"], "-U", settings["user"],
                    database], check=True, capture_output=True)  # fmt: skip
    return f"ducklake:postgres:{postgres} dbname={database}"


@pytest.fixture
def new_lake(postgres: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], str]:
    """Makes a new, empty lake, its data in a folder of the test's (ADVOCACY_LAKE_DATA_PATH, set for this test and
    the processes it starts); returns its `ducklake:postgres:` location."""

    def make(name: str) -> str:
        data = tmp_path / f"{name}-data"
        data.mkdir()
        monkeypatch.setenv("ADVOCACY_LAKE_DATA_PATH", f"{data}/")
        return create_lake(postgres, name)

    return make
