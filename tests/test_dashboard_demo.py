"""The dashboard at the seed's scale (demo scale 1): for the demo year it shows the seed's figures — 1,031 plan
projects, 4,190亿元 total, 907亿元 this year; 521 started or resumed, 2,139.5亿元, 584亿元 — and when one
project changes the figures move by exactly that project's amounts (both databases).

The demo is loaded once per backend for the module (the fixtures of tests/test_demo_scale.py).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from crm.dashboard import services
from crm.security.scope import scope_for
from tests.test_demo_scale import demo_connection, session  # noqa: F401 - the module's fixtures

TODAY = dt.date(2026, 12, 6)
SEED = (1031, Decimal("41900000.00"), Decimal("9070000.00"), 521, Decimal("21395000.00"), Decimal("5840000.00"))


def _figures(session, user):  # noqa: F811 - the fixture is passed in
    from crm.settings import get
    year = get(session, "plan_year")
    d = services.dashboard(session, services.Filters(year), scope_for(session, user), TODAY)
    t = d["plan"].total
    return d, (int(t["count"]), t["total"], t["planned"], int(t["active"]), t["active_total"], t["active_planned"])


def test_the_dashboard_shows_the_seed_figures_and_moves_with_one_project(session):  # noqa: F811
    from crm.models import Project, ProjectMonth, ProjectYear, User
    from crm.projects import monthly

    leader = session.scalar(select(User).where(User.username == "city_leader"))
    before, figures = _figures(session, leader)
    assert before["year"] == 2022 and before["as_of"] == dt.date(2022, 12, 31)
    assert figures == SEED
    # 开复工率 as reported is the same 521 over the 881 new and continuing memberships.
    assert before["kpis"]["start_resume_rate"].dispatch.numerator == 521
    # A 续建 project not yet resumed reports a February completion: one more resumed, by its own amounts.
    resumed = select(ProjectMonth.project_id).where(ProjectMonth.year == 2022)
    project, membership = session.execute(
        select(Project, ProjectYear).join(ProjectYear, ProjectYear.project_id == Project.id)
        .where(ProjectYear.year == 2022, ProjectYear.plan_list == "continuing", Project.stage == "started",
               Project.id.not_in(resumed)).order_by(Project.code).limit(1)).one()
    admin = session.scalar(select(User).where(User.username == "admin"))
    monthly.save_grid(session, admin, scope_for(session, admin), 2022, 2,
                      {project.id: {"completed": "120.50", "stats_status": "none"}})
    session.commit()
    after, moved = _figures(session, leader)
    assert moved == SEED[:3] + (522, SEED[4] + project.total_investment, SEED[5] + membership.planned_investment)
    resume = (before["kpis"]["resume_rate"].dispatch, after["kpis"]["resume_rate"].dispatch)
    assert (resume[1].numerator - resume[0].numerator, resume[1].denominator) == (1, resume[0].denominator)
    completed = (before["plan"].total["completed"], after["plan"].total["completed"])
    assert completed[1] - completed[0] == Decimal("120.50")
