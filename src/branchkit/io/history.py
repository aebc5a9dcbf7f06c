"""Reading and writing the assignment history file (CSV, UTF-8): see ``core.history``.

The file is branchkit's own record, read back on every run: ids are kept
as text exactly. Cells that a spreadsheet would run as a formula are
written with a leading apostrophe, which is taken off again when read.
Writing is atomic (a temporary file renamed into place).
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from branchkit.models.history import COLUMNS
from branchkit.errors import InputError
from branchkit.io.output import atomic_path
from branchkit.io.safety import neutralise

_FORMULA_START = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def read_history(path: str | Path) -> pd.DataFrame | None:
    """The history in ``path``, or None when the file does not exist yet."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        frame = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(path, f"cannot read the assignment history: {exc}") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(path, f"not an assignment history: the columns {', '.join(missing)} are missing "
                         f"(expected {', '.join(COLUMNS)})")
    frame = frame[COLUMNS]
    for column in ("customer_id", "keeper"):
        risky = frame[column].str.startswith(_FORMULA_START)
        frame.loc[risky, column] = frame.loc[risky, column].str[1:]
    return frame


def write_history(path: str | Path, frame: pd.DataFrame) -> None:
    """Write the history atomically; same rows give the same bytes."""
    out = frame[COLUMNS].astype("str").fillna("")
    for column in ("customer_id", "keeper"):
        out[column] = neutralise(out[column])
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\n")
    with atomic_path(Path(path)) as tmp:
        tmp.write_text(buffer.getvalue(), encoding="utf-8")
