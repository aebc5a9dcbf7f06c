"""The visit records on their own: are they filled in, and who is overdue for a visit (DOMAIN §5).

Completeness: a visit record (目标客户拓展记录表) has a before part (purpose, who to talk to,
needs, objections, approach), a during part (who was met, information, goal reached, next step,
actions) and an after part (the head's comment); ``[plan.completeness]`` lists the fields of
each. A record with any field of a part empty is incomplete in that part.

Cadence: ``[plan.cadence_days]`` gives the most days allowed between visits per relationship tier.
A customer is overdue when the as-of date is more than that after its last visit (any kind of
visit, by anyone). A customer never visited counts from the later of its opening date and the
first day the records cover, so a record of one month never calls a general-tier customer
overdue. Tiers come from the customer list (DOMAIN §2); without one, every customer is general.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.rules import RelationshipTiers, VisitCompleteness

PARTS = ("before", "during", "after")
TIER_ORDER = {"high": 0, "mid": 1, "general": 2}


def staff_names(staff: pd.DataFrame | None, ids: pd.Series) -> pd.DataFrame:
    """staff_id, staff_name, branch for each id: from the staff list, else the reference as written."""
    ids = pd.Series(ids.dropna().unique(), dtype="str", name="staff_id")
    out = pd.DataFrame({"staff_id": ids})
    if staff is not None and len(staff):
        known = staff.drop_duplicates("staff_id").set_index("staff_id")
        out["staff_name"] = ids.map(known["name"]).fillna(ids).astype("str")
        out["branch"] = ids.map(known["branch"]).astype("str")
    else:
        out["staff_name"] = ids
        out["branch"] = pd.Series(pd.NA, index=ids.index, dtype="str")
    return out


def completeness(visits: pd.DataFrame, window, parts: VisitCompleteness,
                 staff: pd.DataFrame | None) -> pd.DataFrame:
    """Per visitor, the month's visit records up to the as-of date: how many are complete, how many
    lack something in each part, and how often each field is empty (``empty_<field>``)."""
    inside = visits[(visits["visit_date"] >= window.start) & (visits["visit_date"] <= window.as_of)]
    fields = list(dict.fromkeys(f for part in PARTS for f in getattr(parts, part)))
    empty = pd.DataFrame({f: _empty(inside[f]) if f in inside else True for f in fields}, index=inside.index)
    flags = pd.DataFrame({"staff_id": inside["staff_id"], "visits": 1}, index=inside.index)
    lacking = pd.Series(False, index=inside.index)
    for part in PARTS:
        names = getattr(parts, part)
        flags[f"{part}_incomplete"] = empty[names].any(axis=1) if names else False
        lacking |= flags[f"{part}_incomplete"]
    flags["complete"] = ~lacking
    for f in fields:
        flags[f"empty_{f}"] = empty[f]
    counts = flags.groupby("staff_id", sort=True).sum().astype("int64").reset_index()
    counts["completeness"] = (counts["complete"] / counts["visits"]).astype("float64")
    out = staff_names(staff, counts["staff_id"]).merge(counts, on="staff_id")
    head = ["staff_id", "staff_name", "branch", "visits", "complete", "completeness"]
    return out[head + [f"{p}_incomplete" for p in PARTS] + [f"empty_{f}" for f in fields]]


def _empty(values: pd.Series) -> pd.Series:
    if values.dtype == "str" or values.dtype == object:
        return values.isna() | (values.astype("str").str.strip() == "")
    return values.isna()


def relationship_tiers(customers: pd.DataFrame, thresholds: RelationshipTiers) -> pd.Series:
    """high / mid / general per customer (DOMAIN §2): a ``tier`` column when the list has one,
    else from deposits and loans.

    A stand-in for the shared tiering of ``core.tiers``; swap it in here when that lands.
    """
    deposit = customers["deposit"].fillna(0.0) if "deposit" in customers else 0.0
    loan = customers["loan"].fillna(0.0) if "loan" in customers else 0.0
    high = (deposit >= thresholds.high_min_deposit) | (loan >= thresholds.high_min_loan)
    mid = (deposit >= thresholds.mid_min_deposit) | (loan >= thresholds.mid_min_loan)
    computed = pd.Series(np.select([high, mid], ["high", "mid"], "general"), index=customers.index, dtype="str")
    if "tier" in customers:
        return customers["tier"].astype("str").where(customers["tier"].isin(list(TIER_ORDER)), computed)
    return computed


def overdue(visits: pd.DataFrame, customers: pd.DataFrame | None, who: pd.DataFrame, as_of: pd.Timestamp,
            cadence: dict[str, int], tiers: RelationshipTiers, staff: pd.DataFrame | None) -> pd.DataFrame:
    """Customers whose last visit is longer ago than their tier's cadence, most overdue first.

    ``visits`` carry ``ckey`` (see ``core.plan.match_customers``); ``who`` names the customers of
    the plan and the visits (ckey, customer_id, customer), the universe when there is no list.
    """
    seen = visits[visits["visit_date"] <= as_of]
    universe = _universe(customers, who, tiers)
    key = seen["customer_id"] if customers is not None else seen["ckey"]
    last = seen.assign(okey=key).dropna(subset=["okey"]).sort_values(["visit_date", "staff_id"], kind="stable")
    last = last.groupby("okey").tail(1).set_index("okey")
    at = last.reindex(universe["okey"].to_numpy())
    out = universe.assign(last_visit=at["visit_date"].astype("datetime64[s]").to_numpy(),
                          last_visitor=at["staff_id"].astype("str").to_numpy())
    start = seen["visit_date"].min() if len(seen) else pd.NaT
    out["cadence_days"] = out["tier"].map(cadence).fillna(0).astype("int64")
    since = out["open_date"].where(out["open_date"] > start, start) if pd.notna(start) else out["open_date"]
    reference = out["last_visit"].fillna(since)
    due = reference + pd.to_timedelta(out["cadence_days"], unit="D")
    late = (out["cadence_days"] > 0) & reference.notna() & (as_of > due)
    out["days_since_visit"] = (as_of - out["last_visit"]).dt.days.astype("Int64")
    out["overdue_days"] = (as_of - due).dt.days.astype("Int64")
    out = out[late.to_numpy()].copy()
    names = staff_names(staff, pd.concat([out["last_visitor"], out["keeper"]])).set_index("staff_id")["staff_name"]
    out["last_visitor_name"] = out["last_visitor"].map(names).astype("str")
    out["keeper_name"] = out["keeper"].map(names).astype("str")
    out = out.sort_values(["overdue_days", "customer_id"], ascending=[False, True], kind="stable")
    out = out.sort_values("tier", key=lambda t: t.map(TIER_ORDER), kind="stable")
    return out[["customer_id", "customer", "tier", "cadence_days", "last_visit", "days_since_visit",
                "overdue_days", "last_visitor", "last_visitor_name", "keeper", "keeper_name",
                "branch"]].reset_index(drop=True)


def _universe(customers: pd.DataFrame | None, who: pd.DataFrame, tiers: RelationshipTiers) -> pd.DataFrame:
    """The customers watched: the customer list with tiers, else every customer of plan and visits."""
    if customers is not None:
        listed = customers.dropna(subset=["customer_id"]).drop_duplicates("customer_id")
        return pd.DataFrame({
            "okey": listed["customer_id"], "customer_id": listed["customer_id"],
            "customer": listed["name"].astype("str"), "tier": relationship_tiers(listed, tiers),
            "keeper": listed["keeper"].astype("str"), "branch": listed["branch"].astype("str"),
            "open_date": listed["open_date"].astype("datetime64[s]"),
        })
    return pd.DataFrame({
        "okey": who["ckey"], "customer_id": who["customer_id"], "customer": who["customer"],
        "tier": pd.Series("general", index=who.index, dtype="str"),
        "keeper": pd.Series(pd.NA, index=who.index, dtype="str"),
        "branch": pd.Series(pd.NA, index=who.index, dtype="str"),
        "open_date": pd.Series(pd.NaT, index=who.index, dtype="datetime64[s]"),
    })
