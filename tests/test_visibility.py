"""Each row of docs/VISIBILITY.md, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crm.models import (Chain, Company, Contact, Delegation, FactorRequest, Interaction, Lead, LeadUnit, Problem,
                        Project, ProjectDept, ProjectLeader, ProjectTeamMember, Segment, Signing, Trip, User)
from crm.security.scope import lead_existence, mask_phone, scope_for


@pytest.fixture
def world(db, make_unit, make_user):
    """Two counties (A with a zone), a city department, users in each, and records of each kind."""
    s = db.session
    city = make_unit("测试市", kind="city")
    a = make_unit("甲县", parent=city)
    zone = make_unit("甲县开发区", kind="zone", parent=a)
    b = make_unit("乙县", parent=city)
    dept = make_unit("市投促局", kind="city_dept", parent=city)
    users = {
        "a_officer": make_user(("officer",), unit=a), "zone_officer": make_user(("officer",), unit=zone),
        "b_officer": make_user(("officer",), unit=b), "a_leader": make_user(("county_leader",), unit=a),
        "chief": make_user(("manager",), unit=dept), "baolian": make_user(("manager",), unit=dept),
        "city_leader": make_user(("city_leader",), unit=city), "admin": make_user(("admin",), unit=dept),
    }
    company = Company(name="某某投资集团", name_norm="某某投资", version_id=1)
    s.add(company)
    chain = Chain(name="测试链", chief_id=users["chief"].id)
    s.add(chain)
    s.flush()
    seg = Segment(chain_id=chain.id, name="环节", position="midstream")
    s.add(seg)
    s.flush()

    def lead(unit, segment=None, title="项目"):
        rec = Lead(company_id=company.id, title=title, unit_id=unit.id, owner_id=users["a_officer"].id,
                   segment_id=segment, version_id=1, first_reported_at=dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc))
        s.add(rec)
        s.flush()
        return rec

    leads = {"a": lead(a), "zone": lead(zone), "b": lead(b), "b_chain": lead(b, seg.id),
             "b_assisted_by_a": lead(b, title="协办项目")}
    s.add(LeadUnit(lead_id=leads["b_assisted_by_a"].id, unit_id=a.id, role="assist", credit=30))

    def project(resp, location=None, segment=None, name="项目"):
        rec = Project(name=name, resp_unit_id=resp.id, location_unit_id=location.id if location else None,
                      source="government", category="infrastructure", segment_id=segment, version_id=1)
        s.add(rec)
        s.flush()
        return rec

    projects = {"a": project(a), "b": project(b), "b_in_a": project(b, location=a), "b_chain": project(b, None, seg.id),
                "b_baolian": project(b), "b_problem_for_a": project(b), "b_team": project(b), "b_dept": project(b)}
    s.add(ProjectLeader(project_id=projects["b_baolian"].id, user_id=users["baolian"].id, level="city"))
    s.add(ProjectTeamMember(project_id=projects["b_team"].id, user_id=users["a_officer"].id, unit_id=a.id,
                            role="member"))  # 专班: the member sees the project, not the member's unit
    s.add(ProjectDept(project_id=projects["b_dept"].id, unit_id=zone.id))  # 包联部门: its subtree and units above
    problems = {"for_a": Problem(project_id=projects["b_problem_for_a"].id, title="用地", resp_unit_id=a.id),
                "b": Problem(project_id=projects["b"].id, title="资金", resp_unit_id=b.id)}
    s.add_all(problems.values())
    interactions = {
        "a": Interaction(company_id=company.id, kind="call", summary="电话", user_id=users["a_officer"].id, unit_id=a.id),
        "b_on_b_lead": Interaction(company_id=company.id, lead_id=leads["b"].id, kind="visit", summary="拜访",
                                   user_id=users["b_officer"].id, unit_id=b.id)}
    s.add_all(interactions.values())
    signings = {"b": Signing(company_id=company.id, lead_id=leads["b"].id, unit_id=b.id, kind="contract",
                             signed_on=dt.date(2026, 3, 1))}
    s.add_all(signings.values())
    trips = {"a": Trip(title="长三角招商", start_on=dt.date(2026, 4, 1), end_on=dt.date(2026, 4, 3), unit_id=a.id)}
    delegations = {"b": Delegation(company_id=company.id, arrived_on=dt.date(2026, 5, 1), host_unit_id=b.id)}
    s.add_all([*trips.values(), *delegations.values()])
    contact = Contact(company_id=company.id, name="王经理", phone="13900001111", email="w@example.cn",
                      owner_unit_id=a.id)
    s.add(contact)
    s.commit()
    return dict(units={"a": a, "zone": zone, "b": b, "dept": dept, "city": city}, users=users, leads=leads,
                projects=projects, problems=problems, interactions=interactions, signings=signings, trips=trips,
                delegations=delegations, contact=contact, company=company)


def visible(db, user, model, records) -> set[str]:
    scope = scope_for(db.session, db.session.get(User, user.id))
    ids = set(db.session.scalars(select(model.id).where(scope.condition(model))))
    return {name for name, rec in records.items() if rec.id in ids}


def test_leads(db, world):
    u, leads = world["users"], world["leads"]
    assert visible(db, u["a_officer"], Lead, leads) == {"a", "zone", "b_assisted_by_a"}  # subtree + 协办
    assert visible(db, u["zone_officer"], Lead, leads) == {"zone"}  # a zone does not see its county
    assert visible(db, u["b_officer"], Lead, leads) == {"b", "b_chain", "b_assisted_by_a"}
    assert visible(db, u["a_leader"], Lead, leads) == {"a", "zone", "b_assisted_by_a"}
    assert visible(db, u["chief"], Lead, leads) == {"b_chain"}  # 链长 sees the chain across counties
    assert visible(db, u["city_leader"], Lead, leads) == set(leads)
    assert visible(db, u["admin"], Lead, leads) == set(leads)


def test_other_units_leads_show_only_their_existence(db, world):
    rows = db.session.execute(lead_existence(world["company"].id)).mappings().all()
    assert {r["unit_name"] for r in rows} == {"甲县", "甲县开发区", "乙县"}
    assert set(rows[0].keys()) == {"company_id", "unit_id", "unit_name", "first_reported_at"}


def test_projects(db, world):
    u, projects = world["users"], world["projects"]
    assert visible(db, u["a_officer"], Project, projects) == {"a", "b_in_a", "b_problem_for_a", "b_team", "b_dept"}
    assert visible(db, u["a_leader"], Project, projects) == {"a", "b_in_a", "b_problem_for_a", "b_dept"}
    assert visible(db, u["zone_officer"], Project, projects) == {"b_dept"}
    assert visible(db, u["b_officer"], Project, projects) == set(projects) - {"a"}
    assert visible(db, u["chief"], Project, projects) == {"b_chain"}
    assert visible(db, u["baolian"], Project, projects) == {"b_baolian"}
    assert visible(db, u["city_leader"], Project, projects) == set(projects)


def test_problems(db, world):
    u, problems = world["users"], world["problems"]
    assert visible(db, u["a_officer"], Problem, problems) == {"for_a"}
    assert visible(db, u["b_officer"], Problem, problems) == {"for_a", "b"}  # b sees its project's problem
    assert visible(db, u["zone_officer"], Problem, problems) == set()
    assert visible(db, u["admin"], Problem, problems) == set(problems)


def test_factor_requests_follow_their_project(db, world):
    projects = world["projects"]
    requests = {name: FactorRequest(project_id=projects[name].id, year=2026, kind="land", amount=10,
                                    requested_on=dt.date(2026, 3, 1), status="requested")
                for name in ("a", "b", "b_in_a", "b_chain", "b_baolian")}
    db.session.add_all(requests.values())
    db.session.commit()
    u = world["users"]
    assert visible(db, u["a_officer"], FactorRequest, requests) == {"a", "b_in_a"}
    assert visible(db, u["b_officer"], FactorRequest, requests) == set(requests) - {"a"}
    assert visible(db, u["zone_officer"], FactorRequest, requests) == set()
    assert visible(db, u["chief"], FactorRequest, requests) == {"b_chain"}
    assert visible(db, u["baolian"], FactorRequest, requests) == {"b_baolian"}
    assert visible(db, u["city_leader"], FactorRequest, requests) == set(requests)


def test_contact_log_signings_trips_delegations(db, world):
    u = world["users"]
    assert visible(db, u["a_officer"], Interaction, world["interactions"]) == {"a"}
    assert visible(db, u["b_officer"], Interaction, world["interactions"]) == {"b_on_b_lead"}
    assert visible(db, u["a_officer"], Signing, world["signings"]) == set()
    assert visible(db, u["b_officer"], Signing, world["signings"]) == {"b"}
    assert visible(db, u["a_officer"], Trip, world["trips"]) == {"a"}
    assert visible(db, u["b_officer"], Trip, world["trips"]) == set()
    assert visible(db, u["b_officer"], Delegation, world["delegations"]) == {"b"}
    assert visible(db, u["a_officer"], Delegation, world["delegations"]) == set()
    assert visible(db, u["city_leader"], Interaction, world["interactions"]) == set(world["interactions"])


def test_companies_are_shared_and_phones_masked_across_units(db, world, client, login):
    u, contact = world["users"], world["contact"]
    for name in ("a_officer", "b_officer", "zone_officer"):
        assert visible(db, u[name], Company, {"c": world["company"]}) == {"c"}
    a_scope = scope_for(db.session, db.session.get(User, u["a_officer"].id))
    b_scope = scope_for(db.session, db.session.get(User, u["b_officer"].id))
    assert a_scope.owns_contact(contact) and not b_scope.owns_contact(contact)
    login(u["b_officer"])
    page = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert mask_phone("13900001111") in page and "13900001111" not in page and "w@example.cn" not in page


def test_users_list_is_limited_to_the_unit_subtree(db, world):
    u = world["users"]
    users = {k: v for k, v in u.items()}
    assert visible(db, u["a_leader"], User, users) == {"a_officer", "zone_officer", "a_leader"}
    assert visible(db, u["admin"], User, users) == set(users)


def test_approvals_follow_the_project(db, world):
    from crm.approvals.services import set_profile
    from crm.models import ApprovalItem, ApprovalProfile
    u, p = world["users"], world["projects"]
    for key in ("a", "b", "b_in_a"):
        set_profile(db.session, None, p[key], {"approval_type": "record", "land_supply": "none"})
    db.session.commit()
    for model in (ApprovalProfile, ApprovalItem):
        def sees(user):
            scope = scope_for(db.session, user)
            ids = set(db.session.scalars(select(model.project_id).where(scope.condition(model))))
            return {k for k, rec in p.items() if rec.id in ids}
        assert sees(u["a_officer"]) == {"a", "b_in_a"}
        assert sees(u["b_officer"]) == {"b", "b_in_a"}
        assert sees(u["city_leader"]) == {"a", "b", "b_in_a"}


def test_every_model_with_rows_has_a_rule(db, world):
    scope = scope_for(db.session, db.session.get(User, world["users"]["a_officer"].id))
    for model in (Company, Contact, Lead, Interaction, Signing, Trip, Delegation, Project, Problem, FactorRequest,
                  User):
        scope.condition(model)
    with pytest.raises(LookupError):
        scope.condition(Chain)
