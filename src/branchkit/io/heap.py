"""Handing freed memory back to the system between the read's big steps.

calamine builds a sheet's cells in many small C allocations; once a long sheet is in its tail and
calamine's copy is freed, glibc keeps most of those pages (the Python and Arrow objects made since sit
elsewhere and never reuse them), and the process would carry them through the rest of the command.
The read trims only where what was freed (calamine's small cells, a long sheet's raw columns) is not what
comes next: a long sheet in its tail, its workbook closed, the sheet converted. CSV reads never trim
(their cells live in Arrow's pool). Here, not in ``branchkit.memory``, because the library reads too and
the allocator settings of ``memory`` are the command line's alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys


def give_back_freed() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere nothing): after a
    long sheet's read, about 50 MB at 200,000 rows. The call costs milliseconds."""
    trim = libc_call("malloc_trim")
    if trim is not None:
        trim(0)


@functools.cache
def libc_call(name: str):
    """The C library's function ``name``, or None where there is none (not Linux, musl without it).
    Cached: finding the library asks ``ldconfig``, milliseconds a time."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):
        return None
