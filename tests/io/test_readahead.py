"""A folder's files read ahead in a thread (``io.readahead``): the loader takes them in the folder's order,
so ledgers, row ids, notes, problems and the first unreadable file are those of reading one file after
another; the thread is at most one large file ahead."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest

from branchkit.errors import InputError
from branchkit.io import discover, readahead, readapart
from branchkit.io.discover import load_inputs
from branchkit.io.grid import Book
from branchkit.io.readahead import ReadAhead
from branchkit.rules import load_rules

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
RULES = load_rules(None)


def _serial(paths: list[Path], read) -> ReadAhead:
    """Nothing read ahead: every file read when the loader reaches it (the reference)."""
    return ReadAhead([], read)


def _read(folder: Path, monkeypatch, ahead: bool, kinds: set[str] | None = None):
    monkeypatch.setattr(discover, "ReadAhead", ReadAhead if ahead else _serial)
    return load_inputs(RULES, [folder], options={"month": "2026-10"}, wanted=kinds)


@pytest.mark.parametrize("kinds", [None, {"customers", "staff", "claims", "previous"}])
def test_the_sample_folder_reads_the_same_ahead_and_one_file_after_another(tmp_path, monkeypatch, kinds):
    folder = tmp_path / "ledgers"
    shutil.copytree(SAMPLE, folder)
    taken: list[Path] = []
    real_take = ReadAhead.take
    monkeypatch.setattr(ReadAhead, "take", lambda self, path: taken.append(path) or real_take(self, path))
    ahead, serial = _read(folder, monkeypatch, True, kinds), _read(folder, monkeypatch, False, kinds)
    assert taken, "nothing was read ahead"
    assert sorted(ahead.ledgers) == sorted(serial.ledgers)
    for kind in ahead.ledgers:
        pd.testing.assert_frame_equal(ahead.frame(kind), serial.frame(kind), obj=kind)
    pd.testing.assert_frame_equal(ahead.log.frame(), serial.log.frame())
    assert (ahead.notes, ahead.passed, ahead.files) == (serial.notes, serial.passed, serial.files)


@pytest.mark.parametrize("lanes", [1, 2])
def test_the_first_unreadable_file_is_the_error_and_its_lane_reads_nothing_after_it(tmp_path, monkeypatch, lanes):
    monkeypatch.setattr(readapart, "READ_LANES", lanes)
    folder = tmp_path / "ledgers"
    shutil.copytree(SAMPLE, folder)
    (folder / "员工.xlsx").write_bytes(b"PK\x03\x04 broken")                  # read before 客户清单.xlsx
    (folder / "认领.xlsx").write_bytes(b"PK\x03\x04 broken too")
    read: list[str] = []
    real = discover.Loader._read_ahead
    monkeypatch.setattr(discover.Loader, "_read_ahead",
                        lambda self, path, *rest: read.append(path.name) or real(self, path, *rest))
    with pytest.raises(InputError) as ahead:
        _read(folder, monkeypatch, True)
    with pytest.raises(InputError) as serial:
        _read(folder, monkeypatch, False)
    assert str(ahead.value) == str(serial.value) and "员工.xlsx" in str(ahead.value)
    share = next(s for s in readapart.read_lanes(sorted(folder.iterdir())) if folder / "员工.xlsx" in s)
    after = {p.name for p in share[share.index(folder / "员工.xlsx") + 1:]}
    assert "员工.xlsx" in read and not after & set(read[read.index("员工.xlsx"):])
    assert lanes == 2 or read[-1] == "员工.xlsx" and "认领.xlsx" not in read


def test_once_a_lane_meets_an_unreadable_file_no_lane_starts_another(tmp_path, monkeypatch):
    folder = tmp_path / "ledgers"
    shutil.copytree(SAMPLE, folder)
    (folder / "员工.xlsx").write_bytes(b"PK\x03\x04 broken")
    share = next(s for s in readapart.read_lanes(sorted(folder.iterdir())) if folder / "员工.xlsx" in s)
    before = [p.name for p in share[:share.index(folder / "员工.xlsx") + 1]]
    broken = threading.Event()
    read: list[str] = []
    real = discover.Loader._read_ahead

    def read_ahead(self, path, *rest):
        read.append(path.name)
        try:
            return real(self, path, *rest)
        except InputError:
            broken.set()
            raise

    class Held(ReadAhead):
        """The other lane starts on each of its files only once 员工.xlsx has failed."""

        def __init__(self, paths, read):
            held = read if folder / "员工.xlsx" in paths else lambda path: (broken.wait(10), read(path))[1]
            super().__init__(paths, held)

    monkeypatch.setattr(discover.Loader, "_read_ahead", read_ahead)
    monkeypatch.setattr(discover, "ReadAhead", Held)
    with pytest.raises(InputError, match="员工.xlsx"):
        load_inputs(RULES, [folder], options={"month": "2026-10"})
    assert read == before and len(readapart.read_lanes(sorted(folder.iterdir()))) == 2


def test_a_folder_s_workbooks_go_to_the_lane_holding_fewest_bytes_in_the_folder_s_order(tmp_path, monkeypatch):
    sizes = {"a.xlsx": 10, "b.csv": 1000, "c.xlsx": 4, "d.xlsx": 5, "e.xlsx": 2, "f.xls": 1}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"x" * size)
    paths = [tmp_path / name for name in sizes]
    names = lambda lanes: [[p.name for p in lane] for lane in lanes]
    # a (10) to the first lane; c (4), d (5) and e (2) to the second, each while it holds less (0, 4, 9 < 10);
    # the CSV to none; f to the first: 10 < 11
    assert names(readapart.read_lanes(paths)) == [["a.xlsx", "f.xls"], ["c.xlsx", "d.xlsx", "e.xlsx"]]
    (tmp_path / "e.xlsx").write_bytes(b"x")       # the second lane holds 10, as the first: f to the first
    assert names(readapart.read_lanes(paths)) == [["a.xlsx", "f.xls"], ["c.xlsx", "d.xlsx", "e.xlsx"]]
    (tmp_path / "e.xlsx").write_bytes(b"x" * 2)
    (tmp_path / "a.xlsx").write_bytes(b"x" * 12)  # the second lane holds less (11 < 12): f to it
    assert names(readapart.read_lanes(paths)) == [["a.xlsx"], ["c.xlsx", "d.xlsx", "e.xlsx", "f.xls"]]
    monkeypatch.setattr(readapart, "READ_LANES", 1)
    assert names(readapart.read_lanes(paths)) == [["a.xlsx", "c.xlsx", "d.xlsx", "e.xlsx", "f.xls"]]
    assert readapart.read_lanes([tmp_path / "b.csv"]) == []


def _books(tmp_path: Path, sizes: list[int]) -> list[Path]:
    paths = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"f{i}.csv"
        path.write_bytes(b"x" * size)
        paths.append(path)
    return paths


def test_books_come_in_order_and_a_file_left_to_the_caller_is_none(tmp_path):
    paths = _books(tmp_path, [1, 1, 1])
    with ReadAhead(paths, lambda p: None if p == paths[1] else Book(p.name, "csv", [])) as ahead:
        assert ahead.take(paths[0]).file == "f0.csv"
        assert ahead.take(paths[1]) is None
        assert ahead.take(paths[2]).file == "f2.csv"
        assert ahead.take(paths[2]) is None                   # taken already: the caller reads it
        assert ahead.take(tmp_path / "other.csv") is None     # not in the list


def test_the_thread_waits_after_a_large_file_until_it_is_taken(tmp_path, monkeypatch):
    monkeypatch.setattr(readahead, "LARGE_BYTES", 100)
    paths = _books(tmp_path, [10, 100, 10])                  # the second is large: at the bound
    started: list[str] = []
    second_read = threading.Event()

    def read(path: Path) -> Book:
        started.append(path.name)
        if path == paths[1]:
            second_read.set()
        return Book(path.name, "csv", [])

    with ReadAhead(paths, read) as ahead:
        assert second_read.wait(10)
        ahead._thread.join(0.3)                              # time for the thread to go on, if it would
        assert started == ["f0.csv", "f1.csv"]               # waits: f1 is large and not taken
        ahead.take(paths[0])
        ahead.take(paths[1])
        assert ahead.take(paths[2]).file == "f2.csv"
    monkeypatch.setattr(readahead, "LARGE_BYTES", 101)      # just under the bound: not large, no wait
    with ReadAhead(paths, read) as ahead:
        ahead._thread.join(10)
        assert not ahead._thread.is_alive()


def test_an_error_is_raised_when_its_file_is_taken_and_close_stops_the_thread(tmp_path):
    paths = _books(tmp_path, [1, 1, 1])
    seen: list[str] = []

    def read(path: Path) -> Book:
        seen.append(path.name)
        if path == paths[1]:
            raise InputError(str(path), "broken")
        return Book(path.name, "csv", [])

    ahead = ReadAhead(paths, read)
    assert ahead.take(paths[0]).file == "f0.csv"
    with pytest.raises(InputError, match="broken"):
        ahead.take(paths[1])
    assert ahead.take(paths[2]) is None                      # never read: the loader reads it, if it goes on
    ahead.close()
    assert seen == ["f0.csv", "f1.csv"] and not ahead._thread.is_alive()


def test_a_very_large_file_is_read_only_once_the_loader_reaches_it(tmp_path, monkeypatch):
    monkeypatch.setattr(readahead, "ALONE_BYTES", 99)
    paths = _books(tmp_path, [10, 100, 99])                 # f1 over the bound, f2 at it
    started: list[str] = []
    with ReadAhead(paths, lambda p: started.append(p.name) or Book(p.name, "csv", [])) as ahead:
        ahead._thread.join(0.3)
        assert started == ["f0.csv"]                         # waits before f1 until the loader asks for it
        ahead.take(paths[0])
        ahead._thread.join(0.3)
        assert started == ["f0.csv"]                         # f0 taken is not f1 reached
        assert ahead.take(paths[1]).file == "f1.csv"
        assert ahead.take(paths[2]).file == "f2.csv"         # at the bound: read ahead as any other
    assert started == ["f0.csv", "f1.csv", "f2.csv"]
