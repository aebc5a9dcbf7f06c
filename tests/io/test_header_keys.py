"""kind_from_headers skips a kind whose aliases cannot make a complete header in the rows (label_keys):
the skip must never change which kind a sheet is found to be."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io.discover import NAMED_ONLY, kind_from_headers
from branchkit.io.grid import Grid
from branchkit.io.header import find_header, label_keys
from branchkit.models.aliases import alias_index
from branchkit.models.ledgers import LEDGERS
from branchkit.rules import load_rules

RULES = load_rules()
KINDS = [k for k in LEDGERS if k not in NAMED_ONLY]


def _every_kind(rows: list[list[object]]) -> str | None:
    """kind_from_headers as it was: find_header over every kind, no skip."""
    best, best_key = None, None
    for order, kind in enumerate(KINDS):
        spec = LEDGERS[kind]
        match = find_header(rows[:RULES.input.header_scan_rows], alias_index(kind, RULES), spec.required())
        if match is None or not all(f in match.columns for f in spec.required()):
            continue
        key = (match.score, -order)
        if best_key is None or key > best_key:
            best, best_key = kind, key
    return best


def _grid(rows: list[list[object]]) -> Grid:
    return Grid(file="x.xlsx", sheet="s", rows=rows)


def test_a_required_field_named_only_by_a_group_over_its_sub_header_is_found():
    # 日均交易 over 笔数: only the joined label names the volumes' daily transactions
    rows = [["网点", "日均交易", "网点类型"], [None, "笔数", None], ["城中", 260, "大型全功能网点"]]
    assert "日均交易笔数" in label_keys(rows)
    assert "日均交易" not in alias_index("volumes", RULES)
    assert kind_from_headers(_grid(rows), RULES) == _every_kind(rows) == "volumes"


def test_a_header_short_of_one_required_field_is_no_kind():
    rows = [["客户编号", "客户名称"], ["C1", "甲"]]
    assert kind_from_headers(_grid(rows), RULES) == _every_kind(rows)


def test_label_keys_hold_cells_and_vertical_joins_only():
    keys = label_keys([["对公", None, 3.0, None], ["现金日均笔数", "x", None, "y"]])
    assert {"对公", "3", "现金日均笔数", "x", "对公现金日均笔数"} <= keys
    assert "3x" not in keys and "3y" not in keys           # not across columns
    assert "对公x" in keys                                  # a group written once carries over a blank
    assert "对公y" not in keys                              # ... but not past a column without a sub-header


def _words() -> list[str]:
    """Every seventh alias key of every kind, and parts that only name a field when joined."""
    words = sorted({key for kind in KINDS for key in alias_index(kind, RULES)})
    return words[::7] + ["日均交易", "笔数", "对公", "现金日均笔数", "合计", "备注", "项目", "1", "2"]


CELL = st.one_of(st.none(), st.sampled_from(_words()), st.integers(0, 40).map(float), st.text(max_size=3))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELL, min_size=0, max_size=8), min_size=0, max_size=6))
def test_the_skip_never_changes_the_kind_found(rows):
    assert kind_from_headers(_grid(rows), RULES) == _every_kind(rows)
