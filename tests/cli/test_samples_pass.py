"""``branchkit sample`` at any size passes every command without --skip-invalid (its staff names can be
shared across branches: where a ledger row cannot tell the branch, the person is written by staff id)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from branchkit.cli import app

SIZES = [(1, 250, 1), (3, 900, 5), (12, 1500, 11)]
COMMANDS = [["validate"], ["allocate", "-o", "a.csv"], ["staff", "-o", "s.csv"], ["plan", "-o", "p.csv"],
            ["score", "--month", "2026-10", "-o", "sc.csv"], ["report", "--month", "2026-10", "-o", "r.html"],
            ["report", "--quarter", "2026Q3", "-o", "q.csv"]]


@pytest.fixture(scope="module", params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}-seed{s[2]}")
def sample(request, tmp_path_factory) -> Path:
    branches, customers, seed = request.param
    folder = tmp_path_factory.mktemp("sample") / "ledgers"
    result = CliRunner().invoke(app, ["sample", str(folder), "--branches", str(branches), "--customers",
                                      str(customers), "--seed", str(seed), "-q"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_command_passes_on_the_sample(sample, tmp_path, command):
    args = [a if not a.endswith((".csv", ".html")) else str(tmp_path / a) for a in command]
    result = CliRunner().invoke(app, [args[0], str(sample), *args[1:]])
    assert result.exit_code == 0, result.output
    assert "error:" not in result.output
    assert not re.search(r"rejected [1-9]", result.output)            # every row used


def _table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """A sheet under its header row (the first row naming a known column), totals row dropped."""
    book = CalamineWorkbook.from_path(str(path))
    cells = book.get_sheet_by_name(sheet or book.sheet_names[0]).to_python()
    header = next(i for i, row in enumerate(cells) if {"营销实施人", "姓名", "客户名称"} & set(row))
    frame = pd.DataFrame(cells[header + 1:], columns=cells[header])
    return frame[~frame.iloc[:, 0].astype(str).str.contains("合计")]


def test_where_a_sale_cannot_tell_the_branch_a_shared_name_is_written_as_the_staff_id(tmp_path):
    folder = tmp_path / "net"
    assert CliRunner().invoke(app, ["sample", str(folder), "--branches", "12", "--customers", "1500", "--seed",
                                    "11", "-q"]).exit_code == 0
    staff = _table(folder / "员工.xlsx")
    shared = staff[staff["姓名"].duplicated(keep=False)]
    assert shared["所属网点"].nunique() > 1                      # the same name in several branches
    listed = pd.concat([_table(folder / "客户清单.xlsx", s) for s in ("对公客户", "个人客户")])["客户名称"]
    sales = _table(folder / "产品营销.xlsx")
    unplaced = sales[~sales["客户"].isin(listed[~listed.duplicated(keep=False)])]
    people = pd.concat([unplaced["营销实施人"], unplaced["信息获取人"]])
    assert len(unplaced) and not people.isin(shared["姓名"]).any()
    assert people.isin(shared["工号"]).any()                       # some of them were shared names
