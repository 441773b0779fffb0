"""The dashboard (驾驶舱) in one call: :func:`dashboard` answers every card and chart for the filters.

Filters are year, plan list, unit, chain and the period: live (as of today, kept inside the year — a past
year is read as of its 31 December) or a closed month (封账), whose plan figures and rates come from the
frozen snapshots. Every figure is an SQL aggregate (:mod:`crm.dashboard.cards`, :mod:`crm.dashboard.charts`);
the KPI rates go through the KPI service. The chain filter narrows every figure that belongs to a chain: the
plan cards, 签约, the KPI rates and the county ranking (the chain's projects, and the contracts whose lead is
in it; a closed period's from its per-chain snapshot rows) and the lead charts; the chain chart keeps every
chain, for comparison.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.core.database import read
from crm.dashboard import cards, charts
from crm.kpis import snapshots
from crm.models import Chain, PeriodClose
from crm.security.scope import Scope, subtree

__all__ = ["MANAGER_ROLES", "Filters", "as_of_for", "sees_officers", "periods_for", "dashboard", "choices"]

# Who sees contacts logged per officer: those who manage officers, never the officers themselves.
MANAGER_ROLES = frozenset({"manager", "county_leader", "city_leader", "admin"})


@dataclass(frozen=True)
class Filters:
    year: int
    plan_list: str | None = None
    unit_id: int | None = None
    chain_id: int | None = None
    close: PeriodClose | None = None  # None: live; a PeriodClose or a period row of snapshots.Closes


def as_of_for(year: int, today: dt.date, close: PeriodClose | None = None) -> dt.date:
    """The date the figures stand at: the closed period's end, else today kept inside the year."""
    if close is not None:
        return close.as_of
    return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))


def sees_officers(roles) -> bool:
    return bool(MANAGER_ROLES & set(roles))


def periods_for(session: Session, year: int) -> snapshots.Closes:
    """The closed periods the page may use: the year's (the period filter, 环比) and the year before's (同比)."""
    return snapshots.Closes(session, (year - 1, year))


def dashboard(session: Session, filters: Filters, scope: Scope, today: dt.date, officers: bool = False,
              closes: snapshots.Closes | None = None) -> dict:
    """Every card and chart, and the filters' choices. ``officers``: include contacts per officer (the caller
    checks the role); ``closes``: :func:`periods_for` the year, when the caller has read them to find the
    period. The unit table and the closed periods are read once and shared by the parts."""
    f, close = filters, filters.close
    as_of = as_of_for(f.year, today, close)
    unit_rows = charts.unit_rows(session)
    tree = charts.children(unit_rows)
    closes = periods_for(session, f.year) if closes is None else closes
    units = None if f.unit_id is None else subtree(tree, f.unit_id)
    if close is None:
        plan = cards.plan_live(session, f.year, as_of, f.plan_list, units, f.chain_id)
    else:
        plan = cards.plan_closed(session, close, f.plan_list, units, f.chain_id)
    counties = charts.counties(unit_rows)
    report, compared, reports = cards.rates(session, f.year, as_of, f.plan_list, f.unit_id, close,
                                            [c[0] for c in counties], tree, closes, f.chain_id)
    clusters, provinces = charts.leads_by_place(session, scope, as_of, units, f.chain_id)
    out = {
        "year": f.year, "as_of": as_of, "closed": close is not None, "plan": plan,
        "signings": cards.signings(session, f.year, as_of, units, f.chain_id, close),
        "kpis": report, "compare": compared,
        "ranking": charts.ranking(counties, reports),
        "chains": charts.by_chain(session, f.year, f.plan_list, units, close),
        "clusters": clusters, "provinces": provinces,
        "funnel": charts.funnel(session, scope, as_of, units, f.chain_id),
        "stage_days": charts.stage_medians(session, scope, as_of, units, f.chain_id),
        "overdue": charts.overdue_problems(session, scope, today, units),
        "officers": None,
        "choices": choices(session, f.year, unit_rows, closes),
    }
    if officers:  # the year to D, as every other figure (a closed month: 1 January to its end)
        out["officers"] = charts.contacts_per_officer(session, scope, dt.date(f.year, 1, 1), as_of, units)
    return out


@cards.cached
def _chains_statement():
    return select(Chain.id, Chain.name).order_by(Chain.name)


def choices(session: Session, year: int, unit_rows, closes: snapshots.Closes) -> dict:
    """The filters' options, from the page's reads: active units, chains and the year's closed periods
    (month, "YYYY-MM")."""
    return {
        "units": [(uid, name) for uid, _parent, name, _label, _kind, _group, active in unit_rows if active],
        "chains": read(session, _chains_statement()).all(),
        "closes": [(c.month, f"{c.year}-{c.month:02d}") for c in closes.of_year(year)],
    }
