"""Method: what each number means, in plain words."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.i18n import lang, t

EN = """
**Before and after.** For each team, the six months before its charter date are compared with the six months after,
cut to the days the loaded posts cover and trimmed to the same length on both sides.

**Posts per week.** Posts published in a window divided by its number of weeks. The 95 % interval comes from the
week-to-week variation of the counts.

**Incidents per 1,000 posts and per week.** Incidents recorded in each window, per 1,000 posts and per week, with
the counts themselves. With fewer than 5 incidents or 30 posts on a side, the figure is marked *low confidence*.

**Engagements per post.** The mean of reactions, comments, shares and clicks per post; its interval is bootstrapped.

**Adjusted effect.** A regression over every team and week, comparing teams that adopted the charter with teams
that had not yet, so that seasons and trends common to all teams are taken out. This is the figure to set beside the
article's claims (+60 % posts, −90 % incident risk).

**Active ambassadors, participation.** People with at least one post in a window; participation divides them by the
teams' headcount.

**Earned media value.** What the posts' impressions and clicks would have cost as paid posts (cost per 1,000
impressions and per click, both configurable).

**Privacy.** Outside contest rankings, only teams are shown. Teams with fewer than 5 members appear together as
"other teams". People who opted out of named rankings appear as "Anonymous participant N".
"""

FR = """
**Avant et après.** Pour chaque équipe, les six mois avant la date de sa charte sont comparés aux six mois après,
limités aux jours couverts par les publications chargées et ramenés à la même durée des deux côtés.

**Publications par semaine.** Publications d'une période divisées par son nombre de semaines. L'intervalle à 95 %
vient de la variation d'une semaine à l'autre.

**Incidents pour 1 000 publications et par semaine.** Incidents de chaque période, pour 1 000 publications et par
semaine, avec leur nombre. Moins de 5 incidents ou de 30 publications d'un côté : *confiance faible*.

**Interactions par publication.** Moyenne des réactions, commentaires, partages et clics par publication ; intervalle
par bootstrap.

**Effet ajusté.** Une régression sur toutes les équipes et semaines, qui compare les équipes ayant adopté la charte
à celles qui ne l'avaient pas encore fait, pour retirer les saisons et tendances communes. C'est ce chiffre qu'il faut
mettre en face de ceux de l'article (+60 % de publications, −90 % de risque d'incident).

**Ambassadeurs actifs, participation.** Personnes ayant publié au moins une fois dans la période ; la participation
les rapporte à l'effectif des équipes.

**Valeur média gagnée.** Ce qu'auraient coûté les impressions et clics en publications payantes (coût pour 1 000
impressions et par clic, paramétrables).

**Confidentialité.** Hors classements de concours, seules les équipes sont montrées. Les équipes de moins de 5
personnes sont regroupées dans « autres équipes ». Les personnes qui refusent d'être nommées apparaissent comme
« Participant anonyme N ».
"""

st.title(t("Method"))
st.markdown(FR if lang() == "fr" else EN)
st.subheader(t("Every figure"))
# The catalogue's own words (no uploaded text): markdown is safe here, and wraps where a table would cut.
st.markdown("\n".join(f"- **{row.figure}**: {row.meaning}" for row in data.glossary(lang()).itertuples()))
