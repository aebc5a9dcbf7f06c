"""Items made in a thread a bounded distance ahead of their consumer.

The xlsx writer makes a sheet's row XML (Arrow string kernels) while it deflates the rows made
before (zlib); both release the GIL, so on two cores the two overlap. The items arrive in the order
they are made, so nothing written depends on the threads' timing.
"""

from __future__ import annotations

import queue
import threading
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


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
