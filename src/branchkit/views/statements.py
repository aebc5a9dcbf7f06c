"""Per-person pay statements: what each payee gets, line by line (metrics, pay, piece rates).

One printable html section and one xlsx sheet per person. The lines of every
person are built at once (vectorised), then split by person; ``--explain``
prints the same lines for one person.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.core.metrics import member
from branchkit.core.month import MonthResult
from branchkit.io.tables import Section, Sheet, Table
from branchkit.labels import metric_label, perspective_label, role_label

METRIC_COLUMNS = ["metric", "perspective", "actual", "target", "weight", "ratio", "points"]
PAY_COLUMNS = ["item", "detail", "amount"]
PIECE_COLUMNS = ["date", "product", "customer", "share_of", "piece_rate", "share", "amount"]
_SHARE = {"closer": ("营销实施", "closer"), "lead": ("信息获取", "lead"), "pool": ("奖金池", "pool")}


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _money(values: pd.Series, decimals: int = 2) -> pd.Series:
    return values.map(lambda v: f"{v:,.{decimals}f}").astype("str")


def share_label(share_of: str, lang: str) -> str:
    """closer / lead / pool, for people."""
    return _t(lang, *_SHARE.get(share_of, (share_of, share_of)))


def metric_lines(result: MonthResult, lang: str) -> pd.DataFrame:
    """Every person's scorecard as printed: each metric the role scores, the work-log bonus, deductions,
    the total (column ``staff_id`` says whose)."""
    lines = result.lines[result.lines["weight"] > 0]
    labels = {m: metric_label(m, lang) for m in set(lines["metric"])}
    views = {v: perspective_label(v, lang) for v in set(lines["perspective"])}
    scored = lines.assign(metric=lines["metric"].map(labels), perspective=lines["perspective"].map(views), _o=0)
    s = result.summary
    days = float(len(result.working_days))
    worklog = pd.DataFrame({"staff_id": s["staff_id"], "metric": metric_label("worklog", lang),
                            "perspective": perspective_label("learning", lang), "actual": s["worklog_days"],
                            "target": days, "ratio": s["worklog_completion"], "points": s["worklog_bonus"], "_o": 1})
    minus = pd.DataFrame({"staff_id": s["staff_id"], "metric": metric_label("deductions", lang), "perspective": "",
                          "actual": s["deductions"], "points": -s["deductions"], "_o": 2})
    total = pd.DataFrame({"staff_id": s["staff_id"], "metric": _t(lang, "总分", "Total"), "perspective": "",
                          "points": s["total"], "_o": 3})
    out = pd.concat([scored, worklog, minus, total], ignore_index=True)
    return out.sort_values(["staff_id", "_o"], kind="stable")[["staff_id"] + METRIC_COLUMNS]


def _branch_basis(result: MonthResult) -> pd.DataFrame:
    """Per branch: the pool left for the points split (unrounded) and the sum of totals it is split by."""
    s = result.summary
    pools = result.pools.set_index("branch")
    management = s[s["basis"].eq("coefficient")].groupby("branch")["bonus_quota"].sum()
    whole = s[s["basis"].isin(["points", "equal"])].groupby("branch")["total"].sum()
    return pd.DataFrame({"rest": pools["pool"] - management.reindex(pools.index).fillna(0.0),
                         "whole": whole.reindex(pools.index).fillna(0.0), "pool": pools["pool"],
                         "average": pools["average_bonus"], "staff": pools["active_staff"]})


def _bonus_detail(result: MonthResult, lang: str) -> pd.Series:
    s = result.summary
    branch = _branch_basis(result).reindex(s["branch"]).set_index(s.index)
    factor = s["coefficient"].map(lambda c: f"{c:g}").astype("str")
    by_coefficient = (_t(lang, "人均 ", "average ") + _money(branch["average"])
                      + _t(lang, " × 系数 ", " × coefficient ") + factor)
    by_points = _t(lang, "总分 ", "total ") + _money(s["total"]) + " / " + _money(branch["whole"]) \
        + _t(lang, " × 剩余奖金 ", " × the rest ") + _money(branch["rest"])
    equal = pd.Series(_t(lang, "总分均为0，剩余奖金平均分配", "every total is 0: the rest split equally"), index=s.index)
    how = by_points.mask(s["basis"].eq("coefficient"), by_coefficient).mask(s["basis"].eq("equal"), equal)
    return how + _t(lang, "（未取整 ", " (before rounding ") + _money(s["bonus_quota"], 4) + _t(lang, "）", ")")


def pay_lines(result: MonthResult, lang: str) -> pd.DataFrame:
    """Every person's pay as printed: the branch pool, how the bonus was set, bonus, piece rates, the sum."""
    s = result.summary
    branch = _branch_basis(result).reindex(s["branch"]).set_index(s.index)
    count = s["staff_id"].map(result.pieces.groupby("staff_id").size()).fillna(0).astype("int64")
    parts = [
        (_t(lang, "网点奖金池", "Branch pool"),
         branch["staff"].astype("int64").astype("str") + _t(lang, " 人", " staff"), branch["pool"]),
        (_t(lang, "绩效奖金", "Bonus"), _bonus_detail(result, lang), s["bonus"]),
        (_t(lang, "计价工资", "Piece-rate pay"), count.astype("str") + _t(lang, " 笔", " line(s)"), s["piece_rate_pay"]),
        (_t(lang, "应发合计", "Total pay"), "", s["total_pay"]),
    ]
    frames = [pd.DataFrame({"staff_id": s["staff_id"], "item": item, "detail": detail, "amount": amount, "_o": i})
              for i, (item, detail, amount) in enumerate(parts)]
    out = pd.concat(frames, ignore_index=True).sort_values(["staff_id", "_o"], kind="stable")
    return out[["staff_id"] + PAY_COLUMNS]


def piece_lines(result: MonthResult, lang: str) -> pd.DataFrame:
    """The piece-rate lines paid to each person (unrounded; each person's sum is rounded once)."""
    paid = result.pieces[member(result.pieces["staff_id"], result.summary["staff_id"])]
    shares = {k: share_label(k, lang) for k in _SHARE}
    columns = ["staff_id"] + PIECE_COLUMNS + ["_file", "_sheet", "_row"]
    return paid.assign(share_of=paid["share_of"].map(shares))[columns]


def heading(row: pd.Series, month: pd.Period, active_staff: int, lang: str) -> tuple[str, str]:
    """A statement's title and the line under it."""
    title = _t(lang, f"{row['name']}（{row['staff_id']}）{month} 绩效工资单",
               f"Pay statement {month}: {row['name']} ({row['staff_id']})")
    line = _t(lang, f"{row['branch']} · {role_label(row['role'], 'zh')} · 排名 {row['rank']}/{active_staff}",
              f"{row['branch']} · {role_label(row['role'], 'en')} · rank {row['rank']} of {active_staff}")
    return title, line


def _split(frame: pd.DataFrame, columns: list[str]) -> dict[str, pd.DataFrame]:
    """Per staff id, its rows (slices of one sorted frame: cheap even for ten thousand people)."""
    ordered = frame.sort_values("staff_id", kind="stable")
    keys = ordered["staff_id"].to_numpy()
    body = ordered[columns].reset_index(drop=True)
    if not len(keys):
        return {}
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    return {keys[a]: body.iloc[a:b] for a, b in zip(starts, ends)}


def statements(result: MonthResult, lang: str) -> tuple[list[Section], list[Sheet]]:
    """One printable html section and one xlsx sheet per scored person."""
    metrics = _split(metric_lines(result, lang), METRIC_COLUMNS)
    pay = _split(pay_lines(result, lang), PAY_COLUMNS)
    pieces = _split(piece_lines(result, lang), PIECE_COLUMNS)
    no_pieces = pd.DataFrame({c: pd.Series(dtype=result.pieces[c].dtype if c in result.pieces else "str")
                              for c in PIECE_COLUMNS})
    staff = result.pools.set_index("branch")["active_staff"]
    sections, sheets = [], []
    for row in result.summary.to_dict("records"):
        staff_id = row["staff_id"]
        title, line = heading(row, result.month, int(staff[row["branch"]]), lang)
        mine = pieces.get(staff_id, no_pieces)
        tables = [Table("statement_metrics", metrics[staff_id], "积分", "Scorecard"),
                  Table("statement_pay", pay[staff_id], "工资", "Pay"),
                  Table("statement_pieces", mine, "计价明细", "Piece-rate lines", empty_zh="本月无计价。",
                        empty_en="No piece-rate lines this month.")]
        sections.append(Section(title, title, tables, text_zh=line, text_en=line, page_break=True, in_xlsx=False,
                                anchor=f"p-{staff_id}"))
        sheets.append(Sheet(f"{staff_id} {row['name']}", f"{staff_id} {row['name']}", tables,
                            heading_zh=f"{title}  {line}", heading_en=f"{title}  {line}",
                            scope=str(row["branch"]) if isinstance(row["branch"], str) else ""))
    return sections, sheets
