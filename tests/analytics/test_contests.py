"""Contest rankings on a contest small enough to rank by hand, and their CSV and XLSX downloads.

Contest C1 (2025-03-01 to 2025-03-31, all teams, min_posts 2); team A = E1 Ann, E2 Bob, E3 Cyd (opted out), E6, E7;
team B = E4 Dan (opted out), E5 (a name that looks like a formula), E8, E9, E10; team S = E11 Sol alone.
- E1: 3 posts (1 article), engagements 10, 20, 30; jury 8 and 6 on one post (mean 7)
- E2: 3 posts (2 articles), engagements 20, 20, 20; jury 9
- E3: 1 post, engagement 500 (too few posts for engagement per post), and one post in April (outside)
- E4: 2 posts, engagements 5 and none (averaged over the post that has engagement)
- E5: 1 article; jury 7
- E11: 2 posts
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from pipelines.analytics.contests import ranking, to_csv, to_xlsx
from pipelines.store.db import connect
from tests.conftest import load, write

EVIL = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def contest_db(db, tmp_path):
    people = [
        ("E1", "Ann", "A", "oui"), ("E2", "Bob", "A", "oui"), ("E3", "Cyd", "A", "non"), ("E6", "Eve", "A", "oui"),
        ("E7", "Fay", "A", "oui"), ("E4", "Dan", "B", "non"), ("E5", EVIL, "B", "oui"), ("E8", "Gus", "B", "oui"),
        ("E9", "Hal", "B", "oui"), ("E10", "Ivy", "B", "oui"), ("E11", "Sol", "S", "oui"),
    ]  # fmt: skip
    roster = "employee_id;full_name;team;contest_opt_in\n" + "".join(
        f'{i};"{n.replace(chr(34), chr(34) * 2)}";{t};{o}\n' for i, n, t, o in people
    )
    posts = [("p1", "E1", "2025-03-02", "article", 10), ("p2", "E1", "2025-03-03", "post", 20),
             ("p3", "E1", "2025-03-04", "post", 30), ("p4", "E2", "2025-03-05", "article", 20),
             ("p5", "E2", "2025-03-06", "article", 20), ("p6", "E2", "2025-03-07", "post", 20),
             ("p7", "E3", "2025-03-08", "post", 500), ("p8", "E3", "2025-04-01", "post", 1),
             ("p9", "E4", "2025-03-09", "post", 5), ("p10", "E4", "2025-03-10", "post", None),
             ("p11", "E5", "2025-03-11", "article", None), ("p12", "E11", "2025-03-12", "post", None),
             ("p13", "E11", "2025-03-13", "post", None)]  # fmt: skip
    post_rows = "".join(f"urn:li:activity:{p[1:]}000000,{a},{d},{f}\n" for p, a, d, f, _ in posts)
    engagement = "".join(f"urn:li:activity:{p[1:]}000000,2025-04-30,{e}\n" for p, *_, e in posts if e is not None)
    jury = [("C1", "p1", "J1", 8), ("C1", "p1", "J2", 6), ("C1", "p4", "J1", 9), ("C1", "p11", "J1", 7)]
    files = {
        "roster.csv": roster,
        "posts.csv": "post_id,author,published_at,format\n" + post_rows,
        "engagement.csv": "post_id,as_of,engagements\n" + engagement,
        "contests.csv": "contest_id,name,starts_on,ends_on,teams,min_posts\n"
        "C1,Printemps des équipes,2025-03-01,2025-03-31,,2\nC2,Empty jury,2025-03-01,2025-03-31,,\n",
        "jury.csv": "contest_id,post_id,judge,score\n"
        + "".join(f"{c},urn:li:activity:{p[1:]}000000,{j},{s}\n" for c, p, j, s in jury),
    }
    results = load(db, *(write(tmp_path / name, text) for name, text in files.items()))
    assert all(r.refused is None and r.quarantined == 0 for r in results), [r.reasons for r in results]
    return db


def rank(db, criterion: str, contest: str = "C1", by: str = "employee"):
    with connect(db, read_only=True) as con:
        return ranking(con, contest, criterion, by)


def table(result) -> list[tuple]:
    return [(r["rank"], r["name"], r["value"]) for r in result.rows]


def test_posts_ties_share_a_rank_and_are_listed_by_name(contest_db):
    assert table(rank(contest_db, "posts")) == [
        (1, "Ann", 3), (1, "Bob", 3), (3, "Anonymous participant 2", 2), (3, "Sol", 2),
        (5, EVIL, 1), (5, "Anonymous participant 1", 1),
    ]  # fmt: skip


def test_opted_out_employees_are_anonymous_with_a_stable_number_and_still_count(contest_db):
    rows = rank(contest_db, "posts").rows
    anonymous = [r for r in rows if r["name"].startswith("Anonymous")]
    assert all(r["employee_id"] is None for r in anonymous)
    assert {r["name"] for r in anonymous} == {"Anonymous participant 1", "Anonymous participant 2"}
    # Cyd (E3) is participant 1 and Dan (E4) participant 2 on every criterion.
    assert [r["name"] for r in rank(contest_db, "engagement_per_post").rows if r["team"] == "B"] == [
        "Anonymous participant 2"
    ]


def test_engagement_per_post_needs_min_posts_and_averages_posts_with_engagement(contest_db):
    assert table(rank(contest_db, "engagement_per_post")) == [
        (1, "Ann", 20.0), (1, "Bob", 20.0), (3, "Anonymous participant 2", 5.0),
    ]  # fmt: skip


def test_best_written_ranks_each_employee_by_their_best_post(contest_db):
    assert table(rank(contest_db, "best_written")) == [(1, "Bob", 9.0), (2, EVIL, 7.0), (2, "Ann", 7.0)]


def test_articles(contest_db):
    assert table(rank(contest_db, "articles")) == [(1, "Bob", 2), (2, EVIL, 1), (2, "Ann", 1)]


def test_a_contest_without_jury_scores_has_an_empty_best_written_ranking(contest_db):
    result = rank(contest_db, "best_written", contest="C2")
    assert result.rows == [] and "no jury scores" in (result.note or "")


def test_teams_are_ranked_per_member_so_a_small_team_can_win(contest_db):
    rows = rank(contest_db, "posts", by="team").rows
    # A: 7 posts / 5 members; B: 3 / 5; S (1 member, under the threshold) only as "other teams": 2 / 1.
    assert [(r["rank"], r["team"], r["value"]) for r in rows] == [
        (1, "other teams", 2.0), (2, "A", 1.4), (3, "B", 0.6),
    ]  # fmt: skip


def test_unknown_contest_and_criterion(contest_db):
    with pytest.raises(LookupError):
        rank(contest_db, "posts", contest="nope")
    with pytest.raises(ValueError):
        rank(contest_db, "likes")


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


def test_the_command_line_prints_json_and_writes_both_downloads(contest_db, tmp_path, capsys):
    import json

    from pipelines.cli import main

    assert main(["ranking", "C1", "--criterion", "articles", "--db", str(contest_db), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["contest_id"] == "C1" and printed["criterion"] == "articles"
    assert [(r["rank"], r["name"], r["employee_id"]) for r in printed["rows"]] == [
        (1, "Bob", "E2"), (2, EVIL, "E5"), (2, "Ann", "E1"),
    ]  # fmt: skip
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"ranking.{suffix}"
        assert main(["ranking", "C1", "--db", str(contest_db), "--out", str(out)]) == 0
        assert out.stat().st_size > 0
    assert main(["ranking", "C1", "--db", str(contest_db), "--out", str(tmp_path / "r.pdf")]) == 2
    assert main(["ranking", "nope", "--db", str(contest_db)]) == 1
    capsys.readouterr()
    assert main(["contests", "--db", str(contest_db), "--json"]) == 0
    assert [c["contest_id"] for c in json.loads(capsys.readouterr().out)[-2:]] == ["C1", "C2"]
