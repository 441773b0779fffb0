"""Leads with their stage history, co-units, the contact log and signings."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, TimestampMixin, choice, money, utcnow

LEAD_STAGES = ("clue", "contact", "visit", "negotiate", "signed", "paused", "ended")
LEAD_METHODS = ("business", "chain", "zone", "personal", "county")
INTERACTION_KINDS = ("call", "visit", "delegation", "meeting", "fair", "wechat", "mail")
SIGNING_KINDS = ("framework", "intent", "contract")
CONFLICT_STATUSES = ("open", "ruled")
CONFLICT_RULINGS = ("keep", "share", "transfer")


class Lead(TimestampMixin, Base):
    __tablename__ = "lead"
    # ix_lead_stage_board serves the board for whoever sees every lead: a column's cards in 首报 order
    # (stage, first_reported_at) and the column totals read from the index alone (amount).
    __table_args__ = (Index("ix_lead_unit_stage", "unit_id", "stage"),
                      Index("ix_lead_stage_board", "stage", "first_reported_at", "amount"))

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)  # investor group
    title: Mapped[str] = mapped_column(String(200))  # project intent
    intent_key: Mapped[str] = mapped_column(String(200), default="", index=True)  # for 撞单
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), index=True)
    amount: Mapped[Decimal | None] = mapped_column(money())  # intended investment, 万元
    method: Mapped[str | None] = mapped_column(choice("lead_method", LEAD_METHODS))
    referrer: Mapped[str | None] = mapped_column(String(120))  # 引荐人
    first_reported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    protected_until: Mapped[dt.date | None] = mapped_column(Date)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # 主办
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    stage: Mapped[str] = mapped_column(choice("lead_stage", LEAD_STAGES), default="clue")
    stage_before_exit: Mapped[str | None] = mapped_column(choice("lead_stage_prev", LEAD_STAGES))
    exit_reason: Mapped[str | None] = mapped_column(String(200))
    next_followup: Mapped[dt.date | None] = mapped_column(Date, index=True)
    last_contact_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    batch_id: Mapped[str | None] = mapped_column(String(36), index=True)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}


class LeadUnit(Base):
    """主办 and 协办 units of a lead with their credit share (percent) for 考核."""

    __tablename__ = "lead_unit"
    __table_args__ = (UniqueConstraint("lead_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[str] = mapped_column(choice("lead_unit_role", ("host", "assist")))
    credit: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class LeadStageChange(Base):
    __tablename__ = "lead_stage_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(choice("lead_stage_from", LEAD_STAGES))
    to_stage: Mapped[str] = mapped_column(choice("lead_stage_to", LEAD_STAGES))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str | None] = mapped_column(String(200))
    seconds_in_previous: Mapped[int | None] = mapped_column(Integer)


class LeadConflict(Base):
    """撞单: two units' open leads on one investor group with the same project intent.

    ``lead_a`` is the earlier lead, ``lead_b`` the one whose creation detected the clash. A leader
    rules: keep one (the other ends), share (both stay, credit split on both) or transfer (the other
    lead moves to the kept side's unit and owner); ``kept_lead_id`` names the side kept.
    """

    __tablename__ = "lead_conflict"
    __table_args__ = (UniqueConstraint("lead_a_id", "lead_b_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_a_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), index=True)
    lead_b_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), index=True)
    detected_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(choice("lead_conflict_status", CONFLICT_STATUSES), default="open",
                                        index=True)
    ruling: Mapped[str | None] = mapped_column(choice("lead_conflict_ruling", CONFLICT_RULINGS))
    kept_lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="SET NULL"))
    ruled_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ruled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(String(500))


class Trip(TimestampMixin, Base):
    """外出招商: a trip with its team; each company visit is an interaction."""

    __tablename__ = "trip"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)
    destination_code: Mapped[str | None] = mapped_column(String(6))
    destination: Mapped[str | None] = mapped_column(String(120))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    team: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class Delegation(TimestampMixin, Base):
    """来访接待: an investor delegation received by a unit."""

    __tablename__ = "delegation"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    arrived_on: Mapped[dt.date] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    head: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None] = mapped_column(Integer)
    host_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    summary: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class Interaction(TimestampMixin, Base):
    __tablename__ = "interaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"), index=True)
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("trip.id"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"), index=True)
    kind: Mapped[str] = mapped_column(choice("interaction_kind", INTERACTION_KINDS))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    participants: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(Text)
    next_followup: Mapped[dt.date | None] = mapped_column(Date)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)


class Signing(TimestampMixin, Base):
    __tablename__ = "signing"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(choice("signing_kind", SIGNING_KINDS))
    amount: Mapped[Decimal | None] = mapped_column(money())
    signed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    deadline_register: Mapped[dt.date | None] = mapped_column(Date)
    deadline_start: Mapped[dt.date | None] = mapped_column(Date)
    deadline_production: Mapped[dt.date | None] = mapped_column(Date)
    intensity: Mapped[Decimal | None] = mapped_column(money())  # 投资强度, 万元/亩
    notes: Mapped[str | None] = mapped_column(Text)

    lead: Mapped[Lead | None] = relationship(lazy="raise")
