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

A sheet without a branch column may have been given one when it was read: from
a line above its header (``机构：城中支行``) or from its name (one sheet per
branch). Those are first held against the other ledger (``given_branches``):
the staff list's sheets against the customer list, every other sheet against
the staff list, so that ``Sheet1``, ``对公`` or ``柜员`` in one branch's workbooks
is no branch of its own, and ``城中支行对公`` is 城中支行.

A branch of the customer list where nobody on the staff list works cannot keep
its customers: one warning (``branch_without_staff``) names those branches and
their customers, when the staff list names branches at all (a roster without a
branch column is the customers' one branch, ``network.aligned_branches``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Mapping

import numpy as np
import pandas as pd

from branchkit.core.people import customer_key
from branchkit.problems import Problem, ProblemLog

if TYPE_CHECKING:
    from branchkit.io.ledger import SourceNote

#: The ledgers that name branches, in the order their spellings are taken.
ORDER = ("customers", "staff", "customers_start", "volumes", "volumes_hourly", "pool")
#: How many branches ``branch_without_staff`` names (then "…").
LISTED = 5


def unify_branches(frames: dict[str, pd.DataFrame], log: ProblemLog,
                   given: "Mapping[str, list[SourceNote]] | None" = None) -> list[str]:
    """Read every ledger's branch names in one spelling per branch (in place), and warn of customers whose
    branch has nobody on the staff list; ``given``: per ledger, its sheets without a branch column that were
    given one (``SourceNote.branch_given``), first held against the staff list (``given_branches``). Returns
    the notes on those."""
    notes = given_branches(frames, given or {})
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
    return notes


def given_branches(frames: dict[str, pd.DataFrame], given: "Mapping[str, list[SourceNote]]") -> list[str]:
    """The branch of each sheet without a branch column, held against the branches of the ledger it must
    agree with (in place): the staff list's for every ledger but the staff list, whose sheets are held
    against the customer list's branches.

    A sheet's branch comes from a line above its header (``机构：城中支行``) or from its name (one sheet per
    branch). It is held against the other ledger's branch column and those of the other's sheet names that
    agree with a branch of this ledger (``_agreed``: two lists kept one sheet per post and one sheet per
    customer type, 柜员 and 对公, confirm nothing). Then (``_held``, ``_found``): a branch named there stays;
    the shorter name of one in the other's branch column is that one (a sheet 城中支行 for the roster's
    江城分行城中支行), of one the other's sheets give, stays; one holding a branch of there in a longer name
    (``江城分行城中支行``, a sheet ``城中支行对公``) is that branch (the longest; ties by name); one naming
    none, where there is one branch or none, is that branch (or none, as a sheet without a name would be; a
    line's branch stays); else it stays, and ``branch_without_staff`` says so. Without the other ledger it
    stays. Each is said in a note, one per file for those that stay."""
    if not any(given.values()):
        return []
    agreed = _agreed(frames, given)
    staff = frames.get("staff")
    notes: list[str] = []
    for kind in ("staff", *(k for k in ORDER if k != "staff")):
        frame, sources = frames.get(kind), given.get(kind, [])
        if frame is None or "branch" not in frame or not sources:
            continue
        held = agreed[kind] if kind in agreed else \
            ((_spellings(staff["branch"])[0], []) if staff is not None and "branch" in staff else None)
        names, column = (held[0] + held[1], held[0]) if held is not None else (None, [])
        against = "customer list" if kind == "staff" else "staff list"
        kept: dict[tuple[str, bool], list[str]] = {}
        for note in sources:
            name, line = note.branch_given, note.branch_line
            to = _held(name, names, line is not None, column)
            where = note.file + (f" [{note.sheet}]" if note.sheet else "")
            sheet = _found(note.branch_sheet, names, column) if note.branch_sheet else None
            if sheet is not None and _found(name, names, column) is None:
                # a line naming no branch there (the whole bank's 机构：江城分行 on each branch's sheet) gives way
                # to the sheet's name that names one
                to = sheet
                notes.append(f"{where}: no branch column; its rows are branch {to}, as its sheet name "
                             f"({note.branch_sheet}) says: the line {line} above its header names no branch of "
                             f"the {against}")
            elif to == name:
                kept.setdefault((note.file, line is None), []).append(name)
                continue
            elif to is not None and _key(to) in _key(name):
                said = f"the line {line} above its header" if line else "its sheet name"
                notes.append(f"{where}: no branch column; its rows are branch {to}, whose name {said} ({name}) holds")
            elif to is not None and _key(name) in _key(to):
                said = f"the line {line} above its header" if line else "its sheet name"
                notes.append(f"{where}: no branch column; its rows are branch {to} of the {against}, whose name "
                             f"holds the one {said} gives ({name})")
            else:
                said = f"the line {line} above its header" if line else "its sheet name"
                notes.append(f"{where}: no branch column, and {said} ({name}) names no branch of the {against}"
                             + (f": its rows are branch {to}'s, the {against}'s one branch" if to is not None
                                else ", which names none: its rows have no branch"))
            rows = _rows(frame, note) & frame["branch"].eq(name).fillna(False).to_numpy(bool)
            frame.loc[rows, "branch"] = to if to is not None else pd.NA
        for (file, by_sheet), shown in kept.items():
            listed = "、".join(dict.fromkeys(shown))
            notes.append(f"{file}: no branch column; each sheet's rows are the branch its name says ({listed})"
                         if by_sheet else f"{file}: no branch column; its rows are the branch a line above its "
                         f"header names ({listed})")
    return notes


def _found(name: str, names: list[str] | None, column: list[str]) -> str | None:
    """The branch of ``names`` that ``name`` is (as ``customer_key`` reads names): itself where one names it;
    the shortest name of the other's branch ``column`` holding it (a roster's 江城分行城中支行 for a sheet
    城中支行; ties by name); itself where another given name holds it; the longest of them its own name
    holds (ties by name); else None."""
    if not names:
        return None
    key = _key(name)
    keys = dict(zip(customer_key(pd.Series(names, dtype="str")).tolist(), names))
    if key in keys:
        return name
    columns = set(column)
    holding = sorted((s for k, s in keys.items() if key and key in k), key=lambda s: (s not in columns, len(s), s))
    if holding:
        return holding[0] if holding[0] in columns else name
    inside = sorted((s for k, s in keys.items() if k and k in key), key=lambda s: (-len(s), s))
    return inside[0] if inside else None


def _held(name: str, names: list[str] | None, said: bool, column: list[str]) -> str | None:
    """The branch a given ``name`` is read as, held against ``names`` (None: nothing to hold it against;
    ``column``: those of them from the other's branch column); ``said``: a line above the header names it
    (against a list naming no branch at all, it stays)."""
    if names is None or (said and not names):
        return name
    found = _found(name, names, column)
    if found is not None:
        return found
    if len(set(customer_key(pd.Series(names, dtype="str")).tolist())) <= 1:
        return names[0] if names else None
    return name


def _agreed(frames: dict[str, pd.DataFrame],
            given: "Mapping[str, list[SourceNote]]") -> dict[str, tuple[list[str], list[str]] | None]:
    """For the staff list and the customer list, what their given branches are held against: the other's
    branch column's names, and apart the other's given names that agree with one of this one's (the same,
    or one holding the other); None when the other ledger is absent."""
    own: dict[str, tuple[list[str], list[str]]] = {}
    for kind in ("staff", "customers"):
        frame = frames.get(kind)
        if frame is None or "branch" not in frame:
            continue
        hinted = np.zeros(len(frame), dtype=bool)
        for note in given.get(kind, []):
            hinted |= _rows(frame, note)
        column = _spellings(frame["branch"][~hinted])[0] if hinted.any() else _spellings(frame["branch"])[0]
        own[kind] = column, list(dict.fromkeys(n.branch_given for n in given.get(kind, [])))
    out: dict[str, tuple[list[str], list[str]] | None] = {"staff": None, "customers": None}
    for kind, other in (("staff", "customers"), ("customers", "staff")):
        if other not in own:
            continue
        column, hints = own[other]
        mine = [_key(n) for n in (own[kind][0] + own[kind][1] if kind in own else [])]
        out[kind] = column, [n for n in hints if n not in column
                             and any(k and (k in _key(n) or _key(n) in k) for k in mine)]
    return out


def _key(name: str) -> str:
    return customer_key(pd.Series([name], dtype="str")).iloc[0]


def _rows(frame: pd.DataFrame, note: "SourceNote") -> np.ndarray:
    """The rows of ``frame`` read from the sheet ``note`` describes."""
    sheet = frame["_sheet"].isna() if note.sheet is None else frame["_sheet"].eq(note.sheet)
    return (frame["_file"].eq(note.file) & sheet).fillna(False).to_numpy(bool)


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


__all__ = ["ORDER", "given_branches", "unify_branches"]
