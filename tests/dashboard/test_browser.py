"""End to end in a real browser: `advocacy dashboard` on 127.0.0.1, driven by Playwright in Debian's Chromium.

Screenshots of each page go to tests/screenshots/ (ignored by git) for a reviewer to look at.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from pipelines.analytics.metrics import impact
from pipelines.store.db import connect
from pipelines.synthetic.demo import build_demo
from tests.conftest import CHROMIUM, NO_CHROMIUM, dashboard_server

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect
expect.set_options(timeout=60_000)  # a busy machine reruns a page slowly: wait for it, as the page waits do
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)]
SHOTS = Path(__file__).parents[1] / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real dashboard command on the demo data, until the module's tests are done."""
    db = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    build_demo(db)
    with dashboard_server(db) as url:
        yield url, db


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
    page.get_by_text("The answer", exact=True).wait_for()  # the verdict comes first, in words
    page.get_by_text("Posts: up ").first.wait_for()
    shot(page, "overview")
    for path, name in [("teams", "teams"), ("contests", "contests"), ("data", "data"), ("method", "method")]:
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


def test_download_the_quarantine_made_when_clicked(server, page, tmp_path):
    """The Data page's download of every quarantined row is made when clicked, on a thread of Streamlit's (the
    page's tables show only their first rows): the file holds every row, with the page's headers."""
    url, db = server
    with connect(db, read_only=True) as con:
        waiting = con.execute("SELECT count(*) FROM quarantine WHERE resolved_by IS NULL").fetchall()[0][0]
    assert waiting
    page.goto(f"{url}/data")
    button = page.get_by_role("button", name="Download these lines (CSV, to fix in Excel)")
    button.wait_for()
    with page.expect_download() as download:
        button.click()
    path = tmp_path / "quarantine.csv"
    download.value.save_as(path)
    assert download.value.suggested_filename == "quarantine.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    assert rows[0] == ["Upload", "File", "Kind", "Line", "Text", "Reason"]
    assert len(rows) == 1 + waiting and all(row[5] for row in rows[1:])


def test_two_undos_in_a_row_each_ask_anew(server, page):
    url, db = server

    def in_force() -> int:
        with connect(db, read_only=True) as con:
            return con.execute("SELECT count(*) FROM uploads WHERE undone_at IS NULL").fetchall()[0][0]

    before = in_force()
    page.goto(f"{url}/data")
    undo = page.get_by_role("button", name="Undo this upload")
    undo.wait_for()
    # Streamlit marks each keyed widget with the class st-key-<key>: the undo's box is keyed by its upload
    sure = page.locator("[class*='st-key-sure_undo_'] label")
    for step in (1, 2):
        expect(undo).to_be_disabled()  # nothing happens before the box is ticked, for this very upload
        expect(sure.locator("input")).not_to_be_checked()
        page.get_by_text("Undoing Upload ").first.wait_for()  # what will change is said first
        sure.click()
        expect(undo).to_be_enabled()
        undo.click()
        page.get_by_text(" row(s) taken out, ").first.wait_for()
        page.wait_for_timeout(1500)
        assert in_force() == before - step
        shot(page, f"data_after_undo_{step}")
    expect(undo).to_be_disabled()  # the next upload asks again


def test_in_french_the_contests_csv_opens_in_columns(server, browser, tmp_path):
    """French Excel splits a CSV on ';': the French download is ';'-separated, with French headers."""
    import csv
    import io

    from tests.conftest import SETTLED

    url, _ = server
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 2000}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{url}/contests")
        page.get_by_role("button", name="CSV", exact=True).wait_for()
        page.get_by_text("Language / Langue").wait_for()
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="Français").click()
        page.get_by_text("Critère", exact=True).wait_for()
        page.wait_for_selector(SETTLED)
        shot(page, "contests_fr_1280")
        with page.expect_download() as download:
            page.get_by_role("button", name="CSV", exact=True).click()
        path = tmp_path / "classement.csv"
        download.value.save_as(path)
    finally:
        context.close()
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Rang", "Matricule", "Nom", "Équipe"] and len(rows[0]) > 1
    assert all(len(row) == len(rows[0]) for row in rows[1:]) and rows[1][0] == "1"
