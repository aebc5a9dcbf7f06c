"""How the command-line process ends: its exit code, without tearing down Arrow's native threads.

About one run in 500 of ``validate`` over a small CSV ended with SIGABRT after
its work was done and its output written ("terminate called without an
active exception"). A normal interpreter exit finishes with the C library's
``exit()``, which runs C++ static destructors; Arrow's CPU thread pool (used
by its CSV reader and by ``to_pandas``) is one, and when a worker thread drops
the last reference to the pool's state during that teardown, it destroys its
own joinable ``std::thread`` and the C++ runtime aborts (apache/arrow#34314,
#39862). Whether a worker is still finishing at that moment is a matter of
timing, hence the rarity, and why it showed when two runs shared the CPU.

So the command line ends like a forked worker does: everything Python owes
the run happens first (``atexit`` handlers: temporary files, multiprocessing,
logging; and the standard streams are flushed), then ``os._exit`` ends the
process without running native destructors, so that race cannot happen. If a
thread of ours is still running (none should be), the normal exit is kept.
Library use is unaffected: only ``cli.app.main`` calls this.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

from branchkit.parallel import wait_ended


#: The standard streams that were closed when the process started (``prog 2>&-``, a daemon without them):
#: Python sets them to None. ``standard_streams`` puts the null device in their place.
CLOSED: set[str] = set()


def standard_streams() -> None:
    """A closed stdout or stderr at start becomes the null device, so that a message to a closed stderr is
    dropped instead of costing the output (SPEC: a closed stderr never costs the output) and the end of the
    run flushes something; which were closed is kept in ``CLOSED`` (``-o -`` refuses a closed stdout)."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            CLOSED.add(name)
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


def exit_code(code: object) -> int:
    """The process exit code ``SystemExit(code)`` stands for (a message is printed and means 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def leave(code: object) -> NoReturn:
    """End the process with ``code`` after Python's own exit work, skipping native teardown."""
    status = exit_code(code)
    wait_ended()                  # pools left without waiting for their workers' end: it comes within ms
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if others:
        sys.exit(status)
    # The standard library's way to run the atexit handlers now, in order (CPython and PyPy have it).
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):   # closed, gone (None), or the reader went away
            pass
    os._exit(status)
