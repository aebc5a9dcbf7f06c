"""--jobs N reads a folder's files (and a workbook's many sheets) in processes: the same result as one.

The parts come back in the folder's order with row ids and problems shifted, so ledgers, row ids,
problems, notes and the first unreadable file are those of reading one file after another.
"""

from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import pandas as pd
import pytest

from branchkit.errors import InputError
from branchkit.io.discover import load_inputs
from branchkit.io.readapart import APART_FROM, Lane, reading_order
from branchkit.rules import load_rules

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
RULES = load_rules(None)


def _read(folder: Path, jobs: int):
    return load_inputs(RULES, [folder], options={"month": "2026-10"}, jobs=jobs)


def test_the_sample_folder_reads_the_same_in_two_processes(tmp_path):
    folder = tmp_path / "ledgers"
    shutil.copytree(SAMPLE, folder)
    one, two = _read(folder, 1), _read(folder, 2)
    assert sorted(one.ledgers) == sorted(two.ledgers)
    for kind in one.ledgers:
        pd.testing.assert_frame_equal(one.frame(kind), two.frame(kind), obj=kind)
        rids = one.frame(kind)["_rid"].tolist()
        assert rids == list(range(len(rids))), kind
    pd.testing.assert_frame_equal(one.log.frame(), two.log.frame())
    assert one.notes == two.notes
    assert one.files == two.files


def test_problems_of_a_file_read_apart_keep_their_row_ids(tmp_path, book):
    folder = tmp_path / "ledgers"
    folder.mkdir()
    rows = [["客户号", "客户名称", "客户类型", "存款余额"]] + [[f"{i:04d}", f"客户{i}", "个人", 100] for i in range(5)]
    first = [r[:] for r in rows]
    second = [["客户号", "客户名称", "客户类型", "存款余额"]] + [[f"9{i:03d}", f"乙{i}", "个人", 100] for i in range(5)]
    second[3][3] = "很多"                                     # not a number: a row problem in the second file
    shutil.move(book("a客户清单.xlsx", {"客户清单": first}), folder / "a客户清单.xlsx")
    shutil.move(book("b客户清单.xlsx", {"客户清单": second}), folder / "b客户清单.xlsx")
    one, two = _read(folder, 1), _read(folder, 2)
    pd.testing.assert_frame_equal(one.frame("customers"), two.frame("customers"))
    problems = two.log.frame()
    bad = problems[problems["code"] == "not_a_number"]
    assert bad["rid"].tolist() == [5 + 2]                     # after the first file's five rows
    pd.testing.assert_frame_equal(one.log.frame(), problems)


def test_the_first_unreadable_file_is_the_error_in_both(tmp_path):
    folder = tmp_path / "ledgers"
    shutil.copytree(SAMPLE, folder)
    (folder / "员工.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (folder / "认领.xlsx").write_bytes(b"PK\x03\x04 nor this one")
    errors = []
    for jobs in (1, 2):
        with pytest.raises(InputError) as caught:
            _read(folder, jobs)
        errors.append((caught.value.path, caught.value.reason))
    assert errors[0] == errors[1]
    assert errors[0][0].endswith("员工.xlsx")


def test_a_workbook_of_many_sheets_is_read_here_while_the_other_files_are_read_apart(tmp_path, book):
    folder = tmp_path / "ledgers"
    shutil.copytree(SAMPLE, folder)
    head = ["客户号", "客户名称", "客户类型", "存款余额"]
    sheets = {f"网点{b:02d}": [head] + [[f"{b:02d}{i:03d}", f"客户{b}-{i}", "个人", 10 * i] for i in range(3)]
              for b in range(40)}
    sheets["网点07"][2][3] = "很多"                            # a row problem on a sheet read apart
    shutil.move(book("分行客户清单.xlsx", sheets), folder / "分行客户清单.xlsx")
    one, two = _read(folder, 1), _read(folder, 2)
    for kind in one.ledgers:
        pd.testing.assert_frame_equal(one.frame(kind), two.frame(kind), obj=kind)
    pd.testing.assert_frame_equal(one.log.frame(), two.log.frame())
    assert (two.log.frame()["code"] == "not_a_number").any()
    assert one.notes == two.notes


def test_the_reading_order_puts_a_workbook_of_many_sheets_first_then_the_biggest_first(tmp_path, book):
    head = [["客户号", "客户名称"], ["1", "甲"]]
    many = book("many.xlsx", {f"s{i}": head for i in range(APART_FROM)})
    fewer = book("fewer.xlsx", {f"s{i}": head for i in range(APART_FROM - 1)})   # one sheet short: by size
    small, big, equal = tmp_path / "small.csv", tmp_path / "big.csv", tmp_path / "equal.csv"
    small.write_bytes(b"a\n1\n")
    big.write_bytes(b"a\n" + b"1\n" * 50_000)
    equal.write_bytes(b"a\n" + b"1\n" * 50_000)
    files = [small, equal, fewer, big, many]
    assert fewer.stat().st_size < big.stat().st_size
    # many sheets first; then by size, the biggest first; equal sizes in the folder's order (equal before big)
    assert reading_order(files) == [4, 1, 3, 2, 0]


class _Pool:
    """A stand-in for the other process: a thread taking files from the lane as ``read_files_at`` does,
    each "read" when told to (so the test decides who is free when), or failing on one."""

    def __init__(self, lane: Lane, fail_at: int | None = None) -> None:
        self.lane = lane
        self.fail_at = fail_at
        self.read: list[int] = []
        self.go = threading.Semaphore(0)

    def submit(self, _: None) -> Future:
        future: Future = Future()

        def other() -> None:
            try:
                while self.go.acquire() and (i := self.lane.take()) is not None:
                    if i == self.fail_at:
                        raise RuntimeError(f"worker died on {i}")
                    self.read.append(i)
                    self.lane.sent.put((i, f"read {i}"))
                future.set_result(None)
            except RuntimeError as exc:
                future.set_exception(exc)
            finally:
                self.lane.sent.put(None)

        threading.Thread(target=other, daemon=True).start()
        return future


def test_each_file_is_taken_once_in_the_order_by_whichever_side_is_free():
    lane = Lane([3, 1, 4, 0, 2])
    pool = _Pool(lane)
    here = [lane.take()]                    # this side takes the first before the other starts
    lane.start(pool)
    pool.go.release()                       # the other takes the next one (1) ...
    while len(pool.read) < 1:
        time.sleep(0.001)
    here.append(lane.take())                # ... this side the one after (4) while the other is busy
    pool.go.release()
    pool.go.release()                       # the other reads two more (0, 2); the queue is then empty
    while len(pool.read) < 3:
        time.sleep(0.001)
    assert lane.take() is None
    pool.go.release()                       # the other finds it empty too and ends
    results = lane.finish()
    assert here == [3, 4] and pool.read == [1, 0, 2]
    assert results == {i: f"read {i}" for i in (1, 0, 2)}


def test_finishing_here_stops_the_other_from_taking_more():
    lane = Lane([0, 1, 2])
    pool = _Pool(lane)
    assert lane.take() == 0
    lane.start(pool)                        # the other waits to be free ...
    results: dict = {}
    finishing = threading.Thread(target=lambda: results.update(lane.finish()))
    finishing.start()                       # ... while this side stops (say, its file raised)
    while lane._next.value < 3:             # finishing has closed the order
        time.sleep(0.001)
    pool.go.release()                       # the other is free: nothing is left for it
    finishing.join()
    assert pool.read == [] and results == {}


def test_a_failure_of_the_other_process_stops_the_queue_and_is_raised_when_finishing():
    lane = Lane([3, 1, 4])
    pool = _Pool(lane, fail_at=3)
    lane.start(pool)
    pool.go.release()
    while not lane._future.done():          # the other failed on its first file
        time.sleep(0.001)
    assert lane.take() is None              # nothing more is taken, here or there
    with pytest.raises(RuntimeError, match="worker died on 3"):
        lane.finish()


def test_a_run_of_gantt_sheets_is_one_part_with_a_note_per_sheet(tmp_path):
    """The sample's Gantt workbook (a sheet per manager) joined where it is read: one part, every sheet's
    note in order, row ids from 0 on; read in a folder beside another file, with one process or two, the
    same rows and notes."""
    from branchkit.io.discover import Loader

    gantt = SAMPLE / "甘特图.xlsx"
    loader = Loader(RULES, options={"month": "2026-10"})
    loader.add_path(gantt)
    sheets = [note.sheet for note in loader._sources["plan"]]
    assert len(loader._parts["plan"]) == 1 and len(sheets) >= 2 and len(set(sheets)) == len(sheets)
    alone = loader.finish().frame("plan")
    assert alone["_rid"].tolist() == list(range(len(alone)))
    folder = tmp_path / "ledgers"
    folder.mkdir()
    shutil.copy(SAMPLE / "员工.xlsx", folder / "a-员工.xlsx")
    shutil.copy(gantt, folder / "b-甘特图.xlsx")
    for jobs in (1, 2):
        both = _read(folder, jobs)
        pd.testing.assert_frame_equal(both.frame("plan").drop(columns=["_file"]), alone.drop(columns=["_file"]))
        assert [n.sheet for n in both.ledgers["plan"].sources] == sheets
