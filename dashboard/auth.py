"""The comms role: the pages that change data (Upload, Data) ask `require_comms()` before they show anything.

Through the company's OIDC provider when `[auth]` is in Streamlit's secrets (only the accounts listed in
`comms_emails`, when a list is given), else a password when one is configured; with neither, all is open (a local
single user).
"""

from __future__ import annotations

import getpass
import hmac
from typing import Any

import streamlit as st

from dashboard.i18n import t
from pipelines.config import settings


def _secret(name: str) -> Any:
    """A value from Streamlit's secrets (`.streamlit/secrets.toml`), None without the file or the key."""
    return st.secrets.get(name) if st.secrets.load_if_toml_exists() else None


def comms_password() -> str | None:
    value = settings().comms_password or _secret("comms_password")
    return str(value) if value else None


def comms_emails() -> set[str] | None:
    """The accounts with the comms role when logging in through OIDC; None lets every logged-in account in."""
    value = settings().comms_emails or _secret("comms_emails")
    if not value:
        return None
    emails = value.split(",") if isinstance(value, str) else list(value)
    return {str(e).strip().lower() for e in emails if str(e).strip()}


def has_comms() -> bool:
    """Whether this session has the comms role now, without asking for it (see `require_comms`)."""
    auth = _secret("auth")
    if auth:
        return bool(st.user.is_logged_in) and _comms_account()
    return comms_password() is None or bool(st.session_state.get("comms_ok"))


def who() -> str:
    """Who acts, as the upload ledger records it: the OIDC account's e-mail, else "comms (password)" where a
    password opened the page, else the system user running the dashboard (a local single user)."""
    if _secret("auth") and st.user.is_logged_in:
        return str(st.user.get("email") or st.user.get("name") or "oidc account")
    if comms_password() is not None:
        return "comms (password)"
    return f"{getpass.getuser()} (dashboard)"


def _comms_account() -> bool:
    allowed = comms_emails()
    return allowed is None or str(st.user.get("email") or "").lower() in allowed


def require_comms() -> None:
    """The comms role: through the OIDC provider when `[auth]` is in the secrets, else a password when one is
    configured; without either, all is open (a local single user). The page stops here until it is given."""
    auth = _secret("auth")
    if auth:
        _require_login(auth)
        return
    expected = comms_password()
    if expected is None or st.session_state.get("comms_ok"):
        return
    given = st.text_input(t("Password"), type="password", key="comms_password")
    if given:
        if hmac.compare_digest(given.encode(), expected.encode()):
            st.session_state["comms_ok"] = True
            st.rerun()
        st.error(t("Wrong password."))
    st.stop()


def _require_login(auth: Any) -> None:
    if not st.user.is_logged_in:
        st.info(t("This page is for the comms team: log in first."))
        # With several providers configured ([auth.name] sections) and no default one, the first is offered.
        providers = [name for name, value in auth.items() if hasattr(value, "items")]
        if st.button(t("Log in"), key="login"):
            st.login(providers[0] if providers and "client_id" not in auth else None)
        st.stop()
    if st.sidebar.button(t("Log out"), key="logout"):
        st.logout()
    if not _comms_account():
        st.error(t("This account does not have the comms role."))
        st.stop()
