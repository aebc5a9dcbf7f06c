"""A CSV whose first line is wider than its table (a header naming columns no row fills; a crafted file):
pandas' reader, which takes what Arrow's refuses, reads the extra leading fields of such a first line as an
index (its "implicit index") instead of failing, which shifted every cell and made the checks fail on
tuples ("internal error: TypeError" from a 200-byte file). Such a file goes to the careful reading, which
reports the wide line (``ragged_row``) and keeps every other cell in its column."""

from __future__ import annotations

import pandas as pd

from branchkit.cli import app
from branchkit.io.csvread import _pandas, read_csv_grid

WIDE = "员工号,姓名,网点,岗位,备注,电话\nS1,张三,城中,客户经理\nS2,李四,城中,综合柜员\nS3,王五,城中,网点负责人\n"


def test_pandas_reader_gives_up_on_a_first_line_wider_than_the_table():
    data = WIDE.encode()
    assert _pandas(data, ",", 4) is None                    # was a frame indexed by (员工号, 姓名), (S1, 张三), ...
    same_width = "员工号,姓名,网点,岗位\nS1,张三,城中,客户经理\n\nS2,李四,城中\n".encode()
    frame = _pandas(same_width, ",", 4)                      # a blank line, a short row: read as they are
    assert isinstance(frame.index, pd.RangeIndex)
    assert frame.iloc[3].tolist() == ["S2", "李四", "城中", ""]


def test_the_grid_keeps_every_cell_in_its_column_and_reports_the_wide_line():
    grid = read_csv_grid(WIDE.encode(), "员工.csv")
    rows = grid.frame.astype(object).values.tolist()
    assert grid.problems == [(0, "ragged_row", "the row has 6 fields, more than the 4 columns of the table")]
    assert rows[0] == ["员工号", "姓名", "网点", "岗位"]
    assert rows[1:] == [["S1", "张三", "城中", "客户经理"], ["S2", "李四", "城中", "综合柜员"],
                                         ["S3", "王五", "城中", "网点负责人"]]


def test_validate_reports_the_wide_line_and_never_fails_as_a_bug(runner, tmp_path):
    path = tmp_path / "员工.csv"
    path.write_text(WIDE, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "-q"])
    assert "internal error" not in result.output
    assert result.exit_code == 1
    assert "ragged_row" in result.output and "row 1: the row has 6 fields, more than the 4 columns" in result.output
