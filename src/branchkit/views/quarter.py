"""The quarterly customer-relationship analysis as a report (客户关系管理季度分析报告).

Built from a ``core.quarter.QuarterResult``: an overview with the month-end
trend, the tier migration matrix, new and lost customers, balances by type and
tier, keeper and visit coverage, and the effect statistics per keeper
(客户关系管理效果统计表), each section with a chart. csv/json carry the
effect statistics (one row per keeper); xlsx has a sheet per table.
"""

from __future__ import annotations

import pandas as pd

from branchkit.core.quarter import TIERS, QuarterResult
from branchkit.io.charts import bar_chart, line_chart, stacked_bar_chart
from branchkit.io.tables import Report, Section, Table
from branchkit.labels import value_label
from branchkit.views import name_unkept
from branchkit.problems import say

LABELS = {
    "item": ("项目", "Item"), "content": ("内容", "Content"), "month": ("月末", "Month end"),
    "tier_start": ("季初层级", "Tier at start"), "lost": ("流失", "Lost"), "total": ("合计", "Total"),
    "high": ("高端", "High"), "mid": ("中端", "Mid"), "general": ("一般", "General"),
    "customers": ("客户数", "Customers"), "customers_start": ("季初客户数", "Customers at start"),
    "customers_end": ("季末客户数", "Customers at end"), "customers_change": ("客户数变化", "Customers, change"),
    "deposit_start": ("季初存款(元)", "Deposits at start (CNY)"), "deposit_end": ("季末存款(元)", "Deposits at end (CNY)"),
    "deposit_change": ("存款变化(元)", "Deposits, change (CNY)"), "loan_start": ("季初贷款(元)", "Loans at start (CNY)"),
    "loan_end": ("季末贷款(元)", "Loans at end (CNY)"), "loan_change": ("贷款变化(元)", "Loans, change (CNY)"),
    "kept": ("有维护人", "With keeper"), "keeper_coverage": ("维护覆盖率", "Keeper coverage"),
    "visited": ("季内已拜访", "Visited in the quarter"), "visit_coverage": ("拜访覆盖率", "Visit coverage"),
    "new": ("新增客户", "New"), "upgraded": ("层级提升", "Upgraded"), "downgraded": ("层级下降", "Downgraded"),
    "high_start": ("季初高端客户", "High tier at start"), "high_end": ("季末高端客户", "High tier at end"),
    "visits": ("拜访次数", "Visits"), "high_visited": ("已拜访高端客户", "High-tier visited"),
    "high_visit_coverage": ("高端客户拜访覆盖率", "High-tier visit coverage"),
    "keeper_name": ("维护责任人", "Keeper"),
}
FORMATS = {c: "int" for c in ("high", "mid", "general", "lost", "total", "customers", "customers_start",
                              "customers_end", "customers_change", "kept", "visited", "new", "upgraded",
                              "downgraded", "high_start", "high_end", "visits", "high_visited")}
FORMATS.update({c: "money" for c in ("deposit_start", "deposit_end", "deposit_change", "loan_start", "loan_end",
                                     "loan_change", "deposit", "loan")})
FORMATS.update({"keeper_coverage": "ratio", "visit_coverage": "ratio", "high_visit_coverage": "ratio",
                "month": "text", "tier_start": "text"})


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _table(key: str, frame: pd.DataFrame, zh: str, en: str, **kwargs) -> Table:
    return Table(key, frame, zh, en, formats={c: f for c, f in FORMATS.items() if c in frame},
                 labels={c: v for c, v in LABELS.items() if c in frame}, **kwargs)


def _words(frame: pd.DataFrame, lang: str, people: bool) -> pd.DataFrame:
    """Coded values (tier, kind, role) in words for people; csv/json keep the keys."""
    if not people:
        return frame
    out = frame.copy()
    for column, scheme in (("tier", "tier"), ("tier_start", "tier"), ("kind", "kind"), ("keeper_role", "role")):
        if column in out:
            out[column] = out[column].map(lambda v, s=scheme: _tier_word(v, s, lang))
    return out


def _tier_word(value: object, scheme: str, lang: str) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return value
    if value == "new":
        return _t(lang, "新增", "New")
    if value == "total":
        return _t(lang, "合计", "Total")
    return value_label(scheme, value, lang)


def quarter_report(result: QuarterResult, *, lang: str = "zh", people: bool = True) -> Report:
    """The quarterly analysis; ``people`` (xlsx/html): values in words."""
    q = str(result.quarter)
    sections = [
        _overview(result, lang),
        _migration(result, lang, people),
        _new_and_lost(result, lang, people),
        _balances(result, lang, people),
        _coverage(result, lang, people),
        _keepers(result, lang, people),
    ]
    used = "、".join(str(m) for m in result.months) if lang == "zh" else ", ".join(str(m) for m in result.months)
    return Report(f"客户关系管理季度分析报告 {q}", f"Customer relationship quarterly analysis {q}", sections,
                  primary="keeper_effect", subtitle=_t(lang, f"季初 {result.start} 月末 → 季末 {result.end} 月末；"
                                                             f"使用的月末快照：{used}",
                                                       f"start: end of {result.start} → end: end of {result.end}; "
                                                       f"snapshots used: {used}"),
                  notes=[say(n, lang) for n in result.notes], period=q)


def _overview(result: QuarterResult, lang: str) -> Section:
    s = result.summary
    items = [
        (_t(lang, "季度", "Quarter"), str(result.quarter)),
        (_t(lang, "季初客户数", "Customers at start"), f"{s['customers_start']:,}"),
        (_t(lang, "季末客户数", "Customers at end"), f"{s['customers_end']:,}"),
        (_t(lang, "新增 / 流失", "New / lost"), f"{s['new']:,} / {s['lost']:,}"),
        (_t(lang, "层级提升 / 下降", "Upgraded / downgraded"), f"{s['upgraded']:,} / {s['downgraded']:,}"),
        (_t(lang, "季初 / 季末存款(元)", "Deposits start / end (CNY)"),
         f"{s['deposit_start']:,.2f} / {s['deposit_end']:,.2f}"),
    ]
    table = _table("overview", pd.DataFrame(items, columns=["item", "content"]), "概况", "Overview")
    trend = result.trend
    charts = [
        line_chart(trend["month"].tolist(), {value_label("tier", t, lang): trend[t].tolist() for t in TIERS},
                   title=_t(lang, "各月末客户数（按层级）", "Customers by tier at each month end"), lang=lang),
        line_chart(trend["month"].tolist(), {_t(lang, "存款", "Deposits"): (trend["deposit"] / 10_000).tolist(),
                                             _t(lang, "贷款", "Loans"): (trend["loan"] / 10_000).tolist()},
                   title=_t(lang, "各月末余额（万元）", "Balances at each month end (10k CNY)"), lang=lang),
    ]
    trend_table = Table("trend", trend, "各月末客户与余额", "Month ends",
                        formats={"month": "text", "customers": "int", "deposit": "money", "loan": "money",
                                 **{t: "int" for t in TIERS}},
                        labels={c: v for c, v in LABELS.items() if c in trend})
    tables = [table, trend_table]
    if len(result.branches) > 1:
        tables.append(_table("quarter_branches", result.branches, "网点季度对比", "Branches"))
    return Section("季度概况", "Overview", tables, charts=charts, anchor="overview")


def _migration(result: QuarterResult, lang: str, people: bool) -> Section:
    matrix = result.migration
    body = matrix[matrix["tier_start"].isin(TIERS + ["new"])]
    names = [_tier_word(t, "tier", lang) for t in body["tier_start"]]
    series = {_tier_word(c, "tier", lang) if c != "lost" else _t(lang, "流失", "lost"): body[c].tolist()
              for c in TIERS + ["lost"]}
    chart = stacked_bar_chart(names, series, lang=lang,
                              title=_t(lang, "季初层级 → 季末层级（户数）", "Tier at start → tier at end (customers)"))
    table = _table("migration", _words(matrix, lang, people), "客户层级迁移矩阵", "Tier migration",
                   note_zh="行：季初层级（新增 = 季初不在册）；列：季末层级（流失 = 季末不在册）。",
                   note_en="Rows: tier at the start (new = not on the books then); columns: tier at the end "
                           "(lost = no longer on the books).")
    return Section("客户层级迁移", "Tier migration", [table], charts=[chart], anchor="migration")


def _new_and_lost(result: QuarterResult, lang: str, people: bool) -> Section:
    counts = pd.DataFrame({
        "new": result.new["tier"].astype("str").value_counts().reindex(TIERS, fill_value=0),
        "lost": result.lost["tier"].astype("str").value_counts().reindex(TIERS, fill_value=0)})
    chart = stacked_bar_chart([value_label("tier", t, lang) for t in TIERS],
                              {_t(lang, "新增", "new"): counts["new"].tolist(),
                               _t(lang, "流失", "lost"): counts["lost"].tolist()}, lang=lang,
                              title=_t(lang, "新增与流失客户（按层级）", "New and lost customers by tier"))
    keeper = {"keeper": ("维护/营销人工号", "Keeper or marketer (staff ID)"),
              "keeper_name": ("维护/营销人", "Keeper or marketer")}
    new = Table("new", _words(result.new, lang, people), "新增客户", "New customers", labels=keeper,
                empty_zh="本季无新增客户。", empty_en="No new customer this quarter.")
    lost = Table("lost", _words(result.lost, lang, people), "流失客户", "Lost customers",
                 labels={"keeper_name": LABELS["keeper_name"]},
                 empty_zh="本季无流失客户。", empty_en="No customer lost this quarter.")
    return Section("新增与流失客户", "New and lost customers", [new, lost], charts=[chart], anchor="new-lost")


def _balances(result: QuarterResult, lang: str, people: bool) -> Section:
    frame = result.balances
    detail = frame[frame["tier"] != "all"]
    kinds = list(dict.fromkeys(detail["kind"]))
    table = detail.pivot_table(index="kind", columns="tier", values="deposit_end", aggfunc="sum", fill_value=0.0)
    series = {value_label("tier", t, lang): (table.reindex(kinds)[t] / 10_000).tolist() for t in TIERS
              if t in table.columns}
    chart = stacked_bar_chart([value_label("kind", k, lang) for k in kinds], series, lang=lang,
                              title=_t(lang, "季末存款（万元，按客户类型与层级）",
                                       "Deposits at the end (10k CNY) by type and tier"))
    return Section("分类分层客户与余额", "Customers and balances by type and tier",
                   [_table("balances", _words(frame, lang, people), "分类分层客户与余额", "By type and tier")],
                   charts=[chart], anchor="balances")


def _coverage(result: QuarterResult, lang: str, people: bool) -> Section:
    frame = result.coverage
    names = [_tier_word(t, "tier", lang) for t in frame["tier"]]
    charts = [bar_chart(names, (frame["keeper_coverage"].fillna(0)).tolist(), value_format=".0%", lang=lang,
                        title=_t(lang, "维护覆盖率（季末）", "Keeper coverage at the end")),
              bar_chart(names, frame["visit_coverage"].tolist(), value_format=".0%", lang=lang,
                        title=_t(lang, "季内拜访覆盖率", "Visit coverage in the quarter"))]
    text = _t(lang, "高端客户应按拜访频率逐月拜访；拜访覆盖率 = 季内有拜访记录的客户 / 季末客户。",
              "Visit coverage = customers with a visit record in the quarter / customers at the end.")
    return Section("维护覆盖与拜访覆盖", "Keeper and visit coverage",
                   [_table("coverage", _words(frame, lang, people), "维护覆盖与拜访覆盖", "Coverage")],
                   charts=charts, text_zh=text if lang == "zh" else "", text_en=text if lang != "zh" else "",
                   anchor="coverage")


def _keepers(result: QuarterResult, lang: str, people: bool) -> Section:
    frame = name_unkept(result.keepers, lang) if people else result.keepers
    shown = name_unkept(frame, lang)
    shown = shown[shown["customers_end"].gt(0) | shown["customers_start"].gt(0)]
    labels = (shown["keeper_name"].fillna(shown["keeper"]).astype("str")).tolist()
    chart = bar_chart(labels, (shown["deposit_change"] / 10_000).tolist(), value_format=",.1f", lang=lang,
                      title=_t(lang, "各维护责任人存款变化（万元）", "Change in deposits per keeper (10k CNY)"))
    table = _table("keeper_effect", _words(frame, lang, people), "客户关系管理效果统计表",
                   "Relationship effect per keeper",
                   note_zh="季初数据归季初维护人，季末数据与层级变化归季末维护人；新增客户归营销人，无营销人则归维护人。",
                   note_en="Start figures belong to the keeper at the start; end figures and tier moves to the "
                           "keeper at the end; a new customer to its marketer, else its keeper.")
    return Section("客户关系管理效果统计表", "Relationship effect per keeper", [table], charts=[chart],
                   anchor="keepers")
