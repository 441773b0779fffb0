"""Create, count and mark notifications.

A notification's ``message`` holds data (a company and a project intent), not a sentence: the
sentence comes from its ``kind`` (:data:`KIND_LABELS`), translated when shown, so a notice created
by a CLI command reads right in each user's language. Services flush, never commit.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crm.models import Notification, User, UserRole
from crm.models.base import utcnow

__all__ = ["KIND_LABELS", "link_to", "notify", "unit_managers", "unread_count", "mark_read", "mark_all_read"]

KIND_LABELS = {
    "lead_released": _l("Lead released: its protection period (保护期) ran out with no follow-up"),
    "lead_conflict": _l("Possible duplicate lead (撞单) found"),
    "project_returned": _l("A project's stage change was returned by the reviewer"),
    "problem_assigned": _l("A problem (问题清单) was assigned to your unit"),
    "problem_answered": _l("A problem you assigned was answered"),
    "report_returned": _l("Your unit's monthly report was returned for changes"),
    "correction_decided": _l("A correction you asked for on a locked month was decided"),
}


def link_to(endpoint: str, **values) -> str:
    """A path to the record, also from a CLI command (which has no request to build URLs from)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def unit_managers(session: Session, unit_id: int) -> list[int]:
    """Ids of the active managers of one unit."""
    stmt = (select(User.id).join(UserRole, UserRole.user_id == User.id)
            .where(User.unit_id == unit_id, User.active.is_(True), UserRole.role == "manager").order_by(User.id))
    return list(session.scalars(stmt))


def notify(session: Session, user_ids: Iterable[int | None], kind: str, message: str,
           link: str | None = None) -> list[Notification]:
    """Tell each user once (duplicates and ``None`` dropped)."""
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown notification kind {kind!r}")
    now = utcnow()
    rows = [Notification(user_id=uid, kind=kind, message=message[:500], link=link, created_at=now)
            for uid in dict.fromkeys(u for u in user_ids if u is not None)]
    session.add_all(rows)
    session.flush()
    return rows


def unread_count(session: Session, user_id: int) -> int:
    stmt = (select(func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None)))
    return session.scalar(stmt) or 0


def mark_read(session: Session, user_id: int, notification_id: int) -> bool:
    """Mark one of the user's own notifications read; False when it is not theirs (or unknown)."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        return False
    if row.read_at is None:
        row.read_at = utcnow()
        session.flush()
    return True


def mark_all_read(session: Session, user_id: int) -> int:
    result = session.execute(update(Notification)
                             .where(Notification.user_id == user_id, Notification.read_at.is_(None))
                             .values(read_at=utcnow()))
    return result.rowcount or 0
