"""Write CSV (with BOM) and XLSX (xlsxwriter, constant memory) from a column spec.

Rows arrive as an iterator of tuples (a Core ``select`` streamed with
``yield_per``), so an export of any size holds one chunk in memory. Text that
Excel would run as a formula (starting with = + - @, tab or CR) is neutralised:
XLSX writes it as a string anyway (``strings_to_formulas=False``) with a quote
prefix, CSV prefixes ``'``.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One exported column: a Chinese header, a kind (text, int, money, date, bool) and a width.

    ``safe`` marks text that cannot start a formula (reference names, validated codes): it is
    written as it is, without the per-cell check.
    """

    header: str
    kind: str = "text"
    width: float = 14
    safe: bool = False


BEIJING = dt.timedelta(hours=8)  # China has one time zone and no daylight saving


def _local(value: dt.datetime) -> dt.datetime:
    """Naive local (Beijing, UTC+8 all year) time for spreadsheets; naive input is taken as UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value + BEIJING


def neutralise(text: str) -> str:
    """Make a cell inert for spreadsheet programs.

    >>> neutralise("=1+1"), neutralise("-3"), neutralise("正常")
    ("'=1+1", "'-3", '正常')
    """
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value[:1] in FORMULA_START and value else value
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return neutralise(str(value))


def _csv_number(value: Any) -> str:
    return "" if value is None else str(value)


def _csv_money(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


def _csv_bool(value: Any) -> str:
    return "" if value is None else ("是" if value else "否")


def _csv_datetime(value: Any) -> str:
    if value is None:
        return ""
    v = _local(value)
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d} {v.hour:02d}:{v.minute:02d}"


def _csv_date(value: Any) -> str:
    return "" if value is None else value.isoformat()


# One formatter per column kind, chosen once per export rather than per cell.
CSV_FORMATTERS = {"money": _csv_money, "int": _csv_number, "bool": _csv_bool, "datetime": _csv_datetime,
                  "date": _csv_date}


def iter_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, chunk: int = 500) -> Iterator[str]:
    """CSV text in chunks, starting with a BOM so Excel opens it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([c.header for c in columns])
    # Only the cells that need it are formatted: csv writes None as "" and numbers as they are.
    formatters = [(i, CSV_FORMATTERS.get(c.kind, _csv_text)) for i, c in enumerate(columns)
                  if not (c.kind == "int" or (c.kind == "text" and c.safe))]
    for n, row in enumerate(rows, start=1):
        values = list(row)
        for i, f in formatters:
            values[i] = f(values[i])
        writer.writerow(values)
        if n % chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell_writer(ws, kind: str, formats: dict):
    """A writer for one column's cells, chosen once per export rather than per cell."""
    quoted = formats["quoted"]

    def text(r: int, c: int, value: Any) -> None:
        if isinstance(value, dt.datetime):
            ws.write_datetime(r, c, _local(value), formats["datetime"])
        elif isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), formats["date"])
        else:
            value = str(value)
            if value[:1] in FORMULA_START:
                ws.write_string(r, c, value, quoted)
            else:
                ws.write_string(r, c, value)

    if kind == "bool":
        return lambda r, c, value: ws.write_string(r, c, "是" if value else "否")
    if kind in ("money", "int"):
        number_format = formats[kind]

        def number(r: int, c: int, value: Any) -> None:
            if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                ws.write_number(r, c, float(value), number_format)
            else:
                text(r, c, value)
        return number
    return text


def write_xlsx(target, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, sheet: str = "Sheet1",
               title: str | None = None) -> int:
    """Write an XLSX file to ``target`` (a path or binary file); return the number of data rows."""
    import xlsxwriter

    book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False,
                                        "default_date_format": "yyyy-mm-dd"})
    ws = book.add_worksheet(sheet[:31])
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                              "valign": "vcenter"})
    formats = {
        "money": book.add_format({"num_format": "#,##0.00"}),
        "int": book.add_format({"num_format": "0"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "text": book.add_format({"num_format": "@"}),
        "quoted": book.add_format({"quote_prefix": True}),
    }
    row_no = 0
    if title:
        ws.write_string(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
        row_no = 1
    for col, column in enumerate(columns):
        ws.set_column(col, col, column.width)
        ws.write_string(row_no, col, column.header, header)
    ws.freeze_panes(row_no + 1, 0)
    writers = [_cell_writer(ws, column.kind, formats) for column in columns]
    count = 0
    for count, row in enumerate(rows, start=1):
        r = row_no + count
        for col, (value, write) in enumerate(zip(row, writers)):
            if value is not None and value != "":
                write(r, col, value)
    ws.autofilter(row_no, 0, row_no + max(count, 1), len(columns) - 1)
    book.close()
    return count
