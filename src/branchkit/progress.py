"""Where long work says how far it is, without knowing who listens.

The readers, the per-branch cores and the writers call ``step`` and
``advance``; the CLI installs a listener (``console.Activity``: a rich
progress line on stderr, on a terminal only). With no listener (tests,
library use, worker processes) the calls do nothing.
"""

from __future__ import annotations

from typing import Protocol


class Listener(Protocol):
    def step(self, description: str, total: int | None = None) -> None: ...

    def advance(self, count: int = 1) -> None: ...


_listener: Listener | None = None


def listen(listener: Listener | None) -> Listener | None:
    """Install ``listener`` (None removes it); returns the one it replaces."""
    global _listener
    previous, _listener = _listener, listener
    return previous


def step(description: str, total: int | None = None) -> None:
    """A new stage of the work (``total`` items to come, if known)."""
    if _listener is not None:
        _listener.step(description, total)


def advance(count: int = 1) -> None:
    """``count`` more items of the current stage are done."""
    if _listener is not None:
        _listener.advance(count)
