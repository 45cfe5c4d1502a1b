"""Shared fixtures: a fresh database file per test, the hand-made export files, and small helpers; the dashboard
under Streamlit's AppTest (on the demo or an empty database); and the real dashboard command with Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from dashboard.pages import NAMES
from dashboard.pages import path as page_path
from pipelines.ingest.load import LoadOptions, LoadResult, load_paths
from pipelines.store.db import connect

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

FILES = Path(__file__).parent / "files"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database file that does not exist yet: the code under test creates it."""
    return tmp_path / "test.duckdb"


def load(db: Path, *files: str | Path, **options: Any) -> list[LoadResult]:
    """Load files by name from tests/files (or by path) and return the results."""
    paths = [Path(f) if Path(f).is_absolute() else FILES / f for f in files]
    return load_paths(db, paths, LoadOptions(**options))


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connect(db, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


ROSTER = "roster_fr_cp1252.csv"


# --- the dashboard under AppTest ------------------------------------------------------------------------------

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
PAGES = list(NAMES)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipelines.synthetic.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path)
    return path


@pytest.fixture
def demo(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo database, so that tests may write to it."""
    return open_copy(demo_db, tmp_path, monkeypatch)


def open_copy(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of `db` that the dashboard opens (ADVOCACY_DB), with no comms role configured."""
    path = tmp_path / db.name
    shutil.copyfile(db, path)
    monkeypatch.setenv("ADVOCACY_DB", str(path))
    monkeypatch.delenv("ADVOCACY_COMMS_PASSWORD", raising=False)
    return path


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "empty.duckdb"
    monkeypatch.setenv("ADVOCACY_DB", str(path))
    monkeypatch.delenv("ADVOCACY_COMMS_PASSWORD", raising=False)
    return path


def prepared() -> None:
    """Wait for the dashboard's preparations of reports after a change (dashboard/data.py) to end."""
    for thread in threading.enumerate():
        if thread.name == "advocacy-prepare":
            thread.join(timeout=120)
            assert not thread.is_alive(), "a preparation of reports is still running after 2 minutes"


def written(db: Path) -> dict[str, int]:
    """Each report kept beside `db` and when it was written (ns): a report computed again is written again."""
    from pipelines.store.kept import SUFFIX, WRITING

    found = {}
    for path in Path(f"{db}{SUFFIX}").glob("*.json"):
        if path.name.startswith(WRITING):  # a report half-written: it is renamed into place once whole
            continue
        with suppress(FileNotFoundError):  # removed meanwhile, as the store prunes older states' reports
            found[path.name] = path.stat().st_mtime_ns
    return found


@pytest.fixture(autouse=True)
def no_preparation_left_running() -> Iterator[None]:
    """A test's preparation of reports ends with it, before the next test writes or reads."""
    yield
    prepared()


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """Streamlit's data caches live in the test process: clear them after each dashboard test."""
    yield
    import streamlit as st

    st.cache_data.clear()


def app(page: str = "overview", lang: str | None = None) -> AppTest:
    """The dashboard (in `lang`, else the default) switched to one page, which must run without an exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    if lang:
        at.session_state["lang"] = lang
    at.run()
    at.switch_page(page_path(page)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


OIDC = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "c",
        "client_secret": "s",
        "server_metadata_url": "https://login.example.com/.well-known/openid-configuration"}  # fmt: skip


def oidc_app(page: str, user: dict, monkeypatch: pytest.MonkeyPatch, emails: str | None = None) -> AppTest:
    """The dashboard with an OIDC provider configured and `user` (faked) logged in or not, on one page."""
    from streamlit.testing.v1 import AppTest

    if emails:
        monkeypatch.setenv("ADVOCACY_COMMS_EMAILS", emails)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = OIDC
    at.user = user
    at.run()
    at.switch_page(page_path(page)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def uploads(db: Path) -> int:
    with connect(db, read_only=True) as con:
        return int(con.execute("SELECT count(*) FROM uploads WHERE undone_at IS NULL").fetchall()[0][0])


# --- the real dashboard command, and Chromium ---------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NO_CHROMIUM = "Chromium is not installed (Debian package 'chromium')"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip


# The app's root element says whether the script is still running: a page is rendered once it is not.
SETTLED = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def dashboard_server(db: Path, env: Mapping[str, str] | None = None, timeout_s: float = 90) -> Iterator[str]:
    """`advocacy dashboard` on 127.0.0.1 on `db` (with `env` added to the environment) until the block ends;
    yields its address once /_stcore/health answers. The command runs Streamlit as a child process: both are
    started in a process group of their own, and stopped together."""
    port = free_port()
    log = tempfile.TemporaryFile()  # not a pipe: a busy server must never block on a full one
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("advocacy")), "dashboard", "--db", str(db), "--port", str(port)],
        env={**os.environ, "ADVOCACY_COMMS_PASSWORD": "", **(env or {})},
        stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"the dashboard did not start: {log.read().decode(errors='replace')}")
            time.sleep(0.5)
        yield url
    finally:
        _stop_group(process)
        log.close()


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started in a session of its own, and every process of its group (its children)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)  # any process of the group left?
        except ProcessLookupError:
            return
        time.sleep(0.2)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright's sync API, for one test module."""
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
