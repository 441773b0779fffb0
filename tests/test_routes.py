"""Walk the url_map: every route declares a function, sends anonymous users to sign-in,
refuses a missing CSRF token on state-changing methods, and renders without outside URLs."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm.security.permissions import FUNCTIONS, PUBLIC
from tests.conftest import csrf_token

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//(?!localhost|127\.0\.0\.1)""", re.I)
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def records(db, make_unit, make_user):
    from crm.companies.services import create_company
    unit = make_unit("路由测试县")
    admin = make_user(("admin",), unit=unit)
    company = create_company(db.session, admin, {"name": "路由测试企业有限公司", "county_code": "141002"})
    from crm.imports.services import create_batch
    from crm.jobs.service import enqueue
    batch = create_batch(db.session, admin, "companies", "a.csv", "企业名称\n路由导入有限公司\n".encode())
    job = enqueue(db.session, "export.file", {"kind": "companies", "format": "csv"}, admin.id)
    from crm.jobs.service import files_root, finish, job_dir
    (job_dir(job.id) / "export.csv").write_text("\ufeff企业名称\r\n", encoding="utf-8")
    finish(db.session, job, {"file": str((job_dir(job.id) / "export.csv").relative_to(files_root()))})
    from crm.models import Contact
    contact = Contact(company_id=company.id, name="路由联系人", phone="13900000000", owner_unit_id=unit.id)
    db.session.add(contact)
    from crm.leads.services import create_lead
    from crm.models import LeadConflict
    other = make_user(("officer",), unit=make_unit("路由测试乙县"))
    lead = create_lead(db.session, admin, {"company_id": company.id, "title": "路由测试项目"})
    rival = create_lead(db.session, other, {"company_id": company.id, "title": "路由测试"})
    conflict = db.session.scalar(select(LeadConflict).where(LeadConflict.lead_b_id == rival.id))
    import datetime as dt
    import io

    from crm.attachments.services import store
    from crm.leads.services import record_signing
    from crm.models import Notification
    from crm.visits.services import create_delegation, create_trip
    trip = create_trip(db.session, admin, {"title": "路由测试出访", "start_on": dt.date(2026, 3, 1),
                                           "end_on": dt.date(2026, 3, 2), "destination_code": "31"})
    delegation = create_delegation(db.session, admin, {"company_id": company.id, "arrived_on": dt.date(2026, 3, 1)})
    signing = record_signing(db.session, admin, lead, kind="contract", signed_on=dt.date(2026, 3, 5), amount="100")
    attachment = store(db.session, admin, "signing", signing.id, "合同.pdf", io.BytesIO(b"%PDF-1.4 route"))
    notification = db.session.scalar(select(Notification).where(Notification.user_id == admin.id))
    from crm.industry.cache import model_for
    from crm.industry.services import save_target_list
    from tests.industry_helpers import build_chain
    toy = build_chain(db.session, admin, name="路由链")
    tl = save_target_list(db.session, admin, toy["chain"], "路由清单", model_for(db.session, toy["chain"]).targets())
    from crm.projects import plans, services as project_services, stages as project_stages
    project = project_services.create_project(db.session, admin, {
        "name": "路由测试重点项目", "source": "government", "category": "industry", "resp_unit_id": unit.id})
    proof = store(db.session, admin, "project", project.id, "开工.pdf", io.BytesIO(b"%PDF-1.4 route"))
    change = project_stages.change_stage(db.session, admin, project, "started", evidence_ids=[proof.id])
    plans.set_year(db.session, admin, project, 2026, {"plan_list": "new"})
    library = project_services.set_library(db.session, admin, project, "city_key", dt.date(2026, 1, 2), "SZ-1")
    from crm.problems.services import raise_problem
    problem = raise_problem(db.session, admin, project, {"title": "路由测试问题", "deadline": "2026-01-05"})
    from crm.models.reporting import ReportCorrection, ReportingRound
    report = ReportingRound(unit_id=unit.id, year=2026, month=3, status="locked")
    db.session.add(report)
    db.session.flush()
    correction = ReportCorrection(round_id=report.id, project_id=project.id, values={"completed": "1"}, reason="路由")
    db.session.add(correction)
    from crm.factors import services as factor_services
    factor_services.set_pool(db.session, admin, {"year": "2026", "kind": "land", "amount": "100"})
    factor_request = factor_services.create_request(db.session, admin, project,
                                                    {"year": "2026", "kind": "land", "amount": "30"})
    factor_services.allocate(db.session, admin, factor_request, {"amount": "10", "doc_no": "路由文号"})
    from crm.approvals.services import items_of, set_profile
    set_profile(db.session, admin, project, {"approval_type": "approve", "land_supply": "allocated"})
    from crm.teams import services as team_services
    leader = team_services.assign_leader(db.session, admin, project, admin.id, "county")
    dept = team_services.assign_dept(db.session, admin, project, unit.id)
    member = team_services.add_member(db.session, admin, project,
                                      {"role": "liaison", "name": "路由联络员", "phone": "13900000001"})
    db.session.commit()
    return {"chain_id": toy["chain"].id, "segment_id": toy["segments"]["b"].id, "list_id": tl.id,
            "lead_id": lead.id, "conflict_id": conflict.id, "trip_id": trip.id, "delegation_id": delegation.id,
            "entity_type": "signing", "entity_id": signing.id, "attachment_id": attachment.id,
            "notification_id": notification.id,
            "company_id": company.id, "user_id": admin.id, "unit_id": unit.id, "key": "home_city_code",
            "code": "en", "filename": "css/app.css", "admin": admin, "batch_id": batch.id, "job_id": job.id,
            "kind": "companies", "contact_id": contact.id, "stage": "clue",
            "project_id": project.id, "change_id": change.id, "year": 2026, "library_id": library.id,
            "problem_id": problem.id, "month": 3, "round_id": report.id, "correction_id": correction.id,
            "request_id": factor_request.id, "item_id": items_of(db.session, project.id)[0].id,
            "template": "monthly_key_projects", "leader_id": leader.id, "dept_id": dept.id,
            "member_id": member.id}


def _rules(app):
    return [r for r in app.url_map.iter_rules()]


def _fill(rule, records) -> str:
    missing = [a for a in rule.arguments if a not in records]
    assert not missing, f"route {rule.rule} has parameters no fixture fills: {missing}"
    from flask import url_for
    return url_for(rule.endpoint, **{a: records[a] for a in rule.arguments})


def test_every_route_declares_a_registered_function(app):
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        function = getattr(view, "permission", None)
        assert function in FUNCTIONS, f"{rule.rule} ({rule.endpoint}) declares no registered function"


def test_anonymous_users_are_sent_to_sign_in(app, client, records):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    with app.test_request_context():
        urls = [(rule, _fill(rule, records)) for rule in _rules(app)]
    for rule, url in urls:
        if app.view_functions[rule.endpoint].permission == PUBLIC:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 302, f"{method} {url} gave {response.status_code}"
            assert "/login" in response.headers["Location"], url


def test_state_changing_routes_refuse_a_missing_csrf_token(app, client, records, login):
    login(records["admin"])
    with app.test_request_context():
        urls = [(rule, _fill(rule, records)) for rule in _rules(app)]
    checked = 0
    for rule, url in urls:
        for method in rule.methods & STATE_CHANGING:
            response = client.open(url, method=method, data={"name": "x"})
            assert response.status_code == 400, f"{method} {url} accepted a form without CSRF token"
            assert "security token" in response.get_data(as_text=True) or "安全" in response.get_data(as_text=True)
            checked += 1
    assert checked >= 8  # the walk really covered the forms


def test_every_get_page_renders_without_outside_urls(app, client, records, login):
    login(records["admin"])
    with app.test_request_context():
        urls = [(rule, _fill(rule, records)) for rule in _rules(app) if "GET" in rule.methods]
    for rule, url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302), f"GET {url} gave {response.status_code}"
        if response.mimetype == "text/html":
            body = response.get_data(as_text=True)
            assert not EXTERNAL.search(body), f"{url} loads something from outside the server"
            assert "<script>" not in body, f"{url} has an inline script"
            assert " style=" not in body, f"{url} has an inline style (blocked by the CSP)"


def test_role_without_function_gets_403(client, make_user, login):
    login(make_user(("officer",)))
    for url in ("/settings/", "/units/", "/users/"):
        response = client.get(url)
        assert response.status_code == 403, url


def test_record_outside_scope_gets_404(client, make_unit, make_user, login):
    county_a, county_b = make_unit("甲县"), make_unit("乙县")
    unit_admin = make_user(("unit_admin",), unit=county_a)
    other = make_user(("officer",), unit=county_b)
    login(unit_admin)
    assert client.get(f"/users/{other.id}").status_code == 404
    assert client.get(f"/users/{unit_admin.id}").status_code == 200


def test_bad_url_parameters_get_a_clear_400(client, make_user, login):
    login(make_user(("officer",)))
    response = client.get("/companies/?page=abc")
    assert response.status_code == 400
    assert "page" in response.get_data(as_text=True)
    assert client.get("/companies/?cluster=mars").status_code == 400
    assert client.get("/companies/?page=0").status_code == 400


def test_unknown_page_is_404(client, make_user, login):
    login(make_user(("officer",)))
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert 'data-testid="error-code"' in response.get_data(as_text=True)


def test_server_error_rolls_back_and_shows_the_500_page(app, db):
    from crm import create_app
    from crm.models import Unit
    from crm.security.permissions import PUBLIC
    from tests.conftest import make_config

    failing = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], PROPAGATE_EXCEPTIONS=False))

    def boom():
        db.session.add(Unit(name="半途单位", kind="county"))
        db.session.flush()
        raise RuntimeError("boom")
    boom.permission = PUBLIC
    failing.add_url_rule("/boom", "boom", boom)
    response = failing.test_client().get("/boom")
    assert response.status_code == 500
    assert 'data-testid="error-code"' in response.get_data(as_text=True)
    from sqlalchemy import select
    assert db.session.scalar(select(Unit.id).where(Unit.name == "半途单位")) is None
