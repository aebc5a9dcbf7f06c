"""The branch network: branches of each type and their staff in every role.

Branch types cycle large / medium / general / township (DOMAIN §1). Every
branch meets its type's minimum staffing except the second one, which has no
lobby guide, so the staffing check has something to find. Relationship
managers and tellers grow with the customers a branch serves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.sample.ids import zero_padded
from branchkit.sample.names import branch_names, person_names, unique_within

BRANCH_TYPES = ("large", "medium", "general", "township")
BRANCH_TYPE_ZH = {"large": "大型全功能网点", "medium": "中型全功能网点", "general": "一般网点", "township": "乡镇网点"}
ROLES = ("head", "deputy", "corporate_rm", "retail_rm", "low_counter", "comprehensive_teller",
         "supervisor", "lobby_manager", "lobby_guide", "high_counter", "back_office")
ROLE_ZH = {
    "head": "行长", "deputy": "副行长", "corporate_rm": "对公客户经理", "retail_rm": "个人客户经理",
    "low_counter": "低柜柜员", "comprehensive_teller": "综合柜员", "supervisor": "运营主管",
    "lobby_manager": "大堂经理", "lobby_guide": "大堂引导员", "high_counter": "高柜柜员", "back_office": "后台",
}
# Small branches call their head 网点负责人 rather than 行长.
HEAD_ZH_SMALL = "网点负责人"
# Staff per role by branch type, in ROLES order, for about 750 customers a branch.
BASE_STAFF = {
    "large": (1, 2, 3, 4, 2, 3, 1, 2, 2, 3, 2),
    "medium": (1, 1, 2, 2, 1, 2, 1, 1, 2, 2, 1),
    "general": (1, 0, 1, 1, 1, 2, 1, 1, 1, 1, 1),
    "township": (1, 0, 1, 1, 0, 2, 1, 1, 0, 1, 0),
}
# Roles whose headcount follows the customer base; the others are one per post.
SCALED_ROLES = ("corporate_rm", "retail_rm", "low_counter", "comprehensive_teller", "high_counter")
CUSTOMERS_PER_BASE = 750
MAX_SCALE = 4.0
# Upper bound when a headcount is asked for (--staff): a large branch then has 910 staff,
# within the three digits of person in a staff id.
MAX_SCALE_ASKED = 60.0
# State words as the staff list writes them.
ACTIVE, ON_LEAVE, LEFT = "在岗", "休假", "离职"
SHORT_BRANCH = 1          # index of the branch that misses its lobby minimum
DUPLICATE_NAME = "王静"    # one name held by a person in each of the first two branches


def build_branches(n: int) -> pd.DataFrame:
    """``n`` branches: branch (name), code (1..n), type (DOMAIN key), type_zh."""
    types = [BRANCH_TYPES[i % len(BRANCH_TYPES)] for i in range(n)]
    return pd.DataFrame({
        "branch": branch_names(types),
        "code": np.arange(1, n + 1),
        "type": types,
        "type_zh": [BRANCH_TYPE_ZH[t] for t in types],
    })


def _headcounts(branch_type: str, index: int, scale: float) -> dict[str, int]:
    counts = dict(zip(ROLES, BASE_STAFF[branch_type]))
    for role in SCALED_ROLES:
        counts[role] = max(counts[role], int(round(counts[role] * scale)))
    if index == SHORT_BRANCH and branch_type == "medium":
        counts["lobby_guide"] = 0
    return counts


def _posts(branches: pd.DataFrame, scale: float) -> pd.DataFrame:
    """One row per post: branch, code, type, role, in branch then role order."""
    rows = []
    for row in branches.itertuples(index=False):
        counts = _headcounts(row.type, row.code - 1, scale)
        for role in ROLES:
            rows.extend([(row.branch, row.code, row.type, role)] * counts[role])
    return pd.DataFrame(rows, columns=["branch", "code", "type", "role"])


def staff_scale(branches: int, customers: int) -> float:
    """How many times the base headcount of scaled roles a branch needs (1 to MAX_SCALE)."""
    return min(MAX_SCALE, max(1.0, customers / max(branches, 1) / CUSTOMERS_PER_BASE))


def headcount(branches: int, scale: float) -> int:
    """Staff in a network of ``branches`` branches whose scaled roles are ``scale`` times the base."""
    types = [BRANCH_TYPES[i % len(BRANCH_TYPES)] for i in range(branches)]
    return sum(sum(_headcounts(kind, i, scale).values()) for i, kind in enumerate(types))


def scale_for_headcount(branches: int, staff: int) -> float:
    """The scale (1 to MAX_SCALE_ASKED) whose headcount is closest to ``staff`` (the smaller scale on a tie).

    Headcounts grow in steps as the scale grows (each role rounds), so the
    network holds about ``staff`` people, exactly when a step lands on it.
    """
    low, high = 1.0, MAX_SCALE_ASKED
    if headcount(branches, low) >= staff:
        return low
    if headcount(branches, high) <= staff:
        return high
    for _ in range(60):       # bisect to the smallest scale reaching ``staff``
        middle = (low + high) / 2
        if headcount(branches, middle) >= staff:
            high = middle
        else:
            low = middle
    above, below = headcount(branches, high), headcount(branches, low)
    return low if staff - below <= above - staff else high


def build_staff(rng: np.random.Generator, branches: pd.DataFrame, scale: float) -> pd.DataFrame:
    """Staff of every branch: staff_id, name, role, role_zh, branch, code, state, note.

    ``scale`` multiplies the base headcount of the scaled roles (``staff_scale``
    from the customers, or ``scale_for_headcount`` for a headcount asked for).

    ``note`` marks the deliberate edge cases: ``left`` (离职 but still keeping
    customers), ``on_leave`` (休假) and ``duplicate_name`` (the same name in two
    branches).
    """
    staff = _posts(branches, scale)
    seq = staff.groupby("code").cumcount().to_numpy() + 1
    staff.insert(0, "staff_id", zero_padded(staff["code"].to_numpy() * 1000 + seq, 6))
    staff["role_zh"] = staff["role"].map(ROLE_ZH)
    small = staff["type"].isin(["general", "township"]) & (staff["role"] == "head")
    staff.loc[small, "role_zh"] = HEAD_ZH_SMALL
    staff["state"] = ACTIVE
    staff["note"] = ""
    _mark_edge_cases(staff)
    staff.insert(1, "name", _names(rng, staff))
    return staff.drop(columns="type")


def _first(staff: pd.DataFrame, code: int, role: str, last: bool = False) -> int | None:
    rows = staff.index[(staff["code"] == code) & (staff["role"] == role)]
    if len(rows) == 0:
        return None
    return int(rows[-1] if last else rows[0])


def _mark_edge_cases(staff: pd.DataFrame) -> None:
    left = _first(staff, 1, "retail_rm", last=True)
    on_leave = _first(staff, 1, "comprehensive_teller")
    if left is not None and (staff["role"] == "retail_rm").loc[staff["code"] == 1].sum() > 1:
        staff.loc[left, ["state", "note"]] = [LEFT, "left"]
    if on_leave is not None:
        staff.loc[on_leave, ["state", "note"]] = [ON_LEAVE, "on_leave"]
    for code, role in ((1, "lobby_manager"), (2, "low_counter")):
        row = _first(staff, code, role)
        if row is not None:
            staff.loc[row, "note"] = "duplicate_name"


def _names(rng: np.random.Generator, staff: pd.DataFrame) -> np.ndarray:
    """Names unique within a branch; corporate RMs unique network-wide (a Gantt sheet is named after one)."""
    fixed = (staff["note"] == "duplicate_name").to_numpy()
    rm = (staff["role"] == "corporate_rm").to_numpy()
    names = person_names(rng, len(staff))
    names[fixed] = DUPLICATE_NAME
    # first the RMs, unique among themselves and the pinned name (everyone else in a group of one)
    solo = -np.arange(1, len(staff) + 1)
    names = unique_within(rng, names, np.where(rm | fixed, 0, solo), person_names, fixed)
    return unique_within(rng, names, staff["code"].to_numpy(), person_names, fixed | rm)
