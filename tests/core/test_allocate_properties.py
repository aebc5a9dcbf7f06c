"""Invariants of the allocation over generated branches (hypothesis).

Every in-scope customer exactly once, with an active keeper of its branch;
nobody over capacity unless everyone eligible is full; loan customers only
with leadership or the RM of their kind; a strictly higher-priority claim
always wins; the same input gives the same bytes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from branchkit.core.allocate import allocate
from branchkit.core.distribute import route_of
from branchkit.core.network import concrete_steps
from branchkit.rules import ROLE_KEYS, load_rules

RULES = load_rules()
A = RULES.allocation
RANK = A.claim_rank()
BRANCHES = ["城东支行", "城西支行", "南关支行"]
AMOUNTS = [0.0, 10.0, 49_999.0, 50_000.0, 99_999.0, 100_000.0, 499_999.0, 500_000.0, 999_999.0, 1_000_000.0,
           2_000_000.0, 3.5e7]


@st.composite
def networks(draw):
    n_branches = draw(st.integers(1, 3))
    staff_rows, customer_rows = [], []
    for b in range(n_branches):
        branch = BRANCHES[b]
        staff_rows.append((f"{b}H", "head", "active", branch))
        for i in range(draw(st.integers(0, 9))):
            role = draw(st.sampled_from(ROLE_KEYS))
            state = draw(st.sampled_from(["active"] * 4 + ["on_leave", "left"]))
            staff_rows.append((f"{b}S{i}", role, state, branch))
    ids = [s[0] for s in staff_rows]
    n_customers = draw(st.integers(0, 40))
    for i in range(n_customers):
        customer_rows.append({
            "customer_id": f"C{i:03d}", "name": f"客户{i}", "branch": BRANCHES[draw(st.integers(0, n_branches - 1))],
            "kind": draw(st.sampled_from(["corporate", "retail", "agri"])),
            "deposit": draw(st.sampled_from(AMOUNTS)), "loan": draw(st.sampled_from([0.0, 0.0, 0.0, 1e4, 6e5, 3e6])),
            "status": draw(st.sampled_from(["existing"] * 5 + ["target"])),
            "scale": draw(st.sampled_from([None, "large", "medium", "small", "micro"])),
            "keeper": draw(st.one_of(st.none(), st.sampled_from(ids))),
        })
    customer_ids = [c["customer_id"] for c in customer_rows]
    claims, previous = [], []
    if customer_ids:
        for _ in range(draw(st.integers(0, 30))):
            claims.append({"staff_id": draw(st.sampled_from(ids)), "customer_id": draw(st.sampled_from(customer_ids)),
                           "locked": draw(st.sampled_from([False] * 6 + [True]))})
        for cid in draw(st.lists(st.sampled_from(customer_ids), unique=True, max_size=len(customer_ids))):
            previous.append({"customer_id": cid, "keeper": draw(st.sampled_from(ids + ["离职的人"])),
                             "locked": draw(st.sampled_from([False] * 5 + [True]))})
    staff = pd.DataFrame(staff_rows, columns=["staff_id", "role", "state", "branch"]).assign(
        name=lambda f: "员工" + f["staff_id"])
    customers = pd.DataFrame(customer_rows, columns=["customer_id", "name", "branch", "kind", "deposit", "loan",
                                                     "status", "scale", "keeper"])
    claims = pd.DataFrame(claims, columns=["staff_id", "customer_id", "locked"])
    previous = pd.DataFrame(previous, columns=["customer_id", "keeper", "locked"])
    return customers, staff, claims, previous


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _run(net):
    customers, staff, claims, previous = net
    return allocate(customers, staff, RULES, claims=claims, previous=previous)


@SETTINGS
@given(networks())
def test_every_customer_once_with_an_active_keeper_of_its_branch(net):
    customers, staff, _, _ = net
    alloc = _run(net).allocation
    assert sorted(alloc["customer_id"]) == sorted(customers["customer_id"])
    people = staff.set_index("staff_id")
    existing = alloc[alloc["status"] == "existing"]
    assert existing["keeper"].notna().all(), existing[existing["keeper"].isna()][["customer_id", "reason"]]
    placed = alloc[alloc["keeper"].notna()]
    assert (placed["keeper"].map(people["branch"]).to_numpy() == placed["branch"].to_numpy()).all()
    assert (placed["keeper"].map(people["state"]) != "left").all()
    new = placed[placed["source"].isin(["claim", "distributed", "spill"])
                 | ((placed["source"] == "target") & (placed["previous_keeper"] != placed["keeper"]))]
    assert (new["keeper"].map(people["state"]) == "active").all()
    assert set(placed.loc[placed["over_capacity"], "reason"]) <= {"all_eligible_full"}


@SETTINGS
@given(networks())
def test_loan_customers_only_with_leadership_or_the_rm_of_their_kind(net):
    alloc = _run(net).allocation
    loans = alloc[(alloc["loan"] > 0) & (alloc["status"] == "existing") & alloc["keeper"].notna()]
    allowed = loans["kind"].map(A.rm_for_kind)
    ok = loans["keeper_role"].isin(A.loan_keeper_roles) | (loans["keeper_role"] == allowed)
    assert ok.all(), loans[~ok][["customer_id", "kind", "keeper_role", "source"]]


@SETTINGS
@given(networks())
def test_nobody_over_capacity_unless_everyone_eligible_is_full(net):
    customers, staff, _, _ = net
    alloc = _run(net).allocation
    existing = alloc[(alloc["status"] == "existing") & alloc["keeper"].notna()]
    count = existing.groupby(["keeper", "tier"]).size()
    people = staff.set_index("staff_id")

    def cap(sid, tier):
        role = people.loc[sid, "role"]
        return getattr(A.capacity[role], tier) if role in A.capacity else 0

    dealt = existing[existing["source"].isin(["distributed", "spill"]) & ~existing["over_capacity"]]
    for sid, tier in set(zip(dealt["keeper"], dealt["tier"])):
        assert count[(sid, tier)] <= cap(sid, tier)
    over = existing[existing["over_capacity"]]
    if over.empty:
        return
    routes = route_of(over, over["loan"].to_numpy() > 0, A)
    for (_, c), route in zip(over.iterrows(), routes):
        steps = concrete_steps(A.routes[route].roles, A.rm_for_kind[c["kind"]], c["loan"] > 0, A)
        roles = {r for step in steps for r in step}
        lane = people[(people["branch"] == c["branch"]) & (people["state"] == "active") & people["role"].isin(roles)]
        for sid in lane.index:
            if cap(sid, c["tier"]) > 0:
                assert count.get((sid, c["tier"]), 0) >= cap(sid, c["tier"])


@SETTINGS
@given(networks())
def test_a_strictly_higher_priority_claim_always_wins(net):
    customers, staff, claims, previous = net
    alloc = _run(net).allocation.set_index("customer_id")
    people = staff.set_index("staff_id")
    locked = set(claims.loc[claims["locked"], "customer_id"]) | set(previous.loc[previous["locked"], "customer_id"])
    for cid, group in claims.groupby("customer_id"):
        c = alloc.loc[cid]
        if cid in locked or c["status"] != "existing":
            continue
        valid = group[group["staff_id"].map(people["branch"]).eq(c["branch"])
                      & group["staff_id"].map(people["state"]).eq("active")]
        roles = valid["staff_id"].map(people["role"])
        loan_ok = (roles.isin(A.loan_keeper_roles) | (roles == A.rm_for_kind[c["kind"]])) if c["loan"] > 0 else \
            pd.Series(True, index=valid.index)
        valid = valid[loan_ok.to_numpy()]
        if valid.empty:
            continue
        ranks = valid["staff_id"].map(people["role"]).map(RANK)
        best = ranks.min()
        winners = set(valid.loc[ranks == best, "staff_id"])
        if len(winners) > 1 or (ranks > best).sum() != len(ranks) - (ranks == best).sum():
            continue
        before = c["previous_keeper"]
        before_rank = RANK.get(people["role"].get(before), np.inf) if before in people.index else np.inf
        if best < before_rank:
            assert c["keeper"] == next(iter(winners)), (cid, c["keeper"], winners)


@SETTINGS
@given(networks())
def test_same_input_same_bytes(net):
    first, second = _run(net), _run(net)
    for name in ("allocation", "changes", "declined", "conflicts", "keepers", "segments", "targets", "balance"):
        assert getattr(first, name).to_csv(index=False) == getattr(second, name).to_csv(index=False)
