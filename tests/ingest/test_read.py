"""Reading exports: encodings, delimiters, header rows, sheets, kinds, and the row numbers a user sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest.contract import KINDS, match_header, normalize_header
from tests.conftest import ROSTER, load, query, write


@pytest.mark.parametrize(
    ("name", "kind", "encoding", "delimiter", "date_order", "header_row", "sheet"),
    [
        (ROSTER, "employees", "cp1252", ";", "dmy", 1, None),
        ("teams_bom.csv", "teams", "utf-8 with BOM", ",", "mdy", 1, None),
        ("posts_fr.csv", "posts", "utf-8", ";", "dmy", 1, None),
        ("engagement_fr_cp1252.csv", "engagement", "cp1252", ";", "dmy", 1, None),
        ("engagement_en_mdy.csv", "engagement", "utf-8", ",", "mdy", 1, None),
        ("engagement_utf16.txt", "engagement", "utf-16", "\t", "mdy", 1, None),
        ("incidents_note_row.csv", "incidents", "utf-8", ";", "dmy", 2, None),
        ("jury_scores_fr.csv", "jury_scores", "utf-8", ";", "dmy", 1, None),
        ("acme_content_1751328000000.xlsx", "posts", None, None, "mdy", 2, "All posts"),
    ],
)
def test_dialect_and_kind_are_recognised(db, name, kind, encoding, delimiter, date_order, header_row, sheet):
    load(db, ROSTER) if name != ROSTER else None
    (result,) = load(db, name)
    assert result.refused is None
    assert (result.kind, result.dialect["encoding"], result.dialect["delimiter"]) == (kind, encoding, delimiter)
    assert (result.dialect["date_order"], result.dialect["header_row"]) == (date_order, header_row)
    assert result.dialect["sheet"] == sheet
    assert result.quarantined == 0


def test_french_excel_file_reads_accents_no_break_space_thousands_and_keeps_the_rate_aside(db):
    (result,) = load(db, "engagement_fr_cp1252.csv")
    assert result.dialect["decimal_comma"] is True
    rows = query(db, "SELECT impressions, reactions, extra->>'Taux d''engagement' FROM post_engagement ORDER BY 1")
    assert rows == [(850, 12, "1,6 %"), (1002, 30, "3,6 %"), (12345, 120, "1,5 %")]
    assert "columns kept aside: Taux d'engagement" in result.notes


def test_roster_in_windows_1252_keeps_its_accents(db):
    load(db, ROSTER)
    names = {row[0] for row in query(db, "SELECT full_name FROM employees")}
    assert {"Zoé Lefèvre", "François Dupré", "Ana García"} <= names


def test_linkedin_page_export_reads_the_all_posts_sheet_below_its_note_row(db):
    load(db, ROSTER)
    (result,) = load(db, "acme_content_1751328000000.xlsx")
    assert (result.loaded, result.quarantined) == (2, 0)
    assert "export date 2025-07-01 taken from the LinkedIn file name" in result.notes
    posts = query(db, "SELECT post_id, employee_id, published_at::DATE::VARCHAR, format FROM posts ORDER BY 1")
    assert posts == [
        ("urn:li:activity:7100000000000000020", "E001", "2025-06-25", "image"),
        ("urn:li:activity:7100000000000000021", "E002", "2025-06-12", "article"),
    ]
    # Likes are reactions, Reposts are shares; Views (video views) is not impressions.
    assert query(
        db, "SELECT impressions, reactions, shares, clicks, as_of::VARCHAR FROM post_engagement ORDER BY 1"
    ) == [
        (2300, 44, 3, 61, "2025-07-01"),
        (5100, 80, 9, 120, "2025-07-01"),
    ]


def test_quoted_cells_with_delimiters_and_line_breaks_stay_one_row(db):
    load(db, ROSTER)
    (result,) = load(db, "posts_fr.csv")
    assert result.loaded == 4
    titles = dict(query(db, "SELECT line, title FROM posts"))
    assert titles[3] == "Bravo à l'équipe ; merci"
    assert titles[4] == "Deux lignes\ndans un titre"
    assert titles[5] == '=HYPERLINK("http://x")'


def test_row_numbers_count_as_a_spreadsheet_shows_them_around_broken_rows(db, tmp_path):
    load(db, ROSTER)
    path = write(
        tmp_path / "posts.csv",
        "note above the header\n"
        "post_id,author,published_at\n"
        'urn:li:activity:7000000000000000001,E001,"2025-03-01"\n'
        "urn:li:activity:7000000000000000002,E001,2025-03-02,surplus\n"
        'urn:li:activity:7000000000000000003,E001,"2025-03-03"\n'
        "urn:li:activity:7000000000000000004,E001\n"
        "urn:li:activity:7000000000000000005,E001,2025-03-05\n",
    )
    (result,) = load(db, path)
    assert (result.loaded, result.quarantined, result.rows_read) == (3, 2, 5)
    assert query(db, "SELECT line, right(post_id, 1) FROM posts ORDER BY line") == [(3, "1"), (5, "3"), (7, "5")]
    quarantined = query(db, "SELECT line, reason FROM quarantine ORDER BY line")
    assert [line for line, _ in quarantined] == [4, 6]
    assert all("wrong number of fields" in reason for _, reason in quarantined)


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("Référence;Date;Équipe;Gravité", "incidents"),  # has a team column, still an incident log
        ("Matricule;Nom;Service", "employees"),
        ("Équipe;Effectif;Date charte", "teams"),
        ("Post link;Impressions;Likes", "engagement"),
        ("Concours;Début;Fin", "contests"),
        ("post_id;author;published_at;impressions", "posts"),  # posts win: engagement becomes a snapshot
    ],
)
def test_kind_is_the_best_match_of_the_headers(db, tmp_path, header, kind):
    path = write(tmp_path / "file.csv", header + "\n")
    (result,) = load(db, path)
    assert result.kind == kind


def test_an_unknown_table_is_refused_with_what_each_kind_needs(db, tmp_path):
    (result,) = load(db, write(tmp_path / "x.csv", "foo,bar\n1,2\n"))
    assert (
        result.refused
        and "no header row" in result.refused
        and "posts: post_id, author, published_at" in result.refused
    )
    assert query(db, "SELECT count(*) FROM uploads") == [(0,)]


def test_a_header_that_fits_two_kinds_equally_is_refused_asking_for_the_kind(db, tmp_path):
    # Four columns of contests (contest_id, name, starts_on, ends_on), four of jury scores.
    tie = write(tmp_path / "tie.csv", "contest_id,post_id,judge,score,starts_on,ends_on,name\n")
    (result,) = load(db, tie)
    assert result.refused and "equally well" in result.refused and "--kind" in result.refused
    (forced,) = load(db, tie, kind="contests")
    assert forced.refused is None and forced.kind == "contests"


def test_two_columns_filling_one_field_exact_name_wins_else_refused(db, tmp_path):
    both = write(tmp_path / "a.csv", "post_id,reactions,likes\nurn:li:activity:7000000000000000001,5,6\n")
    (result,) = load(db, both, export_date=None)
    assert result.refused is None
    assert query(db, "SELECT reactions, extra->>'likes' FROM post_engagement") == [(5, "6")]
    clash = write(tmp_path / "b.csv", "post_id,likes,j'aime\nurn:li:activity:7000000000000000001,5,6\n")
    (result,) = load(db, clash)
    assert result.refused and "'likes' and \"j'aime\"" in result.refused


def test_a_shares_archive_needs_the_author_named(db):
    load(db, ROSTER)
    (refused,) = load(db, "Shares.csv")
    assert refused.refused and "--author" in refused.refused
    (result,) = load(db, "Shares.csv", author="ana.garcia@acme.fr")
    assert (result.loaded, result.quarantined) == (2, 0)
    # The URL-encoded urn in ShareLink is the same post as its bare urn.
    assert query(db, "SELECT post_id, employee_id FROM posts ORDER BY 1") == [
        ("urn:li:activity:7100000000000000010", "E003"),
        ("urn:li:activity:7100000000000000011", "E003"),
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00garbage", "binary"),
        (b"PK\x03\x04not really a zip", "not a table"),
    ],
)
def test_unreadable_files_are_refused_whole(db, tmp_path, content, reason):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    (result,) = load(db, path)
    assert result.refused is not None
    assert reason in result.refused or result.refused.startswith("no header row")
    assert query(db, "SELECT count(*) FROM uploads") == [(0,)]


def test_a_damaged_workbook_is_refused(db, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (result,) = load(db, path)
    assert result.refused is not None


def test_header_matching_ignores_case_accents_spaces_and_punctuation():
    assert normalize_header("  Adresse E-mail ") == normalize_header("adresse_e-mail") == "adresseemail"
    assert normalize_header("Click through rate (CTR)") == "clickthroughratectr"
    match = match_header(KINDS["employees"], ["MATRICULE", "Équipe ", "Date d’entrée"])
    assert match.columns == {"employee_id": 0, "team": 1, "joined_on": 2}


def test_contradicting_dates_refuse_the_file(db, tmp_path):
    path = write(tmp_path / "c.csv", "contest_id,starts_on,ends_on\nC1,25/03/2025,03/26/2025\n")
    (result,) = load(db, path)
    assert result.refused and "contradict" in result.refused


def test_explicit_order_decides_only_where_values_do_not_tell(db, tmp_path):
    ambiguous = write(tmp_path / "a.csv", "contest_id,starts_on,ends_on\nC1,01/03/2025,02/03/2025\n")
    load(db, ambiguous, date_order="dmy")
    assert query(db, "SELECT starts_on::VARCHAR FROM contests") == [("2025-03-01",)]
    telling = write(tmp_path / "b.csv", "contest_id,starts_on,ends_on\nC2,03/25/2025,03/26/2025\n")
    (result,) = load(db, telling, date_order="dmy")
    assert result.dialect["date_order"] == "mdy"
    assert any("not as asked" in note for note in result.notes)


def test_file_paths_that_do_not_exist_are_refused(db):
    (result,) = load(db, Path("/nonexistent/file.csv"))
    assert result.refused is not None
