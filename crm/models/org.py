"""Units (a tree with type and 板块), users, their roles and sign-in attempts."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, TimestampMixin, choice, utcnow

UNIT_KINDS = ("city", "city_dept", "county", "zone", "town")
ROLES = ("admin", "unit_admin", "city_leader", "county_leader", "manager", "officer")


class Unit(TimestampMixin, Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(choice("unit_kind", UNIT_KINDS))
    group_name: Mapped[str | None] = mapped_column(String(40))  # 板块
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    division_code: Mapped[str | None] = mapped_column(String(12), index=True)
    sort: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    parent: Mapped[Unit | None] = relationship(remote_side=[id], lazy="raise")


class User(TimestampMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    password_hash: Mapped[str] = mapped_column(String(256))
    # The id Flask-Login stores in the session. Rotating it on a password reset
    # or when the user is disabled ends every session the user has.
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    locale: Mapped[str | None] = mapped_column(String(8))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit] = relationship(lazy="raise")
    role_rows: Mapped[list[UserRole]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", back_populates="user")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    # Flask-Login protocol, written out so the model does not import Flask-Login.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token


class UserRole(Base):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(choice("role", ROLES))

    user: Mapped[User] = relationship(back_populates="role_rows", lazy="raise")


class LoginAttempt(Base):
    """Sign-in attempts, kept in the database so throttling holds across workers."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_username_at", "username", "at"),
                      Index("ix_login_attempt_ip_at", "ip", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean, default=False)
