"""The lexicographic solve starts each objective from the previous optimum: the optima stay the proved ones."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.core.milp import Model, Solver, tolerance


def _model(room: list[int], size: int) -> tuple[Model, list[np.ndarray]]:
    """``size`` customers to members with ``room``; objectives: fewest left, least depth, least top load."""
    model = Model()
    x = model.columns(len(room), 0.0, np.array(room, dtype="float64"))
    left = model.columns(1, 0.0, float(size))
    top = model.columns(1, 0.0, float(size))
    row = model.constrain(1, float(size), float(size))
    model.entries(np.repeat(row, len(room)), x, 1.0)
    model.entries(row, left, 1.0)
    tops = model.constrain(len(room), 0.0, np.inf)          # top - x_i >= 0
    model.entries(tops, np.repeat(top, len(room)), 1.0)
    model.entries(tops, x, -1.0)
    n = model.n_cols
    unplaced, depth, load = np.zeros(n), np.zeros(n), np.zeros(n)
    unplaced[left] = 1.0
    depth[x], depth[left] = np.arange(len(room)), len(room)
    load[top] = 1.0
    return model, [unplaced, depth, load]


def _cold(model: Model, costs: list[np.ndarray]) -> list[float]:
    """The same objectives in order, each in a fresh solver with the earlier optima as rows."""
    optima: list[float] = []
    for i, cost in enumerate(costs):
        solver = Solver(model)
        for earlier, best in zip(costs[:i], optima):
            solver.fix(earlier, best + tolerance(best))
        optima.append(solver.minimise(cost)[1])
    return optima


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=5), st.integers(0, 25))
def test_warm_started_optima_equal_cold_ones(room, size):
    model, costs = _model(room, size)
    x, optima = Solver(model).lexicographic(costs)
    assert np.allclose(optima, _cold(model, costs))
    assert optima[0] == max(0, size - sum(room))             # the fewest left without room


def test_the_depth_objective_tells_shallow_from_deep_at_equal_placement():
    model, costs = _model([2, 2, 2], 4)
    x, optima = Solver(model).lexicographic(costs)
    assert optima == [0.0, 2.0, 2.0]                          # 2 at depth 0, 2 at depth 1; top load 2
    assert np.rint(x[:3]).tolist() == [2.0, 2.0, 0.0]
