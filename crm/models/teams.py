"""The people around a project beyond its 包联领导: 包联部门 (units) and the 专班 with its roles.

包联领导 themselves are :class:`crm.models.projects.ProjectLeader`. A 专班 member is either a user of the
system (``user_id``) or an outside person known by name and phone (the owner's 联络员, a township's
代办员), with the unit or organisation they come from.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, TimestampMixin, choice

TEAM_ROLES = ("leader", "member", "liaison", "agent")  # 组长 / 成员 / 联络员 / 代办员


class ProjectDept(TimestampMixin, Base):
    """包联部门: a unit that answers for a project alongside its 责任单位."""

    __tablename__ = "project_dept"
    __table_args__ = (UniqueConstraint("project_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)


class ProjectTeamMember(TimestampMixin, Base):
    """One member of a project's 专班 (a user once per project; at most one 组长, checked by the service)."""

    __tablename__ = "project_team_member"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(64))  # outside people only; a user's name is the user's
    phone: Mapped[str | None] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    org: Mapped[str | None] = mapped_column(String(100))  # an outside person's organisation (业主, 乡镇 …)
    role: Mapped[str] = mapped_column(choice("team_role", TEAM_ROLES))
