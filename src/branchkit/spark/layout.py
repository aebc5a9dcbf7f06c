"""The on-disk layout the Spark jobs read: one Parquet dataset per ledger kind, partitioned by branch.

``OUT/<kind>/branch=<name>/part-00000.parquet`` holds the canonical, validated
columns of one ledger kind for one branch (Hive-style partitions, as Spark
writes and reads them; a row without a branch goes under
``branch=__HIVE_DEFAULT_PARTITION__`` and reads back as null). The partition
column is not stored in the files: for kinds that have a ``branch`` field
(customers, staff, pool, ...) it is that field; for the others it is the
branch the row belongs to:

- rows that credit a person (visits, referrals, sales, work logs, deductions,
  assessments, plans): the branch of that person on the staff list (a sale
  belongs to its closer's branch, as in ``core.pay``);
- rows about a customer (claims, last month's allocation): the customer's
  branch on the month-end customer list.

This module needs only pandas and pyarrow; it is what ``export`` writes and
what the per-branch functions use to restore each kind's column types.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from branchkit.models.ledgers import DTYPES, LEDGERS

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
#: The column a customer row carries when its ledger keeper named several staff (allocate's ``ambiguous``).
AMBIGUOUS = "_keeper_ambiguous"
#: Kinds whose rows belong to the branch of the person they credit, and the column naming that person.
PERSON_OF = {"visits": "staff_id", "referrals": "referrer", "sales": "closer", "worklog": "staff_id",
             "deductions": "staff_id", "assessment": "staff_id", "plan": "staff_id"}
#: Kinds whose rows belong to the branch of the customer they name.
CUSTOMER_OF = {"claims": "customer_id", "previous": "customer_id"}
_INTERNAL = {"_file": "str", "_sheet": "str", "_row": "int64", "_rid": "int64"}
# Characters Hive (and Spark) escape in partition directory names.
_ESCAPE = re.compile(r'[\x00-\x1f"#%\'*/:=?\\\x7f{\[\]^]')


def ledger_dtypes(kind: str) -> dict[str, str]:
    """The pandas dtype of every column of a ledger frame of this kind, as the readers produce it."""
    out = {name: DTYPES.get(column.kind, "str") for name, column in LEDGERS[kind].columns().items()}
    if kind == "staff":
        out["active"] = "bool"
    return {**out, **_INTERNAL}


def typed(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """A frame read back (from Parquet, CSV or Spark) in the columns and dtypes of its ledger kind.

    Columns the frame lacks are left out (a ledger may omit optional fields); columns that are not the
    kind's (such as the partition column of a kind without a ``branch`` field) are dropped.
    """
    dtypes = {k: v for k, v in ledger_dtypes(kind).items() if k in frame}
    out = frame[list(dtypes)].reset_index(drop=True)
    for name, dtype in dtypes.items():
        if str(out[name].dtype) == dtype:
            continue
        if dtype.startswith("datetime64"):
            out[name] = pd.to_datetime(out[name]).astype(dtype)
        elif dtype in ("boolean", "bool") and out[name].dtype == object:
            out[name] = out[name].map(_truth, na_action="ignore").astype("boolean" if dtype == "boolean" else "bool")
        else:
            out[name] = out[name].astype(dtype)
    return out


def _truth(value: object) -> object:
    """``True``/``False`` as CSV writes them back to booleans (CSV dirs read by Spark give text)."""
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower(), pd.NA)
    return bool(value)


def branch_of_rows(frames: Mapping[str, pd.DataFrame | None]) -> dict[str, pd.Series]:
    """Per ledger kind, the branch each row belongs to (null when none is known); see the module doc."""
    staff, customers = frames.get("staff"), frames.get("customers")
    staff_branch = _index(staff, "staff_id")
    customer_branch = _index(customers, "customer_id")
    out = {}
    for kind, frame in frames.items():
        if frame is None:
            continue
        if "branch" in LEDGERS[kind].columns():
            branch = frame["branch"]
        elif kind in PERSON_OF:
            branch = frame[PERSON_OF[kind]].map(staff_branch)
        elif kind in CUSTOMER_OF:
            branch = frame[CUSTOMER_OF[kind]].map(customer_branch)
        else:
            branch = pd.Series(pd.NA, index=frame.index)
        out[kind] = branch.astype("str").replace("", pd.NA)
    return out


def _index(frame: pd.DataFrame | None, key: str) -> pd.Series:
    if frame is None or frame.empty:
        return pd.Series(dtype="str")
    return frame.drop_duplicates(key).set_index(key)["branch"].astype("str")


def partition_name(branch: object) -> str:
    """The directory name of a branch's partition (Hive escaping; null -> the default partition)."""
    if branch is None or pd.isna(branch) or branch == "":
        return f"branch={NULL_PARTITION}"
    return "branch=" + _ESCAPE.sub(lambda m: f"%{ord(m.group()):02X}", str(branch))


def write_layout(frames: Mapping[str, pd.DataFrame | None], out: Path,
                 extra: Mapping[str, Mapping[str, pd.Series]] | None = None) -> dict[str, dict[str, int]]:
    """Write each ledger kind as Parquet partitioned by branch; returns rows written per kind and branch.

    ``extra`` adds columns to a kind (``{"customers": {AMBIGUOUS: series}}``). Partitions are written in
    sorted branch order, rows in ledger order, so the same ledgers give the same files.
    """
    routes = branch_of_rows(frames)
    counts: dict[str, dict[str, int]] = {}
    for kind in sorted(routes):
        frame = typed(frames[kind], kind)  # type: ignore[arg-type]
        for name, values in (extra or {}).get(kind, {}).items():
            frame[name] = values.to_numpy()
        frame = frame.drop(columns=["branch"], errors="ignore")
        keys = routes[kind].fillna(NULL_PARTITION).to_numpy()
        counts[kind] = {}
        for branch in sorted(set(keys)):
            part = frame[keys == branch]
            target = out / kind / partition_name(None if branch == NULL_PARTITION else branch)
            target.mkdir(parents=True, exist_ok=True)
            table = pa.Table.from_pandas(_arrow_ready(part), preserve_index=False)
            pq.write_table(table, target / "part-00000.parquet")
            counts[kind][branch] = len(part)
    (out / "_kinds.json").write_text(json.dumps(sorted(routes)) + "\n", encoding="utf-8")
    return counts


def _arrow_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Text as plain Arrow strings, dates as timestamps Spark reads without a time zone."""
    out = frame.copy()
    for name in out:
        if str(out[name].dtype).startswith("datetime64"):
            out[name] = out[name].astype("datetime64[us]")
    return out


def kinds_in(layout: Path) -> list[str]:
    """The ledger kinds of a layout directory (those exported, else the subfolders naming a kind)."""
    listed = layout / "_kinds.json"
    if listed.is_file():
        return json.loads(listed.read_text(encoding="utf-8"))
    return sorted(p.name for p in layout.iterdir() if p.is_dir() and p.name in LEDGERS)


def read_layout(layout: Path) -> dict[str, pd.DataFrame]:
    """Every kind of a layout as pandas frames with the ``branch`` column restored (no Spark needed)."""
    return {kind: read_partitioned(layout / kind) for kind in kinds_in(layout)}


def read_partitioned(folder: Path) -> pd.DataFrame:
    """The Parquet files under ``folder/branch=<name>/`` as one frame, ``branch`` from the folder names."""
    parts = []
    for part in sorted(folder.glob("branch=*")):
        name = part.name.split("=", 1)[1]
        branch = None if name == NULL_PARTITION else re.sub(
            r"%([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), name)
        for file in sorted(part.glob("*.parquet")):
            frame = pq.read_table(file).to_pandas()
            parts.append(frame.assign(branch=pd.Series(branch, index=frame.index, dtype="str")))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
