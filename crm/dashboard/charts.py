"""The dashboard's charts, one grouped statement each: the county ranking (晾晒) within 板块 on rates, the plan by
chain, leads by cluster and province, the lead funnel with conversion, the median time per lead stage,
overdue problems by unit and contacts logged per officer.

Rankings compare rates only (never raw amounts across counties of unequal size). Plan and KPI figures are
aggregates every role sees; the lead, problem and contact charts count the records inside the caller's
scope (``scope.condition``). Nothing loops over projects or leads in Python: the medians too are taken in
SQL, with window functions (SQLite and PostgreSQL alike).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from crm.core.database import read
from crm.dashboard.cards import RANK_INDICATORS, cached
from crm.kpis.facts import chain_segments, key, to_decimal
from crm.models import (Chain, Company, Interaction, Lead, LeadStageChange, PeriodClose, Problem, Project,
                        ProjectSnapshot, ProjectYear, Segment, Unit, User)
from crm.problems.listing import overdue_condition
from crm.refdata.lookup import division
from crm.security.scope import tree_of

__all__ = ["RANK_INDICATORS", "FUNNEL", "unit_rows", "counties", "children", "ranking", "by_chain", "leads_by_place",
           "funnel", "stage_medians", "overdue_problems", "contacts_per_officer"]

FUNNEL = ("clue", "contact", "visit", "negotiate", "signed")
OFFICERS_SHOWN = 30
# Days are the city's (Asia/Shanghai, no summer time); contact and stage times are stored aware.
HOUSE_ZONE = dt.timezone(dt.timedelta(hours=8))


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=HOUSE_ZONE).astimezone(dt.timezone.utc)


@cached
def _unit_rows_statement():
    return (select(Unit.id, Unit.parent_id, Unit.name, func.coalesce(Unit.short_name, Unit.name), Unit.kind,
                   Unit.group_name, Unit.active).order_by(Unit.sort, Unit.name))


def unit_rows(session: Session) -> list:
    """Every unit in the city's order (id, parent_id, name, label, kind, 板块, active): the page's one read of
    the unit table, from which the county list, the unit tree and the unit filter are taken."""
    return read(session, _unit_rows_statement()).all()


def counties(rows) -> list[tuple[int, str, str]]:
    """(id, name, 板块) of the active county-level units that belong to a 板块, in the city's order."""
    return [(uid, label, group) for uid, _parent, _name, label, kind, group, active in rows
            if kind == "county" and group is not None and active]


def children(rows) -> dict[int | None, list[int]]:
    """The unit tree (parent id → child ids) from :func:`unit_rows`."""
    return tree_of((uid, parent) for uid, parent, *_rest in rows)


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def ranking(units: list[tuple[int, str, str]], reports: dict) -> dict[str, dict[str, list[dict]]]:
    """晾晒: per indicator and 板块, the counties ordered by the 调度口径 rate (best first, no figure last),
    with the confirmed rate and the target in force. ``reports``: the KPI service's report per county id,
    all from one pass of grouped sums (``kpis_by_unit`` live, the snapshots when closed)."""
    out: dict[str, dict[str, list[dict]]] = {}
    for indicator in RANK_INDICATORS:
        groups: dict[str, list[dict]] = {}
        for uid, name, group in units:
            ind = reports[uid][indicator]
            groups.setdefault(group, []).append({
                "unit_id": uid, "unit": name, "value": _num(ind.dispatch.value),
                "confirmed": _num(ind.confirmed.value),
                "target": None if ind.target is None else _num(ind.target.value)})
        for rows in groups.values():
            rows.sort(key=lambda r: (r["value"] is None, -(r["value"] or 0), r["unit"]))
        out[indicator] = groups
    return out


@cached
def _by_chain_statement(year: int, plan_list: str | None, units: tuple | None, close_id: int | None):
    if close_id is None:
        stmt = (select(Chain.id, Chain.name, func.count(), func.sum(func.coalesce(ProjectYear.planned_investment, 0)))
                .select_from(ProjectYear).join(Project, Project.id == ProjectYear.project_id)
                .join(Segment, Segment.id == Project.segment_id).join(Chain, Chain.id == Segment.chain_id)
                .where(ProjectYear.year == year))
        if plan_list is not None:
            stmt = stmt.where(ProjectYear.plan_list == plan_list)
        if units is not None:
            stmt = stmt.where(Project.resp_unit_id.in_(units))
    else:
        s = ProjectSnapshot
        stmt = (select(Chain.id, Chain.name, func.count(), func.sum(func.coalesce(s.planned, 0)))
                .select_from(s).join(Chain, Chain.id == s.chain_id)  # the projects' chains at the close
                .where(s.close_id == close_id))
        if plan_list is not None:
            stmt = stmt.where(s.plan_list == plan_list)
        if units is not None:
            stmt = stmt.where(s.resp_unit_id.in_(units))
    return stmt.group_by(Chain.id, Chain.name).order_by(Chain.name)


def by_chain(session: Session, year: int, plan_list: str | None, units, close: PeriodClose | None) -> list[dict]:
    """Plan projects and this year's planned investment per chain (projects without a segment left out)."""
    stmt = _by_chain_statement(year, plan_list, key(units), None if close is None else close.id)
    return [{"chain_id": cid, "chain": name, "count": int(n), "planned": float(to_decimal(planned))}
            for cid, name, n, planned in read(session, stmt)]


def _leads(scope, as_of: dt.date, units, chain_id: int | None) -> list:
    """The leads a chart counts: reported by the period's end, inside the scope and the filters."""
    end = day_start(as_of + dt.timedelta(days=1))
    where = [scope.condition(Lead), Lead.first_reported_at < end]
    if units is not None:
        where.append(Lead.unit_id.in_(units))
    if chain_id is not None:
        where.append(Lead.segment_id.in_(chain_segments(chain_id)))
    return where


def _ranked(counts: dict) -> list[tuple]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))


@cached
def _places_statement(scope, as_of: dt.date, units: tuple | None, chain_id: int | None):
    province = func.substr(Company.county_code, 1, 2)
    return (select(Company.cluster, province, func.count()).select_from(Lead)
            .join(Company, Company.id == Lead.company_id).where(*_leads(scope, as_of, units, chain_id))
            .group_by(Company.cluster, province))


def leads_by_place(session: Session, scope, as_of: dt.date, units=None, chain_id=None) -> tuple[list, list]:
    """Lead counts per investor cluster and per province of the company's county code (most first), from one
    statement grouped by both."""
    stmt = _places_statement(scope, as_of, key(units), chain_id)
    clusters: dict = {}
    provinces: dict = {}
    for cluster, code, n in read(session, stmt):
        clusters[cluster] = clusters.get(cluster, 0) + int(n)
        provinces[code] = provinces.get(code, 0) + int(n)
    out = []
    for code, n in _ranked(provinces):
        found = division(code + "0000") if code else None
        out.append({"key": code, "name": found.name if found else None, "count": n})
    return [{"key": k, "count": n} for k, n in _ranked(clusters)], out


@cached
def _funnel_statement(scope, as_of: dt.date, units: tuple | None, chain_id: int | None):
    rank = case(*((LeadStageChange.to_stage == s, i) for i, s in enumerate(FUNNEL)), else_=0)
    end = day_start(as_of + dt.timedelta(days=1))
    reached = (select(LeadStageChange.lead_id.label("lead_id"), func.max(rank).label("reached"))
               .where(LeadStageChange.at < end).group_by(LeadStageChange.lead_id).subquery("reached"))
    return (select(reached.c.reached, func.count()).select_from(Lead)
            .outerjoin(reached, reached.c.lead_id == Lead.id).where(*_leads(scope, as_of, units, chain_id))
            .group_by(reached.c.reached))


def funnel(session: Session, scope, as_of: dt.date, units=None, chain_id=None) -> dict:
    """Leads per furthest pipeline stage reached (from the stage history, a pause or exit does not undo a
    stage reached), made cumulative; conversion = signed ÷ all leads counted."""
    stmt = _funnel_statement(scope, as_of, key(units), chain_id)
    furthest: dict[int, int] = {}
    for r, n in read(session, stmt):  # a lead without history (NULL) is at the first stage
        furthest[int(r or 0)] = furthest.get(int(r or 0), 0) + int(n)
    counts = [sum(n for r, n in furthest.items() if r >= i) for i in range(len(FUNNEL))]
    total = counts[0]
    return {"stages": [{"stage": s, "count": counts[i]} for i, s in enumerate(FUNNEL)], "total": total,
            "signed": counts[-1], "conversion": None if not total else round(counts[-1] * 100 / total, 2)}


@cached
def _medians_statement(scope, as_of: dt.date, units: tuple | None, chain_id: int | None):
    end = day_start(as_of + dt.timedelta(days=1))
    c = LeadStageChange
    ordered = (select(c.from_stage.label("stage"), c.seconds_in_previous.label("seconds"),
                      func.row_number().over(partition_by=c.from_stage, order_by=c.seconds_in_previous).label("nth"),
                      func.count().over(partition_by=c.from_stage).label("n"))
               .join(Lead, Lead.id == c.lead_id)
               .where(c.from_stage.in_(FUNNEL), c.seconds_in_previous.is_not(None), c.at < end,
                      *_leads(scope, as_of, units, chain_id))
               .subquery("ordered"))
    o = ordered.c  # integer division: n = 4 keeps the 2nd and 3rd, n = 5 the 3rd twice
    return (select(o.stage, func.max(o.n), func.sum(o.seconds), func.count())
            .where(o.nth.in_(((o.n + 1) // 2, (o.n + 2) // 2))).group_by(o.stage))


def stage_medians(session: Session, scope, as_of: dt.date, units=None, chain_id=None) -> list[dict]:
    """Median days a lead spent in each pipeline stage before leaving it (``seconds_in_previous`` of the
    move out), taken in SQL: each stage's durations numbered in order, and the middle one (or the mean of
    the middle two) kept; stages nobody has left are shown without a median."""
    stmt = _medians_statement(scope, as_of, key(units), chain_id)
    found = {stage: (int(n), int(total) / int(k)) for stage, n, total, k in read(session, stmt)}
    return [{"stage": s, "n": found[s][0] if s in found else 0,
             "days": round(found[s][1] / 86400, 1) if s in found else None}
            for s in FUNNEL[:-1]]


@cached
def _overdue_statement(scope, today: dt.date, units: tuple | None):
    stmt = (select(Unit.id, func.coalesce(Unit.short_name, Unit.name), func.count())
            .select_from(Problem).join(Unit, Unit.id == Problem.resp_unit_id)
            .where(overdue_condition(today), scope.condition(Problem)))
    if units is not None:
        stmt = stmt.where(Problem.resp_unit_id.in_(units))
    return stmt.group_by(Unit.id, Unit.short_name, Unit.name).order_by(func.count().desc(), Unit.id)


def overdue_problems(session: Session, scope, today: dt.date, units=None) -> list[dict]:
    """Open problems past their deadline today, per responsible unit (inside the scope)."""
    stmt = _overdue_statement(scope, today, key(units))
    return [{"unit_id": uid, "unit": name, "count": int(n)} for uid, name, n in read(session, stmt)]


@cached
def _officers_statement(scope, start: dt.date, end: dt.date, units: tuple | None):
    lo, hi = day_start(start), day_start(end + dt.timedelta(days=1))
    stmt = (select(User.id, User.name, func.count()).select_from(Interaction).join(User, User.id == Interaction.user_id)
            .where(and_(Interaction.at >= lo, Interaction.at < hi), scope.condition(Interaction)))
    if units is not None:
        stmt = stmt.where(Interaction.unit_id.in_(units))
    return stmt.group_by(User.id, User.name).order_by(func.count().desc(), User.id).limit(OFFICERS_SHOWN)


def contacts_per_officer(session: Session, scope, start: dt.date, end: dt.date, units=None) -> list[dict]:
    """Interactions logged per user in [start, end], most first (the first 30), inside the scope."""
    stmt = _officers_statement(scope, start, end, key(units))
    return [{"user_id": uid, "name": name, "count": int(n)} for uid, name, n in read(session, stmt)]
