"""Conversion of a signed lead into a project (招商引资 source), in one audited transaction.

A lead with a 正式合同 signing offers "转为项目": the project takes the lead's title as its name, the
contract's amount as its total investment, the lead's unit as 责任单位, its owner and chain segment,
and starts at stage 签约 with its first stage-history row. A lead converts once; the project pages
(``crm.projects``) take it from there; its 签约 waits for the city's 认定 like any other.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import Lead, Project, ProjectStageChange, Signing
from crm.models.base import utcnow

__all__ = ["PROJECT_STAGE_LABELS", "project_of", "contract_of", "convert_to_project"]

PROJECT_STAGE_LABELS = {
    "signed": _l("Signed (签约)"), "registered": _l("Registered (注册)"), "started": _l("Started (开工)"),
    "completed": _l("Completed (竣工)"), "producing": _l("In production (投产)"), "effective": _l("Effective (达效)"),
    "paused": _l("Paused (暂缓)"), "ended": _l("Ended (终止)"),
}


def project_of(session: Session, lead: Lead) -> Project | None:
    return session.scalar(select(Project).where(Project.lead_id == lead.id).order_by(Project.id).limit(1))


def contract_of(session: Session, lead: Lead) -> Signing | None:
    """The lead's latest 正式合同, if any."""
    stmt = (select(Signing).where(Signing.lead_id == lead.id, Signing.kind == "contract")
            .order_by(Signing.signed_on.desc(), Signing.id.desc()).limit(1))
    return session.scalar(stmt)


def convert_to_project(session: Session, actor, lead: Lead) -> Project:
    """Create the project of ``lead``; refused when it has one already or has no 正式合同."""
    if session.get_bind().dialect.name == "postgresql":
        # Two clicks at once: the second waits here, then finds the first one's project.
        session.execute(select(Lead.id).where(Lead.id == lead.id).with_for_update())
    if project_of(session, lead) is not None:
        raise DomainError(_l("This lead has already been converted to a project."))
    contract = contract_of(session, lead)
    if contract is None:
        raise DomainError(_l("Only a lead with a signed contract (正式合同) can become a project."))
    now = utcnow()
    project = Project(name=lead.title, source="attraction", category="industry", lead_id=lead.id,
                      signing_id=contract.id, company_id=lead.company_id, resp_unit_id=lead.unit_id,
                      segment_id=lead.segment_id, total_investment=contract.amount, stage="signed",
                      owner_id=lead.owner_id)
    session.add(project)
    audit.record_create(session, actor, project)
    # The contract is the 签约's evidence (attached to the signing); the city still confirms it (认定).
    session.add(ProjectStageChange(project_id=project.id, from_stage=None, to_stage="signed", at=now,
                                   user_id=getattr(actor, "id", None), effective_on=contract.signed_on,
                                   review_status="pending"))
    audit.record_event(session, actor, "state", "lead", lead.id, field="project", old=None, new=project.id)
    session.flush()
    return project
