"""Hardening: access and privacy.

- The comms pages (Upload, Data) and everything that changes data need the comms role when one is configured,
  also when a page is reached by its address.
- Text from the files (team, contest, employee and file names, post titles) is never rendered as HTML or Markdown.
- Downloaded rankings hold no live spreadsheet formula.
- Values from files, widgets, the page's address and the command line reach SQL only as bound parameters (and
  SQL text is built only from `Identifier` and `Sql`: tests/store/test_sql_text.py).
- A team under the privacy threshold is named on no page and in no download.

Most of it runs on a "hostile" programme: every name in it is an attack (script tags, Markdown, SQL, formulas).
The command line is a local admin tool: whoever can run it can open the database file itself, so it asks for no
role; here it is only checked to keep the hostile values as data.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from dashboard.pages import path as page_path
from pipelines.analytics.contests import CRITERIA, Contest, Ranking, contests, ranking
from pipelines.analytics.downloads import to_csv, to_xlsx
from pipelines.analytics.metrics import impact
from pipelines.analytics.scopes import ImpactRequest
from pipelines.cli import main
from pipelines.config import settings
from pipelines.store.db import connect
from pipelines.store.ledger import teams as roster_teams
from tests.conftest import (
    APP,
    CHROMIUM,
    NO_CHROMIUM,
    SETTLED,
    app,
    dashboard_server,
    oidc_app,
    open_copy,
    query,
    uploads,
)

pytestmark = pytest.mark.usefixtures("fresh_caches")

# --- a hostile programme --------------------------------------------------------------------------------------

PAYLOADS = (
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "**bold**", "[link](http://evil)", ":red[x]", "$x$",
)  # fmt: skip
SQLISH = ("x'); DROP TABLE posts; --", '" OR 1=1 --')
FORMULAS = ('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)")
TEAMS = tuple(f"Team {p}" for p in PAYLOADS) + SQLISH  # 5 members each
SMALL = "Tinyteam Zeta"  # 3 members: under the privacy threshold
NETWORKS = ("LinkedIn", "x' OR '1'='1", "Net <img src=x onerror=alert(1)>")
CONTEST_SQL = "C1'; DROP TABLE contests; --"
CONTEST_HTML = "C2 <img src=x onerror=alert(1)>"
CONTEST_NAME = "Spring " + " ".join(PAYLOADS)
ODD_ID = "E'; DROP TABLE employees; --"
CHARTER = date(2025, 7, 1)
# A file's name cannot hold "/": these carry the same attacks without it.
FILE_NAMES = {
    "roster": "a'; DROP TABLE uploads; --.csv",
    "teams": "<img src=x onerror=alert(1)>.csv",
    "posts": "**bold** [link](javascript:alert(1)) :red[x] $x$.csv",
    "incidents": "<svg onload=alert(1)>.csv",
    "contests": 'contests " OR 1=1 --.csv',
    "jury": "jury.csv",
}
NEEDLES = (*PAYLOADS, "[link](javascript:alert(1))", "<svg onload=alert(1)>")
assert settings().privacy_min_team_size > 3, "the small team must be under the threshold"


def _people() -> list[tuple[str, str, str, str]]:
    """(employee_id, full_name, team, contest_opt_in): formula-looking and hostile names, one opt-out per team."""
    out = []
    for i, team in enumerate(TEAMS):
        for j in range(5):
            employee = ODD_ID if (i, j) == (0, 1) else f"E{i}{j}"
            name = FORMULAS[i] if j == 0 and i < len(FORMULAS) else f"Person {i}{j} {PAYLOADS[(i + j) % 6]}"
            out.append((employee, name, team, "non" if j == 4 else "oui"))
    out += [(f"S{j}", f"Small {j}", SMALL, "oui") for j in range(3)]
    return out


def _csv(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


def write_hostile_files(folder: Path) -> dict[str, Path]:
    """A year of posts around a charter date (2025-07-01), incidents, two contests with jury scores."""
    staff = _people()
    posts: list[tuple[Any, ...]] = []
    for k, (employee, *_) in enumerate(staff):
        day = date(2025, 1, 6) + timedelta(days=k % 9)
        while day < date(2025, 12, 20):
            n = len(posts) + 1
            title = f"Title {PAYLOADS[n % 6]} {SQLISH[n // 6 % 2]}"
            counts = (100 + n % 50, 5 + n % 7, n % 3)
            kind = "article" if n % 4 == 0 else "post"
            posts.append((f"urn:li:activity:7{n:018d}", employee, f"{day} 09:00", NETWORKS[n % 3], kind, title,
                          "2025-12-31", *counts))  # fmt: skip
            day += timedelta(days=9 if day < CHARTER else 7)
    incidents = [
        (f"INC-{i}-{m}", (when + timedelta(days=i)).isoformat(), team, "", "low", PAYLOADS[m], PAYLOADS[(i + m) % 6])
        for i, team in enumerate((*TEAMS, SMALL))
        for m, when in enumerate((date(2025, 2, 10), date(2025, 4, 15), date(2025, 8, 20)))
    ]
    march = [p for p in posts if str(p[2]).startswith("2025-03")]
    texts = {
        "roster": _csv(("employee_id", "full_name", "team", "contest_opt_in"), staff),
        "teams": _csv(
            ("team", "headcount", "charter_adopted_on"),
            [("*", "", CHARTER.isoformat()), *((t, 5, "") for t in TEAMS), (SMALL, 3, "")],
        ),
        "posts": _csv(
            (
                "post_id",
                "author",
                "published_at",
                "network",
                "format",
                "title",
                "as_of",
                "impressions",
                "reactions",
                "comments",
            ),
            posts,
        ),  # fmt: skip
        "incidents": _csv(
            ("incident_id", "occurred_on", "team", "author", "severity", "category", "description"), incidents
        ),
        "contests": _csv(
            ("contest_id", "name", "starts_on", "ends_on", "teams", "min_posts"),
            [
                (CONTEST_SQL, CONTEST_NAME, "2025-03-01", "2025-03-31", "|".join((*TEAMS[:4], SMALL)), 2),
                (CONTEST_HTML, ":red[x] $x$ **bold**", "2025-03-01", "2025-03-31", "", ""),
            ],
        ),
        "jury": _csv(
            ("contest_id", "post_id", "judge", "score"),
            [(CONTEST_SQL, p[0], PAYLOADS[k % 6], 5 + k % 5) for k, p in enumerate(march[:40])],
        ),
    }
    paths = {}
    for kind, text in texts.items():
        paths[kind] = folder / FILE_NAMES[kind]
        paths[kind].write_text(text, encoding="utf-8")
    return paths


@pytest.fixture(scope="session")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_hostile_files(tmp_path_factory.mktemp("hostile_files"))


@pytest.fixture(scope="session")
def hostile_db(hostile_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile programme, loaded through the command line (by a user whose name is SQL, too)."""
    db = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    assert main(["load", *map(str, hostile_files.values()), "--db", str(db), "--by", SQLISH[0]]) == 0
    return db


@pytest.fixture
def hostile(hostile_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the hostile database for the dashboard (no comms role configured), so tests may write to it."""
    return open_copy(hostile_db, tmp_path, monkeypatch)


def tables(db: Path) -> dict[str, int]:
    """Every table of the database with its number of rows."""
    with connect(db, read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchall()[0][0] for n in names}


def test_the_hostile_programme_loads_whole_and_round_trips(hostile_db: Path) -> None:
    assert query(hostile_db, "SELECT sum(quarantined), count(*) FROM uploads") == [(0, 6)]
    assert {r[0] for r in query(hostile_db, "SELECT team FROM employees")} == {*TEAMS, SMALL}
    assert sorted(query(hostile_db, "SELECT employee_id, full_name, team FROM employees")) == sorted(
        (e, n, t) for e, n, t, _ in _people()
    )
    assert query(hostile_db, "SELECT file_name, loaded_by FROM uploads ORDER BY upload_id") == [
        (name, SQLISH[0]) for name in FILE_NAMES.values()
    ]
    assert query(hostile_db, "SELECT contest_id, name FROM contests ORDER BY 1") == [
        (CONTEST_SQL, CONTEST_NAME), (CONTEST_HTML, ":red[x] $x$ **bold**"),
    ]  # fmt: skip
    assert {r[0] for r in query(hostile_db, "SELECT DISTINCT network FROM posts")} == {n.lower() for n in NETWORKS}
    titles = {r[0] for r in query(hostile_db, "SELECT DISTINCT title FROM posts")}
    assert titles == {f"Title {p} {s}" for p in PAYLOADS for s in SQLISH}


# --- the comms role -------------------------------------------------------------------------------------------

COMMS_PAGES = ["upload", "data"]


def assert_nothing_of_the_comms_page(at: Any) -> None:
    assert not at.get("file_uploader"), "an uploader without the role"
    assert [i.key for i in at.text_input] in ([], ["comms_password"]), "an upload choice without the role"
    assert [b.key for b in at.button] == [], "an action (undo, reprocess, confirm) without the role"
    assert not at.dataframe
    assert not [s for s in at.selectbox if s.key != "lang"], "the ledger's upload list without the role"
    assert not at.checkbox and not at.metric


def actions(at: Any) -> set[str]:
    """The data-changing actions a page offers (a confirmed action's button is keyed go_<action>_<target>_<n>)."""
    return {b.key.split("_")[1] for b in at.button if b.key and b.key.startswith("go_")}


@pytest.mark.parametrize("page", COMMS_PAGES)
def test_without_a_configured_role_the_comms_pages_are_open(demo: Path, page: str) -> None:
    at = app(page)
    assert "comms_password" not in [i.key for i in at.text_input]  # no password asked
    if page == "upload":
        assert at.get("file_uploader")
    else:
        assert actions(at) >= {"undo", "reprocess"} and at.dataframe


@pytest.mark.parametrize("page", COMMS_PAGES)
def test_a_comms_page_reached_directly_asks_for_the_password_and_shows_nothing(
    demo: Path, page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADVOCACY_COMMS_PASSWORD", "s3cret")
    at = app(page)
    assert at.text_input(key="comms_password").label == "Password"
    assert_nothing_of_the_comms_page(at)
    for wrong in ("wrong", "S3CRET", "s3cret ", " s3cret"):
        at.text_input(key="comms_password").set_value(wrong).run()
        assert [e.value for e in at.error] == ["Wrong password."]
        assert_nothing_of_the_comms_page(at)
    at.text_input(key="comms_password").set_value("s3cret").run()
    assert not at.exception and "comms_password" not in [i.key for i in at.text_input]
    if page == "upload":
        assert at.get("file_uploader")
    else:
        assert actions(at) >= {"undo", "reprocess"}


def test_undo_and_reprocess_cannot_be_triggered_without_the_role(demo: Path, monkeypatch) -> None:
    monkeypatch.setenv("ADVOCACY_COMMS_PASSWORD", "s3cret")
    before, rows = uploads(demo), tables(demo)
    at = app("data")
    at.session_state["sure_undo_1_0"] = True  # even the confirmation ticked ahead: no button to press
    at.session_state["undo_id"] = 1
    at.run()
    assert_nothing_of_the_comms_page(at)
    assert uploads(demo) == before and tables(demo) == rows


def test_loading_the_demo_needs_the_role(empty: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVOCACY_COMMS_PASSWORD", "s3cret")
    at = app("overview")
    assert at.info and not at.button, "the demo would be written into the database by anyone"
    at.switch_page(page_path("upload")).run()
    at.text_input(key="comms_password").set_value("s3cret").run()
    at.switch_page(page_path("overview")).run()
    at.button(key="load_demo").click().run()
    assert not at.exception and uploads(empty) > 0


def test_loading_the_demo_needs_the_comms_account_with_oidc(empty: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = oidc_app("overview", {"is_logged_in": False}, monkeypatch)
    assert at.info and not [b for b in at.button if b.key == "load_demo"]
    at = oidc_app("overview", {"is_logged_in": True, "email": "intern@example.com"}, monkeypatch,
                  emails="comms@example.com")  # fmt: skip
    assert not [b for b in at.button if b.key == "load_demo"]
    at = oidc_app("overview", {"is_logged_in": True, "email": "comms@example.com"}, monkeypatch,
                  emails="comms@example.com")  # fmt: skip
    assert at.button(key="load_demo")


# --- uploaded text is text ------------------------------------------------------------------------------------

# Element fields that Streamlit shows as plain text (never Markdown or HTML). Everything else that holds a string
# (bodies, labels, help, captions, alerts, metric labels and values, expander labels, radio options) is Markdown.
PLAIN = {
    ("Text", "body"),
    ("Code", "code_text"),
    ("Selectbox", "options"),
    ("MultiSelect", "options"),
    ("MultiSelect", "default"),
    ("TextInput", "value"),
    ("TextInput", "default"),
}
NOT_SHOWN = {"id", "form_id", "type", "url", "theme", "format", "element_type", "label_visibility"}


def _strings(message: Any, top: str = "") -> Iterator[tuple[str, str]]:
    """(top-level field, text) for every string in a protobuf message."""
    from google.protobuf.descriptor import FieldDescriptor

    for described, value in message.ListFields():
        name = top or described.name
        values = value if described.is_repeated else [value]
        if described.type == FieldDescriptor.TYPE_MESSAGE:
            for item in values:
                yield from _strings(item, name)
        elif described.type == FieldDescriptor.TYPE_STRING:
            yield from ((name, item) for item in values)


def _walk(at: Any) -> Iterator[Any]:
    stack = [at.main, at.sidebar]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(getattr(node, "children", {}).values())


def _plotly_strings(spec: Any) -> Iterator[str]:
    if isinstance(spec, str):
        yield spec
    elif isinstance(spec, dict):
        for key, value in spec.items():
            yield key
            yield from _plotly_strings(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _plotly_strings(value)


def rendered(at: Any) -> dict[str, list[str]]:
    """What a page shows, by how it is shown: Markdown, plain text, tables (every cell) and charts."""
    out: dict[str, list[str]] = {"markdown": [], "plain": [], "table": [], "chart": []}
    for node in _walk(at):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        kind = type(proto).__name__
        if kind == "Dataframe":
            frame = node.value
            out["table"] += [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]
        elif kind == "PlotlyChart":
            out["chart"] += list(_plotly_strings(json.loads(proto.spec)))
        else:
            for field, text in _strings(proto):
                if field not in NOT_SHOWN:
                    out["plain" if (kind, field) in PLAIN else "markdown"].append(text)
    return out


def markup_leaks(at: Any, where: str) -> list[str]:
    """Hostile text where Markdown or HTML would be rendered: in a Markdown field, or a tag in a chart."""
    shown = rendered(at)
    found = [f"{where}: markdown {text!r}" for text in shown["markdown"] for n in NEEDLES if n in text]
    tags = [n for n in NEEDLES if "<" in n]
    found += [f"{where}: chart {text!r}" for text in shown["chart"] for n in tags if n in text]
    return found


def every_page(at: Any) -> Iterator[str]:
    """Drive every page and state: each contest on each criterion by people and teams, an upload of hostile files
    (one loaded, one refused), the ledger, an undo and a reprocess. Yields where it is after each step."""
    for page in ("overview", "teams", "method"):
        at.switch_page(page_path(page)).run()
        yield page
    at.switch_page(page_path("contests")).run()
    for contest_id in at.selectbox(key="contest").options:
        for criterion in ("posts", "best_written"):
            for by in ("employee", "team"):
                at.selectbox(key="contest").set_value(contest_id)
                at.selectbox(key="criterion").set_value(criterion)
                at.radio(key="by").set_value(by).run()
                yield f"contests {contest_id} {criterion} {by}"
    at.switch_page(page_path("upload")).run()
    roster = _csv(
        ("employee_id", "full_name", "team"), [(f"N{i}", f"New {p}", TEAMS[i]) for i, p in enumerate(PAYLOADS)]
    )
    refused = "\n".join(",".join(PAYLOADS) for _ in range(3)) + "\n"
    at.get("file_uploader")[0].set_value([
        ("<img src=x onerror=alert(1)> **bold**.csv", roster.encode(), "text/csv"),
        ("[link](javascript:alert(1)) $x$.csv", refused.encode(), "text/csv"),
    ]).run()  # fmt: skip
    yield "upload preview"
    at.button(key="confirm").click().run()
    yield "upload loaded"
    at.switch_page(page_path("data")).run()
    yield "data"
    chosen = at.selectbox(key="undo_id").value
    at.checkbox(key=f"sure_undo_{chosen}_0").check().run()
    at.button(key=f"go_undo_{chosen}_0").click().run()
    yield "data after undo"
    for go in [b.key for b in at.button if b.key and b.key.startswith("go_reprocess_")]:  # rows waiting, if any
        at.checkbox(key=go.replace("go_", "sure_", 1)).check().run()
        at.button(key=go).click().run()
        yield "data after reprocess"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_uploaded_text_is_never_rendered_as_markdown_or_html(hostile: Path, lang: str) -> None:
    at = app("overview", lang)
    leaks: list[str] = []
    seen: set[str] = set()
    for where in every_page(at):
        assert not at.exception, (where, [e.value for e in at.exception])
        leaks += markup_leaks(at, where)
        shown = rendered(at)
        seen.update(n for n in NEEDLES for text in shown["plain"] + shown["table"] if n in text)
    assert leaks == []
    assert seen == set(NEEDLES), "the hostile names must be shown (as text), else this test proves nothing"
    assert uploads(hostile) == 6  # the hostile upload was loaded, then undone


# --- downloads ------------------------------------------------------------------------------------------------

DANGEROUS = (*FORMULAS, "\t=1+1", "\r@SUM(A1)", "=cmd|' /C calc'!A0")


def _hand_made_ranking() -> Ranking:
    found = Contest("=C1", "+Contest", date(2025, 3, 1), date(2025, 3, 31), [], 2)
    rows = [
        {"rank": i + 1, "employee_id": text, "name": text, "team": text, "value": -2.5 + i, "posts": 3}
        for i, text in enumerate(DANGEROUS)
    ]
    return Ranking(found, "posts", "employee", rows)


def assert_no_live_formula(result: Ranking) -> None:
    texts = [row[c] for row in result.rows for c in result.columns if isinstance(row[c], str)]
    assert any(t.startswith(("=", "+", "-", "@")) for t in texts), "nothing dangerous to check"
    lines = list(csv.reader(io.StringIO(to_csv(result).decode("utf-8-sig"), newline="")))
    for row, line in zip(result.rows, lines[1:], strict=True):
        for column, cell in zip(result.columns, line, strict=True):
            value = row[column]
            if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
                assert cell == "'" + value
            elif isinstance(value, str):
                assert cell == value
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(result)))
    cells = [cell for row in book["Ranking"].iter_rows() for cell in row if cell.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    body = [[c.value for c in row] for row in book["Ranking"].iter_rows(min_row=5)]
    # The cells are text, as shown; OOXML writes a carriage return as _x000D_, which openpyxl leaves as is.
    shown = [[row[c].replace("\r", "_x000D_") if isinstance(row[c], str) else row[c] for c in result.columns]
             for row in result.rows]  # fmt: skip
    assert body == shown


def test_downloads_never_hold_a_live_formula() -> None:
    assert_no_live_formula(_hand_made_ranking())


def test_downloads_of_the_hostile_rankings_never_hold_a_live_formula(hostile_db: Path) -> None:
    with connect(hostile_db, read_only=True) as con:
        result = ranking(con, CONTEST_SQL, "posts")
    assert {r["name"] for r in result.rows} >= set(FORMULAS)
    assert_no_live_formula(result)


# --- SQL ------------------------------------------------------------------------------------------------------


def test_sql_looking_values_stay_values_through_the_command_line(hostile_db: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(hostile_db, db)
    before = tables(db)
    run = [["charter", "set", "2025-07-01", "--team", SQLISH[0], "--by", SQLISH[1], "--db", str(db)],
           ["charter", "set", "2025-07-01", "--team", SQLISH[1], "--db", str(db)]]  # fmt: skip
    for args in run:
        assert main(args) == 0
    assert query(db, "SELECT team, charter_adopted_on FROM teams WHERE team IN (?, ?) ORDER BY 1", list(SQLISH)) == [
        (SQLISH[1], CHARTER), (SQLISH[0], CHARTER),
    ]  # fmt: skip
    capsys.readouterr()
    for team in SQLISH:
        assert main(["impact", "--team", team, "--json", "--db", str(db)]) == 0
        report = json.loads(capsys.readouterr().out)
        assert [s["team"] for s in report["scopes"]] == [team] and report["scopes"][0]["metrics"]
    for contest_id in (CONTEST_SQL, CONTEST_HTML):
        for by in ("employee", "team"):
            out = tmp_path / f"ranking_{by}.csv"
            assert main(["ranking", contest_id, "--by", by, "--out", str(out), "--json", "--db", str(db)]) == 0
            assert json.loads(capsys.readouterr().out)["contest_id"] == contest_id
    assert main(["ranking", "x' OR '1'='1", "--db", str(db)]) == 1  # no such contest: not every contest
    with connect(db, read_only=True) as con, pytest.raises(ValueError, match="unknown criterion"):
        ranking(con, CONTEST_SQL, "posts DESC); DROP TABLE posts; --")  # a criterion is a column: checked first
    assert main(["contests", "--json", "--db", str(db)]) == 0
    assert {c["contest_id"] for c in json.loads(capsys.readouterr().out)} == {CONTEST_SQL, CONTEST_HTML}
    last = query(db, "SELECT max(upload_id) FROM uploads")[0][0]
    assert main(["undo", str(last), "--by", SQLISH[0], "--db", str(db)]) == 0
    capsys.readouterr()
    assert query(db, "SELECT undone_by FROM uploads WHERE upload_id = ?", [last]) == [(SQLISH[0],)]
    assert main(["uploads", "--json", "--db", str(db)]) == 0
    assert [u["file_name"] for u in json.loads(capsys.readouterr().out)][:6] == list(FILE_NAMES.values())
    after = tables(db)
    assert set(after) == set(before)
    assert {t: n for t, n in after.items() if t not in ("teams", "team_versions", "uploads")} == {
        t: n for t, n in before.items() if t not in ("teams", "team_versions", "uploads")
    }


def test_sql_looking_values_stay_values_through_the_dashboard(hostile: Path) -> None:
    from streamlit.testing.v1 import AppTest

    before = tables(hostile)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["teams"] = [*SQLISH, "'; DROP TABLE employees; --"]
    at.query_params["networks"] = [NETWORKS[1].lower(), "linkedin' --"]
    at.query_params["formats"] = ["post' OR 1=1 --", "article"]
    at.query_params["from"] = "2025-01-01'; DROP TABLE posts; --"
    at.query_params["to"] = "2025-12-31"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="filter_teams").value == list(SQLISH)  # the real teams, as values
    assert at.multiselect(key="filter_networks").value == [NETWORKS[1].lower()]
    assert at.multiselect(key="filter_formats").value == ["article"]
    request = ImpactRequest(team_filter=SQLISH, networks=(NETWORKS[1].lower(),), formats=("article",),
                            period=(date.min, date(2026, 1, 1)))  # fmt: skip
    with connect(hostile, read_only=True) as con:
        expected = impact(con, request)["scopes"][0]["metrics"]["posts_per_week"]
    assert at.metric[0].value == f"{expected['before']:,.1f} → {expected['after']:,.1f}"
    for page in ("teams", "contests"):
        at.switch_page(page_path(page)).run()
        assert not at.exception, [e.value for e in at.exception]
    teams_shown = set(at.switch_page(page_path("teams")).run().dataframe[0].value["Team"])
    assert set(SQLISH) <= teams_shown
    at.switch_page(page_path("contests")).run()
    for criterion in CRITERIA:
        at.selectbox(key="contest").set_value(CONTEST_SQL)
        at.selectbox(key="criterion").set_value(criterion).run()
        assert not at.exception
    assert at.dataframe[0].value.shape[0] > 0
    at.switch_page(page_path("upload")).run()
    name = "a'; DROP TABLE uploads; --.csv"
    at.get("file_uploader")[0].set_value([(name, b"team,headcount\nx'); DROP TABLE posts; --,9\n", "text/csv")])
    at.run()
    at.button(key="confirm").click().run()
    assert not at.exception and at.success
    assert query(
        hostile, "SELECT file_name, kind, loaded + updated FROM uploads ORDER BY upload_id DESC LIMIT 1"
    ) == [(name, "teams", 1)]
    assert query(hostile, "SELECT headcount FROM teams WHERE team = ?", [SQLISH[0]]) == [(9,)]
    at.switch_page(page_path("data")).run()
    chosen = at.selectbox(key="undo_id").value
    at.checkbox(key=f"sure_undo_{chosen}_0").check().run()
    at.button(key=f"go_undo_{chosen}_0").click().run()
    said = at.success[0].value.replace("\\", "")  # as Markdown shows it: the page escapes the name's markup
    assert not at.exception and said.startswith(f"Upload {chosen} (a'; DROP TABLE uploads; --.csv)")
    assert set(tables(hostile)) == set(before)
    assert query(hostile, "SELECT count(*) FROM posts") == [(before["posts"],)]
    assert query(hostile, "SELECT headcount FROM teams WHERE team = ?", [SQLISH[0]]) == [(5,)]


# --- privacy: a small team -------------------------------------------------------------------------------------
# The open pages and the downloads. The comms pages are left out on purpose: the Data page lists the teams without
# a charter date by name, so that comms can set them; comms uploaded the roster and knows every team already, and
# that list shows no one's activity.


def everything_shown(at: Any) -> list[str]:
    shown = rendered(at)
    return shown["markdown"] + shown["plain"] + shown["table"] + shown["chart"]


def public_pages(at: Any) -> Iterator[str]:
    """Every page open to all, with every contest, criterion and ranking by people and by teams."""
    for page in ("overview", "teams", "method"):
        at.switch_page(page_path(page)).run()
        yield page
    at.switch_page(page_path("contests")).run()
    for contest_id in at.selectbox(key="contest").options:
        for criterion in CRITERIA:
            for by in ("employee", "team"):
                at.selectbox(key="contest").set_value(contest_id)
                at.selectbox(key="criterion").set_value(criterion)
                at.radio(key="by").set_value(by).run()
                yield f"contests {contest_id} {criterion} {by}"


def assert_small_team_never_named(db: Path, small: str) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["teams"] = small  # asked for by the address: not applied, not shown
    at.run()
    assert at.multiselect(key="filter_teams").value == [] and small not in at.multiselect(key="filter_teams").options
    named = []
    for where in public_pages(at):
        assert not at.exception, (where, [e.value for e in at.exception])
        named += [f"{where}: {text!r}" for text in everything_shown(at) if small in text]
    assert named == []
    with connect(db, read_only=True) as con:
        for contest in contests(con):
            for criterion in CRITERIA:
                for by in ("employee", "team"):
                    result = ranking(con, contest.contest_id, criterion, by)
                    assert small not in to_csv(result).decode("utf-8-sig")
                    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(result)))
                    assert not [c.value for row in book.active.iter_rows() for c in row if small in str(c.value)]
        assert small not in json.dumps(impact(con), default=str)  # the command line's `impact --json`
        assert small in json.dumps(impact(con, ImpactRequest(name_small_teams=True)), default=str)


def test_a_small_team_is_named_on_no_page_and_in_no_download(hostile: Path) -> None:
    assert_small_team_never_named(hostile, SMALL)
    with connect(hostile, read_only=True) as con:  # its members count, inside "other teams"
        by_team = ranking(con, CONTEST_SQL, "posts", "team").rows
        by_person = ranking(con, CONTEST_SQL, "posts").rows
    assert [(r["members"], r["posts"]) for r in by_team if r["team"] == "other teams"] == [(3, 9)]
    assert sorted(r["name"] for r in by_person if r["team"] == "other teams") == ["Small 0", "Small 1", "Small 2"]


def test_the_demos_small_team_is_named_on_no_page_and_in_no_download(demo: Path) -> None:
    with connect(demo, read_only=True) as con:
        small = [t.name for t in roster_teams(con) if t.members < settings().privacy_min_team_size]
    assert small == ["Executive Office"]
    assert_small_team_never_named(demo, small[0])


def test_without_charter_dates_the_notes_do_not_name_a_small_team(hostile: Path) -> None:
    """No charter date at all (say, right after the roster and the posts): the Overview says which teams lack one."""
    teams_upload = query(hostile, "SELECT upload_id FROM uploads WHERE kind = 'teams'")[0][0]
    assert main(["undo", str(teams_upload), "--db", str(hostile)]) == 0
    at = app("overview")
    notes = [t.value for t in at.text]
    assert any("no charter date" in n and TEAMS[0] in n for n in notes), notes
    assert not [n for n in notes if SMALL in n] and any("other teams" in n for n in notes)
    with connect(hostile, read_only=True) as con:
        assert SMALL not in json.dumps(impact(con), default=str)


# --- the same in a real browser ---------------------------------------------------------------------------------


def in_a_browser(test: Any) -> Any:
    """Marks a test that drives Chromium (run by `-m browser`, skipped without Chromium)."""
    for mark in (pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)):
        test = mark(test)
    return test


PASSWORD = "s3cret"
# Elements that would exist had hostile text been rendered as HTML or Markdown.
MARKUP = """() => ({
    scripts: [...document.scripts].filter(s => s.textContent.includes('alert(1)')).length,
    handlers: document.querySelectorAll('[onerror], [onload]').length,
    images: document.querySelectorAll('img[src="x"]').length,
    links: document.querySelectorAll('a[href^="http://evil"], a[href^="javascript:"]').length,
    bold: [...document.querySelectorAll('strong, b')].filter(e => e.textContent.trim() === 'bold').length,
    maths: document.querySelectorAll('.katex, math').length,
})"""


@pytest.fixture(scope="module")
def guarded(hostile_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`advocacy dashboard` on a copy of the hostile programme, with a comms password."""
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    db = tmp_path_factory.mktemp("guarded") / "hostile.duckdb"
    shutil.copyfile(hostile_db, db)
    with dashboard_server(db, {"ADVOCACY_COMMS_PASSWORD": PASSWORD}) as url:
        yield url, db


def _settle(page: Any) -> None:
    page.wait_for_selector(SETTLED, timeout=120_000)


def _give_password(page: Any, password: str) -> None:
    field = page.get_by_label("Password", exact=True)
    field.fill(password)
    field.press("Enter")
    page.wait_for_timeout(300)
    _settle(page)


@in_a_browser
@pytest.mark.parametrize("path", COMMS_PAGES)
def test_in_the_browser_a_comms_page_opened_by_its_address_asks_for_the_password(guarded, page, path: str) -> None:
    url, db = guarded
    before = uploads(db)
    page.goto(f"{url}/{path}")
    page.get_by_label("Password", exact=True).wait_for()
    _settle(page)
    hidden = {"file input": "input[type=file]", "table": '[data-testid="stDataFrame"]',
              "button": '[data-testid="stMain"] [data-testid^="stBaseButton"]'}  # fmt: skip
    assert {name: page.locator(css).count() for name, css in hidden.items()} == dict.fromkeys(hidden, 0)
    _give_password(page, "wrong")
    page.get_by_text("Wrong password.").wait_for()
    assert {name: page.locator(css).count() for name, css in hidden.items()} == dict.fromkeys(hidden, 0)
    _give_password(page, PASSWORD)
    if path == "upload":
        page.locator("input[type=file]").wait_for(state="attached")
    else:
        page.get_by_role("button", name="Undo this upload").wait_for()
    assert uploads(db) == before


@in_a_browser
@pytest.mark.parametrize("path", ["", "teams", "contests", "method"])
def test_in_the_browser_hostile_text_on_the_open_pages_stays_text(guarded, page, path: str) -> None:
    url, _ = guarded
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{url}/{path}")
    page.wait_for_selector("h1")
    _settle(page)
    page.wait_for_timeout(1000)  # charts draw after the script is done
    assert page.locator('[data-testid="stException"]').count() == 0
    if path == "contests":  # the hostile names are there, as text
        page.get_by_text("Team <script>alert(1)</script>, Team <img src=x onerror=alert(1)>", exact=False).wait_for()
        assert page.get_by_role("combobox", name="Contest").input_value().startswith(CONTEST_NAME)
    assert page.evaluate(MARKUP) == dict.fromkeys(("scripts", "handlers", "images", "links", "bold", "maths"), 0)
    assert dialogs == []


@in_a_browser
def test_in_the_browser_hostile_file_names_on_the_comms_pages_stay_text(guarded, page, tmp_path: Path) -> None:
    url, db = guarded
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{url}/upload")
    _give_password(page, PASSWORD)
    hostile_file = tmp_path / "<img src=x onerror=alert(1)> **bold** [link](javascript:alert(1)).csv"
    hostile_file.write_text(_csv(("team", "headcount"), [(TEAMS[0], 6), (SMALL, 3)]), encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(hostile_file))
    page.get_by_text("Preview (nothing written yet)").wait_for()
    _settle(page)
    page.locator('[data-testid="stText"]', has_text=hostile_file.name).wait_for(state="attached")  # as text
    assert page.evaluate(MARKUP) == dict.fromkeys(("scripts", "handlers", "images", "links", "bold", "maths"), 0)
    page.get_by_role("button", name="Confirm and load").click()
    page.get_by_text("Loaded. Every page now shows the new data.").wait_for()
    page.get_by_role("link", name="Data", exact=True).click()  # same session: the role is kept
    page.get_by_role("button", name="Undo this upload").wait_for()
    _settle(page)
    assert page.evaluate(MARKUP) == dict.fromkeys(("scripts", "handlers", "images", "links", "bold", "maths"), 0)
    assert dialogs == []
    assert query(db, "SELECT file_name FROM uploads ORDER BY upload_id DESC LIMIT 1") == [(hostile_file.name,)]
