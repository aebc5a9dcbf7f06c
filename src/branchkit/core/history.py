"""The assignment history (维护责任人变动记录): who kept each customer, from which month to which.

One row per period a keeper kept a customer: ``customer_id, keeper, from,
to, reason``. ``from`` and ``to`` are months (``YYYY-MM``), both inclusive;
an empty ``to`` means the keeper still keeps it. ``reason`` says how the
period began: the source (``kept``, ``claim``, ``distributed``, ``spill``,
``target``, ``rebalance``) or the reason of the change (``keeper_left``, ...).

Each run for month M extends the history: a period whose keeper is no
longer the customer's closes at M-1, a new keeper opens a period from M.
Running M again (after a correction) first undoes what the earlier run for
M did, so the file ends the same as if M had run once. A month before the
last one in the history is refused: history is written forward.
"""

from __future__ import annotations

import re

import pandas as pd

from branchkit.errors import UsageError
from branchkit.models.history import COLUMNS

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_month(month: str) -> str:
    """``month`` if it is ``YYYY-MM``; a usage error otherwise."""
    if not _MONTH.match(month or ""):
        raise UsageError(f"--month {month!r}: give the month as YYYY-MM, e.g. 2026-10")
    return month


def month_before(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def month_after(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + 1}-01" if mon == 12 else f"{year}-{mon + 1:02d}"


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in COLUMNS})


def extend_history(history: pd.DataFrame | None, allocation: pd.DataFrame, changes: pd.DataFrame,
                   month: str) -> pd.DataFrame:
    """The history with month ``month`` of ``allocation`` added (or replaced, when it was there)."""
    check_month(month)
    history = _rewound(empty() if history is None else history[COLUMNS].fillna(""), month)
    now = _keepers_now(allocation, changes)
    open_rows = history["to"] == ""
    current = history.loc[open_rows, ["customer_id", "keeper"]].merge(
        now[["customer_id", "keeper"]], on="customer_id", how="left", suffixes=("", "_now"))
    ending = (current["keeper_now"].fillna("") != current["keeper"]).to_numpy()
    history.loc[history.index[open_rows][ending], "to"] = month_before(month)
    still = set(current.loc[~ending, "customer_id"])
    starting = now[~now["customer_id"].isin(still)].assign(**{"from": month, "to": ""})
    out = pd.concat([history, starting[COLUMNS]], ignore_index=True)
    return out.sort_values(["customer_id", "from"], kind="stable").reset_index(drop=True).astype("str")


def _rewound(history: pd.DataFrame, month: str) -> pd.DataFrame:
    """The history as it was before ``month`` was run (refusing one that reaches beyond it)."""
    before = month_before(month)
    later = (history["from"] > month) | (history["to"] >= month)
    if later.any():
        last = max(history.loc[later, "from"].max(), history.loc[later, "to"].max())
        raise UsageError(f"the history already reaches {last}, after {month}; allocate the months in order "
                         "(or remove the later rows from the history file)")
    out = history[history["from"] != month].copy()
    out.loc[out["to"] == before, "to"] = ""
    return out


def _keepers_now(allocation: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Customers with a keeper this month and how their period begins (the change reason, else the source)."""
    kept = allocation[allocation["keeper"].notna()]
    why = changes.drop_duplicates("customer_id").set_index("customer_id")["reason"]
    reason = kept["customer_id"].map(why)
    return pd.DataFrame({
        "customer_id": kept["customer_id"].astype("str").to_numpy(),
        "keeper": kept["keeper"].astype("str").to_numpy(),
        "reason": reason.where(reason.notna(), kept["source"]).astype("str").to_numpy(),
    })
