"""A believable demo programme, written as the real export files and loaded through the real loader.

The simulated company, Acme Conseil, runs an employee-advocacy programme from 2025-01-01 to 2026-10-31:

- About 250 ambassadors in 8 teams of very different sizes (Sales 70 ... Executive Office 4, a team small enough
  to be hidden by the privacy rule). French and English names, some with accents; two employees in different
  teams share one full name, so their posts always name them by employee id or e-mail. A handful join the
  programme during the period, a few leave, a few refuse to appear by name in contest rankings.
- A social-media charter: organisation-wide on 2025-09-01 (the teams file's `*` row), adopted early by
  Marketing, later by Engineering and Finance, so that teams which have not adopted yet are controls.
- Posts: each employee has their own rate (gamma-distributed: a few champions, many occasional posters),
  with a mild growth of the network, dips in August and at the end of December, quiet weekends, and after a
  team's own adoption date a true +60 % (plus a launch spike that fades over a few weeks).
- Engagement is heavy-tailed (lognormal impressions, a few viral posts) and slightly lower per impression
  after adoption. A post's figures grow with its age and never decrease between snapshots.
- Incidents ("dérapages") are rare: about 3.5 a month across the organisation before adoption, a tenth of
  that rate per team after it.
- Three contests, two of them judged by a jury of three; eligible members post more during a contest and a little
  less in the weeks after it (part of the lift is borrowed from later).
- Charter workshops: in the weeks before their team's charter, about a quarter of its members co-create it
  (the keener posters are likelier to volunteer); after the charter, participants post a bit more than the
  others do (a true co-creation effect of x1.25 on posting).

The files come in the dialects the data contract promises to read (Windows-1252 French Excel, UTF-8 with BOM,
UTF-16 "Unicode text", tab, `;` and `,` delimiters, day-first and month-first dates, no-break-space
thousands, bare URNs and LinkedIn URLs, a LinkedIn page export with its posts on the second sheet), so that
the demo exercises the whole pipeline. Two posts by an intern missing from the HR roster are quarantined on
purpose (the loader must keep them aside, not guess an author).

Everything is drawn from `numpy.random.default_rng(seed)`: the same seed writes byte-identical files.
"""

from __future__ import annotations

import csv
import math
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pipelines.analytics.contests import Contest
from pipelines.config import Database
from pipelines.ingest.load import LoadOptions, LoadResult, load_paths

# --- the programme ---------------------------------------------------------------------------------------------

START = date(2025, 1, 1)
END = date(2026, 10, 31)
COMPANY_DOMAIN = "acme-conseil.fr"
LOADED_BY = "demo"

TEAM_SIZES = {
    "Sales": 70,
    "Marketing": 45,
    "Engineering": 50,
    "Customer Success": 30,
    "HR": 15,
    "Finance": 20,
    "Legal": 12,
    "Executive Office": 4,
}
ORG_CHARTER_DATE = date(2025, 9, 1)
TEAM_CHARTER_DATES = {  # teams not listed adopt on the organisation's date
    "Marketing": date(2025, 6, 2),
    "Engineering": date(2025, 11, 3),
    "Finance": date(2026, 1, 5),
}

SHARE_WITHOUT_JOINED_ON = 0.05  # roster rows where HR left the programme start blank
JOINERS = 8  # ambassadors who join during the period
LEAVERS = 6  # ambassadors who leave during the period
CONTEST_OPT_OUTS = 8
DUPLICATE_NAME = "Camille Martin"
DUPLICATE_NAME_TEAMS = ("Sales", "Engineering")

# --- posting behaviour -----------------------------------------------------------------------------------------

MEAN_POSTS_PER_WEEK = 0.3  # per ambassador, before the charter, at the start of the period
RATE_SHAPE = 0.6  # gamma shape of the individual rates: small = a few champions, many occasional posters
NETWORK_GROWTH_PER_YEAR = 0.12
POST_EFFECT = 1.6  # the charter's true effect on the post rate
LAUNCH_SPIKE = 0.3  # extra rate right after adoption ...
LAUNCH_DECAY_DAYS = 21  # ... fading with this time constant
WEEKDAY_FACTORS = (1.1, 1.25, 1.2, 1.1, 0.95, 0.25, 0.15)  # Monday .. Sunday
AUGUST_FACTOR = 0.55
YEAR_END_FACTOR = 0.4  # from December 18 to 31
YEAR_END_FROM_DAY = 18
POST_HOURS = tuple(range(7, 22))
POST_HOUR_WEIGHTS = (2, 6, 9, 7, 5, 6, 8, 6, 4, 4, 5, 6, 4, 2, 1)
FORMATS = ("post", "image", "article", "video", "document")
FORMAT_WEIGHTS = (0.62, 0.18, 0.08, 0.07, 0.05)
TWITTER_SHARE = 0.04
ENGLISH_TITLE_SHARE = 0.3
AUTHOR_BY = ("id", "email", "name")  # how a posts export names the author
AUTHOR_BY_WEIGHTS = (0.75, 0.15, 0.10)

# --- engagement ------------------------------------------------------------------------------------------------

IMPRESSIONS_MEDIAN = 450
IMPRESSIONS_SIGMA = 0.9
AUDIENCE_SIGMA = 0.7  # the employee's own network size
VIRAL_SHARE = 0.015
VIRAL_PARETO_SHAPE = 1.3
VIRAL_SCALE = 8
VIRAL_MAX = 150  # the largest boost a viral post gets
FORMAT_IMPRESSIONS = {"post": 1.0, "image": 1.1, "article": 0.8, "video": 1.3, "document": 1.2}
TWITTER_IMPRESSIONS = 0.5
RATES = {"reactions": 0.022, "comments": 0.004, "shares": 0.0015, "clicks": 0.008}
RATE_SIGMA = 0.5
ARTICLE_CLICKS = 2.0  # articles and documents get more clicks
ENGAGEMENT_EFFECT = 0.92  # engagement per impression after adoption
FOLLOW_RATE = 0.0005
VIDEO_VIEW_RATE = 0.35
GROWTH_FAST_SHARE = 0.7  # a post's figures: 70 % come within days, the rest over weeks
GROWTH_FAST_DAYS = 2.0
GROWTH_SLOW_DAYS = 30.0

# --- incidents -------------------------------------------------------------------------------------------------

INCIDENTS_PER_MONTH = 3.5  # organisation-wide, before adoption
INCIDENT_EFFECT = 0.1  # rate per team after adoption, relative to before
DAYS_PER_MONTH = 30.44
INCIDENT_WITH_AUTHOR = 0.8
INCIDENT_TEAM_WRITTEN = 0.5  # share of authored incidents that also name the team
SEVERITIES = {"faible": 0.45, "moyenne": 0.35, "élevée": 0.15, "critique": 0.05}
INCIDENT_CATEGORIES = {
    "confidentiality": ("Capture d'écran d'un document interne", "Chiffres du trimestre publiés avant l'annonce"),
    "tone": ("Réponse agacée à un commentaire client", "Ton moqueur envers un concurrent"),
    "legal": ("Logo d'un client cité sans son accord", "Image utilisée sans droits"),
    "harassment": ("Commentaire déplacé sous le post d'une candidate", "Échange insultant en commentaires"),
    "politics": ("Prise de position politique au nom de l'entreprise", "Partage d'un appel à voter"),
    "misinformation": ("Chiffre de marché erroné repris d'un article", "Rumeur de rachat relayée"),
}
INCIDENT_CATEGORY_WEIGHTS = (0.25, 0.3, 0.15, 0.05, 0.1, 0.15)

# --- charter workshops -----------------------------------------------------------------------------------------

WORKSHOP_SHARE = 0.25  # of each team's members, more of the keen posters (chosen with weight sqrt(rate))
COCREATION_EFFECT = 1.25  # participants' posting after the charter, on top of the charter's own effect
WORKSHOP_WEEKS_BEFORE = (2, 3, 5)  # a team's workshops: so many weeks before its charter date

# --- contests --------------------------------------------------------------------------------------------------


CONTESTS = (
    Contest("C2025-PRINTEMPS", "Printemps des ambassadeurs", date(2025, 3, 1), date(2025, 4, 30),
            ["Sales", "Marketing"], 3),
    Contest("C2025-RENTREE", "Défi de la rentrée", date(2025, 10, 1), date(2025, 11, 30), [], 3),
    Contest("C2026-SUMMER", "Summer Stories", date(2026, 6, 1), date(2026, 7, 31), [], 2),
)  # fmt: skip
CONTEST_LIFT = 1.4  # eligible members' posting during a contest ...
CONTEST_AFTER = 0.9  # ... and in as many days after it: borrowed from later
JUDGED = {"C2025-PRINTEMPS", "C2025-RENTREE"}  # contests whose posts a jury scores
JUDGES = ("Claire Dumas", "Tom Baker", "Inès Haddad")
JURY_POSTS = 15
JURY_QUALITY_MEAN = 6.5
JURY_QUALITY_SD = 1.5
JUDGE_BIAS_SD = 0.7
JUDGE_NOISE_SD = 0.8

# --- the files -------------------------------------------------------------------------------------------------

POSTS_PERIOD_MONTHS = 2  # one posts export per two months ...
POSTS_OVERLAP_DAYS = 3  # ... each starting a few days before the previous one ended
LINKEDIN_MONTH = date(2026, 9, 1)  # this month's posts come from LinkedIn's page export instead
LINKEDIN_EXPORTED_AT = datetime(2026, 10, 2, 8, 30, tzinfo=UTC)
LINKEDIN_PAGE = "acme"
ENGAGEMENT_EVERY_MONTHS = 2  # an engagement export at the end of every other month, and at the end
ENGAGEMENT_LOOKBACK_DAYS = 92  # holding posts published in the ~3 months before it
# The dialect of each engagement export, in order (cycled if the period grows).
ENGAGEMENT_DIALECTS = ("comma", "tab", "comma_url", "utf16", "comma", "french", "tab", "comma_url", "comma", "tab")
URL_POSTS_FILES = (1, 4, 7)  # posts exports (by index) that give post ids as LinkedIn URLs
UNKNOWN_AUTHOR = f"lea.stagiaire@{COMPANY_DOMAIN}"  # an intern missing from the roster: quarantined
UNKNOWN_AUTHOR_POSTS = 2
UNKNOWN_AUTHOR_FILE = 2  # the posts export that holds them
SPECIAL_TITLES = (
    "Salon VivaTech ; nos trois annonces de l'année",
    "Merci à toutes et à tous !\nRendez-vous l'an prochain pour la 3e édition",
    "=Innovation + Talent : la formule de notre croissance",
    'Le "Lab" ouvre ses portes à Nantes',
    "Ça y est : notre équipe a reçu le prix Éthique & Numérique",
)
URL_PREFIX = "https://www.linkedin.com/feed/update/"

# --- names and words -------------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Camille", "Julien", "Hélène", "François", "Zoé", "Loïc", "Anaïs", "Gaël", "Jérôme", "Cécile", "Noémie",
    "Thibault", "Clément", "Léa", "Mathéo", "Inès", "Chloé", "Maël", "Margaux", "Benoît", "Aurélie", "Sébastien",
    "Raphaël", "Océane", "Valérie", "Stéphane", "Élodie", "Nicolas", "Sophie", "Antoine", "Pauline", "Guillaume",
    "Manon", "Lucas", "Émilie", "Hugo", "Claire", "Thomas", "Juliette", "Maxime", "Amélie", "Quentin", "Lucie",
    "Romain", "Mélanie", "Adrien", "Agathe", "Baptiste", "Joël", "Françoise", "James", "Olivia", "Oliver", "Emma",
    "Harry", "Amelia", "George", "Isla", "Jack", "Grace", "Noah", "Charlotte", "William", "Emily", "Daniel",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel",
    "Garcia", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert",
    "Bonnet", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Perrin", "Morin",
    "Mathieu", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Gérard", "Nguyen",
    "Boyer", "Lemaire", "Duval", "Joly", "Roche", "Noël", "Meyer", "Meunier", "Pérez", "Marchand", "Dufour",
    "Blanchard", "Barbier", "Brun", "Brunet", "Schmitt", "Leroux", "Colin", "Renard", "Arnaud", "Caron", "Aubert",
    "Giraud", "Leclerc", "Vidal", "Bourgeois", "Lemoine", "Picard", "Lacroix", "Fabre", "Rivière", "Le Gall",
    "Ménard", "Fleury", "Deschamps", "Prévost", "Carré", "Rémy", "Garçon", "Béranger", "Da Silva", "Smith",
    "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Patel", "Wright", "Evans", "Walker", "Hughes",
    "Clarke", "O'Brien", "Murphy", "Kelly",
)  # fmt: skip
ROLES = {
    "Sales": ("Account Executive", "Ingénieur commercial", "Key Account Manager", "Business Developer",
              "Responsable grands comptes", "Sales Manager"),
    "Marketing": ("Content Manager", "Responsable marketing digital", "Community Manager",
                  "Product Marketing Manager", "Chef de projet événementiel"),
    "Engineering": ("Software Engineer", "Développeur back-end", "Data Scientist", "Architecte cloud",
                    "Engineering Manager", "DevOps Engineer"),
    "Customer Success": ("Customer Success Manager", "Chargé de clientèle", "Support Lead"),
    "HR": ("Talent Acquisition Partner", "Chargée de recrutement", "HR Business Partner", "Responsable formation"),
    "Finance": ("Contrôleur de gestion", "Comptable", "Financial Analyst", "Trésorier"),
    "Legal": ("Juriste", "Legal Counsel", "Délégué à la protection des données"),
    "Executive Office": ("Président-directeur général", "Directrice générale déléguée", "Chief of Staff",
                         "Assistante de direction"),
}  # fmt: skip
TITLES_FR = (
    "Retour sur {event} : merci à toute l'équipe !",
    "Nous recrutons : {role} à {city}",
    "Ce que j'ai appris sur {topic} cette année",
    "Notre nouvelle offre {product} est disponible",
    "Rencontre avec nos clients à {city}",
    "Pourquoi {topic} change notre façon de travailler",
    "Fière de notre équipe à {event}",
    "Trois conseils pour réussir {topic}",
    "Bienvenue à nos nouveaux collègues de {city} !",
    "Webinaire : {topic}, retours d'expérience",
)  # fmt: skip
TITLES_EN = (
    "Highlights from {event}",
    "We're hiring: {role} in {city}",
    "Three lessons on {topic}",
    "Proud of our team at {event}",
    "Introducing {product}",
    "What our clients in {city} taught us about {topic}",
    "Behind the scenes of {product}",
)  # fmt: skip
EVENTS = ("VivaTech", "Salon de l'emploi", "notre séminaire annuel", "Web Summit", "la Nuit du Code", "BIG Bpifrance")
CITIES = ("Paris", "Lyon", "Nantes", "Lille", "Bordeaux", "Montréal", "London", "Genève")
TOPICS = ("l'IA générative", "la cybersécurité", "le télétravail", "la sobriété numérique", "l'inclusion",
          "la relation client", "data governance", "remote onboarding")  # fmt: skip
PRODUCTS = ("Acme Cloud", "Acme Insights", "Acme Pay", "Acme Studio")


# --- the simulated programme -----------------------------------------------------------------------------------


@dataclass
class Employee:
    employee_id: str
    full_name: str
    email: str
    team: str
    role: str
    joined_on: date | None
    left_on: date | None
    contest_opt_in: bool
    rate: float  # posts per week before the charter
    audience: float  # impressions factor
    first_day: date  # first day the simulation lets them post
    name_unique: bool = True


@dataclass
class Post:
    post_id: str  # urn:li:activity:<19 digits>
    employee: Employee
    published_at: datetime
    network: str
    format: str
    title: str
    author_by: str  # "id", "email" or "name": how the posts exports name the author
    adopted: bool  # published on or after the team's charter date
    final: dict[str, int]  # figures the post tends to (impressions, reactions, ..., follows, views)

    def counts_at(self, moment: datetime) -> dict[str, int]:
        """The post's figures at a moment: they grow with its age and never decrease."""
        age = max((moment - self.published_at).total_seconds() / 86400, 0.0)
        share = 1 - GROWTH_FAST_SHARE * math.exp(-age / GROWTH_FAST_DAYS)
        share -= (1 - GROWTH_FAST_SHARE) * math.exp(-age / GROWTH_SLOW_DAYS)
        return {name: math.floor(value * share) for name, value in self.final.items()}


@dataclass(frozen=True)
class Incident:
    incident_id: str
    occurred_on: date
    team: str
    author: Employee | None
    team_written: bool
    severity: str
    category: str
    description: str


@dataclass
class Programme:
    employees: list[Employee]
    posts: list[Post]  # in publication order
    incidents: list[Incident]
    jury: list[tuple[str, Post, str, float]]  # (contest_id, post, judge, score)
    workshops: list[tuple[Employee, date, str]]  # (attendee, day, workshop)


def charter_date(team: str) -> date:
    return TEAM_CHARTER_DATES.get(team, ORG_CHARTER_DATE)


def simulate(seed: int = 7) -> Programme:
    rng = np.random.default_rng(seed)
    employees = _employees(rng)
    workshops = _workshops(np.random.default_rng(seed + 1), employees)
    posts = _posts(rng, employees, {e.employee_id for e, _, _ in workshops})
    incidents = _incidents(rng, employees)
    jury = _jury(rng, posts)
    return Programme(employees, posts, incidents, jury, workshops)


def _days() -> list[date]:
    return [START + timedelta(days=i) for i in range((END - START).days + 1)]


def _random_day(rng: np.random.Generator, first: date, last: date) -> date:
    return first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum() or c == " ").replace(" ", "-")


def _unique_names(rng: np.random.Generator, count: int) -> list[str]:
    names: list[str] = []
    seen = {DUPLICATE_NAME}
    while len(names) < count:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _employees(rng: np.random.Generator) -> list[Employee]:
    total = sum(TEAM_SIZES.values())
    names = _unique_names(rng, total)
    ids = rng.choice(np.arange(1000, 10000), size=total, replace=False)
    teams = [team for team, size in TEAM_SIZES.items() for _ in range(size)]
    rates = rng.gamma(RATE_SHAPE, MEAN_POSTS_PER_WEEK / RATE_SHAPE, size=total)
    audiences = rng.lognormal(0.0, AUDIENCE_SIGMA, size=total)
    employees = []
    for i, team in enumerate(teams):
        joined = (
            None if rng.random() < SHARE_WITHOUT_JOINED_ON else _random_day(rng, date(2024, 3, 1), date(2024, 12, 31))
        )
        employees.append(
            Employee(
                employee_id=f"E{ids[i]}",
                full_name=names[i],
                email="",
                team=team,
                role=str(rng.choice(ROLES[team])),
                joined_on=joined,
                left_on=None,
                contest_opt_in=True,
                rate=float(rates[i]),
                audience=float(audiences[i]),
                first_day=START,
            )
        )
    movable = [i for i, e in enumerate(employees) if e.team != "Executive Office"]
    picked = rng.choice(movable, size=JOINERS + LEAVERS, replace=False)
    for i in picked[:JOINERS]:
        employees[i].joined_on = employees[i].first_day = _random_day(rng, date(2025, 3, 1), date(2026, 8, 31))
    for i in picked[JOINERS:]:
        employees[i].left_on = _random_day(rng, date(2025, 4, 1), date(2026, 9, 30))
    for i in rng.choice(total, size=CONTEST_OPT_OUTS, replace=False):
        employees[i].contest_opt_in = False
    for team in DUPLICATE_NAME_TEAMS:
        twin = next(e for e in employees if e.team == team and e.left_on is None and e.first_day == START)
        twin.full_name, twin.name_unique = DUPLICATE_NAME, False
    _assign_emails(employees)
    return employees


def _assign_emails(employees: list[Employee]) -> None:
    taken: dict[str, int] = {}
    for e in employees:
        first, _, last = e.full_name.partition(" ")
        local = f"{_ascii(first)}.{_ascii(last)}"
        taken[local] = taken.get(local, 0) + 1
        suffix = "" if taken[local] == 1 else str(taken[local])
        e.email = f"{local}{suffix}@{COMPANY_DOMAIN}"


def _day_factors(days: list[date]) -> np.ndarray:
    """Network growth, season and weekday, common to every employee."""
    years = np.array([(d - START).days / 365.25 for d in days])
    trend = (1 + NETWORK_GROWTH_PER_YEAR) ** years
    weekday = np.array([WEEKDAY_FACTORS[d.weekday()] for d in days]) / (sum(WEEKDAY_FACTORS) / 7)
    season = np.array([_season(d) for d in days])
    return trend * weekday * season / 7


def _season(day: date) -> float:
    if day.month == 8:
        return AUGUST_FACTOR
    if day.month == 12 and day.day >= YEAR_END_FROM_DAY:
        return YEAR_END_FACTOR
    return 1.0


def _in_linkedin_month(day: date) -> bool:
    return LINKEDIN_MONTH <= day < _next_month(LINKEDIN_MONTH)


def _charter_factors(days: list[date], team: str) -> np.ndarray:
    adopted = charter_date(team)
    since = np.array([(d - adopted).days for d in days], dtype=float)
    after = since >= 0
    spike = 1 + LAUNCH_SPIKE * np.exp(-np.where(after, since, 0) / LAUNCH_DECAY_DAYS)
    return np.where(after, POST_EFFECT * spike, 1.0)


def _workshops(rng: np.random.Generator, employees: list[Employee]) -> list[tuple[Employee, date, str]]:
    """Each team's charter workshops, before its charter date, and who attended (once each)."""
    out = []
    for team in TEAM_SIZES:
        members = [e for e in employees if e.team == team and e.first_day < charter_date(team)]
        weights = np.sqrt([e.rate for e in members])
        size = round(WORKSHOP_SHARE * len(members))
        chosen = rng.choice(len(members), size=size, replace=False, p=weights / weights.sum())
        sessions = [(charter_date(team) - timedelta(weeks=w), f"Atelier charte {team} n°{n}")
                    for n, w in enumerate(WORKSHOP_WEEKS_BEFORE, start=1)]  # fmt: skip
        for i in sorted(chosen):
            day, name = sessions[int(rng.integers(len(sessions)))]
            out.append((members[i], day, name))
    return sorted(out, key=lambda w: (w[1], w[2], w[0].employee_id))


def _contest_factors(days: list[date], team: str) -> np.ndarray:
    """Posting during the contests a team is eligible for, and in as many days after each (borrowed)."""
    factor = np.ones(len(days))
    day = np.array([(d - START).days for d in days])
    for contest in CONTESTS:
        if contest.teams and team not in contest.teams:
            continue
        start, end = (contest.starts_on - START).days, (contest.ends_on - START).days
        length = end - start + 1
        factor[(day >= start) & (day <= end)] *= CONTEST_LIFT
        factor[(day > end) & (day <= end + length)] *= CONTEST_AFTER
    return factor


def _posts(rng: np.random.Generator, employees: list[Employee], participants: set[str]) -> list[Post]:
    days = _days()
    common = _day_factors(days)
    charter = {team: _charter_factors(days, team) * _contest_factors(days, team) for team in TEAM_SIZES}
    cocreated = {team: np.where(np.array([d >= charter_date(team) for d in days]), COCREATION_EFFECT, 1.0)
                 for team in TEAM_SIZES}  # fmt: skip
    hours = np.array(POST_HOUR_WEIGHTS) / sum(POST_HOUR_WEIGHTS)
    drafts: list[tuple[datetime, Employee]] = []
    for e in employees:
        active = np.array([e.first_day <= d and (e.left_on is None or d < e.left_on) for d in days])
        own = cocreated[e.team] if e.employee_id in participants else 1.0
        counts = rng.poisson(e.rate * common * charter[e.team] * own * active)
        for index in np.flatnonzero(counts):
            day = days[index]
            if not e.name_unique and _in_linkedin_month(day):
                continue  # the LinkedIn export names authors by full name: not these two
            for _ in range(counts[index]):
                hour, minute = int(rng.choice(POST_HOURS, p=hours)), int(rng.integers(0, 60))
                drafts.append((datetime(day.year, day.month, day.day, hour, minute), e))
    drafts.sort(key=lambda d: (d[0], d[1].employee_id))
    posts = [_post(rng, moment, e) for moment, e in drafts]
    _unique_ids(rng, posts)
    in_csv = [i for i, p in enumerate(posts) if p.published_at.date() < LINKEDIN_MONTH]
    for index, title in zip(rng.choice(in_csv, size=len(SPECIAL_TITLES), replace=False), SPECIAL_TITLES, strict=True):
        posts[index].title = title
    return posts


def _post(rng: np.random.Generator, moment: datetime, e: Employee) -> Post:
    # A LinkedIn page export holds no tweets: that month has none.
    twitter = rng.random() < TWITTER_SHARE and not _in_linkedin_month(moment.date())
    fmt = "post" if twitter else str(rng.choice(FORMATS, p=FORMAT_WEIGHTS))
    by = str(rng.choice(AUTHOR_BY, p=AUTHOR_BY_WEIGHTS))
    if by == "name" and not e.name_unique:
        by = "id"
    adopted = moment.date() >= charter_date(e.team)
    post = Post(
        post_id="",
        employee=e,
        published_at=moment,
        network="twitter" if twitter else "linkedin",
        format=fmt,
        title=_title(rng),
        author_by=by,
        adopted=adopted,
        final={},
    )
    post.final = _final_counts(rng, post)
    return post


def _title(rng: np.random.Generator) -> str:
    templates = TITLES_EN if rng.random() < ENGLISH_TITLE_SHARE else TITLES_FR
    template = str(rng.choice(templates))
    role = str(rng.choice([r for roles in ROLES.values() for r in roles]))
    return template.format(
        event=rng.choice(EVENTS), city=rng.choice(CITIES), topic=rng.choice(TOPICS), product=rng.choice(PRODUCTS),
        role=role,
    )  # fmt: skip


def _final_counts(rng: np.random.Generator, post: Post) -> dict[str, int]:
    years = (post.published_at.date() - START).days / 365.25
    mean = (
        IMPRESSIONS_MEDIAN
        * post.employee.audience
        * FORMAT_IMPRESSIONS[post.format]
        * (TWITTER_IMPRESSIONS if post.network == "twitter" else 1)
        * math.sqrt((1 + NETWORK_GROWTH_PER_YEAR) ** years)
    )
    impressions = mean * rng.lognormal(0, IMPRESSIONS_SIGMA)
    if rng.random() < VIRAL_SHARE:
        impressions *= min(1 + VIRAL_SCALE * (1 + rng.pareto(VIRAL_PARETO_SHAPE)), VIRAL_MAX)
    final = {"impressions": int(impressions)}
    effect = ENGAGEMENT_EFFECT if post.adopted else 1.0
    for name, rate in RATES.items():
        boost = ARTICLE_CLICKS if name == "clicks" and post.format in ("article", "document") else 1.0
        p = min(rate * boost * effect * rng.lognormal(0, RATE_SIGMA), 0.5)
        final[name] = int(rng.binomial(final["impressions"], p))
    final["follows"] = int(rng.binomial(final["impressions"], FOLLOW_RATE))
    final["views"] = int(rng.binomial(final["impressions"], VIDEO_VIEW_RATE)) if post.format == "video" else 0
    return final


def _unique_ids(rng: np.random.Generator, posts: list[Post]) -> None:
    """LinkedIn activity ids: the publication time in ms, shifted 22 bits, and random low bits."""
    seen: set[int] = set()
    for post in posts:
        ms = int(post.published_at.replace(tzinfo=UTC).timestamp() * 1000) + int(rng.integers(0, 1000))
        number = (ms << 22) | int(rng.integers(0, 1 << 22))
        while number in seen:
            number += 1
        seen.add(number)
        post.post_id = f"urn:li:activity:{number}"


def _incidents(rng: np.random.Generator, employees: list[Employee]) -> list[Incident]:
    days = _days()
    total = len(employees)
    found: list[tuple[date, str, Employee | None]] = []
    for team in TEAM_SIZES:
        members = [e for e in employees if e.team == team]
        base = INCIDENTS_PER_MONTH * len(members) / total / DAYS_PER_MONTH
        rates = np.array([base * (INCIDENT_EFFECT if d >= charter_date(team) else 1) for d in days])
        for index in np.flatnonzero(rng.poisson(rates)):
            day = days[index]
            active = [e for e in members if e.first_day <= day and (e.left_on is None or day < e.left_on)]
            author = None
            if active and rng.random() < INCIDENT_WITH_AUTHOR:
                weights = np.array([e.rate for e in active])
                author = active[int(rng.choice(len(active), p=weights / weights.sum()))]
            found.append((day, team, author))
    found.sort(key=lambda f: (f[0], f[1]))
    severities = _severities(rng, len(found))
    incidents = []
    for number, (day, team, author) in enumerate(found, start=1):
        category = str(rng.choice(list(INCIDENT_CATEGORIES), p=INCIDENT_CATEGORY_WEIGHTS))
        incidents.append(
            Incident(
                incident_id=f"INC-{day.year}-{number:03d}",
                occurred_on=day,
                team=team,
                author=author,
                team_written=author is None or rng.random() < INCIDENT_TEAM_WRITTEN,
                severity=severities[number - 1],
                category=category,
                description=str(rng.choice(INCIDENT_CATEGORIES[category])),
            )
        )
    return incidents


def _severities(rng: np.random.Generator, count: int) -> list[str]:
    """Random severities, with every level present at least once so that the demo shows them all."""
    drawn = [str(s) for s in rng.choice(list(SEVERITIES), size=count, p=list(SEVERITIES.values()))]
    missing = [level for level in SEVERITIES if level not in drawn]
    common = max(SEVERITIES, key=lambda level: drawn.count(level))
    spare = [i for i, level in enumerate(drawn) if level == common]
    for level, index in zip(missing, rng.choice(spare, size=len(missing), replace=False), strict=True):
        drawn[index] = level
    return drawn


def _jury(rng: np.random.Generator, posts: list[Post]) -> list[tuple[str, Post, str, float]]:
    scores = []
    for contest in CONTESTS:
        if contest.contest_id not in JUDGED:
            continue
        eligible = [
            p
            for p in posts
            if contest.starts_on <= p.published_at.date() <= contest.ends_on
            and (not contest.teams or p.employee.team in contest.teams)
        ]
        weights = np.array([3.0 if p.format == "article" else 1.0 for p in eligible])
        chosen = rng.choice(
            len(eligible), size=min(JURY_POSTS, len(eligible)), replace=False, p=weights / weights.sum()
        )
        quality = rng.normal(JURY_QUALITY_MEAN, JURY_QUALITY_SD, size=len(chosen))
        bias = rng.normal(0, JUDGE_BIAS_SD, size=len(JUDGES))
        for index, q in zip(sorted(chosen), quality, strict=True):
            for judge, b in zip(JUDGES, bias, strict=True):
                score = float(np.clip(round(2 * (q + b + rng.normal(0, JUDGE_NOISE_SD))) / 2, 0, 10))
                scores.append((contest.contest_id, eligible[index], judge, score))
    return scores


def _next_month(day: date, months: int = 1) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# --- writing the files -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoFile:
    path: Path
    options: LoadOptions


def _write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    crlf: bool = False,
) -> Path:
    """A delimited text file; `encoding="utf-16"` writes little-endian with a BOM, as Excel's "Unicode text"."""
    bom = encoding == "utf-16"
    with path.open("w", encoding="utf-16-le" if bom else encoding, newline="") as f:
        if bom:
            f.write("\ufeff")
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _fr_date(day: date | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")


def _url(post_id: str) -> str:
    return f"{URL_PREFIX}{post_id}/"


def _write_employees(out: Path, employees: list[Employee]) -> Path:
    header = (
        "Matricule", "Nom complet", "Adresse e-mail", "Équipe", "Poste", "Date d'entrée", "Date de sortie",
        "Consentement classement",
    )  # fmt: skip
    rows = [
        (e.employee_id, e.full_name, e.email, e.team, e.role, _fr_date(e.joined_on), _fr_date(e.left_on),
         "oui" if e.contest_opt_in else "non")
        for e in employees
    ]  # fmt: skip
    return _write_csv(out / "employees.csv", header, rows, delimiter=";", encoding="cp1252", crlf=True)


def _write_teams(out: Path, employees: list[Employee]) -> Path:
    rows: list[tuple[object, ...]] = [("*", "", ORG_CHARTER_DATE.isoformat())]
    for team in TEAM_SIZES:
        own = TEAM_CHARTER_DATES.get(team)
        headcount = sum(e.team == team for e in employees)
        rows.append((team, headcount, own.isoformat() if own else ""))
    return _write_csv(
        out / "teams.csv", ("team", "headcount", "charter_adopted_on"), rows, encoding="utf-8-sig", crlf=True
    )


def _author(post: Post) -> str:
    e = post.employee
    return {"id": e.employee_id, "email": e.email, "name": e.full_name}[post.author_by]


def _posts_periods() -> list[tuple[date, date]]:
    """(first, last) publication day of each CSV posts export, overlapping the previous one by a few days."""
    periods = []
    start = START
    while start < LINKEDIN_MONTH:
        end = min(_next_month(start, POSTS_PERIOD_MONTHS), LINKEDIN_MONTH) - timedelta(days=1)
        periods.append((start, end))
        start = end + timedelta(days=1)
    periods.append((_next_month(LINKEDIN_MONTH), END))
    return [(max(first - timedelta(days=POSTS_OVERLAP_DAYS), START), last) for first, last in periods]


def _write_posts_csv(out: Path, index: int, posts: list[Post], first: date, last: date) -> Path:
    as_url = index in URL_POSTS_FILES
    header = ("Lien de la publication" if as_url else "URN", "Auteur", "Date de publication", "Réseau",
              "Type de contenu", "Titre")  # fmt: skip
    dated = [
        (p.published_at, p.post_id, _author(p), p.network, p.format, p.title)
        for p in posts
        if first <= p.published_at.date() <= last
    ]
    if index == UNKNOWN_AUTHOR_FILE:
        dated = sorted(dated + _unknown_author_posts(first), key=lambda row: row[0])
    rows = [
        (_url(post_id) if as_url else post_id, author, moment.strftime("%d/%m/%Y %H:%M"), *rest)
        for moment, post_id, author, *rest in dated
    ]
    excel = index % 2 == 0  # every other export was opened and saved again in Excel
    path = out / f"publications_{first.isoformat()}_{last.isoformat()}.csv"
    return _write_csv(path, header, rows, delimiter=";", encoding="utf-8-sig" if excel else "utf-8", crlf=excel)


def _unknown_author_posts(first: date) -> list[tuple[datetime, str, str, str, str, str]]:
    """Posts by an intern whom HR forgot: the loader quarantines them (no employee matches the author)."""
    rows = []
    titles = ("Mon premier mois en alternance chez Acme !", "Retour sur notre hackathon interne")
    for n in range(UNKNOWN_AUTHOR_POSTS):
        moment = datetime.combine(first + timedelta(days=10 + 7 * n), datetime.min.time()) + timedelta(hours=11)
        number = (int(moment.replace(tzinfo=UTC).timestamp() * 1000) << 22) | (1000 + n)
        rows.append((moment, f"urn:li:activity:{number}", UNKNOWN_AUTHOR, "linkedin", "post", titles[n % 2]))
    return rows


def _us_date(day: date) -> str:
    return day.strftime("%m/%d/%Y")


LINKEDIN_POST_HEADER = (
    "Post title", "Post link", "Post type", "Campaign name", "Posted by", "Created date", "Campaign start date",
    "Campaign end date", "Audience", "Impressions", "Views", "Offsite Views", "Clicks", "Click through rate (CTR)",
    "Likes", "Comments", "Reposts", "Follows", "Engagement rate", "Content Type",
)  # fmt: skip
LINKEDIN_METRIC_HEADER = (
    "Date", "Impressions (organic)", "Impressions (sponsored)", "Impressions (total)", "Unique impressions (organic)",
    "Clicks (organic)", "Clicks (sponsored)", "Clicks (total)", "Reactions (organic)", "Reactions (sponsored)",
    "Reactions (total)", "Comments (organic)", "Comments (sponsored)", "Comments (total)", "Reposts (organic)",
    "Reposts (sponsored)", "Reposts (total)", "Engagement rate (organic)", "Engagement rate (sponsored)",
    "Engagement rate (total)",
)  # fmt: skip
UNIQUE_IMPRESSIONS_SHARE = 0.7


def _write_linkedin_xlsx(out: Path, posts: list[Post]) -> tuple[Path, date]:
    """LinkedIn's page content export for one month: `Metrics` (daily totals) then `All posts`."""
    first, last = LINKEDIN_MONTH, _next_month(LINKEDIN_MONTH) - timedelta(days=1)
    month = [p for p in posts if first <= p.published_at.date() <= last]
    exported = LINKEDIN_EXPORTED_AT.replace(tzinfo=None)
    ms = int(LINKEDIN_EXPORTED_AT.timestamp() * 1000)
    path = out / f"{LINKEDIN_PAGE}_content_{ms}.xlsx"
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    workbook.set_properties({"created": exported, "author": "LinkedIn"})
    metrics = workbook.add_worksheet("Metrics")
    metrics.write_string(0, 0, f"Daily metrics of the page from {_us_date(first)} to {_us_date(last)}.")
    for col, name in enumerate(LINKEDIN_METRIC_HEADER):
        metrics.write_string(1, col, name)
    day = first
    while day <= last:
        _write_metric_row(metrics, 2 + (day - first).days, day, month)
        day += timedelta(days=1)
    sheet = workbook.add_worksheet("All posts")
    sheet.write_string(0, 0, f"All posts published from {_us_date(first)} to {_us_date(last)}; metrics on "
                       f"{_us_date(exported.date())}.")  # fmt: skip
    for col, name in enumerate(LINKEDIN_POST_HEADER):
        sheet.write_string(1, col, name)
    for row, post in enumerate(sorted(month, key=lambda p: p.published_at, reverse=True), start=2):
        _write_linkedin_post(sheet, row, post, post.counts_at(exported))
    workbook.close()
    return path, exported.date()


def _write_linkedin_post(sheet: Worksheet, row: int, post: Post, c: dict[str, int]) -> None:
    impressions = c["impressions"]
    interactions = c["reactions"] + c["comments"] + c["shares"] + c["clicks"] + c["follows"]
    cells: list[object] = [
        post.title, _url(post.post_id), "Organic", "", post.employee.full_name, _us_date(post.published_at.date()),
        "", "", "All followers", impressions, c["views"], 0, c["clicks"],
        c["clicks"] / impressions if impressions else 0, c["reactions"], c["comments"], c["shares"], c["follows"],
        interactions / impressions if impressions else 0, post.format.capitalize(),
    ]  # fmt: skip
    for col, value in enumerate(cells):
        if isinstance(value, str):
            sheet.write_string(row, col, value)
        else:
            sheet.write_number(row, col, value)


def _write_metric_row(sheet: Worksheet, row: int, day: date, posts: list[Post]) -> None:
    start = datetime.combine(day, datetime.min.time())
    end = start + timedelta(days=1)
    gained = {name: 0 for name in ("impressions", "clicks", "reactions", "comments", "shares")}
    for post in posts:
        if post.published_at < end:
            now, before = post.counts_at(end), post.counts_at(start)
            for name in gained:
                gained[name] += now[name] - before[name]
    imp = gained["impressions"]
    rate = (gained["clicks"] + gained["reactions"] + gained["comments"] + gained["shares"]) / imp if imp else 0
    values: list[float] = [imp, 0, imp, int(imp * UNIQUE_IMPRESSIONS_SHARE)]
    for name in ("clicks", "reactions", "comments", "shares"):
        values += [gained[name], 0, gained[name]]  # organic, sponsored, total
    values += [rate, 0, rate]
    sheet.write_string(row, 0, _us_date(day))
    for col, value in enumerate(values, start=1):
        sheet.write_number(row, col, value)


def _engagement_dates() -> list[date]:
    """The end of every other month, and the end of the period."""
    dates = []
    month = _next_month(START, ENGAGEMENT_EVERY_MONTHS)
    while month <= _next_month(END, 1):
        dates.append(month - timedelta(days=1))
        month = _next_month(month, ENGAGEMENT_EVERY_MONTHS)
    if dates[-1] != END:
        dates.append(END)
    return dates


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _write_engagement(out: Path, index: int, as_of: date, posts: list[Post]) -> Path:
    dialect = ENGAGEMENT_DIALECTS[index % len(ENGAGEMENT_DIALECTS)]
    moment = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    since = as_of - timedelta(days=ENGAGEMENT_LOOKBACK_DAYS)
    shown = [p for p in posts if since < p.published_at.date() <= as_of]
    counts = [(p, p.counts_at(moment)) for p in shown]
    names = ("impressions", "reactions", "comments", "shares", "clicks")
    if dialect == "french":
        header = ("Lien", "Date d'export", "Affichages", "Réactions", "Commentaires", "Partages", "Clics")
        french = [(_url(p.post_id), _fr_date(as_of), *(_thousands(c[n]) for n in names)) for p, c in counts]
        path = out / f"statistiques_{as_of.isoformat()}.csv"
        return _write_csv(path, header, french, delimiter=";", encoding="utf-8-sig", crlf=True)
    header = ("post_id", "as_of", *names)
    as_url = dialect == "comma_url" or (dialect == "tab" and index % 2 == 1)
    rows = [(_url(p.post_id) if as_url else p.post_id, as_of.isoformat(), *(c[n] for n in names)) for p, c in counts]
    if dialect == "utf16":
        path = out / f"engagement_{as_of.isoformat()}.txt"
        return _write_csv(path, header, rows, delimiter="\t", encoding="utf-16", crlf=True)
    if dialect == "tab":
        return _write_csv(out / f"engagement_{as_of.isoformat()}.txt", header, rows, delimiter="\t")
    return _write_csv(out / f"engagement_{as_of.isoformat()}.csv", header, rows)


def _write_incidents(out: Path, incidents: list[Incident]) -> Path:
    header = ("Référence", "Date de l'incident", "Équipe", "Collaborateur", "Gravité", "Catégorie", "Commentaire")
    rows = [
        (i.incident_id, _fr_date(i.occurred_on), i.team if i.team_written else "",
         i.author.employee_id if i.author else "", i.severity, i.category, i.description)
        for i in incidents
    ]  # fmt: skip
    return _write_csv(out / "incidents.csv", header, rows, delimiter=";", encoding="utf-8-sig", crlf=True)


def _write_contests(out: Path) -> Path:
    header = ("contest_id", "name", "starts_on", "ends_on", "teams", "min_posts")
    rows = [
        (c.contest_id, c.name, c.starts_on.isoformat(), c.ends_on.isoformat(), "|".join(c.teams), c.min_posts)
        for c in CONTESTS
    ]
    return _write_csv(out / "contests.csv", header, rows)


def _write_workshops(out: Path, workshops: list[tuple[Employee, date, str]]) -> Path:
    """A sign-in sheet as comms keep it in French Excel: a note row, ';', day-first dates, Windows-1252; some
    attendees written by e-mail."""
    rows = [(e.email if n % 4 == 3 else e.employee_id, _fr_date(day), name, e.team)
            for n, (e, day, name) in enumerate(workshops)]  # fmt: skip
    path = out / "ateliers_charte.csv"
    _write_csv(path, ("Collaborateur", "Date de l'atelier", "Atelier", "Équipe"), rows, delimiter=";",
               encoding="cp1252", crlf=True)  # fmt: skip
    path.write_bytes("Feuilles d'émargement des ateliers charte;;;\r\n".encode("cp1252") + path.read_bytes())
    return path


def _write_jury(out: Path, jury: list[tuple[str, Post, str, float]]) -> Path:
    rows = [
        (contest_id, _url(post.post_id) if n % 2 else post.post_id, judge, f"{score:g}")
        for n, (contest_id, post, judge, score) in enumerate(jury)
    ]
    return _write_csv(out / "jury_scores.csv", ("contest_id", "post_id", "judge", "score"), rows)


def write_demo_files(out_dir: Path, seed: int = 7) -> list[DemoFile]:
    """Write the demo's export files into `out_dir`; return them in the order they must be loaded."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    programme = simulate(seed)
    posts = programme.posts
    plain = LoadOptions(loaded_by=LOADED_BY)
    files = [
        DemoFile(_write_employees(out, programme.employees), plain),
        DemoFile(_write_teams(out, programme.employees), plain),
        DemoFile(_write_workshops(out, programme.workshops), plain),
    ]
    # Exports arrive in time order: each engagement export after the posts it covers.
    posts_files = [
        (last, DemoFile(_write_posts_csv(out, i, posts, first, last), plain))
        for i, (first, last) in enumerate(_posts_periods())
    ]
    xlsx, exported_on = _write_linkedin_xlsx(out, posts)
    posts_files.append((exported_on, DemoFile(xlsx, LoadOptions(export_date=exported_on, loaded_by=LOADED_BY))))
    engagement_files = [
        (as_of, DemoFile(_write_engagement(out, i, as_of, posts), plain))
        for i, as_of in enumerate(_engagement_dates())
    ]
    timeline = [(day, 0, f) for day, f in posts_files] + [(day, 1, f) for day, f in engagement_files]
    files += [f for _, _, f in sorted(timeline, key=lambda t: (t[0], t[1]))]
    files += [
        DemoFile(_write_incidents(out, programme.incidents), plain),
        DemoFile(_write_contests(out), plain),
        DemoFile(_write_jury(out, programme.jury), plain),
    ]
    return files


def build_demo(db: Database, out_dir: Path | None = None, seed: int = 7) -> list[LoadResult]:
    """Write the demo files (into a temporary folder unless `out_dir` is given) and load them into `db`."""
    if out_dir is not None:
        return _load_all(db, write_demo_files(out_dir, seed))
    with tempfile.TemporaryDirectory(prefix="advocacy-demo-") as tmp:
        return _load_all(db, write_demo_files(Path(tmp), seed))


def _load_all(db: Database, files: list[DemoFile]) -> list[LoadResult]:
    results: list[LoadResult] = []
    for f in files:
        results.extend(load_paths(db, [f.path], f.options))
    return results
