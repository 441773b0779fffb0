"""The generated demo at the seed's scale: the six figures of 临汾's 2022 plan hold (plain SQL under the KPI
definitions), move by exactly a project's amounts when one project changes, and the load is deterministic,
idempotent and spread over the counties, zones and the three clusters.

The demo is loaded once per backend for the module, in an outer transaction rolled back at its end; each
test runs in a savepoint of it, so a test's changes do not reach the next.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from crm.extensions import db as _db
from tests.conftest import one_connection

YEAR = 2022
AS_OF = dt.date(2022, 3, 31)
# The fingerprint of the 2022 plan at scale 1: a change of the generator's output changes it.
EXPECTED_FINGERPRINT = "1ec870ce2c04c9b669e4efef875cce8bed60413f28a94b8b9f221cfc6a67fbbd"

ALL = """SELECT count(*), sum(p.total_investment), sum(y.planned_investment)
FROM project p JOIN project_year y ON y.project_id = p.id WHERE y.year = :year"""
# 新开工 started by D: a move to 开工 or beyond dated by D and not returned (调度口径); 续建 resumed by D: a
# month of the year up to D's with completed investment.
ACTIVE = ALL + """ AND (
  (y.plan_list = 'new' AND EXISTS (SELECT 1 FROM project_stage_change c WHERE c.project_id = p.id
     AND c.to_stage IN ('started', 'completed', 'producing', 'effective') AND c.effective_on <= :as_of
     AND (c.review_status IS NULL OR c.review_status <> 'returned')))
  OR (y.plan_list = 'continuing' AND EXISTS (SELECT 1 FROM project_month m WHERE m.project_id = p.id
     AND m.year = :year AND m.month <= :month AND m.completed > 0)))"""


def figures(session, as_of: dt.date = AS_OF) -> tuple:
    params = {"year": as_of.year, "as_of": as_of, "month": as_of.month}
    out = []
    for sql in (ALL, ACTIVE):
        count, total, planned = session.execute(text(sql), params).one()
        out += [count, Decimal(str(total or 0)).quantize(Decimal("0.01")),
                Decimal(str(planned or 0)).quantize(Decimal("0.01"))]
    return tuple(out)


SEED = (1031, Decimal("41900000.00"), Decimal("9070000.00"), 521, Decimal("21395000.00"), Decimal("5840000.00"))


@pytest.fixture(scope="module")
def demo_connection(app):
    """One connection per backend with the demo loaded in an outer transaction (rolled back at the end)."""
    from crm.demo.loader import load_demo

    with one_connection(app) as connection:
        load_demo(_db.session)
        _db.session.commit()
        _db.session.remove()
        yield connection


@pytest.fixture
def session(demo_connection):
    inner = demo_connection.begin_nested()
    try:
        yield _db.session
    finally:
        _db.session.remove()
        inner.rollback()


def test_the_seed_figures_hold_from_the_launch_to_year_end(session):
    from crm.settings import get
    assert get(session, "plan_year") == YEAR
    assert figures(session) == SEED
    assert figures(session, dt.date(2022, 12, 31)) == SEED
    # Before the launch fewer had started: the figures are the launch's, not a constant.
    assert figures(session, dt.date(2022, 1, 31))[3] < 521


def test_one_resumed_project_moves_the_figures_by_its_amounts(session):
    from crm.models import Project, ProjectMonth, ProjectYear, User
    from crm.projects import monthly
    from crm.security.scope import scope_for

    resumed = select(ProjectMonth.project_id).where(ProjectMonth.year == YEAR)
    project, membership = session.execute(
        select(Project, ProjectYear).join(ProjectYear, ProjectYear.project_id == Project.id)
        .where(ProjectYear.year == YEAR, ProjectYear.plan_list == "continuing", Project.stage == "started",
               Project.id.not_in(resumed)).order_by(Project.code).limit(1)).one()
    admin = session.scalar(select(User).where(User.username == "admin"))
    january = figures(session, dt.date(2022, 1, 31))
    monthly.save_grid(session, admin, scope_for(session, admin), YEAR, 2,
                      {project.id: {"completed": "120.50", "stats_status": "none"}})
    session.commit()
    count, total, planned = figures(session)[3:]
    assert (count, total, planned) == (522, SEED[4] + project.total_investment,
                                       SEED[5] + membership.planned_investment)
    assert figures(session)[:3] == SEED[:3]
    # A February figure does not make it resumed by the end of January.
    assert figures(session, dt.date(2022, 1, 31)) == january


def test_a_returned_start_leaves_the_started_figures(session):
    from crm.models import Project, ProjectStageChange, ProjectYear, User
    from crm.projects import stages

    change, project, membership = session.execute(
        select(ProjectStageChange, Project, ProjectYear).join(Project, Project.id == ProjectStageChange.project_id)
        .join(ProjectYear, ProjectYear.project_id == Project.id)
        .where(ProjectStageChange.to_stage == "started", ProjectStageChange.review_status == "pending",
               ProjectYear.year == YEAR, ProjectYear.plan_list == "new")
        .order_by(Project.code).limit(1)).one()
    leader = session.scalar(select(User).where(User.username == "city_leader"))
    stages.return_change(session, leader, change, "开工报告缺少监理签字")
    session.commit()
    assert figures(session)[3:] == (520, SEED[4] - project.total_investment, SEED[5] - membership.planned_investment)


def test_the_load_is_deterministic(session):
    from crm.demo.generator import fingerprint
    from crm.demo.plan import generate
    stored = fingerprint(session, YEAR)
    assert stored == generate(YEAR, 1).fingerprint() == generate(YEAR, 1).fingerprint()
    assert stored == EXPECTED_FINGERPRINT


def test_a_second_load_adds_nothing_and_another_scale_is_refused(session):
    from crm.core.errors import DomainError
    from crm.demo.generator import load_generated
    from crm.demo.loader import load_demo
    from crm.models import AuditRecord, Company, Interaction, Lead, Problem, Project, ProjectStageChange, User

    models = (Project, ProjectStageChange, Lead, Company, Interaction, Problem, User, AuditRecord)

    def counts():
        return [session.scalar(select(func.count()).select_from(m)) for m in models]

    before = counts()
    load_demo(session)
    session.flush()
    assert counts() == before
    with pytest.raises(DomainError):
        load_generated(session, 2)


def test_scale_multiplies_counts_and_amounts():
    from crm.demo.plan import generate
    plan = generate(YEAR, 2)
    active = [p for p in plan.projects if p.active]
    assert (len(plan.projects), sum(p.total for p in plan.projects), sum(p.planned for p in plan.projects)) == \
        (2062, 2 * 41_900_000, 2 * 9_070_000)
    assert (len(active), sum(p.total for p in active), sum(p.planned for p in active)) == \
        (1042, 2 * 21_395_000, 2 * 5_840_000)
    assert all(0 < p.planned <= p.total for p in plan.projects)


def test_the_demo_is_spread_and_keeps_the_services_invariants(session):
    from crm.attachments.services import path_of
    from crm.demo import data
    from crm.demo.generator import batch_id
    from crm.models import (Attachment, AuditRecord, Company, Lead, LeadStageChange, LeadUnit, Problem, Project,
                            ProjectStageChange, Signing, Unit)
    from crm.projects.rules import code_problem

    units = {u.name: u for u in session.scalars(select(Unit))}
    for county, _code, _group in data.COUNTIES:
        unit = units[county]
        assert session.scalar(select(func.count()).select_from(Project).where(Project.resp_unit_id == unit.id)) > 0
    for zone, _short, county in data.COUNTY_ZONES:
        rows = session.execute(select(Project.location_unit_id).where(Project.resp_unit_id == units[zone].id)).all()
        assert rows and {r[0] for r in rows} == {units[county].id}  # 属地 is the zone's county
    codes = session.scalars(select(Project.code).where(Project.batch_id == batch_id(YEAR, 1))).all()
    assert codes and all(code_problem(c) is None for c in codes)
    assert session.scalar(select(func.count()).select_from(Project).where(Project.total_investment >= 1_000_000)) >= 5
    assert session.scalar(select(func.count()).select_from(Project).where(Project.parent_id.is_not(None))) >= 8

    generated = select(Lead.id).where(Lead.batch_id == batch_id(YEAR, 1))
    assert 250 <= session.scalar(select(func.count()).select_from(generated.subquery())) <= 350
    clusters = set(session.scalars(select(Company.cluster).join(Lead, Lead.company_id == Company.id)
                                   .where(Lead.id.in_(generated))))
    assert clusters == {"jjj", "yrd", "gzpc"}
    # Every lead has its 主办 credit of 100 and a first stage row; signed ones a 正式合同.
    assert session.scalar(select(func.count()).select_from(LeadUnit).where(
        LeadUnit.lead_id.in_(generated), LeadUnit.role == "host", LeadUnit.credit == 100)) == \
        session.scalar(select(func.count()).select_from(generated.subquery()))
    assert session.scalar(select(func.count(func.distinct(LeadStageChange.lead_id))).where(
        LeadStageChange.lead_id.in_(generated), LeadStageChange.from_stage.is_(None))) == \
        session.scalar(select(func.count()).select_from(generated.subquery()))
    unsigned = select(Lead.id).where(Lead.id.in_(generated), Lead.stage == "signed").where(
        ~select(Signing.id).where(Signing.lead_id == Lead.id, Signing.kind == "contract").exists())
    assert session.execute(unsigned).first() is None
    converted = session.execute(select(Project.lead_id, Project.signing_id).where(Project.lead_id.is_not(None),
                                                                                  Project.batch_id.is_not(None))).all()
    assert len(converted) >= 10 and all(signing for _lead, signing in converted)

    statuses = set(session.scalars(select(Problem.status)))
    assert statuses == {"raised", "assigned", "handling", "answered", "closed"}
    assert session.scalar(select(func.count()).select_from(Problem).where(
        Problem.status != "closed", Problem.deadline < AS_OF)) > 0
    reviews = set(session.scalars(select(ProjectStageChange.review_status).where(
        ProjectStageChange.to_stage == "started")))
    assert {"confirmed", "pending"} <= reviews
    # A reviewed move names its evidence: a file attached to its project.
    reviewed = session.execute(select(ProjectStageChange.project_id, ProjectStageChange.evidence).where(
        ProjectStageChange.review_status.is_not(None))).all()
    files = {a.id: a for a in session.scalars(select(Attachment).where(Attachment.entity_type == "project"))}
    assert reviewed and all(ev and files[ev[0]].entity_id == pid for pid, ev in reviewed)
    assert path_of(files[reviewed[0][1][0]]).read_bytes().startswith(b"%PDF-1.4")
    latest = session.scalar(select(func.max(ProjectStageChange.effective_on)))
    assert latest <= AS_OF  # nothing happens after the launch
    batches = session.scalars(select(AuditRecord.entity_type).where(
        AuditRecord.action == "bulk_create", AuditRecord.batch_id == batch_id(YEAR, 1))).all()
    assert {"project", "project_year", "project_stage_change", "project_month", "lead", "company", "interaction",
            "signing", "problem", "attachment"} <= set(batches)
