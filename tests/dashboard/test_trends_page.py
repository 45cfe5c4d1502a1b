"""The Trends page under Streamlit's AppTest, on the demo database, in English and French."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from dashboard.queries import ON_OPEN
from pipelines.analytics import trends
from pipelines.store.db import connect
from tests.conftest import app

pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_the_trends_page_comes_right_after_the_overview() -> None:
    from dashboard.pages import NAMES, page

    assert NAMES[:2] == ("overview", "trends") and page("trends").section == "Reports"
    assert "trends" in ON_OPEN


def test_the_trends_page_in_english(demo: Path) -> None:
    with connect(demo, read_only=True) as con:
        org = trends.monthly(con).query("team == 'organisation'")
        best = trends.top_posts(con)
    at = app("trends", "en")
    assert at.title[0].value == "Trends"
    latest = org[~org["partial"]].iloc[-1]
    assert at.subheader[0].value == f"Latest full month: {latest['month']:%b %Y}"
    assert at.metric[0].label == "Posts" and at.metric[0].value == f"{latest['posts']:,}"
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 9
    titles = [c["layout"]["title"]["text"] for c in charts]
    assert titles[0] == "Posts and active ambassadors per month"
    assert all(
        c["layout"]["title"]["subtitle"]["text"].startswith("Whole organisation · Jan 2025") for c in charts[:2]
    )
    table = at.dataframe[0].value
    assert list(table.columns) == ["Title", "Team", "Network", "Format", "Published", "Engagements", "Impressions",
                                   "Link"]  # fmt: skip
    assert table["Title"].tolist() == best["title"].tolist()
    assert "Executive Office" not in " ".join(table["Team"])  # four people: only "other teams"


def test_the_trends_page_in_french(demo: Path) -> None:
    at = app("trends", "fr")
    assert at.title[0].value == "Tendances"
    assert at.subheader[0].value.startswith("Dernier mois complet : oct. 2026")
    assert [m.label for m in at.metric] == ["Publications", "Ambassadeurs actifs", "Participation membres",
                                            "Taux d'interaction", "Valeur média gagnée"]  # fmt: skip
    assert "," in at.metric[2].value and "\u202f" in at.metric[4].value  # 57,1 %, 38 306
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert charts[0]["layout"]["title"]["text"] == "Publications et ambassadeurs actifs par mois"
    assert charts[0]["layout"]["separators"] == ", "
    assert "janv.<br>2025" in charts[0]["layout"]["xaxis"]["ticktext"]
    assert charts[1]["data"][0]["y"][1] == "Ont déjà publié"
    assert list(at.dataframe[0].value.columns)[:3] == ["Titre", "Équipe", "Réseau"]
    # the best posts' numbers in the page's language, whatever the browser's locale: 19 031, still sorted as numbers
    with connect(demo, read_only=True) as con:
        most = int(trends.top_posts(con)["engagements"].iloc[0])
    assert most >= 1000  # so that it needs a thousands separator
    styler = at.dataframe[0].proto.arrow_data.styler
    assert styler.display_values, "the numbers are left to the browser's locale"
    shown = pa.ipc.open_stream(styler.display_values).read_pandas()
    assert shown["Interactions"].iloc[0] == f"{most:,}".replace(",", "\u202f")
    assert at.dataframe[0].value["Interactions"].iloc[0] == most


def test_choosing_a_team_retitles_the_charts(demo: Path) -> None:
    at = app("trends", "en")
    at.selectbox(key="trends_scope").set_value("Sales").run()
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert all(c["layout"]["title"]["subtitle"]["text"].startswith("Sales · ") for c in charts)
    assert not any("team" in c["layout"]["title"]["text"] for c in charts)  # no participation by team for one team
