"""The statistics of the charter's impact: plain before/after intervals and the charter's adjusted effect.

Every function is pure and takes what DuckDB aggregated: weekly counts, a histogram of engagements, a team x week
panel. Nothing takes one row per post, so ten million posts cost no more than their histogram.

Plain before/after (metrics.md, "The three comparisons"):
- incidents: exact conditional ratio of two Poisson rates (Clopper-Pearson on how the total splits between the
  windows); it stays defined when a count is zero, which is where rare incidents live;
- post volume: ratio of mean weekly counts, delta method on the log ratio with each window's own variance
  (over-dispersed weeks, never below Poisson) and Welch's t;
- engagement per post: BCa bootstrap of the ratio of means, resampling the histogram (multinomial over its
  distinct values); heavy tails make symmetric intervals too short on the upper side.

The charter's effect (metrics.md, "Beyond a naive before/after"), on the team x week panel with exposure offsets:
- staggered adoption: Poisson regression with team and week effects and one effect per adoption cohort x week
  (Wooldridge's extended two-way fixed effects: teams not adopted yet, or never, are the controls; a plain TWFE
  dummy would use adopted teams as controls). Given the team effects the other effects solve their margins in
  closed form, so Newton runs on the G team effects only, for all leave-one-team-out refits at once. The effect
  is observed / counterfactual events over the after-weeks that have a control, i.e. the cohort x week rate
  ratios averaged with their counterfactual counts as weights. Incidents use 13-week periods instead of weeks,
  so that rare counts leave few periods without a control event. Below 4 teams there is no figure: the
  jackknife's t(2) would print intervals like x0.01 to x216. (`advocacy simulate` tried the imputation
  estimator with each team's own trend: its spread was half as large again, so it is not used.)
- one date for everyone: an interrupted time series. A Poisson regression on the teams' weeks before the charter,
  each team with its own level and log-linear trend (teams growing at different rates make a curve that one trend
  would misread), August and the year-end holidays as two shared terms (month effects, estimated from a year or
  two, soak up that year's swings), is extrapolated as the counterfactual; the effect is observed / expected over
  the after-weeks, and the event study shows its shape. Errors allow for swings lasting weeks: the quasi-Poisson
  covariance and the after-weeks' noise are inflated by the AR(1) long-run factor of the swings, whose
  autocorrelation is read net of the Poisson noise, and the teams' spread beyond their own noise (a champion
  who leaves) widens the interval as below. Under a year before the charter the season cannot be told from the
  effect: no adjusted figure. (One team alone: its weekly series.)
- a placebo check that can fail, in both designs: every charter moved 13 weeks earlier and the real after-weeks
  left out, the same estimator must find no effect in the weeks before the charter; where its interval excludes
  no change the notes say the adjusted figure cannot be trusted.
- intervals: with a handful of teams, cluster-robust sandwich errors run narrow. Posts and engagement use the
  leave-one-team-out jackknife (CV3) with t(G-1) quantiles, which MacKinnon, Nielsen & Webb (2023) found the most
  reliable sandwich-type choice with few clusters, and never narrower than the model's interval. The model's
  interval is exact conditional on the counterfactual: observed events against a baseline worth 1 / var(log
  counterfactual) events, scaled by the over-dispersion, plus the spread of the effect between teams
  (DerSimonian-Laird, weighted by each team's share of the estimate) with t(G-1) quantiles; for one team's own
  effect, where leaving a team out says nothing, that is the interval (and the one-date design's).
  Incidents use the model's interval alone: their counts are too small for a jackknife on the log scale.
  Below 10 teams every interval is labelled approximate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from numpy.typing import ArrayLike, NDArray
from scipy import sparse, stats
from scipy.sparse import csgraph

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

LEVEL = 0.95
BOOTSTRAP_MERGE = 0.05  # histogram values within 5 % of each other are merged at their mean before resampling
BOOTSTRAP_CELLS = 2_000_000  # resampled counts held in memory at once
CLUSTERS_FOR_EXACT_LABEL = 10  # fewer teams than this: intervals are labelled approximate
SETTLED_FROM_WEEK = 16
PERIOD_WEEKS = {"posts": 1, "incidents": 13, "incidents_per_member": 13, "engagement": 1}
MIN_WEEKS_BEFORE = 8  # an interrupted time series needs at least this many weeks before the charter
MIN_TEAMS_STAGGERED = 4  # fewer teams: the jackknife's t(G-1) makes intervals of x0.01 to x216, none is given
MIN_EXPECTED = 3.0  # fewer events expected without the charter in the weeks compared: too few to say
MIN_EVENTS = 10  # fewer events in the whole panel: too few to say anything about the charter's effect
MIN_WEEKS_FOR_SEASON = 52  # less than a year before a single charter date: the season cannot be told apart
PLACEBO_WEEKS = 13  # the placebo checks look at the weeks just before the charter
BAD_RUN_WEEKS = 8  # regression to the mean: incidents in the weeks just before adoption
BAD_RUN_P_VALUE = 0.01  # ... flagged when so many would come by chance less often than this
_NEVER = 1_000_000_000  # first treated week of a team without a charter date
_NEWTON_TOLERANCE = 1e-10
_NEWTON_MAX_ITERATIONS = 100
_NEWTON_MAX_STEP = 2.0

# metric -> (outcome column, exposure column). Incident risk is per post, as the article's -90 % counts it;
# incidents per programme member is a second, labelled figure.
METRICS: dict[str, tuple[str, str]] = {
    "posts": ("posts", "exposure"),
    "incidents": ("incidents", "posts"),
    "incidents_per_member": ("incidents", "exposure"),
    "engagement": ("engagements", "engaged_posts"),
}


def _rare(metric: str) -> bool:
    """Incidents: counts too small for a jackknife, a trend or month effects."""
    return metric.startswith("incidents")


PANEL_COLUMNS = ("team", "week", "charter_date", "exposure", "posts", "incidents", "engagements", "engaged_posts")


def as_change_pct(ratio: float | None) -> float | None:
    """A ratio after / before written as a change in percent (×1.6 is +60 %); None stays None."""
    return None if ratio is None else (ratio - 1) * 100


def interval_as_change_pct(interval: tuple[float | None, float | None] | None) -> tuple[float, float] | None:
    """An interval of a ratio written as changes in percent; None where either bound is missing."""
    if interval is None or interval[0] is None or interval[1] is None:
        return None
    return (interval[0] - 1) * 100, (interval[1] - 1) * 100


# --- plain before/after ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatioCI:
    """A ratio after / before with its confidence interval; None (with a note) where it is not defined."""

    ratio: float | None
    low: float | None
    high: float | None
    note: str | None = None

    @property
    def change_pct(self) -> float | None:
        return as_change_pct(self.ratio)

    @property
    def ci_pct(self) -> tuple[float, float] | None:
        return interval_as_change_pct((self.low, self.high))


def _cp_ratio(
    x_after: float, t_after: float, x_before: float, t_before: float, level: float
) -> tuple[float, float | None]:
    """Clopper-Pearson interval of the rate ratio from the binomial split of the events (counts may be fractional)."""
    alpha = (1 - level) / 2
    p_low = float(stats.beta.ppf(alpha, x_after, x_before + 1)) if x_after > 0 else 0.0
    p_high = float(stats.beta.ppf(1 - alpha, x_after + 1, x_before)) if x_before > 0 else 1.0
    scale = t_before / t_after
    high = p_high / (1 - p_high) * scale if p_high < 1 else None
    return p_low / (1 - p_low) * scale, high


def rate_ratio_exact(x_before: int, t_before: float, x_after: int, t_after: float, level: float = LEVEL) -> RatioCI:
    """Exact conditional interval for the ratio of two Poisson rates (after / before) with exposures t."""
    if min(x_before, x_after) < 0 or min(t_before, t_after) <= 0:
        raise ValueError("counts must be >= 0 and exposures > 0")
    if x_before == 0 and x_after == 0:
        return RatioCI(None, None, None, "no events before or after: no ratio")
    if x_before == 0:
        return RatioCI(None, None, None, f"no baseline: 0 before, {x_after} after")
    low, high = _cp_ratio(x_after, t_after, x_before, t_before, level)
    ratio = (x_after / t_after) / (x_before / t_before)
    note = None
    if x_after == 0 and high is not None and high < 1:
        note = f"0 after: the rate is down by at least {(1 - high) * 100:.0f} %"
    elif x_after == 0:
        note = f"0 after, {x_before} before: too few to say whether the rate fell"
    return RatioCI(ratio, low, high, note)


def weekly_counts_change(before_weekly: ArrayLike, after_weekly: ArrayLike, level: float = LEVEL) -> RatioCI:
    """Ratio of mean weekly counts, with each window's over-dispersed variance (delta method, Welch's t)."""
    before = np.asarray(before_weekly, dtype=float)
    after = np.asarray(after_weekly, dtype=float)
    if before.size == 0 or after.size == 0:
        return RatioCI(None, None, None, "no weeks before or after: no ratio")
    if before.sum() == 0 or after.sum() == 0:
        exact = rate_ratio_exact(int(before.sum()), before.size, int(after.sum()), after.size, level)
        if exact.ratio is None:
            return exact
        return RatioCI(
            exact.ratio, exact.low, exact.high, f"{exact.note}; exact Poisson bound, ignores over-dispersion"
        )
    # Per window: variance of the mean on the log scale, never below Poisson (a single week has no spread to measure).
    parts = [(w.var(ddof=1) if w.size > 1 else 0.0, w.mean(), w.size) for w in (before, after)]
    terms = [max(var, mean) / (n * mean**2) for var, mean, n in parts]
    se = math.sqrt(sum(terms))
    dof = sum(terms) ** 2 / sum(t**2 / max(n - 1, 1) for t, (_, _, n) in zip(terms, parts, strict=True))
    q = float(stats.t.ppf(1 - (1 - level) / 2, dof))
    ratio = after.mean() / before.mean()
    return RatioCI(ratio, ratio * math.exp(-q * se), ratio * math.exp(q * se))


def _merge_close_values(values: FloatArray, counts: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Merge histogram values within BOOTSTRAP_MERGE of each other at their mean (the total stays exact)."""
    order = np.argsort(values)
    values, counts = values[order], counts[order]
    values, counts = values[counts > 0], counts[counts > 0]
    keys = np.floor(np.log1p(np.maximum(values, 0)) / math.log1p(BOOTSTRAP_MERGE)).astype(np.int64)
    keys = np.where(values < 0, -1 - np.arange(values.size), keys)  # negative values are never merged
    _, group = np.unique(keys, return_inverse=True)
    merged_counts = np.bincount(group, weights=counts).astype(float)
    return np.bincount(group, weights=counts * values) / merged_counts, merged_counts


def _resampled_means(values: FloatArray, counts: FloatArray, n_boot: int, rng: np.random.Generator) -> FloatArray:
    """Means of n_boot resamples of a histogram (multinomial over its distinct values), in memory-bounded chunks."""
    n = int(counts.sum())
    p = counts / n
    chunk = max(1, BOOTSTRAP_CELLS // values.size)
    means = [rng.multinomial(n, p, size=min(chunk, n_boot - i)) @ values / n for i in range(0, n_boot, chunk)]
    return np.concatenate(means)


def _jackknife_log_ratio(
    vb: FloatArray, cb: FloatArray, va: FloatArray, ca: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Leave-one-post-out values of log(mean after / mean before) and how many posts give each."""
    nb, na, sb, sa = cb.sum(), ca.sum(), cb @ vb, ca @ va
    with np.errstate(divide="ignore", invalid="ignore"):
        drop_before = np.log(sa / na) - np.log((sb - vb) / (nb - 1))
        drop_after = np.log((sa - va) / (na - 1)) - np.log(sb / nb)
    return np.concatenate([drop_before, drop_after]), np.concatenate([cb, ca])


def bootstrap_mean_ratio(
    values_before: ArrayLike,
    counts_before: ArrayLike,
    values_after: ArrayLike,
    counts_after: ArrayLike,
    *,
    seed: int = 0,
    n_boot: int = 2000,
    level: float = LEVEL,
) -> RatioCI:
    """Seeded BCa bootstrap interval of mean(after) / mean(before) per post, each side given as a histogram.

    Values within 5 % of each other are merged at their mean first: the means stay exact, the resampling costs
    a few hundred distinct values whatever the number of posts, and the spread lost is far below Monte Carlo noise.
    """
    vb, cb = _merge_close_values(np.asarray(values_before, float), np.asarray(counts_before, float))
    va, ca = _merge_close_values(np.asarray(values_after, float), np.asarray(counts_after, float))
    if cb.sum() == 0 or ca.sum() == 0:
        return RatioCI(None, None, None, "no posts with engagement before or after: no ratio")
    if cb @ vb <= 0:
        return RatioCI(None, None, None, "no engagement before: no baseline")
    ratio = float((ca @ va / ca.sum()) / (cb @ vb / cb.sum()))
    if ratio == 0:
        return RatioCI(0.0, 0.0, 0.0, "no engagement after")
    rng = np.random.default_rng(seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = np.log(_resampled_means(va, ca, n_boot, rng)) - np.log(_resampled_means(vb, cb, n_boot, rng))
    boot = boot[~np.isnan(boot)]
    theta = math.log(ratio)
    share_below = (np.sum(boot < theta) + 0.5 * np.sum(boot == theta)) / boot.size
    z0 = stats.norm.ppf(np.clip(share_below, 0.5 / boot.size, 1 - 0.5 / boot.size))
    jack, weight = _jackknife_log_ratio(vb, cb, va, ca)
    usable = np.isfinite(jack) & (weight > 0)
    d = np.average(jack[usable], weights=weight[usable]) - jack[usable]
    spread = np.sum(weight[usable] * d**2)
    accel = np.sum(weight[usable] * d**3) / (6 * spread**1.5) if spread > 0 and usable.all() else 0.0
    z = stats.norm.ppf([(1 - level) / 2, 1 - (1 - level) / 2])
    targets = stats.norm.cdf(z0 + (z0 + z) / (1 - accel * (z0 + z)))
    low, high = np.exp(np.quantile(boot, targets, method="inverted_cdf"))
    if not (np.isfinite(low) and np.isfinite(high)):
        return RatioCI(ratio, None, None, "too few posts for a bootstrap interval")
    return RatioCI(ratio, float(low), float(high))


def _histogram(values: ArrayLike, counts: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """A histogram sorted by value, without empty values; refuses an empty one."""
    v, c = np.asarray(values, float), np.asarray(counts, float)
    order = np.argsort(v)
    v, c = v[order], c[order]
    if c.sum() <= 0:
        raise ValueError("empty histogram")
    return v[c > 0], c[c > 0]


def top_share(values: ArrayLike, counts: ArrayLike, top: float = 0.01) -> float:
    """Share of the total engagement that the top `top` fraction of posts (at least one post) brings; 0 if none."""
    v, c = _histogram(values, counts)
    total = c @ v
    if total <= 0:
        return 0.0
    k = max(1.0, math.ceil(top * c.sum()))
    v, c = v[::-1], c[::-1]
    taken = np.minimum(c, np.maximum(k - (np.cumsum(c) - c), 0))
    return float(taken @ v / total)


# --- the charter's effect on a team x week panel -----------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """The charter's effect on one metric as a rate ratio with its 95 % interval, and how it was obtained.

    `observed` and `expected` are the events after adoption in the weeks used and the counterfactual without
    the charter (their ratio is `ratio`); `weeks_used` counts the team-weeks after adoption that entered it.
    """

    ratio: float | None
    ci95: tuple[float, float] | None
    method: str
    weeks_used: int
    observed: float
    expected: float
    notes: list[str] = field(default_factory=list)

    @property
    def change_pct(self) -> float | None:
        return as_change_pct(self.ratio)

    @property
    def ci_pct(self) -> tuple[float, float] | None:
        return interval_as_change_pct(self.ci95)


@dataclass(frozen=True)
class _Grid:
    """One metric of the panel as team x week arrays; a cell without exposure has e == 0 and is not used."""

    metric: str
    teams: tuple[str, ...]
    weeks: pd.DatetimeIndex
    y: FloatArray
    e: FloatArray
    start: IntArray  # index of each team's first week after adoption; _NEVER without a charter date

    @property
    def relative(self) -> IntArray:
        """Weeks since adoption of every cell (0 = the week containing the charter date)."""
        return np.arange(len(self.weeks))[None, :] - self.start[:, None]

    @property
    def treated(self) -> BoolArray:
        return self.relative >= 0


def _grid(panel: pd.DataFrame, metric: str) -> _Grid:
    """Team x week arrays of one metric; the week containing a team's charter date is its first after-week."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}: one of {', '.join(METRICS)}")
    missing = [c for c in PANEL_COLUMNS if c not in panel.columns]
    if missing:
        raise ValueError(f"panel lacks columns {missing}")
    if panel.empty:
        raise ValueError("empty panel")
    if panel.duplicated(["team", "week"]).any():
        raise ValueError("panel has two rows for one team and week")
    week = pd.to_datetime(panel["week"])
    if (week.dt.day_of_week != 0).any():
        raise ValueError("panel weeks must be Mondays")
    week0 = week.min()
    n_weeks = (week.max() - week0).days // 7 + 1
    column = ((week - week0).dt.days // 7).to_numpy()
    row, teams = pd.factorize(panel["team"], sort=True)
    outcome, offset = METRICS[metric]
    exposure = panel[offset].to_numpy(float)
    y = np.zeros((len(teams), n_weeks))
    e = np.zeros((len(teams), n_weeks))
    y[row, column] = np.where(exposure > 0, panel[outcome].to_numpy(float), 0)
    e[row, column] = np.maximum(exposure, 0)
    dates = pd.to_datetime(panel["charter_date"]).groupby(row)
    if (dates.nunique(dropna=False) > 1).any():
        raise ValueError("a team has two charter dates in the panel")
    adopted = dates.first()
    monday = adopted.dt.normalize() - pd.to_timedelta(adopted.dt.day_of_week, unit="D")
    start = ((monday - week0).dt.days // 7).fillna(_NEVER).to_numpy(np.int64)
    weeks = pd.date_range(week0, periods=n_weeks, freq="7D")
    return _Grid(metric, tuple(str(t) for t in teams), weeks, y, e, start)


def _period_sum(a: FloatArray, k: int) -> FloatArray:
    """Sum the last (week) axis into periods of k weeks."""
    n_periods = -(-a.shape[-1] // k)
    pad = np.zeros(a.shape[:-1] + (n_periods * k - a.shape[-1],))
    return np.concatenate([a, pad], axis=-1).reshape(a.shape[:-1] + (n_periods, k)).sum(-1)


def _period_spread(a: FloatArray, k: int, n_weeks: int) -> FloatArray:
    """Repeat per-period values over their weeks (the inverse layout of _period_sum)."""
    return np.repeat(a, k, axis=-1)[..., :n_weeks]


@dataclass(frozen=True)
class _Fit:
    """Extended TWFE Poisson fits, one per replicate (replicate 0 = all teams, g + 1 = without team g)."""

    used: BoolArray  # (B, G, W) cells that enter the fit
    base: FloatArray  # (B, G, W) fitted mean without the charter (the counterfactual), 0 where not used
    mu: FloatArray  # (B, G, W) fitted mean
    cohort: IntArray  # (G,) cohort of each team, -1 if it never adopts in the panel


def _usable(grid: _Grid, keep: BoolArray, k: int) -> BoolArray:
    """Cells to fit: with exposure, in the main set of teams and periods linked by control events.

    A team and a period are linked when the team has events there before its charter. The Poisson estimates are
    finite exactly on a connected set of such links; a team or period outside the main one has no baseline or no
    control (e.g. a period whose only control events come from a team that has none elsewhere).
    """
    n_teams = len(grid.teams)
    control_events = _period_sum((grid.e > 0) * ~grid.treated * grid.y, k)  # (G, P)
    used = keep[:, :, None] & (grid.e > 0)[None]
    for b, kept in enumerate(keep):
        links = np.zeros((n_teams + control_events.shape[1],) * 2)
        links[:n_teams, n_teams:] = control_events * kept[:, None]
        _, component = csgraph.connected_components(sparse.csr_array(links), directed=False)
        events = np.bincount(component[:n_teams], weights=control_events.sum(1) * kept)
        main = component == np.argmax(events)
        used[b] &= main[:n_teams, None] & _period_spread(main[n_teams:], k, len(grid.weeks))[None, :]
    return used


def _fit_twfe(grid: _Grid, keep: BoolArray, k: int) -> _Fit:
    """Fit the extended TWFE Poisson model for each replicate's teams (Newton on the team effects, the rest exact).

    Given the team effects, each period effect and each cohort x period effect solves its margin in closed form
    (period: its control events; cohort x period: its events after adoption), so Newton runs on the team
    effects alone: a concave profile likelihood with a G x G information matrix, a handful of iterations.
    """
    n_weeks = len(grid.weeks)
    cohorts, cohort = np.unique(np.where(grid.start < n_weeks, grid.start, _NEVER), return_inverse=True)
    cohort = np.where(cohorts[cohort] == _NEVER, -1, cohort)
    same_cohort = (cohort[:, None] == cohort[None, :]) & (cohort[:, None] >= 0)
    membership = (cohort[None, :] == np.arange(cohorts.size)[:, None]).astype(float)  # (C, G)
    treated = grid.treated
    used = _usable(grid, keep, k)
    exposure = used * grid.e
    y = used * grid.y
    control_exposure, treated_exposure = _period_sum(exposure * ~treated, k), _period_sum(exposure * treated, k)
    control_events = _period_sum(y * ~treated, k).sum(1)  # (B, P)
    cohort_events = membership @ _period_sum(y * treated, k)  # (B, C, P)
    cohort_of = np.clip(cohort, 0, None)
    team_events = y.sum(2)
    teams_used = np.asarray(used.any(axis=2))
    log_team = np.zeros(team_events.shape)
    for _ in range(_NEWTON_MAX_ITERATIONS):
        rate = np.exp(log_team)[:, :, None]
        control_mu = _share(control_exposure * rate, control_events[:, None, :], np.ones((len(grid.teams), 1)))
        treated_mu = _share(treated_exposure * rate, cohort_events[:, cohort_of, :], membership.T)
        score = team_events - control_mu.sum(2) - treated_mu.sum(2)
        if np.abs(score).max() < _NEWTON_TOLERANCE * max(1.0, team_events.max()):
            break
        information = np.eye(len(grid.teams)) * (control_mu.sum(2) + treated_mu.sum(2))[:, :, None]
        information -= control_mu @ _divide(control_mu, control_events[:, None, :]).transpose(0, 2, 1)
        treated_share = _divide(treated_mu, cohort_events[:, cohort_of, :])
        information -= (treated_mu @ treated_share.transpose(0, 2, 1)) * same_cohort
        # The team effects are defined up to a common shift: pin it, and leave unused teams where they are.
        scale = information.trace(axis1=1, axis2=2)[:, None, None] / len(grid.teams) + 1
        information += (
            scale * teams_used[:, :, None] * teams_used[:, None, :]
            + np.eye(len(grid.teams)) * ~teams_used[:, :, None]
        )
        step = np.linalg.solve(information, score[:, :, None])[:, :, 0]
        log_team += np.clip(step, -_NEWTON_MAX_STEP, _NEWTON_MAX_STEP)
    rate = np.exp(log_team)[:, :, None]
    period_rate = _divide(control_events, (control_exposure * rate).sum(1))  # (B, P)
    base = exposure * np.exp(log_team)[:, :, None] * _period_spread(period_rate, k, n_weeks)[:, None, :]
    effect = _divide(cohort_events, membership @ _period_sum(base * treated, k))
    mu = base * np.where(treated, _period_spread(effect, k, n_weeks)[:, cohort_of, :], 1.0)
    return _Fit(used, base, mu, cohort)


def _divide(a: FloatArray, b: FloatArray) -> FloatArray:
    """a / b, 0 where b is 0."""
    a, b = np.broadcast_arrays(a, b)
    return np.divide(a, b, out=np.zeros(a.shape), where=b > 0)


def _share(weight: FloatArray, events: FloatArray, groups: FloatArray) -> FloatArray:
    """Split each group's events (given per team) among its teams in proportion to weight, period by period.

    `groups` (G, C) says which teams pool together: all of them (control periods) or each cohort.
    """
    totals = groups.T @ weight  # (B, C, P)
    team_total = groups @ totals  # (B, G, P)
    return weight * _divide(events, team_total)


def _model_variance(grid: _Grid, fit: _Fit, k: int, cells: list[BoolArray]) -> tuple[FloatArray, float]:
    """Quasi-Poisson variance of log(counterfactual) over each set of cells, and the Pearson dispersion."""
    used = fit.used[0]
    if not used.any():
        return np.zeros(len(cells)), 1.0
    team, week = np.nonzero(used)
    period = week // k
    mu, base = fit.mu[0][used], fit.base[0][used]
    fitted = mu > 0  # cohort x period cells without events after adoption are fitted at 0 and carry no information
    team_ids, team_col = np.unique(team, return_inverse=True)
    period_ids, period_col = np.unique(period, return_inverse=True)
    x = np.zeros((team.size, team_ids.size + period_ids.size - 1))  # team and period effects, first period dropped
    x[np.arange(team.size), team_col] = 1
    x[np.flatnonzero(period_col > 0), team_ids.size + period_col[period_col > 0] - 1] = 1
    information = x[fitted].T @ (mu[fitted, None] * x[fitted])
    # Each cohort x period effect fits its own cells: eliminate it from the information (Schur complement).
    has_tau = grid.treated[team, week] & fitted
    _, tau = np.unique((fit.cohort[team] * len(grid.weeks) + period)[has_tau], return_inverse=True)
    tau_sums = np.zeros((tau.max() + 1 if tau.size else 0, x.shape[1]))
    np.add.at(tau_sums, tau, mu[has_tau, None] * x[has_tau])
    information -= tau_sums.T @ (tau_sums / np.bincount(tau, weights=mu[has_tau])[:, None])
    n_params = x.shape[1] + tau_sums.shape[0]
    dof = int(fitted.sum()) - n_params
    pearson = float(np.sum((grid.y[used][fitted] - mu[fitted]) ** 2 / mu[fitted]))
    dispersion = max(1.0, pearson / dof) if dof > 0 else 1.0
    weights = np.column_stack([base * cell[used] for cell in cells])
    gradients = (weights.T @ x / np.maximum(weights.sum(0), np.finfo(float).tiny)[:, None]).T
    solved = np.linalg.lstsq(information, gradients, rcond=None)[0]
    return dispersion * np.einsum("ij,ij->j", gradients, solved), dispersion


def _adjusted_ci(
    observed: float, expected: float, var_log_expected: float, dispersion: float, level: float = LEVEL
) -> tuple[float, float] | None:
    """Exact conditional interval of observed / expected, the counterfactual counting as 1 / variance events."""
    if var_log_expected <= 0:
        return None
    baseline_events = 1 / var_log_expected
    low, high = _cp_ratio(observed / dispersion, expected / dispersion, baseline_events, baseline_events, level)
    return None if high is None else (float(low), float(high))


def _jackknife_ci(theta: float, replicates: FloatArray) -> tuple[float, float] | None:
    """Leave-one-team-out jackknife (CV3) interval on the log scale with t(G - 1) quantiles."""
    n = replicates.size
    if n < 3 or not np.isfinite(replicates).all():
        return None
    se = math.sqrt((n - 1) / n * np.sum((replicates - replicates.mean()) ** 2))
    q = float(stats.t.ppf(1 - (1 - LEVEL) / 2, n - 1))
    return (math.exp(theta - q * se), math.exp(theta + q * se))


def _wider(a: tuple[float, float] | None, b: tuple[float, float] | None) -> tuple[float, float] | None:
    """The union of two intervals (either may be missing)."""
    if a is None or b is None:
        return a or b
    return (min(a[0], b[0]), max(a[1], b[1]))


def _staggered(grid: _Grid, cells: dict[str, BoolArray]) -> dict[str, Effect]:
    """The extended TWFE estimate over each set of cells, with its jackknife or exact interval."""
    k = PERIOD_WEEKS[grid.metric]
    n_teams = len(grid.teams)
    fit = _fit_twfe(grid, np.vstack([np.ones(n_teams, bool), ~np.eye(n_teams, dtype=bool)]), k)
    clusters = np.flatnonzero(fit.used[0].any(1))
    per_team = [grid.treated & (np.arange(n_teams) == g)[:, None] for g in range(n_teams)]
    variances, dispersion = _model_variance(grid, fit, k, [*cells.values(), *per_team])
    spread = 0.0
    if not _rare(grid.metric):
        team_observed = (fit.used[0] * grid.treated * grid.y).sum(1)
        team_expected = (fit.base[0] * grid.treated).sum(1)
        spread = _between_teams(team_observed, team_expected, variances[len(cells) :], dispersion)
    # With the spread between few teams estimated, the t(G-1) quantile replaces the normal one.
    level = _t_level(len(clusters)) if spread else LEVEL
    notes = _design_notes(grid, fit, len(clusters))
    period = "week" if k == 1 else f"{k}-week period"
    method = (
        f"Poisson regression with team and {period} effects and one effect per adoption cohort x {period} (extended "
        f"two-way fixed effects, not-yet-adopted teams as controls), offset log {METRICS[grid.metric][1]}"
    )
    effects = {}
    for (name, cell), var in zip(cells.items(), variances[: len(cells)], strict=True):
        observed = (fit.used * cell * grid.y).sum((1, 2))
        expected = (fit.base * cell).sum((1, 2))
        weeks_used = int((fit.used[0] & cell & grid.treated).sum())
        if expected[0] <= 0:
            effects[name] = Effect(
                None, None, method, weeks_used, 0.0, 0.0, [*notes, "no after-weeks with a control"]
            )
            continue
        ratio = float(observed[0] / expected[0])
        team_share = (fit.base[0] * cell).sum(1) / expected[0]
        model = _adjusted_ci(
            observed[0], expected[0], var + spread * float(team_share @ team_share), dispersion, level
        )
        jackknife = None
        if not _rare(grid.metric) and observed[0] > 0:
            with np.errstate(divide="ignore", invalid="ignore"):
                jackknife = _jackknife_ci(math.log(ratio), np.log(observed[1:] / expected[1:])[clusters])
        interval = (
            "interval: leave-one-team-out jackknife with t(G-1), and at least the model's"
            if jackknife
            else "interval: exact conditional on the model's counterfactual (quasi-Poisson"
            + (", widened by the spread between teams)" if spread else ")")
        )
        lone = (
            [] if spread or (team_share > 0).sum() > 1 else ["one team only: the interval ignores how teams differ"]
        )
        ci = _wider(jackknife, model)
        effects[name] = Effect(
            ratio, ci, method, weeks_used, float(observed[0]), float(expected[0]), [*notes, interval, *lone]
        )
    return effects


def _t_level(n_teams: int) -> float:
    """The normal-scale level whose quantile is t(G - 1)'s at LEVEL: the interval's level once the spread between
    G teams is estimated from them."""
    return float(2 * stats.norm.cdf(stats.t.ppf(1 - (1 - LEVEL) / 2, n_teams - 1)) - 1)


def _between_teams(observed: FloatArray, expected: FloatArray, var_log_expected: FloatArray, noise: float) -> float:
    """Between-team variance of the log effect beyond each team's own noise (DerSimonian-Laird): teams' observed
    and counterfactual events after adoption, the variance of each log counterfactual, and the noise per event."""
    ok = (observed > 0) & (expected > 0)
    if ok.sum() < 2:
        return 0.0
    theta = np.log(observed[ok] / expected[ok])
    weight = 1 / (var_log_expected[ok] + noise / observed[ok])
    pooled = weight @ theta / weight.sum()
    q = weight @ (theta - pooled) ** 2
    return max(0.0, float((q - (ok.sum() - 1)) / (weight.sum() - weight @ weight / weight.sum())))


def _design_notes(grid: _Grid, fit: _Fit, n_clusters: int) -> list[str]:
    """What the staggered design left out, and how far to trust its intervals."""
    notes = []
    treated = grid.treated & (grid.e > 0)
    lost_weeks = np.flatnonzero((treated & ~fit.used[0]).any(0) & ~fit.used[0].any(0))
    if lost_weeks.size:
        first = grid.weeks[lost_weeks[0]].date()
        notes.append(f"no control weeks from {first} ({lost_weeks.size} weeks): left out")
    for g in np.flatnonzero((grid.e > 0).any(1) & ~fit.used[0].any(1)):
        notes.append(f"{grid.teams[g]}: no {grid.metric} before its charter in the weeks with controls: left out")
    if n_clusters < CLUSTERS_FOR_EXACT_LABEL:
        notes.append(f"approximate: only {n_clusters} teams")
    return notes


def _bad_runs(grid: _Grid) -> list[str]:
    """Teams that adopted right after a bad run of incidents (regression to the mean would lower them anyway).

    A team's incidents in the weeks just before its charter are compared with its earlier rate, moved by how
    much the other teams' rate changed between the same weeks (so that network-wide growth is no bad run).
    """
    notes = []
    for g, team in enumerate(grid.teams):
        recent = (grid.relative[g] >= -BAD_RUN_WEEKS) & (grid.relative[g] < 0)
        earlier = grid.relative[g] < -BAD_RUN_WEEKS
        others = np.arange(len(grid.teams)) != g
        own_earlier = _rate(grid.y[g, earlier], grid.e[g, earlier])
        others_earlier = _rate(grid.y[others][:, earlier], grid.e[others][:, earlier])
        others_recent = _rate(grid.y[others][:, recent], grid.e[others][:, recent])
        if not recent.any() or own_earlier is None:
            continue
        trend = others_recent / others_earlier if others_earlier and others_recent is not None else 1.0
        observed = grid.y[g, recent].sum()
        expected = own_earlier * trend * grid.e[g, recent].sum()
        if observed >= 3 and stats.poisson.sf(observed - 1, expected) < BAD_RUN_P_VALUE:
            notes.append(
                f"{team} adopted after a bad run of incidents ({observed:.0f} in the {BAD_RUN_WEEKS} weeks before, "
                f"{expected:.1f} expected): part of the drop would have come anyway (regression to the mean)"
            )
    return notes


def _rate(events: FloatArray, exposure: FloatArray) -> float | None:
    """Events per unit of exposure, None without exposure."""
    total = float(exposure.sum())
    return float(events.sum()) / total if total > 0 else None


def _its(grid: _Grid, cells: dict[str, BoolArray]) -> dict[str, Effect]:
    """Interrupted time series: the teams' histories before the charter extrapolated as the counterfactual."""
    start = int(grid.start[grid.start < len(grid.weeks)].min())
    y, e = (grid.y * (grid.e > 0)).sum(0), grid.e.sum(0)
    week = np.arange(len(grid.weeks))
    before = (week < start) & (e > 0)
    method = f"interrupted time series on each team's weeks, offset log {METRICS[grid.metric][1]}: no control team"
    after = (week >= start) & (e > 0)
    notes = [
        f"one date for everyone: the counterfactual extrapolates the trend of {before.sum()} weeks before the "
        f"charter over {after.sum()} weeks after it"
    ]
    if before.sum() < MIN_WEEKS_BEFORE or y[before].sum() == 0:
        reason = f"fewer than {MIN_WEEKS_BEFORE} weeks" if before.sum() < MIN_WEEKS_BEFORE else f"no {grid.metric}"
        return {
            name: Effect(None, None, method, 0, 0.0, 0.0, [*notes, f"{reason} before the charter: no baseline"])
            for name in cells
        }
    if before.sum() < MIN_WEEKS_FOR_SEASON and not _rare(grid.metric):
        note = (f"less than a year before the charter ({before.sum()} weeks): the season cannot be told from the "
                "charter's effect, so there is no adjusted figure; the plain before/after stands alone")  # fmt: skip
        return {name: Effect(None, None, method, 0, 0.0, 0.0, [*notes, note]) for name in cells}
    by_team = _its_by_team(grid, cells, start, method, notes)
    if by_team is None:
        note = f"no team has {MIN_WEEKS_BEFORE} weeks with {grid.metric} before the charter: no baseline"
        return {name: Effect(None, None, method, 0, 0.0, 0.0, [*notes, note]) for name in cells}
    return by_team


def _holidays(weeks: pd.DatetimeIndex) -> FloatArray:
    """The calendar as two holiday terms, August and the year's end, not eleven months: estimated from a year or
    two, month effects soak up that year's swings and carry them into the after-weeks (`advocacy simulate`'s
    study chose this). The year-end holidays straddle two months: one term for them, so that a dip spilling into
    January is not read as the charter's effect."""
    thursday = weeks + pd.Timedelta(days=3)  # a week's day is its Thursday's
    summer = thursday.month == 8
    year_end = ((thursday.month == 12) & (thursday.day >= 18)) | ((thursday.month == 1) & (thursday.day <= 14))
    return np.column_stack([np.asarray(summer, float), np.asarray(year_end, float)])


TeamTrends = tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray, FloatArray, BoolArray, Any, FloatArray]


def _team_trends(grid: _Grid, start: int) -> TeamTrends | None:
    """The one-date model: a Poisson regression on the teams' weeks before the charter, each team with its own
    level and trend, the holidays shared; its mean over every week of those teams is the counterfactual. Returns
    (teams, team and week of each cell, design, events, exposure, before, fit, counterfactual), or None without a
    team that has weeks before the charter."""
    active = grid.e > 0
    week = np.arange(len(grid.weeks))
    pre = active & (week[None, :] < start)
    usable = (pre.sum(1) >= MIN_WEEKS_BEFORE) & ((grid.y * pre).sum(1) > 0)
    if not usable.any():
        return None
    teams = np.flatnonzero(usable)
    t_idx, w_idx = np.nonzero(active & usable[:, None])
    onehot = (t_idx[:, None] == teams[None, :]).astype(float)
    if _rare(grid.metric):  # incidents: too rare for trends and holidays, each team's own risk
        x = onehot
    else:
        x = np.column_stack([onehot, onehot * ((w_idx - start) / 52)[:, None], _holidays(grid.weeks)[w_idx]])
    y, e = grid.y[t_idx, w_idx], grid.e[t_idx, w_idx]
    before = w_idx < start
    x = x[:, np.abs(x[before]).sum(0) > 0]  # a holiday the weeks before do not hold cannot be estimated
    result = sm.GLM(y[before], x[before], family=sm.families.Poisson(), offset=np.log(e[before])).fit()
    return teams, t_idx, w_idx, x, y, e, before, result, e * np.exp(x @ result.params)


def _its_by_team(grid: _Grid, cells: dict[str, BoolArray], start: int, method: str,
                 notes: list[str]) -> dict[str, Effect] | None:  # fmt: skip
    """One date for everyone, each team with its own level and trend and the calendar shared: the teams' own
    histories extrapolated and summed (teams that grow at different rates make the organisation's total curve, which
    one log-linear trend would misread as the charter's effect). Errors allow for swings that last weeks: the
    quasi-Poisson covariance inflated by the AR(1) long-run factor of the teams' residuals, and the after-weeks' own
    swings added to the observed sum. None without a team that has weeks before the charter."""
    model = _team_trends(grid, start)
    if model is None:
        return None
    teams, t_idx, w_idx, x, y, e, before, result, mu0 = model
    active = grid.e > 0
    week = np.arange(len(grid.weeks))
    pre = active & (week[None, :] < start)
    usable = np.isin(np.arange(len(grid.teams)), teams)
    pearson = (y[before] - mu0[before]) / np.sqrt(mu0[before])
    dispersion = max(1.0, float(pearson @ pearson) / max(int(before.sum()) - x.shape[1], 1))
    # each team's log residuals before the charter, in week order: their swings' variance and persistence
    logs = np.log((y[before] + 0.5) / mu0[before])
    rho, swing_variance = _swings(logs, y[before], t_idx[before], teams)
    factor = (1 + rho) / (1 - rho)
    covariance = dispersion * factor * result.normalized_cov_params
    after = ~before
    weekly = np.bincount(t_idx[after], weights=y[after], minlength=len(grid.teams))[teams]
    n_after = np.maximum(np.bincount(t_idx[after], minlength=len(grid.teams))[teams], 1)
    mean_weekly = weekly / n_after
    noise = max(dispersion, 1 + factor * swing_variance * float((mean_weekly**2 * n_after).sum())
                / max(float(weekly.sum()), 1.0))  # fmt: skip
    left_out = [grid.teams[g] for g in np.flatnonzero(~usable & (active & ~pre).any(1))]
    shape = ("its own rate" if _rare(grid.metric) else
             "its own level and trend, the summer and year-end holidays shared")  # fmt: skip
    design = [
        f"each of {len(teams)} teams with {shape}",
        "approximate: the counterfactual is extrapolated, no team adopted later to compare with",
        *([f"left out (too few weeks before the charter): {', '.join(left_out)}"] if left_out else []),
    ]
    # Teams differ beyond their own noise (a champion who leaves, a team's own swings): their spread widens the
    # interval, with t(G-1) quantiles, as in the staggered design.
    spread, level = 0.0, LEVEL
    if not _rare(grid.metric):
        per_team = [after & (t_idx == g) for g in teams]
        team_observed = np.array([y[m].sum() for m in per_team])
        team_expected = np.array([mu0[m].sum() for m in per_team])
        team_var = np.array([_log_variance(mu0[m], x[m], covariance) for m in per_team])
        spread = _between_teams(team_observed, team_expected, team_var, noise)
        if spread:
            level = _t_level(len(teams))
    effects = {}
    for name, cell in cells.items():
        in_set = cell[t_idx, w_idx] & after
        observed, expected = float(y[in_set].sum()), float(mu0[in_set].sum())
        weeks_used = int(in_set.sum())
        if expected <= 0:
            effects[name] = Effect(None, None, method, weeks_used, observed, 0.0, [*notes, *design])
            continue
        share = np.bincount(t_idx[in_set], weights=mu0[in_set], minlength=len(grid.teams))[teams] / expected
        var = _log_variance(mu0[in_set], x[in_set], covariance) + spread * float(share @ share)
        ci = _adjusted_ci(observed, expected, var, noise, level)
        effects[name] = Effect(observed / expected, ci, method, weeks_used, observed, expected,
                               [*notes, *design])  # fmt: skip
    return effects


def _log_variance(mu: FloatArray, x: FloatArray, covariance: FloatArray) -> float:
    """Variance of the log of a counterfactual sum (cells' means mu, design rows x) by the delta method."""
    total = float(mu.sum())
    if total <= 0:
        return 0.0
    gradient = mu @ x / total
    return float(gradient @ covariance @ gradient)


def _swings(logs: FloatArray, y: FloatArray, team: IntArray, teams: IntArray) -> tuple[float, float]:
    """The teams' swings on the log scale: their lag-1 autocorrelation and variance, pooled over the teams by
    their events. A log residual is a swing plus Poisson noise of variance about 1 / count; the noise is not
    autocorrelated, so the swings' autocorrelation is the residuals' lag-1 covariance over their variance less
    the noise's (the residuals' own autocorrelation, diluted by the noise, would read 0.1 for swings of 0.7)."""
    lag1, variance, weights = [], [], []
    for g in teams:
        mine = team == g
        if mine.sum() < 8:
            continue
        r = logs[mine] - logs[mine].mean()
        swing = float(r @ r) / r.size - float(np.mean(1 / np.maximum(y[mine], 1)))
        lag1.append(float(r[1:] @ r[:-1]) / (r.size - 1))
        variance.append(max(swing, 0.0))
        weights.append(float(y[mine].sum()))
    if not weights or sum(weights) <= 0:
        return 0.0, 0.0
    gamma1, gamma0 = float(np.average(lag1, weights=weights)), float(np.average(variance, weights=weights))
    rho = min(max(gamma1 / gamma0, 0.0), 0.95) if gamma0 > 0 else 0.0
    return rho, gamma0


def counterfactual_timeline(panel: pd.DataFrame, metric: str = "posts") -> pd.DataFrame:
    """Per week, the organisation's events as the model expects them without the charter, beside those observed.

    One date for everyone: the interrupted time series' fit, over the weeks before the charter and extrapolated
    after it. Staggered dates: from the first adoption on, each adopted team's counterfactual plus the teams not
    adopted yet as observed; a week where an adopted team has no control is left empty (nothing to compare with).
    """
    grid = _grid(panel, metric)
    active = grid.e > 0
    observed = (grid.y * active).sum(0)
    expected = np.full(len(grid.weeks), np.nan)
    treated = grid.treated & active
    if treated.any() and _has_controls(grid):
        fit = _fit_twfe(grid, np.ones((1, len(grid.teams)), bool), PERIOD_WEEKS[metric])
        weeks = treated.any(0) & ~(treated & ~fit.used[0]).any(0)
        expected[weeks] = np.where(treated, fit.base[0], grid.y * active).sum(0)[weeks]
    elif treated.any():
        e, week = grid.e.sum(0), np.arange(len(grid.weeks))
        start = int(grid.start[grid.start < len(grid.weeks)].min())
        before = (week < start) & (e > 0)
        model = _team_trends(grid, start)
        if model is not None and (before.sum() >= MIN_WEEKS_FOR_SEASON or _rare(metric)):  # the effect's model
            _, _, w_idx, *_, mu0 = model
            expected = np.bincount(w_idx, weights=mu0, minlength=len(grid.weeks)).astype(float)
            expected[e <= 0] = np.nan
    return pd.DataFrame({"week": grid.weeks, "observed": observed, "without_charter": expected})


def _has_controls(grid: _Grid) -> bool:
    """Whether some week has teams after adoption and teams before it (else the dates are one for everyone)."""
    active = grid.e > 0
    return bool(((grid.treated & active).any(0) & (~grid.treated & active).any(0)).any())


def _estimate(grid: _Grid, cells: dict[str, BoolArray]) -> dict[str, Effect]:
    """Effects of the charter on one metric over named sets of team-week cells, in the design the dates allow."""
    if not (grid.treated & (grid.e > 0)).any():
        return {name: Effect(None, None, "none", 0, 0.0, 0.0, ["no charter date in these weeks"]) for name in cells}
    events = float((grid.y * (grid.e > 0)).sum())
    if events < MIN_EVENTS:
        what = "incidents" if _rare(grid.metric) else grid.metric
        note = f"too few {what} to say ({events:.0f} in all, fewer than {MIN_EVENTS})"
        return {name: Effect(None, None, "none", 0, 0.0, 0.0, [note]) for name in cells}
    if not _has_controls(grid):
        effects = _its(grid, cells)
    elif (n_teams := int((grid.e > 0).any(1).sum())) < MIN_TEAMS_STAGGERED:
        note = (f"too few teams to estimate the charter's effect apart from the weeks ({n_teams}; at least "
                f"{MIN_TEAMS_STAGGERED}): the plain before/after stands alone")  # fmt: skip
        return {name: Effect(None, None, "none", 0, 0.0, 0.0, [note]) for name in cells}
    else:
        effects = _staggered(grid, cells)
    effects = {name: _enough(effect, grid.metric) for name, effect in effects.items()}
    if any(effect.ratio is not None for effect in effects.values()) and (lead := _leads_placebo(grid)):
        effects = {name: replace(effect, notes=[*effect.notes, lead]) for name, effect in effects.items()}
    bad_runs = _bad_runs(grid) if _rare(grid.metric) else []
    return {name: replace(effect, notes=[*effect.notes, *bad_runs]) for name, effect in effects.items()}


def _enough(effect: Effect, metric: str) -> Effect:
    """No figure where the weeks compared would hold fewer than MIN_EXPECTED events without the charter: 2
    incidents against 0.2 expected is "x12, interval x0.19 to x21,060", which says nothing."""
    if effect.ratio is None or effect.expected >= MIN_EXPECTED:
        return effect
    what = "incidents" if _rare(metric) else metric
    note = (f"too few {what} to say: {effect.expected:.1f} expected without the charter, {effect.observed:.0f} "
            f"seen, in the {effect.weeks_used} team-weeks that can be compared")  # fmt: skip
    return replace(effect, ratio=None, ci95=None, notes=[*effect.notes, note])


def _leads_placebo(grid: _Grid) -> str | None:
    """A check that can fail: each team's charter moved PLACEBO_WEEKS earlier and its real after-weeks left out,
    the design's own estimate of the "effect" of charters that did not exist yet (staggered: against the teams not
    adopted yet; one date: the teams' histories before those weeks, extrapolated over them, the holiday weeks
    aside, since a year of history cannot always tell their depth). Where its 95 % interval excludes no change,
    the model does not foresee this programme (anticipation, teams picked for their momentum, a trend that
    bends): the adjusted figure cannot be trusted. None when it holds or cannot be tried (incidents are too rare
    to split that finely, one team alone has no spread to judge by)."""
    if _rare(grid.metric):
        return None
    n_weeks = len(grid.weeks)
    room = (grid.start < n_weeks) & (grid.start >= PLACEBO_WEEKS + MIN_WEEKS_BEFORE)
    if not room.any():
        return None
    before = ~grid.treated
    shifted = np.where(room, grid.start - PLACEBO_WEEKS, _NEVER)
    placebo = replace(grid, y=grid.y * before, e=grid.e * before, start=shifted)
    if _has_controls(placebo):
        lead = _staggered(placebo, {"lead": placebo.treated})["lead"]
    elif _has_controls(grid) or (placebo.treated & (placebo.e > 0)).sum() == 0:
        return None
    else:
        workdays = ~np.asarray(_holidays(grid.weeks).any(axis=1), dtype=bool)[None, :]
        start = int(shifted.min())
        found = _its_by_team(placebo, {"lead": placebo.treated & workdays}, start, "", [])
        if found is None:
            return None
        lead = found["lead"]
    if lead.ratio is None or lead.ci95 is None or lead.ci95[0] <= 1 <= lead.ci95[1]:
        return None
    low, high = lead.ci95
    return (f"placebo check failed: in the {PLACEBO_WEEKS} weeks before the charter, the model already finds "
            f"x{lead.ratio:.2f} (95 % interval x{low:.2f} to x{high:.2f}) where there was no charter yet, so the "
            "adjusted figure cannot be trusted")  # fmt: skip


def _effect(panel: pd.DataFrame, metric: str) -> Effect:
    """The charter's effect on one metric over all the after-weeks that can be used."""
    grid = _grid(panel, metric)
    return _estimate(grid, {"effect": grid.treated})["effect"]


def charter_effects(panel: pd.DataFrame) -> dict[str, Effect]:
    """The charter's effect on posts and incidents (per member) and on engagement per post, as rate ratios."""
    return {metric: _effect(panel, metric) for metric in METRICS}


def team_effects(panel: pd.DataFrame, metric: str = "posts") -> dict[str, Effect]:
    """Each team's own effect: its cells in the organisation's model, else (one date for all) its own time series."""
    grid = _grid(panel, metric)
    if not _has_controls(grid):
        return {team: _effect(panel[panel["team"] == team], metric) for team in grid.teams}
    rows = np.arange(len(grid.teams))[:, None]
    return _estimate(grid, {team: grid.treated & (rows == g) for g, team in enumerate(grid.teams)})


def settled_vs_launch(
    panel: pd.DataFrame, metric: str = "posts", *, launch_weeks: int = 4, settled_from: int = SETTLED_FROM_WEEK
) -> dict[str, Effect]:
    """The launch spike (first weeks after adoption) beside the settled effect (settled_from weeks on)."""
    grid = _grid(panel, metric)
    cells = {"launch": grid.treated & (grid.relative < launch_weeks), "settled": grid.relative >= settled_from}
    effects = _estimate(grid, cells)
    settled = effects["settled"]
    if settled.weeks_used == 0:
        note = f"no control team {settled_from} weeks or more after adoption: no settled effect without extrapolation"
        effects["settled"] = Effect(None, None, settled.method, 0, 0.0, 0.0, [*settled.notes, note])
    elif not _has_controls(grid):
        effects["settled"] = replace(settled, notes=[*settled.notes, "extrapolated: no control team"])
    return effects


def event_study(panel: pd.DataFrame, metric: str = "posts", *, bin_weeks: int = 4) -> pd.DataFrame:
    """Observed / counterfactual by bins of weeks since adoption (bins with a control); before adoption, near 1."""
    if bin_weeks < 1:
        raise ValueError("bin_weeks must be at least 1")
    grid = _grid(panel, metric)
    adopts = (grid.start < _NEVER)[:, None] & (grid.e > 0)
    index = np.where(adopts, grid.relative // bin_weeks, np.iinfo(np.int64).min)
    effects = _estimate(grid, {str(b): index == b for b in np.unique(index[adopts])})
    rows = [
        {
            "bin": int(name),
            "weeks_from": int(name) * bin_weeks,
            "weeks_to": (int(name) + 1) * bin_weeks - 1,
            "ratio": effect.ratio,
            "low": effect.ci95[0] if effect.ci95 else None,
            "high": effect.ci95[1] if effect.ci95 else None,
            "observed": effect.observed,
            "expected": effect.expected,
        }
        for name, effect in effects.items()
        if effect.expected > 0
    ]
    return pd.DataFrame(
        rows, columns=["bin", "weeks_from", "weeks_to", "ratio", "low", "high", "observed", "expected"]
    )
