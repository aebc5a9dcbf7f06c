"""The branch rules of DOMAIN §1 and §4, one function each: teller rule, counters, minimum, RM teams.

Pure functions of numbers, rules and staff frames; ``core.staffing`` applies
them branch by branch.
"""

from __future__ import annotations

import math
from typing import Mapping

import pandas as pd

from branchkit.core.queueing import TOLERANCE
from branchkit.rules import StaffingRules

#: Minimum-staffing items in the order they are checked and listed (keys of ``[staffing.minimum.*]``).
MINIMUM_ITEMS = ("staff", "heads", "deputies", "service", "lobby", "lobby_managers", "corporate_rm")
COUNTER_KINDS = ("cash", "noncash")


def tellers_needed(daily_transactions: float, throughput: float) -> int:
    """ceil(daily transactions / throughput): 130 → 1, 131 → 2, 0 → 0 at 130 a teller.

    A relative epsilon keeps float noise (an average of 129.99999999) from
    deciding a whole person.
    """
    if not (daily_transactions >= 0 and math.isfinite(daily_transactions)):
        raise ValueError(f"daily transactions must be a finite number >= 0, not {daily_transactions!r}")
    raw = daily_transactions / throughput
    return math.ceil(raw - TOLERANCE * max(1.0, raw))


def counter_requirement(rules: StaffingRules, counter: str, branch_type: str | None,
                        volume: float, corporate_business: bool | None) -> dict[str, object]:
    """The corporate counter requirement for one counter kind, as a ``status`` and the band's words and numbers.

    ``status``: ``band`` (a band applies), ``none_stated`` (no band covers the
    volume), ``no_corporate_business``, ``no_volume`` (not in the ledger) or
    ``unknown_type``.
    """
    row: dict[str, object] = {"counter": counter, "corporate_volume": volume, "text_zh": "",
                              "text_en": "", "dedicated": pd.NA, "combined": pd.NA}
    if branch_type is None:
        return {**row, "status": "unknown_type"}
    if corporate_business is False:
        return {**row, "status": "no_corporate_business"}
    if volume is None or pd.isna(volume):
        return {**row, "status": "no_volume"}
    band = next((b for b in rules.bands(counter, branch_type) if b.contains(float(volume))), None)
    if band is None:
        return {**row, "status": "none_stated"}
    return {**row, "status": "band", "text_zh": band.text_zh, "text_en": band.text_en,
            "dedicated": band.dedicated, "combined": band.combined}


def staff_states(staff: pd.DataFrame) -> pd.Series:
    """Each person's state (active, on_leave, left), from ``state`` or else the ``active`` flag."""
    if "state" in staff:
        return staff["state"].fillna("active").astype("str")
    if "active" in staff:
        return staff["active"].map({True: "active", False: "left"}).fillna("active").astype("str")
    return pd.Series("active", index=staff.index)


STAFF_FACTS = [*MINIMUM_ITEMS, "tellers", "tellers_on_leave", "tellers_on_duty"]


def staff_facts(staff: pd.DataFrame, rules: StaffingRules) -> pd.DataFrame:
    """Per branch, the counts the rules need from the staff list, in one pass over it.

    The minimum-staffing items and ``tellers`` count the staff who hold a
    post: active, and on leave when ``count_on_leave`` (``tellers_on_leave``
    says how many of the tellers are away); those who left never count.
    ``tellers_on_duty`` counts active tellers only, for the roster check.
    Indexed by branch, one column per name of ``STAFF_FACTS``.
    """
    states, role = staff_states(staff), staff["role"]
    counted = states.eq("active") | (states.eq("on_leave") & rules.count_on_leave)
    teller = role.isin(rules.teller_roles)
    flags = pd.DataFrame({
        "staff": counted, "heads": counted & role.eq("head"), "deputies": counted & role.eq("deputy"),
        "service": counted & role.isin(rules.service_roles), "lobby": counted & role.isin(rules.lobby_roles),
        "lobby_managers": counted & role.eq("lobby_manager"), "corporate_rm": counted & role.eq("corporate_rm"),
        "tellers": counted & teller, "tellers_on_leave": counted & teller & states.eq("on_leave"),
        "tellers_on_duty": states.eq("active") & teller,
    }, index=staff.index).astype("int64")
    return flags.groupby(staff["branch"].astype("str"), sort=True).sum()[STAFF_FACTS]


def minimum_shortfalls(counts: Mapping[str, int], rules: StaffingRules, branch_type: str,
                       corporate_business: bool | None) -> list[dict[str, object]]:
    """Each item of the type's minimum the branch falls short of: item, required, present, missing.

    The corporate RM is required only where the branch does corporate
    business (``corporate_business`` True); unknown (None) is not checked.
    """
    minimum = rules.minimum[branch_type]  # type: ignore[index]
    rows = []
    for item in MINIMUM_ITEMS:
        required, present = getattr(minimum, item), int(counts[item])
        if item == "corporate_rm" and not corporate_business:
            continue
        if present < required:
            rows.append({"item": item, "required": required, "present": present, "missing": required - present})
    return rows


def corporate_business(volumes: dict[str, object] | None, corporate_customers: int | None) -> bool | None:
    """Whether the branch does corporate business: corporate volumes or existing corporate customers.

    None when neither the volumes nor a customer list says anything.
    """
    known = []
    if volumes is not None:
        amounts = [volumes.get(k) for k in ("corporate_cash", "corporate_noncash")]
        amounts = [float(a) for a in amounts if a is not None and not pd.isna(a)]
        if amounts:
            known.append(sum(amounts) > 0)
    if corporate_customers is not None:
        known.append(corporate_customers > 0)
    return any(known) if known else None


def rm_team(rms: dict[str, int], ratios: dict[str, list[int]]) -> pd.DataFrame:
    """Specialists a relationship-manager team needs, per customer segment (DOMAIN §4, seed 002).

    A ratio [r, c, k] gives every team of up to r RMs c cash-management and
    k credit specialists: teams = ceil(RMs / r). Raises ``ValueError`` for a
    segment without a ratio (micro customers get no RM team).
    """
    rows = []
    for segment, count in rms.items():
        if segment not in ratios:
            raise ValueError(f"no RM team ratio for segment {segment!r}; known: {', '.join(ratios)}")
        per_team, cash, credit = ratios[segment]
        teams = math.ceil(count / per_team)
        rows.append({"segment": segment, "rms": count, "teams": teams,
                     "cash_management_specialists": teams * cash, "credit_specialists": teams * credit})
    columns = ["segment", "rms", "teams", "cash_management_specialists", "credit_specialists"]
    return pd.DataFrame(rows, columns=columns)
