"""Reporting rounds (报送): 草稿 → 已报 → 退回 / 已审 → 锁定, the grid read-only once sent, the 催报 list, and
corrections after the lock that apply only when approved — audited, on both databases."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.core.errors import DomainError
from crm.models import AuditRecord, Notification, ProjectMonth
from crm.models.reporting import ReportCorrection, ReportingRound
from crm.projects import monthly, plans
from crm.reporting import corrections, overview, rounds
from crm.security.scope import scope_for
from tests.conftest import csrf_token
from tests.test_projects_services import new_project, pworld  # noqa: F401 - the shared fixture

TODAY = dt.date(2026, 5, 3)


@pytest.fixture
def rworld(db, pworld):  # noqa: F811
    a1 = new_project(db, pworld, name="甲县报送项目一")
    a2 = new_project(db, pworld, name="甲县报送项目二")
    b1 = new_project(db, pworld, who="b", unit="b", name="乙县报送项目")
    for project, who in ((a1, "a"), (a2, "a"), (b1, "b")):
        plans.set_year(db.session, pworld["users"][who], project, 2026,
                       {"plan_list": "new", "planned_investment": "1200"})
    db.session.commit()
    return {**pworld, "a1": a1, "a2": a2, "b1": b1}


def _fill(db, user, rows, month=4):
    monthly.save_grid(db.session, user, scope_for(db.session, user), 2026, month, rows)
    db.session.commit()


def test_send_needs_every_project_filled_then_the_grid_is_read_only(db, rworld):
    a, unit = rworld["users"]["a"], rworld["units"]["a"].id
    a1, a2 = rworld["a1"].id, rworld["a2"].id
    _fill(db, a, {a1: {"completed": "100"}})
    with pytest.raises(DomainError) as err:
        rounds.submit(db.session, a, unit, 2026, 4, today=TODAY)
    assert "甲县报送项目二" in str(err.value.message) and "1" in str(err.value.message)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ReportingRound)) == 0
    _fill(db, a, {a2: {"completed": "0"}})  # 0 is a figure: nothing done this month
    found = rounds.submit(db.session, a, unit, 2026, 4, today=TODAY)
    db.session.commit()
    assert found.status == "submitted" and found.submitted_by == a.id
    with pytest.raises(monthly.GridErrors) as err:
        _fill(db, a, {a1: {"completed": "150"}})
    db.session.rollback()
    assert (a1, "row") in err.value.errors
    assert db.session.scalar(select(ProjectMonth.completed).where(ProjectMonth.project_id == a1)) == Decimal("100")
    # Another unit's month is not affected, and neither is the next month.
    _fill(db, rworld["users"]["b"], {rworld["b1"].id: {"completed": "5"}})
    _fill(db, a, {a1: {"completed": "7"}}, month=5)
    with pytest.raises(DomainError):  # sent already
        rounds.submit(db.session, a, unit, 2026, 4, today=TODAY)
    with pytest.raises(DomainError):  # a month not yet begun
        rounds.submit(db.session, a, unit, 2026, 6, today=TODAY)
    with pytest.raises(DomainError):  # another unit's report
        rounds.submit(db.session, rworld["users"]["b"], unit, 2026, 4, today=TODAY)


def test_review_return_resend_approve_lock_and_the_audit_trail(db, rworld):
    a, leader, unit = rworld["users"]["a"], rworld["users"]["leader"], rworld["units"]["a"].id
    _fill(db, a, {rworld["a1"].id: {"completed": "10"}, rworld["a2"].id: {"completed": "20"}})
    found = rounds.submit(db.session, a, unit, 2026, 4, today=TODAY)
    db.session.commit()
    with pytest.raises(DomainError):  # an officer is no reviewer
        rounds.approve(db.session, a, found)
    with pytest.raises(DomainError):  # a reason is needed
        rounds.return_round(db.session, leader, found, "  ")
    with pytest.raises(DomainError):  # only an approved round locks
        rounds.lock(db.session, leader, found)
    rounds.return_round(db.session, leader, found, "项目二本月数据偏低，请核实")
    db.session.commit()
    assert found.status == "returned" and found.return_reason == "项目二本月数据偏低，请核实"
    assert db.session.scalar(select(Notification.user_id).where(Notification.kind == "report_returned")) == a.id
    _fill(db, a, {rworld["a2"].id: {"completed": "25"}})  # returned: editable again
    rounds.submit(db.session, a, unit, 2026, 4, today=TODAY)
    stale = found.version_id
    rounds.approve(db.session, leader, found)
    with pytest.raises(DomainError):
        rounds.lock(db.session, leader, found, expected_version=stale)
    rounds.lock(db.session, leader, found)
    db.session.commit()
    steps = list(db.session.scalars(select(AuditRecord.field).where(
        AuditRecord.entity_type == "reporting_round", AuditRecord.entity_id == found.id,
        AuditRecord.action == "state").order_by(AuditRecord.id)))
    assert steps == ["submitted", "returned", "submitted", "approved", "locked"]
    assert rounds.edit_guard(db.session, [rworld["a1"].id, rworld["b1"].id], 2026, 4).keys() == {rworld["a1"].id}


def test_a_correction_after_the_lock_applies_only_when_approved(db, rworld):
    a, leader, unit = rworld["users"]["a"], rworld["users"]["leader"], rworld["units"]["a"].id
    a1 = rworld["a1"]
    _fill(db, a, {a1.id: {"completed": "10"}, rworld["a2"].id: {"completed": "20"}})
    found = rounds.submit(db.session, a, unit, 2026, 4, today=TODAY)
    rounds.approve(db.session, leader, found)
    with pytest.raises(DomainError):  # not locked yet: the grid is the way (once returned)
        corrections.request_correction(db.session, a, a1, 2026, 4, {"completed": "12"}, "补报")
    rounds.lock(db.session, leader, found)
    db.session.commit()
    with pytest.raises(monthly.GridErrors):
        corrections.request_correction(db.session, a, a1, 2026, 4, {"completed": "十二"}, "补报")
    with pytest.raises(DomainError):
        corrections.request_correction(db.session, a, a1, 2026, 4, {"completed": "12"}, "")
    first = corrections.request_correction(db.session, a, a1, 2026, 4, {"completed": "12", "progress": "主体封顶"},
                                           "漏报设备款")
    db.session.commit()
    with pytest.raises(DomainError):  # one pending correction per project and month
        corrections.request_correction(db.session, a, a1, 2026, 4, {"completed": "13"}, "again")
    assert db.session.scalar(select(ProjectMonth.completed).where(ProjectMonth.project_id == a1.id)) == Decimal("10")
    with pytest.raises(DomainError):
        corrections.decide(db.session, a, first, True)
    with pytest.raises(DomainError):  # a rejection says why
        corrections.decide(db.session, leader, first, False)
    corrections.decide(db.session, leader, first, True)
    db.session.commit()
    row = db.session.scalar(select(ProjectMonth).where(ProjectMonth.project_id == a1.id))
    assert row.completed == Decimal("12") and row.progress == "主体封顶"
    assert found.status == "locked"  # the lock stays
    change = db.session.scalar(select(AuditRecord).where(AuditRecord.entity_type == "project",
                                                         AuditRecord.entity_id == a1.id,
                                                         AuditRecord.field == "2026-04 completed"))
    assert (change.old, change.new) == ("10.00", "12.00") and change.user_id == leader.id
    second = corrections.request_correction(db.session, a, a1, 2026, 4, {"completed": "99"}, "误")
    corrections.decide(db.session, leader, second, False, "无依据")
    db.session.commit()
    assert db.session.scalar(select(ProjectMonth.completed).where(ProjectMonth.project_id == a1.id)) == Decimal("12")
    assert [c.status for c in corrections.pending_for(db.session, [found.id])] == ["rejected", "approved"]


def test_chase_list_shows_late_and_incomplete_units(db, rworld):
    a = rworld["users"]["a"]
    _fill(db, a, {rworld["a1"].id: {"completed": "1"}})  # a: 1 of 2 filled; b: none
    rows = overview.overview(db.session, 2026, 4, dt.date(2026, 5, 5))  # the due day: not late yet
    by_unit = {r.unit_id: r for r in rows}
    ua, ub = rworld["units"]["a"].id, rworld["units"]["b"].id
    assert (by_unit[ua].projects, by_unit[ua].filled, by_unit[ub].filled) == (2, 1, 0)
    assert not by_unit[ua].late and by_unit[ua].incomplete
    late = {r.unit_id: r for r in overview.overview(db.session, 2026, 4, dt.date(2026, 5, 6))}
    assert late[ua].late and late[ub].late
    _fill(db, a, {rworld["a2"].id: {"completed": "2"}})
    rounds.submit(db.session, a, ua, 2026, 4, today=dt.date(2026, 5, 6))
    db.session.commit()
    chase = overview.chase_list(overview.overview(db.session, 2026, 4, dt.date(2026, 5, 6)))
    assert [r.unit_id for r in chase] == [ub]
    assert rounds.due_date(db.session, 2026, 12) == dt.date(2027, 1, 5)


def test_pages_send_review_and_scope(client, db, rworld, login):
    a, unit = rworld["users"]["a"], rworld["units"]["a"]
    _fill(db, a, {rworld["a1"].id: {"completed": "1"}, rworld["a2"].id: {"completed": "2"}})
    login(a)
    page = client.get("/reporting/?year=2026&month=4").get_data(as_text=True)
    assert f'data-testid="round-unit-{unit.id}"' in page and "乙县" not in page
    response = client.post(f"/reporting/send/{unit.id}/2026/4", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    found = db.session.scalar(select(ReportingRound).where(ReportingRound.unit_id == unit.id))
    assert found.status == "submitted"
    grid = client.get("/projects/monthly?year=2026&month=4").get_data(as_text=True)
    assert f'data-testid="closed-{rworld["a1"].id}"' in grid and f'name="c-{rworld["a1"].id}-completed"' in grid
    assert client.post(f"/reporting/round/{found.id}/approve", data={"csrf_token": csrf_token(page)}).status_code == 403
    assert client.get("/reporting/?month=13").status_code == 400
    b_round = ReportingRound(unit_id=rworld["units"]["b"].id, year=2026, month=4, status="submitted")
    db.session.add(b_round)
    db.session.commit()
    assert client.get(f"/reporting/round/{b_round.id}").status_code == 404
    login(rworld["users"]["leader"])
    page = client.get(f"/reporting/round/{found.id}").get_data(as_text=True)
    assert 'data-testid="approve-form"' in page
    token = csrf_token(page)
    status = select(ReportingRound.status).where(ReportingRound.id == found.id)
    client.post(f"/reporting/round/{found.id}/return", data={"csrf_token": token, "reason": ""})
    assert db.session.scalar(status) == "submitted"  # refused: no reason, nothing changed
    version = db.session.scalar(select(ReportingRound.version_id).where(ReportingRound.id == found.id))
    client.post(f"/reporting/round/{found.id}/approve", data={"csrf_token": token, "version_id": str(version - 1)})
    assert db.session.scalar(status) == "submitted"  # a stale page's approval is refused
    client.post(f"/reporting/round/{found.id}/approve", data={"csrf_token": token, "version_id": str(version)})
    client.post(f"/reporting/round/{found.id}/lock", data={"csrf_token": token})
    assert db.session.scalar(status) == "locked"
    login(a)
    form = client.get(f"/reporting/correction/{rworld['a1'].id}/2026/4").get_data(as_text=True)
    bad = client.post(f"/reporting/correction/{rworld['a1'].id}/2026/4",
                      data={"csrf_token": csrf_token(form), "completed": "1.2亿x", "reason": "补"})
    assert bad.status_code == 422 and 'value="1.2亿x"' in bad.get_data(as_text=True)
    ok = client.post(f"/reporting/correction/{rworld['a1'].id}/2026/4",
                     data={"csrf_token": csrf_token(form), "completed": "3", "stats_status": "none", "reason": "补"})
    assert ok.status_code == 302
    assert db.session.scalar(select(ReportCorrection.status)) == "pending"
    assert client.get(f"/reporting/correction/{rworld['b1'].id}/2026/4").status_code == 404
