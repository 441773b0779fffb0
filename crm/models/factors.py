"""要素保障: the city's pools of inputs per year and kind, projects' requests against them, and allocations.

A pool is what the city has to give out of one kind in one year (land, energy and emission quotas,
water, power, gas, funds); a request is one project's ask; an allocation grants part or all of a
request out of the pool of the request's year and kind. Allocated and outstanding amounts are never
stored: they are sums of the allocation rows. The request's status is stored (lists filter on it)
and recomputed by the service on every allocation or refusal.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, TimestampMixin, choice, utcnow

# The physical kinds (units in crm.factors.rules). Emission quotas (排放总量指标) are one kind per
# pollutant: each has its own pool, and a COD quota cannot be spent as SO₂.
FACTOR_KINDS = ("land", "energy", "emission_cod", "emission_nh3n", "emission_so2", "emission_nox", "water",
                "power", "gas", "funds_bond", "funds_central")
FACTOR_STATUSES = ("requested", "partial", "granted", "refused")  # 申请中 / 部分保障 / 已保障 / 不予保障


def quantity() -> Numeric:
    """Amounts in the kind's unit (亩, 吨, 万元 …): three decimals, enough for tonnes of ammonia nitrogen."""
    return Numeric(16, 3)


class FactorPool(TimestampMixin, Base):
    """The city's total of one kind for one year, as entered (and topped up) by the city."""
    __tablename__ = "factor_pool"
    __table_args__ = (UniqueConstraint("year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(choice("factor_pool_kind", FACTOR_KINDS))
    total: Mapped[Decimal] = mapped_column(quantity())
    note: Mapped[str | None] = mapped_column(String(200))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}


class FactorRequest(TimestampMixin, Base):
    """One project's request for one kind in one year."""
    __tablename__ = "factor_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(choice("factor_request_kind", FACTOR_KINDS), index=True)
    amount: Mapped[Decimal] = mapped_column(quantity())
    requested_on: Mapped[dt.date] = mapped_column(Date)
    purpose: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(choice("factor_status", FACTOR_STATUSES), default="requested", index=True)
    refusal_reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}


class FactorAllocation(Base):
    """A grant against a request, drawn from the pool of the request's year and kind."""
    __tablename__ = "factor_allocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("factor_request.id", ondelete="CASCADE"), index=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("factor_pool.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(quantity())
    allocated_on: Mapped[dt.date] = mapped_column(Date)
    doc_no: Mapped[str | None] = mapped_column(String(64))  # 文号 of the granting document
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
