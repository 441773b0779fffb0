"""Chain edits: 链长 and 链办, segments, segment links, company-segment links, target lists.

Every edit that changes the analysis bumps the chain's stamp (:func:`crm.industry.cache.bump`) in the
same transaction, so every worker rebuilds its model on the next request. Services flush, audit and
raise :class:`~crm.core.errors.DomainError`; the views commit.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.industry.cache import bump
from crm.models import (Chain, Company, CompanySegment, Lead, Project, Segment, SegmentLink, TargetList,
                        TargetListItem, Unit, User)
from crm.models.chains import POSITIONS

__all__ = ["set_officers", "save_segment", "delete_segment", "add_link", "delete_link", "save_membership",
           "delete_membership", "save_target_list"]


def _fraction(value: Any, field: str, label) -> float:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(_l("%(label)s: enter a number between 0 and 1.", label=label), field) from None
    if not 0 <= number <= 1:
        raise DomainError(_l("%(label)s: enter a number between 0 and 1.", label=label), field)
    return number


def set_officers(session: Session, actor, chain: Chain, chief_id: int | None, office_unit_id: int | None) -> Chain:
    """Set the chain's 链长 (a user) and 链办 (a unit); either may be cleared."""
    if chief_id is not None and session.get(User, chief_id) is None:
        raise DomainError(_l("Choose the chain chief from the list."), "chief_id")
    if office_unit_id is not None and session.get(Unit, office_unit_id) is None:
        raise DomainError(_l("Choose the chain office from the list."), "office_unit_id")
    with audit.tracked_update(session, actor, chain):
        chain.chief_id, chain.office_unit_id = chief_id, office_unit_id
    session.flush()
    return chain


def save_segment(session: Session, actor, chain: Chain, data: dict[str, Any],
                 segment: Segment | None = None) -> Segment:
    """Create or edit a segment of ``chain`` (name, position, tier, GB/T codes, policy weight)."""
    name = str(data.get("name") or "").strip()
    if not name:
        raise DomainError(_l("Name the segment."), "name")
    if data.get("position") not in POSITIONS:
        raise DomainError(_l("Choose a position from the list."), "position")
    try:
        tier = int(str(data.get("tier") or 1))
    except ValueError:
        raise DomainError(_l("The tier is a whole number."), "tier") from None
    weight = _fraction(data.get("policy_weight", 0), "policy_weight", _l("Policy weight"))
    clash = session.scalar(select(Segment.id).where(Segment.chain_id == chain.id, Segment.name == name,
                                                    Segment.id != (segment.id if segment else -1)))
    if clash is not None:
        raise DomainError(_l("This chain already has a segment named %(name)s.", name=name), "name")
    values = {"name": name, "position": data["position"], "tier": tier, "policy_weight": weight,
              "gbt_codes": (str(data.get("gbt_codes") or "").strip() or None)}
    if segment is None:
        segment = Segment(chain_id=chain.id, **values)
        session.add(segment)
        session.flush()
        audit.record_create(session, actor, segment)
    else:
        with audit.tracked_update(session, actor, segment):
            for key, value in values.items():
                setattr(segment, key, value)
    bump(session, chain.id)
    return segment


def delete_segment(session: Session, actor, segment: Segment) -> None:
    """Delete a segment with its links and company links; refused while leads or projects name it."""
    for model in (Lead, Project):
        if session.scalar(select(model.id).where(model.segment_id == segment.id).limit(1)) is not None:
            raise DomainError(_l("Leads or projects name this segment; it cannot be deleted."))
    audit.record_delete(session, actor, segment)
    for model, column in ((SegmentLink, SegmentLink.from_segment_id), (SegmentLink, SegmentLink.to_segment_id),
                          (CompanySegment, CompanySegment.segment_id)):
        for row in session.scalars(select(model).where(column == segment.id)):
            session.delete(row)
    session.flush()
    session.delete(segment)
    session.flush()
    bump(session, segment.chain_id)


def add_link(session: Session, actor, chain: Chain, from_id: int, to_id: int, weight: Any = 1.0) -> SegmentLink:
    """``from_id`` supplies ``to_id`` (both segments of ``chain``)."""
    ids = set(session.scalars(select(Segment.id).where(Segment.chain_id == chain.id)))
    if from_id not in ids or to_id not in ids:
        raise DomainError(_l("Choose both segments from this chain."), "from_segment_id")
    if from_id == to_id:
        raise DomainError(_l("A segment cannot supply itself."), "to_segment_id")
    if session.scalar(select(SegmentLink.id).where(SegmentLink.from_segment_id == from_id,
                                                   SegmentLink.to_segment_id == to_id)) is not None:
        raise DomainError(_l("This link exists already."), "to_segment_id")
    link = SegmentLink(chain_id=chain.id, from_segment_id=from_id, to_segment_id=to_id,
                       weight=_fraction(weight, "weight", _l("Weight")))
    session.add(link)
    session.flush()
    audit.record_create(session, actor, link)
    bump(session, chain.id)
    return link


def delete_link(session: Session, actor, link: SegmentLink) -> None:
    audit.record_delete(session, actor, link)
    session.delete(link)
    session.flush()
    bump(session, link.chain_id)


def save_membership(session: Session, actor, company: Company, segment_id: int, share: Any = 1.0,
                    is_leader: bool = False) -> CompanySegment:
    """Place ``company`` in a segment (or edit its share and 链主 flag there)."""
    segment = session.get(Segment, segment_id)
    if segment is None:
        raise DomainError(_l("Choose a chain segment from the list."), "segment_id")
    share = _fraction(share, "share", _l("Share"))
    row = session.scalar(select(CompanySegment).where(CompanySegment.company_id == company.id,
                                                      CompanySegment.segment_id == segment_id))
    if row is None:
        row = CompanySegment(company_id=company.id, segment_id=segment_id, share=share, is_leader=bool(is_leader))
        session.add(row)
        session.flush()
        audit.record_create(session, actor, row)
    else:
        with audit.tracked_update(session, actor, row):
            row.share, row.is_leader = share, bool(is_leader)
    bump(session, segment.chain_id)
    return row


def delete_membership(session: Session, actor, row: CompanySegment) -> None:
    chain_id = session.scalar(select(Segment.chain_id).where(Segment.id == row.segment_id))
    audit.record_delete(session, actor, row)
    session.delete(row)
    session.flush()
    bump(session, chain_id)


def save_target_list(session: Session, actor, chain: Chain, name: str, targets: list) -> TargetList:
    """Keep ``targets`` (:class:`chains.Target`, best first) as a named list of ``chain``."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Name the target list."), "name")
    if not targets:
        raise DomainError(_l("Select at least one target."), "company_ids")
    if session.scalar(select(TargetList.id).where(TargetList.chain_id == chain.id, TargetList.name == name)):
        raise DomainError(_l("This chain already has a target list named %(name)s.", name=name), "name")
    tl = TargetList(chain_id=chain.id, name=name, created_by=getattr(actor, "id", None))
    session.add(tl)
    session.flush()
    audit.record_create(session, actor, tl)
    session.add_all(TargetListItem(list_id=tl.id, company_id=int(t.company_id), segment_id=int(t.segment),
                                   rank=rank, score=t.score) for rank, t in enumerate(targets, start=1))
    session.flush()
    return tl
