"""The data contract as data: every file kind, its columns, their types and aliases.

This mirrors `shared/data-contract.md`. The reader uses it to recognise headers and the kind of a file;
the validator uses it to convert each column; the store keeps each kind's `stored` columns (the schema's tables
are checked against them by a test). Nothing else in the code lists column names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

# Column types, converted in DuckDB by `pipelines.ingest.validate` (the formats and severities a cell may name, and
# their French spellings, are the macros adv_format and adv_severity of pipelines/store/sql/macros.sql).
TEXT = "text"
DATE = "date"
DATETIME = "datetime"
COUNT = "count"  # whole number >= 0
NUMBER = "number"
BOOL = "bool"
SEVERITY = "severity"
FORMAT = "format"
POST_ID = "post_id"  # a LinkedIn URL and its bare urn:li:activity are the same post
AUTHOR = "author"  # an employee_id, e-mail or full name, resolved against the roster


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    stored: bool = True  # False: read to compute another column, or stored with another kind (a post's figures)
    fills: tuple[str, ...] = ()  # stored columns this one (also) decides: a first name, the full name
    ranked: bool = False  # where several aliases are present, the first in `aliases` wins (the others kept aside)

    @property
    def stored_as(self) -> tuple[str, ...]:
        """The stored columns: an author is kept as written and as the employee it resolves to."""
        return ("author", "employee_id") if self.type == AUTHOR else (self.name,)


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str
    # For engagement: at least one of these must be present.
    one_of: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def stored(self) -> tuple[str, ...]:
        """The columns of the kind's tables after upload_id and line: its stored cells, then the file's extra
        columns (as JSON)."""
        return (*(name for c in self.columns if c.stored for name in c.stored_as), "extra")

    def carried(self, present: set[str] | frozenset[str]) -> tuple[str, ...]:
        """The stored columns a file with the `present` columns gives a value for (contract: 'what a file leaves
        alone'): the others keep what is stored. The key and the file's extra columns are always carried."""
        given = set(self.key) | {"extra"}
        for col in self.columns:
            if col.name in present:
                given.update(col.stored_as if col.stored else ())
                given.update(col.fills)
        return tuple(name for name in self.stored if name in given)


POST_ID_ALIASES = (
    "id", "post id", "urn", "post link", "post url", "post source url", "lien",
    "lien de la publication", "sharelink", "url",
)  # fmt: skip

ENGAGEMENT_COUNTS: tuple[Column, ...] = (
    Column("impressions", COUNT, ("impression", "affichages", "impressions totales", "total impressions")),
    Column("reactions", COUNT, fills=("engagements",), aliases=("likes", "réactions", "j'aime", "reactions count")),
    Column("comments", COUNT, fills=("engagements",), aliases=("commentaires", "comments count")),
    Column(
        "shares",
        COUNT,
        fills=("engagements",),
        aliases=("reposts", "re-shares", "republications", "partages", "shares count"),
    ),
    Column("clicks", COUNT, fills=("engagements",), aliases=("clics", "link clicks", "clics sur le lien")),
    Column("engagements", COUNT, ("total engagements", "interactions")),
    # What a boosted post's campaigns brought, kept apart from the organic figures above (a page export gives
    # them on Sponsored rows; a file may also give them as these columns).
    *(Column(f"paid_{name}", COUNT, fills=("paid_engagements",) if name in ("reactions", "comments", "shares",
                                                                           "clicks") else ())
      for name in ("impressions", "reactions", "comments", "shares", "clicks")),
    Column("paid_engagements", COUNT),
    # Figures that mean something else (contract: 'Figures that mean something else'): audiences, and shares by
    # members of an advocacy platform, never impressions or reposts.
    Column("potential_reach", COUNT, ("potential reach", "reach", "portée potentielle", "portée")),
    Column("member_shares", COUNT, ("member shares", "partages des membres")),
)  # fmt: skip
AS_OF = Column("as_of", DATE, ("export date", "date d'export", "snapshot date", "extraction"))
# Where a snapshot's figures come from: a LinkedIn export, the platform that wrote the file, or a file (the loader
# sets it from the file's shape; a file may say it in a `source` column).
SOURCE = Column("source", TEXT)
COUNT_NAMES = tuple(c.name for c in ENGAGEMENT_COUNTS)
MEASURED_BY_LINKEDIN = ("linkedin page", "linkedin creator")

EMPLOYEES = Kind(
    "employees",
    (
        # HR tools name the id, the e-mail and the team in several ways; where a file has two, the first wins.
        Column(
            "employee_id",
            TEXT,
            (
                "employee id",
                "employee #",
                "employee number",
                "personnel number",
                "matricule",
                "id salarié",
                "identifiant",
                "worker id",
                "id",
                "employeenumber",
                "login",
            ),
            True,
            ranked=True,
        ),  # fmt: skip
        Column(
            "full_name",
            TEXT,
            ("name", "full name", "nom complet", "collaborateur", "employee", "employee name", "display name", "nom"),
        ),  # fmt: skip
        # A name in parts: "Nom" beside "Prénom" is the family name (see match_header).
        Column(
            "first_name",
            TEXT,
            ("first name", "firstname", "prénom", "given name"),
            stored=False,
            fills=("full_name",),
        ),
        Column(
            "last_name",
            TEXT,
            ("last name", "lastname", "surname", "family name", "nom de famille"),
            stored=False,
            fills=("full_name",),
        ),
        Column("preferred_name", TEXT, ("preferred name", "nom d'usage"), stored=False, fills=("full_name",)),
        Column(
            "email",
            TEXT,
            (
                "work email",
                "e-mail",
                "email address",
                "mail",
                "adresse e-mail",
                "courriel",
                "e-mail professionnel",
                "personal email",
            ),
            ranked=True,
        ),  # fmt: skip
        Column(
            "team",
            TEXT,
            ("équipe", "team name", "department", "département", "service", "business unit", "division"),
            True,
            ranked=True,
        ),  # fmt: skip
        Column(
            "role", TEXT, ("job title", "title", "business title", "position", "roleprincipal", "poste", "fonction")
        ),  # fmt: skip
        Column(
            "joined_on",
            DATE,
            ("date d'entrée", "programme start", "start date", "hire date", "dtcontractstart", "date d'embauche"),
        ),  # fmt: skip
        Column("left_on", DATE, ("date de sortie", "end date", "termination date")),
        # Where left_on is absent: the end of the contract, else (for someone no longer active) the export date.
        Column(
            "contract_end",
            DATE,
            ("contract end date", "date de fin de contrat", "end of contract"),
            stored=False,
            fills=("left_on",),
        ),
        Column("status", TEXT, ("statut", "employment status", "employee status"), stored=False, fills=("left_on",)),
        Column("linkedin", TEXT, ("linkedin url", "linkedin profile", "profil linkedin", "linkedin profile url")),
        Column("contest_opt_in", BOOL, ("opt in", "consentement classement")),
    ),
    key=("employee_id",),
    description="who is in the programme (from HR)",
)

TEAMS = Kind(
    "teams",
    (
        Column("team", TEXT, ("équipe", "department", "département", "service"), True),
        Column("headcount", COUNT, ("effectif", "employees", "size")),
        Column("charter_adopted_on", DATE, ("date charte", "charte", "charter date", "date d'adoption")),
    ),
    key=("team",),
    description="size and charter adoption",
)

POSTS = Kind(
    "posts",
    (
        Column("post_id", POST_ID, POST_ID_ALIASES, True),
        Column(
            "author",
            AUTHOR,
            (
                "employee_id",
                "posted by",
                "published by",
                "shared by",
                "publié par",
                "auteur",
                "author name",
                "created by",
            ),
            True,
        ),  # fmt: skip
        Column(
            "published_at",
            DATETIME,
            ("date", "created date", "post publish date", "date de publication", "publication date", "posted at"),
            True,
        ),
        Column("network", TEXT, ("réseau", "platform", "plateforme", "channel")),
        Column("format", FORMAT, ("content type", "type de publication", "type de contenu")),
        Column("title", TEXT, ("post title", "titre", "sharecommentary", "commentary", "text", "texte", "contenu")),
        # LinkedIn's page export: Organic, Sponsored (one row per campaign) and Total rows of one boosted post.
        Column("post_type", TEXT, ("post type", "type de post"), stored=False),
        # A posts export may carry each post's figures: they are stored as its engagement snapshot.
        *(replace(col, stored=False) for col in (AS_OF, *ENGAGEMENT_COUNTS, SOURCE)),
    ),
    key=("post_id",),
    description="what employees published (from LinkedIn or the advocacy platform)",
)

ENGAGEMENT = Kind(
    "engagement",
    (Column("post_id", POST_ID, POST_ID_ALIASES, True), AS_OF, *ENGAGEMENT_COUNTS, SOURCE),
    key=("post_id", "as_of"),
    description="how posts performed (one snapshot per post per export)",
    one_of=COUNT_NAMES,
)

INCIDENTS = Kind(
    "incidents",
    (
        Column("incident_id", TEXT, ("id", "référence", "ticket")),
        Column("occurred_on", DATE, ("date", "date de l'incident", "reported on"), True),
        Column("team", TEXT, ("équipe", "department", "service")),
        Column("author", AUTHOR, ("employee_id", "collaborateur", "auteur"), fills=("team",)),
        Column("post_id", POST_ID, ("post link", "lien", "url")),
        Column("severity", SEVERITY, ("gravité", "sévérité", "niveau"), True),
        Column("category", TEXT, ("catégorie", "type", "nature")),
        Column("description", TEXT, ("commentaire", "détails", "notes")),
    ),
    key=("incident_id",),
    description='posts or behaviour that went wrong ("dérapages")',
)

CONTESTS = Kind(
    "contests",
    (
        Column("contest_id", TEXT, ("id", "concours"), True),
        Column("name", TEXT, ("nom", "titre", "title")),
        Column("starts_on", DATE, ("début", "start"), True),
        Column("ends_on", DATE, ("fin", "end"), True),
        Column("teams", TEXT, ("équipes", "scope", "périmètre")),
        Column("min_posts", COUNT, ("minimum publications",)),
    ),
    key=("contest_id",),
    description="internal contests",
)

JURY_SCORES = Kind(
    "jury_scores",
    (
        Column("contest_id", TEXT, ("concours",), True),
        Column("post_id", POST_ID, POST_ID_ALIASES, True),
        Column("judge", TEXT, ("juré", "jury", "evaluator", "évaluateur"), True),
        Column("score", NUMBER, ("note", "points", "vote"), True),
    ),
    key=("contest_id", "post_id", "judge"),
    description="votes for the best-written post",
)

WORKSHOPS = Kind(
    "workshops",
    (
        Column(
            "author",
            AUTHOR,
            ("employee_id", "participant", "collaborateur", "attendee", "e-mail", "nom", "participante"),
            True,
        ),
        Column("attended_on", DATE, ("date", "date de l'atelier", "session date", "workshop date"), True),
        Column("workshop", TEXT, ("atelier", "session", "workshop name", "intitulé")),
        Column("team", TEXT, ("équipe", "department", "service")),  # informative: the roster decides the team
    ),
    key=("employee_id", "workshop", "attended_on"),
    description="who took part in co-creating the charter",
)

# Comms' decisions about authors that match nobody (`advocacy authors map` / `not-staff`, the Data page): keyed by
# the folded name, so that every spelling of it is decided at once.
AUTHORS = Kind(
    "authors",
    (
        Column("author", TEXT, ("auteur", "posted by"), True),
        Column("author_key", TEXT),  # the folded name (set by the loader)
        Column("employee_id", TEXT, ("matricule",)),
        Column("not_staff", BOOL, ("not staff", "hors effectif")),
    ),
    key=("author_key",),
    description="who an author that matches nobody is (an employee, or not staff)",
)

# The kinds comms uploads as files (recognised from their headers); authors' decisions are made in the app.
FILE_KINDS: dict[str, Kind] = {
    k.name: k for k in (EMPLOYEES, TEAMS, POSTS, ENGAGEMENT, INCIDENTS, CONTESTS, JURY_SCORES, WORKSHOPS)
}
KINDS: dict[str, Kind] = {**FILE_KINDS, AUTHORS.name: AUTHORS}


def normalize_header(text: str) -> str:
    """Fold a header for matching: case, accents, spaces and the characters _ - . ( ) do not count."""
    return _folded(str(text))


@lru_cache(maxsize=8192)
def _folded(text: str) -> str:
    """`normalize_header`, once per text: recognising a file folds every kind's names and aliases against each
    line that may be its header (24,000 folds, 0.1 s of a 2,000-post file's load)."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'")).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[\s_\-.()]+", "", text)


# Headers whose wording is French: a file that uses them is read day-first and with decimal commas.
# Only words that stay French once accents are folded ("réactions", "détails", "note" read as English).
_FRENCH_WORDS = {
    normalize_header(a)
    for a in (
        "matricule", "id salarié", "identifiant", "nom", "nom complet", "collaborateur", "adresse e-mail",
        "courriel", "équipe", "département", "poste", "fonction", "date d'entrée", "date de sortie",
        "consentement classement", "effectif", "date charte", "charte", "date d'adoption", "lien",
        "lien de la publication", "publié par", "auteur", "date de publication", "réseau", "plateforme",
        "type de publication", "type de contenu", "titre", "texte", "contenu", "date d'export", "affichages",
        "impressions totales", "j'aime", "commentaires", "republications", "partages", "clics",
        "clics sur le lien", "référence", "date de l'incident", "gravité", "sévérité", "niveau", "catégorie",
        "concours", "début", "fin", "équipes", "périmètre", "minimum publications", "juré",
        "évaluateur", "prénom", "nom de famille", "nom d'usage", "statut", "date d'embauche",
        "date de fin de contrat", "profil linkedin", "e-mail professionnel", "participante",
        "date de l'atelier", "atelier", "intitulé",
    )
}  # fmt: skip


def is_french_header(text: str) -> bool:
    return normalize_header(text) in _FRENCH_WORDS


@dataclass(frozen=True)
class HeaderMatch:
    """How one file's header row maps onto one kind's columns."""

    kind: Kind
    columns: dict[str, int]  # canonical column -> index in the header
    aside: tuple[int, ...]  # indexes of columns kept aside (unknown, or beaten by an exact name)
    conflicts: tuple[tuple[str, tuple[str, ...]], ...]  # field -> headers that both claim it
    source: str = "file"  # the tool that wrote the file, where its headers tell (SOURCES)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(c for c in self.kind.required if c not in self.columns)

    @property
    def complete(self) -> bool:
        if self.missing:
            return False
        return not self.kind.one_of or any(c in self.columns for c in self.kind.one_of)


@dataclass(frozen=True)
class Source:
    """A tool whose files say what wrote them by headers only it writes, and what its figures mean."""

    name: str
    signature: tuple[str, ...]  # headers that all appear in its files
    means: dict[str, str | None] = field(default_factory=dict)  # header -> the field it fills (None: kept aside)


# Contract, "Figures that mean something else": a platform's impressions and shares are audiences and members'
# shares, not LinkedIn's impressions and reposts.
SOURCES = (
    Source("linkedin page", ("post link", "post type", "posted by")),
    Source("linkedin creator", ("post url", "post publish date")),
    Source("firstup", ("post source",), {
        "impression": "potential_reach", "impressions": "potential_reach", "shares": "member_shares",
        "re-shares": "shares", "total reactions": "reactions", "likes": None, "post views": None,
    }),
    Source("everyonesocial", ("shared by", "approved by"), {"shares": "member_shares"}),
)  # fmt: skip


def source_of(header: list[str]) -> Source | None:
    folded = {normalize_header(h) for h in header}
    return next((s for s in SOURCES if all(normalize_header(h) in folded for h in s.signature)), None)


def match_header(kind: Kind, header: list[str]) -> HeaderMatch:
    """Map a header row onto a kind, following the contract's rule for two columns claiming one field."""
    names = {normalize_header(c.name): c.name for c in kind.columns}
    aliases = {normalize_header(a): c.name for c in kind.columns for a in c.aliases}
    source = source_of(header)
    means = {normalize_header(h): field for h, field in (source.means if source else {}).items()}
    claims: dict[str, list[tuple[int, bool]]] = {}
    aside: list[int] = []
    for index, raw in enumerate(header):
        folded = normalize_header(raw)
        if folded in means:  # the tool's own meaning of its header
            meant = means[folded]
            if meant is not None and meant in {c.name for c in kind.columns}:
                claims.setdefault(meant, []).append((index, True))
            else:
                aside.append(index)
        elif folded in names:
            claims.setdefault(names[folded], []).append((index, True))
        elif folded in aliases:
            claims.setdefault(aliases[folded], []).append((index, False))
        else:
            aside.append(index)
    columns: dict[str, int] = {}
    conflicts = []
    for name, found in claims.items():
        exact = [i for i, is_exact in found if is_exact]
        column = kind.column(name)
        if len(found) == 1:
            columns[name] = found[0][0]
        elif len(exact) == 1:
            columns[name] = exact[0]
            aside.extend(i for i, _ in found if i != exact[0])
        elif column.ranked and not exact:  # the alias listed first wins: Team before Department before Division
            rank = [normalize_header(a) for a in column.aliases]
            best = min((i for i, _ in found), key=lambda i: rank.index(normalize_header(header[i])))
            columns[name] = best
            aside.extend(i for i, _ in found if i != best)
        else:
            conflicts.append((name, tuple(header[i] for i, _ in found)))
    # "Nom" beside "Prénom" is the family name, not the full name.
    nom = columns.get("full_name")
    if nom is not None and "first_name" in columns and "last_name" not in columns and _is_nom(header[nom]):
        columns["last_name"] = columns.pop("full_name")
    return HeaderMatch(kind, columns, tuple(sorted(aside)), tuple(conflicts), source.name if source else "file")


IDENTITY = ("full_name", "first_name", "last_name", "preferred_name", "email", "linkedin")


def carries_identity(roster: HeaderMatch) -> bool:
    """An id together with names or e-mails: the file is about people (contract: 'Which kind')."""
    return "employee_id" in roster.columns and any(c in roster.columns for c in IDENTITY)


def _is_nom(text: str) -> bool:
    return normalize_header(text) == "nom"
