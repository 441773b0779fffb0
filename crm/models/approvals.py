"""前期手续: a project's approval profile and the checklist generated for it from the template setting.

The profile (审批/核准/备案, 划拨/出让/no new land, in a zone or not) lives in its own table rather than on
``project``; its items copy from the template what the rules need (stage, name, whether 承诺制 or
区域评估 may settle them), so a later change of the template never rewrites a running checklist.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, TimestampMixin, choice

APPROVAL_TYPES = ("approve", "verify", "record")            # 审批 / 核准 / 备案
LAND_SUPPLIES = ("allocated", "transfer", "none")           # 划拨 / 出让 / no new construction land
APPROVAL_STATUSES = ("todo", "doing", "done", "na", "commitment", "regional")
# 未办 / 在办 / 已办 / 不适用 / 承诺制 / 区域评估已覆盖
SETTLED_STATUSES = ("done", "na", "commitment", "regional")
APPROVAL_STAGES = (1, 2, 3, 4)  # 立项用地规划许可, 工程建设许可, 施工许可, 竣工验收


class ApprovalProfile(TimestampMixin, Base):
    """What kind of project it is for the approval rules; one per project."""

    __tablename__ = "approval_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), unique=True)
    approval_type: Mapped[str] = mapped_column(choice("approval_type", APPROVAL_TYPES))
    land_supply: Mapped[str] = mapped_column(choice("approval_land_supply", LAND_SUPPLIES))
    in_zone: Mapped[bool] = mapped_column(Boolean, default=False)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}


class ApprovalItem(TimestampMixin, Base):
    """One approval of a project's checklist, with its status and the 批复 that settled it."""

    __tablename__ = "approval_item"
    __table_args__ = (UniqueConstraint("project_id", "item_key"),
                      Index("ix_approval_item_open", "project_id", "applicable", "stage", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(40))       # the template row's key
    stage: Mapped[int] = mapped_column(Integer)
    sort: Mapped[int] = mapped_column(Integer, default=0)    # the template row's position
    name: Mapped[str] = mapped_column(String(100))
    # False when a later profile (or template) no longer calls for an item that already carried a record:
    # it is kept, shown apart, and counts neither for 前期 nor for progress.
    applicable: Mapped[bool] = mapped_column(Boolean, default=True)
    commitment_allowed: Mapped[bool] = mapped_column(Boolean, default=False)   # 承诺制
    regional_allowed: Mapped[bool] = mapped_column(Boolean, default=False)     # 区域评估
    status: Mapped[str] = mapped_column(choice("approval_status", APPROVAL_STATUSES), default="todo")
    doc_number: Mapped[str | None] = mapped_column(String(100))   # 批复文号
    authority: Mapped[str | None] = mapped_column(String(100))    # 批复机关
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="SET NULL"), index=True)
    note: Mapped[str | None] = mapped_column(String(500))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}
