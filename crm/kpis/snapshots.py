"""Monthly close (封账): freeze the KPI sums per unit and the figures per project at a month's end, then
answer the KPIs of a closed period from those snapshots, so reports and rankings quoting "截至X月底" never
drift when figures are corrected later; 环比 and 同比 compare closed periods.

:func:`take` stores, for the month's last day D, the sums of :mod:`crm.kpis.facts` per 责任单位 and plan
list (and per signing unit for contracts, with the 签约 amount), once for every project and once per chain,
and one row per plan project with its chain then. :func:`closed_kpis` and :func:`closed_kpis_by_unit` then
add the snapshot rows of each unit's subtree (of every chain, or of one) and apply the same formulas
(:func:`crm.kpis.service.figures`) as the live service; :func:`closed_signings` answers the 签约 card. A
staged target's passed checkpoint is judged on the period closed at that checkpoint, when there is one.
Services flush, never commit.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from crm.audit import service as audit
from crm.core.database import read
from crm.core.errors import DomainError
from crm.kpis import service
from crm.kpis.facts import (CONTRACT_COLUMNS, EACH, PLAN_COLUMNS, contract_totals, milestones, month_sums, plan_totals,
                            to_decimal)
from crm.kpis.results import INDICATORS, KpiReport, points
from crm.models import PeriodClose, Project, ProjectSnapshot, ProjectYear, Segment, UnitSnapshot
from crm.models.monthly import ProjectMonth
from crm.models.projects import PLAN_LISTS
from crm.security.scope import subtree, unit_tree

SNAPSHOT_COLUMNS = PLAN_COLUMNS + CONTRACT_COLUMNS

__all__ = ["month_end", "take", "periods", "period", "Closes", "closed_signings", "closed_kpis", "closed_kpis_by_unit",
           "compare"]


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _text(value) -> str:
    return str(value if value is not None else 0)


def _project_rows(session: Session, close: PeriodClose) -> list[dict]:
    year, as_of = close.year, close.as_of
    m, f = milestones(as_of, year), month_sums(year, as_of)
    pm = ProjectMonth
    this_month = (select(pm.project_id, pm.completed).where(pm.year == year, pm.month == close.month)
                  .subquery("this_month"))
    total = (select(pm.project_id, func.sum(pm.completed).label("completed"))
             .where((pm.year < year) | and_(pm.year == year, pm.month <= close.month))
             .group_by(pm.project_id).subquery("since_start"))
    stmt = (select(Project.id, Project.resp_unit_id, ProjectYear.plan_list, Project.stage, Project.total_investment,
                   ProjectYear.planned_investment, this_month.c.completed, f.c.completed, total.c.completed,
                   f.c.funds, m.c.started_d, m.c.started_c, f.c.resumed, f.c.entered, Segment.chain_id)
            .select_from(ProjectYear).join(Project, Project.id == ProjectYear.project_id)
            .outerjoin(Segment, Segment.id == Project.segment_id)
            .outerjoin(m, m.c.project_id == Project.id).outerjoin(f, f.c.project_id == Project.id)
            .outerjoin(this_month, this_month.c.project_id == Project.id)
            .outerjoin(total, total.c.project_id == Project.id)
            .where(ProjectYear.year == year).order_by(Project.id))
    rows = []
    for (pid, unit_id, plan_list, stage, total_inv, planned, month_done, ytd, since, funds, started, started_c,
         resumed, entered, chain_id) in session.execute(stmt):
        rows.append({"close_id": close.id, "project_id": pid, "resp_unit_id": unit_id, "plan_list": plan_list,
                     "chain_id": chain_id,
                     "stage": stage, "total_investment": total_inv, "planned": planned,
                     "completed_month": month_done, "completed_ytd": None if ytd is None else to_decimal(ytd),
                     "completed_total": None if since is None else to_decimal(since),
                     "funds_ytd": None if funds is None else to_decimal(funds), "started_on": started,
                     "started_confirmed_on": started_c, "resumed": bool(resumed), "entered": bool(entered)})
    return rows


def take(session: Session, actor, year: int, month: int, note: str | None = None) -> PeriodClose:
    """封账: freeze the month. A month is closed once, after it has ended."""
    if not 2000 <= year <= 2100 or not 1 <= month <= 12:
        raise DomainError(_l("Choose a year between 2000 and 2100 and a month from 1 to 12."))
    if period(session, year, month) is not None:
        raise DomainError(_l("%(year)s-%(month)02d is closed already; its figures stand.", year=year, month=month))
    close = PeriodClose(year=year, month=month, as_of=month_end(year, month), closed_by=getattr(actor, "id", None),
                        note=(note or "").strip()[:200] or None)
    session.add(close)
    session.flush()
    units = []

    def add(kind, plan_list, found, columns, chain_id=None):
        units.extend({"close_id": close.id, "kind": kind, "unit_id": unit_id, "plan_list": plan_list,
                      "chain_id": chain_id, "sums": {k: _text(sums[k]) for k in columns}}
                     for unit_id, sums in found.items())

    for plan_list in PLAN_LISTS:  # every project, then each chain's (one grouped statement each)
        add("plan", plan_list, plan_totals(session, year, close.as_of, (plan_list,), None), PLAN_COLUMNS)
        for (unit_id, chain_id), sums in plan_totals(session, year, close.as_of, (plan_list,), None, EACH).items():
            add("plan", plan_list, {unit_id: sums}, PLAN_COLUMNS, chain_id)
    add("contract", None, contract_totals(session, year, close.as_of), CONTRACT_COLUMNS)
    for (unit_id, chain_id), sums in contract_totals(session, year, close.as_of, None, EACH).items():
        add("contract", None, {unit_id: sums}, CONTRACT_COLUMNS, chain_id)
    if units:
        session.execute(insert(UnitSnapshot), units)
    projects = _project_rows(session, close)
    if projects:
        session.execute(insert(ProjectSnapshot), projects)
    audit.record_event(session, actor, "state", "period_close", close.id, field="closed",
                       new=f"{year}-{month:02d} · {len(projects)}")
    session.flush()
    return close


def periods(session: Session, year: int | None = None) -> list[PeriodClose]:
    """Closed periods, newest first."""
    stmt = select(PeriodClose).order_by(PeriodClose.year.desc(), PeriodClose.month.desc())
    if year is not None:
        stmt = stmt.where(PeriodClose.year == year)
    return list(session.scalars(stmt))


def period(session: Session, year: int, month: int) -> PeriodClose | None:
    return session.scalar(select(PeriodClose).where(PeriodClose.year == year, PeriodClose.month == month))


@functools.lru_cache(maxsize=64)
def _closes_statement(years: tuple[int, ...]):
    return select(PeriodClose.id, PeriodClose.year, PeriodClose.month, PeriodClose.as_of,
                  PeriodClose.chains_kept).where(PeriodClose.year.in_(years))


@functools.lru_cache(maxsize=128)
def _sums_statement(close_id: int, lists: tuple | None, chain_id: int | None = None):
    """Per kind and unit, each column summed over the selected lists, in SQL (the JSON holds decimal strings;
    a value absent from a kind sums to NULL). No result processing: SQLite answers ints or floats,
    PostgreSQL Decimals, and :func:`crm.kpis.service.tree_totals` makes the totals exact."""
    s = UnitSnapshot
    columns = (func.sum(s.sums[c].as_numeric(20, 2), type_=NullType()).label(c) for c in SNAPSHOT_COLUMNS)
    chain = s.chain_id.is_(None) if chain_id is None else s.chain_id == chain_id
    stmt = select(s.kind, s.unit_id, *columns).where(s.close_id == close_id, chain).group_by(s.kind, s.unit_id)
    if lists is not None:
        stmt = stmt.where((s.kind == "contract") | s.plan_list.in_(lists))
    return stmt


class Closes:
    """The closed periods of some years, read in one statement, by year and month (other years: asked). A
    period is a row with the close's ``id``, ``year``, ``month``, ``as_of`` and ``chains_kept`` (all the KPIs
    need of it)."""

    def __init__(self, session: Session, years: Iterable[int]):
        self.session, self.years = session, frozenset(years)
        found = read(session, _closes_statement(tuple(sorted(self.years))))
        self._found = {(c.year, c.month): c for c in found}

    def get(self, year: int, month: int) -> PeriodClose | None:
        if year in self.years:
            return self._found.get((year, month))
        return period(self.session, year, month)

    def of_year(self, year: int) -> list[PeriodClose]:
        """The year's closes, newest first (as :func:`periods`)."""
        if year not in self.years:
            return periods(self.session, year)
        return sorted((c for (y, _m), c in self._found.items() if y == year), key=lambda c: -c.month)


def _sums(session: Session, close: PeriodClose, lists, chain_id: int | None = None) -> tuple[dict, dict]:
    """Per unit, the snapshot sums of the selected lists (plan) and the contract sums, from one statement, as
    the database answers them (:func:`crm.kpis.service.tree_totals` makes the totals exact)."""
    stmt = _sums_statement(close.id, None if lists is None else tuple(sorted(lists)), chain_id)
    out: dict[str, dict[int, dict[str, Decimal]]] = {"plan": {}, "contract": {}}
    for kind, unit_id, *values in read(session, stmt):
        out[kind][unit_id] = dict(zip(SNAPSHOT_COLUMNS, values))
    return out["plan"], out["contract"]


@functools.lru_cache(maxsize=128)
def _signings_statement(close_id: int, units: tuple | None, chain_id: int | None):
    s = UnitSnapshot
    amount = s.sums["signed_amount"].as_numeric(20, 2)
    chain = s.chain_id.is_(None) if chain_id is None else s.chain_id == chain_id
    stmt = (select(func.count(), func.count(amount), func.sum(s.sums["same_n"].as_numeric(20, 2), type_=NullType()),
                   func.sum(amount, type_=NullType()))
            .where(s.close_id == close_id, s.kind == "contract", chain))
    if units is not None:
        stmt = stmt.where(s.unit_id.in_(units))
    return stmt


def closed_signings(session: Session, close: PeriodClose, units=None, chain_id: int | None = None) -> dict | None:
    """The 签约 card as frozen at the close: 正式合同 signed in [1 Jan, D] by the signing units ``units`` (None:
    all) and of the chain's leads, count and amount (万元); None for a period closed before amounts (or, with a
    chain, its chains) were kept."""
    if chain_id is not None and not close.chains_kept:
        return None
    stmt = _signings_statement(close.id, None if units is None else tuple(sorted(units)), chain_id)
    rows, priced, count, amount = read(session, stmt).one()
    if rows and not priced:
        return None
    return {"count": int(count or 0), "amount": to_decimal(amount)}


def _checkpoint_closes(closes: Closes, stages: dict, as_of: dt.date) -> dict[dt.date, PeriodClose]:
    out = {}
    for day in service._passed_dates(stages, as_of):
        found = closes.get(day.year, day.month)
        if found is not None and found.as_of == day:
            out[day] = found
    return out


def closed_kpis_by_unit(session: Session, close: PeriodClose, unit_ids: Iterable[int | None],
                        plan_list: str | None = None, *, children: dict | None = None,
                        closes: Closes | None = None, indicators: Mapping | None = None,
                        chain_id: int | None = None) -> dict[int | None, KpiReport]:
    """Each unit's (its subtree's; None: the city's) figures as frozen at the close. ``children`` (the unit
    tree, as ``crm.security.scope.unit_tree``) and ``closes`` may be given by a caller that has read them;
    ``indicators``: per unit id, the indicators its report needs (default all); ``chain_id``: that chain's
    figures as frozen (its projects, the contracts whose lead is in it)."""
    children = unit_tree(session) if children is None else children
    closes = Closes(session, (close.year,)) if closes is None else closes
    trees = {uid: None if uid is None else subtree(children, uid) for uid in unit_ids}
    lists = service._lists(plan_list)
    stages = service._stages(session, close.year, plan_list)

    computed: dict[int, dict] = {}

    def at(found: PeriodClose):
        if found.id not in computed:  # a checkpoint on the close's own day is the close itself
            plan, contract = _sums(session, found, lists, chain_id)
            plan = service.tree_totals(plan, trees, PLAN_COLUMNS)
            contract = service.tree_totals(contract, trees, CONTRACT_COLUMNS)
            computed[found.id] = {uid: service.figures(plan[uid], contract[uid], found.as_of,
                                                       service.wanted(indicators, uid)) for uid in trees}
        return computed[found.id]

    now = at(close)
    past = {day: at(found) for day, found in _checkpoint_closes(closes, stages, close.as_of).items()}
    return {uid: KpiReport(close.year, plan_list, uid, close.as_of,
                           service._indicators(now[uid], stages, close.as_of,
                                               {d: figs[uid] for d, figs in past.items()}))
            for uid in trees}


def closed_kpis(session: Session, close: PeriodClose, plan_list: str | None = None,
                unit_id: int | None = None, closes: Closes | None = None, chain_id: int | None = None) -> KpiReport:
    return closed_kpis_by_unit(session, close, [unit_id], plan_list, closes=closes, chain_id=chain_id)[unit_id]


def compare(session: Session, close: PeriodClose, plan_list: str | None = None,
            unit_id: int | None = None, current: KpiReport | None = None,
            closes: Closes | None = None, chain_id: int | None = None) -> dict[str, dict]:
    """环比 (against the previous closed month of the same year) and 同比 (the same month a year before), in
    percentage points of each indicator's 调度口径 value; None where that period was not closed. ``current``:
    the close's own report when the caller has it already; ``closes``: the periods of both years, if read;
    ``chain_id``: one chain's figures."""
    closes = Closes(session, (close.year - 1, close.year)) if closes is None else closes
    current = current or closed_kpis(session, close, plan_list, unit_id, closes, chain_id)
    previous = closes.get(close.year, close.month - 1) if close.month > 1 else None
    last_year = closes.get(close.year - 1, close.month)
    before = closed_kpis(session, previous, plan_list, unit_id, closes, chain_id) if previous else None
    year_ago = closed_kpis(session, last_year, plan_list, unit_id, closes, chain_id) if last_year else None
    out = {}
    for key in INDICATORS:
        value = current[key].dispatch.value
        out[key] = {"value": value,
                    "mom": None if before is None else points(value, before[key].dispatch.value),
                    "yoy": None if year_ago is None else points(value, year_ago[key].dispatch.value)}
    return out
