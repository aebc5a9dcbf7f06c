"""The customer base over five month-ends (M-4 .. M), generated column-wise.

One row per customer who appears in any of the five snapshots. ``first`` and
``last`` are the month offsets (relative to M, ``OLD`` = before M-4) between
which the customer is on the books, so a snapshot is a boolean mask. Balances
are drawn at month end and drifted backwards, month by month: some accounts
do not move, the others wander a little, so a realistic share of customers'
deposits rise in any month and a few cross a tier boundary.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from branchkit.sample.calendar import SampleMonth
from branchkit.sample.ids import credit_codes, customer_ids, mobiles, resident_ids
from branchkit.sample.names import (INDUSTRY_NAMES, INDUSTRY_SHARES, TOWNS, company_names,
                                    cooperative_names, person_names, unique_within)

OFFSETS = (-4, -3, -2, -1, 0)
OLD = -99
# corporate, retail, agri shares of a branch's customers
KIND_SHARES = {"township": (0.06, 0.54, 0.40), "other": (0.14, 0.82, 0.04)}
KINDS = np.array(["corporate", "retail", "agri"], dtype=object)
BRANCH_WEIGHT = {"large": 4.0, "medium": 3.0, "general": 2.0, "township": 1.5}
TARGET_SHARE = 0.10        # of corporates: prospects with no account yet
NEW_SHARE = 0.012          # of the month-end base, opened in each of the last four months
LOST_SHARE = 0.005         # of the base, closed after each of the four months before M
COOPERATIVE_SHARE = 0.10   # of agri customers: cooperatives rather than households
SCALES = np.array(["large", "medium", "small", "micro"], dtype=object)
SCALE_SHARES = np.array([0.03, 0.12, 0.40, 0.45])
SCALE_DEPOSIT = np.array([20.0, 5.0, 1.0, 0.25])
TECH_SHARE = {"信息技术服务": 0.6, "制造": 0.2}
TECH_SHARE_OTHER = 0.05
# lognormal (median CNY, sigma) of month-end deposits and of loans, by kind
DEPOSIT = {"corporate": (300_000, 1.3), "retail": (30_000, 1.6), "agri": (16_000, 1.4)}
LOAN = {"corporate": (2_500_000, 1.0), "retail": (320_000, 0.9), "agri": (120_000, 0.8)}
LOAN_SHARE = {"corporate": 0.10, "retail": 0.08, "agri": 0.08}
WEALTH_SHARE, WEALTH = 0.30, (90_000, 1.1)   # retail customers holding wealth products too
STILL_SHARE = 0.30         # accounts whose balance does not move in a month
DRIFT = (0.015, 0.12)      # lognormal monthly growth of the others


def col(field: str, offset: int) -> str:
    """Column of ``field`` (deposit, loan, financial_assets) at month offset ``offset``."""
    return f"{field}_m{-offset}"


def build_customers(rng: np.random.Generator, branches: pd.DataFrame, n: int, month: SampleMonth) -> pd.DataFrame:
    """Every customer of the five snapshots, with ``n`` of them on the books at the end of M."""
    n_lost = max(2, round(LOST_SHARE * n))
    total = n + 4 * n_lost
    frame = _places(rng, branches, total)
    _lifetimes(rng, frame, n, n_lost)
    frame["open_date"] = _open_dates(rng, frame, month)
    frame.insert(0, "customer_id", _ids_by_age(rng, frame))
    # sort while the frame is narrow: ledgers list customers by branch, then number
    frame = frame.sort_values(["code", "customer_id"], kind="stable").reset_index(drop=True)
    _identity(rng, frame, month)
    _balances(rng, frame)
    return frame


def _places(rng: np.random.Generator, branches: pd.DataFrame, total: int) -> pd.DataFrame:
    weights = branches["type"].map(BRANCH_WEIGHT).to_numpy()
    at = rng.choice(len(branches), size=total, p=weights / weights.sum())
    township = (branches["type"].to_numpy() == "township")[at]
    kind = np.where(township, rng.choice(3, total, p=KIND_SHARES["township"]),
                    rng.choice(3, total, p=KIND_SHARES["other"]))
    return pd.DataFrame({
        "branch": branches["branch"].to_numpy()[at],
        "code": branches["code"].to_numpy()[at],
        "kind": KINDS[kind],
    })


def _lifetimes(rng: np.random.Generator, frame: pd.DataFrame, n: int, n_lost: int) -> None:
    """first/last month offsets; targets: 10% of the corporates always on the books."""
    total = len(frame)
    first = np.full(total, OLD)
    last = np.zeros(total, dtype=int)
    order = rng.permutation(total)
    lost = order[: 4 * n_lost]
    last[lost] = np.repeat([-4, -3, -2, -1], n_lost)
    n_new = max(2, round(NEW_SHARE * n))
    pool = order[4 * n_lost:]
    pool = pool[frame["kind"].to_numpy()[pool] != "corporate"][: 3 * n_new].tolist() + \
        pool[frame["kind"].to_numpy()[pool] == "corporate"][: n_new].tolist()
    pool = rng.permutation(np.array(pool))
    per_month = len(pool) // 4
    first[pool[: 4 * per_month]] = np.repeat([-3, -2, -1, 0], per_month)
    frame["first"] = first
    frame["last"] = last
    corporate_old = (frame["kind"] == "corporate").to_numpy() & (first == OLD) & (last == 0)
    frame["status"] = np.where(corporate_old & (rng.random(total) < TARGET_SHARE), "target", "existing")


def _open_dates(rng: np.random.Generator, frame: pd.DataFrame, month: SampleMonth) -> np.ndarray:
    """Account opening dates (NaT for targets): before M-4 for old customers, in their month for new ones."""
    oldest = np.datetime64(dt.date(month.year - 20, 1, 1))
    old_end = np.datetime64(month.shift(-4).end)
    days = oldest + rng.integers(0, (old_end - oldest).astype(int) + 1, len(frame)).astype("timedelta64[D]")
    for offset in OFFSETS[1:]:
        m = month.shift(offset)
        rows = (frame["first"] == offset).to_numpy()
        span = (m.end - m.start).days + 1
        days[rows] = np.datetime64(m.start) + rng.integers(0, span, rows.sum()).astype("timedelta64[D]")
    days = days.astype("datetime64[ns]")
    days[(frame["status"] == "target").to_numpy()] = np.datetime64("NaT")
    return days


def _ids_by_age(rng: np.random.Generator, frame: pd.DataFrame) -> np.ndarray:
    """Core systems number customers in opening order; prospects got theirs at random."""
    key = frame["open_date"].to_numpy().astype("int64").astype(float)
    targets = (frame["status"] == "target").to_numpy()
    key[targets] = rng.uniform(key[~targets].min(), key[~targets].max(), targets.sum())
    ids = np.empty(len(frame), dtype=object)
    ids[np.argsort(key, kind="stable")] = customer_ids(rng, len(frame))
    return ids


def _identity(rng: np.random.Generator, frame: pd.DataFrame, month: SampleMonth) -> None:
    """Names, corporate attributes, ID numbers and phones."""
    total = len(frame)
    kind = frame["kind"].to_numpy()
    corporate = kind == "corporate"
    coop = (kind == "agri") & (rng.random(total) < COOPERATIVE_SHARE)
    industry = np.where(corporate, INDUSTRY_NAMES[rng.choice(len(INDUSTRY_NAMES), total, p=INDUSTRY_SHARES)], "")
    names = person_names(rng, total)
    names[corporate] = company_names(rng, industry[corporate])
    names[coop] = cooperative_names(rng, _towns(rng, frame.loc[coop, "branch"].to_numpy()))
    organisations = corporate | coop

    def redraw(r: np.random.Generator, k: int) -> np.ndarray:
        return company_names(r, INDUSTRY_NAMES[r.choice(len(INDUSTRY_NAMES), k, p=INDUSTRY_SHARES)])

    # organisation names are unique network-wide (plans and visits may name them alone)
    names[organisations] = unique_within(rng, names[organisations], np.zeros(organisations.sum()), redraw)
    frame["name"] = names
    frame["scale"] = np.where(corporate, SCALES[rng.choice(4, total, p=SCALE_SHARES)], "")
    frame["industry"] = industry
    tech_p = np.array([TECH_SHARE.get(i, TECH_SHARE_OTHER) for i in INDUSTRY_NAMES])
    tech_p = pd.Series(industry).map(dict(zip(INDUSTRY_NAMES, tech_p))).fillna(0).to_numpy()
    frame["is_tech"] = corporate & (rng.random(total) < tech_p)
    frame["id_number"] = _id_numbers(rng, frame, corporate, coop, month)
    phones = mobiles(rng, total)
    phones[(frame["status"] == "target").to_numpy() & (rng.random(total) < 0.5)] = ""
    frame["phone"] = phones


def _towns(rng: np.random.Generator, branch: np.ndarray) -> np.ndarray:
    """The town of a township branch, else a town of the county."""
    town = np.array([b[:-2] if b.endswith("镇支行") else "" for b in branch], dtype=object)
    empty = town == ""
    town[empty] = np.array(TOWNS, dtype=object)[rng.integers(0, len(TOWNS), empty.sum())]
    return town


def _id_numbers(rng: np.random.Generator, frame: pd.DataFrame, corporate: np.ndarray,
                coop: np.ndarray, month: SampleMonth) -> np.ndarray:
    total = len(frame)
    latest = np.datetime64(dt.date(month.year - 20, month.month, 1))
    births = latest - rng.integers(0, 60 * 365, total).astype("timedelta64[D]")
    ids = resident_ids(rng, births)
    ids[corporate] = credit_codes(rng, int(corporate.sum()), "91")
    ids[coop] = credit_codes(rng, int(coop.sum()), "93")
    return ids


def _lognormal(rng: np.random.Generator, kind: np.ndarray, table: dict[str, tuple[float, float]]) -> np.ndarray:
    out = np.zeros(len(kind))
    for name, (median, sigma) in table.items():
        rows = kind == name
        out[rows] = rng.lognormal(np.log(median), sigma, rows.sum())
    return out


def _balances(rng: np.random.Generator, frame: pd.DataFrame) -> None:
    """deposit/loan/financial_assets at each month end; targets have none (NaN)."""
    total = len(frame)
    kind = frame["kind"].to_numpy()
    corporate = kind == "corporate"
    deposit = _lognormal(rng, kind, DEPOSIT)
    scale_mult = pd.Series(frame["scale"]).map(dict(zip(SCALES, SCALE_DEPOSIT))).fillna(1.0).to_numpy()
    deposit *= scale_mult
    has_loan = rng.random(total) < pd.Series(kind).map(LOAN_SHARE).to_numpy()
    loan = np.where(has_loan, _lognormal(rng, kind, LOAN) * np.sqrt(scale_mult), 0.0)
    wealth = np.where(~corporate & (rng.random(total) < WEALTH_SHARE),
                      rng.lognormal(np.log(WEALTH[0]), WEALTH[1], total), 0.0)
    # corporate ledgers show 万元 with 2 decimals, so their amounts are whole hundreds of yuan
    def cents(x: np.ndarray) -> np.ndarray:
        return np.where(corporate, np.round(x, -2), np.round(x, 2))

    target = (frame["status"] == "target").to_numpy()
    for offset in reversed(OFFSETS):
        if offset < 0:
            deposit = deposit / _growth(rng, total)
            wealth = wealth / _growth(rng, total)
            loan = loan * (1 + rng.uniform(0, 0.02, total))     # loans amortise: larger in the past
        dep = cents(deposit)
        frame[col("deposit", offset)] = np.where(target, np.nan, dep)
        frame[col("loan", offset)] = np.where(target, np.nan, cents(loan))
        frame[col("financial_assets", offset)] = np.where(corporate, np.nan, np.round(dep + wealth, 2))


def _growth(rng: np.random.Generator, n: int) -> np.ndarray:
    still = rng.random(n) < STILL_SHARE
    return np.where(still, 1.0, rng.lognormal(DRIFT[0], DRIFT[1], n))


def open_date_cells(rng: np.random.Generator, open_date: pd.Series) -> np.ndarray:
    """Opening dates as ledgers hold them: mostly real dates, some typed as text in three ways."""
    days = open_date.to_numpy().astype("datetime64[D]")
    missing = np.isnat(days)
    days = np.where(missing, np.datetime64("2000-01-01"), days)
    y = days.astype("datetime64[Y]").astype(int) + 1970
    m = days.astype("datetime64[M]").astype(int) % 12 + 1
    d = (days - days.astype("datetime64[M]")).astype(int) + 1
    ys, ms, ds = (a.astype(str).astype(object) for a in (y, m, d))
    form = rng.choice(4, len(days), p=[0.62, 0.14, 0.14, 0.10])
    cells = np.select([form == 1, form == 2, form == 3],
                      [ys + "年" + ms + "月" + ds + "日", ys + "/" + ms + "/" + ds,
                       (y * 10000 + m * 100 + d).astype(str).astype(object)], None).astype(object)
    real = form == 0
    cells[real] = days[real].astype(dt.date)
    cells[missing] = None
    return cells
