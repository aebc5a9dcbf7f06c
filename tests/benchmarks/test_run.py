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
    assert full.sizes == (200_000, 1_048_575) and full.csv_customers == 1_000_000 and full.runs == 3
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


def test_verdicts(bench) -> None:
    assert bench.verdict(0.4, 0.5, at_most=True) == "PASS"
    assert bench.verdict(0.6, 0.5, at_most=True) == "FAIL"
    assert bench.verdict(120_000, 100_000, at_most=False) == "PASS"
    assert bench.verdict(None, 1.6, at_most=False) == "n/a"


def fake(bench, key: str, runs: list[float], items: int | None = None, peak: int = 100 * 1024 ** 2):
    return bench.Measurement(key, key, "input", ["x"], runs=runs, peaks=[peak] * len(runs), items=items)


def test_targets_at_under_and_over_each_goal(bench) -> None:
    plan = bench.make_plan(bench.parse_args(["--sizes", "200000", "1048575", "--csv-customers", "2000"]))
    mb = 1024 ** 2
    result = {"measurements": [
        # 200,000 rows: 2.5 s / 10 s = 0.25 exactly (a pass), peak just under 600 MB
        fake(bench, "allocate_xlsx_200000", [2.5, 2.0, 3.0], 200_000, peak=600 * mb - 1),
        fake(bench, "openpyxl_read_200000", [10.0, 10.0, 10.0], 200_000),
        # 1,048,575 rows: 2.6 / 10 just over 0.25, peak exactly 2 GB (the goal is under)
        fake(bench, "allocate_xlsx_1048575", [2.6, 2.6, 2.6], 1_048_575, peak=2 * 1024 ** 3),
        fake(bench, "openpyxl_read_1048575", [10.0, 10.0, 10.0], 1_048_575),
        fake(bench, "allocate_csv_2000", [3.0, 3.0, 3.0], 2000, peak=1024 ** 3 - 1),
        fake(bench, "pyarrow_csv_2000", [1.0, 1.0, 1.0], 2000),
        fake(bench, "openpyxl_read_network", [20.0, 20.0, 20.0]),
        fake(bench, "report_jobs1", [10.0, 10.0, 10.0]),
        fake(bench, "report_jobs2", [10 / 1.7, 10 / 1.7, 10 / 1.7])],
        "notes": [], "report_identical": True}
    goals = {g["target"]: g for g in bench.targets(plan, result)}
    assert goals["allocate xlsx -> xlsx / openpyxl read, 200,000 rows"]["measured"] == "0.25"
    assert goals["allocate xlsx -> xlsx / openpyxl read, 200,000 rows"]["result"] == "PASS"
    assert goals["allocate xlsx -> xlsx / openpyxl read, 1,048,575 rows"]["result"] == "FAIL"
    assert goals["peak memory, allocate xlsx 200,000 rows"]["result"] == "PASS"
    assert goals["peak memory, allocate xlsx 200,000 rows"]["goal"] == "< 600 MB"
    assert goals["peak memory, allocate xlsx 1,048,575 rows"]["result"] == "FAIL"
    assert goals["peak memory, allocate xlsx 1,048,575 rows"]["goal"] == "< 2 GB"
    assert goals["allocate csv -> csv / pyarrow read + write, 2,000 customers"]["measured"] == "3.00x"
    assert goals["allocate csv -> csv / pyarrow read + write, 2,000 customers"]["result"] == "PASS"
    assert goals["peak memory, allocate csv 2,000 customers"]["result"] == "PASS"
    assert goals["report --jobs 1 / naive read of its ledgers, 200 branches"]["measured"] == "0.50"
    assert goals["report --jobs 1 / naive read of its ledgers, 200 branches"]["result"] == "PASS"
    assert goals["report --jobs 1 / --jobs 2, 200 branches"]["result"] == "PASS"
    result["measurements"][-1] = fake(bench, "report_jobs2", [6.0, 6.0, 6.0])       # 1.67x: under 1.7
    assert [g for g in bench.targets(plan, result) if "--jobs 2" in g["target"]][0]["result"] == "FAIL"
    result["measurements"][-1] = fake(bench, "report_jobs2", [5.0, 5.0, 5.0])
    result["report_identical"] = False
    report = [g for g in bench.targets(plan, result) if "--jobs 2" in g["target"]][0]
    assert report["result"] == "FAIL (outputs differ)"
    info = {"cpu": "CPU", "cores": "2", "ram": "24 GB", "os": "Linux", "python": "3.11", "pandas": "3",
            "openpyxl": "3.1", "python-calamine": "0.9", "xlsxwriter": "not installed", "branchkit": "0.1.0",
            "commit": "abc1234-dirty", "load": "0.5 0.4 0.3", "load_end": "1.9 1.2 0.8",
            "started": "2026-12-06 12:00 UTC", "finished": "2026-12-06 13:00 UTC"}
    text = bench.render(info, plan, result, bench.targets(plan, result), quick=False)
    assert "Machine: CPU, 2 cores, 24 GB RAM" in text and "xlsxwriter" not in text
    assert "at abc1234-dirty" in text and "at start 0.5 0.4 0.3, at end 1.9 1.2 0.8" in text
    assert "|     2.50 |" in text and "FAIL (outputs differ)" in text


def test_a_saved_run_renders_as_it_printed(bench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    measured = iter([2.0, 10.0])

    def run(plan, workdir, keep):
        return {"measurements": [fake(bench, "allocate_xlsx_1000", [next(measured)], 1000),
                                 fake(bench, "openpyxl_read_1000", [next(measured)], 1000)],
                "notes": ["a note"], "report_identical": None}

    monkeypatch.setattr(bench, "run", run)
    saved = tmp_path / "run.json"
    assert bench.main(["--sizes", "1000", "--json", str(saved)]) == 0
    printed = capsys.readouterr().out
    assert bench.main(["--render", str(saved)]) == 0
    assert capsys.readouterr().out == printed
    assert "0.20" in printed and "- a note" in printed


def test_a_failed_command_shows_and_its_targets_are_not_measured(bench) -> None:
    plan = bench.make_plan(bench.parse_args(["--quick"]))
    failed = fake(bench, "allocate_xlsx_20000", [])
    failed.error = "exit 1: boom"
    result = {"measurements": [failed, fake(bench, "openpyxl_read_20000", [1.0], 20000)], "notes": []}
    goals = bench.targets(plan, result)
    ratio = [g for g in goals if g["target"].startswith("allocate xlsx")][0]
    assert ratio["measured"] == "-" and ratio["result"] == "n/a"
    text = bench.render({"cpu": "c", "cores": "2", "ram": "r", "os": "o", "python": "p", "pandas": "p",
                         "openpyxl": "o", "python-calamine": "c", "branchkit": "b"}, plan, result, goals, quick=True)
    assert "FAILED" in text and "exit 1: boom" in text and "--quick" in text


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


def test_branchkit_is_compiled_before_timing(bench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Timed commands import branchkit from bytecode, as an installed package does: compile_branchkit
    writes each module's cached bytecode (here into a copy of the package, so the checkout is left alone)."""
    import shutil

    import branchkit

    copy = tmp_path / "branchkit"
    shutil.copytree(Path(branchkit.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(branchkit, "__file__", str(copy / "__init__.py"))
    cached = Path(importlib.util.cache_from_source(str(copy / "io" / "workbook.py")))
    assert not cached.exists()
    bench.compile_branchkit()
    assert cached.is_file()
    assert Path(importlib.util.cache_from_source(str(copy / "cli" / "__init__.py"))).is_file()
