"""Output edges the mutation run found unguarded: CSV cells starting with ``-`` or ``@`` (and the other
formula starts, one by one), and the file mode the atomic write leaves (``io.output._set_mode``: a new
file gets the usual mode for the umask, not mkstemp's 0600; a rewritten file keeps its mode)."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from branchkit.io.output import WriteOptions, write_report
from branchkit.io.tables import Report, Section, Table

STARTS = ["=1+2", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"]


def _report(names: list[str]) -> Report:
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(len(names))], "name": names,
                          "deposit": [-20.0] * len(names)})
    table = Table("customers", frame, "客户", "Customers")
    return Report("测试", "Test", [Section("客户", "Customers", [table])], primary="customers")


def _names(path) -> list[str]:
    return pd.read_csv(path, dtype=str, keep_default_na=False)["name"].tolist()


@pytest.mark.parametrize("text", STARTS)
def test_each_formula_start_is_neutralised_in_csv(tmp_path, text):
    path = tmp_path / "o.csv"
    write_report(str(path), _report([text, "a-b", "x@y"]), WriteOptions())
    assert _names(path) == ["'" + text, "a-b", "x@y"]        # only a leading character is risky


@pytest.mark.parametrize("text", STARTS)
def test_raw_csv_keeps_every_start(tmp_path, text):
    path = tmp_path / "o.csv"
    write_report(str(path), _report([text]), WriteOptions(raw_csv=True))
    assert _names(path) == [text]


def test_negative_amounts_are_numbers_not_neutralised_text(tmp_path):
    path = tmp_path / "o.csv"
    write_report(str(path), _report(["-1"]), WriteOptions())
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert frame["deposit"].tolist() == ["-20.00"] and frame["name"].tolist() == ["'-1"]


@pytest.fixture
def umask():
    """Set the process umask for a test, and put the old one back."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
@pytest.mark.parametrize("name", ["o.csv", "o.json", "o.xlsx", "o.html"])
def test_a_new_output_gets_the_usual_mode_for_the_umask(tmp_path, umask, mask, mode, name):
    umask(mask)
    path = tmp_path / name
    write_report(str(path), _report(["a"]), WriteOptions())
    assert stat.S_IMODE(path.stat().st_mode) == mode


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o664])
def test_a_rewritten_output_keeps_its_mode(tmp_path, umask, mode):
    umask(0o022)
    path = tmp_path / "o.csv"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(mode)
    write_report(str(path), _report(["new"]), WriteOptions())
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert _names(path) == ["new"]
    assert [p.name for p in tmp_path.iterdir()] == ["o.csv"]          # no temporary file left beside it
