"""The one pool mechanism: forked workers inherit the shared value, results keep the items' order."""

from __future__ import annotations

import os
import threading

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


def _frame_and_pid(shared, _item):
    import pandas as pd

    return pd.DataFrame({"id": [f"{i:04d}" for i in range(shared)], "x": range(shared)}), os.getpid()


def _refuse(_shared, _item):
    raise ValueError("no branch")


@pytest.mark.parametrize("memory_file", [True, False])
def test_apart_computes_in_another_process_and_gives_its_result_back(monkeypatch, memory_file) -> None:
    """Through the memory file (or, without one, as a pool's result): the same frame, and the file closed after."""
    import pandas as pd

    if not memory_file:
        monkeypatch.setattr(parallel, "_memory_file", lambda: None)
    with parallel.Apart(_frame_and_pid, 50_000) as apart:
        frame, pid = apart.result()
        file = apart._file
    assert pid != os.getpid()
    pd.testing.assert_frame_equal(frame, _frame_and_pid(50_000, None)[0])
    assert (file is not None) is memory_file
    assert not _memory_files()


def test_apart_raises_what_its_function_raised_and_closes_its_file() -> None:
    with pytest.raises(ValueError, match="no branch"):
        with parallel.Apart(_refuse, None) as apart:
            apart.result()
    assert not _memory_files()


def _memory_files() -> list[str]:
    """This process's open memory files of ``Apart`` (Linux names them in /proc; elsewhere there are none)."""
    if not os.path.isdir("/proc/self/fd"):
        return []
    names = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            names.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:                   # the directory's own descriptor, gone once listed
            pass
    return [n for n in names if "branchkit-apart" in n]


def _lingering(linger, _item):
    """The worker's pid; the worker then ends only ``linger`` seconds after it is told to (a thread of its own
    still sleeping, which its exit waits for)."""
    import time

    threading.Thread(target=time.sleep, args=(linger,)).start()
    return os.getpid()


def _alive(pid: int) -> bool:
    """Whether process ``pid`` is there (a worker of ours is gone once its pool has waited for it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _ending() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == parallel.ENDING]


def test_a_pool_left_with_its_results_lets_its_workers_end_while_this_process_goes_on() -> None:
    """``Pool.close`` without waiting: the worker still ends after the block, ``wait_ended`` waits for it."""
    with parallel.Pool(_lingering, 0.5, 1) as pool:
        pid = pool.submit(None).result()
    assert _alive(pid) and _ending()
    parallel.wait_ended()
    assert not _alive(pid) and not _ending()


def test_a_pool_left_by_an_error_waits_for_its_workers() -> None:
    with pytest.raises(KeyError):
        with parallel.Pool(_lingering, 0.5, 1) as pool:
            pid = pool.submit(None).result()
            raise KeyError("stop")
    assert not _alive(pid) and not _ending()
