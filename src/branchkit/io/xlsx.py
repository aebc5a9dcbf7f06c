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
from branchkit.io.tables import Report, Sheet, Table

_FIXED_TIME = dt.datetime(2000, 1, 1)
_NUMBER_FORMATS = {"money": "#,##0.00", "score": "0.00", "ratio": "0.00%", "int": "#,##0", "number": "#,##0.##",
                   "date": "yyyy-mm-dd"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_LARGE = 50_000
_WIDTH_SAMPLE = 300


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\ or control characters, at most 31 characters, not starting or
    ending with an apostrophe, not 'History'; a repeat (Excel compares names case-insensitively) gets (2), (3)..."""
    base = _CONTROL_CHARS.sub("", _BAD_SHEET_CHARS.sub("_", title)).strip().strip("'").strip() or "Sheet"
    if base.lower() == "history":
        base = "History_"
    name = _fit(base, 31)
    n = 2
    while name.lower() in used:
        suffix = f"({n})"
        name = _fit(base, 31 - len(suffix)) + suffix
        n += 1
    used.add(name.lower())
    return name


def _fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters without an apostrophe or space left at the end."""
    return text[:limit].rstrip("' ") or "Sheet"


def text_width(text: str) -> int:
    """Display width in Excel character units: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def write_xlsx(report: Report, path: Path, options: WriteOptions) -> list[str]:
    """Write every table of ``report`` as a styled sheet, then its extra sheets; returns warnings."""
    tables = report.sheet_tables()
    large = any(len(t.frame) > _LARGE for t in tables)
    book = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "constant_memory": large, "use_zip64": large, "nan_inf_to_errors": False,
    })
    book.set_properties({"title": report.title(options.label_lang), "author": "branchkit", "company": "",
                         "created": _FIXED_TIME, "comments": "written by branchkit"})
    styles = _Styles(book)
    used: set[str] = set()
    warnings: list[str] = []
    for table in tables + [t for t in report.extra_sheets if isinstance(t, Table)]:
        sheet = book.add_worksheet(sheet_name(table.title(options.label_lang), used))
        warnings += _write_table(sheet, table, styles, options, 0, single=True)
    for extra in report.extra_sheets:
        if isinstance(extra, Sheet):
            sheet = book.add_worksheet(sheet_name(extra.title(options.label_lang), used))
            warnings += _write_blocks(sheet, extra, styles, options)
    book.close()
    return warnings


class _Styles:
    """Cell formats of a workbook, made once; fill colours made on first use."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.base = {"font_name": "等线", "font_size": 10}
        self.by_format = {fmt: book.add_format({**self.base, "num_format": code})
                          for fmt, code in _NUMBER_FORMATS.items()}
        self.by_format["text"] = book.add_format({**self.base, "num_format": "@"})
        self.header = book.add_format({**self.base, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                                       "text_wrap": True, "valign": "top"})
        self.title = book.add_format({**self.base, "bold": True, "font_size": 12})
        self._fills: dict[tuple[str, str], object] = {}

    def column(self, fmt: str) -> object:
        return self.by_format.get(fmt, self.by_format["text"])

    def fill(self, fmt: str, colour: str) -> object:
        key = (fmt, colour)
        if key not in self._fills:
            code = _NUMBER_FORMATS.get(fmt, "@")
            self._fills[key] = self.book.add_format({**self.base, "num_format": code, "bg_color": colour,
                                                     "border": 1, "border_color": "#FFFFFF"})
        return self._fills[key]


def _write_blocks(sheet, extra: Sheet, styles: _Styles, options: WriteOptions) -> list[str]:
    row = 0
    heading = extra.heading(options.label_lang)
    if heading:
        sheet.write_string(0, 0, heading, styles.title)
        row = 2
    warnings: list[str] = []
    for block in extra.blocks:
        sheet.write_string(row, 0, block.title(options.label_lang), styles.title)
        warnings += _write_table(sheet, block, styles, options, row + 1, single=False)
        row += len(block.frame) + 4
    return warnings


def _write_table(sheet, table: Table, styles: _Styles, options: WriteOptions, top: int,
                 single: bool) -> list[str]:
    frame = machine_frame(table, mask=options.masked("xlsx"))
    columns = list(frame.columns)
    formats = [table.format_of(c) for c in columns]
    headers = [table.label(c, options.label_lang) for c in columns]
    for j, (fmt, width) in enumerate(zip(formats, _widths(frame, headers, formats))):
        sheet.set_column(j, j, width, styles.column(fmt) if single else None)
    sheet.write_row(top, 0, headers, styles.header)
    if single:
        sheet.freeze_panes(top + 1, 0)
        if columns:
            sheet.autofilter(top, 0, top + max(len(frame), 1), len(columns) - 1)
    cells = _cells(frame, formats, options.label_lang)
    fills = _fill_columns(table, columns)
    warnings = []
    for i, row in enumerate(zip(*cells) if cells else []):
        row = _cut_long_text(row, options.max_text_chars, table, headers, i, warnings, options)
        if fills is None and single:
            sheet.write_row(top + 1 + i, 0, row)
            continue
        for j, value in enumerate(row):
            colour = fills[j][i] if fills is not None and fills[j] is not None else None
            style = styles.fill(formats[j], colour) if colour else styles.column(formats[j])
            sheet.write(top + 1 + i, j, value, style) if value is not None else sheet.write_blank(
                top + 1 + i, j, None, style)
    if not len(frame) and table.note(options.label_lang):
        sheet.write_string(top + 1, 0, table.note(options.label_lang))
    return warnings


def _fill_columns(table: Table, columns: list[str]) -> list[list[str | None] | None] | None:
    if table.fills is None:
        return None
    fills = table.fills.reindex(index=table.frame.index)
    out = []
    for column in columns:
        if column in fills:
            out.append([v if isinstance(v, str) and v else None for v in fills[column].astype("object")])
        else:
            out.append(None)
    return out


def _cut_long_text(row: tuple, limit: int, table: Table, headers: list[str], i: int, warnings: list[str],
                   options: WriteOptions) -> tuple:
    if not any(isinstance(v, str) and len(v) > limit for v in row):
        return row
    out = list(row)
    for j, value in enumerate(row):
        if isinstance(value, str) and len(value) > limit:
            warnings.append(f"{table.title(options.label_lang)} row {i + 2}, {headers[j]}: text of {len(value)} "
                            f"characters cut to {limit} (an Excel cell holds no more)")
            out[j] = value[:limit]
    return tuple(out)


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
