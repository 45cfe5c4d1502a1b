"""Load files into the database: one transaction per file, every row loaded, updated, unchanged or quarantined.

The journey of one file:
  read (pipelines.ingest.read)  ->  text cells  ->  convert and check (pipelines.ingest.validate)  ->  store (here).
Storing keeps every accepted row in the kind's versions table under its upload, then refreshes the current
table for the keys the upload touched. Undo deletes an upload's versions and refreshes the same way, which
brings back whatever the upload had replaced. Reprocess runs quarantined rows through the same steps.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines import config
from pipelines.ingest import contract as c
from pipelines.ingest.read import FileRefused, RawFile, read_file
from pipelines.ingest.validate import Reading, build_typed, decide_reading
from pipelines.store.db import connect, install_macros, is_storage_error, q, temp_name


@dataclass(frozen=True)
class LoadOptions:
    kind: str | None = None  # force the file kind instead of detecting it from the headers
    export_date: date | None = None  # date of the export: the snapshot date of engagement rows without as_of
    author: str | None = None  # the employee of a file without an author column (LinkedIn Shares.csv)
    date_order: str | None = None  # "dmy" or "mdy" where the values do not tell
    loaded_by: str | None = None  # who uploads (default: the OS user)
    display_name: str | None = None  # the file's name as the user knows it (uploads arrive as temp files)


@dataclass
class LoadResult:
    file: str
    kind: str | None = None
    upload_id: int | None = None
    rows_read: int = 0
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    refused: str | None = None
    already_loaded: bool = False
    dialect: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)  # quarantine reason (without values) -> rows

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        dialect = out.pop("dialect")
        for key in ("encoding", "delimiter", "date_order", "header_row", "sheet"):
            out[key] = dialect.get(key)
        out["dialect"] = dialect
        return out


# --- where each kind is stored ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    versions: str
    current: str
    key: tuple[str, ...]  # one version per key per upload
    columns: tuple[str, ...]  # stored columns after upload_id and line (extra last)
    current_key: tuple[str, ...] | None = None  # one current row per this (default: key)
    newest_first: str = "upload_id DESC, line DESC"

    @property
    def values(self) -> tuple[str, ...]:
        """Columns compared to tell an updated row from an unchanged one."""
        return tuple(col for col in self.columns if col not in self.key and col != "extra")

    @property
    def grain(self) -> tuple[str, ...]:
        return self.current_key or self.key


TARGETS: dict[str, Target] = {
    "employees": Target(
        "employee_versions", "employees", ("employee_id",),
        ("employee_id", "full_name", "email", "team", "role", "joined_on", "left_on", "contest_opt_in", "extra"),
    ),
    "teams": Target("team_versions", "teams", ("team",), ("team", "headcount", "charter_adopted_on", "extra")),
    "posts": Target(
        "post_versions", "posts", ("post_id",),
        ("post_id", "employee_id", "published_at", "network", "format", "title", "extra"),
    ),
    "engagement": Target(
        "engagement_snapshots", "post_engagement", ("post_id", "as_of"),
        ("post_id", "as_of", "impressions", "reactions", "comments", "shares", "clicks", "engagements", "extra"),
        current_key=("post_id",), newest_first="as_of DESC, upload_id DESC, line DESC",
    ),
    "incidents": Target(
        "incident_versions", "incidents", ("incident_id",),
        ("incident_id", "occurred_on", "team", "employee_id", "post_id", "severity", "category", "description",
         "extra"),
    ),
    "contests": Target(
        "contest_versions", "contests", ("contest_id",),
        ("contest_id", "name", "starts_on", "ends_on", "teams", "min_posts", "extra"),
    ),
    "jury_scores": Target(
        "jury_score_versions", "jury_scores", ("contest_id", "post_id", "judge"),
        ("contest_id", "post_id", "judge", "score", "extra"),
    ),
}  # fmt: skip


def _on(left: str, right: str, columns: tuple[str, ...]) -> str:
    return " AND ".join(f"{left}.{q(k)} = {right}.{q(k)}" for k in columns)


def _same(left: str, right: str, columns: tuple[str, ...]) -> str:
    return " AND ".join(f"{left}.{q(k)} IS NOT DISTINCT FROM {right}.{q(k)}" for k in columns) or "true"


def refresh_current(con: duckdb.DuckDBPyConnection, target: Target, touched: str) -> None:
    """Recompute the current rows of the keys listed in the temp table `touched`."""
    grain = ", ".join(q(k) for k in target.grain)
    cols = ", ".join(["upload_id", "line", *(q(col) for col in target.columns)])
    con.execute(f"DELETE FROM {target.current} AS cur USING {touched} AS t WHERE {_on('cur', 't', target.grain)}")
    con.execute(
        f"""INSERT INTO {target.current}
        SELECT {cols} FROM {target.versions} AS v SEMI JOIN {touched} AS t ON {_on("v", "t", target.grain)}
        QUALIFY row_number() OVER (PARTITION BY {grain} ORDER BY {target.newest_first}) = 1"""
    )


def advance_current(con: duckdb.DuckDBPyConnection, target: Target, touched: str, upload_id: int) -> None:
    """After an upload added versions: each touched key's current row becomes the newest of its current row and
    the upload's versions. The same result as `refresh_current`, without reading every older version again."""
    grain = ", ".join(q(k) for k in target.grain)
    cols = ", ".join(["upload_id", "line", *(q(col) for col in target.columns)])
    winners = f"{touched}_winners"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {winners} AS
        SELECT {cols} FROM (
            SELECT {cols} FROM {target.versions} WHERE upload_id = ?
            UNION ALL
            SELECT {cols} FROM {target.current} AS cur SEMI JOIN {touched} AS t ON {_on("cur", "t", target.grain)})
        QUALIFY row_number() OVER (PARTITION BY {grain} ORDER BY {target.newest_first}) = 1""",
        [upload_id],
    )
    con.execute(f"DELETE FROM {target.current} AS cur USING {touched} AS t WHERE {_on('cur', 't', target.grain)}")
    con.execute(f"INSERT INTO {target.current} SELECT * FROM {winners}")


# --- storing typed rows -------------------------------------------------------------------------------------


@dataclass
class Counts:
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0


def _mark_in_file_conflicts(con: duckdb.DuckDBPyConnection, typed: str, target: Target, extra_values: str) -> None:
    """A key given twice in one file with different values is quarantined on every line that gives it."""
    key = ", ".join(q(k) for k in target.key)
    values = ", ".join(q(v) for v in target.values) + extra_values
    label = " || ' / ' || ".join(f"adv_quote({q(k)})" for k in target.key)
    con.execute(
        f"""UPDATE {typed} AS t SET reason = d.why
        FROM (SELECT {key}, '{"/".join(target.key)} ' || any_value({label}) || ' is given with different values '
                     || 'on lines ' || array_to_string(list(line ORDER BY line), ', ') AS why
              FROM {typed} AS r SEMI JOIN (
                  SELECT {key} FROM {typed} WHERE reason IS NULL GROUP BY {key} HAVING count(*) > 1) AS twice
                  ON {_on("r", "twice", target.key)}
              WHERE reason IS NULL GROUP BY {key} HAVING count(DISTINCT row({values})) > 1) AS d
        WHERE t.reason IS NULL AND {_on("t", "d", target.key)}"""
    )


def _classify(con: duckdb.DuckDBPyConnection, typed: str, target: Target, status: str, where: str = "true") -> None:
    """Add `status` (loaded / updated / unchanged, NULL for a repeat of an earlier line) to accepted rows."""
    key = ", ".join(q(k) for k in target.key)
    t_key = ", ".join(f"t.{q(k)}" for k in target.key)
    if target.current_key is None:  # the current row of a key is its latest version
        previous = target.current
    else:
        previous = f"""(SELECT * FROM {target.versions} AS v SEMI JOIN {typed} AS t ON {_on("v", "t", target.key)}
            QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY upload_id DESC, line DESC) = 1)"""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {typed}_{status} AS
        SELECT t.line,
            CASE WHEN row_number() OVER (PARTITION BY {t_key} ORDER BY t.line) > 1 THEN NULL
                 WHEN p.upload_id IS NULL THEN 'loaded'
                 WHEN {_same("t", "p", target.values)} THEN 'unchanged'
                 ELSE 'updated' END AS {status}
        FROM {typed} AS t LEFT JOIN {previous} AS p ON {_on("t", "p", target.key)}
        WHERE t.reason IS NULL AND {where}"""
    )


def _store(con: duckdb.DuckDBPyConnection, typed: str, target: Target, status: str, upload_id: int,
           where: str = "true") -> None:  # fmt: skip
    """Insert the first line of each accepted key as a version, then refresh the current rows it touches."""
    cols = ", ".join(q(col) for col in target.columns)
    con.execute(
        f"""INSERT INTO {target.versions} SELECT ?, t.line, {cols}
        FROM {typed} AS t JOIN {typed}_{status} AS s USING (line) WHERE s.{status} IS NOT NULL AND {where}""",
        [upload_id],
    )
    touched = f"{typed}_touched"
    grain = ", ".join(q(k) for k in target.grain)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {touched} AS
        SELECT DISTINCT {grain} FROM {target.versions} WHERE upload_id = ?""",
        [upload_id],
    )
    advance_current(con, target, touched, upload_id)


def store_typed(con: duckdb.DuckDBPyConnection, typed: str, kind: c.Kind, upload_id: int) -> Counts:
    """Quarantine in-file conflicts, classify and store accepted rows; return the counts (quarantine excluded)."""
    target = TARGETS[kind.name]
    if kind is c.POSTS:
        snapshot = ", " + ", ".join(q(col) for col in TARGETS["engagement"].values)
        _mark_in_file_conflicts(con, typed, target, snapshot)
        _classify(con, typed, target, "post_status")
        _classify(con, typed, TARGETS["engagement"], "snapshot_status", "t.has_snapshot")
        _store(con, typed, target, "post_status", upload_id)
        _store(con, typed, TARGETS["engagement"], "snapshot_status", upload_id, "t.has_snapshot")
        status = """CASE WHEN p.post_status IS NULL THEN NULL
            WHEN p.post_status = 'loaded' THEN 'loaded'
            WHEN p.post_status = 'updated' OR (t.has_snapshot AND s.snapshot_status <> 'unchanged') THEN 'updated'
            ELSE 'unchanged' END"""
        joins = f"JOIN {typed}_post_status p USING (line) LEFT JOIN {typed}_snapshot_status s USING (line)"
    else:
        _mark_in_file_conflicts(con, typed, target, "")
        _classify(con, typed, target, "status")
        _store(con, typed, target, "status", upload_id)
        status, joins = "st.status", f"JOIN {typed}_status st USING (line)"
    loaded, updated, unchanged = con.execute(
        f"""SELECT count(*) FILTER (WHERE {status} = 'loaded'), count(*) FILTER (WHERE {status} = 'updated'),
                   count(*) FILTER (WHERE {status} IS NULL OR {status} = 'unchanged')
            FROM {typed} AS t {joins}"""
    ).fetchall()[0]
    return Counts(loaded, updated, unchanged)


def quarantine_rows(con: duckdb.DuckDBPyConnection, typed: str, cells: str, kind: c.Kind, upload_id: int,
                    raw_text: str | None = None) -> int:  # fmt: skip
    """Keep every row with a reason in quarantine, with its text (from `raw_text` if given) and cells."""
    cells_json = "json_object(" + ", ".join(f"'{col.name}', c.{q(col.name)}" for col in kind.columns) + ")"
    text, join = ("rt.raw", f"LEFT JOIN {raw_text} AS rt USING (line)") if raw_text else ("c.raw", "")
    con.execute(
        f"""INSERT INTO quarantine SELECT ?, ?, t.line, {text}, t.reason, {cells_json}
        FROM {typed} AS t JOIN {cells} AS c USING (line) {join} WHERE t.reason IS NOT NULL""",
        [upload_id, kind.name],
    )
    return int(con.execute(f"SELECT count(*) FROM {typed} WHERE reason IS NOT NULL").fetchall()[0][0])


# --- one file -----------------------------------------------------------------------------------------------

LINKEDIN_EXPORT = re.compile(r"_(\d{13})\.xlsx$", re.IGNORECASE)


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _export_date(name: str, options: LoadOptions, notes: list[str]) -> date:
    if options.export_date:
        return options.export_date
    if found := LINKEDIN_EXPORT.search(name):
        day = datetime.fromtimestamp(int(found.group(1)) / 1000, tz=UTC).date()
        notes.append(f"export date {day.isoformat()} taken from the LinkedIn file name")
        return day
    return datetime.now(tz=UTC).date()


def _cells_view(con: duckdb.DuckDBPyConnection, raw: RawFile, author: str | None) -> str:
    """A view of the text cells by canonical column, blank rows left out: read once, by the conversion."""
    cells = f"{raw.table}_cells"
    # A view cannot hold bound parameters: the file's header names and the given author are session variables.
    con.execute("SET VARIABLE adv_author = ?", [author])
    con.execute("SET VARIABLE adv_headers = ?", [list(raw.header)])
    selects = []
    for col in raw.kind.columns:
        source = raw.cell_sql(col.name)
        if col.name == "author" and source is None and author is not None:
            source = "getvariable('adv_author')::VARCHAR"
        selects.append(f"adv_blank({source}) AS {q(col.name)}" if source else f"NULL::VARCHAR AS {q(col.name)}")
    aside = [i for i in raw.match.aside if raw.header[i].strip()]
    extra = "NULL::JSON"
    if aside:
        extra = "json_object(" + ", ".join(f"getvariable('adv_headers')[{i + 1}], c{i}" for i in aside) + ")"
    blank = " AND ".join(f"adv_blank(c{i}) IS NULL" for i in range(len(raw.header)))
    con.execute(
        f"""CREATE TEMP VIEW {cells} AS SELECT line, NULL::VARCHAR AS raw, {extra} AS extra, {", ".join(selects)}
        FROM {raw.table} WHERE NOT ({blank})"""
    )
    return cells


def _raw_text(con: duckdb.DuckDBPyConnection, raw: RawFile, typed: str) -> str:
    """The text of each row going to quarantine, as the file gave it (only those rows need it)."""
    delimiter = raw.delimiter or "\t"
    all_cells = ", ".join(f"adv_csv_cell(r.c{i}, $delimiter)" for i in range(len(raw.header)))
    table = f"{typed}_raw"
    con.execute(
        f"""CREATE TEMP TABLE {table} AS SELECT r.line, concat_ws($delimiter, {all_cells}) AS raw
        FROM {raw.table} AS r SEMI JOIN (SELECT line FROM {typed} WHERE reason IS NOT NULL) AS t USING (line)""",
        {"delimiter": delimiter},
    )
    return table


def _insert_upload(con: duckdb.DuckDBPyConnection, result: LoadResult, digest: str, by: str,
                   duplicate_of: int | None = None) -> None:  # fmt: skip
    con.execute(
        """INSERT INTO uploads VALUES ($id, $file, $checksum, $kind, $read, $loaded, $updated, $unchanged,
            $quarantined, $export_date, $dialect, $notes, $duplicate_of, current_timestamp, $by, NULL, NULL)""",
        {
            "id": result.upload_id,
            "file": result.file,
            "checksum": digest,
            "kind": result.kind,
            "read": result.rows_read,
            "loaded": result.loaded,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "quarantined": result.quarantined,
            "export_date": result.dialect.get("export_date"),
            "dialect": json.dumps(result.dialect),
            "notes": result.notes,
            "duplicate_of": duplicate_of,
            "by": by,
        },
    )


def _reasons(con: duckdb.DuckDBPyConnection, upload_id: int) -> dict[str, int]:
    """Quarantine reasons of an upload with the row's own value taken out, most frequent first."""
    rows = con.execute(
        """SELECT regexp_replace(reason, '''[^'']*''|"[^"]*"|lines [0-9, ]+', '…', 'g') AS why, count(*)
        FROM quarantine WHERE upload_id = ? GROUP BY why ORDER BY count(*) DESC, why""",
        [upload_id],
    ).fetchall()
    return {why: n for why, n in rows}


def load_file(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions) -> LoadResult:
    """Load one file in one transaction; a refused file changes nothing."""
    result = LoadResult(file=options.display_name or path.name)
    if too_big := _over_size_limit(path):
        result.refused = too_big
        return result
    by = options.loaded_by or getpass.getuser()
    try:
        digest = checksum(path)
    except OSError as error:
        result.refused = f"cannot be read: {error.strerror or error}"
        return result
    try:
        with transaction(con):
            if not _load_duplicate(con, result, digest, by):
                _load_new(con, path, options, result, digest, by)
    except FileRefused as refusal:
        result.refused, result.upload_id = str(refusal), None
    except (duckdb.Error, OSError, ValueError) as error:
        if is_storage_error(error):  # a full disk or a read-only folder: the database's fault, not the file's
            raise
        # A fault of ours or of the machine: the file is not loaded, and the message says which and why.
        result.refused, result.upload_id = f"could not be loaded ({type(error).__name__}: {error})", None
    return result


def _over_size_limit(path: Path) -> str | None:
    """Why a file is too big to read (settings are read now, so a test or a caller can change them), else None."""
    limit = config.settings().max_upload_mb
    try:
        size = path.stat().st_size / 2**20  # MB as the upload widget counts them
    except OSError:
        return None  # said by the reading that follows
    if size <= limit:
        return None
    shown, cap = (f"{mb:,.1f}".removesuffix(".0") for mb in (math.ceil(size * 10) / 10, limit))
    return f"{shown} MB is over the {cap} MB limit (ADVOCACY_MAX_UPLOAD_MB)"


def _load_duplicate(con: duckdb.DuckDBPyConnection, result: LoadResult, digest: str, by: str) -> bool:
    """A file already loaded (same bytes) changes nothing; it is recorded and its rows count as unchanged."""
    earlier = con.execute(
        """SELECT upload_id, kind, rows_read, dialect FROM uploads
        WHERE checksum = ? AND undone_at IS NULL AND duplicate_of IS NULL ORDER BY upload_id LIMIT 1""",
        [digest],
    ).fetchall()
    if not earlier:
        return False
    upload_id, kind, rows_read, dialect = earlier[0]
    result.upload_id = con.execute("SELECT nextval('upload_ids')").fetchall()[0][0]
    result.kind, result.rows_read, result.unchanged = kind, rows_read, rows_read
    result.dialect = json.loads(dialect) if dialect else {}
    result.already_loaded = True
    result.notes.append(f"already loaded as upload {upload_id}: nothing changed")
    _insert_upload(con, result, digest, by, duplicate_of=upload_id)
    return True


def _load_new(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions, result: LoadResult,
              digest: str, by: str) -> None:  # fmt: skip
    install_macros(con)
    table = temp_name()
    raw = read_file(con, path, table, kind=options.kind, author_given=options.author is not None)
    result.kind = raw.kind.name
    result.upload_id = con.execute("SELECT nextval('upload_ids')").fetchall()[0][0]
    export_date = _export_date(result.file, options, result.notes)
    cells = _cells_view(con, raw, options.author if raw.kind is c.POSTS else None)
    try:
        reading = decide_reading(
            con, cells, raw.kind, delimiter=raw.delimiter, french=raw.french,
            date_order=options.date_order, export_date=export_date,
        )  # fmt: skip
    except ValueError as error:
        raise FileRefused(str(error)) from error
    result.dialect = {
        "encoding": raw.encoding,
        "delimiter": raw.delimiter,
        "date_order": reading.date_order,
        "date_order_reason": reading.date_order_reason,
        "decimal_comma": reading.decimal_comma,
        "header_row": raw.header_row,
        "sheet": raw.sheet,
        "export_date": export_date.isoformat(),
    }
    result.notes.extend(reading.notes)
    aside = [raw.header[i] for i in raw.match.aside if raw.header[i].strip()]
    if aside:
        result.notes.append("columns kept aside: " + ", ".join(aside))
    typed = build_typed(con, cells, raw.kind, reading)
    blank_rows = con.execute(f"SELECT (SELECT count(*) FROM {raw.table}) - (SELECT count(*) FROM {typed})")
    if skipped := blank_rows.fetchall()[0][0]:
        result.notes.append(f"{skipped} empty row(s) skipped")
    counts = store_typed(con, typed, raw.kind, result.upload_id)
    quarantined = quarantine_rows(con, typed, cells, raw.kind, result.upload_id, _raw_text(con, raw, typed))
    for line, text, reason in raw.rejects:
        con.execute(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, NULL)",
            [result.upload_id, raw.kind.name, line, text, reason],
        )
    result.loaded, result.updated, result.unchanged = counts.loaded, counts.updated, counts.unchanged
    result.quarantined = quarantined + len(raw.rejects)
    result.rows_read = result.loaded + result.updated + result.unchanged + result.quarantined
    result.reasons = _reasons(con, result.upload_id)
    _insert_upload(con, result, digest, by)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, *, commit: bool = True) -> Iterator[None]:
    """All or nothing: commit at the end of the block (or roll back, for a dry run), roll back on any error."""
    con.execute("BEGIN")
    try:
        yield
        con.execute("COMMIT" if commit else "ROLLBACK")
    except BaseException:
        # A COMMIT that failed (a full disk) has ended the transaction already: its error is the one to tell.
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        with suppress(duckdb.Error):
            _drop_temp_tables(con)
        raise
    _drop_temp_tables(con)


def _drop_temp_tables(con: duckdb.DuckDBPyConnection) -> None:
    for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal").fetchall():
        con.execute(f"DROP VIEW IF EXISTS temp.main.{q(name)}")
    for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall():
        con.execute(f"DROP TABLE IF EXISTS temp.main.{q(name)}")


def load_paths(db: str | Path, paths: list[Path], options: LoadOptions | None = None) -> list[LoadResult]:
    """Load each file in its own transaction; a refused file leaves the database as it was."""
    options = options or LoadOptions()
    with connect(db) as con:
        return [load_file(con, Path(path), options) for path in paths]


# --- reprocess, undo, charter -------------------------------------------------------------------------------


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
                WHERE qr.upload_id = u.upload_id AND qr.cells IS NOT NULL)
            ORDER BY u.upload_id"""
        ).fetchall()
        for upload_id, file_name, kind_name, dialect_json in uploads:
            with transaction(con):
                kind, dialect = c.KINDS[kind_name], json.loads(dialect_json)
                results.append(_reprocess_upload(con, upload_id, file_name, kind, dialect))
    return results


def _reprocess_upload(con: duckdb.DuckDBPyConnection, upload_id: int, file_name: str, kind: c.Kind,
                      dialect: dict[str, Any]) -> ReprocessResult:  # fmt: skip
    cells = f"{temp_name()}_cells"
    columns = ", ".join(f"adv_blank(cells ->> '{col.name}') AS {q(col.name)}" for col in kind.columns)
    con.execute(
        f"""CREATE TEMP TABLE {cells} AS SELECT line, raw, NULL::JSON AS extra, {columns}
        FROM quarantine WHERE upload_id = ? AND cells IS NOT NULL""",
        [upload_id],
    )
    reading = Reading(
        decimal_comma=bool(dialect.get("decimal_comma")),
        date_order=dialect.get("date_order") or "dmy",
        date_order_reason="as when first loaded",
        export_date=date.fromisoformat(dialect["export_date"]),
    )
    typed = build_typed(con, cells, kind, reading)
    counts = store_typed(con, typed, kind, upload_id)
    con.execute(
        f"""DELETE FROM quarantine AS qr USING {typed} AS t
        WHERE qr.upload_id = ? AND qr.line = t.line AND t.reason IS NULL""",
        [upload_id],
    )
    con.execute(
        f"""UPDATE quarantine AS qr SET reason = t.reason FROM {typed} AS t
        WHERE qr.upload_id = ? AND qr.line = t.line""",
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
    removed: dict[str, int] = {}
    restored = deleted = 0
    for target in TARGETS.values():
        grain = ", ".join(q(k) for k in target.grain)
        touched = f"undo_{target.versions}"
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


def set_charter(db: str | Path, day: date, team: str | None = None, by: str | None = None) -> LoadResult:
    """Set the organisation's (team None) or one team's charter date, as an upload that can be undone."""
    name = team or "*"
    with connect(db) as con:
        install_macros(con)
        headcount = con.execute("SELECT headcount FROM teams WHERE team = ?", [name]).fetchall()
        rows = [{"team": name, "headcount": headcount[0][0] if headcount else None, "charter_adopted_on": day}]
        return load_rows(con, c.TEAMS, rows, f"charter set {day.isoformat()} for {team or 'the organisation'}",
                         by or getpass.getuser())  # fmt: skip


def load_rows(con: duckdb.DuckDBPyConnection, kind: c.Kind, rows: list[dict[str, Any]], name: str,
              by: str) -> LoadResult:  # fmt: skip
    """Load rows given as values (not a file) through the same checks, as one upload."""
    result = LoadResult(file=name, kind=kind.name)
    digest = hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()
    cells = f"{temp_name()}_cells"
    with transaction(con):
        columns = ", ".join(f"NULL::VARCHAR AS {q(col.name)}" for col in kind.columns)
        con.execute(
            f"CREATE TEMP TABLE {cells} AS SELECT NULL::BIGINT AS line, NULL::VARCHAR AS raw, "
            f"NULL::JSON AS extra, {columns} LIMIT 0"
        )
        for line, row in enumerate(rows, start=1):
            names = ", ".join(q(k) for k in row)
            marks = ", ".join("?" for _ in row)
            values = [None if v is None else str(v) for v in row.values()]
            con.execute(
                f"INSERT INTO {cells} (line, raw, {names}) VALUES (?, ?, {marks})",
                [line, json.dumps(row, default=str), *values],
            )
        result.upload_id = con.execute("SELECT nextval('upload_ids')").fetchall()[0][0]
        today = datetime.now(tz=UTC).date()
        reading = Reading(False, "dmy", "ISO values", today)
        result.dialect = {"export_date": today.isoformat()}
        typed = build_typed(con, cells, kind, reading)
        counts = store_typed(con, typed, kind, result.upload_id)
        result.quarantined = quarantine_rows(con, typed, cells, kind, result.upload_id)
        result.loaded, result.updated, result.unchanged = counts.loaded, counts.updated, counts.unchanged
        result.rows_read = len(rows)
        result.reasons = _reasons(con, result.upload_id)
        _insert_upload(con, result, digest, by)
    return result
