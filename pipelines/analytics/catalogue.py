"""The metric catalogue: one declaration per number the product shows, read by the metrics, the pages, the command
line and the Method page (metrics.md says what each means; this says how each is named and written).

Also the low-confidence flags as data: which metric, which window, how many, under which threshold, worded here
in English and French.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Metric:
    key: str
    unit: str  # count, per_week, per_1000_posts, per_post, share (0-1), currency, ratio (a rate ratio), score
    decimals: int  # shown with this many decimals (shares as percentages)
    higher_is_better: bool | None  # None: neither (a count of people, a share of the top posts)
    label_en: str
    label_fr: str
    about_en: str
    about_fr: str

    def label(self, lang: str = "en") -> str:
        return self.label_fr if lang == "fr" else self.label_en

    def about(self, lang: str = "en") -> str:
        return self.about_fr if lang == "fr" else self.about_en


def _m(key: str, unit: str, decimals: int, better: bool | None, en: str, fr: str, about_en: str,
       about_fr: str) -> Metric:  # fmt: skip
    return Metric(key, unit, decimals, better, en, fr, about_en, about_fr)


# The plain before/after comparison of each scope (impact --json: scopes[].metrics).
REPORT: dict[str, Metric] = {m.key: m for m in (
    _m("posts", "count", 0, True, "Posts", "Publications",
       "Posts published in the window.", "Publications de la période."),
    _m("posts_per_week", "per_week", 1, True, "Posts per week", "Publications par semaine",
       "Posts in the window divided by its weeks; the interval allows for week-to-week swings.",
       "Publications de la période divisées par son nombre de semaines ; l'intervalle tient compte des variations "
       "d'une semaine à l'autre."),
    _m("active_ambassadors", "count", 0, True, "Active ambassadors", "Ambassadeurs actifs",
       "People with at least one post in the window.", "Personnes ayant publié au moins une fois dans la période."),
    _m("posts_per_active_ambassador", "per_person", 1, None, "Posts per active ambassador",
       "Publications par ambassadeur actif", "Posts divided by the active ambassadors.",
       "Publications divisées par le nombre d'ambassadeurs actifs."),
    _m("participation_rate", "share", 0, True, "Participation", "Participation",
       "Active ambassadors divided by the teams' headcount.",
       "Ambassadeurs actifs rapportés à l'effectif des équipes."),
    _m("incidents", "count", 0, False, "Incidents", "Incidents",
       "Incidents (posts that went wrong) in the window, by the day they occurred.",
       "Incidents (dérapages) de la période, au jour où ils sont survenus."),
    _m("incidents_per_week", "per_week", 2, False, "Incidents per week", "Incidents par semaine",
       "Incidents in the window divided by its weeks; exact interval for rare counts.",
       "Incidents de la période divisés par son nombre de semaines ; intervalle exact pour des nombres rares."),
    _m("incidents_per_1000_posts", "per_1000_posts", 2, False, "Incidents per 1,000 posts",
       "Incidents pour 1 000 publications", "The risk per post, as the article's −90 % claim counts it.",
       "Le risque par publication, tel que l'article compte ses −90 %."),
    _m("engagements_per_post", "per_post", 1, True, "Engagements per post", "Interactions par publication",
       "Mean reactions, comments, shares and clicks per post with figures; bootstrap interval.",
       "Moyenne des réactions, commentaires, partages et clics par publication mesurée ; intervalle par bootstrap."),
    _m("engagements_per_post_median", "per_post", 1, True, "Median engagements per post",
       "Interactions médianes par publication", "The middle post's engagements: heavy tails do not move it.",
       "Les interactions de la publication du milieu : les publications virales ne la déplacent pas."),
    _m("engagement_rate", "share", 1, True, "Engagement rate", "Taux d'interaction",
       "Engagements divided by impressions, over posts with impressions.",
       "Interactions divisées par les impressions, sur les publications qui en ont."),
    _m("paid_engagements", "count", 0, None, "Paid engagements (boosted posts)",
       "Interactions payées (posts sponsorisés)",
       "Engagements that boosting campaigns brought, apart from the organic ones every other figure counts.",
       "Interactions des campagnes sponsorisées, à part des interactions organiques des autres chiffres."),
    _m("earned_media_value", "currency", 0, True, "Earned media value", "Valeur média gagnée",
       "What the impressions and clicks would have cost as paid posts (CPM and CPC settings).",
       "Ce qu'auraient coûté les impressions et clics en publications payantes (réglages CPM et CPC)."),
    _m("top_1pct_engagement_share", "share", 0, None, "Share of engagement from the top 1 % of posts",
       "Part des interactions venant du 1 % des meilleures publications",
       "How heavy-tailed engagement is.", "Mesure la concentration des interactions."),
)}  # fmt: skip

# The charter's adjusted effect (impact --json: scopes[].effect), each a rate ratio.
EFFECTS: dict[str, Metric] = {m.key: m for m in (
    _m("posts", "ratio", 0, True, "Posts, adjusted effect", "Publications, effet ajusté",
       "Posts against what the teams' trends and the calendar predict without the charter.",
       "Publications comparées à ce que prévoient sans la charte les tendances des équipes et le calendrier."),
    _m("incidents", "ratio", 0, False, "Incident risk per post, adjusted effect",
       "Risque d'incident par publication, effet ajusté",
       "Incidents per post against what the trends predict without the charter: the article's -90 % counts this.",
       "Incidents par publication comparés à ce que prévoient les tendances sans la charte : ce que compte "
       "l'article (−90 %)."),
    _m("incidents_per_member", "ratio", 0, False, "Incidents per member, adjusted effect",
       "Incidents par membre, effet ajusté",
       "Incidents per programme member against what the trends predict without the charter.",
       "Incidents par membre du programme comparés à ce que prévoient les tendances sans la charte."),
    _m("engagement", "ratio", 0, True, "Engagement per post, adjusted effect",
       "Interactions par publication, effet ajusté",
       "Engagements per post against what the trends predict without the charter.",
       "Interactions par publication comparées à ce que prévoient les tendances sans la charte."),
)}  # fmt: skip

# The four criteria of a contest (metrics.md, "Contest rankings").
CRITERIA: dict[str, Metric] = {m.key: m for m in (
    _m("posts", "count", 0, True, "Posts", "Publications", "Posts in the contest's days.",
       "Publications pendant le concours."),
    _m("engagement_per_post", "per_post", 2, True, "Engagement per post", "Interactions par publication",
       "Mean engagements per post, among people with at least the contest's minimum of posts.",
       "Interactions moyennes par publication, parmi les personnes ayant le minimum de publications du concours."),
    _m("best_written", "score", 2, True, "Best-written post (jury score)",
       "Publication la mieux écrite (note du jury)",
       "Each person's best post by its mean jury score.", "La meilleure publication de chacun, par sa note moyenne."),
    _m("articles", "count", 0, True, "Articles", "Articles", "Posts of format article.",
       "Publications au format article."),
)}  # fmt: skip


# A ranking by team: the posts and articles criteria count per roster member (contests.py, _team_rows).
PER_MEMBER: dict[str, Metric] = {m.key: m for m in (
    _m("posts", "per_person", 2, True, "Posts per member", "Publications par membre",
       "The team's posts in the contest's days divided by its roster members.",
       "Publications de l'équipe pendant le concours divisées par ses membres de l'annuaire."),
    _m("articles", "per_person", 2, True, "Articles per member", "Articles par membre",
       "The team's articles in the contest's days divided by its roster members.",
       "Articles de l'équipe pendant le concours divisés par ses membres de l'annuaire."),
)}  # fmt: skip

# The other columns of the tables (contest rankings): named here like the metrics, so that the page, the command
# line and both downloads head them alike. Unit "text" is written as is, "rank" and "count" as whole numbers.
COLUMNS: dict[str, Metric] = {m.key: m for m in (
    _m("rank", "rank", 0, None, "Rank", "Rang", "1 is first; ties share a rank.",
       "1 est premier ; les ex aequo partagent un rang."),
    _m("employee_id", "text", 0, None, "Employee ID", "Matricule", "The roster's id; none for anonymous people.",
       "L'identifiant de l'annuaire ; aucun pour les anonymes."),
    _m("name", "text", 0, None, "Name", "Nom", "As in the roster, or anonymous.",
       "Comme dans l'annuaire, ou anonyme."),
    _m("team", "text", 0, None, "Team", "Équipe", 'A team under the privacy threshold is "other teams".',
       "Une équipe sous le seuil de confidentialité est « autres équipes »."),
    _m("members", "count", 0, None, "Members", "Membres", "The team's members in the roster.",
       "Les membres de l'équipe dans l'annuaire."),
    _m("posts", "count", 0, None, "Posts in the contest", "Publications du concours",
       "Posts published in the contest's days.", "Publications parues pendant le concours."),
)}  # fmt: skip

_ANONYMOUS = {"en": "Anonymous participant {n}", "fr": "Participant anonyme {n}"}


def anonymous(n: int, lang: str = "en") -> str:
    """How a person who opted out of named rankings is shown: "Anonymous participant 3"."""
    return _ANONYMOUS.get(lang, _ANONYMOUS["en"]).format(n=n)


# Trends month by month (pipelines/analytics/trends.py; trends --json): REPORT's entries where the meaning is the
# same, a month being the window; the funnel's own figures below.
TRENDS: dict[str, Metric] = {
    **{key: REPORT[key] for key in ("posts", "active_ambassadors", "engagement_rate", "earned_media_value")},
    **{m.key: m for m in (
        _m("members", "count", 0, None, "Programme members", "Membres du programme",
           "Roster members whose programme dates touch the month (no date: a member).",
           "Membres de l'annuaire dont les dates de programme touchent le mois (sans date : membre)."),
        _m("ever_posted", "count", 0, True, "Ever posted", "Ont déjà publié",
           "Members with at least one post by the month's end, since the data began.",
           "Membres ayant publié au moins une fois avant la fin du mois, depuis le début des données."),
        _m("regular", "count", 0, True, "Regular ambassadors", "Ambassadeurs réguliers",
           "Members who posted in each of the last three months, this one included.",
           "Membres ayant publié chacun des trois derniers mois, celui-ci compris."),
        _m("participation_rate", "share", 0, True, "Member participation", "Participation membres",
           "Active ambassadors divided by the month's programme members.",
           "Ambassadeurs actifs rapportés aux membres du programme du mois."),
        _m("ever_posted_rate", "share", 0, True, "Share who ever posted", "Part ayant déjà publié",
           "Members who ever posted divided by the month's members.",
           "Membres ayant déjà publié rapportés aux membres du mois."),
        _m("regular_rate", "share", 0, True, "Share of regular ambassadors", "Part d'ambassadeurs réguliers",
           "Regular ambassadors divided by the month's members.",
           "Ambassadeurs réguliers rapportés aux membres du mois."),
        _m("impressions", "count", 0, True, "Impressions", "Impressions",
           "Times the posts were shown, from each post's newest figures.",
           "Nombre d'affichages des publications, d'après leurs derniers chiffres."),
        _m("clicks", "count", 0, True, "Clicks", "Clics",
           "Clicks on the posts, from each post's newest figures.",
           "Clics sur les publications, d'après leurs derniers chiffres."),
        _m("engaged_posts", "count", 0, None, "Posts with figures", "Publications mesurées",
           "Posts with an engagement snapshot: the engagement figures count only these.",
           "Publications ayant des chiffres d'interaction : seuls ceux-ci comptent dans les interactions."),
        _m("engagements", "count", 0, True, "Engagements", "Interactions",
           "Reactions, comments, shares and clicks, over the posts with figures.",
           "Réactions, commentaires, partages et clics, sur les publications mesurées."),
    )},
}  # fmt: skip


# --- low-confidence flags ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """A comparison too small to trust: `count` of `metric` in `window`, under `threshold`."""

    metric: str  # "posts" or "incidents"
    reason: str  # "few_posts" or "few_incidents"
    window: str  # "before" or "after"
    count: int
    threshold: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


_FLAG_TEXT = {
    ("en", "few_posts"): "fewer than {threshold} posts {window} the charter ({count})",
    ("en", "few_incidents"): "fewer than {threshold} incidents {window} the charter ({count})",
    ("fr", "few_posts"): "moins de {threshold} publications {window} la charte ({count})",
    ("fr", "few_incidents"): "moins de {threshold} incidents {window} la charte ({count})",
}
_WINDOW_TEXT = {("en", "before"): "before", ("en", "after"): "after", ("fr", "before"): "avant",
                ("fr", "after"): "après"}  # fmt: skip


def flag_text(flag: dict[str, Any], lang: str = "en") -> str:
    """A flag in words: "fewer than 30 posts before the charter (13)"."""
    lang = lang if lang in LANGUAGES else "en"
    window = _WINDOW_TEXT[(lang, flag["window"])]
    return _FLAG_TEXT[(lang, flag["reason"])].format(**{**flag, "window": window})
