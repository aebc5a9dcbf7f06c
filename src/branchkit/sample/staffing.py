"""Picking staff for customers, vectorised: "a random member of these roles in that branch"."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from branchkit.sample.network import ACTIVE, ON_LEAVE

LEADERSHIP = ("head", "deputy")
TELLERS = ("low_counter", "comprehensive_teller")
RM_OF_KIND = {"corporate": "corporate_rm", "retail": "retail_rm", "agri": "retail_rm"}
ON_BOOKS = (ACTIVE, ON_LEAVE)   # staff still employed: active or on leave


def pick_staff(
    rng: np.random.Generator,
    staff: pd.DataFrame,
    codes: np.ndarray,
    pool_of_row: np.ndarray,
    pools: Sequence[Sequence[str]],
    states: Sequence[str] = (ACTIVE,),
) -> np.ndarray:
    """For each row, a random staff id among ``pools[pool_of_row]`` roles of branch ``codes``.

    Only staff in one of ``states`` are eligible. A branch with nobody in the
    pool falls back to its head, who every branch has.
    """
    members = _members(staff, pools, states)
    key = np.asarray(codes, dtype=np.int64) * len(pools) + np.asarray(pool_of_row, dtype=np.int64)
    start = np.searchsorted(members["key"].to_numpy(), key, side="left")
    stop = np.searchsorted(members["key"].to_numpy(), key, side="right")
    size = stop - start
    chosen = start + np.floor(rng.random(len(key)) * np.maximum(size, 1)).astype(np.int64)
    ids = members["staff_id"].to_numpy()[np.minimum(chosen, max(len(members) - 1, 0))] if len(members) else \
        np.full(len(key), "", dtype=object)
    heads = staff[staff["role"] == "head"].drop_duplicates("code").set_index("code")["staff_id"]
    return np.where(size > 0, ids, pd.Series(codes).map(heads).to_numpy()).astype(object)


def _members(staff: pd.DataFrame, pools: Sequence[Sequence[str]], states: Sequence[str]) -> pd.DataFrame:
    eligible = staff[staff["state"].isin(states)]
    parts = []
    for p, roles in enumerate(pools):
        sub = eligible[eligible["role"].isin(roles)]
        parts.append(pd.DataFrame({"key": sub["code"].to_numpy() * len(pools) + p, "staff_id": sub["staff_id"]}))
    members = pd.concat(parts, ignore_index=True)
    return members.sort_values(["key", "staff_id"], kind="stable").reset_index(drop=True)


def roles_of(staff: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    """Role key of each staff id ('' for an empty id)."""
    return pd.Series(ids).map(staff.set_index("staff_id")["role"]).fillna("").to_numpy(dtype=object)


def names_of(staff: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    """Name of each staff id ('' for an empty id)."""
    return pd.Series(ids).map(staff.set_index("staff_id")["name"]).fillna("").to_numpy(dtype=object)


def as_written(rng: np.random.Generator, staff: pd.DataFrame, ids: np.ndarray, id_share: float) -> np.ndarray:
    """How a ledger names a person: the name, or for ``id_share`` of the rows the staff id."""
    names = names_of(staff, ids)
    use_id = rng.random(len(ids)) < id_share
    return np.where(use_id, ids, names).astype(object)


def unambiguous_names(staff: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    """Each person's name, or their staff id when someone else in the network has the same name."""
    shared = staff["name"].duplicated(keep=False).to_numpy()
    written = pd.Series(np.where(shared, staff["staff_id"], staff["name"]), index=staff["staff_id"].to_numpy())
    return pd.Series(ids).map(written).fillna("").to_numpy(dtype=object)
