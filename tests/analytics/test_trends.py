"""Trends month by month on a programme small enough to work out by hand, loaded from export-shaped files.

Roster (French HR export, cp1252, day-first dates): Ventes V1-V5 (V5 joins 15/03/2025, V4 leaves 01/04/2025, its
first day away), Marketing M1-M5, Direction D1-D2 (two people: under the privacy threshold, "other teams").
Posts (French platform export) from 02/01/2025 to 20/04/2025, so January (30 of 31 days) and April (20 of 30)
are partial months:
  January  V1 (LinkedIn), V2 (X), M1, V4            February  V1, V3, M1, M2 (X)
  March    V1, V2, M1, M2, D1                       April     V1, V5 (X), M1, M2
Engagement (English export, month-first dates), newest snapshot per post:
  V1 Jan: 200 impressions, 8+1+0+1 = 10; V2 Jan (X, id tw-0001): 100, 5;
  March: V1 1000, 40+5+3+12 = 60; V2 0 impressions, 10; M1 500, 20+0+0+5 = 25; D1 10000, 700+50+30+220 = 1000;
  April: M1 800, 50+10+0+20 = 80; V5 (X, a web address) 400, 36+2+2+0 = 40. February: no figures.
Earned media value at CPM 20 and CPC 2 (set in the environment).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pipelines.analytics import catalogue, trends
from pipelines.analytics.scopes import ImpactRequest
from pipelines.store.db import connect
from tests.conftest import load, write

ROSTER = """Matricule;Nom complet;Équipe;Date d'entrée;Date de sortie
V1;Valérie Un;Ventes;01/06/2024;
V2;Victor Deux;Ventes;;
V3;Vanessa Trois;Ventes;01/01/2024;
V4;Vincent Quatre;Ventes;01/09/2024;01/04/2025
V5;Véra Cinq;Ventes;15/03/2025;
M1;Marc Un;Marketing;;
M2;Marie Deux;Marketing;;
M3;Max Trois;Marketing;;
M4;Mia Quatre;Marketing;;
M5;Mona Cinq;Marketing;;
D1;Denise Directrice;Direction;;
D2;Didier Directeur;Direction;;
"""
X_V5 = "https://x.com/acme/status/1890000000000000015"
POSTS = [  # post id, author, published, network, format, title
    ("urn:li:activity:7100000000000000001", "V1", "02/01/2025 09:00", "LinkedIn", "Texte", "Bonne année"),
    ("tw-0001", "V2", "15/01/2025 12:00", "X", "Texte", "Salon de janvier"),
    ("urn:li:activity:7100000000000000003", "M1", "10/01/2025 10:00", "LinkedIn", "Article", "Notre offre"),
    ("urn:li:activity:7100000000000000004", "V4", "20/01/2025 10:00", "LinkedIn", "Vidéo", "Au revoir"),
    ("urn:li:activity:7100000000000000005", "V1", "10/02/2025 10:00", "LinkedIn", "Texte", "Février"),
    ("urn:li:activity:7100000000000000006", "V3", "03/02/2025 10:00", "LinkedIn", "Texte", "Premier post"),
    ("urn:li:activity:7100000000000000007", "M1", "12/02/2025 10:00", "LinkedIn", "Texte", "Webinaire"),
    ("https://x.com/acme/status/1890000000000000008", "M2", "20/02/2025 10:00", "X", "Texte", "Fil"),
    ("urn:li:activity:7100000000000000009", "V1", "05/03/2025 10:00", "LinkedIn", "Texte", "Client conquis"),
    ("urn:li:activity:7100000000000000010", "V2", "20/03/2025 10:00", "LinkedIn", "Texte", "Salon de mars"),
    ("urn:li:activity:7100000000000000011", "M1", "12/03/2025 10:00", "LinkedIn", "Article", "Étude de cas"),
    ("urn:li:activity:7100000000000000012", "M2", "25/03/2025 10:00", "LinkedIn", "Texte", "Équipe"),
    ("urn:li:activity:7100000000000000013", "D1", "03/03/2025 10:00", "LinkedIn", "Texte", "Conseil de direction"),
    ("urn:li:activity:7100000000000000014", "V1", "07/04/2025 10:00", "LinkedIn", "Texte", "Avril"),
    (X_V5 + "?s=20", "V5", "20/04/2025 10:00", "X", "Texte", "Bienvenue"),
    ("urn:li:activity:7100000000000000016", "M1", "14/04/2025 10:00", "LinkedIn", "Texte", "Résultats"),
    ("urn:li:activity:7100000000000000017", "M2", "02/04/2025 10:00", "LinkedIn", "Texte", "Printemps"),
]
ENGAGEMENT = [  # post id, impressions, likes, comments, reposts, clicks
    ("urn:li:activity:7100000000000000001", 200, 8, 1, 0, 1),
    ("tw-0001", 100, 5, 0, 0, 0),
    ("urn:li:activity:7100000000000000009", 1000, 40, 5, 3, 12),
    ("urn:li:activity:7100000000000000010", 0, 10, 0, 0, 0),
    ("urn:li:activity:7100000000000000011", 500, 20, 0, 0, 5),
    ("urn:li:activity:7100000000000000013", 10000, 700, 50, 30, 220),
    ("urn:li:activity:7100000000000000016", 800, 50, 10, 0, 20),
    (X_V5, 400, 36, 2, 2, 0),
]
MONTHS = [pd.Timestamp(f"2025-0{m}-01") for m in (1, 2, 3, 4)]
PEOPLE = {"V1", "V2", "V3", "V4", "V5", "M1", "M2", "M3", "M4", "M5", "D1", "D2"}


@pytest.fixture
def programme(db, tmp_path, monkeypatch):
    monkeypatch.setenv("ADVOCACY_CPM", "20")
    monkeypatch.setenv("ADVOCACY_CPC", "2")
    posts = "Lien de la publication;Auteur;Date de publication;Réseau;Type de contenu;Titre\n"
    posts += "".join(";".join(row) + "\n" for row in POSTS)
    engagement = "post_id,as_of,impressions,likes,comments,reposts,clicks\n"
    engagement += "".join(f"{p},04/30/2025,{i},{r},{c},{s},{k}\n" for p, i, r, c, s, k in ENGAGEMENT)
    files = [
        write(tmp_path / "annuaire.csv", ROSTER, "cp1252"),
        write(tmp_path / "publications.csv", posts),
        write(tmp_path / "engagement.csv", engagement),
    ]
    results = load(db, *files)
    assert all(r.refused is None and r.quarantined == 0 for r in results), [r.reasons for r in results]
    return db


def monthly(db, **request) -> pd.DataFrame:
    with connect(db, read_only=True) as con:
        return trends.monthly(con, ImpactRequest(**request))


def rows(frame: pd.DataFrame, team: str) -> pd.DataFrame:
    return frame[frame["team"] == team].set_index("month")


def test_months_are_calendar_months_and_the_cut_ones_are_marked(programme):
    org = rows(monthly(programme), "organisation")
    assert list(org.index) == MONTHS
    assert org["days"].tolist() == [30, 28, 31, 20]
    assert org["days_in_month"].tolist() == [31, 28, 31, 30]
    assert org["partial"].tolist() == [True, False, False, True]


def test_the_funnel_of_the_organisation_worked_out_by_hand(programme):
    org = rows(monthly(programme), "organisation")
    # V5 is a member from March (joined the 15th), V4 no more in April (left on the 1st).
    assert org["members"].tolist() == [11, 11, 12, 11]
    assert org["ever_posted"].tolist() == [4, 6, 7, 7]
    assert org["active_ambassadors"].tolist() == [4, 4, 5, 4]
    # Regular: none where the two months before are not in the data; March V1, M1; April V1, M1, M2.
    assert org["regular"].isna().tolist() == [True, True, False, False]
    assert org["regular"].iloc[2:].tolist() == [2, 3]
    assert org["participation_rate"].tolist() == pytest.approx([4 / 11, 4 / 11, 5 / 12, 4 / 11])
    assert org["ever_posted_rate"].tolist() == pytest.approx([4 / 11, 6 / 11, 7 / 12, 7 / 11])
    assert org["regular_rate"].iloc[2:].tolist() == pytest.approx([2 / 12, 3 / 11])
    assert org["posts"].tolist() == [4, 4, 5, 4]


def test_a_teams_funnel(programme):
    sales = rows(monthly(programme), "Ventes")
    assert sales["members"].tolist() == [4, 4, 5, 4]
    assert sales["ever_posted"].tolist() == [3, 4, 4, 4]  # V4 gone in April, V5 posts on the 20th
    assert sales["active_ambassadors"].tolist() == [3, 2, 2, 2]
    assert sales["regular"].iloc[2:].tolist() == [1, 1]


def test_engagement_rate_and_earned_media_value_worked_out_by_hand(programme):
    org = rows(monthly(programme), "organisation")
    assert org["engaged_posts"].tolist() == [2, 0, 4, 2]
    assert org.loc[MONTHS[0], "engagements"] == 15 and org.loc[MONTHS[2], "engagements"] == 1095
    assert org.loc[MONTHS[2], "impressions"] == 11500 and org.loc[MONTHS[2], "clicks"] == 237
    # March: V2's post has no impressions, so it stays out of the rate (its 10 engagements too).
    assert org.loc[MONTHS[2], "engagement_rate"] == pytest.approx(1085 / 11500)
    assert org.loc[MONTHS[0], "engagement_rate"] == pytest.approx(15 / 300)
    assert org.loc[MONTHS[3], "engagement_rate"] == pytest.approx(120 / 1200)
    # 11,500 impressions x 20 / 1000 + 237 clicks x 2
    assert org["earned_media_value"].iloc[[0, 2, 3]].tolist() == pytest.approx([8, 704, 64])
    # February: no post has figures, so no engagement figure at all (not zero).
    february = org.loc[MONTHS[1]]
    assert pd.isna(february["engagements"]) and pd.isna(february["engagement_rate"])
    assert pd.isna(february["earned_media_value"])


def test_a_period_cuts_the_months_but_history_still_counts(programme):
    org = rows(monthly(programme, period=(date(2025, 3, 1), date(2025, 4, 1))), "organisation")
    assert list(org.index) == [MONTHS[2]] and not org["partial"].any()
    assert org["ever_posted"].tolist() == [7] and org["regular"].tolist() == [2]


def test_filters_on_teams_and_networks(programme):
    marketing = rows(monthly(programme, team_filter=("Marketing",)), "organisation")
    assert marketing["members"].tolist() == [5, 5, 5, 5]
    assert marketing["posts"].tolist() == [1, 2, 2, 2]
    linkedin = rows(monthly(programme, networks=("linkedin",)), "organisation")
    assert linkedin["posts"].tolist() == [3, 3, 5, 3]
    # M2's only February post is on X: on LinkedIn alone, M2 is not regular in April.
    assert linkedin["regular"].iloc[3] == 2


def test_scopes_come_organisation_first_and_small_teams_only_as_other_teams(programme):
    frame = monthly(programme)
    assert list(dict.fromkeys(frame["team"])) == ["organisation", "Marketing", "Ventes", "other teams"]
    assert rows(frame, "other teams")["members"].tolist() == [2, 2, 2, 2]


def test_breakdown_by_network_and_by_format(programme):
    with connect(programme, read_only=True) as con:
        networks = trends.by_dimension(con, None, "network")
        formats = trends.by_dimension(con, None, "format")
        with pytest.raises(ValueError):
            trends.by_dimension(con, None, "author")
    org = networks[networks["team"] == "organisation"]
    counts = {(m.month, n): p for m, n, p in zip(org["month"], org["network"], org["posts"], strict=True)}
    assert counts == {(1, "linkedin"): 3, (1, "x"): 1, (2, "linkedin"): 3, (2, "x"): 1, (3, "linkedin"): 5,
                      (4, "linkedin"): 3, (4, "x"): 1}  # fmt: skip
    march = org[org["month"] == MONTHS[2]]
    assert march["engagements"].tolist() == [1095] and march["engaged_posts"].tolist() == [4]
    org_formats = formats[formats["team"] == "organisation"]
    assert org_formats.groupby("format")["posts"].sum().to_dict() == {"article": 2, "post": 14, "video": 1}


def test_best_posts_by_engagements_and_by_impressions(programme):
    with connect(programme, read_only=True) as con:
        best = trends.top_posts(con, by="engagements", limit=10)
        seen = trends.top_posts(con, ImpactRequest(), by="impressions", limit=3)
    assert list(best.columns) == trends.TOP_COLUMNS
    assert best["engagements"].tolist() == [1000, 80, 60, 40, 25, 10, 10, 5]
    assert best["title"].tolist()[:2] == ["Conseil de direction", "Résultats"]
    assert best["title"].tolist()[5:7] == ["Bonne année", "Salon de mars"]  # a tie: the older first
    assert seen["impressions"].tolist() == [10000, 1000, 800]
    links = dict(zip(best["title"], best["link"], strict=True))
    assert links["Résultats"] == "https://www.linkedin.com/feed/update/urn:li:activity:7100000000000000016/"
    assert links["Bienvenue"] == X_V5  # already a web address (its query string dropped at load)
    assert pd.isna(links["Salon de janvier"])  # neither an activity nor an address
    assert best.loc[best["title"] == "Conseil de direction", "published_on"].tolist() == [date(2025, 3, 3)]


def test_best_posts_follow_the_filters(programme):
    with connect(programme, read_only=True) as con:
        marketing = trends.top_posts(con, ImpactRequest(team_filter=("Marketing",), networks=("linkedin",)))
        march = trends.top_posts(con, ImpactRequest(period=(date(2025, 3, 1), date(2025, 4, 1))))
        with pytest.raises(ValueError):
            trends.top_posts(con, by="clicks")
    assert marketing["title"].tolist() == ["Résultats", "Étude de cas"]
    assert set(marketing["team"]) == {"Marketing"}
    assert march["engagements"].tolist() == [1000, 60, 25, 10]


def test_a_small_team_is_never_named_and_no_person_appears(programme):
    with connect(programme, read_only=True) as con:
        outputs = [
            trends.monthly(con, ImpactRequest()),
            trends.monthly(con, ImpactRequest(only_team="Direction")),
            trends.by_dimension(con, None, "network"),
            trends.by_dimension(con, None, "format"),
            trends.top_posts(con, by="engagements", limit=50),
            trends.top_posts(con, by="impressions", limit=50),
        ]
    for frame in outputs:
        cells = {str(v) for v in frame.astype(str).to_numpy().ravel()} | set(frame.columns)
        assert "Direction" not in cells
        assert not cells & PEOPLE
        assert not {"author", "employee_id", "full_name", "name"} & set(frame.columns)
        assert not any("Denise" in c or "Valérie" in c for c in cells)
    assert outputs[4].loc[0, "team"] == "other teams"
    assert set(outputs[1]["team"]) == {"other teams"}


def test_every_figure_of_the_trends_is_in_the_catalogue():
    figures = set(trends.MONTHLY_COLUMNS) - {"scope", "team", "month", "days", "days_in_month", "partial"}
    assert figures == set(catalogue.TRENDS)
    for key in ("posts", "active_ambassadors", "engagement_rate", "earned_media_value"):
        assert catalogue.TRENDS[key] is catalogue.REPORT[key]
    for key, metric in catalogue.TRENDS.items():
        assert metric.key == key and metric.label("fr") and metric.about("fr")


def test_json_rows_give_whole_numbers_as_int_and_missing_as_none(programme):
    records = trends.as_records(monthly(programme))
    january = records[0]
    assert january["month"] == "2025-01" and january["members"] == 11 and type(january["members"]) is int
    assert january["regular"] is None and january["partial"] is True
    assert records[1]["engagement_rate"] is None


def test_post_link():
    assert trends.post_link("urn:li:activity:1") == "https://www.linkedin.com/feed/update/urn:li:activity:1/"
    assert trends.post_link("https://example.com/p/1") == "https://example.com/p/1"
    assert trends.post_link("urn:li:activity:1 OR 1=1") is None
    assert trends.post_link("javascript:alert(1)") is None
    assert trends.post_link(None) is None


def test_no_posts_gives_empty_frames(db):
    load(db, write(db.parent / "annuaire.csv", ROSTER, "cp1252"))
    with connect(db, read_only=True) as con:
        assert trends.monthly(con).empty and list(trends.monthly(con).columns) == trends.MONTHLY_COLUMNS
        assert trends.by_dimension(con, None, "network").empty
        assert trends.top_posts(con).empty
