"""A CSV whose header is wider than its rows (a header naming columns no row fills; Excel leaving out the
trailing empty fields of rows past the first ones): the header's width is the table's, as a CSV reader
takes it; shorter rows have empty cells at their end, only a row wider than the header is broken.

pandas' reader, which takes what Arrow's refuses, reads the extra leading fields of a first line wider
than the names it is given as an index (its "implicit index") instead of failing, which shifted every cell
and made the checks fail on tuples ("internal error: TypeError" from a 200-byte file): it gives such a
frame up for the careful reading, which reports a wide line (``ragged_row``)."""

from __future__ import annotations

import pandas as pd

from branchkit.cli import app
from branchkit.io.csvread import _pandas, read_csv_grid

WIDE = "员工号,姓名,网点,岗位,备注,电话\nS1,张三,城中,对公客户经理\nS2,李四,城中,综合柜员\nS3,王五,城中,网点负责人\n"


def test_pandas_reader_gives_up_on_a_first_line_wider_than_the_table():
    data = WIDE.encode()
    assert _pandas(data, ",", 4) is None                    # was a frame indexed by (员工号, 姓名), (S1, 张三), ...
    same_width = "员工号,姓名,网点,岗位\nS1,张三,城中,客户经理\n\nS2,李四,城中\n".encode()
    frame = _pandas(same_width, ",", 4)                      # a blank line, a short row: read as they are
    assert isinstance(frame.index, pd.RangeIndex)
    assert frame.iloc[3].tolist() == ["S2", "李四", "城中", ""]


def test_the_header_sets_the_width_and_shorter_rows_end_in_empty_cells():
    grid = read_csv_grid(WIDE.encode(), "员工.csv")
    rows = grid.frame.astype(object).values.tolist()
    assert grid.problems == []
    assert rows[0] == ["员工号", "姓名", "网点", "岗位", "备注", "电话"]
    assert rows[1:] == [["S1", "张三", "城中", "对公客户经理", "", ""], ["S2", "李四", "城中", "综合柜员", "", ""],
                        ["S3", "王五", "城中", "网点负责人", "", ""]]


def test_validate_reads_a_header_wider_than_its_rows(runner, tmp_path):
    path = tmp_path / "员工.csv"
    path.write_text(WIDE, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "-q"])
    assert result.exit_code == 0, result.output


def _excel_short_tail(rows: int, full: int) -> str:
    """Excel's CSV: the first ``full`` rows carry their trailing empty fields, the rest leave them out."""
    lines = ["江城分行员工名单（2026年10月）", "工号,姓名,岗位,所属网点,在岗,备注,电话"]
    for i in range(rows):
        cells = [f"{i:06d}", f"员工{i}", "对公客户经理", "城中支行", "在岗"]
        lines.append(",".join(cells + ["", ""] if i < full else cells))
    return "\n".join(lines) + "\n"


def test_rows_that_leave_out_their_trailing_empty_fields_are_read_whole(runner, tmp_path):
    # most rows are 5 fields wide, the header and the first 15 rows 7: before, the 15 full rows were rejected
    # as ragged and the header with them
    path = tmp_path / "员工.csv"
    path.write_text(_excel_short_tail(200, 15), encoding="utf-8")
    grid = read_csv_grid(path.read_bytes(), "员工.csv")
    assert grid.problems == [] and grid.frame.shape == (202, 7)
    assert grid.frame.iloc[199].tolist() == ["000197", "员工197", "对公客户经理", "城中支行", "在岗", "", ""]
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "staff: read 200, used 200, rejected 0" in result.output


def test_a_row_wider_than_the_header_is_still_broken():
    text = _excel_short_tail(30, 0).replace("000020,员工20,", "000020,员工,20,") + "000099,员工99,对公客户经理,城中支行,在岗,,,x\n"
    grid = read_csv_grid(text.encode(), "员工.csv")
    assert [(row, code) for row, code, _ in grid.problems] == [(32, "ragged_row")]   # 8 fields; the 6 are short
    assert grid.frame.iloc[22].tolist() == ["000020", "员工", "20", "对公客户经理", "城中支行", "在岗", ""]


def test_the_width_is_the_first_line_at_least_as_wide_as_most_rows():
    from branchkit.io.csvread import _width

    rows = "a,b,c\n" * 5
    assert _width("t,u\n" + rows, ",") == 3                    # a narrower title above: skipped
    assert _width("t,u,v\n" + rows, ",") == 3                  # as wide: the same width
    assert _width("t,u,v,w\n" + rows, ",") == 4                # wider: the header's width
    assert _width(rows + "a,b,c,d\n", ",") == 3                # a wider row below the rows: broken, not the width
    assert _width("a,b\nc,d\ne,f,g\nh,i,j\n", ",") == 3      # no count stands out: the widest
