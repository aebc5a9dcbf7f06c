"""From a raw grid to a ledger in canonical columns, with every problem located.

One sheet (or CSV) of one ledger kind becomes a frame with the kind's
canonical fields plus four bookkeeping columns: ``_file``, ``_sheet``,
``_row`` (the row number the user sees in Excel) and ``_rid`` (a row id unique
within the ledger, used to reject rows and to trace scores back to rows).
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pydantic_core import PydanticUndefined

from branchkit.errors import InputError
from branchkit.io import convert
from branchkit.io.columns import convert_column
from branchkit.io.grid import Grid
from branchkit.io.datarows import data_rows
from branchkit.io.dates import WARNING_CODES
from branchkit.io.header import HeaderMatch, find_header
from branchkit.io.heap import give_back_freed
from branchkit.io.idpadding import KINDS as ID_KINDS, pad_ids
from branchkit.io.safety import mask_listed
from branchkit.models.aliases import alias_index
from branchkit.models.fields import Column
from branchkit.models.ledgers import DTYPES, LEDGERS, Bounds, LedgerSpec, derive
from branchkit.problems import Problem, ProblemLog
from branchkit.rules import Rules
from branchkit.text import FOREIGN_CURRENCIES, MONEY_UNITS, column_letters, str_series

BOOK_COLUMNS = ["_file", "_sheet", "_row", "_rid"]
_GRID_CODES = {"ragged_row": "error", "unbalanced_quote": "error", "nul_byte": "warning"}


@dataclass
class SourceNote:
    """What was read from one sheet: header, column mapping, and rows passed over."""

    file: str
    sheet: str | None
    kind: str
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    #: The money columns read in the unit a line above the header gives (``header.HeaderMatch.sheet_unit``),
    #: and that line as written.
    line_units: dict[str, str] = field(default_factory=dict)
    unit_lines: list[str] = field(default_factory=list)
    #: The data's date a line above the header gives (``header.HeaderMatch.data_date``), and that line.
    data_date: dt.date | None = None
    date_line: str | None = None
    ignored: list[str] = field(default_factory=list)
    #: A sheet without a branch column: the branch its rows were given (from a line above the header, else
    #: the sheet's name), the line's words (None: the sheet's name), and the sheet's name when a line won
    #: over it. ``core.branch_names`` holds them against the other list's branches.
    branch_given: str | None = None
    branch_line: str | None = None
    branch_sheet: str | None = None
    rows: int = 0
    blank: int = 0
    totals: int = 0
    repeated_headers: int = 0
    #: Section heading rows in the body (一、对公客户, 城中支行 merged across the table): not data (``io.sections``).
    sections: int = 0


@dataclass
class Ledger:
    """One ledger kind, read from one or several sheets and files."""

    kind: str
    frame: pd.DataFrame
    sources: list[SourceNote] = field(default_factory=list)

    @property
    def spec(self) -> LedgerSpec:
        return LEDGERS[self.kind]

    @property
    def read(self) -> int:
        """Data rows read (blank, totals, section heading and repeated header rows are not data)."""
        return len(self.frame)

    @property
    def totals(self) -> int:
        return sum(s.totals for s in self.sources)

    @property
    def blank(self) -> int:
        return sum(s.blank for s in self.sources)

    @property
    def sections(self) -> int:
        return sum(s.sections for s in self.sources)

    def data(self) -> pd.DataFrame:
        """The canonical columns only."""
        return self.frame.drop(columns=BOOK_COLUMNS)


#: Text that merged cells may repeat over the cells they cover, in all (a branch name drawn over a
#: million rows is 30 MB; one long text merged over a whole sheet would be terabytes once copied).
MERGED_TEXT_BYTES = 256 * 1024 * 1024


def fill_merged(grid: Grid) -> None:
    """Cells covered by a merged range read as the range's value (a name drawn once over its rows).

    Merged ranges never overlap in a real workbook, so together they cover at most the sheet's cells:
    ranges that cover more, or would repeat more text than ``MERGED_TEXT_BYTES``, are refused."""
    rows = grid.rows
    spans = []
    area = grid.cells()
    covered = text = 0
    for (r0, c0), (r1, c1) in grid.merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]) or r1 < r0 or c1 < c0:
            continue
        value = rows[r0][c0]
        last = min(r1, len(rows) - 1)
        cells = (last - r0 + 1) * (min(c1, len(rows[r0]) - 1) - c0 + 1)
        covered += cells
        text += cells * len(value) if isinstance(value, str) else 0
        if covered > area:
            raise InputError(grid.where(), f"refused: its merged ranges overlap (they cover {covered:,} cells of "
                             f"a sheet of {area:,}); the file is damaged or hostile")
        if text > MERGED_TEXT_BYTES:
            raise InputError(grid.where(), f"refused: its merged ranges would repeat {text // (1024 * 1024):,} "
                             "MB of text over the cells they cover; the file looks hostile")
        spans.append((r0, last, c0, c1, value))
    for r0, last, c0, c1, value in spans:
        for r in range(r0, last + 1):
            row = rows[r]
            stop = min(c1, len(row) - 1) + 1
            if stop > c0:
                row[c0:stop] = [value] * (stop - c0)


def read_grid(grid: Grid, kind: str, rules: Rules, log: ProblemLog, rid_start: int = 0,
              default_branch: str | None = None) -> tuple[pd.DataFrame, SourceNote]:
    """Read one grid as a ledger of ``kind``; problems go to ``log``."""
    spec = LEDGERS[kind]
    note = SourceNote(file=grid.file, sheet=grid.sheet, kind=kind)
    outer, log = log, ProblemLog()
    fill_merged(grid)
    index = alias_index(kind, rules)
    match = find_header(grid.head(rules.input.header_scan_rows), index, spec.required())
    place = {"file": grid.file, "sheet": grid.sheet, "kind": kind}
    if match is None or not _enough(match, spec):
        raise InputError(grid.where(), _no_header_message(spec, match)
                         + grid.uncalculated_above(rules.input.header_scan_rows))
    _note_header(note, match, spec)
    note.header_row = grid.sheet_row(match.row) + 1
    _header_problems(match, spec, log, place, grid)
    long = grid.tail is not None            # a long sheet of a workbook, read by column
    body = grid.body(match.data_start, consume=True)
    # The body's cells now live in its columns: its rows (a Python object per cell) go now rather than with
    # the book, so a long sheet is not held twice while it is converted.
    grid.drop_body(match.data_start)
    keep, note.blank, note.totals, note.repeated_headers, note.sections = data_rows(body, match)
    if grid.row_at is not None and body:      # a sparse sheet read without its empty rows: count them too
        index = body[0].index
        note.blank += int(index[-1] - index[0] + 1 - len(index))
    frame = derive(kind, _convert(body, keep, match, spec, rules, grid, log, place))
    if long:        # the raw cells of a long sheet are gone: their heap pages go back to the system
        give_back_freed()
    _grid_problems(grid, frame.index, log, place, rid_start)
    if "branch" in frame and "branch" not in match.columns and (match.branch or default_branch):
        # the branch a line above the header names (机构：城中支行), else the sheet's name (one sheet per branch)
        note.branch_given, note.branch_line = (match.branch, match.branch_line) if match.branch else \
            (default_branch, None)
        note.branch_sheet = default_branch if match.branch else None
        frame["branch"] = note.branch_given
    frame["_file"] = _file_column(grid.file, len(frame))
    frame["_sheet"] = grid.sheet if grid.sheet is not None else pd.NA
    frame["_row"] = (frame.index + 1).astype("int64")
    frame["_rid"] = np.arange(rid_start, rid_start + len(frame), dtype="int64")
    note.rows = len(frame)
    # row -> id as a series (two int64 arrays): a dict of a million rows held 100 MB of Python ints
    log.bind_rows(pd.Series(frame["_rid"].to_numpy(), index=frame["_row"].to_numpy()))
    outer.merge(log)
    return frame.reset_index(drop=True), note


def _enough(match: HeaderMatch, spec: LedgerSpec) -> bool:
    """A header must name at least two fields, or every required one."""
    required = spec.required()
    return match.score >= 2 or (bool(required) and all(f in match.columns for f in required))


def _no_header_message(spec: LedgerSpec, match: HeaderMatch | None) -> str:
    wanted = "、".join(c.headers[0] for c in spec.columns().values() if c.required)
    return (f"no header row of a {spec.label_en} ledger ({spec.label_zh}) found in the first rows; expected "
            f"columns such as {wanted}. If your headers differ, add them under [aliases.{spec.kind}] in the "
            "rules file")


def _note_header(note: SourceNote, match: HeaderMatch, spec: LedgerSpec) -> None:
    """What the header says, noted; the table's unit (``match.sheet_unit``) becomes the unit of each money
    column whose header gives none, in ``match.units`` itself, so that the columns are converted with it."""
    note.header_row = match.row + 1
    note.columns = {f: match.labels[j] for f, j in match.columns.items()}
    fields = spec.columns()
    for f, unit in match.group_units.items():
        # The unit of a group cell merged over its sub-headers (余额(万元) over 存款 | 贷款) is its money columns'
        # unit, unless a sub-header gives its own (``HeaderMatch.group_units`` holds only those that give none).
        if fields[f].kind == "money" and (unit in MONEY_UNITS or unit in FOREIGN_CURRENCIES):
            match.units[f] = unit
    money = [f for f in match.columns if fields[f].kind == "money" and not match.units.get(f)]
    if money and match.unit_lines:
        note.unit_lines = list(match.unit_lines.values())
        if match.sheet_unit:
            # The money columns without a unit of their own take the table's, read as if their header said it.
            note.line_units = {f: match.sheet_unit for f in money}
            match.units.update(note.line_units)
    note.units = {f: u for f, u in match.units.items() if u}
    note.data_date, note.date_line = match.data_date, match.date_line
    note.ignored = match.unknown


def _header_problems(match: HeaderMatch, spec: LedgerSpec, log: ProblemLog, place: dict, grid: Grid) -> None:
    row = grid.sheet_row(match.row + match.depth - 1) + 1
    for name in spec.required():
        if name not in match.columns:
            label = spec.columns()[name].headers[0]
            log.add(Problem(code="missing_column", row=row, column=label, **place,
                            message=f"the required column {label} ({name}) is missing"))
    for group in spec.one_of:
        if not any(f in match.columns for f in group):
            labels = " or ".join(spec.columns()[f].headers[0] for f in group)
            log.add(Problem(code="missing_column", row=row, **place, message=f"a column {labels} is needed"))
    fields = spec.columns()
    for name, j in match.columns.items():
        unit = match.units.get(name)
        if fields[name].kind == "money" and unit in FOREIGN_CURRENCIES:
            # branchkit converts no currency: a foreign amount read as CNY would be silently wrong.
            label = match.labels[j]
            log.add(Problem(code="foreign_currency", row=row, column=label, value=unit, **place,
                            message=f"{label}: amounts in {unit}; branchkit computes in CNY: convert the column "
                                    "to CNY (元 or 万元, said in its header), or rename it if it is no CNY amount"))
    for name, cols in match.duplicates.items():
        headers = ", ".join(f"{match.labels[j]} (column {column_letters(grid.sheet_col(j))})" for j in cols)
        log.add(Problem(code="duplicate_field", row=row, column=match.labels[cols[0]], **place,
                        message=f"two columns name the same field {name}: {headers}; "
                                "rename or remove one so the ledger says which to use"))



def _convert(body: list[pd.Series], keep: pd.Index, match: HeaderMatch, spec: LedgerSpec, rules: Rules,
             grid: Grid, log: ProblemLog, place: dict) -> pd.DataFrame:
    """The ledger's columns converted from the body's (``body`` is consumed: its columns are let go)."""
    columns: dict[str, pd.Series] = {}
    fields = spec.columns()
    # A raw column is let go of (in ``body``, whose caller is done with it) once the last field read from
    # it is converted: a long sheet's raw cells and its converted columns are never all held at once.
    last = {match.columns[name]: name for name in fields if name in match.columns}
    read = {name: match.columns[name] for name in fields if match.columns.get(name, len(body)) < len(body)}
    # An identifier stored as a number reads as the sheet shows it: padded with zeros by its number format.
    pad_ids(body, {j for name, j in read.items() if fields[name].kind in ID_KINDS}, grid)
    threaded = len(keep) >= THREADED_ROWS and all(convert.arrow_text(body[j]) for j in read.values())
    with _Converter(threaded) as pool:
        for name, j in read.items():
            raw = body[j] if len(keep) == len(body[j]) else body[j].loc[keep]     # keep: a subset of the rows
            if last.get(j) == name:
                body[j] = None
            pool.add(name, raw, fields[name], match.units.get(name), rules, grid)
        for name, column in fields.items():
            if name not in read:
                columns[name] = _default_column(spec, name, column, keep)
                continue
            j = read[name]
            raw, values, bad = pool.take(name)
            values = _apply_default(spec, name, values)
            label = match.labels[j]
            if column.kind == "sensitive":        # ID numbers and phones never reach a problem listing
                bad.values = mask_listed(name, bad.values)
            _log_bad(bad, log, place, label)
            failed = _check_formulas(grid, j, keep, values, log, place, label)
            _check_values(values, raw, column, name, spec, log, place, label, failed)
            columns[name] = values
    frame = pd.DataFrame(columns, index=keep)
    _check_one_of(frame, spec, match, log, place)
    return frame


#: A ledger of at least this many rows, all its columns Arrow text (a CSV's), has them converted by two
#: threads (``_Converter``): Arrow's and numpy's kernels, most of a text column's conversion, release the GIL.
#: 1,000,000 CSV customers' 17 columns, in-process, median of 4 (load 1.8): 0.70 -> 0.49 s wall, the CPU the
#: same (0.77-0.78 s); last month's 890,000 rows (4 columns, one of them most of the time) gain little. The
#: first rows of those customers, min of 7 (load 5): 5,000 rows 32 ms one after another, 34 ms on threads;
#: 20,000 rows 71 -> 56 ms; 100,000 rows 207 -> 182 ms, the CPU the same. A workbook's columns of Python cells
#: hold the GIL while converted, and are converted here.
THREADED_ROWS = 20_000


class _Converter:
    """Columns converted (``convert_column``), by two threads when ``threaded``, else one after another
    here as each is taken; ``take`` gives each one's raw column, values and rejects. Each column converts
    alone, so what comes back does not depend on the threads' timing; the caller logs the problems in the
    fields' order."""

    def __init__(self, threaded: bool) -> None:
        self._pool = ThreadPoolExecutor(2, thread_name_prefix="branchkit-convert") if threaded else None
        self._pending: dict[str, tuple[pd.Series, Future | None, tuple]] = {}

    def add(self, name: str, raw: pd.Series, *args) -> None:
        future = None
        if self._pool is not None:
            raw = _own_index(raw)
            future = self._pool.submit(convert_column, raw, *args)
        self._pending[name] = (raw, future, args)

    def take(self, name: str) -> tuple[pd.Series, pd.Series, convert.Bad]:
        raw, future, args = self._pending.pop(name)
        return (raw, *(future.result() if future is not None else convert_column(raw, *args)))

    def __enter__(self) -> "_Converter":
        return self

    def __exit__(self, *exc: object) -> None:
        self._pending.clear()
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


def _own_index(raw: pd.Series) -> pd.Series:
    """``raw`` over an index object of its own (the same labels, not copied) for a thread to convert: pandas
    fills an index's lookup table on first use, and two threads filling one at once leave it wrong (pandas
    issue 21150); a range index has no table."""
    if isinstance(raw.index, pd.RangeIndex):
        return raw
    return raw.set_axis(pd.Index(raw.index.to_numpy(), copy=False, name=raw.index.name))


def _default_column(spec: LedgerSpec, name: str, column: Column, index: pd.Index) -> pd.Series:
    default = spec.model.model_fields[name].default
    dtype = DTYPES.get(column.kind, "str")
    if default is None or default is PydanticUndefined:
        return pd.Series(pd.NA if dtype in ("str", "boolean", "Int64") else np.nan, index=index, dtype=dtype)
    return pd.Series(default, index=index, dtype=dtype)


def _apply_default(spec: LedgerSpec, name: str, values: pd.Series) -> pd.Series:
    default = spec.model.model_fields[name].default
    if default is None or default is PydanticUndefined:
        return values
    return values.fillna(default)


def _log_bad(bad: convert.Bad, log: ProblemLog, place: dict, label: str) -> None:
    if not bad.rows:
        return
    log.add_frame(pd.DataFrame({
        "file": place["file"], "sheet": place["sheet"], "kind": place["kind"],
        "row": [r + 1 for r in bad.rows], "column": label, "value": [str(v) for v in bad.values],
        "code": bad.codes, "message": bad.messages, "rid": -2,
        "severity": ["warning" if code in WARNING_CODES else "error" for code in bad.codes],
    }))


def _check_values(values: pd.Series, raw: pd.Series, column: Column, name: str, spec: LedgerSpec,
                  log: ProblemLog, place: dict, label: str, failed: list[int] = ()) -> None:
    """Required values present and values within their bounds; the cells of rows ``failed`` (a formula
    never calculated, an error value) are reported already and read as empty: they are not missing too."""
    rows = []
    if column.required and not column.blank:
        # blank cells looked for among the missing values only: a required column is hardly ever missing
        missing = values.isna().to_numpy(dtype=bool, copy=True)
        if len(failed):
            missing &= ~values.index.isin(failed)
        if missing.any():
            cells = raw[missing]
            missing[missing] = convert._is_blank(cells, convert._types(cells)).to_numpy(dtype=bool)
        rows += [(i, "missing_value", f"{label} is required", "") for i in values.index[missing]]
    bounds = spec.bounds(name)
    if bounds != Bounds():
        outside = bounds.outside(values)
        code = "negative_value" if bounds.ge == 0 and bounds.le is None else "out_of_range"
        rows += [(i, code, f"{label} {bounds.words()}", values[i]) for i in values.index[outside]]
    if rows:
        log.add_frame(pd.DataFrame({
            "file": place["file"], "sheet": place["sheet"], "kind": place["kind"], "column": label,
            "row": [r[0] + 1 for r in rows], "code": [r[1] for r in rows], "message": [r[2] for r in rows],
            "value": [str(r[3]) for r in rows], "rid": -2,
        }))


def _check_formulas(grid: Grid, j: int, keep: pd.Index, values: pd.Series, log: ProblemLog, place: dict,
                    label: str) -> list[int]:
    """The column's cells of a formula never calculated and those holding an Excel error value (``#N/A``,
    which the workbook reader gives as an empty cell): each an error naming the cell, its value missing
    (never the empty cell or zero it was read as). The rows found, for ``_check_values``."""
    letter = column_letters(grid.sheet_col(j))
    col = grid.sheet_col(j)
    rows = sorted(r for r, c in grid.uncalculated if c == col and r in keep)
    for r in rows:
        values.loc[r] = pd.NA if values.dtype != "float64" else np.nan
        log.add(Problem(code="formula_not_calculated", row=r + 1, column=label, value=f"{letter}{r + 1}",
                        rid=-2, **place,
                        message=f"cell {letter}{r + 1} holds a formula that was never calculated "
                                "(the workbook was written by a program and not opened in Excel); open it in "
                                "Excel or WPS, save, and run again"))
    # an error value a formula never calculated holds is a placeholder: that cell is reported as uncalculated
    uncalculated = set(rows)
    errors = sorted((r, error) for r, c, error in grid.errors if c == col and r in keep and r not in uncalculated)
    for r, error in errors:
        values.loc[r] = pd.NA if values.dtype != "float64" else np.nan
        log.add(Problem(code="cell_error", row=r + 1, column=label, value=error, rid=-2, **place,
                        message=convert.error_message(error, f"{letter}{r + 1}")))
    return rows + [r for r, _ in errors]


def _check_one_of(frame: pd.DataFrame, spec: LedgerSpec, match: HeaderMatch, log: ProblemLog,
                  place: dict) -> None:
    for group in spec.one_of:
        if not any(f in match.columns for f in group):
            continue
        empty = frame[list(group)].isna().all(axis=1)
        labels = " or ".join(match.labels.get(match.columns.get(f, -1), spec.columns()[f].headers[0])
                             for f in group)
        for i in frame.index[empty]:
            log.add(Problem(code="missing_value", row=i + 1, message=f"{labels} is required", rid=-2, **place))


def _grid_problems(grid: Grid, kept: pd.Index, log: ProblemLog, place: dict, rid_start: int) -> None:
    for row0, code, message in grid.problems:
        rid = -2 if row0 in kept else -1
        log.add(Problem(code=code, row=row0 + 1, message=message, severity=_GRID_CODES.get(code, "error"),
                        rid=rid, **place))


def _file_column(file: str | None, rows: int) -> pd.Categorical | str | None:
    """The source file on every row, as a categorical of one value: as text it was the path repeated per
    row (80 MB for a million-row customer list, and as much again for last month's allocation, held
    through the whole command). Values, comparisons and text conversions are the file's name as before."""
    if file is None:
        return file
    return pd.Categorical.from_codes(np.zeros(rows, dtype="int8"), categories=pd.Index([file], dtype="str"))


#: A text column joined from more Arrow chunks than this is made one chunk (``one_chunk``).
MANY_CHUNKS = 64


def one_chunk(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each text column joined from more than ``MANY_CHUNKS`` parts made one Arrow chunk.

    A ledger joined from many sheets (a network's Gantt workbook: 1,750 sheets, one chunk each) kept a chunk
    per sheet, and every Arrow kernel over it pays per chunk: a regex over the plan's 19,000 customer names
    took 17.7 ms, 2.2 ms over one chunk (joined in 1.6 ms)."""
    many = [c for c in frame.columns if isinstance(frame[c].array, pd.arrays.ArrowStringArray)
            and frame[c].array._pa_array.num_chunks > MANY_CHUNKS]
    if not many:
        return frame
    return frame.assign(**{c: str_series(frame[c].array._pa_array.combine_chunks(), frame.index) for c in many})


def same_files(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Parts of one ledger kind with one ``_file`` categorical over all their files, so that joining them
    keeps it categorical (parts of different categories, or a categorical and text, join as Python
    objects). The categories are in text order, so sorting by the column sorts by the file's name."""
    if len(frames) < 2 or not any(isinstance(f["_file"].dtype, pd.CategoricalDtype) for f in frames):
        return frames
    # Sorted, so that sorting by the categorical's codes (sort_values) is sorting by the text, as before.
    files = pd.Index(sorted(set(pd.concat([pd.Series(f["_file"].unique(), dtype="str") for f in frames]).dropna())),
                     dtype="str")
    dtype = pd.CategoricalDtype(files)
    return [f.assign(_file=f["_file"].cat.set_categories(files) if isinstance(f["_file"].dtype, pd.CategoricalDtype)
                     else f["_file"].astype("str").astype(dtype)) for f in frames]

