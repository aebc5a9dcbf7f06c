"""Checks across the ledgers given together, and staff references resolved to staff ids.

After these checks every column that names a person holds a staff id, so the
computing cores never deal with names.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Mapping

import numpy as np
import pandas as pd

from branchkit.core.branch_names import unify_branches
from branchkit.core.people import Directory, customer_key
from branchkit.models.ledgers import LEDGERS
from branchkit.parallel import workers_for
from branchkit.problems import Problem, ProblemLog
from branchkit.text import any_repeated, digit_positions, joint_codes, text_at, text_isin, text_map, text_positions

if TYPE_CHECKING:
    from branchkit.io.ledger import SourceNote

#: Staff references whose unknown value is only a warning: last month's keeper may have left
#: and been removed from the staff list; allocation then re-keeps the customer.
_SOFT_REFERENCES = {("previous", "keeper")}
#: Codes for a staff reference that names nobody, where the kind has its own (DOMAIN §5: a plan
#: drawn for a manager who is not on the staff list).
_UNKNOWN_CUSTOMER = "no customer with this id in the customer list"
_UNKNOWN_CODES = {("plan", "staff_id"): "plan_unknown_rm"}


def cross_check(frames: dict[str, pd.DataFrame], log: ProblemLog, jobs: int = 1,
                given: "Mapping[str, list[SourceNote]] | None" = None) -> list[str]:
    """Check the ledgers against each other, in place; returns notes on checks that could not run, and on
    the branches sheets without a branch column were given (``given``: their notes, per ledger).

    ``jobs`` > 1: the ledgers' staff references are resolved in threads (``_resolve_all``)."""
    notes: list[str] = unify_branches(frames, log, given)
    customers = frames.get("customers")
    repeated, previous_found = _shared_ids(customers, frames.get("previous"))
    for kind in ("customers", "customers_start"):
        if kind in frames:
            _duplicates(frames[kind], "customer_id", kind, log, repeated if kind == "customers" else None)
            _blank_deposits(frames[kind], kind, log)
    staff = frames.get("staff")
    if staff is not None:
        _staff_duplicates(staff, log)
    if "plan" in frames:
        _plan_slips(frames["plan"], log)
    if "previous" in frames:
        _locks_without_keeper(frames["previous"], log)
    if customers is not None:
        for kind in ("claims", "previous"):
            if kind in frames:
                found = previous_found if kind == "previous" else None
                _known_customers(frames[kind], customers, kind, log, found)
    referencing = [k for k in frames if k != "staff" and _staff_fields(k)]
    if staff is None:
        if referencing:
            notes.append("no staff list given: keepers, claimants and visitors were not checked "
                         "against it (" + ", ".join(referencing) + ")")
        return notes
    _resolve_all(frames, referencing, Directory.from_staff(staff), log, jobs)
    return notes


def _resolve_all(frames: dict[str, pd.DataFrame], kinds: list[str], directory: Directory, log: ProblemLog,
                 jobs: int) -> None:
    """Every staff reference of these ledgers resolved, each ledger in place, their problems logged in the
    ledgers' order. With ``jobs`` > 1 that many threads (at most one a core) take the ledgers: each changes
    its own ledger and reads the staff and the customers only, and much of the lookups' time is Arrow's,
    without the interpreter's lock (the 200-branch network's checks, in process: 0.22-0.31 -> 0.16-0.36 s
    wall, best of 6 runs 0.22 -> 0.16 s, at load 2.3 on 2 cores; when no core is free, as at load 3.5, no
    faster: 0.22 -> 0.24 s best of 12, the threads' CPU ~10 % more). ``--jobs 1`` stays on one core."""
    customers = frames.get("customers")
    names = _CustomerNames(customers)

    def resolved(kind: str) -> ProblemLog:
        own = ProblemLog()
        raw = {f: frames[kind][f].copy() for f in _staff_fields(kind) if (kind, f) in _SOFT_REFERENCES}
        _resolve(frames[kind], kind, directory, customers, own, names)
        for field, values in raw.items():
            # Last month's keeper who left the staff list stays named as written: allocation
            # needs to say whose customers moved.
            frames[kind][field] = frames[kind][field].fillna(values)
        return own

    threads = workers_for(jobs, len(kinds))
    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            found = list(pool.map(resolved, kinds))
    else:
        found = [resolved(kind) for kind in kinds]
    for own in found:
        log.merge(own)


def _staff_fields(kind: str) -> list[str]:
    return [name for name, c in LEDGERS[kind].columns().items() if c.kind == "staff"]


def _problems(frame: pd.DataFrame, mask: pd.Series, kind: str, column: str, code: str,
              messages: pd.Series | str, values: pd.Series, severity: str = "error") -> pd.DataFrame:
    rows = frame[mask]
    return pd.DataFrame({
        "file": rows["_file"], "sheet": rows["_sheet"], "row": rows["_row"], "column": column,
        "value": values[mask].astype("str"), "code": code, "severity": severity,
        "message": messages[mask] if isinstance(messages, pd.Series) else messages,
        "kind": kind, "rid": rows["_rid"],
    })


def _where(frame: pd.DataFrame) -> pd.Series:
    return "row " + frame["_row"].astype("str") + frame["_sheet"].map(
        lambda s: f" of {s}" if isinstance(s, str) else "")


def _shared_ids(customers: pd.DataFrame | None, previous: pd.DataFrame | None
                ) -> tuple[bool | None, np.ndarray | None]:
    """Whether a present id of the customer list repeats and whether each of last month's rows names a
    customer on it, from one hash for both checks (a million customers and 890,000 previous rows: the repeat
    check's hash 0.12 s plus the lookup's 0.18 -> 0.18 s CPU, best of three): digit ids by
    ``text.digit_positions``, other text factorised with last month's ids. (None, None) without both ledgers
    or when an id column is not text (a library caller's numbers: each check compares as before)."""
    if customers is None or previous is None:
        return None, None
    positions = digit_positions(customers["customer_id"], previous["customer_id"])
    if positions is not None:                   # found only when no present id repeats
        return False, positions[0] >= 0
    joint = joint_codes(customers["customer_id"], previous["customer_id"])
    if joint is None:
        return None, None
    own, theirs, distinct = joint
    counts = np.bincount(own[own >= 0], minlength=distinct)
    return bool((counts > 1).any()), _found(counts, theirs)


def _found(counts: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Whether each coded id is on the customer list (a missing id never is)."""
    return (codes >= 0) & (counts[np.maximum(codes, 0)] > 0) if len(counts) else np.zeros(len(codes), dtype=bool)


def _duplicates(frame: pd.DataFrame, field: str, kind: str, log: ProblemLog,
                repeated: bool | None = None) -> None:
    """Ids given twice, also as two spellings of one id differing in leading zeros only (``_zero_spelled``);
    ``repeated`` (``_shared_ids``) spares the hash of the column when it is known."""
    ids = frame[field]
    spelled = _zero_spelled(ids)
    if spelled is None and not (any_repeated(ids, missing=False) if repeated is None else repeated):
        return                                                                      # the usual case
    key = ids if spelled is None else spelled
    dup = ids.notna() & key.duplicated(keep="first")
    if not dup.any():
        return
    firsts = ids.notna() & ~key.duplicated(keep="first")
    first = frame.loc[firsts]
    keys = key[firsts].to_numpy()
    where = key.map(pd.Series(_where(first).to_numpy(), index=keys))
    # The first may be in another file of the folder (客户清单.xlsx and its copy 客户清单 - 副本.xlsx, both
    # with a sheet 客户清单): then its file is named too, or the row would read as repeating itself.
    first_file = key.map(pd.Series(first["_file"].astype("str").to_numpy(), index=keys))
    elsewhere = first_file.ne(frame["_file"].astype("str"))
    where = where.mask(elsewhere, where + " in " + first_file)
    messages = "the id appears again (first on " + where + "); each customer once"
    respelled, first_id = _respelled(ids, key, dup)
    if respelled.any():
        messages = messages.mask(respelled, "the id is " + first_id + " of " + where + _ZERO_SPELLING
                                 + "; each customer once")
    log.add_frame(_problems(frame, dup, kind, field, "duplicate_id", messages, ids))


def _locks_without_keeper(previous: pd.DataFrame, log: ProblemLog) -> None:
    """A row of last month's allocation locked (锁定) to nobody: its keeper cell is blank, so the lock holds
    no one and the customer is allocated as if unlocked; said, since the head meant to pin it."""
    if "locked" not in previous:
        return
    hit = previous["locked"].fillna(False).astype(bool) & previous["keeper"].isna()
    if hit.any():
        log.add_frame(_problems(previous, hit, "previous", "keeper", "locked_without_keeper",
                                "locked, but no keeper is named: the lock keeps nobody, and the customer is "
                                "allocated as if it were not locked", previous["customer_id"], severity="warning"))


def _staff_duplicates(staff: pd.DataFrame, log: ProblemLog) -> None:
    ids = staff["staff_id"]
    spelled = _zero_spelled(ids)
    key = ids if spelled is None else spelled       # 1004 and 001004: one person, as references find them
    branches = staff["branch"].fillna("")
    per_id = branches.groupby(key).nunique()
    two = key.map(per_id).fillna(0) > 1
    if two.any():
        lists = branches.groupby(key).agg(lambda b: "、".join(sorted(set(b))))
        messages = "the same staff id is in two branches (" + key.map(lists) + "); a person belongs to one"
        log.add_frame(_problems(staff, two, "staff", "staff_id", "staff_in_two_branches", messages, ids))
    dup = ids.notna() & key.duplicated(keep="first") & ~two
    if dup.any():
        messages = pd.Series("the staff id appears twice; each person once", index=ids.index, dtype="str")
        respelled, first_id = _respelled(ids, key, dup)
        if respelled.any():
            messages = messages.mask(respelled, "the staff id is " + first_id + _ZERO_SPELLING + "; each person once")
        log.add_frame(_problems(staff, dup, "staff", "staff_id", "duplicate_id", messages, ids))


#: Said of an id repeated with other leading zeros (0000000123 after 123).
_ZERO_SPELLING = (" written with other leading zeros (a number cell drops the zeros a text keeps; a claim or "
                  "a keeper naming either finds the same id)")


def _zero_spelled(ids: pd.Series) -> pd.Series | None:
    """The ids without their leading zeros when two present ids differ in them only (0000000123 and 123),
    else None. A reference finds an id by its digits when it is not on the list as written
    (``_known_customers``, ``people.Directory``): to references such two ids are one customer or person,
    so the duplicate checks take them as one id too, rather than keep both and have references miss or
    pick one (a claim 0000000005 went to the customer read as 5 while 123 and 0000000123 stood as two).
    Ids all of one width (the usual export) cannot differ so: the widths are compared first, and only a
    list of mixed widths holding an id led by a zero is stripped and hashed."""
    if not isinstance(ids.dtype, pd.StringDtype):
        return None                         # a library caller's numbers carry no leading zeros
    present = ids.dropna()
    if present.empty:
        return None
    lengths = present.str.len()
    if lengths.min() == lengths.max() or not present.str.startswith("0").any():
        return None
    stripped = ids.str.lstrip("0")
    if stripped.nunique(dropna=True) == present.nunique():
        return None
    return stripped


def _respelled(ids: pd.Series, key: pd.Series, dup: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The repeated rows whose id is written otherwise than its first row's (leading zeros only), and each
    row's first spelling of its id."""
    firsts = ids.notna() & ~key.duplicated(keep="first")
    first_id = key.map(pd.Series(ids[firsts].to_numpy(), index=key[firsts].to_numpy(), dtype="str"))
    return (dup & ids.ne(first_id)).fillna(False).astype(bool), first_id


def _known_customers(frame: pd.DataFrame, customers: pd.DataFrame, kind: str, log: ProblemLog,
                     found_ids: np.ndarray | None = None) -> None:
    """Rows naming a customer not on the list (ids that lost their leading zeros found again);
    ``found_ids``: whether each row's id is on the list, when ``_shared_ids`` knows it already."""
    known = customers["customer_id"].dropna()
    ids = frame["customer_id"]
    found = text_isin(ids, known) if found_ids is None else pd.Series(found_ids, index=ids.index, dtype=bool)
    if not found.all():
        wanted = ids[~found].str.lstrip("0")
        digits = known.str.lstrip("0")
        digits = digits[text_isin(digits, wanted)]           # the few known ids these could be
        unique = digits[~digits.duplicated(keep=False)]
        by_digits = pd.Series(known[unique.index].to_numpy(), index=unique.to_numpy(), dtype="str")
        fixed = text_map(wanted, by_digits).dropna()
        frame.loc[fixed.index, "customer_id"] = fixed
        found = found.copy()
        found[fixed.index] = True
    missing = ids.notna() & ~found
    if missing.any() and kind == "previous":
        log.add(_lost_customers(frame, missing))
    elif missing.any():
        log.add_frame(_problems(frame, missing, kind, "customer_id", "unknown_customer",
                                _UNKNOWN_CUSTOMER, ids, "error"))


def _blank_deposits(frame: pd.DataFrame, kind: str, log: ProblemLog) -> None:
    """One warning for the existing customers whose deposit cell is blank in a list that gives deposits: they
    count as 0 (their tier, the scope), which a blank may not mean. A target customer has no deposits yet,
    and a list without the column is the needs check's (``missing_column``)."""
    if "deposit" not in frame or not len(frame):
        return
    deposit = frame["deposit"]
    blank = deposit.isna()
    if not blank.any() or blank.all():
        return
    if "status" in frame:
        blank &= frame["status"].ne("target").fillna(True)
    if blank.any():         # a cell that was no amount (一百) is an error of its row already, not a blank
        blank &= ~frame["_rid"].isin(list(log.rejected_rids(kind))).to_numpy()
    if not blank.any():
        return
    rows = frame[blank.to_numpy()]
    first = rows.iloc[0]
    sheet = first["_sheet"] if isinstance(first["_sheet"], str) else None
    log.add(replace(Problem.of("deposit_blank", severity="warning", kind=kind, customers=int(blank.sum()),
                               first=str(first["customer_id"])),
                    file=first["_file"], sheet=sheet, row=int(first["_row"]), column="deposit"))


def _lost_customers(frame: pd.DataFrame, missing: pd.Series) -> Problem:
    """Last month's customers not on this month's list (closed or lost: every month has some): one warning
    with their count and the first of them, not a line each; allocation simply has nothing to keep."""
    rows = frame[missing]
    first = rows.iloc[0]
    sheet = first["_sheet"] if isinstance(first["_sheet"], str) else None
    return Problem(code="lost_customers", severity="warning", kind="previous", file=first["_file"], sheet=sheet,
                   column="customer_id", value=str(first["customer_id"]),
                   message=f"{len(rows)} customer(s) of last month's allocation are not in this month's list (closed "
                           f"or lost since last month?), the first {first['customer_id']} on row {first['_row']}")


class _CustomerNames:
    """The customer list's names as ``people.customer_key`` reads them, keyed once when a ledger first needs
    them and shared by every ledger (each keyed them again: 6 ms for 100,000 customers, per ledger naming
    customers by name). Threads may key them at once: the same key, one kept."""

    def __init__(self, customers: pd.DataFrame | None) -> None:
        self._customers = customers
        self._keyed: pd.Series | None = None

    def __call__(self) -> pd.Series:
        if self._keyed is None:
            assert self._customers is not None
            self._keyed = customer_key(self._customers["name"])
        return self._keyed


def _resolve(frame: pd.DataFrame, kind: str, directory: Directory, customers: pd.DataFrame | None,
             log: ProblemLog, names: "_CustomerNames | None" = None) -> None:
    found: list[pd.Series | None] = []

    def branches(todo: np.ndarray) -> pd.Series | None:
        """The branch of the rows still to resolve (references by name); None when no row of the ledger
        has one. A row's branch is its own whatever other rows are looked up: the whole ledger's are found
        once, on the first staff column needing them, for all (the sales' closer and lead, the referrals'
        two people)."""
        if not found:
            found.append(_row_branches(frame, customers, names))
        return None if found[0] is None else found[0][todo]

    for field in _staff_fields(kind):
        refs = frame[field]
        resolved, reason = directory.resolve(refs, branches)
        bad = refs.notna() & resolved.isna()
        frame[field] = resolved
        if not bad.any():
            continue
        if (kind, field) in _SOFT_REFERENCES:
            log.add_frame(_problems(frame, bad, kind, field, "unknown_previous_keeper", reason, refs, "warning"))
            continue
        ambiguous = reason.str.contains("not unique", regex=False)
        unknown = _UNKNOWN_CODES.get((kind, field), "unknown_staff")
        for code, part in (("ambiguous_staff", bad & ambiguous), (unknown, bad & ~ambiguous)):
            if part.any():
                log.add_frame(_problems(frame, part, kind, field, code, reason, refs))


def _plan_slips(plan: pd.DataFrame, log: ProblemLog) -> None:
    """A planned day can only slip to a later day (the wide reader checks its cells itself, by cell).

    The day still counts as slipped (if the problem is re-graded to a warning); its new date is dropped.
    """
    if "slipped_to" not in plan:
        return
    bad = plan["slipped_to"].notna() & plan["date"].notna() & (plan["slipped_to"] <= plan["date"])
    if bad.any():
        messages = ("the planned day " + plan["date"].dt.strftime("%Y-%m-%d") + " slips to "
                    + plan["slipped_to"].dt.strftime("%Y-%m-%d") + ", which is not after it")
        log.add_frame(_problems(plan, bad, "plan", "slipped_to", "plan_slip_before_day", messages,
                                plan["slipped_to"].dt.strftime("%Y-%m-%d")))
        plan.loc[bad, "slipped_to"] = pd.NaT
        if "slipped" in plan:
            plan.loc[bad, "slipped"] = True


def _row_branches(frame: pd.DataFrame, customers: pd.DataFrame | None,
                  names: "_CustomerNames | None" = None) -> pd.Series | None:
    """The branch of each row: its own column, else its customer's branch (by id, the first customer of
    that id; else by a customer name unique in the list, names as ``people.customer_key`` reads them), so
    a staff name need only be unique within that branch. None when no row has one.

    Rows are matched to customer positions, each id column by one lookup among the customers' ids (not a
    filter of the list by the ids named, a second hash of those, then the lookup), and names only for rows
    their ids left without a branch; the branch text is taken once at the end. The 200-branch network's
    sales, visits, referrals, plan and claims: 147 -> 73 ms thread CPU (best of 3, the referrals' and sales'
    two staff columns counted once now)."""
    if "branch" in frame.columns and frame["branch"].notna().any():
        return frame["branch"]
    if customers is None or customers.empty:
        return None
    has_branch = customers["branch"].notna().to_numpy()
    at = np.full(len(frame), -1, dtype="int64")

    def fill(values: pd.Series, keys: pd.Series, positions: np.ndarray) -> None:
        """Rows still without a branch take the customer at ``positions`` of their value among ``keys``."""
        todo = (at < 0) | ~has_branch[np.maximum(at, 0)]
        where = text_positions(values, keys)
        found = todo & (where >= 0) & values.notna().to_numpy()      # a missing value names no customer
        at[found] = positions[where[found]]

    everyone = np.arange(len(customers))
    for column in ("customer_id", "customer"):
        if column in frame:
            fill(frame[column], customers["customer_id"], everyone)
    named = [c for c in ("customer", "customer_name") if c in frame]
    todo = (at < 0) | ~has_branch[np.maximum(at, 0)]
    if named and "name" in customers and todo.any():
        # every customer of a name these rows use: whether the name is unique is decided among them
        keyed = (names or _CustomerNames(customers))()
        said = [customer_key(frame[c]) for c in named]
        namesakes = np.flatnonzero(text_isin(keyed, pd.concat([s[todo] for s in said])).to_numpy())
        held = keyed.take(namesakes)
        unique = (~held.duplicated(keep=False) & held.notna()).to_numpy()
        for values in said:
            fill(values, held[unique], namesakes[unique])
    if not has_branch[at[at >= 0]].any():
        return None
    return pd.Series(text_at(customers["branch"], at), index=frame.index)
