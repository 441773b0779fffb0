"""Demo key projects with their people: 包联领导 (``city_leader`` at city level, ``yd_leader`` at county
level), a 包联部门 and a 专班, this year's plan, some monthly figures and problems — so the project list,
the project page's people panel and the leaders' "my projects" page have something to show.
Idempotent by project name; everything goes through the services, audited as the system admin."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.leads.listing import local_today
from crm.models import Project, Unit, User
from crm.problems.services import raise_problem
from crm.projects import monthly, plans, services as project_services
from crm.security.scope import Scope
from crm.teams import services as teams

# (name, 责任单位, category, stage, plan list, planned for the year (万元), start planned in days from today,
#  包联领导 [(username, level)], 包联部门, problems [(title, deadline in days or None)])
PROJECTS = (
    ("尧都区锂电负极材料一体化项目", "尧都高新技术产业开发区", "industry", "signed", "new", 24000, -20,
     [("yd_leader", "county"), ("city_leader", "city")], "临汾市发展和改革委员会",
     [("项目用地指标未落实", -6), ("环评批复待办", 20)]),
    ("尧都区城市更新（一期）", "尧都区", "infrastructure", "started", "continuing", 12000, -200,
     [("yd_leader", "county")], None, [("拆迁补偿资金缺口", None)]),
    ("临汾开发区新能源装备产业园", "临汾经济开发区", "industry", "started", "continuing", 36000, -300,
     [("city_leader", "city")], "临汾市投资促进局", []),
    ("尧都区职业教育实训基地", "尧都区", "livelihood", "registered", "preparing", 3000, 90,
     [("yd_leader", "county")], None, []),
)
# The 专班 of the first project: (role, username or None, name, phone, organisation)
TEAM = (("leader", "yd_manager", None, None, None), ("member", "yd_officer", None, None, None),
        ("liaison", None, "陈建国", "13935700001", "上海负极材料示范有限公司"),
        ("agent", None, "刘代办", "0357-2091234", "尧都高新区企业服务中心"))


def _user(session: Session, username: str | None) -> User | None:
    return session.scalar(select(User).where(User.username == username)) if username else None


def _unit(session: Session, name: str | None) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.name == name)) if name else None


def load_projects(session: Session) -> None:
    admin = _user(session, "admin")
    today = local_today()
    for (name, resp, category, stage, plan_list, planned, start_in, leaders, dept, problems) in PROJECTS:
        if admin is None or session.scalar(select(Project.id).where(Project.name == name)) is not None:
            continue
        project = project_services.create_project(session, admin, {
            "name": name, "source": "attraction" if category == "industry" else "government", "category": category,
            "resp_unit_id": _unit(session, resp).id, "stage": stage, "total_investment": planned * 3,
            "start_year": today.year - (1 if plan_list == "continuing" else 0), "end_year": today.year + 2,
            "planned_start_on": today + dt.timedelta(days=start_in)})
        split = {str(m): str(planned // 12) for m in range(1, 13)}
        plans.set_year(session, admin, project, today.year, {"plan_list": plan_list, "planned_investment": planned,
                                                             "monthly_plan": split})
        everything = Scope(admin.id, True, frozenset())
        for month in range(1, today.month):  # figures of the months already closed, a little behind the plan
            monthly.save_grid(session, admin, everything, today.year, month,
                              {project.id: {"completed": str(planned * 8 // 120)}})
        for username, level in leaders:
            teams.assign_leader(session, admin, project, _user(session, username).id, level)
        if dept:
            teams.assign_dept(session, admin, project, _unit(session, dept).id)
        for title, due in problems:
            raise_problem(session, admin, project, {
                "title": title, "deadline": None if due is None else today + dt.timedelta(days=due)})
        if project.name == PROJECTS[0][0]:
            for role, username, person, phone, org in TEAM:
                user = _user(session, username)
                teams.add_member(session, admin, project, {"role": role, "user_id": user.id if user else None,
                                                           "name": person, "phone": phone, "org": org})
    session.flush()
