"""``Solver.try_minimise``: a limit on branch-and-bound nodes, not on time. HiGHS stops when its node count
reaches the limit, so a proof in k nodes needs a limit of k + 1: there it gives the optimum, at k None (and
the model stays usable: a solve without a limit after it gives the optimum)."""

from __future__ import annotations

import numpy as np
import pytest

from branchkit.core.milp import Model, Solver

# An equality knapsack that HiGHS cannot settle at the root (28 nodes with HiGHS 1.16).
WEIGHTS = [73, 75, 87, 97, 51, 57, 91, 97, 62, 65, 93, 71]
COSTS = [6.0, 16.0, 5.0, 8.0, 13.0, 11.0, 2.0, 1.0, 17.0, 15.0, 16.0, 11.0]


def _solver() -> Solver:
    model = Model()
    x = model.columns(len(WEIGHTS), 0.0, 1.0)
    half = float(sum(WEIGHTS) // 2)
    row = model.constrain(1, half, half)
    model.entries(np.full(len(WEIGHTS), row[0]), x, np.array(WEIGHTS, dtype="float64"))
    return Solver(model)


def test_the_node_limit_proves_just_above_the_nodes_the_proof_takes_and_not_at_them():
    solver = _solver()
    x, best = solver.minimise(np.array(COSTS))
    nodes = int(solver.h.getInfo().mip_node_count)
    assert nodes >= 2 and best == pytest.approx(49.0)            # the premise: not solved at the root
    for limit, proved in ((nodes + 2, True), (nodes + 1, True), (nodes, False), (nodes - 1, False), (1, False)):
        found = _solver().try_minimise(np.array(COSTS), limit)
        assert (found is not None) == proved, limit
        if proved:
            assert found[1] == pytest.approx(best) and np.allclose(found[0], x)


def test_after_a_solve_stopped_by_the_limit_the_next_solve_has_none():
    solver = _solver()
    assert solver.try_minimise(np.array(COSTS), 1) is None
    _, best = solver.minimise(np.array(COSTS))
    assert best == pytest.approx(49.0)
