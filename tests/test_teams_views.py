"""The people panel and its forms through real requests: adding and removing, refusals shown on the page,
permissions (403) and scope (404), phone masking across units."""
from __future__ import annotations

from sqlalchemy import select

from crm.models import AuditRecord, ProjectDept, ProjectLeader, ProjectTeamMember
from crm.security.scope import mask_phone
from crm.teams import services
from tests.conftest import csrf_token
from tests.teams_world import tworld  # noqa: F401 - the shared fixture


def _page(client, project):
    response = client.get(f"/projects/{project.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_add_and_remove_people_through_the_panel(client, db, tworld, login):  # noqa: F811
    u, p, units = tworld["users"], tworld["project"], tworld["units"]
    login(u["a_officer"])
    html = _page(client, p)
    assert 'data-testid="project-people"' in html and 'data-testid="leader-form"' in html
    token = csrf_token(html)
    base = f"/projects/{p.id}"
    answer = client.post(f"{base}/leaders", data={"csrf_token": token, "leader-user_id": u["a_leader"].id,
                                                  "leader-level": "county"})
    assert answer.status_code == 302 and answer.location.endswith(f"{base}#people")
    assert client.post(f"{base}/depts", data={"csrf_token": token, "dept-unit_id": units["dept"].id}).status_code == 302
    assert client.post(f"{base}/team", data={"csrf_token": token, "member-role": "agent", "member-name": "李代办",
                                             "member-phone": "13912345678", "member-org": "某某镇"}).status_code == 302
    html = _page(client, p)
    assert "李代办" in html and "13912345678" in html and units["dept"].name in html
    leader = db.session.scalar(select(ProjectLeader).where(ProjectLeader.project_id == p.id))
    dept = db.session.scalar(select(ProjectDept).where(ProjectDept.project_id == p.id))
    member = db.session.scalar(select(ProjectTeamMember).where(ProjectTeamMember.project_id == p.id))
    assert (leader.user_id, leader.level) == (u["a_leader"].id, "county")
    for path in (f"{base}/leaders/{leader.id}/delete", f"{base}/depts/{dept.id}/delete",
                 f"{base}/team/{member.id}/delete"):
        assert client.post(path, data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(ProjectTeamMember.id).where(ProjectTeamMember.project_id == p.id)) is None
    assert db.session.scalar(select(ProjectLeader.id).where(ProjectLeader.project_id == p.id)) is None
    fields = set(db.session.scalars(select(AuditRecord.field).where(AuditRecord.entity_type == "project",
                                                                    AuditRecord.entity_id == p.id)))
    assert {"leader", "dept", "team"} <= fields
    assert client.post(f"{base}/leaders/{leader.id}/delete", data={}).status_code == 400  # no CSRF token


def test_bad_input_is_refused_with_the_message_on_its_field(client, db, tworld, login):  # noqa: F811
    u, p = tworld["users"], tworld["project"]
    login(u["a_officer"])
    token = csrf_token(_page(client, p))
    data = {"csrf_token": token, "member-role": "liaison", "member-name": "王联络", "member-phone": "12345"}
    answer = client.post(f"/projects/{p.id}/team", data=data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "0357-2345678" in html and 'value="12345"' in html and "is-invalid" in html
    answer = client.post(f"/projects/{p.id}/leaders", data={"csrf_token": token, "leader-user_id": u["b_leader"].id,
                                                            "leader-level": "city"})
    assert answer.status_code == 422 and "包联领导" in answer.get_data(as_text=True)
    answer = client.post(f"/projects/{p.id}/leaders", data={"csrf_token": token, "leader-user_id": "abc",
                                                            "leader-level": "county"})
    assert answer.status_code == 422
    assert db.session.scalar(select(ProjectLeader.id).where(ProjectLeader.project_id == p.id)) is None
    assert db.session.scalar(select(ProjectTeamMember.id).where(ProjectTeamMember.project_id == p.id)) is None


def test_permission_and_scope(client, db, tworld, login):  # noqa: F811
    u, p = tworld["users"], tworld["project"]
    login(u["a_leader"])  # reads, cannot edit: no forms, 403 on posting
    html = _page(client, p)
    assert 'data-testid="project-people"' in html and 'data-testid="leader-form"' not in html
    answer = client.post(f"/projects/{p.id}/depts", data={"csrf_token": csrf_token(html),
                                                          "dept-unit_id": tworld["units"]["b"].id})
    assert answer.status_code == 403
    login(u["b_officer"])  # another county: the project is outside the scope
    assert client.get(f"/projects/{p.id}").status_code == 404
    token = csrf_token(client.get("/companies/new").get_data(as_text=True))
    answer = client.post(f"/projects/{p.id}/leaders", data={"csrf_token": token,
                                                            "leader-user_id": u["b_leader"].id,
                                                            "leader-level": "county"})
    assert answer.status_code == 404


def test_phones_are_masked_outside_the_owning_units(client, db, tworld, login):  # noqa: F811
    u, p, units = tworld["users"], tworld["project"], tworld["units"]
    outside = {"role": "liaison", "name": "王联络", "phone": "13900001234", "unit_id": units["a"].id}
    services.add_member(db.session, u["admin"], p, outside)
    linked = {"role": "member", "user_id": u["b_officer"].id, "phone": "13800005678"}
    services.add_member(db.session, u["admin"], p, linked)
    db.session.commit()
    login(u["b_officer"])  # a 专班 member from another county: sees the project, not the county's phones
    html = _page(client, p)
    assert mask_phone("13900001234") in html and "13900001234" not in html
    assert "13800005678" in html  # the member's own unit
    login(u["a_officer"])  # inside the 责任单位
    html = _page(client, p)
    assert "13900001234" in html and "13800005678" in html
