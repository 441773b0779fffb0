"""Read CSV and Excel uploads into a header row and text rows, keeping leading zeros.

CSV is read with the csv module on decoded text, so every cell stays text
(``002129`` stays ``002129``; no NaN). Excel — XLSX and legacy BIFF ``.xls``
alike — is read through python-calamine with its merged ranges; a text cell
keeps its text, and whole-number floats that the sheet stored as numbers are
written without ``.0``. Title and meta rows above the table and multi-row
merged headers are found by :mod:`crm.files.layout`. Blank rows inside the
table and total rows (合计, 小计, 其中 …) are left out of the data and listed in
``Table.skipped``, so the import report names them; row numbers stay those of
the sheet, so every report points at the line a user sees in Excel. A 台账 written by
ChainCRM carries a hidden key row under its header (each column's stable key): it is
kept as ``Table.keys``, not read as data, and import kinds map columns through it.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import PurePath

from crm.files.decoding import DecodeError, decode
from crm.files.layout import SCAN, fill_merges, find_band, flatten
from crm.files.normalise import NumberText, header_unit, is_total_label

MAX_COLUMNS = 200
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class ReadError(ValueError):
    """The file cannot be read as a table; the message says why."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (sheet row number, cells)
    encoding: str | None = None
    header_rows: tuple[int, int] = (1, 1)      # sheet row numbers of the header band
    preamble: list[str] = field(default_factory=list)  # the title and meta lines above the header
    unit: str | None = None                    # the amount unit a meta line names (单位：万元)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (row, "total" | "blank", label)
    keys: list[str] | None = None              # a 台账's hidden key row: each column's stable key

    def __len__(self) -> int:
        return len(self.rows)

    def unit_of(self, index: int) -> str | None:
        """The amount unit of a column: its header's, else the sheet's, else None (万元)."""
        header = self.headers[index] if index < len(self.headers) else ""
        return header_unit(header) or self.unit


def cell_text(value) -> str:
    """A calamine cell as text; numbers are marked (:class:`NumberText`) for the date rules.

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
        return NumberText(int(value) if value.is_integer() else repr(value))
    if isinstance(value, int):
        return NumberText(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _count(table: Table, data_rows, start: int) -> None:
    """An upload's first look: the data rows are counted and the skipped ones listed, cells unconverted."""
    pending: list[int] = []
    count = 0
    for number, row in enumerate(data_rows, start=start):
        try:
            probe = "".join(row[:3])  # CSV rows are text: one join answers "blank?" and "total?" mostly
        except TypeError:
            probe = "".join(c for c in row[:3] if c.__class__ is str)
        if not probe.strip() and not any(c not in (None, "") and str(c).strip() for c in row):
            pending.append(number)
            continue
        if pending:
            table.skipped.extend((n, "blank", "") for n in pending)
            pending = []
        label = _total([cell_text(c) for c in row[:3]]) if "计" in probe or "其中" in probe else None
        if label:
            table.skipped.append((number, "total", label))
        else:
            count += 1
    table.rows = [(0, [])] * count


def key_row(cells: list[str]) -> list[str] | None:
    """The cells, when they are a 台账's key row (crm.ledgers: every filled cell a lower-case machine key,
    no key twice, at least three of them and one with an underscore, as ``project_id``); else None.

    >>> key_row(["seq", "code", "", "project_id"]), key_row(["甲", "code", "project_id"]), key_row(["a", "b", "c"])
    (['seq', 'code', '', 'project_id'], None, None)
    """
    filled = [c for c in cells if c]
    if len(filled) < 3 or len(set(filled)) < len(filled) or not any("_" in c for c in filled):
        return None
    if not all(_KEY.match(c) for c in filled):
        return None
    return [str(c) for c in cells]


def _total(cells: list[str]) -> str | None:
    """The total word (合计, 小计, 其中 …) one of the first three cells ends with; looked for only when
    they hold 计 or 其中, so ordinary rows cost one join."""
    for cell in cells[:3]:
        label = is_total_label(cell)
        if label:
            return label
    return None


def _table(raw_rows, encoding: str | None, *, merges=(), count_only: bool = False) -> Table:
    rows = iter(raw_rows)
    head = list(islice(rows, SCAN))
    first, last = find_band(head, merges)
    if not any(any(cell_text(c) for c in row) for row in head):
        raise ReadError("the file has no header row")
    preamble = [" ".join(t for t in (cell_text(c) for c in row) if t) for row in head[:first]]
    preamble = [line for line in preamble if line]  # read before the merges are filled: a title once
    fill_merges(head, merges)
    band = [[cell_text(c) for c in row] for row in head[first:last + 1]]
    headers = flatten(band)
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise ReadError("the file has no header row")
    if len(headers) > MAX_COLUMNS:
        raise ReadError(f"the file has {len(headers)} columns; at most {MAX_COLUMNS} are read")
    table = Table(headers=headers, encoding=encoding, header_rows=(first + 1, last + 1), preamble=preamble,
                  unit=next((u for u in map(header_unit, preamble) if u), None))
    if merges and len(head) == SCAN:
        rows = list(rows)  # merges below the first rows are filled on the whole sheet
        grid = head + rows
        fill_merges(grid, [m for m in merges if m[1][0] >= SCAN])
    width = len(headers)
    after = head[last + 1:]
    if after:
        keys = key_row([cell_text(c) for c in after[0]][:width])
        if keys is not None:  # a 台账 written by ChainCRM: the row under the header names the columns
            table.keys = keys + [""] * (width - len(keys))
            after = after[1:]
            last += 1
    data_rows = chain(after, rows)
    if count_only:
        _count(table, data_rows, last + 2)
        return table
    pending: list[int] = []  # blank rows are reported only when a data row follows them
    for number, row in enumerate(data_rows, start=last + 2):
        cells = [cell_text(c) for c in row][:width]
        if not any(cells):
            pending.append(number)
            continue
        if pending:
            table.skipped.extend((n, "blank", "") for n in pending)
            pending = []
        probe = "".join(cells[:3])
        label = _total(cells) if "计" in probe or "其中" in probe else None
        if label:
            table.skipped.append((number, "total", label))
        else:
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


def read_excel(data: bytes, *, count_only: bool = False) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
        merges = list(sheet.merged_cell_ranges or ())
    except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types for broken files
        raise ReadError(f"the file is not a readable Excel workbook ({type(exc).__name__})") from None
    return _table(rows, None, merges=merges, count_only=count_only)


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
        return read_excel(data, count_only=count_only)
    raise ReadError(f"unsupported file type {suffix or '(none)'}: use CSV or Excel (.xlsx, .xls)")
