"""Find the table in a sheet: title and meta rows above it, a one- or multi-row header band, merges.

A 台账 rarely starts with its header: a title row (``2022年重点项目台账``), a meta row (``填报单位：…
单位：万元``), then a header whose groups are merged cells over sub-headers (``今年`` over ``计划`` and
``1-6月完成``). The rules, on the cells as the file holds them (a merged range keeps its value in its
top-left cell only):

* Preamble: in the first rows, a row with a single cell (when the table is wider), a row whose cells
  all read like ``key：value`` or ``单位…``, or a row that covers less than half the table's width
  while the next wide row is not data (mostly numbers). The header starts at the first other row.
* Header band: a cell merged downwards from the header row extends the band to the merge's last
  row; a cell merged across columns is a group when the row below has text under at least two of
  its columns, and the band then includes that row. At most four header rows.
* Merged cells are filled with their top-left value (in the header and in the data: a 属地 merged
  over three project rows belongs to each of them), and a column's header is its band's texts from
  top to bottom, repeated ones dropped, joined with ``-``: ``今年-1-6月完成``, ``项目名称``.

Without merge information (CSV) a multi-row header cannot be told from data and stays one row.
"""
from __future__ import annotations

import re

SCAN = 30          # rows looked at for the header
MAX_BAND = 4
_NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?$")
_META = re.compile(r"[:：]|^(单位|填报|制表|编制|填表|统计|报送)")

Merge = tuple[tuple[int, int], tuple[int, int]]  # ((first row, first col), (last row, last col)), 0-based


def _filled(value) -> bool:
    return value is not None and value != "" and not (isinstance(value, str) and not value.strip())


def _coverage(row: list, spans: dict[tuple[int, int], int], r: int) -> int:
    return sum(spans.get((r, c), 1) for c, v in enumerate(row) if _filled(v))


def find_band(grid: list[list], merges: list[Merge] = ()) -> tuple[int, int]:
    """The first and last row (0-based) of the header band.

    >>> find_band([["2022年台账", "", ""], ["单位：万元", "", ""], ["名称", "今年", ""], ["", "计划", "完成"],
    ...            ["甲", "1", "2"]], [((0, 0), (0, 2)), ((2, 0), (3, 0)), ((2, 1), (2, 2))])
    (2, 3)
    >>> find_band([["企业名称", "代码"], ["甲", "1"]])
    (0, 0)
    >>> find_band([["", ""], ["重点项目表", ""], ["填报单位：某县", "填报日期：2022年7月"], ["名称", "投资"], ["甲", "1"]])
    (3, 3)
    >>> find_band([["名称", "", "", "", "投资"], ["甲", 1, 2, 3, "4"]])  # a header with unnamed columns
    (0, 0)
    >>> find_band([["名称", "", "", "", "投资"], ["企业名称", "地址", "行业", "代码", "资本"], ["甲", 1, 2, 3, 4]])
    (1, 1)
    """
    head = grid[:SCAN]
    counts = [sum(1 for v in row if _filled(v)) for row in head]
    width = max(counts, default=0)
    spans = {(r1, c1): c2 - c1 + 1 for (r1, c1), (_r2, c2) in merges}
    first = next((r for r, n in enumerate(counts) if n), None)
    if first is None:
        return 0, 0
    if width >= 2:
        for r, row in enumerate(head):
            n = counts[r]
            if not n:
                continue
            cells = [str(v).strip() for v in row if _filled(v)]
            if n == 1 or all(_META.search(c) for c in cells):
                continue
            if 2 * n < width and 2 * _coverage(row, spans, r) < width:
                # A narrow row: a fragment above the table, unless the next wide row is data (numbers),
                # in which case this was a header with unnamed columns.
                wide = next((row for row in head[r + 1:] if 2 * sum(1 for v in row if _filled(v)) >= width), [])
                if not _mostly_numbers(wide):
                    continue
            first = r
            break
    return first, _band_end(grid, merges, first)


def _mostly_numbers(row: list) -> bool:
    """Whether most filled cells of a row are numbers (a data row, not a header).

    >>> _mostly_numbers(["甲", 1.5, "2,000", ""]), _mostly_numbers(["名称", "投资", "2022年"])
    (True, False)
    """
    cells = [v for v in row if _filled(v)]
    numbers = sum(1 for v in cells if not isinstance(v, str) or _NUMBER.match(v.strip()))
    return 2 * numbers > len(cells)


def _band_end(grid: list[list], merges: list[Merge], first: int) -> int:
    last = first
    changed = True
    while changed:
        changed = False
        for (r1, c1), (r2, c2) in merges:
            if not first <= r1 <= last:
                continue
            end = r2
            if r1 == r2 and c2 > c1 and _group_below(grid, r1 + 1, c1, c2):
                end = r1 + 1
            end = min(end, first + MAX_BAND - 1, len(grid) - 1)
            if end > last:
                last, changed = end, True
    return last


def _group_below(grid: list[list], r: int, c1: int, c2: int) -> bool:
    """The row below a horizontal merge holds sub-headers: text under at least two of its columns."""
    if r >= len(grid):
        return False
    below = grid[r][c1:c2 + 1]
    texts = [v for v in below if isinstance(v, str) and v.strip()]
    return len(texts) >= 2 and len(texts) == sum(1 for v in below if _filled(v))


def fill_merges(grid: list[list], merges: list[Merge]) -> None:
    """Give every cell of a merged range its top-left value (in place, within the rows as read).

    >>> g = [["a", ""], ["", ""]]; fill_merges(g, [((0, 0), (1, 1))]); g
    [['a', 'a'], ['a', 'a']]
    """
    for (r1, c1), (r2, c2) in merges:
        if r1 >= len(grid) or c1 >= len(grid[r1]):
            continue
        value = grid[r1][c1]
        for r in range(r1, min(r2, len(grid) - 1) + 1):
            row = grid[r]
            for c in range(c1, min(c2, len(row) - 1) + 1):
                row[c] = value


def flatten(band: list[list[str]]) -> list[str]:
    """One header per column from a band of header rows (already filled and as text).

    >>> flatten([["项目名称", "今年", "今年"], ["项目名称", "计划", "1-6月完成"]])
    ['项目名称', '今年-计划', '今年-1-6月完成']
    """
    width = max((len(r) for r in band), default=0)
    headers = []
    for c in range(width):
        parts: list[str] = []
        for row in band:
            text = row[c] if c < len(row) else ""
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        headers.append("-".join(parts))
    return headers
