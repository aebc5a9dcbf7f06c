"""Computing branches in parallel processes, with the same result as one after another.

Per-branch cores are pure functions (one branch's frames in, results out), so
they can run in worker processes; results come back in the order of the
input, whatever order the workers finish in, so ``--jobs N`` and ``--jobs 1``
give the same bytes.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator, TypeVar

from branchkit import progress

T = TypeVar("T")
R = TypeVar("R")


def map_ordered(func: Callable[[T], R], items: Iterable[T], jobs: int = 1) -> list[R]:
    """``[func(item) for item in items]``, in up to ``jobs`` processes when there is more than one item.

    ``func`` must be a module-level function and items must pickle.
    """
    items = list(items)
    workers = min(max(1, jobs), len(items), os.cpu_count() or 1)
    if len(items) > 1:
        progress.step(f"computing {len(items)} branches", total=len(items))
    results = []
    if workers <= 1:
        for item in items:
            results.append(func(item))
            progress.advance()
        return results
    with ProcessPoolExecutor(max_workers=workers, **_tied_to_this_process(multiprocessing.get_context())) as pool:
        for result in pool.map(func, items, chunksize=max(1, len(items) // (workers * 4))):
            results.append(result)
            progress.advance()
    return results


S = TypeVar("S")
_SHARED: tuple[Callable[[Any, Any], Any], Any] | None = None


def can_fork() -> bool:
    """Whether worker processes can be forked here (they inherit this process's memory)."""
    return "fork" in multiprocessing.get_all_start_methods()


class Forked:
    """A pool of forked workers calling ``func(shared, item)``; only items and results are pickled."""

    def __init__(self, pool: ProcessPoolExecutor) -> None:
        self.pool = pool

    def submit(self, item: Any) -> Future:
        return self.pool.submit(_call_shared, item)

    def map(self, items: list[Any], chunksize: int = 1) -> Iterator[Any]:
        return self.pool.map(_call_shared, items, chunksize=chunksize)


@contextlib.contextmanager
def forked(func: Callable[[S, T], R], shared: S, workers: int) -> Iterator[Forked]:
    """``workers`` processes forked with ``shared`` in their memory (say, the whole month's results,
    or the sheets read so far): nothing big is pickled in, each item (a branch name, a sheet number)
    picks its part there. Needs ``can_fork()``."""
    global _SHARED
    previous, _SHARED = _SHARED, (func, shared)      # a pool inside another's work keeps the outer one's
    try:
        with ProcessPoolExecutor(workers, **_tied_to_this_process(multiprocessing.get_context("fork"))) as pool:
            yield Forked(pool)
    finally:
        _SHARED = previous


def map_shared(func: Callable[[S, T], R], shared: S, items: Iterable[T], jobs: int = 1) -> list[R]:
    """``[func(shared, item) for item in items]``, in up to ``jobs`` forked processes (see ``forked``).

    Results come back in the order of ``items``. Where processes cannot be forked, runs in this one.
    """
    items = list(items)
    workers = min(max(1, jobs), len(items), os.cpu_count() or 1)
    if workers <= 1 or not can_fork():
        return [func(shared, item) for item in items]
    with forked(func, shared, workers) as pool:
        return list(pool.map(items, chunksize=max(1, len(items) // (workers * 32))))


def _call_shared(item: Any) -> Any:
    progress.listen(None)
    func, shared = _SHARED
    return func(shared, item)


def _tied_to_this_process(context: Any) -> dict[str, Any]:
    """Pool arguments (``context``, the multiprocessing context) that make each worker end when this
    process ends, however it ends (a SIGKILL included): a worker outliving its parent is reparented to
    PID 1 and lives on, holding memory and files. Not for a forkserver's workers, whose parent is the
    server."""
    if context.get_start_method() == "forkserver":
        return {"mp_context": context}
    return {"mp_context": context, "initializer": die_with_parent, "initargs": (os.getpid(),)}


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a worker: end when process ``parent`` ends. On Linux the kernel sends SIGKILL when the parent
    goes (``prctl(PR_SET_PDEATHSIG)``); elsewhere a thread watches the parent id. Either way a parent
    already gone by now (it died while this one started) ends this one at once."""
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
