"""``score`` on a generated branch network laid out like the shipped sample_data/ (Must show 4).

sample_data/ was not yet on main when this was written, so the test writes an equivalent folder: the
same file names (客户清单.xlsx with 对公客户 and 个人客户 sheets, 月初客户清单.xlsx, 员工.xlsx, 拜访记录.xlsx,
柜员识别客户登记表.xlsx, 产品营销.xlsx, 工作日志.xlsx, 扣分.xlsx, 千分制.xlsx, 绩效工资.xlsx) with title rows,
Chinese headers, names for people, totals rows, and a rules.toml holding October 2026's holidays.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl
import pytest

from branchkit.cli import app

BRANCHES = ["城中支行", "城南支行", "城北支行"]
ROLES = ["行长", "副行长", "对公客户经理", "对公客户经理", "个人客户经理", "个人客户经理", "低柜柜员", "综合柜员",
         "高柜柜员", "大堂经理", "大堂引导员"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
RULES = """\
[calendar]
holidays = [2026-10-01, 2026-10-02, 2026-10-05, 2026-10-06, 2026-10-07]
extra_workdays = [2026-10-10]
"""
DAYS = [dt.date(2026, 10, d) for d in (8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30)]


def _workbook(path: Path, sheets: dict[str, tuple[str, list[str], list[list[object]]]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (title, header, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    book.save(path)


def _staff(rng: random.Random) -> list[tuple[str, str, str, str, str]]:
    """(id, name, role, branch, state): every role in every branch; unique names."""
    out, used = [], set()
    for b, branch in enumerate(BRANCHES):
        for r, role in enumerate(ROLES):
            name = ""
            while not name or name in used:
                name = rng.choice(SURNAMES) + rng.choice("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂")
            used.add(name)
            state = "离职" if (b, r) == (1, 5) else "休假" if (b, r) == (2, 6) else "在岗"
            out.append((f"{b + 1}{r + 1:03d}", name, role, branch, state))
    return out


def write_network(folder: Path, seed: int = 7) -> None:
    """Three branches, a month of every ledger score reads."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    staff = _staff(rng)
    _workbook(folder / "员工.xlsx", {"员工": ("员工花名册", ["工号", "姓名", "岗位", "所属网点", "在岗"],
                                           [list(s) for s in staff])})
    _customers(folder, rng, staff)
    _events(folder, rng, staff)
    heads = [s for s in staff if s[2] in ("行长", "副行长")]
    _workbook(folder / "千分制.xlsx", {"千分制": ("2026年10月千分制考核", ["工号", "千分制得分"],
                                              [[s[0], rng.randint(650, 980)] for s in heads])})
    _workbook(folder / "绩效工资.xlsx", {"绩效工资": ("绩效工资分配", ["网点", "绩效工资总额(万元)"],
                                                [[b, round(rng.uniform(3, 8), 4)] for b in BRANCHES]
                                                + [["合计", None]])})
    (folder / "rules.toml").write_text(RULES, encoding="utf-8")


def _customers(folder: Path, rng: random.Random, staff) -> None:
    keepers = [s for s in staff if s[4] != "离职"]
    start, end = {"对公客户": [], "个人客户": []}, {"对公客户": [], "个人客户": []}
    for i in range(240):
        sheet = "对公客户" if i % 3 == 0 else "个人客户"
        keeper = rng.choice(keepers)
        deposit = round(rng.lognormvariate(11, 1.2), 2)
        row = [f"{i + 1:06d}", f"客户{i + 1}", sheet[:2], keeper[3], deposit, keeper[1], None, "存量"]
        if i % 10 != 9:                       # one in ten is new this month
            start[sheet].append(list(row))
        row[4] = round(deposit * rng.choice([0.9, 1.0, 1.05, 1.2]), 2)
        row[6] = rng.choice(keepers)[0] if i % 10 == 9 and rng.random() < 0.6 else None
        end[sheet].append(row)
    header = ["客户号", "客户名称", "客户类型", "所属网点", "存款余额", "管户人", "营销人", "客户状态"]
    total = lambda rows: ["合计", None, None, None, round(sum(r[4] for r in rows), 2), None, None, None]  # noqa
    _workbook(folder / "客户清单.xlsx", {k: (f"存量客户清单 {k}", header, v + [total(v)]) for k, v in end.items()})
    _workbook(folder / "月初客户清单.xlsx", {"月初客户清单": ("月初客户清单 2026-10-01", header,
                                                      start["对公客户"] + start["个人客户"])})


def _events(folder: Path, rng: random.Random, staff) -> None:
    people = [s for s in staff]
    rms = [s for s in staff if "客户经理" in s[2]]
    tellers = [s for s in staff if "柜员" in s[2] or "大堂" in s[2]]
    some_day = lambda: rng.choice(DAYS) if rng.random() > 0.05 else dt.date(2026, 9, rng.randint(1, 30))  # noqa
    visits = [[some_day(), r[1], f"{rng.randint(1, 240):06d}", rng.choice(["外拓", "上门", "电话"])]
              for r in rms for _ in range(rng.randint(4, 16))]
    _workbook(folder / "拜访记录.xlsx", {"拜访记录": ("目标客户拓展记录", ["拜访日期", "拜访人", "客户号", "拜访方式"],
                                                  visits)})
    referrals = [[some_day(), t[1], f"客户{rng.randint(1, 240)}"] for t in tellers for _ in range(rng.randint(0, 6))]
    _workbook(folder / "柜员识别客户登记表.xlsx", {"柜员识别客户登记表": (
        "柜员识别客户登记表", ["登记日期", "登记柜员", "客户名称"], referrals)})
    sales = []
    for _ in range(150):
        closer = rng.choice(people)
        same_branch = [s for s in people if s[3] == closer[3] and s != closer]
        lead = rng.choice(same_branch)[1] if rng.random() < 0.3 else None
        sales.append([some_day(), rng.choice(["信用卡", "基金", "理财", "手机银行"]), f"客户{rng.randint(1, 240)}",
                      closer[1], lead, rng.choice([10, 20, 35.5, 50, 16.67])])
    _workbook(folder / "产品营销.xlsx", {"产品营销": ("产品营销计价登记", ["营销日期", "产品名称", "客户", "营销实施人",
                                                              "信息获取人", "计价金额"], sales)})
    logs = [[s[0], d] for s in people for d in DAYS if rng.random() < 0.85]
    logs += [[s[0], DAYS[0]] for s in people[:5]]            # a day logged twice
    _workbook(folder / "工作日志.xlsx", {"工作日志": ("系统工作日志", ["工号", "日期"], logs)})
    deductions = [[rng.choice(people)[0], rng.choice([1, 2, 3]), "迟到", some_day()] for _ in range(8)]
    _workbook(folder / "扣分.xlsx", {"扣分": ("扣分登记", ["工号", "扣分", "原因", "日期"], deductions)})


@pytest.fixture(scope="module")
def network(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample") / "sample_data"
    write_network(folder)
    return folder


SHEETS = ["积分与绩效工资", "平衡计分卡", "奖金池", "绩效工资", "台账行计入情况", "积分卡明细", "计价台账", "审计明细",
          "未计入的行"]


def test_every_sheet_of_the_month_on_the_sample(runner, network, tmp_path):
    target = tmp_path / "score.xlsx"
    result = runner.invoke(app, ["score", "--month", "2026-10", str(network), "-o", str(target), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames[:len(SHEETS)] == SHEETS
    statements = book.sheetnames[len(SHEETS):]
    assert len(statements) == 3 * len(ROLES) - 1                        # everyone but the one who left
    pools = [r for r in book["奖金池"].iter_rows(values_only=True)][1:]
    pay = [r for r in book["积分与绩效工资"].iter_rows(values_only=True)]
    bonus_at = pay[0].index("绩效奖金(元)")
    branch_at = pay[0].index("网点")
    for pool in pools:
        paid = sum(round(r[bonus_at] * 100) for r in pay[1:] if r[branch_at] == pool[0])
        assert paid == round(pool[3] * 100)                            # each branch's bonuses = its pool
    for title in SHEETS:
        assert book[title].max_row > 1, title


def test_compare_on_the_sample_shows_a_difference(runner, network, tmp_path):
    what_if = tmp_path / "what_if.toml"
    what_if.write_text("[scoring.roles.corporate_rm.weights]\noutbound_visits = 40\ndeposit_up = 20\n",
                       encoding="utf-8")
    target = tmp_path / "compare.csv"
    result = runner.invoke(app, ["score", "--month", "2026-10", str(network), "--compare", str(what_if),
                                 "-o", str(target)])
    assert result.exit_code == 0, result.output
    lines = target.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    changes = [float(line.split(",")[header.index("total_change")]) for line in lines[1:]]
    assert any(abs(c) > 0 for c in changes)
    assert "compare:" in result.stderr and "people change" in result.stderr


# --- the shipped sample_data/ -----------------------------------------------------------------

SHIPPED = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.mark.slow
def test_every_sheet_on_the_shipped_sample(runner, tmp_path):
    if not SHIPPED.is_dir():
        pytest.skip("no sample_data/ beside the tests")
    target = tmp_path / "score.xlsx"
    # Two people are named 王静 (城中 and 城东); sales and referrals naming her are told apart by the
    # branch of the customer they name, so the sample computes with nothing rejected.
    result = runner.invoke(app, ["score", "--month", "2026-10", str(SHIPPED), "-o", str(target),
                                 "--allocation", str(SHIPPED / "上月分配.csv")])
    assert result.exit_code == 0, result.output
    assert "ambiguous_staff" not in result.stderr and not (tmp_path / "score.xlsx.rejected.csv").exists()
    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames[:len(SHEETS)] == SHEETS
    summary = [r for r in book["积分与绩效工资"].iter_rows(values_only=True)]
    assert len(book.sheetnames) == len(SHEETS) + len(summary) - 1        # a statement per scored person
    for title in SHEETS:
        assert book[title].max_row > 1, title
    header = summary[0]
    paid = {}
    for row in summary[1:]:
        paid[row[header.index("网点")]] = paid.get(row[header.index("网点")], 0) + round(
            row[header.index("绩效奖金(元)")] * 100)
    pools = {r[0]: round(r[3] * 100) for r in list(book["奖金池"].iter_rows(values_only=True))[1:]}
    assert paid == pools


@pytest.mark.slow
def test_compare_on_the_shipped_sample(runner, tmp_path):
    if not SHIPPED.is_dir():
        pytest.skip("no sample_data/ beside the tests")
    what_if = tmp_path / "what_if.toml"
    what_if.write_text("[scoring.roles.default.weights]\nreferrals = 50\ndeposit_up = 20\n", encoding="utf-8")
    target = tmp_path / "compare.csv"
    result = runner.invoke(app, ["score", "--month", "2026-10", str(SHIPPED), "--skip-invalid", "--compare",
                                 str(what_if), "-o", str(target)])
    assert result.exit_code == 0, result.output
    lines = target.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    changes = [float(line.split(",")[header.index("total_change")]) for line in lines[1:]]
    assert sum(1 for c in changes if abs(c) > 1e-9) > 10
