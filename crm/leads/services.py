"""Lead services: create and edit a lead with its credit split, log contact, record a signing,
and release leads whose 保护期 has run out.

Every function takes the session and the acting user, flushes but never commits, audits what it
changes and raises :class:`~crm.core.errors.DomainError` (with the form field concerned) when a
rule refuses. ``data`` dicts are keyed by model attribute, plus ``host_credit`` and ``assists``
(``[(unit_id, credit), …]``) for the split. Stage moves live in :mod:`crm.leads.stages`, 撞单 in
:mod:`crm.leads.conflicts`.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.audit.stale import ensure_current
from crm.core.errors import DomainError
from crm.leads import conflicts, stages
from crm.leads.rules import check_split, intent_key
from crm.models import Company, Interaction, Lead, LeadStageChange, LeadUnit, Segment, Signing, Unit
from crm.models.base import utcnow
from crm.models.leads import INTERACTION_KINDS, LEAD_METHODS, SIGNING_KINDS
from crm.notifications import services as notices
from crm.settings import get as get_setting
from crm.settings.registry import SettingDef, register

__all__ = ["EDITABLE", "protection_days", "create_lead", "update_lead", "set_credit_split", "credit_split",
           "log_interaction", "log_company_contact", "record_signing", "release_expired"]

register(SettingDef("lead_protection_days", "int", 90, _l("Lead protection period (保护期), days"),
                    _l("Leads"), _l("A lead with no follow-up for this many days is released and its unit told."),
                    minimum=1, maximum=3650))

EDITABLE = ("company_id", "title", "segment_id", "amount", "method", "referrer", "next_followup")
RELEASABLE_STAGES = ("clue", "contact", "visit", "negotiate", "paused")


def protection_days(session: Session) -> int:
    return int(get_setting(session, "lead_protection_days"))


def _amount(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_l("Enter an amount in 10k yuan, such as 5000."), field) from None
    if number < 0:
        raise DomainError(_l("An amount cannot be negative."), field)
    return number


def _apply(session: Session, lead: Lead, data: dict[str, Any]) -> None:
    for key in EDITABLE:
        if key in data:
            value = data[key]
            setattr(lead, key, (value.strip() or None) if isinstance(value, str) else value)
    if lead.company_id is None or session.get(Company, lead.company_id) is None:
        raise DomainError(_l("Choose the investor group from the list."), "company_id")
    lead.title = (lead.title or "").strip()
    lead.intent_key = intent_key(lead.title)
    if not lead.intent_key:
        raise DomainError(_l("Describe the project intent."), "title")
    if lead.segment_id is not None and session.get(Segment, lead.segment_id) is None:
        raise DomainError(_l("Choose a chain segment from the list."), "segment_id")
    if lead.method is not None and lead.method not in LEAD_METHODS:
        raise DomainError(_l("Choose a method from the list."), "method")
    lead.amount = _amount(lead.amount, "amount")


def _write_split(session: Session, actor, lead: Lead, host_credit, assists) -> list[LeadUnit]:
    rows = check_split(lead.unit_id, host_credit, [(int(u), c) for u, c in assists])
    for unit_id, role, _credit in rows:
        if role == "assist" and session.get(Unit, unit_id) is None:
            raise DomainError(_l("Unit no. %(id)s does not exist.", id=unit_id), "assists")
    old = credit_split(session, lead)
    session.execute(delete(LeadUnit).where(LeadUnit.lead_id == lead.id))
    created = [LeadUnit(lead_id=lead.id, unit_id=u, role=r, credit=c) for u, r, c in rows]
    session.add_all(created)
    session.flush()
    new = [(u.unit_id, u.role, u.credit) for u in created]
    if old != new:
        audit.record_event(session, actor, "update", "lead", lead.id, field="credit_split",
                           old=_split_text(old) or None, new=_split_text(new))
    return created


def _split_text(rows) -> str:
    return ", ".join(f"{unit_id}:{role}:{format(Decimal(credit).normalize(), 'f')}" for unit_id, role, credit in rows)


def credit_split(session: Session, lead: Lead) -> list[tuple[int, str, Decimal]]:
    """``[(unit_id, role, credit), …]``, the 主办 unit first."""
    stmt = select(LeadUnit).where(LeadUnit.lead_id == lead.id).order_by(LeadUnit.role.desc(), LeadUnit.id)
    return [(r.unit_id, r.role, Decimal(r.credit)) for r in session.scalars(stmt)]


def create_lead(session: Session, actor, data: dict[str, Any], *, now: dt.datetime | None = None,
                owner=None, unit_id: int | None = None) -> Lead:
    """Create a lead owned by ``actor`` (or ``owner``) and hosted (主办) by the actor's unit (or ``unit_id``).

    The 首报 time is ``now``; the 保护期 runs ``lead_protection_days`` from it. Another unit's open,
    protected lead on the same investor group with the same intent key is a 撞单: the lead is still
    created, and a :class:`~crm.models.LeadConflict` records the clash for a leader to rule.
    """
    now = stages.aware(now) or utcnow()
    lead = Lead(unit_id=unit_id or actor.unit_id, owner_id=(owner or actor).id, stage="clue", first_reported_at=now,
                protected_until=now.date() + dt.timedelta(days=protection_days(session)))
    _apply(session, lead, data)
    session.add(lead)
    audit.record_create(session, actor, lead)
    _write_split(session, actor, lead, data.get("host_credit", 100), data.get("assists", ()))
    session.add(LeadStageChange(lead_id=lead.id, from_stage=None, to_stage="clue", at=now, user_id=actor.id))
    session.flush()
    conflicts.detect_conflicts(session, actor, lead)
    return lead


def update_lead(session: Session, actor, lead: Lead, data: dict[str, Any],
                expected_version: int | None = None) -> Lead:
    """Edit a lead's fields (and its split when ``host_credit`` is given); a new intent re-checks 撞单."""
    ensure_current(session, lead, expected_version)
    old_key = lead.intent_key
    with audit.tracked_update(session, actor, lead):
        _apply(session, lead, data)
    if "host_credit" in data:
        _write_split(session, actor, lead, data["host_credit"], data.get("assists", ()))
    if lead.intent_key != old_key:
        conflicts.detect_conflicts(session, actor, lead)
    return lead


def set_credit_split(session: Session, actor, lead: Lead, host_credit, assists) -> list[LeadUnit]:
    """Replace the 主办/协办 credit split; the shares must add up to 100."""
    return _write_split(session, actor, lead, host_credit, assists)


def _extend_protection(session: Session, lead: Lead, day: dt.date) -> None:
    until = day + dt.timedelta(days=protection_days(session))
    if lead.protected_until is None or until > lead.protected_until:
        lead.protected_until = until


def _interaction(session: Session, actor, company_id: int, lead_id: int | None, *, kind: str, summary: str,
                 at: dt.datetime | None, next_step: str | None, next_followup: dt.date | None,
                 participants: str | None, trip_id: int | None, delegation_id: int | None) -> Interaction:
    if kind not in INTERACTION_KINDS:
        raise DomainError(_l("Choose the kind of contact."), "kind")
    summary = (summary or "").strip()
    if not summary:
        raise DomainError(_l("Summarise the contact."), "summary")
    at = stages.aware(at) or utcnow()
    if at > utcnow() + dt.timedelta(hours=1):
        raise DomainError(_l("A contact cannot be logged in the future."), "at")
    if next_followup is not None and next_followup < at.date():
        raise DomainError(_l("The next follow-up cannot be before the contact."), "next_followup")
    interaction = Interaction(company_id=company_id, lead_id=lead_id, kind=kind, at=at, summary=summary,
                              participants=(participants or "").strip() or None,
                              next_step=(next_step or "").strip() or None, next_followup=next_followup,
                              user_id=actor.id, unit_id=actor.unit_id, trip_id=trip_id, delegation_id=delegation_id)
    session.add(interaction)
    audit.record_create(session, actor, interaction)
    return interaction


def log_company_contact(session: Session, actor, company_id: int, *, kind: str, summary: str,
                        at: dt.datetime | None = None, next_step: str | None = None,
                        next_followup: dt.date | None = None, participants: str | None = None,
                        trip_id: int | None = None, delegation_id: int | None = None) -> Interaction:
    """Log a contact with a company on no lead (a visit on a trip to a firm not yet a lead)."""
    if company_id is None or session.get(Company, company_id) is None:
        raise DomainError(_l("Choose the investor group from the list."), "company_id")
    return _interaction(session, actor, company_id, None, kind=kind, summary=summary, at=at, next_step=next_step,
                        next_followup=next_followup, participants=participants, trip_id=trip_id,
                        delegation_id=delegation_id)


def log_interaction(session: Session, actor, lead: Lead, *, kind: str, summary: str,
                    at: dt.datetime | None = None, next_step: str | None = None,
                    next_followup: dt.date | None = None, participants: str | None = None,
                    trip_id: int | None = None, delegation_id: int | None = None) -> Interaction:
    """Log a contact on the lead: it becomes the last contact (when latest), sets the next follow-up
    and extends the 保护期 from the contact's date. A visit on a trip or a delegation received
    names it (``trip_id`` / ``delegation_id``)."""
    if lead.stage == "ended":
        raise DomainError(_l("The lead has ended; reopen it to log contact."))
    interaction = _interaction(session, actor, lead.company_id, lead.id, kind=kind, summary=summary, at=at,
                               next_step=next_step, next_followup=next_followup, participants=participants,
                               trip_id=trip_id, delegation_id=delegation_id)
    at = stages.aware(interaction.at)
    latest = lead.last_contact_at is None or at >= stages.aware(lead.last_contact_at)
    with audit.tracked_update(session, actor, lead):
        if latest:
            lead.last_contact_at = at
            lead.next_followup = next_followup
        _extend_protection(session, lead, at.date())
    return interaction


def record_signing(session: Session, actor, lead: Lead, *, kind: str, signed_on: dt.date,
                   amount=None, deadline_register: dt.date | None = None, deadline_start: dt.date | None = None,
                   deadline_production: dt.date | None = None, intensity=None, notes: str | None = None,
                   at: dt.datetime | None = None) -> Signing:
    """Record a 框架/意向/正式合同 signing; a 正式合同 moves the lead to 签约."""
    if kind not in SIGNING_KINDS:
        raise DomainError(_l("Choose the kind of signing."), "kind")
    if signed_on is None:
        raise DomainError(_l("Enter the signing date."), "signed_on")
    if lead.stage == "ended":
        raise DomainError(_l("The lead has ended; reopen it to record a signing."))
    for field, day in (("deadline_register", deadline_register), ("deadline_start", deadline_start),
                       ("deadline_production", deadline_production)):
        if day is not None and day < signed_on:
            raise DomainError(_l("A contract deadline cannot be before the signing date."), field)
    signing = Signing(lead_id=lead.id, company_id=lead.company_id, unit_id=lead.unit_id, kind=kind,
                      amount=_amount(amount, "amount"), signed_on=signed_on, deadline_register=deadline_register,
                      deadline_start=deadline_start, deadline_production=deadline_production,
                      intensity=_amount(intensity, "intensity"), notes=(notes or "").strip() or None)
    session.add(signing)
    audit.record_create(session, actor, signing)
    if kind == "contract" and lead.stage != "signed":
        stages.move(session, actor, lead, "signed", at=at)
    return signing


def release_expired(session: Session, today: dt.date, actor=None) -> list[Lead]:
    """Release open leads whose 保护期 ended before ``today`` with no follow-up since.

    The lead keeps its unit and owner; its ``protected_until`` is cleared (so another unit's lead on
    the same intent is no longer a 撞单) and a 'state' event "released" is audited. The lead's owner
    and its unit's managers are notified. Answers the released leads.
    """
    stmt = (select(Lead).where(Lead.protected_until < today, Lead.stage.in_(RELEASABLE_STAGES))
            .order_by(Lead.unit_id, Lead.id))
    released = list(session.scalars(stmt))
    companies = dict(session.execute(select(Company.id, Company.name)
                                     .where(Company.id.in_({lead.company_id for lead in released}))).all())
    for lead in released:
        until = lead.protected_until
        with audit.tracked_update(session, actor, lead):
            lead.protected_until = None
        audit.record_event(session, actor, "state", "lead", lead.id, field="protection", old=until, new="released")
        notices.notify(session, [lead.owner_id, *notices.unit_managers(session, lead.unit_id)], "lead_released",
                       f"{companies.get(lead.company_id, '')} · {lead.title}",
                       notices.link_to("leads.detail", lead_id=lead.id))
    session.flush()
    return released
