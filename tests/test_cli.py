"""The `advocacy` command line: run through `pipelines.cli.main` (and a few times as a real process)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import config
from pipelines.cli import build_parser, main
from pipelines.store.db import SCHEMA_VERSION, connect

ADVOCACY = Path(sys.executable).with_name("advocacy")

ROSTER = "employee_id,full_name,email,team\nE1,Ann Lee,ann@x.com,Sales\nE2,Bob Ray,bob@x.com,Ops\n"
ROSTER_E3 = "employee_id,full_name,email,team\nE3,Cy Dee,cy@x.com,Sales\n"
ROSTER_E1_MOVED = "employee_id,full_name,email,team\nE1,Ann Lee,ann@x.com,Marketing\n"
POSTS_UNKNOWN_AUTHOR = (
    "post_id,author,published_at\n"
    "urn:li:activity:7000000000000000011,E1,2025-04-01\n"
    "urn:li:activity:7000000000000000012,E3,2025-04-02\n"
    "urn:li:activity:7000000000000000013,E3,2025-04-03\n"
)
NOT_A_TABLE = "hello\nthis is not an export\n"
LOAD_KEYS = {
    "file", "kind", "upload_id", "rows_read", "loaded", "updated", "unchanged", "quarantined", "refused",
    "encoding", "delimiter", "date_order", "header_row", "sheet",
}  # fmt: skip


def run(*args: str | Path) -> int:
    """Run the CLI in this process; the exit code, whether returned or raised by argparse."""
    try:
        return main([str(a) for a in args])
    except SystemExit as exit_:
        return int(exit_.code or 0)


def run_json(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Any:
    capsys.readouterr()
    assert run(*args, "--json") == 0
    return json.loads(capsys.readouterr().out)


def csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def table_counts(db: Path) -> dict[str, int]:
    names = [n for (n,) in rows(db, "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1")]
    return {name: rows(db, f'SELECT count(*) FROM "{name}"')[0][0] for name in names}


def leaf_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(command words, parser) for every parser in the tree, the top one excluded."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from leaf_parsers(sub, (*path, name))


def listed_help(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(command words, the help line its parent's --help shows) for every subcommand."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for listed in action._choices_actions:
                yield (*path, listed.dest), listed.help
            for name, sub in action.choices.items():
                yield from listed_help(sub, (*path, name))


def is_leaf(parser: argparse.ArgumentParser) -> bool:
    return not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)


def sample_positionals(parser: argparse.ArgumentParser) -> list[str]:
    """A value for each positional argument: a number, a date or a word, after its type."""
    values = []
    for action in parser._actions:
        if action.option_strings or isinstance(action, argparse._SubParsersAction):
            continue
        values.append("1" if action.type is int else "2025-09-01" if action.type else "x")
    return values


@pytest.fixture(autouse=True)
def no_db_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADVOCACY_DB", raising=False)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli.duckdb"


# --- the parser ---------------------------------------------------------------------------------------------


def test_every_subcommand_of_the_brief_is_there():
    names = {" ".join(path) for path, _ in leaf_parsers(build_parser())}
    expected = {"load", "uploads", "quarantine", "reprocess", "undo", "charter", "charter set", "demo", "dashboard"}
    assert expected <= names


@pytest.mark.parametrize("path", [p for p, _ in leaf_parsers(build_parser())], ids=" ".join)
def test_every_subcommand_has_help_with_a_description(path, capsys):
    parser = dict(leaf_parsers(build_parser()))[path]
    assert parser.description and len(parser.description) > 10
    assert run(*path, "--help") == 0
    out = " ".join(capsys.readouterr().out.split())
    assert " ".join(parser.description.split()) in out


def test_every_subcommand_is_listed_with_a_help_line():
    listed = dict(listed_help(build_parser()))
    assert listed.keys() == dict(leaf_parsers(build_parser())).keys()
    assert all(text and len(text) > 5 for text in listed.values()), listed


@pytest.mark.parametrize("path", [p for p, sub in leaf_parsers(build_parser()) if is_leaf(sub)], ids=" ".join)
def test_every_subcommand_takes_db_after_its_name(path):
    parser = dict(leaf_parsers(build_parser()))[path]
    args = build_parser().parse_args([*path, "--db", "elsewhere.duckdb", *sample_positionals(parser)])
    assert args.db == "elsewhere.duckdb"


# --- where the database is ----------------------------------------------------------------------------------


def test_db_option_names_the_file_and_creates_it(db, capsys):
    assert not db.exists()
    assert run_json(capsys, "uploads", "--db", db) == []
    assert db.exists()
    assert rows(db, "SELECT max(version) FROM schema_version") == [(SCHEMA_VERSION,)]  # created up to date


def test_db_comes_from_the_environment_without_the_option(tmp_path, monkeypatch, capsys):
    from_env = tmp_path / "from_env.duckdb"
    monkeypatch.setenv("ADVOCACY_DB", str(from_env))
    assert config.db_path() == from_env
    assert run_json(capsys, "uploads") == []
    assert from_env.exists()


def test_db_option_wins_over_the_environment(tmp_path, monkeypatch, capsys):
    from_env, given = tmp_path / "from_env.duckdb", tmp_path / "given.duckdb"
    monkeypatch.setenv("ADVOCACY_DB", str(from_env))
    assert run_json(capsys, "uploads", "--db", given) == []
    assert given.exists() and not from_env.exists()


def test_db_defaults_to_data_advocacy_duckdb_in_the_project():
    project = Path(config.__file__).resolve().parents[1]
    assert config.db_path() == project / "data" / "advocacy.duckdb"
    assert config.db_path("x.duckdb") == Path("x.duckdb")


# --- load ---------------------------------------------------------------------------------------------------


def test_load_json_gives_one_object_per_file_with_the_contract_keys(tmp_path, db, capsys):
    roster, posts = csv(tmp_path, "roster.csv", ROSTER), csv(tmp_path, "posts.csv", POSTS_UNKNOWN_AUTHOR)
    results = run_json(capsys, "load", roster, posts, "--db", db)
    assert [r["file"] for r in results] == ["roster.csv", "posts.csv"]
    for r in results:
        assert LOAD_KEYS <= r.keys()
        assert r["rows_read"] == r["loaded"] + r["updated"] + r["unchanged"] + r["quarantined"]
    assert [(r["kind"], r["rows_read"], r["loaded"], r["quarantined"]) for r in results] == [
        ("employees", 2, 2, 0),
        ("posts", 3, 1, 2),
    ]
    assert (results[0]["encoding"], results[0]["delimiter"], results[0]["header_row"]) == ("utf-8", ",", 1)


def test_load_exits_0_when_rows_are_quarantined(tmp_path, db):
    assert run("load", csv(tmp_path, "roster.csv", ROSTER), "--db", db) == 0
    assert run("load", csv(tmp_path, "posts.csv", POSTS_UNKNOWN_AUTHOR), "--db", db) == 0
    assert rows(db, "SELECT count(*) FROM quarantine") == [(2,)]


def test_load_exits_1_when_a_file_is_refused_and_the_other_file_still_loads(tmp_path, db, capsys):
    bad, roster = csv(tmp_path, "notes.csv", NOT_A_TABLE), csv(tmp_path, "roster.csv", ROSTER)
    capsys.readouterr()
    assert run("load", bad, roster, "--db", db, "--json") == 1
    refused, loaded = json.loads(capsys.readouterr().out)
    assert refused["refused"] and refused["upload_id"] is None
    assert (loaded["refused"], loaded["loaded"]) == (None, 2)
    assert rows(db, "SELECT employee_id FROM employees ORDER BY 1") == [("E1",), ("E2",)]
    assert rows(db, "SELECT file_name FROM uploads") == [("roster.csv",)]


def test_load_exits_2_on_an_unknown_option(tmp_path, db, capsys):
    assert run("load", csv(tmp_path, "roster.csv", ROSTER), "--db", db, "--no-such-option") == 2
    assert "--no-such-option" in capsys.readouterr().err
    assert not db.exists()


def test_load_exits_2_on_a_missing_file_and_loads_nothing(tmp_path, db, capsys):
    roster = csv(tmp_path, "roster.csv", ROSTER)
    assert run("load", roster, tmp_path / "missing.csv", "--db", db) == 2
    assert "missing.csv" in capsys.readouterr().err
    assert not db.exists()


def test_load_exits_2_on_a_bad_export_date(tmp_path, db, capsys):
    assert run("load", csv(tmp_path, "roster.csv", ROSTER), "--db", db, "--export-date", "2025-13-01") == 2
    assert "2025-13-01" in capsys.readouterr().err
    assert not db.exists()


def test_loading_the_same_file_twice_changes_nothing_and_says_so(tmp_path, db, capsys):
    roster = csv(tmp_path, "roster.csv", ROSTER)
    first = run_json(capsys, "load", roster, "--db", db)[0]
    capsys.readouterr()
    assert run("load", roster, "--db", db, "--json") == 0
    second = json.loads(capsys.readouterr().out)[0]
    assert (first["loaded"], first["already_loaded"]) == (2, False)
    assert (second["loaded"], second["updated"], second["unchanged"], second["quarantined"]) == (0, 0, 2, 0)
    assert second["already_loaded"] is True
    assert second["upload_id"] != first["upload_id"]
    assert rows(db, "SELECT count(*) FROM employee_versions") == [(2,)]


def test_load_human_output_names_the_file_and_the_counts(tmp_path, db, capsys):
    run("load", csv(tmp_path, "roster.csv", ROSTER), "--db", db)
    assert run("load", csv(tmp_path, "posts.csv", POSTS_UNKNOWN_AUTHOR), "--db", db) == 0
    out = capsys.readouterr().out
    assert "posts.csv: posts, upload 2: 3 rows read, 1 loaded, 0 updated, 0 unchanged, 2 quarantined" in out
    assert "advocacy quarantine --upload 2" in out


def test_load_human_output_says_refused_with_the_reason(tmp_path, db, capsys):
    assert run("load", csv(tmp_path, "notes.csv", NOT_A_TABLE), "--db", db) == 1
    out = capsys.readouterr().out
    assert "notes.csv: REFUSED: no header row found" in out
    assert "nothing of this file was loaded" in out


def test_load_dry_run_says_what_would_load_and_which_lines_would_be_quarantined_and_writes_nothing(
    tmp_path, db, capsys
):
    run("load", csv(tmp_path, "teams.csv", "team,charter_adopted_on\nSales,2025-01-15\n"), "--db", db)
    before = table_counts(db), rows(db, "SELECT n, id FROM writes")
    roster, posts = csv(tmp_path, "roster.csv", ROSTER), csv(tmp_path, "posts.csv", POSTS_UNKNOWN_AUTHOR)
    capsys.readouterr()
    assert run("load", roster, posts, "--db", db, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "posts.csv: posts, would be upload 3: 3 rows read, 1 loaded, 0 updated, 0 unchanged, 2 quarantined" in out
    assert "  line 3: author 'E3' matches nobody in the roster\n  line 4: author 'E3' matches nobody" in out
    assert "advocacy quarantine" not in out and out.endswith("dry run: nothing was written\n")
    found = run_json(capsys, "load", roster, posts, "--db", db, "--dry-run")
    assert [(r["kind"], r["upload_id"], r["loaded"], [q["line"] for q in r["quarantine"]]) for r in found] == [
        ("employees", 2, 2, []),
        ("posts", 3, 1, [3, 4]),
    ]
    assert (table_counts(db), rows(db, "SELECT n, id FROM writes")) == before


def test_load_dry_run_on_a_database_not_made_yet_does_not_make_it(tmp_path, db, capsys):
    assert run("load", csv(tmp_path, "notes.csv", NOT_A_TABLE), csv(tmp_path, "roster.csv", ROSTER), "--db", db,
               "--dry-run") == 1  # fmt: skip
    out = capsys.readouterr().out
    assert "notes.csv: REFUSED: no header row found" in out and "nothing of this file would be loaded" in out
    assert "roster.csv: employees, would be upload 1: 2 rows read, 2 loaded" in out
    assert not db.exists()


# --- quarantine, reprocess ----------------------------------------------------------------------------------


def test_quarantine_json_lists_rows_with_upload_line_raw_and_reason(tmp_path, db, capsys):
    run("load", csv(tmp_path, "roster.csv", ROSTER), csv(tmp_path, "posts.csv", POSTS_UNKNOWN_AUTHOR), "--db", db)
    found = run_json(capsys, "quarantine", "--db", db)
    assert [(q["upload_id"], q["line"]) for q in found] == [(2, 3), (2, 4)]
    assert found[0]["raw"] == "urn:li:activity:7000000000000000012,E3,2025-04-02"
    assert found[0]["reason"] == "author 'E3' matches nobody in the roster"


def test_quarantine_upload_option_keeps_that_uploads_rows(tmp_path, db, capsys):
    run("load", csv(tmp_path, "roster.csv", ROSTER), "--db", db)
    run("load", csv(tmp_path, "april.csv", POSTS_UNKNOWN_AUTHOR), "--db", db)
    may = POSTS_UNKNOWN_AUTHOR.replace("-04-", "-05-").replace("00000000001", "00000000002")
    run("load", csv(tmp_path, "may.csv", may), "--db", db)
    assert {q["upload_id"] for q in run_json(capsys, "quarantine", "--db", db)} == {2, 3}
    only = run_json(capsys, "quarantine", "--db", db, "--upload", "3")
    assert [(q["upload_id"], q["file"], q["line"]) for q in only] == [(3, "may.csv", 3), (3, "may.csv", 4)]


def test_reprocess_loads_posts_whose_author_joined_the_roster(tmp_path, db, capsys):
    run("load", csv(tmp_path, "roster.csv", ROSTER), csv(tmp_path, "posts.csv", POSTS_UNKNOWN_AUTHOR), "--db", db)
    run("load", csv(tmp_path, "newcomer.csv", ROSTER_E3), "--db", db)
    results = run_json(capsys, "reprocess", "--db", db)
    assert [(r["upload_id"], r["tried"], r["loaded"], r["still_quarantined"]) for r in results] == [(2, 2, 2, 0)]
    assert run_json(capsys, "quarantine", "--db", db, "--upload", "2") == []
    assert rows(db, "SELECT employee_id, count(*) FROM posts GROUP BY 1 ORDER BY 1") == [("E1", 1), ("E3", 2)]


def test_reprocess_updates_the_uploads_counts(tmp_path, db, capsys):
    run("load", csv(tmp_path, "roster.csv", ROSTER), csv(tmp_path, "posts.csv", POSTS_UNKNOWN_AUTHOR), "--db", db)
    run("load", csv(tmp_path, "newcomer.csv", ROSTER_E3), "--db", db)
    run("reprocess", "--db", db)
    upload = run_json(capsys, "uploads", "--db", db)[1]
    assert (upload["rows_read"], upload["loaded"], upload["quarantined"]) == (3, 3, 0)


# --- undo ---------------------------------------------------------------------------------------------------


def test_undo_dry_run_changes_nothing(tmp_path, db, capsys):
    run("load", csv(tmp_path, "roster.csv", ROSTER), csv(tmp_path, "posts.csv", POSTS_UNKNOWN_AUTHOR), "--db", db)
    uploads_before, counts_before = run_json(capsys, "uploads", "--db", db), table_counts(db)
    capsys.readouterr()
    assert run("undo", "2", "--dry-run", "--db", db) == 0
    out = capsys.readouterr().out
    assert "would take back upload 2 (posts.csv)" in out and "nothing was changed" in out
    assert run_json(capsys, "uploads", "--db", db) == uploads_before
    assert table_counts(db) == counts_before


def test_undo_takes_the_upload_back(tmp_path, db, capsys):
    run("load", csv(tmp_path, "roster.csv", ROSTER), csv(tmp_path, "posts.csv", POSTS_UNKNOWN_AUTHOR), "--db", db)
    assert rows(db, "SELECT count(*) FROM posts") == [(1,)]
    result = run_json(capsys, "undo", "2", "--db", db)
    assert (result["removed"], result["quarantine_removed"], result["dry_run"]) == ({"post_versions": 1}, 2, False)
    assert rows(db, "SELECT count(*) FROM posts") == [(0,)]
    assert rows(db, "SELECT count(*) FROM quarantine") == [(0,)]
    uploads = run_json(capsys, "uploads", "--db", db)
    assert [u["undone_at"] is not None for u in uploads] == [False, True]
    assert rows(db, "SELECT count(*) FROM employees") == [(2,)]


def test_undo_twice_exits_1_with_a_message(tmp_path, db, capsys):
    run("load", csv(tmp_path, "roster.csv", ROSTER), "--db", db)
    assert run("undo", "1", "--db", db) == 0
    capsys.readouterr()
    assert run("undo", "1", "--db", db) == 1
    assert "upload 1 was undone already" in capsys.readouterr().err


def test_undo_of_an_unknown_upload_exits_1(tmp_path, db, capsys):
    run("load", csv(tmp_path, "roster.csv", ROSTER), "--db", db)
    capsys.readouterr()
    assert run("undo", "99", "--db", db) == 1
    assert "no upload 99" in capsys.readouterr().err


def test_undo_of_a_roster_update_restores_the_earlier_team(tmp_path, db, capsys):
    run("load", csv(tmp_path, "roster.csv", ROSTER), "--db", db)
    moved = run_json(capsys, "load", csv(tmp_path, "roster_v2.csv", ROSTER_E1_MOVED), "--db", db)[0]
    assert (moved["updated"], moved["upload_id"]) == (1, 2)
    assert rows(db, "SELECT team FROM employees WHERE employee_id = 'E1'") == [("Marketing",)]
    result = run_json(capsys, "undo", "2", "--db", db)
    assert (result["restored"], result["deleted"]) == (1, 0)
    assert rows(db, "SELECT employee_id, team FROM employees ORDER BY 1") == [("E1", "Sales"), ("E2", "Ops")]


# --- trends -------------------------------------------------------------------------------------------------

TEAM_ROSTER = (
    "employee_id,full_name,team,joined_on\n"
    + "".join(f"S{i},Seller {i},Sales,{'2025-02-10' if i == 5 else ''}\n" for i in range(1, 6))
    + "B1,Boss One,Board,\n"
)
TEAM_POSTS = (
    "post_id,author,published_at,impressions,clicks,reactions\n"
    "urn:li:activity:7000000000000000101,S1,2025-01-05,1000,10,40\n"
    "urn:li:activity:7000000000000000102,S2,2025-02-05,500,5,15\n"
    "urn:li:activity:7000000000000000103,S1,2025-02-20,,,\n"
    "urn:li:activity:7000000000000000104,B1,2025-02-21,100,0,1\n"
)


def test_trends_prints_the_monthly_table_with_whole_numbers(tmp_path, db, capsys, monkeypatch):
    monkeypatch.setenv("ADVOCACY_CPM", "10")
    monkeypatch.setenv("ADVOCACY_CPC", "1")
    assert (
        run("load", csv(tmp_path, "roster.csv", TEAM_ROSTER), csv(tmp_path, "posts.csv", TEAM_POSTS), "--db", db) == 0
    )
    found = run_json(capsys, "trends", "--db", db)
    org = [r for r in found if r["team"] == "organisation"]
    assert [(r["month"], r["members"], r["active_ambassadors"], r["posts"]) for r in org] == [
        ("2025-01", 5, 1, 1),
        ("2025-02", 6, 3, 3),  # S5 joined on the 10th
    ]
    assert all(type(r[k]) is int for r in found for k in ("members", "posts", "ever_posted", "days"))
    assert org[0]["earned_media_value"] == pytest.approx(1000 * 10 / 1000 + 10 * 1)
    assert org[1]["partial"] is True and org[1]["days"] == 21  # the posts end on the 21st
    assert {r["team"] for r in found} == {"organisation", "Sales", "other teams"}  # Board: one person
    assert "Board" not in json.dumps(found) and "Boss" not in json.dumps(found)

    capsys.readouterr()
    assert run("trends", "--db", db, "--team", "Sales", "--from", "2025-02-01", "--until", "2025-02-28") == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["scope", "month", "members", "ever"]
    # members 5, ever posted 2, active 2, regular none yet (the data's second month), participation 2/5
    assert lines[2].split()[:8] == ["Sales", "2025-02", "*", "5", "2", "2", "40.0", "%"]
    assert len(lines) == 5 and "* a month the data covers only in part" in out
    assert run("trends", "--db", db, "--team", "Nope") == 1


# --- charter ------------------------------------------------------------------------------------------------


def test_charter_set_for_the_organisation_and_for_a_team(db, capsys):
    assert run("charter", "set", "2025-09-01", "--db", db) == 0
    assert run("charter", "set", "2025-11-03", "--team", "Sales", "--db", db) == 0
    assert "charter date of Sales set to 2025-11-03" in capsys.readouterr().out
    assert rows(db, "SELECT team, charter_adopted_on::VARCHAR FROM teams ORDER BY team") == [
        ("*", "2025-09-01"),
        ("Sales", "2025-11-03"),
    ]


def test_charter_set_again_replaces_the_date(db):
    run("charter", "set", "2025-09-01", "--db", db)
    run("charter", "set", "2025-10-01", "--db", db)
    assert rows(db, "SELECT team, charter_adopted_on::VARCHAR FROM teams") == [("*", "2025-10-01")]


@pytest.mark.parametrize("bad", ["2025-02-30", "01/09/2025", "soon"])
def test_charter_set_with_a_bad_date_exits_2(db, bad, capsys):
    assert run("charter", "set", bad, "--db", db) == 2
    assert bad in capsys.readouterr().err
    assert not db.exists()


# --- as a real process --------------------------------------------------------------------------------------


def advocacy(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ADVOCACY, *map(str, args)], capture_output=True, text=True, timeout=60)


def test_the_installed_command_loads_and_lists(tmp_path, db):
    done = advocacy("load", csv(tmp_path, "roster.csv", ROSTER), "--db", db)
    assert done.returncode == 0, done.stderr
    assert "roster.csv: employees, upload 1: 2 rows read, 2 loaded" in done.stdout
    listed = advocacy("uploads", "--db", db, "--json")
    assert [(u["upload_id"], u["file_name"], u["loaded"]) for u in json.loads(listed.stdout)] == [
        (1, "roster.csv", 2)
    ]


def test_the_installed_command_exit_codes(tmp_path, db):
    roster = csv(tmp_path, "roster.csv", ROSTER)
    refused = advocacy("load", csv(tmp_path, "notes.csv", NOT_A_TABLE), roster, "--db", db)
    usage = advocacy("load", roster, "--db", db, "--no-such-option")
    unknown = advocacy("undo", "99", "--db", db)
    assert (refused.returncode, usage.returncode, unknown.returncode) == (1, 2, 1)
    assert "Traceback" not in refused.stderr + usage.stderr + unknown.stderr


# --- the text output: headers, intervals, reasons, whole numbers ---------------------------------------------


def _header_and_rows(text: str) -> tuple[list[str], list[str]]:
    """The table of a text output: its header's cells (split where two spaces or more) and its rows."""
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    rows = []
    for line in lines[rule + 1 :]:
        if not line or line.startswith("Adjusted"):
            break
        rows.append(line)
    return [cell for cell in lines[rule - 1].split("  ") if cell.strip()], rows


def test_impact_text_gives_plain_and_adjusted_figures_with_intervals_headers_and_reasons(demo_db, capsys):
    import re

    assert main(["impact", "--db", str(demo_db)]) == 0
    text = capsys.readouterr().out
    headline = text.splitlines()[1]
    assert re.search(r"posts [+−-]\d+ % plain, [+−-]\d+ % adjusted \(95 % CI [+-]\d+ % to [+-]\d+ %\)", headline)
    assert re.search(r"incident risk per post [+-]\d+ % plain, [+-]\d+ % adjusted \(95 % CI ", headline)
    header, rows = _header_and_rows(text)
    assert header[-1] == "low confidence: why" and len(header) == 6
    assert all(
        re.search(r"(fewer than \d+ (posts|incidents) (before|after) the charter \(\d+\)|-)$", r) for r in rows
    )
    cells = [re.split(r"  +", row) for row in rows]
    assert all(re.match(r"\d+ -> \d+ \(", row[3]) for row in cells)  # incident counts are whole numbers
    assert "n/a" not in text


def test_prepare_keeps_the_reports_the_pages_open_on(demo_db, tmp_path, capsys):
    from dashboard.queries import KEPT
    from pipelines.store.kept import SUFFIX

    db = tmp_path / "prepared.duckdb"
    db.write_bytes(demo_db.read_bytes())
    assert run("prepare", "--db", db) == 0
    said = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in said] == list(KEPT)  # each page, with the seconds it took
    assert all(line.endswith(" s") for line in said)
    # One report per page, and the Overview's freshness line beside its report.
    assert len(list(Path(f"{db}{SUFFIX}").glob("*.json"))) == len(KEPT) + 1


def test_prepare_of_a_missing_database_says_so_and_creates_nothing(tmp_path, capsys):
    assert run("prepare", "--db", tmp_path / "missing.duckdb") == 1
    assert "nothing prepared" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_impact_text_for_a_small_team_says_why_there_is_no_adjusted_figure(demo_db, capsys):
    from pipelines.analytics.metrics import impact

    with connect(demo_db, read_only=True) as con:  # a team whose incidents are too few for an adjusted figure
        teams = impact(con)["scopes"][1:]
    team = next(s["team"] for s in teams if (s.get("effect") or {}).get("incidents", {}).get("doubt") == "too_few")
    assert main(["impact", "--db", str(demo_db), "--team", team]) == 0
    text = capsys.readouterr().out
    assert f"Yours ({team}): posts +" in text and "n/a" not in text
    assert "no adjusted figure: too few incidents" in text.splitlines()[1]


def test_ranking_text_has_human_headers_whole_counts_and_two_decimal_scores(demo_db, capsys):
    assert main(["ranking", "C2025-RENTREE", "--criterion", "best_written", "--db", str(demo_db)]) == 0
    header, rows = _header_and_rows(capsys.readouterr().out)
    assert [h.strip() for h in header] == ["Rank", "Employee ID", "Name", "Team", "Best-written post (jury score)",
                                           "Posts in the contest"]  # fmt: skip
    import re

    assert rows and all(re.search(r"  \d+\.\d\d  +\d+$", row) for row in rows)
    assert main(["ranking", "C2025-RENTREE", "--by", "team", "--db", str(demo_db)]) == 0
    header, rows = _header_and_rows(capsys.readouterr().out)
    assert "Posts per member" in header and not any(".0 " in row or row.endswith(".0") for row in rows)


def test_load_help_says_json_is_an_array(capsys):
    with pytest.raises(SystemExit):
        main(["load", "--help"])
    assert "a JSON array: one object per file" in " ".join(capsys.readouterr().out.split())
