"""Leadership's answer in words: each case's wording in English and French, read from real effects."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pipelines.analytics import verdict
from pipelines.analytics.metrics import impact
from pipelines.store.db import connect
from pipelines.store.ledger import freshness


def effect(change: float | None, low: float | None = None, high: float | None = None, doubt: str | None = None,
           notes: tuple[str, ...] = ()) -> dict[str, Any]:  # fmt: skip
    return {"change_pct": change, "ci95_pct": [low, high] if low is not None else None, "doubt": doubt,
            "notes": list(notes)}  # fmt: skip


CASES = [
    ("posts", effect(73.2, 33.4, 125.1), "up", True,
     "Posts: up 73 % (between +33 % and +125 %): clearly up.",
     "Publications : en hausse de 73 % (entre +33 % et +125 %) : nettement en hausse."),
    ("posts", effect(-20, -35, -4), "down", False,
     "Posts: down 20 % (between −35 % and −4 %): clearly down.",
     "Publications : en baisse de 20 % (entre −35 % et −4 %) : nettement en baisse."),
    ("incidents", effect(-85, -98, 22), "unclear", None,
     "Incident risk per post: down 85 %, but anywhere from −98 % to +22 %: too few incidents to be sure.",
     "Risque d'incident par publication : en baisse de 85 %, mais quelque part entre −98 % et +22 % : trop peu "
     "d'incidents pour être sûr."),
    ("incidents", effect(-90, -99, -40), "down", True,
     "Incident risk per post: down 90 % (between −99 % and −40 %): clearly down.",
     "Risque d'incident par publication : en baisse de 90 % (entre −99 % et −40 %) : nettement en baisse."),
    ("engagement", effect(-32, -80, 131), "unclear", None,
     "Engagement per post: down 32 %, but anywhere from −80 % to +131 %: can't tell yet.",
     "Interactions par publication : en baisse de 32 %, mais quelque part entre −80 % et +131 % : impossible de "
     "conclure pour l'instant."),
    ("posts", effect(-16, -31, 5, doubt="placebo_failed"), "untrusted", None,
     "Posts: down 16 % (between −31 % and +5 %), but the placebo check failed: not to be trusted.",
     "Publications : en baisse de 16 % (entre −31 % et +5 %), mais le test placebo a échoué : chiffre non fiable."),
    ("posts", effect(None, doubt="too_few_teams"), "none", None,
     "Posts: can't tell, too few teams for an adjusted figure.",
     "Publications : impossible de conclure, trop peu d'équipes pour un effet ajusté."),
    ("incidents", effect(None, doubt="too_few"), "none", None,
     "Incident risk per post: can't tell, too few incidents.",
     "Risque d'incident par publication : impossible de conclure, trop peu d'incidents."),
    ("engagement", {}, "none", None,
     "Engagement per post: can't tell, no adjusted figure for this selection.",
     "Interactions par publication : impossible de conclure, pas d'effet ajusté pour cette sélection."),
]  # fmt: skip


@pytest.mark.parametrize(("claim", "found", "outcome", "good", "english", "french"), CASES)
def test_each_case_is_worded_in_both_languages(claim, found, outcome, good, english, french) -> None:
    reading = next(r for r in verdict.read({claim: found}) if r.claim == claim)
    assert (reading.outcome, reading.good) == (outcome, good)
    assert verdict.sentence(reading, "en") == english
    assert verdict.sentence(reading, "fr") == french


def test_never_a_bare_minus_100_percent() -> None:
    # a scope too small to tell has no adjusted figure: the line says so instead of "-100 %"
    for line in verdict.lines({"incidents": effect(None, doubt="too_few")}, "en"):
        assert "100 %" not in line and "can't tell" in line


def test_caveats_are_said_once_each_in_words() -> None:
    bad_run = "Sales adopted after a bad run of incidents (3 in the 8 weeks before, 0.4 expected): part of ..."
    notes = ("approximate: only 8 teams", bad_run)
    found = {"posts": effect(10, 1, 20, notes=notes[:1]), "incidents": effect(-50, -90, 10, notes=notes)}
    assert verdict.caveats(found, "en") == [
        "Approximate intervals: only 8 teams to compare.",
        "Sales adopted the charter after a bad run of incidents (3 in 8 weeks): part of the drop would have come "
        "anyway.",
    ]
    assert verdict.caveats(found, "fr")[0] == "Intervalles approximatifs : seulement 8 équipes à comparer."


def test_the_verdict_of_a_real_programme_quotes_its_effect(demo) -> None:
    with connect(demo, read_only=True) as con:
        found = impact(con)["scopes"][0]["effect"]
        summary = freshness(con)
    posts = found["posts"]
    line = verdict.lines(found, "en")[0]
    low, high = posts["ci95_pct"]
    assert line.startswith(f"Posts: {'up' if posts['change_pct'] > 0 else 'down'} {abs(posts['change_pct']):.0f} %")
    assert f"{low:+.0f} %".replace("-", "−") in line and f"{high:+.0f} %".replace("-", "−") in line
    assert isinstance(summary["data_up_to"], date) and summary["uploads"] > 0
    assert summary["posts"] >= summary["posts_without_engagement"] >= 0
    text = verdict.freshness(summary, "en")
    assert text.startswith(f"Data up to {summary['data_up_to'].day} ") and f"{summary['uploads']} uploads" in text
    assert verdict.freshness(summary, "fr").startswith(f"Données jusqu'au {summary['data_up_to'].day} ")


def test_a_change_under_half_a_percent_is_unchanged_not_down_0_percent() -> None:
    effect = {"pooled": {"lift_during": {"ratio": 1.70, "ci95": [1.62, 1.80]},
                         "lift_after": {"ratio": 0.998, "ci95": [0.94, 1.05]}}}  # fmt: skip
    assert verdict.contest_line(effect, "en") == (
        "Contests: posting up 70 % (between +62 % and +80 %) during them: clearly up; after them: unchanged "
        "(between −6 % and +5 %), can't tell yet whether it lasted or was borrowed."
    )
    assert "après : stable (entre −6 % et +5 %)" in (verdict.contest_line(effect, "fr") or "")
