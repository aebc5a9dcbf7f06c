"""Rules that make no sense are refused naming the key; a ledger folder's rules cannot raise [input] limits."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest

from branchkit.cli import app
from branchkit.errors import RulesError
from branchkit.rules import InputRules, load_rules, rules_data

from tomli_w import dumps as toml_dumps

SAMPLE_RULES = Path(__file__).parents[1] / "sample_data" / "rules.toml"


def _numeric_keys(value, path=()):
    """Every number in the rules data, as a path of keys and list positions."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _numeric_keys(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _numeric_keys(item, path + (i,))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield path


DEFAULTS = rules_data(load_rules())
NUMERIC = list(_numeric_keys(DEFAULTS))


def _with(path, value):
    data = copy.deepcopy(DEFAULTS)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def _load(tmp_path, data=None, text=None, **kwargs):
    file = tmp_path / "r.toml"
    file.write_text(text if text is not None else toml_dumps(data), encoding="utf-8")
    return load_rules(file, **kwargs)


def _dotted(path):
    return ".".join(str(p) for p in path)


def test_the_walk_finds_every_kind_of_number():
    names = {_dotted(p) for p in NUMERIC}
    assert {"tiers.retail.potential_min_assets", "allocation.deposit_floor", "staffing.teller_daily_throughput",
            "staffing.rm_team.large.0", "pay.head_coefficient.0.min_score", "allocation.capacity.head.high",
            "staffing.counters.0.from", "input.max_file_mb", "plan.cadence_days.high"} <= names
    assert len(NUMERIC) > 100


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, 1e15, -1])
def test_every_number_has_a_sane_range(tmp_path, bad):
    # No key takes an infinity, a NaN, a quadrillion or a negative: each refusal names its key.
    accepted = []
    for path in NUMERIC:
        try:
            _load(tmp_path, _with(path, bad))
        except RulesError as exc:
            assert f"{_dotted(path)}:" in str(exc), (path, str(exc))
        else:
            accepted.append(_dotted(path))
    assert accepted == []


def test_the_defaults_and_the_sample_rules_pass(tmp_path):
    # the shipped defaults as a whole file (what `branchkit init` writes into a folder), untrusted
    assert _load(tmp_path, DEFAULTS, trusted=False) == load_rules()
    sample = load_rules(SAMPLE_RULES, trusted=False)
    assert sample.tiers.relationship.high_min_deposit == 1_000_000
    assert len(sample.calendar.holidays) == 7


@pytest.mark.parametrize(("text", "named"), [
    # out of order, just over: refused naming both keys
    ("[tiers.relationship]\nmid_min_deposit = 1_000_001\n", "tiers.relationship: mid_min_deposit (1,000,001) is above "
     "high_min_deposit (1,000,000)"),
    ("[tiers.relationship]\nmid_min_loan = 2_000_001\n", "tiers.relationship: mid_min_loan (2,000,001) is above "
     "high_min_loan"),
    ("[tiers.retail]\npotential_min_assets = 200_001\n", "tiers.retail: potential_min_assets (200,001) is above "
     "mid_high_min_assets (200,000)"),
    ("[tiers.retail]\npotential_min_assets = 300_000\nmid_high_min_assets = 100_000\n", "tiers.retail: "
     "potential_min_assets"),
    ("[tiers.vip]\nmin_assets = { gold = 600_000, platinum = 500_000 }\n", "tiers.vip: min_assets.gold"),
    ("[tiers.vip]\nmin_assets = { gold = 100, diamond = 99 }\n", "tiers.vip: min_assets.gold"),
    ("[allocation]\ndeposit_floor = inf\n", "allocation.deposit_floor: Input should be a finite number"),
    ("[allocation]\ndeposit_floor = nan\n", "allocation.deposit_floor"),
    ("[staffing]\nteller_daily_throughput = 1e15\n", "staffing.teller_daily_throughput: Input should be less than "
     "or equal to 1440"),
    ("[staffing]\nteller_daily_throughput = 1441\n", "staffing.teller_daily_throughput"),
    ("[allocation]\nclaim_priority = ['head', 'deputy', 'head']\n", "allocation.claim_priority: 'head' is listed "
     "twice"),
    ("[allocation]\nloan_keeper_roles = ['head', 'head']\n", "allocation.loan_keeper_roles: 'head' is listed twice"),
    ("[allocation]\nequal_rank = [['head', 'deputy'], ['deputy', 'supervisor']]\n", "allocation: equal_rank: "
     "'deputy' is listed twice"),
    ("[staffing]\nteller_roles = ['high_counter', 'high_counter']\n", "staffing.teller_roles"),
    ("[pay]\nmanagement_roles = ['head', 'deputy', 'deputy']\n", "pay.management_roles"),
    ("[tiers.retail]\nkinds = ['retail', 'retail']\n", "tiers.retail.kinds"),
    ("[scoring]\nfloor = 1.3\n", "scoring: floor (1.3) is above cap (1.2)"),
    ("[pay]\ndeputy_coefficient_ratio = 1.01\n", "pay.deputy_coefficient_ratio"),
    ("[pay]\nhead_coefficient = [{ min_score = 1001, coefficient = 1.5 }]\n", "pay.head_coefficient.0.min_score"),
    ("[staffing.queue]\nhandling_seconds = 0\n", "staffing.queue.handling_seconds"),
    ("[staffing.queue]\nshrinkage = 1\n", "staffing.queue.shrinkage"),
    ("[[staffing.counters]]\ncounter = 'cash'\ntypes = ['township']\nfrom = 90\nto = 80\ntext_zh = 'x'\n"
     "text_en = 'x'\ndedicated = 0\ncombined = 1\n", "staffing.counters.0: the band is empty: from 90, to 80"),
    ("[[staffing.counters]]\ncounter = 'cash'\ntypes = ['township']\nfrom = 80\nbelow = 80\ntext_zh = 'x'\n"
     "text_en = 'x'\ndedicated = 0\ncombined = 1\n", "staffing.counters.0: the band is empty: from 80, below 80"),
    ("[[staffing.counters]]\ncounter = 'cash'\ntypes = ['township']\nfrom = 80\nabove = 70\ntext_zh = 'x'\n"
     "text_en = 'x'\ndedicated = 0\ncombined = 1\n", "staffing.counters.0: a counter band gives one lower edge"),
    ("[[staffing.counters]]\ncounter = 'cash'\ntypes = ['township']\nto = 80\nbelow = 90\ntext_zh = 'x'\n"
     "text_en = 'x'\ndedicated = 0\ncombined = 1\n", "staffing.counters.0: a counter band gives one upper edge"),
    ("[[staffing.counters]]\ncounter = 'cash'\ntypes = ['township']\ntext_zh = 'x'\n"
     "text_en = 'x'\ndedicated = 0\ncombined = 1\n", "staffing.counters.0: a counter band gives a lower edge"),
])
def test_rules_that_make_no_sense_are_refused_naming_the_key(tmp_path, text, named):
    with pytest.raises(RulesError) as info:
        _load(tmp_path, text=text)
    assert named in str(info.value)


@pytest.mark.parametrize(("text", "check"), [
    # at the edge: accepted
    ("[tiers.relationship]\nmid_min_deposit = 1_000_000\n", lambda r: r.tiers.relationship.mid_min_deposit == 1e6),
    ("[tiers.relationship]\nmid_min_deposit = 999_999\n", lambda r: r.tiers.relationship.mid_min_deposit == 999_999),
    ("[tiers.retail]\npotential_min_assets = 200_000\n", lambda r: r.tiers.retail.potential_min_assets == 200_000),
    ("[tiers.vip]\nmin_assets = { gold = 500_000, platinum = 500_000, diamond = 5e6 }\n",
     lambda r: r.tiers.vip.min_assets["diamond"] == 5e6),
    ("[staffing]\nteller_daily_throughput = 1440\n", lambda r: r.staffing.teller_daily_throughput == 1440),
    ("[scoring]\nfloor = 1.2\n", lambda r: r.scoring.floor == r.scoring.cap),
    ("[pay]\ndeputy_coefficient_ratio = 1\n", lambda r: r.pay.deputy_coefficient_ratio == 1),
    ("[allocation]\ndeposit_floor = 1e13\n", lambda r: r.allocation.deposit_floor == 1e13),
])
def test_rules_at_the_edge_of_sense_are_accepted(tmp_path, text, check):
    assert check(_load(tmp_path, text=text))


def test_deeply_nested_toml_is_refused_naming_the_line(tmp_path):
    text = "[allocation]\nclaim_priority = " + "[" * 3000 + "]" * 3000 + "\n"
    with pytest.raises(RulesError, match=r"line 2 \(claim_priority\): arrays or tables nested too deep"):
        _load(tmp_path, text=text)
    text = "[pay]\npiece_rates = " + "{ a = " * 2000 + "1" + " }" * 2000 + "\n"
    with pytest.raises(RulesError, match=r"line 2 \(piece_rates\): arrays or tables nested too deep"):
        _load(tmp_path, text=text)


def test_deeply_nested_rules_exit_2_through_the_cli(tmp_path, runner):
    path = tmp_path / "r.toml"
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "--rules", str(path)])
    assert result.exit_code == 2
    assert "nested too deep" in result.output and "RecursionError" not in result.output


# --- [input] limits: a folder's rules may lower them, only --rules may raise them, never past the ceiling ----

@pytest.mark.parametrize("key", list(DEFAULTS["input"]))
def test_an_untrusted_file_may_lower_an_input_limit_and_keep_it_but_not_raise_it(tmp_path, key):
    default = DEFAULTS["input"][key]
    lowered = _load(tmp_path, text=f"[input]\n{key} = {default - 1}\n", trusted=False)
    assert getattr(lowered.input, key) == default - 1
    same = _load(tmp_path, text=f"[input]\n{key} = {default}\n", trusted=False)
    assert getattr(same.input, key) == default
    raised = min(default + 1, _ceiling(key))
    if raised == default:                        # the default is the ceiling (max_text_chars: Excel's limit)
        raised = default - 1
        assert _load(tmp_path, text=f"[input]\n{key} = {raised}\n", trusted=False) is not None
        return
    with pytest.raises(RulesError, match=rf"input\.{key}: a ledger folder's own rules may lower the \[input\] "
                                         rf"limits but not raise them \({raised} > {default}\)"):
        _load(tmp_path, text=f"[input]\n{key} = {raised}\n", trusted=False)


def _ceiling(key):
    return next(m.le for m in InputRules.model_fields[key].metadata if getattr(m, "le", None) is not None)


@pytest.mark.parametrize(("key", "ceiling"), [("max_file_mb", 4096), ("max_uncompressed_mb", 16384),
                                              ("max_compression_ratio", 1000), ("max_zip_entries", 100_000),
                                              ("header_scan_rows", 1000), ("max_text_chars", 32767)])
def test_rules_given_on_the_command_line_may_raise_input_limits_up_to_the_ceiling(tmp_path, key, ceiling):
    assert getattr(_load(tmp_path, text=f"[input]\n{key} = {ceiling}\n").input, key) == ceiling
    with pytest.raises(RulesError, match=rf"input\.{key}: Input should be less than or equal to {ceiling}"):
        _load(tmp_path, text=f"[input]\n{key} = {ceiling + 1}\n")


def test_a_folder_rules_file_cannot_switch_the_zip_bomb_limits_off(tmp_path, runner):
    folder = tmp_path / "ledgers"
    folder.mkdir()
    (folder / "客户清单.csv").write_text("客户号,客户名称,客户类型,存款余额\n1,张三,个人,10\n", encoding="utf-8")
    (folder / "rules.toml").write_text("[input]\nmax_uncompressed_mb = 16384\nmax_compression_ratio = 1000\n",
                                       encoding="utf-8")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert "input.max_uncompressed_mb: a ledger folder's own rules may lower" in result.output
    # the same file given with --rules is trusted
    result = runner.invoke(app, ["validate", str(folder), "--rules", str(folder / "rules.toml")])
    assert result.exit_code == 0, result.output


def test_a_folder_rules_file_that_lowers_the_limits_is_used(tmp_path, runner):
    folder = tmp_path / "ledgers"
    folder.mkdir()
    (folder / "客户清单.csv").write_text("客户号,客户名称,客户类型,存款余额\n1,张三,个人,10\n", encoding="utf-8")
    (folder / "rules.toml").write_text("[input]\nmax_file_mb = 0\n", encoding="utf-8")
    assert runner.invoke(app, ["validate", str(folder)]).exit_code == 2
    (folder / "rules.toml").write_text("[input]\nmax_file_mb = 1\n", encoding="utf-8")
    (folder / "客户清单.csv").write_bytes(b"x" * (1024 * 1024 + 1))
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2 and "larger than the limit of 1 MB" in result.output


def test_the_shipped_rules_file_states_the_ceilings_the_model_enforces():
    from branchkit.rules import default_text

    text = " ".join(line.lstrip("# ") for line in default_text().splitlines() if line.startswith("#"))
    for key in ("max_file_mb", "max_uncompressed_mb", "max_compression_ratio", "max_zip_entries"):
        assert f"{key} {_ceiling(key)}" in text


@pytest.mark.parametrize("key, at_edge, over", [
    ("rebalance", 1_000_000, 1_000_001),                               # customers a budget may move
    ("rebalance_frontier", list(range(100)), list(range(101))),        # points of the frontier
])
def test_the_rebalance_keys_at_and_just_over_their_ceiling(tmp_path, key, at_edge, over):
    assert getattr(_load(tmp_path, _with(("allocation", key), at_edge)).allocation, key) == at_edge
    with pytest.raises(RulesError, match=f"allocation.{key}"):
        _load(tmp_path, _with(("allocation", key), over))
