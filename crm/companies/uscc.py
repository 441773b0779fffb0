"""The unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from a 31-character alphabet (no I, O, S, V, Z): registration
authority, organisation type, 6-digit division code, 9-character organisation
code, and a check character computed with weights 3^i mod 31.
"""
from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
AUTHORITIES = set("123456789ANY")


def check_char(first17: str) -> str:
    """The check character for the first 17 characters.

    >>> check_char("91440300192203821")  # 华为技术有限公司, 914403001922038216
    '6'
    """
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Say what is wrong with a code, in English msgid form; ``None`` when valid.

    >>> uscc_problem("914403001922038216") is None
    True
    >>> uscc_problem("914403001922038217")
    'check character'
    >>> uscc_problem("91440300192203821")
    'length'
    """
    if len(code) != 18:
        return "length"
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        return "characters"
    if code[0] not in AUTHORITIES:
        return "authority"
    if not code[2:8].isdigit():
        return "division"
    if check_char(code[:17]) != code[17]:
        return "check character"
    return None


def clean(code: str | None) -> str | None:
    """Upper-case, strip spaces and full-width forms; ``None`` for blank."""
    if code is None:
        return None
    text = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in code)
    text = text.replace(" ", "").replace("\u3000", "").upper()
    return text or None
