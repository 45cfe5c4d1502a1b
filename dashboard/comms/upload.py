"""Upload (comms): preview what the files would do on a copy of the database, then load them for real."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.confirm import plain
from dashboard.data import LoadResult
from dashboard.i18n import colon, num, t

st.title(t("Upload"))
auth.require_comms()

# After a load the uploader starts empty (a new key): the preview of files already loaded is gone.
files = st.file_uploader(
    t("Export files (CSV, TXT, XLSX)"),
    accept_multiple_files=True,
    type=["csv", "txt", "xlsx"],
    max_upload_size=data.max_upload_mb(),
    key=f"files_{st.session_state.get('uploads_done', 0)}",
)
left, middle, right = st.columns(3)
export_date = left.date_input(
    t("Date of the export"),
    value=None,
    format=data.date_format(),
    help=t("Leave empty: taken from a LinkedIn file's name, else today."),
    key="export_date",
)
kind = middle.selectbox(
    t("Kind"),
    [None, *data.kinds()],
    format_func=lambda k: t("Detect from the headers") if k is None else data.kind_name(k),
    help=t("Only when the headers fit several kinds, or none for sure: the refusal says so."),
    key="kind",
)
author = (
    right.text_input(
        t("Employee (files without authors)"),
        help=t(
            "For one person's own export: LinkedIn's Shares.csv, a creator analytics export. Employee id, e-mail "
            "or name."
        ),  # fmt: skip
        key="author",
    ).strip()
    or None
)


def outcome(r: LoadResult, preview: bool) -> str:
    """One file's outcome in words: loaded (with its counts), the same file again, or refused and the whole reason."""
    if r.refused:
        return f"{r.file}{colon()}{t('refused')}. {t(r.refused)}"
    if r.already_loaded:
        return f"{r.file}{colon()}" + t("the same file as an earlier upload: nothing would change.")
    counts = [(r.loaded, t("new rows")), (r.updated, t("updated")), (r.unchanged, t("unchanged")),
              (r.quarantined, t("in quarantine (below)"))]  # fmt: skip
    said = ", ".join(f"{num(n, 0)} {label}" for n, label in counts if n)
    verb = t("would load") if preview else t("loaded")
    return f"{r.file} ({data.kind_name(r.kind)}){colon()}{verb} {num(r.rows_read, 0)} {t('rows')}{colon()}{said}."


def read_as(dialect: dict) -> str:
    """How the file was read, in words: the table, the separator, the decimal mark, the dates, the encoding."""
    said = []
    if dialect.get("sheet"):
        said.append(t("sheet") + f" “{dialect['sheet']}”")
    if dialect.get("delimiter"):
        said.append(t("columns separated by") + f" “{dialect['delimiter']}”")
    if dialect.get("encoding"):
        said.append(t("encoding") + f" {dialect['encoding']}")
    said.append(t("decimal comma") if dialect.get("decimal_comma") else t("decimal point"))
    if dialect.get("date_order"):
        order = t("dates day first") if dialect["date_order"] == "dmy" else t("dates month first")
        why = dialect.get("date_order_reason")
        said.append(order + (f" ({t(why)})" if why else ""))
    if dialect.get("header_row", 1) != 1:
        said.append(t("headers on line") + f" {dialect['header_row']}")
    return t("Read as") + ": " + ", ".join(said) + "."


def show(results: list[LoadResult], lines: pd.DataFrame | None, preview: bool) -> None:
    """One line per file with its outcome; how each was read and its notes; the quarantined lines themselves."""
    for r in results:  # as text, never markdown: a file's name is the uploader's
        icon = "⛔" if r.refused else "ℹ️" if r.already_loaded else "✅"
        st.text(f"{icon} {outcome(r, preview)}")
    for r in results:
        if r.refused or not (r.notes or r.dialect):
            continue
        with st.expander(t("How it was read") + f": {plain(r.file)}"):
            st.text(read_as(r.dialect))
            for note in r.notes:
                st.text(t(note))
    if lines is not None and len(lines):
        st.markdown(f"**{t('Lines that would go to quarantine') if preview else t('Lines in quarantine')}**")
        headers = {"file": t("File"), "line": t("Line"), "raw": t("Text"), "reason": t("Reason")}
        shown = lines[list(headers)].head(data.ROWS_SHOWN).assign(reason=lambda f: f["reason"].map(t))
        st.dataframe(shown.rename(columns=headers), hide_index=True, width="stretch",
                     column_config={t("Reason"): st.column_config.TextColumn(width="large")})  # fmt: skip
        if more := data.more_rows(len(lines), data.ALL_IN_DOWNLOAD):
            st.caption(more)
        st.download_button(
            t("Download these lines (CSV, to fix in Excel)"), data=data.lines_csv(lines, headers),
            file_name="quarantine.csv", mime="text/csv", key="quarantine_download",
        )  # fmt: skip


if files:
    contents = [(f.name, f.getvalue()) for f in files]
    key = (tuple((name, len(content)) for name, content in contents), export_date, kind, author)
    if st.session_state.get("preview_key") != key:
        st.session_state["preview"] = data.preview(contents, export_date, kind, author)
        st.session_state["preview_key"] = key
        st.session_state.pop("loaded", None)
    results, lines = st.session_state["preview"]
    st.subheader(t("Preview (nothing written yet)"))
    show(results, lines, preview=True)
    # Only the files that would change something load: a refused file or the same file again would only add a line
    # to the ledger. The refused ones are said again with the outcome.
    changes = [i for i, r in enumerate(results)
               if not r.refused and not r.already_loaded and (r.loaded or r.updated or r.quarantined)]  # fmt: skip
    if changes:
        label = t("Confirm and load") + (f" ({len(changes)}/{len(results)})" if len(changes) < len(results) else "")
        if st.button(label, type="primary", key="confirm"):
            loaded = data.load([contents[i] for i in changes], export_date, kind, author)
            st.session_state["loaded"] = loaded + [r for i, r in enumerate(results) if i not in changes]
            st.session_state["loaded_lines"] = lines
            st.session_state.pop("preview_key", None)
            st.session_state["uploads_done"] = st.session_state.get("uploads_done", 0) + 1
            st.rerun()
    else:
        st.info(t("Nothing would change: there is nothing to confirm."))

if done := st.session_state.get("loaded"):
    st.subheader(t("Loaded"))
    show(done, st.session_state.get("loaded_lines"), preview=False)
    refused = [r for r in done if r.refused]
    if not refused:
        st.success(t("Loaded. Every page now shows the new data."))
    elif len(refused) < len(done):
        st.warning(f"{len(done) - len(refused)}/{len(done)} " + t("files loaded; the refused ones wrote nothing."))
    else:
        st.error(t("Refused: nothing was written."))
