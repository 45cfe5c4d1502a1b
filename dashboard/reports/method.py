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

**Adjusted effect.** The figure to set beside the article's claims (+60 % posts, −90 % incident risk). Where teams
adopted the charter on different dates, a regression over every team and week compares teams that had adopted it
with teams that had not yet, so that seasons and trends common to all teams are taken out (it needs at least 4
teams). Where everyone adopted on one date, each team's own trend before the charter, with the summer and year-end
holidays, is extended past it (it needs a year of history). A placebo check moves the charter 13 weeks earlier: if
the same method already finds an effect there, the figure is marked as not to be trusted. Incident risk is per post,
as the article counts it.

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

**Effet ajusté.** Le chiffre à mettre en face de ceux de l'article (+60 % de publications, −90 % de risque
d'incident). Quand les équipes ont adopté la charte à des dates différentes, une régression sur toutes les équipes et
semaines compare celles qui l'avaient adoptée à celles qui ne l'avaient pas encore fait, pour retirer les saisons et
tendances communes (il faut au moins 4 équipes). Quand tout le monde l'a adoptée le même jour, la tendance de chaque
équipe avant la charte, avec les congés d'été et de fin d'année, est prolongée au-delà (il faut un an d'historique).
Un test placebo avance la charte de 13 semaines : si la même méthode y trouve déjà un effet, le chiffre est signalé
comme non fiable. Le risque d'incident est compté par publication, comme dans l'article.

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
