"""Stage rules of a lead: 线索 → 接洽 → 考察 → 洽谈 → 签约, with the exits 暂缓 and 终止.

Forward moves may skip stages; backward moves need a manager (or admin); pausing and ending need a
reason and remember the stage left (``stage_before_exit``), to which a reopen returns. Every move
writes a :class:`~crm.models.LeadStageChange` with who, when and the seconds spent in the stage
left, and is audited. Edits made on an older version of the lead are refused.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.audit.stale import ensure_current
from crm.core.errors import DomainError
from crm.leads.rules import EXITS, MANAGER_ROLES, PIPELINE, is_backward
from crm.models import Lead, LeadStageChange, Signing, User
from crm.models.base import utcnow
from crm.models.leads import LEAD_STAGES

__all__ = ["aware", "change_stage", "reopen_lead", "move", "stage_history", "seconds_in_stage",
           "CONFLICT_EXIT_REASON"]

CONFLICT_EXIT_REASON = "撞单"


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """Aware UTC: SQLite hands back naive UTC datetimes, and stores an aware one without its offset,
    so every datetime a lead service keeps or compares goes through here."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def _is_manager(actor) -> bool:
    return bool(set(getattr(actor, "roles", ())) & MANAGER_ROLES)


def _entered_stage_at(session: Session, lead: Lead) -> dt.datetime:
    last = session.scalar(select(func.max(LeadStageChange.at)).where(LeadStageChange.lead_id == lead.id))
    return aware(last or lead.first_reported_at)


def seconds_in_stage(session: Session, lead: Lead, now: dt.datetime | None = None) -> int:
    """Seconds the lead has spent in its current stage so far."""
    return max(0, int(((now or utcnow()) - _entered_stage_at(session, lead)).total_seconds()))


def move(session: Session, actor, lead: Lead, to_stage: str, *, reason: str | None = None,
         at: dt.datetime | None = None) -> LeadStageChange:
    """Move without checking the rules (callers have): state, history row and audit."""
    at = aware(at) or utcnow()
    seconds = max(0, int((at - _entered_stage_at(session, lead)).total_seconds()))
    from_stage = lead.stage
    with audit.tracked_update(session, actor, lead):
        if to_stage in EXITS:
            if from_stage in PIPELINE:
                lead.stage_before_exit = from_stage
            lead.exit_reason = reason
        else:
            lead.stage_before_exit = None
            lead.exit_reason = None
        lead.stage = to_stage
    change = LeadStageChange(lead_id=lead.id, from_stage=from_stage, to_stage=to_stage, at=at,
                             user_id=getattr(actor, "id", None), reason=reason, seconds_in_previous=seconds)
    session.add(change)
    session.flush()
    return change


def _has_contract(session: Session, lead: Lead) -> bool:
    stmt = select(Signing.id).where(Signing.lead_id == lead.id, Signing.kind == "contract").limit(1)
    return session.scalar(stmt) is not None


def change_stage(session: Session, actor, lead: Lead, to_stage: str, *, reason: str | None = None,
                 expected_version: int | None = None, at: dt.datetime | None = None) -> LeadStageChange:
    """Move ``lead`` to ``to_stage`` under the stage rules, or raise :class:`DomainError`."""
    ensure_current(session, lead, expected_version)
    if to_stage not in LEAD_STAGES:
        raise DomainError(_l("Choose a stage from the list."), "stage")
    current = lead.stage
    if to_stage == current:
        raise DomainError(_l("The lead is already at this stage."), "stage")
    reason = (reason or "").strip() or None
    if to_stage in EXITS:
        if not reason:
            raise DomainError(_l("Pausing or ending a lead needs a reason."), "reason")
        if current == "ended":
            raise DomainError(_l("An ended lead must be reopened first."), "stage")
        return move(session, actor, lead, to_stage, reason=reason, at=at)
    # Back into the pipeline: compare with the stage the lead left when it is paused or ended.
    base = (lead.stage_before_exit or "clue") if current in EXITS else current
    if current == "ended" and lead.exit_reason == CONFLICT_EXIT_REASON and "admin" not in getattr(actor, "roles", ()):
        raise DomainError(_l("This lead was ended by a 撞单 ruling; only a system admin can reopen it."), "stage")
    if is_backward(base, to_stage) and not _is_manager(actor):
        raise DomainError(_l("Only a manager can move a lead back to an earlier stage."), "stage")
    if to_stage == "signed" and not _has_contract(session, lead):
        raise DomainError(_l("Record the signed contract (正式合同) to move a lead to 签约."), "stage")
    return move(session, actor, lead, to_stage, reason=None, at=at)


def reopen_lead(session: Session, actor, lead: Lead, *, expected_version: int | None = None,
                at: dt.datetime | None = None) -> LeadStageChange:
    """Return a paused or ended lead to the stage it left."""
    if lead.stage not in EXITS:
        raise DomainError(_l("Only a paused or ended lead can be reopened."), "stage")
    return change_stage(session, actor, lead, lead.stage_before_exit or "clue",
                        expected_version=expected_version, at=at)


def stage_history(session: Session, lead: Lead) -> list[tuple[LeadStageChange, str]]:
    """The lead's stage changes, oldest first, each with the acting user's name."""
    stmt = (select(LeadStageChange, User.name).outerjoin(User, User.id == LeadStageChange.user_id)
            .where(LeadStageChange.lead_id == lead.id).order_by(LeadStageChange.at, LeadStageChange.id))
    return [(change, name or "") for change, name in session.execute(stmt)]
