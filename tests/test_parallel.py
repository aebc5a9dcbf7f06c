"""The one pool mechanism: forked workers inherit the shared value, results keep the items' order."""

from __future__ import annotations

import os

import pytest

from branchkit import parallel

pytestmark = pytest.mark.skipif(not parallel.can_fork() or (os.cpu_count() or 1) < 2,
                                reason="needs fork and two cores")


def _pick(shared, item):
    return shared["double"](item), os.getpid()


def test_workers_inherit_an_unpicklable_shared_value_and_keep_the_order() -> None:
    shared = {"double": lambda x: 2 * x}           # a lambda does not pickle: it can only be inherited
    results = parallel.map_shared(_pick, shared, range(40), jobs=2)
    assert [value for value, _ in results] == [2 * i for i in range(40)]
    assert os.getpid() not in {pid for _, pid in results}
    assert parallel._WORKER is None                 # the parent keeps no pool state


def _inner(shared, item):
    return shared + item


def _outer(shared, item):
    return parallel.map_shared(_inner, shared * item, range(3), jobs=2)


def test_a_pool_inside_a_worker_has_its_own_shared_value() -> None:
    assert parallel.map_shared(_outer, 10, [1, 2], jobs=2) == [[10, 11, 12], [20, 21, 22]]


def test_one_job_runs_here() -> None:
    results = parallel.map_shared(_pick, {"double": lambda x: x}, range(3), jobs=1)
    assert {pid for _, pid in results} == {os.getpid()}
    assert parallel.map_ordered(abs, [-1, -2, 3], jobs=2) == [1, 2, 3]
