"""The 报送 round trip's file: a unit's month as the 重点项目月报 to fill in, and how a returned file is known.

The download is the 月报 (``monthly_key_projects``) for one 责任单位 and month — exactly the round's
projects — with the optional 本月到位资金 and 入统时间 columns, pre-filled with what is saved, the
month's ``fill`` columns unlocked and tinted and everything else read-only context (see
:func:`crm.ledgers.render.write`). The workbook carries the custom properties ``chaincrm_template`` and
``chaincrm_period`` and a hidden key row; :func:`properties` reads the former back (a file re-saved by
WPS or Excel may have lost them: the key row and the period chosen on upload then stand in).
"""
from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.ledgers import service as ledgers
from crm.ledgers.fields import Context
from crm.models import Unit
from crm.security.scope import ALL_SEEING_ROLES, Scope, unit_subtree

__all__ = ["TEMPLATE", "template", "fill_download", "properties", "period_text", "default_period", "sendable_units"]

TEMPLATE = "monthly_key_projects"
_PROPERTY = re.compile(r'<(?:\w+:)?property\b[^>]*?\bname="([^"]+)"[^>]*>\s*<(?:\w+:)?lpwstr>([^<]*)</', re.S)
_MAX_PROPS = 1 << 20  # docProps/custom.xml is a few hundred bytes; a bigger one is not ours


def template():
    return ledgers.templates()[TEMPLATE]


def period_text(year: int, month: int) -> str:
    return f"{year}年{month}月"


def default_period(today: dt.date) -> tuple[int, int]:
    """The month usually being reported: the previous one."""
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def sendable_units(session: Session, actor) -> list[tuple[int, str]]:
    """The active units whose report the user may send (as :func:`crm.reporting.rounds.may_send` says)."""
    roles = set(getattr(actor, "roles", ()))
    stmt = select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.sort, Unit.name)
    if not roles & ALL_SEEING_ROLES:
        if not roles & {"manager", "officer"} or actor.unit_id is None:
            return []
        stmt = stmt.where(Unit.id.in_(sorted(unit_subtree(session, actor.unit_id))))
    return [(uid, name) for uid, name in session.execute(stmt)]


def fill_download(session: Session, scope: Scope, unit: Unit, year: int, month: int, today: dt.date,
                  target) -> str:
    """Write the unit's month to fill in; answer the file name."""
    spec = template()
    ctx = Context(scope, year, month, unit.name, frozenset({unit.id}), today, resp_unit_id=unit.id)
    ledgers.export(session, spec, ctx, target, options=spec.options, fill=True)
    return f"{spec.name}-{unit.name}-{year}年{month:02d}月-填报.xlsx"


def properties(data: bytes) -> dict[str, str]:
    """The custom document properties of an .xlsx (text ones), or {} when there are none or it is no .xlsx."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            info = book.getinfo("docProps/custom.xml")
            if info.file_size > _MAX_PROPS:
                return {}
            text = book.read(info).decode("utf-8")
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, OSError):
        return {}
    return {html.unescape(name): html.unescape(value) for name, value in _PROPERTY.findall(text)}
