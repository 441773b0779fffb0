"""Assign and remove a project's 包联领导, 包联部门 and 专班 members, audited; services flush, never commit.

Each change writes the row's own audit entry (create or delete) and an event on the project, so the
project page's history says who was added or removed and by whom. Refusals are DomainErrors naming
the form field concerned.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import Project, ProjectDept, ProjectLeader, ProjectTeamMember, Unit, User
from crm.models.teams import TEAM_ROLES
from crm.teams.rules import clean_phone, may_lead

__all__ = ["assign_leader", "remove_leader", "assign_dept", "remove_dept", "add_member", "remove_member",
           "member_name"]


def _event(session: Session, actor, project: Project, field: str, old: str | None, new: str | None) -> None:
    audit.record_event(session, actor, "update", "project", project.id, field=field, old=old, new=new)


def _active_user(session: Session, user_id, field: str) -> User:
    user = session.get(User, user_id) if user_id else None
    if user is None or not user.active:
        raise DomainError(_l("Choose an active user from the list."), field)
    return user


def _unit(session: Session, unit_id, field: str) -> Unit:
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is None or not unit.active:
        raise DomainError(_l("Choose an active unit from the list."), field)
    return unit


def _owned(session: Session, model, row_id: int, project: Project, message):
    row = session.get(model, row_id)
    if row is None or row.project_id != project.id:
        raise DomainError(message)
    return row


# -- 包联领导 -------------------------------------------------------------------------------------------

def assign_leader(session: Session, actor, project: Project, user_id: int | None, level: str) -> ProjectLeader:
    """Make a user 包联领导 of the project at city or county level (see :mod:`crm.teams.rules`)."""
    if level not in ("city", "county"):
        raise DomainError(_l("Choose a value from the list."), "level")
    user = _active_user(session, user_id, "user_id")
    unit = session.get(Unit, user.unit_id)
    if not may_lead(level, user.roles, unit.kind if unit else None):
        message = (_l("A city-level 包联领导 must be a city leader or work in a city-level unit.") if level == "city"
                   else _l("A county-level 包联领导 must be a county leader or work in a county-level unit."))
        raise DomainError(message, "user_id")
    if session.scalar(select(ProjectLeader.id).where(ProjectLeader.project_id == project.id,
                                                     ProjectLeader.user_id == user.id)) is not None:
        raise DomainError(_l("%(name)s is already a 包联领导 of this project.", name=user.name), "user_id")
    row = ProjectLeader(project_id=project.id, user_id=user.id, level=level)
    session.add(row)
    audit.record_create(session, actor, row)
    _event(session, actor, project, "leader", None, f"{user.name} ({level})")
    session.flush()
    return row


def remove_leader(session: Session, actor, project: Project, leader_id: int) -> None:
    row = _owned(session, ProjectLeader, leader_id, project, _l("This 包联领导 does not belong to the project."))
    user = session.get(User, row.user_id)
    audit.record_delete(session, actor, row)
    _event(session, actor, project, "leader", f"{user.name if user else row.user_id} ({row.level})", None)
    session.delete(row)
    session.flush()


# -- 包联部门 -------------------------------------------------------------------------------------------

def assign_dept(session: Session, actor, project: Project, unit_id: int | None) -> ProjectDept:
    """Add a 包联部门: its users (and the units above it) then see the project."""
    unit = _unit(session, unit_id, "unit_id")
    if session.scalar(select(ProjectDept.id).where(ProjectDept.project_id == project.id,
                                                   ProjectDept.unit_id == unit.id)) is not None:
        raise DomainError(_l("%(name)s is already a 包联部门 of this project.", name=unit.name), "unit_id")
    row = ProjectDept(project_id=project.id, unit_id=unit.id)
    session.add(row)
    audit.record_create(session, actor, row)
    _event(session, actor, project, "dept", None, unit.name)
    session.flush()
    return row


def remove_dept(session: Session, actor, project: Project, dept_id: int) -> None:
    row = _owned(session, ProjectDept, dept_id, project, _l("This 包联部门 does not belong to the project."))
    unit = session.get(Unit, row.unit_id)
    audit.record_delete(session, actor, row)
    _event(session, actor, project, "dept", unit.name if unit else str(row.unit_id), None)
    session.delete(row)
    session.flush()


# -- 专班 -----------------------------------------------------------------------------------------------

def _member_values(session: Session, project: Project, data: dict[str, Any]) -> dict[str, Any]:
    role = data.get("role")
    if role not in TEAM_ROLES:
        raise DomainError(_l("Choose a value from the list."), "role")
    try:
        phone = clean_phone(data.get("phone"))
    except ValueError:
        raise DomainError(_l("Enter a mobile number (11 digits) or a landline with its area code, "
                             "such as 0357-2345678."), "phone") from None
    values: dict[str, Any] = {"role": role, "phone": phone, "user_id": None, "name": None,
                              "unit_id": None, "org": (data.get("org") or "").strip()[:100] or None}
    if data.get("user_id"):
        user = _active_user(session, data["user_id"], "user_id")
        if session.scalar(select(ProjectTeamMember.id).where(ProjectTeamMember.project_id == project.id,
                                                             ProjectTeamMember.user_id == user.id)) is not None:
            raise DomainError(_l("%(name)s is already in this project's 专班.", name=user.name), "user_id")
        values.update(user_id=user.id, unit_id=user.unit_id)
    else:
        name = (data.get("name") or "").strip()
        if not name:
            raise DomainError(_l("Choose a user, or enter the name of a person from outside."), "name")
        if len(name) > 64:
            raise DomainError(_l("A name has at most 64 characters."), "name")
        if phone is None:
            raise DomainError(_l("A person from outside needs a phone number."), "phone")
        values["name"] = name
    if data.get("unit_id"):
        values["unit_id"] = _unit(session, data["unit_id"], "unit_id").id
    if role == "leader" and session.scalar(select(ProjectTeamMember.id).where(
            ProjectTeamMember.project_id == project.id, ProjectTeamMember.role == "leader")) is not None:
        raise DomainError(_l("The 专班 already has a head (组长): remove them first."), "role")
    return values


def add_member(session: Session, actor, project: Project, data: dict[str, Any]) -> ProjectTeamMember:
    """Add a 专班 member: a user (who then sees the project) or an outside person with name and phone.

    ``data``: ``role`` (组长 at most once), ``user_id`` or ``name``, ``phone`` (required for outside
    people), ``unit_id`` (defaults to the user's unit), ``org`` (an outside person's organisation)."""
    values = _member_values(session, project, data)
    row = ProjectTeamMember(project_id=project.id, **values)
    session.add(row)
    audit.record_create(session, actor, row)
    _event(session, actor, project, "team", None, f"{member_name(session, row)} ({row.role})")
    session.flush()
    return row


def remove_member(session: Session, actor, project: Project, member_id: int) -> None:
    row = _owned(session, ProjectTeamMember, member_id, project, _l("This person is not in the project's 专班."))
    audit.record_delete(session, actor, row)
    _event(session, actor, project, "team", f"{member_name(session, row)} ({row.role})", None)
    session.delete(row)
    session.flush()


def member_name(session: Session, row: ProjectTeamMember) -> str:
    if row.user_id is not None:
        user = session.get(User, row.user_id)
        return user.name if user is not None else str(row.user_id)
    return row.name or ""
