"""The project list: URL filters, whitelisted sorting, overdue flags — one statement for page and export.

Overdue (逾期) means a planned date passed with the stage not reached — 开工, 竣工, 投产 (industrial
only) — or the signing's own contract deadline to start works passed with no 开工 (超时限未开工).
Ended projects are never overdue; a paused one is judged by the stage it left.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select

from crm.approvals.derived import in_preparation_condition
from crm.core.filters import BadFilter, bad_param, choice_filter
from crm.leads.listing import local_today
from crm.models import Project, ProjectYear, Signing, Unit
from crm.models.projects import PLAN_LISTS, PROJECT_CATEGORIES, PROJECT_SOURCES, PROJECT_STAGES
from crm.projects.rules import FINISHED, STARTED

__all__ = ["ProjectFilters", "filters_from_args", "project_query", "count_query", "overdue_flags",
           "overdue_condition", "BadFilter", "bad_param", "SORT_KEYS", "OVERDUE_KINDS"]

SORT_KEYS = ("updated", "name", "code", "investment", "stage", "start")
OVERDUE_KINDS = ("start", "complete", "production", "contract")
_STAGE_ORDER = {stage: i for i, stage in enumerate(PROJECT_STAGES)}


@dataclass(frozen=True)
class ProjectFilters:
    q: str | None = None
    year: int | None = None
    plan_list: str | None = None
    source: str | None = None
    category: str | None = None
    stage: str | None = None
    location: int | None = None
    resp: int | None = None
    segment: int | None = None
    overdue: str | None = None   # "1" any, or one of OVERDUE_KINDS
    approvals: str | None = None  # "open": 前期手续未完成 (in 前期 by the approvals checklist)
    sort: str = "updated"
    dir: str = "desc"
    today: dt.date = field(default_factory=local_today)

    def args(self, **override) -> dict[str, str]:
        values = {**asdict(self), **override}
        values.pop("today")
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


_choice = choice_filter


def _int(args: Mapping[str, str], name: str, low: int = 1, high: int = 2**31 - 1) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadFilter(name, raw)
    return int(raw)


def filters_from_args(args: Mapping[str, str], today: dt.date | None = None) -> ProjectFilters:
    plan_list = _choice(args, "plan_list", PLAN_LISTS)
    year = _int(args, "year", 2000, 2100)
    if plan_list and year is None:
        year = (today or local_today()).year
    return ProjectFilters(
        q=(args.get("q") or "").strip()[:100] or None, year=year, plan_list=plan_list,
        source=_choice(args, "source", PROJECT_SOURCES), category=_choice(args, "category", PROJECT_CATEGORIES),
        stage=_choice(args, "stage", PROJECT_STAGES), location=_int(args, "location"), resp=_int(args, "resp"),
        segment=_int(args, "segment"), overdue=_choice(args, "overdue", ("1", *OVERDUE_KINDS)),
        approvals=_choice(args, "approvals", ("open",)),
        sort=_choice(args, "sort", SORT_KEYS, "updated"), dir=_choice(args, "dir", ("asc", "desc"), "desc"),
        **({"today": today} if today else {}))


def _effective_stage():
    """The stage a paused project is judged by: the one it left."""
    return case((Project.stage == "paused", Project.stage_before_exit), else_=Project.stage)


def _not_reached(stages) -> ColumnElement[bool]:
    return and_(Project.stage != "ended", func.coalesce(_effective_stage(), "signed").not_in(stages))


def _contract_deadline():
    return (select(Signing.deadline_start).where(Signing.id == Project.signing_id)
            .correlate(Project).scalar_subquery())


def overdue_flags(today: dt.date) -> dict[str, ColumnElement[bool]]:
    """One SQL condition per overdue kind."""
    return {
        "start": and_(Project.planned_start_on < today, _not_reached(STARTED)),
        "complete": and_(Project.planned_complete_on < today, _not_reached(FINISHED)),
        "production": and_(Project.category == "industry", Project.planned_production_on < today,
                           _not_reached(("producing", "effective"))),
        "contract": and_(Project.signing_id.is_not(None), _contract_deadline() < today, _not_reached(STARTED)),
    }


def overdue_condition(today: dt.date, kind: str = "1") -> ColumnElement[bool]:
    flags = overdue_flags(today)
    return or_(*flags.values()) if kind == "1" else flags.get(kind, false())


def _conditions(filters: ProjectFilters, scope_condition) -> list[ColumnElement[bool]]:
    where = [scope_condition]
    if filters.q:
        like = f"%{filters.q}%"
        where.append(or_(Project.name.like(like), Project.code.like(like)))
    if filters.year is not None:
        member = select(ProjectYear.project_id).where(ProjectYear.year == filters.year)
        if filters.plan_list:
            member = member.where(ProjectYear.plan_list == filters.plan_list)
        where.append(Project.id.in_(member))
    for key, column in (("source", Project.source), ("category", Project.category), ("stage", Project.stage),
                        ("location", Project.location_unit_id), ("resp", Project.resp_unit_id),
                        ("segment", Project.segment_id)):
        value = getattr(filters, key)
        if value is not None:
            where.append(column == value)
    if filters.overdue:
        where.append(overdue_condition(filters.today, filters.overdue))
    if filters.approvals == "open":
        where.append(in_preparation_condition())
    return where


def _order(filters: ProjectFilters):
    column = {"updated": Project.updated_at, "name": Project.name, "code": Project.code,
              "investment": Project.total_investment, "start": Project.planned_start_on,
              "stage": case(_STAGE_ORDER, value=Project.stage)}[filters.sort]
    ordered = column.asc() if filters.dir == "asc" else column.desc()
    return [ordered.nulls_last(), Project.id.desc()]


def project_query(filters: ProjectFilters, scope_condition) -> Select:
    """Rows of (project, 责任单位 name, overdue flag)."""
    resp = Unit.__table__.alias("resp_unit")
    return (select(Project, resp.c.name, overdue_condition(filters.today).label("overdue"))
            .outerjoin(resp, resp.c.id == Project.resp_unit_id)
            .where(*_conditions(filters, scope_condition)).order_by(*_order(filters)))


def count_query(filters: ProjectFilters, scope_condition) -> Select:
    return select(func.count()).select_from(Project).where(*_conditions(filters, scope_condition))
