"""Parse spreadsheet cells the way Chinese officials write them, or say why not.

Amounts are returned in 万元: ``1.2亿`` → 12000, ``3,000万元`` → 3000,
``5000万元人民币`` → 5000, ``1,200.5`` → 1200.5 (a bare number is taken to be
in 万元, the unit every 台账 uses). Foreign currencies are refused rather than
converted at a guessed rate.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

TRUE = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "有"})
FALSE = frozenset({"否", "n", "no", "false", "0", "×", "无", ""})
FOREIGN = ("美元", "港元", "港币", "欧元", "日元", "英镑", "新台币", "澳元", "韩元", "usd", "hkd", "eur", "jpy")
_AMOUNT = re.compile(r"^(-?\d+(?:\.\d+)?)(亿元?|万元?|元)?(人民币)?$")


class ValueProblem(ValueError):
    pass


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().replace(" ", "").replace(",", "").replace("，", "")


def amount_wan(text: str) -> Decimal | None:
    """An amount in 万元, or None for an empty cell.

    >>> amount_wan("1.2亿"), amount_wan("3,000万元"), amount_wan("5000万元人民币"), amount_wan("1,200.5")
    (Decimal('12000.0'), Decimal('3000'), Decimal('5000'), Decimal('1200.5'))
    >>> amount_wan("50000元")
    Decimal('5')
    """
    raw = _fold(text)
    if raw in ("", "-", "—", "/"):
        return None
    if raw.isascii() and raw.replace(".", "", 1).isdigit():
        return Decimal(raw)  # the common case: a plain number in 万元
    if any(f in raw.lower() for f in FOREIGN):
        raise ValueProblem("amount in a foreign currency: convert it to 万元 first")
    match = _AMOUNT.match(raw)
    if not match:
        raise ValueProblem(f"not an amount: {text}")
    number, unit = Decimal(match.group(1)), match.group(2) or "万"
    if unit.startswith("亿"):
        return number * 10000
    if unit == "元":
        return number / 10000
    return number


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
