"""A small integer program and its lexicographic solution with HiGHS (``highspy``).

The allocation's exact steps (``core.rebalance``, ``core.spills``) state their
models as triplets (row, column, coefficient) over numpy arrays and solve a
list of objectives in order: each optimum is fixed (within a tolerance) as a
row before the next objective is minimised. HiGHS runs single-threaded with
a fixed seed and no gap, so the same model gives the same solution in every
process (``--jobs``) and the optimum is proved, not approximated.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from branchkit.errors import BranchkitError

INF = float("inf")
_NO_NODE_LIMIT = 2**31 - 1          # HiGHS's default mip_max_nodes
_banner_silenced = False
_banner_lock = threading.Lock()


@dataclass
class Model:
    """Columns with bounds and integrality, rows with bounds, and the matrix as triplets."""

    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    integer: list[np.ndarray] = field(default_factory=list)
    row_lower: list[np.ndarray] = field(default_factory=list)
    row_upper: list[np.ndarray] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)
    n_cols: int = 0
    n_rows: int = 0

    def columns(self, n: int, lower: float | np.ndarray = 0.0, upper: float | np.ndarray = INF,
                integer: bool = True) -> np.ndarray:
        """Add ``n`` columns; returns their indices."""
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype="float64"), (n,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype="float64"), (n,)))
        self.integer.append(np.full(n, integer))
        self.n_cols += n
        return np.arange(self.n_cols - n, self.n_cols)

    def constrain(self, n: int, lower: float | np.ndarray, upper: float | np.ndarray) -> np.ndarray:
        """Add ``n`` rows with these bounds; returns their indices (fill them with ``entries``)."""
        self.row_lower.append(np.broadcast_to(np.asarray(lower, dtype="float64"), (n,)))
        self.row_upper.append(np.broadcast_to(np.asarray(upper, dtype="float64"), (n,)))
        self.n_rows += n
        return np.arange(self.n_rows - n, self.n_rows)

    def entries(self, rows: np.ndarray, cols: np.ndarray, values: float | np.ndarray) -> None:
        """Coefficients of the matrix (repeated (row, column) pairs add up)."""
        rows, cols = np.asarray(rows, dtype="int64"), np.asarray(cols, dtype="int64")
        self.rows.append(rows)
        self.cols.append(cols)
        self.values.append(np.broadcast_to(np.asarray(values, dtype="float64"), rows.shape).copy())


def _cat(parts: list[np.ndarray], dtype: str) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


class Solver:
    """A model loaded into HiGHS, solved for objectives in order."""

    def __init__(self, model: Model) -> None:
        import highspy

        self._hs = highspy
        self.h = _highs()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = model.n_cols, model.n_rows
        lp.col_cost_ = np.zeros(model.n_cols)
        lp.col_lower_, lp.col_upper_ = _cat(model.lower, "float64"), _cat(model.upper, "float64")
        lp.row_lower_, lp.row_upper_ = _cat(model.row_lower, "float64"), _cat(model.row_upper, "float64")
        rows, cols, values = _cat(model.rows, "int64"), _cat(model.cols, "int64"), _cat(model.values, "float64")
        order = np.lexsort((rows, cols))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.searchsorted(cols[order], np.arange(model.n_cols + 1)).astype("int32")
        lp.a_matrix_.index_ = rows[order].astype("int32")
        lp.a_matrix_.value_ = values[order]
        integer = _cat(model.integer, "bool")
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in integer]
        self.n_cols = model.n_cols
        self._check(self.h.passModel(lp), "load the model")

    def minimise(self, cost: np.ndarray) -> tuple[np.ndarray, float]:
        """Minimise ``cost @ x`` over the model and every row added so far; (x, optimum)."""
        found = self.try_minimise(cost, None)
        assert found is not None                    # no node limit: proved, or raised
        return found

    def try_minimise(self, cost: np.ndarray, nodes: int | None) -> tuple[np.ndarray, float] | None:
        """``minimise``, or None when ``nodes`` branch-and-bound nodes do not prove the optimum (HiGHS stops
        when its count reaches the limit: a proof in k nodes needs k + 1).

        A limit on work, not on time: single-threaded with a fixed seed, the same model stops at the same
        node on every machine, so what a caller does next does not depend on the machine or its load.
        """
        self._check(self.h.changeColsCost(self.n_cols, np.arange(self.n_cols, dtype="int32"),
                                          np.asarray(cost, dtype="float64")), "set the objective")
        self.h.setOptionValue("mip_max_nodes", _NO_NODE_LIMIT if nodes is None else int(nodes))
        run_answering_signals(self.h.run)
        status = self.h.getModelStatus()
        if nodes is not None and status == self._hs.HighsModelStatus.kSolutionLimit:   # HiGHS's node limit
            return None
        if status != self._hs.HighsModelStatus.kOptimal:
            raise BranchkitError(f"the allocation solver found no optimum ({status.name}); please report this")
        x = np.asarray(self.h.getSolution().col_value, dtype="float64")
        return x, float(cost @ x)

    def fix(self, cost: np.ndarray, at_most: float) -> None:
        """Keep ``cost @ x <= at_most`` for the objectives that follow."""
        nz = np.flatnonzero(cost)
        self._check(self.h.addRow(-INF, at_most, len(nz), nz.astype("int32"), np.asarray(cost, float)[nz]),
                    "fix an objective")

    def start_from(self, x: np.ndarray) -> None:
        """Offer ``x`` as the first incumbent of the next solve (a warm start).

        In a lexicographic solve the previous optimum satisfies every row (its objective is fixed with a
        tolerance), so branch and bound starts with a bound instead of searching for one: a third less
        time on the spills of a million customers, and the same solutions (HiGHS stays deterministic).
        """
        solution = self._hs.HighsSolution()
        solution.col_value = np.asarray(x, dtype="float64")
        solution.value_valid = True
        self._check(self.h.setSolution(solution), "start from a solution")

    def bound_row(self, row: int, upper: float) -> None:
        """Change the upper bound of a row of the model."""
        self._check(self.h.changeRowBounds(row, -INF, upper), "change a bound")

    def lexicographic(self, costs: list[np.ndarray]) -> tuple[np.ndarray, list[float]]:
        """Minimise each objective in turn, keeping the earlier ones at their optimum."""
        optima: list[float] = []
        x = np.zeros(self.n_cols)
        for i, cost in enumerate(costs):
            if i:
                self.start_from(x)
            x, best = self.minimise(cost)
            optima.append(best)
            if i < len(costs) - 1:
                self.fix(cost, best + tolerance(best))
        return x, optima

    def _check(self, status: object, what: str) -> None:
        if status == self._hs.HighsStatus.kError:
            raise BranchkitError(f"the allocation solver could not {what}; please report this")


def run_answering_signals(run: Callable[[], object]) -> None:
    """``run()`` (a HiGHS solve); from the main thread, on a thread of its own that the main thread waits
    for. A solve can take minutes (``allocate --rebalance`` over a large branch) and releases the GIL, but a
    main thread inside the C call runs no signal handler until it returns: SIGTERM of a batch went
    unanswered for 15 s and more. Waiting for a thread, the main thread runs it at once (SIGTERM ends the
    process, ``io.tempfiles``; Ctrl-C raises KeyboardInterrupt there, the solve left to a daemon thread)."""
    if threading.current_thread() is not threading.main_thread():
        run()
        return
    failed: list[BaseException] = []

    def solve() -> None:
        try:
            run()
        except BaseException as exc:        # handed to the waiting thread, raised there
            failed.append(exc)

    solving = threading.Thread(target=solve, name="branchkit-solve", daemon=True)
    solving.start()
    solving.join()
    if failed:
        raise failed[0]


def tolerance(value: float) -> float:
    """Slack when an optimum is fixed: tiny against the values, so integer steps never fit inside it."""
    return 1e-6 * max(1.0, abs(value))


def _highs():
    """A silent, single-threaded, deterministic HiGHS instance that proves optimality (no gap)."""
    import highspy

    global _banner_silenced
    # Under a lock: two threads (``core.spills`` solves branches on threads) redirecting fd 1 at once could
    # each restore the other's /dev/null and leave stdout silenced.
    with _banner_lock:
        if not _banner_silenced:
            # HiGHS prints a banner on stdout from C++ the first time an instance is made; stdout carries data
            # (``-o -``, ``--explain``), so that one construction writes to /dev/null.
            sys.stdout.flush()
            saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, 1)
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(null)
            _banner_silenced = True
        else:
            h = highspy.Highs()
    for name, value in (("output_flag", False), ("threads", 1), ("random_seed", 0), ("mip_rel_gap", 0.0),
                        ("mip_abs_gap", 1e-7)):
        h.setOptionValue(name, value)
    return h


__all__ = ["INF", "Model", "Solver", "run_answering_signals", "tolerance"]
