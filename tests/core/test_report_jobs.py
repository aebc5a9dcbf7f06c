"""``month_pack`` with ``jobs`` > 1 computes the parts but the scoring in a worker while this process scores
the month: the pack is the one ``jobs=1`` gives, its omissions, notes and problems in the same order, a
blocked or refused scoring and a part refused in the worker included."""

from __future__ import annotations

import pandas as pd
import pytest

import branchkit.core.report as core_report
from branchkit.core.report import month_pack
from branchkit.errors import DataError
from branchkit.parallel import can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="the scoring runs apart only where processes fork")


def _same(one, two) -> None:
    assert [(o.part, o.ledgers, o.problems) for o in one.omitted] == [(o.part, o.ledgers, o.problems)
                                                                     for o in two.omitted]
    assert one.notes == two.notes
    assert [p.note() for p in one.problems] == [p.note() for p in two.problems]
    assert (one.score is None) == (two.score is None)
    if one.score is not None:
        for name in ("summary", "lines", "pools", "piece_pay", "evidence", "ignored"):
            pd.testing.assert_frame_equal(getattr(one.score, name), getattr(two.score, name))
    pd.testing.assert_frame_equal(one.allocation.allocation, two.allocation.allocation)


def test_two_jobs_give_the_pack_of_one(city, city_rules):
    pool = city["pool"]
    stray = pd.concat([pool, pool.assign(branch="城外支行", _row=4, _rid=1)], ignore_index=True)
    frames = {**city, "pool": stray.astype({"branch": "str"})}     # a warning the scoring finds
    steps: dict[int, list[str]] = {1: [], 2: []}
    one = month_pack(frames, "2026-10", city_rules, jobs=1, progress=steps[1].append)
    two = month_pack(frames, "2026-10", city_rules, jobs=2, progress=steps[2].append)
    assert one.score is not None and len(one.score.summary) == 8
    assert [p.code for p in two.problems] == ["unknown_pool_branch"]
    _same(one, two)
    assert steps[1] == ["allocation", "plan", "score"]        # (the small branch has no volumes: no staffing)
    assert steps[2] == ["allocation, plan, score"]            # the parts at once, apart


def test_a_scoring_blocked_by_a_missing_ledger_is_listed_in_its_place(city, city_rules):
    frames = {k: v for k, v in city.items() if k != "pool"}
    one = month_pack(frames, "2026-10", city_rules, jobs=1)
    two = month_pack(frames, "2026-10", city_rules, jobs=2)
    assert [o.part for o in two.omitted][-1] == "score" and two.omitted[-1].ledgers == ("pool",)
    _same(one, two)


def test_a_scoring_refused_is_left_out_with_its_message(city, city_rules, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise DataError("the month's sales name no branch", hint="fill the branch column")

    monkeypatch.setattr(core_report, "score_month", refuse)
    frames = {k: v for k, v in city.items() if k not in ("volumes", "volumes_hourly")}
    one = month_pack(frames, "2026-10", city_rules, jobs=1)
    two = month_pack(frames, "2026-10", city_rules, jobs=2)
    assert two.score is None
    assert [o.part for o in two.omitted] == [o.part for o in one.omitted]
    assert two.omitted[-1].problems == ("the month's sales name no branch (fill the branch column)",)
    _same(one, two)


def test_a_part_refused_in_the_worker_is_left_out_in_its_place(city, city_rules, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise DataError("no customer has a branch", hint="fill the branch column")

    monkeypatch.setattr(core_report, "allocate", refuse)          # before the worker forks: it refuses there
    one = month_pack(city, "2026-10", city_rules, jobs=1)
    two = month_pack(city, "2026-10", city_rules, jobs=2)
    assert two.allocation is None and two.score is not None
    refused = [o for o in two.omitted if o.problems]
    assert [o.part for o in refused] == ["allocation"]
    assert refused[0].problems == ("no customer has a branch (fill the branch column)",)
    assert [(o.part, o.ledgers, o.problems) for o in one.omitted] == [(o.part, o.ledgers, o.problems)
                                                                     for o in two.omitted]
    assert one.notes == two.notes


@pytest.mark.skipif((__import__("os").cpu_count() or 1) < 2, reason="one core: the parts run in this process")
@pytest.mark.parametrize(("jobs", "parts", "apart"), [(1, 1, False), (2, 1, True), (3, 2, True)])
def test_the_worker_is_one_of_the_jobs_its_parts_share_the_rest(city, city_rules, monkeypatch, tmp_path,
                                                                jobs, parts, apart):
    seen = tmp_path / "seen"                         # written where the allocation runs (the worker, apart)

    def recording(*args, **kwargs):
        seen.write_text(f"{kwargs['jobs']} {__import__('os').getpid()}")
        return allocate(*args, **kwargs)

    allocate = core_report.allocate
    monkeypatch.setattr(core_report, "allocate", recording)
    pack = month_pack(city, "2026-10", city_rules, jobs=jobs)
    given, pid = seen.read_text().split()
    assert int(given) == parts and (int(pid) != __import__("os").getpid()) == apart
    assert pack.score is not None and pack.allocation is not None


def test_while_the_worker_computes_the_scorings_tables_are_cut_as_the_report_cuts_them(city, city_rules):
    """``_while_waiting``: with the worker busy, the scoring's tables are cut by branch (kept with the very
    frames the pack's score holds: ``cut_by_branch`` then finds them cut, and every branch's rows are a
    fresh pack's); with the worker done, nothing is cut."""
    from branchkit.core.report import _scored, _while_waiting

    fresh = month_pack(city, "2026-10", city_rules)
    for busy in (False, True):
        pack = month_pack(city, "2026-10", city_rules)
        outcome = _scored(city, pack.month, city_rules)
        _while_waiting(pack, outcome, busy=busy)
        assert bool(pack._cuts) is busy
        if busy:
            early = set(pack._cuts)
            assert {key[0] for key in early} >= {id(outcome[1].summary), id(outcome[1].pools)}
            pack.score = outcome[1]
            for name in pack.branches:
                cut, own = pack.branch(name).score, fresh.branch(name).score
                for table in ("summary", "pools", "lines", "evidence", "ignored", "pieces"):
                    pd.testing.assert_frame_equal(getattr(cut, table), getattr(own, table))
            assert early <= set(pack._cuts)


def test_a_scoring_blocked_or_with_errors_is_not_cut(city, city_rules):
    from dataclasses import replace

    from branchkit.core.report import _scored, _while_waiting
    from branchkit.problems import Problem

    pack = month_pack(city, "2026-10", city_rules)
    _while_waiting(pack, ("blocked", [Problem.of("no_pool", kind="pool", branch="甲")]), busy=True)
    assert pack._cuts == {}
    kind, result = _scored(city, pack.month, city_rules)
    failed = replace(result, problems=[Problem.of("no_pool", kind="pool", branch="甲")])
    assert failed.errors
    _while_waiting(pack, (kind, failed), busy=True)
    assert pack._cuts == {}


def test_a_format_without_branch_pages_lets_the_cuts_go_and_html_keeps_them(city, city_rules):
    from branchkit.core.report import _scored, _while_waiting
    from branchkit.views.report import Quality, month_report

    quality = Quality(pd.DataFrame({"ledger": ["customers"], "files": [1], "read": [1], "used": [1],
                                    "rejected": [0], "totals_rows": [0]}),
                      pd.DataFrame({c: [] for c in ["ledger", "code", "severity", "count", "example", "column",
                                                    "value", "params"]}))
    for fmt, kept in (("csv", False), ("json", False), ("xlsx", False), ("html", True)):
        pack = month_pack(city, "2026-10", city_rules)
        _while_waiting(pack, _scored(city, pack.month, city_rules), busy=True)
        early = set(pack._cuts)
        month_report(pack, city_rules, quality, fmt=fmt)
        assert (early <= set(pack._cuts)) is kept and bool(pack._cuts) is kept
