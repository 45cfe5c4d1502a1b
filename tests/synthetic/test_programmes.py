"""The simulated programmes of the adjusted effect's study, and a fast run of the study itself."""

from __future__ import annotations

import numpy as np

from pipelines.analytics.stats import PANEL_COLUMNS, charter_effects
from pipelines.synthetic.programmes import N_WEEKS, Setting, simulate, study, table


def test_a_programme_is_a_panel_with_its_truth() -> None:
    setting = Setting(6, one_date=False, swings=True, posts_effect=1.6, incident_effect=0.1)
    panel = simulate(setting, seed=1)
    assert set(PANEL_COLUMNS) <= set(panel.columns)
    assert panel["team"].nunique() == 6 and panel["week"].nunique() == N_WEEKS
    assert panel.groupby("team")["charter_date"].first().isna().sum() == 1  # one team never adopts
    # the charter's effect is in the data: posts per expected post jump at each team's date
    after = panel["week"] >= panel["charter_date"].dt.normalize()
    assert panel.loc[after, "posts"].sum() > 0 and np.isfinite(panel["true_posts"]).all()
    assert simulate(setting, seed=1).equals(panel)  # seeded


def test_a_fast_study_of_null_programmes_on_one_date() -> None:
    rows = list(study([Setting(6, one_date=True, swings=True)], programmes=30))
    print("\n" + table(rows))
    posts = next(r for r in rows if r.metric == "posts")
    assert posts.estimated == 30
    assert posts.bias is not None and abs(posts.bias) < 0.05
    # 30 programmes: a rate of 5 % shows as 0-4 false positives; 8 or more would say the interval is too short
    assert posts.excludes_one is not None and posts.excludes_one * 30 < 8


def test_a_fast_study_of_null_programmes_on_staggered_dates() -> None:
    rows = list(study([Setting(6, one_date=False, swings=True)], programmes=30))
    print("\n" + table(rows))
    for row in rows:
        assert row.estimated == 30
        assert row.excludes_one is not None and row.excludes_one * 30 < 8, row
        assert row.flagged * 30 < 8, row  # the placebo check fails about as often as its 5 %, not more


def test_the_placebo_check_fails_where_teams_rise_before_their_charter() -> None:
    # Posts x3 in the 4 weeks before each charter and no effect after: the weeks before already show an "effect".
    for one_date in (True, False):
        setting = Setting(15, one_date=one_date, swings=False, anticipation=3.0)
        for seed in range(3):
            posts = charter_effects(simulate(setting, seed))["posts"]
            assert any("placebo check failed" in note and "cannot be trusted" in note for note in posts.notes)
    # and holds where nothing happened before the charter
    posts = charter_effects(simulate(Setting(15, one_date=False, swings=False), seed=0))["posts"]
    assert not any("placebo" in note for note in posts.notes)


def test_three_teams_on_staggered_dates_say_too_few_teams() -> None:
    effects = charter_effects(simulate(Setting(3, one_date=False, swings=True), seed=4))
    for metric in ("posts", "engagement"):
        assert effects[metric].ratio is None and "too few teams" in effects[metric].notes[0]


def test_the_command_lines_text_says_why_an_adjusted_figure_cannot_be_trusted() -> None:
    from pipelines.analytics.metrics import _effect_json
    from pipelines.cli import _adjusted_text

    def text(setting: Setting) -> list[str]:
        effects = charter_effects(simulate(setting, seed=0))
        return _adjusted_text({metric: _effect_json(effect) for metric, effect in effects.items()})

    early = text(Setting(15, one_date=False, swings=False, anticipation=3.0))
    posts = next(i for i, line in enumerate(early) if line.startswith("Adjusted effect on posts: x"))
    assert early[posts + 1].startswith("  cannot be trusted: placebo check failed: in the 13 weeks before")
    few = text(Setting(3, one_date=False, swings=True))
    posts = few.index("Adjusted effect on posts: no adjusted figure: too few teams for an adjusted figure")
    assert few[posts + 1].startswith("  in detail: too few teams to estimate the charter's effect")
