"""Leadership's answer in words: one line per claim of the article, read from the adjusted effect and its interval.

A line says which way the figure went and how sure it is: clearly up or down when the 95 % interval excludes no
change, "can't tell yet" when it holds it, "not to be trusted" when the placebo check failed, and why there is no
figure where there is none (too few teams, too few incidents, under a year of history). The caveats that apply
(approximate intervals, a team that adopted after a bad run of incidents) follow, worded in both languages. The
dashboard's Overview (through `dashboard/data.py`) and `advocacy impact` both say it from here, with a line each
for the charter workshops and the contests where the data holds them (`programme_lines`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# The article's claims: a charter brings +60 % posts by employees and -90 % incident risk.
ARTICLE_POSTS_CHANGE_PCT = 60.0
ARTICLE_INCIDENT_RISK_CHANGE_PCT = -90.0

# Why an adjusted figure cannot be relied on, as a key the pages translate (the notes say it in full): a note's
# text, as pipelines/analytics/stats.py writes it, and its key.
DOUBTS = {
    "placebo check failed": "placebo_failed",
    "the season cannot be told": "no_season",
    "too few teams": "too_few_teams",
    "too few": "too_few",
}

# claim (a key of the effect) -> (higher is better, label in English, label in French)
CLAIMS: dict[str, tuple[bool, str, str]] = {
    "posts": (True, "Posts", "Publications"),
    "incidents": (False, "Incident risk per post", "Risque d'incident par publication"),
    "engagement": (True, "Engagement per post", "Interactions par publication"),
}

WHY_NONE = {
    "too_few_teams": ("too few teams for an adjusted figure", "trop peu d'équipes pour un effet ajusté"),
    "no_season": (
        "less than a year before the charter, the season cannot be told apart",
        "moins d'un an avant la charte, la saison ne se distingue pas",
    ),  # fmt: skip
    "too_few": ("too few posts", "trop peu de publications"),
    "too_few_incidents": ("too few incidents", "trop peu d'incidents"),
    None: ("no adjusted figure for this selection", "pas d'effet ajusté pour cette sélection"),
}


@dataclass(frozen=True)
class Reading:
    """How one claim came out: `outcome` is up, down, unclear, untrusted or none; `good` says whether the change
    went the way the programme wants (None where nothing can be said)."""

    claim: str
    outcome: str
    good: bool | None
    change_pct: float | None
    ci_pct: tuple[float, float] | None
    why: str | None  # the effect's doubt key, where it has one


def read(effect: dict[str, Any]) -> list[Reading]:
    """Each claim's reading from a scope's `effect` (impact --json)."""
    readings = []
    for claim, (higher_is_better, *_) in CLAIMS.items():
        found = effect.get(claim) or {}
        change, ci, doubt = found.get("change_pct"), found.get("ci95_pct"), found.get("doubt")
        if change is None:
            readings.append(Reading(claim, "none", None, None, None, doubt))
            continue
        ci_pct = (float(ci[0]), float(ci[1])) if ci else None
        went_up = change > 0
        if doubt == "placebo_failed":
            outcome = "untrusted"
        elif ci_pct is not None and (ci_pct[0] > 0 or ci_pct[1] < 0):
            outcome = "up" if ci_pct[0] > 0 else "down"
        else:
            outcome = "unclear"
        good = (went_up == higher_is_better) if outcome in ("up", "down") else None
        readings.append(Reading(claim, outcome, good, float(change), ci_pct, doubt))
    return readings


def signed_pct(value: float) -> str:
    """A change in whole percent, signed, with a true minus: +33 %, −98 %; 0 % (not −0 %) for less than half of
    one."""
    return "0 %" if round(abs(value)) == 0 else f"{value:+.0f} %".replace("-", "−")


def why_none(claim: str, doubt: str | None, lang: str = "en") -> str:
    """Why a claim has no adjusted figure, from its effect's doubt: "too few incidents"."""
    key = "too_few_incidents" if doubt == "too_few" and claim.startswith("incidents") else doubt
    return WHY_NONE.get(key, WHY_NONE[None])[1 if lang == "fr" else 0]


def sentence(reading: Reading, lang: str = "en") -> str:
    """The reading in words, read in five seconds."""
    _, label_en, label_fr = CLAIMS[reading.claim]
    fr = lang == "fr"
    label = label_fr if fr else label_en
    if reading.outcome == "none" or reading.change_pct is None:
        why = why_none(reading.claim, reading.why, lang)
        return f"{label} : impossible de conclure, {why}." if fr else f"{label}: can't tell, {why}."
    size = f"{abs(reading.change_pct):.0f} %"
    if fr:
        moved = f"en hausse de {size}" if reading.change_pct > 0 else f"en baisse de {size}"
    else:
        moved = f"up {size}" if reading.change_pct > 0 else f"down {size}"
    if reading.ci_pct is None:
        span = ""
    else:
        low, high = (signed_pct(v) for v in reading.ci_pct)
        span = f" (entre {low} et {high})" if fr else f" (between {low} and {high})"
    if reading.outcome == "untrusted":
        return (f"{label} : {moved}{span}, mais le test placebo a échoué : chiffre non fiable." if fr else
                f"{label}: {moved}{span}, but the placebo check failed: not to be trusted.")  # fmt: skip
    if reading.outcome in ("up", "down"):
        clearly = {"up": ("clearly up", "nettement en hausse"), "down": ("clearly down", "nettement en baisse")}
        return (
            f"{label} : {moved}{span} : {clearly[reading.outcome][1]}."
            if fr
            else (f"{label}: {moved}{span}: {clearly[reading.outcome][0]}.")
        )
    rare = reading.claim == "incidents"
    if reading.ci_pct is not None:
        low, high = (signed_pct(v) for v in reading.ci_pct)
        span = f", mais quelque part entre {low} et {high}" if fr else f", but anywhere from {low} to {high}"
    if fr:
        end = "trop peu d'incidents pour être sûr" if rare else "impossible de conclure pour l'instant"
        return f"{label} : {moved}{span} : {end}."
    end = "too few incidents to be sure" if rare else "can't tell yet"
    return f"{label}: {moved}{span}: {end}."


_APPROXIMATE = re.compile(r"^approximate: only (\d+) teams$")
_BAD_RUN = re.compile(r"^(.+) adopted after a bad run of incidents \((\d+) in the (\d+) weeks before")


def caveats(effect: dict[str, Any], lang: str = "en") -> list[str]:
    """The caveats the effect's notes carry that change how far to trust the lines, once each, in words."""
    found: list[str] = []
    fr = lang == "fr"
    for claim in CLAIMS:
        for note in (effect.get(claim) or {}).get("notes", []):
            if match := _APPROXIMATE.match(note):
                n = match.group(1)
                text = (f"Intervalles approximatifs : seulement {n} équipes à comparer." if fr else
                        f"Approximate intervals: only {n} teams to compare.")  # fmt: skip
            elif match := _BAD_RUN.match(note):
                team, count, weeks = match.groups()
                team = "Une des autres équipes" if fr and team == "other teams" else team  # small teams: unnamed
                team = "One of the other teams" if not fr and team == "other teams" else team
                text = (f"{team} a adopté la charte après une série d'incidents ({count} en {weeks} semaines) : une "
                        "partie de la baisse serait venue de toute façon." if fr else
                        f"{team} adopted the charter after a bad run of incidents ({count} in {weeks} weeks): part "
                        "of the drop would have come anyway.")  # fmt: skip
            else:
                continue
            if text not in found:
                found.append(text)
    return found


def freshness(summary: dict[str, Any], lang: str = "en") -> str:
    """ "data up to 31 Oct 2026 · 14 uploads · 3 % of posts without engagement yet" from ledger.freshness()."""
    fr = lang == "fr"
    up_to = summary.get("data_up_to")
    if up_to is None:
        return "Aucune publication chargée" if fr else "No posts loaded"
    months_en = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    months_fr = "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split()
    day = f"{up_to.day} {(months_fr if fr else months_en)[up_to.month - 1]} {up_to.year}"
    share = summary["posts_without_engagement"] / summary["posts"] if summary["posts"] else 0.0
    uploads, percent = summary["uploads"], f"{share * 100:.0f} %"
    if fr:
        return (f"Données jusqu'au {day} · {uploads} import{'s' if uploads != 1 else ''} · {percent} des "
                "publications sans interactions pour l'instant")  # fmt: skip
    plural = "s" if uploads != 1 else ""
    return f"Data up to {day} · {uploads} upload{plural} · {percent} of posts without engagement yet"


def lines(effect: dict[str, Any], lang: str = "en") -> list[str]:
    """The verdict: one sentence per claim."""
    return [sentence(reading, lang) for reading in read(effect)]


# --- the article's other two claims: workshops and contests (metrics.md, "Co-creation", "Contest effect") ------


def _ratio_outcome(found: dict[str, Any] | None) -> tuple[str, float | None, tuple[float, float] | None]:
    """(up / down / unclear / none, change in percent, interval in percent) of a `{ratio, ci95}` figure."""
    ratio, ci = (found or {}).get("ratio"), (found or {}).get("ci95")
    if ratio is None:
        return "none", None, None
    ci_pct = ((ci[0] - 1) * 100, (ci[1] - 1) * 100) if ci else None
    if ci_pct is not None and ci_pct[0] > 0:
        return "up", (ratio - 1) * 100, ci_pct
    if ci_pct is not None and ci_pct[1] < 0:
        return "down", (ratio - 1) * 100, ci_pct
    return "unclear", (ratio - 1) * 100, ci_pct


def _moved(change: float, ci_pct: tuple[float, float] | None, fr: bool) -> str:
    size = f"{abs(change):.0f} %"
    if size == "0 %":  # less than half a percent either way: neither up nor down
        moved = "stable" if fr else "unchanged"
    else:
        moved = (f"en hausse de {size}" if change > 0 else f"en baisse de {size}") if fr else (
            f"up {size}" if change > 0 else f"down {size}")  # fmt: skip
    if ci_pct is None:
        return moved
    low, high = (signed_pct(v) for v in ci_pct)
    return f"{moved} (entre {low} et {high})" if fr else f"{moved} (between {low} and {high})"


def _judged(outcome: str, fr: bool) -> str:
    return {
        "up": ("nettement en hausse", "clearly up"),
        "down": ("nettement en baisse", "clearly down"),
        "unclear": ("impossible de conclure pour l'instant", "can't tell yet"),
    }[outcome][0 if fr else 1]


def cocreation_line(cocreation: dict[str, Any] | None, lang: str = "en") -> str | None:
    """Did the workshops pay: participants against the other members, on engagement then posting; None where no
    workshop is loaded."""
    if not cocreation:
        return None
    fr = lang == "fr"
    label = "Charte co-construite en ateliers" if fr else "Charter co-created in workshops"
    parts = []
    for measure, (name_en, name_fr) in (("engagement", ("engagement per post", "interactions par publication")),
                                        ("posting", ("posting", "publications"))):  # fmt: skip
        outcome, change, ci_pct = _ratio_outcome(cocreation.get(measure))
        name = name_fr if fr else name_en
        if outcome == "none" or change is None:
            parts.append(f"{name} : impossible de conclure" if fr else f"{name}: can't tell")
        else:
            parts.append(f"{name} {_moved(change, ci_pct, fr)} : {_judged(outcome, fr)}" if fr else
                         f"{name} {_moved(change, ci_pct, fr)}: {_judged(outcome, fr)}")  # fmt: skip
    found = cocreation.get("posting") or {}
    if found.get("ratio") is None and (found.get("participants", 0) < 5 or found.get("others", 0) < 5):
        why = "trop peu de participants ou d'autres membres" if fr else "too few participants or other members"
        return f"{label} : impossible de conclure, {why}." if fr else f"{label}: can't tell, {why}."
    who = ("participants face aux autres membres de leurs équipes" if fr else
           "participants against the other members of their teams")  # fmt: skip
    return f"{label} ({who}) : " + " ; ".join(parts) + "." if fr else f"{label} ({who}): " + "; ".join(parts) + "."


def contest_line(contest_effect: dict[str, Any] | None, lang: str = "en") -> str | None:
    """Do contests lift posting, and did it last or was it borrowed from later; None where no contest is loaded."""
    if not contest_effect:
        return None
    fr = lang == "fr"
    pooled = contest_effect.get("pooled") or {}
    label = "Concours" if fr else "Contests"
    during, change, ci_pct = _ratio_outcome(pooled.get("lift_during"))
    if during == "none" or change is None:
        why = "trop peu de données autour des concours" if fr else "too little data around the contests"
        return f"{label} : impossible de conclure, {why}." if fr else f"{label}: can't tell, {why}."
    head = (f"{label} : publications {_moved(change, ci_pct, fr)} pendant les concours : {_judged(during, fr)}" if fr
            else f"{label}: posting {_moved(change, ci_pct, fr)} during them: {_judged(during, fr)}")  # fmt: skip
    after, change_after, ci_after = _ratio_outcome(pooled.get("lift_after"))
    if after == "none" or change_after is None:
        tail = "après : impossible de conclure" if fr else "after them: can't tell"
    else:
        moved = _moved(change_after, ci_after, fr)
        tail = {
            "down": ("après : {m}, une partie de la hausse a été empruntée aux semaines suivantes",
                     "after them: {m}, part of the lift was borrowed from the weeks after"),
            "up": ("après : {m}, la hausse a duré", "after them: {m}, the lift lasted"),
            "unclear": ("après : {m}, impossible de dire si elle a duré ou a été empruntée",
                        "after them: {m}, can't tell yet whether it lasted or was borrowed"),
        }[after][0 if fr else 1].format(m=moved)  # fmt: skip
    return f"{head} ; {tail}." if fr else f"{head}; {tail}."


def _good(outcomes: list[str]) -> bool | None:
    """Whether figures went the programme's way: clearly up (and none clearly down), clearly down, or unsaid."""
    if "up" in outcomes and "down" not in outcomes:
        return True
    return False if "down" in outcomes and "up" not in outcomes else None


def programme_lines(report: dict[str, Any], lang: str = "en") -> list[tuple[bool | None, str]]:
    """The workshops' and the contests' lines of an impact report (`impact --json`), with whether each went the
    programme's way, where it holds workshops or contests."""
    found: list[tuple[bool | None, str]] = []
    cocreation, contests = report.get("cocreation"), report.get("contest_effect")
    if line := cocreation_line(cocreation, lang):
        outcomes = [_ratio_outcome((cocreation or {}).get(m))[0] for m in ("engagement", "posting")]
        found.append((_good(outcomes), line))
    if line := contest_line(contests, lang):
        found.append((_good([_ratio_outcome(((contests or {}).get("pooled") or {}).get("lift_during"))[0]]), line))
    return found
