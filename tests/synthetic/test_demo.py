"""The demo programme: reproducible files, in the dialects the contract promises, loaded by the real loader."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pandas as pd
import pytest

from pipelines.synthetic.demo import (
    DUPLICATE_NAME,
    END,
    JUDGED,
    LINKEDIN_POST_HEADER,
    SPECIAL_TITLES,
    START,
    UNKNOWN_AUTHOR_POSTS,
    DemoFile,
    build_demo,
    write_demo_files,
)

ACTIVITY = re.compile(r"urn:li:activity:(\d{19})")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[DemoFile]:
    return write_demo_files(tmp_path_factory.mktemp("demo"), seed=7)


def _by_name(files: list[DemoFile], pattern: str) -> list[Path]:
    return [f.path for f in files if re.fullmatch(pattern, f.path.name)]


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _read(path: Path, sep: str, encoding: str) -> pd.DataFrame:
    return pd.read_csv(path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False)


def _activity(post_id: str) -> str:
    found = ACTIVITY.search(post_id)
    assert found, post_id
    return found.group(1)


def _employees(files: list[DemoFile]) -> pd.DataFrame:
    return _read(_by_name(files, "employees.csv")[0], ";", "cp1252")


def _posts_csv(files: list[DemoFile]) -> list[pd.DataFrame]:
    return [_read(p, ";", "utf-8-sig") for p in _by_name(files, r"publications_.*\.csv")]


# --- reproducible -----------------------------------------------------------------------------------------------


def test_same_seed_writes_identical_bytes(tmp_path: Path) -> None:
    first = write_demo_files(tmp_path / "a", seed=7)
    write_demo_files(tmp_path / "b", seed=7)
    write_demo_files(tmp_path / "c", seed=8)
    a, b, c = (_digests(tmp_path / name) for name in "abc")
    assert a == b
    assert sorted(a) == sorted(f.path.name for f in first)
    assert a.keys() == c.keys()
    differing = [name for name in a if a[name] != c[name]]
    assert "employees.csv" in differing and "incidents.csv" in differing
    assert len(differing) >= len(a) - 2  # only contests.csv and teams.csv may be the same


# --- the dialects -----------------------------------------------------------------------------------------------


def test_employees_file_is_french_excel_in_windows_1252(files: list[DemoFile]) -> None:
    raw = _by_name(files, "employees.csv")[0].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert text.split("\r\n")[0] == (
        "Matricule;Nom complet;Adresse e-mail;Équipe;Poste;Date d'entrée;Date de sortie;Consentement classement"
    )
    assert raw.count(b"\n") == raw.count(b"\r\n")
    roster = _employees(files)
    assert set(roster["Consentement classement"]) == {"oui", "non"}
    dates = [d for d in pd.concat([roster["Date d'entrée"], roster["Date de sortie"]]) if d]
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", d) for d in dates)
    assert any(int(d[:2]) > 12 for d in dates)  # the values themselves say day first
    assert any(c in text for c in "éçï")


def test_teams_file_has_bom_and_an_organisation_row(files: list[DemoFile]) -> None:
    path = _by_name(files, "teams.csv")[0]
    assert path.read_bytes().startswith(b"\xef\xbb\xbfteam,headcount,charter_adopted_on")
    teams = _read(path, ",", "utf-8-sig").set_index("team")
    assert teams.loc["*", "charter_adopted_on"] == "2025-09-01"
    own = {d for d in teams["charter_adopted_on"].drop("*") if d}
    assert len(own) >= 3 and "2025-09-01" not in own  # staggered: early and late adopters
    assert (teams["charter_adopted_on"].drop("*") == "").sum() >= 3  # the rest follow the organisation


def test_posts_exports_are_french_csv_that_overlap(files: list[DemoFile]) -> None:
    paths = _by_name(files, r"publications_.*\.csv")
    assert all(
        p.read_text(encoding="utf-8-sig").startswith(("URN;Auteur;", "Lien de la publication;")) for p in paths
    )
    assert any(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in paths)
    assert any(not p.read_bytes().startswith(b"\xef\xbb\xbf") for p in paths)
    frames = _posts_csv(files)
    ids = [frame.iloc[:, 0] for frame in frames]
    assert any(i.str.startswith("https://www.linkedin.com/feed/update/urn:li:activity:").all() for i in ids)
    assert any(i.str.fullmatch(r"urn:li:activity:\d{19}").all() for i in ids)
    for before, after in zip(ids[:-2], ids[1:-1], strict=True):  # the last one follows the LinkedIn month
        assert set(before.map(_activity)) & set(after.map(_activity)), "consecutive exports overlap"
    dates = pd.concat([f["Date de publication"] for f in frames])
    assert dates.str.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d").all()
    titles = set(pd.concat([f["Titre"] for f in frames]))
    assert set(SPECIAL_TITLES) <= titles
    assert any(t.startswith("=") for t in titles) and any("\n" in t for t in titles)
    networks = pd.concat([f["Réseau"] for f in frames]).value_counts()
    assert networks.index[0] == "linkedin" and "twitter" in networks
    formats = set(pd.concat([f["Type de contenu"] for f in frames]))
    assert formats == {"post", "article", "image", "video", "document"}


def test_authors_are_ids_emails_or_unique_names(files: list[DemoFile]) -> None:
    roster = _employees(files)
    authors = pd.concat([f["Auteur"] for f in _posts_csv(files)])
    ids, emails = set(roster["Matricule"]), set(roster["Adresse e-mail"])
    counts = roster["Nom complet"].value_counts()
    assert counts[DUPLICATE_NAME] == 2
    assert roster.loc[roster["Nom complet"] == DUPLICATE_NAME, "Équipe"].nunique() == 2
    unique_names = set(counts[counts == 1].index)
    kinds = authors.map(
        lambda a: "id" if a in ids else "email" if a in emails else "name" if a in unique_names else a
    )
    shares = kinds.value_counts(normalize=True)
    assert shares["id"] > 0.6 and shares["email"] > 0.05 and shares["name"] > 0.05
    assert DUPLICATE_NAME not in set(authors)
    unknown = authors[~kinds.isin(["id", "email", "name"])]
    assert len(unknown) == UNKNOWN_AUTHOR_POSTS  # the intern missing from the roster, on purpose


def test_linkedin_export_has_its_posts_on_the_second_sheet(files: list[DemoFile]) -> None:
    (demo,) = [f for f in files if f.path.suffix == ".xlsx"]
    ms = int(re.fullmatch(r"acme_content_(\d+)\.xlsx", demo.path.name).group(1))  # type: ignore[union-attr]
    assert demo.options.export_date == datetime.fromtimestamp(ms / 1000, UTC).date()
    workbook = openpyxl.load_workbook(demo.path, read_only=True)
    assert workbook.sheetnames == ["Metrics", "All posts"]
    metrics = list(workbook["Metrics"].iter_rows(values_only=True))
    rows = list(workbook["All posts"].iter_rows(values_only=True))
    assert isinstance(metrics[0][0], str) and metrics[0][1:] == (None,) * (len(metrics[0]) - 1)
    assert metrics[1][0] == "Date" and "Impressions" not in metrics[1]  # daily totals, not a posts table
    assert isinstance(rows[0][0], str) and rows[1] == LINKEDIN_POST_HEADER
    body = pd.DataFrame(rows[2:], columns=rows[1])
    assert len(body) > 100
    assert body["Created date"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    assert (body["Created date"].str[3:5].astype(int) > 12).any()  # month first, and the values say so
    assert set(body["Post type"]) == {"Organic"}
    assert body["Post link"].str.fullmatch(r"https://www\.linkedin\.com/feed/update/urn:li:activity:\d{19}/").all()
    assert body["Click through rate (CTR)"].between(0, 1).all() and body["Engagement rate"].between(0, 1).all()
    roster = _employees(files)
    counts = roster["Nom complet"].value_counts()
    assert set(body["Posted by"]) <= set(counts[counts == 1].index)
    following = _posts_csv(files)[-1].iloc[:, 0].map(_activity)
    assert set(body["Post link"].map(_activity)) & set(following), "the next posts export overlaps it"


def _engagement(files: list[DemoFile]) -> pd.DataFrame:
    frames = []
    for path in _by_name(files, r"(engagement|statistiques)_.*"):
        raw = path.read_bytes()
        if raw.startswith(b"\xff\xfe"):
            frame = _read(path, "\t", "utf-16")
        elif path.suffix == ".txt":
            frame = _read(path, "\t", "utf-8")
        elif raw.startswith(b"\xef\xbb\xbfLien;"):
            frame = _read(path, ";", "utf-8-sig")
            frame.columns = ["post_id", "as_of", "impressions", "reactions", "comments", "shares", "clicks"]
            frame["as_of"] = pd.to_datetime(frame["as_of"], format="%d/%m/%Y").dt.strftime("%Y-%m-%d")
        else:
            frame = _read(path, ",", "utf-8")
        frame["file"] = path.name
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table["post"] = table["post_id"].map(_activity)
    for name in ("impressions", "reactions", "comments", "shares", "clicks"):
        table[name] = table[name].str.replace("\u00a0", "").astype(int)
    return table


def test_engagement_exports_vary_and_never_decrease(files: list[DemoFile]) -> None:
    paths = _by_name(files, r"(engagement|statistiques)_.*")
    assert len(paths) + len(_by_name(files, r"publications_.*|.*\.xlsx")) <= 24
    heads = [p.read_bytes()[:64] for p in paths]
    assert any(h.startswith(b"\xff\xfe" + "post_id\t".encode("utf-16-le")) for h in heads)  # Excel "Unicode text"
    assert any(h.startswith(b"post_id\tas_of") for h in heads)
    assert any(h.startswith(b"post_id,as_of") for h in heads)
    french = [p for p in paths if p.read_bytes().startswith(b"\xef\xbb\xbfLien;Date d'export;")]
    assert len(french) == 1 and "\u00a0" in french[0].read_text(encoding="utf-8-sig")
    table = _engagement(files)
    assert table["as_of"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    table = table.sort_values(["post", "as_of"])
    assert table.groupby("post").size().max() >= 2  # exports overlap
    for name in ("impressions", "reactions", "comments", "shares", "clicks"):
        assert (table.groupby("post")[name].diff().dropna() >= 0).all(), name
    impressions = table.groupby("post")["impressions"].max()
    assert impressions.max() > 20 * impressions.median()  # heavy-tailed


def test_incidents_contests_and_jury(files: list[DemoFile]) -> None:
    incidents = _read(_by_name(files, "incidents.csv")[0], ";", "utf-8-sig")
    assert list(incidents.columns) == [
        "Référence", "Date de l'incident", "Équipe", "Collaborateur", "Gravité", "Catégorie", "Commentaire",
    ]  # fmt: skip
    assert set(incidents["Gravité"]) == {"faible", "moyenne", "élevée", "critique"}
    assert ((incidents["Équipe"] != "") | (incidents["Collaborateur"] != "")).all()
    assert set(incidents["Collaborateur"]) - {""} <= set(_employees(files)["Matricule"])
    assert 10 <= len(incidents) <= 60
    contests = _read(_by_name(files, "contests.csv")[0], ",", "utf-8")
    assert len(contests) == 3 and "Sales|Marketing" in set(contests["teams"]) and "" in set(contests["teams"])
    jury = _read(_by_name(files, "jury_scores.csv")[0], ",", "utf-8")
    assert jury["contest_id"].nunique() == 2 == len(JUDGED)
    assert jury["judge"].nunique() == 3
    assert jury.groupby("contest_id")["post_id"].apply(lambda s: s.map(_activity).nunique()).eq(15).all()
    assert jury["score"].astype(float).between(0, 10).all()


# --- the programme ----------------------------------------------------------------------------------------------


def test_programme_shape(files: list[DemoFile]) -> None:
    roster = _employees(files)
    assert 240 <= len(roster) <= 260 and roster["Matricule"].is_unique
    sizes = roster["Équipe"].value_counts()
    assert len(sizes) == 8 and (sizes < 5).sum() == 1 and sizes.max() >= 5 * sizes.sort_values().iloc[1]
    joined = pd.to_datetime(roster["Date d'entrée"], format="%d/%m/%Y").dt.date
    left = pd.to_datetime(roster["Date de sortie"], format="%d/%m/%Y").dt.date
    assert 3 <= ((joined >= START) & (joined <= END)).sum() <= 12
    assert 2 <= left.notna().sum() <= 10
    assert 5 <= (roster["Consentement classement"] == "non").sum() <= 12
    published = pd.to_datetime(
        pd.concat([f["Date de publication"] for f in _posts_csv(files)]), format="%d/%m/%Y %H:%M"
    )
    months = (published.max().year - published.min().year) * 12 + published.max().month - published.min().month + 1
    assert 18 <= months <= 24
    assert published.min().date() >= START and published.max().date() <= END
    weekly = published.dt.to_period("M").value_counts().sort_index()
    assert weekly[pd.Period("2025-08")] < weekly[pd.Period("2025-07")]  # the August dip


def test_files_come_in_loading_order(files: list[DemoFile]) -> None:
    names = [f.path.name for f in files]
    assert names[:2] == ["employees.csv", "teams.csv"]
    assert names[-3:] == ["incidents.csv", "contests.csv", "jury_scores.csv"]
    assert all(f.options.kind is None for f in files)
    seen_posts: set[str] = set()
    for f in files:
        if f.path.name.startswith("publications_"):
            seen_posts |= set(_read(f.path, ";", "utf-8-sig").iloc[:, 0].map(_activity))
        elif f.path.suffix == ".xlsx":
            body = pd.read_excel(f.path, sheet_name="All posts", header=1, dtype=str)
            seen_posts |= set(body["Post link"].map(_activity))
        elif f.path.name.startswith(("engagement_", "statistiques_")):
            raw = f.path.read_bytes()
            text = raw.decode("utf-16") if raw.startswith(b"\xff\xfe") else raw.decode("utf-8-sig")
            assert set(ACTIVITY.findall(text)) <= seen_posts, f"{f.path.name} precedes its posts"


# --- through the real loader ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    folder = tmp_path_factory.mktemp("demo-load")
    db = folder / "demo.duckdb"
    return db, build_demo(db, folder / "files", seed=7)


def test_every_file_is_accepted(loaded: tuple[Path, list]) -> None:
    _, results = loaded
    assert len(results) == len(list((loaded[0].parent / "files").iterdir()))
    assert [r.file for r in results if r.refused] == []
    quarantined = {r.file: r.quarantined for r in results if r.quarantined}
    assert quarantined == {"publications_2025-04-28_2025-06-30.csv": UNKNOWN_AUTHOR_POSTS}, quarantined


def test_quarantine_is_the_unknown_intern(loaded: tuple[Path, list]) -> None:
    db, _ = loaded
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT raw, reason FROM quarantine").fetchall()
    assert len(rows) == UNKNOWN_AUTHOR_POSTS
    assert all("lea.stagiaire@" in raw for raw, _ in rows)


def test_loaded_programme(loaded: tuple[Path, list]) -> None:
    db, _ = loaded
    with duckdb.connect(str(db), read_only=True) as con:

        def one(sql: str) -> Any:
            return con.execute(sql).fetchall()[0][0]

        assert 240 <= one("SELECT count(*) FROM employees") <= 260
        assert one("SELECT count(*) FROM teams") == 9
        assert one("SELECT count(DISTINCT team) FROM employees") == 8
        assert one("SELECT count(*) FROM posts") > 5000
        assert one("SELECT count(*) FROM posts WHERE post_id NOT LIKE 'urn:li:activity:%'") == 0
        assert one("SELECT count(*) FROM posts p ANTI JOIN post_engagement e USING (post_id)") == 0
        assert one("SELECT count(*) FROM contests") == 3
        assert one("SELECT count(DISTINCT contest_id) FROM jury_scores") == 2
        assert one("SELECT count(*) FROM incidents") >= 10
        assert one("SELECT count(DISTINCT severity) FROM incidents") == 4
        assert one("SELECT max(published_at)::DATE FROM posts") <= END
        assert one("SELECT min(published_at)::DATE FROM posts") >= START


def test_more_posts_per_week_after_each_teams_adoption(loaded: tuple[Path, list]) -> None:
    """Same-length windows on either side of each team's own charter date."""
    db, _ = loaded
    with duckdb.connect(str(db), read_only=True) as con:
        before, after = con.execute(
            """
            WITH org AS (SELECT charter_adopted_on AS d FROM teams WHERE team = '*'),
                 adoption AS (SELECT t.team, coalesce(t.charter_adopted_on, org.d) AS d FROM teams t, org
                              WHERE t.team <> '*')
            SELECT count(*) FILTER (p.published_at >= a.d - INTERVAL 150 DAY AND p.published_at < a.d),
                   count(*) FILTER (p.published_at >= a.d AND p.published_at < a.d + INTERVAL 150 DAY)
            FROM posts p JOIN employees e USING (employee_id) JOIN adoption a ON a.team = e.team
            """
        ).fetchall()[0]
    assert after > 1.3 * before, (before, after)


def test_loading_the_demo_again_changes_nothing(loaded: tuple[Path, list]) -> None:
    db, first = loaded
    again = build_demo(db, seed=7)
    assert [r.file for r in again] == [r.file for r in first]
    assert all(r.already_loaded and r.loaded == r.updated == 0 for r in again)
