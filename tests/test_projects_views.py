"""Project pages: list (filters, scope), detail and 404 outside the scope, create and edit forms, the stage
form with evidence, the 认定 queue, the lead page's link, the export read back and the import upsert."""
from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from crm.attachments.services import store
from crm.core.errors import DomainError
from crm.imports import services as imports
from crm.models import Project, ProjectStageChange
from crm.projects import plans, stages
from tests.conftest import csrf_token
from tests.test_projects_services import CODE, new_project, pworld  # noqa: F401 - the shared fixture


def test_list_shows_only_the_scope_and_filters(client, db, pworld, login):  # noqa: F811
    mine = new_project(db, pworld, name="甲县新材料项目", code=CODE, planned_start_on=dt.date(2020, 1, 1))
    theirs = new_project(db, pworld, who="b", unit="b", name="乙县物流园项目", source="government",
                         category="infrastructure")
    plans.set_year(db.session, pworld["users"]["a"], mine, 2026, {"plan_list": "new"})
    db.session.commit()
    login(pworld["users"]["a"])
    html = client.get("/projects/").get_data(as_text=True)
    assert "甲县新材料项目" in html and "乙县物流园项目" not in html
    assert f'data-testid="overdue-{mine.id}"' in html
    assert client.get(f"/projects/{theirs.id}").status_code == 404
    assert client.get(f"/projects/{theirs.id}/edit").status_code == 404
    assert "甲县新材料项目" in client.get("/projects/?year=2026&plan_list=new").get_data(as_text=True)
    assert "甲县新材料项目" not in client.get("/projects/?year=2026&plan_list=continuing").get_data(as_text=True)
    assert "甲县新材料项目" in client.get("/projects/?overdue=start&q=141002").get_data(as_text=True)
    assert "甲县新材料项目" not in client.get("/projects/?source=government").get_data(as_text=True)
    assert client.get("/projects/?stage=moon").status_code == 400
    assert client.get("/projects/?year=abc").status_code == 400
    assert client.get("/projects/?sort=name&dir=asc&page=1").status_code == 200
    login(pworld["users"]["leader"])
    html = client.get("/projects/?sort=stage").get_data(as_text=True)
    assert "甲县新材料项目" in html and "乙县物流园项目" in html


def test_create_and_edit_through_the_form(client, db, pworld, login):  # noqa: F811
    login(pworld["users"]["a"])
    page = client.get("/projects/new").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "name": "表单项目", "code": "2026-141002-44-01-bad", "source": "attraction",
            "category": "industry", "resp_unit_id": pworld["units"]["a"].id, "total_investment": "8000",
            "company_id": pworld["company"].id}
    response = client.post("/projects/new", data=data)
    assert response.status_code == 200 and "2021-141002-44-01-012345" in response.get_data(as_text=True)
    data["code"] = CODE
    response = client.post("/projects/new", data=data)
    assert response.status_code == 302
    project = db.session.scalar(select(Project).where(Project.code == CODE))
    assert project.company_id == pworld["company"].id and project.location_unit_id is None
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "表单项目" in html and "项目测试集团有限公司" in html
    page = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    data.update(csrf_token=csrf_token(page), name="表单项目（改）", version_id=project.version_id)
    assert client.post(f"/projects/{project.id}/edit", data=data).status_code == 302
    data["name"] = "过期的修改"
    stale = client.post(f"/projects/{project.id}/edit", data=data).get_data(as_text=True)
    assert 'data-testid="stale-changes"' in stale
    db.session.expire_all()
    assert db.session.get(Project, project.id).name == "表单项目（改）"


def test_stage_form_needs_evidence_then_reviewer_confirms(client, db, pworld, login):  # noqa: F811
    project = new_project(db, pworld)
    login(pworld["users"]["a"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "version_id": project.version_id, "stage": "started", "on": "2026-04-02"}
    refused = client.post(f"/projects/{project.id}/stage", data=form)
    assert refused.status_code == 422 and "开工" in refused.get_data(as_text=True)
    proof = store(db.session, pworld["users"]["a"], "project", project.id, "开工报告.pdf", io.BytesIO(b"%PDF"))
    db.session.commit()
    assert client.post(f"/projects/{project.id}/stage", data={**form, "evidence": proof.id}).status_code == 302
    change = db.session.scalar(select(ProjectStageChange).where(ProjectStageChange.project_id == project.id,
                                                                ProjectStageChange.to_stage == "started"))
    assert change.review_status == "pending"
    assert client.get("/projects/review").status_code == 403   # an officer is no reviewer
    login(pworld["users"]["leader"])
    queue = client.get("/projects/review").get_data(as_text=True)
    assert f'data-testid="review-{change.id}"' in queue and "开工报告.pdf" in queue
    token = csrf_token(queue)
    assert client.post(f"/projects/review/{change.id}/return", data={"csrf_token": token, "note": ""}).status_code \
        == 302
    db.session.expire_all()
    assert db.session.get(ProjectStageChange, change.id).review_status == "pending"  # no reason: refused
    assert client.post(f"/projects/review/{change.id}/confirm", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert stages.confirmed_stage_at(db.session, project.id, "started") == dt.date(2026, 4, 2)
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f'data-testid="review-status-{change.id}"' in html and "已认定" in html


def test_reviewer_outside_scope_gets_404(client, db, pworld, make_user, login):  # noqa: F811
    project = new_project(db, pworld)
    proof = store(db.session, pworld["users"]["a"], "project", project.id, "证明.pdf", io.BytesIO(b"%PDF"))
    change = stages.change_stage(db.session, pworld["users"]["a"], project, "started", evidence_ids=[proof.id])
    db.session.commit()
    login(pworld["users"]["b"])
    token = csrf_token(client.get("/projects/").get_data(as_text=True))
    assert client.post(f"/projects/review/{change.id}/confirm", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/projects/{project.id}/stage", data={"csrf_token": token}).status_code == 404


def test_plan_and_library_forms(client, db, pworld, login):  # noqa: F811
    project = new_project(db, pworld)
    login(pworld["users"]["a"])
    token = csrf_token(client.get(f"/projects/{project.id}").get_data(as_text=True))
    data = {"csrf_token": token, "year": "2026", "plan_list": "new", "planned_investment": "300",
            "key_levels": ["city"], "month_3": "100", "month_4": "100"}
    refused = client.post(f"/projects/{project.id}/years", data=data)
    assert refused.status_code == 422 and "200.00" in refused.get_data(as_text=True)
    data["month_5"] = "100"
    assert client.post(f"/projects/{project.id}/years", data=data).status_code == 302
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="plan-2026"' in html and "市重点" in html
    library = {"csrf_token": token, "library": "national", "entered_on": "2026-02-01", "number": "GJ-7"}
    assert client.post(f"/projects/{project.id}/libraries", data=library).status_code == 302
    assert "GJ-7" in client.get(f"/projects/{project.id}").get_data(as_text=True)


def test_lead_page_links_to_the_converted_project(client, db, pworld, login):  # noqa: F811
    from crm.leads import services as lead_services
    lead = lead_services.create_lead(db.session, pworld["users"]["a"],
                                     {"company_id": pworld["company"].id, "title": "转化链接项目"})
    lead_services.record_signing(db.session, pworld["users"]["a"], lead, kind="contract",
                                 signed_on=dt.date(2026, 4, 1), amount="500")
    db.session.commit()
    login(pworld["users"]["a"])
    token = csrf_token(client.get(f"/leads/{lead.id}").get_data(as_text=True))
    response = client.post(f"/leads/{lead.id}/convert", data={"csrf_token": token})
    project = db.session.scalar(select(Project).where(Project.lead_id == lead.id))
    assert response.headers["Location"].endswith(f"/projects/{project.id}")
    html = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert f'href="/projects/{project.id}"' in html and 'data-testid="lead-project-link"' in html
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="source-lead"' in page and "待认定" in page


def test_export_reads_back_with_chinese_headers(client, db, pworld, login):  # noqa: F811
    project = new_project(db, pworld, name="导出项目", code=CODE, total_investment="1234.5")
    plans.set_year(db.session, pworld["users"]["a"], project, 2026, {"plan_list": "new", "planned_investment": "300"})
    new_project(db, pworld, who="b", unit="b", name="乙县导出项目")
    db.session.commit()
    login(pworld["users"]["a"])
    token = csrf_token(client.get("/projects/").get_data(as_text=True))
    response = client.post("/exports/projects", data={"csrf_token": token, "format": "xlsx", "year": "2026"})
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["投资项目代码", "项目名称", "项目来源"] and "计划清单" in header
    assert len(rows) == 2
    row = dict(zip(header, rows[1]))
    assert (row["投资项目代码"], row["项目名称"], row["项目来源"], row["当前阶段"]) == (CODE, "导出项目", "企业自主", "签约")
    assert (row["总投资（万元）"], row["计划清单"], row["年度计划投资（万元）"]) == (1234.5, "新开工", 300)
    assert row["责任单位"] == "项目甲县"
    assert client.post("/exports/projects", data={"csrf_token": token, "format": "csv", "stage": "x"}).status_code \
        == 400


def _import(db, actor, text: str):
    batch = imports.create_batch(db.session, actor, "projects", "projects.csv", text.encode("utf-8"))
    list(imports.stage(db.session, batch))
    return batch


def test_import_creates_updates_by_code_and_reports_errors(db, pworld):  # noqa: F811
    actor = pworld["users"]["a"]
    existing = new_project(db, pworld, name="旧名称", code=CODE)
    text = ("投资项目代码,项目名称,项目来源,项目类别,责任单位,总投资,建设内容\n"
            f"{CODE},新名称,,,,2000,扩建厂房\n"
            "2026-141002-44-01-000202,导入新项目,政府投资,基础设施,项目甲县,500,\n"
            "2026-141002-44-01-0002,坏代码,政府投资,基础设施,项目甲县,,\n"
            "2026-141002-44-01-000303,坏来源,天上掉的,基础设施,不存在县,,\n")
    batch = _import(db, actor, text)
    assert (batch.creates, batch.updates, batch.errors) == (1, 1, 2)
    errors = {row.row_no: row.errors for row in imports.error_rows(db.session, batch)}
    messages = " ".join(e["message"] for errs in errors.values() for e in errs)
    assert "2021-141002-44-01-012345" in messages and "天上掉的" in messages and "不存在县" in messages
    batch.valid_only = True
    result = imports.apply(db.session, actor, batch)
    db.session.commit()
    assert result == {"created": 1, "updated": 1}
    db.session.refresh(existing)
    assert (existing.name, existing.content, str(existing.total_investment)) == ("新名称", "扩建厂房", "2000.00")
    created = db.session.scalar(select(Project).where(Project.code == "2026-141002-44-01-000202"))
    assert (created.source, created.category, created.resp_unit_id) == ("government", "infrastructure",
                                                                        pworld["units"]["a"].id)
    imports.revert(db.session, actor, batch)
    db.session.commit()
    db.session.refresh(existing)
    assert existing.name == "旧名称" and db.session.get(Project, created.id) is None


def test_import_does_not_touch_another_units_project(db, pworld):  # noqa: F811
    new_project(db, pworld, who="b", unit="b", name="乙县项目", code=CODE)
    batch = _import(db, pworld["users"]["a"], f"投资项目代码,项目名称\n{CODE},抢改名称\n")
    assert batch.updates == 1
    with pytest.raises(DomainError) as err:
        imports.apply(db.session, pworld["users"]["a"], batch)
    assert CODE in str(err.value.message)
    db.session.rollback()
    batch = _import(db, pworld["users"]["a"], "投资项目代码,项目名称,项目来源,项目类别,责任单位\n"
                    "2026-141002-44-01-000505,替乙县建的项目,政府投资,生态,项目乙县\n")
    assert batch.creates == 1
    with pytest.raises(DomainError) as err:
        imports.apply(db.session, pworld["users"]["a"], batch)
    assert "2026-141002-44-01-000505" in str(err.value.message)


def test_an_officer_creates_projects_only_for_own_units(client, db, pworld, login):  # noqa: F811
    login(pworld["users"]["a"])
    page = client.get("/projects/new").get_data(as_text=True)
    assert "项目乙县" not in page.split('name="resp_unit_id"', 1)[1].split("</select>", 1)[0]
    response = client.post("/projects/new", data={"csrf_token": csrf_token(page), "name": "越权项目",
                                                  "source": "government", "category": "ecology",
                                                  "resp_unit_id": pworld["units"]["b"].id})
    assert response.status_code == 200
    assert db.session.scalar(select(Project).where(Project.name == "越权项目")) is None


def test_import_through_the_pages(client, db, pworld, login):  # noqa: F811
    login(pworld["users"]["a"])
    csv = ("投资项目代码,项目名称,项目来源,项目类别,责任单位\n"
           "2026-141002-44-01-000404,页面导入项目,企业自主,产业,项目甲县\n").encode("utf-8")
    page = client.get("/imports/projects/new").get_data(as_text=True)
    response = client.post("/imports/projects/new", data={"csrf_token": csrf_token(page),
                                                          "file": (io.BytesIO(csv), "项目.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    batch_id = int(re.search(r"/imports/batch/(\d+)", response.headers["Location"]).group(1))
    page = client.get(f"/imports/batch/{batch_id}/mapping").get_data(as_text=True)
    form = {"csrf_token": csrf_token(page)}
    for match in re.finditer(r'name="(col-\d+)"[^>]*>.*?</select>', page, re.S):
        selected = re.search(r'<option value="([^"]*)" selected>', match.group(0))
        form[match.group(1)] = selected.group(1) if selected else ""
    assert set(form.values()) >= {"code", "name", "source", "category", "resp_unit"}
    client.post(f"/imports/batch/{batch_id}/mapping", data=form)
    page = client.get(f"/imports/batch/{batch_id}").get_data(as_text=True)
    assert "页面导入项目" in page
    assert client.post(f"/imports/batch/{batch_id}/apply", data={"csrf_token": csrf_token(page)}).status_code == 302
    project = db.session.scalar(select(Project).where(Project.code == "2026-141002-44-01-000404"))
    assert project is not None and project.resp_unit_id == pworld["units"]["a"].id and project.batch_id
