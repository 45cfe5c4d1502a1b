"""Simulated programmes with a known co-creation effect and a known contest effect, and the study of their
estimators (`pipelines.analytics.programme_effects`) on them.

Co-creation: teams of very different sizes; each employee posts at their own rate (a few champions, many occasional
posters); participants are chosen with weight sqrt(rate), so they were keener before the charter as well as after;
the charter lifts everyone's posting x1.6, the season differs between the before and after windows (team by team),
each person's rate drifts between windows, and participants' posting is multiplied by `posting` and their
engagement per post (heavy-tailed, lognormal per post around each person's audience) by `engagement` after.

Contests: half the teams are eligible; a contest of 4 weeks lifts eligible members' posting by `during` and
multiplies it by `after` in the 4 weeks that follow (below 1: borrowed from later); a season common to every team
moves the three windows (a swing of up to ±30 %), which the non-eligible teams' trend takes out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.analytics.programme_effects import cocreation_figures, contest_lifts

WEEKS = 26  # each side of the charter
RATE_SHAPE, MEAN_RATE = 0.6, 0.3  # posts per week: gamma across employees
DRIFT_SHAPE = 8.0  # a person's rate between windows: gamma with mean 1 (over-dispersion beyond Poisson)
CHARTER = 1.6
CONTEST_DAYS = 28


def _team_sizes(rng: np.random.Generator, teams: int) -> np.ndarray:
    return rng.integers(15, 70, size=teams)


def simulate_cocreation(seed: int, posting: float = 1.3, engagement: float = 1.2) -> pd.DataFrame:
    """One programme: one row per employee as `cocreation_figures` reads it."""
    rng = np.random.default_rng(seed)
    sizes = _team_sizes(rng, 6)
    team = np.repeat(np.arange(len(sizes)), sizes)
    n = len(team)
    rate = rng.gamma(RATE_SHAPE, MEAN_RATE / RATE_SHAPE, size=n)
    weights = np.sqrt(rate)
    participant = np.zeros(n, dtype=bool)
    for t in range(len(sizes)):
        rows = np.flatnonzero(team == t)
        size = max(5, round(0.25 * len(rows)))
        participant[rng.choice(rows, size=size, replace=False, p=weights[rows] / weights[rows].sum())] = True
    season = rng.lognormal(0.0, 0.15, size=(len(sizes), 2))  # per team: before, after
    audience = rng.lognormal(3.0, 0.7, size=n)
    days = WEEKS * 7.0
    frame = {"team": team.astype(str), "participant": participant}
    for window, (col, lift) in enumerate((("b", 1.0), ("a", CHARTER))):
        drift = rng.gamma(DRIFT_SHAPE, 1 / DRIFT_SHAPE, size=n)
        own = np.where(participant & (window == 1), posting, 1.0)
        posts = rng.poisson(rate * drift * WEEKS * season[team, window] * lift * own)
        per_post = audience * np.where(participant & (window == 1), engagement, 1.0)
        # each post's engagements: lognormal around the person's audience (sigma 1: heavy tails), summed per person
        owner = np.repeat(np.arange(n), posts)
        total = np.bincount(owner, weights=rng.lognormal(np.log(per_post[owner]) - 0.5, 1.0), minlength=n)
        frame |= {f"days_{col}": np.full(n, days), f"posts_{col}": posts.astype(float),
                  f"engaged_{col}": posts.astype(float), f"eng_{col}": total}  # fmt: skip
    return pd.DataFrame(frame)


def simulate_contest(seed: int, during: float = 1.5, after: float = 0.85) -> dict[str, np.ndarray]:
    """One programme: each employee's posts before, during, after a contest and in the 8 weeks before it, whether
    they were eligible, their team."""
    rng = np.random.default_rng(seed)
    sizes = _team_sizes(rng, 6)
    team = np.repeat(np.arange(len(sizes)), sizes)
    eligible = team % 2 == 0
    rate = rng.gamma(RATE_SHAPE, MEAN_RATE / RATE_SHAPE, size=len(team))
    season = rng.uniform(0.7, 1.3, size=3)  # before, during, after: common to every team
    weeks = CONTEST_DAYS / 7
    counts = []
    for window, lift in enumerate((1.0, during, after)):
        drift = rng.gamma(DRIFT_SHAPE, 1 / DRIFT_SHAPE, size=len(team))
        counts.append(rng.poisson(rate * drift * weeks * season[window] * np.where(eligible, lift, 1.0)))
    counts.append(rng.poisson(rate * 8.0))  # the 8 weeks before: new voices, unused by the lifts
    return {"per_employee": np.column_stack(counts).astype(float), "eligible": eligible, "team": team.astype(str)}


@dataclass(frozen=True)
class Row:
    """One estimator over many programmes: its median, the coverage of its 95 % intervals, how often they exclude
    1 (false positives where the truth is 1, power elsewhere)."""

    name: str
    truth: float
    programmes: int
    median: float
    coverage: float
    excludes_one: float

    def __str__(self) -> str:
        return (f"{self.name:<34} truth x{self.truth:<5g} median x{self.median:.3f}  coverage {self.coverage:.3f}  "
                f"excludes 1: {self.excludes_one:.3f}  ({self.programmes} programmes)")  # fmt: skip


def _row(name: str, truth: float, found: list[dict]) -> Row:
    ratios = np.array([f["ratio"] for f in found if f["ratio"] is not None and f["ci95"]])
    cis = np.array([f["ci95"] for f in found if f["ratio"] is not None and f["ci95"]])
    covered = (cis[:, 0] <= truth) & (truth <= cis[:, 1])
    excludes = (cis[:, 0] > 1) | (cis[:, 1] < 1)
    return Row(name, truth, len(ratios), float(np.median(ratios)), float(covered.mean()), float(excludes.mean()))


def study(programmes: int = 150, first_seed: int = 1) -> list[Row]:
    """Both estimators on `programmes` simulated programmes with effects and as many without."""
    rows = []
    seeds = range(first_seed, first_seed + programmes)
    settings: list[tuple[str, Callable[[int], dict], list[tuple[str, float]]]] = [
        ("co-creation, x1.3 posting x1.2 engagement", lambda s: cocreation_figures(simulate_cocreation(s)),
         [("posting", 1.3), ("engagement", 1.2)]),
        ("co-creation, none", lambda s: cocreation_figures(simulate_cocreation(s, 1.0, 1.0)),
         [("posting", 1.0), ("engagement", 1.0)]),
        ("contest, x1.5 during x0.85 after", lambda s: _lifts(simulate_contest(s)),
         [("lift_during", 1.5), ("lift_after", 0.85)]),
        ("contest, none", lambda s: _lifts(simulate_contest(s, 1.0, 1.0)),
         [("lift_during", 1.0), ("lift_after", 1.0)]),
    ]  # fmt: skip
    for name, run, measures in settings:
        found = [run(seed) for seed in seeds]
        rows += [_row(f"{name}: {measure}", truth, [f[measure] for f in found]) for measure, truth in measures]
    return rows


def _lifts(programme: dict[str, np.ndarray]) -> dict:
    days = {"before": CONTEST_DAYS, "during": CONTEST_DAYS, "after": CONTEST_DAYS, "lookback": 56.0}
    return contest_lifts(programme["per_employee"], programme["eligible"], programme["team"], True, days)
