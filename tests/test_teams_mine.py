"""The "my projects" page: the projects a user is 包联领导 for or in the 专班 of, as cards, most urgent first."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from crm.leads.listing import local_today
from crm.models import ProjectMonth, ProjectStageChange, User
from crm.problems.services import raise_problem
from crm.projects import plans, services as project_services
from crm.security.scope import scope_for
from crm.teams import listing, services
from tests.teams_world import tworld  # noqa: F401 - the shared fixture


def _world(db, tworld):  # noqa: F811
    u, units, s = tworld["users"], tworld["units"], db.session
    today = local_today()
    admin, me = u["admin"], u["a_leader"]

    def project(name, unit="a", **fields):
        return project_services.create_project(s, admin, {"name": name, "source": "government",
                                                          "category": "industry", "resp_unit_id": units[unit].id,
                                                          **fields})
    past = today - dt.timedelta(days=30)
    p = {"urgent": project("甲急项目", planned_start_on=past), "late": project("乙县逾期项目", "b", planned_start_on=past),
         "open": project("丙开放问题项目"), "pending": project("丁待认定项目"), "calm": tworld["project"],
         "other": project("戊无关项目")}
    raise_problem(s, admin, p["urgent"], {"title": "用地未落实", "deadline": today - dt.timedelta(days=5)})
    raise_problem(s, admin, p["open"], {"title": "资金缺口"})
    s.add(ProjectStageChange(project_id=p["pending"].id, from_stage="signed", to_stage="started",
                             review_status="pending"))
    plans.set_year(s, admin, p["calm"], today.year, {"plan_list": "continuing", "planned_investment": "1000"})
    s.add(ProjectMonth(project_id=p["calm"].id, year=today.year, month=1, completed=Decimal("250"),
                       stats_status="none"))
    for key in ("urgent", "open", "pending", "calm"):
        services.assign_leader(s, admin, p[key], me.id, "county")
    services.add_member(s, admin, p["late"], {"role": "agent", "user_id": me.id})
    s.commit()
    return p, today


def test_cards_come_most_urgent_first_with_their_figures(db, tworld):  # noqa: F811
    p, today = _world(db, tworld)
    me = db.session.get(User, tworld["users"]["a_leader"].id)
    cards = listing.my_projects(db.session, me.id, scope_for(db.session, me), today)
    assert [c["project"].id for c in cards] == [p[k].id for k in ("urgent", "late", "open", "pending", "calm")]
    by = {c["project"].id: c for c in cards}
    assert (by[p["urgent"].id]["overdue_problems"], by[p["urgent"].id]["overdue"]) == (1, ["start"])
    assert (by[p["open"].id]["open_problems"], by[p["open"].id]["overdue_problems"]) == (1, 0)
    assert by[p["pending"].id]["pending"] == 1
    calm = by[p["calm"].id]
    expected = (Decimal("250.00"), Decimal("1000.00"), Decimal("25.00"))
    assert (calm["completed"], calm["planned"], calm["percent"]) == expected
    assert by[p["late"].id]["roles"] == [("team", "agent")] and calm["roles"] == [("leader", "county")]
    assert by[p["late"].id]["resp_name"] == tworld["units"]["b"].name


def test_the_page_lists_the_cards_and_links_them(client, db, tworld, login):  # noqa: F811
    p, _today = _world(db, tworld)
    login(tworld["users"]["a_leader"])
    html = client.get("/projects/mine/").get_data(as_text=True)
    order = [int(i) for i in re.findall(r'data-testid="mine-card-(\d+)"', html)]
    assert order == [p[k].id for k in ("urgent", "late", "open", "pending", "calm")]
    assert f'href="/projects/{p["urgent"].id}"' in html and "戊无关项目" not in html
    assert "25.00%" in html and "续建" in html and tworld["units"]["b"].name in html
    assert 'data-testid="mine-overdue-problems"' in html and 'data-testid="mine-pending"' in html
    assert 'href="/projects/mine/"' in html  # the nav entry


def test_someone_with_no_projects_gets_a_message(client, db, tworld, login):  # noqa: F811
    login(tworld["users"]["b_officer"])
    response = client.get("/projects/mine/")
    assert response.status_code == 200 and 'data-testid="mine-empty"' in response.get_data(as_text=True)
