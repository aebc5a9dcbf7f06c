"""The command-line interface: a thin layer that reads, calls the core and writes.

Only this package imports Typer. Each command lives in its own module and
registers itself on ``app``; ``main`` is the console-script entry point.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

# The imports below (pandas, pyarrow, pydantic's models, every command's modules) make a few hundred
# thousand objects that live as long as the process; the garbage collector's passes while they are made
# find nothing to free and only scan them again: 0.88 -> 0.79 s user CPU, 0.92 -> 0.81 s wall, of every
# command's start (`python -c "import branchkit.cli"`, 12 alternating runs on a 2-core VM). The collector
# runs again, if it ran before, once they are in. Run as the branchkit command (its console script, or
# python -m branchkit), what they made is then frozen out of its sight (below); imported by anything else (a
# test, a program), the collector is left as it was found.
_program = Path(sys.argv[0] if getattr(sys, "argv", None) else "")
_command = _program.stem.lower() in ("branchkit", "branchkit-script") or _program.parent.name == "branchkit"
if _command:
    # one heap for every thread, glibc's and Arrow's jemalloc's, set before the imports below start threads
    # or load pyarrow (memory.ARENAS, memory.ARROW_ARENAS)
    from branchkit import memory

    memory.one_arena()
_collecting = gc.isenabled()
gc.disable()
try:
    from branchkit.cli.app import app, main

    # Commands register themselves on import; one line each, in --help order.
    from branchkit.cli import validate_cmd  # noqa: F401
    from branchkit.cli import allocate_cmd  # noqa: F401
    from branchkit.cli import staff_cmd  # noqa: F401
    from branchkit.cli import plan_cmd  # noqa: F401
    from branchkit.cli import score_cmd  # noqa: F401
    from branchkit.cli import report_cmd  # noqa: F401
    from branchkit.cli import init_cmd  # noqa: F401
    from branchkit.cli import rules_cmd  # noqa: F401
    from branchkit.cli import sample_cmd  # noqa: F401
except KeyboardInterrupt:
    if not _command:
        raise
    # Ctrl-C while the command is still starting (its imports take a few tenths of a second): it ends as
    # an interrupt later in the run does (``cli.app``: "error: interrupted", exit 130), without a traceback.
    import os

    if sys.stderr is not None:
        sys.stderr.write("error: interrupted\n")
        sys.stderr.flush()
    os._exit(130)
finally:
    if _collecting:
        if _command:
            # Run as the command, what the imports made is frozen out of the collector's sight (it lives
            # as long as the process): the first collection after the imports scanned all of it, ~60 ms of
            # CPU on every command (0.056-0.070 s -> 0.0001 s, 4 alternating runs). memory.thaw unfreezes it
            # with what the write froze; it is then in the oldest generation, as it was before.
            gc.freeze()
        gc.enable()

__all__ = ["app", "main"]
