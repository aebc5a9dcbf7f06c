"""``branchkit allocate`` through the CLI, on small ledgers written under tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from branchkit.cli import app

SHEETS = ["客户分配表", "1对N维护责任表", "负荷均衡", "存量客户细分统计表", "分配变动", "认领冲突", "未采纳的认领",
          "未分配客户", "目标客户责任表"]
STAFF = [["工号", "姓名", "岗位", "所属网点", "在岗"],
         ["001", "李行长", "行长", "城东支行", "在岗"], ["002", "周对公", "对公客户经理", "城东支行", "在岗"],
         ["003", "吴对公", "对公客户经理", "城东支行", "在岗"], ["004", "郑个人", "个人客户经理", "城东支行", "在岗"],
         ["005", "王柜员", "综合柜员", "城东支行", "在岗"], ["006", "冯大堂", "大堂经理", "城东支行", "休假"],
         ["007", "陈柜员", "低柜柜员", "城东支行", "在岗"]]
CUSTOMER_HEAD = ["客户号", "客户名称", "客户类型", "所属网点", "存款余额", "贷款余额", "企业规模", "管户人", "客户状态"]


def _customers() -> list[list]:
    rows = [["城东支行存量客户清单"], CUSTOMER_HEAD]
    rows += [["C01", "甲公司", "对公", "城东支行", 3_000_000, 0, "中型", "", "存量"],
             ["C02", "乙公司", "对公", "城东支行", 20_000, 0, "小型", "王柜员", "存量"],
             ["C03", "张三", "个人", "城东支行", 300_000, 0, "", "冯大堂", "存量"],
             ["C04", "李四", "个人", "城东支行", 1_000, 600_000, "", "005", "存量"],
             ["C05", "丙公司", "对公", "城东支行", 0, 0, "大型", "", "目标"],
             ["C06", "丁公司", "对公", "城东支行", 0, 0, "小型", "", "目标"]]
    rows += [[f"R{i:02d}", f"客户{i}", "个人", "城东支行", 1_000 * i, 0, "", "", "存量"] for i in range(1, 13)]
    rows.append(["合计", None, None, None, None, None, None, None, None])
    return rows


@pytest.fixture
def ledgers(book, tmp_path):
    """A branch: customers (with a title and a totals row), staff, claims with an equal-priority conflict."""
    customers = book("客户清单.xlsx", {"客户清单": _customers()}, merges={"客户清单": ["A1:I1"]})
    staff = book("员工.xlsx", {"员工": STAFF})
    claims = book("认领.xlsx", {"认领": [["认领人", "客户号", "认领日期", "锁定"],
                                      ["周对公", "C02", "2026-10-08", ""], ["吴对公", "C02", "2026-10-09", ""],
                                      ["郑个人", "C03", "2026-10-08", ""], ["陈柜员", "C04", "2026-10-09", ""]]})
    return {"customers": customers, "staff": staff, "claims": claims, "dir": tmp_path}


def _args(ledgers: dict, *extra: str) -> list[str]:
    return ["allocate", "--customers", str(ledgers["customers"]), "--staff", str(ledgers["staff"]),
            "--claims", str(ledgers["claims"]), *extra]


def _sheets(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {name: [tuple(r) for r in wb[name].iter_rows(values_only=True)] for name in wb.sheetnames}


def _records(rows: list[tuple]) -> list[dict]:
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_xlsx_has_every_sheet_and_the_totals_reconcile(runner, ledgers):
    out = ledgers["dir"] / "分配.xlsx"
    result = runner.invoke(app, _args(ledgers, "-o", str(out)))
    assert result.exit_code == 0, result.output
    assert "customers: read 18 = allocated 18 (2 targets) + unplaced 0 + out of scope 0 + rejected 0" in result.stderr
    sheets = _sheets(out)
    # the ledger has no 金融资产 column (deposits stand in) nor 营销人 (no customer goes to its marketer): the
    # first sheet says so, then the tables
    assert list(sheets)[:10] == ["缺少的列与台账", *SHEETS]
    assert [r[1] for r in sheets["缺少的列与台账"][1:]] == ["金融资产 (financial_assets)", "营销人 (marketer)"]
    assert sorted(s for s in sheets if s.startswith("台账-")) == [
        "台账-周对公-002", "台账-李行长-001", "台账-王柜员-005", "台账-郑个人-004", "台账-陈柜员-007"]
    rows = {r["客户号"]: r for r in _records(sheets["客户分配表"])}
    assert len(rows) == 18
    assert rows["C01"]["维护责任人工号"] == "001" and rows["C01"]["关系层级"] == "高端"
    assert rows["C03"]["维护责任人工号"] == "004" and rows["C03"]["来源"] == "认领"       # RM outranks lobby
    assert rows["C04"]["维护责任人工号"] == "004" and rows["C04"]["原因代码"] == "loan_needs_rm"
    assert {rows[f"R{i:02d}"]["维护责任人工号"] for i in range(1, 13)} == {"005", "007"}
    keepers = _records(sheets["1对N维护责任表"])
    assert sum(k["客户数"] for k in keepers) == 16
    seg = {(r["客户类型"], r["关系层级"]): r for r in _records(sheets["存量客户细分统计表"])}
    assert seg[("合计", "合计")]["客户数"] == 16
    targets = _records(sheets["目标客户责任表"])
    assert [t["营销责任人"] for t in targets] == ["李行长", "周对公"]      # large to the head, small to an RM
    ledger = sheets[next(s for s in sheets if s.startswith("台账-郑个人"))]
    firsts = [r[0] for r in ledger if r and r[0] is not None]
    assert firsts[:3] == ["客户维护台账", "维护责任人：郑个人", "工号：004"]
    assert "客户跟进记录表" in firsts and "周报表" in firsts and "目\u3000录" in firsts


def test_equal_priority_claims_are_on_the_conflicts_sheet_and_settled_by_the_tie_rule(runner, ledgers):
    out = ledgers["dir"] / "分配.xlsx"
    assert runner.invoke(app, _args(ledgers, "-o", str(out))).exit_code == 0
    sheets = _sheets(out)
    conflicts = _records(sheets["认领冲突"])
    assert [(c["客户号"], c["认领人工号"], c["暂定胜出"]) for c in conflicts] == [("C02", "002", "是"),
                                                                          ("C02", "003", "否")]
    assert {c["裁定规则"] for c in conflicts} == {"工号较小"}       # equal loads: the lower staff id
    declined = _records(sheets["未采纳的认领"])
    assert [(d["客户号"], d["认领人工号"], d["原因代码"]) for d in declined] == [("C02", "003", "tie_lost"),
                                                                       ("C04", "007", "loan_needs_rm")]
    assert declined[0]["行号"] == 3 and declined[0]["工作表"] == "认领"
    rows = {r["客户号"]: r for r in _records(sheets["客户分配表"])}
    assert rows["C02"]["维护责任人工号"] == "002" and rows["C02"]["上月维护人工号"] == "005"


def test_csv_is_canonical_and_byte_stable_and_jobs_do_not_change_it(runner, ledgers):
    outs = [ledgers["dir"] / f"a{i}.csv" for i in range(3)]
    for out, jobs in zip(outs, ("1", "1", "2")):
        assert runner.invoke(app, _args(ledgers, "-o", str(out), "--jobs", jobs)).exit_code == 0
    data = [o.read_bytes() for o in outs]
    assert data[0] == data[1] == data[2]
    frame = pd.read_csv(outs[0], dtype=str)
    assert list(frame.columns)[:11] == ["customer_id", "name", "kind", "branch", "tier", "retail_tier", "keeper",
                                        "keeper_name", "keeper_role", "source", "previous_keeper"]
    assert set(frame["source"]) <= {"kept", "claim", "distributed", "spill", "target"}
    assert frame.set_index("customer_id").loc["C04", "reason"] == "loan_needs_rm"


def test_dry_run_prints_the_summary_and_changes_and_writes_nothing(runner, ledgers):
    out, history = ledgers["dir"] / "x.xlsx", ledgers["dir"] / "h.csv"
    result = runner.invoke(app, _args(ledgers, "-o", str(out), "--dry-run", "--month", "2026-10",
                                      "--history", str(history)))
    assert result.exit_code == 0, result.output
    assert not out.exists() and not history.exists()
    assert "changes (3):" in result.stdout                   # what a dry run is for: data, on stdout
    assert "C04 李四: 005 -> 004 (a customer with a loan is kept by the head, a deputy or the relationship " \
        "manager of its kind)" in result.stdout and "loan_needs_rm" not in result.stdout
    assert "dry run: nothing written" in result.stderr


def test_a_quiet_dry_run_still_shows_its_changes(runner, ledgers):
    result = runner.invoke(app, _args(ledgers, "--dry-run", "-q"))
    assert result.exit_code == 0, result.output
    assert "changes (3):" in result.stdout and result.stderr == ""


def test_without_output_the_run_says_nothing_was_written(runner, ledgers):
    result = runner.invoke(app, _args(ledgers))
    assert result.exit_code == 0, result.output
    assert "no file written: give -o FILE" in result.stderr
    assert "no file written" not in runner.invoke(app, _args(ledgers, "-q")).stderr


def test_history_needs_a_month_and_grows_month_by_month(runner, ledgers):
    history = ledgers["dir"] / "history.csv"
    result = runner.invoke(app, _args(ledgers, "--history", str(history)))
    assert result.exit_code == 2 and "--month" in result.stderr
    assert runner.invoke(app, _args(ledgers, "--month", "2026-10", "--history", str(history))).exit_code == 0
    first = history.read_bytes()
    frame = pd.read_csv(history, dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["customer_id", "keeper", "from", "to", "reason"]
    assert len(frame) == 18 and set(frame["from"]) == {"2026-10"} and set(frame["to"]) == {""}
    assert frame.set_index("customer_id").loc["C04", "reason"] == "loan_needs_rm"
    assert runner.invoke(app, _args(ledgers, "--month", "2026-10", "--history", str(history))).exit_code == 0
    assert history.read_bytes() == first                          # running a month again changes nothing
    bad = runner.invoke(app, _args(ledgers, "--month", "2026-9", "--history", str(history)))
    assert bad.exit_code == 2 and "YYYY-MM" in bad.stderr


def test_last_months_csv_output_is_next_months_previous_and_a_leaver_moves_only_theirs(runner, ledgers, book):
    month1 = ledgers["dir"] / "m1.csv"
    assert runner.invoke(app, _args(ledgers, "-o", str(month1))).exit_code == 0
    first = pd.read_csv(month1, dtype=str).set_index("customer_id")
    staff = [row[:] for row in STAFF]
    staff[5][4] = "离职"                                          # 王柜员 (005) leaves
    left_staff = book("员工2.xlsx", {"员工": staff})
    month2 = ledgers["dir"] / "m2.xlsx"
    result = runner.invoke(app, ["allocate", "--customers", str(ledgers["customers"]), "--staff", str(left_staff),
                                 "--previous", str(month1), "-o", str(month2)])
    assert result.exit_code == 0, result.output
    changes = _records(_sheets(month2)["分配变动"])
    theirs = set(first.index[first["keeper"] == "005"])
    assert {c["客户号"] for c in changes} == theirs
    assert {(c["上月维护人工号"], c["原因代码"]) for c in changes} == {("005", "keeper_left")}


def test_the_chinese_workbook_reads_back_as_last_months_allocation(runner, ledgers):
    month1 = ledgers["dir"] / "m1.xlsx"
    assert runner.invoke(app, _args(ledgers, "-o", str(month1), "--no-ledgers")).exit_code == 0
    month2 = ledgers["dir"] / "m2.csv"
    result = runner.invoke(app, ["allocate", "--customers", str(ledgers["customers"]), "--staff",
                                 str(ledgers["staff"]), "--previous", str(month1), "-o", str(month2)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(month2, dtype=str)
    assert (frame["source"].isin(["kept", "target"])).all()
    assert frame["reason"].isna().all()


def test_html_has_the_load_and_tier_charts(runner, ledgers):
    out = ledgers["dir"] / "a.html"
    assert runner.invoke(app, _args(ledgers, "-o", str(out))).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and "维护负荷" in html and "存量客户层级分布" in html
    assert "客户：读入 18 户" in html


def test_english_labels_and_missing_staff_is_a_usage_error(runner, ledgers):
    out = ledgers["dir"] / "a.xlsx"
    assert runner.invoke(app, _args(ledgers, "-o", str(out), "--lang", "en")).exit_code == 0
    assert "Allocation" in _sheets(out)
    result = runner.invoke(app, ["allocate", "--customers", str(ledgers["customers"])])
    assert result.exit_code == 2 and "--staff" in result.stderr


def test_skip_invalid_counts_rejected_customers_in_the_reconciliation(runner, book, ledgers):
    rows = _customers()
    rows[3][4] = "很多"                                            # C02: not an amount
    bad = book("客户清单2.xlsx", {"客户清单": rows})
    out = ledgers["dir"] / "a.csv"
    args = ["allocate", "--customers", str(bad), "--staff", str(ledgers["staff"]), "-o", str(out)]
    assert runner.invoke(app, args).exit_code == 1 and not out.exists()
    result = runner.invoke(app, [*args, "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "read 18 = allocated 17 (2 targets) + unplaced 0 + out of scope 0 + rejected 1" in result.stderr
    assert (ledgers["dir"] / "a.csv.rejected.csv").exists()


def test_runs_as_a_program(ledgers):
    out = ledgers["dir"] / "p.csv"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    done = subprocess.run([sys.executable, "-m", "branchkit", *_args(ledgers, "-o", str(out))], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "customers: read 18 = allocated 18" in done.stderr and out.exists()


def test_the_heap_is_settled_after_the_computation_and_before_the_write(runner, ledgers, monkeypatch):
    """memory.settle runs once, between allocating and writing (the write's peak is the command's)."""
    from branchkit import memory
    from branchkit.results import Allocated
    from branchkit.session import Ledgers

    steps: list[str] = []

    def logged(step, real):
        def call(self, *args, **kwargs):
            steps.append(step)
            return real(self, *args, **kwargs)
        return call

    monkeypatch.setattr(memory, "settle", lambda: steps.append("settle"))
    monkeypatch.setattr(memory, "thaw", lambda: steps.append("thaw"))
    monkeypatch.setattr(Ledgers, "allocate", logged("compute", Ledgers.allocate))
    monkeypatch.setattr(Allocated, "write", logged("write", Allocated.write))
    out = ledgers["dir"] / "a.xlsx"
    assert runner.invoke(app, _args(ledgers, "-o", str(out))).exit_code == 0
    assert steps == ["compute", "settle", "write", "thaw"]
    assert out.exists()


def test_settle_collects_and_gives_freed_heap_back(monkeypatch):
    from branchkit import memory

    calls: list[str] = []
    monkeypatch.setattr(memory.gc, "collect", lambda: calls.append("collect") or 0)
    monkeypatch.setattr(memory, "give_back_freed", lambda: calls.append("trim"))
    monkeypatch.setattr(memory, "_arrow_decay", lambda ms: calls.append(f"decay {ms}") or True)
    monkeypatch.setattr(memory.gc, "freeze", lambda: calls.append("freeze"))
    before = memory.gc.get_threshold()
    memory.settle()
    try:
        assert calls == ["collect", "trim", "decay 0", "freeze"]
        assert memory.gc.get_threshold() == (memory.WRITE_GC_THRESHOLD, *before[1:])
    finally:
        memory.thaw()
    assert memory.gc.get_threshold() == before


def test_what_settle_freezes_is_thawed_after_the_write_even_when_it_fails(runner, ledgers, monkeypatch):
    """The objects alive before the write are out of the collector's sight during it (gc.freeze) and
    back in it afterwards, whether the write succeeded or not; so are the collector's thresholds."""
    import gc

    from branchkit import memory
    from branchkit.results import Allocated

    frozen: list[int] = []

    def failing(self, *args, **kwargs):
        frozen.append(gc.get_freeze_count())
        thresholds.append(gc.get_threshold()[0])
        raise OSError("disk full")

    thresholds: list[int] = []
    before = gc.get_threshold()

    out = ledgers["dir"] / "a.xlsx"
    assert runner.invoke(app, _args(ledgers, "-o", str(out))).exit_code == 0
    assert gc.get_freeze_count() == 0
    monkeypatch.setattr(Allocated, "write", failing)
    result = runner.invoke(app, _args(ledgers, "-o", str(out)))
    assert result.exit_code != 0
    assert frozen and frozen[0] > 1000 and gc.get_freeze_count() == 0
    assert thresholds == [memory.WRITE_GC_THRESHOLD] and gc.get_threshold() == before      # collected less often
