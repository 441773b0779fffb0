"""Projects, their stage history, membership in a year's plan, 包联 leaders and problems."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, TimestampMixin, choice, money, utcnow

PROJECT_SOURCES = ("attraction", "government", "enterprise", "assigned")
PROJECT_CATEGORIES = ("industry", "infrastructure", "livelihood", "ecology")
PROJECT_NATURES = ("new", "expand", "rebuild")
PROJECT_STAGES = ("signed", "registered", "started", "completed", "producing", "effective", "paused", "ended")
PLAN_LISTS = ("new", "continuing", "preparing")  # 新开工 / 续建 / 前期
REVIEW_STATUSES = ("pending", "confirmed", "returned")  # 认定: 待认定 / 已认定 / 退回
LIBRARIES = ("national", "provincial_key", "city_key", "county_key", "special_bond", "central_budget")
PROBLEM_STATUSES = ("raised", "assigned", "handling", "answered", "closed")
PROBLEM_LEVELS = ("county", "city", "province")


class Project(TimestampMixin, Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)  # 投资项目代码
    name: Mapped[str] = mapped_column(String(200), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)  # 业主
    location_code: Mapped[str | None] = mapped_column(String(6), index=True)  # 建设地点
    location_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)  # 属地
    resp_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # 责任单位
    source: Mapped[str] = mapped_column(choice("project_source", PROJECT_SOURCES))
    category: Mapped[str] = mapped_column(choice("project_category", PROJECT_CATEGORIES))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), index=True)
    total_investment: Mapped[Decimal | None] = mapped_column(money())
    nature: Mapped[str | None] = mapped_column(choice("project_nature", PROJECT_NATURES))
    content: Mapped[str | None] = mapped_column(Text)  # 建设内容
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(choice("project_stage", PROJECT_STAGES), default="signed")
    stage_before_exit: Mapped[str | None] = mapped_column(choice("project_stage_prev", PROJECT_STAGES))
    exit_reason: Mapped[str | None] = mapped_column(String(200))
    planned_register_on: Mapped[dt.date | None] = mapped_column(Date)
    planned_start_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    planned_complete_on: Mapped[dt.date | None] = mapped_column(Date)
    planned_production_on: Mapped[dt.date | None] = mapped_column(Date)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"), index=True)
    signing_id: Mapped[int | None] = mapped_column(ForeignKey("signing.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    batch_id: Mapped[str | None] = mapped_column(String(36), index=True)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}


class ProjectStageChange(Base):
    __tablename__ = "project_stage_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(choice("project_stage_from", PROJECT_STAGES))
    to_stage: Mapped[str] = mapped_column(choice("project_stage_to", PROJECT_STAGES))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str | None] = mapped_column(String(200))
    seconds_in_previous: Mapped[int | None] = mapped_column(Integer)
    effective_on: Mapped[dt.date | None] = mapped_column(Date)  # the actual date of the event (实际开工日 …)
    evidence: Mapped[list | None] = mapped_column(JSON)  # ids of the project's attachments offered as proof
    review_status: Mapped[str | None] = mapped_column(choice("project_review_status", REVIEW_STATUSES), index=True)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str | None] = mapped_column(String(200))


class ProjectYear(Base):
    """A project's membership in one year's 重点项目计划."""

    __tablename__ = "project_year"
    __table_args__ = (UniqueConstraint("project_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    plan_list: Mapped[str] = mapped_column(choice("plan_list", PLAN_LISTS))
    key_level: Mapped[str | None] = mapped_column(String(32))  # 省/市/县 重点
    planned_investment: Mapped[Decimal | None] = mapped_column(money())
    planned_start_month: Mapped[int | None] = mapped_column(Integer)
    planned_finish_month: Mapped[int | None] = mapped_column(Integer)
    monthly_plan: Mapped[dict | None] = mapped_column(JSON)


class ProjectLibrary(Base):
    """入库: a project's entry in a project library, with its date and number."""

    __tablename__ = "project_library"
    __table_args__ = (UniqueConstraint("project_id", "library"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    library: Mapped[str] = mapped_column(choice("project_library_kind", LIBRARIES))
    entered_on: Mapped[dt.date | None] = mapped_column(Date)
    number: Mapped[str | None] = mapped_column(String(64))


class ProjectLeader(Base):
    """包联领导: a leader who owns a project at city or county level."""

    __tablename__ = "project_leader"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    level: Mapped[str] = mapped_column(choice("leader_level", ("city", "county")))


class Problem(TimestampMixin, Base):
    """问题清单 entry: raised → 交办 → 办理 → 反馈 → 销号."""

    __tablename__ = "problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(16))  # 用地, 资金, 手续, …
    level: Mapped[str] = mapped_column(choice("problem_level", PROBLEM_LEVELS), default="county")
    status: Mapped[str] = mapped_column(choice("problem_status", PROBLEM_STATUSES), default="raised")
    resp_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    resp_person: Mapped[str | None] = mapped_column(String(64))
    assigning_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    source_meeting: Mapped[str | None] = mapped_column(String(200))
    deadline: Mapped[dt.date | None] = mapped_column(Date, index=True)
    raised_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
