"""Arrow parses a CSV a block of bytes at a time (``csvread.ARROW_BLOCK_BYTES``), each block a chunk of every
column: what is read, converted and reported never depends on where blocks end."""

from __future__ import annotations

import pandas as pd
import pytest

from branchkit.io import csvread
from branchkit.io.csvread import read_csv_grid
from branchkit.io.ledger import read_grid
from branchkit.problems import ProblemLog
from branchkit.rules import load_rules

_KINDS = ["个人", "对公", "外星人", ""]


def _text(rows: int) -> bytes:
    lines = ["客户号,客户名称,客户类型,存款余额,开户日期"]
    for i in range(rows):
        amount = "abc" if i % 97 == 5 else f"{i * 10.5:.2f}" if i % 13 else f"{i:,}万"
        date = "2026-13-45" if i % 89 == 7 else f"2026-0{1 + i % 9}-1{i % 10}"
        lines.append(f"{i:06d},客户{i} ,{_KINDS[i % 4]},\"{amount}\",{date}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _read(data: bytes) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    grid = read_csv_grid(data, "a.csv")
    chunks = grid.frame[0].array.__arrow_array__().num_chunks
    log = ProblemLog()
    frame, _ = read_grid(grid, "customers", load_rules(None), log)
    return frame, log.frame(), chunks


@pytest.mark.parametrize("block", [1 << 10, 4 << 10, 1 << 20])
def test_any_block_size_reads_the_same_ledger_and_problems(monkeypatch, block):
    data = _text(6_000)
    whole = _read(data)
    monkeypatch.setattr(csvread, "ARROW_BLOCK_BYTES", block)
    frame, problems, chunks = _read(data)
    assert (chunks > 1) == (block < len(data))
    pd.testing.assert_frame_equal(frame, whole[0])
    pd.testing.assert_frame_equal(problems, whole[1])
    assert set(problems["code"]) >= {"not_a_number", "unknown_value", "missing_value"}


def test_a_file_larger_than_a_block_comes_as_several_chunks(monkeypatch):
    data = _text(6_000)
    monkeypatch.setattr(csvread, "ARROW_BLOCK_BYTES", len(data) // 4)
    assert _read(data)[2] >= 4
    monkeypatch.setattr(csvread, "ARROW_BLOCK_BYTES", 2 * len(data))
    assert _read(data)[2] == 1
