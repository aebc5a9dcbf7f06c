"""A folder's files read in a thread, in the folder's order, ahead of the loader taking them.

calamine parses a sheet with the GIL released (measured: the main thread runs on, never stopped longer
than the switch interval, while a 200,000-row sheet parses), and so does zlib's inflate in the package
check; the loader's conversion of the book before (Arrow and pandas kernels) runs meanwhile. At 200,000
customers the month-start list (月初客户清单) is checked and parsed while the customer list is
converted. The loader takes the books in the folder's order, whatever the thread's timing, so what is
read is the same: only when it is read changes. A file's error is raised when the loader reaches it,
as if it had been read then.

The thread is at most one large file (``LARGE_BYTES``) ahead: it waits after reading one until the
loader has taken it, so at most two large books are held at once (one converted, one read). A very large
file (``ALONE_BYTES``) is read only when the loader reaches it, as without the thread, so that its parse
never adds to the peak of the conversion before it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from branchkit.io.grid import Book

#: A file at least this large is a large one: the thread waits after reading it until it is taken.
LARGE_BYTES = 4 * 1024 * 1024
#: A file larger than this is read only once the loader has reached it, as without the thread: its parse
#: beside the conversion before it would raise the peak (1,048,575 customers: calamine's copy of the
#: 123 MB customer list beside the million-row CSV's conversion: peak 1.58 -> 1.82 GiB). 200,000
#: customers (24 MB) are read ahead.
ALONE_BYTES = 64 * 1024 * 1024


class ReadAhead:
    """``read(path)`` for each of ``paths``, in order, in one thread; ``take(path)`` waits for its result.

    ``read`` returns None for a file it leaves to the caller (read then, not ahead); given no ``paths``,
    nothing is read ahead (every file read when the loader reaches it). ``close`` stops the thread once
    the file it is reading is done (a long sheet's parse cannot be interrupted)."""

    def __init__(self, paths: list[Path], read: Callable[[Path], Book | None]) -> None:
        self._paths = list(paths)
        self._read = read
        self._done: dict[Path, tuple[Book | None, BaseException | None]] = {}
        self._taken: set[Path] = set()
        self._stop = False
        self._over = False              # the thread has returned
        self._reached = -1              # the position of the file the loader last asked for
        self._lock = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="branchkit-read-ahead", daemon=True)
        self._thread.start()

    def take(self, path: Path) -> Book | None:
        """The book read ahead for ``path`` (its error raised here), or None when it was not read ahead."""
        with self._lock:
            if path not in self._paths or path in self._taken:
                return None
            self._reached = max(self._reached, self._paths.index(path))
            self._lock.notify_all()
            self._lock.wait_for(lambda: path in self._done or self._over)
            if path not in self._done:
                return None             # the thread stopped before it (closed, or an earlier file's error)
            self._taken.add(path)
            book, error = self._done.pop(path)
            self._lock.notify_all()
        if error is not None:
            raise error
        return book

    def close(self) -> None:
        """Stop reading ahead and wait for the thread; books not taken are dropped."""
        with self._lock:
            self._stop = True
            self._done.clear()
            self._lock.notify_all()
        self._thread.join()

    def __enter__(self) -> "ReadAhead":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        try:
            self._read_all()
        finally:
            with self._lock:
                self._over = True
                self._lock.notify_all()

    def _read_all(self) -> None:
        for at, path in enumerate(self._paths):
            with self._lock:
                if _size(path) > ALONE_BYTES:
                    self._lock.wait_for(lambda: self._stop or self._reached >= at)
                if self._stop:
                    return
            try:
                result: tuple[Book | None, BaseException | None] = (self._read(path), None)
            except BaseException as error:      # raised in the loader when it reaches this file
                result = (None, error)
            with self._lock:
                if self._stop:
                    return
                self._done[path] = result
                self._lock.notify_all()
                if result[1] is not None:
                    return         # the loader stops at this file's error: nothing after it is read
                if result[0] is not None and _size(path) >= LARGE_BYTES:
                    self._lock.wait_for(lambda: self._stop or path in self._taken)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
