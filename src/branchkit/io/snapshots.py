"""Finding month-end customer snapshots: one file per month in a folder, the month in its name.

``客户清单_2026-09.xlsx``, ``customers_2026_09.csv``, ``客户清单202609.xlsx``,
``客户清单2026-9.xlsx``, ``客户清单2026年9月.xlsx`` and the data date a core system
stamps on its export (``客户清单20260930.xlsx``, ``客户清单_2026-09-30.csv``,
``客户清单2026年9月30日.xlsx``) all name September 2026. Lock files and hidden files
are passed over, as in a ledger folder; what is passed over is said in notes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from branchkit.errors import UsageError
from branchkit.io.kinds import list_folder

_DAY = r"(?:0[1-9]|[12]\d|3[01])"
_MONTH = re.compile(
    r"(?<!\d)(20\d{2})(?:"
    rf"(?:[-_.]?(0[1-9]|1[0-2])|[-_.]([1-9]))(?:[-_.]?{_DAY})?(?!\d)"      # 2026-09, 202609, 2026-9, 20260930
    rf"|年(0?[1-9]|1[0-2])月(?:(?:{_DAY}|[1-9])日)?)")                        # 2026年9月, 2026年9月30日


def month_of(name: str) -> pd.Period | None:
    """The month a file name holds, or None (a name holding two different months is None too)."""
    found = {f"{m.group(1)}-{int(m.group(2) or m.group(3) or m.group(4)):02d}" for m in _MONTH.finditer(name)}
    return pd.Period(found.pop(), freq="M") if len(found) == 1 else None


def find_snapshots(folder: Path) -> tuple[dict[pd.Period, Path], list[str]]:
    """Month -> snapshot file in ``folder``, and notes on the entries passed over (a lock file, a name
    holding no month or two); two files for one month is a usage error."""
    if not folder.is_dir():
        return {}, []
    files, notes = list_folder(folder)
    out: dict[pd.Period, Path] = {}
    for path in files:
        month = month_of(path.stem)
        if month is None:
            notes.append(f"skipped {path}: its name holds no month, or two (name a snapshot like "
                         "客户清单_2026-09.xlsx)")
            continue
        if month in out:
            raise UsageError(f"two month-end snapshots for {month} in {folder}: {out[month].name} and {path.name}; "
                             "keep one")
        out[month] = path
    return out, notes
