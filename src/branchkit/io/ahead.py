"""Items made in a thread a bounded distance ahead of their consumer, and work started early.

The xlsx writer makes a sheet's row XML (Arrow string kernels) while it deflates the rows made
before (ISA-L); both release the GIL, so on two cores the two overlap. The items arrive in the order
they are made, so nothing written depends on the threads' timing. ``early`` starts one call in a
worker (the next chunk of rows' Arrow joins while this chunk is handed on); its result is the same
whenever it runs.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
_worker: ThreadPoolExecutor | None = None
_worker_lock = threading.Lock()


def early(make: Callable[..., T], *args: object) -> Future:
    """``make(*args)`` started now in a worker thread; ``.result()`` waits for it (and raises its error).
    One worker serves every caller: the calls given to it never wait for one another, so it cannot
    deadlock, and their results do not depend on when they run."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = ThreadPoolExecutor(1, thread_name_prefix="branchkit-early")
    return _worker.submit(make, *args)


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
