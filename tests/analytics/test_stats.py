"""Hand-checkable cases for the before/after intervals and the charter's effect on a team x week panel."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from pipelines.analytics.stats import (
    Effect,
    RatioCI,
    bootstrap_mean_ratio,
    charter_effects,
    counterfactual_timeline,
    event_study,
    rate_ratio_exact,
    settled_vs_launch,
    team_effects,
    top_share,
    weekly_counts_change,
)

MONDAY = pd.Timestamp("2025-01-06")


def make_panel(
    posts: dict[str, list[int]],
    charter_date: dict[str, str | None],
    *,
    exposure: dict[str, list[float]] | None = None,
    incidents: dict[str, list[int]] | None = None,
    first_monday: pd.Timestamp = MONDAY,
) -> pd.DataFrame:
    """A team x week panel from per-team weekly lists; engagement is about 10 per post."""
    rows = []
    for team, weekly in posts.items():
        for w, count in enumerate(weekly):
            rows.append(
                {
                    "team": team,
                    "week": first_monday + pd.Timedelta(weeks=w),
                    "charter_date": pd.Timestamp(charter_date[team]) if charter_date[team] else pd.NaT,
                    "exposure": exposure[team][w] if exposure else 10.0,
                    "posts": count,
                    "incidents": incidents[team][w] if incidents else 0,
                    "engagements": 10 * count + w % 3,
                    "engaged_posts": count,
                }
            )
    return pd.DataFrame(rows)


def poisson_panel(seed: int, n_teams: int = 4, n_weeks: int = 30, effect: float = 1.5) -> pd.DataFrame:
    """A small staggered panel of Poisson counts with team and week effects (the last team never adopts)."""
    rng = np.random.default_rng(seed)
    starts = [8 + 6 * g for g in range(n_teams - 1)] + [None]
    level = rng.uniform(5, 40, n_teams)
    week_effect = np.exp(rng.normal(0, 0.2, n_weeks))
    exposure = rng.uniform(5, 20, (n_teams, n_weeks)).round()
    posts, adopted = {}, {}
    for g, start in enumerate(starts):
        boost = np.where(np.arange(n_weeks) >= (start if start is not None else n_weeks), effect, 1.0)
        posts[f"t{g}"] = list(rng.poisson(level[g] * week_effect * boost * exposure[g] / 10))
        adopted[f"t{g}"] = str((MONDAY + pd.Timedelta(weeks=start)).date()) if start is not None else None
    return make_panel(posts, adopted, exposure={f"t{g}": list(exposure[g]) for g in range(n_teams)})


def assert_finite(effect: Effect | RatioCI) -> None:
    values = (
        [effect.ratio, *(effect.ci95 or ())]
        if isinstance(effect, Effect)
        else [effect.ratio, effect.low, effect.high]
    )
    assert all(v is None or math.isfinite(v) for v in values)


# --- rate_ratio_exact -----------------------------------------------------------------------------------------


def test_zero_after_gives_zero_with_a_finite_upper_bound() -> None:
    result = rate_ratio_exact(10, 1, 0, 1)
    assert result.ratio == 0 and result.low == 0
    # Clopper-Pearson upper bound of p with 0 of 10: 1 - 0.025^(1/10); ratio = p / (1 - p).
    p_high = 1 - 0.025 ** (1 / 10)
    assert result.high == pytest.approx(p_high / (1 - p_high))
    assert result.ci_pct == pytest.approx((-100, (p_high / (1 - p_high) - 1) * 100))
    assert result.note == "0 after: the rate is down by at least 55 %"


def test_zero_before_has_no_baseline() -> None:
    result = rate_ratio_exact(0, 1, 5, 1)
    assert (result.ratio, result.low, result.high, result.change_pct, result.ci_pct) == (None, None, None, None, None)
    assert result.note is not None and "no baseline" in result.note


def test_no_events_at_all() -> None:
    result = rate_ratio_exact(0, 1, 0, 1)
    assert result.ratio is None and result.note == "no events before or after: no ratio"


def test_exact_interval_matches_scipy_clopper_pearson() -> None:
    result = rate_ratio_exact(20, 2.0, 10, 1.0)  # 10 per unit before, 10 per unit after
    p = stats.binomtest(10, 30).proportion_ci(confidence_level=0.95, method="exact")
    assert result.ratio == pytest.approx(1.0)
    assert result.low == pytest.approx(p.low / (1 - p.low) * 2.0)
    assert result.high == pytest.approx(p.high / (1 - p.high) * 2.0)
    assert result.change_pct == pytest.approx(0.0)


def test_exact_interval_inverts_when_windows_swap() -> None:
    forward, backward = rate_ratio_exact(12, 3.0, 4, 2.0), rate_ratio_exact(4, 2.0, 12, 3.0)
    assert forward.ratio == pytest.approx(1 / backward.ratio)
    assert forward.low == pytest.approx(1 / backward.high) and forward.high == pytest.approx(1 / backward.low)


def test_exact_refuses_negative_counts() -> None:
    with pytest.raises(ValueError):
        rate_ratio_exact(-1, 1, 2, 1)


# --- weekly_counts_change --------------------------------------------------------------------------------------


def test_weekly_change_never_narrower_than_poisson() -> None:
    result = weekly_counts_change(np.full(10, 10), np.full(10, 20))
    assert result.ratio == pytest.approx(2.0)
    se = math.sqrt(10 / (10 * 10**2) + 20 / (10 * 20**2))  # Poisson variance: the weeks themselves do not vary
    assert result.low is not None and result.high is not None
    assert math.log(result.high / result.ratio) == pytest.approx(math.log(result.ratio / result.low))
    assert math.log(result.high / result.ratio) > 1.96 * se


def test_weekly_change_widens_with_over_dispersed_weeks() -> None:
    steady = weekly_counts_change(np.array([9, 11] * 6), np.array([18, 22] * 6))
    bursty = weekly_counts_change(np.array([2, 18] * 6), np.array([4, 36] * 6))
    assert steady.ratio == pytest.approx(bursty.ratio)
    assert bursty.high / bursty.low > 2 * (steady.high / steady.low) - 1


def test_weekly_change_with_zero_weeks() -> None:
    after_zero = weekly_counts_change(np.array([3, 4, 5]), np.zeros(3))
    assert after_zero.ratio == 0 and after_zero.low == 0 and after_zero.high is not None
    assert after_zero.note is not None and "over-dispersion" in after_zero.note
    assert weekly_counts_change(np.zeros(3), np.array([1, 2])).ratio is None
    assert weekly_counts_change(np.array([]), np.array([1, 2])).note == "no weeks before or after: no ratio"


# --- engagement histograms -----------------------------------------------------------------------------------


def test_top_share() -> None:
    values = np.arange(1, 101)
    assert top_share(values, np.ones(100)) == pytest.approx(100 / 5050)  # the top 1 post of 100
    assert top_share(values, np.full(100, 2)) == pytest.approx(2 * 100 / (2 * 5050))  # the top 2 posts of 200
    assert top_share([1, 1000], [199, 1]) == pytest.approx(1001 / 1199)  # 2 posts: 1000 and one of the 1s
    assert top_share([0], [50]) == 0.0


def test_bootstrap_is_seeded_and_brackets_the_ratio_of_means() -> None:
    rng = np.random.default_rng(1)
    before = rng.lognormal(3, 1.2, 3000).round()
    after = rng.lognormal(2.9, 1.2, 3000).round()
    hist_before, hist_after = np.unique(before, return_counts=True), np.unique(after, return_counts=True)
    first = bootstrap_mean_ratio(*hist_before, *hist_after, seed=3)
    again = bootstrap_mean_ratio(*hist_before, *hist_after, seed=3)
    other = bootstrap_mean_ratio(*hist_before, *hist_after, seed=4)
    assert first == again
    assert first.ratio == pytest.approx(after.mean() / before.mean())
    assert first.low is not None and first.high is not None and first.low < first.ratio < first.high
    assert other.low == pytest.approx(first.low, rel=0.03) and other.high == pytest.approx(first.high, rel=0.03)


def test_bootstrap_of_millions_of_posts_costs_their_histogram() -> None:
    rng = np.random.default_rng(2)
    values = np.unique(rng.lognormal(3, 1.5, 200_000).round())
    counts = rng.integers(1, 100, values.size)  # about 10 million posts
    began = time.perf_counter()
    result = bootstrap_mean_ratio(values, counts, values, counts[::-1])
    assert time.perf_counter() - began < 1.0
    assert result.low is not None and result.high is not None and result.low < result.ratio < result.high


def test_bootstrap_edge_cases() -> None:
    assert bootstrap_mean_ratio([0], [10], [5], [10]).note == "no engagement before: no baseline"
    assert bootstrap_mean_ratio([1], [0], [5], [10]).ratio is None
    assert bootstrap_mean_ratio([4, 6], [5, 5], [0], [8]).ratio == 0.0


# --- the charter's effect: staggered adoption ------------------------------------------------------------------


def test_two_weeks_is_the_textbook_difference_in_differences() -> None:
    # Team a adopts in week 2; b, c and d never do, and double. Without the charter a's week 2 would be 10 x 2 = 20.
    panel = make_panel(
        {"a": [10, 30], "b": [20, 40], "c": [10, 20], "d": [5, 10]},
        {"a": "2025-01-15", "b": None, "c": None, "d": None},  # a Wednesday in week 2
    )
    effect = charter_effects(panel)["posts"]
    assert effect.ratio == pytest.approx(1.5)
    assert (effect.observed, effect.expected, effect.weeks_used) == (30, pytest.approx(20), 1)
    assert effect.method.startswith("Poisson regression with team and week effects")
    assert "approximate: only 4 teams" in effect.notes


def test_too_few_teams_for_staggered_dates_give_no_figure_and_say_so() -> None:
    # With three teams the jackknife's t(2) turns any spread into intervals like x0.01 to x216 (issue 12).
    panel = make_panel({"a": [10, 30], "b": [20, 40], "c": [10, 20]}, {"a": "2025-01-15", "b": None, "c": None})
    effect = charter_effects(panel)["posts"]
    assert effect.ratio is None and effect.ci95 is None
    assert effect.notes == [
        "too few teams to estimate the charter's effect apart from the weeks (3; at least 4): the plain "
        "before/after stands alone"
    ]


def test_staggered_fit_equals_the_poisson_glm_with_cohort_by_week_effects() -> None:
    panel = poisson_panel(seed=5)
    effect = charter_effects(panel)["posts"]
    data = panel.assign(
        after=lambda d: d["charter_date"].notna() & (d["week"] >= d["charter_date"]),
        cell=lambda d: np.where(d["after"], d["charter_date"].astype(str) + d["week"].astype(str), "none"),
    )
    dummies = pd.get_dummies(data[["team", "week", "cell"]].astype(str), drop_first=False, dtype=float)
    dummies = dummies.drop(columns=[f"week_{data['week'].min().date()}", "cell_none"])
    fit = sm.GLM(data["posts"], dummies, family=sm.families.Poisson(), offset=np.log(data["exposure"])).fit()
    fixed = dummies.filter(regex="^(team|week)_")
    counterfactual = data["exposure"] * np.exp(fixed @ fit.params[fixed.columns])
    assert effect.ratio == pytest.approx(data["posts"][data["after"]].sum() / counterfactual[data["after"]].sum())


def test_staggered_effect_recovers_a_clean_effect() -> None:
    ratios = [charter_effects(poisson_panel(seed))["posts"] for seed in range(20)]
    assert np.mean([e.ratio for e in ratios]) == pytest.approx(1.5, rel=0.03)
    assert sum(e.ci95 is not None and e.ci95[0] <= 1.5 <= e.ci95[1] for e in ratios) >= 18


def test_weeks_without_a_control_are_left_out_and_said() -> None:
    panel = make_panel(
        {"a": [10, 30, 32, 31], "b": [20, 20, 40, 41], "c": [20, 20, 40, 41], "d": [40, 40, 80, 82]},
        {"a": "2025-01-13", "b": "2025-01-20", "c": "2025-01-20", "d": "2025-01-20"},
    )  # from week 3 all have adopted: no control
    effect = charter_effects(panel)["posts"]
    assert effect.weeks_used == 1 and effect.ratio == pytest.approx(30 / 10)
    assert "no control weeks from 2025-01-20 (2 weeks): left out" in effect.notes


def test_no_charter_date_means_no_effect() -> None:
    effect = charter_effects(make_panel({"a": [1, 2, 3]}, {"a": None}))["posts"]
    assert effect.ratio is None and effect.ci95 is None and effect.notes == ["no charter date in these weeks"]


def test_team_without_incidents_before_is_left_out_not_infinite() -> None:
    control = [1, 0, 2, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1]
    incidents = {"a": [0] * 10 + [1, 0, 0, 0], "b": control, "c": control, "d": control}
    posts = {t: [5] * 14 for t in "abcd"}
    panel = make_panel(posts, {"a": "2025-03-17", "b": None, "c": None, "d": None}, incidents=incidents)
    effect = charter_effects(panel)["incidents"]
    assert effect.ratio is None
    assert any("a: no incidents before its charter" in note for note in effect.notes)


def test_zero_incidents_after_gives_an_upper_bound() -> None:
    rng = np.random.default_rng(0)
    incidents = {t: list(rng.poisson(0.6, 52)) for t in "abcd"}
    for t, start in (("a", 26), ("b", 39)):
        incidents[t][start:] = [0] * (52 - start)
    posts = {t: [20] * 52 for t in "abcd"}
    adopted = {
        "a": str((MONDAY + pd.Timedelta(weeks=26)).date()),
        "b": str((MONDAY + pd.Timedelta(weeks=39)).date()),
        "c": None,
        "d": None,
    }
    effect = charter_effects(make_panel(posts, adopted, incidents=incidents))["incidents"]
    assert effect.ratio == 0 and effect.observed == 0 and effect.expected > 5
    assert effect.ci95 is not None and effect.ci95[0] == 0 and 0 < effect.ci95[1] < 1
    assert_finite(effect)


def test_an_effect_on_almost_no_expected_events_is_too_few_to_say() -> None:
    # 2 incidents where 0.2 were expected would read "x12, interval x0.19 to x21,060": no figure, and why.
    incidents = {t: [0] * 52 for t in "abcd"}
    incidents["a"][30], incidents["a"][31] = 1, 1
    for t in "bcd":  # 12 incidents among the controls, spread over the year
        for w in (5, 17, 33, 45):
            incidents[t][w] = 1
    incidents["a"][3] = 1
    posts = {t: [20] * 52 for t in "abcd"}
    adopted = {"a": str((MONDAY + pd.Timedelta(weeks=26)).date()), "b": None, "c": None, "d": None}
    effect = charter_effects(make_panel(posts, adopted, incidents=incidents))["incidents"]
    assert effect.ratio is None and effect.ci95 is None
    assert (
        effect.notes[-1].startswith("too few incidents to say: ")
        and "expected without the charter" in (effect.notes[-1])
    )


def test_a_bad_run_before_adoption_is_said() -> None:
    control = [0, 1, 0, 0] * 10
    incidents = {"a": [0, 0, 1, 0] * 6 + [2, 1, 2, 1, 1, 2, 1, 2] + [0] * 8, "b": control, "c": control, "d": control}
    posts = {t: [5] * 40 for t in "abcd"}
    adopted = {"a": str((MONDAY + pd.Timedelta(weeks=32)).date()), "b": None, "c": None, "d": None}
    effect = charter_effects(make_panel(posts, adopted, incidents=incidents))["incidents"]
    assert any(note.startswith("a adopted after a bad run of incidents (12 in the 8 weeks") for note in effect.notes)


def test_panel_is_checked() -> None:
    panel = make_panel({"a": [1, 2]}, {"a": None})
    with pytest.raises(ValueError, match="Mondays"):
        charter_effects(panel.assign(week=panel["week"] + pd.Timedelta(days=1)))
    with pytest.raises(ValueError, match="two rows"):
        charter_effects(pd.concat([panel, panel]))
    with pytest.raises(ValueError, match="two charter dates"):
        charter_effects(panel.assign(charter_date=[pd.Timestamp("2025-01-06"), pd.Timestamp("2025-01-13")]))
    with pytest.raises(ValueError, match="lacks columns"):
        charter_effects(panel.drop(columns="exposure"))


def test_event_study_and_settled_effect() -> None:
    panel = poisson_panel(seed=1, n_teams=5, n_weeks=60)
    table = event_study(panel, bin_weeks=4)
    assert list(table.columns) == ["bin", "weeks_from", "weeks_to", "ratio", "low", "high", "observed", "expected"]
    assert (table["bin"] < 0).any() and (table["bin"] >= 0).any()
    assert table.loc[table["bin"] == -1, "weeks_from"].item() == -4
    before = table[table["bin"] < 0]
    assert ((before["ratio"] > 0.7) & (before["ratio"] < 1.4)).all()
    effects = settled_vs_launch(panel)
    assert effects["settled"].ratio == pytest.approx(1.5, rel=0.15)
    assert effects["launch"].weeks_used > 0


def test_settled_effect_needs_controls_that_far() -> None:
    panel = poisson_panel(seed=1, n_teams=4, n_weeks=20)  # adoptions in weeks 8, 14 and 20; 20 weeks of data
    effects = settled_vs_launch(panel)
    settled = effects["settled"]
    assert effects["launch"].ratio is not None  # the weeks just after adoption have controls
    assert settled.ratio is None
    assert any("no settled effect without extrapolation" in note for note in settled.notes)


def test_team_effects_use_the_organisation_model() -> None:
    panel = poisson_panel(seed=2, n_teams=5, n_weeks=50)
    effects = team_effects(panel)
    assert set(effects) == {"t0", "t1", "t2", "t3", "t4"}
    assert effects["t4"].ratio is None  # never adopts
    assert all(e.ratio is not None and e.ci95 is not None for t, e in effects.items() if t != "t4")
    assert all(e.ratio == pytest.approx(1.5, rel=0.25) for t, e in effects.items() if t != "t4")


# --- the charter's effect: one date for everyone ---------------------------------------------------------------


def its_panel(weeks_before: int, seed: int = 0, effect: float = 1.4) -> pd.DataFrame:
    """Two teams adopting on one date, with a trend and an August dip."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2024-01-01", periods=weeks_before + 30, freq="7D")
    season = np.where((weeks + pd.Timedelta(days=3)).month == 8, 0.6, 1.0)
    mean = (
        100
        * np.exp(0.2 * np.arange(weeks.size) / 52)
        * season
        * np.where(np.arange(weeks.size) >= weeks_before, effect, 1)
    )
    date = str(weeks[weeks_before].date())
    posts = {t: list(rng.poisson(mean * share)) for t, share in (("a", 0.7), ("b", 0.3))}
    return make_panel(posts, {"a": date, "b": date}, first_monday=weeks[0])


def test_one_date_for_everyone_is_an_interrupted_time_series() -> None:
    effect = charter_effects(its_panel(weeks_before=70))["posts"]
    assert effect.method.startswith("interrupted time series")
    assert effect.ratio == pytest.approx(1.4, rel=0.05)
    assert effect.ci95 is not None and effect.ci95[0] < 1.4 < effect.ci95[1]
    assert not any("seasonality" in note for note in effect.notes)


def test_less_than_a_year_before_one_date_gives_no_adjusted_figure() -> None:
    """With under a year before a single date, the season cannot be told from the charter's effect (issue 12:
    a noise-free null programme read x1.56): no adjusted figure, and the note says why."""
    effect = charter_effects(its_panel(weeks_before=30))["posts"]
    assert effect.ratio is None and effect.ci95 is None
    assert any("the season cannot be told from the charter's effect" in note for note in effect.notes)
    settled = settled_vs_launch(its_panel(weeks_before=30))["settled"]
    assert settled.ratio is None


def test_too_few_incidents_give_no_adjusted_figure() -> None:
    panel = its_panel(weeks_before=70)
    panel["incidents"] = 0
    panel.loc[panel.index[:3], "incidents"] = 1
    effect = charter_effects(panel)["incidents"]
    assert effect.ratio is None and any("too few incidents to say" in n for n in effect.notes)


def test_a_team_without_a_charter_date_is_a_control() -> None:
    panel = its_panel(weeks_before=70)
    panel.loc[panel["team"] == "b", "charter_date"] = pd.NaT
    effect = charter_effects(panel)["posts"]
    assert not effect.method.startswith("interrupted time series")  # b's weeks are the counterfactual


def test_one_date_with_too_few_weeks_before() -> None:
    panel = make_panel({"a": [5, 6, 7, 8]}, {"a": "2025-01-13"})
    effect = charter_effects(panel)["posts"]
    assert effect.ratio is None and any("fewer than 8 weeks before the charter" in n for n in effect.notes)


def test_team_effects_fall_back_to_each_teams_time_series() -> None:
    effects = team_effects(its_panel(weeks_before=60))
    assert set(effects) == {"a", "b"}
    assert all(e.method.startswith("interrupted time series") and e.ratio is not None for e in effects.values())


def test_the_timeline_counterfactual_is_the_effects_denominator_week_by_week() -> None:
    panel = poisson_panel(seed=3)
    effect = charter_effects(panel)["posts"]
    line = counterfactual_timeline(panel)
    shown = line["without_charter"].notna()
    assert not shown.iloc[:8].any()  # before the first adoption there is nothing to counter
    assert line["observed"].sum() == panel["posts"].sum()
    # The weeks with a line: adopted teams' counterfactual plus the other teams' observed posts.
    weeks = panel.merge(line[shown], on="week")
    untreated = weeks.loc[weeks["charter_date"].isna() | (weeks["week"] < weeks["charter_date"]), "posts"].sum()
    assert line.loc[shown, "without_charter"].sum() - untreated == pytest.approx(effect.expected, rel=1e-9)


def test_the_timeline_counterfactual_of_one_date_extrapolates_the_trend_before() -> None:
    panel = its_panel(weeks_before=70)
    line = counterfactual_timeline(panel)
    assert line["without_charter"].notna().all()
    before, after = line.iloc[:70], line.iloc[70:]
    assert before["without_charter"].sum() == pytest.approx(before["observed"].sum(), rel=1e-6)  # Poisson fit
    assert after["observed"].sum() / after["without_charter"].sum() == pytest.approx(
        charter_effects(panel)["posts"].ratio, rel=1e-9
    )
    assert counterfactual_timeline(its_panel(weeks_before=4))["without_charter"].isna().all()  # no baseline
