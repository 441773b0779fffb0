"""Read CSV and XLSX uploads into a header row and text rows, keeping leading zeros.

CSV is read with the csv module on decoded text, so every cell stays text
(``002129`` stays ``002129``; no NaN). XLSX is read through python-calamine;
a text cell keeps its text, and whole-number floats that the sheet stored as
numbers are written without ``.0``. Rows that are entirely empty are skipped
but row numbers stay those of the sheet, so error reports point at the line a
user sees in Excel.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import PurePath

from crm.files.decoding import DecodeError, decode

MAX_COLUMNS = 200


class ReadError(ValueError):
    """The file cannot be read as a table; the message says why."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (sheet row number, cells)
    encoding: str | None = None

    def __len__(self) -> int:
        return len(self.rows)


def cell_text(value) -> str:
    """A calamine cell as text.

    >>> cell_text(2129.0), cell_text(3.5), cell_text(None), cell_text(dt.date(2022, 6, 1))
    ('2129', '3.5', '', '2022-06-01')
    """
    if type(value) is str:  # the common case first: CSV cells are all text
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _table(raw_rows, encoding: str | None, *, count_only: bool = False) -> Table:
    rows = iter(raw_rows)
    headers: list[str] | None = None
    header_row = 0
    for number, row in enumerate(rows, start=1):
        cells = [cell_text(c) for c in row]
        if any(cells):
            headers, header_row = cells, number
            break
    if headers is None:
        raise ReadError("the file has no header row")
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise ReadError(f"the file has {len(headers)} columns; at most {MAX_COLUMNS} are read")
    table = Table(headers=headers, encoding=encoding)
    width = len(headers)
    if count_only:
        # Headers and the number of data rows only (an upload's first look); cells stay unread.
        table.rows = [(0, [])] * sum(1 for row in rows if any(c not in (None, "") and str(c).strip() for c in row))
        return table
    for number, row in enumerate(rows, start=header_row + 1):
        cells = [cell_text(c) for c in row][:width]
        if any(cells):
            table.rows.append((number, cells + [""] * (width - len(cells))))
    return table


def read_csv(data: bytes, *, count_only: bool = False) -> Table:
    try:
        text, encoding = decode(data)
    except DecodeError as exc:
        raise ReadError(str(exc)) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return _table(csv.reader(io.StringIO(text, newline=""), dialect), encoding, count_only=count_only)


def read_xlsx(data: bytes, *, count_only: bool = False) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types for broken files
        raise ReadError(f"the file is not a readable Excel workbook ({type(exc).__name__})") from None
    return _table(rows, None, count_only=count_only)


def read_table(filename: str, data: bytes, *, count_only: bool = False) -> Table:
    """Read an upload by its extension: .csv/.txt or .xlsx/.xlsm/.xls.

    ``count_only`` reads the headers and counts the data rows without converting cells.
    """
    if not data:
        raise ReadError("the file is empty")
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(data, count_only=count_only)
    if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        return read_xlsx(data, count_only=count_only)
    raise ReadError(f"unsupported file type {suffix or '(none)'}: use CSV or Excel (.xlsx)")
