"""The decision path of one customer (``allocate --explain``), recomputed on its branch alone.

Allocation keeps branches apart, so allocating the customer's branch alone
gives that customer exactly what the whole network gives it. That run
carries a ``Trace`` (``core.allocate.trace_customer``): the distribution steps note, for the traced customer
only, each step of its route with every candidate's load, customers of the
tier and capacity at the customer's turn, and where it went. The
whole-network path passes no trace and pays nothing for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd


if TYPE_CHECKING:
    from branchkit.core.allocation_tables import State
    from branchkit.core.distribute import Pool


@dataclass
class Step:
    """One step of the route as the customer met it."""

    roles: tuple[str, ...]
    members: np.ndarray        # staff positions of the branch in the step
    load: np.ndarray           # their weighted load at the customer's turn
    count: np.ndarray          # their customers of the customer's tier then
    capacity: np.ndarray       # their capacity for that tier
    chosen: int                # the member it went to at this step, -1 if none


@dataclass
class Trace:
    """What one customer met on its way; filled by the allocation steps when given."""

    customer_id: str
    position: int = -1
    steps: list[Step] = field(default_factory=list)
    exact: bool = False                       # the branch was distributed again exactly (capacities bind)
    state: "State | None" = None
    gone: object = None                       # why the current keeper could not keep it
    marketer: object = None                   # why its marketer could not keep it (core.marketers)
    claims: pd.DataFrame | None = None        # the claim rows naming the customer
    previous: pd.DataFrame | None = None      # last month's rows of the customer

    def bind(self, customer_ids: pd.Series) -> None:
        """Find the customer's position in the branch's customer list."""
        found = np.flatnonzero(customer_ids.astype("str").to_numpy() == self.customer_id)
        self.position = int(found[0]) if len(found) else -1

    def dealt(self, roles: tuple[str, ...], members: np.ndarray, pool: "Pool", tier: int, weight: float,
              items: np.ndarray, branch: np.ndarray, got: np.ndarray, taken: np.ndarray) -> None:
        """Note a greedy step of a batch holding the customer: candidates at its turn and who took it."""
        where = np.flatnonzero(items == self.position)
        if not len(where):
            return
        i = int(where[0])
        mine = branch[items] == branch[self.position]
        here = members[pool.staff.branch[members] == branch[self.position]]
        ahead_items = taken & mine & (np.arange(len(items)) < i)       # dealt before it in its branch
        ahead = got[np.flatnonzero(ahead_items[taken])]
        extra = np.array([(ahead == s).sum() for s in here], dtype="int64")
        chosen = int(got[int(taken[:i].sum())]) if taken[i] else -1
        self.steps.append(Step(roles, here, pool.load[here] + weight * extra, pool.count[tier][here] + extra,
                               pool.capacity[tier][here], chosen))

    def solved(self, steps: list[tuple[tuple[str, ...], np.ndarray]], load: np.ndarray, count: np.ndarray,
               capacity: np.ndarray, keeper: int) -> None:
        """Note the steps of an exact distribution: candidates before it (one tier's ``count`` and
        ``capacity``), and the step and member it went to (the first step holding its keeper)."""
        self.exact = True
        self.steps = []
        for roles, members in steps:
            first = keeper in set(members.tolist()) and not any(s.chosen >= 0 for s in self.steps)
            self.steps.append(Step(roles, members, load[members], count[members], capacity[members],
                                   keeper if first else -1))


__all__ = ["Step", "Trace"]
