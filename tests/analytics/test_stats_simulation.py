"""The charter's effect estimators against simulated programmes with known effects (not the demo data).

Each programme: 7 teams of very different sizes adopting on staggered dates (one never adopts), members joining
and leaving, a few champions among many occasional posters, a network-wide growth trend, August and year-end
dips, team-level shocks that persist for weeks, a platform boost to engagement, heavy-tailed (lognormal)
engagement. True effects of the charter: posts x1.6 and incidents x0.1 per member (so x0.1 / 1.6 per post, the
risk the article counts), engagement per post x0.9.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from pipelines.analytics.stats import charter_effects, event_study, settled_vs_launch, team_effects

TRUTH = {"posts": 1.6, "incidents": 0.1 / 1.6, "incidents_per_member": 0.1, "engagement": 0.9}
TEAM_SIZES = (90, 55, 35, 22, 14, 9, 6)
ADOPTION_WEEKS = (30, 44, 52, 52, 64, 78, None)  # dealt to the teams at random for each programme
N_WEEKS = 104
FIRST_MONDAY = pd.Timestamp("2024-01-01")
SEEDS = range(200)


@dataclass(frozen=True)
class Programme:
    panel: pd.DataFrame
    naive: dict[str, float]  # total after rate / total before rate, 26 weeks each side of each team's own date


def _network(weeks: pd.DatetimeIndex) -> np.ndarray:
    """Activity of the whole network: growth of 35 % a year, August and year-end dips."""
    growth = np.exp(0.35 * np.arange(len(weeks)) / 52)
    thursday = weeks + pd.Timedelta(days=3)
    august = np.where(thursday.month == 8, 0.55, 1.0)
    year_end = np.where(
        (thursday.month == 12) & (thursday.day > 20) | (thursday.month == 1) & (thursday.day < 5), 0.4, 1.0
    )
    return growth * august * year_end


def _team_shocks(rng: np.random.Generator, n_teams: int) -> np.ndarray:
    """Team-level log shocks lasting several weeks (AR(1), rho 0.6, sd 0.15): a busy quarter, a team event."""
    shocks = np.zeros((n_teams, N_WEEKS))
    innovation = rng.normal(0, 0.15 * np.sqrt(1 - 0.6**2), (n_teams, N_WEEKS))
    shocks[:, 0] = rng.normal(0, 0.15, n_teams)
    for w in range(1, N_WEEKS):
        shocks[:, w] = 0.6 * shocks[:, w - 1] + innovation[:, w]
    return shocks


def simulate(
    seed: int, adoption_weeks: tuple[int | None, ...] = ADOPTION_WEEKS, launch_spike: float = 1.0
) -> Programme:
    """One programme as the lead's DuckDB would hand it over: a team x week panel (launch spike: first 6 weeks)."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range(FIRST_MONDAY, periods=N_WEEKS, freq="7D")
    n_teams = len(TEAM_SIZES)
    adoption = rng.permutation(np.array(adoption_weeks, dtype=object))
    start = np.array([N_WEEKS * 10 if a is None else a for a in adoption])
    # Employees: most there from the start, some joining later, some leaving; each with their own rate.
    team_of = np.repeat(np.arange(n_teams), [round(s * 1.25) for s in TEAM_SIZES])
    n = team_of.size
    joins = np.where(rng.random(n) < 0.8, 0, rng.integers(1, N_WEEKS, n))
    leaves = np.where(rng.random(n) < 0.15, rng.integers(1, N_WEEKS, n), N_WEEKS)
    week = np.arange(N_WEEKS)
    active = (week[None, :] >= joins[:, None]) & (week[None, :] < leaves[:, None])
    post_rate = rng.gamma(0.5, 0.4 / 0.5, n) * rng.lognormal(0, 0.4, n_teams)[team_of]
    treated = week[None, :] >= start[:, None]
    effect = np.where(treated, TRUTH["posts"], 1.0)
    effect *= np.where(
        (week[None, :] - start[:, None] >= 0) & (week[None, :] - start[:, None] < 6), launch_spike, 1.0
    )
    activity = _network(weeks)[None, :] * np.exp(_team_shocks(rng, n_teams))
    posts_by_employee = rng.poisson(active * post_rate[:, None] * (activity * effect)[team_of])
    posts = np.zeros((n_teams, N_WEEKS), dtype=np.int64)
    np.add.at(posts, team_of, posts_by_employee)
    exposure = np.zeros((n_teams, N_WEEKS))
    np.add.at(exposure, team_of, active)
    # Incidents per member follow activity; the charter cuts them to a tenth.
    incident_rate = (
        0.004
        * rng.lognormal(0, 0.4, n_teams)[:, None]
        * activity
        * np.where(treated, TRUTH["incidents_per_member"], 1)
    )
    incidents = rng.poisson(exposure * incident_rate)
    # Engagement per post: lognormal, team reach, followers growing, a platform boost from week 60, charter x0.9.
    engaged_posts = rng.binomial(posts, 0.92)
    sigma = 1.3
    reach = rng.lognormal(3.0, 0.3, n_teams)[:, None] * np.exp(0.2 * week / 52)[None, :]
    reach = reach * np.where(week >= 60, 1.3, 1.0)[None, :] * np.where(treated, TRUTH["engagement"], 1.0)
    cell = np.repeat(np.arange(n_teams * N_WEEKS), engaged_posts.ravel())
    mean_log = np.log(reach.ravel()[cell]) - sigma**2 / 2
    engagement_per_post = np.round(rng.lognormal(mean_log, sigma))
    engagements = np.bincount(cell, weights=engagement_per_post, minlength=n_teams * N_WEEKS).reshape(
        n_teams, N_WEEKS
    )
    weekday = rng.integers(0, 7, n_teams)
    charter_date = [
        pd.NaT if s >= N_WEEKS else weeks[s] + pd.Timedelta(days=int(d)) for s, d in zip(start, weekday, strict=True)
    ]
    panel = pd.DataFrame(
        {
            "team": np.repeat([f"team {g}" for g in range(n_teams)], N_WEEKS),
            "week": np.tile(weeks, n_teams),
            "charter_date": np.repeat(pd.DatetimeIndex(charter_date), N_WEEKS),
            "exposure": exposure.ravel(),
            "posts": posts.ravel(),
            "incidents": incidents.ravel(),
            "engagements": engagements.ravel().astype(np.int64),
            "engaged_posts": engaged_posts.ravel(),
        }
    )
    panel = panel[panel["exposure"] > 0].reset_index(drop=True)
    return Programme(panel, _naive(posts, incidents, engagements, engaged_posts, start))


def _naive(posts, incidents, engagements, engaged_posts, start) -> dict[str, float]:
    """Total after / total before over 26 weeks on each side of each team's own date (what the article does)."""
    week = np.arange(N_WEEKS)
    rel = week[None, :] - start[:, None]
    after, before = (rel >= 0) & (rel < 26), (rel < 0) & (rel >= -26)
    per_member = incidents[after].sum() / incidents[before].sum()
    return {
        "posts": posts[after].sum() / posts[before].sum(),
        "incidents": per_member / (posts[after].sum() / posts[before].sum()),
        "incidents_per_member": per_member,
        "engagement": (engagements[after].sum() / engaged_posts[after].sum())
        / (engagements[before].sum() / engaged_posts[before].sum()),
    }


@pytest.mark.slow
def test_adjusted_effects_recover_the_truth_with_honest_intervals() -> None:
    estimates: dict[str, list[float]] = {m: [] for m in TRUTH}
    intervals: dict[str, list[tuple[float, float]]] = {m: [] for m in TRUTH}
    naive: dict[str, list[float]] = {m: [] for m in TRUTH}
    elapsed = []
    for seed in SEEDS:
        programme = simulate(seed)
        began = time.perf_counter()
        effects = charter_effects(programme.panel)
        elapsed.append(time.perf_counter() - began)
        for metric in TRUTH:
            effect = effects[metric]
            assert effect.ratio is not None and effect.ci95 is not None, (seed, metric, effect.notes)
            estimates[metric].append(effect.ratio)
            intervals[metric].append(effect.ci95)
            naive[metric].append(programme.naive[metric])
    print(f"\n{len(SEEDS)} simulated programmes, {len(TEAM_SIZES)} teams, {N_WEEKS} weeks")
    print(f"charter_effects: median {np.median(elapsed) * 1000:.0f} ms per call (three metrics)")
    for metric, truth in TRUTH.items():
        bias = np.mean(estimates[metric]) / truth - 1
        naive_bias = np.mean(naive[metric]) / truth - 1
        low, high = np.array(intervals[metric]).T
        coverage = np.mean((low <= truth) & (truth <= high))
        print(
            f"{metric:>10}: truth x{truth}, adjusted bias {bias:+.1%}, coverage {coverage:.0%}, median interval "
            f"x{np.median(low):.2f} to x{np.median(high):.2f}; naive bias {naive_bias:+.1%}"
        )
        assert abs(bias) < (0.2 if metric.startswith("incidents") else 0.03), metric
        assert coverage >= 0.9, metric
        if metric != "incidents":  # per post, the growth that misleads the plain comparison cancels out
            assert abs(naive_bias) > 0.15 and abs(naive_bias) > abs(bias) + 0.08, metric
    assert np.median(elapsed) < 0.3


@pytest.mark.slow
def test_event_study_shows_the_launch_spike_and_the_settled_effect() -> None:
    settled, launch, flat_before = [], [], []
    for seed in range(40):
        panel = simulate(seed, launch_spike=2.0).panel
        effects = settled_vs_launch(panel)
        settled.append(effects["settled"])
        launch.append(effects["launch"])
        before = event_study(panel).query("bin < 0")
        flat_before.append(np.mean((before["low"] <= 1) & (before["high"] >= 1)))
    settled_bias = np.mean([e.ratio for e in settled]) / 1.6 - 1
    launch_bias = np.mean([e.ratio for e in launch]) / 3.2 - 1
    settled_coverage = np.mean([e.ci95[0] <= 1.6 <= e.ci95[1] for e in settled])
    print(
        f"\nlaunch spike x2 for 6 weeks: launch (first 4 weeks) bias {launch_bias:+.1%}, settled (16+ weeks) bias "
        f"{settled_bias:+.1%}, settled coverage {settled_coverage:.0%}, pre-adoption bins covering 1: "
        f"{np.mean(flat_before):.0%}"
    )
    assert abs(settled_bias) < 0.05 and abs(launch_bias) < 0.05
    assert settled_coverage >= 0.9
    assert np.mean(flat_before) >= 0.9


@pytest.mark.slow
def test_interrupted_time_series_when_everyone_adopts_on_one_date() -> None:
    ratios, covered = [], []
    for seed in range(60):
        programme = simulate(seed, adoption_weeks=(70,) * len(TEAM_SIZES))
        effect = charter_effects(programme.panel)["posts"]
        assert effect.method.startswith("interrupted time series") and effect.ci95 is not None
        assert not any("seasonality" in note for note in effect.notes)  # 70 weeks before: months are fitted
        ratios.append(effect.ratio)
        covered.append(effect.ci95[0] <= 1.6 <= effect.ci95[1])
    bias = np.mean(ratios) / 1.6 - 1
    print(f"\none date for everyone (70 weeks before): posts bias {bias:+.1%}, coverage {np.mean(covered):.0%}")
    assert abs(bias) < 0.05
    # Measured 92 % here once the teams' spread widens the interval (80 % before it did); the target is 90 %.
    assert np.mean(covered) >= 0.9


@pytest.mark.slow
def test_each_team_effect_has_an_honest_interval() -> None:
    covered: dict[str, list[bool]] = {"posts": [], "engagement": []}
    for seed in range(60):
        panel = simulate(seed).panel
        for metric in covered:
            for effect in team_effects(panel, metric).values():
                if effect.ci95 is not None:
                    covered[metric].append(effect.ci95[0] <= TRUTH[metric] <= effect.ci95[1])
    print("\nper team: " + ", ".join(f"{m} coverage {np.mean(c):.0%} of {len(c)}" for m, c in covered.items()))
    assert all(np.mean(c) >= 0.85 for c in covered.values())
