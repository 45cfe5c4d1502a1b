"""The dashboard, driven by Streamlit's AppTest on real DuckDB files (the demo, and an empty one)."""

from __future__ import annotations

import ast
import base64
import json
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import i18n
from dashboard.pages import path as page_path
from pipelines.analytics import verdict
from pipelines.analytics.metrics import impact, weekly_timeline
from pipelines.analytics.scopes import ImpactRequest
from pipelines.ingest.undo import undo
from pipelines.store.db import connect
from tests.conftest import APP, PAGES, app, load, oidc_app, prepared, query, uploads, write, written

TEAMS_CSV = b"team,headcount,charter_adopted_on\nNew Team,7,2025-06-02\nBad Team,seven,2025-06-02\n"
pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_demo(demo: Path, page: str) -> None:
    at = app(page)
    assert at.title[0].value


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_an_empty_database(empty: Path, page: str) -> None:
    at = app(page)
    assert at.title[0].value


def test_overview_shows_the_reports_posts_per_week_change(demo: Path) -> None:
    with connect(demo, read_only=True) as con:
        posts = impact(con, ImpactRequest())["scopes"][0]["metrics"]["posts_per_week"]
    at = app("overview")
    card = at.metric[0]
    assert card.label == "Posts per week"
    assert card.value == f"{posts['before']:.1f} → {posts['after']:.1f}"
    assert card.delta == f"+{round(posts['change_pct'])} %"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "Posts per week" in spec["layout"]["yaxis"]["title"]["text"]
    assert "Week" in spec["layout"]["xaxis"]["title"]["text"]
    with connect(demo, read_only=True) as con:
        expected = weekly_timeline(con, ImpactRequest())["posts_without_charter"]
    fit = next(trace for trace in spec["data"] if "without the charter" in trace["name"])
    drawn = pd.Series(np.frombuffer(base64.b64decode(fit["y"]["bdata"]), fit["y"]["dtype"]))  # Plotly's typed array
    assert drawn.notna().sum() == expected.notna().sum() > 10
    assert drawn.fillna(-1).to_numpy() == pytest.approx(expected.fillna(-1).to_numpy())


def test_overview_opens_with_the_verdict_of_the_adjusted_effect(demo: Path) -> None:
    from pipelines.analytics import verdict

    with connect(demo, read_only=True) as con:
        expected = verdict.lines(impact(con, ImpactRequest())["scopes"][0]["effect"], "en")
    at = app("overview")
    assert at.subheader[0].value == "The answer"
    shown = [box.value for box in (*at.success, *at.error, *at.info)]
    assert all(line in shown for line in expected) and len(expected) == 3
    assert any(caption.value.startswith("Data up to ") for caption in at.caption)


def test_overview_colours_each_change_by_its_direction_and_titles_the_chart_by_the_filter(demo: Path) -> None:
    at = app("overview")
    colours = {card.label: card.proto.color for card in at.metric}
    with connect(demo, read_only=True) as con:
        metrics = impact(con, ImpactRequest())["scopes"][0]["metrics"]
    holds = {k: m["ci95_pct"][0] <= 0 <= m["ci95_pct"][1] for k, m in metrics.items() if m.get("ci95_pct")}
    # posts up and incidents down, each clear of no change: both read as better (green), engagement is within chance
    assert not holds["posts_per_week"] and not holds["incidents_per_1000_posts"] and holds["engagements_per_post"]
    assert colours["Posts per week"] == colours["Incidents per 1,000 posts"] != colours["Engagements per post"]
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert title.endswith("— whole organisation")
    at.multiselect(key="filter_teams").set_value(["Sales"]).run()
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert title.endswith("— Sales")


def test_overview_flags_low_confidence_on_the_card(demo: Path) -> None:
    at = app("overview")
    assert any("low confidence" in w.value and "incidents" in w.value for w in at.warning)


def test_empty_database_offers_the_demo(empty: Path) -> None:
    at = app("overview")
    assert at.info and not at.metric
    at.button(key="load_demo").click().run()
    assert not at.exception
    assert at.metric[0].label == "Posts per week"
    assert uploads(empty) > 0


def test_teams_page_hides_small_teams_and_charts_the_change(demo: Path) -> None:
    at = app("teams")
    shown = at.dataframe[0].value
    assert "other teams" in " ".join(shown["Team"])
    assert len(at.get("plotly_chart")) == 2  # change per team, and by months since adoption


def test_contest_and_criterion_change_the_table(demo: Path) -> None:
    at = app("contests")
    first = at.dataframe[0].value.copy()
    at.selectbox(key="criterion").set_value("engagement_per_post").run()
    second = at.dataframe[0].value.copy()
    assert not first.equals(second)
    at.selectbox(key="contest").set_value(at.selectbox(key="contest").options[-1]).run()
    assert not at.exception
    at.radio(key="by").set_value("team").run()
    assert "Members" in at.dataframe[0].value.columns


def test_best_written_without_jury_scores_says_so(demo: Path) -> None:
    at = app("contests")
    for option in at.selectbox(key="contest").options:
        at.selectbox(key="contest").set_value(option)
        at.selectbox(key="criterion").set_value("best_written").run()
        if at.info:
            assert "jury" in at.info[0].value
            return
    pytest.skip("every demo contest has jury scores")


def test_upload_previews_then_loads_after_confirm(demo: Path) -> None:
    before = uploads(demo)
    at = app("upload")
    at.get("file_uploader")[0].set_value([("teams.csv", TEAMS_CSV, "text/csv")]).run()
    assert not at.exception, [e.value for e in at.exception]
    said = [x.value for x in at.text]
    assert "✅ teams.csv (Teams): would load 2 rows: 1 new rows, 1 in quarantine (below)." in said
    lines = at.dataframe[0].value  # the quarantined line itself, its text and its whole reason
    assert lines["Line"].tolist() == [3] and "Bad Team,seven" in lines["Text"].iloc[0]
    assert "seven" in lines["Reason"].iloc[0]
    assert uploads(demo) == before  # the preview wrote nothing
    at.button(key="confirm").click().run()
    assert not at.exception
    assert uploads(demo) == before + 1
    assert [s.value for s in at.success] == ["Loaded. Every page now shows the new data."]
    assert "Preview (nothing written yet)" not in [h.value for h in at.subheader]  # the preview is gone
    assert not at.get("file_uploader")[0].value and "confirm" not in [b.key for b in at.button]
    at.switch_page(page_path("data")).run()
    ledger = next(d.value for d in at.dataframe if "Rows read" in d.value.columns)
    assert "teams.csv" in ledger["File"].tolist()  # the ledger shows it at once
    assert ledger["By"].iloc[0].endswith("(dashboard)")  # the person, not "dashboard"


def test_after_an_upload_the_pages_open_on_reports_prepared_in_the_background(demo: Path) -> None:
    at = app("upload")
    at.get("file_uploader")[0].set_value([("teams.csv", TEAMS_CSV, "text/csv")]).run()
    at.button(key="confirm").click().run()
    assert [s.value for s in at.success] == ["Loaded. Every page now shows the new data."]
    prepared()
    kept = written(demo)
    assert kept  # the reports of the data with the upload
    for page in ("overview", "teams", "programme", "trends", "data"):
        at.switch_page(page_path(page)).run()
        assert not at.exception, page
    assert written(demo) == kept  # each page read them back


def test_a_change_made_elsewhere_is_prepared_for_once_a_page_sees_it(demo: Path) -> None:
    """A load from the command line (or another server) is not the dashboard's: the first page that sees the new
    data starts the preparation, and the other pages then open on its reports."""
    from datetime import date

    from pipelines.ingest.load import set_charter

    at = app("overview")  # the dashboard knows the data as it is
    prepared()
    set_charter(demo, date(2026, 1, 5), by="test")  # its own connection, as the command line's
    at.run()  # the Overview sees the change (and computes its own report meanwhile)
    assert not at.exception
    prepared()
    kept = written(demo)
    for page in ("teams", "programme", "trends", "data"):
        at.switch_page(page_path(page)).run()
        assert not at.exception, page
    assert written(demo) == kept  # each page read back what the preparation kept


ENDS_WHILE_PREPARING = """
import sys, threading, time
from datetime import date
from pathlib import Path
from streamlit.testing.v1 import AppTest
from pipelines.ingest.load import set_charter
from tests.conftest import written

app, db = sys.argv[1], Path(sys.argv[2])
at = AppTest.from_file(app, default_timeout=120).run()
set_charter(db, date(2026, 1, 5), by="test")
at.run()  # the Overview sees the change and starts the preparation, from Streamlit's (daemon) script thread
own = written(db)  # the Overview's reports, and those the preparation kept so far


def preparing():
    return any(thread.name == "advocacy-prepare" for thread in threading.enumerate())


while preparing() and not written(db).keys() - own.keys():  # until the preparation keeps a page past them
    time.sleep(0.01)
print("ending", flush=True)
"""


def test_a_process_that_ends_during_a_preparation_ends_cleanly(demo: Path) -> None:
    """A server stopped (or a test process ending) while reports are being prepared: the preparation stops after
    the page it is on, and the process exits normally. A daemon thread inside DuckDB at exit aborted it."""
    import subprocess
    import sys

    ended = subprocess.run(
        [sys.executable, "-c", ENDS_WHILE_PREPARING, str(APP), str(demo)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert (ended.returncode, ended.stdout) == (0, "ending\n"), ended.stderr[-3000:]
    assert "Traceback" not in ended.stderr, ended.stderr[-3000:]


def test_upload_offers_no_confirm_when_nothing_would_change(demo: Path) -> None:
    at = app("upload")
    at.get("file_uploader")[0].set_value([("teams.csv", TEAMS_CSV, "text/csv")]).run()
    at.button(key="confirm").click().run()
    before = uploads(demo)
    at.get("file_uploader")[0].set_value([("teams (1).csv", TEAMS_CSV, "text/csv")]).run()
    assert "confirm" not in [b.key for b in at.button]  # the same file again changes nothing
    assert any("nothing to confirm" in i.value for i in at.info)
    assert uploads(demo) == before


def test_one_file_refused_of_two_says_so_and_loads_the_other(demo: Path) -> None:
    at = app("upload")
    refused = b"colour,shape\nred,round\n"
    at.get("file_uploader")[0].set_value([("teams.csv", TEAMS_CSV, "text/csv"), ("odd.csv", refused, "text/csv")])
    at.run()
    said = [x.value for x in at.text]
    assert any(line.startswith("⛔ odd.csv: refused. ") and len(line) > 60 for line in said)  # the whole reason
    assert at.button(key="confirm").label == "Confirm and load (1/2)"
    at.button(key="confirm").click().run()
    assert [w.value for w in at.warning] == ["1/2 files loaded; the refused ones wrote nothing."]


def test_uploaded_names_are_shown_as_text_not_markdown(demo: Path) -> None:
    at = app("upload")
    at.get("file_uploader")[0].set_value([("**loud**.csv", TEAMS_CSV, "text/csv")]).run()
    assert not at.exception
    assert any(x.value.startswith("✅ **loud**.csv") for x in at.text)
    markdown = [x.value for x in at.markdown] + [x.label for x in at.expander]
    assert not any("**loud**" in text for text in markdown)


def unescaped(markdown: str) -> str:
    """Text as Markdown shows it: the page escapes what would otherwise be read as markup."""
    return markdown.replace("\\", "")


def test_every_undo_asks_anew_and_says_what_it_changes(demo: Path) -> None:
    before = uploads(demo)
    at = app("data")
    first = at.selectbox(key="undo_id").value
    go = at.button(key=f"go_undo_{first}_0")
    assert go.disabled and any(f"Undoing Upload {first} (" in unescaped(w.value) for w in at.warning)
    at.checkbox(key=f"sure_undo_{first}_0").check().run()
    at.button(key=f"go_undo_{first}_0").click().run()
    assert not at.exception
    assert uploads(demo) == before - 1
    assert any(
        unescaped(s.value).startswith(f"Upload {first} (") and "row(s) taken out" in unescaped(s.value)
        for s in at.success
    )
    second = at.selectbox(key="undo_id").value
    assert second != first
    # the next upload asks again: a new box, unticked, and the button off until it is ticked
    assert at.button(key=f"go_undo_{second}_1").disabled and not at.checkbox(key=f"sure_undo_{second}_1").value
    assert uploads(demo) == before - 1


def test_reprocess_asks_then_says_what_it_loaded(demo: Path) -> None:
    at = app("data")
    waiting = len(at.dataframe[-1].value)
    assert waiting and any(f"Reprocess: {waiting} quarantined row(s)" in unescaped(w.value) for w in at.warning)
    at.checkbox(key=f"sure_reprocess_{waiting}_0").check().run()
    at.button(key=f"go_reprocess_{waiting}_0").click().run()
    assert not at.exception
    # nothing changed for the demo's quarantined rows: said as such, not as a success
    assert not at.success and any("Nothing new could be loaded." in i.value for i in at.info)


def test_password_gate_blocks_then_admits(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVOCACY_COMMS_PASSWORD", "s3cret")
    at = app("data")
    assert not at.dataframe and at.text_input(key="comms_password")
    at.text_input(key="comms_password").set_value("wrong").run()
    assert [e.value for e in at.error] == ["Wrong password."] and not at.dataframe
    at.text_input(key="comms_password").set_value("s3cret").run()
    assert at.dataframe
    at.switch_page(page_path("upload")).run()
    assert at.get("file_uploader")


def test_oidc_gate_asks_to_log_in_then_checks_the_comms_accounts(demo: Path, monkeypatch) -> None:
    at = oidc_app("upload", {"is_logged_in": False}, monkeypatch, emails="comms@example.com, Chief@example.com")
    assert not at.get("file_uploader") and at.button(key="login")
    assert not at.text_input  # no password field: the provider decides
    at = oidc_app("data", {"is_logged_in": True, "email": "intern@example.com"}, monkeypatch)
    assert [e.value for e in at.error] == ["This account does not have the comms role."] and not at.dataframe
    at = oidc_app("upload", {"is_logged_in": True, "email": "chief@example.com"}, monkeypatch)
    assert at.get("file_uploader") and at.button(key="logout")
    at = oidc_app("overview", {"is_logged_in": False}, monkeypatch)
    assert at.metric  # leadership pages stay open


def test_french_numbers_and_dates(demo: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "fr"
    at.run()
    assert at.metric[0].label == "Publications par semaine"
    assert "," in at.metric[0].value
    for page in PAGES[1:]:
        at.switch_page(page_path(page)).run()
        assert not at.exception, (page, [e.value for e in at.exception])


def test_every_label_has_a_french_translation() -> None:
    labels = set()
    for path in (Path(APP).parent).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t" and node.args:
                if isinstance(node.args[0], ast.Constant):
                    labels.add(node.args[0].value)
    assert len(labels) > 50
    assert sorted(labels - set(i18n.FR)) == []


def test_number_formats_per_language() -> None:
    import streamlit as st

    st.session_state["lang"] = "fr"
    assert i18n.num(1234.5) == "1\u202f234,5" and i18n.day(date(2026, 11, 25)) == "25/11/2026"
    assert i18n.moment(datetime(2026, 12, 7, 10, 29, 5)) == "07/12/2026 10:29" and i18n.pct(-1.6) == "−2 %"
    st.session_state["lang"] = "en"
    assert i18n.num(1234.5) == "1,234.5" and i18n.pct(-12.4) == "−12 %" and i18n.pct(-99.92) == "−99.9 %"
    assert i18n.moment(datetime(2026, 12, 7, 10, 29, 5)) == "2026-12-07 10:29" and i18n.day(None) == "–"
    # a change that rounds to nothing has no sign and no arrow: not "↓ −0 %"
    assert [i18n.pct(v) for v in (-0.3, 0.4, 0.6, -0.6)] == ["0 %", "0 %", "+1 %", "−1 %"]
    assert i18n.signed(-0.04, 1, " pts") == "0.0 pts" and i18n.signed(0.06, 1, " pts") == "+0.1 pts"
    assert [i18n.arrow(i18n.delta(v)) for v in (-0.3, -3.0, 3.0)] == ["off", "auto", "auto"]
    assert i18n.delta(-3.0) == "-3 %" and i18n.arrow(None) == "off"
    assert [verdict.signed_pct(v) for v in (-0.4, 0.4, 33.2, -97.6)] == ["0 %", "0 %", "+33 %", "−98 %"]


def test_the_data_page_writes_counts_days_and_states_in_the_page_language(demo: Path) -> None:
    """Comms reads the coverage and the uploads as the page's language writes numbers and days: a dash where a
    source has no day (its only upload undone), not "None"; an undone upload said so in its own column."""
    [(contests,)] = query(demo, "SELECT upload_id FROM uploads WHERE kind = 'contests'")
    undo(demo, contests, by="Léa 🚀")
    [(posts,)] = query(demo, "SELECT count(*) FROM posts")
    assert posts >= 1000  # so that it needs a thousands separator
    for lang, rows in (("fr", f"{posts:,}".replace(",", "\u202f")), ("en", f"{posts:,}")):
        at = app("data", lang)
        coverage, uploaded = (_display(at.dataframe[i]) for i in (0, 3))
        sources = dict(zip(coverage.iloc[:, 0], coverage.iloc[:, 1:].values.tolist(), strict=True))
        assert sources[i18n.translate("Posts", lang)][2] == rows
        assert sources[i18n.translate("Contests", lang)] == ["–", "–", "0"]
        first_day = sources[i18n.translate("Posts", lang)][0]
        assert first_day == (date(2025, 1, 1).strftime("%d/%m/%Y") if lang == "fr" else "2025-01-01")
        states = dict(zip(uploaded.iloc[:, 1].astype(int), uploaded.iloc[:, 0], strict=True))
        assert states[contests] == i18n.translate("undone", lang)
        assert set(states.values()) == {i18n.translate("undone", lang), i18n.translate("in force", lang)}
        undone = uploaded.loc[uploaded.iloc[:, 1].astype(int) == contests].iloc[0].tolist()
        assert undone[-1] == "Léa 🚀" and undone[-2] != "–" and "None" not in map(str, undone)
        assert undone[3] == i18n.translate("Contests", lang)  # the kind by its name, not "contests"
    # the state, the upload and its file stay in sight while the wide table scrolls sideways
    config = json.loads(at.dataframe[3].proto.columns)
    assert {name for name, column in config.items() if column.get("pinned")} == {
        i18n.translate(h, lang) for h in ("Status", "Upload", "File")
    }


def test_filters_are_kept_in_the_address_and_change_the_figures(demo: Path) -> None:
    at = app("overview")
    whole = at.metric[0].value
    network = at.multiselect(key="filter_networks").options[0]
    at.multiselect(key="filter_networks").set_value([network]).run()
    assert not at.exception
    assert at.query_params["networks"] in (network, [network])
    assert at.metric[0].value != whole
    again = AppTest.from_file(APP, default_timeout=60)
    again.query_params["networks"] = network
    again.run()
    assert again.multiselect(key="filter_networks").value == [network]
    assert again.metric[0].value == at.metric[0].value


def test_a_date_range_is_kept_in_the_address_and_narrows_the_comparison(demo: Path) -> None:
    from datetime import date

    at = app("overview")
    whole = at.metric[0].value
    at.date_input(key="filter_from").set_value(date(2025, 3, 1)).run()
    at.date_input(key="filter_to").set_value(date(2026, 6, 30)).run()
    assert not at.exception
    assert at.query_params["from"] in ("2025-03-01", ["2025-03-01"])
    assert at.query_params["to"] in ("2026-06-30", ["2026-06-30"])
    assert at.metric[0].value != whole
    again = AppTest.from_file(APP, default_timeout=60)
    again.query_params["from"] = "2025-03-01"
    again.query_params["to"] = "2026-06-30"
    again.run()
    assert again.metric[0].value == at.metric[0].value


def test_a_busy_database_gets_a_message_not_a_stack_trace(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    monkeypatch.setenv("ADVOCACY_BUSY_TIMEOUT", "0.3")
    holder = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)"
    writer = subprocess.Popen([sys.executable, "-c", holder, str(demo)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "held"
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception
        assert any("busy" in e.value for e in at.error)
    finally:
        writer.kill()
        writer.wait()


def test_pages_show_new_data_right_after_an_undo(demo: Path) -> None:
    at = app("overview")
    shown = at.metric[0].value
    with connect(demo, read_only=True) as con:
        charter_upload = con.execute(
            "SELECT max(upload_id) FROM uploads WHERE kind = 'teams' AND undone_at IS NULL"
        ).fetchall()[0][0]
    undo(demo, charter_upload, by="test")  # the charter dates go: no before/after comparison any more
    at.run()
    assert not at.exception
    assert not at.metric or at.metric[0].value != shown


def test_a_page_reads_the_datas_version_once_and_sees_another_processs_write_at_once(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each cached call of a page asks for the data's version: it is read from the database only when the file
    changed on disk since, so asking again opens no connection, and a write made elsewhere is seen on the next
    ask, not a second later."""
    from datetime import date

    from dashboard import data
    from pipelines.ingest.load import set_charter

    opened: list[object] = []
    real = data.connect

    def counted(*args: object, **kwargs: object):  # the real connection, counted
        opened.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(data, "connect", counted)
    before = data.version()
    assert [data.version() for _ in range(3)] == [before] * 3
    assert len(opened) == 1
    set_charter(demo, date(2026, 1, 5), by="test")  # its own connection, as the command line's
    after = data.version()
    assert after != before and after[0] == before[0] + 1
    assert len(opened) == 2


def test_once_every_upload_is_undone_the_dashboard_and_the_command_line_both_call_the_database_empty(
    demo: Path,
) -> None:
    from pipelines.cli import _is_empty
    from pipelines.store.db import connect
    from pipelines.store.ledger import uploads as ledger_rows

    with connect(demo, read_only=True) as con:
        active = [r["upload_id"] for r in ledger_rows(con) if r["undone_at"] is None and r["duplicate_of"] is None]
    for upload_id in active:
        undo(demo, upload_id)
    assert uploads(demo) == 0
    at = app("overview")
    assert _is_empty(demo)
    assert any("The database is empty" in info.value for info in at.info)


def test_every_french_label_is_one_the_dashboard_shows() -> None:
    """A key of the French catalogue that no page, chart or module of the dashboard names is dead: remove it."""
    import ast

    shown = set()
    for path in Path(APP).parent.rglob("*.py"):
        if path.name != "i18n.py":
            tree = ast.parse(path.read_text(encoding="utf-8"))
            shown |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert [key for key in i18n.FR if key not in shown] == []


def test_the_data_page_lists_unmatched_authors_and_decides_who_they_are(empty: Path, tmp_path: Path) -> None:
    from tests.ingest.test_real_exports import LINK, STAFF, linkedin_page_export, page_row

    load(empty, write(tmp_path / "staff.csv", STAFF))
    rows = [page_row(LINK.format(7350000000000000001 + i), "Organic", by, f"07/{10 + i:02d}/2025", 100, 1, 2, 0, 0)
            for i, by in enumerate(["Acme Social Team", "Chai M.", "Chai M."])]  # fmt: skip
    load(empty, linkedin_page_export(tmp_path, rows))
    at = app("data")
    waiting = next(d.value for d in at.dataframe if "Author" in d.value.columns)
    assert waiting[["Author", "Posts"]].values.tolist() == [["Chai M.", 2], ["Acme Social Team", 1]]
    at.selectbox(key="author_pick").select("Chai M.").run()
    # The roster is searched, the author's name first: "Chai M." finds Chaitanya Mandala, not Zoé Lefèvre ...
    assert at.text_input(key="author_find_Chai M.").value == "Chai M."
    assert at.selectbox(key="author_is").options[1:] == ["E1 · Chaitanya Mandala"]
    at.text_input(key="author_find_Chai M.").input("zoe").run()  # ... and "zoe" Zoé, accents aside
    assert at.selectbox(key="author_is").options[1:] == ["E2 · Zoé Lefèvre"]
    at.text_input(key="author_find_Chai M.").input("c@x.com").run()
    at.selectbox(key="author_is").select("E1").run()
    assert any("“Chai M.” → E1" in unescaped(w.value) and "2 post(s)" in unescaped(w.value) for w in at.warning)
    at.checkbox(key="sure_decide_Chai M._0").check().run()
    at.button(key="go_decide_Chai M._0").click().run()
    assert not at.exception and at.success
    assert query(empty, "SELECT employee_id, count(*) FROM posts GROUP BY 1") == [("E1", 2)]
    at.selectbox(key="author_pick").select("Acme Social Team").run()
    assert at.selectbox(key="author_is").options == ["not staff (an agency, the page's admin)"]  # only that
    assert any("Nobody in the roster matches this search" in c.value for c in at.caption)
    at.selectbox(key="author_is").select("").run()  # not staff
    at.checkbox(key="sure_decide_Acme Social Team_1").check().run()
    at.button(key="go_decide_Acme Social Team_1").click().run()
    assert query(empty, "SELECT count(*) FROM posts WHERE employee_id IS NULL") == [(1,)]
    assert any("not staff" in c.value for c in at.caption)


# --- tables and downloads: the table shown is the table downloaded ------------------------------------------


def _display(element) -> pd.DataFrame:
    """The text a dataframe shows (its Styler's display values), as a frame."""
    import pyarrow as pa

    styler = element.proto.arrow_data.styler
    return pa.ipc.open_stream(styler.display_values).read_pandas() if styler.display_values else element.value


def _contest_with_anonymous(at) -> None:
    """Pick the demo contest and criterion where someone anonymous is ranked, and a score (engagement per post)."""
    at.selectbox(key="criterion").set_value("engagement_per_post").run()
    for option in at.selectbox(key="contest").options:
        at.selectbox(key="contest").set_value(option).run()
        if at.dataframe[0].value.iloc[:, 1].eq("").any():
            return
    pytest.fail("no demo contest ranks an anonymous participant")


@pytest.mark.parametrize(
    ("lang", "headers", "anonymous"),
    [("en", ["Rank", "Employee ID", "Name", "Team", "Engagement per post", "Posts in the contest"],
      "Anonymous participant "),
     ("fr", ["Rang", "Matricule", "Nom", "Équipe", "Interactions par publication", "Publications du concours"],
      "Participant anonyme ")],
)  # fmt: skip
def test_the_contests_table_has_human_headers_typed_values_and_the_downloads_hold_it(demo, lang, headers, anonymous):
    import csv
    import io

    import openpyxl

    from dashboard import data

    at = app("contests", lang)
    _contest_with_anonymous(at)
    shown = at.dataframe[0].value
    assert list(shown.columns) == headers
    assert str(shown.dtypes.iloc[0]) == "Int64" and str(shown.dtypes.iloc[-1]) == "Int64"  # counts whole
    assert (shown.iloc[:, 4] == shown.iloc[:, 4].round(2)).all()  # a score to two decimals
    text = _display(at.dataframe[0])
    assert "None" not in text.astype(str).to_numpy().ravel()
    anonymous_rows = shown[shown.iloc[:, 1] == ""]
    assert len(anonymous_rows) and anonymous_rows.iloc[:, 2].str.startswith(anonymous).all()
    assert text.iloc[0, 4] == f"{shown.iloc[0, 4]:,.2f}".replace(",", "\u202f").replace(
        ".", "," if lang == "fr" else "."
    )
    # The downloads, built as the page builds them, hold the same headers and rows.
    import streamlit as st

    st.session_state["lang"] = lang
    as_csv, as_xlsx = data.ranking_files(at.selectbox(key="contest").value, "engagement_per_post", "employee")
    rows = list(csv.reader(io.StringIO(as_csv.decode("utf-8-sig")),
                           delimiter=";" if lang == "fr" else ","))  # fmt: skip
    assert rows[0] == headers and len(rows) == 1 + len(shown)
    expected = [[("" if pd.isna(v) else str(v)) for v in row] for row in shown.astype(object).itertuples(index=False)]
    for got, want, value in zip(rows[1:], expected, shown.iloc[:, 4], strict=True):
        assert got[:4] == want[:4] and got[5] == want[5]
        assert got[4] == f"{value:.2f}".replace(".", "," if lang == "fr" else ".")
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx))
    sheet = book.active
    assert [c.value for c in sheet[4]] == headers
    body = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert body == [[None if v == "" else v for v in row] for row in shown.astype(object).itertuples(index=False)]
    assert sheet.cell(row=5, column=5).number_format == "0.00"


def test_by_team_the_contest_value_is_labelled_per_member(demo) -> None:
    at = app("contests")
    at.radio(key="by").set_value("team").run()
    assert list(at.dataframe[0].value.columns) == [
        "Rank",
        "Team",
        "Members",
        "Posts per member",
        "Posts in the contest",
    ]


def test_the_teams_table_fits_1280_pixels(demo) -> None:
    at = app("teams", "fr")
    columns = at.dataframe[0].proto.columns
    shown = at.dataframe[0].value
    widths = {name: config.get("width") for name, config in json.loads(columns).items() if name in shown.columns}
    assert len(widths) == len(shown.columns) == 8 and all(isinstance(w, int) for w in widths.values())
    assert sum(widths.values()) <= 820  # the main column's width at 1280 pixels, the sidebar open
    shown = _display(at.dataframe[0])
    assert shown.iloc[0, 3].endswith(" %") and "," in shown.iloc[0, 2]  # +97 %, 9,4 → 18,6


# --- long tables: the first rows on screen, every row in the download -----------------------------------------

GUESTS = 1_200  # posts by people on no roster: more rows than a page shows


def _guests_posts() -> bytes:
    """A French platform's posts export (';', day-first dates, links for ids, UTF-8 with a BOM), each post by a
    guest on no roster, with an emoji in the name and a ';' in a quoted title."""
    lines = ["Lien de la publication;Auteur;Date de publication;Réseau;Type de contenu;Titre"]
    lines += [
        f"https://www.linkedin.com/feed/update/urn:li:activity:72000000000000{i:05d}/;Invité·e {i} 🚀;"
        f'{1 + i % 28:02d}/06/2025 09:{i % 60:02d};LinkedIn;Texte;"Salon n°{i} ; merci"'
        for i in range(1, GUESTS + 1)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _rows(csv_bytes: bytes) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig")), delimiter=";"))


def test_a_long_quarantine_shows_its_first_rows_and_its_download_holds_them_all(demo: Path) -> None:
    import streamlit as st

    from dashboard import data

    def first(shown: int, total: int, what: str = "lignes", said: str = "premières") -> str:
        return f"Les {i18n.num(shown, 0, 'fr')} {said} {what} sur {i18n.num(total, 0, 'fr')} sont affichés"

    waiting_before = query(demo, "SELECT count(*) FROM quarantine WHERE resolved_by IS NULL")[0][0]
    authors_before = len(next(d.value for d in app("data", "fr").dataframe if "Auteur" in d.value.columns))
    at = app("upload", "fr")
    at.get("file_uploader")[0].set_value([("publications_juin.csv", _guests_posts(), "text/csv")]).run()
    assert not at.exception, [e.value for e in at.exception]
    lines = at.dataframe[0].value
    assert len(lines) == data.ROWS_SHOWN and lines["Ligne"].tolist()[:2] == [2, 3]
    assert lines["Raison"].iloc[0] == "l'auteur 'Invité·e 1 🚀' ne correspond à personne de l'effectif"
    assert any(c.value.startswith(first(data.ROWS_SHOWN, GUESTS).removesuffix("s")) for c in at.caption)
    # The download holds every line of the file, reasons in French (made when clicked: here, called).
    st.session_state["lang"] = "fr"
    every = _rows(data.lines_csv(at.session_state["preview"][1], {"line": "Ligne", "reason": "Raison"})())
    assert every[0] == ["Ligne", "Raison"] and len(every) == 1 + GUESTS
    assert every[-1] == [str(GUESTS + 1), f"l'auteur 'Invité·e {GUESTS} 🚀' ne correspond à personne de l'effectif"]

    at.button(key="confirm").click().run()
    at.switch_page(page_path("data")).run()
    assert not at.exception, [e.value for e in at.exception]
    authors = next(d.value for d in at.dataframe if "Auteur" in d.value.columns)
    assert len(authors) == data.ROWS_SHOWN
    assert at.selectbox(key="author_pick").options == authors["Auteur"].tolist()  # the authors shown, to decide
    said = [c.value for c in at.caption]
    assert any(c.startswith(first(data.ROWS_SHOWN, authors_before + GUESTS, "auteurs", "premiers"))
               and "l'effectif manque" in c
               for c in said)  # fmt: skip
    waiting = waiting_before + GUESTS
    assert len(at.dataframe[-1].value) == data.ROWS_SHOWN
    assert any(c.startswith(first(data.ROWS_SHOWN, waiting).removesuffix("s")) for c in said)
    assert any(f"Retraiter : {i18n.num(waiting, 0, 'fr')} ligne" in unescaped(w.value) for w in at.warning)
    every = _rows(data.quarantine_csv({"file": "Fichier", "line": "Ligne", "reason": "Raison"})())
    assert len(every) == 1 + waiting
    assert every[-1] == ["publications_juin.csv", str(GUESTS + 1),
                         f"l'auteur 'Invité·e {GUESTS} 🚀' ne correspond à personne de l'effectif"]  # fmt: skip


def test_a_long_ranking_shows_its_first_rows_and_the_downloads_hold_them_all(demo, monkeypatch) -> None:
    from dashboard import data

    at = app("contests")
    ranked = at.dataframe[0].value
    assert len(ranked) > 3
    monkeypatch.setattr(data, "ROWS_SHOWN", 3)  # the demo's contests rank fewer people than a page shows
    at.run()
    assert at.dataframe[0].value.equals(ranked.head(3))
    said = f"The first 3 of {len(ranked)} rows are shown; the downloads hold them all."
    assert said in [c.value for c in at.caption]
    as_csv, _ = data.ranking_files(at.selectbox(key="contest").value, at.selectbox(key="criterion").value, "employee")
    assert len(as_csv.decode("utf-8-sig").splitlines()) == 1 + len(ranked)
