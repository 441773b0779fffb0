"""包联领导, 包联部门 and 专班 services: their rules and refusals, the audit trail, and what each change does
to visibility (docs/VISIBILITY.md), on both databases."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.core.errors import DomainError
from crm.models import AuditRecord, Project, ProjectDept, ProjectLeader, ProjectTeamMember, User
from crm.security.scope import scope_for
from crm.teams import services
from tests.teams_world import tworld  # noqa: F401 - the shared fixture


def _sees(db, user, project) -> bool:
    scope = scope_for(db.session, db.session.get(User, user.id))
    return scope.can_see(db.session, db.session.get(Project, project.id))


def _refused(call, field, text=None):
    with pytest.raises(DomainError) as err:
        call()
    assert err.value.field == field
    if text:
        assert text in str(err.value.message)


def test_leader_levels_follow_role_or_unit(db, tworld):  # noqa: F811
    u, p, s = tworld["users"], tworld["project"], db.session
    services.assign_leader(s, u["admin"], p, u["city_leader"].id, "city")  # the role
    services.assign_leader(s, u["admin"], p, u["dept_manager"].id, "city")  # a city department
    services.assign_leader(s, u["admin"], p, u["a_leader"].id, "county")
    _refused(lambda: services.assign_leader(s, u["admin"], p, u["b_leader"].id, "city"), "user_id", "包联领导")
    _refused(lambda: services.assign_leader(s, u["admin"], p, u["dept_manager"].id, "county"), "user_id")
    _refused(lambda: services.assign_leader(s, u["admin"], p, u["a_leader"].id, "county"), "user_id")
    _refused(lambda: services.assign_leader(s, u["admin"], p, u["b_leader"].id, "province"), "level")
    _refused(lambda: services.assign_leader(s, u["admin"], p, None, "county"), "user_id")
    u["b_leader"].active = False
    s.flush()
    _refused(lambda: services.assign_leader(s, u["admin"], p, u["b_leader"].id, "county"), "user_id")
    levels = dict(s.execute(select(ProjectLeader.user_id, ProjectLeader.level)
                            .where(ProjectLeader.project_id == p.id)).all())
    assert levels == {u["city_leader"].id: "city", u["dept_manager"].id: "city", u["a_leader"].id: "county"}


def test_leader_changes_are_audited_and_drive_visibility(db, tworld):  # noqa: F811
    u, p, s = tworld["users"], tworld["project"], db.session
    assert not _sees(db, u["b_leader"], p)
    row = services.assign_leader(s, u["admin"], p, u["b_leader"].id, "county")
    s.commit()
    assert _sees(db, u["b_leader"], p)
    events = s.scalars(select(AuditRecord).where(AuditRecord.entity_type == "project", AuditRecord.entity_id == p.id,
                                                 AuditRecord.field == "leader")).all()
    assert [(e.user_id, e.old, e.new) for e in events] == [(u["admin"].id, None, "测试用户 (county)")]
    assert s.scalar(select(AuditRecord.action).where(AuditRecord.entity_type == "project_leader",
                                                     AuditRecord.entity_id == row.id)) == "create"
    other = tworld["project"].__class__(name="别的项目", resp_unit_id=tworld["units"]["b"].id, source="government",
                                        category="industry", version_id=1)
    s.add(other)
    s.flush()
    _refused(lambda: services.remove_leader(s, u["admin"], other, row.id), None)
    services.remove_leader(s, u["admin"], p, row.id)
    s.commit()
    assert not _sees(db, u["b_leader"], p)
    assert s.scalar(select(AuditRecord.action).where(AuditRecord.entity_type == "project_leader",
                                                     AuditRecord.entity_id == row.id,
                                                     AuditRecord.action == "delete")) == "delete"


def test_dept_sees_the_project_until_removed(db, tworld):  # noqa: F811
    u, p, s, units = tworld["users"], tworld["project"], db.session, tworld["units"]
    assert not _sees(db, u["b_officer"], p)
    row = services.assign_dept(s, u["a_officer"], p, units["b"].id)
    s.commit()
    assert _sees(db, u["b_officer"], p) and _sees(db, u["b_leader"], p)
    _refused(lambda: services.assign_dept(s, u["a_officer"], p, units["b"].id), "unit_id", units["b"].name)
    _refused(lambda: services.assign_dept(s, u["a_officer"], p, 0), "unit_id")
    services.remove_dept(s, u["a_officer"], p, row.id)
    s.commit()
    assert not _sees(db, u["b_officer"], p)
    fields = s.scalars(select(AuditRecord.old).where(AuditRecord.entity_type == "project", AuditRecord.field == "dept",
                                                     AuditRecord.entity_id == p.id, AuditRecord.old.is_not(None)))
    assert list(fields) == [units["b"].name]
    assert s.scalar(select(ProjectDept.id).where(ProjectDept.project_id == p.id)) is None


def test_team_member_of_another_unit_sees_the_project_until_removed(db, tworld):  # noqa: F811
    u, p, s = tworld["users"], tworld["project"], db.session
    assert not _sees(db, u["b_officer"], p)
    member = services.add_member(s, u["a_officer"], p, {"role": "member", "user_id": u["b_officer"].id})
    s.commit()
    assert member.unit_id == tworld["units"]["b"].id  # the user's unit by default
    assert _sees(db, u["b_officer"], p)
    assert not _sees(db, u["b_leader"], p)  # the member, not the member's unit
    _refused(lambda: services.add_member(s, u["a_officer"], p, {"role": "agent", "user_id": u["b_officer"].id}),
             "user_id")
    services.remove_member(s, u["a_officer"], p, member.id)
    s.commit()
    assert not _sees(db, u["b_officer"], p)
    actions = s.scalars(select(AuditRecord.action).where(AuditRecord.entity_type == "project_team_member",
                                                         AuditRecord.entity_id == member.id)
                        .order_by(AuditRecord.id)).all()
    assert actions == ["create", "delete"]


def test_team_rules_one_head_phones_and_outside_people(db, tworld):  # noqa: F811
    u, p, s = tworld["users"], tworld["project"], db.session
    add = lambda **data: services.add_member(s, u["a_officer"], p, data)  # noqa: E731
    head = add(role="leader", user_id=u["a_leader"].id)
    _refused(lambda: add(role="leader", user_id=u["a_officer"].id), "role", "组长")
    _refused(lambda: add(role="liaison", name="王联络"), "phone")
    _refused(lambda: add(role="liaison", name="王联络", phone="12345"), "phone", "0357-2345678")
    _refused(lambda: add(role="liaison", phone="13912345678"), "name")
    _refused(lambda: add(role="boss", name="王联络", phone="13912345678"), "role")
    outside = add(role="liaison", name=" 王联络 ", phone="+86 139 1234 5678", org="某某公司")
    landline = add(role="agent", name="李代办", phone="0357-2345678", unit_id=tworld["units"]["a"].id)
    assert (outside.name, outside.phone, outside.org, outside.user_id) == ("王联络", "13912345678", "某某公司", None)
    assert landline.phone == "0357-2345678" and landline.unit_id == tworld["units"]["a"].id
    services.remove_member(s, u["a_officer"], p, head.id)
    add(role="leader", name="赵组长", phone="13800001111")  # the head's place is free again
    roles = sorted(s.scalars(select(ProjectTeamMember.role).where(ProjectTeamMember.project_id == p.id)))
    assert roles == ["agent", "leader", "liaison"]
