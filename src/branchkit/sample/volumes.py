"""Counter volumes (业务量): daily averages per branch and arrivals per working hour.

Daily corporate cash and non-cash volumes are chosen per branch type from a
short list of levels, away from the band edges, so that across branches
every counter band of DOMAIN §4 is hit. Hourly arrivals have a lunch peak
(11:00-13:00) and a busier Monday morning, and add up to about the daily
figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.rules import load_rules
from branchkit.sample.calendar import SampleMonth
from branchkit.sample.network import LEFT

# per branch type: levels of (daily transactions, corporate cash, corporate non-cash), used in turn
LEVELS = {
    "large": ((900, 160, 95), (760, 120, 70), (820, 70, 45)),
    "medium": ((600, 100, 65), (520, 140, 90), (480, 60, 40)),
    "general": ((560, 60, 40), (380, 100, 62), (300, 145, 88)),
    "township": ((180, 35, 46), (220, 44, 30), (150, 40, 44)),
}
JITTER = 3                       # +- on the corporate volumes, smaller than any level's distance to a band edge
HOURS = tuple(range(9, 17))      # counters open 9:00-17:00
HOUR_WEIGHT = np.array([0.9, 1.2, 1.6, 1.7, 1.4, 1.0, 0.9, 0.7])   # lunch peak 11-13
MONDAY_MORNING = 1.35            # 9:00-11:00 on Mondays
TRANSACTIONS_PER_ARRIVAL = 1.15
HANDLING = {"large": 280, "medium": 300, "general": 320, "township": 360}   # seconds


def build_daily(rng: np.random.Generator, branches: pd.DataFrame, staff: pd.DataFrame, scale: float = 1.0) -> pd.DataFrame:
    """branch, type, daily_transactions, corporate_cash, corporate_noncash, tellers_current.

    ``scale`` grows the total volume with the customer base (as the tellers
    grow); the corporate volumes keep their levels so every band stays hit.
    """
    level = [LEVELS[t][(code - 1) // 4 % 3] for t, code in zip(branches["type"], branches["code"])]
    level = np.array(level, dtype=float)
    n = len(branches)
    daily = np.round(level[:, 0] * scale * rng.uniform(0.95, 1.05, n))
    cash = level[:, 1] + rng.integers(-JITTER, JITTER + 1, n)
    noncash = level[:, 2] + rng.integers(-JITTER, JITTER + 1, n)
    tellers = load_rules().staffing.teller_roles
    on_books = staff[(staff["state"] != LEFT) & staff["role"].isin(tellers)].groupby("code").size()
    return pd.DataFrame({
        "branch": branches["branch"], "type": branches["type"], "daily_transactions": daily.astype(int),
        "corporate_cash": cash.astype(int), "corporate_noncash": noncash.astype(int),
        "tellers_current": branches["code"].map(on_books).fillna(0).astype(int).to_numpy(),
    })


def build_hourly(rng: np.random.Generator, daily: pd.DataFrame, month: SampleMonth) -> pd.DataFrame:
    """branch, date, hour (start), arrivals, handling_seconds for every working day and hour."""
    days = np.array(month.workdays, dtype="datetime64[D]")
    monday = np.array([d.weekday() == 0 for d in month.workdays])
    b, d, h = np.meshgrid(np.arange(len(daily)), np.arange(len(days)), np.arange(len(HOURS)), indexing="ij")
    b, d, h = b.ravel(), d.ravel(), h.ravel()
    share = HOUR_WEIGHT / HOUR_WEIGHT.sum()
    morning = monday[d] & (np.array(HOURS)[h] < 11)
    lam = (daily["daily_transactions"].to_numpy()[b] / TRANSACTIONS_PER_ARRIVAL * share[h]
           * np.where(morning, MONDAY_MORNING, 1.0) * rng.uniform(0.85, 1.15, len(b)))
    handling = daily["type"].map(HANDLING).to_numpy()[b] * rng.normal(1.0, 0.08, len(b))
    return pd.DataFrame({
        "branch": daily["branch"].to_numpy()[b], "date": days[d], "hour": np.array(HOURS)[h],
        "arrivals": rng.poisson(lam), "handling_seconds": np.round(handling).astype(int),
    })
