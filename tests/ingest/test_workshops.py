"""The workshops kind: who attended which charter workshop (data-contract.md, "workshops"), loaded with the same
guarantees as every kind: recognised from its headers, quarantine with reasons, idempotent reloads, undo."""

from __future__ import annotations

from pipelines.ingest.authors import decide
from pipelines.ingest.undo import undo
from tests.conftest import FILES, ROSTER, load, query, write

FRENCH = "workshops_fr_cp1252.csv"  # a note row above the header, ';', day-first dates, Windows-1252
ENGLISH = "workshops_en.csv"  # ',' and month-first dates


def test_a_french_sign_in_sheet_is_recognised_and_read_day_first(db):
    _, result = load(db, ROSTER, FRENCH)
    assert (result.refused, result.kind) == (None, "workshops")
    assert result.dialect["date_order"] == "dmy" and result.dialect["header_row"] == 2
    # Zoé Lefèvre is written once by name and once by id: one person at one workshop, one row.
    assert (result.rows_read, result.loaded, result.unchanged, result.quarantined) == (5, 3, 1, 1)
    assert query(db, "SELECT employee_id, attended_on::VARCHAR, workshop FROM workshops ORDER BY 1") == [
        ("E001", "2025-09-03", "Atelier charte n°1"),
        ("E002", "2025-09-03", "Atelier charte n°1"),
        ("E003", "2025-09-17", "Atelier charte n°2"),
    ]


def test_an_unknown_person_is_quarantined_with_a_reason_and_loads_once_decided(db):
    _, result = load(db, ROSTER, FRENCH)
    assert query(db, "SELECT line, reason FROM quarantine WHERE kind = 'workshops'") == [
        (6, "author 'Jean Inconnu' matches nobody in the roster")
    ]
    decision = decide(db, "Jean Inconnu", employee_id="E004")
    assert decision.loaded == 1
    assert query(db, "SELECT count(*) FROM workshops WHERE employee_id = 'E004'") == [(1,)]
    undo(db, decision.upload_id)
    assert query(db, "SELECT count(*) FROM workshops WHERE employee_id = 'E004'") == [(0,)]


def test_an_english_file_reads_month_first_and_names_a_nameless_workshop_by_its_day(db):
    _, result = load(db, ROSTER, ENGLISH)
    assert (result.kind, result.dialect["date_order"], result.loaded) == ("workshops", "mdy", 3)
    assert query(db, "SELECT employee_id, workshop FROM workshops WHERE employee_id = 'E004' ORDER BY 2") == [
        ("E004", "Charter co-creation #3"),
        ("E004", "workshop of 2025-09-24"),
    ]


def test_reloading_changes_nothing_and_undo_takes_the_upload_back(db, tmp_path):
    load(db, ROSTER, FRENCH)
    before = query(db, "SELECT * EXCLUDE (upload_id, line) FROM workshops ORDER BY employee_id")
    # The same rows in another file (another checksum): every row is unchanged.
    again = write(tmp_path / "again.csv", (FILES / FRENCH).read_bytes().decode("cp1252"))
    (second,) = load(db, again)
    assert (second.loaded, second.updated, second.unchanged, second.quarantined) == (0, 0, 4, 1)
    assert query(db, "SELECT * EXCLUDE (upload_id, line) FROM workshops ORDER BY employee_id") == before
    (english,) = load(db, ENGLISH)
    assert query(db, "SELECT count(*) FROM workshops") == [(6,)]
    outcome = undo(db, english.upload_id)
    assert outcome.removed == {"workshop_versions": 3} and outcome.deleted == 3
    assert query(db, "SELECT * EXCLUDE (upload_id, line) FROM workshops ORDER BY employee_id") == before


def test_a_row_without_a_date_or_a_person_is_quarantined(db, tmp_path):
    load(db, ROSTER)
    path = write(tmp_path / "w.csv", "participant;date;atelier\nE001;;Atelier 1\n;05/09/2025;Atelier 1\n"
                 "E002;32/09/2025;Atelier 1\nE003;05/09/2025;Atelier 1\n")  # fmt: skip
    (result,) = load(db, path)
    assert (result.kind, result.loaded, result.quarantined) == ("workshops", 1, 3)
    reasons = [r for (r,) in query(db, "SELECT reason FROM quarantine ORDER BY line")]
    assert reasons[:2] == ["attended_on is empty", "author is empty"]
    assert reasons[2].startswith("attended_on '32/09/2025' is not a date")


def test_an_incident_log_is_still_an_incident_log(db):
    # its date, team and author columns would fit a workshops file too: its severity makes it an incident log
    _, result = load(db, ROSTER, "incidents_note_row.csv")
    assert result.kind == "incidents"
