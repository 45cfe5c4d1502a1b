"""Tables as shown, and as the files people download (CSV and XLSX): one frame gives the page's table, the command
line's and both files, with the same headers and the same numbers. No cell of a file can run as a formula.

`shown_table(rows, columns, lang)` builds that frame from rows and catalogue entries (catalogue.Metric: a header in
each language, a unit, decimals); `ranking_table` does it for a contest ranking. Numbers stay numbers, typed and
rounded by kind (counts and ranks whole, the others to the catalogue's decimals); `decimals` says how each column
is written: on a page (`formatted`), in a CSV (French: ';' and decimal commas) and in an XLSX (number formats).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import xlsxwriter

from pipelines import messages
from pipelines.analytics import catalogue
from pipelines.analytics.catalogue import Metric
from pipelines.analytics.contests import Ranking
from pipelines.analytics.privacy import OTHER_TEAMS

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WHOLE = ("rank", "count")  # units written as whole numbers


def _csv_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice for CSV)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


@dataclass
class Table:
    """A table as shown: `frame` has the human headers; `decimals` maps each numeric header to its decimals (text
    columns are absent); `title` lines go above the table in an XLSX."""

    frame: pd.DataFrame
    decimals: dict[str, int] = field(default_factory=dict)
    title: list[str] = field(default_factory=list)


def _typed(values: list[Any], metric: Metric) -> pd.Series:
    """A column's values by kind: text as text ("" for none), whole numbers as integers, the others rounded."""
    if metric.unit == "text":
        return pd.Series(["" if v is None else str(v) for v in values], dtype=object)
    numbers = pd.Series([math.nan if v is None else float(v) for v in values], dtype="float64")
    if metric.unit in WHOLE or metric.decimals == 0:
        if numbers.dropna().map(float.is_integer).all():
            return numbers.astype("Int64")
        return numbers  # not whole after all (never in real data): shown as it is, not silently rounded
    return numbers.round(metric.decimals)


def shown_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, Metric]], lang: str = "en",
                title: Sequence[str] = ()) -> Table:  # fmt: skip
    """The table shown from `rows`: each column a row key with its catalogue entry (header, unit, decimals)."""
    frame = pd.DataFrame({m.label(lang): _typed([row.get(key) for row in rows], m) for key, m in columns})
    decimals = {m.label(lang): (0 if m.unit in WHOLE else m.decimals) for _, m in columns if m.unit != "text"}
    return Table(frame, decimals, list(title))


def ranking_columns(r: Ranking) -> list[tuple[str, Metric]]:
    """A ranking's columns with their catalogue entries: the value is the criterion's (by team, per member where
    it is a count)."""
    value = catalogue.CRITERIA[r.criterion]
    if r.by == "team" and r.criterion in catalogue.PER_MEMBER:
        value = catalogue.PER_MEMBER[r.criterion]
    return [(key, value if key == "value" else catalogue.COLUMNS[key]) for key in r.columns]


def ranking_table(r: Ranking, lang: str = "en") -> Table:
    """A contest ranking as shown: human headers in `lang`, anonymous people named in `lang` with no id, the
    group of small teams named in `lang`."""
    rows = [
        {**row, "name": catalogue.anonymous(row["anonymous"], lang)} if row.get("anonymous") is not None else row
        for row in r.rows
    ]
    rows = [{**row, "team": messages.translate(row["team"], lang)} if row.get("team") == OTHER_TEAMS else row
            for row in rows]  # fmt: skip
    c = r.contest
    value = ranking_columns(r)[r.columns.index("value")][1].label(lang)
    dates = f"{c.starts_on.isoformat()} → {c.ends_on.isoformat()}"
    return shown_table(rows, ranking_columns(r), lang, [f"{c.name} ({c.contest_id})", f"{dates}: {value}"])


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _number(value: Any, decimals: int | None, lang: str) -> str:
    """A number as a CSV cell: its decimals, a decimal comma in French, no thousands separator (Excel reads it)."""
    if _missing(value):
        return ""
    if decimals is None:
        text = str(value)
    elif isinstance(value, float) and not value.is_integer() and decimals == 0:
        text = repr(value)  # a "whole" column that is not whole: as it is (see _typed)
    else:
        text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if lang == "fr" else text


def formatted(value: Any, decimals: int, lang: str) -> str:
    """A number as a page shows it: 1,234.57 in English, 1 234,57 in French; empty when there is none."""
    if _missing(value):
        return ""
    if isinstance(value, float) and not value.is_integer() and decimals == 0:
        return repr(value)
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def table_csv(table: Table | pd.DataFrame, lang: str = "en") -> bytes:
    """A table as shown, as CSV that Excel opens in columns: UTF-8 with BOM (accents), and in French ';' between
    cells and decimal commas, as French Excel expects; no cell can run as a formula."""
    if isinstance(table, pd.DataFrame):
        table = Table(table)
    frame = table.frame
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c].dtype)
               and not pd.api.types.is_bool_dtype(frame[c].dtype)}  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang == "fr" else ",", lineterminator="\r\n")
    writer.writerow([_csv_safe(str(c)) for c in frame.columns])
    cells = []  # column by column: pandas' text columns (Arrow) give their values a hundred times faster whole
    for i, c in enumerate(frame.columns):
        values = frame.iloc[:, i].tolist()
        if c in numeric:
            cells.append([_number(v, table.decimals.get(c), lang) for v in values])
        else:
            cells.append([_csv_safe("" if v is None else v) for v in values])
    writer.writerows(zip(*cells, strict=True))
    return out.getvalue().encode("utf-8-sig")


def table_xlsx(table: Table, sheet_name: str = "Table") -> bytes:
    """A table as shown, under its title lines: a frozen, styled header, real numbers with number formats (Excel
    writes them the reader's way), text as text: no live formula."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    book = xlsxwriter.Workbook(buffer, options)
    sheet = book.add_worksheet(sheet_name)
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF", "border": 1})
    formats = {d: book.add_format({"num_format": "0." + "0" * d if d else "0"}) for d in set(table.decimals.values())}
    for line, text in enumerate(table.title[:2]):
        sheet.write_string(line, 0, text, title if line == 0 else None)
    first = 3  # the header's row, under the title lines and a blank one
    frame = table.frame
    widths = [len(str(h)) for h in frame.columns]
    for col, text in enumerate(frame.columns):
        sheet.write_string(first, col, str(text), header)
    rows = zip(*(frame.iloc[:, i].tolist() for i in range(frame.shape[1])), strict=True)  # whole columns (table_csv)
    for i, row in enumerate(rows, start=first + 1):
        for col, (name, value) in enumerate(zip(frame.columns, row, strict=True)):
            if _missing(value) or (isinstance(value, str) and not value):
                sheet.write_blank(i, col, None)
                continue
            if isinstance(value, str):
                sheet.write_string(i, col, value)
            else:
                decimals = table.decimals.get(name)
                sheet.write_number(i, col, float(value), formats[decimals] if decimals is not None else None)
            widths[col] = max(widths[col], len(str(value)))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(width + 2, 60))
    sheet.freeze_panes(first + 1, 0)
    book.close()
    return buffer.getvalue()


def to_csv(r: Ranking, lang: str = "en") -> bytes:
    """The ranking as shown, as CSV for Excel in `lang`."""
    return table_csv(ranking_table(r, lang), lang)


def to_xlsx(r: Ranking, lang: str = "en") -> bytes:
    """The ranking as shown, under the contest's name and dates, as an Excel workbook."""
    return table_xlsx(ranking_table(r, lang), "Ranking")
