"""A contest small enough to rank by hand, for the rankings and their downloads.

Contest C1 (2025-03-01 to 2025-03-31, all teams, min_posts 2); team A = E1 Ann, E2 Bob, E3 Cyd (opted out), E6, E7;
team B = E4 Dan (opted out), E5 (a name that looks like a formula), E8, E9, E10; team S = E11 Sol alone.
- E1: 3 posts (1 article), engagements 10, 20, 30; jury 8 and 6 on one post (mean 7)
- E2: 3 posts (2 articles), engagements 20, 20, 20; jury 9
- E3: 1 post, engagement 500 (too few posts for engagement per post), and one post in April (outside)
- E4: 2 posts, engagements 5 and none (averaged over the post that has engagement)
- E5: 1 article; jury 7
- E11: 2 posts
"""

from __future__ import annotations

import pytest

from pipelines.analytics.contests import Ranking, ranking
from pipelines.store.db import connect
from tests.conftest import load, write

EVIL = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def contest_db(db, tmp_path):
    people = [
        ("E1", "Ann", "A", "oui"), ("E2", "Bob", "A", "oui"), ("E3", "Cyd", "A", "non"), ("E6", "Eve", "A", "oui"),
        ("E7", "Fay", "A", "oui"), ("E4", "Dan", "B", "non"), ("E5", EVIL, "B", "oui"), ("E8", "Gus", "B", "oui"),
        ("E9", "Hal", "B", "oui"), ("E10", "Ivy", "B", "oui"), ("E11", "Sol", "S", "oui"),
    ]  # fmt: skip
    roster = "employee_id;full_name;team;contest_opt_in\n" + "".join(
        f'{i};"{n.replace(chr(34), chr(34) * 2)}";{t};{o}\n' for i, n, t, o in people
    )
    posts = [("p1", "E1", "2025-03-02", "article", 10), ("p2", "E1", "2025-03-03", "post", 20),
             ("p3", "E1", "2025-03-04", "post", 30), ("p4", "E2", "2025-03-05", "article", 20),
             ("p5", "E2", "2025-03-06", "article", 20), ("p6", "E2", "2025-03-07", "post", 20),
             ("p7", "E3", "2025-03-08", "post", 500), ("p8", "E3", "2025-04-01", "post", 1),
             ("p9", "E4", "2025-03-09", "post", 5), ("p10", "E4", "2025-03-10", "post", None),
             ("p11", "E5", "2025-03-11", "article", None), ("p12", "E11", "2025-03-12", "post", None),
             ("p13", "E11", "2025-03-13", "post", None)]  # fmt: skip
    post_rows = "".join(f"urn:li:activity:{p[1:]}000000,{a},{d},{f}\n" for p, a, d, f, _ in posts)
    engagement = "".join(f"urn:li:activity:{p[1:]}000000,2025-04-30,{e}\n" for p, *_, e in posts if e is not None)
    jury = [("C1", "p1", "J1", 8), ("C1", "p1", "J2", 6), ("C1", "p4", "J1", 9), ("C1", "p11", "J1", 7)]
    files = {
        "roster.csv": roster,
        "posts.csv": "post_id,author,published_at,format\n" + post_rows,
        "engagement.csv": "post_id,as_of,engagements\n" + engagement,
        "contests.csv": "contest_id,name,starts_on,ends_on,teams,min_posts\n"
        "C1,Printemps des équipes,2025-03-01,2025-03-31,,2\nC2,Empty jury,2025-03-01,2025-03-31,,\n",
        "jury.csv": "contest_id,post_id,judge,score\n"
        + "".join(f"{c},urn:li:activity:{p[1:]}000000,{j},{s}\n" for c, p, j, s in jury),
    }
    results = load(db, *(write(tmp_path / name, text) for name, text in files.items()))
    assert all(r.refused is None and r.quarantined == 0 for r in results), [r.reasons for r in results]
    return db


def rank(db, criterion: str, contest: str = "C1", by: str = "employee") -> Ranking:
    with connect(db, read_only=True) as con:
        return ranking(con, contest, criterion, by)
