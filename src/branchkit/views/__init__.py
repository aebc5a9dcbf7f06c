"""Views: a command's result as an ``io.tables.Report``, so ``branchkit report`` can reuse it.

A view only arranges and words what the core computed: tables in canonical
columns, their titles, charts and notes, in Chinese or English. It neither
reads nor writes files.
"""

from __future__ import annotations

import pandas as pd

#: The label of a per-keeper table's row of customers nobody keeps (its keeper is empty; csv/json
#: leave ``keeper_name`` empty too).
UNKEPT = ("无维护人", "no keeper")


def name_unkept(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A per-keeper table for people: the row whose keeper is empty named 无维护人 / no keeper."""
    if "keeper" not in frame or "keeper_name" not in frame or not frame["keeper"].isna().any():
        return frame
    label = UNKEPT[0] if lang == "zh" else UNKEPT[1]
    return frame.assign(keeper_name=frame["keeper_name"].mask(frame["keeper"].isna(), label))

