"""Items made in a thread a bounded distance ahead of their consumer, and work started early.

The xlsx writer makes a sheet's row XML (Arrow string kernels) while it deflates the rows made
before (ISA-L); both release the GIL, so on two cores the two overlap. The items arrive in the order
they are made, so nothing written depends on the threads' timing. ``early`` starts one call in a
worker (the next chunk of rows' Arrow joins while this chunk is handed on; the next block's cells
while this block's rows are joined); its result is the same whenever it runs.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
_workers: dict[str, ThreadPoolExecutor] = {}
_worker_lock = threading.Lock()


def early(make: Callable[..., T], *args: object, lane: str = "rows") -> Future:
    """``make(*args)`` started now in a worker thread; ``.result()`` waits for it (and raises its error).
    Each ``lane`` has one worker, serving its calls in order: the calls given to one never wait for
    one another, so it cannot deadlock, and their results do not depend on when they run. Two lanes
    overlap: the next block's cells (``"cells"``, pandas and Arrow) are prepared while this block's
    rows are joined (``"rows"``, Arrow's joins, which release the GIL)."""
    with _worker_lock:
        worker = _workers.get(lane)
        if worker is None:
            worker = _workers[lane] = ThreadPoolExecutor(1, thread_name_prefix=f"branchkit-early-{lane}")
    return worker.submit(make, *args)


def ahead(items: Iterable[T], depth: int) -> Iterator[T]:
    """``items`` as they are, made in a thread at most ``depth`` ahead of the caller; an error there is
    raised here. Stopping early (an error here, or closing the generator) stops the thread."""
    box: queue.Queue = queue.Queue(depth)
    stop = threading.Event()

    def offer(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                box.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not offer((True, item)):
                    return
            offer((False, None))
        except BaseException as error:      # handed to the caller, who raises it
            offer((False, error))

    thread = threading.Thread(target=run, name="branchkit-xlsx-rows", daemon=True)
    thread.start()
    try:
        while True:
            more, item = box.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        thread.join()
