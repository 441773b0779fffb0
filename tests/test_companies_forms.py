"""Company create and edit through the form: credit codes, the location cascade, the industry and
parent pickers, and the htmx endpoints behind them."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm.companies.uscc import check_char
from crm.models import Company
from tests.conftest import csrf_token

HUAWEI = "914403001922038216"
VALID = [HUAWEI, "91140100MA0GRL123" + check_char("91140100MA0GRL123"), "121000004000006240"[:17] + check_char(
    "12100000400000624")]


def post_company(client, data, url="/companies/new"):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def field_errors(html: str, name: str) -> str:
    """The text after the field's input: its invalid-feedback messages."""
    at = html.index(f'name="{name}"')
    return html[at:at + 600]


@pytest.fixture
def officer(client, make_user, login):
    user = make_user(("officer",))
    login(user)
    client.set_cookie("lang", "en")  # messages are checked in English, whatever the catalog holds
    return user


@pytest.mark.parametrize("code", VALID)
def test_valid_credit_codes_are_stored(client, db, officer, code):
    response = post_company(client, {"name": f"代码企业{code[-4:]}有限公司", "uscc": code.lower()})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.scalar(select(Company.uscc).where(Company.name == f"代码企业{code[-4:]}有限公司")) == code


@pytest.mark.parametrize(("code", "message"), [
    ("91440300192203821", "has 18 characters"),                       # length
    ("9144030019220382I6", "only use digits and capital letters"),     # I is not in the alphabet
    ("B14403001922038216", "registration authority"),                  # B is no authority
    ("9144A3001922038216", "division code"),                           # letters where the division goes
    ("914403001922038217", "check character"),                         # one typo
])
def test_each_kind_of_bad_credit_code_is_named(client, db, officer, code, message):
    response = post_company(client, {"name": "坏代码企业有限公司", "uscc": code})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in field_errors(html, "uscc")
    assert db.session.scalar(select(Company.id).where(Company.name == "坏代码企业有限公司")) is None


def test_the_same_credit_code_twice_is_refused(client, db, officer):
    assert post_company(client, {"name": "第一家有限公司", "uscc": HUAWEI}).status_code == 302
    response = post_company(client, {"name": "完全不同的名字", "uscc": HUAWEI,
                                     "confirm_duplicates": "y"})
    assert response.status_code == 200
    assert "already has this code" in field_errors(response.get_data(as_text=True), "uscc")
    assert db.session.scalar(select(Company.id).where(Company.name == "完全不同的名字")) is None


@pytest.mark.parametrize(("chosen", "stored"), [
    ({"province_code": "14"}, ("14", None, None)),
    ({"province_code": "14", "city_code": "1410"}, ("14", "1410", None)),
    ({"province_code": "14", "city_code": "1410", "county_code": "141002"}, ("14", "1410", "141002")),
])
def test_location_is_stored_at_the_level_chosen(client, db, officer, chosen, stored):
    response = post_company(client, {"name": "选址企业有限公司", **chosen})
    assert response.status_code == 302
    company = db.session.scalar(select(Company).where(Company.name == "选址企业有限公司"))
    assert (company.province_code, company.city_code, company.county_code) == stored
    # The home city is 临汾 (1410): the city and its county are local, the province alone is not;
    # 尧都区 is in 关中平原城市群, but 临汾 is only partly in it, so the city alone decides no cluster.
    assert company.is_local is (stored[1] is not None)
    assert company.cluster == ("gzpc" if stored[2] else None)


def test_city_outside_the_province_is_refused(client, db, officer):
    response = post_company(client, {"name": "错位企业有限公司", "province_code": "14", "city_code": "3205"})
    assert response.status_code == 200
    assert re.search(r'is-invalid"[^>]*name="city_code"', response.get_data(as_text=True))
    assert db.session.scalar(select(Company.id).where(Company.name == "错位企业有限公司")) is None


def test_editing_other_fields_keeps_a_city_only_location(client, db, officer):
    from crm.companies.services import create_company
    company = create_company(db.session, officer, {"name": "城市级企业有限公司", "county_code": "3205"})
    db.session.commit()
    page = client.get(f"/companies/{company.id}/edit").get_data(as_text=True)
    assert re.search(r'<option selected value="3205">|<option value="3205" selected>', page)
    response = client.post(f"/companies/{company.id}/edit", data={
        "csrf_token": csrf_token(page), "version_id": "1", "name": "城市级企业有限公司", "province_code": "32",
        "city_code": "3205", "county_code": "", "notes": "改了备注"})
    assert response.status_code == 302
    db.session.expire_all()
    company = db.session.get(Company, company.id)
    assert (company.province_code, company.city_code, company.county_code, company.notes) == (
        "32", "3205", None, "改了备注")
    assert company.cluster == "yrd"  # 苏州 is a full 长三角 member


def test_all_fields_round_trip_through_the_form(client, db, officer):
    from crm.companies.services import create_company
    group = create_company(db.session, officer, {"name": "母集团有限公司"})
    db.session.commit()
    response = post_company(client, {
        "name": "全字段企业股份有限公司", "short_name": "全字段", "uscc": HUAWEI, "stock_code": "000725",
        "parent_id": str(group.id), "province_code": "11", "city_code": "1101", "county_code": "110105",
        "industry_code": "3974", "registered_capital": "1000.5", "revenue": "2345.67", "employees": "120",
        "world500": "y", "listed": "y", "specialized": "y", "notes": "备注"})
    assert response.status_code == 302
    company = db.session.scalar(select(Company).where(Company.name == "全字段企业股份有限公司"))
    assert (company.short_name, company.stock_code, company.parent_id, company.county_code, company.cluster) == (
        "全字段", "000725", group.id, "110105", "jjj")
    assert (company.industry_code, str(company.revenue), company.employees) == ("3974", "2345.67", 120)
    assert company.world500 and company.listed and company.specialized and not company.china500
    assert company.owner_id == officer.id and company.owner_unit_id == officer.unit_id
    page = client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "北京市朝阳区" in page and "母集团有限公司" in page and "3974" in page
    assert "000725" in page and "2,345.67" in page


def test_a_company_cannot_become_its_own_subsidiary(client, db, officer):
    from crm.companies.services import create_company
    parent = create_company(db.session, officer, {"name": "上级企业有限公司"})
    db.session.flush()
    child = create_company(db.session, officer, {"name": "下级企业有限公司", "parent_id": parent.id})
    db.session.commit()
    page = client.get(f"/companies/{parent.id}/edit").get_data(as_text=True)
    response = client.post(f"/companies/{parent.id}/edit", data={
        "csrf_token": csrf_token(page), "version_id": "1", "name": "上级企业有限公司", "parent_id": str(child.id)})
    assert response.status_code == 200
    assert "subsidiaries" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Company, parent.id).parent_id is None


def test_unknown_industry_code_is_refused(client, db, officer):
    response = post_company(client, {"name": "行业企业有限公司", "industry_code": "9999"})
    assert response.status_code == 200
    assert "Unknown industry code" in response.get_data(as_text=True)


# --- the htmx endpoints ----------------------------------------------------------------------------------

def options(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]*)">([^<]*)</option>', html)


def test_city_and_county_options_follow_the_parent(client, officer):
    cities = options(client.get("/companies/divisions/cities?province_code=14").get_data(as_text=True))
    assert cities[0] == ("", "—") and ("1410", "临汾市") in cities and len(cities) == 12  # 11 cities of 山西
    assert all(code.startswith("14") for code, _n in cities[1:])
    counties = options(client.get("/companies/divisions/counties?city_code=1410").get_data(as_text=True))
    assert ("141002", "尧都区") in counties and len(counties) == 18  # 17 county-level units
    # The list filter names its selects province / city.
    assert options(client.get("/companies/divisions/cities?province=11").get_data(as_text=True))[1:] == [
        ("1101", "北京市")]
    assert options(client.get("/companies/divisions/cities").get_data(as_text=True)) == [("", "—")]


@pytest.mark.parametrize("url", [
    "/companies/divisions/cities?province_code=99", "/companies/divisions/cities?province_code=1410",
    "/companies/divisions/cities?province_code=abc", "/companies/divisions/counties?city_code=14",
    "/companies/divisions/counties?city_code=141002", "/companies/industries?term=" + "x" * 51,
    "/companies/search?term=a&exclude=zz",
])
def test_bad_picker_parameters_get_a_clear_400(client, officer, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "Parameter" in response.get_data(as_text=True)


def test_industry_search_by_name_and_code(client, officer):
    html = client.get("/companies/industries?term=钢").get_data(as_text=True)
    picked = re.findall(r'data-pick-value="([^"]+)"', html)
    assert picked == ["312", "3120", "313", "3130"]
    assert 'data-pick-value="3130" data-pick-text="钢压延加工"' in html
    by_code = re.findall(r'data-pick-value="([^"]+)"', client.get("/companies/industries?term=C31").get_data(
        as_text=True))
    assert by_code[:3] == ["31", "311", "3110"]
    assert "No industry matches" in client.get("/companies/industries?term=不存在的行业").get_data(as_text=True)
    assert client.get("/companies/industries").get_data(as_text=True).strip() == ""


def test_company_search_for_the_parent_picker(client, db, officer):
    from crm.companies.services import create_company
    a = create_company(db.session, officer, {"name": "搜索测试甲集团有限公司"})
    b = create_company(db.session, officer, {"name": "搜索测试乙有限公司"})
    db.session.commit()
    html = client.get("/companies/search?term=搜索测试").get_data(as_text=True)
    assert set(re.findall(r'data-pick-value="(\d+)"', html)) == {str(a.id), str(b.id)}
    html = client.get(f"/companies/search?term=搜索测试&exclude={a.id}").get_data(as_text=True)
    assert re.findall(r'data-pick-value="(\d+)"', html) == [str(b.id)]


def test_form_pages_wire_the_pickers_without_inline_script(client, db, officer):
    html = client.get("/companies/new").get_data(as_text=True)
    assert 'hx-get="/companies/divisions/cities"' in html and 'hx-target="#city_code"' in html
    assert 'hx-get="/companies/industries"' in html and 'data-pick-for="industry_code"' in html
    assert 'data-pick-for="parent_id"' in html and "js/companies.js" in html
    assert "<script>" not in html and " style=" not in html


def test_officer_without_edit_rights_cannot_open_the_form(client, make_user, login):
    login(make_user(("county_leader",)))
    assert client.get("/companies/new").status_code == 403
    assert client.get("/companies/divisions/cities?province_code=14").status_code == 200
