"""The customer list's workbook read on a thread from the very start of a ``branchkit`` process, while the
command line's modules are imported.

Importing the command line takes ~0.8 s of one core, holding the GIL; the customer list's package check
(ISA-L inflate) and calamine parse release it, so they run on the second core meanwhile. ``start`` is
called by the command line's entry only (a library call never starts it): it looks at ``argv`` cheaply
(this module imports nothing heavy at its top), and for a command reading a folder it starts a thread
that imports the reader and reads the folder's customer list (``candidates``) with ``read_book``, the function
the loader calls. The loader asks ``take(path, limits, skip)`` before reading a workbook: it gets the
book only when it is what its own read would be (the same file: path, size, modification time and inode
unchanged since; the same limits; the same sheets read: every sheet name the early read passed its skip
question through gets no reason from the loader's skip rule); otherwise, or when the early read failed
(its error is dropped: the loader reads the file again at its turn and meets it there), None, and the
loader reads as without it. ``finish`` (the entry's last step) waits for the thread and drops what was
not taken, so no thread outlives the command.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from branchkit.io.readahead import ALONE_BYTES, LARGE_BYTES

if TYPE_CHECKING:
    from branchkit.io.grid import Book
    from branchkit.rules import InputRules

#: The commands that read ledger folders (``init``, ``rules``, ``sample`` read none).
READING = frozenset({"validate", "allocate", "staff", "plan", "score", "report"})
#: Arguments after which the customer list is not read: the command only prints, or reads no customers
#: (report --quarter reads staff and visits).
NOT_READING = frozenset({"-h", "--help", "--version", "--quarter"})
#: The workbook suffixes read early (calamine's zip packages; an .xls is rare and small).
SUFFIXES = (".xlsx", ".xlsm")

_lock = threading.Lock()
_early: "Early | None" = None


class Early:
    """One workbook of ``folder`` read on a thread: ``read_book(path, defaults, skip=<every sheet read,
    the questions kept>)``, the workbook chosen (``candidates``) once the reader is imported."""

    def __init__(self, folder: Path, candidates: list[tuple[int, str]]) -> None:
        self.folder = folder
        self.candidates = candidates
        self.path: Path | None = None
        self.stat: tuple[int, int, int] | None = None
        self.asked: list[tuple[str, bool]] = []     # the skip questions the read asked (every answer None)
        self.limits: Any = None
        self.book: Book | None = None
        self.imported = threading.Event()           # the reader's modules are in; ``path`` is decided
        self.thread = threading.Thread(target=self._run, name="branchkit-early-read", daemon=True)

    def _run(self) -> None:
        try:
            from branchkit.io.kinds import kind_from_name
            from branchkit.io.readbook import read_book
            from branchkit.rules import load_rules

            self.limits = load_rules().input
            named = [(size, name) for size, name in self.candidates if kind_from_name(Path(name).stem) == "customers"]
            if named:
                self.path = self.folder / max(named)[1]
                self.stat = _identity(self.path)
        except BaseException:       # the command line's own imports meet it again
            return
        finally:
            self.imported.set()
        if self.path is None:
            return
        try:
            book = read_book(self.path, self.limits, skip=self._ask)
        except BaseException:       # met again by the loader's own read, at its turn
            return
        if _identity(self.path) == self.stat:
            self.book = book

    def _ask(self, sheet: str, several: bool) -> None:
        self.asked.append((sheet, several))

    def matches(self, path: Path, limits: InputRules, skip: Callable[[str, bool], str | None] | None) -> bool:
        """Whether this read is what ``read_book(path, limits, skip=skip)`` reads now: the same file, limits
        and sheets (the read asked every sheet's skip question and read it: so does the loader's when its
        rule gives none of them a reason, or when it has none)."""
        if self.book is None or path != self.path or _identity(path) != self.stat or limits != self.limits:
            return False
        return skip is None or not any(skip(sheet, several) for sheet, several in self.asked)


def start(argv: list[str]) -> None:
    """Start reading the customer list of the folder ``argv`` names, if its command reads one; return once
    the reader's modules are imported (on the thread, so that its parse starts the moment they are in: the
    command line's imports go on while it parses, never beside the thread's own imports)."""
    global _early
    found = candidates(argv)
    if found is None:
        return
    with _lock:
        if _early is not None:
            return
        _early = early = Early(*found)
    early.thread.start()
    early.imported.wait()


def candidates(argv: list[str]) -> tuple[Path, list[tuple[int, str]]] | None:
    """For ``argv`` (the arguments after the program's name) of a command reading customers with one
    process, the first folder among the arguments and its ``SUFFIXES`` workbooks (size, name) between the
    read-ahead's ``LARGE_BYTES`` (a smaller one's read is short beside the imports) and ``ALONE_BYTES`` (a
    larger one is read only when the loader reaches it: a peak bound); of these the largest whose name
    announces the customer list (客户清单, customers) is read. None when there is nothing to read early."""
    if not argv or argv[0] not in READING or NOT_READING.intersection(arg.split("=")[0] for arg in argv):
        return None
    if _jobs(argv) != 1:        # a folder read by two processes (io.readapart): its files read there
        return None
    folder = next((Path(arg) for arg in argv[1:] if not arg.startswith("-") and os.path.isdir(arg)), None)
    if folder is None:
        return None
    sized = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith((".", "~$")) or not entry.name.lower().endswith(SUFFIXES):
                    continue
                if entry.is_file() and LARGE_BYTES <= entry.stat().st_size <= ALONE_BYTES:
                    sized.append((entry.stat().st_size, entry.name))
    except OSError:
        return None
    return (folder, sized) if sized else None


def _jobs(argv: list[str]) -> int | None:
    """The ``--jobs``/``-j`` the arguments give (the last one, as the command line takes it; 1 when none
    is given), None when one is not a number or ``-j`` stands in a cluster of short options (``-qj2``)."""
    jobs = "1"
    for at, arg in enumerate(argv):
        if arg in ("-j", "--jobs"):
            jobs = argv[at + 1] if at + 1 < len(argv) else ""
        elif arg.startswith("--jobs="):
            jobs = arg[len("--jobs="):]
        elif arg.startswith("-j"):
            jobs = arg[2:]
        elif arg.startswith("-") and not arg.startswith("--") and "j" in arg:
            return None
    return int(jobs) if jobs.isdigit() else None


def take(path: Path, limits: InputRules, skip: Callable[[str, bool], str | None] | None) -> Book | None:
    """The book read early for ``path`` if it is what ``read_book(path, limits, skip=skip)`` reads now
    (waiting for the read to end), once; None otherwise."""
    global _early
    with _lock:
        early = _early
        if early is None:
            return None
    early.imported.wait()
    with _lock:
        if early is not _early or early.path != path:
            return None
        _early = None
    early.thread.join()
    return early.book if early.matches(path, limits, skip) else None


def finish() -> None:
    """Wait for the early read and drop its book if the command did not take it."""
    global _early
    with _lock:
        early, _early = _early, None
    if early is not None:
        early.thread.join()


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino
