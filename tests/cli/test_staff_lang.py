"""``--lang`` changes what people read, not the machine contract: ``staff`` json is the same whatever the
language, and a ``--lang zh`` csv differs only in its headers (and BOM); a language not known is a usage error."""

from __future__ import annotations

import csv
import json

import pytest

from branchkit.cli import app
from tests.cli.test_staff_cmd import staff_book, volumes_book


@pytest.fixture
def ledgers(tmp_path):
    return ["--volumes", str(volumes_book(tmp_path / "业务量.xlsx")), "--staff", str(staff_book(tmp_path / "员工.xlsx"))]


def _write(runner, ledgers, target, *extra: str) -> None:
    result = runner.invoke(app, ["staff", *ledgers, "-o", str(target), *extra, "-q"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("by", ["branch", "hour"])
def test_json_is_the_same_in_every_language(runner, ledgers, tmp_path, by):
    for lang in ("", "zh", "en"):
        _write(runner, ledgers, tmp_path / f"s{lang}.json", "--by", by, *(["--lang", lang] if lang else []))
    plain = (tmp_path / "s.json").read_bytes()
    assert (tmp_path / "szh.json").read_bytes() == plain == (tmp_path / "sen.json").read_bytes()
    if by == "branch":
        first = json.loads(plain)[0]
        assert first["branch_type"] == "medium"
        assert first["cash_requirement"].isascii() and first["minimum_shortfall"].isascii()


def test_a_chinese_csv_changes_only_its_headers(runner, ledgers, tmp_path):
    _write(runner, ledgers, tmp_path / "s.csv")
    _write(runner, ledgers, tmp_path / "szh.csv", "--lang", "zh")
    plain = (tmp_path / "s.csv").read_text(encoding="utf-8").splitlines()
    chinese = (tmp_path / "szh.csv").read_bytes()
    assert chinese.startswith(b"\xef\xbb\xbf")
    lines = chinese.decode("utf-8-sig").splitlines()
    assert lines[1:] == plain[1:]
    assert lines[0].split(",")[:2] == ["网点", "网点类型"] and plain[0].split(",")[:2] == ["branch", "branch_type"]
    with open(tmp_path / "szh.csv", encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert (row["网点类型"], row["达到最低配置"]) == ("medium", "false")


@pytest.mark.parametrize("value", ["fr", "ZH", ""])
def test_an_unknown_language_is_a_plain_usage_error(runner, ledgers, tmp_path, value):
    result = runner.invoke(app, ["staff", *ledgers, "-o", str(tmp_path / "s.csv"), "--lang", value])
    assert result.exit_code == 2
    assert "--lang must be zh or en" in result.stderr
    assert "Value error" not in result.output + result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "s.csv").exists()
