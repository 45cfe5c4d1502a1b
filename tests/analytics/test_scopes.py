"""The before/after windows of a charter date (metrics.md, "Windows")."""

from __future__ import annotations

from datetime import date

from pipelines.analytics.scopes import ImpactRequest, add_months, windows_for


def test_windows_follow_the_spec_example():
    request = ImpactRequest()
    assert windows_for(date(2024, 10, 1), (date(2024, 1, 1), date(2025, 7, 1)), request) == (
        date(2024, 4, 2), date(2024, 10, 1), date(2024, 10, 1), date(2025, 4, 1),
    )  # fmt: skip
    assert add_months(date(2024, 8, 31), -6) == date(2024, 2, 29)
    gap = ImpactRequest(gap_days=30)
    assert windows_for(date(2024, 10, 1), (date(2024, 1, 1), date(2025, 7, 1)), gap)[2] == date(2024, 10, 31)
