"""A fresh confirmation for every action that changes stored data (undo, reprocess, deciding who an author is).

The consequence is said in words first; the button stays off until the box beside it is ticked; and the box is
new after every action and for every target (its key holds both), so a tick never carries over to the next upload
and one click never does two things.
"""

from __future__ import annotations

import re

import streamlit as st

from dashboard.i18n import t

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """Text shown as it is written: a file's or a person's name never turns into markdown, a link or a formula."""
    return _MARKDOWN.sub(r"\\\1", text)


def confirm(action: str, target: object, consequence: str, button: str) -> bool:
    """Say what `action` on `target` will change, and whether it was confirmed by a tick and a click, just now."""
    done = st.session_state.setdefault("confirmed_actions", 0)
    st.warning(plain(consequence), icon="⚠️")
    key = f"{action}_{target}_{done}"
    sure = st.checkbox(t("I understand"), key=f"sure_{key}")
    if st.button(button, key=f"go_{key}", type="primary", disabled=not sure):
        st.session_state["confirmed_actions"] = done + 1
        return True
    return False
