"""The functions Spark runs per branch: a packed group of ledger rows in, packed result tables out.

``applyInPandas`` hands a function one pandas frame per group and takes one
frame back, in one declared schema. Allocation needs several ledgers per
branch (customers, claims, last month's allocation) and score up to ten, so
both directions are *packed*: the ledgers of a branch arrive as one frame
(the union of their columns, a ``_kind`` column naming each row's ledger)
and the result tables leave as one frame (a ``_table`` column). ``cogroup``
would take only two frames, and a join per ledger would copy rows.

The computation itself is the same pure core the local path runs:
``core.allocate.allocate_branch`` and ``core.month.score_month``, on frames
restored to the dtypes the ledger readers produce (``layout.typed``). This
module needs no Spark, so it is tested without one.
"""

from __future__ import annotations

from dataclasses import asdict, fields

import pandas as pd

from branchkit.core.allocate import Allocation, allocate_branch
from branchkit.core.metrics import MonthLedgers
from branchkit.core.month import POOL_COLUMNS, score_month
from branchkit.problems import Problem
from branchkit.rules import Rules
from branchkit.spark.layout import AMBIGUOUS, ledger_dtypes, typed
from branchkit.views.score import score_columns

KIND, TABLE, GROUP = "_kind", "_table", "_group"
ALLOCATION_TABLES = tuple(f.name for f in fields(Allocation))
SCORE_TABLES = ("score", "pools", "piece_pay", "problems")
PROBLEM_COLUMNS = ["code", "severity", "kind", "file", "sheet", "row", "column", "value", "message"]
PIECE_PAY_COLUMNS = ["staff_id", "branch", "cents", "withheld"]
SCORE_TEXT = {"staff_id", "name", "role", "branch", "state", "basis"}


def empty(kind: str) -> pd.DataFrame:
    """A ledger frame of this kind with no rows, every column typed."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in ledger_dtypes(kind).items()})


def unpack(packed: pd.DataFrame, kinds: list[str]) -> dict[str, pd.DataFrame]:
    """The ledger frames of one group; a kind the run has but this group lacks comes back empty, not None."""
    out = {}
    for kind in kinds:
        rows = packed[packed[KIND] == kind] if len(packed) else packed
        out[kind] = typed(rows, kind) if len(rows) else empty(kind)
    return out


def pack(tables: dict[str, pd.DataFrame], columns: dict[str, str]) -> pd.DataFrame:
    """Result tables as one frame in the output schema (``columns``: name -> dtype, ``_table`` first)."""
    parts = [t.assign(**{TABLE: name}) for name, t in tables.items() if len(t)]
    if not parts:
        return spark_ready(pd.DataFrame({c: pd.Series(dtype=d) for c, d in columns.items()}))
    frame = pd.concat(parts, ignore_index=True).reindex(columns=list(columns))
    return spark_ready(frame.astype({c: d for c, d in columns.items() if str(frame[c].dtype) != d}))


def spark_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """pandas 3 text as object columns and dates at microseconds: what pyspark's Arrow conversion takes."""
    out = frame.copy()
    for name in out:
        dtype = str(out[name].dtype)
        if dtype.startswith("datetime64"):
            out[name] = out[name].astype("datetime64[us]")
        elif dtype in ("str", "string"):
            out[name] = out[name].astype(object).where(out[name].notna(), None)
    return out


#: Packed tables leave a column null where another table has it: integers and flags become nullable.
_NULLABLE = {"int64": "Int64", "bool": "boolean", "object": "str"}


def output_columns(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """The packed output schema: ``_table``, then every table's columns in first-seen order, with dtypes."""
    columns: dict[str, str] = {TABLE: "str"}
    for name, table in tables.items():
        for column, dtype in table.dtypes.astype(str).items():
            dtype = _NULLABLE.get(dtype, dtype)
            if columns.setdefault(column, dtype) != dtype:
                raise TypeError(f"column {column} is {columns[column]} in one table and {dtype} in {name}")
    return columns


# --- allocation -------------------------------------------------------------------------------


def allocate_group(packed: pd.DataFrame, staff: pd.DataFrame, rules: Rules, kinds: list[str]) -> dict[str, pd.DataFrame]:
    """Allocate one branch from its packed ledgers; ``staff`` is the whole staff list, as the local driver
    gives every group of branches (a claimant or keeper from another branch is then known, not unknown)."""
    frames = unpack(packed, [k for k in kinds if k != "staff"])
    customers = frames["customers"]
    ambiguous = frozenset()
    if len(customers) and AMBIGUOUS in packed:
        flags = packed.loc[packed[KIND] == "customers", AMBIGUOUS].fillna(False).astype(bool).to_numpy()
        ambiguous = frozenset(customers.loc[flags, "customer_id"].astype("str"))
    result = allocate_branch(customers, staff, rules, claims=frames.get("claims"), previous=frames.get("previous"),
                             ambiguous=ambiguous)
    return asdict(result) if len(customers) else {name: getattr(result, name).iloc[:0] for name in ALLOCATION_TABLES}


def allocation_columns(rules: Rules, kinds: list[str]) -> dict[str, str]:
    """The packed output schema of ``allocate_group``: the core run on empty ledgers gives every typed column."""
    packed = pd.DataFrame({KIND: pd.Series(dtype="str")})
    return output_columns(allocate_group(packed, empty("staff"), rules, kinds))


# --- score ------------------------------------------------------------------------------------


def score_group(packed: pd.DataFrame, rules: Rules, kinds: list[str], month: pd.Period) -> dict[str, pd.DataFrame]:
    """Score one branch: its staff, the rows crediting them, its pool (see ``jobs`` for how rows are routed).

    Scorecards rank within a branch and each branch's pay is its own, so the result equals the local run's
    rows for this branch, except piece-rate pay a person earns in another branch (a lead helping a closer
    elsewhere): ``piece_pay`` lists every recipient's cents so the job can add them up across branches.
    """
    frames = unpack(packed, kinds)
    result = score_month(MonthLedgers.from_frames(frames), month, rules)
    return {"score": _cast(result.summary.reindex(columns=score_columns(result.metrics)), SCORE_TEXT, {"rank"}),
            "pools": _cast(result.pools.reindex(columns=POOL_COLUMNS), {"branch"}, {"active_staff"}),
            "piece_pay": _cast(result.piece_pay.reindex(columns=PIECE_PAY_COLUMNS), {"staff_id", "branch"},
                               {"cents"}, {"withheld"}),
            "problems": problem_frame(result.problems)}


def _cast(frame: pd.DataFrame, text: set[str], whole: set[str], flags: set[str] = frozenset()) -> pd.DataFrame:
    """Fixed dtypes whatever the rows (an empty result has object columns): text, Int64, boolean, else float64."""
    types = {c: "str" if c in text else "Int64" if c in whole else "boolean" if c in flags else "float64"
             for c in frame}
    return frame.astype(types)


def problem_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as rows (the columns of ``Problem.as_dict``), text typed."""
    frame = pd.DataFrame([p.as_dict() for p in problems], columns=PROBLEM_COLUMNS)
    return frame.astype({c: "str" for c in PROBLEM_COLUMNS if c != "row"} | {"row": "Int64"})


def score_columns_of(rules: Rules, kinds: list[str], month: pd.Period) -> dict[str, str]:
    """The packed output schema of ``score_group``, from the core run on empty ledgers."""
    packed = pd.DataFrame({KIND: pd.Series(dtype="str")})
    return output_columns(score_group(packed, rules, kinds, month))
