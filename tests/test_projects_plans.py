"""The year's plan: memberships with their validation (the monthly split must add up), and the rollover
(service and ``flask projects rollover``): started → 续建, unstarted carried, finished dropped, refusals."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.attachments.services import store
from crm.core.errors import DomainError
from crm.models import ProjectYear
from crm.projects import plans, stages
from tests.test_projects_services import new_project, pworld  # noqa: F401 - the shared fixture


def _year(db, project, year):
    return db.session.scalar(select(ProjectYear).where(ProjectYear.project_id == project.id, ProjectYear.year == year))


def test_membership_with_monthly_split(db, pworld):  # noqa: F811
    project = new_project(db, pworld)
    row = plans.set_year(db.session, pworld["users"]["a"], project, 2026, {
        "plan_list": "new", "key_levels": ["city", "province"], "planned_investment": "3000",
        "planned_start_month": "3", "planned_finish_month": 12,
        "monthly_plan": {"3": "1000", "6": "1500.00", "9": "500"}})
    db.session.commit()
    assert (row.plan_list, row.key_level, row.planned_investment) == ("new", "province,city", Decimal("3000.00"))
    assert plans.key_levels(row) == ["province", "city"]
    assert row.monthly_plan == {"3": "1000.00", "6": "1500.00", "9": "500.00"}
    assert plans.monthly_total(row.monthly_plan) == Decimal("3000.00")
    # Saving again replaces the membership of that year.
    plans.set_year(db.session, pworld["users"]["a"], project, 2026, {"plan_list": "preparing"})
    db.session.commit()
    assert _year(db, project, 2026).plan_list == "preparing" and _year(db, project, 2026).monthly_plan is None


@pytest.mark.parametrize("data, field, words", [
    ({"plan_list": "new", "planned_investment": "3000", "monthly_plan": {"1": "1000", "2": "1000"}},
     "monthly_plan", ("2000.00", "3000.00")),
    ({"plan_list": "new", "monthly_plan": {"1": "10"}}, "planned_investment", ()),
    ({"plan_list": "later"}, "plan_list", ("新开工",)),
    ({"plan_list": "new", "planned_start_month": "13"}, "planned_start_month", ()),
    ({"plan_list": "new", "planned_start_month": "9", "planned_finish_month": "3"}, "planned_finish_month", ()),
    ({"plan_list": "new", "planned_investment": "abc"}, "planned_investment", ()),
    ({"plan_list": "new", "key_levels": ["moon"]}, "key_levels", ()),
])
def test_membership_refusals(db, pworld, data, field, words):  # noqa: F811
    project = new_project(db, pworld)
    with pytest.raises(DomainError) as err:
        plans.set_year(db.session, pworld["users"]["a"], project, 2026, data)
    assert err.value.field == field
    assert all(w in str(err.value.message) for w in words)


def _plan(db, pworld, name, plan_list, stage_to=None, category="industry"):  # noqa: F811
    project = new_project(db, pworld, name=name, category=category)
    plans.set_year(db.session, pworld["users"]["a"], project, 2026, {"plan_list": plan_list, "key_levels": ["city"]})
    if stage_to:
        proof = store(db.session, pworld["users"]["a"], "project", project.id, "证明.pdf", io.BytesIO(b"%PDF"))
        for stage in stage_to:
            stages.change_stage(db.session, pworld["users"]["a"], project, stage, evidence_ids=[proof.id],
                                reason="原因" if stage in ("paused", "ended") else None)
    db.session.commit()
    return project


def test_rollover_makes_next_years_plan(db, pworld):  # noqa: F811
    started = _plan(db, pworld, "已开工新开工项目", "new", ["started"])
    paused = _plan(db, pworld, "开工后暂缓项目", "new", ["started", "paused"])
    unstarted = _plan(db, pworld, "未开工项目", "new")
    preparing = _plan(db, pworld, "前期项目", "preparing")
    finished = _plan(db, pworld, "已竣工项目", "continuing", ["started", "completed"], category="infrastructure")
    ended = _plan(db, pworld, "已终止项目", "new", ["ended"])
    result = plans.rollover(db.session, None, 2026, 2027)
    db.session.commit()
    assert (result.continuing, result.carried, result.dropped, result.skipped) == (2, 2, 2, 0)
    got = {p.name: (_year(db, p, 2027).plan_list if _year(db, p, 2027) else None)
           for p in (started, paused, unstarted, preparing, finished, ended)}
    assert got == {"已开工新开工项目": "continuing", "开工后暂缓项目": "continuing", "未开工项目": "new",
                   "前期项目": "preparing", "已竣工项目": None, "已终止项目": None}
    assert _year(db, started, 2027).key_level == "city" and _year(db, started, 2027).planned_investment is None
    with pytest.raises(DomainError) as err:
        plans.rollover(db.session, None, 2026, 2027)
    assert "2027" in str(err.value.message)
    again = plans.rollover(db.session, None, 2026, 2027, force=True)
    assert (again.continuing, again.carried, again.skipped) == (0, 0, 4)
    with pytest.raises(DomainError):
        plans.rollover(db.session, None, 2026, 2028)


def test_rollover_command(app, db, pworld):  # noqa: F811
    _plan(db, pworld, "命令行项目", "new", ["started"])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["projects", "rollover", "--from", "2026", "--to", "2027"])
    assert result.exit_code == 0, result.output
    assert "1 continuing" in result.output
    refused = runner.invoke(args=["projects", "rollover", "--from", "2026", "--to", "2027"])
    assert refused.exit_code != 0 and "2027" in refused.output
    forced = runner.invoke(args=["projects", "rollover", "--from", "2026", "--to", "2027", "--force"])
    assert forced.exit_code == 0 and "1 already present" in forced.output


def test_remove_membership(db, pworld):  # noqa: F811
    project = _plan(db, pworld, "移出项目", "new")
    plans.remove_year(db.session, pworld["users"]["a"], project, 2026)
    assert _year(db, project, 2026) is None
    with pytest.raises(DomainError):
        plans.remove_year(db.session, pworld["users"]["a"], project, 2026)
