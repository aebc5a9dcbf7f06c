"""The rules file: defaults, deep merge, and errors that name the key."""

from __future__ import annotations

import tomllib

import pytest

import tomli_w
from branchkit.errors import RulesError
from branchkit.rules import Rules, default_text, deep_merge, load_rules, rules_data


def test_defaults_are_the_spec_appendix():
    rules = load_rules()
    assert rules.tiers.retail.potential_min_assets == 50_000
    assert rules.tiers.relationship.high_min_deposit == 1_000_000
    assert rules.allocation.claim_priority[:3] == ["head", "deputy", "corporate_rm"]
    assert rules.staffing.teller_daily_throughput == 130
    assert rules.staffing.queue.service_level == 0.80
    assert rules.scoring.cap == 1.2
    assert rules.scoring.roles["corporate_rm"].weights["deposit_up"] == 40
    assert rules.pay.coefficient(850) == 1.3
    assert rules.pay.coefficient(10) == 0.8


def test_every_model_key_is_in_the_shipped_file():
    # The model has no defaults of its own: validating the shipped text alone proves completeness.
    Rules.model_validate(tomllib.loads(default_text()))


def test_user_file_changes_only_its_keys(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("[tiers.retail]\npotential_min_assets = 60000\n", encoding="utf-8")
    rules = load_rules(path)
    assert rules.tiers.retail.potential_min_assets == 60_000
    assert rules.tiers.retail.mid_high_min_assets == 200_000


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[tiers.retail]\nfoo = 1\n", "tiers.retail.foo: unknown key"),
        ("[allocation]\ndeposit_floor = 'x'\n", "allocation.deposit_floor"),
        ("[scoring]\ncap = -1\n", "scoring.cap"),
        ("[nonsense]\na = 1\n", "nonsense: unknown key"),
        ("[allocation]\nclaim_priority = ['head', 'janitor']\n", "allocation.claim_priority.1"),
        # an empty word around a role name would match everywhere (every title a place): refused
        ("[roles]\nunits = ['支行', '']\n", "roles.units.1"),
        ("[roles]\nnot_the_post = [' ']\n", "roles.not_the_post.0"),
    ],
)
def test_bad_key_or_type_names_the_key(tmp_path, text, named):
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(path)
    assert named in str(info.value)


def test_not_toml_is_a_rules_error(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("[[[", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid TOML"):
        load_rules(path)


def test_deep_merge_replaces_lists_and_merges_tables():
    merged = deep_merge({"a": {"b": 1, "c": [1, 2]}, "d": 1}, {"a": {"c": [3]}})
    assert merged == {"a": {"b": 1, "c": [3]}, "d": 1}


def test_written_toml_reads_back_to_the_same_rules():
    rules = load_rules()
    assert Rules.model_validate(tomllib.loads(tomli_w.dumps(rules_data(rules)))) == rules


def test_equal_rank_groups_fold_into_claim_rank():
    rank = load_rules().allocation.claim_rank()
    assert rank["head"] == rank["deputy"] == 0
    assert rank["comprehensive_teller"] == rank["low_counter"]
    assert rank["lobby_guide"] == rank["lobby_manager"]
    assert rank["corporate_rm"] < rank["retail_rm"]


def test_a_file_can_be_merged_over_other_rules(tmp_path):
    base_path = tmp_path / "base.toml"
    base_path.write_text("[calendar]\nholidays = [2026-10-01]\n", encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text("[scoring]\ncap = 1.5\n", encoding="utf-8")
    merged = load_rules(other, base=load_rules(base_path))
    assert merged.scoring.cap == 1.5
    assert [d.isoformat() for d in merged.calendar.holidays] == ["2026-10-01"]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[scoring.roles.default.weights]\noutbound_visits = 5\n", "a target is needed"),
        ("[scoring]\nmetrics = ['referrals', 'deposit_up', 'products_sold', 'new_customers']\n",
         "not in scoring.metrics"),
        ("[scoring]\nmetrics = ['referrals', 'referrals']\n", "twice"),
        ("[pay]\nhead_coefficient = [{ min_score = 0, coefficient = 1.0 }, "
         "{ min_score = 900, coefficient = 1.5 }]\n", "highest min_score down"),
        ("[pay]\nmanagement_roles = ['deputy']\n", "must include 'head'"),
        ("[pay]\nzero_points = 'random'\n", "pay.zero_points"),
    ],
)
def test_scoring_and_pay_rules_are_consistent(tmp_path, text, named):
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(path)
    assert named in str(info.value)


def _counter_band(**edge):
    return {"counter": "cash", "types": ["general"], "text_zh": "x", "text_en": "x", "dedicated": 0,
            "combined": 1, **edge}


@pytest.mark.parametrize(
    ("bands", "named"),
    [
        ([_counter_band(above=100), _counter_band(**{"from": 50, "to": 100})], None),
        ([_counter_band(above=99), _counter_band(**{"from": 50, "to": 100})], "cover a volume of 100"),
        ([_counter_band(below=50), _counter_band(**{"from": 50, "to": 80})], None),
        ([_counter_band(below=51), _counter_band(**{"from": 50, "to": 80})], "cover a volume of 50"),
        ([_counter_band(below=10), _counter_band(below=20)], "cover a volume of 5"),
        # DOMAIN §4's half-open bands: [80, 130) and [130, ...) meet without sharing 130
        ([_counter_band(**{"from": 130}), _counter_band(**{"from": 80, "below": 130})], None),
        ([_counter_band(**{"from": 130}), _counter_band(**{"from": 80, "to": 130})], "cover a volume of 130"),
    ],
)
def test_overlapping_counter_bands_are_refused(tmp_path, bands, named):
    import tomli_w

    path = tmp_path / "r.toml"
    path.write_text(tomli_w.dumps({"staffing": {"counters": bands}}), encoding="utf-8")
    if named is None:
        assert len(load_rules(path).staffing.bands("cash", "general")) == 2
    else:
        with pytest.raises(RulesError, match=named):
            load_rules(path)


def test_staffing_defaults_hold_domain_numbers():
    staffing = load_rules().staffing
    assert staffing.count_on_leave is True
    assert {t: staffing.minimum[t].staff for t in staffing.minimum} == {
        "large": 12, "medium": 6, "general": 4, "township": 4}
    assert [b.text_en for b in staffing.bands("noncash", "township")] == ["at least 1 combined low counter"]
    assert len(staffing.bands("cash", "large")) == 3 and staffing.rm_team["middle"] == [3, 1, 1]


def test_a_section_validates_alone_as_within_the_rules():
    # The models build their validators on first use (defer_build): a section used alone, before or
    # after the whole rules, validates and fails with the same words as within them.
    from pydantic import ValidationError

    from branchkit.rules import InputRules

    data = rules_data(load_rules())
    data["input"]["max_text_chars"] = 99_999
    with pytest.raises(ValidationError) as alone:
        InputRules.model_validate(data["input"])
    with pytest.raises(ValidationError) as within:
        Rules.model_validate(data)
    assert [e["msg"] for e in alone.value.errors()] == [e["msg"] for e in within.value.errors()] \
        == ["Input should be less than or equal to 32767"]
    assert within.value.errors()[0]["loc"] == ("input", "max_text_chars")
    assert InputRules.model_validate(rules_data(load_rules())["input"]) == load_rules().input
