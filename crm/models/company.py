"""Companies (prospects and chain nodes in one table) and their contacts."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, TimestampMixin, choice, money

SIGNAL_KINDS = ("expansion", "financing")


class Company(TimestampMixin, Base):
    __tablename__ = "company"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    short_name: Mapped[str | None] = mapped_column(String(60))
    # Normalised name (legal forms, regions, brackets stripped) for dedupe.
    name_norm: Mapped[str] = mapped_column(String(200), index=True, default="")
    # Pinyin initials of the name (山西焦煤集团 → sxjmjt) for the global search (crm.search.pinyin).
    name_initials: Mapped[str] = mapped_column(String(200), index=True, default="", server_default="")
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    stock_code: Mapped[str | None] = mapped_column(String(16), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    city_code: Mapped[str | None] = mapped_column(String(4), index=True)
    county_code: Mapped[str | None] = mapped_column(String(6), index=True)
    # Derived from the location and the settings; stored so lists filter on an index.
    cluster: Mapped[str | None] = mapped_column(String(16), index=True)
    is_local: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0", index=True)
    industry_code: Mapped[str | None] = mapped_column(String(8), index=True)
    registered_capital: Mapped[Decimal | None] = mapped_column(money())
    revenue: Mapped[Decimal | None] = mapped_column(money())
    employees: Mapped[int | None] = mapped_column(Integer)
    world500: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    china500: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    private500: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    specialized: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # 专精特新
    central_soe: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # 央企
    provincial_soe: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # 省属国企
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[str | None] = mapped_column(String(36), index=True)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}

    parent: Mapped[Company | None] = relationship(remote_side=[id], lazy="raise")


class Contact(TimestampMixin, Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(120))
    wechat: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
    # The unit that found this contact; phones are masked outside its subtree.
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)

    company: Mapped[Company] = relationship(lazy="raise")


class CompanySignal(TimestampMixin, Base):
    """A sign of momentum known about a company (扩产 / 融资), dated: the target score's momentum part."""

    __tablename__ = "company_signal"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(choice("company_signal_kind", SIGNAL_KINDS))
    on_date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
