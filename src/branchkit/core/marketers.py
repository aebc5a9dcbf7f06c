"""Who markets it keeps it (谁营销谁维护, DOMAIN §3): a customer goes to its marketer before distribution.

DOMAIN's distribution sends "mid-high/mid customers *without a marketer*" to
relationship managers: a customer with a marketer (the customer list's 营销人)
is kept by that marketer. It applies to the customers distribution would
place (existing, in scope, no current keeper that stays, no winning claim)
that meet one of ``allocation.marketer_keeps`` (the rules file; [] turns it
off). The marketer keeps the customer when active staff of its branch (not
on leave) in a role the customer's route may give it to: a step of the route
(the RM of its kind for "rm"; for a loan customer only the roles the hard
rule allows), with capacity above 0 for its tier. So the marketer chooses
who among the roles that keep such customers keeps this one; a retail
mid-high customer marketed by a teller still gets the one-to-one upkeep of
an RM or the head (DOMAIN §3). As with claims, the count of the marketer's
capacity does not bind: the relationship is the reason. The customer is then
``distributed`` with reason ``marketer_keeps``; when the marketer cannot keep
it, the customer is distributed by its route as usual and the reason says
why not.
"""

from __future__ import annotations

import numpy as np

from branchkit.core.distribute import Placement, Pool, meets_any, route_at
from branchkit.core.network import KINDS, NONE, ROLES, UNKNOWN, Customers, Matrices, Staff, concrete_steps, lookup
from branchkit.rules import AllocationRules

#: The reason of a customer its marketer keeps.
KEEPS = "marketer_keeps"


def give_to_marketers(book: Customers, people: Staff, todo: np.ndarray, pool: Pool, rules: AllocationRules,
                      m: Matrices, out: Placement) -> tuple[np.ndarray, np.ndarray]:
    """Give the customers of ``todo`` the rule covers to their marketer where it may keep them (in place, the
    pool counting them). Returns the positions left to distribute and, per customer, why its marketer could
    not keep it (None: no marketer, the rule does not cover it, or the marketer keeps it)."""
    why = np.full(len(book), None, dtype=object)
    if not rules.marketer_keeps or not len(todo) or "marketer" not in book.frame:
        return todo, why
    at = todo[meets_any(book, todo, rules.marketer_keeps)]
    marketer = book.frame["marketer"].iloc[at]
    spos = lookup(marketer, people.index)
    spos[marketer.astype("str").str.strip().eq("").fillna(False).to_numpy(dtype=bool)] = NONE
    reason = _cannot(book, people, at, spos, rules, m)
    named = spos != NONE
    ok = named & (reason == KEEPS)
    why[at[named & ~ok]] = reason[named & ~ok]
    pos, staff = at[ok], spos[ok]
    out.put(pos, staff, "distributed", KEEPS)
    np.add.at(pool.load, staff, book.weight[pos])
    np.add.at(pool.count, (book.tier[pos], staff), 1)
    return np.setdiff1d(todo, pos, assume_unique=True), why


def kept_by_marketer(book: Customers, people: Staff, keeper: np.ndarray, rules: AllocationRules) -> np.ndarray:
    """Customers the rule covers whose keeper is their marketer: a rebalance leaves them with it, as it leaves
    claimed ones (the relationship is the reason, this month or any later one)."""
    out = np.zeros(len(book), dtype=bool)
    at = np.flatnonzero(keeper >= 0)
    if not rules.marketer_keeps or not len(at) or "marketer" not in book.frame:
        return out
    at = at[meets_any(book, at, rules.marketer_keeps)]
    out[at] = lookup(book.frame["marketer"].iloc[at], people.index) == keeper[at]
    return out


def _cannot(book: Customers, people: Staff, at: np.ndarray, spos: np.ndarray, rules: AllocationRules,
            m: Matrices) -> np.ndarray:
    """Why each marketer (staff position, NONE or UNKNOWN) cannot keep its customer; ``KEEPS`` when it can."""
    known = spos >= 0
    s = np.maximum(spos, 0)
    none = len(ROLES)
    role = np.where(known, people.role[s], none) if len(people.role) else np.full(len(at), none)
    here = known & (people.branch[s] == book.branch[at]) if len(people.branch) else np.zeros(len(at), bool)
    state = np.where(known, people.state[s], -1) if len(people.state) else np.full(len(at), -1)
    kind, tier = np.maximum(book.kind[at], 0), np.maximum(book.tier[at], 0)
    route = route_at(book, at, rules)
    on_route = _route_roles(rules, m)[np.maximum(route, 0), kind, book.has_loan[at].astype("int64"), role]
    return np.select(
        [spos == UNKNOWN, ~here, state == 2, state == 1, book.has_loan[at] & ~m.loan_ok[kind, role],
         (route < 0) | ~on_route | (m.capacity[role, tier] <= 0)],
        ["marketer_unknown", "marketer_other_branch", "marketer_left", "marketer_on_leave", "marketer_loan_needs_rm",
         "marketer_not_on_route"], KEEPS).astype(object)


def _route_roles(rules: AllocationRules, m: Matrices) -> np.ndarray:
    """[route, customer kind, has loan, role]: the role is a step of the route for such a customer (the RM of
    its kind for "rm"; for a loan customer only the roles the hard rule allows)."""
    table = np.zeros((max(len(rules.routes), 1), len(KINDS), 2, len(ROLES) + 1), dtype=bool)
    for r, route in enumerate(rules.routes):
        for k in range(len(KINDS)):
            for loan in (0, 1):
                for step in concrete_steps(route.roles, ROLES[m.rm[k]], bool(loan), rules):
                    table[r, k, loan, [ROLES.index(role) for role in step]] = True
    return table


__all__ = ["KEEPS", "give_to_marketers", "kept_by_marketer"]
