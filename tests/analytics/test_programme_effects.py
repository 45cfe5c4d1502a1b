"""Co-creation and the contest effect through the real loader and `impact()`: where they appear, what they hold,
what privacy leaves out (metrics.md, "Co-creation", "Contest effect")."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from pipelines.analytics import programme_effects, verdict
from pipelines.analytics.metrics import covered_days, impact
from pipelines.analytics.scopes import ImpactRequest
from pipelines.ingest.load import set_charter
from pipelines.store.db import connect
from tests.conftest import ROSTER, load


def test_no_workshops_and_no_contests_say_nothing(db: Path) -> None:
    load(db, ROSTER, "teams_bom.csv", "posts_fr.csv")
    with connect(db, read_only=True) as con:
        report = impact(con)
    assert report["cocreation"] is None and report["contest_effect"] is None
    assert verdict.programme_lines(report) == []


def test_fewer_than_five_participants_give_no_figure_but_a_note(db: Path) -> None:
    load(db, ROSTER, "posts_fr.csv", "workshops_fr_cp1252.csv")
    set_charter(db, date(2025, 6, 14))  # the posts cover June 2025: both sides of it
    with connect(db, read_only=True) as con:
        found = impact(con)["cocreation"]
    assert found is not None and found["teams"] == []
    for measure in ("posting", "engagement"):
        assert found[measure]["ratio"] is None and found[measure]["ci95"] is None
        assert found[measure]["notes"] == ["fewer than 5 participants or others: no figure"]
    assert verdict.cocreation_line(found) == (
        "Charter co-created in workshops: can't tell, too few participants or other members."
    )


def test_the_demo_reports_both_with_intervals_and_privacy(demo_db: Path) -> None:
    with connect(demo_db, read_only=True) as con:
        report = impact(con, ImpactRequest())
    co = report["cocreation"]
    for measure in ("posting", "engagement"):
        figure = co[measure]
        assert set(figure) >= {"ratio", "ci95", "participants", "others", "notes"}
        assert figure["ci95"][0] < figure["ratio"] < figure["ci95"][1]
        assert figure["participants"] >= 5 and figure["others"] >= 5
        assert any("keener" in note for note in figure["notes"])
    assert 1.0 < co["posting"]["ci95"][1] and co["posting"]["ci95"][0] < 1.25 < co["posting"]["ci95"][1]
    assert co["posting"]["levels"]["participants"]["before"] > co["posting"]["levels"]["others"]["before"]
    assert co["teams"] and all(t["posting"]["participants"] >= 5 and t["posting"]["others"] >= 5 for t in co["teams"])
    assert "Executive Office" not in {t["team"] for t in co["teams"]}  # 4 members: never alone
    effect = report["contest_effect"]
    assert [c["contest_id"] for c in effect["contests"]] == ["C2025-PRINTEMPS", "C2025-RENTREE", "C2026-SUMMER"]
    spring = effect["contests"][0]
    assert spring["method"] == "against non-eligible teams"  # Sales and Marketing only: the others are controls
    for contest in (*effect["contests"], effect["pooled"]):
        assert set(contest["lift_during"]) == {"ratio", "ci95"} and set(contest["lift_after"]) == {"ratio", "ci95"}
        assert contest["lift_during"]["ratio"] > 1
        assert 0 <= contest["new_voices_share"] <= 1
    assert spring["best_written_ratio"] is not None and effect["contests"][2]["best_written_ratio"] is None
    lines = [line for _, line in verdict.programme_lines(report, "fr")]
    assert lines[0].startswith("Charte co-construite en ateliers") and lines[1].startswith("Concours : publications")


def test_a_team_filter_keeps_only_its_members(demo_db: Path) -> None:
    with connect(demo_db, read_only=True) as con:
        report = impact(con, ImpactRequest(team_filter=("Sales",)))
    assert [t["team"] for t in report["cocreation"]["teams"]] == ["Sales"]
    assert report["cocreation"]["posting"]["participants"] + report["cocreation"]["posting"]["others"] <= 70


@pytest.mark.parametrize(("programme", "team_filter"),
                         [("demo_db", ()), ("demo_db", ("Sales", "Engineering")), ("contest_db", ())])  # fmt: skip
def test_each_contest_counts_its_eligible_members_posts_in_each_window(request, programme, team_filter) -> None:
    """The posts before, during and after each contest, and its new voices, are those a plain count of the
    eligible members' posts in its windows gives (the effect counts every window in one pass over the posts);
    in `contest_db` the posts carry a day only, and one falls on the day after the contest: after, not during."""
    impact_request = ImpactRequest(team_filter=team_filter)
    with connect(request.getfixturevalue(programme), read_only=True) as con:
        covered = covered_days(con, impact_request)
        effect = programme_effects.contest_effect(con, impact_request, covered)
        assert effect is not None
        for contest in effect["contests"]:
            starts_on, ends_on, teams = con.execute(
                "SELECT starts_on, ends_on, teams FROM contests WHERE contest_id = ?", [contest["contest_id"]]
            ).fetchall()[0]
            windows = programme_effects._contest_windows(starts_on, ends_on, covered)
            by_author = """SELECT p.employee_id, count(*) FROM posts p JOIN employees e USING (employee_id)
                WHERE (len($eligible) = 0 OR list_contains($eligible, e.team))
                  AND (len($teams) = 0 OR list_contains($teams, e.team))
                  AND p.published_at >= $start AND p.published_at < $end GROUP BY ALL"""
            counted = {  # each window's posts per eligible author
                period: dict(con.execute(by_author, {"eligible": teams or [], "teams": list(team_filter),
                                                     "start": getattr(windows, period)[0],
                                                     "end": getattr(windows, period)[1]}).fetchall())
                for period in ("before", "during", "after", "lookback")
            }  # fmt: skip
            assert contest["posts"] == {p: sum(counted[p].values()) for p in ("before", "during", "after")}
            assert contest["posts"]["during"] > 0
            if "new_voices" in contest:
                new = [who for who in counted["during"] if who not in counted["lookback"]]
                assert contest["new_voices"] == {"posted": len(counted["during"]), "new": len(new)}


def test_best_written_compares_the_three_best_rated_posts_with_the_contests_other_posts(demo_db: Path) -> None:
    """Recomputed by hand: the eligible members' posts during the spring contest with engagement figures, the
    three with the best average jury score (ties by post id) against the rest."""
    with connect(demo_db, read_only=True) as con:
        report = impact(con, ImpactRequest())
        contest_id, starts_on, ends_on, teams = con.execute(
            "SELECT contest_id, starts_on, ends_on, teams FROM contests WHERE contest_id = 'C2025-PRINTEMPS'"
        ).fetchone()
        posts = con.execute(
            """SELECT p.post_id, e.team, g.engagements FROM posts p JOIN employees e USING (employee_id)
            JOIN post_engagement g USING (post_id)
            WHERE p.published_at::DATE BETWEEN ? AND ? AND g.engagements IS NOT NULL""",
            [starts_on, ends_on],
        ).df()
        scores = con.execute(
            "SELECT post_id, avg(score) AS score FROM jury_scores WHERE contest_id = ? GROUP BY post_id", [contest_id]
        ).df()
    posts = posts[posts["team"].isin(teams)]
    top = scores.merge(posts, on="post_id").sort_values(["score", "post_id"], ascending=[False, True]).head(3)
    rest = posts[~posts["post_id"].isin(top["post_id"])]
    assert len(top) == 3 and len(rest) > 10
    spring = report["contest_effect"]["contests"][0]
    assert spring["best_written_ratio"] == pytest.approx(top["engagements"].mean() / rest["engagements"].mean())


# --- the bootstrap over employees ---------------------------------------------------------------------------


@pytest.mark.parametrize("whole", [True, False])
def test_bootstrap_sums_resample_each_stratum_to_its_own_size(whole: bool) -> None:
    """Counts (summed from how many times each row was drawn) and other numbers (summed from the drawn rows)."""
    rng = np.random.default_rng(3)
    strata = np.array(["a"] * 300 + ["b"] * 700)
    values = rng.poisson(4, 1000).astype(float) + (0 if whole else 0.25)
    columns = np.column_stack([strata == "a", strata == "b", values]).astype(float)
    sums = programme_effects.bootstrap_sums(strata, columns, n_boot=4000, seed=1)
    assert sums.shape == (4000, 3)
    assert (sums[:, 0] == 300).all() and (sums[:, 1] == 700).all()  # each stratum keeps its size, exactly
    # The sum of a resample: mean the total, variance the strata's n * var (within Monte Carlo error).
    expected_var = sum(len(v) * v.var() for v in (values[:300], values[300:]))
    assert sums[:, 2].mean() == pytest.approx(values.sum(), rel=0.002)
    assert sums[:, 2].var() == pytest.approx(expected_var, rel=0.08)


def test_bootstrap_sums_draw_every_row_of_a_stratum_too_big_for_16_bit_row_numbers() -> None:
    n = 40_000  # over 32,767: drawn as 64-bit row numbers
    last = np.zeros((n, 1))
    last[-1] = 1
    sums = programme_effects.bootstrap_sums(np.zeros(n, dtype=int), last, n_boot=600, seed=2)
    assert 0.8 < sums.mean() < 1.2  # the last row is drawn once per resample on average (Poisson 1)
