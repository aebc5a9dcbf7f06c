"""Problem and note messages: one catalog, a code's parameters, the words per language (issue 15)."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

from branchkit.messages import NOTES, PROBLEMS, render, title
from branchkit.problems import Note, Problem, ProblemLog, message_in, say

SOURCE = Path(__file__).resolve().parents[1] / "src" / "branchkit"


def _codes_made_in_source() -> dict[str, str]:
    """Every problem or note code the source makes, found in the places codes are written: Problem(code=),
    Problem.of/Note.of, a converter's bad.add, a frame's "code" column, the checks' _problems, the Gantt
    reader's (mask, code, message) checks and (code, message) month problems, grid problem tuples."""
    found: dict[str, str] = {}

    def take(node: ast.AST | None, where: str) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.islower():
            found.setdefault(node.value, where)

    for path in SOURCE.rglob("*.py"):
        if "sample" in path.parts or "spark" in path.parts:
            continue
        where = str(path.relative_to(SOURCE))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
                if name == "Problem":
                    take(next((k.value for k in node.keywords if k.arg == "code"), None), where)
                elif name == "of" and owner in ("Problem", "Note"):
                    take(node.args[0] if node.args else None, where)
                elif name == "add" and owner == "bad" and len(node.args) > 2:
                    take(node.args[2], where)
                elif name == "_problems" and len(node.args) > 4:
                    take(node.args[4], where)
                elif name == "_sheet_problem" and len(node.args) > 1:
                    take(node.args[1], where)
                elif name == "get" and getattr(func.value, "id", "").endswith("_CODES") and len(node.args) > 1 \
                        and "_" in str(getattr(node.args[1], "value", "")):     # a default code, not a severity
                    take(node.args[1], where)
                elif name == "append" and node.args and isinstance(node.args[0], ast.Tuple) and \
                        getattr(func.value, "id", "") == "problems":
                    take(node.args[0].elts[1], where)
            elif isinstance(node, ast.For) and isinstance(node.target, ast.Tuple) and \
                    getattr(node.target.elts[0], "id", "") == "code" and isinstance(node.iter, ast.Tuple):
                for pair in node.iter.elts:                           # for code, part in (("x", ...), ...)
                    take(pair.elts[0] if isinstance(pair, ast.Tuple) else None, where)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if isinstance(key, ast.Constant) and key.value == "code":
                        take(value, where)
            elif isinstance(node, ast.Tuple) and len(node.elts) in (2, 3) and where.endswith("gantt.py"):
                index = 1 if len(node.elts) == 3 else 0
                element = node.elts[index]
                if isinstance(element, ast.Constant) and isinstance(element.value, str) and \
                        element.value.startswith("plan_"):
                    take(element, where)
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "code" for t in node.targets):
                value = node.value                                    # code = "a" if ... else "b"
                for part in ((value.body, value.orelse) if isinstance(value, ast.IfExp) else (value,)):
                    take(part, where)
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", "").endswith("_CODES") for t in node.targets):
                if isinstance(node.value, ast.Dict):
                    for key, value in zip(node.value.keys, node.value.values):
                        take(key if where.endswith("ledger.py") else value, where)
    return found


def test_every_code_the_source_makes_has_words_in_both_languages():
    made = _codes_made_in_source()
    assert {"not_a_number", "duplicate_id", "missing_column", "plan_rm_missing", "nul_byte", "no_pool",
            "plan_as_of", "unknown_staff", "ambiguous_staff", "plan_unknown_rm", "ragged_row"} <= set(made)   # the finder finds
    missing = {code: where for code, where in made.items() if code not in PROBLEMS and code not in NOTES}
    assert not missing, f"codes without a catalog entry (add them to branchkit/messages.py): {missing}"
    for code, (title_zh, title_en, zh, _en) in {**PROBLEMS, **NOTES}.items():
        assert title_zh and title_en and zh, code
        assert not any(ch.isascii() and ch.isalpha() for ch in title_zh), code


def test_the_first_template_whose_fields_are_known_is_used():
    head = {"branch": "甲", "head": "001", "lowest": 0.8}
    assert render("missing_assessment", "zh", head) == "甲：负责人 001 没有千分制考核行；采用最低档系数 0.8"
    assert render("missing_assessment", "zh", {"branch": "甲", "lowest": 0.8}) == \
        "甲：有副行长但没有负责人；采用最低档系数 0.8"
    assert render("missing_assessment", "zh", {"branch": "甲", "head": "001"}) == \
        "甲：负责人 001 没有千分制考核行；请补充千分制台账"
    assert render("missing_assessment", "en", head) == \
        "甲: the head 001 has no 1000-point assessment row; the lowest band's coefficient 0.8 is used"


def test_without_the_fields_chinese_falls_back_to_the_title_and_english_to_the_message_made():
    assert render("not_a_number", "zh", {}) == "不是数字"
    assert render("not_a_number", "zh", {"column": "存款余额", "value": "1,2O0"}) == "“存款余额”的值“1,2O0”不是数字"
    assert render("not_a_number", "en", {}, fallback="expected a number") == "expected a number"
    assert render("not_a_number", "en", {}) == "Not a number"
    assert render("no_such_code", "zh", {}) == "no_such_code" and title("undated_deduction", "en") == \
        "A deduction without date"


def test_lists_and_ledgers_are_said_in_the_language():
    note = Note.of("plan_silent_managers", names=("王一", "李二"))
    assert note.startswith("no visit records at all for 王一, 李二:")
    assert note.text("zh").startswith("王一、李二 没有任何拜访记录")
    missing = Problem(code="missing_ledger", message="no pool ledger was given", kind="pool")
    assert missing.text("zh").startswith("未提供绩效工资台账") and missing.text("en") == "no pool ledger was given"


def test_a_problem_made_from_parameters_keeps_them_through_the_log():
    problem = Problem.of("duplicate_pool", kind="pool", branch="城东支行", count=2)
    assert problem.message == "2 pool rows for branch 城东支行; give one amount per branch"
    assert problem == Problem.of("duplicate_pool", kind="pool", count=2, branch="城东支行")   # order free
    assert len({problem, Problem.of("duplicate_pool", kind="pool", branch="城东支行", count=2)}) == 1
    log = ProblemLog()
    log.add(problem)
    log.add_frame(__import__("pandas").DataFrame({"code": ["not_a_number"], "message": ["expected a number"],
                                                  "column": ["存款"], "value": ["x"], "row": [3]}))
    back = log.records()
    assert [p.params for p in back] == [(("branch", "城东支行"), ("count", 2)), ()]
    assert back[0].text("zh") == "网点 城东支行 有 2 行绩效工资总额，每个网点只能有一行"
    assert back[1].text("zh") == "“存款”的值“x”不是数字"
    assert "params" not in back[0].as_dict()                           # JSON keeps its shape


def test_notes_cross_processes_and_plain_text_stays_as_written():
    note = Note.of("plan_as_of", as_of="2026-10-20")
    again = pickle.loads(pickle.dumps(note))
    assert again == note and again.code == "plan_as_of" and again.text("zh") == "截至 2026-10-20：此后的计划日计为未到期"
    assert say("as it was written", "zh") == "as it was written"
    assert say(Problem.of("no_pool", kind="pool", branch=None).note(), "zh") == \
        "绩效工资台账没有（未写网点的）本网点的行，无法计算奖金"


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_unknown_fields_do_not_fill_a_template(missing):
    assert message_in("zh", "negative_value", "x", column="贷款余额", value=missing) == "数值为负"
    assert message_in("zh", "negative_value", "x", column="贷款余额", value="-5") == "“贷款余额”不能为负数（-5）"
