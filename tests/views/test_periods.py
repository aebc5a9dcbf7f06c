"""The month a report is about, printed in its workbook's page headers (``Report.period``)."""

from __future__ import annotations

import pandas as pd

from branchkit.views.staff import _period


def test_staff_period_is_the_month_of_the_hourly_volumes():
    assert _period(pd.DataFrame({"date": pd.to_datetime(["2026-10-01", "2026-10-31"])})) == "2026-10"
    assert _period(pd.DataFrame({"date": pd.to_datetime(["2026-09-30", "2026-10-01"])})) == "2026-09–2026-10"
    assert _period(pd.DataFrame({"date": pd.Series([None, None], dtype="datetime64[s]")})) == ""
    assert _period(pd.DataFrame({"hour": [9]})) == ""
