"""Pluggable per-project column values for project 台账 (the 月报): ``register_field(key, fn)``.

A column whose ``source`` is not a field of the source's main query is looked up here. ``fn(session,
project_ids)`` answers ``{project_id: value}`` for the export's projects in one set-based query;
``project_ids`` is a list of ints that also carries ``.statement``, the select of the same ids, so a
field may filter with ``IN (subquery)`` instead of a long literal list. A function taking a third
parameter also gets the export's :class:`Context` (scope, period) — the contact field needs the scope to
mask phone numbers of other units.

Features built beside this one register their own value and replace the fallback registered here:
``approvals`` (前期手续情况, from the approvals checklist), ``month_note`` (本月进展, a reporting round's
narrative) — both blank until registered — and ``contact`` (联系人及电话: the 专班's 联络员; until then the
owner company's first contact).
"""
from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from crm.models import Contact, Problem, Project, ProjectLeader, User
from crm.security.scope import Scope, mask_phone

__all__ = ["Context", "ProjectIds", "SqlField", "register_field", "field_value_fn", "registered", "AWAITING"]


@dataclass(frozen=True)
class Context:
    """What an export is for: who asks (scope), the period and the unit chosen (with its subtree)."""

    scope: Scope
    year: int
    month: int
    unit_name: str
    unit_ids: frozenset[int] | None = None
    today: dt.date = dt.date(2000, 1, 1)

    @property
    def period_end(self) -> dt.date:
        following = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)


class ProjectIds(list):
    """Project ids, with ``statement``: the select that produced them (for ``IN (subquery)``)."""

    def __init__(self, ids, statement: Select):
        super().__init__(ids)
        self.statement = statement


class SqlField:
    """A field computed from one statement: ``statement(ids_select, ctx)`` rows → ``collect(rows, ctx)``.

    The benchmark runs the same statements on the raw cursor for its floor."""

    def __init__(self, statement: Callable[[Select, Context], Select], collect: Callable[[Any, Context], dict]):
        self.statement, self.collect = statement, collect

    def __call__(self, session: Session, project_ids: ProjectIds, ctx: Context) -> dict[int, Any]:
        # Core execution: plain rows, without the ORM's loading machinery.
        return self.collect(session.connection().execute(self.statement(project_ids.statement, ctx)), ctx)


_FIELDS: dict[str, Callable] = {}
_WITH_CONTEXT: set[str] = set()
#: Keys whose real source is another feature's; the fallback here stands in until it registers.
AWAITING = {"approvals": "前期手续情况 — the approvals checklist (blank until registered)",
            "contact": "联系人及电话 — the 专班's 联络员 (until then the owner company's first contact)",
            "month_note": "本月进展 — the month's narrative of a reporting round (blank until registered)"}


def register_field(key: str, fn: Callable) -> None:
    """Register (or replace) the value source of ``key``: ``fn(session, project_ids[, ctx]) -> {id: value}``."""
    _FIELDS[key] = fn
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(params) >= 3:
        _WITH_CONTEXT.add(key)
    else:
        _WITH_CONTEXT.discard(key)


def registered() -> frozenset[str]:
    return frozenset(_FIELDS)


def field_value_fn(key: str) -> Callable[[Session, ProjectIds, Context], dict[int, Any]]:
    fn = _FIELDS[key]
    if key in _WITH_CONTEXT:
        return fn
    return lambda session, ids, _ctx: fn(session, ids)


def field_object(key: str):
    return _FIELDS.get(key)


# --- the fields this package supplies ------------------------------------------------------------------------

def _leaders_statement(ids: Select, _ctx: Context) -> Select:
    return (select(ProjectLeader.project_id, User.name).join(User, User.id == ProjectLeader.user_id)
            .where(ProjectLeader.project_id.in_(ids))
            .order_by(ProjectLeader.project_id, ProjectLeader.level, User.name))  # city before county


def _joined(rows, _ctx: Context, sep: str = "、") -> dict[int, str]:
    out: dict[int, list[str]] = {}
    for project_id, text in rows:
        out.setdefault(project_id, []).append(text)
    return {k: sep.join(v) for k, v in out.items()}


def _contact_statement(ids: Select, _ctx: Context) -> Select:
    return (select(Project.id, Contact.name, Contact.phone, Contact.owner_unit_id)
            .join(Contact, Contact.company_id == Project.company_id)
            .where(Project.id.in_(ids)).order_by(Project.id, Contact.id))


def _contact_collect(rows, ctx: Context) -> dict[int, str]:
    """The first contact of the owner company; the phone masked outside the contact's unit (DESIGN.md §3)."""
    out: dict[int, str] = {}
    scope = ctx.scope
    for project_id, name, phone, owner_unit in rows:
        if project_id in out:
            continue
        if phone and not (scope.sees_all or owner_unit in scope.unit_ids):
            phone = mask_phone(phone)
        out[project_id] = f"{name} {phone}" if phone else name
    return out


def _problems_statement(ids: Select, _ctx: Context) -> Select:
    return (select(Problem.project_id, Problem.title).where(Problem.project_id.in_(ids), Problem.status != "closed")
            .order_by(Problem.project_id, Problem.deadline.is_(None), Problem.deadline, Problem.id))


register_field("leaders", SqlField(_leaders_statement, _joined))
register_field("contact", SqlField(_contact_statement, _contact_collect))
register_field("problems", SqlField(_problems_statement, lambda rows, ctx: _joined(rows, ctx, "；")))
register_field("approvals", lambda _session, _ids: {})
register_field("month_note", lambda _session, _ids: {})
