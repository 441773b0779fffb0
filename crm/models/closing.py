"""Monthly close (封账): a closed period and the figures frozen with it, per 责任单位 and per project."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, choice, money, utcnow
from crm.models.projects import PLAN_LISTS, PROJECT_STAGES

SNAPSHOT_KINDS = ("plan", "contract")


class PeriodClose(Base):
    """One closed month: reports and rankings "截至X月底" read its snapshots, which never change."""

    __tablename__ = "period_close"
    __table_args__ = (UniqueConstraint("year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    month: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[dt.date] = mapped_column(Date)  # the month's last day
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(String(200))
    # Whether the close stored its figures per chain too (closes taken before migration 0016 did not).
    chains_kept: Mapped[bool] = mapped_column(Boolean, default=True, server_default=false())


class UnitSnapshot(Base):
    """The KPI sums of one unit at the close: per 责任单位 and plan list (kind ``plan``) or per signing unit
    (kind ``contract``); ``sums`` maps the columns of :mod:`crm.kpis.facts` to decimal strings. A row without
    ``chain_id`` counts every project (contract); a row with one, that chain's projects (the contracts whose
    lead is in the chain), so a closed period can be read for one chain too."""

    __tablename__ = "unit_snapshot"
    __table_args__ = (UniqueConstraint("close_id", "kind", "unit_id", "plan_list", "chain_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    close_id: Mapped[int] = mapped_column(ForeignKey("period_close.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(choice("snapshot_kind", SNAPSHOT_KINDS))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    plan_list: Mapped[str | None] = mapped_column(choice("snapshot_plan_list", PLAN_LISTS))
    chain_id: Mapped[int | None] = mapped_column(ForeignKey("chain.id"), index=True)
    sums: Mapped[dict] = mapped_column(JSON)


class ProjectSnapshot(Base):
    """One plan project's figures at the close (the 月报's numbers as they stood)."""

    __tablename__ = "project_snapshot"
    __table_args__ = (UniqueConstraint("close_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    close_id: Mapped[int] = mapped_column(ForeignKey("period_close.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    resp_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    chain_id: Mapped[int | None] = mapped_column(ForeignKey("chain.id"), index=True)  # the project's chain then
    plan_list: Mapped[str] = mapped_column(choice("snapshot_project_list", PLAN_LISTS))
    stage: Mapped[str] = mapped_column(choice("snapshot_stage", PROJECT_STAGES))
    total_investment: Mapped[Decimal | None] = mapped_column(money())
    planned: Mapped[Decimal | None] = mapped_column(money())  # 今年计划投资
    completed_month: Mapped[Decimal | None] = mapped_column(money())  # 本月完成
    completed_ytd: Mapped[Decimal | None] = mapped_column(money())  # 1–N月完成
    completed_total: Mapped[Decimal | None] = mapped_column(money())  # 开工以来累计
    funds_ytd: Mapped[Decimal | None] = mapped_column(money())  # 到位资金 1–N月
    started_on: Mapped[dt.date | None] = mapped_column(Date)  # 开工 as reported (调度口径)
    started_confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    resumed: Mapped[bool] = mapped_column(default=False)
    entered: Mapped[bool] = mapped_column(default=False)  # 入统 by the month's end
