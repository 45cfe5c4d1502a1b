"""A ranking's CSV and XLSX downloads: the table shown, and text that a spreadsheet would run stays text."""

from __future__ import annotations

import csv
import io

import openpyxl

from pipelines.analytics.downloads import ranking_table, to_csv, to_xlsx
from tests.analytics.conftest import EVIL, rank


def test_csv_download_holds_the_table_with_a_bom_and_no_live_formula(contest_db):
    result = rank(contest_db, "posts")
    data = to_csv(result)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Rank", "Employee ID", "Name", "Team", "Posts"]  # the posts criterion: posts once
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
    assert [c.value for c in sheet[4]] == ["Rank", "Employee ID", "Name", "Team", "Posts"]
    cells = [sheet.cell(row=r, column=3) for r in range(5, 5 + len(result.rows))]
    assert [c.value for c in cells] == [row["name"] for row in result.rows]
    evil = next(c for c in cells if c.value == EVIL)
    assert evil.data_type == "s"  # a string, not a formula
    assert sheet["A4"].font.b


def test_a_french_csv_has_semicolons_decimal_commas_french_headers_and_anonymous_participants(contest_db):
    result = rank(contest_db, "engagement_per_post")
    rows = list(csv.reader(io.StringIO(to_csv(result, "fr").decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Rang", "Matricule", "Nom", "Équipe", "Interactions par publication",
                       "Publications du concours"]  # fmt: skip
    assert rows[1:] == [["1", "E1", "Ann", "A", "20,00", "3"], ["1", "E2", "Bob", "A", "20,00", "3"],
                        ["3", "", "Participant anonyme 2", "B", "5,00", "2"]]  # fmt: skip


def test_by_team_the_value_is_per_member_and_counts_are_whole(contest_db, tmp_path):
    result = rank(contest_db, "posts", by="team")
    table = ranking_table(result)
    assert list(table.frame.columns) == ["Rank", "Team", "Members", "Posts per member", "Posts in the contest"]
    assert [str(t) for t in table.frame.dtypes] == ["Int64", "object", "Int64", "float64", "Int64"]
    rows = list(csv.reader(io.StringIO(to_csv(result).decode("utf-8-sig"))))
    assert rows[1:] == [["1", "other teams", "1", "2.00", "2"], ["2", "A", "5", "1.40", "7"],
                        ["3", "B", "5", "0.60", "3"]]  # fmt: skip
    path = tmp_path / "team.xlsx"
    path.write_bytes(to_xlsx(result, "fr"))
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[4]] == ["Rang", "Équipe", "Membres", "Publications par membre",
                                           "Publications du concours"]  # fmt: skip
    assert [c.value for c in sheet[6]] == [2, "A", 5, 1.4, 7] and sheet["D6"].number_format == "0.00"
