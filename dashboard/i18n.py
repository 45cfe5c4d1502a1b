"""Two languages (English, French): labels, and numbers and dates written the way each language writes them."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any, Literal

from pipelines import messages
from pipelines.analytics import catalogue

LANGUAGES = {"en": "English", "fr": "Français"}

# English text -> French text. A label missing here is shown in English.
FR = {
    "Overview": "Vue d'ensemble",
    "Teams": "Équipes",
    "Contests": "Concours",
    "Upload": "Import",
    "Data": "Données",
    "Method": "Méthode",
    "Reports": "Rapports",
    "Every figure": "Tous les chiffres",
    "Comms": "Comms",
    "low confidence": "confiance faible",
    "95 % CI": "IC 95 %",
    "Wrong password.": "Mot de passe incorrect.",
    "This page is for the comms team: log in first.": "Cette page est réservée à l'équipe comms : connectez-vous.",
    "Log in": "Se connecter",
    "Log out": "Se déconnecter",
    "This account does not have the comms role.": "Ce compte n'a pas le rôle comms.",
    "Password": "Mot de passe",
    "Team": "Équipe",
    "Charter date": "Date de la charte",
    "Where the posts' figures come from: a figure LinkedIn measured wins over a platform's.": (
        "D'où viennent les chiffres des publications : un chiffre mesuré par LinkedIn l'emporte sur celui d'une "
        "plateforme."
    ),
    "Decided": "Décidé",
    "File": "Fichier",
    "Rows read": "Lignes lues",
    "Updated": "Mises à jour",
    "Unchanged": "Inchangées",
    "Quarantined": "En quarantaine",
    "Export date": "Date d'export",
    "Loaded at": "Chargé le",
    "By": "Par",
    "Undone at": "Annulé le",
    "Undone by": "Annulé par",
    "Same file as": "Même fichier que",
    "Line": "Ligne",
    "Reason": "Raison",
    "The answer": "La réponse",
    "Before → after the charter, in detail": "Avant → après la charte, en détail",
    "Every other figure counts organic engagement only.": (
        "Tous les autres chiffres ne comptent que les interactions organiques."
    ),
    "Engagement snapshots": "Relevés d'interactions",
    "A file (no tool named)": "Un fichier (sans outil reconnu)",
    "LinkedIn page export": "Export de page LinkedIn",
    "LinkedIn creator analytics": "Statistiques de créateur LinkedIn",
    "Source": "Source",
    "First day": "Premier jour",
    "Last day": "Dernier jour",
    "Rows": "Lignes",
    "Snapshots": "Relevés",
    "Candidates": "Candidats",
    "Waiting since": "En attente depuis",
    "waiting row(s) loaded": "ligne(s) en attente chargée(s)",
    "Authors who match nobody": "Auteurs qui ne correspondent à personne",
    "Posts and incidents whose author is nobody in the roster, or several people. Say who they are: the rows "
    "waiting load, and the decision can be undone like an upload.": (
        "Publications et incidents dont l'auteur n'est personne de l'effectif, ou plusieurs personnes. Dites qui "
        "c'est : les lignes en attente se chargent, et la décision s'annule comme un import."
    ),
    "Author": "Auteur",
    "Is": "Est",
    "not staff (an agency, the page's admin)": "hors effectif (une agence, l'administrateur de la page)",
    "Find them in the roster: name, e-mail or id": "Chercher dans l'effectif : nom, e-mail ou matricule",
    "Nobody in the roster matches this search: try another name, an e-mail or an id.": (
        "Personne dans l'effectif ne correspond à cette recherche : essayez un autre nom, un e-mail ou un matricule."
    ),
    "The {n} people most like this search: type more to narrow it.": (
        "Les {n} personnes les plus proches de cette recherche : précisez-la pour en voir moins."
    ),
    "Decide": "Décider",
    "post(s) by authors who are not staff: kept, counted in no figure.": (
        "publication(s) d'auteurs hors effectif : conservées, comptées dans aucun chiffre."
    ),
    "Roster (employees)": "Effectif (salariés)",
    "Engagement": "Interactions",
    "Jury scores": "Notes du jury",
    "Kind": "Type de fichier",
    "Detect from the headers": "Reconnu par ses en-têtes",
    "Only when the headers fit several kinds, or none for sure: the refusal says so.": (
        "Seulement si les en-têtes conviennent à plusieurs types, ou à aucun avec certitude : le refus le dit."
    ),
    "Employee (files without authors)": "Salarié (fichiers sans auteur)",
    "For one person's own export: LinkedIn's Shares.csv, a creator analytics export. Employee id, e-mail or name.": (
        "Pour l'export d'une seule personne : Shares.csv de LinkedIn, export des statistiques de créateur. "
        "Matricule, e-mail ou nom."
    ),
    "Leave empty: taken from a LinkedIn file's name, else today.": (
        "Vide : prise dans le nom d'un fichier LinkedIn, sinon aujourd'hui."
    ),
    "Networks": "Réseaux",
    "Formats": "Formats",
    "Adjusted effect, 95 % CI": "Effet ajusté, IC 95 %",
    "Article": "Article",
    "Change %": "Évolution %",
    "Change in posts per week (%)": "Évolution des publications par semaine (%)",
    "Change in posts per week after the charter, by team": (
        "Évolution des publications par semaine après la charte, par équipe"
    ),
    "Compared with the article": "Comparaison avec l'article",
    "Confirm and load": "Confirmer et charger",
    "Contest": "Concours",
    "Coverage": "Couverture",
    "Criterion": "Critère",
    "Date of the export": "Date de l'export",
    "Each bar is a team's before → after change; the whiskers are its 95 % confidence interval.": (
        "Chaque barre est l'évolution avant → après d'une équipe ; les moustaches sont son intervalle"
        " de confiance à 95 %."
    ),
    "Engagements per post change %": "Évolution des interactions par publication %",
    "Posts expected without the charter (model)": "Publications attendues sans la charte (modèle)",
    "Export files (CSV, TXT, XLSX)": "Fichiers d'export (CSV, TXT, XLSX)",
    "Go to Upload": "Aller à l'import",
    "From": "Du",
    "Until (included)": "Jusqu'au (inclus)",
    "Here, adjusted effect": "Ici, effet ajusté",
    "Here, before → after": "Ici, avant → après",
    "Incident risk": "Risque d'incident",
    "Incidents": "Incidents",
    "Incidents before → after": "Incidents avant → après",
    "Load the demo data": "Charger les données de démonstration",
    "Loaded": "Chargé",
    "Loaded. Every page now shows the new data.": "Chargé. Toutes les pages montrent les nouvelles données.",
    "Loading the demo data…": "Chargement des données de démonstration…",
    "Four-week periods since adoption (about months)": "Périodes de 4 semaines depuis l'adoption (environ des mois)",
    "No contest loaded yet: upload a contests file.": "Aucun concours chargé : importez un fichier de concours.",
    "No data yet: load the demo from the Overview page, or upload files.": (
        "Pas encore de données : chargez la démonstration depuis la vue d'ensemble, ou importez des fichiers."
    ),
    "People": "Personnes",
    "Posts": "Publications",
    "Posts above (+) or below (−) expected (%)": "Publications au-dessus (+) ou au-dessous (−) de l'attendu (%)",
    "Posts compared with expected, by months since the team adopted the charter": (
        "Publications comparées à l'attendu, par mois depuis l'adoption de la charte"
    ),
    "Posts per week (count)": "Publications par semaine (nombre)",
    "Posts and incidents per week": "Publications et incidents par semaine",
    "whole organisation": "toute l'organisation",
    "Charter": "Charte",
    "incidents": "incidents",
    "Posts (line, left axis) and incidents (bars, right axis) per week; dashed lines mark the days teams adopted the "
    "charter. The dotted line is the posts the adjusted model expects without the charter: the trend before it, or "
    "the teams that had not adopted it yet; it is missing where the model has nothing to compare with.": (
        "Publications (ligne, axe de gauche) et incidents (barres, axe de droite) par semaine ; les tirets marquent "
        "les jours d'adoption de la charte. La ligne pointillée donne les publications que le modèle ajusté attend "
        "sans la charte : la tendance d'avant, ou les équipes qui ne l'avaient pas encore adoptée ; elle manque là "
        "où le modèle n'a rien à quoi comparer."
    ),
    "The plain comparison of the weeks before and after each team's charter date. It also counts everything else "
    "that changed (growth, seasons, new members), so it can differ from the answer above, which compares the teams "
    "with their own trends. Green: better, red: worse, grey: within chance.": (
        "La comparaison simple des semaines avant et après la date de charte de chaque équipe. Elle compte aussi "
        "tout ce qui a changé par ailleurs (croissance, saisons, nouveaux membres) et peut donc différer de la "
        "réponse ci-dessus, qui compare les équipes à leurs propres tendances. Vert : mieux, rouge : moins "
        "bien, gris : dans les marges du hasard."
    ),
    "Earned media value is in the currency of the CPM and CPC settings": (
        "La valeur média gagnée est dans la devise des réglages CPM et CPC"
    ),
    "Incidents per week (count)": "Incidents par semaine (nombre)",
    "Posts without engagement figures": "Publications sans chiffres d'interaction",
    "Preview (nothing written yet)": "Aperçu (rien n'est encore écrit)",
    "Programme": "Programme",
    "Quarantine": "Quarantaine",
    "Rank": "Classer",
    "Reprocess quarantined rows": "Retraiter les lignes en quarantaine",
    "Reprocessed": "Retraité",
    ("Rows that could not be loaded, with the reason. Reprocess tries them again (say, after a roster upload)."): (
        "Lignes non chargées, avec la raison. Retraiter les essaie à nouveau (par exemple après un "
        "import d'annuaire)."
    ),
    (
        "Teams adopted the charter on different days: each point compares teams the same number of "
        "months from their own adoption with teams that had not adopted yet, with its 95 % interval."
    ): (
        "Les équipes ont adopté la charte à des dates différentes : chaque point compare les équipes "
        "au même nombre de mois de leur adoption avec celles qui ne l'avaient pas encore adoptée, "
        "avec son intervalle à 95 %."
    ),
    ('Teams smaller than the privacy threshold are shown together as "other teams". Click a header to sort.'): (
        "Les équipes sous le seuil de confidentialité sont regroupées dans « autres équipes ». Cliquez "
        "un en-tête pour trier."
    ),
    "Teams without a charter date": "Équipes sans date de charte",
    "The article's claims, our plain before → after change, and the charter's effect adjusted for the teams' "
    "trends and the calendar (Method page). A dash: no adjusted figure, and the answer above says why.": (
        "Les chiffres de l'article, notre évolution simple avant → après, et l'effet de la charte ajusté des "
        "tendances des équipes et du calendrier (page Méthode). Un tiret : pas d'effet ajusté, la réponse "
        "ci-dessus dit pourquoi."
    ),
    "The loaded posts do not cover both sides of a charter date yet: no comparison.": (
        "Les publications chargées ne couvrent pas encore les deux côtés d'une date de charte : pas de comparaison."
    ),
    "Undo this upload": "Annuler cet import",
    "Upload to undo": "Import à annuler",
    "Uploads": "Imports",
    "Week (starting Monday)": "Semaine (commençant le lundi)",
    "Welcome. The database is empty: load the demo data to look around, or upload your own exports.": (
        "Bienvenue. La base est vide : chargez la démonstration pour découvrir, ou importez vos exports."
    ),
    "all": "toutes",
    "The article claims {posts} posts and {risk} incident risk.": (
        "L'article annonce {posts} de publications et {risk} de risque d'incident."
    ),
    "Shaded: the month of the report.": "En jaune : le mois du rapport.",
    'Teams smaller than the privacy threshold are shown together as "other teams".': (
        "Les équipes sous le seuil de confidentialité sont regroupées dans « autres équipes »."
    ),
    "other teams": "autres équipes",
    "Whole organisation": "Toute l'organisation",
    "Contests of the period": "Concours de la période",
    "No contest ran during the period.": "Aucun concours pendant la période.",
    "all teams": "toutes les équipes",
    "Winner": "Gagnant",
    "Value": "Valeur",
    "nobody qualifies on this criterion yet": "personne ne remplit encore les conditions de ce critère",
    "this contest has no jury scores: no best-written ranking": (
        "ce concours n'a pas de notes du jury : pas de classement du mieux écrit"
    ),
    "Posts per week, before → after": "Publications par semaine, avant → après",
    "Change % (95 % CI)": "Évolution % (IC 95 %)",
    "Report (PDF)": "Rapport (PDF)",
    "The PDF report needs Chromium and the DejaVu fonts on the server.": (
        "Le rapport PDF a besoin de Chromium et des polices DejaVu sur le serveur."
    ),
    "teams": "équipes",
    "upload(s)": "import(s)",
    # Tables and downloads
    "Posts/week": "Publ./sem.",
    "Engagement %": "Interactions %",
    "Too few": "Trop peu de",
    "Low confidence: too few posts or incidents on one side of the charter date (in full below).": (
        "Confiance faible : trop peu de publications ou d'incidents d'un côté de la date de charte (détail "
        "ci-dessous)."
    ),
    "Low confidence: why": "Confiance faible : pourquoi",
    # Comms pages: outcomes in words, confirmations
    "Download these lines (CSV, to fix in Excel)": "Télécharger ces lignes (CSV, à corriger dans Excel)",
    "The first {shown} of {total} rows are shown; the download holds them all.": (
        "Les {shown} premières lignes sur {total} sont affichées ; le téléchargement les contient toutes."
    ),
    "The first {shown} of {total} rows are shown; the downloads hold them all.": (
        "Les {shown} premières lignes sur {total} sont affichées ; les téléchargements les contiennent toutes."
    ),
    "The first {shown} of {total} authors are shown, those with the most rows first. So many authors who match "
    "nobody usually means that the roster is missing or out of date: upload it, then reprocess the quarantine.": (
        "Les {shown} premiers auteurs sur {total} sont affichés, ceux qui ont le plus de lignes d'abord. Autant "
        "d'auteurs qui ne correspondent à personne signifie le plus souvent que l'effectif manque ou n'est pas à "
        "jour : chargez-le, puis retraitez les lignes en quarantaine."
    ),
    "Every figure changes with it.": "Tous les chiffres changent en conséquence.",
    "How it was read": "Comment le fichier a été lu",
    "I understand": "Je comprends",
    "It can be undone like an upload.": "C'est annulable comme un import.",
    "Lines in quarantine": "Lignes en quarantaine",
    "Lines that would go to quarantine": "Lignes qui iraient en quarantaine",
    "Nothing new could be loaded.": "Rien de nouveau n'a pu être chargé.",
    "Nothing would change: there is nothing to confirm.": "Rien ne changerait : il n'y a rien à confirmer.",
    "Read as": "Lu comme",
    "Refused: nothing was written.": "Refusé : rien n'a été écrit.",
    "Reprocess": "Retraiter",
    "Status": "État",
    "Text": "Texte",
    "Undoing": "Annuler",
    "also undone (the same file again)": "annulés aussi (le même fichier à nouveau)",
    "and": "et",
    "columns separated by": "colonnes séparées par",
    "dates day first": "dates jour d'abord",
    "dates month first": "dates mois d'abord",
    "decimal comma": "virgule décimale",
    "decimal point": "point décimal",
    "earlier version(s) back": "version(s) antérieure(s) rétablie(s)",
    "encoding": "encodage",
    "files loaded; the refused ones wrote nothing.": "fichiers chargés ; les fichiers refusés n'ont rien écrit.",
    "headers on line": "en-têtes à la ligne",
    "in force": "en vigueur",
    "in quarantine (below)": "en quarantaine (ci-dessous)",
    "incident(s)": "incident(s)",
    "loaded": "chargé",
    "new rows": "nouvelles lignes",
    "post(s)": "publication(s)",
    "quarantined row(s) are validated again": "ligne(s) en quarantaine sont validées à nouveau",
    "quarantined row(s) dropped": "ligne(s) en quarantaine retirée(s)",
    "refused": "refusé",
    "row(s) loaded": "ligne(s) chargée(s)",
    "row(s) taken out": "ligne(s) retirée(s)",
    "rows": "lignes",
    "same file as": "même fichier que",
    "sheet": "feuille",
    "still in quarantine": "toujours en quarantaine",
    "the same file as an earlier upload: nothing would change.": (
        "le même fichier qu'un import précédent : rien ne changerait."
    ),
    "those whose cause is gone load, the others stay here.": (
        "celles dont la cause a disparu sont chargées, les autres restent ici."
    ),
    "unchanged": "inchangées",
    "undone": "annulé",
    "updated": "mises à jour",
    "waiting on this author will load": "en attente de cet auteur seront chargé(e)s",
    "would load": "chargerait",
    # Trends page
    "Trends": "Tendances",
    "No posts in the chosen period.": "Aucune publication sur la période choisie.",
    "Chosen teams": "Équipes choisies",
    "Chosen teams: {teams}": "Équipes choisies : {teams}",
    "Show": "Afficher",
    (
        "Calendar months. Hatched bars and open circles mark a month the data covers only in part (hover for its "
        "days): not a drop. Regular ambassadors posted in each of the last three months; they are counted from the "
        "data's third month."
    ): (
        "Mois calendaires. Les barres hachurées et les cercles vides marquent un mois que les données ne couvrent "
        "qu'en partie (survolez pour voir ses jours) : ce n'est pas une baisse. Les ambassadeurs réguliers ont "
        "publié chacun des trois derniers mois ; ils sont comptés à partir du troisième mois des données."
    ),
    "Latest full month: {month}": "Dernier mois complet : {month}",
    "Under each figure: its change from the month before, and the line of every month shown.": (
        "Sous chaque chiffre : son évolution par rapport au mois précédent, et la courbe de tous les mois affichés."
    ),
    (
        "Impressions, clicks and engagements come from each post's newest figures; posts without figures yet are "
        "left out of them. Earned media value: impressions × CPM / 1,000 + clicks × CPC, at the settings' rates."
    ): (
        "Impressions, clics et interactions viennent des derniers chiffres de chaque publication ; les publications "
        "sans chiffres n'y comptent pas. Valeur média gagnée : impressions × CPM / 1 000 + clics × CPC, aux tarifs "
        "des réglages."
    ),
    "Best posts of the period": "Meilleures publications de la période",
    'All the chosen teams and months; a team under the privacy threshold is shown as "other teams".': (
        "Toutes les équipes et tous les mois choisis ; une équipe sous le seuil de confidentialité apparaît comme "
        "« autres équipes »."
    ),
    "By engagements": "Par interactions",
    "By impressions": "Par impressions",
    "No post has engagement figures yet.": "Aucune publication n'a encore de chiffres d'interaction.",
    "Title": "Titre",
    "Network": "Réseau",
    "Format": "Format",
    "Published": "Publiée le",
    "Link": "Lien",
    "Open": "Ouvrir",
    "Month": "Mois",
    "partial month": "mois partiel",
    "days": "jours",
    "Jan": "janv.",
    "Feb": "févr.",
    "Mar": "mars",
    "Apr": "avr.",
    "May": "mai",
    "Jun": "juin",
    "Jul": "juil.",
    "Aug": "août",
    "Sep": "sept.",
    "Oct": "oct.",
    "Nov": "nov.",
    "Dec": "déc.",
    "Post": "Publication",
    "Share": "Partage",
    "Video": "Vidéo",
    "Image": "Image",
    "Document": "Document",
    "Poll": "Sondage",
    "Other": "Autre",
    "posts": "publications",
    "engagements": "interactions",
    "Active ambassadors": "Ambassadeurs actifs",
    "Active ambassadors (people)": "Ambassadeurs actifs (personnes)",
    "Posts (count)": "Publications (nombre)",
    "Posts and active ambassadors per month": "Publications et ambassadeurs actifs par mois",
    "Programme members": "Membres du programme",
    "Ever posted": "Ont déjà publié",
    "Posted this month": "Ont publié ce mois-ci",
    "Regular (each of the last 3 months)": "Réguliers (chacun des 3 derniers mois)",
    "Regular (3 months running)": "Réguliers (3 mois d'affilée)",
    "members posted": "membres ont publié",
    "of the members": "des membres",
    "Adoption funnel": "Entonnoir d'adoption",
    "Share of the programme's members, per month": "Part des membres du programme, par mois",
    "Share of members (%)": "Part des membres (%)",
    "Share of members who posted, by team": "Part des membres ayant publié, par équipe",
    "Impressions": "Impressions",
    "Impressions (count)": "Impressions (nombre)",
    "Clicks": "Clics",
    "Clicks (count)": "Clics (nombre)",
    "Impressions and clicks per month": "Impressions et clics par mois",
    "Engagements": "Interactions",
    "Engagement rate": "Taux d'interaction",
    "Engagement rate per month": "Taux d'interaction par mois",
    "Engagements / impressions (%)": "Interactions / impressions (%)",
    "Earned media value": "Valeur média gagnée",
    "Earned media value per month": "Valeur média gagnée par mois",
    "Earned media value (CPM/CPC currency)": "Valeur média gagnée (devise des CPM et CPC)",
    "Posts per month by network": "Publications par mois et par réseau",
    "Posts per month by format": "Publications par mois et par format",
    # The report's trend charts
    "Calendar months, the last twelve up to the report's end; a month the data covers only in part is hatched.": (
        "Mois calendaires, les douze derniers jusqu'à la fin du rapport ; un mois que les données ne couvrent qu'en "
        "partie est hachuré."
    ),
    "The adoption funnel of the latest full month: programme members, those who ever posted, posted that month, and "
    "posted in each of the last three months.": (
        "L'entonnoir d'adoption du dernier mois complet : membres du programme, ceux qui ont déjà publié, qui ont "
        "publié ce mois-là, et qui ont publié chacun des trois derniers mois."
    ),
    # Co-creation and contests
    "Workshops": "Ateliers",
    "Workshops & contests": "Ateliers et concours",
    "Charter workshops: did co-creating the charter pay?": (
        "Ateliers de la charte : la co-construction a-t-elle payé ?"
    ),
    "No workshop attendance loaded yet: upload a workshops file (who attended which charter workshop).": (
        "Aucune participation aux ateliers chargée : importez un fichier d'ateliers (qui a participé à quel atelier "
        "de la charte)."
    ),
    "Participants attended a charter workshop on or before their team's charter date; others are the other "
    "members of the same teams. Each figure is (participants after ÷ before) ÷ (others after ÷ before): ×1.20 "
    "means participants' posting grew 20 % more than the others'. Intervals: bootstrap over employees. Teams "
    "are listed only where both groups have at least 5 members. Before: posts per member-week before the charter.": (
        "Les participants ont suivi un atelier de la charte au plus tard à la date de charte de leur équipe ; les "
        "autres sont les autres membres des mêmes équipes. Chaque chiffre vaut (participants après ÷ avant) ÷ "
        "(autres après ÷ avant) : ×1,20 signifie que les publications des participants ont crû de 20 % de plus que "
        "celles des autres. Intervalles : bootstrap sur les collaborateurs. Une équipe n'est listée que si chaque "
        "groupe compte au moins 5 membres. Avant : publications par membre et par semaine avant la charte."
    ),
    "Volunteers may have been keener already: the before columns show their level. The ratio of ratios "
    "removes that level, not the reason they volunteered.": (
        "Les volontaires étaient peut-être déjà plus actifs : les colonnes « avant » montrent leur niveau. Le ratio "
        "de ratios retire ce niveau, pas la raison pour laquelle ils se sont portés volontaires."
    ),
    "All teams": "Toutes les équipes",
    "Scope": "Périmètre",
    "Participants": "Participants",
    "Others": "Autres",
    "Before: participants": "Avant : participants",
    "Before: others": "Avant : autres",
    "Posting (95 % CI)": "Publications (IC 95 %)",
    "Engagement/post (95 % CI)": "Interactions/pub. (IC 95 %)",
    "Contests: do they lift posting, and does it last?": "Concours : font-ils publier plus, et cela dure-t-il ?",
    "Eligible members' posts during each contest (and in as many days after it) against as many days before "
    "it, divided by the same ratio for the teams it did not cover where there are any. After below ×1: "
    "posting was borrowed from the weeks after. New voices: those who posted during it with no post in the 8 "
    "weeks before. Best-written: the 3 best jury-rated posts' engagement per post against the others'.": (
        "Publications des membres éligibles pendant chaque concours (et pendant autant de jours après) face à autant "
        "de jours avant, divisé par le même ratio pour les équipes hors concours quand il y en a. Après sous ×1 : "
        "les publications ont été empruntées aux semaines suivantes. Nouvelles voix : ceux qui ont publié pendant le "
        "concours sans aucune publication dans les 8 semaines avant. Mieux écrites : interactions par publication "
        "des 3 publications les mieux notées par le jury face aux autres."
    ),
    "Compared with": "Comparé à",
    "against non-eligible teams": "les équipes hors concours",
    "against the weeks before": "les semaines d'avant",
    "During (95 % CI)": "Pendant (IC 95 %)",
    "After (95 % CI)": "Après (IC 95 %)",
    (
        "Eligible members' posts during the contest against as many days before it (÷ the same ratio for the "
        "other teams where there are any), with its 95 % interval"
    ): (
        "Publications des membres éligibles pendant le concours face à autant de jours avant (÷ le même ratio "
        "pour les autres équipes quand il y en a), avec son intervalle à 95 %"
    ),
    "The same for as many days after the contest: below ×1, posting was borrowed from the weeks after": (
        "La même chose pour autant de jours après le concours : sous ×1, les publications ont été empruntées "
        "aux semaines suivantes"
    ),
    "New voices": "Nouvelles voix",
    "Best-written": "Mieux écrites",
    "All contests": "Tous les concours",
    # French complete: Streamlit's own words on the pages
    "Choose options": "Choisir des options",
}


# Words Streamlit writes itself, in English whatever the page's language, and no option changes: the file uploader's
# button and limit, a date input's empty fields. In French the page hides them and shows its own (a CSS ::after,
# which screen readers and the page's text both skip: the button's accessible name stays the label's).
_OWN_WORDS_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
[data-testid="stFileUploaderDropzoneInstructions"] span {visibility: hidden; display: grid}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after,
[data-testid="stFileUploaderDropzoneInstructions"] span::after {visibility: visible; grid-area: 1 / 1}
[data-testid="stDateInputField"] span[data-placeholder="true"] {visibility: hidden; position: relative}
[data-testid="stDateInputField"] span[data-placeholder="true"]::after {
  visibility: visible; position: absolute; left: 0}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {content: "Parcourir"}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {content: "LIMIT"}
[data-testid="stDateInputField"] span[data-placeholder="true"][data-type="day"]::after {content: "jj"}
[data-testid="stDateInputField"] span[data-placeholder="true"][data-type="month"]::after {content: "mm"}
[data-testid="stDateInputField"] span[data-placeholder="true"][data-type="year"]::after {content: "aaaa"}
</style>"""


def streamlit_words(max_upload_mb: float) -> str | None:
    """The style that says Streamlit's own words in the page's language (None in English: they are English)."""
    if lang() != "fr":
        return None
    return _OWN_WORDS_CSS.replace("LIMIT", f"{num(max_upload_mb, 0)} Mo par fichier • CSV, TXT, XLSX")


def lang() -> str:
    """The chosen language, else the browser's (its locale, else its Accept-Language header), else English."""
    import streamlit as st  # only the pages ask: the PDF report and the command line pass their language

    if "lang" not in st.session_state:
        accept = ""
        try:  # headless Chromium sends an English Accept-Language whatever its locale: the locale comes first
            accept = st.context.locale or st.context.headers.get("Accept-Language", "") or ""
        except Exception:  # no browser (tests, scripts)
            accept = ""
        st.session_state["lang"] = "fr" if accept.lower().startswith("fr") else "en"
    return str(st.session_state["lang"])


def translate(text: str, language: str) -> str:
    """`text` in `language` (en or fr), whatever the page's language: the PDF report and the command line. A label
    is looked up in FR; a message of the pipelines (a quarantine reason, a refusal, a statistics note, "other
    teams") is recognised by its English template in pipelines/messages.py and written from its French one."""
    if language != "fr":
        return text
    return FR.get(text) or messages.translate(text, language)


def t(text: str) -> str:
    """`text` in the page's language."""
    return translate(text, lang())


def colon(language: str | None = None) -> str:
    """What joins a label to its value: "IC 95 % : +66 %" in French, "95 % CI: +66 %" in English."""
    return " : " if (language or lang()) == "fr" else ": "


def num(value: float | None, decimals: int = 1, language: str | None = None) -> str:
    """1,234.5 in English, 1 234,5 in French (`language`, else the page's; a narrow no-break space, as in the
    tables, so that a number never breaks across two lines); a dash when there is no value."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if (language or lang()) == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def signed(value: float, decimals: int, unit: str = "", language: str | None = None) -> str:
    """A change with its sign: +1.5 pts, −12 %; none where it rounds to nothing (0 %, not −0 %)."""
    shown = num(abs(value), decimals, language) + unit
    return shown if round(abs(value), decimals) == 0 else ("+" if value > 0 else "−") + shown


def pct(value: float | None, language: str | None = None) -> str:
    """A change in percent with its sign: +91 %, −12 %, 0 %."""
    if value is None or not math.isfinite(value):
        return "–"
    decimals = 1 if 99.5 <= abs(value) < 100 else 0  # −99.9 % is not −100 %
    return signed(value, decimals, " %", language)


def delta(value: float | None) -> str | None:
    """A change for st.metric, whose arrow reads the sign from a leading ASCII '-'."""
    return None if value is None or not math.isfinite(value) else pct(value).replace("−", "-")


def arrow(shown: str | None) -> Literal["auto", "off"]:
    """st.metric's arrow for a change as `signed` writes it: none for a change that rounds to nothing."""
    return "auto" if shown and shown[0] in "+-−" else "off"


def ci(bounds: list[float | None] | None, language: str | None = None) -> str:
    if not bounds or bounds[0] is None or bounds[1] is None:
        return "–"
    return f"{pct(bounds[0], language)} … {pct(bounds[1], language)}"


def day(value: date | None, language: str | None = None) -> str:
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y") if (language or lang()) == "fr" else value.strftime("%Y-%m-%d")


def moment(value: datetime | None, language: str | None = None) -> str:
    """A day and its time to the minute: 2026-12-07 10:29, 07/12/2026 10:29; a dash when there is none."""
    return "–" if value is None else f"{day(value, language)} {value:%H:%M}"


def metric(key: str, group: str = "report", language: str | None = None) -> str:
    """A metric's label from the catalogue, in `language` or the page's (group: report, effect or criterion)."""
    found = {"report": catalogue.REPORT, "effect": catalogue.EFFECTS, "criterion": catalogue.CRITERIA}[group]
    return found[key].label(language or lang())


def flag(found: dict[str, Any], language: str | None = None) -> str:
    """A low-confidence flag in words, in `language` or the page's."""
    return catalogue.flag_text(found, language or lang())
