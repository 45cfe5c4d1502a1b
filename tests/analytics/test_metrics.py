"""The impact metrics on a programme small enough to check by hand.

Programme (one charter date, 2025-03-01, for everyone; posts from 2025-01-01 to 2025-04-30):
- coverage [2025-01-01, 2025-05-01): before [2025-01-01, 2025-03-01) has 59 days, after could have 61, so both
  windows last 59 days: after = [2025-03-01, 2025-04-29); the post of 2025-04-30 falls outside;
- team A (5 members, headcount 10): before E1 x6, E2 x4; after E1 x10 (one on the charter day itself), E2 x5, E3 x5;
- team B (5 members, headcount 5): before F1 x2; after F1 x2, F2 x1;
- team S (2 members, headcount 2, under the privacy threshold): before S1 x1; after S1 x1;
- incidents: A 4 before, 1 on the charter day (after); B 2 before, 0 after; S 0 before, 1 after;
- engagement (A only): before 10, 20, 30, 100 on impressions 100, 200, 300, 1000; after 50, 50, 200 on 500, 0, 1000.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from scipy import stats as scipy_stats

from pipelines.analytics.catalogue import flag_text
from pipelines.analytics.metrics import impact
from pipelines.analytics.scopes import ImpactRequest
from pipelines.ingest.load import set_charter
from pipelines.ingest.undo import undo
from pipelines.store.db import connect
from tests.conftest import load, write

WEEKS = 59 / 7


def _posts(rows: list[tuple[str, str, str]]) -> str:
    lines = ["post_id,author,published_at"]
    lines += [f"urn:li:activity:{100000 + i},{author},{day} {time}" for i, (author, day, time) in enumerate(rows)]
    return "\n".join(lines) + "\n"


def _spread(author: str, count: int, first: date, step: int = 5) -> list[tuple[str, str, str]]:
    return [(author, (first + timedelta(days=step * i)).isoformat(), "10:00") for i in range(count)]


@pytest.fixture
def programme(db, tmp_path):
    roster = ["employee_id,full_name,team"]
    roster += [f"E{i},Person A{i},A" for i in range(1, 6)] + [f"F{i},Person B{i},B" for i in range(1, 6)]
    roster += ["S1,Person S1,S", "S2,Person S2,S"]
    posts = (
        _spread("E1", 6, date(2025, 1, 1)) + _spread("E2", 4, date(2025, 1, 3))
        + [("E1", "2025-03-01", "00:00")] + _spread("E1", 9, date(2025, 3, 2)) + _spread("E2", 5, date(2025, 3, 3))
        + _spread("E3", 5, date(2025, 3, 4)) + [("E4", "2025-04-30", "12:00")]
        + _spread("F1", 2, date(2025, 1, 5)) + _spread("F1", 2, date(2025, 3, 5)) + [("F2", "2025-04-01", "08:00")]
        + [("S1", "2025-02-01", "09:00"), ("S1", "2025-04-01", "09:00")]
    )  # fmt: skip
    engagement = ["post_id,as_of,impressions,reactions"]
    # Post 100000 also has an older snapshot, which the newer one (loaded before it) must beat.
    engaged = [(0, 100, 10), (1, 200, 20), (2, 300, 30), (3, 1000, 100), (10, 500, 50), (11, 0, 50), (12, 1000, 200)]
    engagement += [f"urn:li:activity:{100000 + i},2025-05-01,{imp},{r}" for i, imp, r in engaged]
    incidents = ["incident_id,occurred_on,team,severity"]
    days = ["2025-01-10", "2025-01-20", "2025-02-05", "2025-02-27"]
    incidents += [f"A{i},{d},A,low" for i, d in enumerate(days)] + ["A9,2025-03-01,A,high"]
    incidents += ["B1,2025-02-01,B,low", "B2,2025-02-02,B,medium", "S1,2025-03-20,S,low"]
    files = {
        "roster.csv": "\n".join(roster) + "\n",
        "teams.csv": "team,headcount,charter_adopted_on\nA,10,\nB,5,\nS,2,\n*,,2025-03-01\n",
        "posts.csv": _posts(posts),
        "engagement.csv": "\n".join(engagement) + "\n",
        "older.csv": "post_id,as_of,impressions,reactions\nurn:li:activity:100000,2025-02-15,1,1\n",
        "incidents.csv": "\n".join(incidents) + "\n",
    }
    results = load(db, *(write(tmp_path / name, text) for name, text in files.items()))
    assert all(r.refused is None and r.quarantined == 0 for r in results)
    return db


def report(db, **request) -> dict:
    with connect(db, read_only=True) as con:
        return impact(con, ImpactRequest(**request))


def scope(rep: dict, team: str | None = None) -> dict:
    return next(s for s in rep["scopes"] if s.get("team") == team)


def test_organisation_windows_are_equal_and_cut_to_the_data(programme):
    org = scope(report(programme))
    assert org["charter_date"] == date(2025, 3, 1) and org["window_days"] == 59
    assert org["before"] == {"start": date(2025, 1, 1), "end": date(2025, 3, 1)}
    assert org["after"] == {"start": date(2025, 3, 1), "end": date(2025, 4, 29)}


def test_post_volume_active_ambassadors_and_participation(programme):
    m = scope(report(programme))["metrics"]
    assert (m["posts"]["before"], m["posts"]["after"]) == (13, 24)  # the 2025-04-30 post is outside
    assert m["posts_per_week"]["before"] == pytest.approx(13 / WEEKS)
    assert m["posts_per_week"]["after"] == pytest.approx(24 / WEEKS)
    assert m["posts_per_week"]["change_pct"] == pytest.approx((24 / 13 - 1) * 100)
    low, high = m["posts_per_week"]["ci95_pct"]
    assert low < (24 / 13 - 1) * 100 < high
    assert (m["active_ambassadors"]["before"], m["active_ambassadors"]["after"]) == (4, 6)
    assert m["posts_per_active_ambassador"]["after"] == pytest.approx(4.0)
    assert m["participation_rate"]["before"] == pytest.approx(4 / 17)  # headcounts 10 + 5 + 2


def test_incidents_per_week_and_per_1000_posts_with_the_exact_interval(programme):
    m = scope(report(programme))["metrics"]
    assert m["incidents_per_week"]["counts"] == {"before": 6, "after": 2}
    assert m["incidents_per_1000_posts"]["before"] == pytest.approx(6 / 13 * 1000)
    assert m["incidents_per_1000_posts"]["after"] == pytest.approx(2 / 24 * 1000)
    assert m["incidents_per_1000_posts"]["change_pct"] == pytest.approx(((2 / 24) / (6 / 13) - 1) * 100)
    # Clopper-Pearson on 2 of 8 events falling after, mapped to the ratio by equal exposures (59 days each).
    p_low, p_high = scipy_stats.beta.ppf(0.025, 2, 7), scipy_stats.beta.ppf(0.975, 3, 6)
    expected = [(p_low / (1 - p_low) - 1) * 100, (p_high / (1 - p_high) - 1) * 100]
    assert m["incidents_per_week"]["ci95_pct"] == pytest.approx(expected)


def test_zero_incidents_after_gives_an_interval_from_minus_100(programme):
    b = scope(report(programme), "B")["metrics"]["incidents_per_week"]
    assert b["counts"] == {"before": 2, "after": 0}
    assert b["change_pct"] == pytest.approx(-100) and b["ci95_pct"][0] == -100
    assert b["ci95_pct"][1] > -100


def test_zero_incidents_before_gives_no_change_and_says_why(programme):
    other = scope(report(programme), "other teams")["metrics"]["incidents_per_week"]
    assert other["counts"] == {"before": 0, "after": 1}
    assert other["change_pct"] is None and other["ci95_pct"] is None
    assert "no baseline" in other["note"]


def test_engagement_uses_the_newest_snapshot_mean_median_and_rate(programme):
    a = scope(report(programme), "A")["metrics"]
    assert a["engagements_per_post"]["before"] == pytest.approx(40.0)  # (10 + 20 + 30 + 100) / 4
    assert a["engagements_per_post"]["after"] == pytest.approx(100.0)
    assert a["engagements_per_post"]["posts_with_engagement"] == {"before": 4, "after": 3}
    assert a["engagements_per_post_median"]["before"] == pytest.approx(25.0)
    assert a["engagements_per_post_median"]["after"] == pytest.approx(50.0)
    assert a["engagement_rate"]["before"] == pytest.approx(160 / 1600)
    assert a["engagement_rate"]["after"] == pytest.approx(250 / 1500)  # the post with 0 impressions is left out
    assert a["earned_media_value"]["before"] == pytest.approx(1600 * 30 / 1000)
    low, high = a["engagements_per_post"]["ci95_pct"]
    assert low < 150 < high


def test_the_bootstrap_is_seeded(programme):
    first = scope(report(programme), "A")["metrics"]["engagements_per_post"]["ci95_pct"]
    assert scope(report(programme), "A")["metrics"]["engagements_per_post"]["ci95_pct"] == first


def test_small_samples_are_flagged(programme):
    org = scope(report(programme))
    assert "fewer than 30 posts before the charter (13)" in [flag_text(f) for f in org["low_confidence"]]


def test_small_teams_appear_only_inside_other_teams_unless_asked(programme):
    rep = report(programme)
    assert [s.get("team") for s in rep["scopes"]] == [None, "A", "B", "other teams"]
    named = report(programme, name_small_teams=True)
    assert [s.get("team") for s in named["scopes"]] == [None, "A", "B", "S"]
    assert report(programme, only_team="S")["scopes"][0]["team"] == "other teams"


def test_teams_on_different_dates_each_use_their_own(programme):
    set_charter(programme, date(2025, 2, 1), team="B")
    rep = report(programme)
    org = scope(rep)
    assert org["charter_date"] is None and any("own date" in n for n in org["notes"])
    b = scope(rep, "B")
    assert b["charter_date"] == date(2025, 2, 1)
    assert b["before"] == {"start": date(2025, 1, 1), "end": date(2025, 2, 1)}


def test_the_report_has_the_article_reference_and_no_infinity_or_nan(programme):
    rep = report(programme)
    text = json.dumps(rep, default=str, allow_nan=False)
    assert "Infinity" not in text and "NaN" not in text
    assert rep["reference"]["article"] == {"posts_change_pct": 60.0, "incident_risk_change_pct": -90.0}
    assert rep["reference"]["plain"]["posts_change_pct"] == pytest.approx((24 / 13 - 1) * 100)
    for key in ("posts", "incidents", "engagement"):
        effect = scope(rep)["effect"][key]
        assert set(effect) >= {"ratio", "ci95", "method", "weeks_used", "notes"}


def test_explicit_windows(programme):
    org = scope(
        report(programme, before=(date(2025, 1, 1), date(2025, 2, 1)), after=(date(2025, 3, 1), date(2025, 4, 1)))
    )
    assert org["window_days"] == 31
    assert org["metrics"]["posts"]["before"] == 12  # January: E1 x6, E2 x4, F1 x2


def test_impact_on_the_command_line(programme, capsys):
    from pipelines.cli import main

    assert main(["impact", "--db", str(programme), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    org = printed["scopes"][0]
    assert org["scope"] == "organisation" and org["window_days"] == 59
    assert set(org["metrics"]) >= {
        "posts_per_week", "posts_per_active_ambassador", "active_ambassadors", "participation_rate",
        "incidents_per_week", "incidents_per_1000_posts", "engagements_per_post", "engagements_per_post_median",
        "engagement_rate",
    }  # fmt: skip
    for name in ("posts_per_week", "incidents_per_week", "incidents_per_1000_posts", "engagements_per_post"):
        assert "ci95_pct" in org["metrics"][name]
    team = printed["scopes"][1]
    assert team["scope"] == "team" and team["team"] == "A"
    assert main(["impact", "--db", str(programme)]) == 0
    text = capsys.readouterr().out
    assert "Article's claim: posts +60 %" in text and "Organisation" in text
    assert "Adjusted effect on posts: " in text  # a figure with its interval, or "no figure" and why
    assert "\nPosts: " in text and "\nIncident risk per post: " in text  # the verdict, in words
    assert main(["impact", "--db", str(programme), "--team", "nobody"]) == 1


def test_weekly_timeline_counts_every_post_and_incident_once(programme):
    from pipelines.analytics.metrics import weekly_timeline

    with connect(programme, read_only=True) as con:
        weeks = weekly_timeline(con)
        only_a = weekly_timeline(con, ImpactRequest(team_filter=("A",)))
    assert int(weeks["posts"].sum()) == 13 + 24 + 1  # the 2025-04-30 post too: the timeline is not windowed
    assert int(weeks["incidents"].sum()) == 8
    assert all(day.weekday() == 0 for day in weeks["week"])
    assert int(only_a["posts"].sum()) == 10 + 20 + 1 and int(only_a["incidents"].sum()) == 5


def test_data_coverage_says_what_is_missing(programme, tmp_path):
    from pipelines.store.ledger import data_coverage

    load(programme, write(tmp_path / "late.csv", "employee_id,full_name,team\nZ1,Zed,Newcomers\n"))
    with connect(programme, read_only=True) as con:
        cover = data_coverage(con)
    posts = next(s for s in cover["sources"] if s["source"] == "posts")
    assert (posts["first_day"], posts["last_day"], posts["rows"]) == (date(2025, 1, 1), date(2025, 4, 30), 38)
    assert cover["posts_without_engagement"] == 38 - 7
    assert cover["teams_without_charter_date"] == []  # the organisation's date covers every team
    with connect(programme, read_only=True) as con:
        (teams_upload,) = con.execute("SELECT upload_id FROM uploads WHERE kind = 'teams'").fetchall()[0]
    undo(programme, teams_upload)
    with connect(programme, read_only=True) as con:
        assert data_coverage(con)["teams_without_charter_date"] == ["A", "B", "Newcomers", "S"]


def test_a_chosen_period_limits_the_days_the_report_and_the_timeline_look_at(programme):
    from pipelines.analytics.metrics import weekly_timeline

    org = scope(report(programme, period=(date(2024, 6, 1), date(2025, 4, 1))))
    # Coverage becomes [2025-01-01, 2025-04-01): after has 31 days, so before is trimmed to 31 days too.
    assert org["window_days"] == 31
    assert org["before"] == {"start": date(2025, 1, 29), "end": date(2025, 3, 1)}
    assert org["after"] == {"start": date(2025, 3, 1), "end": date(2025, 4, 1)}
    with connect(programme, read_only=True) as con:
        march = weekly_timeline(con, ImpactRequest(period=(date(2025, 3, 1), date(2025, 4, 1))))
    assert int(march["incidents"].sum()) == 2  # A9 on 2025-03-01 and S1 on 2025-03-20
    assert report(programme, period=(date(2030, 1, 1), date(2030, 2, 1)))["scopes"] == []


def test_a_team_whose_charter_falls_outside_the_period_is_left_out_with_a_note(programme):
    from pipelines.ingest.load import set_charter

    set_charter(programme, date(2025, 4, 15), team="B")
    org = scope(report(programme, period=(date(2025, 1, 1), date(2025, 4, 1))))
    # B's charter is after the period: the organisation compares A and S on the 2025-03-01 date alone.
    assert org["window_days"] == 31
    assert any("charter date of B: left out" in note for note in org["notes"])
    # After: E1 on 03-01 and six more in March, E2 five, E3 five (S1 posts on 04-01, outside); before: S1 on 02-01.
    assert org["metrics"]["posts_per_week"]["after"] == pytest.approx((1 + 6 + 5 + 5) / (31 / 7))
    assert org["metrics"]["posts_per_week"]["before"] == pytest.approx(1 / (31 / 7))


def test_an_adjusted_figure_that_cannot_be_relied_on_says_why_as_a_key() -> None:
    from pipelines.analytics import stats
    from pipelines.analytics.metrics import _effect_json

    def doubt(note: str) -> str | None:
        return _effect_json(stats.Effect(None, None, "m", 0, 0.0, 0.0, [note]))["doubt"]

    assert doubt("too few incidents to say (3 in all, fewer than 10)") == "too_few"
    assert doubt("placebo check failed: in the 13 weeks before the charter, the model already finds ...") == (
        "placebo_failed"
    )
    assert doubt("too few teams to estimate the charter's effect apart from the weeks (3; at least 4)") == (
        "too_few_teams"
    )
    assert doubt("less than a year before the charter (30 weeks): the season cannot be told from ...") == "no_season"
    assert doubt("one date for everyone: ...") is None


def _computed(part: object, whole: object, path: str = "") -> None:
    """Every figure `part` holds is the same in `whole`; a figure left out is None, an empty list or absent."""
    if isinstance(part, dict):
        assert isinstance(whole, dict), path
        for key, value in part.items():
            _computed(value, whole.get(key), f"{path}.{key}")
    elif isinstance(part, list) and part and isinstance(part[0], dict):
        assert isinstance(whole, list) and len(whole) == len(part), path
        for index, (a, b) in enumerate(zip(part, whole, strict=True)):
            _computed(a, b, f"{path}[{index}]")
    elif part is not None and part != []:
        assert part == whole, path


@pytest.mark.parametrize("detail", ["overview", "teams", "programme"])
def test_a_page_computes_only_what_it_shows_and_the_same_figures(demo_db, detail):
    """Each page's request (`detail`) leaves out what the page does not show: what it computes equals the whole
    report's, and it holds what the page reads."""
    with connect(demo_db, read_only=True) as con:
        whole = json.loads(json.dumps(impact(con), default=str))
        part = json.loads(json.dumps(impact(con, ImpactRequest(detail=detail)), default=str))
    _computed(part, whole)
    org = part["scopes"][0]
    if detail == "overview":
        assert org["metrics"] and org["effect"] and part["reference"]["adjusted"]["posts_change_pct"] is not None
        assert part["cocreation"] and part["contest_effect"] and "event_study" not in org
        assert all(s["metrics"] is None for s in part["scopes"][1:])
    elif detail == "teams":
        assert org["event_study"]["posts"] and all(s["metrics"] for s in part["scopes"][1:] if s["window_days"])
        assert part["cocreation"] is None and part["contest_effect"] is None
    else:
        assert part["cocreation"] and part["contest_effect"] and org["metrics"] is None
