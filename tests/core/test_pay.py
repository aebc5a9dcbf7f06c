"""Pay: piece rates and the bonus split of the small branch to the cent, and the pool's invariants."""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.core.metrics import MonthLedgers
from branchkit.core.month import score_month
from branchkit.core.pay import (
    POINTS_DECIMALS, POOL, UNDISTRIBUTED, _decimal_units, apportioned, cents, exact, largest_remainder, piece_rate_split,
    split_bonus,
)
from branchkit.rules import load_rules

OCTOBER = pd.Period("2026-10", freq="M")


@pytest.fixture
def result(city, city_rules):
    out = score_month(MonthLedgers.from_frames(city), OCTOBER, city_rules)
    assert out.problems == []
    return out


# --- the small branch by hand -------------------------------------------------------------------
#
# Piece rates (70% paid, 30% to the pool; a joint sale's 70% split 30/70 lead/closer), in cents:
#   S03  信用卡 100.00 joint with lead S06: closer 100*0.7*0.7 = 49.00, lead S06 21.00, pool 30.00
#        对公结算 200.00: 140.00 (pool 60.00); 基金 33.33: 23.331 (pool 9.999);
#        手机银行, no rate in the ledger, 5 from the rules: 3.50 (pool 1.50)   -> S03 215.831
#   S04  贷款 150.00 joint with lead S05: closer 73.50, lead 31.50, pool 45.00; 信用卡 10.01: 7.007 (pool 3.003)
#                                                                            -> S04 80.507
#   S05  6 x 理财 16.67: 6 * 11.669 = 70.014 (pool 6 * 5.001), lead 31.50      -> S05 101.514
#   S06  lead 21.00; S07 信用卡 20.00: 14.00 (pool 6.00); S09 (left) 基金 80.00: 56.00 withheld (pool 24.00)
#   The September sale (理财 500.00) is not this month's.
# Total 698.36 = 69836 cents. Quotas in cents: S03 21583.1, S04 8050.7, S05 10151.4, S06 2100, S07 1400,
# S09 5600, pool 0.3 * 69836 = 20950.8. Floors add up to 69834; the 2 cents left go to the largest
# remainders: pool (.8) and S04 (.7). So: S03 215.83, S04 80.51, S05 101.51, pool 209.51.
PIECE = {"S03": 215.83, "S04": 80.51, "S05": 101.51, "S06": 21.00, "S07": 14.00, "S08": 0.0, "S01": 0.0, "S02": 0.0}

# Pool = 40,000.00 + 209.51 = 40,209.51 = 4,020,951 cents; 8 active staff (S07 on leave counts, S09 left
# does not): average = 4,020,951 / 8 = 502,618.875 cents.
#   head S01 (千分制 860 -> band >= 800 -> 1.3): 502,618.875 * 1.3        = 653,404.5375
#   deputy S02 (0.9 x the head's 1.3 = 1.17, not her own 920):   * 1.17   = 588,064.08375
#   rest = 4,020,951 - 653,404.5375 - 588,064.08375 = 2,779,482.37875, split by totals
#   52 + 57.25 + 54.25 + 52 + 14.375 + 48 = 277.875:
#     S03, S06: 2,779,482.37875 * 52 / 277.875     = 520,137.0533
#     S04:                      * 57.25 / 277.875  = 572,650.8904
#     S05:                      * 54.25 / 277.875  = 542,642.9835
#     S07:                      * 14.375 / 277.875 = 143,787.8873
#     S08:                      * 48 / 277.875     = 480,126.5108
#   Floors add up to 4,020,947; the 4 cents left go to the largest remainders .9835 (S05), .8904 (S04),
#   .8873 (S07), .5375 (S01). S08's .5108 gets none: rounding each half-up would pay 1 cent more than the pool.
BONUS = {"S01": 6534.05, "S02": 5880.64, "S03": 5201.37, "S04": 5726.51, "S05": 5426.43, "S06": 5201.37,
         "S07": 1437.88, "S08": 4801.26}


def test_piece_rate_pay_to_the_cent(result):
    assert result.summary.set_index("staff_id")["piece_rate_pay"].to_dict() == PIECE


def test_pool_of_the_branch(result):
    pool = result.pools.iloc[0]
    assert (pool["base_pool"], pool["piece_rate_pool"], pool["pool"]) == (40_000.00, 209.51, 40_209.51)
    assert (pool["active_staff"], pool["head_coefficient"], pool["piece_rate_total"]) == (8, 1.3, 698.36)
    assert (pool["piece_rate_withheld"], pool["undistributed"]) == (56.00, 0.0)


def test_piece_rate_money_is_conserved(result):
    pool = result.pools.iloc[0]
    paid = result.summary["piece_rate_pay"].sum() + pool["piece_rate_withheld"] + pool["piece_rate_pool"]
    assert round(paid, 2) == pool["piece_rate_total"]


def test_bonuses_to_the_cent(result):
    assert result.summary.set_index("staff_id")["bonus"].to_dict() == BONUS
    assert sum(int(round(b * 100)) for b in BONUS.values()) == 4_020_951


def test_how_each_bonus_was_set(result):
    summary = result.summary.set_index("staff_id")
    assert summary.loc["S01", ["basis", "coefficient"]].tolist() == ["coefficient", 1.3]
    assert summary.loc["S02", ["basis", "coefficient"]].tolist() == ["coefficient", 1.17]
    assert set(summary.loc[["S03", "S04", "S05", "S06", "S07", "S08"], "basis"]) == {"points"}
    assert summary.loc["S08", "bonus_quota"] == pytest.approx(4801.265107692)


def _sale_of(city, product: str) -> pd.DataFrame:
    sales = city["sales"]
    sales.loc[sales["product"].eq("手机银行"), "product"] = product      # the sale priced by the rules only
    return sales


def test_the_rules_rate_finds_a_product_written_with_spaces_width_or_case(city, city_rules):
    for written in ("手机 银行", "手机银行\u3000", "手机　银行"):
        _sale_of(city, written)
        out = score_month(MonthLedgers.from_frames(city), OCTOBER, city_rules)
        assert out.problems == [], written
        assert out.summary.set_index("staff_id")["piece_rate_pay"]["S03"] == 215.83, written


def test_a_sale_priced_nowhere_pays_nothing_and_is_one_warning(city, city_rules):
    _sale_of(city, "手机银行Plus")
    out = score_month(MonthLedgers.from_frames(city), OCTOBER, city_rules)
    # S03's quota 21,583.1 - 350 cents, the pool's 0.3 x (69,836 - 500): the 2 cents left go to the pool (.8)
    # and S04 (.7) as before
    piece = out.summary.set_index("staff_id")["piece_rate_pay"]
    assert (piece["S03"], piece["S04"]) == (212.33, 80.51)
    [unpaid] = [p for p in out.problems if p.code == "unpriced_sales"]
    assert unpaid.severity == "warning" and dict(unpaid.params) == {"sales": 1, "listed": "手机银行Plus (1)"}
    assert unpaid.text("zh") == ("本月 1 笔营销的产品在台账和规则 [pay] piece_rates 中都没有计价，不计计件工资："
                                 "手机银行Plus (1)")


def test_the_unpriced_listing_names_the_most_sold_first_and_stops_after_its_limit():
    from branchkit.core.pay import UNPRICED_LISTED, unpriced

    rules = load_rules().pay
    products = [f"产品{i}" for i in range(UNPRICED_LISTED + 1)]
    sales = pd.DataFrame({"product": pd.Series(["产品3", *products[:UNPRICED_LISTED], "产品3"], dtype="str"),
                          "piece_rate": pd.Series([None] * (UNPRICED_LISTED + 2), dtype="float64")})
    at_limit = dict(unpriced(sales, rules).params)
    assert at_limit["sales"] == UNPRICED_LISTED + 2
    assert at_limit["listed"] == "产品3 (3)、产品0 (1)、产品1 (1)、产品2 (1)、产品4 (1)"
    over = pd.concat([sales, pd.DataFrame({"product": [products[-1]], "piece_rate": [None]})], ignore_index=True)
    assert dict(unpriced(over, rules).params)["listed"].endswith("产品4 (1)…")
    priced = sales.assign(piece_rate=1.0)
    assert unpriced(priced, rules) is None


def test_piece_rate_lines_of_a_joint_sale(result):
    lines = result.pieces[result.pieces["_row"] == 3]
    assert lines[["share_of", "staff_id", "amount"]].values.tolist() == [
        ["closer", "S03", pytest.approx(49.0)], ["lead", "S06", pytest.approx(21.0)],
        ["pool", "~pool", pytest.approx(30.0)]]


def test_a_lead_who_is_also_the_closer_is_a_single_sale(city, city_rules):
    city["sales"].loc[0, "lead"] = "S03"
    out = score_month(MonthLedgers.from_frames(city), OCTOBER, city_rules)
    # S03: 100 * 0.7 = 70.00 instead of 49.00; S06 loses the 21.00.
    piece = out.summary.set_index("staff_id")["piece_rate_pay"]
    assert (piece["S03"], piece["S06"]) == (236.83, 0.0)


# --- largest remainder ------------------------------------------------------------------------


def test_largest_remainder_gives_left_cents_to_the_largest_fractions_then_the_lower_key():
    thirds = {"b": Fraction(100, 3), "a": Fraction(100, 3), "c": Fraction(100, 3)}
    assert largest_remainder(thirds, 100) == {"a": 34, "b": 33, "c": 33}
    assert largest_remainder({"x": Fraction(101, 2), "y": Fraction(99, 2)}, 100) == {"x": 51, "y": 49}


def test_largest_remainder_compares_remainders_of_different_denominators_exactly():
    # remainders 1/3, 2/5 and 4/15: the one cent left goes to b, then none to a or c
    quotas = {"a": Fraction(31, 3), "b": Fraction(52, 5), "c": Fraction(139, 15)}
    assert largest_remainder(quotas, 30) == {"a": 10, "b": 11, "c": 9}
    assert largest_remainder({"a": Fraction(31, 3), "b": Fraction(30, 3), "c": Fraction(35, 3)}, 32) == {
        "a": 10, "b": 10, "c": 12}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 97)), min_size=1, max_size=12), st.integers(0, 500))
def test_largest_remainder_pays_whole_cents_to_the_largest_remainders(parts, total):
    quotas = {f"k{i}": Fraction(n, d) for i, (n, d) in enumerate(parts)}
    quotas["k_rest"] = total - sum(quotas.values(), Fraction(0))
    result = largest_remainder(quotas, total)
    assert sum(result.values()) == total
    floors = {k: q.numerator // q.denominator for k, q in quotas.items()}
    assert all(result[k] - floors[k] in (0, 1) for k in quotas)
    up = [quotas[k] - floors[k] for k in quotas if result[k] > floors[k]]
    down = [quotas[k] - floors[k] for k in quotas if result[k] == floors[k]]
    assert not up or not down or min(up) >= max(down)


def test_largest_remainder_refuses_quotas_that_do_not_add_up():
    with pytest.raises(ValueError):
        largest_remainder({"a": Fraction(1, 2)}, 1)


def test_cents_round_half_away_from_zero_on_the_decimal_value():
    assert cents(pd.Series([0.125, 2.675, 1.005, 10.0, None])).tolist() == [13, 268, 101, 1000, 0]


# --- the split's edge cases -------------------------------------------------------------------

RULES = load_rules()


def _people(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["staff_id", "role", "total"])


def test_head_without_assessment_gets_the_lowest_band_and_a_warning():
    split = split_bonus("b", _people(("H", "head", 0.0), ("A", "teller", 10.0)), 10_000, {}, RULES.pay)
    assert split.coefficient["H"] == 0.8
    assert [(p.code, p.severity) for p in split.problems] == [("missing_assessment", "warning")]
    # head 5,000 * 0.8 = 4,000 cents; the teller the rest
    assert split.cents == {"H": 4000, "A": 6000}


def test_missing_assessment_can_stop_the_run():
    rules = RULES.pay.model_copy(update={"missing_assessment": "error"})
    split = split_bonus("b", _people(("H", "head", 0.0), ("A", "teller", 1.0)), 100, {}, rules)
    assert [(p.code, p.severity) for p in split.problems] == [("missing_assessment", "error")]


def test_deputies_without_a_head_use_the_lowest_band():
    split = split_bonus("b", _people(("D", "deputy", 0.0), ("A", "teller", 1.0)), 10_000, {}, RULES.pay)
    assert split.coefficient["D"] == pytest.approx(0.72)      # 0.9 * 0.8
    assert split.cents == {"D": 3600, "A": 6400}


def test_management_beyond_the_pool_is_scaled_to_it_and_said():
    people = _people(("H", "head", 0.0), ("D", "deputy", 0.0), ("A", "teller", 50.0))
    split = split_bonus("b", people, 30_000, {"H": 950.0}, RULES.pay)
    # average 10,000: head 15,000 + deputy 13,500 = 28,500 fits in 30,000
    assert split.cents == {"H": 15000, "D": 13500, "A": 1500}
    small = _people(("H", "head", 0.0), ("D", "deputy", 0.0))
    split = split_bonus("b", small, 10_001, {"H": 950.0}, RULES.pay)
    # average 5,000.5: 7,500.75 + 6,750.675 > 10,001 -> scaled to 10,001 in the same proportion
    assert sum(split.cents.values()) == 10_001 and split.undistributed == 0
    assert [p.code for p in split.problems] == ["pool_overdrawn"]


def test_zero_points_split_equally_by_default():
    people = _people(("A", "teller", 0.0), ("B", "teller", 0.0), ("C", "teller", 0.0))
    split = split_bonus("b", people, 100, {}, RULES.pay)
    assert split.cents == {"A": 34, "B": 33, "C": 33} and set(split.basis.values()) == {"equal"}


def test_zero_points_can_leave_the_pool_undistributed():
    rules = RULES.pay.model_copy(update={"zero_points": "undistributed"})
    split = split_bonus("b", _people(("A", "teller", 0.0), ("B", "teller", 0.0)), 100, {}, rules)
    assert split.cents == {"A": 0, "B": 0} and split.undistributed == 100


def test_a_branch_of_only_head_and_deputy_reports_the_rest_undistributed():
    split = split_bonus("b", _people(("H", "head", 0.0), ("D", "deputy", 0.0)), 20_000, {"H": 100.0},
                        RULES.pay)
    # average 10,000: head 0.8 -> 8,000; deputy 0.72 -> 7,200; 4,800 left
    assert split.cents == {"H": 8000, "D": 7200} and split.undistributed == 4800


def test_nobody_scored_leaves_the_pool_undistributed():
    split = split_bonus("b", _people(), 500, {}, RULES.pay)
    assert split.cents == {} and split.undistributed == 500


# --- properties -------------------------------------------------------------------------------

role = st.sampled_from(["head", "deputy", "teller", "teller", "retail_rm", "corporate_rm"])
total = st.one_of(st.just(0.0), st.floats(min_value=0, max_value=200, allow_nan=False))
person = st.tuples(role, total)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(person, min_size=0, max_size=12), pool=st.integers(min_value=0, max_value=10**10),
       score=st.floats(min_value=0, max_value=1000), zero=st.sampled_from(["equal", "undistributed"]))
def test_bonuses_add_up_to_the_pool_exactly(rows, pool, score, zero):
    people = _people(*[(f"P{i:02d}", r, t) for i, (r, t) in enumerate(rows)])
    rules = RULES.pay.model_copy(update={"zero_points": zero})
    split = split_bonus("b", people, pool, {"P00": score}, rules)
    assert sum(split.cents.values()) + split.undistributed == pool
    assert all(c >= 0 for c in split.cents.values()) and split.undistributed >= 0
    assert UNDISTRIBUTED not in split.cents
    if any(r not in ("head", "deputy") for r, _ in rows) and zero == "equal":
        assert split.undistributed == 0          # someone is paid by points: the whole pool is paid


@settings(max_examples=200, deadline=None)
@given(totals=st.lists(st.floats(min_value=0.01, max_value=100), min_size=2, max_size=10),
       pool=st.integers(min_value=0, max_value=10**9))
def test_more_points_never_less_bonus_within_a_branch(totals, pool):
    people = _people(*[(f"P{i:02d}", "teller", t) for i, t in enumerate(totals)])
    split = split_bonus("b", people, pool, {}, RULES.pay)
    ranked = sorted(zip(totals, [split.cents[f"P{i:02d}"] for i in range(len(totals))]))
    assert all(b1 <= b2 + 1 for (_, b1), (_, b2) in zip(ranked, ranked[1:]))   # within a rounding cent


# --- the shares counted as integers over one denominator: the same cents and quotas as fractions ------

@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.tuples(st.integers(-10_000, 10_000), st.integers(1, 97)), min_size=1, max_size=12),
       total=st.integers(0, 500), wider=st.integers(1, 1000))
def test_apportioned_over_any_common_denominator_is_the_largest_remainder(parts, total, wider):
    quotas = {f"k{i}": Fraction(n, d) for i, (n, d) in enumerate(parts)}
    quotas["k_rest"] = total - sum(quotas.values(), Fraction(0))
    common = math.lcm(*(q.denominator for q in quotas.values())) * wider      # not the least one
    scaled = {k: q.numerator * (common // q.denominator) for k, q in quotas.items()}
    assert apportioned(scaled, common, total) == largest_remainder(quotas, total)
    with pytest.raises(ValueError, match="not 1"):
        apportioned({"a": 3, "b": 2}, 4, 1)     # 5/4 is not 1


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_decimal_units_are_the_points_written_at_nine_decimals(value):
    assert _decimal_units(value) == Fraction(f"{value:.{POINTS_DECIMALS}f}") * 10 ** POINTS_DECIMALS


def test_decimal_units_of_signed_zero_and_the_last_decimal():
    assert _decimal_units(-0.0) == 0 and _decimal_units(0.0) == 0
    assert _decimal_units(1.5) == 1_500_000_000 and _decimal_units(-2.000000001) == -2_000_000_001


@settings(max_examples=200, deadline=None)
@given(sums=st.dictionaries(st.tuples(st.sampled_from(["S1", "S2", "S3", POOL]),
                                      st.sampled_from(["closer_single", "closer_joint", "lead", "pool"])),
                            st.integers(0, 10**8), min_size=1, max_size=10),
       share=st.sampled_from([0.7, 0.65, 1 / 3, 0.123]), lead=st.sampled_from([0.3, 0.5, 0.07]))
def test_piece_rate_split_is_the_largest_remainder_of_the_exact_shares(sums, share, lead):
    rules = RULES.pay.model_copy(update={"individual_share": share, "joint_lead_share": lead})
    s, t = exact(share), exact(lead)
    factor = {"closer_single": s, "closer_joint": s * (1 - t), "lead": s * t, "pool": 1 - s}
    quotas: dict = {}
    for (who, how), amount in sums.items():
        quotas[who] = quotas.get(who, Fraction(0)) + factor[how] * amount
    total = int(sum(quotas.values(), Fraction(0)))
    if sum(quotas.values(), Fraction(0)) != total:
        with pytest.raises(ValueError):
            piece_rate_split(sums, total, rules)
        return
    assert piece_rate_split(sums, total, rules) == largest_remainder(quotas, total)


@settings(max_examples=200, deadline=None)
@given(totals=st.lists(st.floats(min_value=0, max_value=200), min_size=1, max_size=10),
       pool=st.integers(min_value=0, max_value=10**10), score=st.floats(min_value=0, max_value=1000),
       deputy=st.booleans())
def test_bonus_quotas_and_cents_are_those_of_the_exact_fractions(totals, pool, score, deputy):
    managers = [("H", "head", 50.0)] + ([("D", "deputy", 40.0)] if deputy else [])
    people = _people(*managers, *[(f"P{i:02d}", "teller", t) for i, t in enumerate(totals)])
    split = split_bonus("b", people, pool, {"H": score}, RULES.pay)
    # the fractions, as written in DOMAIN §6: coefficients x the average, the rest by the others' totals
    average = Fraction(pool, len(people))
    head = exact(RULES.pay.coefficient(score))
    quotas = {"H": average * head}
    if deputy:
        quotas["D"] = average * exact(float(exact(RULES.pay.deputy_coefficient_ratio) * head))
    wanted = sum(quotas.values(), Fraction(0))
    if wanted > pool:
        quotas = {k: q * pool / wanted for k, q in quotas.items()}
    rest = pool - sum(quotas.values(), Fraction(0))
    points = {f"P{i:02d}": Fraction(f"{t:.{POINTS_DECIMALS}f}") for i, t in enumerate(totals)}
    whole = sum(points.values(), Fraction(0))
    quotas.update({k: (rest * p / whole if whole else rest / len(points)) for k, p in points.items()})
    assert split.quota == {k: float(q) / 100 for k, q in quotas.items()}
    cents = largest_remainder({**quotas, UNDISTRIBUTED: pool - sum(quotas.values(), Fraction(0))}, pool)
    assert split.undistributed == cents.pop(UNDISTRIBUTED) and split.cents == cents
