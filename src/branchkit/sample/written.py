"""The ledgers as a branch writes them: Chinese headers and the way cells are filled in.

Turns the canonical frames into the columns of SPEC's input-ledger appendix.
The choices a person makes when filling a ledger (a name here, a staff id
there, a column left empty) are drawn here, from the seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.sample.customers import col
from branchkit.sample.network import BRANCH_TYPE_ZH
from branchkit.sample.staffing import as_written, names_of, unambiguous_names

KIND_ZH = {"corporate": "对公", "retail": "个人", "agri": "三农"}
SCALE_ZH = {"large": "大", "medium": "中", "small": "小", "micro": "微", "": ""}
STATUS_ZH = {"existing": "存量", "target": "目标"}
VIP_LEVELS = ((2_000_000, "钻石"), (500_000, "白金"), (100_000, "黄金"))
ID_SHARE = 0.15        # a person written as staff id rather than name, in keeper/marketer/claimant/visitor cells
CUSTOMER_COLUMNS = ["客户号", "客户名称", "客户类型", "所属网点", "存款余额", "贷款余额", "金融资产", "企业规模",
                    "所属行业", "是否科技型企业", "管户人", "营销人", "客户状态", "开户日期", "证件号码",
                    "联系电话", "会员等级"]
# visit record: column -> (choices, share left empty)
VISIT_NOTES = {
    "拜访目的": (("了解企业经营状况", "推荐代发工资业务", "营销企业网银", "洽谈流动资金贷款", "回访维护", "节日问候",
              "推介理财产品", "开立基本户", "收集授信资料"), 0.0),
    "沟通人": (("财务总监", "法人代表", "出纳", "总经理", "本人", "财务经理"), 0.05),
    "客户需求": (("流动资金需求", "结算便利", "理财增值", "降低融资成本", "代发工资", "暂无明确需求"), 0.10),
    "客户异议": (("利率偏高", "手续繁琐", "已有合作银行", "暂无", "审批时间长"), 0.20),
    "如何达成目标": (("提供综合金融方案", "联合产品经理上门", "申请优惠利率", "持续跟进", "邀请参加沙龙"), 0.15),
    "实际沟通人": (("财务总监", "法人代表", "出纳", "总经理", "本人", "办公室主任"), 0.10),
    "搜集信息": (("年营业收入约3000万元", "员工约120人", "主要结算行为他行", "有扩产计划", "下月有大额资金到账",
              "子女明年出国留学"), 0.15),
    "下一步计划": (("一周内再次拜访", "提交授信申请", "发送产品方案", "邀请客户到网点面谈", "电话跟进"), 0.10),
    "需执行动作": (("准备方案", "协调审批", "预约上门", "申请费率优惠"), 0.20),
    "负责人点评": (("继续跟进", "注意把握客户需求", "方案需细化", "好", "加快进度"), 0.55),
}
ACHIEVED = (("是", "否", "部分达成"), 0.05)
REASONS = ("客户需内部审批", "资料不全", "竞争行报价更低", "决策人不在")


def customer_cells(rng: np.random.Generator, customers: pd.DataFrame, staff: pd.DataFrame) -> pd.DataFrame:
    """Add keeper_cell and marketer_cell: how the list names them (mostly by name)."""
    return customers.assign(keeper_cell=as_written(rng, staff, customers["keeper"].to_numpy(), ID_SHARE),
                            marketer_cell=as_written(rng, staff, customers["marketer"].to_numpy(), ID_SHARE))


def vip_grade(assets: np.ndarray) -> np.ndarray:
    """Member grade by financial assets ('' below the lowest)."""
    assets = np.nan_to_num(np.asarray(assets, dtype=float))
    return np.select([assets >= low for low, _ in VIP_LEVELS], [g for _, g in VIP_LEVELS], "").astype(object)


def customers_written(customers: pd.DataFrame, offset: int) -> pd.DataFrame:
    """The customer list at month offset ``offset`` (0 = M), every kind, amounts in CNY."""
    rows = customers[(customers["first"] <= offset) & (customers["last"] >= offset)]
    corporate = (rows["kind"] == "corporate").to_numpy()
    return pd.DataFrame({
        "客户号": rows["customer_id"], "客户名称": rows["name"], "客户类型": rows["kind"].map(KIND_ZH),
        "所属网点": rows["branch"], "存款余额": rows[col("deposit", offset)], "贷款余额": rows[col("loan", offset)],
        "金融资产": rows[col("financial_assets", offset)], "企业规模": rows["scale"].map(SCALE_ZH),
        "所属行业": rows["industry"], "是否科技型企业": np.where(corporate, np.where(rows["is_tech"], "是", "否"), ""),
        "管户人": rows["keeper_cell"], "营销人": rows["marketer_cell"], "客户状态": rows["status"].map(STATUS_ZH),
        "开户日期": rows["open_cell"], "证件号码": rows["id_number"], "联系电话": rows["phone"],
        "会员等级": np.where(corporate, "", vip_grade(rows[col("financial_assets", offset)])),
    })[CUSTOMER_COLUMNS].reset_index(drop=True)


def staff_written(staff: pd.DataFrame) -> pd.DataFrame:
    """员工名单: 工号, 姓名, 岗位, 所属网点, 在岗."""
    return pd.DataFrame({"工号": staff["staff_id"], "姓名": staff["name"], "岗位": staff["role_zh"],
                         "所属网点": staff["branch"], "在岗": staff["state"]}).reset_index(drop=True)


def claims_written(rng: np.random.Generator, claims: pd.DataFrame, customers: pd.DataFrame,
                   staff: pd.DataFrame) -> pd.DataFrame:
    """认领: 认领人 (name or id), 客户号, 客户名称, 认领日期, 锁定 (是/empty)."""
    names = claims["customer_id"].map(customers.set_index("customer_id")["name"])
    return pd.DataFrame({"认领人": as_written(rng, staff, claims["claimant"].to_numpy(), 0.3),
                         "客户号": claims["customer_id"], "客户名称": names,
                         "认领日期": claims["claimed_on"].dt.date,
                         "锁定": np.where(claims["locked"], "是", "")}).reset_index(drop=True)


def _notes(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    out = {}
    for column, (choices, empty) in VISIT_NOTES.items():
        values = np.array(choices, dtype=object)[rng.integers(0, len(choices), n)]
        out[column] = np.where(rng.random(n) < empty, "", values).astype(object)
    return out


def visits_written(rng: np.random.Generator, visits: pd.DataFrame, customers: pd.DataFrame,
                   staff: pd.DataFrame) -> pd.DataFrame:
    """目标客户拓展记录表: visit date, visitor, customer by number and/or name, then the notes."""
    n = len(visits)
    info = customers.set_index("customer_id")
    names = visits["customer_id"].map(info["name"]).to_numpy(dtype=object)
    kind = visits["customer_id"].map(info["kind"])
    cooperative = visits["customer_id"].map(info["id_number"]).str.startswith("93")
    organisation = ((kind == "corporate") | cooperative).to_numpy()
    u = rng.random(n)
    only_name = organisation & (u < 0.15)      # person names repeat, so only organisations go by name alone
    only_id = (u >= 0.15) & (u < 0.25)
    notes = _notes(rng, n)
    achieved = np.array(ACHIEVED[0], dtype=object)[rng.integers(0, 3, n)]
    achieved = np.where(rng.random(n) < ACHIEVED[1], "", achieved)
    reason = np.where(achieved == "否", np.array(REASONS, dtype=object)[rng.integers(0, len(REASONS), n)], "")
    out = pd.DataFrame({"拜访日期": visits["visit_date"].dt.date,
                        "拜访人": as_written(rng, staff, visits["staff_id"].to_numpy(), 0.25),
                        "客户号": np.where(only_name, "", visits["customer_id"]),
                        "客户名称": np.where(only_id, "", names), "拜访方式": visits["kind"]})
    for column in VISIT_NOTES:
        out[column] = notes[column]
        if column == "搜集信息":
            out["是否达成目标"], out["原因"] = achieved, reason
    return out


def referrals_written(referrals: pd.DataFrame, staff: pd.DataFrame) -> pd.DataFrame:
    """柜员识别客户登记表: 登记日期, 登记柜员, 客户号, 客户名称, 接收客户经理, 客户类型 (people by name)."""
    return pd.DataFrame({"登记日期": referrals["date"].dt.date,
                         "登记柜员": names_of(staff, referrals["referrer"].to_numpy()),
                         "客户号": referrals["customer_id"], "客户名称": referrals["name"],
                         "接收客户经理": names_of(staff, referrals["referred_to"].to_numpy()),
                         "客户类型": referrals["kind"].map(KIND_ZH)}).reset_index(drop=True)


def sales_written(rng: np.random.Generator, sales: pd.DataFrame, staff: pd.DataFrame,
                  customers: pd.DataFrame) -> pd.DataFrame:
    """产品营销: 营销日期, 产品名称, 客户, 营销实施人, 信息获取人 (empty for one-person sales), 计价金额.

    The ledger has no branch column: a row's branch is its customer's, known when the customer's name is
    unique in the month-end list. Where it is not, a person whose name someone else in the network shares
    is written by staff id (as a branch does once told the name is ambiguous), so the sample stays valid
    at any size.
    """
    listed = customers[(customers["first"] <= 0) & (customers["last"] >= 0)]["name"]
    placed = sales["customer"].isin(listed[~listed.duplicated(keep=False)]).to_numpy()
    closer = as_written(rng, staff, sales["closer"].to_numpy(), 0.2)
    closer = np.where(placed, closer, _unless_shared(staff, sales["closer"].to_numpy(), closer))
    lead = names_of(staff, sales["lead"].to_numpy())
    lead = np.where(placed, lead, _unless_shared(staff, sales["lead"].to_numpy(), lead))
    return pd.DataFrame({"营销日期": sales["date"].dt.date, "产品名称": sales["product"], "客户": sales["customer"],
                         "营销实施人": closer, "信息获取人": lead, "计价金额": sales["piece_rate"]}).reset_index(drop=True)


def _unless_shared(staff: pd.DataFrame, ids: np.ndarray, written: np.ndarray) -> np.ndarray:
    """``written`` (names or ids), with the staff id for people whose name is shared in the network."""
    return np.where(unambiguous_names(staff, ids) == ids, ids, written).astype(object)


def daily_written(daily: pd.DataFrame) -> pd.DataFrame:
    """日均业务量 with the two-row header flattened (对公 + 现金日均笔数 -> 对公现金日均笔数)."""
    return pd.DataFrame({"网点": daily["branch"], "网点类型": daily["type"].map(BRANCH_TYPE_ZH),
                         "日均交易笔数": daily["daily_transactions"], "对公现金日均笔数": daily["corporate_cash"],
                         "对公非现金日均笔数": daily["corporate_noncash"], "现有柜员数": daily["tellers_current"]})


def hourly_written(hourly: pd.DataFrame) -> pd.DataFrame:
    """分时段业务量: 网点, 日期, 时段 (09:00-10:00), 到达笔数, 平均办理时长(秒)."""
    hour = hourly["hour"].to_numpy()
    slot = [f"{h:02d}:00-{h + 1:02d}:00" for h in range(24)]
    return pd.DataFrame({"网点": hourly["branch"], "日期": hourly["date"].dt.date,
                         "时段": np.array(slot, dtype=object)[hour], "到达笔数": hourly["arrivals"],
                         "平均办理时长(秒)": hourly["handling_seconds"]})


def simple_written(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Rename canonical columns to ledger headers; datetime columns become dates."""
    out = frame[list(columns)].rename(columns=columns).reset_index(drop=True)
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = out[name].dt.date
    return out
