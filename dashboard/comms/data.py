"""Data (comms): the uploads ledger, undo with a confirmation, quarantined rows, reprocess, and coverage."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.confirm import confirm, plain
from dashboard.i18n import colon, day, moment, num, t

st.title(t("Data"))
auth.require_comms()


def undid(result: data.UndoResult) -> str:
    """What an undo changes (or changed), in words."""
    rows = sum(result.removed.values())
    said = (f"{t('Upload')} {result.upload_id} ({result.file}){colon()}{num(rows, 0)} {t('row(s) taken out')}, "
            f"{num(result.restored, 0)} {t('earlier version(s) back')}, {num(result.quarantine_removed, 0)} "
            f"{t('quarantined row(s) dropped')}")  # fmt: skip
    if result.also_undone:
        said += f"; {t('also undone (the same file again)')}{colon()}{', '.join(map(str, result.also_undone))}"
    return said + "."


if undone := st.session_state.pop("undone", None):
    st.success(plain(undid(undone)))
if (reprocessed := st.session_state.pop("reprocessed", None)) is not None:
    loaded = sum(r.loaded + r.updated for r in reprocessed)
    still = sum(r.still_quarantined for r in reprocessed)
    said = (f"{t('Reprocessed')}{colon()}{num(loaded, 0)} {t('row(s) loaded')}, {num(still, 0)} "
            f"{t('still in quarantine')} ({len(reprocessed)} {t('upload(s)')}).")  # fmt: skip
    (st.success if loaded else st.info)(said if loaded else said + " " + t("Nothing new could be loaded."))

SOURCES = {
    "posts": t("Posts"), "engagement snapshots": t("Engagement snapshots"), "incidents": t("Incidents"),
    "contests": t("Contests"), "workshops": t("Workshops"), "file": t("A file (no tool named)"),
    "linkedin page": t("LinkedIn page export"), "linkedin creator": t("LinkedIn creator analytics"),
    "firstup": "Firstup", "everyonesocial": "EveryoneSocial",
}  # fmt: skip
COLUMNS = {
    "source": t("Source"), "first_day": t("First day"), "last_day": t("Last day"), "rows": t("Rows"),
    "posts": t("Posts"), "snapshots": t("Snapshots"), "author": t("Author"), "incidents": t("Incidents"),
    "candidates": t("Candidates"), "since": t("Waiting since"), "upload_id": t("Upload"), "file_name": t("File"),
    "file": t("File"), "kind": t("Kind"), "rows_read": t("Rows read"), "loaded": t("Loaded"),
    "updated": t("Updated"), "unchanged": t("Unchanged"), "quarantined": t("Quarantined"),
    "export_date": t("Export date"), "loaded_at": t("Loaded at"), "loaded_by": t("By"),
    "undone_at": t("Undone at"), "undone_by": t("Undone by"), "duplicate_of": t("Same file as"),
    "line": t("Line"), "reason": t("Reason"), "raw": t("Text"), "status": t("Status"),
}  # fmt: skip


COUNTS = ("rows", "posts", "snapshots", "incidents", "rows_read", "loaded", "updated", "unchanged", "quarantined")
WHEN = {"first_day": day, "last_day": day, "export_date": day, "since": day, "loaded_at": moment,
        "undone_at": moment}  # fmt: skip
MANY_AUTHORS = ("The first {shown} of {total} authors are shown, those with the most rows first. So many authors who "
                "match nobody usually means that the roster is missing or out of date: upload it, then reprocess the "
                "quarantine.")  # fmt: skip


def show(frame: pd.DataFrame, **options: Any) -> None:
    """A table under translated headers: counts, days and times in the page's language, a dash where there is
    none (counts still sort as numbers; the days as text, so a table comes in its own order), a kind by its name."""
    frame = frame.assign(**{c: frame[c].map(lambda v, f=f: f(None if pd.isna(v) else v)) for c, f in WHEN.items()
                            if c in frame})  # fmt: skip
    if "kind" in frame:
        frame["kind"] = frame["kind"].map({k: data.kind_name(k) for k in frame["kind"].unique()})
    counts = {COLUMNS[c]: 0 for c in COUNTS if c in frame}
    st.dataframe(data.shown(data.Table(frame.rename(columns=COLUMNS), counts)), hide_index=True, **options)


def table(rows: list[dict], columns: list[str]) -> None:
    """Rows under translated headers, a source by its name."""
    frame = pd.DataFrame(rows, columns=columns)
    if "source" in frame:
        frame["source"] = frame["source"].map(lambda s: SOURCES.get(s, s))
    if "candidates" in frame:
        frame["candidates"] = frame["candidates"].map(lambda c: ", ".join(c) if c is not None and len(c) else "–")
    show(frame)


st.subheader(t("Coverage"))
cov = data.coverage()
table(cov["sources"], ["source", "first_day", "last_day", "rows"])
cols = st.columns(2)
cols[0].metric(t("Posts without engagement figures"), num(cov["posts_without_engagement"], 0))
cols[1].metric(t("Teams without a charter date"), num(len(cov["teams_without_charter_date"]), 0))
if cov["teams_without_charter_date"]:
    st.text(", ".join(cov["teams_without_charter_date"]))

st.caption(t("Where the posts' figures come from: a figure LinkedIn measured wins over a platform's."))
table(cov["figures_by_source"], ["source", "posts", "snapshots", "first_day", "last_day"])

if decided := st.session_state.pop("decided", None):
    st.success(t("Decided") + f"{colon()}{decided.loaded} " + t("waiting row(s) loaded"))
st.subheader(t("Authors who match nobody"))
st.caption(t("Posts and incidents whose author is nobody in the roster, or several people. Say who they are: "
             "the rows waiting load, and the decision can be undone like an upload."))  # fmt: skip
found = data.authors()
waiting = pd.DataFrame(found["waiting"], columns=["author", "posts", "incidents", "candidates", "since"])
table(found["waiting"][: data.ROWS_SHOWN], ["author", "posts", "incidents", "candidates", "since"])
if more := data.more_rows(len(found["waiting"]), MANY_AUTHORS):  # a roster missing or out of date, most likely
    st.caption(more)
if len(waiting):
    left, right = st.columns(2)
    shown_authors = waiting["author"].tolist()[: data.ROWS_SHOWN]  # those the table shows
    author = left.selectbox(t("Author"), shown_authors, key="author_pick")
    # The roster is searched (the author's own name first), not listed: it may hold 250,000 people.
    search = right.text_input(t("Find them in the roster: name, e-mail or id"), value=author,
                              key=f"author_find_{author}")  # fmt: skip
    people = data.people_like(search)
    NOT_STAFF = ""
    who = right.selectbox(
        t("Is"),
        [NOT_STAFF, *people],
        format_func=lambda i: t("not staff (an agency, the page's admin)") if i == NOT_STAFF else people[i],
        key="author_is",
    )
    if not people:
        right.caption(t("Nobody in the roster matches this search: try another name, an e-mail or an id."))
    elif len(people) == data.PEOPLE_SHOWN:
        right.caption(t("The {n} people most like this search: type more to narrow it.").format(n=len(people)))
    row = waiting[waiting["author"] == author].iloc[0]
    whom = people[who] if who else t("not staff (an agency, the page's admin)")
    consequence = (f"“{author}” → {whom}{colon()}{num(row['posts'], 0)} {t('post(s)')} {t('and')} "
                   f"{num(row['incidents'], 0)} {t('incident(s)')} {t('waiting on this author will load')}. "
                   + t("It can be undone like an upload."))  # fmt: skip
    if confirm("decide", author, consequence, t("Decide")):
        try:
            st.session_state["decided"] = data.decide_author(author, who or None)
        except data.DecisionRefused as error:
            st.error(t(str(error)))
        else:
            st.rerun()
if found["not_staff_posts"]:
    kept = sum(p["posts"] for p in found["not_staff_posts"])
    st.caption(f"{num(kept, 0)} " + t("post(s) by authors who are not staff: kept, counted in no figure."))

st.subheader(t("Uploads"))
ledger = data.ledger()


def status(upload: pd.Series) -> str:
    """In force, undone, or the same file as an earlier upload."""
    if pd.notna(upload["undone_at"]):
        return t("undone")
    return f"{t('same file as')} {int(upload['duplicate_of'])}" if pd.notna(upload["duplicate_of"]) else t("in force")


listed = ledger.assign(status=[status(upload) for _, upload in ledger.iterrows()])[
    ["status", "upload_id", "file_name", "kind", "loaded_at", "rows_read", "loaded", "updated", "unchanged",
     "quarantined", "loaded_by", "export_date", "undone_at", "undone_by"]
]  # fmt: skip
pinned = {COLUMNS[c]: st.column_config.Column(pinned=True) for c in ("upload_id", "file_name")}
pinned[COLUMNS["status"]] = st.column_config.Column(pinned=True, width=150)
show(listed, column_config=pinned)  # the upload and its file stay in sight while the table scrolls sideways
active = ledger[ledger["undone_at"].isna()] if len(ledger) else ledger
if len(active):
    upload_id = st.selectbox(
        t("Upload to undo"),
        active["upload_id"].tolist(),
        format_func=lambda i: f"{i}: {active.loc[active['upload_id'] == i, 'file_name'].iloc[0]}",
        key="undo_id",
    )
    try:
        consequence = undid(data.undo_preview(int(upload_id))) + " " + t("Every figure changes with it.")
    except data.UndoError as error:
        st.error(t(str(error)))
    else:
        if confirm("undo", upload_id, t("Undoing") + " " + consequence, t("Undo this upload")):
            try:
                st.session_state["undone"] = data.undo(int(upload_id))
            except data.UndoError as error:
                st.error(t(str(error)))
            else:
                st.rerun()

st.subheader(t("Quarantine"))
st.caption(
    t("Rows that could not be loaded, with the reason. Reprocess tries them again (say, after a roster upload).")
)
waiting_rows, in_quarantine = data.quarantine()  # the first rows, and how many wait
waiting_rows["reason"] = waiting_rows["reason"].map(t)  # stored in English, shown in the page's language
show(waiting_rows, column_config={COLUMNS["reason"]: st.column_config.TextColumn(width="large")})
if in_quarantine:
    if more := data.more_rows(in_quarantine, data.ALL_IN_DOWNLOAD):
        st.caption(more)
    st.download_button(
        t("Download these lines (CSV, to fix in Excel)"), mime="text/csv", file_name="quarantine.csv",
        data=data.quarantine_csv({c: COLUMNS[c] for c in data.QUARANTINE_COLUMNS}), key="quarantine_all",
    )  # fmt: skip
    consequence = (f"{t('Reprocess')}{colon()}{num(in_quarantine, 0)} {t('quarantined row(s) are validated again')}; "
                   + t("those whose cause is gone load, the others stay here."))  # fmt: skip
    if confirm("reprocess", in_quarantine, consequence, t("Reprocess quarantined rows")):
        st.session_state["reprocessed"] = data.reprocess()
        st.rerun()
