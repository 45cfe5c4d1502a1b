"""The sample exports in data/samples: one of each kind, recognised as that kind, loading with nothing quarantined."""

from __future__ import annotations

from pathlib import Path

from pipelines.ingest.contract import FILE_KINDS
from tests.conftest import load, query

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
ORDER = ["employees", "teams", "workshops", "posts", "engagement", "incidents", "contests", "jury_scores"]


def test_there_is_one_sample_of_each_kind() -> None:
    assert sorted(p.stem for p in SAMPLES.glob("*.csv")) == sorted(FILE_KINDS) == sorted(ORDER)


def test_the_samples_load_whole_in_the_order_comms_would_upload_them(db: Path) -> None:
    results = load(db, *(SAMPLES / f"{kind}.csv" for kind in ORDER))
    assert [(r.kind, r.refused) for r in results] == [(kind, None) for kind in ORDER]  # kinds told by the headers
    for r in results:
        assert r.rows_read > 0 and r.loaded == r.rows_read and r.quarantined == 0, r
    authors = query(db, "SELECT count(DISTINCT employee_id) FROM posts")[0][0]
    assert authors == query(db, "SELECT count(*) FROM employees")[0][0]  # every author matched the roster
    scored = query(db, "SELECT count(*) FROM jury_scores j JOIN posts p USING (post_id)")[0][0]
    assert scored == results[-1].rows_read  # every jury score is on a loaded post
