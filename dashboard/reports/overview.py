"""Overview: the three comparisons before → after the charter, beside the article's claims, and the weekly posts."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import auth, charts, data, pages
from dashboard.i18n import ci, day, delta, flag, lang, metric, num, pct, t

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
report = data.report(request)
scopes = report["scopes"]
org = scopes[0] if scopes else {}
metrics: dict[str, Any] = org.get("metrics") or {}
low: list[dict[str, Any]] = org.get("low_confidence") or []
if not metrics:
    st.info(t("The loaded posts do not cover both sides of a charter date yet: no comparison."))
    for note in org.get("notes", []):
        st.text(note)
    st.stop()


# The answer first: one line per claim of the article, from the adjusted effect, then the plain figures as detail.
effect = org.get("effect") or {}
st.subheader(t("The answer"))
lines, caveats, fresh = data.answer(effect)
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


def card(column: Any, key: str, about: str) -> None:
    m = metrics.get(key) or {}
    decimals = data.decimals(key)
    value = f"{num(m.get('before'), decimals)} → {num(m.get('after'), decimals)}"
    column.metric(metric(key), value, delta=delta(m.get("change_pct")), delta_color="off", border=True)
    column.caption(f"{t('95 % CI')}: {ci(m.get('ci95_pct'))}")
    if "counts" in m:
        column.caption(t("Incidents") + f": {m['counts']['before']} → {m['counts']['after']}")
    if m.get("note"):
        column.caption(m["note"])
    flagged = [flag(f) for f in low if f["metric"] == about]
    if flagged:
        column.warning(t("low confidence") + ": " + "; ".join(flagged))


st.subheader(t("Before → after the charter, in detail"))
cols = st.columns(4)
card(cols[0], "posts_per_week", "posts")
card(cols[1], "incidents_per_1000_posts", "incidents")
card(cols[2], "incidents_per_week", "incidents")
card(cols[3], "engagements_per_post", "posts")

ref = report["reference"]


def effect_ci(name: str) -> str:
    """The adjusted effect's interval, as a change in percent."""
    return ci((effect.get(name) or {}).get("ci95_pct"))


def adjusted(name: str, change_pct: float | None) -> str:
    """The adjusted change, marked where it cannot be trusted (the warning below says why)."""
    shown = pct(change_pct)
    return f"{shown} ⚠" if (effect.get(name) or {}).get("doubt") and change_pct is not None else shown


st.subheader(t("Compared with the article"))
st.caption(
    t(
        "The article's claims, our plain before → after change, and the charter's effect adjusted for the teams' "
        "trends and the calendar (Method page)."
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
            pct(ref["plain"]["incident_risk_change_pct"]),
            adjusted("incidents", ref["adjusted"]["incidents_change_pct"]),
            effect_ci("incidents"),
        ],
    },
    hide_index=True,
)

DOUBTS = {
    "placebo_failed": t("the placebo check failed: the model already finds an effect in the weeks before the "
                        "charter, so the adjusted figure cannot be trusted"),
    "no_season": t("less than a year before the charter: the season cannot be told from its effect, so there is no "
                   "adjusted figure"),
    "too_few_teams": t("too few teams to tell the charter's effect from the weeks' ups and downs: no adjusted "
                       "figure"),
    "too_few": t("too few events to say"),
}  # fmt: skip
doubted = (("posts", t("Posts")), ("incidents", t("Incident risk")), ("engagement", t("Engagement")))
for name, label in doubted:
    if doubt := (effect.get(name) or {}).get("doubt"):
        st.warning(f"{label}, {t('adjusted effect')}: {DOUBTS[doubt]}", icon="⚠️")

st.subheader(t("Programme"))
extra = st.columns(3)
for column, key, scale in (
    (extra[0], "active_ambassadors", 1),
    (extra[1], "participation_rate", 100),
    (extra[2], "earned_media_value", 1),
):
    m = metrics.get(key) or {}
    decimals = data.decimals(key)
    unit = " %" if scale == 100 else ""
    before, after = m.get("before"), m.get("after")
    value = f"{num(before * scale if before is not None else None, decimals)}{unit} → "
    value += f"{num(after * scale if after is not None else None, decimals)}{unit}"
    column.metric(metric(key), value, delta=delta(m.get("change_pct")), delta_color="off", border=True)
    if m.get("note"):
        column.caption(m["note"])
    if key == "earned_media_value":
        column.caption(
            t("In the currency of the CPM and CPC settings") + f" (CPM {num(m['cpm'], 2)}, CPC {num(m['cpc'], 2)})"
        )

paid = metrics.get("paid_engagements") or {}
if paid.get("before") or paid.get("after"):  # boosted posts: their campaigns' engagement, beside the organic
    st.caption(
        metric("paid_engagements")
        + f": {num(paid['before'], 0)} → {num(paid['after'], 0)}. "
        + t("Every other figure counts organic engagement only.")
    )

weekly = data.weekly(request)
charters = sorted({s["charter_date"] for s in scopes[1:] if s.get("charter_date")})
figure = charts.weekly_timeline(weekly, charters, t)
st.plotly_chart(figure, width="stretch")
st.caption(
    t(
        "Posts (line, left axis) and incidents (bars, right axis) per week; dashed lines mark the days teams "
        "adopted the charter"
    )
    + f" ({', '.join(day(c) for c in charters)}). "
    + t(
        "The dotted line is the posts the adjusted model expects without the charter: the trend before it, or the "
        "teams that had not adopted it yet; it is missing where the model has nothing to compare with."
    )
)
