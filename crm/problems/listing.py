"""The problems list and the cross-project overdue list: filters from URL parameters, queries, groups.

A problem is *overdue* when its deadline has passed and it is not closed. The overdue list groups the
overdue problems by responsible unit and by 包联领导 (a problem counts once for each leader of its
project), with counts; every query carries the visibility condition it is given.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import aliased

from crm.models import Problem, Project, ProjectLeader, Unit, User
from crm.core.filters import BadFilter, choice_filter, int_filter  # noqa: F401 - BadFilter for the views
from crm.models.projects import PROBLEM_LEVELS, PROBLEM_STATUSES


_int = int_filter


_choice = choice_filter


@dataclass
class Filters:
    status: str | None = None
    level: str | None = None
    unit: int | None = None
    leader: int | None = None
    project: int | None = None
    overdue: bool = False
    today: dt.date = field(default_factory=dt.date.today)

    def args(self, **override) -> dict[str, str]:
        values = {"status": self.status, "level": self.level, "unit": self.unit, "leader": self.leader,
                  "project_id": self.project, "overdue": "1" if self.overdue else None, **override}
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def filters_from_args(args: Mapping[str, str], today: dt.date | None = None) -> Filters:
    return Filters(status=_choice(args, "status", PROBLEM_STATUSES), level=_choice(args, "level", PROBLEM_LEVELS),
                   unit=_int(args, "unit"), leader=_int(args, "leader"), project=_int(args, "project_id"),
                   overdue=_choice(args, "overdue", ("1",)) == "1", today=today or dt.date.today())


def overdue_condition(today: dt.date) -> ColumnElement[bool]:
    return and_(Problem.deadline.is_not(None), Problem.deadline < today, Problem.status != "closed")


def where_filters(stmt: Select, filters: Filters, condition) -> Select:
    stmt = stmt.where(condition)
    if filters.status:
        stmt = stmt.where(Problem.status == filters.status)
    if filters.level:
        stmt = stmt.where(Problem.level == filters.level)
    if filters.unit is not None:
        stmt = stmt.where(Problem.resp_unit_id == filters.unit)
    if filters.project is not None:
        stmt = stmt.where(Problem.project_id == filters.project)
    if filters.leader is not None:
        stmt = stmt.where(Problem.project_id.in_(
            select(ProjectLeader.project_id).where(ProjectLeader.user_id == filters.leader)))
    if filters.overdue:
        stmt = stmt.where(overdue_condition(filters.today))
    return stmt


def problem_query(filters: Filters, condition) -> Select:
    """Rows of (Problem, project name, responsible unit name), the oldest deadline first."""
    resp = aliased(Unit)
    stmt = (select(Problem, Project.name.label("project_name"), resp.name.label("unit_name"))
            .join(Project, Project.id == Problem.project_id)
            .outerjoin(resp, resp.id == Problem.resp_unit_id))
    return where_filters(stmt, filters, condition).order_by(Problem.deadline.is_(None), Problem.deadline, Problem.id)


def count_query(filters: Filters, condition) -> Select:
    return where_filters(select(func.count(Problem.id)), filters, condition)


def by_unit(filters: Filters, condition) -> Select:
    """(unit id, unit name, count) of the overdue problems, the most first."""
    overdue = Filters(**{**filters.__dict__, "overdue": True, "unit": None})
    stmt = (select(Problem.resp_unit_id, Unit.name, func.count(Problem.id).label("n"))
            .outerjoin(Unit, Unit.id == Problem.resp_unit_id))
    return (where_filters(stmt, overdue, condition).group_by(Problem.resp_unit_id, Unit.name)
            .order_by(func.count(Problem.id).desc(), Unit.name))


def by_leader(filters: Filters, condition) -> Select:
    """(leader id, leader name, count) of the overdue problems of the projects each leader is 包联 for."""
    overdue = Filters(**{**filters.__dict__, "overdue": True, "leader": None})
    stmt = (select(ProjectLeader.user_id, User.name, func.count(Problem.id).label("n"))
            .select_from(Problem)
            .join(ProjectLeader, ProjectLeader.project_id == Problem.project_id)
            .join(User, User.id == ProjectLeader.user_id))
    return (where_filters(stmt, overdue, condition).group_by(ProjectLeader.user_id, User.name)
            .order_by(func.count(Problem.id).desc(), User.name))
