"""The 报送 round trip: a unit downloads its month as the 月报, fills it in with openpyxl (as Excel or WPS
would), imports it back through the file core (dry run, then one transaction that saves and sends), and
every refusal — another unit's project, an id/code mismatch, a bad amount, a locked round, another month,
another ledger — leaves nothing written. On both databases."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.packaging.custom import CustomPropertyList
from sqlalchemy import select

from crm.core.errors import DomainError
from crm.imports import services
from crm.ledgers import service as ledgers
from crm.ledgers.fields import Context
from crm.models import AuditRecord, ImportRow, ProjectMonth
from crm.projects import monthly, plans
from crm.reporting import importing, roundtrip, rounds
from crm.security.scope import scope_for
from tests.conftest import csrf_token
from tests.test_projects_services import new_project, pworld  # noqa: F401 - the shared fixture

TODAY = dt.date(2026, 5, 3)
CODES = ("2026-141002-44-01-000201", "2026-141002-44-01-000202", "2026-141002-44-01-000203",
         "2026-141002-44-01-000301")


@pytest.fixture
def tworld(db, pworld):  # noqa: F811
    a1 = new_project(db, pworld, name="甲县回传项目一", code=CODES[0])
    a2 = new_project(db, pworld, name="甲县回传项目二", code=CODES[1], category="infrastructure")
    a3 = new_project(db, pworld, name="甲县回传项目三", code=CODES[2])
    b1 = new_project(db, pworld, who="b", unit="b", name="乙县回传项目", code=CODES[3])
    for project, who in ((a1, "a"), (a2, "a"), (a3, "a"), (b1, "b")):
        plans.set_year(db.session, pworld["users"][who], project, 2026,
                       {"plan_list": "new", "planned_investment": "20000"})
    a = pworld["users"]["a"]
    monthly.save_grid(db.session, a, scope_for(db.session, a), 2026, 4,
                      {a1.id: {"completed": "100", "progress": "基础施工", "funds_loan": "50"}})
    db.session.commit()
    return {**pworld, "a1": a1, "a2": a2, "a3": a3, "b1": b1}


def download(db, world, who="a", unit="a", month=4) -> bytes:
    user = world["users"][who]
    buffer = io.BytesIO()
    roundtrip.fill_download(db.session, scope_for(db.session, user), world["units"][unit], 2026, month, TODAY,
                            buffer)
    return buffer.getvalue()


def key_columns(ws) -> dict[str, int]:
    return {ws.cell(5, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(5, c).value}


def fill(data: bytes, changes: dict[int, dict[str, object]], *, drop_properties=False) -> bytes:
    """Type into the downloaded file like a user: by project id, by column key."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    cols = key_columns(ws)
    rows = {ws.cell(r, cols["project_id"]).value: r for r in range(6, ws.max_row + 1)}
    for pid, values in changes.items():
        for key, value in values.items():
            ws.cell(rows[pid], cols[key]).value = value
    if drop_properties:
        book.custom_doc_props = CustomPropertyList()
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def staged(db, world, data: bytes, who="a", unit="a", month=4):
    user = world["users"][who]
    batch = services.create_batch(db.session, user, "monthly_report", "月报.xlsx", data,
                                  {"unit_id": world["units"][unit].id, "year": 2026, "month": month})
    for _done in services.stage(db.session, batch):
        pass
    db.session.commit()
    return batch


def rows_of(db, batch, action):
    return {r.target_id: r for r in db.session.scalars(select(ImportRow).where(ImportRow.batch_id == batch.id,
                                                                               ImportRow.action == action))}


def month_of(db, project, month=4):
    return db.session.scalar(select(ProjectMonth).where(ProjectMonth.project_id == project.id,
                                                        ProjectMonth.year == 2026, ProjectMonth.month == month))


def test_the_download_is_the_units_month_prefilled_with_the_fill_columns_unlocked(db, tworld):
    book = openpyxl.load_workbook(io.BytesIO(download(db, tworld)))
    ws = book.active
    cols = key_columns(ws)
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert props == {"chaincrm_template": "monthly_key_projects", "chaincrm_period": "2026-04"}
    ids = {ws.cell(r, cols["project_id"]).value for r in range(7, ws.max_row + 1)}
    assert ids == {tworld["a1"].id, tworld["a2"].id, tworld["a3"].id}  # the round's projects, not 乙县's
    row = next(r for r in range(7, ws.max_row + 1) if ws.cell(r, cols["project_id"]).value == tworld["a1"].id)
    assert ws.cell(row, cols["this_month"]).value == 100 and ws.cell(row, cols["progress"]).value == "基础施工"
    assert ws.cell(row, cols["funds_loan"]).value == 50 and ws.cell(row, cols["stats_status"]).value == "否"
    assert ws.protection.sheet
    for key in ("this_month", "funds_own", "stats_status", "stats_on", "progress", "month_note"):
        assert ws.cell(row, cols[key]).protection.locked is False, key
    for key in ("code", "name", "ytd", "year_plan", "project_id"):
        assert ws.cell(row, cols[key]).protection.locked is not False, key
    assert ws.cell(6, cols["name"]).value == "总计" and ws.cell(6, cols["this_month"]).protection.locked is not False
    # The plain 月报 keeps its 28 columns and no protection; its optional columns come on request.
    plain = io.BytesIO()
    ctx = ledgers.context(db.session, scope_for(db.session, tworld["users"]["a"]), 2026, 4, None, TODAY)
    ledgers.export(db.session, roundtrip.template(), ctx, plain)
    ws2 = openpyxl.load_workbook(io.BytesIO(plain.getvalue())).active
    assert "funds_own" not in key_columns(ws2) and len(key_columns(ws2)) == 29 and not ws2.protection.sheet


def test_fill_import_dry_run_then_apply_saves_audits_and_sends(db, tworld):
    a1, a2, a3 = tworld["a1"], tworld["a2"], tworld["a3"]
    data = fill(download(db, tworld), {
        a1.id: {"this_month": "1.2亿", "progress": "主体封顶", "funds_own": "500"},
        a2.id: {"this_month": "3,000万元", "stats_status": "是", "stats_on": dt.datetime(2026, 4, 15)},
        a3.id: {"this_month": 0, "month_note": "完成招标"}})
    batch = staged(db, tworld, data)
    assert (batch.errors, batch.creates, batch.updates) == (0, 2, 1)
    skipped = db.session.scalars(select(ImportRow.errors).where(ImportRow.batch_id == batch.id,
                                                                ImportRow.action == "skip")).all()
    assert any("总计" in e[0]["message"] for e in skipped)
    changes = {tuple(c) for c in rows_of(db, batch, "update")[a1.id].data["changes"]}
    assert {("this_month", "100.00", "12000.00"), ("progress", "基础施工", "主体封顶"),
            ("funds_own", "", "500.00")} == changes  # the saved 银行贷款 50 stays: the cell was not changed
    assert month_of(db, a2) is None  # a dry run writes nothing
    template, context = importing.MonthlyReportImport().review(db.session, batch)
    assert context["lacking"] == 0 and len(context["staged"]) == 3

    user = tworld["users"]["a"]
    services.set_options(db.session, batch, send=True)
    result = services.apply(db.session, user, batch)
    db.session.commit()
    assert result["sent"] and (result["created"], result["updated"]) == (2, 1)
    assert month_of(db, a1).completed == Decimal("12000.00") and month_of(db, a1).funds_loan == Decimal("50.00")
    assert month_of(db, a2).completed == Decimal("3000.00") and month_of(db, a2).stats_status == "entered"
    assert month_of(db, a2).stats_on == dt.date(2026, 4, 15) and month_of(db, a3).note == "完成招标"
    assert rounds.status_of(db.session, tworld["units"]["a"].id, 2026, 4) == "submitted"
    event = db.session.scalar(select(AuditRecord).where(AuditRecord.entity_type == "project",
                                                        AuditRecord.entity_id == a1.id,
                                                        AuditRecord.field == "2026-04 completed"))
    assert (event.old, event.new, event.user_id) == ("100.00", "12000.00", user.id)
    # The round is 已报 now: the same file again is refused at upload with the reason.
    with pytest.raises(DomainError) as err:
        staged(db, tworld, data)
    assert "已报" in str(err.value.message)
    db.session.rollback()


def test_bad_rows_are_reported_one_by_one_and_nothing_is_written(db, tworld):
    a1, a2, a3, b1 = tworld["a1"], tworld["a2"], tworld["a3"], tworld["b1"]
    data = fill(download(db, tworld), {
        a1.id: {"project_id": b1.id, "code": CODES[3], "this_month": 5},   # another unit's project
        a2.id: {"code": CODES[2], "this_month": 5},                          # id and code disagree
        a3.id: {"this_month": "约300万"}})                                    # not an amount
    batch = staged(db, tworld, data)
    assert (batch.errors, batch.creates, batch.updates) == (3, 0, 0)
    errors = {r.row_no: " ".join(e["message"] for e in r.errors) for r in rows_of(db, batch, "error").values()}
    text = " | ".join(errors.values())
    assert "乙县回传项目 is not one of" in text or "乙县回传项目不是" in text
    assert str(a2.id) in text and CODES[2] in text
    assert "约300万" in text
    with pytest.raises(DomainError):
        services.apply(db.session, tworld["users"]["a"], batch)
    db.session.rollback()
    assert month_of(db, a1).completed == Decimal("100.00") and month_of(db, a3) is None
    assert rounds.status_of(db.session, tworld["units"]["a"].id, 2026, 4) == "draft"


def test_another_month_another_ledger_and_a_locked_round_are_refused_at_upload(db, tworld):
    data = download(db, tworld)
    with pytest.raises(DomainError) as err:
        staged(db, tworld, data, month=5)
    assert "2026年4月" in str(err.value.message) and "2026年5月" in str(err.value.message)
    db.session.rollback()
    other = io.BytesIO()
    user = tworld["users"]["a"]
    ctx = Context(scope_for(db.session, user), 2026, 4, "甲县", None, TODAY)
    ledgers.export(db.session, ledgers.templates()["signings"], ctx, other)
    with pytest.raises(DomainError) as err:
        staged(db, tworld, other.getvalue())
    assert "招商签约" in str(err.value.message) or "签约" in str(err.value.message)
    db.session.rollback()
    unit = tworld["units"]["a"].id
    monthly.save_grid(db.session, user, scope_for(db.session, user), 2026, 4,
                      {p.id: {"completed": "1"} for p in (tworld["a2"], tworld["a3"])})
    found = rounds.submit(db.session, user, unit, 2026, 4, today=TODAY)
    rounds.approve(db.session, tworld["users"]["leader"], found)
    rounds.lock(db.session, tworld["users"]["leader"], found)
    db.session.commit()
    with pytest.raises(DomainError) as err:
        staged(db, tworld, fill(data, {tworld["a1"].id: {"this_month": 7}}))
    assert "锁定" in str(err.value.message)
    db.session.rollback()
    # Without its properties, a file still tells its month by the 截止日期 line.
    with pytest.raises(DomainError) as err:
        staged(db, tworld, fill(data, {}, drop_properties=True), month=3)
    assert "2026年4月" in str(err.value.message)
    db.session.rollback()
    assert month_of(db, tworld["a1"]).completed == Decimal("100.00")


def test_a_file_that_lost_its_properties_and_subtotal_rows_still_imports_without_sending(db, tworld):
    a1, a2 = tworld["a1"], tworld["a2"]
    user, unit = tworld["users"]["a"], tworld["units"]["a"]
    buffer = io.BytesIO()
    spec = roundtrip.template()
    ctx = Context(scope_for(db.session, user), 2026, 4, unit.name, frozenset({unit.id}), TODAY,
                  resp_unit_id=unit.id)
    ledgers.export(db.session, spec, ctx, buffer, by="category", options=spec.options, fill=True)
    data = fill(buffer.getvalue(), {a2.id: {"this_month": "8"}}, drop_properties=True)
    assert not openpyxl.load_workbook(io.BytesIO(data)).custom_doc_props.props
    batch = staged(db, tworld, data)
    assert (batch.errors, batch.creates) == (0, 1)
    skipped = [e[0]["message"] for e in db.session.scalars(select(ImportRow.errors).where(
        ImportRow.batch_id == batch.id, ImportRow.action == "skip"))]
    assert sum("小计" in m for m in skipped) == 2 and sum("总计" in m for m in skipped) == 1
    _template, context = importing.MonthlyReportImport().review(db.session, batch)
    assert context["properties"] is False and context["lacking"] == 1  # a3 still lacks the month's figure
    services.set_options(db.session, batch, send=False)
    result = services.apply(db.session, user, batch)
    db.session.commit()
    assert not result["sent"] and month_of(db, a2).completed == Decimal("8.00")
    assert rounds.status_of(db.session, unit.id, 2026, 4) == "draft"
    # Sending was impossible (a3 lacks its figure): asked to send, the whole import is refused.
    again = staged(db, tworld, fill(download(db, tworld), {a2.id: {"this_month": "9"}}))
    services.set_options(db.session, again, send=True)
    with pytest.raises(DomainError):
        services.apply(db.session, user, again)
    db.session.rollback()
    assert month_of(db, a2).completed == Decimal("8.00")
    # The first import is reverted while the round is open.
    services.revert(db.session, user, db.session.merge(batch))
    db.session.commit()
    assert month_of(db, a2).completed is None and month_of(db, a1).completed == Decimal("100.00")


def test_the_pages_download_upload_review_apply(client, login, db, tworld):
    a1, a2, a3 = tworld["a1"], tworld["a2"], tworld["a3"]
    unit = tworld["units"]["a"]
    login(tworld["users"]["a"])
    page = client.get("/reporting/?year=2026&month=4").get_data(as_text=True)
    assert f"/reporting/file/{unit.id}/2026/4" in page and "/imports/monthly_report/new" in page
    got = client.get(f"/reporting/file/{unit.id}/2026/4")
    assert got.status_code == 200 and "filename*=UTF-8''" in got.headers["Content-Disposition"]
    data = fill(got.data, {a1.id: {"this_month": "1.5亿"}, a2.id: {"this_month": 1}, a3.id: {"this_month": 2}})
    form = client.get(f"/imports/monthly_report/new?unit_id={unit.id}&year=2026&month=4").get_data(as_text=True)
    assert 'name="unit_id"' in form
    posted = client.post("/imports/monthly_report/new", data={
        "csrf_token": csrf_token(form), "unit_id": str(unit.id), "year": "2026", "month": "4",
        "file": (io.BytesIO(data), "月报.xlsx")}, content_type="multipart/form-data")
    assert posted.status_code == 302 and "/imports/batch/" in posted.headers["Location"]
    review = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="report-review"' in review and "15000.00" in review and 'name="send"' in review
    applied = client.post(posted.headers["Location"] + "/apply", data={"csrf_token": csrf_token(review),
                                                                       "send": "1"})
    assert applied.status_code == 302
    assert rounds.status_of(db.session, unit.id, 2026, 4) == "submitted"
    assert month_of(db, a1).completed == Decimal("15000.00")
    # Another unit's officer neither downloads nor imports 甲县's month.
    client.get("/logout")
    login(tworld["users"]["b"])
    assert client.get(f"/reporting/file/{unit.id}/2026/4").status_code == 404
