"""The approvals panel on the project page: profile form, checklist by stage, the per-item form (saved,
refused with the typed values kept, stale edits refused), scope (404) and permission (403), the project
list's 前期手续未完成 filter, and the settings page editing the template's multi-choice cells."""
from __future__ import annotations

import io
import re

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from crm.approvals import services
from crm.attachments.services import store
from crm.models import ApprovalItem, ApprovalProfile
from crm.settings.registry import get as get_setting
from tests.conftest import csrf_token
from tests.test_approvals_services import GOVERNMENT, VERIFIED, items, profiled, settle
from tests.test_projects_services import new_project, pworld  # noqa: F401 - the shared fixture


def page(client, project) -> str:
    response = client.get(f"/projects/{project.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def item_form_data(html: str, item: ApprovalItem, **values) -> dict:
    data = {"csrf_token": csrf_token(html), "version_id": str(item.version_id), "status": item.status,
            "doc_number": "", "authority": "", "approved_on": "", "attachment_id": "", "note": ""}
    data.update(values)
    return data


def test_profile_form_builds_the_checklist(client, db, pworld, login):  # noqa: F811
    project = new_project(db, pworld, source="government")
    login(pworld["users"]["a"])
    html = page(client, project)
    assert 'data-testid="approvals"' in html and 'data-testid="approval-profile-form"' in html
    assert re.search(r'<option selected value="approve">|<option value="approve" selected>', html)
    response = client.post(f"/approvals/projects/{project.id}/profile",
                           data={"csrf_token": csrf_token(html), "approval_type": "approve",
                                 "land_supply": "allocated"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/projects/{project.id}#approvals")
    rows = items(db, project)
    assert len(rows) == 19 and not services.profile_of(db.session, project.id).in_zone
    html = page(client, project)
    eia = rows["eia"]
    for testid in (f"approval-item-{eia.id}", f"approval-item-form-{eia.id}", "approval-stage-4",
                   "approvals-in-preparation"):
        assert f'data-testid="{testid}"' in html
    form = re.search(rf'data-testid="approval-item-form-{eia.id}".*?</form>', html, re.S).group(0)
    for name in ("status", "doc_number", "authority", "approved_on", "attachment_id"):
        assert f'name="{name}"' in form
    assert 'value="regional"' not in form  # not in a zone: 区域评估 is not offered
    assert "<script>" not in html and "style=" not in html


def test_ticking_an_item_to_done(client, db, pworld, login):  # noqa: F811
    project = profiled(db, pworld, GOVERNMENT)
    proof = store(db.session, pworld["users"]["a"], "project", project.id, "环评批复.pdf", io.BytesIO(b"%PDF-1.4 z"))
    db.session.commit()
    login(pworld["users"]["a"])
    item = items(db, project)["eia"]
    html = page(client, project)
    assert f'<option value="{proof.id}">环评批复.pdf</option>' in html
    data = item_form_data(html, item, status="done", doc_number="临环审〔2026〕12号", authority="临汾市生态环境局",
                          approved_on="2026-04-01", attachment_id=str(proof.id))
    response = client.post(f"/approvals/projects/{project.id}/items/{item.id}", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("#approvals")
    db.session.expire_all()
    saved = db.session.get(ApprovalItem, item.id)
    assert (saved.status, saved.doc_number, saved.attachment_id) == ("done", "临环审〔2026〕12号", proof.id)
    html = page(client, project)
    assert "临环审〔2026〕12号" in html and 'data-status="done"' in html


def test_bad_input_is_refused_with_the_typed_values_kept(client, db, pworld, login):  # noqa: F811
    project = profiled(db, pworld, GOVERNMENT)
    login(pworld["users"]["a"])
    item = items(db, project)["land_title"]
    html = page(client, project)
    data = item_form_data(html, item, status="done", authority="临汾市规划和自然资源局", approved_on="2026-05-06")
    response = client.post(f"/approvals/projects/{project.id}/items/{item.id}", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'data-testid="approval-item-error-{item.id}"' in body and "批复文号" in body
    assert 'value="临汾市规划和自然资源局"' in body and 'value="2026-05-06"' in body
    db.session.expire_all()
    assert db.session.get(ApprovalItem, item.id).status == "todo"
    data = item_form_data(html, item, status="commitment")
    response = client.post(f"/approvals/projects/{project.id}/items/{item.id}", data=data)
    assert response.status_code == 422 and "承诺制" in response.get_data(as_text=True)
    data = item_form_data(html, item, status="doing", approved_on="05/06/2026")
    response = client.post(f"/approvals/projects/{project.id}/items/{item.id}", data=data)
    assert response.status_code == 422 and "YYYY-MM-DD" in response.get_data(as_text=True)
    response = client.post(f"/approvals/projects/{project.id}/profile",
                           data={"csrf_token": csrf_token(html), "approval_type": "moon", "land_supply": "none",
                                 "version_id": "1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-testid="approval-profile-error"' in body
    assert db.session.scalar(select(ApprovalProfile.approval_type).where(
        ApprovalProfile.project_id == project.id)) == "approve"


def test_a_stale_edit_is_refused(client, db, pworld, login):  # noqa: F811
    project = profiled(db, pworld, GOVERNMENT)
    login(pworld["users"]["a"])
    item = items(db, project)["energy"]
    html = page(client, project)
    first = item_form_data(html, item, status="doing", authority="临汾市发展和改革委员会")
    assert client.post(f"/approvals/projects/{project.id}/items/{item.id}", data=first).status_code == 302
    second = item_form_data(html, item, status="todo", note="旧页面上的修改")  # the version the page had
    response = client.post(f"/approvals/projects/{project.id}/items/{item.id}", data=second)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="旧页面上的修改"' in body
    db.session.expire_all()
    saved = db.session.get(ApprovalItem, item.id)
    assert (saved.status, saved.note) == ("doing", None)
    profile = services.profile_of(db.session, project.id)
    response = client.post(f"/approvals/projects/{project.id}/profile",
                           data={"csrf_token": csrf_token(html), "approval_type": "record", "land_supply": "none",
                                 "version_id": str(profile.version_id - 1 or 99)})
    assert response.status_code == 422
    db.session.expire_all()
    assert services.profile_of(db.session, project.id).approval_type == "approve"


def test_scope_and_permissions(client, db, pworld, login):  # noqa: F811
    project = profiled(db, pworld, GOVERNMENT)
    other = profiled(db, pworld, VERIFIED, name="另一个项目")
    item = items(db, project)["eia"]
    login(pworld["users"]["b"])  # another county: the project is outside the scope
    html = client.get("/projects/").get_data(as_text=True)
    token = csrf_token(html)
    assert client.get(f"/projects/{project.id}").status_code == 404
    data = {"csrf_token": token, "version_id": str(item.version_id), "status": "doing"}
    assert client.post(f"/approvals/projects/{project.id}/items/{item.id}", data=data).status_code == 404
    assert client.post(f"/approvals/projects/{project.id}/profile",
                       data={"csrf_token": token, "approval_type": "record", "land_supply": "none"}).status_code == 404
    login(pworld["users"]["a"])
    token = csrf_token(client.get("/projects/").get_data(as_text=True))
    # An item of another project under this project's URL is not found either.
    assert client.post(f"/approvals/projects/{other.id}/items/{item.id}", data=data | {"csrf_token": token}
                       ).status_code == 404
    login(pworld["users"]["leader"])  # sees every project, but may not edit them
    html = page(client, project)
    assert 'data-testid="approvals"' in html and f'data-testid="approval-item-form-{item.id}"' not in html
    token = csrf_token(client.get("/projects/").get_data(as_text=True))
    assert client.post(f"/approvals/projects/{project.id}/items/{item.id}",
                       data=data | {"csrf_token": token}).status_code == 403
    db.session.expire_all()
    assert db.session.get(ApprovalItem, item.id).status == "todo"


def test_the_list_filter_shows_projects_with_open_approvals(client, db, pworld, login):  # noqa: F811
    open_one = profiled(db, pworld, VERIFIED, name="手续未完成项目")
    done_one = profiled(db, pworld, VERIFIED, name="手续已完成项目")
    settle(db, pworld, done_one)
    login(pworld["users"]["a"])
    html = client.get("/projects/?approvals=open").get_data(as_text=True)
    assert f'data-testid="project-{open_one.id}"' in html and f'data-testid="project-{done_one.id}"' not in html
    assert f'data-testid="project-{done_one.id}"' in client.get("/projects/").get_data(as_text=True)
    assert client.get("/projects/?approvals=maybe").status_code == 400


def test_the_settings_page_edits_the_template(client, db, pworld, login):  # noqa: F811
    login(pworld["users"]["admin"])
    html = client.get("/settings/approval_template").get_data(as_text=True)
    assert 'name="row-0-types"' in html and 'name="row-0-commitment"' in html
    rows = get_setting(db.session, "approval_template")
    data = {"csrf_token": csrf_token(html), "row_count": str(len(rows) + 1)}
    multi = {}
    for i, row in enumerate(rows):
        for key, value in row.items():
            if isinstance(value, list):
                multi[f"row-{i}-{key}"] = value
            elif isinstance(value, bool):
                if value:
                    data[f"row-{i}-{key}"] = "1"
            else:
                data[f"row-{i}-{key}"] = value
    n = len(rows)
    data.update({f"row-{n}-key": "fire_check", f"row-{n}-stage": "4", f"row-{n}-name": "消防验收备案抽查",
                 f"row-{n}-zone": "any"})
    multi.update({f"row-{n}-types": ["record"], f"row-{n}-land": ["transfer", "none"]})
    response = client.post("/settings/approval_template", data=MultiDict(
        list(data.items()) + [(k, v) for k, values in multi.items() for v in values]))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert get_setting(db.session, "approval_template")[-1] == {
        "key": "fire_check", "stage": "4", "name": "消防验收备案抽查", "types": ["record"],
        "land": ["transfer", "none"], "zone": "any", "commitment": False, "regional": False}
    assert "消防验收备案抽查" in client.get("/settings/").get_data(as_text=True)
    project = profiled(db, pworld, {"approval_type": "record", "land_supply": "none", "in_zone": False})
    assert "fire_check" in items(db, project)
    assert "fire_check" not in items(db, profiled(db, pworld, VERIFIED))
