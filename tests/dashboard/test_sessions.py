"""Many users at once: 20 browser sessions on one `advocacy dashboard` server, on the demo data.

One Chromium, 20 contexts (each its own Streamlit session), driven together from asyncio. Each session opens the
Overview, the Teams page and the Contests page in turn (all of them at the same moment: the Monday-morning rush)
and checks the key figure and that no page shows an exception. The time of each page, from navigation to rendered
(its key element shown and the script done), is recorded; the slowest and the median are printed (run with -s)
and written to tests/screenshots/sessions.txt for the README. Chromium's 20 tabs draw their charts on the same
cores as the server, so the times are those of the whole machine, an upper bound for the server's. On a small
machine this is slow: the timeouts are generous and the times are measured, not asserted.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

import pytest

from pipelines.analytics.metrics import impact
from pipelines.store.db import connect
from tests.conftest import BROWSER_ARGS, CHROMIUM, NO_CHROMIUM, SETTLED, dashboard_server

pytest.importorskip("playwright.async_api", reason="playwright is not installed")
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)]

SESSIONS = 20
SHOTS = Path(__file__).parents[1] / "screenshots"
TIMEOUT_MS = 180_000  # per page: 20 sessions share two cores here
# page -> (path, the element that shows it is there)
ROUND = {
    "overview": ("", '[data-testid="stMetricValue"]'),
    "teams": ("teams", '[data-testid="stDataFrame"]'),
    "contests": ("contests", '[data-testid="stDataFrame"]'),
}


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("sessions") / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    with dashboard_server(db) as url:
        yield url, db


async def _session(browser: Any, number: int, url: str, card: str) -> dict[str, Any]:
    """One user: each page of the round in turn; the time of each, and what went wrong."""
    context = await browser.new_context(locale="en-GB", viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    times: dict[str, float] = {}
    problems: list[str] = []
    try:
        for name, (path, shown) in ROUND.items():
            start = time.monotonic()
            try:
                await page.goto(f"{url}/{path}")
                await page.wait_for_selector(shown, state="visible")
                await page.wait_for_selector(SETTLED)
            except Exception as error:  # a timeout: recorded, the other sessions go on
                problems.append(f"session {number}, {name}: {type(error).__name__}: {str(error).splitlines()[0]}")
                continue
            times[name] = time.monotonic() - start
            if await page.locator('[data-testid="stException"]').count():
                problems.append(f"session {number}, {name}: an exception box")
            if name == "overview":
                value = await page.locator('[data-testid="stMetricValue"]').first.inner_text()
                if value.strip() != card:
                    problems.append(f"session {number}: posts per week {value!r}, expected {card!r}")
    finally:
        await context.close()
    return {"session": number, "times": times, "problems": problems}


async def _all_sessions(url: str, card: str) -> tuple[list[dict[str, Any]], float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            start = time.monotonic()
            results = await asyncio.gather(*(_session(browser, n, url, card) for n in range(1, SESSIONS + 1)))
            return list(results), time.monotonic() - start
        finally:
            await browser.close()


def _summary(results: list[dict[str, Any]], wall: float) -> str:
    lines = [
        f"{SESSIONS} sessions at once, one round each (Overview, Teams, Contests): {wall:.1f} s in all, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end"
    ]
    every = []
    for name in ROUND:
        times = sorted(r["times"][name] for r in results if name in r["times"])
        every += times
        if times:
            lines.append(
                f"  {name:<9} {len(times):>2} loads: median {statistics.median(times):5.1f} s, "
                f"slowest {times[-1]:5.1f} s, fastest {times[0]:5.1f} s"
            )
    if every:
        lines.append(
            f"  any page  {len(every):>2} loads: median {statistics.median(every):5.1f} s, "
            f"slowest {max(every):5.1f} s"
        )
    return "\n".join(lines)


def test_twenty_sessions_at_once_see_the_right_figures(server) -> None:
    url, db = server
    with connect(db, read_only=True) as con:
        posts = impact(con)["scopes"][0]["metrics"]["posts_per_week"]
    card = f"{posts['before']:,.1f} → {posts['after']:,.1f}"  # as the Overview writes it in English
    # Playwright's asyncio loop runs in a thread of its own, away from any loop of the test runner.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        results, wall = pool.submit(asyncio.run, _all_sessions(url, card)).result()
    summary = _summary(results, wall)
    print("\n" + summary)
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "sessions.txt").write_text(summary + "\n", encoding="utf-8")
    problems = [p for r in results for p in r["problems"]]
    assert problems == []
    assert all(len(r["times"]) == len(ROUND) for r in results)
