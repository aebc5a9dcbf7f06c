"""What a run prints on a terminal and what a batch script gets: one line per kind of problem, the
details on --verbose, words for severities, progress that never shows 0/?, --summary JSON, help."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from branchkit import console
from branchkit.cli import app
from branchkit.problems import Problem, ProblemLog

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
COMMANDS = ["validate", "allocate", "staff", "plan", "score", "report", "init", "rules", "sample"]


def _log(count: int, code: str = "unknown_customer", severity: str = "warning") -> ProblemLog:
    log = ProblemLog()
    log.extend(Problem(code=code, message=f"no customer {i:03d}", file="上月分配.csv", row=i + 2,
                       column="customer_id", value=f"{i:03d}", severity=severity) for i in range(count))
    return log


def test_problems_are_one_line_per_code_with_the_count_and_the_first(capsys) -> None:
    log = _log(15)
    log.merge(_log(2, code="ambiguous_staff", severity="error"))
    console.print_problems(log)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("error: ambiguous_staff (2 times; the first: 上月分配.csv row 2")   # errors first
    assert lines[1] == ("warning: unknown_customer (15 times; the first: 上月分配.csv row 2 column customer_id "
                        "value '000': no customer 000)")
    assert "--verbose lists every problem" in lines[2] and len(lines) == 3


def test_verbose_lists_every_problem_and_quiet_only_the_errors(capsys) -> None:
    log = _log(15)
    console.print_problems(log, verbose=True)
    assert len(capsys.readouterr().err.splitlines()) == 15
    console.print_problems(log, quiet=True)
    assert capsys.readouterr().err == ""


def test_one_problem_of_a_kind_is_shown_whole(capsys) -> None:
    console.print_problems(_log(1))
    assert capsys.readouterr().err.splitlines() == [
        "warning: unknown_customer: 上月分配.csv row 2 column customer_id value '000': no customer 000"]


def test_a_clean_run_of_the_sample_is_short(runner, tmp_path) -> None:
    result = runner.invoke(app, ["report", "--month", "2026-10", str(SAMPLE), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert len(lines) <= 8, lines
    assert not any("skipped sheet" in line for line in lines)
    assert sum("unknown_customer" in line or "lost_customers" in line for line in lines) <= 1
    assert any(line.startswith(f"wrote {tmp_path / 'r.html'}") for line in lines)
    verbose = runner.invoke(app, ["report", "--month", "2026-10", str(SAMPLE), "-o", str(tmp_path / "r.html"),
                                  "--verbose"]).stderr
    assert "customers: read 3000" in verbose and "total: read" in verbose


def test_passed_over_sheets_are_named_only_with_verbose(runner) -> None:
    quiet = runner.invoke(app, ["allocate", str(SAMPLE)])
    loud = runner.invoke(app, ["allocate", str(SAMPLE), "--verbose"])
    assert quiet.exit_code == loud.exit_code == 0
    assert "skipped sheet" not in quiet.stderr
    assert "skipped sheet 杨轩强 (a plan ledger is not used by this command)" in loud.stderr


def test_severity_is_a_word_without_colour(capsys, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    console.print_problems(_log(1, severity="error"))
    err = capsys.readouterr().err
    assert err.startswith("error: unknown_customer") and "\x1b[" not in err


def test_the_progress_line_counts_only_what_it_knows() -> None:
    from rich.progress import Progress

    count = console._count_column()
    with Progress() as progress:
        progress.add_task("reading", total=None)
        progress.add_task("writing", total=12, completed=5)
        unknown, known = progress.tasks
        assert count.render(unknown).plain == "" and count.render(known).plain == "5/12"


@pytest.mark.parametrize("encoding, spinner", [("utf-8", "dots"), ("gbk", "line"), ("ascii", "line")])
def test_the_spinner_falls_back_to_ascii_where_the_console_cannot_draw_it(encoding, spinner) -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding=encoding)
    assert console._spinner(Console(file=stream)) == spinner


def test_messages_go_through_the_progress_console_while_it_is_shown(monkeypatch) -> None:
    monkeypatch.setattr(console, "is_terminal", lambda: True)
    activity = console.Activity(quiet=False, delay=3600)
    with activity:
        assert console.err_console() is activity._progress.console      # rich prints above the line
    assert console._ACTIVE is None


def test_summary_json_has_the_run_the_problems_and_the_outputs(runner, tmp_path) -> None:
    out, summary = tmp_path / "a.csv", tmp_path / "run.json"
    result = runner.invoke(app, ["allocate", str(SAMPLE), "-o", str(out), "--summary", str(summary), "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["command"] == "allocate" and data["exit_status"] == 0 and data["error"] is None
    assert data["outputs"] == [str(out)]
    customers = next(row for row in data["ledgers"] if row["ledger"] == "customers")
    assert customers["read"] == customers["used"] + customers["rejected"] == 3000
    assert data["totals"]["read"] == sum(row["read"] for row in data["ledgers"])
    codes = {p["code"]: p for p in data["problems"]}
    assert set(codes) <= {"unknown_customer", "lost_customers"} and all(p["severity"] == "warning"
                                                                          for p in codes.values())


def test_summary_is_written_when_the_run_fails(runner, tmp_path) -> None:
    bad = tmp_path / "客户清单.csv"
    bad.write_text("客户号,客户名称,客户类型\n1,甲,对公\n1,乙,火星\n", encoding="utf-8")
    summary = tmp_path / "run.json"
    result = runner.invoke(app, ["validate", str(bad), "-o", str(tmp_path / "x.csv"), "--summary", str(summary)])
    assert result.exit_code == 1
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["exit_status"] == 1 and "nothing was written" in data["error"]
    assert data["outputs"] == [] and {"duplicate_id"} <= {p["code"] for p in data["problems"]}


def test_summary_on_stdout_and_its_conflicts(runner, tmp_path) -> None:
    result = runner.invoke(app, ["staff", str(SAMPLE), "--summary", "-", "-q"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["command"] == "staff"
    clash = runner.invoke(app, ["staff", str(SAMPLE), "--summary", "-", "-o", "-"])
    assert clash.exit_code == 2 and "stdout" in clash.stderr
    inside = runner.invoke(app, ["staff", str(SAMPLE), "--summary", str(SAMPLE / "员工.xlsx")])
    assert inside.exit_code == 2


@pytest.mark.parametrize("command", COMMANDS)
def test_help_names_its_values_not_python_types_and_cites_no_unshipped_document(runner, command) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for word in ("<list[", "<str>", "<int", "<path>", "<file>", "<dir>", "DOMAIN", "SPEC"):
        assert word not in result.stdout, (command, word)
    assert "Example:" in result.stdout


def test_shell_completion_is_offered(runner) -> None:
    result = runner.invoke(app, ["--help"])
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


def test_a_closed_stderr_never_costs_the_output(tmp_path) -> None:
    """``branchkit allocate ... 2>&1 | head -1``: the output is written first, and a stderr that is gone is
    not an error."""
    out = tmp_path / "a.csv"
    script = Path(sys.executable).with_name("branchkit")
    command = f"'{script}' allocate '{SAMPLE}' -o '{out}' 2>&1 | head -1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "80"})
    assert out.exists() and out.stat().st_size > 0
    assert result.returncode == 0, result.stderr


def test_rich_is_imported_by_the_first_line_printed_and_not_before() -> None:
    code = (
        "import sys\n"
        "from branchkit import console\n"
        "import branchkit.cli\n"
        "loaded = lambda: sorted(m for m in sys.modules if m == 'rich' or m.startswith('rich.'))\n"
        "assert not loaded(), loaded()\n"
        "console.print_note('quiet [b]', quiet=True)\n"
        "assert not loaded(), loaded()\n"
        "console.print_note('shown [b]')\n"
        "assert 'rich.console' in loaded() and 'rich.progress' not in loaded(), loaded()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == "shown [b]\n"
