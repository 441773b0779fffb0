"""Project services: create and edit with validation (code, units, years), 属地 of a zone project,
library memberships, the lifecycle rules and refusals, evidence and 认定, and overdue flags."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.attachments.services import store
from crm.companies.services import create_company
from crm.core.errors import DomainError, StaleEdit
from crm.leads import services as lead_services
from crm.models import AuditRecord, Project, ProjectLibrary
from crm.projects import listing, services, stages

CODE = "2026-141002-44-01-000101"


@pytest.fixture
def pworld(db, make_unit, make_user):
    city = make_unit("项目市", kind="city")
    a, b = make_unit("项目甲县", parent=city), make_unit("项目乙县", parent=city)
    zone = make_unit("甲县开发区", kind="zone", parent=a)
    users = {"a": make_user(("officer",), unit=a), "a_mgr": make_user(("manager",), unit=a),
             "b": make_user(("officer",), unit=b), "zone": make_user(("officer",), unit=zone),
             "leader": make_user(("city_leader",), unit=city), "leader2": make_user(("city_leader",), unit=city),
             "admin": make_user(("admin",), unit=city)}
    company = create_company(db.session, users["a"], {"name": "项目测试集团有限公司"})
    db.session.commit()
    return {"units": {"city": city, "a": a, "b": b, "zone": zone}, "users": users, "company": company}


def new_project(db, pworld, who="a", unit="a", **extra):
    data = {"name": "年产5万吨新材料项目", "source": "enterprise", "category": "industry",
            "resp_unit_id": pworld["units"][unit].id, **extra}
    project = services.create_project(db.session, pworld["users"][who], data)
    db.session.commit()
    return project


def evidence(db, pworld, project, who="a", name="开工证明.pdf"):
    row = store(db.session, pworld["users"][who], "project", project.id, name, io.BytesIO(b"%PDF-1.4 proof"))
    db.session.commit()
    return row


def test_create_validates_and_audits(db, pworld):
    project = new_project(db, pworld, code=" 2026－141002-44-01-000101 ", total_investment="12000.5",
                          start_year=2026, end_year=2027, nature="new", company_id=pworld["company"].id)
    assert project.code == CODE and project.total_investment == Decimal("12000.50")
    assert project.stage == "signed" and project.version_id == 1
    assert db.session.scalar(select(AuditRecord.id).where(AuditRecord.entity_type == "project",
                                                          AuditRecord.entity_id == project.id,
                                                          AuditRecord.action == "create"))
    with pytest.raises(DomainError) as err:
        new_project(db, pworld, code=CODE)
    assert err.value.field == "code" and CODE in str(err.value.message)
    for bad, field in (({"code": "2026-1410-44-01-1"}, "code"), ({"name": "  "}, "name"),
                       ({"source": "gift"}, "source"), ({"start_year": 2027, "end_year": 2026}, "end_year"),
                       ({"total_investment": "-1"}, "total_investment"), ({"resp_unit_id": None}, "resp_unit_id")):
        with pytest.raises(DomainError) as err:
            new_project(db, pworld, **bad)
        assert err.value.field == field
        db.session.rollback()


def test_update_is_audited_and_stale_edits_refused(db, pworld):
    project = new_project(db, pworld)
    services.update_project(db.session, pworld["users"]["a"], project, {"name": "改名项目", "code": CODE}, 1)
    db.session.commit()
    assert project.name == "改名项目" and project.version_id == 2
    assert db.session.scalar(select(AuditRecord.new).where(AuditRecord.entity_id == project.id,
                                                           AuditRecord.field == "code")) == CODE
    with pytest.raises(StaleEdit):
        services.update_project(db.session, pworld["users"]["a"], project, {"name": "又改名"}, 1)
    with pytest.raises(DomainError):
        services.update_project(db.session, pworld["users"]["a"], project, {"parent_id": project.id}, 2)


def test_zone_project_takes_its_county_as_location(db, pworld):
    project = new_project(db, pworld, who="zone", unit="zone")
    assert project.resp_unit_id == pworld["units"]["zone"].id
    assert project.location_unit_id == pworld["units"]["a"].id
    from crm.security.scope import scope_for
    # Seen by the county (属地) and by the zone, counted once: one row under either scope.
    for who in ("a", "zone"):
        scope = scope_for(db.session, pworld["users"][who])
        ids = db.session.scalars(select(Project.id).where(scope.condition(Project))).all()
        assert ids.count(project.id) == 1
    assert not scope_for(db.session, pworld["users"]["b"]).can_see(db.session, project)


def test_library_memberships(db, pworld):
    project = new_project(db, pworld)
    row = services.set_library(db.session, pworld["users"]["a"], project, "special_bond", dt.date(2026, 2, 1), "ZX-01")
    services.set_library(db.session, pworld["users"]["a"], project, "special_bond", dt.date(2026, 3, 1), "ZX-02")
    db.session.commit()
    rows = db.session.scalars(select(ProjectLibrary).where(ProjectLibrary.project_id == project.id)).all()
    assert [(r.library, r.entered_on, r.number) for r in rows] == [("special_bond", dt.date(2026, 3, 1), "ZX-02")]
    with pytest.raises(DomainError):
        services.set_library(db.session, pworld["users"]["a"], project, "moon", None, None)
    services.remove_library(db.session, pworld["users"]["a"], project, row.id)
    assert db.session.get(ProjectLibrary, row.id) is None


def test_moves_needing_evidence_are_refused_without_it(db, pworld):
    project = new_project(db, pworld)
    officer = pworld["users"]["a"]
    stages.change_stage(db.session, officer, project, "registered")   # 注册 needs no evidence
    with pytest.raises(DomainError) as err:
        stages.change_stage(db.session, officer, project, "started")
    assert err.value.field == "evidence" and "开工" in str(err.value.message)
    other = new_project(db, pworld, name="别的项目")
    foreign = evidence(db, pworld, other)
    with pytest.raises(DomainError):
        stages.change_stage(db.session, officer, project, "started", evidence_ids=[foreign.id])
    proof = evidence(db, pworld, project)
    change = stages.change_stage(db.session, officer, project, "started", on=dt.date(2026, 4, 2),
                                 evidence_ids=[proof.id])
    db.session.commit()
    assert project.stage == "started" and change.review_status == "pending" and change.evidence == [proof.id]
    assert change.effective_on == dt.date(2026, 4, 2) and change.seconds_in_previous >= 0
    assert stages.evidence_of(db.session, [change])[change.id][0].filename == "开工证明.pdf"


def test_stage_rules_exits_and_reopen(db, pworld):
    project = new_project(db, pworld, category="infrastructure")
    officer = pworld["users"]["a"]
    proof = evidence(db, pworld, project)
    stages.change_stage(db.session, officer, project, "started", evidence_ids=[proof.id])
    stages.change_stage(db.session, officer, project, "completed")
    with pytest.raises(DomainError) as err:
        stages.change_stage(db.session, officer, project, "producing", evidence_ids=[proof.id])
    assert "竣工" in str(err.value.message)
    with pytest.raises(DomainError):
        stages.change_stage(db.session, officer, project, "signed", evidence_ids=[proof.id])  # back: manager only
    stages.change_stage(db.session, pworld["users"]["a_mgr"], project, "started", evidence_ids=[proof.id])
    with pytest.raises(DomainError) as err:
        stages.change_stage(db.session, officer, project, "paused")
    assert err.value.field == "reason"
    stages.change_stage(db.session, officer, project, "paused", reason="资金未到位")
    assert (project.stage, project.stage_before_exit, project.exit_reason) == ("paused", "started", "资金未到位")
    change = stages.reopen(db.session, officer, project)
    assert project.stage == "started" and change.review_status is None  # resuming needs no new 认定
    stages.change_stage(db.session, officer, project, "ended", reason="企业撤资")
    with pytest.raises(DomainError):
        stages.change_stage(db.session, officer, project, "paused", reason="x")
    stages.reopen(db.session, officer, project)
    with pytest.raises(DomainError):
        stages.reopen(db.session, officer, project)
    history = [(c.from_stage, c.to_stage) for c, _who in stages.stage_history(db.session, project)]
    assert history[0] == (None, "signed") and history[-1] == ("ended", "started")


def test_confirm_and_return_and_only_confirmed_counts(db, pworld):
    project = new_project(db, pworld)
    officer, leader = pworld["users"]["a"], pworld["users"]["leader"]
    proof = evidence(db, pworld, project)
    change = stages.change_stage(db.session, officer, project, "started", on=dt.date(2026, 4, 2),
                                 evidence_ids=[proof.id])
    db.session.commit()
    assert stages.confirmed_stage_at(db.session, project.id, "started") is None
    with pytest.raises(DomainError):
        stages.return_change(db.session, leader, change, "  ")
    stages.return_change(db.session, leader, change, "证明文件不清晰")
    db.session.commit()
    assert change.review_status == "returned" and change.review_note == "证明文件不清晰"
    from crm.models import Notification
    notices = db.session.scalars(select(Notification).where(Notification.kind == "project_returned")).all()
    assert [(n.user_id, n.link) for n in notices] == [(officer.id, f"/projects/{project.id}")]
    assert "证明文件不清晰" in notices[0].message
    with pytest.raises(DomainError):
        stages.confirm(db.session, leader, change)  # not pending any more
    second = evidence(db, pworld, project, name="施工许可证.pdf")
    stages.resubmit(db.session, officer, project, change, [second.id])
    assert change.review_status == "pending" and change.evidence == sorted([proof.id, second.id])
    with pytest.raises(DomainError):
        stages.confirm(db.session, officer, change)  # not by whoever made the move
    stages.confirm(db.session, leader, change)
    db.session.commit()
    assert change.review_status == "confirmed" and change.reviewed_by == leader.id
    assert stages.confirmed_stage_at(db.session, project.id, "started") == dt.date(2026, 4, 2)
    assert stages.confirmed_stage_at(db.session, project.id, "started", as_of=dt.date(2026, 4, 1)) is None
    ids = set(db.session.scalars(stages.confirmed_projects("started", dt.date(2026, 12, 31))))
    assert project.id in ids
    assert project.id not in set(db.session.scalars(stages.confirmed_projects("started", dt.date(2026, 3, 31))))
    queue = db.session.execute(stages.review_queue(Project.id == project.id, "confirmed")).all()
    assert [row[0].id for row in queue] == [change.id]


def _overdue(db, project, today):
    flags = listing.overdue_flags(today)
    row = db.session.execute(select(*(c.label(k) for k, c in flags.items())).where(Project.id == project.id)).one()
    return {k for k, v in row._asdict().items() if v}


def test_overdue_flags_planned_dates_and_contract_deadline(db, pworld):
    today = dt.date(2026, 6, 1)
    project = new_project(db, pworld, planned_start_on=dt.date(2026, 5, 1), planned_complete_on=dt.date(2026, 12, 1),
                          planned_production_on=dt.date(2026, 5, 15))
    assert _overdue(db, project, today) == {"start", "production"}
    proof = evidence(db, pworld, project)
    stages.change_stage(db.session, pworld["users"]["a"], project, "started", evidence_ids=[proof.id])
    db.session.commit()
    assert _overdue(db, project, today) == {"production"}
    stages.change_stage(db.session, pworld["users"]["a"], project, "paused", reason="停工")
    db.session.commit()
    assert _overdue(db, project, today) == {"production"}  # judged by the stage it left
    # 超时限未开工: the contract's own deadline to start works.
    lead = lead_services.create_lead(db.session, pworld["users"]["a"],
                                     {"company_id": pworld["company"].id, "title": "合同期限项目"})
    signing = lead_services.record_signing(db.session, pworld["users"]["a"], lead, kind="contract",
                                           signed_on=dt.date(2026, 1, 5), amount="100",
                                           deadline_start=dt.date(2026, 5, 20))
    contracted = new_project(db, pworld, name="合同项目")
    contracted.signing_id = signing.id
    db.session.commit()
    assert _overdue(db, contracted, dt.date(2026, 5, 20)) == set()
    assert _overdue(db, contracted, today) == {"contract"}
    filters = listing.ProjectFilters(overdue="contract", today=today)
    assert db.session.scalars(listing.project_query(filters, Project.id.in_([project.id, contracted.id]))).all() \
        == [contracted]
    stages.change_stage(db.session, pworld["users"]["a"], contracted, "ended", reason="终止")
    db.session.commit()
    assert _overdue(db, contracted, today) == set()
