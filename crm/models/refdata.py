"""Reference data tables: division codes, region clusters, GB/T 4754-2017 industries.

Loaded by ``flask refdata load`` from the files in ``crm/refdata/data``; the
pure lookups in :mod:`crm.refdata.lookup` read the same files.
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, choice


class Division(Base):
    __tablename__ = "division"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[str] = mapped_column(choice("division_level", ("province", "city", "county")))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("division.code"), index=True)


class ClusterMember(Base):
    """A division (city, or county where a cluster takes only part of a city) in a cluster."""

    __tablename__ = "cluster_member"
    __table_args__ = (UniqueConstraint("cluster", "division_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster: Mapped[str] = mapped_column(String(16), index=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("division.code"), index=True)
    coverage: Mapped[str] = mapped_column(choice("cluster_coverage", ("full", "partial", "county")))
    core: Mapped[bool] = mapped_column(Boolean, default=False)


class Industry(Base):
    __tablename__ = "industry"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    level: Mapped[str] = mapped_column(choice("industry_level", ("section", "division", "group", "class")))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("industry.code"), index=True)
    section: Mapped[str] = mapped_column(String(1))
    description: Mapped[str | None] = mapped_column(String(2000))
