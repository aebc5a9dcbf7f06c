"""Staff references: a keeper, claimant or visitor named by staff id or by name.

Ledgers name people both ways. An id is taken as it is (or, when an id was
typed as a number and lost its leading zeros, by its digits when that is
unambiguous). A name counts when it is unique within the row's branch, else
unique in the whole staff list. Ambiguous and unknown names are problems that
say who the candidates were.

Names are matched as people read them: spaces inside a Chinese name are padding
(``张　三``, a two-character name spaced to line up with three-character ones, is
张三), runs of spaces in a Latin one are one space, and the dots between the parts of
a name (``买买提·艾力``: ·, •, ・, ．) are one dot. The names shown stay as written.

Customer names (a plan row meeting its visits, a visit or a ledger row finding its
customer in the list by name) are matched the same way, and besides with full-width
letters, digits and punctuation as their ASCII forms (``（城中分店）`` is ``(城中分店)``,
``ＡＢＣ`` is ``ABC``) and Latin letters in either case: a company is written both
ways by different hands. A name is used only when it names one customer of the list
under this key, so two customers who differ only so are never merged: neither is
found by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from branchkit.text import WHITE_SPACE, distinct, str_series, text_map

_SEP = "\x1f"
_SPACE = WHITE_SPACE + "\u200b"          # every space str.isspace takes (RE2's \s is ASCII's), and zero-width
_DOT = "\u00b7\u2022\u2027\u2219\u22c5\u30fb\uff0e\uff65"
_SPACES, _DOTS, _SPACE_OR_DOT = f"[{_SPACE}]+", f"[{_DOT}]", f"[{_SPACE}{_DOT}]"
_HAN = "[\u3400-\u9fff\uf900-\ufaff]"
_CUSTOMER_ODD = f"[{_SPACE}{_DOT}\uff01-\uff5eA-Z]"    # what customer_key rewrites: full-width forms, capitals
_NARROW = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})
_WIDE = "[\uff01-\uff5e]"                               # full-width ASCII forms


def name_key(names: pd.Series) -> pd.Series:
    """Names as they are matched: no spaces inside a name holding Chinese characters, one space for each
    run in others, one dot for each kind of middle dot. Only the names holding a space or a dot are
    rewritten (one pass over all finds them; ids and most names hold neither)."""
    names = names.astype("str")
    odd = names.str.contains(_SPACE_OR_DOT, regex=True).fillna(False).astype(bool)
    if not odd.any():
        return names
    key = names[odd].str.replace(_DOTS, "\u00b7", regex=True)
    han = key.str.contains(_HAN, regex=True).fillna(False).astype(bool)
    key = key.where(~han, key.str.replace(_SPACES, "", regex=True)).where(
        han, key.str.replace(_SPACES, " ", regex=True))
    return names.mask(odd, key)


def customer_key(names: pd.Series) -> pd.Series:
    """Customer names as they are matched: ``name_key``, then full-width ASCII forms narrowed, Latin in
    lower case and the ends trimmed; in a name without Chinese characters a dot is a full stop
    (``ＡＢＣ Ｃｏ．`` is ``abc co.``, where ``name_key`` made its ``．`` a middle dot). Only the names holding
    such a character are rewritten (one pass over all finds them: 0.05 s for a million names)."""
    names = names.astype("str")
    odd = names.str.contains(_CUSTOMER_ODD, regex=True).fillna(False).astype(bool)
    if not odd.any():
        return names
    key = name_key(names[odd]).str.strip().str.translate(_NARROW).str.lower()
    han = key.str.contains(_HAN, regex=True).fillna(False).astype(bool)
    return names.mask(odd, key.where(han, key.str.replace("\u00b7", ".", regex=False)))


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
        names = name_key(frame["name"])
        by_branch_name, ambiguous_bn = _unique_map(frame["branch"].fillna("") + _SEP + names, frame)
        by_name, ambiguous_n = _unique_map(names, frame)
        return cls(by_id, by_digits, by_branch_name, by_name, {**ambiguous_bn, **ambiguous_n})

    def resolve(self, refs: pd.Series,
                branches: pd.Series | Callable[[np.ndarray], pd.Series | None] | None = None
                ) -> tuple[pd.Series, pd.Series]:
        """Staff ids for ``refs``, and a reason per row that did not resolve ('' when it did).

        ``branches`` (each row's branch, for names unique only within a branch) may be a function of
        the rows still unresolved (a boolean mask) giving their branches: it is called only when some
        reference is not a staff id; a row without a branch goes by the name alone. Each distinct
        reference is looked up once; a million rows name a few hundred people.
        """
        # Each row ends as an index into one table of the ids found (by reference, then by branch and name,
        # then by name), taken once at the end: setting a million-row Arrow column by mask, twice or three
        # times, cost more than the lookups (the 1,000,000 customers' keepers, 715,000 by name: 127-135 ->
        # 90-96 ms thread CPU, min of 5, two rounds).
        codes, uniques = _coded(refs.astype("str"))
        found = [self._by_id(uniques).array]
        # Only the references that are no staff id are looked up by name: only they are keyed.
        named = np.asarray(pd.isna(found[0]), dtype=bool)
        names = uniques.mask(named, name_key(uniques[named])) if named.any() else uniques
        at = _hits(codes, found[0], np.full(len(codes), -1, dtype="int64"))
        todo = (codes >= 0) & (at < 0)
        if todo.any():
            rows = branches(todo) if callable(branches) else (branches[todo] if branches is not None else None)
            if rows is not None:
                # A row without a branch is not matched to the staff without one (a name unique among them may
                # be another branch's too): it goes by the name alone, where a shared name is ambiguous.
                rows = rows.astype("str")
                pair, by_pair = self._by_branch_name(rows.where(rows != "", None), codes[todo], names)
                at[todo] = _hits(pair, by_pair, at[todo], len(found[0]))
                found.append(by_pair)
                todo = (codes >= 0) & (at < 0)
        if todo.any():
            wanted, of_row = _wanted(codes, todo)
            by_name = text_map(names.take(wanted), self.by_name).array
            at[todo] = _hits(of_row, by_name, at[todo], sum(len(f) for f in found))
            found.append(by_name)
            todo = (codes >= 0) & (at < 0)
        why = np.zeros(len(codes), dtype="int64")      # 0: '' (resolved or missing)
        reasons = [""]
        if todo.any():
            wanted, of_row = _wanted(codes, todo)
            reasons += [self._why(ref, key) for ref, key in zip(uniques.take(wanted).tolist(),
                                                                names.take(wanted).tolist())]
            why[todo] = 1 + of_row
        ids = pa.concat_arrays([_arrow(f) for f in found]).take(pa.array(at, mask=at < 0))
        return (str_series(ids, refs.index),
                str_series(pa.array(reasons, type=pa.large_string()).take(pa.array(why)), refs.index))

    def _by_branch_name(self, branches: pd.Series, codes: np.ndarray, names: pd.Series
                        ) -> tuple[np.ndarray, pd.api.extensions.ExtensionArray]:
        """Staff ids for names unique within the row's branch: each row's (branch, name) pair (-1: none) and
        the id found per pair (null where none), the name given by its code among ``names``. Each distinct
        pair is looked up once, found by the pair of their codes: joining the texts of a million rows first
        cost more than the lookup."""
        b_codes, b_names = pd.factorize(branches.astype("str"), use_na_sentinel=True)
        width = max(len(names), 1)
        pair = np.where((b_codes < 0) | (codes < 0), -1, b_codes.astype("int64") * width + codes)
        row_pair, pairs = pd.factorize(pair)
        valid = pairs >= 0
        b_at, r_at = np.divmod(pairs[valid], width)
        keys = (pd.Series(b_names.array.take(b_at), dtype="str") + _SEP
                + pd.Series(names.array.take(r_at), dtype="str"))
        at = np.full(len(pairs), -1, dtype="int64")
        at[valid] = np.arange(int(valid.sum()))
        return np.where(row_pair >= 0, at[np.maximum(row_pair, 0)], -1), text_map(keys, self.by_branch_name).array

    def _by_id(self, refs: pd.Series) -> pd.Series:
        """Staff ids for references that are ids, ids that lost their leading zeros, or either typed in
        full-width forms (``００１０１７``, a Chinese input method's digits: the staff list's ids are read
        narrowed, ``io.convert.to_id``)."""
        found = text_map(refs, self.by_id)
        todo = found.isna()
        if todo.any():
            found[todo] = text_map(refs[todo].str.lstrip("0"), self.by_digits).array
            wide = (found.isna() & refs.str.contains(_WIDE, regex=True)).fillna(False).astype(bool)
            if wide.any():
                narrow = refs[wide].str.normalize("NFKC").str.strip()     # as io.convert reads the list's ids
                found[wide] = text_map(narrow, self.by_id).fillna(
                    text_map(narrow.str.lstrip("0"), self.by_digits)).array
        return found

    def _why(self, ref: str, key: str) -> str:
        options = self.candidates.get(key)
        if options:
            return f"the name {ref} is not unique: " + "; ".join(options) + " (use the staff id)"
        return f"{ref} is neither a staff id nor the name of anyone on the staff list"


def _coded(refs: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Each reference's code among the distinct ones (-1: missing), and those (0, 1, ... as index)."""
    coded = distinct(refs)
    if coded is not None:
        return coded
    codes, uniques = pd.factorize(refs, use_na_sentinel=True)
    return codes.astype("int64", copy=False), pd.Series(uniques, dtype="str")


def _hits(index: np.ndarray, found: pd.api.extensions.ExtensionArray, at: np.ndarray, offset: int = 0) -> np.ndarray:
    """``at`` where a row's ``index`` into ``found`` (-1: none) finds nothing, else ``offset`` + that index."""
    hit = (index >= 0) & ~np.asarray(pd.isna(found), dtype=bool)[np.maximum(index, 0)] if len(found) else \
        np.zeros(len(index), dtype=bool)
    return np.where(hit, offset + index, at).astype("int64")


def _wanted(codes: np.ndarray, todo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct references of the ``todo`` rows (their codes) and each such row's position among them."""
    wanted, of_row = np.unique(codes[todo], return_inverse=True)
    return wanted, of_row.astype("int64").reshape(-1)


def _arrow(values: pd.api.extensions.ExtensionArray) -> pa.Array:
    array = pa.array(values, type=pa.large_string(), from_pandas=True)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


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
