"""Settings, each resolved from the command line, then the environment, then a default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = PROJECT_ROOT / "data" / "advocacy.duckdb"


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database file: `--db`, else $ADVOCACY_DB, else data/advocacy.duckdb in the project."""
    if explicit:
        return Path(explicit)
    if os.environ.get("ADVOCACY_DB"):
        return Path(os.environ["ADVOCACY_DB"])
    return DEFAULT_DB


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


@dataclass(frozen=True)
class Settings:
    privacy_min_team_size: int = int(_env_float("ADVOCACY_PRIVACY_MIN_TEAM", 5))
    """Teams with fewer roster members than this are shown only inside "other teams"."""

    busy_timeout_s: float = _env_float("ADVOCACY_BUSY_TIMEOUT", 30.0)
    """How long to wait for another process's write on the database file before saying it is busy."""

    cpm: float = _env_float("ADVOCACY_CPM", 30.0)
    """Earned media value: what 1,000 impressions would cost as paid posts (set it from your own campaigns)."""

    cpc: float = _env_float("ADVOCACY_CPC", 5.0)
    """Earned media value: what one click would cost as a paid post (set it from your own campaigns)."""

    max_upload_mb: float = _env_float("ADVOCACY_MAX_UPLOAD_MB", 200.0)
    """Largest file accepted by `load` and the Upload page."""

    memory_limit_mb: int = int(_env_float("ADVOCACY_MEMORY_MB", 1500))
    """DuckDB's memory for one connection; past it, big loads spill to a temporary folder beside the database."""


SETTINGS = Settings()
