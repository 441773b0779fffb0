"""Data sources of the 台账 templates: one set-based statement per kind of data, under the user's scope.

A source answers a :class:`Dataset`: rows as dicts keyed by field name (money as float, dates as dates,
percentages as fractions), the fields its own statements give, and — for project sources — the
project ids, so columns whose field it does not give are filled from the field registry
(:mod:`crm.ledgers.fields`) with one call per field. ``statements(ctx)`` lists a source's statements so
the benchmark can run the very same SQL on the raw cursor.

- ``monthly_projects`` (重点项目月报): the projects of the year's plan inside the scope (and the chosen
  unit's subtree as 责任单位 or 属地) with their membership, owner, place, segment and chain; one grouped
  statement over ``project_month`` gives 截至上年底累计完成 (months before the year), 1–N月完成, 本月完成,
  开工以来累计 (= the two sums: every month up to the period), and the month's 形象进度, 入统 (status and
  date) and 到位资金 by source. A context with ``resp_unit_id`` (a unit's 报送 round) keeps the projects
  that unit is the 责任单位 of — exactly the round's projects.
- ``overdue_problems`` (调度: overdue 问题清单, ``crm.problems.listing.overdue_condition``).
- ``signings`` (招商签约): the year's signings up to the period's end.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from crm.ledgers.fields import Context, ProjectIds, field_value_fn
from crm.models import (Chain, Company, Division, Lead, PeriodClose, Problem, Project, ProjectLeader, ProjectMonth,
                        ProjectSnapshot, ProjectYear, Segment, Signing, Unit, User)
from crm.models.monthly import FUND_SOURCES
from crm.models.projects import PROBLEM_LEVELS, PROJECT_CATEGORIES
from crm.problems.listing import overdue_condition
from crm.projects.monthly import percent


@dataclass
class Dataset:
    rows: list[dict[str, Any]]
    project_ids: ProjectIds | None = None
    sort_keys: dict[str, Callable[[Any], Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    key: str
    fields: frozenset[str]
    statements: Callable[[Context], dict[str, Select]]
    build: Callable[[Session, Context], Dataset]
    per_project: bool = False  # columns may come from the field registry


def _f(value) -> float | None:
    return None if value is None else float(value)


def _day(value) -> dt.date | None:
    """A date column read through Core (SQLite may hand back its ISO text inside an aggregate)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _fraction(part, whole) -> float | None:
    """占年计划% as a fraction, rounded as :func:`crm.projects.monthly.percent` rounds it."""
    if not whole:
        return None
    return float(percent(Decimal(str(part or 0)), Decimal(str(whole))) / 100)


def _units(session: Session) -> dict[int, tuple[int | None, str, str, int]]:
    return {uid: (parent, kind, name, sort) for uid, parent, kind, name, sort
            in session.execute(select(Unit.id, Unit.parent_id, Unit.kind, Unit.name, Unit.sort))}


def _county_of(units: dict, unit_id: int | None) -> tuple[str, tuple]:
    """The 县区 a unit belongs to: its nearest county ancestor (itself included), else the unit itself."""
    seen, uid = set(), unit_id
    while uid is not None and uid not in seen:
        seen.add(uid)
        parent, kind, name, sort = units[uid]
        if kind == "county":
            return name, (sort, name)
        uid = parent
    if unit_id is None:
        return "", (1 << 30, "")
    _parent, _kind, name, sort = units[unit_id]
    return name, (sort, name)


# --- 重点项目月报 -------------------------------------------------------------------------------------------

def _project_ids(ctx: Context) -> Select:
    stmt = (select(Project.id).join(ProjectYear, and_(ProjectYear.project_id == Project.id,
                                                      ProjectYear.year == ctx.year))
            .where(ctx.scope.condition(Project)))
    if ctx.resp_unit_id is not None:  # one unit's 报送 round: the projects it is the 责任单位 of
        stmt = stmt.where(Project.resp_unit_id == ctx.resp_unit_id)
    elif ctx.unit_ids is not None:
        ids = sorted(ctx.unit_ids)
        stmt = stmt.where(or_(Project.resp_unit_id.in_(ids), Project.location_unit_id.in_(ids)))
    return stmt


def monthly_statements(ctx: Context) -> dict[str, Select]:
    ids = _project_ids(ctx)
    resp = aliased(Unit)
    main = (select(Project.id, Project.code, Project.name, Company.name, Division.name, Project.nature,
                   Project.content, Project.start_year, Project.end_year, Project.total_investment,
                   ProjectYear.planned_investment, ProjectYear.plan_list, ProjectYear.planned_start_month,
                   ProjectYear.planned_finish_month, Project.planned_start_on, Project.planned_complete_on,
                   Project.category, Project.stage, Segment.name, Chain.name, resp.name, Project.resp_unit_id,
                   Project.location_unit_id)
            .join(ProjectYear, and_(ProjectYear.project_id == Project.id, ProjectYear.year == ctx.year))
            .join(resp, resp.id == Project.resp_unit_id)
            .outerjoin(Company, Company.id == Project.company_id)
            .outerjoin(Division, Division.code == Project.location_code)
            .outerjoin(Segment, Segment.id == Project.segment_id)
            .outerjoin(Chain, Chain.id == Segment.chain_id)
            .where(Project.id.in_(ids)).order_by(Project.name, Project.id))
    pm, year, month = ProjectMonth, ctx.year, ctx.month
    this_month = and_(pm.year == year, pm.month == month)
    months = (select(pm.project_id,
                     func.sum(case((pm.year < year, pm.completed))),
                     func.sum(case((pm.year == year, pm.completed))),
                     func.sum(case((this_month, pm.completed))),
                     func.max(case((this_month, pm.progress))),
                     func.max(case((this_month, pm.stats_status))),
                     *(func.max(case((this_month, getattr(pm, k)))) for k in FUND_SOURCES),
                     func.max(case((this_month, pm.stats_on))))
              .where(pm.project_id.in_(ids), or_(pm.year < year, and_(pm.year == year, pm.month <= month)))
              .group_by(pm.project_id))
    return {"projects": main, "months": months}


MONTHLY_FIELDS = frozenset({
    "project_id", "code", "name", "company", "location", "nature", "content", "years", "total_investment",
    "before_year", "year_plan", "plan_list", "ytd", "ytd_percent", "this_month", "since_start", "planned_start",
    "planned_finish", "progress", "stats_status", "category", "stage", "chain", "segment", "resp_unit", "county",
    *FUND_SOURCES, "stats_on"})


def _month_start(year: int, month: int | None, date: dt.date | None) -> dt.date | None:
    if date is not None:
        return date
    return dt.date(year, month, 1) if month else None


def _frozen(session: Session, ctx: Context, ids: Select) -> dict[int, tuple] | None:
    """A closed month's frozen figures per project (封账), None while the month is open."""
    close = session.scalar(select(PeriodClose.id).where(PeriodClose.year == ctx.year, PeriodClose.month == ctx.month))
    if close is None:
        return None
    s = ProjectSnapshot
    stmt = select(s.project_id, s.planned, s.completed_month, s.completed_ytd, s.completed_total, s.stage,
                  s.entered).where(s.close_id == close, s.project_id.in_(ids))
    return {row[0]: row[1:] for row in session.connection().execute(stmt)}


def _apply_frozen(row: dict, frozen: tuple | None) -> None:
    """Put the close's figures in place of today's: the 月报 of a closed month quotes what was closed, so a
    correction made later changes the next month's report, never this one (a project planned after the
    close is not in the close and keeps its live figures)."""
    if frozen is None:
        return
    planned, month_done, ytd, total, stage, entered = frozen
    before = None if total is None else (total - (ytd or 0))
    row.update({"year_plan": _f(planned), "this_month": _f(month_done), "ytd": _f(ytd),
                "ytd_percent": _fraction(ytd, planned), "since_start": _f(total), "before_year": _f(before),
                "stage": stage, "stats_status": "entered" if entered else row["stats_status"]})


def monthly_projects(session: Session, ctx: Context) -> Dataset:
    stmts = monthly_statements(ctx)
    sums = {row[0]: row[1:] for row in session.connection().execute(stmts["months"])}
    frozen = _frozen(session, ctx, _project_ids(ctx))
    units = _units(session)
    year, rows, ids = ctx.year, [], []
    empty = (None,) * (5 + len(FUND_SOURCES) + 1)
    for (pid, code, name, company, location, nature, content, start_year, end_year, total, planned, plan_list,
         start_month, finish_month, start_on, complete_on, category, stage, segment, chain, resp_name, resp_id,
         location_unit) in session.connection().execute(stmts["projects"]):
        before, ytd, this_month, progress, stats, *funds, stats_on = sums.get(pid, empty)
        county, county_sort = _county_of(units, location_unit or resp_id)
        ids.append(pid)
        rows.append({
            "project_id": pid, "code": code, "name": name, "company": company, "location": location,
            "nature": nature, "content": content,
            "years": f"{start_year or ''}—{end_year or ''}" if start_year or end_year else None,
            "total_investment": _f(total), "before_year": _f(before), "year_plan": _f(planned),
            "plan_list": plan_list, "ytd": _f(ytd),
            "ytd_percent": _fraction(ytd, planned),
            "this_month": _f(this_month),
            "since_start": _f((before or 0) + (ytd or 0)) if before is not None or ytd is not None else None,
            "planned_start": _month_start(year, start_month, start_on),
            "planned_finish": _month_start(year, finish_month, complete_on),
            "progress": progress, "stats_status": stats or "none", "category": category,
            "category_sort": PROJECT_CATEGORIES.index(category), "stage": stage, "chain": chain,
            "segment": segment, "resp_unit": resp_name, "county": county, "county_sort": county_sort,
            **{k: _f(v) for k, v in zip(FUND_SOURCES, funds)}, "stats_on": _day(stats_on)})
        if frozen is not None:
            _apply_frozen(rows[-1], frozen.get(pid))
    return Dataset(rows, ProjectIds(ids, _project_ids(ctx)))


# --- 调度: overdue problems ------------------------------------------------------------------------------

def overdue_statements(ctx: Context) -> dict[str, Select]:
    resp = aliased(Unit)
    problems = (select(Problem.id, Problem.project_id, Project.name, Problem.title, Problem.kind, Problem.level,
                       Problem.status, resp.name, Problem.resp_unit_id, Problem.resp_person, Problem.source_meeting,
                       Problem.deadline)
                .join(Project, Project.id == Problem.project_id)
                .outerjoin(resp, resp.id == Problem.resp_unit_id)
                .where(overdue_condition(ctx.today), ctx.scope.condition(Problem)))
    if ctx.unit_ids is not None:
        problems = problems.where(Problem.resp_unit_id.in_(sorted(ctx.unit_ids)))
    problems = problems.order_by(Problem.deadline, Problem.id)
    ids = problems.with_only_columns(Problem.project_id).order_by(None)
    leaders = (select(ProjectLeader.project_id, User.name).join(User, User.id == ProjectLeader.user_id)
               .where(ProjectLeader.project_id.in_(ids))
               .order_by(ProjectLeader.project_id, ProjectLeader.level, User.name))
    return {"problems": problems, "leaders": leaders}


OVERDUE_FIELDS = frozenset({"problem_id", "project", "title", "kind", "level", "level_sort", "status", "resp_unit",
                            "resp_person", "meeting", "deadline", "days_overdue", "leaders"})


def overdue_problems(session: Session, ctx: Context) -> Dataset:
    stmts = overdue_statements(ctx)
    leaders: dict[int, list[str]] = {}
    for project_id, name in session.connection().execute(stmts["leaders"]):
        leaders.setdefault(project_id, []).append(name)
    rows = []
    for (pid, project_id, project, title, kind, level, status, resp_name, _resp_id, person, meeting,
         deadline) in session.connection().execute(stmts["problems"]):
        rows.append({"problem_id": pid, "project": project, "title": title, "kind": kind, "level": level,
                     "level_sort": PROBLEM_LEVELS.index(level),
                     "status": status, "resp_unit": resp_name or "", "resp_person": person, "meeting": meeting,
                     "deadline": deadline, "days_overdue": (ctx.today - deadline).days,
                     "leaders": "、".join(leaders.get(project_id, ()))})
    return Dataset(rows)


# --- 招商 signings ------------------------------------------------------------------------------------------

def signing_statements(ctx: Context) -> dict[str, Select]:
    stmt = (select(Signing.id, Company.name, Lead.title, Signing.kind, Signing.amount, Signing.signed_on, Unit.name,
                   Chain.name, Segment.name, Signing.deadline_register, Signing.deadline_start,
                   Signing.deadline_production)
            .join(Company, Company.id == Signing.company_id)
            .join(Unit, Unit.id == Signing.unit_id)
            .outerjoin(Lead, Lead.id == Signing.lead_id)
            .outerjoin(Segment, Segment.id == Lead.segment_id)
            .outerjoin(Chain, Chain.id == Segment.chain_id)
            .where(ctx.scope.condition(Signing), Signing.signed_on >= dt.date(ctx.year, 1, 1),
                   Signing.signed_on <= ctx.period_end))
    if ctx.unit_ids is not None:
        stmt = stmt.where(Signing.unit_id.in_(sorted(ctx.unit_ids)))
    return {"signings": stmt.order_by(Signing.signed_on, Signing.id)}


SIGNING_FIELDS = frozenset({"signing_id", "company", "project", "kind", "kind_sort", "amount", "signed_on", "unit",
                            "chain", "segment", "deadline_register", "deadline_start", "deadline_production"})
SIGNING_ORDER = ("contract", "intent", "framework")


def signings(session: Session, ctx: Context) -> Dataset:
    rows = []
    for (sid, company, project, kind, amount, signed_on, unit, chain, segment, d_register, d_start,
         d_production) in session.connection().execute(signing_statements(ctx)["signings"]):
        rows.append({"signing_id": sid, "company": company, "project": project, "kind": kind,
                     "kind_sort": SIGNING_ORDER.index(kind), "amount": _f(amount), "signed_on": signed_on,
                     "unit": unit, "chain": chain, "segment": segment, "deadline_register": d_register,
                     "deadline_start": d_start, "deadline_production": d_production})
    return Dataset(rows)


SOURCES = {s.key: s for s in (
    Source("monthly_projects", MONTHLY_FIELDS, monthly_statements, monthly_projects, per_project=True),
    Source("overdue_problems", OVERDUE_FIELDS, overdue_statements, overdue_problems),
    Source("signings", SIGNING_FIELDS, signing_statements, signings),
)}


def fill_fields(session: Session, ctx: Context, data: Dataset, keys: list[str]) -> None:
    """Add registered fields to a project dataset's rows: one call (one query) per field."""
    for key in keys:
        values = field_value_fn(key)(session, data.project_ids, ctx)
        for row in data.rows:
            row[key] = values.get(row["project_id"])
