"""Where a command may write: only where a file can be written, and never over a file it reads.

Checked before any work, so a run that could not write its output stops at once (exit 2, one plain
reason) instead of failing after the whole computation. What a command reads is every file named on
its command line (ledgers, ``--previous``, ``--history``, ``--rules``, ...) and everything under a
folder given as input, at any depth (a ledger folder's ``rules.toml``, its ``history/`` snapshots, the
outputs saved in it last month). Paths are compared after resolving symbolic links, and existing files
by identity (device and inode), so a hard link or a symlink to an input is refused too. Case-insensitive
file systems are not considered: there two spellings of one name are two paths here.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Iterable, Iterator

from branchkit.errors import OutputError
from branchkit.io.tempfiles import discard, new_temporary

#: The side file of an output: the rows ``--skip-invalid`` set aside, with their reasons.
REJECTED_SUFFIX = ".rejected.csv"


def side_file(target: str | Path) -> Path:
    """Where the rejected rows of an output go: ``out.xlsx`` -> ``out.xlsx.rejected.csv`` (SPEC's
    ``<out>.rejected.csv``, the output's whole name). Named after the stem, ``out.xlsx`` and ``out.csv``
    shared one file, and a clean rerun of one removed the other's rejected rows. A file of the old name
    (``out.rejected.csv``) is left alone: which output it belonged to cannot be told; branchkit still
    recognises it among the ledgers by its columns (``io.own``)."""
    path = Path(target)
    return path.with_name(f"{path.name}{REJECTED_SUFFIX}")


def refuse_overwrite(directory: Path, paths: Iterable[Path], *, force: bool) -> None:
    """Refuse (``OutputError``, exit 2) to write a folder's files over files already there, unless
    ``force``: ``init`` and ``sample`` write a fixed set of names (客户清单.xlsx, 员工.xlsx, ...) into a
    folder the user names, which may be the one holding their real ledgers. Each file that would be
    replaced is named (nothing is lost without being asked)."""
    existing = [str(p) for p in paths if p.exists() or p.is_symlink()]
    if existing and not force:
        shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
        raise OutputError(f"{len(existing)} file(s) already exist in {directory} and would be overwritten: "
                          f"{shown}; use --force to overwrite them")


def read_paths(*groups: Iterable[str | Path | None]) -> list[Path]:
    """Every path a command reads, from groups of command-line values (``-`` and None left out)."""
    return [Path(item) for group in groups for item in group if item is not None and str(item) != "-"]


def check_outputs(targets: Iterable[str | Path | None], reads: Iterable[str | Path], *,
                  side_files: bool = True) -> None:
    """Refuse (``OutputError``, exit 2) any target that cannot be written or would overwrite a read.

    ``targets`` are what the command writes (``-`` = stdout and None are passed over); with
    ``side_files`` each target's ``<out>.rejected.csv`` is checked too, since a run writes or removes it.
    """
    protected = _Protected([Path(p) for p in reads])
    for target in targets:
        if target is None or str(target) == "-":
            continue
        protected.refuse(Path(target))
        check_writable(target)
        if side_files:
            _check_side(side_file(target), target, protected)


def _check_side(side: Path, target: str | Path, protected: _Protected) -> None:
    """The rejected-rows file of ``target``: not something read, and a file if it is there."""
    protected.refuse(side, of=target)
    try:
        odd = side.exists() and not side.is_file()
    except OSError as exc:           # not met so far (its name is shorter than the probed temporary one)
        raise OutputError(f"cannot write {target}: its rejected-rows file {side}: {exc.strerror or exc}") from None
    if odd:
        raise OutputError(f"cannot write {target}: its rejected-rows file {side} is not a regular file")


def check_writable(target: str | Path) -> None:
    """Whether a file can be written at ``target`` at all: its folder exists and takes a new file, and
    ``target`` is not a folder or a device. Probed by creating (and removing) a temporary file beside it,
    as the atomic write will, so a read-only disk or a name too long is found now."""
    path = Path(target)
    try:
        _check_place(path)
        probe = new_temporary(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno == errno.ENAMETOOLONG:
            reason = "its name is too long (the temporary file written beside it first needs 18 more characters)"
        raise OutputError(f"cannot write {target}: {reason}") from None
    discard(probe)


def _check_place(path: Path) -> None:
    folder = path.parent
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder; give a file name")
    if not folder.exists():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: {folder} is not a folder")
    if path.exists() and not path.is_file():
        raise OutputError(f"cannot write {path}: it is not a regular file (use '-' to write CSV to stdout)")


class _Protected:
    """The files a command reads: named ones by resolved path, and (looked up only when a target exists)
    the identity of every file under the folders read."""

    def __init__(self, reads: list[Path]) -> None:
        self.folders = [p for p in reads if _is_dir(p)]
        self.files = [p for p in reads if not _is_dir(p)]
        self._identities: dict[tuple[int, int], tuple[Path, Path]] | None = None

    def refuse(self, path: Path, *, of: str | Path | None = None) -> None:
        """Raise if writing ``path`` would write over something read."""
        why = self.why_read(path)
        if why is None:
            return
        what = f"its rejected-rows file {path}" if of is not None else "it"
        raise OutputError(f"refusing to write {of if of is not None else path}: {what} {why}; "
                          "choose another output name or folder")

    def why_read(self, path: Path) -> str | None:
        """Why ``path`` is read by the command (a sentence's end), or None if it is not."""
        resolved = _resolved(path)
        if any(resolved == _resolved(f) for f in self.files):
            return "is one of this command's inputs"
        identity = _identity(path)
        if identity is None:             # a new file: it cannot be an existing one, read or not
            return None
        same = next((f for f in self.files if identity == _identity(f)), None)
        if same is not None:
            return f"is the same file as {same}, one of this command's inputs"
        found = self.identities().get(identity)
        if found is None:
            return None
        folder, file = found
        if path.absolute() != file.absolute():        # a hard or symbolic link, either way
            return f"is the same file as {file}, in the folder {folder}, which this command reads"
        return f"is in the folder {folder}, which this command reads"

    def identities(self) -> dict[tuple[int, int], tuple[Path, Path]]:
        """(device, inode) of every file under the folders read -> (the folder given, the file)."""
        if self._identities is None:
            self._identities = {}
            for folder in self.folders:
                for identity, file in _files_under(folder):
                    self._identities.setdefault(identity, (folder, file))
        return self._identities


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):      # a symlink loop, a name too long: compared as written
        return path.absolute()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _files_under(folder: Path) -> Iterator[tuple[tuple[int, int], Path]]:
    """The identity and path of every file under ``folder``, following linked folders once each."""
    seen: set[tuple[int, int]] = set()
    for top, dirs, files in os.walk(folder, followlinks=True):
        here = _identity(Path(top))
        if here is None or here in seen:
            dirs[:] = []
            continue
        seen.add(here)
        for name in files:
            identity = _identity(Path(top, name))
            if identity is not None:
                yield identity, Path(top, name)
