"""io.ledger.one_chunk: a text column joined from many parts (a Gantt workbook's sheets) made one Arrow chunk."""

from __future__ import annotations

import pandas as pd
import pytest

from branchkit.io.ledger import MANY_CHUNKS, one_chunk


def _joined(parts: int) -> pd.DataFrame:
    frames = [pd.DataFrame({"name": pd.Series([f"客户{i}", None], dtype="str"), "n": [i, i]}) for i in range(parts)]
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize(("parts", "chunks"), [(MANY_CHUNKS, MANY_CHUNKS), (MANY_CHUNKS + 1, 1)])
def test_more_than_the_limit_of_chunks_become_one_and_the_values_stay(parts, chunks):
    joined = _joined(parts)
    assert joined["name"].array._pa_array.num_chunks == parts
    out = one_chunk(joined)
    assert out["name"].array._pa_array.num_chunks == chunks
    assert out["name"].dtype == "str" and out["name"].isna().sum() == parts
    assert out["name"].fillna("-").tolist() == joined["name"].fillna("-").tolist()
    assert out["n"].tolist() == joined["n"].tolist() and list(out.index) == list(joined.index)


def test_a_network_gantt_workbook_is_read_in_one_chunk_per_column(book, read_ledgers):
    sheets = {f"计划{i:03d}": [[f"客户经理:E{i:03d}"], ["2026年10月"], ["项目/客户", 1, 2, 3],
                               [f"客户{i}", "x", None, None]] for i in range(MANY_CHUNKS + 6)}
    _, frames, _ = read_ledgers(book("甘特图.xlsx", sheets))
    plan = frames["plan"]
    assert plan["staff_id"].nunique() == MANY_CHUNKS + 6
    assert plan["customer_name"].array._pa_array.num_chunks == 1
