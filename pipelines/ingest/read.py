"""Read an export (.csv, .txt, .xlsx) into a DuckDB temp table of text cells, recognising its dialect and kind.

The reader decides how to read (encoding, delimiter, which sheet and row hold the header, which file kind the
header belongs to) and hands DuckDB the bulk of the work: the body of a CSV is read by DuckDB's own
`read_csv`, every cell as text. Converting and checking values is `pipelines.ingest.validate`'s job.

Rows are numbered as a spreadsheet shows them: the first line of the file is row 1, note rows above the
header count, and a quoted cell spanning several lines stays one row.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import duckdb

from pipelines.ingest.contract import (
    EMPLOYEES,
    FILE_KINDS,
    IDENTITY,
    POSTS,
    TEAMS,
    HeaderMatch,
    Kind,
    carries_identity,
    is_french_header,
    match_header,
)
from pipelines.store.db import Identifier, Sql

HEADER_SEARCH_ROWS = 20  # a header further down than this is not looked for
MAX_COLUMNS = 1000  # no export has more; reading a wider table takes minutes (1,000 columns take about a second)
SNIFF_BYTES = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
_CHUNK = 8 << 20
_LINE_END = re.compile(rb"\r\n?")


class FileRefused(Exception):
    """A file that cannot be read as any kind of export; nothing of it is loaded."""


class NoHeader(FileRefused):
    """No row looks like the header of any kind (a more specific refusal, such as a missing column, wins)."""


@dataclass
class RawFile:
    """A file read into `table` (columns `line`, `c0`, `c1`, ... as text), with what was decided reading it."""

    path: Path
    match: HeaderMatch
    header: list[str]
    table: Identifier
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1
    sheet: str | None = None
    french: bool = False
    rejects: list[tuple[int, str, str]] = field(default_factory=list)  # (row, raw text, reason)
    notes: list[str] = field(default_factory=list)

    @property
    def kind(self) -> Kind:
        return self.match.kind

    @property
    def source(self) -> str:
        return self.match.source

    def cell_sql(self, column: str) -> Identifier | None:
        """The SQL column holding a canonical field, or None when the file has no such column."""
        index = self.match.columns.get(column)
        return None if index is None else Identifier(f"c{index}")


def read_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: Identifier,
    kind: str | None = None,
    author_given: bool = False,
) -> RawFile:
    """Read `path` into the temp table `table`; raise FileRefused with the reason when it cannot be."""
    if not path.exists():
        raise FileRefused("no such file")
    if path.stat().st_size == 0:
        raise FileRefused("the file is empty")
    forced = _forced_kind(kind)
    if zipfile.is_zipfile(path):
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise FileRefused("this is a zip archive, not a table: upload the .csv or .xlsx inside it")
        return _read_xlsx(con, path, table, forced, author_given)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise FileRefused("not a valid .xlsx workbook (an old .xls? save it as .xlsx or .csv)")
    return _read_csv(con, path, table, forced, author_given)


def _forced_kind(kind: str | None) -> Kind | None:
    if kind is None:
        return None
    if kind not in FILE_KINDS:
        raise FileRefused(f"unknown kind {kind!r}: expected one of {', '.join(FILE_KINDS)}")
    return FILE_KINDS[kind]


# --- recognising the header -------------------------------------------------------------------------------


def find_header(rows: list[list[str]], forced: Kind | None, author_given: bool) -> tuple[int, HeaderMatch]:
    """The first row that is a complete header of some kind, and the kind it is (contract: 'Which kind')."""
    best_partial: tuple[HeaderMatch, list[str]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if len(row) > MAX_COLUMNS:
            raise FileRefused(
                f"row {index + 1} is too wide: {len(row):,} columns or more, the limit is {MAX_COLUMNS:,}"
            )
        cells = [str(c) if c is not None else "" for c in row]
        matches = [match_header(k, cells) for k in ([forced] if forced else FILE_KINDS.values())]
        complete = [m for m in matches if _complete(m, author_given)]
        for m in matches:
            if m.columns and (best_partial is None or len(m.columns) > len(best_partial[0].columns)):
                best_partial = (m, cells)
        if not complete:
            continue
        for m in complete:
            if m.conflicts:
                name, headers = m.conflicts[0]
                raise FileRefused(
                    f"columns {' and '.join(repr(h) for h in headers)} would both fill {name!r}: "
                    f"rename one of them to {name!r}"
                )
        posts = [m for m in complete if m.kind is POSTS]
        if posts:
            return index, posts[0]
        return index, _choose(complete, matches, cells, forced is not None)
    raise _no_header(best_partial, author_given)


PICK_KIND = "say which kind it is (--kind on the command line, 'Kind' on the Upload page)"


def _choose(complete: list[HeaderMatch], matches: list[HeaderMatch], header: list[str], forced: bool) -> HeaderMatch:
    """Among the kinds a header fits, the one it is; a doubtful choice is refused (contract: 'Which kind')."""
    if forced:
        return complete[0]
    roster = next(m for m in matches if m.kind is EMPLOYEES)
    if carries_identity(roster) and roster in complete:  # people's identity: a roster, never a teams file
        return roster
    complete.sort(key=lambda m: len(m.columns), reverse=True)
    best = complete[0]
    if best.kind is TEAMS and any(c in roster.columns for c in IDENTITY):
        raise FileRefused(
            f"looks like a roster (it has {_named(roster, header)}) but lacks the column(s) "
            f"{', '.join(roster.missing)}: add it, or {PICK_KIND}"
        )
    if len(complete) > 1 and len(best.columns) == len(complete[1].columns):
        names = " or ".join(m.kind.name for m in complete if len(m.columns) == len(best.columns))
        raise FileRefused(f"the header fits {names} equally well: {PICK_KIND}")
    unknown = [header[i] for i in best.aside if header[i].strip()]
    if len(unknown) > len(best.columns):  # most of the file is something else
        raise FileRefused(
            f"only {_named(best, header)} fit{'s' if len(best.columns) == 1 else ''} a {best.kind.name} file, and "
            f"{len(unknown)} columns do not ({', '.join(repr(h) for h in unknown[:6])}"
            f"{', ...' if len(unknown) > 6 else ''}): if it is a {best.kind.name} file, {PICK_KIND}"
        )
    return best


def _named(match: HeaderMatch, header: list[str]) -> str:
    return ", ".join(repr(header[i]) for i in sorted(match.columns.values()))


def _complete(m: HeaderMatch, author_given: bool) -> bool:
    if m.kind is POSTS and author_given and m.missing == ("author",):
        return True
    return m.complete


def _no_header(nearest: tuple[HeaderMatch, list[str]] | None, author_given: bool) -> FileRefused:
    """Why no header was found: what the file looks like, the nearest kind and what it lacks, and the option that
    loads it where one does; else what each kind needs."""
    needs = "; ".join(f"{k.name}: {', '.join(k.required)}" for k in FILE_KINDS.values())
    if nearest is None:
        return NoHeader(f"no header row found in the first {HEADER_SEARCH_ROWS} rows (required columns per kind: "
                        f"{needs})")  # fmt: skip
    partial, header = nearest
    if partial.kind is POSTS and partial.missing == ("author",) and not author_given:
        return FileRefused(
            "posts without an author column (a LinkedIn Shares.csv, one person's export?): name the employee "
            "(--author, or 'Employee' on the Upload page)"
        )
    if partial.conflicts:
        name, headers = partial.conflicts[0]
        return FileRefused(f"columns {' and '.join(repr(h) for h in headers)} would both fill {name!r}: "
                           f"rename one of them to {name!r}")  # fmt: skip
    missing = partial.missing or partial.kind.one_of
    joiner = ", " if partial.missing else " or "
    kind = partial.kind.name
    return FileRefused(
        f"not a file the dashboard reads: the nearest kind is {kind} (its {_named(partial, header)} "
        f"{'fit' if len(partial.columns) > 1 else 'fits'}), which needs the column(s) {joiner.join(missing)}. "
        f"Every kind needs: {needs}"
    )


# --- CSV ----------------------------------------------------------------------------------------------------


def _read_csv(
    con: duckdb.DuckDBPyConnection, path: Path, table: Identifier, forced: Kind | None, author: bool
) -> RawFile:
    encoding = _detect_encoding(path)
    copies: list[Path] = []  # UTF-8 or LF copies handed to DuckDB, removed whatever happens (a refusal too)
    try:
        source = path
        if encoding not in ("utf-8", "utf-8-sig"):
            source = _transcode(path, encoding)
            copies.append(source)
        text = _head_text(source)
        delimiter, rows, header_index, match = _sniff(text, forced, author)
        header = rows[header_index]
        skip = _physical_lines_through(text, delimiter, header_index)
        raw = RawFile(
            path=path,
            match=match,
            header=header,
            table=table,
            encoding=encoding.replace("-sig", " with BOM"),
            delimiter=delimiter,
            header_row=header_index + 1,
            french=any(is_french_header(h) for h in header),
        )
        line_ends = _line_ends(source)
        if len(line_ends) > 1:
            # DuckDB refuses a file whose lines end in different ways ("invalid state"): read a copy where each
            # ends in LF, the lines the csv module that found the header saw.
            source, line_ends = _line_ends_as_lf(source), {"lf"}
            copies.append(source)
        if wide := _line_over_max_columns(source, delimiter, "\r" if line_ends == {"cr"} else "\n"):
            line, n = wide
            raise FileRefused(
                f"line {line} has {n:,} {delimiter!r} delimiters or more, the limit is {MAX_COLUMNS:,} columns: "
                "not a table (or a text cell full of delimiters and not in quotes)"
            )
        columns = {f"c{i}": "VARCHAR" for i in range(len(header))}
        rejects_table, scans_table = Identifier(f"{table}_rejects"), Identifier(f"{table}_scans")
        try:
            con.execute(
                f"""CREATE TEMP TABLE {table}_body AS
                SELECT * FROM read_csv(?, delim = ?, quote = '"', escape = '"', header = false, skip = ?,
                    columns = ?, auto_detect = false, store_rejects = true,
                    rejects_table = '{rejects_table}', rejects_scan = '{scans_table}', max_line_size = 64000000)""",
                [str(source), delimiter, skip, columns],
            )
        except duckdb.Error as error:
            raise FileRefused(f"cannot be read as a {delimiter!r}-separated table: {_first_line(error)}") from error
    finally:
        for copy in copies:
            copy.unlink(missing_ok=True)
    # A row short of several fields is rejected once per missing column: keep one (the first) per line.
    rejected = con.execute(
        f"""SELECT line, csv_line, error_type, error_message FROM {rejects_table}
        QUALIFY row_number() OVER (PARTITION BY line ORDER BY column_idx, byte_position) = 1 ORDER BY line"""
    ).fetchall()
    # DuckDB's reject `line` is `skip` + 1 + the record's index in the body (a multi-line cell counts once).
    records = [line - skip - 1 for line, *_ in rejected]
    raw.rejects = [
        (header_index + 2 + record, text_, _reject_reason(kind_, message))
        for record, (_, text_, kind_, message) in zip(records, rejected, strict=True)
    ]
    # Good rows fill, in order, the record positions the rejected rows did not take.
    gaps = [record - i for i, record in enumerate(records)]
    if not gaps:
        # No row rejected: the line is the row's position, numbered by a view rather than a second copy.
        first = con.execute(f"SELECT ? + 1 - min(rowid) FROM {table}_body", [header_index + 1]).fetchall()[0][0]
        con.execute("SET VARIABLE adv_line_offset = ?", [first or 0])
        con.execute(
            f"""CREATE TEMP VIEW {table} AS
            SELECT getvariable('adv_line_offset')::BIGINT + rowid AS line, * FROM {table}_body"""
        )
        return raw
    con.execute(
        f"""CREATE TEMP TABLE {table} AS
        WITH body AS (SELECT rowid - min(rowid) OVER () AS k, * FROM {table}_body),
             gaps AS (SELECT unnest(?::BIGINT[]) AS g, generate_subscripts(?::BIGINT[], 1) AS shift)
        SELECT ? + 1 + body.k + coalesce(gaps.shift, 0) AS line, body.* EXCLUDE (k)
        FROM body ASOF LEFT JOIN gaps ON body.k >= gaps.g
        ORDER BY line""",
        [gaps, gaps, header_index + 1],
    )
    con.execute(f"DROP TABLE {table}_body")
    return raw


def _line_ends(path: Path) -> set[str]:
    """How lines end ("crlf", "lf", "cr"; quoted line breaks included), up to the second way found."""
    kinds: set[str] = set()
    with path.open("rb") as f:
        while len(kinds) < 2 and (chunk := f.read(_CHUNK)):
            if b"\r" not in chunk:  # the usual file: no CR to count
                kinds.update(("lf",) if b"\n" in chunk else ())
                continue
            crlf = chunk.count(b"\r\n")  # a CRLF split between two chunks counts as CR and LF: a harmless copy
            counts = {"crlf": crlf, "cr": chunk.count(b"\r") - crlf, "lf": chunk.count(b"\n") - crlf}
            kinds.update(kind for kind, n in counts.items() if n)
    return kinds


def _line_ends_as_lf(path: Path) -> Path:
    """A copy whose lines all end in LF."""
    with path.open("rb") as src, tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False) as dst:
        held = b""
        while chunk := src.read(_CHUNK):
            chunk, held = held + chunk, b""
            if chunk.endswith(b"\r"):  # perhaps the first half of a CRLF
                chunk, held = chunk[:-1], b"\r"
            dst.write(_LINE_END.sub(b"\n", chunk))
        dst.write(held and b"\n")
    return Path(dst.name)


def _line_over_max_columns(path: Path, delimiter: str, line_end: str) -> tuple[int, int] | None:
    """The first line with more delimiters than MAX_COLUMNS (quotes not heeded), and how many it has so far.

    DuckDB records a row with too many fields once per surplus field, at a cost growing with the line's length:
    a 1 MB line of commas takes a quarter of an hour. Such a line is no row of any export: counted here first.
    """
    if path.stat().st_size <= _CHUNK:  # a small file, read whole: without numpy's import (0.05 s of a small load)
        end, mark_byte = line_end.encode(), delimiter.encode()
        for number, text in enumerate(path.read_bytes().split(end), start=1):
            if len(text) > MAX_COLUMNS and (n := text.count(mark_byte)) > MAX_COLUMNS:
                return number, n
        return None
    import numpy as np  # counts a large file's delimiters three times as fast as bytes' own methods

    mark, carry, line = ord(delimiter), 0, 1
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            data = np.frombuffer(chunk, np.uint8)
            ends = np.flatnonzero(data == ord(line_end))
            if (
                ends.size
                and carry + ends[0] <= MAX_COLUMNS
                and len(data) - ends[-1] <= MAX_COLUMNS
                and (ends.size == 1 or np.diff(ends).max() <= MAX_COLUMNS)
            ):  # no line here is long enough to hold too many delimiters: only the last one's are counted
                line += ends.size
                carry = int(np.count_nonzero(data[ends[-1] :] == mark))
                continue
            marks = np.flatnonzero(data == mark)
            before_each_end = np.searchsorted(marks, ends)
            per_line = np.diff(before_each_end, prepend=0)
            if per_line.size:
                per_line[0] += carry
                over = np.flatnonzero(per_line > MAX_COLUMNS)
                if over.size:
                    return line + int(over[0]), int(per_line[over[0]])
                line += per_line.size
                carry = marks.size - int(before_each_end[-1])
            else:
                carry += marks.size
            if carry > MAX_COLUMNS:
                return line, carry
    return None


def _reject_reason(error_type: str, message: str) -> str:
    if error_type in ("TOO MANY COLUMNS", "MISSING COLUMNS"):
        return f"wrong number of fields: {message.replace('Expected Number of Columns', 'the header has')}"
    return f"unreadable row ({error_type.lower()}): {message}"


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0][:300]


def _detect_encoding(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(4)
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        else:
            encoding = "utf-8"
        f.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        first = True
        while chunk := f.read(_CHUNK):
            if first and b"\x00" in chunk[:SNIFF_BYTES]:
                raise FileRefused("binary content, not a text table (NUL bytes)")
            first = False
            if chunk.isascii() and decoder.getstate()[0] == b"":  # plain ASCII, nothing held from the last chunk
                continue
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return _single_byte_encoding(path)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return _single_byte_encoding(path)
    return encoding


def _single_byte_encoding(path: Path) -> str:
    """Windows-1252 as French Excel writes it; Latin-1 where a byte is undefined in Windows-1252."""
    decoder = codecs.getincrementaldecoder("cp1252")()
    with path.open("rb") as f:
        try:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
        except UnicodeDecodeError:
            return "latin-1"
    return "cp1252"


def _transcode(path: Path, encoding: str) -> Path:
    """DuckDB reads UTF-8 only without extensions: hand it a UTF-8 copy."""
    with (
        path.open("r", encoding=encoding, newline="") as src,
        tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", suffix=".csv", delete=False) as dst,
    ):
        try:
            while chunk := src.read(_CHUNK):
                dst.write(chunk)
        except UnicodeDecodeError as error:  # UTF-16 (the only multi-byte encoding here) cut short or damaged
            Path(dst.name).unlink()
            raise FileRefused(f"not valid {encoding.upper()} text ({error.reason}): export it again") from error
    return Path(dst.name)


def _head_text(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    return head.decode("utf-8-sig", errors="ignore")


def _sample_rows(text: str, delimiter: str, limit: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    rows: list[list[str]] = []
    try:
        rows.extend(itertools.islice(reader, limit))
    except csv.Error:
        pass  # a cell over the csv module's size limit: the rows above it still show the header
    return rows


def _sniff(text: str, forced: Kind | None, author: bool) -> tuple[str, list[list[str]], int, HeaderMatch]:
    """The delimiter that turns the earliest row into the fullest header of some kind."""
    found: list[tuple[int, int, str, list[list[str]], HeaderMatch]] = []
    refusal: FileRefused | None = None
    for delimiter in DELIMITERS:
        rows = _sample_rows(text, delimiter, HEADER_SEARCH_ROWS + 1)
        if not rows:
            continue
        try:
            index, match = find_header(rows, forced, author)
        except NoHeader as error:
            refusal = refusal or error
            continue
        except FileRefused as error:
            refusal = error if refusal is None or isinstance(refusal, NoHeader) else refusal
            continue
        found.append((index, -len(match.columns), delimiter, rows, match))
    if not found:
        raise refusal or FileRefused("not a table: no delimiter splits it into columns")
    # The earliest header row, then the most columns matched, then the delimiter listed first.
    index, _, delimiter, rows, match = min(found, key=lambda f: (f[0], f[1]))
    return delimiter, rows, index, match


def _physical_lines_through(text: str, delimiter: str, header_index: int) -> int:
    """How many lines of the file a reader skips to start just after the header row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    for _ in range(header_index + 1):
        next(reader)
    return reader.line_num


# --- XLSX ---------------------------------------------------------------------------------------------------


XLSX_MAX_ROWS = 1_048_576  # Excel's last row: a row numbered beyond it is no spreadsheet's
# Checked from the zip's directory, before parsing: openpyxl reads about 7 MB of sheet a second, and holds the
# shared text (every distinct string of the workbook) in memory at 7 times its size.
XLSX_MAX_UNPACKED = 256 << 20  # bytes a workbook may unpack to (a 256 MB sheet reads in about 40 s)
XLSX_MAX_SHARED_TEXT = 128 << 20  # bytes its shared strings part may unpack to
XLSX_MAX_RATIO = 100  # a part over 10 MB unpacking to more than this many times its packed size is a zip bomb
_XLSX_BATCH = 50_000  # rows of a sheet held in memory before they go to DuckDB
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")  # a formula element <f>, with or without a prefix


def _read_xlsx(
    con: duckdb.DuckDBPyConnection, path: Path, table: Identifier, forced: Kind | None, author: bool
) -> RawFile:
    import openpyxl  # only workbooks need it: a CSV file's load does not wait for it

    if not openpyxl.DEFUSEDXML:  # openpyxl parses with defusedxml when installed, unless OPENPYXL_DEFUSEDXML=False
        raise FileRefused(".xlsx files are not read without defusedxml (install it; unset OPENPYXL_DEFUSEDXML)")
    has_formulas = _check_archive(path)
    formulas = None
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        # Formulas without a saved result read as blank cells: a second reading shows which cells hold formulas.
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False) if has_formulas else None
    except Exception as error:  # openpyxl raises many kinds of error on a damaged workbook
        raise FileRefused(f"not a readable .xlsx workbook: {_xml_error(error)}") from error
    try:
        if (creator := _creator_export(con, path, workbook, table, author)) is not None:
            return creator
        refusal: FileRefused | None = None
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # the size a sheet declares may be wrong: rows beyond it were lost
            head = [
                _trimmed([_cell_text(c) or "" for c in r])
                for r in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)
            ]
            try:
                index, match = find_header(head, forced, author)
            except FileRefused as error:
                refusal = refusal or error
                continue
            header = head[index]
            raw = RawFile(
                path=path,
                match=match,
                header=header,
                table=table,
                header_row=index + 1,
                sheet=sheet.title,
                french=any(is_french_header(h) for h in header),
            )
            formula_rows = None
            if formulas is not None:
                formula_sheet = formulas[sheet.title]
                formula_sheet.reset_dimensions()
                formula_rows = formula_sheet.iter_rows(min_row=index + 2, values_only=True)
            _xlsx_body_to_table(con, sheet.iter_rows(min_row=index + 2, values_only=True), raw, formula_rows)
            return raw
        raise refusal or FileRefused("no sheet holds a table")
    except (FileRefused, duckdb.Error):
        raise
    except Exception as error:  # a part damaged further in than openpyxl looks when opening
        raise FileRefused(f"not a readable .xlsx workbook: {_xml_error(error)}") from error
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()


# LinkedIn's creator analytics export: Content_<from>_<to>_<Name>.xlsx (contract: 'LinkedIn creator (member)
# analytics export').
CREATOR_EXPORT = re.compile(r"Content_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})_(.+)\.xlsx$", re.IGNORECASE)
_TOP_POSTS_FIGURES = ("engagements", "impressions")


def _creator_export(con: duckdb.DuckDBPyConnection, path: Path, workbook: Any, table: Identifier,
                    author_given: bool) -> RawFile | None:  # fmt: skip
    """The TOP POSTS sheet of a creator analytics export, its two tables side by side (A-C by engagements, E-G by
    impressions) made one: a post per row, with both figures; the member is the file's (named at upload, else by
    the file's name). None for any other workbook."""
    sheet = next((ws for ws in workbook.worksheets if ws.title.strip().upper() == "TOP POSTS"), None)
    if sheet is None:
        return None
    rows = [list(r) for r in sheet.iter_rows(max_row=XLSX_MAX_ROWS, values_only=True)]
    header_row = next((i for i, r in enumerate(rows[:HEADER_SEARCH_ROWS])
                       if [str(c or "").strip().lower() for c in r].count("post url") == 2), None)  # fmt: skip
    if header_row is None:
        return None
    header = [str(c or "").strip().lower() for c in rows[header_row]]
    starts = [i for i, h in enumerate(header) if h == "post url"]
    posts: dict[str, dict[str, Any]] = {}
    for row in rows[header_row + 1 :]:
        for start in starts:
            url, published, figure = (row + [None] * 3)[start : start + 3]
            name = header[start + 2] if start + 2 < len(header) else ""
            if url in (None, "") or name not in _TOP_POSTS_FIGURES:
                continue
            post = posts.setdefault(str(url).strip(), {"published": published})
            post[name] = figure
    named = CREATOR_EXPORT.search(path.name)
    member = None if author_given or named is None else named.group(3).replace("_", " ").strip()
    columns = ["Post URL", "Post publish date", "Engagements", "Impressions", *(["Author"] if member else [])]
    match = match_header(POSTS, columns)
    if not _complete(match, author_given):
        raise FileRefused(
            "a LinkedIn creator analytics export: name the employee it belongs to (--author, or 'Employee' on the "
            "Upload page), or keep its name as LinkedIn wrote it (Content_<from>_<to>_<Name>.xlsx)"
        )
    raw = RawFile(path=path, match=match, header=columns, table=table, header_row=header_row + 1,
                  sheet=sheet.title)  # fmt: skip
    raw.notes.append("LinkedIn creator analytics export: its top posts loaded, the member's daily totals "
                     "(ENGAGEMENT, DISCOVERY, FOLLOWERS) are not posts' and are left out")  # fmt: skip
    tail = [member] if member else []
    # One line per post, numbered in the merged list (a post of the right-hand table shares its row with another).
    body = ((line, [k, p["published"], p.get("engagements"), p.get("impressions"), *tail])
            for line, (k, p) in enumerate(posts.items(), start=header_row + 2))  # fmt: skip
    _xlsx_rows_to_table(con, raw, body)
    return raw


def _check_archive(path: Path) -> bool:
    """Refuse a zip bomb from the sizes the archive declares, before any part is unpacked; return whether a
    sheet holds formulas. (A part that unpacks to more than it declares fails its checksum when read.)"""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            unpacked = sum(part.file_size for part in parts)
            if unpacked > XLSX_MAX_UNPACKED:
                raise FileRefused(
                    f"the workbook unpacks to {unpacked / 2**20:,.0f} MB, more than the {XLSX_MAX_UNPACKED >> 20:,} "
                    "MB allowed (a zip bomb? save a real export as .csv)"
                )
            for part in parts:
                if part.filename.lower().endswith("sharedstrings.xml") and part.file_size > XLSX_MAX_SHARED_TEXT:
                    raise FileRefused(
                        f"the workbook's text unpacks to {part.file_size / 2**20:,.0f} MB, more than the "
                        f"{XLSX_MAX_SHARED_TEXT >> 20} MB allowed: save it as .csv"
                    )
                if part.file_size > 10 << 20 and part.file_size > XLSX_MAX_RATIO * part.compress_size:
                    raise FileRefused(
                        f"{part.filename} unpacks to {part.file_size // max(part.compress_size, 1):,} times its "
                        f"packed size, more than {XLSX_MAX_RATIO} (a zip bomb?)"
                    )
            sheets = [p for p in parts if p.filename.startswith("xl/worksheets/") and p.filename.endswith(".xml")]
            return any(_holds_formula(archive, part) for part in sheets)
    except FileRefused:
        raise
    except Exception as error:  # zipfile, zlib and the OS each have their own errors for a damaged archive
        raise FileRefused(f"not a readable .xlsx workbook: {_first_line(error)}") from error


def _holds_formula(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(part) as f:
        while chunk := f.read(_CHUNK):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _xml_error(error: BaseException) -> str:
    """openpyxl's message, or the cause it wraps where that says more (an XML entity bomb, a damaged part)."""
    from defusedxml import DefusedXmlException

    cause = error.__cause__ or error.__context__
    if isinstance(error, DefusedXmlException) or isinstance(cause, DefusedXmlException):
        return "it declares XML entities, which no workbook needs (an entity bomb?)"
    return _first_line(cause if cause is not None and "Unable to read workbook" in str(error) else error)


def _xlsx_body_to_table(
    con: duckdb.DuckDBPyConnection,
    rows: Iterator[tuple[Any, ...]],
    raw: RawFile,
    formula_rows: Iterator[tuple[Any, ...]] | None = None,
) -> None:
    """The sheet's rows below the header into the table of text cells; a row that cannot be one is rejected."""
    from openpyxl.utils import get_column_letter

    width = len(raw.header)

    def body() -> Iterator[tuple[int, list[Any]]]:
        pairs = zip(rows, formula_rows, strict=True) if formula_rows is not None else ((row, ()) for row in rows)
        for line, (row, formula_row) in enumerate(pairs, start=raw.header_row + 1):
            if line > XLSX_MAX_ROWS:
                raise FileRefused(f"the sheet has rows past row {XLSX_MAX_ROWS:,}, Excel's last")
            cells = [_cell_text(c) for c in row[:width]]
            beyond = row[width:]  # tested at C speed first: a cell at column XFD widens the row to 16,384
            surplus = beyond.count(None) != len(beyond) and (
                any(c is not None and str(c).strip() for c in beyond[:MAX_COLUMNS])
                or beyond[MAX_COLUMNS:].count(None) != len(beyond[MAX_COLUMNS:])
            )
            unsaved = [
                (i, f)
                for i, f in enumerate(formula_row[:width])
                if f is not None and (i >= len(row) or row[i] is None)
            ]
            if not (surplus or unsaved) and all(c is None or not c.strip() for c in cells):
                continue
            if surplus:
                text = "\t".join(_trimmed([_cell_text(c) or "" for c in row[: width + MAX_COLUMNS]]))
                raw.rejects.append((line, text, f"wrong number of fields: cells beyond the header's {width} columns"))
                continue
            cells = (cells + [None] * width)[:width]
            if unsaved:
                i, formula = unsaved[0]
                raw.rejects.append((line, "\t".join(c or "" for c in cells), (
                    f"cell {get_column_letter(i + 1)}{line} holds a formula ({getattr(formula, 'text', formula)}) "
                    "without a saved result: open the file in Excel and save it again"
                )))  # fmt: skip
                continue
            yield line, cells

    _xlsx_rows_to_table(con, raw, body())


def _xlsx_rows_to_table(con: duckdb.DuckDBPyConnection, raw: RawFile, rows: Iterator[tuple[int, list[Any]]]) -> None:
    """(line, cells) rows into the temp table `raw.table`, as text, by batches: memory does not grow with the
    sheet."""
    import pyarrow as pa

    width = len(raw.header)
    lines: list[int] = []
    columns: list[list[str | None]] = [[] for _ in range(width)]
    column_defs = Sql(", ".join(f"c{i} VARCHAR" for i in range(width)))  # c0, c1, ...: names of ours, not the file's
    con.execute(f"CREATE TEMP TABLE {raw.table} (line BIGINT, {column_defs})")

    def append_batch() -> None:
        arrays = {f"c{i}": pa.array(column, pa.string()) for i, column in enumerate(columns)}
        con.register(f"{raw.table}_arrow", pa.table({"line": pa.array(lines, pa.int64()), **arrays}))
        con.execute(f"INSERT INTO {raw.table} BY NAME SELECT * FROM {raw.table}_arrow")
        con.unregister(f"{raw.table}_arrow")
        lines.clear()
        for column in columns:
            column.clear()

    for line, cells in rows:
        lines.append(line)
        for i, cell in enumerate(cells):
            columns[i].append(_cell_text(cell) if not isinstance(cell, str | None) else cell)
        if len(lines) == _XLSX_BATCH:
            append_batch()
    append_batch()


def _trimmed(cells: list[str]) -> list[str]:
    """A sheet's row without its trailing empty cells (a sheet's used range may be far wider than its table)."""
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _cell_text(value: Any) -> str | None:
    """A cell as the text a CSV export would hold: ISO dates, plain numbers."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
