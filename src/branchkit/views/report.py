"""The month-end pack as a report: a cover, the network, then every branch (DOMAIN §7).

Built from a ``core.report.MonthPack`` with the commands' own views
(``allocation_sections``, ``staff_report``, ``plan_sections``,
``score_report``), so a table here holds what the command shows.

- html: the cover (month, branches, data quality, what was left out and why),
  the network totals and branch comparison (several branches), then per
  branch, each on a new printed page: customers by type x tier, keeper
  coverage and load, changes since last month, staffing, plan adherence,
  overdue visits, scorecards and pay; every section has a chart.
- xlsx: the cover sheet, the branch comparison, then one sheet per table over
  the whole network (a branch column in each), so the totals reconcile with
  the commands' outputs.
- csv/json: the branch comparison (one row per branch, then the network).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd
from markupsafe import Markup

from branchkit.core.needs import Absence
from branchkit.core.report import COMPARISON_COLUMNS, MonthPack, Omission, branch_comparison, keeper_coverage
from branchkit.io.charts import bar_chart, stacked_bar_chart
from branchkit.io.tables import LaterSections, Report, Section, Table
from branchkit.labels import value_label
from branchkit.messages import title
from branchkit.problems import message_in, say
from branchkit.rules import Rules
from branchkit.views.absent import absence_table
from branchkit.views.allocate import allocation_sections, branch_allocation
from branchkit.views.plan import plan_sections
from branchkit.views.score import branch_score, score_report
from branchkit.views.staff import branch_table, explained, hour_charts, shortfall_table, staff_report

PART_TITLES = {
    "allocation": ("客户分层结构、维护覆盖与负荷", "Customers by tier, keeper coverage and load"),
    "changes": ("较上月分配变动", "Changes since last month"),
    "staffing": ("人员配置", "Staffing"),
    "plan": ("计划执行情况", "Plan adherence"),
    "overdue": ("逾期未拜访客户", "Customers overdue for a visit"),
    "score": ("积分卡与绩效工资", "Scorecards and pay"),
}
LABELS = {
    "item": ("项目", "Item"), "content": ("内容", "Content"), "ledger": ("台账", "Ledger"),
    "files": ("文件", "Files"), "totals_rows": ("合计行(未计入)", "Totals rows (not data)"),
    "section_rows": ("分类标题行(未计入)", "Section heading rows (not data)"),
    "problems": ("问题数", "Problems"), "count": ("条数", "Count"), "example": ("示例", "Example"),
    "problem": ("问题", "Problem"),
    "part": ("内容", "Part"), "needs": ("需要的台账", "Ledgers needed"), "reason": ("原因", "Reason"),
    "customers": ("存量客户数", "Existing customers"), "customers_high": ("高端客户数", "High-tier customers"),
    "keepers": ("维护人数", "Keepers"), "customers_per_keeper": ("人均维护户数", "Customers per keeper"),
    "keeper_coverage": ("维护覆盖率", "Keeper coverage"), "changes": ("维护人变动户数", "Keeper changes"),
    "kept": ("有维护人", "With keeper"), "without_keeper": ("无维护人", "Without keeper"),
    "coverage": ("覆盖率", "Coverage"), "overdue": ("逾期未拜访户数", "Overdue customers"),
    "scored_staff": ("考核人数", "Staff scored"), "average_total": ("平均总分", "Average total"),
    "pool": ("奖金池(元)", "Pool (CNY)"), "bonus": ("绩效奖金合计(元)", "Bonuses (CNY)"),
    "piece_rate_pay": ("计价工资合计(元)", "Piece-rate pay (CNY)"),
}
FORMATS = {"customers": "int", "customers_high": "int", "keepers": "int", "customers_per_keeper": "number",
           "keeper_coverage": "ratio", "changes": "int", "kept": "int", "without_keeper": "int", "coverage": "ratio",
           "overdue": "int", "scored_staff": "int", "average_total": "score", "pool": "money", "bonus": "money",
           "piece_rate_pay": "money", "count": "int", "problems": "int", "totals_rows": "int", "section_rows": "int",
           "planned": "int", "done_on_time": "int", "adherence": "ratio", "deposit": "money", "loan": "money"}


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _table(key: str, frame: pd.DataFrame, zh: str, en: str, **kwargs) -> Table:
    return Table(key, frame, zh, en, formats={c: f for c, f in FORMATS.items() if c in frame},
                 labels={c: v for c, v in LABELS.items() if c in frame}, **kwargs)


@dataclass
class Quality:
    """The data quality the cover shows: rows per ledger and the problems found (frames from the CLI)."""

    ledgers: pd.DataFrame    # ledger (kind), files, read, used, rejected, totals_rows, section_rows
    problems: pd.DataFrame   # ledger (kind), code, severity, count, example (see ``summarise_problems``)
    absences: list[Absence] = field(default_factory=list)   # columns and ledgers not given (core.needs)


_EXAMPLE = ["example", "column", "value", "params"]


def summarise_problems(frame: pd.DataFrame) -> pd.DataFrame:
    """Problems (a ``ProblemLog.frame``) per ledger, code and severity: how many, and the first as an
    example (its English message, and the column, value and parameters to say it in another language)."""
    columns = ["ledger", "code", "severity", "count", *_EXAMPLE]
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "count" else "object") for c in columns})
    keys = ["ledger", "code", "severity"]
    frame = frame.assign(ledger=frame["kind"].fillna("").astype("str"), example=frame["message"])
    counts = frame.groupby(keys, sort=True).size().rename("count").reset_index()
    return counts.merge(frame.drop_duplicates(keys)[keys + _EXAMPLE], on=keys, how="left")[columns]


def month_report(pack: MonthPack, rules: Rules, quality: Quality, *, lang: str = "zh", fmt: str = "html") -> Report:
    """The month-end pack of ``pack``: cover, network, branches (html); cover and network tables (xlsx).

    ``fmt`` is the format written: the branch pages are built for html only, the network's sheets for
    xlsx only, and csv/json get the comparison alone. The branch pages are ``Report.later``: the html
    writer builds each where it renders it (in its processes with ``--jobs``), in branch order.
    """
    if fmt != "html":
        pack.uncut()               # what ``--jobs`` cut while computing: no branch pages in this format
    month = str(pack.month)
    comparison = _table("branches", _comparison_words(branch_comparison(pack, _t(lang, "全网合计", "Network")),
                                                      pack, rules, lang), "网点对比", "Branch comparison")
    title = ("月度经营分析报告", "Month-end report")
    subtitle = f"{month} · " + _t(lang, f"{len(pack.branches)} 个网点", f"{len(pack.branches)} branch(es)")
    if fmt not in ("html", "xlsx"):
        return Report(*title, [Section("网点对比", "Branch comparison", [comparison])], primary="branches",
                      subtitle=subtitle, period=month)
    sections = [cover_section(pack, quality, lang)]
    later = None
    several = len(pack.branches) > 1
    if several:
        sections.append(network_section(pack, comparison, lang))
    if fmt == "html":
        # keeper coverage once for the network (a groupby per branch cost more than the branch's rows)
        coverage = keeper_coverage(pack.allocation.allocation) if pack.allocation is not None else None
        pack.cut_by_branch()       # here, not in each process rendering the branch pages (``--jobs``)
        later = LaterSections(_branch_pages, (pack, rules, lang, coverage), list(pack.branches))
    extra: list[Table] = ([] if several else [comparison])
    if fmt == "xlsx":
        extra += network_tables(pack, rules, lang)
    return Report(*title, sections, primary="branches", subtitle=subtitle, notes=_notes(pack, lang),
                  extra_sheets=extra, period=month, later=later)


def _notes(pack: MonthPack, lang: str) -> list[str]:
    return [_omission_text(o, lang) for o in pack.omitted]


def _ledger_name(kind: str, lang: str) -> str:
    return str(value_label("ledger", kind, lang))


def _listed(items: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


def _omission_text(omission: Omission, lang: str) -> str:
    zh, en = PART_TITLES[omission.part]
    if omission.ledgers:
        if lang == "zh":
            joiner = "或" if omission.part == "staffing" else ("和" if len(omission.ledgers) == 2 else "、")
            names = joiner.join(_ledger_name(k, lang) for k in omission.ledgers)
            return f"未包含“{zh}”：缺少{names}台账，提供后即可生成。"
        either = " or " if omission.part == "staffing" else " and "
        names = either.join(_ledger_name(k, lang) for k in omission.ledgers)
        return f"Not included: {en}. It needs the {names} ledger; give it to include this part."
    reasons = _t(lang, "；", "; ").join(say(p, lang) for p in omission.problems)
    return _t(lang, f"未包含“{zh}”：{reasons}", f"Not included: {en}: {reasons}")


# --- cover ------------------------------------------------------------------------------------

def cover_section(pack: MonthPack, quality: Quality, lang: str) -> Section:
    """Month, branches, rows read/used/rejected per ledger, problems found, and what was left out."""
    ledgers = quality.ledgers.assign(ledger=quality.ledgers["ledger"].map(lambda k: _ledger_name(k, lang)))
    problems = _problem_table(quality.problems, lang)
    errors = int(problems.loc[problems["severity"].eq("error"), "count"].sum())
    warnings = int(problems.loc[problems["severity"].eq("warning"), "count"].sum())
    read, used, rejected = (int(ledgers[c].sum()) for c in ("read", "used", "rejected"))
    items = [
        (_t(lang, "月份", "Month"), str(pack.month)),
        (_t(lang, "网点", "Branches"), f"{len(pack.branches)}: " + _listed(pack.branches, lang)),
        (_t(lang, "台账行", "Ledger rows"), _t(lang, f"读取 {read}，使用 {used}，拒绝 {rejected}",
                                              f"read {read}, used {used}, rejected {rejected}")),
        (_t(lang, "发现的问题", "Problems found"), _t(lang, f"错误 {errors}，警告 {warnings}",
                                                 f"{errors} error(s), {warnings} warning(s)")),
        (_t(lang, "未包含的内容", "Parts left out"), str(len(pack.omitted))),
        (_t(lang, "缺少的列与台账", "Columns and ledgers not given"), str(len(quality.absences))),
    ]
    cover = _table("cover", pd.DataFrame(items, columns=["item", "content"]), "封面", "Cover")
    omitted = _table("omitted", pd.DataFrame({
        "part": [_t(lang, *PART_TITLES[o.part]) for o in pack.omitted],
        "needs": [_listed([_ledger_name(k, lang) for k in o.ledgers], lang) for o in pack.omitted],
        "reason": [_omission_text(o, lang) for o in pack.omitted]}, dtype="str"),
        "未包含的内容", "Parts left out", empty_zh="各部分所需台账齐全，全部生成。",
        empty_en="Every part had its ledgers and is included.")
    tables = [cover, _table("ledgers", ledgers, "台账读取情况", "Ledger rows"),
              _table("problems", problems, "台账问题汇总", "Problems found", empty_zh="未发现问题。",
                     empty_en="No problems found."), omitted]
    if quality.absences:
        tables.append(absence_table(quality.absences, lang))
    chart = stacked_bar_chart(ledgers["ledger"].tolist(),
                              {_t(lang, "使用", "Used"): ledgers["used"].tolist(),
                               _t(lang, "拒绝", "Rejected"): ledgers["rejected"].tolist()},
                              title=_t(lang, "台账行：使用 / 拒绝", "Ledger rows: used / rejected"), lang=lang)
    return Section("封面与数据质量", "Cover and data quality", tables, charts=[chart], anchor="cover")


def _problem_table(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The cover's problems: ledger and problem in words, the code beside them, the example in ``lang``."""
    example = [message_in(lang, code, message, column=column, value=value, kind=kind,
                          params=params if isinstance(params, tuple) else None)
               for code, message, column, value, kind, params in zip(
                   summary["code"], summary["example"], summary["column"], summary["value"], summary["ledger"],
                   summary["params"])]
    return pd.DataFrame({
        "ledger": summary["ledger"].map(lambda k: _ledger_name(k, lang) if k else "").astype("str"),
        "problem": summary["code"].map(lambda c: title(c, lang)).astype("str"),
        "code": summary["code"].astype("str"), "severity": summary["severity"].astype("str"),
        "count": summary["count"].astype("int64"), "example": pd.Series(example, index=summary.index, dtype="str"),
    })


# --- network ----------------------------------------------------------------------------------

def network_section(pack: MonthPack, comparison: Table, lang: str) -> Section:
    """Network totals and the branch comparison, with charts of customers by tier and deposits."""
    charts: list[Markup] = []
    frame = comparison.frame.iloc[:-1]
    if pack.allocation is not None:
        table = tiers_per_branch(pack.allocation.segments, pack.branches)
        series = {value_label("tier", t, lang): table[t].tolist() for t in table.columns}
        charts.append(stacked_bar_chart(pack.branches, series, lang=lang,
                                        title=_t(lang, "各网点客户层级（户数）", "Customers by tier per branch")))
        charts.append(bar_chart(frame["branch"].tolist(), frame["deposit"].tolist(), value_format=",.0f", lang=lang,
                                title=_t(lang, "各网点存款余额（元）", "Deposits per branch (CNY)")))
    if "bonus" in frame:
        charts.append(bar_chart(frame["branch"].tolist(), frame["average_total"].tolist(), value_format=".2f",
                                lang=lang, title=_t(lang, "各网点平均总分", "Average total score per branch")))
    if not charts:
        charts.append(bar_chart(frame["branch"].tolist(), [0] * len(frame), lang=lang,
                                title=_t(lang, "各网点", "Branches")))
    last = comparison.frame["branch"].iloc[-1] if len(comparison.frame) else None
    network = _t(lang, "全网合计", "Network")
    text = _t(lang, "最后一行为全网合计；比率按全网重新计算。",
              f"The last row ({network}) is the whole network; its ratios are recomputed.") if last == network else ""
    return Section("全网汇总与网点对比", "Network and branch comparison", [comparison], charts=charts,
                   text_zh=text if lang == "zh" else "", text_en=text if lang != "zh" else "", anchor="network")


def tiers_per_branch(segments: pd.DataFrame, branches: list[str]) -> pd.DataFrame:
    """Existing customers per branch (rows, in ``branches`` order) and tier (columns high, mid, general),
    summed over the kinds from the 存量客户细分统计表 (its per-tier rows exist per kind only)."""
    tiers = ["high", "mid", "general"]
    rows = segments[segments["kind"].ne("all") & segments["tier"].isin(tiers)]
    table = rows.groupby(["branch", "tier"], sort=False)["customers"].sum().unstack(fill_value=0)
    return table.reindex(index=branches, columns=tiers, fill_value=0).fillna(0).astype("int64")


def _comparison_words(frame: pd.DataFrame, pack: MonthPack, rules: Rules, lang: str) -> pd.DataFrame:
    """Branch types in words, as ``staff`` shows them."""
    if "branch_type" in frame and pack.staffing is not None:
        words = branch_table(pack.staffing, rules, lang).frame.set_index("branch")["branch_type"]
        frame = frame.assign(branch_type=frame["branch"].map(words))
    return frame.reindex(columns=[c for c in COMPARISON_COLUMNS if c in frame])


# --- one branch -------------------------------------------------------------------------------

def _branch_pages(shared: tuple[MonthPack, Rules, str, pd.DataFrame | None], branch: str) -> list[Section]:
    pack, rules, lang, coverage = shared
    if coverage is not None:
        coverage = coverage[coverage["branch"].eq(branch).to_numpy()].reset_index(drop=True)
    return branch_sections(pack.branch(branch), rules, branch, lang, coverage=coverage)


def branch_sections(pack: MonthPack, rules: Rules, branch: str, lang: str, *,
                    coverage: pd.DataFrame | None = None) -> list[Section]:
    """One branch's pages (html only): every part it has, each with a chart; a note for what is left out.

    ``coverage``: the branch's rows of ``keeper_coverage`` over the network, if found already."""
    out: list[Section] = []
    if pack.allocation is not None:
        out += _allocation_part(pack, branch, lang, coverage)
    if pack.staffing is not None and len(pack.staffing.branches):
        out.append(_staffing_part(pack, rules, branch, lang))
    plan = plan_sections(pack.plan, lang, rules.calendar) if pack.plan is not None else []
    if plan and pack.has("plan"):
        out.append(_plan_part(plan))
    if plan and pack.has("overdue"):
        out.append(_overdue_part(pack, plan, lang))
    if pack.score is not None and len(pack.score.summary):
        out.append(_score_part(pack, branch, lang))
    if not out:
        out.append(Section(_t(lang, "无可生成的内容", "Nothing to show"), "Nothing to show",
                           charts=[bar_chart([], [], title=branch, lang=lang)]))
    left_out = [_omission_text(o, lang) for o in pack.omitted]
    first = out[0]
    first.text_zh = "".join(filter(None, [first.text_zh] + (left_out if lang == "zh" else [])))
    first.text_en = " ".join(filter(None, [first.text_en] + (left_out if lang != "zh" else [])))
    for i, section in enumerate(out):
        section.group = branch
        section.in_xlsx = False
        section.page_break = i == 0
        section.tables = [_branch_title(t, branch) for t in section.tables]
    return _anchored(out, branch)


def _anchored(sections: list[Section], branch: str) -> list[Section]:
    """Stable anchors: the branch's position in the sorted list is not known here, so use its code points."""
    code = "-".join(f"{ord(c):x}" for c in branch)[:60]
    for i, section in enumerate(sections):
        section.anchor = f"b-{code}-{i + 1}"
    return sections


def _branch_title(table: Table, branch: str) -> Table:
    return replace(table, title_zh=f"{branch} {table.title_zh}", title_en=f"{branch} {table.title_en}")


def _find(sections: list[Section], key: str) -> Table:
    return next(t for s in sections for t in s.tables if t.key == key)


def _allocation_part(pack: MonthPack, branch: str, lang: str, coverage: pd.DataFrame | None) -> list[Section]:
    summary, tables = branch_allocation(pack.allocation, lang)
    charts = summary.charts
    coverage = _coverage_table(pack, lang, coverage)
    out = [
        Section("客户分层结构", "Customers by type and tier", [tables["segments"]], charts=charts[:1],
                text_zh="存量客户按客户类型 × 关系层级的户数与余额。",
                text_en="Existing customers by type and relationship tier: counts and balances."),
        Section("维护覆盖与负荷", "Keeper coverage and load", [coverage, tables["keepers"]],
                charts=charts[1:] or [_coverage_chart(coverage.frame, lang)],
                text_zh=summary.text_zh, text_en=summary.text_en),
    ]
    if pack.has("changes"):
        changes = tables["changes"]
        out.append(Section("较上月分配变动", "Changes since last month", [changes],
                           charts=[_changes_chart(changes.frame, lang)]))
    return out


def _coverage_table(pack: MonthPack, lang: str, found: pd.DataFrame | None = None) -> Table:
    frame = keeper_coverage(pack.allocation.allocation) if found is None else found
    frame["tier"] = frame["tier"].map(lambda t: _t(lang, "合计", "all") if t == "all" else value_label("tier", t, lang))
    return _table("coverage", frame, "维护覆盖", "Keeper coverage")


def _coverage_chart(frame: pd.DataFrame, lang: str) -> Markup:
    return bar_chart(frame["tier"].tolist(), frame["coverage"].fillna(0).tolist(), value_format=".0%", lang=lang,
                     title=_t(lang, "维护覆盖率", "Keeper coverage"))


def _changes_chart(frame: pd.DataFrame, lang: str) -> Markup:
    column = "reason_text" if "reason_text" in frame else "reason"
    counts = frame[column].fillna("").astype("str").value_counts().sort_index()
    return bar_chart(counts.index.tolist(), counts.tolist(), lang=lang,
                     title=_t(lang, "维护人变动原因（户数）", "Keeper changes by reason (customers)"))


def _staffing_part(pack: MonthPack, rules: Rules, branch: str, lang: str) -> Section:
    # staff_report's first table and text only: its other tables are the staff command's
    tables = [branch_table(pack.staffing, rules, lang), shortfall_table(pack.staffing, rules, lang)]
    charts = hour_charts(pack.staffing, lang)
    if not charts:
        row = pack.staffing.branches.iloc[0]
        charts = [bar_chart([_t(lang, "需配柜员", "needed"), _t(lang, "现有柜员", "current")],
                            [row.get("tellers_needed"), row.get("tellers_current")], lang=lang,
                            title=_t(lang, "柜员：需配 / 现有", "Tellers: needed / current"))]
    return Section("人员配置", "Staffing", tables, charts=charts, text_zh=explained(rules, "zh"),
                   text_en=explained(rules, "en"))


def _plan_part(sections: list[Section]) -> Section:
    adherence = sections[0]
    return Section("计划执行情况", "Plan adherence", adherence.tables, charts=adherence.charts + sections[1].charts,
                   text_zh=sections[1].text_zh, text_en=sections[1].text_en)


def _overdue_part(pack: MonthPack, sections: list[Section], lang: str) -> Section:
    table = _find(sections, "overdue")
    overdue = pack.plan.overdue
    tiers = ["high", "mid", "general"]
    counts = overdue["tier"].astype("str").value_counts().reindex(tiers, fill_value=0)
    chart = bar_chart([value_label("tier", t, lang) for t in tiers], counts.tolist(), lang=lang,
                      title=_t(lang, "逾期未拜访客户（按层级）", "Overdue customers by tier"))
    return Section("逾期未拜访客户", "Customers overdue for a visit", [table], charts=[chart])


def _score_part(pack: MonthPack, branch: str, lang: str) -> Section:
    tables, charts = branch_score(pack.score, lang)
    return Section("积分卡与绩效工资", "Scorecards and pay", tables, charts=charts)


# --- the network's tables (xlsx) ----------------------------------------------------------------

def network_tables(pack: MonthPack, rules: Rules, lang: str) -> list[Table]:
    """Every part's tables over the whole network, one sheet each, as the commands write them."""
    out: list[Table] = []
    if pack.allocation is not None:
        sections = allocation_sections(pack.allocation, lang)
        out += [_find(sections, "segments"), _coverage_table(pack, lang), _find(sections, "keepers")]
        if pack.has("changes"):
            out.append(_find(sections, "changes"))
    if pack.staffing is not None:
        report = staff_report(pack.staffing, rules, lang=lang)
        out += [_find(report.sections, "staff"), shortfall_table(pack.staffing, rules, lang)]
    if pack.plan is not None:
        sections = plan_sections(pack.plan, lang, rules.calendar)
        if pack.has("plan"):
            out += [_find(sections, "managers"), _find(sections, "plan")]
        if pack.has("overdue"):
            out.append(_find(sections, "overdue"))
    if pack.score is not None:
        report = score_report(pack.score, lang=lang, with_statements=False)
        out += [_find(report.sections, k) for k in ("score", "pools", "pay")]
    return out

