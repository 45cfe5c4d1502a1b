"""Authors who match nobody: listed with what waits on them, mapped to an employee or marked "not staff" by comms,
and every decision undoable (data-contract.md, "Matching an author to a person")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.cli import main
from tests.conftest import load, query, write
from tests.ingest.test_real_exports import LINK, STAFF, linkedin_page_export, page_row


def advocacy(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main([*args[:2], "--db", str(db), *args[2:]] if args[0] == "authors" and len(args) > 1 else
                [*args, "--db", str(db)])  # fmt: skip
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture
def programme(db: Path, tmp_path: Path) -> tuple[Path, int]:
    """The staff, and a page export where the agency and a nickname match nobody."""
    load(db, write(tmp_path / "staff.csv", STAFF))
    rows = [
        page_row(LINK.format(7350000000000000001 + i), "Organic", by, f"07/{10 + i:02d}/2025", 100, 1, 2, 0, 0)
        for i, by in enumerate(["Acme Social Team", "Acme Social Team", "Chai M.", "Chai M.", "Chai M.",
                                "Zoé Lefèvre 📣"])
    ]  # fmt: skip
    (result,) = load(db, linkedin_page_export(tmp_path, rows))
    assert (result.loaded, result.quarantined) == (1, 5)
    assert result.upload_id is not None
    return db, result.upload_id


def test_unmatched_authors_are_listed_with_what_waits_on_them(programme, capsys) -> None:
    db, _ = programme
    code, out = advocacy(db, capsys, "authors", "--json")
    assert code == 0
    waiting = json.loads(out)["waiting"]
    assert [(a["author"], a["posts"]) for a in waiting] == [("Chai M.", 3), ("Acme Social Team", 2)]
    code, out = advocacy(db, capsys, "authors")
    assert "Chai M." in out and 'advocacy authors map "NAME" EMPLOYEE_ID' in out


def test_a_mapping_loads_the_posts_waiting_and_its_undo_puts_them_back(programme, capsys) -> None:
    db, page_upload = programme
    code, out = advocacy(db, capsys, "authors", "map", "Chai M.", "E1")
    assert code == 0 and "3 waiting row(s) loaded" in out, out
    assert query(db, "SELECT employee_id, count(*) FROM posts GROUP BY 1 ORDER BY 1") == [("E1", 3), ("E2", 1)]
    assert query(db, "SELECT count(*) FROM quarantine WHERE resolved_by IS NULL") == [(2,)]
    # the page export cannot be undone under the decision that loaded part of it
    code, out = advocacy(db, capsys, "undo", str(page_upload))
    assert code == 1 and "undo that one first" in out
    (decision,) = query(db, "SELECT upload_id FROM uploads WHERE kind = 'authors'")[0]
    code, _ = advocacy(db, capsys, "undo", str(decision))
    assert code == 0
    assert query(db, "SELECT employee_id, count(*) FROM posts GROUP BY 1") == [("E2", 1)]
    assert query(db, "SELECT count(*) FROM quarantine WHERE resolved_by IS NULL") == [(5,)]
    code, _ = advocacy(db, capsys, "undo", str(page_upload))
    assert code == 0 and query(db, "SELECT count(*) FROM posts") == [(0,)]


def test_posts_by_not_staff_are_kept_apart_and_count_in_no_figure(programme, capsys, tmp_path) -> None:
    db, _ = programme
    code, out = advocacy(db, capsys, "authors", "not-staff", "acme social team")  # any spelling of the name
    assert code == 0 and "2 waiting row(s) loaded" in out, out
    assert query(db, "SELECT author, employee_id FROM posts WHERE employee_id IS NULL") == [
        ("Acme Social Team", None), ("Acme Social Team", None)]  # fmt: skip
    code, out = advocacy(db, capsys, "authors", "--json")
    found = json.loads(out)
    assert found["not_staff_posts"] == [{"author": "Acme Social Team", "posts": 2}]
    assert [d["not_staff"] for d in found["decided"]] == [True]
    # a later export by the same author loads straight away, still apart
    later = [page_row(LINK.format(7350000000000000099), "Organic", "ACME Social Team", "08/01/2025", 50, 0, 1, 0, 0)]
    (tmp_path / "later").mkdir()
    (result,) = load(db, linkedin_page_export(tmp_path / "later", later))
    assert (result.loaded, result.quarantined) == (1, 0)
    from pipelines.analytics.metrics import weekly_timeline
    from pipelines.store.db import connect

    with connect(db, read_only=True) as con:
        timeline = weekly_timeline(con)
    assert timeline["posts"].sum() == 1  # Zoé's post: the agency's three count in no figure


def test_a_mapping_to_someone_not_in_the_roster_is_refused(programme, capsys) -> None:
    db, _ = programme
    code, out = advocacy(db, capsys, "authors", "map", "Chai M.", "E99")
    assert code == 1 and "no employee 'E99'" in out
    assert query(db, "SELECT count(*) FROM uploads WHERE kind = 'authors'") == [(0,)]


def test_the_roster_is_searched_for_an_author_most_alike_first(db: Path, tmp_path: Path) -> None:
    """Whom comms may say an author is: the people with the most words beginning like the search's, in their id,
    name, e-mail or profile; case, accents, emoji and punctuation aside."""
    from pipelines.store.db import connect, install_macros
    from pipelines.store.ledger import people_like

    roster = (
        "employee_id;Prénom;Nom;E-mail professionnel;Équipe;LinkedIn\n"
        "E10;Camille;Martin;c.martin@acme.fr;Ventes;https://www.linkedin.com/in/camille-martin-1a2b/\n"
        "E11;Camille;Mercier;cmercier@acme.fr;Ventes;\n"
        "E12;Jean-Marc;Dupont;jm.dupont@acme.fr;RH;\n"
        "E13;Zoé;Lefèvre;zoe@acme.fr;RH;\n"
    )
    load(db, write(tmp_path / "roster.csv", roster))
    with connect(db, read_only=True) as con:
        install_macros(con)
        assert people_like(con, "Camille M.", 10) == [("E10", "Camille Martin"), ("E11", "Camille Mercier"),
                                                      ("E12", "Jean-Marc Dupont")]  # fmt: skip
        assert people_like(con, "MARTIN 📣", 10) == [("E10", "Camille Martin")]
        assert people_like(con, "marc", 10) == [("E12", "Jean-Marc Dupont")]  # a word of a hyphenated name
        assert people_like(con, "zoe lefevre", 10) == [("E13", "Zoé Lefèvre")]
        assert people_like(con, "camille-martin-1a2b", 10)[0] == ("E10", "Camille Martin")  # the profile
        assert people_like(con, "cmercier@acme.fr", 1) == [("E11", "Camille Mercier")]
        assert people_like(con, "e13", 10) == [("E13", "Zoé Lefèvre")]
        assert people_like(con, "artin", 10) == []  # words are matched from their beginning
        assert people_like(con, " ", 10) == people_like(con, "🦄", 10) == []


def test_the_command_line_finds_whom_an_author_is_as_the_data_page_does(programme, capsys) -> None:
    db, _ = programme
    code, out = advocacy(db, capsys, "authors")
    assert code == 0 and 'advocacy authors find "NAME"' in out
    code, out = advocacy(db, capsys, "authors", "find", "Chai M.")
    assert code == 0 and "E1           Chaitanya Mandala" in out and "E2" not in out
    code, out = advocacy(db, capsys, "authors", "find", "zoe", "--json")
    assert json.loads(out) == [{"employee_id": "E2", "full_name": "Zoé Lefèvre"}]
    code, out = advocacy(db, capsys, "authors", "find", "Acme Social Team")
    assert code == 0 and "nobody in the roster matches 'Acme Social Team'" in out
