"""台账 exports: the shipped templates, the checks tying them to the data sources, and one export call.

Templates are loaded once (first use) from ``crm/ledgers/templates``; :func:`check` also verifies that
every column's field is given by its source or, for project sources, registered in the field registry —
so a typo in a YAML file names the file and the column rather than leaving a column blank.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.core.errors import DomainError
from crm.ledgers import render
from crm.ledgers.fields import Context, registered
from crm.ledgers.schema import TEMPLATE_DIR, Grouping, Template, TemplateError, load_dir
from crm.ledgers.sources import SOURCES, fill_fields
from crm.models import Unit
from crm.security.scope import Scope, unit_subtree

__all__ = ["templates", "check", "context", "export", "download_name", "content_disposition"]


def check(template: Template) -> Template:
    """Raise :class:`TemplateError` when a column's field has no source."""
    source = SOURCES[template.source]
    known = source.fields | (registered() if source.per_project else frozenset())
    for c in template.all_columns or template.columns:
        if c.type != "seq" and c.source not in known:
            raise TemplateError(f"{template.key}.yaml", f"columns.{c.key}.source",
                                f"{c.source!r} is not a field of {template.source}"
                                + (" nor a registered field" if source.per_project else ""))
    for g in template.subtotals:
        if g.by not in source.fields:
            raise TemplateError(f"{template.key}.yaml", "subtotals.by", f"{g.by!r} is not a field of {template.source}")
    return template


@lru_cache(maxsize=4)
def _load(directory: Path) -> dict[str, Template]:
    return {k: check(t) for k, t in load_dir(directory, frozenset(SOURCES)).items()}


def templates(directory: Path = TEMPLATE_DIR) -> dict[str, Template]:
    return _load(directory)


def context(session: Session, scope: Scope, year: int, month: int, unit_id: int | None, today: dt.date) -> Context:
    """The export's context; a unit outside the user's units is refused (city-wide users may pick any)."""
    if not 2000 <= year <= 2100 or not 1 <= month <= 12:
        raise DomainError(_l("Choose a year between 2000 and 2100 and a month from 1 to 12."))
    if unit_id is not None:
        unit = session.get(Unit, unit_id)
        if unit is None or not (scope.sees_all or unit_id in scope.unit_ids):
            raise DomainError(_l("Choose one of your units."), field="unit_id")
        return Context(scope, year, month, unit.name, unit_subtree(session, unit_id), today)
    if scope.sees_all:
        roots = session.scalars(select(Unit.name).where(Unit.parent_id.is_(None)).order_by(Unit.sort, Unit.id)).all()
        name = roots[0] if len(roots) == 1 else "全市"
        return Context(scope, year, month, name, None, today)
    return Context(scope, year, month, "、".join(_top_units(session, scope)), scope.unit_ids, today)


def _top_units(session: Session, scope: Scope) -> list[str]:
    rows = session.execute(select(Unit.id, Unit.parent_id, Unit.name).where(Unit.id.in_(sorted(scope.unit_ids))))
    return [name for uid, parent, name in rows if parent not in scope.unit_ids]


def grouping_of(template: Template, by: str | None) -> Grouping | None:
    if not by:
        return None
    for g in template.subtotals:
        if g.by == by:
            return g
    raise DomainError(_l("This ledger cannot be subtotalled that way."), field="group")


def export(session: Session, template: Template, ctx: Context, target, by: str | None = None,
           options=(), fill: bool = False) -> int:
    """Fetch the template's data under the context's scope and write the workbook; answer the data rows.

    ``options`` adds optional column sets (``funds``); ``fill`` writes the fill version: the month's
    ``fill`` columns unlocked and tinted, the sheet protected so the rest stays read-only context."""
    template = template.with_options(options)
    source = SOURCES[template.source]
    data = source.build(session, ctx)
    if source.per_project:
        extra = sorted({c.source for c in template.columns if c.type != "seq"} - source.fields)
        fill_fields(session, ctx, data, extra)
    return render.write(target, template, ctx, data, grouping_of(template, by), fill=fill)


def download_name(template: Template, ctx: Context) -> str:
    return f"{template.name}-{ctx.unit_name}-{ctx.year}年{ctx.month:02d}月.xlsx"


def content_disposition(name: str) -> str:
    """RFC 5987: the UTF-8 name, and a plain ASCII fallback for old clients."""
    return f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(name)}"
