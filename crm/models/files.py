"""Import batches with their staged rows, and saved column mappings (presets)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base, choice, utcnow

IMPORT_STATUSES = ("uploaded", "staging", "staged", "applying", "applied", "reverted", "failed")
ROW_ACTIONS = ("create", "update", "error", "skip")


class ImportBatch(Base):
    """One uploaded file on its way in: mapped, staged (dry run), applied, maybe reverted."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    batch_key: Mapped[str] = mapped_column(String(36), unique=True)  # written on every applied row
    filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(500))
    encoding: Mapped[str | None] = mapped_column(String(20))
    headers: Mapped[list] = mapped_column(JSON)
    mapping: Mapped[dict | None] = mapped_column(JSON)  # header index (str) → field key
    status: Mapped[str] = mapped_column(choice("import_status", IMPORT_STATUSES), default="uploaded")
    valid_only: Mapped[bool] = mapped_column(Boolean, default=False)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    creates: Mapped[int] = mapped_column(Integer, default=0)
    updates: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    staged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reverted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ImportRow(Base):
    """A staged row: cleaned values, what applying it will do, and what it did."""

    __tablename__ = "import_row"
    __table_args__ = (UniqueConstraint("batch_id", "row_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id", ondelete="CASCADE"), index=True)
    row_no: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    action: Mapped[str] = mapped_column(choice("import_row_action", ROW_ACTIONS))
    errors: Mapped[list | None] = mapped_column(JSON)
    target_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    version_after: Mapped[int | None] = mapped_column(Integer)


class ImportPreset(Base):
    """A saved header → field mapping, e.g. for 企查查-style exports."""

    __tablename__ = "import_preset"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80))
    mapping: Mapped[dict] = mapped_column(JSON)  # header text → field key
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
