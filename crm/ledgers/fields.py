"""Pluggable per-project column values for project 台账 (the 月报): ``register_field(key, fn)``.

A column whose ``source`` is not a field of the source's main query is looked up here. ``fn(session,
project_ids)`` answers ``{project_id: value}`` for the export's projects in one set-based query;
``project_ids`` is a list of ints that also carries ``.statement``, the select of the same ids, so a
field may filter with ``IN (subquery)`` instead of a long literal list. A function taking a third
parameter also gets the export's :class:`Context` (scope, period) — the contact field needs the scope to
mask phone numbers of other units.

Registered here: ``leaders`` (包联领导, city before county), ``contact`` (联系人及电话: the 专班's 联络员,
else the owner company's first contact), ``problems`` (问题和建议: the open problems), ``approvals``
(前期手续情况, from the approvals checklist) and ``month_note`` (本月进展, the month's note).
"""
from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, literal, select, union_all
from sqlalchemy.orm import Session

from crm.models import Contact, Problem, Project, ProjectLeader, ProjectMonth, ProjectTeamMember, User
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
    resp_unit_id: int | None = None  # only this 责任单位's projects (a unit's 报送 round)

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
#: Keys whose source is still to come (none: every column of the shipped templates has one).
AWAITING: dict[str, str] = {}


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


def _problems_statement(ids: Select, _ctx: Context) -> Select:
    return (select(Problem.project_id, Problem.title).where(Problem.project_id.in_(ids), Problem.status != "closed")
            .order_by(Problem.project_id, Problem.deadline.is_(None), Problem.deadline, Problem.id))


def _liaison_statement(ids: Select, _ctx: Context) -> Select:
    """The 专班's 联络员 (a user or an outside person), else the owner company's contacts, one query."""
    team = (select(ProjectTeamMember.project_id.label("project_id"),
                   func.coalesce(User.name, ProjectTeamMember.name).label("name"),
                   func.coalesce(ProjectTeamMember.phone, User.phone).label("phone"),
                   Project.resp_unit_id.label("unit_a"), ProjectTeamMember.unit_id.label("unit_b"),
                   literal(0).label("rank"), ProjectTeamMember.id.label("seq"))
            .join(Project, Project.id == ProjectTeamMember.project_id)
            .outerjoin(User, User.id == ProjectTeamMember.user_id)
            .where(ProjectTeamMember.project_id.in_(ids), ProjectTeamMember.role == "liaison"))
    company = (select(Project.id, Contact.name, Contact.phone, Contact.owner_unit_id, Contact.owner_unit_id,
                      literal(1), Contact.id)
               .join(Contact, Contact.company_id == Project.company_id).where(Project.id.in_(ids)))
    both = union_all(team, company).subquery()
    return select(both.c.project_id, both.c.name, both.c.phone, both.c.unit_a, both.c.unit_b).order_by(
        both.c.project_id, both.c.rank, both.c.seq)


def _liaison_collect(rows, ctx: Context) -> dict[int, str]:
    """First row per project; the phone in full only inside the project's 责任单位 or the person's own unit
    (for a company contact: its owning unit), as on the project page (DESIGN.md §3)."""
    out: dict[int, str] = {}
    scope = ctx.scope
    for project_id, name, phone, unit_a, unit_b in rows:
        if project_id in out:
            continue
        if phone and not (scope.sees_all or unit_a in scope.unit_ids or unit_b in scope.unit_ids):
            phone = mask_phone(phone)
        out[project_id] = f"{name} {phone}" if phone else (name or "")
    return out


def _approvals(session: Session, project_ids) -> dict[int, str]:
    from crm.approvals.derived import summary_text  # the approvals feature sits beside this one
    return summary_text(session, project_ids)


register_field("leaders", SqlField(_leaders_statement, _joined))
register_field("contact", SqlField(_liaison_statement, _liaison_collect))
register_field("problems", SqlField(_problems_statement, lambda rows, ctx: _joined(rows, ctx, "；")))
register_field("approvals", _approvals)


def _month_note_statement(ids: Select, ctx: Context) -> Select:
    return select(ProjectMonth.project_id, ProjectMonth.note).where(
        ProjectMonth.project_id.in_(ids), ProjectMonth.year == ctx.year, ProjectMonth.month == ctx.month,
        ProjectMonth.note.is_not(None))


register_field("month_note", SqlField(_month_note_statement, lambda rows, _ctx: dict(rows.all())))
