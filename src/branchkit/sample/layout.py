"""Lay the written ledgers out as a branch keeps them: title rows, a date line,
headers (one or two rows), data and a 合计 totals row; or, for ``--format csv``,
plain tables with the same headers.

Ledgers are produced one at a time (a generator), so a million-row network
holds only the cells of the workbooks being written in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import pandas as pd

from branchkit.sample.build import Sample
from branchkit.sample.calendar import SampleMonth, zh_date
from branchkit.sample.gantt import gantt_sheets, plan_tidy
from branchkit.sample import written as w
from branchkit.sample.xlsx import Cell, Column, Sheet

NETWORK = "江城分行"
TEXT_COLUMNS = {"客户号", "证件号码", "联系电话", "工号"}
MONEY_COLUMNS = {"存款余额", "贷款余额", "金融资产", "存款余额(万元)", "贷款余额(万元)", "计价金额", "绩效工资总额"}
DATE_COLUMNS = {"开户日期", "认领日期", "拜访日期", "登记日期", "营销日期", "日期"}
WIDE_COLUMNS = {"客户名称": 30, "客户": 24, "所属行业": 16, "证件号码": 20, "开户日期": 12, "所属网点": 11}
CORPORATE_COLUMNS = ["客户号", "客户名称", "客户类型", "所属网点", "存款余额(万元)", "贷款余额(万元)", "企业规模", "所属行业",
                     "是否科技型企业", "管户人", "营销人", "客户状态", "开户日期", "证件号码", "联系电话"]
PERSONAL_COLUMNS = ["客户号", "客户名称", "客户类型", "所属网点", "存款余额", "贷款余额", "金融资产", "管户人", "营销人",
                    "客户状态", "开户日期", "证件号码", "联系电话", "会员等级"]
TEN_THOUSAND = 10_000


@dataclass
class Ledger:
    """One file: its path under the sample folder (no extension) and its content in either format.

    A customer snapshot comes as ``snapshot`` (the written frame) and is laid
    out only by ``expanded``, possibly in a worker process: a million-row
    frame travels between processes far more cheaply than its cells.
    """

    path: str
    sheets: list[Sheet] = field(default_factory=list)         # for xlsx
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # for csv: file path -> table
    same_as: str = ""          # the file is a byte copy of this ledger's
    snapshot: pd.DataFrame | None = None
    titles: tuple[str, str] = ("", "")
    bom: bool = True           # CSV with a BOM, so Excel opens the Chinese headers correctly

    def expanded(self, fmt: str) -> "Ledger":
        """The ledger with a snapshot laid out as sheets (xlsx) or a table (csv)."""
        if self.snapshot is None:
            return self
        if fmt == "csv":
            return Ledger(self.path, tables={self.path: self.snapshot})
        return Ledger(self.path, sheets=customer_sheets(self.snapshot, *self.titles))


def _style(column: str) -> str:
    if column in TEXT_COLUMNS:
        return "text"
    if column in MONEY_COLUMNS:
        return "money"
    return "date" if column in DATE_COLUMNS else ""


def _values(series: pd.Series) -> list[object]:
    """Plain Python values for the writer (NaN and NaT become None)."""
    values = series.astype(object).where(series.notna(), None)
    return values.tolist()


def table_sheet(name: str, frame: pd.DataFrame, titles: list[str], totals: list[str] = ()) -> Sheet:
    """A sheet: title lines (the first merged over the table), the header, data, a 合计 row over ``totals``."""
    width = len(frame.columns)
    top = ([[Cell(titles[0], "title")]] + [[t] for t in titles[1:]]) if titles else []
    if len(titles) > 1:
        top.append([])        # ledgers leave a blank row between the date line and the header
    top.append([Cell(c, "header") for c in frame.columns])
    foot = []
    if totals:
        sums = {c: round(float(frame[c].fillna(0).sum()), 2) for c in totals}
        foot = [[Cell("合计", "bold")] + [Cell(sums[c], "bold_money") if c in sums else None
                                           for c in frame.columns[1:]]]
    return Sheet(
        name=name, top=top, foot=foot, freeze=len(top),
        body=[Column(_values(frame[c]), _style(c)) for c in frame.columns],
        merges=[(0, 0, 0, width - 1)] if titles and width > 1 else [],
        widths=[WIDE_COLUMNS.get(c, max(8.0, 2.2 * len(c) + 2)) for c in frame.columns],
    )


def customer_sheets(frame: pd.DataFrame, title: str, date_line: str) -> list[Sheet]:
    """对公客户 (amounts in 万元) and 个人客户 (retail and 三农, in CNY) of one snapshot."""
    corporate = frame["客户类型"] == w.KIND_ZH["corporate"]
    corp = frame[corporate].rename(columns={"存款余额": "存款余额(万元)", "贷款余额": "贷款余额(万元)"})
    for c in ("存款余额(万元)", "贷款余额(万元)"):
        corp[c] = (corp[c] / TEN_THOUSAND).round(2)
    personal = frame[~corporate]
    return [
        table_sheet("对公客户", corp[CORPORATE_COLUMNS], [f"{title}（对公客户）", date_line],
                    ["存款余额(万元)", "贷款余额(万元)"]),
        table_sheet("个人客户", personal[PERSONAL_COLUMNS], [f"{title}（个人及三农客户）", date_line],
                    ["存款余额", "贷款余额", "金融资产"]),
    ]


def _customer_ledger(sample: Sample, offset: int, path: str, same_as: str = "") -> Ledger:
    if same_as:
        return Ledger(path, same_as=same_as)
    end = sample.month.shift(offset).end
    return Ledger(path, snapshot=w.customers_written(sample.customers, offset),
                  titles=(f"{NETWORK}客户清单", f"数据日期：{zh_date(end)}"))


def _simple(path: str, sheet: str, frame: pd.DataFrame, fmt: str, titles: list[str], totals=()) -> Ledger:
    if fmt == "csv":
        return Ledger(path, tables={path: frame})
    return Ledger(path, sheets=[table_sheet(sheet, frame, titles, list(totals))])


def _volumes(sample: Sample, fmt: str) -> Ledger:
    daily, hourly = w.daily_written(sample.daily), w.hourly_written(sample.hourly)
    if fmt == "csv":
        return Ledger("业务量", tables={"业务量": daily, "业务量_分时段": hourly})
    return Ledger("业务量", sheets=[daily_sheet(daily, f"{sample.month.year}年{sample.month.month}月各网点日均业务量"),
                                  table_sheet("分时段业务量", hourly, [])])


def daily_sheet(daily: pd.DataFrame, title: str) -> Sheet:
    """日均业务量 with 对公 merged over its two sub-headers, the other headers merged down two rows."""
    head1 = [Cell(h, "header") for h in ("网点", "网点类型", "日均交易\n笔数", "对公", None, "现有柜员数")]
    head2 = [None, None, None, Cell("现金日均笔数", "header"), Cell("非现金日均笔数", "header"), None]
    numbers = ["日均交易笔数", "对公现金日均笔数", "对公非现金日均笔数", "现有柜员数"]
    totals = [Cell("合计", "bold"), None] + [Cell(int(daily[c].sum()), "bold") for c in numbers]
    return Sheet(
        name="日均业务量", top=[[Cell(title, "title")], head1, head2], foot=[totals], freeze=3,
        body=[Column(_values(daily[c])) for c in daily.columns],
        merges=[(0, 0, 0, 5), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 1, 4), (1, 5, 2, 5)],
        widths=[12, 16, 10, 14, 16, 10],
    )


def _gantt(sample: Sample, fmt: str) -> Ledger:
    if fmt == "csv":
        return Ledger("甘特图", tables={"甘特图": plan_tidy(sample.plan)})
    return Ledger("甘特图", sheets=gantt_sheets(sample.plan, sample.staff, sample.month))


def file_names(month: SampleMonth, fmt: str) -> list[str]:
    """The files ``ledgers`` lays out for ``month`` (paths under the sample's folder), known before the
    sample is built: ``sample`` refuses to write over them without --force. Kept beside ``ledgers``, in its
    order; a test checks the two agree."""
    history = [f"history/客户清单_{month.shift(offset).label}" for offset in (-4, -3, -2, -1)]
    simple = ["员工", "认领"]
    later = ["拜访记录", "甘特图", "业务量", *(["业务量_分时段"] if fmt == "csv" else []), "柜员识别客户登记表",
             "产品营销", "工作日志", "扣分", "千分制", "绩效工资"]
    return ([f"{name}.{fmt}" for name in ["客户清单", "月初客户清单", *history, *simple]] + ["上月分配.csv"]
            + [f"{name}.{fmt}" for name in later])


def ledgers(sample: Sample, fmt: str) -> Iterator[Ledger]:
    """Every ledger of the sample, in writing order; ``fmt`` is ``xlsx`` or ``csv``."""
    month, label = sample.month, f"{sample.month.year}年{sample.month.month}月"
    yield _customer_ledger(sample, 0, "客户清单")
    yield _customer_ledger(sample, -1, "月初客户清单")
    for offset in (-4, -3, -2, -1):
        path = f"history/客户清单_{month.shift(offset).label}"
        yield _customer_ledger(sample, offset, path, same_as="月初客户清单" if offset == -1 else "")
    yield _simple("员工", "员工名单", w.staff_written(sample.staff), fmt, [f"{NETWORK}员工名单（{label}）"])
    yield _simple("认领", "认领", sample.filled["claims"], fmt, [f"{label}客户认领登记表"])
    # branchkit's own output: canonical columns, UTF-8 without a BOM
    previous = sample.previous.assign(locked=sample.previous["locked"].map({True: "true", False: "false"}))
    yield Ledger("上月分配", tables={"上月分配": previous}, bom=False)
    yield _simple("拜访记录", "拜访记录", sample.filled["visits"], fmt, [f"目标客户拓展记录表（{label}）"])
    yield _gantt(sample, fmt)
    yield _volumes(sample, fmt)
    yield _simple("柜员识别客户登记表", "柜员识别客户登记表", w.referrals_written(sample.referrals, sample.staff),
                  fmt, [f"柜员识别客户登记表（{label}）"])
    yield _simple("产品营销", "产品营销", sample.filled["sales"], fmt, [f"产品营销登记表（{label}）"], ["计价金额"])
    yield _simple("工作日志", "工作日志", w.simple_written(sample.worklog, {"staff_id": "工号", "date": "日期"}),
                  fmt, [])
    yield _simple("扣分", "扣分", w.simple_written(sample.deductions, {"staff_id": "工号", "points": "扣分",
                                                                  "reason": "原因", "date": "日期"}),
                  fmt, [f"扣分登记表（{label}）"])
    yield _simple("千分制", "千分制", w.simple_written(sample.assessment, {"staff_id": "工号", "score": "千分制得分"}),
                  fmt, [f"网点负责人千分制考核得分（{label}）"])
    yield _simple("绩效工资", "绩效工资", w.simple_written(sample.pool, {"branch": "网点", "amount": "绩效工资总额"}),
                  fmt, [f"各网点绩效工资总额（{label}）"], ["绩效工资总额"])
