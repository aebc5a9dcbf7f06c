"""Finding the ledgers in what the user gave: files, folders, workbooks of many sheets.

A sheet's kind comes from its sheet name, else its file name (Chinese or
English keywords), checked against its headers; failing that, from its headers
alone. Office lock files, hidden files and hidden sheets are passed over and
named in the notes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Mapping

import pandas as pd

from branchkit import progress
from branchkit.parallel import Pool, can_fork, map_shared
from branchkit.errors import InputError, UsageError
from branchkit.io.frames import frame_book
from branchkit.io.gantt import looks_like_gantt, month_option, read_gantt
from branchkit.io.gantt_batch import read_gantts
from branchkit.io.grid import Book, Grid
from branchkit.io.kinds import (FAMILIES, GENERIC_SHEET, LEDGER_SUFFIXES, NAMED_ONLY, UNREAD_SPREADSHEETS,
                                WORKBOOK_SUFFIXES, is_wanted, kind_from_headers, kind_from_name, list_folder,
                                sheet_kind_in_file, unwanted_sheets)
from branchkit.io.readahead import ReadAhead
from branchkit.io.readapart import (APART_FROM, Lane, Read, read_file, read_files_at, read_grids_at, read_lanes,
                                   reading_order)
from branchkit.io.readbook import read_book
from branchkit.io.ledger import Ledger, SourceNote, one_chunk, read_grid, same_files
from branchkit.io.own import (SKIPPED, FolderOutputs, OwnOutput, folder_outputs, is_blank, own_output, read_own,
                              template_skip)
from branchkit.models.ledgers import LEDGERS, empty_frame
from branchkit.problems import ProblemLog
from branchkit.rules import Rules


@dataclass(frozen=True)
class LayoutContext:
    """What a layout reader needs beyond the grid: where its row ids start, and the command's options.

    ``rid_start`` lets the reader give its rows their ids itself, so the problems it logs name the
    rows ``--skip-invalid`` rejects; ``options`` carries what only the command knows (``month``).
    """

    rid_start: int = 0
    options: Mapping[str, object] = field(default_factory=dict)


#: Readers for layouts that are not a header row over records (the wide Gantt plan).
#: A reader takes (grid, rules, log, context) and returns a frame of the kind (with ``_rid`` from
#: ``context.rid_start``), or None if the grid is not its layout.
LayoutReader = Callable[[Grid, Rules, ProblemLog, LayoutContext], "tuple[pd.DataFrame, SourceNote] | None"]
LAYOUT_READERS: dict[str, LayoutReader] = {"plan": read_gantt}
#: Whether a grid is drawn in a kind's layout, for sheets neither their name nor their headers
#: announce (张三.xlsx holding a Gantt, or an RM's sheet in a workbook that also holds visits).
LAYOUT_DETECTORS: dict[str, Callable[[Grid, Rules], bool]] = {"plan": looks_like_gantt}


@dataclass
class Inputs:
    """Every ledger found, the problems met while reading, and what was passed over."""

    ledgers: dict[str, Ledger] = field(default_factory=dict)
    log: ProblemLog = field(default_factory=ProblemLog)
    notes: list[str] = field(default_factory=list)
    #: What was passed over because the command does not use it (a sheet of another ledger, a ledger
    #: given by option instead): worth saying only when asked (``--verbose``).
    passed: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    #: The files given (or in a folder given) that were not read, each (path, why): a branchkit output, a
    #: blank template. When nothing else was read, ``load_inputs`` says so rather than go on with nothing.
    unread: list[tuple[str, str]] = field(default_factory=list)
    #: Of those, a folder's blank templates: one note names them all (``Loader.finish``; a folder just
    #: made by ``init`` holds fifteen).
    blank: list[str] = field(default_factory=list)

    def get(self, kind: str) -> Ledger | None:
        """The ledger of a kind, if one was given."""
        return self.ledgers.get(kind)

    def frame(self, kind: str) -> pd.DataFrame:
        """The ledger's frame, or an empty frame of that kind."""
        ledger = self.ledgers.get(kind)
        return ledger.frame if ledger is not None else empty_frame(kind)


class Loader:
    """Reads sources into ledgers by kind, numbering rows uniquely within each kind."""

    def __init__(self, rules: Rules, *, stdin: IO[bytes] | None = None,
                 options: Mapping[str, object] | None = None, jobs: int = 1) -> None:
        self.rules = rules
        self.stdin = stdin
        self.options = dict(options or {})
        self.jobs = jobs
        self.inputs = Inputs()
        self._parts: dict[str, list[pd.DataFrame]] = {}
        self._sources: dict[str, list[SourceNote]] = {}
        self._next_rid: dict[str, int] = {}
        self.overridden: set[str] = set()
        self.own: dict[Path, OwnOutput | None] = {}     # files already told apart: branchkit's own outputs
        self._named: set[Path] = set()     # of those, the files named on the command line (not a folder's)
        # Whether a sheet being read has a tidy plan's header, as its classification found (by id of its
        # grid, kept with it): reading a run of Gantt sheets asks again, and a network's Gantt workbook has
        # thousands. Nothing changes a grid between the two (merged cells are filled when it is read).
        self._tidy_plan: dict[int, tuple[Grid, bool]] = {}
        self._ahead: dict[Path, ReadAhead] = {}      # a folder's files being read ahead, by file (io.readahead)

    def add_path(self, source: str | Path, kind: str | None = None, wanted: set[str] | None = None,
                 sheets: list[str] | None = None) -> None:
        """Read a file, folder or ``-``; ``kind`` forces the ledger kind, ``sheets`` picks sheets by name."""
        if str(source) != "-" and Path(source).is_dir():
            files, notes = list_folder(Path(source))
            self.inputs.notes.extend(notes)
            if not files:
                unread = sorted(p.name for p in Path(source).iterdir() if p.suffix.lower() in UNREAD_SPREADSHEETS)
                also = (f"; it holds {len(unread)} spreadsheet(s) of a format branchkit does not read (" +
                        ", ".join(unread[:3]) + (", ..." if len(unread) > 3 else "") + "): save them as .xlsx"
                        ) if unread else ""
                raise InputError(source, f"the folder holds no ledger files (.xlsx .xls .csv){also}")
            if kind is None:
                files = self._without_own_outputs(Path(source), files, wanted)
            if self.jobs > 1 and len(files) > 1 and can_fork():
                self._add_files_apart(files, kind, wanted, sheets)
                return
            self._add_files_ahead(files, kind, wanted, sheets)
            return
        own = template = None
        if str(source) != "-":
            path = Path(source)
            own = self._own_output(path, wanted) if kind is None else None
            if own is SKIPPED:
                return
            if own is not None and own.is_template:     # init's template: a ledger, read as one
                own, template = None, own
            if own is not None:
                kind, sheets = "previous", [own.sheet] if own.sheet else None
            elif path.exists() and path.suffix.lower() not in LEDGER_SUFFIXES:
                raise InputError(source, f"unsupported file type {path.suffix or '(none)'}; "
                                 "give .xlsx, .xlsm, .xls or .csv")
            self.inputs.files.append(path)
        skip = unwanted_sheets(Path(str(source)).stem, wanted) if kind is None and not sheets else None
        if template is not None:
            skip = template_skip(skip)
        if skip is not None and str(source) != "-" and Path(source).suffix.lower() not in WORKBOOK_SUFFIXES:
            reason = skip("", False)            # a CSV or HTML file is one table, known by its file name
            if reason:
                self.inputs.passed.append(f"skipped {source}: {reason}")
                return
        progress.step(f"reading {Path(str(source)).name if str(source) != '-' else 'stdin'}")
        ahead = self._ahead.get(Path(source)) if str(source) != "-" else None
        book = (ahead.take(Path(source)) if ahead is not None else None) or \
            (read_own(Path(source), own, self.rules.input) if own is not None else
             read_book(source, self.rules.input, stdin=self.stdin, skip=skip))
        self.inputs.notes.extend(f"skipped sheet {name} of {book.file}" for name in book.skipped)
        self.inputs.passed.extend(f"skipped sheet {name} of {book.file}" for name in book.passed)
        if template is not None and is_blank(book):
            # Not read: a template no row was filled in is a ledger not given (see ``own.is_blank``); named,
            # so a customer list filled in but never saved does not pass for one that was never made.
            reason = f"a blank {template.describe()}: no rows filled in"
            if Path(book.file) in self._named:
                self._not_read(book.file, reason, named=True)
            else:
                self.inputs.unread.append((book.file, reason))
                self.inputs.blank.append(book.file)
            return
        if book.passed and not book.grids:
            return
        if sheets:
            _pick_sheets(book, sheets)
        if not self._add_book(book, kind, wanted):
            raise InputError(book.file, "no ledger found in it: no sheet has the headers of a known ledger "
                             "(customers 客户清单, staff 员工, claims 认领, ...); use --kind to say which it is")

    def _add_files_ahead(self, files: list[Path], kind: str | None, wanted: set[str] | None,
                         sheets: list[str] | None) -> None:
        """Read a folder's files one after another, their workbooks read ahead by ``READ_LANES`` threads
        (``read_lanes``), each at most one large file ahead of the loader (``io.readahead``). Once a lane
        meets a file it cannot read, no lane reads another: the loader reads what it still takes itself and
        stops at that file's error, as when reading one file after another."""
        failed = threading.Event()

        def read(path: Path) -> Book | None:
            if failed.is_set():
                return None
            try:
                return self._read_ahead(path, kind, wanted, sheets)
            except BaseException:
                failed.set()
                raise

        shares = read_lanes(files)
        lanes = [ReadAhead(share, read) for share in shares]
        self._ahead = {path: ahead for share, ahead in zip(shares, lanes) for path in share}
        try:
            for path in files:
                self.add_path(path, kind, wanted, sheets)
        finally:
            for ahead in lanes:
                ahead.close()
            self._ahead = {}

    def _read_ahead(self, path: Path, kind: str | None, wanted: set[str] | None,
                    sheets: list[str] | None) -> Book | None:
        """The book ``add_path(path, kind, wanted, sheets)`` reads, read in ``ReadAhead``'s thread: the same
        own-output verdict and sheet skip rule. None where add_path reads it: a file that is not a workbook
        (a CSV is read by Arrow's threads, its conversion is what the workbooks' parse overlaps), one not
        told apart yet (add_path notes it) or one not read."""
        if kind is None and path not in self.own or path.suffix.lower() not in WORKBOOK_SUFFIXES:
            return None
        own = self.own.get(path) if kind is None else None
        if own is SKIPPED:
            return None
        if own is not None and not own.is_template:
            return read_own(path, own, self.rules.input)
        skip = unwanted_sheets(path.stem, wanted) if kind is None and not sheets else None
        return read_book(path, self.rules.input, skip=template_skip(skip) if own is not None else skip)

    def add_frame(self, frame: pd.DataFrame, kind: str) -> None:
        """Read a DataFrame given as a ledger of ``kind``: its columns are the header, its rows the records."""
        book = frame_book(frame, f"<{kind} DataFrame>")
        if not self._add_book(book, kind, None):
            raise InputError(book.file, f"no {kind} header found among its columns")

    def _without_own_outputs(self, folder: Path, files: list[Path], wanted: set[str] | None) -> list[Path]:
        """A folder's files less branchkit's own outputs (named in the notes), with the allocation to read
        as last month's (a json one included)."""
        jsons = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".json" and p.is_file()
                       and not p.name.startswith((".", "~$")))
        named = {p for p in files if kind_from_name(p.stem) == "previous"}
        decided = self._tell_apart(files + jsons, named, wanted, given=False)
        for path in decided.previous:
            if path not in named:
                self.inputs.notes.append(f"read {path} as last month's allocation (上月分配): an allocation "
                                         "written by branchkit")
        return [p for p in files + jsons if p not in decided.skipped and (p in files or p in decided.previous)]

    def _tell_apart(self, paths: list[Path], named: set[Path], wanted: set[str] | None, *,
                    given: bool) -> FolderOutputs:
        """Which of ``paths`` are branchkit's own outputs, and what becomes of them (``self.own``: each
        file's verdict, SKIPPED for those passed over; ``init``'s templates are ledgers). ``given``: the
        files were named on the command line (one passed over is then a warning), not found in a folder."""
        limit = self.rules.input.max_file_mb * 1024 * 1024
        found = {p: own_output(p, limit) if p.is_file() else None for p in paths}
        decided = folder_outputs({p: o for p, o in found.items() if o is not None and not o.is_template}, named,
                                 previous_given="previous" in self.overridden,
                                 previous_wanted=is_wanted("previous", wanted))
        for path, reason in decided.skipped.items():
            self._not_read(path, reason, named=given)
            found[path] = SKIPPED
        self.own.update(found)
        if given:
            self._named.update(paths)
        return decided

    def _not_read(self, path: str | Path, reason: str, *, named: bool) -> None:
        """A file passed over whole: a note (a warning for a file the command line names: it was asked
        for), and kept in ``unread``."""
        line = f"skipped {path}: {reason}"
        self.inputs.notes.append(f"warning: {line}" if named else line)
        self.inputs.unread.append((str(path), reason))

    def _own_output(self, path: Path, wanted: set[str] | None) -> OwnOutput | None:
        """For a file read without a forced kind: None (a ledger), the allocation to read as last
        month's, or SKIPPED (another output of branchkit's, named in the notes)."""
        if path not in self.own:                   # a file named on the command line: told apart here
            self._tell_apart([path], {path} if kind_from_name(path.stem) == "previous" else set(), wanted,
                             given=True)
        return self.own.get(path)

    def _add_files_apart(self, files: list[Path], kind: str | None, wanted: set[str] | None,
                         sheets: list[str] | None) -> None:
        """Read a folder's files with ``jobs`` > 1: this process and one other take the files one at a
        time, each the next one in ``reading_order`` the moment it is free (a workbook of many sheets
        first, here, its sheets spread over ``jobs`` - 1 processes; then the biggest first), so neither
        waits long on the other's share (``Lane``).

        Each file is read by a loader of its own (row ids from 0, its own problem log); the parts are
        taken in the folder's order, ids and problems shifted, so the result is that of reading the
        files one after another, and the first file that cannot be read is the error reported.
        """
        lane = Lane(reading_order(files))
        results: dict[int, Read] = {}
        with Pool(read_files_at, (self, files, kind, wanted, sheets, lane), 1) as other:
            i = lane.take()                       # read here: a workbook of many sheets, if there is one
            lane.start(other)
            try:
                while i is not None:
                    results[i] = read_file(self, files[i], kind, wanted, sheets, jobs=self.jobs - 1)
                    i = lane.take()
            finally:
                results.update(lane.finish())
        for i in range(len(files)):
            self._merge(results[i])

    def _merge(self, read: "Read") -> None:
        """Take over what was read apart (a file, a sheet; row ids from 0), after what this one holds."""
        if read.error is not None:
            raise read.error
        self.inputs.files.extend(read.files)
        self.inputs.notes.extend(read.notes)
        self.inputs.passed.extend(read.passed)
        self.inputs.unread.extend(read.unread)
        self.inputs.blank.extend(read.blank)
        offsets = {kind: self._next_rid.get(kind, 0) for kind in read.parts}
        read.log.shift_rids(offsets)
        self.inputs.log.merge(read.log)
        for kind, frames in read.parts.items():
            for frame in frames:
                frame["_rid"] = frame["_rid"].to_numpy() + offsets[kind]
            self._take(kind, frames, read.sources[kind])

    def _add_book(self, book: Book, forced: str | None, wanted: set[str] | None) -> bool:
        """Read the book's sheets by kind; False when not one sheet is a ledger."""
        stem_kind = kind_from_name(Path(book.file).stem) if book.file != "<stdin>" else None
        several = len(book.grids) > 1
        self.inputs.notes.extend(f"{grid.where()}: {remark}" for grid in book.grids for remark in grid.remarks)
        if forced and several:
            self._only_sheets_of(book, forced)
        sure, unsure = [], []
        for grid in book.grids:
            sheet_kind = sheet_kind_in_file(grid.sheet, Path(book.file).stem) if grid.sheet and several else None
            # a lone sheet goes by its file's name (上月分配.csv holds customer columns, but is last month's), and
            # so does a sheet of several whose name names nothing (Sheet2 of 月初客户清单.xlsx; an HTML export's
            # tables, "table 2"): else the month-start list's sheets would be read as the month-end list
            generic = several and (not grid.sheet or GENERIC_SHEET.match(grid.sheet.strip()) is not None)
            named = sheet_kind if several and not (generic and sheet_kind is None) else stem_kind
            kind = self._forced(grid, forced, sheet_kind or stem_kind) if forced else self._classify(grid, named)
            if kind is not None:
                sure.append((grid, kind, sheet_kind))
            elif stem_kind is not None:
                # Only the file name speaks for this sheet: it counts if no other sheet was recognised.
                unsure.append((grid, stem_kind, None))
            else:
                self.inputs.notes.append(f"skipped {grid.where()}: not recognised as any ledger")
        if sure:
            self.inputs.notes.extend(f"skipped {g.where()}: no {k} header found in it" for g, k, _ in unsure)
        todo = []
        for grid, kind, sheet_kind in sure or unsure:
            if kind in self.overridden and not forced:
                self.inputs.passed.append(f"skipped {grid.where()}: the {kind} ledger was given by option")
            elif wanted is not None and kind not in wanted:
                self.inputs.passed.append(f"skipped {grid.where()}: a {kind} ledger is not used by this command")
            else:
                # a sheet of several whose name is no ledger's may be a branch's (one sheet per branch), unless
                # it names nothing (Sheet1): its rows' branch if it has no branch column (core.branch_names)
                named_branch = several and sheet_kind is None and grid.sheet \
                    and not GENERIC_SHEET.match(grid.sheet.strip())
                todo.append((grid, kind, grid.sheet if named_branch else None))
        try:
            if self.jobs > 1 and len(todo) >= APART_FROM:
                self._add_grids_apart(todo)
            else:
                self._add_grids(todo)
        finally:
            self._tidy_plan.clear()
        return bool(sure or unsure)

    def _only_sheets_of(self, book: Book, kind: str) -> None:
        """A workbook given as one kind: read the sheets that have its header (all, if none has)."""
        kinds = list(FAMILIES.get(kind, (kind,)))
        fits = [g for g in book.grids if LAYOUT_READERS.get(kind) or kind_from_headers(g, self.rules, kinds)]
        if fits and len(fits) < len(book.grids):
            self.inputs.notes.extend(f"skipped {g.where()}: no {kind} header found in it"
                                     for g in book.grids if g not in fits)
            book.grids = fits

    def _forced(self, grid: Grid, forced: str, named: str | None) -> str:
        """The forced kind, or the member of its family the sheet's name or headers announce."""
        family = FAMILIES.get(forced)
        if family is None:
            return forced
        if named in family and kind_from_headers(grid, self.rules, [named]):
            return named
        return kind_from_headers(grid, self.rules, list(family)) or forced

    def _classify(self, grid: Grid, named: str | None) -> str | None:
        if named is not None:
            layout = LAYOUT_READERS.get(named)
            if named in NAMED_ONLY:
                return named
            headed = kind_from_headers(grid, self.rules, [named]) is not None
            if named == "plan":
                self._tidy_plan[id(grid)] = (grid, headed)
            if headed or layout:
                return named
        found = kind_from_headers(grid, self.rules)
        if found == "plan":         # each kind's header is looked for on its own: the plan's was found
            self._tidy_plan[id(grid)] = (grid, True)
        if found is None:
            found = next((k for k, detect in LAYOUT_DETECTORS.items() if detect(grid, self.rules)), None)
            if found == "plan":     # no kind's header, so not a tidy plan's either
                self._tidy_plan[id(grid)] = (grid, False)
        return found

    def _has_tidy_plan_header(self, grid: Grid) -> bool:
        """Whether the sheet has a tidy plan's header (客户经理, 客户名称, 计划日期), not a Gantt's: as its
        classification found, else looked for now."""
        known = self._tidy_plan.get(id(grid))
        if known is not None and known[0] is grid:
            return known[1]
        return kind_from_headers(grid, self.rules, ["plan"]) is not None

    def _add_grids(self, todo: list[tuple[Grid, str, str | None]]) -> None:
        """Read sheets one after another; a run of Gantt sheets (a workbook's one per manager) is read
        together by ``read_gantts``, with the rows, ids and problems of reading them one by one."""
        i = 0
        while i < len(todo):
            end = i
            while end < len(todo) and todo[end][1] == "plan" and LAYOUT_READERS.get("plan") is read_gantt \
                    and not self._has_tidy_plan_header(todo[end][0]):
                end += 1
            if end - i < 2:
                self._add_grid(*todo[i])
                i += 1
                continue
            context = LayoutContext(self._next_rid.get("plan", 0), dict(self.options))
            read = read_gantts([grid for grid, _, _ in todo[i:end]], self.rules, self.inputs.log, context)
            # One part for the run, joined here rather than sheet by sheet with the rest at the end: here
            # it overlaps the next file's parse (read ahead) or the other process's files (--jobs); at the
            # end it was alone (1,750 Gantt sheets of 200 branches: 0.24 s CPU to join, and as many
            # parts to shift the row ids of when read apart)
            frames = [frame for frame, _ in read if len(frame)]
            joined = one_chunk(pd.concat(same_files(frames), ignore_index=True)) if frames else read[0][0]
            self._take("plan", [joined], [note for _, note in read])
            i = end

    def _add_grid(self, grid: Grid, kind: str, branch: str | None) -> None:
        start = self._next_rid.get(kind, 0)
        frame, note = _read_grid_as(grid, kind, branch, self.rules, self.options, self.inputs.log, start)
        self._take(kind, [frame], [note])

    def _take(self, kind: str, frames: list[pd.DataFrame], notes: list[SourceNote]) -> None:
        """Parts of a kind and the notes of the sheets or files they hold (a part may hold a run of sheets)."""
        self._parts.setdefault(kind, []).extend(frames)
        self._sources.setdefault(kind, []).extend(notes)
        self._next_rid[kind] = self._next_rid.get(kind, 0) + sum(map(len, frames))

    def _add_grids_apart(self, todo: list[tuple[Grid, str, str | None]]) -> None:
        """Read many sheets (a Gantt workbook's one per manager) in worker processes.

        Each worker reads its sheets with row ids from 0 and a log of its own; they are taken back
        in sheet order, row ids shifted to follow the rows before, so the ledgers and problems are
        those of reading the sheets one after another.
        """
        # A few runs of sheets per worker, each read together (``_add_grids``): one sheet per item would
        # pay the batch's fixed cost per sheet; a few items per worker still even out the load.
        size = max(APART_FROM // 2, -(-len(todo) // (4 * self.jobs)))
        shared = (Loader, todo, self.rules, self.options, size)
        for read in map_shared(read_grids_at, shared, range(0, len(todo), size), self.jobs):
            self._merge(read)

    def finish(self) -> Inputs:
        """Join the parts of each kind into one ledger; a note for each sheet whose money columns were read in
        the unit a line above its header gives; one for a folder's blank templates, not read."""
        if self.inputs.blank:
            self.inputs.notes.append(f"skipped {len(self.inputs.blank)} blank template(s) written by branchkit init, "
                                     f"no rows filled in: {', '.join(self.inputs.blank)}")
        for kind, parts in self._parts.items():
            self.inputs.notes.extend(filter(None, map(_unit_note, self._sources[kind])))
            frames = [p for p in parts if len(p)]
            frame = one_chunk(pd.concat(same_files(frames), ignore_index=True)) if frames else empty_frame(kind)
            self.inputs.ledgers[kind] = Ledger(kind, frame, self._sources[kind])
        return self.inputs


def _unit_note(note: SourceNote) -> str | None:
    """What a line above a sheet's header did to its money columns (``SourceNote.line_units``), if anything."""
    if not note.unit_lines:
        return None
    where = note.file + (f" [{note.sheet}]" if note.sheet else "")
    if not note.line_units:
        return (f"{where}: the lines above its header give several units ({'; '.join(note.unit_lines)}): none is "
                "applied; write the unit in each amount's header, e.g. 存款余额(万元)")
    unit = next(iter(note.line_units.values()))
    columns = "、".join(note.columns.get(f, f) for f in note.line_units)
    return f"{where}: {columns} read in {unit}, as the line above its header says ({note.unit_lines[0]})"


def _read_grid_as(grid: Grid, kind: str, branch: str | None, rules: Rules, options: Mapping[str, object],
                  log: ProblemLog, start: int) -> tuple[pd.DataFrame, SourceNote]:
    """One sheet as a ledger of ``kind``, by its layout reader (the wide Gantt) or by its header."""
    grid.month = month_option(options["month"]) if options.get("month") else None
    layout = LAYOUT_READERS.get(kind)
    if layout is not None and not kind_from_headers(grid, rules, [kind]):
        result = layout(grid, rules, log, LayoutContext(start, dict(options)))
        if result is not None:
            frame, note = result
            frame["_rid"] = range(start, start + len(frame))
            return frame, note
    return read_grid(grid, kind, rules, log, start, default_branch=branch)


def _pick_sheets(book: Book, sheets: list[str]) -> None:
    names = [g.sheet for g in book.grids]
    missing = [s for s in sheets if s not in names]
    if missing and book.format in ("xlsx", "xls"):
        raise InputError(book.file, f"no sheet named {missing[0]!r}; its sheets are: "
                         + ", ".join(str(n) for n in names))
    book.grids = [g for g in book.grids if g.sheet in sheets or book.format not in ("xlsx", "xls")]


def load_inputs(rules: Rules, positional: list[str | Path] = (),
                named: Mapping[str, "list[str | Path | pd.DataFrame] | pd.DataFrame"] | None = None,
                *, force_kind: str | None = None, wanted: set[str] | None = None,
                stdin: IO[bytes] | None = None, sheets: list[str] | None = None,
                options: Mapping[str, object] | None = None, jobs: int = 1) -> Inputs:
    """Read every source: named ``--<kind>`` options override what the positional sources hold.

    A named source may be a DataFrame (read as a sheet whose header row is its column names).
    ``options`` are handed to layout readers (e.g. ``{"month": "2026-10"}`` for the wide Gantt);
    ``sheets`` restricts workbooks to the sheets named; ``jobs`` > 1 reads a workbook of many sheets in
    that many processes.
    """
    named = {k: [v] if isinstance(v, pd.DataFrame) else v for k, v in (named or {}).items()
             if v is not None and (isinstance(v, pd.DataFrame) or len(v))}
    paths = [s for s in [*positional, *(p for ps in named.values() for p in ps)] if not isinstance(s, pd.DataFrame)]
    if sum(1 for s in paths if str(s) == "-") > 1:
        raise UsageError("only one input can be read from stdin ('-')")
    if force_kind is not None and force_kind not in LEDGERS:
        raise UsageError(f"unknown ledger kind {force_kind!r}; known: {', '.join(LEDGERS)}")
    loader = Loader(rules, stdin=stdin, options=options, jobs=jobs)
    loader.overridden = set(named)
    for kind, sources in named.items():
        for source in sources:
            if isinstance(source, pd.DataFrame):
                loader.add_frame(source, kind)
            else:
                loader.add_path(source, kind)
    loader.overridden |= set(loader._parts)   # e.g. the hourly sheet of a --volumes workbook
    for source in positional:
        loader.add_path(source, force_kind, wanted, sheets)
    inputs = loader.finish()
    if positional and not inputs.ledgers and inputs.unread:
        # Every file given was passed over (branchkit's outputs, blank templates): going on would check or
        # compute nothing and say so as if rows had been read ("no problems", a report of no branch).
        if len(inputs.unread) == 1:
            path, reason = inputs.unread[0]
            raise InputError(path, f"{reason}; no ledger was read, no row checked")
        shown = "; ".join(f"{path}: {reason}" for path, reason in inputs.unread[:3])
        more = f"; and {len(inputs.unread) - 3} more" if len(inputs.unread) > 3 else ""
        raise InputError(", ".join(map(str, positional)), f"no ledger was read, no row checked; passed over: "
                         f"{shown}{more}")
    return inputs
