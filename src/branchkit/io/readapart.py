"""Reading a folder's files, or a workbook's many sheets, in two or more processes (``--jobs``); and how a
folder's workbooks are shared among the threads reading them ahead in one process (``read_lanes``).

Each file or run of sheets is read by a loader of its own (``io.discover.Loader``, handed in: this module
does not import it) with row ids from 0 and a problem log of its own; the loader that asked takes the
parts back in the folder's or the sheets' order and shifts the ids, so the result is that of reading them
one after another.
"""

from __future__ import annotations

import multiprocessing
import threading
import zipfile
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from branchkit.errors import BranchkitError
from branchkit.io.kinds import WORKBOOK_SUFFIXES
from branchkit.io.ledger import SourceNote
from branchkit.parallel import Pool
from branchkit.problems import ProblemLog

if TYPE_CHECKING:
    from branchkit.io.discover import Loader

#: Sheets of one workbook from which ``--jobs`` reads them in worker processes.
APART_FROM = 32


@dataclass
class Read:
    """What was read apart (a file by a loader of its own, a sheet), row ids from 0; or the error
    that stopped it."""

    parts: dict[str, list[pd.DataFrame]]
    sources: dict[str, list[SourceNote]]
    notes: list[str]
    files: list[Path]
    log: ProblemLog
    error: Exception | None = None
    passed: list[str] = field(default_factory=list)
    unread: list[tuple[str, str]] = field(default_factory=list)
    blank: list[str] = field(default_factory=list)


class Lane:
    """The other process of ``Loader._add_files_apart``: it and this one take the folder's files one at a
    time from one counter both share (forked with it), each the next file the moment it is free, so
    neither claims a file ahead of being free for it (two claimed at once gave the other the folder's two
    biggest files) and neither waits on the other to be handed one.

    The other sends what it read through a queue whose thread writes it while its reader goes on to the
    next file; a thread here takes it in. A file's parts handed back as the pool's result waited for
    this process to take them in: ``multiprocessing`` reads a pipe 64 KiB at a time, taking the GIL back
    between reads from this process's busy reading thread, and the 200-branch network's customer list
    (26 MB pickled) kept the other process waiting 0.29-0.47 s (3 runs; its other files 3-70 ms each)
    with one core idle. The pool's process is forked when ``start`` submits, from one thread alone: the
    thread here starts after it.
    """

    def __init__(self, order: list[int]) -> None:
        context = multiprocessing.get_context("fork")
        self._order = order
        self._next = context.Value("i", 0)
        self.sent = context.Queue()
        self._results: dict[int, Read] = {}
        self._future: Future | None = None
        self._thread = threading.Thread(target=self._take_in, daemon=True)

    def take(self) -> int | None:
        """The next file of the order (None when none is left, or when the other process failed)."""
        if self._future is not None and self._future.done() and self._future.exception() is not None:
            return None
        with self._next.get_lock():
            k = self._next.value
            if k >= len(self._order):
                return None
            self._next.value = k + 1
        return self._order[k]

    def start(self, pool: Pool) -> None:
        """The other process starts taking files (``read_files_at``)."""
        self._future = pool.submit(None)
        self._thread.start()

    def finish(self) -> dict[int, Read]:
        """What the other process read, by file, once it has read its last; its failure raised here."""
        with self._next.get_lock():
            self._next.value = len(self._order)     # this process stopped taking files: so does the other
        if self._future is not None:
            self._future.result()
            self._thread.join()
        return self._results

    def _take_in(self) -> None:
        while (sent := self.sent.get()) is not None:
            i, read = sent
            self._results[i] = read


def read_file(parent: "Loader", path: Path, kind: str | None, wanted: set[str] | None,
              sheets: list[str] | None, jobs: int = 1) -> Read:
    """One file read by a loader of its own (``jobs`` processes for a workbook of many sheets)."""
    loader = type(parent)(parent.rules, options=parent.options, jobs=jobs)
    loader.overridden = set(parent.overridden)
    loader.own = dict(parent.own)
    try:
        loader.add_path(path, kind, wanted, sheets)
    except BranchkitError as exc:
        return Read({}, {}, [], [], ProblemLog(), exc)
    return Read(loader._parts, loader._sources, loader.inputs.notes, loader.inputs.files, loader.inputs.log,
                passed=loader.inputs.passed, unread=loader.inputs.unread,
                blank=loader.inputs.blank)


def read_files_at(shared: tuple, _: None) -> None:
    """In the other process: the folder's files the lane takes, each sent back the moment it is read (the
    queue's thread writes it while the next is read); an end mark after the last, or after a failure."""
    parent, files, kind, wanted, sheets, lane = shared
    try:
        while (i := lane.take()) is not None:
            lane.sent.put((i, read_file(parent, files[i], kind, wanted, sheets)))
    finally:
        lane.sent.put(None)


def reading_order(files: list[Path]) -> list[int]:
    """The order two processes take a folder's files in: workbooks of many sheets first (a sheet's fixed
    cost makes them the slowest per byte), then the biggest first; the folder's order among equals."""
    sizes = [path.stat().st_size if path.is_file() else 0 for path in files]
    many = [many_sheets(path) for path in files]
    return sorted(range(len(files)), key=lambda i: (not many[i], -sizes[i], i))


def many_sheets(path: Path) -> bool:
    """Whether a workbook holds enough sheets to be read apart sheet by sheet (counted in its zip
    directory, nothing inflated)."""
    if path.suffix.lower() not in WORKBOOK_SUFFIXES or not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    return sum(1 for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")) >= APART_FROM


def read_grids_at(shared: tuple, first: int) -> Read:
    """In a worker: the to-do list's sheets from ``first`` on (as many as ``Loader._add_grids_apart`` gives
    each item), read by a loader ``make`` gives, their rows numbered from 0."""
    make, todo, rules, options, size = shared
    loader = make(rules, options=options)
    loader._add_grids(todo[first:first + size])
    return Read(loader._parts, loader._sources, [], [], loader.inputs.log)


#: Threads reading a folder's workbooks ahead of the loader, each its share of them in the folder's order
#: (calamine parses with the GIL released, so two parse at once beside the loader's conversion).
READ_LANES = 2


def read_lanes(files: list[Path]) -> list[list[Path]]:
    """The folder's workbooks shared among ``READ_LANES`` read-ahead threads: each, in the folder's order,
    to the lane holding the fewest bytes so far (the first lane among equals); files that are not
    workbooks (read by the loader itself) in none."""
    lanes: list[list[Path]] = [[] for _ in range(READ_LANES)]
    held = [0] * READ_LANES
    for path in files:
        if path.suffix.lower() not in WORKBOOK_SUFFIXES:
            continue
        lane = held.index(min(held))
        lanes[lane].append(path)
        held[lane] += path.stat().st_size if path.is_file() else 0
    return [lane for lane in lanes if lane]
