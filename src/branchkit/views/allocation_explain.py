"""``allocate --explain CUSTOMER_ID``: one customer's allocation step by step, with the ledger rows behind it.

Tier and scope with the balances and thresholds used, the current keeper and
each stability check, every claim with why it won or lost, the marketer and
whether it keeps the customer (谁营销谁维护), the route steps
tried with each candidate's load and capacity, any rebalance move, and the
result. Computed by ``core.allocation_trace`` on the customer's branch alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.core.allocate import trace_customer
from branchkit.core.allocation_trace import Trace
from branchkit.core.distribute import route_at
from branchkit.core.marketers import KEEPS
from branchkit.core.network import NONE, ROLES, UNKNOWN, Matrices
from branchkit.core.reasons import message
from branchkit.labels import value_label
from branchkit.rules import Rules
from branchkit.views.explain import where

_INDENT = "    "


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _word(column: str, value: object, lang: str) -> str:
    return f"{value_label(column, value, lang)} ({value})" if isinstance(value, str) and value else "-"


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def explain_customer(customers: pd.DataFrame, staff: pd.DataFrame, rules: Rules, customer_id: str, *,
                     claims: pd.DataFrame | None = None, previous: pd.DataFrame | None = None,
                     ambiguous: frozenset[str] = frozenset(), rebalance: int | None = None,
                     lang: str = "zh") -> str | None:
    """The explanation of one customer (None if the id is not in the customer list)."""
    trace = trace_customer(customers, staff, rules, customer_id, claims=claims, previous=previous,
                           ambiguous=ambiguous, rebalance=rebalance)
    if trace is None or trace.state is None:
        return None
    parts = [_head(trace, lang), _tier(trace, rules, lang), _current(trace, rules, lang), _claims(trace, lang),
             _marketer(trace, rules, lang), _route(trace, rules, lang), _rebalance(trace, lang),
             _result(trace, lang)]
    return "\n".join(line for part in parts for line in part) + "\n"


def _person(trace: Trace, pos: int, lang: str) -> str:
    people = trace.state.people
    if pos < 0:
        return "-"
    row = people.frame.iloc[pos]
    state = "" if row["state"] in (None, "active") or pd.isna(row["state"]) else f", {_word('state', row['state'], lang)}"
    return f"{row['name']} ({row['staff_id']}, {value_label('role', row['role'], lang)}{state})"


def _head(trace: Trace, lang: str) -> list[str]:
    row = trace.state.book.frame.iloc[trace.position]
    status = row["status"] if isinstance(row["status"], str) else "existing"
    return [f"{row['name']} ({trace.customer_id})  {_word('kind', row['kind'], lang)}  {row['branch']}  "
            f"{_word('status', status, lang)}",
            _t(lang, "客户清单：", "customer list: ") + where(row, lang), ""]


def _money(value: object) -> str:
    number = pd.to_numeric(value, errors="coerce")
    return "0.00" if pd.isna(number) else f"{float(number):,.2f}"


def _tier(trace: Trace, rules: Rules, lang: str) -> list[str]:
    s, i = trace.state, trace.position
    row, book = s.book.frame.iloc[i], s.book
    r = rules.tiers.relationship
    out = [_t(lang, f"层级：{_word('tier', row['tier'], lang)}，存款 {_money(row['deposit'])}，贷款 {_money(row['loan'])}"
                    f"（高端：存款 ≥ {r.high_min_deposit:,.0f} 或贷款 ≥ {r.high_min_loan:,.0f}；中端：存款 ≥ "
                    f"{r.mid_min_deposit:,.0f} 或贷款 ≥ {r.mid_min_loan:,.0f}），权重 {book.weight[i]:g}",
              f"tier: {_word('tier', row['tier'], lang)}, deposits {_money(row['deposit'])}, loans "
              f"{_money(row['loan'])} (high: deposits >= {r.high_min_deposit:,.0f} or loans >= "
              f"{r.high_min_loan:,.0f}; mid: deposits >= {r.mid_min_deposit:,.0f} or loans >= "
              f"{r.mid_min_loan:,.0f}), weight {book.weight[i]:g}")]
    if isinstance(row.get("retail_tier"), str):
        out.append(_t(lang, f"个人价值层级：{_word('retail_tier', row['retail_tier'], lang)}，金融资产 "
                            f"{_money(row.get('financial_assets'))}",
                      f"retail value tier: {_word('retail_tier', row['retail_tier'], lang)}, financial assets "
                      f"{_money(row.get('financial_assets'))}"))
    floor = rules.allocation.deposit_floor
    if book.existing[i]:
        out.append(_t(lang, f"分配范围：{'在' if book.in_scope[i] else '不在'}范围内（存款 {_money(row['deposit'])}，"
                            f"门槛 {floor:,.0f}，{'有' if book.has_loan[i] else '无'}贷款）",
                      f"scope: {'in' if book.in_scope[i] else 'out of'} scope (deposits {_money(row['deposit'])}, "
                      f"floor {floor:,.0f}, {'with' if book.has_loan[i] else 'no'} loan)"))
    return out + [""]


def _checks(trace: Trace, rules: Rules, lang: str) -> list[str]:
    """Each stability check of the current keeper (DOMAIN §3), passed or not."""
    s, i = trace.state, trace.position
    pos, people, book = int(s.current.pos[i]), s.people, s.book
    m = Matrices.build(rules.allocation)
    known = pos >= 0
    role = int(people.role[pos]) if known else len(ROLES)
    kind, tier = max(int(book.kind[i]), 0), max(int(book.tier[i]), 0)
    checks = [(_t(lang, "维护人明确", "the keeper is unambiguous"), not s.current.ambiguous[i]),
              (_t(lang, "在员工名单中", "on the staff list"), pos != UNKNOWN),
              (_t(lang, "属于本网点", "of the customer's branch"), known and people.branch[pos] == book.branch[i]),
              (_t(lang, "未离职", "has not left"), known and people.state[pos] != 2)]
    if book.has_loan[i]:
        checks.append((_t(lang, "贷款客户：岗位可维护贷款客户", "loan customer: the role may keep it"),
                       bool(m.loan_ok[kind, role])))
    if s.current.prev_role[i] >= 0:
        changed = s.current.prev_role[i] != role and m.capacity[role, tier] <= 0
        checks.append((_t(lang, f"岗位未变或仍可维护该层级（上月 {ROLES[s.current.prev_role[i]]}）",
                          f"role unchanged or still keeps the tier (last month {ROLES[s.current.prev_role[i]]})"),
                       not changed or bool(s.current.locked[i])))
    if book.target[i]:
        checks.append((_t(lang, "岗位可负责该目标客户", "the role may own this target"),
                       bool(m.target_ok[int(book.to_head[i]), kind, role])))
    return [_INDENT + f"{_mark(ok)} {text}" for text, ok in checks]


def _current(trace: Trace, rules: Rules, lang: str) -> list[str]:
    s, i = trace.state, trace.position
    pos, raw = int(s.current.pos[i]), s.current.raw.iloc[i]
    raw = None if pd.isna(raw) else raw
    if pos == NONE and not s.current.ambiguous[i]:
        return [_t(lang, "现维护人：无", "current keeper: none"), ""]
    prev = trace.previous
    found = prev is not None and len(prev) and prev["keeper"].notna().any()
    origin = (_t(lang, "上月分配 ", "last month's allocation ") + where(prev[prev["keeper"].notna()].iloc[0], lang)
              if found else _t(lang, "客户清单的管户人列", "the customer list's keeper column"))
    who = _person(trace, pos, lang) if pos >= 0 else str(raw)
    locked = _t(lang, "（锁定）", " (locked)") if s.current.locked[i] else ""
    out = [_t(lang, f"现维护人：{who}{locked}，来自{origin}", f"current keeper: {who}{locked}, from {origin}")]
    out += _checks(trace, rules, lang)
    verdict = message(trace.gone, lang) if isinstance(trace.gone, str) else None
    out.append(_INDENT + (_t(lang, f"→ 不再维护：{verdict}", f"-> gives it up: {verdict}") if verdict
                          else _t(lang, "→ 继续维护（除非有更高优先级的认领）",
                                  "-> keeps it (unless a stronger claim wins)")))
    return out + [""]


def _claims(trace: Trace, lang: str) -> list[str]:
    rows = trace.claims
    if rows is None or rows.empty:
        return [_t(lang, "认领：无", "claims: none"), ""]
    s = trace.state
    declined = s.claims.declined.set_index("_rid")["reason"] if len(s.claims.declined) else pd.Series(dtype=object)
    won = dict(zip(s.claims.customer.tolist(), s.claims.staff.tolist()))
    index = pd.Index(s.people.frame["staff_id"].astype("str"))
    out = [_t(lang, "认领：", "claims:")]
    for _, row in rows.iterrows():
        spos = index.get_indexer([str(row["staff_id"])])[0]
        who = _person(trace, spos, lang) if spos >= 0 else str(row["staff_id"])
        if row["_rid"] in declined.index:
            verdict = _t(lang, "未采纳：", "declined: ") + str(message(declined.loc[row["_rid"]], lang))
        elif won.get(trace.position) == spos:
            verdict = _t(lang, "胜出", "won")
        else:
            verdict = _t(lang, "认领人已是维护人，保持不变", "the claimant already keeps it: no change")
        pinned = row.get("locked")
        locked = _t(lang, "（锁定）", " (locked)") if pd.notna(pinned) and bool(pinned) else ""
        out.append(_INDENT + f"{who}{locked}  {where(row, lang)}  → {verdict}")
    conflicts = s.claims.conflicts
    mine = conflicts[conflicts["pos"] == trace.position]
    if len(mine):
        out.append(_INDENT + _t(lang, "同优先级冲突，暂按规则判定：", "equal claims, settled by the rule: ")
                   + str(message(mine["rule"].iloc[0], lang)))
    return out + [""]


def _marketer(trace: Trace, rules: Rules, lang: str) -> list[str]:
    """The customer's marketer (营销人) and whether it keeps the customer (谁营销谁维护, ``core.marketers``)."""
    s, i = trace.state, trace.position
    raw = s.book.frame["marketer"].iloc[i] if "marketer" in s.book.frame else None
    if raw is None or pd.isna(raw) or not str(raw).strip():
        return []
    spos = int(pd.Index(s.people.frame["staff_id"].astype("str")).get_indexer([str(raw)])[0])
    who = _person(trace, spos, lang) if spos >= 0 else str(raw)
    if s.out.reason[i] == KEEPS or isinstance(trace.marketer, str):
        verdict = _t(lang, "→ ", "-> ") + str(message(KEEPS if s.out.reason[i] == KEEPS else trace.marketer, lang))
    elif not rules.allocation.marketer_keeps:
        verdict = _t(lang, "→ 未采用：规则 allocation.marketer_keeps 已关闭",
                     "-> not applied: allocation.marketer_keeps is off")
    elif s.out.source[i] in ("kept", "claim", "target", "rebalance"):
        verdict = _t(lang, "→ 未采用：客户已有维护人或认领胜出（营销人只接收无人维护的客户）",
                     "-> not applied: the customer has a keeper or a winning claim (a marketer takes only customers "
                     "nobody keeps)")
    else:
        verdict = _t(lang, "→ 未采用：客户的层级不在 allocation.marketer_keeps 之列（或不在分配范围）",
                     "-> not applied: the customer's tier is not one of allocation.marketer_keeps (or it is out of "
                     "scope)")
    return [_t(lang, f"营销人：{who}", f"marketer: {who}"), _INDENT + verdict, ""]


def _route(trace: Trace, rules: Rules, lang: str) -> list[str]:
    if not trace.steps:
        return []
    s, i = trace.state, trace.position
    route = int(route_at(s.book, np.array([i]), rules.allocation)[0])
    name = rules.allocation.routes[route].name if route >= 0 else "-"
    how = (_t(lang, "（容量受限：本网点按最少溢出层级精确求解）", " (capacities bind: solved exactly, least spill depth)")
           if trace.exact else "")
    out = [_t(lang, f"分配路线：{name}{how}", f"route: {name}{how}")]
    tier = value_label("tier", s.book.frame.iloc[i]["tier"], lang)
    for n, step in enumerate(trace.steps, start=1):
        roles = "、".join(str(value_label("role", r, lang)) for r in step.roles)
        out.append(_INDENT + _t(lang, f"第 {n} 步 {roles}：", f"step {n} {roles}:"))
        for member, load, count, cap in zip(step.members, step.load, step.count, step.capacity):
            mark = "  ←" if member == step.chosen else ""
            out.append(_INDENT * 2 + _t(lang, f"{_person(trace, int(member), lang)} 负荷 {load:g}，{tier}客户 "
                                              f"{int(count)}/{int(cap)}{mark}",
                                        f"{_person(trace, int(member), lang)} load {load:g}, {tier} tier "
                                        f"{int(count)}/{int(cap)}{mark}"))
        if step.chosen >= 0:
            break
    return out + [""]


def _rebalance(trace: Trace, lang: str) -> list[str]:
    outcome = trace.state.rebalance
    if outcome is None:
        return []
    hit = np.flatnonzero(outcome.moved == trace.position)
    if not len(hit):
        return [_t(lang, "再平衡：未调整", "rebalance: not moved"), ""]
    previous = int(outcome.previous[hit[0]])
    keeper = int(trace.state.out.keeper[trace.position])
    return [_t(lang, f"再平衡：由 {_person(trace, previous, lang)} 调整给 {_person(trace, keeper, lang)}，"
                     "为使同级人员加权负荷更均衡",
               f"rebalance: moved from {_person(trace, previous, lang)} to {_person(trace, keeper, lang)} to even "
               "out the load of equal-rank staff"), ""]


def _result(trace: Trace, lang: str) -> list[str]:
    s, i = trace.state, trace.position
    keeper = int(s.out.keeper[i])
    reason = s.unplaced[i] if pd.notna(s.unplaced[i]) else s.change[i]
    why = message(reason, lang) if isinstance(reason, str) else None
    over = _t(lang, "（超出容量）", " (over capacity)") if s.out.over_capacity[i] else ""
    line = _t(lang, f"结果：{_person(trace, keeper, lang)}{over}，来源 {_word('source', s.out.source[i], lang)}",
              f"result: {_person(trace, keeper, lang)}{over}, source {_word('source', s.out.source[i], lang)}")
    return [line + (_t(lang, f"，原因：{why}", f", reason: {why}") if why else "")]


__all__ = ["explain_customer"]
