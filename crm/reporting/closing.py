"""封账 from the reporting side: a reviewer closes a month once it has ended and no report waits for review.

Closing locks the period's approved rounds and freezes the figures (:func:`crm.kpis.snapshots.take`); units
that never sent their month are named in the answer (their figures are frozen as they stand). A report still
waiting for review (已报) blocks the close: approve or return it first.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.core.errors import DomainError
from crm.kpis import snapshots
from crm.models import PeriodClose, Unit
from crm.models.reporting import ReportingRound
from crm.reporting import rounds
from crm.reporting.overview import overview

__all__ = ["close_month"]


def close_month(session: Session, actor, year: int, month: int, *, today: dt.date,
                note: str | None = None) -> tuple[PeriodClose, list[str]]:
    """Close the month; answers the close and the names of the units that had not sent their report."""
    if not set(getattr(actor, "roles", ())) & rounds.REVIEW_ROLES:
        raise DomainError(_l("Only a reviewer may close a month."))
    if not 2000 <= year <= 2100 or not 1 <= month <= 12:
        raise DomainError(_l("Choose a year between 2000 and 2100 and a month from 1 to 12."))
    if snapshots.month_end(year, month) >= today:
        raise DomainError(_l("A month can be closed only after it has ended."))
    waiting = session.execute(select(Unit.name).join(ReportingRound, ReportingRound.unit_id == Unit.id).where(
        ReportingRound.year == year, ReportingRound.month == month, ReportingRound.status == "submitted")
        .order_by(Unit.sort, Unit.name)).scalars().all()
    if waiting:
        raise DomainError(_l("Reports still wait for review: %(units)s. Approve or return them first.",
                             units="、".join(waiting)))
    for found in session.scalars(select(ReportingRound).where(
            ReportingRound.year == year, ReportingRound.month == month, ReportingRound.status == "approved")):
        rounds.lock(session, actor, found)
    unsent = [row.name for row in overview(session, year, month, today) if row.status in rounds.OPEN]
    return snapshots.take(session, actor, year, month, note), unsent
