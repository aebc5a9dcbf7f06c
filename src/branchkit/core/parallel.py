"""Computing branches in parallel processes, with the same result as one after another.

Per-branch cores are pure functions (one branch's frames in, results out), so
they can run in worker processes; results come back in the order of the
input, whatever order the workers finish in, so ``--jobs N`` and ``--jobs 1``
give the same bytes.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, TypeVar

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
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(func, items, chunksize=max(1, len(items) // (workers * 4))):
            results.append(result)
            progress.advance()
    return results


S = TypeVar("S")
_SHARED: tuple[Callable[[Any, Any], Any], Any] | None = None


def map_shared(func: Callable[[S, T], R], shared: S, items: Iterable[T], jobs: int = 1) -> list[R]:
    """``[func(shared, item) for item in items]``, in up to ``jobs`` forked processes.

    ``shared`` (say, the whole month's results) is not pickled: the workers inherit it when they
    are forked, and each item (say, a branch name) picks its part of it there. Only the results
    travel back, in the order of ``items``. Where processes cannot be forked, runs in this one.
    """
    global _SHARED
    items = list(items)
    workers = min(max(1, jobs), len(items), os.cpu_count() or 1)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [func(shared, item) for item in items]
    _SHARED = (func, shared)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_call_shared, items, chunksize=max(1, len(items) // (workers * 32))))
    finally:
        _SHARED = None


def _call_shared(item: Any) -> Any:
    progress.listen(None)
    func, shared = _SHARED
    return func(shared, item)
