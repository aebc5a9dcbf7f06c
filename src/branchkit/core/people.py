"""Staff references: a keeper, claimant or visitor named by staff id or by name.

Ledgers name people both ways. An id is taken as it is (or, when an id was
typed as a number and lost its leading zeros, by its digits when that is
unambiguous). A name counts when it is unique within the row's branch, else
unique in the whole staff list. Ambiguous and unknown names are problems that
say who the candidates were.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

_SEP = "\x1f"


@dataclass(frozen=True)
class Directory:
    """Lookup tables built once from the staff ledger."""

    by_id: dict[str, str]
    by_digits: dict[str, str]
    by_branch_name: dict[str, str]
    by_name: dict[str, str]
    candidates: dict[str, list[str]]          # ambiguous name (or branch+name) -> "id name (branch)" list

    @classmethod
    def from_staff(cls, staff: pd.DataFrame) -> "Directory":
        """Index staff by id, by name within branch, and by name overall."""
        ids = staff["staff_id"].dropna().astype("str")
        by_id = dict(zip(ids, ids))
        digits = ids.str.lstrip("0")
        unique_digits = digits[~digits.duplicated(keep=False)]
        by_digits = dict(zip(unique_digits, ids[unique_digits.index]))
        frame = staff[["staff_id", "name", "branch"]].dropna(subset=["staff_id", "name"]).astype("str")
        frame = frame.drop_duplicates("staff_id")
        branch_key = frame["branch"].fillna("") + _SEP + frame["name"]
        by_branch_name, ambiguous_bn = _unique_map(branch_key, frame)
        by_name, ambiguous_n = _unique_map(frame["name"], frame)
        return cls(by_id, by_digits, by_branch_name, by_name, {**ambiguous_bn, **ambiguous_n})

    def resolve(self, refs: pd.Series, branches: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
        """Staff ids for ``refs``, and a reason per row that did not resolve ('' when it did)."""
        refs = refs.astype("str")
        present = refs.notna()
        resolved = refs.map(self.by_id)
        todo = present & resolved.isna()
        if todo.any():
            resolved[todo] = refs[todo].str.lstrip("0").map(self.by_digits)
        todo = present & resolved.isna()
        if todo.any() and branches is not None:
            keys = branches.astype("str").fillna("") + _SEP + refs
            resolved[todo] = keys[todo].map(self.by_branch_name)
        todo = present & resolved.isna()
        if todo.any():
            resolved[todo] = refs[todo].map(self.by_name)
        reason = pd.Series("", index=refs.index, dtype="str")
        todo = present & resolved.isna()
        if todo.any():
            reason[todo] = refs[todo].map(lambda r: self._why(r))
        return resolved.astype("str"), reason

    def _why(self, ref: str) -> str:
        options = self.candidates.get(ref)
        if options:
            return f"the name {ref} is not unique: " + "; ".join(options) + " (use the staff id)"
        return f"{ref} is neither a staff id nor the name of anyone on the staff list"


def _unique_map(keys: pd.Series, frame: pd.DataFrame) -> tuple[dict[str, str], dict[str, list[str]]]:
    dup = keys.duplicated(keep=False)
    unique = dict(zip(keys[~dup], frame.loc[~dup, "staff_id"]))
    ambiguous: dict[str, list[str]] = {}
    for key, group in frame[dup].groupby(keys[dup], sort=True):
        name = key.split(_SEP)[-1]
        ambiguous.setdefault(name, []).extend(
            f"{r.staff_id} {r.name} ({r.branch})" for r in group.itertuples(index=False))
    return unique, ambiguous
