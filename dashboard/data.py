"""Everything the pages read, through short-lived connections and caches keyed on the data's version.

The version (the count of writes committed, `ledger.data_version`) changes with every upload, undo, reprocess
and decision, so every page shows the new data right after one, with no cache to clear by hand; it is read again
only once the database changed on disk (`version`). After each change made here, the reports the pages open on
are prepared in the background (`prepare_after_change`).
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import auth, charts, queries
from dashboard.i18n import day, lang, num, t, translate
from dashboard.queries import ROWS_SHOWN
from pipelines import config
from pipelines.analytics import catalogue, privacy, verdict
from pipelines.analytics.contests import CRITERIA, Contest, Ranking, contests, ranking
from pipelines.analytics.downloads import Table, formatted, ranking_table, table_xlsx
from pipelines.analytics.downloads import table_csv as to_table_csv
from pipelines.analytics.scopes import ALL, PROGRAMME, TEAMS, ImpactRequest
from pipelines.config import settings
from pipelines.ingest.authors import Decision, DecisionRefused, decide
from pipelines.ingest.contract import FILE_KINDS
from pipelines.ingest.load import LoadOptions, LoadResult, dry_run, load_paths
from pipelines.ingest.reprocess import ReprocessResult
from pipelines.ingest.reprocess import reprocess as reprocess_all
from pipelines.ingest.undo import UndoError, UndoResult
from pipelines.ingest.undo import preview as undo_effects
from pipelines.ingest.undo import undo as undo_upload
from pipelines.store.db import MEMORY, connect, copy_database, install_macros
from pipelines.store.ledger import authors as authors_ledger
from pipelines.store.ledger import data_version, quarantined, uploads
from pipelines.store.ledger import is_empty as nothing_loaded
from pipelines.store.ledger import people_like as ledger_people_like

Version = tuple[Any, ...]
__all__ = [
    "CRITERIA",
    "PROGRAMME",
    "TEAMS",
    "DecisionRefused",
    "LoadResult",
    "UndoError",
    "UndoResult",
]  # what the pages take from here besides the functions


_PREPARING = threading.Lock()  # one preparation at a time; one asked for meanwhile runs after it
# Per database, the last version read: the state of its files on disk then (None: a lake), and when (`version`).
_LAST_READ: dict[str, tuple[tuple[Any, ...] | None, float, Version]] = {}
_TRUSTED_FOR_S = 1.0
_VERSION_READ = threading.Lock()


def prepare_after_change() -> None:
    """After a change made here: compute and keep, in a thread, the reports the pages open on (queries.prepare), so
    that whoever opens a page next reads them back instead of waiting for them. A page opened meanwhile reads beside
    it, and waits for a report the thread is computing rather than compute it twice (store.kept). A change made
    elsewhere (the command line, another server) is prepared for once a page sees it (`version`)."""
    location = db_path()
    with _VERSION_READ:
        _read_version(location, _files_state(location))  # this change's version: seeing it later is no news
    _prepare(location)


def _prepare(location: config.Database) -> None:
    def prepare() -> None:
        with _PREPARING:
            try:
                queries.prepare(location, go_on=threading.main_thread().is_alive)
            except Exception:  # the pages compute what is missing: a failure here only costs time
                logging.getLogger(__name__).exception("preparing the reports of %s failed", config.shown(location))

    # Not a daemon, though a page's thread (Streamlit's are daemons) starts it: a daemon thread still inside DuckDB
    # when the process ends aborts it (SIGABRT). The process waits for the page being prepared, and stops there.
    threading.Thread(target=prepare, name="advocacy-prepare", daemon=False).start()


def db_path() -> config.Database:
    return config.db_path()


def version() -> Version:
    """The data's version (one row of the ledger). A page asks for it at each of its cached calls, and opening a
    large database file takes tens of milliseconds: a file's version is read again only once the file or its WAL
    changed on disk (every commit writes one of them) or a second has passed. A lake's is read every time. A new
    version this process did not make (a load from the command line, a change on another server) starts the
    preparation of the pages' reports, as a change made here does."""
    location = db_path()
    on_disk = _files_state(location)  # before reading: a write meanwhile makes the next call read again
    with _VERSION_READ:  # the sessions' threads: one reads, and sees the change, at a time
        last = _LAST_READ.get(str(location))
        if (
            on_disk is not None
            and last is not None
            and last[0] == on_disk
            and time.monotonic() - last[1] < _TRUSTED_FOR_S
        ):
            return last[2]
        found = _read_version(location, on_disk)
    if last is not None and found != last[2]:
        _prepare(location)
    return found


def _read_version(location: config.Database, on_disk: tuple[Any, ...] | None) -> Version:
    with connect(location, read_only=True) as con:
        found = data_version(con)
    _LAST_READ[str(location)] = (on_disk, time.monotonic(), found)
    return found


def _files_state(location: config.Database) -> tuple[Any, ...] | None:
    """Size and times of a database file and its WAL (None for a lake or a database in memory)."""
    if not isinstance(location, Path) or location == MEMORY:
        return None
    state: list[Any] = []
    for file in (location, location.with_name(location.name + ".wal")):
        try:
            found = file.stat()
        except OSError:
            state.append(None)
        else:
            state.append((found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns))
    return tuple(state)


def is_empty() -> bool:
    """Nothing loaded counts (no upload, or every one undone): the pages offer the demo and the Upload page."""
    return _is_empty(str(db_path()), version())


@st.cache_data(show_spinner=False, max_entries=4)
def _is_empty(path: str, data_version: Version) -> bool:
    with connect(path, read_only=True) as con:
        return nothing_loaded(con)


@st.cache_data(show_spinner=False, max_entries=8)
def _options(path: str, data_version: Version) -> dict[str, Any]:
    with connect(path, read_only=True) as con:
        return queries.options(con)


def filter_choices() -> dict[str, list[str]]:
    """What the filters offer: teams big enough to be named (the privacy rule), networks, formats."""
    found = _options(str(db_path()), version())
    named = [team for team, members in found["teams"].items() if privacy.is_named(members)]
    return {"teams": named, "networks": found["networks"], "formats": found["formats"]}


def named_teams() -> list[str]:
    """The teams big enough to be named (the privacy threshold); the others are only "other teams"."""
    return filter_choices()["teams"]


def shown_teams(teams: list[str]) -> list[str]:
    """Teams as a page may name them: each under the privacy threshold only as "other teams", once."""
    sizes = _options(str(db_path()), version())["teams"]
    return list(dict.fromkeys(privacy.shown_name(team, sizes.get(team, 0)) for team in teams))


FORMAT_NAMES = {"post": "Post", "article": "Article", "share": "Share", "video": "Video", "image": "Image",
                "document": "Document", "poll": "Poll", "other": "Other"}  # fmt: skip
NETWORK_NAMES = {"linkedin": "LinkedIn", "twitter": "Twitter", "x": "X", "facebook": "Facebook",
                 "instagram": "Instagram"}  # fmt: skip


def format_name(value: str) -> str:
    """A post format by its name in the page's language."""
    return t(FORMAT_NAMES.get(value, value))


def filters() -> ImpactRequest:
    """Sidebar filters (teams big enough to be shown, networks, formats), kept in the page's address."""
    options = filter_choices()
    chosen: dict[str, tuple[str, ...]] = {}
    for name, label in (("teams", "Teams"), ("networks", "Networks"), ("formats", "Formats")):
        default = [v for v in st.query_params.get_all(name) if v in options[name]]
        shown = format_name if name == "formats" else str  # network names are proper names: as written
        picked = st.sidebar.multiselect(t(label), options[name], default=default, format_func=shown,
                                        placeholder=t("Choose options"), key=f"filter_{name}")  # fmt: skip
        st.query_params[name] = picked
        chosen[name] = tuple(picked)
    written = date_format()
    first = st.sidebar.date_input(t("From"), value=_day_param("from"), format=written, key="filter_from")
    last = st.sidebar.date_input(t("Until (included)"), value=_day_param("to"), format=written, key="filter_to")
    for name, value in (("from", first), ("to", last)):
        if isinstance(value, date):
            st.query_params[name] = value.isoformat()
        elif name in st.query_params:
            del st.query_params[name]
    period = None
    if isinstance(first, date) or isinstance(last, date):
        start = first if isinstance(first, date) else date.min
        end = last + timedelta(days=1) if isinstance(last, date) else date.max
        period = (start, end)
    return ImpactRequest(
        team_filter=chosen["teams"], networks=chosen["networks"], formats=chosen["formats"], period=period
    )


def date_format() -> str:
    """How a date input writes its day: 31/12/2026 in French, 2026/12/31 in English (Streamlit's own)."""
    return "DD/MM/YYYY" if lang() == "fr" else "YYYY/MM/DD"


def _day_param(name: str) -> date | None:
    """A day kept in the page's address, ignored when it is not a date."""
    try:
        return date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return None


@st.cache_data(show_spinner=False, max_entries=16)
def _report(path: str, data_version: Version, request: ImpactRequest) -> dict[str, Any]:
    with connect(path, read_only=True) as con:
        return queries.report(con, request)


def report(request: ImpactRequest | None = None, detail: str = ALL) -> dict[str, Any]:
    """The impact report of the filters; `detail` (TEAMS, PROGRAMME: what that page shows) leaves out
    the figures the page does not show, and changes none it does."""
    return _report(str(db_path()), version(), replace(request or ImpactRequest(), detail=detail))


@st.cache_data(show_spinner=False, max_entries=4)
def _freshness(path: str, data_version: Version) -> dict[str, Any]:
    with connect(path, read_only=True) as con:
        return queries.freshness(con)


def freshness() -> dict[str, Any]:
    """The last day with posts, the uploads in force, the posts without engagement yet."""
    return _freshness(str(db_path()), version())


def answer(effect: dict[str, Any], report: dict[str, Any] | None = None) -> tuple[list[tuple[bool | None, str]],
                                                                               list[str], str]:  # fmt: skip
    """The verdict in the page's language: each claim's line with whether it went the programme's way (None:
    nothing to say), the workshops' and contests' lines where the `report` holds them, the caveats, and the data's
    freshness."""
    found = [(reading.good, verdict.sentence(reading, lang())) for reading in verdict.read(effect)]
    found += verdict.programme_lines(report or {}, lang())
    return found, verdict.caveats(effect, lang()), verdict.freshness(freshness(), lang())


def cocreation_table(cocreation: dict[str, Any]) -> pd.DataFrame:
    """Co-creation for every team together, then each team where both groups reach the privacy threshold: the
    groups' sizes, the ratio of ratios and its interval on posting and on engagement per post, in the page's
    language."""
    rows = []
    for label, found in ((t("All teams"), cocreation), *((x["team"], x) for x in cocreation.get("teams", []))):
        posting, engagement = found["posting"], found["engagement"]
        levels = posting.get("levels") or {}
        rows.append({
            t("Scope"): label,
            t("Participants"): posting["participants"],
            t("Others"): posting["others"],
            t("Before: participants"): num((levels.get("participants") or {}).get("before"), 2),
            t("Before: others"): num((levels.get("others") or {}).get("before"), 2),
            t("Posting (95 % CI)"): _times(posting),
            t("Engagement/post (95 % CI)"): _times(engagement),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _baselines() -> dict[str, str]:
    """What a contest's lift was compared with (programme_effects' `method`), in the page's language."""
    return {"against non-eligible teams": t("against non-eligible teams"),
            "against the weeks before": t("against the weeks before")}  # fmt: skip


def contest_effect_table(effect: dict[str, Any]) -> pd.DataFrame:
    """Each contest's effect, then all contests pooled, in the page's language."""
    rows = []
    for found in (*effect.get("contests", []), {**effect.get("pooled", {}), "contest_id": t("All contests")}):
        share = found.get("new_voices_share")
        rows.append({
            t("Contest"): found.get("name") or found["contest_id"],
            t("Compared with"): _baselines().get(found.get("method") or "", "–"),
            t("During (95 % CI)"): _times(found["lift_during"]),
            t("After (95 % CI)"): _times(found["lift_after"]),
            t("New voices"): "–" if share is None else f"{num(share * 100, 0)} %",
            t("Best-written"): _times({"ratio": found.get("best_written_ratio")}),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _times(found: dict[str, Any]) -> str:
    """A ratio with its interval in one short cell: "×1.20 (1.05–1.35)"; a dash where there is none."""
    if found.get("ratio") is None:
        return "–"
    bounds = found.get("ci95")
    return "×" + num(found["ratio"], 2) + (f" ({num(bounds[0], 2)}–{num(bounds[1], 2)})" if bounds else "")


def report_available() -> bool:
    """Whether the server can draw the PDF report (Chromium for its charts, the DejaVu fonts)."""
    from dashboard import report as pdf  # kaleido and fpdf2 load only for the report

    return pdf.can_render()


def _report_request(request: ImpactRequest, language: str) -> Any:
    from dashboard import report as pdf

    return pdf.ReportRequest(request, request.period, language)


def report_filename(request: ImpactRequest, language: str) -> str:
    """The PDF's file name for the page's filters."""
    from dashboard import report as pdf

    return pdf.filename(_report_request(request, language))


def report_pdf(request: ImpactRequest, language: str) -> bytes:
    """The PDF report of the page's filters and period, in `language`: what the Overview shows, on paper."""
    from dashboard import report as pdf

    with connect(db_path(), read_only=True) as con:
        gathered = pdf.gather(con, _report_request(request, language))
    return pdf.finish(gathered).pdf  # the charts are drawn once the database is let go


@st.cache_data(show_spinner=False, max_entries=16)
def _overview(path: str, data_version: Version, request: ImpactRequest) -> tuple[dict[str, Any], pd.DataFrame]:
    with connect(path, read_only=True) as con:
        return queries.overview(con, request)


def overview(request: ImpactRequest | None = None) -> tuple[dict[str, Any], pd.DataFrame]:
    """The Overview's report of the filters (only what it shows) and its posts and incidents per week,
    organisation-wide."""
    return _overview(str(db_path()), version(), request or ImpactRequest())


@st.cache_data(show_spinner=False, max_entries=8)
def _contests(path: str, data_version: Version) -> list[Contest]:
    with connect(path, read_only=True) as con:
        return contests(con)


def contest_list() -> list[Contest]:
    return _contests(str(db_path()), version())


@st.cache_data(show_spinner=False, max_entries=32)
def _ranking(path: str, data_version: Version, contest_id: str, criterion: str, by: str) -> Ranking:
    with connect(path, read_only=True) as con:
        return ranking(con, contest_id, criterion, by)


def contest_ranking(contest_id: str, criterion: str, by: str) -> Ranking:
    return _ranking(str(db_path()), version(), contest_id, criterion, by)


def ledger() -> pd.DataFrame:
    return _ledger(str(db_path()), version())


@st.cache_data(show_spinner=False, max_entries=4)
def _ledger(path: str, data_version: Version) -> pd.DataFrame:
    with connect(path, read_only=True) as con:
        rows = uploads(con)
    columns = ["upload_id", "file_name", "kind", "rows_read", "loaded", "updated", "unchanged", "quarantined",
               "export_date", "loaded_at", "loaded_by", "undone_at", "undone_by", "duplicate_of"]  # fmt: skip
    return pd.DataFrame(rows[::-1], columns=columns)


ALL_IN_DOWNLOAD = "The first {shown} of {total} rows are shown; the download holds them all."
ALL_IN_DOWNLOADS = "The first {shown} of {total} rows are shown; the downloads hold them all."


def first_rows(table: Table) -> Table:
    """The rows of `table` a page shows (see ROWS_SHOWN)."""
    return replace(table, frame=table.frame.head(ROWS_SHOWN))


def more_rows(total: int, said: str) -> str | None:
    """What a table cut to its first rows says under it (`said`, a template above), in the page's language; None
    where it shows every row."""
    return t(said).format(shown=num(ROWS_SHOWN, 0), total=num(total, 0)) if total > ROWS_SHOWN else None


QUARANTINE_COLUMNS = ["upload_id", "file", "kind", "line", "raw", "reason"]


def quarantine() -> tuple[pd.DataFrame, int]:
    """The first ROWS_SHOWN rows waiting in quarantine, with their text (the comms pages only: a row may be one
    person's post), and how many wait in all."""
    return _quarantine(str(db_path()), version())


@st.cache_data(show_spinner=False, max_entries=4)
def _quarantine(path: str, data_version: Version) -> tuple[pd.DataFrame, int]:
    with connect(path, read_only=True) as con:
        rows, waiting = queries.quarantine(con)
    return pd.DataFrame(rows, columns=QUARANTINE_COLUMNS), waiting


def quarantine_csv(headers: dict[str, str]) -> Callable[[], bytes]:
    """Every row waiting in quarantine as CSV for Excel, under `headers` (column -> header), in the page's
    language: made when the download is clicked (`st.download_button` runs it on a thread of its own, without the
    page's session, so the database and the language are taken now)."""
    path, language = str(db_path()), lang()

    def made() -> bytes:
        with connect(path, read_only=True) as con:
            rows = pd.DataFrame(quarantined(con), columns=QUARANTINE_COLUMNS)
        return _quarantine_csv(rows, headers, language)

    return made


def lines_csv(lines: pd.DataFrame, headers: dict[str, str]) -> Callable[[], bytes]:
    """Quarantined lines already read (an upload's), as `quarantine_csv` writes them, made when clicked."""
    language = lang()
    return lambda: _quarantine_csv(lines, headers, language)


def _quarantine_csv(rows: pd.DataFrame, headers: dict[str, str], language: str) -> bytes:
    rows = rows[list(headers)].copy()
    if "reason" in rows:  # each distinct reason translated once: a file's every line may share one
        rows["reason"] = rows["reason"].map({r: translate(r, language) for r in rows["reason"].unique()})
    if "kind" in rows:
        rows["kind"] = rows["kind"].map({k: kind_name(k, language) for k in rows["kind"].unique()})
    return to_table_csv(rows.rename(columns=headers), language)


def coverage() -> dict[str, Any]:
    return _coverage(str(db_path()), version())


@st.cache_data(show_spinner=False, max_entries=4)
def _coverage(path: str, data_version: Version) -> dict[str, Any]:
    with connect(path, read_only=True) as con:
        return queries.coverage(con)


def preview(files: list[tuple[str, bytes]], export_date: date | None, kind: str | None = None,
            author: str | None = None) -> tuple[list[LoadResult], pd.DataFrame]:  # fmt: skip
    """What loading the files would do, nothing written (`load.dry_run`): the results, and the lines that would be
    quarantined (file, line, text, reason). A database file is previewed in a copy: a connection that writes to it
    would shut the pages out meanwhile. A lake is previewed in itself, in a transaction rolled back: its readers
    and writers go on, and copying it could take minutes."""
    with tempfile.TemporaryDirectory(prefix="advocacy-preview-") as tmp:
        location = db_path()
        if not isinstance(location, config.Lake):
            copy = Path(tmp) / "preview.duckdb"
            copy_database(location, copy)
            location = copy
        results, lines = dry_run(location, _written(files, Path(tmp), export_date, kind, author))
    return results, pd.DataFrame(lines, columns=QUARANTINE_COLUMNS)


def load(files: list[tuple[str, bytes]], export_date: date | None, kind: str | None = None,
         author: str | None = None) -> list[LoadResult]:  # fmt: skip
    """Load uploaded files (name, bytes), each keeping its own name in the ledger. `kind` and `author` are the
    upload's choices (the file kind, the employee of a file without authors)."""
    with tempfile.TemporaryDirectory(prefix="advocacy-upload-") as tmp:
        results = [result for path, options in _written(files, Path(tmp), export_date, kind, author)
                   for result in load_paths(db_path(), [path], options)]  # fmt: skip
    if any(r.upload_id is not None for r in results):
        prepare_after_change()
    return results


def _written(files: list[tuple[str, bytes]], folder: Path, export_date: date | None, kind: str | None,
             author: str | None) -> list[tuple[Path, LoadOptions]]:  # fmt: skip
    """The uploaded files written into `folder`, each with the options it loads with."""
    written = []
    for index, (name, content) in enumerate(files):
        path = folder / f"{index}_{Path(name).name}"
        path.write_bytes(content)
        options = LoadOptions(display_name=Path(name).name, export_date=export_date, kind=kind, author=author,
                              loaded_by=auth.who())  # fmt: skip
        written.append((path, options))
    return written


def kinds() -> list[str]:
    """The file kinds an upload may be told it is."""
    return list(FILE_KINDS)


def max_upload_mb() -> int:
    """The largest file the uploader takes, in MB (the loader's own limit)."""
    return int(settings().max_upload_mb)


def undo(upload_id: int) -> UndoResult:
    """Take one upload back whole (UndoError when there is no such upload, or it was undone already)."""
    done = undo_upload(db_path(), upload_id, by=auth.who())
    prepare_after_change()
    return done


@st.cache_data(show_spinner=False, max_entries=16)
def _undo_preview(path: str, data_version: Version, upload_id: int) -> UndoResult:
    with connect(path, read_only=True) as con:  # read only: the page draws on a database it cannot change
        return undo_effects(con, upload_id)


def undo_preview(upload_id: int) -> UndoResult:
    """What undoing the upload would change (rows taken out, earlier versions back), nothing written."""
    return _undo_preview(str(db_path()), version(), upload_id)


def reprocess() -> list[ReprocessResult]:
    """Load again the quarantined rows whose cause is gone."""
    results = reprocess_all(db_path())
    if results:
        prepare_after_change()
    return results


def authors() -> dict[str, list[dict[str, Any]]]:
    """Authors who match nobody (with what waits on them), comms' decisions, and the posts of not staff."""
    return _authors(str(db_path()), version())


@st.cache_data(show_spinner=False, max_entries=4)
def _authors(path: str, data_version: Version) -> dict[str, list[dict[str, Any]]]:
    with connect(path, read_only=True) as con:
        install_macros(con)
        return authors_ledger(con)


PEOPLE_SHOWN = 50  # the roster's people offered for an author, those most like the search first


def people_like(text: str) -> dict[str, str]:
    """employee_id -> "id · name" of the roster's people most like `text` (ledger.people_like), for choosing whom an
    author is (the comms pages only): a roster of 250,000 people is searched, not sent whole to the browser."""
    return _people_like(str(db_path()), version(), text)


@st.cache_data(show_spinner=False, max_entries=64)
def _people_like(path: str, data_version: Version, text: str) -> dict[str, str]:
    with connect(path, read_only=True) as con:
        install_macros(con)
        return {i: f"{i} · {name or ''}".rstrip(" ·") for i, name in ledger_people_like(con, text, PEOPLE_SHOWN)}


def decide_author(author: str, employee_id: str | None) -> Decision:
    """This author is this employee (or, with None, not staff); DecisionRefused when it cannot be."""
    decision = decide(db_path(), author, employee_id=employee_id, not_staff=employee_id is None, by=auth.who())
    prepare_after_change()
    return decision


def load_demo() -> None:
    """Write the demo programme as export files and load it (only offered on an empty database)."""
    from pipelines.synthetic.demo import build_demo  # the generator is only needed here

    build_demo(db_path())
    prepare_after_change()


def table_csv(frame: pd.DataFrame | Table) -> bytes:
    """A table as shown, as CSV for Excel in the page's language (French: ';' and decimal commas)."""
    return to_table_csv(frame, lang())


def shown(table: Table) -> Any:
    """The table for st.dataframe: each number written the page's way with its decimals (1 234,57 in French),
    while the cells keep their numbers, so that a click on a header sorts them as numbers."""
    if table.frame.empty or not table.decimals:  # nothing to write: no Styler, which costs about 9 ms a table to send
        return table.frame
    language = lang()
    return table.frame.style.format(
        {name: (lambda v, d=d: formatted(v, d, language)) for name, d in table.decimals.items()}
    )


def ranking_shown(r: Ranking) -> Table:
    """The ranking as the page shows it, in the page's language: the one frame both downloads hold."""
    return ranking_table(r, lang())


@st.cache_data(show_spinner=False, max_entries=8)
def _ranking_files(path: str, data_version: Version, contest_id: str, criterion: str, by: str,
                   language: str) -> tuple[bytes, bytes]:  # fmt: skip
    table = ranking_table(_ranking(path, data_version, contest_id, criterion, by), language)
    return to_table_csv(table, language), table_xlsx(table, "Ranking")


def ranking_files(contest_id: str, criterion: str, by: str) -> tuple[bytes, bytes]:
    """The ranking as shown (`ranking_shown`), as CSV for Excel in the page's language and as an Excel workbook;
    made once per ranking and language (writing them took a third of the Contests page's run at each rerun)."""
    return _ranking_files(str(db_path()), version(), contest_id, criterion, by, lang())


def decimals(key: str) -> int:
    """How many decimals the metric catalogue shows a report metric with."""
    return catalogue.REPORT[key].decimals


def unit(key: str) -> str:
    """A report metric's unit in the catalogue (a share is shown as a percentage)."""
    return catalogue.REPORT[key].unit


def higher_is_better(key: str) -> bool | None:
    """Which way a report metric should go (None: neither), from the metric catalogue."""
    return catalogue.REPORT[key].higher_is_better


def scope_label(request: ImpactRequest) -> str:
    """What the filters select, in words, for a chart's title."""
    return charts.scope_label(request, t, day)


def charter_days(scopes: list[dict[str, Any]]) -> dict[date, list[str]]:
    """The charter dates of the report's teams, each with the teams that adopted then."""
    return charts.charter_days(scopes)


def glossary(lang: str) -> pd.DataFrame:
    """Every figure of the reports with its one-line meaning, from the metric catalogue (the Method page)."""
    groups = (catalogue.REPORT, catalogue.EFFECTS, catalogue.CRITERIA, catalogue.TRENDS)
    rows = [(m.label(lang), m.about(lang)) for group in groups for m in group.values()]
    return pd.DataFrame(rows, columns=["figure", "meaning"]).drop_duplicates("figure")


@st.cache_data(show_spinner=False, max_entries=16)
def _trends(path: str, data_version: Version, request: ImpactRequest) -> dict[str, pd.DataFrame]:
    with connect(path, read_only=True) as con:
        return queries.trends(con, request)


def trends(request: ImpactRequest | None = None) -> dict[str, pd.DataFrame]:
    """Month by month, with the filters: "monthly" (per scope), "network" and "format" (breakdowns),
    "top_engagements" and "top_impressions" (the best posts, no author)."""
    return _trends(str(db_path()), version(), request or ImpactRequest())


KINDS = {  # in English; shown through t()
    "employees": "Roster (employees)", "teams": "Teams", "posts": "Posts", "engagement": "Engagement",
    "incidents": "Incidents", "contests": "Contests", "jury_scores": "Jury scores", "workshops": "Workshops",
}  # fmt: skip


def kind_name(kind: str | None, language: str | None = None) -> str:
    """A file kind as comms calls it, in `language` (default: the page's): jury_scores → Jury scores, Notes du
    jury."""
    return translate(KINDS[kind], language or lang()) if kind in KINDS else kind or ""


def trend_label(key: str) -> str:
    """A trend figure's label from the metric catalogue, in the page's language."""
    return catalogue.TRENDS[key].label(lang())


def trend_about(key: str) -> str:
    """What a trend figure means, from the metric catalogue, in the page's language."""
    return catalogue.TRENDS[key].about(lang())
