"""The settings registry.

Features register their keys here (type, default, label, group); values live in
the ``setting`` table as JSON, validated on the way in by the key's type. The
same software serves any city, so the home city, clusters, KPI targets and
thresholds are settings, not constants.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import Setting

TYPES = ("str", "int", "float", "bool", "choices", "table", "mapping")


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    type: str = "str"           # str, int, float, date, choice, multi (several of the choices), bool
    choices: tuple = ()


@dataclass(frozen=True)
class SettingDef:
    key: str
    type: str
    default: Any
    label: Any
    group: Any
    help: Any = ""
    choices: tuple = ()          # for "choices": ((value, label), …)
    columns: tuple[Column, ...] = field(default_factory=tuple)  # for "table"
    minimum: float | None = None
    maximum: float | None = None
    # For "mapping": a feature's own validator (raw dict → stored dict, DomainError when refused) and
    # the endpoint of the feature's page that edits the whole mapping at once. For "table": an optional
    # check of the whole list of validated rows (unique keys, …), answering the rows to store.
    validator: Any = None
    edit_endpoint: str | None = None


REGISTRY: dict[str, SettingDef] = {}


def register(definition: SettingDef) -> SettingDef:
    if definition.type not in TYPES:
        raise ValueError(f"unknown setting type {definition.type}")
    if definition.key in REGISTRY and REGISTRY[definition.key] != definition:
        raise ValueError(f"setting {definition.key} registered twice")
    REGISTRY[definition.key] = definition
    return definition


def get(session: Session, key: str) -> Any:
    definition = REGISTRY[key]
    row = session.get(Setting, key)
    return definition.default if row is None else row.value


def _number(kind, raw, label):
    try:
        return kind(str(raw).strip())
    except (TypeError, ValueError):
        raise DomainError(_l("%(label)s: %(value)s is not a number", label=label, value=raw)) from None


def _multi(column: Column, raw: Any, where) -> list[str]:
    """Several of the column's choices: a list, or text separated by commas; kept in the choices' order."""
    values = raw if isinstance(raw, (list, tuple)) else str(raw or "").replace("，", ",").split(",")
    picked = {str(v).strip() for v in values if str(v).strip()}
    if not picked:
        raise DomainError(_l("%(where)s: choose at least one", where=where))
    allowed = [c for c, _ in column.choices]
    bad = sorted(picked - set(allowed))
    if bad:
        raise DomainError(_l("%(where)s: %(value)s is not one of the choices", where=where, value=", ".join(bad)))
    return [c for c in allowed if c in picked]


def _cell(column: Column, raw: Any, row_no: int) -> Any:
    where = _l("row %(n)s, %(col)s", n=row_no, col=column.label)
    if column.type == "bool":
        return raw is True or str(raw or "").strip().lower() in ("1", "true", "on", "yes")
    if column.type == "multi":
        return _multi(column, raw, where)
    text = "" if raw is None else str(raw).strip()
    if text == "":
        raise DomainError(_l("%(where)s: a value is needed", where=where))
    if column.type == "int":
        return _number(int, text, where)
    if column.type == "float":
        return _number(float, text, where)
    if column.type == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise DomainError(_l("%(where)s: %(value)s is not a date (YYYY-MM-DD)",
                                 where=where, value=text)) from None
    if column.type == "choice" and text not in {c for c, _ in column.choices}:
        raise DomainError(_l("%(where)s: %(value)s is not one of the choices", where=where, value=text))
    return text


def validate(definition: SettingDef, raw: Any) -> Any:
    """Turn a submitted value into the stored JSON value, or raise DomainError."""
    kind = definition.type
    if kind == "bool":
        return bool(raw) and str(raw).lower() not in ("0", "false", "off", "")
    if kind in ("int", "float"):
        value = _number(int if kind == "int" else float, raw, definition.label)
        if definition.minimum is not None and value < definition.minimum:
            raise DomainError(_l("%(label)s must be at least %(min)s", label=definition.label,
                                 min=definition.minimum))
        if definition.maximum is not None and value > definition.maximum:
            raise DomainError(_l("%(label)s must be at most %(max)s", label=definition.label,
                                 max=definition.maximum))
        return value
    if kind == "str":
        value = str(raw or "").strip()
        if not value:
            raise DomainError(_l("%(label)s: a value is needed", label=definition.label))
        return value
    if kind == "mapping":
        return definition.validator(raw)
    if kind == "choices":
        values = list(raw or [])
        allowed = {c for c, _ in definition.choices}
        bad = [v for v in values if v not in allowed]
        if bad:
            raise DomainError(_l("%(label)s: unknown choice %(value)s", label=definition.label,
                                 value=", ".join(bad)))
        return values
    rows = []
    for i, row in enumerate(raw or [], start=1):
        rows.append({c.key: _cell(c, row.get(c.key), i) for c in definition.columns})
    return definition.validator(rows) if definition.validator is not None else rows


def set_value(session: Session, actor, key: str, raw: Any) -> Any:
    """Validate and store a setting value, audited field by field."""
    definition = REGISTRY[key]
    value = validate(definition, raw)
    row = session.get(Setting, key)
    old = definition.default if row is None else row.value
    if row is None:
        row = Setting(key=key, value=value, updated_by=getattr(actor, "id", None))
        session.add(row)
    else:
        row.value = value
        row.updated_by = getattr(actor, "id", None)
    if old != value:
        audit.record_event(session, actor, "update", "setting", None, field=key, old=_json(old), new=_json(value))
    session.flush()
    return value


def _json(value):
    import json
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
