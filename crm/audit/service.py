"""Record who changed what, when, field by field.

Services call these functions; they flush but never commit, so the audit rows
land in the same transaction as the change they describe. ``actor`` is the
acting user (``None`` for the system: CLI loads, jobs without a user).
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from crm.models import AuditRecord, User

# Never written to the audit trail, whatever the model.
SECRET_FIELDS = frozenset({"password_hash", "session_token"})
# Search keys derived from other fields (company.name_initials): noise in a record's history.
DERIVED_FIELDS = frozenset({"name_initials"})
SKIPPED_FIELDS = frozenset({"created_at", "updated_at", "version_id"}) | SECRET_FIELDS | DERIVED_FIELDS


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _entity(obj) -> tuple[str, int | None]:
    return obj.__tablename__, getattr(obj, "id", None)


def _actor_id(actor) -> int | None:
    return getattr(actor, "id", None)


def new_batch_id() -> str:
    return str(uuid.uuid4())


def record_create(session: Session, actor, obj, *, batch_id: str | None = None) -> AuditRecord:
    """One 'create' entry listing the initial non-empty fields."""
    session.flush()
    entity_type, entity_id = _entity(obj)
    fields = {c.key: _text(getattr(obj, c.key)) for c in inspect(obj).mapper.column_attrs
              if c.key not in SKIPPED_FIELDS and c.key != "id" and getattr(obj, c.key) not in (None, "")}
    rec = AuditRecord(user_id=_actor_id(actor), action="create", entity_type=entity_type,
                      entity_id=entity_id, new="; ".join(f"{k}={v}" for k, v in sorted(fields.items())),
                      version=getattr(obj, "version_id", None), batch_id=batch_id)
    session.add(rec)
    return rec


def pending_changes(obj) -> dict[str, tuple[Any, Any]]:
    """Column changes of ``obj`` not yet flushed: ``{field: (old, new)}``."""
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        if attr.key in SKIPPED_FIELDS:
            continue
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if _text(old) != _text(new):
            changes[attr.key] = (old, new)
    return changes


@contextmanager
def tracked_update(session: Session, actor, obj, *, secret_fields: tuple[str, ...] = ()) -> Iterator[None]:
    """Apply changes to ``obj`` inside the block, then audit them.

    Autoflush is off inside the block: a validation query would otherwise flush
    the pending changes and erase the attribute history the audit reads.
    """
    with session.no_autoflush:
        yield
        record_update(session, actor, obj, secret_fields=secret_fields)


def record_update(session: Session, actor, obj, *, secret_fields: tuple[str, ...] = ()) -> list[AuditRecord]:
    """Write one entry per changed field, then flush (bumping ``version_id``).

    ``secret_fields`` are recorded as changed without their values.
    """
    changes = pending_changes(obj)
    state = inspect(obj)
    for key in SECRET_FIELDS | set(secret_fields):
        if key in state.mapper.column_attrs and state.attrs[key].history.has_changes():
            changes[key] = ("***", "***")
    session.flush()
    entity_type, entity_id = _entity(obj)
    records = [AuditRecord(user_id=_actor_id(actor), action="update", entity_type=entity_type,
                           entity_id=entity_id, field=field, old=_text(old), new=_text(new),
                           version=getattr(obj, "version_id", None))
               for field, (old, new) in sorted(changes.items())]
    session.add_all(records)
    return records


def record_delete(session: Session, actor, obj) -> AuditRecord:
    entity_type, entity_id = _entity(obj)
    rec = AuditRecord(user_id=_actor_id(actor), action="delete", entity_type=entity_type,
                      entity_id=entity_id, old=str(getattr(obj, "name", "") or entity_id))
    session.add(rec)
    return rec


def record_event(session: Session, actor, action: str, entity_type: str, entity_id: int | None, *,
                 field: str | None = None, old: Any = None, new: Any = None,
                 batch_id: str | None = None) -> AuditRecord:
    """A non-field event: a sign-in, a state transition, a view of a sensitive record."""
    rec = AuditRecord(user_id=_actor_id(actor), action=action, entity_type=entity_type,
                      entity_id=entity_id, field=field, old=_text(old), new=_text(new), batch_id=batch_id)
    session.add(rec)
    return rec


def record_bulk_create(session: Session, actor, objs: list, batch_id: str) -> AuditRecord:
    """Bulk creates write one batch entry; each row carries ``batch_id`` itself."""
    session.flush()
    if not objs:
        raise ValueError("a bulk create needs rows")
    entity_type = objs[0].__tablename__
    ids = [o.id for o in objs]
    rec = AuditRecord(user_id=_actor_id(actor), action="bulk_create", entity_type=entity_type,
                      entity_id=None, new=f"{len(ids)} rows: {min(ids)}–{max(ids)}", batch_id=batch_id)
    session.add(rec)
    return rec


def history(session: Session, entity_type: str, entity_id: int, limit: int = 200) -> list[tuple[AuditRecord, str]]:
    """The record's history, newest first, each entry with the acting user's name."""
    stmt = (select(AuditRecord, User.name)
            .outerjoin(User, User.id == AuditRecord.user_id)
            .where(AuditRecord.entity_type == entity_type, AuditRecord.entity_id == entity_id)
            .order_by(AuditRecord.at.desc(), AuditRecord.id.desc()).limit(limit))
    return [(rec, name or "") for rec, name in session.execute(stmt)]


def changes_since(session: Session, entity_type: str, entity_id: int, version: int) -> list[AuditRecord]:
    """Field changes that produced versions after ``version`` (for stale-edit messages)."""
    stmt = (select(AuditRecord)
            .where(AuditRecord.entity_type == entity_type, AuditRecord.entity_id == entity_id,
                   AuditRecord.action == "update", AuditRecord.version > version)
            .order_by(AuditRecord.id))
    return list(session.scalars(stmt))
