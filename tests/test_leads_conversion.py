"""Conversion of a lead with a 正式合同 into a project: the project's fields, the audit, and the
refusals (twice, no contract); the lead page's offer and, after it, the project shown."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.core.errors import DomainError
from crm.leads import conversion, services
from crm.models import AuditRecord, Project, ProjectStageChange
from tests.conftest import csrf_token
from tests.test_leads_services import new_lead, world  # noqa: F401 - the shared fixture


def sign(db, world, lead, kind="contract", amount="12000"):  # noqa: F811
    row = services.record_signing(db.session, world["users"]["a"], lead, kind=kind, signed_on=dt.date(2026, 4, 1),
                                  amount=amount)
    db.session.commit()
    return row


def test_conversion_creates_the_project(db, world):  # noqa: F811
    lead = new_lead(db, world, title="年产10万吨氢能项目")
    sign(db, world, lead, "framework", "1")
    contract = sign(db, world, lead)
    project = conversion.convert_to_project(db.session, world["users"]["a"], lead)
    db.session.commit()
    assert (project.name, project.source, project.stage) == ("年产10万吨氢能项目", "attraction", "signed")
    assert (project.lead_id, project.signing_id, project.company_id) == (lead.id, contract.id, lead.company_id)
    assert project.resp_unit_id == lead.unit_id and project.owner_id == lead.owner_id
    assert project.total_investment == Decimal("12000")
    assert db.session.scalar(select(ProjectStageChange.to_stage).where(ProjectStageChange.project_id == project.id)) \
        == "signed"
    assert db.session.scalar(select(AuditRecord.id).where(AuditRecord.entity_type == "project",
                                                          AuditRecord.entity_id == project.id,
                                                          AuditRecord.action == "create"))
    assert db.session.scalar(select(AuditRecord.new).where(AuditRecord.entity_type == "lead",
                                                           AuditRecord.entity_id == lead.id,
                                                           AuditRecord.field == "project")) == str(project.id)


def test_conversion_refused_twice_and_without_contract(db, world):  # noqa: F811
    lead = new_lead(db, world)
    sign(db, world, lead, "intent")
    with pytest.raises(DomainError) as err:
        conversion.convert_to_project(db.session, world["users"]["a"], lead)
    assert "正式合同" in str(err.value.message)
    sign(db, world, lead)
    conversion.convert_to_project(db.session, world["users"]["a"], lead)
    db.session.commit()
    with pytest.raises(DomainError):
        conversion.convert_to_project(db.session, world["users"]["a"], lead)
    assert db.session.scalar(select(func.count()).select_from(Project).where(Project.lead_id == lead.id)) == 1


def test_lead_page_offers_conversion_then_shows_the_project(client, db, world, login):  # noqa: F811
    lead = new_lead(db, world, title="页面转化项目")
    login(world["users"]["a"])
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert 'data-testid="convert-form"' not in html
    token = csrf_token(html)
    response = client.post(f"/leads/{lead.id}/convert", data={"csrf_token": token}, follow_redirects=True)
    assert "正式合同" in response.get_data(as_text=True) or "signed contract" in response.get_data(as_text=True)
    sign(db, world, lead)
    assert 'data-testid="convert-form"' in client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert client.post(f"/leads/{lead.id}/convert", data={"csrf_token": token}).status_code == 302
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert 'data-testid="lead-project"' in html and 'data-testid="convert-form"' not in html
    login(world["users"]["b"])
    token = csrf_token(client.get("/trips/new").get_data(as_text=True))
    assert client.post(f"/leads/{lead.id}/convert", data={"csrf_token": token}).status_code == 404
