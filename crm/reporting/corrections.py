"""Corrections after the lock: a changed month's figures for one project wait for a reviewer's approval.

The request keeps the figures as entered; they are checked when asked for and parsed again when approved,
then written through the monthly service unguarded (the lock stays), so the change is audited like any
correction: field by field, with the before and after on the project's history, plus the approval event.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import Project
from crm.models.base import utcnow
from crm.models.reporting import ReportCorrection, ReportingRound
from crm.notifications.services import link_to, notify
from crm.projects import monthly
from crm.reporting.rounds import REVIEW_ROLES, may_send, round_of
from crm.security.scope import scope_for

__all__ = ["request_correction", "decide", "pending_for"]


def request_correction(session: Session, actor, project: Project, year: int, month: int, values: dict,
                       reason: str | None) -> ReportCorrection:
    found = round_of(session, project.resp_unit_id, year, month)
    if found is None or found.status != "locked":
        raise DomainError(_l("The month is not locked: change the figures in the monthly grid."))
    if not may_send(session, actor, project.resp_unit_id):
        raise DomainError(_l("You may not report for this project's unit."))
    reason = (reason or "").strip()[:200]
    if not reason:
        raise DomainError(_l("Say why the locked figures must change."), "reason")
    raw = {k: str(values.get(k, "") or "") for k in monthly.FIELDS}
    _parsed, bad = monthly.parse_row(raw)
    if bad:
        raise monthly.GridErrors({(project.id, key): message for key, message in bad.items()})
    open_one = session.scalar(select(ReportCorrection.id).where(ReportCorrection.project_id == project.id,
                                                                ReportCorrection.round_id == found.id,
                                                                ReportCorrection.status == "pending"))
    if open_one is not None:
        raise DomainError(_l("A correction of this month is already waiting for review."))
    correction = ReportCorrection(round_id=found.id, project_id=project.id, values=raw, reason=reason,
                                  status="pending", requested_by=actor.id)
    session.add(correction)
    session.flush()
    audit.record_create(session, actor, correction)
    return correction


def decide(session: Session, actor, correction: ReportCorrection, approve: bool, note: str | None = None):
    """Approve (the figures are written) or reject (nothing changes) a pending correction."""
    if not set(getattr(actor, "roles", ())) & REVIEW_ROLES:
        raise DomainError(_l("Only a reviewer may decide a correction."))
    if correction.status != "pending":
        raise DomainError(_l("This correction was already decided."))
    note = (note or "").strip()[:200] or None
    if not approve and not note:
        raise DomainError(_l("Say why the correction is rejected."), "note")
    found = session.get(ReportingRound, correction.round_id)
    if approve:
        monthly.save_grid(session, actor, scope_for(session, actor), found.year, found.month,
                          {correction.project_id: correction.values}, guarded=False)
    correction.status = "approved" if approve else "rejected"
    correction.decided_by, correction.decided_at, correction.decision_note = actor.id, utcnow(), note
    session.flush()
    audit.record_event(session, actor, "state", "report_correction", correction.id, field="decided",
                       old="pending", new=correction.status if not note else f"{correction.status} · {note}")
    notify(session, [correction.requested_by], "correction_decided", correction.status,
           link_to("reporting.round_page", round_id=found.id))
    return correction


def pending_for(session: Session, round_ids) -> list[ReportCorrection]:
    ids = list(round_ids)
    if not ids:
        return []
    return list(session.scalars(select(ReportCorrection).where(ReportCorrection.round_id.in_(ids))
                                .order_by(ReportCorrection.status != "pending", ReportCorrection.id.desc())))
