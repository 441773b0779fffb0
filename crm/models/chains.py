"""Industrial chains: segments, segment links, company-segment links, supply links."""
from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, TimestampMixin, choice

POSITIONS = ("upstream", "midstream", "downstream")


class Chain(TimestampMixin, Base):
    __tablename__ = "chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    chief_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)  # 链长
    office_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)  # 链办
    # Bumped on every edit so cached gap maps in every worker know they are stale.
    stamp: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Segment(Base):
    __tablename__ = "segment"
    __table_args__ = (UniqueConstraint("chain_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("chain.id", ondelete="CASCADE"), index=True)
    key: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[str] = mapped_column(choice("segment_position", POSITIONS))
    tier: Mapped[int] = mapped_column(Integer, default=1)
    gbt_codes: Mapped[str | None] = mapped_column(String(200))
    policy_weight: Mapped[float] = mapped_column(Float, default=1.0)
    description: Mapped[str | None] = mapped_column(Text)


class SegmentLink(Base):
    __tablename__ = "segment_link"
    __table_args__ = (UniqueConstraint("from_segment_id", "to_segment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("chain.id", ondelete="CASCADE"), index=True)
    from_segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"), index=True)
    to_segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"), index=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)


class CompanySegment(Base):
    """A company's place in a segment; ``is_leader`` marks a 链主 of this chain."""

    __tablename__ = "company_segment"
    __table_args__ = (UniqueConstraint("company_id", "segment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"), index=True)
    share: Mapped[float] = mapped_column(Float, default=1.0)
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    role: Mapped[str | None] = mapped_column(String(64))


class SupplyLink(Base):
    __tablename__ = "supply_link"
    __table_args__ = (UniqueConstraint("supplier_id", "buyer_id", "product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    product: Mapped[str] = mapped_column(String(120), default="")
    confidence: Mapped[int] = mapped_column(Integer, default=3)
    source: Mapped[str | None] = mapped_column(String(120))


class TargetList(TimestampMixin, Base):
    """A named selection of a chain's targets, kept with the scores they had when saved."""

    __tablename__ = "target_list"
    __table_args__ = (UniqueConstraint("chain_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("chain.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)


class TargetListItem(Base):
    __tablename__ = "target_list_item"
    __table_args__ = (UniqueConstraint("list_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("target_list.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id", ondelete="SET NULL"))
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
