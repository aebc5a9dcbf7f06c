"""Pools of equal-rank staff and the spread of weighted load within them (DOMAIN §3, issue 19).

A pool is a group of ``allocation.equal_rank`` (head with deputies,
low-counter with comprehensive tellers, lobby manager with guides); every
other role is a pool of its own (each RM kind, high-counter tellers). Within
a branch, a pool's members are its active staff (staff on leave keep their
customers but receive none, so they are not balanced). A pool is balanced
only when it has two members or more and one of its roles may keep some tier
(a capacity above 0): the others' loads cannot be changed by distribution.

The **spread** of a pool is its highest weighted load minus its lowest; the
spread of a branch is the sum over its pools, so a unit of imbalance counts
the same in every pool and a move budget goes where it removes most of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from branchkit.core.network import ROLES, Staff
from branchkit.rules import AllocationRules


@dataclass
class Pools:
    """The pools of the rules: each role's pool code, and each pool's roles and key."""

    of_role: np.ndarray           # pool code per role code (len(ROLES) + 1: unknown role -> -1)
    roles: list[tuple[str, ...]]
    balanced: np.ndarray          # per pool: some role of it may keep some tier

    @classmethod
    def of(cls, rules: AllocationRules, capacity: np.ndarray) -> "Pools":
        """Pools from ``equal_rank`` (a role in two groups stays in the first) and the roles left alone."""
        groups: list[tuple[str, ...]] = []
        taken: set[str] = set()
        for group in rules.equal_rank:
            roles = tuple(r for r in dict.fromkeys(group) if r not in taken and r in ROLES)
            if roles:
                groups.append(roles)
                taken |= set(roles)
        groups += [(r,) for r in ROLES if r not in taken]
        of_role = np.full(len(ROLES) + 1, -1, dtype="int64")
        index = {r: i for i, r in enumerate(ROLES)}
        for p, roles in enumerate(groups):
            of_role[[index[r] for r in roles]] = p
        receives = capacity[:len(ROLES)].max(axis=1) > 0
        balanced = np.array([receives[[index[r] for r in roles]].any() for roles in groups], dtype=bool)
        return cls(of_role, groups, balanced)

    def key(self, pool: int) -> str:
        """The pool's key in outputs: its roles joined by '+' (``head+deputy``)."""
        return "+".join(self.roles[pool])

    def members(self, people: Staff, branches: np.ndarray) -> np.ndarray:
        """Each person's pool code if they are balanced in it (active, of a listed branch), else -1."""
        pool = self.of_role[people.role]
        here = np.isin(people.branch, branches)
        ok = people.receives & here & (pool >= 0)
        ok &= self.balanced[np.maximum(pool, 0)] if len(self.roles) else False
        pool = np.where(ok, pool, -1)
        # A pool of a single member in its branch has nothing to balance.
        key = np.where(pool >= 0, people.branch * len(self.roles) + pool, -1)
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        return np.where((pool >= 0) & (counts[inverse] >= 2), pool, -1)


__all__ = ["Pools"]
