"""The customer list read on a thread from the start of a ``branchkit`` process (``io.early``): which
workbook ``argv`` leads to, the book taken only when it is what the loader's own read would be, an
unreadable file's error met as without it, and no thread left once the command ends."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from branchkit.cli import app
from branchkit.io import early
from branchkit.io.discover import load_inputs
from branchkit.io.readbook import read_book
from branchkit.rules import load_rules

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
RULES = load_rules(None)
ALLOCATE = {"customers", "staff", "claims", "previous"}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The sample's ledgers, its customer list (a few KB) large enough to be read early."""
    monkeypatch.setattr(early, "LARGE_BYTES", 0)
    copy = tmp_path / "ledgers"
    shutil.copytree(SAMPLE, copy)
    yield copy
    early.finish()
    assert not [t for t in threading.enumerate() if t.name == "branchkit-early-read"]


@pytest.fixture
def taken(monkeypatch):
    """What ``early.take`` returned, per file."""
    seen: list[tuple[str, bool]] = []
    real = early.take
    monkeypatch.setattr(early, "take", lambda path, limits, skip: seen.append(
        (path.name, (book := real(path, limits, skip)) is not None)) or book)
    return seen


def _load(folder: Path):
    return load_inputs(RULES, [folder], options={"month": "2026-10"}, wanted=ALLOCATE)


def _same(a, b) -> None:
    assert sorted(a.ledgers) == sorted(b.ledgers)
    for kind in a.ledgers:
        pd.testing.assert_frame_equal(a.frame(kind), b.frame(kind), obj=kind)
    pd.testing.assert_frame_equal(a.log.frame(), b.log.frame())
    assert (a.notes, a.passed, a.files) == (b.notes, b.passed, b.files)


def test_the_customer_list_read_early_is_taken_and_reads_the_same(folder, taken):
    reference = _load(folder)
    assert ("客户清单.xlsx", True) not in taken
    early.start(["allocate", str(folder), "-o", "x.xlsx"])
    assert early._early is not None and early._early.path == folder / "客户清单.xlsx"
    _same(_load(folder), reference)
    assert ("客户清单.xlsx", True) in taken
    assert early._early is None                     # taken once: the module holds it no longer


@pytest.mark.parametrize("change", ["mtime", "size"])
def test_a_file_changed_after_its_early_read_is_read_again(folder, taken, change):
    early.start(["allocate", str(folder)])
    early._early.thread.join()
    path = folder / "客户清单.xlsx"
    if change == "mtime":
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    else:
        with path.open("ab") as handle:        # a zip's trailing bytes: the same workbook, one byte longer
            handle.write(b"\0")
    loaded = _load(folder)
    assert ("客户清单.xlsx", False) in taken
    assert len(loaded.frame("customers")) == len(_load(folder).frame("customers"))


def test_the_book_is_taken_only_for_the_same_limits_and_sheets_read(folder):
    path = folder / "客户清单.xlsx"
    book = read_book(path, RULES.input, skip=lambda sheet, several: None)
    for skip, limits, expected in [
        (None, RULES.input, True),                                         # no rule: every sheet read
        (lambda sheet, several: None, RULES.input, True),                   # no sheet given a reason
        (lambda sheet, several: "not used", RULES.input, False),           # a sheet the early read parsed
        (None, RULES.input.model_copy(update={"max_file_mb": 1}), False),  # other limits
    ]:
        early.start(["allocate", str(folder)])
        got = early.take(path, limits, skip)
        assert (got is not None) is expected
        if expected:
            assert [g.sheet for g in got.grids] == [g.sheet for g in book.grids]
            assert [g.rows for g in got.grids] == [g.rows for g in book.grids]


def test_another_file_is_not_given_the_early_book_and_the_early_one_stays(folder):
    early.start(["allocate", str(folder)])
    assert early.take(folder / "员工.xlsx", RULES.input, None) is None
    assert early.take(folder / "客户清单.xlsx", RULES.input, None) is not None


def test_an_unreadable_customer_list_fails_as_without_the_early_read(folder):
    (folder / "客户清单.xlsx").write_bytes(b"PK\x03\x04 broken" * 10)
    runner = CliRunner()
    args = ["allocate", str(folder), "-o", str(folder.parent / "a.csv"), "-q"]
    without = runner.invoke(app, args)
    early.start(args)
    assert early._early is not None
    with_early = runner.invoke(app, args)
    assert without.exit_code == with_early.exit_code == 2
    assert "客户清单.xlsx" in without.output
    assert with_early.output == without.output


@pytest.mark.parametrize("argv", [
    ["init", "{f}"], ["rules", "{f}"], ["allocate", "{f}", "--help"], ["report", "{f}", "--quarter", "2026Q4"],
    ["allocate", "{f}", "-j", "2"], ["allocate", "{f}", "--jobs=2"], ["allocate", "{f}", "-j2"],
    ["allocate", "{f}", "--jobs", "x"], ["allocate", "{f}", "-qj2"], ["allocate", "-o", "x.csv"], [],
])
def test_commands_that_read_no_customer_list_with_one_process_read_nothing_early(folder, argv):
    assert early.candidates([arg.format(f=folder) for arg in argv]) is None


@pytest.mark.parametrize("argv", [["allocate", "{f}"], ["report", "--month", "2026-10", "{f}", "-j", "1"],
                                  ["validate", "{f}", "--jobs=1"], ["score", "{f}", "-j", "3", "-j", "1"]])
def test_commands_reading_a_folder_with_one_process_read_its_customer_list_early(folder, argv):
    found = early.candidates([arg.format(f=folder) for arg in argv])
    assert found is not None and found[0] == folder


def test_the_sizes_read_early_are_those_the_read_ahead_reads_ahead(tmp_path, monkeypatch):
    monkeypatch.setattr(early, "LARGE_BYTES", 10)
    monkeypatch.setattr(early, "ALONE_BYTES", 20)
    for name, size in [("a.xlsx", 9), ("b.xlsx", 10), ("c.xlsx", 20), ("d.xlsx", 21), ("e.csv", 15),
                       ("~$f.xlsx", 15), (".g.xlsx", 15), ("h.XLSM", 15)]:
        (tmp_path / name).write_bytes(b"x" * size)
    assert sorted(early.candidates(["allocate", str(tmp_path)])[1]) == [(10, "b.xlsx"), (15, "h.XLSM"), (20, "c.xlsx")]


def test_the_largest_workbook_named_a_customer_list_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(early, "LARGE_BYTES", 1)
    for name, size in [("客户清单.xlsx", 5), ("customers.xlsx", 6), ("月初客户清单.xlsx", 9), ("员工.xlsx", 9)]:
        (tmp_path / name).write_bytes(b"x" * size)
    early.start(["allocate", str(tmp_path)])
    try:
        assert early._early.path == tmp_path / "customers.xlsx"
    finally:
        early.finish()
    (tmp_path / "customers.xlsx").unlink()
    (tmp_path / "客户清单.xlsx").unlink()
    early.start(["allocate", str(tmp_path)])      # no customer list by name: nothing read, nothing taken
    assert early._early.path is None
    assert early.take(tmp_path / "月初客户清单.xlsx", RULES.input, None) is None
    early.finish()


def test_finish_waits_for_the_thread_and_drops_the_book(folder):
    early.start(["allocate", str(folder)])
    thread = early._early.thread
    early.finish()
    assert not thread.is_alive() and early._early is None
    assert early.take(folder / "客户清单.xlsx", RULES.input, None) is None
