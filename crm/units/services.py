"""Create and edit units; the tree must stay a tree."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import Unit
from crm.models.org import UNIT_KINDS
from crm.security.scope import unit_subtree

FIELDS = ("name", "short_name", "kind", "group_name", "parent_id", "division_code", "sort", "active")


def _apply(session: Session, unit: Unit, data: dict[str, Any]) -> None:
    for key in FIELDS:
        if key in data:
            setattr(unit, key, data[key])
    unit.name = (unit.name or "").strip()
    if not unit.name:
        raise DomainError(_l("A unit needs a name."), "name")
    if unit.kind not in UNIT_KINDS:
        raise DomainError(_l("Unknown unit type."), "kind")
    clash = session.scalar(select(Unit.id).where(Unit.name == unit.name))
    if clash is not None and clash != unit.id:
        raise DomainError(_l("Another unit has this name."), "name")
    if unit.parent_id is not None:
        if session.get(Unit, unit.parent_id) is None:
            raise DomainError(_l("The parent unit does not exist."), "parent_id")
        if unit.id is not None and unit.parent_id in unit_subtree(session, unit.id):
            raise DomainError(_l("A unit cannot be placed under itself or its own sub-units."), "parent_id")


def create_unit(session: Session, actor, data: dict[str, Any], *, batch_id: str | None = None) -> Unit:
    unit = Unit()
    _apply(session, unit, data)
    session.add(unit)
    audit.record_create(session, actor, unit, batch_id=batch_id)
    return unit


def update_unit(session: Session, actor, unit: Unit, data: dict[str, Any]) -> Unit:
    with audit.tracked_update(session, actor, unit):
        _apply(session, unit, data)
    return unit


def tree(session: Session) -> list[tuple[int, Unit]]:
    """Units in tree order with their depth, for lists and pickers."""
    units = list(session.scalars(select(Unit).order_by(Unit.sort, Unit.id)))
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u)
    out: list[tuple[int, Unit]] = []

    def walk(parent: int | None, depth: int) -> None:
        for u in children.get(parent, []):
            out.append((depth, u))
            walk(u.id, depth + 1)

    walk(None, 0)
    return out
