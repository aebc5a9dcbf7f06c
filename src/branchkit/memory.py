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

``give_back_freed`` is the other way, for the read's big steps: calamine builds a sheet's cells in many
small C allocations; once a long sheet is in its tail and calamine's copy is freed, glibc keeps most of
those pages (the Python and Arrow objects made since sit elsewhere and never reuse them), and the process
would carry them through the rest of the command. The read trims only where what was freed (calamine's
small cells, a long sheet's raw columns) is not what comes next: a long sheet in its tail, its workbook
closed, the sheet converted. CSV reads never trim (their cells live in Arrow's pool).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import sys

#: How long Arrow's jemalloc keeps freed pages before returning them to the system.
ARROW_DECAY_MS = 1_000
#: ... and from the write on (``settle``) at once: the write's arrays are small and many, and its peak is the
#: command's (allocate of 200,000 customers to xlsx: 607 -> 573-586 MB; the million-row CSV unchanged).
WRITE_DECAY_MS = 0
#: glibc: blocks up to this size come from the heap (reused) instead of a fresh mapping each time ...
MMAP_THRESHOLD = 1 << 30
#: ... and the heap is trimmed only when this much is free at its top.
TRIM_THRESHOLD = (1 << 31) - 1
#: Extra heap asked for at each growth, so growing in steps does not fault page by page.
TOP_PAD = 256 << 20

_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3


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


def give_back_freed() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere nothing): after a
    long sheet's read, about 50 MB at 200,000 rows. The call costs milliseconds."""
    trim = _libc_call("malloc_trim")
    if trim is not None:
        trim(0)


def settle() -> None:
    """Between a command's computation and its write: collect the cyclic garbage the read left, hand the
    freed heap back (``give_back_freed``) and let Arrow return freed pages at once (``WRITE_DECAY_MS``).
    allocate of 200,000 customers to xlsx: peak 628 -> 573-586 MB; it costs milliseconds."""
    gc.collect()
    give_back_freed()
    _arrow_decay(WRITE_DECAY_MS)


@functools.cache
def _libc_call(name: str):
    """The C library's function ``name``, or None where there is none (not Linux, musl without it).
    Cached: finding the library asks ``ldconfig``, milliseconds a time."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):
        return None


def _tune_glibc() -> None:
    mallopt = _libc_call("mallopt")
    if mallopt is None:                          # musl and others: no mallopt
        return
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    for option, value in ((_M_MMAP_THRESHOLD, MMAP_THRESHOLD), (_M_TRIM_THRESHOLD, TRIM_THRESHOLD),
                          (_M_TOP_PAD, TOP_PAD)):
        mallopt(option, value)
