"""The monthly Gantt plan as relationship managers draw it, read into the tidy ``PlanDay`` form.

What is read (DOMAIN §5; SPEC "Reading ledgers as banks keep them"):

- whose plan: a ``客户经理`` (or 工号) column in the grid, else a line above the grid such as
  ``客户经理:张三`` (one cell, or the label and the name in two cells; labels in
  ``[plan] rm_labels``), else the sheet's name (张三, 张三10月计划, 王对公, a staff id 0103), else the
  file's (张三.xlsx);
  written as found, the cross-check resolves it to a staff id;
- a header row with 项目/客户 (or 客户名称, 客户号), 月度工作目标 and the day numbers of the
  month: 1, 2, 5... (weekends absent) or 1..31, also 1日, 10月1日 or real dates, in that row or
  the row under it; a row of weekday names under the days is passed over;
- any non-empty day cell is a planned action and its text the action; a slip note in it
  (``[plan] slip_patterns``: 延迟至15日, 延至15日, →15, ->15) gives the day the action slipped to, one
  naming a month (延迟至11月5日, →11.5, 2026年11月5日) a day of that month (``io.gantt_slips``),
  a slip word without a day (延期) marks it slipped to no known day. The slipped cell's own day is
  a planned day. Cells merged across days carry the same action on each day they cover;
- a plan drawn in colours (an .xlsx sheet none of whose day cells holds text): its coloured day cells
  are its planned days (``colour_marks``; ``[plan] colour_marks``), with a ``plan_marks_by_colour``
  warning;
- the month: the command's ``--month``, else the dates in the day header (the month most are of),
  a title such as ``2026年10月`` above the grid, or the sheet's name. A sheet that says another month
  than ``--month`` (its dated day headers, else its title) is passed over with a warning. Day columns of
  another month than the plan's (a date or 11/3 header of November, an 11月 label over them, a second
  run of day numbers after the month's) are left out with a ``plan_other_month_days`` warning
  (``io.gantt_months``).

Problems: ``plan_rm_missing`` (no manager named), ``plan_month_unknown``, ``plan_other_month``
(warning), ``plan_other_month_days`` (warning), ``plan_marks_by_colour`` (warning),
``plan_day_not_in_month`` (a mark under day 31 in November, or a slip to it), ``plan_slip_before_day``,
``plan_row_without_days`` (warning), ``plan_row_without_customer``.
Each names the cell. Rows of a problem's cells are rejected by ``--skip-invalid``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from branchkit.io import convert
from branchkit.io.gantt_months import MONTH_ONLY as _MONTH_ONLY
from branchkit.io.gantt_months import YEAR_MONTH as _YEAR_MONTH
from branchkit.io.gantt_months import dated_month, label_months, other_month_days, run_offsets
from branchkit.io.gantt_slips import slip_dates, with_slips
from branchkit.io.grid import Grid
from branchkit.io.kinds import GENERIC_SHEET
from branchkit.io.ledger import SourceNote, fill_merged
from branchkit.messages import render
from branchkit.models.aliases import alias_index
from branchkit.models.ledgers import empty_frame
from branchkit.problems import Problem, ProblemLog
from branchkit.rules import Rules
from branchkit.text import fold, header_key, str_series

if TYPE_CHECKING:
    from branchkit.io.discover import LayoutContext

COLUMNS = ["staff_id", "customer_id", "customer_name", "goal", "date", "action", "slipped_to", "slipped"]
_MIN_DAYS = 3
_WEEKDAY = r"(?:周|星期|礼拜)?[一二三四五六日天]|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?"
_DAY = re.compile(r"^(?:(?P<y>\d{4})\s*[年/.\-]\s*)?(?:(?P<m>\d{1,2})\s*[月/.\-]\s*)?(?P<d>\d{1,2})\s*[日号]?"
                  rf"(?:\s*[(（]?\s*(?:{_WEEKDAY})\s*[)）]?)?$")
_WEEKDAY_CELL = re.compile(rf"^[(（]?\s*(?:{_WEEKDAY})\s*[)）]?$")
_FOOTER = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|说\s*明|注\s*[:：]|备\s*注|图\s*例|填表|制表|审核|审批|签字|"
                     r"负责人|行长|主任|total)", re.IGNORECASE)
#: What a sheet's name may hold besides a manager's name: 张三10月工作计划 is 张三's.
_NAME_NOISE = re.compile(r"\d{4}\s*[-./年]\s*\d{1,2}\s*月?份?|\d{4}\s*年?|\d{1,2}\s*月份?|甘特图|甘特|月度|"
                         r"工作计划|计划表|计划|进度表|plan|gantt|对公|公司|法人|客户经理|[\-_.·()（）\[\]【】]",
                         re.IGNORECASE)
_LABELLED = re.compile(r"^\s*(?P<label>[^:：]+?)\s*[:：]\s*(?P<rest>.*)$", re.DOTALL)
#: What is left of a sheet or file name must look like a person (张三, 欧阳明月, E001, Zhang San)...
_PERSON = re.compile(r"[\u4e00-\u9fff·]{2,5}|[A-Za-z]*\d{2,12}|[A-Za-z][A-Za-z .'\-]{1,30}")
#: ...and not like a unit (城中支行, 公司部): those sheets need a 客户经理: line.
_NOT_A_PERSON = re.compile(r"(支行|分行|网点|营业部|部|中心|公司|银行|团队|小组|组|汇总|合计)$")
#: The words of ``_NAME_NOISE`` that name a section or post (对公客户经理王五), not a plan or a date.
_SECTION = re.compile(r"对公|公司|法人|客户经理")
#: A sheet named by a staff id alone: three digits or more, not a year (a sheet 1, 2 is a sheet's number).
_STAFF_NUMBER = re.compile(r"(?!(?:19|20)\d\d$)\d{3,12}")


@dataclass
class Layout:
    """Where the parts of a Gantt sit: header rows, key columns and the day columns."""

    header_row: int                         # 0-based row of the 项目/客户 header
    data_start: int
    fields: dict[str, int]                  # customer_name / customer_id / goal / staff_id -> column
    labels: dict[int, str]                  # column -> header as written
    days: dict[int, int]                    # column -> day of the month as written
    #: column -> (year or None, month) its day header says (a date, 11/3, 11月3日)
    header_months: dict[int, tuple[int | None, int]] = field(default_factory=dict)
    #: column -> (year or None, month) a label over its day says (11月 merged over a second run of days),
    #: only where the labels name two months or more
    label_months: dict[int, tuple[int | None, int]] = field(default_factory=dict)
    #: column -> months after (before: negative) the month's own days, of plain day numbers in a run of their
    #: own (1..31 then 1..30: the second run is the next month's; the longest run is the month's)
    run_offsets: dict[int, int] = field(default_factory=dict)


@dataclass
class SheetStart:
    """What a Gantt sheet's head says (plain Python on its first rows): its layout, month and manager;
    or the problem that makes it give no rows (no header, another month)."""

    note: SourceNote
    place: dict[str, object]
    layout: Layout | None = None
    month: tuple[int, int] | None = None
    month_problem: tuple[str, str] | None = None
    manager: str | None = None
    problem: Problem | None = None
    warnings: list[Problem] = field(default_factory=list)      # logged with the sheet's rows (``log_sheet``)


def read_gantt(grid: Grid, rules: Rules, log: ProblemLog, context: "LayoutContext",
               start: SheetStart | None = None) -> tuple[pd.DataFrame, SourceNote]:
    """Read one Gantt sheet into PlanDay rows, ``_rid`` from ``context.rid_start``; ``start``: the sheet's
    head as ``sheet_start`` read it already (it is read once: it may write a plan's colours into the grid)."""
    start = start if start is not None else sheet_start(grid, rules, context.options.get("month"))
    if start.problem is not None:
        log.add(start.problem)
        return empty_frame("plan"), start.note
    layout = start.layout
    body = grid.body(layout.data_start)       # once: both the rows and the day cells come from it
    cells = _day_cells(body, layout, rules)
    rows = _row_info(body, layout)
    frame, problems = _tidy(cells, rows, layout, start.month, start.manager, grid, context.rid_start)
    log_sheet(start, frame, problems, lambda: (rows, cells), log)
    return frame, start.note


def sheet_start(grid: Grid, rules: Rules, given_month: object) -> SheetStart:
    """The head of a Gantt sheet read: merged cells filled, then its layout, month and manager."""
    fill_merged(grid)
    head = grid.head(rules.input.header_scan_rows)
    layout = find_layout(head, alias_index("plan", rules))
    place = {"file": grid.file, "sheet": grid.sheet, "kind": "plan"}
    start = SheetStart(SourceNote(file=grid.file, sheet=grid.sheet, kind="plan"), place, layout)
    if layout is None:
        start.problem = Problem(code="no_header", **place, message=(
            "no plan found: expected a Gantt grid (a header row with 项目/客户 and the day numbers 1, 2, 3 ... "
            "of the month) or a tidy plan (客户经理, 客户名称, 计划日期)"
            + grid.uncalculated_above(rules.input.header_scan_rows)))
        return start
    start.note.header_row = layout.header_row + 1
    start.note.columns = {f: layout.labels.get(j, "") for f, j in layout.fields.items()}
    above = head[:layout.header_row]
    start.month, start.month_problem = _month(above, grid.sheet, layout, given_month)
    if start.month_problem is not None and start.month_problem[0] == "plan_other_month":
        start.problem = Problem(code="plan_other_month", message=start.month_problem[1], severity="warning",
                                **place)
        return start
    if start.month is not None:
        other = other_month_days(layout, start.month)
        if other is not None:
            start.warnings.append(Problem(code="plan_other_month_days", severity="warning", **place,
                                          value=str(other["columns"]), params=other,
                                          message=render("plan_other_month_days", "en", other)))
    stem = Path(grid.file).stem if grid.file != "<stdin>" else ""
    start.manager = _manager(above, [grid.sheet or "", stem], rules.plan.rm_labels)
    if rules.plan.colour_marks:
        coloured = colour_marks(grid, layout)
        if coloured is not None:
            start.warnings.append(Problem(code="plan_marks_by_colour", severity="warning", **place,
                                          value=str(coloured["cells"]), params=coloured,
                                          message=render("plan_marks_by_colour", "en", coloured)))
    return start


#: What a day cell drawn in colour, holding nothing, is read as: a planned action without words.
COLOUR_MARK = "■"


def colour_marks(grid: Grid, layout: Layout) -> dict[str, object] | None:
    """A plan drawn in colours: when no day cell of the sheet's rows holds anything, its coloured day cells
    on rows naming a customer are written into the grid as ``COLOUR_MARK`` (each a planned day; a coloured
    merged range marks every day it covers, as its text would). A row coloured on every day (three or
    more) in one colour that its own label cells have too, or a day column coloured on every other such row
    (two or more) in one colour that its day header or a row naming no customer has too, is shading (a
    banded row; a weekend, today: a whole row or column formatted), not a plan, and is left out. Returns
    the warning's parameters (how many cells, their colours, the shading left out), or None when nothing
    was read from colours.

    Plain Python over the grid's rows: a Gantt sheet is small, and a sheet with one written mark stops
    the look at that mark.
    """
    if grid.fills is None or grid.tail is not None or grid.frame is not None:
        return None
    rows = grid.rows[layout.data_start:]
    days = sorted(layout.days)
    if any(j < len(row) and not _blank(row[j]) for row in rows for j in days):
        return None
    keys = [layout.fields[f] for f in ("customer_name", "customer_id") if f in layout.fields]
    key_col = min(layout.fields.values())
    plan_rows = [layout.data_start + i for i, row in enumerate(rows)
                 if any(j < len(row) and not _blank(row[j]) for j in keys)
                 and not _FOOTER.match(next((str(row[j]) for j in range(min(key_col + 1, len(row)))
                                            if not _blank(row[j])), ""))]
    if not plan_rows:
        return None
    labels = sorted(set(layout.fields.values()))
    every_row = range(layout.header_row, len(grid.rows))        # the header, the plan rows and the rows between
    anchors = [(grid.sheet_row(r0), grid.sheet_col(c0)) for (r0, c0), _ in grid.merged]
    filled = grid.fills.cells({grid.sheet_row(i) for i in every_row} | {r for r, _ in anchors},
                              {grid.sheet_col(j) for j in days + labels} | {c for _, c in anchors})
    if not filled:
        return None
    # Each cell's colour by grid position; a merged range is painted in its first cell's colour over every
    # cell it covers (as Excel draws it).
    colour_at = {(i, j): filled[grid.sheet_row(i), grid.sheet_col(j)] for i in every_row for j in days + labels
                 if (grid.sheet_row(i), grid.sheet_col(j)) in filled}
    for (r0, c0), (r1, c1) in grid.merged:
        colour = filled.get((grid.sheet_row(r0), grid.sheet_col(c0)))
        if colour is not None:
            colour_at.update({(i, j): colour for i in every_row if r0 <= i <= r1 for j in days + labels
                              if c0 <= j <= c1})
    coloured = {(i, j): colour_at[i, j] for i in plan_rows for j in days if (i, j) in colour_at}
    shaded_rows = {i for i in plan_rows if _shading([colour_at.get((i, j)) for j in days], _MIN_DAYS,
                                                    [colour_at.get((i, j)) for j in labels])}
    others = [i for i in plan_rows if i not in shaded_rows]          # a band says nothing of a column
    beyond = [i for i in every_row if i not in plan_rows]           # the header's and other rows' cells
    shaded_cols = {j for j in days if _shading([colour_at.get((i, j)) for i in others], 2,
                                               [colour_at.get((i, j)) for i in beyond])}
    marks = {cell: colour for cell, colour in coloured.items()
             if cell[1] not in shaded_cols and cell[0] not in shaded_rows}
    if not marks:
        return None
    for i, j in marks:
        row = grid.rows[i]
        if len(row) <= j:
            row.extend([""] * (j + 1 - len(row)))
        row[j] = COLOUR_MARK
    params: dict[str, object] = {"cells": len(marks), "colours": tuple(sorted(set(marks.values())))}
    if shaded_cols:
        params["shaded_days"] = tuple(layout.days[j] for j in sorted(shaded_cols))
    if shaded_rows:
        params["shaded_rows"] = tuple(grid.sheet_row(i) + 1 for i in sorted(shaded_rows))
    return params


def _shading(line: list[str | None], least: int, past: list[str | None]) -> bool:
    """Whether a row's day cells (or a column's plan-row cells) are shading, not plans: at least ``least``
    of them, every one in one colour, and that colour going on past them (``past``: the row's own label
    cells; the column's day header and its cells on rows that name no customer), as a whole row or
    column formatted is painted, and a plan's bars are not."""
    return len(line) >= least and line[0] is not None and all(c == line[0] for c in line) and line[0] in past


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def log_sheet(start: SheetStart, frame: pd.DataFrame, problems: list[pd.DataFrame],
              rows_and_cells: "Callable[[], tuple[pd.DataFrame, pd.DataFrame]]", log: ProblemLog) -> None:
    """Log a read sheet's problems: its cells' (``problems``), then the sheet's month and manager, then
    its rows without a day (``rows_and_cells`` gives the sheet's rows and day cells, asked only when
    ``rows_without_days`` may be non-empty: see ``gantt_batch``)."""
    problems = list(problems)
    if start.month_problem is not None:
        problems.append(_sheet_problem(frame, *start.month_problem))
    if frame["staff_id"].isna().any():
        problems.append(_sheet_problem(frame[frame["staff_id"].isna()], "plan_rm_missing",
                                       "the sheet does not say whose plan it is: name the sheet after the "
                                       "relationship manager, or write 客户经理:姓名 above the grid"))
    found = rows_and_cells()
    if found is not None:
        problems += _rows_without_days(*found, start.layout)
    for part in problems:
        log.add_frame(part.assign(**start.place))
    log.extend(start.warnings)
    start.note.rows = len(frame)


def looks_like_gantt(grid: Grid, rules: Rules) -> bool:
    """Whether the sheet is drawn as a Gantt: a 项目/客户 header with day numbers beside or below it."""
    return find_layout(grid.head(rules.input.header_scan_rows), alias_index("plan", rules)) is not None


def find_layout(head: list[list[object]], index: dict[str, str]) -> Layout | None:
    """The header row that names the customer column and has day numbers to its right (or just below)."""
    best: Layout | None = None
    for r, row in enumerate(head):
        fields, labels = {}, {}
        for j, value in enumerate(row):
            text = _text(value)
            name = index.get(header_key(text)) if text else None
            if name in ("customer_name", "customer_id", "goal", "staff_id") and name not in fields:
                fields[name], labels[j] = j, text
        key_col = fields.get("customer_name", fields.get("customer_id"))
        if key_col is None:
            continue
        for day_row in (r, r + 1):
            if day_row >= len(head):
                continue
            days, months = _day_columns(head[day_row], key_col, set(fields.values()))
            if len(days) >= _MIN_DAYS and (best is None or len(days) > len(best.days)):
                start = day_row + 1
                if start < len(head) and _weekday_row(head[start], days):
                    start += 1
                above = [fold(_text(v)) for v in head[day_row - 1]] if day_row > 0 else []
                over = label_months(above, days, months)
                best = Layout(r, start, fields, labels, days, months, over,
                              run_offsets(days, set(months) | set(over)))
        if best is not None:
            return best
    return None


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def day_of(value: object) -> tuple[int, tuple[int | None, int] | None] | None:
    """The day of the month a header cell names, and its (year, month) when the cell is a date or names a
    month (``11/3``, ``11月3日``: year None)."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.day, (value.year, value.month)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return (int(number), None) if number.is_integer() and 1 <= number <= 31 else None
    if not isinstance(value, str):
        return None
    match = _DAY.match(fold(value))
    if match is None or not 1 <= int(match["d"]) <= 31:
        return None
    month = int(match["m"]) if match["m"] and 1 <= int(match["m"]) <= 12 else None
    return int(match["d"]), None if month is None else (int(match["y"]) if match["y"] else None, month)


def _day_columns(row: list[object], key_col: int,
                 taken: set[int]) -> tuple[dict[int, int], dict[int, tuple[int | None, int]]]:
    """The day columns of a header row (column -> day), and the (year, month) of those that say one."""
    days, months = {}, {}
    for j in range(key_col + 1, len(row)):
        if j in taken:
            continue
        found = day_of(row[j])
        if found is not None:
            days[j] = found[0]
            if found[1] is not None:
                months[j] = found[1]
    return days, months


def _weekday_row(row: list[object], days: dict[int, int]) -> bool:
    texts = [fold(_text(row[j])) for j in days if j < len(row) and _text(row[j])]
    return len(texts) >= len(days) / 2 and all(_WEEKDAY_CELL.match(t) for t in texts)


def _month(above: list[list[object]], sheet: str | None, layout: Layout,
           given: object) -> tuple[tuple[int, int] | None, tuple[str, str] | None]:
    """The plan's (year, month), and a problem (code, message) about it, if any."""
    said = _said_month(above, sheet, layout)
    wanted = month_option(given) if given else None
    if wanted is not None:
        if said is not None and (said[1] != wanted[1] or said[0] not in (None, wanted[0])):
            shown = f"{said[0]}年{said[1]}月" if said[0] else f"{said[1]}月"
            return None, ("plan_other_month", f"the sheet is the plan of {shown}, not of "
                          f"{wanted[0]}-{wanted[1]:02d} (--month): passed over")
        return wanted, None
    if said is not None and said[0] is not None:
        return (said[0], said[1]), None
    return None, ("plan_month_unknown", "the month of this plan is not known: give --month, or write a title "
                  "such as 2026年10月 above the grid")


def _said_month(above: list[list[object]], sheet: str | None, layout: Layout) -> tuple[int | None, int] | None:
    """The (year, month) the sheet states: the dates in its day headers (the month most of them are of;
    the year from the title when they do not say it), else a title line or its name."""
    texts = [_text(v) for row in above for v in row if _text(v)] + ([sheet] if sheet else [])
    title = None
    for text in texts:
        match = _YEAR_MONTH.search(fold(text))
        if match and 1 <= int(match["m"]) <= 12:
            title = int(match["y"]), int(match["m"])
            break
    dated = dated_month(layout, title)
    if dated is not None:
        return dated
    if title is not None:
        return title
    for text in texts:
        match = _MONTH_ONLY.search(fold(text))
        if match and 1 <= int(match["m"]) <= 12:
            return None, int(match["m"])
    return None


def month_option(value: object) -> tuple[int, int]:
    """The command's ``--month`` option (``2026-10``) as (year, month): for the plan's month here, and for
    the dates written without their year (``io.discover``)."""
    period = pd.Period(str(value), freq="M")
    return period.year, period.month


def _manager(above: list[list[object]], names: list[str], labels: list[str]) -> str | None:
    """The manager the sheet names: a 客户经理:姓名 line above the grid, else the first of ``names``
    (the sheet's, then the file's) that is more than a generic name (Sheet1, 甘特图, 10月计划)."""
    keys = {header_key(label) for label in labels}
    for row in above:
        texts = [_text(v) for v in row]
        for j, text in enumerate(texts):
            match = _LABELLED.match(text)
            label = match["label"] if match else text
            if not text or header_key(label) not in keys:
                continue
            value = _first_value(match["rest"]) if match else next((t for t in texts[j + 1:] if t), "")
            if value:
                return value
    for written in names:
        written = " ".join((written or "").split())
        name = " ".join(_NAME_NOISE.sub(" ", written).split())
        if _is_person(name):
            return name
        # Taking off what a sheet's name may hold besides a person left no person, but left something:
        # the section words belong to the name (王对公, 对公王: 对公 is a section word, and left 王).
        # The sheet is that staff member's: the cross-check finds them on the staff list, or says the
        # name is nobody's (plan_unknown_rm): a word that is both in a staff name and a section word
        # is the staff name's. A name of section words alone (对公, 对公客户经理) names nobody.
        kept = " ".join(_NAME_NOISE.sub(lambda m: m[0] if _SECTION.fullmatch(m[0]) else " ", written).split())
        if name and _is_person(kept):
            return kept
        if _STAFF_NUMBER.fullmatch(written):    # a staff id alone (0103), which the noise took for a year
            return written
    return None


def _is_person(name: str) -> bool:
    return bool(_PERSON.fullmatch(name)) and not GENERIC_SHEET.fullmatch(name) and not _NOT_A_PERSON.search(name)


def _first_value(rest: str) -> str:
    """The value after a label: up to a wide gap or the next ``label:``."""
    value = re.split(r"\s{2,}|\u3000|[\s,，;；]+\S+\s*[:：]", rest.strip(), maxsplit=1)[0]
    return value.strip()


def _row_info(body: list[pd.Series], layout: Layout) -> pd.DataFrame:
    """Per data row (0-based sheet row): customer name and id, goal, manager column, and what to skip."""
    if not body:
        return pd.DataFrame(columns=["customer_name", "customer_id", "goal", "staff_id", "skip"])
    index = body[0].index
    texts: dict[int, pd.Series] = {}       # each column made text once: a field may also lead the row

    def text(j: int) -> pd.Series:
        if j not in texts:
            texts[j] = convert.to_text(body[j])[0]
        return texts[j]

    out = {}
    for name in ("customer_name", "goal", "staff_id"):
        j = layout.fields.get(name)
        out[name] = text(j) if j is not None and j < len(body) else pd.Series(pd.NA, index=index, dtype="str")
    j = layout.fields.get("customer_id")
    out["customer_id"] = convert.to_id(body[j])[0] if j is not None and j < len(body) else \
        pd.Series(pd.NA, index=index, dtype="str")
    frame = pd.DataFrame(out, index=index)
    key_col = min(layout.fields.values())
    lead = text(0)      # the first text of the row up to the key column (a bfill across, column by column)
    for c in range(1, key_col + 1):
        lead = lead.fillna(text(c)) if lead.isna().any() else lead
    header_again = frame["customer_name"].eq(layout.labels.get(layout.fields.get("customer_name", -1), "\0"))
    frame["skip"] = lead.fillna("").str.match(_FOOTER) | header_again.fillna(False)
    return frame


def _day_cells(body: list[pd.Series], layout: Layout, rules: Rules) -> pd.DataFrame:
    """Every non-empty day cell: sheet row, column, day as written, its text, and its slip note."""
    days = [j for j in layout.days if j < len(body)]
    if not days:        # a header and no rows under it: no cells, but every column the steps after use
        return pd.DataFrame({"row0": pd.Series(dtype="int64"), "col": pd.Series(dtype="int64"),
                             "action": pd.Series(dtype="str"), "day": pd.Series(dtype="int64"),
                             "slip_day": pd.Series(dtype="float64"), "slip_month": pd.Series(dtype="float64"),
                             "slip_year": pd.Series(dtype="float64"), "slipped": pd.Series(dtype=bool)})
    # Every day column stacked into one, its empty cells (most of a Gantt) dropped before one
    # conversion: a network's thousands of manager sheets times 31 day columns made this the slow part.
    cells = np.concatenate([body[j].to_numpy(dtype=object) for j in days])
    row0 = np.tile(body[days[0]].index.to_numpy(dtype="int64"), len(days))
    col = np.repeat(np.asarray(days, dtype="int64"), len(body[days[0]]))
    filled = ~(pd.isna(cells) | (cells == ""))
    action = convert.to_text(_cells_series(cells[filled]))[0]
    # Sorted by row, then column, in numpy: the per-sheet cost of pandas' sort and map added up.
    kept = action.notna().to_numpy()
    row0, col = row0[filled][kept], col[filled][kept]
    order = np.lexsort((col, row0))
    day_at = np.zeros(max(layout.days) + 1, dtype="int64")
    day_at[list(layout.days)] = list(layout.days.values())
    long = pd.DataFrame({"row0": row0[order], "col": col[order],
                         "action": action[kept].iloc[order].astype("str").to_numpy(), "day": day_at[col[order]]})
    return with_slips(long, rules)


def _cells_series(cells: np.ndarray) -> pd.Series:
    """Cells as a series: a text series when every one is a string (a Gantt's marks and actions, as
    ``Grid.body`` makes its text columns), so ``to_text`` cleans them whole, not one by one."""
    try:
        return str_series(pa.array(cells, type=pa.string()))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.Series(cells, dtype=object)


def _tidy(cells: pd.DataFrame, rows: pd.DataFrame, layout: Layout, month: tuple[int, int] | None,
          manager: str | None, grid: Grid, rid_start: int) -> tuple[pd.DataFrame, list]:
    """The plan days of the sheet's marked cells (rows passed over dropped), and their cell problems."""
    at = rows.index.get_indexer(cells["row0"])
    skip = np.where(at >= 0, rows["skip"].to_numpy(dtype=bool)[at], False) if len(rows) else np.zeros(len(at), bool)
    cells = cells[~skip].reset_index(drop=True)
    at = at[~skip]
    info = rows.iloc[at].reset_index(drop=True) if (at >= 0).all() else \
        rows.reindex(cells["row0"]).reset_index(drop=True)
    staff = info["staff_id"].fillna(manager) if manager else info["staff_id"]
    dates = _dates(cells["day"], month)
    slip_to = slip_dates(cells, *_plan_month(month, len(cells)))
    frame = pd.DataFrame({
        "staff_id": _str(staff), "customer_id": _str(info["customer_id"]),
        "customer_name": _str(info["customer_name"]), "goal": _str(info["goal"]),
        "date": dates, "action": _str(cells["action"]), "slipped_to": slip_to,
        "slipped": cells["slipped"].astype("boolean"),
    })
    frame["_file"] = grid.file
    frame["_sheet"] = grid.sheet if grid.sheet is not None else pd.NA
    frame["_row"] = cells["row0"].to_numpy(dtype="int64") + 1
    frame["_rid"] = np.arange(rid_start, rid_start + len(frame), dtype="int64")
    problems = _cell_problems(frame, cells, layout, month)
    late = slip_to.to_numpy() <= dates.to_numpy()      # NaT on either side compares false
    if late.any():
        frame.loc[late, "slipped_to"] = pd.NaT
    return frame, problems


def _plan_month(month: tuple[int, int] | None, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The plan's year and month for each of ``count`` cells (0 when the month is not known)."""
    year, number = month if month is not None else (0, 0)
    return np.full(count, year, dtype="int64"), np.full(count, number, dtype="int64")


def _str(values: pd.Series) -> pd.Series:
    """``values.astype("str")``, skipped when they are text already (most are; it runs per sheet)."""
    return values if values.dtype == "str" else values.astype("str")


def _dates(days: pd.Series, month: tuple[int, int] | None) -> pd.Series:
    """Dates of the month for day numbers; NaT where the day is not in the month (or no month)."""
    out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[s]")
    if month is not None:
        # numpy arithmetic on the day numbers: this runs twice per sheet, thousands of sheets a network.
        number = days.to_numpy(dtype="float64", na_value=np.nan)
        ok = (number >= 1) & (number <= calendar.monthrange(*month)[1])
        first = np.datetime64(f"{month[0]:04d}-{month[1]:02d}-01", "s")
        out[ok] = first + (number[ok].astype("int64") - 1) * np.timedelta64(1, "D")
    return pd.Series(out, index=days.index)


def _cell_problems(frame: pd.DataFrame, cells: pd.DataFrame, layout: Layout,
                   month: tuple[int, int] | None) -> list[pd.DataFrame]:
    """Marks under a day the month lacks, slips outside the month or to an earlier day, marks on a
    row that names no customer: each names its cell."""
    # The checks in numpy (NaT and NaN compare false): they run on every sheet, and rarely fire.
    missing = frame["customer_name"].isna().to_numpy() & frame["customer_id"].isna().to_numpy()
    masks = [missing]
    if month is not None:
        date, slip_to = frame["date"].to_numpy(), frame["slipped_to"].to_numpy()
        no_day = np.isnat(date)
        late = slip_to <= date
        masks += [no_day, cells["slip_bad"].to_numpy(dtype=bool) & ~no_day, late & ~no_day]
    if not any(mask.any() for mask in masks):
        return []       # the usual sheet: no message text to build
    where = cells["col"].map(_letters) + (cells["row0"] + 1).astype("str")
    column = cells["col"].map(layout.labels).fillna(cells["day"].astype("str"))
    day, slip = cells["day"].astype("str"), cells["slip_day"].astype("Int64").astype("str")
    messages = [("plan_row_without_customer", "a planned action on a row that names no customer or project")]
    if month is not None:
        shown = f"{month[0]}-{month[1]:02d}"
        # A slip into another month is said with its month: "slips to 2026-09-05", "day 31, which 2026-11 ..."
        named = cells["slip_month_named"].fillna(shown)
        other = named.ne(shown)
        target = ("day " + slip).where(~other, frame["slipped_to"].dt.strftime("%Y-%m-%d"))
        no_day_in = "the slip note names day " + slip + ", which " + named + " does not have"
        no_month = "the slip note names " + named + ", which is no month"
        messages += [
            ("plan_day_not_in_month", "a planned action under day " + day + f", which {shown} does not have"),
            ("plan_day_not_in_month", no_day_in.where(named.str.fullmatch(r"\d{4}-(?:0[1-9]|1[0-2])"), no_month)),
            ("plan_slip_before_day", "the action of day " + day + " slips to " + target + ", which is not after it"),
        ]
    out = []
    for mask, (code, message) in zip(masks, messages, strict=True):
        if mask.any():
            out.append(pd.DataFrame({
                "row": frame["_row"], "column": column, "value": frame["action"], "code": code,
                "severity": "error", "message": message + " (cell " + where + ")", "rid": frame["_rid"],
            })[mask])
    return out


def _sheet_problem(frame: pd.DataFrame, code: str, message: str) -> pd.DataFrame:
    """A problem of the whole sheet, recorded against each of its rows (shown once)."""
    return pd.DataFrame({"row": pd.Series([pd.NA] * len(frame), dtype="Int64"), "column": None, "value": None,
                         "code": code, "severity": "error", "message": message, "rid": frame["_rid"].to_numpy()})


def _rows_without_days(rows: pd.DataFrame, cells: pd.DataFrame, layout: Layout) -> list[pd.DataFrame]:
    """Rows naming a customer or goal but no planned day: a warning, they count for nothing."""
    named = rows["customer_name"].notna() | rows["customer_id"].notna() | rows["goal"].notna()
    empty = named & ~rows["skip"] & ~rows.index.isin(cells["row0"])
    if not empty.any():
        return []
    hit = rows[empty]
    label = layout.labels.get(layout.fields.get("customer_name", layout.fields.get("customer_id", -1)), "")
    return [pd.DataFrame({
        "row": (hit.index + 1).astype("int64"), "column": label,
        "value": hit["customer_name"].fillna(hit["customer_id"]).fillna(hit["goal"]),
        "code": "plan_row_without_days", "severity": "warning",
        "message": "the plan row has no planned day: mark the days of its actions, or remove the row",
        "rid": -1,
    })]


def _letters(j: int) -> str:
    out, j = "", int(j) + 1
    while j:
        j, rem = divmod(j - 1, 26)
        out = chr(65 + rem) + out
    return out
