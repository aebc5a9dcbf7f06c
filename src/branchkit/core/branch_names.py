"""Branch names as the ledgers write them: one branch, one name, whoever typed it.

The customer list (a core-system export), the staff roster (kept by hand), the
month-start list, the volumes and the pool ledgers each name the branch, and not
always alike: ``城东　支行`` padded to line up, ``城中支行（营业部）`` against
``城中支行(营业部)``. Compared exactly, a roster spelled otherwise leaves every
customer of the branch without staff (each one unplaced, every keeper "of
another branch") and its staff names ambiguous. So names that differ only as
``people.customer_key`` reads them (padding, width, case, dots) are one branch,
spelled as the first ledger that names it spells it, in this order: customer
list, staff, month-start list, volumes, hourly volumes, pool (within a ledger,
its most used spelling first). Each spelling read otherwise is one warning
(``branch_spelled_otherwise``) naming the ledger, both spellings and the rows.

A branch of the customer list where nobody on the staff list works cannot keep
its customers: one warning (``branch_without_staff``) names those branches and
their customers, when the staff list names branches at all (a roster without a
branch column is the customers' one branch, ``network.aligned_branches``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from branchkit.core.people import customer_key
from branchkit.problems import Problem, ProblemLog

#: The ledgers that name branches, in the order their spellings are taken.
ORDER = ("customers", "staff", "customers_start", "volumes", "volumes_hourly", "pool")
#: How many branches ``branch_without_staff`` names (then "…").
LISTED = 5


def unify_branches(frames: dict[str, pd.DataFrame], log: ProblemLog) -> None:
    """Read every ledger's branch names in one spelling per branch (in place), and warn of customers whose
    branch has nobody on the staff list."""
    spelling: dict[str, str] = {}                    # a branch's key -> the spelling it is read as
    read: dict[str, tuple[list[str], dict[str, int]]] = {}     # kind -> its names as read now, and their rows
    for kind in ORDER:
        frame = frames.get(kind)
        if frame is None or "branch" not in frame or not len(frame):
            continue
        names, counts = _spellings(frame["branch"])
        keys = customer_key(pd.Series(names, dtype="str")).tolist()
        read_as = {}
        for name, key in zip(names, keys):
            first = spelling.setdefault(key, name)
            if first != name:
                read_as[name] = first
        if read_as:
            for name, first in read_as.items():
                log.add(_spelled(frame, kind, name, first, counts[name]))
            frame["branch"] = frame["branch"].replace(read_as)
            names = list(dict.fromkeys(read_as.get(n, n) for n in names))
            for name, first in read_as.items():
                counts[first] = counts.get(first, 0) + counts.pop(name)
        read[kind] = names, counts
    if "customers" in read and "staff" in read:
        _without_staff(read["customers"], set(read["staff"][0]), log)


def _spellings(branch: pd.Series) -> tuple[list[str], dict[str, int]]:
    """A column's distinct names, the most used first (ties in order of appearance), and their counts."""
    codes, uniques = pd.factorize(branch.astype("str"))
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques)).tolist()
    names = uniques.tolist()           # one list (an Index's elements one by one: 20 ms over a network's ledgers)
    order = sorted(range(len(names)), key=lambda i: -counts[i])      # stable: ties in order of appearance
    return [names[i] for i in order if names[i].strip()], {names[i]: counts[i] for i in order}


def _spelled(frame: pd.DataFrame, kind: str, name: str, first: str, rows: int) -> Problem:
    """One warning for a spelling read as another: the ledger, both spellings, its first row and its rows."""
    at = frame[frame["branch"].eq(name).to_numpy()].iloc[0]
    sheet, row = at.get("_sheet"), at.get("_row")
    return replace(Problem.of("branch_spelled_otherwise", severity="warning", kind=kind, value=name, first=first,
                              rows=rows),
                   file=at.get("_file"), sheet=sheet if isinstance(sheet, str) else None,
                   row=None if row is None or pd.isna(row) else int(row), column="branch")


def _without_staff(customers: tuple[list[str], dict[str, int]], staffed: set[str], log: ProblemLog) -> None:
    """One warning for the customer list's branches (``customers``: its names and their rows) where nobody on
    the staff list works (``staffed``: the staff list's branches), when the staff list names branches."""
    if not staffed:
        return
    names, counts = customers
    alone = [n for n in names if n not in staffed]
    if not alone:
        return
    alone.sort(key=lambda n: (-counts[n], n))
    listed = "、".join(f"{n} ({counts[n]:,})" for n in alone[:LISTED]) + ("…" if len(alone) > LISTED else "")
    log.add(replace(Problem.of("branch_without_staff", severity="warning", kind="customers",
                               branches=len(alone), customers=sum(counts[n] for n in alone), listed=listed),
                    column="branch"))


__all__ = ["ORDER", "unify_branches"]
