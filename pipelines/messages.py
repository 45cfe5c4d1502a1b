"""The loader's and the statistics' messages in French: one catalogue of English templates and their French.

The pipelines write their messages in English (stored quarantine reasons, refusals, notes, the command line and
`--json`); the dashboard and the PDF report show them in the reader's language with `translate(text, "fr")`. It
recognises a message by its English template, where each `{name}` stands for a value ("fewer than {threshold}
posts"), and writes the French template with the same values, each value translated too when it is itself a
message or a word of WORDS ("before" -> "avant"). A text that matches no template is shown as it is.

To add a message: add its English and French templates to TEMPLATES (the English one exactly as the code writes
it, values as `{name}`; a name used twice must hold the same value twice).
"""

from __future__ import annotations

import re
from functools import cache

# English template -> French template. Where two templates match a text, the one with more words of its own wins.
TEMPLATES: dict[str, str] = {
    # privacy: how a small team and an opted-out person are named (pipelines/analytics/privacy.py, contests.py)
    "other teams": "autres équipes",
    "Anonymous participant {n}": "Participant anonyme {n}",
    "the organisation": "l'organisation",
    # quarantine reasons (pipelines/ingest/validate.py, versions.py, read.py): a row's value is quoted in them
    "{column} is empty": "{column} est vide",
    "{value} is not a number": "{value} n'est pas un nombre",
    "{value} is negative": "{value} est négatif",
    "{value} is not a whole number": "{value} n'est pas un nombre entier",
    "{value} is too large": "{value} est trop grand",
    "{value} is not a date (read {pattern})": "{value} n'est pas une date (lue {pattern})",
    "{value} is outside the years {low}-{high}": "{value} est hors des années {low} à {high}",
    "{value} is not yes/no, oui/non, true/false": "{value} n'est pas oui/non, yes/no, true/false",
    "{value} is not a severity (low to critical)": "{value} n'est pas une gravité (de low à critical)",
    "no engagement figure in this row": "aucun chiffre d'interaction sur cette ligne",
    "ends_on is before starts_on": "ends_on est avant starts_on",
    "author {author} is mapped to {employee}, who is not in the roster": (
        "l'auteur {author} est associé à {employee}, qui n'est pas dans l'effectif"
    ),
    "author {author} matches {n} employees ({ids}): use the employee_id": (
        "l'auteur {author} correspond à {n} salariés ({ids}) : indiquez l'employee_id"
    ),
    "author {author} matches nobody in the roster": "l'auteur {author} ne correspond à personne de l'effectif",
    "no team, and no author to take it from": "pas d'équipe, ni d'auteur dont la prendre",
    "{key} {value} is given with different values on lines {lines}": (
        "{key} {value} est donné avec des valeurs différentes aux lignes {lines}"
    ),
    "wrong number of fields: cells beyond the header's {width} columns": (
        "mauvais nombre de champs : des cellules au-delà des {width} colonnes de l'en-tête"
    ),
    "wrong number of fields: {detail}": "mauvais nombre de champs : {detail}",
    "unreadable row ({error}): {detail}": "ligne illisible ({error}) : {detail}",
    "cell {cell} holds a formula ({formula}) without a saved result: open the file in Excel and save it again": (
        "la cellule {cell} contient une formule ({formula}) sans résultat enregistré : ouvrez le fichier dans "
        "Excel et enregistrez-le à nouveau"
    ),
    # refusals: a whole file (pipelines/ingest/read.py, load.py)
    "the file is empty": "le fichier est vide",
    "this is a zip archive, not a table: upload the .csv or .xlsx inside it": (
        "c'est une archive zip, pas un tableau : importez le .csv ou le .xlsx qu'elle contient"
    ),
    "unknown kind {kind}: expected one of {kinds}": "type {kind} inconnu : attendu l'un de {kinds}",
    "row {row} is too wide: {n} columns or more, the limit is {limit}": (
        "la ligne {row} est trop large : {n} colonnes ou plus, la limite est de {limit}"
    ),
    "columns {headers} would both fill {name}: rename one of them to {name}": (
        "les colonnes {headers} rempliraient toutes deux {name} : renommez l'une d'elles en {name}"
    ),
    "say which kind it is (--kind on the command line, 'Kind' on the Upload page)": (
        "dites de quel type il s'agit (« Type de fichier » sur la page Import, --kind en ligne de commande)"
    ),
    "looks like a roster (it has {columns}) but lacks the column(s) {missing}: add it, or {pick}": (
        "ressemble à un effectif (il a {columns}) mais il lui manque la ou les colonnes {missing} : ajoutez-la, "
        "ou {pick}"
    ),
    "the header fits {kinds} equally well: {pick}": "l'en-tête convient aussi bien à {kinds} : {pick}",
    "only {columns} fits a {kind} file, and {n} columns do not ({unknown}): if it is a {kind} file, {pick}": (
        "seul {columns} convient à un fichier {kind}, et {n} colonnes non ({unknown}) : si c'est un fichier "
        "{kind}, {pick}"
    ),
    "only {columns} fit a {kind} file, and {n} columns do not ({unknown}): if it is a {kind} file, {pick}": (
        "seules {columns} conviennent à un fichier {kind}, et {n} colonnes non ({unknown}) : si c'est un fichier "
        "{kind}, {pick}"
    ),
    "no header row found in the first {n} rows (required columns per kind: {needs})": (
        "aucune ligne d'en-tête dans les {n} premières lignes (colonnes requises par type : {needs})"
    ),
    "posts without an author column (a LinkedIn Shares.csv, one person's export?): name the employee "
    "(--author, or 'Employee' on the Upload page)": (
        "des publications sans colonne d'auteur (un Shares.csv de LinkedIn, l'export d'une seule personne ?) : "
        "indiquez le salarié (« Salarié » sur la page Import, --author en ligne de commande)"
    ),
    "not a file the dashboard reads: the nearest kind is {kind} (its {columns} fits), which needs the column(s) "
    "{missing}. Every kind needs: {needs}": (
        "pas un fichier que le tableau de bord lit : le type le plus proche est {kind} (sa colonne {columns} "
        "convient), qui demande la ou les colonnes {missing}. Chaque type demande : {needs}"
    ),
    "not a file the dashboard reads: the nearest kind is {kind} (its {columns} fit), which needs the column(s) "
    "{missing}. Every kind needs: {needs}": (
        "pas un fichier que le tableau de bord lit : le type le plus proche est {kind} (ses colonnes {columns} "
        "conviennent), qui demande la ou les colonnes {missing}. Chaque type demande : {needs}"
    ),
    "line {line} has {n} {delimiter} delimiters or more, the limit is {limit} columns: not a table (or a text "
    "cell full of delimiters and not in quotes)": (
        "la ligne {line} a {n} séparateurs {delimiter} ou plus, la limite est de {limit} colonnes : pas un tableau "
        "(ou une cellule de texte pleine de séparateurs et sans guillemets)"
    ),
    "cannot be read as a {delimiter}-separated table: {error}": (
        "illisible comme tableau séparé par {delimiter} : {error}"
    ),
    "binary content, not a text table (NUL bytes)": "contenu binaire, pas un tableau texte (octets NUL)",
    "not valid {encoding} text ({error}): export it again": (
        "texte {encoding} invalide ({error}) : exportez-le à nouveau"
    ),
    "not a readable .xlsx workbook: {error}": "classeur .xlsx illisible : {error}",
    "no sheet holds a table": "aucune feuille ne contient de tableau",
    "the workbook unpacks to {mb} MB, more than the {limit} MB allowed (a zip bomb? save a real export as .csv)": (
        "le classeur se décompresse en {mb} Mo, plus que les {limit} Mo permis (une bombe zip ? enregistrez un "
        "vrai export en .csv)"
    ),
    "the workbook's text unpacks to {mb} MB, more than the {limit} MB allowed: save it as .csv": (
        "le texte du classeur se décompresse en {mb} Mo, plus que les {limit} Mo permis : enregistrez-le en .csv"
    ),
    "{part} unpacks to {n} times its packed size, more than {limit} (a zip bomb?)": (
        "{part} se décompresse en {n} fois sa taille compressée, plus que {limit} (une bombe zip ?)"
    ),
    "the sheet has rows past row {n}, Excel's last": (
        "la feuille a des lignes après la ligne {n}, la dernière d'Excel"
    ),
    "cannot be read: {error}": "illisible : {error}",
    "could not be loaded ({error})": "n'a pas pu être chargé ({error})",
    "{size} MB is over the {limit} MB limit (ADVOCACY_MAX_UPLOAD_MB)": (
        "{size} Mo dépasse la limite de {limit} Mo (ADVOCACY_MAX_UPLOAD_MB)"
    ),
    # what loads but deserves a look (pipelines/ingest/load.py, validate.py)
    "export date {day} taken from the LinkedIn file name": (
        "date d'export {day} prise dans le nom du fichier LinkedIn"
    ),
    "export date {day} (the period's end) taken from the LinkedIn file name": (
        "date d'export {day} (la fin de la période) prise dans le nom du fichier LinkedIn"
    ),
    "{n} post(s) published after the export date {day}: check the export date, or the order of day and month": (
        "{n} publication(s) publiée(s) après la date d'export {day} : vérifiez la date d'export, ou l'ordre du "
        "jour et du mois"
    ),
    "{n} snapshot(s) dated after the export date {day}: check the export date, or the order of day and month": (
        "{n} relevé(s) daté(s) après la date d'export {day} : vérifiez la date d'export, ou l'ordre du jour et "
        "du mois"
    ),
    "network {network} ({n} post(s)) is not one we know: kept as written": (
        "le réseau {network} ({n} publication(s)) nous est inconnu : gardé tel quel"
    ),
    "{n} post(s) with figures here are not in the database yet: their figures are kept, and counted once a posts "
    "file brings them": (
        "{n} publication(s) avec des chiffres ici ne sont pas encore dans la base : leurs chiffres sont gardés, et "
        "comptés dès qu'un fichier de publications les apporte"
    ),
    "{n} post id(s) are share or ugcPost ids: the same post given elsewhere by its activity id is another key "
    "(only LinkedIn's API joins the two numbers)": (
        "{n} identifiant(s) de publication sont des identifiants share ou ugcPost : la même publication donnée "
        "ailleurs par son identifiant d'activité est une autre clé (seule l'API de LinkedIn relie les deux)"
    ),
    "{n} post id(s) are short links (lnkd.in): kept as they are, they cannot be resolved offline to the post "
    "they point to": (
        "{n} identifiant(s) de publication sont des liens courts (lnkd.in) : gardés tels quels, ils ne peuvent "
        "pas être résolus hors ligne"
    ),
    "already loaded as upload {id} under the name {name}: the same file, nothing changed": (
        "déjà chargé comme import {id} sous le nom {name} : le même fichier, rien n'a changé"
    ),
    "already loaded as upload {id}: the same file, nothing changed": (
        "déjà chargé comme import {id} : le même fichier, rien n'a changé"
    ),
    "columns kept aside: {columns}": "colonnes mises de côté : {columns}",
    "{n} empty row(s) skipped": "{n} ligne(s) vide(s) ignorée(s)",
    "{n} boosted post(s): their {m} Sponsored and Total row(s) folded into one post each, organic and paid "
    "figures apart": (
        "{n} publication(s) sponsorisée(s) : leurs {m} ligne(s) Sponsored et Total réunies en une publication "
        "chacune, chiffres organiques et payants à part"
    ),
    "{n} boosted post(s) whose Total row is not the sum of their other rows (impressions)": (
        "{n} publication(s) sponsorisée(s) dont la ligne Total n'est pas la somme des autres lignes (impressions)"
    ),
    "dates contradict each other: {first} is day-first but {second} is month-first": (
        "les dates se contredisent : {first} a le jour d'abord mais {second} le mois d'abord"
    ),
    "the dates read day-first ({why}), not as asked": "les dates sont lues jour d'abord ({why}), pas comme demandé",
    "the dates read month-first ({why}), not as asked": "les dates sont lues mois d'abord ({why}), pas comme demandé",
    "values such as {value}": "des valeurs comme {value}",
    "as when first loaded": "comme au premier chargement",
    "French headers": "en-têtes en français",
    "English headers with ','": "en-têtes en anglais avec ','",
    "English headers": "en-têtes en anglais",
    "{delimiter}-separated file": "fichier séparé par {delimiter}",
    # refusals of the comms pages (pipelines/ingest/undo.py, authors.py)
    "no upload {id}": "pas d'import {id}",
    "upload {id} was undone already, at {when}": "l'import {id} a déjà été annulé, le {when}",
    "rows of upload {id} were loaded by upload {later} (a decision about their author): undo that one first": (
        "des lignes de l'import {id} ont été chargées par l'import {later} (une décision sur leur auteur) : "
        "annulez d'abord celui-là"
    ),
    "no employee {id} in the roster": "pas de salarié {id} dans l'effectif",
    # the statistics' and the metrics' notes (pipelines/analytics/stats.py, metrics.py, scopes.py, contests.py)
    "zero before: no change can be computed": "zéro avant : aucune évolution ne peut être calculée",
    "headcount unknown for at least one team": "effectif inconnu pour au moins une équipe",
    "no events before or after: no ratio": "aucun événement avant ni après : pas de rapport",
    "no baseline: 0 before, {after} after": "pas de référence : 0 avant, {after} après",
    "0 after: the rate is down by at least {pct} %": "0 après : le taux a baissé d'au moins {pct} %",
    "0 after, {before} before: too few to say whether the rate fell": (
        "0 après, {before} avant : trop peu pour dire si le taux a baissé"
    ),
    "no adjusted effect: {why}": "pas d'effet ajusté : {why}",
    "no event study: {why}": "pas d'étude d'événement : {why}",
    "no after window": "pas de période après",
    "the posts do not reach back a year before the after window": (
        "les publications ne remontent pas à un an avant la période après"
    ),
    "no posts in the chosen period": "aucune publication sur la période choisie",
    "no posts loaded yet": "aucune publication chargée",
    "no charter date for {teams}: left out of the comparison": (
        "pas de date de charte pour {teams} : hors de la comparaison"
    ),
    "teams adopted the charter on different days: each team's own date is used for its posts": (
        "les équipes ont adopté la charte à des dates différentes : la date de chaque équipe vaut pour ses "
        "publications"
    ),
    "the days looked at do not cover both sides of the charter date of {teams}: left out of the comparison": (
        "les jours étudiés ne couvrent pas les deux côtés de la date de charte de {teams} : hors de la comparaison"
    ),
    "the loaded posts do not cover both sides of the charter date: no comparison": (
        "les publications chargées ne couvrent pas les deux côtés de la date de charte : pas de comparaison"
    ),
    "the loaded posts do not cover both sides of a charter date": (
        "les publications chargées ne couvrent pas les deux côtés d'une date de charte"
    ),
    "no charter date in these weeks": "aucune date de charte dans ces semaines",
    "no control weeks from {day} ({n} weeks): left out": "pas de semaines témoins à partir du {day} ({n} semaines) : "
    "laissées de côté",
    "{team}: no {what} before its charter in the weeks with controls: left out": (
        "{team} : pas de {what} avant sa charte dans les semaines avec témoins : laissée de côté"
    ),
    # "d'incidents", not "de incidents"
    "too few incidents to say ({n} in all, fewer than {min})": (
        "trop peu d'incidents pour conclure ({n} en tout, moins de {min})"
    ),
    "too few incidents to say: {expected} expected without the charter, {seen} seen, in the {weeks} team-weeks "
    "that can be compared": (
        "trop peu d'incidents pour conclure : {expected} attendus sans la charte, {seen} observés, dans les "
        "{weeks} semaines-équipes comparables"
    ),
    "no incidents before the charter: no baseline": "aucun incident avant la charte : pas de référence",
    "{team}: no incidents before its charter in the weeks with controls: left out": (
        "{team} : aucun incident avant sa charte dans les semaines avec témoins : laissée de côté"
    ),
    "approximate: only {n} teams": "approximatif : seulement {n} équipes",
    "too few {what} to say ({n} in all, fewer than {min})": (
        "trop peu de {what} pour conclure ({n} en tout, moins de {min})"
    ),
    "too few teams to estimate the charter's effect apart from the weeks ({n}; at least {min}): the plain "
    "before/after stands alone": (
        "trop peu d'équipes pour séparer l'effet de la charte de celui des semaines ({n} ; au moins {min}) : "
        "l'avant/après simple reste seul"
    ),
    "too few {what} to say: {expected} expected without the charter, {seen} seen, in the {weeks} team-weeks that "
    "can be compared": (
        "trop peu de {what} pour conclure : {expected} attendu(e)s sans la charte, {seen} observé(e)s, dans les "
        "{weeks} semaines-équipes comparables"
    ),
    "less than a year before the charter ({n} weeks): the season cannot be told from the charter's effect, so "
    "there is no adjusted figure; the plain before/after stands alone": (
        "moins d'un an avant la charte ({n} semaines) : la saison ne peut être distinguée de l'effet de la charte, "
        "il n'y a donc pas de chiffre ajusté ; l'avant/après simple reste seul"
    ),
    "no team has {n} weeks with {what} before the charter: no baseline": (
        "aucune équipe n'a {n} semaines avec des {what} avant la charte : pas de référence"
    ),
    "fewer than {n} weeks before the charter: no baseline": (
        "moins de {n} semaines avant la charte : pas de référence"
    ),
    "no {what} before the charter: no baseline": "pas de {what} avant la charte : pas de référence",
    "no control team {n} weeks or more after adoption: no settled effect without extrapolation": (
        "aucune équipe témoin {n} semaines ou plus après l'adoption : pas d'effet installé sans extrapolation"
    ),
    "nobody qualifies on this criterion yet": "personne ne remplit encore les conditions de ce critère",
    "this contest has no jury scores: no best-written ranking": (
        "ce concours n'a pas de notes du jury : pas de classement du mieux écrit"
    ),
    # workshops and contests (pipelines/analytics/programme_effects.py)
    "fewer than {threshold} participants or others: no figure": (
        "moins de {threshold} participants ou autres membres : pas de chiffre"
    ),
    "a group has no {what} in a window: no ratio": "un groupe n'a pas de {what} sur une période : pas de ratio",
    "too few posts for an interval": "trop peu de publications pour un intervalle",
    "participants volunteered: they may have been keener already; the ratio of ratios removes their level before "
    "the charter, not the reason they volunteered": (
        "les participants étaient volontaires : ils étaient peut-être déjà plus actifs ; le ratio de ratios retire "
        "leur niveau d'avant la charte, pas la raison de leur engagement"
    ),
    "no team with a charter date and posts on both sides of it": (
        "aucune équipe avec une date de charte et des publications des deux côtés"
    ),
    "the posts cover only {covered} of the {days} days before the contest": (
        "les publications ne couvrent que {covered} des {days} jours avant le concours"
    ),
    "the posts cover only {covered} of the {days} days after the contest": (
        "les publications ne couvrent que {covered} des {days} jours après le concours"
    ),
    "every team (or nearly) was eligible: the weeks before stand for the season's level": (
        "toutes les équipes (ou presque) concouraient : les semaines d'avant donnent le niveau de la saison"
    ),
    "fewer than {threshold} eligible members: no figure": "moins de {threshold} membres concernés : pas de chiffre",
    "the posts do not reach 8 weeks before the contest: some new voices may not be new": (
        "les publications ne remontent pas à 8 semaines avant le concours : certaines nouvelles voix n'en sont "
        "peut-être pas"
    ),
    "no jury-rated posts with engagement figures, or no other posts: no best-written figure": (
        "aucune publication notée par le jury avec des chiffres d'interaction, ou aucune autre publication : pas de "
        "chiffre pour la mieux écrite"
    ),
}

# Words a message carries as a value, said in French too.
WORDS: dict[str, str] = {
    "before": "avant",
    "after": "après",
    "posts": "publications",
    "incidents": "incidents",
    "dd/mm/yyyy": "jj/mm/aaaa",
    "mm/dd/yyyy": "mm/jj/aaaa",
    "employees": "effectif",
    "teams": "équipes",
    "engagement": "interactions",
    "contests": "concours",
    "jury_scores": "notes du jury",
}

_FIELD = re.compile(r"\{(\w+)\}")


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """The regular expression that recognises a message written from `template`, each value a named group."""
    parts, seen, at = [], set(), 0
    for field in _FIELD.finditer(template):
        parts.append(re.escape(template[at : field.start()]))
        name = field.group(1)
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        at = field.end()
    parts.append(re.escape(template[at:]))
    return re.compile("".join(parts), re.DOTALL)


def english(template: str, **values: object) -> str:
    """A message written from its English template (a key of TEMPLATES) and its values."""
    if template not in TEMPLATES:
        raise KeyError(f"no French for {template!r}: add it to pipelines/messages.py")
    return template.format(**values)


def recognise(text: str) -> tuple[str, dict[str, str]] | None:
    """The template `text` was written from, and its values; None when it is no known message. Where several
    match ("the file is empty" and "{column} is empty"), the most specific: the most text outside its values."""
    found = [(len(_FIELD.sub("", template)), template, match.groupdict())
             for template in TEMPLATES if (match := _pattern(template).fullmatch(text))]  # fmt: skip
    if not found:
        return None
    _, template, values = max(found, key=lambda f: f[0])
    return template, values


def translate(text: str, lang: str = "en") -> str:
    """`text` in `lang`: a known message (or word) in French with its values, anything else as it is."""
    if lang != "fr" or not text:
        return text
    if text in WORDS:
        return WORDS[text]
    found = recognise(text)
    if found is None:
        return text
    template, values = found
    return TEMPLATES[template].format(**{name: translate(value, lang) for name, value in values.items()})
