"""``branchkit allocate`` on a whole network: the shipped sample when present, and a generated one.

The generated network is written the way branches keep their ledgers: the
customer list on two sheets (对公客户, 个人客户) under a title row and over a
totals row, Chinese headers and role names, staff on leave and staff who
left still named as keepers, claims with ties and a lock, and last month's
allocation as a CSV.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from branchkit.cli import app
from branchkit.rules import load_rules

SAMPLE = Path(__file__).parents[2] / "sample_data"
SHEETS = ["客户分配表", "1对N维护责任表", "负荷均衡", "存量客户细分统计表", "分配变动", "认领冲突", "未采纳的认领",
          "未分配客户", "目标客户责任表"]
RULES = load_rules()
ROLE_ZH = {"head": "行长", "deputy": "副行长", "corporate_rm": "对公客户经理", "retail_rm": "个人客户经理",
           "low_counter": "低柜柜员", "comprehensive_teller": "综合柜员", "supervisor": "运营主管",
           "lobby_manager": "大堂经理", "lobby_guide": "大堂引导员", "high_counter": "高柜柜员", "back_office": "后台"}
TEAMS = {"城东支行": (1, 2, 3, 4, 2, 2, 1, 2, 1, 2, 1), "城西支行": (1, 1, 2, 3, 1, 2, 1, 1, 1, 1, 1),
         "南关乡镇网点": (1, 0, 1, 2, 0, 2, 1, 1, 0, 1, 0)}


def _staff(rng: np.random.Generator) -> pd.DataFrame:
    rows, n = [], 0
    for branch, counts in TEAMS.items():
        for role, count in zip(ROLE_ZH, counts):
            for _ in range(count):
                n += 1
                rows.append({"工号": f"{n:04d}", "姓名": f"员工{n:02d}", "岗位": ROLE_ZH[role], "所属网点": branch,
                             "在岗": "在岗", "role": role})
    staff = pd.DataFrame(rows)
    for branch in TEAMS:                              # one teller left, one RM on leave, in every branch
        mine = staff[staff["所属网点"] == branch]
        staff.loc[mine.index[mine["role"] == "comprehensive_teller"][0], "在岗"] = "离职"
        staff.loc[mine.index[mine["role"] == "retail_rm"][0], "在岗"] = "休假"
    return staff


def _customers(rng: np.random.Generator, staff: pd.DataFrame) -> pd.DataFrame:
    n = 900
    kind = rng.choice(["corporate", "retail", "agri"], n, p=[0.2, 0.7, 0.1])
    branch = rng.choice(list(TEAMS), n, p=[0.45, 0.35, 0.2])
    deposit = np.round(rng.lognormal(10.5, 1.8, n), 2)
    loan = np.where(rng.random(n) < 0.12, np.round(rng.lognormal(12.5, 1.2, n), -3), 0.0)
    scale = np.where(kind == "corporate", rng.choice(["大型", "中型", "小型", "微型"], n, p=[.05, .15, .4, .4]), "")
    status = np.where(rng.random(n) < 0.04, "目标", "存量")
    keeper = []
    for b, has_loan in zip(branch, loan > 0):
        team = staff[staff["所属网点"] == b]
        pool = team[team["role"].isin(["corporate_rm", "retail_rm"] if has_loan and rng.random() < .9 else
                                      ["low_counter", "comprehensive_teller", "lobby_manager", "retail_rm"])]
        keeper.append(pool["姓名"].iloc[rng.integers(len(pool))] if rng.random() < 0.75 else "")
    keeper = np.where(status == "目标", "", keeper)
    return pd.DataFrame({
        "客户号": [f"{i:010d}" for i in rng.permutation(10**6)[:n] * 997 + 10**8],
        "客户名称": [f"客户{i}" for i in range(n)], "客户类型": [{"corporate": "对公", "retail": "个人",
                                                           "agri": "三农"}[k] for k in kind],
        "所属网点": branch, "存款余额(万元)": deposit / 10_000, "贷款余额": loan, "企业规模": scale, "管户人": keeper,
        "客户状态": status,
    })


def _claims(rng: np.random.Generator, customers: pd.DataFrame, staff: pd.DataFrame) -> list[list]:
    rows = [["2026年10月客户认领登记表"], ["认领人", "客户号", "认领日期", "锁定"]]
    existing = customers[customers["客户状态"] == "存量"]
    for _, c in existing.sample(60, random_state=7).iterrows():
        team = staff[staff["所属网点"] == c["所属网点"]]
        rows.append([team["工号"].iloc[rng.integers(len(team))], c["客户号"], "2026-10-08", ""])
    for branch in TEAMS:                                   # two corporate RMs claim the same customer
        rms = staff[(staff["所属网点"] == branch) & (staff["role"] == "corporate_rm")]["工号"].tolist()
        unkept = existing[(existing["所属网点"] == branch) & (existing["管户人"] == "") & (existing["贷款余额"] == 0)]
        if len(rms) >= 2 and len(unkept):
            rows += [[rms[0], unkept["客户号"].iloc[0], "2026-10-09", ""], [rms[1], unkept["客户号"].iloc[0],
                                                                          "2026-10-09", ""]]
    head = staff[staff["role"] == "head"]["工号"].iloc[0]
    rows.append([head, existing[existing["所属网点"] == "城东支行"]["客户号"].iloc[5], "2026-10-10", "是"])
    return rows


@pytest.fixture(scope="module")
def network(tmp_path_factory) -> dict[str, Path]:
    """A generated three-branch network, written as branch ledgers."""
    rng = np.random.default_rng(2026)
    folder = tmp_path_factory.mktemp("network")
    staff = _staff(rng)
    customers = _customers(rng, staff)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet, kinds in (("对公客户", ["对公"]), ("个人客户", ["个人", "三农"])):
        part = customers[customers["客户类型"].isin(kinds)]
        ws = book.create_sheet(sheet)
        ws.append([f"{sheet}清单（2026年10月）"])
        ws.append(list(part.columns))
        for row in part.itertuples(index=False):
            ws.append(list(row))
        ws.append(["合计", None, None, None, float(part["存款余额(万元)"].sum())])
    book.save(folder / "客户清单.xlsx")
    staff.drop(columns="role").to_csv(folder / "员工.csv", index=False, encoding="gbk")
    claims = openpyxl.Workbook()
    for row in _claims(rng, customers, staff):
        claims.active.append(row)
    claims.active.title = "认领"
    claims.save(folder / "认领.xlsx")
    kept = customers[customers["管户人"] != ""].sample(frac=0.6, random_state=3)
    ids = staff.set_index("姓名")
    pd.DataFrame({"customer_id": kept["客户号"], "keeper": kept["管户人"].map(ids["工号"]),
                  "keeper_role": kept["管户人"].map(ids["role"]), "locked": False}).to_csv(
        folder / "上月分配.csv", index=False)
    return {"customers": folder / "客户清单.xlsx", "staff": folder / "员工.csv", "claims": folder / "认领.xlsx",
            "previous": folder / "上月分配.csv", "dir": folder}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> dict[str, Path]:
    if not (SAMPLE / "客户清单.xlsx").exists():
        pytest.skip("sample_data/ is not in this checkout yet")
    folder = tmp_path_factory.mktemp("sample")
    return {"customers": SAMPLE / "客户清单.xlsx", "staff": SAMPLE / "员工.xlsx", "claims": SAMPLE / "认领.xlsx",
            "previous": SAMPLE / "上月分配.csv", "dir": folder}


@pytest.fixture(scope="module", params=["generated", "sample"])
def run(request, network):
    """The allocation workbook of a network, with the command's stderr."""
    from typer.testing import CliRunner

    ledgers = network if request.param == "generated" else request.getfixturevalue("sample")
    out = ledgers["dir"] / "分配.xlsx"
    args = ["allocate", "--customers", str(ledgers["customers"]), "--staff", str(ledgers["staff"]),
            "--claims", str(ledgers["claims"]), "--previous", str(ledgers["previous"]), "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(out, sheet_name=None, engine="calamine",
                           dtype={"客户号": str, "维护责任人工号": str, "认领人工号": str})
    return {"sheets": sheets, "stderr": result.stderr, "ledgers": ledgers}


def test_the_workbook_has_every_sheet_and_reconciles_with_the_input(run):
    sheets, stderr = run["sheets"], run["stderr"]
    # columns the ledgers lack (the generated network has no 金融资产 nor 营销人) are listed first
    absent = sheets.pop("缺少的列与台账", pd.DataFrame(columns=["缺少的列"]))
    assert absent["缺少的列"].tolist() == (["金融资产 (financial_assets)", "营销人 (marketer)"]
                                       if run["ledgers"]["dir"].name.startswith("network") else [])
    assert list(sheets)[:9] == SHEETS
    assert any(name.startswith("台账-") for name in sheets)
    line = next(l for l in stderr.splitlines() if l.startswith("customers: read ") and " = " in l)
    numbers = [int(w) for w in line.replace("(", " ").split() if w.isdigit()]
    read, allocated, _targets, unplaced, out_of_scope, rejected = numbers
    assert read == allocated + unplaced + out_of_scope + rejected
    accounting = next(l for l in stderr.splitlines() if l.startswith("customers: read ") and "used" in l)
    assert f"read {read}," in accounting
    allocation = sheets["客户分配表"]
    assert len(allocation) == read - rejected
    assert allocation["客户号"].is_unique
    assert allocation["维护责任人工号"].notna().sum() == allocated
    existing = allocation[allocation["客户状态"] == "存量"]
    seg = sheets["存量客户细分统计表"]
    assert seg[(seg["客户类型"] == "合计") & (seg["关系层级"] == "合计")]["客户数"].sum() == len(existing)
    assert seg[(seg["客户类型"] == "合计")]["存款余额(元)"].sum() == pytest.approx(existing["存款余额(元)"].sum())
    keepers = sheets["1对N维护责任表"]
    assert keepers["客户数"].sum() == existing["维护责任人工号"].notna().sum()
    assert keepers["目标客户数"].sum() == len(sheets["目标客户责任表"]) - \
        allocation[(allocation["客户状态"] == "目标") & allocation["维护责任人工号"].isna()].shape[0]


def test_every_existing_customer_has_one_active_keeper_of_its_branch(run):
    allocation = run["sheets"]["客户分配表"]
    staff = _staff_frame(run)
    existing = allocation[allocation["客户状态"] == "存量"]
    assert existing["维护责任人工号"].notna().all()
    home = existing["维护责任人工号"].map(staff.set_index("staff_id")["branch"])
    assert (home == existing["网点"]).all()
    assert not existing["维护责任人工号"].isin(staff.loc[staff["state"] == "left", "staff_id"]).any()


def test_load_is_balanced_within_each_role_and_the_summary_says_so(run):
    """Within a role, every member within one customer's weight of the ideal that kept customers allow."""
    sheets, stderr = run["sheets"], run["stderr"]
    assert "weighted load per role" in stderr
    allocation = sheets["客户分配表"]
    staff = _staff_frame(run)
    existing = allocation[(allocation["客户状态"] == "存量") & allocation["维护责任人工号"].notna()]
    weight = existing["关系层级"].map({"高端": 5, "中端": 2, "一般": 1})
    dealt = existing["来源"].isin(["分配", "溢出分配"])
    active = staff[staff["state"] == "active"]
    checked = 0
    for (branch, role), members in active.groupby(["branch", "role"]):
        ids = members["staff_id"]
        load = weight.groupby(existing["维护责任人工号"]).sum().reindex(ids, fill_value=0).to_numpy()
        given = weight[dealt].groupby(existing.loc[dealt, "维护责任人工号"]).sum().reindex(ids, fill_value=0)
        if given.sum() == 0 or _capacity_binds(existing, ids, role):
            continue
        ideal = _ideal(load - given.to_numpy(), float(given.sum()))
        heaviest = weight[dealt & existing["维护责任人工号"].isin(ids)].max()
        assert np.abs(load - ideal).max() <= heaviest + 1e-9, (branch, role, load, ideal)
        checked += 1
    assert checked >= 3
    balance = sheets["负荷均衡"]
    assert (balance["是否均衡"] == "是").all()


def _ideal(fixed: np.ndarray, amount: float) -> np.ndarray:
    """Water filling, the slow and obvious way."""
    level = fixed.min()
    while np.maximum(fixed, level).sum() - fixed.sum() < amount - 1e-9:
        level += 0.001
    return np.maximum(fixed, level)


def _capacity_binds(existing: pd.DataFrame, ids: pd.Series, role: str) -> bool:
    cap = RULES.allocation.capacity.get(role)
    if cap is None:
        return True
    counts = existing[existing["维护责任人工号"].isin(ids)].groupby(["维护责任人工号", "关系层级"]).size()
    limits = {"高端": cap.high, "中端": cap.mid, "一般": cap.general}
    return any(n >= limits[tier] for (_, tier), n in counts.items())


def _staff_frame(run) -> pd.DataFrame:
    path = run["ledgers"]["staff"]
    frame = pd.read_csv(path, dtype=str, encoding="gbk") if path.suffix == ".csv" else _first_table(path)
    names = {v: k for k, v in ROLE_ZH.items()}
    frame = frame.rename(columns={"工号": "staff_id", "所属网点": "branch", "岗位": "role_zh", "在岗": "state_zh"})
    frame["role"] = frame["role_zh"].map(lambda r: next((k for z, k in sorted(names.items(), key=lambda x: -len(x[0]))
                                                         if z in str(r)), r))
    frame["role"] = frame["role"].replace({"网点负责人": "head", "负责人": "head"})
    frame["state"] = frame["state_zh"].map({"在岗": "active", "休假": "on_leave", "请假": "on_leave",
                                            "离职": "left"}).fillna("active")
    return frame


def _first_table(path: Path) -> pd.DataFrame:
    raw = pd.read_excel(path, header=None, dtype=str, engine="calamine")
    start = raw.index[raw.apply(lambda r: "工号" in set(r.dropna()), axis=1)][0]
    frame = raw.iloc[start + 1:].set_axis(raw.iloc[start].tolist(), axis=1)
    return frame[frame["工号"].notna() & ~frame["工号"].str.contains("合计")]
