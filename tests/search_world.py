"""Records for the search tests: two counties under a city, companies, contacts, leads, projects."""
from __future__ import annotations

from crm.companies.services import create_company
from crm.models import Contact, Lead, Project, User
from crm.search import matching, services
from crm.security.scope import scope_for

COAL_USCC = "91140000731914164T"
HUAWEI_USCC = "914403001922038216"


def build_world(db, make_unit, make_user) -> dict:
    """Call from a module's ``world`` fixture."""
    s = db.session
    city = make_unit("检索市", kind="city")
    a = make_unit("检索甲县", parent=city)
    b = make_unit("检索乙县", parent=city)
    users = {"a_officer": make_user(("officer",), unit=a), "b_officer": make_user(("officer",), unit=b),
             "city_leader": make_user(("city_leader",), unit=city)}
    coal = create_company(s, users["a_officer"], {"name": "山西焦煤集团有限责任公司", "short_name": "山西焦煤",
                                                  "uscc": COAL_USCC, "stock_code": "000983"})
    byd = create_company(s, users["b_officer"], {"name": "比亚迪股份有限公司", "short_name": "比亚迪"})
    tech = create_company(s, None, {"name": "华为技术有限公司", "uscc": HUAWEI_USCC})
    percent = create_company(s, None, {"name": "增长50%材料有限公司"})
    plain = create_company(s, None, {"name": "增长500材料有限公司"})
    s.flush()
    contacts = {
        "wang": Contact(company_id=coal.id, name="王经理", phone="13900001111", owner_unit_id=a.id),
        "li": Contact(company_id=byd.id, name="李总", phone="13800002222", owner_unit_id=b.id),
    }
    s.add_all(contacts.values())
    leads = {
        "a": Lead(company_id=coal.id, title="焦化副产品深加工项目", unit_id=a.id, owner_id=users["a_officer"].id,
                  version_id=1),
        "b": Lead(company_id=byd.id, title="新能源汽车零部件基地", unit_id=b.id, owner_id=users["b_officer"].id,
                  version_id=1),
    }
    s.add_all(leads.values())
    s.flush()
    projects = {
        "a": Project(name="焦煤循环经济产业园", resp_unit_id=a.id, company_id=coal.id, lead_id=leads["a"].id,
                     source="attraction", category="industry", version_id=1),
        "b": Project(name="比亚迪电池二期", resp_unit_id=b.id, company_id=byd.id, lead_id=leads["b"].id,
                     source="attraction", category="industry", version_id=1),
    }
    s.add_all(projects.values())
    s.commit()
    return dict(units={"city": city, "a": a, "b": b}, users=users, contacts=contacts, leads=leads,
                projects=projects, companies={"coal": coal, "byd": byd, "tech": tech, "percent": percent,
                                              "plain": plain})


def run(db, user, text, **kwargs) -> dict[str, services.Group]:
    """Search as ``user``; the groups by kind."""
    scope = scope_for(db.session, db.session.get(User, user.id))
    results = services.search(db.session, scope, matching.parse(text), **kwargs)
    return {g.kind: g for g in results.groups}


def ids(group) -> set[int]:
    return {hit["id"] for hit in group.hits}
