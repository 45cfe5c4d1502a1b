"""The dashboard's pages, in the sidebar's order: the one list that the app, the tests and the bench read.

Reports are for everyone who may open the dashboard; the comms pages change data and ask for the comms role.
"""

from __future__ import annotations

from dataclasses import dataclass

REPORTS, COMMS = "Reports", "Comms"


@dataclass(frozen=True)
class Page:
    name: str  # the short name tests and the bench use
    path: str  # the page's script, relative to dashboard/
    title: str  # in English; the app translates it
    section: str  # REPORTS or COMMS: a sidebar section
    queries: bool = True  # whether it reads the database when it opens (its queries: dashboard/queries.py)

    @property
    def for_comms(self) -> bool:
        return self.section == COMMS


PAGES: tuple[Page, ...] = (
    Page("overview", "reports/overview.py", "Overview", REPORTS),
    Page("trends", "reports/trends.py", "Trends", REPORTS),
    Page("teams", "reports/teams.py", "Teams", REPORTS),
    Page("contests", "reports/contests.py", "Contests", REPORTS),
    Page("programme", "reports/programme.py", "Workshops & contests", REPORTS),
    Page("method", "reports/method.py", "Method", REPORTS, queries=False),
    Page("upload", "comms/upload.py", "Upload", COMMS, queries=False),
    Page("data", "comms/data.py", "Data", COMMS),
)
NAMES = tuple(p.name for p in PAGES)


def page(name: str) -> Page:
    """The page called `name` (KeyError for an unknown one)."""
    found = {p.name: p for p in PAGES}
    return found[name]


def path(name: str) -> str:
    """The script of page `name`, as `st.switch_page`, `st.page_link` and AppTest name it."""
    return page(name).path
