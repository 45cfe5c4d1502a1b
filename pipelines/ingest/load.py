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
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines import config
from pipelines.ingest import contract as c
from pipelines.ingest.read import CREATOR_EXPORT, FileRefused, RawFile, read_file
from pipelines.ingest.validate import Reading, build_typed, decide_reading, fold_boosted_posts
from pipelines.ingest.versions import quarantine_rows, store_typed
from pipelines.store import ledger
from pipelines.store.db import (
    MEMORY,
    Identifier,
    Sql,
    connect,
    install_macros,
    is_conflict,
    is_storage_error,
    join_sql,
    q,
    q_list,
    retry_conflicts,
    temp_name,
    transaction,
)


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
    merged: int = 0  # rows folded into another row of the file (a boosted post's Sponsored and Total rows)
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
    if found := CREATOR_EXPORT.search(name):  # the period's last day
        day = date.fromisoformat(found.group(2))
        notes.append(f"export date {day.isoformat()} (the period's end) taken from the LinkedIn file name")
        return day
    return datetime.now(tz=UTC).date()


KNOWN_NETWORKS = ("linkedin", "x", "twitter", "facebook", "instagram", "tiktok", "youtube", "xing", "mastodon",
                  "bluesky", "threads", "viadeo", "pinterest")  # fmt: skip


def _warnings(con: duckdb.DuckDBPyConnection, typed: Identifier, kind: c.Kind, export_date: date) -> list[str]:
    """What loads but deserves a look (contract: 'Warnings, not silence')."""
    notes = []
    if kind in (c.POSTS, c.ENGAGEMENT):
        dated = Sql("published_at::DATE" if kind is c.POSTS else "as_of")
        (later,) = con.execute(
            f"SELECT count(*) FROM {typed} WHERE reason IS NULL AND {dated} > ?", [export_date]
        ).fetchall()[0]
        if later:
            what = "post(s) published" if kind is c.POSTS else "snapshot(s) dated"
            notes.append(f"{later} {what} after the export date {export_date.isoformat()}: check the export date, "
                         "or the order of day and month")  # fmt: skip
    if kind is c.POSTS:
        unknown = con.execute(
            f"""SELECT network, count(*) FROM {typed} WHERE reason IS NULL AND NOT list_contains(?, network)
            GROUP BY network ORDER BY count(*) DESC, network LIMIT 5""",
            [list(KNOWN_NETWORKS)],
        ).fetchall()
        for network, n in unknown:
            notes.append(f"network {network!r} ({n} post(s)) is not one we know: kept as written")
    if kind is c.ENGAGEMENT:
        (waiting,) = con.execute(
            f"""SELECT count(DISTINCT post_id) FROM {typed} AS t ANTI JOIN posts AS p USING (post_id)
            WHERE t.reason IS NULL"""
        ).fetchall()[0]
        if waiting:
            notes.append(f"{waiting} post(s) with figures here are not in the database yet: their figures are kept, "
                         "and counted once a posts file brings them")  # fmt: skip
    return notes


def _post_id_notes(con: duckdb.DuckDBPyConnection, typed: Identifier) -> list[str]:
    """What the file's post ids cannot say (contract: 'LinkedIn post ids')."""
    shares, short = con.execute(
        # An activity urn, the usual id, is neither: only the others are looked at.
        f"""SELECT count(*) FILTER (WHERE starts_with(post_id, 'urn:li:share:')
                                     OR starts_with(post_id, 'urn:li:ugcPost:')),
                   count(*) FILTER (WHERE contains(lower(post_id), 'lnkd.in/'))
        FROM {typed} WHERE reason IS NULL AND NOT starts_with(post_id, 'urn:li:activity:')"""
    ).fetchall()[0]
    notes = []
    if shares:
        notes.append(f"{shares} post id(s) are share or ugcPost ids: the same post given elsewhere by its activity "
                     "id is another key (only LinkedIn's API joins the two numbers)")  # fmt: skip
    if short:
        notes.append(f"{short} post id(s) are short links (lnkd.in): kept as they are, they cannot be resolved "
                     "offline to the post they point to")  # fmt: skip
    return notes


def _cells_view(con: duckdb.DuckDBPyConnection, raw: RawFile, author: str | None) -> tuple[Identifier, Identifier]:
    """Views of the text cells by canonical column: blank rows left out (read once, by the conversion), and every
    row (for what a blank row cannot change, without testing every cell of every row for blanks)."""
    cells = Identifier(f"{raw.table}_cells")
    # A view cannot hold bound parameters: the file's header names and the given author are session variables.
    con.execute("SET VARIABLE adv_author = ?", [author])
    con.execute("SET VARIABLE adv_headers = ?", [list(raw.header)])
    selects = []
    for col in raw.kind.columns:
        source: Identifier | Sql | None = raw.cell_sql(col.name)
        if col.name == "author" and source is None and author is not None:
            source = Sql("getvariable('adv_author')::VARCHAR")
        selects.append(Sql(f"adv_blank({source}) AS {q(col.name)}" if source else f"NULL::VARCHAR AS {q(col.name)}"))
    aside = [i for i in raw.match.aside if raw.header[i].strip()]
    extra = Sql("NULL::JSON")
    if aside:
        extra = Sql("json_object(" + ", ".join(f"getvariable('adv_headers')[{i + 1}], c{i}" for i in aside) + ")")
    blank = Sql(" AND ".join(f"adv_blank(c{i}) IS NULL" for i in range(len(raw.header))))
    every = Identifier(f"{cells}_every_row")
    con.execute(
        f"""CREATE TEMP VIEW {every} AS SELECT line, NULL::VARCHAR AS raw, {extra} AS extra, {join_sql(selects)},
            {blank} AS blank_row FROM {raw.table}"""
    )
    con.execute(f"CREATE TEMP VIEW {cells} AS SELECT * EXCLUDE (blank_row) FROM {every} WHERE NOT blank_row")
    return cells, every


def _raw_text(con: duckdb.DuckDBPyConnection, raw: RawFile, typed: Identifier) -> Identifier:
    """The text of each row going to quarantine, as the file gave it (only those rows need it)."""
    delimiter = raw.delimiter or "\t"
    all_cells = Sql(", ".join(f"adv_csv_cell(r.c{i}, $delimiter)" for i in range(len(raw.header))))
    table = Identifier(f"{typed}_raw")
    con.execute(
        f"""CREATE TEMP TABLE {table} AS SELECT r.line, concat_ws($delimiter, {all_cells}) AS raw
        FROM {raw.table} AS r SEMI JOIN (SELECT line FROM {typed} WHERE reason IS NOT NULL) AS t USING (line)""",
        {"delimiter": delimiter},
    )
    return table


def _insert_upload(con: duckdb.DuckDBPyConnection, result: LoadResult, digest: str, by: str,
                   carried: tuple[str, ...] | None = None, duplicate_of: int | None = None) -> None:  # fmt: skip
    """Record the upload (before its rows are stored: the current rows read what it carries)."""
    con.execute(
        """INSERT INTO uploads (upload_id, file_name, checksum, kind, rows_read, loaded, updated, unchanged,
            quarantined, export_date, dialect, notes, duplicate_of, loaded_at, loaded_by, carried, source)
        VALUES ($id, $file, $checksum, $kind, $read, $loaded, $updated, $unchanged, $quarantined, $export_date,
            $dialect, $notes, $duplicate_of, current_timestamp, $by, $carried, $source)""",
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
            "carried": list(carried) if carried is not None else None,
            "source": result.dialect.get("source"),
        },
    )


def _next_upload_id(con: duckdb.DuckDBPyConnection) -> int:
    """The last upload's id + 1: inside a write transaction, which no other writer runs beside (db.transaction)."""
    return int(con.execute("SELECT coalesce(max(upload_id), 0) + 1 FROM uploads").fetchall()[0][0])


def _record_counts(con: duckdb.DuckDBPyConnection, result: LoadResult) -> None:
    """The upload's counts and notes, once its rows are stored."""
    con.execute(
        """UPDATE uploads SET rows_read = ?, loaded = ?, updated = ?, unchanged = ?, quarantined = ?, merged = ?,
            notes = ?, dialect = ? WHERE upload_id = ?""",
        [result.rows_read, result.loaded, result.updated, result.unchanged, result.quarantined, result.merged,
         result.notes, json.dumps(result.dialect), result.upload_id],
    )  # fmt: skip


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
    result, digest = _before_reading(path, options)
    if digest is None:
        return result
    return retry_conflicts(lambda: _load_file_once(con, path, options, LoadResult(file=result.file), digest))


def _before_reading(path: Path, options: LoadOptions) -> tuple[LoadResult, str | None]:
    """The file's result so far and its checksum; no checksum where it is refused already (too big, unreadable)."""
    result = LoadResult(file=options.display_name or path.name)
    if too_big := _over_size_limit(path):
        result.refused = too_big
        return result, None
    try:
        return result, checksum(path)
    except OSError as error:
        result.refused = f"cannot be read: {error.strerror or error}"
        return result, None


def _load_file_once(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions, result: LoadResult,
                    digest: str) -> LoadResult:  # fmt: skip
    try:
        with transaction(con):
            _load_in_transaction(con, path, options, result, digest)
    except (FileRefused, duckdb.Error, OSError, ValueError) as error:
        _refuse(result, error)
    return result


def _load_in_transaction(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions, result: LoadResult,
                         digest: str) -> None:  # fmt: skip
    by = options.loaded_by or getpass.getuser()
    if not _load_duplicate(con, result, digest, by):
        _load_new(con, path, options, result, digest, by)


def _refuse(result: LoadResult, error: FileRefused | duckdb.Error | OSError | ValueError) -> None:
    """Record why the file was not loaded (its transaction is rolled back), or raise what is not the file's."""
    if isinstance(error, FileRefused):
        result.refused, result.upload_id = str(error), None
        return
    # A full disk or a read-only folder is the database's fault, not the file's; a lake's conflict with another
    # writer is tried again.
    if is_storage_error(error) or is_conflict(error):
        raise error
    # A fault of ours or of the machine: the file is not loaded, and the message says which and why.
    result.refused, result.upload_id = f"could not be loaded ({type(error).__name__}: {error})", None


def dry_run(db: str | Path, files: list[tuple[Path, LoadOptions]]) -> tuple[list[LoadResult], list[dict[str, Any]]]:
    """What loading the files in turn would do, nothing written: their results, and the lines they would put in
    quarantine (`ledger.quarantined`'s rows). They load in one transaction, rolled back at the end, so each file
    sees the ones before it as a real load would. A refused file is taken out and the others loaded again: its
    writes, or the transaction an error of the database aborted, go with the rollback. A database file that does
    not exist yet is not made: the files are tried on a new one in a temporary folder."""
    location = config.database(db)
    if isinstance(location, Path) and location != MEMORY and not location.exists():
        with tempfile.TemporaryDirectory(prefix="advocacy-dry-run-") as folder:
            return _dry_run(Path(folder) / "new.duckdb", files)
    return _dry_run(location, files)


def _dry_run(
    db: config.Database, files: list[tuple[Path, LoadOptions]]
) -> tuple[list[LoadResult], list[dict[str, Any]]]:
    checked = [(path, options, *_before_reading(path, options)) for path, options in files]
    refused: dict[int, LoadResult] = {i: result for i, (_, _, result, digest) in enumerate(checked) if digest is None}
    with connect(db) as con:
        while True:
            results: list[LoadResult] = []
            with transaction(con, commit=False):
                for i, (path, options, first, digest) in enumerate(checked):
                    if i in refused or digest is None:
                        results.append(refused[i])
                        continue
                    result = LoadResult(file=first.file)
                    try:
                        _load_in_transaction(con, path, options, result, digest)
                    except (FileRefused, duckdb.Error, OSError, ValueError) as error:
                        _refuse(result, error)
                        refused[i] = result
                        break  # rolled back: the files before it load again without it
                    results.append(result)
                else:
                    lines = [row for r in results if r.upload_id is not None and r.quarantined
                             for row in ledger.quarantined(con, r.upload_id)]  # fmt: skip
                    return results, lines


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
    result.upload_id = _next_upload_id(con)
    result.kind, result.rows_read, result.unchanged = kind, rows_read, rows_read
    result.dialect = json.loads(dialect) if dialect else {}
    result.already_loaded = True
    earlier_name = con.execute("SELECT file_name FROM uploads WHERE upload_id = ?", [upload_id]).fetchall()[0][0]
    under = f" under the name {earlier_name!r}" if earlier_name != result.file else ""
    result.notes.append(f"already loaded as upload {upload_id}{under}: the same file, nothing changed")
    _insert_upload(con, result, digest, by, duplicate_of=upload_id)
    return True


def _load_new(con: duckdb.DuckDBPyConnection, path: Path, options: LoadOptions, result: LoadResult,
              digest: str, by: str) -> None:  # fmt: skip
    install_macros(con)
    table = temp_name()
    raw = read_file(con, path, table, kind=options.kind, author_given=options.author is not None)
    result.kind = raw.kind.name
    result.notes.extend(raw.notes)
    result.upload_id = _next_upload_id(con)
    export_date = _export_date(result.file, options, result.notes)
    cells, every_row = _cells_view(con, raw, options.author if raw.kind is c.POSTS else None)
    try:
        reading = decide_reading(
            con, every_row, raw.kind, delimiter=raw.delimiter, french=raw.french,
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
        "source": raw.source,
    }
    reading.source = raw.source
    result.notes.extend(reading.notes)
    aside = [raw.header[i] for i in raw.match.aside if raw.header[i].strip()]
    if aside:
        result.notes.append("columns kept aside: " + ", ".join(aside))
    present = {*raw.match.columns, *(["author"] if options.author is not None and raw.kind is c.POSTS else [])}
    _insert_upload(con, result, digest, by, raw.kind.carried(present))
    typed = build_typed(con, cells, raw.kind, reading, present)
    if raw.kind is c.POSTS and raw.cell_sql("post_type") is not None:  # no post type, no Sponsored or Total row
        result.merged, notes = fold_boosted_posts(con, typed)
        result.notes.extend(notes)
    if any(col.type == c.POST_ID for col in raw.kind.columns):
        result.notes.extend(_post_id_notes(con, typed))
    result.notes.extend(_warnings(con, typed, raw.kind, export_date))
    blank_rows = con.execute(f"SELECT (SELECT count(*) FROM {raw.table}) - (SELECT count(*) FROM {typed}) - ?",
                             [result.merged])  # fmt: skip
    if skipped := blank_rows.fetchall()[0][0]:
        result.notes.append(f"{skipped} empty row(s) skipped")
    counts = store_typed(con, typed, raw.kind, result.upload_id)
    quarantined = quarantine_rows(con, typed, cells, raw.kind, result.upload_id, lambda: _raw_text(con, raw, typed))
    for line, text, reason in raw.rejects:
        con.execute(
            "INSERT INTO quarantine (upload_id, kind, line, raw, reason) VALUES (?, ?, ?, ?, ?)",
            [result.upload_id, raw.kind.name, line, text, reason],
        )
    result.loaded, result.updated, result.unchanged = counts.loaded, counts.updated, counts.unchanged
    result.quarantined = quarantined + len(raw.rejects)
    result.rows_read = result.loaded + result.updated + result.unchanged + result.quarantined + result.merged
    result.reasons = _reasons(con, result.upload_id)
    _record_counts(con, result)


def load_paths(db: str | Path, paths: list[Path], options: LoadOptions | None = None) -> list[LoadResult]:
    """Load each file in its own transaction; a refused file leaves the database as it was."""
    options = options or LoadOptions()
    with connect(db) as con:
        return [load_file(con, Path(path), options) for path in paths]


# --- charter, rows given as values ------------------------------------------------------------------------


def set_charter(db: str | Path, day: date, team: str | None = None, by: str | None = None) -> LoadResult:
    """Set the organisation's (team None) or one team's charter date, as an upload that can be undone."""
    with connect(db) as con:
        install_macros(con)
        rows = [{"team": team or "*", "charter_adopted_on": day}]  # the headcount is left as it is
        return load_rows(con, c.TEAMS, rows, f"charter set {day.isoformat()} for {team or 'the organisation'}",
                         by or getpass.getuser())  # fmt: skip


def load_rows(con: duckdb.DuckDBPyConnection, kind: c.Kind, rows: list[dict[str, Any]], name: str,
              by: str) -> LoadResult:  # fmt: skip
    """Load rows given as values (not a file) through the same checks, as one upload, in one transaction."""

    def once() -> LoadResult:
        with transaction(con):
            return store_rows(con, kind, rows, name, by)

    return retry_conflicts(once)


def store_rows(con: duckdb.DuckDBPyConnection, kind: c.Kind, rows: list[dict[str, Any]], name: str,
               by: str) -> LoadResult:  # fmt: skip
    """`load_rows` inside the caller's transaction."""
    result = LoadResult(file=name, kind=kind.name)
    digest = hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()
    cells = Identifier(f"{temp_name()}_cells")
    columns = Sql(", ".join(f"NULL::VARCHAR AS {q(col.name)}" for col in kind.columns))
    con.execute(
        f"CREATE TEMP TABLE {cells} AS SELECT NULL::BIGINT AS line, NULL::VARCHAR AS raw, "
        f"NULL::JSON AS extra, {columns} LIMIT 0"
    )
    for line, row in enumerate(rows, start=1):
        names = q_list(row)
        marks = Sql(", ".join("?" for _ in row))
        values = [None if v is None else str(v) for v in row.values()]
        con.execute(
            f"INSERT INTO {cells} (line, raw, {names}) VALUES (?, ?, {marks})",
            [line, json.dumps(row, default=str), *values],
        )
    result.upload_id = _next_upload_id(con)
    today = datetime.now(tz=UTC).date()
    reading = Reading(False, "dmy", "ISO values", today)
    result.dialect = {"export_date": today.isoformat()}
    _insert_upload(con, result, digest, by, kind.carried({col for row in rows for col in row}))
    typed = build_typed(con, cells, kind, reading)
    counts = store_typed(con, typed, kind, result.upload_id)
    result.quarantined = quarantine_rows(con, typed, cells, kind, result.upload_id)
    result.loaded, result.updated, result.unchanged = counts.loaded, counts.updated, counts.unchanged
    result.rows_read = len(rows)
    result.reasons = _reasons(con, result.upload_id)
    _record_counts(con, result)
    return result
