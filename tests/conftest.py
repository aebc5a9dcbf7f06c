"""Shared fixtures."""

from __future__ import annotations

import pytest
from hypothesis import settings
from typer.testing import CliRunner

# No per-example deadline for hypothesis (its default is 200 ms): a deadline is a timed assertion, and on a
# loaded machine test_masking's examples went past it while nothing was wrong. Speed is measured in
# benchmarks/, never asserted in tests.
settings.register_profile("branchkit", deadline=None)
settings.load_profile("branchkit")


@pytest.fixture
def runner() -> CliRunner:
    """A CLI runner that keeps stderr apart from stdout."""
    return CliRunner()


from pathlib import Path
from typing import Any, Iterable

import openpyxl
import zipfile


def write_book(path: Path, sheets: dict[str, list[list[Any]]], *, merges: dict[str, list[str]] | None = None,
               hidden: Iterable[str] = (), date1904: bool = False) -> Path:
    """An .xlsx with the given sheets (rows of cell values), merged ranges and hidden sheets."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if date1904:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        book.epoch = CALENDAR_MAC_1904
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for rng in (merges or {}).get(name, []):
            sheet.merge_cells(rng)
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


@pytest.fixture
def book(tmp_path):
    """Write an .xlsx under tmp_path: book("name.xlsx", {"sheet": rows}, merges=..., hidden=...)."""

    def make(name: str, sheets: dict[str, list[list[Any]]], **kwargs: Any) -> Path:
        return write_book(tmp_path / name, sheets, **kwargs)

    return make


@pytest.fixture
def read_ledgers():
    """Read sources with the default rules: returns (inputs, frames by kind, problem frame)."""
    from branchkit.core.checks import cross_check
    from branchkit.io.discover import load_inputs
    from branchkit.rules import load_rules

    def read(*sources: Any, kind: str | None = None, check: bool = False):
        inputs = load_inputs(load_rules(), list(sources), force_kind=kind)
        frames = {k: ledger.frame for k, ledger in inputs.ledgers.items()}
        if check:
            cross_check(frames, inputs.log)
        return inputs, frames, inputs.log.frame()

    return read


def write_package(path: Path, parts: dict[str, str]) -> None:
    """A minimal xlsx package from raw XML parts (one sheet named 客户清单), for odd and hostile files."""
    base = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
        '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="客户清单" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in {**base, **parts}.items():
            zf.writestr(name, text)



@pytest.fixture
def package():
    """Build a minimal xlsx package from raw XML parts."""
    return write_package


# --- a small branch's month (branchkit score): one definition for core and CLI tests --------------
#
# 城中支行, October 2026. Working days: the 22 weekdays minus the National Day holidays that fall on
# weekdays (1, 2, 5, 6, 7 October) plus the make-up Saturday 10 October = 18.

import datetime as _dt

import pandas as _pd

CITY = "城中支行"
CITY_RULES = """\
[calendar]
holidays = [2026-10-01, 2026-10-02, 2026-10-05, 2026-10-06, 2026-10-07]
extra_workdays = [2026-10-10]

[pay]
piece_rates = { "手机银行" = 5 }
"""
WORKING_DAYS = [8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30]
#: staff_id, name, role key, role as the ledger writes it, state, state as written
CITY_STAFF = [
    ("S01", "王强", "head", "行长", "active", "在岗"),
    ("S02", "李敏", "deputy", "副行长", "active", "在岗"),
    ("S03", "张伟", "corporate_rm", "对公客户经理", "active", "在岗"),
    ("S04", "刘洋", "corporate_rm", "对公客户经理", "active", "在岗"),
    ("S05", "陈静", "retail_rm", "个人客户经理", "active", "在岗"),
    ("S06", "杨帆", "low_counter", "低柜柜员", "active", "在岗"),
    ("S07", "赵磊", "high_counter", "高柜柜员", "on_leave", "休假"),
    ("S08", "黄丽", "lobby_manager", "大堂经理", "active", "在岗"),
    ("S09", "周杰", "retail_rm", "个人客户经理", "left", "离职"),
]


def _day(d: int, month: int = 10) -> _dt.date:
    return _dt.date(2026, month, d)


def _city_customers() -> tuple[list[dict], list[dict]]:
    """(month start, month end): customer_id, name, kind, deposit, keeper, marketer, status."""
    def c(cid, deposit, keeper, marketer=None, status="existing", kind="corporate"):
        return {"customer_id": cid, "name": f"客户{cid}", "kind": kind, "branch": CITY, "deposit": deposit,
                "keeper": keeper, "marketer": marketer, "status": status}
    start = [c("C001", 100_000, "S03"), c("C002", 50_000, "S03"), c("C003", 10_000, "S03"),
             c("C004", 80_000, "S03"), c("C005", 200_000, "S04"), c("C006", 1_000, "S04"),
             c("C007", 5_000, "S05", kind="retail"), c("C008", 3_000, "S08", kind="retail"),
             c("C009", 2_000_000, "S01"), c("C010", 9_000, "S06"), c("C011", 7_000, "S07"),
             c("C012", 10_000, "S05")]
    end = [c("C001", 120_000, "S03"), c("C002", 50_000.01, "S03"), c("C003", 10_500, "S03"),
           c("C004", 70_000, "S03"), c("C005", 250_000, "S04"), c("C006", 1_500, "S04"),
           c("C007", 6_000, "S05", kind="retail"), c("C008", 3_500, "S08", kind="retail"),
           c("C009", 2_100_000, "S01"), c("C010", 9_000, "S06"), c("C012", 20_000, "S04"),
           c("C101", 5_000, "S03", "S03"), c("C102", 8_000, "S03", "S04"), c("C103", 1_000, "S04", "S04"),
           c("C104", 2_000, "S04"), c("C105", 3_000, "S05", kind="retail"),
           c("C106", 4_000, "S06", "S08", kind="retail"), c("C107", 0, "S03", status="target")]
    return start, end


def city_ledgers() -> dict[str, list[dict]]:
    """Every ledger of the month as rows of canonical fields (staff named by id)."""
    start, end = _city_customers()
    visits = ([{"visit_date": _day(d), "staff_id": "S03", "customer_id": "C001", "kind": "outbound"}
               for d in WORKING_DAYS[:9]]
              + [{"visit_date": _day(28, 9), "staff_id": "S03", "customer_id": "C002", "kind": "outbound"},
                 {"visit_date": _day(21), "staff_id": "S03", "customer_id": "C003", "kind": "phone"}]
              + [{"visit_date": _day(d), "staff_id": "S04", "customer_id": "C005", "kind": "outbound"}
                 for d in WORKING_DAYS[:15]]
              + [{"visit_date": _day(d), "staff_id": "S05", "customer_id": "C007", "kind": "outbound"}
                 for d in (13, 14)])
    referrals = [{"date": _day(d), "referrer": who, "customer_name": f"客户C00{i % 9 + 1}"}
                 for i, (who, d) in enumerate([("S03", 9), ("S05", 12), ("S05", 13), ("S06", 8), ("S06", 9),
                                               ("S06", 12), ("S06", 13), ("S06", 14), ("S07", 15), ("S08", 16),
                                               ("S08", 19), ("S08", 20)])]
    referrals.append({"date": _day(30, 9), "referrer": "S06", "customer_name": "客户C001"})
    sale = lambda d, product, customer, closer, lead, rate, month=10: {  # noqa: E731
        "date": _day(d, month), "product": product, "customer": customer, "closer": closer, "lead": lead,
        "piece_rate": rate}
    sales = [sale(9, "信用卡", "客户C001", "S03", "S06", 100.00), sale(12, "对公结算", "客户C002", "S03", None, 200.00),
             sale(13, "基金", "客户C003", "S03", None, 33.33), sale(14, "手机银行", "客户C001", "S03", None, None),
             sale(15, "贷款", "客户C005", "S04", "S05", 150.00), sale(16, "信用卡", "客户C006", "S04", None, 10.01)]
    sales += [sale(d, "理财", "客户C007", "S05", None, 16.67) for d in (19, 20, 21, 22, 23, 26)]
    sales += [sale(20, "信用卡", "客户C010", "S07", None, 20.00), sale(21, "基金", "客户C011", "S09", None, 80.00),
              sale(29, "理财", "客户C001", "S03", None, 500.00, month=9)]
    log = lambda who, days: [{"staff_id": who, "date": _day(d)} for d in days]  # noqa: E731
    worklog = (log("S01", WORKING_DAYS + [1]) + log("S03", WORKING_DAYS + [8, 17]) + log("S04", WORKING_DAYS[:9])
               + log("S05", WORKING_DAYS) + [{"staff_id": "S05", "date": _day(30, 9)}]
               + log("S06", WORKING_DAYS + [9]) + log("S07", WORKING_DAYS[:9]))
    deductions = [{"staff_id": "S04", "points": 3.0, "reason": "迟到", "date": _day(15)},
                  {"staff_id": "S04", "points": 2.0, "reason": "早退", "date": _day(20, 9)},
                  {"staff_id": "S06", "points": 1.0, "reason": "差错", "date": _day(20)}]
    staff = [{"staff_id": s, "name": n, "role": r, "branch": CITY, "state": st} for s, n, r, _, st, _ in CITY_STAFF]
    return {"staff": staff, "customers_start": start, "customers": end, "visits": visits, "referrals": referrals,
            "sales": sales, "worklog": worklog, "deductions": deductions,
            "assessment": [{"staff_id": "S01", "score": 860.0}, {"staff_id": "S02", "score": 920.0}],
            "pool": [{"branch": CITY, "amount": 40_000.00}]}


#: Where each ledger is in the folder the CLI tests write: file (= sheet) name; data start on row 3.
CITY_FILES = {"staff": "员工", "customers_start": "月初客户清单", "customers": "客户清单", "visits": "拜访记录",
              "referrals": "柜员识别客户登记表", "sales": "产品营销", "worklog": "工作日志", "deductions": "扣分",
              "assessment": "千分制", "pool": "绩效工资"}
FIRST_ROW = 3


def city_frames() -> dict[str, _pd.DataFrame]:
    """The ledgers as the reader gives them: canonical columns, dtypes, and file/sheet/row of each row."""
    from branchkit.models.ledgers import empty_frame
    from branchkit.models.ledgers import derive

    out = {}
    for kind, rows in city_ledgers().items():
        template = empty_frame(kind)
        frame = _pd.DataFrame(rows).reindex(columns=[c for c in template.columns if not c.startswith("_")])
        for column in frame.columns:
            frame[column] = frame[column].astype(template[column].dtype) if column in template else frame[column]
        if kind == "staff":
            frame = derive(kind, frame.drop(columns=["active"]))
        name = CITY_FILES[kind]
        frame["_file"], frame["_sheet"] = f"{name}.xlsx", name
        frame["_row"] = _pd.Series(range(FIRST_ROW, FIRST_ROW + len(frame)), dtype="int64")
        frame["_rid"] = _pd.Series(range(len(frame)), dtype="int64")
        out[kind] = frame
    return out


@pytest.fixture
def city() -> dict[str, _pd.DataFrame]:
    """The small branch's ledgers as canonical frames."""
    return city_frames()


@pytest.fixture
def city_rules(tmp_path):
    """The rules of the small branch's month (holidays, a piece rate for 手机银行)."""
    from branchkit.rules import load_rules

    path = tmp_path / "city_rules.toml"
    path.write_text(CITY_RULES, encoding="utf-8")
    return load_rules(path)


_WRITTEN = {
    "role": {s: written for s, _, _, written, _, _ in CITY_STAFF},
    "state": {"active": "在岗", "on_leave": "休假", "left": "离职"},
    "kind": {"corporate": "对公", "retail": "个人", "outbound": "外拓", "phone": "电话"},
    "status": {"existing": "存量", "target": "目标"},
}
#: Ledgers whose people the folder names by name (as branches write them), not by staff id.
_BY_NAME = {"visits": ["staff_id"], "referrals": ["referrer"], "sales": ["closer", "lead"], "customers": ["keeper"]}


def write_city_folder(folder) -> None:
    """The small branch's ledgers as a branch keeps them: one workbook each, a title row, Chinese headers."""
    import openpyxl

    from branchkit.models.ledgers import LEDGERS

    folder.mkdir(parents=True, exist_ok=True)
    names = {s: n for s, n, *_ in CITY_STAFF}
    roles = {s: r for s, _, r, *_ in CITY_STAFF}
    for kind, rows in city_ledgers().items():
        columns = LEDGERS[kind].columns()
        fields = [f for f in columns if any(f in row for row in rows)]
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = CITY_FILES[kind]
        sheet.append([f"{CITY}{CITY_FILES[kind]}（2026年10月）"])
        sheet.append([columns[f].headers[0] for f in fields])
        for row in rows:
            cells = []
            for f in fields:
                value = row.get(f)
                if f in _BY_NAME.get(kind, []) and value is not None:
                    value = names[value]
                elif kind == "staff" and f == "role":
                    value = _WRITTEN["role"][row["staff_id"]]
                elif f in ("state", "kind", "status") and value is not None:
                    value = _WRITTEN[f][value]
                cells.append(value)
            sheet.append(cells)
        book.save(folder / f"{CITY_FILES[kind]}.xlsx")
    (folder / "rules.toml").write_text(CITY_RULES, encoding="utf-8")
    assert roles  # every role written above is a known role name


@pytest.fixture
def city_folder(tmp_path):
    """A folder holding the small branch's month as xlsx ledgers and its rules.toml."""
    folder = tmp_path / "城中支行"
    write_city_folder(folder)
    return folder
