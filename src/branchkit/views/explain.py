"""``score --explain STAFF_ID``: one person's scorecard line by line, with the ledger rows behind it."""

from __future__ import annotations

import pandas as pd

from branchkit.core.month import MonthResult
from branchkit.labels import metric_label, role_label
from branchkit.views.score import detail_column, reason_label
from branchkit.views.statements import pay_lines, piece_lines

_INDENT = "    "


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def where(row: pd.Series, lang: str) -> str:
    """``file [sheet] row N`` (Chinese: ``第 N 行``)."""
    sheet = f" [{row['_sheet']}]" if isinstance(row["_sheet"], str) and row["_sheet"] else ""
    number = _t(lang, f"第 {int(row['_row'])} 行", f"row {int(row['_row'])}")
    return f"{row['_file']}{sheet} {number}"


def _row_text(row: pd.Series, lang: str) -> str:
    parts = [where(row, lang)]
    if pd.notna(row.get("date")):
        parts.append(pd.Timestamp(row["date"]).strftime("%Y-%m-%d"))
    for column in ("customer", detail_column(lang)):
        value = row.get(column)
        if isinstance(value, str) and value:
            parts.append(value)
    if row.get("metric") == "deductions":
        parts.append(_t(lang, f"扣 {row['value']:g} 分", f"{row['value']:g} point(s)"))
    return "  ".join(parts)


def _metric_head(line: pd.Series, lang: str) -> str:
    name = f"{metric_label(line['metric'], lang)} ({line['metric']})"
    if line["weight"] <= 0:
        return _t(lang, f"{name}: 实际 {line['actual']:g}，本岗位不计分",
                  f"{name}: actual {line['actual']:g}; not scored for this role")
    return _t(lang, f"{name}: 实际 {line['actual']:g} / 目标 {line['target']:g} = {line['ratio']:.2%}"
                    f"，权重 {line['weight']:g} → {line['points']:.2f} 分",
              f"{name}: actual {line['actual']:g} / target {line['target']:g} = {line['ratio']:.2%}, "
              f"weight {line['weight']:g} -> {line['points']:.2f} points")


def _rows(result: MonthResult, staff_id: str, metric: str, lang: str) -> list[str]:
    evidence = result.evidence
    counted = evidence[(evidence["staff_id"] == staff_id) & (evidence["metric"] == metric)
                       & evidence["kind"].ne("customers_start")]   # the month-start row is named in the detail
    out = [_INDENT + _t(lang, "计入 ", "counted ") + _row_text(r, lang) for _, r in counted.iterrows()]
    ignored = result.ignored
    skipped = ignored[(ignored["staff_id"] == staff_id) & (ignored["metric"] == metric)]
    out += [_INDENT + _t(lang, "不计 ", "not counted ") + where(r, lang) + "  " + reason_label(r["reason"], lang)
            for _, r in skipped.iterrows()]
    return out or [_INDENT + _t(lang, "（无台账行）", "(no ledger rows)")]


def explain_person(result: MonthResult, staff_id: str, lang: str) -> str:
    """The text of one scored person's scorecard: every metric with the rows counted, then the pay."""
    row, days = result.summary[result.summary["staff_id"] == staff_id].iloc[0], len(result.working_days)
    leave = _t(lang, "（休假）", " (on leave)") if row["state"] == "on_leave" else ""
    out = [f"{row['name']} ({staff_id}){leave}  {role_label(row['role'], lang)}  {row['branch']}  "
           f"{result.month}", _t(lang, f"本月工作日 {days} 天", f"{days} working days this month"), ""]
    for _, line in result.lines[result.lines["staff_id"] == staff_id].iterrows():
        out += [_metric_head(line, lang)] + _rows(result, staff_id, line["metric"], lang)
    out += [_t(lang, f"{metric_label('worklog', lang)} (worklog): {row['worklog_days']:g} / {days} 个工作日 = "
                     f"{row['worklog_completion']:.2%} → 加 {row['worklog_bonus']:.2f} 分",
               f"work-log: {row['worklog_days']:g} of {days} working days = {row['worklog_completion']:.2%} "
               f"-> bonus {row['worklog_bonus']:.2f}")] + _rows(result, staff_id, "worklog", lang)
    minus = f"-{row['deductions']:.2f}" if row["deductions"] else "0.00"
    out += [_t(lang, f"扣分 (deductions): {minus}", f"deductions: {minus}")]
    out += _rows(result, staff_id, "deductions", lang)
    floor = "" if row["subtotal"] >= 0 else _t(lang, f"（{row['subtotal']:.2f} 记为 0）",
                                               f" ({row['subtotal']:.2f} counted as 0)")
    out += ["", _t(lang, f"总分 {row['total']:.2f}{floor}，排名 {row['rank']}",
                   f"total {row['total']:.2f}{floor}, rank {row['rank']}"), ""]
    pay, pieces = pay_lines(result, lang), piece_lines(result, lang)
    out += [f"{r['item']}: {r['amount']:,.2f}  {r['detail']}".rstrip()
            for _, r in pay[pay["staff_id"] == staff_id].iterrows()]
    out += [_INDENT + f"{p['date']:%Y-%m-%d} {p['product']} {p['share_of']} {p['piece_rate']:,.2f}"
            f" × {p['share']:.0%} = {p['amount']:,.4f}  ({where(p, lang)})"
            for _, p in pieces[pieces["staff_id"] == staff_id].iterrows()]
    return "\n".join(out) + "\n"


def explain(result: MonthResult, staff_id: str, lang: str = "zh") -> str | None:
    """The explanation of one person (None if the id is not on the staff list)."""
    if (result.summary["staff_id"] == staff_id).any():
        return explain_person(result, staff_id, lang)
    staff = result.staff[result.staff["staff_id"] == staff_id]
    if staff.empty:
        return None
    row = staff.iloc[0]
    withheld = result.piece_pay[result.piece_pay["staff_id"] == staff_id]["cents"].sum() / 100
    return _t(lang, f"{row['name']} ({staff_id}) 已离职，本月不计分、不发奖金；计价 {withheld:,.2f} 暂不发放。\n",
              f"{row['name']} ({staff_id}) left: no scorecard and no bonus this month; piece rate "
              f"{withheld:,.2f} withheld.\n")
