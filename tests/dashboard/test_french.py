"""Every page in French says nothing in English: each label, caption, message, table header and chart text is made
of the French catalogue (dashboard/i18n.py's FR, pipelines/messages.py's French templates, the metric catalogue,
the verdict, the Method page), of the data's own names and numbers, or of a short list of proper names."""

from __future__ import annotations

import ast
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard.i18n import FR
from dashboard.pages import NAMES
from pipelines import messages
from pipelines.analytics import catalogue, verdict
from pipelines.analytics.scopes import ImpactRequest
from pipelines.store import ledger
from pipelines.store.db import connect, install_macros
from tests.conftest import FILES, app

pytestmark = pytest.mark.usefixtures("fresh_caches")

# Proper names and abbreviations, the same in both languages.
ALLOWED = {"LinkedIn", "CSV", "TXT", "XLSX", "Excel", "PDF", "CPM", "CPC", "Firstup", "EveryoneSocial", "Twitter",
           "Facebook", "Instagram", "X", "Language", "Langue", "English", "Français", "Mo", "IC", "Comms", "OK",
           "employee_id", "lnkd", "ugcPost", "utf"}  # fmt: skip
SHOWN = {"label", "body", "placeholder", "help", "caption", "options", "value", "text", "default"}
NOT_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def normal(text: str) -> str:
    """A text as the check reads it: no Markdown emphasis, escapes or tags, one space between words."""
    text = re.sub(r"<[^>]+>", " ", html.unescape(re.sub(r"\\(.)", r"\1", text.replace("**", ""))))
    return " ".join(text.split())


def _french_pattern(template: str) -> str:
    """A regular expression for a French text with `{values}` in it (any text in their place)."""
    parts = re.split(r"\{\w+\}", normal(template))
    return r".+?".join(re.escape(p) for p in parts)


def _method_french() -> str:
    tree = ast.parse((Path(__file__).parents[2] / "dashboard" / "reports" / "method.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "FR":
            return str(ast.literal_eval(node.value))
    raise AssertionError("the Method page has no FR text")


def _catalogue_french() -> list[str]:
    found = [messages.WORDS[w] for w in messages.WORDS] + list(messages.TEMPLATES.values())
    for group in (
        catalogue.REPORT,
        catalogue.EFFECTS,
        catalogue.CRITERIA,
        catalogue.TRENDS,
        catalogue.COLUMNS,
        catalogue.PER_MEMBER,
    ):
        found += [m.label("fr") for m in group.values()] + [m.about("fr") for m in group.values()]
    found += [text for (lang, _), text in catalogue._FLAG_TEXT.items() if lang == "fr"]
    found += [text for (lang, _), text in catalogue._WINDOW_TEXT.items() if lang == "fr"]
    return found


def known_french(db: Path) -> re.Pattern[str]:
    """Every French text the pages may show, longest first, as one pattern to take out of a page's text."""
    with connect(db, read_only=True) as con:
        from dashboard import queries

        report = queries.report(con, ImpactRequest())
        effect = report["scopes"][0].get("effect") or {}
        said = verdict.lines(effect, "fr") + verdict.caveats(effect, "fr")
        said += [line for _, line in verdict.programme_lines(report, "fr")]  # workshops' and contests' lines
        said.append(verdict.freshness(ledger.freshness(con), "fr"))
    texts = [*FR.values(), *_catalogue_french(), *said]
    texts += _method_french().split("\n\n")
    alternatives = sorted({_french_pattern(x) for x in texts if normal(x)}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def data_words(db: Path) -> set[str]:
    """The words of the data's own names: teams, people, authors, files, contests, networks."""
    sql = [
        "SELECT team FROM teams", "SELECT full_name FROM employees", "SELECT file_name FROM uploads",
        "SELECT name FROM contests", "SELECT contest_id FROM contests", "SELECT DISTINCT network FROM posts",
        "SELECT DISTINCT employee_id FROM employees",
    ]  # fmt: skip
    words: set[str] = set()
    with connect(db, read_only=True) as con:
        install_macros(con)
        for waiting in ledger.authors(con)["waiting"]:  # authors who match nobody (the Data page)
            words |= set(NOT_WORDS.findall(waiting["author"]))
        for query in sql:
            for (value,) in con.execute(query).fetchall():
                words |= set(NOT_WORDS.findall(str(value or "")))
    return words


def _proto_texts(message: Any) -> Iterator[str]:
    for described, value in message.ListFields():
        if described.name not in SHOWN:
            continue
        for item in value if described.is_repeated else [value]:
            if isinstance(item, str):
                yield item


def _chart_texts(spec: dict[str, Any]) -> Iterator[str]:
    layout = spec.get("layout", {})
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            yield str((axis.get("title") or {}).get("text") or "")
            yield from (str(t) for t in axis.get("ticktext") or [])
    title = layout.get("title") or {}
    yield str(title.get("text") or "")
    yield str((title.get("subtitle") or {}).get("text") or "")
    yield from (str(a.get("text") or "") for a in layout.get("annotations") or [])
    for trace in spec.get("data", []):
        yield str(trace.get("name") or "")
        yield from (str(y) for y in trace.get("y") or [] if trace.get("type") == "funnel")
        hover = str(trace.get("hovertemplate") or "")
        yield re.sub(r"%\{[^}]*\}|<[^>]+>", " ", hover)


def page_texts(at: Any) -> Iterator[tuple[str, str]]:
    """(element, text) for what a page shows: labels, captions, messages, options, table headers, charts."""
    stack = [at.main, at.sidebar]
    while stack:
        node = stack.pop()
        stack.extend(getattr(node, "children", {}).values())
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        kind = type(proto).__name__
        if kind == "Dataframe":
            yield from ((kind, str(c)) for c in node.value.columns)
        elif kind == "PlotlyChart":
            yield from ((kind, text) for text in _chart_texts(json.loads(proto.spec)))
        else:
            yield from ((kind, text) for text in _proto_texts(proto))


def english_words(text: str, french: re.Pattern[str], names: set[str]) -> list[str]:
    """The words of `text` left once its French (of the catalogue), names and allowed words are taken out."""
    rest = french.sub(" ", normal(text))
    return [w for w in NOT_WORDS.findall(rest) if w not in ALLOWED | names]


def english_left(at: Any, french: re.Pattern[str], names: set[str]) -> list[str]:
    """The texts of a page that hold a word neither French (of the catalogue) nor a name nor allowed."""
    found = []
    for kind, text in page_texts(at):
        if text.lstrip().startswith("<style>"):  # the page's own style (dashboard/i18n.py: streamlit_words)
            continue
        if words := english_words(text, french, names):
            found.append(f"{kind}: {text!r} -> {words}")
    return found


@pytest.fixture(scope="module")
def checks(demo_db: Path) -> tuple[re.Pattern[str], set[str]]:
    return known_french(demo_db), data_words(demo_db)


@pytest.mark.parametrize("name", NAMES)
def test_a_french_page_shows_no_english(demo, name, checks):
    at = app(name, "fr")
    assert english_left(at, *checks) == []


def test_the_data_pages_sources_are_named_in_french(demo):
    """The coverage table's cells name each source in the page's language (the check above reads headers only)."""
    sources = app("data", "fr").dataframe[0].value["Source"].tolist()
    assert {"Publications", "Relevés d'interactions", "Incidents", "Ateliers"} <= set(sources), sources


def test_the_upload_page_says_refusals_notes_and_quarantine_in_french(demo, checks):
    at = app("upload", "fr")
    files = [
        ("vide.csv", b"", "text/csv"),  # refused: the file is empty
        ("incidents.csv", (FILES / "incidents_note_row.csv").read_bytes(), "text/csv"),
        (
            "publications.csv",
            b"post_id,author,published_at,network\nP1,nobody at all,2026-01-05,linkedin\n",
            "text/csv",
        ),
    ]
    at.get("file_uploader")[0].set_value(files).run()
    assert not at.exception
    texts = [text for _, text in page_texts(at)]
    assert any("le fichier est vide" in text for text in texts), texts
    # French puts a space before a colon: each file's outcome, refused or loaded
    assert any(text.startswith("⛔ vide.csv : ") for text in texts), texts
    assert any(text.startswith("✅ publications.csv (Publications) : ") for text in texts), texts
    assert english_left(at, *checks) == []
    reasons = [str(r) for frame in at.dataframe for r in frame.value.get("Raison", [])]
    assert reasons and all(messages.recognise(r) is None for r in reasons), reasons  # shown in French


def test_a_new_english_label_fails(checks):
    """The check itself: an English label, or an English message, on a French page is found; French is not."""
    assert english_words("Posts per week, before → after", *checks) == ["Posts", "per", "week", "before", "after"]
    assert english_words("Choose options", *checks) == ["Choose", "options"]
    assert english_words("moins de 5 incidents avant la charte (3)", *checks) == []
    assert english_words("fewer than 5 incidents before the charter (3)", *checks)
    assert english_words("Sales : 12,5 → 14 %", *checks) == []


def test_every_message_template_reads_its_own_english():
    """Each English template is recognised from a text written with it, and its French keeps every value."""
    for template, french in messages.TEMPLATES.items():
        values = {name: f"V{i}" for i, name in enumerate(dict.fromkeys(re.findall(r"\{(\w+)\}", template)))}
        text = template.format(**values)
        found = messages.recognise(text)
        assert found is not None and found[0] == template, (template, found)
        assert set(re.findall(r"\{(\w+)\}", french)) == set(values), template
        assert messages.translate(text, "fr") == french.format(**values)
        assert messages.translate(text, "en") == text
