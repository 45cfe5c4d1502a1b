"""Hostile and broken files: each ends in a clear refusal (the database unchanged) or in quarantine (row and
reason), in bounded time and memory. A fuzz test mutates the real exports of tests/files; the worst cases are
measured in a child process. Run with `-s` to see the figures as they come; they are also summed up at the end."""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.xml.functions
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines import config
from pipelines.cli import main
from pipelines.ingest import read
from pipelines.ingest.load import LoadOptions, LoadResult, load_paths
from pipelines.ingest.read import MAX_COLUMNS, XLSX_MAX_SHARED_TEXT, XLSX_MAX_UNPACKED
from tests.conftest import FILES, ROSTER, load, query, write
from tests.ingest.test_load import fingerprint

XLSX = "acme_content_1751328000000.xlsx"
POSTS_SHEET = "xl/worksheets/sheet2.xml"  # the 'All posts' sheet of the LinkedIn export
ADVOCACY = Path(sys.executable).with_name("advocacy")
EXPORT_DATE = date(2025, 7, 1)

MEMORY_BOUND_MB = 1536  # peak resident memory of one load, whatever the file: a bound on runaway, not a target
# Where every row of a 200 MB file goes to quarantine, DuckDB itself works up to its own cap (ADVOCACY_MEMORY_MB).
MEMORY_BOUND_ALL_QUARANTINED_MB = config.settings().memory_limit_mb + 512
TIME_BOUND_S = 120  # the same for time, generous for a shared 2-core machine
FUZZ_EXAMPLES = 200


# --- the figures, printed at the end of the session ----------------------------------------------------------


class _Summary:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.lines:
            terminalreporter.section("hostile files")
            for line in self.lines:
                terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def report(pytestconfig: pytest.Config) -> Callable[[str], None]:
    """Print a figure now (seen with -s) and again in the session's summary."""
    summary = _Summary()
    pytestconfig.pluginmanager.register(summary, "hostile-files-summary")

    def add(line: str) -> None:
        print(line)
        summary.lines.append(line)

    return add


# --- helpers ---------------------------------------------------------------------------------------------------


def check(db: Path, result: LoadResult, before: dict[str, Any]) -> None:
    """The invariant of every load: refused with nothing written, or every row read accounted for."""
    if result.refused is not None:
        assert result.refused.strip(), result
        assert not result.refused.startswith("could not be loaded"), result.refused  # a fault of ours
        assert fingerprint(db) == before, f"{result.file} was refused but the database changed"
        return
    assert result.rows_read == result.loaded + result.updated + result.unchanged + result.quarantined, result
    if not result.already_loaded:
        in_quarantine = query(db, "SELECT count(*) FROM quarantine WHERE upload_id = ?", [result.upload_id])
        assert in_quarantine == [(result.quarantined,)], result
    ledger = query(
        db, "SELECT rows_read, loaded, updated, unchanged, quarantined FROM uploads WHERE upload_id = ?",
        [result.upload_id],
    )  # fmt: skip
    assert ledger == [(result.rows_read, result.loaded, result.updated, result.unchanged, result.quarantined)]


def load_checked(db: Path, path: Path, **options: Any) -> LoadResult:
    before = fingerprint(db)
    (result,) = load_paths(db, [path], LoadOptions(export_date=EXPORT_DATE, **options))
    check(db, result, before)
    return result


def refused(db: Path, path: Path, *reason: str, **options: Any) -> str:
    """Load `path`, expect a refusal naming each of `reason`, the database unchanged; return the message."""
    result = load_checked(db, path, **options)
    assert result.refused is not None, result
    for part in reason:
        assert part in result.refused, result.refused
    return result.refused


def quarantine(db: Path, upload_id: int | None) -> list[tuple[int, str]]:
    return query(db, "SELECT line, reason FROM quarantine WHERE upload_id = ? ORDER BY line", [upload_id])


@pytest.fixture
def roster_db(db: Path) -> Path:
    load(db, ROSTER)
    return db


def rezip(dst: Path, replace_parts: dict[str, bytes | Callable[[bytes], bytes]], src: Path = FILES / XLSX) -> Path:
    """A copy of a workbook with some parts replaced (by bytes, or by a function of the old bytes)."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            change = replace_parts.get(info.filename)
            new.writestr(info.filename, change(data) if callable(change) else data if change is None else change)
    return dst


def in_sheet(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        assert old in data
        return data.replace(old, new, 1)

    return change


def posts_sheet_rows(rows: bytes) -> Callable[[bytes], bytes]:
    """Add rows at the end of the posts sheet."""
    return in_sheet(b"</sheetData>", rows + b"</sheetData>")


def cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def post_row(n: int, *cells: bytes) -> bytes:
    """A row of the posts sheet: a post link in B, its author in E, its date in F, then the given cells."""
    link = cell(f"B{n}", f"https://www.linkedin.com/feed/update/urn:li:activity:71000000000000009{n:02d}/")
    return (
        f'<row r="{n}">'.encode()
        + link
        + cell(f"E{n}", "E001")
        + cell(f"F{n}", "06/20/2025")
        + b"".join(cells)
        + b"</row>"
    )


# --- the fuzz test ---------------------------------------------------------------------------------------------

SEEDS = sorted(p.name for p in FILES.iterdir() if p.suffix in (".csv", ".txt", ".xlsx"))
TOKENS = [
    b'"', b'""', b";", b",", b"\t", b"\r\n", b"\n", b"\r", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xe9", b"\xc3",
    b"\x81", b"=SUM(A1:A3)", b"-5", b"1e400", b"99999999999999999999999", b"1900-01-01", b"9999-12-31",
    b"31/02/2025", b"<", b"&amp;", b"]]>", b"urn:li:activity:7100000000000000099",
]  # fmt: skip


def _mutate(data: bytes, op: tuple[str, int, int, bytes]) -> bytes:
    kind, at, n, token = op
    at = at % (len(data) + 1)
    if kind == "truncate":
        return data[:at]
    if kind == "flip" and data:
        at = at % len(data)
        return data[:at] + bytes([data[at] ^ (1 << (n % 8))]) + data[at + 1 :]
    if kind == "insert":
        return data[:at] + token * (1 + n % 3) + data[at:]
    if kind == "delete":
        return data[:at] + data[at + 1 + n % 64 :]
    if kind == "delimiters":  # mixed delimiters: some of one replaced by another
        old, new = [(b";", b","), (b",", b";"), (b"\t", b";"), (b",", b"\t")][n % 4]
        return data.replace(old, new, 1 + at % 5)
    if kind == "encoding":  # read as one encoding, written in another
        for source in ("utf-16", "utf-8", "cp1252"):
            try:
                text = data.decode(source)
                break
            except UnicodeDecodeError:
                continue
        else:
            text = data.decode("latin-1")
        target = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"][n % 6]
        return text.encode(target, errors="replace")
    if kind == "lines":  # a line doubled or dropped
        lines = data.splitlines(keepends=True)
        if not lines:
            return data
        i = at % len(lines)
        return b"".join(lines[:i] + ([lines[i]] * 2 if n % 2 else []) + lines[i + 1 :])
    return data


operations = st.tuples(
    st.sampled_from(["truncate", "flip", "insert", "delete", "delimiters", "encoding", "lines"]),
    st.integers(0, 1 << 16),
    st.integers(0, 255),
    st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=8)),
)


@dataclass(frozen=True)
class Case:
    seed: str
    inside: bool  # for a workbook: mutate its posts sheet rather than the zip's bytes
    ops: tuple[tuple[str, int, int, bytes], ...]

    def build(self, folder: Path, n: int) -> Path:
        source = FILES / self.seed
        path = folder / f"{n:03d}_{self.seed}"
        if self.seed.endswith(".xlsx") and self.inside:
            with zipfile.ZipFile(source) as z:
                sheet = z.read(POSTS_SHEET)
            for op in self.ops:
                sheet = _mutate(sheet, op)
            return rezip(path, {POSTS_SHEET: sheet})
        data = source.read_bytes()
        for op in self.ops:
            data = _mutate(data, op)
        path.write_bytes(data)
        return path


cases = st.builds(
    Case, st.sampled_from(SEEDS), st.booleans(), st.lists(operations, min_size=1, max_size=4).map(tuple)
)


def test_fuzzed_real_exports_are_refused_cleanly_or_every_row_is_accounted_for(tmp_path, report):
    db = tmp_path / "fuzz.duckdb"
    load(db, ROSTER)
    seen: dict[str, int] = {"tried": 0, "refused": 0, "loaded": 0, "rows": 0, "quarantined": 0}
    started = time.perf_counter()

    @settings(
        max_examples=FUZZ_EXAMPLES,
        derandomize=True,  # the same inputs on every run, CI included
        database=None,
        deadline=30_000,  # ms per input: generous on a shared 2-core machine
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(case=cases)
    def load_one(case: Case) -> None:
        seen["tried"] += 1
        path = case.build(tmp_path, seen["tried"])
        author = "E003" if case.seed == "Shares.csv" else None
        result = load_checked(db, path, author=author)
        path.unlink()
        seen["refused" if result.refused else "loaded"] += 1
        seen["rows"] += result.rows_read
        seen["quarantined"] += result.quarantined

    load_one()
    elapsed = time.perf_counter() - started
    report(
        f"fuzz: {seen['tried']} mutated exports tried in {elapsed:.1f} s ({elapsed / seen['tried']:.2f} s each): "
        f"{seen['refused']} refused, {seen['loaded']} loaded ({seen['rows']} rows read, "
        f"{seen['quarantined']} quarantined)"
    )
    assert seen["tried"] >= FUZZ_EXAMPLES // 2
    assert seen["refused"] and seen["loaded"]  # the mutations reach both ends


# --- broken text files -----------------------------------------------------------------------------------------


def test_binary_garbage_named_csv_is_refused(db, tmp_path):
    rng = random.Random(7)
    with_nul = tmp_path / "a.csv"
    with_nul.write_bytes(bytes(rng.randrange(256) for _ in range(50_000)))
    refused(db, with_nul, "binary")
    without_nul = tmp_path / "b.csv"
    without_nul.write_bytes(bytes(rng.randrange(1, 256) for _ in range(50_000)))
    refused(db, without_nul)


def test_a_header_of_a_million_columns_is_refused_at_once(db, tmp_path):
    path = write(tmp_path / "wide.csv", "post_id,author,published_at" + ",x" * 1_000_000 + "\n")
    started = time.perf_counter()
    message = refused(db, path, "row 1 is too wide", f"the limit is {MAX_COLUMNS:,}")
    assert time.perf_counter() - started < 30, message


def test_a_line_of_thousands_of_fields_is_refused_before_duckdb_reads_it(db, tmp_path):
    # Regression: DuckDB records a row with too many fields once per surplus field, at a cost growing with the
    # line: this 200 kB line took minutes (a 1 MB one a quarter of an hour).
    path = write(tmp_path / "commas.csv", "post_id,as_of,impressions\n" + "a," * 100_000 + "\nurn:li:activity:1,,1\n")
    started = time.perf_counter()
    refused(db, path, "line 2 has 100,000 ',' delimiters or more")
    assert time.perf_counter() - started < 30


@given(
    widths=st.lists(st.integers(0, 14), min_size=1, max_size=30),
    filler=st.integers(0, 8),
    chunk=st.sampled_from([1, 2, 7, 16, 64, 4096]),
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_first_line_with_too_many_delimiters_is_found_across_chunks(tmp_path, monkeypatch, widths, filler,
                                                                       chunk):  # fmt: skip
    """Lines of `widths` delimiters each (padded with `filler` letters), read in chunks of `chunk` bytes with a
    limit of 10 columns: the first line over it is named, or none, wherever the chunks cut the lines."""
    monkeypatch.setattr(read, "MAX_COLUMNS", 10)
    monkeypatch.setattr(read, "_CHUNK", chunk)
    path = tmp_path / "lines.csv"
    path.write_bytes(b"".join(b"x" * filler + b",x" * width + b"\n" for width in widths))
    over = next((i + 1 for i, width in enumerate(widths) if width > 10), None)
    found = read._line_over_max_columns(path, ",", "\n")
    assert (found and found[0]) == over
    assert found is None or found[1] > 10


def test_a_row_short_of_several_fields_is_one_quarantined_row(roster_db, tmp_path):
    # Regression: DuckDB rejects such a row once per missing field; it counted as several rows and shifted the
    # line numbers of the rows after it.
    path = write(
        tmp_path / "short.csv",
        "post_id,author,published_at,title,impressions\n"
        "urn:li:activity:7000000000000000001,E001\n"
        "urn:li:activity:7000000000000000002,E001,2025-03-02,t,5\n",
    )
    result = load_checked(roster_db, path)
    assert (result.rows_read, result.loaded, result.quarantined) == (2, 1, 1)
    assert quarantine(roster_db, result.upload_id) == [(2, "wrong number of fields: the header has: 5 Found: 2")]
    assert query(roster_db, "SELECT line FROM posts") == [(3,)]


def test_a_cell_too_long_for_the_sniffer_does_not_hide_the_header(roster_db, tmp_path):
    # Regression: a cell over Python's csv field limit (128 kB) in the first rows made every delimiter fail:
    # the file was refused as "not a table".
    title = "word " * 40_000 + "end"
    path = write(
        tmp_path / "long.csv",
        f"post_id,author,published_at,title\nurn:li:activity:7000000000000000001,E001,2025-03-01,{title}\n",
    )
    result = load_checked(roster_db, path)
    assert (result.loaded, result.quarantined) == (1, 0)
    assert query(roster_db, "SELECT length(title) FROM posts") == [(len(title),)]


@pytest.mark.parametrize(
    "text",
    [
        "employee_id,team\r\nE1,A\r\nE2,A\nE3,A\r\n",  # two exports pasted together: CRLF and LF
        "employee_id,team\nE1,A\nE2,A\rE3,A\n",  # a carriage return alone
        "employee_id,team\rE1,A\rE2,A\rE3,A\r",  # old Mac line ends only
        'employee_id,team,role\r\nE1,A,"two\nlines"\r\nE2,A,x\r\nE3,A,\r\n',  # Excel: LF inside a cell
    ],
)
def test_mixed_line_ends_load_every_row(db, tmp_path, text):
    # Regression: DuckDB refused a whole file whose lines end in different ways ("invalid state").
    result = load_checked(db, write(tmp_path / "r.csv", text))
    assert (result.loaded, result.quarantined) == (3, 0), result.refused
    assert query(db, "SELECT line, employee_id FROM employees ORDER BY 1") == [(2, "E1"), (3, "E2"), (4, "E3")]


def test_a_refused_windows_1252_file_leaves_no_temporary_copy(db, tmp_path, monkeypatch):
    # Regression: the UTF-8 copy handed to DuckDB was left behind when the file was refused before DuckDB read it.
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    refused(db, write(tmp_path / "x.csv", "Société;Ville\nA;B\n", "cp1252"), "no header row")
    refused(db, write(tmp_path / "y.csv", "Matricule;Équipe\n" + "a;" * 2000 + "\n", "cp1252"), "delimiters")
    assert list(temp.iterdir()) == []


def test_a_huge_bad_value_is_quoted_short_in_its_reason(roster_db, tmp_path):
    path = write(tmp_path / "e.csv", "post_id,impressions\nurn:li:activity:1," + "9" * 5_000_000 + "x\n")
    result = load_checked(roster_db, path)
    ((line, reason),) = quarantine(roster_db, result.upload_id)
    assert line == 2 and reason.endswith("…' is not a number") and len(reason) < 300


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
def test_truncated_files_load_what_they_hold_or_are_refused(roster_db, tmp_path, encoding):
    # Regression: a UTF-16 file cut at an odd byte escaped as a UnicodeDecodeError ("could not be loaded").
    text = (FILES / "posts_fr.csv").read_bytes().decode("utf-8")
    data = text.encode(encoding)
    for cut in range(1, len(data), 37):
        path = tmp_path / f"cut{cut}.csv"
        path.write_bytes(data[:cut])
        load_checked(roster_db, path)


def test_text_starting_with_equals_is_data_in_a_csv(db, tmp_path):
    path = write(tmp_path / "r.csv", "employee_id,full_name,team\nE1,=cmd|' /C calc'!A0,=Ventes\nE2,+Ana,@x\n")
    result = load_checked(db, path)
    assert (result.loaded, result.quarantined) == (2, 0)
    assert query(db, "SELECT full_name, team FROM employees ORDER BY 1") == [
        ("+Ana", "@x"),
        ("=cmd|' /C calc'!A0", "=Ventes"),
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1900-01-01", "published_at '1900-01-01' is outside the years 1970-2100"),
        ("9999-12-31", "published_at '9999-12-31' is outside the years 1970-2100"),
        ("31/12/9999", "published_at '31/12/9999' is outside the years 1970-2100"),
        ("01/01/1900", "published_at '01/01/1900' is outside the years 1970-2100"),
        ("0000-01-01", "published_at '0000-01-01' is outside the years 1970-2100"),
        ("10000-01-01", "published_at '10000-01-01' is not a date"),
    ],
)
def test_dates_in_the_years_1900_and_9999_are_quarantined(roster_db, tmp_path, value, reason):
    path = write(
        tmp_path / "p.csv", f"post_id;author;published_at\nurn:li:activity:7000000000000000001;E001;{value}\n"
    )
    result = load_checked(roster_db, path)
    assert quarantine(roster_db, result.upload_id)[0][1].startswith(reason)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("-5", "is negative"),
        ("-0,5", "is negative"),
        ("1e15", "is too large"),
        ("1e300", "is too large"),
        ("99999999999999999999999", "is too large"),
        ("1 000 000 000 000 000", "is too large"),
        ("1e400", "is not a number"),
        ("inf", "is not a number"),
        ("NaN", "is not a number"),
        ("−5", "is not a number"),  # a Unicode minus
    ],
)
def test_negative_and_astronomical_counts_are_quarantined(db, tmp_path, value, reason):
    path = write(
        tmp_path / "e.csv", f"post_id;impressions;reactions\nurn:li:activity:1;{value};1\nurn:li:activity:2;5;1\n"
    )
    result = load_checked(db, path)
    assert (result.loaded, result.quarantined) == (1, 1)
    ((line, why),) = quarantine(db, result.upload_id)
    assert line == 2 and why == f"impressions '{value}' {reason}"


# --- broken and hostile workbooks ------------------------------------------------------------------------------


def test_defusedxml_guards_openpyxl():
    assert openpyxl.DEFUSEDXML is True
    assert openpyxl.xml.functions.iterparse.__module__.startswith("defusedxml")


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'.encode() for i in range(1, 10))
    + b"]>"
)


@pytest.mark.parametrize("part", [POSTS_SHEET, "xl/workbook.xml", "[Content_Types].xml", "xl/styles.xml"])
def test_an_xml_entity_bomb_is_refused(roster_db, tmp_path, part):
    def bomb(data: bytes) -> bytes:
        data = BILLION_LAUGHS + data.removeprefix(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
        return data.replace(b"<t>Rejoignez-nous</t>", b"<t>&lol9;</t>") if part == POSTS_SHEET else data

    path = rezip(tmp_path / "laughs.xlsx", {part: bomb})
    started = time.perf_counter()
    message = refused(roster_db, path)
    assert time.perf_counter() - started < 10
    assert "entit" in message or "not a readable .xlsx" in message


def test_a_zip_bomb_workbook_is_refused_from_its_declared_sizes(roster_db, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(FILES / XLSX) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename != POSTS_SHEET:
                new.writestr(info.filename, old.read(info.filename))
                continue
            with new.open(POSTS_SHEET, "w", force_zip64=True) as sheet:  # 64 MB of blanks: about 64 kB packed
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                for _ in range(64):
                    sheet.write(b" " * (1 << 20))
                sheet.write(b"<sheetData/></worksheet>")
    refused(roster_db, path, "unpacks to", "times its packed size", "zip bomb")


def with_shared_strings(dst: Path, write_strings: Callable[[Any], None]) -> Path:
    """The LinkedIn export with a shared strings part (the workbook's table of distinct texts) of our making."""
    sst = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    rel = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    override = b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + sst + b'"/>'
    relationship = b'<Relationship Id="rId99" Type="' + rel + b'" Target="sharedStrings.xml"/>'
    rezip(dst, {
        "[Content_Types].xml": in_sheet(b"</Types>", override + b"</Types>"),
        "xl/_rels/workbook.xml.rels": in_sheet(b"</Relationships>", relationship + b"</Relationships>"),
    })  # fmt: skip
    with (
        zipfile.ZipFile(dst, "a", zipfile.ZIP_DEFLATED) as book,
        book.open("xl/sharedStrings.xml", "w", force_zip64=True) as f,
    ):
        f.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        write_strings(f)
        f.write(b"</sst>")
    return dst


def test_a_workbook_with_too_much_shared_text_is_refused(roster_db, tmp_path):
    def strings(f: Any) -> None:
        f.write(b"<si><t>")
        for _ in range((XLSX_MAX_SHARED_TEXT >> 20) + 1):
            f.write(b" " * (1 << 20))
        f.write(b"</t></si>")

    refused(
        roster_db, with_shared_strings(tmp_path / "text.xlsx", strings), "text unpacks to 129 MB", "save it as .csv"
    )


def test_a_workbook_whose_part_is_bigger_than_declared_is_refused(roster_db, tmp_path):
    """A part that lies about its size: zipfile stops at the declared size and the checksum fails."""
    path = rezip(tmp_path / "liar.xlsx", {})
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the central directory, one entry per part
    while data[entry + 46 : entry + 46 + len(POSTS_SHEET)] != POSTS_SHEET.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, 100)  # its uncompressed size: 100 bytes
    path.write_bytes(bytes(data))
    refused(roster_db, path, "not a readable .xlsx workbook")


def test_a_damaged_workbook_part_is_refused(roster_db, tmp_path):
    path = rezip(tmp_path / "broken.xlsx", {POSTS_SHEET: lambda d: d[: len(d) // 2]})
    refused(roster_db, path, "not a readable .xlsx workbook")


def test_formula_cells_read_their_saved_result_and_unsaved_ones_are_quarantined(roster_db, tmp_path):
    rows = (
        post_row(5, b'<c r="J5"><f>SUM(K5:L5)</f><v>777</v></c>')  # saved result: read
        + post_row(6, b'<c r="J6"><f>SUM(K6:L6)</f></c>')  # never calculated: quarantined
        + post_row(7, cell("A7", "=HYPERLINK(&quot;http://x&quot;)"), b'<c r="J7" t="n"><v>5</v></c>')  # text
    )
    path = rezip(tmp_path / "acme_content_1751328000000.xlsx", {POSTS_SHEET: posts_sheet_rows(rows)})
    result = load_checked(roster_db, path)
    assert (result.rows_read, result.loaded, result.quarantined) == (5, 4, 1)
    assert quarantine(roster_db, result.upload_id) == [
        (6, "cell J6 holds a formula (=SUM(K6:L6)) without a saved result: open the file in Excel and save it again")
    ]
    assert query(roster_db, "SELECT impressions FROM post_engagement WHERE post_id LIKE '%90_' ORDER BY 1") == [
        (5,), (777,),
    ]  # fmt: skip
    assert query(roster_db, "SELECT title FROM posts WHERE post_id LIKE '%907'") == [('=HYPERLINK("http://x")',)]


def test_date_cells_in_1900_and_9999_and_huge_numbers_are_quarantined(roster_db, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["post_id", "author", "published_at", "impressions"])
    sheet.append(["urn:li:activity:1", "E001", datetime(1900, 1, 1), 5])
    sheet.append(["urn:li:activity:2", "E001", datetime(9999, 12, 31), 5])
    sheet.append(["urn:li:activity:3", "E001", datetime(2025, 6, 1), -5])
    sheet.append(["urn:li:activity:4", "E001", datetime(2025, 6, 1), 1e300])
    sheet.append(["urn:li:activity:5", "E001", datetime(2025, 6, 1), 5])
    book.save(tmp_path / "dates.xlsx")
    result = load_checked(roster_db, tmp_path / "dates.xlsx")
    assert (result.loaded, result.quarantined) == (1, 4)
    reasons = [reason.split("'")[0] + reason.split("'")[-1] for _, reason in quarantine(roster_db, result.upload_id)]
    assert reasons == [
        "published_at  is outside the years 1970-2100",
        "published_at  is outside the years 1970-2100",
        "impressions  is negative",
        "impressions  is too large",
    ]


def test_a_sheet_declaring_a_smaller_size_than_it_has_loses_no_row(roster_db, tmp_path):
    # Regression: openpyxl's read-only mode trusts the sheet's <dimension>; rows below it were silently lost.
    path = rezip(tmp_path / "stale.xlsx", {POSTS_SHEET: posts_sheet_rows(post_row(5, cell("J5", "10")))})
    result = load_checked(roster_db, path)
    assert (result.rows_read, result.loaded) == (3, 3)


def test_a_row_past_excels_last_row_is_refused(roster_db, tmp_path):
    row = b'<row r="99999999">' + cell("A99999999", "x") + b"</row>"
    path = rezip(tmp_path / "far.xlsx", {POSTS_SHEET: posts_sheet_rows(row)})
    started = time.perf_counter()
    refused(roster_db, path, "rows past row 1,048,576")
    assert time.perf_counter() - started < 30


def test_cells_at_the_last_column_are_quarantined_quickly(roster_db, tmp_path):
    # Each row widens to 16,384 cells; the rows are rejected without visiting each cell in Python.
    rows = b"".join(post_row(n, cell(f"XFD{n}", "x")) for n in range(5, 3005))
    path = rezip(tmp_path / "xfd.xlsx", {POSTS_SHEET: posts_sheet_rows(rows)})
    started = time.perf_counter()
    result = load_checked(roster_db, path)
    assert (result.loaded, result.quarantined) == (2, 3000)
    assert time.perf_counter() - started < 60
    assert next(iter(result.reasons)) == "wrong number of fields: cells beyond the header's 20 columns"


# --- size limit ------------------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(roster_db, tmp_path, monkeypatch):
    monkeypatch.setenv("ADVOCACY_MAX_UPLOAD_MB", "1")
    path = tmp_path / "big.csv"
    path.write_bytes(b"\x00" * (3 << 19))  # 1.5 MB of garbage: refused for its size, not its content
    message = refused(roster_db, path)
    assert message == "1.5 MB is over the 1 MB limit (ADVOCACY_MAX_UPLOAD_MB)"


def test_the_command_line_refuses_a_file_over_the_limit_set_in_the_environment(tmp_path):
    db = tmp_path / "cli.duckdb"
    path = tmp_path / "export.csv"
    path.write_bytes(b"post_id,impressions\n" + b"urn:li:activity:1,5\n" * 130_000)  # 2.5 MB
    env = {**os.environ, "ADVOCACY_MAX_UPLOAD_MB": "2"}
    done = subprocess.run(
        [str(ADVOCACY), "load", str(path), "--db", str(db)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("export.csv: REFUSED: 2.5 MB is over the 2 MB limit (ADVOCACY_MAX_UPLOAD_MB)")
    assert query(db, "SELECT count(*) FROM uploads") == [(0,)]


def test_the_dashboard_server_takes_the_same_upload_limit(tmp_path, monkeypatch, capsys):
    commands: list[list[str]] = []
    monkeypatch.setattr("pipelines.cli.subprocess.call", lambda command, env: commands.append(command) or 0)
    monkeypatch.setenv("ADVOCACY_MAX_UPLOAD_MB", "350")
    assert main(["dashboard", "--db", str(tmp_path / "d.duckdb")]) == 0
    (command,) = commands
    assert command[command.index("--server.maxUploadSize") + 1] == "350"


# --- the worst cases, measured in a child process --------------------------------------------------------------

SLOW = pytest.mark.slow  # 200 MB files, or a workbook of a few hundred MB unpacked, generated here

# The child reports its own peak memory (VmHWM): getrusage's ru_maxrss, for a child, also counts the memory of
# the parent it was forked from (the high-water mark survives exec), here the whole test session.
CHILD = """
import json, sys
from pathlib import Path
from pipelines.ingest.load import LoadOptions, load_paths
(result,) = load_paths(Path(sys.argv[1]), [Path(sys.argv[2])], LoadOptions())
status = Path("/proc/self/status").read_text()
peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
figures = {"refused": result.refused, "rows_read": result.rows_read, "quarantined": result.quarantined,
           "peak_kb": peak_kb}
Path(sys.argv[3]).write_text(json.dumps(figures))  # not stdout, where DuckDB may draw a progress bar
"""


def _huge_impressions_cell(path: Path, megabytes: int, tail: bytes = b"") -> None:
    """An engagement file whose first row's impressions cell holds `megabytes` MB of digits, then `tail`."""
    with path.open("wb") as f:
        f.write(b"post_id,as_of,impressions,reactions\nurn:li:activity:1,2025-06-30,")
        for _ in range(megabytes):
            f.write(b"7" * (1 << 20))
        f.write(tail + b",1\nurn:li:activity:2,2025-06-30,5,1\n")


def _line_200mb(path: Path) -> None:
    _huge_impressions_cell(path, 200)


def _cell_60mb(path: Path) -> None:
    """Under DuckDB's 64 MB line limit: the cell goes all the way to the validator and into quarantine."""
    _huge_impressions_cell(path, 60, b"x")


def _line_of_commas(path: Path) -> None:
    with path.open("wb") as f:
        f.write(b"post_id,as_of,impressions,reactions\n")
        for _ in range(200):
            f.write(b"a," * (1 << 19))
        f.write(b"\n")


def _million_columns(path: Path) -> None:
    path.write_bytes(b"post_id,author,published_at," + b",".join(b"c%d" % i for i in range(1_000_000)) + b"\n")


def _zip_bomb(path: Path) -> None:
    """A real bomb: a posts sheet that unpacks to 1 GB more than allowed (and about 1,000 times its size)."""
    with zipfile.ZipFile(FILES / XLSX) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename != POSTS_SHEET:
                new.writestr(info.filename, old.read(info.filename))
                continue
            with new.open(POSTS_SHEET, "w", force_zip64=True) as sheet:
                sheet.write(old.read(POSTS_SHEET).replace(b"</sheetData>", b""))
                blank = b" " * (1 << 20)
                for _ in range((XLSX_MAX_UNPACKED >> 20) + 1024):
                    sheet.write(blank)
                sheet.write(b"</sheetData></worksheet>")


def _every_row_quarantined(path: Path) -> None:
    """200 MB of well-formed posts whose author nobody knows: the heaviest path through the validator."""
    with path.open("w") as f:
        f.write("post_id,author,published_at,title,impressions,reactions,comments,shares,clicks\n")
        for block in range(0, 1_250_000, 10_000):
            f.write("".join(
                f"https://www.linkedin.com/feed/update/urn:li:activity:{7100000000000000000 + r}/,Nobody,06/25/2025,"
                f"Post number {r} about the programme and a few more words,{r},44,6,3,61\n"
                for r in range(block, block + 10_000)
            ))  # fmt: skip


def _shared_text_at_the_limit(path: Path) -> None:
    """Distinct strings just under the limit: openpyxl holds them all in memory, at several times their size."""

    def strings(f: Any) -> None:
        written, n = 0, 0
        while written < XLSX_MAX_SHARED_TEXT - (2 << 20):
            block = b"".join(b"<si><t>text %d</t></si>" % i for i in range(n, n + 10_000))
            f.write(block)
            written, n = written + len(block), n + 10_000

    with_shared_strings(path, strings)


def _entity_bomb(path: Path) -> None:
    rezip(path, {POSTS_SHEET: lambda d: BILLION_LAUGHS + d.replace(b"<t>Rejoignez-nous</t>", b"<t>&lol9;</t>")})


@pytest.mark.parametrize(
    ("name", "make", "outcome", "memory_mb"),
    [
        pytest.param("line_200mb.csv", _line_200mb, "quarantined", MEMORY_BOUND_MB, marks=SLOW, id="200 MB line"),
        pytest.param("cell_60mb.csv", _cell_60mb, "quarantined", MEMORY_BOUND_MB, marks=SLOW, id="60 MB cell"),
        pytest.param("commas.csv", _line_of_commas, "refused", MEMORY_BOUND_MB, marks=SLOW, id="200 MB of commas"),
        pytest.param("wide.csv", _million_columns, "refused", MEMORY_BOUND_MB, id="a million columns"),
        pytest.param("bomb.xlsx", _zip_bomb, "refused", MEMORY_BOUND_MB, marks=SLOW, id="zip bomb"),
        pytest.param("text.xlsx", _shared_text_at_the_limit, "loaded", MEMORY_BOUND_MB, marks=SLOW, id="shared text"),
        pytest.param("laughs.xlsx", _entity_bomb, "refused", MEMORY_BOUND_MB, id="entity bomb"),
        pytest.param(
            "nobody.csv", _every_row_quarantined, "quarantined", MEMORY_BOUND_ALL_QUARANTINED_MB, marks=SLOW,
            id="200 MB, every row quarantined",
        ),
    ],
)  # fmt: skip
def test_worst_cases_stay_within_memory_and_time(tmp_path, report, name, make, outcome, memory_mb):
    path = tmp_path / name
    make(path)
    size_mb = path.stat().st_size / 2**20
    out = tmp_path / "out.json"
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "w.duckdb"), str(path), str(out)],
        stdout=subprocess.DEVNULL,
        env={**os.environ, "ADVOCACY_MAX_UPLOAD_MB": "1000"},  # the reader itself, not the size limit, is tested
    )
    try:
        status = child.wait(timeout=4 * TIME_BOUND_S)
    finally:
        child.kill()  # only if still running: a runaway is stopped, and then fails below
        child.wait()
    elapsed = time.perf_counter() - started
    assert status == 0
    result = json.loads(out.read_text())
    peak_mb = result["peak_kb"] / 1024
    ended = f"refused: {result['refused']}" if result["refused"] else f"{result['quarantined']} row(s) quarantined"
    report(
        f"worst case {name} ({size_mb:,.0f} MB on disk): {elapsed:.1f} s, "
        f"peak memory {peak_mb:,.0f} MB (bound {memory_mb:,}), {ended}"
    )
    assert (result["refused"] is not None) == (outcome == "refused"), result
    if outcome == "quarantined":
        assert result["quarantined"] >= 1
    assert peak_mb < memory_mb
    assert elapsed < TIME_BOUND_S
