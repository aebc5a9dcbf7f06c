"""``branchkit.parallel``: results in input order whatever the processes, and workers tied to their parent."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from branchkit import parallel


def _square(x: int) -> int:
    return x * x


def _pick(shared: dict[str, int], key: str) -> tuple[int, int]:
    return shared[key], os.getppid()


def test_map_ordered_and_map_shared_keep_the_order_of_the_items():
    assert parallel.map_ordered(_square, range(7), jobs=2) == [x * x for x in range(7)]
    shared = {k: i for i, k in enumerate("abcdef")}
    picked = parallel.map_shared(_pick, shared, list("fedcba"), jobs=2)
    assert [v for v, _ in picked] == [5, 4, 3, 2, 1, 0]
    assert {parent for _, parent in picked} <= {os.getpid(), os.getppid()}


@pytest.mark.skipif(not parallel.can_fork(), reason="needs fork")
@pytest.mark.parametrize("parent, code", [("mine", 0), ("gone", 1)])
def test_a_worker_whose_parent_is_already_gone_ends_at_once(parent, code):
    context = multiprocessing.get_context("fork")
    pid = os.getpid() if parent == "mine" else _a_finished_process()
    worker = context.Process(target=parallel.die_with_parent, args=(pid,))
    worker.start()
    worker.join(timeout=120)
    assert worker.exitcode == code


def _a_finished_process() -> int:
    """The id of a process that has ended (and is not this one's parent)."""
    child = multiprocessing.get_context("fork").Process(target=int)
    child.start()
    child.join()
    return child.pid


@pytest.mark.skipif(not parallel.can_fork(), reason="needs fork")
def test_pool_workers_are_tied_to_this_process(monkeypatch):
    seen = []
    monkeypatch.setattr(parallel, "_WORKER", None)                     # restored after the test
    monkeypatch.setattr(parallel, "die_with_parent", seen.append)     # runs in this process when jobs=1...
    parallel._start_worker(abs, None, os.getpid())
    assert seen == [os.getpid()]                                       # ...and as every worker's first step
