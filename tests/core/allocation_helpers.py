"""Small ledgers for the allocation tests, built as frames in canonical columns."""

from __future__ import annotations

import pandas as pd

from branchkit.core.allocate import Allocation, allocate
from branchkit.rules import load_rules

RULES = load_rules()


def staff(*rows: tuple, branch: str = "城东支行") -> pd.DataFrame:
    """Rows of (staff_id, role) or (staff_id, role, state) or (staff_id, role, state, branch)."""
    out = []
    for row in rows:
        sid, role, state, where = (*row, "active", branch)[:4] if len(row) == 2 else \
            ((*row, branch) if len(row) == 3 else row)
        out.append({"staff_id": sid, "name": f"员工{sid}", "role": role, "branch": where, "state": state})
    return pd.DataFrame(out)


def customers(*rows: dict, branch: str = "城东支行") -> pd.DataFrame:
    """Rows given as dicts; defaults: retail, existing, no money, no keeper."""
    base = {"kind": "retail", "branch": branch, "deposit": 0.0, "loan": 0.0, "status": "existing", "keeper": None,
            "scale": None}
    out = [{**base, "name": f"客户{r['customer_id']}", **r} for r in rows]
    frame = pd.DataFrame(out)
    frame["keeper"] = frame["keeper"].astype("str")
    return frame


def claims(*rows: tuple) -> pd.DataFrame:
    """Rows of (staff_id, customer_id) or (staff_id, customer_id, locked)."""
    return pd.DataFrame([{"staff_id": r[0], "customer_id": r[1], "locked": r[2] if len(r) > 2 else False}
                         for r in rows])


def previous(*rows: tuple) -> pd.DataFrame:
    """Rows of (customer_id, keeper) or (customer_id, keeper, locked) or (..., keeper_role)."""
    return pd.DataFrame([{"customer_id": r[0], "keeper": r[1], "locked": r[2] if len(r) > 2 else False,
                          "keeper_role": r[3] if len(r) > 3 else None} for r in rows])


def run(customer_frame: pd.DataFrame, staff_frame: pd.DataFrame, rules=RULES, **kwargs) -> Allocation:
    return allocate(customer_frame, staff_frame, rules, **kwargs)


def keeper_of(result: Allocation) -> dict[str, object]:
    frame = result.allocation
    return {c: (None if pd.isna(k) else k) for c, k in zip(frame["customer_id"], frame["keeper"])}


def row(result: Allocation, customer_id: str) -> dict:
    frame = result.allocation
    return frame[frame["customer_id"] == customer_id].iloc[0].to_dict()
