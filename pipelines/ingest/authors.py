"""Comms' decisions about authors that match nobody: an employee, or "not staff" (data-contract.md, "Matching an
author to a person").

A decision is an upload of the `authors` kind, keyed by the folded name, so that it is listed with the uploads and can
be undone. In the same transaction, the quarantined rows waiting on that author (posts, incidents, workshop
attendances) are checked again: those that now pass are stored under the decision's upload and marked resolved by it,
so that undoing the decision takes them back and puts them back in quarantine. A post by "not staff" (the agency or
the admin who runs the company page) is kept with no employee: no figure counts it as an employee's.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.ingest import contract as c
from pipelines.ingest.load import store_rows
from pipelines.ingest.reprocess import quarantined_cells
from pipelines.ingest.validate import Reading, build_typed
from pipelines.ingest.versions import TARGETS, _on, store_typed
from pipelines.store.db import Identifier, connect, install_macros, retry_conflicts, transaction


class DecisionRefused(ValueError):
    """The decision cannot be taken (an employee id that is not in the roster, say)."""


@dataclass
class Decision:
    upload_id: int
    author: str
    employee_id: str | None
    not_staff: bool
    loaded: int  # rows waiting on this author that now load (posts, incidents, workshops)
    still_waiting: int  # rows with this author that still do not load (another reason)


def decide(db: str | Path, author: str, *, employee_id: str | None = None, not_staff: bool = False,
           by: str | None = None) -> Decision:  # fmt: skip
    """Map `author` to an employee, or mark it "not staff", and load the rows waiting on it; one transaction."""
    if (employee_id is None) == (not not_staff):
        raise ValueError("give an employee id, or not_staff, not both")
    with connect(db) as con:
        install_macros(con)

        def once() -> Decision:
            with transaction(con):
                known = con.execute("SELECT count(*) FROM employees WHERE employee_id = ?", [employee_id])
                if employee_id is not None and not known.fetchall()[0][0]:
                    raise DecisionRefused(f"no employee {employee_id!r} in the roster")
                what = f"is {employee_id}" if employee_id else "is not staff"
                row = {"author": author, "employee_id": employee_id, "not_staff": not_staff}
                result = store_rows(con, c.AUTHORS, [row], f"author {author!r} {what}", by or getpass.getuser())
                if result.quarantined or result.upload_id is None:
                    raise DecisionRefused(next(iter(result.reasons), "refused"))
                loaded, waiting = _load_waiting(con, result.upload_id, author)
            return Decision(result.upload_id, author, employee_id, not_staff, loaded, waiting)

        return retry_conflicts(once)


def _load_waiting(con: duckdb.DuckDBPyConnection, decision: int, author: str) -> tuple[int, int]:
    """Check again the quarantined rows by `author` (folded), upload by upload; store those that pass under the
    decision's upload. A row whose post a later file has loaded already is resolved too, and not stored twice."""
    waiting = con.execute(
        """SELECT q.upload_id, q.kind, any_value(u.dialect), any_value(u.carried)
        FROM quarantine q JOIN uploads u USING (upload_id)
        WHERE q.resolved_by IS NULL AND u.undone_at IS NULL AND q.cells IS NOT NULL
          AND q.kind IN ('posts', 'incidents', 'workshops') AND adv_name(q.cells ->> 'author') = adv_name(?)
        GROUP BY ALL ORDER BY q.upload_id DESC""",  # the newest file first: its version of a post wins
        [author],
    ).fetchall()
    loaded = still = 0
    for upload_id, kind_name, dialect, carried in waiting:
        kind, target = c.KINDS[kind_name], TARGETS[kind_name]
        cells = quarantined_cells(con, kind, upload_id, author)
        typed = build_typed(con, cells, kind, Reading.as_recorded(json.loads(dialect)))
        # Rows whose key is already stored (a later file brought the post) are resolved, not stored again.
        covered = Identifier(f"{typed}_covered")
        con.execute(
            f"""CREATE TEMP TABLE {covered} AS SELECT t.line FROM {typed} AS t
            SEMI JOIN {target.current} AS cur ON {_on("t", "cur", target.key)} WHERE t.reason IS NULL"""
        )
        con.execute(f"DELETE FROM {typed} WHERE line IN (SELECT line FROM {covered})")
        store_typed(con, typed, kind, decision, tuple(carried) if carried else None)
        passed = con.execute(
            f"""UPDATE quarantine SET resolved_by = ? WHERE upload_id = ? AND resolved_by IS NULL
            AND (line IN (SELECT line FROM {typed} WHERE reason IS NULL) OR line IN (SELECT line FROM {covered}))""",
            [decision, upload_id],
        ).fetchall()[0][0]
        loaded += int(passed)
        still += int(con.execute(f"SELECT count(*) FROM {typed} WHERE reason IS NOT NULL").fetchall()[0][0])
    return loaded, still
