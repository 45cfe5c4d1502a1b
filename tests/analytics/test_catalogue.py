"""The metric catalogue: every figure of the report, the effect and the rankings declared once, in two languages."""

from __future__ import annotations

from pathlib import Path

from pipelines.analytics import catalogue, stats
from pipelines.analytics.contests import CRITERIA
from pipelines.analytics.metrics import impact
from pipelines.store.db import connect


def test_every_metric_of_the_report_is_in_the_catalogue_and_nothing_else(demo_db: Path) -> None:
    with connect(demo_db, read_only=True) as con:
        report = impact(con)
    org = report["scopes"][0]
    assert set(org["metrics"]) == set(catalogue.REPORT)
    assert set(org["effect"]) <= set(catalogue.EFFECTS) == set(stats.METRICS)
    assert set(CRITERIA) == set(catalogue.CRITERIA)


def test_every_entry_has_both_languages_a_unit_and_a_direction() -> None:
    for group in (catalogue.REPORT, catalogue.EFFECTS, catalogue.CRITERIA):
        for key, metric in group.items():
            assert metric.key == key
            assert metric.label("en") and metric.label("fr") and metric.about("en") and metric.about("fr")
            assert metric.decimals >= 0 and metric.higher_is_better in (True, False, None)
    assert catalogue.REPORT["incidents_per_1000_posts"].higher_is_better is False


def test_a_flag_is_data_worded_in_each_language() -> None:
    flag = catalogue.Flag("incidents", "few_incidents", "after", 2, 5).as_json()
    assert flag == {"metric": "incidents", "reason": "few_incidents", "window": "after", "count": 2, "threshold": 5}
    assert catalogue.flag_text(flag) == "fewer than 5 incidents after the charter (2)"
    assert catalogue.flag_text(flag, "fr") == "moins de 5 incidents après la charte (2)"
