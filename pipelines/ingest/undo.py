"""Undo: take one upload back whole, restoring the versions it had replaced."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.ingest.versions import TARGETS, _on, refresh_current
from pipelines.store.db import Identifier, connect, q_list, transaction


@dataclass
class UndoResult:
    upload_id: int
    file: str
    removed: dict[str, int]  # versions table -> rows taken out
    restored: int  # keys whose earlier version is current again
    deleted: int  # keys that disappear
    quarantine_removed: int
    also_undone: list[int]  # later uploads of the very same file, which held no rows of their own
    dry_run: bool


class UndoError(ValueError):
    """The upload does not exist or was undone already."""


def undo(db: str | Path, upload_id: int, *, dry_run: bool = False, by: str | None = None) -> UndoResult:
    """Take one upload back whole, restoring the versions it had replaced."""
    with connect(db) as con:
        found = con.execute("SELECT file_name, undone_at FROM uploads WHERE upload_id = ?", [upload_id]).fetchall()
        if not found:
            raise UndoError(f"no upload {upload_id}")
        file_name, undone_at = found[0]
        if undone_at is not None:
            raise UndoError(f"upload {upload_id} was undone already, at {undone_at:%Y-%m-%d %H:%M}")
        with transaction(con, commit=not dry_run):
            result = _undo(con, upload_id, file_name, dry_run, by or getpass.getuser())
    return result


def _undo(con: duckdb.DuckDBPyConnection, upload_id: int, file_name: str, dry_run: bool, by: str) -> UndoResult:
    later = con.execute(
        """SELECT DISTINCT q.resolved_by FROM quarantine q JOIN uploads d ON d.upload_id = q.resolved_by
        WHERE q.upload_id = ? AND d.undone_at IS NULL ORDER BY 1""",
        [upload_id],
    ).fetchall()
    if later:
        raise UndoError(
            f"rows of upload {upload_id} were loaded by upload {later[0][0]} (a decision about their author): "
            "undo that one first"
        )
    removed: dict[str, int] = {}
    restored = deleted = 0
    for target in TARGETS.values():
        grain = q_list(target.grain)
        touched = Identifier(f"undo_{target.versions}")
        con.execute(
            f"CREATE TEMP TABLE {touched} AS SELECT DISTINCT {grain} FROM {target.versions} WHERE upload_id = ?",
            [upload_id],
        )
        n = con.execute(f"SELECT count(*) FROM {target.versions} WHERE upload_id = ?", [upload_id]).fetchall()[0][0]
        if not n:
            continue
        removed[target.versions] = int(n)
        con.execute(f"DELETE FROM {target.versions} WHERE upload_id = ?", [upload_id])
        refresh_current(con, target, touched)
        if target.current != "post_engagement":
            on = _on("cur", "t", target.grain)
            back = con.execute(
                f"SELECT count(*) FROM {target.current} AS cur SEMI JOIN {touched} AS t ON {on}"
            ).fetchall()[0][0]
            total = con.execute(f"SELECT count(*) FROM {touched}").fetchall()[0][0]
            restored += int(back)
            deleted += int(total - back)
    quarantined = con.execute("SELECT count(*) FROM quarantine WHERE upload_id = ?", [upload_id]).fetchall()[0][0]
    con.execute("DELETE FROM quarantine WHERE upload_id = ?", [upload_id])
    con.execute("UPDATE quarantine SET resolved_by = NULL WHERE resolved_by = ?", [upload_id])  # back to waiting
    also = [
        row[0]
        for row in con.execute(
            "SELECT upload_id FROM uploads WHERE duplicate_of = ? AND undone_at IS NULL", [upload_id]
        ).fetchall()
    ]
    con.execute(
        "UPDATE uploads SET undone_at = current_timestamp, undone_by = ? WHERE upload_id = ? OR duplicate_of = ?",
        [by, upload_id, upload_id],
    )
    return UndoResult(upload_id, file_name, removed, restored, deleted, int(quarantined), also, dry_run)
