"""Row models of every ledger kind (SPEC appendix "input ledgers").

Each model is a pydantic model of one cleaned row: its field types and
constraints are what a row must satisfy. The ``Column`` metadata on each field
names the headers ledgers use for it and how the reader converts the whole
column at once; the reader never validates a million rows one by one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal, Optional

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from branchkit.models.fields import Column, col

Money = Optional[float]


class LedgerRow(BaseModel):
    """Base of the row models: unknown columns are ignored, values are already converted.

    The reader uses their fields, never validates a row: their validators are built only if one is
    ever used (defer_build), not at every start."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class Customer(LedgerRow):
    customer_id: Annotated[str, col("id", "客户号", "客户编号", "客户代码", "客户编码", "客户ID", "customer_id",
                                    "customer id", "cust id", "customer no", "client id", required=True)]
    name: Annotated[str, col("text", "客户名称", "户名", "单位名称", "客户姓名", "企业名称", "公司名称", "名称",
                             "name", "customer name", required=True)]
    kind: Annotated[Literal["corporate", "retail", "agri"], col(
        "enum", "客户类型", "客户类别", "客户性质", "类型", "kind", "customer type", "type",
        required=True, values="customer_kind")]
    branch: Annotated[Optional[str], col("text", "所属网点", "网点", "机构", "所属机构", "网点名称", "归属网点",
                                         "支行", "branch", "branch name")] = None
    deposit: Annotated[Money, Field(ge=0), col(
        "money", "存款余额", "存款日均", "日均存款", "存款", "存款月日均", "月日均存款", "deposit", "deposits",
        "deposit balance")] = None
    loan: Annotated[Money, Field(ge=0), col("money", "贷款余额", "贷款", "贷款日均", "loan", "loans",
                                            "loan balance")] = None
    financial_assets: Annotated[Money, Field(ge=0), col(
        "money", "金融资产", "个人金融资产", "金融资产余额", "aum", "financial_assets", "financial assets")] = None
    scale: Annotated[Optional[Literal["large", "medium", "small", "micro"]], col(
        "enum", "企业规模", "规模", "scale", "enterprise scale", "size", values="scale")] = None
    industry: Annotated[Optional[str], col("text", "所属行业", "行业", "行业类别", "industry")] = None
    is_tech: Annotated[Optional[bool], col("bool", "是否科技型企业", "科技型企业", "科技企业", "is_tech",
                                           "tech")] = None
    keeper: Annotated[Optional[str], col("staff", "管户人", "维护人", "维护责任人", "管护人", "客户经理",
                                         "管户客户经理", "keeper")] = None
    status: Annotated[Literal["existing", "target"], col(
        "enum", "客户状态", "状态", "status", values="status")] = "existing"
    open_date: Annotated[Optional[dt.date], col("date", "开户日期", "开户时间", "建立关系日期", "open_date",
                                                "opened", "open date")] = None
    id_number: Annotated[Optional[str], col("sensitive", "证件号码", "身份证号", "统一社会信用代码", "证件号",
                                            "身份证号码", "信用代码", "id_number", "id number")] = None
    phone: Annotated[Optional[str], col("sensitive", "联系电话", "手机号", "手机号码", "电话", "手机",
                                        "联系方式", "phone", "mobile")] = None
    marketer: Annotated[Optional[str], col("staff", "营销人", "营销人员", "营销客户经理", "marketer")] = None
    vip_grade: Annotated[Optional[Literal["gold", "platinum", "diamond"]], col(
        "enum", "会员等级", "客户等级", "vip_grade", "vip grade", values="vip_grade")] = None
    latent: Annotated[Optional[bool], col("bool", "潜在客户", "是否潜在客户", "latent")] = None


class Staff(LedgerRow):
    staff_id: Annotated[str, col("id", "工号", "员工号", "柜员号", "员工编号", "人员编号", "职工号", "staff_id",
                                 "staff id", "employee id", required=True)]
    name: Annotated[str, col("text", "姓名", "员工姓名", "名字", "name", required=True)]
    role: Annotated[str, col("role", "岗位", "职务", "岗位名称", "职位", "role", "position", "post",
                             required=True)]
    branch: Annotated[Optional[str], col("text", "所属网点", "网点", "机构", "所属机构", "网点名称",
                                         "branch")] = None
    state: Annotated[Literal["active", "on_leave", "left"], col(
        "enum", "在岗", "是否在岗", "在岗状态", "人员状态", "状态", "active", "state", "status",
        values="staff_state")] = "active"
    branch_type: Annotated[Optional[str], col("enum", "网点类型", "branch_type", "branch type",
                                              values="branch_type")] = None


class Claim(LedgerRow):
    staff_id: Annotated[str, col("staff", "认领人", "工号", "认领人工号", "认领员工", "staff_id", "claimant",
                                 required=True)]
    customer_id: Annotated[str, col("id", "客户号", "客户编号", "客户代码", "customer_id", "customer id",
                                    required=True)]
    claimed_on: Annotated[Optional[dt.date], col("date", "认领日期", "认领时间", "日期", "claimed_on",
                                                 "date")] = None
    locked: Annotated[Optional[bool], col("bool", "锁定", "是否锁定", "指定", "locked", "lock")] = None


class PreviousAllocation(LedgerRow):
    customer_id: Annotated[str, col("id", "客户号", "客户编号", "customer_id", required=True)]
    #: Blank where nobody kept the customer last month (allocate leaves below-floor and unplaced customers
    #: without a keeper): that customer has no previous keeper, as if it were not listed.
    keeper: Annotated[Optional[str], col("staff", "维护责任人", "管户人", "维护责任人工号", "keeper",
                                         required=True, blank=True)] = None
    locked: Annotated[Optional[bool], col("bool", "锁定", "是否锁定", "locked", "lock")] = None
    #: The keeper's role last month, so a role change can be seen (allocate writes it).
    keeper_role: Annotated[Optional[str], col("role", "维护责任人岗位", "上月岗位", "keeper_role")] = None


class Visit(LedgerRow):
    visit_date: Annotated[dt.date, col("date", "拜访日期", "日期", "拜访时间", "visit_date", "date",
                                       required=True)]
    staff_id: Annotated[str, col("staff", "拜访人", "工号", "客户经理", "拜访客户经理", "拜访人工号", "staff_id",
                                 "visitor", required=True)]
    customer_id: Annotated[Optional[str], col("id", "客户号", "客户编号", "customer_id")] = None
    customer_name: Annotated[Optional[str], col("text", "客户名称", "客户", "拜访客户", "customer",
                                                "customer_name")] = None
    kind: Annotated[Optional[Literal["outbound", "phone", "lobby"]], col(
        "enum", "拜访方式", "方式", "拜访类型", "kind", values="visit_kind")] = None
    purpose: Annotated[Optional[str], col("text", "拜访目的", "purpose")] = None
    contact: Annotated[Optional[str], col("text", "沟通人", "拟沟通人", "contact")] = None
    needs: Annotated[Optional[str], col("text", "客户需求", "可能需求", "needs")] = None
    objections: Annotated[Optional[str], col("text", "客户异议", "可能异议", "objections")] = None
    approach: Annotated[Optional[str], col("text", "如何达成目标", "approach")] = None
    met: Annotated[Optional[str], col("text", "实际沟通人", "met")] = None
    info: Annotated[Optional[str], col("text", "搜集信息", "搜集到的信息", "info")] = None
    achieved: Annotated[Optional[Literal["yes", "partly", "no"]], col(
        "enum", "是否达成目标", "达成目标", "achieved", values="goal_reached")] = None
    reason: Annotated[Optional[str], col("text", "原因", "reason")] = None
    next_step: Annotated[Optional[str], col("text", "下一步计划", "next_step")] = None
    actions: Annotated[Optional[str], col("text", "需执行动作", "actions")] = None
    head_comment: Annotated[Optional[str], col("text", "负责人点评", "行长点评", "head_comment")] = None


class PlanDay(LedgerRow):
    """The tidy form of a Gantt plan: one row per planned day.

    A day is slipped when ``slipped_to`` names its new date or ``slipped`` says so (a slip note
    without a date); the wide Gantt as drawn is read into this form by ``io.gantt``.
    """

    staff_id: Annotated[str, col("staff", "工号", "客户经理", "staff_id", required=True)]
    customer_id: Annotated[Optional[str], col("id", "客户号", "客户编号", "customer_id")] = None
    customer_name: Annotated[Optional[str], col("text", "客户名称", "项目/客户", "客户/项目", "项目名称",
                                                "目标客户", "客户", "项目", "customer", "customer_name")] = None
    goal: Annotated[Optional[str], col("text", "月度工作目标", "工作目标", "月度目标", "本月目标", "goal")] = None
    date: Annotated[dt.date, col("date", "计划日期", "日期", "date", required=True)]
    action: Annotated[Optional[str], col("text", "动作", "计划动作", "action")] = None
    slipped_to: Annotated[Optional[dt.date], col("date", "延迟至", "延至", "slipped_to")] = None
    slipped: Annotated[Optional[bool], col("bool", "是否延迟", "延迟", "slipped")] = None


class DailyVolume(LedgerRow):
    branch: Annotated[str, col("text", "网点", "所属网点", "网点名称", "机构", "branch", required=True)]
    branch_type: Annotated[Optional[str], col("enum", "网点类型", "branch_type", values="branch_type")] = None
    daily_transactions: Annotated[float, Field(ge=0), col(
        "number", "日均交易笔数", "日均业务量", "日均柜面交易笔数", "日均笔数", "daily_transactions",
        required=True)]
    corporate_cash: Annotated[Optional[float], Field(ge=0), col(
        "number", "对公现金日均笔数", "对公现金笔数", "corporate_cash")] = None
    corporate_noncash: Annotated[Optional[float], Field(ge=0), col(
        "number", "对公非现金日均笔数", "对公非现金笔数", "corporate_noncash")] = None
    tellers_current: Annotated[Optional[float], Field(ge=0), col(
        "number", "现有柜员数", "柜员数", "柜员人数", "tellers_current")] = None


class HourlyVolume(LedgerRow):
    branch: Annotated[str, col("text", "网点", "所属网点", "网点名称", "机构", "branch", required=True)]
    date: Annotated[Optional[dt.date], col("date", "日期", "date")] = None
    hour: Annotated[int, Field(ge=0, le=23), col("hour", "时段", "小时", "时间段", "hour", required=True)]
    arrivals: Annotated[float, Field(ge=0), col("number", "到达笔数", "交易笔数", "到达人数", "笔数", "arrivals",
                                                required=True)]
    handling_seconds: Annotated[Optional[float], Field(gt=0), col(
        "number", "平均办理时长", "办理时长", "平均办理时间", "handling_seconds")] = None
    counters_open: Annotated[Optional[float], Field(ge=0), col(
        "number", "开放柜台数", "实际柜台数", "在岗柜员数", "counters_open")] = None


class Referral(LedgerRow):
    date: Annotated[dt.date, col("date", "登记日期", "日期", "date", required=True)]
    referrer: Annotated[str, col("staff", "登记柜员", "推荐人", "柜员", "登记柜员工号", "referrer", required=True)]
    customer_id: Annotated[Optional[str], col("id", "客户号", "客户编号", "customer_id")] = None
    customer_name: Annotated[Optional[str], col("text", "客户名称", "客户", "customer", "customer_name")] = None
    referred_to: Annotated[Optional[str], col("staff", "接收客户经理", "接收人", "接收客户经理工号", "referred_to")] = None
    kind: Annotated[Optional[Literal["corporate", "retail", "agri"]], col(
        "enum", "客户类型", "kind", values="customer_kind")] = None


class Sale(LedgerRow):
    date: Annotated[dt.date, col("date", "营销日期", "日期", "date", required=True)]
    product: Annotated[str, col("text", "产品名称", "产品", "product", required=True)]
    customer: Annotated[Optional[str], col("text", "客户", "客户名称", "客户号", "customer")] = None
    closer: Annotated[str, col("staff", "营销实施人", "营销人", "closer", required=True)]
    lead: Annotated[Optional[str], col("staff", "信息获取人", "信息提供人", "lead")] = None
    piece_rate: Annotated[Optional[float], Field(ge=0), col(
        "money", "计价金额", "计价", "piece_rate")] = None


class WorklogDay(LedgerRow):
    staff_id: Annotated[str, col("staff", "工号", "员工", "姓名", "staff_id", required=True)]
    date: Annotated[dt.date, col("date", "日期", "日志日期", "date", required=True)]


class Deduction(LedgerRow):
    staff_id: Annotated[str, col("staff", "工号", "姓名", "staff_id", required=True)]
    points: Annotated[float, Field(ge=0), col("number", "扣分", "扣分值", "points", required=True)]
    reason: Annotated[Optional[str], col("text", "原因", "扣分原因", "reason")] = None
    date: Annotated[Optional[dt.date], col("date", "日期", "扣分日期", "date")] = None


class Assessment(LedgerRow):
    staff_id: Annotated[str, col("staff", "工号", "姓名", "staff_id", required=True)]
    score: Annotated[float, Field(ge=0, le=1000), col("number", "千分制得分", "得分", "考核得分", "score",
                                                      required=True)]


class Pool(LedgerRow):
    branch: Annotated[str, col("text", "网点", "所属网点", "网点名称", "branch", required=True)]
    amount: Annotated[float, Field(ge=0), col("money", "绩效工资总额", "绩效工资", "金额", "amount",
                                              required=True)]


@dataclass(frozen=True)
class Bounds:
    """Limits of a numeric field, as its row model declares them (None: no limit)."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    def outside(self, values: pd.Series) -> pd.Series:
        """Which values break a limit (missing values break none)."""
        out = pd.Series(False, index=values.index)
        for limit, test in ((self.ge, values.lt), (self.gt, values.le), (self.le, values.gt), (self.lt, values.ge)):
            if limit is not None:
                out |= test(limit).fillna(False).astype("bool")
        return out

    def words(self) -> str:
        """What the limits ask, for a problem message: ``cannot be negative``, ``must be from 0 to 1000``."""
        low = f"from {self.ge:g}" if self.ge is not None else f"above {self.gt:g}" if self.gt is not None else None
        high = f"to {self.le:g}" if self.le is not None else f"below {self.lt:g}" if self.lt is not None else None
        if low == "from 0" and high is None:
            return "cannot be negative"
        return "must be " + " ".join(w for w in (low, high) if w)


@dataclass(frozen=True)
class LedgerSpec:
    """A ledger kind: its row model, how its files and sheets are named, its labels."""

    kind: str
    model: type[LedgerRow]
    label_zh: str
    label_en: str
    names: tuple[str, ...]          # file or sheet name keywords, most specific first
    one_of: tuple[tuple[str, ...], ...] = ()   # at least one field of each group must be present

    def columns(self) -> dict[str, Column]:
        """Field name -> column metadata, in declaration order."""
        out = {}
        for name, info in self.model.model_fields.items():
            meta = next(m for m in info.metadata if isinstance(m, Column))
            out[name] = meta
        return out

    def bounds(self, name: str) -> "Bounds":
        """The limits a field's values must keep (``Field(ge=0, le=1000)`` on the row model)."""
        limits: dict[str, float] = {}
        for item in self.model.model_fields[name].metadata:
            for key in ("ge", "gt", "le", "lt"):
                if hasattr(item, key):
                    limits[key] = getattr(item, key)
        return Bounds(**limits)

    def required(self) -> list[str]:
        """Fields whose header must be present."""
        return [name for name, c in self.columns().items() if c.required]


LEDGERS: dict[str, LedgerSpec] = {
    spec.kind: spec for spec in (
        LedgerSpec("customers_start", Customer, "月初客户清单", "customers (month start)",
                   ("月初客户清单", "月初客户", "customers_start", "customers start")),
        LedgerSpec("customers", Customer, "客户清单", "customers",
                   ("客户清单", "存量客户", "客户名单", "对公客户", "个人客户", "customers", "customer")),
        LedgerSpec("staff", Staff, "员工", "staff", ("员工", "人员", "花名册", "staff", "roster")),
        LedgerSpec("claims", Claim, "认领", "claims", ("认领", "claims", "claim")),
        LedgerSpec("previous", PreviousAllocation, "上月分配", "previous allocation",
                   ("上月分配", "上月维护", "previous", "allocation")),
        LedgerSpec("visits", Visit, "拜访记录", "visits",
                   ("拜访记录", "拓展记录", "拜访", "visits", "visit"), (("customer_id", "customer_name"),)),
        LedgerSpec("plan", PlanDay, "甘特图", "plan",
                   ("甘特图", "甘特", "工作计划", "拜访计划", "月度计划", "plan", "gantt"), (("customer_id", "customer_name"),)),
        LedgerSpec("volumes_hourly", HourlyVolume, "分时段业务量", "hourly volumes",
                   ("分时段业务量", "分时段", "hourly", "volumes_hourly")),
        LedgerSpec("volumes", DailyVolume, "业务量", "volumes", ("日均业务量", "业务量", "volumes", "volume")),
        LedgerSpec("referrals", Referral, "柜员识别客户登记表", "referrals",
                   ("柜员识别客户登记表", "识别客户", "转推荐", "推荐", "referrals", "referral"),
                   (("customer_id", "customer_name"),)),
        LedgerSpec("sales", Sale, "产品营销", "sales", ("产品营销", "营销", "sales")),
        LedgerSpec("worklog", WorklogDay, "工作日志", "worklog", ("工作日志", "日志", "worklog")),
        LedgerSpec("deductions", Deduction, "扣分", "deductions", ("扣分", "deductions")),
        LedgerSpec("assessment", Assessment, "千分制", "assessment", ("千分制", "assessment")),
        LedgerSpec("pool", Pool, "绩效工资", "pool", ("绩效工资", "绩效", "pool")),
    )
}


def ledger(kind: str) -> LedgerSpec:
    """The spec of a ledger kind (KeyError for an unknown kind)."""
    return LEDGERS[kind]


def derive(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Columns computed from the ones read: a staff member is ``active`` unless they left."""
    if kind == "staff" and "state" in frame:
        position = list(frame.columns).index("state")
        frame.insert(position, "active", frame["state"].ne("left").astype("bool"))
    return frame


#: The dtype of a ledger column by its field kind (ids and text: pandas ``str``).
DTYPES = {"money": "float64", "number": "float64", "date": "datetime64[s]", "bool": "boolean", "hour": "Int64"}


def empty_frame(kind: str) -> pd.DataFrame:
    """A frame with the kind's canonical columns and bookkeeping columns, and no rows."""
    columns = LEDGERS[kind].columns()
    frame = derive(kind, pd.DataFrame({name: pd.Series(dtype=DTYPES.get(c.kind, "str"))
                                       for name, c in columns.items()}))
    for name, dtype in (("_file", "str"), ("_sheet", "str"), ("_row", "int64"), ("_rid", "int64")):
        frame[name] = pd.Series(dtype=dtype)
    return frame
