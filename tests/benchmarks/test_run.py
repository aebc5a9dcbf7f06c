"""benchmarks/run.py: its helpers, argument parsing and table; nothing is timed here."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

RUN_PY = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("benchmarks_run", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module        # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_median_and_sizes(bench) -> None:
    assert bench.median([3.0, 1.0, 2.0]) == 2.0
    assert bench.median([4.0, 1.0, 2.0, 3.0]) == 2.5
    assert bench.human_bytes(None) == "-"
    assert bench.human_bytes(512 * 1024) == "512 KB"
    assert bench.human_bytes(300 * 1024 ** 2) == "300.00 MB"
    assert bench.human_bytes(5 * 1024 ** 3) == "5.00 GB"


def test_arguments_full_quick_and_overrides(bench) -> None:
    full = bench.make_plan(bench.parse_args([]))
    assert full.sizes == (100_000, 1_048_575) and full.csv_customers == 1_000_000 and full.runs == 3
    assert (full.network_branches, full.network_staff) == (200, 10_000)
    quick = bench.make_plan(bench.parse_args(["--quick"]))
    assert quick.sizes == (20_000,) and quick.runs == 2 and quick.network_staff is None
    args = bench.parse_args(["--quick", "--sizes", "5000", "8000", "--runs", "4", "--network", "10:auto",
                             "--workdir", "/tmp/x", "--keep", "--json", "out.json"])
    plan = bench.make_plan(args)
    assert plan.sizes == (5000, 8000) and plan.runs == 4 and (plan.network_branches, plan.network_staff) == (10, None)
    assert args.keep and args.workdir == Path("/tmp/x") and args.json == Path("out.json")
    assert bench.parse_network("200:10000") == (200, 10_000)
    for bad in (["--runs", "0"], ["--network", "200"], ["--network", "a:b"], ["--sizes"]):
        with pytest.raises(SystemExit):
            bench.parse_args(bad)


def test_markdown_table_aligns_numbers_right(bench) -> None:
    text = bench.markdown_table(["command", "median s", "peak"],
                                [["allocate", "12.50", "1.20 GB"], ["staff", "3.00", "-"]])
    lines = text.splitlines()
    assert lines[0] == "| command  | median s |    peak |"
    assert lines[1] == "|----------|---------:|--------:|"
    assert lines[2] == "| allocate |    12.50 | 1.20 GB |"
    assert len({len(line) for line in lines}) == 1


def test_command_detection(bench) -> None:
    plain = "Commands:\n  validate  Read ledgers...\n  report    The month-end pack\n"
    boxed = "╭─ Commands ─╮\n│ score   Monthly scorecards │\n│ report  The pack │\n"
    assert bench.listed("report", plain) and bench.listed("report", boxed)
    assert not bench.listed("report", "Commands:\n  validate  report problems\n  reports  x\n")


def test_verdicts(bench) -> None:
    assert bench.verdict(0.4, 0.5, at_most=True) == "PASS"
    assert bench.verdict(0.6, 0.5, at_most=True) == "FAIL"
    assert bench.verdict(120_000, 100_000, at_most=False) == "PASS"
    assert bench.verdict(None, 1.6, at_most=False) == "n/a"


def fake(bench, key: str, runs: list[float], items: int | None = None, peak: int = 100 * 1024 ** 2):
    return bench.Measurement(key, key, "input", ["x"], runs=runs, peaks=[peak] * len(runs), items=items)


def test_targets_and_table(bench) -> None:
    plan = bench.make_plan(bench.parse_args(["--sizes", "1000", "--csv-customers", "2000"]))
    result = {"measurements": [fake(bench, "allocate_xlsx_1000", [4.0, 2.0, 3.0], 1000, peak=5 * 1024 ** 3),
                               fake(bench, "allocate_xlsx_csv_1000", [1.0, 1.0, 1.0], 1000),
                               fake(bench, "openpyxl_read_1000", [10.0, 10.0, 10.0], 1000),
                               fake(bench, "openpyxl_write_1000", [4.0, 4.0, 4.0], 1000),
                               fake(bench, "allocate_csv_2000", [0.01, 0.01, 0.01], 2000),
                               fake(bench, "report_jobs1", [10.0, 10.0, 10.0]),
                               fake(bench, "report_jobs2", [5.0, 5.0, 5.0])],
              "notes": [], "report_identical": True}
    goals = {g["target"].split(",")[0]: g for g in bench.targets(plan, result)}
    assert goals["allocate xlsx end to end / openpyxl read"]["measured"] == "0.30"
    assert goals["allocate xlsx end to end / openpyxl read"]["result"] == "PASS"
    assert goals["CSV -> CSV allocate"]["result"] == "PASS"
    assert goals["report --jobs 1 / --jobs 2"]["measured"] == "2.00x"
    assert goals["report --jobs 1 / --jobs 2"]["result"] == "PASS"
    assert goals["peak memory"]["result"] == "FAIL"
    result["report_identical"] = False
    report = [g for g in bench.targets(plan, result) if g["target"].startswith("report")][0]
    assert report["result"] == "FAIL (outputs differ)"
    info = {"cpu": "CPU", "cores": "2", "ram": "24 GB", "os": "Linux", "python": "3.11", "pandas": "3",
            "openpyxl": "3.1", "python-calamine": "0.9", "xlsxwriter": "3.3", "branchkit": "0.1.0"}
    text = bench.render(info, plan, result, bench.targets(plan, result), quick=False)
    assert "Machine: CPU, 2 cores, 24 GB RAM" in text
    assert "|     3.00 |" in text and "0.30" in text and "FAIL (outputs differ)" in text


def test_missing_report_and_failed_command(bench) -> None:
    plan = bench.make_plan(bench.parse_args(["--quick"]))
    failed = fake(bench, "allocate_xlsx_20000", [])
    failed.error = "exit 1: boom"
    result = {"measurements": [failed], "notes": ["report (...): report not built"]}
    goals = bench.targets(plan, result)
    report = [g for g in goals if g["target"].startswith("report")][0]
    assert report["measured"] == "report not built" and report["result"] == "n/a"
    text = bench.render({"cpu": "c", "cores": "2", "ram": "r", "os": "o", "python": "p", "pandas": "p",
                         "openpyxl": "o", "python-calamine": "c", "xlsxwriter": "x", "branchkit": "b"},
                        plan, result, goals, quick=True)
    assert "FAILED" in text and "exit 1: boom" in text and "report not built" in text and "--quick" in text


def test_generated_inputs_are_reused(bench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = bench.make_plan(bench.parse_args(["--quick"]))
    name = "xlsx-c20000-b20-sauto-seed7-2026-10"
    folder = tmp_path / "inputs" / name
    folder.mkdir(parents=True)
    params = {"customers": 20000, "branches": 20, "format": "xlsx", "staff": None, "seed": 7, "month": "2026-10"}
    (folder / "benchmark-params.json").write_text(json.dumps(params))

    def refuse(*args, **kwargs):
        raise AssertionError("generated again")

    monkeypatch.setattr(bench.subprocess, "run", refuse)
    assert bench.sample_dir(tmp_path, 20000, 20, "xlsx", None, plan) == folder
    with pytest.raises(AssertionError, match="generated again"):
        bench.sample_dir(tmp_path, 30000, 20, "xlsx", None, plan)


def test_wrapper_reports_time_and_memory(bench, tmp_path: Path) -> None:
    report, stdout, stderr = bench.run_once([sys.executable, "-c", "print('hi')"], tmp_path)
    assert report["returncode"] == 0 and report["seconds"] > 0 and report["peak_bytes"] > 1024 ** 2
    assert stdout.strip() == "hi"
