"""In Chromium, the French pages read French: no Streamlit default in English, no Deploy button, French months."""

from __future__ import annotations

import pytest

from pipelines.synthetic.demo import build_demo
from tests.conftest import CHROMIUM, NO_CHROMIUM, SETTLED, dashboard_server

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)]

# What the issue found in French, and what an English page would say instead of the French one.
ENGLISH = ["Choose options", "yyyy", "Deploy", "Drag and drop", "Browse files", "per file", "Upload", "Apr", "Jul",
           "Oct", "Posts", "fewer than", "other teams", "Anonymous", "Overview", "low confidence",
           "Export files"]  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("browser_fr") / "demo.duckdb"
    build_demo(db)
    with dashboard_server(db) as url:
        yield url


@pytest.fixture
def french(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 2000}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(90_000)
    yield page
    context.close()


def visible_text(page) -> str:
    """The page's text as a reader sees it (icons are drawn from their names: those are not words)."""
    page.wait_for_selector(SETTLED)
    page.wait_for_timeout(1500)  # the charts draw after the script has run
    page.add_style_tag(content='[data-testid="stIconMaterial"] {display: none !important}')
    return page.inner_text("body") + "\n" + "\n".join(page.locator("svg text").all_text_contents())


@pytest.mark.parametrize("path", ["", "upload"])
def test_a_french_page_in_chromium_holds_no_english(server, french, path):
    french.goto(f"{server}/{path}")
    french.wait_for_selector("h1")
    text = visible_text(french)
    assert "Vue d'ensemble" in text  # the browser's French chose the language
    assert [word for word in ENGLISH if word in text] == []
    assert french.get_by_role("button", name="Deploy").count() == 0
    if not path:  # the weekly chart's months, in French
        assert any(month in text for month in ("avr.", "juil.", "oct.", "janv."))


def test_a_french_ranking_downloads_in_french(server, browser, tmp_path):
    """The downloads, made once per ranking and language and kept in Streamlit's cache, are in the page's
    language: French headers, and ';' between the CSV's cells."""
    import openpyxl

    context = browser.new_context(viewport={"width": 1280, "height": 2000}, locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        page.goto(f"{server}/contests")
        page.get_by_role("button", name="Excel", exact=True).wait_for()
        page.wait_for_selector(SETTLED)
        saved = {}
        for name, suffix in (("CSV", "csv"), ("Excel", "xlsx")):
            with page.expect_download() as download:
                page.get_by_role("button", name=name, exact=True).click()
            saved[name] = tmp_path / f"ranking.{suffix}"
            download.value.save_as(saved[name])
    finally:
        context.close()
    header, first = saved["CSV"].read_text(encoding="utf-8-sig").splitlines()[:2]
    assert header.split(";")[:2] == ["Rang", "Matricule"] and first.startswith("1;")
    sheet = openpyxl.load_workbook(saved["Excel"]).active
    assert [cell.value for cell in sheet[4]][:2] == ["Rang", "Matricule"]
