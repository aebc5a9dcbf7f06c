"""``allocate --compare``: who would change keeper, tier or scope under other rules, and the load per keeper."""

from __future__ import annotations

import pandas as pd

from branchkit.core.allocation_compare import AllocationComparison
from branchkit.core.reasons import message
from branchkit.io.tables import Section, Table
from branchkit.labels import value_label

_CHANGE = {"keeper": ("维护人", "keeper"), "tier": ("层级", "tier"), "scope": ("分配范围", "scope")}
_WORDS = {"tier": "tier", "keeper_role": "role", "source": "source"}


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Coded values in words, reasons as messages, the change as a list of words."""
    out = frame.copy()
    for column, kind in _WORDS.items():
        for side in ("base", "other"):
            name = f"{column}_{side}"
            out[name] = out[name].map(lambda v, k=kind: value_label(k, v, lang)).astype("str")
    for side in ("base", "other"):
        out[f"reason_{side}"] = out[f"reason_{side}"].map(lambda v: message(v, lang)).astype("str")
    for column in ("kind", "status"):
        out[column] = out[column].map(lambda v, c=column: value_label(c, v, lang)).astype("str")
    join = "、" if lang == "zh" else ", "
    out["change"] = out["change"].map(
        lambda v: join.join(_t(lang, *_CHANGE[p]) for p in v.split("+"))).astype("str")
    return out


def comparison_sections(comparison: AllocationComparison, lang: str, people: bool) -> list[Section]:
    """The changed customers (the csv/json table, key ``compare``) and the load change per keeper."""
    customers = _words(comparison.customers, lang) if people else comparison.customers
    keepers = comparison.keepers.copy()
    if people:
        keepers["keeper_role"] = keepers["keeper_role"].map(lambda v: value_label("role", v, lang)).astype("str")
    return [Section("规则对比：客户变化", "What-if: customers that change", [Table(
        "compare", customers, "规则对比：客户变化", "What-if: customers",
        note_zh="按新规则重新分配时维护人、客户层级或分配范围发生变化的客户。",
        note_en="Customers whose keeper, tier or scope differs when allocated under the other rules.")],
        text_zh=compare_text(comparison, "zh"), text_en=compare_text(comparison, "en"), anchor="compare"),
        Section("规则对比：维护负荷", "What-if: load per keeper", [Table(
            "compare_keepers", keepers, "规则对比：维护负荷", "What-if: load per keeper",
            note_zh="变化 = 新规则 − 原规则。", note_en="change = other rules − base rules.")])]


def _counts(comparison: AllocationComparison) -> dict[str, int]:
    parts = comparison.customers["change"].str.split("+").explode()
    return {k: int((parts == k).sum()) for k in _CHANGE}


def compare_text(comparison: AllocationComparison, lang: str) -> str:
    """One sentence: how many customers change keeper, tier and scope, and the largest load moves."""
    n, counts, keepers = len(comparison.customers), _counts(comparison), comparison.keepers
    # the row of customers nobody keeps (keeper empty) is no keeper to name as gaining or losing load
    moved = keepers[(keepers["load_change"].abs() > 1e-9) & keepers["keeper"].notna()]
    if not n and moved.empty:
        return _t(lang, "按新规则分配，没有客户的维护人、层级或分配范围发生变化。",
                  "Under the other rules no customer changes keeper, tier or scope.")
    text = _t(lang, f"按新规则分配，{n} 户客户发生变化：维护人 {counts['keeper']} 户、层级 {counts['tier']} 户、"
                    f"分配范围 {counts['scope']} 户。",
              f"Under the other rules {n} customer(s) change: keeper {counts['keeper']}, tier {counts['tier']}, "
              f"scope {counts['scope']}.")
    gains, losses = moved[moved["load_change"] > 0], moved[moved["load_change"] < 0]
    if len(gains):
        up = gains.loc[gains["load_change"].idxmax()]
        text += _t(lang, f"加权负荷增加最多：{up['keeper_name']}（{up['keeper']}）{up['load_change']:+g}。",
                   f" Largest load gain {up['keeper']} {up['load_change']:+g}.")
    if len(losses):
        down = losses.loc[losses["load_change"].idxmin()]
        text += _t(lang, f"加权负荷减少最多：{down['keeper_name']}（{down['keeper']}）{down['load_change']:+g}。",
                   f" Largest load loss {down['keeper']} {down['load_change']:+g}.")
    return text


def compare_summary(comparison: AllocationComparison) -> str:
    """The line on stderr."""
    return "compare: " + compare_text(comparison, "en")


__all__ = ["compare_summary", "compare_text", "comparison_sections"]
