"""Build a whole sample network from a seed: every ledger as DataFrames, nothing written."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from branchkit.errors import UsageError
from branchkit.sample import allocation, ledgers, written
from branchkit.sample.calendar import SampleMonth, parse_month
from branchkit.sample.customers import build_customers, open_date_cells
from branchkit.sample.keepers import assign_keepers
from branchkit.sample.network import MAX_SCALE_ASKED, build_branches, build_staff, headcount, scale_for_headcount, staff_scale
from branchkit.sample.plans import Plan, build_plan
from branchkit.sample.visits import build_visits
from branchkit.sample.volumes import build_daily, build_hourly

MAX_BRANCHES = 999                # staff ids are three digits of branch, three of person
MAX_CUSTOMERS = 1_048_575         # one sheet of Excel holds 1,048,576 rows
MIN_CUSTOMERS_PER_BRANCH = 20
# One random stream per part, so changing how one part is drawn leaves the others as they were.
STREAMS = ("staff", "customers", "keepers", "cells", "previous", "claims", "plan", "visits", "referrals",
           "sales", "worklog", "deductions", "assessment", "pool", "volumes", "written")


@dataclass(frozen=True)
class SampleConfig:
    """What to generate: network size, seed and the month whose month-end job it is."""

    branches: int = 4
    customers: int = 3000
    seed: int = 7
    month: str = "2026-10"
    staff: int | None = None      # about this many staff in all; None: grows with the customers

    def scale(self) -> float:
        """How many times the base headcount the scaled roles (RMs, tellers) of every branch have."""
        if self.staff is None:
            return staff_scale(self.branches, self.customers)
        return scale_for_headcount(self.branches, self.staff)

    def checked(self) -> SampleMonth:
        """The month, after checking every argument (UsageError naming the bad one)."""
        if not 1 <= self.branches <= MAX_BRANCHES:
            raise UsageError(f"--branches {self.branches}: give 1 to {MAX_BRANCHES}")
        low = MIN_CUSTOMERS_PER_BRANCH * self.branches
        if not low <= self.customers <= MAX_CUSTOMERS:
            raise UsageError(f"--customers {self.customers}: give {low} to {MAX_CUSTOMERS} "
                             f"({MIN_CUSTOMERS_PER_BRANCH} a branch at least; Excel's row limit at most)")
        if self.staff is not None:
            low, high = headcount(self.branches, 1.0), headcount(self.branches, MAX_SCALE_ASKED)
            if not low <= self.staff <= high:
                raise UsageError(f"--staff {self.staff}: give {low} to {high} for {self.branches} branches "
                                 "(every post of every branch at least)")
        if self.seed < 0:
            raise UsageError(f"--seed {self.seed}: give a number >= 0")
        return parse_month(self.month)


@dataclass(frozen=True)
class Sample:
    """A generated network: canonical frames plus the small ledgers as written (Chinese headers)."""

    config: SampleConfig
    month: SampleMonth
    branches: pd.DataFrame
    staff: pd.DataFrame
    customers: pd.DataFrame      # every customer of the five month-ends, with as-written cells
    previous: pd.DataFrame       # last month's allocation, canonical columns
    claims: pd.DataFrame
    plan: Plan
    visits: pd.DataFrame
    referrals: pd.DataFrame
    sales: pd.DataFrame
    worklog: pd.DataFrame
    deductions: pd.DataFrame
    assessment: pd.DataFrame
    pool: pd.DataFrame
    daily: pd.DataFrame
    hourly: pd.DataFrame
    filled: dict[str, pd.DataFrame]   # claims, visits, sales as staff filled them in (drawn from the seed)


def _streams(seed: int) -> dict[str, np.random.Generator]:
    return {name: np.random.default_rng([seed, i]) for i, name in enumerate(STREAMS)}


def build_sample(config: SampleConfig) -> Sample:
    """Generate every ledger of the network described by ``config`` (pure: same config, same frames)."""
    month = config.checked()
    rng = _streams(config.seed)
    branches = build_branches(config.branches)
    scale = config.scale()
    staff = build_staff(rng["staff"], branches, scale)
    customers = build_customers(rng["customers"], branches, config.customers, month)
    customers = assign_keepers(rng["keepers"], customers, staff)
    customers = written.customer_cells(rng["cells"], customers, staff)
    customers["open_cell"] = open_date_cells(rng["cells"], customers["open_date"])
    claims = allocation.build_claims(rng["claims"], customers, staff, month)
    plan = build_plan(rng["plan"], customers, staff, month)
    visits = build_visits(rng["visits"], plan, customers, staff, month)
    sales = ledgers.build_sales(rng["sales"], customers, staff, month)
    daily = build_daily(rng["volumes"], branches, staff, scale)
    w = rng["written"]
    return Sample(
        config=config, month=month, branches=branches, staff=staff, customers=customers,
        previous=allocation.previous_allocation(rng["previous"], customers, staff),
        claims=claims, plan=plan, visits=visits,
        referrals=ledgers.build_referrals(rng["referrals"], customers, staff, month),
        sales=sales,
        worklog=ledgers.build_worklog(rng["worklog"], staff, month),
        deductions=ledgers.build_deductions(rng["deductions"], staff, month),
        assessment=ledgers.build_assessment(rng["assessment"], staff),
        pool=ledgers.build_pool(rng["pool"], branches, staff),
        daily=daily, hourly=build_hourly(rng["volumes"], daily, month),
        filled={"claims": written.claims_written(w, claims, customers, staff),
                "visits": written.visits_written(w, visits, customers, staff),
                "sales": written.sales_written(w, sales, staff, customers)},
    )
