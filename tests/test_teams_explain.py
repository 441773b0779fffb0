"""EXPLAIN: the project scope condition, with its 包联领导, 包联部门 and 专班 branches, looks each source up
through an index on both databases (PostgreSQL with ``enable_seqscan = off``): the project count, and the
"my projects" query, under a county officer's scope."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from crm.models import Project, User
from crm.security.scope import scope_for
from crm.projects.listing import overdue_flags
from crm.teams import listing, services
from tests.teams_world import tworld  # noqa: F401 - the shared fixture
from tests.test_leads_explain import explain

PEOPLE_TABLES = ("project", "problem", "project_leader", "project_dept", "project_team_member")


def _assert_indexed(db, plan: list[str]) -> None:
    text = "\n".join(plan)
    for table in PEOPLE_TABLES:
        if db.engine.dialect.name == "postgresql":
            assert f"Seq Scan on {table} " not in text + " ", text
        else:
            assert not [line for line in plan if line.startswith(f"SCAN {table}") and "USING" not in line], text


def test_project_scope_and_my_projects_use_indexes(db, tworld):  # noqa: F811
    u, p = tworld["users"], tworld["project"]
    services.add_member(db.session, u["admin"], p, {"role": "member", "user_id": u["b_officer"].id})
    services.assign_dept(db.session, u["admin"], p, tworld["units"]["b"].id)
    db.session.commit()
    me = db.session.get(User, u["b_officer"].id)
    scope = scope_for(db.session, me)
    count = select(func.count()).select_from(Project).where(scope.condition(Project))
    _assert_indexed(db, explain(db, count))
    mine = (select(Project.id, *overdue_flags(dt.date(2026, 3, 1)).values())
            .where(Project.id.in_(listing.my_project_ids(me.id)), scope.condition(Project)))
    _assert_indexed(db, explain(db, mine))
    assert db.session.scalar(count) == 1
