"""End to end in a real browser: `advocacy dashboard` on 127.0.0.1, driven by Playwright in Debian's Chromium.

Screenshots of each page go to tests/screenshots/ (ignored by git) for a reviewer to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.db import connect
from pipelines.demo import build_demo
from pipelines.metrics import impact

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package 'chromium')"),
]
SHOTS = Path(__file__).parent / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real dashboard command on the demo data, until the module's tests are done."""
    db = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    build_demo(db)
    port = _free_port()
    env = {**os.environ, "ADVOCACY_COMMS_PASSWORD": ""}
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("advocacy")), "dashboard", "--db", str(db), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the dashboard did not start: {process.stderr.read().decode() if process.stderr else ''}")
        time.sleep(0.5)
    yield url, db
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_overview_shows_the_posts_per_week_change_the_metrics_compute(server, page):
    url, db = server
    with connect(db, read_only=True) as con:
        change = impact(con)["scopes"][0]["metrics"]["posts_per_week"]["change_pct"]
    page.goto(url)
    page.get_by_text("Posts per week", exact=True).first.wait_for()
    page.get_by_text(f"+{round(change)} %").first.wait_for()
    shot(page, "overview")
    for path, name in [("teams", "teams"), ("contests", "contests"), ("data_page", "data"), ("method", "method")]:
        page.goto(f"{url}/{path}")
        page.wait_for_selector("h1")
        page.wait_for_timeout(1500)
        shot(page, name)


def test_upload_a_file_and_see_it_counted(server, page, tmp_path):
    url, db = server
    roster = tmp_path / "new_people.csv"
    roster.write_text("employee_id,full_name,team\nNEW1,Nouvelle Personne,Sales\nNEW2,Autre Personne,Sales\n")
    page.goto(f"{url}/upload")
    page.locator("input[type=file]").set_input_files(str(roster))
    page.get_by_text("Preview (nothing written yet)").wait_for()
    shot(page, "upload_preview")
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM employees WHERE employee_id LIKE 'NEW%'").fetchall() == [(0,)]
    page.get_by_role("button", name="Confirm and load").click()
    page.get_by_text("Loaded. Every page now shows the new data.").wait_for()
    shot(page, "upload_loaded")
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM employees WHERE employee_id LIKE 'NEW%'").fetchall() == [(2,)]
        names = con.execute("SELECT file_name, loaded FROM uploads ORDER BY upload_id DESC LIMIT 1").fetchall()
    assert names == [("new_people.csv", 2)]


def test_download_a_ranking_and_open_it(server, page, tmp_path):
    url, _ = server
    page.goto(f"{url}/contests")
    page.get_by_role("button", name="CSV", exact=True).wait_for()
    shot(page, "contest_ranking")
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV", exact=True).click()
    path = tmp_path / "ranking.csv"
    download.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header, first = data.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("Rank,") and first.startswith("1,")
