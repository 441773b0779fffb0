"""Approvals (前期手续): checklists generated from the template for three kinds of project, the status
rules and refusals, a profile change that keeps recorded items, "in 前期" in Python and SQL, the 月报
summary text, and the template setting (its multi-choice and yes/no cells) driving new checklists."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from crm.approvals import derived, services
from crm.approvals.template import DEFAULT_ROWS
from crm.attachments.services import delete as delete_attachment, store
from crm.core.errors import DomainError, StaleEdit
from crm.models import ApprovalItem, AuditRecord, Project
from crm.settings.registry import get as get_setting, set_value
from tests.test_projects_services import new_project, pworld  # noqa: F401 - the shared fixture

GOVERNMENT = {"approval_type": "approve", "land_supply": "allocated", "in_zone": False}
ZONE_FILING = {"approval_type": "record", "land_supply": "transfer", "in_zone": True}
VERIFIED = {"approval_type": "verify", "land_supply": "none", "in_zone": False}

EXPECTED = {
    "government": {
        1: {"project_approval", "site_selection", "land_allocation", "land_planning", "land_title", "eia", "energy",
            "soil_water", "stability", "mineral", "geohazard"},
        2: {"works_planning", "preliminary_design", "drawing_review", "fire_design", "civil_defense"},
        3: {"construction_permit"}, 4: {"joint_acceptance", "completion_filing"}},
    "zone_filing": {
        1: {"project_record", "land_contract", "standard_land", "land_planning", "land_title", "eia", "energy",
            "soil_water", "mineral", "geohazard"},
        2: {"works_planning", "drawing_review", "fire_design", "civil_defense"},
        3: {"construction_permit"}, 4: {"joint_acceptance", "completion_filing"}},
    "verified": {
        1: {"project_verify", "eia", "energy", "soil_water", "stability"},
        2: {"works_planning", "drawing_review", "fire_design", "civil_defense"},
        3: {"construction_permit"}, 4: {"joint_acceptance", "completion_filing"}},
}
PROFILES = {"government": GOVERNMENT, "zone_filing": ZONE_FILING, "verified": VERIFIED}


def profiled(db, pworld, profile, **extra):  # noqa: F811
    project = new_project(db, pworld, **extra)
    services.set_profile(db.session, pworld["users"]["a"], project, profile)
    db.session.commit()
    return project


def items(db, project) -> dict[str, ApprovalItem]:
    return {i.item_key: i for i in services.items_of(db.session, project.id)}


def by_stage(db, project) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for item in services.items_of(db.session, project.id):
        out.setdefault(item.stage, set()).add(item.item_key)
    return out


@pytest.mark.parametrize("name", ["government", "zone_filing", "verified"])
def test_the_template_gives_each_kind_of_project_its_checklist(db, pworld, name):  # noqa: F811
    project = profiled(db, pworld, PROFILES[name])
    assert by_stage(db, project) == EXPECTED[name]
    rows = items(db, project)
    assert all(i.status == "todo" and i.applicable for i in rows.values())
    assert rows["eia"].name == "环境影响评价批复" and rows["eia"].commitment_allowed and rows["eia"].regional_allowed
    assert not rows["construction_permit"].regional_allowed
    created = db.session.scalar(select(AuditRecord.id).where(AuditRecord.entity_type == "approval_profile",
                                                             AuditRecord.action == "create"))
    assert created is not None


def update(db, pworld, project, key, who="a", **data):  # noqa: F811
    item = items(db, project)[key]
    services.update_item(db.session, pworld["users"][who], project, item, data, expected_version=item.version_id)
    db.session.commit()
    return item


@pytest.mark.parametrize("profile,key,data,field,words", [
    (GOVERNMENT, "land_allocation", {"status": "commitment"}, "status", "承诺制"),
    (GOVERNMENT, "eia", {"status": "regional"}, "status", "区域评估"),
    (ZONE_FILING, "works_planning", {"status": "regional"}, "status", "区域评估"),
    (GOVERNMENT, "eia", {"status": "done", "authority": "临汾市生态环境局"}, "doc_number", "批复文号"),
    (GOVERNMENT, "eia", {"status": "na"}, "note", "不适用"),
    (GOVERNMENT, "eia", {"status": "done", "doc_number": "临环审〔2026〕1号", "approved_on": "2026-13-01"},
     "approved_on", "YYYY-MM-DD"),
    (GOVERNMENT, "eia", {"status": "done", "doc_number": "临环审〔2026〕1号", "approved_on": "2999-01-01"},
     "approved_on", "2999-01-01"),
    (GOVERNMENT, "eia", {"status": "finished"}, "status", "finished"),
    (GOVERNMENT, "eia", {"status": "done", "attachment_id": "999999"}, "attachment_id", ""),
])
def test_status_rules_refuse_with_a_clear_message(db, pworld, profile, key, data, field, words):  # noqa: F811
    project = profiled(db, pworld, profile)
    with pytest.raises(DomainError) as err:
        update(db, pworld, project, key, **data)
    db.session.rollback()
    assert err.value.field == field and words in str(err.value.message)
    assert items(db, project)[key].status == "todo"


def test_allowed_statuses_and_proof(db, pworld):  # noqa: F811
    project = profiled(db, pworld, ZONE_FILING)
    other = new_project(db, pworld, name="另一个项目")
    foreign = store(db.session, pworld["users"]["a"], "project", other.id, "别的.pdf", io.BytesIO(b"%PDF-1.4 x"))
    proof = store(db.session, pworld["users"]["a"], "project", project.id, "环评批复.pdf", io.BytesIO(b"%PDF-1.4 y"))
    db.session.commit()
    with pytest.raises(DomainError) as err:
        update(db, pworld, project, "eia", status="done", attachment_id=str(foreign.id))
    db.session.rollback()
    assert err.value.field == "attachment_id"
    item = update(db, pworld, project, "eia", status="done", attachment_id=str(proof.id), authority="临汾市生态环境局",
                  approved_on="2026-03-02")
    assert (item.status, item.attachment_id, item.approved_on) == ("done", proof.id, dt.date(2026, 3, 2))
    assert update(db, pworld, project, "mineral", status="regional").status == "regional"
    assert update(db, pworld, project, "energy", status="commitment", doc_number="承诺书").status == "commitment"
    assert update(db, pworld, project, "civil_defense", status="na", note="地下无人防要求").status == "na"
    audit = db.session.execute(select(AuditRecord.field, AuditRecord.new).where(
        AuditRecord.entity_type == "approval_item", AuditRecord.entity_id == item.id)).all()
    assert ("status", "done") in audit and ("authority", "临汾市生态环境局") in audit
    assert db.session.scalar(select(AuditRecord.id).where(
        AuditRecord.entity_type == "project", AuditRecord.entity_id == project.id,
        AuditRecord.field == "approval: 环境影响评价批复", AuditRecord.new == "done")) is not None
    # Deleting the file leaves the item without it (the database sets the reference to NULL).
    delete_attachment(db.session, pworld["users"]["a"], proof)
    db.session.commit()
    db.session.expire_all()
    assert items(db, project)["eia"].attachment_id is None


def test_a_stale_item_edit_is_refused(db, pworld):  # noqa: F811
    project = profiled(db, pworld, GOVERNMENT)
    item = items(db, project)["eia"]
    old = item.version_id
    update(db, pworld, project, "eia", status="doing")
    with pytest.raises(StaleEdit):
        services.update_item(db.session, pworld["users"]["a"], project, item, {"status": "todo"},
                             expected_version=old)
    db.session.rollback()
    assert items(db, project)["eia"].status == "doing"


def test_changing_the_profile_keeps_recorded_items(db, pworld):  # noqa: F811
    project = profiled(db, pworld, GOVERNMENT)
    update(db, pworld, project, "site_selection", status="done", doc_number="用字第141000202600001号")
    update(db, pworld, project, "preliminary_design", status="doing")
    untouched_id = items(db, project)["land_allocation"].id
    profile = services.profile_of(db.session, project.id)
    services.set_profile(db.session, pworld["users"]["a"], project, ZONE_FILING, expected_version=profile.version_id)
    db.session.commit()
    rows = items(db, project)
    kept = {k for k, i in rows.items() if not i.applicable}
    assert kept == {"site_selection", "preliminary_design"}
    assert rows["site_selection"].doc_number == "用字第141000202600001号"
    assert {k for k, i in rows.items() if i.applicable} == set().union(*EXPECTED["zone_filing"].values())
    assert db.session.get(ApprovalItem, untouched_id) is None  # untouched and no longer called for: gone
    assert db.session.scalar(select(AuditRecord.id).where(AuditRecord.entity_type == "approval_item",
                                                          AuditRecord.entity_id == untouched_id,
                                                          AuditRecord.action == "delete")) is not None
    # Back to the first profile: the kept item applies again, with its record.
    services.set_profile(db.session, pworld["users"]["a"], project, GOVERNMENT)
    db.session.commit()
    rows = items(db, project)
    assert rows["site_selection"].applicable and rows["site_selection"].status == "done"
    assert set(rows) == set().union(*EXPECTED["government"].values())  # the untouched 备案 items went again


def test_a_profile_change_that_would_invalidate_a_status_is_refused(db, pworld):  # noqa: F811
    project = profiled(db, pworld, ZONE_FILING)
    update(db, pworld, project, "eia", status="regional")
    profile = services.profile_of(db.session, project.id)
    with pytest.raises(DomainError) as err:
        services.set_profile(db.session, pworld["users"]["a"], project, {**ZONE_FILING, "in_zone": False},
                             expected_version=profile.version_id)
    db.session.rollback()
    assert "环境影响评价批复" in str(err.value.message)
    assert services.profile_of(db.session, project.id).in_zone
    with pytest.raises(StaleEdit):
        services.set_profile(db.session, pworld["users"]["a"], project, VERIFIED, expected_version=0)
    db.session.rollback()
    with pytest.raises(DomainError) as err:
        services.set_profile(db.session, pworld["users"]["a"], project, {"approval_type": "x", "land_supply": "none"})
    assert err.value.field == "approval_type"


def settle(db, pworld, project, stages=(1, 2, 3)):  # noqa: F811
    for key, item in items(db, project).items():
        if item.stage in stages and item.applicable:
            update(db, pworld, project, key, status="done", doc_number=f"文号-{key}")


def test_in_preparation_python_and_sql_agree(db, pworld):  # noqa: F811
    bare = new_project(db, pworld, name="无清单项目")
    fresh = profiled(db, pworld, VERIFIED, name="新清单项目")
    settled = profiled(db, pworld, VERIFIED, name="前三阶段已办项目")
    settle(db, pworld, settled)
    almost = profiled(db, pworld, VERIFIED, name="差一项项目")
    settle(db, pworld, almost)
    update(db, pworld, almost, "construction_permit", status="doing")
    retired = profiled(db, pworld, GOVERNMENT, name="改了类型的项目")
    update(db, pworld, retired, "preliminary_design", status="doing")
    services.set_profile(db.session, pworld["users"]["a"], retired, VERIFIED)
    settle(db, pworld, retired)  # the kept 初步设计 item (在办, no longer called for) does not hold it in 前期
    projects = [bare, fresh, settled, almost, retired]
    ids = [p.id for p in projects]
    python = derived.preparation_flags(db.session, ids)
    sql = set(db.session.scalars(select(Project.id).where(Project.id.in_(ids), derived.in_preparation_condition())))
    assert python == {bare.id: False, fresh.id: True, settled.id: False, almost.id: True, retired.id: False}
    assert sql == {pid for pid, flag in python.items() if flag}
    not_in = ~derived.in_preparation_condition()
    outside = set(db.session.scalars(select(Project.id).where(Project.id.in_(ids), not_in)))
    assert outside == set(ids) - sql


def test_progress_and_summary_text(db, pworld):  # noqa: F811
    project = profiled(db, pworld, VERIFIED)
    for key in ("project_verify", "eia", "soil_water", "works_planning", "drawing_review"):
        update(db, pworld, project, key, status="done", doc_number=f"文号-{key}")
    update(db, pworld, project, "energy", status="commitment")
    update(db, pworld, project, "civil_defense", status="na", note="无地下室")
    update(db, pworld, project, "stability", status="doing")
    update(db, pworld, project, "construction_permit", status="doing")
    progress = derived.stage_progress(db.session, project.id)
    assert [(p.stage, p.done, p.applicable) for p in progress] == [(1, 4, 5), (2, 2, 3), (3, 0, 1), (4, 0, 2)]
    bare = new_project(db, pworld, name="无清单项目")
    text = derived.summary_text(db.session, [project.id, bare.id])
    assert text == {project.id: "已办 6/11；在办：社会稳定风险评估、建筑工程施工许可证；未办：消防设计审查", bare.id: ""}


def test_the_template_setting_drives_new_checklists(db, pworld):  # noqa: F811
    rows = [r for r in DEFAULT_ROWS if r["key"] != "stability"]
    rows.append({"key": "water_intake", "stage": "1", "name": "取水许可", "types": "verify,record",
                 "land": ["none"], "zone": "outside", "commitment": "1", "regional": ""})
    set_value(db.session, None, "approval_template", rows)
    db.session.commit()
    stored = get_setting(db.session, "approval_template")[-1]
    assert stored == {"key": "water_intake", "stage": "1", "name": "取水许可", "types": ["verify", "record"],
                      "land": ["none"], "zone": "outside", "commitment": True, "regional": False}
    project = profiled(db, pworld, VERIFIED)
    assert by_stage(db, project)[1] == EXPECTED["verified"][1] - {"stability"} | {"water_intake"}
    assert items(db, project)["water_intake"].commitment_allowed
    assert "water_intake" not in items(db, profiled(db, pworld, ZONE_FILING))


@pytest.mark.parametrize("change,words", [
    ({"types": []}, "25"), ({"land": ["moon"]}, "moon"), ({"key": "eia"}, "eia"),
    ({"key": "bad key!"}, "bad key!"), ({"stage": "5"}, "5"),
])
def test_bad_template_rows_are_refused(db, change, words):
    row = {"key": "extra", "stage": "1", "name": "额外事项", "types": ["record"], "land": ["none"], "zone": "any",
           "commitment": False, "regional": False, **change}
    with pytest.raises(DomainError) as err:
        set_value(db.session, None, "approval_template", [*DEFAULT_ROWS, row])
    assert words in str(err.value.message)
    assert get_setting(db.session, "approval_template") == DEFAULT_ROWS
