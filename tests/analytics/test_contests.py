"""Contest rankings on a contest small enough to rank by hand (tests/analytics/conftest.py)."""

from __future__ import annotations

import pytest

from tests.analytics.conftest import EVIL, rank


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
