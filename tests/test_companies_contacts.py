"""Contacts on the company page: phone and e-mail checks, the owning unit, masking and 404s
for other units, audit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.companies.contacts import create_contact
from crm.companies.services import create_company
from crm.models import AuditRecord, Contact
from tests.conftest import csrf_token


@pytest.fixture
def world(db, make_unit, make_user):
    city = make_unit("联系人市", kind="city")
    a = make_unit("联系人甲县", parent=city)
    zone = make_unit("甲县园区", kind="zone", parent=a)
    b = make_unit("联系人乙县", parent=city)
    users = {"a": make_user(("officer",), unit=a), "zone": make_user(("officer",), unit=zone),
             "b": make_user(("officer",), unit=b), "leader": make_user(("city_leader",), unit=city),
             "admin": make_user(("admin",), unit=city)}
    company = create_company(db.session, users["a"], {"name": "联系人测试企业有限公司"})
    db.session.flush()
    contact = create_contact(db.session, users["a"], company, {
        "name": "王经理", "title": "总经理", "phone": "13900001111", "email": "wang@example.cn", "wechat": "wang_wx"})
    db.session.commit()
    return dict(units={"a": a, "zone": zone, "b": b}, users=users, company=company, contact=contact)


def contact_form(client, company_id):
    return csrf_token(client.get(f"/companies/{company_id}/contacts/new").get_data(as_text=True))


@pytest.mark.parametrize("phone", ["13912345678", "19900001111", "0357-2345678", "03572345678", "010-12345678",
                                   "0357-2345678-123", "139 1234 5678"])
def test_valid_phones_are_accepted(client, db, world, login, phone):
    login(world["users"]["b"])
    company = world["company"]
    response = client.post(f"/companies/{company.id}/contacts/new", data={
        "csrf_token": contact_form(client, company.id), "name": "李总", "phone": phone})
    assert response.status_code == 302
    contact = db.session.scalar(select(Contact).where(Contact.name == "李总"))
    assert contact.phone == phone.replace(" ", "") and contact.owner_unit_id == world["units"]["b"].id


@pytest.mark.parametrize(("field", "value"), [
    ("phone", "12912345678"), ("phone", "1391234567"), ("phone", "357-2345678"), ("phone", "0357-23456"),
    ("phone", "0357-2345678-1234567"), ("phone", "电话"), ("email", "not-an-email"), ("email", "a@b"),
])
def test_bad_phones_and_emails_are_refused(client, db, world, login, field, value):
    login(world["users"]["b"])
    client.set_cookie("lang", "en")
    company = world["company"]
    response = client.post(f"/companies/{company.id}/contacts/new", data={
        "csrf_token": contact_form(client, company.id), "name": "李总", field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    expected = "mobile number" if field == "phone" else "e-mail address"
    assert expected in html[html.index(f'name="{field}"'):]
    assert db.session.scalar(select(Contact.id).where(Contact.name == "李总")) is None


def test_phone_rule_in_the_service_too(db, world):
    from crm.core.errors import DomainError
    with pytest.raises(DomainError) as err:
        create_contact(db.session, world["users"]["a"], world["company"], {"name": "x", "phone": "123"})
    assert err.value.field == "phone"


def test_phone_masked_on_the_detail_page_for_another_units_officer(client, world, login):
    login(world["users"]["b"])
    html = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert "139****1111" in html and "13900001111" not in html
    assert "wang@example.cn" not in html and "wang_wx" not in html
    assert "王经理" in html  # the person is not hidden
    assert f"/contacts/{world['contact'].id}/edit" not in html


@pytest.mark.parametrize("who", ["a", "zone_parent", "leader", "admin"])
def test_full_details_inside_the_owning_subtree_and_for_all_seeing_roles(client, db, world, make_user, login, who):
    user = make_user(("county_leader",), unit=world["units"]["a"]) if who == "zone_parent" else world["users"][who]
    login(user)
    html = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert "13900001111" in html and "wang@example.cn" in html


def test_a_zone_below_does_not_see_the_countys_contact(client, world, login):
    login(world["users"]["zone"])
    html = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert "139****1111" in html and "13900001111" not in html


def test_edit_and_delete_urls_of_another_units_contact_are_404(client, db, world, login):
    login(world["users"]["b"])
    company, contact = world["company"], world["contact"]
    base = f"/companies/{company.id}/contacts/{contact.id}"
    assert client.get(f"{base}/edit").status_code == 404
    token = contact_form(client, company.id)
    assert client.post(f"{base}/edit", data={"csrf_token": token, "name": "改名"}).status_code == 404
    assert client.post(f"{base}/delete", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).name == "王经理"


def test_a_contact_under_another_company_url_is_404(client, db, world, login):
    login(world["users"]["a"])
    other = create_company(db.session, world["users"]["a"], {"name": "另一家企业有限公司"})
    db.session.commit()
    assert client.get(f"/companies/{other.id}/contacts/{world['contact'].id}/edit").status_code == 404
    assert client.get(f"/companies/{world['company'].id}/contacts/999999/edit").status_code == 404


def test_owner_edits_and_deletes_with_audit(client, db, world, login):
    login(world["users"]["a"])
    company, contact = world["company"], world["contact"]
    contact_id = contact.id
    base = f"/companies/{company.id}/contacts/{contact_id}"
    page = client.get(f"{base}/edit").get_data(as_text=True)
    assert 'value="13900001111"' in page
    response = client.post(f"{base}/edit", data={"csrf_token": csrf_token(page), "name": "王经理",
                                                 "title": "董事长", "phone": "0357-2345678"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (db.session.get(Contact, contact_id).title, db.session.get(Contact, contact_id).phone) == (
        "董事长", "0357-2345678")
    response = client.post(f"{base}/delete", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, contact_id) is None
    actions = [(r.action, r.field) for r in db.session.scalars(
        select(AuditRecord).where(AuditRecord.entity_type == "contact", AuditRecord.entity_id == contact_id)
        .order_by(AuditRecord.id))]
    assert actions[0] == ("create", None) and ("update", "title") in actions and ("update", "phone") in actions
    assert actions[-1] == ("delete", None)


def test_add_contact_form_is_on_the_company_page(client, world, login):
    login(world["users"]["b"])
    html = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert f'action="/companies/{world["company"].id}/contacts/new"' in html


def test_read_only_roles_cannot_add_contacts(client, world, make_user, login):
    login(make_user(("county_leader",), unit=world["units"]["a"]))
    company = world["company"]
    assert client.get(f"/companies/{company.id}/contacts/new").status_code == 403
    assert 'contacts/new"' not in client.get(f"/companies/{company.id}").get_data(as_text=True)
