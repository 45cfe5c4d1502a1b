"""Earned media value (metrics.md; catalogue `earned_media_value`), defined once: what a post's impressions and
clicks would have cost as paid posts, at the CPM and CPC of the request, else of the settings.

Its own small module so that the command line's `trends` need not load the statistics libraries for it.
"""

from __future__ import annotations

from typing import Protocol

from pipelines.config import settings


class Rates(Protocol):
    @property
    def cpm(self) -> float | None: ...

    @property
    def cpc(self) -> float | None: ...


def rates(request: Rates | None = None) -> tuple[float, float]:
    """(cpm, cpc): the request's where it gives them, else the settings'."""
    found = settings()
    cpm = request.cpm if request is not None and request.cpm is not None else found.cpm
    cpc = request.cpc if request is not None and request.cpc is not None else found.cpc
    return cpm, cpc


def earned_media_value(impressions: float, clicks: float, cpm: float, cpc: float) -> float:
    """impressions × cpm / 1000 + clicks × cpc."""
    return impressions * cpm / 1000 + clicks * cpc
