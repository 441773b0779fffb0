"""Write a 台账 from a template and a dataset with xlsxwriter (``constant_memory``, formats made once).

The sheet, top to bottom: the title (merged across the columns), the meta row (填报单位 / 截止日期 /
单位:万元 in thirds), one or two header rows (a group's header merged over its children, a column
without a group merged over both rows), a hidden **key row**, the 总计 row, then the data — with a 小计
row above each group when a grouping is chosen. Numbers and dates are real numbers and dates with the
template's number formats; text that a spreadsheet would run as a formula gets a quote prefix.

The key row holds each column's stable ``key`` and is named ``ledger_keys`` in the workbook (a defined
name); the custom document properties ``chaincrm_template`` and ``chaincrm_period`` say which template
and month the file is. A re-import finds its columns through that name, whatever the headers say, and
tells data rows from 总计/小计 rows by the hidden id column (``project_id``), which only data rows fill.

``constant_memory`` writes each row when the next one starts, so everything is written strictly in row
order; a header cell merged down two rows is registered when its bottom row is written (see :func:`_header`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from crm.ledgers.fields import Context
from crm.ledgers.schema import Column, Grouping, Template
from crm.ledgers.sources import Dataset

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMERIC = ("seq", "int", "money", "percent")
DATED = ("date", "month")
BASE = {"border": 1, "valign": "vcenter", "font_size": 10}
COUNT_FORMAT = '0"项"'
FILL_HEADER, FILL_CELL = "#C6E0B4", "#FFF9DB"


@dataclass
class Sheet:
    """The cells to write: (kind, values) rows after the header, kind one of total, subtotal, data."""

    rows: list[tuple[str, list[Any]]]
    data_rows: int


def placeholders(template: Template, ctx: Context) -> dict[str, Any]:
    return {"year": ctx.year, "month": ctx.month, "unit": ctx.unit_name,
            "period_end": f"{ctx.period_end.year}年{ctx.period_end.month}月{ctx.period_end.day}日",
            "today": f"{ctx.today.year}年{ctx.today.month}月{ctx.today.day}日", "value": ""}


def _cell_values(template: Template, data: Dataset) -> list[list[Any]]:
    """Each row's values in column order: labels applied, text as text (sources give numbers as floats).

    The per-cell work is limited to the columns that need it: this runs once per cell of the export."""
    sources = [c.source for c in template.columns]
    labelled = [(i, c.labels) for i, c in enumerate(template.columns) if c.labels]
    texts = [i for i, c in enumerate(template.columns) if c.type == "text" and not c.labels]
    out = []
    for row in data.rows:
        values = [row.get(s) for s in sources]
        for i, labels in labelled:
            value = values[i]
            if value is not None:
                values[i] = labels.get(value if type(value) is str else str(value), value)
        for i in texts:
            value = values[i]
            if value is not None and type(value) is not str:
                values[i] = str(value)
        out.append(values)
    return out


def _aggregate(template: Template, rows: list[list[Any]], label: str) -> list[Any]:
    index = {c.key: i for i, c in enumerate(template.columns)}
    out: list[Any] = [None] * len(template.columns)
    for i, c in enumerate(template.columns):
        if c.sum:  # blank when no row has a figure: nothing reported is not a reported zero
            present = [r[i] for r in rows if r[i] is not None]
            out[i] = round(sum(present), 2) if present else None
    for i, c in enumerate(template.columns):
        if c.ratio:
            num, den = out[index[c.ratio[0]]], out[index[c.ratio[1]]]
            out[i] = round(num / den, 4) if num is not None and den else None
    if template.count_column:
        out[index[template.count_column]] = len(rows)
    out[index[template.totals_column]] = label
    return out


def lay_out(template: Template, data: Dataset, grouping: Grouping | None) -> Sheet:
    """The rows below the header: 总计, then (小计, its rows)… or the rows; 序号 numbered in order."""
    records = data.rows
    if grouping is not None:
        by = grouping.by
        # A source may give ``<field>_sort`` (category order, unit order); otherwise the value's text decides.
        sort_key = data.sort_keys.get(by) or (lambda r: (r.get(f"{by}_sort", 0), str(r.get(by) or "")))
        records = sorted(records, key=sort_key)
    values = _cell_values(template, Dataset(records))
    seq = [i for i, c in enumerate(template.columns) if c.type == "seq"]
    for n, row in enumerate(values, start=1):
        for i in seq:
            row[i] = n
    out: list[tuple[str, list[Any]]] = []
    if template.totals_label is not None:
        out.append(("total", _aggregate(template, values, template.totals_label)))
    if grouping is None:
        out += [("data", row) for row in values]
        return Sheet(out, len(values))
    labels = next((c.labels for c in template.columns if c.source == grouping.by), {})
    start = 0
    for end in range(1, len(records) + 1):
        if end == len(records) or records[end].get(grouping.by) != records[start].get(grouping.by):
            raw = records[start].get(grouping.by)
            shown = labels.get(str(raw), raw) if raw is not None else "—"
            out.append(("subtotal", _aggregate(template, values[start:end], grouping.label.format(value=shown))))
            out += [("data", row) for row in values[start:end]]
            start = end
    return Sheet(out, len(values))


class Formats:
    """Every format of a workbook, made once: per column for data, 总计 and 小计 cells."""

    def __init__(self, book, template: Template, fill: bool = False):
        add = book.add_format
        self.title = add({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.meta = [add({"font_size": 11, "align": a, "valign": "vcenter"}) for a in ("left", "center", "right")]
        self.header = add({**BASE, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"})
        # The fill version: the columns a unit fills get a green header and unlocked, tinted cells.
        fill_header = add({**BASE, "bold": True, "align": "center", "text_wrap": True, "bg_color": FILL_HEADER})
        self.heads = [fill_header if fill and c.fill else self.header for c in template.columns]
        self.key = add({"font_size": 8, "font_color": "#808080"})
        self.data, self.quoted, self.total, self.subtotal = [], [], [], []
        for c in template.columns:
            props = {**BASE, "num_format": c.format}
            if c.wrap:
                props["text_wrap"] = True
            if c.type in ("seq", "date", "month"):
                props["align"] = "center"
            if fill and c.fill:
                props = {**props, "locked": False, "bg_color": FILL_CELL}
            self.data.append(add(props))
            self.quoted.append(add({**props, "quote_prefix": True}) if c.type == "text" else None)
            props.pop("locked", None)
            props.pop("bg_color", None)
            if c.key == template.count_column:
                props = {**props, "num_format": COUNT_FORMAT}
            if c.key == template.totals_column:
                props = {**props, "align": "center"}
            self.total.append(add({**props, "bold": True, "bg_color": "#FCE4D6"}))
            self.subtotal.append(add({**props, "bold": True, "bg_color": "#FFF2CC"}))


def _writer(ws, col: int, c: Column, fmt, quoted):
    """One column's cell writer, chosen once: blanks keep the border, text is neutralised."""
    blank, number, string, datetime = ws.write_blank, ws.write_number, ws.write_string, ws.write_datetime

    if c.type in NUMERIC:
        def write(r, v):
            if v is None:
                blank(r, col, None, fmt)
            else:
                number(r, col, v, fmt)
    elif c.type in DATED:
        def write(r, v):
            if v is None:
                blank(r, col, None, fmt)
            else:
                datetime(r, col, v, fmt)
    else:
        def write(r, v):
            if v is None or v == "":
                blank(r, col, None, fmt)
            elif v[:1] in FORMULA_START:
                string(r, col, v, quoted)
            else:
                string(r, col, v, fmt)
    return write


def _header(ws, template: Template, formats: Formats, top: int, levels: int, values: dict) -> None:
    columns = template.columns
    heads = [c.header.format(**values) for c in columns]
    if levels == 1:
        for i, c in enumerate(columns):
            ws.write_string(top, i, heads[i], formats.heads[i])
        return
    # Row one: each group's header merged over its children (one row), every plain column's header.
    i = 0
    while i < len(columns):
        group = columns[i].group
        if group is None:
            ws.write_string(top, i, heads[i], formats.heads[i])
            i += 1
            continue
        end = i
        while end + 1 < len(columns) and columns[end + 1].group == group:
            end += 1
        head = formats.heads[i] if all(formats.heads[j] is formats.heads[i] for j in range(i, end + 1)) \
            else formats.header
        ws.merge_range(top, i, top, end, group.format(**values), head)
        i = end + 1
    # Row two: the children, and the lower half of each plain column's cell. constant_memory refuses a
    # merge_range whose first row is already written out, so the vertical ranges are added to the list
    # merge_range itself appends to, after both of their cells were written in row order.
    for i, c in enumerate(columns):
        if c.group is None:
            ws.write_blank(top + 1, i, None, formats.heads[i])
            ws.merge.append([top, i, top + 1, i])
        else:
            ws.write_string(top + 1, i, heads[i], formats.heads[i])


def write(target, template: Template, ctx: Context, data: Dataset, grouping: Grouping | None = None,
          fill: bool = False) -> int:
    """Write the workbook to ``target`` (a path or a binary file); answer the number of data rows.

    ``fill`` writes the version a unit fills in: the ``fill`` columns unlocked and tinted (a list to pick
    from where the column has labels), the sheet protected without a password — a guide against editing
    the context by mistake, not a control: the re-import checks every cell anyway."""
    import xlsxwriter

    sheet = lay_out(template, data, grouping)
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    book.set_custom_property("chaincrm_template", template.key)
    book.set_custom_property("chaincrm_period", f"{ctx.year:04d}-{ctx.month:02d}")
    ws = book.add_worksheet(template.sheet)
    formats = Formats(book, template, fill)
    columns, last = template.columns, len(template.columns) - 1
    for i, c in enumerate(columns):
        ws.set_column(i, i, c.width, None, {"hidden": True} if c.hidden else None)
    levels = 2 if any(c.group for c in columns) else 1
    values = placeholders(template, ctx)
    header_top, key_row = 2, 2 + levels
    first_body = key_row + 1
    # Row options first: constant_memory writes a row's attributes together with its cells.
    ws.set_row(0, 32)
    ws.set_row(1, 20)
    for r in range(header_top, key_row):
        ws.set_row(r, 30)
    ws.set_row(key_row, None, formats.key, {"hidden": True})
    ws.merge_range(0, 0, 0, last, template.title.format(**values), formats.title)
    third = len(columns) // 3
    thirds = [(0, max(0, third - 1)), (third, max(third, 2 * len(columns) // 3 - 1)), (2 * len(columns) // 3, last)]
    for (start, end), text, fmt in zip(thirds, template.meta, formats.meta):
        if not text:
            continue
        if end > start:
            ws.merge_range(1, start, 1, end, text.format(**values), fmt)
        else:
            ws.write_string(1, start, text.format(**values), fmt)
    _header(ws, template, formats, header_top, levels, values)
    for i, c in enumerate(columns):
        ws.write_string(key_row, i, c.key, formats.key)
    writers = [_writer(ws, i, c, formats.data[i], formats.quoted[i]) for i, c in enumerate(columns)]
    r = first_body
    for kind, row in sheet.rows:
        if kind == "data":
            for write_cell, v in zip(writers, row):
                write_cell(r, v)
        else:
            fmts = formats.total if kind == "total" else formats.subtotal
            for i, v in enumerate(row):
                if v is None:
                    ws.write_blank(r, i, None, fmts[i])
                elif isinstance(v, str):
                    ws.write_string(r, i, v, fmts[i])
                else:
                    ws.write_number(r, i, v, fmts[i])
        r += 1
    if fill:
        _protect(ws, columns, first_body, r - 1)
    frozen = first_body + (1 if template.totals_label is not None else 0)
    ws.freeze_panes(frozen, template.freeze_columns)
    ws.repeat_rows(header_top, key_row - 1)
    if template.landscape:
        ws.set_landscape()
    ws.set_paper(template.paper)
    if template.fit_width:
        ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    sheet_ref = "'" + template.sheet.replace("'", "''") + "'"
    book.define_name("ledger_keys", f"={sheet_ref}!{xl_rowcol_to_cell(key_row, 0, True, True)}:"
                                    f"{xl_rowcol_to_cell(key_row, last, True, True)}")
    book.close()
    return sheet.data_rows


def _protect(ws, columns, first: int, last: int) -> None:
    for i, c in enumerate(columns):
        if c.fill and c.labels and last >= first:
            choices = list(dict.fromkeys(c.labels.values()))
            ws.data_validation(first, i, last, i, {"validate": "list", "source": choices})
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})
