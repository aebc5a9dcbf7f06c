"""Staff references: a keeper, claimant or visitor named by staff id or by name.

Ledgers name people both ways. An id is taken as it is (or, when an id was
typed as a number and lost its leading zeros, by its digits when that is
unambiguous). A name counts when it is unique within the row's branch, else
unique in the whole staff list. Ambiguous and unknown names are problems that
say who the candidates were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from branchkit.text import per_distinct, text_map

_SEP = "\x1f"


@dataclass(frozen=True)
class Directory:
    """Lookup tables built once from the staff ledger: text-indexed series of staff ids, looked up with
    ``text.text_map`` (a dict given to ``Series.map`` was made a series again at every call: 40 calls over a
    network's 10,000 staff)."""

    by_id: pd.Series
    by_digits: pd.Series
    by_branch_name: pd.Series
    by_name: pd.Series
    candidates: dict[str, list[str]]          # ambiguous name (or branch+name) -> "id name (branch)" list

    @classmethod
    def from_staff(cls, staff: pd.DataFrame) -> "Directory":
        """Index staff by id, by name within branch, and by name overall."""
        ids = staff["staff_id"].dropna().astype("str")
        by_id = _series(ids, ids)
        digits = ids.str.lstrip("0")
        unique_digits = digits[~digits.duplicated(keep=False)]
        by_digits = _series(unique_digits, ids[unique_digits.index])
        frame = staff[["staff_id", "name", "branch"]].dropna(subset=["staff_id", "name"]).astype("str")
        frame = frame.drop_duplicates("staff_id")
        branch_key = frame["branch"].fillna("") + _SEP + frame["name"]
        by_branch_name, ambiguous_bn = _unique_map(branch_key, frame)
        by_name, ambiguous_n = _unique_map(frame["name"], frame)
        return cls(by_id, by_digits, by_branch_name, by_name, {**ambiguous_bn, **ambiguous_n})

    def resolve(self, refs: pd.Series,
                branches: pd.Series | Callable[[np.ndarray], pd.Series | None] | None = None
                ) -> tuple[pd.Series, pd.Series]:
        """Staff ids for ``refs``, and a reason per row that did not resolve ('' when it did).

        ``branches`` (each row's branch, for names unique only within a branch) may be a function of
        the rows still unresolved (a boolean mask) giving their branches: it is called only when some
        reference is not a staff id. Each distinct reference is looked up once; a million rows name a
        few hundred people.
        """
        # Every partial result is set by position (``.array``): a Series would be aligned on the index first,
        # a join of a million row labels each time (0.2 s a call, three or four calls per ledger column).
        refs = refs.astype("str")
        present = refs.notna().to_numpy()
        resolved = per_distinct(refs, self._by_id)
        todo = present & resolved.isna().to_numpy()
        if todo.any():
            rows = branches(todo) if callable(branches) else (branches[todo] if branches is not None else None)
            if rows is not None:
                resolved[todo] = self._by_branch_name(rows.astype("str").fillna(""), refs[todo])
            todo = present & resolved.isna().to_numpy()
        if todo.any():
            resolved[todo] = per_distinct(refs[todo], lambda r: text_map(r, self.by_name)).array
            todo = present & resolved.isna().to_numpy()
        reason = pd.Series("", index=refs.index, dtype="str")
        if todo.any():
            reason[todo] = per_distinct(refs[todo], lambda r: r.map(self._why).astype("str")).array
        return resolved.astype("str"), reason

    def _by_branch_name(self, branches: pd.Series, refs: pd.Series) -> pd.api.extensions.ExtensionArray:
        """Staff ids for names unique within the row's branch (null where not). Each distinct (branch, name)
        pair is looked up once, found by the pair of their codes: joining the texts of a million rows
        first cost more than the lookup."""
        b_codes, b_names = pd.factorize(branches.astype("str"), use_na_sentinel=True)
        r_codes, r_names = pd.factorize(refs.astype("str"), use_na_sentinel=True)
        width = max(len(r_names), 1)
        pair = np.where((b_codes < 0) | (r_codes < 0), -1, b_codes.astype("int64") * width + r_codes)
        row_pair, pairs = pd.factorize(pair)
        valid = pairs >= 0
        b_at, r_at = np.divmod(pairs[valid], width)
        keys = (pd.Series(b_names.array.take(b_at), dtype="str") + _SEP
                + pd.Series(r_names.array.take(r_at), dtype="str"))
        found = text_map(keys, self.by_branch_name).array
        at = np.full(len(pairs), -1, dtype="int64")
        at[valid] = np.arange(int(valid.sum()))
        return found.take(at[row_pair], allow_fill=True)

    def _by_id(self, refs: pd.Series) -> pd.Series:
        """Staff ids for references that are ids, or ids that lost their leading zeros."""
        found = text_map(refs, self.by_id)
        todo = found.isna()
        if todo.any():
            found[todo] = text_map(refs[todo].str.lstrip("0"), self.by_digits).array
        return found

    def _why(self, ref: str) -> str:
        options = self.candidates.get(ref)
        if options:
            return f"the name {ref} is not unique: " + "; ".join(options) + " (use the staff id)"
        return f"{ref} is neither a staff id nor the name of anyone on the staff list"


def _series(keys: pd.Series, ids: pd.Series) -> pd.Series:
    """A text lookup: ``ids`` indexed by ``keys`` (``text_map`` finds a repeated key at its first), both kept
    Arrow text (an object index was turned into Arrow text again at every lookup)."""
    return pd.Series(ids.astype("str").array, index=pd.Index(keys.astype("str").array))


def _unique_map(keys: pd.Series, frame: pd.DataFrame) -> tuple[pd.Series, dict[str, list[str]]]:
    """Keys naming one person -> their staff id; the name of keys naming several -> "id name (branch)"
    of each, keys in sorted order and people in the ledger's order within a key. The people named alike
    are listed from three columns at once and sorted stably by key (a groupby's ``itertuples`` per key
    cost ~0.5 s for a network's 10,000 staff, ~800 names shared)."""
    dup = keys.duplicated(keep=False)
    unique = _series(keys[~dup], frame.loc[~dup, "staff_id"])
    rows = frame[dup]
    shared = keys[dup].tolist()
    texts = [f"{staff_id} {name} ({branch})" for staff_id, name, branch
             in zip(rows["staff_id"].tolist(), rows["name"].tolist(), rows["branch"].tolist())]
    ambiguous: dict[str, list[str]] = {}
    for i in sorted(range(len(shared)), key=shared.__getitem__):
        ambiguous.setdefault(shared[i].split(_SEP)[-1], []).append(texts[i])
    return unique, ambiguous
