"""Overview: the three comparisons before → after the charter, beside the article's claims, and the weekly posts."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import auth, charts, data, pages
from dashboard.i18n import arrow, ci, colon, delta, flag, lang, metric, num, pct, t

st.title(t("Overview"))

if data.is_empty():
    st.info(t("Welcome. The database is empty: load the demo data to look around, or upload your own exports."))
    # Loading the demo writes to the database: only with the comms role (given on the Upload page).
    if auth.has_comms() and st.button(t("Load the demo data"), key="load_demo"):
        with st.spinner(t("Loading the demo data…")):
            data.load_demo()
        st.rerun()
    st.page_link(pages.path("upload"), label=t("Go to Upload"))
    st.stop()

request = data.filters()
report, weekly = data.overview(request)
scopes = report["scopes"]
org = scopes[0] if scopes else {}
metrics: dict[str, Any] = org.get("metrics") or {}
low: list[dict[str, Any]] = org.get("low_confidence") or []
if not metrics:
    st.info(t("The loaded posts do not cover both sides of a charter date yet: no comparison."))
    for note in org.get("notes", []):
        st.text(t(note))
    st.stop()


# The answer first: one line per claim of the article, from the adjusted effect, then the plain figures as detail.
effect = org.get("effect") or {}
st.subheader(t("The answer"))
lines, caveats, fresh = data.answer(effect, report)
for good, line in lines:
    say = st.success if good is True else st.error if good is False else st.info
    say(line)
for caveat in caveats:
    st.caption(caveat)
st.caption(fresh)

# The report a director forwards: this page's verdict and charts, the teams and the contests, built on click.
language = lang()  # the callable runs outside the page's script: it cannot ask the session
if data.report_available():
    st.download_button(
        t("Report (PDF)"),
        data=lambda: data.report_pdf(request, language),
        file_name=data.report_filename(request, language),
        mime="application/pdf",
        key="report_pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )
else:
    st.caption(t("The PDF report needs Chromium and the DejaVu fonts on the server."))


def card(column: Any, key: str, about: str = "") -> None:
    """One plain before → after figure: its change coloured by the metric's direction (grey where its interval
    holds no change), its interval, its counts and its low-confidence flags."""
    m = metrics.get(key) or {}
    decimals, share = data.decimals(key), data.unit(key) == "share"

    def shown(value: float | None) -> str:
        return num(value * 100 if share and value is not None else value, decimals) + (" %" if share else "")

    bounds = m.get("ci95_pct") or [None, None]
    holds_no_change = None not in bounds and bounds[0] <= 0 <= bounds[1]
    better = data.higher_is_better(key)
    colour = "off" if better is None or holds_no_change else "normal" if better else "inverse"
    value = f"{shown(m.get('before'))} → {shown(m.get('after'))}"
    change = delta(m.get("change_pct"))
    column.metric(metric(key), value, delta=change, delta_color=colour, delta_arrow=arrow(change), border=True)
    notes = [t("95 % CI") + colon() + ci(m.get("ci95_pct"))] if "ci95_pct" in m else []
    if "counts" in m:
        notes.append(t("Incidents") + colon() + f"{m['counts']['before']} → {m['counts']['after']}")
    if m.get("note"):
        notes.append(t(m["note"]))
    if notes:
        column.caption(" · ".join(notes))
    flagged = [flag(f) for f in low if about and f["metric"] == about]
    if flagged:
        column.warning(t("low confidence") + colon() + "; ".join(flagged))


def cards(items: list[tuple[str, str]]) -> None:
    """Cards two to a row: "before → after" stays whole at 1280 pixels."""
    for row in range(0, len(items), 2):
        columns = st.columns(2)
        for column, (key, about) in zip(columns, items[row : row + 2], strict=False):
            card(column, key, about)


st.subheader(t("Before → after the charter, in detail"))
st.caption(
    t(
        "The plain comparison of the weeks before and after each team's charter date. It also counts everything "
        "else that changed (growth, seasons, new members), so it can differ from the answer above, which compares "
        "the teams with their own trends. Green: better, red: worse, grey: within chance."
    )
)
cards([("posts_per_week", "posts"), ("incidents_per_1000_posts", "incidents"), ("incidents_per_week", "incidents"),
       ("engagements_per_post", "posts")])  # fmt: skip

ref = report["reference"]


def effect_ci(name: str) -> str:
    """The adjusted effect's interval, as a change in percent."""
    return ci((effect.get(name) or {}).get("ci95_pct"))


def adjusted(name: str, change_pct: float | None) -> str:
    """The adjusted change, marked where it cannot be trusted (the answer above says why)."""
    shown = pct(change_pct)
    return f"{shown} ⚠" if (effect.get(name) or {}).get("doubt") and change_pct is not None else shown


def with_counts(change_pct: float | None) -> str:
    """A plain change of incident risk with its counts: from 1 incident to 0, −100 % says little."""
    counts = (metrics.get("incidents_per_1000_posts") or {}).get("counts") or {}
    if not counts:
        return pct(change_pct)
    return f"{pct(change_pct)} ({counts['before']} → {counts['after']} {t('incidents')})"


st.subheader(t("Compared with the article"))
st.caption(
    t(
        "The article's claims, our plain before → after change, and the charter's effect adjusted for the teams' "
        "trends and the calendar (Method page). A dash: no adjusted figure, and the answer above says why."
    )
)
st.dataframe(
    {
        "": [t("Article"), t("Here, before → after"), t("Here, adjusted effect"), t("Adjusted effect, 95 % CI")],
        t("Posts"): [
            pct(ref["article"]["posts_change_pct"]),
            pct(ref["plain"]["posts_change_pct"]),
            adjusted("posts", ref["adjusted"]["posts_change_pct"]),
            effect_ci("posts"),
        ],
        t("Incident risk"): [
            pct(ref["article"]["incident_risk_change_pct"]),
            with_counts(ref["plain"]["incident_risk_change_pct"]),
            adjusted("incidents", ref["adjusted"]["incidents_change_pct"]),
            effect_ci("incidents"),
        ],
    },
    hide_index=True,
)

st.subheader(t("Programme"))
cards([("active_ambassadors", ""), ("participation_rate", ""), ("earned_media_value", "")])
emv = metrics.get("earned_media_value") or {}
st.caption(
    t("Earned media value is in the currency of the CPM and CPC settings")
    + f" (CPM {num(emv.get('cpm'), 2)}, CPC {num(emv.get('cpc'), 2)})."
)

paid = metrics.get("paid_engagements") or {}
if paid.get("before") or paid.get("after"):  # boosted posts: their campaigns' engagement, beside the organic
    st.caption(
        metric("paid_engagements")
        + f": {num(paid['before'], 0)} → {num(paid['after'], 0)}. "
        + t("Every other figure counts organic engagement only.")
    )

charters = data.charter_days(scopes)
figure = charts.weekly_timeline(weekly, charters, data.scope_label(request), t)
st.plotly_chart(charts.localise(figure, lang()), width="stretch")
st.caption(
    t(
        "Posts (line, left axis) and incidents (bars, right axis) per week; dashed lines mark the days teams "
        "adopted the charter. The dotted line is the posts the adjusted model expects without the charter: the "
        "trend before it, or the teams that had not adopted it yet; it is missing where the model has nothing to "
        "compare with."
    )
)
