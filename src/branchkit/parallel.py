"""Work in parallel processes with the same result as one after another: the one pool mechanism.

Every parallel step (reading a workbook's sheets or a folder's files, computing groups of branches,
building and rendering report pages) is ``func(shared, item)`` over a list of items: ``shared`` is the
big value every item needs a part of (the ledgers, the month's results), ``item`` says which part (a
branch name, a sheet number). Workers are forked, so they inherit ``shared`` from this process's
memory and nothing big is pickled in: it reaches them through the pool's initializer, which runs in
each worker, so this process keeps no global state for it and pools may nest. Results come back in
the order of the items, whatever order the workers finish in, so ``--jobs N`` and ``--jobs 1`` give
the same bytes. Where processes cannot be forked, the work runs in this process.

Which pools run, and how many workers, is the caller's choice (``jobs``); a library call with the
default ``jobs=1`` starts no process.
"""

from __future__ import annotations

import ctypes
import mmap
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator, TypeVar

from branchkit import progress

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

#: The name of the thread that waits for a pool's workers to end when the pool was left without waiting.
ENDING = "branchkit-pool-ending"

#: In a worker only: the function and the shared value its pool was started with.
_WORKER: tuple[Callable[[Any, Any], Any], Any] | None = None


def can_fork() -> bool:
    """Whether worker processes can be forked here (they inherit this process's memory)."""
    return "fork" in multiprocessing.get_all_start_methods()


class Pool:
    """``workers`` forked processes calling ``func(shared, item)``; only items and results are pickled.

    A context manager: the workers start with the first item submitted and end with the block (``close``).
    """

    def __init__(self, func: Callable[[S, T], R], shared: S, workers: int) -> None:
        self._executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_start_worker, initargs=(func, shared, os.getpid()))

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(wait=kind is not None)

    def close(self, wait: bool = True) -> None:
        """End the workers (items not started are cancelled). Without ``wait`` (a block left with its results
        taken) this returns while they end, a thread (``ENDING``) waiting for them: a worker's end is the
        kernel freeing what it held, 20-35 ms of a 200-branch report's read and render workers (from the
        worker's ``os._exit`` to its parent's ``waitpid``), waited for by the parent before."""
        if wait:
            self._executor.shutdown(wait=True, cancel_futures=True)
            return
        threading.Thread(target=self._executor.shutdown, kwargs={"wait": True, "cancel_futures": True},
                         name=ENDING).start()

    def submit(self, item: Any) -> Future:
        """``func(shared, item)`` in a worker."""
        return self._executor.submit(_call, item)

    def map(self, items: list[Any], chunksize: int = 1) -> Iterator[Any]:
        """``func(shared, item)`` for every item, in the order of the items."""
        return self._executor.map(_call, items, chunksize=chunksize)


class Apart:
    """``func(shared, None)`` in one forked process while this one goes on: a computation split in two, one
    half here, the other there. A context manager: the process is forked on entering; ``done`` and ``result`` as
    a future's.

    The result comes back through a memory file (Linux's ``memfd_create``) that the process writes and this
    one reads in place, pickled with protocol 5 (arrays written as they are), not pickled with the pool's
    protocol 4 and sent through its pipe: the 200-branch report's parts but the scoring (47 MB) were pickled
    in 0.09 s, sent through the pipe in 0.085 s and unpickled in 0.03 s; from the process's return to this
    one's, 0.17-0.24 s -> 0.05-0.13 s (4 alternating runs, load 2-3). Where there is no memfd the result comes
    as a pool's does.
    """

    def __init__(self, func: Callable[[S, None], R], shared: S) -> None:
        self._file = _memory_file()
        self._pool = Pool(_apart, (func, shared, self._file), 1)
        self._future: Future | None = None

    def __enter__(self) -> "Apart":
        self._future = self._pool.submit(None)
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self._pool.__exit__(*exc)
        finally:
            if self._file is not None:
                os.close(self._file)

    def done(self) -> bool:
        return self._future.done()

    def result(self) -> Any:
        """``func(shared, None)``, once computed; what it raised is raised here."""
        value = self._future.result()
        if self._file is not None:
            with mmap.mmap(self._file, os.fstat(self._file).st_size, access=mmap.ACCESS_READ) as written:
                value = pickle.loads(written)
        return value


def _memory_file() -> int | None:
    """A file in memory shared with the processes forked after it (None where there is none)."""
    try:
        return os.memfd_create("branchkit-apart")
    except (AttributeError, OSError):
        return None


def _apart(shared: tuple[Callable[[Any, None], Any], Any, int | None], _item: None) -> Any:
    """In ``Apart``'s process: the result, written to the memory file if there is one."""
    func, value, file = shared
    result = func(value, None)
    if file is None:
        return result
    with open(file, "wb", closefd=False) as out:
        pickle.dump(result, out, protocol=5)
    return None


def wait_ended() -> None:
    """Wait for the workers of the pools left without waiting (``Pool.close``) to end: the command line does
    before it exits (``shutdown.leave``), which then finds no thread of ours running."""
    for thread in threading.enumerate():
        if thread.name == ENDING:
            thread.join()


def workers_for(jobs: int, items: int) -> int:
    """How many processes ``jobs`` gives for ``items`` pieces of work (never more than cores)."""
    return min(max(1, jobs), items, os.cpu_count() or 1)


def map_shared(func: Callable[[S, T], R], shared: S, items: Iterable[T], jobs: int = 1) -> list[R]:
    """``[func(shared, item) for item in items]``, in up to ``jobs`` forked processes (see ``Pool``).

    Results come back in the order of ``items``. With one worker, one item, or no fork, runs here.
    """
    return list(imap_shared(func, shared, items, jobs))


def imap_shared(func: Callable[[S, T], R], shared: S, items: Iterable[T], jobs: int = 1,
                chunks_per_worker: int = 32) -> Iterator[R]:
    """``map_shared`` yielding each result as soon as it and those before it are done."""
    items = list(items)
    workers = workers_for(jobs, len(items))
    if workers <= 1 or not can_fork():
        yield from (func(shared, item) for item in items)
        return
    with Pool(func, shared, workers) as pool:
        yield from pool.map(items, chunksize=max(1, len(items) // (workers * chunks_per_worker)))


def map_ordered(func: Callable[[T], R], items: Iterable[T], jobs: int = 1) -> list[R]:
    """``[func(item) for item in items]`` in up to ``jobs`` processes, each item pickled to its worker
    (for items that are small, or already cut per branch), with progress per item."""
    items = list(items)
    if len(items) > 1:
        progress.step(f"computing {len(items)} branches", total=len(items))
    results = []
    for result in imap_shared(_apply, func, items, jobs, chunks_per_worker=4):
        results.append(result)
        progress.advance()
    return results


def _apply(func: Callable[[T], R], item: T) -> R:
    return func(item)


def _start_worker(func: Callable[[Any, Any], Any], shared: Any, parent: int) -> None:
    global _WORKER
    die_with_parent(parent)
    _WORKER = (func, shared)
    progress.listen(None)            # the parent alone reports progress


def _call(item: Any) -> Any:
    func, shared = _WORKER
    return func(shared, item)


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a worker: end when process ``parent`` ends, however it ends (a SIGKILL included): a worker
    outliving its parent is reparented to PID 1 and lives on, holding memory and files. On Linux the
    kernel sends SIGKILL when the parent goes (``prctl(PR_SET_PDEATHSIG)``); elsewhere a thread watches
    the parent id. Either way a parent already gone by now (it died while this one started) ends this
    one at once."""
    tied = sys.platform.startswith("linux") and _death_signal(signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
    if not tied:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _death_signal(number: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, number, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int, every: float = 1.0) -> None:
    stop = threading.Event()
    while not stop.wait(every):
        if os.getppid() != parent:
            os._exit(1)
