"""The privacy rule (metrics.md, "Privacy"), in one place: every report, ranking, filter and page asks it.

Outside contest rankings the dashboard shows teams, never one person's activity; a team with fewer roster
members than the threshold (`ADVOCACY_PRIVACY_MIN_TEAM`, 5 by default) is shown only inside "other teams".
"""

from __future__ import annotations

from pipelines.config import settings
from pipelines.store.db import Sql

OTHER_TEAMS = "other teams"

# SQL for a team's shown name, given its roster size `members`; bind `sql_params()` with it.
SHOWN_TEAM_SQL = Sql("CASE WHEN members < $min_team THEN $other_teams ELSE team END")


def min_team_size() -> int:
    """The fewest roster members a team needs to be named (read from the settings now)."""
    return settings().privacy_min_team_size


def is_named(members: int) -> bool:
    """Whether a team of `members` roster members may be named."""
    return members >= min_team_size()


def shown_name(team: str, members: int) -> str:
    """The team's name, or "other teams" for a team under the threshold."""
    return team if is_named(members) else OTHER_TEAMS


def sql_params() -> dict[str, object]:
    """The parameters that `SHOWN_TEAM_SQL` binds."""
    return {"min_team": min_team_size(), "other_teams": OTHER_TEAMS}
