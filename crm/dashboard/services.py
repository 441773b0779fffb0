"""The dashboard (驾驶舱) in one call: :func:`dashboard` answers every card and chart for the filters.

Filters are year, plan list, unit, chain and the period: live (as of today, kept inside the year — a past
year is read as of its 31 December) or a closed month (封账), whose plan figures and rates come from the
frozen snapshots. Every figure is an SQL aggregate (:mod:`crm.dashboard.cards`, :mod:`crm.dashboard.charts`);
the KPI rates go through the KPI service. The chain filter narrows the plan cards, 签约, the chain chart and
the lead charts; the KPI rates and the county ranking cover every chain (the KPI service has no chain axis).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.dashboard import cards, charts
from crm.kpis import service as kpi_service
from crm.kpis import snapshots
from crm.models import Chain, PeriodClose, Unit
from crm.security.scope import Scope

__all__ = ["MANAGER_ROLES", "Filters", "as_of_for", "sees_officers", "dashboard", "choices"]

# Who sees contacts logged per officer: those who manage officers, never the officers themselves.
MANAGER_ROLES = frozenset({"manager", "county_leader", "city_leader", "admin"})


@dataclass(frozen=True)
class Filters:
    year: int
    plan_list: str | None = None
    unit_id: int | None = None
    chain_id: int | None = None
    close: PeriodClose | None = None  # None: live


def as_of_for(year: int, today: dt.date, close: PeriodClose | None = None) -> dt.date:
    """The date the figures stand at: the closed period's end, else today kept inside the year."""
    if close is not None:
        return close.as_of
    return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))


def sees_officers(roles) -> bool:
    return bool(MANAGER_ROLES & set(roles))


def dashboard(session: Session, filters: Filters, scope: Scope, today: dt.date, officers: bool = False) -> dict:
    """Every card and chart. ``officers``: include contacts per officer (the caller checks the role)."""
    f, close = filters, filters.close
    as_of = as_of_for(f.year, today, close)
    units = None if f.unit_id is None else kpi_service._subtree(kpi_service._children(session), f.unit_id)
    if close is None:
        plan = cards.plan_live(session, f.year, as_of, f.plan_list, units, f.chain_id)
    else:
        plan = cards.plan_closed(session, close, f.plan_list, units, f.chain_id)
    counties = charts.counties(session)
    report, compared, reports = cards.rates(session, f.year, as_of, f.plan_list, f.unit_id, close,
                                            [c[0] for c in counties])
    out = {
        "year": f.year, "as_of": as_of, "closed": close is not None, "plan": plan,
        "signings": cards.signings(session, f.year, as_of, units, f.chain_id),
        "kpis": report, "compare": compared,
        "ranking": charts.ranking(counties, reports),
        "chains": charts.by_chain(session, f.year, f.plan_list, units, close),
        "clusters": charts.leads_by(session, "cluster", scope, as_of, units, f.chain_id),
        "provinces": charts.leads_by(session, "province", scope, as_of, units, f.chain_id),
        "funnel": charts.funnel(session, scope, as_of, units, f.chain_id),
        "stage_days": charts.stage_medians(session, scope, as_of, units, f.chain_id),
        "overdue": charts.overdue_problems(session, scope, today, units),
        "officers": None,
    }
    if officers:  # the year to D, as every other figure (a closed month: 1 January to its end)
        out["officers"] = charts.contacts_per_officer(session, scope, dt.date(f.year, 1, 1), as_of, units)
    return out


def choices(session: Session, year: int) -> dict:
    """The filters' options: active units, chains and the year's closed periods (month, "YYYY-MM")."""
    return {
        "units": session.execute(select(Unit.id, Unit.name).where(Unit.active.is_(True))
                                 .order_by(Unit.sort, Unit.name)).all(),
        "chains": session.execute(select(Chain.id, Chain.name).order_by(Chain.name)).all(),
        "closes": [(c.month, f"{c.year}-{c.month:02d}") for c in snapshots.periods(session, year)],
    }
