"""Normalise the cells of messy spreadsheets — amounts, units, dates — or say exactly why not.

One module for every import kind: the import core (:mod:`crm.imports.services`) runs each mapped
cell of a typed field through :func:`normalise_cell` before the kind sees it, so a kind receives
canonical text ("12000", "2022-06-01", "2022") or the row gets an error naming the cell.

The rules never guess:

* Amounts are returned in 万元, the system's unit. A unit written in the cell (``5000元``,
  ``1.2亿``) wins; a bare number is in the column's unit (from its header, e.g. ``总投资（亿元）``, or
  the sheet's ``单位：万元`` line), and in 万元 when neither says. Thousands separators must group
  by three (``1,200.5``); ``1,2`` is refused rather than read as a decimal comma.
* Approximate or ranged amounts (``约3000万``, ``3000万左右``, ``5000万以上``, ``1000-2000``), percentages,
  and foreign currencies are refused. A lone dash (``-``, ``—``, ``/``) is the 台账 way of writing
  "nothing" and reads as an empty cell. ``(1,200)`` is the accounting notation of a negative amount.
* Dates keep their precision: ``2022年6月`` and ``2022.6`` are months, ``2022.06.15`` is a day. A field
  that accepts a month (a *planned* date) stores the first of the month and the batch report says so;
  a field that needs a day refuses a month. Two-digit years, missing years and impossible months or
  days are refused. ``2022.1`` typed as a number is refused too: Excel stores ``2022.10`` as 2022.1.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

# Values of a 万元 amount per unit written in a cell or a header.
UNITS = {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "万元": Decimal(1), "百万元": Decimal(100),
         "亿元": Decimal(10000)}
_UNIT_WORDS = {"元": "元", "千元": "千元", "万": "万元", "万元": "万元", "百万": "百万元", "百万元": "百万元",
               "亿": "亿元", "亿元": "亿元"}
EMPTY = frozenset({"", "-", "--", "—", "——", "–", "/", "\\"})
FOREIGN = ("美元", "港元", "港币", "欧元", "日元", "英镑", "新台币", "澳元", "韩元", "usd", "hkd", "eur", "jpy", "$")
APPROXIMATE = ("约", "大约", "左右", "以上", "以下", "多万", "余", "近", "超过", "不到", "不足", "不少于", "上下", "~", "≈",
               "+", "至", "到")
_NUMBER = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(千元|百万元?|万元?|亿元?|元)?$")
_RANGE = re.compile(r"^\d[\d,.]*(万元?|亿元?|元)?-\d")
_HEADER_UNIT = re.compile(r"[(（\[【]\s*(?:单位\s*[:：]?\s*)?(千元|百万元|万元|亿元|元)(?:人民币)?\s*[)）\]】]"
                          r"|单位\s*[:：]\s*(千元|百万元|万元|亿元|元)")
_TOTAL_WORDS = ("合计", "总计", "小计", "共计", "累计")
MONTH_DAY, MONTH, YEAR = "day", "month", "year"
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Date serials accepted from number cells: 1990-01-01 … 2099-12-31. A five-digit number outside
# that range (20226) is more likely a typo of a date than a serial, so it is refused.
SERIALS = range(32874, 73415)


class ValueProblem(ValueError):
    """A cell that cannot be read; the message says why."""


class NumberText(str):
    """Text of a cell the spreadsheet stored as a number (the reader marks it: 2022.1 may be 2022.10)."""

    __slots__ = ()


def fold(text: str) -> str:
    """Full-width to ASCII, no spaces; ``−`` is a minus.

    >>> fold(" １，２００ 万元 "), fold("（５）"), fold("−3")
    ('1,200万元', '(5)', '-3')
    """
    text = unicodedata.normalize("NFKC", text or "").replace("\u2212", "-")
    return "".join(text.split())


def canonical(value: Decimal) -> str:
    """A Decimal as plain text without exponent or trailing zeros.

    >>> canonical(Decimal("12000.0")), canonical(Decimal("0.5000")), canonical(Decimal("-3"))
    ('12000', '0.5', '-3')
    """
    return format(value.normalize(), "f")


def header_unit(header: str) -> str | None:
    """The amount unit a header or a sheet's meta line names, as a key of :data:`UNITS`.

    >>> header_unit("总投资（万元）"), header_unit("金额(亿元)"), header_unit("合同额（元）")
    ('万元', '亿元', '元')
    >>> header_unit("单位：万元"), header_unit("今年-1-6月完成"), header_unit("计划投资【单位:亿元】")
    ('万元', None, '亿元')
    """
    match = _HEADER_UNIT.search(unicodedata.normalize("NFKC", header or ""))
    if not match:
        return None
    return match.group(1) or match.group(2)


def amount(text: str, unit: str | None = None, *, negative: bool = True) -> Decimal | None:
    """An amount in 万元, or None for an empty cell. ``unit`` is the column's unit (default 万元).

    >>> amount("1.2亿"), amount("3,000万元"), amount("1,200.5"), amount("5000元"), amount("１，２００")
    (Decimal('12000.0'), Decimal('3000'), Decimal('1200.5'), Decimal('0.5000'), Decimal('1200'))
    >>> amount("1.5", "亿元"), amount("5000", "元"), amount("2万", "元"), amount("(1,200)"), amount("—")
    (Decimal('15000.0'), Decimal('0.5000'), Decimal('2'), Decimal('-1200'), None)
    >>> amount("人民币5000万元"), amount("¥3,000.50万")
    (Decimal('5000'), Decimal('3000.50'))
    >>> amount("约3000万")
    Traceback (most recent call last):
    ...
    crm.files.normalise.ValueProblem: 约3000万 is approximate (约): enter the exact amount
    >>> amount("12%")
    Traceback (most recent call last):
    ...
    crm.files.normalise.ValueProblem: 12% is a percentage, not an amount
    """
    raw = fold(text)
    if raw in EMPTY:
        return None
    factor = UNITS[unit or "万元"]
    if raw.isascii() and raw.replace(".", "", 1).isdigit():
        return Decimal(raw) * factor  # the common case: a plain number in the column's unit
    body = raw.removeprefix("人民币").removeprefix("RMB").removeprefix("¥").removesuffix("人民币")
    sign = 1
    if body.startswith("(") and body.endswith(")"):
        body, sign = body[1:-1], -1
    elif body.startswith("-"):
        body, sign = body[1:], -1
    match = _NUMBER.match(body)
    if not match:
        raise ValueProblem(_why_not(raw, (text or "").strip()))
    number = Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
    if match.group(3):
        factor = UNITS[_UNIT_WORDS[match.group(3)]]
    value = number * factor
    if sign < 0 and value:
        if not negative:
            raise ValueProblem(f"{(text or '').strip()} is negative; this amount cannot be")
        return -value
    return value


def _why_not(raw: str, shown: str) -> str:
    """Why a cell that is not a plain amount was refused (looked at only when it is not one)."""
    if any(f in raw.lower() for f in FOREIGN):
        return f"{shown} is in a foreign currency: convert it to 万元 first"
    if "%" in raw or "‰" in raw:
        return f"{shown} is a percentage, not an amount"
    if _RANGE.match(raw.lstrip("-")):
        return f"{shown} is a range, not one amount"
    for word in APPROXIMATE:
        if word in raw:
            return f"{shown} is approximate ({word}): enter the exact amount"
    return f"not an amount: {shown}"


def _excel_serial(raw: str) -> dt.date | None:
    if not re.fullmatch(r"\d{5}(\.\d+)?", raw):
        return None
    serial = int(raw.split(".")[0])
    if serial not in SERIALS:
        return None
    return EXCEL_EPOCH + dt.timedelta(days=serial)


def _checked(year: int, month: int, day: int | None, shown: str) -> dt.date:
    if not 1 <= month <= 12:
        raise ValueProblem(f"{shown}: there is no month {month}")
    if not 1900 <= year <= 2100:
        raise ValueProblem(f"{shown}: the year {year} is out of range")
    try:
        return dt.date(year, month, day or 1)
    except ValueError:
        raise ValueProblem(f"{shown}: there is no day {day} in {year}-{month:02d}") from None


_FULL = re.compile(r"^(\d{4})(?:年|[-./])(\d{1,2})(?:月|[-./])(\d{1,2})日?(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MONTH = re.compile(r"^(\d{4})(?:年|[-./])(\d{1,2})月?(?:份)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")


def date_value(text: str) -> tuple[dt.date, str] | None:
    """A date and its precision (``day``, ``month`` or ``year``), or None for an empty cell.

    >>> date_value("2022年6月"), date_value("2022.6"), date_value("2022-06"), date_value("2022/6")
    ((datetime.date(2022, 6, 1), 'month'), (datetime.date(2022, 6, 1), 'month'), \
(datetime.date(2022, 6, 1), 'month'), (datetime.date(2022, 6, 1), 'month'))
    >>> date_value("202206"), date_value("2022年6月15日"), date_value("2022.06.15"), date_value("44713")
    ((datetime.date(2022, 6, 1), 'month'), (datetime.date(2022, 6, 15), 'day'), \
(datetime.date(2022, 6, 15), 'day'), (datetime.date(2022, 6, 1), 'day'))
    >>> date_value("2022年"), date_value("2022-06-15 00:00:00"), date_value("")
    ((datetime.date(2022, 1, 1), 'year'), (datetime.date(2022, 6, 15), 'day'), None)
    >>> date_value("2022.13")
    Traceback (most recent call last):
    ...
    crm.files.normalise.ValueProblem: 2022.13: there is no month 13
    """
    shown = (text or "").strip()
    raw = fold(text)
    if raw in EMPTY:
        return None
    if isinstance(text, NumberText) and re.fullmatch(r"\d{4}\.1", raw):
        raise ValueProblem(f"{shown} was typed as a number, so 2022.10 and 2022.1 look the same: "
                           "write the month as text (2022年10月) or as a date")
    if (match := _FULL.match(raw)):
        year, month, day = (int(g) for g in match.groups())
        return _checked(year, month, day, shown), MONTH_DAY
    if (match := _MONTH.match(raw)):
        return _checked(int(match.group(1)), int(match.group(2)), None, shown), MONTH
    if (match := _COMPACT.match(raw)):
        year, month, day = int(match.group(1)), int(match.group(2)), match.group(3)
        return _checked(year, month, int(day) if day else None, shown), MONTH_DAY if day else MONTH
    if re.fullmatch(r"\d{4}年?", raw):
        return _checked(int(raw[:4]), 1, None, shown), YEAR
    if (serial := _excel_serial(raw)) is not None:
        return serial, MONTH_DAY
    if re.fullmatch(r"\d{2}(?:年|[-./])\d{1,2}(?:月|[-./]\d{1,2}日?)?", raw):
        raise ValueProblem(f"{shown}: a two-digit year is ambiguous; write the year in full")
    if re.fullmatch(r"\d{1,2}月(\d{1,2}日)?", raw):
        raise ValueProblem(f"{shown}: the year is missing")
    raise ValueProblem(f"not a date: {shown}")


def is_total_label(cell: str) -> str | None:
    """The word that makes a row a total or breakdown row (合计, 总计, 小计, 其中), or None.

    >>> is_total_label("合 计"), is_total_label("尧都区小计"), is_total_label("其中：工业项目"), is_total_label("合计公司")
    ('合计', '小计', '其中', None)
    """
    raw = fold(cell)
    if not raw or len(raw) > 12:
        return None
    if raw.startswith("其中"):
        return "其中"
    for word in _TOTAL_WORDS:
        if raw.endswith(word) or raw.endswith(word + ":") or raw.endswith(word + "："):
            return word
    return None


def normalise_cell(kind: str, text: str, unit: str | None = None) -> tuple[str | None, str | None]:
    """Canonical text of a cell for a field kind, and a note when its precision was widened.

    Kinds: ``money`` (万元), ``money_signed``, ``date`` (a day is needed), ``month`` (a month is
    enough: the first of the month is stored), ``year``.

    >>> normalise_cell("money", "1.2亿"), normalise_cell("month", "2022.6"), normalise_cell("year", "2022年6月")
    (('12000', None), ('2022-06-01', 'month'), ('2022', None))
    >>> normalise_cell("date", "2022.6")
    Traceback (most recent call last):
    ...
    crm.files.normalise.ValueProblem: 2022.6 gives only the month; this date needs the day
    """
    if kind in ("money", "money_signed"):
        value = amount(text, unit, negative=kind == "money_signed")
        return (None if value is None else canonical(value)), None
    # A year field needs no month, so 2022.1 typed as a number (January or October) is still 2022.
    found = date_value(str(text) if kind == "year" else text)
    if found is None:
        return None, None
    value, precision = found
    if kind == "year":
        return str(value.year), None
    shown = (text or "").strip()
    if precision == YEAR:
        raise ValueProblem(f"{shown} gives only the year; this date needs at least the month")
    if kind == "date" and precision == MONTH:
        raise ValueProblem(f"{shown} gives only the month; this date needs the day")
    return value.isoformat(), (MONTH if precision == MONTH else None)
