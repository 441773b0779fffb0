"""Monthly close (封账) on the hand-computed KPI plan (tests/kpi_world.py), both databases: the closed period
answers the same figures as the live service at the month's end, they do not drift when figures change
afterwards, 环比 and 同比 come from closed periods, and the reviewer's close locks approved rounds."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.core.errors import DomainError
from crm.kpis import service, snapshots
from crm.kpis.results import INDICATORS
from crm.models import AuditRecord, ProjectSnapshot, ProjectStageChange
from crm.models.monthly import ProjectMonth
from crm.models.reporting import ReportingRound
from crm.reporting import closing
from tests import kpi_world
from tests.conftest import csrf_token

MARCH, APRIL = dt.date(2022, 3, 31), dt.date(2022, 4, 30)


@pytest.fixture
def world(db, make_unit, make_user):
    return kpi_world.build(db, make_unit, make_user)


def _values(report):
    return {k: (report[k].dispatch.value, report[k].confirmed.value,
                report[k].dispatch.numerator, report[k].dispatch.denominator) for k in INDICATORS}


def test_a_closed_month_answers_the_live_figures_and_does_not_drift(db, world):
    admin, units = world["users"]["admin"], world["units"]
    live = {u: _values(service.kpis(db.session, 2022, None, u, MARCH)) for u in (None, units["a"].id, units["b"].id)}
    live_new = _values(service.kpis(db.session, 2022, "new", units["a"].id, MARCH))
    close = snapshots.take(db.session, admin, 2022, 3)
    db.session.commit()
    assert close.as_of == MARCH
    for unit, expected in live.items():
        assert _values(snapshots.closed_kpis(db.session, close, None, unit)) == expected
    assert _values(snapshots.closed_kpis(db.session, close, "new", units["a"].id)) == live_new
    # The hand-computed figures of tests/test_kpis.py: 新开工率 2/5 = 40.00% (调度), 20.00% confirmed.
    frozen = snapshots.closed_kpis(db.session, close)
    assert (frozen["new_start_rate"].dispatch.value, frozen["new_start_rate"].confirmed.value) == (
        Decimal("40.00"), Decimal("20.00"))
    # A correction after the close: C3's January zero becomes 50 and N2's pending 开工 is confirmed.
    c3, n2 = world["p"]["C3"], world["p"]["N2"]
    db.session.execute(ProjectMonth.__table__.update().where(
        (ProjectMonth.project_id == c3.id) & (ProjectMonth.month == 1)).values(completed=Decimal("50")))
    db.session.execute(ProjectStageChange.__table__.update().where(
        (ProjectStageChange.project_id == n2.id) & (ProjectStageChange.to_stage == "started"))
        .values(review_status="confirmed"))
    db.session.commit()
    moved = service.kpis(db.session, 2022, None, None, MARCH)
    assert moved["resume_rate"].dispatch.value == Decimal("75.00")  # C1, C2, C3 of 4
    assert moved["new_start_rate"].confirmed.value == Decimal("40.00")  # N1, N2 of 5
    again = snapshots.closed_kpis(db.session, close)
    assert _values(again) == live[None]  # the closed period still says what it said
    assert again["resume_rate"].dispatch.value == Decimal("50.00")
    by_unit = snapshots.closed_kpis_by_unit(db.session, close, [units["a"].id, units["b"].id])
    assert by_unit[units["b"].id]["resume_rate"].dispatch.value == live[units["b"].id]["resume_rate"][0]
    with pytest.raises(DomainError):
        snapshots.take(db.session, admin, 2022, 3)


def test_project_snapshot_rows_hold_the_months_figures(db, world):
    close = snapshots.take(db.session, world["users"]["admin"], 2022, 3)
    db.session.commit()
    rows = {r.project_id: r for r in db.session.scalars(select(ProjectSnapshot).where(
        ProjectSnapshot.close_id == close.id))}
    assert len(rows) == 10  # N1..N5, C1..C4, P1: the 2022 plan
    c1, c2, c4 = (rows[world["p"][k].id] for k in ("C1", "C2", "C4"))
    assert (c1.completed_ytd, c1.completed_month, c1.resumed) == (Decimal("120.00"), None, True)
    assert (c2.completed_month, c2.completed_ytd, c2.started_confirmed_on) == (Decimal("60.00"), Decimal("60.00"), None)
    assert c4.completed_ytd is None and not c4.resumed  # April's 80 is after the close
    n1 = rows[world["p"]["N1"].id]
    assert (n1.plan_list, n1.started_on, n1.started_confirmed_on) == ("new", dt.date(2022, 3, 10),
                                                                      dt.date(2022, 3, 10))
    assert db.session.scalar(select(AuditRecord.new).where(AuditRecord.entity_type == "period_close")) == "2022-03 · 10"


def test_month_on_month_and_year_on_year_come_from_closed_periods(db, world):
    admin = world["users"]["admin"]
    march = snapshots.take(db.session, admin, 2022, 3)
    april = snapshots.take(db.session, admin, 2022, 4)
    db.session.commit()
    change = snapshots.compare(db.session, april)
    # 新开工率 40.00% at March's end; by April's end N3 (4-15, confirmed) has started too: 3/5 = 60.00%.
    assert change["new_start_rate"]["value"] == Decimal("60.00")
    assert change["new_start_rate"]["mom"] == Decimal("20.00")
    # 复工率: C4's 80 in April resumes it: 3/4 = 75.00% against 50.00% in March.
    assert change["resume_rate"]["mom"] == Decimal("25.00")
    assert change["new_start_rate"]["yoy"] is None  # April 2021 was never closed
    assert snapshots.compare(db.session, march)["new_start_rate"]["mom"] is None  # February was not closed
    assert [p.month for p in snapshots.periods(db.session, 2022)] == [4, 3]


def test_the_reviewer_closes_locking_approved_rounds_and_waiting_reports_block(client, db, world, login):
    admin, units = world["users"]["admin"], world["units"]
    waiting = ReportingRound(unit_id=units["b"].id, year=2022, month=3, status="submitted")
    approved = ReportingRound(unit_id=units["a"].id, year=2022, month=3, status="approved")
    db.session.add_all([waiting, approved])
    db.session.commit()
    with pytest.raises(DomainError) as err:
        closing.close_month(db.session, admin, 2022, 3, today=dt.date(2022, 4, 2))
    assert "指标乙县" in str(err.value.message)
    db.session.rollback()
    with pytest.raises(DomainError):  # not ended yet
        closing.close_month(db.session, admin, 2022, 4, today=dt.date(2022, 4, 30))
    with pytest.raises(DomainError):  # an officer is no reviewer
        closing.close_month(db.session, world["users"]["a"], 2022, 2, today=dt.date(2022, 4, 2))
    db.session.execute(ReportingRound.__table__.update().where(ReportingRound.id == waiting.id)
                       .values(status="returned"))
    db.session.commit()
    login(admin)
    page = client.get("/reporting/?year=2022&month=3").get_data(as_text=True)
    assert 'data-testid="close-form"' in page
    response = client.post("/reporting/close/2022/3", data={"csrf_token": csrf_token(page), "note": "一季度"})
    assert response.status_code == 302
    assert db.session.scalar(select(ReportingRound.status).where(ReportingRound.id == approved.id)) == "locked"
    assert db.session.scalar(select(func.count()).select_from(ProjectSnapshot)) == 10
    page = client.get("/reporting/?year=2022&month=3").get_data(as_text=True)
    assert 'data-testid="period-closed"' in page and 'data-testid="close-form"' not in page
    # Closing twice is refused and changes nothing.
    client.post("/reporting/close/2022/3", data={"csrf_token": csrf_token(page)})
    assert db.session.scalar(select(func.count()).select_from(ProjectSnapshot)) == 10
    login(world["users"]["a"])
    token = csrf_token(client.get("/reporting/?year=2022&month=4").get_data(as_text=True))
    assert client.post("/reporting/close/2022/4", data={"csrf_token": token}).status_code == 403
