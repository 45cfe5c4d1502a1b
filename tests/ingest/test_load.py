"""Loading: nothing lost (quarantine, refusal, undo, reprocess), nothing counted twice (reloads, overlaps)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest.load import LoadOptions, dry_run, set_charter
from pipelines.ingest.reprocess import reprocess
from pipelines.ingest.undo import preview, undo
from pipelines.ingest.versions import TARGETS, refresh_current
from pipelines.store.db import SCHEMA_VERSION, Identifier, connect, copy_database, migrations
from pipelines.store.ledger import quarantined
from tests.conftest import FILES, ROSTER, load, query, write

ALL_FILES = [
    ROSTER, "teams_bom.csv", "posts_fr.csv", "engagement_fr_cp1252.csv", "engagement_en_mdy.csv",
    "engagement_utf16.txt", "incidents_note_row.csv", "contests.csv", "jury_scores_fr.csv",
    "acme_content_1751328000000.xlsx",
]  # fmt: skip
TABLES = [
    "uploads", "quarantine", "employee_versions", "team_versions", "post_versions", "engagement_snapshots",
    "incident_versions", "contest_versions", "jury_score_versions", "employees", "teams", "posts",
    "post_engagement", "incidents", "contests", "jury_scores",
]  # fmt: skip


def fingerprint(db: Path) -> dict[str, int]:
    """Row count and content hash of every table: equal fingerprints mean an unchanged database."""
    with connect(db, read_only=True) as con:
        return {t: con.execute(f"SELECT count(*), sum(hash(t::VARCHAR)) FROM {t} AS t").fetchall()[0] for t in TABLES}


POSTS_HEADER = "post_id,author,published_at,title,impressions,reactions,comments,shares,clicks,as_of\n"


def posts_file(tmp_path: Path, name: str, *rows: str) -> Path:
    return write(tmp_path / name, POSTS_HEADER + "".join(r + "\n" for r in rows))


def test_every_file_balances_its_counts(db):
    results = load(db, *ALL_FILES)
    assert [r.refused for r in results] == [None] * len(ALL_FILES)
    for r in results:
        assert r.rows_read == r.loaded + r.updated + r.unchanged + r.quarantined, r.file
    ledger = query(db, "SELECT count(*) FROM uploads WHERE rows_read = loaded + updated + unchanged + quarantined")
    assert ledger == [(len(ALL_FILES),)]


def test_loading_a_file_again_changes_nothing(db):
    load(db, *ALL_FILES)
    before = fingerprint(db)
    again = load(db, *ALL_FILES)
    assert all(r.already_loaded and r.unchanged == r.rows_read and r.loaded == r.updated == 0 for r in again)
    after = fingerprint(db)
    assert after["uploads"][0] == before["uploads"][0] + len(ALL_FILES)  # recorded in the ledger ...
    assert {t: v for t, v in after.items() if t != "uploads"} == {t: v for t, v in before.items() if t != "uploads"}


def test_a_dry_run_tells_what_the_files_loaded_in_turn_would_do_and_writes_nothing(db, tmp_path, monkeypatch):
    """The upload's preview: each file sees the ones before it (the roster, then posts by its people, then the
    roster again, already loaded); a file refused as it is read, and one that fails after its upload was recorded
    (which aborts the transaction), are taken out; the database stays as it was."""
    from pipelines.ingest import load as loader

    poison = "urn:li:activity:7199999999999999999"
    notes = loader._post_id_notes

    def failing(con, typed):  # a fault of ours, once the upload is recorded: the database's error aborts it all
        if con.execute(f"SELECT count(*) FROM {typed} WHERE post_id = ?", [poison]).fetchall()[0][0]:
            con.execute("SELECT error('a fault after the upload was recorded')")
        return notes(con, typed)

    monkeypatch.setattr(loader, "_post_id_notes", failing)
    load(db, "teams_bom.csv")
    before, writes = fingerprint(db), query(db, "SELECT n, id FROM writes")
    not_a_table = write(tmp_path / "notes.csv", "Dear comms,\nhere are the files.\n")
    failed = posts_file(tmp_path, "failed.csv", f"{poison},E001,2025-03-02,x,,,,,,")
    march = posts_file(tmp_path, "march.csv", "urn:li:activity:7100000000000000001,E001,2025-03-03,a,,,,,,",
                       "urn:li:activity:7100000000000000002,Zoé Inconnue 🦄,2025-03-04,b,,,,,,")  # fmt: skip
    files = [FILES / ROSTER, not_a_table, FILES / "posts_fr.csv", failed, march, FILES / ROSTER]
    results, lines = dry_run(db, [(path, LoadOptions(loaded_by="comms")) for path in files])
    assert fingerprint(db) == before and query(db, "SELECT n, id FROM writes") == writes

    real = tmp_path / "real.duckdb"
    copy_database(db, real)
    loaded = [result for path in files for result in load(real, path, loaded_by="comms")]
    assert [r.refused is not None for r in results] == [False, True, False, True, False, False]
    assert "a fault after the upload was recorded" in results[3].refused
    assert [r.as_json() for r in results] == [r.as_json() for r in loaded]
    assert results[2].loaded > 0 and results[5].already_loaded  # the posts matched the roster loaded before them
    with connect(real, read_only=True) as con:
        assert lines == [row for r in loaded if r.quarantined for row in quarantined(con, r.upload_id)]
    assert [(line["file"], line["line"]) for line in lines] == [("march.csv", 3)]  # the author nobody is


def test_overlapping_monthly_exports_count_each_post_once(db, tmp_path):
    load(db, ROSTER)
    june = posts_file(tmp_path, "june.csv", "urn:li:activity:1000001,E001,2025-06-10,a,,,,,,",
                      "urn:li:activity:1000002,E001,2025-06-28,b,,,,,,")  # fmt: skip
    july = posts_file(tmp_path, "july.csv", "urn:li:activity:1000002,E001,2025-06-28,b,,,,,,",
                      "urn:li:activity:1000003,E003,2025-07-02,c,,,,,,")  # fmt: skip
    first, second = load(db, june, july)
    assert (first.loaded, second.loaded, second.unchanged) == (2, 1, 1)
    assert query(db, "SELECT count(*), count(DISTINCT post_id) FROM posts") == [(3, 3)]


def test_a_url_and_its_urn_are_one_post(db, tmp_path):
    load(db, ROSTER)
    url = posts_file(
        tmp_path,
        "a.csv",
        "https://www.linkedin.com/feed/update/urn:li:activity:7100000000000000001/,E001,2025-06-10,a,,,,,,",
    )
    urn = posts_file(tmp_path, "b.csv", "urn:li:activity:7100000000000000001,E001,2025-06-10,a,,,,,,")
    _, second = load(db, url, urn)
    assert (second.loaded, second.unchanged) == (0, 1)
    assert query(db, "SELECT post_id FROM posts") == [("urn:li:activity:7100000000000000001",)]


def test_a_changed_row_is_updated_and_undo_restores_the_earlier_version(db, tmp_path):
    load(db, ROSTER)
    moved = write(tmp_path / "roster2.csv", "employee_id,full_name,team\nE001,Zoé Lefèvre,Marketing\n")
    (result,) = load(db, moved)
    assert (result.updated, result.loaded) == (1, 0)
    assert query(db, "SELECT team FROM employees WHERE employee_id = 'E001'") == [("Marketing",)]
    outcome = undo(db, result.upload_id)
    assert outcome.restored == 1 and outcome.deleted == 0
    assert query(db, "SELECT team, email FROM employees WHERE employee_id = 'E001'") == [
        ("Ventes", "zoe.lefevre@acme.fr")
    ]


def test_share_ugcpost_and_short_link_ids_are_said_once_each(db, tmp_path):
    load(db, ROSTER)
    path = posts_file(
        tmp_path,
        "ids.csv",
        "urn:li:activity:7100000000000000001,E001,2025-06-10,a,,,,,,",
        "https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7100000000000000002/,E001,2025-06-11,b,,,,,,",
        "urn:li:ugcPost:7100000000000000003,E001,2025-06-12,c,,,,,,",
        "https://LNKD.IN/eAbCdEf,E001,2025-06-13,d,,,,,,",
        "https://www.linkedin.com/posts/zoe_activity-7100000000000000004-AbCd?utm_source=share,E001,2025-06-14,e,,,,,,",
    )
    (result,) = load(db, path)
    assert result.loaded == 5
    assert [n.split(":")[0] for n in result.notes if "post id(s)" in n] == [
        "2 post id(s) are share or ugcPost ids",
        "1 post id(s) are short links (lnkd.in)",
    ]


def test_undo_dry_run_changes_nothing(db):
    results = load(db, ROSTER, "posts_fr.csv")
    before = fingerprint(db)
    outcome = undo(db, results[1].upload_id, dry_run=True)
    assert outcome.dry_run and outcome.removed == {"post_versions": 4}
    assert fingerprint(db) == before


def test_what_an_undo_would_do_is_read_without_writing_and_says_what_the_dry_run_says(demo_db, tmp_path):
    """The Data page says what an undo will change from a read-only connection (it draws on a database it cannot
    change): for every upload of the demo, the same as the dry run, which needs to write."""
    import shutil

    db = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, db)
    with connect(db, read_only=True) as con:
        ids = [r[0] for r in con.execute("SELECT upload_id FROM uploads WHERE undone_at IS NULL").fetchall()]
        said = {i: preview(con, i) for i in ids}
    assert len(ids) > 20 and any(s.restored for s in said.values()) and any(s.deleted for s in said.values())
    for upload_id in ids:
        assert said[upload_id] == undo(db, upload_id, dry_run=True), upload_id


def test_undo_of_a_new_upload_removes_its_rows_and_quarantine(db, tmp_path):
    load(db, ROSTER)
    before = fingerprint(db)
    (result,) = load(db, posts_file(tmp_path, "p.csv", "urn:li:activity:1,E001,2025-06-10,a,10,1,0,0,0,2025-06-30",
                                    "urn:li:activity:2,Nobody,2025-06-10,b,,,,,,"))  # fmt: skip
    assert (result.loaded, result.quarantined) == (1, 1)
    undo(db, result.upload_id)
    after = fingerprint(db)
    assert after["uploads"][0] == before["uploads"][0] + 1
    assert {t: v for t, v in after.items() if t != "uploads"} == {t: v for t, v in before.items() if t != "uploads"}
    assert query(db, "SELECT undone_at IS NOT NULL FROM uploads WHERE upload_id = ?", [result.upload_id]) == [(True,)]


def test_the_newest_snapshot_wins_whatever_the_order_of_arrival(db, tmp_path):
    header = "post_id,as_of,impressions,reactions\n"
    november = write(tmp_path / "nov.csv", header + "urn:li:activity:1,2025-11-30,900,90\n")
    october = write(tmp_path / "oct.csv", header + "urn:li:activity:1,2025-10-31,500,50\n")
    nov, octo = load(db, november, october)
    assert octo.loaded == 1  # the older snapshot is kept, not made current
    assert query(db, "SELECT as_of::VARCHAR, impressions FROM post_engagement") == [("2025-11-30", 900)]
    undo(db, nov.upload_id)
    assert query(db, "SELECT as_of::VARCHAR, impressions FROM post_engagement") == [("2025-10-31", 500)]


def test_engagement_rows_without_as_of_take_the_export_date(db, tmp_path):
    path = write(tmp_path / "e.csv", "post_id,impressions,engagements\nurn:li:activity:1,100,7\n")
    load(db, path, export_date=date(2025, 9, 30))
    # Without the split counts, the file's total stands for their sum.
    assert query(db, "SELECT as_of::VARCHAR, engagements FROM post_engagement") == [("2025-09-30", 7)]


def test_engagements_are_the_sum_of_the_split_counts(db):
    load(db, "engagement_fr_cp1252.csv")
    assert query(db, "SELECT engagements FROM post_engagement WHERE impressions = 12345") == [(120 + 8 + 4 + 56,)]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (",E001,2025-06-10,t,,,,,,", "post_id is empty"),
        ("urn:li:activity:1,,2025-06-10,t,,,,,,", "author is empty"),
        ("urn:li:activity:1,E001,,t,,,,,,", "published_at is empty"),
        ("urn:li:activity:1,E001,31/31/2025,t,,,,,,", "published_at '31/31/2025' is not a date"),
        ("urn:li:activity:1,E001,1900-01-01,t,,,,,,", "published_at '1900-01-01' is outside the years"),
        ("urn:li:activity:1,E001,2025-06-10,t,abc,,,,,", "impressions 'abc' is not a number"),
        ("urn:li:activity:1,E001,2025-06-10,t,-5,,,,,", "impressions '-5' is negative"),
        ("urn:li:activity:1,E001,2025-06-10,t,1.5,,,,,", "impressions '1.5' is not a whole number"),
        ("urn:li:activity:1,E001,2025-06-10,t,1e20,,,,,", "impressions '1e20' is too large"),
        ("urn:li:activity:1,Nobody,2025-06-10,t,,,,,,", "author 'Nobody' matches nobody in the roster"),
        ("urn:li:activity:1,Paul Martin,2025-06-10,t,,,,,,", "author 'Paul Martin' matches 2 employees"),
    ],
)
def test_each_unusable_post_row_is_quarantined_with_its_line_and_reason(db, tmp_path, row, reason):
    load(db, ROSTER)
    path = posts_file(tmp_path, "p.csv", "urn:li:activity:9,E001,2025-06-10,fine,,,,,,", row)
    (result,) = load(db, path)
    assert (result.loaded, result.quarantined) == (1, 1)
    ((line, raw, why),) = query(db, "SELECT line, raw, reason FROM quarantine")
    assert line == 3 and raw == row and why.startswith(reason)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("INC-9;12/05/2025;Ventes;;terrible;ton", "severity 'terrible' is not a severity"),
        ("INC-9;12/05/2025;;;faible;ton", "no team, and no author to take it from"),
        ("INC-9;;Ventes;;faible;ton", "occurred_on is empty"),
    ],
)
def test_incident_rows_that_cannot_be_used(db, tmp_path, text, reason):
    path = write(tmp_path / "i.csv", "Référence;Date;Équipe;Auteur;Gravité;Catégorie\n" + text + "\n")
    (result,) = load(db, path)
    assert result.quarantined == 1
    assert query(db, "SELECT reason FROM quarantine")[0][0].startswith(reason)


def test_incidents_take_their_authors_team_and_map_french_severities(db):
    load(db, ROSTER, "incidents_note_row.csv")
    assert query(db, "SELECT incident_id, team, severity, employee_id FROM incidents ORDER BY 1") == [
        ("INC-1", "Ventes", "high", "E002"),
        ("INC-2", "Marketing", "low", "E003"),
        ("INC-3", "Marketing", "medium", None),
    ]


def test_a_key_given_twice_in_one_file_with_different_values_is_quarantined(db, tmp_path):
    load(db, ROSTER)
    path = posts_file(tmp_path, "p.csv", "urn:li:activity:1,E001,2025-06-10,first,,,,,,",
                      "urn:li:activity:1,E001,2025-06-10,second,,,,,,", "urn:li:activity:2,E001,2025-06-11,x,,,,,,",
                      "urn:li:activity:2,E001,2025-06-11,x,,,,,,")  # fmt: skip
    (result,) = load(db, path)
    assert (result.loaded, result.unchanged, result.quarantined) == (1, 1, 2)
    reasons = query(db, "SELECT line, reason FROM quarantine ORDER BY line")
    assert [line for line, _ in reasons] == [2, 3]
    assert "given with different values on lines 2, 3" in reasons[0][1]


def test_authors_match_by_id_then_email_then_name_ignoring_case_and_accents(db, tmp_path):
    load(db, ROSTER)
    path = posts_file(tmp_path, "p.csv", "urn:li:activity:1,e001,2025-06-10,a,,,,,,",
                      "urn:li:activity:2,ZOE.LEFEVRE@acme.fr,2025-06-10,b,,,,,,",
                      "urn:li:activity:3,zoe   lefevre,2025-06-10,c,,,,,,")  # fmt: skip
    (result,) = load(db, path)
    assert result.loaded == 3
    assert query(db, "SELECT DISTINCT employee_id FROM posts") == [("E001",)]


def test_reprocess_loads_rows_whose_author_joined_the_roster_later(db, tmp_path):
    (posts,) = load(db, "posts_fr.csv")
    assert posts.quarantined == 4
    assert reprocess(db)[0].still_quarantined == 4  # nothing changed yet: they stay
    load(db, ROSTER)
    (result,) = reprocess(db)
    assert (result.tried, result.loaded, result.still_quarantined) == (4, 4, 0)
    assert query(db, "SELECT count(*) FROM posts") == [(4,)]
    assert query(db, "SELECT count(*) FROM quarantine") == [(0,)]
    assert query(db, "SELECT rows_read, loaded, quarantined FROM uploads WHERE upload_id = ?", [posts.upload_id]) == [
        (4, 4, 0)
    ]
    # The rows now belong to their upload: undoing it takes them back.
    undo(db, posts.upload_id)
    assert query(db, "SELECT count(*) FROM posts") == [(0,)]


def test_a_refused_file_leaves_the_database_exactly_as_it_was(db, tmp_path):
    load(db, *ALL_FILES)
    before = fingerprint(db)
    bad = write(tmp_path / "bad.csv", "post_id,author\nurn:li:activity:1,E001\n")
    (result,) = load(db, bad)
    assert result.refused and "published_at" in result.refused
    assert fingerprint(db) == before


def test_the_teams_file_may_come_before_the_roster(db):
    (teams,) = load(db, "teams_bom.csv")
    assert (teams.loaded, teams.quarantined) == (4, 0)
    assert query(db, "SELECT charter_adopted_on::VARCHAR FROM teams WHERE team = '*'") == [("2025-09-01",)]


def test_charter_set_for_the_organisation_and_a_team_keeps_headcount_and_can_be_undone(db):
    load(db, "teams_bom.csv")
    set_charter(db, date(2025, 10, 1))
    result = set_charter(db, date(2025, 11, 3), team="Marketing")
    assert query(
        db,
        "SELECT team, headcount, charter_adopted_on::VARCHAR FROM teams WHERE team IN ('*', 'Marketing') ORDER BY 1",
    ) == [
        ("*", None, "2025-10-01"),
        ("Marketing", 8, "2025-11-03"),
    ]
    undo(db, result.upload_id)
    assert query(db, "SELECT charter_adopted_on FROM teams WHERE team = 'Marketing'") == [(None,)]


def test_consent_marked_with_x_means_no_where_blank(db, tmp_path):
    path = write(tmp_path / "r.csv", "employee_id,team,opt in\nE1,A,x\nE2,A,\n")
    load(db, path)
    assert query(db, "SELECT employee_id, contest_opt_in FROM employees ORDER BY 1") == [("E1", True), ("E2", False)]
    other = write(tmp_path / "r2.csv", "employee_id,team,opt in\nE3,A,non\nE4,A,\n")
    load(db, other)
    assert query(db, "SELECT employee_id, contest_opt_in FROM employees WHERE employee_id > 'E2' ORDER BY 1") == [
        ("E3", False),
        ("E4", True),
    ]


def test_contests_read_their_team_lists_and_default_minimum(db):
    load(db, "contests.csv")
    assert query(db, "SELECT contest_id, teams, min_posts FROM contests ORDER BY 1") == [
        ("C1", None, 2),
        ("C2", ["Ventes", "Marketing"], 3),
    ]


def test_the_schema_carries_its_version_and_reopening_does_not_migrate_again(db):
    load(db, ROSTER)
    with connect(db) as con:
        applied = con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        assert applied == [(version,) for version, _ in migrations()] and applied[-1] == (SCHEMA_VERSION,)
    assert query(db, "SELECT count(*) FROM employees") == [(5,)]


def test_a_load_killed_half_way_leaves_the_database_as_before(db, tmp_path):
    load(db, ROSTER)
    before = fingerprint(db)
    big = tmp_path / "big.csv"
    with big.open("w") as f:
        f.write("post_id,as_of,impressions,reactions\n")
        f.writelines(f"urn:li:activity:{i},2025-06-30,{i},1\n" for i in range(1_500_000))
    advocacy = Path(sys.executable).with_name("advocacy")
    process = subprocess.Popen([str(advocacy), "load", str(big), "--db", str(db)])
    time.sleep(1.5)  # well inside the load, which takes several seconds
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert fingerprint(db) == before


def test_files_are_checked_against_the_fixture_folder():
    assert {p.name for p in FILES.iterdir()} >= set(ALL_FILES) | {"Shares.csv"}


def test_a_reader_of_an_older_database_file_migrates_it_first(db):
    import duckdb

    duckdb.connect(str(db)).close()  # a database file from before the schema: version 0
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT max(version) FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        assert con.execute("SELECT count(*) FROM posts").fetchall() == [(0,)]


snapshot_rows = st.lists(
    st.tuples(
        st.integers(1, 4),  # the post
        st.sampled_from(["2025-10-31", "2025-11-30", "2025-12-31"]),  # as_of
        st.sampled_from(["LinkedIn page", "Sprout", ""]),  # who measured
        st.one_of(st.none(), st.integers(0, 999)),  # impressions, or none given
        st.one_of(st.none(), st.integers(0, 99)),  # reactions, or none given
    ),
    min_size=1,
    max_size=6,
)


@given(uploads=st.lists(snapshot_rows, min_size=1, max_size=4), undone=st.integers(0, 3))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_current_engagement_a_load_derives_is_the_one_all_snapshots_give(tmp_path_factory, uploads, undone):
    """A load writes only the current rows its snapshots change, derived from the current row where it can: after
    each load and an undo, they equal those recomputed from every snapshot of every post."""
    db = tmp_path_factory.mktemp("snapshots") / "db.duckdb"
    folder = db.parent
    results = []
    for u, rows in enumerate(uploads):
        text = "post_id,as_of,source,impressions,reactions\n" + "".join(
            f"urn:li:activity:{post},{as_of},{source},{'' if i is None else i},{'' if r is None else r}\n"
            for post, as_of, source, i, r in rows
            if i is not None or r is not None
        )
        (result,) = load(db, write(folder / f"e{u}.csv", text))
        results.append(result)
        assert _current_engagement(db) == _current_engagement(db, recomputed=True)
    if (upload := results[undone % len(results)]).upload_id is not None:
        undo(db, upload.upload_id)
        assert _current_engagement(db) == _current_engagement(db, recomputed=True)


def _current_engagement(db: Path, recomputed: bool = False) -> list[tuple[Any, ...]]:
    """post_engagement as stored, or recomputed from all snapshots (in a transaction rolled back)."""
    with connect(db) as con:
        if not recomputed:
            return con.execute("SELECT * FROM post_engagement ORDER BY post_id").fetchall()
        con.execute("BEGIN")
        con.execute("CREATE TEMP TABLE every_post AS SELECT DISTINCT post_id FROM engagement_snapshots")
        refresh_current(con, TARGETS["engagement"], Identifier("every_post"))
        rows = con.execute("SELECT * FROM post_engagement ORDER BY post_id").fetchall()
        con.execute("ROLLBACK")
        return rows
