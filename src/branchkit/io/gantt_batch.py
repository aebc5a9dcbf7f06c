"""Many Gantt sheets read at once: ``gantt.read_gantt``'s work on the cells done in one pass over all.

A network's Gantt workbook holds one small sheet per manager (1,750 sheets of about ten rows for 200
branches). Read one after another, pandas' fixed cost per sheet (a series per column, a frame per step)
was most of the month report's reading. Here each sheet's head is read as ``read_gantt`` reads it
(``sheet_start``: layout, month, manager), then the cells of every sheet are gathered into one set of
columns, converted, joined to their rows and dated once, and cut back into one frame per sheet. The
converters used (``to_text``, ``to_id``, the slip patterns) work cell by cell, so a cell converts to the
same value in a column of many sheets as in its own. Each sheet's problems are built by ``read_gantt``'s
own functions on its slice, and only for the sheets where one fires (most sheets have none).

The frames, notes and problems are those of ``read_gantt`` called sheet after sheet (the tests compare
them); a sheet this path does not take (a CSV grid, one without data rows or day columns in them) is
read by ``read_gantt`` itself, in its place in the order.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from branchkit.io import convert
from branchkit.io.gantt import (_FOOTER, SheetStart, _cell_problems, _cells_series, log_sheet, read_gantt,
                                sheet_start)
from branchkit.io.gantt_slips import slip_dates, with_slips
from branchkit.io.grid import Grid, padded
from branchkit.io.ledger import SourceNote
from branchkit.models.ledgers import empty_frame
from branchkit.problems import ProblemLog
from branchkit.rules import Rules

if TYPE_CHECKING:
    from branchkit.io.discover import LayoutContext

_FIELDS = ("customer_name", "goal", "staff_id", "customer_id")


@dataclass
class _Sheet:
    """A sheet taken by the batch: its start, its data cells as a 2-D array, and their sheet rows."""

    grid: Grid
    start: SheetStart
    cells: np.ndarray            # rows from the layout's data_start on, padded with '' to one width
    row0: np.ndarray             # 0-based sheet row of each


def read_gantts(grids: list[Grid], rules: Rules, log: ProblemLog,
                context: "LayoutContext") -> list[tuple[pd.DataFrame, SourceNote]]:
    """Read Gantt sheets into PlanDay frames, one per sheet, ``_rid`` running on from ``context.rid_start``
    through the sheets in order; what ``read_gantt`` gives and logs called on each in turn."""
    given = context.options.get("month")
    starts: list[SheetStart | None] = []
    alone: list[SheetStart | None] = []       # a sheet's start already read, for read_gantt (read it once)
    taken: list[_Sheet] = []
    for grid in grids:
        start = sheet_start(grid, rules, given) if grid.frame is None and grid.sheet is not None else None
        sheet = _taken(grid, start) if start is not None and start.problem is None else None
        starts.append(start if start is None or start.problem is not None or sheet is not None else None)
        alone.append(start)
        if sheet is not None:
            taken.append(sheet)
    batch = _Batch(taken, rules) if taken else None
    out, rid, k = [], context.rid_start, 0
    for grid, start, head in zip(grids, starts, alone, strict=True):
        if start is None:            # not for the batch: read on its own, in its place
            frame, note = read_gantt(grid, rules, log, replace(context, rid_start=rid), head)
        elif start.problem is not None:
            log.add(start.problem)
            frame, note = empty_frame("plan"), start.note
        else:
            frame, note = batch.sheet(k, rid, log), start.note
            k += 1
        out.append((frame, note))
        rid += len(frame)
    return out


def _taken(grid: Grid, start: SheetStart) -> _Sheet | None:
    """The sheet's data cells as one array, or None when it is not a plain grid the batch can take
    (no data rows, rows of nested values, no day column or no key column within the data's width)."""
    layout = start.layout
    rows = grid.rows[layout.data_start:]
    width = max(map(len, rows), default=0)
    if width == 0 or min(layout.fields.values()) >= width or not any(j < width for j in layout.days):
        return None
    rows = padded(rows, width)
    cells = np.empty((len(rows), width), dtype=object)
    try:
        cells[:] = rows
    except ValueError:           # a cell holding a list: never from our readers
        return None
    row0 = np.arange(layout.data_start, len(grid.rows), dtype="int64") if grid.row_at is None else \
        np.asarray(grid.row_at[layout.data_start:len(grid.rows)], dtype="int64")
    return _Sheet(grid, start, cells, row0)


class _Batch:
    """The sheets' rows and day cells, converted and joined once; ``sheet(k, ...)`` cuts sheet ``k`` out."""

    def __init__(self, sheets: list[_Sheet], rules: Rules) -> None:
        self.sheets = sheets
        self.rows = _rows(sheets)
        self.cells = _day_cells(sheets, rules)
        self.frame, self.kept, self.flags = _tidy(sheets, self.rows, self.cells)
        self.row_edges = _edges(self.rows["sheet"].to_numpy(), len(sheets))
        self.cell_edges = _edges(self.cells["sheet"].to_numpy(), len(sheets))
        self.kept_edges = _edges(self.kept["sheet"].to_numpy(), len(sheets))
        self.without_days = _rows_without_days_flags(self.rows, self.cells, len(sheets))

    def sheet(self, k: int, rid: int, log: ProblemLog) -> pd.DataFrame:
        """Sheet ``k``'s frame (row ids from ``rid``), its problems logged as ``read_gantt`` logs them."""
        sheet = self.sheets[k]
        a, b = self.kept_edges[k], self.kept_edges[k + 1]
        frame = self.frame.iloc[a:b]
        frame.index = pd.RangeIndex(b - a)          # not reset_index: it copied every column first
        frame["_rid"] = np.arange(rid, rid + len(frame), dtype="int64")
        problems = []
        if self.flags[k]:
            cells = self.kept.iloc[a:b].reset_index(drop=True)
            before = frame.assign(slipped_to=cells["slipped_to"])      # the slip dates before the fix below
            problems = _cell_problems(before, cells, sheet.start.layout, sheet.start.month)
        log_sheet(sheet.start, frame, problems, lambda: self._rows_and_cells(k), log)
        return frame

    def _rows_and_cells(self, k: int) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """Sheet ``k``'s rows (indexed by sheet row) and day cells, when it has a named row without a day."""
        if not self.without_days[k]:
            return None
        rows = self.rows.iloc[self.row_edges[k]:self.row_edges[k + 1]]
        cells = self.cells.iloc[self.cell_edges[k]:self.cell_edges[k + 1]]
        return rows.set_axis(pd.Index(rows["row0"].to_numpy(), dtype="int64")), cells


def _edges(sheet: np.ndarray, count: int) -> np.ndarray:
    """Where each sheet's part of a column sorted by sheet starts (and the last ends)."""
    return np.searchsorted(sheet, np.arange(count + 1))


def _rows(sheets: list[_Sheet]) -> pd.DataFrame:
    """Per data row of every sheet: sheet, sheet row, customer name and id, goal, manager column, skip."""
    sizes = [len(s.cells) for s in sheets]
    sheet = np.repeat(np.arange(len(sheets)), sizes)
    fields = {}
    for name in _FIELDS:
        parts = [s.cells[:, j] if (j := s.start.layout.fields.get(name)) is not None and j < s.cells.shape[1]
                 else np.full(len(s.cells), None, dtype=object) for s in sheets]
        values = pd.Series(np.concatenate(parts), dtype=object)
        fields[name] = (convert.to_id if name == "customer_id" else convert.to_text)(values)[0]
    frame = pd.DataFrame({"sheet": sheet, "row0": np.concatenate([s.row0 for s in sheets]), **fields})
    # The row's leading text: the first text of its cells up to the key column (the leftmost field).
    keys = [min(s.start.layout.fields.values()) + 1 for s in sheets]
    lead_cells = np.concatenate([s.cells[:, :key].ravel() for s, key in zip(sheets, keys, strict=True)])
    lead_row = np.repeat(np.arange(len(frame)), np.repeat(keys, sizes))
    lead_text = convert.to_text(pd.Series(lead_cells, dtype=object))[0]
    found = lead_text.notna().to_numpy()
    first_row, first_at = np.unique(lead_row[found], return_index=True)
    lead = pd.Series(pd.NA, index=frame.index, dtype="str")
    lead.iloc[first_row] = lead_text[found].iloc[first_at].to_numpy()
    labels = [s.start.layout.labels.get(s.start.layout.fields.get("customer_name", -1), "\0") for s in sheets]
    header_again = frame["customer_name"].eq(pd.Series(np.repeat(labels, sizes), dtype="str"))
    frame["skip"] = lead.fillna("").str.match(_FOOTER) | header_again.fillna(False)
    return frame


def _day_cells(sheets: list[_Sheet], rules: Rules) -> pd.DataFrame:
    """Every non-empty day cell of every sheet, in sheet, row, column order: its row (in ``_rows``),
    sheet row, column, day as written, text and slip note."""
    values, row, col, day = [], [], [], []
    first = 0
    for s in sheets:
        days = [j for j in s.start.layout.days if j < s.cells.shape[1]]
        values.append(s.cells[:, days].ravel())            # row by row: already in the order wanted
        row.append(np.repeat(np.arange(first, first + len(s.cells)), len(days)))
        col.append(np.tile(np.asarray(days, dtype="int64"), len(s.cells)))
        day.append(np.tile(np.asarray([s.start.layout.days[j] for j in days], dtype="int64"), len(s.cells)))
        first += len(s.cells)
    cells = np.concatenate(values)
    filled = ~(pd.isna(cells) | (cells == ""))
    action = convert.to_text(_cells_series(cells[filled]))[0]
    kept = action.notna().to_numpy()
    sizes = np.asarray([len(s.cells) for s in sheets])
    row = np.concatenate(row)[filled][kept]
    long = pd.DataFrame({"sheet": np.repeat(np.arange(len(sheets)), sizes)[row], "row": row,
                         "row0": np.concatenate([s.row0 for s in sheets])[row],
                         "col": np.concatenate(col)[filled][kept],
                         "action": action[kept].astype("str").to_numpy(),
                         "day": np.concatenate(day)[filled][kept]})
    return with_slips(long, rules)


def _tidy(sheets: list[_Sheet], rows: pd.DataFrame,
          cells: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """The plan days of every sheet's marked cells (rows passed over dropped), the kept cells (with
    their slip dates before a slip to an earlier day is cleared), and which sheets have a cell problem."""
    kept = cells[~rows["skip"].to_numpy(dtype=bool)[cells["row"].to_numpy()]].reset_index(drop=True)
    sheet = kept["sheet"].to_numpy()
    info = rows.iloc[kept["row"].to_numpy()].reset_index(drop=True)
    managers = pd.Series([s.start.manager or pd.NA for s in sheets], dtype="str")
    staff = info["staff_id"].fillna(pd.Series(managers.to_numpy()[sheet], dtype="str"))
    months = [s.start.month for s in sheets]
    dates = _dates(kept["day"], months, sheet)
    plan_year = np.array([m[0] if m else 0 for m in months], dtype="int64")[sheet]
    plan_month = np.array([m[1] if m else 0 for m in months], dtype="int64")[sheet]
    slip_to = slip_dates(kept, plan_year, plan_month)
    frame = pd.DataFrame({
        "staff_id": staff.astype("str"), "customer_id": info["customer_id"].astype("str"),
        "customer_name": info["customer_name"].astype("str"), "goal": info["goal"].astype("str"),
        "date": dates, "action": kept["action"].astype("str"), "slipped_to": slip_to,
        "slipped": kept["slipped"].astype("boolean"),
    })
    frame["_file"] = pd.Series([s.grid.file for s in sheets], dtype="str").to_numpy()[sheet]
    frame["_file"] = frame["_file"].astype("str")
    frame["_sheet"] = pd.Series(np.asarray([s.grid.sheet for s in sheets], dtype=object)[sheet], dtype="str")
    frame["_row"] = kept["row0"].to_numpy(dtype="int64") + 1
    frame["_rid"] = np.zeros(len(frame), dtype="int64")          # each sheet's, when it is cut out
    kept["slipped_to"] = slip_to
    flags = _cell_problem_flags(frame, kept, months, sheet, len(sheets))
    late = slip_to.to_numpy() <= dates.to_numpy()      # NaT on either side compares false
    if late.any():
        frame.loc[late, "slipped_to"] = pd.NaT
    return frame, kept, flags


def _dates(days: pd.Series, months: list[tuple[int, int] | None], sheet: np.ndarray) -> pd.Series:
    """Dates of each cell's sheet's month for day numbers; NaT where the day is not in it (or no month)."""
    first = np.array([np.datetime64(f"{m[0]:04d}-{m[1]:02d}-01", "s") if m else np.datetime64("NaT", "s")
                      for m in months], dtype="datetime64[s]")
    last = np.array([calendar.monthrange(*m)[1] if m else 0 for m in months], dtype="int64")
    number = days.to_numpy(dtype="float64", na_value=np.nan)
    ok = (number >= 1) & (number <= last[sheet])
    out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[s]")
    out[ok] = first[sheet][ok] + (number[ok].astype("int64") - 1) * np.timedelta64(1, "D")
    return pd.Series(out, index=days.index)


def _cell_problem_flags(frame: pd.DataFrame, kept: pd.DataFrame, months: list[tuple[int, int] | None],
                        sheet: np.ndarray, count: int) -> np.ndarray:
    """Which sheets have a cell ``gantt._cell_problems`` reports (the same tests, over every sheet)."""
    hit = frame["customer_name"].isna().to_numpy() & frame["customer_id"].isna().to_numpy()
    has_month = np.array([m is not None for m in months], dtype=bool)[sheet]
    date, slip_to = frame["date"].to_numpy(), kept["slipped_to"].to_numpy()
    no_day = np.isnat(date)
    slip_bad = kept["slip_bad"].to_numpy(dtype=bool)
    hit |= has_month & (no_day | (~no_day & (slip_bad | (slip_to <= date))))
    return np.bincount(sheet[hit], minlength=count) > 0


def _rows_without_days_flags(rows: pd.DataFrame, cells: pd.DataFrame, count: int) -> np.ndarray:
    """Which sheets have a row naming a customer or goal, not passed over, with no day cell."""
    named = (rows["customer_name"].notna() | rows["customer_id"].notna() | rows["goal"].notna()).to_numpy()
    marked = np.zeros(len(rows), dtype=bool)
    marked[cells["row"].to_numpy()] = True
    empty = named & ~rows["skip"].to_numpy(dtype=bool) & ~marked
    return np.bincount(rows["sheet"].to_numpy()[empty], minlength=count) > 0
