"""Monthly reporting rounds (报送) per unit and period, and corrections asked for after the lock."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, TimestampMixin, choice

ROUND_STATUSES = ("draft", "submitted", "returned", "approved", "locked")  # 草稿 已报 退回 已审 锁定
CORRECTION_STATUSES = ("pending", "approved", "rejected")


class ReportingRound(TimestampMixin, Base):
    """One unit's monthly report for one period; absent means 草稿 (nothing sent yet)."""

    __tablename__ = "reporting_round"
    __table_args__ = (UniqueConstraint("unit_id", "year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    month: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(choice("round_status", ROUND_STATUSES), default="draft")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    return_reason: Mapped[str | None] = mapped_column(String(200))
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    locked_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}


class ReportCorrection(TimestampMixin, Base):
    """A change to a locked month's figures of one project, applied only when a reviewer approves it."""

    __tablename__ = "report_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_round.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    values: Mapped[dict] = mapped_column(JSON)  # the month's fields as entered (strings), parsed again on approval
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(choice("correction_status", CORRECTION_STATUSES), default="pending",
                                        index=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(String(200))
