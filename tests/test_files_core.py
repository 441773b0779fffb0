"""The file core without a database: decoding, reading with leading zeros, writing CSV and XLSX."""
from __future__ import annotations

import codecs
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter

from crm.files.decoding import DecodeError, decode
from crm.files.readers import ReadError, read_table
from crm.files.values import ValueProblem, amount_wan
from crm.files.writers import Column, iter_csv, write_xlsx

ROWS = "企业名称,股票代码,统一社会信用代码\n山西焦煤集团有限责任公司,000983,91140000731914164T\n某某,002129,\n"


def test_decoding_order():
    assert decode(ROWS.encode("gbk"))[1] == "gb18030"
    assert decode(codecs.BOM_UTF8 + ROWS.encode())[1] == "utf-8-sig"
    assert decode(ROWS.encode())[1] == "utf-8"
    with pytest.raises(DecodeError):
        decode(b"\xff\xfe\xff\x00\x81" * 3 + b"\x80\x80")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_csv_keeps_leading_zeros_in_every_encoding(encoding):
    table = read_table("x.csv", ROWS.encode(encoding))
    assert table.headers == ["企业名称", "股票代码", "统一社会信用代码"]
    assert [cells[1] for _n, cells in table.rows] == ["000983", "002129"]
    assert [n for n, _c in table.rows] == [2, 3]


def test_xlsx_keeps_text_codes_and_reads_numbers_without_dot_zero():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["企业名称", "股票代码", "员工"])
    sheet.write_string(1, 0, "甲公司")
    sheet.write_string(1, 1, "002129")
    sheet.write_number(1, 2, 120)
    sheet.write_row(3, 0, ["乙公司", "600001", 3.5])  # a blank row 3 in between keeps numbering
    book.close()
    table = read_table("list.xlsx", buffer.getvalue())
    assert table.rows == [(2, ["甲公司", "002129", "120"]), (4, ["乙公司", "600001", "3.5"])]


@pytest.mark.parametrize("name,data,message", [
    ("x.csv", b"", "empty"), ("x.pdf", b"%PDF", "unsupported"), ("x.xlsx", b"not a zip", "Excel"),
    ("x.csv", b"\n\n", "header"), ("x.csv", b"\x81\xff\x81\xff\xfe", "neither"),
])
def test_broken_files_say_why(name, data, message):
    with pytest.raises(ReadError, match=message):
        read_table(name, data)


def test_amounts():
    assert amount_wan("2.5亿元") == Decimal("25000.0")
    assert amount_wan("") is None
    for bad in ("500万美元", "abc", "1.2.3万"):
        with pytest.raises(ValueProblem):
            amount_wan(bad)


COLUMNS = (Column("名称"), Column("金额（万元）", "money"), Column("日期", "date"), Column("上市", "bool"),
           Column("时间", "datetime"))
DATA = [("=HYPERLINK(\"http://x\")", Decimal("1234.5"), dt.date(2022, 6, 30), True,
         dt.datetime(2022, 6, 30, 1, 0, tzinfo=dt.timezone.utc)),
        ("+86", None, None, False, None), ("正常名称", 0, dt.date(2023, 1, 1), False, None)]


def test_csv_has_a_bom_and_neutralises_formulas():
    text = "".join(iter_csv(COLUMNS, iter(DATA), chunk=1))
    assert text.startswith("\ufeff名称,金额（万元）")
    lines = text.splitlines()
    assert lines[1].startswith("\"'=HYPERLINK") and lines[2].startswith("'+86")
    assert "2022-06-30 09:00" in lines[1]  # Beijing time


def test_xlsx_read_back_with_formats(tmp_path):
    path = tmp_path / "out.xlsx"
    assert write_xlsx(str(path), COLUMNS, iter(DATA)) == 3
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[1]] == ["名称", "金额（万元）", "日期", "上市", "时间"]
    assert ws["A2"].value == "=HYPERLINK(\"http://x\")" and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert ws["B2"].value == 1234.5 and ws["B2"].number_format == "#,##0.00"
    assert ws["C2"].value == dt.datetime(2022, 6, 30) and ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["D2"].value == "是" and ws["D3"].value == "否"
    assert ws["E2"].value == dt.datetime(2022, 6, 30, 9, 0)
    assert ws["A3"].value == "+86" and ws["A3"].data_type == "s"
    assert ws["B4"].value == 0
