"""Reprocess: validate quarantined rows again (say, after the roster gained their author) and load those that pass."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipelines.ingest import contract as c
from pipelines.ingest.validate import Reading, build_typed
from pipelines.ingest.versions import store_typed
from pipelines.store.db import (
    Identifier,
    Sql,
    connect,
    install_macros,
    q,
    retry_conflicts,
    temp_name,
    transaction,
)


@dataclass
class ReprocessResult:
    upload_id: int
    file: str
    tried: int
    loaded: int
    updated: int
    unchanged: int
    still_quarantined: int


def reprocess(db: str | Path) -> list[ReprocessResult]:
    """Validate quarantined rows again (say, after the roster gained their author); load those that now pass."""
    results = []
    with connect(db) as con:
        install_macros(con)
        uploads = con.execute(
            """SELECT u.upload_id, u.file_name, u.kind, u.dialect FROM uploads u
            WHERE u.undone_at IS NULL AND EXISTS (SELECT 1 FROM quarantine qr
                WHERE qr.upload_id = u.upload_id AND qr.cells IS NOT NULL AND qr.resolved_by IS NULL)
            ORDER BY u.upload_id"""
        ).fetchall()
        for upload_id, file_name, kind_name, dialect_json in uploads:
            kind, dialect = c.KINDS[kind_name], json.loads(dialect_json)

            def once() -> ReprocessResult:
                with transaction(con):
                    return _reprocess_upload(con, upload_id, file_name, kind, dialect)  # noqa: B023 (run at once)

            results.append(retry_conflicts(once))
    return results


def quarantined_cells(con: duckdb.DuckDBPyConnection, kind: c.Kind, upload_id: int,
                      author: str | None = None) -> Identifier:  # fmt: skip
    """The text cells of an upload's quarantined rows still waiting (only those by `author`, folded, if given), as
    a temp table the validator reads."""
    cells = Identifier(f"{temp_name()}_cells")
    columns = Sql(", ".join(f"adv_blank(cells ->> $c{i}) AS {q(col.name)}" for i, col in enumerate(kind.columns)))
    con.execute(
        f"""CREATE TEMP TABLE {cells} AS SELECT line, raw, NULL::JSON AS extra, {columns}
        FROM quarantine WHERE upload_id = $upload AND cells IS NOT NULL AND resolved_by IS NULL
          AND ($author IS NULL OR adv_name(cells ->> 'author') = adv_name($author))""",
        {**{f"c{i}": col.name for i, col in enumerate(kind.columns)}, "upload": upload_id, "author": author},
    )
    return cells


def _reprocess_upload(con: duckdb.DuckDBPyConnection, upload_id: int, file_name: str, kind: c.Kind,
                      dialect: dict[str, Any]) -> ReprocessResult:  # fmt: skip
    cells = quarantined_cells(con, kind, upload_id)
    reading = Reading.as_recorded(dialect)
    typed = build_typed(con, cells, kind, reading)
    counts = store_typed(con, typed, kind, upload_id)
    con.execute(
        f"""DELETE FROM quarantine AS qr USING {typed} AS t
        WHERE qr.upload_id = ? AND qr.line = t.line AND t.reason IS NULL AND qr.resolved_by IS NULL""",
        [upload_id],
    )
    con.execute(
        f"""UPDATE quarantine AS qr SET reason = t.reason FROM {typed} AS t
        WHERE qr.upload_id = ? AND qr.line = t.line AND qr.resolved_by IS NULL""",
        [upload_id],
    )
    tried = int(con.execute(f"SELECT count(*) FROM {typed}").fetchall()[0][0])
    passed = counts.loaded + counts.updated + counts.unchanged
    con.execute(
        """UPDATE uploads SET loaded = loaded + ?, updated = updated + ?, unchanged = unchanged + ?,
            quarantined = quarantined - ? WHERE upload_id = ?""",
        [counts.loaded, counts.updated, counts.unchanged, passed, upload_id],
    )
    return ReprocessResult(
        upload_id, file_name, tried, counts.loaded, counts.updated, counts.unchanged, tried - passed
    )
