"""The one timing helper of the in-process benchmarks (bench_*.py import it from beside them)."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def median_seconds(func: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``repeat`` calls of ``func``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
