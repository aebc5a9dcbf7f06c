"""``core.parallel``: results in input order whatever the processes, and workers tied to their parent."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from branchkit.core import parallel


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
def test_pools_start_their_workers_tied_to_this_process():
    fork, server = multiprocessing.get_context("fork"), multiprocessing.get_context("forkserver")
    assert parallel._tied_to_this_process(fork) == {"mp_context": fork, "initializer": parallel.die_with_parent,
                                                    "initargs": (os.getpid(),)}
    assert parallel._tied_to_this_process(server) == {"mp_context": server}     # its workers' parent is the server
