"""GB/T 4754-2017 国民经济行业分类: pure look-ups over ``data/gbt4754_2017``.

Scope: the four levels of the national industry classification — section (门类,
a letter), division (大类, 2 digits), group (中类, 3), class (小类, 4) — found by
code, walked up to the section, or searched by code prefix or Chinese name for
pickers and imports. No Flask, no database; the file is read once per process.
:mod:`crm.refdata.lookup` re-exports everything here, so callers need one import.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

__all__ = ["Industry", "find_industries", "industries", "industry", "industry_path"]

IndustryLevel = Literal["section", "division", "group", "class"]

_INDUSTRY_RANK: dict[str, int] = {"section": 0, "division": 1, "group": 2, "class": 3}


@dataclass(frozen=True)
class Industry:
    """A GB/T 4754-2017 category: section (门类, a letter) down to class (小类, 4 digits)."""

    code: str
    name: str
    level: IndustryLevel
    parent_code: str | None
    section: str
    description: str | None


def _read_csv(folder: str, name: str) -> list[dict[str, str]]:
    # importlib.resources keeps this working when the package is installed as a wheel.
    path = resources.files("crm.refdata").joinpath("data").joinpath(folder).joinpath(name)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def _industry_table() -> dict[str, Industry]:
    table: dict[str, Industry] = {}
    for row in _read_csv("gbt4754_2017", "gbt4754_2017.csv"):
        level: IndustryLevel = row["level"]  # type: ignore[assignment]
        table[row["code"]] = Industry(row["code"], row["name"], level, row["parent_code"] or None,
                                      row["section"], row["description"] or None)
    return table


def industries() -> list[Industry]:
    """Every category, sections first, then divisions, groups, classes (parents before children).

    Examples
    --------
    >>> len(industries()), industries()[0].name
    (1971, '农、林、牧、渔业')
    """
    return sorted(_industry_table().values(), key=lambda i: (_INDUSTRY_RANK[i.level], i.code))


def industry(code: str) -> Industry | None:
    """The category with this code, or ``None``.

    Parameters
    ----------
    code : str
        A section letter (either case) or a 2-, 3- or 4-digit code.

    Examples
    --------
    >>> industry('3130').name, industry('c').name, industry('9999')
    ('钢压延加工', '制造业', None)
    """
    return _industry_table().get(str(code).strip().upper())


def industry_path(code: str) -> list[Industry]:
    """The categories from the section down to ``code``.

    Raises
    ------
    ValueError
        For a code that is not in the classification.

    Examples
    --------
    >>> [i.code for i in industry_path('3130')]
    ['C', '31', '313', '3130']
    """
    item = industry(code)
    if item is None:
        raise ValueError(f"unknown industry code {code!r}")
    path = [item]
    while path[-1].parent_code is not None:
        path.append(_industry_table()[path[-1].parent_code])
    return path[::-1]


def _by_code(text: str) -> list[Industry]:
    table = _industry_table()
    # The standard is often quoted with its section letter in front ('C3130').
    section, digits = (text[0], text[1:]) if text[0].isalpha() else (None, text)
    if (digits and not digits.isdigit()) or (section is not None and section not in table):
        return []
    hits = [i for i in table.values()
            if i.code.startswith(digits) and (section is None or i.section == section)]
    # Digit codes sort in tree order; section letters would sort after them, so lift the section row.
    hits.sort(key=lambda i: (i.level != "section", i.code))
    return hits


def find_industries(query: str, limit: int = 20) -> list[Industry]:
    """Categories matching a code, a code prefix or a Chinese name fragment.

    Parameters
    ----------
    query : str
        Digits match code prefixes in code order, which is tree order (``'31'``
        gives division 31, then 311, 3110, 312, …); a section letter gives the
        section and everything in it, and ``'C31'`` is ``'31'`` within C.
        Anything else matches names: the exact name first, then shorter names.
    limit : int
        At most this many results.

    Returns
    -------
    list of Industry

    Examples
    --------
    >>> [i.code for i in find_industries('31', limit=4)]
    ['31', '311', '3110', '312']
    >>> [(i.code, i.name) for i in find_industries('钢')]
    [('312', '炼钢'), ('3120', '炼钢'), ('313', '钢压延加工'), ('3130', '钢压延加工')]
    """
    text = query.strip()
    if not text or limit <= 0:
        return []
    if text.isascii() and text.isalnum():
        return _by_code(text.upper())[:limit]
    hits = [i for i in _industry_table().values() if text in i.name]
    hits.sort(key=lambda i: (i.name != text, len(i.name), i.code))
    return hits[:limit]
