""""Add to pipeline": leads for chosen targets, created through the leads service in one transaction.

Each selected company either becomes a lead (owner and 主办 unit chosen by the caller; 撞单 detection
runs as for any lead) or is skipped with a reason: not a current target of the chain, already
signed, or already an open lead of the chosen unit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

import chains
from crm.core.errors import DomainError
from crm.leads.services import create_lead
from crm.models import Chain, Company, Lead, LeadConflict, Signing, Unit, User
from crm.security.scope import scope_for

__all__ = ["PipelineResult", "add_to_pipeline", "lead_title"]


@dataclass
class PipelineResult:
    created: list[Lead] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)      # (company name, reason)
    conflicts: list[tuple[str, int]] = field(default_factory=list)    # (company name, lead id) with a 撞单


def lead_title(chain: Chain, model: chains.ChainModel, target: chains.Target) -> str:
    """The project intent of a target's lead: the chain, the segment and the action."""
    return f"{chain.name}·{model.segment_name(target.segment)}{target.action or ''}招商"


def add_to_pipeline(session: Session, actor, chain: Chain, model: chains.ChainModel, company_ids: list[int],
                    owner_id: int | None, unit_id: int | None) -> PipelineResult:
    """Create leads for the selected targets of ``chain``; report those skipped and those with 撞单."""
    if not company_ids:
        raise DomainError(_l("Select at least one target."), "company_ids")
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        raise DomainError(_l("Choose the host unit from the list."), "unit_id")
    scope = scope_for(session, actor)
    if not scope.sees_all and unit.id not in scope.unit_ids:
        raise DomainError(_l("You can only add leads for your own unit and the units below it."), "unit_id")
    owner = session.get(User, owner_id) if owner_id else None
    if owner is None or not owner.active:
        raise DomainError(_l("Choose the owner from the list."), "owner_id")
    if owner.unit_id != unit.id:
        raise DomainError(_l("The owner must belong to the host unit."), "owner_id")
    targets = {int(t.company_id): t for t in model.targets()}
    wanted = list(dict.fromkeys(int(c) for c in company_ids))
    names = dict(session.execute(select(Company.id, Company.name).where(Company.id.in_(wanted))).all())
    signed = set(session.scalars(select(Signing.company_id).where(Signing.company_id.in_(wanted))))
    signed |= set(session.scalars(select(Lead.company_id).where(Lead.company_id.in_(wanted), Lead.stage == "signed")))
    open_here = set(session.scalars(select(Lead.company_id).where(
        Lead.company_id.in_(wanted), Lead.unit_id == unit.id, Lead.stage.not_in(("ended", "signed")))))
    result = PipelineResult()
    for company_id in wanted:
        name = names.get(company_id)
        if name is None:
            continue
        if company_id in signed:
            result.skipped.append((name, str(_l("already signed"))))
        elif company_id in open_here:
            result.skipped.append((name, str(_l("already an open lead of %(unit)s", unit=unit.name))))
        elif company_id not in targets:
            result.skipped.append((name, str(_l("not a target of this chain"))))
        else:
            target = targets[company_id]
            lead = create_lead(session, actor, {"company_id": company_id, "segment_id": int(target.segment),
                                                "title": lead_title(chain, model, target)},
                               owner=owner, unit_id=unit.id)
            result.created.append(lead)
            clash = session.scalar(select(LeadConflict.id).where(LeadConflict.lead_b_id == lead.id).limit(1))
            if clash is not None:
                result.conflicts.append((name, lead.id))
    return result
