"""Parsing list filters from URL parameters, shared by every list, its export and its jobs.

A list's filters come from a mapping (``request.args`` or a job's stored arguments), so they are parsed
outside the request too. A value that is not one of the allowed ones raises :class:`BadFilter` naming the
parameter; views turn it into a 400 (:func:`bad_param`), exports and jobs into a DomainError.
"""
from __future__ import annotations

from collections.abc import Mapping

from flask import abort
from flask_babel import gettext as _

__all__ = ["BadFilter", "bad_param", "choice_filter", "int_filter"]


class BadFilter(ValueError):
    def __init__(self, name: str, raw: str):
        super().__init__(name)
        self.name, self.raw = name, raw


def bad_param(name: str, raw: str):
    abort(400, description=_("Parameter %(name)s does not accept %(value)s.", name=name, value=raw[:40]))


def choice_filter(args: Mapping[str, str], name: str, choices, default=None):
    """One of ``choices``, ``default`` when the parameter is absent or blank."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if raw not in choices:
        raise BadFilter(name, raw)
    return raw


def int_filter(args: Mapping[str, str], name: str, low: int = 0, high: int = 999_999_999) -> int | None:
    """A whole number within ``low..high`` (digits only, at most 9), None when absent or blank."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9 or not low <= int(raw) <= high:
        raise BadFilter(name, raw)
    return int(raw)
