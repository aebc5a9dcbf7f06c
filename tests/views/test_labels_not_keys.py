"""Labels, never keys: every sheet and page people read says roles, states, tiers, sources, reasons,
problems and columns in words of its language (issue 15).

A generated sample network goes through every command that writes for people (allocate, staff, plan,
score, report --month, report --quarter), as xlsx and html, in Chinese and English. Each output is
read back (html parsed, every xlsx cell) and scanned for:

- a canonical key (a role, state, tier, retail tier, source, reason, problem or note code, plan state,
  metric key, canonical column name...) as a whole cell or text, or, when the key has an underscore,
  as a word anywhere; in Chinese outputs also any key as an ASCII word in a sentence;
- Chinese text in an English output, and an English sentence in a Chinese one,

outside the data (what the ledgers hold: names, branches, products, files) and outside a dedicated code
column (代码/Code, 原因代码/Reason code, 指标代码/Metric key), where a code is what people need.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from rendered import Said, html_said, xlsx_rows, xlsx_said
from typer.testing import CliRunner

from branchkit.cli import app
from branchkit.io.book import Book
from branchkit.io.tables import Report, Sheet
from branchkit.core.plan import STATES
from branchkit.core.reasons import REASONS
from branchkit.labels import COLUMNS, VALUES, column_label
from branchkit.messages import NOTES, PROBLEMS
from branchkit.models.ledgers import LEDGERS
from branchkit.rules import load_rules
from branchkit.views.score import REASONS as SCORE_REASONS

MONTH, QUARTER = "2026-10", "2026Q3"
COMMANDS = {
    "allocate": ["allocate"],
    "staff": ["staff"],
    "plan": ["plan", "--month", MONTH],
    "score": ["score", "--month", MONTH],
    "report": ["report", "--month", MONTH],
    "quarter": ["report", "--quarter", QUARTER],
}
#: Columns whose cells are codes on purpose, beside their words.
CODE_COLUMNS = ("code", "reason", "metric_key")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff60]+")
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'()-]+[A-Za-z]{2,}){2,}")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def canonical_keys() -> set[str]:
    """Every key an output could leak: coded values, reason/problem/note codes, metric keys, columns."""
    rules = load_rules()
    keys: set[str] = set()
    for table in VALUES.values():
        keys |= set(table)
    keys |= set(REASONS) | set(PROBLEMS) | set(NOTES) | set(STATES) | set(SCORE_REASONS) | set(LEDGERS)
    keys |= set(rules.values.branch_type) | set(rules.roles.names if isinstance(rules.roles.names, dict) else ())
    metrics = set(rules.scoring.metrics) | {"worklog", "deductions"}
    keys |= metrics | {f"points_{m}" for m in metrics}
    keys |= set(COLUMNS)
    return keys


KEYS = canonical_keys()
UNDERSCORED = {k for k in KEYS if "_" in k}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """A small generated network (the generator of sample_data/), with its month-end history."""
    folder = tmp_path_factory.mktemp("labels") / "ledgers"
    result = CliRunner().invoke(app, ["sample", str(folder), "--branches", "2", "--customers", "300", "--seed",
                                      "3", "-q"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def flawed(sample, tmp_path_factory) -> Path:
    """The sample with an error (a deposit that is no number) and a warning (a deduction without date)."""
    folder = tmp_path_factory.mktemp("flawed") / "ledgers"
    shutil.copytree(sample, folder)
    book = openpyxl.load_workbook(folder / "扣分.xlsx")
    book.active.append([book.active.cell(3, 1).value, 1, "迟到", None])
    book.save(folder / "扣分.xlsx")
    book = openpyxl.load_workbook(folder / "客户清单.xlsx")
    sheet = book.worksheets[-1]
    row, column = next((c.row, c.column) for r in sheet.iter_rows() for c in r
                       if isinstance(c.value, str) and c.value.startswith("存款"))
    sheet.cell(row + 1, column).value = "12,3O0"
    book.save(folder / "客户清单.xlsx")
    return folder


@pytest.fixture(scope="module")
def written() -> list[tuple[str, Report]]:
    """Every report the writers were handed while the outputs were made, with its language."""
    return []


@pytest.fixture(scope="module")
def outputs(sample, flawed, written, tmp_path_factory) -> dict[tuple[str, str, str], Path]:
    """(command, lang, format) -> the output written; ``flawed`` is the month-end pack of the flawed sample,
    whose cover lists its problems. The reports handed to the xlsx and html writers are kept in ``written``."""
    import branchkit.io.html as html            # the writers as write_report calls them (HTML's imported there)
    import branchkit.io.output as output

    def keep(writer):
        def wrapped(report, path, options):
            written.append((options.label_lang, report))
            return writer(report, path, options)
        return wrapped

    out = tmp_path_factory.mktemp("labels_out")
    paths = {}
    runs = [(name, args, sample) for name, args in COMMANDS.items()]
    runs.append(("flawed", [*COMMANDS["report"], "--skip-invalid"], flawed))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(output, "write_xlsx", keep(output.write_xlsx))
        patch.setattr(html, "write_html", keep(html.write_html))
        for name, args, folder in runs:
            for lang in ("zh", "en"):
                for ext in ("html", "xlsx"):
                    target = out / f"{name}.{lang}.{ext}"
                    result = CliRunner().invoke(app, [*args, str(folder), "-o", str(target), "--lang", lang, "-q"])
                    assert result.exit_code == 0, (name, lang, ext, result.output)
                    paths[(name, lang, ext)] = target
    return paths


@pytest.fixture(scope="module")
def data(sample) -> "Data":
    return Data(sample)


class Data:
    """What the ledgers hold (every text cell, file and sheet name): text an output may show as it is."""

    def __init__(self, folder: Path) -> None:
        values: set[str] = {str(folder)}
        for path in folder.rglob("*"):
            values |= {path.name, path.stem, str(path)}
            if path.suffix == ".xlsx":
                for sheet, rows in xlsx_rows(path).items():
                    values.add(sheet)
                    values |= {str(v).strip() for row in rows for v in row if isinstance(v, str) and v.strip()}
            elif path.suffix == ".csv":
                values |= {c.strip() for line in path.read_text(encoding="utf-8-sig").splitlines()
                           for c in line.split(",") if c.strip()}
        self.values = values - KEYS        # last month's allocation (a csv branchkit wrote) holds keys
        self.runs = sorted({run for v in values for run in CJK.findall(v)})
        self.root = str(folder.parent)

    def holds(self, text: str) -> bool:
        """The text is a ledger value, or inside a path of the inputs."""
        return text in self.values or self.root in text

    def cjk_is_data(self, run: str) -> bool:
        """A run of Chinese text that a ledger holds (also cut short with an ellipsis, as charts do)."""
        import bisect

        i = bisect.bisect_left(self.runs, run)
        return i < len(self.runs) and self.runs[i].startswith(run)


def _code_headers() -> set[str]:
    return {column_label(c, lang) for c in CODE_COLUMNS for lang in ("zh", "en")}


def _said(path: Path) -> list[Said]:
    return html_said(path) if path.suffix == ".html" else xlsx_said(path, _code_headers())


def _leaks(said: list[Said], lang: str, data: Data) -> list[str]:
    """Keys shown to people, Chinese in English, English sentences in Chinese (outside data and codes)."""
    codes = _code_headers()
    out = []
    for item in said:
        text = item.text.strip()
        if not text or item.header in codes or data.holds(text):
            continue
        words = WORD.findall(text)
        found = [w for w in words if w in UNDERSCORED]
        if text in KEYS:
            found.append(text)
        if lang == "zh":
            found += [w for w in words if w in KEYS and not data.holds(w)]
        if found:
            out.append(f"key {sorted(set(found))} in {text[:80]!r} ({item.where})")
        if lang == "en":
            chinese = [run for run in CJK.findall(text) if not data.cjk_is_data(run.strip("…"))]
            if chinese:
                out.append(f"Chinese {chinese} in {text[:80]!r} ({item.where})")
        elif ENGLISH.search(text) and not any(data.holds(w) for w in ENGLISH.findall(text)):
            out.append(f"English {ENGLISH.search(text).group(0)!r} in {text[:80]!r} ({item.where})")
    return out


@pytest.mark.parametrize("name", [*COMMANDS, "flawed"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("ext", ["html", "xlsx"])
def test_people_read_words_not_keys(outputs, data, name, lang, ext):
    leaks = _leaks(_said(outputs[(name, lang, ext)]), lang, data)
    assert not leaks, "\n".join(leaks[:40])


def test_the_scan_finds_a_key_chinese_in_english_and_english_in_chinese(data):
    """The scanner itself: each kind of leak is caught, data and code columns are not."""
    said = [Said("high_counter", "x"), Said("来源：kept 3", "x"), Said("loan_needs_rm", "x", "原因代码"),
            Said("on_leave", "x", "岗位")]
    assert [s.split(" in ")[0] for s in _leaks(said, "zh", data)] == [
        "key ['high_counter']", "key ['kept']", "key ['on_leave']"]
    english = [Said("Tellers needed 3", "x"), Said("每个网点均达到", "x"), Said("mid", "x")]
    assert [s.split(" in ")[0] for s in _leaks(english, "en", data)] == ["Chinese ['每个网点均达到']", "key ['mid']"]
    assert _leaks([Said("the keeper left the branch today", "x")], "zh", data)
    branch = next(v for v in data.values if v.endswith("支行"))
    assert not _leaks([Said(f"{branch}: ranking by total", "x")], "en", data)


def test_the_flawed_cover_says_its_problems_in_words(outputs):
    """The problems table of the cover: the problem in words, its code apart, the example in the language."""
    from rendered import parse_html, sections

    for lang, expect in (("zh", ("不是数字", "扣分没有日期")), ("en", ("Not a number", "deduction row(s) have no date"))):
        cover = sections(parse_html(outputs[("flawed", lang, "html")]))[0]
        problems = next(t for t in cover.tables if t.headers and column_label("code", lang) in t.headers)
        codes = problems.column(column_label("code", lang))
        assert {"not_a_number", "undated_deduction"} <= set(codes)
        text = " ".join(" ".join(r) for r in problems.rows)
        assert all(e in text for e in expect), text


def test_every_column_people_read_has_a_label(outputs, written):
    """No header is a canonical column name: every column of every table written for people has a label
    in the output's language (the scan above knows only the names it was told)."""
    assert len(written) == len(outputs)
    bare = set()
    for lang, report in written:
        tables = report.tables() + [t for extra in report.all_extra_sheets() for t in _blocks(extra)]
        for table in tables:
            bare |= {(table.key, c) for c in table.frame.columns if table.label(c, lang) == c}
    assert not bare, sorted(bare)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_allocation_workbook_in_words_reads_back_as_last_months(outputs, sample, lang):
    """Roles, states and kinds in words still read: the workbook is next month's --previous."""
    result = CliRunner().invoke(app, ["validate", str(outputs[("allocate", lang, "xlsx")]), "--kind", "previous",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    problems = json.loads(result.stdout)     # forced as one kind, its other sheets may lack last month's roles
    assert {p["code"] for p in problems} <= {"column_absent"}, result.stdout[:2000]
    again = CliRunner().invoke(app, ["allocate", str(sample), "--previous", str(outputs[("allocate", lang, "xlsx")]),
                                     "--dry-run"])
    assert again.exit_code == 0, again.output
    assert "changes (0):" in again.stdout                   # the same ledgers keep every keeper


def test_csv_keeps_the_keys(sample, tmp_path):
    """The machine contract is untouched: csv carries role, state and basis keys."""
    target = tmp_path / "score.csv"
    result = CliRunner().invoke(app, ["score", "--month", MONTH, str(sample), "-o", str(target), "-q"])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "corporate_rm" in text and "对公客户经理" not in text


def _blocks(extra) -> list:
    """The tables of an extra sheet: a table, a sheet's blocks, or a ledger book's parts."""
    if isinstance(extra, Sheet):
        return list(extra.blocks)
    if isinstance(extra, Book):
        return [part.table for part in extra.parts]
    return [extra]
