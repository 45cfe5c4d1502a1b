"""A contest ranking as the files its organisers download, CSV and XLSX: the table shown, no live formula."""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd
import xlsxwriter

from pipelines.analytics.contests import CRITERIA, Ranking

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice for CSV)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def table_csv(frame: pd.DataFrame, lang: str = "en") -> bytes:
    """A table as shown, as CSV that Excel opens in columns: UTF-8 with BOM (accents), and in French ';' between
    cells and decimal commas, as French Excel expects; no cell can run as a formula."""
    safe = frame.map(_csv_safe)
    text = safe.to_csv(index=False, sep=";" if lang == "fr" else ",", decimal="," if lang == "fr" else ".",
                       lineterminator="\r\n")  # fmt: skip
    return text.encode("utf-8-sig")


def _headers(r: Ranking) -> list[str]:
    labels = {"rank": "Rank", "employee_id": "Employee ID", "name": "Name", "team": "Team", "members": "Members",
              "value": CRITERIA[r.criterion], "posts": "Posts in contest"}  # fmt: skip
    return [labels[c] for c in r.columns]


def to_csv(r: Ranking) -> bytes:
    """The table as shown, in UTF-8 with BOM so that Excel opens accents right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_headers(r))
    for row in r.rows:
        writer.writerow([_csv_safe("" if row[c] is None else row[c]) for c in r.columns])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(r: Ranking) -> bytes:
    """The table as shown, under the contest's name and dates; a frozen, styled header; no live formulas."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    book = xlsxwriter.Workbook(buffer, options)
    sheet = book.add_worksheet("Ranking")
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF", "border": 1})
    number = book.add_format({"num_format": "0.00"})
    c = r.contest
    sheet.write_string(0, 0, f"{c.name} ({c.contest_id})", title)
    sheet.write_string(1, 0, f"{c.starts_on.isoformat()} to {c.ends_on.isoformat()}: {CRITERIA[r.criterion]}")
    headers = _headers(r)
    widths = [len(h) for h in headers]
    for col, text in enumerate(headers):
        sheet.write_string(3, col, text, header)
    for i, row in enumerate(r.rows, start=4):
        for col, key in enumerate(r.columns):
            value = row[key]
            if value is None:
                sheet.write_blank(i, col, None)
            elif isinstance(value, str):
                sheet.write_string(i, col, value)
            else:
                sheet.write_number(i, col, float(value), number if key == "value" else None)
            widths[col] = max(widths[col], len(str(value if value is not None else "")))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(width + 2, 60))
    sheet.freeze_panes(4, 0)
    book.close()
    return buffer.getvalue()
