"""Parse spreadsheet cells the way Chinese officials write them, or say why not.

Whole numbers and yes/no flags live here; amounts, units and dates are in
:mod:`crm.files.normalise` (``amount_wan`` is kept as the short name of its
:func:`~crm.files.normalise.amount` in 万元).
"""
from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from crm.files.normalise import ValueProblem, amount

TRUE = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "有"})
FALSE = frozenset({"否", "n", "no", "false", "0", "×", "无", ""})


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().replace(" ", "").replace(",", "").replace("，", "")


def amount_wan(text: str) -> Decimal | None:
    """An amount in 万元, or None for an empty cell (see :func:`crm.files.normalise.amount`).

    >>> amount_wan("1.2亿"), amount_wan("3,000万元"), amount_wan("5000万元人民币"), amount_wan("1,200.5")
    (Decimal('12000.0'), Decimal('3000'), Decimal('5000'), Decimal('1200.5'))
    """
    if text.isascii() and text.replace(".", "", 1).isdigit():
        return Decimal(text)  # what the import core hands on: canonical text in 万元
    return amount(text)


def integer(text: str) -> int | None:
    raw = _fold(text).removesuffix("人")
    if raw == "":
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueProblem(f"not a whole number: {text}") from None
    if value != value.to_integral_value():
        raise ValueProblem(f"not a whole number: {text}")
    return int(value)


def flag(text: str) -> bool:
    """是/否, Y/N, 1/0, true/false; blank is 否.

    >>> flag("是"), flag(" Y "), flag(""), flag("否")
    (True, True, False, False)
    """
    raw = _fold(text).lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise ValueProblem(f"not yes or no: {text}")
