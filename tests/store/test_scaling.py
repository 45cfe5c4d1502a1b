"""The metrics run unchanged over Parquet files: the first step past one database file (README, "Growing").

The tables are copied to Parquet, then a fresh in-memory DuckDB sees them as views over `read_parquet`, as it
would see files on object storage (`s3://...` through DuckDB's httpfs, not available offline here). The report
computed there must equal the one computed on the database file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.analytics.contests import contests, ranking
from pipelines.analytics.metrics import impact
from pipelines.analytics.scopes import ImpactRequest
from pipelines.store.db import connect, migrations
from pipelines.synthetic.demo import build_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scaling") / "demo.duckdb"
    build_demo(path)
    return path


def test_the_report_over_parquet_files_equals_the_report_over_the_database(demo: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with connect(demo, read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()]
        for table in tables:
            (lake / table).mkdir(parents=True)
            con.table(table).write_parquet(str(lake / table / "part-0.parquet"))
        expected = impact(con, ImpactRequest())
        expected_ranking = ranking(con, contests(con)[0].contest_id, "posts")
    remote = duckdb.connect()
    for table in tables:
        remote.read_parquet(str(lake / table / "*.parquet")).create_view(table)
    for _, sql in migrations()[1:]:  # the schema's views (team_charters) over the tables, whose columns it has
        code = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
        for statement in code.split(";"):
            if "CREATE VIEW" in statement.upper():
                remote.execute(statement)
    assert impact(remote, ImpactRequest()) == expected
    assert ranking(remote, contests(remote)[0].contest_id, "posts") == expected_ranking
