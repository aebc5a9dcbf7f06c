"""The quarterly customer-relationship analysis (客户关系管理季度分析报告, DOMAIN §7).

From month-end customer snapshots: the quarter's start (the end of the
previous quarter's last month) and its end (the end of its last month) are
compared customer by customer; the months between, when given, draw the
trend. Everything is column-wise pandas over the snapshots (merges, crosstabs,
group-bys), never a loop over customers.

- tier migration: start tier x end tier counts, with new customers (in the end
  snapshot only) and lost ones (in the start snapshot only);
- balances by customer type and tier, at start and end;
- keeper coverage (existing customers with a keeper) and visit coverage
  (customers visited in the quarter) per tier at the end;
- the effect statistics per keeper (客户关系管理效果统计表): customers kept at
  start and end, new, lost, upgraded, downgraded, high-tier customers,
  balances and their change, visits made, high-tier customers visited.

Only existing customers count (``status`` not ``target``). Tiers are the
relationship tiers of the rules (``core.tiers``) on each snapshot's balances.
Start figures belong to the keeper at the start, end figures and tier moves to
the keeper at the end; a new customer goes to its marketer (营销人), else its
keeper, as ``score`` credits new customers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from branchkit.core.needs import Need, Needs
from branchkit.core.people import customer_key
from branchkit.core.tiers import add_tiers
from branchkit.problems import Note
from branchkit.rules import Rules

TIERS = ["high", "mid", "general"]

#: The columns of the month-end snapshots the quarter reads (``core.needs``).
NEEDS = Needs("report --quarter", (
    Need("customers", "deposit", True, "relationship tiers, tier migration and deposits of the quarter",
         "关系层级、层级迁移与存款"),
    Need("customers", "loan", False, "loans: tiers on deposits alone, no loan balances",
         "贷款余额：层级只看存款，无贷款余额"),
    Need("customers", "keeper", False, "keepers: every customer falls in the no-keeper row of the 客户关系管理效果统计表",
         "管户人：客户关系管理效果统计表中全部计入无维护人"),
    Need("customers", "marketer", False, "marketers: new customers are credited to their keeper",
         "营销人：新增客户计给维护人"),
    Need("customers", "status", False, "status: target customers count as existing ones",
         "客户状态：目标客户按存量客户计"),
))
_RANK = {t: i for i, t in enumerate(TIERS)}
KINDS = ["corporate", "retail", "agri"]


@dataclass
class QuarterResult:
    """The quarter's tables (canonical English columns; staff by staff id)."""

    quarter: pd.Period
    start: pd.Period
    end: pd.Period
    months: list[pd.Period]           # snapshots used, in order
    migration: pd.DataFrame           # tier_start x (high, mid, general, lost, total), rows + new, total
    customers: pd.DataFrame           # one row per customer in either snapshot: movement
    balances: pd.DataFrame            # kind x tier: counts and balances at start and end
    trend: pd.DataFrame               # one row per snapshot month
    coverage: pd.DataFrame            # tier: keeper and visit coverage at the end
    keepers: pd.DataFrame             # 客户关系管理效果统计表
    branches: pd.DataFrame            # one row per branch: customers, moves, deposits
    new: pd.DataFrame                 # customers won in the quarter
    lost: pd.DataFrame                # customers lost in the quarter
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, float]:
        moves = self.customers["movement"].value_counts()
        return {
            "customers_start": int(self.customers["in_start"].sum()),
            "customers_end": int(self.customers["in_end"].sum()),
            **{m: int(moves.get(m, 0)) for m in ("new", "lost", "upgraded", "downgraded", "same")},
            "deposit_start": float(self.customers["deposit_start"].sum()),
            "deposit_end": float(self.customers["deposit_end"].sum()),
        }


def quarter_months(quarter: str | pd.Period) -> tuple[pd.Period, list[pd.Period]]:
    """The quarter and its snapshot months: the previous quarter's last month, then its own three."""
    period = pd.Period(str(quarter).upper(), freq="Q")
    first = period.asfreq("M", how="start")
    return period, [first - 1, first, first + 1, first + 2]


def analyse_quarter(quarter: str | pd.Period, snapshots: dict[pd.Period, pd.DataFrame], rules: Rules, *,
                    staff: pd.DataFrame | None = None, visits: pd.DataFrame | None = None) -> QuarterResult:
    """The quarterly analysis; ``snapshots`` maps months to customer frames and must hold the start and end."""
    period, months = quarter_months(quarter)
    start, end = months[0], months[-1]
    missing = [m for m in (start, end) if m not in snapshots]
    if missing:
        raise ValueError(f"the month-end snapshots of {', '.join(map(str, missing))} are needed")
    tiered = {m: _tiered(snapshots[m], rules) for m in months if m in snapshots}
    customers = movements(tiered[start], tiered[end])
    quarter_visits = _visits_in(visits, period, rules)
    visited = _visited(quarter_visits, tiered[end])
    customers["visited"] = customers["customer_id"].isin(visited).to_numpy() & customers["in_end"].to_numpy()
    notes = [Note.of("quarter_month_missing", month=str(m)) for m in months[1:-1] if m not in snapshots]
    if visits is None:
        notes.append(Note.of("quarter_no_visits"))
    return QuarterResult(
        quarter=period, start=start, end=end, months=sorted(tiered), migration=migration_matrix(customers),
        customers=customers, balances=balances(customers), trend=trend(tiered),
        coverage=coverage(customers, visits is not None), keepers=keeper_effect(customers, quarter_visits, staff),
        branches=branch_summary(customers),
        new=_listed(customers, "new", "end", staff), lost=_listed(customers, "lost", "start", staff), notes=notes,
    )


def _tiered(frame: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Existing customers of a snapshot with their relationship tier; one row per customer id."""
    status = frame["status"] if "status" in frame else pd.Series(pd.NA, index=frame.index)
    existing = frame[status.ne("target").fillna(True).to_numpy()]
    out = add_tiers(existing, rules.tiers)
    columns = ["customer_id", "name", "kind", "branch", "keeper", "marketer", "deposit", "loan", "tier"]
    out = out.reindex(columns=columns)
    out["customer_id"] = out["customer_id"].astype("str")
    for money in ("deposit", "loan"):
        out[money] = pd.to_numeric(out[money], errors="coerce").fillna(0.0).astype("float64")
    return out.drop_duplicates("customer_id", keep="first").reset_index(drop=True)


def movements(start: pd.DataFrame, end: pd.DataFrame) -> pd.DataFrame:
    """One row per customer of either snapshot: tiers, keepers and balances at both ends, and its movement."""
    merged = start.merge(end, on="customer_id", how="outer", suffixes=("_start", "_end"), indicator=True,
                         sort=True)
    out = pd.DataFrame({"customer_id": merged["customer_id"]})
    out["in_start"] = merged["_merge"].isin(["left_only", "both"]).to_numpy()
    out["in_end"] = merged["_merge"].isin(["right_only", "both"]).to_numpy()
    for column in ("name", "kind", "branch"):
        out[column] = merged[f"{column}_end"].fillna(merged[f"{column}_start"])
    for column in ("tier", "keeper", "deposit", "loan"):
        out[f"{column}_start"] = merged[f"{column}_start"]
        out[f"{column}_end"] = merged[f"{column}_end"]
    for money in ("deposit_start", "deposit_end", "loan_start", "loan_end"):
        out[money] = out[money].fillna(0.0).astype("float64")
    out["marketer"] = merged["marketer_end"]
    rank_start = out["tier_start"].map(_RANK).astype("float64")
    rank_end = out["tier_end"].map(_RANK).astype("float64")
    out["movement"] = np.select(
        [~out["in_start"], ~out["in_end"], rank_end < rank_start, rank_end > rank_start],
        ["new", "lost", "upgraded", "downgraded"], default="same")
    out["movement"] = out["movement"].astype("str")
    return out


def migration_matrix(customers: pd.DataFrame) -> pd.DataFrame:
    """Counts of customers by start tier (rows: high, mid, general, new) and end tier (high, mid, general, lost)."""
    rows = customers["tier_start"].fillna("new")
    cols = customers["tier_end"].fillna("lost")
    table = pd.crosstab(rows, cols).reindex(index=TIERS + ["new"], columns=TIERS + ["lost"], fill_value=0)
    table.loc["new", "lost"] = 0
    table["total"] = table.sum(axis=1)
    table.loc["total"] = table.sum(axis=0)
    out = table.astype("int64").rename_axis(index=None, columns=None).reset_index(names="tier_start")
    out["tier_start"] = out["tier_start"].astype("str")
    return out


def balances(customers: pd.DataFrame) -> pd.DataFrame:
    """Per customer type and tier (and per type in all), customers and balances at start and end."""
    parts = []
    for when in ("start", "end"):
        present = customers[customers[f"in_{when}"].to_numpy()]
        frame = pd.DataFrame({"kind": present["kind"].astype("str"), "tier": present[f"tier_{when}"].astype("str"),
                              "deposit": present[f"deposit_{when}"], "loan": present[f"loan_{when}"]})
        both = pd.concat([frame, frame.assign(tier="all")], ignore_index=True)
        grouped = both.groupby(["kind", "tier"]).agg(customers=("deposit", "size"), deposit=("deposit", "sum"),
                                                     loan=("loan", "sum"))
        parts.append(grouped.add_suffix(f"_{when}"))
    out = parts[0].join(parts[1], how="outer").fillna(0.0).reset_index()
    for column in ("customers_start", "customers_end"):
        out[column] = out[column].astype("int64")
    out["customers_change"] = out["customers_end"] - out["customers_start"]
    out["deposit_change"] = out["deposit_end"] - out["deposit_start"]
    out["loan_change"] = out["loan_end"] - out["loan_start"]
    order = out.assign(_k=out["kind"].map({k: i for i, k in enumerate(KINDS)}).fillna(9),
                       _t=out["tier"].map({**_RANK, "all": 9}).fillna(8))
    out = out.loc[order.sort_values(["_k", "kind", "_t"], kind="stable").index].reset_index(drop=True)
    return out[["kind", "tier", "customers_start", "customers_end", "customers_change", "deposit_start",
                "deposit_end", "deposit_change", "loan_start", "loan_end", "loan_change"]]


def branch_summary(customers: pd.DataFrame) -> pd.DataFrame:
    """Per branch (the customer's branch at the end, else at the start): customers, moves and deposits."""
    frame = customers.assign(branch=customers["branch"].fillna("").astype("str"))
    by = frame.groupby("branch", sort=True)
    moves = pd.crosstab(frame["branch"], frame["movement"]).reindex(
        columns=["new", "lost", "upgraded", "downgraded"], fill_value=0)
    out = pd.DataFrame({"customers_start": by["in_start"].sum(), "customers_end": by["in_end"].sum()})
    out = out.join(moves).fillna(0).astype("int64")
    out["deposit_start"] = by["deposit_start"].sum()
    out["deposit_end"] = by["deposit_end"].sum()
    out["deposit_change"] = out["deposit_end"] - out["deposit_start"]
    return out.rename_axis("branch").reset_index()


def trend(snapshots: dict[pd.Period, pd.DataFrame]) -> pd.DataFrame:
    """Per snapshot month: customers by tier and balances."""
    rows = []
    for month in sorted(snapshots):
        frame = snapshots[month]
        counts = frame["tier"].astype("str").value_counts()
        rows.append({"month": str(month), "customers": len(frame), **{t: int(counts.get(t, 0)) for t in TIERS},
                     "deposit": float(frame["deposit"].sum()), "loan": float(frame["loan"].sum())})
    return pd.DataFrame(rows, columns=["month", "customers", *TIERS, "deposit", "loan"])


def coverage(customers: pd.DataFrame, visits_known: bool) -> pd.DataFrame:
    """Per tier at the quarter's end: customers, with a keeper, visited in the quarter, and the shares."""
    end = customers[customers["in_end"].to_numpy()]
    frame = pd.DataFrame({"tier": end["tier_end"].astype("str"), "kept": end["keeper_end"].notna().to_numpy(),
                          "visited": end["visited"].to_numpy()})
    both = pd.concat([frame, frame.assign(tier="all")], ignore_index=True)
    out = both.groupby("tier").agg(customers=("kept", "size"), kept=("kept", "sum"), visited=("visited", "sum"))
    out = out.reindex(TIERS + ["all"], fill_value=0).rename_axis("tier").reset_index()
    out["keeper_coverage"] = out["kept"] / out["customers"].where(out["customers"] > 0)
    out["visit_coverage"] = out["visited"] / out["customers"].where(out["customers"] > 0)
    if not visits_known:
        out["visited"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["visit_coverage"] = np.nan
    out = out.astype({"customers": "int64", "kept": "int64"})
    return out[["tier", "customers", "kept", "keeper_coverage", "visited", "visit_coverage"]]


KEEPER_COLUMNS = ["branch", "keeper", "keeper_name", "keeper_role", "customers_start", "customers_end", "new",
                  "lost", "upgraded", "downgraded", "high_start", "high_end", "deposit_start", "deposit_end",
                  "deposit_change", "loan_start", "loan_end", "loan_change", "visits", "high_visited",
                  "high_visit_coverage"]


def keeper_effect(customers: pd.DataFrame, visits: pd.DataFrame | None, staff: pd.DataFrame | None) -> pd.DataFrame:
    """客户关系管理效果统计表: one row per keeper (at start or end) or visitor, in branch and staff-id order,
    then per branch a row of the customers nobody kept (keeper empty), so every column sums to the
    quarter's totals."""
    end = customers[customers["in_end"].to_numpy()]
    new = end[end["movement"].eq("new").to_numpy()]
    owners = _Owners(customers["keeper_start"], customers["keeper_end"], new["marketer"].fillna(new["keeper_end"]))
    out = _effect(customers, owners)
    if visits is not None and len(visits):
        out = out.join(visits.groupby(visits["staff_id"].astype("str")).size().rename("visits"), how="outer")
    out = out.rename_axis("keeper").reset_index()
    out = _with_people(out, staff, customers)
    unkept = _unkept_effect(customers, new)
    if len(unkept):
        out = pd.concat([out, unkept], ignore_index=True)
    out = _effect_types(out, visits)
    return out.sort_values(["branch", "keeper"], kind="stable", na_position="last").reset_index(drop=True)[
        KEEPER_COLUMNS]


@dataclass
class _Owners:
    """Who a customer's figures belong to: at the start, at the end, and (new customers) who won it."""

    start: pd.Series
    end: pd.Series
    new: pd.Series


def _effect(customers: pd.DataFrame, owners: _Owners) -> pd.DataFrame:
    """The effect figures per owner (rows whose owner is null are left out, as groupby does)."""
    start = customers[customers["in_start"].to_numpy()]
    end = customers[customers["in_end"].to_numpy()]
    lost = start[start["movement"].eq("lost").to_numpy()]
    at_start, at_end = owners.start[start.index], owners.end[end.index]
    by_start, by_end = start.groupby(at_start), end.groupby(at_end)
    moved = {m: end[end["movement"].eq(m).to_numpy()] for m in ("upgraded", "downgraded")}
    parts = {
        "customers_start": by_start.size(), "customers_end": by_end.size(),
        "new": owners.new.groupby(owners.new).size(), "lost": lost.groupby(owners.start[lost.index]).size(),
        **{m: f.groupby(owners.end[f.index]).size() for m, f in moved.items()},
        "high_start": start["tier_start"].eq("high").groupby(at_start).sum(),
        "high_end": end["tier_end"].eq("high").groupby(at_end).sum(),
        "deposit_start": by_start["deposit_start"].sum(), "deposit_end": by_end["deposit_end"].sum(),
        "loan_start": by_start["loan_start"].sum(), "loan_end": by_end["loan_end"].sum(),
        "high_visited": (end["tier_end"].eq("high") & end["visited"]).groupby(at_end).sum(),
    }
    out = pd.DataFrame({k: v.rename(k) for k, v in parts.items()})
    out.index = out.index.astype("str")
    return out


def _unkept_effect(customers: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Per branch (the customer's), the figures of customers without keeper (new ones: without marketer or
    keeper); keeper, name and role empty."""
    branch = customers["branch"].fillna("").astype("str")
    owners = _Owners(branch.where(customers["keeper_start"].isna()), branch.where(customers["keeper_end"].isna()),
                     branch[new.index].where(new["marketer"].fillna(new["keeper_end"]).isna()))
    out = _effect(customers, owners)
    if out.empty:
        return out
    out = out.rename_axis("branch").reset_index()
    out["branch"] = out["branch"].replace("", pd.NA)
    for column in ("keeper", "keeper_name", "keeper_role"):
        out[column] = pd.Series(pd.NA, index=out.index, dtype="str")
    return out


def _effect_types(out: pd.DataFrame, visits: pd.DataFrame | None) -> pd.DataFrame:
    """Counts as integers, money as floats, the changes and the high-tier visit coverage computed."""
    out = out.reindex(columns=KEEPER_COLUMNS)
    counts = [c for c in out.columns if c not in ("branch", "keeper", "keeper_name", "keeper_role")
              and not c.startswith(("deposit", "loan", "high_visit_coverage"))]
    out[counts] = out[counts].fillna(0).astype("int64")
    money = [c for c in out.columns if c.startswith(("deposit", "loan"))]
    out[money] = out[money].fillna(0.0).astype("float64")
    out["deposit_change"] = out["deposit_end"] - out["deposit_start"]
    out["loan_change"] = out["loan_end"] - out["loan_start"]
    out["high_visit_coverage"] = out["high_visited"] / out["high_end"].where(out["high_end"] > 0)
    if visits is None:
        out["visits"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["high_visited"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["high_visit_coverage"] = np.nan
    return out


def _with_people(frame: pd.DataFrame, staff: pd.DataFrame | None, customers: pd.DataFrame) -> pd.DataFrame:
    """Name, role and branch of each keeper from the staff list (branch else from their customers)."""
    if staff is not None and len(staff):
        people = staff.assign(staff_id=staff["staff_id"].astype("str")).drop_duplicates("staff_id")
        people = people.set_index("staff_id")
        frame["keeper_name"] = frame["keeper"].map(people["name"])
        frame["keeper_role"] = frame["keeper"].map(people["role"])
        frame["branch"] = frame["keeper"].map(people["branch"])
    else:
        for column in ("keeper_name", "keeper_role", "branch"):
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="str")
    kept = customers.dropna(subset=["keeper_end"]).drop_duplicates("keeper_end").set_index("keeper_end")["branch"]
    frame["branch"] = frame["branch"].fillna(frame["keeper"].map(kept))
    return frame


def _visits_in(visits: pd.DataFrame | None, quarter: pd.Period, rules: Rules) -> pd.DataFrame | None:
    """The visit records of the quarter whose kind counts as a visit (``plan.visit_kinds``; no kind counts)."""
    if visits is None:
        return None
    dates = pd.to_datetime(visits["visit_date"], errors="coerce")
    inside = (dates >= quarter.start_time) & (dates <= quarter.end_time)
    kind = visits["kind"] if "kind" in visits else pd.Series(pd.NA, index=visits.index)
    counted = kind.isna() | kind.isin(rules.plan.visit_kinds)
    return visits[(inside & counted).to_numpy()]


def _visited(visits: pd.DataFrame | None, end: pd.DataFrame) -> pd.Index:
    """Ids of the end snapshot's customers with a visit: by customer id, else by their unique name.

    A visit record names its customer by id (``customer_id``) or by name (``customer_name``); names meet
    as ``people.customer_key`` reads them (padding, full-width brackets and letters, case).
    """
    if visits is None or visits.empty:
        return pd.Index([], dtype="str")
    ids = pd.Index(end["customer_id"])
    names = customer_key(end["name"])
    unique = names[~names.duplicated(keep=False) & names.notna()]
    by_name = pd.Series(end.loc[unique.index, "customer_id"].to_numpy(), index=unique.to_numpy())
    said_id = visits["customer_id"].astype("str").str.strip() if "customer_id" in visits else None
    said_name = customer_key(visits["customer_name"]) if "customer_name" in visits else None
    matched = pd.Series(pd.NA, index=visits.index, dtype="str")
    if said_name is not None:
        matched = said_name.map(by_name).astype("str")
    if said_id is not None:
        matched = said_id.where(said_id.isin(ids), matched)
    return pd.Index(matched.dropna().unique())


def _listed(customers: pd.DataFrame, movement: str, when: str, staff: pd.DataFrame | None) -> pd.DataFrame:
    rows = customers[customers["movement"].eq(movement).to_numpy()]
    keeper = rows[f"keeper_{when}"] if movement != "new" else rows["marketer"].fillna(rows["keeper_end"])
    out = pd.DataFrame({"branch": rows["branch"], "customer_id": rows["customer_id"], "name": rows["name"],
                        "kind": rows["kind"], "tier": rows[f"tier_{when}"], "keeper": keeper,
                        "deposit": rows[f"deposit_{when}"], "loan": rows[f"loan_{when}"]})
    names = (staff.assign(staff_id=staff["staff_id"].astype("str")).drop_duplicates("staff_id")
             .set_index("staff_id")["name"] if staff is not None else pd.Series(dtype="str"))
    out.insert(6, "keeper_name", out["keeper"].map(names))
    return out.sort_values(["branch", "deposit", "customer_id"], ascending=[True, False, True],
                           kind="stable").reset_index(drop=True)
