"""The Python library: ``branchkit.open`` and its results equal what the commands read and write."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import branchkit
from branchkit.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
MONTH = "2026-10"


@pytest.fixture(scope="module")
def ledgers() -> branchkit.Ledgers:
    return branchkit.open(SAMPLE)


def _cli_bytes(runner, tmp_path: Path, name: str, *args: str) -> bytes:
    out = tmp_path / name
    result = runner.invoke(app, [*args, "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.mark.parametrize("name, command, call", [
    ("allocation.csv", ["allocate", str(SAMPLE)], lambda l: l.allocate()),
    ("staff.csv", ["staff", str(SAMPLE)], lambda l: l.staff()),
    ("hours.json", ["staff", str(SAMPLE), "--by", "hour"], lambda l: l.staff(by="hour")),
    ("plan.csv", ["plan", str(SAMPLE)], lambda l: l.plan()),
    ("score.json", ["score", str(SAMPLE), "--month", MONTH], lambda l: l.score(MONTH)),
    ("report.csv", ["report", str(SAMPLE), "--month", MONTH], lambda l: l.report(MONTH)),
    ("quarter.json", ["report", str(SAMPLE), "--quarter", "2026Q3"], lambda l: l.quarter("2026Q3")),
])
def test_library_writes_the_bytes_the_command_writes(ledgers, runner, tmp_path, name, command, call) -> None:
    (tmp_path / "cli").mkdir()
    expected = _cli_bytes(runner, tmp_path / "cli", name, *command)
    written = tmp_path / name
    call(ledgers).write(written)
    assert written.read_bytes() == expected


def test_the_table_is_the_csv_contract(ledgers, runner, tmp_path) -> None:
    result = ledgers.allocate()
    table = result.table
    assert list(table.columns[:11]) == ["customer_id", "name", "kind", "branch", "tier", "retail_tier", "keeper",
                                        "keeper_name", "keeper_role", "source", "previous_keeper"]
    assert len(table) == len(ledgers["customers"]) == 3000
    csv = pd.read_csv(pd.io.common.BytesIO(_cli_bytes(runner, tmp_path, "a.csv", "allocate", str(SAMPLE))),
                      dtype=str, keep_default_na=False)
    assert table["customer_id"].tolist() == csv["customer_id"].tolist()
    assert table["keeper"].fillna("").tolist() == csv["keeper"].tolist()
    assert {"changes", "conflicts", "declined", "keepers", "balance"} <= set(result.tables)
    assert result.counts.reconciles


def test_score_tables_hold_the_pools_to_the_cent(ledgers) -> None:
    scored = ledgers.score(MONTH)
    pools = scored.tables["pools"]
    bonus = scored.table.groupby("branch")["bonus"].sum().round(2)
    assert len(pools) == 4
    assert set(bonus.index) == set(pools["branch"])


def test_dataframes_read_as_the_files_are(tmp_path) -> None:
    customers = pd.DataFrame({
        "客户号": ["001", "002", "003"], "客户名称": ["甲公司", "乙", "丙"], "客户类型": ["对公", "个人", "个人"],
        "网点": ["城中", "城中", "城中"], "存款余额(万元)": [150, 12.5, None], "贷款余额": [0, 600000, 0],
    })
    staff = pd.DataFrame({"工号": [101, 102], "姓名": ["张三", "李四"], "岗位": ["行长", "个人客户经理"],
                          "网点": ["城中", "城中"]})
    from_frames = branchkit.open(customers=customers, staff=staff)
    customers.to_csv(tmp_path / "c.csv", index=False)
    staff.to_csv(tmp_path / "s.csv", index=False)
    from_files = branchkit.open(customers=tmp_path / "c.csv", staff=tmp_path / "s.csv")
    frame = from_frames["customers"]
    assert frame["customer_id"].tolist() == ["001", "002", "003"]
    assert frame["deposit"].tolist()[:2] == [1_500_000.0, 125_000.0]      # 万元 in the header, applied
    assert from_frames["staff"]["staff_id"].tolist() == ["101", "102"]     # numbers as ids: text
    assert frame["_row"].tolist() == [2, 3, 4]                               # as a sheet under its header
    a, b = from_frames.allocate().table, from_files.allocate().table
    pd.testing.assert_frame_equal(a, b)
    assert a.set_index("customer_id").loc["002", "keeper"] == "102"          # loan customer: retail RM


def test_bad_rows_raise_with_the_problems_as_a_frame() -> None:
    customers = pd.DataFrame({"客户号": ["1", "1", "2"], "客户名称": ["甲", "乙", "丙"],
                              "客户类型": ["对公", "对公", "火星"], "存款余额": [1, -5, 3]})
    with pytest.raises(branchkit.DataError) as caught:
        branchkit.open(customers=customers)
    problems = caught.value.problems
    assert list(problems.columns) == ["file", "sheet", "row", "column", "value", "code", "severity", "message", "kind"]
    assert {"duplicate_id", "negative"} <= set(problems["code"]) or len(problems) >= 2
    assert set(problems["row"].dropna().astype(int)) >= {3, 4}
    kept = branchkit.open(customers=customers, skip_invalid=True)
    assert len(kept.rejected) + len(kept["customers"]) == 3


def test_a_dataframe_must_be_given_by_kind() -> None:
    with pytest.raises(branchkit.UsageError, match="customers=df"):
        branchkit.open(pd.DataFrame({"a": [1]}))
    with pytest.raises(branchkit.UsageError, match="unknown ledger kind"):
        branchkit.open(custmers=pd.DataFrame({"a": [1]}))


def test_the_library_loads_no_command_line_machinery(tmp_path) -> None:
    code = (
        "import sys, branchkit\n"
        f"l = branchkit.open({str(SAMPLE)!r})\n"
        f"l.allocate().write({str(tmp_path / 'a.xlsx')!r})\n"
        f"l.report('{MONTH}').write({str(tmp_path / 'r.html')!r})\n"
        "loaded = [m for m in ('typer', 'click', 'rich', 'branchkit.cli', 'branchkit.console', 'branchkit.memory')"
        " if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.xlsx").stat().st_size > 0 and (tmp_path / "r.html").stat().st_size > 0


def test_every_public_name_has_a_docstring() -> None:
    assert branchkit.__doc__ and "branchkit.open" in branchkit.__doc__
    for name in branchkit.__all__:
        assert getattr(branchkit, name).__doc__, name
    for method in ("allocate", "staff", "plan", "score", "report", "quarter", "require_clean"):
        assert getattr(branchkit.Ledgers, method).__doc__, method
    for method in ("write", "report"):
        assert getattr(branchkit.Result, method).__doc__, method


def test_the_readme_python_example_runs_as_written(tmp_path, monkeypatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "README's Python section has no python block"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sample_data").symlink_to(SAMPLE, target_is_directory=True)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_numbers_of_a_frame_in_decimal_and_numpy_widths_read_as_numbers():
    # database drivers give decimal.Decimal for NUMERIC: it was "not_a_number ... expected a number"
    import decimal

    import numpy as np

    customers = pd.DataFrame({"客户号": pd.Series([np.int32(7), decimal.Decimal("8")], dtype=object),
                              "客户名称": ["甲", "乙"], "客户类型": ["对公", "个人"],
                              "存款余额": pd.Series([decimal.Decimal("1500000.00"), np.float32(125000.5)], dtype=object),
                              "贷款余额": pd.Series([np.uint16(3), decimal.Decimal("0")], dtype=object)})
    read = branchkit.open(customers=customers).used("customers")
    assert read["customer_id"].tolist() == ["7", "8"]
    assert read["deposit"].tolist() == [1500000.0, 125000.5] and read["loan"].tolist() == [3.0, 0.0]


def test_text_given_as_bytes_in_a_frame_is_the_text_they_hold():
    # a name given as b'\xe7\x94\xb2' was read and written as the text "b'\\xe7\\x94\\xb2'"
    customers = pd.DataFrame({"客户号": ["1", "2"], "客户名称": pd.Series(["甲".encode(), "乙".encode("gbk")], dtype=object),
                              "客户类型": ["个人", "个人"], "存款余额": [1, 2]})
    assert branchkit.open(customers=customers).used("customers")["name"].tolist() == ["甲", "乙"]
