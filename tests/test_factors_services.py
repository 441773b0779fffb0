"""要素保障 services: pool arithmetic on a hand-computed fixture (three projects in two counties, partial
allocations, a top-up, refusals beyond the outstanding amount and beyond the pool), status derivation, the
audit trail, the overview's per-kind figures with and without the unit filter, stale forms and bad input."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from crm.core.errors import DomainError, StaleEdit
from crm.factors import listing, services
from crm.factors.rules import derive_status, outstanding
from crm.models import AuditRecord, FactorAllocation, FactorRequest
from crm.projects import services as project_services
from crm.security.scope import unit_subtree


@pytest.fixture
def fworld(db, make_unit, make_user):
    city = make_unit("要素市", kind="city")
    a = make_unit("要素甲县", parent=city)
    zone = make_unit("要素甲县开发区", kind="zone", parent=a)
    b = make_unit("要素乙县", parent=city)
    c = make_unit("要素丙县", parent=city)
    users = {"a": make_user(("officer",), unit=a), "b": make_user(("officer",), unit=b),
             "c": make_user(("officer",), unit=c), "leader": make_user(("city_leader",), unit=city),
             "admin": make_user(("admin",), unit=city)}

    def project(name, unit):
        return project_services.create_project(db.session, users["admin"], {
            "name": name, "source": "enterprise", "category": "industry", "resp_unit_id": unit.id})

    projects = {"a1": project("甲县特钢项目", a), "zone": project("开发区焦化项目", zone), "b": project("乙县新材料项目", b)}
    db.session.commit()
    return {"units": {"city": city, "a": a, "zone": zone, "b": b, "c": c}, "users": users, "projects": projects}


def ask(db, fworld, project, kind, amount, year=2026):
    req = services.create_request(db.session, fworld["users"]["a"], fworld["projects"][project], {
        "year": str(year), "kind": kind, "amount": amount, "requested_on": "2026-03-01", "purpose": "一期用地"})
    db.session.commit()
    return req


def give(db, fworld, req, amount, doc="临政函〔2026〕1号"):
    grant = services.allocate(db.session, fworld["users"]["leader"], req, {
        "amount": amount, "allocated_on": "2026-04-01", "doc_no": doc})
    db.session.commit()
    return grant


def refused(db, call) -> str:
    """The refusal's message in English (the messages are lazy: the locale is the one in force when read)."""
    with pytest.raises(DomainError) as info:
        call()
    db.session.rollback()
    with force_locale("en"):
        return str(info.value.message)


@pytest.fixture
def played(db, fworld):
    """The year 2026, worked through. Land pool 100 亩, topped up by 20 to 120; energy pool 5000 吨标准煤; no COD pool.

    land  a1 60: 40 + 15 = 55 (部分保障, 5 outstanding)   zone 30: 30 (已保障)   b 50: 20 (部分保障, 30 outstanding)
    energy b 2000: 500, then refused (不予保障: nothing outstanding)   COD a1 1.5: nothing (no pool)
    land totals: requested 140, allocated 105, outstanding 35, pool remaining 120 − 105 = 15.
    """
    leader = fworld["users"]["leader"]
    services.set_pool(db.session, leader, {"year": "2026", "kind": "land", "amount": "100", "note": "市自然资源局下达"})
    services.set_pool(db.session, leader, {"year": "2026", "kind": "energy", "amount": "5000"})
    db.session.commit()
    reqs = {"a1_land": ask(db, fworld, "a1", "land", "60"), "zone_land": ask(db, fworld, "zone", "land", "30"),
            "b_land": ask(db, fworld, "b", "land", "50"), "b_energy": ask(db, fworld, "b", "energy", "2000"),
            "a1_cod": ask(db, fworld, "a1", "emission_cod", "1.5")}
    give(db, fworld, reqs["a1_land"], "40")
    give(db, fworld, reqs["zone_land"], "30")
    errors = {"beyond_pool": refused(db, lambda: services.allocate(db.session, leader, reqs["b_land"],
                                                                   {"amount": "50"}))}
    give(db, fworld, reqs["b_land"], "20")  # pool now 100 − 90 = 10 left
    errors["beyond_outstanding"] = refused(db, lambda: services.allocate(db.session, leader, reqs["a1_land"],
                                                                         {"amount": "25"}))
    errors["beyond_pool_again"] = refused(db, lambda: services.allocate(db.session, leader, reqs["a1_land"],
                                                                        {"amount": "15"}))
    services.set_pool(db.session, leader, {"year": "2026", "kind": "land", "amount": "20", "note": "省追加"})
    db.session.commit()
    give(db, fworld, reqs["a1_land"], "15")
    give(db, fworld, reqs["b_energy"], "500")
    services.refuse(db.session, leader, reqs["b_energy"], {"reason": "能耗双控压减"})
    db.session.commit()
    errors["after_refusal"] = refused(db, lambda: services.allocate(db.session, leader, reqs["b_energy"],
                                                                    {"amount": "1"}))
    errors["no_pool"] = refused(db, lambda: services.allocate(db.session, leader, reqs["a1_cod"], {"amount": "1"}))
    errors["granted"] = refused(db, lambda: services.allocate(db.session, leader, reqs["zone_land"], {"amount": "1"}))
    return {"reqs": reqs, "errors": errors}


def test_status_derivation():
    assert derive_status(D("10"), D("0")) == "requested"
    assert derive_status(D("10"), D("0.001")) == "partial"
    assert derive_status(D("10"), D("10")) == "granted"
    assert derive_status(D("10"), D("4"), refused=True) == "refused"
    assert outstanding(D("10"), D("4"), "partial") == D("6")
    assert outstanding(D("10"), D("4"), "refused") == D("0")


def test_pool_arithmetic_statuses_and_refusals(db, fworld, played):
    reqs, errors = played["reqs"], played["errors"]
    for req in reqs.values():
        db.session.refresh(req)
    assert {k: r.status for k, r in reqs.items()} == {
        "a1_land": "partial", "zone_land": "granted", "b_land": "partial", "b_energy": "refused", "a1_cod": "requested"}
    assert services.request_allocated(db.session, reqs["a1_land"].id) == D("55")
    assert reqs["b_energy"].refusal_reason == "能耗双控压减"
    # The refusals name the figure that stopped them.
    assert "pool has left (30" in errors["beyond_pool"]
    assert "outstanding 20" in errors["beyond_outstanding"]
    assert "pool has left (10" in errors["beyond_pool_again"]
    assert "closed" in errors["after_refusal"] and "closed" in errors["granted"]
    assert "no 2026 pool" in errors["no_pool"]
    # Nothing of a refused allocation was written.
    amounts = sorted(db.session.scalars(select(FactorAllocation.amount)))
    assert amounts == [D("15"), D("20"), D("30"), D("40"), D("500")]


def test_overview_figures_city_wide_and_for_a_county(db, fworld, played):
    rows = {r.kind: r for r in listing.overview(db.session, listing.Filters(year=2026))}
    land = rows["land"]
    assert (land.pool, land.count, land.requested, land.allocated, land.outstanding, land.pool_remaining) == (
        D("120"), 3, D("140"), D("105"), D("35"), D("15"))
    assert land.shortfall  # 35 outstanding against 15 left
    energy = rows["energy"]
    assert (energy.pool, energy.requested, energy.allocated, energy.outstanding, energy.pool_remaining) == (
        D("5000"), D("2000"), D("500"), D("0"), D("4500"))
    cod = rows["emission_cod"]
    assert (cod.pool, cod.pool_remaining, cod.requested, cod.outstanding) == (None, None, D("1.5"), D("1.5"))
    assert list(rows) == ["land", "energy", "emission_cod"]  # the kinds' table order

    county_a = listing.Filters(year=2026, unit=fworld["units"]["a"].id,
                               unit_ids=unit_subtree(db.session, fworld["units"]["a"].id))
    rows = {r.kind: r for r in listing.overview(db.session, county_a)}
    assert (rows["land"].requested, rows["land"].allocated, rows["land"].outstanding) == (D("90"), D("85"), D("5"))
    assert rows["land"].pool_remaining == D("15")  # the pool stays city-wide
    assert rows["energy"].requested == 0
    assert listing.overview(db.session, listing.Filters(year=2025)) == []
    only_land = listing.overview(db.session, listing.Filters(year=2026, kind="land"))
    assert [r.kind for r in only_land] == ["land"]


def test_every_change_is_audited(db, fworld, played):
    reqs = played["reqs"]

    def records(entity_type, action, entity_id=None):
        stmt = select(AuditRecord).where(AuditRecord.entity_type == entity_type, AuditRecord.action == action)
        if entity_id is not None:
            stmt = stmt.where(AuditRecord.entity_id == entity_id)
        return list(db.session.scalars(stmt.order_by(AuditRecord.id)))

    assert len(records("factor_allocation", "create")) == 5
    assert len(records("factor_request", "create")) == 5
    created = records("factor_allocation", "create")[0]
    assert "doc_no=临政函〔2026〕1号" in created.new and created.user_id == fworld["users"]["leader"].id
    energy = records("factor_request", "update", reqs["b_energy"].id)
    assert [(r.field, r.old, r.new) for r in energy] == [
        ("status", "requested", "partial"), ("refusal_reason", None, "能耗双控压减"), ("status", "partial", "refused")]
    pool_changes = records("factor_pool", "update")
    assert [(r.field, r.old, r.new) for r in pool_changes if r.field == "total"] == [("total", "100", "120")]
    topups = records("factor_pool", "state")
    assert [(r.field, r.old, r.new) for r in topups] == [("topup", "20", "省追加")]


def test_pool_corrections_and_bad_input(db, fworld, played):
    leader = fworld["users"]["leader"]
    assert "below" in refused(db, lambda: services.set_pool(db.session, leader, {
        "year": "2026", "kind": "land", "amount": "-16"}))  # 120 − 16 < 105 allocated
    pool = services.set_pool(db.session, leader, {"year": "2026", "kind": "land", "amount": "-15"})
    db.session.commit()
    assert pool.total == D("105")
    assert "greater than zero" in refused(db, lambda: services.set_pool(db.session, leader, {
        "year": "2026", "kind": "water", "amount": "-1"}))
    project = fworld["projects"]["a1"]
    bad = [({"year": "20x6", "kind": "land", "amount": "1"}, "year"),
           ({"year": "2026", "kind": "coal", "amount": "1"}, "kind"),
           ({"year": "2026", "kind": "land", "amount": "十"}, "amount"),
           ({"year": "2026", "kind": "land", "amount": "0"}, "amount"),
           ({"year": "2026", "kind": "land", "amount": "-3"}, "amount"),
           ({"year": "2026", "kind": "land", "amount": "1.0005"}, "amount"),
           ({"year": "2026", "kind": "land", "amount": "1e40"}, "amount"),
           ({"year": "2026", "kind": "land", "amount": "NaN"}, "amount"),
           ({"year": "2026", "kind": "land", "amount": "1", "requested_on": "2026-13-01"}, "requested_on")]
    before = db.session.scalar(select(func.count(FactorRequest.id)))
    for data, field in bad:
        with pytest.raises(DomainError) as info:
            services.create_request(db.session, fworld["users"]["a"], project, data)
        db.session.rollback()
        assert info.value.field == field, data
    assert db.session.scalar(select(func.count(FactorRequest.id))) == before
    req = services.create_request(db.session, fworld["users"]["a"], project,
                                  {"year": "2026", "kind": "land", "amount": "1,200.5"})
    db.session.commit()
    assert (req.amount, req.requested_on) == (D("1200.5"), dt.date.today())


def test_a_form_loaded_before_the_last_change_is_refused(db, fworld, played):
    req = played["reqs"]["b_land"]
    db.session.refresh(req)
    seen = req.version_id
    give(db, fworld, req, "5")
    with pytest.raises(StaleEdit):
        services.allocate(db.session, fworld["users"]["leader"], req, {"amount": "1", "version_id": str(seen)})
    db.session.rollback()
    with pytest.raises(StaleEdit):
        services.refuse(db.session, fworld["users"]["leader"], req, {"reason": "x", "version_id": str(seen)})
    db.session.rollback()
    assert services.request_allocated(db.session, req.id) == D("25")
