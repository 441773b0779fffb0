"""Queries of the people feature: a project's people for its panel, and a user's 包联 projects as cards.

"My projects" are the projects the user is 包联领导 for or a 专班 member of. Each card carries what a
leader on the road asks first — stage, this year's list, completed investment so far against the
year's plan, overdue plan dates, open and overdue problems, stage moves awaiting 认定 — and the cards
come most urgent first: overdue problems, then overdue plan dates, then open problems, then moves
awaiting 认定, then by name.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, select, union
from sqlalchemy.orm import Session

from crm.models import (Problem, Project, ProjectDept, ProjectLeader, ProjectStageChange, ProjectTeamMember,
                        ProjectYear, Unit, User)
from crm.problems.listing import overdue_condition as problem_overdue
from crm.projects import monthly
from crm.projects.listing import overdue_flags
from crm.security.scope import Scope, mask_phone

__all__ = ["people_of", "my_project_ids", "my_projects", "user_choices", "unit_choices"]


def user_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.execute(select(User.id, User.name, Unit.short_name, Unit.name).join(Unit, Unit.id == User.unit_id)
                           .where(User.active.is_(True)).order_by(Unit.sort, Unit.name, User.name))
    return [(uid, f"{name}（{short or unit}）") for uid, name, short, unit in rows]


def unit_choices(session: Session) -> list[tuple[int, str]]:
    return [(uid, name) for uid, name in session.execute(
        select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.sort, Unit.name))]


def people_of(session: Session, project: Project, scope: Scope) -> dict[str, list]:
    """The project's 包联领导, 包联部门 and 专班, phones masked for viewers outside the owning units.

    A 专班 member's phone shows in full to those who see everything and inside the subtree of the
    project's 责任单位 or of the member's own unit — as contacts are shown only inside their owning unit."""
    leaders = session.execute(
        select(ProjectLeader.id, ProjectLeader.level, User.name, Unit.name.label("unit"))
        .join(User, User.id == ProjectLeader.user_id).join(Unit, Unit.id == User.unit_id)
        .where(ProjectLeader.project_id == project.id)
        .order_by(case({"city": 0}, value=ProjectLeader.level, else_=1), User.name)).mappings().all()
    depts = session.execute(select(ProjectDept.id, Unit.name).join(Unit, Unit.id == ProjectDept.unit_id)
                            .where(ProjectDept.project_id == project.id).order_by(Unit.sort, Unit.name)).all()
    rows = session.execute(
        select(ProjectTeamMember, User.name, User.phone, Unit.name)
        .outerjoin(User, User.id == ProjectTeamMember.user_id).outerjoin(Unit, Unit.id == ProjectTeamMember.unit_id)
        .where(ProjectTeamMember.project_id == project.id)
        .order_by(case({"leader": 0, "member": 1, "liaison": 2, "agent": 3}, value=ProjectTeamMember.role),
                  ProjectTeamMember.id)).all()
    members = []
    for member, user_name, user_phone, unit_name in rows:
        phone = member.phone or user_phone
        owned = scope.sees_all or project.resp_unit_id in scope.unit_ids or member.unit_id in scope.unit_ids
        members.append({"id": member.id, "role": member.role, "name": user_name or member.name,
                        "is_user": member.user_id is not None, "unit": unit_name or member.org or "",
                        "phone": phone if owned else mask_phone(phone)})
    return {"leaders": list(leaders), "depts": depts, "members": members}


def my_project_ids(user_id: int):
    """The ids of the projects ``user_id`` is 包联领导 for or a 专班 member of (a select)."""
    return union(select(ProjectLeader.project_id).where(ProjectLeader.user_id == user_id),
                 select(ProjectTeamMember.project_id).where(ProjectTeamMember.user_id == user_id))


def _by_project(session: Session, stmt) -> dict[int, Any]:
    return {row[0]: row[1:] for row in session.execute(stmt)}


def _sort_key(card: dict[str, Any]):
    return (-card["overdue_problems"], -len(card["overdue"]), -card["open_problems"], -card["pending"],
            card["project"].name, card["project"].id)


def my_projects(session: Session, user_id: int, scope: Scope, today: dt.date) -> list[dict[str, Any]]:
    """One card per project of the user, most urgent first (see the module's docstring)."""
    flags = overdue_flags(today)
    ids_select = my_project_ids(user_id)
    stmt = (select(Project, Unit.name, *(c.label(k) for k, c in flags.items()))
            .outerjoin(Unit, Unit.id == Project.resp_unit_id)
            .where(Project.id.in_(ids_select), scope.condition(Project)))
    rows = session.execute(stmt).all()
    ids = [row[0].id for row in rows]
    if not ids:
        return []
    years = {y.project_id: y for y in session.scalars(
        select(ProjectYear).where(ProjectYear.project_id.in_(ids), ProjectYear.year == today.year))}
    done = monthly.completed(session, ids, today.year, today.month)
    problems = _by_project(session, select(
        Problem.project_id, func.count(),
        func.coalesce(func.sum(case((problem_overdue(today), 1), else_=0)), 0))
        .where(Problem.project_id.in_(ids), Problem.status != "closed", scope.condition(Problem))
        .group_by(Problem.project_id))
    pending = _by_project(session, select(ProjectStageChange.project_id, func.count())
                          .where(ProjectStageChange.project_id.in_(ids), ProjectStageChange.review_status == "pending")
                          .group_by(ProjectStageChange.project_id))
    roles = _roles(session, user_id, ids)
    cards = []
    for project, resp_name, *flag_values in rows:
        membership = years.get(project.id)
        planned = membership.planned_investment if membership is not None else None
        open_n, overdue_n = problems.get(project.id, (0, 0))
        cards.append({
            "project": project, "resp_name": resp_name or "", "year": membership, "completed": done[project.id],
            "planned": planned, "percent": monthly.percent(done[project.id], planned),
            "plan_to_date": monthly.plan_through(membership, today.month),
            "overdue": [k for k, v in zip(flags, flag_values) if v], "open_problems": int(open_n),
            "overdue_problems": int(overdue_n), "pending": int(pending.get(project.id, (0,))[0]),
            "roles": roles.get(project.id, []),
        })
    return sorted(cards, key=_sort_key)


def _roles(session: Session, user_id: int, ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """What the user is on each project: ("leader", level) and/or ("team", role)."""
    out: dict[int, list[tuple[str, str]]] = {}
    for pid, level in session.execute(select(ProjectLeader.project_id, ProjectLeader.level)
                                      .where(ProjectLeader.user_id == user_id, ProjectLeader.project_id.in_(ids))):
        out.setdefault(pid, []).append(("leader", level))
    for pid, role in session.execute(select(ProjectTeamMember.project_id, ProjectTeamMember.role)
                                     .where(ProjectTeamMember.user_id == user_id,
                                            ProjectTeamMember.project_id.in_(ids))):
        out.setdefault(pid, []).append(("team", role))
    return out
