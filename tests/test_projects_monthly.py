"""Monthly figures: the unit's grid (one transaction, per-cell errors with the input kept, scope), 1–N月累计
and 占年计划% on a hand-computed fixture, corrections audited with before/after, photos as attachments, 入统."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.core.errors import DomainError
from crm.models import Attachment, AuditRecord, ProjectMonth
from crm.projects import monthly, plans
from crm.security.scope import scope_for
from tests.conftest import csrf_token
from tests.test_projects_services import new_project, pworld  # noqa: F401 - the shared fixture

SPLIT = {str(m): "100" for m in range(1, 13)}  # 1200 planned, 100 a month


@pytest.fixture
def mworld(db, pworld):  # noqa: F811
    a1 = new_project(db, pworld, name="甲县月报项目一")
    a2 = new_project(db, pworld, name="甲县月报项目二")
    b1 = new_project(db, pworld, who="b", unit="b", name="乙县月报项目")
    for project, who in ((a1, "a"), (a2, "a"), (b1, "b")):
        plans.set_year(db.session, pworld["users"][who], project, 2026,
                       {"plan_list": "new", "planned_investment": "1200", "monthly_plan": SPLIT})
    db.session.commit()
    return {**pworld, "a1": a1, "a2": a2, "b1": b1}


def _scope(db, user):
    return scope_for(db.session, user)


def test_cumulative_and_percent_on_a_hand_computed_fixture(db, mworld):
    user = mworld["users"]["a"]
    scope = _scope(db, user)
    for month, a1, a2 in ((1, "100", "50"), (2, "200.5", None), (3, "300", "25.25")):
        rows = {mworld["a1"].id: {"completed": a1}, mworld["a2"].id: {"completed": a2 or ""}}
        monthly.save_grid(db.session, user, scope, 2026, month, rows)
    db.session.commit()
    ids = [mworld["a1"].id, mworld["a2"].id, mworld["b1"].id]
    # a1: 100 + 200.5 = 300.5 through February, 600.5 through March; a2: 50, then 75.25
    assert monthly.completed(db.session, ids, 2026, 2) == {ids[0]: Decimal("300.50"), ids[1]: Decimal("50.00"),
                                                           ids[2]: Decimal("0.00")}
    assert monthly.completed(db.session, ids, 2026, 3)[ids[0]] == Decimal("600.50")
    assert monthly.completed(db.session, scope, 2026, 3) == {ids[0]: Decimal("600.50"), ids[1]: Decimal("75.25")}
    # 600.5 / 1200 = 50.0416… % → 50.04; 75.25 / 1200 = 6.2708… % → 6.27
    table = monthly.year_table(db.session, ids[0], 2026)
    assert table[2]["cumulative"] == Decimal("600.50") and table[2]["percent"] == Decimal("50.04")
    assert monthly.percent(Decimal("75.25"), Decimal("1200")) == Decimal("6.27")
    assert monthly.percent(Decimal("1"), None) is None and monthly.percent(Decimal("1"), Decimal("0")) is None
    membership = mworld["a1"].id and db.session.scalar(select(plans.ProjectYear).where(
        plans.ProjectYear.project_id == ids[0], plans.ProjectYear.year == 2026))
    assert monthly.plan_through(membership, 3) == Decimal("300.00")  # 序时计划 through March
    assert monthly.plan_through(None, 3) is None


def test_grid_saves_in_one_transaction_and_refuses_bad_cells(db, mworld):
    user = mworld["users"]["a"]
    scope = _scope(db, user)
    a1, a2 = mworld["a1"].id, mworld["a2"].id
    with pytest.raises(monthly.GridErrors) as err:
        monthly.save_grid(db.session, user, scope, 2026, 4, {
            a1: {"completed": "120", "funds_loan": "30"},
            a2: {"completed": "-5", "funds_own": "abc", "funds_bond": "99999999", "stats_status": "entered"}})
    db.session.rollback()
    assert set(err.value.errors) == {(a2, "completed"), (a2, "funds_own"), (a2, "funds_bond"), (a2, "stats_on")}
    assert db.session.scalar(select(func.count()).select_from(ProjectMonth)) == 0  # a1's good row not saved
    changed = monthly.save_grid(db.session, user, scope, 2026, 4, {
        a1: {"completed": "1,20", "funds_loan": "30", "stats_status": "entered", "stats_on": "2026-04-20",
             "progress": "主体结构封顶"}, a2: {}})
    db.session.commit()
    assert changed == 1
    row = db.session.scalar(select(ProjectMonth).where(ProjectMonth.project_id == a1))
    assert row.completed == Decimal("120.00") and row.funds_loan == Decimal("30.00") and row.funds_own is None
    assert row.stats_status == "entered" and row.stats_on == dt.date(2026, 4, 20) and row.progress == "主体结构封顶"
    assert db.session.scalar(select(func.count()).select_from(ProjectMonth)) == 1  # an empty row is not made
    with pytest.raises(DomainError):
        monthly.save_grid(db.session, user, scope, 2026, 13, {a1: {"completed": "1"}})


def test_scope_keeps_another_units_project_out(db, mworld):
    user = mworld["users"]["a"]
    scope = _scope(db, user)
    names = [p.name for p, _m in monthly.grid_projects(db.session, scope, 2026, scope.unit_ids)]
    assert names == ["甲县月报项目一", "甲县月报项目二"]
    with pytest.raises(DomainError):
        monthly.save_grid(db.session, user, scope, 2026, 4, {mworld["b1"].id: {"completed": "5"}}, scope.unit_ids)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ProjectMonth)) == 0


def test_a_correction_is_audited_before_and_after(client, db, mworld, login):
    user = mworld["users"]["a"]
    a1 = mworld["a1"].id
    monthly.save_grid(db.session, user, _scope(db, user), 2026, 5, {a1: {"completed": "80"}})
    db.session.commit()
    monthly.save_grid(db.session, user, _scope(db, user), 2026, 5,
                      {a1: {"completed": "85.5", "stats_status": "pending"}})
    db.session.commit()
    event = db.session.scalar(select(AuditRecord).where(AuditRecord.entity_type == "project",
                                                        AuditRecord.entity_id == a1,
                                                        AuditRecord.field == "2026-05 completed"))
    assert event.old == "80.00" and event.new == "85.50"
    row = db.session.scalar(select(ProjectMonth).where(ProjectMonth.project_id == a1))
    assert db.session.scalar(select(AuditRecord.id).where(AuditRecord.entity_type == "project_month",
                                                          AuditRecord.entity_id == row.id,
                                                          AuditRecord.action == "update",
                                                          AuditRecord.field == "completed"))
    login(user)
    html = client.get(f"/projects/{a1}").get_data(as_text=True)
    assert "2026-05 completed" in html and "85.50" in html and 'data-testid="monthly-table"' in html


def test_grid_page_posts_keeps_input_on_errors_and_refuses_other_units(client, db, mworld, login):
    a1, a2, b1 = mworld["a1"].id, mworld["a2"].id, mworld["b1"].id
    login(mworld["users"]["a"])
    page = client.get("/projects/monthly?year=2026&month=3").get_data(as_text=True)
    assert "甲县月报项目一" in page and "乙县月报项目" not in page
    token = csrf_token(page)
    data = {"csrf_token": token, "project": [a1, a2], f"c-{a1}-completed": "60", f"c-{a2}-completed": "十万",
            f"c-{a2}-progress": "土方开挖"}
    response = client.post("/projects/monthly?year=2026&month=3", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'data-testid="err-{a2}-completed"' in html and f'data-testid="err-{a1}-completed"' not in html
    assert 'value="十万"' in html and 'value="土方开挖"' in html and 'value="60"' in html
    assert db.session.scalar(select(func.count()).select_from(ProjectMonth)) == 0
    data[f"c-{a2}-completed"] = "40"
    response = client.post("/projects/monthly?year=2026&month=3", data=data)
    assert response.status_code == 302
    html = client.get("/projects/monthly?year=2026&month=3").get_data(as_text=True)
    assert f'data-testid="cum-{a1}">60.00<' in html and f'data-testid="pct-{a1}">5.00%<' in html
    forged = {"csrf_token": token, "project": [b1], f"c-{b1}-completed": "1"}
    assert client.post("/projects/monthly?year=2026&month=3", data=forged).status_code == 404
    assert db.session.scalar(select(ProjectMonth.id).where(ProjectMonth.project_id == b1)) is None
    assert client.get(f"/projects/{b1}/monthly/2026/3").status_code == 404
    assert client.get("/projects/monthly?month=13").status_code == 400
    assert 'data-testid="to-monthly"' in client.get("/projects/").get_data(as_text=True)
    assert client.get(f"/projects/monthly?unit_id={mworld['units']['b'].id}").status_code == 404


def _seen(html: str, project_id: int) -> str:
    return re.search(rf'name="seen-{project_id}" value="([^"]*)"', html).group(1)


def test_a_row_saved_by_someone_else_meanwhile_is_not_overwritten(client, db, mworld, login):
    a1, a2 = mworld["a1"].id, mworld["a2"].id
    login(mworld["users"]["a"])
    page = client.get("/projects/monthly?year=2026&month=4").get_data(as_text=True)
    assert _seen(page, a1) == "new"
    # A colleague saves a1's April while this grid is open.
    monthly.save_grid(db.session, mworld["users"]["a"], _scope(db, mworld["users"]["a"]), 2026, 4,
                      {a1: {"completed": "70"}}, seen={a1: "new"})
    db.session.commit()
    data = {"csrf_token": csrf_token(page), "project": [a1, a2], f"seen-{a1}": "new", f"seen-{a2}": "new",
            f"c-{a1}-completed": "65", f"c-{a2}-completed": "30"}
    response = client.post("/projects/monthly?year=2026&month=4", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'data-testid="err-{a1}-row"' in html
    assert f'data-testid="err-{a2}-row"' not in html and 'value="65"' in html
    # Nothing was written: the colleague's 70 stands and a2 has no row (all or nothing).
    assert db.session.scalar(select(ProjectMonth.completed).where(ProjectMonth.project_id == a1)) == Decimal("70")
    assert db.session.scalar(select(ProjectMonth.id).where(ProjectMonth.project_id == a2)) is None
    # The refused page now carries the current token for a1: saving again is a deliberate overwrite.
    assert _seen(html, a1) != "new" and _seen(html, a2) == "new"
    data[f"seen-{a1}"] = _seen(html, a1)
    assert client.post("/projects/monthly?year=2026&month=4", data=data).status_code == 302
    assert db.session.scalar(select(ProjectMonth.completed).where(ProjectMonth.project_id == a1)) == Decimal("65")
    # Submitting exactly the saved figures with an old token is no conflict.
    data[f"seen-{a1}"] = "new"
    assert client.post("/projects/monthly?year=2026&month=4", data=data).status_code == 302


def test_the_grid_pages_and_a_page_saves_its_own_rows(client, db, mworld, login):
    user = mworld["users"]["a"]
    extra = []
    for i in range(40):  # 42 plan projects in unit a with a1 and a2: a second page of 2
        project = new_project(db, mworld, name=f"甲县分页项目{i:02d}")
        plans.set_year(db.session, user, project, 2026, {"plan_list": "continuing"})
        extra.append(project.id)
    db.session.commit()
    login(user)
    first = client.get("/projects/monthly?year=2026&month=4").get_data(as_text=True)
    assert first.count('name="project"') == 40 and "1 / 2" in first
    second = client.get("/projects/monthly?year=2026&month=4&page=2").get_data(as_text=True)
    ids = [int(v) for v in re.findall(r'name="project" value="(\d+)"', second)]
    # Names sort 甲县分页项目00…39 before 甲县月报项目一/二: the last page holds a1 and a2.
    assert sorted(ids) == sorted([mworld["a1"].id, mworld["a2"].id])
    data = {"csrf_token": csrf_token(second), "project": ids, **{f"c-{i}-completed": "5" for i in ids}}
    response = client.post("/projects/monthly?year=2026&month=4&page=2", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("page=2")
    assert db.session.scalar(select(func.count()).select_from(ProjectMonth).where(ProjectMonth.month == 4)) == 2
    assert client.get("/projects/monthly?year=2026&month=4&page=0").status_code == 400


def test_reading_needs_view_and_entering_needs_edit(client, db, mworld, make_user, login):
    login(mworld["users"]["leader"])  # city leader: reads every unit's grid, may not enter
    html = client.get(f"/projects/monthly?year=2026&month=3&unit_id={mworld['units']['b'].id}").get_data(as_text=True)
    assert "乙县月报项目" in html and "甲县月报项目一" not in html and 'data-testid="grid-save"' not in html
    token = csrf_token(html)
    response = client.post("/projects/monthly?year=2026&month=3",
                           data={"csrf_token": token, "project": [mworld["b1"].id]})
    assert response.status_code == 403


def test_photo_upload_from_a_phone_and_stats_status(client, db, mworld, login):
    a1 = mworld["a1"].id
    login(mworld["users"]["a"])
    page = client.get(f"/projects/{a1}/monthly/2026/6").get_data(as_text=True)
    assert 'accept="image/*"' in page and "capture=" in page
    response = client.post(f"/projects/{a1}/monthly/2026/6/photo", content_type="multipart/form-data",
                           data={"csrf_token": csrf_token(page), "file": (io.BytesIO(b"\xff\xd8\xff photo"), "工地.jpg")})
    assert response.status_code == 302
    row = db.session.scalar(select(ProjectMonth).where(ProjectMonth.project_id == a1, ProjectMonth.month == 6))
    photo = db.session.scalar(select(Attachment).where(Attachment.entity_type == "project_month",
                                                       Attachment.entity_id == row.id))
    assert photo.filename == "工地.jpg"
    assert client.get(f"/attachments/{photo.id}").status_code == 200
    login(mworld["users"]["b"])
    assert client.get(f"/attachments/{photo.id}").status_code == 404
    user = mworld["users"]["a"]
    monthly.save_grid(db.session, user, _scope(db, user), 2026, 6,
                      {a1: {"stats_status": "entered", "stats_on": "2026-06-30", "completed": "10"}})
    db.session.commit()
    login(user)
    html = client.get(f"/projects/{a1}/monthly/2026/6").get_data(as_text=True)
    assert 'data-testid="photo-' in html and "2026-06-30" in html
    assert db.session.get(ProjectMonth, row.id).stats_status == "entered"


def test_month_rows_follow_the_projects_visibility(db, mworld):
    for who, project in (("a", "a1"), ("b", "b1")):
        user = mworld["users"][who]
        monthly.save_grid(db.session, user, _scope(db, user), 2026, 2,
                          {mworld[project].id: {"completed": "7", "funds_own": "3", "funds_bond": "2"}})
    db.session.commit()

    def seen(who):
        scope = _scope(db, mworld["users"][who])
        return set(db.session.scalars(select(ProjectMonth.project_id).where(scope.condition(ProjectMonth))))
    assert seen("a") == {mworld["a1"].id} and seen("b") == {mworld["b1"].id}
    assert seen("leader") == {mworld["a1"].id, mworld["b1"].id}
    feb = monthly.year_table(db.session, mworld["b1"].id, 2026)[1]
    assert feb["funds"] == Decimal("5.00") and feb["cumulative"] == Decimal("7.00")
