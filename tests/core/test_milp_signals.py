"""A HiGHS solve started from the main thread runs on a thread of its own, so the main thread, waiting,
answers signals at once (SIGTERM of `allocate --rebalance 3` on 200,000 customers went unanswered for
over ten minutes while the main thread was inside the C call; with this, the process ended in 0.05 s)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from branchkit.core import milp
from branchkit.core.milp import Model, Solver, run_answering_signals


def test_from_the_main_thread_the_solve_runs_on_another_thread_and_is_waited_for():
    seen = []
    run_answering_signals(lambda: seen.append(threading.current_thread()))
    assert len(seen) == 1 and seen[0] is not threading.main_thread() and seen[0].daemon
    assert not seen[0].is_alive()                 # waited for: done when the call returns


def test_from_another_thread_the_solve_runs_there():
    seen = []
    worker = threading.Thread(target=run_answering_signals, args=(lambda: seen.append(threading.current_thread()),))
    worker.start()
    worker.join()
    assert seen == [worker]


def test_a_failure_of_the_solve_reaches_the_caller():
    def fail() -> None:
        raise RuntimeError("solver broke")

    with pytest.raises(RuntimeError, match="solver broke"):
        run_answering_signals(fail)


def test_a_model_solved_from_the_main_thread_gives_its_optimum_through_a_solve_thread(monkeypatch):
    threads = []

    def recorded(run):
        run_answering_signals(lambda: threads.append(threading.current_thread()) or run())

    monkeypatch.setattr(milp, "run_answering_signals", recorded)
    model = Model()
    model.lower.append(np.zeros(2))
    model.upper.append(np.full(2, 10.0))
    model.integer.append(np.ones(2, dtype=bool))
    model.n_cols = 2
    model.row_lower.append(np.array([3.0]))        # x0 + x1 >= 3
    model.row_upper.append(np.array([np.inf]))
    model.rows.append(np.array([0, 0]))
    model.cols.append(np.array([0, 1]))
    model.values.append(np.array([1.0, 1.0]))
    model.n_rows = 1
    x, best = Solver(model).minimise(np.array([2.0, 1.0]))
    assert x.tolist() == [0.0, 3.0] and best == 3.0
    assert len(threads) == 1 and threads[0] is not threading.main_thread()
