"""The projects (and contracts) behind each indicator's shortfall, limited to the caller's scope.

One statement per indicator, each capped at :data:`LIMIT` rows with the full count beside them
(``count(*) OVER ()``). A project counted in the 调度口径 but not yet in the confirmed figure is named
with an ``unconfirmed_*`` reason, so the gap between the two 口径 is explained too.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from crm.kpis.facts import (DEADLINES, due_condition, has_split_expr, met_condition, milestones, month_sums,
                            plan_population, plan_through_expr, planned_finish, planned_production,
                            signed_this_year, signing_milestones, to_decimal)
from crm.kpis.results import KpiException
from crm.models import Company, Project, ProjectYear, Signing, Unit
from crm.security.scope import Scope

__all__ = ["LIMIT", "LAGGING", "all_exceptions"]

LIMIT = 100
LAGGING = 10  # 投资完成率 names the projects furthest behind their own 序时, not every one behind
CENT = Decimal("0.01")


def _plan_rows(session: Session, year: int, as_of: dt.date, lists, unit_ids, scope: Scope | None,
               condition, order, limit: int = LIMIT):
    m, f = milestones(as_of, year), month_sums(year, as_of)
    resp = aliased(Unit)
    split = has_split_expr()
    planned = func.coalesce(ProjectYear.planned_investment, 0)
    own_plan = case((split, plan_through_expr(as_of.month)), else_=planned * (as_of.month / 12.0))
    stmt = (select(Project.id, Project.name, resp.id.label("unit_id"), resp.name.label("unit_name"),
                   ProjectYear.planned_start_month, ProjectYear.planned_finish_month, ProjectYear.monthly_plan,
                   ProjectYear.planned_investment, Project.planned_start_on, Project.planned_complete_on,
                   Project.planned_production_on, m.c.started_d, m.c.finished_d, m.c.producing_d,
                   func.coalesce(f.c.resumed, 0).label("resumed"), f.c.completed, f.c.funds,
                   func.count().over().label("total"))
            .select_from(ProjectYear).join(Project, Project.id == ProjectYear.project_id)
            .outerjoin(resp, resp.id == Project.resp_unit_id)
            .outerjoin(m, m.c.project_id == Project.id).outerjoin(f, f.c.project_id == Project.id)
            .where(*plan_population(year, lists, unit_ids), condition(m, f, own_plan))
            .order_by(*order(m, f, own_plan), Project.name, Project.id).limit(limit))
    if scope is not None:
        stmt = stmt.where(scope.condition(Project))
    return list(session.execute(stmt))


def _total(rows) -> int:
    return int(rows[0].total) if rows else 0


def _own_plan(row, month: int) -> Decimal:
    split = row.monthly_plan or {}
    if split:
        return sum((Decimal(str(v)) for k, v in split.items() if int(k) <= month), Decimal(0)).quantize(CENT)
    return (to_decimal(row.planned_investment) * month / 12).quantize(CENT)


def _exception(row, reason: str, **extra) -> KpiException:
    return KpiException(row.id, row.name, row.unit_id, row.unit_name or "", reason, **extra)


def _late(month: int | None, day: dt.date | None, as_of: dt.date) -> bool:
    """Overdue: the planned month ended before D's month, or the planned date is before D."""
    return (month is not None and month < as_of.month) or (day is not None and day < as_of)


def _new_start(session, year, as_of, lists, units, scope):
    rows = _plan_rows(session, year, as_of, lists, units, scope,
                      lambda m, f, _p: and_(ProjectYear.plan_list == "new", m.c.started_c.is_(None)),
                      lambda m, f, _p: (m.c.started_d.is_not(None), ProjectYear.planned_start_month.is_(None),
                                        ProjectYear.planned_start_month))
    return [_exception(r, "not_started" if r.started_d is None else "unconfirmed_start",
                       overdue=r.started_d is None and _late(r.planned_start_month, r.planned_start_on, as_of),
                       month=r.planned_start_month, due_on=r.planned_start_on) for r in rows], _total(rows)


def _resume(session, year, as_of, lists, units, scope):
    rows = _plan_rows(session, year, as_of, lists, units, scope,
                      lambda m, f, _p: and_(ProjectYear.plan_list == "continuing",
                                            or_(func.coalesce(f.c.resumed, 0) == 0, m.c.started_c.is_(None))),
                      lambda m, f, _p: (func.coalesce(f.c.resumed, 0).desc(),))
    return [_exception(r, "no_investment" if not r.resumed else "unconfirmed_start", amount=to_decimal(r.completed))
            for r in rows], _total(rows)


def _investment(session, year, as_of, lists, units, scope):
    completed = lambda f: func.coalesce(f.c.completed, 0)  # noqa: E731 - a column helper read twice below
    rows = _plan_rows(session, year, as_of, lists, units, scope,
                      lambda m, f, plan: and_(ProjectYear.planned_investment > 0, completed(f) < plan),
                      lambda m, f, plan: ((completed(f) - plan).asc(),), limit=LAGGING)
    return [_exception(r, "behind_schedule", amount=to_decimal(r.completed), plan=_own_plan(r, as_of.month))
            for r in rows], _total(rows)


def _finish(session, year, as_of, lists, units, scope, key: str):
    wanted = planned_finish(year) if key == "completion" else planned_production(year)
    reached_c = "finished_c" if key == "completion" else "producing_c"
    rows = _plan_rows(session, year, as_of, lists, units, scope,
                      lambda m, f, _p: and_(wanted, m.c[reached_c].is_(None)),
                      lambda m, f, _p: (ProjectYear.planned_finish_month.is_(None), ProjectYear.planned_finish_month))
    out = []
    for r in rows:
        reached = r.finished_d if key == "completion" else r.producing_d
        due = r.planned_complete_on if key == "completion" else r.planned_production_on
        month = r.planned_finish_month if key == "completion" else None
        out.append(_exception(r, f"not_{key}" if reached is None else f"unconfirmed_{key}",
                              overdue=reached is None and _late(month, due, as_of), month=month, due_on=due))
    return out, _total(rows)


def _funds(session, year, as_of, lists, units, scope):
    rows = _plan_rows(session, year, as_of, lists, units, scope,
                      lambda m, f, _p: and_(Project.source == "attraction", ProjectYear.planned_investment > 0,
                                            func.coalesce(f.c.funds, 0) == 0),
                      lambda m, f, _p: (ProjectYear.planned_investment.desc(),))
    return [_exception(r, "no_funds", amount=Decimal("0.00")) for r in rows], _total(rows)


def _contract_rows(session, year, as_of, units, scope, condition):
    s = signing_milestones(as_of)
    unit, project = aliased(Unit), aliased(Project)
    stmt = (select(Signing.id, Signing.signed_on, Signing.deadline_register, Signing.deadline_start,
                   Signing.deadline_production, s.c.project_id, project.name.label("project_name"),
                   Company.name.label("company_name"), unit.id.label("unit_id"), unit.name.label("unit_name"),
                   *(s.c[k] for k in ("registered_d", "registered_c", "started_d", "started_c", "producing_d",
                                      "producing_c")))
            .select_from(Signing).outerjoin(s, s.c.signing_id == Signing.id)
            .outerjoin(project, project.id == s.c.project_id).outerjoin(Company, Company.id == Signing.company_id)
            .outerjoin(unit, unit.id == Signing.unit_id)
            .where(Signing.kind == "contract", Signing.signed_on <= as_of, condition(s))
            .order_by(Signing.signed_on, Signing.id))
    if units is not None:
        stmt = stmt.where(Signing.unit_id.in_(sorted(units)))
    if scope is not None:
        stmt = stmt.where(scope.condition(Signing))
    return list(session.execute(stmt))


def _contract_exception(row, reason: str, **extra) -> KpiException:
    return KpiException(row.project_id, row.project_name or row.company_name or "", row.unit_id,
                        row.unit_name or "", reason, signing_id=row.id, **extra)


def _performance(session, year, as_of, units, scope):
    """One exception per obligation due in [1 Jan, D] not met on time in the confirmed figure."""
    def unmet(s):
        return or_(*(and_(due_condition(getattr(Signing, d), year, as_of),
                          ~met_condition(s, getattr(Signing, d), ms, "c")) for d, ms in DEADLINES))

    out = []
    for row in _contract_rows(session, year, as_of, units, scope, unmet):
        for deadline, milestone in DEADLINES:
            due = getattr(row, deadline)
            if due is None or not dt.date(year, 1, 1) <= due <= as_of:
                continue
            reached_d, reached_c = getattr(row, f"{milestone}_d"), getattr(row, f"{milestone}_c")
            if reached_c is not None and reached_c <= due:
                continue
            met_d = reached_d is not None and reached_d <= due
            out.append(_contract_exception(row, f"{'unconfirmed' if met_d else 'missed'}_{milestone}",
                                           overdue=not met_d, due_on=due, signed_on=row.signed_on))
    return out[:LIMIT], len(out)


def _same_year(session, year, as_of, units, scope):
    rows = _contract_rows(session, year, as_of, units, scope,
                          lambda s: and_(signed_this_year(year, as_of), s.c.started_c.is_(None)))
    out = [_contract_exception(r, "not_started" if r.started_d is None else "unconfirmed_start",
                               signed_on=r.signed_on) for r in rows]
    return out[:LIMIT], len(out)


def all_exceptions(session: Session, year: int, as_of: dt.date, lists, units, scope: Scope | None) -> dict:
    """``{indicator: (exceptions, total)}`` for every indicator."""
    new = _new_start(session, year, as_of, lists, units, scope)
    resume = _resume(session, year, as_of, lists, units, scope)
    return {
        "new_start_rate": new, "resume_rate": resume,
        "start_resume_rate": ((new[0] + resume[0])[:LIMIT], new[1] + resume[1]),
        "investment_completion_rate": _investment(session, year, as_of, lists, units, scope),
        "completion_rate": _finish(session, year, as_of, lists, units, scope, "completion"),
        "production_rate": _finish(session, year, as_of, lists, units, scope, "production"),
        "contract_performance_rate": _performance(session, year, as_of, units, scope),
        "funds_arrival_rate": _funds(session, year, as_of, lists, units, scope),
        "same_year_start_rate": _same_year(session, year, as_of, units, scope),
    }
