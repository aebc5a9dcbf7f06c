"""Masking fails closed: only a recognised ID number, phone or credit code is shown (partly), in xlsx, html
and problem listings; everything else in a sensitive column is starred whole."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from branchkit.io.output import WriteOptions, write_report
from branchkit.io.safety import credit_codes, mask_id_numbers, mask_listed, mask_phones
from branchkit.io.tables import Report, Section, Table

VALID_CODE = "91350100M000100Y43"       # GB 32100 example: both check characters right

ID_CASES = [
    ("410105199001011234", "410105********1234"),
    ("41010519900101123X", "410105********123X"),
    (" 41010519900101123x ", "410105********123x"),           # trimmed, then masked
    ("410105900101123", "410105*****1123"),                      # 15-digit ID of before 1999
    ("410105199001001234", "*" * 18),                           # day 00
    ("410105199013011234", "*" * 18),                           # month 13
    ("41010519900101123", "*" * 17),                            # 17 characters
    ("4101051990010112345", "*" * 19),                          # 19 characters
    ("410105 199001011234", "*" * 19),                          # inner space
    ("ＩＤ410105199001011234", "*" * 20),                        # full-width prefix
    ("ID410105199001011234", "*" * 20),
    ("４１０１０５１９９００１０１１２３４", "*" * 18),             # full-width digits
    ("3.2010219850714e+17", "*" * 19),                          # an ID that became a float
    ("410105199001011234.0", "*" * 20),
    ("91330100MA2H3XXX1X", "*" * 18),                           # a credit code's shape, wrong checks
    (VALID_CODE, VALID_CODE),                                   # companies' codes are public
    ("", ""),
]
PHONE_CASES = [
    ("13812345678", "138****5678"),
    ("138 1234 5678", "138****5678"),
    ("+86 138-1234-5678", "138****5678"),
    ("0571-88886666", "057*****6666"),
    ("010-1234567", "010***4567"),
    ("13812345678.5", "*" * 13),                                # a phone read as a number with a fraction
    ("1.3812345678e+10", "*" * 16),
    ("1381234567", "*" * 10),                                   # 10 digits: not a mobile
    ("138123456789", "*" * 12),                                 # 12 digits
    ("12812345678", "*" * 11),                                  # no mobile starts 12
    ("手机13812345678", "*" * 13),
    ("13812345678/13912345678", "*" * 23),                      # two numbers in one cell
    ("8613812345678", "138****5678"),                           # 86 without the +
    ("138\t1234\n5678", "138****5678"),                         # white space RE2's \s knows is dropped...
    ("138\v1234\v5678", "*" * 13),                              # ...but not a vertical tab
    ("138\u30001234\u30005678", "*" * 13),                       # nor a full-width space
    ("", ""),
]


@pytest.mark.parametrize("value, shown", ID_CASES)
def test_id_numbers_masked_or_starred_whole(value, shown):
    assert mask_id_numbers(pd.Series([value], dtype="str")).tolist() == [shown]


@pytest.mark.parametrize("value, shown", PHONE_CASES)
def test_phones_masked_or_starred_whole(value, shown):
    assert mask_phones(pd.Series([value], dtype="str")).tolist() == [shown]


def test_missing_values_stay_missing():
    assert mask_id_numbers(pd.Series([None, "410105199001011234"], dtype="str")).isna().tolist() == [True, False]
    assert mask_phones(pd.Series([None], dtype="str")).isna().tolist() == [True]


def test_credit_codes_need_both_check_characters():
    codes = pd.Series([VALID_CODE, "91350100M000100Y44",      # last check wrong
                       "91350100M000101Y43",                     # organisation code's check wrong
                       "91110108551385082Q", "9135010OM000100Y43"], dtype="str")   # a letter O: not the alphabet
    assert credit_codes(codes).tolist() == [True, False, False, True, False]


def test_an_id_shaped_value_is_never_a_public_code_even_if_its_checks_pass():
    # 12010519900100 + 4 digits: an ID of day 00 whose digits pass both credit-code checks
    passing = [f"120105199001{d:02d}{t:04d}" for d in (0,) for t in range(10000)]
    values = pd.Series(passing, dtype="str")
    fooled = values[credit_codes(values)]
    assert len(fooled) > 0                                       # such values exist...
    assert set(mask_id_numbers(fooled)) == {"*" * 18}            # ...and are starred whole all the same


@given(st.text(max_size=30))
def test_a_masked_value_shows_at_most_ten_characters_and_keeps_its_length(text):
    shown = mask_id_numbers(pd.Series([text], dtype="str")).iloc[0]
    stripped = text.strip()
    if shown not in (text, ""):
        assert len(shown.replace("*", "")) <= 10
        assert len(shown) == len(stripped)
    phone = mask_phones(pd.Series([text], dtype="str")).iloc[0]
    assert len(phone.replace("*", "").strip()) <= 7


_MIXED = st.one_of(st.none(), st.sampled_from([v for v, _ in ID_CASES + PHONE_CASES] + [
    "120105199001000016", "86 138 1234 5678", "+8613812345678"]), st.text("0123456789X +-8\t\v\u3000", max_size=19))


@given(st.lists(_MIXED, min_size=1, max_size=8))
def test_a_value_is_masked_alike_whatever_its_neighbours(values):
    # the masks test and rewrite only the values that need it (by first bytes, separators, validity):
    # every value of a block is shown as it would be alone
    for mask in (mask_id_numbers, mask_phones):
        together = mask(pd.Series(values, dtype="str")).tolist()
        alone = [mask(pd.Series([v], dtype="str")).tolist()[0] for v in values]
        assert [None if pd.isna(v) else v for v in together] == [None if pd.isna(v) else v for v in alone]


def test_listed_values_of_sensitive_columns():
    assert mask_listed("phone", [13812345678.5, "13812345678"]) == ["*" * 13, "138****5678"]
    assert mask_listed("id_number", [3.2010219850714e+17]) == ["*" * 19]


def _report() -> Report:
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(len(ID_CASES))],
                          "id_number": [v for v, _ in ID_CASES],
                          "phone": [v for v, _ in PHONE_CASES] + [""] * (len(ID_CASES) - len(PHONE_CASES))})
    table = Table("customers", frame, "客户", "Customers")
    return Report("客户", "Customers", [Section("客户", "Customers", [table])], primary="customers")


def test_xlsx_and_html_show_no_malformed_value(tmp_path):
    write_report(str(tmp_path / "out.xlsx"), _report(), WriteOptions())
    rows = list(openpyxl.load_workbook(tmp_path / "out.xlsx")["客户"].iter_rows(min_row=2, values_only=True))
    assert [r[1] or "" for r in rows] == [s for _, s in ID_CASES]
    assert [r[2] or "" for r in rows][:len(PHONE_CASES)] == [s for _, s in PHONE_CASES]
    write_report(str(tmp_path / "out.html"), _report(), WriteOptions())
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    for value, shown in ID_CASES + PHONE_CASES:
        if value and value != shown:
            assert value.strip() not in html, value
    assert VALID_CODE in html and "410105********1234" in html and "138****5678" in html


def test_no_mask_shows_them_as_they_are(tmp_path):
    write_report(str(tmp_path / "out.xlsx"), _report(), WriteOptions(mask=False))
    rows = list(openpyxl.load_workbook(tmp_path / "out.xlsx")["客户"].iter_rows(min_row=2, values_only=True))
    assert rows[4][1] == "410105199001001234"
