"""The schema's tables hold exactly the columns the contract declares for each kind (every INSERT names its
columns, so a column a later migration added may come last)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest import contract as c
from pipelines.ingest.versions import TARGETS
from pipelines.store.db import connect


@pytest.fixture(scope="module")
def table_columns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    path: Path = tmp_path_factory.mktemp("schema") / "schema.duckdb"
    with connect(path) as con:
        rows = con.execute(
            """SELECT table_name, list(column_name ORDER BY ordinal_position)
            FROM information_schema.columns WHERE table_schema = 'main' GROUP BY table_name"""
        ).fetchall()
    return dict(rows)


def test_every_kind_has_a_target() -> None:
    assert set(TARGETS) == set(c.KINDS)
    assert all(target.kind is c.KINDS[name] for name, target in TARGETS.items())


@pytest.mark.parametrize("kind", sorted(c.KINDS))
def test_both_tables_hold_the_contract_columns(kind: str, table_columns: dict[str, list[str]]) -> None:
    target = TARGETS[kind]
    for table in (target.versions, target.current):
        columns = table_columns[table]
        assert columns[:2] == ["upload_id", "line"], table
        assert sorted(columns[2:]) == sorted(c.KINDS[kind].stored), table


def test_stored_columns_follow_the_contract() -> None:
    # an author is stored as written and as the employee it resolves to; a post's figures go to its snapshot
    assert c.POSTS.stored == (
        "post_id", "author", "employee_id", "published_at", "network", "format", "title", "extra",
    )  # fmt: skip
    assert {"author", "employee_id"} <= set(c.INCIDENTS.stored)
    assert c.ENGAGEMENT.stored[:2] == ("post_id", "as_of") and set(c.COUNT_NAMES) <= set(c.ENGAGEMENT.stored)
    for kind in c.KINDS.values():
        assert set(kind.key) <= set(kind.stored), kind.name


@pytest.mark.parametrize("where", ["file", "memory"])
@pytest.mark.parametrize(("megabytes", "shown"), [(1000, "953.6 MiB"), (3000, "2.7 GiB")])
def test_every_connection_holds_duckdb_to_the_memory_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, megabytes: int, shown: str
) -> None:
    monkeypatch.setenv("ADVOCACY_MEMORY_MB", str(megabytes))
    with connect(tmp_path / "db.duckdb" if where == "file" else ":memory:") as con:
        assert con.execute("SELECT current_setting('memory_limit'), current_setting('TimeZone')").fetchall() == [
            (shown, "UTC")
        ]
