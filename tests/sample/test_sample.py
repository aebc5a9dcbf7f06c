"""branchkit sample: files, layout, cross-ledger coherence, determinism and the CLI."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from branchkit.cli import app
from branchkit.rules import load_rules
from branchkit.sample import SampleConfig, build_sample, write_sample

XLSX_FILES = ["客户清单", "月初客户清单", "员工", "认领", "拜访记录", "甘特图", "业务量", "柜员识别客户登记表",
              "产品营销", "工作日志", "扣分", "千分制", "绩效工资"]
HISTORY = ["2026-06", "2026-07", "2026-08", "2026-09"]


def rows(path: Path, sheet: str) -> list[list[object]]:
    """A sheet's cells as python-calamine reads them."""
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def table(path: Path, sheet: str, header_row: int, totals: bool = False) -> pd.DataFrame:
    """The data under the header on ``header_row`` (1-based), without a totals row."""
    cells = rows(path, sheet)
    body = cells[header_row:-1] if totals else cells[header_row:]
    return pd.DataFrame(body, columns=cells[header_row - 1])


@pytest.fixture(scope="module")
def staff(sample_dir: Path) -> pd.DataFrame:
    return table(sample_dir / "员工.xlsx", "员工名单", 2)


@pytest.fixture(scope="module")
def customers(sample_dir: Path) -> pd.DataFrame:
    path = sample_dir / "客户清单.xlsx"
    return pd.concat([table(path, "对公客户", 4, totals=True), table(path, "个人客户", 4, totals=True)])


def people(staff: pd.DataFrame) -> set[tuple[str, str]]:
    """(branch, name or staff id) pairs that name a person in that branch."""
    by_id = set(zip(staff["所属网点"], staff["工号"]))
    return by_id | set(zip(staff["所属网点"], staff["姓名"]))


def test_every_file_is_written(sample_dir: Path) -> None:
    for name in XLSX_FILES:
        assert (sample_dir / f"{name}.xlsx").is_file(), name
    for month in HISTORY:
        assert (sample_dir / "history" / f"客户清单_{month}.xlsx").is_file()
    assert (sample_dir / "上月分配.csv").is_file()
    assert (sample_dir / "rules.toml").is_file()


def test_rules_file_is_valid_and_holds_the_calendar(sample_dir: Path) -> None:
    rules = load_rules(sample_dir / "rules.toml")
    assert dt.date(2026, 10, 1) in rules.calendar.holidays
    assert rules.calendar.extra_workdays == [dt.date(2026, 10, 10)]
    assert "illustrative" in (sample_dir / "rules.toml").read_text(encoding="utf-8")


def test_customer_list_layout(sample_dir: Path) -> None:
    path = sample_dir / "客户清单.xlsx"
    assert CalamineWorkbook.from_path(str(path)).sheet_names == ["对公客户", "个人客户"]
    corp = rows(path, "对公客户")
    assert corp[0][0].startswith("江城分行客户清单")
    assert corp[1][0] == "数据日期：2026年10月31日"
    assert all(v == "" for v in corp[2])
    assert corp[3][:6] == ["客户号", "客户名称", "客户类型", "所属网点", "存款余额(万元)", "贷款余额(万元)"]
    assert corp[-1][0] == "合计"
    deposits = [r[4] for r in corp[4:-1] if r[4] != ""]
    assert corp[-1][4] == pytest.approx(sum(deposits), abs=0.01)
    personal = rows(path, "个人客户")
    assert personal[3][4:7] == ["存款余额", "贷款余额", "金融资产"]
    assert personal[-1][0] == "合计"
    assert personal[-1][6] == pytest.approx(sum(r[6] for r in personal[4:-1]), abs=0.01)


def test_identifiers_are_text_with_leading_zeros(customers: pd.DataFrame, staff: pd.DataFrame) -> None:
    assert customers["客户号"].map(lambda v: isinstance(v, str) and re.fullmatch(r"\d{10}", v) is not None).all()
    assert customers["客户号"].str.startswith("0").any()
    assert customers["客户号"].is_unique
    ids = customers.loc[customers["客户类型"] != "对公", "证件号码"]
    assert ids.map(lambda v: re.fullmatch(r"\d{17}[\dX]|9[13][0-9A-Z]{16}", v) is not None).all()
    codes = customers.loc[customers["客户类型"] == "对公", "证件号码"]
    assert codes.str.fullmatch(r"91[0-9A-Z]{16}").all()
    phones = customers.loc[customers["联系电话"] != "", "联系电话"]
    assert phones.str.fullmatch(r"1\d{10}").all()
    assert staff["工号"].str.fullmatch(r"\d{6}").all() and staff["工号"].str.startswith("0").all()


def test_resident_ids_have_valid_check_digits(customers: pd.DataFrame) -> None:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    persons = customers.loc[customers["证件号码"].str.fullmatch(r"3\d{16}[\dX]"), "证件号码"]
    assert len(persons) > 100
    for number in persons:
        assert "10X98765432"[sum(int(c) * w for c, w in zip(number, weights)) % 11] == number[-1]


def test_credit_codes_have_valid_check_characters(customers: pd.DataFrame) -> None:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    codes = customers.loc[customers["证件号码"].str.match(r"9[13]"), "证件号码"]
    assert len(codes) > 20
    for code in codes:
        total = sum(alphabet.index(c) * w for c, w in zip(code, weights))
        assert alphabet[(31 - total % 31) % 31] == code[-1]


def test_customer_mix(customers: pd.DataFrame) -> None:
    assert set(customers["客户类型"]) == {"对公", "个人", "三农"}
    assert set(customers["客户状态"]) == {"存量", "目标"}
    targets = customers[customers["客户状态"] == "目标"]
    assert (targets["客户类型"] == "对公").all() and (targets["管户人"] == "").all()
    assert (targets["存款余额(万元)"] == "").all()
    assert (customers["管户人"] == "").mean() > 0.05
    dates = customers["开户日期"]
    assert dates.map(lambda v: isinstance(v, dt.date)).mean() > 0.5
    assert dates.map(lambda v: isinstance(v, str) and "年" in v).any()
    assert dates.map(lambda v: isinstance(v, str) and "/" in v).any()
    assert dates.map(lambda v: isinstance(v, str) and re.fullmatch(r"\d{8}", v) is not None).any()


def test_tier_shares_are_realistic(small_sample) -> None:
    from branchkit.sample.tiers import relationship_tier

    now = small_sample.customers
    now = now[(now["last"] == 0) & (now["status"] == "existing")]
    tiers = pd.Series(relationship_tier(now["deposit_m0"], now["loan_m0"])).value_counts(normalize=True)
    assert 0.02 < tiers["high"] < 0.10
    assert 0.15 < tiers["mid"] < 0.35


def test_keepers_and_marketers_are_staff_of_the_customer_branch(customers: pd.DataFrame, staff: pd.DataFrame) -> None:
    known = people(staff)
    for column in ("管户人", "营销人"):
        named = customers[customers[column] != ""]
        assert len(named) > 0
        assert all(pair in known for pair in zip(named["所属网点"], named[column])), column
    assert customers["管户人"].isin(staff["工号"]).any()      # some keepers by staff id
    assert customers["管户人"].isin(staff["姓名"]).mean() > 0.5  # most by name


def test_staff_roles_states_and_names(staff: pd.DataFrame) -> None:
    roles = load_rules().roles.names
    zh_to_key = {name: key for key, names in roles.items() for name in names}
    assert set(staff["岗位"].map(zh_to_key)) == set(roles)       # every role key
    assert (staff["在岗"] == "休假").sum() == 1 and (staff["在岗"] == "离职").sum() == 1
    assert not staff.duplicated(["所属网点", "姓名"]).any()
    assert staff["姓名"].duplicated().any()                     # the same name in two branches


def test_exactly_one_branch_misses_its_minimum_staffing(sample_dir: Path, staff: pd.DataFrame) -> None:
    rules = load_rules()
    zh_to_key = {name: key for key, names in rules.roles.names.items() for name in names}
    types = {t: k for k, words in rules.values.branch_type.items() for t in words}
    daily = table(sample_dir / "业务量.xlsx", "日均业务量", 3, totals=True)
    on_books = staff[staff["在岗"] != "离职"].assign(role=lambda f: f["岗位"].map(zh_to_key))
    short = []
    for branch, kind in zip(daily.iloc[:, 0], daily.iloc[:, 1]):
        minimum = rules.staffing.minimum[types[kind]]
        mine = on_books[on_books["所属网点"] == branch]
        counts = {"staff": len(mine), "lobby": mine["role"].isin(rules.staffing.lobby_roles).sum(),
                  "lobby_managers": (mine["role"] == "lobby_manager").sum(),
                  "corporate_rm": (mine["role"] == "corporate_rm").sum(), "heads": (mine["role"] == "head").sum()}
        if any(counts[k] < getattr(minimum, k) for k in counts):
            short.append(branch)
    assert len(short) == 1


def test_claims_cover_every_case(small_sample, sample_dir: Path, staff: pd.DataFrame,
                                 customers: pd.DataFrame) -> None:
    claims = small_sample.claims
    assert set(claims["case"]) == {"unkept", "tie", "outranks", "outranked", "teller_loan", "lock"}
    roles = small_sample.staff.set_index("staff_id")["role"]
    tie = claims[claims["case"] == "tie"].groupby("customer_id")["claimant"].apply(list)
    assert all(len(set(c)) == 2 and {roles[x] for x in c} == {"corporate_rm"} for c in tie)
    teller = claims[claims["case"] == "teller_loan"]
    assert teller["claimant"].map(roles).isin(["high_counter", "low_counter", "comprehensive_teller"]).all()
    written = table(sample_dir / "认领.xlsx", "认领", 2)
    assert list(written.columns) == ["认领人", "客户号", "客户名称", "认领日期", "锁定"]
    assert (written["锁定"] == "是").sum() >= 2
    branch = dict(zip(customers["客户号"], customers["所属网点"]))
    assert written["客户号"].isin(customers["客户号"]).all()
    assert all(pair in people(staff) for pair in zip(written["客户号"].map(branch), written["认领人"]))


def test_teller_kept_loan_customers(small_sample) -> None:
    c = small_sample.customers
    rows_ = c[c["note"] == "teller_loan"]
    roles = small_sample.staff.set_index("staff_id")["role"]
    assert len(rows_) == 2 * len(small_sample.branches)
    assert (rows_["loan_m0"] > 0).all() and (rows_["loan_m1"] == 0).all()
    assert rows_["keeper"].map(roles).isin(["low_counter", "comprehensive_teller"]).all()


def test_previous_allocation(sample_dir: Path, small_sample) -> None:
    prev = pd.read_csv(sample_dir / "上月分配.csv", dtype=str, keep_default_na=False)
    assert list(prev.columns)[:4] == ["customer_id", "name", "kind", "branch"]
    assert {"keeper", "keeper_name", "locked"} <= set(prev.columns)
    assert prev["keeper"].str.fullmatch(r"\d{6}").all()
    assert set(prev["locked"]) == {"true", "false"}
    left = small_sample.staff.loc[small_sample.staff["state"] == "离职", "staff_id"].iloc[0]
    assert (prev["keeper"] == left).sum() > 0
    start = table(sample_dir / "月初客户清单.xlsx", "个人客户", 4, totals=True)
    assert prev["customer_id"].isin(start["客户号"]).any()
    assert (sample_dir / "上月分配.csv").read_bytes()[:3] != b"\xef\xbb\xbf"


def test_snapshots_evolve(sample_dir: Path, customers: pd.DataFrame) -> None:
    def ids(path: Path) -> set[str]:
        return set(table(path, "对公客户", 4, True)["客户号"]) | set(table(path, "个人客户", 4, True)["客户号"])

    start = ids(sample_dir / "月初客户清单.xlsx")
    end = set(customers["客户号"])
    new, lost = end - start, start - end
    assert new and lost
    fresh = customers.set_index("客户号").loc[sorted(new)]
    assert fresh["开户日期"].map(lambda v: "2026" in str(v) and ("10" in str(v))).all()
    assert ((fresh["营销人"] != "") | (fresh["管户人"] != "")).all()     # each new customer is credited
    assert (sample_dir / "history" / "客户清单_2026-09.xlsx").read_bytes() == \
        (sample_dir / "月初客户清单.xlsx").read_bytes()
    history = [ids(sample_dir / "history" / f"客户清单_{m}.xlsx") for m in HISTORY]
    for before, after in zip(history, history[1:]):
        assert after - before and before - after      # new and lost customers every month


def test_visits(sample_dir: Path, small_sample, staff: pd.DataFrame, customers: pd.DataFrame) -> None:
    visits = table(sample_dir / "拜访记录.xlsx", "拜访记录", 2)
    assert visits.columns[0] == "拜访日期" and "负责人点评" in visits.columns
    assert ((visits["客户号"] == "") & (visits["客户名称"] != "")).any()
    assert ((visits["客户名称"] == "") & (visits["客户号"] != "")).any()
    assert (visits["负责人点评"] == "").any() and (visits["负责人点评"] != "").any()
    assert set(visits["拜访方式"]) <= {"外拓", "上门", "电话", "厅堂"}
    branch = dict(zip(customers["客户号"], customers["所属网点"])) | dict(zip(customers["客户名称"], customers["所属网点"]))
    where = [branch[i or n] for i, n in zip(visits["客户号"], visits["客户名称"])]
    assert all(pair in people(staff) for pair in zip(where, visits["拜访人"]))
    assert any(d.month == 9 for d in visits["拜访日期"])
    assert {"plan", "slip", "unplanned", "high", "overdue"} <= set(small_sample.visits["source"])
    last = small_sample.visits.groupby("customer_id")["visit_date"].max()
    assert (last < pd.Timestamp("2026-10-31") - pd.Timedelta(days=40)).any()


def test_gantt_sheets(sample_dir: Path, small_sample, customers: pd.DataFrame) -> None:
    path = sample_dir / "甘特图.xlsx"
    book = CalamineWorkbook.from_path(str(path))
    rms = small_sample.staff[(small_sample.staff["role"] == "corporate_rm") & (small_sample.staff["state"] == "在岗")]
    assert len(book.sheet_names) == len(rms)
    assert set(book.sheet_names) - {"Sheet3", "Sheet5"} <= set(rms["name"])
    lines = [rows(path, s)[1][0] for s in ("Sheet3", "Sheet5")]
    assert lines[0].startswith("客户经理:") and lines[1].startswith("客户经理：")
    texts, widths, names = set(), set(), set()
    for sheet in book.sheet_names:
        cells = rows(path, sheet)
        header = next(i for i, r in enumerate(cells) if r[0] == "项目/客户")
        assert cells[header][1] == "月度工作目标"
        widths.add(len(cells[header]) - 2)
        names.update(r[0] for r in cells[header + 1:])
        texts.update(str(v) for r in cells[header + 1:] for v in r[2:] if v != "")
    assert 31 in widths and min(widths) < 31
    assert names <= set(customers["客户名称"])
    for pattern in (r"延迟至\d+日", r"延至\d+日", r"→\d+", r"->\d+"):
        assert any(re.fullmatch(pattern, t) for t in texts), pattern
    merged = book.get_sheet_by_name(book.sheet_names[0]).merged_cell_ranges
    assert any(r1 == r2 and r1 > 1 and 2 <= c2 - c1 + 1 <= 3 for (r1, c1), (r2, c2) in merged)


def test_volumes(sample_dir: Path) -> None:
    path = sample_dir / "业务量.xlsx"
    cells = rows(path, "日均业务量")
    assert cells[1][3] == "对公" and cells[2][3:5] == ["现金日均笔数", "非现金日均笔数"]
    assert ((1, 3), (1, 4)) in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("日均业务量").merged_cell_ranges
    daily = cells[3:-1]
    assert cells[-1][0] == "合计"
    cash = [r[3] for r in daily]
    assert min(cash) < 80 and max(cash) > 130 and any(80 <= c <= 130 for c in cash)
    hourly = table(path, "分时段业务量", 1)
    assert list(hourly.columns) == ["网点", "日期", "时段", "到达笔数", "平均办理时长(秒)"]
    assert hourly["时段"].str.fullmatch(r"\d\d:00-\d\d:00").all()
    hourly["hour"] = hourly["时段"].str[:2].astype(int)
    assert sorted(hourly["hour"].unique()) == list(range(9, 17))
    by_hour = hourly.groupby("hour")["到达笔数"].mean()
    assert by_hour[[11, 12]].min() > max(by_hour[9], by_hour[16])
    mondays = hourly[[d.weekday() == 0 for d in hourly["日期"]]]
    assert mondays[mondays["hour"] == 9]["到达笔数"].mean() > hourly[hourly["hour"] == 9]["到达笔数"].mean()
    per_branch = len(hourly) / len(daily)
    assert per_branch == 8 * 18            # every working day of October 2026, hours 9..16


def test_referrals_sales_and_the_rest(sample_dir: Path, staff: pd.DataFrame, customers: pd.DataFrame) -> None:
    known = people(staff)
    branch = dict(zip(customers["客户号"], customers["所属网点"]))
    ref = table(sample_dir / "柜员识别客户登记表.xlsx", "柜员识别客户登记表", 2)
    assert all((branch[c], p) in known for c, p in zip(ref["客户号"], ref["登记柜员"]))
    assert all((branch[c], p) in known for c, p in zip(ref["客户号"], ref["接收客户经理"]))
    assert any(d.month == 9 for d in ref["登记日期"])
    sales = table(sample_dir / "产品营销.xlsx", "产品营销", 2, totals=True)
    assert sales["客户"].isin(customers["客户名称"]).all()
    unique = customers.drop_duplicates("客户名称", keep=False).set_index("客户名称")["所属网点"]
    sold = sales[sales["客户"].isin(unique.index)]
    assert len(sold) > len(sales) / 3
    assert all((unique[c], p) in known for c, p in zip(sold["客户"], sold["营销实施人"]))
    joint = sold[sold["信息获取人"] != ""]
    assert len(joint) and all((unique[c], p) in known for c, p in zip(joint["客户"], joint["信息获取人"]))
    assert (sales["信息获取人"] == "").any()
    log = table(sample_dir / "工作日志.xlsx", "工作日志", 1)
    assert log["工号"].isin(staff["工号"]).all() and log.duplicated().any()
    assert any(d.month != 10 for d in log["日期"])
    ded = table(sample_dir / "扣分.xlsx", "扣分", 2)
    assert sum(d.month == 9 for d in ded["日期"]) == 1
    scores = table(sample_dir / "千分制.xlsx", "千分制", 2)["千分制得分"]
    assert scores.between(650, 960).all() and scores.max() >= 900 and scores.min() < 700
    pool = table(sample_dir / "绩效工资.xlsx", "绩效工资", 2, totals=True)
    assert pool["绩效工资总额"].between(120_000, 600_000).all()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    config = SampleConfig(branches=2, customers=200, seed=3)
    for folder in ("a", "b"):
        write_sample(build_sample(config), tmp_path / folder)
    write_sample(build_sample(SampleConfig(branches=2, customers=200, seed=4)), tmp_path / "c")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) == 19
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "客户清单.xlsx").read_bytes() != (tmp_path / "c" / "客户清单.xlsx").read_bytes()


def test_csv_format(tmp_path: Path) -> None:
    write_sample(build_sample(SampleConfig(branches=2, customers=200)), tmp_path, "csv")
    names = {p.name for p in tmp_path.glob("*.csv")}
    assert {"客户清单.csv", "月初客户清单.csv", "员工.csv", "甘特图.csv", "业务量.csv", "业务量_分时段.csv"} <= names
    raw = (tmp_path / "客户清单.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(tmp_path / "客户清单.csv", dtype=str, encoding="utf-8-sig")
    assert frame.columns[0] == "客户号" and frame["客户号"].str.len().eq(10).all()
    assert (tmp_path / "history" / "客户清单_2026-09.csv").is_file()


def test_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["sample", str(tmp_path / "out"), "--branches", "2", "--customers", "200"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "客户清单.xlsx").is_file()
    assert "wrote" in result.stderr
    quiet = runner.invoke(app, ["sample", str(tmp_path / "q"), "--branches", "1", "--customers", "100", "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    for bad in (["--month", "2026-13"], ["--branches", "0"], ["--customers", "5"], ["--format", "txt"]):
        result = runner.invoke(app, ["sample", str(tmp_path / "bad"), *bad])
        assert result.exit_code == 2, bad
    assert not (tmp_path / "bad").exists()


def test_staff_option_sets_the_headcount(tmp_path: Path) -> None:
    # Default: the headcount follows the customers; --staff asks for one (about: roles round).
    default = build_sample(SampleConfig(branches=8, customers=1600, seed=3))
    asked = build_sample(SampleConfig(branches=8, customers=1600, seed=3, staff=400))
    assert abs(len(asked.staff) - 400) <= 3 and len(default.staff) < 200
    assert asked.staff.groupby("branch")["role"].apply(lambda r: (r == "head").sum()).eq(1).all()
    assert set(asked.customers["branch"]) == set(default.customers["branch"])
    assert build_sample(SampleConfig(branches=8, customers=1600, seed=3, staff=None)).staff.equals(default.staff)
    runner = CliRunner()
    result = runner.invoke(app, ["sample", str(tmp_path / "s"), "--branches", "2", "--customers", "200",
                                 "--staff", "60", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert re.search(r"2 branches, (59|60|61) staff", result.stderr)
    for bad in ("5", "100000"):
        result = runner.invoke(app, ["sample", str(tmp_path / "bad"), "--branches", "2", "--staff", bad])
        assert result.exit_code == 2 and "--staff" in result.stderr, bad


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_files_planned_are_the_files_written(tmp_path: Path, fmt: str) -> None:
    # sample refuses to overwrite by these names, known before the sample is built: they must be all it writes
    from branchkit.sample.calendar import parse_month
    from branchkit.sample.write import planned_files

    written = write_sample(build_sample(SampleConfig(branches=1, customers=100, month="2026-03")), tmp_path, fmt)
    assert sorted(planned_files(tmp_path, parse_month("2026-03"), fmt)) == sorted(written)
    assert sorted(written) == sorted(p for p in tmp_path.rglob("*") if p.is_file())


def test_cli_refuses_to_overwrite_a_ledger_folder_without_force(tmp_path: Path) -> None:
    folder = tmp_path / "ledgers"
    folder.mkdir()
    real = folder / "客户清单.xlsx"
    real.write_bytes(b"the branch's real customer list")
    (folder / "notes.txt").write_text("kept", encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(app, ["sample", str(folder), "--branches", "1", "--customers", "100"])
    assert refused.exit_code == 2, refused.output
    assert f"1 file(s) already exist in {folder} and would be overwritten: {real}; use --force" in refused.stderr
    assert real.read_bytes() == b"the branch's real customer list"
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", "客户清单.xlsx"]     # nothing written
    forced = runner.invoke(app, ["sample", str(folder), "--branches", "1", "--customers", "100", "--force", "-q"])
    assert forced.exit_code == 0, forced.output
    assert real.read_bytes().startswith(b"PK") and (folder / "员工.xlsx").is_file()
    again = runner.invoke(app, ["sample", str(folder), "--branches", "1", "--customers", "100"])
    assert again.exit_code == 2 and "19 file(s) already exist" in again.stderr and "and 14 more; use --force" in again.stderr


def test_init_refuses_in_the_same_words(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path), "-q"]).exit_code == 0
    refused = runner.invoke(app, ["init", str(tmp_path)])
    assert refused.exit_code == 2
    assert f"16 file(s) already exist in {tmp_path} and would be overwritten: {tmp_path / 'rules.toml'}" \
        in refused.stderr


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(app, ["sample", "--help"])
    assert result.exit_code == 0 and "Example: branchkit sample" in result.output


def test_worker_processes_write_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import branchkit.sample.write as write_module

    sample = build_sample(SampleConfig(branches=2, customers=200, seed=5))
    write_sample(sample, tmp_path / "serial")
    monkeypatch.setattr(write_module, "PARALLEL_MIN_CUSTOMERS", 0)
    write_sample(sample, tmp_path / "parallel")
    files = sorted(p.relative_to(tmp_path / "serial") for p in (tmp_path / "serial").rglob("*") if p.is_file())
    for name in files:
        assert (tmp_path / "serial" / name).read_bytes() == (tmp_path / "parallel" / name).read_bytes(), name


def test_committed_sample_is_current(tmp_path: Path) -> None:
    """sample_data/ is what the generator makes today (cells compared, not zip bytes: zlib versions differ)."""
    committed = Path(__file__).resolve().parents[2] / "sample_data"
    if not committed.is_dir():
        pytest.skip("no sample_data/ beside the tests")
    write_sample(build_sample(SampleConfig()), tmp_path)
    for name, sheet in (("客户清单", "个人客户"), ("员工", "员工名单"), ("认领", "认领"), ("甘特图", "Sheet3")):
        assert rows(committed / f"{name}.xlsx", sheet) == rows(tmp_path / f"{name}.xlsx", sheet), \
            f"{name}.xlsx is stale: run `branchkit sample sample_data --force` and commit it"
    assert (committed / "上月分配.csv").read_bytes() == (tmp_path / "上月分配.csv").read_bytes()
