"""What every command hands to the output layer: tables, sections, a report.

A ``Table`` is a frame with canonical English column names and, per column, a
display format; labels in Chinese or English come from ``branchkit.labels``
unless the table carries its own. A ``Report`` groups tables (and charts) in
sections: xlsx writes every table as a sheet, html renders the sections, and
csv/json write the report's primary table, the command's machine contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal

import numpy as np
import pandas as pd
from markupsafe import Markup

if TYPE_CHECKING:
    from branchkit.io.book import Book

Format = Literal["text", "id", "sensitive", "money", "score", "ratio", "int", "number", "date", "bool"]


@dataclass
class Table:
    """One table: a frame in canonical columns, its titles, and how to show each column."""

    key: str
    frame: pd.DataFrame
    title_zh: str
    title_en: str
    formats: dict[str, Format] = field(default_factory=dict)
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Said beside the table when it has rows (how to read it).
    note_zh: str = ""
    note_en: str = ""
    #: Said instead of the table when it has no rows ("no customer is overdue"): an empty state is
    #: shown only when this very frame is empty, so the sentence cannot contradict the table.
    empty_zh: str = ""
    empty_en: str = ""
    #: Columns of coded values -> their scheme in ``labels.VALUES``: xlsx/html show the words, csv/json
    #: the keys. A column not named takes ``labels.VALUE_COLUMNS``'s scheme by its name; ``""`` keeps the
    #: codes (a dedicated code column).
    codes: dict[str, str] = field(default_factory=dict)
    #: Optional cell colours: same index as ``frame``, a subset of its columns, "#RRGGBB" or null.
    fills: pd.DataFrame | None = None
    #: Optional: ``frame`` is rows ``start:`` of this bigger frame, cut in turn into sibling tables (one
    #: per keeper, say); a writer may then prepare the bigger frame once instead of joining the pieces.
    part_of: tuple[pd.DataFrame, int] | None = None
    #: xlsx: fixed widths (Excel character units) of some columns, e.g. one width for a Gantt's days.
    widths: dict[str, float] = field(default_factory=dict)
    #: xlsx: columns whose text wraps within the column's width (the row grows) instead of being cut.
    wrap: tuple[str, ...] = ()
    #: xlsx: header cell colours by column, "#RRGGBB" (e.g. weekends and holidays on a Gantt).
    header_fills: dict[str, str] = field(default_factory=dict)
    #: Optional, csv/json tables only: the positions of ``frame``'s rows in the order they are written (a
    #: million-row table is not copied into its order: the csv writer takes each chunk's rows from here).
    order: np.ndarray | None = None

    def ordered_frame(self) -> pd.DataFrame:
        """``frame`` with its rows in order (0..n-1 index when ``order`` reorders them)."""
        if self.order is None:
            return self.frame
        return self.frame.take(self.order).reset_index(drop=True)

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def note(self, lang: str) -> str:
        return self.note_zh if lang == "zh" else self.note_en

    def empty(self, lang: str) -> str:
        """What is said in place of the table when it has no rows (a plain "no rows" by default)."""
        text = self.empty_zh if lang == "zh" else self.empty_en
        return text or ("无数据" if lang == "zh" else "No rows.")

    def format_of(self, column: str) -> Format:
        """The display format of a column: declared, else from the shared label table, else by dtype."""
        from branchkit.labels import column_format

        if column in self.formats:
            return self.formats[column]
        known = column_format(column)
        if known is not None:
            return known
        dtype = self.frame[column].dtype
        if pd.api.types.is_bool_dtype(dtype):
            return "bool"
        if pd.api.types.is_integer_dtype(dtype):
            return "int"
        if pd.api.types.is_float_dtype(dtype):
            return "number"
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return "date"
        return "text"

    def scheme_of(self, column: str) -> str:
        """The scheme of a column's coded values ("" when its values are shown as they are)."""
        from branchkit.labels import VALUE_COLUMNS

        if column in self.codes:
            return self.codes[column]
        return VALUE_COLUMNS.get(column, "")

    def label(self, column: str, lang: str) -> str:
        """The header shown for a column in ``lang`` (canonical name when unknown)."""
        from branchkit.labels import column_label

        if column in self.labels:
            zh, en = self.labels[column]
            return zh if lang == "zh" else en
        return column_label(column, lang)


@dataclass
class Sheet:
    """An xlsx sheet holding several tables stacked (e.g. a keeper's ledger: profile, then follow-up)."""

    title_zh: str
    title_en: str
    blocks: list[Table]
    heading_zh: str = ""       # an optional line above the first block (e.g. the keeper's name)
    heading_en: str = ""
    #: The block whose header row is printed at the top of every page (a Gantt's day row), or None;
    #: the sheet's panes freeze below it and right of its first ``freeze_columns`` columns.
    repeat_header: int | None = None
    freeze_columns: int = 0
    #: The branch the sheet is about, for its page header ("": the blocks' branch column says, if any).
    scope: str = ""

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def heading(self, lang: str) -> str:
        return self.heading_zh if lang == "zh" else self.heading_en


@dataclass
class Section:
    """A part of an html report: a heading, some text, charts and tables."""

    title_zh: str
    title_en: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Markup] = field(default_factory=list)
    text_zh: str = ""
    text_en: str = ""
    anchor: str = ""
    page_break: bool = False
    #: Sections of one group (a branch of the month-end pack) share a heading and a table-of-contents entry.
    group: str = ""
    #: False: html only (e.g. printable per-person statements whose xlsx form is a ``Sheet``).
    in_xlsx: bool = True

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def text(self, lang: str) -> str:
        return self.text_zh if lang == "zh" else self.text_en


@dataclass
class LaterSections:
    """Sections html builds as it renders them, after the report's own: ``build(shared, item)`` gives
    an item's sections (a branch's pages), in the order of ``items``. Built where they are rendered (a
    worker with ``--jobs``), they never cross processes as objects, only as HTML; one item's are alive
    at a time.

    Each item's sections are one group, apart from those before and after it (a branch's); they carry
    their own anchors."""

    build: Callable[[Any, Any], list[Section]]
    shared: Any
    items: list[Any]

    def sections(self, item: Any) -> list[Section]:
        """The sections of ``item``."""
        return self.build(self.shared, item)


@dataclass
class Report:
    """Everything a command writes; ``primary`` names the table csv/json carry."""

    title_zh: str
    title_en: str
    sections: list[Section]
    primary: str
    subtitle: str = ""
    notes: list[str] = field(default_factory=list)
    #: xlsx only, after the tables: a table, tables stacked on one sheet, or a printable book
    #: (``io.book.Book``, one sheet each).
    extra_sheets: list[Table | Sheet | Book] = field(default_factory=list)
    #: The month (or quarter) the report is about, as printed in page headers ("" when it has none).
    period: str = ""
    #: html only: sections built as they are rendered, after ``sections`` (the month-end pack's branch pages).
    later: LaterSections | None = None
    #: xlsx only, after ``extra_sheets``: books made when the workbook is written (the keeper books), so
    #: the sheets before them are deflated while they are made (``all_extra_sheets`` makes them now).
    later_books: Callable[[], list[Book]] | None = None

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def tables(self) -> list[Table]:
        """Every table of the sections, in order, without repeats (a table may appear in two sections)."""
        seen, out = set(), []
        for table in [t for s in self.sections for t in s.tables]:
            if id(table) not in seen:
                seen.add(id(table))
                out.append(table)
        return out

    def sheet_tables(self) -> list[Table]:
        """The section tables xlsx writes as sheets (sections marked html-only left out)."""
        shown = {id(t) for s in self.sections if s.in_xlsx for t in s.tables}
        return [t for t in self.tables() if id(t) in shown]

    def all_extra_sheets(self) -> list[Table | Sheet | Book]:
        """``extra_sheets``, then the later books, made now."""
        return self.extra_sheets + (self.later_books() if self.later_books is not None else [])

    def primary_table(self) -> Table:
        """The table whose rows csv/json carry."""
        for table in self.tables() + [t for t in self.extra_sheets if isinstance(t, Table)]:
            if table.key == self.primary:
                return table
        raise KeyError(f"no table {self.primary!r} in the report")
