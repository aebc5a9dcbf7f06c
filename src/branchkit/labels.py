"""Labels users see for canonical column names, in Chinese and English, and their formats.

Ledger fields take their Chinese label from the row models (the first header
listed); output columns of the commands are listed here. A command may also
give a table its own labels.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from branchkit.models.ledgers import LEDGERS

Lang = Literal["zh", "en"]

#: column -> (Chinese label, English label, format)
COLUMNS: dict[str, tuple[str, str, str]] = {
    # ledger fields shared by several outputs
    "customer_id": ("客户号", "Customer ID", "id"),
    "name": ("名称", "Name", "text"),
    "kind": ("客户类型", "Customer type", "text"),
    "branch": ("网点", "Branch", "text"),
    "branch_type": ("网点类型", "Branch type", "text"),
    "deposit": ("存款余额(元)", "Deposits (CNY)", "money"),
    "loan": ("贷款余额(元)", "Loans (CNY)", "money"),
    "financial_assets": ("金融资产(元)", "Financial assets (CNY)", "money"),
    "scale": ("企业规模", "Enterprise scale", "text"),
    "industry": ("所属行业", "Industry", "text"),
    "is_tech": ("是否科技型企业", "Tech enterprise", "bool"),
    "keeper": ("维护责任人工号", "Keeper (staff ID)", "id"),
    "keeper_name": ("维护责任人", "Keeper", "text"),
    "keeper_role": ("维护责任人岗位", "Keeper role", "text"),
    "marketer": ("营销人工号", "Marketer (staff ID)", "id"),
    "status": ("客户状态", "Status", "text"),
    "open_date": ("开户日期", "Opened", "date"),
    "id_number": ("证件号码", "ID number", "sensitive"),
    "phone": ("联系电话", "Phone", "sensitive"),
    "vip_grade": ("会员等级", "Member grade", "text"),
    "latent": ("潜在客户", "Latent", "bool"),
    "staff_id": ("工号", "Staff ID", "id"),
    "role": ("岗位", "Role", "text"),
    # derived from a staff list's state (not left); not 在岗/active, which a staff list's state is read from
    "active": ("在职", "Employed", "bool"),
    "date": ("日期", "Date", "date"),
    "hour": ("时段", "Hour", "int"),
    # problems and accounting
    "file": ("文件", "File", "text"),
    "sheet": ("工作表", "Sheet", "text"),
    "row": ("行号", "Row", "int"),
    "column": ("列", "Column", "text"),
    "value": ("值", "Value", "text"),
    "code": ("代码", "Code", "text"),
    "severity": ("级别", "Severity", "text"),
    "message": ("问题", "Problem", "text"),
    "reasons": ("拒绝原因", "Reasons rejected", "text"),
    "read": ("读取行数", "Rows read", "int"),
    "used": ("使用行数", "Rows used", "int"),
    "rejected": ("拒绝行数", "Rows rejected", "int"),
    # allocation
    "tier": ("关系层级", "Relationship tier", "text"),
    "retail_tier": ("零售价值层级", "Retail value tier", "text"),
    "source": ("来源", "Source", "text"),
    "previous_keeper": ("上月维护人工号", "Previous keeper", "id"),
    "reason": ("原因代码", "Reason code", "text"),     # a code; its words are in reason_text
    # staffing
    "daily_transactions": ("日均交易笔数", "Daily transactions", "number"),
    "tellers_needed": ("需配柜员数", "Tellers needed", "int"),
    "tellers_current": ("现有柜员数", "Tellers now", "int"),
    "surplus": ("富余(+)/缺口(-)", "Surplus (+) / shortfall (-)", "int"),
    "peak_hour": ("高峰时段", "Peak hour", "int"),
    "peak_counters": ("高峰所需柜台", "Counters at peak", "int"),
    "queue_staff_needed": ("排队模型所需人员", "Staff by queue model", "int"),
    "arrivals": ("到达笔数", "Arrivals", "number"),
    "handling_seconds": ("平均办理时长(秒)", "Handling (s)", "number"),
    "counters": ("所需柜台数", "Counters needed", "int"),
    "staff": ("所需人员(含轮休)", "Staff after shrinkage", "int"),
    "service_level": ("服务水平", "Service level", "ratio"),
    "occupancy": ("柜台占用率", "Occupancy", "ratio"),
    # --- staff command (branchkit staff) -------------------------------------------
    "peak_date": ("高峰日期", "Peak day", "date"),
    "queue_surplus": ("高峰富余(+)/缺口(-)", "Surplus (+) / shortfall (-) at peak", "int"),
    "tellers_on_leave": ("其中休假柜员", "Of which on leave", "int"),
    "tellers_on_duty": ("在岗柜员", "Tellers on duty", "int"),
    "cash_requirement": ("对公现金柜台要求", "Corporate cash counters", "text"),
    "cash_dedicated": ("对公专用高柜", "Dedicated cash counters", "int"),
    "cash_combined": ("或对公倾斜综合柜台", "Or combined cash counters", "int"),
    "noncash_requirement": ("对公非现金柜台要求", "Corporate non-cash counters", "text"),
    "noncash_dedicated": ("对公专用低柜", "Dedicated non-cash counters", "int"),
    "noncash_combined": ("或对公倾斜综合低柜", "Or combined non-cash counters", "int"),
    "minimum_staff": ("最低配置人数", "Minimum headcount", "int"),
    "staff_current": ("现有人数", "Headcount", "int"),
    "minimum_met": ("达到最低配置", "Minimum met", "bool"),
    "minimum_shortfall": ("最低配置缺口", "Below the minimum", "text"),
    "under_served_hours": ("服务不足时段数", "Under-served hours", "int"),
    "average_wait_seconds": ("平均等待(秒)", "Average wait (s)", "number"),
    "abandon_share": ("放弃率", "Abandon share", "ratio"),
    "counters_open": ("开放柜台数", "Counters open", "int"),
    "roster_service_level": ("实际服务水平", "Service level reached", "ratio"),
    "roster_average_wait_seconds": ("实际平均等待(秒)", "Average wait reached (s)", "number"),
    "roster_occupancy": ("实际柜台占用率", "Occupancy reached", "ratio"),
    "roster_abandon_share": ("实际放弃率", "Abandon share reached", "ratio"),
    "under_served": ("服务不足", "Under-served", "bool"),
    "counter": ("柜台", "Counter", "text"),
    "corporate_volume": ("对公日均笔数", "Corporate daily transactions", "number"),
    "requirement": ("配置要求", "Requirement", "text"),
    "dedicated": ("对公专用柜台", "Dedicated counters", "int"),
    "combined": ("或对公倾斜综合柜台", "Or combined counters", "int"),
    "item": ("项目", "Item", "text"),
    "required": ("最低要求", "Required", "int"),
    "present": ("现有", "Present", "int"),
    "missing": ("缺少", "Missing", "int"),
    "segment": ("客户群", "Segment", "text"),
    "rms": ("客户经理数", "RMs", "int"),
    "teams": ("团队数", "Teams", "int"),
    "cash_management_specialists": ("现金管理专家", "Cash-management specialists", "int"),
    "credit_specialists": ("信贷专家", "Credit specialists", "int"),
    # --- end of staff command ------------------------------------------------------
    # plan
    "customer": ("客户", "Customer", "text"),
    "goal": ("月度工作目标", "Monthly goal", "text"),
    "planned": ("计划天数", "Planned", "int"),
    "done_on_time": ("按期完成", "Done on time", "int"),
    "slipped": ("延迟", "Slipped", "int"),
    "slip_kept": ("延迟后完成", "Slip kept", "int"),
    "missed": ("未完成", "Missed", "int"),
    "unplanned": ("计划外拜访", "Unplanned", "int"),
    "adherence": ("计划执行率", "Adherence", "ratio"),
    # --- plan (branchkit plan: core/plan.py, core/visit_records.py) ---
    "staff_name": ("姓名", "Name", "text"),
    "not_due": ("未到期计划天数", "Planned, not yet due", "int"),
    "customers": ("客户数", "Customers", "int"),
    "visits": ("拜访记录数", "Visit records", "int"),
    "complete": ("完整记录数", "Complete records", "int"),
    "completeness": ("记录完整率", "Completeness", "ratio"),
    "before_incomplete": ("拜访前缺项", "Before: incomplete", "int"),
    "during_incomplete": ("拜访中缺项", "During: incomplete", "int"),
    "after_incomplete": ("拜访后缺项", "After: incomplete", "int"),
    "cadence_days": ("拜访周期(天)", "Cadence (days)", "int"),
    "last_visit": ("最近拜访日期", "Last visit", "date"),
    "days_since_visit": ("距上次拜访(天)", "Days since visit", "int"),
    "overdue_days": ("逾期天数", "Days overdue", "int"),
    "last_visitor": ("最近拜访人工号", "Last visitor (staff ID)", "id"),
    "last_visitor_name": ("最近拜访人", "Last visitor", "text"),
    "state": ("状态", "State", "text"),
    "meaning": ("含义", "Meaning", "text"),
    "text": ("内容", "Content", "text"),
    # --- end plan ---
    # --- score (branchkit score) -------------------------------------------------------------
    "worklog_bonus": ("工作日志加分", "Work-log bonus", "score"),
    "deductions": ("扣分", "Deductions", "score"),
    "total": ("总分", "Total", "score"),
    "rank": ("排名", "Rank", "int"),
    "bonus": ("绩效奖金(元)", "Bonus (CNY)", "money"),
    "piece_rate_pay": ("计价工资(元)", "Piece-rate pay (CNY)", "money"),
    "worklog_days": ("日志天数", "Days logged", "int"),
    "worklog_completion": ("日志完成率", "Work-log completion", "ratio"),
    "subtotal": ("扣分后合计", "Points after deductions", "score"),
    "perspective_financial": ("财务", "Financial", "score"),
    "perspective_customer": ("客户", "Customer", "score"),
    "perspective_internal": ("内部运营", "Internal process", "score"),
    "perspective_learning": ("学习与成长", "Learning and growth", "score"),
    "basis": ("奖金依据", "Bonus basis", "text"),
    "coefficient": ("奖金系数", "Coefficient", "number"),
    "points_share": ("积分占比", "Share of points", "ratio"),
    "bonus_quota": ("奖金(未取整)", "Bonus before rounding", "number"),
    "total_pay": ("应发合计(元)", "Total pay (CNY)", "money"),
    "metric": ("指标", "Metric", "text"),
    "metric_key": ("指标代码", "Metric key", "text"),
    "perspective": ("平衡计分卡维度", "Perspective", "text"),
    "actual": ("实际", "Actual", "number"),
    "target": ("目标", "Target", "number"),
    "weight": ("权重", "Weight", "number"),
    "ratio": ("完成率", "Achievement", "ratio"),
    "points": ("得分", "Points", "score"),
    "base_pool": ("绩效工资总额(元)", "Base pool (CNY)", "money"),
    "piece_rate_pool": ("计价划入(元)", "Piece rates into the pool (CNY)", "money"),
    "pool": ("可分配奖金池(元)", "Pool (CNY)", "money"),
    "active_staff": ("在册人数", "Active staff", "int"),
    "average_bonus": ("人均奖金(元)", "Average bonus (CNY)", "money"),
    "head_coefficient": ("负责人系数", "Head coefficient", "number"),
    "management_bonus": ("负责人及副职奖金(元)", "Head and deputies (CNY)", "money"),
    "points_bonus": ("按积分分配(元)", "Split by points (CNY)", "money"),
    "undistributed": ("未分配(元)", "Undistributed (CNY)", "money"),
    "piece_rate_total": ("计价总额(元)", "Piece rates (CNY)", "money"),
    "piece_rate_withheld": ("离职人员计价暂不发放(元)", "Piece rate withheld, staff who left (CNY)", "money"),
    "product": ("产品", "Product", "text"),
    "closer": ("营销实施人工号", "Closer (staff ID)", "id"),
    "lead": ("信息获取人工号", "Lead (staff ID)", "id"),
    "piece_rate": ("计价金额(元)", "Piece rate (CNY)", "money"),
    "share_of": ("计价角色", "Share as", "text"),
    "share": ("分成比例", "Share", "ratio"),
    "amount": ("金额(元)", "Amount (CNY)", "money"),
    "ledger": ("台账", "Ledger", "text"),
    "as_": ("计入身份", "Credited as", "text"),
    "detail": ("说明", "Detail", "text"),
    "rows": ("行数", "Rows", "int"),
    "item": ("项目", "Item", "text"),
    "total_base": ("原总分", "Total (base rules)", "score"),
    "total_other": ("新总分", "Total (other rules)", "score"),
    "rank_base": ("原排名", "Rank (base rules)", "int"),
    "rank_other": ("新排名", "Rank (other rules)", "int"),
    "rank_change": ("排名上升", "Places gained", "int"),
    "bonus_base": ("原奖金(元)", "Bonus, base rules (CNY)", "money"),
    "bonus_other": ("新奖金(元)", "Bonus, other rules (CNY)", "money"),
    "piece_rate_pay_base": ("原计价工资(元)", "Piece-rate pay, base (CNY)", "money"),
    "piece_rate_pay_other": ("新计价工资(元)", "Piece-rate pay, other (CNY)", "money"),
    # --- end score ----------------------------------------------------------------------------
}

# --- allocate (issue #4): output columns of `branchkit allocate` -------------------------------
COLUMNS.update({
    "previous_keeper_name": ("上月维护人", "Previous keeper name", "text"),
    "reason_text": ("原因", "Reason", "text"),
    "locked": ("锁定", "Locked", "bool"),
    "over_capacity": ("超出容量", "Over capacity", "bool"),
    "weight": ("层级权重", "Tier weight", "number"),
    "state": ("人员状态", "State", "text"),
    "claimant": ("认领人工号", "Claimant (staff ID)", "id"),
    "claimant_name": ("认领人", "Claimant", "text"),
    "claimant_role": ("认领人岗位", "Claimant role", "text"),
    "claimed_on": ("认领日期", "Claimed on", "date"),
    "claim_rank": ("认领优先级", "Claim priority", "int"),
    "load": ("加权负荷", "Weighted load", "number"),
    "winner": ("暂定胜出", "Settled for", "bool"),
    "rule": ("裁定规则", "Tie rule", "text"),
    "customers": ("客户数", "Customers", "int"),
    "customers_high": ("高端客户数", "High-tier customers", "int"),
    "customers_mid": ("中端客户数", "Mid-tier customers", "int"),
    "customers_general": ("一般客户数", "General-tier customers", "int"),
    "deposit_high": ("高端客户存款(元)", "High-tier deposits (CNY)", "money"),
    "deposit_mid": ("中端客户存款(元)", "Mid-tier deposits (CNY)", "money"),
    "deposit_general": ("一般客户存款(元)", "General-tier deposits (CNY)", "money"),
    "targets": ("目标客户数", "Target customers", "int"),
    "customers_over_capacity": ("超容量客户数", "Customers over capacity", "int"),
    "seq": ("序号", "No.", "int"),
    "entry_point": ("营销切入点", "Entry point", "text"),
    "progress": ("营销进度", "Progress", "text"),
    "issues": ("需要解决的问题", "Issues to solve", "text"),
    "members": ("人数", "Members", "int"),
    "distributed": ("分配所得负荷", "Load distributed", "number"),
    "load_min": ("最低负荷", "Lowest load", "number"),
    "load_max": ("最高负荷", "Highest load", "number"),
    "spread": ("负荷极差", "Spread", "number"),
    "ideal_min": ("理想负荷下限", "Ideal load (low)", "number"),
    "ideal_max": ("理想负荷上限", "Ideal load (high)", "number"),
    "max_deviation": ("偏离理想负荷最大值", "Largest distance from the ideal", "number"),
    "max_weight": ("单户最大权重", "Heaviest customer dealt", "number"),
    "balanced": ("是否均衡", "Balanced", "bool"),
    "pool_roles": ("同级人员组", "Pool of equal-rank staff", "text"),
    "change": ("变化", "What changes", "text"),
    **{f"{column}_{side}": (f"{zh}（{side_zh}）", f"{en} ({side_en})", fmt)
       for column, zh, en, fmt in (("tier", "客户层级", "Tier", "text"), ("in_scope", "在分配范围", "In scope", "bool"),
                                   ("keeper", "维护责任人工号", "Keeper (staff ID)", "id"),
                                   ("keeper_name", "维护责任人", "Keeper", "text"),
                                   ("keeper_role", "维护人岗位", "Keeper role", "text"),
                                   ("source", "来源", "Source", "text"), ("reason", "原因", "Reason", "text"),
                                   ("customers", "客户数", "Customers", "int"),
                                   ("load", "加权负荷", "Weighted load", "number"))
       for side, side_zh, side_en in (("base", "原规则", "base rules"), ("other", "新规则", "other rules"))},
    "spread_before": ("再平衡前负荷极差", "Spread before", "number"),
    "spread_after": ("再平衡后负荷极差", "Spread after", "number"),
    "moves": ("调整户数", "Customers moved", "int"),
    "budget": ("每网点调整上限（户）", "Budget per branch (moves)", "text"),
    "follow_way": ("跟进方式", "How", "text"),
    "follow_content": ("跟进内容", "What was done", "text"),
    "feedback": ("客户反馈", "Customer feedback", "text"),
})

_ROLES = {
    "head": ("网点负责人", "Branch head"), "deputy": ("副行长", "Deputy head"),
    "corporate_rm": ("对公客户经理", "Corporate RM"), "low_counter": ("低柜柜员", "Low-counter teller"),
    "comprehensive_teller": ("综合柜员", "Comprehensive teller"), "supervisor": ("运营主管", "Supervisor"),
    "retail_rm": ("个人客户经理", "Retail RM"), "lobby_manager": ("大堂经理", "Lobby manager"),
    "lobby_guide": ("大堂引导员", "Lobby guide"), "high_counter": ("高柜柜员", "High-counter teller"),
    "back_office": ("后台", "Back office"),
}
#: Coded values as people read them, by scheme: key -> (中文, English). csv/json carry the keys.
VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "kind": {"corporate": ("对公", "Corporate"), "retail": ("个人", "Retail"), "agri": ("三农", "Agricultural"),
             "all": ("合计", "All")},
    "tier": {"high": ("高端", "High"), "mid": ("中端", "Mid"), "general": ("一般", "General"), "all": ("合计", "All")},
    "retail_tier": {"mass": ("大众客户", "Mass"), "potential": ("潜力客户", "Potential"),
                    "mid_high": ("中高端客户", "Mid-high")},
    "source": {"kept": ("保持", "Kept"), "claim": ("认领", "Claim"), "distributed": ("分配", "Distributed"),
               "spill": ("溢出分配", "Spill"), "target": ("目标客户", "Target"),
               "rebalance": ("再平衡调整", "Rebalance")},
    "status": {"existing": ("存量", "Existing"), "target": ("目标", "Target")},
    "scale": {"large": ("大型", "Large"), "medium": ("中型", "Medium"), "small": ("小型", "Small"),
              "micro": ("微型", "Micro")},
    "state": {"active": ("在岗", "Active"), "on_leave": ("休假", "On leave"), "left": ("离职", "Left")},
    "role": _ROLES,
    "branch_type": {"large": ("大型全功能网点", "Large full-service branch"),
                    "medium": ("中型全功能网点", "Medium full-service branch"),
                    "general": ("一般网点", "General branch"), "township": ("乡镇网点", "Township branch")},
    # how a person's bonus was set (score), and whose share a piece-rate line is
    "basis": {"coefficient": ("按系数", "By coefficient"), "points": ("按积分", "By points"),
              "equal": ("平均分配", "Split equally")},
    "share_of": {"closer": ("营销实施", "Closer"), "lead": ("信息获取", "Lead"), "pool": ("奖金池", "Pool")},
    # as whom a ledger row credits a person (score's audit trail)
    "as_": {"keeper": ("维护人", "Keeper"), "keeper (allocation)": ("维护人（按分配表）", "Keeper (by the allocation)"),
            "marketer": ("营销人", "Marketer"), "month start": ("月初数据", "Month start"), "staff": ("本人", "Self"),
            "visitor": ("拜访人", "Visitor"), "referrer": ("推荐人", "Referrer"), "closer": ("营销实施人", "Closer"),
            "lead": ("信息获取人", "Lead")},
    "plan_state": {"planned": ("计划（未到期）", "Planned (not yet due)"), "done": ("按期完成", "Done on time"),
                   "slip_kept": ("延迟后完成", "Slip kept"), "slipped": ("延迟", "Slipped"),
                   "missed": ("未完成", "Missed"), "unplanned": ("计划外拜访", "Unplanned visit")},
    "severity": {"error": ("错误", "Error"), "warning": ("警告", "Warning")},
    # ledger values (the rules' [values] word tables; the Chinese word is the first the rules list)
    "vip_grade": {"gold": ("黄金", "Gold"), "platinum": ("白金", "Platinum"), "diamond": ("钻石", "Diamond")},
    "visit_kind": {"outbound": ("外拓", "Outbound"), "phone": ("电话", "Phone"), "lobby": ("厅堂", "Lobby")},
    "goal_reached": {"yes": ("是", "Yes"), "partly": ("部分达成", "Partly"), "no": ("否", "No")},
    "perspective": {"financial": ("财务", "Financial"), "customer": ("客户", "Customer"),
                    "internal": ("内部运营", "Internal process"), "learning": ("学习与成长", "Learning and growth")},
}
_LEDGERS_EN = {
    "customers_start": "Customer list at month start", "customers": "Customer list", "staff": "Staff list",
    "claims": "Claims", "previous": "Last month's allocation", "visits": "Visit records", "plan": "Gantt plans",
    "volumes_hourly": "Hourly volumes", "volumes": "Daily volumes", "referrals": "Referral register",
    "sales": "Product sales", "worklog": "Work logs", "deductions": "Deductions", "assessment": "Assessment scores",
    "pool": "Bonus pools",
}
VALUES["ledger"] = {kind: (spec.label_zh, _LEDGERS_EN.get(kind, spec.label_en)) for kind, spec in LEDGERS.items()}

#: The scheme of a column's coded values when a table does not say (a table may: ``Table.codes``).
VALUE_COLUMNS = {
    "kind": "kind", "tier": "tier", "retail_tier": "retail_tier", "source": "source", "status": "status",
    "scale": "scale", "state": "state", "role": "role", "keeper_role": "role", "claimant_role": "role",
    "branch_type": "branch_type", "basis": "basis", "share_of": "share_of", "as_": "as_", "severity": "severity",
    "ledger": "ledger", "perspective": "perspective", "vip_grade": "vip_grade",
}
#: Columns whose values take the labels of another column's scheme.
VALUE_ALIASES = {c: s for c, s in VALUE_COLUMNS.items() if c != s}

_CUSTOMER_FIELDS = {"name": ("客户名称", "Customer name")}
#: A ledger's columns whose shared label (``COLUMNS``) is missing or means something else in that ledger:
#: a visit's ``kind`` is how the visit was made, not the customer's type; a deduction's ``reason`` is
#: its free text, not allocate's reason code.
LEDGER_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "customers": _CUSTOMER_FIELDS, "customers_start": _CUSTOMER_FIELDS,
    "staff": {"name": ("姓名", "Name")},
    "claims": {"staff_id": ("认领人工号", "Claimant (staff ID)")},
    "visits": {
        "visit_date": ("拜访日期", "Visit date"), "staff_id": ("拜访人工号", "Visitor (staff ID)"),
        "customer_name": ("客户名称", "Customer name"), "kind": ("拜访方式", "Visit kind"),
        "purpose": ("拜访目的", "Purpose"), "contact": ("沟通人", "Contact"), "needs": ("客户需求", "Needs"),
        "objections": ("客户异议", "Objections"), "approach": ("如何达成目标", "Approach"),
        "met": ("实际沟通人", "Met"), "info": ("搜集信息", "Information"),
        "achieved": ("是否达成目标", "Goal reached"), "reason": ("原因", "Reason"),
        "next_step": ("下一步计划", "Next step"), "actions": ("需执行动作", "Actions"),
        "head_comment": ("负责人点评", "Head's comment"),
    },
    "plan": {"customer_name": ("客户名称", "Customer name"), "date": ("计划日期", "Planned date"),
             "action": ("动作", "Action"), "slipped_to": ("延迟至", "Slipped to"), "slipped": ("是否延迟", "Slipped")},
    "volumes": {"corporate_cash": ("对公现金日均笔数", "Corporate cash daily transactions"),
                "corporate_noncash": ("对公非现金日均笔数", "Corporate non-cash daily transactions")},
    "referrals": {"date": ("登记日期", "Registered on"), "referrer": ("登记柜员工号", "Referrer (staff ID)"),
                  "customer_name": ("客户名称", "Customer name"),
                  "referred_to": ("接收客户经理工号", "Referred to (staff ID)")},
    "sales": {"date": ("营销日期", "Sale date")},
    "deductions": {"points": ("扣分", "Points deducted"), "reason": ("扣分原因", "Reason")},
    "assessment": {"score": ("千分制得分", "Assessment score")},
    "pool": {"amount": ("绩效工资总额(元)", "Performance-pay pool (CNY)")},
}
#: The scheme of ``labels.VALUES`` for each word table of the rules' ``[values]`` a ledger field reads.
_VALUE_SCHEMES = {"customer_kind": "kind", "staff_state": "state"}


def ledger_labels(kind: str) -> dict[str, tuple[str, str]]:
    """(中文, English) headers of a ledger's columns whose shared label does not fit that ledger."""
    return LEDGER_COLUMNS.get(kind, {})


def ledger_codes(kind: str) -> dict[str, str]:
    """A ledger's columns of coded values -> their scheme in ``VALUES``, by what each field reads (a visit's
    ``kind`` takes the visit kinds' words, a customer's the customer types')."""
    codes = {}
    for name, column in LEDGERS[kind].columns().items():
        if column.kind == "role":
            codes[name] = "role"
        elif column.kind == "enum" and column.values:
            codes[name] = _VALUE_SCHEMES.get(column.values, column.values)
    return codes


def value_label(column: str, value: object, lang: Lang | str) -> object:
    """A coded value as people read it (the value itself when unknown); ``column`` is a column or a scheme."""
    table = VALUES.get(VALUE_COLUMNS.get(column, column), {})
    if isinstance(value, str) and value in table:
        zh, en = table[value]
        return zh if lang == "zh" else en
    return value


def value_words(values: pd.Series, scheme: str, lang: Lang | str) -> pd.Series:
    """A column of coded values as people read them, looked up once per distinct value (nulls stay null)."""
    table = VALUES.get(scheme, {})
    if not table or values.empty:
        return values
    found, uniques = pd.factorize(values)
    words = np.array([value_label(scheme, u, lang) for u in uniques] + [None], dtype=object)
    return pd.Series(words[np.where(found < 0, len(uniques), found)], index=values.index, dtype="object")
# --- end allocate ------------------------------------------------------------------------------

_METRICS_ZH = {"outbound_visits": "外出客户拓展", "referrals": "对公客户转推荐", "deposit_up": "存款上涨户数",
               "products_sold": "产品营销个数", "new_customers": "新客户拓展", "worklog": "系统工作日志完成",
               "deductions": "扣分"}
_METRICS_EN = {"outbound_visits": "Outbound visits", "referrals": "Referrals", "deposit_up": "Deposits up",
               "products_sold": "Products sold", "new_customers": "New customers", "worklog": "Work-log",
               "deductions": "Deductions"}


@lru_cache(maxsize=1)
def _ledger_labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for spec in LEDGERS.values():
        for name, column in spec.columns().items():
            out.setdefault(name, column.label_zh)
    return out


_CHANGE = ("变化", "change")


def column_label(column: str, lang: Lang | str) -> str:
    """The header users see for a canonical column (``<column>_change``: its change between two runs)."""
    if column.endswith("_change") and column not in COLUMNS:
        zh, en = _CHANGE
        base = column_label(column.removesuffix("_change"), lang)
        return f"{base}{zh}" if lang == "zh" else f"{base}, {en}"
    if column in COLUMNS:
        zh, en, _ = COLUMNS[column]
        return zh if lang == "zh" else en
    if column.startswith("points_"):
        metric = column.removeprefix("points_")
        return f"{_METRICS_ZH.get(metric, metric)}得分" if lang == "zh" else \
            f"{_METRICS_EN.get(metric, metric)} points"
    if lang == "zh" and column in _ledger_labels():
        return _ledger_labels()[column]
    return column


def column_format(column: str) -> str | None:
    """The display format of a known column, or None."""
    if column in COLUMNS:
        return COLUMNS[column][2]
    if column.endswith("_change") and column not in COLUMNS:
        return column_format(column.removesuffix("_change"))
    if column.startswith("points_"):
        return "score"
    return None


def metric_label(metric: str, lang: Lang | str) -> str:
    """A scorecard metric's name for people."""
    return (_METRICS_ZH if lang == "zh" else _METRICS_EN).get(metric, metric)


def perspective_label(perspective: str, lang: Lang | str) -> str:
    """A balanced-scorecard perspective's name for people."""
    zh, en = VALUES["perspective"].get(perspective, (perspective, perspective))
    return zh if lang == "zh" else en


def role_label(role: str, lang: Lang | str) -> str:
    """A role key's name for people (DOMAIN §1)."""
    zh, en = VALUES["role"].get(role, (role, role))
    return zh if lang == "zh" else en
