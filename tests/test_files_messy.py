"""Messy spreadsheets without a database: every amount and date case, header bands, .xls and total rows."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import xlsxwriter
import xlwt
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.files.normalise import UNITS, NumberText, ValueProblem, amount, date_value, header_unit, normalise_cell
from crm.files.readers import read_table

FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


@pytest.mark.parametrize("text,unit,expected", [
    ("1.2亿", None, "12000"), ("3,000万元", None, "3000"), ("1,200.5", None, "1200.5"), ("5000元", None, "0.5"),
    ("１，２００", None, "1200"), ("1,200.5", "元", "0.12005"), ("1.5", "亿元", "15000"), ("2万", "元", "2"),
    ("(1,200)", None, "-1200"), ("（５）", None, "-5"), ("-35", None, "-35"), ("−35", None, "-35"),
    ("人民币5000万元", None, "5000"), ("5000万元人民币", None, "5000"), ("¥3,000.50万", None, "3000.5"),
    ("8千元", None, "0.8"), ("2百万元", None, "200"), ("1,234,567", "元", "123.4567"), ("0", None, "0"),
])
def test_amounts_accepted(text, unit, expected):
    assert amount(text, unit) == Decimal(expected)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.decimals(min_value=0, max_value=10**9, places=2), st.sampled_from(list(UNITS)), st.booleans())
def test_any_written_amount_reads_back_in_wan(value, unit, grouped):
    written = f"{value:,}" if grouped else f"{value}"
    assert amount(written + unit) == value * UNITS[unit]
    assert amount(written, unit) == value * UNITS[unit]  # the same figure under a header naming the unit
    assert amount(f"({written})", unit) == -value * UNITS[unit]
    assert amount(written.translate(FULL_WIDTH) + unit) == value * UNITS[unit]


@pytest.mark.parametrize("text", ["", "-", "—", "——", "/", "  "])
def test_a_lone_dash_is_an_empty_amount(text):
    assert amount(text) is None


@pytest.mark.parametrize("text,why", [
    ("约3000万", "approximate"), ("3000万左右", "approximate"), ("5000万以上", "approximate"),
    ("3000多万", "approximate"), ("近1亿", "approximate"), ("1000-2000", "range"), ("1000万~2000万", "approximate"),
    ("12%", "percentage"), ("１２％", "percentage"), ("500万美元", "foreign"), ("$300", "foreign"),
    ("1,2", "not an amount"), ("12,00", "not an amount"), ("1.2.3万", "not an amount"), ("abc", "not an amount"),
    ("无", "not an amount"),
])
def test_amounts_refused_say_why(text, why):
    with pytest.raises(ValueProblem, match=why):
        amount(text)


def test_money_fields_refuse_negative_amounts_and_signed_ones_keep_them():
    with pytest.raises(ValueProblem, match="negative"):
        normalise_cell("money", "(1,200)")
    assert normalise_cell("money_signed", "(1,200)") == ("-1200", None)
    assert normalise_cell("money", "1.2", "亿元") == ("12000", None)
    assert normalise_cell("money", "—") == (None, None)


@pytest.mark.parametrize("header,unit", [
    ("总投资（万元）", "万元"), ("金额(亿元)", "亿元"), ("合同额（元）", "元"), ("注册资本【单位：亿元】", "亿元"),
    ("单位：万元", "万元"), ("填报单位：某县  单位:亿元", "亿元"), ("总投资", None), ("今年-1-6月完成", None),
])
def test_units_in_headers(header, unit):
    assert header_unit(header) == unit


@pytest.mark.parametrize("text,expected,precision", [
    ("2022年6月", dt.date(2022, 6, 1), "month"), ("2022.6", dt.date(2022, 6, 1), "month"),
    ("2022-06", dt.date(2022, 6, 1), "month"), ("2022/6", dt.date(2022, 6, 1), "month"),
    ("202206", dt.date(2022, 6, 1), "month"), ("2022年6月份", dt.date(2022, 6, 1), "month"),
    ("2022年6月15日", dt.date(2022, 6, 15), "day"), ("2022.06.15", dt.date(2022, 6, 15), "day"),
    ("2022-06-15", dt.date(2022, 6, 15), "day"), ("20220615", dt.date(2022, 6, 15), "day"),
    ("44713", dt.date(2022, 6, 1), "day"), ("2022-06-15 10:30:00", dt.date(2022, 6, 15), "day"),
    ("２０２２年６月", dt.date(2022, 6, 1), "month"), (NumberText("2022.6"), dt.date(2022, 6, 1), "month"),
    ("2022.10", dt.date(2022, 10, 1), "month"), ("2022年", dt.date(2022, 1, 1), "year"),
])
def test_dates_accepted_with_their_precision(text, expected, precision):
    assert date_value(text) == (expected, precision)


@pytest.mark.parametrize("text,why", [
    ("2022.13", "no month 13"), ("2022.0", "no month 0"), ("22.6", "two-digit year"), ("22年6月", "two-digit year"),
    ("6月", "year is missing"), ("6月15日", "year is missing"), ("2022.6.31", "no day 31"), ("20226", "not a date"),
    (NumberText("2022.1"), "typed as a number"), ("明年上半年", "not a date"), ("1850年3月", "out of range"),
])
def test_dates_refused_say_why(text, why):
    with pytest.raises(ValueProblem, match=why):
        date_value(text)


def test_date_fields_by_precision():
    assert normalise_cell("month", "2022年6月") == ("2022-06-01", "month")
    assert normalise_cell("month", "2022.06.15") == ("2022-06-15", None)
    assert normalise_cell("year", "2022.6") == ("2022", None)
    assert normalise_cell("year", "2022") == ("2022", None)
    assert normalise_cell("date", "2022-06-15") == ("2022-06-15", None)
    with pytest.raises(ValueProblem, match="only the month"):
        normalise_cell("date", "2022年6月")
    with pytest.raises(ValueProblem, match="only the year"):
        normalise_cell("month", "2022年")
    with pytest.raises(ValueProblem, match="typed as a number"):
        normalise_cell("month", NumberText("2022.1"))
    assert normalise_cell("year", NumberText("2022.1")) == ("2022", None)  # January or October: 2022 either way


def messy_xlsx() -> bytes:
    """A 台账 as people make them: title and meta rows, a merged two-level header, totals and a blank row."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("台账")
    ws.merge_range(0, 0, 0, 5, "2022年重点项目台账")
    ws.write_string(1, 0, "填报单位：测试县发改局")
    ws.write_string(1, 4, "单位：亿元")
    ws.merge_range(2, 0, 3, 0, "项目名称")
    ws.merge_range(2, 1, 3, 1, "总投资")
    ws.merge_range(2, 2, 2, 3, "今年")
    ws.write_string(3, 2, "计划")
    ws.write_string(3, 3, "1-6月完成")
    ws.merge_range(2, 4, 3, 4, "计划开工")
    ws.merge_range(2, 5, 3, 5, "属地")
    ws.write_row(4, 0, ["甲项目", "1.2", "3,000万元", "1,200.5", "2022年6月"])
    ws.merge_range(4, 5, 5, 5, "尧都区")  # one 属地 for two project rows
    ws.write_row(5, 0, ["乙项目", "5000元", "", "", "2022.6"])
    ws.write_row(7, 0, ["丙项目", "约3亿", "", "", "22.6", "洪洞县"])  # row 7 (index 6) is blank
    ws.write_row(8, 0, ["合计", "12.3", "3000"])
    ws.write_row(9, 0, ["其中：工业项目", "10"])
    book.close()
    return buffer.getvalue()


def messy_xls() -> bytes:
    """The same kind of 台账 as a legacy BIFF .xls (written by xlwt)."""
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("台账")
    ws.write_merge(0, 0, 0, 3, "重点项目推进表")
    ws.write(1, 3, "单位：万元")
    ws.write_merge(2, 3, 0, 0, "项目名称")
    ws.write_merge(2, 2, 1, 2, "计划时间")
    ws.write(3, 1, "开工")
    ws.write(3, 2, "投产")
    ws.write_merge(2, 3, 3, 3, "总投资（亿元）")
    ws.write(4, 0, "甲项目")
    ws.write(4, 1, dt.datetime(2022, 6, 15), xlwt.easyxf(num_format_str="yyyy-mm-dd"))
    ws.write(4, 2, 2023.6)
    ws.write(4, 3, 1.5)
    ws.write(5, 0, "乙项目")
    ws.write(5, 1, 2022.1)
    ws.write(5, 2, "202310")
    ws.write(5, 3, "8,000万元")
    ws.write(6, 0, "小  计")
    ws.write(6, 3, 2.3)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_header_band_merges_units_and_skipped_rows():
    table = read_table("台账.xlsx", messy_xlsx())
    assert table.headers == ["项目名称", "总投资", "今年-计划", "今年-1-6月完成", "计划开工", "属地"]
    assert table.header_rows == (3, 4)
    assert table.preamble == ["2022年重点项目台账", "填报单位：测试县发改局 单位：亿元"]
    assert table.unit == "亿元" and table.unit_of(1) == "亿元"
    assert table.rows == [(5, ["甲项目", "1.2", "3,000万元", "1,200.5", "2022年6月", "尧都区"]),
                          (6, ["乙项目", "5000元", "", "", "2022.6", "尧都区"]),
                          (8, ["丙项目", "约3亿", "", "", "22.6", "洪洞县"])]
    assert table.skipped == [(7, "blank", ""), (9, "total", "合计"), (10, "total", "其中")]
    counted = read_table("台账.xlsx", messy_xlsx(), count_only=True)
    assert (len(counted), counted.headers, counted.skipped) == (3, table.headers, table.skipped)


def test_xls_is_read_with_its_merges_numbers_and_dates():
    table = read_table("推进表.xls", messy_xls())
    assert table.headers == ["项目名称", "计划时间-开工", "计划时间-投产", "总投资（亿元）"]
    assert table.header_rows == (3, 4) and table.preamble == ["重点项目推进表", "单位：万元"]
    assert table.unit_of(3) == "亿元" and table.unit_of(1) == "万元"
    assert table.rows == [(5, ["甲项目", "2022-06-15", "2023.6", "1.5"]), (6, ["乙项目", "2022.1", "202310", "8,000万元"])]
    assert isinstance(table.rows[1][1][1], NumberText)  # 2022.1 was a number: the month rules refuse it
    assert table.skipped == [(7, "total", "小计")]
    assert normalise_cell("month", table.rows[0][1][2]) == ("2023-06-01", "month")


def test_plain_files_keep_a_one_row_header():
    table = read_table("a.csv", "企业名称,注册资本\n甲公司,100\n\n乙公司,200\n\n".encode())
    assert table.headers == ["企业名称", "注册资本"] and table.header_rows == (1, 1) and table.preamble == []
    assert [n for n, _c in table.rows] == [2, 4] and table.skipped == [(3, "blank", "")]  # trailing blanks: no report
    titled = read_table("b.csv", "企业名单,,\n单位：万元,,\n企业名称,注册资本,备注\n甲公司,1.2亿,\n".encode("gbk"))
    assert titled.headers == ["企业名称", "注册资本", "备注"] and titled.header_rows == (3, 3)
    assert titled.unit == "万元" and titled.rows == [(4, ["甲公司", "1.2亿", ""])]
