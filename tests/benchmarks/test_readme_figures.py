"""The README's performance figures are the saved run they name, rendered by benchmarks/run.py."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BEGIN, END = "<!-- benchmarks:begin -->", "<!-- benchmarks:end -->"


def _bench():
    spec = importlib.util.spec_from_file_location("benchmarks_run_readme", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_the_readme_table_is_the_committed_run_rendered() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    named = re.findall(r"tables below are `python benchmarks/run\.py --render (benchmarks/results/[\w.-]+\.json)`", readme)
    assert named, "the README names the saved run its table comes from"
    saved = ROOT / named[0]
    assert saved.is_file()
    bench = _bench()
    info, plan, result, goals, quick = bench.load(saved)
    assert block == bench.render(info, plan, result, goals, quick).strip()
    assert not quick and "commit" in info and "load" in info and "load_end" in info
