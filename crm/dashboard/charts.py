"""The dashboard's charts, one grouped statement each: the county ranking (晾晒) within 板块 on rates, the plan by
chain, leads by cluster and province, the lead funnel with conversion, the median time per lead stage,
overdue problems by unit and contacts logged per officer.

Rankings compare rates only (never raw amounts across counties of unequal size). Plan and KPI figures are
aggregates every role sees; the lead, problem and contact charts count the records inside the caller's
scope (``scope.condition``). Nothing loops over projects or leads in Python except the medians, which are
taken from one ordered fetch of the stage durations (correct on SQLite and PostgreSQL alike).
"""
from __future__ import annotations

import datetime as dt
import statistics
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from crm.dashboard.cards import chain_segments
from crm.kpis.facts import to_decimal
from crm.models import (Chain, Company, Interaction, Lead, LeadStageChange, PeriodClose, Problem, Project,
                        ProjectSnapshot, ProjectYear, Segment, Unit, User)
from crm.problems.listing import overdue_condition
from crm.refdata.lookup import division

__all__ = ["RANK_INDICATORS", "FUNNEL", "counties", "ranking", "by_chain", "leads_by", "funnel", "stage_medians",
           "overdue_problems", "contacts_per_officer"]

RANK_INDICATORS = ("new_start_rate", "resume_rate", "start_resume_rate", "investment_completion_rate")
FUNNEL = ("clue", "contact", "visit", "negotiate", "signed")
OFFICERS_SHOWN = 30
# Days are the city's (Asia/Shanghai, no summer time); contact and stage times are stored aware.
HOUSE_ZONE = dt.timezone(dt.timedelta(hours=8))


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=HOUSE_ZONE).astimezone(dt.timezone.utc)


def counties(session: Session) -> list[tuple[int, str, str]]:
    """(id, name, 板块) of the active county-level units that belong to a 板块, in the city's order."""
    return [tuple(r) for r in session.execute(
        select(Unit.id, func.coalesce(Unit.short_name, Unit.name), Unit.group_name)
        .where(Unit.kind == "county", Unit.group_name.is_not(None), Unit.active.is_(True))
        .order_by(Unit.sort, Unit.name))]


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def ranking(units: list[tuple[int, str, str]], reports: dict) -> dict[str, dict[str, list[dict]]]:
    """晾晒: per indicator and 板块, the counties ordered by the 调度口径 rate (best first, no figure last),
    with the confirmed rate and the target in force. ``reports``: the KPI service's report per county id,
    all from one pass of grouped sums (``kpis_by_unit`` live, the snapshots when closed)."""
    out: dict[str, dict[str, list[dict]]] = {}
    for key in RANK_INDICATORS:
        groups: dict[str, list[dict]] = {}
        for uid, name, group in units:
            ind = reports[uid][key]
            groups.setdefault(group, []).append({
                "unit_id": uid, "unit": name, "value": _num(ind.dispatch.value),
                "confirmed": _num(ind.confirmed.value),
                "target": None if ind.target is None else _num(ind.target.value)})
        for rows in groups.values():
            rows.sort(key=lambda r: (r["value"] is None, -(r["value"] or 0), r["unit"]))
        out[key] = groups
    return out


def by_chain(session: Session, year: int, plan_list: str | None, units, close: PeriodClose | None) -> list[dict]:
    """Plan projects and this year's planned investment per chain (projects without a segment left out)."""
    if close is None:
        stmt = (select(Chain.id, Chain.name, func.count(), func.sum(func.coalesce(ProjectYear.planned_investment, 0)))
                .select_from(ProjectYear).join(Project, Project.id == ProjectYear.project_id)
                .join(Segment, Segment.id == Project.segment_id).join(Chain, Chain.id == Segment.chain_id)
                .where(ProjectYear.year == year))
        if plan_list is not None:
            stmt = stmt.where(ProjectYear.plan_list == plan_list)
        if units is not None:
            stmt = stmt.where(Project.resp_unit_id.in_(sorted(units)))
    else:
        s = ProjectSnapshot
        stmt = (select(Chain.id, Chain.name, func.count(), func.sum(func.coalesce(s.planned, 0)))
                .select_from(s).join(Project, Project.id == s.project_id)
                .join(Segment, Segment.id == Project.segment_id).join(Chain, Chain.id == Segment.chain_id)
                .where(s.close_id == close.id))
        if plan_list is not None:
            stmt = stmt.where(s.plan_list == plan_list)
        if units is not None:
            stmt = stmt.where(s.resp_unit_id.in_(sorted(units)))
    stmt = stmt.group_by(Chain.id, Chain.name).order_by(Chain.name)
    return [{"chain_id": cid, "chain": name, "count": int(n), "planned": float(to_decimal(planned))}
            for cid, name, n, planned in session.execute(stmt)]


def _leads(scope, as_of: dt.date, units, chain_id: int | None) -> list:
    """The leads a chart counts: reported by the period's end, inside the scope and the filters."""
    end = day_start(as_of + dt.timedelta(days=1))
    where = [scope.condition(Lead), Lead.first_reported_at < end]
    if units is not None:
        where.append(Lead.unit_id.in_(sorted(units)))
    if chain_id is not None:
        where.append(Lead.segment_id.in_(chain_segments(chain_id)))
    return where


def leads_by(session: Session, what: str, scope, as_of: dt.date, units=None, chain_id=None) -> list[dict]:
    """Lead counts per investor cluster (``what="cluster"``) or province of the company's county code."""
    key = Company.cluster if what == "cluster" else func.substr(Company.county_code, 1, 2)
    stmt = (select(key, func.count()).select_from(Lead).join(Company, Company.id == Lead.company_id)
            .where(*_leads(scope, as_of, units, chain_id)).group_by(key).order_by(func.count().desc(), key))
    rows = [(k, int(n)) for k, n in session.execute(stmt)]
    if what == "cluster":
        return [{"key": k, "count": n} for k, n in rows]
    out = []
    for code, n in rows:
        found = division(code + "0000") if code else None
        out.append({"key": code, "name": found.name if found else None, "count": n})
    return out


def funnel(session: Session, scope, as_of: dt.date, units=None, chain_id=None) -> dict:
    """Leads per furthest pipeline stage reached (from the stage history, a pause or exit does not undo a
    stage reached), made cumulative; conversion = signed ÷ all leads counted."""
    rank = case(*((LeadStageChange.to_stage == s, i) for i, s in enumerate(FUNNEL)), else_=0)
    end = day_start(as_of + dt.timedelta(days=1))
    reached = (select(LeadStageChange.lead_id.label("lead_id"), func.max(rank).label("reached"))
               .where(LeadStageChange.at < end).group_by(LeadStageChange.lead_id).subquery("reached"))
    stmt = (select(reached.c.reached, func.count()).select_from(Lead)
            .outerjoin(reached, reached.c.lead_id == Lead.id).where(*_leads(scope, as_of, units, chain_id))
            .group_by(reached.c.reached))
    furthest: dict[int, int] = {}
    for r, n in session.execute(stmt):  # a lead without history (NULL) is at the first stage
        furthest[int(r or 0)] = furthest.get(int(r or 0), 0) + int(n)
    counts = [sum(n for r, n in furthest.items() if r >= i) for i in range(len(FUNNEL))]
    total = counts[0]
    return {"stages": [{"stage": s, "count": counts[i]} for i, s in enumerate(FUNNEL)], "total": total,
            "signed": counts[-1], "conversion": None if not total else round(counts[-1] * 100 / total, 2)}


def stage_medians(session: Session, scope, as_of: dt.date, units=None, chain_id=None) -> list[dict]:
    """Median days a lead spent in each pipeline stage before leaving it (``seconds_in_previous`` of the
    move out), from one fetch ordered by stage; stages nobody has left are shown without a median."""
    end = day_start(as_of + dt.timedelta(days=1))
    stmt = (select(LeadStageChange.from_stage, LeadStageChange.seconds_in_previous)
            .join(Lead, Lead.id == LeadStageChange.lead_id)
            .where(LeadStageChange.from_stage.in_(FUNNEL), LeadStageChange.seconds_in_previous.is_not(None),
                   LeadStageChange.at < end, *_leads(scope, as_of, units, chain_id))
            .order_by(LeadStageChange.from_stage))
    seconds: dict[str, list[int]] = {}
    for stage, value in session.execute(stmt):
        seconds.setdefault(stage, []).append(int(value))
    return [{"stage": s, "n": len(seconds.get(s, ())),
             "days": round(statistics.median(seconds[s]) / 86400, 1) if seconds.get(s) else None}
            for s in FUNNEL[:-1]]


def overdue_problems(session: Session, scope, today: dt.date, units=None) -> list[dict]:
    """Open problems past their deadline today, per responsible unit (inside the scope)."""
    stmt = (select(Unit.id, func.coalesce(Unit.short_name, Unit.name), func.count())
            .select_from(Problem).join(Unit, Unit.id == Problem.resp_unit_id)
            .where(overdue_condition(today), scope.condition(Problem)))
    if units is not None:
        stmt = stmt.where(Problem.resp_unit_id.in_(sorted(units)))
    stmt = stmt.group_by(Unit.id, Unit.short_name, Unit.name).order_by(func.count().desc(), Unit.id)
    return [{"unit_id": uid, "unit": name, "count": int(n)} for uid, name, n in session.execute(stmt)]


def contacts_per_officer(session: Session, scope, start: dt.date, end: dt.date, units=None) -> list[dict]:
    """Interactions logged per user in [start, end], most first (the first 30), inside the scope."""
    lo, hi = day_start(start), day_start(end + dt.timedelta(days=1))
    stmt = (select(User.id, User.name, func.count()).select_from(Interaction).join(User, User.id == Interaction.user_id)
            .where(and_(Interaction.at >= lo, Interaction.at < hi), scope.condition(Interaction)))
    if units is not None:
        stmt = stmt.where(Interaction.unit_id.in_(sorted(units)))
    stmt = (stmt.group_by(User.id, User.name).order_by(func.count().desc(), User.id).limit(OFFICERS_SHOWN))
    return [{"user_id": uid, "name": name, "count": int(n)} for uid, name, n in session.execute(stmt)]
