"""Exports as the tools really write them (data-contract.md, "Exports as the tools really write them").

Each file is built from the headers and quirks the contract lists for its tool: BambooHR's `Employee #` and split
names with US dates, Lucca's `;` file with `login` and `employeenumber`, Personio's workbook with date cells,
Workday's `Email_Address` and `Preferred_Name`, a French Excel roster with `Nom` and `Prénom` in Windows-1252.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter

from pipelines.ingest.undo import undo
from tests.conftest import load, query, write

# The same five people in every roster; Inès and Tom left.
PEOPLE = [
    # id, first, last, e-mail, department, team, status, contract end
    ("1001", "Camille", "Martin", "camille.martin@example.com", "Sales", "Key Accounts", "Active", None),
    ("1002", "Zoé", "Lefèvre", "zoe.lefevre@example.com", "Marketing", "Brand", "Active", None),
    ("1003", "Chaitanya", "Mandala", "c.mandala@example.com", "Engineering", "Platform", "Active", None),
    ("1004", "Inès", "Haddad", "ines.haddad@example.com", "Sales", "Key Accounts", "Terminated", "2025-06-30"),
    ("1005", "Tom", "Baker", "tom.baker@example.com", "Marketing", "Brand", "Inactive", None),
]


def bamboohr(folder: Path) -> Path:
    lines = ["Employee #,First Name,Last Name,Preferred Name,Work Email,Department,Division,Job Title,Location,"
             "Reports To,Hire Date,Status"]  # fmt: skip
    for i, first, last, email, dept, _, status, _end in PEOPLE:
        lines.append(f"{i},{first},{last},,{email},{dept},Europe,Consultant,Paris,Claire Dumas,03/15/2021,{status}")
    return write(folder / "BambooHR report.csv", "\r\n".join(lines) + "\r\n")


def lucca(folder: Path) -> Path:
    lines = ["login;firstName;lastName;mail;legalEntity;dtContractStart;department;manager;rolePrincipal;culture;"
             "employeenumber"]  # fmt: skip
    for i, first, last, email, dept, _, _status, _end in PEOPLE:
        lines.append(f"{first.lower()}.{last.lower()};{first};{last};{email};ACME SAS;15/03/2021;{dept};cdumas;"
                     f"Consultant;fr-FR;{i}")  # fmt: skip
    return write(folder / "lucca_users.csv", "\r\n".join(lines) + "\r\n", encoding="cp1252")


def personio(folder: Path) -> Path:
    path = folder / "personio-export.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Employees")
    dates = book.add_format({"num_format": "dd.mm.yyyy"})
    header = ["ID", "Personnel number", "First name", "Last name", "Email", "Department", "Team", "Position",
              "Employment type", "Status", "Hire date", "Contract end date"]  # fmt: skip
    sheet.write_row(0, 0, header)
    for row, (i, first, last, email, dept, team, status, end) in enumerate(PEOPLE, start=1):
        sheet.write_row(row, 0, [int(i) + 5000, i, first, last, email, dept, team, "Consultant", "internal"])
        sheet.write_string(row, 9, "active" if status == "Active" else "inactive")
        sheet.write_datetime(row, 10, datetime(2021, 3, 15), dates)
        if end:
            sheet.write_datetime(row, 11, datetime.fromisoformat(end), dates)
    book.close()
    return path


def workday(folder: Path) -> Path:
    lines = ["Employee_ID,Preferred_Name,First_Name,Last_Name,Email_Address,Business_Title,Department,Division,"
             "Company,Location,Manager,Hire_Date,Employee_Type,Country"]  # fmt: skip
    for i, first, last, email, dept, _, _status, _end in PEOPLE:
        lines.append(f"{i},{first} {last},{first},{last},{email},Consultant,{dept},Europe,ACME,Paris,"
                     "Claire Dumas,2021-03-15,Regular,France")  # fmt: skip
    return write(folder / "Worker feed.csv", "\n".join(lines) + "\n")


def french_roster(folder: Path) -> Path:
    lines = ["Matricule;Nom;Prénom;E-mail;Service;Date d'entrée"]
    for i, first, last, email, dept, _, _status, _end in PEOPLE:
        lines.append(f"{i};{last.upper()};{first};{email};{dept};15/03/2021")
    return write(folder / "effectifs.csv", "\r\n".join(lines) + "\r\n", encoding="cp1252")


ROSTERS = {"bamboohr": bamboohr, "lucca": lucca, "personio": personio, "workday": workday, "french": french_roster}


def employees(db: Path) -> dict[str, tuple]:
    rows = query(db, "SELECT employee_id, full_name, email, team, left_on FROM employees ORDER BY employee_id")
    return {r[0]: r[1:] for r in rows}


@pytest.mark.parametrize("tool", sorted(ROSTERS))
def test_each_hr_roster_loads_as_a_roster_with_whole_names(tool: str, db: Path, tmp_path: Path) -> None:
    (result,) = load(db, ROSTERS[tool](tmp_path))
    assert result.refused is None and result.kind == "employees", result.refused
    assert (result.loaded, result.quarantined) == (5, 0), result.reasons
    people = employees(db)
    ids = {"1001", "1002", "1003", "1004", "1005"}
    # Lucca's employee number wins over its login, Personio's personnel number over its ID
    assert set(people) == ids
    names = {i: people[i][0] for i in ids}
    expected = {"1001": "Camille Martin", "1002": "Zoé Lefèvre", "1003": "Chaitanya Mandala",
                "1004": "Inès Haddad", "1005": "Tom Baker"}  # fmt: skip
    if tool == "french":  # "Nom" is the family name, in capitals as French rosters write it
        expected = {i: f"{n.split()[0]} {n.split()[1].upper()}" for i, n in expected.items()}
    assert names == expected
    assert people["1002"][1] == "zoe.lefevre@example.com"
    # the narrower of Team / Department / Division
    assert people["1001"][2] == ("Key Accounts" if tool == "personio" else "Sales")
    if tool in ("bamboohr", "personio"):  # status and contract end give left_on where it is absent
        assert people["1004"][3] == (date(2025, 6, 30) if tool == "personio" else result_day(db))
        assert people["1005"][3] == result_day(db) and people["1001"][3] is None


def result_day(db: Path) -> date:
    (day,) = query(db, "SELECT max(export_date) FROM uploads")[0]
    return day


TEAMS_FILE = "team;headcount;charter_adopted_on\n*;;2025-01-15\nSales;12;\nMarketing;8;2025-02-01\n"


@pytest.mark.parametrize("tool", ["bamboohr", "lucca"])
def test_a_roster_is_never_read_as_a_teams_file(tool: str, db: Path, tmp_path: Path) -> None:
    load(db, write(tmp_path / "teams.csv", TEAMS_FILE))
    before = query(db, "SELECT * EXCLUDE (upload_id, line) FROM teams ORDER BY team")
    (result,) = load(db, ROSTERS[tool](tmp_path))
    assert result.kind == "employees"
    assert query(db, "SELECT * EXCLUDE (upload_id, line) FROM teams ORDER BY team") == before


def test_a_file_with_a_team_column_and_more_unknown_columns_is_refused_not_read_as_teams(db, tmp_path) -> None:
    load(db, write(tmp_path / "teams.csv", TEAMS_FILE))
    # (a workshops sign-in sheet is a kind of its own now: a training log is not)
    trainings = write(tmp_path / "formations.csv", "trainer,held_on,training,team\nE1,2025-01-10,Charte #1,Sales\n")
    (result,) = load(db, trainings)
    assert result.refused is not None and "teams" in result.refused and "--kind" in result.refused
    assert "'trainer'" in result.refused
    assert query(db, "SELECT headcount FROM teams WHERE team = 'Sales'") == [(12,)]
    (forced,) = load(db, trainings, kind="teams")  # asked for: it loads
    assert forced.refused is None and forced.kind == "teams"


def test_names_or_emails_without_an_id_are_refused_as_a_roster_that_lacks_it(db, tmp_path) -> None:
    path = write(tmp_path / "people.csv", "First Name,Last Name,Work Email,Department\nAnn,Lee,a@x.com,Sales\n")
    (result,) = load(db, path)
    assert result.refused is not None and "roster" in result.refused and "employee_id" in result.refused


def test_a_column_a_file_lacks_leaves_the_stored_value_and_a_blank_cell_clears_it(db, tmp_path) -> None:
    load(db, write(tmp_path / "teams.csv", TEAMS_FILE))
    first = write(tmp_path / "r1.csv", "employee_id,full_name,email,team\nE1,Ann Lee,ann@x.com,Sales\n"
                                       "E2,Bob Ray,bob@x.com,Sales\n")  # fmt: skip
    (r1,) = load(db, first)
    # no e-mail column: the e-mails stay; Bob's name is new
    (r2,) = load(db, write(tmp_path / "r2.csv", "employee_id,full_name,team\nE1,Ann Lee,Sales\nE2,Bob Roy,Sales\n"))
    assert (r2.unchanged, r2.updated) == (1, 1)
    assert query(db, "SELECT employee_id, full_name, email FROM employees ORDER BY 1") == [
        ("E1", "Ann Lee", "ann@x.com"), ("E2", "Bob Roy", "bob@x.com")]  # fmt: skip
    # an e-mail column with a blank cell: that e-mail is cleared
    (r3,) = load(db, write(tmp_path / "r3.csv", "employee_id,email,team\nE1,,Sales\nE2,bob@x.com,Sales\n"))
    assert query(db, "SELECT employee_id, full_name, email FROM employees ORDER BY 1") == [
        ("E1", "Ann Lee", None), ("E2", "Bob Roy", "bob@x.com")]  # fmt: skip
    # a charter set by hand leaves the headcount alone
    from pipelines.ingest.load import set_charter

    set_charter(db, date(2025, 3, 1), "Sales")
    assert query(db, "SELECT headcount, charter_adopted_on FROM teams WHERE team = 'Sales'") == [
        (12, date(2025, 3, 1))
    ]
    # undo is exact, column by column
    assert r3.upload_id is not None and r1.upload_id is not None
    undo(db, r3.upload_id)
    assert query(db, "SELECT email FROM employees ORDER BY employee_id") == [("ann@x.com",), ("bob@x.com",)]
    undo(db, r1.upload_id)  # the only upload that carried e-mails
    assert query(db, "SELECT employee_id, full_name, email FROM employees ORDER BY 1") == [
        ("E1", "Ann Lee", None), ("E2", "Bob Roy", None)]  # fmt: skip


def test_authors_match_however_an_export_names_them(db, tmp_path) -> None:
    roster = ("employee_id,full_name,email,team,linkedin\n"
              "E1,Camille Martin,camille.martin@example.com,Sales,https://www.linkedin.com/in/camille-martin-1a2b3c/\n"
              "E2,Chaitanya Mandala,c.mandala@example.com,Sales,\n"
              "E3,Zoé Lefèvre,zoe@example.com,Sales,\n"
              "E4,Jean Dupont,j1@example.com,Sales,\nE5,Jean Dupont,j2@example.com,Sales,\n")  # fmt: skip
    load(db, write(tmp_path / "roster.csv", roster))
    authors = ["Chaitanya Mandala📡", "Zoé Lefèvre 📣", "Martin, Camille", "CAMILLE.MARTIN@EXAMPLE.COM",
               "linkedin.com/in/Camille-Martin-1a2b3c", "zoe lefevre", "Jean Dupont", "Nobody Here"]  # fmt: skip
    posts = "post_id,author,published_at\n" + "".join(
        f'urn:li:activity:{7000000000000000000 + i},"{a}",2025-03-0{i + 1}\n' for i, a in enumerate(authors)
    )
    (result,) = load(db, write(tmp_path / "posts.csv", posts))
    assert result.loaded == 6 and result.quarantined == 2
    assert query(db, "SELECT employee_id, count(*) FROM posts GROUP BY 1 ORDER BY 1") == [
        ("E1", 3), ("E2", 1), ("E3", 2)]  # fmt: skip
    reasons = dict(query(db, "SELECT raw, reason FROM quarantine"))
    ambiguous = next(r for raw, r in reasons.items() if "Jean Dupont" in raw)
    assert "matches 2 employees (E4, E5)" in ambiguous
    assert any("matches nobody" in r for r in reasons.values())


# --- LinkedIn's page export ----------------------------------------------------------------------------------

PAGE_HEADER = ["Post title", "Post link", "Post type", "Campaign name", "Posted by", "Created date",
               "Campaign start date", "Campaign end date", "Audience", "Impressions", "Views", "Offsite Views",
               "Clicks", "Click through rate (CTR)", "Likes", "Comments", "Reposts", "Follows", "Engagement rate",
               "Content Type"]  # fmt: skip


def page_row(link: str, kind: str, by: str, day: str, impressions: int, clicks: int, likes: int, comments: int,
             reposts: int, campaign: str = "") -> list:  # fmt: skip
    ctr = clicks / impressions if impressions else ""
    rate = (clicks + likes + comments + reposts) / impressions if impressions else ""
    sponsored = kind == "Sponsored"
    return ["Notre charte, un an après", link, kind, campaign, by, day, "07/08/2025" if sponsored else "",
            "07/22/2025" if sponsored else "", "Members in France" if sponsored else "", impressions, "", "", clicks,
            ctr, likes, comments, reposts, 0, rate, "Image"]  # fmt: skip


def linkedin_page_export(folder: Path, rows: list[list], daily_impressions: int = 1200) -> Path:
    """`<page>_content_<epoch ms>.xlsx` as LinkedIn writes it: a Metrics sheet and an All posts sheet, each with a
    note in A1 and its header on row 2; text dates; empty cells as empty strings."""
    import openpyxl

    book = openpyxl.Workbook()
    metrics = book.active
    metrics.title = "Metrics"
    metrics.append(["Aggregated metrics for the selected date range. Data is updated daily."])
    metrics.append(["Date", "Impressions (organic)", "Impressions (sponsored)", "Clicks (total)"])
    metrics.append(["07/01/2025", daily_impressions, 300, 40])
    posts = book.create_sheet("All posts")
    posts.append(["All posts published in the selected date range. Sponsored content includes campaign data."])
    posts.append(PAGE_HEADER)
    for row in rows:
        posts.append(row)
    path = folder / "acme-corp_content_1754006400000.xlsx"
    book.save(path)
    return path


STAFF = "employee_id,full_name,email,team\nE1,Chaitanya Mandala,c@x.com,Sales\nE2,Zoé Lefèvre,z@x.com,Sales\n"
LINK = "https://www.linkedin.com/feed/update/urn:li:activity:{}/"


def test_a_boosted_post_is_one_post_with_organic_and_paid_figures_apart(db, tmp_path) -> None:
    load(db, write(tmp_path / "staff.csv", STAFF))
    boosted, plain = LINK.format(7350000000000000001), LINK.format(7350000000000000002)
    dark = LINK.format(7350000000000000003)  # sponsored only: no organic row
    rows = [
        page_row(boosted, "Organic", "Chaitanya Mandala📡", "07/08/2025", 1000, 20, 30, 5, 2),
        page_row(boosted, "Sponsored", "Chaitanya Mandala📡", "07/08/2025", 4000, 60, 40, 3, 1,
                 "Boost Post Engagement July 8, 2025 at 8:13 AM"),
        page_row(boosted, "Sponsored", "Chaitanya Mandala📡", "07/08/2025", 2000, 10, 10, 1, 0,
                 "Boost Post Engagement July 15, 2025 at 9:02 AM"),
        page_row(boosted, "Total", "Chaitanya Mandala📡", "07/08/2025", 7000, 90, 80, 9, 3),
        page_row(plain, "Organic", "Zoé Lefèvre 📣", "07/10/2025", 500, 5, 12, 2, 1),
        page_row(dark, "Sponsored", "Zoé Lefèvre 📣", "07/12/2025", 3000, 30, 20, 0, 0, "Boost July 12"),
    ]  # fmt: skip
    (result,) = load(db, linkedin_page_export(tmp_path, rows))
    assert result.refused is None and result.kind == "posts", result.refused
    assert (result.loaded, result.quarantined, result.merged, result.rows_read) == (3, 0, 3, 6), result.reasons
    assert result.dialect["export_date"] == "2025-08-01"  # from the file's name (epoch milliseconds)
    figures = query(
        db,
        """SELECT p.employee_id, p.published_at::DATE, g.impressions, g.reactions, g.clicks, g.engagements,
                  g.paid_impressions, g.paid_reactions, g.paid_engagements, g.source
        FROM posts p JOIN post_engagement g USING (post_id) ORDER BY p.post_id""",
    )
    assert figures == [
        ("E1", date(2025, 7, 8), 1000, 30, 20, 57, 6000, 50, 125, "linkedin page"),
        ("E2", date(2025, 7, 10), 500, 12, 5, 20, None, None, None, "linkedin page"),
        ("E2", date(2025, 7, 12), None, None, None, None, 3000, 20, 50, "linkedin page"),
    ]
    # the same export saved again (other bytes) changes nothing; undo takes the first back whole
    (again,) = load(db, linkedin_page_export(tmp_path, rows, daily_impressions=1300))
    assert (again.loaded, again.updated, again.unchanged, again.merged) == (0, 0, 3, 3)
    assert again.upload_id is not None
    undo(db, again.upload_id)
    assert result.upload_id is not None
    undo(db, result.upload_id)
    assert query(db, "SELECT count(*) FROM posts UNION ALL SELECT count(*) FROM post_engagement") == [(0,), (0,)]


# --- LinkedIn's creator analytics export ---------------------------------------------------------------------


def creator_export(folder: Path, name: str = "Content_2025-03-01_2025-08-31_Zoé Lefèvre.xlsx") -> Path:
    """Five sheets; TOP POSTS holds a note row, then two tables side by side (A-C by engagements, E-G by
    impressions), dates M/D/YYYY as text."""
    book = xlsxwriter.Workbook(folder / name)
    discovery = book.add_worksheet("DISCOVERY")
    discovery.write_row(0, 0, ["Overall Performance", "3/1/2025 - 8/31/2025"])
    discovery.write_row(1, 0, ["Impressions", 48210])
    engagement = book.add_worksheet("ENGAGEMENT")
    engagement.write_row(0, 0, ["Date", "Impressions", "Engagements"])
    engagement.write_row(1, 0, ["3/1/2025", 120, 4])
    top = book.add_worksheet("TOP POSTS")
    top.write_row(0, 0, ["Maximum of 50 posts available to include in this list"])
    top.write_row(2, 0, ["Post URL", "Post publish date", "Engagements", "", "Post URL", "Post publish date",
                         "Impressions"])  # fmt: skip
    a, b = LINK.format(7300000000000000001), "https://www.linkedin.com/feed/update/urn:li:share:7300000000000000999"
    c2 = LINK.format(7300000000000000003)
    top.write_row(3, 0, [a, "3/4/2025", 120, "", a, "3/4/2025", 5400])
    top.write_row(4, 0, [b, "4/18/2025", 35, "", c2, "6/2/2025", 900])
    followers = book.add_worksheet("FOLLOWERS")
    followers.write_row(0, 0, ["Total followers on 8/31/2025:", 1234])
    followers.write_row(2, 0, ["Date", "New followers"])
    book.add_worksheet("DEMOGRAPHICS").write_row(0, 0, ["Top Demographics", "Value", "Percentage"])
    book.close()
    return folder / name


def test_the_creator_analytics_export_loads_its_top_posts_for_the_member_it_names(db, tmp_path) -> None:
    load(db, write(tmp_path / "staff.csv", STAFF))
    (result,) = load(db, creator_export(tmp_path))
    assert result.refused is None and result.kind == "posts", result.refused
    assert (result.loaded, result.quarantined) == (3, 0), result.reasons
    assert result.dialect["export_date"] == "2025-08-31"
    rows = query(
        db,
        """SELECT p.post_id, p.employee_id, p.published_at::DATE, g.engagements, g.impressions, g.as_of, g.source
        FROM posts p JOIN post_engagement g USING (post_id) ORDER BY p.published_at""",
    )
    assert rows == [
        ("urn:li:activity:7300000000000000001", "E2", date(2025, 3, 4), 120, 5400, date(2025, 8, 31),
         "linkedin creator"),
        ("urn:li:share:7300000000000000999", "E2", date(2025, 4, 18), 35, None, date(2025, 8, 31),
         "linkedin creator"),
        ("urn:li:activity:7300000000000000003", "E2", date(2025, 6, 2), None, 900, date(2025, 8, 31),
         "linkedin creator"),
    ]  # fmt: skip
    assert any("share" in note and "activity" in note for note in result.notes)


def test_a_creator_export_renamed_needs_its_employee(db, tmp_path) -> None:
    load(db, write(tmp_path / "staff.csv", STAFF))
    path = creator_export(tmp_path, "my stats.xlsx")
    (refused,) = load(db, path)
    assert refused.refused is not None and "--author" in refused.refused
    (result,) = load(db, path, author="c@x.com")
    assert result.loaded == 3 and query(db, "SELECT DISTINCT employee_id FROM posts") == [("E1",)]


# --- one key per post, sources, warnings ---------------------------------------------------------------------

N = 7312345678901234567


def test_every_form_of_a_linkedin_post_id_is_one_key(db, tmp_path) -> None:
    load(db, write(tmp_path / "staff.csv", STAFF))
    forms = [
        f"urn:li:activity:{N}",
        f"https://www.linkedin.com/feed/update/urn:li:activity:{N}/",
        f"https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A{N}/?utm_source=share",
        f"https://www.linkedin.com/posts/zoe-lefevre_charte-activity-{N}-AbCd?utm_source=share&utm_medium=member",
    ]
    ugc = [f"urn:li:ugcPost:{N + 1}", f"https://www.linkedin.com/feed/update/urn%3Ali%3AugcPost%3A{N + 1}/"]
    group = [
        f"urn:li:groupPost:12345-{N + 2}",
        f"https://www.linkedin.com/feed/update/urn%3Ali%3AgroupPost%3A12345-{N + 2}",
    ]
    rows = (
        [(form, "2025-03-01") for form in forms]
        + [(u, "2025-03-02") for u in ugc]
        + [(g, "2025-03-03") for g in group]
    )
    for i, (post_id, day) in enumerate(rows):  # one file per form: each a monthly export of the same posts
        load(db, write(tmp_path / f"posts{i}.csv", f"post_id,author,published_at\n{post_id},E2,{day}\n"))
    assert query(db, "SELECT post_id FROM posts ORDER BY post_id") == [
        (f"urn:li:activity:{N}",), (f"urn:li:groupPost:12345-{N + 2}",), (f"urn:li:ugcPost:{N + 1}",)]  # fmt: skip


FIRSTUP = ("Post Source,Post Source URL,Post Source Type,Post Views,Shares,Impression,Clicks,Conversions,"
           "Total Reactions,Likes,Comments,Re-shares\n"
           f"Notre charte,https://www.linkedin.com/feed/update/urn:li:activity:{N}/,LinkedIn,"
           "40,12,9000,33,2,25,20,4,3\n")  # fmt: skip


def test_a_platforms_figures_are_kept_as_what_they_mean_and_linkedin_wins_in_either_order(db, tmp_path) -> None:
    load(db, write(tmp_path / "staff.csv", STAFF))
    page = linkedin_page_export(tmp_path, [page_row(LINK.format(N), "Organic", "Zoé Lefèvre", "03/01/2025",
                                                    1500, 10, 30, 5, 2)])  # fmt: skip
    firstup = write(tmp_path / "firstup_sources.csv", FIRSTUP)
    for order in ([page, firstup], [firstup, page]):
        for result in query(db, "SELECT upload_id FROM uploads WHERE undone_at IS NULL AND kind <> 'employees'"):
            undo(db, result[0])
        results = load(db, *order, export_date=date(2025, 4, 1))
        assert all(r.refused is None for r in results), [r.refused for r in results]
        sources = {r.file: r.dialect["source"] for r in results}
        assert sources == {page.name: "linkedin page", firstup.name: "firstup"}
        # LinkedIn's impressions and reposts; the platform's audience and members' shares as their own figures
        assert query(db, "SELECT impressions, reactions, shares, potential_reach, member_shares, source "
                         "FROM post_engagement") == [(1500, 30, 2, 9000, 12, "linkedin page")]  # fmt: skip


def test_what_loads_but_deserves_a_look_is_said(db, tmp_path) -> None:
    load(db, write(tmp_path / "staff.csv", STAFF))
    snapshot = write(tmp_path / "engagement.csv", f"post_id,as_of,impressions\nurn:li:activity:{N},2025-03-31,100\n")
    (early,) = load(db, snapshot)
    assert any("not in the database yet" in n for n in early.notes)
    posts = write(
        tmp_path / "posts.csv",
        f"post_id,author,published_at,network\nurn:li:activity:{N},E2,2025-03-01,Yammer\n"
        f"urn:li:activity:{N + 1},E2,2025-05-02,linkedin\n",
    )
    (result,) = load(db, posts, export_date=date(2025, 4, 1))
    assert any("network 'yammer'" in n for n in result.notes)
    assert any("1 post(s) published after the export date 2025-04-01" in n for n in result.notes)
    # the figures that came first count once the post is there
    assert query(db, "SELECT g.impressions FROM posts p JOIN post_engagement g USING (post_id) WHERE p.post_id = ?",
                 [f"urn:li:activity:{N}"]) == [(100,)]  # fmt: skip
    copy = write(tmp_path / "posts (1).csv", posts.read_text())
    (again,) = load(db, copy)
    assert again.already_loaded and any("under the name 'posts.csv'" in n for n in again.notes)


def test_a_refusal_says_what_the_file_looks_like_and_what_it_lacks(db, tmp_path) -> None:
    users = write(tmp_path / "EveryoneSocial users.csv", "Name,Type,Created On,Onboarded,Last Active,Reach,Posts,"
                  "Shares,Clicks\nZoé Lefèvre,User,2025-01-02,Yes,2025-06-30,5400,12,30,44\n")  # fmt: skip
    (result,) = load(db, users)
    refusal = result.refused or ""
    assert refusal.startswith("not a file the dashboard reads: the nearest kind is")
    assert "'Shares'" in refusal and "post_id" in refusal and " a employees" not in refusal


def test_a_programme_from_real_exports_counts_every_post_its_files_hold(db, tmp_path) -> None:
    """The issue's programme: 45 posts before the charter and 41 after (−9 %), in a LinkedIn page export with
    boosted posts on several rows and display names with emoji, authors from a BambooHR roster."""
    from datetime import timedelta

    from pipelines.analytics.metrics import impact
    from pipelines.analytics.scopes import ImpactRequest
    from pipelines.store.db import connect

    load(db, bamboohr(tmp_path))
    load(db, write(tmp_path / "teams.csv", "team,charter_adopted_on\n*,2025-04-01\n"))
    shown = ["Camille Martin 🚀", "Zoé Lefèvre 📣", "Chaitanya Mandala📡", "Haddad, Inès", "TOM BAKER"]
    rows, n = [], 0
    for count, start in ((45, date(2025, 1, 6)), (41, date(2025, 4, 7))):
        for i in range(count):
            n += 1
            day, by = (start + timedelta(days=i % 80)).strftime("%m/%d/%Y"), shown[n % len(shown)]
            link = LINK.format(7350000000000000000 + n)
            rows.append(page_row(link, "Organic", by, day, 800, 8, 20, 2, 1))
            if n % 10 == 0:  # boosted: two campaigns and a total, same link
                rows.append(page_row(link, "Sponsored", by, day, 3000, 30, 10, 1, 0, "Boost A"))
                rows.append(page_row(link, "Sponsored", by, day, 2000, 20, 5, 0, 0, "Boost B"))
                rows.append(page_row(link, "Total", by, day, 5800, 58, 35, 3, 1))
    (result,) = load(db, linkedin_page_export(tmp_path, rows))
    assert (result.loaded, result.quarantined, result.merged) == (86, 0, 24), result.reasons
    request = ImpactRequest(before=(date(2025, 1, 6), date(2025, 4, 1)), after=(date(2025, 4, 1), date(2025, 6, 26)))
    with connect(db, read_only=True) as con:
        report = impact(con, request)
    posts = report["scopes"][0]["metrics"]["posts"]
    assert (posts["before"], posts["after"]) == (45, 41)
    assert round(posts["change_pct"], 1) == -8.9


def test_the_columns_a_file_lacks_are_typed_as_if_they_were_parsed(db, tmp_path, monkeypatch) -> None:
    """A file's absent columns are not parsed (their cells are all NULL): the typed rows, their types and reasons
    are those the full parsing gives, for rosters, LinkedIn's page and creator exports and French Excel files."""
    from pipelines.ingest import load as loader

    build, compared = loader.build_typed, []

    def both(con, cells, kind, reading, present=None):
        full = build(con, cells, kind, reading)
        con.execute(f"CREATE OR REPLACE TEMP TABLE parsed_in_full AS SELECT * FROM {full}")
        typed = build(con, cells, kind, reading, present)
        assert con.execute("DESCRIBE parsed_in_full").fetchall() == con.execute(f"DESCRIBE {typed}").fetchall()
        for a, b in (("parsed_in_full", typed), (typed, "parsed_in_full")):
            assert con.execute(f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})").fetchall() == [(0,)], kind
        compared.append((kind.name, len(set(c.name for c in kind.columns) - set(present or ()))))
        return typed

    monkeypatch.setattr(loader, "build_typed", both)
    load(db, write(tmp_path / "staff.csv", STAFF), bamboohr(tmp_path), french_roster(tmp_path))
    rows = [page_row(LINK.format(7350000000000000001), "Organic", "Chaitanya Mandala📡", "07/08/2025", 1000, 20, 30,
                     5, 2), page_row(LINK.format(7350000000000000002), "Sponsored", "Zoé Lefèvre 📣", "07/12/2025",
                                     3000, 30, 20, 0, 0, "Boost July 12")]  # fmt: skip
    load(db, linkedin_page_export(tmp_path, rows), creator_export(tmp_path))
    load(db, "posts_fr.csv", "engagement_fr_cp1252.csv", "incidents_note_row.csv", "workshops_fr_cp1252.csv")
    assert len(compared) == 9 and [absent > 0 for _, absent in compared].count(True) >= 7, compared
