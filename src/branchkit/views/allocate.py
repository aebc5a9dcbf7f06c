"""The allocation as a report: the allocation table (the csv/json contract), the 1对N table,
statistics, changes, conflicts, declined claims, targets, and one ledger (台账) sheet per keeper.

``people=True`` (xlsx/html) shows coded values in words and the reason
messages in the report's language; csv/json keep the canonical keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from markupsafe import Markup

from branchkit.core.allocate import Allocation
from branchkit.core.marketers import KEEPS
from branchkit.core.ordered import Ordered
from branchkit.core.reasons import message
from branchkit.io.book import Book
from branchkit.io.charts import bar_chart, stacked_bar_chart
from branchkit.io.tables import Report, Section, Sheet, Table
from branchkit.labels import VALUE_ALIASES, VALUES, value_label
from branchkit.views import UNKEPT, name_unkept
from branchkit.views.keeper_ledgers import keeper_books
from branchkit.views.rebalance import frontier_table, pools_table, rebalance_lines, rebalance_text, rebalanced

#: The allocation table's columns: SPEC's canonical ones first.
ALLOCATION_COLUMNS = ["customer_id", "name", "kind", "branch", "tier", "retail_tier", "keeper", "keeper_name",
                      "keeper_role", "source", "previous_keeper", "previous_keeper_name", "reason", "reason_text",
                      "locked", "over_capacity", "status", "scale", "latent", "vip_grade", "deposit", "loan",
                      "financial_assets", "weight"]
KEEPER_NAME = {"keeper_name": ("维护责任人姓名", "Keeper name")}
TARGET_LABELS = {"name": ("客户名称", "Customer"), "kind": ("客户类型", "Customer type"),
                 "goal": ("营销目标", "Marketing goal"), "keeper": ("营销责任人工号", "Owner (staff ID)"),
                 "keeper_name": ("营销责任人", "Owner")}
UNPLACED_OUT = "below_deposit_floor"


@dataclass
class Counts:
    """The reconciliation of the customer ledger with the allocation."""

    read: int
    rejected: int
    allocated: int
    targets: int
    unplaced: int
    out_of_scope: int

    @classmethod
    def of(cls, result: Allocation, read: int | None = None, rejected: int = 0) -> "Counts":
        frame = result.as_computed().frame        # counts need no order
        placed = frame["keeper"].notna()
        out = frame["reason"].eq(UNPLACED_OUT) & ~placed
        used = len(frame)
        return cls(read if read is not None else used + rejected, rejected, int(placed.sum()),
                   int((placed & frame["status"].eq("target")).sum()), int((~placed & ~out).sum()), int(out.sum()))

    @property
    def reconciles(self) -> bool:
        return self.read == self.allocated + self.unplaced + self.out_of_scope + self.rejected

    def line(self) -> str:
        """``customers: read N = allocated A (T targets) + unplaced U + out of scope O + rejected R``."""
        mark = "" if self.reconciles else "  (DOES NOT ADD UP)"
        return (f"customers: read {self.read} = allocated {self.allocated} ({self.targets} targets) + unplaced "
                f"{self.unplaced} + out of scope {self.out_of_scope} + rejected {self.rejected}{mark}")


    def line_zh(self) -> str:
        return (f"客户：读入 {self.read} 户 = 已分配 {self.allocated} 户（其中目标客户 {self.targets} 户）+ 未分配 "
                f"{self.unplaced} 户 + 不在分配范围 {self.out_of_scope} 户 + 拒绝 {self.rejected} 户")


def summary_lines(result: Allocation, counts: Counts) -> list[str]:
    """What the command prints on stderr: reconciliation, sources, changes, balance per role."""
    sources = result.as_computed().frame["source"].value_counts()
    order = ["kept", "claim", "distributed", "spill", "target"] + (["rebalance"] if rebalanced(result) else [])
    conflicts = result.conflicts
    by_marketer = _by_marketer(result)
    lines = [
        counts.line(),
        "by source: " + ", ".join(f"{s} {int(sources.get(s, 0))}" + (f" ({by_marketer} by their marketer)"
                                                                      if s == "distributed" and by_marketer else "")
                                  for s in order),
        f"changes {len(result.changes)}, conflicts {conflicts['customer_id'].nunique()} customer(s) "
        f"({len(conflicts)} claims), declined claims {len(result.declined)}, over capacity "
        f"{int(result.as_computed().frame['over_capacity'].sum())}",
    ]
    return lines + balance_lines(result.balance) + rebalance_lines(result)


def _by_marketer(result: Allocation) -> int:
    """Customers their marketer keeps (谁营销谁维护): distributed, reason ``marketer_keeps``."""
    return int(result.as_computed().frame["reason"].eq(KEEPS).sum())


def balance_lines(balance: pd.DataFrame) -> list[str]:
    """Per role, over every branch: the spread of weighted loads and the worst distance from the ideal."""
    unkept = balance[balance["role"].isna().to_numpy()]
    balance = balance[balance["role"].notna().to_numpy()]
    if balance.empty and unkept.empty:
        return []
    lines = ["weighted load per role (worst branch): spread = highest - lowest; deviation = farthest from the "
             "ideal that claims and kept customers allow"]
    if len(unkept):
        lines.append(f"  no keeper: weighted load {unkept['distributed'].sum():g} in scope left without keeper "
                     f"in {len(unkept)} branch(es)")
    for role, part in balance.groupby("role", sort=True):
        worst = part.sort_values(["max_deviation", "branch"], ascending=[False, True], kind="stable").iloc[0]
        verdict = "balanced" if part["balanced"].all() else "NOT balanced"
        where = f" ({worst['branch']})" if part["branch"].nunique() > 1 and pd.notna(worst["branch"]) else ""
        head = (f"  {value_label('role', role, 'en')}: {int(part['members'].sum())} in {len(part)} branch(es), "
                f"spread {part['spread'].max():g}")
        if part["distributed"].sum() == 0:
            lines.append(f"{head}, nothing distributed")
            continue
        lines.append(f"{head}, deviation {worst['max_deviation']:g}{where} <= one customer's weight "
                     f"{part['max_weight'].max():g}: {verdict}")
    return lines


def allocation_report(result: Allocation, *, lang: str = "zh", people: bool = True, counts: Counts | None = None,
                      ledgers: bool = True, subtitle: str = "", month: str | None = None) -> Report:
    """The allocation report; ``people``: words instead of keys and one ledger book (台账) per keeper
    (xlsx); ``month`` (YYYY-MM, if known) is printed in page headers and dates the books."""
    shown = _Shown(lang, people)
    # The books are made when the workbook is written: its first sheets are deflated meanwhile.
    books = (lambda: keeper_books(result, shown.words, lang, month)) if (people and ledgers) else None
    extra: list[Table | Sheet] = []
    sections = allocation_sections(result, lang, people, counts)
    if rebalanced(result):
        # The frontier goes on the load-balance sheet itself, below the loads per role and the pools.
        balance = next(s for s in sections if s.title_en == "Load balance")
        balance.in_xlsx = False
        extra.append(Sheet(balance.title_zh, balance.title_en, balance.tables))
    return Report("客户分配（包户包效）", "Customer allocation", sections, primary="allocation", subtitle=subtitle,
                  extra_sheets=extra, period=month or "", later_books=books)


def allocation_books(result: Allocation, lang: str = "zh", month: str | None = None) -> list[Book]:
    """Every keeper's ledger book (台账) to print, with values in words (``allocate --books``)."""
    return keeper_books(result, _Shown(lang, True).words, lang, month)


def allocation_sections(result: Allocation, lang: str, people: bool = True,
                        counts: Counts | None = None) -> list[Section]:
    """The sections of the allocation (the month-end pack reuses them)."""
    counts = counts or Counts.of(result)
    shown = _Shown(lang, people)
    # csv/json (not for people) take the rows from the order as they write them: no reordered copy.
    held = result.as_computed() if not people else Ordered(result.allocation)
    allocation = shown.table("allocation", held.frame.reindex(columns=_allocation_columns(people)),
                             "客户分配表", "Allocation", labels=KEEPER_NAME)
    allocation.order = held.order
    return [
        _summary(result, lang, counts, people),
        Section("客户分配表", "Allocation", [allocation]),
        Section("存量客户1对N维护责任表", "Keepers (1 to N)", [_keepers_table(result, shown)]),
        Section("负荷均衡", "Load balance", [_balance_table(result, shown)]
                + ([pools_table(result, lang, people), frontier_table(result, lang, people)]
                   if rebalanced(result) else [])),
        Section("存量客户细分统计表", "Existing customers by type and tier", [_segments_table(result, shown)]),
        Section("分配变动", "Changes", [_changes_table(result, shown)]),
        Section("认领冲突", "Conflicts", [shown.table("conflicts", result.conflicts, "认领冲突", "Conflicts",
                                                   note_zh=_CONFLICT_NOTE[0], note_en=_CONFLICT_NOTE[1])]),
        Section("未采纳的认领", "Declined claims", [shown.table("declined", result.declined, "未采纳的认领",
                                                         "Declined claims", labels=KEEPER_NAME)]),
        Section("未分配客户", "Customers without keeper", [shown.table(
            "unplaced", _unplaced(result), "未分配客户", "Without keeper")]),
        Section("目标客户责任表", "Target customers", [shown.table(
            "targets", result.targets.drop(columns=["customer_id"]), "目标客户责任表", "Target customers",
            labels=TARGET_LABELS)]),
    ]


def branch_allocation(result: Allocation, lang: str) -> tuple[Section, dict[str, Table]]:
    """What a branch's page of the month report shows of ``allocation_sections``: the summary (its
    charts and sentence) and the segments, keepers and changes tables, each made as there (the customer
    table and the others are the allocate command's, and cost a report of many branches as much again)."""
    shown = _Shown(lang, True)
    return _summary(result, lang, Counts.of(result), True), {
        "segments": _segments_table(result, shown), "keepers": _keepers_table(result, shown),
        "changes": _changes_table(result, shown)}


def _summary(result: Allocation, lang: str, counts: Counts, people: bool) -> Section:
    return Section("分配汇总", "Summary", charts=_charts(result, lang) if people else [],
                   text_zh=_summary_text(result, counts, "zh"), text_en=_summary_text(result, counts, "en"))


def _keepers_table(result: Allocation, shown: "_Shown") -> Table:
    return shown.table("keepers", name_unkept(result.keepers, shown.lang) if shown.people else result.keepers,
                       "1对N维护责任表", "Keepers 1 to N", labels=KEEPER_NAME)


def _segments_table(result: Allocation, shown: "_Shown") -> Table:
    return shown.table("segments", result.segments, "存量客户细分统计表", "Customers by type and tier")


def _changes_table(result: Allocation, shown: "_Shown") -> Table:
    return shown.table("changes", result.changes, "分配变动", "Changes", labels=KEEPER_NAME)


_CONFLICT_NOTE = ("同优先级认领，待行长决定；暂按规则判定：已维护者优先，其次加权负荷较低者，其次工号较小者。",
                  "Equal-priority claims for the head to decide; meanwhile settled for the current keeper, else the "
                  "lower weighted load, else the lower staff id.")


def _balance_table(result: Allocation, shown: "_Shown") -> Table:
    """Load balance per role; for people, the row of customers left without keeper named as such."""
    table = shown.table("balance", result.balance, "负荷均衡", "Load balance")
    if shown.people and result.balance["role"].isna().any():
        label = UNKEPT[0] if shown.lang == "zh" else UNKEPT[1]
        table.frame = table.frame.assign(role=table.frame["role"].mask(result.balance["role"].isna().to_numpy(),
                                                                       label))
    return table


def _allocation_columns(people: bool) -> list[str]:
    return ALLOCATION_COLUMNS if people else [c for c in ALLOCATION_COLUMNS if c != "reason_text"] + ["reason_text"]


def _unplaced(result: Allocation) -> pd.DataFrame:
    held = result.as_computed()
    frame = held.frame
    unplaced = (frame["keeper"].isna() & frame["reason"].ne(UNPLACED_OUT)).to_numpy(dtype=bool)
    order = held.order if held.order is not None else np.arange(len(frame))
    return frame[["branch", "customer_id", "name", "kind", "tier", "status", "previous_keeper", "reason", "deposit",
                  "loan"]].take(order[unplaced[order]]).set_axis(np.flatnonzero(unplaced[order]))


class _Shown:
    """Tables as a report shows them: reason messages added, coded values in words for people."""

    def __init__(self, lang: str, people: bool) -> None:
        self.lang, self.people = lang, people

    def words(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The reason message beside each reason code; for people, coded values and tie rules in words."""
        # A shallow copy: with copy-on-write the columns set below are new and the rest shared, never
        # written through (a deep copy held a second 200,000-row allocation until the write).
        out = frame.copy(deep=False)
        if "reason" in out:
            text = _messages(out["reason"], self.lang)
            if "reason_text" in out:
                out["reason_text"] = text
            else:
                out.insert(list(out.columns).index("reason") + 1, "reason_text", text)
        if self.people:
            if "rule" in out:
                out["rule"] = _messages(out["rule"], self.lang)
            for column in out.columns:
                if VALUE_ALIASES.get(column, column) in VALUES:
                    out[column] = _value_words(out[column], column, self.lang)
        return out

    def table(self, key: str, frame: pd.DataFrame, zh: str, en: str, labels: dict | None = None,
              note_zh: str = "", note_en: str = "") -> Table:
        return Table(key, self.words(frame), zh, en, labels=labels or {}, note_zh=note_zh, note_en=note_en)


def _messages(codes: pd.Series, lang: str) -> pd.Series:
    found, uniques = pd.factorize(codes)
    texts = pd.array([message(u, lang) for u in uniques], dtype="str")
    return pd.Series(texts.take(found, allow_fill=True), index=codes.index)


def _value_words(values: pd.Series, column: str, lang: str) -> pd.Series:
    found, uniques = pd.factorize(values)
    words = pd.array([value_label(column, u, lang) for u in uniques], dtype="str")
    return pd.Series(words.take(found, allow_fill=True), index=values.index)


def _summary_text(result: Allocation, counts: Counts, lang: str) -> str:
    """The summary sentence, counted from the tables it sits above (allocation, changes, conflicts, declined)."""
    sources = result.as_computed().frame["source"].value_counts()
    order = ("kept", "claim", "distributed", "spill", "target") + (("rebalance",) if rebalanced(result) else ())
    changes, declined = len(result.changes), len(result.declined)
    conflicts = result.conflicts["customer_id"].nunique()
    by_marketer = _by_marketer(result)
    if lang != "zh":
        words = ", ".join(f"{value_label('source', s, 'en').lower()} {int(sources.get(s, 0))}"
                          + (f" ({by_marketer} kept by their marketer)" if s == "distributed" and by_marketer else "")
                          for s in order)
        line = counts.line()
        return (f"{line[0].upper()}{line[1:]}. By source: {words}. Keeper changes {changes}, claim conflicts {conflicts} "
                f"customer(s), declined claims {declined}." + (" " + rebalance_text(result, lang)).rstrip())
    words = "、".join(f"{value_label('source', s, 'zh')} {int(sources.get(s, 0))} 户"
                     + (f"（其中营销人维护 {by_marketer} 户）" if s == "distributed" and by_marketer else "")
                     for s in order)
    return (f"{counts.line_zh()}。来源：{words}。维护人变动 {changes} 户，认领冲突 "
            f"{conflicts} 户，未采纳的认领 {declined} 条。" + rebalance_text(result, lang))


def _charts(result: Allocation, lang: str) -> list[Markup]:
    """Tier distribution by customer type, and weighted load per keeper in each branch."""
    charts = [_tier_chart(result, lang)]
    keepers = result.keepers[result.keepers["keeper"].notna().to_numpy()]     # people, not the unkept row
    for branch, part in keepers.groupby(keepers["branch"].fillna(""), sort=True):
        part = part[part["state"] != "left"]
        if part.empty:
            continue
        labels = [f"{n}（{value_label('role', r, lang)}）" if lang == "zh" else f"{n} ({value_label('role', r, lang)})"
                  for n, r in zip(part["keeper_name"].fillna(part["keeper"]), part["keeper_role"])]
        title = f"{branch} 维护负荷（加权）" if lang == "zh" else f"{branch} weighted load per keeper"
        charts.append(bar_chart(labels, part["load"].tolist(), title=title.strip(), value_format=",.0f",
                                reference_line=float(part["load"].mean()),
                                reference_label="平均" if lang == "zh" else "mean", lang=lang))
    return charts


def _tier_chart(result: Allocation, lang: str) -> Markup:
    seg = result.segments
    seg = seg[(seg["kind"] != "all") & (seg["tier"] != "all")]
    table = seg.groupby(["kind", "tier"], sort=False)["customers"].sum().unstack(fill_value=0)
    kinds = [k for k in VALUES["kind"] if k in table.index]
    table = table.reindex(index=kinds)          # one reindex, not a label lookup per tier
    series = {value_label("tier", t, lang): table[t].tolist() for t in ("high", "mid", "general")
              if t in table.columns}
    title = "存量客户层级分布（户数）" if lang == "zh" else "Existing customers by tier (count)"
    return stacked_bar_chart([value_label("kind", k, lang) for k in kinds], series, title=title, lang=lang)
