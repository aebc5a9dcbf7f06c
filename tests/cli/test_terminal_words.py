"""The terminal speaks English words, not keys, where it names roles, states, tiers or reasons (issue 15).

Problem codes stay on the terminal on purpose (one line per code, SPEC "Outputs"); roles, staff
states, tiers and allocation reasons are said in words: the allocate summary and --dry-run changes,
the staff summary and shortfalls, the score ranking and --explain.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from branchkit.cli import app
from branchkit.core.reasons import REASONS
from branchkit.labels import VALUES

#: Keys that would be a leak on a terminal: the ones no English sentence uses as a word.
KEYS = {k for scheme in ("role", "state", "tier", "retail_tier") for k in VALUES[scheme] if "_" in k} | set(REASONS)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("terminal") / "ledgers"
    result = CliRunner().invoke(app, ["sample", str(folder), "--branches", "2", "--customers", "300", "--seed",
                                      "4", "-q"])
    assert result.exit_code == 0, result.output
    return folder


def _run(*args: object):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code in (0, 1), result.output
    return result.stdout + result.stderr


def _keys(text: str) -> set[str]:
    return set(re.findall(r"[a-z][a-z_]*", text)) & KEYS


def test_allocate_summary_and_changes_use_words(sample):
    text = _run("allocate", sample, "--dry-run")
    assert "changes (" in text and "weighted load per role" in text
    assert "Retail RM:" in text or "Corporate RM:" in text          # a role named in words
    assert not _keys(text), _keys(text)


def test_staff_summary_uses_words(sample):
    text = _run("staff", sample)
    assert "branch)" in text                                        # e.g. (General branch)
    assert not _keys(text), _keys(text)


def test_score_ranking_and_explain_use_words(sample, tmp_path):
    ranking = _run("score", "--month", "2026-10", sample)
    assert not _keys(ranking), _keys(ranking)
    staff_id = re.search(r"\s(\d{6})\s", ranking).group(1)
    explained = _run("score", "--month", "2026-10", sample, "--explain", staff_id, "--lang", "en")
    assert not _keys(explained), _keys(explained)
