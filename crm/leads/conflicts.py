"""撞单: two units chasing the same investor group for the same project intent.

Detection runs when a lead is created (or its intent changes): another unit's open lead (not
终止) on the same company with the same intent key, still under its 保护期, is a clash. The new
lead is kept and a :class:`~crm.models.LeadConflict` links the two. Each owner sees a notice that
shows only the other unit, its owner and 首报 date (:func:`notices_for`) — never the other lead's
details — and both owners and their units' managers get a notification about their own lead.
A leader rules (:func:`rule_conflict`): keep one (the other ends with reason 撞单),
share (both stay, each records the other unit as 协办 with the agreed credit) or transfer (the
other lead moves to the kept side's unit and owner; its history stays). Everything is audited.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.leads import stages
from crm.leads.rules import HUNDRED
from crm.models import Company, Lead, LeadConflict, LeadUnit, Unit, User
from crm.models.base import utcnow
from crm.models.leads import CONFLICT_RULINGS
from crm.notifications import services as notices

__all__ = ["ConflictNotice", "detect_conflicts", "notices_for", "rule_conflict", "open_conflicts"]


@dataclass(frozen=True)
class ConflictNotice:
    """What an owner may know of the other side of a 撞单: unit, owner and 首报 date only."""

    conflict_id: int
    status: str
    ruling: str | None
    kept: bool | None          # whether this side was kept (None while open)
    other_unit: str
    other_owner: str
    other_first_reported_at: dt.datetime


def detect_conflicts(session: Session, actor, lead: Lead) -> list[LeadConflict]:
    """Record a 撞单 between ``lead`` and every other unit's matching open, protected lead."""
    today = stages.aware(lead.first_reported_at).date()
    already = select(LeadConflict.lead_a_id).where(LeadConflict.lead_b_id == lead.id).union(
        select(LeadConflict.lead_b_id).where(LeadConflict.lead_a_id == lead.id))
    stmt = (select(Lead.id)
            .where(Lead.company_id == lead.company_id, Lead.intent_key == lead.intent_key,
                   Lead.stage != "ended", Lead.unit_id != lead.unit_id, Lead.id != lead.id,
                   Lead.protected_until >= today, Lead.id.not_in(already))
            .order_by(Lead.first_reported_at, Lead.id))
    found = []
    for other_id in session.scalars(stmt):
        conflict = LeadConflict(lead_a_id=other_id, lead_b_id=lead.id, detected_at=utcnow(), status="open")
        session.add(conflict)
        audit.record_create(session, actor, conflict)
        found.append(conflict)
        _tell_both_sides(session, (session.get(Lead, other_id), lead))
    return found


def _tell_both_sides(session: Session, leads) -> None:
    """Each side's owner and unit managers hear of the clash on their own lead (its title and link),
    never the other side's details."""
    company = session.get(Company, leads[0].company_id)
    for side in leads:
        notices.notify(session, [side.owner_id, *notices.unit_managers(session, side.unit_id)], "lead_conflict",
                       f"{company.name if company else ''} · {side.title}",
                       notices.link_to("leads.detail", lead_id=side.id))


def notices_for(session: Session, lead: Lead) -> list[ConflictNotice]:
    """The 撞单 notices shown on ``lead``'s page, newest first."""
    notices = []
    for mine, theirs in ((LeadConflict.lead_a_id, LeadConflict.lead_b_id),
                         (LeadConflict.lead_b_id, LeadConflict.lead_a_id)):
        stmt = (select(LeadConflict, Unit.name, User.name, Lead.first_reported_at)
                .join(Lead, Lead.id == theirs).join(Unit, Unit.id == Lead.unit_id).join(User, User.id == Lead.owner_id)
                .where(mine == lead.id))
        for conflict, unit_name, owner_name, first in session.execute(stmt):
            kept = None if conflict.status == "open" else conflict.kept_lead_id == lead.id
            notices.append(ConflictNotice(conflict.id, conflict.status, conflict.ruling, kept, unit_name,
                                          owner_name, stages.aware(first)))
    return sorted(notices, key=lambda n: n.conflict_id, reverse=True)


def open_conflicts(session: Session, *, include_ruled: bool = False, limit: int = 200) -> list[LeadConflict]:
    """Conflicts for the rulers' page, open ones first (leaders see every lead)."""
    stmt = select(LeadConflict)
    if not include_ruled:
        stmt = stmt.where(LeadConflict.status == "open")
    return list(session.scalars(stmt.order_by(LeadConflict.status, LeadConflict.detected_at.desc(),
                                              LeadConflict.id.desc()).limit(limit)))


def _add_partner(session: Session, actor, lead: Lead, partner_unit_id: int, partner_credit: Decimal) -> None:
    """Give ``partner_unit_id`` ``partner_credit`` percent of ``lead``, scaling the others down.

    Rounding is settled on the 主办 row so the split still adds up to exactly 100.
    """
    rows = list(session.scalars(select(LeadUnit).where(LeadUnit.lead_id == lead.id).order_by(LeadUnit.id)))
    old = ", ".join(f"{r.unit_id}:{r.role}:{r.credit}" for r in rows)
    host = next((r for r in rows if r.role == "host"), None)
    if host is None:  # a lead made outside the services: give it its 主办 row first
        host = LeadUnit(lead_id=lead.id, unit_id=lead.unit_id, role="host", credit=HUNDRED)
        session.add(host)
        rows.append(host)
    partner = next((r for r in rows if r.unit_id == partner_unit_id), None)
    factor = (HUNDRED - partner_credit) / HUNDRED
    for row in rows:
        if row is not partner:
            row.credit = (Decimal(row.credit) * factor).quantize(Decimal("0.01"))
    if partner is None:
        partner = LeadUnit(lead_id=lead.id, unit_id=partner_unit_id, role="assist", credit=Decimal(0))
        session.add(partner)
        rows.append(partner)
    partner.credit = partner_credit
    host.credit = Decimal(host.credit) + HUNDRED - sum(Decimal(r.credit) for r in rows)
    session.flush()
    audit.record_event(session, actor, "update", "lead", lead.id, field="credit_split", old=old or None,
                       new=", ".join(f"{r.unit_id}:{r.role}:{r.credit}" for r in rows))


def _transfer(session: Session, actor, lead: Lead, to: Lead) -> None:
    """Move ``lead`` to ``to``'s unit and owner; its stage history and contact log stay as they are."""
    with audit.tracked_update(session, actor, lead):
        lead.unit_id, lead.owner_id = to.unit_id, to.owner_id
    rows = list(session.scalars(select(LeadUnit).where(LeadUnit.lead_id == lead.id)))
    host = next((r for r in rows if r.role == "host"), None)
    clash = next((r for r in rows if r.unit_id == to.unit_id and r is not host), None)
    if clash is not None:  # the new 主办 was a 协办: its share joins the 主办 row
        extra = Decimal(clash.credit)
        session.delete(clash)
        session.flush()
        if host is not None:
            host.credit = Decimal(host.credit) + extra
    if host is not None:
        host.unit_id = to.unit_id
    session.flush()


def rule_conflict(session: Session, actor, conflict: LeadConflict, ruling: str, kept_lead_id: int, *,
                  credit=50, note: str | None = None, at: dt.datetime | None = None) -> LeadConflict:
    """Rule a 撞单. ``kept_lead_id`` is the side kept; for *share*, ``credit`` is the percent of each
    lead credited to the kept side's unit (the other unit gets the rest on both)."""
    if conflict.status != "open":
        raise DomainError(_l("This 撞单 has already been ruled."))
    if ruling not in CONFLICT_RULINGS:
        raise DomainError(_l("Choose a ruling."), "ruling")
    if kept_lead_id not in (conflict.lead_a_id, conflict.lead_b_id):
        raise DomainError(_l("Choose which lead is kept."), "kept_lead_id")
    kept = session.get(Lead, kept_lead_id)
    other = session.get(Lead, conflict.lead_b_id if kept_lead_id == conflict.lead_a_id else conflict.lead_a_id)
    if ruling == "keep":
        if other.stage != "ended":
            stages.move(session, actor, other, "ended", reason=stages.CONFLICT_EXIT_REASON, at=at)
    elif ruling == "share":
        try:
            kept_share = Decimal(str(credit)).quantize(Decimal("0.01"))
        except ArithmeticError:
            raise DomainError(_l("A credit share is a percentage such as 60."), "credit") from None
        if not Decimal(0) < kept_share < HUNDRED:
            raise DomainError(_l("The kept side's share must be between 0 and 100."), "credit")
        if kept.unit_id != other.unit_id:
            _add_partner(session, actor, kept, other.unit_id, HUNDRED - kept_share)
            _add_partner(session, actor, other, kept.unit_id, kept_share)
    else:
        _transfer(session, actor, other, kept)
    with audit.tracked_update(session, actor, conflict):
        conflict.status, conflict.ruling, conflict.kept_lead_id = "ruled", ruling, kept.id
        conflict.ruled_by, conflict.ruled_at = getattr(actor, "id", None), stages.aware(at) or utcnow()
        conflict.note = (note or "").strip() or None
    return conflict


def other_open_conflict_leads(session: Session, lead: Lead) -> bool:
    """Whether ``lead`` has an open 撞单 (for list badges)."""
    stmt = select(LeadConflict.id).where(LeadConflict.status == "open",
                                         or_(LeadConflict.lead_a_id == lead.id, LeadConflict.lead_b_id == lead.id))
    return session.scalar(stmt.limit(1)) is not None
