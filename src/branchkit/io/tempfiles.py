"""Temporary files beside an output, and their removal on every exit.

An output is written to a hidden temporary file beside it (mode 0600: it holds customer data) and
renamed into place when complete. The temporary file goes whatever ends the run: the write's own
``finally``, an exception, ``atexit``, and, once ``remove_on_signals`` is installed (the CLI does), a
SIGTERM or SIGHUP, which Python would otherwise obey by dying on the spot. Each file is recorded with
the process that made it, so a forked worker that exits or is signalled never removes its parent's.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import signal
from pathlib import Path

#: Temporary files not yet renamed or removed: path -> the process id that made it.
_PENDING: dict[str, int] = {}
_SIGNALS = ("SIGTERM", "SIGHUP")


def new_temporary(target: Path) -> Path:
    """A new empty file ``.<name>.<random>.tmp`` beside ``target`` (mode 0600), recorded for removal.

    It is recorded before it is created, so a signal at any moment finds it (removing a file that is
    not there yet is nothing).
    """
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        _PENDING[str(tmp)] = os.getpid()
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:          # another run's file of the same name: leave it, draw again
            _PENDING.pop(str(tmp), None)
            continue
        except BaseException:
            _PENDING.pop(str(tmp), None)
            raise
        os.close(fd)
        return tmp


def discard(tmp: Path) -> None:
    """Remove a temporary file if it is still there (it was not renamed into place) and forget it."""
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    _PENDING.pop(str(tmp), None)


def done(tmp: Path) -> None:
    """Forget a temporary file that was renamed into place."""
    _PENDING.pop(str(tmp), None)


def remove_all() -> None:
    """Remove every temporary file this process made and has not finished (a forked worker, which
    inherits the record, leaves its parent's alone)."""
    me = os.getpid()
    for name, owner in list(_PENDING.items()):
        if owner == me:
            with contextlib.suppress(OSError):
                os.unlink(name)
            _PENDING.pop(name, None)


def remove_on_signals() -> None:
    """Make SIGTERM and SIGHUP remove this process's temporary files before it ends by them.

    Process-wide, so the CLI installs it (``cli.app.main``); a library call changes nothing. The
    process still ends by the signal, at once: waiting for a computation (or a pool of workers) to
    unwind could take minutes, and forked workers end with their parent (``branchkit.parallel``).
    """
    for name in _SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, _end_by_signal)


def _end_by_signal(number: int, frame: object) -> None:
    remove_all()
    signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)


atexit.register(remove_all)
