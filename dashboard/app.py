"""The dashboard's entry point: language, navigation (reports, then the comms pages), a clear "busy" message."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import data
from dashboard.i18n import LANGUAGES, lang, streamlit_words, t
from dashboard.pages import PAGES
from pipelines.store.db import DatabaseBusy, DatabaseUnavailable

HERE = Path(__file__).parent

st.set_page_config(page_title="Employee advocacy", layout="wide")
lang()  # sets the default language (the browser's) before the switch shows it
st.sidebar.selectbox("Language / Langue", list(LANGUAGES), format_func=LANGUAGES.__getitem__, key="lang")
if style := streamlit_words(data.max_upload_mb()):
    st.html(style)

sections: dict[str, list[st.Page]] = {}
for number, page in enumerate(PAGES):
    sections.setdefault(t(page.section), []).append(
        st.Page(HERE / page.path, title=t(page.title), url_path=page.name, default=number == 0)
    )
try:
    st.navigation(sections).run()
except (DatabaseBusy, DatabaseUnavailable) as error:
    st.error(str(error))
