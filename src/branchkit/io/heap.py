"""Handing freed memory back to the system between the read's big steps.

calamine builds a sheet's cells in many small C allocations; once a long sheet is in its tail and
calamine's copy is freed, glibc keeps most of those pages (the Python and Arrow objects made since sit
elsewhere and never reuse them), and the process would carry them through the rest of the command.
``memory.tune`` (the command line) keeps glibc's freed heap for reuse, to spare page faults when arrays
of the same size come and go; the read trims it only where what was freed (calamine's small cells, a
long sheet's raw columns) is not what comes next: a long sheet in its tail, its workbook closed, the
sheet converted. CSV reads never trim.
"""

from __future__ import annotations

import ctypes
import ctypes.util

_libc: object = None


def give_back_freed() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere nothing): after a
    long sheet's read, about 50 MB at 200,000 rows. The call costs milliseconds."""
    global _libc
    if _libc is None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _libc = libc if hasattr(libc, "malloc_trim") else False
        except OSError:
            _libc = False
    if _libc:
        _libc.malloc_trim(0)
