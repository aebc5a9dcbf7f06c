"""Allocator settings for one command run over large ledgers.

A million-row run allocates and frees hundreds of arrays of 8 to 100 MB.
By default glibc hands each freed large block back to the kernel (``munmap``,
heap trimming) and Arrow's allocator purges freed pages at once, so the next
array of the same size page-faults all its memory in again: measured on a
1,000,000-customer CSV allocation, 4.6 s of 12.9 s was kernel time, most of
it page faults. Keeping freed memory for reuse for a moment cuts that to
1.9 s (10.2 s in all) at the cost of a slightly higher peak (1.70 -> 1.77 GB).

Only the command line calls ``tune``: a library user keeps their process's
allocator as it was. Every step is best effort; where a call is missing
(another C library, a pyarrow built without jemalloc) nothing changes.

``settle`` is the other way, between a command's computation and its write: the write's peak is the
command's, so what was freed before it goes back to the system (``io.heap.give_back_freed``, which the
read also calls after its long sheets).
"""

from __future__ import annotations

import ctypes
import gc
import os

from branchkit.io.heap import give_back_freed, libc_call

#: How long Arrow's jemalloc keeps freed pages before returning them to the system.
ARROW_DECAY_MS = 1_000
#: ... and from the write on (``settle``) at once: the write's arrays are small and many, and its peak is the
#: command's (allocate of 200,000 customers to xlsx: 607 -> 573-586 MB; the million-row CSV unchanged).
WRITE_DECAY_MS = 0
#: From ``settle`` to ``thaw``: the garbage collector's youngest generation is collected after this many
#: allocations (Python's default is 700). The write makes many small objects that live a while (the keeper
#: books, their pages' rows), each of which was scanned again by every older generation's collection:
#: allocate of 200,000 customers to xlsx, time in the collector during the write (gc.callbacks, load 8-9 on
#: 2 cores) 0.60-0.90 s at 700, 0.34 s at 5,000, 0.26-0.28 s at 20,000, 0.15 s at 100,000; peak RSS
#: unchanged (506-514 MB).
WRITE_GC_THRESHOLD = 100_000
_gc_thresholds: list[tuple[int, ...]] = []
#: glibc: blocks up to this size come from the heap (reused) instead of a fresh mapping each time (a column
#: of a million float64 is 8 MB) ... Bigger ones (pandas' blocks of several columns, a million-row 2-D
#: array) get a mapping of their own, given back when freed: from the heap, glibc kept up to ~200 MB of
#: them freed and never reused through the allocation of 1,000,000 CSV customers. Peak 1.06 -> 0.96 GB at
#: 16 MB (1 GB before), CPU time +1 %, minor faults +3 %; allocate of 200,000 to xlsx unchanged (549 MB).
MMAP_THRESHOLD = 16 << 20
#: ... and the heap is trimmed only when this much is free at its top.
TRIM_THRESHOLD = (1 << 31) - 1
#: Extra heap asked for at each growth, so growing in steps does not fault page by page.
TOP_PAD = 256 << 20

#: glibc: the heaps (arenas) every thread allocates from. One: the folder read parses a workbook in a thread
#: (``io.readahead``) whose own arena ``malloc_trim`` left ~40 MB fuller after the read (200,000 customers:
#: 259 -> 300 MB held after the read, the xlsx write's peak 547 -> 591 MB); in the main arena it is trimmed
#: as before. A command runs few threads that allocate at once (the read-ahead, the writer's rows and
#: worker), so one arena's lock costs little: allocate of 200,000 customers to xlsx, user CPU 20.3-22.0 s
#: against main's 21.8 s, peak 540-545 MB against 548 MB (a loaded machine: wall times not comparable).
#: Set before the command's imports (``one_arena``): glibc heeds the limit only when a thread first needs
#: an arena, and importing pyarrow starts a thread that takes one; set later (as ``tune`` did), the
#: threads of the read then took turns on that arena and the main one, whose freed top ``malloc_trim``
#: leaves held (the read's parse threads: allocate of 200,000 customers to xlsx held 346-352 MB after the
#: read against 302-319 MB, peak 557-567 MB against 503-520 MB, three runs each).
ARENAS = 1
#: Arrow's jemalloc: its arenas (by default four a core), set through its environment variable before pyarrow
#: loads it (``one_arena``). Each thread that allocates Arrow buffers (the CSV parse's, the two converting a
#: long CSV's columns, the CSV writer's) otherwise takes an arena of its own, whose freed pages another arena
#: does not reuse: allocate of 1,000,000 CSV customers, columns converted on two threads, /usr/bin/time max RSS
#: 872-886 -> 864-867 MiB (3 alternating runs, load 3-5; one thread converting: 869 -> 864 MiB), user CPU the
#: same within the noise (6.05-6.32 against 6.21-6.35 s). A value the user set is left as it is.
ARROW_ARENAS = 1
_ARROW_CONF = "JE_ARROW_MALLOC_CONF"

_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -2, -3, -8


def tune() -> None:
    """Keep freed memory for reuse (Arrow's jemalloc pool, glibc's heap); see the module text."""
    _tune_arrow()
    _tune_glibc()


def _tune_arrow() -> None:
    import pyarrow as pa

    if _arrow_decay(ARROW_DECAY_MS):
        pa.set_memory_pool(pa.jemalloc_memory_pool())


def _arrow_decay(ms: int) -> bool:
    """Set how long Arrow's jemalloc keeps freed pages; False where pyarrow has no jemalloc."""
    import pyarrow as pa

    try:
        pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(ms)
    except (NotImplementedError, AttributeError, pa.ArrowException):
        return False
    return True


def settle() -> None:
    """Between a command's computation and its write: collect the cyclic garbage the read left, hand the
    freed heap back (``give_back_freed``) and let Arrow return freed pages at once (``WRITE_DECAY_MS``).
    allocate of 200,000 customers to xlsx: peak 628 -> 573-586 MB; it costs milliseconds.

    What is still alive (the inputs, the result: hundreds of thousands of objects) is then frozen out of the
    garbage collector's sight until ``thaw``: the write makes as many short-lived objects (the keeper books'
    rows), and every full collection they set off scanned the result again, stopping every thread (1.8 s of
    the 200,000-customer workbook's write; 0.4-0.5 s frozen). The youngest generation is also collected
    less often until ``thaw`` (``WRITE_GC_THRESHOLD``)."""
    gc.collect()
    give_back_freed()
    _arrow_decay(WRITE_DECAY_MS)
    gc.freeze()
    _gc_thresholds.append(gc.get_threshold())
    gc.set_threshold(WRITE_GC_THRESHOLD, *_gc_thresholds[-1][1:])


def thaw() -> None:
    """After the write: what ``settle`` froze is seen by the garbage collector again, whose thresholds
    are as they were."""
    gc.unfreeze()
    if _gc_thresholds:
        gc.set_threshold(*_gc_thresholds.pop())


def one_arena() -> None:
    """Every thread allocates from glibc's main heap (``ARENAS``), and Arrow's from jemalloc's one arena
    (``ARROW_ARENAS``); the command line calls it first, before its imports start threads or load pyarrow."""
    _mallopt([(_M_ARENA_MAX, ARENAS)])
    os.environ.setdefault(_ARROW_CONF, f"narenas:{ARROW_ARENAS}")


def _tune_glibc() -> None:
    _mallopt([(_M_MMAP_THRESHOLD, MMAP_THRESHOLD), (_M_TRIM_THRESHOLD, TRIM_THRESHOLD), (_M_TOP_PAD, TOP_PAD)])


def _mallopt(settings: list[tuple[int, int]]) -> None:
    mallopt = libc_call("mallopt")
    if mallopt is None:                          # musl and others: no mallopt
        return
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    for option, value in settings:
        mallopt(option, value)
