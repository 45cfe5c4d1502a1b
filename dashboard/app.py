"""The dashboard's entry point: language, navigation, and a clear message when the database is busy."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.i18n import LANGUAGES, lang, t
from pipelines.db import DatabaseBusy, DatabaseUnavailable

HERE = Path(__file__).parent / "pages_"

st.set_page_config(page_title="Employee advocacy", layout="wide")
lang()  # sets the default language (the browser's) before the switch shows it
st.sidebar.selectbox("Language / Langue", list(LANGUAGES), format_func=LANGUAGES.__getitem__, key="lang")

pages = [
    st.Page(HERE / "overview.py", title=t("Overview"), default=True),
    st.Page(HERE / "teams.py", title=t("Teams")),
    st.Page(HERE / "contests.py", title=t("Contests")),
    st.Page(HERE / "upload.py", title=t("Upload")),
    st.Page(HERE / "data_page.py", title=t("Data")),
    st.Page(HERE / "method.py", title=t("Method")),
]
try:
    st.navigation(pages).run()
except (DatabaseBusy, DatabaseUnavailable) as error:
    st.error(str(error))
