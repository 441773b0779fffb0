"""The year's 重点项目计划: a project's membership per year, and the rollover to the next year.

A membership names its list (新开工 / 续建 / 前期), key levels, the year's planned investment, the
planned start and finish months and a monthly split, which must add up to the year's plan. The
rollover makes next year's plan from this year's: started projects become 续建, unstarted ones are
carried on their list, finished and ended ones dropped.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import Project, ProjectYear
from crm.models.projects import PLAN_LISTS
from crm.projects.rules import FINISHED, KEY_LEVEL_LABELS, STARTED

__all__ = ["set_year", "remove_year", "rollover", "RolloverResult", "key_levels", "monthly_total"]

CENT = Decimal("0.01")


def key_levels(membership: ProjectYear) -> list[str]:
    return [k for k in (membership.key_level or "").split(",") if k]


def _amount(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip()).quantize(CENT)
    except InvalidOperation:
        raise DomainError(_l("Enter an amount in 10k yuan."), field) from None
    if amount < 0:
        raise DomainError(_l("An amount cannot be negative."), field)
    return amount


def _month(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        month = int(value)
    except (TypeError, ValueError):
        month = 0
    if not 1 <= month <= 12:
        raise DomainError(_l("A month is a number from 1 to 12."), field)
    return month


def monthly_total(monthly: dict[str, Any] | None) -> Decimal:
    return sum((Decimal(str(v)) for v in (monthly or {}).values()), Decimal("0")).quantize(CENT)


def _monthly(raw: dict | None, planned: Decimal | None) -> dict[str, str] | None:
    """The monthly split as {"1": "10.00", …}, checked against the year's plan."""
    split: dict[str, str] = {}
    for key, value in (raw or {}).items():
        month = _month(key, "monthly_plan")
        amount = _amount(value, "monthly_plan")
        if amount:
            split[str(month)] = str(amount)
    if not split:
        return None
    total = monthly_total(split)
    if planned is None:
        raise DomainError(_l("Enter the year's planned investment before splitting it by month."),
                          "planned_investment")
    if total != planned:
        raise DomainError(_l("The monthly split adds up to %(total)s (10k yuan) but the year's planned investment is "
                             "%(planned)s: they must be equal.", total=total, planned=planned), "monthly_plan")
    return split


def set_year(session: Session, actor, project: Project, year: int, data: dict[str, Any]) -> ProjectYear:
    """Create or replace the project's membership in ``year``'s plan."""
    if not 2000 <= int(year) <= 2100:
        raise DomainError(_l("Choose a year between 2000 and 2100."), "year")
    plan_list = data.get("plan_list")
    if plan_list not in PLAN_LISTS:
        raise DomainError(_l("Choose the list: 新开工, 续建 or 前期."), "plan_list")
    levels = [k for k in data.get("key_levels") or () if k]
    if any(k not in KEY_LEVEL_LABELS for k in levels):
        raise DomainError(_l("Choose a value from the list."), "key_levels")
    planned = _amount(data.get("planned_investment"), "planned_investment")
    start = _month(data.get("planned_start_month"), "planned_start_month")
    finish = _month(data.get("planned_finish_month"), "planned_finish_month")
    if start and finish and finish < start:
        raise DomainError(_l("The finish month cannot be before the start month."), "planned_finish_month")
    values = {"plan_list": plan_list, "key_level": ",".join(k for k in KEY_LEVEL_LABELS if k in levels) or None,
              "planned_investment": planned, "planned_start_month": start, "planned_finish_month": finish,
              "monthly_plan": _monthly(data.get("monthly_plan"), planned)}
    row = session.scalar(select(ProjectYear).where(ProjectYear.project_id == project.id, ProjectYear.year == year))
    if row is None:
        row = ProjectYear(project_id=project.id, year=year, **values)
        session.add(row)
        audit.record_create(session, actor, row)
    else:
        with audit.tracked_update(session, actor, row):
            for key, value in values.items():
                setattr(row, key, value)
    audit.record_event(session, actor, "update", "project", project.id, field=f"plan {year}", old=None, new=plan_list)
    session.flush()
    return row


def remove_year(session: Session, actor, project: Project, year: int) -> None:
    row = session.scalar(select(ProjectYear).where(ProjectYear.project_id == project.id, ProjectYear.year == year))
    if row is None:
        raise DomainError(_l("The project is not in this year's plan."))
    audit.record_event(session, actor, "update", "project", project.id, field=f"plan {year}", old=row.plan_list,
                       new=None)
    session.delete(row)
    session.flush()


@dataclass
class RolloverResult:
    continuing: int = 0
    carried: int = 0
    dropped: int = 0
    skipped: int = 0   # already in the target year (a repeated run with ``force``)


def _reached(project: Project, stages) -> bool:
    stage = project.stage_before_exit if project.stage == "paused" else project.stage
    return stage in stages


def rollover(session: Session, actor, from_year: int, to_year: int, *, force: bool = False) -> RolloverResult:
    """Make ``to_year``'s plan from ``from_year``'s; refused when ``to_year`` has memberships unless ``force``
    (then only the projects still missing are added, so a repeat changes nothing)."""
    if to_year != from_year + 1:
        raise DomainError(_l("A plan rolls over into the following year."))
    existing = session.scalar(select(func.count()).select_from(ProjectYear).where(ProjectYear.year == to_year))
    if existing and not force:
        raise DomainError(_l("The %(year)s plan already has %(n)s projects; roll over again only when told to "
                             "(--force adds the missing ones).", year=to_year, n=existing))
    present = set(session.scalars(select(ProjectYear.project_id).where(ProjectYear.year == to_year)))
    result = RolloverResult()
    rows = session.execute(select(ProjectYear, Project).join(Project, Project.id == ProjectYear.project_id)
                           .where(ProjectYear.year == from_year).order_by(ProjectYear.id)).all()
    created = []
    for membership, project in rows:
        if project.stage == "ended" or _reached(project, FINISHED):
            result.dropped += 1
            continue
        if project.id in present:
            result.skipped += 1
            continue
        if _reached(project, STARTED):
            plan_list, result.continuing = "continuing", result.continuing + 1
        else:
            plan_list, result.carried = membership.plan_list, result.carried + 1
        created.append(ProjectYear(project_id=project.id, year=to_year, plan_list=plan_list,
                                   key_level=membership.key_level))
    session.add_all(created)
    session.flush()
    audit.record_event(session, actor, "bulk_create", "project_year", None, field=f"rollover {from_year}",
                       new=f"{to_year}: {len(created)}")
    return result
