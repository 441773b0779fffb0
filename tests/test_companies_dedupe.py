"""Name normalisation, fuzzy duplicate search, the create form's possible-duplicates step and the
duplicates report."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm.companies.dedupe import find_similar, likely_pairs
from crm.companies.services import create_company, normalise_name
from crm.models import Company
from tests.conftest import csrf_token


@pytest.mark.parametrize(("name", "key"), [
    ("山西焦煤集团有限责任公司", "焦煤"),
    ("山西焦煤集团", "焦煤"),
    ("山西省焦煤集团有限公司", "焦煤"),
    ("临汾市晋南钢铁集团有限公司", "晋南钢铁"),
    ("临汾晋南钢铁股份有限公司", "晋南钢铁"),
    ("晋南钢铁（临汾）有限公司", "晋南钢铁"),
    ("北京京东方科技集团股份有限公司", "京东方科技"),
    ("比亚迪（中国）股份有限公司", "比亚迪"),
    ("比亚迪(中国)控股有限公司", "比亚迪"),
    ("ＴＣＬ科技集团股份有限公司", "tcl科技"),
    ("  隆基 绿能 科技 ", "隆基绿能科技"),
    ("【筹】新疆天业（集团）有限公司", "天业"),
    ("Siemens Co., Ltd.", "siemens"),
    ("北京市", "北京市"),                 # stripping never leaves less than two characters
    ("中国宝武钢铁集团有限公司", "中国宝武钢铁"),  # 中国 is not a province or city
])
def test_normalisation_examples(name, key):
    assert normalise_name(name) == key


@pytest.fixture
def companies(db, make_user):
    officer = make_user()
    names = ["山西焦煤集团有限责任公司", "晋南钢铁集团有限公司", "隆基绿能科技股份有限公司", "宁德时代新能源科技股份有限公司",
             "中国宝武钢铁集团有限公司", "西藏药业股份有限公司"]
    made = {n: create_company(db.session, officer, {"name": n}) for n in names}
    db.session.commit()
    return made


def test_find_similar_finds_the_same_firm_written_differently(db, companies):
    (match, score), = find_similar(db.session, "山西焦煤集团")
    assert match.name == "山西焦煤集团有限责任公司" and score == 100
    assert [c.name for c, _s in find_similar(db.session, "宝武钢铁有限公司")] == ["中国宝武钢铁集团有限公司"]
    assert [c.name for c, _s in find_similar(db.session, "隆基绿能股份公司")] == ["隆基绿能科技股份有限公司"]


@pytest.mark.parametrize("name", ["山西建邦集团有限公司", "阳煤化工股份有限公司", "焦作煤业", "云南药业有限公司"])
def test_find_similar_leaves_unrelated_names_alone(db, companies, name):
    assert find_similar(db.session, name) == []


def test_find_similar_excludes_the_record_itself_and_other_legal_entities(db, companies):
    own = companies["山西焦煤集团有限责任公司"]
    assert find_similar(db.session, own.name, exclude_id=own.id) == []
    own.uscc = "914403001922038216"
    db.session.commit()
    assert find_similar(db.session, "山西焦煤集团", uscc="91140100MA0GRL123F") == []  # another registered entity
    assert len(find_similar(db.session, "山西焦煤集团", uscc="914403001922038216")) == 1


def test_likely_pairs_across_the_database(db, companies, make_user):
    officer = make_user()
    twin = create_company(db.session, officer, {"name": "山西焦煤集团"})
    other_twin = create_company(db.session, officer, {"name": "宁德时代新能源科技有限公司"})
    create_company(db.session, officer, {"name": "云南药业有限公司"})  # 药业 too, but another province
    db.session.commit()
    pairs = {(p.a.id, p.b.id): p.score for p in likely_pairs(db.session, threshold=85)}
    jiaomei = tuple(sorted((companies["山西焦煤集团有限责任公司"].id, twin.id)))
    catl = tuple(sorted((companies["宁德时代新能源科技股份有限公司"].id, other_twin.id)))
    assert set(pairs) == {jiaomei, catl}
    assert pairs[jiaomei] == 100
    assert likely_pairs(db.session, threshold=85, limit=1)[0].score == 100


def test_likely_pairs_cuts_big_blocks_into_windows(db, make_user, monkeypatch):
    from crm.companies import dedupe
    monkeypatch.setattr(dedupe, "MAX_BLOCK", 4)
    officer = make_user()
    for i in range(12):
        create_company(db.session, officer, {"name": f"华宇{chr(0x4e00 + i * 7)}{chr(0x4f00 + i * 3)}材料有限公司"})
    a = create_company(db.session, officer, {"name": "华宇甲乙新材料有限公司"})
    b = create_company(db.session, officer, {"name": "华宇甲乙新材料股份有限公司"})
    db.session.commit()
    pairs = [(p.a.id, p.b.id) for p in likely_pairs(db.session, threshold=95)]
    assert (a.id, b.id) in pairs


# --- the create form ------------------------------------------------------------------------------------

def test_the_create_form_shows_possible_duplicates_before_saving(client, db, companies, make_user, login):
    login(make_user())
    client.set_cookie("lang", "en")
    page = client.get("/companies/new").get_data(as_text=True)
    response = client.post("/companies/new", data={"csrf_token": csrf_token(page), "name": "山西焦煤集团"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="possible-duplicates"' in html
    assert "山西焦煤集团有限责任公司" in html and 'name="confirm_duplicates"' in html
    seen = re.search(r'name="duplicates_seen" type="hidden" value="([^"]*)"', html).group(1)
    assert seen == str(companies["山西焦煤集团有限责任公司"].id)
    assert db.session.scalar(select(Company.id).where(Company.name == "山西焦煤集团")) is None
    # Submitting again without ticking the box still does not save.
    response = client.post("/companies/new", data={"csrf_token": csrf_token(html), "name": "山西焦煤集团",
                                                   "duplicates_seen": seen})
    assert 'data-testid="possible-duplicates"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Company.id).where(Company.name == "山西焦煤集团")) is None
    # Ticked, for the list that was shown: saved.
    response = client.post("/companies/new", data={"csrf_token": csrf_token(html), "name": "山西焦煤集团",
                                                   "duplicates_seen": seen, "confirm_duplicates": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(Company.id).where(Company.name == "山西焦煤集团")) is not None


def test_a_confirmation_for_other_matches_does_not_count(client, db, companies, make_user, login):
    login(make_user())
    page = client.get("/companies/new").get_data(as_text=True)
    other = companies["晋南钢铁集团有限公司"].id
    response = client.post("/companies/new", data={"csrf_token": csrf_token(page), "name": "山西焦煤集团",
                                                   "duplicates_seen": str(other), "confirm_duplicates": "y"})
    assert 'data-testid="possible-duplicates"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Company.id).where(Company.name == "山西焦煤集团")) is None


def test_a_name_without_duplicates_saves_at_once(client, db, companies, make_user, login):
    login(make_user())
    page = client.get("/companies/new").get_data(as_text=True)
    response = client.post("/companies/new", data={"csrf_token": csrf_token(page), "name": "全新名称科技有限公司"})
    assert response.status_code == 302


# --- the report -------------------------------------------------------------------------------------------

def test_duplicates_report_lists_pairs_with_a_merge_link(client, db, companies, make_user, login):
    officer = make_user()
    twin = create_company(db.session, officer, {"name": "山西焦煤集团"})
    db.session.commit()
    login(make_user(("manager",)))
    client.set_cookie("lang", "en")
    html = client.get("/companies/duplicates").get_data(as_text=True)
    rows = re.findall(r'<tr data-testid="pair">(.*?)</tr>', html, re.S)
    assert len(rows) == 1
    original = companies["山西焦煤集团有限责任公司"].id
    a, b = sorted((original, twin.id))
    assert f"/companies/{a}/merge?other={b}" in rows[0] and ">100<" in rows[0].replace("\n", "").replace(" ", "")
    assert client.get("/companies/duplicates?threshold=abc").status_code == 400
    assert client.get("/companies/duplicates?threshold=20").status_code == 400


def test_duplicates_report_needs_the_merge_function(client, make_user, login):
    login(make_user(("officer",)))
    assert client.get("/companies/duplicates").status_code == 403


def test_renormalise_updates_stored_keys_without_new_versions(db, companies):
    from sqlalchemy import update

    from crm.companies.services import renormalise_names
    company = companies["山西焦煤集团有限责任公司"]
    db.session.execute(update(Company).where(Company.id == company.id).values(name_norm="山西焦煤")
                       .execution_options(synchronize_session=False))
    db.session.commit()
    assert renormalise_names(db.session) == 1
    db.session.commit()
    db.session.expire_all()
    fresh = db.session.get(Company, company.id)
    assert (fresh.name_norm, fresh.version_id) == ("焦煤", 1)
    assert renormalise_names(db.session) == 0
