"""A ranking's CSV and XLSX downloads: the table shown, and text that a spreadsheet would run stays text."""

from __future__ import annotations

import csv
import io

import openpyxl

from pipelines.analytics.downloads import to_csv, to_xlsx
from tests.analytics.conftest import EVIL, rank


def test_csv_download_holds_the_table_with_a_bom_and_no_live_formula(contest_db):
    result = rank(contest_db, "posts")
    data = to_csv(result)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Rank", "Employee ID", "Name", "Team", "Posts", "Posts in contest"]
    assert len(rows) == 1 + len(result.rows)
    names = [r[2] for r in rows[1:]]
    assert "'" + EVIL in names and EVIL not in names
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_xlsx_download_has_the_contest_on_top_a_frozen_header_and_text_not_formulas(contest_db, tmp_path):
    result = rank(contest_db, "posts")
    path = tmp_path / "ranking.xlsx"
    path.write_bytes(to_xlsx(result))
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "Printemps des équipes (C1)"
    assert sheet.freeze_panes == "A5"
    assert [c.value for c in sheet[4]] == ["Rank", "Employee ID", "Name", "Team", "Posts", "Posts in contest"]
    cells = [sheet.cell(row=r, column=3) for r in range(5, 5 + len(result.rows))]
    assert [c.value for c in cells] == [row["name"] for row in result.rows]
    evil = next(c for c in cells if c.value == EVIL)
    assert evil.data_type == "s"  # a string, not a formula
    assert sheet["A4"].font.b
