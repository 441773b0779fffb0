"""Lead services: create with credit split, stage rules and refusals, time in stage, contact log,
signing, 保护期 release, and the audit trail of each."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.companies.services import create_company
from crm.core.errors import DomainError, StaleEdit
from crm.leads import services, stages
from crm.leads.rules import intent_key
from crm.models import AuditRecord, Interaction, LeadStageChange, LeadUnit, Signing

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(db, make_unit, make_user):
    city = make_unit("线索市", kind="city")
    a, b = make_unit("线索甲县", parent=city), make_unit("线索乙县", parent=city)
    users = {"a": make_user(("officer",), unit=a), "a_mgr": make_user(("manager",), unit=a),
             "b": make_user(("officer",), unit=b), "leader": make_user(("city_leader",), unit=city),
             "admin": make_user(("admin",), unit=city)}
    company = create_company(db.session, users["a"], {"name": "线索测试集团有限公司"})
    db.session.commit()
    return {"units": {"city": city, "a": a, "b": b}, "users": users, "company": company}


def new_lead(db, world, who="a", title="年产30万吨焦化项目", now=T0, **extra):
    lead = services.create_lead(db.session, world["users"][who],
                                {"company_id": world["company"].id, "title": title, **extra}, now=now)
    db.session.commit()
    return lead


def audit_rows(db, entity_type, entity_id, action=None):
    stmt = select(AuditRecord).where(AuditRecord.entity_type == entity_type, AuditRecord.entity_id == entity_id)
    if action:
        stmt = stmt.where(AuditRecord.action == action)
    return list(db.session.scalars(stmt))


def test_create_sets_owner_unit_protection_split_and_history(db, world):
    lead = new_lead(db, world, amount="5000", method="chain", referrer="李乡贤")
    assert lead.unit_id == world["units"]["a"].id and lead.owner_id == world["users"]["a"].id
    assert lead.stage == "clue" and lead.intent_key == intent_key("年产30万吨焦化")
    assert lead.protected_until == dt.date(2026, 3, 1) + dt.timedelta(days=90)
    assert lead.amount == Decimal("5000")
    assert services.credit_split(db.session, lead) == [(world["units"]["a"].id, "host", Decimal("100.00"))]
    history = stages.stage_history(db.session, lead)
    assert [(c.from_stage, c.to_stage) for c, _ in history] == [(None, "clue")]
    assert audit_rows(db, "lead", lead.id, "create")


def test_protection_days_is_a_setting(db, world):
    from crm.settings import set_value
    set_value(db.session, None, "lead_protection_days", 30)
    assert new_lead(db, world).protected_until == dt.date(2026, 3, 31)


def test_credit_split_must_add_up_to_100(db, world):
    b = world["units"]["b"].id
    lead = new_lead(db, world, host_credit=60, assists=[(b, 40)])
    assert sorted((u, r, c) for u, r, c in services.credit_split(db.session, lead)) == sorted(
        [(world["units"]["a"].id, "host", Decimal("60.00")), (b, "assist", Decimal("40.00"))])
    for host, assists in ((60, [(b, 30)]), (100, [(b, 10)]), (0, [(b, 100)]), (50, [(b, 25), (b, 25)]),
                          (50, [(world["units"]["a"].id, 50)])):
        with pytest.raises(DomainError) as err:
            services.create_lead(db.session, world["users"]["a"], {
                "company_id": world["company"].id, "title": "另一个项目", "host_credit": host, "assists": assists})
        assert err.value.field in ("host_credit", "assists")
        db.session.rollback()
    services.set_credit_split(db.session, world["users"]["a"], lead, 70, [(b, 30)])
    assert {r.unit_id: r.credit for r in db.session.scalars(select(LeadUnit).where(LeadUnit.lead_id == lead.id))} \
        == {world["units"]["a"].id: Decimal("70.00"), b: Decimal("30.00")}
    assert any(r.field == "credit_split" for r in audit_rows(db, "lead", lead.id, "update"))


@pytest.mark.parametrize(("data", "field"), [({"title": " —— "}, "title"), ({"company_id": 10 ** 9}, "company_id"),
                                             ({"amount": "-1"}, "amount"), ({"method": "magic"}, "method")])
def test_create_refusals(db, world, data, field):
    with pytest.raises(DomainError) as err:
        services.create_lead(db.session, world["users"]["a"],
                             {"company_id": world["company"].id, "title": "项目", **data})
    assert err.value.field == field


def test_forward_moves_may_skip_and_time_in_stage_is_recorded(db, world):
    lead = new_lead(db, world)
    change = stages.change_stage(db.session, world["users"]["a"], lead, "visit", at=T0 + dt.timedelta(hours=5))
    assert lead.stage == "visit" and change.seconds_in_previous == 5 * 3600
    change = stages.change_stage(db.session, world["users"]["a"], lead, "negotiate", at=T0 + dt.timedelta(days=2))
    assert change.seconds_in_previous == 2 * 86400 - 5 * 3600
    rows = list(db.session.scalars(select(LeadStageChange).where(LeadStageChange.lead_id == lead.id)
                                   .order_by(LeadStageChange.id)))
    assert [(r.from_stage, r.to_stage, r.user_id) for r in rows][1:] == [
        ("clue", "visit", world["users"]["a"].id), ("visit", "negotiate", world["users"]["a"].id)]
    assert {r.field for r in audit_rows(db, "lead", lead.id, "update")} >= {"stage"}


def test_backward_needs_a_manager(db, world):
    lead = new_lead(db, world)
    stages.change_stage(db.session, world["users"]["a"], lead, "negotiate")
    with pytest.raises(DomainError, match="manager|管理人员") as err:
        stages.change_stage(db.session, world["users"]["a"], lead, "contact")
    assert err.value.field == "stage"
    stages.change_stage(db.session, world["users"]["a_mgr"], lead, "contact")
    assert lead.stage == "contact"
    stages.change_stage(db.session, world["users"]["admin"], lead, "clue")
    assert lead.stage == "clue"


def test_pause_and_end_need_a_reason_and_reopen_returns(db, world):
    lead = new_lead(db, world)
    stages.change_stage(db.session, world["users"]["a"], lead, "visit")
    for exit_stage in ("paused", "ended"):
        with pytest.raises(DomainError) as err:
            stages.change_stage(db.session, world["users"]["a"], lead, exit_stage, reason="  ")
        assert err.value.field == "reason"
    stages.change_stage(db.session, world["users"]["a"], lead, "paused", reason="企业资金紧张")
    assert (lead.stage, lead.stage_before_exit, lead.exit_reason) == ("paused", "visit", "企业资金紧张")
    stages.change_stage(db.session, world["users"]["a"], lead, "ended", reason="企业放弃")
    assert lead.stage_before_exit == "visit"  # paused → ended remembers the pipeline stage
    with pytest.raises(DomainError):
        stages.change_stage(db.session, world["users"]["a"], lead, "paused", reason="x")
    with pytest.raises(DomainError, match="manager|管理人员"):  # reopening to an earlier stage is a backward move
        stages.change_stage(db.session, world["users"]["a"], lead, "clue")
    stages.reopen_lead(db.session, world["users"]["a"], lead)
    assert (lead.stage, lead.stage_before_exit, lead.exit_reason) == ("visit", None, None)
    with pytest.raises(DomainError):
        stages.reopen_lead(db.session, world["users"]["a"], lead)


def test_stale_version_and_same_stage_refused(db, world):
    lead = new_lead(db, world)
    old = lead.version_id
    stages.change_stage(db.session, world["users"]["a"], lead, "contact", expected_version=old)
    with pytest.raises(StaleEdit):
        stages.change_stage(db.session, world["users"]["a"], lead, "visit", expected_version=old)
    with pytest.raises(DomainError, match="already|已"):
        stages.change_stage(db.session, world["users"]["a"], lead, "contact")


def test_signed_needs_a_contract_and_a_contract_signs(db, world):
    lead = new_lead(db, world)
    with pytest.raises(DomainError, match="contract|合同"):
        stages.change_stage(db.session, world["users"]["a"], lead, "signed")
    services.record_signing(db.session, world["users"]["a"], lead, kind="framework", signed_on=dt.date(2026, 4, 1),
                            amount="20000")
    assert lead.stage == "clue"
    with pytest.raises(DomainError) as err:
        services.record_signing(db.session, world["users"]["a"], lead, kind="contract",
                                signed_on=dt.date(2026, 5, 1), deadline_start=dt.date(2026, 4, 1))
    assert err.value.field == "deadline_start"
    signing = services.record_signing(db.session, world["users"]["a"], lead, kind="contract",
                                      signed_on=dt.date(2026, 5, 1), amount="30000",
                                      deadline_register=dt.date(2026, 6, 1), deadline_start=dt.date(2026, 9, 1),
                                      deadline_production=dt.date(2027, 9, 1), intensity="300")
    assert lead.stage == "signed" and signing.unit_id == lead.unit_id and signing.company_id == lead.company_id
    assert db.session.scalar(select(LeadStageChange.to_stage).where(LeadStageChange.lead_id == lead.id)
                             .order_by(LeadStageChange.id.desc()).limit(1)) == "signed"
    assert len(list(db.session.scalars(select(Signing).where(Signing.lead_id == lead.id)))) == 2
    assert audit_rows(db, "signing", signing.id, "create")


def test_log_interaction_updates_last_contact_followup_and_protection(db, world):
    lead = new_lead(db, world)
    at = dt.datetime(2026, 4, 10, 8, 0, tzinfo=UTC)
    interaction = services.log_interaction(
        db.session, world["users"]["b"], lead, kind="visit", at=at, summary="到企业总部拜访",
        next_step="发送园区资料", next_followup=dt.date(2026, 4, 20), participants="张三, 李四")
    db.session.commit()
    assert stages.aware(lead.last_contact_at) == at and lead.next_followup == dt.date(2026, 4, 20)
    assert lead.protected_until == dt.date(2026, 4, 10) + dt.timedelta(days=90)
    assert interaction.unit_id == world["units"]["b"].id and interaction.company_id == lead.company_id
    # An older contact logged later neither moves the last contact back nor shortens the 保护期.
    services.log_interaction(db.session, world["users"]["a"], lead, kind="call", at=at - dt.timedelta(days=5),
                             summary="电话", next_followup=None)
    assert stages.aware(lead.last_contact_at) == at and lead.next_followup == dt.date(2026, 4, 20)
    assert lead.protected_until == dt.date(2026, 7, 9)
    assert audit_rows(db, "interaction", interaction.id, "create")
    assert {r.field for r in audit_rows(db, "lead", lead.id, "update")} >= {"last_contact_at", "protected_until"}
    assert db.session.scalar(select(Interaction.id).where(Interaction.lead_id == lead.id).limit(1))


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"kind": "pigeon"}, "kind"), ({"summary": " "}, "summary"),
    ({"at": dt.datetime.now(UTC) + dt.timedelta(days=2)}, "at"),
    ({"next_followup": dt.date(2026, 1, 1)}, "next_followup")])
def test_log_interaction_refusals(db, world, kwargs, field):
    lead = new_lead(db, world)
    args = {"kind": "call", "summary": "电话", "at": dt.datetime(2026, 4, 1, tzinfo=UTC), **kwargs}
    with pytest.raises(DomainError) as err:
        services.log_interaction(db.session, world["users"]["a"], lead, **args)
    assert err.value.field == field


def test_release_expired(db, world):
    quiet = new_lead(db, world, title="无人跟进项目")
    followed = new_lead(db, world, title="有跟进项目")
    services.log_interaction(db.session, world["users"]["a"], followed, kind="call", summary="电话",
                             at=dt.datetime(2026, 5, 1, tzinfo=UTC))
    ended = new_lead(db, world, title="已终止项目")
    stages.change_stage(db.session, world["users"]["a"], ended, "ended", reason="放弃")
    db.session.commit()
    day = dt.date(2026, 3, 1) + dt.timedelta(days=91)
    released = services.release_expired(db.session, day)
    assert [lead.id for lead in released] == [quiet.id]
    assert quiet.protected_until is None and quiet.owner_id == world["users"]["a"].id
    assert followed.protected_until is not None and ended.protected_until is not None
    events = audit_rows(db, "lead", quiet.id, "state")
    assert [(e.field, e.new) for e in events] == [("protection", "released")]
    assert services.release_expired(db.session, day) == []  # nothing twice


def test_release_cli(app, db, world):
    lead = new_lead(db, world, title="命令行释放项目")
    result = app.test_cli_runner().invoke(args=["leads", "release", "--today", "2026-12-31"])
    assert result.exit_code == 0, result.output
    assert "命令行释放项目" in result.output and "线索甲县" in result.output
    db.session.refresh(lead)
    assert lead.protected_until is None
