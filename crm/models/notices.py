"""Generic attachments (files owned by any record) and notifications to users."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, utcnow


class Attachment(Base):
    """A file attached to a record named by ``entity_type`` (a table name) and ``entity_id``.

    The bytes live under the instance folder at ``stored_name`` (a generated relative path);
    ``filename`` is the name the uploader's file had, shown and offered on download only.
    """

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(300), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Notification(Base):
    """Something a user is told (a lead released, a 撞单 found); unread while ``read_at`` is empty."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(500))
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
