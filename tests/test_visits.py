"""Trips (外出招商) and delegations (来访接待): create and edit with their refusals and audit, visibility
(lists and direct URLs), and visits logged through the contact log that move the lead."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crm.core.errors import DomainError
from crm.models import AuditRecord, Delegation, Interaction, Trip
from crm.visits import services
from tests.conftest import csrf_token
from tests.test_leads_services import new_lead, world  # noqa: F401 - the shared fixture

UTC = dt.timezone.utc
DAY = dt.date(2026, 3, 10)


def trip_data(**extra):
    return {"title": "长三角招商小分队", "start_on": DAY, "end_on": DAY + dt.timedelta(days=3),
            "destination_code": "3101", "team": "张三、李四", **extra}


def new_trip(db, world, who="a", **extra):  # noqa: F811
    trip = services.create_trip(db.session, world["users"][who], trip_data(**extra))
    db.session.commit()
    return trip


def test_trip_create_edit_and_audit(db, world):  # noqa: F811
    trip = new_trip(db, world)
    assert trip.unit_id == world["units"]["a"].id and trip.destination_code == "3101"
    services.update_trip(db.session, world["users"]["a"], trip, {"summary": "见了三家企业", "destination": "苏州工业园"})
    db.session.commit()
    fields = set(db.session.scalars(select(AuditRecord.field).where(
        AuditRecord.entity_type == "trip", AuditRecord.entity_id == trip.id, AuditRecord.action == "update")))
    assert fields == {"summary", "destination"}
    assert db.session.scalar(select(AuditRecord.id).where(
        AuditRecord.entity_type == "trip", AuditRecord.entity_id == trip.id, AuditRecord.action == "create"))


@pytest.mark.parametrize("bad, field", [
    ({"end_on": DAY - dt.timedelta(days=1)}, "end_on"),
    ({"title": "  "}, "title"),
    ({"destination_code": "99"}, "destination_code"),
    ({"destination_code": None, "destination": None}, "destination"),
])
def test_trip_refusals(db, world, bad, field):  # noqa: F811
    with pytest.raises(DomainError) as err:
        services.create_trip(db.session, world["users"]["a"], trip_data(**bad))
    assert err.value.field == field


def test_delegation_refusals(db, world):  # noqa: F811
    base = {"company_id": world["company"].id, "arrived_on": DAY}
    for bad, field in (({"left_on": DAY - dt.timedelta(days=1)}, "left_on"), ({"size": 0}, "size"),
                       ({"company_id": 10 ** 9}, "company_id")):
        with pytest.raises(DomainError) as err:
            services.create_delegation(db.session, world["users"]["a"], {**base, **bad})
        assert err.value.field == field
        db.session.rollback()
    delegation = services.create_delegation(db.session, world["users"]["a"], {**base, "size": 6, "head": "王总"})
    assert delegation.host_unit_id == world["units"]["a"].id


def test_trip_visit_updates_the_lead(db, world):  # noqa: F811
    lead = new_lead(db, world, now=dt.datetime.now(UTC) - dt.timedelta(days=30))
    before = lead.protected_until
    trip = new_trip(db, world)
    at = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    visit = services.record_visit(db.session, world["users"]["a"], trip=trip, lead=lead, at=at,
                                  summary="参观总部，谈二期", next_followup=dt.date.today() + dt.timedelta(days=7))
    db.session.commit()
    db.session.refresh(lead)
    assert (visit.kind, visit.trip_id, visit.lead_id, visit.company_id) == ("visit", trip.id, lead.id, lead.company_id)
    assert lead.last_contact_at.replace(tzinfo=UTC) == at
    assert lead.next_followup == dt.date.today() + dt.timedelta(days=7)
    assert lead.protected_until > before
    # A company with no lead: the visit is logged on the company alone.
    other = services.record_visit(db.session, world["users"]["a"], trip=trip, company_id=world["company"].id,
                                  at=at, summary="初次拜访")
    assert other.lead_id is None and other.trip_id == trip.id


def test_visit_refusals(db, world, make_unit):  # noqa: F811
    from crm.companies.services import create_company
    lead = new_lead(db, world, now=dt.datetime.now(UTC))
    trip = new_trip(db, world)
    elsewhere = create_company(db.session, world["users"]["a"], {"name": "另一家集团有限公司"})
    with pytest.raises(DomainError) as err:
        services.record_visit(db.session, world["users"]["a"], trip=trip, lead=lead, company_id=elsewhere.id,
                              summary="对不上的公司")
    assert err.value.field == "lead_id"
    with pytest.raises(DomainError) as err:
        services.record_visit(db.session, world["users"]["a"], trip=trip, summary="没选公司")
    assert err.value.field == "company_id"


def test_delegation_reception_is_a_delegation_interaction(db, world):  # noqa: F811
    lead = new_lead(db, world, now=dt.datetime.now(UTC) - dt.timedelta(days=3))
    data = {"company_id": world["company"].id, "arrived_on": dt.date.today()}
    delegation = services.create_delegation(db.session, world["users"]["a"], data)
    row = services.record_visit(db.session, world["users"]["a"], delegation=delegation, lead=lead,
                                summary="接待考察团，参观园区")
    db.session.commit()
    assert (row.kind, row.delegation_id, row.lead_id) == ("delegation", delegation.id, lead.id)
    db.session.refresh(lead)
    assert lead.last_contact_at is not None


# --- pages ----------------------------------------------------------------------------------------

def test_trip_pages_follow_the_scope(client, db, world, login):  # noqa: F811
    mine, theirs = new_trip(db, world, "a", title="甲县出访"), new_trip(db, world, "b", title="乙县出访")
    login(world["users"]["a"])
    html = client.get("/trips/").get_data(as_text=True)
    assert "甲县出访" in html and "乙县出访" not in html
    assert client.get(f"/trips/{mine.id}").status_code == 200
    for url in (f"/trips/{theirs.id}", f"/trips/{theirs.id}/edit"):
        assert client.get(url).status_code == 404, url
    token = csrf_token(client.get("/trips/new").get_data(as_text=True))
    response = client.post(f"/trips/{theirs.id}/visits", data={"csrf_token": token, "summary": "x"})
    assert response.status_code == 404
    login(world["users"]["leader"])
    html = client.get("/trips/").get_data(as_text=True)
    assert "甲县出访" in html and "乙县出访" in html


def test_trip_form_create_edit_and_add_visit(client, db, world, login):  # noqa: F811
    lead = new_lead(db, world, now=dt.datetime.now(UTC) - dt.timedelta(days=5))
    login(world["users"]["a"])
    token = csrf_token(client.get("/trips/new").get_data(as_text=True))
    bad = {"csrf_token": token, "title": "京津冀行", "start_on": "2026-04-05", "end_on": "2026-04-01",
           "province_code": "11", "city_code": ""}
    response = client.post("/trips/new", data=bad)
    assert response.status_code == 200 and db.session.scalar(select(Trip.id).where(Trip.title == "京津冀行")) is None
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)
    response = client.post("/trips/new", data={**bad, "end_on": "2026-04-08", "team": "招商科全体"})
    assert response.status_code == 302
    trip = db.session.scalar(select(Trip).where(Trip.title == "京津冀行"))
    assert trip.destination_code == "11" and trip.unit_id == world["units"]["a"].id
    html = client.get(f"/trips/{trip.id}/edit").get_data(as_text=True)
    assert 'selected value="11"' in html or 'value="11" selected' in html
    response = client.post(f"/trips/{trip.id}/edit", data={**bad, "end_on": "2026-04-09", "city_code": "1101"})
    assert response.status_code == 302
    db.session.refresh(trip)
    assert trip.end_on == dt.date(2026, 4, 9) and trip.destination_code == "1101"
    at = (dt.datetime.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/trips/{trip.id}/visits", data={
        "csrf_token": token, "company_id": "", "lead_id": lead.id, "at": at, "summary": "拜访集团总部",
        "next_step": "报送方案", "next_followup": (dt.date.today() + dt.timedelta(days=10)).isoformat()})
    assert response.status_code == 302
    visit = db.session.scalar(select(Interaction).where(Interaction.trip_id == trip.id))
    assert visit.lead_id == lead.id and visit.kind == "visit"
    db.session.refresh(lead)
    assert lead.next_followup == dt.date.today() + dt.timedelta(days=10)
    html = client.get(f"/trips/{trip.id}").get_data(as_text=True)
    assert "拜访集团总部" in html and world["company"].name in html


def test_visit_naming_another_units_lead_is_refused(client, db, world, login):  # noqa: F811
    theirs = new_lead(db, world, "b", title="乙县的项目", now=dt.datetime.now(UTC))
    trip = new_trip(db, world)
    login(world["users"]["a"])
    token = csrf_token(client.get(f"/trips/{trip.id}").get_data(as_text=True))
    at = (dt.datetime.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {"csrf_token": token, "lead_id": theirs.id, "at": at, "summary": "越界"}
    response = client.post(f"/trips/{trip.id}/visits", data=data)
    assert response.status_code == 422
    assert db.session.scalar(select(Interaction.id).where(Interaction.lead_id == theirs.id)) is None
    db.session.refresh(theirs)
    assert theirs.last_contact_at is None


def test_delegation_pages(client, db, world, login):  # noqa: F811
    login(world["users"]["a"])
    token = csrf_token(client.get("/delegations/new").get_data(as_text=True))
    data = {"csrf_token": token, "company_id": world["company"].id, "arrived_on": "2026-05-01",
            "left_on": "2026-04-30", "host_unit_id": world["units"]["a"].id, "size": "8", "head": "赵董事长"}
    assert client.post("/delegations/new", data=data).status_code == 200
    response = client.post("/delegations/new", data={**data, "host_unit_id": world["units"]["b"].id,
                                                     "left_on": "2026-05-02"})
    assert response.status_code == 200  # another unit's subtree is not a choice
    response = client.post("/delegations/new", data={**data, "left_on": "2026-05-02"})
    assert response.status_code == 302
    delegation = db.session.scalar(select(Delegation).where(Delegation.head == "赵董事长"))
    assert delegation.size == 8 and delegation.host_unit_id == world["units"]["a"].id
    response = client.post(f"/delegations/{delegation.id}/edit", data={**data, "left_on": "2026-05-03"})
    assert response.status_code == 302
    db.session.refresh(delegation)
    assert delegation.left_on == dt.date(2026, 5, 3)
    lead = new_lead(db, world, now=dt.datetime.now(UTC) - dt.timedelta(days=1))
    at = (dt.datetime.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/delegations/{delegation.id}/reception", data={
        "csrf_token": token, "lead_id": lead.id, "at": at, "summary": "陪同考察开发区"})
    assert response.status_code == 302
    row = db.session.scalar(select(Interaction).where(Interaction.delegation_id == delegation.id))
    assert row.kind == "delegation" and row.lead_id == lead.id
    assert "陪同考察开发区" in client.get(f"/delegations/{delegation.id}").get_data(as_text=True)
    assert "赵董事长" in client.get("/delegations/").get_data(as_text=True)
    login(world["users"]["b"])
    assert "赵董事长" not in client.get("/delegations/").get_data(as_text=True)
    for url in (f"/delegations/{delegation.id}", f"/delegations/{delegation.id}/edit"):
        assert client.get(url).status_code == 404, url


def test_nav_lists_trips_and_delegations(client, world, login):  # noqa: F811
    login(world["users"]["a"])
    html = client.get("/trips/").get_data(as_text=True)
    assert 'href="/trips/"' in html and 'href="/delegations/"' in html
