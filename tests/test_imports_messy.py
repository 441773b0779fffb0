"""Messy spreadsheets through the real import pages: title rows, merged headers, units, totals, months, .xls."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter
import xlwt
from sqlalchemy import select

from crm.models import Company, ImportBatch, ImportRow, Project
from tests.conftest import csrf_token
from tests.test_imports import apply, batch_id_of, map_and_stage

XLS_MIME = "application/vnd.ms-excel"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, kind, filename, data, mimetype):
    page = client.get(f"/imports/{kind}/new").get_data(as_text=True)
    return client.post(f"/imports/{kind}/new", data={"csrf_token": csrf_token(page),
                                                     "file": (io.BytesIO(data), filename, mimetype)},
                       content_type="multipart/form-data")


def companies_xlsx() -> bytes:
    """A 招商 company list: title, meta row, a merged 经营情况 group, a merged 备注, totals, a blank row."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet()
    ws.merge_range(0, 0, 0, 4, "2022年招商企业名单")
    ws.write_string(1, 0, "填报单位：测试县商务局")
    ws.write_string(1, 3, "单位：万元")
    ws.merge_range(2, 0, 3, 0, "企业名称")
    ws.merge_range(2, 1, 3, 1, "注册资本（亿元）")
    ws.merge_range(2, 2, 2, 3, "经营情况")
    ws.write_string(3, 2, "营业收入")
    ws.write_string(3, 3, "参保人数")
    ws.merge_range(2, 4, 3, 4, "备注")
    ws.write_row(4, 0, ["山西测试焦化有限公司", "1.2", "3,000万元"])
    ws.write_number(4, 3, 120)
    ws.merge_range(4, 4, 5, 4, "重点跟踪")
    ws.write_row(5, 0, ["临汾测试物流有限公司", "5000元", "１，２００", "35"])
    ws.write_row(7, 0, ["约数测试有限公司", "约3亿"])                      # row 7 is blank
    ws.write_row(8, 0, ["百分比测试有限公司", "0.5", "12%"])
    ws.write_row(9, 0, ["合计", "1.7", "4200", "155"])
    ws.write_row(10, 0, ["其中：规上企业", "1.2", "3000", "120"])
    book.close()
    return buffer.getvalue()


def projects_xls(unit: str) -> bytes:
    """A 重点项目 推进表 saved as legacy .xls: merged 计划时间 group, months written every way."""
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("推进表")
    ws.write_merge(0, 0, 0, 7, "2022年重点项目推进表")
    ws.write(1, 6, "单位：万元")
    for col, header in enumerate(("投资项目代码", "项目名称", "项目来源", "项目类别", "责任单位", "总投资（亿元）")):
        ws.write_merge(2, 3, col, col, header)
    ws.write_merge(2, 2, 6, 7, "计划时间")
    ws.write(3, 6, "开工")
    ws.write(3, 7, "投产")
    date = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    rows = [
        (4, "501", "煤化工测试项目", "招商引资", "产业", 1.5, "2022年6月", (dt.datetime(2023, 6, 15), date)),
        (5, "502", "物流园测试项目", "政府投资", "基础设施", "8,000万元", 2022.6, "202310"),
        (7, "503", "坏月份测试项目", "政府投资", "基础设施", 1, "2022.13", ""),
        (8, "504", "两位年份测试项目", "政府投资", "基础设施", 1, "22.6", ""),
        (9, "505", "数字月份测试项目", "政府投资", "基础设施", 1, 2022.1, ""),
        (10, "506", "缺年份测试项目", "政府投资", "基础设施", 1, "", "6月"),
    ]
    for r, serial, name, source, category, total, start, production in rows:
        ws.write(r, 0, f"2026-141002-44-01-000{serial}")
        for col, value in enumerate((name, source, category, unit, total, start), start=1):
            ws.write(r, col, value)
        if isinstance(production, tuple):
            ws.write(r, 7, *production)
        else:
            ws.write(r, 7, production)
    ws.write(11, 0, "合计")
    ws.write(11, 5, 2.5)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def officer(db, make_unit, make_user, login):
    user = make_user(("officer",), unit=make_unit("煤测试县"))
    login(user)
    return user


def _messages(db, batch_id, action):
    db.session.expire_all()
    rows = db.session.execute(select(ImportRow.row_no, ImportRow.errors).where(
        ImportRow.batch_id == batch_id, ImportRow.action == action).order_by(ImportRow.row_no)).all()
    return {n: " ".join(e["message"] for e in errors) for n, errors in rows}


def test_messy_company_xlsx_dry_run_report_and_commit(client, db, officer):
    response = upload(client, "companies", "招商企业.xlsx", companies_xlsx(), XLSX_MIME)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    batch_id = batch_id_of(response)
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.headers == ["企业名称", "注册资本（亿元）", "经营情况-营业收入", "经营情况-参保人数", "备注"]
    assert batch.total_rows == 4 and batch.mapping == {"0": "name", "1": "registered_capital", "4": "notes"}
    page = client.get(f"/imports/batch/{batch_id}/mapping").get_data(as_text=True)
    assert 'data-testid="header-band"' in page and "2022年招商企业名单" in page and "重点跟踪" in page
    # The flattened group headers are mapped by hand once and saved as a preset.
    response = map_and_stage(client, batch_id, {"col-2": "revenue", "col-3": "employees", "save_as": "商务局台账"})
    assert response.status_code == 302
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch_id)
    assert (batch.creates, batch.updates, batch.errors) == (2, 0, 2)
    errors = _messages(db, batch_id, "error")
    assert errors.keys() == {8, 9}
    assert "注册资本（亿元） B8" in errors[8] and "approximate" in errors[8]
    assert "经营情况-营业收入 C9" in errors[9] and "percentage" in errors[9]
    skipped = _messages(db, batch_id, "skip")
    assert skipped.keys() == {7, 10, 11}
    assert "合计" in skipped[10] and "其中" in skipped[11]
    page = client.get(f"/imports/batch/{batch_id}").get_data(as_text=True)
    assert 'data-testid="skipped-rows"' in page and 'data-testid="import-notes"' in page
    assert "注册资本（亿元）" in batch.message and "亿元" in batch.message
    errors_csv = client.get(f"/imports/batch/{batch_id}/errors.csv").get_data(as_text=True)
    assert all(f"\r\n{n}," in errors_csv for n in (7, 8, 9, 10, 11))
    assert apply(client, batch_id, valid_only=True).status_code == 302
    db.session.expire_all()
    found = {c.name: c for c in db.session.scalars(select(Company).where(Company.name.like("%测试%有限公司")))}
    assert set(found) == {"山西测试焦化有限公司", "临汾测试物流有限公司"}
    coke, logistics = found["山西测试焦化有限公司"], found["临汾测试物流有限公司"]
    assert (float(coke.registered_capital), float(coke.revenue), coke.employees) == (12000, 3000, 120)
    assert (float(logistics.registered_capital), float(logistics.revenue), logistics.employees) == (0.5, 1200, 35)
    assert coke.notes == logistics.notes == "重点跟踪"  # one merged 备注 cell over both rows
    # The same layout next month maps itself through the saved preset.
    second = batch_id_of(upload(client, "companies", "招商企业-7月.xlsx", companies_xlsx(), XLSX_MIME))
    assert db.session.get(ImportBatch, second).mapping == {"0": "name", "1": "registered_capital", "2": "revenue",
                                                           "3": "employees", "4": "notes"}


def test_messy_project_xls_months_units_and_totals(client, db, officer):
    response = upload(client, "projects", "推进表.xls", projects_xls("煤测试县"), XLS_MIME)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    batch_id = batch_id_of(response)
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.headers[5:] == ["总投资（亿元）", "计划时间-开工", "计划时间-投产"] and batch.total_rows == 6
    response = map_and_stage(client, batch_id, {"col-6": "planned_start_on", "col-7": "planned_production_on"})
    assert response.status_code == 302
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch_id)
    assert (batch.creates, batch.errors) == (2, 4)
    errors = _messages(db, batch_id, "error")
    assert "计划时间-开工 G8" in errors[8] and "no month 13" in errors[8]
    assert "G9" in errors[9] and "two-digit year" in errors[9]
    assert "G10" in errors[10] and "typed as a number" in errors[10]
    assert "计划时间-投产 H11" in errors[11] and "year is missing" in errors[11]
    assert _messages(db, batch_id, "skip").keys() == {7, 12}
    notes = batch.message.splitlines()
    assert any("总投资（亿元）" in line for line in notes)
    assert len(notes) == 3 and sum("5、6" in line for line in notes) == 1  # 开工 rows 5 and 6, 投产 row 6
    assert apply(client, batch_id, valid_only=True).status_code == 302
    db.session.expire_all()
    coal = db.session.scalar(select(Project).where(Project.code == "2026-141002-44-01-000501"))
    park = db.session.scalar(select(Project).where(Project.code == "2026-141002-44-01-000502"))
    assert (float(coal.total_investment), coal.planned_start_on, coal.planned_production_on) == \
        (15000, dt.date(2022, 6, 1), dt.date(2023, 6, 15))
    assert (float(park.total_investment), park.planned_start_on, park.planned_production_on) == \
        (8000, dt.date(2022, 6, 1), dt.date(2023, 10, 1))
    assert db.session.scalar(select(Project).where(Project.code == "2026-141002-44-01-000503")) is None
    # A later file moves the planned start; reverting it restores the month stored before.
    text = "投资项目代码,计划开工时间\n2026-141002-44-01-000501,2023年3月\n".encode("gbk")
    update_id = batch_id_of(upload(client, "projects", "改期.csv", text, "text/csv"))
    map_and_stage(client, update_id)
    assert db.session.get(ImportBatch, update_id).updates == 1
    apply(client, update_id)
    db.session.expire_all()
    assert db.session.get(Project, coal.id).planned_start_on == dt.date(2023, 3, 1)
    page = client.get(f"/imports/batch/{update_id}").get_data(as_text=True)
    client.post(f"/imports/batch/{update_id}/revert", data={"csrf_token": csrf_token(page)})
    db.session.expire_all()
    assert db.session.get(Project, coal.id).planned_start_on == dt.date(2022, 6, 1)
