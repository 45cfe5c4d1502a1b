"""Simulated programmes with a known truth, and the study of the charter's adjusted effect on them (issue 12).

A programme is a team x week panel as `pipelines.analytics.metrics.panel` hands it over. Each has: teams of very
different sizes, each growing at its own rate; swings that persist for weeks (AR(1) on the log scale) unless
turned off; August x0.6 and a year-end dip that spills into January; staff who join and leave; a few champions
who post far more than the rest; heavy-tailed engagement with rare viral posts; incidents per post. The charter
multiplies posts by `posts_effect` and the incident risk per post by `incident_effect` (1 and 1: a null
programme). Adoption is on one date for everyone, or staggered over the teams (one never adopts).

`study()` estimates every programme's effects and reports, per setting and metric: bias, the coverage of the 95 %
intervals, and how often the interval excludes "no change" (false positives on null programmes, power on the
others); `advocacy simulate` prints that table.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.analytics.stats import charter_effects

N_WEEKS = 104
FIRST_MONDAY = pd.Timestamp("2024-01-01")
METRICS = ("posts", "incidents", "engagement")


@dataclass(frozen=True)
class Setting:
    teams: int
    one_date: bool  # everyone on one date (an interrupted time series), else staggered adoption
    swings: bool  # team swings lasting weeks
    posts_effect: float = 1.0
    incident_effect: float = 1.0  # per post
    engagement_effect: float = 1.0
    anticipation: float = 1.0  # posts multiplied by this in the 4 weeks before each team's charter

    @property
    def null(self) -> bool:
        return self.posts_effect == self.incident_effect == self.engagement_effect == 1.0

    @property
    def name(self) -> str:
        design = "one date" if self.one_date else "staggered"
        truth = "null" if self.null else f"posts x{self.posts_effect:g}, risk x{self.incident_effect:g}"
        early = f", posts x{self.anticipation:g} in the 4 weeks before" if self.anticipation != 1 else ""
        return f"{self.teams} teams, {design}, {'swings' if self.swings else 'no swings'}, {truth}{early}"

    def truth(self, metric: str) -> float:
        return {"posts": self.posts_effect, "incidents": self.incident_effect,
                "engagement": self.engagement_effect}[metric]  # fmt: skip


def _calendar(weeks: pd.DatetimeIndex) -> np.ndarray:
    """August x0.6; the year-end dip, deepest at Christmas, spilling into the first half of January."""
    thursday = weeks + pd.Timedelta(days=3)
    august = np.where(thursday.month == 8, 0.6, 1.0)
    dip = np.ones(len(weeks))
    dip[(thursday.month == 12) & (thursday.day >= 18)] = 0.45
    dip[(thursday.month == 1) & (thursday.day <= 7)] = 0.55
    dip[(thursday.month == 1) & (thursday.day > 7) & (thursday.day <= 14)] = 0.8
    return august * dip


def simulate(setting: Setting, seed: int) -> pd.DataFrame:
    """One programme's team x week panel."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range(FIRST_MONDAY, periods=N_WEEKS, freq="7D")
    week = np.arange(N_WEEKS)
    g = setting.teams
    sizes = np.maximum(np.round(rng.lognormal(np.log(25), 0.8, g)), 6).astype(int)
    if setting.one_date:
        start = np.full(g, 62)  # 62 weeks before: a year and more
    else:
        start = rng.choice(np.arange(30, 90), g, replace=True)
        start[rng.integers(g)] = N_WEEKS * 10  # one team never adopts
    growth = np.exp(rng.normal(0.25, 0.15, g)[:, None] * week[None, :] / 52)
    swings = np.zeros((g, N_WEEKS))
    if setting.swings:
        rho, sd = 0.7, 0.2
        swings[:, 0] = rng.normal(0, sd, g)
        for w in range(1, N_WEEKS):
            swings[:, w] = rho * swings[:, w - 1] + rng.normal(0, sd * np.sqrt(1 - rho**2), g)
    activity = growth * _calendar(weeks)[None, :] * np.exp(swings)
    treated = week[None, :] >= start[:, None]
    early = (week[None, :] < start[:, None]) & (week[None, :] >= start[:, None] - 4)
    activity = activity * np.where(early, setting.anticipation, 1.0)
    team_of = np.repeat(np.arange(g), sizes)
    n = team_of.size
    joins = np.where(rng.random(n) < 0.8, 0, rng.integers(1, N_WEEKS, n))
    leaves = np.where(rng.random(n) < 0.15, rng.integers(1, N_WEEKS, n), N_WEEKS)
    active = (week[None, :] >= joins[:, None]) & (week[None, :] < leaves[:, None])
    rate = rng.gamma(0.5, 0.5, n) * np.where(rng.random(n) < 0.05, 6.0, 1.0)  # a few champions
    posts_mean = active * rate[:, None] * (activity * np.where(treated, setting.posts_effect, 1.0))[team_of]
    by_person = rng.poisson(posts_mean)
    posts = np.zeros((g, N_WEEKS))
    np.add.at(posts, team_of, by_person)
    true_posts = np.zeros((g, N_WEEKS))  # the expected posts, for checking where an estimate's error comes from
    np.add.at(true_posts, team_of, posts_mean)
    exposure = np.zeros((g, N_WEEKS))
    np.add.at(exposure, team_of, active)
    risk = 0.02 * rng.lognormal(0, 0.3, g)[:, None] * np.where(treated, setting.incident_effect, 1.0)
    incidents = rng.binomial(posts.astype(np.int64), np.minimum(risk, 1.0))
    engaged = rng.binomial(posts.astype(np.int64), 0.9)
    reach = rng.lognormal(3.0, 0.3, g)[:, None] * np.where(treated, setting.engagement_effect, 1.0)
    cell = np.repeat(np.arange(g * N_WEEKS), engaged.ravel())
    sigma = 1.2
    values = rng.lognormal(np.log(reach.ravel()[cell]) - sigma**2 / 2, sigma)
    viral = rng.random(cell.size) < 0.002
    values[viral] *= 30  # rare viral posts
    engagements = np.bincount(cell, weights=np.round(values), minlength=g * N_WEEKS).reshape(g, N_WEEKS)
    charter = [pd.NaT if s >= N_WEEKS else weeks[s] + pd.Timedelta(days=int(rng.integers(0, 7))) for s in start]
    panel = pd.DataFrame({
        "team": np.repeat([f"team {i:02d}" for i in range(g)], N_WEEKS),
        "week": np.tile(weeks, g),
        "charter_date": np.repeat(pd.DatetimeIndex(charter), N_WEEKS),
        "exposure": exposure.ravel(),
        "posts": posts.ravel(),
        "incidents": incidents.ravel(),
        "engagements": engagements.ravel(),
        "engaged_posts": engaged.ravel(),
        "true_posts": true_posts.ravel(),
    })  # fmt: skip
    return panel[panel["exposure"] > 0].reset_index(drop=True)


@dataclass
class Row:
    setting: Setting
    metric: str
    programmes: int
    estimated: int  # programmes with an interval (the others said "cannot tell")
    bias: float | None  # mean estimate / truth - 1
    coverage: float | None  # intervals holding the truth
    excludes_one: float | None  # intervals excluding "no change": false positives (null) or power
    flagged: float  # programmes whose figure the placebo check says cannot be trusted
    seconds: float


def study(settings: Iterable[Setting], programmes: int, first_seed: int = 0) -> Iterator[Row]:
    """Every setting's programmes estimated, one row per setting and metric."""
    for setting in settings:
        found: dict[str, list[tuple[float, float, float]]] = {m: [] for m in METRICS}
        flagged = dict.fromkeys(METRICS, 0)
        began = time.perf_counter()
        for seed in range(first_seed, first_seed + programmes):
            effects = charter_effects(simulate(setting, seed))
            for metric in METRICS:
                effect = effects[metric]
                if effect.ratio is not None and effect.ci95 is not None:
                    found[metric].append((effect.ratio, *effect.ci95))
                flagged[metric] += any("placebo check failed" in note for note in effect.notes)
        seconds = (time.perf_counter() - began) / programmes
        for metric in METRICS:
            truth = setting.truth(metric)
            values = np.array(found[metric]).reshape(-1, 3)
            ratio, low, high = values.T if len(values) else (np.array([]),) * 3
            yield Row(
                setting, metric, programmes, len(values),
                float(np.mean(ratio) / truth - 1) if len(values) else None,
                float(np.mean((low <= truth) & (truth <= high))) if len(values) else None,
                float(np.mean((high < 1) | (low > 1))) if len(values) else None,
                flagged[metric] / programmes,
                seconds,
            )  # fmt: skip


def settings(effect: bool = True) -> list[Setting]:
    """The study's grid: 3, 6 and 15 teams; one date and staggered; with and without swings; null programmes,
    and (effect=True) programmes with posts x1.6 and risk x0.1, and null ones whose posts rise x1.3 in the 4 weeks
    before the charter (anticipation, which the placebo checks should catch)."""
    truths = [Setting(0, False, False)]
    if effect:
        truths.append(Setting(0, False, False, posts_effect=1.6, incident_effect=0.1, engagement_effect=1.0))
        truths.append(Setting(0, False, False, anticipation=1.3))
    return [
        Setting(teams, one_date, swings, t.posts_effect, t.incident_effect, t.engagement_effect, t.anticipation)
        for t in truths for one_date in (True, False) for swings in (False, True) for teams in (3, 6, 15)
    ]  # fmt: skip


def table(rows: Iterable[Row]) -> str:
    """The study as a Markdown table (the README's)."""
    lines = [
        "| setting | metric | estimated | bias | coverage | excludes x1 | placebo failed |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]

    def share(v: float | None) -> str:
        return "–" if v is None else f"{v:.0%}"

    for r in rows:
        bias = "–" if r.bias is None else f"{r.bias:+.1%}"
        kind = "false positives" if r.setting.truth(r.metric) == 1 else "power"
        lines.append(
            f"| {r.setting.name} | {r.metric} | {r.estimated}/{r.programmes} | {bias} | {share(r.coverage)} "
            f"| {share(r.excludes_one)} ({kind}) | {share(r.flagged)} |"
        )
    return "\n".join(lines)
