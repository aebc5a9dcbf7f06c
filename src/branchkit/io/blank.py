"""Blank ledger templates: one workbook per ledger kind, Chinese headers, a sheet that explains them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from branchkit.io.xlsx import text_width
from branchkit.models.fields import Column
from branchkit.models.ledgers import LEDGERS

_KIND_NOTES = {
    "id": "文本，保留前导0 / text, leading zeros kept", "text": "文本 / text",
    "money": "金额(元)，表头写(万元)则按万元 / amount in CNY; a header with (万元) means 10,000s",
    "number": "数字 / number", "date": "日期，如 2026-10-08 / a date", "bool": "是/否 / yes or no",
    "enum": "取值见规则文件 [values] / a word listed in the rules' [values]",
    "role": "岗位名称，如 对公客户经理 / a role name", "hour": "时段，如 09:00-10:00 / hour of day",
    "staff": "员工工号或姓名 / staff id or name", "sensitive": "文本，输出时脱敏 / text, masked in outputs",
}


def template_files() -> dict[str, str]:
    """File name per ledger kind (Chinese, as branches name them)."""
    return {kind: f"{spec.label_zh}.xlsx" for kind, spec in LEDGERS.items()}


def write_template(kind: str, path: Path) -> None:
    """A blank workbook for one ledger kind: the header row, and a 说明 sheet describing each column."""
    spec = LEDGERS[kind]
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": spec.label_zh, "author": "branchkit", "created": dt.datetime(2000, 1, 1)})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet(spec.label_zh[:31])
    columns = spec.columns()
    for j, (name, column) in enumerate(columns.items()):
        label = column.headers[0] + ("*" if column.required else "")
        sheet.write_string(0, j, label, head)
        fmt = text if column.kind in ("id", "sensitive", "text", "staff") else None
        sheet.set_column(j, j, max(10, text_width(label) + 2), fmt)
    sheet.freeze_panes(1, 0)
    _explain(book, head, columns)
    book.close()


def _explain(book: xlsxwriter.Workbook, head, columns: dict[str, Column]) -> None:
    sheet = book.add_worksheet("说明")
    for j, title in enumerate(("列名 header", "字段 field", "必填 required", "格式 format", "也可写作 also accepted")):
        sheet.write_string(0, j, title, head)
    for i, (name, column) in enumerate(columns.items(), start=1):
        sheet.write_string(i, 0, column.headers[0])
        sheet.write_string(i, 1, name)
        sheet.write_string(i, 2, "是" if column.required else "")
        sheet.write_string(i, 3, _KIND_NOTES.get(column.kind, column.kind))
        sheet.write_string(i, 4, "、".join(column.headers[1:]))
    sheet.set_column(0, 1, 18)
    sheet.set_column(2, 2, 12)
    sheet.set_column(3, 4, 50)
