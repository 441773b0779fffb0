"""撞单: detection on create, the notice (other unit, owner and 首报 date only), and each ruling."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.core.errors import DomainError
from crm.leads import conflicts, services
from crm.models import AuditRecord, LeadConflict, LeadStageChange
from tests.test_leads_services import T0, new_lead, world  # noqa: F401 - the shared fixture


def clash(db, world):  # noqa: F811
    first = new_lead(db, world, "a", title="年产30万吨焦化项目", amount="88888", referrer="秘密引荐人")
    second = new_lead(db, world, "b", title="年产 30 万吨 焦化", now=T0 + dt.timedelta(days=3))
    conflict = db.session.scalar(select(LeadConflict).where(LeadConflict.lead_b_id == second.id))
    return first, second, conflict


def test_matching_lead_of_another_unit_is_flagged(db, world):  # noqa: F811
    first, second, conflict = clash(db, world)
    assert conflict is not None and conflict.lead_a_id == first.id and conflict.status == "open"
    assert second.stage == "clue"  # created all the same
    assert db.session.scalar(select(AuditRecord.id).where(AuditRecord.entity_type == "lead_conflict",
                                                          AuditRecord.entity_id == conflict.id))


def test_no_clash_for_same_unit_other_intent_ended_or_released(db, world):  # noqa: F811
    base = new_lead(db, world, "a", title="焦化项目")
    new_lead(db, world, "a_mgr", title="焦化")                      # same unit
    new_lead(db, world, "b", title="氢能项目")                       # another intent
    ended = new_lead(db, world, "a", title="光伏项目")
    from crm.leads.stages import change_stage
    change_stage(db.session, world["users"]["a"], ended, "ended", reason="放弃")
    new_lead(db, world, "b", title="光伏")                           # the other lead ended
    released = new_lead(db, world, "a", title="储能项目")
    services.release_expired(db.session, dt.date(2026, 12, 31))
    assert released.protected_until is None
    new_lead(db, world, "b", title="储能", now=dt.datetime(2027, 1, 5, tzinfo=dt.timezone.utc))  # released
    rows = list(db.session.scalars(select(LeadConflict)))
    assert rows == [] and base.id


def test_notice_shows_only_other_unit_owner_and_date(db, world, client, login):  # noqa: F811
    first, second, conflict = clash(db, world)
    notice_a, = conflicts.notices_for(db.session, first)
    notice_b, = conflicts.notices_for(db.session, second)
    assert (notice_a.other_unit, notice_a.other_owner) == ("线索乙县", world["users"]["b"].name)
    assert notice_b.other_unit == "线索甲县" and notice_b.other_first_reported_at == T0
    assert set(vars(notice_b)) == {"conflict_id", "status", "ruling", "kept", "other_unit", "other_owner",
                                   "other_first_reported_at"}
    login(world["users"]["b"])
    html = client.get(f"/leads/{second.id}").get_data(as_text=True)
    assert 'data-testid="conflict-notice"' in html and "线索甲县" in html and "2026-03-01" in html
    assert "88888" not in html and "秘密引荐人" not in html and f"/leads/{first.id}" not in html
    assert client.get(f"/leads/{first.id}").status_code == 404


def test_keep_ends_the_other_lead(db, world):  # noqa: F811
    first, second, conflict = clash(db, world)
    conflicts.rule_conflict(db.session, world["users"]["leader"], conflict, "keep", first.id, note="甲县先报")
    assert (second.stage, second.exit_reason, second.stage_before_exit) == ("ended", "撞单", "clue")
    assert (conflict.status, conflict.ruling, conflict.kept_lead_id) == ("ruled", "keep", first.id)
    assert conflict.ruled_by == world["users"]["leader"].id and conflict.note == "甲县先报"
    assert db.session.scalar(select(LeadStageChange.reason).where(LeadStageChange.lead_id == second.id,
                                                                  LeadStageChange.to_stage == "ended")) == "撞单"
    fields = set(db.session.scalars(select(AuditRecord.field).where(AuditRecord.entity_type == "lead_conflict",
                                                                    AuditRecord.entity_id == conflict.id)))
    assert {"status", "ruling", "kept_lead_id"} <= fields
    with pytest.raises(DomainError, match="already|已"):
        conflicts.rule_conflict(db.session, world["users"]["leader"], conflict, "share", first.id)
    # Only an admin may reopen a lead that lost a ruling.
    from crm.leads.stages import reopen_lead
    with pytest.raises(DomainError):
        reopen_lead(db.session, world["users"]["b"], second)


def test_share_splits_credit_on_both(db, world):  # noqa: F811
    first, second, conflict = clash(db, world)
    a, b = world["units"]["a"].id, world["units"]["b"].id
    conflicts.rule_conflict(db.session, world["users"]["admin"], conflict, "share", first.id, credit=60)
    assert first.stage == second.stage == "clue"
    assert dict((u, c) for u, _r, c in services.credit_split(db.session, first)) == {a: Decimal("60"), b: Decimal("40")}
    assert dict((u, c) for u, _r, c in services.credit_split(db.session, second)) == {a: Decimal("60"),
                                                                                      b: Decimal("40")}
    assert [r for _u, r, _c in services.credit_split(db.session, second)][0] == "host"
    assert conflicts.notices_for(db.session, first)[0].kept is True
    assert conflicts.notices_for(db.session, second)[0].kept is False


def test_share_refuses_a_share_outside_0_100(db, world):  # noqa: F811
    first, _second, conflict = clash(db, world)
    with pytest.raises(DomainError) as err:
        conflicts.rule_conflict(db.session, world["users"]["admin"], conflict, "share", first.id, credit=100)
    assert err.value.field == "credit"
    with pytest.raises(DomainError) as err:
        conflicts.rule_conflict(db.session, world["users"]["admin"], conflict, "keep", 10 ** 9)
    assert err.value.field == "kept_lead_id"


def test_transfer_moves_unit_and_owner_keeping_history(db, world):  # noqa: F811
    first, second, conflict = clash(db, world)
    services.log_interaction(db.session, world["users"]["b"], second, kind="call", summary="乙县的电话",
                             at=T0 + dt.timedelta(days=4))
    conflicts.rule_conflict(db.session, world["users"]["leader"], conflict, "transfer", first.id)
    assert (second.unit_id, second.owner_id) == (world["units"]["a"].id, world["users"]["a"].id)
    assert services.credit_split(db.session, second) == [(world["units"]["a"].id, "host", Decimal("100.00"))]
    assert second.stage == "clue" and second.last_contact_at is not None
    olds = {(r.field, r.old) for r in db.session.scalars(select(AuditRecord).where(
        AuditRecord.entity_type == "lead", AuditRecord.entity_id == second.id, AuditRecord.action == "update"))}
    assert ("unit_id", str(world["units"]["b"].id)) in olds and ("owner_id", str(world["users"]["b"].id)) in olds
