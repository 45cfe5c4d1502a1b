"""Undo: take one upload back whole, restoring the versions it had replaced."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.ingest.versions import TARGETS, _on, refresh_current
from pipelines.store.db import Identifier, connect, q_list, retry_conflicts, transaction


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

        def once() -> UndoResult:
            with transaction(con, commit=not dry_run):
                file_name = _undoable(con, upload_id)
                return _undo(con, upload_id, file_name, dry_run, by or getpass.getuser())

        return retry_conflicts(once)


def preview(con: duckdb.DuckDBPyConnection, upload_id: int) -> UndoResult:
    """What undoing the upload would change, read without writing (a read-only connection will do): the rows
    taken out, the keys whose earlier version comes back and those that disappear. The same counts as
    `undo(..., dry_run=True)`, which needs to write."""
    file_name = _undoable(con, upload_id)
    _loaded_by_later(con, upload_id)
    removed: dict[str, int] = {}
    restored = deleted = 0
    for target in TARGETS.values():
        n = con.execute(f"SELECT count(*) FROM {target.versions} WHERE upload_id = ?", [upload_id]).fetchall()[0][0]
        if not n:
            continue
        removed[target.versions] = int(n)
        if target.current == "post_engagement":
            continue  # snapshots: the post stays, with its other snapshots' figures
        grain = q_list(target.grain)
        total, back = con.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM {target.versions} AS v
                    WHERE v.upload_id <> $upload AND {_on("v", "t", target.grain)}))
            FROM (SELECT DISTINCT {grain} FROM {target.versions} WHERE upload_id = $upload) AS t""",
            {"upload": upload_id},
        ).fetchall()[0]
        restored += int(back)
        deleted += int(total - back)
    quarantined = con.execute("SELECT count(*) FROM quarantine WHERE upload_id = ?", [upload_id]).fetchall()[0][0]
    return UndoResult(upload_id, file_name, removed, restored, deleted, int(quarantined), _same_file(con, upload_id),
                      True)  # fmt: skip


def _undoable(con: duckdb.DuckDBPyConnection, upload_id: int) -> str:
    """The upload's file name; UndoError when there is no such upload or it was undone already."""
    found = con.execute("SELECT file_name, undone_at FROM uploads WHERE upload_id = ?", [upload_id]).fetchall()
    if not found:
        raise UndoError(f"no upload {upload_id}")
    file_name, undone_at = found[0]
    if undone_at is not None:
        raise UndoError(f"upload {upload_id} was undone already, at {undone_at:%Y-%m-%d %H:%M}")
    return str(file_name)


def _loaded_by_later(con: duckdb.DuckDBPyConnection, upload_id: int) -> None:
    """UndoError when a later upload (a decision about an author) loaded rows of this one: that one goes first."""
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


def _same_file(con: duckdb.DuckDBPyConnection, upload_id: int) -> list[int]:
    """Later uploads of the very same file, which held no rows of their own and go with it."""
    found = con.execute(
        "SELECT upload_id FROM uploads WHERE duplicate_of = ? AND undone_at IS NULL ORDER BY upload_id", [upload_id]
    ).fetchall()
    return [row[0] for row in found]


def _undo(con: duckdb.DuckDBPyConnection, upload_id: int, file_name: str, dry_run: bool, by: str) -> UndoResult:
    _loaded_by_later(con, upload_id)
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
    also = _same_file(con, upload_id)
    con.execute(
        "UPDATE uploads SET undone_at = current_timestamp, undone_by = ? WHERE upload_id = ? OR duplicate_of = ?",
        [by, upload_id, upload_id],
    )
    return UndoResult(upload_id, file_name, removed, restored, deleted, int(quarantined), also, dry_run)
