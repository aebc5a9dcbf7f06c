"""The month's activity ledgers behind the scorecards (DOMAIN §6): referrals, sales,
work logs, deductions, the 1000-point assessment and each branch's pay pool.

Each ledger has a few rows outside the month (scoring must ignore them) and
the work log has duplicate days (completion counts distinct days).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.sample.calendar import SampleMonth
from branchkit.sample.network import ACTIVE, LEFT, ON_LEAVE
from branchkit.sample.staffing import RM_OF_KIND, pick_staff

REFERRERS = {"low_counter": 4.0, "comprehensive_teller": 4.0, "high_counter": 3.5, "lobby_manager": 4.5,
             "lobby_guide": 3.0, "supervisor": 1.5, "corporate_rm": 2.0}   # mean referrals a month
SALES_PER_MONTH = {"corporate_rm": 8.0, "retail_rm": 9.0, "low_counter": 5.0, "comprehensive_teller": 5.0,
                   "high_counter": 4.0, "lobby_manager": 5.0, "lobby_guide": 3.0, "supervisor": 2.0,
                   "head": 2.0, "deputy": 2.0, "back_office": 0.5}
# product -> (piece rate range in CNY, sold to corporates?)
PRODUCTS = {"理财": ((50, 300), False), "基金": ((80, 400), False), "保险": ((100, 800), False),
            "信用卡": ((20, 50), False), "贵金属": ((20, 200), False), "手机银行": ((10, 20), False),
            "代发工资": ((200, 800), True), "企业网银": ((30, 100), True), "对公结算账户": ((50, 150), True)}
JOINT_SHARE = 0.30            # sales where someone else brought the lead
OUTSIDE_SHARE = 0.06          # referral and sales rows dated in the previous month
WORKLOG_COMPLETION = (0.6, 1.0)
WORKLOG_DUPLICATES = 0.02
LEFT_LOGGED_DAYS = 5          # the person who left logged the first days of the month
DEDUCTION_REASONS = ("拜访记录填写不完整", "工作日志未按时提交", "客户投诉", "迟到早退", "台账更新不及时")
HEAD_SCORE_BANDS = ((900, 960), (800, 899), (700, 799), (650, 699))   # one head or deputy in each, in turn
POOL_PER_STAFF, POOL_RANGE = 14_000, (120_000, 600_000)


def _counts(rng: np.random.Generator, staff: pd.DataFrame, means: dict[str, float]) -> pd.DataFrame:
    """Active staff repeated by a Poisson count of their role's monthly mean."""
    active = staff[(staff["state"] == ACTIVE) & staff["role"].isin(list(means))]
    n = rng.poisson(active["role"].map(means).to_numpy())
    return active.loc[active.index.repeat(n)].reset_index(drop=True)


def _dates(rng: np.random.Generator, month: SampleMonth, n: int) -> np.ndarray:
    """Working days of M, a few of the previous month's."""
    now = np.array(month.workdays, dtype="datetime64[D]")
    before = np.array(month.shift(-1).workdays[-8:], dtype="datetime64[D]")
    outside = rng.random(n) < OUTSIDE_SHARE
    return np.where(outside, before[rng.integers(0, len(before), n)], now[rng.integers(0, len(now), n)])


def _customers_of(rng: np.random.Generator, now: pd.DataFrame, codes: np.ndarray, corporate: np.ndarray) -> pd.DataFrame:
    """For each row a random existing customer of that branch, corporate or not as asked."""
    key = now["code"].to_numpy() * 2 + (now["kind"] == "corporate").to_numpy()
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    want = codes * 2 + corporate
    start, stop = np.searchsorted(sorted_key, want), np.searchsorted(sorted_key, want, side="right")
    pick = start + np.floor(rng.random(len(want)) * np.maximum(stop - start, 1)).astype(int)
    return now.iloc[order[np.minimum(pick, len(order) - 1)]].reset_index(drop=True)


def build_referrals(rng: np.random.Generator, customers: pd.DataFrame, staff: pd.DataFrame,
                    month: SampleMonth) -> pd.DataFrame:
    """Teller referral register: date, referrer, customer_id, name, kind, referred_to (RM staff id)."""
    now = customers[(customers["last"] == 0) & (customers["status"] == "existing")]
    rows = _counts(rng, staff, REFERRERS)
    # corporate RMs pass on retail customers; tellers mostly retail, a quarter corporate
    corporate = (rows["role"] != "corporate_rm").to_numpy() & (rng.random(len(rows)) < 0.25)
    who = _customers_of(rng, now, rows["code"].to_numpy(), corporate)
    rm_pool = np.where(who["kind"] == "corporate", 0, 1)
    to = pick_staff(rng, staff, who["code"].to_numpy(), rm_pool, ((RM_OF_KIND["corporate"],), (RM_OF_KIND["retail"],)))
    out = pd.DataFrame({"date": _dates(rng, month, len(rows)), "referrer": rows["staff_id"],
                        "customer_id": who["customer_id"], "name": who["name"], "kind": who["kind"],
                        "referred_to": to, "code": rows["code"]})
    return out.sort_values(["date", "code", "referrer"], kind="stable").reset_index(drop=True)


def build_sales(rng: np.random.Generator, customers: pd.DataFrame, staff: pd.DataFrame,
                month: SampleMonth) -> pd.DataFrame:
    """Product sales: date, product, customer (name), closer, lead ('' = one-person sale), piece_rate."""
    now = customers[(customers["last"] == 0) & (customers["status"] == "existing")]
    rows = _counts(rng, staff, SALES_PER_MONTH)
    names = np.array(list(PRODUCTS), dtype=object)
    product = names[rng.integers(0, len(names), len(rows))]
    corporate = np.array([PRODUCTS[p][1] for p in product], dtype=bool)
    low = np.array([PRODUCTS[p][0][0] for p in product])
    high = np.array([PRODUCTS[p][0][1] for p in product])
    who = _customers_of(rng, now, rows["code"].to_numpy(), corporate)
    lead = pick_staff(rng, staff, rows["code"].to_numpy(), np.zeros(len(rows), int), (tuple(SALES_PER_MONTH),))
    joint = (rng.random(len(rows)) < JOINT_SHARE) & (lead != rows["staff_id"].to_numpy())
    out = pd.DataFrame({"date": _dates(rng, month, len(rows)), "product": product, "customer": who["name"],
                        "closer": rows["staff_id"], "lead": np.where(joint, lead, ""),
                        "piece_rate": np.round(rng.uniform(low, high) / 5) * 5, "code": rows["code"]})
    return out.sort_values(["date", "code", "closer"], kind="stable").reset_index(drop=True)


def build_worklog(rng: np.random.Generator, staff: pd.DataFrame, month: SampleMonth) -> pd.DataFrame:
    """One row per logged day per person (staff_id, date), with duplicates and a few days outside M."""
    days = np.array(month.workdays, dtype="datetime64[D]")
    completion = rng.uniform(*WORKLOG_COMPLETION, len(staff))
    completion[(staff["state"] == ON_LEAVE).to_numpy()] = 0.2
    logged = rng.random((len(staff), len(days))) < completion[:, None]
    logged[(staff["state"] == LEFT).to_numpy(), LEFT_LOGGED_DAYS:] = False
    person, day = np.nonzero(logged)
    log = pd.DataFrame({"staff_id": staff["staff_id"].to_numpy()[person], "date": days[day]})
    dup = log[rng.random(len(log)) < WORKLOG_DUPLICATES]
    edges = np.array([month.shift(-1).workdays[-1], month.shift(1).workdays[0]], dtype="datetime64[D]")
    extra = staff.sample(n=max(2, len(staff) // 10), random_state=rng)
    outside = pd.DataFrame({"staff_id": extra["staff_id"].to_numpy(), "date": edges[rng.integers(0, 2, len(extra))]})
    log = pd.concat([log, dup, outside], ignore_index=True)
    return log.sort_values(["staff_id", "date"], kind="stable").reset_index(drop=True)


def build_deductions(rng: np.random.Generator, staff: pd.DataFrame, month: SampleMonth) -> pd.DataFrame:
    """A few deductions in M and one in the previous month: staff_id, points, reason, date."""
    active = staff[(staff["state"] == ACTIVE) & ~staff["role"].isin(["head", "deputy"])]
    n = max(3, round(len(staff["code"].unique()) * 1.5))
    who = active.sample(n=min(n + 1, len(active)), random_state=rng)
    days = np.array(month.workdays, dtype="datetime64[D]")
    dates = days[rng.integers(0, len(days), len(who))]
    dates[-1] = np.datetime64(month.shift(-1).workdays[-3])
    return pd.DataFrame({"staff_id": who["staff_id"].to_numpy(), "points": rng.choice([1, 2, 3, 5], len(who)),
                         "reason": rng.choice(DEDUCTION_REASONS, len(who)), "date": dates})


def build_assessment(rng: np.random.Generator, staff: pd.DataFrame) -> pd.DataFrame:
    """1000-point scores of heads and deputies, spread so every coefficient band is used."""
    leaders = staff[staff["role"].isin(["head", "deputy"]) & (staff["state"] == ACTIVE)]
    bands = np.array([HEAD_SCORE_BANDS[i % len(HEAD_SCORE_BANDS)] for i in range(len(leaders))])
    scores = rng.integers(bands[:, 0], bands[:, 1], endpoint=True) if len(leaders) else np.array([])
    return pd.DataFrame({"staff_id": leaders["staff_id"].to_numpy(), "score": scores})


def build_pool(rng: np.random.Generator, branches: pd.DataFrame, staff: pd.DataFrame) -> pd.DataFrame:
    """Each branch's performance-pay pool (绩效工资总额), about 14,000 CNY a head, in thousands."""
    heads = staff[staff["state"] != LEFT].groupby("code").size()
    base = branches["code"].map(heads).fillna(0).to_numpy() * POOL_PER_STAFF * rng.uniform(0.9, 1.1, len(branches))
    amount = np.round(np.clip(base, *POOL_RANGE), -3)
    return pd.DataFrame({"branch": branches["branch"], "amount": amount})
