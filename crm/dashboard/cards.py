"""The dashboard's cards: the plan by list (count, total and this year's planned investment, started or resumed,
到位资金, 入统), 签约 and the KPI rates with their staged targets and 序时.

Live figures come from the KPI facts (:mod:`crm.kpis.facts`: the same milestone and monthly sub-selects the
KPI service sums) in one statement grouped by plan list; a closed period's from its frozen
:class:`~crm.models.ProjectSnapshot` rows, grouped the same way, so they never drift. The rates are the KPI
service's, one pass for the unit and every ranked county (:func:`crm.kpis.service.kpis_by_unit` live,
:func:`crm.kpis.snapshots.closed_kpis_by_unit` closed); the projects behind them are on /kpis/. Counts are of
plan memberships, never project rows. Amounts are 万元.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from crm.core.database import read
from crm.kpis import service as kpi_service
from crm.kpis import snapshots
from crm.kpis.facts import chain_segments, key, milestones, month_sums, plan_population, to_decimal
from crm.kpis.results import INDICATORS
from crm.models import Lead, PeriodClose, Project, ProjectSnapshot, ProjectYear, Signing
from crm.models.projects import PLAN_LISTS

__all__ = ["RANK_INDICATORS", "CARD_INDICATORS", "PlanFigures", "cached", "plan_live", "plan_closed", "signings",
           "rates"]

# The rates the county ranking (晾晒) compares.
RANK_INDICATORS = ("new_start_rate", "resume_rate", "start_resume_rate", "investment_completion_rate")
# The rates carried on cards; 投资完成率 also shows its gap to 序时进度.
CARD_INDICATORS = ("new_start_rate", "resume_rate", "start_resume_rate", "investment_completion_rate",
                   "funds_arrival_rate")
PLAN_FIELDS = ("count", "total", "planned", "active", "active_total", "active_planned", "entered", "funds",
               "completed")
MONEY_FIELDS = frozenset({"total", "planned", "active_total", "active_planned", "funds", "completed"})


@dataclass
class PlanFigures:
    """The plan's figures per list and summed. ``active``: started (new list, 调度口径) or resumed (续建)."""
    by_list: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    @property
    def total(self) -> dict[str, Decimal]:
        out = {k: Decimal(0) for k in PLAN_FIELDS}
        for row in self.by_list.values():
            for k in PLAN_FIELDS:
                out[k] += row[k]
        return out


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _money(condition, value):
    return func.sum(case((condition, func.coalesce(value, 0)), else_=0))


def _figures(rows) -> PlanFigures:
    out = PlanFigures({name: {k: Decimal(0) for k in PLAN_FIELDS} for name in PLAN_LISTS})
    for plan_list, *values in rows:
        out.by_list[plan_list] = {k: to_decimal(v) if k in MONEY_FIELDS else Decimal(int(v or 0))
                                  for k, v in zip(PLAN_FIELDS, values)}
    return out


# Built statements depend only on their arguments (the scope is a frozen value, units a sorted tuple), as
# crm.kpis.facts keeps its own: building one costs more Python than most of the dashboard's queries take to
# run. Statements are immutable and hold no session, so one may serve every request.
cached = functools.lru_cache(maxsize=128)


@cached
def plan_live_statement(year: int, as_of: dt.date, plan_list: str | None, units: tuple | None,
                        chain_id: int | None):
    m, f = milestones(as_of, year), month_sums(year, as_of)
    new, cont = ProjectYear.plan_list == "new", ProjectYear.plan_list == "continuing"
    active = or_(and_(new, m.c.started_d.is_not(None)), and_(cont, func.coalesce(f.c.resumed, 0) == 1))
    everyone = literal(True)
    stmt = (select(ProjectYear.plan_list, func.count(), _money(everyone, Project.total_investment),
                   _money(everyone, ProjectYear.planned_investment), _count(active),
                   _money(active, Project.total_investment), _money(active, ProjectYear.planned_investment),
                   _count(func.coalesce(f.c.entered, 0) == 1), _money(everyone, f.c.funds),
                   _money(everyone, f.c.completed))
            .select_from(ProjectYear).join(Project, Project.id == ProjectYear.project_id)
            .outerjoin(m, m.c.project_id == Project.id).outerjoin(f, f.c.project_id == Project.id)
            .where(*plan_population(year, None if plan_list is None else (plan_list,), units))
            .group_by(ProjectYear.plan_list))
    if chain_id is not None:
        stmt = stmt.where(Project.segment_id.in_(chain_segments(chain_id)))
    return stmt


def plan_live(session: Session, year: int, as_of: dt.date, plan_list: str | None = None, units=None,
              chain_id: int | None = None) -> PlanFigures:
    """The plan as of D, per list: one statement over the KPI facts' sub-selects."""
    return _figures(read(session, plan_live_statement(year, as_of, plan_list, key(units), chain_id)))


@cached
def plan_closed_statement(close_id: int, plan_list: str | None, units: tuple | None, chain_id: int | None):
    s = ProjectSnapshot
    new, cont = s.plan_list == "new", s.plan_list == "continuing"
    active = or_(and_(new, s.started_on.is_not(None)), and_(cont, s.resumed.is_(True)))
    everyone = literal(True)
    stmt = (select(s.plan_list, func.count(), _money(everyone, s.total_investment), _money(everyone, s.planned),
                   _count(active), _money(active, s.total_investment), _money(active, s.planned),
                   _count(s.entered.is_(True)), _money(everyone, s.funds_ytd), _money(everyone, s.completed_ytd))
            .where(s.close_id == close_id).group_by(s.plan_list))
    if plan_list is not None:
        stmt = stmt.where(s.plan_list == plan_list)
    if units is not None:
        stmt = stmt.where(s.resp_unit_id.in_(units))
    if chain_id is not None:  # the project's chain at the close
        stmt = stmt.where(s.chain_id == chain_id)
    return stmt


def plan_closed(session: Session, close: PeriodClose, plan_list: str | None = None, units=None,
                chain_id: int | None = None) -> PlanFigures:
    """The plan as frozen at the close (封账): the snapshot rows, grouped by list."""
    return _figures(read(session, plan_closed_statement(close.id, plan_list, key(units), chain_id)))


@cached
def signings_statement(year: int, as_of: dt.date, units: tuple | None, chain_id: int | None):
    stmt = (select(func.count(), func.sum(func.coalesce(Signing.amount, 0)))
            .where(Signing.kind == "contract", Signing.signed_on.between(dt.date(year, 1, 1), as_of)))
    if units is not None:
        stmt = stmt.where(Signing.unit_id.in_(units))
    if chain_id is not None:
        stmt = stmt.where(Signing.lead_id.in_(select(Lead.id).where(Lead.segment_id.in_(chain_segments(chain_id)))))
    return stmt


def signings(session: Session, year: int, as_of: dt.date, units=None, chain_id: int | None = None,
             close: PeriodClose | None = None) -> dict:
    """正式合同 signed in [1 Jan, D]: count and amount (万元); a closed period's as frozen at its close (one
    closed before amounts were kept: as stored now). An aggregate: every role sees the city's."""
    if close is not None:
        frozen = snapshots.closed_signings(session, close, units, chain_id)
        if frozen is not None:
            return frozen
    count, amount = read(session, signings_statement(year, as_of, key(units), chain_id)).one()
    return {"count": int(count or 0), "amount": to_decimal(amount)}


def rates(session: Session, year: int, as_of: dt.date, plan_list: str | None, unit_id: int | None,
          close: PeriodClose | None, county_ids: list[int], tree: dict | None = None,
          closes: snapshots.Closes | None = None, chain_id: int | None = None) -> tuple:
    """The KPI reports of the unit (None: the city) and of each ranked county from one pass of the KPI
    service (live ``kpis_by_unit``, closed ``closed_kpis_by_unit``), and when closed 环比/同比 in points.
    Returns (report, compare or None, reports by unit id). ``tree`` and ``closes``: the unit tree and the
    closed periods, when the caller has read them; ``chain_id``: that chain's figures only."""
    ids = [unit_id, *county_ids]
    wanted = {**dict.fromkeys(county_ids, RANK_INDICATORS), unit_id: INDICATORS}  # a county: what it is ranked on
    if close is None:
        reports = kpi_service.kpis_by_unit(session, year, ids, plan_list, as_of, tree, wanted, chain_id)
        return reports[unit_id], None, reports
    reports = snapshots.closed_kpis_by_unit(session, close, ids, plan_list, children=tree, closes=closes,
                                            indicators=wanted, chain_id=chain_id)
    compared = snapshots.compare(session, close, plan_list, unit_id, reports[unit_id], closes, chain_id)
    return reports[unit_id], compared, reports
