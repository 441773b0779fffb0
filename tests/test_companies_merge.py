"""Merging two companies: every kind of child row moves, collisions are resolved, the merge is
audited and refused on stale versions; the merge page previews and confirms."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from crm.companies.merge import merge_companies, plan_merge
from crm.companies.services import create_company, update_company
from crm.core.errors import DomainError, StaleEdit
from crm.models import (AuditRecord, Chain, Company, CompanySegment, Contact, Delegation, Interaction, Lead, Project,
                        Segment, Signing, SupplyLink)
from tests.conftest import csrf_token


@pytest.fixture
def world(db, make_unit, make_user):
    s = db.session
    unit = make_unit()
    manager = make_user(("manager",), unit=unit)
    survivor = create_company(s, manager, {"name": "山西焦煤集团有限责任公司", "county_code": "140109"})
    absorbed = create_company(s, manager, {
        "name": "山西焦煤集团", "uscc": "914403001922038216", "short_name": "山西焦煤", "revenue": 2890000,
        "world500": True, "industry_code": "0610"})
    partner = create_company(s, manager, {"name": "合作伙伴有限公司"})
    child = create_company(s, manager, {"name": "焦煤子公司有限公司"})
    s.flush()
    child.parent_id = absorbed.id
    chain = Chain(name="煤焦链")
    s.add(chain)
    s.flush()
    seg_a, seg_b, seg_c = (Segment(chain_id=chain.id, name=n, position="upstream") for n in ("原煤", "焦炭", "化产"))
    s.add_all([seg_a, seg_b, seg_c])
    s.flush()
    lead = Lead(company_id=absorbed.id, title="焦化项目", unit_id=unit.id, owner_id=manager.id)
    s.add(lead)
    s.flush()
    rows = {
        "contact": Contact(company_id=absorbed.id, name="张经理", phone="13900001111", owner_unit_id=unit.id),
        "lead": lead,
        "interaction": Interaction(company_id=absorbed.id, lead_id=lead.id, kind="call", summary="电话",
                                   user_id=manager.id, unit_id=unit.id),
        "signing": Signing(company_id=absorbed.id, lead_id=lead.id, unit_id=unit.id, kind="contract",
                           signed_on=dt.date(2026, 3, 1)),
        "delegation": Delegation(company_id=absorbed.id, arrived_on=dt.date(2026, 5, 1), host_unit_id=unit.id),
        "project": Project(name="焦化升级", company_id=absorbed.id, resp_unit_id=unit.id, source="attraction",
                           category="industry"),
        # Chain links: one only the absorbed has (moves), one both have (the survivor's stays, leader flag kept).
        "segment_moved": CompanySegment(company_id=absorbed.id, segment_id=seg_a.id),
        "segment_dup": CompanySegment(company_id=absorbed.id, segment_id=seg_b.id, is_leader=True),
        "segment_kept": CompanySegment(company_id=survivor.id, segment_id=seg_b.id, is_leader=False, share=0.5),
        # Supply links: one moves; one repeats the survivor's; one would link the survivor to itself.
        "supply_moved": SupplyLink(supplier_id=absorbed.id, buyer_id=partner.id, product="焦炭"),
        "supply_dup": SupplyLink(supplier_id=absorbed.id, buyer_id=partner.id, product="原煤"),
        "supply_kept": SupplyLink(supplier_id=survivor.id, buyer_id=partner.id, product="原煤"),
        "supply_self": SupplyLink(supplier_id=survivor.id, buyer_id=absorbed.id, product="原煤"),
    }
    s.add_all([r for k, r in rows.items() if k != "lead"])
    s.commit()
    return dict(manager=manager, unit=unit, survivor=survivor, absorbed=absorbed, partner=partner, child=child,
                rows=rows, segments=(seg_a, seg_b, seg_c))


def count(db, model, **where):
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return db.session.scalar(stmt)


def test_merge_moves_every_kind_of_child_row(db, world):
    s, survivor, absorbed = db.session, world["survivor"], world["absorbed"]
    absorbed_id, lead_version = absorbed.id, world["rows"]["lead"].version_id
    moved = merge_companies(s, world["manager"], survivor, absorbed, survivor_version=1, absorbed_version=1)
    s.commit()
    s.expire_all()
    assert s.get(Company, absorbed_id) is None
    for model in (Contact, Lead, Interaction, Signing, Delegation, Project):
        assert count(db, model, company_id=absorbed_id) == 0, model
        assert count(db, model, company_id=survivor.id) == 1, model
    assert s.get(Company, world["child"].id).parent_id == survivor.id
    segs = {r.segment_id: r for r in s.scalars(select(CompanySegment).where(CompanySegment.company_id == survivor.id))}
    seg_a, seg_b, _c = world["segments"]
    assert set(segs) == {seg_a.id, seg_b.id} and count(db, CompanySegment, company_id=absorbed_id) == 0
    assert segs[seg_b.id].id == world["rows"]["segment_kept"].id and segs[seg_b.id].is_leader  # kept, flag taken
    assert segs[seg_b.id].share == 0.5
    links = set(s.execute(select(SupplyLink.supplier_id, SupplyLink.buyer_id, SupplyLink.product)))
    partner = world["partner"].id
    assert links == {(survivor.id, partner, "焦炭"), (survivor.id, partner, "原煤")}
    assert moved == {"contacts": 1, "leads": 1, "interactions": 1, "signings": 1, "delegations": 1, "projects": 1,
                     "chain_links": 1, "chain_links_dropped": 1, "supply_links": 1, "supply_links_dropped": 2,
                     "subsidiaries": 1}
    # Moved leads get a new version, so a form left open on them is stale.
    assert s.get(Lead, world["rows"]["lead"].id).version_id == lead_version + 1


def test_merge_fills_empty_fields_and_moves_the_credit_code(db, world):
    s, survivor = db.session, world["survivor"]
    merge_companies(s, world["manager"], survivor, world["absorbed"], survivor_version=1, absorbed_version=1)
    s.commit()
    s.expire_all()
    survivor = s.get(Company, survivor.id)
    assert survivor.uscc == "914403001922038216" and survivor.short_name == "山西焦煤"
    assert survivor.world500 and survivor.industry_code == "0610" and int(survivor.revenue) == 2890000
    assert survivor.county_code == "140109"  # its own location stays


def test_merge_is_audited(db, world):
    s, survivor, absorbed = db.session, world["survivor"], world["absorbed"]
    absorbed_id = absorbed.id
    merge_companies(s, world["manager"], survivor, absorbed, survivor_version=1, absorbed_version=1)
    s.commit()
    event = s.scalar(select(AuditRecord).where(AuditRecord.action == "merge", AuditRecord.entity_id == survivor.id))
    assert event.entity_type == "company" and event.user_id == world["manager"].id
    assert event.old.startswith(f"{absorbed_id} ") and "contacts=1" in event.new and "leads=1" in event.new
    assert event.batch_id
    filled = {r.field for r in s.scalars(select(AuditRecord).where(
        AuditRecord.action == "update", AuditRecord.entity_type == "company", AuditRecord.entity_id == survivor.id))}
    assert {"uscc", "short_name", "world500", "industry_code", "revenue"} <= filled
    assert s.scalar(select(AuditRecord).where(AuditRecord.action == "delete", AuditRecord.entity_type == "company",
                                              AuditRecord.entity_id == absorbed_id)) is not None


def test_merge_refused_on_stale_versions(db, world):
    s, survivor, absorbed = db.session, world["survivor"], world["absorbed"]
    update_company(s, world["manager"], absorbed, {"notes": "别人刚改过"}, expected_version=1)
    s.commit()
    with pytest.raises(StaleEdit):
        merge_companies(s, world["manager"], survivor, absorbed, survivor_version=1, absorbed_version=1)
    s.rollback()
    with pytest.raises(StaleEdit):
        merge_companies(s, world["manager"], survivor, absorbed, survivor_version=0, absorbed_version=2)
    s.rollback()
    assert s.get(Company, absorbed.id) is not None and count(db, Contact, company_id=absorbed.id) == 1
    with pytest.raises(DomainError):
        merge_companies(s, world["manager"], survivor, survivor, survivor_version=1, absorbed_version=1)


def test_merging_a_parent_into_its_subsidiary_does_not_close_a_loop(db, world):
    s, absorbed, child = db.session, world["absorbed"], world["child"]
    merge_companies(s, world["manager"], child, absorbed, survivor_version=child.version_id,
                    absorbed_version=absorbed.version_id)
    s.commit()
    s.expire_all()
    assert s.get(Company, child.id).parent_id is None


def test_supply_links_between_the_two_become_nothing(db, make_user):
    s = db.session
    officer = make_user()
    a, b, c = (create_company(s, officer, {"name": n}) for n in ("甲公司", "乙公司", "丙公司"))
    s.flush()
    s.add_all([SupplyLink(supplier_id=a.id, buyer_id=b.id, product="x"),
               SupplyLink(supplier_id=b.id, buyer_id=a.id, product="x"),
               SupplyLink(supplier_id=c.id, buyer_id=b.id, product="y"),
               SupplyLink(supplier_id=c.id, buyer_id=a.id, product="y")])
    s.commit()
    moved = merge_companies(s, officer, a, b, survivor_version=1, absorbed_version=1)
    s.commit()
    assert moved["supply_links"] == 0 and moved["supply_links_dropped"] == 3
    assert set(s.execute(select(SupplyLink.supplier_id, SupplyLink.buyer_id, SupplyLink.product))) == {
        (c.id, a.id, "y")}


def test_plan_previews_what_the_merge_does(db, world):
    plan = plan_merge(db.session, world["survivor"], world["absorbed"])
    assert plan.counts["contacts"] == 1 and plan.counts["supply_links_dropped"] == 2
    assert plan.counts["chain_links"] == 1 and plan.counts["subsidiaries"] == 1
    assert plan.fills["uscc"] == "914403001922038216" and "county_code" not in plan.fills


# --- the page ---------------------------------------------------------------------------------------------

def test_merge_page_previews_and_merges(client, db, world, login):
    login(world["manager"])
    client.set_cookie("lang", "en")
    survivor_id, absorbed_id = world["survivor"].id, world["absorbed"].id
    url = f"/companies/{survivor_id}/merge"
    assert 'data-testid="merge-link"' in client.get(f"/companies/{survivor_id}").get_data(as_text=True)
    html = client.get(f"{url}?other={absorbed_id}").get_data(as_text=True)
    assert 'data-testid="move-contacts">1<' in html and 'data-testid="move-supply_links_dropped">2<' in html
    assert "914403001922038216" in html
    data = {"csrf_token": csrf_token(html), "absorbed_id": str(absorbed_id), "survivor_version": "1",
            "absorbed_version": "1"}
    # Without the tick nothing happens.
    response = client.post(url, data=data)
    assert response.status_code == 200 and "Tick the box" in response.get_data(as_text=True)
    assert db.session.get(Company, absorbed_id) is not None
    response = client.post(url, data={**data, "confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/companies/{survivor_id}")
    db.session.expire_all()
    assert db.session.get(Company, absorbed_id) is None
    assert count(db, Contact, company_id=survivor_id) == 1


def test_merge_page_refuses_stale_versions_with_a_message(client, db, world, login):
    login(world["manager"])
    client.set_cookie("lang", "en")
    survivor, absorbed = world["survivor"], world["absorbed"]
    url = f"/companies/{survivor.id}/merge"
    html = client.get(f"{url}?other={absorbed.id}").get_data(as_text=True)
    update_company(db.session, world["manager"], db.session.get(Company, survivor.id), {"notes": "并发修改"},
                   expected_version=1)
    db.session.commit()
    response = client.post(url, data={"csrf_token": csrf_token(html), "absorbed_id": str(absorbed.id),
                                      "survivor_version": "1", "absorbed_version": "1", "confirm": "y"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "changed by someone else" in body
    assert 'name="survivor_version" type="hidden" value="2"' in body  # the refreshed preview can be confirmed
    db.session.expire_all()
    assert db.session.get(Company, absorbed.id) is not None


def test_merge_with_itself_is_refused_on_the_page(client, db, world, login):
    login(world["manager"])
    client.set_cookie("lang", "en")
    survivor = world["survivor"]
    html = client.get(f"/companies/{survivor.id}/merge?other={survivor.id}").get_data(as_text=True)
    assert "cannot be merged with itself" in html and 'data-testid="merge-confirm"' not in html


def test_officers_cannot_merge(client, db, world, make_user, login):
    login(make_user(("officer",), unit=world["unit"]))
    survivor, absorbed = world["survivor"], world["absorbed"]
    assert client.get(f"/companies/{survivor.id}/merge?other={absorbed.id}").status_code == 403
    assert 'data-testid="merge-link"' not in client.get(f"/companies/{survivor.id}").get_data(as_text=True)
