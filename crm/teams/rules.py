"""The vocabulary of project people: labels, who may be a 包联领导 at which level, and phone numbers.

A city-level 包联领导 holds the 市领导 role or works in a city-level unit (the city itself or a 市直部门):
a county officer cannot stand in for the city. A county-level one holds the 县区领导 role or works in a
county-level unit (a county, a zone or a township). System admins are never 包联领导 through their role.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

__all__ = ["LEVEL_LABELS", "ROLE_LABELS", "LEVEL_UNIT_KINDS", "LEVEL_ROLES", "may_lead", "clean_phone"]

LEVEL_LABELS = {"city": _l("City level (市级)"), "county": _l("County level (县级)")}
ROLE_LABELS = {"leader": _l("Head (组长)"), "member": _l("Member (成员)"), "liaison": _l("Liaison (联络员)"),
               "agent": _l("Agent (代办员)")}
LEVEL_UNIT_KINDS = {"city": frozenset({"city", "city_dept"}), "county": frozenset({"county", "zone", "town"})}
LEVEL_ROLES = {"city": "city_leader", "county": "county_leader"}

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")


def may_lead(level: str, roles, unit_kind: str | None) -> bool:
    """Whether a user with ``roles`` in a unit of ``unit_kind`` may be 包联领导 at ``level``.

    >>> may_lead("city", {"city_leader"}, "city")
    True
    >>> may_lead("city", {"manager"}, "city_dept")
    True
    >>> may_lead("city", {"county_leader"}, "county")
    False
    >>> may_lead("county", {"county_leader"}, "county")
    True
    """
    return LEVEL_ROLES.get(level) in set(roles) or unit_kind in LEVEL_UNIT_KINDS.get(level, ())


def clean_phone(raw: str | None) -> str | None:
    """A mobile (11 digits from 13–19) or a landline with its area code; None when empty; ValueError else.

    Spaces are dropped and a +86 prefix removed; a landline keeps its hyphen when given one.

    >>> clean_phone(" 139 1234 5678 ")
    '13912345678'
    >>> clean_phone("+86 13912345678")
    '13912345678'
    >>> clean_phone("0357-2345678")
    '0357-2345678'
    >>> clean_phone("12345")
    Traceback (most recent call last):
    ...
    ValueError: 12345
    """
    text = re.sub(r"\s+", "", raw or "")
    if not text:
        return None
    if text.startswith("+86"):
        text = text[3:]
    if _MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text):
        return text
    raise ValueError(raw)
