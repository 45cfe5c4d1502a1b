"""Shared fixtures: a fresh database file per test, the hand-made export files, and small helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipelines.db import connect
from pipelines.load import LoadOptions, LoadResult, load_paths

FILES = Path(__file__).parent / "files"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database file that does not exist yet: the code under test creates it."""
    return tmp_path / "test.duckdb"


def load(db: Path, *files: str | Path, **options: Any) -> list[LoadResult]:
    """Load files by name from tests/files (or by path) and return the results."""
    paths = [Path(f) if Path(f).is_absolute() else FILES / f for f in files]
    return load_paths(db, paths, LoadOptions(**options))


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connect(db, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


ROSTER = "roster_fr_cp1252.csv"
