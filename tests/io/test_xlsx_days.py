"""A date column of datetimes is written as its days straight from the datetimes, not through the ISO
text the machine columns make of it: the serials must be those of that text (the time of day dropped,
before 1970 too, a missing date a blank cell)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import xlsx
from branchkit.io.display import _iso_dates
from branchkit.io.options import WriteOptions
from branchkit.io.tables import Table
from branchkit.io.xlsxpackage import Workbook
from branchkit.io.xlsxrows import date_serials
from branchkit.io.xlsxstyles import CellFormats

_SECONDS = (int(np.datetime64("1000-01-01T00:00:00", "s").astype("int64")),
            int(np.datetime64("9999-12-31T23:59:59", "s").astype("int64")))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(*_SECONDS)), min_size=1, max_size=8))
def test_the_days_of_datetimes_are_the_days_of_their_iso_text(seconds):
    values = pd.Series(np.array([np.datetime64("NaT") if s is None else np.datetime64(s, "s") for s in seconds],
                                dtype="datetime64[s]"))
    assert np.array_equal(date_serials(values), date_serials(_iso_dates(values)), equal_nan=True)


def test_a_date_column_of_datetimes_is_prepared_from_its_days(tmp_path, monkeypatch):
    asked: list[list[str]] = []
    original = xlsx.machine_columns

    def recording(table, **kwargs):
        asked.append(list(table.frame.columns))
        return original(table, **kwargs)

    monkeypatch.setattr(xlsx, "machine_columns", recording)
    dates = pd.Series(np.array(["2026-10-05T13:45", "1969-12-31T23:00", "NaT", "1900-03-01T00:00"],
                               dtype="datetime64[s]"))
    frame = pd.DataFrame({"name": ["甲", "乙", "丙", "丁"], "opened": dates, "text_date": _iso_dates(dates)})
    table = Table("t", frame, "t", "t", formats={"opened": "date", "text_date": "date"})
    styles = CellFormats(Workbook(tmp_path / "unused.xlsx"))
    columns, _, _, rows = xlsx._prepare(table, list(frame.columns), ["text", "date", "date"], styles, WriteOptions(),
                                        [])
    assert asked == [["name", "text_date"]]          # the datetimes are not made text first
    assert rows == 4
    assert columns[1].values.to_pylist() == ["46300", "25568", None, "61"]
    assert columns[1].values.to_pylist() == columns[2].values.to_pylist()
