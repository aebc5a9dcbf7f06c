"""Computing branches in parallel processes, with the same result as one after another.

Per-branch cores are pure functions (one branch's frames in, results out), so
they can run in worker processes; results come back in the order of the
input, whatever order the workers finish in, so ``--jobs N`` and ``--jobs 1``
give the same bytes.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, TypeVar


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
