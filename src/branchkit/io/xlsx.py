"""Styled workbooks for people: one sheet per table, frozen header, filters, fitted widths.

Text from ledgers is always written as a string cell, never as a formula
(xlsxwriter's formula and URL guessing is switched off). Document properties
are fixed so the same input gives the same workbook.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from branchkit.io.display import bool_word, machine_frame
from branchkit.io.output import WriteOptions
from branchkit.io.tables import Report, Table

_FIXED_TIME = dt.datetime(2000, 1, 1)
_NUMBER_FORMATS = {"money": "#,##0.00", "score": "0.00", "ratio": "0.00%", "int": "#,##0", "number": "#,##0.##",
                   "date": "yyyy-mm-dd"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_LARGE = 50_000
_WIDTH_SAMPLE = 300


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters, not 'History'."""
    base = _BAD_SHEET_CHARS.sub("_", title).strip("'") or "Sheet"
    if base.lower() == "history":
        base = "History_"
    name = base[:31]
    n = 2
    while name.lower() in used:
        suffix = f"({n})"
        name = base[:31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def text_width(text: str) -> int:
    """Display width in Excel character units: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def write_xlsx(report: Report, path: Path, options: WriteOptions) -> list[str]:
    """Write every table of ``report`` as a styled sheet; returns warnings."""
    tables = report.tables()
    large = any(len(t.frame) > _LARGE for t in tables)
    book = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "constant_memory": large, "use_zip64": large, "nan_inf_to_errors": False,
    })
    book.set_properties({"title": report.title(options.label_lang), "author": "branchkit", "company": "",
                         "created": _FIXED_TIME, "comments": "written by branchkit"})
    styles = _styles(book)
    used: set[str] = set()
    warnings: list[str] = []
    for table in tables:
        sheet = book.add_worksheet(sheet_name(table.title(options.label_lang), used))
        warnings += _write_table(sheet, table, styles, options)
    book.close()
    return warnings


def _styles(book: xlsxwriter.Workbook) -> dict[str, object]:
    base = {"font_name": "等线", "font_size": 10}
    styles = {fmt: book.add_format({**base, "num_format": code}) for fmt, code in _NUMBER_FORMATS.items()}
    styles["text"] = book.add_format({**base, "num_format": "@"})
    styles["header"] = book.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                                        "text_wrap": True, "valign": "top"})
    return styles


def _write_table(sheet, table: Table, styles: dict, options: WriteOptions) -> list[str]:
    frame = machine_frame(table, mask=options.masked("xlsx"))
    columns = list(frame.columns)
    formats = [table.format_of(c) for c in columns]
    headers = [table.label(c, options.label_lang) for c in columns]
    widths = _widths(frame, headers, formats)
    for j, (fmt, width) in enumerate(zip(formats, widths)):
        sheet.set_column(j, j, width, styles.get(fmt, styles["text"]))
    sheet.write_row(0, 0, headers, styles["header"])
    sheet.freeze_panes(1, 0)
    if columns:
        sheet.autofilter(0, 0, max(len(frame), 1), len(columns) - 1)
    cells = _cells(frame, formats, options.label_lang)
    warnings = []
    limit = options.max_text_chars
    for i, row in enumerate(zip(*cells) if cells else []):
        for j, value in enumerate(row):
            if isinstance(value, str) and len(value) > limit:
                warnings.append(f"{table.title(options.label_lang)} row {i + 2}, {headers[j]}: text of {len(value)} "
                                f"characters cut to {limit} (an Excel cell holds no more)")
                row = row[:j] + (value[:limit],) + row[j + 1:]
        sheet.write_row(i + 1, 0, row)
    if not len(frame) and table.note(options.label_lang):
        sheet.write_string(1, 0, table.note(options.label_lang))
    return warnings


def _cells(frame: pd.DataFrame, formats: list[str], lang: str) -> list[list[object]]:
    """Column lists of Python values xlsxwriter writes as numbers, dates or strings (None = blank)."""
    out = []
    for column, fmt in zip(frame.columns, formats):
        values = frame[column]
        if fmt in ("money", "score", "ratio", "number", "int"):
            numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
            out.append([None if np.isnan(v) else float(v) for v in numbers])
        elif fmt == "date":
            parsed = pd.to_datetime(values, errors="coerce")
            out.append([None if pd.isna(v) else v.to_pydatetime() for v in parsed])
        elif fmt == "bool":
            out.append([bool_word(v, lang) or None for v in values])
        else:
            out.append([None if pd.isna(v) else str(v) for v in values.astype("object")])
    return out


def _widths(frame: pd.DataFrame, headers: list[str], formats: list[str]) -> list[float]:
    widths = []
    sample = frame.head(_WIDTH_SAMPLE)
    for column, header, fmt in zip(frame.columns, headers, formats):
        values = sample[column].dropna().astype("str")
        longest = max((text_width(v) for v in values), default=0)
        if fmt == "money":
            longest += 4
        widths.append(float(min(max(text_width(header) * 0.9 + 2, longest + 2, 6), 60)))
    return widths
