"""`--db` and ADVOCACY_DB name a file or a lake; a lake's password never reaches a message; without the lake's
extensions, opening one says how to install them (the lake itself is tested in tests/lake, on PostgreSQL)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import config
from pipelines.store.db import DatabaseUnavailable, connect

LAKE = "ducklake:postgres:host=db.internal dbname=advocacy user=comms password='s3 cret'"


def test_a_location_is_a_file_or_a_lake(monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.db_path("data/x.duckdb") == Path("data/x.duckdb")
    assert isinstance(config.db_path(LAKE), config.Lake) and config.db_path(LAKE) == LAKE
    monkeypatch.setenv("ADVOCACY_DB", LAKE)
    assert isinstance(config.db_path(), config.Lake)
    assert (
        config.shown(config.db_path()) == "ducklake:postgres:host=db.internal dbname=advocacy user=comms password=***"
    )
    assert config.hide_passwords('at "password=abc host=x"') == 'at "password=*** host=x"'


@pytest.mark.skipif(
    importlib.util.find_spec("duckdb_extension_ducklake") is not None, reason="the lake extra is here"
)
def test_without_the_lake_extra_a_lake_says_how_to_install_it() -> None:
    with pytest.raises(DatabaseUnavailable, match=r'pip install -e "\.\[lake\]"'), connect(LAKE):
        pass
    done = subprocess.run([Path(sys.executable).with_name("advocacy"), "uploads", "--db", LAKE],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 3
    assert "lake" in done.stderr and "s3 cret" not in done.stderr + done.stdout
