"""Settings, each resolved when it is asked for: the command line's option, else the environment, else a default.

`settings()` reads the environment at every call, so a test (or a long-running dashboard) that changes a variable
sees it at once, and there is one place to change: the environment.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = PROJECT_ROOT / "data" / "advocacy.duckdb"
LAKE_PREFIX = "ducklake:"


class Lake(str):
    """A DuckLake instead of a database file: `ducklake:postgres:<libpq connection string>` (its catalog in
    PostgreSQL), its data in `Settings.lake_data_path`."""

    def shown(self) -> str:
        """As a message may print it: a password in the connection string is hidden."""
        return hide_passwords(self)


def hide_passwords(text: str) -> str:
    """`text` with every libpq `password=...` replaced by `password=***`."""
    return re.sub(r"(password\s*=\s*)('[^']*'|[^\s\"]+)", r"\1***", text, flags=re.IGNORECASE)


Database = Path | Lake
"""Where the data is: a DuckDB file, or a lake."""


def shown(db: Database) -> str:
    """A database as a message may print it (a lake's password hidden)."""
    return db.shown() if isinstance(db, Lake) else str(db)


def database(location: str | os.PathLike[str]) -> Database:
    """A `--db` or `ADVOCACY_DB` value as a file or a lake."""
    text = os.fspath(location)
    return Lake(text) if text.startswith(LAKE_PREFIX) else Path(text)


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _env_list(name: str) -> tuple[str, ...] | None:
    value = os.environ.get(name)
    if not value:
        return None
    return tuple(item.strip() for item in value.split(",") if item.strip())


@dataclass(frozen=True)
class Settings:
    db: Database = field(default_factory=lambda: database(os.environ.get("ADVOCACY_DB") or DEFAULT_DB))
    """The database file, or a lake (`ducklake:postgres:...`) (`ADVOCACY_DB`; `--db` on the command line wins)."""

    lake_data_path: str | None = field(default_factory=lambda: os.environ.get("ADVOCACY_LAKE_DATA_PATH") or None)
    """A lake's data: a folder every server sees, or `s3://bucket/prefix/` (`ADVOCACY_LAKE_DATA_PATH`; needed when
    the lake is created, then the catalog remembers it)."""

    privacy_min_team_size: int = field(default_factory=lambda: int(_env_float("ADVOCACY_PRIVACY_MIN_TEAM", 5)))
    """Teams with fewer roster members than this are shown only inside "other teams" (`ADVOCACY_PRIVACY_MIN_TEAM`)."""

    busy_timeout_s: float = field(default_factory=lambda: _env_float("ADVOCACY_BUSY_TIMEOUT", 30.0))
    """How long to wait for another process's write on the database before saying it is busy."""

    cpm: float = field(default_factory=lambda: _env_float("ADVOCACY_CPM", 30.0))
    """Earned media value: what 1,000 impressions would cost as paid posts (set it from your own campaigns)."""

    cpc: float = field(default_factory=lambda: _env_float("ADVOCACY_CPC", 5.0))
    """Earned media value: what one click would cost as a paid post (set it from your own campaigns)."""

    max_upload_mb: float = field(default_factory=lambda: _env_float("ADVOCACY_MAX_UPLOAD_MB", 200.0))
    """Largest file accepted by `load` and the Upload page."""

    memory_limit_mb: int = field(default_factory=lambda: int(_env_float("ADVOCACY_MEMORY_MB", 1500)))
    """DuckDB's memory for one connection; past it, big loads spill to a temporary folder beside the database."""

    comms_password: str | None = field(default_factory=lambda: os.environ.get("ADVOCACY_COMMS_PASSWORD") or None)
    """The comms role's password on the dashboard (`ADVOCACY_COMMS_PASSWORD`; or `comms_password` in Streamlit's
    secrets)."""

    comms_emails: tuple[str, ...] | None = field(default_factory=lambda: _env_list("ADVOCACY_COMMS_EMAILS"))
    """The accounts with the comms role when logging in through OIDC (`ADVOCACY_COMMS_EMAILS`, comma-separated; or
    `comms_emails` in Streamlit's secrets); none listed lets every account the provider admits in."""

    smtp_host: str | None = field(default_factory=lambda: os.environ.get("ADVOCACY_SMTP_HOST") or None)
    """The mail server that `advocacy report --mail-to` sends through (`ADVOCACY_SMTP_HOST`); none: no mail."""

    smtp_port: int = field(default_factory=lambda: int(_env_float("ADVOCACY_SMTP_PORT", 587)))
    """Its port (`ADVOCACY_SMTP_PORT`, 587): STARTTLS whenever the server offers it; 465 is TLS from the start."""

    smtp_user: str | None = field(default_factory=lambda: os.environ.get("ADVOCACY_SMTP_USER") or None)
    """The account to log in with (`ADVOCACY_SMTP_USER`); none: send without logging in."""

    smtp_password: str | None = field(default_factory=lambda: os.environ.get("ADVOCACY_SMTP_PASSWORD") or None)
    """Its password (`ADVOCACY_SMTP_PASSWORD`); it is only ever sent over TLS, or to a server on this machine."""

    mail_from: str | None = field(default_factory=lambda: os.environ.get("ADVOCACY_MAIL_FROM") or None)
    """The sender of the report's mail (`ADVOCACY_MAIL_FROM`; default: the SMTP user, else advocacy@ this
    machine's name)."""

    smtp_timeout_s: float = field(default_factory=lambda: _env_float("ADVOCACY_SMTP_TIMEOUT", 30.0))
    """How long to wait for the mail server before saying it cannot be reached (`ADVOCACY_SMTP_TIMEOUT`)."""


def settings() -> Settings:
    """The settings as the environment says now."""
    return Settings()


def db_path(explicit: str | os.PathLike[str] | None = None) -> Database:
    """The database file or lake: `--db`, else $ADVOCACY_DB, else data/advocacy.duckdb in the project."""
    return database(explicit) if explicit else settings().db
