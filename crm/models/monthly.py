"""A project's monthly figures: completed investment, 到位资金 by source class, 入统 and 形象进度."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, TimestampMixin, choice, money

FUND_SOURCES = ("funds_own", "funds_loan", "funds_fiscal", "funds_bond", "funds_other")
STATS_STATUSES = ("none", "pending", "entered")  # 入统: 未入统 / 拟入统 / 已入统


class ProjectMonth(TimestampMixin, Base):
    """One project's figures for one month of one year (the photos are attachments of this row)."""
    __tablename__ = "project_month"
    __table_args__ = (UniqueConstraint("project_id", "year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    month: Mapped[int] = mapped_column(Integer)
    completed: Mapped[Decimal | None] = mapped_column(money())  # 当月完成投资, 万元
    funds_own: Mapped[Decimal | None] = mapped_column(money())  # 到位资金: 自有资金
    funds_loan: Mapped[Decimal | None] = mapped_column(money())  # 银行贷款
    funds_fiscal: Mapped[Decimal | None] = mapped_column(money())  # 财政资金
    funds_bond: Mapped[Decimal | None] = mapped_column(money())  # 专项债
    funds_other: Mapped[Decimal | None] = mapped_column(money())  # 其他
    stats_status: Mapped[str] = mapped_column(choice("stats_status", STATS_STATUSES), default="none")
    stats_on: Mapped[dt.date | None] = mapped_column(Date)  # 入统日期
    progress: Mapped[str | None] = mapped_column(Text)  # 形象进度: where the works stand
    note: Mapped[str | None] = mapped_column(Text)  # 本月进展: what happened this month
