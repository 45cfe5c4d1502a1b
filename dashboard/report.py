"""The report leadership forwards, as a PDF: the verdict, the pages' charts, the teams table, the period's contests
and their winners, the method in three lines. `advocacy report` and the Overview's button both build it here.

A view like the pages, without Streamlit: it asks the modules that define the figures, draws the dashboard's own
chart functions (`dashboard/charts.py`) as images with kaleido (the system's Chromium), and lays the pages out with
fpdf2. A monthly report's verdict, teams and weekly chart read every day up to the month's end (the state of the
programme then); its contests, totals and shaded weeks are the month's.
"""

from __future__ import annotations

import asyncio
import calendar
import concurrent.futures
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import plotly.graph_objects as go

from dashboard import charts
from dashboard.i18n import ci, day, flag, metric, num, pct, translate
from dashboard.queries import freshness, report_and_weekly
from pipelines import messages
from pipelines.analytics import privacy, trends, verdict
from pipelines.analytics.contests import CRITERIA, Contest, contests, ranking
from pipelines.analytics.scopes import ORGANISATION, ImpactRequest
from pipelines.analytics.verdict import ARTICLE_INCIDENT_RISK_CHANGE_PCT, ARTICLE_POSTS_CHANGE_PCT
from pipelines.store import ledger

FONTS = Path("/usr/share/fonts/truetype/dejavu")
REGULAR, BOLD = FONTS / "DejaVuSans.ttf", FONTS / "DejaVuSans-Bold.ttf"
MONTHS = {
    "en": "January February March April May June July August September October November December".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
}
SHORT_MONTHS = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    "fr": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split(),
}
CHART_PX = (820, 430)  # drawn at this size (twice the pixels), shown 180 mm wide: the labels stay readable


class ReportError(Exception):
    """The report cannot be made; the message says why in plain words."""


@dataclass(frozen=True)
class ReportRequest:
    """What the report is about: the figures' filters and days (`impact`), the period it reports on (`focus`,
    [start, end): contests, totals, shaded weeks; None: everything), its language, and whether `focus` is a
    calendar month (then `impact` holds every day up to the month's end)."""

    impact: ImpactRequest = field(default_factory=ImpactRequest)
    focus: tuple[date, date] | None = None
    lang: str = "en"
    monthly: bool = False


def month_request(month: str, lang: str = "en", teams: Sequence[str] = ()) -> ReportRequest:
    """The report of one calendar month ("2026-10"); ValueError when it is not one."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", month.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{month!r} is not a month in the form 2026-10")
    first = date(int(match.group(1)), int(match.group(2)), 1)
    end = first + timedelta(days=calendar.monthrange(first.year, first.month)[1])
    return ReportRequest(ImpactRequest(team_filter=tuple(teams), period=(date.min, end)), (first, end), lang, True)


def range_request(first: date | None, last: date | None, lang: str = "en", teams: Sequence[str] = (),
                  base: ImpactRequest | None = None) -> ReportRequest:  # fmt: skip
    """The report of the days first..last (both included; None: open), like the dashboard's From and Until."""
    period = None
    if first or last:
        period = (first or date.min, last + timedelta(days=1) if last else date.max)
    request = replace(base, period=period) if base else ImpactRequest(team_filter=tuple(teams), period=period)
    return ReportRequest(request, period, lang)


# --- what the report says -------------------------------------------------------------------------------------


@dataclass
class Inputs:
    """What a chart of the report may draw from: the open connection, the request and what is already read."""

    con: duckdb.DuckDBPyConnection
    request: ReportRequest
    report: dict[str, Any]
    weekly: pd.DataFrame

    @property
    def org(self) -> dict[str, Any]:
        return self.report["scopes"][0]

    @property
    def team_scopes(self) -> list[dict[str, Any]]:
        """The teams' scopes, "other teams" named in the report's language."""
        return [{**s, "team": _team(s["team"], self.request.lang)} for s in self.report["scopes"]
                if s["scope"] == "team"]  # fmt: skip

    @cached_property
    def months(self) -> pd.DataFrame:
        """The organisation's (or the chosen teams') last twelve months up to the report's end, as on Trends."""
        found = trends.monthly(self.con, replace(self.request.impact, with_effects=False))
        rows = found[found["scope"] == ORGANISATION].sort_values("month")
        return rows.tail(12)

    @property
    def scope(self) -> str:
        return charts.scope_label(
            replace(self.request.impact, period=None), lambda s: translate(s, self.request.lang)
        )

    @property
    def charters(self) -> dict[date, list[str]]:
        """Each charter date with the teams that adopted then."""
        return charts.charter_days(self.team_scopes)


Translate = Callable[[str], str]
Caption = str | Callable[[Inputs, Translate], str]  # English text (translated), or said from the inputs
Chart = tuple[Caption, Callable[[Inputs, Translate], go.Figure | None]]  # (caption, figure or None: not drawn)


def _weekly(i: Inputs, t: Translate) -> go.Figure:
    figure = charts.weekly_timeline(i.weekly, i.charters, i.scope, t)
    if i.request.monthly and i.request.focus:  # the month the report is about, within the weeks before it
        figure.add_vrect(x0=i.request.focus[0].isoformat(), x1=i.request.focus[1].isoformat(), fillcolor="gold",
                         opacity=0.25, line_width=0, layer="below")  # fmt: skip
    return figure


def _weekly_caption(i: Inputs, t: Translate) -> str:
    shaded = t("Shaded: the month of the report.") + " " if i.request.monthly and i.request.focus else ""
    return shaded + t(
        "Posts (line, left axis) and incidents (bars, right axis) per week; dashed lines mark the days teams adopted "
        "the charter. The dotted line is the posts the adjusted model expects without the charter: the trend before "
        "it, or the teams that had not adopted it yet; it is missing where the model has nothing to compare with."
    )


def _event_study(i: Inputs, t: Translate) -> go.Figure | None:
    study = (i.org.get("event_study") or {}).get("posts") or []
    return charts.event_study(study, t) if study and i.org.get("charter_date") is None else None


# The report's charts, in their order: the pages' own, with the captions the pages give them. One line per chart.
CHARTS: list[Chart] = [
    (_weekly_caption, _weekly),
    ("Each bar is a team's before → after change; the whiskers are its 95 % confidence interval.",
     lambda i, t: charts.team_changes(i.team_scopes, t)),
    ("Teams adopted the charter on different days: each point compares teams the same number of months from their "
     "own adoption with teams that had not adopted yet, with its 95 % interval.", _event_study),
    ("Calendar months, the last twelve up to the report's end; a month the data covers only in part is hatched.",
     lambda i, t: charts.monthly_activity(i.months, i.scope, t) if len(i.months) else None),
    ("The adoption funnel of the latest full month: programme members, those who ever posted, posted that month, and "
     "posted in each of the last three months.", lambda i, t: charts.adoption_funnel(i.months, i.scope, t)),
]  # fmt: skip


@dataclass
class Winner:
    criterion: str
    names: list[str]  # rank 1, ties together; opted-out people as "Anonymous participant N"
    teams: list[str]
    value: float | None
    note: str | None = None


@dataclass
class Gathered:
    request: ReportRequest
    report: dict[str, Any]
    freshness: dict[str, Any]
    totals: dict[str, int] | None
    previous: dict[str, int] | None  # the month before, for a monthly report
    figures: list[tuple[str, go.Figure]]
    contests: list[tuple[Contest, list[str], list[Winner]]]  # the contest, its teams as shown, its winners


def gather(con: duckdb.DuckDBPyConnection, request: ReportRequest) -> Gathered:
    """Everything the report shows, read on one connection; ReportError when there is nothing to report."""
    from pipelines.analytics.metrics import period_totals  # the statistics load only to write a report

    lang = request.lang
    report, weekly = report_and_weekly(con, request.impact)
    org = report["scopes"][0] if report["scopes"] else {}
    if not org.get("metrics"):
        where = period_label(request)
        why = report.get("note") or "the loaded posts do not cover both sides of a charter date"
        raise ReportError(f"nothing to report for {where}: {why}")
    totals = previous = None
    if request.focus:
        totals = period_totals(con, replace(request.impact, period=request.focus))
        if not totals["posts"]:
            up_to = freshness(con)["data_up_to"]
            raise ReportError(f"no posts in {period_label(replace(request, lang='en'))} (the data goes up to "
                              f"{up_to}): nothing to report; load that period's exports first")  # fmt: skip
        if request.monthly:
            first = request.focus[0]
            before = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
            previous = period_totals(con, replace(request.impact, period=(before, first)))
    inputs = Inputs(con, request, report, weekly)
    t = partial(translate, language=lang)
    figures = [(caption(inputs, t) if callable(caption) else t(caption), fig)
               for caption, draw in CHARTS if (fig := draw(inputs, t)) is not None]  # fmt: skip
    return Gathered(request, report, freshness(con), totals, previous, figures, _contests(con, request))


def _contests(
    con: duckdb.DuckDBPyConnection, request: ReportRequest
) -> list[tuple[Contest, list[str], list[Winner]]]:
    """The contests that ran during the period (all of them without one), with each criterion's winners."""
    focus, teams = request.focus, set(request.impact.team_filter)
    sizes = ledger.filter_options(con)["teams"]
    found = []
    for contest in contests(con):
        if focus and (contest.ends_on < focus[0] or contest.starts_on >= focus[1]):
            continue
        if teams and contest.teams and not teams & set(contest.teams):
            continue
        shown = list(dict.fromkeys(privacy.shown_name(team, sizes.get(team, 0)) for team in contest.teams))
        shown = [_team(team, request.lang) for team in shown]
        winners = []
        for criterion in CRITERIA:
            ranked = ranking(con, contest.contest_id, criterion, "employee")
            first = [row for row in ranked.rows if row["rank"] == 1]
            winners.append(Winner(criterion, [row["name"] for row in first],
                                  list(dict.fromkeys(_team(row["team"], request.lang) for row in first)),
                                  first[0]["value"] if first else None, ranked.note))  # fmt: skip
        found.append((contest, shown, winners))
    return found


# --- words ------------------------------------------------------------------------------------------------------


def period_label(request: ReportRequest) -> str:
    """ "October 2026", "1 Oct 2026 – 15 Nov 2026", or "all the data", in the report's language."""
    lang = request.lang if request.lang in MONTHS else "en"
    if request.focus is None:
        return "toutes les données" if lang == "fr" else "all the data"
    first, end = request.focus
    if request.monthly:
        return f"{MONTHS[lang][first.month - 1]} {first.year}"
    last = end - timedelta(days=1)
    start_text = "…" if first == date.min else _day(first, lang)
    end_text = "…" if end == date.max else _day(last, lang)
    return f"{start_text} – {end_text}"


def _day(value: date, lang: str) -> str:
    return f"{value.day} {SHORT_MONTHS[lang][value.month - 1]} {value.year}"


def title(request: ReportRequest) -> str:
    """The report's title, also the mail's subject."""
    period = period_label(request)
    if request.lang == "fr":
        of = (
            "de l'ensemble des données"
            if request.focus is None
            else (f"d'{period}" if period[0] in "aeiouy" else f"de {period}" if request.monthly else f"du {period}")
        )
        return f"Ambassadeurs salariés — rapport {of}"  # fmt: skip
    return f"Employee advocacy — report for {period}"


def filename(request: ReportRequest) -> str:
    """A file name that sorts by period: advocacy-report-2026-10.pdf."""
    if request.focus is None:
        tag = "all"
    elif request.monthly:
        tag = request.focus[0].strftime("%Y-%m")
    else:
        first, end = request.focus
        tag = f"{'' if first == date.min else first.isoformat()}_{'' if end == date.max else end.isoformat()}"
    return f"advocacy-report-{tag}.pdf"


def verdict_lines(report: dict[str, Any], lang: str) -> list[tuple[bool | None, str]]:
    """The organisation's verdict, one line per claim (the workshops' and contests' too, where the data holds
    them), with whether it went the programme's way."""
    effect = report["scopes"][0].get("effect") or {}
    found = [(reading.good, verdict.sentence(reading, lang)) for reading in verdict.read(effect)]
    return found + verdict.programme_lines(report, lang)


def mail_body(gathered: Gathered) -> str:
    """The mail's short text: the verdict lines and the data's freshness; the PDF has the rest."""
    lang = gathered.request.lang
    lines = [line for _, line in verdict_lines(gathered.report, lang)]
    fresh = verdict.freshness(gathered.freshness, lang)
    if lang == "fr":
        return "\n".join(
            [
                "Bonjour,",
                "",
                "La réponse, en bref :",
                *(f"- {line}" for line in lines),
                "",
                fresh,
                "",
                "Le rapport complet (graphiques, équipes, concours, méthode) est en pièce jointe.",
            ]
        )
    return "\n".join(["Hello,", "", "The answer, in short:", *(f"- {line}" for line in lines), "", fresh, "",
                      "The full report (charts, teams, contests, method) is attached."])  # fmt: skip


# --- images -----------------------------------------------------------------------------------------------------


@dataclass
class Timings:
    browser_s: float = 0.0  # starting Chromium
    images_s: list[float] = field(default_factory=list)  # each image
    total_s: float = 0.0  # the whole report


def print_ready(figure: go.Figure, lang: str) -> go.Figure:
    """The page's figure for paper: white background, larger type, and in French decimal commas and French month
    names on date axes (plotly.js's own locale is English only)."""
    figure = go.Figure(figure)
    figure.update_layout(template="plotly_white", font={"size": 13}, margin={"l": 70, "r": 70, "t": 90, "b": 60},
                         title={"font": {"size": 16}})  # fmt: skip
    for axis in figure.select_yaxes():
        if axis.title.text and len(axis.title.text) > 38:  # longer than the plot is high: on two lines
            words = axis.title.text.split(" ")
            half = min(range(1, len(words)), key=lambda n: abs(len(" ".join(words[:n])) - len(axis.title.text) / 2))
            axis.title.text = " ".join(words[:half]) + "<br>" + " ".join(words[half:])
    return charts.localise(figure, lang)


def render(figures: Sequence[go.Figure], timings: Timings | None = None) -> list[bytes]:
    """The figures as PNG images, all drawn by one Chromium (kaleido); ReportError when there is no Chromium."""
    timings = timings if timings is not None else Timings()
    if not figures:
        return []
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_render(figures, timings))
    # Called from a running event loop (a server's thread): draw in a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _render(figures, timings)).result()


async def _render(figures: Sequence[go.Figure], timings: Timings) -> list[bytes]:
    import kaleido
    from kaleido.errors import ChromeNotFoundError

    width, height = CHART_PX
    opts = {"format": "png", "width": width, "height": height, "scale": 2}
    started = time.perf_counter()
    images = []
    try:
        async with kaleido.Kaleido(n=1, mathjax=False) as k:  # no MathJax: it would be fetched from the network
            timings.browser_s = time.perf_counter() - started
            for figure in figures:
                begin = time.perf_counter()
                images.append(await k.calc_fig(figure, opts=opts))
                timings.images_s.append(time.perf_counter() - begin)
    except ChromeNotFoundError:
        raise ReportError(
            "the report's charts are drawn by Chromium, which is not installed here: install Debian's 'chromium' "
            "package (or set BROWSER_PATH to a Chrome or Chromium)"
        ) from None
    return images


def can_render() -> bool:
    """Whether this machine can draw the charts (a Chromium kaleido finds) and has the report's fonts."""
    import shutil

    return (REGULAR.exists() and BOLD.exists()) and any(
        shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome", "chrome")
    )


# --- pages ------------------------------------------------------------------------------------------------------

GREEN, RED, GREY, INK = (26, 127, 55), (192, 57, 43), (120, 120, 120), (30, 30, 30)
WIDTH = 180.0  # mm between the margins of an A4 page


def layout(gathered: Gathered, images: Sequence[bytes]) -> bytes:
    """The PDF: page 1 the verdict and the first chart; then the other charts; then teams, contests, method."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    for font in (REGULAR, BOLD):
        if not font.exists():
            raise ReportError(f"the report's font {font} is missing: install Debian's 'fonts-dejavu-core' package")
    request, lang = gathered.request, gathered.request.lang
    t = partial(translate, language=lang)
    heading = title(request)

    class Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("DejaVu", size=8)
            self.set_text_color(*GREY)
            self.cell(0, 5, f"{heading} · {self.page_no()}/{{nb}}", align="C")

    pdf = Pdf(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font("DejaVu", "", str(REGULAR))
    pdf.add_font("DejaVu", "B", str(BOLD))
    pdf.set_title(heading)
    pdf.set_lang(lang)
    pdf.set_creator("advocacy report")
    pdf.add_page()

    def text(body: str, size: float = 10, bold: bool = False, color: tuple[int, int, int] = INK,
             height: float | None = None, indent: float = 0.0) -> None:  # fmt: skip
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.set_text_color(*color)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(WIDTH - indent, height or size * 0.5, body, new_x="LMARGIN", new_y="NEXT", align="L")

    def section(name: str) -> None:
        pdf.ln(3)
        text(name, 13, bold=True)
        pdf.ln(1)

    report, org = gathered.report, gathered.report["scopes"][0]
    text(heading, 17, bold=True, height=9)
    text(_scope_line(gathered), 9, color=GREY)
    text(verdict.freshness(gathered.freshness, lang), 9, color=GREY)

    section(t("The answer"))
    for good, line in verdict_lines(report, lang):
        color = GREEN if good is True else RED if good is False else GREY
        y = pdf.get_y()
        pdf.set_fill_color(*color)
        pdf.rect(pdf.l_margin, y + 1.3, 2.6, 2.6, style="F")
        text(line, 11, height=6, indent=5)
        pdf.ln(0.8)
    for caveat in verdict.caveats(org.get("effect") or {}, lang):
        text(caveat, 9, color=GREY)
    article = t("The article claims {posts} posts and {risk} incident risk.").format(
        posts=pct(ARTICLE_POSTS_CHANGE_PCT, lang), risk=pct(ARTICLE_INCIDENT_RISK_CHANGE_PCT, lang)
    )
    text(article, 9, color=GREY)  # fmt: skip
    if gathered.totals is not None:
        section(period_label(request)[:1].upper() + period_label(request)[1:])
        text(_totals_line(gathered), 10)

    for index, ((caption, _), image) in enumerate(zip(gathered.figures, images, strict=True)):
        height = WIDTH * CHART_PX[1] / CHART_PX[0]
        if pdf.get_y() + height + 14 > pdf.h - pdf.b_margin:
            pdf.add_page()
        elif index:
            pdf.ln(4)
        pdf.image(image, x=pdf.l_margin, w=WIDTH, h=height)
        text(caption, 8, color=GREY)

    pdf.add_page()
    section(t("Teams"))
    text(t('Teams smaller than the privacy threshold are shown together as "other teams".'), 8, color=GREY)
    pdf.ln(1)
    rows = _team_rows(gathered, lang)
    pdf.set_font("DejaVu", size=7)
    pdf.set_text_color(*INK)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_draw_color(190, 190, 190)
    header_style = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    with pdf.table(col_widths=(26, 19, 25, 30, 17, 22, 41), line_height=3.6, headings_style=header_style,
                   text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT")) as table:  # fmt: skip
        for row in rows:
            cells = table.row()
            for value in row:
                cells.cell(value)

    section(t("Contests of the period") if request.focus else t("Contests"))
    if not gathered.contests:
        text(t("No contest ran during the period."), 10)
    for contest, teams, winners in gathered.contests:
        scope = ", ".join(teams) if teams else t("all teams")
        text(f"{contest.name} · {day(contest.starts_on, lang)} → {day(contest.ends_on, lang)} · {scope}", 10, True)
        pdf.ln(1)
        pdf.set_font("DejaVu", size=8)
        with pdf.table(col_widths=(50, 70, 35, 25), line_height=4, headings_style=header_style,
                       text_align=("LEFT", "LEFT", "LEFT", "RIGHT")) as table:  # fmt: skip
            table.row([t("Criterion"), t("Winner"), t("Team"), t("Value")])
            for w in winners:
                names = ", ".join(_person(name, lang) for name in w.names) or t(w.note or CONTEST_NOTES[0])
                decimals = 0 if w.criterion in ("posts", "articles") else 1
                table.row([metric(w.criterion, "criterion", lang), names, ", ".join(w.teams),
                           num(w.value, decimals, lang) if w.value is not None else "–"])  # fmt: skip
        pdf.ln(3)

    section(t("Method"))
    for line in _method(lang):
        text(line, 9)
        pdf.ln(0.5)
    return bytes(pdf.output())


def _scope_line(gathered: Gathered) -> str:
    request, lang = gathered.request, gathered.request.lang
    t = partial(translate, language=lang)
    teams = request.impact.team_filter
    who = (t("Teams") + " : " if lang == "fr" else "Teams: ") + ", ".join(teams) if teams else t("Whole organisation")
    coverage = gathered.report.get("coverage") or {}
    start, end = coverage.get("start"), coverage.get("end")
    if start is None or end is None:
        return who
    last = end - timedelta(days=1)
    if lang == "fr":
        span = f"chiffres calculés sur les données du {_day(start, 'fr')} au {_day(last, 'fr')}"
        if request.monthly:
            span += ", fin du mois du rapport ; concours et totaux : ce mois"
    else:
        span = f"figures computed on the data from {_day(start, 'en')} to {_day(last, 'en')}"
        if request.monthly:
            span += ", the end of the report's month; contests and totals: that month"
    return f"{who} · {span}"


def _totals_line(gathered: Gathered) -> str:
    lang, totals, previous = gathered.request.lang, gathered.totals or {}, gathered.previous
    fr = lang == "fr"

    def said(found: dict[str, int]) -> str:
        posts, incidents = found["posts"], found["incidents"]
        if fr:
            return (f"{num(posts, 0, lang)} publication{'s' if posts > 1 else ''}, "
                    f"{num(incidents, 0, lang)} incident{'s' if incidents > 1 else ''}")  # fmt: skip
        return f"{num(posts, 0, lang)} post{'s' if posts != 1 else ''}, " + (
            f"{num(incidents, 0, lang)} incident{'s' if incidents != 1 else ''}")  # fmt: skip

    line = said(totals)
    if previous is not None and gathered.request.focus:
        first = gathered.request.focus[0]
        before = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
        month = f"{MONTHS[lang][before.month - 1]} {before.year}"
        line += (
            f" (mois précédent, {month} : {said(previous)})"
            if fr
            else f" (the month before, {month}: {said(previous)})"
        )
    return line + "."


def _team_rows(gathered: Gathered, lang: str) -> list[list[str]]:
    t = partial(translate, language=lang)
    rows = [[t("Team"), t("Charter date"), t("Posts per week, before → after"), t("Change % (95 % CI)"),
             t("Incidents before → after"), t("Engagements per post change %"), t("low confidence")]]  # fmt: skip
    for s in gathered.report["scopes"]:
        if s["scope"] != "team":
            continue
        m = s.get("metrics") or {}
        ppw, inc, eng = m.get("posts_per_week") or {}, m.get("incidents") or {}, m.get("engagements_per_post") or {}
        name = _team(s["team"], lang) + (f" ({s['teams_count']})" if s.get("teams_count") else "")
        rows.append([
            name,
            day(s.get("charter_date"), lang),
            f"{num(ppw.get('before'), 1, lang)} → {num(ppw.get('after'), 1, lang)}" if ppw else "–",
            f"{pct(ppw.get('change_pct'), lang)}\n({ci(ppw.get('ci95_pct'), lang)})" if ppw else "–",
            f"{num(inc.get('before'), 0, lang)} → {num(inc.get('after'), 0, lang)}" if inc else "–",
            pct(eng.get("change_pct"), lang) if eng else "–",
            "; ".join(flag(f, lang) for f in s.get("low_confidence") or []),
        ])  # fmt: skip
    return rows


def _team(name: str, lang: str) -> str:
    """A team as the report names it: "other teams" in the report's language."""
    return translate("other teams", lang) if name == privacy.OTHER_TEAMS else name


# The notes a ranking gives instead of rows (pipelines/analytics/contests.py), which the report translates.
CONTEST_NOTES = ("nobody qualifies on this criterion yet", "this contest has no jury scores: no best-written ranking")


def _person(name: str, lang: str) -> str:
    """A winner's name; an opted-out person as the contests page says it, in the report's language."""
    return translate(name, lang) if messages.recognise(name) else name


def _method(lang: str) -> list[str]:
    """The method in three lines (the Method page says it in full)."""
    n = privacy.min_team_size()
    if lang == "fr":
        return [
            "Avant → après : pour chaque équipe, les six mois avant sa charte face aux six mois après, ramenés à la "
            "même durée ; les intervalles à 95 % disent la marge d'incertitude.",
            "Effet ajusté (la réponse) : une régression retire les tendances des équipes, les saisons et, quand les "
            "équipes ont adopté la charte à des dates différentes, compare avec celles qui ne l'avaient pas encore "
            "fait ; un test placebo 13 semaines plus tôt signale un effet qui n'en est pas un.",
            f"Confidentialité : seules les équipes sont montrées, celles de moins de {n} personnes regroupées ; hors "
            "classements de concours, personne n'est nommé, et qui l'a refusé y apparaît comme «\u00a0Participant "
            "anonyme\u00a0N\u00a0».",
        ]
    return [
        "Before → after: for each team, the six months before its charter against the six months after, trimmed to "
        "the same length; the 95 % intervals say how uncertain each figure is.",
        "Adjusted effect (the answer): a regression takes out the teams' trends, the seasons and, where teams "
        "adopted on different days, compares with those that had not adopted yet; a placebo check 13 weeks earlier "
        "flags an effect that is not one.",
        f"Privacy: only teams are shown, those under {n} people together; outside contest rankings nobody is named, "
        'and whoever opted out appears there as "Anonymous participant N".',
    ]


# --- the whole report -------------------------------------------------------------------------------------------


@dataclass
class Report:
    pdf: bytes
    title: str
    filename: str
    body: str  # the mail's text
    timings: Timings


def build(con: duckdb.DuckDBPyConnection, request: ReportRequest) -> Report:
    """The report as a PDF, with its title, file name and mail text; ReportError when it cannot be made."""
    started = time.perf_counter()
    gathered = gather(con, request)
    return finish(gathered, started)


def finish(gathered: Gathered, started: float | None = None) -> Report:
    """Draw the gathered figures and lay the pages out (no database needed any more)."""
    started = started if started is not None else time.perf_counter()
    timings = Timings()
    images = render([print_ready(fig, gathered.request.lang) for _, fig in gathered.figures], timings)
    pdf = layout(gathered, images)
    timings.total_s = time.perf_counter() - started
    request = gathered.request
    return Report(pdf, title(request), filename(request), mail_body(gathered), timings)
