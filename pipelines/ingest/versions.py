"""Where each kind is stored, and how accepted rows become versions and current rows.

Every accepted row is kept in its kind's versions table under its upload (what makes undo possible); the current
table holds, per key, the newest version, column by column: a column the upload's file did not have (not in
`uploads.carried`) keeps the value of the newest version that had it. A load adds versions and recomputes the
current rows of the keys it touched; undo deletes an upload's versions and recomputes the same way, which brings
back what it had replaced. Engagement snapshots are measurements, not updates: a post's current engagement is
its newest snapshot whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from pipelines.ingest import contract as c
from pipelines.store.db import Identifier, Sql, join_sql, literal, q, q_list

# --- where each kind is stored ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A kind's two tables: every accepted row by upload and line, and the newest version per key."""

    kind: c.Kind
    versions: Identifier
    current: Identifier
    current_key: tuple[str, ...] | None = None  # one current row per this (default: the kind's key)
    # Snapshots: what makes one snapshot's figure better than another's, for a table alias.
    best: Callable[[Identifier], Sql] | None = None

    @property
    def key(self) -> tuple[str, ...]:
        """One version per key per upload."""
        return self.kind.key

    @property
    def columns(self) -> tuple[str, ...]:
        """The stored columns after upload_id and line, as the contract declares them."""
        return self.kind.stored

    @property
    def values(self) -> tuple[str, ...]:
        """Columns compared to tell an updated row from an unchanged one. Where the key is the employee, how the
        file wrote them (`author`) is not a value: one person written two ways is one row."""
        spelling = ("author",) if "employee_id" in self.key else ()
        return tuple(col for col in self.columns if col not in (*self.key, "extra", *spelling))

    @property
    def grain(self) -> tuple[str, ...]:
        return self.current_key or self.key

    @property
    def all_columns(self) -> Identifier:
        """Every column of both tables, quoted, in order: what each INSERT names."""
        return q_list(("upload_id", "line", *self.columns))


TARGETS: dict[str, Target] = {
    target.kind.name: target
    for target in (
        Target(c.EMPLOYEES, Identifier("employee_versions"), Identifier("employees")),
        Target(c.TEAMS, Identifier("team_versions"), Identifier("teams")),
        Target(c.POSTS, Identifier("post_versions"), Identifier("posts")),
        # A figure LinkedIn measured wins over a platform's; among equals, the newest snapshot.
        Target(c.ENGAGEMENT, Identifier("engagement_snapshots"), Identifier("post_engagement"),
               current_key=("post_id",), best=lambda t: Sql(
                   f"(coalesce({t}.source IN ({join_sql(literal(s) for s in c.MEASURED_BY_LINKEDIN)}), false), "
                   f"{t}.as_of, {t}.upload_id, {t}.line)")),
        Target(c.AUTHORS, Identifier("author_versions"), Identifier("authors")),
        Target(c.INCIDENTS, Identifier("incident_versions"), Identifier("incidents")),
        Target(c.CONTESTS, Identifier("contest_versions"), Identifier("contests")),
        Target(c.JURY_SCORES, Identifier("jury_score_versions"), Identifier("jury_scores")),
        Target(c.WORKSHOPS, Identifier("workshop_versions"), Identifier("workshops")),
    )
}  # fmt: skip


def _on(left: str, right: str, columns: tuple[str, ...]) -> Sql:
    """`left.k = right.k AND ...` over the columns (left and right: table aliases of the query)."""
    return Sql(" AND ".join(f"{q(k, left)} = {q(k, right)}" for k in columns))


def _same(left: str, right: str, columns: tuple[str, ...]) -> Sql:
    """True where the rows agree on every column, NULLs included."""
    return Sql(" AND ".join(f"{q(k, left)} IS NOT DISTINCT FROM {q(k, right)}" for k in columns) or "true")


def _carries(kind: c.Kind, column: str) -> Sql:
    """Whether the version's upload carried `column`. Uploads before schema 3 carried every column, and so do the
    rows an author's decision loaded (an upload of another kind: they are new keys, see ingest.authors)."""
    return Sql(
        f"(u.carried IS NULL OR u.kind <> {literal(kind.name)} OR list_contains(u.carried, {literal(column)}))"
    )


def refresh_current(con: duckdb.DuckDBPyConnection, target: Target, touched: Identifier) -> None:
    """Recompute the current rows of the keys listed in the temp table `touched`."""
    con.execute(f"DELETE FROM {target.current} AS cur USING {touched} AS t WHERE {_on('cur', 't', target.grain)}")
    _insert_current(con, target, touched)


def _insert_current(con: duckdb.DuckDBPyConnection, target: Target, touched: Identifier) -> None:
    """Insert the current rows of the keys listed in `touched` (which have none), from all their versions."""
    values: dict[str, Sql]  # each stored column's value in the current row, by name
    if target.best is not None:  # snapshots: each figure from the best snapshot that measured it
        best = target.best(Identifier("v"))
        values = {col: Sql(f"arg_max(v.{q(col)}, {best}) FILTER (WHERE v.{q(col)} IS NOT NULL)")
                  for col in target.columns}  # fmt: skip
        values |= {"upload_id": Sql(f"arg_max(v.upload_id, {best})"), "line": Sql(f"arg_max(v.line, {best})"),
                   **{k: Sql(f"arg_max(v.{q(k)}, {best})") for k in target.key}}  # fmt: skip
        uploads = Sql("")
    else:  # one version per key per upload: the newest is the one of the highest upload_id
        values = {
            col: Sql(f"""CASE WHEN bool_or({_carries(target.kind, col)})
                THEN arg_max_null(v.{q(col)}, v.upload_id) FILTER (WHERE {_carries(target.kind, col)})
                ELSE arg_max_null(v.{q(col)}, v.upload_id) END""")
            for col in target.columns
        }  # fmt: skip
        values |= {"upload_id": Sql("max(v.upload_id)"), "line": Sql("arg_max(v.line, v.upload_id)")}
        uploads = Sql("JOIN uploads AS u USING (upload_id)")
    values |= {k: Sql(f"v.{q(k)}") for k in target.grain}
    select = join_sql(Sql(f"{values[col]} AS {q(col)}") for col in ("upload_id", "line", *target.columns))
    con.execute(
        f"""INSERT INTO {target.current} ({target.all_columns})
        SELECT {select} FROM {target.versions} AS v {uploads}
        SEMI JOIN {touched} AS t ON {_on("v", "t", target.grain)}
        GROUP BY {q_list(target.grain, "v")}"""
    )


# --- storing typed rows -------------------------------------------------------------------------------------


@dataclass
class Counts:
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0


_EVERY_ROW = Sql("true")


def _given_twice(typed: Identifier, target: Target, where: Sql = _EVERY_ROW) -> Sql:
    """The keys that more than one accepted row of `typed` (among those `where` keeps) gives."""
    return Sql(f"""(SELECT {q_list(target.key)} FROM {typed} AS t WHERE t.reason IS NULL AND {where}
        GROUP BY ALL HAVING count(*) > 1)""")


def _mark_in_file_conflicts(con: duckdb.DuckDBPyConnection, typed: Identifier, target: Target,
                            values: Identifier, twice: Identifier) -> None:  # fmt: skip
    """A key given twice in one file with different `values` is quarantined on every line that gives it (`twice`:
    the table of the keys given twice, `_given_twice`)."""
    if not con.execute(f"SELECT count(*) FROM {twice}").fetchall()[0][0]:
        return  # most files give each key once
    key = q_list(target.key)
    label = Sql(" || ' / ' || ".join(f"adv_quote({q(k)})" for k in target.key))
    con.execute(
        f"""UPDATE {typed} AS t SET reason = d.why
        FROM (SELECT {key}, $key || ' ' || any_value({label}) || ' is given with different values '
                     || 'on lines ' || array_to_string(list(line ORDER BY line), ', ') AS why
              FROM {typed} AS r SEMI JOIN {twice} AS twice ON {_on("r", "twice", target.key)}
              WHERE reason IS NULL GROUP BY {key} HAVING count(DISTINCT row({values})) > 1) AS d
        WHERE t.reason IS NULL AND {_on("t", "d", target.key)}""",
        {"key": "/".join(target.key)},
    )


def _classify(con: duckdb.DuckDBPyConnection, typed: Identifier, target: Target, status: Identifier,
              compared: tuple[str, ...], twice: Identifier | Sql, where: Sql = _EVERY_ROW) -> None:  # fmt: skip
    """Add `status` (loaded / updated / unchanged, NULL for a repeat of an earlier line) to accepted rows: a
    row whose `compared` columns equal the stored ones is unchanged. `twice`: the keys given twice among the
    rows `where` keeps (`_given_twice`; keys whose every line was quarantined since may be among them)."""
    key = q_list(target.key)
    t_key = q_list(target.key, "t")
    previous: Identifier | Sql
    if target.current_key is None:  # the current row of a key is its latest version
        previous = target.current
    else:
        previous = Sql(f"""(SELECT * FROM {target.versions} AS v SEMI JOIN {typed} AS t ON {_on("v", "t", target.key)}
            QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY upload_id DESC, line DESC) = 1)""")
    # The later lines of a key given twice (numbering only those keys' lines: most files give each key once).
    repeats = Sql(f"""(SELECT t.line FROM {typed} AS t SEMI JOIN {twice} AS k ON {_on("t", "k", target.key)}
        WHERE t.reason IS NULL AND {where} QUALIFY row_number() OVER (PARTITION BY {t_key} ORDER BY t.line) > 1)""")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {typed}_{status} AS
        SELECT t.line,
            CASE WHEN r.line IS NOT NULL THEN NULL
                 WHEN p.upload_id IS NULL THEN 'loaded'
                 WHEN {_same("t", "p", compared)} THEN 'unchanged'
                 ELSE 'updated' END AS {status}
        FROM {typed} AS t LEFT JOIN {previous} AS p ON {_on("t", "p", target.key)}
        LEFT JOIN {repeats} AS r ON r.line = t.line
        WHERE t.reason IS NULL AND {where}"""
    )


def _store(con: duckdb.DuckDBPyConnection, typed: Identifier, target: Target, status: Identifier, upload_id: int,
           where: Sql = _EVERY_ROW) -> None:  # fmt: skip
    """Insert the first line of each accepted key as a version, then refresh the current rows it touches."""
    cols = q_list(target.columns)
    con.execute(
        f"""INSERT INTO {target.versions} ({target.all_columns}) SELECT ?, t.line, {cols}
        FROM {typed} AS t JOIN {typed}_{status} AS s USING (line) WHERE s.{status} IS NOT NULL AND {where}""",
        [upload_id],
    )
    _refresh_stored(con, target, typed, upload_id)


def _refresh_stored(con: duckdb.DuckDBPyConnection, target: Target, typed: Identifier, upload_id: int) -> None:
    """`refresh_current` of the keys an upload just stored versions for: the same current rows, each written once,
    and derived without regrouping every version of its key where that can be done exactly:
    - a key whose only version is the upload's: that version, whole (every column's newest value is its own);
    - a snapshot better than every earlier one of its post (the upload's only one for it): the current row has the
      new snapshot's place and keys, and each figure from it, or where it has none, the figure the current row
      had (the best of the earlier snapshots that measured it). The current row's upload, line, date and
      source are those of the best earlier snapshot, so it tells whether the new one is better.
    The other keys (a post updated by a later file, a late older export) are recomputed from all their versions.
    Where every key is new (a first load, a month of new posts), the upload's versions are the current rows as
    they are: nothing to delete, compare or recompute."""
    on = _on("v", "k", target.grain)
    touched, newer, rest = Identifier(f"{typed}_touched"), Identifier(f"{typed}_newer"), Identifier(f"{typed}_rest")
    # The keys the upload stored versions of, with how many each (`own`). A key without a current row has no
    # earlier version (every key with versions has one): the upload's version is its only one where the upload
    # gave it once and it had no current row.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {touched} AS
        SELECT {q_list(target.grain, "k")}, k.own, k.own = 1 AND c.upload_id IS NULL AS only_version
        FROM (SELECT {q_list(target.grain)}, count(*) AS own FROM {target.versions} WHERE upload_id = ?
              GROUP BY ALL) AS k
        LEFT JOIN {target.current} AS c ON {_on("c", "k", target.grain)}""",
        [upload_id],
    )
    columns = ("upload_id", "line", *target.columns)
    every_new, each_once = con.execute(
        f"SELECT coalesce(bool_and(only_version), true), coalesce(bool_and(own = 1), true) FROM {touched}"
    ).fetchall()[0]
    # The keys whose only version is the upload's take it whole (where every key is new: all of them, no join).
    only = Sql("") if every_new else Sql(f"SEMI JOIN {touched} AS k ON {on} AND k.only_version")
    copy_only = Sql(f"""INSERT INTO {target.current} ({target.all_columns})
        SELECT {q_list(columns, "v")} FROM {target.versions} AS v {only} WHERE v.upload_id = ?""")
    if every_new:
        con.execute(copy_only, [upload_id])
        return
    derived = Sql("")  # the keys whose current row is derived from the new snapshot, left out of the rest
    if target.best is not None:
        kept = (*target.key, *target.grain)
        combined = join_sql(
            Sql(f"v.{q(col)}" if col in ("upload_id", "line", *kept) else f"coalesce(v.{q(col)}, c.{q(col)})")
            for col in columns
        )
        # The upload's snapshots of posts it gave once (every one, in most files: then no join to find them).
        once = Sql("") if each_once else Sql(f"SEMI JOIN {touched} AS k ON {on} AND k.own = 1")
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {newer} AS
            SELECT {combined} FROM {target.versions} AS v {once}
            JOIN {target.current} AS c ON {_on("c", "v", target.grain)}
            WHERE v.upload_id = ? AND {target.best(Identifier("v"))} > {target.best(Identifier("c"))}""",
            [upload_id],
        )
        derived = Sql(f"ANTI JOIN {newer} AS n ON {_on('n', 'k', target.grain)}")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {rest} AS SELECT {q_list(target.grain, "k")} FROM {touched} AS k {derived}
        WHERE NOT k.only_version"""
    )
    con.execute(f"DELETE FROM {target.current} AS cur USING {touched} AS t WHERE {_on('cur', 't', target.grain)}")
    con.execute(copy_only, [upload_id])
    if target.best is not None:
        con.execute(f"INSERT INTO {target.current} ({target.all_columns}) SELECT * FROM {newer}")
    _insert_current(con, target, rest)


def store_typed(con: duckdb.DuckDBPyConnection, typed: Identifier, kind: c.Kind, upload_id: int,
                carried: tuple[str, ...] | None = None) -> Counts:  # fmt: skip
    """Quarantine in-file conflicts, classify and store accepted rows under `upload_id`; return the counts
    (quarantine excluded). `carried`: the columns the rows give (default: the upload's)."""
    target = TARGETS[kind.name]
    if carried is None:
        found = con.execute("SELECT carried FROM uploads WHERE upload_id = ?", [upload_id]).fetchall()
        carried = tuple(found[0][0]) if found and found[0][0] is not None else target.columns
    compared = tuple(col for col in target.values if col in carried)  # what the file says about each key
    # The keys given twice, found once for the in-file conflicts and the classification.
    twice = Identifier(f"{typed}_twice")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {twice} AS SELECT * FROM {_given_twice(typed, target)}")
    if kind is c.POSTS:
        snapshot, has_snapshot = TARGETS["engagement"], Sql("t.has_snapshot")
        _mark_in_file_conflicts(con, typed, target, q_list((*target.values, *snapshot.values)), twice)
        _classify(con, typed, target, Identifier("post_status"), compared, twice)
        _classify(con, typed, snapshot, Identifier("snapshot_status"), snapshot.values,
                  _given_twice(typed, snapshot, has_snapshot), has_snapshot)  # fmt: skip
        _store(con, typed, target, Identifier("post_status"), upload_id)
        _store(con, typed, snapshot, Identifier("snapshot_status"), upload_id, has_snapshot)
        status = Sql("""CASE WHEN p.post_status IS NULL THEN NULL
            WHEN p.post_status = 'loaded' THEN 'loaded'
            WHEN p.post_status = 'updated' OR (t.has_snapshot AND s.snapshot_status <> 'unchanged') THEN 'updated'
            ELSE 'unchanged' END""")
        joins = Sql(f"JOIN {typed}_post_status p USING (line) LEFT JOIN {typed}_snapshot_status s USING (line)")
    else:
        _mark_in_file_conflicts(con, typed, target, q_list(target.values), twice)
        _classify(con, typed, target, Identifier("status"),
                  compared if target.current_key is None else target.values, twice)  # fmt: skip
        _store(con, typed, target, Identifier("status"), upload_id)
        status, joins = Sql("st.status"), Sql(f"JOIN {typed}_status st USING (line)")
    loaded, updated, unchanged = con.execute(
        f"""SELECT count(*) FILTER (WHERE {status} = 'loaded'), count(*) FILTER (WHERE {status} = 'updated'),
                   count(*) FILTER (WHERE {status} IS NULL OR {status} = 'unchanged')
            FROM {typed} AS t {joins}"""
    ).fetchall()[0]
    return Counts(loaded, updated, unchanged)


def quarantine_rows(con: duckdb.DuckDBPyConnection, typed: Identifier, cells: Identifier, kind: c.Kind,
                    upload_id: int, raw_text: Callable[[], Identifier] | None = None) -> int:  # fmt: skip
    """Keep every row with a reason in quarantine, with its text (from the table `raw_text` makes, if given) and
    cells; how many. Nothing is read when no row has a reason (DuckDB 1.5.5 computed every row's cells first)."""
    count = int(con.execute(f"SELECT count(*) FROM {typed} WHERE reason IS NOT NULL").fetchall()[0][0])
    if not count:
        return 0
    cells_json = Sql(
        "to_json(struct_pack(" + ", ".join(f"{q(col.name)} := {q(col.name, 'c')}" for col in kind.columns) + "))"
    )
    text, join = (
        (Sql("rt.raw"), Sql(f"LEFT JOIN {raw_text()} AS rt USING (line)")) if raw_text else (Sql("c.raw"), Sql(""))
    )
    con.execute(
        f"""INSERT INTO quarantine (upload_id, kind, line, raw, reason, cells)
        SELECT ?, ?, t.line, {text}, t.reason, {cells_json}
        FROM {typed} AS t JOIN {cells} AS c USING (line) {join} WHERE t.reason IS NOT NULL""",
        [upload_id, kind.name],
    )
    return count
