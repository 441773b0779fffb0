"""Exports (CSV and XLSX read back) under the scope; large ones as jobs run by the worker."""
from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from crm.models import Job
from crm.settings import set_value
from tests.conftest import csrf_token


@pytest.fixture
def data(db, make_user, login):
    from crm.companies.services import create_company
    officer = make_user(("officer",))
    create_company(db.session, officer, {"name": "导出甲有限公司", "uscc": "914403001922038216", "county_code": "141002",
                                         "revenue": 1234.5, "listed": True, "stock_code": "002129"})
    create_company(db.session, officer, {"name": "=cmd|' /C calc'!A0", "county_code": "110105"})
    db.session.commit()
    login(officer)
    return officer


def export(client, fmt, **filters):
    page = client.get("/companies/").get_data(as_text=True)
    return client.post("/exports/companies", data={"csrf_token": csrf_token(page), "format": fmt, **filters})


def test_csv_export(client, data):
    response = export(client, "csv", q="导出甲")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and text.startswith("\ufeff企业名称,简称,统一社会信用代码")
    lines = text.splitlines()
    assert len(lines) == 2
    assert "914403001922038216" in lines[1] and ",002129," in lines[1] and "山西省,临汾市,尧都区" in lines[1]
    assert "关中平原城市群,是" in lines[1] and "1234.50" in lines[1]


def test_xlsx_export_neutralises_and_formats(client, data):
    response = export(client, "xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(response.data)).active
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["企业名称", "简称", "统一社会信用代码"] and "营业收入（万元）" in headers
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    evil = rows["=cmd|' /C calc'!A0"]
    assert evil[0].data_type == "s" and evil[0].quotePrefix
    good = rows["导出甲有限公司"]
    revenue = good[headers.index("营业收入（万元）")]
    assert revenue.value == 1234.5 and revenue.number_format == "#,##0.00"
    assert good[headers.index("股票代码")].value == "002129"
    assert good[headers.index("创建时间")].number_format == "yyyy-mm-dd hh:mm"


def test_csv_cells_formatted_by_the_database_match_the_xlsx_values(client, db, data):
    """Money and times of the CSV come formatted from SQL; they must say what the XLSX cells hold."""
    import datetime as dt

    from crm.models import Company
    company = db.session.scalar(select(Company).where(Company.name == "导出甲有限公司"))
    # 17:30 UTC on 1 March is 01:30 on 2 March in Beijing: the day changes with the time zone.
    company.created_at = dt.datetime(2026, 3, 1, 17, 30, 59, tzinfo=dt.timezone.utc)
    company.registered_capital = None
    db.session.commit()
    csv_text = export(client, "csv", q="导出甲").get_data(as_text=True)
    header, line = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    cells = dict(zip(header, line))
    assert cells["创建时间"] == "2026-03-02 01:30"
    assert cells["营业收入（万元）"] == "1234.50" and cells["注册资本（万元）"] == ""
    ws = openpyxl.load_workbook(io.BytesIO(export(client, "xlsx", q="导出甲").data)).active
    headers = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    assert row[headers.index("创建时间")] == dt.datetime(2026, 3, 2, 1, 30, 59)
    assert row[headers.index("营业收入（万元）")] == 1234.5 and row[headers.index("注册资本（万元）")] is None


def test_bad_export_parameters_are_400(client, data):
    assert export(client, "pdf").status_code == 400
    assert export(client, "csv", cluster="mars").status_code == 400


def test_large_export_runs_as_a_job_and_only_its_owner_downloads(app, client, db, data, make_user, login):
    set_value(db.session, None, "job_threshold_rows", 1)
    db.session.commit()
    response = export(client, "xlsx")
    assert response.status_code == 302
    job_id = int(re.search(r"/jobs/(\d+)", response.headers["Location"]).group(1))
    assert 'data-status="queued"' in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    from crm.jobs.worker import run_one
    assert run_one(app)
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status == "done", job.error
    assert job.result["rows"] == 2 and job.expires_at is not None
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(download.data)).active.max_row == 3
    login(make_user(("officer",)))
    assert client.get(f"/jobs/{job_id}/download").status_code == 404
    assert client.get(f"/jobs/{job_id}").status_code == 404


def test_export_job_of_a_disabled_user_fails(app, db, make_user):
    """The worker re-reads the user: a disabled user's queued export never runs."""
    from crm.jobs import service
    from crm.jobs.worker import run_one
    user = make_user(("officer",))
    job = service.enqueue(db.session, "export.file", {"kind": "companies", "format": "csv", "args": {}}, user.id)
    user.active = False
    db.session.commit()
    assert run_one(app)
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == "failed"
    assert db.session.get(Job, job.id).file_path is None


def test_claim_is_exclusive(app, db):
    from crm.jobs import service
    service.enqueue(db.session, "export.file", {}, None)
    db.session.commit()
    first = service.claim(db.session)
    second = service.claim(db.session)
    assert first is not None and first.status == "running" and first.attempts == 1
    assert second is None or second.id != first.id


def test_stale_jobs_are_requeued(app, db):
    import datetime as dt

    from crm.jobs import service
    job = service.enqueue(db.session, "export.file", {}, None)
    job.status, job.heartbeat_at = "running", dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    db.session.flush()
    assert job.id in service.requeue_stale(db.session)
    assert db.session.scalar(select(Job.status).where(Job.id == job.id)) == "queued"


def test_unknown_job_kind_fails_cleanly(app, db):
    from crm.jobs import service
    from crm.jobs.worker import run_one
    job = service.enqueue(db.session, "no.such.kind", {}, None)
    db.session.commit()
    while run_one(app):
        pass
    db.session.expire_all()
    failed = db.session.get(Job, job.id)
    assert failed.status == "failed" and "no job kind" in failed.error
