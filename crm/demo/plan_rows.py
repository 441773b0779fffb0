"""Write the generated plan year (:mod:`crm.demo.plan`) to the database: projects (and the 打包 umbrellas
over a few), their plan memberships, stage history, monthly figures, library entries and problems.

The rows keep what the project services keep (:mod:`crm.projects.services`, :mod:`crm.projects.stages`,
:mod:`crm.projects.plans`): a valid, unique 投资项目代码; a zone's project with the zone as 责任单位 and
its county as 属地; a first stage row at 签约, then one per move with the seconds spent; 开工 moves dated
(effective), with their evidence (:mod:`crm.demo.evidence`) and reviewed — confirmed by the city leader, a
few still pending; 暂缓 with the stage left and a reason; a monthly split adding up to the year's plan.
Converted projects carry their lead and 正式合同.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from crm.demo import templates as t
from crm.demo.bulk import bulk_insert
from crm.demo.evidence import attach_evidence
from crm.demo.investors import Converted
from crm.demo.plan import Plan, PlanProject
from crm.models import Problem, Project, ProjectLibrary, ProjectMonth, ProjectStageChange, ProjectYear, Unit, User

UTC = dt.timezone.utc
PAUSE_REASON = "资金未到位，暂缓施工"
KEY_OFFICE = "临汾市重点工程建设服务中心"


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=UTC)


def _location(p, units: dict[str, Unit]) -> tuple[str, int | None]:
    """建设地点 code and 属地 unit: a zone's project lies in its county (derived as the service does)."""
    county = units[p.county]
    return county.division_code, county.id if p.unit in t.ZONE_COUNTY else None


def _project_row(p, units: dict[str, Unit], batch: str, owner: int | None, stage: str, **extra) -> dict:
    code, location = _location(p, units)
    return {"code": p.code, "name": p.name, "location_code": code, "location_unit_id": location,
            "resp_unit_id": units[p.unit].id, "source": p.source, "category": p.category, "owner_id": owner,
            "stage": stage, "batch_id": batch, "version_id": 1, **extra}


def _umbrellas(session: Session, plan: Plan, units: dict[str, Unit], batch: str, owners: dict) -> dict[int, int]:
    rows = []
    for u in plan.umbrellas:
        started = [c.started_on for c in u.children if c.started_on]
        rows.append(_project_row(u, units, batch, owners.get(u.unit), "started" if started else "signed",
                                 total_investment=Decimal(sum(c.total for c in u.children)),
                                 content="、".join(c.name for c in u.children), company_id=None, segment_id=None,
                                 nature="new", start_year=min(c.start_year for c in u.children),
                                 end_year=max(c.end_year for c in u.children), stage_before_exit=None,
                                 exit_reason=None, planned_start_on=None, planned_complete_on=None,
                                 planned_production_on=None, planned_register_on=None, lead_id=None, signing_id=None,
                                 parent_id=None, created_at=_at(min(c.signed_on for c in u.children))))
    ids = bulk_insert(session, Project, rows, batch)
    changes = [{"project_id": pid, "from_stage": None, "to_stage": row["stage"], "at": row["created_at"],
                "effective_on": row["created_at"].date()} for pid, row in zip(ids, rows)]
    bulk_insert(session, ProjectStageChange, changes, batch)
    return {u.serial: pid for u, pid in zip(plan.umbrellas, ids)}


def _row(p: PlanProject, units, batch, owners, segments, converted: Converted | None, parents) -> dict:
    content = f"{p.name}，总投资{Decimal(p.total) / 10000:.2f}亿元，{p.end_year}年建成。"
    return _project_row(
        p, units, batch, converted.owner_id if converted else owners.get(p.unit), p.stage,
        total_investment=Decimal(p.total), content=content, company_id=converted.company_id if converted else None,
        segment_id=segments.get((p.chain, p.segment)), nature=p.nature, start_year=p.start_year,
        end_year=p.end_year, stage_before_exit="started" if p.paused_on else None,
        exit_reason=PAUSE_REASON if p.paused_on else None, planned_register_on=p.signed_on + dt.timedelta(days=30),
        planned_start_on=p.planned_start_on, planned_complete_on=p.planned_complete_on,
        planned_production_on=p.planned_production_on, lead_id=converted.lead_id if converted else None,
        signing_id=converted.signing_id if converted else None, parent_id=parents.get(p.parent),
        created_at=_at(p.signed_on))


def _stage_rows(p: PlanProject, pid: int, officer: int | None, reviewer: int | None, as_of: dt.date,
                converted: bool) -> list[dict]:
    steps = [("signed", p.signed_on)]
    if p.registered_on:
        steps.append(("registered", p.registered_on))
    if p.started_on:
        steps.append(("started", p.started_on))
    if p.paused_on:
        steps.append(("paused", p.paused_on))
    rows, previous, at = [], None, None
    for n, (stage, day) in enumerate(steps):
        moved = _at(day, 10 + n)
        review = "confirmed" if converted and stage == "signed" else None
        if stage == "started":
            review = p.review
        reviewed = review == "confirmed"
        rows.append({"project_id": pid, "from_stage": previous, "to_stage": stage, "at": moved, "user_id": officer,
                     "reason": PAUSE_REASON if stage == "paused" else None,
                     "seconds_in_previous": int((moved - at).total_seconds()) if at else None, "effective_on": day,
                     "evidence": None,
                     "review_status": review, "reviewed_by": reviewer if reviewed else None,
                     "reviewed_at": _at(min(as_of, day + dt.timedelta(days=5)), 16) if reviewed else None})
        previous, at = stage, moved
    return rows


def load_projects(session: Session, plan: Plan, batch: str, units: dict[str, Unit], owners: dict[str, int],
                  segments: dict[tuple[str, int], int], converted: dict[int, Converted], reviewer: User | None) -> None:
    parents = _umbrellas(session, plan, units, batch, owners)
    rows = [_row(p, units, batch, owners, segments, converted.get(p.serial), parents) for p in plan.projects]
    ids = bulk_insert(session, Project, rows, batch)
    years, changes, months, libraries, problems = [], [], [], [], []
    office = units[KEY_OFFICE].id
    for p, pid, row in zip(plan.projects, ids, rows):
        years.append({"project_id": pid, "year": plan.year, "plan_list": p.plan_list, "key_level": p.key_level,
                      "planned_investment": Decimal(p.planned),
                      # A start month is a 新开工 project's; a finish month only when the works end this year
                      # (竣工率's population), the monthly split still runs start..finish.
                      "planned_start_month": p.start_month if p.plan_list == "new" else None,
                      "planned_finish_month": p.finish_month if p.end_year == plan.year else None,
                      "monthly_plan": p.monthly_plan})
        changes += _stage_rows(p, pid, row["owner_id"], reviewer.id if reviewer else None, plan.as_of,
                               p.serial in converted)
        months += [{"project_id": pid, **m, "created_at": _at(dt.date(m["year"], m["month"], 25)),
                    "updated_at": _at(dt.date(m["year"], m["month"], 25))} for m in p.months]
        libraries += [{"project_id": pid, "library": lib, "entered_on": on, "number": number}
                      for lib, on, number in p.libraries]
        for q in p.problems:
            city = q["level"] != "county" or p.unit not in t.ZONE_COUNTY
            problems.append({
                "project_id": pid, "title": q["title"], "description": f"{p.name}：{q['title']}，需协调解决。",
                "kind": q["kind"], "level": q["level"], "status": q["status"], "resp_unit_id": row["resp_unit_id"],
                "resp_person": "项目负责人", "assigning_unit_id": None if q["status"] == "raised"
                else (office if city else units[p.county].id),
                "source_meeting": f"{plan.year}年一季度重点项目调度会", "deadline": q["deadline"], "raised_by": None,
                "created_at": _at(q["raised_on"]), "updated_at": _at(q["raised_on"])})
    bulk_insert(session, ProjectYear, years, batch)
    attach_evidence(session, changes, {pid: p.code for p, pid in zip(plan.projects, ids)}, plan.year, batch)
    bulk_insert(session, ProjectStageChange, changes, batch)
    bulk_insert(session, ProjectMonth, months, batch)
    bulk_insert(session, ProjectLibrary, libraries, batch)
    bulk_insert(session, Problem, problems, batch)
