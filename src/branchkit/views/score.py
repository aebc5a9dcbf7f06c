"""The report of ``branchkit score``: ranking, scorecards, pay, piece-rate ledger, audit, statements.

``score_report`` turns a ``MonthResult`` into an ``io.tables.Report`` that
every output format can write (``branchkit report`` reuses it): csv/json carry
one row per person in the SPEC's columns; xlsx has a sheet per table plus a
statement sheet per person; html shows the ranking, per-person bars and one
printable statement page per person.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from branchkit.core.month import MonthResult
from branchkit.io.charts import bar_chart, stacked_bar_chart
from branchkit.io.tables import Report, Section, Sheet, Table
from branchkit.labels import metric_label, value_words
from branchkit.views.statements import statements

EXTRA = ["state", "basis", "coefficient", "total_pay", "worklog_days", "worklog_completion",
         "perspective_financial", "perspective_customer", "perspective_internal", "perspective_learning"]
PAY = ["staff_id", "name", "role", "branch", "state", "total", "basis", "coefficient", "bonus_quota", "bonus",
       "piece_rate_pay", "total_pay"]
NAME = {"name": ("姓名", "Name")}
REASON_WORDS = ("原因", "Reason")
REASONS = {"outside_month": ("不在本月", "outside the month"), "not_outbound": ("非外拓拜访", "not an outbound visit"),
           "duplicate_day": ("同日重复日志", "day already logged"),
           "not_working_day": ("非工作日", "not a working day"), "staff_left": ("已离职，不计分", "staff left")}


def score_columns(metrics: list[str]) -> list[str]:
    """The SPEC's canonical ``score`` columns, then the extra ones."""
    return (["staff_id", "name", "role", "branch"] + [f"points_{m}" for m in metrics]
            + ["worklog_bonus", "deductions", "total", "rank", "bonus", "piece_rate_pay"] + EXTRA)


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def score_report(result: MonthResult, *, lang: str = "zh", with_statements: bool = True,
                 comparison: pd.DataFrame | None = None, detail: bool = True) -> Report:
    """The month's scorecards and pay as a report (comparison: the per-person table of ``core.month.compare``).

    ``detail=False`` gives only what csv/json carry (the summary, or the comparison), without charts,
    audit sheets or statements.
    """
    summary = _summary_table(result)
    days = len(result.working_days)
    subtitle = f"{result.month} · " + _t(lang, f"工作日 {days} 天", f"{days} working days")
    primary = "compare" if comparison is not None else "score"
    if not detail:
        sections = [Section("排名", "Ranking", [summary])]
        if comparison is not None:
            sections.append(_comparison(comparison))
        return Report("绩效积分卡与绩效工资", "Scorecards and pay", sections, primary=primary, subtitle=subtitle,
                      period=str(result.month))
    sections = [_ranking(result, summary, lang), _bars(result, lang), _pay(result)]
    if comparison is not None:
        sections.append(_comparison(comparison))
    sections.append(_ignored_summary(result, lang))
    sheets: list[Table | Sheet] = [_lines_table(result, lang), _pieces_table(result), _audit_table(result, lang),
                                   _ignored_table(result, lang)]
    if with_statements:
        pages, books = statements(result, lang)
        sections += pages
        sheets += books
    report = Report("绩效积分卡与绩效工资", "Scorecards and pay", sections, primary=primary, subtitle=subtitle,
                    extra_sheets=sheets, period=str(result.month))
    report.notes = [_t(lang, "得分 = 权重 × min(实际/目标, 上限)，完成率低于下限记 0；总分 = 各项得分 + 日志加分 − 扣分"
                             "（不低于0）；奖金按分计算到分，" + _pool_words(result.pools, "zh"),
                       "points = weight × min(actual/target, cap), 0 below the floor; total = points + work-log "
                       "bonus − deductions (never below 0); bonuses are exact to the cent, and "
                       + _pool_words(result.pools, "en"))]
    return report


def branch_score(result: MonthResult, lang: str) -> tuple[list[Table], list[Markup]]:
    """What a branch's page of the month report shows of ``score_report``: the scorecard and pay tables,
    then the ranking and points charts (the audit sheets, notes and row accounting are the score
    command's, and cost a report of many branches as much again to build)."""
    summary = _summary_table(result)
    return [summary, _pay(result).tables[1]], _ranking(result, summary, lang).charts + _bars(result, lang).charts


def _summary_table(result: MonthResult) -> Table:
    return Table("score", result.summary.reindex(columns=score_columns(result.metrics)), "积分与绩效工资",
                 "Scorecards and pay", labels=NAME)


def _pool_words(pools: pd.DataFrame, lang: str) -> str:
    """Whether each branch's bonuses add up to its pool, from the pools table's undistributed column."""
    left = pools[pools["undistributed"].fillna(0).gt(0)]
    if left.empty:
        return _t(lang, "各网点奖金合计等于奖金池。", "they add up to each branch's pool.")
    amount = f"{left['undistributed'].sum():,.2f}"
    return _t(lang, f"除 {len(left)} 个网点共 {amount} 元未分配（见奖金池表“未分配”列）外，各网点奖金合计等于奖金池。",
              f"they add up to each branch's pool but for {amount} left undistributed in {len(left)} branch(es) "
              "(see the pools table).")


def _person_label(frame: pd.DataFrame) -> list[str]:
    return (frame["name"].fillna("").astype("str") + "(" + frame["staff_id"].astype("str") + ")").tolist()


def _ranking(result: MonthResult, summary: Table, lang: str) -> Section:
    charts = []
    for branch, part in result.summary.groupby("branch", sort=True):
        charts.append(bar_chart(_person_label(part), part["total"].tolist(), value_format=".2f", lang=lang,
                                title=_t(lang, f"{branch} 总分排名", f"{branch}: ranking by total")))
    return Section("排名", "Ranking", [summary], charts=charts, anchor="ranking")


def _bars(result: MonthResult, lang: str) -> Section:
    """Per person, the points of each metric and the work-log bonus as one stacked bar."""
    charts: list[Markup] = []
    for branch, part in result.summary.groupby("branch", sort=True):
        series = {metric_label(m, lang): part[f"points_{m}"].tolist() for m in result.metrics}
        series[metric_label("worklog", lang)] = part["worklog_bonus"].tolist()
        charts.append(stacked_bar_chart(_person_label(part), series, value_format=".1f", lang=lang,
                                        title=_t(lang, f"{branch} 得分构成（扣分前）",
                                                 f"{branch}: points by metric (before deductions)")))
    views = result.summary.reindex(columns=["staff_id", "name", "role", "branch", "perspective_financial",
                                            "perspective_customer", "perspective_internal",
                                            "perspective_learning", "deductions", "total"])
    table = Table("perspectives", views, "平衡计分卡", "Balanced scorecard", labels=NAME,
                  note_zh="各维度小计；扣分单列。", note_en="Subtotals per perspective; deductions apart.")
    return Section("个人得分", "Points per person", [table], charts=charts, anchor="bars")


def _pay(result: MonthResult) -> Section:
    pools = Table("pools", result.pools, "奖金池", "Pools by branch",
                  note_zh="奖金池 = 绩效工资总额 + 计价划入；人均 = 奖金池 / 在册人数。",
                  note_en="pool = base pool + piece-rate share; average = pool / active staff.")
    frame = result.summary.reindex(columns=PAY)
    # The unrounded bonus, to 4 decimals as text: shown to 2 it could read as a rounding error.
    frame["bonus_quota"] = frame["bonus_quota"].map(lambda v: f"{v:,.4f}")
    pay = Table("pay", frame, "绩效工资", "Pay", formats={"bonus_quota": "text"}, labels=NAME)
    return Section("绩效工资", "Pay", [pools, pay], anchor="pay")


def _comparison(frame: pd.DataFrame) -> Section:
    table = Table("compare", frame, "规则对比", "What-if comparison", labels=NAME,
                  note_zh="变化 = 新规则 − 原规则；排名上升为正。",
                  note_en="change = other rules − base rules; places gained are positive.")
    return Section("规则对比", "What-if comparison", [table], anchor="compare")


def _lines_table(result: MonthResult, lang: str) -> Table:
    info = result.summary.set_index("staff_id")
    lines = result.lines.copy()
    for column in ("name", "role", "branch"):
        lines.insert(1 + ["name", "role", "branch"].index(column), column, lines["staff_id"].map(info[column]))
    lines.insert(4, "metric_key", lines["metric"])
    lines["metric"] = lines["metric"].map(lambda m: metric_label(m, lang))
    return Table("scorecards", lines, "积分卡明细", "Scorecards", labels=NAME,
                 note_zh="每人每项指标一行。", note_en="One row per person and metric.")


def _pieces_table(result: MonthResult) -> Table:
    frame = result.pieces.rename(columns={"_file": "file", "_sheet": "sheet", "_row": "row"})
    frame = frame.assign(staff_id=frame["staff_id"].replace({"~pool": ""}))
    return Table("piece_rates", frame, "计价台账", "Piece-rate ledger",
                 note_zh="每笔营销按营销实施人、信息获取人、奖金池分成一行（未取整）。",
                 note_en="One line per sale and recipient (closer, lead, pool), unrounded.")


def _audit_table(result: MonthResult, lang: str) -> Table:
    frame = result.evidence.rename(columns={"kind": "ledger", "_file": "file", "_sheet": "sheet", "_row": "row"})
    frame = frame.assign(detail=frame[detail_column(lang)]).drop(columns="detail_zh")
    frame.insert(1, "name", frame["staff_id"].map(result.staff.set_index("staff_id")["name"]))
    frame.insert(2, "metric_key", frame["metric"])
    frame["metric"] = frame["metric"].map(lambda m: metric_label(m, lang))
    return Table("audit", frame, "审计明细", "Audit trail", formats={"value": "number"}, labels=NAME,
                 note_zh="计入每项指标的台账行（文件、工作表、行号）。",
                 note_en="The ledger rows counted for each metric (file, sheet, row).")


def detail_column(lang: str) -> str:
    """The evidence column that says what a row shows in ``lang``."""
    return "detail_zh" if lang == "zh" else "detail"


def reason_label(reason: str, lang: str) -> str:
    """Why a ledger row was not counted, for people."""
    zh, en = REASONS.get(reason, (reason, reason))
    return zh if lang == "zh" else en


def _ignored_table(result: MonthResult, lang: str) -> Table:
    frame = result.ignored.rename(columns={"kind": "ledger", "_file": "file", "_sheet": "sheet", "_row": "row"})
    frame.insert(frame.columns.get_loc("metric") + 1, "metric_key", frame["metric"])
    frame["metric"] = frame["metric"].map(lambda m: metric_label(m, lang))
    frame["reason"] = frame["reason"].map(lambda r: reason_label(r, lang))
    return Table("ignored", frame, "未计入的行", "Rows not counted", labels={"reason": REASON_WORDS})


def _ignored_summary(result: MonthResult, lang: str) -> Section:
    counted = result.evidence[result.evidence["kind"].ne("customers_start")]
    parts = [counted.groupby("kind").size().rename("rows").reset_index().assign(reason=_t(lang, "计入", "counted"))]
    ignored = result.ignored.groupby(["kind", "reason"]).size().rename("rows").reset_index()
    ignored["reason"] = ignored["reason"].map(lambda r: reason_label(r, lang))
    frame = pd.concat(parts + [ignored], ignore_index=True).rename(columns={"kind": "ledger"})
    frame = frame.sort_values(["ledger", "reason"], kind="stable")[["ledger", "reason", "rows"]]
    table = Table("row_accounting", frame.reset_index(drop=True), "台账行计入情况", "Ledger rows counted and not",
                  labels={"reason": REASON_WORDS})
    return Section("台账行计入情况", "Ledger rows counted and not", [table], anchor="rows")


def _text_table(frame: pd.DataFrame) -> str:
    from branchkit.io.xlsx import text_width

    cells = [[str(c) for c in frame.columns]] + [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    widths = [max(text_width(r[j]) for r in cells) for j in range(len(frame.columns))]
    return "\n".join("  ".join(c + " " * (w - text_width(c)) for c, w in zip(r, widths)).rstrip()
                     for r in cells) + "\n"


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:,.2f}"
    return "" if value is None or value is pd.NA else str(value)


def ranking_text(result: MonthResult) -> str:
    """The ranking as a plain-text table (stdout when no output file is named)."""
    columns = ["branch", "rank", "staff_id", "name", "role", "total", "bonus", "piece_rate_pay"]
    frame = result.summary.reindex(columns=columns)
    return _text_table(frame.assign(role=value_words(frame["role"], "role", "en")))


def compare_text(frame: pd.DataFrame) -> str:
    """The per-person changes of a what-if run as a plain-text table."""
    columns = ["branch", "staff_id", "name", "total_base", "total_other", "total_change", "rank_change",
               "bonus_base", "bonus_other", "bonus_change"]
    return _text_table(frame.reindex(columns=columns))


def compare_summary(frame: pd.DataFrame) -> str:
    """One line: how many people's points and bonuses moved, and the largest moves."""
    moved = frame[frame["total_change"].abs().gt(1e-9) | frame["bonus_change"].abs().gt(0)]
    if moved.empty:
        return "compare: no one's points or bonus change under the other rules"
    up, down = moved.loc[moved["bonus_change"].idxmax()], moved.loc[moved["bonus_change"].idxmin()]
    return (f"compare: {len(moved)} of {len(frame)} people change; largest gain {up['staff_id']} "
            f"{up['bonus_change']:+,.2f}, largest loss {down['staff_id']} {down['bonus_change']:+,.2f}")


def counting_notes(result: MonthResult) -> list[str]:
    """Per ledger: rows counted and rows not counted, by reason (for stderr)."""
    counted = result.evidence[result.evidence["kind"].ne("customers_start")].groupby("kind").size()
    ignored = result.ignored.groupby(["kind", "reason"]).size()
    out = []
    for kind in sorted(set(counted.index) | set(ignored.index.get_level_values(0))):
        parts = [f"{int(counted.get(kind, 0))} counted"]
        if kind in ignored.index.get_level_values(0):
            parts += [f"{int(n)} {reason_label(r, 'en')}" for r, n in ignored[kind].items()]
        out.append(f"{kind}: " + ", ".join(parts))
    return out
